/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 persistent dirty bitmaps, the directory side: reading and
 * validating the bitmap directory named by the bitmaps header extension,
 * writing a new one, loading the bitmaps into BdrvDirtyBitmaps on open
 * (marking them in use while the image is open read-write), removing a
 * stored bitmap, the limits for new ones, the qemu-img info list and the
 * image check walk.  Storing bitmap contents on close is in
 * qcow2-bitmap-store.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/host-utils.h"
#include "block/dirty-bitmap.h"
#include "qcow2.h"
#include "qcow2-bitmap.h"

/* Fixed part of a bitmap directory entry (on disk, big-endian). */
typedef struct QEMU_PACKED Qcow2BitmapDirEntry {
    uint64_t bitmap_table_offset;
    uint32_t bitmap_table_size;     /* entries */
    uint32_t flags;
    uint8_t type;
    uint8_t granularity_bits;
    uint16_t name_size;
    uint32_t extra_data_size;
    /* then extra data, name, padding to 8 bytes */
} Qcow2BitmapDirEntry;

void qcow2_bitmap_list_free(Qcow2BitmapList *l)
{
    if (!l) {
        return;
    }
    for (uint32_t i = 0; i < l->nb; i++) {
        g_free(l->e[i].name);
    }
    g_free(l->e);
    g_free(l);
}

Qcow2Bitmap *qcow2_bitmap_list_append(Qcow2BitmapList *l, const char *name)
{
    Qcow2Bitmap *bm;

    l->e = g_renew(Qcow2Bitmap, l->e, l->nb + 1);
    bm = &l->e[l->nb++];
    memset(bm, 0, sizeof(*bm));
    bm->name = g_strdup(name);
    return bm;
}

Qcow2Bitmap *qcow2_bitmap_list_find(Qcow2BitmapList *l, const char *name)
{
    for (uint32_t i = 0; i < l->nb; i++) {
        if (!strcmp(l->e[i].name, name)) {
            return &l->e[i];
        }
    }
    return NULL;
}

static bool dir_ok(BDRVQcow2State *s, Error **errp)
{
    if (s->nb_bitmaps > QCOW2_MAX_BITMAPS) {
        error_setg(errp, "bitmaps_ext: Image has %" PRIu32 " bitmaps, "
                   "exceeding the QEMU supported maximum of %d",
                   s->nb_bitmaps, QCOW2_MAX_BITMAPS);
        return false;
    }
    if (s->bitmap_directory_size > QCOW2_MAX_BITMAP_DIRECTORY_SIZE) {
        error_setg(errp, "bitmaps_ext: Bitmap directory size (%" PRIu64
                   ") exceeds the maximum supported size (%d)",
                   s->bitmap_directory_size,
                   QCOW2_MAX_BITMAP_DIRECTORY_SIZE);
        return false;
    }
    if (offset_into_cluster(s, s->bitmap_directory_offset)) {
        error_setg(errp, "bitmaps_ext: invalid bitmap directory offset");
        return false;
    }
    return true;
}

/* Whether entry @e breaks the format's or QEMU's limits. */
static bool entry_bad(BDRVQcow2State *s, const Qcow2BitmapDirEntry *e)
{
    uint64_t tsize = be32_to_cpu(e->bitmap_table_size);

    return tsize > BME_MAX_TABLE_SIZE ||
           tsize * s->cluster_size > BME_MAX_PHYS_SIZE ||
           offset_into_cluster(s, be64_to_cpu(e->bitmap_table_offset)) ||
           e->granularity_bits < BME_MIN_GRANULARITY_BITS ||
           e->granularity_bits > BME_MAX_GRANULARITY_BITS ||
           (be32_to_cpu(e->flags) & BME_RESERVED_FLAGS) ||
           be16_to_cpu(e->name_size) > BME_MAX_NAME_SIZE ||
           e->type != BME_TYPE_DIRTY_TRACKING;
}

/*
 * Parse and validate the whole directory: entries up to its end, which
 * must number s->nb_bitmaps.  The messages are QEMU 7.2's.
 */
