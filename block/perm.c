/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * perm.c: the permission system of the node graph.
 *
 * Each edge (BdrvChild) carries the BLK_PERM_* its parent uses on the child
 * node and the ones it lets others share.  A node's cumulative permissions
 * are what all its parents use together; two parents conflict when one
 * uses something another does not share.  A node turns its cumulative
 * permissions into permissions on its own children through the driver's
 * .bdrv_child_perm (usually bdrv_default_perms() or
 * bdrv_filter_default_perms(), defined here), so an update walks the graph
 * downwards, parents before children.  Every change is recorded in a
 * Transaction: drivers see .bdrv_check_perm first and then either
 * .bdrv_set_perm (commit) or .bdrv_abort_perm_update (abort).
 *
 * Graph edits live in block/graph-mod.c and call in here once the edges
 * are in place.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "qapi/error.h"
#include "qemu/transactions.h"

static const struct {
    uint64_t perm;
    const char *name;
} perm_table[] = {
    { BLK_PERM_CONSISTENT_READ, "consistent read" },
    { BLK_PERM_WRITE,           "write" },
    { BLK_PERM_WRITE_UNCHANGED, "write unchanged" },
    { BLK_PERM_RESIZE,          "resize" },
};

char *bdrv_perm_names(uint64_t perm)
{
    GString *out = g_string_new(NULL);
    size_t i;

    for (i = 0; i < ARRAY_SIZE(perm_table); i++) {
        if (!(perm & perm_table[i].perm)) {
            continue;
        }
        if (out->len) {
            g_string_append(out, ", ");
        }
        g_string_append(out, perm_table[i].name);
    }
    return g_string_free(out, false);
}

void bdrv_get_cumulative_perm(BlockDriverState *bs, uint64_t *perm,
                              uint64_t *shared_perm)
{
    BdrvChild *c;
    uint64_t used = 0;
    uint64_t shared = BLK_PERM_ALL;

    QLIST_FOREACH(c, &bs->parents, next_parent) {
        used |= c->perm;
        shared &= c->shared_perm;
    }
    *perm = used;
    *shared_perm = shared;
}

/* --- Reopen queue lookups ------------------------------------------- */

static BlockReopenQueueEntry *reopen_entry(BlockReopenQueue *q,
                                           BlockDriverState *bs)
{
    BlockReopenQueueEntry *e;

    if (!q) {
        return NULL;
    }
    QTAILQ_FOREACH(e, q, entry) {
        if (e->state.bs == bs) {
            return e;
        }
    }
    return NULL;
}

int bdrv_reopen_get_flags(BlockReopenQueue *q, BlockDriverState *bs)
{
    BlockReopenQueueEntry *e = reopen_entry(q, bs);

    return e ? e->state.flags : bs->open_flags;
}

/*
 * Writable means opened read-write and not handed over to someone else
 * (inactive).
 */
static bool bdrv_is_writable_after_reopen(BlockDriverState *bs,
                                          BlockReopenQueue *q)
{
    int flags = bdrv_reopen_get_flags(q, bs);

    return (flags & (BDRV_O_RDWR | BDRV_O_INACTIVE)) == BDRV_O_RDWR;
}

bool bdrv_is_writable(BlockDriverState *bs)
{
    IO_CODE();
    return bdrv_is_writable_after_reopen(bs, NULL);
}

/* --- Default child permissions --------------------------------------- */

void bdrv_filter_default_perms(BlockDriverState *bs, BdrvChild *c,
                               BdrvChildRole role,
                               BlockReopenQueue *reopen_queue,
                               uint64_t perm, uint64_t shared,
                               uint64_t *nperm, uint64_t *nshared)
{
    /* A filter needs exactly what its users need, and shares the same. */
    *nperm = perm & DEFAULT_PERM_PASSTHROUGH;
    *nshared = (shared & DEFAULT_PERM_PASSTHROUGH) | DEFAULT_PERM_UNCHANGED;
}

