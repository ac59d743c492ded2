/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dirty bitmap management operations (add, remove, clear, enable,
 * disable, merge) with the checks and error messages of QEMU's
 * block-dirty-bitmap-* commands.  qemu-img bitmap runs them on an open
 * node; there is no monitor here, so they take the node directly.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/host-utils.h"
#include "block/block_int.h"
#include "block/dirty-bitmap.h"

/* The named bitmap of @bs, or NULL with @errp set. */
static BdrvDirtyBitmap *lookup(BlockDriverState *bs, const char *name,
                               Error **errp)
{
    BdrvDirtyBitmap *bm = bdrv_find_dirty_bitmap(bs, name);

    if (!bm) {
        error_setg(errp, "Dirty bitmap '%s' not found", name);
    }
    return bm;
}

bool block_dirty_bitmap_add(BlockDriverState *bs, const char *name,
                            uint32_t granularity, bool persistent,
                            bool disabled, Error **errp)
{
    BdrvDirtyBitmap *bm;

    GLOBAL_STATE_CODE();
    if (!name || !*name) {
        error_setg(errp, "Bitmap name cannot be empty");
        return false;
    }
    if (granularity) {
        if (granularity < 512 || !is_power_of_2(granularity)) {
            error_setg(errp, "Granularity must be power of 2 and at "
                       "least 512");
            return false;
        }
    } else {
        bdrv_graph_rdlock_main_loop();
        granularity = bdrv_get_default_bitmap_granularity(bs);
        bdrv_graph_rdunlock_main_loop();
    }
    if (persistent &&
        !bdrv_can_store_new_dirty_bitmap(bs, name, granularity, errp)) {
        return false;
    }
    bm = bdrv_create_dirty_bitmap(bs, granularity, name, errp);
    if (!bm) {
        return false;
    }
    if (disabled) {
        bdrv_disable_dirty_bitmap(bm);
    }
    bdrv_dirty_bitmap_set_persistence(bm, persistent);
    return true;
}

bool block_dirty_bitmap_remove(BlockDriverState *bs, const char *name,
                               Error **errp)
{
    BdrvDirtyBitmap *bm = lookup(bs, name, errp);

    GLOBAL_STATE_CODE();
    if (!bm || bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_BUSY | BDRV_BITMAP_RO,
                                       errp) < 0) {
        return false;
    }
    if (bdrv_dirty_bitmap_get_persistence(bm) &&
        bdrv_remove_persistent_dirty_bitmap(bs, name, errp) < 0) {
        return false;
    }
    bdrv_release_dirty_bitmap(bm);
    return true;
}

bool block_dirty_bitmap_clear(BlockDriverState *bs, const char *name,
                              Error **errp)
{
    BdrvDirtyBitmap *bm = lookup(bs, name, errp);

    GLOBAL_STATE_CODE();
    if (!bm || bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_DEFAULT, errp) < 0) {
        return false;
    }
    bdrv_clear_dirty_bitmap(bm, NULL);
    return true;
}

bool block_dirty_bitmap_enable(BlockDriverState *bs, const char *name,
                               Error **errp)
{
    BdrvDirtyBitmap *bm = lookup(bs, name, errp);

    GLOBAL_STATE_CODE();
    if (!bm || bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_ALLOW_RO, errp) < 0) {
        return false;
    }
    bdrv_enable_dirty_bitmap(bm);
    return true;
}

bool block_dirty_bitmap_disable(BlockDriverState *bs, const char *name,
                                Error **errp)
{
    BdrvDirtyBitmap *bm = lookup(bs, name, errp);

    GLOBAL_STATE_CODE();
    if (!bm || bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_ALLOW_RO, errp) < 0) {
        return false;
    }
    bdrv_disable_dirty_bitmap(bm);
    return true;
}

bool block_dirty_bitmap_merge(BlockDriverState *bs, const char *dest_name,
                              BlockDriverState *src_bs, const char *src_name,
                              Error **errp)
{
    BdrvDirtyBitmap *dest = lookup(bs, dest_name, errp);
    BdrvDirtyBitmap *src;

    GLOBAL_STATE_CODE();
    if (!dest ||
        bdrv_dirty_bitmap_check(dest, BDRV_BITMAP_DEFAULT, errp) < 0) {
        return false;
    }
    src = lookup(src_bs, src_name, errp);
    if (!src) {
        return false;
    }
    /* Fails without touching @dest. */
    return bdrv_merge_dirty_bitmap(dest, src, NULL, errp);
}
