/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-format.h: the qcow2 on-disk layout, as the qcow2 specification
 * describes it: magic, limits, header and header extensions, feature
 * bits, snapshot table entries, L1/L2/refcount entry bits.  Values on
 * disk are big-endian; the QEMU_PACKED structs are read and written as
 * they are, after byte swapping.  Included by block/qcow2.h.
 */
#ifndef BLOCK_QCOW2_FORMAT_H
#define BLOCK_QCOW2_FORMAT_H

#include "qemu/units.h"

#define QCOW_MAGIC (('Q' << 24) | ('F' << 16) | ('I' << 8) | 0xfb)

#define QCOW_CRYPT_NONE 0
#define QCOW_CRYPT_AES  1
#define QCOW_CRYPT_LUKS 2

#define QCOW_MAX_CRYPT_CLUSTERS 32
#define QCOW_MAX_SNAPSHOTS 65536

/* Limits that keep a bad header from making us allocate gigabytes. */
#define QCOW_MAX_REFTABLE_SIZE (8 * MiB)
#define QCOW_MAX_L1_SIZE (32 * MiB)
#define QCOW_MAX_SNAPSHOTS_SIZE (1024 * QCOW_MAX_SNAPSHOTS)
#define QCOW_MAX_SNAPSHOT_EXTRA_DATA 1024

/* Flags in L1 and L2 entries. */
#define QCOW_OFLAG_COPIED     (1ULL << 63)
#define QCOW_OFLAG_COMPRESSED (1ULL << 62)
#define QCOW_OFLAG_ZERO       (1ULL << 0)

/* Extended L2 entries: the second 64 bits are an allocation bitmap. */
#define QCOW_EXTL2_SUBCLUSTERS_PER_CLUSTER 32
#define QCOW_OFLAG_SUB_ALLOC(x)     (1ULL << (x))
#define QCOW_OFLAG_SUB_ZERO(x)      (QCOW_OFLAG_SUB_ALLOC(x) << 32)
/* Bits of subclusters [x, y). */
#define QCOW_OFLAG_SUB_ALLOC_RANGE(x, y) \
    (QCOW_OFLAG_SUB_ALLOC(y) - QCOW_OFLAG_SUB_ALLOC(x))
#define QCOW_OFLAG_SUB_ZERO_RANGE(x, y) \
    (QCOW_OFLAG_SUB_ALLOC_RANGE(x, y) << 32)
#define QCOW_L2_BITMAP_ALL_ALLOC  (QCOW_OFLAG_SUB_ALLOC_RANGE(0, 32))
#define QCOW_L2_BITMAP_ALL_ZERO   (QCOW_OFLAG_SUB_ZERO_RANGE(0, 32))

#define MIN_CLUSTER_BITS 9
#define MAX_CLUSTER_BITS 21

/* Compressed data sizes are counted in units of this. */
#define QCOW2_COMPRESSED_SECTOR_SIZE 512U

/* The image header, as stored at offset 0 (fields big-endian). */
typedef struct QCowHeader {
    uint32_t magic;
    uint32_t version;
    uint64_t backing_file_offset;
    uint32_t backing_file_size;
    uint32_t cluster_bits;
    uint64_t size;                  /* guest size in bytes */
    uint32_t crypt_method;
    uint32_t l1_size;               /* entries in the active L1 table */
    uint64_t l1_table_offset;
    uint64_t refcount_table_offset;
    uint32_t refcount_table_clusters;
    uint32_t nb_snapshots;
    uint64_t snapshots_offset;

    /* Version 3 only (version 2 images read as these defaults). */
    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;

    uint32_t refcount_order;
    uint32_t header_length;

    /* Present if header_length > 104. */
    uint8_t compression_type;

    /* Pads the header to a multiple of 8 bytes. */
    uint8_t padding[7];
} QEMU_PACKED QCowHeader;

QEMU_BUILD_BUG_ON(!QEMU_IS_ALIGNED(sizeof(QCowHeader), 8));

/* Fixed part of one snapshot table entry (on disk). */
typedef struct QEMU_PACKED QCowSnapshotHeader {
    uint64_t l1_table_offset;

    uint32_t l1_size;
    uint16_t id_str_size;
    uint16_t name_size;

    uint32_t date_sec;
    uint32_t date_nsec;

    uint64_t vm_clock_nsec;

    uint32_t vm_state_size;
    uint32_t extra_data_size;       /* bytes of extra data that follow */
    /* then: extra data, id string, name (not NUL-terminated), padding */
} QCowSnapshotHeader;

/* Known part of a snapshot's extra data (on disk). */
typedef struct QEMU_PACKED QCowSnapshotExtraData {
    uint64_t vm_state_size_large;
    uint64_t disk_size;
    uint64_t icount;
} QCowSnapshotExtraData;

