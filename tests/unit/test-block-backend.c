/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-block-backend: I/O through a BlockBackend.
 *
 * The null-co and null-aio drivers check the request path with nothing
 * behind it; a mock in-memory driver defined here checks that data,
 * zeroes, discards, flushes and resizes really reach a driver, and counts
 * what it was asked to do.  Further cases cover the AIO interface and
 * its callbacks, request queuing while drained, error policy, I/O
 * status, accounting and a backend without a medium.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "block/block_int.h"
#include "block/accounting.h"
#include "sysemu/block-backend.h"

#define MiB (1024 * 1024)

/* --- An in-memory driver ------------------------------------------------- */

typedef struct BDRVMemState {
    uint8_t *data;
    int64_t size;
    int reads;
    int writes;
    int discards;
    int flushes;
    BdrvRequestFlags last_write_flags;
} BDRVMemState;

static int mem_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVMemState *s = bs->opaque;

    s->size = MiB;
    s->data = g_malloc0(s->size);
    return 0;
}

static void mem_close(BlockDriverState *bs)
{
    BDRVMemState *s = bs->opaque;

    g_free(s->data);
}

/* Grows or shrinks the image; new space reads as zeroes. */
static void mem_resize(BDRVMemState *s, int64_t size)
{
    s->data = g_realloc(s->data, size);
    if (size > s->size) {
        memset(s->data + s->size, 0, size - s->size);
    }
    s->size = size;
}

static int coroutine_fn mem_co_preadv(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      BdrvRequestFlags flags)
{
    BDRVMemState *s = bs->opaque;

    g_assert_cmpint(offset + bytes, <=, s->size);
    s->reads++;
    qemu_iovec_from_buf(qiov, 0, s->data + offset, bytes);
    return 0;
}

static int coroutine_fn mem_co_pwritev(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags)
{
    BDRVMemState *s = bs->opaque;

    if (offset + bytes > s->size) {
        mem_resize(s, offset + bytes);
    }
    s->writes++;
    s->last_write_flags = flags;
    qemu_iovec_to_buf(qiov, 0, s->data + offset, bytes);
    return 0;
}

static int coroutine_fn mem_co_pdiscard(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes)
{
    BDRVMemState *s = bs->opaque;

    s->discards++;
    memset(s->data + offset, 0, MIN(bytes, s->size - offset));
    return 0;
}

static int coroutine_fn mem_co_flush(BlockDriverState *bs)
{
    BDRVMemState *s = bs->opaque;

    s->flushes++;
    return 0;
}

static int coroutine_fn mem_co_truncate(BlockDriverState *bs, int64_t offset,
                                        bool exact, PreallocMode prealloc,
                                        BdrvRequestFlags flags, Error **errp)
{
    mem_resize(bs->opaque, offset);
    return 0;
}

static BlockDriver bdrv_mem;

/* Copy offload: the source hands over, the destination copies. */
static int coroutine_fn GRAPH_RDLOCK
mem_co_copy_range_from(BlockDriverState *bs, BdrvChild *src,
                       int64_t src_offset, BdrvChild *dst, int64_t dst_offset,
                       int64_t bytes, BdrvRequestFlags read_flags,
                       BdrvRequestFlags write_flags)
{
    return bdrv_co_copy_range_to(src, src_offset, dst, dst_offset, bytes,
                                 read_flags, write_flags);
}

static int coroutine_fn mem_co_copy_range_to(BlockDriverState *bs,
        BdrvChild *src, int64_t src_offset, BdrvChild *dst,
        int64_t dst_offset, int64_t bytes, BdrvRequestFlags read_flags,
        BdrvRequestFlags write_flags)
{
    BDRVMemState *s = bs->opaque;
    BDRVMemState *from;

    if (src->bs->drv != &bdrv_mem) {
        return -ENOTSUP;
    }
    from = src->bs->opaque;
    memcpy(s->data + dst_offset, from->data + src_offset, bytes);
    s->writes++;
    return 0;
}

static int64_t coroutine_fn mem_co_getlength(BlockDriverState *bs)
{
    BDRVMemState *s = bs->opaque;

    return s->size;
}

static BlockDriver bdrv_mem = {
    .format_name            = "test-mem",
    .instance_size          = sizeof(BDRVMemState),
    .bdrv_open              = mem_open,
    .bdrv_close             = mem_close,
    .bdrv_co_preadv         = mem_co_preadv,
    .bdrv_co_pwritev        = mem_co_pwritev,
    .bdrv_co_pdiscard       = mem_co_pdiscard,
    .bdrv_co_flush_to_disk  = mem_co_flush,
    .bdrv_co_truncate       = mem_co_truncate,
    .bdrv_co_getlength      = mem_co_getlength,
    .bdrv_co_copy_range_from = mem_co_copy_range_from,
    .bdrv_co_copy_range_to  = mem_co_copy_range_to,
};

