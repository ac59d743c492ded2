/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-common.h: types and constants shared by every part of the block
 * layer API, whatever the calling context: request and open flags, child
 * roles, permissions, block-status bits, check/reopen/snapshot records.
 *
 * Functions live elsewhere: block-global-state.h (main loop, BQL) and
 * block-io.h (any thread running the node's AioContext).  The driver-side
 * structures (BlockDriver, BlockDriverState, BdrvChild) are in
 * block_int-common.h.
 */
#ifndef BLOCK_COMMON_H
#define BLOCK_COMMON_H

#include "qemu/queue.h"
#include "qemu/coroutine.h"
#include "qemu/iov.h"
#include "block/aio.h"
#include "block/aio-wait.h"
#include "block/accounting.h"
#include "block/dirty-bitmap.h"
#include "block/graph-lock.h"
#include "qemu/main-loop.h"
#include "qapi/qapi-types-block-core.h"

typedef struct BlockDriver BlockDriver;
typedef struct BdrvChild BdrvChild;
typedef struct BdrvChildClass BdrvChildClass;

/* What bdrv_get_info() reports about an image format. */
typedef struct BlockDriverInfo {
    /* Allocation unit in bytes; 0 if the format has none. */
    int cluster_size;
    /* Smallest unit that can be allocated independently; 0 = cluster. */
    int subcluster_size;
    /* Where the VM state starts for bdrv_save_vmstate(), in bytes. */
    int64_t vm_state_offset;
    /* The image was not closed cleanly. */
    bool is_dirty;
    /* Only compressed writes are possible (e.g. vmdk streamOptimized). */
    bool needs_compressed_writes;
} BlockDriverInfo;

/* Fragmentation figures gathered by an image check. */
typedef struct BlockFragInfo {
    uint64_t allocated_clusters;
    uint64_t total_clusters;
    uint64_t fragmented_clusters;
    uint64_t compressed_clusters;
} BlockFragInfo;

/*
 * Per-request flags.  The bit values are part of the driver interface
 * (BlockDriverState.supported_*_flags advertise them).
 */
typedef enum {
    /* Read: copy the data into this layer if it came from a backing file. */
    BDRV_REQ_COPY_ON_READ       = 0x1,
    /* Write: the payload is all zeroes (the qiov is NULL). */
    BDRV_REQ_ZERO_WRITE         = 0x2,
    /* Zero write: unmapping the range is allowed if it reads back zero. */
    BDRV_REQ_MAY_UNMAP          = 0x4,
    /* Write: data must be on stable storage on completion. */
    BDRV_REQ_FUA                = 0x10,
    /* Write: store compressed; offset/bytes are cluster aligned. */
    BDRV_REQ_WRITE_COMPRESSED   = 0x20,
    /* Write: the data written equals what is already there. */
    BDRV_REQ_WRITE_UNCHANGED    = 0x40,
    /* Request must not overlap any other in-flight request. */
    BDRV_REQ_SERIALISING        = 0x80,
    /* Fail with -ENOTSUP instead of falling back to a slower method. */
    BDRV_REQ_NO_FALLBACK        = 0x100,
    /* Copy-on-read: only populate this layer, return no data (qiov NULL). */
    BDRV_REQ_PREFETCH           = 0x200,
    /* Serialising: fail with -EBUSY instead of waiting on a conflict. */
    BDRV_REQ_NO_WAIT            = 0x400,
    /* The buffers were registered with bdrv_register_buf(). */
    BDRV_REQ_REGISTERED_BUF     = 0x800,

    BDRV_REQ_MASK               = 0xfff,
} BdrvRequestFlags;

/* Host block device geometry and block sizes. */
typedef struct BlockSizes {
    uint32_t phys;
    uint32_t log;
} BlockSizes;

typedef struct HDGeometry {
    uint32_t heads;
    uint32_t sectors;
    uint32_t cylinders;
} HDGeometry;

/*
 * Zoned block devices.  Only the types are here; no driver implements
 * zones yet.
 */
typedef enum BlockZoneOp {
    BLK_ZO_OPEN,
    BLK_ZO_CLOSE,
    BLK_ZO_FINISH,
    BLK_ZO_RESET,
} BlockZoneOp;

typedef enum BlockZoneModel {
    BLK_Z_NONE = 0x0,
    BLK_Z_HM = 0x1,
    BLK_Z_HA = 0x2,
} BlockZoneModel;

typedef enum BlockZoneState {
    BLK_ZS_NOT_WP = 0x0,
    BLK_ZS_EMPTY = 0x1,
    BLK_ZS_IOPEN = 0x2,
    BLK_ZS_EOPEN = 0x3,
    BLK_ZS_CLOSED = 0x4,
    BLK_ZS_RDONLY = 0xD,
    BLK_ZS_FULL = 0xE,
    BLK_ZS_OFFLINE = 0xF,
} BlockZoneState;

typedef enum BlockZoneType {
    BLK_ZT_CONV = 0x1,
    BLK_ZT_SWR = 0x2,
    BLK_ZT_SWP = 0x3,
} BlockZoneType;

typedef struct BlockZoneDescriptor {
    uint64_t start;
    uint64_t length;
    uint64_t cap;
    uint64_t wp;
    BlockZoneType type;
    BlockZoneState state;
} BlockZoneDescriptor;

typedef struct BlockZoneWps BlockZoneWps;

/*
 * Open flags (bdrv_open() @flags, BlockDriverState.open_flags).  The
 * values match QEMU's.
 */
#define BDRV_O_NO_SHARE    0x0001  /* don't share permissions */
#define BDRV_O_RDWR        0x0002
#define BDRV_O_RESIZE      0x0004  /* request permission for resizing */
#define BDRV_O_SNAPSHOT    0x0008  /* open a temporary overlay (-snapshot) */
#define BDRV_O_TEMPORARY   0x0010  /* delete the file on close */
#define BDRV_O_NOCACHE     0x0020  /* bypass the host page cache */
#define BDRV_O_NATIVE_AIO  0x0080  /* use Linux AIO */
#define BDRV_O_NO_BACKING  0x0100  /* don't open the backing file */
#define BDRV_O_NO_FLUSH    0x0200  /* disable flushing on this disk */
#define BDRV_O_COPY_ON_READ 0x0400 /* copy read backing sectors into image */
#define BDRV_O_INACTIVE    0x0800  /* image is owned elsewhere (migration) */
#define BDRV_O_CHECK       0x1000  /* open for consistency check/repair */
#define BDRV_O_ALLOW_RDWR  0x2000  /* allow reopen to change from r/o */
#define BDRV_O_UNMAP       0x4000  /* pass discards down to the driver */
#define BDRV_O_PROTOCOL    0x8000  /* the node is a protocol driver */
#define BDRV_O_NO_IO       0x10000 /* don't touch image data (qemu-img info) */
#define BDRV_O_AUTO_RDONLY 0x20000 /* fall back to r/o if r/w fails */
#define BDRV_O_IO_URING    0x40000 /* use io_uring */

#define BDRV_O_CACHE_MASK  (BDRV_O_NOCACHE | BDRV_O_NO_FLUSH)

/* Option names shared by all nodes (QDict keys). */
#define BDRV_OPT_CACHE_WB       "cache.writeback"
#define BDRV_OPT_CACHE_DIRECT   "cache.direct"
#define BDRV_OPT_CACHE_NO_FLUSH "cache.no-flush"
#define BDRV_OPT_READ_ONLY      "read-only"
#define BDRV_OPT_AUTO_READ_ONLY "auto-read-only"
#define BDRV_OPT_DISCARD        "discard"
#define BDRV_OPT_FORCE_SHARE    "force-share"

#define BDRV_SECTOR_BITS   9
#define BDRV_SECTOR_SIZE   (1ULL << BDRV_SECTOR_BITS)

/* Largest single request, in sectors and bytes (fits int and size_t). */
#define BDRV_REQUEST_MAX_SECTORS \
    ((int64_t)MIN(SIZE_MAX >> BDRV_SECTOR_BITS, INT_MAX >> BDRV_SECTOR_BITS))
#define BDRV_REQUEST_MAX_BYTES (BDRV_REQUEST_MAX_SECTORS << BDRV_SECTOR_BITS)

/* Largest alignment and image length the core supports. */
#define BDRV_MAX_ALIGNMENT (1L << 30)
#define BDRV_MAX_LENGTH    (QEMU_ALIGN_DOWN(INT64_MAX, BDRV_MAX_ALIGNMENT))

/*
 * Block-status bits, returned by bdrv_block_status() and the driver's
 * .bdrv_co_block_status.
 *
 * BDRV_BLOCK_DATA:     the range holds data as far as this layer knows.
 * BDRV_BLOCK_ZERO:     the range reads as zero.
 * BDRV_BLOCK_OFFSET_VALID: *map holds the offset of the range in *file.
 * BDRV_BLOCK_RAW:      driver-only: ask *file at *map for the real answer.
 * BDRV_BLOCK_ALLOCATED: the layer itself (not a backing file) decides the
 *                      content; set by the core, never by drivers.
 * BDRV_BLOCK_EOF:      the range ends at end of file.
 * BDRV_BLOCK_RECURSE:  driver-only: ZERO may be refined by asking *file.
 * BDRV_BLOCK_COMPRESSED: the data is stored compressed.
 */
#define BDRV_BLOCK_DATA         0x01
#define BDRV_BLOCK_ZERO         0x02
#define BDRV_BLOCK_OFFSET_VALID 0x04
#define BDRV_BLOCK_RAW          0x08
#define BDRV_BLOCK_ALLOCATED    0x10
#define BDRV_BLOCK_EOF          0x20
#define BDRV_BLOCK_RECURSE      0x40
#define BDRV_BLOCK_COMPRESSED   0x80

/* One node being reopened, and the queue bdrv_reopen_multiple() walks. */
typedef QTAILQ_HEAD(BlockReopenQueue, BlockReopenQueueEntry) BlockReopenQueue;

typedef struct BDRVReopenState {
    BlockDriverState *bs;
    int flags;
    BlockdevDetectZeroesOptions detect_zeroes;
    bool backing_missing;
    BlockDriverState *old_backing_bs; /* keep pointer for permissions update */
    BlockDriverState *old_file_bs;    /* keep pointer for permissions update */
    QDict *options;
    QDict *explicit_options;
    void *opaque;                     /* driver-private, prepare..commit */
} BDRVReopenState;

/* Operations that bdrv_op_block() can forbid on a node. */
typedef enum BlockOpType {
    BLOCK_OP_TYPE_BACKUP_SOURCE,
    BLOCK_OP_TYPE_BACKUP_TARGET,
    BLOCK_OP_TYPE_CHANGE,
    BLOCK_OP_TYPE_COMMIT_SOURCE,
    BLOCK_OP_TYPE_COMMIT_TARGET,
    BLOCK_OP_TYPE_DRIVE_DEL,
    BLOCK_OP_TYPE_EJECT,
    BLOCK_OP_TYPE_EXTERNAL_SNAPSHOT,
    BLOCK_OP_TYPE_INTERNAL_SNAPSHOT,
    BLOCK_OP_TYPE_INTERNAL_SNAPSHOT_DELETE,
    BLOCK_OP_TYPE_MIRROR_SOURCE,
    BLOCK_OP_TYPE_MIRROR_TARGET,
    BLOCK_OP_TYPE_RESIZE,
    BLOCK_OP_TYPE_STREAM,
    BLOCK_OP_TYPE_REPLACE,
    BLOCK_OP_TYPE_MAX,
} BlockOpType;

/*
 * What a child node is to its parent.  A child may combine several
 * roles.  bs->file and bs->backing are just the children whose roles make
 * them so: a backing child has BDRV_CHILD_COW, and a node's "file" is its
 * one child that carries DATA and/or METADATA without COW, or FILTERED
 * for a filter.
 *
 * DATA:     the child stores guest-visible data.
 * METADATA: the child stores format metadata.
 * FILTERED: the parent is a filter presenting this child's data as is.
 * COW:      the child is the backing (copy-on-write source) layer.
 * PRIMARY:  the child is the one the parent's filename/options derive
 *           from (at most one per parent).
 */
typedef enum BdrvChildRole {
    BDRV_CHILD_DATA         = (1 << 0),
    BDRV_CHILD_METADATA     = (1 << 1),
    BDRV_CHILD_FILTERED     = (1 << 2),
    BDRV_CHILD_COW          = (1 << 3),
    BDRV_CHILD_PRIMARY      = (1 << 4),

    /* Convenience: an image file holding both data and metadata. */
    BDRV_CHILD_IMAGE        = BDRV_CHILD_DATA | BDRV_CHILD_METADATA,
} BdrvChildRole;

/*
 * Permissions a user (BdrvChild) takes on a node, and the ones it lets
 * others share.  Checked and combined by the permission code in block.c.
 */
typedef enum BlockPermission {
    /* The data read is what a write before it left there (no stale view). */
    BLK_PERM_CONSISTENT_READ    = 0x01,
    /* May change the data. */
    BLK_PERM_WRITE              = 0x02,
    /* May write, but only data that is already there. */
    BLK_PERM_WRITE_UNCHANGED    = 0x04,
    /* May change the length. */
    BLK_PERM_RESIZE             = 0x08,

    BLK_PERM_ALL                = 0x0f,

    /* Sensible defaults for parents that pass data through. */
    DEFAULT_PERM_PASSTHROUGH    = BLK_PERM_CONSISTENT_READ
                                | BLK_PERM_WRITE
                                | BLK_PERM_WRITE_UNCHANGED
                                | BLK_PERM_RESIZE,

    DEFAULT_PERM_UNCHANGED      = BLK_PERM_ALL & ~DEFAULT_PERM_PASSTHROUGH,
} BlockPermission;

/* Result record of an image check (qemu-img check). */
typedef struct BdrvCheckResult {
    int corruptions;
    int leaks;
    int check_errors;
    int corruptions_fixed;
    int leaks_fixed;
    int64_t image_end_offset;
    BlockFragInfo bfi;
} BdrvCheckResult;

typedef enum {
    BDRV_FIX_LEAKS    = 1,
    BDRV_FIX_ERRORS   = 2,
} BdrvCheckMode;

/* Progress callback for bdrv_amend_options(): @offset of @total_work_size. */
typedef void BlockDriverAmendStatusCB(BlockDriverState *bs, int64_t offset,
                                      int64_t total_work_size, void *opaque);

/* One internal snapshot as listed by bdrv_snapshot_list(). */
typedef struct QEMUSnapshotInfo {
    char id_str[128];   /* unique, assigned by the format */
    char name[256];     /* user chosen, may be empty */
    uint64_t vm_state_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t icount;    /* -1ULL if not recorded */
} QEMUSnapshotInfo;

#endif /* BLOCK_COMMON_H */
