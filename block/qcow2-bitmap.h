/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-bitmap.h: what qcow2-bitmap.c and qcow2-bitmap-store.c share:
 * the on-disk constants of the bitmap directory and tables and the
 * in-memory copy of the directory.  The driver-facing functions are
 * declared in qcow2.h.
 */
#ifndef BLOCK_QCOW2_BITMAP_H
#define BLOCK_QCOW2_BITMAP_H

#include "qcow2.h"

#define BME_FLAG_IN_USE     (1U << 0)
#define BME_FLAG_AUTO       (1U << 1)
#define BME_RESERVED_FLAGS  0xfffffffcU
#define BME_TYPE_DIRTY_TRACKING 1
#define BME_MIN_GRANULARITY_BITS 9
#define BME_MAX_GRANULARITY_BITS 31
#define BME_MAX_NAME_SIZE 1023
#define BME_MAX_TABLE_SIZE 0x8000000
#define BME_MAX_PHYS_SIZE 0x20000000    /* 512 MiB of bitmap data */
#define BME_TABLE_ENTRY_OFFSET_MASK 0x00fffffffffffe00ULL
#define BME_TABLE_ENTRY_RESERVED_MASK 0xff000000000001feULL
#define BME_TABLE_ENTRY_FLAG_ALL_ONES 1ULL

/* One directory entry. */
typedef struct Qcow2Bitmap {
    uint64_t table_offset;
    uint32_t table_size;            /* entries */
    uint32_t flags;                 /* BME_FLAG_* */
    uint8_t granularity_bits;
    uint32_t extra_data_size;
    char *name;
    BdrvDirtyBitmap *dirty_bitmap;  /* store: the in-memory bitmap */
} Qcow2Bitmap;

/* The directory, in on-disk order. */
typedef struct Qcow2BitmapList {
    Qcow2Bitmap *e;
    uint32_t nb;
} Qcow2BitmapList;

void qcow2_bitmap_list_free(Qcow2BitmapList *l);
/* Append an entry named @name (copied; may be NULL), zeroed otherwise. */
Qcow2Bitmap *qcow2_bitmap_list_append(Qcow2BitmapList *l, const char *name);
Qcow2Bitmap *qcow2_bitmap_list_find(Qcow2BitmapList *l, const char *name);

/*
 * Read and validate the directory named by the header.  *@pl is always
 * set (free it with qcow2_bitmap_list_free()); 0 or -errno with @errp.
 */
int GRAPH_RDLOCK qcow2_bitmap_list_load(BlockDriverState *bs,
                                        Qcow2BitmapList **pl, Error **errp);

/*
 * Overwrite the directory where it is (same entries, only flags
 * changed) with the autoclear bit clear meanwhile, as QEMU.  0 or -errno.
 */
int GRAPH_RDLOCK qcow2_bitmap_dir_write_in_place(BlockDriverState *bs,
                                                 Qcow2BitmapList *l);

/*
 * Write @l as a new directory in new clusters, point the header at it
 * (setting the autoclear bit, or clearing extension and bit for an empty
 * list) and free the old one.  On failure the image is unchanged.
 */
int GRAPH_RDLOCK qcow2_bitmap_dir_replace(BlockDriverState *bs,
                                          Qcow2BitmapList *l);

uint64_t qcow2_bitmap_bytes_needed(int64_t len, uint32_t granularity);

/* QEMU's limits for a bitmap @name of @granularity on @bs (with errp). */
int GRAPH_RDLOCK qcow2_bitmap_check_constraints(BlockDriverState *bs,
                                                const char *name,
                                                uint32_t granularity,
                                                Error **errp);

/* Free a stored bitmap's data clusters and its table. */
void GRAPH_RDLOCK qcow2_bitmap_free_clusters(BlockDriverState *bs,
                                             uint64_t table_offset,
                                             uint32_t table_size);

#endif /* BLOCK_QCOW2_BITMAP_H */
