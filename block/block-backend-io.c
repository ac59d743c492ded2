/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/block-backend-io.c: requests through a BlockBackend.
 *
 * Every request is counted in the backend's in-flight counter, parks
 * while the backend is drained, is checked against the medium and (unless
 * writes beyond EOF are allowed) its length, and then goes to block/io.c
 * through the root edge.  The AIO forms run the same coroutine bodies and
 * report through a BlockAIOCB whose callback never runs before the
 * submitting call returned.  Also here: length, limits and buffer
 * helpers, and pass-through requests (ioctl, zones, VM state).
 */

#include "qemu/osdep.h"
#include "trace/trace-block.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "block/aio-wait.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "block-backend-internal.h"
#include "coroutines.h"

/* acb->ret while the request has not completed. */
#define NOT_DONE 0x7fffffff

/* --- Coroutine I/O ------------------------------------------------------- */

/*
 * -ENOMEDIUM without a usable medium, -EIO for a range that is negative
 * or (unless writes beyond EOF are allowed) reaches past the end.
 */
static int coroutine_fn GRAPH_RDLOCK
blk_check_byte_request(BlockBackend *blk, int64_t offset, int64_t bytes)
{
    int64_t len;

    if (bytes < 0) {
        return -EIO;
    }
    if (!blk_co_is_available(blk)) {
        return -ENOMEDIUM;
    }
    if (offset < 0) {
        return -EIO;
    }
    if (!blk->allow_write_beyond_eof) {
        len = bdrv_co_getlength(blk_bs(blk));
        if (len < 0) {
            return len;
        }
        if (offset > len || len - offset < bytes) {
            return -EIO;
        }
    }
    return 0;
}

/*
 * The blk_co_do_* bodies expect the caller to count the request in
 * blk->in_flight; the public blk_co_* wrappers and the AIO coroutines
 * below do that.
 */
int coroutine_fn
blk_co_do_preadv_part(BlockBackend *blk, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, size_t qiov_offset,
                      BdrvRequestFlags flags)
{
    int ret;

    trace_blk_co_preadv(blk, blk_bs(blk), offset, bytes, flags);
    blk_wait_while_drained(blk);
    GRAPH_RDLOCK_GUARD();

    ret = blk_check_byte_request(blk, offset, bytes);
    if (ret < 0) {
        return ret;
    }
    return bdrv_co_preadv_part(blk->root, offset, bytes, qiov, qiov_offset,
                               flags);
}

int coroutine_fn
blk_co_do_pwritev_part(BlockBackend *blk, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, size_t qiov_offset,
                       BdrvRequestFlags flags)
{
    int ret;

    trace_blk_co_pwritev(blk, blk_bs(blk), offset, bytes, flags);
    blk_wait_while_drained(blk);
    GRAPH_RDLOCK_GUARD();

    ret = blk_check_byte_request(blk, offset, bytes);
    if (ret < 0) {
        return ret;
    }
    /* A guest without a write cache expects every write to be stable. */
    if (!blk->enable_write_cache) {
        flags |= BDRV_REQ_FUA;
    }
    return bdrv_co_pwritev_part(blk->root, offset, bytes, qiov, qiov_offset,
                                flags);
}

int coroutine_fn
blk_co_do_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes)
{
    int ret;

    blk_wait_while_drained(blk);
    GRAPH_RDLOCK_GUARD();

    ret = blk_check_byte_request(blk, offset, bytes);
    if (ret < 0) {
        return ret;
    }
    return bdrv_co_pdiscard(blk->root, offset, bytes);
}

int coroutine_fn blk_co_do_flush(BlockBackend *blk)
{
    blk_wait_while_drained(blk);
    GRAPH_RDLOCK_GUARD();

    if (!blk_co_is_available(blk)) {
        return -ENOMEDIUM;
    }
    return bdrv_co_flush(blk_bs(blk));
}

