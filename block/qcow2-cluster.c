/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-cluster.c: the guest-to-host mapping of qcow2.  The L1 table
 * (kept in memory) points at L2 tables (read through the L2 cache in
 * slices); each L2 entry maps one guest cluster, with extended L2 entries
 * also a bitmap for its 32 subclusters.  This file looks mappings up,
 * grows the L1 table, copies shared L2 tables, allocates clusters for
 * writes (tracking allocations in flight so that overlapping writers wait
 * for each other and copy-on-write is never lost), links finished
 * allocations into L2, and turns ranges into zero or discarded clusters.
 * Refcounts are qcow2-refcount.c's business.  Everything here runs with
 * s->lock held; qcow2_alloc_host_offset() may drop it while it waits.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qcow2.h"
#include "trace/trace-block.h"

/*
 * L1 table
 */

int qcow2_grow_l1_table(BlockDriverState *bs, uint64_t min_size,
                        bool exact_size)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t new_l1_size, new_l1_bytes, new_l1_offset;
    uint64_t *new_l1;
    uint8_t data[12];
    int ret;

    if (min_size <= s->l1_size) {
        return 0;
    }
    /* Do not let the table wrap around or exceed the limit. */
    if (min_size > INT_MAX / sizeof(uint64_t)) {
        return -EFBIG;
    }

    if (exact_size) {
        new_l1_size = min_size;
    } else {
        new_l1_size = MAX(s->l1_size, 1);
        while (new_l1_size < min_size) {
            new_l1_size = DIV_ROUND_UP(new_l1_size * 3, 2);
        }
    }
    new_l1_size = MIN(new_l1_size, QCOW_MAX_L1_SIZE / sizeof(uint64_t));
    if (new_l1_size < min_size) {
        return -EFBIG;
    }

    new_l1_bytes = new_l1_size * sizeof(uint64_t);
    new_l1 = qemu_try_blockalign(bs->file->bs,
                                 ROUND_UP(new_l1_bytes, 512));
    if (!new_l1) {
        return -ENOMEM;
    }
    memset(new_l1, 0, ROUND_UP(new_l1_bytes, 512));
    if (s->l1_size) {
        memcpy(new_l1, s->l1_table, s->l1_size * sizeof(uint64_t));
    }

    new_l1_offset = qcow2_alloc_clusters(bs, new_l1_bytes);
    if (new_l1_offset < 0) {
        qemu_vfree(new_l1);
        return new_l1_offset;
    }

    /* The new table's refcount must be on disk before the header. */
    ret = qcow2_cache_flush(bs, s->refcount_block_cache);
    if (ret < 0) {
        goto fail;
    }
    ret = qcow2_pre_write_overlap_check(bs, 0, new_l1_offset,
                                        new_l1_bytes, false);
    if (ret < 0) {
        goto fail;
    }

    for (int64_t i = 0; i < new_l1_size; i++) {
        new_l1[i] = cpu_to_be64(new_l1[i]);
    }
    ret = bdrv_pwrite_sync(bs->file, new_l1_offset, new_l1_bytes, new_l1, 0);
    for (int64_t i = 0; i < new_l1_size; i++) {
        new_l1[i] = be64_to_cpu(new_l1[i]);
    }
    if (ret < 0) {
        goto fail;
    }

    /* l1_size (4 bytes) and l1_table_offset (8 bytes) are adjacent. */
    stl_be_p(data, new_l1_size);
    stq_be_p(data + 4, new_l1_offset);
    ret = bdrv_pwrite_sync(bs->file, offsetof(QCowHeader, l1_size),
                           sizeof(data), data, 0);
    if (ret < 0) {
        goto fail;
    }

    qemu_vfree(s->l1_table);
    {
        int64_t old_offset = s->l1_table_offset;
        int64_t old_bytes = (int64_t)s->l1_size * sizeof(uint64_t);

        s->l1_table_offset = new_l1_offset;
        s->l1_table = new_l1;
        s->l1_size = new_l1_size;
        if (old_bytes) {
            qcow2_free_clusters(bs, old_offset, old_bytes,
                                QCOW2_DISCARD_OTHER);
        }
    }
    return 0;

fail:
    qemu_vfree(new_l1);
    qcow2_free_clusters(bs, new_l1_offset, new_l1_bytes, QCOW2_DISCARD_OTHER);
    return ret;
}

int qcow2_write_l1_entry(BlockDriverState *bs, int l1_index)
{
    BDRVQcow2State *s = bs->opaque;
    /* Write the 512-byte aligned group of entries holding @l1_index. */
    int per_sector = 512 / sizeof(uint64_t);
    int start = QEMU_ALIGN_DOWN(l1_index, per_sector);
    int n = MIN(per_sector, s->l1_size - start);
    uint64_t buf[512 / sizeof(uint64_t)];
    int ret;

    for (int i = 0; i < n; i++) {
        buf[i] = cpu_to_be64(s->l1_table[start + i]);
    }
    ret = qcow2_pre_write_overlap_check(bs, QCOW2_OL_ACTIVE_L1,
            s->l1_table_offset + start * sizeof(uint64_t),
            n * sizeof(uint64_t), false);
    if (ret < 0) {
        return ret;
    }
    return bdrv_pwrite_sync(bs->file,
                            s->l1_table_offset + start * sizeof(uint64_t),
                            n * sizeof(uint64_t), buf, 0);
}

