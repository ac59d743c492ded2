/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/block-backend.c: BlockBackend, the handle devices and tools hold
 * on a node graph.
 *
 * A BlockBackend is the parent of one root node (through a child_root
 * edge) or of none ("no medium").  This file keeps what belongs to the
 * user rather than the image: creation and naming, the root edge and the
 * permissions taken through it, the AioContext, the device callbacks,
 * drain and the queue of requests parked while drained, and the error
 * policy with its I/O status.  The requests themselves (coroutine, AIO
 * and synchronous forms) are in block/block-backend-io.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "qemu/transactions.h"
#include "block/aio-wait.h"
#include "block/block_int.h"
#include "block/accounting.h"
#include "sysemu/block-backend.h"
#include "block-backend-internal.h"
#include "trace/trace-block.h"

/* Every BlockBackend, and the monitor-owned (named) ones.  Main loop. */
static QTAILQ_HEAD(, BlockBackend) block_backends =
    QTAILQ_HEAD_INITIALIZER(block_backends);
static QTAILQ_HEAD(, BlockBackend) monitor_block_backends =
    QTAILQ_HEAD_INITIALIZER(monitor_block_backends);

static const BdrvChildClass child_root;

/* --- Creation and destruction -------------------------------------------- */

BlockBackend *blk_new(AioContext *ctx, uint64_t perm, uint64_t shared_perm)
{
    BlockBackend *blk;

    GLOBAL_STATE_CODE();

    blk = g_new0(BlockBackend, 1);
    blk->refcnt = 1;
    blk->ctx = ctx;
    blk->perm = perm;
    blk->shared_perm = shared_perm;
    blk->enable_write_cache = true;
    blk->on_read_error = BLOCKDEV_ON_ERROR_REPORT;
    blk->on_write_error = BLOCKDEV_ON_ERROR_ENOSPC;
    block_acct_init(&blk->stats);

    qemu_mutex_init(&blk->queued_requests_lock);
    qemu_co_queue_init(&blk->queued_requests);

    QTAILQ_INSERT_TAIL(&block_backends, blk, link);
    return blk;
}

BlockBackend *blk_new_with_bs(BlockDriverState *bs, uint64_t perm,
                              uint64_t shared_perm, Error **errp)
{
    BlockBackend *blk = blk_new(bdrv_get_aio_context(bs), perm, shared_perm);

    GLOBAL_STATE_CODE();

    if (blk_insert_bs(blk, bs, errp) < 0) {
        blk_unref(blk);
        return NULL;
    }
    return blk;
}

BlockBackend *blk_new_open(const char *filename, const char *reference,
                           QDict *options, int flags, Error **errp)
{
    uint64_t perm = BLK_PERM_CONSISTENT_READ;
    uint64_t shared = BLK_PERM_ALL;
    BlockDriverState *bs;
    BlockBackend *blk;

    GLOBAL_STATE_CODE();

    /* What the flags ask for is what the backend takes on its root. */
    if (flags & BDRV_O_RDWR) {
        perm |= BLK_PERM_WRITE;
    }
    if (flags & BDRV_O_RESIZE) {
        perm |= BLK_PERM_RESIZE;
    }
    if (flags & BDRV_O_NO_SHARE) {
        shared = BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED;
    }

    bs = bdrv_open(filename, reference, options, flags, errp);
    if (!bs) {
        return NULL;
    }

    /* bdrv_open() may have put the node into another AioContext. */
    blk = blk_new_with_bs(bs, perm, shared, errp);
    bdrv_unref(bs);
    return blk;
}

static void blk_delete(BlockBackend *blk)
{
    assert(!blk->refcnt);
    assert(!blk->name);
    assert(!blk->dev);

    if (blk->root) {
        blk_remove_bs(blk);
    }
    assert(QLIST_EMPTY(&blk->aio_notifiers));
    qemu_mutex_destroy(&blk->queued_requests_lock);
    QTAILQ_REMOVE(&block_backends, blk, link);
    block_acct_cleanup(&blk->stats);
    g_free(blk);
}

int blk_get_refcnt(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk ? blk->refcnt : 0;
}

