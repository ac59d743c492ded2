/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for util/hbitmap.c.  Most cases drive an HBitmap and a plain
 * array of booleans (one per granule) with the same seeded random
 * operations and compare every query against the naive model.
 */

#include "qemu/osdep.h"
#include "qemu/hbitmap.h"

/* The naive model: one bool per granule. */
typedef struct Model {
    uint64_t size;
    int gran;
    uint64_t nbits;
    bool *bits;
} Model;

static Model *model_new(uint64_t size, int gran)
{
    Model *m = g_new0(Model, 1);

    m->size = size;
    m->gran = gran;
    m->nbits = DIV_ROUND_UP(size, 1ULL << gran);
    m->bits = g_new0(bool, MAX(m->nbits, 1));
    return m;
}

static void model_free(Model *m)
{
    g_free(m->bits);
    g_free(m);
}

static void model_fill(Model *m, uint64_t start, uint64_t count, bool v)
{
    for (uint64_t b = start >> m->gran; count &&
         b <= (start + count - 1) >> m->gran; b++) {
        m->bits[b] = v;
    }
}

static int64_t model_next(Model *m, uint64_t start, bool v)
{
    for (uint64_t b = start >> m->gran; b < m->nbits; b++) {
        if (m->bits[b] == v) {
            return MAX(b << m->gran, start);
        }
    }
    return -1;
}

static uint64_t model_count(Model *m)
{
    uint64_t n = 0;

    for (uint64_t b = 0; b < m->nbits; b++) {
        n += m->bits[b];
    }
    return n << m->gran;
}

/* Compare every observable of @hb with @m. */
static void check_same(HBitmap *hb, Model *m, GRand *r)
{
    g_assert_cmpuint(hbitmap_count(hb), ==, model_count(m));
    g_assert_cmpint(hbitmap_is_empty(hb), ==, model_count(m) == 0);
    for (uint64_t b = 0; b < m->nbits; b++) {
        g_assert_cmpint(hbitmap_get(hb, b << m->gran), ==, m->bits[b]);
    }
    for (int i = 0; i < 50 && m->size; i++) {
        uint64_t s = g_rand_int_range(r, 0, m->size);

        g_assert_cmpint(hbitmap_next_dirty(hb, s, INT64_MAX), ==,
                        model_next(m, s, true));
        g_assert_cmpint(hbitmap_next_zero(hb, s, INT64_MAX), ==,
                        model_next(m, s, false));
    }
}

/* One random set or reset, granule-aligned for resets. */
static void random_op(HBitmap *hb, Model *m, GRand *r)
{
    uint64_t gsz = 1ULL << m->gran;
    uint64_t start = g_rand_int_range(r, 0, m->size);
    uint64_t limit = g_rand_boolean(r) ? 64 * gsz : m->size;
    uint64_t max = MIN(m->size - start, limit);
    uint64_t count = g_rand_int_range(r, 1, max + 1);

    if (g_rand_int_range(r, 0, 3)) {
        hbitmap_set(hb, start, count);
        model_fill(m, start, count, true);
    } else {
        start = QEMU_ALIGN_DOWN(start, gsz);
        count = MIN(QEMU_ALIGN_UP(count, gsz), m->size - start);
        hbitmap_reset(hb, start, count);
        model_fill(m, start, count, false);
    }
}

static void test_random(gconstpointer opaque)
{
    const uint64_t *p = opaque;
    uint64_t size = p[0];
    int gran = p[1];
    g_autoptr(GRand) r = g_rand_new_with_seed(size * 31 + gran);
    HBitmap *hb = hbitmap_alloc(size, gran);
    Model *m = model_new(size, gran);

    g_assert_cmpint(hbitmap_granularity(hb), ==, gran);
    g_assert_cmpuint(hbitmap_size(hb), ==, size);
    check_same(hb, m, r);
    for (int i = 0; i < 200; i++) {
        random_op(hb, m, r);
        if (i % 20 == 0) {
            check_same(hb, m, r);
        }
    }
    check_same(hb, m, r);
    hbitmap_reset_all(hb);
    model_fill(m, 0, size, false);
    check_same(hb, m, r);
    model_free(m);
    hbitmap_free(hb);
}

