/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io-zero.c: zero writes and discard in the core request path.
 *
 * Zero writes go to the driver in pieces that respect
 * pwrite_zeroes_alignment and max_pwrite_zeroes, falling back to writing
 * a bounce buffer of zeroes when the driver cannot (unless
 * BDRV_REQ_NO_FALLBACK).  detect-zeroes turns data writes that are all
 * zero into zero writes.  Discard is a hint: dropped without
 * discard=unmap, split along pdiscard_alignment and max_pdiscard, and
 * unaligned pieces the driver refuses are skipped.  Requests enter in
 * io.c; unaligned zero writes are padded in io-align.c.
 */

#include "qemu/osdep.h"
#include "trace/trace-block.h"
#include "qemu/iov.h"
#include "block/block_int.h"
#include "io-internal.h"

/* Largest bounce buffer of zeroes used by the fallback. */
#define ZERO_BOUNCE_MAX (16 * 1024 * 1024)

BdrvRequestFlags GRAPH_RDLOCK
bdrv_detect_zeroes(BlockDriverState *bs, QEMUIOVector *qiov,
                   size_t qiov_offset, int64_t bytes, BdrvRequestFlags flags)
{
    if (bs->detect_zeroes == BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF ||
        (flags & BDRV_REQ_ZERO_WRITE) || !qiov ||
        !bs->drv || !bs->drv->bdrv_co_pwrite_zeroes ||
        !qemu_iovec_is_zero(qiov, qiov_offset, bytes)) {
        return flags;
    }
    flags |= BDRV_REQ_ZERO_WRITE;
    if (bs->detect_zeroes == BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP &&
        (bs->open_flags & BDRV_O_UNMAP)) {
        flags |= BDRV_REQ_MAY_UNMAP;
    }
    return flags;
}

/*
 * Length of the next zero-write piece at @offset (@left bytes to go):
 * up to the next @align boundary while unaligned, then whole multiples
 * of @align, then the unaligned rest; never more than @max.
 */
static int64_t zero_piece(int64_t offset, int64_t left, int64_t align,
                          int64_t max)
{
    int64_t head = offset % align;
    int64_t tail = (offset + left) % align;
    int64_t num = left;

    if (head) {
        num = MIN(left, align - head);
    } else if (tail && num > align) {
        num -= tail;
    }
    return MIN(num, max);
}

/*
 * One zero-write piece through the bounce buffer @zeroes, allocated on
 * first use with @size bytes (enough for every later piece).
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_zero_bounce(BlockDriverState *bs, int64_t offset, int64_t num,
                 void **zeroes, int64_t size, BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    assert(num <= size);
    if (!*zeroes) {
        *zeroes = qemu_try_blockalign0(bs, size);
        if (!*zeroes) {
            return -ENOMEM;
        }
    }
    qemu_iovec_init_buf(&qiov, *zeroes, num);
    return bdrv_driver_pwritev(bs, offset, num, &qiov, 0,
                               flags & BDRV_REQ_FUA);
}

int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         BdrvRequestFlags flags)
{
    BlockDriver *drv = bs->drv;
    int64_t align = MAX(MAX(bs->bl.pwrite_zeroes_alignment,
                            bs->bl.request_alignment), 1);
    int64_t max_zeroes = QEMU_ALIGN_DOWN(
        MIN_NON_ZERO((int64_t)bs->bl.max_pwrite_zeroes, INT64_MAX), align);
    int64_t max_bounce = MIN(bdrv_max_transfer(bs), ZERO_BOUNCE_MAX);
    void *zeroes = NULL;
    bool need_flush = false;
    int ret = 0;

    if (!drv) {
        return -ENOMEDIUM;
    }
    if ((flags & ~bs->supported_zero_flags) & BDRV_REQ_NO_FALLBACK) {
        return -ENOTSUP;
    }
    /* The range may become a hole: forget cached "data" there. */
    bdrv_bsc_invalidate_range(bs, offset, bytes);
    max_zeroes = max_zeroes ? max_zeroes : align;

    while (bytes > 0 && ret == 0) {
        int64_t num = zero_piece(offset, bytes, align, max_zeroes);

        ret = -ENOTSUP;
        if (drv->bdrv_co_pwrite_zeroes) {
            ret = drv->bdrv_co_pwrite_zeroes(bs, offset, num,
                                             flags & bs->supported_zero_flags);
            if (ret != -ENOTSUP && (flags & BDRV_REQ_FUA) &&
                !(bs->supported_zero_flags & BDRV_REQ_FUA)) {
                need_flush = true;
            }
        }
        if (ret == -ENOTSUP && !(flags & BDRV_REQ_NO_FALLBACK)) {
            num = MIN(num, max_bounce);
            ret = bdrv_zero_bounce(bs, offset, num, &zeroes,
                                   MIN(bytes, max_bounce), flags);
        }
        offset += num;
        bytes -= num;
    }

    qemu_vfree(zeroes);
    if (ret == 0 && need_flush) {
        ret = bdrv_co_flush_after_write(bs);
    }
    return ret;
}

