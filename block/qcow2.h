/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2.h: private header of the qcow2 driver, shared by block/qcow2*.c.
 * The on-disk layout (header, extensions, snapshot entries, feature bits,
 * entry masks) is in qcow2-format.h.  Here: the L1/L2/refcount entry
 * helpers (including extended L2 entries with subclusters),
 * the per-node state BDRVQcow2State, the in-flight allocation record
 * QCowL2Meta and the prototypes of every qcow2_* function that crosses a
 * file boundary.  On-disk values are big-endian; the structs marked
 * QEMU_PACKED are read and written as they are, after byte swapping.
 *
 * Who implements what:
 *   qcow2.c           open/close, header, create, amend, data path
 *   qcow2-cluster.c   L1/L2 mapping, cluster allocation, zero/discard
 *   qcow2-cache.c     the L2 and refcount block caches
 *   qcow2-refcount.c  refcounts, allocation of clusters, check, overlap
 *   qcow2-snapshot.c  internal snapshots
 *   qcow2-threads.c   (de)compression in the thread pool
 *   qcow2-bitmap.c    persistent dirty bitmap metadata
 *
 * Locking: everything that reads or changes metadata (L1/L2 tables,
 * refcounts, caches, the header, the in-flight allocation list) runs in
 * coroutine context with s->lock held, unless a declaration says
 * otherwise.  Data I/O to allocated clusters runs without s->lock.
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block_int.h"
#include "qemu/coroutine.h"
#include "qemu/units.h"
#include "qemu/timer.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "crypto/block-luks.h"
#include "qcow2-format.h"

/* "QFI\xfb" */
/* Smallest caches that still let every operation make progress. */
#define MIN_L2_CACHE_SIZE 2 /* in clusters */
#define MIN_REFCOUNT_CACHE_SIZE 4 /* in clusters */

#define DEFAULT_L2_CACHE_MAX_SIZE (32 * MiB)
#define DEFAULT_CACHE_CLEAN_INTERVAL 600 /* seconds */

#define DEFAULT_CLUSTER_SIZE 65536

#define QCOW2_MAX_BITMAPS 65535
#define QCOW2_MAX_BITMAP_DIRECTORY_SIZE (1024 * QCOW2_MAX_BITMAPS)

/* Runtime option names. */
#define QCOW2_OPT_DATA_FILE "data-file"
#define QCOW2_OPT_LAZY_REFCOUNTS "lazy-refcounts"
#define QCOW2_OPT_DISCARD_REQUEST "pass-discard-request"
#define QCOW2_OPT_DISCARD_SNAPSHOT "pass-discard-snapshot"
#define QCOW2_OPT_DISCARD_OTHER "pass-discard-other"
#define QCOW2_OPT_DISCARD_NO_UNREF "discard-no-unref"
#define QCOW2_OPT_OVERLAP "overlap-check"
#define QCOW2_OPT_OVERLAP_TEMPLATE "overlap-check.template"
#define QCOW2_OPT_OVERLAP_MAIN_HEADER "overlap-check.main-header"
#define QCOW2_OPT_OVERLAP_ACTIVE_L1 "overlap-check.active-l1"
#define QCOW2_OPT_OVERLAP_ACTIVE_L2 "overlap-check.active-l2"
#define QCOW2_OPT_OVERLAP_REFCOUNT_TABLE "overlap-check.refcount-table"
#define QCOW2_OPT_OVERLAP_REFCOUNT_BLOCK "overlap-check.refcount-block"
#define QCOW2_OPT_OVERLAP_SNAPSHOT_TABLE "overlap-check.snapshot-table"
#define QCOW2_OPT_OVERLAP_INACTIVE_L1 "overlap-check.inactive-l1"
#define QCOW2_OPT_OVERLAP_INACTIVE_L2 "overlap-check.inactive-l2"
#define QCOW2_OPT_OVERLAP_BITMAP_DIRECTORY "overlap-check.bitmap-directory"
#define QCOW2_OPT_CACHE_SIZE "cache-size"
#define QCOW2_OPT_L2_CACHE_SIZE "l2-cache-size"
#define QCOW2_OPT_L2_CACHE_ENTRY_SIZE "l2-cache-entry-size"
#define QCOW2_OPT_REFCOUNT_CACHE_SIZE "refcount-cache-size"
#define QCOW2_OPT_CACHE_CLEAN_INTERVAL "cache-clean-interval"

/* One snapshot, in memory (host byte order). */
typedef struct QCowSnapshot {
    uint64_t l1_table_offset;
    uint32_t l1_size;
    char *id_str;
    char *name;
    uint64_t disk_size;
    uint64_t vm_state_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    /* icount of the VM, or -1ULL if not stored */
    uint64_t icount;
    /* Extra data we do not understand, kept for rewriting the table. */
    uint32_t extra_data_size;
    void *unknown_extra_data;
} QCowSnapshot;

struct Qcow2Cache;
typedef struct Qcow2Cache Qcow2Cache;

/* Header extensions this driver does not know, kept across rewrites. */
typedef struct Qcow2UnknownHeaderExtension {
    uint32_t magic;
    uint32_t len;
    QLIST_ENTRY(Qcow2UnknownHeaderExtension) next;
    uint8_t data[];
} Qcow2UnknownHeaderExtension;

/* Why clusters are freed: selects whether the file sees a discard. */
enum qcow2_discard_type {
    QCOW2_DISCARD_NEVER = 0,
    QCOW2_DISCARD_ALWAYS,
    QCOW2_DISCARD_REQUEST,
    QCOW2_DISCARD_SNAPSHOT,
    QCOW2_DISCARD_OTHER,
    QCOW2_DISCARD_MAX
};

/* A range of the image file waiting to be discarded on the file. */
typedef struct Qcow2DiscardRegion {
    BlockDriverState *bs;
    uint64_t offset;
    uint64_t bytes;
    QTAILQ_ENTRY(Qcow2DiscardRegion) next;
} Qcow2DiscardRegion;

/* Read / write entry @index of a refcount block of s->refcount_bits. */
typedef uint64_t Qcow2GetRefcountFunc(const void *refcount_array,
                                      uint64_t index);
typedef void Qcow2SetRefcountFunc(void *refcount_array,
                                  uint64_t index, uint64_t value);

#define QCOW2_MAX_THREADS 4

