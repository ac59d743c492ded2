/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main-loop.c: the main loop (a glib main context with the main
 * AioContexts attached as GSources), main_loop_wait(), the big QEMU lock
 * and the "am I in the main thread" checks behind GLOBAL_STATE_CODE().
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"

static AioContext *qemu_aio_context;
static AioContext *iohandler_ctx;

/* The BQL.  bql_real_holders counts threads that really took it. */
static QemuMutex bql;
static __thread bool bql_held;
static unsigned int bql_real_holders;
static QemuThread main_thread;

static void __attribute__((constructor)) main_loop_early_init(void)
{
    qemu_mutex_init(&bql);
    /* Constructors run in the process's initial thread. */
    qemu_thread_get_self(&main_thread);
}

void TSA_NO_TSA qemu_mutex_lock_iothread(void)
{
    assert(!bql_held);
    qemu_mutex_lock(&bql);
    qatomic_inc(&bql_real_holders);
    bql_held = true;
}

void TSA_NO_TSA qemu_mutex_unlock_iothread(void)
{
    assert(bql_held);
    bql_held = false;
    qatomic_dec(&bql_real_holders);
    qemu_mutex_unlock(&bql);
}

bool qemu_mutex_iothread_locked(void)
{
    if (bql_held) {
        return true;
    }
    /*
     * Programs that never take the BQL (the tools) run their global
     * state in the main thread: it counts as the holder whenever no
     * other thread has the lock.
     */
    return qemu_thread_is_self(&main_thread) &&
           qatomic_read(&bql_real_holders) == 0;
}

bool qemu_in_main_thread(void)
{
    return qemu_get_current_aio_context() == qemu_get_aio_context();
}

AioContext *qemu_get_aio_context(void)
{
    return qemu_aio_context;
}

static void iohandler_init(void)
{
    if (!iohandler_ctx) {
        GSource *src;

        iohandler_ctx = aio_context_new(&error_abort);
        src = aio_get_g_source(iohandler_ctx);
        g_source_set_name(src, "io-handler");
        g_source_attach(src, NULL);
        g_source_unref(src);
    }
}

AioContext *iohandler_get_aio_context(void)
{
    iohandler_init();
    return iohandler_ctx;
}

void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque)
{
    iohandler_init();
    aio_set_fd_handler(iohandler_ctx, fd, fd_read, fd_write, NULL, NULL,
                       opaque);
}

void qemu_notify_event(void)
{
    if (qemu_aio_context) {
        aio_notify(qemu_aio_context);
    }
}

int qemu_init_main_loop(Error **errp)
{
    GSource *src;

    if (qemu_aio_context) {
        return 0;
    }
    init_clocks(NULL);
    qemu_aio_context = aio_context_new(errp);
    if (!qemu_aio_context) {
        return -EMFILE;
    }
    qemu_set_current_aio_context(qemu_aio_context);

    src = aio_get_g_source(qemu_aio_context);
    g_source_set_name(src, "aio-context");
    g_source_attach(src, NULL);
    g_source_unref(src);
    iohandler_init();
    return 0;
}

void qemu_main_loop_tool_defaults(void)
{
    aio_context_set_poll_params(qemu_aio_context, QEMU_TOOL_POLL_MAX_NS, 0, 0,
                                &error_abort);
}

void main_loop_wait(int nonblocking)
{
    static GPollFD *fds;
    static gint fds_alloc;
    GMainContext *gctx = g_main_context_default();
    gint max_priority, glib_timeout, nfds;
    int64_t timeout_ns, spin_start = 0;
    bool unlocked = false, spun = false;

    g_main_context_acquire(gctx);
    g_main_context_prepare(gctx, &max_priority);
    while ((nfds = g_main_context_query(gctx, max_priority, &glib_timeout,
                                        fds, fds_alloc)) > fds_alloc) {
        fds_alloc = nfds;
        fds = g_renew(GPollFD, fds, fds_alloc);
    }

    if (nonblocking) {
        timeout_ns = 0;
    } else {
        timeout_ns = glib_timeout < 0 ? -1 : (int64_t)glib_timeout * SCALE_MS;
        /* After prepare: a timer armed from now on notifies the ctx. */
        timeout_ns = qemu_soonest_timeout(timeout_ns,
                                          timerlistgroup_deadline_ns(
                                              &main_loop_tlg));
    }

    if (timeout_ns != 0) {
        /*
         * Busy polling of the block layer's context, when it is on: work
         * it finds is dispatched here, and then nothing sleeps.
         */
        spun = aio_poll_spin(qemu_aio_context, &spin_start);
        if (spun) {
            timeout_ns = 0;
        }
    }
    if (timeout_ns != 0 && bql_held) {
        qemu_mutex_unlock_iothread();
        unlocked = true;
    }
    qemu_poll_ns(fds, nfds, timeout_ns);
    if (unlocked) {
        qemu_mutex_lock_iothread();
    }
    aio_poll_spin_end(qemu_aio_context, spin_start, spun);

    g_main_context_check(gctx, max_priority, fds, nfds);
    g_main_context_dispatch(gctx);
    g_main_context_release(gctx);

    qemu_clock_run_all_timers();
}
