/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/blkverify.c: the "blkverify" checking filter.
 *
 * blkverify drives two children with the same requests: "test", the image
 * under test (any format), and "raw", a raw copy of what the guest should
 * see.  Reads are compared byte for byte and the return values of every
 * request must agree; on the first difference the process prints what
 * differed and exits with status 1.  Reads are answered from the test
 * image.  Filename syntax: "blkverify:raw_path:test_path".
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "block/block_int.h"

typedef struct BDRVBlkverifyState {
    BdrvChild *test_file;       /* the raw copy is bs->file */
} BDRVBlkverifyState;

/* One request, as issued to both children. */
typedef struct BlkverifyRequest {
    Coroutine *co;
    BlockDriverState *bs;
    bool is_write;
    int64_t offset;
    int64_t bytes;
    BdrvRequestFlags flags;
    QEMUIOVector *qiov;         /* the caller's (answered from test) */
    QEMUIOVector *raw_qiov;     /* reads: a private buffer for raw */
    int ret;                    /* of the test child */
    int raw_ret;                /* of the raw child */
    int done;                   /* children finished so far */
    bool waiting;               /* @co yielded until both are done */
} BlkverifyRequest;

static void G_GNUC_PRINTF(2, 3) G_NORETURN
blkverify_err(BlkverifyRequest *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fprintf(stderr, "blkverify: %s offset=%" PRId64 " bytes=%" PRId64 " ",
            r->is_write ? "write" : "read", r->offset, r->bytes);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

static QemuOptsList runtime_opts = {
    .name = "blkverify",
    .head = QTAILQ_HEAD_INITIALIZER(runtime_opts.head),
    .desc = {
        {
            .name = "x-raw",
            .type = QEMU_OPT_STRING,
            .help = "[internal use only, will be removed]",
        },
        {
            .name = "x-image",
            .type = QEMU_OPT_STRING,
            .help = "[internal use only, will be removed]",
        },
        { /* end of list */ }
    },
};

static void blkverify_parse_filename(const char *filename, QDict *options,
                                     Error **errp)
{
    const char *colon;

    if (!strstart(filename, "blkverify:", &filename)) {
        /* No prefix: the raw file comes from the options. */
        qdict_put_str(options, "x-image", filename);
        return;
    }
    colon = strchr(filename, ':');
    if (!colon) {
        error_setg(errp, "blkverify requires raw copy and original image "
                   "path");
        return;
    }
    qdict_put(options, "x-raw",
              qstring_from_substr(filename, 0, colon - filename));
    qdict_put_str(options, "x-image", colon + 1);
}

static int blkverify_open(BlockDriverState *bs, QDict *options, int flags,
                          Error **errp)
{
    BDRVBlkverifyState *s = bs->opaque;
    g_autoptr(QemuOpts) opts = NULL;
    int ret;

    opts = qemu_opts_create(&runtime_opts, NULL, 0, &error_abort);
    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        return -EINVAL;
    }

    ret = bdrv_open_file_child(qemu_opt_get(opts, "x-raw"), options, "raw",
                               bs, errp);
    if (ret < 0) {
        return ret;
    }
    s->test_file = bdrv_open_child(qemu_opt_get(opts, "x-image"), options,
                                   "test", bs, &child_of_bds,
                                   BDRV_CHILD_DATA, false, errp);
    if (!s->test_file) {
        return -EINVAL;
    }
    bs->supported_write_flags = BDRV_REQ_WRITE_UNCHANGED;
    bs->supported_zero_flags = BDRV_REQ_WRITE_UNCHANGED;
    return 0;
}

static int64_t coroutine_fn GRAPH_RDLOCK
blkverify_co_getlength(BlockDriverState *bs)
{
    BDRVBlkverifyState *s = bs->opaque;

    return bdrv_co_getlength(s->test_file->bs);
}

/* Body of the coroutine that issues @r on one child (@opaque). */
static void coroutine_fn GRAPH_RDLOCK
blkverify_do_one(BlkverifyRequest *r, BdrvChild *child, bool raw)
{
    QEMUIOVector *qiov = raw && r->raw_qiov ? r->raw_qiov : r->qiov;
    int ret;

    if (r->is_write) {
        ret = bdrv_co_pwritev(child, r->offset, r->bytes, qiov, r->flags);
    } else {
        ret = bdrv_co_preadv(child, r->offset, r->bytes, qiov, r->flags);
    }
    if (raw) {
        r->raw_ret = ret;
    } else {
        r->ret = ret;
    }
    if (++r->done == 2 && r->waiting) {
        aio_co_wake(r->co);
    }
}

