/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qapi-types-block-core.h: the block-layer types that QEMU generates from
 * its QAPI schema (qapi/block-core.json), written by hand here until the
 * tree has a QAPI generator.  Enum constants and member names follow the
 * schema exactly so that code written against QEMU reads the same; only
 * the types the block core needs so far are present.  Complex option
 * structures are declared incomplete until some code needs their members.
 */
#ifndef QAPI_TYPES_BLOCK_CORE_H
#define QAPI_TYPES_BLOCK_CORE_H

/*
 * Types of qapi-builtin-types.h / qapi-types-common.h that the block
 * layer uses, guarded so that a later real header can take them over.
 */
#ifndef QAPI_BUILTIN_UINT64LIST_DEFINED
#define QAPI_BUILTIN_UINT64LIST_DEFINED
typedef struct uint64List uint64List;
struct uint64List {
    uint64List *next;
    uint64_t value;
};
#endif

#ifndef QAPI_ONOFFAUTO_DEFINED
#define QAPI_ONOFFAUTO_DEFINED
typedef enum OnOffAuto {
    ON_OFF_AUTO_AUTO,
    ON_OFF_AUTO_ON,
    ON_OFF_AUTO_OFF,
    ON_OFF_AUTO__MAX,
} OnOffAuto;
#endif

/* Preallocation mode for create and truncate ("preallocation" option). */
typedef enum PreallocMode {
    PREALLOC_MODE_OFF,
    PREALLOC_MODE_METADATA,
    PREALLOC_MODE_FALLOC,
    PREALLOC_MODE_FULL,
    PREALLOC_MODE__MAX,
} PreallocMode;

/* "detect-zeroes" node option. */
typedef enum BlockdevDetectZeroesOptions {
    BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF,
    BLOCKDEV_DETECT_ZEROES_OPTIONS_ON,
    BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP,
    BLOCKDEV_DETECT_ZEROES_OPTIONS__MAX,
} BlockdevDetectZeroesOptions;

/* "discard" node option. */
typedef enum BlockdevDiscardOptions {
    BLOCKDEV_DISCARD_OPTIONS_IGNORE,
    BLOCKDEV_DISCARD_OPTIONS_UNMAP,
    BLOCKDEV_DISCARD_OPTIONS__MAX,
} BlockdevDiscardOptions;

/* Device policy for I/O errors ("werror" / "rerror"). */
typedef enum BlockdevOnError {
    BLOCKDEV_ON_ERROR_REPORT,
    BLOCKDEV_ON_ERROR_IGNORE,
    BLOCKDEV_ON_ERROR_ENOSPC,
    BLOCKDEV_ON_ERROR_STOP,
    BLOCKDEV_ON_ERROR_AUTO,
    BLOCKDEV_ON_ERROR__MAX,
} BlockdevOnError;

/* What a device did about one I/O error (BLOCK_IO_ERROR event). */
typedef enum BlockErrorAction {
    BLOCK_ERROR_ACTION_IGNORE,
    BLOCK_ERROR_ACTION_REPORT,
    BLOCK_ERROR_ACTION_STOP,
    BLOCK_ERROR_ACTION__MAX,
} BlockErrorAction;

/* I/O status of a device, as shown by query-block. */
typedef enum BlockDeviceIoStatus {
    BLOCK_DEVICE_IO_STATUS_OK,
    BLOCK_DEVICE_IO_STATUS_FAILED,
    BLOCK_DEVICE_IO_STATUS_NOSPACE,
    BLOCK_DEVICE_IO_STATUS__MAX,
} BlockDeviceIoStatus;

/* Events blkdebug can attach rules to (names as in "event = ..."). */
typedef enum BlkdebugEvent {
    BLKDBG_L1_UPDATE,
    BLKDBG_L1_GROW_ALLOC_TABLE,
    BLKDBG_L1_GROW_WRITE_TABLE,
    BLKDBG_L1_GROW_ACTIVATE_TABLE,
    BLKDBG_L2_LOAD,
    BLKDBG_L2_UPDATE,
    BLKDBG_L2_UPDATE_COMPRESSED,
    BLKDBG_L2_ALLOC_COW_READ,
    BLKDBG_L2_ALLOC_WRITE,
    BLKDBG_READ_AIO,
    BLKDBG_READ_BACKING_AIO,
    BLKDBG_READ_COMPRESSED,
    BLKDBG_WRITE_AIO,
    BLKDBG_WRITE_COMPRESSED,
    BLKDBG_VMSTATE_LOAD,
    BLKDBG_VMSTATE_SAVE,
    BLKDBG_COW_READ,
    BLKDBG_COW_WRITE,
    BLKDBG_REFTABLE_LOAD,
    BLKDBG_REFTABLE_GROW,
    BLKDBG_REFTABLE_UPDATE,
    BLKDBG_REFBLOCK_LOAD,
    BLKDBG_REFBLOCK_UPDATE,
    BLKDBG_REFBLOCK_UPDATE_PART,
    BLKDBG_REFBLOCK_ALLOC,
    BLKDBG_REFBLOCK_ALLOC_HOOKUP,
    BLKDBG_REFBLOCK_ALLOC_WRITE,
    BLKDBG_REFBLOCK_ALLOC_WRITE_BLOCKS,
    BLKDBG_REFBLOCK_ALLOC_WRITE_TABLE,
    BLKDBG_REFBLOCK_ALLOC_SWITCH_TABLE,
    BLKDBG_CLUSTER_ALLOC,
    BLKDBG_CLUSTER_ALLOC_BYTES,
    BLKDBG_CLUSTER_FREE,
    BLKDBG_FLUSH_TO_OS,
    BLKDBG_FLUSH_TO_DISK,
    BLKDBG_PWRITEV_RMW_HEAD,
    BLKDBG_PWRITEV_RMW_AFTER_HEAD,
    BLKDBG_PWRITEV_RMW_TAIL,
    BLKDBG_PWRITEV_RMW_AFTER_TAIL,
    BLKDBG_PWRITEV,
    BLKDBG_PWRITEV_ZERO,
    BLKDBG_PWRITEV_DONE,
    BLKDBG_EMPTY_IMAGE_PREPARE,
    BLKDBG_L1_SHRINK_WRITE_TABLE,
    BLKDBG_L1_SHRINK_FREE_L2_CLUSTERS,
    BLKDBG_COR_WRITE,
    BLKDBG_CLUSTER_ALLOC_SPACE,
    BLKDBG_NONE,
    BLKDBG__MAX,
} BlkdebugEvent;