static int parse_dir(BlockDriverState *bs, const uint8_t *dir,
                     Qcow2BitmapList *l, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = s->bitmap_directory_size;
    uint64_t pos = 0;

    while (pos < end) {
        Qcow2BitmapDirEntry e;
        Qcow2Bitmap *bm;
        uint64_t len;

        if (pos + sizeof(e) > end) {
            goto broken;
        }
        if (l->nb == s->nb_bitmaps) {
            error_setg(errp, "More bitmaps found than specified in header "
                       "extension");
            return -EINVAL;
        }
        memcpy(&e, dir + pos, sizeof(e));
        len = sizeof(e) + (uint64_t)be32_to_cpu(e.extra_data_size) +
              be16_to_cpu(e.name_size);
        if (pos + len > end) {
            goto broken;
        }
        if (be32_to_cpu(e.extra_data_size)) {
            /* None is defined; unknown data forbids using the bitmap. */
            error_setg(errp, "Bitmap extra data is not supported");
            return -ENOTSUP;
        }
        if (entry_bad(s, &e)) {
            error_setg(errp, "Bitmap '%.*s' doesn't satisfy the constraints",
                       be16_to_cpu(e.name_size),
                       (const char *)dir + pos + sizeof(e));
            return -EINVAL;
        }
        bm = qcow2_bitmap_list_append(l, NULL);
        bm->name = g_strndup((const char *)dir + pos + sizeof(e),
                             be16_to_cpu(e.name_size));
        bm->table_offset = be64_to_cpu(e.bitmap_table_offset);
        bm->table_size = be32_to_cpu(e.bitmap_table_size);
        bm->flags = be32_to_cpu(e.flags);
        bm->granularity_bits = e.granularity_bits;
        pos += ROUND_UP(len, 8);
    }
    if (l->nb != s->nb_bitmaps) {
        error_setg(errp, "Less bitmaps found than specified in header "
                   "extension");
        return -EINVAL;
    }
    if (pos != end) {
        goto broken;
    }
    return 0;

broken:
    error_setg(errp, "Broken bitmap directory");
    return -EINVAL;
}

int qcow2_bitmap_list_load(BlockDriverState *bs, Qcow2BitmapList **pl,
                           Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *dir = NULL;
    Qcow2BitmapList *l = g_new0(Qcow2BitmapList, 1);
    int ret;

    *pl = l;
    if (!s->nb_bitmaps) {
        return 0;
    }
    if (!dir_ok(s, errp)) {
        return -EINVAL;
    }
    dir = g_try_malloc(MAX(s->bitmap_directory_size, 1));
    if (!dir) {
        error_setg(errp, "Failed to allocate the bitmap directory");
        return -ENOMEM;
    }
    ret = bdrv_pread(bs->file, s->bitmap_directory_offset,
                     s->bitmap_directory_size, dir, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to read bitmap directory");
        return ret;
    }
    return parse_dir(bs, dir, l, errp);
}

static uint64_t dir_entry_size(const char *name)
{
    return ROUND_UP(sizeof(Qcow2BitmapDirEntry) + strlen(name), 8);
}

/* Serialize @l as an on-disk directory; *@size gets its length. */
static uint8_t *dir_build(Qcow2BitmapList *l, uint64_t *size)
{
    uint64_t total = 0, pos = 0;
    uint8_t *dir;

    for (uint32_t i = 0; i < l->nb; i++) {
        total += dir_entry_size(l->e[i].name);
    }
    dir = g_malloc0(MAX(total, 1));
    for (uint32_t i = 0; i < l->nb; i++) {
        Qcow2Bitmap *bm = &l->e[i];
        Qcow2BitmapDirEntry e = {
            .bitmap_table_offset = cpu_to_be64(bm->table_offset),
            .bitmap_table_size = cpu_to_be32(bm->table_size),
            .flags = cpu_to_be32(bm->flags),
            .type = BME_TYPE_DIRTY_TRACKING,
            .granularity_bits = bm->granularity_bits,
            .name_size = cpu_to_be16(strlen(bm->name)),
        };

        assert(!bm->extra_data_size);
        memcpy(dir + pos, &e, sizeof(e));
        memcpy(dir + pos + sizeof(e), bm->name, strlen(bm->name));
        pos += dir_entry_size(bm->name);
    }
    *size = total;
    return dir;
}

