/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/raw-format.c: the "raw" format driver.
 *
 * A raw node shows its file child unchanged, or a window of it chosen with
 * the "offset" and "size" options.  Every request is forwarded with its
 * offset shifted by the window start; nothing is cached.  When the format
 * was probed rather than given, a write must not turn sector 0 into
 * something another format's probe would recognise (-EPERM otherwise).
 * Image creation and measuring defer to the protocol layer.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "bdrv-internal.h"

#define RAW_OPT_OFFSET "offset"

typedef struct BDRVRawState {
    uint64_t offset;
    uint64_t size;
    bool has_size;
} BDRVRawState;

static const char *const raw_strong_runtime_opts[] = {
    RAW_OPT_OFFSET,
    BLOCK_OPT_SIZE,
    NULL
};

static QemuOptsList raw_runtime_opts = {
    .name = "raw",
    .head = QTAILQ_HEAD_INITIALIZER(raw_runtime_opts.head),
    .desc = {
        {
            .name = RAW_OPT_OFFSET,
            .type = QEMU_OPT_SIZE,
            .help = "offset in the disk where the image starts",
        },
        {
            .name = BLOCK_OPT_SIZE,
            .type = QEMU_OPT_SIZE,
            .help = "virtual disk size",
        },
        { /* end of list */ }
    },
};

static QemuOptsList raw_create_opts = {
    .name = "raw-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(raw_create_opts.head),
    .desc = {
        {
            .name = BLOCK_OPT_SIZE,
            .type = QEMU_OPT_SIZE,
            .help = "Virtual disk size"
        },
        { /* end of list */ }
    }
};

/*
 * Parse "offset" and "size" from @options (consuming them) and check them
 * against the length of @file_bs.  Results go to the out parameters only,
 * so reopen can validate before it commits.
 */
static int GRAPH_RDLOCK
raw_read_options(QDict *options, BlockDriverState *file_bs,
                 uint64_t *offset, bool *has_size, uint64_t *size,
                 Error **errp)
{
    QemuOpts *opts;
    int64_t real_size = 0;
    int ret = 0;

    opts = qemu_opts_create(&raw_runtime_opts, NULL, 0, &error_abort);
    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        ret = -EINVAL;
        goto out;
    }

    *offset = qemu_opt_get_size(opts, RAW_OPT_OFFSET, 0);
    *has_size = qemu_opt_find(opts, BLOCK_OPT_SIZE) != NULL;
    *size = qemu_opt_get_size(opts, BLOCK_OPT_SIZE, 0);

    real_size = bdrv_getlength(file_bs);
    if (real_size < 0) {
        error_setg_errno(errp, -real_size, "Could not get image size");
        ret = real_size;
        goto out;
    }

    if (*offset > real_size) {
        error_setg(errp, "Offset (%" PRIu64 ") cannot be greater than "
                   "size of the containing file (%" PRId64 ")",
                   *offset, real_size);
        ret = -EINVAL;
        goto out;
    }
    if (*has_size && (real_size - *offset) < *size) {
        error_setg(errp, "The sum of offset (%" PRIu64 ") and size "
                   "(%" PRIu64 ") has to be smaller or equal to the "
                   " actual size of the containing file (%" PRId64 ")",
                   *offset, *size, real_size);
        ret = -EINVAL;
        goto out;
    }
    if (*has_size && !QEMU_IS_ALIGNED(*size, BDRV_SECTOR_SIZE)) {
        error_setg(errp, "Specified size is not multiple of %llu",
                   BDRV_SECTOR_SIZE);
        ret = -EINVAL;
        goto out;
    }
out:
    qemu_opts_del(opts);
    return ret;
}

static int raw_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVRawState *s = bs->opaque;
    BdrvChildRole role;
    bool has_window;
    int ret;

    /* A node that shows its whole child is a filter of it. */
    has_window = qdict_haskey(options, RAW_OPT_OFFSET) ||
                 qdict_haskey(options, BLOCK_OPT_SIZE);
    role = has_window ? BDRV_CHILD_DATA : BDRV_CHILD_FILTERED;
    if (!bdrv_open_child(NULL, options, "file", bs, &child_of_bds,
                         role | BDRV_CHILD_PRIMARY, false, errp)) {
        return -EINVAL;
    }

    bdrv_graph_rdlock_main_loop();
    ret = raw_read_options(options, bs->file->bs, &s->offset, &s->has_size,
                           &s->size, errp);
    bs->sg = bdrv_is_sg(bs->file->bs);
    if (ret == 0 && bs->sg && (s->offset || s->has_size)) {
        error_setg(errp, "Cannot use offset/size with SCSI generic devices");
        ret = -EINVAL;
    }
    if (ret == 0) {
        bs->supported_write_flags = BDRV_REQ_WRITE_UNCHANGED |
            (BDRV_REQ_FUA & bs->file->bs->supported_write_flags);
        bs->supported_zero_flags = BDRV_REQ_WRITE_UNCHANGED |
            ((BDRV_REQ_FUA | BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK) &
             bs->file->bs->supported_zero_flags);
        bs->supported_truncate_flags = bs->file->bs->supported_truncate_flags &
                                       BDRV_REQ_ZERO_WRITE;
    }
    bdrv_graph_rdunlock_main_loop();
    return ret;
}