void blk_ref(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    assert(blk->refcnt > 0);
    blk->refcnt++;
}

void blk_unref(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();

    if (!blk) {
        return;
    }
    assert(blk->refcnt > 0);
    if (blk->refcnt > 1) {
        blk->refcnt--;
        return;
    }
    /* Nobody else holds a reference, so the drain cannot resurrect it. */
    blk_drain(blk);
    assert(blk->refcnt == 1);
    blk->refcnt = 0;
    blk_delete(blk);
}

/* --- Lists and names ----------------------------------------------------- */

BlockBackend *blk_all_next(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk ? QTAILQ_NEXT(blk, link) : QTAILQ_FIRST(&block_backends);
}

BlockBackend *blk_next(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk ? QTAILQ_NEXT(blk, monitor_link)
               : QTAILQ_FIRST(&monitor_block_backends);
}

void blk_remove_all_bs(void)
{
    BlockBackend *blk = NULL;

    GLOBAL_STATE_CODE();

    while ((blk = blk_all_next(blk)) != NULL) {
        if (blk->root) {
            blk_remove_bs(blk);
        }
    }
}

bool monitor_add_blk(BlockBackend *blk, const char *name, Error **errp)
{
    GLOBAL_STATE_CODE();
    assert(!blk->name);
    assert(name && name[0]);

    if (blk_by_name(name)) {
        error_setg(errp, "Device with id '%s' already exists", name);
        return false;
    }
    if (bdrv_find_node(name)) {
        error_setg(errp, "Device name '%s' conflicts with an existing node "
                   "name", name);
        return false;
    }
    blk->name = g_strdup(name);
    QTAILQ_INSERT_TAIL(&monitor_block_backends, blk, monitor_link);
    return true;
}

void monitor_remove_blk(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();

    if (!blk->name) {
        return;
    }
    QTAILQ_REMOVE(&monitor_block_backends, blk, monitor_link);
    g_free(blk->name);
    blk->name = NULL;
}

const char *blk_name(const BlockBackend *blk)
{
    IO_CODE();
    return blk->name ?: "";
}

BlockBackend *blk_by_name(const char *name)
{
    BlockBackend *blk = NULL;

    GLOBAL_STATE_CODE();
    assert(name);
    while ((blk = blk_next(blk)) != NULL) {
        if (!strcmp(name, blk->name)) {
            return blk;
        }
    }
    return NULL;
}

BlockBackendPublic *blk_get_public(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return &blk->public;
}

BlockBackend *blk_by_public(BlockBackendPublic *public)
{
    GLOBAL_STATE_CODE();
    return container_of(public, BlockBackend, public);
}

/* --- The root node ------------------------------------------------------- */

BlockDriverState *blk_bs(BlockBackend *blk)
{
    IO_CODE();
    return blk->root ? blk->root->bs : NULL;
}

int blk_insert_bs(BlockBackend *blk, BlockDriverState *bs, Error **errp)
{
    GLOBAL_STATE_CODE();
    assert(!blk->root);

    /* The edge holds its own reference; attaching drops it on failure. */
    bdrv_ref(bs);
    bdrv_graph_wrlock();
    blk->root = bdrv_root_attach_child(bs, "root", &child_root,
                                       BDRV_CHILD_FILTERED |
                                       BDRV_CHILD_PRIMARY,
                                       blk->perm, blk->shared_perm,
                                       blk, errp);
    bdrv_graph_wrunlock();
    return blk->root ? 0 : -EPERM;
}

void blk_update_root_state(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    assert(bs);

    blk->root_state.open_flags = bs->open_flags;
    blk->root_state.detect_zeroes = bs->detect_zeroes;
}

void blk_remove_bs(BlockBackend *blk)
{
    BdrvChild *root;

    GLOBAL_STATE_CODE();
    assert(blk->root);

    blk_update_root_state(blk);

    /* No request may still use the edge once it is gone. */
    blk_drain(blk);
    root = blk->root;
    blk->root = NULL;

    bdrv_graph_wrlock();
    bdrv_root_unref_child(root);
    bdrv_graph_wrunlock();
}

