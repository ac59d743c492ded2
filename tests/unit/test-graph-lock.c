/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-graph-lock.c: the block graph lock (block/graph-lock.c) with
 * reader coroutines in several IOThreads and the writer in the main loop:
 * nesting, writers waiting for readers, readers waiting for writers, and
 * a stress run checking that readers never see a half-done update.
 *
 * Every wait in here is for an event the code under test must produce;
 * a broken lock shows up as a failed assertion or a hang (meson timeout).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/atomic.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "block/aio-wait.h"
#include "block/graph-lock.h"
#include "sysemu/iothread.h"

#define NUM_THREADS 3

static IOThread *threads[NUM_THREADS];

static void start_iothreads(void)
{
    for (int i = 0; i < NUM_THREADS; i++) {
        g_autofree char *id = g_strdup_printf("gl%d", i);
        threads[i] = iothread_create(id, &error_abort);
    }
}

static void stop_iothreads(void)
{
    for (int i = 0; i < NUM_THREADS; i++) {
        iothread_destroy(threads[i]);
        threads[i] = NULL;
    }
}

/* Run the main loop until *@counter reaches @target. */
static void wait_for_count(int *counter, int target)
{
    AIO_WAIT_WHILE_UNLOCKED(NULL, qatomic_read(counter) < target);
}

/* Poll the main loop until *@counter reaches @target (no kick needed). */
static void spin_for_count(int *counter, int target)
{
    while (qatomic_read(counter) < target) {
        aio_poll(qemu_get_aio_context(), false);
        g_usleep(100);
    }
}

/* ---- every AioContext gets its own reader counter ---- */

static void test_registered(void)
{
    AioContext *ctx = aio_context_new(&error_abort);

    g_assert_nonnull(ctx->bdrv_graph);
    g_assert_nonnull(qemu_get_aio_context()->bdrv_graph);
    g_assert_true(ctx->bdrv_graph != qemu_get_aio_context()->bdrv_graph);
    aio_context_unref(ctx);

    start_iothreads();
    for (int i = 0; i < NUM_THREADS; i++) {
        g_assert_nonnull(iothread_get_aio_context(threads[i])->bdrv_graph);
    }
    stop_iothreads();
}

/* ---- nesting in one coroutine, main loop only ---- */

static int nested_done;

/* TSA cannot model a shared lock taken twice: nesting is unchecked. */
static void coroutine_fn TSA_NO_TSA nested_co(void *opaque)
{
    bdrv_graph_co_rdlock();
    bdrv_graph_co_rdlock();
    assert_bdrv_graph_readable();
    bdrv_graph_co_rdunlock();
    assert_bdrv_graph_readable();
    bdrv_graph_co_rdunlock();
    nested_done = 1;
}

static void test_nested(void)
{
    Coroutine *co = qemu_coroutine_create(nested_co, NULL);

    nested_done = 0;
    qemu_coroutine_enter(co);
    g_assert_cmpint(nested_done, ==, 1);

    /* No reader left: the writer gets in without waiting. */
    bdrv_graph_wrlock();
    assert_bdrv_graph_writable();
    bdrv_graph_wrunlock();

    /* Main-loop readers only assert. */
    bdrv_graph_rdlock_main_loop();
    bdrv_graph_rdunlock_main_loop();
}

/* ---- scope guards: checked by TSA, and must release on every exit ---- */

static int guard_steps;

static int coroutine_fn guarded_early_return(bool leave)
{
    GRAPH_RDLOCK_GUARD();

    assert_bdrv_graph_readable();
    if (leave) {
        return 1;
    }
    guard_steps++;
    return 0;
}

static void coroutine_fn guards_co(void *opaque)
{
    WITH_GRAPH_RDLOCK_GUARD() {
        assert_bdrv_graph_readable();
        guard_steps++;
    }
    WITH_GRAPH_RDLOCK_GUARD() {
        assert_bdrv_graph_readable();
        break;
    }
    guard_steps += guarded_early_return(true);
    guard_steps += guarded_early_return(false);
}

static void mainloop_guard(void)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    assert_bdrv_graph_readable();
    guard_steps++;
}

static void test_guards(void)
{
    guard_steps = 0;
    qemu_coroutine_enter(qemu_coroutine_create(guards_co, NULL));
    mainloop_guard();
    g_assert_cmpint(guard_steps, ==, 4);

    /*
     * Every guard released its lock: a leaked read lock would make the
     * writer poll forever here.
     */
    bdrv_graph_wrlock();
    bdrv_graph_wrunlock();
}

