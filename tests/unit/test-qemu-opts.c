/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qemu-opts.c: QemuOpts parsing (escaping, implied key, flags, id,
 * help), typed getters with defaults, error messages in QEMU's wording,
 * QDict conversion, appending lists, printing and the help listing.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qnum.h"
#include "qemu/config-file.h"
#include "qemu/option_int.h"
#include "qemu/units.h"

static QemuOptsList opts_list_typed = {
    .name = "typed",
    .implied_opt_name = "str",
    .head = QTAILQ_HEAD_INITIALIZER(opts_list_typed.head),
    .desc = {
        { .name = "str", .type = QEMU_OPT_STRING, .help = "A string" },
        { .name = "bool", .type = QEMU_OPT_BOOL },
        { .name = "num", .type = QEMU_OPT_NUMBER, .def_value_str = "7" },
        { .name = "size", .type = QEMU_OPT_SIZE, .help = "Virtual disk size" },
        { .name = "flag", .type = QEMU_OPT_BOOL, .def_value_str = "on" },
        { /* end of list */ }
    },
};

static QemuOptsList opts_list_any = {
    .name = "any",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(opts_list_any.head),
    .desc = {
        { /* accepts anything */ }
    },
};

static QemuOptsList opts_list_extra = {
    .name = "extra",
    .head = QTAILQ_HEAD_INITIALIZER(opts_list_extra.head),
    .desc = {
        { .name = "size", .type = QEMU_OPT_SIZE, .help = "duplicate" },
        { .name = "zeta", .type = QEMU_OPT_STRING },
        { /* end of list */ }
    },
};

static void test_parse_basic(void)
{
    QemuOpts *opts;

    opts = qemu_opts_parse(&opts_list_typed,
                           "str=a,,b,,,bool=on,num=0x10,size=1.5G,id=my-id",
                           false, &error_abort);
    g_assert_cmpstr(qemu_opts_id(opts), ==, "my-id");
    g_assert_cmpstr(qemu_opt_get(opts, "str"), ==, "a,b,");
    g_assert_true(qemu_opt_get_bool(opts, "bool", false));
    g_assert_cmpuint(qemu_opt_get_number(opts, "num", 0), ==, 16);
    g_assert_cmpuint(qemu_opt_get_size(opts, "size", 0), ==, GiB + GiB / 2);
    /* "id" is not stored as an option */
    g_assert_null(qemu_opt_find(opts, "id"));
    qemu_opts_del(opts);
    g_assert_true(QTAILQ_EMPTY(&opts_list_typed.head));
}

static void test_defaults_and_override(void)
{
    QemuOpts *opts = qemu_opts_parse(&opts_list_typed,
                                     "size=1k,size=2k,noflag",
                                     false, &error_abort);
    char *s;

    /* later occurrences win */
    g_assert_cmpuint(qemu_opt_get_size(opts, "size", 0), ==, 2048);
    g_assert_false(qemu_opt_get_bool(opts, "flag", true));
    /* unset: the description's default, then the caller's */
    g_assert_cmpuint(qemu_opt_get_number(opts, "num", 99), ==, 7);
    g_assert_cmpstr(qemu_opt_get(opts, "num"), ==, "7");
    g_assert_false(qemu_opt_get_bool(opts, "bool", false));
    g_assert_null(qemu_opt_get(opts, "str"));

    /* _del removes every occurrence */
    g_assert_cmpuint(qemu_opt_get_size_del(opts, "size", 0), ==, 2048);
    g_assert_null(qemu_opt_find(opts, "size"));
    g_assert_cmpuint(qemu_opt_get_size(opts, "size", 5), ==, 5);
    s = qemu_opt_get_del(opts, "num");
    g_assert_cmpstr(s, ==, "7");
    g_free(s);
    qemu_opts_del(opts);
}

static void test_implied_key(void)
{
    QemuOpts *opts = qemu_opts_parse(&opts_list_typed, "first,,x,bool=off",
                                     true, &error_abort);

    g_assert_cmpstr(qemu_opt_get(opts, "str"), ==, "first,x");
    g_assert_false(qemu_opt_get_bool(opts, "bool", true));
    qemu_opts_del(opts);
}