static BlockBackend *mem_blk(const char *name, int flags)
{
    BlockDriverState *bs = bdrv_new_open_driver(&bdrv_mem, name, flags,
                                                &error_abort);
    uint64_t perm = BLK_PERM_CONSISTENT_READ;
    BlockBackend *blk;

    if (flags & BDRV_O_RDWR) {
        perm |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
    }
    blk = blk_new_with_bs(bs, perm, BLK_PERM_ALL, &error_abort);
    bdrv_unref(bs);
    return blk;
}

static BDRVMemState *mem_state(BlockBackend *blk)
{
    return blk_bs(blk)->opaque;
}

/* --- A pass-through filter ------------------------------------------------ */

static int coroutine_fn GRAPH_RDLOCK
filter_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                 QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    return bdrv_co_preadv(bs->file, offset, bytes, qiov, flags);
}

static int coroutine_fn GRAPH_RDLOCK
filter_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                  QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    return bdrv_co_pwritev(bs->file, offset, bytes, qiov, flags);
}

static int64_t coroutine_fn GRAPH_RDLOCK
filter_co_getlength(BlockDriverState *bs)
{
    /* No child yet while the node is being opened. */
    return bs->file ? bdrv_co_getlength(bs->file->bs) : 0;
}

static BlockDriver bdrv_filter = {
    .format_name        = "test-filter",
    .is_filter          = true,
    .bdrv_co_preadv     = filter_co_preadv,
    .bdrv_co_pwritev    = filter_co_pwritev,
    .bdrv_co_getlength  = filter_co_getlength,
    .bdrv_child_perm    = bdrv_filter_default_perms,
};

/* --- null-co / null-aio -------------------------------------------------- */

static BlockBackend *null_blk(const char *driver, const char *size,
                              bool zeroes, Error **errp)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", driver);
    qdict_put_str(opts, "size", size);
    qdict_put_str(opts, "read-zeroes", zeroes ? "on" : "off");
    return blk_new_open(NULL, NULL, opts, BDRV_O_RDWR, errp);
}

static void test_null_co(void)
{
    BlockBackend *blk = null_blk("null-co", "1M", true, &error_abort);
    BlockDriverState *bs = blk_bs(blk), *file;
    g_autofree uint8_t *buf = g_malloc(MiB);
    int64_t pnum, map;
    int ret;

    g_assert_cmpint(blk_getlength(blk), ==, MiB);
    g_assert_cmpstr(bs->drv->format_name, ==, "null-co");

    /* read-zeroes=on overwrites whatever the buffer held. */
    memset(buf, 0xa5, MiB);
    g_assert_cmpint(blk_pread(blk, 0, MiB, buf, 0), ==, 0);
    g_assert(buffer_is_zero(buf, MiB));

    g_assert_cmpint(blk_pwrite(blk, 4096, 4096, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite_zeroes(blk, 0, 65536, 0), ==, 0);
    g_assert_cmpint(blk_pdiscard(blk, 0, 65536), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);

    /* Ranges outside the medium. */
    g_assert_cmpint(blk_pread(blk, MiB - 512, 1024, buf, 0), ==, -EIO);
    g_assert_cmpint(blk_pread(blk, -512, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(blk_pwrite(blk, MiB, 512, buf, 0), ==, -EIO);

    /* Everything is zero data at its own offset. */
    ret = bdrv_block_status(bs, 8192, 4096, &pnum, &map, &file);
    g_assert_cmpint(ret, ==, BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID |
                             BDRV_BLOCK_ALLOCATED);
    g_assert_cmpint(pnum, ==, 4096);
    g_assert_cmpint(map, ==, 8192);
    g_assert(file == bs);

    blk_unref(blk);
}

static void refresh_filename(BlockBackend *blk)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    bdrv_refresh_filename(blk_bs(blk));
}

static void test_null_options(void)
{
    Error *err = NULL;
    QDict *opts = qdict_new();
    BlockBackend *blk;

    qdict_put_str(opts, "driver", "null-co");
    qdict_put_str(opts, "latency-ns", "-1");
    blk = blk_new_open(NULL, NULL, opts, 0, &err);
    g_assert(!blk);
    g_assert_cmpstr(error_get_pretty(err), ==, "latency-ns is invalid");
    error_free(err);
    err = NULL;

    blk = blk_new_open("null-aio://x", NULL, NULL, BDRV_O_PROTOCOL, &err);
    g_assert(!blk);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "The only allowed filename for this driver is "
                    "'null-aio://'");
    error_free(err);

    /* A latency makes every request sleep before it completes. */
    opts = qdict_new();
    qdict_put_str(opts, "driver", "null-co");
    qdict_put_str(opts, "latency-ns", "100000");
    blk = blk_new_open(NULL, NULL, opts, BDRV_O_RDWR, &error_abort);
    {
        uint8_t buf[512];

        g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
        g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, BDRV_REQ_FUA), ==, 0);
        g_assert_cmpint(blk_flush(blk), ==, 0);
    }
    blk_unref(blk);

    /* The default size is 1 GiB. */
    blk = blk_new_open("null-co://", NULL, NULL, BDRV_O_PROTOCOL,
                       &error_abort);
    g_assert_cmpint(blk_getlength(blk), ==, 1024 * MiB);
    refresh_filename(blk);
    g_assert_cmpstr(blk_bs(blk)->exact_filename, ==, "null-co://");
    blk_unref(blk);

    /* A size option changes the data: the plain name no longer fits. */
    blk = null_blk("null-aio", "4k", false, &error_abort);
    refresh_filename(blk);
    g_assert_cmpstr(blk_bs(blk)->exact_filename, ==, "");
    blk_unref(blk);
}

