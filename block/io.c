/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io.c: the node-level request path and the drain machinery.
 *
 * The first half keeps nodes quiet: in-flight counting, draining a node
 * (quiescing its parents, waiting for its requests) and draining every
 * node at once.  The second half is the path reads and writes take
 * before they reach a driver: argument checks, the write checks and
 * bookkeeping, the fallbacks between the driver callback flavours (FUA
 * emulation), max_transfer splitting, and flush generations.
 * Around it, sharing block/io-internal.h: io-serialise.c (tracked and
 * serialising requests), io-align.c (request alignment, read-modify-
 * write), io-zero.c (zero writes, detect-zeroes, discard), io-cor.c
 * (copy-on-read), io-truncate.c (length, truncate), io-helpers.c (copy
 * offload, ioctl, VM state, buffers) and block-status.c.  Graph changes
 * live in block.c, the backend in block/block-backend*.c.
 */

#include "qemu/osdep.h"
#include "trace/trace-block.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/cutils.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/stats64.h"
#include "block/aio-wait.h"
#include "block/block_int.h"
#include "block/write-threshold.h"
#include "block/dirty-bitmap.h"
#include "io-internal.h"

/*
 * Number of bdrv_drain_all_begin() calls not yet ended; nodes created in
 * the meantime start out drained that many times (see bdrv_new()).
 */
unsigned int bdrv_drain_all_count;

/* --- In-flight accounting ------------------------------------------------ */

void bdrv_inc_in_flight(BlockDriverState *bs)
{
    IO_CODE();
    qatomic_inc(&bs->in_flight);
}

void bdrv_wakeup(BlockDriverState *bs)
{
    IO_CODE();
    aio_wait_kick();
}

void bdrv_dec_in_flight(BlockDriverState *bs)
{
    IO_CODE();
    assert(qatomic_read(&bs->in_flight) > 0);
    qatomic_dec(&bs->in_flight);
    bdrv_wakeup(bs);
}

/* --- Quiescing the parents of a node ------------------------------------- */

void bdrv_parent_drained_begin_single(BdrvChild *c)
{
    GLOBAL_STATE_CODE();

    if (c->quiesced_parent) {
        return;
    }
    c->quiesced_parent = true;
    if (c->klass->drained_begin) {
        c->klass->drained_begin(c);
    }
}

void bdrv_parent_drained_end_single(BdrvChild *c)
{
    GLOBAL_STATE_CODE();

    assert(c->quiesced_parent);
    c->quiesced_parent = false;
    if (c->klass->drained_end) {
        c->klass->drained_end(c);
    }
}

bool bdrv_parent_drained_poll_single(BdrvChild *c)
{
    IO_OR_GS_CODE();

    if (c->klass->drained_poll) {
        return c->klass->drained_poll(c);
    }
    return false;
}

/* Quiesce every parent of @bs except @skip. */
static void GRAPH_RDLOCK
bdrv_parent_drained_begin(BlockDriverState *bs, BdrvChild *skip)
{
    BdrvChild *c, *next;

    QLIST_FOREACH_SAFE(c, &bs->parents, next_parent, next) {
        if (c != skip) {
            bdrv_parent_drained_begin_single(c);
        }
    }
}

static void GRAPH_RDLOCK
bdrv_parent_drained_end(BlockDriverState *bs, BdrvChild *skip)
{
    BdrvChild *c;

    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c != skip) {
            bdrv_parent_drained_end_single(c);
        }
    }
}

/*
 * True if some parent of @bs other than @skip (and other than node
 * parents when @skip_bds_parents) still has requests in flight.
 */
static bool GRAPH_RDLOCK
bdrv_parent_drained_poll(BlockDriverState *bs, BdrvChild *skip,
                         bool skip_bds_parents)
{
    BdrvChild *c;
    bool busy = false;

    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c == skip || (skip_bds_parents && c->klass->parent_is_bds)) {
            continue;
        }
        busy |= bdrv_parent_drained_poll_single(c);
    }
    return busy;
}

/* --- Draining one node --------------------------------------------------- */

bool bdrv_drain_poll(BlockDriverState *bs, BdrvChild *ignore_parent,
                     bool ignore_bds_parents)
{
    IO_OR_GS_CODE();

    if (bdrv_parent_drained_poll(bs, ignore_parent, ignore_bds_parents)) {
        return true;
    }
    return qatomic_read(&bs->in_flight) != 0;
}

static bool bdrv_drain_poll_top_level(BlockDriverState *bs,
                                      BdrvChild *ignore_parent)
{
    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    return bdrv_drain_poll(bs, ignore_parent, false);
}

/*
 * A drain requested from coroutine context is carried out by a BH in the
 * main loop while the coroutine sleeps: polling inside a coroutine could
 * wait for the very requests the coroutine belongs to.
 */
