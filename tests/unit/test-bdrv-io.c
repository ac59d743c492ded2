/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-bdrv-io: the core request path (block/io*.c) against a mock
 * protocol driver.
 *
 * The mock keeps the image in memory, takes its limits (request
 * alignment, max_transfer, zero/discard alignment) from the test, and
 * asserts on every call that the core respected them: the core
 * validates, drivers trust.  It logs what it was asked to do, can hold
 * writes (to test serialisation), and refuses what it is told to refuse
 * (zero writes, unaligned discards) to exercise the fallbacks.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/iov.h"
#include "block/block_int.h"
#include "block/write-threshold.h"
#include "sysemu/block-backend.h"

#define IMG_SIZE (64 * 1024)

typedef struct MockConfig {
    uint32_t align;
    uint32_t max_transfer;
    uint32_t zero_align;
    uint32_t max_zeroes;
    uint32_t discard_align;
    bool has_zeroes;        /* .bdrv_co_pwrite_zeroes succeeds when aligned */
    bool has_fua;
    uint32_t status_run;    /* block status answers at most this much */
} MockConfig;

typedef struct BDRVMockState {
    MockConfig cfg;
    uint8_t *data;
    int64_t size;

    int reads, writes, zero_calls, zero_refused, discards, flushes;
    int status_calls;
    int64_t discarded;          /* bytes actually discarded */
    BdrvRequestFlags last_write_flags, last_zero_flags;
    int64_t max_seen;           /* largest read/write handed to the mock */
    int fua_writes;
    PreallocMode last_prealloc;
    BdrvRequestFlags last_truncate_flags;

    bool hold_writes;           /* park the next write until released */
    bool hold_flush;            /* same for the next flush */
    Coroutine *held;
    int write_order[8];         /* first byte of each write, in order */
    int n_order;
} BDRVMockState;

static MockConfig next_cfg;

static BDRVMockState *mock(BlockDriverState *bs)
{
    return bs->opaque;
}

static int mock_open(BlockDriverState *bs, QDict *options, int flags,
                     Error **errp)
{
    BDRVMockState *s = bs->opaque;
    int64_t i;

    s->cfg = next_cfg;
    s->size = IMG_SIZE;
    s->data = g_malloc(s->size);
    for (i = 0; i < s->size; i++) {
        s->data[i] = (i * 7 + 3) & 0xff;
    }
    bs->supported_write_flags = s->cfg.has_fua ? BDRV_REQ_FUA : 0;
    bs->supported_zero_flags = BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK;
    bs->supported_truncate_flags = BDRV_REQ_ZERO_WRITE;
    return 0;
}

static void mock_close(BlockDriverState *bs)
{
    g_free(mock(bs)->data);
}

static void mock_refresh_limits(BlockDriverState *bs, Error **errp)
{
    BDRVMockState *s = bs->opaque;

    bs->bl.request_alignment = s->cfg.align;
    bs->bl.max_transfer = s->cfg.max_transfer;
    bs->bl.pwrite_zeroes_alignment = s->cfg.zero_align;
    bs->bl.max_pwrite_zeroes = s->cfg.max_zeroes;
    bs->bl.pdiscard_alignment = s->cfg.discard_align;
}

static int64_t coroutine_fn mock_getlength(BlockDriverState *bs)
{
    return mock(bs)->size;
}

/* What every data request must look like when it reaches the driver. */
static void mock_check(BDRVMockState *s, int64_t offset, int64_t bytes)
{
    g_assert_cmpint(offset % s->cfg.align, ==, 0);
    g_assert_cmpint(bytes % s->cfg.align, ==, 0);
    if (s->cfg.max_transfer) {
        g_assert_cmpint(bytes, <=, s->cfg.max_transfer);
    }
    s->max_seen = MAX(s->max_seen, bytes);
}

static int coroutine_fn mock_preadv(BlockDriverState *bs, int64_t offset,
                                    int64_t bytes, QEMUIOVector *qiov,
                                    BdrvRequestFlags flags)
{
    BDRVMockState *s = bs->opaque;
    int64_t avail = MAX(0, MIN(bytes, s->size - offset));

    mock_check(s, offset, bytes);
    g_assert_cmpint(qiov->niov, <=, IOV_MAX);
    s->reads++;
    qemu_iovec_from_buf(qiov, 0, s->data + offset, avail);
    qemu_iovec_memset(qiov, avail, 0, bytes - avail);
    return 0;
}

static int coroutine_fn mock_pwritev(BlockDriverState *bs, int64_t offset,
                                     int64_t bytes, QEMUIOVector *qiov,
                                     BdrvRequestFlags flags)
{
    BDRVMockState *s = bs->opaque;

    mock_check(s, offset, bytes);
    g_assert_cmpint(qiov->niov, <=, IOV_MAX);
    if (s->hold_writes) {
        s->hold_writes = false;
        s->held = qemu_coroutine_self();
        qemu_coroutine_yield();
        s->held = NULL;
    }
    if (offset + bytes > s->size) {
        return -ENOSPC;
    }
    s->writes++;
    s->last_write_flags = flags;
    s->fua_writes += !!(flags & BDRV_REQ_FUA);
    if (s->n_order < ARRAY_SIZE(s->write_order)) {
        s->write_order[s->n_order++] = offset;
    }
    qemu_iovec_to_buf(qiov, 0, s->data + offset, bytes);
    return 0;
}