int coroutine_fn blk_co_preadv_part(BlockBackend *blk, int64_t offset,
                                    int64_t bytes, QEMUIOVector *qiov,
                                    size_t qiov_offset,
                                    BdrvRequestFlags flags)
{
    int ret;

    IO_OR_GS_CODE();
    blk_inc_in_flight(blk);
    ret = blk_co_do_preadv_part(blk, offset, bytes, qiov, qiov_offset,
                                flags);
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_preadv(BlockBackend *blk, int64_t offset,
                               int64_t bytes, QEMUIOVector *qiov,
                               BdrvRequestFlags flags)
{
    IO_OR_GS_CODE();
    return blk_co_preadv_part(blk, offset, bytes, qiov, 0, flags);
}

int coroutine_fn blk_co_pread(BlockBackend *blk, int64_t offset,
                              int64_t bytes, void *buf,
                              BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    IO_OR_GS_CODE();
    assert(bytes >= 0);
    qemu_iovec_init_buf(&qiov, buf, bytes);
    return blk_co_preadv(blk, offset, bytes, &qiov, flags);
}

int coroutine_fn blk_co_pwritev_part(BlockBackend *blk, int64_t offset,
                                     int64_t bytes, QEMUIOVector *qiov,
                                     size_t qiov_offset,
                                     BdrvRequestFlags flags)
{
    int ret;

    IO_OR_GS_CODE();
    blk_inc_in_flight(blk);
    ret = blk_co_do_pwritev_part(blk, offset, bytes, qiov, qiov_offset,
                                 flags);
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_pwritev(BlockBackend *blk, int64_t offset,
                                int64_t bytes, QEMUIOVector *qiov,
                                BdrvRequestFlags flags)
{
    IO_OR_GS_CODE();
    return blk_co_pwritev_part(blk, offset, bytes, qiov, 0, flags);
}

int coroutine_fn blk_co_pwrite(BlockBackend *blk, int64_t offset,
                               int64_t bytes, const void *buf,
                               BdrvRequestFlags flags)
{
    QEMUIOVector qiov;

    IO_OR_GS_CODE();
    assert(bytes >= 0);
    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return blk_co_pwritev(blk, offset, bytes, &qiov, flags);
}

int coroutine_fn blk_co_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                      int64_t bytes, BdrvRequestFlags flags)
{
    IO_OR_GS_CODE();
    return blk_co_pwritev(blk, offset, bytes, NULL,
                          flags | BDRV_REQ_ZERO_WRITE);
}

int coroutine_fn blk_co_pdiscard(BlockBackend *blk, int64_t offset,
                                 int64_t bytes)
{
    int ret;

    IO_OR_GS_CODE();
    blk_inc_in_flight(blk);
    ret = blk_co_do_pdiscard(blk, offset, bytes);
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_flush(BlockBackend *blk)
{
    int ret;

    IO_OR_GS_CODE();
    blk_inc_in_flight(blk);
    ret = blk_co_do_flush(blk);
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_truncate(BlockBackend *blk, int64_t offset,
                                 bool exact, PreallocMode prealloc,
                                 BdrvRequestFlags flags, Error **errp)
{
    IO_OR_GS_CODE();
    GRAPH_RDLOCK_GUARD();

    if (!blk_co_is_available(blk)) {
        error_setg(errp, "No medium inserted");
        return -ENOMEDIUM;
    }
    return bdrv_co_truncate(blk->root, offset, exact, prealloc, flags, errp);
}

int64_t coroutine_fn blk_co_getlength(BlockBackend *blk)
{
    IO_CODE();
    GRAPH_RDLOCK_GUARD();

    if (!blk_co_is_available(blk)) {
        return -ENOMEDIUM;
    }
    return bdrv_co_getlength(blk_bs(blk));
}

int64_t coroutine_fn blk_co_nb_sectors(BlockBackend *blk)
{
    IO_CODE();
    GRAPH_RDLOCK_GUARD();

    if (!blk_co_is_available(blk)) {
        return -ENOMEDIUM;
    }
    return bdrv_co_nb_sectors(blk_bs(blk));
}

int64_t blk_nb_sectors(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    IO_CODE();
    if (!bs) {
        return -ENOMEDIUM;
    }
    return bdrv_nb_sectors(bs);
}

void coroutine_fn blk_co_get_geometry(BlockBackend *blk,
                                      uint64_t *nb_sectors_ptr)
{
    int64_t ret = blk_co_nb_sectors(blk);

    *nb_sectors_ptr = ret < 0 ? 0 : ret;
}

void blk_get_geometry(BlockBackend *blk, uint64_t *nb_sectors_ptr)
{
    int64_t ret = blk_nb_sectors(blk);

    *nb_sectors_ptr = ret < 0 ? 0 : ret;
}

int coroutine_fn blk_co_pwrite_compressed(BlockBackend *blk, int64_t offset,
                                          int64_t bytes, const void *buf)
{
    QEMUIOVector qiov;

    IO_OR_GS_CODE();
    qemu_iovec_init_buf(&qiov, (void *)buf, bytes);
    return blk_co_pwritev_part(blk, offset, bytes, &qiov, 0,
                               BDRV_REQ_WRITE_COMPRESSED);
}

int coroutine_fn blk_co_do_ioctl(BlockBackend *blk, unsigned long int req,
                                 void *buf)
{
    blk_wait_while_drained(blk);
    GRAPH_RDLOCK_GUARD();

    if (!blk_co_is_available(blk)) {
        return -ENOMEDIUM;
    }
    return bdrv_co_ioctl(blk_bs(blk), req, buf);
}

int coroutine_fn blk_co_ioctl(BlockBackend *blk, unsigned long int req,
                              void *buf)
{
    int ret;

    IO_OR_GS_CODE();
    blk_inc_in_flight(blk);
    ret = blk_co_do_ioctl(blk, req, buf);
    blk_dec_in_flight(blk);
    return ret;
}

void coroutine_fn blk_co_lock_medium(BlockBackend *blk, bool locked)
{
    BlockDriverState *bs = blk_bs(blk);

    IO_CODE();
    GRAPH_RDLOCK_GUARD();
    if (bs) {
        bdrv_co_lock_medium(bs, locked);
    }
}

void coroutine_fn blk_co_eject(BlockBackend *blk, bool eject_flag)
{
    BlockDriverState *bs = blk_bs(blk);

    IO_CODE();
    GRAPH_RDLOCK_GUARD();
    if (bs) {
        bdrv_co_eject(bs, eject_flag);
    }
}

/* Zoned requests: checked like any other, then passed through. */
int coroutine_fn blk_co_zone_report(BlockBackend *blk, int64_t offset,
                                    unsigned int *nr_zones,
                                    BlockZoneDescriptor *zones)
{
    int ret;

    IO_CODE();
    blk_inc_in_flight(blk);
    blk_wait_while_drained(blk);
    WITH_GRAPH_RDLOCK_GUARD() {
        ret = blk_check_byte_request(blk, offset, 0);
        if (ret == 0) {
            ret = bdrv_co_zone_report(blk_bs(blk), offset, nr_zones, zones);
        }
    }
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_zone_mgmt(BlockBackend *blk, BlockZoneOp op,
                                  int64_t offset, int64_t len)
{
    int ret;

    IO_CODE();
    blk_inc_in_flight(blk);
    blk_wait_while_drained(blk);
    WITH_GRAPH_RDLOCK_GUARD() {
        ret = blk_check_byte_request(blk, offset, len);
        if (ret == 0) {
            ret = bdrv_co_zone_mgmt(blk_bs(blk), op, offset, len);
        }
    }
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_zone_append(BlockBackend *blk, int64_t *offset,
                                    QEMUIOVector *qiov,
                                    BdrvRequestFlags flags)
{
    int ret;

    IO_CODE();
    blk_inc_in_flight(blk);
    blk_wait_while_drained(blk);
    WITH_GRAPH_RDLOCK_GUARD() {
        ret = blk_co_is_available(blk) ?
              bdrv_co_zone_append(blk_bs(blk), offset, qiov, flags) :
              -ENOMEDIUM;
    }
    blk_dec_in_flight(blk);
    return ret;
}

int coroutine_fn blk_co_copy_range(BlockBackend *blk_in, int64_t off_in,
                                   BlockBackend *blk_out, int64_t off_out,
                                   int64_t bytes, BdrvRequestFlags read_flags,
                                   BdrvRequestFlags write_flags)
{
    int ret;

    IO_CODE();
    blk_inc_in_flight(blk_in);
    blk_inc_in_flight(blk_out);
    blk_wait_while_drained(blk_in);
    blk_wait_while_drained(blk_out);
    WITH_GRAPH_RDLOCK_GUARD() {
        ret = blk_check_byte_request(blk_in, off_in, bytes);
        if (ret == 0) {
            ret = blk_check_byte_request(blk_out, off_out, bytes);
        }
        if (ret == 0) {
            ret = bdrv_co_copy_range(blk_in->root, off_in, blk_out->root,
                                     off_out, bytes, read_flags,
                                     write_flags);
        }
    }
    blk_dec_in_flight(blk_out);
    blk_dec_in_flight(blk_in);
    return ret;
}

int coroutine_fn blk_co_block_status_above(BlockBackend *blk,
                                           BlockDriverState *base,
                                           int64_t offset, int64_t bytes,
                                           int64_t *pnum, int64_t *map,
                                           BlockDriverState **file)
{
    IO_CODE();
    GRAPH_RDLOCK_GUARD();
    return bdrv_co_block_status_above(blk_bs(blk), base, offset, bytes, pnum,
                                      map, file);
}

int coroutine_fn blk_co_is_allocated_above(BlockBackend *blk,
                                           BlockDriverState *base,
                                           bool include_base, int64_t offset,
                                           int64_t bytes, int64_t *pnum)
{
    IO_CODE();
    GRAPH_RDLOCK_GUARD();
    return bdrv_co_is_allocated_above(blk_bs(blk), base, include_base, offset,
                                      bytes, pnum);
}

int blk_make_zero(BlockBackend *blk, BdrvRequestFlags flags)
{
    GLOBAL_STATE_CODE();
    return bdrv_make_zero(blk->root, flags);
}

int blk_save_vmstate(BlockBackend *blk, const uint8_t *buf, int64_t pos,
                     int size)
{
    int ret;

    GLOBAL_STATE_CODE();
    if (!blk_is_available(blk)) {
        return -ENOMEDIUM;
    }
    ret = bdrv_save_vmstate(blk_bs(blk), buf, pos, size);
    if (ret == size && !blk->enable_write_cache) {
        ret = bdrv_flush(blk_bs(blk));
    }
    return ret < 0 ? ret : size;
}

int blk_load_vmstate(BlockBackend *blk, uint8_t *buf, int64_t pos, int size)
{
    GLOBAL_STATE_CODE();
    if (!blk_is_available(blk)) {
        return -ENOMEDIUM;
    }
    return bdrv_load_vmstate(blk_bs(blk), buf, pos, size);
}

/* --- Limits -------------------------------------------------------------- */

uint32_t blk_get_request_alignment(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    IO_CODE();
    return bs ? bs->bl.request_alignment : BDRV_SECTOR_SIZE;
}

uint32_t blk_get_max_transfer(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);
    uint32_t max = INT_MAX;

    IO_CODE();
    if (bs) {
        max = MIN_NON_ZERO(max, bs->bl.max_transfer);
    }
    return QEMU_ALIGN_DOWN(max, blk_get_request_alignment(blk));
}

uint64_t blk_get_max_hw_transfer(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);
    uint64_t max = SIZE_MAX;

    IO_CODE();
    if (bs) {
        max = MIN_NON_ZERO(bs->bl.max_hw_transfer, max);
        max = MIN_NON_ZERO(bs->bl.max_transfer, max);
    }
    return QEMU_ALIGN_DOWN(max, blk_get_request_alignment(blk));
}

int blk_get_max_iov(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    IO_CODE();
    return bs && bs->bl.max_iov ? bs->bl.max_iov : IOV_MAX;
}

int blk_get_max_hw_iov(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    IO_CODE();
    if (bs && bs->bl.max_hw_iov) {
        return MIN_NON_ZERO(bs->bl.max_hw_iov, blk_get_max_iov(blk));
    }
    return blk_get_max_iov(blk);
}

void *blk_try_blockalign(BlockBackend *blk, size_t size)
{
    IO_CODE();
    return qemu_try_blockalign(blk ? blk_bs(blk) : NULL, size);
}

void *blk_blockalign(BlockBackend *blk, size_t size)
{
    IO_CODE();
    return qemu_blockalign(blk ? blk_bs(blk) : NULL, size);
}

/* --- AIO ----------------------------------------------------------------- */

typedef struct BlkAioEmAIOCB {
    BlockAIOCB common;
    BlockBackend *blk;
    int64_t offset;
    int64_t bytes;
    void *iobuf;            /* QEMUIOVector for reads and writes */
    BdrvRequestFlags flags;
    int ret;                /* NOT_DONE until the coroutine finished */
    bool has_returned;      /* blk_aio_prwv() returned to its caller */
} BlkAioEmAIOCB;

static AioContext *blk_aio_em_aiocb_get_aio_context(BlockAIOCB *acb_)
{
    BlkAioEmAIOCB *acb = container_of(acb_, BlkAioEmAIOCB, common);

    return blk_get_aio_context(acb->blk);
}

static const AIOCBInfo blk_aio_em_aiocb_info = {
    .aiocb_size         = sizeof(BlkAioEmAIOCB),
    .get_aio_context    = blk_aio_em_aiocb_get_aio_context,
};

/*
 * Completion runs the user's callback, but never before blk_aio_prwv()
 * returned the AIOCB: a request that finishes without yielding is
 * completed from a BH instead.
 */
static void blk_aio_complete(BlkAioEmAIOCB *acb)
{
    if (acb->has_returned) {
        BlockBackend *blk = acb->blk;

        acb->common.cb(acb->common.opaque, acb->ret);
        blk_dec_in_flight(blk);
        qemu_aio_unref(acb);
    }
}

static void blk_aio_complete_bh(void *opaque)
{
    BlkAioEmAIOCB *acb = opaque;

    assert(acb->has_returned);
    blk_aio_complete(acb);
}

static BlockAIOCB *blk_aio_prwv(BlockBackend *blk, int64_t offset,
                                int64_t bytes, void *iobuf,
                                CoroutineEntry co_entry,
                                BdrvRequestFlags flags,
                                BlockCompletionFunc *cb, void *opaque)
{
    BlkAioEmAIOCB *acb;
    Coroutine *co;

    blk_inc_in_flight(blk);
    acb = qemu_aio_get(&blk_aio_em_aiocb_info, blk_bs(blk), cb, opaque);
    acb->blk = blk;
    acb->offset = offset;
    acb->bytes = bytes;
    acb->iobuf = iobuf;
    acb->flags = flags;
    acb->ret = NOT_DONE;
    acb->has_returned = false;

    co = qemu_coroutine_create(co_entry, acb);
    aio_co_enter(blk_get_aio_context(blk), co);

    acb->has_returned = true;
    if (acb->ret != NOT_DONE) {
        aio_bh_schedule_oneshot(blk_get_aio_context(blk),
                                blk_aio_complete_bh, acb);
    }
    return &acb->common;
}

static void coroutine_fn blk_aio_read_entry(void *opaque)
{
    BlkAioEmAIOCB *acb = opaque;
    QEMUIOVector *qiov = acb->iobuf;

    assert(qiov->size == acb->bytes);
    acb->ret = blk_co_do_preadv_part(acb->blk, acb->offset, acb->bytes,
                                     qiov, 0, acb->flags);
    blk_aio_complete(acb);
}

static void coroutine_fn blk_aio_write_entry(void *opaque)
{
    BlkAioEmAIOCB *acb = opaque;
    QEMUIOVector *qiov = acb->iobuf;

    assert(!qiov || qiov->size == acb->bytes);
    acb->ret = blk_co_do_pwritev_part(acb->blk, acb->offset, acb->bytes,
                                      qiov, 0, acb->flags);
    blk_aio_complete(acb);
}

static void coroutine_fn blk_aio_pdiscard_entry(void *opaque)
{
    BlkAioEmAIOCB *acb = opaque;

    acb->ret = blk_co_do_pdiscard(acb->blk, acb->offset, acb->bytes);
    blk_aio_complete(acb);
}

static void coroutine_fn blk_aio_flush_entry(void *opaque)
{
    BlkAioEmAIOCB *acb = opaque;

    acb->ret = blk_co_do_flush(acb->blk);
    blk_aio_complete(acb);
}

/* The ioctl request number travels in acb->offset. */
static void coroutine_fn blk_aio_ioctl_entry(void *opaque)
{
    BlkAioEmAIOCB *acb = opaque;

    acb->ret = blk_co_do_ioctl(acb->blk, acb->offset, acb->iobuf);
    blk_aio_complete(acb);
}

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           QEMUIOVector *qiov, BdrvRequestFlags flags,
                           BlockCompletionFunc *cb, void *opaque)
{
    IO_CODE();
    assert((uint64_t)qiov->size <= INT64_MAX);
    return blk_aio_prwv(blk, offset, qiov->size, qiov, blk_aio_read_entry,
                        flags, cb, opaque);
}

BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            QEMUIOVector *qiov, BdrvRequestFlags flags,
                            BlockCompletionFunc *cb, void *opaque)
{
    IO_CODE();
    assert((uint64_t)qiov->size <= INT64_MAX);
    return blk_aio_prwv(blk, offset, qiov->size, qiov, blk_aio_write_entry,
                        flags, cb, opaque);
}

BlockAIOCB *blk_aio_pwrite_zeroes(BlockBackend *blk, int64_t offset,
                                  int64_t bytes, BdrvRequestFlags flags,
                                  BlockCompletionFunc *cb, void *opaque)
{
    IO_CODE();
    return blk_aio_prwv(blk, offset, bytes, NULL, blk_aio_write_entry,
                        flags | BDRV_REQ_ZERO_WRITE, cb, opaque);
}

BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque)
{
    IO_CODE();
    return blk_aio_prwv(blk, offset, bytes, NULL, blk_aio_pdiscard_entry, 0,
                        cb, opaque);
}

BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque)
{
    IO_CODE();
    return blk_aio_prwv(blk, 0, 0, NULL, blk_aio_flush_entry, 0, cb, opaque);
}

BlockAIOCB *blk_aio_ioctl(BlockBackend *blk, unsigned long int req, void *buf,
                          BlockCompletionFunc *cb, void *opaque)
{
    IO_CODE();
    return blk_aio_prwv(blk, req, 0, buf, blk_aio_ioctl_entry, 0, cb, opaque);
}

void *blk_aio_get(const AIOCBInfo *aiocb_info, BlockBackend *blk,
                  BlockCompletionFunc *cb, void *opaque)
{
    IO_CODE();
    return qemu_aio_get(aiocb_info, blk_bs(blk), cb, opaque);
}

/* A request that fails before it starts still completes from a BH. */
typedef struct BlockBackendAIOCB {
    BlockAIOCB common;
    BlockBackend *blk;
    int ret;
} BlockBackendAIOCB;

static const AIOCBInfo block_backend_aiocb_info = {
    .aiocb_size = sizeof(BlockBackendAIOCB),
};

static void blk_aio_abort_bh(void *opaque)
{
    BlockBackendAIOCB *acb = opaque;

    acb->common.cb(acb->common.opaque, acb->ret);
    blk_dec_in_flight(acb->blk);
    qemu_aio_unref(acb);
}

BlockAIOCB *blk_abort_aio_request(BlockBackend *blk, BlockCompletionFunc *cb,
                                  void *opaque, int ret)
{
    BlockBackendAIOCB *acb;

    IO_CODE();
    blk_inc_in_flight(blk);
    acb = blk_aio_get(&block_backend_aiocb_info, blk, cb, opaque);
    acb->blk = blk;
    acb->ret = ret;
    aio_bh_schedule_oneshot(blk_get_aio_context(blk), blk_aio_abort_bh, acb);
    return &acb->common;
}

void blk_aio_cancel(BlockAIOCB *acb)
{
    GLOBAL_STATE_CODE();
    bdrv_aio_cancel(acb);
}

void blk_aio_cancel_async(BlockAIOCB *acb)
{
    IO_CODE();
    bdrv_aio_cancel_async(acb);
}
