/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-defer-call.c: defer_call sections (qemu/defer-call.h): calls run
 * at once outside a section, are merged and held until the outermost
 * section ends inside one, keep their order, stay per thread, and a
 * blocking aio_poll() inside a section runs what is held back.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/defer-call.h"
#include "qemu/main-loop.h"
#include "block/aio.h"

/* A log of which counters ran, in order. */
static GString *trace;

typedef struct {
    char tag;
    int runs;
} Counter;

static void count(void *opaque)
{
    Counter *c = opaque;

    c->runs++;
    g_string_append_c(trace, c->tag);
}

static void reset_trace(void)
{
    g_string_truncate(trace, 0);
}

static void test_outside_section(void)
{
    Counter a = { 'a' };

    reset_trace();
    defer_call(count, &a);
    g_assert_cmpint(a.runs, ==, 1);
    defer_call(count, &a);
    g_assert_cmpint(a.runs, ==, 2);
}

static void test_merge_and_order(void)
{
    Counter a = { 'a' }, b = { 'b' }, c = { 'c' };

    reset_trace();
    defer_call_begin();
    defer_call(count, &b);
    defer_call(count, &a);
    defer_call(count, &b);
    defer_call(count, &c);
    defer_call(count, &a);
    g_assert_cmpint(a.runs + b.runs + c.runs, ==, 0);
    defer_call_end();
    /* Once each, in the order of their first defer_call(). */
    g_assert_cmpstr(trace->str, ==, "bac");
    g_assert_cmpint(a.runs, ==, 1);
    g_assert_cmpint(b.runs, ==, 1);
    g_assert_cmpint(c.runs, ==, 1);
}

static void test_nesting(void)
{
    Counter a = { 'a' };

    reset_trace();
    g_assert_false(defer_call_active());
    defer_call_begin();
    defer_call_begin();
    g_assert_true(defer_call_active());
    defer_call(count, &a);
    defer_call_end();
    g_assert_true(defer_call_active());
    /* The inner end is not the outermost one. */
    g_assert_cmpint(a.runs, ==, 0);
    defer_call(count, &a);
    defer_call_end();
    g_assert_false(defer_call_active());
    g_assert_cmpint(a.runs, ==, 1);
}

/* A deferred call that defers again: by then no section is open. */
static Counter chained = { 'x' };

static void defer_again(void *opaque)
{
    Counter *c = opaque;

    c->runs++;
    defer_call(count, &chained);
}

static void test_call_defers_again(void)
{
    Counter a = { 'a' };

    reset_trace();
    chained.runs = 0;
    defer_call_begin();
    defer_call(defer_again, &a);
    defer_call_end();
    g_assert_cmpint(a.runs, ==, 1);
    g_assert_cmpint(chained.runs, ==, 1);
}

/* More distinct calls than the table holds: each still runs once. */
static void test_many_distinct(void)
{
    enum { N = 40 };
    Counter c[N];
    int i;

    reset_trace();
    for (i = 0; i < N; i++) {
        c[i] = (Counter) { .tag = 'A' + (i % 26) };
    }
    defer_call_begin();
    for (i = 0; i < N; i++) {
        defer_call(count, &c[i]);
        defer_call(count, &c[i]);
    }
    defer_call_end();
    for (i = 0; i < N; i++) {
        g_assert_cmpint(c[i].runs, >=, 1);
        g_assert_cmpint(c[i].runs, <=, 2);
    }
    g_assert_cmpuint(trace->len, >=, N);
}

static void test_flush_keeps_section(void)
{
    Counter a = { 'a' };

    reset_trace();
    defer_call_begin();
    defer_call(count, &a);
    defer_call_flush();
    g_assert_cmpint(a.runs, ==, 1);
    /* Still inside the section: the next one waits for the end. */
    defer_call(count, &a);
    g_assert_cmpint(a.runs, ==, 1);
    defer_call_end();
    g_assert_cmpint(a.runs, ==, 2);
}

/* Another thread's defer_call() is not held by our section. */
static gpointer other_thread(gpointer opaque)
{
    defer_call(count, opaque);
    return NULL;
}

static void test_per_thread(void)
{
    Counter a = { 'a' };
    GThread *t;

    reset_trace();
    defer_call_begin();
    t = g_thread_new("defer", other_thread, &a);
    g_thread_join(t);
    g_assert_cmpint(a.runs, ==, 1);
    defer_call_end();
    g_assert_cmpint(a.runs, ==, 1);
}

static void nop_bh(void *opaque)
{
    bool *ran = opaque;

    *ran = true;
}

/*
 * A nested event loop that blocks inside a section must not wait for
 * work the section holds back: aio_poll() runs it first.
 */
static void test_aio_poll_flushes(void)
{
    AioContext *ctx = qemu_get_aio_context();
    Counter a = { 'a' };
    bool ran = false;

    reset_trace();
    defer_call_begin();
    defer_call(count, &a);
    aio_bh_schedule_oneshot(ctx, nop_bh, &ran);
    aio_poll(ctx, true);
    g_assert_true(ran);
    g_assert_cmpint(a.runs, ==, 1);
    defer_call_end();
    g_assert_cmpint(a.runs, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    trace = g_string_new(NULL);

    g_test_add_func("/defer-call/outside-section", test_outside_section);
    g_test_add_func("/defer-call/merge-and-order", test_merge_and_order);
    g_test_add_func("/defer-call/nesting", test_nesting);
    g_test_add_func("/defer-call/call-defers-again", test_call_defers_again);
    g_test_add_func("/defer-call/many-distinct", test_many_distinct);
    g_test_add_func("/defer-call/flush-keeps-section",
                    test_flush_keeps_section);
    g_test_add_func("/defer-call/per-thread", test_per_thread);
    g_test_add_func("/defer-call/aio-poll-flushes", test_aio_poll_flushes);
    return g_test_run();
}