static int raw_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    /* Anything is a raw image, but every other format beats this score. */
    return 1;
}

/*
 * Check [*offset, *offset + bytes) against the window and move it into the
 * child's address space.  -ENOSPC for requests beyond the window (the core
 * only knows the node's length, which may have just changed).
 */
static int raw_adjust_offset(BlockDriverState *bs, int64_t *offset,
                             int64_t bytes, bool is_write)
{
    BDRVRawState *s = bs->opaque;

    if (s->has_size && (*offset > s->size || bytes > (s->size - *offset))) {
        return is_write ? -ENOSPC : -EINVAL;
    }
    if (*offset > INT64_MAX - s->offset) {
        return -EINVAL;
    }
    *offset += s->offset;
    return 0;
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
              QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    int ret = raw_adjust_offset(bs, &offset, bytes, false);

    if (ret) {
        return ret;
    }
    BLKDBG_CO_EVENT(bs->file, BLKDBG_READ_AIO);
    return bdrv_co_preadv(bs->file, offset, bytes, qiov, flags);
}

/*
 * For a probed image, would writing @qiov at @offset make sector 0 look like
 * a different format?  Builds the new sector 0 (reading the old one when
 * the write covers it only partly) and probes it.  0 if the write is fine,
 * -EPERM if it would change the format, other -errno on read failure.
 */
static int coroutine_fn GRAPH_RDLOCK
raw_check_probed_write(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov)
{
    g_autofree uint8_t *buf = NULL;
    int64_t start = offset;
    int64_t end = MIN(offset + bytes, BLOCK_PROBE_BUF_SIZE);
    int ret;

    buf = qemu_try_blockalign(bs->file->bs, BLOCK_PROBE_BUF_SIZE);
    if (!buf) {
        return -ENOMEM;
    }
    if (start > 0 || end < BLOCK_PROBE_BUF_SIZE) {
        ret = bdrv_co_pread(bs->file, 0, BLOCK_PROBE_BUF_SIZE, buf, 0);
        if (ret < 0) {
            return ret;
        }
    }
    if (qiov) {
        qemu_iovec_to_buf(qiov, 0, buf + start, end - start);
    } else {
        memset(buf + start, 0, end - start);
    }
    if (bdrv_probe_all(buf, BLOCK_PROBE_BUF_SIZE, NULL) != bs->drv) {
        return -EPERM;
    }
    return 0;
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
               QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    int ret;

    if (bs->probed && offset < BLOCK_PROBE_BUF_SIZE && bytes) {
        ret = raw_check_probed_write(bs, offset, bytes, qiov);
        if (ret < 0) {
            return ret;
        }
    }
    ret = raw_adjust_offset(bs, &offset, bytes, true);
    if (ret) {
        return ret;
    }
    BLKDBG_CO_EVENT(bs->file, BLKDBG_WRITE_AIO);
    return bdrv_co_pwritev(bs->file, offset, bytes, qiov, flags);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                    int64_t bytes, int64_t *pnum, int64_t *map,
                    BlockDriverState **file)
{
    BDRVRawState *s = bs->opaque;

    /* Let the core ask the file node about the same bytes. */
    *pnum = bytes;
    *file = bs->file->bs;
    *map = offset + s->offset;
    return BDRV_BLOCK_RAW | BDRV_BLOCK_OFFSET_VALID;
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     BdrvRequestFlags flags)
{
    int ret;

    if (bs->probed && offset < BLOCK_PROBE_BUF_SIZE && bytes) {
        ret = raw_check_probed_write(bs, offset, bytes, NULL);
        if (ret < 0) {
            return ret;
        }
    }
    ret = raw_adjust_offset(bs, &offset, bytes, true);
    if (ret) {
        return ret;
    }
    return bdrv_co_pwrite_zeroes(bs->file, offset, bytes, flags);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    int ret = raw_adjust_offset(bs, &offset, bytes, true);

    if (ret) {
        return ret;
    }
    return bdrv_co_pdiscard(bs->file, offset, bytes);
}