static const uint64_t params[][2] = {
    { 1, 0 }, { 63, 0 }, { 64, 0 }, { 65, 0 }, { 4096, 0 },
    { 64 * 64 * 3 + 7, 0 }, { 300000, 0 }, { 1000000, 9 }, { 77777, 3 },
};

/* A set bit far away is found through the summary levels. */
static void test_sparse(void)
{
    uint64_t size = 64ULL * 64 * 64 * 5;
    HBitmap *hb = hbitmap_alloc(size, 0);
    HBitmapIter it;

    g_assert_cmpint(hbitmap_next_dirty(hb, 0, INT64_MAX), ==, -1);
    hbitmap_set(hb, size - 1, 1);
    hbitmap_set(hb, 5, 1);
    g_assert_cmpint(hbitmap_next_dirty(hb, 0, INT64_MAX), ==, 5);
    g_assert_cmpint(hbitmap_next_dirty(hb, 6, INT64_MAX), ==, size - 1);
    g_assert_cmpint(hbitmap_next_dirty(hb, 6, size - 7), ==, -1);
    g_assert_cmpint(hbitmap_next_zero(hb, 5, INT64_MAX), ==, 6);
    g_assert_cmpint(hbitmap_next_zero(hb, size - 1, 1), ==, -1);
    hbitmap_iter_init(&it, hb, 0);
    g_assert_cmpint(hbitmap_iter_next(&it), ==, 5);
    g_assert_cmpint(hbitmap_iter_next(&it), ==, size - 1);
    g_assert_cmpint(hbitmap_iter_next(&it), ==, -1);
    hbitmap_reset(hb, size - 1, 1);
    g_assert_cmpint(hbitmap_next_dirty(hb, 6, INT64_MAX), ==, -1);
    g_assert_cmpuint(hbitmap_count(hb), ==, 1);
    hbitmap_free(hb);
}

/* Iteration returns each set granule once, in order, from @first. */
static void test_iter(void)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(7);
    HBitmap *hb = hbitmap_alloc(100000, 2);
    Model *m = model_new(100000, 2);
    HBitmapIter it;
    int64_t pos;
    uint64_t expect = 40000;

    for (int i = 0; i < 100; i++) {
        random_op(hb, m, r);
    }
    hbitmap_iter_init(&it, hb, 40000);
    while ((pos = hbitmap_iter_next(&it)) >= 0) {
        int64_t want = model_next(m, expect, true);

        g_assert_cmpint(pos, ==, QEMU_ALIGN_DOWN(want, 4));
        expect = pos + 4;
    }
    g_assert_cmpint(model_next(m, expect, true), ==, -1);
    model_free(m);
    hbitmap_free(hb);
}

static void test_dirty_area(void)
{
    HBitmap *hb = hbitmap_alloc(1000, 0);
    int64_t s, c;

    g_assert_false(hbitmap_next_dirty_area(hb, 0, 1000, INT64_MAX, &s, &c));
    hbitmap_set(hb, 100, 50);
    hbitmap_set(hb, 900, 100);
    g_assert_true(hbitmap_next_dirty_area(hb, 0, 1000, INT64_MAX, &s, &c));
    g_assert_cmpint(s, ==, 100);
    g_assert_cmpint(c, ==, 50);
    g_assert_true(hbitmap_next_dirty_area(hb, 120, 1000, 10, &s, &c));
    g_assert_cmpint(s, ==, 120);
    g_assert_cmpint(c, ==, 10);
    g_assert_true(hbitmap_next_dirty_area(hb, 150, 1000, INT64_MAX, &s, &c));
    g_assert_cmpint(s, ==, 900);
    g_assert_cmpint(c, ==, 100);
    g_assert_true(hbitmap_next_dirty_area(hb, 0, 950, INT64_MAX, &s, &c));
    g_assert_true(hbitmap_next_dirty_area(hb, 150, 950, INT64_MAX, &s, &c));
    g_assert_cmpint(c, ==, 50);
    g_assert_false(hbitmap_next_dirty_area(hb, 150, 900, INT64_MAX, &s, &c));
    hbitmap_free(hb);
}

