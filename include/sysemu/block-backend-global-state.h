/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-backend-global-state.h: BlockBackend functions for the main loop
 * (BQL held; each begins with GLOBAL_STATE_CODE()): creation and
 * references, attaching the root node, permissions, device attachment,
 * error policy, AioContext and root state.  Implemented in
 * block/block-backend.c.
 */
#ifndef BLOCK_BACKEND_GLOBAL_STATE_H
#define BLOCK_BACKEND_GLOBAL_STATE_H

#include "block-backend-common.h"

typedef struct DeviceState DeviceState;

/*
 * A BlockBackend without a root node, in @ctx, that will take @perm and
 * share @shared_perm (BLK_PERM_*) on the node inserted later.  One
 * reference.
 */
BlockBackend *blk_new(AioContext *ctx, uint64_t perm, uint64_t shared_perm);

/* blk_new() in @bs's context plus blk_insert_bs(); NULL on conflict. */
BlockBackend *blk_new_with_bs(BlockDriverState *bs, uint64_t perm,
                              uint64_t shared_perm, Error **errp);

/*
 * Open a node as bdrv_open() does and put a new BlockBackend on it, with
 * permissions derived from @flags (BDRV_O_RDWR: write; BDRV_O_RESIZE:
 * resize; BDRV_O_NO_SHARE: share nothing beyond unchanged writes).
 */
BlockBackend *blk_new_open(const char *filename, const char *reference,
                           QDict *options, int flags, Error **errp);
/* blk_new_open() from a coroutine: runs in the main loop, outside it. */
BlockBackend * coroutine_fn no_co_wrapper
blk_co_new_open(const char *filename, const char *reference, QDict *options,
                int flags, Error **errp);

int blk_get_refcnt(BlockBackend *blk);
void blk_ref(BlockBackend *blk);
/* The last reference detaches the root node and frees @blk. */
void blk_unref(BlockBackend *blk);
/* blk_unref() from a coroutine (in the main loop, outside it). */
void coroutine_fn no_co_wrapper blk_co_unref(BlockBackend *blk);

void blk_remove_all_bs(void);

/* Lookup and iteration (monitor-named backends / all backends). */
BlockBackend *blk_by_name(const char *name);
BlockBackend *blk_next(BlockBackend *blk);
BlockBackend *blk_all_next(BlockBackend *blk);
bool monitor_add_blk(BlockBackend *blk, const char *name, Error **errp);
void monitor_remove_blk(BlockBackend *blk);

BlockBackendPublic *blk_get_public(BlockBackend *blk);
BlockBackend *blk_by_public(BlockBackendPublic *public);

/* Detach / attach the root node. */
void blk_remove_bs(BlockBackend *blk);
int blk_insert_bs(BlockBackend *blk, BlockDriverState *bs, Error **errp);
int blk_replace_bs(BlockBackend *blk, BlockDriverState *new_bs, Error **errp);

/* Is @bs the root of some BlockBackend? */
bool bdrv_has_blk(BlockDriverState *bs);
bool bdrv_is_root_node(BlockDriverState *bs);

/*
 * Change the permissions the backend takes / shares on its root node.
 * 0, or -EPERM with @errp set (then nothing changed).
 */
int GRAPH_UNLOCKED blk_set_perm(BlockBackend *blk, uint64_t perm,
                                uint64_t shared_perm, Error **errp);
void blk_get_perm(BlockBackend *blk, uint64_t *perm, uint64_t *shared_perm);

/* I/O status reporting (query-block "io-status"). */
void blk_iostatus_enable(BlockBackend *blk);
BlockDeviceIoStatus blk_iostatus(const BlockBackend *blk);
void blk_iostatus_disable(BlockBackend *blk);
void blk_iostatus_reset(BlockBackend *blk);

/* The device using @blk (at most one); -EBUSY if already attached. */
int blk_attach_dev(BlockBackend *blk, DeviceState *dev);
void blk_detach_dev(BlockBackend *blk, DeviceState *dev);
DeviceState *blk_get_attached_dev(BlockBackend *blk);
BlockBackend *blk_by_dev(void *dev);
void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops, void *opaque);

