/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio-ctx.c: moving nodes between AioContexts.
 *
 * A node, the nodes connected to it and the parents that can follow
 * (through BdrvChildClass.change_aio_ctx) always move together, as one
 * Transaction: first every participant is visited and may refuse, then
 * the driver of each node is detached from the old context and attached
 * to the new one.  Deliberately simple: the caller drains the node it
 * moves, and nothing here polls.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "qapi/error.h"
#include "qemu/transactions.h"

typedef struct AioCtxMove {
    BlockDriverState *bs;
    AioContext *new_ctx;
} AioCtxMove;

/* Detach from the old context, switch, attach to the new one. */
static void aio_ctx_move_commit(void *opaque)
{
    AioCtxMove *m = opaque;
    BlockDriverState *bs = m->bs;
    BdrvAioNotifier *ban, *next;

    QLIST_FOREACH_SAFE(ban, &bs->aio_notifiers, list, next) {
        ban->detach_aio_context(ban->opaque);
    }
    if (bs->drv && bs->drv->bdrv_detach_aio_context) {
        bs->drv->bdrv_detach_aio_context(bs);
    }
    bs->aio_context = m->new_ctx;
    if (bs->drv && bs->drv->bdrv_attach_aio_context) {
        bs->drv->bdrv_attach_aio_context(bs, m->new_ctx);
    }
    QLIST_FOREACH_SAFE(ban, &bs->aio_notifiers, list, next) {
        ban->attached_aio_context(m->new_ctx, ban->opaque);
    }
}

static TransactionActionDrv aio_ctx_move_drv = {
    .commit = aio_ctx_move_commit,
    .clean = g_free,
};

bool bdrv_child_change_aio_context(BdrvChild *c, AioContext *ctx,
                                   GHashTable *visited, Transaction *tran,
                                   Error **errp)
{
    g_autofree char *user = NULL;

    if (g_hash_table_contains(visited, c)) {
        return true;
    }
    g_hash_table_add(visited, c);

    if (!c->klass->change_aio_ctx) {
        user = c->klass->get_parent_desc(c);
        error_setg(errp, "Changing iothreads is not supported by %s", user);
        return false;
    }
    return c->klass->change_aio_ctx(c, ctx, visited, tran, errp);
}

/*
 * Record the move of @bs and of everything connected to it (parents that
 * can follow, and children) into @ctx.  False with @errp set if some
 * parent cannot follow.
 */
bool bdrv_change_aio_context(BlockDriverState *bs, AioContext *ctx,
                             GHashTable *visited, Transaction *tran,
                             Error **errp)
{
    BdrvChild *c;
    AioCtxMove *m;

    if (bdrv_get_aio_context(bs) == ctx || g_hash_table_contains(visited,
                                                                 bs)) {
        return true;
    }
    g_hash_table_add(visited, bs);

    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (!bdrv_child_change_aio_context(c, ctx, visited, tran, errp)) {
            return false;
        }
    }
    QLIST_FOREACH(c, &bs->children, next) {
        if (g_hash_table_contains(visited, c)) {
            continue;
        }
        g_hash_table_add(visited, c);
        if (!bdrv_change_aio_context(c->bs, ctx, visited, tran, errp)) {
            return false;
        }
    }

    m = g_new(AioCtxMove, 1);
    *m = (AioCtxMove) { .bs = bs, .new_ctx = ctx };
    tran_add(tran, &aio_ctx_move_drv, m);
    return true;
}

int bdrv_try_change_aio_context_locked(BlockDriverState *bs, AioContext *ctx,
                                       BdrvChild *ignore_child, Error **errp)
{
    GHashTable *visited = g_hash_table_new(NULL, NULL);
    Transaction *tran = tran_new();
    bool ok;

    GLOBAL_STATE_CODE();
    if (ignore_child) {
        g_hash_table_add(visited, ignore_child);
    }
    ok = bdrv_change_aio_context(bs, ctx, visited, tran, errp);
    g_hash_table_destroy(visited);
    tran_finalize(tran, ok ? 0 : -EPERM);
    return ok ? 0 : -EPERM;
}

int bdrv_try_change_aio_context(BlockDriverState *bs, AioContext *ctx,
                                BdrvChild *ignore_child, Error **errp)
{
    int ret;

    GLOBAL_STATE_CODE();
    if (bdrv_get_aio_context(bs) == ctx) {
        return 0;
    }
    bdrv_drained_begin(bs);
    bdrv_graph_rdlock_main_loop();
    ret = bdrv_try_change_aio_context_locked(bs, ctx, ignore_child, errp);
    bdrv_graph_rdunlock_main_loop();
    bdrv_drained_end(bs);
    return ret;
}