/* ---- main-loop readers inside a write-locked section ---- */

static int ml_reads;

static void GRAPH_RDLOCK read_graph(void)
{
    assert_bdrv_graph_readable();
    ml_reads++;
}

/*
 * Main-loop code that reads the graph: what a drained callback or a BH
 * run by the writer's own polling does.  It must not trip over the
 * writer, which is the same thread.
 */
static void mainloop_reader(void)
{
    bdrv_graph_rdlock_main_loop();
    read_graph();
    bdrv_graph_rdunlock_main_loop();

    {
        GRAPH_RDLOCK_GUARD_MAINLOOP();
        read_graph();
    }
}

static void mainloop_reader_bh(void *opaque)
{
    mainloop_reader();
}

static void test_mainloop_read_in_write(void)
{
    AioContext *ctx = qemu_get_aio_context();

    ml_reads = 0;
    bdrv_graph_wrlock();
    mainloop_reader();
    aio_bh_schedule_oneshot(ctx, mainloop_reader_bh, NULL);
    while (ml_reads < 4) {
        aio_poll(ctx, true);
    }
    /* The nested read locks did not end the write-locked section. */
    assert_bdrv_graph_writable();
    bdrv_graph_wrunlock();
    g_assert_cmpint(ml_reads, ==, 4);

    /* Nothing was counted: a writer gets the lock at once. */
    bdrv_graph_wrlock();
    bdrv_graph_wrunlock();
}

/* ---- the writer waits for readers in IOThreads ---- */

typedef struct {
    AioContext *ctx;
    Coroutine *co;
} Reader;

static Reader readers[NUM_THREADS];
static int holding, finished;
static bool released;

static void coroutine_fn holding_reader_co(void *opaque)
{
    bdrv_graph_co_rdlock();
    qatomic_inc(&holding);
    aio_wait_kick();
    /* Sleep with the lock held until the release BH reschedules us. */
    qemu_coroutine_yield();
    qatomic_inc(&finished);
    bdrv_graph_co_rdunlock();
}

static void release_readers_bh(void *opaque)
{
    /* Runs in the main loop while the writer polls. */
    g_assert_cmpint(qatomic_read(&finished), ==, 0);
    qatomic_set(&released, true);
    for (int i = 0; i < NUM_THREADS; i++) {
        aio_co_schedule(readers[i].ctx, readers[i].co);
    }
}

static void test_writer_waits(void)
{
    start_iothreads();
    holding = finished = 0;
    released = false;

    for (int i = 0; i < NUM_THREADS; i++) {
        readers[i].ctx = iothread_get_aio_context(threads[i]);
        readers[i].co = qemu_coroutine_create(holding_reader_co, NULL);
        aio_co_enter(readers[i].ctx, readers[i].co);
    }
    wait_for_count(&holding, NUM_THREADS);

    /* The writer must poll (running the BH) until all readers left. */
    aio_bh_schedule_oneshot(qemu_get_aio_context(), release_readers_bh, NULL);
    bdrv_graph_wrlock();
    g_assert_true(qatomic_read(&released));
    g_assert_cmpint(qatomic_read(&finished), ==, NUM_THREADS);
    bdrv_graph_wrunlock();

    stop_iothreads();
}

/* ---- readers wait for the writer ---- */

static int attempting, got_lock;

static void coroutine_fn blocked_reader_co(void *opaque)
{
    qatomic_inc(&attempting);
    aio_wait_kick();
    bdrv_graph_co_rdlock();
    qatomic_inc(&got_lock);
    bdrv_graph_co_rdunlock();
    aio_wait_kick();
}

static void test_readers_wait(void)
{
    start_iothreads();
    attempting = got_lock = 0;

    bdrv_graph_wrlock();
    for (int i = 0; i < NUM_THREADS; i++) {
        AioContext *ctx = iothread_get_aio_context(threads[i]);
        aio_co_enter(ctx, qemu_coroutine_create(blocked_reader_co, NULL));
    }
    spin_for_count(&attempting, NUM_THREADS);
    /* Give the readers time to get past the lock if it were broken. */
    g_usleep(20 * 1000);
    g_assert_cmpint(qatomic_read(&got_lock), ==, 0);
    bdrv_graph_wrunlock();

    wait_for_count(&got_lock, NUM_THREADS);
    stop_iothreads();
}

