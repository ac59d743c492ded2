/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-aio.c: the AioContext event loop on its own: bottom halves, fd
 * and event-notifier handlers, timers, blocking and non-blocking
 * aio_poll(), and driving the context through its GSource.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "block/aio.h"

static AioContext *ctx;

/* Run aio_poll(ctx, false) until it reports no progress. */
static int drain_nonblocking(void)
{
    int iterations = 0;

    while (aio_poll(ctx, false)) {
        iterations++;
    }
    return iterations;
}

/* ---- bottom halves ---- */

typedef struct {
    QEMUBH *bh;
    int n;
    int max;
} BHData;

static void bh_count(void *opaque)
{
    BHData *data = opaque;

    data->n++;
    if (data->n < data->max) {
        qemu_bh_schedule(data->bh);
    }
}

static void test_bh_schedule(void)
{
    BHData data = { .n = 0 };

    data.bh = aio_bh_new(ctx, bh_count, &data);
    qemu_bh_schedule(data.bh);
    g_assert_cmpint(data.n, ==, 0);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(data.n, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    qemu_bh_delete(data.bh);
}

static void test_bh_schedule_twice(void)
{
    BHData data = { .n = 0 };

    /* Scheduling twice before it runs still runs it once. */
    data.bh = aio_bh_new(ctx, bh_count, &data);
    qemu_bh_schedule(data.bh);
    qemu_bh_schedule(data.bh);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    g_assert_false(aio_poll(ctx, false));
    qemu_bh_delete(data.bh);
}

static void test_bh_reschedule_self(void)
{
    BHData data = { .n = 0, .max = 10 };

    data.bh = aio_bh_new(ctx, bh_count, &data);
    qemu_bh_schedule(data.bh);
    g_assert_cmpint(drain_nonblocking(), ==, 10);
    g_assert_cmpint(data.n, ==, 10);
    qemu_bh_delete(data.bh);
}

static void test_bh_cancel(void)
{
    BHData data = { .n = 0 };

    data.bh = aio_bh_new(ctx, bh_count, &data);
    qemu_bh_schedule(data.bh);
    qemu_bh_cancel(data.bh);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 0);
    /* It can be scheduled again after a cancel. */
    qemu_bh_schedule(data.bh);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
    qemu_bh_delete(data.bh);
}

static void test_bh_delete_pending(void)
{
    BHData data = { .n = 0 };

    /* Deleting a scheduled BH cancels it; the context frees it later. */
    data.bh = aio_bh_new(ctx, bh_count, &data);
    qemu_bh_schedule(data.bh);
    qemu_bh_delete(data.bh);
    g_assert_false(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 0);
}

static void bh_delete_self(void *opaque)
{
    BHData *data = opaque;

    data->n++;
    qemu_bh_delete(data->bh);
}

static void test_bh_delete_from_cb(void)
{
    BHData data = { .n = 0 };

    data.bh = aio_bh_new(ctx, bh_delete_self, &data);
    qemu_bh_schedule(data.bh);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(data.n, ==, 1);
}

static int order_log[8];
static int order_n;

static void bh_log(void *opaque)
{
    order_log[order_n++] = GPOINTER_TO_INT(opaque);
}

static void test_bh_oneshot_order(void)
{
    int i;

    order_n = 0;
    for (i = 0; i < 5; i++) {
        aio_bh_schedule_oneshot(ctx, bh_log, GINT_TO_POINTER(i));
    }
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(order_n, ==, 5);
    /* Newest first, as QEMU 7.2 (observable in qemu-io aio completions). */
    for (i = 0; i < 5; i++) {
        g_assert_cmpint(order_log[i], ==, 4 - i);
    }
    g_assert_false(aio_poll(ctx, false));
}

/*
 * A BH that polls again: the rest of the outer batch still runs once, in
 * the outer batch's (newest first) order.
 */
static void bh_nested_poll(void *opaque)
{
    order_log[order_n++] = 100;
    aio_poll(ctx, false);
}

static void test_bh_nested_poll(void)
{
    order_n = 0;
    aio_bh_schedule_oneshot(ctx, bh_log, GINT_TO_POINTER(2));
    aio_bh_schedule_oneshot(ctx, bh_log, GINT_TO_POINTER(1));
    aio_bh_schedule_oneshot(ctx, bh_nested_poll, NULL);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(order_n, ==, 3);
    g_assert_cmpint(order_log[0], ==, 100);
    g_assert_cmpint(order_log[1], ==, 1);
    g_assert_cmpint(order_log[2], ==, 2);
    g_assert_false(aio_poll(ctx, false));
}

/* Scheduled from another thread: aio_poll(true) wakes up for it. */
static void *schedule_from_thread(void *opaque)
{
    BHData *data = opaque;

    g_usleep(2000);
    qemu_bh_schedule(data->bh);
    return NULL;
}

