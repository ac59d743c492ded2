/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block_int-io.h: I/O functions for drivers and the block core: the
 * BdrvChild request entry points drivers use to talk to their children,
 * in-flight accounting, tracked-request helpers, and the helpers that
 * find a node's filtered / COW / primary child.  All thread-safe
 * (IO_CODE()), in the node's AioContext or a coroutine.
 */
#ifndef BLOCK_INT_IO_H
#define BLOCK_INT_IO_H

#include "block/block_int-common.h"
#include "qemu/iov.h"

/* The snapshot-access interface of the child (see BlockDriver). */
int coroutine_fn GRAPH_RDLOCK bdrv_co_preadv_snapshot(BdrvChild *child,
    int64_t offset, int64_t bytes, QEMUIOVector *qiov, size_t qiov_offset);
int coroutine_fn GRAPH_RDLOCK bdrv_co_snapshot_block_status(
    BlockDriverState *bs, bool want_zero, int64_t offset, int64_t bytes,
    int64_t *pnum, int64_t *map, BlockDriverState **file);
int coroutine_fn GRAPH_RDLOCK bdrv_co_pdiscard_snapshot(BlockDriverState *bs,
    int64_t offset, int64_t bytes);

/*
 * Read / write through edge @child: the request is checked, aligned,
 * split, tracked and accounted by the core before the child's driver
 * sees it.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK bdrv_co_preadv(BdrvChild *child,
    int64_t offset, int64_t bytes, QEMUIOVector *qiov,
    BdrvRequestFlags flags);
int coroutine_fn GRAPH_RDLOCK bdrv_co_preadv_part(BdrvChild *child,
    int64_t offset, int64_t bytes,
    QEMUIOVector *qiov, size_t qiov_offset, BdrvRequestFlags flags);
int coroutine_fn GRAPH_RDLOCK bdrv_co_pwritev(BdrvChild *child,
    int64_t offset, int64_t bytes, QEMUIOVector *qiov,
    BdrvRequestFlags flags);
int coroutine_fn GRAPH_RDLOCK bdrv_co_pwritev_part(BdrvChild *child,
    int64_t offset, int64_t bytes,
    QEMUIOVector *qiov, size_t qiov_offset, BdrvRequestFlags flags);

/* Linear-buffer forms of the above. */
static inline int coroutine_fn GRAPH_RDLOCK
bdrv_co_pread(BdrvChild *child, int64_t offset, int64_t bytes, void *buf,
              BdrvRequestFlags flags)
{
    QEMUIOVector qiov = QEMU_IOVEC_INIT_BUF(qiov, buf, bytes);
    IO_CODE();

    return bdrv_co_preadv(child, offset, bytes, &qiov, flags);
}

static inline int coroutine_fn GRAPH_RDLOCK
bdrv_co_pwrite(BdrvChild *child, int64_t offset, int64_t bytes,
               const void *buf, BdrvRequestFlags flags)
{
    QEMUIOVector qiov = QEMU_IOVEC_INIT_BUF(qiov, buf, bytes);
    IO_CODE();

    return bdrv_co_pwritev(child, offset, bytes, &qiov, flags);
}

/*
 * Requests in flight on @bs.  Drain waits until the count is zero;
 * bdrv_dec_in_flight() wakes pollers (bdrv_wakeup()).
 */
void bdrv_inc_in_flight(BlockDriverState *bs);
void bdrv_dec_in_flight(BlockDriverState *bs);

/* Wake whoever polls in BDRV_POLL_WHILE on @bs. */
void bdrv_wakeup(BlockDriverState *bs);

/* Driver-side halves of bdrv_co_copy_range() (see BlockDriver). */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_copy_range_from(BdrvChild *src, int64_t src_offset,
                        BdrvChild *dst, int64_t dst_offset,
                        int64_t bytes, BdrvRequestFlags read_flags,
                        BdrvRequestFlags write_flags);
int coroutine_fn GRAPH_RDLOCK
bdrv_co_copy_range_to(BdrvChild *src, int64_t src_offset,
                      BdrvChild *dst, int64_t dst_offset,
                      int64_t bytes, BdrvRequestFlags read_flags,
                      BdrvRequestFlags write_flags);

