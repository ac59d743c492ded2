/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io-align.c: requests that do not fit bs->bl.request_alignment.
 *
 * Such a request is widened to whole alignment blocks.  A read goes
 * through bounce space for the partial head and tail blocks and copies
 * only the caller's part; a write first reads the partial blocks
 * (read-modify-write) under a serialising tracked request, so that no
 * overlapping request can change them in between, and then writes the
 * whole blocks.  Zero writes zero the partial blocks in memory and write
 * only the aligned middle as zeroes.  The entry points are in io.c.
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "block/block_int.h"
#include "io-internal.h"

bool bdrv_pad_init(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   BdrvRequestPadding *pad)
{
    int64_t align = MAX(bs->bl.request_alignment, 1);
    int64_t end = offset + bytes;

    memset(pad, 0, sizeof(*pad));
    pad->align = align;
    pad->head = offset % align;
    pad->tail = (align - end % align) % align;
    if (!pad->head && !pad->tail) {
        return false;
    }
    pad->start = offset - pad->head;
    pad->total = pad->head + bytes + pad->tail;

    /* One block when the head and tail are the same block. */
    pad->buf_len = (pad->head && pad->tail && pad->total > align) ?
                   2 * align : align;
    /* With only a tail, the tail block is the first one in buf. */
    pad->buf = qemu_blockalign(bs, pad->buf_len);
    pad->tail_buf = pad->buf + pad->buf_len - align;
    return true;
}

int bdrv_pad_qiov(BlockDriverState *bs, BdrvRequestPadding *pad,
                  QEMUIOVector *qiov, size_t qiov_offset, int64_t bytes,
                  bool is_write)
{
    int niov = qemu_iovec_subvec_niov(qiov, qiov_offset, bytes);

    pad->has_qiov = true;
    if (niov + 2 <= IOV_MAX) {
        qemu_iovec_init(&pad->qiov, niov + 2);
        if (pad->head) {
            qemu_iovec_add(&pad->qiov, pad->buf, pad->head);
        }
        qemu_iovec_concat(&pad->qiov, qiov, qiov_offset, bytes);
        if (pad->tail) {
            qemu_iovec_add(&pad->qiov,
                           pad->tail_buf + pad->align - pad->tail, pad->tail);
        }
        return 0;
    }

    /*
     * Two more elements would exceed what one preadv/pwritev takes: go
     * through one bounce buffer for the whole widened range instead.
     */
    pad->bounce = qemu_try_blockalign(bs, pad->total);
    if (!pad->bounce) {
        pad->has_qiov = false;
        return -ENOMEM;
    }
    qemu_iovec_init(&pad->qiov, 1);
    qemu_iovec_add(&pad->qiov, pad->bounce, pad->total);
    if (is_write) {
        memcpy(pad->bounce, pad->buf, pad->head);
        qemu_iovec_to_buf(qiov, qiov_offset, pad->bounce + pad->head, bytes);
        memcpy(pad->bounce + pad->head + bytes,
               pad->tail_buf + pad->align - pad->tail, pad->tail);
    }
    return 0;
}

void bdrv_pad_read_done(BdrvRequestPadding *pad, QEMUIOVector *qiov,
                        size_t qiov_offset, int64_t bytes)
{
    if (pad->bounce) {
        qemu_iovec_from_buf(qiov, qiov_offset, pad->bounce + pad->head,
                            bytes);
    }
}

void bdrv_pad_destroy(BdrvRequestPadding *pad)
{
    if (pad->has_qiov) {
        qemu_iovec_destroy(&pad->qiov);
    }
    qemu_vfree(pad->buf);
    qemu_vfree(pad->bounce);
    memset(pad, 0, sizeof(*pad));
}

/* Head and tail lie in the same single block. */
static bool bdrv_pad_merged(BdrvRequestPadding *pad)
{
    return pad->head && pad->tail && pad->total == pad->align;
}

/* Reads the aligned block at @offset into @buf. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_pad_read_block(BdrvChild *child, int64_t offset, uint8_t *buf,
                    int64_t align)
{
    QEMUIOVector bq;

    qemu_iovec_init_buf(&bq, buf, align);
    return bdrv_co_do_preadv(child, offset, align, &bq, 0, 0);
}

int coroutine_fn GRAPH_RDLOCK
bdrv_pad_rmw_read(BdrvChild *child, BdrvRequestPadding *pad)
{
    int64_t align = pad->align;
    int ret;

    if (pad->head) {
        /* The first block (which may also be the last one). */
        bdrv_co_debug_event(child->bs, BLKDBG_PWRITEV_RMW_HEAD);
        ret = bdrv_pad_read_block(child, pad->start, pad->buf, align);
        if (ret < 0) {
            return ret;
        }
        bdrv_co_debug_event(child->bs, BLKDBG_PWRITEV_RMW_AFTER_HEAD);
    }
    if (pad->tail && !bdrv_pad_merged(pad)) {
        bdrv_co_debug_event(child->bs, BLKDBG_PWRITEV_RMW_TAIL);
        ret = bdrv_pad_read_block(child, pad->start + pad->total - align,
                                  pad->tail_buf, align);
        if (ret < 0) {
            return ret;
        }
        bdrv_co_debug_event(child->bs, BLKDBG_PWRITEV_RMW_AFTER_TAIL);
    }
    return 0;
}

/*
 * One partial block of a zero write: read it, zero [@from, @to) inside
 * it and write it back as data.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_pad_zero_block(BdrvChild *child, BdrvTrackedRequest *req,
                    int64_t block, uint8_t *buf, int64_t align,
                    int64_t from, int64_t to, BdrvRequestFlags flags)
{
    QEMUIOVector bq;
    int ret;

    ret = bdrv_pad_read_block(child, block, buf, align);
    if (ret < 0) {
        return ret;
    }
    memset(buf + from, 0, to - from);
    qemu_iovec_init_buf(&bq, buf, align);
    return bdrv_co_do_pwritev(child, req, block, align, &bq, 0,
                              flags & ~(BDRV_REQ_ZERO_WRITE |
                                        BDRV_REQ_MAY_UNMAP |
                                        BDRV_REQ_NO_FALLBACK));
}

int coroutine_fn GRAPH_RDLOCK
bdrv_pad_zero_pwritev(BdrvChild *child, BdrvTrackedRequest *req,
                      int64_t offset, int64_t bytes, BdrvRequestFlags flags,
                      BdrvRequestPadding *pad)
{
    int64_t align = pad->align;
    int64_t end = offset + bytes;
    int64_t block_end;
    int ret;

    if (pad->head) {
        block_end = pad->start + align;
        ret = bdrv_pad_zero_block(child, req, pad->start, pad->buf, align,
                                  pad->head, MIN(end, block_end) - pad->start,
                                  flags);
        if (ret < 0 || block_end >= end) {
            return ret;
        }
        offset = block_end;
    }

    /* The aligned middle. */
    block_end = QEMU_ALIGN_DOWN(end, align);
    if (block_end > offset) {
        ret = bdrv_co_do_pwritev(child, req, offset, block_end - offset,
                                 NULL, 0, flags);
        if (ret < 0) {
            return ret;
        }
        offset = block_end;
    }

    if (offset < end) {
        assert(pad->tail);
        return bdrv_pad_zero_block(child, req, offset, pad->tail_buf, align,
                                   0, end - offset, flags);
    }
    return 0;
}