/* Per-node state of an open qcow2 image. */
typedef struct BDRVQcow2State {
    /* Geometry, fixed after open (changed only by amend/truncate). */
    int cluster_bits;
    int cluster_size;
    int l2_slice_size;              /* entries per L2 cache slice */
    int subcluster_bits;
    int subcluster_size;
    int subclusters_per_cluster;
    int l2_bits;                    /* log2 of entries per L2 table */
    int l2_size;                    /* entries per L2 table */
    int l1_size;                    /* entries in use in the L1 table */
    int l1_vm_state_index;          /* first L1 index past the guest size */
    int refcount_block_bits;        /* log2 of entries per refcount block */
    int refcount_block_size;
    int csize_shift;                /* compressed descriptor layout */
    int csize_mask;
    uint64_t cluster_offset_mask;
    uint64_t l1_table_offset;
    uint64_t *l1_table;             /* host byte order, l1_size entries */

    Qcow2Cache *l2_table_cache;
    Qcow2Cache *refcount_block_cache;
    QEMUTimer *cache_clean_timer;
    unsigned cache_clean_interval;  /* seconds, 0 = off */

    QLIST_HEAD(, QCowL2Meta) cluster_allocs; /* allocations in flight */

    uint64_t *refcount_table;       /* host byte order */
    uint64_t refcount_table_offset;
    uint32_t refcount_table_size;   /* entries */
    uint32_t max_refcount_table_index; /* last used entry, for overlap */
    uint64_t free_cluster_index;    /* allocation search starts here */
    uint64_t free_byte_offset;      /* for qcow2_alloc_bytes */

    CoMutex lock;                   /* see "Locking" above */
    /*
     * Held by a write, zero write or discard while it maps its whole
     * range (taken before s->lock): they allocate in arrival order.
     */
    CoMutex alloc_order;

    uint32_t crypt_method_header;
    uint64_t snapshots_offset;
    int snapshots_size;
    unsigned int nb_snapshots;
    bool snapshots_need_rewrite;    /* check cut entries down (Q2) */
    QCowSnapshot *snapshots;

    uint32_t nb_bitmaps;
    uint64_t bitmap_directory_size;
    uint64_t bitmap_directory_offset;

    int flags;                      /* BDRV_O_* of the open */
    int qcow_version;
    bool use_lazy_refcounts;
    int refcount_order;
    int refcount_bits;
    uint64_t refcount_max;

    Qcow2GetRefcountFunc *get_refcount;
    Qcow2SetRefcountFunc *set_refcount;

    bool discard_passthrough[QCOW2_DISCARD_MAX];
    bool discard_no_unref;

    int overlap_check;              /* bitmask of QCOW2_OL_* to check */
    bool signaled_corruption;

    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;

    size_t unknown_header_fields_size;
    void *unknown_header_fields;    /* header bytes past what we know */
    QLIST_HEAD(, Qcow2UnknownHeaderExtension) unknown_header_ext;
    QTAILQ_HEAD(, Qcow2DiscardRegion) discards;
    bool cache_discards;            /* queue discards instead of issuing */

    /* Backing file as stored in the header. */
    char *image_backing_file;
    char *image_backing_format;
    char *image_data_file;          /* external data file name, if any */

    CoQueue thread_task_queue;      /* waiters for a free thread slot */
    int nb_threads;                 /* compression tasks running */

    BdrvChild *data_file;           /* bs->file unless external data */

    bool metadata_preallocation_checked;
    bool metadata_preallocation;

    /*
     * Compression type, from the header.  A missing field (version 2, or
     * header_length <= 104) means zlib.
     */
    uint8_t compression_type;

    /* LUKS encryption (qcow2-crypto.c); crypto is NULL when plain. */
    QCryptoBlock *crypto;
    bool have_crypto_header;        /* the extension was found */
    uint64_t crypto_header_offset;  /* LUKS header area in the file */
    uint64_t crypto_header_length;
    QCryptoCipher *aes;             /* legacy AES (crypt_method 1) */
    QCryptoIVGen *aes_ivgen;        /* its plain64 IVs (guest sectors) */
    QemuMutex aes_lock;             /* the cipher's IV is shared state */
} BDRVQcow2State;

/* One region of a cluster allocation that must be copied (COW). */
typedef struct Qcow2COWRegion {
    /* Offset from the start of the allocated cluster(s), in bytes. */
    unsigned offset;
    /* Length in bytes, 0 if nothing to copy. */
    unsigned nb_bytes;
} Qcow2COWRegion;

/*
 * Describes one in-flight allocation: @nb_clusters host clusters at
 * @alloc_offset that will map the guest range starting at @guest_offset
 * (cluster aligned).  It stays on s->cluster_allocs from allocation until
 * the L2 entries point at it (qcow2_alloc_cluster_link_l2) or the
 * allocation is abandoned (qcow2_alloc_cluster_abort).  Requests that
 * touch the same guest clusters wait on @dependent_requests meanwhile.
 */
typedef struct QCowL2Meta {
    /* Guest offset of the first allocated cluster. */
    uint64_t offset;

    /* Host offset of the first allocated cluster. */
    uint64_t alloc_offset;

    /* Number of clusters allocated. */
    int nb_clusters;

    /*
     * The clusters were allocated earlier (only the subcluster bitmap or
     * the zero state changes): do not free them on abort.
     */
    bool keep_old_clusters;

    /* Head and tail that are not covered by the guest write. */
    Qcow2COWRegion cow_start;
    Qcow2COWRegion cow_end;

    /*
     * The guest write fills the COW regions with zeroes already written
     * by an efficient zero write: do not copy them.
     */
    bool skip_cow;

    /*
     * The guest data, when it is written together with the COW regions
     * in a single request (NULL otherwise).
     */
    QEMUIOVector *data_qiov;
    size_t data_qiov_offset;

    /*
     * Preallocation: map the clusters but leave the subcluster bitmap
     * as it is (the data still comes from the backing file).
     */
    bool prealloc;

    /* Next allocation of the same request. */
    struct QCowL2Meta *next;

    /* Requests waiting for this allocation. */
    CoQueue dependent_requests;

    QLIST_ENTRY(QCowL2Meta) next_in_flight;
} QCowL2Meta;

/*
 * What an L2 entry (for a whole cluster) says, without looking at the
 * subcluster bitmap.
 */
typedef enum QCow2ClusterType {
    QCOW2_CLUSTER_UNALLOCATED,
    QCOW2_CLUSTER_ZERO_PLAIN,
    QCOW2_CLUSTER_ZERO_ALLOC,
    QCOW2_CLUSTER_NORMAL,
    QCOW2_CLUSTER_COMPRESSED,
} QCow2ClusterType;

/* What one subcluster (or a whole cluster without extended L2) is. */
typedef enum QCow2SubclusterType {
    QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN, /* no host cluster: backing data */
    QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC, /* host cluster, backing data */
    QCOW2_SUBCLUSTER_ZERO_PLAIN,        /* zeroes, no host cluster */
    QCOW2_SUBCLUSTER_ZERO_ALLOC,        /* zeroes, host cluster kept */
    QCOW2_SUBCLUSTER_NORMAL,            /* data at the host offset */
    QCOW2_SUBCLUSTER_COMPRESSED,        /* compressed cluster */
    QCOW2_SUBCLUSTER_INVALID,           /* inconsistent entry */
} QCow2SubclusterType;

