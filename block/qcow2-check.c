/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 image check (the core of `qemu-img check`): count the references
 * to every host cluster by walking the header, the active and snapshot
 * L1/L2 tables, the snapshot table, the refcount structures and the
 * bitmap directory, compare with the stored refcounts, report leaks and
 * corruptions in QEMU's words and, when asked, repair them.  Checks of the
 * snapshot table entries themselves live in qcow2-snapshot.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qcow2.h"

/* Working state of one check run. */
typedef struct CheckState {
    BlockDriverState *bs;
    BDRVQcow2State *s;
    BdrvCheckResult *res;
    BdrvCheckMode fix;      /* what compare_refcounts() may repair */
    bool fix_l2;            /* repair bad L2 entries during the walk */
    uint64_t cmp_corruptions;   /* corruptions compare_refcounts() found */
    void *refs;             /* expected refcounts, s->refcount_bits wide */
    uint64_t nb_clusters;   /* entries in @refs (file length in clusters,
                               more if references end just past it) */
    uint64_t file_len;      /* length of the image file */
    uint64_t next_contig;   /* for fragmentation statistics */
    bool frag_info;         /* walking the active L1: update res->bfi */
    bool rebuild;           /* refcount structure itself is broken */
} CheckState;

/*
 * Count one reference to each cluster of [@offset, +@size).  As QEMU 7.2,
 * a region that ends less than a cluster past the end of the file still
 * counts (the array grows); one reaching further is a corruption.
 * Returns false if the region was rejected.
 */
static bool check_inc(CheckState *cs, uint64_t offset, uint64_t size)
{
    BDRVQcow2State *s = cs->s;
    uint64_t first, last;

    if (!size) {
        return true;
    }
    if (offset + size < offset ||
        offset + size >= cs->file_len + s->cluster_size) {
        fprintf(stderr, "ERROR: counting reference for region exceeding the "
                "end of the file by one cluster or more: offset 0x%" PRIx64
                " size 0x%" PRIx64 "\n", offset, size);
        cs->res->corruptions++;
        return false;
    }
    first = offset >> s->cluster_bits;
    last = (offset + size - 1) >> s->cluster_bits;
    if (last >= cs->nb_clusters) {
        size_t old = DIV_ROUND_UP(cs->nb_clusters << s->refcount_order, 8);
        size_t want = DIV_ROUND_UP((last + 1) << s->refcount_order, 8);
        void *refs = g_try_realloc(cs->refs, want);

        if (!refs) {
            cs->res->check_errors++;
            return false;
        }
        memset((uint8_t *)refs + old, 0, want - old);
        cs->refs = refs;
        cs->nb_clusters = last + 1;
    }
    for (uint64_t c = first; c <= last; c++) {
        uint64_t rc = s->get_refcount(cs->refs, c);

        if (rc >= s->refcount_max) {
            fprintf(stderr, "ERROR: overflow cluster offset=0x%" PRIx64 "\n"
                    "Use qemu-img amend to increase the refcount entry "
                    "width or qemu-img convert to create a clean copy if "
                    "the image cannot be opened for writing\n",
                    c << s->cluster_bits);
            cs->res->corruptions++;
            continue;
        }
        s->set_refcount(cs->refs, c, rc + 1);
    }
    return true;
}

void qcow2_check_count_region(void *opaque, uint64_t offset, uint64_t size)
{
    check_inc(opaque, offset, size);
}

/*
 * Repair an allocated zero cluster whose offset is not aligned: entry
 * @idx of the L2 table at @l2_off becomes a plain zero cluster.  As in
 * QEMU 7.2 a failure ends the whole check: 0 or -errno.
 */
static int GRAPH_RDLOCK
fix_unaligned_prealloc(CheckState *cs, uint64_t l2_off, int idx)
{
    BDRVQcow2State *s = cs->s;
    uint64_t pos = l2_off + (uint64_t)idx * l2_entry_size(s);
    uint64_t entry[2];
    int size = l2_entry_size(s), ret;

    if (has_subclusters(s)) {
        entry[0] = 0;
        entry[1] = cpu_to_be64(QCOW_L2_BITMAP_ALL_ZERO);
    } else {
        entry[0] = cpu_to_be64(QCOW_OFLAG_ZERO);
    }
    ret = qcow2_pre_write_overlap_check(cs->bs, QCOW2_OL_ACTIVE_L2, pos,
                                        size, false);
    if (ret < 0) {
        fprintf(stderr, "ERROR: Overlap check failed\n");
        return ret;
    }
    ret = bdrv_co_pwrite_sync(cs->bs->file, pos, size, entry, 0);
    if (ret < 0) {
        fprintf(stderr, "ERROR: Failed to overwrite L2 table entry: %s\n",
                strerror(-ret));
        return ret;
    }
    cs->res->corruptions--;
    cs->res->corruptions_fixed++;
    return 0;
}

