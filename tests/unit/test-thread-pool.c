/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-thread-pool.c: the AioContext thread pool: callback and coroutine
 * submission, many concurrent jobs, cancellation of queued jobs, the
 * worker limit and the wake-up policy (one wake-up per idle worker
 * handed a job, none for workers that are busy).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "block/thread-pool.h"

static AioContext *ctx;

typedef struct {
    int value;          /* what the worker returns */
    int ran;            /* set by the worker */
    int completed;      /* set by the callback */
    int ret;            /* as seen by the callback */
    QemuEvent *gate;    /* if set, the worker waits for it first */
} Job;

static int job_func(void *opaque)
{
    Job *job = opaque;

    if (job->gate) {
        qemu_event_wait(job->gate);
    }
    qatomic_set(&job->ran, 1);
    return job->value;
}

static void job_done(void *opaque, int ret)
{
    Job *job = opaque;

    job->ret = ret;
    job->completed++;
}

static bool all_completed(Job *jobs, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        if (!jobs[i].completed) {
            return false;
        }
    }
    return true;
}

static void test_submit_aio(void)
{
    Job jobs[50] = { 0 };
    int i;

    for (i = 0; i < ARRAY_SIZE(jobs); i++) {
        jobs[i].value = i * 3;
        thread_pool_submit_aio(job_func, &jobs[i], job_done, &jobs[i]);
    }
    while (!all_completed(jobs, ARRAY_SIZE(jobs))) {
        aio_poll(ctx, true);
    }
    for (i = 0; i < ARRAY_SIZE(jobs); i++) {
        g_assert_cmpint(jobs[i].ran, ==, 1);
        g_assert_cmpint(jobs[i].completed, ==, 1);
        g_assert_cmpint(jobs[i].ret, ==, i * 3);
    }
}

static void test_submit_no_cb(void)
{
    Job job = { .value = 1 };

    thread_pool_submit(job_func, &job);
    while (!qatomic_read(&job.ran)) {
        aio_poll(ctx, true);
    }
    /* Let the completion BH reap the request. */
    while (aio_poll(ctx, false)) {
        /* nothing */
    }
    g_assert_cmpint(job.completed, ==, 0);
}

typedef struct {
    int n;
    int sum;
    int done;
} CoJobs;

static void coroutine_fn co_submitter(void *opaque)
{
    CoJobs *cj = opaque;
    int i;

    for (i = 0; i < cj->n; i++) {
        Job job = { .value = i + 1 };
        int ret = thread_pool_submit_co(job_func, &job);
        g_assert_cmpint(job.ran, ==, 1);
        cj->sum += ret;
    }
    cj->done++;
}

static void test_submit_co(void)
{
    CoJobs cj[4] = { { .n = 25 }, { .n = 25 }, { .n = 25 }, { .n = 25 } };
    int i;

    for (i = 0; i < ARRAY_SIZE(cj); i++) {
        qemu_coroutine_enter(qemu_coroutine_create(co_submitter, &cj[i]));
    }
    for (i = 0; i < ARRAY_SIZE(cj); i++) {
        while (!cj[i].done) {
            aio_poll(ctx, true);
        }
        /* 1 + 2 + ... + 25 */
        g_assert_cmpint(cj[i].sum, ==, 25 * 26 / 2);
    }
}

static void test_many(void)
{
    enum { N = 1000 };
    Job *jobs = g_new0(Job, N);
    int i;

    for (i = 0; i < N; i++) {
        jobs[i].value = i;
        thread_pool_submit_aio(job_func, &jobs[i], job_done, &jobs[i]);
    }
    while (!all_completed(jobs, N)) {
        aio_poll(ctx, true);
    }
    for (i = 0; i < N; i++) {
        g_assert_cmpint(jobs[i].ret, ==, i);
    }
    g_free(jobs);
}