typedef struct BdrvCoDrainData {
    Coroutine *co;
    BlockDriverState *bs;       /* NULL: drain all */
    BdrvChild *parent;
    bool begin;
    bool poll;
    bool done;
} BdrvCoDrainData;

static void bdrv_do_drained_begin(BlockDriverState *bs, BdrvChild *parent,
                                  bool poll);
static void bdrv_do_drained_end(BlockDriverState *bs, BdrvChild *parent);

static void bdrv_co_drain_bh_cb(void *opaque)
{
    BdrvCoDrainData *data = opaque;
    BlockDriverState *bs = data->bs;
    Coroutine *co = data->co;

    if (!bs) {
        assert(data->begin);
        bdrv_drain_all_begin();
    } else {
        /* Our own reference; the drain below keeps the node busy now. */
        bdrv_dec_in_flight(bs);
        if (data->begin) {
            bdrv_do_drained_begin(bs, data->parent, data->poll);
        } else {
            assert(!data->poll);
            bdrv_do_drained_end(bs, data->parent);
        }
    }
    data->done = true;
    aio_co_wake(co);
}

static void coroutine_fn bdrv_co_yield_to_drain(BlockDriverState *bs,
                                                bool begin,
                                                BdrvChild *parent,
                                                bool poll)
{
    BdrvCoDrainData data = {
        .co = qemu_coroutine_self(),
        .bs = bs,
        .parent = parent,
        .begin = begin,
        .poll = poll,
    };

    assert(qemu_in_coroutine());
    if (bs) {
        /*
         * Counted as in flight until the BH runs, so that a drain of @bs
         * that starts meanwhile waits for this one to be registered.
         */
        bdrv_inc_in_flight(bs);
    }
    aio_bh_schedule_oneshot(qemu_get_aio_context(), bdrv_co_drain_bh_cb,
                            &data);
    qemu_coroutine_yield();
    assert(data.done);
}

static void bdrv_do_drained_begin(BlockDriverState *bs, BdrvChild *parent,
                                  bool poll)
{
    IO_OR_GS_CODE();

    if (qemu_in_coroutine()) {
        bdrv_co_yield_to_drain(bs, true, parent, poll);
        return;
    }
    GLOBAL_STATE_CODE();

    /* Parents first, so that no new request reaches us from above. */
    if (qatomic_fetch_inc(&bs->quiesce_counter) == 0) {
        GRAPH_RDLOCK_GUARD_MAINLOOP();
        bdrv_parent_drained_begin(bs, parent);
        if (bs->drv && bs->drv->bdrv_drain_begin) {
            bs->drv->bdrv_drain_begin(bs);
        }
    }

    /*
     * Callers hold no AioContext lock: requests in an IOThread complete
     * on their own while the main loop polls here.
     */
    if (poll) {
        AIO_WAIT_WHILE_UNLOCKED(bdrv_get_aio_context(bs),
                                bdrv_drain_poll_top_level(bs, parent));
    }
}

void bdrv_do_drained_begin_quiesce(BlockDriverState *bs, BdrvChild *parent)
{
    bdrv_do_drained_begin(bs, parent, false);
}

void bdrv_drained_begin(BlockDriverState *bs)
{
    IO_OR_GS_CODE();
    bdrv_do_drained_begin(bs, NULL, true);
}

static void bdrv_do_drained_end(BlockDriverState *bs, BdrvChild *parent)
{
    int old;

    IO_OR_GS_CODE();

    if (qemu_in_coroutine()) {
        bdrv_co_yield_to_drain(bs, false, parent, false);
        return;
    }
    GLOBAL_STATE_CODE();
    assert(bs->quiesce_counter > 0);

    /* Driver first, then the parents: the reverse of drained_begin. */
    old = qatomic_fetch_dec(&bs->quiesce_counter);
    if (old == 1) {
        GRAPH_RDLOCK_GUARD_MAINLOOP();
        if (bs->drv && bs->drv->bdrv_drain_end) {
            bs->drv->bdrv_drain_end(bs);
        }
        bdrv_parent_drained_end(bs, parent);
    }
}

void bdrv_drained_end(BlockDriverState *bs)
{
    IO_OR_GS_CODE();
    bdrv_do_drained_end(bs, NULL);
}

void bdrv_drain(BlockDriverState *bs)
{
    IO_OR_GS_CODE();
    bdrv_drained_begin(bs);
    bdrv_drained_end(bs);
}

/* --- Draining every node ------------------------------------------------- */

static void GRAPH_RDLOCK bdrv_drain_assert_idle(BlockDriverState *bs)
{
    BdrvChild *child;

    assert(qatomic_read(&bs->in_flight) == 0);
    QLIST_FOREACH(child, &bs->children, next) {
        bdrv_drain_assert_idle(child->bs);
    }
}

static bool bdrv_drain_all_poll(void)
{
    BlockDriverState *bs = NULL;
    bool busy = false;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    /* Node parents are nodes themselves: each is polled on its own. */
    while ((bs = bdrv_next_all_states(bs))) {
        busy |= bdrv_drain_poll(bs, NULL, true);
    }
    return busy;
}

