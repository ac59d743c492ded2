/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-bitmap.c: multi-word bitmap operations, checked against a plain
 * bool array for random ranges.
 */
#include "qemu/osdep.h"
#include "qemu/bitmap.h"

#define NBITS 1000

static void check_same(const unsigned long *map, const bool *ref, long n)
{
    long i;

    for (i = 0; i < n; i++) {
        g_assert_cmpint(test_bit(i, map), ==, ref[i]);
    }
}

static void test_set_clear(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(4);
    g_autofree unsigned long *map = bitmap_new(NBITS);
    bool ref[NBITS] = { false };
    int round;

    for (round = 0; round < 300; round++) {
        long start = g_rand_int_range(rand, 0, NBITS);
        long len = g_rand_int_range(rand, 0, NBITS - start + 1);
        int op = g_rand_int_range(rand, 0, 4);
        long i, count = 0;
        bool any = false;

        for (i = start; i < start + len; i++) {
            any |= ref[i];
        }
        switch (op) {
        case 0:
            bitmap_set(map, start, len);
            break;
        case 1:
            bitmap_set_atomic(map, start, len);
            break;
        case 2:
            bitmap_clear(map, start, len);
            break;
        case 3:
            g_assert_cmpint(bitmap_test_and_clear(map, start, len), ==, any);
            break;
        }
        for (i = start; i < start + len; i++) {
            ref[i] = op < 2;
        }
        check_same(map, ref, NBITS);

        for (i = 0; i < NBITS; i++) {
            count += ref[i];
        }
        g_assert_cmpint(bitmap_count_one(map, NBITS), ==, count);
        count = 0;
        for (i = start; i < start + len; i++) {
            count += ref[i];
        }
        g_assert_cmpint(bitmap_count_one_with_offset(map, start, len), ==,
                        count);
    }
}

static void test_logic(void)
{
    DECLARE_BITMAP(a, 130);
    DECLARE_BITMAP(b, 130);
    DECLARE_BITMAP(d, 130);

    bitmap_zero(a, 130);
    bitmap_zero(b, 130);
    g_assert_true(bitmap_empty(a, 130));
    bitmap_set(a, 10, 50);      /* 10..59 */
    bitmap_set(b, 40, 90);      /* 40..129 */
    g_assert_true(bitmap_intersects(a, b, 130));
    g_assert_true(bitmap_and(d, a, b, 130));
    g_assert_cmpint(bitmap_count_one(d, 130), ==, 20);
    bitmap_or(d, a, b, 130);
    g_assert_cmpint(bitmap_count_one(d, 130), ==, 120);
    bitmap_xor(d, a, b, 130);
    g_assert_cmpint(bitmap_count_one(d, 130), ==, 100);
    g_assert_true(bitmap_andnot(d, a, b, 130));
    g_assert_cmpint(bitmap_count_one(d, 130), ==, 30);
    g_assert_false(bitmap_andnot(d, a, a, 130));
    bitmap_complement(d, a, 130);
    g_assert_cmpint(bitmap_count_one(d, 130), ==, 80);

    bitmap_copy(d, a, 130);
    g_assert_true(bitmap_equal(d, a, 130));
    bitmap_fill(d, 130);
    g_assert_true(bitmap_full(d, 130));
    g_assert_cmpint(bitmap_count_one(d, 130), ==, 130);
    /* bits past nbits do not count */
    g_assert_true(bitmap_full(d, 129));
    clear_bit(129, d);
    g_assert_false(bitmap_full(d, 130));
    g_assert_true(bitmap_full(d, 129));
}

static void test_find_zero_area(void)
{
    DECLARE_BITMAP(map, 256);
    unsigned long pos;

    bitmap_zero(map, 256);
    bitmap_set(map, 0, 10);
    bitmap_set(map, 20, 5);
    pos = bitmap_find_next_zero_area(map, 256, 0, 8, 0);
    g_assert_cmpuint(pos, ==, 10);
    pos = bitmap_find_next_zero_area(map, 256, 0, 11, 0);
    g_assert_cmpuint(pos, ==, 25);
    /* aligned to 16: 16..19 is free, 16..20 is not */
    pos = bitmap_find_next_zero_area(map, 256, 0, 4, 15);
    g_assert_cmpuint(pos, ==, 16);
    pos = bitmap_find_next_zero_area(map, 256, 0, 5, 15);
    g_assert_cmpuint(pos, ==, 32);
    pos = bitmap_find_next_zero_area(map, 256, 0, 300, 0);
    g_assert_cmpuint(pos, >, 256);
}

static void test_extend_and_offsets(void)
{
    unsigned long *map = bitmap_new(70);
    g_autofree unsigned long *dst = bitmap_new(300);
    g_autofree unsigned long *le = bitmap_new(300);
    long i;

    bitmap_set(map, 60, 10);
    map = bitmap_zero_extend(map, 70, 300);
    g_assert_cmpint(bitmap_count_one(map, 300), ==, 10);
    g_assert_cmpuint(find_next_bit(map, 300, 70), ==, 300);

    bitmap_set(map, 200, 3);
    bitmap_copy_with_src_offset(dst, map, 58, 150);
    for (i = 0; i < 150; i++) {
        g_assert_cmpint(test_bit(i, dst), ==, test_bit(i + 58, map));
    }
    bitmap_zero(dst, 300);
    bitmap_copy_with_dst_offset(dst, map, 7, 250);
    for (i = 0; i < 250; i++) {
        g_assert_cmpint(test_bit(i + 7, dst), ==, test_bit(i, map));
    }

    /* little-endian layout: bit n is bit n % 8 of byte n / 8 */
    bitmap_to_le(le, map, 300);
    for (i = 0; i < 300; i++) {
        g_assert_cmpint((((uint8_t *)le)[i / 8] >> (i % 8)) & 1, ==,
                        test_bit(i, map));
    }
    bitmap_from_le(dst, le, 300);
    g_assert_true(bitmap_equal(dst, map, 300));
    g_free(map);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bitmap/set-clear", test_set_clear);
    g_test_add_func("/bitmap/logic", test_logic);
    g_test_add_func("/bitmap/find-zero-area", test_find_zero_area);
    g_test_add_func("/bitmap/extend-offsets", test_extend_and_offsets);
    return g_test_run();
}