/*
 * Count the data cluster(s) of entry @idx (@e, @bitmap) of an L2 table.
 * 0, or -errno if a repair failed (which ends the check).
 */
static int GRAPH_RDLOCK
check_l2_entry(CheckState *cs, uint64_t l2_off, int idx, uint64_t e,
               uint64_t bitmap)
{
    BlockDriverState *bs = cs->bs;
    BDRVQcow2State *s = cs->s;
    uint64_t off = e & L2E_OFFSET_MASK;
    QCow2ClusterType type = qcow2_get_cluster_type(bs, e);

    if (type != QCOW2_CLUSTER_COMPRESSED && (e & L2E_STD_RESERVED_MASK)) {
        fprintf(stderr, "ERROR found l2 entry with reserved bits set: %"
                PRIx64 "\n", e);
        cs->res->corruptions++;
    }
    switch (type) {
    case QCOW2_CLUSTER_COMPRESSED: {
        uint64_t coff;
        int csize;

        if (e & QCOW_OFLAG_COPIED) {
            fprintf(stderr, "ERROR: coffset=0x%" PRIx64 ": copied flag must "
                    "never be set for compressed clusters\n",
                    e & s->cluster_offset_mask);
            e &= ~QCOW_OFLAG_COPIED;
            cs->res->corruptions++;
        }
        if (has_data_file(bs)) {
            fprintf(stderr, "ERROR compressed cluster %d with data file, "
                    "entry=0x%" PRIx64 "\n", idx, e);
            cs->res->corruptions++;
            return 0;
        }
        if (bitmap) {
            fprintf(stderr, "ERROR compressed cluster %d with non-zero "
                    "subcluster allocation bitmap, entry=0x%" PRIx64 "\n",
                    idx, e);
            cs->res->corruptions++;
            return 0;
        }
        qcow2_parse_compressed_l2_entry(bs, e, &coff, &csize);
        check_inc(cs, coff, csize);
        if (cs->frag_info) {
            /*
             * As QEMU counts them: compressed clusters are fragmented and
             * leave the contiguity chain of plain clusters untouched.
             */
            cs->res->bfi.allocated_clusters++;
            cs->res->bfi.compressed_clusters++;
            cs->res->bfi.fragmented_clusters++;
        }
        break;
    }
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        if ((bitmap >> 32) & bitmap) {
            fprintf(stderr, "ERROR offset=%" PRIx64 ": Allocated cluster has "
                    "corrupted subcluster allocation bitmap\n", off);
            cs->res->corruptions++;
        }
        if (offset_into_cluster(s, off)) {
            bool data = has_subclusters(s) ?
                        (bitmap & QCOW_L2_BITMAP_ALL_ALLOC) != 0 :
                        !(e & QCOW_OFLAG_ZERO);
            bool fix = !data && cs->fix_l2;

            cs->res->corruptions++;
            fprintf(stderr, "%s offset=%" PRIx64 ": %s cluster is not "
                    "properly aligned; L2 entry corrupted.\n",
                    fix ? "Repairing" : "ERROR", off,
                    data ? "Data" : "Preallocated");
            if (fix) {
                /* A plain zero cluster now: nothing to count. */
                return fix_unaligned_prealloc(cs, l2_off, idx);
            }
        }
        if (cs->frag_info) {
            cs->res->bfi.allocated_clusters++;
            if (cs->next_contig && off != cs->next_contig) {
                cs->res->bfi.fragmented_clusters++;
            }
            cs->next_contig = off + s->cluster_size;
        }
        if (!has_data_file(bs)) {
            check_inc(cs, off, s->cluster_size);
        }
        break;
    case QCOW2_CLUSTER_UNALLOCATED:
        if (bitmap & QCOW_L2_BITMAP_ALL_ALLOC) {
            fprintf(stderr, "ERROR: Unallocated cluster has non-zero "
                    "subcluster allocation map\n");
            cs->res->corruptions++;
        }
        break;
    default:
        break;
    }
    return 0;
}

