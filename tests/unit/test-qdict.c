/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qdict.c: QDict basics (put/get/del, typed getters, iteration,
 * clone) and the block-layer helpers in block/qdict.h (flatten, crumple,
 * extract_subqdict, array_split, array_entries, join, rename).
 */
#include "qemu/osdep.h"
#include "block/qdict.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"

static void test_put_get(void)
{
    QDict *d = qdict_new();
    QObject *old;

    qdict_put_int(d, "int", -5);
    qdict_put_bool(d, "bool", true);
    qdict_put_str(d, "str", "value");
    qdict_put_null(d, "null");
    qdict_put(d, "dbl", qnum_from_double(2.5));
    qdict_put(d, "big", qnum_from_uint(UINT64_MAX));
    g_assert_cmpuint(qdict_size(d), ==, 6);

    g_assert_cmpint(qdict_get_int(d, "int"), ==, -5);
    g_assert_true(qdict_get_bool(d, "bool"));
    g_assert_cmpstr(qdict_get_str(d, "str"), ==, "value");
    g_assert_cmpfloat(qdict_get_double(d, "dbl"), ==, 2.5);
    g_assert_cmpfloat(qdict_get_double(d, "int"), ==, -5.0);
    g_assert_true(qdict_get(d, "null") == QOBJECT(&qnull_));

    /* the _try_ getters fall back on absence, wrong type or range */
    g_assert_cmpint(qdict_get_try_int(d, "int", 7), ==, -5);
    g_assert_cmpint(qdict_get_try_int(d, "missing", 7), ==, 7);
    g_assert_cmpint(qdict_get_try_int(d, "str", 7), ==, 7);
    g_assert_cmpint(qdict_get_try_int(d, "big", 7), ==, 7);
    g_assert_false(qdict_get_try_bool(d, "missing", false));
    g_assert_true(qdict_get_try_bool(d, "str", true));
    g_assert_cmpstr(qdict_get_try_str(d, "str"), ==, "value");
    g_assert_null(qdict_get_try_str(d, "int"));
    g_assert_null(qdict_get_qdict(d, "str"));
    g_assert_null(qdict_get_qlist(d, "str"));

    /* replacing a value drops the reference to the old one */
    old = qobject_ref(qdict_get(d, "str"));
    g_assert_cmpuint(old->base.refcnt, ==, 2);
    qdict_put_str(d, "str", "new");
    g_assert_cmpuint(old->base.refcnt, ==, 1);
    g_assert_cmpstr(qdict_get_str(d, "str"), ==, "new");
    g_assert_cmpuint(qdict_size(d), ==, 6);
    qobject_unref(old);

    g_assert_true(qdict_haskey(d, "int"));
    qdict_del(d, "int");
    g_assert_false(qdict_haskey(d, "int"));
    qdict_del(d, "int");
    g_assert_cmpuint(qdict_size(d), ==, 5);
    qobject_unref(d);
}

static void test_iterate_clone(void)
{
    QDict *d = qdict_new(), *clone;
    const QDictEntry *e;
    unsigned seen = 0;
    int i;

    for (i = 0; i < 1000; i++) {
        g_autofree char *key = g_strdup_printf("key%d", i);
        qdict_put_int(d, key, i);
    }
    g_assert_cmpuint(qdict_size(d), ==, 1000);
    for (e = qdict_first(d); e; e = qdict_next(d, e)) {
        int n = atoi(qdict_entry_key(e) + 3);
        g_assert_cmpint(qnum_get_int(qobject_to(QNum, qdict_entry_value(e))),
                        ==, n);
        seen++;
    }
    g_assert_cmpuint(seen, ==, 1000);

    clone = qdict_clone_shallow(d);
    g_assert_true(qobject_is_equal(QOBJECT(d), QOBJECT(clone)));
    /* shallow: the values are shared */
    g_assert_true(qdict_get(d, "key5") == qdict_get(clone, "key5"));
    qobject_unref(d);
    qobject_unref(clone);
}

static QDict *json_dict(const char *json)
{
    QDict *d = qobject_to(QDict, qobject_from_json(json, &error_abort));

    g_assert_nonnull(d);
    return d;
}