/*
 * Re-read the length from the driver into bs->total_sectors (@hint: the
 * length in sectors if the driver cannot tell).  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_refresh_total_sectors(BlockDriverState *bs, int64_t hint);

int co_wrapper_mixed_bdrv_rdlock
bdrv_refresh_total_sectors(BlockDriverState *bs, int64_t hint);

/*
 * VM state of internal snapshots at byte @pos: the driver's
 * .bdrv_co_load_vmstate / .bdrv_co_save_vmstate, or the primary child's.
 * 0 or -errno (-ENOTSUP if nothing below stores VM state).
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_readv_vmstate(BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);
int coroutine_fn GRAPH_RDLOCK
bdrv_co_writev_vmstate(BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);

/* The tracked request of the calling coroutine on @bs, or NULL. */
BdrvTrackedRequest *coroutine_fn bdrv_co_get_self_request(
    BlockDriverState *bs);

/*
 * Make @req serialising with alignment @align and wait for overlapping
 * requests.  Returns true if it had to wait.
 */
bool coroutine_fn bdrv_make_request_serialising(BdrvTrackedRequest *req,
                                                uint64_t align);

/* As bdrv_check_request(), also refusing more than BDRV_REQUEST_MAX_BYTES. */
int bdrv_check_request32(int64_t offset, int64_t bytes,
                         QEMUIOVector *qiov, size_t qiov_offset);

/* Name of @bs's first parent that has one (a BB name), or NULL. */
const char * GRAPH_RDLOCK bdrv_get_parent_name(const BlockDriverState *bs);

/* Mark [offset, offset + bytes) dirty in all of @bs's enabled bitmaps. */
void bdrv_set_dirty(BlockDriverState *bs, int64_t offset, int64_t bytes);

/*
 * Block-status cache of protocol nodes (bs->block_status_cache):
 * bdrv_bsc_is_data() answers from it (setting *pnum), _invalidate_range
 * forgets any overlapping entry, _fill records a data region.
 */
bool bdrv_bsc_is_data(BlockDriverState *bs, int64_t offset, int64_t *pnum);
void bdrv_bsc_invalidate_range(BlockDriverState *bs,
                               int64_t offset, int64_t bytes);
void bdrv_bsc_fill(BlockDriverState *bs, int64_t offset, int64_t bytes);

/*
 * Children by role.  "COW" is the backing child; "filtered" is the
 * child a filter presents; "filter_or_cow" either one; "primary" the
 * child with BDRV_CHILD_PRIMARY; "file" the DATA/METADATA non-COW one.
 * Each returns NULL when there is none; the _bs forms return the node.
 */
BdrvChild * GRAPH_RDLOCK bdrv_cow_child(BlockDriverState *bs);
BdrvChild * GRAPH_RDLOCK bdrv_filter_child(BlockDriverState *bs);
BdrvChild * GRAPH_RDLOCK bdrv_filter_or_cow_child(BlockDriverState *bs);
BdrvChild * GRAPH_RDLOCK bdrv_primary_child(BlockDriverState *bs);
BlockDriverState * GRAPH_RDLOCK bdrv_skip_filters(BlockDriverState *bs);
BlockDriverState * GRAPH_RDLOCK bdrv_backing_chain_next(BlockDriverState *bs);
BlockDriverState * GRAPH_RDLOCK
bdrv_skip_implicit_filters(BlockDriverState *bs);

static inline BlockDriverState * GRAPH_RDLOCK
bdrv_cow_bs(BlockDriverState *bs)
{
    IO_CODE();
    return child_bs(bdrv_cow_child(bs));
}

static inline BlockDriverState * GRAPH_RDLOCK
bdrv_filter_bs(BlockDriverState *bs)
{
    IO_CODE();
    return child_bs(bdrv_filter_child(bs));
}

static inline BlockDriverState * GRAPH_RDLOCK
bdrv_filter_or_cow_bs(BlockDriverState *bs)
{
    IO_CODE();
    return child_bs(bdrv_filter_or_cow_child(bs));
}

static inline BlockDriverState * GRAPH_RDLOCK
bdrv_primary_bs(BlockDriverState *bs)
{
    IO_CODE();
    return child_bs(bdrv_primary_child(bs));
}

/* Does @bs have a tray the user can open (CD-ROM device)? */
bool blk_dev_has_tray(BlockBackend *blk);
bool blk_dev_is_tray_open(BlockBackend *blk);

#endif /* BLOCK_INT_IO_H */