void bdrv_drain_all_begin_nopoll(void)
{
    BlockDriverState *bs = NULL;

    GLOBAL_STATE_CODE();

    /* New nodes see the count and start out drained (bdrv_new()). */
    bdrv_drain_all_count++;
    while ((bs = bdrv_next_all_states(bs))) {
        bdrv_do_drained_begin(bs, NULL, false);
    }
}

void bdrv_drain_all_begin(void)
{
    BlockDriverState *bs = NULL;

    if (qemu_in_coroutine()) {
        bdrv_co_yield_to_drain(NULL, true, NULL, true);
        return;
    }

    bdrv_drain_all_begin_nopoll();
    AIO_WAIT_WHILE_UNLOCKED(NULL, bdrv_drain_all_poll());

    GRAPH_RDLOCK_GUARD_MAINLOOP();
    while ((bs = bdrv_next_all_states(bs))) {
        bdrv_drain_assert_idle(bs);
    }
}

void bdrv_drain_all_end_quiesce(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();

    /* A node going away takes back the drains drain_all gave it. */
    g_assert(bs->quiesce_counter > 0);
    g_assert(!bs->refcnt);
    while (bs->quiesce_counter) {
        bdrv_do_drained_end(bs, NULL);
    }
}

void bdrv_drain_all_end(void)
{
    BlockDriverState *bs = NULL;

    GLOBAL_STATE_CODE();

    while ((bs = bdrv_next_all_states(bs))) {
        bdrv_do_drained_end(bs, NULL);
    }
    assert(bdrv_drain_all_count > 0);
    bdrv_drain_all_count--;
}

void bdrv_drain_all(void)
{
    GLOBAL_STATE_CODE();
    bdrv_drain_all_begin();
    bdrv_drain_all_end();
}

/* --- Request checks ------------------------------------------------------ */

int bdrv_check_qiov_request(int64_t offset, int64_t bytes,
                            QEMUIOVector *qiov, size_t qiov_offset,
                            Error **errp)
{
    /*
     * Everything is limited to BDRV_MAX_LENGTH, so offset + bytes can be
     * computed without overflowing once each part passed.
     */
    if (offset < 0) {
        error_setg(errp, "offset is negative: %" PRIi64, offset);
        return -EIO;
    }
    if (bytes < 0) {
        error_setg(errp, "bytes is negative: %" PRIi64, bytes);
        return -EIO;
    }
    if (bytes > BDRV_MAX_LENGTH) {
        error_setg(errp, "bytes(%" PRIi64 ") exceeds maximum(%" PRIi64 ")",
                   bytes, BDRV_MAX_LENGTH);
        return -EIO;
    }
    if (offset > BDRV_MAX_LENGTH) {
        error_setg(errp, "offset(%" PRIi64 ") exceeds maximum(%" PRIi64 ")",
                   offset, BDRV_MAX_LENGTH);
        return -EIO;
    }
    if (offset > BDRV_MAX_LENGTH - bytes) {
        error_setg(errp, "sum of offset(%" PRIi64 ") and bytes(%" PRIi64 ") "
                   "exceeds maximum(%" PRIi64 ")", offset, bytes,
                   BDRV_MAX_LENGTH);
        return -EIO;
    }
    if (!qiov) {
        return 0;
    }
    if (qiov_offset > qiov->size) {
        error_setg(errp, "qiov_offset(%zu) overflow io vector size(%zu)",
                   qiov_offset, qiov->size);
        return -EIO;
    }
    if (bytes > qiov->size - qiov_offset) {
        error_setg(errp, "bytes(%" PRIi64 ") + qiov_offset(%zu) overflow io "
                   "vector size(%zu)", bytes, qiov_offset, qiov->size);
        return -EIO;
    }
    return 0;
}

int bdrv_check_request(int64_t offset, int64_t bytes, Error **errp)
{
    return bdrv_check_qiov_request(offset, bytes, NULL, 0, errp);
}

int bdrv_check_request32(int64_t offset, int64_t bytes, QEMUIOVector *qiov,
                         size_t qiov_offset)
{
    int ret = bdrv_check_qiov_request(offset, bytes, qiov, qiov_offset, NULL);

    if (ret < 0) {
        return ret;
    }
    return bytes > BDRV_REQUEST_MAX_BYTES ? -EIO : 0;
}

