/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * graph-mod.c: the edges of the node graph.
 *
 * Creating and removing BdrvChild edges, the child_of_bds class used when
 * the parent is a node, moving edges between nodes (bdrv_replace_node,
 * bdrv_append, bdrv_drop_filter, backing/file changes, dropping the
 * middle of a backing chain).  The chain accessors and frozen chains are
 * in block/chain.c.
 *
 * Every change is done as a sequence of Transaction actions, so a failure
 * at any step (usually the permission check that follows, see perm.c)
 * puts every edge back where it was.  Changes happen under the graph
 * write lock; the functions annotated GRAPH_WRLOCK expect the caller to
 * hold it (and to have drained the nodes involved), the others take it.
 * Opening and closing nodes is in block.c, reopen in reopen.c.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "qapi/error.h"
#include "qemu/transactions.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"

/* --- References ------------------------------------------------------- */

/* Last references dropped under the write lock, waiting to go. */
static GSList *pending_unrefs;
static bool pending_unrefs_bh;

void bdrv_flush_pending_unrefs(void)
{
    GLOBAL_STATE_CODE();
    while (pending_unrefs) {
        BlockDriverState *bs = pending_unrefs->data;

        /* Unlink first: deleting may schedule more. */
        pending_unrefs = g_slist_delete_link(pending_unrefs, pending_unrefs);
        bdrv_unref(bs);
    }
}

static void pending_unrefs_bh_cb(void *opaque)
{
    pending_unrefs_bh = false;
    bdrv_flush_pending_unrefs();
}

void bdrv_schedule_unref(BlockDriverState *bs)
{
    if (!bs) {
        return;
    }
    assert(bs->refcnt > 0);
    if (bs->refcnt > 1) {
        bs->refcnt--;
        return;
    }
    pending_unrefs = g_slist_append(pending_unrefs, bs);
    if (!pending_unrefs_bh) {
        pending_unrefs_bh = true;
        aio_bh_schedule_oneshot(qemu_get_aio_context(), pending_unrefs_bh_cb,
                                NULL);
    }
}

/* --- child_of_bds ----------------------------------------------------- */

static char *bdrv_child_get_parent_desc(BdrvChild *c)
{
    BlockDriverState *parent = c->opaque;

    return g_strdup_printf("node '%s'", bdrv_get_node_name(parent));
}

static void GRAPH_RDLOCK bdrv_child_cb_drained_begin(BdrvChild *child)
{
    bdrv_do_drained_begin_quiesce(child->opaque, NULL);
}

static bool GRAPH_RDLOCK bdrv_child_cb_drained_poll(BdrvChild *child)
{
    return bdrv_drain_poll(child->opaque, NULL, false);
}

static void GRAPH_RDLOCK bdrv_child_cb_drained_end(BdrvChild *child)
{
    bdrv_drained_end(child->opaque);
}

/* Is @child the parent's backing edge (as opposed to its file edge)? */
static bool bdrv_child_is_backing(BdrvChild *child)
{
    return (child->role & BDRV_CHILD_COW) ||
           ((child->role & BDRV_CHILD_FILTERED) &&
            !strcmp(child->name, "backing"));
}

/*
 * A backing node may only take part in operations that keep the overlay
 * intact: being committed into, streamed from and backed up.
 */
static void GRAPH_RDLOCK bdrv_block_backing_ops(BlockDriverState *parent,
                                                BlockDriverState *backing_hd)
{
    assert(!parent->backing_blocker);
    error_setg(&parent->backing_blocker, "node is used as backing hd of '%s'",
               bdrv_get_device_or_node_name(parent));
    bdrv_op_block_all(backing_hd, parent->backing_blocker);
    bdrv_op_unblock(backing_hd, BLOCK_OP_TYPE_COMMIT_TARGET,
                    parent->backing_blocker);
    bdrv_op_unblock(backing_hd, BLOCK_OP_TYPE_STREAM,
                    parent->backing_blocker);
    bdrv_op_unblock(backing_hd, BLOCK_OP_TYPE_BACKUP_SOURCE,
                    parent->backing_blocker);
    bdrv_op_unblock(backing_hd, BLOCK_OP_TYPE_BACKUP_TARGET,
                    parent->backing_blocker);
}

