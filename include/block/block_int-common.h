/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block_int-common.h: the driver-facing side of the block layer: struct
 * BlockDriver (every callback a driver may implement), BlockDriverState
 * (one node of the graph), BdrvChild (one edge) and its BdrvChildClass,
 * BlockLimits and the tracked-request record used by block/io.c.
 *
 * Callbacks are grouped as in QEMU: first the global-state ones (main
 * loop, BQL held), then the I/O ones (any thread running the node's
 * AioContext).  Each callback field carries the graph-lock contract as a
 * GRAPH_*_PTR annotation: GRAPH_RDLOCK_PTR means the core calls it with
 * the graph read lock held (and the clang TSA build checks that the
 * pointer is only loaded under the lock), GRAPH_WRLOCK_PTR with the write
 * lock, GRAPH_UNLOCKED_PTR with no graph lock (the callback may poll or
 * take the lock itself).  coroutine_fn callbacks run in a coroutine.
 *
 * Functions for drivers are in block_int-global-state.h and
 * block_int-io.h; block_int.h includes everything.
 */
#ifndef BLOCK_INT_COMMON_H
#define BLOCK_INT_COMMON_H

#include "block/aio.h"
#include "block/block-common.h"
#include "block/block-global-state.h"
#include "qemu/iov.h"
#include "qemu/rcu.h"
#include "qemu/stats64.h"
#include "qemu/thread.h"

/* Option names used by create_opts of the image formats. */
#define BLOCK_FLAG_LAZY_REFCOUNTS   8

#define BLOCK_OPT_SIZE              "size"
#define BLOCK_OPT_ENCRYPT           "encryption"
#define BLOCK_OPT_ENCRYPT_FORMAT    "encrypt.format"
#define BLOCK_OPT_COMPAT6           "compat6"
#define BLOCK_OPT_HWVERSION         "hwversion"
#define BLOCK_OPT_BACKING_FILE      "backing_file"
#define BLOCK_OPT_BACKING_FMT       "backing_fmt"
#define BLOCK_OPT_CLUSTER_SIZE      "cluster_size"
#define BLOCK_OPT_TABLE_SIZE        "table_size"
#define BLOCK_OPT_PREALLOC          "preallocation"
#define BLOCK_OPT_SUBFMT            "subformat"
#define BLOCK_OPT_COMPAT_LEVEL      "compat"
#define BLOCK_OPT_LAZY_REFCOUNTS    "lazy_refcounts"
#define BLOCK_OPT_ADAPTER_TYPE      "adapter_type"
#define BLOCK_OPT_REDUNDANCY        "redundancy"
#define BLOCK_OPT_NOCOW             "nocow"
#define BLOCK_OPT_EXTENT_SIZE_HINT  "extent_size_hint"
#define BLOCK_OPT_OBJECT_SIZE       "object_size"
#define BLOCK_OPT_REFCOUNT_BITS     "refcount_bits"
#define BLOCK_OPT_DATA_FILE         "data_file"
#define BLOCK_OPT_DATA_FILE_RAW     "data_file_raw"
#define BLOCK_OPT_COMPRESSION_TYPE  "compression_type"
#define BLOCK_OPT_EXTL2             "extended_l2"

/* How many bytes of an image format probing looks at. */
#define BLOCK_PROBE_BUF_SIZE        512

enum BdrvTrackedRequestType {
    BDRV_TRACKED_READ,
    BDRV_TRACKED_WRITE,
    BDRV_TRACKED_DISCARD,
    BDRV_TRACKED_TRUNCATE,
};

/*
 * One request in flight on a node, kept on bs->tracked_requests (under
 * bs->reqs_lock) for serialisation and copy-on-read.  Owned by
 * block/io.c: code elsewhere that changes offset/bytes must keep them
 * valid for bdrv_check_request().
 */
typedef struct BdrvTrackedRequest {
    BlockDriverState *bs;
    int64_t offset;
    int64_t bytes;
    enum BdrvTrackedRequestType type;

    bool serialising;
    /* The range other serialising requests must not overlap. */
    int64_t overlap_offset;
    int64_t overlap_bytes;

    QLIST_ENTRY(BdrvTrackedRequest) list;
    Coroutine *co;                  /* the coroutine issuing the request */
    CoQueue wait_queue;             /* requests waiting for this one */

    /* The request this one waits for, to detect wait cycles. */
    struct BdrvTrackedRequest *waiting_for;
} BdrvTrackedRequest;

struct BlockDriver {
    /*
     * Static description.  Set in the driver's definition and never
     * changed.
     */

    /* Name used for "driver" / -f, and shown by qemu-img info. */
    const char *format_name;
    /* Size of the per-node state allocated into bs->opaque. */
    int instance_size;

    /*
     * The driver is a filter: it presents the data of exactly one child
     * (bs->file, or bs->backing if filtered_child_is_backing) unchanged.
     * Data callbacks it leaves NULL are forwarded to that child.
     */
    bool is_filter;
    /* Filter whose filtered child is bs->backing; legacy, avoid. */
    bool filtered_child_is_backing;

