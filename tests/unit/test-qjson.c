/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qjson.c: JSON parsing (literals, numbers, strings and escapes,
 * Unicode, nesting, interpolation, malformed input) and serialisation in
 * QEMU's compact and pretty layouts.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"

static char *to_json_str(QObject *obj, bool pretty)
{
    return g_string_free(qobject_to_json_pretty(obj, pretty), false);
}

static void test_literals(void)
{
    QObject *obj;

    obj = qobject_from_json("true", &error_abort);
    g_assert_true(qbool_get_bool(qobject_to(QBool, obj)));
    qobject_unref(obj);
    obj = qobject_from_json(" false ", &error_abort);
    g_assert_false(qbool_get_bool(qobject_to(QBool, obj)));
    qobject_unref(obj);
    obj = qobject_from_json("null", &error_abort);
    g_assert_true(obj == QOBJECT(&qnull_));
    qobject_unref(obj);
}

static void test_numbers(void)
{
    static const struct {
        const char *json;
        QNumKind kind;
        const char *out;
    } cases[] = {
        { "0", QNUM_I64, "0" },
        { "-0", QNUM_I64, "0" },
        { "9223372036854775807", QNUM_I64, "9223372036854775807" },
        { "-9223372036854775808", QNUM_I64, "-9223372036854775808" },
        /* past INT64_MAX: unsigned */
        { "9223372036854775808", QNUM_U64, "9223372036854775808" },
        { "18446744073709551615", QNUM_U64, "18446744073709551615" },
        /* past UINT64_MAX or below INT64_MIN: double */
        { "18446744073709551616", QNUM_DOUBLE, "1.8446744073709552e+19" },
        { "-9223372036854775809", QNUM_DOUBLE, "-9.2233720368547758e+18" },
        { "1.5", QNUM_DOUBLE, "1.5" },
        { "-2.5e3", QNUM_DOUBLE, "-2500" },
        { "1E-2", QNUM_DOUBLE, "0.01" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        QObject *obj = qobject_from_json(cases[i].json, &error_abort);
        QNum *qn = qobject_to(QNum, obj);
        g_autofree char *out = NULL;

        g_assert_nonnull(qn);
        g_assert_cmpint(qn->kind, ==, cases[i].kind);
        out = to_json_str(obj, false);
        g_assert_cmpstr(out, ==, cases[i].out);
        qobject_unref(obj);
    }
}

static void test_strings(void)
{
    static const struct {
        const char *json;
        const char *value;
        const char *out;    /* serialised form, NULL: same as json */
    } cases[] = {
        { "\"hello\"", "hello", NULL },
        { "'single'", "single", "\"single\"" },
        { "'a \"quoted\" word'", "a \"quoted\" word",
          "\"a \\\"quoted\\\" word\"" },
        { "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t",
          "\"\\\"\\\\/\\b\\f\\n\\r\\t\"" },
        { "\"it\\'s\"", "it's", "\"it's\"" },
        /* control characters and non-ASCII come out as \u escapes */
        { "\"\\u0001\"", "\x01", "\"\\u0001\"" },
        { "\"\\u00e9t\\u00E9\"", "\xc3\xa9t\xc3\xa9", "\"\\u00E9t\\u00E9\"" },
        { "\"\xe2\x82\xac\"", "\xe2\x82\xac", "\"\\u20AC\"" },
        /* a surrogate pair decodes to one code point and back */
        { "\"\\uD83D\\uDE00\"", "\xf0\x9f\x98\x80", "\"\\uD83D\\uDE00\"" },
        { "\"\x7f\"", "\x7f", "\"\\u007F\"" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        QObject *obj = qobject_from_json(cases[i].json, &error_abort);
        g_autofree char *out = to_json_str(obj, false);

        g_assert_cmpstr(qobject_get_try_str(obj), ==, cases[i].value);
        g_assert_cmpstr(out, ==, cases[i].out ? cases[i].out : cases[i].json);
        qobject_unref(obj);
    }
}

static void test_compact_and_pretty(void)
{
    QObject *obj = qobject_from_json("{'a': [1, 2, {}], 'e': []}",
                                     &error_abort);
    QDict *one = qdict_new();
    g_autofree char *compact = NULL;
    g_autofree char *pretty = NULL;
    g_autofree char *single = NULL;
    g_autofree char *single_pretty = NULL;
    const char *expect_ae = "{\"a\": [1, 2, {}], \"e\": []}";
    const char *expect_ea = "{\"e\": [], \"a\": [1, 2, {}]}";

    compact = to_json_str(obj, false);
    /* member order follows the hash, either order is a valid layout */
    g_assert_true(!strcmp(compact, expect_ae) || !strcmp(compact, expect_ea));

    qdict_put(one, "b", qobject_from_json("[1, 2]", &error_abort));
    single = to_json_str(QOBJECT(one), false);
    g_assert_cmpstr(single, ==, "{\"b\": [1, 2]}");
    single_pretty = to_json_str(QOBJECT(one), true);
    g_assert_cmpstr(single_pretty, ==,
                    "{\n    \"b\": [\n        1,\n        2\n    ]\n}");
    pretty = to_json_str(obj, true);
    g_assert_true(strstr(pretty, "\"a\": [\n        1,\n        2,\n"
                                 "        {\n        }\n    ]"));
    g_assert_true(strstr(pretty, "\"e\": [\n    ]"));
    qobject_unref(one);
    qobject_unref(obj);
}

/*
 * Key order must match QEMU's, since it shows in "json:{...}" filenames;
 * QEMU prints {"driver": ..., "file": {"driver": ..., "filename": ...}}.
 */
static void test_key_order(void)
{
    QObject *obj = qobject_from_json(
        "{'file': {'filename': 'x', 'driver': 'file'}, 'driver': 'raw'}",
        &error_abort);
    g_autofree char *out = to_json_str(obj, false);

    g_assert_cmpstr(out, ==, "{\"driver\": \"raw\", \"file\": "
                    "{\"driver\": \"file\", \"filename\": \"x\"}}");
    qobject_unref(obj);
}

static void test_roundtrip(void)
{
    const char *json = "{'list': [1, -2, 3.25, true, false, null, 'str',"
                       " {'nested': {'deep': [[], {}]}}], 'u': "
                       "18446744073709551615}";
    QObject *obj = qobject_from_json(json, &error_abort);
    g_autofree char *compact = to_json_str(obj, false);
    g_autofree char *pretty = to_json_str(obj, true);
    QObject *again = qobject_from_json(compact, &error_abort);
    QObject *again_pretty = qobject_from_json(pretty, &error_abort);

    g_assert_true(qobject_is_equal(obj, again));
    g_assert_true(qobject_is_equal(obj, again_pretty));
    qobject_unref(obj);
    qobject_unref(again);
    qobject_unref(again_pretty);
}

static void test_interpolation(void)
{
    QObject *inner = QOBJECT(qstring_from_str("obj"));
    QDict *d = qdict_from_jsonf_nofail(
        "{'i': %d, 'l': %" PRId64 ", 'u': %" PRIu64 ", 's': %s, "
        "'f': %f, 'b': %p, 'ok': true}",
        -3, (int64_t)INT64_MIN, (uint64_t)UINT64_MAX, "text", 0.25, inner);

    g_assert_cmpint(qdict_get_int(d, "i"), ==, -3);
    g_assert_cmpint(qdict_get_int(d, "l"), ==, INT64_MIN);
    g_assert_cmpuint(qnum_get_uint(qobject_to(QNum, qdict_get(d, "u"))), ==,
                     UINT64_MAX);
    g_assert_cmpstr(qdict_get_str(d, "s"), ==, "text");
    g_assert_cmpfloat(qdict_get_double(d, "f"), ==, 0.25);
    /* %p hands over the caller's reference */
    g_assert_true(qdict_get(d, "b") == inner);
    qobject_unref(d);
}

static void test_errors(void)
{
    static const char *const bad[] = {
        "{", "[1, 2", "{'a' 1}", "{'a': 1,}", "[1,,2]", "{1: 2}",
        "\"unterminated", "tru", "nul", "01", "1.", "-", "+1", ".5",
        "\"\\x\"", "\"\\u12\"", "\"\\uDC00\"", "\"\\uD800x\"",
        "\"bad\xff utf8\"", "\"ctl\x01\"", "[1] [2]", "1 2", "}", "%d",
        "{'a': 1, 'a': 2}", "\"\\u0000\"",
    };
    size_t i;
    Error *err = NULL;
    GString *deep;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        QObject *obj = qobject_from_json(bad[i], &err);

        if (obj) {
            g_test_message("accepted: %s", bad[i]);
        }
        g_assert_null(obj);
        g_assert_nonnull(err);
        error_free(err);
        err = NULL;
    }

    g_assert_null(qobject_from_json("", &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Expecting a JSON value");
    error_free(err);
    err = NULL;
    g_assert_null(qobject_from_json("1 2", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Expecting at most one JSON value");
    error_free(err);
    err = NULL;
    g_assert_null(qobject_from_json("[1 2]", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "JSON parse error, expected separator in list");
    error_free(err);
    err = NULL;
    g_assert_null(qobject_from_json("[1,]", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "JSON parse error, expecting value");
    error_free(err);
    err = NULL;
    g_assert_null(qobject_from_json("{'a' 1}", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "JSON parse error, missing : in object pair");
    error_free(err);
    err = NULL;
    g_assert_null(qobject_from_json("auto", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "JSON parse error, invalid keyword 'auto'");
    error_free(err);
    err = NULL;

    /* nesting is limited */
    deep = g_string_new(NULL);
    for (i = 0; i < 2000; i++) {
        g_string_append_c(deep, '[');
    }
    g_assert_null(qobject_from_json(deep->str, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_string_free(deep, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qjson/literals", test_literals);
    g_test_add_func("/qjson/numbers", test_numbers);
    g_test_add_func("/qjson/strings", test_strings);
    g_test_add_func("/qjson/compact-and-pretty", test_compact_and_pretty);
    g_test_add_func("/qjson/key-order", test_key_order);
    g_test_add_func("/qjson/roundtrip", test_roundtrip);
    g_test_add_func("/qjson/interpolation", test_interpolation);
    g_test_add_func("/qjson/errors", test_errors);
    return g_test_run();
}