/* Checks shared by every request that modifies the node. */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_write_req_prepare(BdrvChild *child, int64_t offset, int64_t bytes,
                          BdrvTrackedRequest *req, BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    uint64_t align = 1;
    int ret;

    if (bdrv_is_read_only(bs)) {
        return -EPERM;
    }
    assert(!(bs->open_flags & BDRV_O_INACTIVE));
    assert(!(flags & ~BDRV_REQ_MASK));
    assert(req->offset <= offset && offset + bytes <= req->offset + req->bytes);

    /* Wait for (or with NO_WAIT, refuse) overlapping serialising work. */
    if (flags & BDRV_REQ_SERIALISING) {
        align = bdrv_co_get_cluster_size(bs);
    }
    ret = bdrv_co_serialise_write(req, flags, align);
    if (ret < 0) {
        return ret;
    }

    switch (req->type) {
    case BDRV_TRACKED_WRITE:
    case BDRV_TRACKED_DISCARD:
        if (flags & BDRV_REQ_WRITE_UNCHANGED) {
            assert(child->perm & (BLK_PERM_WRITE_UNCHANGED | BLK_PERM_WRITE));
        } else {
            assert(child->perm & BLK_PERM_WRITE);
        }
        bdrv_write_threshold_check_write(bs, offset, bytes);
        return 0;
    case BDRV_TRACKED_TRUNCATE:
        assert(child->perm & BLK_PERM_RESIZE);
        return 0;
    default:
        abort();
    }
}

/* Tells every parent that @bs changed its length. */
static void GRAPH_RDLOCK bdrv_parent_cb_resize(BlockDriverState *bs)
{
    BdrvChild *c;

    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c->klass->resize) {
            c->klass->resize(c);
        }
    }
}

/* Bookkeeping after a successful (or failed) modification of the node. */
void coroutine_fn GRAPH_RDLOCK
bdrv_co_write_req_finish(BdrvChild *child, int64_t offset, int64_t bytes,
                         BdrvTrackedRequest *req, int ret)
{
    BlockDriverState *bs = child->bs;
    int64_t end_sector = DIV_ROUND_UP(offset + bytes, BDRV_SECTOR_SIZE);

    qatomic_inc(&bs->write_gen);

    if (req->type == BDRV_TRACKED_WRITE && bytes) {
        stat64_max(&bs->wr_highest_offset, offset + bytes);
    }

    /* A write past the end grows the node (protocols that allow it). */
    if (ret == 0 && req->type != BDRV_TRACKED_DISCARD &&
        (req->type == BDRV_TRACKED_TRUNCATE ||
         end_sector > bs->total_sectors)) {
        bs->total_sectors = end_sector;
        bdrv_parent_cb_resize(bs);
        if (req->type == BDRV_TRACKED_TRUNCATE) {
            bdrv_dirty_bitmap_truncate(bs, end_sector * BDRV_SECTOR_SIZE);
        }
    }
    /* Dirty bitmaps track every modification, failed ones included. */
    if (bytes && (req->type == BDRV_TRACKED_WRITE ||
                  req->type == BDRV_TRACKED_DISCARD)) {
        bdrv_set_dirty(bs, offset, bytes);
    }
}

/* --- Calling the driver -------------------------------------------------- */

void bdrv_co_io_em_complete(void *opaque, int ret)
{
    CoroutineIOCompletion *co = opaque;

    co->ret = ret;
    aio_co_wake(co->coroutine);
}

int coroutine_fn bdrv_co_io_em_wait(BlockAIOCB *acb,
                                    CoroutineIOCompletion *co)
{
    if (!acb) {
        return -EIO;
    }
    qemu_coroutine_yield();
    return co->ret;
}