static void GRAPH_WRLOCK bdrv_child_cb_attach(BdrvChild *child)
{
    BlockDriverState *parent = child->opaque;
    BlockDriverState *backing_hd = child->bs;

    QLIST_INSERT_HEAD(&parent->children, child, next);

    if (bdrv_child_is_backing(child)) {
        assert(!parent->backing);
        parent->backing = child;
        parent->open_flags &= ~BDRV_O_NO_BACKING;
        if (child->role & BDRV_CHILD_COW) {
            bdrv_refresh_filename(backing_hd);
            pstrcpy(parent->auto_backing_file,
                    sizeof(parent->auto_backing_file), backing_hd->filename);
            bdrv_block_backing_ops(parent, backing_hd);
        }
    } else if (child->role & BDRV_CHILD_PRIMARY) {
        assert(!parent->file);
        parent->file = child;
    }
}

static void GRAPH_WRLOCK bdrv_child_cb_detach(BdrvChild *child)
{
    BlockDriverState *parent = child->opaque;

    if (parent->backing == child) {
        if (parent->backing_blocker) {
            bdrv_op_unblock_all(child->bs, parent->backing_blocker);
            error_free(parent->backing_blocker);
            parent->backing_blocker = NULL;
        }
        parent->backing = NULL;
    }
    if (parent->file == child) {
        parent->file = NULL;
    }
    QLIST_REMOVE(child, next);
}

static bool GRAPH_RDLOCK
bdrv_child_cb_change_aio_ctx(BdrvChild *child, AioContext *ctx,
                             GHashTable *visited, Transaction *tran,
                             Error **errp)
{
    return bdrv_change_aio_context(child->opaque, ctx, visited, tran, errp);
}

/*
 * The backing node of @c's parent is now @base, named @filename: write
 * that into the parent's image header (briefly read-write if need be).
 * With @mask_protocol, a protocol node is recorded as "raw".
 */
static int bdrv_update_backing_link(BdrvChild *c, BlockDriverState *base,
                                    const char *filename, bool mask_protocol,
                                    Error **errp)
{
    BlockDriverState *parent = c->opaque;
    bool read_only = bdrv_is_read_only(parent);
    const char *format_name = "";
    int ret;

    if (read_only) {
        ret = bdrv_reopen_set_read_only(parent, false, errp);
        if (ret < 0) {
            return ret;
        }
    }
    if (base->drv) {
        format_name = mask_protocol && base->drv->protocol_name
                      ? "raw" : base->drv->format_name;
    }
    bdrv_graph_rdlock_main_loop();
    ret = bdrv_change_backing_file(parent, filename, format_name, false);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not update backing file link");
    }
    if (read_only) {
        bdrv_reopen_set_read_only(parent, true, NULL);
    }
    return ret;
}

static int bdrv_child_cb_update_filename(BdrvChild *c, BlockDriverState *base,
                                         const char *filename, Error **errp)
{
    return bdrv_update_backing_link(c, base, filename, false, errp);
}

AioContext *child_of_bds_get_parent_aio_context(BdrvChild *c)
{
    return bdrv_get_aio_context(c->opaque);
}

const BdrvChildClass child_of_bds = {
    .parent_is_bds          = true,
    .get_parent_desc        = bdrv_child_get_parent_desc,
    .inherit_options        = bdrv_inherited_options,
    .drained_begin          = bdrv_child_cb_drained_begin,
    .drained_poll           = bdrv_child_cb_drained_poll,
    .drained_end            = bdrv_child_cb_drained_end,
    .attach                 = bdrv_child_cb_attach,
    .detach                 = bdrv_child_cb_detach,
    .change_aio_ctx         = bdrv_child_cb_change_aio_ctx,
    .update_filename        = bdrv_child_cb_update_filename,
    .get_parent_aio_context = child_of_bds_get_parent_aio_context,
};

AioContext *bdrv_child_get_parent_aio_context(BdrvChild *c)
{
    if (c->klass->get_parent_aio_context) {
        return c->klass->get_parent_aio_context(c);
    }
    return qemu_get_aio_context();
}

/* --- Moving one edge -------------------------------------------------- */

