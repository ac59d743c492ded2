/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block_int-global-state.h: global-state (main loop, BQL) functions for
 * drivers and the block core itself: attaching root children,
 * permission helpers, AioContext notifiers, BlockBackend device
 * callbacks.  Each begins with GLOBAL_STATE_CODE().  Block jobs
 * (stream/commit/mirror/backup) are not part of this tree yet.
 */
#ifndef BLOCK_INT_GLOBAL_STATE_H
#define BLOCK_INT_GLOBAL_STATE_H

#include "block/block_int-common.h"

/*
 * Attach @child_bs under a non-node parent (BlockBackend, job) described
 * by @child_class and @opaque, with permissions @perm / @shared_perm.
 * Takes over one reference to @child_bs; NULL with @errp on failure
 * (the reference is dropped then).
 */
BdrvChild * GRAPH_WRLOCK
bdrv_root_attach_child(BlockDriverState *child_bs, const char *child_name,
                       const BdrvChildClass *child_class,
                       BdrvChildRole child_role,
                       uint64_t perm, uint64_t shared_perm,
                       void *opaque, Error **errp);

/* Detach a root child and drop its node reference. */
void GRAPH_WRLOCK bdrv_root_unref_child(BdrvChild *child);

/* Cumulative permissions taken / shared by all parents of @bs. */
void GRAPH_RDLOCK
bdrv_get_cumulative_perm(BlockDriverState *bs, uint64_t *perm,
                         uint64_t *shared_perm);

/*
 * Change @c's permissions and propagate down the graph; on conflict
 * nothing changes and -EPERM (with @errp) is returned.
 */
int GRAPH_RDLOCK bdrv_child_try_set_perm(BdrvChild *c, uint64_t perm,
                                         uint64_t shared, Error **errp);

/* Recompute @c's permissions from @bs's driver and parents. */
int GRAPH_RDLOCK
bdrv_child_refresh_perms(BlockDriverState *bs, BdrvChild *c, Error **errp);

/* Human-readable list of BLK_PERM_* bits ("write, resize"), allocated. */
char *bdrv_perm_names(uint64_t perm);

/*
 * Ready-made .bdrv_child_perm implementations: pass parents' permissions
 * through (filters), or derive them from the child role (formats).
 */
void GRAPH_RDLOCK
bdrv_filter_default_perms(BlockDriverState *bs, BdrvChild *c,
                          BdrvChildRole role,
                          BlockReopenQueue *reopen_queue,
                          uint64_t perm, uint64_t shared,
                          uint64_t *nperm, uint64_t *nshared);

void GRAPH_RDLOCK
bdrv_default_perms(BlockDriverState *bs, BdrvChild *c,
                   BdrvChildRole role, BlockReopenQueue *reopen_queue,
                   uint64_t perm, uint64_t shared,
                   uint64_t *nperm, uint64_t *nshared);

/* Generic .bdrv_recurse_can_replace logic (see BlockDriver). */
bool GRAPH_RDLOCK
bdrv_recurse_can_replace(BlockDriverState *bs, BlockDriverState *to_replace);

/*
 * .bdrv_co_create_opts for drivers that can only "create" by opening an
 * existing file and checking its size (host devices, null).
 */
int coroutine_fn bdrv_co_create_opts_simple(BlockDriver *drv,
                                            const char *filename,
                                            QemuOpts *opts,
                                            Error **errp);

/* Monitor ownership (blockdev-add'ed nodes). */
void bdrv_set_monitor_owned(BlockDriverState *bs);

/* Open a tree of nodes from the flat options of -blockdev. */
BlockDriverState *bds_tree_init(QDict *bs_opts, Error **errp);

/* Follow @bs's AioContext changes (see BdrvAioNotifier). */
void bdrv_add_aio_context_notifier(BlockDriverState *bs,
        void (*attached_aio_context)(AioContext *new_context, void *opaque),
        void (*detach_aio_context)(void *opaque), void *opaque);

void bdrv_remove_aio_context_notifier(BlockDriverState *bs,
        void (*aio_context_attached)(AioContext *, void *),
        void (*aio_context_detached)(void *),
        void *opaque);

/* A node created inside a drain_all section joins it (quiesce only). */
void bdrv_drain_all_end_quiesce(BlockDriverState *bs);

/*
 * Move @bs and everything that must follow it into @new_context without
 * checking (the caller did, with bdrv_child_change_aio_context()).
 */
void bdrv_set_aio_context_ignore(BlockDriverState *bs,
                                 AioContext *new_context, GHashTable *visited);

/* Device model callbacks of a BlockBackend, reached through its root. */
void blk_dev_change_media_cb(BlockBackend *blk, bool load, Error **errp);
bool blk_dev_has_removable_media(BlockBackend *blk);
void blk_dev_eject_request(BlockBackend *blk, bool force);
bool blk_dev_is_medium_locked(BlockBackend *blk);

#endif /* BLOCK_INT_GLOBAL_STATE_H */