/*
 * FUA emulation: the write just done must count as new for the flush,
 * although bdrv_co_write_req_finish() has not bumped write_gen yet.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_flush_after_write(BlockDriverState *bs)
{
    qatomic_inc(&bs->write_gen);
    return bdrv_co_flush(bs);
}

/*
 * Hands one read to whichever callback @bs's driver implements.  The
 * sector-based callback needs sector-aligned requests.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_driver_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, size_t qiov_offset, int flags)
{
    BlockDriver *drv = bs->drv;
    QEMUIOVector local_qiov;
    int ret;

    assert(!(flags & ~bs->supported_read_flags));
    if (!drv) {
        return -ENOMEDIUM;
    }
    if (drv->bdrv_co_preadv_part) {
        return drv->bdrv_co_preadv_part(bs, offset, bytes, qiov, qiov_offset,
                                        flags);
    }

    if (qiov_offset > 0 || bytes != qiov->size) {
        qemu_iovec_init_slice(&local_qiov, qiov, qiov_offset, bytes);
        qiov = &local_qiov;
    }

    if (drv->bdrv_co_preadv) {
        ret = drv->bdrv_co_preadv(bs, offset, bytes, qiov, flags);
    } else if (drv->bdrv_aio_preadv) {
        CoroutineIOCompletion co = { .coroutine = qemu_coroutine_self() };
        BlockAIOCB *acb = drv->bdrv_aio_preadv(bs, offset, bytes, qiov, flags,
                                               bdrv_co_io_em_complete, &co);
        ret = bdrv_co_io_em_wait(acb, &co);
    } else if (drv->bdrv_co_readv) {
        assert(QEMU_IS_ALIGNED(offset | bytes, BDRV_SECTOR_SIZE));
        assert(bytes <= BDRV_REQUEST_MAX_BYTES);
        ret = drv->bdrv_co_readv(bs, offset >> BDRV_SECTOR_BITS,
                                 bytes >> BDRV_SECTOR_BITS, qiov);
    } else {
        ret = -ENOTSUP;
    }

    if (qiov == &local_qiov) {
        qemu_iovec_destroy(&local_qiov);
    }
    return ret;
}

/* Write counterpart of bdrv_driver_preadv(); emulates FUA with a flush. */
int coroutine_fn GRAPH_RDLOCK
bdrv_driver_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, size_t qiov_offset,
                    BdrvRequestFlags flags)
{
    BlockDriver *drv = bs->drv;
    bool emulate_fua = false;
    QEMUIOVector local_qiov;
    int ret;

    if (!drv) {
        return -ENOMEDIUM;
    }
    if ((flags & BDRV_REQ_FUA) && !(bs->supported_write_flags & BDRV_REQ_FUA)) {
        flags &= ~BDRV_REQ_FUA;
        emulate_fua = true;
    }
    flags &= bs->supported_write_flags;

    if (drv->bdrv_co_pwritev_part) {
        ret = drv->bdrv_co_pwritev_part(bs, offset, bytes, qiov, qiov_offset,
                                        flags);
        goto out;
    }

    if (qiov_offset > 0 || bytes != qiov->size) {
        qemu_iovec_init_slice(&local_qiov, qiov, qiov_offset, bytes);
        qiov = &local_qiov;
    }

    if (drv->bdrv_co_pwritev) {
        ret = drv->bdrv_co_pwritev(bs, offset, bytes, qiov, flags);
    } else if (drv->bdrv_aio_pwritev) {
        CoroutineIOCompletion co = { .coroutine = qemu_coroutine_self() };
        BlockAIOCB *acb = drv->bdrv_aio_pwritev(bs, offset, bytes, qiov, flags,
                                                bdrv_co_io_em_complete, &co);
        ret = bdrv_co_io_em_wait(acb, &co);
    } else if (drv->bdrv_co_writev) {
        assert(QEMU_IS_ALIGNED(offset | bytes, BDRV_SECTOR_SIZE));
        assert(bytes <= BDRV_REQUEST_MAX_BYTES);
        ret = drv->bdrv_co_writev(bs, offset >> BDRV_SECTOR_BITS,
                                  bytes >> BDRV_SECTOR_BITS, qiov, flags);
    } else {
        ret = -ENOTSUP;
    }

    if (qiov == &local_qiov) {
        qemu_iovec_destroy(&local_qiov);
    }
out:
    if (ret == 0 && emulate_fua) {
        ret = bdrv_co_flush_after_write(bs);
    }
    return ret;
}

/* Compressed writes go to their own callbacks; no fallback exists. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_driver_pwritev_compressed(BlockDriverState *bs, int64_t offset,
                               int64_t bytes, QEMUIOVector *qiov,
                               size_t qiov_offset)
{
    BlockDriver *drv = bs->drv;
    QEMUIOVector local_qiov;
    int ret;

    if (!drv) {
        return -ENOMEDIUM;
    }
    if (!block_driver_can_compress(drv)) {
        return -ENOTSUP;
    }
    if (drv->bdrv_co_pwritev_compressed_part) {
        return drv->bdrv_co_pwritev_compressed_part(bs, offset, bytes, qiov,
                                                    qiov_offset);
    }
    if (qiov_offset == 0) {
        return drv->bdrv_co_pwritev_compressed(bs, offset, bytes, qiov);
    }
    qemu_iovec_init_slice(&local_qiov, qiov, qiov_offset, bytes);
    ret = drv->bdrv_co_pwritev_compressed(bs, offset, bytes, &local_qiov);
    qemu_iovec_destroy(&local_qiov);
    return ret;
}

/* Largest chunk handed to the driver in one call. */
int64_t bdrv_max_transfer(BlockDriverState *bs)
{
    int64_t max = MIN_NON_ZERO((int64_t)bs->bl.max_transfer,
                               (int64_t)BDRV_REQUEST_MAX_BYTES);

    return QEMU_ALIGN_DOWN(max, MAX(bs->bl.request_alignment, 1));
}