static int64_t coroutine_fn GRAPH_RDLOCK
raw_co_getlength(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    int64_t len;

    len = bdrv_co_getlength(bs->file->bs);
    if (len < 0) {
        return len;
    }
    /* The file may have shrunk below the window: clamp, never grow. */
    if (len < s->offset) {
        s->size = 0;
    } else if (s->has_size) {
        s->size = MIN(s->size, len - s->offset);
    } else {
        s->size = len - s->offset;
    }
    return s->size;
}

static int64_t coroutine_fn GRAPH_RDLOCK
raw_co_get_allocated_file_size(BlockDriverState *bs)
{
    return bdrv_co_get_allocated_file_size(bs->file->bs);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                PreallocMode prealloc, BdrvRequestFlags flags, Error **errp)
{
    BDRVRawState *s = bs->opaque;

    if (s->has_size) {
        error_setg(errp, "Cannot resize fixed-size raw disks");
        return -ENOTSUP;
    }
    if (INT64_MAX - offset < s->offset) {
        error_setg(errp, "Disk size too large for the chosen offset");
        return -EINVAL;
    }
    s->size = offset;
    return bdrv_co_truncate(bs->file, offset + s->offset, exact, prealloc,
                            flags, errp);
}

static int GRAPH_RDLOCK raw_has_zero_init(BlockDriverState *bs)
{
    return bdrv_has_zero_init(bs->file->bs);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    return bdrv_co_get_info(bs->file->bs, bdi);
}

static void GRAPH_RDLOCK raw_refresh_limits(BlockDriverState *bs,
                                            Error **errp)
{
    if (bs->probed) {
        /* Sector 0 is checked whole; keep writes to it sector-sized. */
        bs->bl.request_alignment = MAX(bs->bl.request_alignment,
                                       BDRV_SECTOR_SIZE);
    }
}

static int raw_reopen_prepare(BDRVReopenState *reopen_state,
                              BlockReopenQueue *queue, Error **errp)
{
    BlockDriverState *bs = reopen_state->bs;
    BDRVRawState *news;
    int ret;

    news = g_new0(BDRVRawState, 1);
    bdrv_graph_rdlock_main_loop();
    ret = raw_read_options(reopen_state->options, bs->file->bs,
                           &news->offset, &news->has_size, &news->size,
                           errp);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        g_free(news);
        return ret;
    }
    reopen_state->opaque = news;
    return 0;
}

static void raw_reopen_commit(BDRVReopenState *state)
{
    BDRVRawState *s = state->bs->opaque;

    memcpy(s, state->opaque, sizeof(*s));
    g_free(state->opaque);
    state->opaque = NULL;
}

static void raw_reopen_abort(BDRVReopenState *state)
{
    g_free(state->opaque);
    state->opaque = NULL;
}

static int coroutine_fn GRAPH_UNLOCKED
raw_co_create_opts(BlockDriver *drv, const char *filename, QemuOpts *opts,
                   Error **errp)
{
    return bdrv_co_create_file(filename, opts, errp);
}

static BlockMeasureInfo *raw_measure(QemuOpts *opts, BlockDriverState *in_bs,
                                     Error **errp)
{
    BlockMeasureInfo *info;
    int64_t required;

    if (in_bs) {
        required = bdrv_getlength(in_bs);
        if (required < 0) {
            error_setg_errno(errp, -required, "Unable to get image size");
            return NULL;
        }
    } else {
        required = ROUND_UP(qemu_opt_get_size_del(opts, BLOCK_OPT_SIZE, 0),
                            BDRV_SECTOR_SIZE);
    }
    info = g_new0(BlockMeasureInfo, 1);
    info->required = required;
    info->fully_allocated = required;
    return info;
}

