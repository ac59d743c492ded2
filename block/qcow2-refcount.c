/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 refcounts: the refcount table and refcount blocks (entries of
 * 1 to 64 bits), cluster allocation (first fit, with refcount blocks and
 * a grown refcount table placed so that they describe themselves),
 * freeing and the discard queue, and snapshot refcount updates.  The
 * image check lives in qcow2-check.c, overlap checks and corruption
 * reports in qcow2-overlap.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qcow2.h"

/*
 * Entry accessors, one pair per width.  Below 8 bits, entry i lives in
 * byte i / (8 / bits), starting at the least significant bit; from 8 bits
 * on, entries are big-endian integers.
 */
#define SUB_BYTE_ACCESSORS(order)                                           \
static uint64_t get_rc_o##order(const void *a, uint64_t i)                  \
{                                                                           \
    const unsigned per = 8 >> (order);                                      \
    const uint8_t *p = a;                                                   \
    unsigned shift = (i % per) << (order);                                  \
    return (p[i / per] >> shift) & ((1u << (1 << (order))) - 1);            \
}                                                                           \
static void set_rc_o##order(void *a, uint64_t i, uint64_t v)                \
{                                                                           \
    const unsigned per = 8 >> (order);                                      \
    uint8_t *p = a;                                                         \
    unsigned shift = (i % per) << (order);                                  \
    uint8_t mask = ((1u << (1 << (order))) - 1) << shift;                   \
    assert(v < (1u << (1 << (order))));                                     \
    p[i / per] = (p[i / per] & ~mask) | (uint8_t)(v << shift);              \
}

SUB_BYTE_ACCESSORS(0)
SUB_BYTE_ACCESSORS(1)
SUB_BYTE_ACCESSORS(2)

static uint64_t get_rc_o3(const void *a, uint64_t i)
{
    return ((const uint8_t *)a)[i];
}

static void set_rc_o3(void *a, uint64_t i, uint64_t v)
{
    assert(v <= UINT8_MAX);
    ((uint8_t *)a)[i] = v;
}

static uint64_t get_rc_o4(const void *a, uint64_t i)
{
    return be16_to_cpu(((const uint16_t *)a)[i]);
}

static void set_rc_o4(void *a, uint64_t i, uint64_t v)
{
    assert(v <= UINT16_MAX);
    ((uint16_t *)a)[i] = cpu_to_be16(v);
}

static uint64_t get_rc_o5(const void *a, uint64_t i)
{
    return be32_to_cpu(((const uint32_t *)a)[i]);
}

static void set_rc_o5(void *a, uint64_t i, uint64_t v)
{
    assert(v <= UINT32_MAX);
    ((uint32_t *)a)[i] = cpu_to_be32(v);
}

static uint64_t get_rc_o6(const void *a, uint64_t i)
{
    return be64_to_cpu(((const uint64_t *)a)[i]);
}

static void set_rc_o6(void *a, uint64_t i, uint64_t v)
{
    ((uint64_t *)a)[i] = cpu_to_be64(v);
}

static Qcow2GetRefcountFunc *const rc_getters[] = {
    get_rc_o0, get_rc_o1, get_rc_o2, get_rc_o3, get_rc_o4, get_rc_o5,
    get_rc_o6,
};

static Qcow2SetRefcountFunc *const rc_setters[] = {
    set_rc_o0, set_rc_o1, set_rc_o2, set_rc_o3, set_rc_o4, set_rc_o5,
    set_rc_o6,
};

void qcow2_refcount_funcs(int refcount_order, Qcow2GetRefcountFunc **get,
                          Qcow2SetRefcountFunc **set)
{
    assert(refcount_order >= 0 && refcount_order <= 6);
    *get = rc_getters[refcount_order];
    *set = rc_setters[refcount_order];
}

int coroutine_fn qcow2_refcount_init(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t bytes = (uint64_t)s->refcount_table_size * sizeof(uint64_t);
    int ret;

    assert(s->refcount_order >= 0 && s->refcount_order <= 6);
    qcow2_refcount_funcs(s->refcount_order, &s->get_refcount,
                         &s->set_refcount);

    s->refcount_table = g_try_malloc0(MAX(bytes, 1));
    if (!s->refcount_table) {
        return -ENOMEM;
    }
    if (bytes) {
        BLKDBG_CO_EVENT(bs->file, BLKDBG_REFTABLE_LOAD);
        ret = bdrv_co_pread(bs->file, s->refcount_table_offset, bytes,
                            s->refcount_table, 0);
        if (ret < 0) {
            g_free(s->refcount_table);
            s->refcount_table = NULL;
            return ret;
        }
        for (uint32_t i = 0; i < s->refcount_table_size; i++) {
            be64_to_cpus(&s->refcount_table[i]);
        }
    }
    qcow2_update_max_refcount_table_index(s);
    return 0;
}