/*
 * Reads @bytes at @offset in driver-sized chunks.  What lies past the end
 * of the node reads as zeroes without asking the driver.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_preadv(BdrvChild *child, int64_t offset, int64_t bytes,
                  QEMUIOVector *qiov, size_t qiov_offset,
                  BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    int64_t max_transfer = bdrv_max_transfer(bs);
    int64_t len, readable, done = 0;
    int ret;

    len = bdrv_co_getlength(bs);
    if (len < 0) {
        return len;
    }
    /*
     * The driver is asked for whole alignment blocks, even where the last
     * one straddles the end of the node.
     */
    readable = QEMU_ALIGN_UP(MAX(0, len - offset),
                             MAX(bs->bl.request_alignment, 1));

    if (bytes <= readable && bytes <= max_transfer) {
        return bdrv_driver_preadv(bs, offset, bytes, qiov, qiov_offset,
                                  flags);
    }

    while (done < bytes) {
        int64_t num = bytes - done;

        if (done < readable) {
            num = MIN(MIN(num, readable - done), max_transfer);
            ret = bdrv_driver_preadv(bs, offset + done, num, qiov,
                                     qiov_offset + done, flags);
            if (ret < 0) {
                return ret;
            }
        } else {
            qemu_iovec_memset(qiov, qiov_offset + done, 0, num);
        }
        done += num;
    }
    return 0;
}

/* Hands an aligned data write to the driver in max_transfer pieces. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_write_pieces(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, size_t qiov_offset,
                     BdrvRequestFlags flags)
{
    int64_t max_transfer = bdrv_max_transfer(bs);
    int64_t done = 0;
    int ret = 0;

    if (bytes <= max_transfer) {
        return bdrv_driver_pwritev(bs, offset, bytes, qiov, qiov_offset,
                                   flags);
    }
    while (done < bytes && ret == 0) {
        int64_t num = MIN(bytes - done, max_transfer);

        /* FUA is only needed once everything has been written. */
        ret = bdrv_driver_pwritev(bs, offset + done, num, qiov,
                                  qiov_offset + done,
                                  num == bytes - done ? flags
                                  : flags & ~BDRV_REQ_FUA);
        done += num;
    }
    return ret;
}

int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_pwritev(BdrvChild *child, BdrvTrackedRequest *req,
                   int64_t offset, int64_t bytes, QEMUIOVector *qiov,
                   size_t qiov_offset, BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    int ret;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    ret = bdrv_co_write_req_prepare(child, offset, bytes, req, flags);
    if (ret < 0) {
        return ret;
    }
    flags &= ~(BDRV_REQ_SERIALISING | BDRV_REQ_NO_WAIT);

    flags = bdrv_detect_zeroes(bs, qiov, qiov_offset, bytes, flags);
    if (flags & BDRV_REQ_ZERO_WRITE) {
        BLKDBG_CO_EVENT(child, BLKDBG_PWRITEV_ZERO);
        ret = bdrv_co_do_pwrite_zeroes(bs, offset, bytes, flags);
    } else if (flags & BDRV_REQ_WRITE_COMPRESSED) {
        ret = bdrv_driver_pwritev_compressed(bs, offset, bytes, qiov,
                                             qiov_offset);
    } else {
        BLKDBG_CO_EVENT(child, BLKDBG_PWRITEV);
        ret = bdrv_co_write_pieces(bs, offset, bytes, qiov, qiov_offset,
                                   flags);
    }
    BLKDBG_CO_EVENT(child, BLKDBG_PWRITEV_DONE);

    bdrv_co_write_req_finish(child, offset, bytes, req, ret);
    return ret;
}

/* --- Public request entry points ----------------------------------------- */

/*
 * Makes a read request wait as its flags ask: copy-on-read and explicit
 * serialising reads claim whole clusters, everything else only waits
 * for serialising requests in its range.
 */
static void coroutine_fn GRAPH_RDLOCK
bdrv_co_serialise_read(BdrvTrackedRequest *req, BdrvRequestFlags flags)
{
    if (flags & (BDRV_REQ_COPY_ON_READ | BDRV_REQ_SERIALISING)) {
        bdrv_make_request_serialising(req,
                                      bdrv_co_get_cluster_size(req->bs));
    } else {
        bdrv_wait_serialising_requests(req);
    }
}

/* An (aligned) read under its own tracked request. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_preadv_tracked(BdrvChild *child, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, size_t qiov_offset,
                       BdrvRequestFlags flags)
{
    BdrvTrackedRequest req;
    int ret;

    tracked_request_begin(&req, child->bs, offset, bytes, BDRV_TRACKED_READ);
    bdrv_co_serialise_read(&req, flags);
    ret = bdrv_co_do_preadv_cor(child, offset, bytes, qiov, qiov_offset,
                                flags & ~BDRV_REQ_SERIALISING);
    tracked_request_end(&req);
    return ret;
}

int coroutine_fn bdrv_co_preadv_part(BdrvChild *child, int64_t offset,
                                     int64_t bytes, QEMUIOVector *qiov,
                                     size_t qiov_offset,
                                     BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    BdrvRequestPadding pad;
    bool padded;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();
    trace_bdrv_co_preadv_part(bs, offset, bytes, flags);

    if (!bdrv_co_is_inserted(bs)) {
        return -ENOMEDIUM;
    }
    ret = bdrv_check_request32(offset, bytes, qiov, qiov_offset);
    if (ret < 0) {
        return ret;
    }
    if (bytes == 0) {
        return 0;
    }

    if (qatomic_read(&bs->copy_on_read)) {
        flags |= BDRV_REQ_COPY_ON_READ;
    }

    bdrv_inc_in_flight(bs);
    padded = bdrv_pad_init(bs, offset, bytes, &pad);
    if (!padded) {
        ret = bdrv_co_preadv_tracked(child, offset, bytes, qiov, qiov_offset,
                                     flags);
    } else if (!qiov) {
        ret = bdrv_co_preadv_tracked(child, pad.start, pad.total, NULL, 0,
                                     flags);
    } else {
        /* Bounce buffers are not the caller's registered memory. */
        flags &= ~BDRV_REQ_REGISTERED_BUF;
        ret = bdrv_pad_qiov(bs, &pad, qiov, qiov_offset, bytes, false);
        if (ret == 0) {
            ret = bdrv_co_preadv_tracked(child, pad.start, pad.total,
                                         &pad.qiov, 0, flags);
        }
        if (ret == 0) {
            bdrv_pad_read_done(&pad, qiov, qiov_offset, bytes);
        }
    }
    if (padded) {
        bdrv_pad_destroy(&pad);
    }
    bdrv_dec_in_flight(bs);
    return ret;
}

