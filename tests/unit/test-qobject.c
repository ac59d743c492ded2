/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qobject.c: every QObject type: construction, getters, reference
 * counting, type-checked casts and qobject_is_equal().
 */
#include "qemu/osdep.h"
#include <math.h>
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"

static void test_qnum(void)
{
    QNum *qi = qnum_from_int(-42);
    QNum *qu = qnum_from_uint(UINT64_MAX);
    QNum *qd = qnum_from_double(0.5);
    int64_t i;
    uint64_t u;
    char *s;

    g_assert_cmpint(qobject_type(QOBJECT(qi)), ==, QTYPE_QNUM);
    g_assert_cmpint(qnum_get_int(qi), ==, -42);
    g_assert_false(qnum_get_try_uint(qi, &u));
    g_assert_cmpfloat(qnum_get_double(qi), ==, -42.0);

    g_assert_cmpuint(qnum_get_uint(qu), ==, UINT64_MAX);
    g_assert_false(qnum_get_try_int(qu, &i));
    g_assert_false(qnum_get_try_int(qd, &i));
    g_assert_cmpfloat(qnum_get_double(qd), ==, 0.5);

    s = qnum_to_string(qi);
    g_assert_cmpstr(s, ==, "-42");
    g_free(s);
    s = qnum_to_string(qu);
    g_assert_cmpstr(s, ==, "18446744073709551615");
    g_free(s);
    s = qnum_to_string(qd);
    g_assert_cmpstr(s, ==, "0.5");
    g_free(s);

    qobject_unref(qi);
    qobject_unref(qu);
    qobject_unref(qd);
}

static void test_qstring_qbool_qnull(void)
{
    QString *qs = qstring_from_str("hello");
    QString *sub = qstring_from_substr("hello world", 6, 11);
    QString *gs = qstring_from_gstring(g_string_new("from gstring"));
    QBool *qb = qbool_from_bool(true);
    QNull *n = qnull();

    g_assert_cmpstr(qstring_get_str(qs), ==, "hello");
    g_assert_cmpstr(qstring_get_str(sub), ==, "world");
    g_assert_cmpstr(qstring_get_str(gs), ==, "from gstring");
    g_assert_cmpstr(qobject_get_try_str(QOBJECT(qs)), ==, "hello");
    g_assert_null(qobject_get_try_str(QOBJECT(qb)));
    g_assert_true(qbool_get_bool(qb));
    g_assert_true(n == &qnull_);
    g_assert_cmpint(qobject_type(QOBJECT(n)), ==, QTYPE_QNULL);

    qobject_unref(qs);
    qobject_unref(sub);
    qobject_unref(gs);
    qobject_unref(qb);
    qobject_unref(n);
    /* the singleton keeps its permanent reference */
    g_assert_cmpuint(qnull_.base.refcnt, >=, 1);
}

static void test_refcount(void)
{
    QString *qs = qstring_from_str("x");
    QList *list = qlist_new();
    QString *again;

    g_assert_cmpuint(qs->base.refcnt, ==, 1);
    again = qobject_ref(qs);
    g_assert_true(again == qs);
    g_assert_cmpuint(qs->base.refcnt, ==, 2);

    /* the list takes over one reference */
    qlist_append(list, qs);
    qobject_unref(list);
    g_assert_cmpuint(qs->base.refcnt, ==, 1);
    qobject_unref(qs);

    /* NULL is accepted by both */
    qobject_unref((QObject *)NULL);
    g_assert_null(qobject_ref((QObject *)NULL));
}

static void test_qobject_to(void)
{
    QObject *obj = QOBJECT(qstring_from_str("s"));

    g_assert_nonnull(qobject_to(QString, obj));
    g_assert_null(qobject_to(QNum, obj));
    g_assert_null(qobject_to(QDict, obj));
    g_assert_null(qobject_to(QString, (QObject *)NULL));
    qobject_unref(obj);
}

