/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-aio-task.c: the bounded coroutine task pool (block/aio_task.h):
 * the limit on running tasks, waiting for a slot, for one task and for
 * all, the first error winning, and tasks that finish without yielding.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "block/aio_task.h"

static AioContext *ctx;

/* What the tasks of one test share. */
typedef struct {
    int running;        /* tasks inside their function now */
    int peak;           /* largest value of @running seen */
    int finished;       /* tasks that returned */
    int first_error;    /* first negative value returned, in time order */
    int done_mask;      /* bit i: task i returned */
} Tally;

typedef struct {
    AioTask task;       /* first: the pool frees the whole struct */
    Tally *tally;
    int index;
    int ticks;          /* main-loop iterations to stay busy */
    int ret;            /* value to return */
} TestTask;

/* Yield once; the coroutine is re-entered by the next aio_poll. */
static void coroutine_fn tick(void)
{
    aio_co_schedule(ctx, qemu_coroutine_self());
    qemu_coroutine_yield();
}

static int coroutine_fn test_task_func(AioTask *task)
{
    TestTask *t = container_of(task, TestTask, task);
    Tally *tally = t->tally;

    tally->running++;
    tally->peak = MAX(tally->peak, tally->running);
    for (int i = 0; i < t->ticks; i++) {
        tick();
    }
    tally->running--;
    tally->finished++;
    tally->done_mask |= 1 << t->index;
    if (t->ret < 0 && tally->first_error == 0) {
        tally->first_error = t->ret;
    }
    return t->ret;
}

static void coroutine_fn start(AioTaskPool *pool, Tally *tally, int index,
                               int ticks, int ret)
{
    TestTask *t = g_new0(TestTask, 1);

    t->task.func = test_task_func;
    t->tally = tally;
    t->index = index;
    t->ticks = ticks;
    t->ret = ret;
    aio_task_pool_start_task(pool, &t->task);
}

/* Run @entry in a coroutine and poll until it has finished. */
typedef struct {
    void (*body)(Tally *tally);
    Tally tally;
    bool done;
} Runner;

static void coroutine_fn runner_entry(void *opaque)
{
    Runner *r = opaque;

    r->body(&r->tally);
    r->done = true;
}

static Tally run_in_coroutine(void (*body)(Tally *tally))
{
    Runner r = { .body = body };

    qemu_coroutine_enter(qemu_coroutine_create(runner_entry, &r));
    while (!r.done) {
        aio_poll(ctx, true);
    }
    return r.tally;
}

/* 20 tasks of varied length through a pool of 4: never more than 4. */
static void coroutine_fn bounded_body(Tally *tally)
{
    AioTaskPool *pool = aio_task_pool_new(4);

    for (int i = 0; i < 20; i++) {
        start(pool, tally, i, 1 + (i * 7) % 5, 0);
        g_assert_cmpint(tally->running, <=, 4);
    }
    aio_task_pool_wait_all(pool);
    g_assert_true(aio_task_pool_empty(pool));
    g_assert_cmpint(aio_task_pool_status(pool), ==, 0);
    aio_task_pool_free(pool);
}

static void test_bounded(void)
{
    Tally t = run_in_coroutine(bounded_body);

    g_assert_cmpint(t.finished, ==, 20);
    g_assert_cmpint(t.done_mask, ==, (1 << 20) - 1);
    g_assert_cmpint(t.peak, ==, 4);
    g_assert_cmpint(t.running, ==, 0);
}

/*
 * Task 0 fails late, task 2 fails early: the pool reports the error of
 * the one that finished first, and still runs every task.
 */
static void coroutine_fn first_error_body(Tally *tally)
{
    AioTaskPool *pool = aio_task_pool_new(3);

    start(pool, tally, 0, 6, -EIO);
    start(pool, tally, 1, 2, 0);
    start(pool, tally, 2, 1, -ENOSPC);
    start(pool, tally, 3, 1, -EINVAL);
    aio_task_pool_wait_all(pool);
    g_assert_cmpint(aio_task_pool_status(pool), ==, tally->first_error);
    aio_task_pool_free(pool);
}

static void test_first_error(void)
{
    Tally t = run_in_coroutine(first_error_body);

    g_assert_cmpint(t.finished, ==, 4);
    g_assert_cmpint(t.first_error, ==, -ENOSPC);
}

/* wait_one returns after a task finished, with the others still going. */
static void coroutine_fn wait_one_body(Tally *tally)
{
    AioTaskPool *pool = aio_task_pool_new(8);

    start(pool, tally, 0, 10, 0);
    start(pool, tally, 1, 1, 0);
    start(pool, tally, 2, 10, 0);
    g_assert_false(aio_task_pool_empty(pool));

    aio_task_pool_wait_one(pool);
    g_assert_cmpint(tally->finished, ==, 1);
    g_assert_cmpint(tally->done_mask, ==, 1 << 1);
    g_assert_false(aio_task_pool_empty(pool));

    aio_task_pool_wait_all(pool);
    g_assert_cmpint(tally->finished, ==, 3);
    aio_task_pool_free(pool);
}

static void test_wait_one(void)
{
    Tally t = run_in_coroutine(wait_one_body);

    g_assert_cmpint(t.peak, ==, 3);
}

/*
 * A pool of one runs its tasks strictly one after the other: each task
 * starts only after the previous one finished.
 */
static void coroutine_fn serial_body(Tally *tally)
{
    AioTaskPool *pool = aio_task_pool_new(1);

    for (int i = 0; i < 6; i++) {
        start(pool, tally, i, i % 3, 0);
        /* All earlier tasks are done once the slot was free. */
        g_assert_cmpint(tally->done_mask, ==, (1 << i) - 1);
    }
    aio_task_pool_wait_slot(pool);
    g_assert_true(aio_task_pool_empty(pool));
    aio_task_pool_wait_all(pool);
    aio_task_pool_free(pool);
}

static void test_serial(void)
{
    Tally t = run_in_coroutine(serial_body);

    g_assert_cmpint(t.finished, ==, 6);
    g_assert_cmpint(t.peak, ==, 1);
}

/* Tasks that never yield finish as soon as the owner yields. */
static void coroutine_fn no_yield_body(Tally *tally)
{
    AioTaskPool *pool = aio_task_pool_new(5);

    for (int i = 0; i < 12; i++) {
        start(pool, tally, i, 0, i == 7 ? -EPERM : 0);
    }
    aio_task_pool_wait_all(pool);
    g_assert_cmpint(aio_task_pool_status(pool), ==, -EPERM);
    aio_task_pool_free(pool);
}

static void test_no_yield(void)
{
    Tally t = run_in_coroutine(no_yield_body);

    g_assert_cmpint(t.finished, ==, 12);
    g_assert_cmpint(t.peak, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();

    g_test_add_func("/aio-task/bounded", test_bounded);
    g_test_add_func("/aio-task/first-error", test_first_error);
    g_test_add_func("/aio-task/wait-one", test_wait_one);
    g_test_add_func("/aio-task/serial", test_serial);
    g_test_add_func("/aio-task/no-yield", test_no_yield);
    return g_test_run();
}