static int coroutine_fn mock_pwrite_zeroes(BlockDriverState *bs,
                                           int64_t offset, int64_t bytes,
                                           BdrvRequestFlags flags)
{
    BDRVMockState *s = bs->opaque;
    int64_t za = MAX(s->cfg.zero_align, 1);

    g_assert_cmpint(offset % s->cfg.align, ==, 0);
    if (s->cfg.max_zeroes) {
        g_assert_cmpint(bytes, <=, s->cfg.max_zeroes);
    }
    if (!s->cfg.has_zeroes || offset % za || bytes % za) {
        s->zero_refused++;
        return -ENOTSUP;
    }
    s->zero_calls++;
    s->last_zero_flags = flags;
    memset(s->data + offset, 0, bytes);
    return 0;
}

static int coroutine_fn mock_pdiscard(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes)
{
    BDRVMockState *s = bs->opaque;
    int64_t da = MAX(s->cfg.discard_align, 1);

    g_assert_cmpint(offset % s->cfg.align, ==, 0);
    g_assert_cmpint(bytes % s->cfg.align, ==, 0);
    if (offset % da || bytes % da) {
        return -EINVAL;
    }
    s->discards++;
    s->discarded += bytes;
    memset(s->data + offset, 0, bytes);
    return 0;
}

static int coroutine_fn mock_flush(BlockDriverState *bs)
{
    BDRVMockState *s = bs->opaque;

    if (s->hold_flush) {
        s->hold_flush = false;
        s->held = qemu_coroutine_self();
        qemu_coroutine_yield();
        s->held = NULL;
    }
    s->flushes++;
    return 0;
}

static int coroutine_fn mock_truncate(BlockDriverState *bs, int64_t offset,
                                      bool exact, PreallocMode prealloc,
                                      BdrvRequestFlags flags, Error **errp)
{
    BDRVMockState *s = bs->opaque;

    s->data = g_realloc(s->data, offset);
    if (offset > s->size) {
        memset(s->data + s->size, 0, offset - s->size);
    }
    s->size = offset;
    s->last_prealloc = prealloc;
    s->last_truncate_flags = flags;
    return 0;
}

static int coroutine_fn mock_block_status(BlockDriverState *bs,
                                          bool want_zero, int64_t offset,
                                          int64_t bytes, int64_t *pnum,
                                          int64_t *map,
                                          BlockDriverState **file)
{
    BDRVMockState *s = bs->opaque;

    s->status_calls++;
    *pnum = s->cfg.status_run ? MIN(bytes, s->cfg.status_run) : bytes;
    *map = offset;
    *file = bs;
    return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
}

static BlockDriver bdrv_mock = {
    .format_name            = "io-mock",
    .protocol_name          = "io-mock",
    .instance_size          = sizeof(BDRVMockState),
    .bdrv_open              = mock_open,
    .bdrv_close             = mock_close,
    .bdrv_refresh_limits    = mock_refresh_limits,
    .bdrv_co_getlength      = mock_getlength,
    .bdrv_co_preadv         = mock_preadv,
    .bdrv_co_pwritev        = mock_pwritev,
    .bdrv_co_pwrite_zeroes  = mock_pwrite_zeroes,
    .bdrv_co_pdiscard       = mock_pdiscard,
    .bdrv_co_flush_to_disk  = mock_flush,
    .bdrv_co_truncate       = mock_truncate,
    .bdrv_co_block_status   = mock_block_status,
};

/* The same image as a format that can have a backing file. */
static BlockDriver bdrv_mock_fmt = {
    .format_name            = "io-mock-fmt",
    .instance_size          = sizeof(BDRVMockState),
    .supports_backing       = true,
    .bdrv_open              = mock_open,
    .bdrv_close             = mock_close,
    .bdrv_refresh_limits    = mock_refresh_limits,
    .bdrv_co_getlength      = mock_getlength,
    .bdrv_co_preadv         = mock_preadv,
    .bdrv_co_pwritev        = mock_pwritev,
    .bdrv_co_truncate       = mock_truncate,
    .bdrv_child_perm        = bdrv_default_perms,
};

/* A pass-through filter, to look at limits and nested requests. */
static int coroutine_fn GRAPH_RDLOCK
filter_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
              QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    return bdrv_co_preadv(bs->file, offset, bytes, qiov, flags);
}

static int coroutine_fn GRAPH_RDLOCK
filter_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
               QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    return bdrv_co_pwritev(bs->file, offset, bytes, qiov, flags);
}

static int64_t coroutine_fn GRAPH_RDLOCK
filter_getlength(BlockDriverState *bs)
{
    /* Opened before its child is attached: no length yet. */
    return bs->file ? bdrv_co_getlength(bs->file->bs) : 0;
}

