/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-global-state.h: the global-state (GS) block API.
 *
 * Everything here runs in the main loop with the BQL held; each function
 * begins with GLOBAL_STATE_CODE().  Functions that change the graph take
 * the graph write lock (or require it, GRAPH_WRLOCK), because I/O code in
 * other threads walks the graph under the read lock without the BQL.
 * GS code may call any block API; only GS code may call this one.
 *
 * Implemented by block.c (graph, open, reopen, permissions) and
 * block/io.c (drain_all, flush_all).
 */
#ifndef BLOCK_GLOBAL_STATE_H
#define BLOCK_GLOBAL_STATE_H

#include "block/block-common.h"
#include "qemu/coroutine.h"

/* Register the built-in drivers (runs the block_init() constructors). */
void bdrv_init(void);

/*
 * Driver for @filename: the protocol named by a "proto:" prefix (if
 * @allow_protocol_prefix), else "file".  NULL with @errp set if unknown.
 */
BlockDriver *bdrv_find_protocol(const char *filename,
                                bool allow_protocol_prefix,
                                Error **errp);
/* Registered driver called @format_name, or NULL. */
BlockDriver *bdrv_find_format(const char *format_name);

/*
 * Filename helpers.  path_has_protocol: "proto:..." with the colon
 * before any slash.  path_combine: @filename relative to the directory of
 * @base_path (newly allocated; absolute @filename is returned as is).
 */
int path_has_protocol(const char *path);
int path_is_absolute(const char *path);
char *path_combine(const char *base_path, const char *filename);

/*
 * Set or clear BDRV_O_UNMAP in *flags from a "discard" option value
 * ("ignore"/"off" or "unmap"/"on"); -1 if @mode is none of them.
 */
int bdrv_parse_discard_flags(const char *mode, int *flags);

/*
 * Set the cache bits of *flags (BDRV_O_NOCACHE, BDRV_O_NO_FLUSH) and
 * *writethrough from a cache mode of the tools' -t/--cache options
 * ("none"/"off", "directsync", "writeback", "unsafe", "writethrough");
 * -1 if @mode is none of them.
 */
int bdrv_parse_cache_mode(const char *mode, int *flags, bool *writethrough);

/*
 * Add the AIO engine of an -i/--aio value ("threads", "native",
 * "io_uring") to *flags (as QEMU, earlier engine bits are kept);
 * -1 if @mode is none of them.
 */
int bdrv_parse_aio(const char *mode, int *flags);

/* Create an image with @drv (qemu-img create): 0 or -errno, @errp set. */
int coroutine_fn GRAPH_UNLOCKED
bdrv_co_create(BlockDriver *drv, const char *filename, QemuOpts *opts,
               Error **errp);

int co_wrapper bdrv_create(BlockDriver *drv, const char *filename,
                           QemuOpts *opts, Error **errp);

/* As bdrv_co_create() with the protocol driver found for @filename. */
int coroutine_fn GRAPH_UNLOCKED
bdrv_co_create_file(const char *filename, QemuOpts *opts, Error **errp);

/* A new empty node with one reference and no driver. */
BlockDriverState *bdrv_new(void);

/*
 * Put @bs_new on top of @bs_top: all parents of @bs_top move to @bs_new
 * and @bs_top becomes @bs_new's backing (or file) child.  Takes a
 * reference to @bs_new.  0 or -errno.
 */
int bdrv_append(BlockDriverState *bs_new, BlockDriverState *bs_top,
                Error **errp);

/* Move every parent of @from (except stay_at_node ones) to @to. */
int GRAPH_WRLOCK
bdrv_replace_node(BlockDriverState *from, BlockDriverState *to, Error **errp);

/* Point the edge @child at @new_bs, updating permissions. */
int GRAPH_UNLOCKED
bdrv_replace_child_bs(BdrvChild *child, BlockDriverState *new_bs, Error **errp);

/* Open a filter from @node_options and insert it above @bs. */
BlockDriverState * GRAPH_UNLOCKED
bdrv_insert_node(BlockDriverState *bs, QDict *node_options, int flags,
                 Error **errp);

/* Remove filter @bs, moving its parents to its filtered child. */
int bdrv_drop_filter(BlockDriverState *bs, Error **errp);

/*
 * Open the child named @bdref_key of @parent from @options (the
 * "bdref_key.*" keys) or @filename and attach it.  NULL on error, or if
 * absent and @allow_none (then no error).
 */
BdrvChild *bdrv_open_child(const char *filename, QDict *options,
                           const char *bdref_key,
                           BlockDriverState *parent,
                           const BdrvChildClass *child_class,
                           BdrvChildRole child_role, bool allow_none,
                           Error **errp);