/* Metadata kinds, for overlap checks (bit numbers of QCOW2_OL_*). */
typedef enum QCow2MetadataOverlap {
    QCOW2_OL_MAIN_HEADER_BITNR      = 0,
    QCOW2_OL_ACTIVE_L1_BITNR        = 1,
    QCOW2_OL_ACTIVE_L2_BITNR        = 2,
    QCOW2_OL_REFCOUNT_TABLE_BITNR   = 3,
    QCOW2_OL_REFCOUNT_BLOCK_BITNR   = 4,
    QCOW2_OL_SNAPSHOT_TABLE_BITNR   = 5,
    QCOW2_OL_INACTIVE_L1_BITNR      = 6,
    QCOW2_OL_INACTIVE_L2_BITNR      = 7,
    QCOW2_OL_BITMAP_DIRECTORY_BITNR = 8,

    QCOW2_OL_MAX_BITNR              = 9,

    QCOW2_OL_NONE             = 0,
    QCOW2_OL_MAIN_HEADER      = (1 << QCOW2_OL_MAIN_HEADER_BITNR),
    QCOW2_OL_ACTIVE_L1        = (1 << QCOW2_OL_ACTIVE_L1_BITNR),
    QCOW2_OL_ACTIVE_L2        = (1 << QCOW2_OL_ACTIVE_L2_BITNR),
    QCOW2_OL_REFCOUNT_TABLE   = (1 << QCOW2_OL_REFCOUNT_TABLE_BITNR),
    QCOW2_OL_REFCOUNT_BLOCK   = (1 << QCOW2_OL_REFCOUNT_BLOCK_BITNR),
    QCOW2_OL_SNAPSHOT_TABLE   = (1 << QCOW2_OL_SNAPSHOT_TABLE_BITNR),
    QCOW2_OL_INACTIVE_L1      = (1 << QCOW2_OL_INACTIVE_L1_BITNR),
    /* Expensive to check: only in overlap-check=all. */
    QCOW2_OL_INACTIVE_L2      = (1 << QCOW2_OL_INACTIVE_L2_BITNR),
    QCOW2_OL_BITMAP_DIRECTORY = (1 << QCOW2_OL_BITMAP_DIRECTORY_BITNR),
} QCow2MetadataOverlap;

/* What overlap-check=constant|cached|all enable. */
#define QCOW2_OL_CONSTANT \
    (QCOW2_OL_MAIN_HEADER | QCOW2_OL_ACTIVE_L1 | QCOW2_OL_REFCOUNT_TABLE | \
     QCOW2_OL_SNAPSHOT_TABLE | QCOW2_OL_BITMAP_DIRECTORY)
#define QCOW2_OL_CACHED \
    (QCOW2_OL_CONSTANT | QCOW2_OL_ACTIVE_L2 | QCOW2_OL_REFCOUNT_BLOCK | \
     QCOW2_OL_INACTIVE_L1)
#define QCOW2_OL_ALL \
    (QCOW2_OL_CACHED | QCOW2_OL_INACTIVE_L2)

/* Marks "no host offset" in return values. */
#define INV_OFFSET (-1ULL)

static inline bool has_subclusters(BDRVQcow2State *s)
{
    return s->incompatible_features & QCOW2_INCOMPAT_EXTL2;
}

/* Size in bytes of one L2 entry (8, or 16 with extended L2). */
static inline size_t l2_entry_size(BDRVQcow2State *s)
{
    return has_subclusters(s) ? 16 : 8;
}

/* Descriptor (first 64 bits) of entry @idx of an L2 slice. */
static inline uint64_t get_l2_entry(BDRVQcow2State *s, uint64_t *l2_slice,
                                    int idx)
{
    idx *= l2_entry_size(s) / sizeof(uint64_t);
    return be64_to_cpu(l2_slice[idx]);
}

/* Subcluster bitmap of entry @idx (extended L2 only). */
static inline uint64_t get_l2_bitmap(BDRVQcow2State *s, uint64_t *l2_slice,
                                     int idx)
{
    if (has_subclusters(s)) {
        idx *= l2_entry_size(s) / sizeof(uint64_t);
        return be64_to_cpu(l2_slice[idx + 1]);
    }
    return 0;
}

static inline void set_l2_entry(BDRVQcow2State *s, uint64_t *l2_slice,
                                int idx, uint64_t entry)
{
    idx *= l2_entry_size(s) / sizeof(uint64_t);
    l2_slice[idx] = cpu_to_be64(entry);
}

static inline void set_l2_bitmap(BDRVQcow2State *s, uint64_t *l2_slice,
                                 int idx, uint64_t bitmap)
{
    assert(has_subclusters(s));
    idx *= l2_entry_size(s) / sizeof(uint64_t);
    l2_slice[idx + 1] = cpu_to_be64(bitmap);
}

static inline bool has_data_file(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    return s->data_file != bs->file;
}

static inline bool data_file_is_raw(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    return !!(s->autoclear_features & QCOW2_AUTOCLEAR_DATA_FILE_RAW);
}

static inline int64_t start_of_cluster(BDRVQcow2State *s, int64_t offset)
{
    return offset & ~(s->cluster_size - 1);
}

static inline int64_t offset_into_cluster(BDRVQcow2State *s, int64_t offset)
{
    return offset & (s->cluster_size - 1);
}

static inline int64_t offset_into_subcluster(BDRVQcow2State *s,
                                             int64_t offset)
{
    return offset & (s->subcluster_size - 1);
}

static inline uint64_t size_to_clusters(BDRVQcow2State *s, uint64_t size)
{
    return (size + (s->cluster_size - 1)) >> s->cluster_bits;
}

static inline uint64_t size_to_subclusters(BDRVQcow2State *s, uint64_t size)
{
    return (size + (s->subcluster_size - 1)) >> s->subcluster_bits;
}

/* L1 entries needed for a guest of @size bytes. */
static inline int64_t size_to_l1(BDRVQcow2State *s, int64_t size)
{
    int shift = s->cluster_bits + s->l2_bits;
    return (size + (1ULL << shift) - 1) >> shift;
}

static inline int offset_to_l1_index(BDRVQcow2State *s, uint64_t offset)
{
    return offset >> (s->l2_bits + s->cluster_bits);
}

static inline int offset_to_l2_index(BDRVQcow2State *s, int64_t offset)
{
    return (offset >> s->cluster_bits) & (s->l2_size - 1);
}

static inline int offset_to_l2_slice_index(BDRVQcow2State *s, int64_t offset)
{
    return (offset >> s->cluster_bits) & (s->l2_slice_size - 1);
}

/* Index of the subcluster of @offset within its cluster. */
static inline int offset_to_sc_index(BDRVQcow2State *s, int64_t offset)
{
    return (offset >> s->subcluster_bits) &
           (s->subclusters_per_cluster - 1);
}

/* Guest offset where the VM state of internal snapshots starts. */
static inline int64_t qcow2_vm_state_offset(BDRVQcow2State *s)
{
    return (int64_t)s->l1_vm_state_index << (s->cluster_bits + s->l2_bits);
}

/* Type of a cluster from its L2 descriptor @l2_entry. */
static inline QCow2ClusterType qcow2_get_cluster_type(BlockDriverState *bs,
                                                      uint64_t l2_entry)
{
    BDRVQcow2State *s = bs->opaque;

    if (l2_entry & QCOW_OFLAG_COMPRESSED) {
        return QCOW2_CLUSTER_COMPRESSED;
    } else if ((l2_entry & QCOW_OFLAG_ZERO) && !has_subclusters(s)) {
        if (l2_entry & L2E_OFFSET_MASK) {
            return QCOW2_CLUSTER_ZERO_ALLOC;
        }
        return QCOW2_CLUSTER_ZERO_PLAIN;
    } else if (!(l2_entry & L2E_OFFSET_MASK)) {
        /*
         * With an external data file, offset 0 is a valid host offset as
         * long as the entry is marked in use (COPIED).
         */
        if (has_data_file(bs) && (l2_entry & QCOW_OFLAG_COPIED)) {
            return QCOW2_CLUSTER_NORMAL;
        }
        return QCOW2_CLUSTER_UNALLOCATED;
    }
    return QCOW2_CLUSTER_NORMAL;
}

