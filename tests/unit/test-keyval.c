/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-keyval.c: keyval_parse() (dotted keys to nested dicts, lists,
 * escaping, implied key, help, error messages) and keyval_merge().
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qstring.h"
#include "qemu/option.h"

/* Parse @params and compare with the JSON @expect. */
static void check_parse(const char *params, const char *implied,
                        const char *expect)
{
    QDict *got = keyval_parse(params, implied, NULL, &error_abort);
    QObject *want = qobject_from_json(expect, &error_abort);

    if (!qobject_is_equal(QOBJECT(got), want)) {
        g_autoptr(GString) json = qobject_to_json(QOBJECT(got));
        g_test_message("'%s' gave %s, want %s", params, json->str, expect);
        g_assert_not_reached();
    }
    qobject_unref(got);
    qobject_unref(want);
}

static void check_error(const char *params, const char *implied,
                        const char *msg)
{
    Error *err = NULL;

    g_assert_null(keyval_parse(params, implied, NULL, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_parse(void)
{
    check_parse("", NULL, "{}");
    check_parse("a=1", NULL, "{'a': '1'}");
    check_parse("a=1,b=x", NULL, "{'a': '1', 'b': 'x'}");
    /* trailing comma is fine, ",," escapes */
    check_parse("a=1,", NULL, "{'a': '1'}");
    check_parse("a=x,,y,,,b=", NULL, "{'a': 'x,y,', 'b': ''}");
    /* last value wins */
    check_parse("a=1,a=2", NULL, "{'a': '2'}");
    check_parse("a.b.c=1,a.b.d=2,a.e=3", NULL,
                "{'a': {'b': {'c': '1', 'd': '2'}, 'e': '3'}}");
    check_parse("__com.example_x=1,dash-ed_name=2", NULL,
                "{'__com.example_x': '1', 'dash-ed_name': '2'}");
    /* values may contain '=' and '.' */
    check_parse("a=b=c.d", NULL, "{'a': 'b=c.d'}");
}

static void test_lists(void)
{
    check_parse("l.0=a,l.1=b", NULL, "{'l': ['a', 'b']}");
    check_parse("l.1=b,l.0=a", NULL, "{'l': ['a', 'b']}");
    check_parse("l.0.x=1,l.0.y=2,l.1.x=3", NULL,
                "{'l': [{'x': '1', 'y': '2'}, {'x': '3'}]}");
    check_parse("m.0.0=a,m.0.1=b,m.1.0=c", NULL,
                "{'m': [['a', 'b'], ['c']]}");
    check_error("l.0=a,l.2=c", NULL, "Parameter 'l.1' missing");
    check_error("l.1=a", NULL, "Parameter 'l.0' missing");
    /* "01" and "1" are the same index: three keys, two elements */
    check_error("l.0=a,l.2=b,l.02=c", NULL, "Parameter 'l.1' missing");
    check_parse("l.00=a,l.1=b", NULL, "{'l': ['a', 'b']}");
    /*
     * With duplicate indexes the key iterated last wins; QEMU's dict
     * iteration order makes that "01" here.
     */
    check_parse("list.1=goner,list.0=null,list.01=eins,list.2=zwei", NULL,
                "{'list': ['null', 'eins', 'zwei']}");
    check_error("a.b.1=x", NULL, "Parameter 'a.b.0' missing");
    check_error("l.0=a,l.x=c", NULL, "Parameters 'l.*' used inconsistently");
}

static void test_implied(void)
{
    check_parse("foo", "driver", "{'driver': 'foo'}");
    check_parse("foo,a=1", "driver", "{'driver': 'foo', 'a': '1'}");
    check_parse("a=1", "driver", "{'a': '1'}");
    /* only the first key-val can be implied */
    check_error("a=1,foo", "driver", "Expected '=' after parameter 'foo'");
    check_parse("a.b", "x.y", "{'x': {'y': 'a.b'}}");
    /* the implied value ends at the first ',' (no ",," escape) */
    check_error("val,,ue", "driver", "Invalid parameter ''");
    check_error("=val", "driver", "Invalid parameter ''");
}

static void test_errors(void)
{
    g_autofree char *long_key = g_strnfill(200, 'k');
    g_autofree char *long_params = g_strdup_printf("%s=1", long_key);
    g_autofree char *long_msg = g_strdup_printf("Parameter '%s' is too long",
                                                long_key);

    check_error("a", NULL, "Expected '=' after parameter 'a'");
    check_error("a.b", NULL, "Expected '=' after parameter 'a.b'");
    check_error("=1", NULL, "Invalid parameter ''");
    check_error(",", NULL, "Invalid parameter ''");
    check_error("key[0]=val", NULL, "Invalid parameter 'key[0]'");
    check_error("no", NULL, "Expected '=' after parameter 'no'");
    check_error("1a=1", NULL, "Invalid parameter '1a'");
    check_error("a..b=1", NULL, "Invalid parameter 'a..b'");
    check_error("a.=1", NULL, "Invalid parameter 'a.'");
    check_error("a$=1", NULL, "Invalid parameter 'a$'");
    check_error("0=1", NULL, "Invalid parameter '0'");
    check_error("a=1,a.b=2", NULL, "Parameters 'a.*' used inconsistently");
    check_error("a.b=2,a=1", NULL, "Parameters 'a.*' used inconsistently");
    check_error(long_params, NULL, long_msg);
}

static void test_help(void)
{
    bool help = false;
    Error *err = NULL;
    QDict *d;

    d = keyval_parse("help", NULL, &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpuint(qdict_size(d), ==, 0);
    qobject_unref(d);

    d = keyval_parse("a=1,?", NULL, &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpstr(qdict_get_str(d, "a"), ==, "1");
    qobject_unref(d);

    d = keyval_parse("help=1", NULL, &help, &error_abort);
    g_assert_false(help);
    qobject_unref(d);

    /* implied key: "help" still asks for help */
    d = keyval_parse("help", "driver", &help, &error_abort);
    g_assert_true(help);
    qobject_unref(d);

    g_assert_null(keyval_parse("help", NULL, NULL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Help is not available for this option");
    error_free(err);
}

static void test_merge(void)
{
    QDict *old = keyval_parse("a=1,d.x=1,l.0=p", NULL, NULL, &error_abort);
    QDict *new = keyval_parse("a=2,d.y=2,l.0=q,n=3", NULL, NULL,
                              &error_abort);
    QDict *bad = keyval_parse("d=scalar", NULL, NULL, &error_abort);
    QObject *want = qobject_from_json("{'a': '2', 'd': {'x': '1', 'y': '2'},"
                                      " 'l': ['p', 'q'], 'n': '3'}",
                                      &error_abort);
    Error *err = NULL;

    keyval_merge(old, new, &error_abort);
    g_assert_true(qobject_is_equal(QOBJECT(old), want));
    keyval_merge(old, bad, &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'd' used inconsistently");
    error_free(err);

    qobject_unref(old);
    qobject_unref(new);
    qobject_unref(bad);
    qobject_unref(want);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/parse", test_parse);
    g_test_add_func("/keyval/lists", test_lists);
    g_test_add_func("/keyval/implied", test_implied);
    g_test_add_func("/keyval/errors", test_errors);
    g_test_add_func("/keyval/help", test_help);
    g_test_add_func("/keyval/merge", test_merge);
    return g_test_run();
}