/* Write the header and make sure it reached the disk. */
static int GRAPH_RDLOCK update_header_sync(BlockDriverState *bs)
{
    int ret = qcow2_update_header(bs);

    return ret < 0 ? ret : bdrv_flush(bs->file->bs);
}

int qcow2_bitmap_dir_write_in_place(BlockDriverState *bs,
                                    Qcow2BitmapList *l)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *dir = NULL;
    uint64_t size;
    int ret;

    dir = dir_build(l, &size);
    assert(l->nb == s->nb_bitmaps && size == s->bitmap_directory_size);
    ret = qcow2_pre_write_overlap_check(bs, QCOW2_OL_BITMAP_DIRECTORY,
                                        s->bitmap_directory_offset, size,
                                        false);
    if (ret < 0) {
        return ret;
    }
    /*
     * While the directory is half written, the autoclear bit is clear:
     * a crash then loses the bitmaps instead of trusting a torn entry.
     */
    s->autoclear_features &= ~QCOW2_AUTOCLEAR_BITMAPS;
    ret = update_header_sync(bs);
    if (ret < 0) {
        return ret;
    }
    ret = bdrv_pwrite(bs->file, s->bitmap_directory_offset, size, dir, 0);
    if (ret == 0) {
        ret = bdrv_flush(bs->file->bs);
    }
    if (ret < 0) {
        return ret;
    }
    s->autoclear_features |= QCOW2_AUTOCLEAR_BITMAPS;
    return update_header_sync(bs);
}

int qcow2_bitmap_dir_replace(BlockDriverState *bs, Qcow2BitmapList *l)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t old_off = s->bitmap_directory_offset;
    uint64_t old_size = s->bitmap_directory_size;
    uint32_t old_nb = s->nb_bitmaps;
    uint64_t old_autoclear = s->autoclear_features;
    g_autofree uint8_t *dir = NULL;
    uint64_t size;
    int64_t off = 0;
    int ret;

    dir = dir_build(l, &size);
    if (size > QCOW2_MAX_BITMAP_DIRECTORY_SIZE || l->nb > QCOW2_MAX_BITMAPS) {
        return -EINVAL;
    }
    if (l->nb) {
        off = qcow2_alloc_clusters(bs, size);
        if (off < 0) {
            return off;
        }
        ret = qcow2_pre_write_overlap_check(bs, 0, off, size, false);
        if (ret == 0) {
            ret = bdrv_pwrite(bs->file, off, size, dir, 0);
        }
        if (ret == 0) {
            ret = qcow2_flush_caches(bs);
        }
        if (ret < 0) {
            qcow2_free_clusters(bs, off, size, QCOW2_DISCARD_OTHER);
            return ret;
        }
    }

    s->nb_bitmaps = l->nb;
    s->bitmap_directory_offset = off;
    s->bitmap_directory_size = l->nb ? size : 0;
    if (l->nb) {
        s->autoclear_features |= QCOW2_AUTOCLEAR_BITMAPS;
    } else {
        s->autoclear_features &= ~QCOW2_AUTOCLEAR_BITMAPS;
    }
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        s->nb_bitmaps = old_nb;
        s->bitmap_directory_offset = old_off;
        s->bitmap_directory_size = old_size;
        s->autoclear_features = old_autoclear;
        if (off) {
            qcow2_free_clusters(bs, off, size, QCOW2_DISCARD_OTHER);
        }
        return ret;
    }
    if (old_nb) {
        qcow2_free_clusters(bs, old_off, old_size, QCOW2_DISCARD_OTHER);
    }
    return 0;
}

/* Bytes of bitmap data for @len bytes of disk at @granularity. */
uint64_t qcow2_bitmap_bytes_needed(int64_t len, uint32_t granularity)
{
    return DIV_ROUND_UP(DIV_ROUND_UP((uint64_t)len, granularity), 8);
}