static BlockDriver bdrv_mock_filter = {
    .format_name            = "io-mock-filter",
    .is_filter              = true,
    .bdrv_co_getlength      = filter_getlength,
    .bdrv_co_preadv         = filter_preadv,
    .bdrv_co_pwritev        = filter_pwritev,
    .bdrv_child_perm        = bdrv_default_perms,
};

typedef struct Fixture {
    BlockDriverState *bs;
    BlockBackend *blk;
    BDRVMockState *s;
    uint8_t *ref;               /* what the image should contain */
} Fixture;

static void fixture_open(Fixture *f, MockConfig cfg, int flags)
{
    next_cfg = cfg;
    f->bs = bdrv_new_open_driver(&bdrv_mock, NULL, BDRV_O_RDWR | flags,
                                 &error_abort);
    f->s = mock(f->bs);
    f->blk = blk_new_with_bs(f->bs, BLK_PERM_ALL, BLK_PERM_ALL,
                             &error_abort);
    f->ref = g_memdup2(f->s->data, f->s->size);
}

static void fixture_close(Fixture *f)
{
    blk_unref(f->blk);
    bdrv_unref(f->bs);
    g_free(f->ref);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let deferred releases run */
    }
}

static void assert_image(Fixture *f)
{
    g_assert(memcmp(f->s->data, f->ref, f->s->size) == 0);
}

/* Writes @len bytes of @pat at @off through the backend and the model. */
static void write_pattern(Fixture *f, int64_t off, int64_t len, int pat,
                          BdrvRequestFlags flags)
{
    g_autofree uint8_t *buf = g_malloc(len);

    memset(buf, pat, len);
    g_assert_cmpint(blk_pwrite(f->blk, off, len, buf, flags), ==, 0);
    memset(f->ref + off, pat, len);
}

static const MockConfig cfg_512 = { .align = 512 };

/* Unaligned reads come back right; the driver only sees whole blocks. */
static void test_read_unaligned(void)
{
    static const int64_t cases[][2] = {
        { 700, 100 }, { 1, 511 }, { 511, 2 }, { 300, 5000 }, { 1024, 512 },
        { IMG_SIZE - 10, 10 },
    };
    Fixture f;
    int i;

    fixture_open(&f, cfg_512, 0);
    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        int64_t off = cases[i][0], len = cases[i][1];
        g_autofree uint8_t *buf = g_malloc(len);

        g_assert_cmpint(blk_pread(f.blk, off, len, buf, 0), ==, 0);
        g_assert(memcmp(buf, f.ref + off, len) == 0);
    }
    fixture_close(&f);
}

/* Unaligned writes: read-modify-write of the partial blocks. */
static void test_write_rmw(void)
{
    Fixture f;

    fixture_open(&f, cfg_512, 0);

    /* Inside one block: one read, one whole-block write. */
    write_pattern(&f, 1000, 10, 0xaa, 0);
    g_assert_cmpint(f.s->reads, ==, 1);
    g_assert_cmpint(f.s->writes, ==, 1);
    assert_image(&f);

    /* Head and tail in different blocks: two reads, one write. */
    f.s->reads = f.s->writes = 0;
    write_pattern(&f, 300, 1000, 0xbb, 0);
    g_assert_cmpint(f.s->reads, ==, 2);
    g_assert_cmpint(f.s->writes, ==, 1);
    assert_image(&f);

    /* Aligned start, unaligned end: only the tail is read. */
    f.s->reads = 0;
    write_pattern(&f, 4096, 700, 0xcc, 0);
    g_assert_cmpint(f.s->reads, ==, 1);
    assert_image(&f);

    /* Aligned: no read at all. */
    f.s->reads = 0;
    write_pattern(&f, 8192, 1024, 0xdd, 0);
    g_assert_cmpint(f.s->reads, ==, 0);
    assert_image(&f);

    fixture_close(&f);
}

/*
 * A vector that is already IOV_MAX long has no room for the padding
 * elements: the core goes through a bounce buffer instead.
 */
static void test_pad_iov_max(void)
{
    const int elem = 4;
    g_autofree uint8_t *buf = g_malloc(IOV_MAX * elem);
    g_autofree struct iovec *iov = g_new(struct iovec, IOV_MAX);
    QEMUIOVector qiov;
    Fixture f;
    int i;

    for (i = 0; i < IOV_MAX; i++) {
        iov[i] = (struct iovec) { .iov_base = buf + i * elem,
                                  .iov_len = elem };
    }
    qemu_iovec_init_external(&qiov, iov, IOV_MAX);

    fixture_open(&f, cfg_512, 0);
    memset(buf, 0x77, IOV_MAX * elem);
    g_assert_cmpint(blk_pwritev(f.blk, 3, IOV_MAX * elem, &qiov, 0), ==, 0);
    memset(f.ref + 3, 0x77, IOV_MAX * elem);
    assert_image(&f);

    memset(buf, 0, IOV_MAX * elem);
    g_assert_cmpint(blk_preadv(f.blk, 1, IOV_MAX * elem, &qiov, 0), ==, 0);
    g_assert(memcmp(buf, f.ref + 1, IOV_MAX * elem) == 0);
    fixture_close(&f);
}