int coroutine_fn qcow2_shrink_l1_table(BlockDriverState *bs,
                                       uint64_t max_size)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (max_size >= s->l1_size) {
        return 0;
    }

    ret = qcow2_cache_flush(bs, s->l2_table_cache);
    if (ret < 0) {
        return ret;
    }

    for (uint64_t i = max_size; i < s->l1_size; i++) {
        uint64_t l2_offset = s->l1_table[i] & L1E_OFFSET_MASK;

        s->l1_table[i] = 0;
        if (l2_offset) {
            void *slice = qcow2_cache_is_table_offset(s->l2_table_cache,
                                                      l2_offset);
            if (slice) {
                qcow2_cache_discard(s->l2_table_cache, slice);
            }
            qcow2_free_clusters(bs, l2_offset, s->cluster_size,
                                QCOW2_DISCARD_ALWAYS);
        }
    }

    for (uint64_t i = QEMU_ALIGN_DOWN(max_size, 64); i < s->l1_size;
         i += 64) {
        ret = qcow2_write_l1_entry(bs, i);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/*
 * L2 tables
 */

/* Borrow the L2 slice of table @l2_offset that holds guest @offset. */
static int GRAPH_RDLOCK l2_load(BlockDriverState *bs, uint64_t offset,
                                uint64_t l2_offset, uint64_t **l2_slice)
{
    BDRVQcow2State *s = bs->opaque;
    int start = offset_to_l2_index(s, offset) & ~(s->l2_slice_size - 1);
    uint64_t slice_offset = l2_offset + start * l2_entry_size(s);

    return qcow2_cache_get(bs, s->l2_table_cache, slice_offset,
                           (void **)l2_slice);
}

/*
 * Give L1 entry @l1_index an L2 table of its own (refcount 1): a copy of
 * the current (shared) one, or an empty one.
 */
static int GRAPH_RDLOCK l2_allocate(BlockDriverState *bs, int l1_index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t old_l1_entry = s->l1_table[l1_index];
    uint64_t old_l2_offset = old_l1_entry & L1E_OFFSET_MASK;
    int slice_bytes = s->l2_slice_size * l2_entry_size(s);
    int n_slices = s->cluster_size / slice_bytes;
    int64_t l2_offset;
    int ret;

    trace_qcow2_l2_allocate(bs, l1_index);
    l2_offset = qcow2_alloc_clusters(bs, s->cluster_size);
    if (l2_offset < 0) {
        return l2_offset;
    }
    /*
     * Cluster 0 is the header: only broken refcounts hand it out.  Do not
     * free it again below (a discard would wipe the header).
     */
    if (l2_offset == 0) {
        qcow2_signal_corruption(bs, true, -1, -1, "Preventing invalid "
                                "allocation of L2 table at offset 0");
        return -EIO;
    }
    /* An L2 table in use must have its refcount on disk first. */
    ret = qcow2_cache_flush(bs, s->refcount_block_cache);
    if (ret < 0) {
        goto fail;
    }

    trace_qcow2_l2_allocate_get_empty(bs, l1_index);
    for (int i = 0; i < n_slices; i++) {
        uint64_t *new_slice, *old_slice;

        ret = qcow2_cache_get_empty(bs, s->l2_table_cache,
                                    l2_offset + i * slice_bytes,
                                    (void **)&new_slice);
        if (ret < 0) {
            goto fail;
        }
        if (old_l2_offset) {
            ret = qcow2_cache_get(bs, s->l2_table_cache,
                                  old_l2_offset + i * slice_bytes,
                                  (void **)&old_slice);
            if (ret < 0) {
                qcow2_cache_put(s->l2_table_cache, (void **)&new_slice);
                goto fail;
            }
            memcpy(new_slice, old_slice, slice_bytes);
            qcow2_cache_put(s->l2_table_cache, (void **)&old_slice);
        } else {
            memset(new_slice, 0, slice_bytes);
        }
        qcow2_cache_entry_mark_dirty(s->l2_table_cache, new_slice);
        qcow2_cache_put(s->l2_table_cache, (void **)&new_slice);
    }

    trace_qcow2_l2_allocate_write_l2(bs, l1_index);
    /* The table must be on disk before the L1 entry points at it. */
    ret = qcow2_cache_flush(bs, s->l2_table_cache);
    if (ret < 0) {
        goto fail;
    }

    trace_qcow2_l2_allocate_write_l1(bs, l1_index);
    s->l1_table[l1_index] = l2_offset | QCOW_OFLAG_COPIED;
    ret = qcow2_write_l1_entry(bs, l1_index);
    if (ret < 0) {
        s->l1_table[l1_index] = old_l1_entry;
        goto fail;
    }

    if (old_l2_offset) {
        qcow2_free_clusters(bs, old_l2_offset, s->cluster_size,
                            QCOW2_DISCARD_OTHER);
    }
    trace_qcow2_l2_allocate_done(bs, l1_index, 0);
    return 0;

fail:
    trace_qcow2_l2_allocate_done(bs, l1_index, ret);
    for (int i = 0; i < n_slices; i++) {
        void *t = qcow2_cache_is_table_offset(s->l2_table_cache,
                                              l2_offset + i * slice_bytes);
        if (t) {
            qcow2_cache_discard(s->l2_table_cache, t);
        }
    }
    qcow2_free_clusters(bs, l2_offset, s->cluster_size, QCOW2_DISCARD_ALWAYS);
    return ret;
}

/*
 * Borrow the writable L2 slice for guest @offset, creating or copying
 * the L2 table as needed.  *@l2_index is the entry's index in the slice.
 */
static int GRAPH_RDLOCK get_cluster_table(BlockDriverState *bs,
                                          uint64_t offset,
                                          uint64_t **l2_slice, int *l2_index)
{
    BDRVQcow2State *s = bs->opaque;
    int l1_index = offset_to_l1_index(s, offset);
    uint64_t l2_offset;
    int ret;

    if (l1_index >= s->l1_size) {
        ret = qcow2_grow_l1_table(bs, l1_index + 1, false);
        if (ret < 0) {
            return ret;
        }
    }

    l2_offset = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    if (offset_into_cluster(s, l2_offset)) {
        qcow2_signal_corruption(bs, true, -1, -1, "L2 table offset %#"
                                PRIx64 " unaligned (L1 index: %#x)",
                                l2_offset, l1_index);
        return -EIO;
    }

    /* An entry without an offset has no table, whatever its flags say. */
    if (!l2_offset || !(s->l1_table[l1_index] & QCOW_OFLAG_COPIED)) {
        ret = l2_allocate(bs, l1_index);
        if (ret < 0) {
            return ret;
        }
        l2_offset = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    }

    ret = l2_load(bs, offset, l2_offset, l2_slice);
    if (ret < 0) {
        return ret;
    }
    *l2_index = offset_to_l2_slice_index(s, offset);
    return 0;
}

/*
 * Lookup
 */

void qcow2_parse_compressed_l2_entry(BlockDriverState *bs, uint64_t l2_entry,
                                     uint64_t *coffset, int *csize)
{
    BDRVQcow2State *s = bs->opaque;
    int nb_csectors;

    /* @l2_entry may come with or without the COMPRESSED flag. */
    *coffset = l2_entry & s->cluster_offset_mask;
    nb_csectors = ((l2_entry >> s->csize_shift) & s->csize_mask) + 1;
    *csize = nb_csectors * QCOW2_COMPRESSED_SECTOR_SIZE -
             (*coffset & (QCOW2_COMPRESSED_SECTOR_SIZE - 1));
}

/* Host offset a subcluster of type @type maps to (0 if none). */
static uint64_t entry_host_offset(QCow2SubclusterType type, uint64_t entry)
{
    switch (type) {
    case QCOW2_SUBCLUSTER_NORMAL:
    case QCOW2_SUBCLUSTER_ZERO_ALLOC:
    case QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC:
        return entry & L2E_OFFSET_MASK;
    default:
        return 0;
    }
}

/*
 * Count the subclusters from (@l2_index, @sc_index) on that have type
 * @type and, if they map to host clusters, continue contiguously from
 * @host (the host offset of the first one's cluster).  Stops at the end
 * of the slice or after @max_sc subclusters.
 */
static unsigned count_same_subclusters(BlockDriverState *bs,
                                       uint64_t *l2_slice, int l2_index,
                                       int sc_index, unsigned max_sc,
                                       QCow2SubclusterType type,
                                       uint64_t host)
{
    BDRVQcow2State *s = bs->opaque;
    unsigned n = 0;

    for (int i = l2_index; i < s->l2_slice_size && n < max_sc; i++) {
        uint64_t entry = get_l2_entry(s, l2_slice, i);
        uint64_t bitmap = get_l2_bitmap(s, l2_slice, i);
        uint64_t want_host = host + (uint64_t)(i - l2_index) *
                             s->cluster_size;

        if (host && entry_host_offset(type, entry) != want_host) {
            break;
        }
        for (int j = (i == l2_index ? sc_index : 0);
             j < s->subclusters_per_cluster && n < max_sc; j++) {
            if (qcow2_get_subcluster_type(bs, entry, bitmap, j) != type) {
                return n;
            }
            n++;
        }
        if (type == QCOW2_SUBCLUSTER_COMPRESSED) {
            break;
        }
    }
    return n;
}

int coroutine_fn qcow2_get_host_offset(BlockDriverState *bs, uint64_t offset,
                                       unsigned int *bytes,
                                       uint64_t *host_offset,
                                       QCow2SubclusterType *subcluster_type)
{
    BDRVQcow2State *s = bs->opaque;
    int l1_index = offset_to_l1_index(s, offset);
    int l2_index = offset_to_l2_slice_index(s, offset);
    int sc_index = offset_to_sc_index(s, offset);
    uint64_t in_sc = offset_into_subcluster(s, offset);
    uint64_t slice_left, entry, bitmap, l2_offset, host;
    uint64_t *l2_slice;
    QCow2SubclusterType type;
    unsigned max_sc, n;
    int ret;

    /* Bytes from @offset to the end of its L2 slice. */
    slice_left = ((uint64_t)(s->l2_slice_size - l2_index) << s->cluster_bits)
                 - offset_into_cluster(s, offset);
    *bytes = MIN(*bytes, slice_left);
    *host_offset = 0;

    if (l1_index >= s->l1_size ||
        !(l2_offset = s->l1_table[l1_index] & L1E_OFFSET_MASK)) {
        *subcluster_type = QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN;
        return 0;
    }
    if (offset_into_cluster(s, l2_offset)) {
        qcow2_signal_corruption(bs, true, -1, -1, "L2 table offset %#"
                                PRIx64 " unaligned (L1 index: %#x)",
                                l2_offset, l1_index);
        return -EIO;
    }

    ret = l2_load(bs, offset, l2_offset, &l2_slice);
    if (ret < 0) {
        return ret;
    }
    entry = get_l2_entry(s, l2_slice, l2_index);
    bitmap = get_l2_bitmap(s, l2_slice, l2_index);
    type = qcow2_get_subcluster_type(bs, entry, bitmap, sc_index);

    if (type == QCOW2_SUBCLUSTER_INVALID) {
        qcow2_signal_corruption(bs, true, -1, -1, "Invalid cluster entry "
                                "found (L2 offset: %#" PRIx64 ", L2 index: "
                                "%#x)", l2_offset, l2_index);
        ret = -EIO;
        goto out;
    }
    if (type == QCOW2_SUBCLUSTER_COMPRESSED) {
        if (has_data_file(bs)) {
            qcow2_signal_corruption(bs, true, -1, -1, "Compressed cluster "
                                    "entry found in image with external "
                                    "data file (L2 offset: %#" PRIx64
                                    ", L2 index: %#x)", l2_offset, l2_index);
            ret = -EIO;
            goto out;
        }
        *host_offset = entry & L2E_COMPRESSED_OFFSET_SIZE_MASK;
        *bytes = MIN(*bytes, s->cluster_size - offset_into_cluster(s, offset));
        goto done;
    }

    host = entry_host_offset(type, entry);
    if (host && offset_into_cluster(s, host)) {
        qcow2_signal_corruption(bs, true, -1, -1, "Cluster allocation "
                                "offset %#" PRIx64 " unaligned (L2 offset: %#"
                                PRIx64 ", L2 index: %#x)", host, l2_offset,
                                l2_index);
        ret = -EIO;
        goto out;
    }

    max_sc = size_to_subclusters(s, *bytes + in_sc);
    n = count_same_subclusters(bs, l2_slice, l2_index, sc_index, max_sc,
                               type, host);
    assert(n > 0);
    *bytes = MIN(*bytes, ((uint64_t)n << s->subcluster_bits) - in_sc);
    if (host || type == QCOW2_SUBCLUSTER_NORMAL) {
        *host_offset = host + offset_into_cluster(s, offset);
    }

done:
    *subcluster_type = type;
    ret = 0;
out:
    qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);
    return ret;
}

