/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-error.c: Error objects (setg, errno suffix, propagate, prepend,
 * hints, ERRP_GUARD) and the error_fatal/error_abort destinations, which
 * run in subprocesses.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

static void test_setg(void)
{
    Error *err = NULL;

    error_setg(&err, "bad %s %d", "thing", 42);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, "bad thing 42");
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_GENERIC_ERROR);
    error_free_or_abort(&err);
    g_assert_null(err);

    /* NULL errp drops the message */
    error_setg((Error **)NULL, "ignored");
}

static void test_setg_errno(void)
{
    Error *err = NULL;
    g_autofree char *expect = g_strdup_printf("Could not open 'x': %s",
                                              strerror(ENOENT));

    error_setg_errno(&err, ENOENT, "Could not open '%s'", "x");
    g_assert_cmpstr(error_get_pretty(err), ==, expect);
    error_free(err);

    err = NULL;
    error_setg_file_open(&err, ENOENT, "x");
    g_assert_cmpstr(error_get_pretty(err), ==, expect);
    error_free(err);
}

static void test_propagate(void)
{
    Error *dst = NULL, *first = NULL, *second = NULL;

    error_propagate(&dst, NULL);
    g_assert_null(dst);

    error_setg(&first, "first");
    error_setg(&second, "second");
    error_propagate(&dst, first);
    /* the first error wins, the second is freed */
    error_propagate(&dst, second);
    g_assert_cmpstr(error_get_pretty(dst), ==, "first");
    error_free(dst);

    /* propagating into NULL frees the error */
    first = NULL;
    error_setg(&first, "dropped");
    error_propagate(NULL, first);
}

static void test_prepend(void)
{
    Error *err = NULL, *dst = NULL;

    error_setg(&err, "base");
    error_prepend(&err, "outer %d: ", 1);
    error_prepend(&err, "top: ");
    g_assert_cmpstr(error_get_pretty(err), ==, "top: outer 1: base");
    error_propagate_prepend(&dst, err, "via %s: ", "prop");
    g_assert_cmpstr(error_get_pretty(dst), ==, "via prop: top: outer 1: base");
    error_free(dst);

    /* no-op on NULL */
    error_prepend(NULL, "x");
    err = NULL;
    error_prepend(&err, "x");
    g_assert_null(err);
}

static void test_copy(void)
{
    Error *err = NULL, *copy;

    error_setg(&err, "orig");
    copy = error_copy(err);
    error_free(err);
    g_assert_cmpstr(error_get_pretty(copy), ==, "orig");
    error_free(copy);
}

/* Fails with a hint, using ERRP_GUARD so the hint survives error_fatal. */
static bool fail_with_hint(int n, Error **errp)
{
    ERRP_GUARD();

    error_setg(errp, "failure %d", n);
    error_append_hint(errp, "try %d\n", n + 1);
    /* *errp is safe to dereference after ERRP_GUARD */
    g_assert_nonnull(*errp);
    return false;
}

static void test_errp_guard(void)
{
    Error *err = NULL;

    g_assert_false(fail_with_hint(1, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "failure 1");
    error_free(err);
    /* a NULL errp is replaced inside the function and freed on return */
    g_assert_false(fail_with_hint(2, NULL));
}

static void test_report_err_subprocess(void)
{
    Error *err = NULL;

    error_set_progname("/some/dir/test-prog");
    fail_with_hint(3, &err);
    error_report_err(err);
    warn_report("careful %d", 7);
    info_report("fyi");
    exit(0);
}

static void test_report_err(void)
{
    g_test_trap_subprocess("/error/report-err/subprocess", 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("test-prog: failure 3\ntry 4\n"
                              "test-prog: warning: careful 7\n"
                              "test-prog: info: fyi\n");
}

static void test_fatal_subprocess(void)
{
    error_set_progname("fatal-prog");
    fail_with_hint(5, &error_fatal);
    /* not reached */
    exit(0);
}

static void test_fatal(void)
{
    g_test_trap_subprocess("/error/fatal/subprocess", 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("fatal-prog: failure 5\ntry 6\n");
}

static void test_abort_subprocess(void)
{
    error_set_progname("abort-prog");
    error_setg(&error_abort, "cannot happen");
    exit(0);
}

static void test_abort(void)
{
    g_test_trap_subprocess("/error/abort/subprocess", 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*Unexpected error in test_abort_subprocess()*"
                              "abort-prog: cannot happen\n");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/error/setg", test_setg);
    g_test_add_func("/error/setg-errno", test_setg_errno);
    g_test_add_func("/error/propagate", test_propagate);
    g_test_add_func("/error/prepend", test_prepend);
    g_test_add_func("/error/copy", test_copy);
    g_test_add_func("/error/errp-guard", test_errp_guard);
    g_test_add_func("/error/report-err", test_report_err);
    g_test_add_func("/error/report-err/subprocess",
                    test_report_err_subprocess);
    g_test_add_func("/error/fatal", test_fatal);
    g_test_add_func("/error/fatal/subprocess", test_fatal_subprocess);
    g_test_add_func("/error/abort", test_abort);
    g_test_add_func("/error/abort/subprocess", test_abort_subprocess);
    return g_test_run();
}