    /* An image format (its children are opened without format probing). */
    bool is_format;

    /* Children may be zoned devices. */
    bool supports_zoned_children;

    /* Opening requires a "filename" option. */
    bool bdrv_needs_filename;

    /*
     * The format has backing files: a block_status of 0 means "not in
     * this layer", and reads of such ranges go to the backing child (or
     * return zeroes without one).
     */
    bool supports_backing;

    /*
     * "<protocol_name>:rest" filenames select this driver; options may be
     * pulled out of the rest by .bdrv_parse_filename.
     */
    const char *protocol_name;

    /* Options accepted by image creation and amend (NULL-name ended). */
    QemuOptsList *create_opts;
    QemuOptsList *amend_opts;

    /*
     * Runtime options reopen may change (NULL-terminated).  An option of
     * this list that a reopen leaves out is reset to its default.
     */
    const char *const *mutable_opts;

    /*
     * Options that change what data the node presents (NULL-terminated,
     * NULL = none); "driver" and "filename" always count.
     */
    const char *const *strong_runtime_opts;

    /*
     * Global state (GS) callbacks: main loop, BQL held.
     * See block-global-state.h.
     */

    /* Set-up that needs the BQL, run before / after .bdrv_co_amend. */
    int GRAPH_RDLOCK_PTR (*bdrv_amend_pre_run)(
        BlockDriverState *bs, Error **errp);
    void GRAPH_RDLOCK_PTR (*bdrv_amend_clean)(BlockDriverState *bs);

    /*
     * True if replacing @to_replace (somewhere below @bs) by a node with
     * the same data would not change what @bs presents to its parents.
     */
    bool GRAPH_RDLOCK_PTR (*bdrv_recurse_can_replace)(
        BlockDriverState *bs, BlockDriverState *to_replace);

    /* Score how likely @filename is a host device this driver handles. */
    int (*bdrv_probe_device)(const char *filename);

    /*
     * Move what the filename encodes into @options.  A driver with this
     * callback must also accept a NULL filename in .bdrv_open.
     */
    void (*bdrv_parse_filename)(const char *filename, QDict *options,
                                Error **errp);

    /*
     * Reopen in three steps: prepare may fail and must not change the
     * node; commit applies and cannot fail; abort drops what prepare did.
     * commit_post runs after all nodes of the queue committed.
     */
    int GRAPH_UNLOCKED_PTR (*bdrv_reopen_prepare)(
        BDRVReopenState *reopen_state, BlockReopenQueue *queue, Error **errp);
    void GRAPH_UNLOCKED_PTR (*bdrv_reopen_commit)(
        BDRVReopenState *reopen_state);
    void GRAPH_UNLOCKED_PTR (*bdrv_reopen_commit_post)(
        BDRVReopenState *reopen_state);
    void GRAPH_UNLOCKED_PTR (*bdrv_reopen_abort)(
        BDRVReopenState *reopen_state);
    /* Merge @old_options into @options where they are tied together. */
    void (*bdrv_join_options)(QDict *options, QDict *old_options);

    /* Open a format/filter node: 0 or -errno with @errp set. */
    int GRAPH_UNLOCKED_PTR (*bdrv_open)(
        BlockDriverState *bs, QDict *options, int flags, Error **errp);

    /* Open a protocol node (instead of .bdrv_open). */
    int GRAPH_UNLOCKED_PTR (*bdrv_file_open)(
        BlockDriverState *bs, QDict *options, int flags, Error **errp);

    /* Release driver state; children are detached by the core. */
    void (*bdrv_close)(BlockDriverState *bs);

    /* Create an image from QAPI options (blockdev-create). */
    int coroutine_fn GRAPH_UNLOCKED_PTR (*bdrv_co_create)(
        BlockdevCreateOptions *opts, Error **errp);

    /* Create an image from -o style options (qemu-img create). */
    int coroutine_fn GRAPH_UNLOCKED_PTR (*bdrv_co_create_opts)(
        BlockDriver *drv, const char *filename, QemuOpts *opts, Error **errp);

    /* Change image options in place (qemu-img amend). */
    int GRAPH_RDLOCK_PTR (*bdrv_amend_options)(
        BlockDriverState *bs, QemuOpts *opts,
        BlockDriverAmendStatusCB *status_cb, void *cb_opaque,
        bool force, Error **errp);

    /* Drop all data of the image so that it reads as its backing file. */
    int GRAPH_RDLOCK_PTR (*bdrv_make_empty)(BlockDriverState *bs);

    /* Recompute bs->exact_filename (leave it empty if impossible). */
    void GRAPH_RDLOCK_PTR (*bdrv_refresh_filename)(BlockDriverState *bs);

    /*
     * Put the options that reopen each child into @target.  Without it,
     * the core puts every child's options under the child's name.  The
     * backing child's options are only needed if @backing_overridden
     * (i.e. bs->backing is not what the image header names).
     */
    void GRAPH_RDLOCK_PTR (*bdrv_gather_child_options)(
        BlockDriverState *bs, QDict *target, bool backing_overridden);