static void assert_json_equal(QObject *obj, const char *json)
{
    QObject *expect = qobject_from_json(json, &error_abort);

    if (!qobject_is_equal(obj, expect)) {
        g_autoptr(GString) got = qobject_to_json(obj);
        g_test_message("got %s, expected %s", got->str, json);
        g_assert_not_reached();
    }
    qobject_unref(expect);
}

static void test_flatten(void)
{
    QDict *d = json_dict("{'a': 1, 'b': {'c': 'x', 'd': {'e': true}},"
                         " 'l': [10, {'f': 2}, [3]],"
                         " 'empty': {}, 'nolist': []}");

    qdict_flatten(d);
    assert_json_equal(QOBJECT(d),
                      "{'a': 1, 'b.c': 'x', 'b.d.e': true, 'l.0': 10,"
                      " 'l.1.f': 2, 'l.2.0': 3, 'empty': {}, 'nolist': []}");
    qobject_unref(d);
}

static void test_crumple(void)
{
    QDict *d = json_dict("{'a': 1, 'b.c': 'x', 'b.d.e': true, 'l.0': 10,"
                         " 'l.1.f': 2, 'l.2.0': 3, 'dot..ted': 'y'}");
    QObject *c = qdict_crumple(d, &error_abort);

    assert_json_equal(c, "{'a': 1, 'b': {'c': 'x', 'd': {'e': true}},"
                         " 'l': [10, {'f': 2}, [3]], 'dot.ted': 'y'}");
    qobject_unref(c);
    qobject_unref(d);

    /* a pure index dict becomes a list at top level */
    d = json_dict("{'1': 'b', '0': 'a'}");
    c = qdict_crumple(d, &error_abort);
    assert_json_equal(c, "['a', 'b']");
    qobject_unref(c);
    qobject_unref(d);
}