int coroutine_fn
qcow2_alloc_compressed_cluster_offset(BlockDriverState *bs, uint64_t offset,
                                      int compressed_size,
                                      uint64_t *host_offset)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t *l2_slice, entry;
    int64_t coffset;
    int l2_index, ret, nb_csectors;

    if (has_data_file(bs)) {
        return 0;
    }
    ret = get_cluster_table(bs, offset, &l2_slice, &l2_index);
    if (ret < 0) {
        return ret;
    }
    /* Compressed data only goes into clusters that hold nothing yet. */
    entry = get_l2_entry(s, l2_slice, l2_index);
    if (entry & L2E_OFFSET_MASK) {
        ret = -EIO;
        goto out;
    }
    coffset = qcow2_alloc_bytes(bs, compressed_size);
    if (coffset < 0) {
        ret = coffset;
        goto out;
    }
    if (coffset == 0) {
        qcow2_signal_corruption(bs, true, -1, -1, "Preventing invalid "
                                "allocation of compressed cluster at "
                                "offset 0");
        ret = -EIO;
        goto out;
    }
    nb_csectors = (coffset + compressed_size - 1) /
                  QCOW2_COMPRESSED_SECTOR_SIZE -
                  coffset / QCOW2_COMPRESSED_SECTOR_SIZE;
    entry = coffset | QCOW_OFLAG_COMPRESSED |
            ((uint64_t)nb_csectors << s->csize_shift);

    if (!s->use_lazy_refcounts) {
        ret = qcow2_cache_set_dependency(bs, s->l2_table_cache,
                                         s->refcount_block_cache);
        if (ret < 0) {
            goto out;
        }
    }
    qcow2_cache_entry_mark_dirty(s->l2_table_cache, l2_slice);
    set_l2_entry(s, l2_slice, l2_index, entry);
    if (has_subclusters(s)) {
        set_l2_bitmap(s, l2_slice, l2_index, 0);
    }
    *host_offset = coffset;
    ret = 0;
