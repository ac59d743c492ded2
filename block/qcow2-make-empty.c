/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/qcow2-make-empty.c: qcow2's bdrv_make_empty, which drops every
 * guest cluster of the image so that it reads entirely from its backing
 * file again (qemu-img commit empties the top image this way).
 *
 * Two ways, chosen as QEMU 7.2 chooses them.  A plain v3 image (no
 * snapshots, bitmaps, encryption or external data file, and an L1 table
 * small enough) is rebuilt from scratch: header cluster kept, refcount
 * table in cluster 1, one refcount block in cluster 2, a zeroed L1 table
 * from cluster 3 on, and the file cut after it, so the result has the
 * layout of a freshly created image.  Anything else has each active
 * cluster discarded, which keeps snapshots and bitmaps intact but leaves
 * the L2 tables and the file size where they were.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "block/block_int.h"
#include "qcow2.h"

/* May the image be rebuilt as an empty one (see the top of the file)? */
static bool can_rebuild(BlockDriverState *bs, uint64_t l1_clusters)
{
    BDRVQcow2State *s = bs->opaque;

    return s->qcow_version >= 3 && !s->nb_snapshots && !s->nb_bitmaps &&
           !s->crypt_method_header && !has_data_file(bs) &&
           3 + l1_clusters <= (uint64_t)s->refcount_block_size;
}

/*
 * The clusters 1 .. 2 + @l1_clusters of the rebuilt image: refcount table
 * (one entry, for the block in cluster 2), the refcount block counting
 * every cluster up to the end of the L1 table once, and the zeroed L1.
 */
static uint8_t *build_metadata(BDRVQcow2State *s, uint64_t l1_clusters)
{
    uint64_t nb = 2 + l1_clusters;
    uint8_t *buf = g_malloc0(nb * s->cluster_size);
    uint64_t i;

    stq_be_p(buf, 2 * (uint64_t)s->cluster_size);
    for (i = 0; i < 1 + nb; i++) {
        s->set_refcount(buf + s->cluster_size, i, 1);
    }
    return buf;
}

/*
 * Rebuild the image as an empty one.  The old L1 table is cleared first,
 * so that an interruption leaves leaked clusters, not stale guest data.
 */
static int GRAPH_RDLOCK rebuild_empty(BlockDriverState *bs,
                                      uint64_t l1_clusters)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_bytes = (uint64_t)s->l1_size * sizeof(uint64_t);
    uint64_t new_reftable_size = s->cluster_size / sizeof(uint64_t);
    g_autofree uint8_t *meta = NULL;
    uint64_t *reftable;
    int ret;

    ret = qcow2_cache_empty(bs, s->l2_table_cache);
    if (ret == 0) {
        ret = qcow2_cache_empty(bs, s->refcount_block_cache);
    }
    if (ret < 0) {
        return ret;
    }
    memset(s->l1_table, 0, l1_bytes);
    if (l1_bytes) {
        ret = bdrv_pwrite_zeroes(bs->file, s->l1_table_offset, l1_bytes, 0);
        if (ret < 0) {
            return ret;
        }
    }
    ret = bdrv_flush(bs->file->bs);
    if (ret < 0) {
        return ret;
    }

    meta = build_metadata(s, l1_clusters);
    ret = bdrv_pwrite(bs->file, s->cluster_size,
                      (2 + l1_clusters) * s->cluster_size, meta, 0);
    if (ret < 0) {
        return ret;
    }

    reftable = g_new0(uint64_t, new_reftable_size);
    reftable[0] = 2 * (uint64_t)s->cluster_size;
    g_free(s->refcount_table);
    s->refcount_table = reftable;
    s->refcount_table_size = new_reftable_size;
    s->refcount_table_offset = s->cluster_size;
    qcow2_update_max_refcount_table_index(s);
    s->l1_table_offset = 3 * (uint64_t)s->cluster_size;
    s->free_cluster_index = 0;
    s->free_byte_offset = 0;
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        return ret;
    }

    ret = bdrv_truncate(bs->file, (3 + l1_clusters) * s->cluster_size,
                        false, PREALLOC_MODE_OFF, 0, NULL);
    if (ret < 0) {
        return ret;
    }
    return bdrv_flush(bs->file->bs);
}

/* Discard every cluster of the guest range, one L2 table's worth a time. */
static int GRAPH_RDLOCK discard_all(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = bs->total_sectors * BDRV_SECTOR_SIZE;
    uint64_t step = (uint64_t)s->l2_size << s->cluster_bits;
    uint64_t offset;
    int ret;

    for (offset = 0; offset < end; offset += step) {
        ret = qcow2_cluster_discard(bs, offset, MIN(step, end - offset),
                                    QCOW2_DISCARD_SNAPSHOT, true);
        if (ret < 0) {
            return ret;
        }
    }
    return qcow2_flush_caches(bs);
}

int qcow2_make_empty(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_clusters = size_to_clusters(s, (uint64_t)s->l1_size *
                                               sizeof(uint64_t));

    if (can_rebuild(bs, l1_clusters)) {
        return rebuild_empty(bs, l1_clusters);
    }
    return discard_all(bs);
}