static void test_bh_other_thread(void)
{
    BHData data = { .n = 0 };
    QemuThread thread;

    data.bh = aio_bh_new(ctx, bh_count, &data);
    qemu_thread_create(&thread, "sched", schedule_from_thread, &data,
                       QEMU_THREAD_JOINABLE);
    while (data.n == 0) {
        aio_poll(ctx, true);
    }
    qemu_thread_join(&thread);
    g_assert_cmpint(data.n, ==, 1);
    qemu_bh_delete(data.bh);
}

/* ---- fd handlers ---- */

typedef struct {
    int fd;
    int reads;
    int writes;
    char last;
} FDData;

static void pipe_read_cb(void *opaque)
{
    FDData *d = opaque;

    g_assert_cmpint(read(d->fd, &d->last, 1), ==, 1);
    d->reads++;
}

static void pipe_write_cb(void *opaque)
{
    FDData *d = opaque;

    d->writes++;
}

static void test_fd_pipe(void)
{
    int fds[2];
    FDData rd = { 0 };

    g_assert_cmpint(qemu_pipe(fds), ==, 0);
    rd.fd = fds[0];
    aio_set_fd_handler(ctx, fds[0], pipe_read_cb, NULL, NULL, NULL, &rd);
    /* Nothing written: no progress. */
    drain_nonblocking();
    g_assert_cmpint(rd.reads, ==, 0);

    g_assert_cmpint(write(fds[1], "x", 1), ==, 1);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(rd.reads, ==, 1);
    g_assert_cmpint(rd.last, ==, 'x');
    g_assert_false(aio_poll(ctx, false));

    /* Removed handlers are not called any more. */
    aio_set_fd_handler(ctx, fds[0], NULL, NULL, NULL, NULL, NULL);
    g_assert_cmpint(write(fds[1], "y", 1), ==, 1);
    drain_nonblocking();
    g_assert_cmpint(rd.reads, ==, 1);
    close(fds[0]);
    close(fds[1]);
}

static void test_fd_write(void)
{
    int fds[2];
    FDData wr = { 0 };

    g_assert_cmpint(qemu_pipe(fds), ==, 0);
    aio_set_fd_handler(ctx, fds[1], NULL, pipe_write_cb, NULL, NULL, &wr);
    /* An empty pipe is writable at once. */
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(wr.writes, ==, 1);
    aio_set_fd_handler(ctx, fds[1], NULL, NULL, NULL, NULL, NULL);
    drain_nonblocking();
    g_assert_cmpint(wr.writes, ==, 1);
    close(fds[0]);
    close(fds[1]);
}

static void bh_poll_nested(void *opaque)
{
    aio_poll(ctx, false);
}

/*
 * The outer poll sees the fd ready, then a BH polls again before the
 * outer poll dispatches: the handler must run exactly once.
 */
static void test_fd_nested_poll(void)
{
    int fds[2];
    FDData rd = { 0 };

    g_assert_cmpint(qemu_pipe(fds), ==, 0);
    rd.fd = fds[0];
    aio_set_fd_handler(ctx, fds[0], pipe_read_cb, NULL, NULL, NULL, &rd);
    drain_nonblocking();
    g_assert_cmpint(write(fds[1], "n", 1), ==, 1);
    aio_bh_schedule_oneshot(ctx, bh_poll_nested, NULL);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(rd.reads, ==, 1);
    drain_nonblocking();
    g_assert_cmpint(rd.reads, ==, 1);
    aio_set_fd_handler(ctx, fds[0], NULL, NULL, NULL, NULL, NULL);
    close(fds[0]);
    close(fds[1]);
}

/* Past 64 descriptors the context switches to epoll; same results. */
static void test_fd_many(void)
{
    enum { N = 100 };
    int fds[N][2];
    FDData rd[N] = { { 0 } };
    FDData other = { 0 };
    int i, reads = 0;

    for (i = 0; i < N; i++) {
        g_assert_cmpint(qemu_pipe(fds[i]), ==, 0);
        rd[i].fd = fds[i][0];
        aio_set_fd_handler(ctx, fds[i][0], pipe_read_cb, NULL, NULL, NULL,
                           &rd[i]);
    }
    drain_nonblocking();
    for (i = 0; i < N; i += 7) {
        g_assert_cmpint(write(fds[i][1], "m", 1), ==, 1);
    }
    while (reads < DIV_ROUND_UP(N, 7)) {
        aio_poll(ctx, true);
        reads = 0;
        for (i = 0; i < N; i++) {
            reads += rd[i].reads;
        }
    }
    for (i = 0; i < N; i++) {
        g_assert_cmpint(rd[i].reads, ==, i % 7 == 0);
    }

    /* Replacing and removing handlers works on the epoll set too. */
    other.fd = fds[1][0];
    aio_set_fd_handler(ctx, fds[1][0], pipe_read_cb, NULL, NULL, NULL,
                       &other);
    g_assert_cmpint(write(fds[1][1], "r", 1), ==, 1);
    while (other.reads == 0) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(other.last, ==, 'r');
    g_assert_cmpint(rd[1].reads, ==, 0);
    for (i = 0; i < N; i++) {
        aio_set_fd_handler(ctx, fds[i][0], NULL, NULL, NULL, NULL, NULL);
        g_assert_cmpint(write(fds[i][1], "z", 1), ==, 1);
    }
    drain_nonblocking();
    for (i = 0; i < N; i++) {
        g_assert_cmpint(rd[i].reads, ==, i % 7 == 0);
        close(fds[i][0]);
        close(fds[i][1]);
    }
}