void bdrv_replace_child_noperm(BdrvChild *child, BlockDriverState *new_bs)
{
    BlockDriverState *old_bs = child->bs;

    assert(!child->frozen);
    assert(old_bs != new_bs);
    GLOBAL_STATE_CODE();

    /*
     * The parent stays quiesced through this edge exactly while the node
     * below is drained.  Quiesce it before a drained node appears below
     * it, and let it go only once the new node is in place.
     */
    if (new_bs && new_bs->quiesce_counter && !child->quiesced_parent) {
        bdrv_parent_drained_begin_single(child);
    }

    if (old_bs) {
        if (child->klass->detach) {
            child->klass->detach(child);
        }
        QLIST_REMOVE(child, next_parent);
    }
    child->bs = new_bs;
    if (new_bs) {
        QLIST_INSERT_HEAD(&new_bs->parents, child, next_parent);
        if (child->klass->attach) {
            child->klass->attach(child);
        }
    }

    if ((!new_bs || !new_bs->quiesce_counter) && child->quiesced_parent) {
        bdrv_parent_drained_end_single(child);
    }
}

static void bdrv_child_free(BdrvChild *child)
{
    assert(!child->bs);
    g_free(child->name);
    g_free(child);
}

typedef struct ReplaceChildUndo {
    BdrvChild *child;
    BlockDriverState *old_bs;
    bool free_child;            /* removal: the edge goes away on commit */
} ReplaceChildUndo;

static void GRAPH_WRLOCK replace_child_commit(void *opaque)
{
    ReplaceChildUndo *u = opaque;

    if (u->free_child) {
        bdrv_child_free(u->child);
    }
    bdrv_schedule_unref(u->old_bs);
}

static void GRAPH_WRLOCK replace_child_abort(void *opaque)
{
    ReplaceChildUndo *u = opaque;
    BlockDriverState *new_bs = u->child->bs;

    /* The edge keeps its reference to old_bs; drop the one on new_bs. */
    bdrv_replace_child_noperm(u->child, u->old_bs);
    bdrv_schedule_unref(new_bs);
}

static TransactionActionDrv replace_child_drv = {
    .commit = replace_child_commit,
    .abort = replace_child_abort,
    .clean = g_free,
};

/*
 * Point @child at @new_bs (NULL: remove the edge, freeing it on commit).
 * The edge takes a reference to @new_bs; the one to the old node is
 * dropped on commit.
 */
static void GRAPH_WRLOCK bdrv_replace_child_tran(BdrvChild *child,
                                                 BlockDriverState *new_bs,
                                                 Transaction *tran)
{
    ReplaceChildUndo *u = g_new(ReplaceChildUndo, 1);

    *u = (ReplaceChildUndo) {
        .child = child,
        .old_bs = child->bs,
        .free_child = !new_bs,
    };
    if (new_bs) {
        bdrv_ref(new_bs);
    }
    bdrv_replace_child_noperm(child, new_bs);
    tran_add(tran, &replace_child_drv, u);
}

static void GRAPH_WRLOCK bdrv_remove_child(BdrvChild *child,
                                           Transaction *tran)
{
    if (child) {
        assert(child->bs);
        bdrv_replace_child_tran(child, NULL, tran);
    }
}

/* --- Creating edges --------------------------------------------------- */

typedef struct AttachChildUndo {
    BdrvChild *child;
    AioContext *old_child_ctx;
} AttachChildUndo;

static void GRAPH_WRLOCK attach_child_abort(void *opaque)
{
    AttachChildUndo *u = opaque;
    BlockDriverState *bs = u->child->bs;

    bdrv_replace_child_noperm(u->child, NULL);
    if (bdrv_get_aio_context(bs) != u->old_child_ctx) {
        bdrv_try_change_aio_context_locked(bs, u->old_child_ctx, NULL,
                                           NULL);
    }
    bdrv_schedule_unref(bs);
    bdrv_child_free(u->child);
}

static TransactionActionDrv attach_child_drv = {
    .abort = attach_child_abort,
    .clean = g_free,
};

/*
 * Move @child_bs (or, failing that, the parent) so that both sides of the
 * new edge @child are in the same AioContext.
 */