void qcow2_update_max_refcount_table_index(BDRVQcow2State *s)
{
    uint32_t i = s->refcount_table_size;

    while (i > 0 && !(s->refcount_table[i - 1] & REFT_OFFSET_MASK)) {
        i--;
    }
    s->max_refcount_table_index = i ? i - 1 : 0;
}

void qcow2_refcount_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    g_free(s->refcount_table);
    s->refcount_table = NULL;
}

/* Host offset of the refcount block for reftable entry @idx, or 0. */
static uint64_t refblock_offset(BDRVQcow2State *s, uint64_t idx)
{
    if (idx >= s->refcount_table_size) {
        return 0;
    }
    return s->refcount_table[idx] & REFT_OFFSET_MASK;
}

int qcow2_get_refcount(BlockDriverState *bs, int64_t cluster_index,
                       uint64_t *refcount)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rt_idx = cluster_index >> s->refcount_block_bits;
    uint64_t rb_off = refblock_offset(s, rt_idx);
    void *block;
    int ret;

    if (!rb_off) {
        *refcount = 0;
        return 0;
    }
    if (offset_into_cluster(s, rb_off)) {
        qcow2_signal_corruption(bs, true, -1, -1, "Refblock offset %#"
                                PRIx64 " unaligned (reftable index: %#"
                                PRIx64 ")", rb_off, rt_idx);
        return -EIO;
    }
    ret = qcow2_cache_get(bs, s->refcount_block_cache, rb_off, &block);
    if (ret < 0) {
        return ret;
    }
    *refcount = s->get_refcount(block, cluster_index &
                                (s->refcount_block_size - 1));
    qcow2_cache_put(s->refcount_block_cache, &block);
    return 0;
}

/* Write the in-memory reftable entry @idx to disk (synchronously). */
static int GRAPH_RDLOCK
write_reftable_entry(BlockDriverState *bs, uint32_t idx)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t be = cpu_to_be64(s->refcount_table[idx]);
    int ret;

    ret = qcow2_pre_write_overlap_check(bs, QCOW2_OL_REFCOUNT_TABLE,
                                        s->refcount_table_offset + idx * 8,
                                        8, false);
    if (ret < 0) {
        return ret;
    }
    BLKDBG_EVENT(bs->file, BLKDBG_REFBLOCK_ALLOC_HOOKUP);
    return bdrv_pwrite_sync(bs->file, s->refcount_table_offset + idx * 8,
                            8, &be, 0);
}

/*
 * First-fit search for @n free clusters starting at s->free_cluster_index.
 * Clusters without a refcount block count as free.  Moves
 * s->free_cluster_index up to the first free cluster seen.  Returns the
 * first cluster index of the run or -errno.
 */
static int64_t GRAPH_RDLOCK
find_free_clusters(BlockDriverState *bs, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t start = s->free_cluster_index, run = 0;
    int64_t first_free = -1;
    int ret;

    /* One refcount block at a time; a missing block is all free. */
    while (run < n) {
        uint64_t c = start + run, idx = c >> s->refcount_block_bits;
        uint64_t i = c & (s->refcount_block_size - 1);
        uint64_t end = s->refcount_block_size;
        uint64_t rb = refblock_offset(s, idx);
        void *blk = NULL;

        if (c > (INT64_MAX >> s->cluster_bits)) {
            return -EFBIG;
        }
        if (rb) {
            if (offset_into_cluster(s, rb)) {
                qcow2_signal_corruption(bs, true, -1, -1, "Refblock offset "
                                        "%#" PRIx64 " unaligned (reftable "
                                        "index: %#" PRIx64 ")", rb, idx);
                return -EIO;
            }
            ret = qcow2_cache_get(bs, s->refcount_block_cache, rb, &blk);
            if (ret < 0) {
                return ret;
            }
        }
        for (; i < end && run < n; i++) {
            if (blk && s->get_refcount(blk, i)) {
                start = (idx << s->refcount_block_bits) + i + 1;
                run = 0;
                continue;
            }
            if (first_free < 0) {
                first_free = (idx << s->refcount_block_bits) + i;
            }
            run++;
        }
        if (blk) {
            qcow2_cache_put(s->refcount_block_cache, &blk);
        }
    }
    s->free_cluster_index = first_free;
    return start;
}