    /*
     * The directory relative filenames in this node's metadata are
     * relative to, newly allocated.
     */
    char * GRAPH_RDLOCK_PTR (*bdrv_dirname)(BlockDriverState *bs, Error **errp);

    /* Results of in-flight requests are no longer wanted: hurry up. */
    void (*bdrv_cancel_in_flight)(BlockDriverState *bs);

    /* The node loses ownership of its image (outgoing migration). */
    int GRAPH_RDLOCK_PTR (*bdrv_inactivate)(BlockDriverState *bs);

    /* Internal snapshots. */
    int GRAPH_RDLOCK_PTR (*bdrv_snapshot_create)(
        BlockDriverState *bs, QEMUSnapshotInfo *sn_info);

    int GRAPH_UNLOCKED_PTR (*bdrv_snapshot_goto)(
        BlockDriverState *bs, const char *snapshot_id);

    int GRAPH_RDLOCK_PTR (*bdrv_snapshot_delete)(
        BlockDriverState *bs, const char *snapshot_id, const char *name,
        Error **errp);

    int (*bdrv_snapshot_list)(BlockDriverState *bs,
                              QEMUSnapshotInfo **psn_info);
    int (*bdrv_snapshot_load_tmp)(BlockDriverState *bs,
                                  const char *snapshot_id,
                                  const char *name,
                                  Error **errp);

    /* Rewrite the backing file name/format stored in the image header. */
    int (*bdrv_change_backing_file)(BlockDriverState *bs,
        const char *backing_file, const char *backing_fmt);

    /* Debugging hooks (blkdebug). */
    int (*bdrv_debug_breakpoint)(BlockDriverState *bs, const char *event,
        const char *tag);
    int (*bdrv_debug_remove_breakpoint)(BlockDriverState *bs,
        const char *tag);
    int (*bdrv_debug_resume)(BlockDriverState *bs, const char *tag);
    bool (*bdrv_debug_is_suspended)(BlockDriverState *bs, const char *tag);

    /* Fill in bs->bl; the core has already merged the children's limits. */
    void GRAPH_RDLOCK_PTR (*bdrv_refresh_limits)(
        BlockDriverState *bs, Error **errp);

    /* 1 if a newly created image is known to read as zeroes, else 0. */
    int GRAPH_RDLOCK_PTR (*bdrv_has_zero_init)(BlockDriverState *bs);

    /*
     * Stop / start using the event loop (fd handlers, timers) around an
     * AioContext change.  No requests are in flight.  Detach runs parents
     * first, attach children first.
     */
    void (*bdrv_detach_aio_context)(BlockDriverState *bs);
    void (*bdrv_attach_aio_context)(BlockDriverState *bs,
                                    AioContext *new_context);

    /*
     * A drained section starts / ends: stop / restart request sources
     * internal to the driver.  Must not poll (no aio_poll()).
     */
    void (*bdrv_drain_begin)(BlockDriverState *bs);
    void (*bdrv_drain_end)(BlockDriverState *bs);

    /* Logical and physical block size: 0 or -errno. */
    int GRAPH_RDLOCK_PTR (*bdrv_probe_blocksizes)(
        BlockDriverState *bs, BlockSizes *bsz);
    /* Host geometry, for drivers that want to override the guess. */
    int (*bdrv_probe_geometry)(BlockDriverState *bs, HDGeometry *geo);

    /* Add / remove a child at run time (quorum). */
    void GRAPH_WRLOCK_PTR (*bdrv_add_child)(
        BlockDriverState *parent, BlockDriverState *child, Error **errp);

    void GRAPH_WRLOCK_PTR (*bdrv_del_child)(
        BlockDriverState *parent, BdrvChild *child, Error **errp);

    /*
     * Permission update, first phase: may the cumulative parent
     * permissions become @perm while others may share @shared?  May take
     * preparations (file locks).  Followed by .bdrv_set_perm or
     * .bdrv_abort_perm_update.  0 or -errno with @errp set.
     */
    int GRAPH_RDLOCK_PTR (*bdrv_check_perm)(BlockDriverState *bs, uint64_t perm,
                                            uint64_t shared, Error **errp);

    /* Second phase: the permissions checked last are now in effect. */
    void GRAPH_RDLOCK_PTR (*bdrv_set_perm)(
        BlockDriverState *bs, uint64_t perm, uint64_t shared);

    /*
     * The checked permissions will not be applied: undo preparations.
     * Must be harmless without a preceding .bdrv_check_perm.
     */
    void GRAPH_RDLOCK_PTR (*bdrv_abort_perm_update)(BlockDriverState *bs);

    /*
     * Which permissions @bs needs on child @c (and lets others share),
     * given what @bs's parents want in total.  @c is NULL when asking for
     * a child about to be attached with @role.  With @reopen_queue, answer
     * for the state after that reopen.
     */
    void GRAPH_RDLOCK_PTR (*bdrv_child_perm)(
        BlockDriverState *bs, BdrvChild *c, BdrvChildRole role,
        BlockReopenQueue *reopen_queue,
        uint64_t parent_perm, uint64_t parent_shared,
        uint64_t *nperm, uint64_t *nshared);

