/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * chain.c: walking filter and backing chains, and freezing them.
 *
 * A node's "filtered" child is the one a filter driver presents; its
 * "COW" child is the backing file of a format.  These accessors follow
 * those edges (skipping filters where asked); frozen edges (block jobs
 * rely on a chain staying as it is) refuse to be changed or removed; and
 * a mirror job may only replace a node that shows the same data.
 * All of it reads the graph, so callers hold the graph read lock.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "qapi/error.h"

BdrvChild *bdrv_filter_child(BlockDriverState *bs)
{
    BdrvChild *c;

    if (!bs || !bs->drv || !bs->drv->is_filter) {
        return NULL;
    }
    /* A filter has exactly one of the two. */
    c = bs->backing ?: bs->file;
    assert(!(bs->backing && bs->file));
    assert(!c || (c->role & BDRV_CHILD_FILTERED));
    return c;
}

BdrvChild *bdrv_cow_child(BlockDriverState *bs)
{
    if (!bs || !bs->drv || bs->drv->is_filter || !bs->backing) {
        return NULL;
    }
    assert(bs->backing->role & BDRV_CHILD_COW);
    return bs->backing;
}

BdrvChild *bdrv_filter_or_cow_child(BlockDriverState *bs)
{
    return bdrv_filter_child(bs) ?: bdrv_cow_child(bs);
}

BdrvChild *bdrv_primary_child(BlockDriverState *bs)
{
    BdrvChild *c, *found = NULL;

    QLIST_FOREACH(c, &bs->children, next) {
        if (c->role & BDRV_CHILD_PRIMARY) {
            assert(!found);
            found = c;
        }
    }
    return found;
}

static BlockDriverState * GRAPH_RDLOCK
bdrv_skip_filters_common(BlockDriverState *bs, bool implicit_only)
{
    BdrvChild *c;

    while (bs && (!implicit_only || bs->implicit)) {
        c = bdrv_filter_child(bs);
        if (!c) {
            break;
        }
        bs = c->bs;
    }
    return bs;
}

BlockDriverState *bdrv_skip_implicit_filters(BlockDriverState *bs)
{
    return bdrv_skip_filters_common(bs, true);
}

BlockDriverState *bdrv_skip_filters(BlockDriverState *bs)
{
    return bdrv_skip_filters_common(bs, false);
}

BlockDriverState *bdrv_backing_chain_next(BlockDriverState *bs)
{
    return bdrv_skip_filters(bdrv_cow_bs(bdrv_skip_filters(bs)));
}

bool bdrv_chain_contains(BlockDriverState *top, BlockDriverState *base)
{
    while (top && top != base) {
        top = bdrv_filter_or_cow_bs(top);
    }
    return top != NULL;
}

BlockDriverState *bdrv_find_overlay(BlockDriverState *active,
                                    BlockDriverState *bs)
{
    bs = bdrv_skip_filters(bs);
    active = bdrv_skip_filters(active);
    while (active) {
        BlockDriverState *next = bdrv_backing_chain_next(active);

        if (next == bs) {
            return active;
        }
        active = next;
    }
    return NULL;
}

BlockDriverState *bdrv_find_base(BlockDriverState *bs)
{
    BlockDriverState *next;

    while ((next = bdrv_backing_chain_next(bs))) {
        bs = next;
    }
    return bs;
}

/* --- Frozen chains ---------------------------------------------------- */

/*
 * True (with @errp set) if a link between @bs and @base (exclusive) in
 * the filter/backing chain is frozen.
 */
bool bdrv_is_backing_chain_frozen(BlockDriverState *bs,
                                  BlockDriverState *base, Error **errp)
{
    BdrvChild *c;

    for (; bs && bs != base; bs = child_bs(c)) {
        c = bdrv_filter_or_cow_child(bs);
        if (c && c->frozen) {
            error_setg(errp, "Cannot change '%s' link from '%s' to '%s'",
                       c->name, bs->node_name, c->bs->node_name);
            return true;
        }
    }
    return false;
}

int bdrv_freeze_backing_chain(BlockDriverState *bs, BlockDriverState *base,
                              Error **errp)
{
    BlockDriverState *i;
    BdrvChild *c;

    GLOBAL_STATE_CODE();
    if (bdrv_is_backing_chain_frozen(bs, base, errp)) {
        return -EPERM;
    }
    for (i = bs; i != base; i = child_bs(c)) {
        c = bdrv_filter_or_cow_child(i);
        if (c && c->bs->never_freeze) {
            error_setg(errp, "Cannot freeze '%s' link to '%s'",
                       c->name, c->bs->node_name);
            return -EPERM;
        }
    }
    for (i = bs; i != base; i = child_bs(c)) {
        c = bdrv_filter_or_cow_child(i);
        if (c) {
            c->frozen = true;
        }
    }
    return 0;
}

void bdrv_unfreeze_backing_chain(BlockDriverState *bs,
                                 BlockDriverState *base)
{
    BlockDriverState *i;
    BdrvChild *c;

    GLOBAL_STATE_CODE();
    for (i = bs; i != base; i = child_bs(c)) {
        c = bdrv_filter_or_cow_child(i);
        if (c) {
            assert(c->frozen);
            c->frozen = false;
        }
    }
}


/* --- Replacing nodes under a job -------------------------------------- */

bool bdrv_recurse_can_replace(BlockDriverState *bs,
                              BlockDriverState *to_replace)
{
    BlockDriverState *filtered;

    GLOBAL_STATE_CODE();
    if (!bs || !bs->drv) {
        return false;
    }
    if (bs == to_replace) {
        return true;
    }
    if (bs->drv->bdrv_recurse_can_replace) {
        return bs->drv->bdrv_recurse_can_replace(bs, to_replace);
    }
    /* A plain filter shows its child's data, so ask the child. */
    filtered = bdrv_filter_bs(bs);
    return filtered && bdrv_recurse_can_replace(filtered, to_replace);
}

BlockDriverState *check_to_replace_node(BlockDriverState *parent_bs,
                                        const char *node_name, Error **errp)
{
    BlockDriverState *to_replace_bs = bdrv_find_node(node_name);

    GLOBAL_STATE_CODE();
    if (!to_replace_bs) {
        error_setg(errp, "Failed to find node with node-name='%s'",
                   node_name);
        return NULL;
    }
    if (bdrv_op_is_blocked(to_replace_bs, BLOCK_OP_TYPE_REPLACE, errp)) {
        return NULL;
    }
    /*
     * Only a node showing the same data as @parent_bs (through filters)
     * may be replaced by a mirror of it; backing files never qualify.
     */
    if (!bdrv_recurse_can_replace(parent_bs, to_replace_bs)) {
        error_setg(errp, "Cannot replace '%s' by a node mirrored from '%s', "
                   "because it cannot be guaranteed that doing so would not "
                   "lead to an abrupt change of visible data",
                   node_name, parent_bs->node_name);
        return NULL;
    }
    return to_replace_bs;
}