int qcow2_bitmap_check_constraints(BlockDriverState *bs, const char *name,
                                   uint32_t granularity, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int bits = ctz32(granularity);
    int64_t len = bdrv_getlength(bs);
    uint64_t need;

    if (len < 0) {
        error_setg_errno(errp, -len, "Failed to get size of '%s'",
                         bdrv_get_device_or_node_name(bs));
        return len;
    }
    if (bits > BME_MAX_GRANULARITY_BITS) {
        error_setg(errp, "Granularity exceeds maximum (%llu bytes)",
                   1ULL << BME_MAX_GRANULARITY_BITS);
        return -EINVAL;
    }
    if (bits < BME_MIN_GRANULARITY_BITS) {
        error_setg(errp, "Granularity is under minimum (%llu bytes)",
                   1ULL << BME_MIN_GRANULARITY_BITS);
        return -EINVAL;
    }
    need = qcow2_bitmap_bytes_needed(len, granularity);
    if (need > BME_MAX_PHYS_SIZE ||
        need > (uint64_t)BME_MAX_TABLE_SIZE * s->cluster_size) {
        error_setg(errp, "Too much space will be occupied by the bitmap. "
                   "Use larger granularity");
        return -EINVAL;
    }
    if (strlen(name) > BME_MAX_NAME_SIZE) {
        error_setg(errp, "Name length exceeds maximum (%u characters)",
                   BME_MAX_NAME_SIZE);
        return -EINVAL;
    }
    return 0;
}

/*
 * Fill @bitmap from the bitmap table of @bm: data clusters are
 * deserialized, absent ones are zero (or all ones, with the flag).
 */
static int GRAPH_RDLOCK load_bitmap_data(BlockDriverState *bs, Qcow2Bitmap *bm,
                            BdrvDirtyBitmap *bitmap)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t size = bdrv_dirty_bitmap_size(bitmap);
    uint64_t per_cluster = (uint64_t)s->cluster_size * 8 *
                           bdrv_dirty_bitmap_granularity(bitmap);
    uint64_t need = qcow2_bitmap_bytes_needed(
        size, bdrv_dirty_bitmap_granularity(bitmap));
    g_autofree uint64_t *table = NULL;
    uint8_t *buf;
    int ret = 0;

    if (bm->table_size != DIV_ROUND_UP(need, s->cluster_size)) {
        return -EINVAL;
    }
    table = g_try_new(uint64_t, MAX(bm->table_size, 1));
    if (!table) {
        return -ENOMEM;
    }
    ret = bdrv_pread(bs->file, bm->table_offset,
                     (int64_t)bm->table_size * 8, table, 0);
    if (ret < 0) {
        return ret;
    }
    buf = qemu_blockalign(bs, s->cluster_size);
    for (uint32_t i = 0; i < bm->table_size; i++) {
        uint64_t e = be64_to_cpu(table[i]);
        uint64_t off = e & BME_TABLE_ENTRY_OFFSET_MASK;
        uint64_t start = i * per_cluster;
        uint64_t count = MIN(per_cluster, size - start);

        if ((e & BME_TABLE_ENTRY_RESERVED_MASK) ||
            (off && (e & BME_TABLE_ENTRY_FLAG_ALL_ONES)) ||
            offset_into_cluster(s, off)) {
            ret = -EINVAL;
            break;
        }
        if (!off) {
            if (e & BME_TABLE_ENTRY_FLAG_ALL_ONES) {
                bdrv_dirty_bitmap_deserialize_ones(bitmap, start, count,
                                                   false);
            } else {
                bdrv_dirty_bitmap_deserialize_zeroes(bitmap, start, count,
                                                     false);
            }
            continue;
        }
        ret = bdrv_pread(bs->file, off, s->cluster_size, buf, 0);
        if (ret < 0) {
            break;
        }
        bdrv_dirty_bitmap_deserialize_part(bitmap, buf, start, count, false);
    }
    qemu_vfree(buf);
    bdrv_dirty_bitmap_deserialize_finish(bitmap);
    return ret;
}

/* Create the BdrvDirtyBitmap for @bm (contents only if not in use). */
static BdrvDirtyBitmap * GRAPH_RDLOCK
load_bitmap(BlockDriverState *bs, Qcow2Bitmap *bm, Error **errp)
{
    BdrvDirtyBitmap *bitmap;
    int ret;

    bitmap = bdrv_create_dirty_bitmap(bs, 1U << bm->granularity_bits,
                                      bm->name, errp);
    if (!bitmap) {
        return NULL;
    }
    /* In use: someone did not store it; its data says nothing. */
    if (bm->flags & BME_FLAG_IN_USE) {
        return bitmap;
    }
    ret = load_bitmap_data(bs, bm, bitmap);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read bitmap '%s' from image",
                         bm->name);
        bdrv_release_dirty_bitmap(bitmap);
        return NULL;
    }
    return bitmap;
}

