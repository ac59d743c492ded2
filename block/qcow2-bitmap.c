/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 persistent dirty bitmaps, metadata only: the bitmap directory
 * named by the bitmaps header extension is read and validated on open and
 * kept intact; a clear autoclear bit (another program touched the image)
 * drops the extension; the image check counts the directory, the bitmap
 * tables and their data clusters.  Loading bitmaps into BdrvDirtyBitmaps
 * and storing them back is not done: the bitmaps are carried along as
 * they are.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qcow2.h"

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

#define BME_FLAG_IN_USE     (1U << 0)
#define BME_FLAG_AUTO       (1U << 1)
#define BME_RESERVED_FLAGS  0xfffffffcU
#define BME_TYPE_DIRTY_TRACKING 1
#define BME_MIN_GRANULARITY_BITS 9
#define BME_MAX_GRANULARITY_BITS 31
#define BME_MAX_NAME_SIZE 1023
#define BME_TABLE_ENTRY_OFFSET_MASK 0x00fffffffffffe00ULL
#define BME_TABLE_ENTRY_RESERVED_MASK 0xff000000000001feULL

/* One parsed directory entry. */
typedef struct Qcow2BitmapDir {
    uint64_t table_offset;
    uint32_t table_size;
    uint32_t flags;
    uint8_t granularity_bits;
    char *name;
} Qcow2BitmapDir;

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

/* Parse and validate the whole directory into @bms (s->nb_bitmaps). */
static int parse_dir(BlockDriverState *bs, const uint8_t *dir,
                     Qcow2BitmapDir *bms, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t pos = 0;

    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        Qcow2BitmapDirEntry e;
        uint64_t len;

        if (pos + sizeof(e) > s->bitmap_directory_size) {
            goto broken;
        }
        memcpy(&e, dir + pos, sizeof(e));
        bms[i].table_offset = be64_to_cpu(e.bitmap_table_offset);
        bms[i].table_size = be32_to_cpu(e.bitmap_table_size);
        bms[i].flags = be32_to_cpu(e.flags);
        bms[i].granularity_bits = e.granularity_bits;
        len = sizeof(e) + (uint64_t)be32_to_cpu(e.extra_data_size) +
              be16_to_cpu(e.name_size);
        if (pos + len > s->bitmap_directory_size ||
            be16_to_cpu(e.name_size) == 0 ||
            be16_to_cpu(e.name_size) > BME_MAX_NAME_SIZE ||
            e.type != BME_TYPE_DIRTY_TRACKING ||
            e.granularity_bits < BME_MIN_GRANULARITY_BITS ||
            e.granularity_bits > BME_MAX_GRANULARITY_BITS ||
            offset_into_cluster(s, bms[i].table_offset) ||
            (uint64_t)bms[i].table_size * 8 > QCOW_MAX_L1_SIZE) {
            goto broken;
        }
        bms[i].name = g_strndup((const char *)dir + pos + sizeof(e) +
                                be32_to_cpu(e.extra_data_size),
                                be16_to_cpu(e.name_size));
        pos += ROUND_UP(len, 8);
    }
    return 0;

broken:
    error_setg(errp, "Bitmap directory is corrupted");
    return -EINVAL;
}

static void free_bitmap_infos(Qcow2BitmapDir *bms, uint32_t nb)
{
    for (uint32_t i = 0; bms && i < nb; i++) {
        g_free(bms[i].name);
    }
    g_free(bms);
}

/* Read and parse the directory; *@pbms gets s->nb_bitmaps entries. */
static int GRAPH_RDLOCK
load_dir(BlockDriverState *bs, Qcow2BitmapDir **pbms, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *dir = NULL;
    Qcow2BitmapDir *bms;
    int ret;

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
    bms = g_new0(Qcow2BitmapDir, MAX(s->nb_bitmaps, 1));
    ret = parse_dir(bs, dir, bms, errp);
    if (ret < 0) {
        free_bitmap_infos(bms, s->nb_bitmaps);
        return ret;
    }
    *pbms = bms;
    return 0;
}

int coroutine_fn qcow2_read_bitmaps(BlockDriverState *bs,
                                    bool autoclear_was_set,
                                    bool *header_updated, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2BitmapDir *bms = NULL;
    int ret;

    *header_updated = false;
    if (!s->nb_bitmaps) {
        return 0;
    }
    if (!autoclear_was_set) {
        warn_report("a program lacking bitmap support modified this file, "
                    "so all bitmaps are now considered inconsistent");
        error_printf("Some clusters may be leaked, run 'qemu-img check -r' "
                     "on the image file to fix.");
        s->nb_bitmaps = 0;
        s->bitmap_directory_offset = 0;
        s->bitmap_directory_size = 0;
        s->autoclear_features &= ~QCOW2_AUTOCLEAR_BITMAPS;
        if (bs->open_flags & BDRV_O_RDWR) {
            ret = qcow2_update_header(bs);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Could not update qcow2 header");
                return ret;
            }
            *header_updated = true;
        }
        return 0;
    }
    ret = load_dir(bs, &bms, errp);
    free_bitmap_infos(bms, s->nb_bitmaps);
    return ret;
}

/* Count one bitmap's table and data clusters. */
static int coroutine_fn GRAPH_RDLOCK
count_bitmap(BlockDriverState *bs, Qcow2BitmapDir *bm, BdrvCheckResult *res,
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
    Qcow2BitmapDir *bms = NULL;
    Error *err = NULL;
    int ret = 0;

    if (!s->nb_bitmaps) {
        return 0;
    }
    count(opaque, s->bitmap_directory_offset, s->bitmap_directory_size);
    if (load_dir(bs, &bms, &err) < 0) {
        fprintf(stderr, "ERROR %s\n", error_get_pretty(err));
        error_free(err);
        res->corruptions++;
        return 0;
    }
    for (uint32_t i = 0; i < s->nb_bitmaps && ret >= 0; i++) {
        ret = count_bitmap(bs, &bms[i], res, count, opaque);
    }
    free_bitmap_infos(bms, s->nb_bitmaps);
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
    Qcow2BitmapDir *bms = NULL;

    if (!s->nb_bitmaps) {
        return NULL;
    }
    if (load_dir(bs, &bms, errp) < 0) {
        return NULL;
    }
    for (uint32_t i = 0; i < s->nb_bitmaps; i++) {
        Qcow2BitmapInfo *info = g_new0(Qcow2BitmapInfo, 1);

        info->name = g_strdup(bms[i].name);
        info->granularity = 1U << bms[i].granularity_bits;
        /* Listed in bit order: in-use before auto. */
        if (bms[i].flags & BME_FLAG_AUTO) {
            add_flag(&info->flags, QCOW2_BITMAP_INFO_FLAGS_AUTO);
        }
        if (bms[i].flags & BME_FLAG_IN_USE) {
            add_flag(&info->flags, QCOW2_BITMAP_INFO_FLAGS_IN_USE);
        }
        *tail = g_new0(Qcow2BitmapInfoList, 1);
        (*tail)->value = info;
        tail = &(*tail)->next;
    }
    free_bitmap_infos(bms, s->nb_bitmaps);
    return list;
}
