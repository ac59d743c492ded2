/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-bitops.c: bit counts and rounding (host-utils.h), single-bit ops,
 * bit searches, rotations and bit-field helpers (bitops.h), checked
 * against naive bit-by-bit reference computations.
 */
#include "qemu/osdep.h"
#include "qemu/bitops.h"

/* Reference: count leading zeros one bit at a time. */
static int ref_clz64(uint64_t v)
{
    int n = 0;

    while (n < 64 && !(v & (UINT64_C(1) << (63 - n)))) {
        n++;
    }
    return n;
}

static int ref_ctz64(uint64_t v)
{
    int n = 0;

    while (n < 64 && !(v & (UINT64_C(1) << n))) {
        n++;
    }
    return n;
}

static int ref_popcount(uint64_t v)
{
    int n = 0;

    for (; v; v >>= 1) {
        n += v & 1;
    }
    return n;
}

static void test_counts(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(3);
    int i;

    g_assert_cmpint(clz32(0), ==, 32);
    g_assert_cmpint(clz64(0), ==, 64);
    g_assert_cmpint(ctz32(0), ==, 32);
    g_assert_cmpint(ctz64(0), ==, 64);
    g_assert_cmpint(clo64(~UINT64_C(0)), ==, 64);
    g_assert_cmpint(cto32(0xff), ==, 8);

    for (i = 0; i < 2000; i++) {
        /* random values with a random number of high bits cleared */
        uint64_t v = ((uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand)) >>
                     g_rand_int_range(rand, 0, 64);
        uint32_t w = (uint32_t)v;

        g_assert_cmpint(clz64(v), ==, ref_clz64(v));
        g_assert_cmpint(ctz64(v), ==, ref_ctz64(v));
        g_assert_cmpint(ctpop64(v), ==, ref_popcount(v));
        g_assert_cmpint(clz32(w), ==, ref_clz64(w) - 32);
        g_assert_cmpint(ctz32(w), ==, MIN(ref_ctz64(w), 32));
        g_assert_cmpint(ctpop32(w), ==, ref_popcount(w));
        g_assert_cmphex(revbit64(revbit64(v)), ==, v);
        g_assert_cmpint(!!(revbit64(v) & 1), ==, !!(v >> 63));
    }
}

static void test_pow2(void)
{
    int i;

    g_assert_false(is_power_of_2(0));
    g_assert_cmpuint(pow2floor(0), ==, 0);
    g_assert_cmpuint(pow2ceil(0), ==, 1);
    g_assert_cmpuint(pow2ceil(UINT64_MAX), ==, 0);
    for (i = 0; i < 64; i++) {
        uint64_t p = UINT64_C(1) << i;

        g_assert_true(is_power_of_2(p));
        g_assert_cmpuint(pow2floor(p), ==, p);
        g_assert_cmpuint(pow2ceil(p), ==, p);
        if (i > 1) {
            g_assert_false(is_power_of_2(p + 1));
            g_assert_cmpuint(pow2floor(p + 1), ==, p);
            g_assert_cmpuint(pow2floor(p - 1), ==, p / 2);
            g_assert_cmpuint(pow2ceil(p - 1), ==, p);
        }
        if (i < 63 && i > 0) {
            g_assert_cmpuint(pow2ceil(p + 1), ==, p * 2);
        }
    }
}

static void test_arith(void)
{
    uint64_t lo, hi, r;

    mulu64(&lo, &hi, UINT64_MAX, UINT64_MAX);
    /* (2^64 - 1)^2 = 2^128 - 2^65 + 1 */
    g_assert_cmphex(hi, ==, UINT64_MAX - 1);
    g_assert_cmphex(lo, ==, 1);
    g_assert_cmpuint(muldiv64(UINT64_C(1) << 62, 1000, 4000), ==,
                     UINT64_C(1) << 60);
    g_assert_true(uadd64_overflow(UINT64_MAX, 1, &r));
    g_assert_cmpuint(r, ==, 0);
    g_assert_false(uadd64_overflow(1, 2, &r));
    g_assert_cmpuint(r, ==, 3);
    g_assert_true(umul64_overflow(UINT64_C(1) << 32, UINT64_C(1) << 32, &r));
}