/*
 * Type of subcluster @sc_index of the cluster described by @l2_entry and
 * @l2_bitmap.  Without extended L2 every subcluster is the whole cluster.
 */
static inline QCow2SubclusterType
qcow2_get_subcluster_type(BlockDriverState *bs, uint64_t l2_entry,
                          uint64_t l2_bitmap, unsigned sc_index)
{
    BDRVQcow2State *s = bs->opaque;
    QCow2ClusterType type = qcow2_get_cluster_type(bs, l2_entry);

    assert(sc_index < s->subclusters_per_cluster);

    if (has_subclusters(s)) {
        bool alloc = l2_bitmap & QCOW_OFLAG_SUB_ALLOC(sc_index);
        bool zero = l2_bitmap & QCOW_OFLAG_SUB_ZERO(sc_index);

        switch (type) {
        case QCOW2_CLUSTER_NORMAL:
            if (alloc && zero) {
                return QCOW2_SUBCLUSTER_INVALID;
            } else if (zero) {
                return QCOW2_SUBCLUSTER_ZERO_ALLOC;
            } else if (alloc) {
                return QCOW2_SUBCLUSTER_NORMAL;
            }
            return QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC;
        case QCOW2_CLUSTER_UNALLOCATED:
            if (alloc) {
                return QCOW2_SUBCLUSTER_INVALID;
            } else if (zero) {
                return QCOW2_SUBCLUSTER_ZERO_PLAIN;
            }
            return QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN;
        case QCOW2_CLUSTER_COMPRESSED:
            return QCOW2_SUBCLUSTER_COMPRESSED;
        default:
            g_assert_not_reached();
        }
    }

    switch (type) {
    case QCOW2_CLUSTER_COMPRESSED:
        return QCOW2_SUBCLUSTER_COMPRESSED;
    case QCOW2_CLUSTER_ZERO_PLAIN:
        return QCOW2_SUBCLUSTER_ZERO_PLAIN;
    case QCOW2_CLUSTER_ZERO_ALLOC:
        return QCOW2_SUBCLUSTER_ZERO_ALLOC;
    case QCOW2_CLUSTER_NORMAL:
        return QCOW2_SUBCLUSTER_NORMAL;
    case QCOW2_CLUSTER_UNALLOCATED:
        return QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN;
    default:
        g_assert_not_reached();
    }
}

static inline bool qcow2_cluster_is_allocated(QCow2ClusterType type)
{
    return type == QCOW2_CLUSTER_COMPRESSED ||
           type == QCOW2_CLUSTER_NORMAL ||
           type == QCOW2_CLUSTER_ZERO_ALLOC;
}

/* Refcounts must be exact on disk (no lazy refcounts in effect). */
static inline bool qcow2_need_accurate_refcounts(BDRVQcow2State *s)
{
    return !(s->incompatible_features & QCOW2_INCOMPAT_DIRTY);
}

static inline uint64_t l2meta_cow_start(QCowL2Meta *m)
{
    return m->offset + m->cow_start.offset;
}

static inline uint64_t l2meta_cow_end(QCowL2Meta *m)
{
    return m->offset + m->cow_end.offset + m->cow_end.nb_bytes;
}

/* |r1 - r2| */
static inline uint64_t refcount_diff(uint64_t r1, uint64_t r2)
{
    return r1 > r2 ? r1 - r2 : r2 - r1;
}

/* Refcount table index covering host @offset. */
static inline uint32_t offset_to_reftable_index(BDRVQcow2State *s,
                                                uint64_t offset)
{
    return offset >> (s->refcount_block_bits + s->cluster_bits);
}

/*
 * qcow2.c
 */

/* Probe: 100 for a qcow2 header, else 0. */
int qcow2_probe(const uint8_t *buf, int buf_size, const char *filename);

/*
 * Rewrite the header cluster from the in-memory state (fields, backing
 * file, feature table, known and unknown extensions).  s->lock held.
 * 0 or -errno.
 */
int GRAPH_RDLOCK qcow2_update_header(BlockDriverState *bs);

/*
 * Set the dirty bit (lazy refcounts: refcounts on disk may now be
 * wrong).  No-op if already set or without lazy refcounts.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_mark_dirty(BlockDriverState *bs);

/* Set the corrupt bit in the header.  0 or -errno. */
int GRAPH_RDLOCK qcow2_mark_corrupt(BlockDriverState *bs);

/* Clear the corrupt bit (after a successful repair).  0 or -errno. */
int GRAPH_RDLOCK qcow2_mark_consistent(BlockDriverState *bs);

/*
 * Write back everything and clear the dirty bit (refcounts are exact
 * again).  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_mark_clean(BlockDriverState *bs);

/* BlockDriver callbacks and helpers of qcow2.c (Q1). */
/*
 * Open, first phase (qcow2-header.c): read and check the header, its
 * extensions and the L1 table, apply the runtime options.  Coroutine,
 * s->lock held.  0 or -errno with @errp set.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_open_header(BlockDriverState *bs, QDict *options, int flags,
                  Error **errp);
int GRAPH_UNLOCKED qcow2_open(BlockDriverState *bs, QDict *options,
                              int flags, Error **errp);
void qcow2_close(BlockDriverState *bs);
/* Free the open state (caches, tables, names); safe on a failed open. */
void qcow2_free_state(BlockDriverState *bs);
/*
 * Apply the runtime options of @options (consumed) to @s: caches,
 * lazy refcounts, discard passthrough, overlap checks.  0 or -errno.
 */
int qcow2_update_options(BlockDriverState *bs, QDict *options, int flags,
                         Error **errp);
void qcow2_detach_aio_context(BlockDriverState *bs);
void qcow2_attach_aio_context(BlockDriverState *bs, AioContext *new_context);

/*
 * qcow2-io.c: the data path (BlockDriver callbacks).  They take s->lock
 * themselves; the caller holds the graph read lock.
 *
 * Allocation order: writes, zero writes and discards change the mapping
 * in the order they arrive here (s->alloc_order, a FIFO lock held while
 * one maps its whole range, waits for in-flight allocations included).
 * So a write's clusters all come before those of any write that arrives
 * later, whatever the number of pieces or the I/O in between; callers
 * that keep a fixed submission order get a fixed layout.  Compressed
 * writes are not covered (they allocate in their own turn order).
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_co_preadv_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     QEMUIOVector *qiov, size_t qiov_offset,
                     BdrvRequestFlags flags);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_pwritev_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, size_t qiov_offset,
                      BdrvRequestFlags flags);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       BdrvRequestFlags flags);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes);
int coroutine_fn GRAPH_RDLOCK qcow2_co_flush_to_os(BlockDriverState *bs);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                      int64_t count, int64_t *pnum, int64_t *map,
                      BlockDriverState **file);

/*
 * qcow2-vmstate.c: the VM state area (.bdrv_co_save_vmstate and
 * .bdrv_co_load_vmstate).  Byte @pos of the state lives at guest offset
 * qcow2_vm_state_offset() + @pos and goes through the data path above
 * (which takes s->lock), so writing allocates clusters, growing the L1
 * table as needed.  Caller holds the graph read lock.  Return 0 or
 * -errno (-EINVAL if the area would overflow the guest address space).
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_co_save_vmstate(BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_load_vmstate(BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);

/* qcow2-create.c: create, resize, information (Q1). */
extern QemuOptsList qcow2_create_opts;
int qcow2_parse_prealloc(const char *str, PreallocMode *mode, Error **errp);
int coroutine_fn GRAPH_UNLOCKED
qcow2_co_create_opts(BlockDriver *drv, const char *filename, QemuOpts *opts,
                     Error **errp);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                  PreallocMode prealloc, BdrvRequestFlags flags,
                  Error **errp);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_get_info(BlockDriverState *bs, BlockDriverInfo *bdi);
