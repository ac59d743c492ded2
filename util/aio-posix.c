/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio-posix.c: the fd-handler half of AioContext and aio_poll().
 *
 * Handlers live on ctx->aio_handlers under ctx->list_lock.  Pollers
 * count themselves as walkers while they hold pointers to handlers
 * outside the lock; a handler removed meanwhile is only marked deleted
 * and parked on deleted_aio_handlers until the last walker leaves.
 * Waiting itself is delegated to an fd monitor (fdmon-*.c).  With busy
 * polling on (poll_max_ns), a blocking aio_poll() first spins on the
 * handlers' io_poll callbacks for an adaptive window and only then
 * sleeps.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/defer-call.h"
#include "qemu/timer.h"
#include "block/aio.h"
#include "aio-posix.h"

void aio_context_setup(AioContext *ctx)
{
    qemu_mutex_init(&ctx->list_lock);
    QLIST_INIT(&ctx->aio_handlers);
    QLIST_INIT(&ctx->deleted_aio_handlers);
    fdmon_poll_setup(ctx);
}

void aio_context_destroy(AioContext *ctx)
{
    AioHandler *node, *next;

    QLIST_FOREACH_SAFE(node, &ctx->deleted_aio_handlers, node, next) {
        QLIST_REMOVE(node, node);
        g_free(node);
    }
    QLIST_FOREACH_SAFE(node, &ctx->aio_handlers, node, next) {
        if (!g_source_is_destroyed(&ctx->source)) {
            g_source_remove_poll(&ctx->source, &node->pfd);
        }
        QLIST_REMOVE(node, node);
        g_free(node);
    }
    ctx->fdmon_ops->destroy(ctx);
    qemu_mutex_destroy(&ctx->list_lock);
}

static void aio_walkers_inc(AioContext *ctx)
{
    qemu_mutex_lock(&ctx->list_lock);
    ctx->list_walkers++;
    qemu_mutex_unlock(&ctx->list_lock);
}

static void aio_walkers_dec(AioContext *ctx)
{
    AioHandler *node, *next;
    AioHandlerList dead = QLIST_HEAD_INITIALIZER(dead);

    qemu_mutex_lock(&ctx->list_lock);
    if (--ctx->list_walkers == 0) {
        QLIST_FOREACH_SAFE(node, &ctx->deleted_aio_handlers, node, next) {
            QLIST_REMOVE(node, node);
            QLIST_INSERT_HEAD(&dead, node, node);
        }
    }
    qemu_mutex_unlock(&ctx->list_lock);
    QLIST_FOREACH_SAFE(node, &dead, node, next) {
        g_free(node);
    }
}

static AioHandler *find_aio_handler(AioContext *ctx, int fd)
{
    AioHandler *node;

    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (node->pfd.fd == fd && !node->deleted) {
            return node;
        }
    }
    return NULL;
}

/* Take @node out of service.  Called with list_lock held. */
static void aio_remove_handler_locked(AioContext *ctx, AioHandler *node)
{
    /* A destroyed (finalizing) source has dropped its polls already. */
    if (!g_source_is_destroyed(&ctx->source)) {
        g_source_remove_poll(&ctx->source, &node->pfd);
    }
    QLIST_REMOVE(node, node);
    node->pfd.revents = 0;
    if (ctx->list_walkers) {
        qatomic_set(&node->deleted, true);
        QLIST_INSERT_HEAD(&ctx->deleted_aio_handlers, node, node);
    } else {
        g_free(node);
    }
}

void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, AioPollFn *io_poll,
                        IOHandler *io_poll_ready, void *opaque)
{
    AioHandler *old_node, *new_node = NULL;

    if (io_read || io_write || io_poll) {
        new_node = g_new0(AioHandler, 1);
        new_node->pfd.fd = fd;
        new_node->io_read = io_read;
        new_node->io_write = io_write;
        new_node->io_poll = io_poll;
        new_node->io_poll_ready = io_poll_ready;
        new_node->opaque = opaque;
        if (io_read) {
            new_node->pfd.events |= G_IO_IN | G_IO_HUP | G_IO_ERR;
        }
        if (io_write) {
            new_node->pfd.events |= G_IO_OUT | G_IO_ERR;
        }
    }

    qemu_mutex_lock(&ctx->list_lock);
    old_node = find_aio_handler(ctx, fd);
    if (new_node) {
        QLIST_INSERT_HEAD(&ctx->aio_handlers, new_node, node);
        g_source_add_poll(&ctx->source, &new_node->pfd);
    }
    ctx->fdmon_ops->update(ctx, old_node, new_node);
    if (old_node) {
        aio_remove_handler_locked(ctx, old_node);
    }
    qemu_mutex_unlock(&ctx->list_lock);

    /* Make the poller pick up the new set of descriptors. */
    aio_notify(ctx);
}