/* Parse @params expecting failure with @msg (and @hint, if non-NULL). */
static void check_parse_error(const char *params, const char *msg)
{
    Error *err = NULL;

    g_assert_null(qemu_opts_parse(&opts_list_typed, params, false, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    /* a failed parse leaves nothing behind */
    g_assert_true(QTAILQ_EMPTY(&opts_list_typed.head));
}

static void test_errors(void)
{
    check_parse_error("foo=1", "Invalid parameter 'foo'");
    check_parse_error("bool=maybe", "Parameter 'bool' expects 'on' or 'off'");
    check_parse_error("num=abc", "Parameter 'num' expects a number");
    check_parse_error("num=18446744073709551616",
                      "Value '18446744073709551616' out of range for "
                      "parameter 'num'");
    check_parse_error("size=1Q", "Parameter 'size' expects a non-negative "
                      "number below 2^64");
    check_parse_error("size=20E",
                      "Value '20E' is out of range for parameter 'size'");
    check_parse_error("id=1bad", "Parameter 'id' expects an identifier");
}

static void test_size_hint_subprocess(void)
{
    QemuOpts *opts = qemu_opts_parse_noisily(&opts_list_typed, "size=foo",
                                             false);
    g_assert_null(opts);
    exit(0);
}

static void test_size_hint(void)
{
    g_test_trap_subprocess("/qemu-opts/size-hint/subprocess", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr(
        "*Parameter 'size' expects a non-negative number below 2^64\n"
        "Optional suffix k, M, G, T, P or E means kilo-, mega-, giga-, "
        "tera-, peta-\nand exabytes, respectively.\n");
}

static void test_help_subprocess(void)
{
    g_assert_null(qemu_opts_parse_noisily(&opts_list_typed, "help", false));
    exit(0);
}

static void test_help(void)
{
    g_assert_true(has_help_option("a=1,help"));
    g_assert_true(has_help_option("?"));
    g_assert_false(has_help_option("a=help"));

    g_test_trap_subprocess("/qemu-opts/help/subprocess", 0, 0);
    g_test_trap_assert_passed();
    /* sorted; help text aligned at column 25 */
    g_test_trap_assert_stdout("typed options:\n"
                              "  bool=<bool (on/off)>\n"
                              "  flag=<bool (on/off)>\n"
                              "  num=<num>\n"
                              "  size=<size>            - Virtual disk size\n"
                              "  str=<str>              - A string\n");
}

static void test_duplicate_id(void)
{
    QemuOpts *a = qemu_opts_parse(&opts_list_typed, "id=x", false,
                                  &error_abort);
    Error *err = NULL;

    g_assert_null(qemu_opts_parse(&opts_list_typed, "id=x,num=1", false,
                                  &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Duplicate ID 'x' for typed");
    error_free(err);
    g_assert_true(qemu_opts_find(&opts_list_typed, "x") == a);
    qemu_opts_del(a);
}

static void test_any_and_merge(void)
{
    QemuOpts *a, *b;
    QemuOptsIter iter;

    a = qemu_opts_parse(&opts_list_any, "x=1,y=2", false, &error_abort);
    b = qemu_opts_parse(&opts_list_any, "x=3", false, &error_abort);
    /* merge_lists: both land in the same QemuOpts */
    g_assert_true(a == b);
    g_assert_cmpstr(qemu_opt_get(a, "x"), ==, "3");
    qemu_opt_iter_init(&iter, a, "x");
    g_assert_cmpstr(qemu_opt_iter_next(&iter), ==, "1");
    g_assert_cmpstr(qemu_opt_iter_next(&iter), ==, "3");
    g_assert_null(qemu_opt_iter_next(&iter));

    g_assert_cmpint(qemu_opt_unset(a, "x"), ==, 0);
    g_assert_cmpstr(qemu_opt_get(a, "x"), ==, "1");

    qemu_opts_reset(&opts_list_any);
    g_assert_true(QTAILQ_EMPTY(&opts_list_any.head));
}

static void test_validate(void)
{
    QemuOpts *opts = qemu_opts_create(&opts_list_any, NULL, 0, &error_abort);
    Error *err = NULL;

    qemu_opt_set(opts, "size", "4k", &error_abort);
    g_assert_true(qemu_opts_validate(opts, opts_list_typed.desc, &err));
    g_assert_cmpuint(qemu_opt_get_size(opts, "size", 0), ==, 4096);
    qemu_opt_set(opts, "bogus", "1", &error_abort);
    g_assert_false(qemu_opts_validate(opts, opts_list_typed.desc, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'bogus'");
    error_free(err);
    qemu_opts_del(opts);
}

static void test_setters(void)
{
    QemuOpts *opts = qemu_opts_create(&opts_list_typed, NULL, 0,
                                      &error_abort);
    Error *err = NULL;

    g_assert_true(qemu_opt_set_bool(opts, "bool", true, &error_abort));
    g_assert_true(qemu_opt_set_number(opts, "num", 42, &error_abort));
    g_assert_true(qemu_opt_set(opts, "size", "3M", &error_abort));
    g_assert_cmpstr(qemu_opt_get(opts, "bool"), ==, "on");
    g_assert_cmpstr(qemu_opt_get(opts, "num"), ==, "42");
    g_assert_true(qemu_opt_get_bool(opts, "bool", false));
    g_assert_cmpuint(qemu_opt_get_number(opts, "num", 0), ==, 42);
    g_assert_false(qemu_opt_set_bool(opts, "nope", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Invalid parameter 'nope'");
    error_free(err);
    qemu_opts_del(opts);
}

static void test_qdict(void)
{
    QDict *in = qdict_new(), *out, *rest;
    QemuOpts *opts;

    qdict_put_str(in, "str", "hello");
    qdict_put_int(in, "num", 12);
    qdict_put_bool(in, "bool", true);
    qdict_put_str(in, "id", "fromdict");
    opts = qemu_opts_from_qdict(&opts_list_typed, in, &error_abort);
    g_assert_cmpstr(qemu_opts_id(opts), ==, "fromdict");
    g_assert_cmpuint(qemu_opt_get_number(opts, "num", 0), ==, 12);
    g_assert_true(qemu_opt_get_bool(opts, "bool", false));

    /* back to a QDict: everything as strings */
    out = qemu_opts_to_qdict(opts, NULL);
    g_assert_cmpstr(qdict_get_str(out, "num"), ==, "12");
    g_assert_cmpstr(qdict_get_str(out, "bool"), ==, "on");
    g_assert_cmpstr(qdict_get_str(out, "id"), ==, "fromdict");
    qobject_unref(out);

    /* filtered + del: only described options move */
    out = qemu_opts_to_qdict_filtered(opts, NULL, &opts_list_extra, true);
    g_assert_cmpuint(qdict_size(out), ==, 1);    /* just the id */
    qobject_unref(out);
    qemu_opts_del(opts);
    qobject_unref(in);

    /* absorb takes known keys and leaves the rest */
    rest = qdict_new();
    qdict_put_str(rest, "size", "1M");
    qdict_put_str(rest, "unknown", "x");
    opts = qemu_opts_create(&opts_list_typed, NULL, 0, &error_abort);
    g_assert_true(qemu_opts_absorb_qdict(opts, rest, &error_abort));
    g_assert_cmpuint(qemu_opt_get_size(opts, "size", 0), ==, MiB);
    g_assert_cmpuint(qdict_size(rest), ==, 1);
    g_assert_true(qdict_haskey(rest, "unknown"));
    qemu_opts_del(opts);
    qobject_unref(rest);
}

static void test_append(void)
{
    QemuOptsList *list = qemu_opts_append(NULL, &opts_list_typed);
    size_t n = 0;

    list = qemu_opts_append(list, &opts_list_extra);
    while (list->desc[n].name) {
        n++;
    }
    /* typed has 5, extra adds only "zeta" ("size" is already there) */
    g_assert_cmpuint(n, ==, 6);
    g_assert_cmpstr(list->desc[5].name, ==, "zeta");
    g_assert_cmpstr(list->desc[3].help, ==, "Virtual disk size");
    qemu_opts_free(list);
}

static void test_print_subprocess(void)
{
    QemuOpts *opts = qemu_opts_parse(&opts_list_typed,
                                     "size=1G,str=a,,b,bool=off", false,
                                     &error_abort);
    qemu_opts_print(opts, " ");
    exit(0);
}

static void test_print(void)
{
    g_test_trap_subprocess("/qemu-opts/print/subprocess", 0, 0);
    g_test_trap_assert_passed();
    /* description order, sizes in bytes, defaults included */
    g_test_trap_assert_stdout("str=a,,b bool=off num=7 size=1073741824 "
                              "flag=on");
}

static int count_cb(void *opaque, const char *name, const char *value,
                    Error **errp)
{
    (*(int *)opaque)++;
    return !strcmp(name, "stop") ? 42 : 0;
}

static void test_foreach(void)
{
    QemuOpts *opts = qemu_opts_parse(&opts_list_any, "a=1,b=2,stop=3,c=4",
                                     false, &error_abort);
    int count = 0;

    g_assert_cmpint(qemu_opt_foreach(opts, count_cb, &count, NULL), ==, 42);
    g_assert_cmpint(count, ==, 3);
    qemu_opts_del(opts);
}

static void test_registry(void)
{
    Error *err = NULL;
    QemuOpts *a, *b;

    qemu_add_opts(&opts_list_any);
    g_assert_true(qemu_find_opts("any") == &opts_list_any);
    g_assert_null(qemu_find_opts_err("nosuch", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "There is no option group 'nosuch'");
    error_free(err);
    a = qemu_find_opts_singleton("any");
    b = qemu_find_opts_singleton("any");
    g_assert_true(a && a == b);
    qemu_opts_del(a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-opts/parse-basic", test_parse_basic);
    g_test_add_func("/qemu-opts/defaults", test_defaults_and_override);
    g_test_add_func("/qemu-opts/implied-key", test_implied_key);
    g_test_add_func("/qemu-opts/errors", test_errors);
    g_test_add_func("/qemu-opts/size-hint", test_size_hint);
    g_test_add_func("/qemu-opts/size-hint/subprocess",
                    test_size_hint_subprocess);
    g_test_add_func("/qemu-opts/help", test_help);
    g_test_add_func("/qemu-opts/help/subprocess", test_help_subprocess);
    g_test_add_func("/qemu-opts/duplicate-id", test_duplicate_id);
    g_test_add_func("/qemu-opts/any-and-merge", test_any_and_merge);
    g_test_add_func("/qemu-opts/validate", test_validate);
    g_test_add_func("/qemu-opts/setters", test_setters);
    g_test_add_func("/qemu-opts/qdict", test_qdict);
    g_test_add_func("/qemu-opts/append", test_append);
    g_test_add_func("/qemu-opts/print", test_print);
    g_test_add_func("/qemu-opts/print/subprocess", test_print_subprocess);
    g_test_add_func("/qemu-opts/foreach", test_foreach);
    g_test_add_func("/qemu-opts/registry", test_registry);
    return g_test_run();
}