/* max_transfer splits requests; FUA goes with the last piece only. */
static void test_max_transfer(void)
{
    MockConfig cfg = { .align = 512, .max_transfer = 4096, .has_fua = true };
    g_autofree uint8_t *buf = g_malloc(10240);
    Fixture f;

    fixture_open(&f, cfg, 0);
    write_pattern(&f, 0, 10240, 0x11, BDRV_REQ_FUA);
    g_assert_cmpint(f.s->writes, ==, 3);
    g_assert_cmpint(f.s->fua_writes, ==, 1);
    g_assert_cmpint(f.s->flushes, ==, 0);
    g_assert_cmpint(f.s->max_seen, ==, 4096);
    assert_image(&f);

    g_assert_cmpint(blk_pread(f.blk, 100, 10000, buf, 0), ==, 0);
    g_assert(memcmp(buf, f.ref + 100, 10000) == 0);
    fixture_close(&f);
}

/* A driver without FUA gets a flush after the write instead. */
static void test_fua_emulated(void)
{
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    write_pattern(&f, 0, 512, 0x22, BDRV_REQ_FUA);
    g_assert_cmpint(f.s->fua_writes, ==, 0);
    g_assert_cmpint(f.s->flushes, ==, 1);
    write_pattern(&f, 512, 512, 0x22, 0);
    g_assert_cmpint(f.s->flushes, ==, 1);
    fixture_close(&f);
}

/*
 * Zero writes: unaligned ends are rewritten as data, pieces that do not
 * fit pwrite_zeroes_alignment fall back to writing zeroes, the rest goes
 * to the driver in max_pwrite_zeroes pieces.
 */
static void test_zeroes_align(void)
{
    MockConfig cfg = { .align = 512, .zero_align = 4096, .max_zeroes = 8192,
                       .has_zeroes = true };
    Fixture f;

    fixture_open(&f, cfg, 0);
    g_assert_cmpint(blk_pwrite_zeroes(f.blk, 1000, 19000, 0), ==, 0);
    memset(f.ref + 1000, 0, 19000);
    assert_image(&f);
    /* Unaligned with NO_FALLBACK: refused rather than padded. */
    g_assert_cmpint(blk_pwrite_zeroes(f.blk, 24576 + 1, 4096,
                                      BDRV_REQ_NO_FALLBACK), ==, -ENOTSUP);
    assert_image(&f);
    /* [4096, 16384) in 8192 + 4096, both aligned. */
    g_assert_cmpint(f.s->zero_calls, ==, 2);
    /* [1024, 4096) and [16384, 19968) refused, then written as data. */
    g_assert_cmpint(f.s->zero_refused, ==, 2);
    /* Partial head and tail blocks: read once each. */
    g_assert_cmpint(f.s->reads, ==, 2);
    fixture_close(&f);
}

/* Without a native zero write, NO_FALLBACK fails instead of writing. */
static void test_zeroes_no_fallback(void)
{
    MockConfig cfg = { .align = 512 };
    Fixture f;

    fixture_open(&f, cfg, 0);
    g_assert_cmpint(blk_pwrite_zeroes(f.blk, 0, 4096, BDRV_REQ_NO_FALLBACK),
                    ==, -ENOTSUP);
    assert_image(&f);
    g_assert_cmpint(f.s->writes, ==, 0);

    g_assert_cmpint(blk_pwrite_zeroes(f.blk, 0, 4096, 0), ==, 0);
    memset(f.ref, 0, 4096);
    assert_image(&f);
    g_assert_cmpint(f.s->writes, ==, 1);
    fixture_close(&f);
}

/* detect-zeroes turns zero data into zero writes (MAY_UNMAP for unmap). */
static void test_detect_zeroes(void)
{
    MockConfig cfg = { .align = 512, .has_zeroes = true };
    Fixture f;

    fixture_open(&f, cfg, BDRV_O_UNMAP);

    write_pattern(&f, 0, 4096, 0, 0);
    g_assert_cmpint(f.s->zero_calls, ==, 0);
    g_assert_cmpint(f.s->writes, ==, 1);

    f.bs->detect_zeroes = BLOCKDEV_DETECT_ZEROES_OPTIONS_ON;
    write_pattern(&f, 4096, 4096, 0, 0);
    g_assert_cmpint(f.s->zero_calls, ==, 1);
    g_assert_cmpint(f.s->last_zero_flags & BDRV_REQ_MAY_UNMAP, ==, 0);
    write_pattern(&f, 8192, 4096, 5, 0);
    g_assert_cmpint(f.s->writes, ==, 2);

    f.bs->detect_zeroes = BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP;
    write_pattern(&f, 12288, 4096, 0, 0);
    g_assert_cmpint(f.s->zero_calls, ==, 2);
    g_assert_cmpint(f.s->last_zero_flags & BDRV_REQ_MAY_UNMAP, ==,
                    BDRV_REQ_MAY_UNMAP);
    assert_image(&f);
    fixture_close(&f);
}