/* Adapter: EventNotifierHandler takes the notifier, IOHandler an opaque. */
void aio_set_event_notifier(AioContext *ctx, EventNotifier *notifier,
                            EventNotifierHandler *io_read,
                            AioPollFn *io_poll,
                            EventNotifierHandler *io_poll_ready)
{
    aio_set_fd_handler(ctx, event_notifier_get_fd(notifier),
                       (IOHandler *)io_read, NULL, io_poll,
                       (IOHandler *)io_poll_ready, notifier);
}

void aio_set_event_notifier_poll(AioContext *ctx, EventNotifier *notifier,
                                 EventNotifierHandler *io_poll_begin,
                                 EventNotifierHandler *io_poll_end)
{
    /*
     * Polling windows are short and do not tell the handlers when they
     * start or end; a device that could mute its notifications while
     * polled simply keeps them on.
     */
}

/* Run @node's callbacks for the events it saw; true if it made progress. */
static bool aio_dispatch_handler(AioContext *ctx, AioHandler *node)
{
    int revents = node->pfd.revents & node->pfd.events;
    bool progress = false;

    node->pfd.revents = 0;
    if (qatomic_read(&node->deleted)) {
        return false;
    }
    if ((revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) && node->io_read) {
        node->io_read(node->opaque);
        /* Our own wakeup notifier is not progress. */
        progress = node->opaque != &ctx->notifier;
    }
    if ((revents & (G_IO_OUT | G_IO_ERR)) && node->io_write &&
        !qatomic_read(&node->deleted)) {
        node->io_write(node->opaque);
        progress = true;
    }
    return progress;
}

static bool aio_dispatch_ready_handlers(AioContext *ctx,
                                        AioHandlerList *ready_list)
{
    AioHandler *node;
    bool progress = false;

    while ((node = QLIST_FIRST(ready_list))) {
        QLIST_SAFE_REMOVE(node, node_ready);
        progress |= aio_dispatch_handler(ctx, node);
    }
    return progress;
}

bool aio_pending(AioContext *ctx)
{
    AioHandler *node;
    bool pending = false;

    qemu_mutex_lock(&ctx->list_lock);
    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (node->pfd.revents & node->pfd.events) {
            pending = true;
            break;
        }
    }
    qemu_mutex_unlock(&ctx->list_lock);
    return pending;
}

void aio_dispatch(AioContext *ctx)
{
    AioHandlerList ready_list = QLIST_HEAD_INITIALIZER(ready_list);
    AioHandler *node;

    aio_walkers_inc(ctx);
    aio_bh_poll(ctx);

    qemu_mutex_lock(&ctx->list_lock);
    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (node->pfd.revents & node->pfd.events) {
            aio_add_ready_handler(&ready_list, node, node->pfd.revents);
        }
    }
    qemu_mutex_unlock(&ctx->list_lock);
    aio_dispatch_ready_handlers(ctx, &ready_list);

    aio_walkers_dec(ctx);
    timerlistgroup_run_timers(&ctx->tlg);
}

/* Handlers polled per aio_poll(); more are left to their fds. */
#define AIO_POLL_MAX_HANDLERS 32
/* The first window when polling starts to grow. */
#define AIO_POLL_FIRST_NS 4000

typedef struct {
    AioHandler *nodes[AIO_POLL_MAX_HANDLERS];
    bool ready[AIO_POLL_MAX_HANDLERS];
    unsigned int n;
} AioPollSet;

/*
 * Spin on the io_poll callbacks of @ctx's handlers for up to the current
 * window (never past the next timer) or until one reports work.  The
 * caller counts as a walker.  Returns true if anything is ready.
 */
static bool aio_busy_poll(AioContext *ctx, AioPollSet *set, int64_t start)
{
    int64_t window = ctx->poll_ns;
    int64_t next_timer = aio_compute_timeout(ctx);
    AioHandler *node;
    bool found = false, rings = false;
    unsigned int i;

    if (window == 0 || next_timer == 0) {
        return false;
    }
    if (next_timer > 0) {
        window = MIN(window, next_timer);
    }
    qemu_mutex_lock(&ctx->list_lock);
    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (node->io_poll && !node->deleted &&
            set->n < AIO_POLL_MAX_HANDLERS) {
            set->ready[set->n] = false;
            set->nodes[set->n++] = node;
            rings |= node->opaque != &ctx->notifier;
        }
    }
    qemu_mutex_unlock(&ctx->list_lock);
    if (!rings) {
        /*
         * Only the notifier to watch: what would notify us is one of our
         * own threads (thread pool, other AioContexts), and spinning
         * would take the CPU it needs (10% slower aio=threads I/O on the
         * 2-core dev VM).  Polling pays off for completions the kernel
         * or a device posts to memory, which have their own handlers.
         */
        set->n = 0;
        return false;
    }

    do {
        for (i = 0; i < set->n; i++) {
            node = set->nodes[i];
            if (!qatomic_read(&node->deleted) && node->io_poll(node->opaque)) {
                set->ready[i] = true;
                found = true;
            }
        }
    } while (!found &&
             qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start < window);
    return found;
}