int coroutine_fn bdrv_co_pwrite_zeroes(BdrvChild *child, int64_t offset,
                                       int64_t bytes, BdrvRequestFlags flags)
{
    IO_CODE();
    trace_bdrv_co_pwrite_zeroes(child->bs, offset, bytes, flags);

    if (!(child->bs->open_flags & BDRV_O_UNMAP)) {
        flags &= ~BDRV_REQ_MAY_UNMAP;
    }
    return bdrv_co_pwritev(child, offset, bytes, NULL,
                           BDRV_REQ_ZERO_WRITE | flags);
}

/* One driver discard call, through whichever callback exists. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_driver_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BlockDriver *drv = bs->drv;

    if (!drv) {
        return -ENOMEDIUM;
    }
    if (drv->bdrv_co_pdiscard) {
        return drv->bdrv_co_pdiscard(bs, offset, bytes);
    } else {
        CoroutineIOCompletion co = { .coroutine = qemu_coroutine_self() };
        BlockAIOCB *acb = drv->bdrv_aio_pdiscard(bs, offset, bytes,
                                                 bdrv_co_io_em_complete, &co);
        return bdrv_co_io_em_wait(acb, &co);
    }
}

/*
 * Length of the next discard piece: the unaligned head up to the next
 * @align boundary, whole multiples of @align, then the tail.  Pieces are
 * kept multiples of @req_align where the range allows.
 */
static int64_t discard_piece(int64_t offset, int64_t left, int64_t align,
                             int64_t req_align, int64_t max)
{
    int64_t head = offset % align;
    int64_t tail = (offset + left) % align;
    int64_t num = left;

    if (head) {
        num = MIN(left, align - head);
        if (num % req_align) {
            num %= req_align;
        }
    } else if (tail) {
        if (num > align) {
            num -= tail;
        } else if (tail % req_align && tail > req_align) {
            num -= tail % req_align;
        }
    }
    return MIN(num, max);
}

/* Sends [@offset, @offset + @bytes) to the driver in pieces. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    int64_t req_align = MAX(bs->bl.request_alignment, 1);
    int64_t align = MAX((int64_t)bs->bl.pdiscard_alignment, req_align);
    int64_t max = QEMU_ALIGN_DOWN(
        MIN_NON_ZERO((int64_t)bs->bl.max_pdiscard, INT64_MAX), align);
    int ret;

    if (!bs->drv->bdrv_co_pdiscard) {
        /* The AIO callback takes an int length. */
        max = MIN(max, QEMU_ALIGN_DOWN(BDRV_REQUEST_MAX_BYTES, align));
    }
    max = max ? max : align;

    while (bytes > 0) {
        int64_t num = discard_piece(offset, bytes, align, req_align, max);

        ret = bdrv_driver_pdiscard(bs, offset, num);
        if (ret < 0 && ret != -ENOTSUP) {
            /* A driver may refuse the unaligned ends; that is fine. */
            if (ret != -EINVAL || !(offset % align || num % align)) {
                return ret;
            }
        }
        offset += num;
        bytes -= num;
    }
    return 0;
}

int coroutine_fn bdrv_co_pdiscard(BdrvChild *child, int64_t offset,
                                  int64_t bytes)
{
    BlockDriverState *bs = child->bs;
    BdrvTrackedRequest req;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    if (!bs || !bs->drv || !bdrv_co_is_inserted(bs)) {
        return -ENOMEDIUM;
    }
    ret = bdrv_check_request(offset, bytes, NULL);
    if (ret < 0) {
        return ret;
    }
    /* Discard is only a hint: silently ignored where not enabled. */
    if (!(bs->open_flags & BDRV_O_UNMAP)) {
        return 0;
    }
    if (!bs->drv->bdrv_co_pdiscard && !bs->drv->bdrv_aio_pdiscard) {
        return 0;
    }
    bdrv_bsc_invalidate_range(bs, offset, bytes);

    bdrv_inc_in_flight(bs);
    tracked_request_begin(&req, bs, offset, bytes, BDRV_TRACKED_DISCARD);
    ret = bdrv_co_write_req_prepare(child, offset, bytes, &req, 0);
    if (ret == 0) {
        ret = bdrv_co_do_pdiscard(bs, offset, bytes);
        bdrv_co_write_req_finish(child, offset, bytes, &req, ret);
    }
    tracked_request_end(&req);
    bdrv_dec_in_flight(bs);
    return ret;
}