out:
    qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);
    return ret;
}

/*
 * Allocation for writes
 */

/* @m is one of the allocations of the request whose list is @mine. */
static bool meta_in_list(QCowL2Meta *m, QCowL2Meta *mine)
{
    for (; mine; mine = mine->next) {
        if (mine == m) {
            return true;
        }
    }
    return false;
}

/*
 * Keep the write [@start, @start + *@bytes) off clusters that another
 * request is allocating.  If such an allocation covers the first
 * cluster, wait for it and return -EAGAIN (the caller looks again);
 * else cut *@bytes short of the first one.
 */
static int coroutine_fn handle_dependencies(BlockDriverState *bs,
                                            uint64_t start, uint64_t *bytes,
                                            QCowL2Meta *mine)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t req_start = start_of_cluster(s, start);
    uint64_t req_end = ROUND_UP(start + *bytes, s->cluster_size);
    QCowL2Meta *old;

    QLIST_FOREACH(old, &s->cluster_allocs, next_in_flight) {
        uint64_t old_start = old->offset;
        uint64_t old_end = old->offset +
                           ((uint64_t)old->nb_clusters << s->cluster_bits);

        if (meta_in_list(old, mine) ||
            old_end <= req_start || old_start >= req_end) {
            continue;
        }
        if (old_start <= req_start) {
            qemu_co_queue_wait(&old->dependent_requests, &s->lock);
            return -EAGAIN;
        }
        *bytes = MIN(*bytes, old_start - start);
        req_end = old_start;
    }
    return 0;
}

void coroutine_fn qcow2_wait_for_allocations(BlockDriverState *bs,
                                            uint64_t offset, uint64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = start_of_cluster(s, offset);
    uint64_t end = ROUND_UP(offset + bytes, s->cluster_size);
    QCowL2Meta *m;

again:
    QLIST_FOREACH(m, &s->cluster_allocs, next_in_flight) {
        uint64_t m_end = m->offset +
                         ((uint64_t)m->nb_clusters << s->cluster_bits);

        if (m->offset < end && m_end > start) {
            qemu_co_queue_wait(&m->dependent_requests, &s->lock);
            goto again;
        }
    }
}

/* Can guest data for subclusters [@sc_from, @sc_to) go into place? */
static bool cluster_in_place(BlockDriverState *bs, uint64_t entry,
                             uint64_t bitmap, int sc_from, int sc_to)
{
    BDRVQcow2State *s = bs->opaque;

    if (qcow2_get_cluster_type(bs, entry) != QCOW2_CLUSTER_NORMAL ||
        !(entry & QCOW_OFLAG_COPIED)) {
        return false;
    }
    if (has_subclusters(s)) {
        uint64_t want = QCOW_OFLAG_SUB_ALLOC_RANGE(sc_from, sc_to);
        return (bitmap & want) == want;
    }
    return true;
}

/*
 * Is @entry a preallocated zero cluster (ZERO_ALLOC) that this image
 * alone owns?  A write then reuses its host cluster in place, as QEMU
 * 7.2 does, instead of allocating a new one.  Not with extended L2
 * entries (zeroes are per subcluster there).
 */
static bool zero_cluster_reusable(BlockDriverState *bs, uint64_t entry)
{
    BDRVQcow2State *s = bs->opaque;

    return !has_subclusters(s) &&
           qcow2_get_cluster_type(bs, entry) == QCOW2_CLUSTER_ZERO_ALLOC &&
           (entry & QCOW_OFLAG_COPIED);
}

/*
 * Must the copy-on-write of a new cluster replacing @entry cover the
 * whole cluster (the old one holds data not described per subcluster)?
 */
static bool cow_whole_cluster(BlockDriverState *bs, uint64_t entry)
{
    switch (qcow2_get_cluster_type(bs, entry)) {
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_COMPRESSED:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        return true;
    default:
        return false;
    }
}

/* Subcluster range of the write within its (first/last) cluster. */
static void write_sc_range(BDRVQcow2State *s, uint64_t start, uint64_t bytes,
                           int *sc_from, int *sc_to)
{
    uint64_t off = offset_into_cluster(s, start);
    uint64_t end = MIN(off + bytes, s->cluster_size);

    *sc_from = off >> s->subcluster_bits;
    *sc_to = DIV_ROUND_UP(end, s->subcluster_size);
}

/* New in-flight allocation record, on s->cluster_allocs. */
static QCowL2Meta *new_l2meta(BlockDriverState *bs, uint64_t guest_cluster,
                              uint64_t host, int nb_clusters)
{
    BDRVQcow2State *s = bs->opaque;
    QCowL2Meta *m = g_new0(QCowL2Meta, 1);

    m->offset = guest_cluster;
    m->alloc_offset = host;
    m->nb_clusters = nb_clusters;
    qemu_co_queue_init(&m->dependent_requests);
    QLIST_INSERT_HEAD(&s->cluster_allocs, m, next_in_flight);
    return m;
}

/*
 * Extended L2, cluster owned by us, some target subclusters not
 * allocated yet: keep the cluster, copy what the write leaves of its
 * first and last subclusters, and mark them allocated at link time.
 */
static QCowL2Meta *alloc_keep_old(BlockDriverState *bs, uint64_t start,
                                  uint64_t bytes, uint64_t entry,
                                  uint64_t bitmap)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = offset_into_cluster(s, start);
    uint64_t end = off + bytes;
    int sc_first = off >> s->subcluster_bits;
    int sc_last = (end - 1) >> s->subcluster_bits;
    QCowL2Meta *m;

    m = new_l2meta(bs, start_of_cluster(s, start), entry & L2E_OFFSET_MASK,
                   1);
    m->keep_old_clusters = true;
    m->cow_start.offset = off;
    m->cow_end.offset = end;
    if (!(bitmap & QCOW_OFLAG_SUB_ALLOC(sc_first))) {
        m->cow_start.offset = (uint64_t)sc_first << s->subcluster_bits;
    }
    m->cow_start.nb_bytes = off - m->cow_start.offset;
    if (!(bitmap & QCOW_OFLAG_SUB_ALLOC(sc_last))) {
        m->cow_end.nb_bytes = ROUND_UP(end, s->subcluster_size) - end;
    }
    return m;
}

/*
 * Reuse the host clusters of the reusable zero clusters from @start on
 * (zero_cluster_reusable(), host-contiguous, at most *@want bytes, which
 * is cut down to them).  Their parts the write leaves read as zeroes, so
 * they become COW regions (zeroed efficiently when the file can); the
 * L2 entries lose the zero flag at link time.
 */
