/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * host-utils.h: integer helpers that map onto host instructions: bit
 * counts (clz/ctz/ctpop), bit reversal, wide multiplication and division,
 * power-of-two rounding and overflow-checked arithmetic.
 */
#ifndef QEMU_HOST_UTILS_H
#define QEMU_HOST_UTILS_H

/* 128-bit products: the low and high halves of a * b go to plow, phigh. */
static inline void mulu64(uint64_t *plow, uint64_t *phigh,
                          uint64_t a, uint64_t b)
{
    unsigned __int128 r = (unsigned __int128)a * b;
    *plow = (uint64_t)r;
    *phigh = (uint64_t)(r >> 64);
}

static inline void muls64(uint64_t *plow, uint64_t *phigh,
                          int64_t a, int64_t b)
{
    __int128 r = (__int128)a * b;
    *plow = (uint64_t)r;
    *phigh = (uint64_t)(r >> 64);
}

/* (a * b) / c computed without intermediate overflow; c must not be 0. */
static inline uint64_t muldiv64(uint64_t a, uint32_t b, uint32_t c)
{
    return (uint64_t)(((unsigned __int128)a * b) / c);
}

/*
 * Divide the 128-bit value (high half in phigh, low half in plow) by
 * @divisor; the quotient replaces it and the remainder is returned.
 */
static inline uint64_t divu128(uint64_t *plow, uint64_t *phigh,
                               uint64_t divisor)
{
    unsigned __int128 n = ((unsigned __int128)*phigh << 64) | *plow;
    unsigned __int128 q = n / divisor;

    *plow = (uint64_t)q;
    *phigh = (uint64_t)(q >> 64);
    return (uint64_t)(n % divisor);
}

/* Leading/trailing zero and one counts; the full width for value 0. */
static inline int clz8(uint8_t val)
{
    return val ? __builtin_clz(val) - 24 : 8;
}

static inline int clz16(uint16_t val)
{
    return val ? __builtin_clz(val) - 16 : 16;
}

static inline int clz32(uint32_t val)
{
    return val ? __builtin_clz(val) : 32;
}

static inline int clo32(uint32_t val)
{
    return clz32(~val);
}

static inline int clz64(uint64_t val)
{
    return val ? __builtin_clzll(val) : 64;
}

static inline int clo64(uint64_t val)
{
    return clz64(~val);
}

static inline int ctz32(uint32_t val)
{
    return val ? __builtin_ctz(val) : 32;
}

static inline int cto32(uint32_t val)
{
    return ctz32(~val);
}

static inline int ctz64(uint64_t val)
{
    return val ? __builtin_ctzll(val) : 64;
}

static inline int cto64(uint64_t val)
{
    return ctz64(~val);
}

/* Number of leading redundant sign bits. */
static inline int clrsb32(uint32_t val)
{
    return __builtin_clrsb((int32_t)val);
}

static inline int clrsb64(uint64_t val)
{
    return __builtin_clrsbll((int64_t)val);
}

static inline int ctpop8(uint8_t val)
{
    return __builtin_popcount(val);
}

static inline int ctpop16(uint16_t val)
{
    return __builtin_popcount(val);
}

static inline int ctpop32(uint32_t val)
{
    return __builtin_popcount(val);
}

static inline int ctpop64(uint64_t val)
{
    return __builtin_popcountll(val);
}

/* Bit reversal */
static inline uint8_t revbit8(uint8_t x)
{
    x = ((x & 0xf0) >> 4) | ((x & 0x0f) << 4);
    x = ((x & 0xcc) >> 2) | ((x & 0x33) << 2);
    x = ((x & 0xaa) >> 1) | ((x & 0x55) << 1);
    return x;
}

static inline uint16_t revbit16(uint16_t x)
{
    return ((uint16_t)revbit8(x) << 8) | revbit8(x >> 8);
}

static inline uint32_t revbit32(uint32_t x)
{
    return ((uint32_t)revbit16(x) << 16) | revbit16(x >> 16);
}

static inline uint64_t revbit64(uint64_t x)
{
    return ((uint64_t)revbit32(x) << 32) | revbit32(x >> 32);
}

/* True if @value is a power of two; 0 is not. */
static inline bool is_power_of_2(uint64_t value)
{
    return value && !(value & (value - 1));
}

/* Largest power of two <= @value; 0 for 0. */
static inline uint64_t pow2floor(uint64_t value)
{
    return value ? UINT64_C(1) << (63 - clz64(value)) : 0;
}

/*
 * Smallest power of two >= @value; 1 for 0, and 0 if the result does not
 * fit in 64 bits.
 */
static inline uint64_t pow2ceil(uint64_t value)
{
    int n = clz64(value - 1);

    if (!n) {
        /* value is 0 (wraps to all ones) or above 2^63 */
        return !value;
    }
    return UINT64_C(1) << (64 - n);
}

static inline uint32_t pow2roundup32(uint32_t x)
{
    x |= (x >> 1);
    x |= (x >> 2);
    x |= (x >> 4);
    x |= (x >> 8);
    x |= (x >> 16);
    return x + 1;
}

/*
 * Overflow-checked arithmetic: store the wrapped result in *ret and return
 * true if it overflowed.
 */
static inline bool sadd32_overflow(int32_t x, int32_t y, int32_t *ret)
{
    return __builtin_add_overflow(x, y, ret);
}

static inline bool sadd64_overflow(int64_t x, int64_t y, int64_t *ret)
{
    return __builtin_add_overflow(x, y, ret);
}

static inline bool uadd32_overflow(uint32_t x, uint32_t y, uint32_t *ret)
{
    return __builtin_add_overflow(x, y, ret);
}

static inline bool uadd64_overflow(uint64_t x, uint64_t y, uint64_t *ret)
{
    return __builtin_add_overflow(x, y, ret);
}

static inline bool ssub32_overflow(int32_t x, int32_t y, int32_t *ret)
{
    return __builtin_sub_overflow(x, y, ret);
}

static inline bool ssub64_overflow(int64_t x, int64_t y, int64_t *ret)
{
    return __builtin_sub_overflow(x, y, ret);
}

static inline bool usub32_overflow(uint32_t x, uint32_t y, uint32_t *ret)
{
    return __builtin_sub_overflow(x, y, ret);
}

static inline bool usub64_overflow(uint64_t x, uint64_t y, uint64_t *ret)
{
    return __builtin_sub_overflow(x, y, ret);
}

static inline bool smul64_overflow(int64_t x, int64_t y, int64_t *ret)
{
    return __builtin_mul_overflow(x, y, ret);
}

static inline bool umul32_overflow(uint32_t x, uint32_t y, uint32_t *ret)
{
    return __builtin_mul_overflow(x, y, ret);
}

static inline bool umul64_overflow(uint64_t x, uint64_t y, uint64_t *ret)
{
    return __builtin_mul_overflow(x, y, ret);
}

/* 64 + 64 + carry-in; *pcarry receives the carry-out. */
static inline uint64_t uadd64_carry(uint64_t x, uint64_t y, bool *pcarry)
{
    uint64_t r;
    bool c1 = __builtin_add_overflow(x, y, &r);
    bool c2 = __builtin_add_overflow(r, (uint64_t)*pcarry, &r);

    *pcarry = c1 || c2;
    return r;
}

#endif /* QEMU_HOST_UTILS_H */