static bool GRAPH_RDLOCK bdrv_attach_align_ctx(BdrvChild *child,
                                               BlockDriverState *child_bs,
                                               Error **errp)
{
    AioContext *parent_ctx = bdrv_child_get_parent_aio_context(child);
    AioContext *child_ctx = bdrv_get_aio_context(child_bs);
    Error *local_err = NULL;
    GHashTable *visited;
    Transaction *tran;
    bool ok;

    if (parent_ctx == child_ctx ||
        bdrv_try_change_aio_context_locked(child_bs, parent_ctx, NULL,
                                           &local_err) == 0) {
        return true;
    }
    if (!child->klass->change_aio_ctx) {
        error_propagate(errp, local_err);
        return false;
    }

    tran = tran_new();
    visited = g_hash_table_new(NULL, NULL);
    g_hash_table_add(visited, child);
    ok = child->klass->change_aio_ctx(child, child_ctx, visited, tran, NULL);
    g_hash_table_destroy(visited);
    tran_finalize(tran, ok ? 0 : -EPERM);
    if (ok) {
        error_free(local_err);
    } else {
        error_propagate(errp, local_err);
    }
    return ok;
}

/*
 * Create an edge from the parent described by @child_class/@opaque to
 * @child_bs with the given permissions, without checking them.  The edge
 * holds a new reference to @child_bs.  Undone if @tran aborts.
 */
static BdrvChild * GRAPH_WRLOCK
bdrv_attach_child_common(BlockDriverState *child_bs, const char *child_name,
                         const BdrvChildClass *child_class,
                         BdrvChildRole child_role,
                         uint64_t perm, uint64_t shared_perm,
                         void *opaque, Transaction *tran, Error **errp)
{
    BdrvChild *child = g_new(BdrvChild, 1);
    AttachChildUndo *u;
    AioContext *old_ctx = bdrv_get_aio_context(child_bs);

    assert(child_class->get_parent_desc);
    GLOBAL_STATE_CODE();

    *child = (BdrvChild) {
        .name = g_strdup(child_name),
        .klass = child_class,
        .role = child_role,
        .perm = perm,
        .shared_perm = shared_perm,
        .opaque = opaque,
    };

    if (!bdrv_attach_align_ctx(child, child_bs, errp)) {
        bdrv_child_free(child);
        return NULL;
    }

    bdrv_ref(child_bs);
    bdrv_replace_child_noperm(child, child_bs);

    u = g_new(AttachChildUndo, 1);
    *u = (AttachChildUndo) {
        .child = child,
        .old_child_ctx = old_ctx,
    };
    tran_add(tran, &attach_child_drv, u);
    return child;
}

/* Is @child reachable from @parent through children (or the same)? */
static bool GRAPH_RDLOCK bdrv_recurse_has_child(BlockDriverState *parent,
                                                BlockDriverState *child)
{
    BdrvChild *c;

    if (parent == child) {
        return true;
    }
    QLIST_FOREACH(c, &parent->children, next) {
        if (bdrv_recurse_has_child(c->bs, child)) {
            return true;
        }
    }
    return false;
}

static BdrvChild * GRAPH_WRLOCK
bdrv_attach_child_noperm(BlockDriverState *parent_bs,
                         BlockDriverState *child_bs, const char *child_name,
                         const BdrvChildClass *child_class,
                         BdrvChildRole child_role, Transaction *tran,
                         Error **errp)
{
    uint64_t perm, shared;

    assert(parent_bs->drv);
    if (bdrv_recurse_has_child(child_bs, parent_bs)) {
        error_setg(errp, "Making '%s' a %s child of '%s' would create a "
                   "cycle", child_bs->node_name, child_name,
                   parent_bs->node_name);
        return NULL;
    }

    bdrv_get_cumulative_perm(parent_bs, &perm, &shared);
    bdrv_child_perm(parent_bs, child_bs, NULL, child_role, NULL,
                    perm, shared, &perm, &shared);
    return bdrv_attach_child_common(child_bs, child_name, child_class,
                                    child_role, perm, shared, parent_bs,
                                    tran, errp);
}