/* Write a zeroed refblock at cluster @c (refcount of @c set if @self). */
static int GRAPH_RDLOCK
write_new_refblock(BlockDriverState *bs, uint64_t c, bool self)
{
    BDRVQcow2State *s = bs->opaque;
    void *blk;
    int ret;

    ret = qcow2_cache_get_empty(bs, s->refcount_block_cache,
                                c << s->cluster_bits, &blk);
    if (ret < 0) {
        return ret;
    }
    memset(blk, 0, s->cluster_size);
    if (self) {
        s->set_refcount(blk, c & (s->refcount_block_size - 1), 1);
    }
    qcow2_cache_entry_mark_dirty(s->refcount_block_cache, blk);
    qcow2_cache_put(s->refcount_block_cache, &blk);
    /* The block must be on disk before the reftable points at it. */
    return qcow2_cache_flush(bs, s->refcount_block_cache);
}

/*
 * Reftable entry @idx lies past the end of the table: the new refcount
 * block at cluster @c (counting itself if @self) becomes block @idx and,
 * as QEMU 7.2 does, a bigger table plus the blocks describing it go into
 * the area right after the clusters block @idx describes.
 */
static int GRAPH_RDLOCK
grow_reftable(BlockDriverState *bs, uint64_t idx, uint64_t c, bool self)
{
    BDRVQcow2State *s = bs->opaque;
    int bits = s->refcount_block_bits + s->cluster_bits;
    int64_t ret;

    if (idx >= (INT64_MAX >> bits) ||
        idx >= QCOW_MAX_REFTABLE_SIZE / sizeof(uint64_t)) {
        return -EFBIG;
    }
    BLKDBG_EVENT(bs->file, BLKDBG_REFTABLE_GROW);
    ret = write_new_refblock(bs, c, self);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_refcount_area(bs, (idx + 1) << bits, 0, false, idx,
                              c << s->cluster_bits);
    return ret < 0 ? ret : 0;
}

/*
 * Create the missing refcount block of reftable entry @idx in the first
 * free cluster from s->free_cluster_index on.  Like QEMU 7.2: if that
 * cluster falls under another missing block, that block is created
 * first (in the next free cluster) and the caller searches again.
 */
static int GRAPH_RDLOCK
create_refblock(BlockDriverState *bs, uint64_t idx)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t saved = s->free_cluster_index;
    int64_t c;
    uint64_t cidx;
    int ret;

    BLKDBG_EVENT(bs->file, BLKDBG_REFBLOCK_ALLOC);
    c = find_free_clusters(bs, 1);
    if (c < 0) {
        return c;
    }
    if (c == 0) {
        qcow2_signal_corruption(bs, true, -1, -1, "Preventing invalid "
                                "allocation of refcount block at offset 0");
        return -EIO;
    }
    cidx = (uint64_t)c >> s->refcount_block_bits;
    if (cidx != idx && !refblock_offset(s, cidx)) {
        s->free_cluster_index = c + 1;
        ret = create_refblock(bs, cidx);
        s->free_cluster_index = MIN(s->free_cluster_index, (uint64_t)c);
        return ret;
    }
    /* The search goes on after it, earlier holes are not revisited. */
    s->free_cluster_index = c + 1;
    if (cidx != idx) {
        ret = qcow2_update_cluster_refcount(bs, c, 1, false,
                                            QCOW2_DISCARD_NEVER);
        if (ret < 0) {
            s->free_cluster_index = saved;
            return ret;
        }
    }
    if (idx >= s->refcount_table_size) {
        ret = grow_reftable(bs, idx, c, cidx == idx);
    } else {
        ret = write_new_refblock(bs, c, cidx == idx);
    }
    if (ret < 0) {
        s->free_cluster_index = saved;
        return ret;
    }
    if (idx >= s->refcount_table_size ||
        refblock_offset(s, idx) == (uint64_t)c << s->cluster_bits) {
        return 0;
    }
    s->refcount_table[idx] = (uint64_t)c << s->cluster_bits;
    ret = write_reftable_entry(bs, idx);
    if (ret < 0) {
        s->refcount_table[idx] = 0;
        return ret;
    }
    s->max_refcount_table_index = MAX(s->max_refcount_table_index, idx);
    return 0;
}

/*
 * Make sure every cluster of [@first, @first + @n) has a refcount block.
 * Returns 1 if metadata had to be created (the caller must search
 * again, the clusters may be taken now), 0 if all was there, or -errno.
 */
static int GRAPH_RDLOCK
ensure_refblocks(BlockDriverState *bs, uint64_t first, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t lo = first >> s->refcount_block_bits;
    uint64_t hi = (first + n - 1) >> s->refcount_block_bits;
    int ret;

    for (uint64_t idx = lo; idx <= hi; idx++) {
        if (!refblock_offset(s, idx)) {
            ret = create_refblock(bs, idx);
            return ret < 0 ? ret : 1;
        }
    }
    return 0;
}