/* Discard: dropped without discard=unmap; split along its alignment. */
static void test_discard(void)
{
    MockConfig cfg = { .align = 512, .discard_align = 4096 };
    Fixture f;

    fixture_open(&f, cfg, 0);
    g_assert_cmpint(blk_pdiscard(f.blk, 0, 8192), ==, 0);
    g_assert_cmpint(f.s->discards, ==, 0);
    assert_image(&f);
    fixture_close(&f);

    fixture_open(&f, cfg, BDRV_O_UNMAP);
    /* Only [4096, 12288) is aligned; the unaligned ends are skipped. */
    g_assert_cmpint(blk_pdiscard(f.blk, 1024, 12800), ==, 0);
    g_assert_cmpint(f.s->discards, ==, 1);
    g_assert_cmpint(f.s->discarded, ==, 8192);
    memset(f.ref + 4096, 0, 8192);
    assert_image(&f);
    fixture_close(&f);
}

typedef struct WriteCo {
    BlockBackend *blk;
    int64_t offset, bytes;
    BdrvRequestFlags flags;
    int pat;
    int ret;
    bool done;
} WriteCo;

static void coroutine_fn write_co_entry(void *opaque)
{
    WriteCo *w = opaque;
    g_autofree uint8_t *buf = g_malloc(w->bytes);

    memset(buf, w->pat, w->bytes);
    w->ret = blk_co_pwrite(w->blk, w->offset, w->bytes, buf, w->flags);
    w->done = true;
}

static void start_write(WriteCo *w, Fixture *f, int64_t offset,
                        int64_t bytes, int pat, BdrvRequestFlags flags)
{
    *w = (WriteCo) { .blk = f->blk, .offset = offset, .bytes = bytes,
                     .pat = pat, .flags = flags };
    qemu_coroutine_enter(qemu_coroutine_create(write_co_entry, w));
}

static void release_held(Fixture *f)
{
    g_assert(f->s->held);
    aio_co_wake(f->s->held);
}

static void poll_until(bool *done)
{
    while (!*done) {
        aio_poll(qemu_get_aio_context(), true);
    }
}

/*
 * An unaligned write holds its blocks: an overlapping write waits until
 * it is done, a write elsewhere does not.
 */
static void test_serialise_rmw(void)
{
    WriteCo a, b, c;
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    f.s->hold_writes = true;
    start_write(&a, &f, 100, 100, 0x1a, 0);
    g_assert(!a.done && f.s->held);

    /* Same block: must wait for a. */
    start_write(&b, &f, 0, 512, 0x2b, 0);
    g_assert(!b.done);
    /* Another block: goes ahead. */
    start_write(&c, &f, 4096, 512, 0x3c, 0);
    g_assert(c.done && c.ret == 0);

    release_held(&f);
    poll_until(&a.done);
    poll_until(&b.done);
    g_assert_cmpint(a.ret, ==, 0);
    g_assert_cmpint(b.ret, ==, 0);
    /* c, then a, then b. */
    g_assert_cmpint(f.s->n_order, ==, 3);
    g_assert_cmpint(f.s->write_order[0], ==, 4096);
    g_assert_cmpint(f.s->write_order[1], ==, 0);
    g_assert_cmpint(f.s->write_order[2], ==, 0);
    g_assert_cmpint(f.s->data[150], ==, 0x2b);
    fixture_close(&f);
}

/* BDRV_REQ_SERIALISING waits; with NO_WAIT it fails with -EBUSY. */
static void test_serialise_flag(void)
{
    WriteCo a, b, c;
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    f.s->hold_writes = true;
    start_write(&a, &f, 0, 4096, 0x1a, BDRV_REQ_SERIALISING);
    g_assert(!a.done);

    start_write(&c, &f, 1024, 512, 0x3c,
                BDRV_REQ_SERIALISING | BDRV_REQ_NO_WAIT);
    g_assert(c.done);
    g_assert_cmpint(c.ret, ==, -EBUSY);

    start_write(&b, &f, 2048, 512, 0x2b, 0);
    g_assert(!b.done);
    release_held(&f);
    poll_until(&a.done);
    poll_until(&b.done);
    g_assert_cmpint(f.s->data[2048], ==, 0x2b);
    g_assert_cmpint(f.s->data[1024], ==, 0x1a);
    fixture_close(&f);
}

/* Flushes reach the disk only when something was written since. */
static void test_flush_generations(void)
{
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    g_assert_cmpint(blk_flush(f.blk), ==, 0);
    g_assert_cmpint(f.s->flushes, ==, 0);
    write_pattern(&f, 0, 512, 1, 0);
    g_assert_cmpint(blk_flush(f.blk), ==, 0);
    g_assert_cmpint(f.s->flushes, ==, 1);
    g_assert_cmpint(blk_flush(f.blk), ==, 0);
    g_assert_cmpint(f.s->flushes, ==, 1);
    write_pattern(&f, 0, 512, 2, 0);
    g_assert_cmpint(blk_flush(f.blk), ==, 0);
    g_assert_cmpint(f.s->flushes, ==, 2);
    fixture_close(&f);

    /* cache.no-flush: never. */
    fixture_open(&f, cfg_512, BDRV_O_NO_FLUSH);
    write_pattern(&f, 0, 512, 1, 0);
    g_assert_cmpint(blk_flush(f.blk), ==, 0);
    g_assert_cmpint(f.s->flushes, ==, 0);
    fixture_close(&f);
}