/* Make the root node active (take over the image after migration). */
void blk_activate(BlockBackend *blk, Error **errp);

/* Zero the whole backend (see bdrv_make_zero()). */
int blk_make_zero(BlockBackend *blk, BdrvRequestFlags flags);

/* Cancel @acb and wait for its completion. */
void blk_aio_cancel(BlockAIOCB *acb);

int blk_commit_all(void);

/* Is the backend inside a drained section? */
bool blk_in_drain(BlockBackend *blk);
/* Wait until no request of @blk (or of any backend) is in flight. */
void blk_drain(BlockBackend *blk);
void blk_drain_all(void);

/* Error policy for reads / writes (-drive rerror=, werror=). */
void blk_set_on_error(BlockBackend *blk, BlockdevOnError on_read_error,
                      BlockdevOnError on_write_error);

/* Could the backend take BLK_PERM_WRITE (the root is not read-only)? */
bool blk_supports_write_perm(BlockBackend *blk);
bool blk_is_sg(BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool wce);
int blk_get_flags(BlockBackend *blk);

/* Operation blockers, forwarded to the root node. */
bool blk_op_is_blocked(BlockBackend *blk, BlockOpType op, Error **errp);
void blk_op_unblock(BlockBackend *blk, BlockOpType op, Error *reason);
void blk_op_block_all(BlockBackend *blk, Error *reason);
void blk_op_unblock_all(BlockBackend *blk, Error *reason);

/* Move the backend (and its root subtree) into @new_context. */
int blk_set_aio_context(BlockBackend *blk, AioContext *new_context,
                        Error **errp);
void blk_add_aio_context_notifier(BlockBackend *blk,
        void (*attached_aio_context)(AioContext *new_context, void *opaque),
        void (*detach_aio_context)(void *opaque), void *opaque);
void blk_remove_aio_context_notifier(BlockBackend *blk,
                                     void (*attached_aio_context)(AioContext *,
                                                                  void *),
                                     void (*detach_aio_context)(void *),
                                     void *opaque);

/* Settings kept while the backend has no medium. */
BlockBackendRootState *blk_get_root_state(BlockBackend *blk);
void blk_update_root_state(BlockBackend *blk);
bool blk_get_detect_zeroes_from_root_state(BlockBackend *blk);
int blk_get_open_flags_from_root_state(BlockBackend *blk);

/* VM state (savevm/loadvm): bytes transferred or -errno. */
int blk_save_vmstate(BlockBackend *blk, const uint8_t *buf,
                     int64_t pos, int size);
int blk_load_vmstate(BlockBackend *blk, uint8_t *buf, int64_t pos, int size);

int blk_probe_blocksizes(BlockBackend *blk, BlockSizes *bsz);
int blk_probe_geometry(BlockBackend *blk, HDGeometry *geo);

/* The edge from the backend to its root node (NULL without one). */
BdrvChild *blk_root(BlockBackend *blk);

/* Empty the root image into its backing file (see bdrv_make_empty()). */
int blk_make_empty(BlockBackend *blk, Error **errp);

/* Allow inactivating the root even while the backend has writers. */
void blk_set_force_allow_inactivate(BlockBackend *blk);

bool blk_register_buf(BlockBackend *blk, void *host, size_t size,
                      Error **errp);
void blk_unregister_buf(BlockBackend *blk, void *host, size_t size);

/* Offloaded copy between two backends (see bdrv_co_copy_range()). */
int coroutine_fn blk_co_copy_range(BlockBackend *blk_in, int64_t off_in,
                                   BlockBackend *blk_out, int64_t off_out,
                                   int64_t bytes, BdrvRequestFlags read_flags,
                                   BdrvRequestFlags write_flags);

int coroutine_fn blk_co_block_status_above(BlockBackend *blk,
                                           BlockDriverState *base,
                                           int64_t offset, int64_t bytes,
                                           int64_t *pnum, int64_t *map,
                                           BlockDriverState **file);
int coroutine_fn blk_co_is_allocated_above(BlockBackend *blk,
                                           BlockDriverState *base,
                                           bool include_base, int64_t offset,
                                           int64_t bytes, int64_t *pnum);

#endif /* BLOCK_BACKEND_GLOBAL_STATE_H */
