/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hbitmap.h: hierarchical bitmaps.  An HBitmap covers @size items (bytes,
 * for dirty bitmaps); one bit stands for 2^granularity consecutive items.
 * Above the bit array sit summary levels (one bit per 64-bit word of the
 * level below, set while that word is non-zero), so that finding the next
 * set bit skips empty regions quickly.  Not thread-safe: callers lock.
 *
 * All positions and lengths are in items.  A range touching any part of a
 * granule touches the whole granule when setting; hbitmap_reset() wants
 * granule-aligned ranges (the end may also be the end of the bitmap).
 */
#ifndef QEMU_HBITMAP_H
#define QEMU_HBITMAP_H

typedef struct HBitmap HBitmap;

/* Position of an iteration over the set bits of an HBitmap. */
typedef struct HBitmapIter {
    const HBitmap *hb;
    uint64_t next_bit;      /* first bit not yet returned */
} HBitmapIter;

/* New, all-clear bitmap of @size items, @granularity in 0..57. */
HBitmap *hbitmap_alloc(uint64_t size, int granularity);
void hbitmap_free(HBitmap *hb);
/* Deep copy (same size, granularity and bits). */
HBitmap *hbitmap_copy(const HBitmap *hb);

int hbitmap_granularity(const HBitmap *hb);
uint64_t hbitmap_size(const HBitmap *hb);

/*
 * Items covered by set bits: the number of set bits << granularity (the
 * last granule counts whole even if the bitmap ends inside it).
 */
uint64_t hbitmap_count(const HBitmap *hb);
bool hbitmap_is_empty(const HBitmap *hb);

/* Set / clear every granule touched by [@start, @start + @count). */
void hbitmap_set(HBitmap *hb, uint64_t start, uint64_t count);
void hbitmap_reset(HBitmap *hb, uint64_t start, uint64_t count);
void hbitmap_reset_all(HBitmap *hb);

/* Whether the granule holding item @item is set. */
bool hbitmap_get(const HBitmap *hb, uint64_t item);

/*
 * First set (hbitmap_next_dirty) or clear (hbitmap_next_zero) item in
 * [@start, @start + @count), rounded down to its granule but not below
 * @start; @count of INT64_MAX means "to the end".  -1 if there is none.
 */
int64_t hbitmap_next_dirty(const HBitmap *hb, int64_t start, int64_t count);
int64_t hbitmap_next_zero(const HBitmap *hb, int64_t start, int64_t count);

/*
 * Find the first run of set items in [@start, @end), at most
 * @max_dirty_count long.  Returns false when there is none; else sets
 * *@dirty_start and *@dirty_count (clipped to [@start, @end)).
 */
bool hbitmap_next_dirty_area(const HBitmap *hb, int64_t start, int64_t end,
                             int64_t max_dirty_count, int64_t *dirty_start,
                             int64_t *dirty_count);

/*
 * Iterate over set granules from item @first.  hbitmap_iter_next()
 * returns the first item of the next set granule, or -1 at the end.
 * Changing the bitmap during the iteration is allowed: bits set before
 * the iterator's position are not seen.
 */
void hbitmap_iter_init(HBitmapIter *hbi, const HBitmap *hb, uint64_t first);
int64_t hbitmap_iter_next(HBitmapIter *hbi);

/*
 * Grow or shrink to @size items.  Grown space is clear; bits past the new
 * end are dropped.
 */
void hbitmap_truncate(HBitmap *hb, uint64_t size);

/* Merging needs equal sizes; granularities may differ. */
bool hbitmap_can_merge(const HBitmap *a, const HBitmap *b);
/*
 * @result = @a | @b.  @result may be @a or @b and must have the same size;
 * a coarser @result rounds the merged ranges out to its granules.
 * Returns false (nothing changed) when the sizes differ.
 */
bool hbitmap_merge(const HBitmap *a, const HBitmap *b, HBitmap *result);

/*
 * Serialization, as the qcow2 bitmap data format: bit i of the stream
 * (byte i / 8, bit i % 8 from the least significant) is granule i.  Parts
 * start at a multiple of hbitmap_serialization_align() items and cover a
 * multiple of it, except for a part that ends at the end of the bitmap.
 */
uint64_t hbitmap_serialization_align(const HBitmap *hb);
/* Bytes needed for the part [@start, @start + @count) (whole words). */
uint64_t hbitmap_serialization_size(const HBitmap *hb, uint64_t start,
                                    uint64_t count);
void hbitmap_serialize_part(const HBitmap *hb, uint8_t *buf, uint64_t start,
                            uint64_t count);
/*
 * Load a part.  Bits of the part are replaced.  The summary levels and
 * the count are only right again after a call with @finish true or after
 * hbitmap_deserialize_finish().
 */
void hbitmap_deserialize_part(HBitmap *hb, const uint8_t *buf, uint64_t start,
                              uint64_t count, bool finish);
void hbitmap_deserialize_zeroes(HBitmap *hb, uint64_t start, uint64_t count,
                                bool finish);
void hbitmap_deserialize_ones(HBitmap *hb, uint64_t start, uint64_t count,
                              bool finish);
void hbitmap_deserialize_finish(HBitmap *hb);

#endif /* QEMU_HBITMAP_H */