static void test_truncate(void)
{
    HBitmap *hb = hbitmap_alloc(10000, 0);

    hbitmap_set(hb, 0, 10);
    hbitmap_set(hb, 5000, 5000);
    hbitmap_truncate(hb, 5003);
    g_assert_cmpuint(hbitmap_size(hb), ==, 5003);
    g_assert_cmpuint(hbitmap_count(hb), ==, 13);
    g_assert_cmpint(hbitmap_next_zero(hb, 5000, INT64_MAX), ==, -1);
    hbitmap_truncate(hb, 300000);
    g_assert_cmpuint(hbitmap_count(hb), ==, 13);
    g_assert_cmpint(hbitmap_next_dirty(hb, 11, INT64_MAX), ==, 5000);
    g_assert_cmpint(hbitmap_next_dirty(hb, 5003, INT64_MAX), ==, -1);
    g_assert_false(hbitmap_get(hb, 5003));
    hbitmap_set(hb, 299999, 1);
    g_assert_cmpint(hbitmap_next_dirty(hb, 5003, INT64_MAX), ==, 299999);
    hbitmap_truncate(hb, 0);
    g_assert_true(hbitmap_is_empty(hb));
    g_assert_cmpint(hbitmap_next_dirty(hb, 0, INT64_MAX), ==, -1);
    hbitmap_free(hb);
}

static void test_merge(void)
{
    HBitmap *a = hbitmap_alloc(4096, 0);
    HBitmap *b = hbitmap_alloc(4096, 0);
    HBitmap *coarse = hbitmap_alloc(4096, 9);
    HBitmap *other = hbitmap_alloc(4095, 0);
    HBitmap *res = hbitmap_alloc(4096, 0);

    hbitmap_set(a, 10, 10);
    hbitmap_set(b, 15, 10);
    hbitmap_set(b, 3000, 1);
    g_assert_true(hbitmap_merge(a, b, res));
    g_assert_cmpuint(hbitmap_count(res), ==, 16);
    g_assert_cmpuint(hbitmap_count(a), ==, 10);
    g_assert_true(hbitmap_merge(a, b, a));
    g_assert_cmpuint(hbitmap_count(a), ==, 16);
    g_assert_false(hbitmap_can_merge(a, other));
    g_assert_false(hbitmap_merge(a, other, a));
    g_assert_cmpuint(hbitmap_count(a), ==, 16);

    /* Fine into coarse: each touched 512-byte granule becomes dirty. */
    g_assert_true(hbitmap_merge(coarse, a, coarse));
    g_assert_cmpuint(hbitmap_count(coarse), ==, 1024);
    g_assert_true(hbitmap_get(coarse, 2600));
    /* Coarse into fine: whole granules. */
    hbitmap_reset_all(res);
    g_assert_true(hbitmap_merge(res, coarse, res));
    g_assert_cmpuint(hbitmap_count(res), ==, 1024);
    g_assert_cmpint(hbitmap_next_dirty(res, 0, INT64_MAX), ==, 0);
    g_assert_cmpint(hbitmap_next_zero(res, 0, INT64_MAX), ==, 512);
    g_assert_cmpint(hbitmap_next_dirty(res, 512, INT64_MAX), ==, 2560);

    hbitmap_free(a);
    hbitmap_free(b);
    hbitmap_free(coarse);
    hbitmap_free(other);
    hbitmap_free(res);
}