BdrvChild *bdrv_root_attach_child(BlockDriverState *child_bs,
                                  const char *child_name,
                                  const BdrvChildClass *child_class,
                                  BdrvChildRole child_role,
                                  uint64_t perm, uint64_t shared_perm,
                                  void *opaque, Error **errp)
{
    Transaction *tran = tran_new();
    BdrvChild *child;
    int ret = -EINVAL;

    GLOBAL_STATE_CODE();
    child = bdrv_attach_child_common(child_bs, child_name, child_class,
                                     child_role, perm, shared_perm, opaque,
                                     tran, errp);
    if (child) {
        ret = bdrv_refresh_perms(child_bs, tran, errp);
    }
    tran_finalize(tran, ret);

    /* The caller's reference is ours now; the edge holds its own. */
    bdrv_schedule_unref(child_bs);
    return ret < 0 ? NULL : child;
}

BdrvChild *bdrv_attach_child(BlockDriverState *parent_bs,
                             BlockDriverState *child_bs,
                             const char *child_name,
                             const BdrvChildClass *child_class,
                             BdrvChildRole child_role,
                             Error **errp)
{
    Transaction *tran = tran_new();
    BdrvChild *child;
    int ret = -EINVAL;

    GLOBAL_STATE_CODE();
    child = bdrv_attach_child_noperm(parent_bs, child_bs, child_name,
                                     child_class, child_role, tran, errp);
    if (child) {
        ret = bdrv_refresh_perms(parent_bs, tran, errp);
    }
    tran_finalize(tran, ret);

    bdrv_schedule_unref(child_bs);
    return ret < 0 ? NULL : child;
}

/* --- Removing edges --------------------------------------------------- */

void bdrv_root_unref_child(BdrvChild *child)
{
    BlockDriverState *child_bs = child->bs;

    GLOBAL_STATE_CODE();
    bdrv_replace_child_noperm(child, NULL);
    bdrv_child_free(child);

    if (child_bs) {
        /* Only restrictions go away, so failures here are harmless. */
        bdrv_refresh_perms(child_bs, NULL, NULL);
        /* Without the parent that wanted another context, go home. */
        bdrv_try_change_aio_context_locked(child_bs, qemu_get_aio_context(),
                                           NULL, NULL);
    }
    bdrv_schedule_unref(child_bs);
}

/*
 * @child (an edge of @root) is going away: if its node inherited its
 * options from @root through no other edge, it inherits from nothing.
 */
static void GRAPH_RDLOCK bdrv_unset_inherits_from(BlockDriverState *root,
                                                  BdrvChild *child)
{
    BdrvChild *c;

    if (child->bs->inherits_from != root) {
        return;
    }
    QLIST_FOREACH(c, &root->children, next) {
        if (c != child && c->bs == child->bs) {
            return;
        }
    }
    child->bs->inherits_from = NULL;
}

void bdrv_unref_child(BlockDriverState *parent, BdrvChild *child)
{
    GLOBAL_STATE_CODE();
    if (!child) {
        return;
    }
    assert(child->opaque == parent);
    assert(!child->frozen);
    bdrv_unset_inherits_from(parent, child);
    bdrv_root_unref_child(child);
}

/* --- Changing the file / backing edge --------------------------------- */

typedef struct InheritsFromUndo {
    BlockDriverState *bs;
    BlockDriverState *old;
} InheritsFromUndo;

static void inherits_from_abort(void *opaque)
{
    InheritsFromUndo *u = opaque;

    u->bs->inherits_from = u->old;
}

static TransactionActionDrv inherits_from_drv = {
    .abort = inherits_from_abort,
    .clean = g_free,
};

/*
 * A node that inherited from somewhere below @parent (through a node that
 * is now being bypassed) inherits from @parent directly.
 */
static void GRAPH_RDLOCK bdrv_update_inherits_from(BlockDriverState *child,
                                                   BlockDriverState *parent,
                                                   Transaction *tran)
{
    InheritsFromUndo *u;

    if (!child->inherits_from || child->inherits_from == parent ||
        !bdrv_recurse_has_child(parent, child->inherits_from)) {
        return;
    }
    u = g_new(InheritsFromUndo, 1);
    *u = (InheritsFromUndo) { .bs = child, .old = child->inherits_from };
    child->inherits_from = parent;
    tran_add(tran, &inherits_from_drv, u);
}