typedef struct AioResult {
    int ret;
    int calls;
} AioResult;

static void aio_cb(void *opaque, int ret)
{
    AioResult *res = opaque;

    res->ret = ret;
    res->calls++;
}

static void wait_for(AioResult *res, int calls)
{
    while (res->calls < calls) {
        aio_poll(qemu_get_aio_context(), true);
    }
}

static void test_null_aio(void)
{
    BlockBackend *blk = null_blk("null-aio", "64k", true, &error_abort);
    uint8_t buf[4096];
    QEMUIOVector qiov;
    AioResult res = { 0 };

    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    memset(buf, 0x5a, sizeof(buf));
    blk_aio_preadv(blk, 0, &qiov, 0, aio_cb, &res);
    wait_for(&res, 1);
    g_assert_cmpint(res.ret, ==, 0);
    g_assert(buffer_is_zero(buf, sizeof(buf)));

    /* The synchronous wrappers drive the callback-based driver too. */
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    blk_unref(blk);
}

/* --- Data through a real driver ------------------------------------------ */

static void test_mem_rw(void)
{
    BlockBackend *blk = mem_blk("mem-rw", BDRV_O_RDWR | BDRV_O_UNMAP);
    BDRVMemState *s = mem_state(blk);
    uint8_t pattern[8192], buf[8192];
    int i;

    for (i = 0; i < sizeof(pattern); i++) {
        pattern[i] = i * 7 + 3;
    }
    g_assert_cmpint(blk_pwrite(blk, 12345, sizeof(pattern), pattern, 0), ==, 0);
    g_assert_cmpmem(s->data + 12345, sizeof(pattern), pattern,
                    sizeof(pattern));
    g_assert_cmpint(blk_pread(blk, 12345, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpmem(buf, sizeof(buf), pattern, sizeof(pattern));

    /* No zero-write callback: the core writes a buffer of zeroes. */
    g_assert_cmpint(blk_pwrite_zeroes(blk, 12345, 4096, 0), ==, 0);
    g_assert(buffer_is_zero(s->data + 12345, 4096));
    g_assert_cmpmem(s->data + 12345 + 4096, 4096, pattern + 4096, 4096);

    /* Discard reaches the driver because the node has discard=unmap. */
    g_assert_cmpint(blk_pdiscard(blk, 0, 65536), ==, 0);
    g_assert_cmpint(s->discards, ==, 1);
    g_assert(buffer_is_zero(s->data, 65536));

    blk_unref(blk);
}

static void test_mem_flush(void)
{
    BlockBackend *blk = mem_blk("mem-flush", BDRV_O_RDWR);
    BDRVMemState *s = mem_state(blk);
    uint8_t buf[512] = { 1 };

    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    g_assert_cmpint(s->flushes, ==, 1);

    /* Nothing written since: the driver is not bothered again. */
    g_assert_cmpint(blk_flush(blk), ==, 0);
    g_assert_cmpint(s->flushes, ==, 1);

    /* The driver has no FUA, so a FUA write is followed by a flush. */
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, BDRV_REQ_FUA), ==, 0);
    g_assert_cmpint(s->flushes, ==, 2);
    g_assert_cmpint(s->last_write_flags & BDRV_REQ_FUA, ==, 0);

    /* Without a write cache every write is FUA. */
    blk_set_enable_write_cache(blk, false);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(s->flushes, ==, 3);

    /* Discard is ignored without discard=unmap. */
    g_assert_cmpint(blk_pdiscard(blk, 0, 512), ==, 0);
    g_assert_cmpint(s->discards, ==, 0);
    blk_unref(blk);
}