static QCowL2Meta *reuse_zero_clusters(BlockDriverState *bs, uint64_t start,
                                       uint64_t *want, uint64_t *l2_slice,
                                       int l2_index)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = offset_into_cluster(s, start);
    uint64_t nb_max = size_to_clusters(s, off + *want);
    uint64_t host = get_l2_entry(s, l2_slice, l2_index) & L2E_OFFSET_MASK;
    uint64_t end;
    int n = 1;
    QCowL2Meta *m;

    while (n < nb_max && l2_index + n < s->l2_slice_size) {
        uint64_t e = get_l2_entry(s, l2_slice, l2_index + n);

        if (!zero_cluster_reusable(bs, e) ||
            (e & L2E_OFFSET_MASK) != host + ((uint64_t)n << s->cluster_bits)) {
            break;
        }
        n++;
    }
    *want = MIN(*want, ((uint64_t)n << s->cluster_bits) - off);
    end = off + *want;

    m = new_l2meta(bs, start_of_cluster(s, start), host, n);
    m->keep_old_clusters = true;
    m->cow_start.offset = 0;
    m->cow_start.nb_bytes = off;
    m->cow_end.offset = end;
    m->cow_end.nb_bytes = ((uint64_t)n << s->cluster_bits) - end;
    return m;
}

/* Does host cluster @c have a refcount block? */
static bool has_refblock(BDRVQcow2State *s, uint64_t c)
{
    uint64_t idx = c >> s->refcount_block_bits;

    return idx < s->refcount_table_size &&
           (s->refcount_table[idx] & REFT_OFFSET_MASK);
}

/*
 * Allocate up to @n clusters at host offset @hint, as many as are free
 * there; returns how many (possibly 0) or -errno.  Where the run reaches
 * clusters without a refcount block, QEMU 7.2 takes the clusters before
 * them first, creates the block (at the first free cluster, the ones
 * just taken counting as used), gives those clusters back and counts
 * again, so the new block may land inside the run and cut it short.
 * This plays the same steps, so blocks and data land where 7.2 puts them.
 */
static int64_t GRAPH_RDLOCK alloc_at_hint(BlockDriverState *bs,
                                          uint64_t hint, int64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first = hint >> s->cluster_bits;

    for (;;) {
        uint64_t b = first;
        uint64_t fci;
        int64_t got, r;

        /* The first cluster of the run lacking a refcount block. */
        while (b < first + n && has_refblock(s, b)) {
            b = QEMU_ALIGN_UP(b + 1, (uint64_t)s->refcount_block_size);
        }
        if (b >= first + n) {
            return qcow2_alloc_clusters_at(bs, hint, n);
        }
        got = qcow2_alloc_clusters_at(bs, hint, b - first);
        if (got < 0 || got < (int64_t)(b - first)) {
            return got;     /* the run ends before the missing block */
        }
        /* Create the block (taking cluster @b too if still free). */
        r = qcow2_alloc_clusters_at(bs, b << s->cluster_bits, 1);
        fci = s->free_cluster_index;
        if (r > 0) {
            qcow2_free_clusters(bs, b << s->cluster_bits, s->cluster_size,
                                QCOW2_DISCARD_NEVER);
            s->free_cluster_index = fci;
        }
        if (got > 0) {
            qcow2_free_clusters(bs, hint, got << s->cluster_bits,
                                QCOW2_DISCARD_NEVER);
        }
        if (r < 0) {
            return r;
        }
        if (!has_refblock(s, b)) {
            return 0;   /* no progress (cannot happen): first fit instead */
        }
    }
}

/*
 * Allocate host clusters for the guest clusters from @start on (at most
 * @want bytes, none of them writable in place).  With a @hint (the host
 * offset right after the previous part of the same write), as many of
 * them as are free there continue that host range, as QEMU 7.2 does;
 * without one, or if the cluster at @hint is taken, the first free run
 * big enough takes them all.  Returns the record, or NULL with *@ret set.
 */
static QCowL2Meta * GRAPH_RDLOCK
alloc_new_clusters(BlockDriverState *bs, uint64_t start, uint64_t *want,
                   uint64_t hint, uint64_t *l2_slice, int l2_index,
                   int *ret)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = offset_into_cluster(s, start);
    uint64_t nb_max = size_to_clusters(s, off + *want);
    uint64_t first, last, end;
    int64_t host = 0;
    int64_t n = 0;
    QCowL2Meta *m;

    trace_qcow2_handle_alloc(qemu_coroutine_self(), start,
                             hint ? hint : UINT64_MAX, *want);
    while (n < nb_max && l2_index + n < s->l2_slice_size) {
        uint64_t e = get_l2_entry(s, l2_slice, l2_index + n);

        if (n > 0 && (zero_cluster_reusable(bs, e) ||
                      (qcow2_get_cluster_type(bs, e) == QCOW2_CLUSTER_NORMAL &&
                       (e & QCOW_OFLAG_COPIED)))) {
            break;      /* usable in place: the next piece takes it */
        }
        n++;
    }

    if (has_data_file(bs)) {
        /* Data clusters sit at their guest offset in the data file. */
        host = start_of_cluster(s, start);
    } else {
        if (hint) {
            int64_t got = alloc_at_hint(bs, hint, n);

            if (got < 0) {
                *ret = got;
                return NULL;
            }
            if (got > 0) {
                host = hint;
                n = got;
            }
        }
        if (!host) {
            host = qcow2_alloc_clusters(bs, (uint64_t)n << s->cluster_bits);
        }
        if (host < 0) {
            *ret = host;
            return NULL;
        }
    }
    first = get_l2_entry(s, l2_slice, l2_index);
    last = get_l2_entry(s, l2_slice, l2_index + n - 1);

    m = new_l2meta(bs, start_of_cluster(s, start), host, n);
    *want = MIN(*want, ((uint64_t)n << s->cluster_bits) - off);
    end = off + *want;

    m->cow_start.offset = cow_whole_cluster(bs, first) ? 0 :
        QEMU_ALIGN_DOWN(off, s->subcluster_size);
    m->cow_start.nb_bytes = off - m->cow_start.offset;
    m->cow_end.offset = end;
    if (cow_whole_cluster(bs, last)) {
        m->cow_end.nb_bytes = ((uint64_t)n << s->cluster_bits) - end;
    } else {
        m->cow_end.nb_bytes = ROUND_UP(end, s->subcluster_size) - end;
    }
    *ret = 0;
    return m;
}

int coroutine_fn qcow2_alloc_host_offset(BlockDriverState *bs,
                                         uint64_t offset,
                                         unsigned int *bytes,
                                         uint64_t host_hint,
                                         uint64_t *host_offset,
                                         QCowL2Meta **m)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t want, entry, bitmap, slice_left;
    uint64_t *l2_slice;
    int l2_index, sc_from, sc_to, ret;
    QCowL2Meta *meta = NULL;

    trace_qcow2_alloc_clusters_offset(qemu_coroutine_self(), offset, *bytes);
    if (s->use_lazy_refcounts) {
        ret = qcow2_mark_dirty(bs);
        if (ret < 0) {
            return ret;
        }
    }

