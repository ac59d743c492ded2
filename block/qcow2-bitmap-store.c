/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 persistent dirty bitmaps, the store side: on close (or
 * inactivation) every persistent, writable, consistent BdrvDirtyBitmap is
 * written out: its data clusters (all-zero ones stay unallocated) and a
 * bitmap table in newly allocated clusters, then one new directory that
 * names them with in_use clear, then the old tables are freed.  Also the
 * check that decides whether an image with bitmaps may be resized.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "block/dirty-bitmap.h"
#include "qcow2.h"
#include "qcow2-bitmap.h"

void qcow2_bitmap_free_clusters(BlockDriverState *bs, uint64_t table_offset,
                                uint32_t table_size)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint64_t *table = NULL;

    if (!table_size) {
        return;
    }
    table = g_try_new(uint64_t, table_size);
    if (table && bdrv_pread(bs->file, table_offset, table_size * 8ULL,
                            table, 0) >= 0) {
        for (uint32_t i = 0; i < table_size; i++) {
            uint64_t off = be64_to_cpu(table[i]) &
                           BME_TABLE_ENTRY_OFFSET_MASK;

            if (off) {
                qcow2_free_clusters(bs, off, s->cluster_size,
                                    QCOW2_DISCARD_ALWAYS);
            }
        }
    }
    /* A table we cannot read leaks its data clusters (check finds them). */
    qcow2_free_clusters(bs, table_offset, table_size * 8ULL,
                        QCOW2_DISCARD_OTHER);
}

/* Free the data clusters listed in the first @n entries of @table. */
static void GRAPH_RDLOCK
free_data(BlockDriverState *bs, uint64_t *table, uint32_t n)
{
    BDRVQcow2State *s = bs->opaque;

    for (uint32_t i = 0; i < n; i++) {
        if (table[i]) {
            qcow2_free_clusters(bs, table[i], s->cluster_size,
                                QCOW2_DISCARD_ALWAYS);
        }
    }
}

/* Write one cluster of metadata at @off, after the overlap check. */
static int GRAPH_RDLOCK
write_cluster_data(BlockDriverState *bs, int64_t off, const void *buf,
                   int64_t len)
{
    int ret = qcow2_pre_write_overlap_check(bs, 0, off, len, false);

    if (ret < 0) {
        return ret;
    }
    return bdrv_pwrite(bs->file, off, len, buf, 0);
}

/*
 * Write the contents of @bm->dirty_bitmap to new clusters and a new
 * table; on success @bm's table fields name them.
 */
static int GRAPH_RDLOCK
store_bitmap(BlockDriverState *bs, Qcow2Bitmap *bm, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    BdrvDirtyBitmap *bitmap = bm->dirty_bitmap;
    uint32_t gran = bdrv_dirty_bitmap_granularity(bitmap);
    uint64_t size = bdrv_dirty_bitmap_size(bitmap);
    uint64_t per_cluster = (uint64_t)s->cluster_size * 8 * gran;
    uint32_t tsize = DIV_ROUND_UP(qcow2_bitmap_bytes_needed(size, gran),
                                  s->cluster_size);
    g_autofree uint64_t *table = g_new0(uint64_t, MAX(tsize, 1));
    uint8_t *buf = qemu_blockalign(bs, s->cluster_size);
    int64_t toff = 0;
    uint32_t i;
    int ret = 0;

    for (i = 0; i < tsize; i++) {
        uint64_t start = i * per_cluster;
        uint64_t count = MIN(per_cluster, size - start);
        int64_t off;

        if (bdrv_dirty_bitmap_next_dirty(bitmap, start, count) < 0) {
            continue;
        }
        memset(buf, 0, s->cluster_size);
        bdrv_dirty_bitmap_serialize_part(bitmap, buf, start, count);
        off = qcow2_alloc_clusters(bs, s->cluster_size);
        if (off < 0) {
            ret = off;
            goto fail;
        }
        table[i] = off;
        ret = write_cluster_data(bs, off, buf, s->cluster_size);
        if (ret < 0) {
            goto fail;
        }
    }
    if (tsize) {
        toff = qcow2_alloc_clusters(bs, tsize * 8ULL);
        if (toff < 0) {
            ret = toff;
            toff = 0;
            goto fail;
        }
        for (i = 0; i < tsize; i++) {
            table[i] = cpu_to_be64(table[i]);
        }
        ret = write_cluster_data(bs, toff, table, tsize * 8ULL);
        for (i = 0; i < tsize; i++) {
            table[i] = be64_to_cpu(table[i]);
        }
        if (ret < 0) {
            goto fail;
        }
    }
    qemu_vfree(buf);
    bm->table_offset = toff;
    bm->table_size = tsize;
    return 0;

fail:
    free_data(bs, table, tsize);
    if (toff) {
        qcow2_free_clusters(bs, toff, tsize * 8ULL, QCOW2_DISCARD_OTHER);
    }
    qemu_vfree(buf);
    error_setg_errno(errp, -ret, "Failed to write bitmap '%s' to file",
                     bm->name);
    return ret;
}

