/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * node-info.c: questions about a node that the driver answers, with the
 * core's defaults when it does not: image info, allocated size, zero
 * initialisation, compressed writes, block sizes and geometry, consistency
 * checks, blkdebug hooks; plus emptying and amending images, the backing
 * chain lookup by file name, bdrv_co_enter()/bdrv_co_leave(), and the
 * children a driver (quorum) adds and removes at run time.
 *
 * Filters answer for their filtered child unless their driver has an
 * answer of its own.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/coroutine.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"

/* --- Changing images ------------------------------------------------- */

int bdrv_make_empty(BdrvChild *c, Error **errp)
{
    BlockDriver *drv = c->bs->drv;
    int ret;

    GLOBAL_STATE_CODE();
    assert(c->perm & (BLK_PERM_WRITE | BLK_PERM_WRITE_UNCHANGED));
    if (!drv->bdrv_make_empty) {
        error_setg(errp, "%s does not support emptying nodes",
                   drv->format_name);
        return -ENOTSUP;
    }
    ret = drv->bdrv_make_empty(c->bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to empty %s", c->bs->filename);
        return ret;
    }
    return 0;
}

int bdrv_change_backing_file(BlockDriverState *bs, const char *backing_file,
                             const char *backing_fmt, bool require)
{
    BlockDriver *drv = bs->drv;
    int ret;

    GLOBAL_STATE_CODE();
    if (!drv) {
        return -ENOMEDIUM;
    }
    /* A format without a file means nothing. */
    if (backing_fmt && !backing_file) {
        return -EINVAL;
    }
    if (require && backing_file && !backing_fmt) {
        return -EINVAL;
    }
    if (!drv->bdrv_change_backing_file) {
        return -ENOTSUP;
    }
    ret = drv->bdrv_change_backing_file(bs, backing_file, backing_fmt);
    if (ret == 0) {
        pstrcpy(bs->backing_file, sizeof(bs->backing_file),
                backing_file ?: "");
        pstrcpy(bs->backing_format, sizeof(bs->backing_format),
                backing_fmt ?: "");
        pstrcpy(bs->auto_backing_file, sizeof(bs->auto_backing_file),
                backing_file ?: "");
    }
    return ret;
}

int bdrv_amend_options(BlockDriverState *bs, QemuOpts *opts,
                       BlockDriverAmendStatusCB *status_cb, void *cb_opaque,
                       bool force, Error **errp)
{
    GLOBAL_STATE_CODE();
    if (!bs->drv) {
        error_setg(errp, "Node is ejected");
        return -ENOMEDIUM;
    }
    if (!bs->drv->bdrv_amend_options) {
        error_setg(errp, "Block driver '%s' does not support option "
                   "amendment", bs->drv->format_name);
        return -ENOTSUP;
    }
    return bs->drv->bdrv_amend_options(bs, opts, status_cb, cb_opaque, force,
                                       errp);
}

/* --- Image information ------------------------------------------------ */

int bdrv_has_zero_init_1(BlockDriverState *bs)
{
    return 1;
}

int coroutine_mixed_fn bdrv_has_zero_init(BlockDriverState *bs)
{
    BlockDriverState *filtered;

    GLOBAL_STATE_CODE();
    if (!bs->drv) {
        return 0;
    }
    /* A new COW image reads as its backing file, not as zeroes. */
    if (bdrv_cow_child(bs)) {
        return 0;
    }
    if (bs->drv->bdrv_has_zero_init) {
        return bs->drv->bdrv_has_zero_init(bs);
    }
    filtered = bdrv_filter_bs(bs);
    if (filtered) {
        return bdrv_has_zero_init(filtered);
    }
    return 0;
}

bool bdrv_supports_compressed_writes(BlockDriverState *bs)
{
    BlockDriverState *filtered;

    IO_CODE();
    if (!bs->drv || !block_driver_can_compress(bs->drv)) {
        return false;
    }
    /* A filter can only pass compressed writes on. */
    filtered = bdrv_filter_bs(bs);
    return filtered ? bdrv_supports_compressed_writes(filtered) : true;
}