typedef struct FlushCo {
    BlockBackend *blk;
    int ret;
    bool done;
} FlushCo;

static void coroutine_fn flush_co_entry(void *opaque)
{
    FlushCo *fc = opaque;

    fc->ret = blk_co_flush(fc->blk);
    fc->done = true;
}

static void start_flush(FlushCo *fc, BlockBackend *blk)
{
    *fc = (FlushCo) { .blk = blk };
    qemu_coroutine_enter(qemu_coroutine_create(flush_co_entry, fc));
}

/*
 * Flushes of one node run one at a time; a queued flush that has nothing
 * newer to cover than the one before it does not reach the disk again.
 */
static void test_flush_queue(void)
{
    FlushCo a, b, c;
    WriteCo w;
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    write_pattern(&f, 0, 512, 1, 0);

    f.s->hold_flush = true;
    start_flush(&a, f.blk);
    g_assert(!a.done && f.s->held);
    start_flush(&b, f.blk);
    g_assert(!b.done);
    release_held(&f);
    poll_until(&a.done);
    poll_until(&b.done);
    g_assert_cmpint(a.ret, ==, 0);
    g_assert_cmpint(b.ret, ==, 0);
    g_assert_cmpint(f.s->flushes, ==, 1);

    /* A write between two flushes makes the second one flush again. */
    write_pattern(&f, 0, 512, 2, 0);
    f.s->hold_flush = true;
    start_flush(&a, f.blk);
    start_write(&w, &f, 512, 512, 3, 0);
    g_assert(w.done);
    start_flush(&c, f.blk);
    release_held(&f);
    poll_until(&a.done);
    poll_until(&c.done);
    g_assert_cmpint(f.s->flushes, ==, 3);
    fixture_close(&f);
}

/* A flush of a filter reaches the child it writes to. */
static void test_flush_children(void)
{
    BlockDriverState *filter, *file;
    BlockBackend *blk;
    uint8_t buf[512] = { 0 };

    next_cfg = cfg_512;
    file = bdrv_new_open_driver(&bdrv_mock, NULL, BDRV_O_RDWR, &error_abort);
    filter = bdrv_new_open_driver(&bdrv_mock_filter, "filter", BDRV_O_RDWR,
                                  &error_abort);
    bdrv_graph_wrlock();
    g_assert(bdrv_attach_child(filter, file, "file", &child_of_bds,
                               BDRV_CHILD_FILTERED | BDRV_CHILD_PRIMARY,
                               &error_abort));
    bdrv_refresh_limits(filter, NULL, &error_abort);
    bdrv_graph_wrunlock();
    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_refresh_total_sectors(filter, 0), ==, 0);
    bdrv_graph_rdunlock_main_loop();

    blk = blk_new_with_bs(filter, BLK_PERM_ALL, BLK_PERM_ALL, &error_abort);
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    g_assert_cmpint(mock(file)->flushes, ==, 1);
    blk_unref(blk);
    bdrv_unref(filter);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let deferred releases run */
    }
}

static void test_truncate(void)
{
    Error *err = NULL;
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    g_assert_cmpint(blk_truncate(f.blk, 2 * IMG_SIZE, true,
                                 PREALLOC_MODE_FALLOC, 0, &error_abort),
                    ==, 0);
    g_assert_cmpint(f.s->last_prealloc, ==, PREALLOC_MODE_FALLOC);
    g_assert_cmpint(bdrv_getlength(f.bs), ==, 2 * IMG_SIZE);
    g_assert_cmpint(blk_truncate(f.blk, -1, true, PREALLOC_MODE_OFF, 0,
                                 &err), ==, -EINVAL);
    error_free_or_abort(&err);
    g_assert_cmpint(blk_truncate(f.blk, 4096, true, PREALLOC_MODE_OFF, 0,
                                 &error_abort), ==, 0);
    g_assert_cmpint(bdrv_getlength(f.bs), ==, 4096);
    fixture_close(&f);
}

/*
 * Growing a node whose backing file is longer than it asks the driver to
 * zero the new area (the backing data must not show through).
 */