typedef struct {
    EventNotifier e;
    int n;
    bool remove_self;
} NotifierData;

static void notifier_cb(EventNotifier *e)
{
    NotifierData *d = container_of(e, NotifierData, e);

    g_assert_true(event_notifier_test_and_clear(e));
    d->n++;
    if (d->remove_self) {
        aio_set_event_notifier(ctx, e, NULL, NULL, NULL);
    }
}

static void test_event_notifier(void)
{
    NotifierData d = { .n = 0 };

    g_assert_cmpint(event_notifier_init(&d.e, false), ==, 0);
    aio_set_event_notifier(ctx, &d.e, notifier_cb, NULL, NULL);
    drain_nonblocking();
    g_assert_cmpint(d.n, ==, 0);

    event_notifier_set(&d.e);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(d.n, ==, 1);

    /* A handler may remove itself while being dispatched. */
    d.remove_self = true;
    event_notifier_set(&d.e);
    g_assert_true(aio_poll(ctx, true));
    g_assert_cmpint(d.n, ==, 2);
    event_notifier_set(&d.e);
    drain_nonblocking();
    g_assert_cmpint(d.n, ==, 2);
    event_notifier_cleanup(&d.e);
}

/* ---- timers ---- */

typedef struct {
    QEMUTimer timer;
    int n;
    int max;
    int64_t period_ns;
} TimerData;

static void timer_cb(void *opaque)
{
    TimerData *d = opaque;

    d->n++;
    if (d->n < d->max) {
        timer_mod(&d->timer,
                  qemu_clock_get_ns(QEMU_CLOCK_REALTIME) + d->period_ns);
    }
}

static void test_timer_fires(void)
{
    TimerData d = { .max = 3, .period_ns = 2 * SCALE_MS };
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    aio_timer_init(ctx, &d.timer, QEMU_CLOCK_REALTIME, SCALE_NS, timer_cb,
                   &d);
    timer_mod(&d.timer, start + d.period_ns);
    g_assert_true(timer_pending(&d.timer));
    /* Not due yet: a non-blocking poll does not run it. */
    aio_poll(ctx, false);
    g_assert_cmpint(d.n, ==, 0);

    /* A blocking poll sleeps exactly until the deadline. */
    while (d.n < 3) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start, >=,
                    3 * d.period_ns);
    g_assert_false(timer_pending(&d.timer));
    timer_deinit(&d.timer);
}

static void test_timer_del(void)
{
    TimerData d = { .max = 1 };
    QEMUTimer *t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_MS,
                                 timer_cb, &d);

    timer_mod(t, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 1);
    timer_del(t);
    g_assert_false(timer_pending(t));
    g_assert_cmpint(aio_compute_timeout(ctx), ==, -1);
    g_usleep(2000);
    drain_nonblocking();
    g_assert_cmpint(d.n, ==, 0);
    timer_free(t);
}

static void test_timer_deadline(void)
{
    TimerData d = { .max = 1 };
    QEMUTimer *t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_NS,
                                 timer_cb, &d);
    int64_t deadline;

    timer_mod(t, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) +
              NANOSECONDS_PER_SECOND);
    deadline = aio_compute_timeout(ctx);
    g_assert_cmpint(deadline, >, 0);
    g_assert_cmpint(deadline, <=, NANOSECONDS_PER_SECOND);
    /* A pending BH makes the timeout zero. */
    aio_bh_schedule_oneshot(ctx, bh_log, NULL);
    g_assert_cmpint(aio_compute_timeout(ctx), ==, 0);
    order_n = 0;
    drain_nonblocking();
    /* An expired timer gives zero, too. */
    timer_mod(t, 0);
    g_assert_cmpint(aio_compute_timeout(ctx), ==, 0);
    g_assert_true(aio_poll(ctx, false));
    g_assert_cmpint(d.n, ==, 1);
    timer_free(t);
}