/* Queue [@offset, +@bytes) for a discard on the file, merging neighbours. */
static void GRAPH_RDLOCK
queue_discard(BlockDriverState *bs, uint64_t offset,
              uint64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2DiscardRegion *d;

    QTAILQ_FOREACH(d, &s->discards, next) {
        if (d->offset + d->bytes == offset) {
            d->bytes += bytes;
            return;
        }
        if (offset + bytes == d->offset) {
            d->offset = offset;
            d->bytes += bytes;
            return;
        }
    }
    d = g_new0(Qcow2DiscardRegion, 1);
    d->bs = bs;
    d->offset = offset;
    d->bytes = bytes;
    QTAILQ_INSERT_TAIL(&s->discards, d, next);
}

void qcow2_process_discards(BlockDriverState *bs, int ret)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2DiscardRegion *d, *next;

    QTAILQ_FOREACH_SAFE(d, &s->discards, next, next) {
        QTAILQ_REMOVE(&s->discards, d, next);
        if (ret >= 0) {
            /* Best effort: a failed discard loses nothing. */
            bdrv_pdiscard(bs->file, d->offset, d->bytes);
        }
        g_free(d);
    }
}

/*
 * Cluster @off was freed: drop its cached @table.  A table borrowed right
 * now (a damaged L2 entry naming its own table as data, say) cannot go:
 * the image is inconsistent, mark it corrupt.
 */
static void GRAPH_RDLOCK
forget_table(BlockDriverState *bs, Qcow2Cache *c, void *table, uint64_t off,
             const char *what)
{
    BDRVQcow2State *s = bs->opaque;

    if (qcow2_cache_in_use(c, table)) {
        qcow2_signal_corruption(bs, true, off, s->cluster_size, "Freeing "
                                "cluster %#" PRIx64 " while it is in use "
                                "as %s", off, what);
        return;
    }
    qcow2_cache_discard(c, table);
}

/*
 * Cluster @off lost its last reference but the header, the L1 or
 * refcount table, the snapshot table or the bitmap directory still live
 * there (broken refcounts, or an error path freeing a cluster it was
 * wrongly given): discarding it would destroy the image.  Marks the
 * image corrupt.  Only checks that cost O(1) per cluster.
 */
static bool GRAPH_RDLOCK still_metadata(BlockDriverState *bs, uint64_t off)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = qcow2_check_metadata_overlap(bs, QCOW2_OL_ACTIVE_L2 |
                                           QCOW2_OL_REFCOUNT_BLOCK |
                                           QCOW2_OL_INACTIVE_L1 |
                                           QCOW2_OL_INACTIVE_L2,
                                           off, s->cluster_size);

    if (ret > 0) {
        qcow2_signal_corruption(bs, true, off, s->cluster_size, "Preventing "
                                "invalid discard of metadata (overlaps with "
                                "%s)", qcow2_overlap_name(ret));
    }
    return ret != 0;
}

/* A cluster's refcount dropped to 0: forget caches of it, discard. */
static void GRAPH_RDLOCK
cluster_now_free(BlockDriverState *bs, uint64_t cluster,
                 enum qcow2_discard_type type)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = cluster << s->cluster_bits;
    void *t;

    if (cluster < s->free_cluster_index) {
        s->free_cluster_index = cluster;
    }
    if (s->free_byte_offset &&
        start_of_cluster(s, s->free_byte_offset) == off) {
        s->free_byte_offset = 0;
    }
    t = qcow2_cache_is_table_offset(s->refcount_block_cache, off);
    if (t) {
        forget_table(bs, s->refcount_block_cache, t, off,
                     "a refcount block");
    }
    for (int i = 0; i < s->cluster_size / (s->l2_slice_size *
                                           (int)l2_entry_size(s)); i++) {
        t = qcow2_cache_is_table_offset(s->l2_table_cache, off + i *
                                        s->l2_slice_size * l2_entry_size(s));
        if (t) {
            forget_table(bs, s->l2_table_cache, t, off, "an L2 table");
        }
    }
    if (s->discard_passthrough[type] && !still_metadata(bs, off)) {
        queue_discard(bs, off, s->cluster_size);
    }
}

/*
 * Change the refcounts of clusters [@first, @first + @n) by @addend.
 * All refcount blocks must exist.  On failure the clusters already
 * changed are changed back (best effort).
 */