again:
    want = *bytes;
    ret = handle_dependencies(bs, offset, &want, *m);
    if (ret == -EAGAIN) {
        goto again;
    }
    assert(want > 0);

    ret = get_cluster_table(bs, offset, &l2_slice, &l2_index);
    if (ret < 0) {
        return ret;
    }
    slice_left = ((uint64_t)(s->l2_slice_size - l2_index) << s->cluster_bits)
                 - offset_into_cluster(s, offset);
    want = MIN(want, slice_left);

    entry = get_l2_entry(s, l2_slice, l2_index);
    bitmap = get_l2_bitmap(s, l2_slice, l2_index);
    write_sc_range(s, offset, want, &sc_from, &sc_to);

    if (cluster_in_place(bs, entry, bitmap, sc_from, sc_to)) {
        /* Extend over following in-place, host-contiguous clusters. */
        uint64_t host = entry & L2E_OFFSET_MASK;
        uint64_t done = s->cluster_size - offset_into_cluster(s, offset);
        int i = l2_index + 1;

        while (done < want && i < s->l2_slice_size) {
            uint64_t e = get_l2_entry(s, l2_slice, i);
            uint64_t b = get_l2_bitmap(s, l2_slice, i);

            write_sc_range(s, 0, want - done, &sc_from, &sc_to);
            if (!cluster_in_place(bs, e, b, sc_from, sc_to) ||
                (e & L2E_OFFSET_MASK) !=
                host + ((uint64_t)(i - l2_index) << s->cluster_bits)) {
                break;
            }
            done += s->cluster_size;
            i++;
        }
        want = MIN(want, done);
        *host_offset = host + offset_into_cluster(s, offset);
    } else if (zero_cluster_reusable(bs, entry)) {
        if (offset_into_cluster(s, entry & L2E_OFFSET_MASK)) {
            qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);
            qcow2_signal_corruption(bs, true, -1, -1, "Preallocated zero "
                                    "cluster offset %#" PRIx64 " unaligned "
                                    "(guest offset: %#" PRIx64 ")",
                                    (uint64_t)(entry & L2E_OFFSET_MASK),
                                    offset);
            return -EIO;
        }
        meta = reuse_zero_clusters(bs, offset, &want, l2_slice, l2_index);
        *host_offset = meta->alloc_offset + offset_into_cluster(s, offset);
    } else if (has_subclusters(s) &&
               qcow2_get_cluster_type(bs, entry) == QCOW2_CLUSTER_NORMAL &&
               (entry & QCOW_OFLAG_COPIED)) {
        want = MIN(want, s->cluster_size - offset_into_cluster(s, offset));
        meta = alloc_keep_old(bs, offset, want, entry, bitmap);
        *host_offset = meta->alloc_offset + offset_into_cluster(s, offset);
    } else {
        meta = alloc_new_clusters(bs, offset, &want, host_hint, l2_slice,
                                  l2_index, &ret);
        if (!meta) {
            qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);
            return ret;
        }
        *host_offset = meta->alloc_offset + offset_into_cluster(s, offset);
    }
    qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);

    if (meta) {
        meta->next = *m;
        *m = meta;
    }
    *bytes = want;
    return 0;
}

/* Bitmap for cluster @i of @m after linking (extended L2). */
static uint64_t linked_bitmap(BDRVQcow2State *s, QCowL2Meta *m, int i,
                              uint64_t old_entry, uint64_t old_bitmap,
                              bool old_is_plain)
{
    uint64_t c_start = (uint64_t)i << s->cluster_bits;
    uint64_t c_end = c_start + s->cluster_size;
    uint64_t lo = MAX(c_start, (uint64_t)m->cow_start.offset);
    uint64_t hi = MIN(c_end, (uint64_t)m->cow_end.offset +
                             m->cow_end.nb_bytes);
    int sc_lo, sc_hi;

    if (lo <= c_start && hi >= c_end) {
        return QCOW_L2_BITMAP_ALL_ALLOC;
    }
    sc_lo = (lo - c_start) >> s->subcluster_bits;
    sc_hi = DIV_ROUND_UP(hi - c_start, s->subcluster_size);
    if (!old_is_plain) {
        old_bitmap = 0;
    }
    return (old_bitmap & ~QCOW_OFLAG_SUB_ZERO_RANGE(sc_lo, sc_hi)) |
           QCOW_OFLAG_SUB_ALLOC_RANGE(sc_lo, sc_hi);
}

static void finish_l2meta(QCowL2Meta *m)
{
    QLIST_REMOVE(m, next_in_flight);
    qemu_co_queue_restart_all(&m->dependent_requests);
}

int coroutine_fn qcow2_alloc_cluster_link_l2(BlockDriverState *bs,
                                             QCowL2Meta *m)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint64_t *old_entries = g_new0(uint64_t, m->nb_clusters);
    uint64_t *l2_slice;
    int l2_index, ret;

    trace_qcow2_cluster_link_l2(qemu_coroutine_self(), m->nb_clusters);
    if (!m->keep_old_clusters && !has_data_file(bs) &&
        !s->use_lazy_refcounts) {
        ret = qcow2_cache_set_dependency(bs, s->l2_table_cache,
                                         s->refcount_block_cache);
        if (ret < 0) {
            goto out;
        }
    }
    /* The data must be on disk before an L2 entry points at it. */
    qcow2_cache_depends_on_flush(s->l2_table_cache);

    ret = get_cluster_table(bs, m->offset, &l2_slice, &l2_index);
    if (ret < 0) {
        goto out;
    }
    assert(l2_index + m->nb_clusters <= s->l2_slice_size);

    for (int i = 0; i < m->nb_clusters; i++) {
        uint64_t old = get_l2_entry(s, l2_slice, l2_index + i);
        uint64_t host = m->alloc_offset + ((uint64_t)i << s->cluster_bits);

        if (has_subclusters(s)) {
            uint64_t ob = get_l2_bitmap(s, l2_slice, l2_index + i);
            bool plain = m->keep_old_clusters ||
                qcow2_get_cluster_type(bs, old) == QCOW2_CLUSTER_UNALLOCATED;

            set_l2_bitmap(s, l2_slice, l2_index + i, m->prealloc ? ob :
                          linked_bitmap(s, m, i, old, ob, plain));
        }
        if (m->keep_old_clusters && !has_subclusters(s)) {
            /* A reused zero cluster (reuse_zero_clusters()): now data. */
            set_l2_entry(s, l2_slice, l2_index + i, host | QCOW_OFLAG_COPIED);
        } else if (!m->keep_old_clusters) {
            set_l2_entry(s, l2_slice, l2_index + i, host | QCOW_OFLAG_COPIED);
            if (qcow2_get_cluster_type(bs, old) != QCOW2_CLUSTER_UNALLOCATED &&
                qcow2_get_cluster_type(bs, old) != QCOW2_CLUSTER_ZERO_PLAIN) {
                old_entries[i] = old;
            }
        }
    }
    qcow2_cache_entry_mark_dirty(s->l2_table_cache, l2_slice);
    qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);

    /* Old clusters lose this reference only after the L2 update. */
    for (int i = 0; i < m->nb_clusters; i++) {
        if (old_entries[i] &&
            (old_entries[i] & L2E_OFFSET_MASK) !=
            m->alloc_offset + ((uint64_t)i << s->cluster_bits)) {
            qcow2_free_any_cluster(bs, old_entries[i], QCOW2_DISCARD_NEVER);
        }
    }
    ret = 0;