    /*
     * Announce / withdraw a buffer that future requests will use (e.g.
     * to DMA-map it).  register returns false with @errp set on failure.
     */
    bool GRAPH_RDLOCK_PTR (*bdrv_register_buf)(
        BlockDriverState *bs, void *host, size_t size, Error **errp);
    void GRAPH_RDLOCK_PTR (*bdrv_unregister_buf)(
        BlockDriverState *bs, void *host, size_t size);

    /* Link in the registered-driver list (block.c, BQL). */
    QLIST_ENTRY(BlockDriver) list;

    /*
     * I/O callbacks: thread-safe, run in the node's AioContext.
     * See block-io.h.
     */

    /* Score (0..100) how likely @buf (the image start) is this format. */
    int (*bdrv_probe)(const uint8_t *buf, int buf_size, const char *filename);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_amend)(
        BlockDriverState *bs, BlockdevAmendOptions *opts, bool force,
        Error **errp);

    /* Callback-style I/O, for drivers without coroutine entry points. */
    BlockAIOCB * GRAPH_RDLOCK_PTR (*bdrv_aio_preadv)(BlockDriverState *bs,
        int64_t offset, int64_t bytes, QEMUIOVector *qiov,
        BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque);

    BlockAIOCB * GRAPH_RDLOCK_PTR (*bdrv_aio_pwritev)(BlockDriverState *bs,
        int64_t offset, int64_t bytes, QEMUIOVector *qiov,
        BdrvRequestFlags flags, BlockCompletionFunc *cb, void *opaque);

    BlockAIOCB * GRAPH_RDLOCK_PTR (*bdrv_aio_flush)(
        BlockDriverState *bs, BlockCompletionFunc *cb, void *opaque);

    BlockAIOCB * GRAPH_RDLOCK_PTR (*bdrv_aio_pdiscard)(
        BlockDriverState *bs, int64_t offset, int bytes,
        BlockCompletionFunc *cb, void *opaque);

    /* Sector-based read, for old drivers. */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_readv)(BlockDriverState *bs,
        int64_t sector_num, int nb_sectors, QEMUIOVector *qiov);

    /*
     * Read @bytes at @offset into @qiov.  The core guarantees: @offset and
     * @bytes are multiples of bl.request_alignment, @bytes equals the qiov
     * size and is at most bl.max_transfer; qiov elements may have any
     * length and may point into guest memory.  @flags only holds bits of
     * bs->supported_read_flags.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_preadv)(BlockDriverState *bs,
        int64_t offset, int64_t bytes, QEMUIOVector *qiov,
        BdrvRequestFlags flags);

    /* As .bdrv_co_preadv, reading into @qiov from byte @qiov_offset on. */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_preadv_part)(
        BlockDriverState *bs, int64_t offset, int64_t bytes,
        QEMUIOVector *qiov, size_t qiov_offset,
        BdrvRequestFlags flags);

    /* Sector-based write, for old drivers. */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_writev)(BlockDriverState *bs,
        int64_t sector_num, int nb_sectors, QEMUIOVector *qiov,
        int flags);

    /*
     * Write @bytes of @qiov at @offset; same guarantees as for
     * .bdrv_co_preadv, and @flags only holds bits of
     * bs->supported_write_flags.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_pwritev)(
        BlockDriverState *bs, int64_t offset, int64_t bytes, QEMUIOVector *qiov,
        BdrvRequestFlags flags);
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_pwritev_part)(
        BlockDriverState *bs, int64_t offset, int64_t bytes, QEMUIOVector *qiov,
        size_t qiov_offset, BdrvRequestFlags flags);

    /*
     * Make a range read as zeroes cheaply.  NULL or -ENOTSUP makes the
     * core write a zeroed buffer instead (unless BDRV_REQ_NO_FALLBACK).
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_pwrite_zeroes)(
        BlockDriverState *bs, int64_t offset, int64_t bytes,
        BdrvRequestFlags flags);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_pdiscard)(
        BlockDriverState *bs, int64_t offset, int64_t bytes);

    /*
     * Copy offload, source side: map the range to the child that holds
     * it and continue with bdrv_co_copy_range_from() on it, or call
     * bdrv_co_copy_range_to() if @bs is where the data is.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_copy_range_from)(
        BlockDriverState *bs, BdrvChild *src, int64_t offset,
        BdrvChild *dst, int64_t dst_offset, int64_t bytes,
        BdrvRequestFlags read_flags, BdrvRequestFlags write_flags);

    /*
     * Copy offload, destination side: map to the child and recurse, or
     * do the copy if @bs is the leaf and @src uses the same driver
     * (-ENOTSUP otherwise).
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_copy_range_to)(
        BlockDriverState *bs, BdrvChild *src, int64_t src_offset,
        BdrvChild *dst, int64_t dst_offset, int64_t bytes,
        BdrvRequestFlags read_flags, BdrvRequestFlags write_flags);

    /*
     * Allocation status of [@offset, @offset + @bytes) in this layer only.
     * Return a mix of BDRV_BLOCK_DATA / ZERO / OFFSET_VALID / RAW /
     * RECURSE (0 = defer to the backing layer) and set *pnum to an aligned
     * nonzero length the answer holds for (it may exceed @bytes), *map and
     * *file when OFFSET_VALID.  @want_zero asks for precise zero/offset
     * information rather than big extents.  Input is aligned and clamped
     * to the image length by the core; the pointers are never NULL.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_block_status)(
        BlockDriverState *bs,
        bool want_zero, int64_t offset, int64_t bytes, int64_t *pnum,
        int64_t *map, BlockDriverState **file);

    /*
     * Access to a driver-internal point-in-time view (snapshot-access
     * filter).  The core does no alignment, serialisation or tracking for
     * these: the driver synchronises them with normal I/O itself.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_preadv_snapshot)(
        BlockDriverState *bs, int64_t offset, int64_t bytes,
        QEMUIOVector *qiov, size_t qiov_offset);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_snapshot_block_status)(
        BlockDriverState *bs, bool want_zero, int64_t offset, int64_t bytes,
        int64_t *pnum, int64_t *map, BlockDriverState **file);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_pdiscard_snapshot)(
        BlockDriverState *bs, int64_t offset, int64_t bytes);

    /* Drop cached metadata and re-read it (incoming migration). */
    void coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_invalidate_cache)(
        BlockDriverState *bs, Error **errp);

    /*
     * Flush everything, taking care of the children itself.  With this
     * the core does not call the two callbacks below.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_flush)(BlockDriverState *bs);

    /* Delete the image file this protocol node is about. */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_delete_file)(
        BlockDriverState *bs, Error **errp);

    /* Make data already handed to the OS durable (fdatasync). */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_flush_to_disk)(
        BlockDriverState *bs);

    /* Hand cached data to the OS (it survives a QEMU crash afterwards). */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_flush_to_os)(
        BlockDriverState *bs);

    /*
     * Change the length to @offset, preallocating per @prealloc when
     * growing (anything but PREALLOC_MODE_OFF is refused when shrinking).
     * Without @exact a host device that is at least @offset long is fine;
     * with @exact, return -ENOTSUP where only that relaxed form works.
     * @flags: BDRV_REQ_ZERO_WRITE if in bs->supported_truncate_flags.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_truncate)(
        BlockDriverState *bs, int64_t offset, bool exact,
        PreallocMode prealloc, BdrvRequestFlags flags, Error **errp);

    /* Current length in bytes, or -errno. */
    int64_t coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_getlength)(
        BlockDriverState *bs);

    /* Bytes used on the host by this node's files, or -errno. */
    int64_t coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_get_allocated_file_size)(
        BlockDriverState *bs);

    /* Size an image created with @opts (from @in_bs if given) would need. */
    BlockMeasureInfo *(*bdrv_measure)(QemuOpts *opts, BlockDriverState *in_bs,
                                      Error **errp);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_pwritev_compressed)(
        BlockDriverState *bs, int64_t offset, int64_t bytes,
        QEMUIOVector *qiov);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_pwritev_compressed_part)(
        BlockDriverState *bs, int64_t offset, int64_t bytes,
        QEMUIOVector *qiov, size_t qiov_offset);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_get_info)(
        BlockDriverState *bs, BlockDriverInfo *bdi);

    /* Format-specific details for qemu-img info / query-block. */
    ImageInfoSpecific * GRAPH_RDLOCK_PTR (*bdrv_get_specific_info)(
        BlockDriverState *bs, Error **errp);
    BlockStatsSpecific *(*bdrv_get_specific_stats)(BlockDriverState *bs);

    /* VM state area of internal snapshots (savevm/loadvm). */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_save_vmstate)(
        BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_load_vmstate)(
        BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);

    /* Zoned devices. */
    int coroutine_fn (*bdrv_co_zone_report)(BlockDriverState *bs,
            int64_t offset, unsigned int *nr_zones,
            BlockZoneDescriptor *zones);
    int coroutine_fn (*bdrv_co_zone_mgmt)(BlockDriverState *bs, BlockZoneOp op,
            int64_t offset, int64_t len);
    int coroutine_fn (*bdrv_co_zone_append)(BlockDriverState *bs,
            int64_t *offset, QEMUIOVector *qiov,
            BdrvRequestFlags flags);

    /* Removable media (host CD-ROM). */
    bool coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_is_inserted)(
        BlockDriverState *bs);
    void coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_eject)(
        BlockDriverState *bs, bool eject_flag);
    void coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_lock_medium)(
        BlockDriverState *bs, bool locked);

    /* SCSI passthrough. */
    BlockAIOCB *coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_aio_ioctl)(
        BlockDriverState *bs, unsigned long int req, void *buf,
        BlockCompletionFunc *cb, void *opaque);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_ioctl)(
        BlockDriverState *bs, unsigned long int req, void *buf);

    /*
     * Check (and with @fix, repair) the image.  Findings go to @result;
     * the return value is 0, or -errno if the check itself failed.
     */
    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_check)(
        BlockDriverState *bs, BdrvCheckResult *result, BdrvCheckMode fix);

    /* A blkdebug event point was reached in a driver below. */
    void coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_debug_event)(
        BlockDriverState *bs, BlkdebugEvent event);

    /* Persistent dirty bitmaps (qcow2). */
    bool (*bdrv_supports_persistent_dirty_bitmap)(BlockDriverState *bs);

    bool coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_can_store_new_dirty_bitmap)(
        BlockDriverState *bs, const char *name, uint32_t granularity,
        Error **errp);

    int coroutine_fn GRAPH_RDLOCK_PTR (*bdrv_co_remove_persistent_dirty_bitmap)(
        BlockDriverState *bs, const char *name, Error **errp);
};

