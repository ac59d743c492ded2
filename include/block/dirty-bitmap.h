/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dirty-bitmap.h: dirty bitmaps of block nodes (which byte ranges were
 * written since a point in time).  A node keeps its bitmaps in
 * bs->dirty_bitmaps; the write, zero, discard and truncate completion
 * path (block/io.c) marks every enabled one.  Persistent bitmaps are
 * loaded and stored by the format driver (qcow2).  Granularity and
 * offsets are in bytes.
 *
 * Locking: bitmap contents and the list are protected by
 * bs->dirty_bitmap_mutex.  The plain functions take it themselves; the
 * creation, release, flag setters and management operations are main
 * loop only.
 */
#ifndef BLOCK_DIRTY_BITMAP_H
#define BLOCK_DIRTY_BITMAP_H

#include "qemu/typedefs.h"
#include "qemu/hbitmap.h"
#include "block/graph-lock.h"

/* Longest bitmap name (the qcow2 limit). */
#define BDRV_BITMAP_MAX_NAME_SIZE 1023

/* What bdrv_dirty_bitmap_check() refuses. */
typedef enum BdrvDirtyBitmapFlags {
    BDRV_BITMAP_BUSY = 1,           /* in use by an operation */
    BDRV_BITMAP_RO = 2,             /* read-only (image opened read-only) */
    BDRV_BITMAP_INCONSISTENT = 4,   /* found in use on disk: data unusable */
} BdrvDirtyBitmapFlags;

#define BDRV_BITMAP_DEFAULT \
    (BDRV_BITMAP_BUSY | BDRV_BITMAP_RO | BDRV_BITMAP_INCONSISTENT)
#define BDRV_BITMAP_ALLOW_RO (BDRV_BITMAP_DEFAULT & ~BDRV_BITMAP_RO)

/*
 * Create an enabled, transient bitmap of @granularity bytes (power of
 * two, >= 512) over the whole of @bs.  @name may be NULL (anonymous).
 * NULL with @errp set if the name is taken or too long or the length of
 * @bs is unknown.  Main loop only.
 */
BdrvDirtyBitmap *bdrv_create_dirty_bitmap(BlockDriverState *bs,
                                          uint32_t granularity,
                                          const char *name,
                                          Error **errp);
/* Unlink and free @bitmap (any contents are lost).  Main loop only. */
void bdrv_release_dirty_bitmap(BdrvDirtyBitmap *bitmap);
/* Release every named bitmap of @bs (on close). */
void bdrv_release_named_dirty_bitmaps(BlockDriverState *bs);
BdrvDirtyBitmap *bdrv_find_dirty_bitmap(BlockDriverState *bs,
                                        const char *name);

/* Mark / clear [@offset, @offset + @bytes). */
void bdrv_set_dirty_bitmap(BdrvDirtyBitmap *bitmap,
                           int64_t offset, int64_t bytes);
void bdrv_reset_dirty_bitmap(BdrvDirtyBitmap *bitmap,
                             int64_t offset, int64_t bytes);
/* As above, caller holds bs->dirty_bitmap_mutex. */
void bdrv_set_dirty_bitmap_locked(BdrvDirtyBitmap *bitmap,
                                  int64_t offset, int64_t bytes);
void bdrv_reset_dirty_bitmap_locked(BdrvDirtyBitmap *bitmap,
                                    int64_t offset, int64_t bytes);
/*
 * Clear all of @bitmap.  With @out, the old contents move to *@out (an
 * HBitmap the caller frees) instead of being dropped.
 */
void bdrv_clear_dirty_bitmap(BdrvDirtyBitmap *bitmap, HBitmap **out);

bool bdrv_dirty_bitmap_get(BdrvDirtyBitmap *bitmap, int64_t offset);
uint32_t bdrv_dirty_bitmap_granularity(const BdrvDirtyBitmap *bitmap);
int64_t bdrv_dirty_bitmap_size(const BdrvDirtyBitmap *bitmap);
/* Dirty bytes (whole granules). */
int64_t bdrv_get_dirty_count(BdrvDirtyBitmap *bitmap);
bool bdrv_dirty_bitmap_enabled(BdrvDirtyBitmap *bitmap);
const char *bdrv_dirty_bitmap_name(const BdrvDirtyBitmap *bitmap);
BlockDriverState *bdrv_dirty_bitmap_bs(BdrvDirtyBitmap *bitmap);
bool bdrv_has_named_bitmaps(BlockDriverState *bs);