typedef struct ResizeDev {
    int resizes;
} ResizeDev;

static void dev_resize_cb(void *opaque)
{
    ResizeDev *dev = opaque;

    dev->resizes++;
}

static const BlockDevOps resize_dev_ops = {
    .resize_cb = dev_resize_cb,
};

static void test_mem_truncate(void)
{
    BlockBackend *blk = mem_blk("mem-trunc", BDRV_O_RDWR);
    BDRVMemState *s = mem_state(blk);
    ResizeDev dev = { 0 };
    uint8_t buf[512];
    Error *err = NULL;

    blk_set_dev_ops(blk, &resize_dev_ops, &dev);
    g_assert_cmpint(blk_truncate(blk, 2 * MiB, false, PREALLOC_MODE_OFF, 0,
                                 &error_abort), ==, 0);
    g_assert_cmpint(blk_getlength(blk), ==, 2 * MiB);
    g_assert_cmpint(s->size, ==, 2 * MiB);
    g_assert_cmpint(dev.resizes, ==, 1);
    g_assert_cmpint(blk_pread(blk, 2 * MiB - 512, 512, buf, 0), ==, 0);

    g_assert_cmpint(blk_truncate(blk, 512 * 1024, false, PREALLOC_MODE_OFF, 0,
                                 &error_abort), ==, 0);
    g_assert_cmpint(blk_getlength(blk), ==, 512 * 1024);
    g_assert_cmpint(blk_pread(blk, MiB - 512, 512, buf, 0), ==, -EIO);

    g_assert_cmpint(blk_truncate(blk, -1, false, PREALLOC_MODE_OFF, 0, &err),
                    ==, -EINVAL);
    g_assert_cmpstr(error_get_pretty(err), ==, "Image size cannot be negative");
    error_free(err);

    /* Writing past the end grows the node when the user allows it. */
    blk_set_allow_write_beyond_eof(blk, true);
    g_assert_cmpint(blk_pwrite(blk, MiB, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_getlength(blk), ==, MiB + 512);
    blk_unref(blk);
}

static void refresh_length(BlockDriverState *bs)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    g_assert_cmpint(bdrv_refresh_total_sectors(bs, 0), ==, 0);
}

/* Flush and truncate go down to the filtered child. */
static void test_filter(void)
{
    BlockDriverState *mem = bdrv_new_open_driver(&bdrv_mem, "mem-filtered",
                                                 BDRV_O_RDWR, &error_abort);
    BlockDriverState *filter = bdrv_new_open_driver(&bdrv_filter,
                                                    "filter", BDRV_O_RDWR,
                                                    &error_abort);
    BDRVMemState *s = mem->opaque;
    BlockBackend *blk;
    uint8_t buf[512];

    bdrv_graph_wrlock();
    bdrv_attach_child(filter, mem, "file", &child_of_bds,
                      BDRV_CHILD_FILTERED | BDRV_CHILD_PRIMARY, &error_abort);
    bdrv_graph_wrunlock();
    refresh_length(filter);
    blk = blk_new_with_bs(filter, BLK_PERM_ALL, BLK_PERM_ALL, &error_abort);
    bdrv_unref(filter);

    memset(buf, 0x11, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 4096, 512, buf, 0), ==, 0);
    g_assert_cmpmem(s->data + 4096, 512, buf, 512);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    g_assert_cmpint(s->flushes, ==, 1);

    g_assert_cmpint(blk_truncate(blk, 2 * MiB, false, PREALLOC_MODE_OFF, 0,
                                 &error_abort), ==, 0);
    g_assert_cmpint(s->size, ==, 2 * MiB);
    g_assert_cmpint(blk_getlength(blk), ==, 2 * MiB);
    blk_unref(blk);
}