int bdrv_set_file_or_backing_noperm(BlockDriverState *parent,
                                    BlockDriverState *child_bs,
                                    bool is_backing, Transaction *tran,
                                    Error **errp)
{
    BdrvChild *child = is_backing ? parent->backing : parent->file;
    BdrvChildRole role;

    if (!parent->drv) {
        error_setg(errp, "Node '%s' has no driver", parent->node_name);
        return -EINVAL;
    }
    if (child && child->frozen) {
        error_setg(errp, "Cannot change frozen '%s' link from '%s' to '%s'",
                   child->name, parent->node_name, child->bs->node_name);
        return -EPERM;
    }
    if (is_backing && !parent->drv->is_filter &&
        !parent->drv->supports_backing) {
        error_setg(errp, "Driver '%s' of node '%s' does not support backing "
                   "files", parent->drv->format_name, parent->node_name);
        return -EINVAL;
    }

    if (parent->drv->is_filter) {
        role = BDRV_CHILD_FILTERED | BDRV_CHILD_PRIMARY;
    } else if (is_backing) {
        role = BDRV_CHILD_COW;
    } else {
        role = BDRV_CHILD_IMAGE | BDRV_CHILD_PRIMARY;
    }

    if (child) {
        bdrv_unset_inherits_from(parent, child);
        bdrv_remove_child(child, tran);
    }
    if (child_bs) {
        child = bdrv_attach_child_noperm(parent, child_bs,
                                         is_backing ? "backing" : "file",
                                         &child_of_bds, role, tran, errp);
        if (!child) {
            return -EINVAL;
        }
        bdrv_update_inherits_from(child_bs, parent, tran);
    }
    bdrv_refresh_limits(parent, tran, NULL);
    return 0;
}

int bdrv_set_backing_hd(BlockDriverState *bs, BlockDriverState *backing_hd,
                        Error **errp)
{
    Transaction *tran = tran_new();
    int ret;

    GLOBAL_STATE_CODE();
    ret = bdrv_set_file_or_backing_noperm(bs, backing_hd, true, tran, errp);
    if (ret == 0) {
        ret = bdrv_refresh_perms(bs, tran, errp);
    }
    tran_finalize(tran, ret);
    return ret;
}

/* --- Moving parents between nodes ------------------------------------- */

/*
 * Moving @c to @to must not make a loop: its parent must not be @to or
 * lie below it.
 */
static bool GRAPH_RDLOCK bdrv_should_update_child(BdrvChild *c,
                                                  BlockDriverState *to)
{
    if (c->klass->stay_at_node) {
        return false;
    }
    if (c->klass->parent_is_bds) {
        return !bdrv_recurse_has_child(to, c->opaque);
    }
    return true;
}

/*
 * Point the parents of @from at @to.  Parents where that would make a
 * loop are skipped if @auto_skip, an error otherwise.
 */
static int GRAPH_WRLOCK bdrv_replace_node_noperm(BlockDriverState *from,
                                                 BlockDriverState *to,
                                                 bool auto_skip,
                                                 Transaction *tran,
                                                 Error **errp)
{
    BdrvChild *c, *next;

    QLIST_FOREACH_SAFE(c, &from->parents, next_parent, next) {
        assert(c->bs == from);
        if (!bdrv_should_update_child(c, to)) {
            if (auto_skip) {
                continue;
            }
            error_setg(errp, "Should not change '%s' link to '%s'",
                       c->name, from->node_name);
            return -EINVAL;
        }
        if (c->frozen) {
            error_setg(errp, "Cannot change '%s' link to '%s'",
                       c->name, from->node_name);
            return -EPERM;
        }
        bdrv_replace_child_tran(c, to, tran);
    }
    return 0;
}

/*
 * With @detach_subchain, @from must be a filter on top of @to; its edge
 * to @to is removed in the same transaction (dropping a filter).
 */
