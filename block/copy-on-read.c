/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/copy-on-read.c: the "copy-on-read" filter.
 *
 * Reads through this filter carry BDRV_REQ_COPY_ON_READ, so that the core
 * writes whatever the read fetched from a backing file into the top image.
 * With "bottom" set, only data that comes from the backing chain down to
 * (and including) the bottom node is copied; data below it stays where it
 * is.  Everything else passes through unchanged.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/module.h"
#include "block/block_int.h"
#include "block/copy-on-read.h"

typedef struct BDRVCopyOnReadState {
    /* Copy only what lies above this node (NULL: copy everything). */
    BlockDriverState *bottom_bs;
    /* The chain down to bottom_bs is frozen while we rely on it. */
    bool chain_frozen;
} BDRVCopyOnReadState;

static int cor_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVCopyOnReadState *s = bs->opaque;
    const char *bottom_node = qdict_get_try_str(options, "bottom");
    BlockDriverState *bottom_bs = NULL;
    int ret;

    ret = bdrv_open_file_child(NULL, options, "file", bs, errp);
    if (ret < 0) {
        return ret;
    }

    bdrv_graph_rdlock_main_loop();
    bs->supported_read_flags = BDRV_REQ_PREFETCH;
    bs->supported_write_flags = BDRV_REQ_WRITE_UNCHANGED |
        (BDRV_REQ_FUA & bs->file->bs->supported_write_flags);
    bs->supported_zero_flags = BDRV_REQ_WRITE_UNCHANGED |
        ((BDRV_REQ_FUA | BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK) &
         bs->file->bs->supported_zero_flags);

    if (bottom_node) {
        bottom_bs = bdrv_find_node(bottom_node);
        if (!bottom_bs) {
            error_setg(errp, "Bottom node '%s' not found", bottom_node);
            ret = -EINVAL;
        } else if (!bdrv_chain_contains(bs, bottom_bs)) {
            error_setg(errp, "Bottom node '%s' is not a backing file of "
                       "the copy-on-read node", bottom_node);
            ret = -EINVAL;
        } else if (bdrv_freeze_backing_chain(bs, bottom_bs, errp) < 0) {
            /* Nobody may change the chain we decide by. */
            ret = -EINVAL;
        } else {
            s->chain_frozen = true;
        }
        qdict_del(options, "bottom");
    }
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        return ret;
    }

    s->bottom_bs = bottom_bs;
    return 0;
}

static void cor_close(BlockDriverState *bs)
{
    BDRVCopyOnReadState *s = bs->opaque;

    if (s->chain_frozen) {
        bdrv_graph_rdlock_main_loop();
        bdrv_unfreeze_backing_chain(bs, s->bottom_bs);
        bdrv_graph_rdunlock_main_loop();
        s->chain_frozen = false;
    }
}

static void GRAPH_RDLOCK
cor_child_perm(BlockDriverState *bs, BdrvChild *c, BdrvChildRole role,
               BlockReopenQueue *reopen_queue, uint64_t perm, uint64_t shared,
               uint64_t *nperm, uint64_t *nshared)
{
    *nperm = perm & DEFAULT_PERM_PASSTHROUGH;
    *nshared = (shared & DEFAULT_PERM_PASSTHROUGH) | DEFAULT_PERM_UNCHANGED;

    /* Copying needs to write unchanged data, unless the node is inactive. */
    if (!(bdrv_get_flags(bs) & BDRV_O_INACTIVE)) {
        *nperm |= BLK_PERM_WRITE_UNCHANGED;
    }
}

static int64_t coroutine_fn GRAPH_RDLOCK cor_co_getlength(BlockDriverState *bs)
{
    return bdrv_co_getlength(bs->file->bs);
}

/*
 * With a bottom node: walk the request in pieces, asking for each whether
 * its data comes from between the top image (exclusive) and the bottom
 * node (inclusive).  Only such pieces are read with COPY_ON_READ; a
 * prefetch of a piece that needs no copy is skipped altogether.
 */
