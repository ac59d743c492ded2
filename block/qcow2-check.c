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
#include "qemu/error-report.h"
#include "qcow2.h"

/* Working state of one check run. */
typedef struct CheckState {
    BlockDriverState *bs;
    BDRVQcow2State *s;
    BdrvCheckResult *res;
    BdrvCheckMode fix;
    void *refs;             /* expected refcounts, s->refcount_bits wide */
    uint64_t nb_clusters;   /* entries in @refs (file length in clusters) */
    uint64_t next_contig;   /* for fragmentation statistics */
    bool rebuild;           /* refcount structure itself is broken */
} CheckState;

static void check_inc(CheckState *cs, uint64_t offset, uint64_t size)
{
    BDRVQcow2State *s = cs->s;
    uint64_t first, last;

    if (!size) {
        return;
    }
    first = offset >> s->cluster_bits;
    last = (offset + size - 1) >> s->cluster_bits;
    if (last >= cs->nb_clusters) {
        fprintf(stderr, "ERROR: counting reference for region exceeding the "
                "end of the file by one cluster or more: offset 0x%" PRIx64
                " size 0x%" PRIx64 "\n", offset, size);
        cs->res->corruptions++;
        return;
    }
    for (uint64_t c = first; c <= last; c++) {
        uint64_t rc = s->get_refcount(cs->refs, c);

        if (rc >= s->refcount_max) {
            fprintf(stderr, "ERROR: overflow cluster offset=0x%" PRIx64 "\n",
                    c << s->cluster_bits);
            cs->res->corruptions++;
            continue;
        }
        s->set_refcount(cs->refs, c, rc + 1);
    }
}

void qcow2_check_count_region(void *opaque, uint64_t offset, uint64_t size)
{
    check_inc(opaque, offset, size);
}

/* Count the data cluster(s) of one L2 entry. */
static void check_l2_entry(CheckState *cs, uint64_t e, uint64_t bitmap)
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

        if (has_data_file(bs)) {
            fprintf(stderr, "ERROR compressed cluster %" PRIx64 " with data "
                    "file\n", e);
            cs->res->corruptions++;
            return;
        }
        qcow2_parse_compressed_l2_entry(bs, e, &coff, &csize);
        check_inc(cs, coff, csize);
        cs->res->bfi.allocated_clusters++;
        cs->res->bfi.compressed_clusters++;
        cs->next_contig = 0;
        break;
    }
    case QCOW2_CLUSTER_NORMAL:
    case QCOW2_CLUSTER_ZERO_ALLOC:
        if (offset_into_cluster(s, off)) {
            fprintf(stderr, "ERROR offset=%" PRIx64 ": %s cluster is not "
                    "properly aligned; L2 entry corrupted.\n", off,
                    type == QCOW2_CLUSTER_ZERO_ALLOC ? "Preallocated" :
                    "Data");
            cs->res->corruptions++;
            return;
        }
        cs->res->bfi.allocated_clusters++;
        if (cs->next_contig && off != cs->next_contig) {
            cs->res->bfi.fragmented_clusters++;
        }
        cs->next_contig = off + s->cluster_size;
        if (!has_data_file(bs)) {
            check_inc(cs, off, s->cluster_size);
        }
        break;
    default:
        break;
    }
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
    for (int i = 0; i < s->l2_size; i++) {
        check_l2_entry(cs, get_l2_entry(s, l2, i), get_l2_bitmap(s, l2, i));
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
        uint64_t l2_off = be64_to_cpu(l1[i]) & L1E_OFFSET_MASK;

        if (!l2_off) {
            continue;
        }
        check_inc(cs, l2_off, s->cluster_size);
        if (offset_into_cluster(s, l2_off)) {
            fprintf(stderr, "ERROR l2_offset=%" PRIx64 ": Table is not "
                    "cluster aligned; L1 entry corrupted\n", l2_off);
            cs->res->corruptions++;
            continue;
        }
        if ((l2_off >> s->cluster_bits) >= cs->nb_clusters) {
            continue; /* reported by check_inc */
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

/* Compare stored and expected refcounts; repair what @fix allows. */
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

        if (want) {
            *highest = i;
        }
        ret = qcow2_get_refcount(bs, i, &have);
        if (ret < 0) {
            fprintf(stderr, "Can't get refcount for cluster %" PRId64 ": %s\n",
                    i, strerror(-ret));
            res->check_errors++;
            continue;
        }
        if (have == want) {
            continue;
        }
        repair = have > want ? (cs->fix & BDRV_FIX_LEAKS) :
                               (cs->fix & BDRV_FIX_ERRORS);
        fprintf(stderr, "%s cluster %" PRId64 " refcount=%" PRIu64
                " reference=%" PRIu64 "\n",
                repair ? "Repairing" : have < want ? "ERROR" : "Leaked",
                i, have, want);
        if (repair) {
            ret = qcow2_update_cluster_refcount(bs, i, refcount_diff(have,
                                                                     want),
                                                have > want,
                                                QCOW2_DISCARD_ALWAYS);
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
        }
    }
}