static int GRAPH_WRLOCK bdrv_replace_node_common(BlockDriverState *from,
                                                 BlockDriverState *to,
                                                 bool auto_skip,
                                                 bool detach_subchain,
                                                 Error **errp)
{
    Transaction *tran = tran_new();
    GSList *refresh = NULL;
    int ret;

    GLOBAL_STATE_CODE();
    assert(from != to);
    if (bdrv_get_aio_context(from) != bdrv_get_aio_context(to)) {
        error_setg(errp, "Cannot replace node '%s' with a node in another "
                   "AioContext", bdrv_get_node_name(from));
        tran_abort(tran);
        return -EINVAL;
    }

    /* Keep @from alive until its last parent is gone for good. */
    bdrv_ref(from);

    if (detach_subchain) {
        assert(bdrv_filter_bs(from) == to);
        bdrv_remove_child(bdrv_filter_child(from), tran);
    }
    ret = bdrv_replace_node_noperm(from, to, auto_skip, tran, errp);
    if (ret == 0) {
        refresh = g_slist_prepend(refresh, to);
        refresh = g_slist_prepend(refresh, from);
        ret = bdrv_list_refresh_perms(refresh, NULL, tran, errp);
        g_slist_free(refresh);
    }
    tran_finalize(tran, ret);
    bdrv_schedule_unref(from);
    return ret;
}

int bdrv_replace_node(BlockDriverState *from, BlockDriverState *to,
                      Error **errp)
{
    return bdrv_replace_node_common(from, to, true, false, errp);
}

/* Does @child inherit from @parent, directly or through other nodes? */
static bool bdrv_inherits_from_recursive(BlockDriverState *child,
                                         BlockDriverState *parent)
{
    while (child && child != parent) {
        child = child->inherits_from;
    }
    return child != NULL;
}

/*
 * Before dropping the chain between @top and @base: check it, name the
 * new backing file (*name if @backing_file_str is NULL) and list the
 * parents of @top that will move.  False if @base is not below @top.
 */
static bool GRAPH_RDLOCK bdrv_drop_intermediate_prepare(
    BlockDriverState *top, BlockDriverState *base, char **name,
    GSList **parents)
{
    BdrvChild *c;

    if (!top->drv || !base->drv || !bdrv_chain_contains(top, base)) {
        return false;
    }
    bdrv_refresh_filename(base);
    *name = g_strdup(base->filename);
    QLIST_FOREACH(c, &top->parents, next_parent) {
        *parents = g_slist_prepend(*parents, c);
    }
    return true;
}

/* The parents in @parents now point at @base: fix their image headers. */
static int bdrv_update_backing_links(GSList *parents, BlockDriverState *base,
                                     const char *backing_file_str,
                                     bool backing_mask_protocol)
{
    Error *local_err = NULL;
    GSList *p;
    int ret = 0;

    for (p = parents; p && ret == 0; p = p->next) {
        BdrvChild *c = p->data;

        if (c->klass == &child_of_bds) {
            ret = bdrv_update_backing_link(c, base, backing_file_str,
                                           backing_mask_protocol, &local_err);
        } else if (c->klass->update_filename) {
            ret = c->klass->update_filename(c, base, backing_file_str,
                                            &local_err);
        }
    }
    if (ret < 0) {
        error_report_err(local_err);
    }
    return ret;
}

int bdrv_drop_intermediate(BlockDriverState *top, BlockDriverState *base,
                           const char *backing_file_str,
                           bool backing_mask_protocol)
{
    g_autofree char *base_name = NULL;
    BlockDriverState *explicit_top;
    Error *local_err = NULL;
    GSList *parents = NULL;
    bool update_inherits_from, ok;
    int ret = -EIO;

    GLOBAL_STATE_CODE();
    bdrv_ref(top);
    bdrv_drained_begin(base);

    bdrv_graph_rdlock_main_loop();
    /* An implicit top (a job's filter) is nobody's inheritance root. */
    explicit_top = bdrv_skip_implicit_filters(top);
    update_inherits_from = bdrv_inherits_from_recursive(base, explicit_top);
    ok = bdrv_drop_intermediate_prepare(top, base, &base_name, &parents);
    bdrv_graph_rdunlock_main_loop();
    if (!ok) {
        goto out;
    }

    bdrv_graph_wrlock();
    ret = bdrv_replace_node_common(top, base, false, false, &local_err);
    bdrv_graph_wrunlock();
    if (ret < 0) {
        error_report_err(local_err);
        goto out;
    }

    ret = bdrv_update_backing_links(parents, base,
                                    backing_file_str ?: base_name,
                                    backing_mask_protocol);
    if (ret == 0 && update_inherits_from) {
        base->inherits_from = explicit_top->inherits_from;
    }

out:
    g_slist_free(parents);
    bdrv_drained_end(base);
    bdrv_unref(top);
    return ret;
}

