/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dirty-bitmap.h: dirty bitmaps of block nodes (which byte ranges were
 * written since a point in time).  Declarations only so far: nothing in
 * the tree implements bitmaps yet, and BlockDriverState just keeps the
 * (empty) list.  Granularity and offsets are in bytes.
 */
#ifndef BLOCK_DIRTY_BITMAP_H
#define BLOCK_DIRTY_BITMAP_H

#include "qemu/typedefs.h"

typedef struct HBitmap HBitmap;

/*
 * Create a bitmap of @granularity bytes (power of two, >= 512) over the
 * whole of @bs.  NULL with @errp set on failure.  Main loop only.
 */
BdrvDirtyBitmap *bdrv_create_dirty_bitmap(BlockDriverState *bs,
                                          uint32_t granularity,
                                          const char *name,
                                          Error **errp);
void bdrv_release_dirty_bitmap(BdrvDirtyBitmap *bitmap);
void bdrv_release_named_dirty_bitmaps(BlockDriverState *bs);
BdrvDirtyBitmap *bdrv_find_dirty_bitmap(BlockDriverState *bs,
                                        const char *name);

/* Mark / clear [@offset, @offset + @bytes). */
void bdrv_set_dirty_bitmap(BdrvDirtyBitmap *bitmap,
                           int64_t offset, int64_t bytes);
void bdrv_reset_dirty_bitmap(BdrvDirtyBitmap *bitmap,
                             int64_t offset, int64_t bytes);
void bdrv_clear_dirty_bitmap(BdrvDirtyBitmap *bitmap, HBitmap **out);

bool bdrv_dirty_bitmap_get(BdrvDirtyBitmap *bitmap, int64_t offset);
uint32_t bdrv_dirty_bitmap_granularity(const BdrvDirtyBitmap *bitmap);
int64_t bdrv_dirty_bitmap_size(const BdrvDirtyBitmap *bitmap);
int64_t bdrv_get_dirty_count(BdrvDirtyBitmap *bitmap);
bool bdrv_dirty_bitmap_enabled(BdrvDirtyBitmap *bitmap);
const char *bdrv_dirty_bitmap_name(const BdrvDirtyBitmap *bitmap);
bool bdrv_has_named_bitmaps(BlockDriverState *bs);

/* Resize every bitmap of @bs to its new length (after truncate). */
void bdrv_dirty_bitmap_truncate(BlockDriverState *bs, int64_t bytes);

/* Lock protecting bitmap contents: bs->dirty_bitmap_mutex. */
void bdrv_dirty_bitmaps_lock(BlockDriverState *bs);
void bdrv_dirty_bitmaps_unlock(BlockDriverState *bs);

#endif /* BLOCK_DIRTY_BITMAP_H */