static int GRAPH_RDLOCK
check_l2(CheckState *cs, uint64_t l2_off)
{
    BDRVQcow2State *s = cs->s;
    size_t bytes = (size_t)s->l2_size * l2_entry_size(s);
    g_autofree uint64_t *l2 = g_try_malloc(bytes);
    int ret;

    if (!l2) {
        return -ENOMEM;
    }
    ret = bdrv_co_pread(cs->bs->file, l2_off, bytes, l2, 0);
    if (ret < 0) {
        fprintf(stderr, "ERROR: I/O error in check_refcounts_l2\n");
        cs->res->check_errors++;
        return ret;
    }
    /*
     * The contiguity chain for the fragmentation figure starts afresh in
     * every L2 table, as in QEMU 7.2: the first allocated cluster of a
     * table never counts as fragmented.
     */
    cs->next_contig = 0;
    for (int i = 0; i < s->l2_size; i++) {
        ret = check_l2_entry(cs, l2_off, i, get_l2_entry(s, l2, i),
                             get_l2_bitmap(s, l2, i));
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* Count an L1 table, its L2 tables and their data clusters. */
static int GRAPH_RDLOCK
check_l1(CheckState *cs, uint64_t l1_off, uint32_t l1_size)
{
    BDRVQcow2State *s = cs->s;
    uint64_t bytes = (uint64_t)l1_size * 8;
    g_autofree uint64_t *l1 = NULL;
    int ret;

    check_inc(cs, l1_off, bytes);
    if (!bytes) {
        return 0;
    }
    if (bytes > QCOW_MAX_L1_SIZE) {
        fprintf(stderr, "ERROR: L1 size too big\n");
        cs->res->corruptions++;
        return 0;
    }
    l1 = g_try_malloc(bytes);
    if (!l1) {
        cs->res->check_errors++;
        return -ENOMEM;
    }
    ret = bdrv_co_pread(cs->bs->file, l1_off, bytes, l1, 0);
    if (ret < 0) {
        fprintf(stderr, "ERROR: I/O error in check_refcounts_l1\n");
        cs->res->check_errors++;
        return ret;
    }
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t e = be64_to_cpu(l1[i]), l2_off = e & L1E_OFFSET_MASK;
        bool in_file;

        if (e & L1E_RESERVED_MASK) {
            fprintf(stderr, "ERROR found L1 entry with reserved bits set: %"
                    PRIx64 "\n", e);
            cs->res->corruptions++;
        }
        /*
         * As 7.2: only an all-zero entry is unused; flags without an
         * offset make the header cluster count as this L2 table.
         */
        if (!e) {
            continue;
        }
        in_file = check_inc(cs, l2_off, s->cluster_size);
        if (offset_into_cluster(s, l2_off)) {
            fprintf(stderr, "ERROR l2_offset=%" PRIx64 ": Table is not "
                    "cluster aligned; L1 entry corrupted\n", l2_off);
            cs->res->corruptions++;
        }
        /*
         * Like 7.2, a misaligned table is still walked where it points.
         * One that starts at or past the end of the file would read as
         * zeroes (nothing to count): skipping it is what keeps a huge
         * L1 table of garbage as cheap as 7.2 makes it.
         */
        if (!in_file) {
            continue;
        }
        ret = check_l2(cs, l2_off);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static int GRAPH_RDLOCK
check_snapshots(CheckState *cs)
{
    BDRVQcow2State *s = cs->s;
    int ret;

    for (unsigned i = 0; i < s->nb_snapshots; i++) {
        QCowSnapshot *sn = &s->snapshots[i];

        if (offset_into_cluster(s, sn->l1_table_offset)) {
            fprintf(stderr, "ERROR snapshot %s (%s) l1_offset=%#" PRIx64 ": "
                    "L1 table is not cluster aligned; snapshot table entry "
                    "corrupted\n", sn->id_str, sn->name,
                    sn->l1_table_offset);
            cs->res->corruptions++;
            continue;
        }
        if (sn->l1_size > QCOW_MAX_L1_SIZE / 8) {
            fprintf(stderr, "ERROR snapshot %s (%s) l1_size=%#" PRIx32 ": "
                    "L1 table is too large; snapshot table entry corrupted\n",
                    sn->id_str, sn->name, sn->l1_size);
            cs->res->corruptions++;
            continue;
        }
        ret = check_l1(cs, sn->l1_table_offset, sn->l1_size);
        if (ret < 0) {
            return ret;
        }
    }
    check_inc(cs, s->snapshots_offset, s->snapshots_size);
    return 0;
}

/* Count the reftable and the refcount blocks; each block must be alone. */
static void check_refblocks(CheckState *cs)
{
    BDRVQcow2State *s = cs->s;

    check_inc(cs, s->refcount_table_offset, s->refcount_table_size * 8ULL);
    for (uint64_t i = 0; i < s->refcount_table_size; i++) {
        uint64_t off = s->refcount_table[i] & REFT_OFFSET_MASK;
        uint64_t c = off >> s->cluster_bits;

        if (s->refcount_table[i] & REFT_RESERVED_MASK) {
            fprintf(stderr, "ERROR refcount table entry %" PRId64 " has "
                    "reserved bits set\n", i);
            cs->res->corruptions++;
            cs->rebuild = true;
            continue;
        }
        if (!off) {
            continue;
        }
        if (offset_into_cluster(s, off)) {
            fprintf(stderr, "ERROR refcount block %" PRId64 " is not "
                    "cluster aligned; refcount table entry corrupted\n", i);
            cs->res->corruptions++;
            cs->rebuild = true;
            continue;
        }
        if (c >= cs->nb_clusters) {
            fprintf(stderr, "ERROR refcount block %" PRId64 " is outside "
                    "image\n", i);
            cs->res->corruptions++;
            cs->rebuild = true;
            continue;
        }
        check_inc(cs, off, s->cluster_size);
        if (s->get_refcount(cs->refs, c) != 1) {
            fprintf(stderr, "ERROR refcount block %" PRId64 " refcount=%"
                    PRIu64 "\n", i, s->get_refcount(cs->refs, c));
            cs->res->corruptions++;
            cs->rebuild = true;
        }
    }
}

/*
 * Stored refcount of cluster @i, without trusting the reftable: a broken
 * entry is an error here, not a corruption to signal.
 */
static int GRAPH_RDLOCK
stored_refcount(CheckState *cs, uint64_t i, uint64_t *rc)
{
    BDRVQcow2State *s = cs->s;
    uint64_t idx = i >> s->refcount_block_bits;
    uint64_t off = idx < s->refcount_table_size ?
                   s->refcount_table[idx] & REFT_OFFSET_MASK : 0;

    if (off && offset_into_cluster(s, off)) {
        return -EIO;
    }
    if ((off >> s->cluster_bits) >= cs->nb_clusters) {
        *rc = 0;    /* a block past the end of the file reads as zeroes */
        return 0;
    }
    return qcow2_get_refcount(cs->bs, i, rc);
}

/*
 * Drop a leaked reference to cluster @i.  A cluster inside the active L1
 * table can only look leaked when that table runs past the end of the
 * file (check_inc() refused to count it).  QEMU 7.2 then frees and
 * discards it like any other leak, which later checks see (its L2 tables
 * leak in turn); the discard guard in qcow2-refcount.c would instead
 * mark the image corrupt, so the discard is done here.
 */
static int GRAPH_RDLOCK
drop_leak(CheckState *cs, uint64_t i, uint64_t n, bool to_zero)
{
    BDRVQcow2State *s = cs->s;
    uint64_t off = i << s->cluster_bits;
    uint64_t l1_end = s->l1_table_offset + (uint64_t)s->l1_size * 8;
    bool in_l1 = to_zero && off < l1_end &&
                 off + s->cluster_size > s->l1_table_offset;
    int ret;

    ret = qcow2_update_cluster_refcount(cs->bs, i, n, true,
                                        in_l1 ? QCOW2_DISCARD_NEVER :
                                                QCOW2_DISCARD_ALWAYS);
    if (ret >= 0 && in_l1) {
        bdrv_pdiscard(cs->bs->file, off, s->cluster_size);
    }
    return ret;
}

/*
 * Compare stored and expected refcounts.  Leaks are repaired in place
 * if cs->fix has BDRV_FIX_LEAKS, refcounts that are too low but not zero
 * if it has BDRV_FIX_ERRORS (as QEMU 7.2 does).  A referenced cluster
 * with refcount 0 could be handed out again: it sets cs->rebuild, only a
 * rebuild of the whole structure repairs that.
 */
static void GRAPH_RDLOCK
compare_refcounts(CheckState *cs, int64_t *highest)
{
    BlockDriverState *bs = cs->bs;
    BDRVQcow2State *s = cs->s;
    BdrvCheckResult *res = cs->res;

    for (uint64_t i = 0; i < cs->nb_clusters; i++) {
        uint64_t have, want = s->get_refcount(cs->refs, i);
        bool repair;
        int ret;

        ret = stored_refcount(cs, i, &have);
        if (ret < 0) {
            fprintf(stderr, "Can't get refcount for cluster %" PRId64 ": %s\n",
                    i, strerror(-ret));
            res->check_errors++;
            continue;
        }
        /* Leaked clusters still occupy the file: they count for the end. */
        if (want || have) {
            *highest = i;
        }
        if (have == want) {
            continue;
        }
        if (!have) {
            cs->rebuild = true;
        }
        repair = have > want ? (cs->fix & BDRV_FIX_LEAKS) :
                 have && (cs->fix & BDRV_FIX_ERRORS);
        fprintf(stderr, "%s cluster %" PRId64 " refcount=%" PRIu64
                " reference=%" PRIu64 "\n",
                repair ? "Repairing" : have < want ? "ERROR" : "Leaked",
                i, have, want);
        if (repair) {
            ret = have > want ? drop_leak(cs, i, have - want, !want) :
                  qcow2_update_cluster_refcount(bs, i, want - have, false,
                                                QCOW2_DISCARD_NEVER);
            if (ret >= 0) {
                if (have > want) {
                    res->leaks_fixed++;
                } else {
                    res->corruptions_fixed++;
                }
                continue;
            }
        }
        if (have > want) {
            res->leaks++;
        } else {
            res->corruptions++;
            cs->cmp_corruptions++;
        }
    }
}

/*
 * Replace the refcount structure by one built from the expected
 * refcounts, past the end of the file, and switch the header to it.  The
 * old structure is left behind as leaked clusters.
 */
static int GRAPH_RDLOCK
rebuild_refcounts(CheckState *cs)
{
    BlockDriverState *bs = cs->bs;
    BDRVQcow2State *s = cs->s;
    uint64_t *table, entries, offset;
    uint8_t hdr[12];
    int ret;

    ret = qcow2_cache_flush(bs, s->refcount_block_cache);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_write_new_refcount_structure(bs, cs->refs, s->refcount_order,
                                             cs->nb_clusters, &table,
                                             &entries, &offset);
    if (ret < 0) {
        return ret;
    }
    stq_be_p(hdr, offset);
    stl_be_p(hdr + 8, entries * 8 / s->cluster_size);
    ret = bdrv_pwrite_sync(bs->file, offsetof(QCowHeader,
                                              refcount_table_offset),
                           sizeof(hdr), hdr, 0);
    if (ret < 0) {
        g_free(table);
        return ret;
    }

    qcow2_cache_empty(bs, s->refcount_block_cache);
    g_free(s->refcount_table);
    s->refcount_table = table;
    s->refcount_table_size = entries;
    s->refcount_table_offset = offset;
    qcow2_update_max_refcount_table_index(s);
    s->free_cluster_index = 0;
    return 0;
}

/*
 * One counting pass: expected refcounts into a fresh array, compared with
 * the stored ones.  *@highest gets the last cluster in use.
 */
static int coroutine_fn GRAPH_RDLOCK
check_pass(CheckState *cs, int64_t *highest)
{
    BlockDriverState *bs = cs->bs;
    BDRVQcow2State *s = cs->s;
    int64_t size;
    int ret;

    size = bdrv_co_getlength(bs->file->bs);
    if (size < 0) {
        cs->res->check_errors++;
        return size;
    }
    cs->file_len = size;
    cs->nb_clusters = size_to_clusters(s, size);
    if (cs->nb_clusters > INT_MAX) {
        cs->res->check_errors++;
        return -EFBIG;
    }
    g_free(cs->refs);
    cs->refs = g_try_malloc0(DIV_ROUND_UP(MAX(cs->nb_clusters, 1) <<
                                          s->refcount_order, 8));
    if (!cs->refs) {
        cs->res->check_errors++;
        return -ENOMEM;
    }
    cs->res->bfi = (BlockFragInfo) {
        .total_clusters = size_to_clusters(s, bs->total_sectors *
                                           BDRV_SECTOR_SIZE),
    };
    cs->next_contig = 0;

    check_inc(cs, 0, s->cluster_size);
    /*
     * Like QEMU 7.2, the allocation and fragmentation statistics describe
     * the guest view of the active L1 table only; snapshot tables add
     * references but no statistics.
     */
    cs->frag_info = true;
    ret = check_l1(cs, s->l1_table_offset, s->l1_size);
    cs->frag_info = false;
    if (ret >= 0) {
        ret = check_snapshots(cs);
    }
    if (ret >= 0 && s->crypto_header_length) {
        /* The LUKS header area of an encrypted image. */
        check_inc(cs, s->crypto_header_offset, s->crypto_header_length);
    }
    if (ret >= 0) {
        ret = qcow2_check_bitmaps_refcounts(bs, cs->res,
                                            qcow2_check_count_region, cs);
    }
    if (ret < 0) {
        return ret;
    }
    check_refblocks(cs);
    compare_refcounts(cs, highest);
    return 0;
}

/* Rebuild, then free the old structure in a second pass. */
static int coroutine_fn GRAPH_RDLOCK
rebuild_and_recheck(CheckState *cs, int64_t *highest)
{
    BdrvCheckResult *res = cs->res, again = { 0 };
    int64_t before;
    int ret;

    fprintf(stderr, "Rebuilding refcount structure\n");
    ret = rebuild_refcounts(cs);
    if (ret < 0) {
        /* A failed write has already said which one (7.2's words). */
        if (ret != -EIO) {
            fprintf(stderr, "ERROR rebuilding refcount structure: %s\n",
                    strerror(-ret));
        }
        res->check_errors++;
        return ret;
    }
    before = res->corruptions;
    res->corruptions = 0;
    res->leaks_fixed += res->leaks;
    res->leaks = 0;

    cs->res = &again;
    cs->fix = BDRV_FIX_LEAKS;
    cs->rebuild = false;
    *highest = -1;
    ret = check_pass(cs, highest);
    cs->res = res;
    /*
     * As 7.2 counts it: the rebuild fixed what the second pass no longer
     * finds; errors of the walk itself (a misaligned data cluster, say)
     * are found again and stay corruptions.
     */
    res->corruptions_fixed += before > again.corruptions ?
                              before - again.corruptions : 0;
    res->corruptions += again.corruptions;
    res->leaks += again.leaks;
    res->check_errors += again.check_errors;
    res->bfi = again.bfi;
    return ret;
}

int coroutine_fn qcow2_check_refcounts(BlockDriverState *bs,
                                       BdrvCheckResult *res,
                                       BdrvCheckMode fix)
{
    BDRVQcow2State *s = bs->opaque;
    CheckState cs = { .bs = bs, .s = s, .res = res };
    int64_t highest = -1;
    int ret;

    /* The walk reads tables from the file: write back cached changes. */
    ret = qcow2_write_caches(bs);
    if (ret < 0) {
        res->check_errors++;
        return ret;
    }

    /*
     * First report everything as found (only misaligned preallocated L2
     * entries are repaired on the way, as 7.2 does), then repair.
     */
    cs.fix_l2 = fix & BDRV_FIX_ERRORS;
    ret = check_pass(&cs, &highest);
    if (ret >= 0 && cs.rebuild && (fix & BDRV_FIX_ERRORS)) {
        ret = rebuild_and_recheck(&cs, &highest);
    } else if (ret >= 0 && cs.rebuild && fix) {
        fprintf(stderr, "ERROR need to rebuild refcount structures\n");
        res->check_errors++;
        ret = -EIO;
    } else if (ret >= 0 && fix && (res->leaks || cs.cmp_corruptions)) {
        int errors = res->check_errors;

        /* The comparison again, repairing: its findings replace the first. */
        res->leaks = 0;
        res->corruptions -= cs.cmp_corruptions;
        cs.cmp_corruptions = 0;
        cs.fix = fix;
        highest = -1;
        compare_refcounts(&cs, &highest);
        res->check_errors = errors;
    }
    g_free(cs.refs);
    if (ret < 0) {
        return ret;
    }

    ret = qcow2_check_oflag_copied(bs, res, fix);
    if (ret < 0) {
        return ret;
    }
    res->image_end_offset = (highest + 1) << s->cluster_bits;
    return 0;
}

/* Check (and fix) COPIED in the entries of the L2 table at @l2_off. */
static int GRAPH_RDLOCK
check_l2_copied(BlockDriverState *bs, BdrvCheckResult *res,
                uint64_t l2_off, bool repair)
{
    BDRVQcow2State *s = bs->opaque;
    unsigned slice_bytes = s->l2_slice_size * l2_entry_size(s);
    unsigned nb_slices = s->l2_size / s->l2_slice_size;

    for (unsigned sl = 0; sl < nb_slices; sl++) {
        uint64_t *slice;
        int ret;

        ret = qcow2_cache_get(bs, s->l2_table_cache,
                              l2_off + (uint64_t)sl * slice_bytes,
                              (void **)&slice);
        if (ret < 0) {
            res->check_errors++;
            return ret;
        }
        for (int j = 0; j < s->l2_slice_size; j++) {
            uint64_t e = get_l2_entry(s, slice, j);
            uint64_t off = e & L2E_OFFSET_MASK, rc;
            QCow2ClusterType t = qcow2_get_cluster_type(bs, e);

            /* Misaligned clusters too, as 7.2 (by their cluster index). */
            if (t != QCOW2_CLUSTER_NORMAL && t != QCOW2_CLUSTER_ZERO_ALLOC) {
                continue;
            }
            /* Clusters in an external data file have no refcount: 1. */
            rc = 1;
            if (!has_data_file(bs) &&
                qcow2_get_refcount(bs, off >> s->cluster_bits, &rc) < 0) {
                continue;
            }
            if ((rc == 1) == !!(e & QCOW_OFLAG_COPIED)) {
                continue;
            }
            fprintf(stderr, "%s OFLAG_COPIED data cluster: l2_entry=%" PRIx64
                    " refcount=%" PRIu64 "\n", repair ? "Repairing" : "ERROR",
                    e, rc);
            if (repair) {
                set_l2_entry(s, slice, j, rc == 1 ? e | QCOW_OFLAG_COPIED :
                                                    e & ~QCOW_OFLAG_COPIED);
                qcow2_cache_entry_mark_dirty(s->l2_table_cache, slice);
                res->corruptions_fixed++;
            } else {
                res->corruptions++;
            }
        }
        qcow2_cache_put(s->l2_table_cache, (void **)&slice);
    }
    return 0;
}

int qcow2_check_oflag_copied(BlockDriverState *bs, BdrvCheckResult *res,
                             BdrvCheckMode fix)
{
    BDRVQcow2State *s = bs->opaque;
    /*
     * As 7.2: -r all always repairs the flag; -r leaks only when the
     * refcounts can be trusted, i.e. nothing else is wrong with the image
     * (no corruption, no check error, no leak left).
     */
    bool repair = (fix & BDRV_FIX_ERRORS) ||
                  ((fix & BDRV_FIX_LEAKS) && !res->corruptions &&
                   !res->check_errors && !res->leaks);
    int ret;

    for (int i = 0; i < s->l1_size; i++) {
        uint64_t e = s->l1_table[i], l2_off = e & L1E_OFFSET_MASK, rc;

        /* A misaligned table has its flag checked too, not its entries. */
        if (!l2_off) {
            continue;
        }
        ret = qcow2_get_refcount(bs, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            continue;
        }
        if ((rc == 1) != !!(e & QCOW_OFLAG_COPIED)) {
            fprintf(stderr, "%s OFLAG_COPIED L2 cluster: l1_index=%d "
                    "l1_entry=%" PRIx64 " refcount=%" PRIu64 "\n",
                    repair ? "Repairing" : "ERROR", i, e, rc);
            if (repair) {
                s->l1_table[i] = rc == 1 ? e | QCOW_OFLAG_COPIED :
                                           e & ~QCOW_OFLAG_COPIED;
                ret = qcow2_write_l1_entry(bs, i);
                if (ret < 0) {
                    res->check_errors++;
                    return ret;
                }
                res->corruptions_fixed++;
            } else {
                res->corruptions++;
            }
        }
        if (offset_into_cluster(s, l2_off) ||
            l2_off >= (uint64_t)bdrv_getlength(bs->file->bs)) {
            continue;
        }
        ret = check_l2_copied(bs, res, l2_off, repair);
        if (ret < 0) {
            return ret;
        }
    }
    ret = qcow2_flush_caches(bs);
    if (ret < 0) {
        res->check_errors++;
    }
    return ret;
}