/*
 * Load every stored bitmap into a BdrvDirtyBitmap: persistent, disabled
 * unless "auto", inconsistent if found in use.  Opened read-write, the
 * loaded ones are marked in use on disk until they are stored again;
 * read-only, they are read-only.
 */
static int GRAPH_RDLOCK
load_dirty_bitmaps(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    bool writable = (s->flags & BDRV_O_RDWR) &&
                    !(s->flags & BDRV_O_INACTIVE);
    g_autoptr(GSList) created = NULL;
    Qcow2BitmapList *l;
    bool update = false;
    int ret;

    ret = qcow2_bitmap_list_load(bs, &l, errp);
    if (ret < 0) {
        goto out;
    }
    for (uint32_t i = 0; i < l->nb; i++) {
        Qcow2Bitmap *bm = &l->e[i];
        BdrvDirtyBitmap *bitmap;

        /* Already here (reopen): the in-memory copy is newer. */
        if ((bm->flags & BME_FLAG_IN_USE) &&
            bdrv_find_dirty_bitmap(bs, bm->name)) {
            continue;
        }
        bitmap = load_bitmap(bs, bm, errp);
        if (!bitmap) {
            ret = -EINVAL;
            goto out;
        }
        created = g_slist_prepend(created, bitmap);
        bdrv_dirty_bitmap_set_persistence(bitmap, true);
        if (bm->flags & BME_FLAG_IN_USE) {
            bdrv_dirty_bitmap_set_inconsistent(bitmap);
        } else {
            bm->flags |= BME_FLAG_IN_USE;
            update = true;
        }
        if (!(bm->flags & BME_FLAG_AUTO)) {
            bdrv_disable_dirty_bitmap(bitmap);
        }
        if (!writable) {
            bdrv_dirty_bitmap_set_readonly(bitmap, true);
        }
    }
    if (update && writable) {
        ret = qcow2_bitmap_dir_write_in_place(bs, l);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Can't update bitmap directory");
            goto out;
        }
    }
    ret = 0;
out:
    if (ret < 0) {
        for (GSList *e = created; e; e = e->next) {
            bdrv_release_dirty_bitmap(e->data);
        }
    }
    qcow2_bitmap_list_free(l);
    return ret;
}

int coroutine_fn qcow2_read_bitmaps(BlockDriverState *bs,
                                    bool autoclear_was_set,
                                    bool *header_updated, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    *header_updated = false;
    if (!s->nb_bitmaps) {
        return 0;
    }
    if (!autoclear_was_set) {
        /* Someone without bitmap support wrote the image: drop them. */
        if (s->qcow_version < 3) {
            warn_report("This qcow2 v2 image contains bitmaps, but they may "
                        "have been modified by a program without persistent "
                        "bitmap support; so now they must all be considered "
                        "inconsistent");
        } else {
            warn_report("a program lacking bitmap support modified this "
                        "file, so all bitmaps are now considered "
                        "inconsistent");
        }
        error_printf("Some clusters may be leaked, run 'qemu-img check -r' "
                     "on the image file to fix.");
        s->nb_bitmaps = 0;
        s->bitmap_directory_offset = 0;
        s->bitmap_directory_size = 0;
        s->autoclear_features &= ~QCOW2_AUTOCLEAR_BITMAPS;
        if ((s->flags & BDRV_O_RDWR) && !(s->flags & BDRV_O_INACTIVE)) {
            int ret = qcow2_update_header(bs);

            if (ret < 0) {
                error_setg_errno(errp, -ret, "Could not update qcow2 header");
                return ret;
            }
            *header_updated = true;
        }
        return 0;
    }
    if (s->flags & BDRV_O_INACTIVE) {
        Qcow2BitmapList *l;
        int ret = qcow2_bitmap_list_load(bs, &l, errp);

        qcow2_bitmap_list_free(l);
        return ret;
    }
    return load_dirty_bitmaps(bs, errp);
}

