/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitmap.c: multi-word bitmap operations (see bitmap.h).
 *
 * Ranges are handled as a partial first word, whole middle words and a
 * partial last word, described by range_words() below.
 */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"
#include "qemu/bswap.h"

void bitmap_fill(unsigned long *dst, long nbits)
{
    long n = BITS_TO_LONGS(nbits);

    if (n > 0) {
        memset(dst, 0xff, (n - 1) * sizeof(unsigned long));
        dst[n - 1] = BITMAP_LAST_WORD_MASK(nbits);
    }
}

/* Mask of the valid bits of word @i in an @nbits-bit bitmap. */
static inline unsigned long word_mask(long i, long nbits)
{
    return i == BIT_WORD(nbits - 1) ? BITMAP_LAST_WORD_MASK(nbits) : ~0UL;
}

int bitmap_and(unsigned long *dst, const unsigned long *src1,
               const unsigned long *src2, long nbits)
{
    unsigned long any = 0;
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        dst[i] = src1[i] & src2[i];
        any |= dst[i] & word_mask(i, nbits);
    }
    return any != 0;
}

void bitmap_or(unsigned long *dst, const unsigned long *src1,
               const unsigned long *src2, long nbits)
{
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        dst[i] = src1[i] | src2[i];
    }
}

void bitmap_xor(unsigned long *dst, const unsigned long *src1,
                const unsigned long *src2, long nbits)
{
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        dst[i] = src1[i] ^ src2[i];
    }
}

int bitmap_andnot(unsigned long *dst, const unsigned long *src1,
                  const unsigned long *src2, long nbits)
{
    unsigned long any = 0;
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        dst[i] = src1[i] & ~src2[i];
        any |= dst[i] & word_mask(i, nbits);
    }
    return any != 0;
}

void bitmap_complement(unsigned long *dst, const unsigned long *src,
                       long nbits)
{
    long i, n = BITS_TO_LONGS(nbits);

    for (i = 0; i < n; i++) {
        dst[i] = ~src[i];
    }
    if (n > 0) {
        dst[n - 1] &= BITMAP_LAST_WORD_MASK(nbits);
    }
}

int bitmap_equal(const unsigned long *src1, const unsigned long *src2,
                 long nbits)
{
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        if ((src1[i] ^ src2[i]) & word_mask(i, nbits)) {
            return 0;
        }
    }
    return 1;
}

int bitmap_empty(const unsigned long *src, long nbits)
{
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        if (src[i] & word_mask(i, nbits)) {
            return 0;
        }
    }
    return 1;
}

int bitmap_full(const unsigned long *src, long nbits)
{
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        unsigned long m = word_mask(i, nbits);
        if ((src[i] & m) != m) {
            return 0;
        }
    }
    return 1;
}

int bitmap_intersects(const unsigned long *src1, const unsigned long *src2,
                      long nbits)
{
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        if (src1[i] & src2[i] & word_mask(i, nbits)) {
            return 1;
        }
    }
    return 0;
}

long bitmap_count_one(const unsigned long *bitmap, long nbits)
{
    long i, count = 0;

    if (nbits <= 0) {
        return 0;
    }
    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        count += __builtin_popcountl(bitmap[i] & word_mask(i, nbits));
    }
    return count;
}

long bitmap_count_one_with_offset(const unsigned long *bitmap, long offset,
                                  long nbits)
{
    long first = BIT_WORD(offset);
    long shift = offset % BITS_PER_LONG;
    long count;

    if (nbits <= 0) {
        return 0;
    }
    /* Count [word start, offset + nbits) and subtract [word start, offset) */
    count = bitmap_count_one(bitmap + first, shift + nbits);
    if (shift) {
        count -= __builtin_popcountl(bitmap[first] &
                                     BITMAP_LAST_WORD_MASK(shift));
    }
    return count;
}

/*
 * Apply @op to the words covering [start, start + len): @op receives the
 * word and the mask of bits inside the range.  Returns the OR of the
 * range bits seen before modification.
 */
typedef unsigned long RangeOp(unsigned long *word, unsigned long mask);

static unsigned long range_apply(unsigned long *map, long start, long len,
                                 RangeOp *op)
{
    unsigned long seen = 0;
    long end = start + len;

    while (start < end) {
        long i = BIT_WORD(start);
        long word_end = MIN(end, (i + 1) * (long)BITS_PER_LONG);
        unsigned long mask = BITMAP_FIRST_WORD_MASK(start);

        if (word_end % BITS_PER_LONG) {
            mask &= BITMAP_LAST_WORD_MASK(word_end);
        }
        seen |= op(&map[i], mask);
        start = word_end;
    }
    return seen;
}