BlockMeasureInfo *qcow2_measure(QemuOpts *opts, BlockDriverState *in_bs,
                                Error **errp);
/* qcow2-amend.c: qemu-img amend (Q1). */
extern QemuOptsList qcow2_amend_opts;
int GRAPH_RDLOCK
qcow2_amend_options(BlockDriverState *bs, QemuOpts *opts,
                    BlockDriverAmendStatusCB *status_cb, void *cb_opaque,
                    bool force, Error **errp);
/* What qemu-img info shows under "Format specific information". */
ImageInfoSpecific * GRAPH_RDLOCK
qcow2_get_specific_info(BlockDriverState *bs, Error **errp);

/*
 * qcow2-refcount.c (Q2)
 */

/* Read the refcount table.  0 or -errno. */
int coroutine_fn GRAPH_RDLOCK qcow2_refcount_init(BlockDriverState *bs);
void qcow2_refcount_close(BlockDriverState *bs);

/* Entry accessors for refcount blocks of 2^@refcount_order bits (0..6). */
void qcow2_refcount_funcs(int refcount_order, Qcow2GetRefcountFunc **get,
                          Qcow2SetRefcountFunc **set);
/* Recompute s->max_refcount_table_index from s->refcount_table. */
void qcow2_update_max_refcount_table_index(BDRVQcow2State *s);
/* Name of metadata kind @ol_bit (one QCOW2_OL_* bit) for messages. */
const char *qcow2_overlap_name(int ol_bit);

/* Refcount of cluster @cluster_index into *@refcount.  0 or -errno. */
int GRAPH_RDLOCK qcow2_get_refcount(BlockDriverState *bs,
                                    int64_t cluster_index,
                                    uint64_t *refcount);

/*
 * Add @addend to (or, with @decrease, subtract it from) the refcount of
 * cluster @cluster_index; clusters dropping to 0 are discarded per
 * @type.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_update_cluster_refcount(BlockDriverState *bs,
                                               int64_t cluster_index,
                                               uint64_t addend, bool decrease,
                                               enum qcow2_discard_type type);

/*
 * Write a new refcount table, and the refcount blocks it lacks from the
 * one describing @offset on, into the unused area starting at @offset
 * (cluster aligned; everything from there on must be free): the blocks
 * first, then the table, all counted with refcount 1 in the new blocks.
 * The table covers the clusters up to @offset plus
 * @additional_clusters (with half its size again as room to grow unless
 * @exact_size); a non-zero @new_refblock_offset is entered at
 * @new_refblock_index.  The header is switched to the new table and the
 * old one freed.  Returns the end of the new structures (where free
 * space starts), or -errno.  Implemented in qcow2-refcount-area.c.
 * s->lock held.
 */
int64_t GRAPH_RDLOCK qcow2_refcount_area(BlockDriverState *bs, uint64_t offset,
                                         uint64_t additional_clusters,
                                         bool exact_size,
                                         int new_refblock_index,
                                         uint64_t new_refblock_offset);

/*
 * Bytes of refcount blocks and table clusters needed to count @clusters
 * clusters plus the refcount metadata itself (QEMU's fixed point;
 * @generous_increase adds room for half the table again).  The number
 * of refcount blocks goes to *@refblock_count if not NULL.
 */
int64_t qcow2_refcount_metadata_size(int64_t clusters, size_t cluster_size,
                                     int refcount_order,
                                     bool generous_increase,
                                     uint64_t *refblock_count);

/*
 * Allocate clusters for @size bytes (contiguous, refcount 1).  Returns
 * the host offset, or -errno.
 */
int64_t GRAPH_RDLOCK qcow2_alloc_clusters(BlockDriverState *bs, uint64_t size);

/*
 * Allocate up to @nb_clusters clusters starting exactly at @offset, as
 * many as are free there.  Returns the number allocated (possibly 0),
 * or -errno.
 */
int64_t GRAPH_RDLOCK qcow2_alloc_clusters_at(BlockDriverState *bs,
                                             uint64_t offset,
                                             int64_t nb_clusters);

/*
 * Allocate @size bytes (compressed data, <= a cluster) after the last
 * chunk; a chunk that does not fit in the rest of its cluster runs on
 * into the next one when that is the newly allocated cluster.  Offset
 * or -errno.
 */
int64_t GRAPH_RDLOCK qcow2_alloc_bytes(BlockDriverState *bs, int size);

/* Drop one reference from each cluster of [@offset, @offset + @size). */
void GRAPH_RDLOCK qcow2_free_clusters(BlockDriverState *bs,
                                      int64_t offset, int64_t size,
                                      enum qcow2_discard_type type);

/* Free whatever host cluster(s) the L2 descriptor @l2_entry refers to. */
void GRAPH_RDLOCK qcow2_free_any_cluster(BlockDriverState *bs,
                                         uint64_t l2_entry,
                                         enum qcow2_discard_type type);

/*
 * Add @addend (-1, 0 or 1) to the refcount of every cluster referenced
 * by the L1 table at @l1_table_offset (and its L2 tables), fixing the
 * COPIED flags for @addend == 0.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_update_snapshot_refcount(BlockDriverState *bs,
                                                int64_t l1_table_offset,
                                                int l1_size, int addend);

/*
 * As qcow2_update_snapshot_refcount() for the L1 table @l1 in memory (host
 * byte order), which gets its COPIED flags updated but is not written
 * anywhere (*@l1_changed tells whether a flag changed).  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_update_l1_refcounts(BlockDriverState *bs, uint64_t *l1,
                                           int l1_size, int addend,
                                           bool *l1_changed);

/* Write back both caches and flush the file.  0 or -errno. */
int GRAPH_RDLOCK qcow2_flush_caches(BlockDriverState *bs);

/*
 * bdrv_make_empty (block/qcow2-make-empty.c): drop every guest cluster so
 * the image reads from its backing file.  No requests may be in flight.
 * 0 or -errno.
 */
int GRAPH_RDLOCK qcow2_make_empty(BlockDriverState *bs);

/* Write back both caches without flushing the file.  0 or -errno. */
int GRAPH_RDLOCK qcow2_write_caches(BlockDriverState *bs);

/*
 * Check (and with @fix repair) all refcounts: the heart of
 * bdrv_co_check.  0 or -errno; findings in @res.
 */
int coroutine_fn GRAPH_RDLOCK qcow2_check_refcounts(BlockDriverState *bs,
                                                    BdrvCheckResult *res,
                                                    BdrvCheckMode fix);

/*
 * Check (with BDRV_FIX_ERRORS: fix) the COPIED flags of the active L1
 * and L2 entries against the stored refcounts.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_check_oflag_copied(BlockDriverState *bs,
                                          BdrvCheckResult *res,
                                          BdrvCheckMode fix);
/* Check callback: count one reference to [@offset, +@size). */
void qcow2_check_count_region(void *opaque, uint64_t offset, uint64_t size);