static void test_truncate_backing(void)
{
    BlockDriverState *top, *base;

    next_cfg = cfg_512;
    top = bdrv_new_open_driver(&bdrv_mock_fmt, "top", BDRV_O_RDWR,
                               &error_abort);
    base = bdrv_new_open_driver(&bdrv_mock_fmt, "base", BDRV_O_RDWR,
                                &error_abort);
    bdrv_drained_begin(top);
    bdrv_graph_wrlock();
    bdrv_set_backing_hd(top, base, &error_abort);
    bdrv_graph_wrunlock();
    bdrv_drained_end(top);
    bdrv_unref(base);

    {
        BlockBackend *blk = blk_new_with_bs(top, BLK_PERM_ALL, BLK_PERM_ALL,
                                            &error_abort);

        /* Shrink below the backing size, then grow again. */
        g_assert_cmpint(blk_truncate(blk, 4096, true, PREALLOC_MODE_OFF, 0,
                                     &error_abort), ==, 0);
        g_assert_cmpint(mock(top)->last_truncate_flags, ==, 0);
        g_assert_cmpint(blk_truncate(blk, 8192, true, PREALLOC_MODE_OFF, 0,
                                     &error_abort), ==, 0);
        g_assert_cmpint(mock(top)->last_truncate_flags, ==,
                        BDRV_REQ_ZERO_WRITE);
        /* Past the end of the backing file nothing can show through. */
        g_assert_cmpint(blk_truncate(blk, 2 * IMG_SIZE, true,
                                     PREALLOC_MODE_OFF, 0, &error_abort),
                        ==, 0);
        g_assert_cmpint(mock(top)->last_truncate_flags, ==,
                        BDRV_REQ_ZERO_WRITE);
        g_assert_cmpint(blk_truncate(blk, 3 * IMG_SIZE, true,
                                     PREALLOC_MODE_OFF, 0, &error_abort),
                        ==, 0);
        g_assert_cmpint(mock(top)->last_truncate_flags, ==, 0);
        blk_unref(blk);
    }
    bdrv_unref(top);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let deferred releases run */
    }
}

typedef struct CopyCo {
    BlockBackend *in, *out;
    int ret;
    bool done;
} CopyCo;

static void coroutine_fn copy_co_entry(void *opaque)
{
    CopyCo *c = opaque;

    c->ret = blk_co_copy_range(c->in, 0, c->out, 0, 4096, 0, 0);
    c->done = true;
}

/* Without copy_range callbacks an offloaded copy is -ENOTSUP. */
static void test_copy_range_unsupported(void)
{
    Fixture a, b;
    CopyCo c;

    fixture_open(&a, cfg_512, 0);
    fixture_open(&b, cfg_512, 0);
    c = (CopyCo) { .in = a.blk, .out = b.blk };
    qemu_coroutine_enter(qemu_coroutine_create(copy_co_entry, &c));
    poll_until(&c.done);
    g_assert_cmpint(c.ret, ==, -ENOTSUP);
    g_assert_cmpint(b.s->writes, ==, 0);
    fixture_close(&a);
    fixture_close(&b);
}

/*
 * A filter takes its child's transfer and discard limits but keeps its
 * own request alignment; unaligned writes through it are padded below.
 */
static void test_refresh_limits(void)
{
    MockConfig cfg = { .align = 4096, .max_transfer = 65536,
                       .discard_align = 8192 };
    BlockDriverState *filter, *file;
    BlockBackend *blk;
    uint8_t buf[100];

    next_cfg = cfg;
    file = bdrv_new_open_driver(&bdrv_mock, NULL, BDRV_O_RDWR, &error_abort);
    filter = bdrv_new_open_driver(&bdrv_mock_filter, "filter", BDRV_O_RDWR,
                                  &error_abort);
    bdrv_graph_wrlock();
    g_assert(bdrv_attach_child(filter, file, "file", &child_of_bds,
                               BDRV_CHILD_FILTERED | BDRV_CHILD_PRIMARY,
                               &error_abort));
    bdrv_refresh_limits(filter, NULL, &error_abort);
    bdrv_graph_wrunlock();
    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_refresh_total_sectors(filter, 0), ==, 0);
    bdrv_graph_rdunlock_main_loop();

    g_assert_cmpint(filter->bl.request_alignment, ==, 1);
    g_assert_cmpint(filter->bl.max_transfer, ==, 65536);
    g_assert_cmpint(filter->bl.pdiscard_alignment, ==, 8192);
    g_assert_cmpint(file->bl.request_alignment, ==, 4096);

    blk = blk_new_with_bs(filter, BLK_PERM_ALL, BLK_PERM_ALL, &error_abort);
    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 5000, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(mock(file)->reads, ==, 1);
    g_assert_cmpint(mock(file)->data[5000], ==, 0x5a);
    g_assert_cmpint(mock(file)->data[5099], ==, 0x5a);
    g_assert_cmpint(mock(file)->data[5100], ==, (5100 * 7 + 3) & 0xff);
    blk_unref(blk);
    bdrv_unref(filter);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let deferred releases run */
    }
}