/* Backing (COW) children are only ever read. */
static void bdrv_perms_for_cow(BlockDriverState *bs, uint64_t perm,
                               uint64_t shared, uint64_t *nperm,
                               uint64_t *nshared)
{
    uint64_t s;

    /* Users who tolerate changing data tolerate a changing backing file. */
    s = (shared & BLK_PERM_WRITE) ? BLK_PERM_WRITE | BLK_PERM_RESIZE : 0;
    s |= BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE_UNCHANGED;
    if (bs->open_flags & BDRV_O_INACTIVE) {
        s |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
    }
    *nperm = perm & BLK_PERM_CONSISTENT_READ;
    *nshared = s;
}

/* Children holding this node's data and/or metadata. */
static void GRAPH_RDLOCK
bdrv_perms_for_storage(BlockDriverState *bs, BdrvChildRole role,
                       BlockReopenQueue *q, uint64_t perm, uint64_t shared,
                       uint64_t *nperm, uint64_t *nshared)
{
    uint64_t p, s;

    bdrv_filter_default_perms(bs, NULL, role, q, perm, shared, &p, &s);

    if (role & BDRV_CHILD_METADATA) {
        /* Metadata is read always and written whenever the node may be. */
        p |= BLK_PERM_CONSISTENT_READ;
        if (bdrv_is_writable_after_reopen(bs, q)) {
            p |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
        }
        /* Nobody else may change what the metadata describes. */
        s &= ~(BLK_PERM_WRITE | BLK_PERM_RESIZE);
    }

    if (role & BDRV_CHILD_DATA) {
        /* The format may depend on the size of its data child. */
        s &= ~BLK_PERM_RESIZE;
        /* Unchanged guest data can still mean changed clusters. */
        if (p & BLK_PERM_WRITE_UNCHANGED) {
            p |= BLK_PERM_WRITE;
        }
        /* Writing may extend the file. */
        if (p & BLK_PERM_WRITE) {
            p |= BLK_PERM_RESIZE;
        }
    }

    if (bs->open_flags & BDRV_O_INACTIVE) {
        s |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
    }
    *nperm = p;
    *nshared = s;
}

void bdrv_default_perms(BlockDriverState *bs, BdrvChild *c,
                        BdrvChildRole role, BlockReopenQueue *reopen_queue,
                        uint64_t perm, uint64_t shared,
                        uint64_t *nperm, uint64_t *nshared)
{
    if (role & BDRV_CHILD_FILTERED) {
        assert(!(role & (BDRV_CHILD_DATA | BDRV_CHILD_METADATA |
                         BDRV_CHILD_COW)));
        bdrv_filter_default_perms(bs, c, role, reopen_queue, perm, shared,
                                  nperm, nshared);
    } else if (role & BDRV_CHILD_COW) {
        assert(!(role & (BDRV_CHILD_DATA | BDRV_CHILD_METADATA)));
        bdrv_perms_for_cow(bs, perm, shared, nperm, nshared);
    } else {
        assert(role & (BDRV_CHILD_DATA | BDRV_CHILD_METADATA));
        bdrv_perms_for_storage(bs, role, reopen_queue, perm, shared,
                               nperm, nshared);
    }
}

/*
 * What @bs asks of @child_bs through an edge with @role (@c may be NULL
 * for an edge that does not exist yet).
 */
void bdrv_child_perm(BlockDriverState *bs, BlockDriverState *child_bs,
                     BdrvChild *c, BdrvChildRole role,
                     BlockReopenQueue *reopen_queue,
                     uint64_t parent_perm, uint64_t parent_shared,
                     uint64_t *nperm, uint64_t *nshared)
{
    assert(bs->drv && bs->drv->bdrv_child_perm);
    bs->drv->bdrv_child_perm(bs, c, role, reopen_queue, parent_perm,
                             parent_shared, nperm, nshared);
    if (child_bs && child_bs->force_share) {
        *nshared = BLK_PERM_ALL;
    }
}

/* --- Conflict checks -------------------------------------------------- */

static char *bdrv_child_user_desc(BdrvChild *c)
{
    if (c->klass->get_parent_desc) {
        return c->klass->get_parent_desc(c);
    }
    return g_strdup("another user");
}

