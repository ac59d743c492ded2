/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-aio-poll.c: adaptive busy polling in aio_poll().  A handler whose
 * descriptor never becomes readable is still served through its io_poll
 * callback once the window is open; aio_notify() from another thread is
 * seen by polling; the window grows while waits end within poll-max-ns,
 * shrinks (or drops to 0) after a longer wait, and stays 0 with polling
 * off; main_loop_wait() polls the same way.  A safety timer fails a test
 * instead of letting it hang.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "block/aio.h"

static AioContext *ctx;

/* A handler with a pipe nobody writes: only polling can report work. */
typedef struct {
    int fds[2];
    bool work;          /* what io_poll reports */
    int poll_calls;
    int ready_calls;
    int read_calls;
} PollSource;

static bool src_poll(void *opaque)
{
    PollSource *s = opaque;

    s->poll_calls++;
    return qatomic_read(&s->work);
}

static void src_ready(void *opaque)
{
    PollSource *s = opaque;

    s->ready_calls++;
    qatomic_set(&s->work, false);
}

static void src_read(void *opaque)
{
    PollSource *s = opaque;

    s->read_calls++;
}

static void src_init(PollSource *s)
{
    *s = (PollSource) { .work = false };
    g_assert_cmpint(pipe(s->fds), ==, 0);
    aio_set_fd_handler(ctx, s->fds[0], src_read, NULL, src_poll, src_ready,
                       s);
}

static void src_cleanup(PollSource *s)
{
    aio_set_fd_handler(ctx, s->fds[0], NULL, NULL, NULL, NULL, NULL);
    close(s->fds[0]);
    close(s->fds[1]);
}

static void flag_cb(void *opaque)
{
    *(bool *)opaque = true;
}

/* Blocking aio_poll()s until a timer fires after @us microseconds. */
static void wait_us(int64_t us)
{
    bool fired = false;
    QEMUTimer *t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_US,
                                 flag_cb, &fired);

    timer_mod(t, qemu_clock_get_us(QEMU_CLOCK_REALTIME) + us);
    while (!fired) {
        aio_poll(ctx, true);
    }
    timer_free(t);
}

/*
 * Grow the window with waits of @us until it reaches at least @ns (a
 * busy machine may stretch a wait past poll-max-ns and shrink it again,
 * hence the many tries).
 */
static void open_window(int64_t ns, int64_t us)
{
    int i;

    for (i = 0; i < 200 && ctx->poll_ns < ns; i++) {
        wait_us(us);
    }
    g_assert_cmpint(ctx->poll_ns, >=, ns);
}

static void test_window_adapts(void)
{
    int64_t prev;
    int i;

    aio_context_set_poll_params(ctx, 50 * SCALE_MS, 2, 0, &error_abort);
    g_assert_cmpint(ctx->poll_ns, ==, 0);
    /* Waits of ~1 ms end within poll-max-ns: the window grows. */
    prev = 0;
    for (i = 0; i < 4; i++) {
        wait_us(1000);
        g_assert_cmpint(ctx->poll_ns, >=, prev);
        g_assert_cmpint(ctx->poll_ns, <=, ctx->poll_max_ns);
        prev = ctx->poll_ns;
    }
    g_assert_cmpint(ctx->poll_ns, >, 0);

    /* A wait longer than poll-max-ns: shrink 0 drops the window. */
    aio_context_set_poll_params(ctx, 5 * SCALE_MS, 2, 0, &error_abort);
    open_window(64 * SCALE_US, 200);
    wait_us(20000);
    g_assert_cmpint(ctx->poll_ns, ==, 0);

    /* With a shrink factor it is divided instead. */
    aio_context_set_poll_params(ctx, 5 * SCALE_MS, 2, 4, &error_abort);
    open_window(64 * SCALE_US, 200);
    prev = ctx->poll_ns;
    wait_us(20000);
    g_assert_cmpint(ctx->poll_ns, ==, prev / 4);

    /* Polling off: the window never opens. */
    aio_context_set_poll_params(ctx, 0, 0, 0, &error_abort);
    wait_us(1000);
    wait_us(1000);
    g_assert_cmpint(ctx->poll_ns, ==, 0);
}

static void test_poll_delivers(void)
{
    PollSource s;
    bool timed_out = false;
    QEMUTimer *safety;

    src_init(&s);
    aio_context_set_poll_params(ctx, 10 * NANOSECONDS_PER_SECOND, 2, 0, &error_abort);
    open_window(100 * SCALE_US, 1000);

    /*
     * Work appears without the pipe becoming readable: only io_poll can
     * report it, and aio_poll() must not go to sleep.
     */
    safety = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_MS, flag_cb,
                           &timed_out);
    timer_mod(safety, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 5000);
    qatomic_set(&s.work, true);
    while (s.ready_calls == 0 && !timed_out) {
        aio_poll(ctx, true);
    }
    g_assert_false(timed_out);
    g_assert_cmpint(s.ready_calls, ==, 1);
    g_assert_cmpint(s.read_calls, ==, 0);
    g_assert_cmpint(s.poll_calls, >=, 1);
    timer_free(safety);
    src_cleanup(&s);
    aio_context_set_poll_params(ctx, 0, 0, 0, &error_abort);
}

