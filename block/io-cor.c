/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io-cor.c: copy-on-read in the core request path.
 *
 * A read flagged BDRV_REQ_COPY_ON_READ (set by the copy-on-read filter,
 * or for nodes with copy-on-read users) that finds part of its range not
 * allocated in the node copies those parts up: the range is widened to
 * whole subclusters, each unallocated piece is read into a bounce buffer
 * and written back unchanged.  BDRV_REQ_PREFETCH does the copying without
 * returning data.  Everything else in block/io.c.
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/iov.h"
#include "block/block_int.h"
#include "io-internal.h"
#include "trace/trace-block.h"

/* Largest bounce buffer copy-on-read uses for one piece. */
#define COR_BOUNCE_MAX (16 * 1024 * 1024)

void coroutine_fn bdrv_round_to_subclusters(BlockDriverState *bs,
                                            int64_t offset, int64_t bytes,
                                            int64_t *cluster_offset,
                                            int64_t *cluster_bytes)
{
    BlockDriverInfo bdi;
    int64_t c;

    IO_CODE();
    if (bdrv_co_get_info(bs, &bdi) < 0 || bdi.subcluster_size <= 0) {
        *cluster_offset = offset;
        *cluster_bytes = bytes;
        return;
    }
    c = bdi.subcluster_size;
    *cluster_offset = QEMU_ALIGN_DOWN(offset, c);
    *cluster_bytes = QEMU_ALIGN_UP(offset + bytes, c) - *cluster_offset;
}

/*
 * Copies one unallocated piece [@start, @start + @len) up into @bs
 * through @bounce: read (from the backing chain, via the driver), then
 * written back unchanged.  A piece that reads as zero becomes a zero
 * write when the driver has a cheap one.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_copy_up(BlockDriverState *bs, int64_t start, int64_t len,
                void *bounce)
{
    QEMUIOVector bq;
    int ret;

    qemu_iovec_init_buf(&bq, bounce, len);
    ret = bdrv_driver_preadv(bs, start, len, &bq, 0, 0);
    if (ret < 0) {
        return ret;
    }
    bdrv_co_debug_event(bs, BLKDBG_COR_WRITE);
    if (bs->drv->bdrv_co_pwrite_zeroes && buffer_is_zero(bounce, len)) {
        return bdrv_co_do_pwrite_zeroes(bs, start, len,
                                        BDRV_REQ_WRITE_UNCHANGED);
    }
    /* The data does not change, so writethrough needs no flush here. */
    return bdrv_driver_pwritev(bs, start, len, &bq, 0,
                               BDRV_REQ_WRITE_UNCHANGED);
}

/*
 * Copy-on-read: reads the (sub)cluster-aligned range around the request
 * piece by piece.  Pieces not allocated in @bs are copied up (and the
 * caller's part of them taken from the bounce buffer, so that a caller
 * scribbling over its buffer cannot corrupt the image); allocated pieces
 * are read straight into @qiov.  With BDRV_REQ_PREFETCH nothing is
 * returned to the caller (@qiov may be NULL).
 *
 * This bypasses permissions (the copy is made without a WRITE on @bs).
 * The caller's tracked request is serialising over whole clusters
 * (io.c), so no write to the same clusters runs meanwhile.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_copy_on_readv(BdrvChild *child, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, size_t qiov_offset,
                      BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    int64_t chunk = MIN(bdrv_max_transfer(bs), COR_BOUNCE_MAX);
    bool want_data = qiov && !(flags & BDRV_REQ_PREFETCH);
    /* An inactive node may not be written; nothing to copy then. */
    bool no_copy = bs->open_flags & BDRV_O_INACTIVE;
    int64_t start, len, skip, done = 0;
    void *bounce;
    int ret = 0;

    bdrv_round_to_subclusters(bs, offset, bytes, &start, &len);
    trace_bdrv_co_do_copy_on_readv(bs, offset, bytes, start, len);
    skip = offset - start;
    bounce = qemu_try_blockalign(bs, MIN(len, chunk));
    if (!bounce) {
        return -ENOMEM;
    }

    while (len > 0 && ret >= 0) {
        int64_t pnum = MIN(len, chunk), piece_skip, use;
        int allocated = 1;

        if (!no_copy) {
            allocated = bdrv_co_is_allocated(bs, start, pnum, &pnum);
            if (allocated < 0) {
                /* Treat as unallocated: the read will report the error. */
                allocated = 0;
                pnum = MIN(len, chunk);
            } else if (pnum == 0) {
                break;          /* end of the image inside the cluster */
            }
        }
        piece_skip = MIN(skip, pnum);
        use = MIN(pnum - piece_skip, bytes - done);

        if (!allocated) {
            ret = bdrv_co_copy_up(bs, start, pnum, bounce);
            if (ret >= 0 && want_data && use > 0) {
                qemu_iovec_from_buf(qiov, qiov_offset + done,
                                    (uint8_t *)bounce + piece_skip, use);
            }
        } else if (want_data && use > 0) {
            ret = bdrv_driver_preadv(bs, start + piece_skip, use, qiov,
                                     qiov_offset + done, 0);
        }
        start += pnum;
        len -= pnum;
        skip -= piece_skip;
        done += MAX(use, 0);
    }

    /* Past the end of the image reads as zeroes, as without COR. */
    if (ret >= 0 && want_data && done < bytes) {
        qemu_iovec_memset(qiov, qiov_offset + done, 0, bytes - done);
    }
    qemu_vfree(bounce);
    return ret < 0 ? ret : 0;
}

/*
 * Read entry below the tracked request: copy-on-read when asked for and
 * something in the range is not allocated in @child's node yet.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_preadv_cor(BdrvChild *child, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, size_t qiov_offset,
                      BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;

    if (flags & BDRV_REQ_COPY_ON_READ) {
        int64_t pnum;
        int ret = bdrv_co_is_allocated(bs, offset, bytes, &pnum);

        if (ret < 0) {
            return ret;
        }
        if (!ret || pnum != bytes) {
            return bdrv_co_copy_on_readv(child, offset, bytes, qiov,
                                         qiov_offset, flags);
        }
        if (flags & BDRV_REQ_PREFETCH) {
            return 0;   /* all there already, and no data wanted */
        }
    } else if ((flags & BDRV_REQ_PREFETCH) &&
               !(bs->supported_read_flags & BDRV_REQ_PREFETCH)) {
        return 0;       /* nothing to fetch into, nothing to return */
    }
    /* A driver that takes PREFETCH (the copy-on-read filter) gets it. */
    return bdrv_co_do_preadv(child, offset, bytes, qiov, qiov_offset,
                             flags & bs->supported_read_flags &
                             ~BDRV_REQ_COPY_ON_READ);
}