/* Does @a share everything that @b uses?  Both are parents of one node. */
static bool bdrv_a_allows_b(BdrvChild *a, BdrvChild *b, Error **errp)
{
    g_autofree char *a_user = NULL;
    g_autofree char *a_denies = NULL;
    g_autofree char *b_user = NULL;
    g_autofree char *b_uses = NULL;

    assert(a->bs && a->bs == b->bs);
    if (!(b->perm & ~a->shared_perm)) {
        return true;
    }

    a_user = bdrv_child_user_desc(a);
    a_denies = bdrv_perm_names(b->perm & ~a->shared_perm);
    b_user = bdrv_child_user_desc(b);
    b_uses = bdrv_perm_names(b->perm);
    error_setg(errp, "Permission conflict on node '%s': %s wants to use it "
               "as '%s', which requires these permissions: %s. On the "
               "other hand %s wants to use it as '%s', which doesn't "
               "share: %s",
               bdrv_get_node_name(b->bs), b_user, b->name, b_uses,
               a_user, a->name, a_denies);
    return false;
}

static bool GRAPH_RDLOCK bdrv_parents_agree(BlockDriverState *bs,
                                            Error **errp)
{
    BdrvChild *a, *b;

    /* Sharing is not symmetric, so every ordered pair is looked at. */
    QLIST_FOREACH(a, &bs->parents, next_parent) {
        QLIST_FOREACH(b, &bs->parents, next_parent) {
            if (a != b && !bdrv_a_allows_b(a, b, errp)) {
                return false;
            }
        }
    }
    return true;
}

/* --- Transaction actions ---------------------------------------------- */

typedef struct ChildPermUndo {
    BdrvChild *child;
    uint64_t old_perm;
    uint64_t old_shared;
} ChildPermUndo;

static void child_perm_abort(void *opaque)
{
    ChildPermUndo *u = opaque;

    u->child->perm = u->old_perm;
    u->child->shared_perm = u->old_shared;
}

static TransactionActionDrv child_perm_drv = {
    .abort = child_perm_abort,
    .clean = g_free,
};

void bdrv_child_set_perm_tran(BdrvChild *c, uint64_t perm, uint64_t shared,
                              Transaction *tran)
{
    ChildPermUndo *u = g_new(ChildPermUndo, 1);

    *u = (ChildPermUndo) {
        .child = c,
        .old_perm = c->perm,
        .old_shared = c->shared_perm,
    };
    c->perm = perm;
    c->shared_perm = shared;
    tran_add(tran, &child_perm_drv, u);
}

/*
 * The driver saw .bdrv_check_perm; it now gets exactly one of
 * .bdrv_set_perm (with the permissions in effect after the whole
 * transaction) or .bdrv_abort_perm_update.
 */
static void GRAPH_RDLOCK drv_perm_commit(void *opaque)
{
    BlockDriverState *bs = opaque;
    uint64_t perm, shared;

    if (bs->drv && bs->drv->bdrv_set_perm) {
        bdrv_get_cumulative_perm(bs, &perm, &shared);
        bs->drv->bdrv_set_perm(bs, perm, shared);
    }
}

static void GRAPH_RDLOCK drv_perm_abort(void *opaque)
{
    BlockDriverState *bs = opaque;

    if (bs->drv && bs->drv->bdrv_abort_perm_update) {
        bs->drv->bdrv_abort_perm_update(bs);
    }
}

static TransactionActionDrv drv_perm_drv = {
    .commit = drv_perm_commit,
    .abort = drv_perm_abort,
};

/* --- The update walk -------------------------------------------------- */

/*
 * Check @bs against its parents' wishes and hand the result down to its
 * children's edges.  The children themselves are visited later.
 */