int coroutine_fn bdrv_co_preadv(BdrvChild *child, int64_t offset,
                                int64_t bytes, QEMUIOVector *qiov,
                                BdrvRequestFlags flags)
{
    IO_CODE();
    return bdrv_co_preadv_part(child, offset, bytes, qiov, 0, flags);
}

/*
 * An unaligned write under @req: the partial blocks are read first
 * (with @req serialising, so nothing changes them meanwhile), then the
 * whole blocks are written.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_pwritev_padded(BdrvChild *child, BdrvTrackedRequest *req,
                       int64_t offset, int64_t bytes, QEMUIOVector *qiov,
                       size_t qiov_offset, BdrvRequestFlags flags,
                       BdrvRequestPadding *pad)
{
    int ret;

    /* Bounce buffers are not the caller's registered memory. */
    flags &= ~BDRV_REQ_REGISTERED_BUF;
    bdrv_make_request_serialising(req, pad->align);
    if (flags & BDRV_REQ_ZERO_WRITE) {
        return bdrv_pad_zero_pwritev(child, req, offset, bytes, flags, pad);
    }
    ret = bdrv_pad_rmw_read(child, pad);
    if (ret < 0) {
        return ret;
    }
    ret = bdrv_pad_qiov(child->bs, pad, qiov, qiov_offset, bytes, true);
    if (ret < 0) {
        return ret;
    }
    return bdrv_co_do_pwritev(child, req, pad->start, pad->total, &pad->qiov,
                              0, flags);
}

int coroutine_fn bdrv_co_pwritev_part(BdrvChild *child, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      size_t qiov_offset,
                                      BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    BdrvTrackedRequest req;
    BdrvRequestPadding pad;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();
    trace_bdrv_co_pwritev_part(bs, offset, bytes, flags);

    if (!bdrv_co_is_inserted(bs)) {
        return -ENOMEDIUM;
    }
    if (flags & BDRV_REQ_ZERO_WRITE) {
        ret = bdrv_check_qiov_request(offset, bytes, qiov, qiov_offset, NULL);
    } else {
        ret = bdrv_check_request32(offset, bytes, qiov, qiov_offset);
    }
    if (ret < 0) {
        return ret;
    }
    /* NO_WAIT only makes sense for serialising writes. */
    assert(!(flags & BDRV_REQ_NO_WAIT) || (flags & BDRV_REQ_SERIALISING));
    /*
     * Empty writes are no-ops, except an aligned empty compressed write:
     * it tells the driver a compressed stream ended (qcow2 pads its file).
     */
    if (bytes == 0 && (!(flags & BDRV_REQ_WRITE_COMPRESSED) ||
                       !QEMU_IS_ALIGNED(offset, bs->bl.request_alignment))) {
        return 0;
    }
    /* Read-modify-write is the slow path NO_FALLBACK asks to avoid. */
    if ((flags & BDRV_REQ_NO_FALLBACK) &&
        !QEMU_IS_ALIGNED(offset | bytes, bs->bl.request_alignment)) {
        return -ENOTSUP;
    }

    bdrv_inc_in_flight(bs);
    if (bdrv_pad_init(bs, offset, bytes, &pad)) {
        tracked_request_begin(&req, bs, pad.start, pad.total,
                              BDRV_TRACKED_WRITE);
        ret = bdrv_co_pwritev_padded(child, &req, offset, bytes, qiov,
                                     qiov_offset, flags, &pad);
        bdrv_pad_destroy(&pad);
    } else {
        tracked_request_begin(&req, bs, offset, bytes, BDRV_TRACKED_WRITE);
        ret = bdrv_co_do_pwritev(child, &req, offset, bytes, qiov,
                                 qiov_offset, flags);
    }
    tracked_request_end(&req);
    bdrv_dec_in_flight(bs);
    return ret;
}