static int GRAPH_RDLOCK
change_refcounts(BlockDriverState *bs, uint64_t first,
                 uint64_t n, uint64_t addend, bool decrease,
                 enum qcow2_discard_type type)
{
    BDRVQcow2State *s = bs->opaque;
    void *blk = NULL;
    uint64_t cur_blk_off = 0, done;
    int ret = 0;

    if (decrease) {
        qcow2_cache_set_dependency(bs, s->refcount_block_cache,
                                   s->l2_table_cache);
    }
    for (done = 0; done < n; done++) {
        uint64_t c = first + done;
        uint64_t rb = refblock_offset(s, c >> s->refcount_block_bits);
        uint64_t i = c & (s->refcount_block_size - 1), rc;

        if (rb && offset_into_cluster(s, rb)) {
            qcow2_signal_corruption(bs, true, -1, -1, "Refblock offset %#"
                                    PRIx64 " unaligned (reftable index: %#"
                                    PRIx64 ")", rb,
                                    c >> s->refcount_block_bits);
            ret = -EIO;
            break;
        }
        if (!rb) {
            ret = -EIO;
            break;
        }
        if (rb != cur_blk_off) {
            if (blk) {
                qcow2_cache_put(s->refcount_block_cache, &blk);
            }
            ret = qcow2_cache_get(bs, s->refcount_block_cache, rb, &blk);
            if (ret < 0) {
                break;
            }
            cur_blk_off = rb;
            BLKDBG_EVENT(bs->file, BLKDBG_REFBLOCK_UPDATE);
        }
        rc = s->get_refcount(blk, i);
        if (decrease ? rc < addend : s->refcount_max - rc < addend) {
            ret = -EINVAL;
            break;
        }
        rc = decrease ? rc - addend : rc + addend;
        s->set_refcount(blk, i, rc);
        qcow2_cache_entry_mark_dirty(s->refcount_block_cache, blk);
        if (rc == 0) {
            if ((c << s->cluster_bits) == cur_blk_off) {
                /* A refcount block freeing itself: let go of it first. */
                qcow2_cache_put(s->refcount_block_cache, &blk);
                cur_blk_off = 0;
            }
            cluster_now_free(bs, c, type);
        }
    }
    if (blk) {
        qcow2_cache_put(s->refcount_block_cache, &blk);
    }
    if (ret < 0 && done > 0) {
        /* Undo; cannot fail for lack of refblocks, they all exist. */
        (void)change_refcounts(bs, first, done, addend, !decrease,
                               QCOW2_DISCARD_NEVER);
    }
    if (!s->cache_discards) {
        qcow2_process_discards(bs, ret);
    }
    return ret;
}

/* Refcount change of the clusters touched by [@offset, +@length). */
static int GRAPH_RDLOCK
update_range(BlockDriverState *bs, int64_t offset, int64_t length,
             uint64_t addend, bool decrease,
             enum qcow2_discard_type type)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first, last;
    int ret;

    if (length <= 0 || offset < 0) {
        return length < 0 || offset < 0 ? -EINVAL : 0;
    }
    first = offset >> s->cluster_bits;
    last = (offset + length - 1) >> s->cluster_bits;
    if (!decrease) {
        do {
            ret = ensure_refblocks(bs, first, last - first + 1);
        } while (ret == 1);
        if (ret < 0) {
            return ret;
        }
    }
    return change_refcounts(bs, first, last - first + 1, addend, decrease,
                            type);
}

int qcow2_update_cluster_refcount(BlockDriverState *bs, int64_t cluster_index,
                                  uint64_t addend, bool decrease,
                                  enum qcow2_discard_type type)
{
    BDRVQcow2State *s = bs->opaque;

    return update_range(bs, cluster_index << s->cluster_bits, 1, addend,
                        decrease, type);
}

/* Find and take @n contiguous free clusters.  Cluster index or -errno. */
static int64_t GRAPH_RDLOCK
take_clusters(BlockDriverState *bs, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t c;
    int ret;

    do {
        uint64_t first_free;

        c = find_free_clusters(bs, n);
        if (c < 0) {
            return c;
        }
        /* As in QEMU 7.2, refcount blocks needed go after the run. */
        first_free = s->free_cluster_index;
        s->free_cluster_index = c + n;
        ret = ensure_refblocks(bs, c, n);
        s->free_cluster_index = MIN(first_free, s->free_cluster_index);
    } while (ret == 1);
    if (ret < 0) {
        return ret;
    }
    ret = change_refcounts(bs, c, n, 1, false, QCOW2_DISCARD_NEVER);
    if (ret < 0) {
        return ret;
    }
    /*
     * As QEMU 7.2: the next search starts after this run (holes left
     * behind are found again only after something below is freed).
     */
    s->free_cluster_index = c + n;
    return c;
}