static int GRAPH_RDLOCK bdrv_node_refresh_perm(BlockDriverState *bs,
                                               BlockReopenQueue *q,
                                               Transaction *tran,
                                               Error **errp)
{
    BlockDriver *drv = bs->drv;
    BdrvChild *c;
    uint64_t perm, shared;
    int ret;

    if (!drv) {
        /* A node being closed has nothing to check. */
        return 0;
    }

    bdrv_get_cumulative_perm(bs, &perm, &shared);
    if ((perm & (BLK_PERM_WRITE | BLK_PERM_WRITE_UNCHANGED)) &&
        !bdrv_is_writable_after_reopen(bs, q)) {
        if (!bdrv_is_writable_after_reopen(bs, NULL)) {
            error_setg(errp, "Block node is read-only");
        } else {
            error_setg(errp, "Read-only block node '%s' cannot support "
                       "read-write users", bdrv_get_node_name(bs));
        }
        return -EPERM;
    }

    if (!bdrv_parents_agree(bs, errp)) {
        return -EPERM;
    }

    if (drv->bdrv_check_perm) {
        ret = drv->bdrv_check_perm(bs, perm, shared, errp);
        if (ret < 0) {
            return ret;
        }
    }
    /* Nodes in a transaction outlive it: the graph change holds them. */
    tran_add(tran, &drv_perm_drv, bs);

    if (!drv->bdrv_child_perm) {
        /* Only drivers without children may leave the callback out. */
        assert(QLIST_EMPTY(&bs->children));
        return 0;
    }

    QLIST_FOREACH(c, &bs->children, next) {
        uint64_t cperm, cshared;

        bdrv_child_perm(bs, c->bs, c, c->role, q, perm, shared,
                        &cperm, &cshared);
        bdrv_child_set_perm_tran(c, cperm, cshared, tran);
    }
    return 0;
}

/*
 * Depth-first post-order over children, prepending: the result lists
 * every node after all of its parents among the visited ones.
 */
static GSList * GRAPH_RDLOCK bdrv_topo_sort(GSList *list, GHashTable *seen,
                                            BlockDriverState *bs)
{
    BdrvChild *c;

    if (g_hash_table_contains(seen, bs)) {
        return list;
    }
    g_hash_table_add(seen, bs);
    QLIST_FOREACH(c, &bs->children, next) {
        list = bdrv_topo_sort(list, seen, c->bs);
    }
    return g_slist_prepend(list, bs);
}

int bdrv_list_refresh_perms(GSList *list, BlockReopenQueue *q,
                            Transaction *tran, Error **errp)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
    GSList *order = NULL;
    GSList *p;
    int ret = 0;

    for (p = list; p; p = p->next) {
        order = bdrv_topo_sort(order, seen, p->data);
    }
    for (p = order; p; p = p->next) {
        ret = bdrv_node_refresh_perm(p->data, q, tran, errp);
        if (ret < 0) {
            break;
        }
    }
    g_slist_free(order);
    return ret;
}

int bdrv_refresh_perms(BlockDriverState *bs, Transaction *tran, Error **errp)
{
    GSList *list = g_slist_prepend(NULL, bs);
    Transaction *local = tran ? NULL : tran_new();
    int ret;

    ret = bdrv_list_refresh_perms(list, NULL, tran ?: local, errp);
    g_slist_free(list);
    if (local) {
        tran_finalize(local, ret);
    }
    return ret;
}

int bdrv_child_try_set_perm(BdrvChild *c, uint64_t perm, uint64_t shared,
                            Error **errp)
{
    Error *local_err = NULL;
    Transaction *tran = tran_new();
    bool tightening = (perm & ~c->perm) || (c->shared_perm & ~shared);
    int ret;

    GLOBAL_STATE_CODE();
    bdrv_child_set_perm_tran(c, perm, shared, tran);
    ret = bdrv_refresh_perms(c->bs, tran, &local_err);
    tran_finalize(tran, ret);

    if (ret < 0) {
        if (tightening) {
            error_propagate(errp, local_err);
            return ret;
        }
        /*
         * Only giving permissions up cannot create a conflict that was not
         * there before, so callers may treat it as infallible.
         */
        error_free(local_err);
    }
    return 0;
}

int bdrv_child_refresh_perms(BlockDriverState *bs, BdrvChild *c,
                             Error **errp)
{
    uint64_t parent_perm, parent_shared, perm, shared;

    GLOBAL_STATE_CODE();
    bdrv_get_cumulative_perm(bs, &parent_perm, &parent_shared);
    bdrv_child_perm(bs, c->bs, c, c->role, NULL, parent_perm, parent_shared,
                    &perm, &shared);
    return bdrv_child_try_set_perm(c, perm, shared, errp);
}