/* bdrv_open_child() for coroutines (runs it in the main loop). */
BdrvChild * coroutine_fn no_co_wrapper
bdrv_co_open_child(const char *filename, QDict *options, const char *bdref_key,
                   BlockDriverState *parent, const BdrvChildClass *child_class,
                   BdrvChildRole child_role, bool allow_none, Error **errp);

/*
 * Open the "file" child of a format or filter node (role chosen from the
 * driver kind) and store it in parent->file.  0 or -errno.
 */
int bdrv_open_file_child(const char *filename,
                         QDict *options, const char *bdref_key,
                         BlockDriverState *parent, Error **errp);

BlockDriverState *bdrv_open_blockdev_ref(BlockdevRef *ref, Error **errp);

BlockDriverState * coroutine_fn no_co_wrapper
bdrv_co_open_blockdev_ref(BlockdevRef *ref, Error **errp);

/*
 * Make @backing_hd (may be NULL) the backing child of @bs, replacing the
 * current one.  0 or -errno.
 */
int GRAPH_WRLOCK
bdrv_set_backing_hd(BlockDriverState *bs, BlockDriverState *backing_hd,
                    Error **errp);

/* Open the backing file named in bs->backing_file / the options. */
int bdrv_open_backing_file(BlockDriverState *bs, QDict *parent_options,
                           const char *bdref_key, Error **errp);

/*
 * Open a node from @filename and/or @options (consumed), or return a new
 * reference to the node called @reference.  NULL with @errp on failure.
 */
BlockDriverState *bdrv_open(const char *filename, const char *reference,
                            QDict *options, int flags, Error **errp);

BlockDriverState * coroutine_fn no_co_wrapper
bdrv_co_open(const char *filename, const char *reference,
             QDict *options, int flags, Error **errp);

/* Open a node with driver @drv and no file (e.g. a filter or "null-co"). */
BlockDriverState *bdrv_new_open_driver_opts(BlockDriver *drv,
                                            const char *node_name,
                                            QDict *options, int flags,
                                            Error **errp);
BlockDriverState *bdrv_new_open_driver(BlockDriver *drv, const char *node_name,
                                       int flags, Error **errp);

/*
 * Reopen.  Queue @bs (and the children that inherit from it) with new
 * @options, then apply the whole queue atomically with
 * bdrv_reopen_multiple(), which also frees the queue.
 */
BlockReopenQueue * GRAPH_UNLOCKED
bdrv_reopen_queue(BlockReopenQueue *bs_queue, BlockDriverState *bs,
                  QDict *options, bool keep_old_opts);
void bdrv_reopen_queue_free(BlockReopenQueue *bs_queue);
int GRAPH_UNLOCKED
bdrv_reopen_multiple(BlockReopenQueue *bs_queue, Error **errp);
int bdrv_reopen(BlockDriverState *bs, QDict *opts, bool keep_old_opts,
                Error **errp);
int bdrv_reopen_set_read_only(BlockDriverState *bs, bool read_only,
                              Error **errp);

/* Node in @bs's backing chain whose filename matches @backing_file. */
BlockDriverState *bdrv_find_backing_image(BlockDriverState *bs,
                                          const char *backing_file);

/* Recompute filename, exact_filename and full_open_options. */
void GRAPH_RDLOCK bdrv_refresh_filename(BlockDriverState *bs);

/*
 * Recompute bs->bl from the driver and children.  With @tran, the old
 * limits come back if the transaction aborts.
 */
void GRAPH_RDLOCK
bdrv_refresh_limits(BlockDriverState *bs, Transaction *tran, Error **errp);

/* Write the top image's data into its backing file (qemu-img commit). */
int bdrv_commit(BlockDriverState *bs);
int GRAPH_RDLOCK bdrv_make_empty(BdrvChild *c, Error **errp);

/* Add @bdrv to the driver list (from a block_init() function). */
void bdrv_register(BlockDriver *bdrv);

/*
 * Record @backing_file/@backing_fmt (NULL: none) as the backing file in
 * @bs's image header; with @require, a backing file needs a format.
 * 0, or -errno (-ENOTSUP if the format cannot).
 */
int GRAPH_RDLOCK
bdrv_change_backing_file(BlockDriverState *bs, const char *backing_file,
                         const char *backing_fmt, bool require);

/* Drop the nodes between @top and @base from the chain. */
int bdrv_drop_intermediate(BlockDriverState *top, BlockDriverState *base,
                           const char *backing_file_str,
                           bool backing_mask_protocol);

