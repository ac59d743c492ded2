/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-transactions.c: actions run newest first on commit and abort,
 * clean always runs, NULL callbacks are skipped.
 */
#include "qemu/osdep.h"
#include "qemu/transactions.h"

typedef struct Step {
    GString *log;
    char name;
} Step;

static void step_abort(void *opaque)
{
    Step *s = opaque;
    g_string_append_printf(s->log, "a%c ", s->name);
}

static void step_commit(void *opaque)
{
    Step *s = opaque;
    g_string_append_printf(s->log, "c%c ", s->name);
}

static void step_clean(void *opaque)
{
    Step *s = opaque;
    g_string_append_printf(s->log, "x%c ", s->name);
}

static TransactionActionDrv full_drv = {
    .abort = step_abort,
    .commit = step_commit,
    .clean = step_clean,
};

static TransactionActionDrv commit_only_drv = {
    .commit = step_commit,
};

/* Build a transaction of steps 1, 2, 3 (2 has only commit) and end it. */
static char *run(int ret)
{
    GString *log = g_string_new(NULL);
    Step steps[3] = { { log, '1' }, { log, '2' }, { log, '3' } };
    Transaction *tran = tran_new();

    tran_add(tran, &full_drv, &steps[0]);
    tran_add(tran, &commit_only_drv, &steps[1]);
    tran_add(tran, &full_drv, &steps[2]);
    tran_finalize(tran, ret);
    return g_string_free(log, false);
}

static void test_commit(void)
{
    g_autofree char *log = run(0);
    g_assert_cmpstr(log, ==, "c3 c2 c1 x3 x1 ");
}

static void test_abort(void)
{
    g_autofree char *log = run(-EIO);
    g_assert_cmpstr(log, ==, "a3 a1 x3 x1 ");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/transactions/commit", test_commit);
    g_test_add_func("/transactions/abort", test_abort);
    return g_test_run();
}