/* Result of "qemu-img measure" / bdrv_measure(). */
typedef struct BlockMeasureInfo {
    int64_t required;
    int64_t fully_allocated;
    bool has_bitmaps;
    int64_t bitmaps;
} BlockMeasureInfo;

/*
 * What "qemu-img info" shows under "format-specific" (ImageInfoSpecific
 * union, qcow2 branch).  Optional pointers are NULL when absent; other
 * optional members have a has_ flag.  qapi_free_ImageInfoSpecific() is
 * in block/qapi.c.
 */
typedef enum Qcow2CompressionType {
    QCOW2_COMPRESSION_TYPE_ZLIB,
    QCOW2_COMPRESSION_TYPE_ZSTD,
    QCOW2_COMPRESSION_TYPE__MAX,
} Qcow2CompressionType;

typedef enum Qcow2BitmapInfoFlags {
    QCOW2_BITMAP_INFO_FLAGS_IN_USE,
    QCOW2_BITMAP_INFO_FLAGS_AUTO,
    QCOW2_BITMAP_INFO_FLAGS__MAX,
} Qcow2BitmapInfoFlags;

typedef struct Qcow2BitmapInfoFlagsList Qcow2BitmapInfoFlagsList;
struct Qcow2BitmapInfoFlagsList {
    Qcow2BitmapInfoFlagsList *next;
    Qcow2BitmapInfoFlags value;
};

typedef struct Qcow2BitmapInfo {
    char *name;
    uint32_t granularity;
    Qcow2BitmapInfoFlagsList *flags;
} Qcow2BitmapInfo;

typedef struct Qcow2BitmapInfoList Qcow2BitmapInfoList;
struct Qcow2BitmapInfoList {
    Qcow2BitmapInfoList *next;
    Qcow2BitmapInfo *value;
};

typedef struct ImageInfoSpecificQCow2 {
    char *compat;
    char *data_file;
    bool has_data_file_raw;
    bool data_file_raw;
    bool has_extended_l2;
    bool extended_l2;
    bool has_lazy_refcounts;
    bool lazy_refcounts;
    bool has_corrupt;
    bool corrupt;
    int64_t refcount_bits;
    bool has_bitmaps;
    Qcow2BitmapInfoList *bitmaps;
    Qcow2CompressionType compression_type;
    /* LUKS encryption (shown with "format": "luks"), or NULL. */
    struct QCryptoBlockInfoLUKS *encrypt;
    bool encrypt_aes;   /* legacy AES: "encrypt": {"format": "aes"} */
} ImageInfoSpecificQCow2;

typedef enum ImageInfoSpecificKind {
    IMAGE_INFO_SPECIFIC_KIND_QCOW2,
    IMAGE_INFO_SPECIFIC_KIND_VMDK,
    IMAGE_INFO_SPECIFIC_KIND_LUKS,
    IMAGE_INFO_SPECIFIC_KIND_RBD,
    IMAGE_INFO_SPECIFIC_KIND__MAX,
} ImageInfoSpecificKind;

typedef struct ImageInfoSpecificQCow2Wrapper {
    ImageInfoSpecificQCow2 *data;
} ImageInfoSpecificQCow2Wrapper;

/* LUKS branch: the type lives in include/crypto/block-luks.h. */
typedef struct QCryptoBlockInfoLUKS QCryptoBlockInfoLUKS;

typedef struct ImageInfoSpecificLUKSWrapper {
    QCryptoBlockInfoLUKS *data;
} ImageInfoSpecificLUKSWrapper;

typedef struct ImageInfoSpecific {
    ImageInfoSpecificKind type;
    union {
        ImageInfoSpecificQCow2Wrapper qcow2;
        ImageInfoSpecificLUKSWrapper luks;
    } u;
} ImageInfoSpecific;

void qapi_free_ImageInfoSpecific(ImageInfoSpecific *obj);

/* Option and info structures whose members nobody needs yet. */
typedef struct BlockdevCreateOptions BlockdevCreateOptions;
typedef struct BlockdevAmendOptions BlockdevAmendOptions;
typedef struct BlockdevOptions BlockdevOptions;
typedef struct BlockStatsSpecific BlockStatsSpecific;
typedef struct BlockdevQcow2Encryption BlockdevQcow2Encryption;
typedef struct BlockdevRef BlockdevRef;
typedef struct BlockDeviceInfoList BlockDeviceInfoList;
typedef struct XDbgBlockGraph XDbgBlockGraph;

#endif /* QAPI_TYPES_BLOCK_CORE_H */