/* The node right above @bs in @active's chain, or NULL. */
BlockDriverState * GRAPH_RDLOCK
bdrv_find_overlay(BlockDriverState *active, BlockDriverState *bs);

/* The bottom node of @bs's backing chain. */
BlockDriverState * GRAPH_RDLOCK bdrv_find_base(BlockDriverState *bs);

/*
 * True (with @errp set) if an edge of the filter/backing chain from @bs
 * down to @base (exclusive) is frozen.
 */
bool GRAPH_RDLOCK
bdrv_is_backing_chain_frozen(BlockDriverState *bs, BlockDriverState *base,
                             Error **errp);

/* Forbid / allow changes of the backing edges from @bs down to @base. */
int GRAPH_RDLOCK
bdrv_freeze_backing_chain(BlockDriverState *bs, BlockDriverState *base,
                          Error **errp);
void GRAPH_RDLOCK
bdrv_unfreeze_backing_chain(BlockDriverState *bs, BlockDriverState *base);

/* Change format options of an open image (qemu-img amend). */
int GRAPH_RDLOCK
bdrv_amend_options(BlockDriverState *bs_new, QemuOpts *opts,
                   BlockDriverAmendStatusCB *status_cb, void *cb_opaque,
                   bool force, Error **errp);

/* The node @node_name if @parent_bs's job may replace it, else NULL. */
BlockDriverState * GRAPH_RDLOCK
check_to_replace_node(BlockDriverState *parent_bs, const char *node_name,
                      Error **errp);

/* Activation (ownership of the image; migration). */
bool GRAPH_RDLOCK bdrv_is_inactive(BlockDriverState *bs);

int GRAPH_RDLOCK bdrv_activate(BlockDriverState *bs, Error **errp);

int coroutine_fn no_co_wrapper_bdrv_rdlock
bdrv_co_activate(BlockDriverState *bs, Error **errp);

int GRAPH_RDLOCK bdrv_inactivate(BlockDriverState *bs, Error **errp);

void bdrv_activate_all(Error **errp);
int GRAPH_UNLOCKED bdrv_inactivate_all(void);

/* Flush / close every node. */
int bdrv_flush_all(void);
void bdrv_close_all(void);

/*
 * Drain every node: begin stops all request sources and waits until no
 * request is in flight anywhere; end resumes them.  Nestable.
 */
void GRAPH_UNLOCKED bdrv_drain_all_begin(void);
void bdrv_drain_all_begin_nopoll(void);
void bdrv_drain_all_end(void);
void GRAPH_UNLOCKED bdrv_drain_all(void);

/* Cancel @acb and wait until it completed. */
void bdrv_aio_cancel(BlockAIOCB *acb);

/* Helpers for .bdrv_has_zero_init: always 1; and the generic query. */
int bdrv_has_zero_init_1(BlockDriverState *bs);
int coroutine_mixed_fn GRAPH_RDLOCK bdrv_has_zero_init(BlockDriverState *bs);

/* Lookup by node name; by device (BB) name or node name. */
BlockDriverState *bdrv_find_node(const char *node_name);
BlockDeviceInfoList *bdrv_named_nodes_list(bool flat, Error **errp);
XDbgBlockGraph * GRAPH_RDLOCK bdrv_get_xdbg_block_graph(Error **errp);
BlockDriverState *bdrv_lookup_bs(const char *device,
                                 const char *node_name,
                                 Error **errp);
/* True if @base is in @top's backing chain (or NULL). */
bool GRAPH_RDLOCK
bdrv_chain_contains(BlockDriverState *top, BlockDriverState *base);

/* Iterate named nodes / all nodes: pass NULL to start, NULL at the end. */
BlockDriverState *bdrv_next_node(BlockDriverState *bs);
BlockDriverState *bdrv_next_all_states(BlockDriverState *bs);

/*
 * Iteration over the root nodes (those attached to BlockBackends, then
 * monitor-owned ones).  Each returned node holds a reference until the
 * next call; bdrv_next_cleanup() drops it when stopping early.
 */
typedef struct BdrvNextIterator {
    enum {
        BDRV_NEXT_BACKEND_ROOTS,
        BDRV_NEXT_MONITOR_OWNED,
    } phase;
    BlockBackend *blk;
    BlockDriverState *bs;
} BdrvNextIterator;

BlockDriverState * GRAPH_RDLOCK bdrv_first(BdrvNextIterator *it);
BlockDriverState * GRAPH_RDLOCK bdrv_next(BdrvNextIterator *it);
void bdrv_next_cleanup(BdrvNextIterator *it);

BlockDriverState *bdrv_next_monitor_owned(BlockDriverState *bs);