int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t c;

    BLKDBG_EVENT(bs->file, BLKDBG_CLUSTER_ALLOC);
    if (size == 0) {
        return -EINVAL;
    }
    c = take_clusters(bs, size_to_clusters(s, size));
    if (c < 0) {
        return c;
    }
    return c << s->cluster_bits;
}

int64_t qcow2_alloc_clusters_at(BlockDriverState *bs, uint64_t offset,
                                int64_t nb_clusters)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first = offset >> s->cluster_bits;
    int64_t n;
    int ret;

    assert(!offset_into_cluster(s, offset));
    if (nb_clusters <= 0) {
        return 0;
    }
    do {
        for (n = 0; n < nb_clusters; n++) {
            uint64_t rc;

            ret = qcow2_get_refcount(bs, first + n, &rc);
            if (ret < 0) {
                return ret;
            }
            if (rc) {
                break;
            }
        }
        if (n == 0) {
            return 0;
        }
        ret = ensure_refblocks(bs, first, n);
    } while (ret == 1);
    if (ret < 0) {
        return ret;
    }
    ret = change_refcounts(bs, first, n, 1, false, QCOW2_DISCARD_NEVER);
    return ret < 0 ? ret : n;
}

/*
 * Whether the cluster holding byte @off can take one more reference:
 * 1 yes, 0 no (its refcount is at the maximum), or -errno.
 */
static int GRAPH_RDLOCK
cluster_takes_ref(BlockDriverState *bs, uint64_t off)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rc;
    int ret = qcow2_get_refcount(bs, off >> s->cluster_bits, &rc);

    if (ret < 0) {
        return ret;
    }
    return rc < s->refcount_max;
}

int64_t qcow2_alloc_bytes(BlockDriverState *bs, int size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = s->free_byte_offset;
    uint64_t room = off ? s->cluster_size - offset_into_cluster(s, off) : 0;
    int64_t c = 0;
    int ret;

    BLKDBG_EVENT(bs->file, BLKDBG_CLUSTER_ALLOC_BYTES);
    assert(size > 0 && size <= s->cluster_size);
    if (off) {
        ret = cluster_takes_ref(bs, off);
        if (ret < 0) {
            return ret;
        }
        if (!ret) {
            off = 0;    /* no room for another reference: new cluster */
        }
    }
    if (!off || room < size) {
        /*
         * Not enough room left: take a new cluster.  When it directly
         * follows the current one, the chunk starts in the current one
         * and runs on into the new one (QEMU 7.2 packs compressed data
         * this way, so its images come out the same) -- unless the new
         * cluster needed a new refcount block: then 7.2 starts the chunk
         * afresh in the new cluster.
         */
        uint64_t next = off ? (off >> s->cluster_bits) + 1 : 0;
        bool had_refblock =
            next && refblock_offset(s, next >> s->refcount_block_bits);

        c = qcow2_alloc_clusters(bs, s->cluster_size);
        if (c < 0) {
            return c;
        }
        if (!had_refblock || next << s->cluster_bits != (uint64_t)c) {
            off = c;
        }
    }
    if (off != c) {
        /* The chunk starts in the current cluster: one more reference. */
        ret = qcow2_update_cluster_refcount(bs, off >> s->cluster_bits, 1,
                                            false, QCOW2_DISCARD_NEVER);
        if (ret < 0) {
            return ret;
        }
    }
    s->free_byte_offset = off + size;
    if (!offset_into_cluster(s, s->free_byte_offset)) {
        s->free_byte_offset = 0;
    }
    return off;
}

void qcow2_free_clusters(BlockDriverState *bs, int64_t offset, int64_t size,
                         enum qcow2_discard_type type)
{
    int ret;

    BLKDBG_EVENT(bs->file, BLKDBG_CLUSTER_FREE);
    ret = update_range(bs, offset, size, 1, true, type);
    if (ret < 0) {
        error_report("qcow2_free_clusters failed: %s", strerror(-ret));
    }
}

/*
 * Whether guest data at [@offset, +@size) of the image file may be freed:
 * not if a damaged L2 entry makes it overlap metadata (freeing the
 * header's cluster would discard the header).  Marks the image corrupt.
 * Only the checks that cost O(1) per cluster: a discard may free
 * millions of clusters.  (An L2 table in use is caught when its cached
 * copy would be dropped, see forget_table().)
 */
