/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 refcount work for whole-image operations: changing the refcount
 * width (amend refcount_bits) by writing a complete new refcount
 * structure, the last used cluster for shrinking, and detection of
 * preallocated metadata.
 * The everyday refcount updates live in qcow2-refcount.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qcow2.h"

/*
 * Clusters [@first, @end) all lie under missing refcount blocks (refcount
 * 0): corrupted tables can make a file terabytes long, so the scans
 * below skip such blocks whole instead of asking cluster by cluster.
 */
static bool refblock_missing(BDRVQcow2State *s, uint64_t cluster)
{
    uint64_t idx = cluster >> s->refcount_block_bits;

    return idx >= s->refcount_table_size ||
           !(s->refcount_table[idx] & REFT_OFFSET_MASK);
}

int64_t qcow2_get_last_cluster(BlockDriverState *bs, int64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t i = size_to_clusters(s, size) - 1;

    while (i >= 0) {
        uint64_t rc;
        int ret;

        if (refblock_missing(s, i)) {
            /* Down to the last cluster of the previous block. */
            i = (i & ~(int64_t)(s->refcount_block_size - 1)) - 1;
            continue;
        }
        ret = qcow2_get_refcount(bs, i, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc) {
            return i;
        }
        i--;
    }
    qcow2_signal_corruption(bs, true, -1, -1, "There are no references "
                            "in the refcount table.");
    return -EIO;
}

int coroutine_fn qcow2_detect_metadata_preallocation(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t len, host, used = 0, limit;
    uint64_t end;

    len = bdrv_co_getlength(bs->file->bs);
    host = bdrv_co_get_allocated_file_size(bs->file->bs);
    if (len < 0 || host < 0) {
        return len < 0 ? len : host;
    }
    /*
     * Refcounts claim clusters the host file does not really hold (with
     * some slack for rounding): the metadata was preallocated.
     */
    host >>= s->cluster_bits;
    limit = MAX(host + host / 9, host + 2);
    end = size_to_clusters(s, len);
    for (uint64_t i = 0; i < end;) {
        uint64_t rc;
        int ret;

        if (refblock_missing(s, i)) {
            i = (i | (s->refcount_block_size - 1)) + 1;
            continue;
        }
        ret = qcow2_get_refcount(bs, i, &rc);
        if (ret < 0) {
            return ret;
        }
        if (rc && ++used > limit) {
            return 1;
        }
        i++;
    }
    return 0;
}

int qcow2_shrink_reftable(BlockDriverState *bs)
{
    /* Keeping unused refcount blocks is valid: nothing to do. */
    return 0;
}

/* Refcount geometry of @s for entries of 2^@order bits. */
static void set_refcount_order(BDRVQcow2State *s, int order)
{
    s->refcount_order = order;
    s->refcount_bits = 1 << order;
    s->refcount_max = s->refcount_bits == 64 ? UINT64_MAX :
                      (1ULL << s->refcount_bits) - 1;
    s->refcount_block_bits = s->cluster_bits + 3 - order;
    s->refcount_block_size = 1 << s->refcount_block_bits;
    qcow2_refcount_funcs(order, &s->get_refcount, &s->set_refcount);
}

/*
 * Call @fn for every cluster in [@first, @end) with a non-zero refcount
 * in the current structure, in order, a refcount block at a time
 * (missing blocks are all zero).  Stops at the first non-zero return of
 * @fn and returns it; 0 when done, or -errno.
 */
typedef int RefcountVisitFn(uint64_t cluster, uint64_t refcount,
                            void *opaque);

static int GRAPH_RDLOCK
visit_refcounts(BlockDriverState *bs, uint64_t first, uint64_t end,
                RefcountVisitFn *fn, void *opaque)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t c = first;

    while (c < end) {
        uint64_t idx = c >> s->refcount_block_bits;
        uint64_t blk_end = MIN((idx + 1) << s->refcount_block_bits, end);
        uint64_t off = idx < s->refcount_table_size ?
                       s->refcount_table[idx] & REFT_OFFSET_MASK : 0;
        void *blk;
        int ret = 0;

        if (!off) {
            c = blk_end;
            continue;
        }
        ret = qcow2_cache_get(bs, s->refcount_block_cache, off, &blk);
        if (ret < 0) {
            return ret;
        }
        for (; c < blk_end && ret == 0; c++) {
            uint64_t rc = s->get_refcount(blk, c & (s->refcount_block_size -
                                                    1));

            if (rc) {
                ret = fn(c, rc, opaque);
            }
        }
        qcow2_cache_put(s->refcount_block_cache, &blk);
        if (ret) {
            return ret;
        }
    }
    return 0;
}