void bdrv_get_backing_filename(BlockDriverState *bs, char *filename,
                               int filename_size)
{
    IO_CODE();
    pstrcpy(filename, filename_size, bs->backing_file);
}

int coroutine_fn bdrv_co_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    BlockDriver *drv = bs->drv;
    BlockDriverState *filtered;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();
    if (!drv) {
        return -ENOMEDIUM;
    }
    if (!drv->bdrv_co_get_info) {
        filtered = bdrv_filter_bs(bs);
        return filtered ? bdrv_co_get_info(filtered, bdi) : -ENOTSUP;
    }
    memset(bdi, 0, sizeof(*bdi));
    ret = drv->bdrv_co_get_info(bs, bdi);
    if (bdi->subcluster_size == 0) {
        bdi->subcluster_size = bdi->cluster_size;
    }
    if (ret < 0) {
        return ret;
    }
    if (bdi->cluster_size > BDRV_MAX_ALIGNMENT) {
        return -EINVAL;
    }
    return 0;
}

ImageInfoSpecific *bdrv_get_specific_info(BlockDriverState *bs,
                                          Error **errp)
{
    BlockDriver *drv = bs->drv;

    IO_CODE();
    if (drv && drv->bdrv_get_specific_info) {
        return drv->bdrv_get_specific_info(bs, errp);
    }
    return NULL;
}

BlockStatsSpecific *bdrv_get_specific_stats(BlockDriverState *bs)
{
    BlockDriver *drv = bs->drv;

    IO_CODE();
    if (!drv || !drv->bdrv_get_specific_stats) {
        return NULL;
    }
    return drv->bdrv_get_specific_stats(bs);
}

/* Sum over the children that hold the node's data or metadata. */
static int64_t coroutine_fn GRAPH_RDLOCK
bdrv_sum_allocated_file_size(BlockDriverState *bs)
{
    BdrvChild *child;
    int64_t total = 0, size;

    QLIST_FOREACH(child, &bs->children, next) {
        if (child->role & (BDRV_CHILD_DATA | BDRV_CHILD_METADATA |
                           BDRV_CHILD_FILTERED)) {
            size = bdrv_co_get_allocated_file_size(child->bs);
            if (size < 0) {
                return size;
            }
            total += size;
        }
    }
    return total;
}

int64_t coroutine_fn bdrv_co_get_allocated_file_size(BlockDriverState *bs)
{
    BlockDriver *drv = bs->drv;

    IO_CODE();
    assert_bdrv_graph_readable();
    if (!drv) {
        return -ENOMEDIUM;
    }
    if (drv->bdrv_co_get_allocated_file_size) {
        return drv->bdrv_co_get_allocated_file_size(bs);
    }
    if (drv->bdrv_file_open) {
        /* A protocol's data is not in children: nothing to add up. */
        return -ENOTSUP;
    }
    if (drv->is_filter) {
        BlockDriverState *filtered = bdrv_filter_bs(bs);

        return filtered ? bdrv_co_get_allocated_file_size(filtered)
                        : -ENOMEDIUM;
    }
    return bdrv_sum_allocated_file_size(bs);
}

int bdrv_probe_blocksizes(BlockDriverState *bs, BlockSizes *bsz)
{
    BlockDriver *drv = bs->drv;
    BlockDriverState *filtered = bdrv_filter_bs(bs);

    GLOBAL_STATE_CODE();
    if (drv && drv->bdrv_probe_blocksizes) {
        return drv->bdrv_probe_blocksizes(bs, bsz);
    }
    return filtered ? bdrv_probe_blocksizes(filtered, bsz) : -ENOTSUP;
}