out:
    finish_l2meta(m);
    return ret;
}

void coroutine_fn qcow2_alloc_cluster_abort(BlockDriverState *bs,
                                            QCowL2Meta *m)
{
    BDRVQcow2State *s = bs->opaque;

    if (!m->keep_old_clusters && !has_data_file(bs)) {
        qcow2_free_clusters(bs, m->alloc_offset,
                            (uint64_t)m->nb_clusters << s->cluster_bits,
                            QCOW2_DISCARD_NEVER);
    }
    finish_l2meta(m);
}

/*
 * Discard and zero clusters
 */

/* Does the cluster of @entry hold a host cluster that must be freed? */
static bool entry_owns_cluster(BlockDriverState *bs, uint64_t entry)
{
    switch (qcow2_get_cluster_type(bs, entry)) {
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_COMPRESSED:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        return true;
    default:
        return false;
    }
}

/*
 * Discard the @nb_clusters clusters from guest @offset on (all within
 * one L2 slice).  Returns the number handled, or -errno.
 */
static int GRAPH_RDLOCK discard_in_l2_slice(BlockDriverState *bs,
                                            uint64_t offset,
                                            uint64_t nb_clusters,
                                            enum qcow2_discard_type type,
                                            bool full_discard)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t *l2_slice;
    int l2_index, ret;

    ret = get_cluster_table(bs, offset, &l2_slice, &l2_index);
    if (ret < 0) {
        return ret;
    }
    nb_clusters = MIN(nb_clusters, s->l2_slice_size - l2_index);

    for (int i = 0; i < nb_clusters; i++) {
        uint64_t old = get_l2_entry(s, l2_slice, l2_index + i);
        uint64_t old_bitmap = get_l2_bitmap(s, l2_slice, l2_index + i);
        uint64_t new_entry = 0, new_bitmap = 0;
        bool zero = !full_discard && s->qcow_version >= 3;

        if (!full_discard && !bs->backing && !entry_owns_cluster(bs, old)) {
            /*
             * No host cluster and nothing behind: it reads as zeroes and
             * stays as it is (zero flags and subcluster bits too), as 7.2.
             */
            continue;
        }
        if (zero) {
            if (has_subclusters(s)) {
                new_bitmap = QCOW_L2_BITMAP_ALL_ZERO;
            } else {
                new_entry = QCOW_OFLAG_ZERO;
            }
        }
        if (old == new_entry && old_bitmap == new_bitmap) {
            continue;
        }

        /* L2 first, then the refcount drop (dependency in the caches). */
        set_l2_entry(s, l2_slice, l2_index + i, new_entry);
        if (has_subclusters(s)) {
            set_l2_bitmap(s, l2_slice, l2_index + i, new_bitmap);
        }
        qcow2_cache_entry_mark_dirty(s->l2_table_cache, l2_slice);
        if (entry_owns_cluster(bs, old)) {
            qcow2_cache_set_dependency(bs, s->refcount_block_cache,
                                       s->l2_table_cache);
            qcow2_free_any_cluster(bs, old, type);
        }
    }
    qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);
    return nb_clusters;
}

int qcow2_cluster_discard(BlockDriverState *bs, uint64_t offset,
                          uint64_t bytes, enum qcow2_discard_type type,
                          bool full_discard)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = offset + bytes;
    uint64_t nb_clusters;
    int ret = 0;

    assert(QEMU_IS_ALIGNED(offset, s->cluster_size));
    assert(QEMU_IS_ALIGNED(end, s->cluster_size) ||
           end == bs->total_sectors << BDRV_SECTOR_BITS);

    nb_clusters = size_to_clusters(s, bytes);
    s->cache_discards = true;
    while (nb_clusters > 0) {
        ret = discard_in_l2_slice(bs, offset, nb_clusters, type,
                                  full_discard);
        if (ret < 0) {
            break;
        }
        nb_clusters -= ret;
        offset += (uint64_t)ret << s->cluster_bits;
        ret = 0;
        /* Before the next slice may reuse freed clusters (see below). */
        qcow2_process_discards(bs, 0);
    }
    s->cache_discards = false;
    qcow2_process_discards(bs, ret);
    return ret;
}

/*
 * Zero whole clusters from @offset on, within one L2 slice.  Returns the
 * number handled, or -errno.
 */
static int GRAPH_RDLOCK zero_in_l2_slice(BlockDriverState *bs,
                                         uint64_t offset,
                                         uint64_t nb_clusters, int flags)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t *l2_slice;
    int l2_index, ret;

    ret = get_cluster_table(bs, offset, &l2_slice, &l2_index);
    if (ret < 0) {
        return ret;
    }
    nb_clusters = MIN(nb_clusters, s->l2_slice_size - l2_index);

    for (int i = 0; i < nb_clusters; i++) {
        uint64_t old = get_l2_entry(s, l2_slice, l2_index + i);
        QCow2ClusterType t = qcow2_get_cluster_type(bs, old);
        bool unmap = t == QCOW2_CLUSTER_COMPRESSED ||
                     ((flags & BDRV_REQ_MAY_UNMAP) &&
                      qcow2_cluster_is_allocated(t));
        uint64_t new_entry = unmap ? 0 : old;

        if (has_subclusters(s)) {
            set_l2_bitmap(s, l2_slice, l2_index + i,
                          QCOW_L2_BITMAP_ALL_ZERO);
            if (unmap) {
                set_l2_entry(s, l2_slice, l2_index + i, 0);
            }
        } else {
            new_entry |= QCOW_OFLAG_ZERO;
            set_l2_entry(s, l2_slice, l2_index + i, new_entry);
        }
        qcow2_cache_entry_mark_dirty(s->l2_table_cache, l2_slice);
        if (unmap) {
            qcow2_cache_set_dependency(bs, s->refcount_block_cache,
                                       s->l2_table_cache);
            qcow2_free_any_cluster(bs, old, QCOW2_DISCARD_REQUEST);
        }
    }
    qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);
    return nb_clusters;
}