int blk_replace_bs(BlockBackend *blk, BlockDriverState *new_bs, Error **errp)
{
    GLOBAL_STATE_CODE();
    return bdrv_replace_child_bs(blk->root, new_bs, errp);
}

int blk_set_perm(BlockBackend *blk, uint64_t perm, uint64_t shared_perm,
                 Error **errp)
{
    GLOBAL_STATE_CODE();

    if (blk->root && !blk->disable_perm) {
        int ret;

        bdrv_graph_rdlock_main_loop();
        ret = bdrv_child_try_set_perm(blk->root, perm, shared_perm, errp);
        bdrv_graph_rdunlock_main_loop();
        if (ret < 0) {
            return ret;
        }
    }
    blk->perm = perm;
    blk->shared_perm = shared_perm;
    return 0;
}

void blk_get_perm(BlockBackend *blk, uint64_t *perm, uint64_t *shared_perm)
{
    GLOBAL_STATE_CODE();
    *perm = blk->perm;
    *shared_perm = blk->shared_perm;
}

void blk_set_force_allow_inactivate(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    blk->force_allow_inactivate = true;
}

/* Operation blockers are the root node's. */
bool blk_op_is_blocked(BlockBackend *blk, BlockOpType op, Error **errp)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    if (!bs) {
        return false;
    }
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    return bdrv_op_is_blocked(bs, op, errp);
}

void blk_op_unblock(BlockBackend *blk, BlockOpType op, Error *reason)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    if (bs) {
        bdrv_op_unblock(bs, op, reason);
    }
}

void blk_op_block_all(BlockBackend *blk, Error *reason)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    if (bs) {
        bdrv_op_block_all(bs, reason);
    }
}

void blk_op_unblock_all(BlockBackend *blk, Error *reason)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    if (bs) {
        bdrv_op_unblock_all(bs, reason);
    }
}

bool blk_supports_write_perm(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    if (bs) {
        return !bdrv_is_read_only(bs);
    }
    return blk->root_state.open_flags & BDRV_O_RDWR;
}

bool blk_is_writable(BlockBackend *blk)
{
    IO_CODE();
    return blk->perm & BLK_PERM_WRITE;
}

bool coroutine_fn blk_co_is_inserted(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    IO_CODE();
    /* Callers need not hold the graph lock; nested locking is fine. */
    GRAPH_RDLOCK_GUARD();
    return bs && bdrv_co_is_inserted(bs);
}

bool coroutine_fn blk_co_is_available(BlockBackend *blk)
{
    IO_CODE();
    return blk_co_is_inserted(blk) && !blk_dev_is_tray_open(blk);
}

bool blk_is_available(BlockBackend *blk)
{
    IO_CODE();
    return blk_is_inserted(blk) && !blk_dev_is_tray_open(blk);
}

bool blk_is_sg(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    return bs && bdrv_is_sg(bs);
}

BdrvChild *blk_root(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk->root;
}

int blk_make_empty(BlockBackend *blk, Error **errp)
{
    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    if (!blk_is_available(blk)) {
        error_setg(errp, "No medium inserted");
        return -ENOMEDIUM;
    }
    return bdrv_make_empty(blk->root, errp);
}

bool bdrv_has_blk(BlockDriverState *bs)
{
    BdrvChild *c;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c->klass == &child_root) {
            return true;
        }
    }
    return false;
}

bool bdrv_is_root_node(BlockDriverState *bs)
{
    BdrvChild *c;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c->klass != &child_root) {
            return false;
        }
    }
    return true;
}

BlockBackendRootState *blk_get_root_state(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return &blk->root_state;
}

int blk_get_open_flags_from_root_state(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk->root_state.open_flags;
}

bool blk_get_detect_zeroes_from_root_state(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk->root_state.detect_zeroes != BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF;
}

int blk_get_flags(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    return bs ? bdrv_get_flags(bs) : blk->root_state.open_flags;
}

void blk_set_allow_write_beyond_eof(BlockBackend *blk, bool allow)
{
    IO_CODE();
    blk->allow_write_beyond_eof = allow;
}