/* True if @drv can write compressed data.  Only reads static fields. */
static inline bool TSA_NO_TSA block_driver_can_compress(BlockDriver *drv)
{
    return drv->bdrv_co_pwritev_compressed ||
           drv->bdrv_co_pwritev_compressed_part;
}

/*
 * I/O limits of a node, computed by bdrv_refresh_limits() from the
 * driver and its children.  All sizes in bytes; 0 means "no limit" or
 * "no preference" unless said otherwise.
 */
typedef struct BlockLimits {
    /*
     * Offset and length of every request must be a multiple of this.
     * Power of two below INT_MAX; 1 for byte-based drivers, 512 for
     * sector-based ones by default.
     */
    uint32_t request_alignment;

    /* Largest discard; a multiple of pdiscard_alignment. */
    int64_t max_pdiscard;

    /* Preferred discard alignment (multiple of request_alignment). */
    uint32_t pdiscard_alignment;

    /* Largest zero write; a multiple of pwrite_zeroes_alignment. */
    int64_t max_pwrite_zeroes;

    /* Preferred zero-write alignment (multiple of request_alignment). */
    uint32_t pwrite_zeroes_alignment;

    /* Preferred transfer size (multiple of request_alignment). */
    uint32_t opt_transfer;

    /*
     * Largest read/write; a multiple of opt_transfer and
     * request_alignment.  Clamped to INT_MAX.
     */
    uint32_t max_transfer;

    /* Transfer limit when bypassing the kernel (SG_IO); 0: max_transfer. */
    uint64_t max_hw_transfer;

    /* iovec limit when bypassing the kernel; 0: max_iov. */
    int max_hw_iov;

    /* Buffer alignment that avoids bounce buffers. */
    size_t min_mem_alignment;

    /* Alignment used for bounce buffers. */
    size_t opt_mem_alignment;

    /* Most iovec elements one request may have. */
    int max_iov;

    /* The length may change behind our back (CD-ROM tray). */
    bool has_variable_length;

    /* Zoned device model and geometry. */
    BlockZoneModel zoned;
    uint32_t zone_size;
    uint32_t nr_zones;
    uint32_t max_append_sectors;
    uint32_t max_open_zones;
    uint32_t max_active_zones;

    uint32_t write_granularity;
} BlockLimits;