static void coroutine_fn blkverify_raw_entry(void *opaque)
{
    BlkverifyRequest *r = opaque;

    /* The parent request holds the reader lock for the whole operation. */
    assume_graph_lock();
    blkverify_do_one(r, r->bs->file, true);
}

static void coroutine_fn blkverify_test_entry(void *opaque)
{
    BlkverifyRequest *r = opaque;
    BDRVBlkverifyState *s = r->bs->opaque;

    assume_graph_lock();
    blkverify_do_one(r, s->test_file, false);
}

/* Run @r on both children concurrently; fail hard if the results differ. */
static int coroutine_fn GRAPH_RDLOCK
blkverify_co_prwv(BlkverifyRequest *r)
{
    Coroutine *raw_co = qemu_coroutine_create(blkverify_raw_entry, r);
    Coroutine *test_co = qemu_coroutine_create(blkverify_test_entry, r);

    r->co = qemu_coroutine_self();
    r->done = 0;
    bdrv_inc_in_flight(r->bs);
    qemu_coroutine_enter(test_co);
    qemu_coroutine_enter(raw_co);
    while (r->done < 2) {
        r->waiting = true;
        qemu_coroutine_yield();
        r->waiting = false;
    }
    bdrv_dec_in_flight(r->bs);

    if (r->ret != r->raw_ret) {
        blkverify_err(r, "return value mismatch %d != %d", r->ret,
                      r->raw_ret);
    }
    return r->ret;
}

static int coroutine_fn GRAPH_RDLOCK
blkverify_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BlkverifyRequest r = {
        .bs = bs, .is_write = false, .offset = offset, .bytes = bytes,
        .flags = flags, .qiov = qiov,
    };
    QEMUIOVector raw_qiov;
    g_autofree void *buf = NULL;
    ssize_t diff;
    int ret;

    buf = qemu_blockalign(bs->file->bs, qiov->size);
    qemu_iovec_init_buf(&raw_qiov, buf, qiov->size);
    r.raw_qiov = &raw_qiov;

    ret = blkverify_co_prwv(&r);
    if (ret >= 0) {
        diff = qemu_iovec_compare(qiov, &raw_qiov);
        if (diff != -1) {
            blkverify_err(&r, "contents mismatch at offset %" PRId64,
                          offset + (int64_t)diff);
        }
    }
    return ret;
}

static int coroutine_fn GRAPH_RDLOCK
blkverify_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BlkverifyRequest r = {
        .bs = bs, .is_write = true, .offset = offset, .bytes = bytes,
        .flags = flags, .qiov = qiov,
    };

    return blkverify_co_prwv(&r);
}

static int coroutine_fn GRAPH_RDLOCK blkverify_co_flush(BlockDriverState *bs)
{
    BDRVBlkverifyState *s = bs->opaque;

    /* The raw copy is only a reference; only the test image must persist. */
    return bdrv_co_flush(s->test_file->bs);
}

static void GRAPH_RDLOCK blkverify_refresh_filename(BlockDriverState *bs)
{
    BDRVBlkverifyState *s = bs->opaque;
    g_autofree char *name = NULL;

    if (bs->file->bs->exact_filename[0] &&
        s->test_file->bs->exact_filename[0]) {
        name = g_strdup_printf("blkverify:%s:%s",
                               bs->file->bs->exact_filename,
                               s->test_file->bs->exact_filename);
        if (strlen(name) < sizeof(bs->exact_filename)) {
            strcpy(bs->exact_filename, name);
        }
    }
}

static char * GRAPH_RDLOCK blkverify_dirname(BlockDriverState *bs,
                                             Error **errp)
{
    /* The two children may live in different directories. */
    error_setg(errp, "Cannot generate a base directory for blkverify nodes");
    return NULL;
}

BlockDriver bdrv_blkverify = {
    .format_name                = "blkverify",
    .protocol_name              = "blkverify",
    .instance_size              = sizeof(BDRVBlkverifyState),
    .is_filter                  = true,

    .bdrv_parse_filename        = blkverify_parse_filename,
    .bdrv_file_open             = blkverify_open,
    .bdrv_child_perm            = bdrv_default_perms,
    .bdrv_refresh_filename      = blkverify_refresh_filename,
    .bdrv_dirname               = blkverify_dirname,

    .bdrv_co_getlength          = blkverify_co_getlength,
    .bdrv_co_preadv             = blkverify_co_preadv,
    .bdrv_co_pwritev            = blkverify_co_pwritev,
    .bdrv_co_flush              = blkverify_co_flush,
};

static void bdrv_blkverify_init(void)
{
    bdrv_register(&bdrv_blkverify);
}

block_init(bdrv_blkverify_init);