/* Send the queued discards to the file (or drop them if @ret < 0). */
void GRAPH_RDLOCK qcow2_process_discards(BlockDriverState *bs, int ret);

/*
 * Does [@offset, @offset + @size) overlap metadata of a kind in
 * s->overlap_check minus @ign?  Returns the QCOW2_OL_* bit found, 0, or
 * -errno if a check needed to read metadata and failed.
 */
int GRAPH_RDLOCK qcow2_check_metadata_overlap(BlockDriverState *bs, int ign,
                                              int64_t offset, int64_t size);
/*
 * As above, before writing there: an overlap marks the image corrupt and
 * returns -EIO.  @data_file: the write goes to the data file (no
 * metadata lives there unless it is bs->file).  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_pre_write_overlap_check(BlockDriverState *bs, int ign,
                                               int64_t offset, int64_t size,
                                               bool data_file);

/* Change the refcount width to 2^@refcount_order bits (amend). */
int GRAPH_RDLOCK qcow2_change_refcount_order(BlockDriverState *bs,
                                             int refcount_order,
                                             BlockDriverAmendStatusCB *status_cb,
                                             void *cb_opaque, Error **errp);

/*
 * Write a complete refcount structure of 2^@order-bit entries holding the
 * refcounts @refs (@nb_clusters entries packed as in a refcount block)
 * into clusters @refs leaves free (first fit: blocks, then the table;
 * clusters past @nb_clusters are free), counting itself.  Every write is
 * overlap checked; a failure prints 7.2's "ERROR writing refblock/
 * reftable" line.  The header is not touched: *@table (host byte order,
 * g_free) with *@table_entries entries at *@table_offset is the new
 * reftable.  0 or -errno.
 */
int GRAPH_RDLOCK
qcow2_write_new_refcount_structure(BlockDriverState *bs, const void *refs,
                                   int order, uint64_t nb_clusters,
                                   uint64_t **table, uint64_t *table_entries,
                                   uint64_t *table_offset);

/* Index of the last cluster with a non-zero refcount below @size, or -errno. */
int64_t GRAPH_RDLOCK qcow2_get_last_cluster(BlockDriverState *bs,
                                            int64_t size);

/* Free unused refcount blocks past the image end (shrinking truncate). */
int GRAPH_RDLOCK qcow2_shrink_reftable(BlockDriverState *bs);

/* 1 if the image has preallocated metadata, 0 if not, or -errno. */
int coroutine_fn GRAPH_RDLOCK
qcow2_detect_metadata_preallocation(BlockDriverState *bs);

/*
 * Report a corruption: with @fatal, print "Marking image as corrupt: ...;
 * further corruption events will be suppressed", set the corrupt bit
 * and make the node refuse writes; else print "Image is corrupt: ...".
 * @offset/@size (or -1) locate the bad metadata.
 */
void GRAPH_RDLOCK qcow2_signal_corruption(BlockDriverState *bs, bool fatal,
                                          int64_t offset, int64_t size,
                                          const char *message_format, ...)
    G_GNUC_PRINTF(5, 6);

/*
 * qcow2-cluster.c
 */

/*
 * Make the L1 table at least @min_size entries (more unless
 * @exact_size), moving it to a new place.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_grow_l1_table(BlockDriverState *bs, uint64_t min_size,
                                     bool exact_size);

/* Zero L1 entries from @max_size on (their L2 tables are freed). */
int coroutine_fn GRAPH_RDLOCK qcow2_shrink_l1_table(BlockDriverState *bs,
                                                   uint64_t max_size);

/* Write the on-disk L1 sector holding entry @l1_index.  0 or -errno. */
int GRAPH_RDLOCK qcow2_write_l1_entry(BlockDriverState *bs, int l1_index);

/*
 * Map guest @offset: *@host_offset gets the host offset (or 0 if none;
 * for compressed clusters the raw L2 descriptor), *@subcluster_type its
 * kind, and *@bytes is cut down to the contiguous run of the same kind
 * (it may not cross an L2 slice).  0 or -errno (-EIO: corruption
 * signalled).  s->lock held.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_get_host_offset(BlockDriverState *bs, uint64_t offset,
                      unsigned int *bytes, uint64_t *host_offset,
                      QCow2SubclusterType *subcluster_type);

/*
 * Find or allocate host clusters for a guest write of *@bytes at
 * @offset.  *@bytes is cut down to what one contiguous host range
 * covers; *@host_offset is where the data goes.  @host_hint is 0, or,
 * for a later part of one write starting on a cluster boundary, the
 * (cluster-aligned) host offset where the part before it ended: new
 * clusters then go there if it is free, as many as are free there (QEMU
 * 7.2's layout: a write continues its host range where it can).  New
 * allocations are added to the *@m list (and s->cluster_allocs); the
 * caller writes the data and then calls qcow2_alloc_cluster_link_l2()
 * for each.  Waits for overlapping in-flight allocations.  0 or -errno.
 * s->lock held (may be dropped while waiting).
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_alloc_host_offset(BlockDriverState *bs, uint64_t offset,
                        unsigned int *bytes, uint64_t host_hint,
                        uint64_t *host_offset, QCowL2Meta **m);

/*
 * Wait until no allocation in flight touches the clusters of [@offset,
 * @offset + @bytes) (before changing their L2 entries otherwise).
 * s->lock held (dropped while waiting).
 */
void coroutine_fn qcow2_wait_for_allocations(BlockDriverState *bs,
                                            uint64_t offset, uint64_t bytes);

/*
 * Allocate room for @compressed_size bytes of compressed data for the
 * (unallocated) guest cluster at @offset and point its L2 entry there.
 * 0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_alloc_compressed_cluster_offset(BlockDriverState *bs, uint64_t offset,
                                      int compressed_size,
                                      uint64_t *host_offset);

/* Host offset and byte length of the compressed data of @l2_entry. */
void qcow2_parse_compressed_l2_entry(BlockDriverState *bs, uint64_t l2_entry,
                                     uint64_t *coffset, int *csize);

/*
 * The data (and COW) of allocation @m is on disk: point the L2 entries
 * at it, free what they pointed to before, and wake waiters.  0 or
 * -errno.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_alloc_cluster_link_l2(BlockDriverState *bs, QCowL2Meta *m);

/* Abandon allocation @m: free its clusters, wake waiters. */
void coroutine_fn GRAPH_RDLOCK
qcow2_alloc_cluster_abort(BlockDriverState *bs, QCowL2Meta *m);

/*
 * Deallocate the clusters of [@offset, @offset + @bytes) (cluster
 * aligned, except at the image end).  With @full_discard they read from
 * the backing file afterwards, otherwise as zeroes.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_cluster_discard(BlockDriverState *bs, uint64_t offset,
                                       uint64_t bytes,
                                       enum qcow2_discard_type type,
                                       bool full_discard);

/*
 * Make [@offset, @offset + @bytes) (subcluster aligned) read as zeroes
 * through metadata alone.  @flags: BDRV_REQ_MAY_UNMAP frees clusters.
 * -ENOTSUP where only data writes can do it (v2 images).  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_subcluster_zeroize(BlockDriverState *bs, uint64_t offset,
                         uint64_t bytes, int flags);

/*
 * Turn zero clusters into allocated zeroed clusters (for compat=0.10
 * amend), in the active L1 and all snapshots.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_expand_zero_clusters(BlockDriverState *bs,
                                            BlockDriverAmendStatusCB *status_cb,
                                            void *cb_opaque);

/*
 * qcow2-snapshot.c (Q2)
 */