typedef struct BdrvOpBlocker BdrvOpBlocker;

/*
 * Notifier for users that follow a node's AioContext: called after the
 * node moved to @new_context and before it leaves the old one.
 */
typedef struct BdrvAioNotifier {
    void (*attached_aio_context)(AioContext *new_context, void *opaque);
    void (*detach_aio_context)(void *opaque);

    void *opaque;
    bool deleted;

    QLIST_ENTRY(BdrvAioNotifier) list;
} BdrvAioNotifier;

/*
 * What kind of parent a BdrvChild belongs to: a node (child_of_bds), a
 * BlockBackend, a block job...  The callbacks let the core talk to the
 * parent about its child.
 */
struct BdrvChildClass {
    /* bdrv_replace_node() leaves this edge where it is. */
    bool stay_at_node;

    /*
     * The parent is a BlockDriverState (visited on its own by
     * bdrv_drain_all(), so drain needs not go up through this edge).
     */
    bool parent_is_bds;

    /* Global state (GS) callbacks: main loop, BQL held. */

    /* Compute the child's flags and options from the parent's. */
    void (*inherit_options)(BdrvChildRole role, bool parent_is_format,
                            int *child_flags, QDict *child_options,
                            int parent_flags, QDict *parent_options);
    /* Medium was inserted (@load) or removed. */
    void (*change_media)(BdrvChild *child, bool load);

    /* Human-readable name of the parent, newly allocated. */
    char *(*get_parent_desc)(BdrvChild *child);

    /* The child became active / inactive (migration handover). */
    void GRAPH_RDLOCK_PTR (*activate)(BdrvChild *child, Error **errp);
    int GRAPH_RDLOCK_PTR (*inactivate)(BdrvChild *child);

    /* The edge was just added to / is about to leave child->bs. */
    void GRAPH_WRLOCK_PTR (*attach)(BdrvChild *child);
    void GRAPH_WRLOCK_PTR (*detach)(BdrvChild *child);