/* Disabled bitmaps keep their contents but ignore writes. */
void bdrv_enable_dirty_bitmap(BdrvDirtyBitmap *bitmap);
void bdrv_disable_dirty_bitmap(BdrvDirtyBitmap *bitmap);

/* Persistent bitmaps are stored by the format driver when it closes. */
void bdrv_dirty_bitmap_set_persistence(BdrvDirtyBitmap *bitmap,
                                       bool persistent);
bool bdrv_dirty_bitmap_get_persistence(BdrvDirtyBitmap *bitmap);
/* Inconsistent: loaded from an image that marks it in use. */
void bdrv_dirty_bitmap_set_inconsistent(BdrvDirtyBitmap *bitmap);
bool bdrv_dirty_bitmap_inconsistent(const BdrvDirtyBitmap *bitmap);
void bdrv_dirty_bitmap_set_readonly(BdrvDirtyBitmap *bitmap, bool value);
bool bdrv_dirty_bitmap_readonly(const BdrvDirtyBitmap *bitmap);
void bdrv_dirty_bitmap_set_busy(BdrvDirtyBitmap *bitmap, bool busy);
bool bdrv_dirty_bitmap_busy(const BdrvDirtyBitmap *bitmap);
/* Whether @bs has a bitmap that is read-only. */
bool bdrv_has_readonly_bitmaps(BlockDriverState *bs);

/*
 * 0 if @bitmap has none of the conditions in @flags (BDRV_BITMAP_*),
 * else -1 with @errp set to the message QEMU gives for the first one.
 */
int bdrv_dirty_bitmap_check(const BdrvDirtyBitmap *bitmap, uint32_t flags,
                            Error **errp);

/* The bitmaps of @bs, newest first; NULL after the last one. */
BdrvDirtyBitmap *bdrv_dirty_bitmap_first(BlockDriverState *bs);
BdrvDirtyBitmap *bdrv_dirty_bitmap_next(BdrvDirtyBitmap *bitmap);
#define FOR_EACH_DIRTY_BITMAP(bs, bitmap) \
    for ((bitmap) = bdrv_dirty_bitmap_first(bs); (bitmap); \
         (bitmap) = bdrv_dirty_bitmap_next(bitmap))

/* Searches as hbitmap_next_dirty() / _zero() / _dirty_area(), in bytes. */
int64_t bdrv_dirty_bitmap_next_dirty(BdrvDirtyBitmap *bitmap, int64_t offset,
                                     int64_t bytes);
int64_t bdrv_dirty_bitmap_next_zero(BdrvDirtyBitmap *bitmap, int64_t offset,
                                    int64_t bytes);
bool bdrv_dirty_bitmap_next_dirty_area(BdrvDirtyBitmap *bitmap,
                                       int64_t start, int64_t end,
                                       int64_t max_dirty_count,
                                       int64_t *dirty_start,
                                       int64_t *dirty_count);

/* Iterate over the dirty granules of a bitmap (caller locks). */
BdrvDirtyBitmapIter *bdrv_dirty_iter_new(BdrvDirtyBitmap *bitmap);
/* Offset of the next dirty granule, or -1 at the end. */
int64_t bdrv_dirty_iter_next(BdrvDirtyBitmapIter *iter);
void bdrv_set_dirty_iter(BdrvDirtyBitmapIter *iter, int64_t offset);
void bdrv_dirty_iter_free(BdrvDirtyBitmapIter *iter);

/*
 * @dest |= @src.  Both must cover the same length; granularities may
 * differ.  With @backup, *@backup gets a copy of @dest's old contents.
 * false with @errp set (nothing changed) if @dest is busy, read-only or
 * inconsistent, @src busy or inconsistent, or the sizes differ.
 */
