/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitmap.h: operations on bitmaps stored as arrays of unsigned long.
 *
 * A bitmap of @nbits bits occupies BITS_TO_LONGS(nbits) words; bits past
 * @nbits in the last word are "don't care" for the comparison helpers and
 * are kept clear by the helpers that write whole words.  Single-bit
 * operations are in bitops.h.
 */
#ifndef QEMU_BITMAP_H
#define QEMU_BITMAP_H

#include "qemu/bitops.h"

#define DECLARE_BITMAP(name, bits) \
    unsigned long name[BITS_TO_LONGS(bits)]

/* Mask of the valid bits in the first/last word of a bit range. */
#define BITMAP_FIRST_WORD_MASK(start) (~0UL << ((start) & (BITS_PER_LONG - 1)))
#define BITMAP_LAST_WORD_MASK(nbits) (~0UL >> (-(nbits) & (BITS_PER_LONG - 1)))

#define small_nbits(nbits) ((nbits) <= BITS_PER_LONG)

/* Allocate a zeroed bitmap of @nbits bits; free with g_free(). */
static inline unsigned long *bitmap_new(long nbits)
{
    return g_new0(unsigned long, BITS_TO_LONGS(nbits));
}

/* As bitmap_new(), but returns NULL when memory is short. */
static inline unsigned long *bitmap_try_new(long nbits)
{
    return g_try_new0(unsigned long, BITS_TO_LONGS(nbits));
}

static inline void bitmap_zero(unsigned long *dst, long nbits)
{
    memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src,
                               long nbits)
{
    memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

/* Set bits [0, nbits) and clear the unused tail of the last word. */
void bitmap_fill(unsigned long *dst, long nbits);

/* Word-wise logic; and/andnot return whether the result is non-empty. */
int bitmap_and(unsigned long *dst, const unsigned long *src1,
               const unsigned long *src2, long nbits);
void bitmap_or(unsigned long *dst, const unsigned long *src1,
               const unsigned long *src2, long nbits);
void bitmap_xor(unsigned long *dst, const unsigned long *src1,
                const unsigned long *src2, long nbits);
int bitmap_andnot(unsigned long *dst, const unsigned long *src1,
                  const unsigned long *src2, long nbits);
void bitmap_complement(unsigned long *dst, const unsigned long *src,
                       long nbits);

int bitmap_equal(const unsigned long *src1, const unsigned long *src2,
                 long nbits);
int bitmap_empty(const unsigned long *src, long nbits);
int bitmap_full(const unsigned long *src, long nbits);
int bitmap_intersects(const unsigned long *src1, const unsigned long *src2,
                      long nbits);

/* Number of set bits in [0, nbits). */
long bitmap_count_one(const unsigned long *bitmap, long nbits);
/* Number of set bits in [offset, offset + nbits). */
long bitmap_count_one_with_offset(const unsigned long *bitmap, long offset,
                                  long nbits);

/* Set or clear the @len bits starting at @start. */
void bitmap_set(unsigned long *map, long start, long len);
void bitmap_set_atomic(unsigned long *map, long start, long len);
void bitmap_clear(unsigned long *map, long start, long len);
/* Clear the range and return true if any bit in it was set. */
bool bitmap_test_and_clear(unsigned long *map, long start, long len);
bool bitmap_test_and_clear_atomic(unsigned long *map, long start, long len);

/*
 * Find the first run of @nr zero bits at or after @start whose first bit
 * satisfies (bit & @align_mask) == 0; returns its start, or a value
 * greater than or equal to @size when there is none.
 */
unsigned long bitmap_find_next_zero_area(unsigned long *map,
                                         unsigned long size,
                                         unsigned long start,
                                         unsigned long nr,
                                         unsigned long align_mask);

/* Grow @old from @old_nbits to @new_nbits bits; new bits are zero. */
unsigned long *bitmap_zero_extend(unsigned long *old, long old_nbits,
                                  long new_nbits);

/*
 * Convert between host words and a little-endian array of longs (the
 * layout used for on-disk or on-wire bitmaps).
 */
void bitmap_to_le(unsigned long *dst, const unsigned long *src, long nbits);
void bitmap_from_le(unsigned long *dst, const unsigned long *src,
                    long nbits);

/* Copy @nbits bits from @src at bit @shift to @dst at bit 0. */
void bitmap_copy_with_src_offset(unsigned long *dst, const unsigned long *src,
                                 unsigned long shift, unsigned long nbits);
/* Copy @nbits bits from @src at bit 0 to @dst at bit @shift. */
void bitmap_copy_with_dst_offset(unsigned long *dst, const unsigned long *src,
                                 unsigned long shift, unsigned long nbits);

#endif /* QEMU_BITMAP_H */