static void test_cancel(void)
{
    enum { BLOCKERS = 2, QUEUED = 6 };
    Job jobs[BLOCKERS + QUEUED] = { 0 };
    BlockAIOCB *acbs[BLOCKERS + QUEUED];
    QemuEvent gate;
    int i;

    /* Two workers, both stuck behind the gate: the rest stays queued. */
    aio_context_set_thread_pool_params(ctx, 0, BLOCKERS, &error_abort);
    qemu_event_init(&gate, false);
    for (i = 0; i < ARRAY_SIZE(jobs); i++) {
        jobs[i].value = 10 + i;
        jobs[i].gate = &gate;
        acbs[i] = thread_pool_submit_aio(job_func, &jobs[i], job_done,
                                         &jobs[i]);
    }
    for (i = BLOCKERS; i < ARRAY_SIZE(jobs); i++) {
        acbs[i]->aiocb_info->cancel_async(acbs[i]);
    }
    qemu_event_set(&gate);
    while (!all_completed(jobs, ARRAY_SIZE(jobs))) {
        aio_poll(ctx, true);
    }
    for (i = 0; i < ARRAY_SIZE(jobs); i++) {
        g_assert_cmpint(jobs[i].completed, ==, 1);
        if (i < BLOCKERS) {
            g_assert_cmpint(jobs[i].ran, ==, 1);
            g_assert_cmpint(jobs[i].ret, ==, 10 + i);
        } else {
            g_assert_cmpint(jobs[i].ran, ==, 0);
            g_assert_cmpint(jobs[i].ret, ==, -ECANCELED);
        }
    }
    qemu_event_destroy(&gate);
    aio_context_set_thread_pool_params(ctx, 0, 64, &error_abort);
}

/* Wait (briefly sleeping) until @pool has @n idle workers. */
static void wait_idle(ThreadPool *pool, int n)
{
    ThreadPoolStats st;

    for (;;) {
        thread_pool_get_stats(pool, &st);
        if (st.idle_threads == n) {
            return;
        }
        g_usleep(1000);
    }
}

/*
 * Busy workers are not woken: with every worker stuck on a job, further
 * submissions only queue, and the workers drain the queue themselves
 * once the gate opens.  Idle workers are woken once each.
 */
static void test_wakeups(void)
{
    enum { WORKERS = 3, EXTRA = 10 };
    Job jobs[WORKERS + EXTRA] = { 0 };
    ThreadPool *pool = aio_get_thread_pool(ctx);
    ThreadPoolStats before, st;
    QemuEvent gate;
    int i;

    aio_context_set_thread_pool_params(ctx, WORKERS, WORKERS, &error_abort);
    wait_idle(pool, WORKERS);
    thread_pool_get_stats(pool, &before);
    g_assert_cmpint(before.cur_threads, ==, WORKERS);

    qemu_event_init(&gate, false);
    for (i = 0; i < WORKERS; i++) {
        jobs[i].value = i;
        jobs[i].gate = &gate;
        thread_pool_submit_aio(job_func, &jobs[i], job_done, &jobs[i]);
    }
    /* Each submission took one idle worker: exactly WORKERS wake-ups. */
    thread_pool_get_stats(pool, &st);
    g_assert_cmpint(st.idle_threads, ==, 0);
    g_assert_cmpuint(st.wakeups - before.wakeups, ==, WORKERS);

    for (i = WORKERS; i < ARRAY_SIZE(jobs); i++) {
        jobs[i].value = i;
        thread_pool_submit_aio(job_func, &jobs[i], job_done, &jobs[i]);
    }
    thread_pool_get_stats(pool, &st);
    g_assert_cmpuint(st.wakeups - before.wakeups, ==, WORKERS);
    g_assert_cmpint(st.cur_threads, ==, WORKERS);

    qemu_event_set(&gate);
    while (!all_completed(jobs, ARRAY_SIZE(jobs))) {
        aio_poll(ctx, true);
    }
    for (i = 0; i < ARRAY_SIZE(jobs); i++) {
        g_assert_cmpint(jobs[i].ran, ==, 1);
        g_assert_cmpint(jobs[i].ret, ==, i);
    }
    /* Nobody needed waking for the queued jobs. */
    thread_pool_get_stats(pool, &st);
    g_assert_cmpuint(st.wakeups - before.wakeups, ==, WORKERS);
    wait_idle(pool, WORKERS);
    qemu_event_destroy(&gate);
    aio_context_set_thread_pool_params(ctx, 0, 64, &error_abort);
}

