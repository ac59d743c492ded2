/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io-helpers.c: small request-path services built on block/io.c.
 *
 * Synchronous-flush writes, copy-on-read users, VM state of internal
 * snapshots, aligned I/O buffers, offloaded copies (copy_range), ioctl
 * and zoned-device pass-through, and the whole-graph services (flush
 * all, cancel, buffer registration).  They call block/io.c's public
 * entry points, or the driver directly (counting themselves in flight);
 * copy offload also uses the tracked-request helpers of io-internal.h.
 */

#include "qemu/osdep.h"
#include "block/block_int.h"
#include "io-internal.h"
#include "trace/trace-block.h"

/* --- Helpers built on the request path ----------------------------------- */

int coroutine_fn bdrv_co_pwrite_sync(BdrvChild *child, int64_t offset,
                                     int64_t bytes, const void *buf,
                                     BdrvRequestFlags flags)
{
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    ret = bdrv_co_pwrite(child, offset, bytes, buf, flags);
    if (ret < 0 || (flags & BDRV_REQ_FUA)) {
        return ret;
    }
    ret = bdrv_co_flush(child->bs);
    return ret < 0 ? ret : 0;
}

bool bdrv_can_write_zeroes_with_unmap(BlockDriverState *bs)
{
    IO_CODE();
    return (bs->open_flags & BDRV_O_UNMAP) &&
           (bs->supported_zero_flags & BDRV_REQ_MAY_UNMAP);
}

void bdrv_enable_copy_on_read(BlockDriverState *bs)
{
    IO_CODE();
    qatomic_inc(&bs->copy_on_read);
}

void bdrv_disable_copy_on_read(BlockDriverState *bs)
{
    int old = qatomic_fetch_dec(&bs->copy_on_read);

    IO_CODE();
    assert(old >= 1);
}

/*
 * VM state of internal snapshots: the driver that stores it, or the
 * primary child for drivers (filters, raw) that pass it through.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_vmstate_rw(BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos,
                   bool is_read)
{
    BlockDriverState *child = bdrv_primary_bs(bs);
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    ret = bdrv_check_qiov_request(pos, qiov->size, qiov, 0, NULL);
    if (ret < 0) {
        return ret;
    }
    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    bdrv_inc_in_flight(bs);
    if (is_read && bs->drv->bdrv_co_load_vmstate) {
        ret = bs->drv->bdrv_co_load_vmstate(bs, qiov, pos);
    } else if (!is_read && bs->drv->bdrv_co_save_vmstate) {
        ret = bs->drv->bdrv_co_save_vmstate(bs, qiov, pos);
    } else if (child) {
        ret = bdrv_co_vmstate_rw(child, qiov, pos, is_read);
    } else {
        ret = -ENOTSUP;
    }
    bdrv_dec_in_flight(bs);
    return ret;
}

int coroutine_fn bdrv_co_readv_vmstate(BlockDriverState *bs,
                                       QEMUIOVector *qiov, int64_t pos)
{
    return bdrv_co_vmstate_rw(bs, qiov, pos, true);
}

int coroutine_fn bdrv_co_writev_vmstate(BlockDriverState *bs,
                                        QEMUIOVector *qiov, int64_t pos)
{
    return bdrv_co_vmstate_rw(bs, qiov, pos, false);
}

int bdrv_save_vmstate(BlockDriverState *bs, const uint8_t *buf,
                      int64_t pos, int size)
{
    QEMUIOVector qiov = QEMU_IOVEC_INIT_BUF(qiov, buf, size);
    int ret = bdrv_writev_vmstate(bs, &qiov, pos);

    return ret < 0 ? ret : size;
}

int bdrv_load_vmstate(BlockDriverState *bs, uint8_t *buf,
                      int64_t pos, int size)
{
    QEMUIOVector qiov = QEMU_IOVEC_INIT_BUF(qiov, buf, size);
    int ret = bdrv_readv_vmstate(bs, &qiov, pos);

    return ret < 0 ? ret : size;
}

/* --- Buffers for I/O ----------------------------------------------------- */

size_t bdrv_min_mem_align(BlockDriverState *bs)
{
    IO_CODE();
    if (!bs || !bs->drv) {
        return qemu_real_host_page_size();
    }
    return MAX(bs->bl.min_mem_alignment, 1);
}

size_t bdrv_opt_mem_align(BlockDriverState *bs)
{
    IO_CODE();
    if (!bs || !bs->drv) {
        return qemu_real_host_page_size();
    }
    return MAX(bs->bl.opt_mem_alignment, 1);
}

void *qemu_try_blockalign(BlockDriverState *bs, size_t size)
{
    IO_CODE();
    /* A zero-sized success must still return a pointer. */
    return qemu_try_memalign(bdrv_opt_mem_align(bs), size ?: 1);
}