static int stop_at_first(uint64_t cluster, uint64_t refcount, void *opaque)
{
    return 1;
}

/* The new refcount structure while it is being built. */
typedef struct NewRefStructure {
    int order;
    uint64_t block_size;        /* entries per new refcount block */
    uint64_t *table;            /* host order, @table_size entries */
    uint64_t table_size;
    int64_t table_offset;       /* 0 until allocated */
    uint64_t table_allocated;   /* entries the allocation was sized for */

    /*
     * Progress as 7.2 reports it: each pass over the old table (walk
     * @walk of @walks) counts one unit per old reftable entry.
     */
    BlockDriverAmendStatusCB *cb;
    void *opaque;
    int walk;
    int walks;
    uint64_t walk_entries;      /* old reftable size when the pass began */
    uint64_t reported;          /* entries of this pass reported so far */
} NewRefStructure;

/* Start pass @walk of @walks over the old reftable. */
static void walk_begin(BlockDriverState *bs, NewRefStructure *n, int walk,
                       int walks)
{
    BDRVQcow2State *s = bs->opaque;

    n->walk = walk;
    n->walks = walks;
    n->walk_entries = s->refcount_table_size;
    n->reported = 0;
}

/* Report the old entries of this pass up to @entry (exclusive). */
static void walk_report(BlockDriverState *bs, NewRefStructure *n,
                        uint64_t entry)
{
    entry = MIN(entry, n->walk_entries);
    for (; n->cb && n->reported < entry; n->reported++) {
        n->cb(bs, n->walk * n->walk_entries + n->reported,
              n->walks * n->walk_entries, n->opaque);
    }
}

/* The pass is over. */
static void walk_end(BlockDriverState *bs, NewRefStructure *n)
{
    walk_report(bs, n, n->walk_entries);
    if (n->cb) {
        n->cb(bs, (n->walk + 1) * n->walk_entries,
              n->walks * n->walk_entries, n->opaque);
    }
}

/* Old reftable entry that describes the first cluster of new block @b. */
static uint64_t old_entry_of(BlockDriverState *bs, NewRefStructure *n,
                             uint64_t b)
{
    BDRVQcow2State *s = bs->opaque;

    return (b * n->block_size) >> s->refcount_block_bits;
}

/* Does any cluster that new block @b describes have a refcount now? */
static int GRAPH_RDLOCK
new_block_needed(BlockDriverState *bs, NewRefStructure *n, uint64_t b,
                 uint64_t covered)
{
    return visit_refcounts(bs, b * n->block_size,
                           MIN((b + 1) * n->block_size, covered),
                           stop_at_first, NULL);
}

/*
 * One pass in the order QEMU 7.2 uses: every new block that will hold a
 * non-zero refcount gets a cluster, allocated in (and so counted by) the
 * old structure.  Returns 1 if something was allocated, 0 or -errno.
 */
static int GRAPH_RDLOCK
alloc_new_blocks(BlockDriverState *bs, NewRefStructure *n, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t per_cluster = s->cluster_size / sizeof(uint64_t);
    bool allocated = false;

    /* Cover what the old table covers, even as it grows meanwhile. */
    for (uint64_t b = 0; b * n->block_size <
         ((uint64_t)s->refcount_table_size << s->refcount_block_bits); b++) {
        uint64_t covered = (uint64_t)s->refcount_table_size <<
                           s->refcount_block_bits;
        int64_t off;
        int ret;

        walk_report(bs, n, old_entry_of(bs, n, b) + 1);
        ret = new_block_needed(bs, n, b, covered);

        if (ret <= 0) {
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Failed to get refcount");
                return ret;
            }
            continue;
        }
        if (b >= n->table_size) {
            uint64_t size = ROUND_UP(b + 1, per_cluster);

            if (size > QCOW_MAX_REFTABLE_SIZE / sizeof(uint64_t)) {
                error_setg(errp, "This operation would make the refcount "
                           "table grow beyond the maximum size supported by "
                           "QEMU, aborting");
                return -ENOTSUP;
            }
            n->table = g_renew(uint64_t, n->table, size);
            memset(n->table + n->table_size, 0,
                   (size - n->table_size) * sizeof(uint64_t));
            n->table_size = size;
        }
        if (!n->table[b]) {
            off = qcow2_alloc_clusters(bs, s->cluster_size);
            if (off < 0) {
                error_setg_errno(errp, -off, "Failed to allocate refblock");
                return off;
            }
            n->table[b] = off;
            allocated = true;
        }
    }
    walk_end(bs, n);
    return allocated;
}