/*
 * Put the persistent in-memory bitmaps into @l: *@need_write tells
 * whether any is to be written; the tables they replace go to @drop.
 */
static int GRAPH_RDLOCK
collect_bitmaps(BlockDriverState *bs, Qcow2BitmapList *l,
                Qcow2BitmapList *drop, bool *need_write, Error **errp)
{
    BdrvDirtyBitmap *bitmap;

    *need_write = false;
    FOR_EACH_DIRTY_BITMAP(bs, bitmap) {
        const char *name = bdrv_dirty_bitmap_name(bitmap);
        uint32_t gran = bdrv_dirty_bitmap_granularity(bitmap);
        Qcow2Bitmap *bm;

        /* Inconsistent ones stay on disk as they are (in use). */
        if (!bdrv_dirty_bitmap_get_persistence(bitmap) ||
            bdrv_dirty_bitmap_inconsistent(bitmap)) {
            continue;
        }
        bm = qcow2_bitmap_list_find(l, name);
        if (bdrv_dirty_bitmap_readonly(bitmap)) {
            if (bm) {
                bm->dirty_bitmap = bitmap;
            }
            continue;
        }
        *need_write = true;
        if (qcow2_bitmap_check_constraints(bs, name, gran, errp) < 0) {
            error_prepend(errp, "Bitmap '%s' doesn't satisfy the "
                          "constraints: ", name);
            return -EINVAL;
        }
        if (!bm) {
            if (l->nb >= QCOW2_MAX_BITMAPS) {
                error_setg(errp, "Too many persistent bitmaps");
                return -EINVAL;
            }
            bm = qcow2_bitmap_list_append(l, name);
        } else {
            Qcow2Bitmap *old;

            if (!(bm->flags & BME_FLAG_IN_USE)) {
                error_setg(errp, "Bitmap '%s' already exists in the image",
                           name);
                return -EINVAL;
            }
            old = qcow2_bitmap_list_append(drop, NULL);
            old->table_offset = bm->table_offset;
            old->table_size = bm->table_size;
        }
        bm->flags = bdrv_dirty_bitmap_enabled(bitmap) ? BME_FLAG_AUTO : 0;
        bm->granularity_bits = ctz32(gran);
        bm->extra_data_size = 0;
        bm->dirty_bitmap = bitmap;
    }
    return 0;
}