/* The core's range checks, with upstream's messages. */
static void test_request_checks(void)
{
    BlockBackend *blk = mem_blk("mem-checks", BDRV_O_RDWR);
    Error *err = NULL;
    uint8_t buf[512];

    g_assert_cmpint(bdrv_check_request(0, 0, &error_abort), ==, 0);
    g_assert_cmpint(bdrv_check_request(-1, 512, &err), ==, -EIO);
    g_assert_cmpstr(error_get_pretty(err), ==, "offset is negative: -1");
    g_clear_pointer(&err, error_free);
    g_assert_cmpint(bdrv_check_request(0, -1, &err), ==, -EIO);
    g_assert_cmpstr(error_get_pretty(err), ==, "bytes is negative: -1");
    g_clear_pointer(&err, error_free);
    g_assert_cmpint(bdrv_check_request(INT64_MAX, 0, NULL), ==, -EIO);
    g_assert_cmpint(bdrv_check_request(BDRV_MAX_LENGTH, 1, NULL), ==, -EIO);
    g_assert_cmpint(bdrv_check_request(BDRV_MAX_LENGTH - 512, 512, NULL), ==,
                    0);

    /* Through the node directly, past the backend's own checks. */
    g_assert_cmpint(bdrv_pread(blk_root(blk), -512, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(bdrv_pread(blk_root(blk), 0, BDRV_REQUEST_MAX_BYTES + 1,
                               buf, 0), ==, -EIO);
    g_assert_cmpint(mem_state(blk)->reads, ==, 0);
    blk_unref(blk);
}

static void test_read_only(void)
{
    BlockBackend *blk = mem_blk("mem-ro", 0);
    uint8_t buf[512] = { 0 };

    g_assert(!blk_supports_write_perm(blk));
    g_assert(!blk_is_writable(blk));
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, -EPERM);
    g_assert_cmpint(mem_state(blk)->writes, ==, 0);
    blk_unref(blk);
}

static void test_no_medium(void)
{
    BlockBackend *blk = blk_new(qemu_get_aio_context(), 0, BLK_PERM_ALL);
    uint8_t buf[512];
    QEMUIOVector qiov;
    AioResult res = { 0 };

    g_assert(!blk_bs(blk));
    g_assert(!blk_is_inserted(blk));
    g_assert(!blk_is_available(blk));
    g_assert_cmpint(blk_getlength(blk), ==, -ENOMEDIUM);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -ENOMEDIUM);
    g_assert_cmpint(blk_flush(blk), ==, -ENOMEDIUM);

    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    blk_aio_preadv(blk, 0, &qiov, 0, aio_cb, &res);
    wait_for(&res, 1);
    g_assert_cmpint(res.ret, ==, -ENOMEDIUM);
    blk_unref(blk);
}

/* --- AIO ----------------------------------------------------------------- */

static void test_aio(void)
{
    BlockBackend *blk = mem_blk("mem-aio", BDRV_O_RDWR | BDRV_O_UNMAP);
    BDRVMemState *s = mem_state(blk);
    uint8_t wbuf[4096], rbuf[4096];
    QEMUIOVector wqiov, rqiov;
    AioResult res = { 0 };

    memset(wbuf, 0x3c, sizeof(wbuf));
    qemu_iovec_init_buf(&wqiov, wbuf, sizeof(wbuf));
    qemu_iovec_init_buf(&rqiov, rbuf, sizeof(rbuf));

    /*
     * The mock completes without yielding, yet the callback must not run
     * before blk_aio_pwritev() returned.
     */
    blk_aio_pwritev(blk, 8192, &wqiov, 0, aio_cb, &res);
    g_assert_cmpint(res.calls, ==, 0);
    g_assert_cmpint(s->writes, ==, 1);
    wait_for(&res, 1);
    g_assert_cmpint(res.ret, ==, 0);

    blk_aio_preadv(blk, 8192, &rqiov, 0, aio_cb, &res);
    wait_for(&res, 2);
    g_assert_cmpint(res.ret, ==, 0);
    g_assert_cmpmem(rbuf, sizeof(rbuf), wbuf, sizeof(wbuf));

    blk_aio_pwrite_zeroes(blk, 8192, 1024, 0, aio_cb, &res);
    wait_for(&res, 3);
    g_assert(buffer_is_zero(s->data + 8192, 1024));

    blk_aio_pdiscard(blk, 0, 4096, aio_cb, &res);
    wait_for(&res, 4);
    g_assert_cmpint(s->discards, ==, 1);

    blk_aio_flush(blk, aio_cb, &res);
    wait_for(&res, 5);
    g_assert_cmpint(s->flushes, ==, 1);

    /* Errors arrive through the callback as well. */
    blk_aio_preadv(blk, 2 * MiB, &rqiov, 0, aio_cb, &res);
    wait_for(&res, 6);
    g_assert_cmpint(res.ret, ==, -EIO);
    blk_unref(blk);
}