/* Allocate blocks and then the table until nothing new is needed. */
static int GRAPH_RDLOCK
alloc_new_structure(BlockDriverState *bs, NewRefStructure *n, Error **errp)
{
    int walk = 0;
    int ret;

    /* 7.2 plans one more pass than done so far, at least three in all. */
    for (;;) {
        walk_begin(bs, n, walk, MAX(walk + 2, 3));
        walk++;
        ret = alloc_new_blocks(bs, n, errp);
        if (ret != 1) {
            break;
        }
        /* The table moves on whenever more blocks were added. */
        if (n->table_offset) {
            qcow2_free_clusters(bs, n->table_offset,
                                n->table_allocated * sizeof(uint64_t),
                                QCOW2_DISCARD_NEVER);
        }
        n->table_offset = qcow2_alloc_clusters(bs, n->table_size *
                                               sizeof(uint64_t));
        if (n->table_offset < 0) {
            ret = n->table_offset;
            n->table_offset = 0;
            error_setg_errno(errp, -ret, "Failed to allocate the new "
                             "reftable");
            return ret;
        }
        n->table_allocated = n->table_size;
    }
    return ret;
}

/* Copying refcounts into a new block (entries of the new width). */
typedef struct FillState {
    void *blk;
    uint64_t first;             /* cluster of the block's entry 0 */
    Qcow2SetRefcountFunc *set;
} FillState;

static int fill_entry(uint64_t cluster, uint64_t refcount, void *opaque)
{
    FillState *f = opaque;

    f->set(f->blk, cluster - f->first, refcount);
    return 0;
}

/* A refcount that the new width cannot hold: remember the first. */
typedef struct FitState {
    uint64_t max;
    uint64_t cluster;
    uint64_t refcount;
} FitState;

static int check_fit(uint64_t cluster, uint64_t refcount, void *opaque)
{
    FitState *f = opaque;

    if (refcount <= f->max) {
        return 0;
    }
    f->cluster = cluster;
    f->refcount = refcount;
    return 1;
}

/* Fill and write the new blocks, then the new table. */
static int GRAPH_RDLOCK
write_new_structure(BlockDriverState *bs, NewRefStructure *n, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t covered = (uint64_t)s->refcount_table_size <<
                       s->refcount_block_bits;
    g_autofree void *blk = g_malloc(s->cluster_size);
    g_autofree uint64_t *be = g_new(uint64_t, n->table_size);
    Qcow2GetRefcountFunc *get;
    FillState fill = { .blk = blk };
    int ret;

    qcow2_refcount_funcs(n->order, &get, &fill.set);
    walk_begin(bs, n, n->walk + 1, n->walk + 2);
    for (uint64_t b = 0; b < n->table_size; b++) {
        walk_report(bs, n, old_entry_of(bs, n, b) + 1);
        be[b] = cpu_to_be64(n->table[b]);
        if (!n->table[b]) {
            continue;
        }
        memset(blk, 0, s->cluster_size);
        fill.first = b * n->block_size;
        ret = visit_refcounts(bs, fill.first, MIN(fill.first + n->block_size,
                                                  covered), fill_entry, &fill);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to get refcount");
            return ret;
        }
        ret = qcow2_pre_write_overlap_check(bs, 0, n->table[b],
                                            s->cluster_size, false);
        if (ret == 0) {
            ret = bdrv_pwrite(bs->file, n->table[b], s->cluster_size, blk, 0);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to write refblock");
            return ret;
        }
    }
    walk_end(bs, n);
    ret = qcow2_pre_write_overlap_check(bs, 0, n->table_offset,
                                        n->table_size * sizeof(uint64_t),
                                        false);
    if (ret == 0) {
        ret = bdrv_pwrite(bs->file, n->table_offset,
                          n->table_size * sizeof(uint64_t), be, 0);
    }
    if (ret == 0) {
        /* The old blocks keep counting the new structure, as in 7.2. */
        ret = qcow2_cache_flush(bs, s->refcount_block_cache);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to write the new reftable");
    }
    return ret;
}