void blk_set_allow_aio_context_change(BlockBackend *blk, bool allow)
{
    IO_CODE();
    blk->allow_aio_context_change = allow;
}

void blk_set_disable_request_queuing(BlockBackend *blk, bool disable)
{
    IO_CODE();
    qatomic_set(&blk->disable_request_queuing, disable);
}

bool blk_enable_write_cache(BlockBackend *blk)
{
    IO_CODE();
    return blk->enable_write_cache;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool wce)
{
    IO_CODE();
    blk->enable_write_cache = wce;
}

BlockAcctStats *blk_get_stats(BlockBackend *blk)
{
    IO_CODE();
    return &blk->stats;
}

bool blk_register_buf(BlockBackend *blk, void *host, size_t size,
                      Error **errp)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    return bs ? bdrv_register_buf(bs, host, size, errp) : true;
}

void blk_unregister_buf(BlockBackend *blk, void *host, size_t size)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    if (bs) {
        bdrv_unregister_buf(bs, host, size);
    }
}

/* --- AioContext ---------------------------------------------------------- */

AioContext *blk_get_aio_context(BlockBackend *blk)
{
    IO_CODE();

    if (!blk) {
        return qemu_get_aio_context();
    }
    return qatomic_read(&blk->ctx);
}

/* Moving the backend is part of the node's context change transaction. */
typedef struct BlkSetAioContextState {
    BlockBackend *blk;
    AioContext *new_ctx;
} BlkSetAioContextState;

static void blk_set_aio_context_commit(void *opaque)
{
    BlkSetAioContextState *s = opaque;

    qatomic_set(&s->blk->ctx, s->new_ctx);
}

static TransactionActionDrv blk_set_aio_context_drv = {
    .commit = blk_set_aio_context_commit,
    .clean = g_free,
};

static bool blk_root_change_aio_ctx(BdrvChild *child, AioContext *ctx,
                                    GHashTable *visited, Transaction *tran,
                                    Error **errp)
{
    BlockBackend *blk = child->opaque;
    BlkSetAioContextState *s;

    /* A backend nobody uses (or one told to follow) may simply move. */
    if (!blk->allow_aio_context_change && (!blk->name || blk->dev)) {
        error_setg(errp, "Cannot change iothread of active block backend");
        return false;
    }
    s = g_new(BlkSetAioContextState, 1);
    *s = (BlkSetAioContextState) { .blk = blk, .new_ctx = ctx };
    tran_add(tran, &blk_set_aio_context_drv, s);
    return true;
}

int blk_set_aio_context(BlockBackend *blk, AioContext *new_context,
                        Error **errp)
{
    BlockDriverState *bs = blk_bs(blk);
    bool old_allow;
    int ret;

    GLOBAL_STATE_CODE();

    if (!bs) {
        qatomic_set(&blk->ctx, new_context);
        return 0;
    }

    /* We asked for the move: our own edge must not veto it. */
    bdrv_ref(bs);
    old_allow = blk->allow_aio_context_change;
    blk->allow_aio_context_change = true;
    ret = bdrv_try_change_aio_context(bs, new_context, NULL, errp);
    blk->allow_aio_context_change = old_allow;
    bdrv_unref(bs);
    return ret;
}

void blk_add_aio_context_notifier(BlockBackend *blk,
        void (*attached_aio_context)(AioContext *new_context, void *opaque),
        void (*detach_aio_context)(void *opaque), void *opaque)
{
    BlockBackendAioNotifier *n = g_new(BlockBackendAioNotifier, 1);
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    *n = (BlockBackendAioNotifier) {
        .attached_aio_context = attached_aio_context,
        .detach_aio_context = detach_aio_context,
        .opaque = opaque,
    };
    QLIST_INSERT_HEAD(&blk->aio_notifiers, n, list);
    if (bs) {
        bdrv_add_aio_context_notifier(bs, attached_aio_context,
                                      detach_aio_context, opaque);
    }
}