/* Bad requests are refused by the core before the driver sees them. */
static void test_bad_input(void)
{
    uint8_t buf[512];
    BdrvChild *child;
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    child = blk_root(f.blk);
    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_pread(child, -512, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(bdrv_pwrite(child, -1, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(bdrv_pread(child, BDRV_MAX_LENGTH, 512, buf, 0), ==,
                    -EIO);
    g_assert_cmpint(bdrv_pwrite_zeroes(child, 0, -5, 0), ==, -EIO);
    bdrv_graph_rdunlock_main_loop();
    g_assert_cmpint(f.s->reads + f.s->writes, ==, 0);
    fixture_close(&f);
}

/* Repeated status queries inside a data region hit the cache. */
static void test_status_cache(void)
{
    MockConfig cfg = { .align = 512, .has_zeroes = true };
    int64_t pnum, map;
    BlockDriverState *file;
    Fixture f;
    int ret;

    fixture_open(&f, cfg, 0);
    ret = bdrv_block_status(f.bs, 0, IMG_SIZE, &pnum, &map, &file);
    g_assert_cmpint(ret & BDRV_BLOCK_DATA, ==, BDRV_BLOCK_DATA);
    g_assert_cmpint(f.s->status_calls, ==, 1);
    ret = bdrv_block_status(f.bs, 8192, 4096, &pnum, &map, &file);
    g_assert_cmpint(ret & BDRV_BLOCK_DATA, ==, BDRV_BLOCK_DATA);
    g_assert_cmpint(pnum, ==, 4096);
    g_assert_cmpint(map, ==, 8192);
    g_assert(file == f.bs);
    g_assert_cmpint(f.s->status_calls, ==, 1);

    /* A zero write may punch a hole: the driver is asked again. */
    g_assert_cmpint(blk_pwrite_zeroes(f.blk, 8192, 4096, 0), ==, 0);
    bdrv_block_status(f.bs, 8192, 4096, &pnum, &map, &file);
    g_assert_cmpint(f.s->status_calls, ==, 2);

    /* Unaligned queries ask the driver about whole blocks. */
    ret = bdrv_block_status(f.bs, 100, 50, &pnum, NULL, NULL);
    g_assert_cmpint(ret & BDRV_BLOCK_DATA, ==, BDRV_BLOCK_DATA);
    g_assert_cmpint(pnum, ==, 50);
    fixture_close(&f);

    /*
     * A driver whose answer for the widened range ends before the
     * offset asked about is asked again about the exact range.
     */
    cfg.status_run = 100;
    fixture_open(&f, cfg, 0);
    ret = bdrv_block_status(f.bs, 200, 1000, &pnum, &map, NULL);
    g_assert_cmpint(ret & BDRV_BLOCK_DATA, ==, BDRV_BLOCK_DATA);
    g_assert_cmpint(pnum, ==, 100);
    g_assert_cmpint(map, ==, 200);
    fixture_close(&f);
}

static int hook_calls;
static uint64_t hook_exceeded, hook_threshold;

static void threshold_hook(BlockDriverState *bs, uint64_t exceeded,
                           uint64_t threshold, void *opaque)
{
    hook_calls++;
    hook_exceeded = exceeded;
    hook_threshold = threshold;
}

static void test_write_threshold(void)
{
    Fixture f;

    fixture_open(&f, cfg_512, 0);
    bdrv_write_threshold_set_hook(threshold_hook, NULL);
    bdrv_write_threshold_set(f.bs, 8192);
    g_assert_cmpint(bdrv_write_threshold_get(f.bs), ==, 8192);

    write_pattern(&f, 0, 8192, 1, 0);
    g_assert_cmpint(hook_calls, ==, 0);
    write_pattern(&f, 6144, 4096, 2, 0);
    g_assert_cmpint(hook_calls, ==, 1);
    g_assert_cmpint(hook_exceeded, ==, 6144 + 4096 - 8192);
    g_assert_cmpint(hook_threshold, ==, 8192);
    /* Fired once, then disarmed. */
    g_assert_cmpint(bdrv_write_threshold_get(f.bs), ==, 0);
    write_pattern(&f, 12288, 4096, 3, 0);
    g_assert_cmpint(hook_calls, ==, 1);
    g_assert_cmpint(stat64_get(&f.bs->wr_highest_offset), ==, 16384);

    bdrv_write_threshold_set_hook(NULL, NULL);
    fixture_close(&f);
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/bdrv-io/read-unaligned", test_read_unaligned);
    g_test_add_func("/bdrv-io/write-rmw", test_write_rmw);
    g_test_add_func("/bdrv-io/pad-iov-max", test_pad_iov_max);
    g_test_add_func("/bdrv-io/max-transfer", test_max_transfer);
    g_test_add_func("/bdrv-io/fua-emulated", test_fua_emulated);
    g_test_add_func("/bdrv-io/zeroes-align", test_zeroes_align);
    g_test_add_func("/bdrv-io/zeroes-no-fallback", test_zeroes_no_fallback);
    g_test_add_func("/bdrv-io/detect-zeroes", test_detect_zeroes);
    g_test_add_func("/bdrv-io/discard", test_discard);
    g_test_add_func("/bdrv-io/serialise-rmw", test_serialise_rmw);
    g_test_add_func("/bdrv-io/serialise-flag", test_serialise_flag);
    g_test_add_func("/bdrv-io/flush-generations", test_flush_generations);
    g_test_add_func("/bdrv-io/flush-queue", test_flush_queue);
    g_test_add_func("/bdrv-io/flush-children", test_flush_children);
    g_test_add_func("/bdrv-io/truncate", test_truncate);
    g_test_add_func("/bdrv-io/truncate-backing", test_truncate_backing);
    g_test_add_func("/bdrv-io/copy-range-unsupported",
                    test_copy_range_unsupported);
    g_test_add_func("/bdrv-io/refresh-limits", test_refresh_limits);
    g_test_add_func("/bdrv-io/bad-input", test_bad_input);
    g_test_add_func("/bdrv-io/status-cache", test_status_cache);
    g_test_add_func("/bdrv-io/write-threshold", test_write_threshold);
    return g_test_run();
}