/* ---- notify ---- */

static void *notify_from_thread(void *opaque)
{
    g_usleep(2000);
    aio_notify(opaque);
    return NULL;
}

static void test_notify_wakes(void)
{
    QemuThread thread;

    drain_nonblocking();
    qemu_thread_create(&thread, "notify", notify_from_thread, ctx,
                       QEMU_THREAD_JOINABLE);
    /* Returns (without progress) once notified. */
    g_assert_false(aio_poll(ctx, true));
    qemu_thread_join(&thread);
}

/* ---- GSource ---- */

static void test_gsource(void)
{
    AioContext *priv = aio_context_new(&error_abort);
    GMainContext *gctx = g_main_context_new();
    GSource *src = aio_get_g_source(priv);
    BHData data = { .n = 0, .max = 5 };
    int fds[2];
    FDData rd = { 0 };
    TimerData td = { .max = 1 };
    int i;

    g_source_attach(src, gctx);
    g_source_unref(src);

    data.bh = aio_bh_new(priv, bh_count, &data);
    qemu_bh_schedule(data.bh);
    for (i = 0; i < 100 && data.n < 5; i++) {
        g_main_context_iteration(gctx, false);
    }
    g_assert_cmpint(data.n, ==, 5);
    qemu_bh_delete(data.bh);

    g_assert_cmpint(qemu_pipe(fds), ==, 0);
    rd.fd = fds[0];
    aio_set_fd_handler(priv, fds[0], pipe_read_cb, NULL, NULL, NULL, &rd);
    g_assert_cmpint(write(fds[1], "g", 1), ==, 1);
    while (rd.reads == 0) {
        g_main_context_iteration(gctx, true);
    }
    g_assert_cmpint(rd.last, ==, 'g');
    aio_set_fd_handler(priv, fds[0], NULL, NULL, NULL, NULL, NULL);
    close(fds[0]);
    close(fds[1]);

    aio_timer_init(priv, &td.timer, QEMU_CLOCK_REALTIME, SCALE_MS,
                   timer_cb, &td);
    timer_mod(&td.timer, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 2);
    while (td.n == 0) {
        g_main_context_iteration(gctx, true);
    }
    timer_deinit(&td.timer);

    g_source_destroy(&priv->source);
    aio_context_unref(priv);
    g_main_context_unref(gctx);
}

/* ---- main loop ---- */

static void main_timer_cb(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_main_loop_wait(void)
{
    int fired = 0;
    BHData data = { .n = 0 };
    QEMUTimer *t = timer_new_ms(QEMU_CLOCK_REALTIME, main_timer_cb, &fired);

    data.bh = qemu_bh_new(bh_count, &data);
    qemu_bh_schedule(data.bh);
    main_loop_wait(true);
    g_assert_cmpint(data.n, ==, 1);
    qemu_bh_delete(data.bh);

    timer_mod(t, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 2);
    while (!fired) {
        main_loop_wait(false);
    }
    g_assert_cmpint(fired, ==, 1);
    timer_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();

    g_test_add_func("/aio/bh/schedule", test_bh_schedule);
    g_test_add_func("/aio/bh/schedule-twice", test_bh_schedule_twice);
    g_test_add_func("/aio/bh/reschedule-self", test_bh_reschedule_self);
    g_test_add_func("/aio/bh/cancel", test_bh_cancel);
    g_test_add_func("/aio/bh/delete-pending", test_bh_delete_pending);
    g_test_add_func("/aio/bh/delete-from-cb", test_bh_delete_from_cb);
    g_test_add_func("/aio/bh/oneshot-order", test_bh_oneshot_order);
    g_test_add_func("/aio/bh/nested-poll", test_bh_nested_poll);
    g_test_add_func("/aio/bh/other-thread", test_bh_other_thread);
    g_test_add_func("/aio/fd/pipe-read", test_fd_pipe);
    g_test_add_func("/aio/fd/pipe-write", test_fd_write);
    g_test_add_func("/aio/fd/nested-poll", test_fd_nested_poll);
    g_test_add_func("/aio/fd/many", test_fd_many);
    g_test_add_func("/aio/event-notifier", test_event_notifier);
    g_test_add_func("/aio/timer/fires", test_timer_fires);
    g_test_add_func("/aio/timer/del", test_timer_del);
    g_test_add_func("/aio/timer/deadline", test_timer_deadline);
    g_test_add_func("/aio/notify", test_notify_wakes);
    g_test_add_func("/aio/gsource", test_gsource);
    g_test_add_func("/aio/main-loop-wait", test_main_loop_wait);
    return g_test_run();
}