static void test_aio_cancel(void)
{
    QDict *opts = qdict_new();
    BlockBackend *blk;
    uint8_t buf[512];
    QEMUIOVector qiov;
    AioResult res = { 0 };
    BlockAIOCB *acb;

    qdict_put_str(opts, "driver", "null-aio");
    qdict_put_str(opts, "latency-ns", "1000000");
    blk = blk_new_open(NULL, NULL, opts, 0, &error_abort);

    /* null-aio cannot abort: cancel waits for the normal completion. */
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    acb = blk_aio_preadv(blk, 0, &qiov, 0, aio_cb, &res);
    g_assert_cmpint(res.calls, ==, 0);
    blk_aio_cancel(acb);
    g_assert_cmpint(res.calls, ==, 1);
    g_assert_cmpint(res.ret, ==, 0);
    blk_unref(blk);
}

/* --- Request queuing while drained --------------------------------------- */

static void test_queuing(void)
{
    BlockBackend *blk = mem_blk("mem-queue", BDRV_O_RDWR);
    BlockDriverState *bs = blk_bs(blk);
    BDRVMemState *s = mem_state(blk);
    uint8_t buf[512];
    QEMUIOVector qiov;
    AioResult res = { 0 };
    int i;

    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));

    bdrv_drained_begin(bs);
    g_assert(blk_in_drain(blk));
    blk_aio_preadv(blk, 0, &qiov, 0, aio_cb, &res);
    for (i = 0; i < 5; i++) {
        aio_poll(qemu_get_aio_context(), false);
    }
    /* Parked in the backend: the driver has not seen it. */
    g_assert_cmpint(res.calls, ==, 0);
    g_assert_cmpint(s->reads, ==, 0);
    bdrv_drained_end(bs);
    wait_for(&res, 1);
    g_assert_cmpint(res.ret, ==, 0);
    g_assert_cmpint(s->reads, ==, 1);

    /* With queuing disabled, requests go through even when drained. */
    blk_set_disable_request_queuing(blk, true);
    bdrv_drained_begin(bs);
    blk_aio_preadv(blk, 0, &qiov, 0, aio_cb, &res);
    g_assert_cmpint(s->reads, ==, 2);
    wait_for(&res, 2);
    bdrv_drained_end(bs);
    blk_unref(blk);
}

/* --- Error policy, I/O status, accounting -------------------------------- */

static void test_error_action(void)
{
    BlockBackend *blk = mem_blk("mem-err", BDRV_O_RDWR);

    /* Defaults: report read errors, stop on ENOSPC when writing. */
    g_assert_cmpint(blk_get_error_action(blk, true, EIO), ==,
                    BLOCK_ERROR_ACTION_REPORT);
    g_assert_cmpint(blk_get_error_action(blk, false, ENOSPC), ==,
                    BLOCK_ERROR_ACTION_STOP);
    g_assert_cmpint(blk_get_error_action(blk, false, EIO), ==,
                    BLOCK_ERROR_ACTION_REPORT);

    blk_set_on_error(blk, BLOCKDEV_ON_ERROR_STOP, BLOCKDEV_ON_ERROR_IGNORE);
    g_assert_cmpint(blk_get_on_error(blk, true), ==, BLOCKDEV_ON_ERROR_STOP);
    g_assert_cmpint(blk_get_error_action(blk, true, EIO), ==,
                    BLOCK_ERROR_ACTION_STOP);
    g_assert_cmpint(blk_get_error_action(blk, false, ENOSPC), ==,
                    BLOCK_ERROR_ACTION_IGNORE);

    /* A stop is recorded in the I/O status; the first error sticks. */
    blk_set_on_error(blk, BLOCKDEV_ON_ERROR_REPORT, BLOCKDEV_ON_ERROR_ENOSPC);
    blk_iostatus_enable(blk);
    g_assert(blk_iostatus_is_enabled(blk));
    g_assert_cmpint(blk_iostatus(blk), ==, BLOCK_DEVICE_IO_STATUS_OK);
    blk_error_action(blk, BLOCK_ERROR_ACTION_STOP, false, ENOSPC);
    g_assert_cmpint(blk_iostatus(blk), ==, BLOCK_DEVICE_IO_STATUS_NOSPACE);
    blk_error_action(blk, BLOCK_ERROR_ACTION_STOP, false, EIO);
    g_assert_cmpint(blk_iostatus(blk), ==, BLOCK_DEVICE_IO_STATUS_NOSPACE);
    blk_iostatus_reset(blk);
    blk_error_action(blk, BLOCK_ERROR_ACTION_STOP, false, EIO);
    g_assert_cmpint(blk_iostatus(blk), ==, BLOCK_DEVICE_IO_STATUS_FAILED);

    /* A reported error leaves the status alone. */
    blk_iostatus_reset(blk);
    blk_error_action(blk, BLOCK_ERROR_ACTION_REPORT, true, EIO);
    g_assert_cmpint(blk_iostatus(blk), ==, BLOCK_DEVICE_IO_STATUS_OK);
    blk_unref(blk);
}