static void test_qlist(void)
{
    QList *list = qlist_new();
    QList *copy;
    QObject *obj;
    const QListEntry *e;
    int i = 0;

    g_assert_true(qlist_empty(list));
    qlist_append_int(list, 1);
    qlist_append_str(list, "two");
    qlist_append_bool(list, false);
    qlist_append_null(list);
    g_assert_cmpuint(qlist_size(list), ==, 4);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, qlist_peek(list))), ==, 1);

    for (e = qlist_first(list); e; e = qlist_next(e)) {
        i++;
    }
    g_assert_cmpint(i, ==, 4);

    copy = qlist_copy(list);
    g_assert_true(qobject_is_equal(QOBJECT(list), QOBJECT(copy)));

    obj = qlist_pop(list);
    g_assert_cmpint(qnum_get_int(qobject_to(QNum, obj)), ==, 1);
    qobject_unref(obj);
    g_assert_cmpuint(qlist_size(list), ==, 3);
    g_assert_false(qobject_is_equal(QOBJECT(list), QOBJECT(copy)));

    qobject_unref(list);
    qobject_unref(copy);
}

/* Check that all objects of @objs are equal (or unequal) pairwise. */
static void check_equal(bool expected, QObject **objs, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            if (i != j) {
                g_assert_cmpint(qobject_is_equal(objs[i], objs[j]), ==,
                                expected);
            }
        }
    }
    for (i = 0; i < n; i++) {
        qobject_unref(objs[i]);
    }
}

static void test_equality(void)
{
    QObject *same_num[] = {
        QOBJECT(qnum_from_int(5)), QOBJECT(qnum_from_uint(5)),
        QOBJECT(qnum_from_int(5)),
    };
    QObject *diff_num[] = {
        QOBJECT(qnum_from_int(-1)), QOBJECT(qnum_from_uint(UINT64_MAX)),
        QOBJECT(qnum_from_double(5.0)), QOBJECT(qnum_from_int(5)),
    };
    QObject *mixed[] = {
        QOBJECT(qnull()), QOBJECT(qbool_from_bool(false)),
        QOBJECT(qnum_from_int(0)), QOBJECT(qstring_from_str("")),
        QOBJECT(qdict_new()), QOBJECT(qlist_new()),
    };
    QDict *d1 = qdict_new(), *d2 = qdict_new();
    QNum *nan = qnum_from_double(NAN);

    check_equal(true, same_num, ARRAY_SIZE(same_num));
    check_equal(false, diff_num, ARRAY_SIZE(diff_num));
    check_equal(false, mixed, ARRAY_SIZE(mixed));

    /* dicts are equal regardless of insertion order */
    qdict_put_int(d1, "a", 1);
    qdict_put_str(d1, "b", "x");
    qdict_put_str(d2, "b", "x");
    qdict_put_int(d2, "a", 1);
    g_assert_true(qobject_is_equal(QOBJECT(d1), QOBJECT(d2)));
    qdict_put_int(d2, "c", 1);
    g_assert_false(qobject_is_equal(QOBJECT(d1), QOBJECT(d2)));

    /* NaN is not equal to itself; NULL only to NULL */
    g_assert_false(qobject_is_equal(QOBJECT(nan), QOBJECT(nan)));
    g_assert_true(qobject_is_equal(NULL, NULL));
    g_assert_false(qobject_is_equal(QOBJECT(d1), NULL));
    g_assert_false(qobject_is_equal(NULL, QOBJECT(&qnull_)));

    qobject_unref(d1);
    qobject_unref(d2);
    qobject_unref(nan);
}

static void test_autoptr(void)
{
    g_autoptr(QDict) dict = qdict_new();
    g_autoptr(QString) str = qstring_from_str("auto");

    qdict_put(dict, "s", qobject_ref(str));
    g_assert_cmpuint(str->base.refcnt, ==, 2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qobject/qnum", test_qnum);
    g_test_add_func("/qobject/qstring-qbool-qnull", test_qstring_qbool_qnull);
    g_test_add_func("/qobject/refcount", test_refcount);
    g_test_add_func("/qobject/qobject_to", test_qobject_to);
    g_test_add_func("/qobject/qlist", test_qlist);
    g_test_add_func("/qobject/equality", test_equality);
    g_test_add_func("/qobject/autoptr", test_autoptr);
    return g_test_run();
}