    /*
     * Drained section on the child begins / ends (nestable).  Between
     * them the parent issues no new requests.  Must not change the graph
     * or poll.
     */
    void GRAPH_RDLOCK_PTR (*drained_begin)(BdrvChild *child);
    void GRAPH_RDLOCK_PTR (*drained_end)(BdrvChild *child);

    /*
     * Does the parent still have requests pending on the child?  Polled
     * after .drained_begin until false.
     */
    bool GRAPH_RDLOCK_PTR (*drained_poll)(BdrvChild *child);

    /*
     * The child's filename as seen from @new_base changed to @filename
     * (e.g. a node between was removed): update stored references.
     */
    int (*update_filename)(BdrvChild *child, BlockDriverState *new_base,
                           const char *filename, Error **errp);

    /*
     * Can the parent follow the child into @ctx?  Adds the parent's part
     * of the switch to @tran; @visited stops cycles.
     */
    bool (*change_aio_ctx)(BdrvChild *child, AioContext *ctx,
                           GHashTable *visited, Transaction *tran,
                           Error **errp);

    /* I/O callbacks: thread-safe. */

    /* The child's length changed. */
    void (*resize)(BdrvChild *child);

    /* A name better than the node name for users (BB name), or NULL. */
    const char *(*get_name)(BdrvChild *child);

    /* The AioContext the parent runs in. */
    AioContext *(*get_parent_aio_context)(BdrvChild *child);
};

/* The class of edges whose parent is a BlockDriverState (block.c). */
extern const BdrvChildClass child_of_bds;

/* One edge of the graph: a parent's use of child node @bs. */
struct BdrvChild {
    BlockDriverState *bs;
    char *name;
    const BdrvChildClass *klass;
    BdrvChildRole role;
    void *opaque;                   /* the parent object, per klass */

    /* BLK_PERM_* granted to this user. */
    uint64_t perm;

    /* BLK_PERM_* this user lets other users of @bs have. */
    uint64_t shared_perm;

    /* The edge may be neither removed nor pointed elsewhere. */
    bool frozen;

    /*
     * This edge called klass->drained_begin on the parent and owes it a
     * drained_end.  Normally equals bs->quiesce_counter > 0.
     */
    bool quiesced_parent;

    QLIST_ENTRY(BdrvChild GRAPH_RDLOCK_PTR) next;        /* parent->children */
    QLIST_ENTRY(BdrvChild GRAPH_RDLOCK_PTR) next_parent; /* bs->parents */
};

/*
 * One remembered data region of a protocol node, so repeated
 * block-status queries inside it need not ask the driver again.
 */
typedef struct BdrvBlockStatusCache {
    struct rcu_head rcu;    /* replaced copies are freed after a grace period */

    bool valid;             /* read/written with atomics */
    int64_t data_start;     /* known data starts here */
    int64_t data_end;       /* and ends here (not necessarily zeroes after) */
} BdrvBlockStatusCache;

struct BlockDriverState {
    /*
     * Changed only in the main loop under the BQL (or fixed after open):
     * I/O code may read them without locks.
     */
    int open_flags;         /* BDRV_O_*, kept for reopen */
    bool encrypted;         /* the medium is encrypted */
    bool sg;                /* the node is a SCSI generic device */
    bool probed;            /* the format was probed, not given */
    bool force_share;       /* always share all permissions */
    bool implicit;          /* a filter inserted automatically (job) */

    BlockDriver *drv;       /* NULL: no medium */
    void *opaque;           /* drv->instance_size bytes of driver state */

    AioContext *aio_context; /* where the node's I/O and handlers run */
    /* Users that follow the node across AioContext changes. */
    QLIST_HEAD(, BdrvAioNotifier) aio_notifiers;
    bool walking_aio_notifiers; /* removals are deferred while true */

    char filename[PATH_MAX];
    /*
     * Backing file name as stored in the image header (relative to this
     * image's directory if relative); need not match backing->bs.
     */
    char backing_file[PATH_MAX];
    /*
     * The header's backing file name, replaced by the opened backing
     * node's filename once bdrv_refresh_filename() ran on it.
     */
    char auto_backing_file[PATH_MAX];
    char backing_format[16]; /* format of backing_file, if stored */

    QDict *full_open_options; /* options that reopen exactly this node */
    char exact_filename[PATH_MAX]; /* plain filename, if one describes it */

    BlockLimits bl;

    /* BDRV_REQ_* the driver handles itself for each request type. */
    BdrvRequestFlags supported_read_flags;
    /*
     * Writes: typically FUA and WRITE_UNCHANGED.  Without the latter, such
     * writes arrive as normal writes, so a driver passing its parent's
     * permissions through must then take WRITE on its children itself.
     */
    BdrvRequestFlags supported_write_flags;
    /* Zero writes: FUA, MAY_UNMAP, WRITE_UNCHANGED. */
    BdrvRequestFlags supported_zero_flags;
    /* Truncate: ZERO_WRITE (growth must read back as zeroes). */
    BdrvRequestFlags supported_truncate_flags;

