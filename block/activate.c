/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * activate.c: handing the ownership of images over (migration).
 *
 * An inactive node (BDRV_O_INACTIVE) belongs to someone else: it takes no
 * write permission on its children and shares everything.  Inactivating
 * goes top-down (a node only after every node parent), activating
 * bottom-up (children first), each time recomputing the permissions and
 * letting drivers drop or re-read their cached metadata.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "qapi/error.h"

bool bdrv_is_inactive(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();
    return bs->open_flags & BDRV_O_INACTIVE;
}

int coroutine_fn bdrv_co_invalidate_cache(BlockDriverState *bs, Error **errp)
{
    Error *local_err = NULL;

    IO_CODE();
    assert(!(bs->open_flags & BDRV_O_INACTIVE));
    assert_bdrv_graph_readable();
    if (bs->drv->bdrv_co_invalidate_cache) {
        bs->drv->bdrv_co_invalidate_cache(bs, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            return -EINVAL;
        }
    }
    return 0;
}

/* Make an inactive @bs active again; undone (flag only) on failure. */
static int GRAPH_RDLOCK bdrv_activate_self(BlockDriverState *bs, Error **errp)
{
    int ret;

    /* Active nodes need at most more permissions: no roll-back needed. */
    bs->open_flags &= ~BDRV_O_INACTIVE;
    ret = bdrv_refresh_perms(bs, NULL, errp);
    if (ret == 0) {
        ret = bdrv_invalidate_cache(bs, errp);
    }
    if (ret == 0) {
        ret = bdrv_refresh_total_sectors(bs, bs->total_sectors);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not refresh total sector "
                             "count");
        }
    }
    if (ret < 0) {
        bs->open_flags |= BDRV_O_INACTIVE;
    }
    return ret;
}

int bdrv_activate(BlockDriverState *bs, Error **errp)
{
    Error *local_err = NULL;
    BdrvChild *c;
    int ret;

    GLOBAL_STATE_CODE();
    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    QLIST_FOREACH(c, &bs->children, next) {
        bdrv_activate(c->bs, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            return -EINVAL;
        }
    }
    if (bs->open_flags & BDRV_O_INACTIVE) {
        ret = bdrv_activate_self(bs, errp);
        if (ret < 0) {
            return ret;
        }
    }
    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c->klass->activate) {
            c->klass->activate(c, &local_err);
            if (local_err) {
                bs->open_flags |= BDRV_O_INACTIVE;
                error_propagate(errp, local_err);
                return -EINVAL;
            }
        }
    }
    return 0;
}

void bdrv_activate_all(Error **errp)
{
    BdrvNextIterator it;
    BlockDriverState *bs;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    for (bs = bdrv_first(&it); bs; bs = bdrv_next(&it)) {
        if (bdrv_activate(bs, errp) < 0) {
            bdrv_next_cleanup(&it);
            return;
        }
    }
}

/* Has @bs a node parent (an active one, if @only_active)? */
static bool GRAPH_RDLOCK bdrv_has_bds_parent(BlockDriverState *bs,
                                             bool only_active)
{
    BdrvChild *c;

    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c->klass->parent_is_bds) {
            BlockDriverState *parent = c->opaque;

            if (!only_active || !(parent->open_flags & BDRV_O_INACTIVE)) {
                return true;
            }
        }
    }
    return false;
}

static int GRAPH_RDLOCK bdrv_inactivate_recurse(BlockDriverState *bs)
{
    uint64_t perm, shared;
    BdrvChild *c;
    int ret;

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    /* The last active node parent will do it. */
    if (bdrv_has_bds_parent(bs, true)) {
        return 0;
    }
    assert(!(bs->open_flags & BDRV_O_INACTIVE));

    if (bs->drv->bdrv_inactivate) {
        ret = bs->drv->bdrv_inactivate(bs);
        if (ret < 0) {
            return ret;
        }
    }
    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c->klass->inactivate) {
            ret = c->klass->inactivate(c);
            if (ret < 0) {
                return ret;
            }
        }
    }

    /* Parents that still write keep the node from going inactive. */
    bdrv_get_cumulative_perm(bs, &perm, &shared);
    if (perm & (BLK_PERM_WRITE | BLK_PERM_WRITE_UNCHANGED)) {
        return -EPERM;
    }
    bs->open_flags |= BDRV_O_INACTIVE;
    /* Only restrictions go away: errors do not matter. */
    bdrv_refresh_perms(bs, NULL, NULL);

    QLIST_FOREACH(c, &bs->children, next) {
        ret = bdrv_inactivate_recurse(c->bs);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

int bdrv_inactivate(BlockDriverState *bs, Error **errp)
{
    int ret;

    GLOBAL_STATE_CODE();
    if (bdrv_has_bds_parent(bs, true)) {
        error_setg(errp, "Node has active parent node");
        return -EPERM;
    }
    ret = bdrv_inactivate_recurse(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to inactivate node");
    }
    return ret;
}

int bdrv_inactivate_all(void)
{
    BdrvNextIterator it;
    BlockDriverState *bs;
    int ret = 0;

    GLOBAL_STATE_CODE();
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    for (bs = bdrv_first(&it); bs; bs = bdrv_next(&it)) {
        /* Nodes below other nodes go with their last parent. */
        if (bdrv_has_bds_parent(bs, false)) {
            continue;
        }
        ret = bdrv_inactivate_recurse(bs);
        if (ret < 0) {
            bdrv_next_cleanup(&it);
            break;
        }
    }
    return ret;
}
