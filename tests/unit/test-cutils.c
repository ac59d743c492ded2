/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-cutils.c: string helpers, strict number parsing, size parsing
 * (qemu_strtosz and friends) and size formatting.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/units.h"

/* Check qemu_strtosz() both with and without an end pointer. */
static void check_strtosz(const char *str, int ret, uint64_t val,
                          ptrdiff_t consumed, int ret_noend)
{
    const char *end = NULL;
    uint64_t res = 0xbaadf00d;
    int r;

    r = qemu_strtosz(str, &end, &res);
    g_assert_cmpint(r, ==, ret);
    g_assert_cmpuint(res, ==, ret ? 0 : val);
    g_assert_cmpint(end - str, ==, consumed);

    res = 0xbaadf00d;
    r = qemu_strtosz(str, NULL, &res);
    g_assert_cmpint(r, ==, ret_noend);
    g_assert_cmpuint(res, ==, ret_noend ? 0 : val);
}

static void test_strtosz_simple(void)
{
    check_strtosz("0", 0, 0, 1, 0);
    check_strtosz("12345", 0, 12345, 5, 0);
    check_strtosz(" 42", 0, 42, 3, 0);
    check_strtosz("0x1f", 0, 31, 4, 0);
    /* QEMU 7.2 (qemu-img -o cluster_size=0x10k): suffix after hex, warned */
    check_strtosz("0x10k", 0, 16 * KiB, 5, 0);
    check_strtosz("0x1E", 0, 30, 4, 0);
    /* 2^64 - 1 is the largest value */
    check_strtosz("18446744073709551615", 0, UINT64_MAX, 20, 0);
}

static void test_strtosz_units(void)
{
    static const struct {
        char suffix;
        uint64_t mul;
    } units[] = {
        { 'B', 1 }, { 'K', KiB }, { 'M', MiB }, { 'G', GiB }, { 'T', TiB },
        { 'P', PiB }, { 'E', EiB },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(units); i++) {
        char suffix = units[i].suffix;
        g_autofree char *upper = g_strdup_printf("3%c", suffix);
        g_autofree char *lower = g_strdup_printf("3%c",
                                                 g_ascii_tolower(suffix));

        check_strtosz(upper, 0, 3 * units[i].mul, 2, 0);
        check_strtosz(lower, 0, 3 * units[i].mul, 2, 0);
    }
}

static void test_strtosz_fractions(void)
{
    check_strtosz("1.5G", 0, GiB + GiB / 2, 4, 0);
    check_strtosz("0.5K", 0, 512, 4, 0);
    check_strtosz(".5K", 0, 512, 3, 0);
    /* rounds half up: 0.1 KiB = 102.4 bytes */
    check_strtosz("0.1K", 0, 102, 4, 0);
    check_strtosz("1.0", 0, 1, 3, 0);
    /* a fraction of a byte is an error */
    check_strtosz("1.5", -EINVAL, 0, 0, -EINVAL);
    check_strtosz("1.1B", -EINVAL, 0, 0, -EINVAL);
    /* parsing stops at 'e': it is the exbibyte suffix, not an exponent */
    check_strtosz("1.5e1k", 0, EiB + EiB / 2, 4, -EINVAL);
}

static void test_strtosz_invalid(void)
{
    check_strtosz("", -EINVAL, 0, 0, -EINVAL);
    check_strtosz(" ", -EINVAL, 0, 0, -EINVAL);
    check_strtosz(".", -EINVAL, 0, 0, -EINVAL);
    check_strtosz("x1", -EINVAL, 0, 0, -EINVAL);
    /* hex takes no fraction */
    check_strtosz("0x1.8k", -EINVAL, 0, 0, -EINVAL);
    /* unknown suffix: trailing junk */
    check_strtosz("1Q", 0, 1, 1, -EINVAL);
    check_strtosz("123-45", 0, 123, 3, -EINVAL);
    check_strtosz("0x", 0, 0, 1, -EINVAL);
}

static void test_strtosz_erange(void)
{
    /* as QEMU 7.2 (qemu-img -o cluster_size=-5): a sign makes it invalid */
    check_strtosz("-5", -EINVAL, 0, 0, -EINVAL);
    check_strtosz(" -0", -EINVAL, 0, 0, -EINVAL);
    check_strtosz("-2M", -EINVAL, 0, 0, -EINVAL);
    /* ... unless the magnitude alone overflows */
    check_strtosz("-18446744073709551616", -ERANGE, 0, 21, -ERANGE);
    check_strtosz("18446744073709551616", -ERANGE, 0, 20, -ERANGE);
    /* 20 EiB = 20 * 2^60 > 2^64 */
    check_strtosz("20E", -ERANGE, 0, 3, -ERANGE);
    /* 16 EiB = 2^64 exactly */
    check_strtosz("16E", -ERANGE, 0, 3, -ERANGE);
    check_strtosz("15E", 0, 15 * (uint64_t)EiB, 3, 0);
}