static unsigned long op_set(unsigned long *w, unsigned long mask)
{
    *w |= mask;
    return 0;
}

static unsigned long op_set_atomic(unsigned long *w, unsigned long mask)
{
    if (mask == ~0UL) {
        qatomic_mb_set(w, ~0UL);
    } else {
        qatomic_or(w, mask);
    }
    return 0;
}

static unsigned long op_clear(unsigned long *w, unsigned long mask)
{
    unsigned long old = *w;

    *w = old & ~mask;
    return old & mask;
}

static unsigned long op_clear_atomic(unsigned long *w, unsigned long mask)
{
    return qatomic_fetch_and(w, ~mask) & mask;
}

void bitmap_set(unsigned long *map, long start, long len)
{
    range_apply(map, start, len, op_set);
}

void bitmap_set_atomic(unsigned long *map, long start, long len)
{
    range_apply(map, start, len, op_set_atomic);
}

void bitmap_clear(unsigned long *map, long start, long len)
{
    range_apply(map, start, len, op_clear);
}

bool bitmap_test_and_clear(unsigned long *map, long start, long len)
{
    return range_apply(map, start, len, op_clear) != 0;
}

bool bitmap_test_and_clear_atomic(unsigned long *map, long start, long len)
{
    return range_apply(map, start, len, op_clear_atomic) != 0;
}

unsigned long bitmap_find_next_zero_area(unsigned long *map,
                                         unsigned long size,
                                         unsigned long start,
                                         unsigned long nr,
                                         unsigned long align_mask)
{
    unsigned long index, end, busy;

    for (;;) {
        index = find_next_zero_bit(map, size, start);
        index = (index + align_mask) & ~align_mask;
        end = index + nr;
        if (end > size) {
            return end;
        }
        busy = find_next_bit(map, end, index);
        if (busy >= end) {
            return index;
        }
        start = busy + 1;
    }
}

unsigned long *bitmap_zero_extend(unsigned long *old, long old_nbits,
                                  long new_nbits)
{
    long new_len = BITS_TO_LONGS(new_nbits) * sizeof(unsigned long);
    unsigned long *map = g_realloc(old, new_len);

    if (new_nbits > old_nbits) {
        bitmap_clear(map, old_nbits, new_nbits - old_nbits);
        /* Words past the old last word were never initialised. */
        if (BITS_TO_LONGS(new_nbits) > BITS_TO_LONGS(old_nbits)) {
            long old_words = BITS_TO_LONGS(old_nbits);
            memset(map + old_words, 0,
                   new_len - old_words * sizeof(unsigned long));
        }
    }
    return map;
}

static unsigned long long_to_le(unsigned long v)
{
#if HOST_WORDS_BIGENDIAN
    return sizeof(v) == 8 ? (unsigned long)bswap64(v) : bswap32(v);
#else
    return v;
#endif
}

void bitmap_to_le(unsigned long *dst, const unsigned long *src, long nbits)
{
    long i;

    for (i = 0; i < (long)BITS_TO_LONGS(nbits); i++) {
        dst[i] = long_to_le(src[i]);
    }
}

void bitmap_from_le(unsigned long *dst, const unsigned long *src,
                    long nbits)
{
    /* The byte swap is its own inverse. */
    bitmap_to_le(dst, src, nbits);
}

void bitmap_copy_with_src_offset(unsigned long *dst, const unsigned long *src,
                                 unsigned long shift, unsigned long nbits)
{
    unsigned long i;

    bitmap_zero(dst, nbits);
    for (i = find_next_bit(src, shift + nbits, shift); i < shift + nbits;
         i = find_next_bit(src, shift + nbits, i + 1)) {
        set_bit(i - shift, dst);
    }
}

void bitmap_copy_with_dst_offset(unsigned long *dst, const unsigned long *src,
                                 unsigned long shift, unsigned long nbits)
{
    unsigned long i;

    bitmap_clear(dst, shift, nbits);
    for (i = find_next_bit(src, nbits, 0); i < nbits;
         i = find_next_bit(src, nbits, i + 1)) {
        set_bit(i + shift, dst);
    }
}