int GRAPH_RDLOCK qcow2_snapshot_create(BlockDriverState *bs,
                                       QEMUSnapshotInfo *sn_info);
int GRAPH_UNLOCKED qcow2_snapshot_goto(BlockDriverState *bs,
                                       const char *snapshot_id);
int GRAPH_RDLOCK qcow2_snapshot_delete(BlockDriverState *bs,
                                       const char *snapshot_id,
                                       const char *name, Error **errp);
int qcow2_snapshot_list(BlockDriverState *bs, QEMUSnapshotInfo **psn_tab);
int qcow2_snapshot_load_tmp(BlockDriverState *bs, const char *snapshot_id,
                            const char *name, Error **errp);

void qcow2_free_snapshots(BlockDriverState *bs);
/* Free @nb snapshots of the array @sns (and the array). */
void qcow2_free_snapshot_array(QCowSnapshot *sns, unsigned nb);

/*
 * Pure (de)serialisation of snapshot table entries.  Parse: one entry at
 * @buf (@avail bytes), *@entry_size gets its padded size; @default_disk_size
 * is used when the extra data does not hold one.  0 or -errno (+errp).
 * Serialize: write @sn at @buf (room for its padded size), return it.
 */
int qcow2_snapshot_parse_entry(const uint8_t *buf, size_t avail,
                               uint64_t default_disk_size, QCowSnapshot *sn,
                               size_t *entry_size, Error **errp);
size_t qcow2_snapshot_serialize_entry(const QCowSnapshot *sn, uint8_t *buf);
/* The whole table for @nb entries; *@size gets its length (g_free it). */
uint8_t *qcow2_snapshot_serialize_table(const QCowSnapshot *sns, unsigned nb,
                                        size_t *size);
/* Read the snapshot table named by the header.  0 or -errno (+errp). */
int coroutine_fn GRAPH_RDLOCK
qcow2_read_snapshots(BlockDriverState *bs, Error **errp);
int GRAPH_RDLOCK qcow2_write_snapshots(BlockDriverState *bs);

/* Check helpers for the snapshot table (used by qcow2's bdrv_co_check). */
int coroutine_fn GRAPH_RDLOCK
qcow2_check_read_snapshot_table(BlockDriverState *bs, BdrvCheckResult *result,
                                BdrvCheckMode fix);
int coroutine_fn GRAPH_RDLOCK
qcow2_check_fix_snapshot_table(BlockDriverState *bs, BdrvCheckResult *result,
                               BdrvCheckMode fix);

/*
 * qcow2-cache.c
 */

/*
 * A cache of @num_tables tables of @table_size bytes (a multiple of 512
 * dividing the cluster size) read from bs->file.  Never NULL.
 */
Qcow2Cache *qcow2_cache_create(BlockDriverState *bs, int num_tables,
                               unsigned table_size);
/* Free a cache with no referenced entries.  0 (always). */
int qcow2_cache_destroy(Qcow2Cache *c);

/* Entry holding @table must be written back before it is dropped. */
void qcow2_cache_entry_mark_dirty(Qcow2Cache *c, void *table);
/* Write back dirty entries (dependency first) and flush.  0 or -errno. */
int GRAPH_RDLOCK qcow2_cache_flush(BlockDriverState *bs, Qcow2Cache *c);
/* Write back dirty entries without flushing the file.  0 or -errno. */
int GRAPH_RDLOCK qcow2_cache_write(BlockDriverState *bs, Qcow2Cache *c);
/*
 * Before @c writes any entry back, @dependency must be flushed (e.g.
 * refcount blocks before the L2 tables that use new clusters).
 */
int GRAPH_RDLOCK qcow2_cache_set_dependency(BlockDriverState *bs,
                                            Qcow2Cache *c,
                                            Qcow2Cache *dependency);
/* Flush the file before writing back any entry of @c. */
void qcow2_cache_depends_on_flush(Qcow2Cache *c);

/* Drop clean entries unused since the last call (clean interval timer). */
void qcow2_cache_clean_unused(Qcow2Cache *c);
/* Write back and drop every entry.  0 or -errno. */
int GRAPH_RDLOCK qcow2_cache_empty(BlockDriverState *bs, Qcow2Cache *c);

/*
 * Get the table at host @offset into *@table (read from disk if needed),
 * referenced until qcow2_cache_put().  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c,
                                 uint64_t offset, void **table);
/* As qcow2_cache_get() for a table that will be overwritten: no read. */
int GRAPH_RDLOCK qcow2_cache_get_empty(BlockDriverState *bs, Qcow2Cache *c,
                                       uint64_t offset, void **table);
/* Drop the reference from qcow2_cache_get*(); sets *@table to NULL. */
void qcow2_cache_put(Qcow2Cache *c, void **table);
/* The cached table for host @offset, or NULL. */
void *qcow2_cache_is_table_offset(Qcow2Cache *c, uint64_t offset);
/* Forget the (unreferenced) entry holding @table without writing it. */
void qcow2_cache_discard(Qcow2Cache *c, void *table);
/* Whether the entry holding @table is borrowed (qcow2_cache_get*()). */
bool qcow2_cache_in_use(Qcow2Cache *c, void *table);

/*
 * qcow2-threads.c (Q2)
 */

/*
 * Compress @src_size bytes of @src into @dest (at most @dest_size bytes)
 * with the image's compression type, in the thread pool.  Returns the
 * compressed size, -ENOMEM if it does not fit, or -EIO.
 */
ssize_t coroutine_fn
qcow2_co_compress(BlockDriverState *bs, void *dest, size_t dest_size,
                  const void *src, size_t src_size);
/*
 * Decompress @src_size bytes into exactly @dest_size bytes of @dest.
 * 0 or -EIO (data shorter or corrupt).
 */
ssize_t coroutine_fn
qcow2_co_decompress(BlockDriverState *bs, void *dest, size_t dest_size,
                    const void *src, size_t src_size);

/*
 * The codecs themselves, synchronous and pure (any thread).  Compress:
 * the output size, -ENOMEM if it exceeds @dest_size, -EIO on failure.
 * Decompress: 0 once @dest_size bytes were produced (bytes after the
 * stream are ignored), -EIO if the data is corrupt or too short.
 */
ssize_t qcow2_zlib_compress(void *dest, size_t dest_size,
                            const void *src, size_t src_size);
ssize_t qcow2_zlib_decompress(void *dest, size_t dest_size,
                              const void *src, size_t src_size);
ssize_t qcow2_zstd_compress(void *dest, size_t dest_size,
                            const void *src, size_t src_size);
ssize_t qcow2_zstd_decompress(void *dest, size_t dest_size,
                              const void *src, size_t src_size);

/*
 * Write whole clusters compressed (BlockDriver callback): the clusters of
 * one request compress in parallel, their space is allocated in guest
 * order.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_co_pwritev_compressed_part(BlockDriverState *bs, int64_t offset,
                                 int64_t bytes, QEMUIOVector *qiov,
                                 size_t qiov_offset);

/*
 * qcow2-bitmap.c (Q2)
 */