static bool GRAPH_RDLOCK
data_may_be_freed(BlockDriverState *bs, uint64_t offset, uint64_t size)
{
    int ret = qcow2_check_metadata_overlap(bs, QCOW2_OL_ACTIVE_L2 |
                                           QCOW2_OL_REFCOUNT_BLOCK |
                                           QCOW2_OL_INACTIVE_L1 |
                                           QCOW2_OL_INACTIVE_L2,
                                           offset, size);

    if (ret > 0) {
        qcow2_signal_corruption(bs, true, offset, size, "Preventing invalid "
                                "free of metadata (overlaps with %s)",
                                qcow2_overlap_name(ret));
    }
    return ret == 0;
}

void qcow2_free_any_cluster(BlockDriverState *bs, uint64_t l2_entry,
                            enum qcow2_discard_type type)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = l2_entry & L2E_OFFSET_MASK;

    switch (qcow2_get_cluster_type(bs, l2_entry)) {
    case QCOW2_CLUSTER_COMPRESSED: {
        uint64_t coff;
        int csize;

        qcow2_parse_compressed_l2_entry(bs, l2_entry, &coff, &csize);
        if (data_may_be_freed(bs, coff, csize)) {
            qcow2_free_clusters(bs, coff, csize, type);
        }
        break;
    }
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        if (offset_into_cluster(s, off)) {
            qcow2_signal_corruption(bs, false, -1, -1, "Cannot free "
                                    "unaligned cluster %#" PRIx64, off);
        } else if (has_data_file(bs)) {
            if (s->discard_passthrough[type]) {
                bdrv_pdiscard(s->data_file, off, s->cluster_size);
            }
        } else if (data_may_be_freed(bs, off, s->cluster_size)) {
            qcow2_free_clusters(bs, off, s->cluster_size, type);
        }
        break;
    case QCOW2_CLUSTER_ZERO_PLAIN:
    case QCOW2_CLUSTER_UNALLOCATED:
        break;
    default:
        abort();
    }
}

int qcow2_write_caches(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    ret = qcow2_cache_write(bs, s->l2_table_cache);
    if (ret < 0) {
        return ret;
    }
    if (qcow2_need_accurate_refcounts(s)) {
        ret = qcow2_cache_write(bs, s->refcount_block_cache);
    }
    return ret;
}

int qcow2_flush_caches(BlockDriverState *bs)
{
    int ret = qcow2_write_caches(bs);

    if (ret < 0) {
        return ret;
    }
    return bdrv_flush(bs->file->bs);
}

/*
 * Refcount of the data cluster(s) of L2 descriptor @e after adding
 * @addend, into *@rc (for the COPIED flag).  0 or -errno.
 */
static int GRAPH_RDLOCK
snapshot_update_data(BlockDriverState *bs, uint64_t e,
                     int addend, uint64_t *rc)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = e & L2E_OFFSET_MASK;
    int ret;

    *rc = 0;
    switch (qcow2_get_cluster_type(bs, e)) {
    case QCOW2_CLUSTER_COMPRESSED: {
        uint64_t coff;
        int csize;

        qcow2_parse_compressed_l2_entry(bs, e, &coff, &csize);
        if (addend) {
            ret = update_range(bs, coff, csize, abs(addend), addend < 0,
                               QCOW2_DISCARD_SNAPSHOT);
            if (ret < 0) {
                return ret;
            }
        }
        return 0; /* compressed clusters never carry COPIED */
    }
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        if (offset_into_cluster(s, off)) {
            qcow2_signal_corruption(bs, true, -1, -1, "Cluster allocation "
                                    "offset %#" PRIx64 " unaligned", off);
            return -EIO;
        }
        if (has_data_file(bs)) {
            *rc = 1;
            return 0;
        }
        if (addend) {
            ret = update_range(bs, off, 1, abs(addend), addend < 0,
                               QCOW2_DISCARD_SNAPSHOT);
            if (ret < 0) {
                return ret;
            }
        }
        return qcow2_get_refcount(bs, off >> s->cluster_bits, rc);
    default:
        return 0;
    }
}