int qcow2_reopen_bitmaps_rw(BlockDriverState *bs, Error **errp)
{
    Qcow2BitmapList *l;
    bool update = false;
    int ret;

    ret = qcow2_bitmap_list_load(bs, &l, errp);
    for (uint32_t i = 0; ret == 0 && i < l->nb; i++) {
        Qcow2Bitmap *bm = &l->e[i];
        BdrvDirtyBitmap *bitmap = bdrv_find_dirty_bitmap(bs, bm->name);

        if (!bitmap || !bdrv_dirty_bitmap_readonly(bitmap)) {
            continue;
        }
        /* Writable again: in use on disk until stored. */
        if (!(bm->flags & BME_FLAG_IN_USE)) {
            bm->flags |= BME_FLAG_IN_USE;
            update = true;
        }
    }
    if (ret == 0 && update) {
        ret = qcow2_bitmap_dir_write_in_place(bs, l);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Can't update bitmap directory");
        }
    }
    if (ret == 0) {
        BdrvDirtyBitmap *bitmap;

        FOR_EACH_DIRTY_BITMAP(bs, bitmap) {
            if (bdrv_dirty_bitmap_get_persistence(bitmap)) {
                bdrv_dirty_bitmap_set_readonly(bitmap, false);
            }
        }
    }
    qcow2_bitmap_list_free(l);
    return ret;
}

int qcow2_reopen_bitmaps_ro(BlockDriverState *bs, Error **errp)
{
    BdrvDirtyBitmap *bitmap;

    if (!qcow2_store_persistent_dirty_bitmaps(bs, false, errp)) {
        return -EINVAL;
    }
    FOR_EACH_DIRTY_BITMAP(bs, bitmap) {
        if (bdrv_dirty_bitmap_get_persistence(bitmap)) {
            bdrv_dirty_bitmap_set_readonly(bitmap, true);
        }
    }
    return 0;
}

bool coroutine_fn
qcow2_co_can_store_new_dirty_bitmap(BlockDriverState *bs, const char *name,
                                    uint32_t granularity, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    BdrvDirtyBitmap *bitmap;
    uint64_t dir_size = 0;
    uint32_t nb = 0;

    if (s->qcow_version < 3) {
        /* No autoclear bit: every open would have to drop them. */
        error_setg(errp, "Cannot store dirty bitmaps in qcow2 v2 files");
        goto fail;
    }
    if (qcow2_bitmap_check_constraints(bs, name, granularity, errp) < 0) {
        goto fail;
    }
    /* Everything persistent in memory ends up in the directory. */
    FOR_EACH_DIRTY_BITMAP(bs, bitmap) {
        if (bdrv_dirty_bitmap_get_persistence(bitmap)) {
            nb++;
            dir_size += dir_entry_size(bdrv_dirty_bitmap_name(bitmap));
        }
    }
    nb++;
    dir_size += dir_entry_size(name);
    if (nb > QCOW2_MAX_BITMAPS) {
        error_setg(errp, "Maximum number of persistent bitmaps is already "
                   "reached");
        goto fail;
    }
    if (dir_size > QCOW2_MAX_BITMAP_DIRECTORY_SIZE) {
        error_setg(errp, "Not enough space in the bitmap directory");
        goto fail;
    }
    return true;

fail:
    error_prepend(errp, "Can't make bitmap '%s' persistent in '%s': ",
                  name, bdrv_get_device_or_node_name(bs));
    return false;
}

int coroutine_fn
qcow2_co_remove_persistent_dirty_bitmap(BlockDriverState *bs,
                                        const char *name, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2BitmapList *l = NULL;
    Qcow2Bitmap *bm, gone;
    int ret;

    if (!s->nb_bitmaps) {
        /* Never stored (added since open): nothing to do on disk. */
        return 0;
    }
    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_bitmap_list_load(bs, &l, errp);
    if (ret < 0) {
        goto out;
    }
    bm = qcow2_bitmap_list_find(l, name);
    if (!bm) {
        ret = 0;
        goto out;
    }
    gone = *bm;
    memmove(bm, bm + 1, (l->nb - (bm - l->e) - 1) * sizeof(*bm));
    l->nb--;
    ret = qcow2_bitmap_dir_replace(bs, l);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to update bitmap extension");
        g_free(gone.name);
        goto out;
    }
    qcow2_bitmap_free_clusters(bs, gone.table_offset, gone.table_size);
    g_free(gone.name);