void *qemu_try_blockalign0(BlockDriverState *bs, size_t size)
{
    void *mem = qemu_try_blockalign(bs, size);

    IO_CODE();
    if (mem) {
        memset(mem, 0, size);
    }
    return mem;
}

void *qemu_blockalign(BlockDriverState *bs, size_t size)
{
    IO_CODE();
    return qemu_memalign(bdrv_opt_mem_align(bs), size ?: 1);
}

void *qemu_blockalign0(BlockDriverState *bs, size_t size)
{
    IO_CODE();
    return memset(qemu_blockalign(bs, size), 0, size);
}

/* --- Zoned devices ------------------------------------------------------- */

int coroutine_fn bdrv_co_zone_report(BlockDriverState *bs, int64_t offset,
                                     unsigned int *nr_zones,
                                     BlockZoneDescriptor *zones)
{
    BlockDriver *drv = bs->drv;
    int ret;

    IO_CODE();
    if (!drv || !drv->bdrv_co_zone_report || bs->bl.zoned == BLK_Z_NONE) {
        return -ENOTSUP;
    }
    bdrv_inc_in_flight(bs);
    ret = drv->bdrv_co_zone_report(bs, offset, nr_zones, zones);
    bdrv_dec_in_flight(bs);
    return ret;
}

int coroutine_fn bdrv_co_zone_mgmt(BlockDriverState *bs, BlockZoneOp op,
                                   int64_t offset, int64_t len)
{
    BlockDriver *drv = bs->drv;
    int ret;

    IO_CODE();
    if (!drv || !drv->bdrv_co_zone_mgmt || bs->bl.zoned == BLK_Z_NONE) {
        return -ENOTSUP;
    }
    bdrv_inc_in_flight(bs);
    ret = drv->bdrv_co_zone_mgmt(bs, op, offset, len);
    bdrv_dec_in_flight(bs);
    return ret;
}

int coroutine_fn bdrv_co_zone_append(BlockDriverState *bs, int64_t *offset,
                                     QEMUIOVector *qiov,
                                     BdrvRequestFlags flags)
{
    BlockDriver *drv = bs->drv;
    int ret;

    IO_CODE();
    ret = bdrv_check_qiov_request(*offset, qiov->size, qiov, 0, NULL);
    if (ret < 0) {
        return ret;
    }
    if (!drv || !drv->bdrv_co_zone_append || bs->bl.zoned == BLK_Z_NONE) {
        return -ENOTSUP;
    }
    bdrv_inc_in_flight(bs);
    ret = drv->bdrv_co_zone_append(bs, offset, qiov, flags);
    bdrv_dec_in_flight(bs);
    return ret;
}

/* --- Whole-graph services (main loop) ------------------------------------ */

int bdrv_flush_all(void)
{
    BdrvNextIterator it;
    BlockDriverState *bs;
    int result = 0;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    /* Every root flushes the subtree below it; the first error wins. */
    for (bs = bdrv_first(&it); bs; bs = bdrv_next(&it)) {
        int ret = bdrv_flush(bs);

        if (ret < 0 && !result) {
            result = ret;
        }
    }
    return result;
}

void bdrv_cancel_in_flight(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();

    if (bs && bs->drv && bs->drv->bdrv_cancel_in_flight) {
        bs->drv->bdrv_cancel_in_flight(bs);
    }
}

/* Unregisters @host from @bs and its children before @last. */
static void GRAPH_RDLOCK
bdrv_register_buf_rollback(BlockDriverState *bs, void *host, size_t size,
                           BdrvChild *last)
{
    BdrvChild *child;

    QLIST_FOREACH(child, &bs->children, next) {
        if (child == last) {
            break;
        }
        bdrv_unregister_buf(child->bs, host, size);
    }
    if (bs->drv && bs->drv->bdrv_unregister_buf) {
        bs->drv->bdrv_unregister_buf(bs, host, size);
    }
}

bool bdrv_register_buf(BlockDriverState *bs, void *host, size_t size,
                       Error **errp)
{
    BdrvChild *child;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    if (bs->drv && bs->drv->bdrv_register_buf &&
        !bs->drv->bdrv_register_buf(bs, host, size, errp)) {
        return false;
    }
    QLIST_FOREACH(child, &bs->children, next) {
        if (!bdrv_register_buf(child->bs, host, size, errp)) {
            bdrv_register_buf_rollback(bs, host, size, child);
            return false;
        }
    }
    return true;
}

void bdrv_unregister_buf(BlockDriverState *bs, void *host, size_t size)
{
    BdrvChild *child;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    if (bs->drv && bs->drv->bdrv_unregister_buf) {
        bs->drv->bdrv_unregister_buf(bs, host, size);
    }
    QLIST_FOREACH(child, &bs->children, next) {
        bdrv_unregister_buf(child->bs, host, size);
    }
}

/* --- Offloaded copies ---------------------------------------------------- */