/*
 * Zero subclusters [@offset, @offset + @bytes) inside one cluster
 * (extended L2 only): they keep the host cluster but read as zeroes.
 */
static int GRAPH_RDLOCK zero_subclusters(BlockDriverState *bs,
                                         uint64_t offset, uint64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    int sc_from = offset_to_sc_index(s, offset);
    int sc_to = sc_from + size_to_subclusters(s, bytes);
    uint64_t *l2_slice, entry, bitmap;
    int l2_index, ret;

    ret = get_cluster_table(bs, offset, &l2_slice, &l2_index);
    if (ret < 0) {
        return ret;
    }
    entry = get_l2_entry(s, l2_slice, l2_index);
    bitmap = get_l2_bitmap(s, l2_slice, l2_index);
    if (qcow2_get_cluster_type(bs, entry) == QCOW2_CLUSTER_COMPRESSED) {
        /* Cannot zero part of a compressed cluster through metadata. */
        ret = -ENOTSUP;
    } else {
        bitmap |= QCOW_OFLAG_SUB_ZERO_RANGE(sc_from, sc_to);
        bitmap &= ~QCOW_OFLAG_SUB_ALLOC_RANGE(sc_from, sc_to);
        set_l2_bitmap(s, l2_slice, l2_index, bitmap);
        qcow2_cache_entry_mark_dirty(s->l2_table_cache, l2_slice);
    }
    qcow2_cache_put(s->l2_table_cache, (void **)&l2_slice);
    return ret;
}

int coroutine_fn qcow2_subcluster_zeroize(BlockDriverState *bs,
                                          uint64_t offset, uint64_t bytes,
                                          int flags)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = offset + bytes;
    uint64_t head, tail, nb_clusters;
    int ret = 0;

    assert(QEMU_IS_ALIGNED(offset, s->subcluster_size));
    assert(QEMU_IS_ALIGNED(end, s->subcluster_size) ||
           end >= bs->total_sectors << BDRV_SECTOR_BITS);

    if (s->qcow_version < 3) {
        /* Version 2 has no zero flag: only "no backing, no cluster". */
        if (bs->backing || !QEMU_IS_ALIGNED(offset | end, s->cluster_size)) {
            return -ENOTSUP;
        }
        return qcow2_cluster_discard(bs, offset, bytes, QCOW2_DISCARD_REQUEST,
                                     true);
    }

    head = MIN(end, ROUND_UP(offset, s->cluster_size)) - offset;
    if (head) {
        if (!has_subclusters(s)) {
            return -ENOTSUP;
        }
        ret = zero_subclusters(bs, offset, head);
        if (ret < 0) {
            return ret;
        }
        offset += head;
    }

    tail = end - MAX(offset, QEMU_ALIGN_DOWN(end, s->cluster_size));
    if (end == bs->total_sectors << BDRV_SECTOR_BITS &&
        !has_subclusters(s)) {
        /* The partial last cluster of the image counts as whole. */
        tail = 0;
        end = ROUND_UP(end, s->cluster_size);
    }
    nb_clusters = (end - tail - offset) >> s->cluster_bits;

    s->cache_discards = true;
    while (nb_clusters > 0) {
        ret = zero_in_l2_slice(bs, offset, nb_clusters, flags);
        if (ret < 0) {
            break;
        }
        nb_clusters -= ret;
        offset += (uint64_t)ret << s->cluster_bits;
        ret = 0;
        /*
         * Discard what this slice freed now: the next slice's new L2
         * table may take a freed cluster, and a discard issued after
         * the table went out (cache eviction) would wipe it.
         */
        qcow2_process_discards(bs, 0);
    }
    s->cache_discards = false;
    qcow2_process_discards(bs, ret);

    if (ret == 0 && tail) {
        if (!has_subclusters(s)) {
            return -ENOTSUP;
        }
        ret = zero_subclusters(bs, offset, tail);
    }
    return ret;
}

/*
 * Turn the zero clusters of one L2 slice into data clusters filled with
 * zeroes (or into unallocated clusters, which read as zeroes without a
 * backing file).
 */
static int GRAPH_RDLOCK expand_zero_slice(BlockDriverState *bs,
                                          uint64_t slice_offset)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t *slice;
    int ret;

    ret = qcow2_cache_get(bs, s->l2_table_cache, slice_offset,
                          (void **)&slice);
    if (ret < 0) {
        return ret;
    }
    for (int i = 0; i < s->l2_slice_size && ret >= 0; i++) {
        uint64_t entry = get_l2_entry(s, slice, i);
        int64_t host;

        switch (qcow2_get_cluster_type(bs, entry)) {
        case QCOW2_CLUSTER_ZERO_PLAIN:
            if (!bs->backing) {
                entry = 0;
                break;
            }
            host = qcow2_alloc_clusters(bs, s->cluster_size);
            if (host < 0) {
                ret = host;
                continue;
            }
            entry = host | QCOW_OFLAG_COPIED;
            ret = bdrv_pwrite_zeroes(s->data_file, host, s->cluster_size, 0);
            break;
        case QCOW2_CLUSTER_ZERO_ALLOC:
            entry &= ~QCOW_OFLAG_ZERO;
            ret = bdrv_pwrite_zeroes(s->data_file, entry & L2E_OFFSET_MASK,
                                     s->cluster_size, 0);
            break;
        default:
            continue;
        }
        if (ret >= 0) {
            set_l2_entry(s, slice, i, entry);
            qcow2_cache_entry_mark_dirty(s->l2_table_cache, slice);
        }
    }
    qcow2_cache_put(s->l2_table_cache, (void **)&slice);
    return ret;
}

int qcow2_expand_zero_clusters(BlockDriverState *bs,
                               BlockDriverAmendStatusCB *status_cb,
                               void *cb_opaque)
{
    BDRVQcow2State *s = bs->opaque;
    int slice_bytes = s->l2_slice_size * l2_entry_size(s);
    int n_slices = s->cluster_size / slice_bytes;
    int ret;

    /* Shared L2 tables would need refcounts per sharer: not done. */
    if (s->nb_snapshots) {
        return -ENOTSUP;
    }
    for (int i = 0; i < s->l1_size; i++) {
        uint64_t l2_offset = s->l1_table[i] & L1E_OFFSET_MASK;

        if (!l2_offset) {
            continue;
        }
        if (offset_into_cluster(s, l2_offset)) {
            return -EIO;
        }
        for (int j = 0; j < n_slices; j++) {
            ret = expand_zero_slice(bs, l2_offset + j * slice_bytes);
            if (ret < 0) {
                return ret;
            }
        }
        if (status_cb) {
            status_cb(bs, i + 1, s->l1_size, cb_opaque);
        }
    }
    return qcow2_flush_caches(bs);
}