    char node_name[32];
    QTAILQ_ENTRY(BlockDriverState) node_list;    /* named nodes */
    QTAILQ_ENTRY(BlockDriverState) bs_list;      /* all nodes */
    QTAILQ_ENTRY(BlockDriverState) monitor_list; /* monitor-owned nodes */
    int refcnt;

    /* Operation blockers (BQL). */
    QLIST_HEAD(, BdrvOpBlocker) op_blockers[BLOCK_OP_TYPE_MAX];

    /*
     * The parent this node took its default options from; reopening it
     * may change this node's defaults too.
     */
    BlockDriverState *inherits_from;

    /*
     * Edges.  @backing and @file point into @children (or are NULL) and
     * are only changed by the child_of_bds attach/detach callbacks.
     */
    QLIST_HEAD(, BdrvChild GRAPH_RDLOCK_PTR) children;
    BdrvChild * GRAPH_RDLOCK_PTR backing;
    BdrvChild *file;

    QLIST_HEAD(, BdrvChild GRAPH_RDLOCK_PTR) parents;

    QDict *options;             /* all options, explicit and inherited */
    QDict *explicit_options;    /* the ones the user gave */
    BlockdevDetectZeroesOptions detect_zeroes;

    /* Blocks operations on the backing node while attached. */
    Error *backing_blocker;

    /*
     * Length in sectors.  Written by open, truncate and snapshot load,
     * when the node is quiescent.
     */
    int64_t total_sectors;

    /* Write threshold in bytes ("high water mark"); 0 = disabled. */
    uint64_t write_threshold_offset;

    /*
     * The list changes with the BQL and the mutex held; either one is
     * enough to read it.  Bitmap contents need only the mutex.
     */
    QemuMutex dirty_bitmap_mutex;
    QLIST_HEAD(, BdrvDirtyBitmap) dirty_bitmaps;

    /* End of the highest write so far (stat64_max()). */
    Stat64 wr_highest_offset;

    /* Number of users that asked for copy-on-read (atomic). */
    int copy_on_read;

    /* Requests in flight, all and serialising ones (atomic). */
    unsigned int in_flight;
    unsigned int serialising_in_flight;

    /* Whether the guest should see a volatile write cache. */
    int enable_write_cache;

    /* Drained-section depth (atomic). */
    int quiesce_counter;

    unsigned int write_gen;         /* bumped by every completed write */

    /* Protected by reqs_lock. */
    QemuMutex reqs_lock;
    QLIST_HEAD(, BdrvTrackedRequest) tracked_requests;
    CoQueue flush_queue;            /* flushes waiting for the active one */
    bool active_flush_req;          /* a flush is running */

    /* Owned by whoever set active_flush_req. */
    unsigned int flushed_gen;       /* write_gen covered by the last flush */

    /* Edges to this node may never be frozen. */
    bool never_freeze;

    /* Serialises writers of block_status_cache. */
    CoMutex bsc_modify_lock;
    /* Never NULL; dereference only inside an RCU read-side section. */
    BdrvBlockStatusCache *block_status_cache;

    /* Zone write pointers (zoned devices only). */
    BlockZoneWps *wps;
};

/* Settings a BlockBackend keeps while it has no medium. */
struct BlockBackendRootState {
    int open_flags;
    BlockdevDetectZeroesOptions detect_zeroes;
};

typedef enum BlockMirrorBackingMode {
    /* Target takes the source's backing chain (per sync mode). */
    MIRROR_SOURCE_BACKING_CHAIN,

    /* Target's backing chain is opened anew. */
    MIRROR_OPEN_BACKING_CHAIN,

    /* Target's backing node is left alone. */
    MIRROR_LEAVE_BACKING_CHAIN,
} BlockMirrorBackingMode;

/*
 * Drivers that are always built in and may be referenced directly
 * instead of through bdrv_find_format().
 */
extern BlockDriver bdrv_file;
extern BlockDriver bdrv_raw;
extern BlockDriver bdrv_qcow2;

/* Nesting depth of bdrv_drain_all_begin() (main loop). */
extern unsigned int bdrv_drain_all_count;
/* The "size"-only option list of drivers with trivial creation. */
extern QemuOptsList bdrv_create_opts_simple;

/* Functions usable in any context. */

static inline BlockDriverState *child_bs(BdrvChild *child)
{
    return child ? child->bs : NULL;
}

/* 0 if [@offset, @offset + @bytes) is a valid request range, else -EIO. */
int bdrv_check_request(int64_t offset, int64_t bytes, Error **errp);

/* Create an empty temporary file; returns its name, newly allocated. */
char *create_tmp_file(Error **errp);

/*
 * Strip "@prefix:" from @filename (if there) and store the rest as the
 * "filename" option in @options.
 */
void bdrv_parse_filename_strip_prefix(const char *filename, const char *prefix,
                                      QDict *options);

/* As bdrv_check_request(), also checking @qiov covers the range. */
int bdrv_check_qiov_request(int64_t offset, int64_t bytes,
                            QEMUIOVector *qiov, size_t qiov_offset,
                            Error **errp);

#endif /* BLOCK_INT_COMMON_H */