static int coroutine_fn GRAPH_RDLOCK
cor_co_preadv_bottom(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, size_t qiov_offset,
                     BdrvRequestFlags flags)
{
    BDRVCopyOnReadState *s = bs->opaque;
    int ret;

    while (bytes) {
        BdrvRequestFlags piece_flags = flags;
        int64_t n = bytes;

        ret = bdrv_co_is_allocated(bs->file->bs, offset, bytes, &n);
        if (ret <= 0) {
            ret = bdrv_co_is_allocated_above(
                bdrv_backing_chain_next(bs->file->bs), s->bottom_bs, true,
                offset, n, &n);
            /* On error, copy anyway: the read will tell. */
            if (ret != 0) {
                piece_flags |= BDRV_REQ_COPY_ON_READ;
            }
            if (n == 0) {
                break;      /* past the end of the backing files */
            }
        }
        if ((piece_flags & (BDRV_REQ_PREFETCH | BDRV_REQ_COPY_ON_READ)) !=
            BDRV_REQ_PREFETCH) {
            ret = bdrv_co_preadv_part(bs->file, offset, n, qiov, qiov_offset,
                                      piece_flags);
            if (ret < 0) {
                return ret;
            }
        }
        offset += n;
        qiov_offset += n;
        bytes -= n;
    }
    return 0;
}

static int coroutine_fn GRAPH_RDLOCK
cor_co_preadv_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, size_t qiov_offset,
                   BdrvRequestFlags flags)
{
    BDRVCopyOnReadState *s = bs->opaque;

    if (s->bottom_bs) {
        return cor_co_preadv_bottom(bs, offset, bytes, qiov, qiov_offset,
                                    flags);
    }
    return bdrv_co_preadv_part(bs->file, offset, bytes, qiov, qiov_offset,
                               flags | BDRV_REQ_COPY_ON_READ);
}

static int coroutine_fn GRAPH_RDLOCK
cor_co_pwritev_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, size_t qiov_offset,
                    BdrvRequestFlags flags)
{
    return bdrv_co_pwritev_part(bs->file, offset, bytes, qiov, qiov_offset,
                                flags);
}

static int coroutine_fn GRAPH_RDLOCK
cor_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     BdrvRequestFlags flags)
{
    return bdrv_co_pwrite_zeroes(bs->file, offset, bytes, flags);
}

static int coroutine_fn GRAPH_RDLOCK
cor_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    return bdrv_co_pdiscard(bs->file, offset, bytes);
}

static int coroutine_fn GRAPH_RDLOCK
cor_co_block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                    int64_t bytes, int64_t *pnum, int64_t *map,
                    BlockDriverState **file)
{
    *pnum = bytes;
    *map = offset;
    *file = bs->file->bs;
    return BDRV_BLOCK_RAW | BDRV_BLOCK_OFFSET_VALID;
}

static void coroutine_fn GRAPH_RDLOCK
cor_co_eject(BlockDriverState *bs, bool eject_flag)
{
    bdrv_co_eject(bs->file->bs, eject_flag);
}

static void coroutine_fn GRAPH_RDLOCK
cor_co_lock_medium(BlockDriverState *bs, bool locked)
{
    bdrv_co_lock_medium(bs->file->bs, locked);
}

void bdrv_cor_filter_drop(BlockDriverState *cor_filter_bs)
{
    BDRVCopyOnReadState *s = cor_filter_bs->opaque;

    GLOBAL_STATE_CODE();
    /* A frozen chain would make the node replacement fail. */
    if (s->chain_frozen) {
        bdrv_graph_rdlock_main_loop();
        bdrv_unfreeze_backing_chain(cor_filter_bs, s->bottom_bs);
        bdrv_graph_rdunlock_main_loop();
        s->chain_frozen = false;
    }
    bdrv_drop_filter(cor_filter_bs, &error_abort);
}

BlockDriver bdrv_copy_on_read = {
    .format_name                = "copy-on-read",
    .instance_size              = sizeof(BDRVCopyOnReadState),
    .is_filter                  = true,

    .bdrv_open                  = cor_open,
    .bdrv_close                 = cor_close,
    .bdrv_child_perm            = cor_child_perm,

    .bdrv_co_getlength          = cor_co_getlength,
    .bdrv_co_preadv_part        = cor_co_preadv_part,
    .bdrv_co_pwritev_part       = cor_co_pwritev_part,
    .bdrv_co_pwrite_zeroes      = cor_co_pwrite_zeroes,
    .bdrv_co_pdiscard           = cor_co_pdiscard,
    .bdrv_co_block_status       = cor_co_block_status,
    .bdrv_co_eject              = cor_co_eject,
    .bdrv_co_lock_medium        = cor_co_lock_medium,
};

static void bdrv_copy_on_read_init(void)
{
    bdrv_register(&bdrv_copy_on_read);
}

block_init(bdrv_copy_on_read_init);