/* ---- a reader holding the lock nests while a writer waits ---- */

static int outer_held, nested_ok;
static bool writer_started;

static void coroutine_fn TSA_NO_TSA nesting_reader_co(void *opaque)
{
    bdrv_graph_co_rdlock();
    qatomic_inc(&outer_held);
    aio_wait_kick();
    while (!qatomic_read(&writer_started)) {
        qemu_co_sleep_ns(QEMU_CLOCK_REALTIME, 100 * 1000);
    }
    /* Must not deadlock against the waiting writer. */
    bdrv_graph_co_rdlock();
    qatomic_inc(&nested_ok);
    bdrv_graph_co_rdunlock();
    bdrv_graph_co_rdunlock();
}

static void writer_started_bh(void *opaque)
{
    qatomic_set(&writer_started, true);
}

static void test_nested_with_writer(void)
{
    start_iothreads();
    outer_held = nested_ok = 0;
    writer_started = false;

    for (int i = 0; i < NUM_THREADS; i++) {
        AioContext *ctx = iothread_get_aio_context(threads[i]);
        aio_co_enter(ctx, qemu_coroutine_create(nesting_reader_co, NULL));
    }
    wait_for_count(&outer_held, NUM_THREADS);

    aio_bh_schedule_oneshot(qemu_get_aio_context(), writer_started_bh, NULL);
    bdrv_graph_wrlock();
    g_assert_cmpint(qatomic_read(&nested_ok), ==, NUM_THREADS);
    bdrv_graph_wrunlock();

    stop_iothreads();
}

/* ---- stress: readers never see a half-done update ---- */

#define STRESS_READERS_PER_THREAD 4
#define STRESS_READS 300
#define STRESS_WRITES 100

/* The "graph": the writer keeps the two equal, readers check it. */
static int graph_a, graph_b;
static int stress_done, torn_reads;

static void coroutine_fn stress_reader_co(void *opaque)
{
    AioContext *ctx = opaque;

    for (int i = 0; i < STRESS_READS; i++) {
        bdrv_graph_co_rdlock();
        if (qatomic_read(&graph_a) != qatomic_read(&graph_b)) {
            qatomic_inc(&torn_reads);
        }
        /* Let the other readers of this thread interleave. */
        aio_co_schedule(ctx, qemu_coroutine_self());
        qemu_coroutine_yield();
        if (qatomic_read(&graph_a) != qatomic_read(&graph_b)) {
            qatomic_inc(&torn_reads);
        }
        bdrv_graph_co_rdunlock();
    }
    qatomic_inc(&stress_done);
    aio_wait_kick();
}

static void test_stress(void)
{
    int total = NUM_THREADS * STRESS_READERS_PER_THREAD;

    start_iothreads();
    graph_a = graph_b = 0;
    stress_done = torn_reads = 0;

    for (int i = 0; i < NUM_THREADS; i++) {
        AioContext *ctx = iothread_get_aio_context(threads[i]);
        for (int j = 0; j < STRESS_READERS_PER_THREAD; j++) {
            aio_co_enter(ctx, qemu_coroutine_create(stress_reader_co, ctx));
        }
    }
    for (int i = 1; i <= STRESS_WRITES; i++) {
        bdrv_graph_wrlock();
        qatomic_set(&graph_a, i);
        g_usleep(10);           /* widen the window a broken lock leaves */
        qatomic_set(&graph_b, i);
        bdrv_graph_wrunlock();
    }
    wait_for_count(&stress_done, total);

    g_assert_cmpint(qatomic_read(&torn_reads), ==, 0);
    g_assert_cmpint(graph_a, ==, STRESS_WRITES);
    stop_iothreads();
}

int main(int argc, char **argv)
{
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/graph-lock/registered", test_registered);
    g_test_add_func("/graph-lock/nested", test_nested);
    g_test_add_func("/graph-lock/guards", test_guards);
    g_test_add_func("/graph-lock/mainloop-read-in-write",
                    test_mainloop_read_in_write);
    g_test_add_func("/graph-lock/writer-waits-for-readers",
                    test_writer_waits);
    g_test_add_func("/graph-lock/readers-wait-for-writer",
                    test_readers_wait);
    g_test_add_func("/graph-lock/nested-with-writer",
                    test_nested_with_writer);
    g_test_add_func("/graph-lock/stress", test_stress);

    return g_test_run();
}