int coroutine_fn bdrv_co_pwritev(BdrvChild *child, int64_t offset,
                                 int64_t bytes, QEMUIOVector *qiov,
                                 BdrvRequestFlags flags)
{
    IO_CODE();
    return bdrv_co_pwritev_part(child, offset, bytes, qiov, 0, flags);
}

/* --- Flush --------------------------------------------------------------- */

/* One driver flush-to-disk, through whichever callback exists. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_driver_flush_to_disk(BlockDriverState *bs)
{
    BlockDriver *drv = bs->drv;

    if (drv->bdrv_co_flush_to_disk) {
        return drv->bdrv_co_flush_to_disk(bs);
    } else if (drv->bdrv_aio_flush) {
        CoroutineIOCompletion co = { .coroutine = qemu_coroutine_self() };
        BlockAIOCB *acb = drv->bdrv_aio_flush(bs, bdrv_co_io_em_complete,
                                              &co);
        return bdrv_co_io_em_wait(acb, &co);
    }
    /* Nothing to flush: the driver writes through. */
    return 0;
}

/*
 * Flushes @bs itself: the whole-stack callback if the driver has one,
 * otherwise to the OS and then to the disk.  Returns 1 when the children
 * still need flushing, 0 when the driver covered them, -errno on failure.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_flush_node(BlockDriverState *bs, unsigned int gen)
{
    BlockDriver *drv = bs->drv;
    BdrvChild *primary = bdrv_primary_child(bs);
    int ret;

    if (drv->bdrv_co_flush) {
        return drv->bdrv_co_flush(bs);
    }
    BLKDBG_CO_EVENT(primary, BLKDBG_FLUSH_TO_OS);
    if (drv->bdrv_co_flush_to_os) {
        ret = drv->bdrv_co_flush_to_os(bs);
        if (ret < 0) {
            return ret;
        }
    }
    /* cache.no-flush stops here, as does a node with nothing new. */
    if ((bs->open_flags & BDRV_O_NO_FLUSH) || bs->flushed_gen == gen) {
        return 1;
    }
    BLKDBG_CO_EVENT(primary, BLKDBG_FLUSH_TO_DISK);
    ret = bdrv_driver_flush_to_disk(bs);
    return ret < 0 ? ret : 1;
}

int coroutine_fn bdrv_co_flush(BlockDriverState *bs)
{
    BdrvChild *child;
    unsigned int gen;
    int ret = 0;

    IO_CODE();
    assert_bdrv_graph_readable();

    bdrv_inc_in_flight(bs);
    if (!bdrv_co_is_inserted(bs) || bdrv_is_read_only(bs)) {
        goto done;
    }

    /*
     * One flush at a time per node, in the order they arrived: then a
     * flush that finds flushed_gen == gen knows every write it must cover
     * is already on disk.
     */
    qemu_mutex_lock(&bs->reqs_lock);
    gen = qatomic_read(&bs->write_gen);
    while (bs->active_flush_req) {
        qemu_co_queue_wait(&bs->flush_queue, &bs->reqs_lock);
    }
    bs->active_flush_req = true;
    qemu_mutex_unlock(&bs->reqs_lock);

    ret = bdrv_co_flush_node(bs, gen);
    if (ret > 0) {
        ret = 0;
        QLIST_FOREACH(child, &bs->children, next) {
            if (child->perm & (BLK_PERM_WRITE | BLK_PERM_WRITE_UNCHANGED)) {
                int child_ret = bdrv_co_flush(child->bs);

                ret = ret ? ret : child_ret;
            }
        }
    }

    if (ret == 0) {
        bs->flushed_gen = gen;
    }
    qemu_mutex_lock(&bs->reqs_lock);
    bs->active_flush_req = false;
    qemu_co_queue_next(&bs->flush_queue);
    qemu_mutex_unlock(&bs->reqs_lock);

done:
    bdrv_dec_in_flight(bs);
    return ret;
}

/* --- Cancelling AIO requests --------------------------------------------- */

void bdrv_aio_cancel_async(BlockAIOCB *acb)
{
    IO_CODE();
    if (acb->aiocb_info->cancel_async) {
        acb->aiocb_info->cancel_async(acb);
    }
}

void bdrv_aio_cancel(BlockAIOCB *acb)
{
    IO_CODE();

    /* Hold a reference so that the request outlives its completion. */
    qemu_aio_ref(acb);
    bdrv_aio_cancel_async(acb);
    while (acb->refcnt > 1) {
        AioContext *ctx;

        if (acb->aiocb_info->get_aio_context) {
            ctx = acb->aiocb_info->get_aio_context(acb);
        } else if (acb->bs) {
            ctx = bdrv_get_aio_context(acb->bs);
        } else {
            abort();
        }
        aio_poll(ctx, true);
    }
    qemu_aio_unref(acb);
}