out:
    qemu_co_mutex_unlock(&s->lock);
    qcow2_bitmap_list_free(l);
    return ret;
}

/* Count one bitmap's table and data clusters. */
static int coroutine_fn GRAPH_RDLOCK
count_bitmap(BlockDriverState *bs, Qcow2Bitmap *bm, BdrvCheckResult *res,
             void (*count)(void *, uint64_t, uint64_t), void *opaque)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t bytes = (uint64_t)bm->table_size * 8;
    g_autofree uint64_t *tbl = NULL;
    int ret;

    count(opaque, bm->table_offset, bytes);
    if (!bytes) {
        return 0;
    }
    tbl = g_try_malloc(bytes);
    if (!tbl) {
        res->check_errors++;
        return -ENOMEM;
    }
    ret = bdrv_co_pread(bs->file, bm->table_offset, bytes, tbl, 0);
    if (ret < 0) {
        res->check_errors++;
        return ret;
    }
    for (uint32_t i = 0; i < bm->table_size; i++) {
        uint64_t e = be64_to_cpu(tbl[i]);
        uint64_t off = e & BME_TABLE_ENTRY_OFFSET_MASK;

        if (e & BME_TABLE_ENTRY_RESERVED_MASK) {
            fprintf(stderr, "ERROR bitmap table entry %" PRIu32 " of bitmap "
                    "'%s' has reserved bits set\n", i, bm->name);
            res->corruptions++;
            continue;
        }
        if (off) {
            count(opaque, off, s->cluster_size);
        }
    }
    return 0;
}

int coroutine_fn
qcow2_check_bitmaps_refcounts(BlockDriverState *bs, BdrvCheckResult *res,
                              void (*count)(void *opaque, uint64_t offset,
                                            uint64_t size),
                              void *opaque)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2BitmapList *l = NULL;
    Error *err = NULL;
    int ret = 0;

    if (!s->nb_bitmaps) {
        return 0;
    }
    count(opaque, s->bitmap_directory_offset, s->bitmap_directory_size);
    if (qcow2_bitmap_list_load(bs, &l, &err) < 0) {
        fprintf(stderr, "ERROR %s\n", error_get_pretty(err));
        error_free(err);
        res->corruptions++;
        qcow2_bitmap_list_free(l);
        return 0;
    }
    for (uint32_t i = 0; i < l->nb && ret >= 0; i++) {
        ret = count_bitmap(bs, &l->e[i], res, count, opaque);
    }
    qcow2_bitmap_list_free(l);
    return ret;
}

/* Prepend @flag to *@list. */
static void add_flag(Qcow2BitmapInfoFlagsList **list, Qcow2BitmapInfoFlags f)
{
    Qcow2BitmapInfoFlagsList *e = g_new0(Qcow2BitmapInfoFlagsList, 1);

    e->value = f;
    e->next = *list;
    *list = e;
}

Qcow2BitmapInfoList *qcow2_get_bitmap_info_list(BlockDriverState *bs,
                                                Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2BitmapInfoList *list = NULL, **tail = &list;
    Qcow2BitmapList *l = NULL;

    if (!s->nb_bitmaps) {
        return NULL;
    }
    if (qcow2_bitmap_list_load(bs, &l, errp) < 0) {
        qcow2_bitmap_list_free(l);
        return NULL;
    }
    for (uint32_t i = 0; i < l->nb; i++) {
        Qcow2BitmapInfo *info = g_new0(Qcow2BitmapInfo, 1);

        info->name = g_strdup(l->e[i].name);
        info->granularity = 1U << l->e[i].granularity_bits;
        /* Listed in bit order: in-use before auto. */
        if (l->e[i].flags & BME_FLAG_AUTO) {
            add_flag(&info->flags, QCOW2_BITMAP_INFO_FLAGS_AUTO);
        }
        if (l->e[i].flags & BME_FLAG_IN_USE) {
            add_flag(&info->flags, QCOW2_BITMAP_INFO_FLAGS_IN_USE);
        }
        *tail = g_new0(Qcow2BitmapInfoList, 1);
        (*tail)->value = info;
        tail = &(*tail)->next;
    }
    qcow2_bitmap_list_free(l);
    return list;
}