static void test_bits(void)
{
    unsigned long map[4] = { 0 };
    long nbits = 4 * BITS_PER_LONG;
    long i;

    g_assert_cmpuint(find_first_bit(map, nbits), ==, nbits);
    g_assert_cmpuint(find_first_zero_bit(map, nbits), ==, 0);
    g_assert_cmpuint(find_last_bit(map, nbits), ==, nbits);

    set_bit(5, map);
    set_bit(BITS_PER_LONG + 3, map);
    set_bit(nbits - 1, map);
    g_assert_true(test_bit(5, map));
    g_assert_false(test_bit(6, map));
    g_assert_cmpuint(find_first_bit(map, nbits), ==, 5);
    g_assert_cmpuint(find_next_bit(map, nbits, 6), ==, BITS_PER_LONG + 3);
    g_assert_cmpuint(find_next_bit(map, nbits, BITS_PER_LONG + 4), ==,
                     nbits - 1);
    /* the search is bounded by size even within a word */
    g_assert_cmpuint(find_next_bit(map, BITS_PER_LONG + 2, 6), ==,
                     BITS_PER_LONG + 2);
    g_assert_cmpuint(find_last_bit(map, nbits), ==, nbits - 1);
    g_assert_cmpuint(find_last_bit(map, nbits - 1), ==, BITS_PER_LONG + 3);

    g_assert_true(test_and_clear_bit(5, map));
    g_assert_false(test_and_clear_bit(5, map));
    g_assert_false(test_and_set_bit(7, map));
    g_assert_true(test_bit(7, map));
    change_bit(7, map);
    g_assert_false(test_bit(7, map));
    clear_bit(BITS_PER_LONG + 3, map);

    for (i = 0; i < nbits - 1; i++) {
        set_bit_atomic(i, map);
    }
    g_assert_cmpuint(find_first_zero_bit(map, nbits), ==, nbits);
    clear_bit_atomic(100, map);
    g_assert_cmpuint(find_first_zero_bit(map, nbits), ==, 100);
    g_assert_cmpuint(find_next_zero_bit(map, nbits, 101), ==, nbits);
}

static void test_fields(void)
{
    g_assert_cmphex(extract32(0x12345678, 8, 8), ==, 0x56);
    g_assert_cmphex(extract32(0x80000000, 31, 1), ==, 1);
    g_assert_cmphex(extract32(0xdeadbeef, 0, 32), ==, 0xdeadbeef);
    g_assert_cmphex(extract64(0x123456789abcdef0ULL, 60, 4), ==, 1);
    g_assert_cmphex(extract64(~0ULL, 0, 64), ==, ~0ULL);
    g_assert_cmpint(sextract32(0x00000f00, 8, 4), ==, -1);
    g_assert_cmpint(sextract32(0x00000700, 8, 4), ==, 7);
    g_assert_cmpint(sextract64(0x8000000000000000ULL, 63, 1), ==, -1);
    g_assert_cmphex(deposit32(0xffffffff, 8, 8, 0), ==, 0xffff00ff);
    g_assert_cmphex(deposit32(0, 28, 4, 0x1f), ==, 0xf0000000);
    g_assert_cmphex(deposit64(0, 32, 32, 0xabcd), ==, 0xabcd00000000ULL);
    g_assert_cmphex(MAKE_64BIT_MASK(4, 8), ==, 0xff0);

    g_assert_cmphex(rol32(0x80000001, 1), ==, 0x00000003);
    g_assert_cmphex(ror32(0x80000001, 1), ==, 0xc0000000);
    g_assert_cmphex(rol64(1, 0), ==, 1);
    g_assert_cmphex(rol8(0x81, 4), ==, 0x18);
    g_assert_cmphex(ror16(0x0001, 1), ==, 0x8000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bitops/counts", test_counts);
    g_test_add_func("/bitops/pow2", test_pow2);
    g_test_add_func("/bitops/arith", test_arith);
    g_test_add_func("/bitops/bits", test_bits);
    g_test_add_func("/bitops/fields", test_fields);
    return g_test_run();
}