typedef struct {
    int n;              /* jobs in the chain */
    int done;           /* jobs completed so far */
    uintptr_t *ran_on;  /* the worker that ran each job */
} Chain;

/* One per thread: its address tells the threads apart. */
static __thread char thread_marker;

static int chain_func(void *opaque)
{
    uintptr_t *ran_on = opaque;

    *ran_on = (uintptr_t)&thread_marker;
    return 0;
}

/* Completion of one job of the chain: submit the next, as qd1 I/O does. */
static void chain_done(void *opaque, int ret)
{
    Chain *c = opaque;

    g_assert_cmpint(ret, ==, 0);
    if (++c->done < c->n) {
        thread_pool_submit_aio(chain_func, &c->ran_on[c->done], chain_done,
                               c);
    }
}

/*
 * Requests submitted one at a time, each from the completion of the one
 * before, all run on one worker: the next request goes to the worker
 * that ran the last one, either left to it while it returns (no wake-up
 * at all) or, if it is asleep already, by waking it (it is the most
 * recently idle).  The other worker is never disturbed.
 */
static void test_handoff(void)
{
    enum { WORKERS = 2, N = 200 };
    ThreadPool *pool = aio_get_thread_pool(ctx);
    Chain c = { .n = N, .ran_on = g_new0(uintptr_t, N) };
    ThreadPoolStats before, st;
    int i;

    aio_context_set_thread_pool_params(ctx, WORKERS, WORKERS, &error_abort);
    wait_idle(pool, WORKERS);
    thread_pool_get_stats(pool, &before);

    thread_pool_submit_aio(chain_func, &c.ran_on[0], chain_done, &c);
    while (c.done < N) {
        aio_poll(ctx, true);
    }
    g_assert(c.ran_on[0] != 0 && c.ran_on[0] != (uintptr_t)&thread_marker);
    for (i = 1; i < N; i++) {
        g_assert(c.ran_on[i] == c.ran_on[0]);
    }
    /* Every submission was one wake-up or one hand-off, never both. */
    thread_pool_get_stats(pool, &st);
    g_assert_cmpuint((st.wakeups - before.wakeups) +
                     (st.handoffs - before.handoffs), ==, N);
    g_assert_cmpint(st.cur_threads, ==, WORKERS);
    wait_idle(pool, WORKERS);
    g_free(c.ran_on);
    aio_context_set_thread_pool_params(ctx, 0, 64, &error_abort);
}

/* A private context gets its own pool, freed with the context. */
static void test_private_context(void)
{
    AioContext *priv = aio_context_new(&error_abort);
    ThreadPool *pool = aio_get_thread_pool(priv);

    g_assert_nonnull(pool);
    g_assert(pool == aio_get_thread_pool(priv));
    g_assert(pool != aio_get_thread_pool(ctx));
    aio_context_unref(priv);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();

    g_test_add_func("/thread-pool/submit-aio", test_submit_aio);
    g_test_add_func("/thread-pool/submit-no-cb", test_submit_no_cb);
    g_test_add_func("/thread-pool/submit-co", test_submit_co);
    g_test_add_func("/thread-pool/many", test_many);
    g_test_add_func("/thread-pool/cancel", test_cancel);
    g_test_add_func("/thread-pool/wakeups", test_wakeups);
    g_test_add_func("/thread-pool/handoff", test_handoff);
    g_test_add_func("/thread-pool/private-context", test_private_context);
    return g_test_run();
}
