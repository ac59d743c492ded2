/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-refcount-area.c: building a new refcount table (and the refcount
 * blocks it lacks) in an empty area of the image file, as QEMU 7.2 does
 * when preallocating (falloc/full resize) and when the table is full.
 * The new structures count themselves, the header is switched over in one
 * write and the old table is freed.  Also the fixed-point computation of
 * how much refcount metadata a number of clusters needs.  Everyday
 * refcount updates live in qcow2-refcount.c.
 */

#include "qemu/osdep.h"
#include "qcow2.h"

int64_t qcow2_refcount_metadata_size(int64_t clusters, size_t cluster_size,
                                     int refcount_order,
                                     bool generous_increase,
                                     uint64_t *refblock_count)
{
    int64_t per_block = (int64_t)cluster_size * 8 >> refcount_order;
    int64_t per_table_cluster = cluster_size / sizeof(uint64_t);
    int64_t blocks = 0, tables = 0, total, prev = -1;

    /*
     * The refcount metadata counts itself as well: grow the estimate
     * until adding the blocks and table clusters changes nothing.  With
     * @generous_increase, once stable, room for half the table again is
     * added to the covered clusters and the estimate settles once more.
     */
    for (;;) {
        blocks = DIV_ROUND_UP(clusters + blocks + tables, per_block);
        tables = DIV_ROUND_UP(blocks, per_table_cluster);
        total = clusters + blocks + tables;
        if (total != prev) {
            prev = total;
            continue;
        }
        if (!generous_increase) {
            break;
        }
        generous_increase = false;
        clusters += DIV_ROUND_UP(tables, 2);
        prev = -1;
    }
    if (refblock_count) {
        *refblock_count = blocks;
    }
    return (blocks + tables) * (int64_t)cluster_size;
}

/*
 * Set refcount 1 for every cluster of [@area_start, @area_end) that the
 * refcount block at @rb_offset, number @rb_index, describes.
 */
static int GRAPH_RDLOCK
count_area_in_block(BlockDriverState *bs, uint64_t rb_index,
                    uint64_t rb_offset, bool fresh, uint64_t area_start,
                    uint64_t area_end)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first = rb_index << s->refcount_block_bits;
    uint64_t lo = MAX(first, area_start >> s->cluster_bits);
    uint64_t hi = MIN(first + s->refcount_block_size,
                      area_end >> s->cluster_bits);
    void *blk;
    int ret;

    if (fresh) {
        ret = qcow2_cache_get_empty(bs, s->refcount_block_cache, rb_offset,
                                    &blk);
        if (ret < 0) {
            return ret;
        }
        memset(blk, 0, s->cluster_size);
        qcow2_cache_entry_mark_dirty(s->refcount_block_cache, blk);
    } else {
        ret = qcow2_cache_get(bs, s->refcount_block_cache, rb_offset, &blk);
        if (ret < 0) {
            return ret;
        }
    }
    for (uint64_t c = lo; c < hi; c++) {
        /* The caller promised the area was unused. */
        assert(s->get_refcount(blk, c - first) == 0);
        s->set_refcount(blk, c - first, 1);
    }
    if (lo < hi) {
        qcow2_cache_entry_mark_dirty(s->refcount_block_cache, blk);
    }
    qcow2_cache_put(s->refcount_block_cache, &blk);
    return 0;
}

/* Point the header at the table at @offset of @clusters clusters. */
static int GRAPH_RDLOCK
switch_header_reftable(BlockDriverState *bs, uint64_t offset,
                       uint32_t clusters)
{
    uint8_t buf[12];

    /* refcount_table_offset and refcount_table_clusters are adjacent. */
    QEMU_BUILD_BUG_ON(offsetof(QCowHeader, refcount_table_clusters) !=
                      offsetof(QCowHeader, refcount_table_offset) + 8);
    stq_be_p(buf, offset);
    stl_be_p(buf + 8, clusters);
    BLKDBG_EVENT(bs->file, BLKDBG_REFBLOCK_ALLOC_SWITCH_TABLE);
    return bdrv_pwrite_sync(bs->file,
                            offsetof(QCowHeader, refcount_table_offset),
                            sizeof(buf), buf, 0);
}