/*
 * One offloaded copy.  The request is tracked on the side whose driver is
 * asked: the source (read) for copy_range_from, the destination (write,
 * with the usual write bookkeeping) for copy_range_to.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_copy_range_internal(BdrvChild *src, int64_t src_offset,
                            BdrvChild *dst, int64_t dst_offset,
                            int64_t bytes, BdrvRequestFlags read_flags,
                            BdrvRequestFlags write_flags, bool from_src)
{
    BdrvTrackedRequest req;
    BlockDriverState *bs;
    int ret;

    if (!dst || !dst->bs || !bdrv_co_is_inserted(dst->bs)) {
        return -ENOMEDIUM;
    }
    ret = bdrv_check_request32(dst_offset, bytes, NULL, 0);
    if (ret < 0) {
        return ret;
    }
    if (write_flags & BDRV_REQ_ZERO_WRITE) {
        return bdrv_co_pwrite_zeroes(dst, dst_offset, bytes, write_flags);
    }
    if (!src || !src->bs || !bdrv_co_is_inserted(src->bs)) {
        return -ENOMEDIUM;
    }
    ret = bdrv_check_request32(src_offset, bytes, NULL, 0);
    if (ret < 0) {
        return ret;
    }
    if (!src->bs->drv->bdrv_co_copy_range_from ||
        !dst->bs->drv->bdrv_co_copy_range_to ||
        src->bs->encrypted || dst->bs->encrypted) {
        return -ENOTSUP;
    }

    bs = from_src ? src->bs : dst->bs;
    bdrv_inc_in_flight(bs);
    if (from_src) {
        tracked_request_begin(&req, bs, src_offset, bytes, BDRV_TRACKED_READ);
        bdrv_wait_serialising_requests(&req);
        ret = bs->drv->bdrv_co_copy_range_from(bs, src, src_offset, dst,
                                               dst_offset, bytes, read_flags,
                                               write_flags);
    } else {
        tracked_request_begin(&req, bs, dst_offset, bytes,
                              BDRV_TRACKED_WRITE);
        ret = bdrv_co_write_req_prepare(dst, dst_offset, bytes, &req,
                                        write_flags);
        if (ret == 0) {
            ret = bs->drv->bdrv_co_copy_range_to(bs, src, src_offset, dst,
                                                 dst_offset, bytes,
                                                 read_flags, write_flags);
            bdrv_co_write_req_finish(dst, dst_offset, bytes, &req, ret);
        }
    }
    tracked_request_end(&req);
    bdrv_dec_in_flight(bs);
    return ret;
}

int coroutine_fn bdrv_co_copy_range_from(BdrvChild *src, int64_t src_offset,
                                         BdrvChild *dst, int64_t dst_offset,
                                         int64_t bytes,
                                         BdrvRequestFlags read_flags,
                                         BdrvRequestFlags write_flags)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    trace_bdrv_co_copy_range_from(src, src_offset, dst, dst_offset, bytes,
                                  read_flags, write_flags);
    return bdrv_co_copy_range_internal(src, src_offset, dst, dst_offset,
                                       bytes, read_flags, write_flags, true);
}

int coroutine_fn bdrv_co_copy_range_to(BdrvChild *src, int64_t src_offset,
                                       BdrvChild *dst, int64_t dst_offset,
                                       int64_t bytes,
                                       BdrvRequestFlags read_flags,
                                       BdrvRequestFlags write_flags)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    trace_bdrv_co_copy_range_to(src, src_offset, dst, dst_offset, bytes,
                                read_flags, write_flags);
    return bdrv_co_copy_range_internal(src, src_offset, dst, dst_offset,
                                       bytes, read_flags, write_flags, false);
}

int coroutine_fn bdrv_co_copy_range(BdrvChild *src, int64_t src_offset,
                                    BdrvChild *dst, int64_t dst_offset,
                                    int64_t bytes, BdrvRequestFlags read_flags,
                                    BdrvRequestFlags write_flags)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    /* The source side starts; its driver hands over to the destination. */
    return bdrv_co_copy_range_from(src, src_offset, dst, dst_offset, bytes,
                                   read_flags, write_flags);
}

/* --- Pass-through: ioctl ------------------------------------------------- */

int coroutine_fn bdrv_co_ioctl(BlockDriverState *bs, int req, void *buf)
{
    BlockDriver *drv = bs->drv;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    if (!drv || (!drv->bdrv_co_ioctl && !drv->bdrv_aio_ioctl)) {
        return -ENOTSUP;
    }
    bdrv_inc_in_flight(bs);
    if (drv->bdrv_co_ioctl) {
        ret = drv->bdrv_co_ioctl(bs, req, buf);
    } else {
        CoroutineIOCompletion co = { .coroutine = qemu_coroutine_self() };
        BlockAIOCB *acb = drv->bdrv_aio_ioctl(bs, req, buf,
                                              bdrv_co_io_em_complete, &co);
        ret = bdrv_co_io_em_wait(acb, &co);
    }
    bdrv_dec_in_flight(bs);
    return ret;
}