static void test_crumple_errors(void)
{
    static const struct {
        const char *json;
        const char *msg;
    } bad[] = {
        { "{'a': 1, 'a.b': 2}", NULL },     /* depends on iteration order */
        { "{'l.0': 1, 'l.x': 2}", "Cannot mix list and non-list keys" },
        { "{'l.0': 1, 'l.2': 2}", "List indices are not contiguous, "
                                  "saw 2 elements but 2 largest index" },
        { "{'l.1': 1, 'l.01': 2}", "Missing list index 0" },
        { "{'a': {'b': 1}}", "Value a is not flat" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        QDict *d = json_dict(bad[i].json);
        Error *err = NULL;

        g_assert_null(qdict_crumple(d, &err));
        g_assert_nonnull(err);
        if (bad[i].msg) {
            g_assert_cmpstr(error_get_pretty(err), ==, bad[i].msg);
        } else {
            const char *msg = error_get_pretty(err);
            g_assert_true(!strcmp(msg, "Key a prefix is already set as a "
                                  "scalar") ||
                          !strcmp(msg, "Key a prefix is already set as a "
                                  "dict"));
        }
        error_free(err);
        qobject_unref(d);
    }
}

static void test_roundtrip(void)
{
    QDict *orig = json_dict("{'x': {'y': [1, 2, {'z': null}]}, 'w': 'v'}");
    QDict *flat = qdict_clone_shallow(orig);
    QObject *back;

    qdict_flatten(flat);
    back = qdict_crumple(flat, &error_abort);
    g_assert_true(qobject_is_equal(QOBJECT(orig), back));
    qobject_unref(back);
    qobject_unref(flat);
    qobject_unref(orig);
}

static void test_extract_subqdict(void)
{
    QDict *src = json_dict("{'file.filename': 'a', 'file.driver': 'f',"
                           " 'format': 'raw', 'filex': 1}");
    QDict *sub;

    qdict_extract_subqdict(src, &sub, "file.");
    assert_json_equal(QOBJECT(sub), "{'filename': 'a', 'driver': 'f'}");
    assert_json_equal(QOBJECT(src), "{'format': 'raw', 'filex': 1}");
    qobject_unref(sub);

    qdict_extract_subqdict(src, NULL, "file");
    assert_json_equal(QOBJECT(src), "{'format': 'raw'}");
    qobject_unref(src);
}

static void test_array_split(void)
{
    QDict *src = json_dict("{'0.a': 1, '0.b': 2, '1': 'scalar', '2.c': 3,"
                           " '4.d': 4, 'other': 5}");
    QList *list;

    qdict_array_split(src, &list);
    /* stops at the missing index 3 */
    assert_json_equal(QOBJECT(list),
                      "[{'a': 1, 'b': 2}, 'scalar', {'c': 3}]");
    assert_json_equal(QOBJECT(src), "{'4.d': 4, 'other': 5}");
    qobject_unref(list);
    qobject_unref(src);
}

static void test_array_entries(void)
{
    QDict *d = json_dict("{'x.0.a': 1, 'x.0.b': 2, 'x.1': 'y', 'o': 1}");

    g_assert_cmpint(qdict_array_entries(d, "x."), ==, 2);
    qdict_put_int(d, "x.3", 1);
    g_assert_cmpint(qdict_array_entries(d, "x."), ==, -EINVAL);
    qdict_del(d, "x.3");
    qdict_put_int(d, "x.1.z", 1);
    g_assert_cmpint(qdict_array_entries(d, "x."), ==, -EINVAL);
    qobject_unref(d);
}

static void test_join_defaults_rename(void)
{
    QDict *dst = json_dict("{'a': 1, 'b': 2}");
    QDict *src = json_dict("{'b': 20, 'c': 30}");
    QDictRenames renames[] = {
        { "c", "cc" },
        { "absent", "x" },
        { NULL, NULL },
    };
    QDictRenames clash[] = { { "a", "b" }, { NULL, NULL } };
    Error *err = NULL;

    qdict_join(dst, src, false);
    assert_json_equal(QOBJECT(dst), "{'a': 1, 'b': 2, 'c': 30}");
    assert_json_equal(QOBJECT(src), "{'b': 20}");
    qdict_join(dst, src, true);
    assert_json_equal(QOBJECT(dst), "{'a': 1, 'b': 20, 'c': 30}");
    g_assert_cmpuint(qdict_size(src), ==, 0);

    qdict_set_default_str(dst, "a", "no");
    qdict_set_default_str(dst, "s", "yes");
    qdict_put_int(src, "d", 4);
    qdict_copy_default(dst, src, "d");
    qdict_copy_default(dst, src, "missing");
    assert_json_equal(QOBJECT(dst),
                      "{'a': 1, 'b': 20, 'c': 30, 's': 'yes', 'd': 4}");

    g_assert_true(qdict_rename_keys(dst, renames, &error_abort));
    g_assert_false(qdict_haskey(dst, "c"));
    g_assert_cmpint(qdict_get_int(dst, "cc"), ==, 30);
    g_assert_false(qdict_rename_keys(dst, clash, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'b' and its alias 'a' can't be used at the same time");
    error_free(err);
    qobject_unref(dst);
    qobject_unref(src);
}

static void test_crumple_keyval(void)
{
    QDict *d = json_dict("{'a.b': 1, 'a.c': true, 's': 'x'}");
    QObject *c = qdict_crumple_for_keyval_qiv(d, &error_abort);

    assert_json_equal(c, "{'a': {'b': '1', 'c': 'on'}, 's': 'x'}");
    /* the source is left alone */
    g_assert_cmpint(qdict_get_int(d, "a.b"), ==, 1);
    qobject_unref(c);
    qobject_unref(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qdict/put-get", test_put_get);
    g_test_add_func("/qdict/iterate-clone", test_iterate_clone);
    g_test_add_func("/qdict/flatten", test_flatten);
    g_test_add_func("/qdict/crumple", test_crumple);
    g_test_add_func("/qdict/crumple-errors", test_crumple_errors);
    g_test_add_func("/qdict/flatten-crumple-roundtrip", test_roundtrip);
    g_test_add_func("/qdict/extract-subqdict", test_extract_subqdict);
    g_test_add_func("/qdict/array-split", test_array_split);
    g_test_add_func("/qdict/array-entries", test_array_entries);
    g_test_add_func("/qdict/join-defaults-rename", test_join_defaults_rename);
    g_test_add_func("/qdict/crumple-for-keyval", test_crumple_keyval);
    return g_test_run();
}
