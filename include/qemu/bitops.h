/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bitops.h: single-bit operations on arrays of unsigned long, bit
 * searches, rotations and bit-field extract/deposit helpers.
 *
 * Bit @nr lives in word nr / BITS_PER_LONG at position nr % BITS_PER_LONG
 * (host-order words; see bitmap_to_le() for a portable layout).
 */
#ifndef QEMU_BITOPS_H
#define QEMU_BITOPS_H

#include "host-utils.h"
#include "atomic.h"

#define BITS_PER_LONG           (sizeof(unsigned long) * BITS_PER_BYTE)
#define BITS_TO_LONGS(nr)       DIV_ROUND_UP(nr, BITS_PER_LONG)

#ifndef BIT
#define BIT(nr)                 (1UL << (nr))
#endif
#ifndef BIT_ULL
#define BIT_ULL(nr)             (1ULL << (nr))
#endif
#define BIT_MASK(nr)            (1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)            ((nr) / BITS_PER_LONG)

/* A mask of @length one bits starting at bit @shift (64-bit). */
#define MAKE_64BIT_MASK(shift, length) \
    (((~0ULL) >> (64 - (length))) << (shift))

static inline void set_bit(long nr, unsigned long *addr)
{
    addr[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static inline void set_bit_atomic(long nr, unsigned long *addr)
{
    qatomic_or(&addr[BIT_WORD(nr)], BIT_MASK(nr));
}

static inline void clear_bit(long nr, unsigned long *addr)
{
    addr[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static inline void clear_bit_atomic(long nr, unsigned long *addr)
{
    qatomic_and(&addr[BIT_WORD(nr)], ~BIT_MASK(nr));
}

static inline void change_bit(long nr, unsigned long *addr)
{
    addr[BIT_WORD(nr)] ^= BIT_MASK(nr);
}

/* The test_and_* helpers return the old value of the bit. */
static inline int test_and_set_bit(long nr, unsigned long *addr)
{
    unsigned long *p = addr + BIT_WORD(nr);
    unsigned long old = *p;

    *p = old | BIT_MASK(nr);
    return (old & BIT_MASK(nr)) != 0;
}

static inline int test_and_clear_bit(long nr, unsigned long *addr)
{
    unsigned long *p = addr + BIT_WORD(nr);
    unsigned long old = *p;

    *p = old & ~BIT_MASK(nr);
    return (old & BIT_MASK(nr)) != 0;
}

static inline int test_and_change_bit(long nr, unsigned long *addr)
{
    unsigned long *p = addr + BIT_WORD(nr);
    unsigned long old = *p;

    *p = old ^ BIT_MASK(nr);
    return (old & BIT_MASK(nr)) != 0;
}

static inline int test_bit(long nr, const unsigned long *addr)
{
    return 1UL & (addr[BIT_WORD(nr)] >> (nr & (BITS_PER_LONG - 1)));
}

/*
 * Searches over the first @size bits of @addr.  Each returns the bit
 * number found, or @size when there is none.
 */
unsigned long find_last_bit(const unsigned long *addr, unsigned long size);
unsigned long find_next_bit(const unsigned long *addr, unsigned long size,
                            unsigned long offset);
unsigned long find_next_zero_bit(const unsigned long *addr,
                                 unsigned long size, unsigned long offset);

static inline unsigned long find_first_bit(const unsigned long *addr,
                                           unsigned long size)
{
    return find_next_bit(addr, size, 0);
}

static inline unsigned long find_first_zero_bit(const unsigned long *addr,
                                                unsigned long size)
{
    return find_next_zero_bit(addr, size, 0);
}

/* Rotations; @shift is taken modulo the width. */
static inline uint8_t rol8(uint8_t word, unsigned int shift)
{
    shift &= 7;
    return (word << shift) | (word >> ((8 - shift) & 7));
}

static inline uint8_t ror8(uint8_t word, unsigned int shift)
{
    shift &= 7;
    return (word >> shift) | (word << ((8 - shift) & 7));
}

static inline uint16_t rol16(uint16_t word, unsigned int shift)
{
    shift &= 15;
    return (word << shift) | (word >> ((16 - shift) & 15));
}

static inline uint16_t ror16(uint16_t word, unsigned int shift)
{
    shift &= 15;
    return (word >> shift) | (word << ((16 - shift) & 15));
}

static inline uint32_t rol32(uint32_t word, unsigned int shift)
{
    shift &= 31;
    return (word << shift) | (word >> ((32 - shift) & 31));
}

static inline uint32_t ror32(uint32_t word, unsigned int shift)
{
    shift &= 31;
    return (word >> shift) | (word << ((32 - shift) & 31));
}

static inline uint64_t rol64(uint64_t word, unsigned int shift)
{
    shift &= 63;
    return (word << shift) | (word >> ((64 - shift) & 63));
}

static inline uint64_t ror64(uint64_t word, unsigned int shift)
{
    shift &= 63;
    return (word >> shift) | (word << ((64 - shift) & 63));
}

/*
 * Bit fields: extractN() returns the @length-bit field of @value starting
 * at bit @start (zero-extended), sextractN() the same sign-extended, and
 * depositN() returns @value with that field replaced by the low bits of
 * @fieldval.  0 < length and start + length <= N.
 */
static inline uint8_t extract8(uint8_t value, int start, int length)
{
    assert(start >= 0 && length > 0 && length <= 8 - start);
    return (value >> start) & (0xffu >> (8 - length));
}

static inline uint16_t extract16(uint16_t value, int start, int length)
{
    assert(start >= 0 && length > 0 && length <= 16 - start);
    return (value >> start) & (0xffffu >> (16 - length));
}

static inline uint32_t extract32(uint32_t value, int start, int length)
{
    assert(start >= 0 && length > 0 && length <= 32 - start);
    return (value >> start) & (~0U >> (32 - length));
}

static inline uint64_t extract64(uint64_t value, int start, int length)
{
    assert(start >= 0 && length > 0 && length <= 64 - start);
    return (value >> start) & (~0ULL >> (64 - length));
}

static inline int32_t sextract32(uint32_t value, int start, int length)
{
    assert(start >= 0 && length > 0 && length <= 32 - start);
    /* Move the field to the top, then shift back arithmetically. */
    return ((int32_t)(value << (32 - length - start))) >> (32 - length);
}

static inline int64_t sextract64(uint64_t value, int start, int length)
{
    assert(start >= 0 && length > 0 && length <= 64 - start);
    return ((int64_t)(value << (64 - length - start))) >> (64 - length);
}

static inline uint32_t deposit32(uint32_t value, int start, int length,
                                 uint32_t fieldval)
{
    uint32_t mask;

    assert(start >= 0 && length > 0 && length <= 32 - start);
    mask = (~0U >> (32 - length)) << start;
    return (value & ~mask) | ((fieldval << start) & mask);
}

static inline uint64_t deposit64(uint64_t value, int start, int length,
                                 uint64_t fieldval)
{
    uint64_t mask;

    assert(start >= 0 && length > 0 && length <= 64 - start);
    mask = (~0ULL >> (64 - length)) << start;
    return (value & ~mask) | ((fieldval << start) & mask);
}

#endif /* QEMU_BITOPS_H */