/* Run io_poll_ready of the handlers that polling found with work. */
static bool aio_dispatch_polled(AioContext *ctx, AioPollSet *set)
{
    bool progress = false;
    unsigned int i;

    for (i = 0; i < set->n; i++) {
        AioHandler *node = set->nodes[i];

        if (set->ready[i] && !qatomic_read(&node->deleted) &&
            node->io_poll_ready) {
            node->io_poll_ready(node->opaque);
            progress |= node->opaque != &ctx->notifier;
        }
    }
    return progress;
}

/*
 * Fit the window to a wait of @block_ns that polling did not cover:
 * grow it if a longer window (within poll_max_ns) would have, shrink
 * it if the wait was longer than polling may ever spin.
 */
static void aio_poll_adjust(AioContext *ctx, int64_t block_ns)
{
    int64_t ns = ctx->poll_ns;

    if (block_ns <= ns) {
        return;
    }
    if (block_ns > ctx->poll_max_ns) {
        ns = ctx->poll_shrink ? ns / ctx->poll_shrink : 0;
    } else if (ns < ctx->poll_max_ns) {
        ns = ns ? ns * (ctx->poll_grow ? ctx->poll_grow : 2)
                : AIO_POLL_FIRST_NS;
        ns = MIN(ns, ctx->poll_max_ns);
    }
    ctx->poll_ns = ns;
}

bool aio_poll_spin(AioContext *ctx, int64_t *start)
{
    AioPollSet poll_set = { .n = 0 };
    bool found;

    *start = 0;
    if (ctx->poll_max_ns == 0) {
        return false;
    }
    *start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    aio_walkers_inc(ctx);
    found = aio_busy_poll(ctx, &poll_set, *start);
    if (found) {
        aio_dispatch_polled(ctx, &poll_set);
    }
    aio_walkers_dec(ctx);
    return found;
}

void aio_poll_spin_end(AioContext *ctx, int64_t start, bool found)
{
    if (start && !found) {
        aio_poll_adjust(ctx, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start);
    }
}

bool aio_poll(AioContext *ctx, bool blocking)
{
    AioHandlerList ready_list = QLIST_HEAD_INITIALIZER(ready_list);
    AioPollSet poll_set;
    bool progress = false, polled = false;
    bool adaptive = blocking && ctx->poll_max_ns > 0;
    int64_t timeout = 0, start = 0;
    int ret;

    poll_set.n = 0;
    if (blocking) {
        /* Whatever a defer_call section holds back must not be waited for. */
        defer_call_flush();
    }
    aio_walkers_inc(ctx);
    if (adaptive) {
        /*
         * Spin before advertising notify_me: meanwhile aio_notify() only
         * sets ctx->notified, which the notifier's io_poll sees.
         */
        start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
        polled = aio_busy_poll(ctx, &poll_set, start);
    }
    if (blocking) {
        /*
         * Advertise that we may sleep before looking for work: a thread
         * that queues work after our look sees notify_me and kicks us.
         */
        qatomic_add(&ctx->notify_me, 2);
        smp_mb__after_rmw();
        /* A pending notification means "look again", not "sleep". */
        timeout = polled || qatomic_read(&ctx->notified) ?
                  0 : aio_compute_timeout(ctx);
    }

    ret = ctx->fdmon_ops->wait(ctx, &ready_list, timeout);
    if (ret < 0 && ret != -EINTR) {
        fprintf(stderr, "aio_poll: %s\n", strerror(-ret));
        abort();
    }

    if (blocking) {
        qatomic_sub(&ctx->notify_me, 2);
    }
    if (adaptive && !polled) {
        aio_poll_adjust(ctx, qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start);
    }
    /* Whatever the notification announced is looked at below. */
    aio_notify_accept(ctx);

    progress |= aio_bh_poll(ctx);
    progress |= aio_dispatch_polled(ctx, &poll_set);
    progress |= aio_dispatch_ready_handlers(ctx, &ready_list);
    aio_walkers_dec(ctx);
    progress |= timerlistgroup_run_timers(&ctx->tlg);
    return progress;
}