void blk_remove_aio_context_notifier(BlockBackend *blk,
                                     void (*attached_aio_context)(AioContext *,
                                                                  void *),
                                     void (*detach_aio_context)(void *),
                                     void *opaque)
{
    BlockBackendAioNotifier *n;
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();
    if (bs) {
        bdrv_remove_aio_context_notifier(bs, attached_aio_context,
                                         detach_aio_context, opaque);
    }
    QLIST_FOREACH(n, &blk->aio_notifiers, list) {
        if (n->attached_aio_context == attached_aio_context &&
            n->detach_aio_context == detach_aio_context &&
            n->opaque == opaque) {
            QLIST_REMOVE(n, list);
            g_free(n);
            return;
        }
    }
    g_assert_not_reached();
}

/* The root edge appears / goes: move the notifiers along with it. */
static void GRAPH_WRLOCK blk_root_attach(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;
    BlockBackendAioNotifier *n;

    trace_blk_root_attach(child, blk, child->bs);
    QLIST_FOREACH(n, &blk->aio_notifiers, list) {
        bdrv_add_aio_context_notifier(child->bs, n->attached_aio_context,
                                      n->detach_aio_context, n->opaque);
    }
}

static void GRAPH_WRLOCK blk_root_detach(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;
    BlockBackendAioNotifier *n;

    trace_blk_root_detach(child, blk, child->bs);
    QLIST_FOREACH(n, &blk->aio_notifiers, list) {
        bdrv_remove_aio_context_notifier(child->bs, n->attached_aio_context,
                                         n->detach_aio_context, n->opaque);
    }
}

/* --- Devices ------------------------------------------------------------- */

int blk_attach_dev(BlockBackend *blk, DeviceState *dev)
{
    GLOBAL_STATE_CODE();

    if (blk->dev) {
        return -EBUSY;
    }
    blk_ref(blk);
    blk->dev = dev;
    blk_iostatus_reset(blk);
    return 0;
}

void blk_detach_dev(BlockBackend *blk, DeviceState *dev)
{
    GLOBAL_STATE_CODE();
    assert(blk->dev == dev);

    blk->dev = NULL;
    blk->dev_ops = NULL;
    blk->dev_opaque = NULL;
    blk_set_perm(blk, 0, BLK_PERM_ALL, &error_abort);
    blk_unref(blk);
}

DeviceState *blk_get_attached_dev(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk->dev;
}

char *blk_get_attached_dev_id(BlockBackend *blk)
{
    IO_CODE();
    /* Devices have no QOM path in this tree: name the backend instead. */
    return g_strdup(blk->dev ? blk_name(blk) : "");
}

BlockBackend *blk_by_dev(void *dev)
{
    BlockBackend *blk = NULL;

    GLOBAL_STATE_CODE();
    assert(dev != NULL);
    while ((blk = blk_all_next(blk)) != NULL) {
        if (blk->dev == dev) {
            return blk;
        }
    }
    return NULL;
}

void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops, void *opaque)
{
    GLOBAL_STATE_CODE();
    blk->dev_ops = ops;
    blk->dev_opaque = opaque;
}

void blk_dev_change_media_cb(BlockBackend *blk, bool load, Error **errp)
{
    GLOBAL_STATE_CODE();

    if (blk->dev_ops && blk->dev_ops->change_media_cb) {
        blk->dev_ops->change_media_cb(blk->dev_opaque, load, errp);
    }
}

bool blk_dev_has_removable_media(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return !blk->dev || (blk->dev_ops && blk->dev_ops->change_media_cb);
}

bool blk_dev_has_tray(BlockBackend *blk)
{
    IO_CODE();
    return blk->dev_ops && blk->dev_ops->is_tray_open;
}

void blk_dev_eject_request(BlockBackend *blk, bool force)
{
    GLOBAL_STATE_CODE();

    if (blk->dev_ops && blk->dev_ops->eject_request_cb) {
        blk->dev_ops->eject_request_cb(blk->dev_opaque, force);
    }
}

bool blk_dev_is_tray_open(BlockBackend *blk)
{
    IO_CODE();

    if (blk_dev_has_tray(blk)) {
        return blk->dev_ops->is_tray_open(blk->dev_opaque);
    }
    return false;
}

