/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-bswap.c: byte swapping and fixed-endian loads/stores.  Expected
 * byte layouts are written out explicitly, so the test is meaningful on
 * hosts of either endianness.
 */
#include "qemu/osdep.h"
#include "qemu/bswap.h"

static void test_swaps(void)
{
    uint16_t s = 0x1234;
    uint32_t l = 0x12345678;
    uint64_t q = 0x0123456789abcdefULL;

    g_assert_cmphex(bswap16(0x1234), ==, 0x3412);
    g_assert_cmphex(bswap32(0x12345678), ==, 0x78563412);
    g_assert_cmphex(bswap64(0x0123456789abcdefULL), ==,
                    0xefcdab8967452301ULL);
    bswap16s(&s);
    bswap32s(&l);
    bswap64s(&q);
    g_assert_cmphex(s, ==, 0x3412);
    g_assert_cmphex(l, ==, 0x78563412);
    g_assert_cmphex(q, ==, 0xefcdab8967452301ULL);
}

static void test_cpu_to(void)
{
    uint32_t be = cpu_to_be32(0x11223344);
    uint32_t le = cpu_to_le32(0x11223344);
    uint64_t be64 = cpu_to_be64(0x1122334455667788ULL);
    uint16_t be16 = cpu_to_be16(0xa1b2);
    const uint8_t be_bytes[4] = { 0x11, 0x22, 0x33, 0x44 };
    const uint8_t le_bytes[4] = { 0x44, 0x33, 0x22, 0x11 };
    const uint8_t be64_bytes[8] = { 0x11, 0x22, 0x33, 0x44,
                                    0x55, 0x66, 0x77, 0x88 };
    const uint8_t be16_bytes[2] = { 0xa1, 0xb2 };
    uint32_t v = 0xcafef00d;

    /* the in-memory representation is what matters */
    g_assert_cmpmem(&be, 4, be_bytes, 4);
    g_assert_cmpmem(&le, 4, le_bytes, 4);
    g_assert_cmpmem(&be64, 8, be64_bytes, 8);
    g_assert_cmpmem(&be16, 2, be16_bytes, 2);
    g_assert_cmphex(be32_to_cpu(be), ==, 0x11223344);
    g_assert_cmphex(le32_to_cpu(le), ==, 0x11223344);
    g_assert_cmphex(be64_to_cpu(be64), ==, 0x1122334455667788ULL);
    g_assert_cmphex(be16_to_cpu(be16), ==, 0xa1b2);
    g_assert_cmphex(be32_to_cpup(&be), ==, 0x11223344);
    g_assert_cmphex(le32_to_cpup(&le), ==, 0x11223344);

    cpu_to_be32s(&v);
    be32_to_cpus(&v);
    g_assert_cmphex(v, ==, 0xcafef00d);
}

static void test_load_store(void)
{
    uint8_t buf[16] = { 0 };
    uint8_t *p = buf + 1;       /* deliberately unaligned */
    const uint8_t q_be[8] = { 0x01, 0x23, 0x45, 0x67,
                              0x89, 0xab, 0xcd, 0xef };
    const uint8_t q_le[8] = { 0xef, 0xcd, 0xab, 0x89,
                              0x67, 0x45, 0x23, 0x01 };

    stq_be_p(p, 0x0123456789abcdefULL);
    g_assert_cmpmem(p, 8, q_be, 8);
    g_assert_cmphex(ldq_be_p(p), ==, 0x0123456789abcdefULL);
    g_assert_cmphex(ldq_le_p(p), ==, 0xefcdab8967452301ULL);
    g_assert_cmphex((uint32_t)ldl_be_p(p), ==, 0x01234567);
    g_assert_cmphex((uint32_t)ldl_le_p(p), ==, 0x67452301);
    g_assert_cmphex(lduw_be_p(p), ==, 0x0123);
    g_assert_cmphex(lduw_le_p(p), ==, 0x2301);

    stq_le_p(p, 0x0123456789abcdefULL);
    g_assert_cmpmem(p, 8, q_le, 8);

    stl_be_p(p, 0xdeadbeef);
    g_assert_cmphex(p[0], ==, 0xde);
    g_assert_cmphex(p[3], ==, 0xef);
    stl_le_p(p, 0xdeadbeef);
    g_assert_cmphex(p[0], ==, 0xef);
    g_assert_cmphex(p[3], ==, 0xde);
    stw_be_p(p, 0xfffe);
    g_assert_cmpint(ldsw_be_p(p), ==, -2);
    g_assert_cmpint(lduw_be_p(p), ==, 0xfffe);
    stw_le_p(p, 0x8001);
    g_assert_cmphex(p[0], ==, 0x01);
    g_assert_cmpint(ldsw_le_p(p), ==, -32767);

    stl_be24_p(p, 0xabcdef);
    g_assert_cmphex(ldl_be24_p(p), ==, 0xabcdef);
    g_assert_cmphex(p[0], ==, 0xab);

    stn_be_p(p, 4, 0x01020304);
    g_assert_cmphex(ldn_be_p(p, 4), ==, 0x01020304);
    g_assert_cmphex(ldn_le_p(p, 2), ==, 0x0201);
    stn_le_p(p, 8, 1);
    g_assert_cmphex(p[0], ==, 1);
    g_assert_cmphex(ldn_le_p(p, 8), ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bswap/swaps", test_swaps);
    g_test_add_func("/bswap/cpu-to", test_cpu_to);
    g_test_add_func("/bswap/load-store", test_load_store);
    return g_test_run();
}