bool qcow2_store_persistent_dirty_bitmaps(BlockDriverState *bs,
                                          bool release_stored, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2BitmapList *l = NULL;
    Qcow2BitmapList drop = { 0 };
    bool need_write;
    uint32_t stored = 0;
    int ret;

    if (!bdrv_has_named_bitmaps(bs)) {
        return true;
    }
    ret = qcow2_bitmap_list_load(bs, &l, errp);
    if (ret < 0) {
        goto fail;
    }
    ret = collect_bitmaps(bs, l, &drop, &need_write, errp);
    if (ret < 0) {
        goto fail;
    }
    if (need_write) {
        if (!(s->flags & BDRV_O_RDWR) || bdrv_is_read_only(bs)) {
            error_setg(errp, "No write access");
            ret = -EPERM;
            goto fail;
        }
        for (stored = 0; stored < l->nb; stored++) {
            Qcow2Bitmap *bm = &l->e[stored];

            if (!bm->dirty_bitmap ||
                bdrv_dirty_bitmap_readonly(bm->dirty_bitmap)) {
                continue;
            }
            ret = store_bitmap(bs, bm, errp);
            if (ret < 0) {
                goto fail;
            }
        }
        ret = qcow2_bitmap_dir_replace(bs, l);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to update bitmap extension");
            goto fail;
        }
        /* The new directory is in place: the old tables can go. */
        for (uint32_t i = 0; i < drop.nb; i++) {
            qcow2_bitmap_free_clusters(bs, drop.e[i].table_offset,
                                       drop.e[i].table_size);
        }
    }
    if (release_stored) {
        for (uint32_t i = 0; i < l->nb; i++) {
            if (l->e[i].dirty_bitmap) {
                bdrv_release_dirty_bitmap(l->e[i].dirty_bitmap);
            }
        }
    }
    g_free(drop.e);
    qcow2_bitmap_list_free(l);
    return true;

fail:
    /* Undo the tables written so far: the old directory still rules. */
    for (uint32_t i = 0; l && i < stored && i < l->nb; i++) {
        Qcow2Bitmap *bm = &l->e[i];

        if (bm->dirty_bitmap && !bdrv_dirty_bitmap_readonly(bm->dirty_bitmap)
            && bm->table_size) {
            qcow2_bitmap_free_clusters(bs, bm->table_offset, bm->table_size);
        }
    }
    g_free(drop.e);
    qcow2_bitmap_list_free(l);
    return false;
}

int qcow2_truncate_bitmaps_check(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2BitmapList *l = NULL;
    int ret;

    if (!s->nb_bitmaps) {
        return 0;
    }
    ret = qcow2_bitmap_list_load(bs, &l, errp);
    for (uint32_t i = 0; ret == 0 && i < l->nb; i++) {
        BdrvDirtyBitmap *bitmap = bdrv_find_dirty_bitmap(bs, l->e[i].name);

        /* Only bitmaps in memory get resized (and stored again). */
        if (!bitmap) {
            error_setg(errp, "Cannot resize qcow2 with persistent bitmaps "
                       "that were not loaded into memory");
            ret = -ENOTSUP;
        } else if (bdrv_dirty_bitmap_check(bitmap, BDRV_BITMAP_DEFAULT,
                                           errp) < 0) {
            ret = -ENOTSUP;
        }
    }
    qcow2_bitmap_list_free(l);
    return ret;
}

uint64_t qcow2_measure_bitmaps(BlockDriverState *in_bs, uint64_t cluster_size)
{
    BdrvDirtyBitmap *bm;
    uint64_t total = 0, dir = 0;

    FOR_EACH_DIRTY_BITMAP(in_bs, bm) {
        uint32_t gran = bdrv_dirty_bitmap_granularity(bm);
        uint64_t clusters;

        if (!bdrv_dirty_bitmap_get_persistence(bm)) {
            continue;
        }
        clusters = DIV_ROUND_UP(qcow2_bitmap_bytes_needed(
                                    bdrv_dirty_bitmap_size(bm), gran),
                                cluster_size);
        /* Every data cluster allocated, plus the table. */
        total += clusters * cluster_size;
        total += ROUND_UP(clusters * 8, cluster_size);
        dir += ROUND_UP(24 + strlen(bdrv_dirty_bitmap_name(bm)), 8);
    }
    return total + ROUND_UP(dir, cluster_size);
}