static void test_accounting(void)
{
    BlockBackend *blk = mem_blk("mem-acct", BDRV_O_RDWR);
    BlockAcctStats *stats = blk_get_stats(blk);
    BlockAcctCookie cookie;
    uint8_t buf[4096] = { 0 };
    int i, ret;

    for (i = 0; i < 3; i++) {
        block_acct_start(stats, &cookie, sizeof(buf), BLOCK_ACCT_READ);
        g_assert_cmpint(blk_pread(blk, i * 4096, sizeof(buf), buf, 0), ==, 0);
        block_acct_done(stats, &cookie);
    }
    block_acct_start(stats, &cookie, 512, BLOCK_ACCT_WRITE);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    block_acct_done(stats, &cookie);

    block_acct_start(stats, &cookie, 512, BLOCK_ACCT_WRITE);
    ret = blk_pwrite(blk, 4 * MiB, 512, buf, 0);
    g_assert_cmpint(ret, ==, -EIO);
    block_acct_failed(stats, &cookie);

    g_assert_cmpint(stats->nr_bytes[BLOCK_ACCT_READ], ==, 3 * sizeof(buf));
    g_assert_cmpint(stats->nr_ops[BLOCK_ACCT_READ], ==, 3);
    g_assert_cmpint(stats->nr_bytes[BLOCK_ACCT_WRITE], ==, 512);
    g_assert_cmpint(stats->nr_ops[BLOCK_ACCT_WRITE], ==, 1);
    g_assert_cmpint(stats->failed_ops[BLOCK_ACCT_WRITE], ==, 1);
    g_assert_cmpint(mem_state(blk)->reads, ==, 3);
    blk_unref(blk);
}