/* Free the refcount blocks listed in @table and the table at @offset. */
static void GRAPH_RDLOCK
free_structure(BlockDriverState *bs, const uint64_t *table, uint64_t size,
               int64_t offset)
{
    BDRVQcow2State *s = bs->opaque;

    for (uint64_t i = 0; i < size; i++) {
        if (table[i] & REFT_OFFSET_MASK) {
            qcow2_free_clusters(bs, table[i] & REFT_OFFSET_MASK,
                                s->cluster_size, QCOW2_DISCARD_OTHER);
        }
    }
    if (offset > 0) {
        qcow2_free_clusters(bs, offset, size * sizeof(uint64_t),
                            QCOW2_DISCARD_OTHER);
    }
}

/* Make @n the image's refcount structure (header first). */
static int GRAPH_RDLOCK
switch_structure(BlockDriverState *bs, NewRefStructure *n, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int old_order = s->refcount_order;
    uint64_t *old_table = s->refcount_table;
    uint64_t old_offset = s->refcount_table_offset;
    uint32_t old_size = s->refcount_table_size;
    int ret;

    s->refcount_order = n->order;
    s->refcount_table_offset = n->table_offset;
    s->refcount_table_size = n->table_size;
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        s->refcount_order = old_order;
        s->refcount_table_offset = old_offset;
        s->refcount_table_size = old_size;
        error_setg_errno(errp, -ret, "Failed to update the qcow2 header");
        return ret;
    }
    qcow2_cache_empty(bs, s->refcount_block_cache);
    set_refcount_order(s, n->order);
    s->refcount_table = g_steal_pointer(&n->table);
    qcow2_update_max_refcount_table_index(s);

    /* The old structure goes away through the new one. */
    n->table = old_table;
    n->table_size = old_size;
    n->table_offset = old_offset;
    return 0;
}

int qcow2_change_refcount_order(BlockDriverState *bs, int refcount_order,
                                BlockDriverAmendStatusCB *status_cb,
                                void *cb_opaque, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    NewRefStructure n = {
        .order = refcount_order,
        .block_size = (uint64_t)s->cluster_size * 8 >> refcount_order,
        .cb = status_cb,
        .opaque = cb_opaque,
    };
    FitState fit = {
        .max = refcount_order == 6 ? UINT64_MAX :
               (1ULL << (1 << refcount_order)) - 1,
    };
    int ret;

    assert(refcount_order >= 0 && refcount_order <= 6);
    if (refcount_order == s->refcount_order) {
        return 0;
    }
    /* Refuse before anything changes when a refcount does not fit. */
    ret = visit_refcounts(bs, 0, (uint64_t)s->refcount_table_size <<
                          s->refcount_block_bits, check_fit, &fit);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to get refcount");
        return ret;
    }
    if (ret) {
        error_setg(errp, "Cannot decrease refcount entry width to %i bits: "
                   "Cluster at offset %#" PRIx64 " has a refcount of %"
                   PRIu64, 1 << refcount_order,
                   fit.cluster << s->cluster_bits, fit.refcount);
        return -EINVAL;
    }
    ret = alloc_new_structure(bs, &n, errp);
    if (ret == 0) {
        ret = write_new_structure(bs, &n, errp);
    }
    if (ret == 0) {
        ret = switch_structure(bs, &n, errp);
    }
    /* On success the old structure, on failure the unfinished new one. */
    free_structure(bs, n.table, n.table_size, n.table_offset);
    g_free(n.table);
    return ret;
}