/* The primary or filtered child, for code that does not hold the lock. */
static BlockDriverState *bdrv_filter_bs_unlocked(BlockDriverState *bs)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    return bdrv_filter_bs(bs);
}

static BlockDriverState *bdrv_primary_bs_unlocked(BlockDriverState *bs)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    return bdrv_primary_bs(bs);
}

int bdrv_probe_geometry(BlockDriverState *bs, HDGeometry *geo)
{
    BlockDriver *drv = bs->drv;
    BlockDriverState *filtered;

    GLOBAL_STATE_CODE();
    if (drv && drv->bdrv_probe_geometry) {
        return drv->bdrv_probe_geometry(bs, geo);
    }
    filtered = bdrv_filter_bs_unlocked(bs);
    return filtered ? bdrv_probe_geometry(filtered, geo) : -ENOTSUP;
}

int coroutine_fn bdrv_co_check(BlockDriverState *bs, BdrvCheckResult *res,
                               BdrvCheckMode fix)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (!bs->drv->bdrv_co_check) {
        return -ENOTSUP;
    }
    memset(res, 0, sizeof(*res));
    return bs->drv->bdrv_co_check(bs, res, fix);
}

/* --- blkdebug hooks --------------------------------------------------- */

void coroutine_fn bdrv_co_debug_event(BlockDriverState *bs,
                                      BlkdebugEvent event)
{
    IO_CODE();
    if (bs && bs->drv && bs->drv->bdrv_co_debug_event) {
        bs->drv->bdrv_co_debug_event(bs, event);
    }
}

/* The first node from @bs down the primary children with @has_hook. */
static BlockDriverState *bdrv_find_debug_node(BlockDriverState *bs,
                                              bool (*has_hook)(BlockDriver *))
{
    while (bs && bs->drv && !has_hook(bs->drv)) {
        bs = bdrv_primary_bs_unlocked(bs);
    }
    return bs && bs->drv ? bs : NULL;
}

static bool has_breakpoint(BlockDriver *drv)
{
    return drv->bdrv_debug_breakpoint;
}

static bool has_remove_breakpoint(BlockDriver *drv)
{
    return drv->bdrv_debug_remove_breakpoint;
}

static bool has_resume(BlockDriver *drv)
{
    return drv->bdrv_debug_resume;
}

static bool has_is_suspended(BlockDriver *drv)
{
    return drv->bdrv_debug_is_suspended;
}

int bdrv_debug_breakpoint(BlockDriverState *bs, const char *event,
                          const char *tag)
{
    GLOBAL_STATE_CODE();
    bs = bdrv_find_debug_node(bs, has_breakpoint);
    return bs ? bs->drv->bdrv_debug_breakpoint(bs, event, tag) : -ENOTSUP;
}

int bdrv_debug_remove_breakpoint(BlockDriverState *bs, const char *tag)
{
    GLOBAL_STATE_CODE();
    bs = bdrv_find_debug_node(bs, has_remove_breakpoint);
    return bs ? bs->drv->bdrv_debug_remove_breakpoint(bs, tag) : -ENOTSUP;
}

int bdrv_debug_resume(BlockDriverState *bs, const char *tag)
{
    GLOBAL_STATE_CODE();
    bs = bdrv_find_debug_node(bs, has_resume);
    return bs ? bs->drv->bdrv_debug_resume(bs, tag) : -ENOTSUP;
}

bool bdrv_debug_is_suspended(BlockDriverState *bs, const char *tag)
{
    GLOBAL_STATE_CODE();
    bs = bdrv_find_debug_node(bs, has_is_suspended);
    return bs ? bs->drv->bdrv_debug_is_suspended(bs, tag) : false;
}

/* --- Backing chain by name -------------------------------------------- */

/*
 * Does @backing_file, as written in @overlay's header, name @below?  As
 * is, or (relative names) seen from @overlay's directory.
 */