static void GRAPH_RDLOCK
raw_child_perm(BlockDriverState *bs, BdrvChild *c, BdrvChildRole role,
               BlockReopenQueue *reopen_queue, uint64_t perm, uint64_t shared,
               uint64_t *nperm, uint64_t *nshared)
{
    bdrv_default_perms(bs, c, role, reopen_queue, perm, shared,
                       nperm, nshared);
    /*
     * The defaults ask for WRITE and RESIZE on storage children whenever
     * the node is writable; take them only when a parent really wants them,
     * so that read-only users above raw do not conflict with others.
     */
    *nperm &= ~(BLK_PERM_WRITE | BLK_PERM_RESIZE);
    *nperm |= perm & (BLK_PERM_WRITE | BLK_PERM_RESIZE);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_copy_range_from(BlockDriverState *bs, BdrvChild *src,
                       int64_t src_offset, BdrvChild *dst,
                       int64_t dst_offset, int64_t bytes,
                       BdrvRequestFlags read_flags,
                       BdrvRequestFlags write_flags)
{
    int ret = raw_adjust_offset(bs, &src_offset, bytes, false);

    if (ret) {
        return ret;
    }
    return bdrv_co_copy_range_from(bs->file, src_offset, dst, dst_offset,
                                   bytes, read_flags, write_flags);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_copy_range_to(BlockDriverState *bs, BdrvChild *src,
                     int64_t src_offset, BdrvChild *dst, int64_t dst_offset,
                     int64_t bytes, BdrvRequestFlags read_flags,
                     BdrvRequestFlags write_flags)
{
    int ret = raw_adjust_offset(bs, &dst_offset, bytes, true);

    if (ret) {
        return ret;
    }
    return bdrv_co_copy_range_to(src, src_offset, bs->file, dst_offset,
                                 bytes, read_flags, write_flags);
}

static int GRAPH_RDLOCK raw_probe_blocksizes(BlockDriverState *bs,
                                             BlockSizes *bsz)
{
    BDRVRawState *s = bs->opaque;

    /* A window changes the geometry; only the whole file reports it. */
    if (s->offset || s->has_size) {
        return -ENOTSUP;
    }
    return bdrv_probe_blocksizes(bs->file->bs, bsz);
}

static int raw_probe_geometry(BlockDriverState *bs, HDGeometry *geo)
{
    BDRVRawState *s = bs->opaque;

    if (s->offset || s->has_size) {
        return -ENOTSUP;
    }
    return bdrv_probe_geometry(bs->file->bs, geo);
}

static void coroutine_fn GRAPH_RDLOCK
raw_co_eject(BlockDriverState *bs, bool eject_flag)
{
    bdrv_co_eject(bs->file->bs, eject_flag);
}

static void coroutine_fn GRAPH_RDLOCK
raw_co_lock_medium(BlockDriverState *bs, bool locked)
{
    bdrv_co_lock_medium(bs->file->bs, locked);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_ioctl(BlockDriverState *bs, unsigned long int req, void *buf)
{
    BDRVRawState *s = bs->opaque;

    /* Device commands would address the whole device, not the window. */
    if (s->offset || s->has_size) {
        return -ENOTSUP;
    }
    return bdrv_co_ioctl(bs->file->bs, req, buf);
}

BlockDriver bdrv_raw = {
    .format_name                    = "raw",
    .instance_size                  = sizeof(BDRVRawState),
    .is_format                      = true,
    .supports_zoned_children        = true,
    .strong_runtime_opts            = raw_strong_runtime_opts,
    .mutable_opts                   = raw_strong_runtime_opts,
    .create_opts                    = &raw_create_opts,

    .bdrv_probe                     = raw_probe,
    .bdrv_open                      = raw_open,
    .bdrv_reopen_prepare            = raw_reopen_prepare,
    .bdrv_reopen_commit             = raw_reopen_commit,
    .bdrv_reopen_abort              = raw_reopen_abort,
    .bdrv_child_perm                = raw_child_perm,
    .bdrv_co_create_opts            = raw_co_create_opts,
    .bdrv_measure                   = raw_measure,
    .bdrv_refresh_limits            = raw_refresh_limits,
    .bdrv_has_zero_init             = raw_has_zero_init,
    .bdrv_probe_blocksizes          = raw_probe_blocksizes,
    .bdrv_probe_geometry            = raw_probe_geometry,

    .bdrv_co_preadv                 = raw_co_preadv,
    .bdrv_co_pwritev                = raw_co_pwritev,
    .bdrv_co_pwrite_zeroes          = raw_co_pwrite_zeroes,
    .bdrv_co_pdiscard               = raw_co_pdiscard,
    .bdrv_co_block_status           = raw_co_block_status,
    .bdrv_co_copy_range_from        = raw_co_copy_range_from,
    .bdrv_co_copy_range_to          = raw_co_copy_range_to,
    .bdrv_co_truncate               = raw_co_truncate,
    .bdrv_co_getlength              = raw_co_getlength,
    .bdrv_co_get_allocated_file_size = raw_co_get_allocated_file_size,
    .bdrv_co_get_info               = raw_co_get_info,
    .bdrv_co_eject                  = raw_co_eject,
    .bdrv_co_lock_medium            = raw_co_lock_medium,
    .bdrv_co_ioctl                  = raw_co_ioctl,
};

static void bdrv_raw_init(void)
{
    bdrv_register(&bdrv_raw);
}

block_init(bdrv_raw_init);