/* The entries of the new table: the old ones, cut or padded to @size. */
static uint64_t *new_table_entries(BDRVQcow2State *s, uint64_t size)
{
    uint64_t *t = g_try_new0(uint64_t, size);
    uint64_t keep = MIN(size, (uint64_t)s->max_refcount_table_index + 1);

    if (t) {
        /*
         * Shrinking drops the blocks past the new end; the caller
         * guarantees that nothing past @offset is in use.
         */
        memcpy(t, s->refcount_table, MIN(keep, s->refcount_table_size) *
               sizeof(uint64_t));
    }
    return t;
}

int64_t qcow2_refcount_area(BlockDriverState *bs, uint64_t start_offset,
                            uint64_t additional_clusters, bool exact_size,
                            int new_refblock_index,
                            uint64_t new_refblock_offset)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t nb_blocks, table_size, table_clusters, first_index;
    uint64_t nb_new_blocks = 0, table_offset, area_end, next_block;
    uint64_t old_offset = s->refcount_table_offset;
    uint64_t old_bytes = (uint64_t)s->refcount_table_size * sizeof(uint64_t);
    uint64_t per_cluster = s->cluster_size / sizeof(uint64_t);
    g_autofree uint64_t *table = NULL;
    int ret;

    assert(!offset_into_cluster(s, start_offset));
    qcow2_refcount_metadata_size((start_offset >> s->cluster_bits) +
                                 additional_clusters, s->cluster_size,
                                 s->refcount_order, !exact_size, &nb_blocks);
    /* The limit is in bytes; a bigger table would not open again. */
    if (nb_blocks > QCOW_MAX_REFTABLE_SIZE / sizeof(uint64_t)) {
        return -EFBIG;
    }
    /* Room to grow (half as much again) unless an exact size is wanted. */
    table_size = exact_size ? nb_blocks : nb_blocks + DIV_ROUND_UP(nb_blocks,
                                                                   2);
    table_size = ROUND_UP(table_size, per_cluster);
    table_clusters = table_size / per_cluster;
    if (table_size > QCOW_MAX_REFTABLE_SIZE / sizeof(uint64_t)) {
        return -EFBIG;
    }
    assert(table_size > 0);
    table = new_table_entries(s, table_size);
    if (!table) {
        return -ENOMEM;
    }
    if (new_refblock_offset) {
        assert(new_refblock_index < nb_blocks);
        table[new_refblock_index] = new_refblock_offset;
    }

    /*
     * Layout of the area: first the refcount blocks still missing from
     * the one describing @start_offset on, then the table.
     */
    first_index = (start_offset >> s->cluster_bits) >> s->refcount_block_bits;
    for (uint64_t i = first_index; i < nb_blocks; i++) {
        nb_new_blocks += !table[i];
    }
    table_offset = start_offset + (nb_new_blocks << s->cluster_bits);
    area_end = table_offset + (table_clusters << s->cluster_bits);

    next_block = start_offset;
    for (uint64_t i = first_index; i < nb_blocks; i++) {
        bool fresh = !table[i];

        if (fresh) {
            table[i] = next_block;
            next_block += s->cluster_size;
        }
        ret = count_area_in_block(bs, i, table[i] & REFT_OFFSET_MASK, fresh,
                                  start_offset, area_end);
        if (ret < 0) {
            return ret;
        }
    }
    assert(next_block == table_offset);

    /* Blocks first, then the table, then the header pointing at both. */
    BLKDBG_EVENT(bs->file, BLKDBG_REFBLOCK_ALLOC_WRITE_BLOCKS);
    ret = qcow2_cache_flush(bs, s->refcount_block_cache);
    if (ret < 0) {
        return ret;
    }
    for (uint64_t i = 0; i < table_size; i++) {
        cpu_to_be64s(&table[i]);
    }
    BLKDBG_EVENT(bs->file, BLKDBG_REFBLOCK_ALLOC_WRITE_TABLE);
    ret = bdrv_pwrite_sync(bs->file, table_offset,
                           table_size * sizeof(uint64_t), table, 0);
    for (uint64_t i = 0; i < table_size; i++) {
        be64_to_cpus(&table[i]);
    }
    if (ret < 0) {
        return ret;
    }
    ret = switch_header_reftable(bs, table_offset, table_clusters);
    if (ret < 0) {
        return ret;
    }

    g_free(s->refcount_table);
    s->refcount_table = g_steal_pointer(&table);
    s->refcount_table_size = table_size;
    s->refcount_table_offset = table_offset;
    qcow2_update_max_refcount_table_index(s);

    qcow2_free_clusters(bs, old_offset, old_bytes, QCOW2_DISCARD_OTHER);
    return area_end;
}