static bool GRAPH_RDLOCK bdrv_backing_name_matches(BlockDriverState *overlay,
                                                   BlockDriverState *below,
                                                   const char *backing_file)
{
    g_autofree char *wanted = NULL;
    g_autofree char *have = NULL;
    g_autofree char *wanted_real = NULL;
    g_autofree char *have_real = NULL;

    if (!strcmp(backing_file, overlay->backing_file) ||
        !strcmp(backing_file, below->filename)) {
        return true;
    }
    if (path_has_protocol(backing_file) || !overlay->backing_file[0]) {
        return false;
    }
    wanted = path_combine(overlay->filename, backing_file);
    have = bdrv_get_full_backing_filename(overlay, NULL);
    if (!have) {
        return false;
    }
    wanted_real = realpath(wanted, NULL);
    have_real = realpath(have, NULL);
    return wanted_real && have_real && !strcmp(wanted_real, have_real);
}

BlockDriverState *bdrv_find_backing_image(BlockDriverState *bs,
                                          const char *backing_file)
{
    BlockDriverState *curr, *below;

    GLOBAL_STATE_CODE();
    if (!bs || !bs->drv) {
        return NULL;
    }
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    for (curr = bdrv_skip_filters(bs); curr; curr = below) {
        below = bdrv_backing_chain_next(curr);
        if (!below) {
            break;
        }
        if (bdrv_backing_name_matches(curr, below, backing_file)) {
            return below;
        }
    }
    return NULL;
}

/* --- Running in a node's AioContext ----------------------------------- */

AioContext *coroutine_fn bdrv_co_enter(BlockDriverState *bs)
{
    AioContext *old_ctx = qemu_coroutine_get_aio_context(
        qemu_coroutine_self());

    IO_CODE();
    /* Counted first, so that the node cannot move before we get there. */
    bdrv_inc_in_flight(bs);
    aio_co_reschedule_self(bdrv_get_aio_context(bs));
    return old_ctx;
}

void coroutine_fn bdrv_co_leave(BlockDriverState *bs, AioContext *old_ctx)
{
    IO_CODE();
    aio_co_reschedule_self(old_ctx);
    bdrv_dec_in_flight(bs);
}

/* --- Children added at run time (quorum) ------------------------------ */

void bdrv_add_child(BlockDriverState *parent_bs, BlockDriverState *child_bs,
                    Error **errp)
{
    GLOBAL_STATE_CODE();
    if (!parent_bs->drv || !parent_bs->drv->bdrv_add_child) {
        error_setg(errp, "The node %s does not support adding a child",
                   bdrv_get_device_or_node_name(parent_bs));
        return;
    }
    /* Zoned devices need parents that keep to their write rules. */
    if (!parent_bs->drv->supports_zoned_children &&
        child_bs->bl.zoned == BLK_Z_HM) {
        error_setg(errp, "Cannot add a zoned child to a not support zoned "
                   "children parent");
        return;
    }
    if (!QLIST_EMPTY(&child_bs->parents)) {
        error_setg(errp, "The node %s already has a parent",
                   child_bs->node_name);
        return;
    }
    parent_bs->drv->bdrv_add_child(parent_bs, child_bs, errp);
}

void bdrv_del_child(BlockDriverState *parent_bs, BdrvChild *child,
                    Error **errp)
{
    BdrvChild *c;

    GLOBAL_STATE_CODE();
    if (!parent_bs->drv || !parent_bs->drv->bdrv_del_child) {
        error_setg(errp, "The node %s does not support removing a child",
                   bdrv_get_device_or_node_name(parent_bs));
        return;
    }
    QLIST_FOREACH(c, &parent_bs->children, next) {
        if (c == child) {
            parent_bs->drv->bdrv_del_child(parent_bs, child, errp);
            return;
        }
    }
    error_setg(errp, "The node %s does not have a child named %s",
               bdrv_get_device_or_node_name(parent_bs),
               bdrv_get_device_or_node_name(child->bs));
}