/* The stream layout is the qcow2 one: granule i is bit i % 8 of byte i/8. */
static void test_serialize(void)
{
    uint64_t size = 65536 * 3 + 1000;  /* with a partial last granule */
    int gran = 4;
    HBitmap *hb = hbitmap_alloc(size, gran);
    HBitmap *back = hbitmap_alloc(size, gran);
    uint64_t align = hbitmap_serialization_align(hb);
    uint64_t len = hbitmap_serialization_size(hb, 0, size);
    g_autofree uint8_t *buf = g_malloc0(len);
    uint64_t nbits = DIV_ROUND_UP(size, 16);

    g_assert_cmpuint(align, ==, 64 * 16);
    g_assert_cmpuint(len, ==, DIV_ROUND_UP(nbits, 64) * 8);
    hbitmap_set(hb, 0, 1);
    hbitmap_set(hb, 16 * 9, 1);
    hbitmap_set(hb, size - 1, 1);
    hbitmap_serialize_part(hb, buf, 0, size);
    g_assert_cmpuint(buf[0], ==, 0x01);
    g_assert_cmpuint(buf[1], ==, 0x02);
    g_assert_cmpuint(buf[(nbits - 1) / 8], ==, 1 << ((nbits - 1) % 8));

    /* Two parts, the second one ending at the end of the bitmap. */
    hbitmap_deserialize_part(back, buf, 0, align * 8, false);
    hbitmap_deserialize_part(back, buf + hbitmap_serialization_size(
                                 hb, 0, align * 8),
                             align * 8, size - align * 8, true);
    g_assert_cmpuint(hbitmap_count(back), ==, hbitmap_count(hb));
    g_assert_cmpint(hbitmap_next_dirty(back, 1, INT64_MAX), ==, 1);
    g_assert_cmpint(hbitmap_next_dirty(back, 16, INT64_MAX), ==, 16 * 9);
    g_assert_cmpint(hbitmap_next_dirty(back, 16 * 10, INT64_MAX), ==,
                    QEMU_ALIGN_DOWN(size - 1, 16));

    hbitmap_deserialize_ones(back, align, align, false);
    hbitmap_deserialize_zeroes(back, 0, align, true);
    g_assert_cmpuint(hbitmap_count(back), ==, 64 * 16 + 16);
    g_assert_cmpint(hbitmap_next_dirty(back, 0, INT64_MAX), ==, align);
    /* Ones over the tail keep the bits past the end clear. */
    hbitmap_deserialize_ones(back, 0, size, true);
    g_assert_cmpuint(hbitmap_count(back), ==, nbits * 16);
    hbitmap_free(hb);
    hbitmap_free(back);
}

static void test_copy(void)
{
    HBitmap *hb = hbitmap_alloc(5000, 1);
    HBitmap *c;

    hbitmap_set(hb, 100, 300);
    c = hbitmap_copy(hb);
    hbitmap_reset_all(hb);
    g_assert_cmpuint(hbitmap_count(c), ==, 300);
    g_assert_cmpint(hbitmap_next_dirty(c, 0, INT64_MAX), ==, 100);
    hbitmap_free(hb);
    hbitmap_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(params); i++) {
        g_autofree char *path = g_strdup_printf(
            "/hbitmap/random/%" PRIu64 "-g%" PRIu64, params[i][0],
            params[i][1]);

        g_test_add_data_func(path, params[i], test_random);
    }
    g_test_add_func("/hbitmap/sparse", test_sparse);
    g_test_add_func("/hbitmap/iter", test_iter);
    g_test_add_func("/hbitmap/dirty-area", test_dirty_area);
    g_test_add_func("/hbitmap/truncate", test_truncate);
    g_test_add_func("/hbitmap/merge", test_merge);
    g_test_add_func("/hbitmap/serialize", test_serialize);
    g_test_add_func("/hbitmap/copy", test_copy);
    return g_test_run();
}