int bdrv_drop_filter(BlockDriverState *bs, Error **errp)
{
    BlockDriverState *child;
    int ret;

    GLOBAL_STATE_CODE();
    bdrv_graph_rdlock_main_loop();
    child = bdrv_filter_bs(bs);
    bdrv_graph_rdunlock_main_loop();
    if (!child) {
        error_setg(errp, "Node '%s' is not a filter with a child",
                   bdrv_get_node_name(bs));
        return -EINVAL;
    }

    bdrv_ref(bs);
    bdrv_drained_begin(bs);
    bdrv_drained_begin(child);
    bdrv_graph_wrlock();
    ret = bdrv_replace_node_common(bs, child, true, true, errp);
    bdrv_graph_wrunlock();
    bdrv_drained_end(child);
    bdrv_drained_end(bs);
    bdrv_unref(bs);
    return ret;
}

int bdrv_append(BlockDriverState *bs_new, BlockDriverState *bs_top,
                Error **errp)
{
    Transaction *tran = tran_new();
    BdrvChild *child;
    BdrvChildRole role;
    GSList *refresh;
    int ret;

    GLOBAL_STATE_CODE();
    bdrv_ref(bs_top);
    bdrv_drained_begin(bs_top);
    bdrv_drained_begin(bs_new);
    bdrv_graph_wrlock();
    assert(!bs_new->backing);

    role = bs_new->drv && bs_new->drv->is_filter ?
           BDRV_CHILD_FILTERED | BDRV_CHILD_PRIMARY : BDRV_CHILD_COW;
    child = bdrv_attach_child_noperm(bs_new, bs_top, "backing",
                                     &child_of_bds, role, tran, errp);
    if (!child) {
        ret = -EINVAL;
        goto out;
    }
    ret = bdrv_replace_node_noperm(bs_top, bs_new, true, tran, errp);
    if (ret < 0) {
        goto out;
    }
    refresh = g_slist_prepend(NULL, bs_top);
    refresh = g_slist_prepend(refresh, bs_new);
    ret = bdrv_list_refresh_perms(refresh, NULL, tran, errp);
    g_slist_free(refresh);

out:
    tran_finalize(tran, ret);
    bdrv_refresh_limits(bs_top, NULL, NULL);
    if (ret == 0) {
        bdrv_refresh_limits(bs_new, NULL, NULL);
    }
    bdrv_graph_wrunlock();
    bdrv_drained_end(bs_new);
    bdrv_drained_end(bs_top);
    bdrv_unref(bs_top);
    return ret;
}

int bdrv_replace_child_bs(BdrvChild *child, BlockDriverState *new_bs,
                          Error **errp)
{
    Transaction *tran = tran_new();
    BlockDriverState *old_bs = child->bs;
    GSList *refresh;
    int ret;

    GLOBAL_STATE_CODE();
    bdrv_ref(old_bs);
    bdrv_drained_begin(old_bs);
    bdrv_drained_begin(new_bs);
    bdrv_graph_wrlock();

    if (child->frozen) {
        error_setg(errp, "Cannot change '%s' link to '%s'", child->name,
                   old_bs->node_name);
        ret = -EPERM;
    } else {
        bdrv_replace_child_tran(child, new_bs, tran);
        refresh = g_slist_prepend(NULL, new_bs);
        refresh = g_slist_prepend(refresh, old_bs);
        ret = bdrv_list_refresh_perms(refresh, NULL, tran, errp);
        g_slist_free(refresh);
    }
    tran_finalize(tran, ret);

    bdrv_graph_wrunlock();
    bdrv_drained_end(new_bs);
    bdrv_drained_end(old_bs);
    bdrv_unref(old_bs);
    return ret;
}