/* Header extension magics. */
#define QCOW2_EXT_MAGIC_END 0
#define QCOW2_EXT_MAGIC_BACKING_FORMAT 0xe2792aca
#define QCOW2_EXT_MAGIC_FEATURE_TABLE 0x6803f857
#define QCOW2_EXT_MAGIC_CRYPTO_HEADER 0x0537be77
#define QCOW2_EXT_MAGIC_BITMAPS 0x23852875
#define QCOW2_EXT_MAGIC_DATA_FILE 0x44415441

/* Kinds of entries in the feature name table. */
enum {
    QCOW2_FEAT_TYPE_INCOMPATIBLE    = 0,
    QCOW2_FEAT_TYPE_COMPATIBLE      = 1,
    QCOW2_FEAT_TYPE_AUTOCLEAR       = 2,
};

/* Incompatible feature bits. */
enum {
    QCOW2_INCOMPAT_DIRTY_BITNR      = 0,
    QCOW2_INCOMPAT_CORRUPT_BITNR    = 1,
    QCOW2_INCOMPAT_DATA_FILE_BITNR  = 2,
    QCOW2_INCOMPAT_COMPRESSION_BITNR = 3,
    QCOW2_INCOMPAT_EXTL2_BITNR      = 4,
    QCOW2_INCOMPAT_DIRTY            = 1 << QCOW2_INCOMPAT_DIRTY_BITNR,
    QCOW2_INCOMPAT_CORRUPT          = 1 << QCOW2_INCOMPAT_CORRUPT_BITNR,
    QCOW2_INCOMPAT_DATA_FILE        = 1 << QCOW2_INCOMPAT_DATA_FILE_BITNR,
    QCOW2_INCOMPAT_COMPRESSION      = 1 << QCOW2_INCOMPAT_COMPRESSION_BITNR,
    QCOW2_INCOMPAT_EXTL2            = 1 << QCOW2_INCOMPAT_EXTL2_BITNR,

    QCOW2_INCOMPAT_MASK             = QCOW2_INCOMPAT_DIRTY
                                    | QCOW2_INCOMPAT_CORRUPT
                                    | QCOW2_INCOMPAT_DATA_FILE
                                    | QCOW2_INCOMPAT_COMPRESSION
                                    | QCOW2_INCOMPAT_EXTL2,
};

/* Compatible feature bits. */
enum {
    QCOW2_COMPAT_LAZY_REFCOUNTS_BITNR = 0,
    QCOW2_COMPAT_LAZY_REFCOUNTS       = 1 << QCOW2_COMPAT_LAZY_REFCOUNTS_BITNR,

    QCOW2_COMPAT_FEAT_MASK            = QCOW2_COMPAT_LAZY_REFCOUNTS,
};

/* Autoclear feature bits. */
enum {
    QCOW2_AUTOCLEAR_BITMAPS_BITNR       = 0,
    QCOW2_AUTOCLEAR_DATA_FILE_RAW_BITNR = 1,
    QCOW2_AUTOCLEAR_BITMAPS             = 1 << QCOW2_AUTOCLEAR_BITMAPS_BITNR,
    QCOW2_AUTOCLEAR_DATA_FILE_RAW       = 1 << QCOW2_AUTOCLEAR_DATA_FILE_RAW_BITNR,

    QCOW2_AUTOCLEAR_MASK                = QCOW2_AUTOCLEAR_BITMAPS
                                        | QCOW2_AUTOCLEAR_DATA_FILE_RAW,
};

/*
 * Values of the compression_type header field: Qcow2CompressionType
 * (QCOW2_COMPRESSION_TYPE_ZLIB = 0, _ZSTD = 1) from the QAPI types.
 */

/* One entry of the feature name table extension (48 bytes on disk). */
typedef struct Qcow2Feature {
    uint8_t type;
    uint8_t bit;
    char    name[46];
} QEMU_PACKED Qcow2Feature;

/* The bitmaps header extension (on disk, 24 bytes). */
typedef struct Qcow2BitmapHeaderExt {
    uint32_t nb_bitmaps;
    uint32_t reserved32;
    uint64_t bitmap_directory_size;
    uint64_t bitmap_directory_offset;
} QEMU_PACKED Qcow2BitmapHeaderExt;

/* Host offset bits of the various entries. */
#define L1E_OFFSET_MASK 0x00fffffffffffe00ULL
#define L2E_OFFSET_MASK 0x00fffffffffffe00ULL
#define L2E_COMPRESSED_OFFSET_SIZE_MASK 0x3fffffffffffffffULL
#define REFT_OFFSET_MASK 0xfffffffffffffe00ULL

/* Reserved bits that must be zero. */
#define L1E_RESERVED_MASK 0x7f000000000001ffULL
#define L2E_STD_RESERVED_MASK 0x3f000000000001feULL
#define REFT_RESERVED_MASK 0x1ffULL

/* Sizes of the header fields we understand. */
#define QCOW2_V2_HEADER_SIZE 72
#define QCOW2_V3_HEADER_SIZE 104

#endif