/* Update one L2 table (all its slices) for a snapshot refcount change. */
static int GRAPH_RDLOCK
snapshot_update_l2(BlockDriverState *bs, uint64_t l2_off,
                   int addend)
{
    BDRVQcow2State *s = bs->opaque;
    unsigned slice_bytes = s->l2_slice_size * l2_entry_size(s);
    unsigned nb_slices = s->l2_size / s->l2_slice_size;
    int ret = 0;

    for (unsigned sl = 0; sl < nb_slices && ret >= 0; sl++) {
        uint64_t *slice;

        ret = qcow2_cache_get(bs, s->l2_table_cache,
                              l2_off + (uint64_t)sl * slice_bytes,
                              (void **)&slice);
        if (ret < 0) {
            break;
        }
        for (int j = 0; j < s->l2_slice_size; j++) {
            uint64_t e = get_l2_entry(s, slice, j), ne, rc;

            ret = snapshot_update_data(bs, e, addend, &rc);
            if (ret < 0) {
                break;
            }
            if (qcow2_get_cluster_type(bs, e) == QCOW2_CLUSTER_COMPRESSED ||
                !(e & L2E_OFFSET_MASK)) {
                continue;
            }
            ne = rc == 1 ? e | QCOW_OFLAG_COPIED : e & ~QCOW_OFLAG_COPIED;
            if (ne != e) {
                qcow2_cache_set_dependency(bs, s->l2_table_cache,
                                           s->refcount_block_cache);
                set_l2_entry(s, slice, j, ne);
                qcow2_cache_entry_mark_dirty(s->l2_table_cache, slice);
            }
        }
        qcow2_cache_put(s->l2_table_cache, (void **)&slice);
    }
    return ret;
}

int qcow2_update_l1_refcounts(BlockDriverState *bs, uint64_t *l1, int l1_size,
                              int addend, bool *l1_changed)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    *l1_changed = false;
    for (int i = 0; i < l1_size; i++) {
        uint64_t l2_off = l1[i] & L1E_OFFSET_MASK, rc, ne;

        if (!l2_off) {
            continue;
        }
        if (offset_into_cluster(s, l2_off)) {
            qcow2_signal_corruption(bs, true, -1, -1, "L2 table offset %#"
                                    PRIx64 " unaligned (L1 index: %#x)",
                                    l2_off, i);
            return -EIO;
        }
        ret = snapshot_update_l2(bs, l2_off, addend);
        if (ret < 0) {
            return ret;
        }
        if (addend) {
            ret = update_range(bs, l2_off, 1, abs(addend), addend < 0,
                               QCOW2_DISCARD_SNAPSHOT);
            if (ret < 0) {
                return ret;
            }
        }
        ret = qcow2_get_refcount(bs, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            return ret;
        }
        ne = rc == 1 ? l1[i] | QCOW_OFLAG_COPIED : l1[i] & ~QCOW_OFLAG_COPIED;
        if (ne != l1[i]) {
            l1[i] = ne;
            *l1_changed = true;
        }
    }
    return 0;
}

int qcow2_update_snapshot_refcount(BlockDriverState *bs,
                                   int64_t l1_table_offset, int l1_size,
                                   int addend)
{
    BDRVQcow2State *s = bs->opaque;
    bool active = l1_table_offset == s->l1_table_offset;
    g_autofree uint64_t *l1 = NULL;
    uint64_t bytes = (uint64_t)l1_size * 8;
    bool l1_changed = false;
    int ret = 0;

    assert(addend >= -1 && addend <= 1);
    s->cache_discards = true;
    if (addend < 0 && bytes) {
        /* Snapshot clusters freed now would be reused before the flush. */
        qcow2_cache_set_dependency(bs, s->refcount_block_cache,
                                   s->l2_table_cache);
    }
    if (bytes) {
        l1 = g_try_malloc0(bytes);
        if (!l1) {
            ret = -ENOMEM;
            goto out;
        }
        if (active) {
            memcpy(l1, s->l1_table, MIN(bytes, s->l1_size * 8ULL));
        } else {
            ret = bdrv_pread(bs->file, l1_table_offset, bytes, l1, 0);
            if (ret < 0) {
                goto out;
            }
            for (int i = 0; i < l1_size; i++) {
                be64_to_cpus(&l1[i]);
            }
        }
    }

    ret = qcow2_update_l1_refcounts(bs, l1, l1_size, addend, &l1_changed);
    if (ret >= 0) {
        ret = qcow2_flush_caches(bs);
    }
    if (ret >= 0 && l1_changed) {
        if (active) {
            memcpy(s->l1_table, l1, MIN(bytes, s->l1_size * 8ULL));
        }
        for (int i = 0; i < l1_size; i++) {
            cpu_to_be64s(&l1[i]);
        }
        ret = qcow2_pre_write_overlap_check(bs, QCOW2_OL_ACTIVE_L1 |
                                            QCOW2_OL_INACTIVE_L1,
                                            l1_table_offset, bytes, false);
        if (ret >= 0) {
            ret = bdrv_pwrite_sync(bs->file, l1_table_offset, bytes, l1, 0);
        }
    }
out:
    s->cache_discards = false;
    qcow2_process_discards(bs, ret);
    return ret < 0 ? ret : 0;
}