static void test_strtosz_variants(void)
{
    const char *end;
    uint64_t res;

    g_assert_cmpint(qemu_strtosz_MiB("12", &end, &res), ==, 0);
    g_assert_cmpuint(res, ==, 12 * MiB);
    g_assert_cmpint(qemu_strtosz_MiB("12k", NULL, &res), ==, 0);
    g_assert_cmpuint(res, ==, 12 * KiB);
    g_assert_cmpint(qemu_strtosz_metric("12345k", &end, &res), ==, 0);
    g_assert_cmpuint(res, ==, 12345000);
    g_assert_cmpint(qemu_strtosz_metric("1.5M", NULL, &res), ==, 0);
    g_assert_cmpuint(res, ==, 1500000);
    /*
     * The fraction goes through a double: .446744073709550591 rounds to
     * the nearest double before scaling, as in QEMU.
     */
    g_assert_cmpint(qemu_strtosz_metric("18.446744073709550591E", &end, &res),
                    ==, 0);
    g_assert_cmphex(res, ==, 0xfffffffffffffc0cULL);
}

static void test_size_to_str(void)
{
    static const struct {
        uint64_t val;
        const char *str;
    } cases[] = {
        { 0, "0 B" },
        { 999, "999 B" },
        /* from 1000 bytes on, the next unit is used */
        { 1000, "0.977 KiB" },
        { 1024, "1 KiB" },
        { 1536, "1.5 KiB" },
        { 512 * MiB, "512 MiB" },
        { GiB, "1 GiB" },
        { 10 * GiB + GiB / 4, "10.2 GiB" },
        { 3 * TiB, "3 TiB" },
        { EiB, "1 EiB" },
        { UINT64_MAX, "16 EiB" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *s = size_to_str(cases[i].val);
        g_assert_cmpstr(s, ==, cases[i].str);
    }
}

static void test_strtoi(void)
{
    const char *end;
    int i;
    int64_t i64;
    uint64_t u64;
    unsigned int ui;

    g_assert_cmpint(qemu_strtoi("  -123", NULL, 10, &i), ==, 0);
    g_assert_cmpint(i, ==, -123);
    g_assert_cmpint(qemu_strtoi("0x10", NULL, 0, &i), ==, 0);
    g_assert_cmpint(i, ==, 16);
    /* junk fails a full parse but the number is still stored */
    g_assert_cmpint(qemu_strtoi("12abc", NULL, 10, &i), ==, -EINVAL);
    g_assert_cmpint(i, ==, 12);
    /* junk takes priority over range errors; the value saturates */
    g_assert_cmpint(qemu_strtoi("-9999999999junk", NULL, 0, &i), ==, -EINVAL);
    g_assert_cmpint(i, ==, INT_MIN);
    g_assert_cmpint(qemu_strtoi("-18446744073709551615", NULL, 0, &i), ==,
                    -ERANGE);
    g_assert_cmpint(i, ==, INT_MIN);
    g_assert_cmpint(qemu_strtoi("0x7fffffffffffffff", NULL, 0, &i), ==,
                    -ERANGE);
    g_assert_cmpint(i, ==, INT_MAX);
    g_assert_cmpint(qemu_strtoi("   xyz", &end, 0, &i), ==, -EINVAL);
    g_assert_cmpint(i, ==, 0);
    g_assert_cmpint(qemu_strtoi("12abc", &end, 10, &i), ==, 0);
    g_assert_cmpint(i, ==, 12);
    g_assert_cmpstr(end, ==, "abc");
    g_assert_cmpint(qemu_strtoi("", NULL, 10, &i), ==, -EINVAL);
    g_assert_cmpint(qemu_strtoi(NULL, NULL, 10, &i), ==, -EINVAL);
    g_assert_cmpint(qemu_strtoi("2147483648", NULL, 10, &i), ==, -ERANGE);
    g_assert_cmpint(i, ==, INT_MAX);
    g_assert_cmpint(qemu_strtoi("-2147483649", NULL, 10, &i), ==, -ERANGE);
    g_assert_cmpint(i, ==, INT_MIN);

    g_assert_cmpint(qemu_strtoi64("-9223372036854775808", NULL, 10, &i64),
                    ==, 0);
    g_assert_cmpint(i64, ==, INT64_MIN);
    g_assert_cmpint(qemu_strtoi64("9223372036854775808", NULL, 10, &i64),
                    ==, -ERANGE);
    g_assert_cmpint(i64, ==, INT64_MAX);

    /* unsigned parsers wrap a leading '-' like strtoul() */
    g_assert_cmpint(qemu_strtou64("-1", NULL, 10, &u64), ==, 0);
    g_assert_cmpuint(u64, ==, UINT64_MAX);
    g_assert_cmpint(qemu_strtoui("-1", NULL, 10, &ui), ==, 0);
    g_assert_cmpuint(ui, ==, UINT_MAX);
    g_assert_cmpint(qemu_strtoui("4294967296", NULL, 10, &ui), ==, -ERANGE);
    g_assert_cmpuint(ui, ==, UINT_MAX);
    g_assert_cmpint(qemu_strtoui("-4294967296", NULL, 10, &ui), ==, -ERANGE);
    g_assert_cmpuint(ui, ==, UINT_MAX);
    /* -(2^32 - 1) wraps to 1, as 32-bit strtoul() would give */
    g_assert_cmpint(qemu_strtoui("-4294967295", NULL, 10, &ui), ==, 0);
    g_assert_cmpuint(ui, ==, 1);
    g_assert_cmpint(qemu_strtoui("0xffffffff00000001", NULL, 0, &ui), ==,
                    -ERANGE);
    g_assert_cmpuint(ui, ==, UINT_MAX);
    g_assert_cmpint(qemu_strtou64("18446744073709551616", NULL, 10, &u64),
                    ==, -ERANGE);
    g_assert_cmpuint(u64, ==, UINT64_MAX);
}

static void test_strtod(void)
{
    double d;
    const char *end;

    g_assert_cmpint(qemu_strtod("1.25", NULL, &d), ==, 0);
    g_assert_cmpfloat(d, ==, 1.25);
    g_assert_cmpint(qemu_strtod("1e999", NULL, &d), ==, -ERANGE);
    g_assert_cmpint(qemu_strtod_finite("inf", NULL, &d), ==, -EINVAL);
    g_assert_cmpint(qemu_strtod_finite("2.5x", &end, &d), ==, 0);
    g_assert_cmpstr(end, ==, "x");
}

static void test_parse_uint(void)
{
    uint64_t v;
    const char *end;

    g_assert_cmpint(parse_uint("123", &end, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 123);
    g_assert_cmpint(parse_uint("-1", &end, 10, &v), ==, -ERANGE);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(parse_uint_full("42x", 10, &v), ==, -EINVAL);
    g_assert_cmpuint(v, ==, 0);
    /* junk beats the negative-number range error */
    g_assert_cmpint(parse_uint_full("-2junk", 0, &v), ==, -EINVAL);
    g_assert_cmpint(parse_uint("99999999999999999999", &end, 0, &v), ==,
                    -ERANGE);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    g_assert_cmpint(parse_uint(NULL, &end, 0, &v), ==, -EINVAL);
    g_assert_null(end);
    g_assert_cmpint(parse_uint_full("0x2a", 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 42);
}

static void test_strings(void)
{
    char buf[8];
    const char *rest;
    char *input, *copy, *tok;

    pstrcpy(buf, sizeof(buf), "abcdefghij");
    g_assert_cmpstr(buf, ==, "abcdefg");
    pstrcpy(buf, sizeof(buf), "ab");
    pstrcat(buf, sizeof(buf), "cdefghij");
    g_assert_cmpstr(buf, ==, "abcdefg");

    g_assert_true(strstart("file:foo", "file:", &rest));
    g_assert_cmpstr(rest, ==, "foo");
    g_assert_false(strstart("File:foo", "file:", NULL));
    g_assert_true(stristart("File:foo", "file:", &rest));
    g_assert_cmpstr(rest, ==, "foo");

    g_assert_cmpint(qemu_strnlen("abc", 10), ==, 3);
    g_assert_cmpint(qemu_strnlen("abcdef", 4), ==, 4);

    copy = input = g_strdup("a,b;c");
    tok = qemu_strsep(&input, ",;");
    g_assert_cmpstr(tok, ==, "a");
    tok = qemu_strsep(&input, ",;");
    g_assert_cmpstr(tok, ==, "b");
    tok = qemu_strsep(&input, ",;");
    g_assert_cmpstr(tok, ==, "c");
    g_assert_null(input);
    g_assert_null(qemu_strsep(&input, ","));
    g_free(copy);
}

static void test_buffer_is_zero(void)
{
    size_t len = 4096 + 13;
    g_autofree uint8_t *buf = g_malloc0(len + 16);
    size_t off, pos;

    /* every alignment, with a single set byte at many positions */
    for (off = 0; off < 8; off++) {
        g_assert_true(buffer_is_zero(buf + off, len));
        for (pos = 0; pos < len; pos += 97) {
            buf[off + pos] = 1;
            g_assert_false(buffer_is_zero(buf + off, len));
            g_assert_true(pos == 0 || buffer_is_zero(buf + off, pos));
            buf[off + pos] = 0;
        }
        buf[off + len - 1] = 0x80;
        g_assert_false(buffer_is_zero(buf + off, len));
        buf[off + len - 1] = 0;
    }
    g_assert_true(buffer_is_zero(buf, 0));
}

static void test_hexdump(void)
{
    char line[QEMU_HEXDUMP_LINE_LEN];
    uint8_t data[20];
    GString *expect = g_string_new("0000:");
    size_t i;

    for (i = 0; i < sizeof(data); i++) {
        data[i] = 0x41 + i;
    }
    data[3] = 0x07;
    qemu_hexdump_line(line, 0, data, sizeof(data), true);
    /* build the expected line: groups of four bytes, then the ASCII */
    for (i = 0; i < 16; i++) {
        g_string_append_printf(expect, "%s %02x", i % 4 ? "" : " ", data[i]);
    }
    g_string_append(expect, " ABC.EFGHIJKLMNOP");
    g_assert_cmpstr(line, ==, expect->str);
    g_string_free(expect, true);

    /* the short last line is padded to the same column */
    qemu_hexdump_line(line, 16, data, 4, true);
    expect = g_string_new("0010:");
    for (i = 0; i < 16; i++) {
        g_string_append(expect, i % 4 ? "" : " ");
        if (i < 4) {
            g_string_append_printf(expect, " %02x", data[16 + i]);
        } else {
            g_string_append(expect, "   ");
        }
    }
    g_string_append(expect, " QRST");
    g_assert_cmpstr(line, ==, expect->str);
    g_string_free(expect, true);
}

static void test_hexdump_stream(void)
{
    char *out = NULL;
    size_t out_len = 0;
    FILE *fp = open_memstream(&out, &out_len);
    const char data[17] = "0123456789abcdef";
    char line[QEMU_HEXDUMP_LINE_LEN];
    g_autoptr(GString) expect = g_string_new(NULL);

    /* 17 bytes: one full line and one line with the terminating NUL */
    qemu_hexdump(fp, "pfx", data, sizeof(data));
    fclose(fp);
    qemu_hexdump_line(line, 0, data, 16, true);
    g_string_append_printf(expect, "pfx: %s\n", line);
    qemu_hexdump_line(line, 16, data, 1, true);
    g_string_append_printf(expect, "pfx: %s\n", line);
    g_assert_cmpstr(out, ==, expect->str);
    g_assert_true(g_str_has_suffix(out, " .\n"));
    free(out);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/strtosz/simple", test_strtosz_simple);
    g_test_add_func("/cutils/strtosz/units", test_strtosz_units);
    g_test_add_func("/cutils/strtosz/fractions", test_strtosz_fractions);
    g_test_add_func("/cutils/strtosz/invalid", test_strtosz_invalid);
    g_test_add_func("/cutils/strtosz/erange", test_strtosz_erange);
    g_test_add_func("/cutils/strtosz/variants", test_strtosz_variants);
    g_test_add_func("/cutils/size_to_str", test_size_to_str);
    g_test_add_func("/cutils/strtoi", test_strtoi);
    g_test_add_func("/cutils/strtod", test_strtod);
    g_test_add_func("/cutils/parse_uint", test_parse_uint);
    g_test_add_func("/cutils/strings", test_strings);
    g_test_add_func("/cutils/buffer_is_zero", test_buffer_is_zero);
    g_test_add_func("/cutils/hexdump", test_hexdump);
    g_test_add_func("/cutils/hexdump-stream", test_hexdump_stream);
    return g_test_run();
}
