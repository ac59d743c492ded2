/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bdrv-internal.h: private glue between the files that make up the node
 * graph core: block.c (registries, node life cycle, names, file names)
 * and its parts in block/ (see the header of block.c for the list).
 *
 * Nothing here is for drivers or users of the block layer; those go
 * through include/block/.  All functions are main loop (BQL) only.
 */
#ifndef BLOCK_BDRV_INTERNAL_H
#define BLOCK_BDRV_INTERNAL_H

#include "block/block_int.h"
#include "qemu/transactions.h"

/* One node of a reopen queue (block/reopen.c). */
typedef struct BlockReopenQueueEntry {
    bool prepared;
    BDRVReopenState state;
    QTAILQ_ENTRY(BlockReopenQueueEntry) entry;
} BlockReopenQueueEntry;

/*
 * block/perm.c
 */

/*
 * Recompute the permissions of every node reachable (through children)
 * from the nodes in @list, parents before children, and of the edges
 * between them.  With @q, nodes in the queue are judged by their state
 * after the reopen.  Every change is recorded in @tran, which the caller
 * commits or aborts; on failure @errp is set and -errno returned.
 */
int GRAPH_RDLOCK bdrv_list_refresh_perms(GSList *list, BlockReopenQueue *q,
                                         Transaction *tran, Error **errp);

/*
 * As bdrv_list_refresh_perms() for the subtree of @bs.  A NULL @tran
 * means "apply now": the changes are committed on success and rolled
 * back on failure.
 */
int GRAPH_RDLOCK bdrv_refresh_perms(BlockDriverState *bs, Transaction *tran,
                                    Error **errp);

/* Change @c's permissions to @perm/@shared, undone if @tran aborts. */
void bdrv_child_set_perm_tran(BdrvChild *c, uint64_t perm, uint64_t shared,
                              Transaction *tran);

/* The flags @bs will have once @q (may be NULL) has been applied. */
int bdrv_reopen_get_flags(BlockReopenQueue *q, BlockDriverState *bs);

/*
 * block/graph-mod.c
 */

/*
 * Point @child at @new_bs (NULL: detach) without touching permissions
 * or references.  Runs the child class attach/detach callbacks and keeps
 * the parent's quiesce state in line with @new_bs.
 */
void GRAPH_WRLOCK bdrv_replace_child_noperm(BdrvChild *child,
                                            BlockDriverState *new_bs);

/*
 * Make @child_bs the "backing" (@is_backing) or "file" child of @parent,
 * replacing any previous one; NULL only removes.  Permissions are left
 * to the caller; every step is undone if @tran aborts.
 */
int GRAPH_WRLOCK bdrv_set_file_or_backing_noperm(BlockDriverState *parent,
                                                 BlockDriverState *child_bs,
                                                 bool is_backing,
                                                 Transaction *tran,
                                                 Error **errp);

/*
 * Record in @tran the move of @bs, of everything below it and of every
 * parent that can follow into @ctx (block/aio-ctx.c); @visited holds
 * the nodes and edges already seen.  False with @errp set if some
 * parent cannot follow.
 */
bool GRAPH_RDLOCK bdrv_change_aio_context(BlockDriverState *bs,
                                          AioContext *ctx,
                                          GHashTable *visited,
                                          Transaction *tran, Error **errp);

/*
 * Drop a reference to @bs from code that holds the graph write lock.
 * If it was not the last one it is dropped at once; the last one is
 * dropped later (deleting a node takes the lock itself): by the next
 * bdrv_flush_pending_unrefs(), or else from a main-loop bottom half.
 */
void bdrv_schedule_unref(BlockDriverState *bs);

/*
 * Drop the references bdrv_schedule_unref() deferred, now.  Only where
 * the graph lock is not held: before opening nodes (a deferred close may
 * still hold an image file's locks) and after a close released the lock.
 */
void bdrv_flush_pending_unrefs(void);

/*
 * block.c
 */

/* Parse the generic runtime options out of @options into @flags. */
int bdrv_parse_common_reopen_opts(QDict *options, int *flags,
                                  BlockdevDetectZeroesOptions *detect_zeroes,
                                  Error **errp);

/*
 * block/open-opts.c
 */

/* Move the generic runtime options out of @options into a new dict. */
QDict *bdrv_runtime_opts_extract(QDict *options);

/*
 * Boolean (QBool or "on"/"off"...) / string option @key of @rt: *out is
 * @def / NULL if absent.  False with @errp set on a bad type or value.
 */
bool bdrv_opt_get_bool(QDict *rt, const char *key, bool def, bool *out,
                       Error **errp);
bool bdrv_opt_get_str(QDict *rt, const char *key, const char **out,
                      Error **errp);

/* Apply cache.direct, cache.no-flush, read-only, auto-read-only of @rt. */
bool bdrv_opts_update_flags(QDict *rt, int *flags, Error **errp);

/* detect-zeroes of @rt; "unmap" needs BDRV_O_UNMAP in @flags. */
bool bdrv_opt_get_detect_zeroes(QDict *rt, int flags,
                                BlockdevDetectZeroesOptions *out,
                                Error **errp);

/* Make the flag-derived options explicit where @options leaves them out. */
void bdrv_update_options_from_flags(QDict *options, int flags);

/* Update *flags from the cache/read-only options in @options (unchanged). */
void bdrv_flags_from_options(QDict *options, int *flags);

/*
 * Name @bs @node_name (NULL: a generated "#blockNNN" name) and list it
 * among the named nodes.  0, or -EINVAL with @errp set if the name is
 * malformed or taken.
 */
int bdrv_assign_node_name(BlockDriverState *bs, const char *node_name,
                          Error **errp);
/* Take @bs off the list of named nodes. */
void bdrv_forget_node_name(BlockDriverState *bs);

/* The format driver whose .bdrv_probe likes @buf best, or NULL. */
BlockDriver *bdrv_probe_all(const uint8_t *buf, int buf_size,
                            const char *filename);

/* What @bs asks of @child_bs through an edge with @role (@c may be NULL). */
void GRAPH_RDLOCK bdrv_child_perm(BlockDriverState *bs,
                                  BlockDriverState *child_bs,
                                  BdrvChild *c, BdrvChildRole role,
                                  BlockReopenQueue *reopen_queue,
                                  uint64_t parent_perm,
                                  uint64_t parent_shared,
                                  uint64_t *nperm, uint64_t *nshared);

/* Default child option/flag inheritance for nodes (child_of_bds). */
void bdrv_inherited_options(BdrvChildRole role, bool parent_is_format,
                            int *child_flags, QDict *child_options,
                            int parent_flags, QDict *parent_options);

#endif /* BLOCK_BDRV_INTERNAL_H */