static void test_names(void)
{
    BlockBackend *a = mem_blk("mem-name-a", 0);
    BlockBackend *b = mem_blk("mem-name-b", 0);
    Error *err = NULL;

    g_assert_cmpstr(blk_name(a), ==, "");
    g_assert(monitor_add_blk(a, "drive0", &error_abort));
    g_assert(!monitor_add_blk(b, "drive0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Device with id 'drive0' already exists");
    error_free(err);
    g_assert(blk_by_name("drive0") == a);
    g_assert_cmpstr(blk_name(a), ==, "drive0");
    g_assert(blk_next(NULL) == a);
    g_assert(!blk_next(a));

    monitor_remove_blk(a);
    g_assert(!blk_by_name("drive0"));
    blk_unref(a);
    blk_unref(b);
}

static void test_flush_all(void)
{
    BlockBackend *a = mem_blk("mem-flush-all-a", BDRV_O_RDWR);
    BlockBackend *b = mem_blk("mem-flush-all-b", BDRV_O_RDWR);
    uint8_t buf[512] = { 0 };

    g_assert_cmpint(blk_pwrite(a, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(b, 512, 512, buf, 0), ==, 0);
    g_assert_cmpint(bdrv_flush_all(), ==, 0);
    g_assert_cmpint(mem_state(a)->flushes, ==, 1);
    g_assert_cmpint(mem_state(b)->flushes, ==, 1);

    /* Nothing new was written: a second round reaches no driver. */
    g_assert_cmpint(bdrv_flush_all(), ==, 0);
    g_assert_cmpint(mem_state(a)->flushes, ==, 1);

    /* The mock has no buffer registration: accepted as a no-op. */
    g_assert(blk_register_buf(a, buf, sizeof(buf), &error_abort));
    blk_unregister_buf(a, buf, sizeof(buf));
    blk_unref(a);
    blk_unref(b);
}

typedef struct CopyJob {
    BlockBackend *from, *to;
    int64_t from_off, to_off, bytes;
    BdrvRequestFlags write_flags;
    int ret;
} CopyJob;

static void coroutine_fn copy_entry(void *opaque)
{
    CopyJob *job = opaque;

    job->ret = blk_co_copy_range(job->from, job->from_off, job->to,
                                 job->to_off, job->bytes, 0,
                                 job->write_flags);
}

static int run_copy(CopyJob *job)
{
    job->ret = -EINPROGRESS;
    qemu_coroutine_enter(qemu_coroutine_create(copy_entry, job));
    while (job->ret == -EINPROGRESS) {
        aio_poll(qemu_get_aio_context(), true);
    }
    return job->ret;
}

static void test_copy_range(void)
{
    BlockBackend *a = mem_blk("mem-copy-a", BDRV_O_RDWR);
    BlockBackend *b = mem_blk("mem-copy-b", BDRV_O_RDWR);
    BlockBackend *null = null_blk("null-co", "1M", true, &error_abort);
    uint8_t pattern[4096];
    CopyJob job = { .from = a, .to = b, .from_off = 8192, .to_off = 65536,
                    .bytes = sizeof(pattern) };

    memset(pattern, 0x42, sizeof(pattern));
    g_assert_cmpint(blk_pwrite(a, 8192, sizeof(pattern), pattern, 0), ==, 0);

    g_assert_cmpint(run_copy(&job), ==, 0);
    g_assert_cmpmem(mem_state(b)->data + 65536, sizeof(pattern), pattern,
                    sizeof(pattern));
    g_assert_cmpint(mem_state(b)->writes, ==, 1);

    /* A zero "copy" is a zero write on the destination. */
    job.write_flags = BDRV_REQ_ZERO_WRITE;
    g_assert_cmpint(run_copy(&job), ==, 0);
    g_assert(buffer_is_zero(mem_state(b)->data + 65536, sizeof(pattern)));

    /* Without support on both sides the caller must copy itself. */
    job.write_flags = 0;
    job.from = null;
    g_assert_cmpint(run_copy(&job), ==, -ENOTSUP);

    /* Ranges are checked against both backends. */
    job.from = a;
    job.to_off = 2 * MiB;
    g_assert_cmpint(run_copy(&job), ==, -EIO);

    blk_unref(null);
    blk_unref(a);
    blk_unref(b);
}

static void dummy_attached(AioContext *ctx, void *opaque)
{
}

static void dummy_detach(void *opaque)
{
}

static void test_replace_bs(void)
{
    BlockBackend *blk = mem_blk("mem-replace-a", BDRV_O_RDWR);
    BlockDriverState *a = blk_bs(blk);
    BlockDriverState *b = bdrv_new_open_driver(&bdrv_mem, "mem-replace-b",
                                               BDRV_O_RDWR, &error_abort);
    uint8_t buf[512];
    int dummy;

    memset(buf, 0xee, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    blk_add_aio_context_notifier(blk, dummy_attached, dummy_detach, &dummy);
    g_assert(!QLIST_EMPTY(&a->aio_notifiers));

    bdrv_ref(a);
    g_assert_cmpint(blk_replace_bs(blk, b, &error_abort), ==, 0);
    g_assert(blk_bs(blk) == b);
    bdrv_unref(b);

    /* The data now comes from the new node; notifiers moved with it. */
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert(buffer_is_zero(buf, sizeof(buf)));
    g_assert(QLIST_EMPTY(&a->aio_notifiers));
    g_assert(!QLIST_EMPTY(&b->aio_notifiers));
    g_assert(bdrv_has_blk(b));
    g_assert(!bdrv_has_blk(a));

    blk_remove_aio_context_notifier(blk, dummy_attached, dummy_detach, &dummy);
    g_assert(QLIST_EMPTY(&b->aio_notifiers));
    bdrv_unref(a);
    blk_unref(blk);
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/block-backend/null-co", test_null_co);
    g_test_add_func("/block-backend/null-options", test_null_options);
    g_test_add_func("/block-backend/null-aio", test_null_aio);
    g_test_add_func("/block-backend/mem-rw", test_mem_rw);
    g_test_add_func("/block-backend/mem-flush", test_mem_flush);
    g_test_add_func("/block-backend/mem-truncate", test_mem_truncate);
    g_test_add_func("/block-backend/filter", test_filter);
    g_test_add_func("/block-backend/request-checks", test_request_checks);
    g_test_add_func("/block-backend/read-only", test_read_only);
    g_test_add_func("/block-backend/no-medium", test_no_medium);
    g_test_add_func("/block-backend/aio", test_aio);
    g_test_add_func("/block-backend/aio-cancel", test_aio_cancel);
    g_test_add_func("/block-backend/queuing", test_queuing);
    g_test_add_func("/block-backend/error-action", test_error_action);
    g_test_add_func("/block-backend/accounting", test_accounting);
    g_test_add_func("/block-backend/names", test_names);
    g_test_add_func("/block-backend/replace-bs", test_replace_bs);
    g_test_add_func("/block-backend/flush-all", test_flush_all);
    g_test_add_func("/block-backend/copy-range", test_copy_range);

    return g_test_run();
}