bool blk_dev_is_medium_locked(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();

    if (blk->dev_ops && blk->dev_ops->is_medium_locked) {
        return blk->dev_ops->is_medium_locked(blk->dev_opaque);
    }
    return false;
}

/* --- Drain and request queuing ------------------------------------------- */

void blk_inc_in_flight(BlockBackend *blk)
{
    IO_CODE();
    qatomic_inc(&blk->in_flight);
}

void blk_dec_in_flight(BlockBackend *blk)
{
    IO_CODE();
    assert(qatomic_read(&blk->in_flight) > 0);
    qatomic_dec(&blk->in_flight);
    aio_wait_kick();
}

/*
 * While the backend is quiesced, a new request parks here until
 * drained_end.  It stops counting as in flight while it waits, or the
 * drain would wait for it forever.
 */
void coroutine_fn blk_wait_while_drained(BlockBackend *blk)
{
    assert(qatomic_read(&blk->in_flight) > 0);

    if (qatomic_read(&blk->quiesce_counter) &&
        !qatomic_read(&blk->disable_request_queuing)) {
        qemu_mutex_lock(&blk->queued_requests_lock);
        blk_dec_in_flight(blk);
        qemu_co_queue_wait(&blk->queued_requests, &blk->queued_requests_lock);
        blk_inc_in_flight(blk);
        qemu_mutex_unlock(&blk->queued_requests_lock);
    }
}

static void blk_root_drained_begin(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;

    if (qatomic_fetch_inc(&blk->quiesce_counter) == 0) {
        if (blk->dev_ops && blk->dev_ops->drained_begin) {
            blk->dev_ops->drained_begin(blk->dev_opaque);
        }
    }
}

static bool blk_root_drained_poll(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;
    bool busy = false;

    assert(qatomic_read(&blk->quiesce_counter));
    if (blk->dev_ops && blk->dev_ops->drained_poll) {
        busy = blk->dev_ops->drained_poll(blk->dev_opaque);
    }
    return busy || qatomic_read(&blk->in_flight) != 0;
}

static void blk_root_drained_end(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;

    assert(qatomic_read(&blk->quiesce_counter));
    if (qatomic_fetch_dec(&blk->quiesce_counter) != 1) {
        return;
    }
    if (blk->dev_ops && blk->dev_ops->drained_end) {
        blk->dev_ops->drained_end(blk->dev_opaque);
    }
    /* Let the parked requests go, in arrival order. */
    qemu_mutex_lock(&blk->queued_requests_lock);
    while (qemu_co_enter_next(&blk->queued_requests,
                              &blk->queued_requests_lock)) {
        /* each one runs until it yields */
    }
    qemu_mutex_unlock(&blk->queued_requests_lock);
}

bool blk_in_drain(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return qatomic_read(&blk->quiesce_counter);
}

void blk_drain(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);

    GLOBAL_STATE_CODE();

    if (bs) {
        bdrv_ref(bs);
        bdrv_drained_begin(bs);
    }
    /* Requests without a medium (-ENOMEDIUM) may still be completing. */
    AIO_WAIT_WHILE_UNLOCKED(blk_get_aio_context(blk),
                            qatomic_read(&blk->in_flight) > 0);
    if (bs) {
        bdrv_drained_end(bs);
        bdrv_unref(bs);
    }
}

void blk_drain_all(void)
{
    BlockBackend *blk = NULL;

    GLOBAL_STATE_CODE();

    bdrv_drain_all_begin();
    while ((blk = blk_all_next(blk)) != NULL) {
        AIO_WAIT_WHILE_UNLOCKED(blk_get_aio_context(blk),
                                qatomic_read(&blk->in_flight) > 0);
    }
    bdrv_drain_all_end();
}

/* --- Error policy and I/O status ----------------------------------------- */

void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error)
{
    GLOBAL_STATE_CODE();
    blk->on_read_error = on_read_error;
    blk->on_write_error = on_write_error;
}

BlockdevOnError blk_get_on_error(BlockBackend *blk, bool is_read)
{
    IO_CODE();
    return is_read ? blk->on_read_error : blk->on_write_error;
}