/*
 * Count the bitmap directory and every bitmap table and data cluster
 * through @count(@opaque, offset, size) for the image check.  0 or
 * -errno (problems found are counted in @res).
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_check_bitmaps_refcounts(BlockDriverState *bs, BdrvCheckResult *res,
                              void (*count)(void *opaque, uint64_t offset,
                                            uint64_t size),
                              void *opaque);

/*
 * The persistent bitmaps for qemu-img info (name, granularity, flags), in
 * directory order; NULL if there are none (or on error, with @errp set).
 */
Qcow2BitmapInfoList * GRAPH_RDLOCK
qcow2_get_bitmap_info_list(BlockDriverState *bs, Error **errp);

/*
 * Open: validate the bitmap directory named by the bitmaps extension
 * (already in s->nb_bitmaps / bitmap_directory_*) and load the bitmaps
 * into persistent BdrvDirtyBitmaps (marked in use on disk while the image
 * is open read-write).  If the autoclear bit was clear, the bitmaps are
 * stale: drop the extension, rewriting the header when writable
 * (*@header_updated).  0 or -errno (+errp).
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_read_bitmaps(BlockDriverState *bs, bool autoclear_was_set,
                   bool *header_updated, Error **errp);

/*
 * Persistent dirty bitmaps (qcow2-bitmap.c, qcow2-bitmap-store.c).
 *
 * Store every persistent bitmap that changed (close, inactivation, going
 * read-only) and, with @release_stored, release the in-memory copies.
 * false with @errp set on failure (the image keeps its old bitmaps).
 */
bool GRAPH_RDLOCK
qcow2_store_persistent_dirty_bitmaps(BlockDriverState *bs,
                                     bool release_stored, Error **errp);
/*
 * Reopen read-write: loaded read-only bitmaps become writable (and in use
 * on disk).  Reopen read-only: store them (keeping them in memory) and
 * make them read-only.  0 or -errno with @errp set.
 */
int GRAPH_RDLOCK qcow2_reopen_bitmaps_rw(BlockDriverState *bs, Error **errp);
int GRAPH_RDLOCK qcow2_reopen_bitmaps_ro(BlockDriverState *bs, Error **errp);
/*
 * Bytes the persistent bitmaps of @in_bs would take in a qcow2 image of
 * @cluster_size clusters (all data allocated, tables, directory): the
 * "bitmaps size" of qemu-img measure.
 */
uint64_t qcow2_measure_bitmaps(BlockDriverState *in_bs,
                               uint64_t cluster_size);
/* Whether a resize may go on: every stored bitmap loaded and usable. */
int GRAPH_RDLOCK qcow2_truncate_bitmaps_check(BlockDriverState *bs,
                                              Error **errp);
bool coroutine_fn GRAPH_RDLOCK
qcow2_co_can_store_new_dirty_bitmap(BlockDriverState *bs, const char *name,
                                    uint32_t granularity, Error **errp);
int coroutine_fn GRAPH_RDLOCK
qcow2_co_remove_persistent_dirty_bitmap(BlockDriverState *bs,
                                        const char *name, Error **errp);

/*
 * LUKS encryption (qcow2-crypto.c)
 */

/* What qemu-img create's encrypt.* options ask for (format=luks). */
typedef struct Qcow2CryptoCreate {
    QCryptoBlockCreateOptionsLUKS luks;
    char *secret;
} Qcow2CryptoCreate;

/*
 * The "full disk encryption header pointer" extension (@len bytes at
 * @data): 0, or -EINVAL with @errp set (7.2's messages).
 */
int qcow2_crypto_read_ext(BlockDriverState *bs, const uint8_t *data,
                          uint32_t len, Error **errp);
/* Fill @data (16 bytes) with the extension; 0 when there is none. */
size_t qcow2_crypto_fill_ext(BlockDriverState *bs, uint8_t *data);
/*
 * Take the encrypt.* options out of @options, check them against the
 * header and unlock the LUKS header (only read it with BDRV_O_NO_IO), or
 * key the legacy AES cipher.  Sets s->crypto or s->aes (not with
 * BDRV_O_NO_IO) and bs->encrypted for an encrypted image.  Called after
 * the header and extensions were read.  0 or -errno with @errp set.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_open(BlockDriverState *bs, QDict *options, int flags,
                  Error **errp);
void qcow2_crypto_close(BlockDriverState *bs);
/*
 * Read @bytes at @host of the data file (guest offset @guest), decrypted,
 * into @qiov at @qiov_offset.  @host and @bytes are multiples of 512.
 * s->lock not held.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_preadv(BlockDriverState *bs, uint64_t host, uint64_t guest,
                       uint64_t bytes, QEMUIOVector *qiov,
                       size_t qiov_offset);
/*
 * Encrypt @bytes of @qiov and write them at @host of the data file.
 * @guest is the guest offset of the data (legacy AES IVs count guest
 * sectors, LUKS IVs host sectors).
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_pwritev(BlockDriverState *bs, uint64_t host, uint64_t guest,
                        uint64_t bytes, QEMUIOVector *qiov,
                        size_t qiov_offset);
/* Encrypt @buf in place for @host/@guest and write it at @host. */
int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_pwrite_buf(BlockDriverState *bs, uint64_t host,
                           uint64_t guest, uint64_t bytes, uint8_t *buf);
/*
 * The create options (never NULL; c->secret is NULL when no key-secret
 * was given: qcow2_crypto_co_create() then fails).
 */
Qcow2CryptoCreate *qcow2_crypto_create_opts(QemuOpts *opts, Error **errp);
void qcow2_crypto_create_free(Qcow2CryptoCreate *c);
/*
 * Give the new image @bs (open read-write, sized) a LUKS header in
 * freshly allocated clusters and rewrite the qcow2 header.  s->lock not
 * held.  0 or -errno with @errp set.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_create(BlockDriverState *bs, Qcow2CryptoCreate *c,
                       Error **errp);
/*
 * Turn the new image @bs (open read-write, sized) into a legacy AES one
 * keyed by the secret @secret_id (NULL: none given): the secret must exist
 * and be UTF-8, as for 7.2; the header then says crypt_method 1.  No key
 * material is stored in the image.  s->lock not held.  0 or -errno with
 * @errp set.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_create_aes(BlockDriverState *bs, const char *secret_id,
                           Error **errp);
/* Bytes the LUKS header of @opts takes in clusters; -1 with @errp set. */
int64_t qcow2_crypto_measure(QemuOpts *opts, uint64_t cluster_size,
                             Error **errp);
/*
 * qemu-img amend of an encrypted image: the encrypt.* key slot options
 * (state, keyslot, old-secret, new-secret, iter-time) as for the luks
 * driver.  0 or -errno with @errp set (7.2's messages).
 */
int GRAPH_RDLOCK qcow2_crypto_amend(BlockDriverState *bs, QemuOpts *opts,
                                    bool force, Error **errp);
/* The LUKS header's info for qemu-img info (NULL if not encrypted). */
QCryptoBlockInfoLUKS *qcow2_crypto_get_info(BlockDriverState *bs);

#endif /* BLOCK_QCOW2_H */