/* Clusters past the end of the file that the refcounts still claim. */
static void GRAPH_RDLOCK
check_past_end(CheckState *cs)
{
    BDRVQcow2State *s = cs->s;
    uint64_t end = MIN((uint64_t)s->refcount_table_size,
                       s->max_refcount_table_index + 1ULL) <<
                   s->refcount_block_bits;

    for (uint64_t i = cs->nb_clusters; i < end; i++) {
        uint64_t rc;

        if (!(s->refcount_table[i >> s->refcount_block_bits] &
              REFT_OFFSET_MASK)) {
            i |= s->refcount_block_size - 1;
            continue;
        }
        if (qcow2_get_refcount(cs->bs, i, &rc) < 0 || !rc) {
            continue;
        }
        fprintf(stderr, "Warning: cluster offset=0x%" PRIx64 " is after the "
                "end of the image file, can't properly check refcounts.\n",
                i << s->cluster_bits);
        cs->res->check_errors++;
    }
}

int coroutine_fn qcow2_check_refcounts(BlockDriverState *bs,
                                       BdrvCheckResult *res,
                                       BdrvCheckMode fix)
{
    BDRVQcow2State *s = bs->opaque;
    CheckState cs = { .bs = bs, .s = s, .res = res, .fix = fix };
    g_autofree void *refs = NULL;
    int64_t size, highest = -1;
    int ret;

    size = bdrv_co_getlength(bs->file->bs);
    if (size < 0) {
        res->check_errors++;
        return size;
    }
    cs.nb_clusters = size_to_clusters(s, size);
    if (cs.nb_clusters > INT_MAX) {
        res->check_errors++;
        return -EFBIG;
    }
    refs = g_try_malloc0(DIV_ROUND_UP(MAX(cs.nb_clusters, 1) <<
                                      s->refcount_order, 8));
    if (!refs) {
        res->check_errors++;
        return -ENOMEM;
    }
    cs.refs = refs;
    res->bfi.total_clusters = size_to_clusters(s, bs->total_sectors *
                                               BDRV_SECTOR_SIZE);

    check_inc(&cs, 0, s->cluster_size);
    ret = check_l1(&cs, s->l1_table_offset, s->l1_size);
    if (ret >= 0) {
        ret = check_snapshots(&cs);
    }
    if (ret >= 0) {
        ret = qcow2_check_bitmaps_refcounts(bs, res, qcow2_check_count_region,
                                            &cs);
    }
    if (ret < 0) {
        return ret;
    }
    check_refblocks(&cs);

    if (cs.rebuild) {
        fprintf(stderr, "ERROR: the refcount structure is damaged; "
                "rebuilding it is not supported yet\n");
    }
    compare_refcounts(&cs, &highest);
    check_past_end(&cs);

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

            if ((t != QCOW2_CLUSTER_NORMAL && t != QCOW2_CLUSTER_ZERO_ALLOC) ||
                offset_into_cluster(s, off) || has_data_file(bs)) {
                continue;
            }
            ret = qcow2_get_refcount(bs, off >> s->cluster_bits, &rc);
            if (ret < 0) {
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
    bool repair = fix & BDRV_FIX_ERRORS;
    int ret;

    for (int i = 0; i < s->l1_size; i++) {
        uint64_t e = s->l1_table[i], l2_off = e & L1E_OFFSET_MASK, rc;

        if (!l2_off || offset_into_cluster(s, l2_off)) {
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
        if ((l2_off >> s->cluster_bits) << s->cluster_bits >=
            (uint64_t)bdrv_getlength(bs->file->bs)) {
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
