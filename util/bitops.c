/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitops.c: bit searches over arrays of unsigned long (see bitops.h).
 * The searches skip whole words and use ctz/clz within a word.
 */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"

static inline int word_ctz(unsigned long w)
{
    return __builtin_ctzl(w);
}

/*
 * Shared body of find_next_bit/find_next_zero_bit: @invert flips every
 * word so that zero bits can be searched as set bits.
 */
static unsigned long find_next(const unsigned long *addr, unsigned long size,
                               unsigned long offset, unsigned long invert)
{
    unsigned long idx, word;

    if (offset >= size) {
        return size;
    }
    idx = BIT_WORD(offset);
    word = (addr[idx] ^ invert) & BITMAP_FIRST_WORD_MASK(offset);
    while (!word) {
        idx++;
        if (idx * BITS_PER_LONG >= size) {
            return size;
        }
        word = addr[idx] ^ invert;
    }
    offset = idx * BITS_PER_LONG + word_ctz(word);
    return MIN(offset, size);
}

unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
                            unsigned long offset)
{
    return find_next(addr, size, offset, 0);
}

unsigned long find_next_zero_bit(const unsigned long *addr,
                                 unsigned long size, unsigned long offset)
{
    return find_next(addr, size, offset, ~0UL);
}

unsigned long find_last_bit(const unsigned long *addr, unsigned long size)
{
    unsigned long idx, word;

    if (!size) {
        return 0;
    }
    idx = BIT_WORD(size - 1);
    word = addr[idx] & BITMAP_LAST_WORD_MASK(size);
    for (;;) {
        if (word) {
            return idx * BITS_PER_LONG + BITS_PER_LONG - 1 -
                   __builtin_clzl(word);
        }
        if (idx == 0) {
            return size;
        }
        word = addr[--idx];
    }
}