BlockErrorAction blk_get_error_action(BlockBackend *blk, bool is_read,
                                      int error)
{
    IO_CODE();

    switch (blk_get_on_error(blk, is_read)) {
    case BLOCKDEV_ON_ERROR_ENOSPC:
        return error == ENOSPC ? BLOCK_ERROR_ACTION_STOP
                               : BLOCK_ERROR_ACTION_REPORT;
    case BLOCKDEV_ON_ERROR_STOP:
        return BLOCK_ERROR_ACTION_STOP;
    case BLOCKDEV_ON_ERROR_REPORT:
        return BLOCK_ERROR_ACTION_REPORT;
    case BLOCKDEV_ON_ERROR_IGNORE:
        return BLOCK_ERROR_ACTION_IGNORE;
    case BLOCKDEV_ON_ERROR_AUTO:
    default:
        abort();
    }
}

void blk_error_action(BlockBackend *blk, BlockErrorAction action,
                      bool is_read, int error)
{
    IO_CODE();
    assert(error >= 0);

    /*
     * A stopping error is remembered in the I/O status; there is no VM
     * to stop and no QMP event to send in this tree yet.
     */
    if (action == BLOCK_ERROR_ACTION_STOP) {
        blk_iostatus_set_err(blk, error);
    }
}

bool blk_iostatus_is_enabled(const BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    /* Only the werror/rerror=stop-style policies track a status. */
    return blk->iostatus_enabled &&
           (blk->on_write_error == BLOCKDEV_ON_ERROR_ENOSPC ||
            blk->on_write_error == BLOCKDEV_ON_ERROR_STOP ||
            blk->on_read_error == BLOCKDEV_ON_ERROR_STOP);
}

void blk_iostatus_enable(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    blk->iostatus_enabled = true;
    blk->iostatus = BLOCK_DEVICE_IO_STATUS_OK;
}

void blk_iostatus_disable(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    blk->iostatus_enabled = false;
}

BlockDeviceIoStatus blk_iostatus(const BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    return blk->iostatus;
}

void blk_iostatus_reset(BlockBackend *blk)
{
    GLOBAL_STATE_CODE();
    if (blk_iostatus_is_enabled(blk)) {
        blk->iostatus = BLOCK_DEVICE_IO_STATUS_OK;
    }
}

void blk_iostatus_set_err(BlockBackend *blk, int error)
{
    IO_CODE();
    assert(blk_iostatus_is_enabled(blk));
    if (blk->iostatus == BLOCK_DEVICE_IO_STATUS_OK) {
        blk->iostatus = error == ENOSPC ? BLOCK_DEVICE_IO_STATUS_NOSPACE
                                        : BLOCK_DEVICE_IO_STATUS_FAILED;
    }
}

/* --- The root edge's callbacks ------------------------------------------- */

static char *blk_root_get_parent_desc(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;

    if (blk->name) {
        return g_strdup_printf("block device '%s'", blk->name);
    }
    return g_strdup("an unnamed block device");
}

static const char *blk_root_get_name(BdrvChild *child)
{
    return blk_name(child->opaque);
}

static void blk_root_change_media(BdrvChild *child, bool load)
{
    blk_dev_change_media_cb(child->opaque, load, NULL);
}

static void blk_root_resize(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;

    if (blk->dev_ops && blk->dev_ops->resize_cb) {
        blk->dev_ops->resize_cb(blk->dev_opaque);
    }
}

static AioContext *blk_root_get_parent_aio_context(BdrvChild *child)
{
    BlockBackend *blk = child->opaque;

    return qatomic_read(&blk->ctx);
}

static const BdrvChildClass child_root = {
    .get_parent_desc        = blk_root_get_parent_desc,
    .get_name               = blk_root_get_name,
    .change_media           = blk_root_change_media,
    .resize                 = blk_root_resize,

    .drained_begin          = blk_root_drained_begin,
    .drained_poll           = blk_root_drained_poll,
    .drained_end            = blk_root_drained_end,

    .attach                 = blk_root_attach,
    .detach                 = blk_root_detach,
    .change_aio_ctx         = blk_root_change_aio_ctx,
    .get_parent_aio_context = blk_root_get_parent_aio_context,
};