/* Call @it for each driver name (sorted; only r/o-capable if @read_only). */
void bdrv_iterate_format(void (*it)(void *opaque, const char *name),
                         void *opaque, bool read_only);

/* Backing file name made absolute; newly allocated. */
char * GRAPH_RDLOCK
bdrv_get_full_backing_filename(BlockDriverState *bs, Error **errp);

char * GRAPH_RDLOCK bdrv_dirname(BlockDriverState *bs, Error **errp);

/* qemu-img create. */
void bdrv_img_create(const char *filename, const char *fmt,
                     const char *base_filename, const char *base_fmt,
                     char *options, uint64_t img_size, int flags,
                     bool quiet, Error **errp);

/* References: the node is closed and freed when the last one goes. */
void bdrv_ref(BlockDriverState *bs);
void bdrv_unref(BlockDriverState *bs);
void coroutine_fn no_co_wrapper bdrv_co_unref(BlockDriverState *bs);
void GRAPH_WRLOCK bdrv_schedule_unref(BlockDriverState *bs);

/* Detach @child from @parent and drop the child node reference. */
void GRAPH_WRLOCK
bdrv_unref_child(BlockDriverState *parent, BdrvChild *child);

void coroutine_fn no_co_wrapper_bdrv_wrlock
bdrv_co_unref_child(BlockDriverState *parent, BdrvChild *child);

/*
 * Attach @child_bs below @parent_bs as @child_name; takes over one
 * reference to @child_bs (dropped on failure).  NULL with @errp set if
 * permissions or AioContexts do not fit.
 */
BdrvChild * GRAPH_WRLOCK
bdrv_attach_child(BlockDriverState *parent_bs,
                  BlockDriverState *child_bs,
                  const char *child_name,
                  const BdrvChildClass *child_class,
                  BdrvChildRole child_role,
                  Error **errp);

/* Operation blockers. */
bool GRAPH_RDLOCK
bdrv_op_is_blocked(BlockDriverState *bs, BlockOpType op, Error **errp);

void bdrv_op_block(BlockDriverState *bs, BlockOpType op, Error *reason);
void bdrv_op_unblock(BlockDriverState *bs, BlockOpType op, Error *reason);
void bdrv_op_block_all(BlockDriverState *bs, Error *reason);
void bdrv_op_unblock_all(BlockDriverState *bs, Error *reason);
bool bdrv_op_blocker_is_empty(BlockDriverState *bs);

/* blkdebug control, forwarded down the first node that implements it. */
int bdrv_debug_breakpoint(BlockDriverState *bs, const char *event,
                           const char *tag);
int bdrv_debug_remove_breakpoint(BlockDriverState *bs, const char *tag);
int bdrv_debug_resume(BlockDriverState *bs, const char *tag);
bool bdrv_debug_is_suspended(BlockDriverState *bs, const char *tag);

/*
 * AioContext changes.  The _change_aio_context step records what to do
 * in @tran; bdrv_try_change_aio_context() moves @bs and every node and
 * parent that must follow, or fails without changing anything.
 */
bool GRAPH_RDLOCK
bdrv_child_change_aio_context(BdrvChild *c, AioContext *ctx,
                              GHashTable *visited, Transaction *tran,
                              Error **errp);
int GRAPH_UNLOCKED
bdrv_try_change_aio_context(BlockDriverState *bs, AioContext *ctx,
                            BdrvChild *ignore_child, Error **errp);
int GRAPH_RDLOCK
bdrv_try_change_aio_context_locked(BlockDriverState *bs, AioContext *ctx,
                                   BdrvChild *ignore_child, Error **errp);

int GRAPH_RDLOCK bdrv_probe_blocksizes(BlockDriverState *bs, BlockSizes *bsz);
int bdrv_probe_geometry(BlockDriverState *bs, HDGeometry *geo);

void GRAPH_WRLOCK
bdrv_add_child(BlockDriverState *parent, BlockDriverState *child, Error **errp);

void GRAPH_WRLOCK
bdrv_del_child(BlockDriverState *parent, BdrvChild *child, Error **errp);

/*
 * Announce a buffer future requests will use, down the whole subtree.
 * Buffers must not overlap and are unregistered with the same values.
 */
bool bdrv_register_buf(BlockDriverState *bs, void *host, size_t size,
                       Error **errp);
void bdrv_unregister_buf(BlockDriverState *bs, void *host, size_t size);

/* Tell the drivers below @bs that in-flight results are unwanted. */
void bdrv_cancel_in_flight(BlockDriverState *bs);

#endif /* BLOCK_GLOBAL_STATE_H */