bool bdrv_merge_dirty_bitmap(BdrvDirtyBitmap *dest,
                             const BdrvDirtyBitmap *src,
                             HBitmap **backup, Error **errp);
/* Put back contents saved by bdrv_merge_dirty_bitmap(); frees @backup. */
void bdrv_restore_dirty_bitmap(BdrvDirtyBitmap *bitmap, HBitmap *backup);

/* Serialization in the qcow2 layout (see hbitmap.h), by byte offsets. */
uint64_t bdrv_dirty_bitmap_serialization_size(const BdrvDirtyBitmap *bitmap,
                                              uint64_t offset,
                                              uint64_t bytes);
uint64_t bdrv_dirty_bitmap_serialization_align(const BdrvDirtyBitmap *bitmap);
void bdrv_dirty_bitmap_serialize_part(const BdrvDirtyBitmap *bitmap,
                                      uint8_t *buf, uint64_t offset,
                                      uint64_t bytes);
void bdrv_dirty_bitmap_deserialize_part(BdrvDirtyBitmap *bitmap,
                                        uint8_t *buf, uint64_t offset,
                                        uint64_t bytes, bool finish);
void bdrv_dirty_bitmap_deserialize_zeroes(BdrvDirtyBitmap *bitmap,
                                          uint64_t offset, uint64_t bytes,
                                          bool finish);
void bdrv_dirty_bitmap_deserialize_ones(BdrvDirtyBitmap *bitmap,
                                        uint64_t offset, uint64_t bytes,
                                        bool finish);
void bdrv_dirty_bitmap_deserialize_finish(BdrvDirtyBitmap *bitmap);

/* Resize every bitmap of @bs to its new length (after truncate). */
void bdrv_dirty_bitmap_truncate(BlockDriverState *bs, int64_t bytes);

/* Lock protecting bitmap contents: bs->dirty_bitmap_mutex. */
void bdrv_dirty_bitmaps_lock(BlockDriverState *bs);
void bdrv_dirty_bitmaps_unlock(BlockDriverState *bs);

/* Whether @bs's driver can store persistent bitmaps (qcow2 v3). */
bool bdrv_supports_persistent_dirty_bitmap(BlockDriverState *bs);

/*
 * The granularity a new bitmap gets when none is given: the cluster size
 * clamped to [4 KiB, 64 KiB], or 64 KiB without one.
 */
uint32_t GRAPH_RDLOCK bdrv_get_default_bitmap_granularity(
    BlockDriverState *bs);

/*
 * Remove the stored copy of the persistent bitmap @name from @bs's image
 * (driver callback).  0, or -errno with @errp set.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_remove_persistent_dirty_bitmap(BlockDriverState *bs, const char *name,
                                       Error **errp);
int co_wrapper_bdrv_rdlock
bdrv_remove_persistent_dirty_bitmap(BlockDriverState *bs, const char *name,
                                    Error **errp);

/*
 * Management operations with the checks and messages of QEMU's
 * block-dirty-bitmap-* commands (used by qemu-img bitmap).  Each returns
 * false with @errp set on failure.  Main loop only, no graph lock held.
 *
 * _add: @granularity 0 means the default; a persistent bitmap must be
 * storable by the driver (bdrv_can_store_new_dirty_bitmap).
 * _remove: also removes a persistent bitmap from the image.
 * _merge: @dest_name |= @src_name of @src_bs.
 */
bool block_dirty_bitmap_add(BlockDriverState *bs, const char *name,
                            uint32_t granularity, bool persistent,
                            bool disabled, Error **errp);
bool block_dirty_bitmap_remove(BlockDriverState *bs, const char *name,
                               Error **errp);
bool block_dirty_bitmap_clear(BlockDriverState *bs, const char *name,
                              Error **errp);
bool block_dirty_bitmap_enable(BlockDriverState *bs, const char *name,
                               Error **errp);
bool block_dirty_bitmap_disable(BlockDriverState *bs, const char *name,
                                Error **errp);
bool block_dirty_bitmap_merge(BlockDriverState *bs, const char *dest_name,
                              BlockDriverState *src_bs, const char *src_name,
                              Error **errp);

#endif /* BLOCK_DIRTY_BITMAP_H */