/* aio_notify() from another thread while the home thread polls. */
static gpointer notify_later(gpointer opaque)
{
    g_usleep(2000);
    aio_bh_schedule_oneshot(ctx, flag_cb, opaque);
    return NULL;
}

static void test_poll_sees_notify(void)
{
    bool bh_ran = false, timed_out = false;
    QEMUTimer *safety;
    GThread *t;
    PollSource s;

    /* A ring-like handler to poll; the notifier alone is not spun on. */
    src_init(&s);
    aio_context_set_poll_params(ctx, 10 * NANOSECONDS_PER_SECOND, 2, 0, &error_abort);
    open_window(100 * SCALE_US, 1000);
    safety = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_MS, flag_cb,
                           &timed_out);
    timer_mod(safety, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 5000);
    t = g_thread_new("notify", notify_later, &bh_ran);
    while (!bh_ran && !timed_out) {
        aio_poll(ctx, true);
    }
    g_thread_join(t);
    g_assert_true(bh_ran);
    g_assert_false(timed_out);
    g_assert_cmpint(s.poll_calls, >, 0);
    timer_free(safety);
    src_cleanup(&s);
    aio_context_set_poll_params(ctx, 0, 0, 0, &error_abort);
}

/*
 * With nothing but the notifier to watch, a blocking aio_poll() does not
 * spin: a BH from another thread is still seen, through the eventfd.
 */
static void test_notifier_alone_no_spin(void)
{
    bool bh_ran = false;
    GThread *t;
    int64_t start;

    aio_context_set_poll_params(ctx, 10 * NANOSECONDS_PER_SECOND, 2, 0,
                                &error_abort);
    ctx->poll_ns = 5 * NANOSECONDS_PER_SECOND;
    g_assert_false(aio_poll_spin(ctx, &start));
    /* A spin would have lasted the whole 5 s window. */
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start, <,
                    NANOSECONDS_PER_SECOND);
    aio_poll_spin_end(ctx, start, false);
    t = g_thread_new("notify", notify_later, &bh_ran);
    while (!bh_ran) {
        aio_poll(ctx, true);
    }
    g_thread_join(t);
    aio_context_set_poll_params(ctx, 0, 0, 0, &error_abort);
}

/*
 * main_loop_wait() polls the block layer's context too: work that only
 * io_poll can see is dispatched without sleeping, and waits there fit
 * the window as aio_poll()'s do.
 */
static void test_main_loop_wait_polls(void)
{
    PollSource s;
    bool timed_out = false, fired;
    QEMUTimer *safety, *t;
    int i;

    src_init(&s);
    aio_context_set_poll_params(ctx, 10 * NANOSECONDS_PER_SECOND, 2, 0,
                                &error_abort);
    /* Short waits in main_loop_wait() open the window. */
    for (i = 0; i < 200 && ctx->poll_ns < 100 * SCALE_US; i++) {
        fired = false;
        t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_US, flag_cb,
                          &fired);
        timer_mod(t, qemu_clock_get_us(QEMU_CLOCK_REALTIME) + 1000);
        while (!fired) {
            main_loop_wait(false);
        }
        timer_free(t);
    }
    g_assert_cmpint(ctx->poll_ns, >=, 100 * SCALE_US);

    safety = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_MS, flag_cb,
                           &timed_out);
    timer_mod(safety, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 5000);
    qatomic_set(&s.work, true);
    while (s.ready_calls == 0 && !timed_out) {
        main_loop_wait(false);
    }
    g_assert_false(timed_out);
    g_assert_cmpint(s.ready_calls, ==, 1);
    g_assert_cmpint(s.read_calls, ==, 0);
    timer_free(safety);

    /* Polling off: main_loop_wait() sleeps until the fd or a timer. */
    aio_context_set_poll_params(ctx, 0, 0, 0, &error_abort);
    qatomic_set(&s.work, true);
    fired = false;
    t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_MS, flag_cb, &fired);
    timer_mod(t, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 20);
    while (!fired) {
        main_loop_wait(false);
    }
    timer_free(t);
    g_assert_cmpint(s.ready_calls, ==, 1);
    qatomic_set(&s.work, false);
    src_cleanup(&s);
}

static void test_bad_params(void)
{
    Error *err = NULL;

    aio_context_set_poll_params(ctx, -1, 0, 0, &err);
    g_assert_nonnull(err);
    error_free(err);
    g_assert_cmpint(ctx->poll_max_ns, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();

    g_test_add_func("/aio-poll/window-adapts", test_window_adapts);
    g_test_add_func("/aio-poll/delivers", test_poll_delivers);
    g_test_add_func("/aio-poll/sees-notify", test_poll_sees_notify);
    g_test_add_func("/aio-poll/notifier-alone", test_notifier_alone_no_spin);
    g_test_add_func("/aio-poll/main-loop-wait", test_main_loop_wait_polls);
    g_test_add_func("/aio-poll/bad-params", test_bad_params);
    return g_test_run();
}
