/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdmon-epoll.c: the epoll(7) fd monitor.  A context starts with the
 * poll() monitor and switches to this one, from its own thread, once it
 * watches more than FDMON_EPOLL_THRESHOLD descriptors; the kernel then
 * keeps the interest list and a wait costs O(ready) instead of O(all).
 * Waits keep nanosecond timeouts by ppoll()ing the epoll descriptor.
 */
#include "qemu/osdep.h"
#include <sys/epoll.h>
#include "qemu/timer.h"
#include "aio-posix.h"

enum {
    EPOLL_BATCH = 128,      /* events fetched per epoll_wait() */
};

typedef struct {
    int epfd;
} FDMonEpoll;

static uint32_t epoll_events_of(int gio_events)
{
    uint32_t ev = 0;

    if (gio_events & G_IO_IN) {
        ev |= EPOLLIN;
    }
    if (gio_events & G_IO_OUT) {
        ev |= EPOLLOUT;
    }
    /* EPOLLHUP and EPOLLERR are always reported. */
    return ev;
}

static int gio_events_of(uint32_t ev)
{
    return (ev & EPOLLIN ? G_IO_IN : 0) |
           (ev & EPOLLOUT ? G_IO_OUT : 0) |
           (ev & EPOLLHUP ? G_IO_HUP : 0) |
           (ev & EPOLLERR ? G_IO_ERR : 0);
}

static void fdmon_epoll_update(AioContext *ctx, AioHandler *old_node,
                               AioHandler *new_node)
{
    FDMonEpoll *e = ctx->fdmon_opaque;
    struct epoll_event event;

    if (!new_node) {
        /* Errors (e.g. the fd was closed already) are harmless here. */
        epoll_ctl(e->epfd, EPOLL_CTL_DEL, old_node->pfd.fd, NULL);
        return;
    }
    event.events = epoll_events_of(new_node->pfd.events);
    event.data.ptr = new_node;
    if (old_node) {
        epoll_ctl(e->epfd, EPOLL_CTL_MOD, new_node->pfd.fd, &event);
    } else {
        epoll_ctl(e->epfd, EPOLL_CTL_ADD, new_node->pfd.fd, &event);
    }
}

static int fdmon_epoll_wait(AioContext *ctx, AioHandlerList *ready_list,
                            int64_t timeout)
{
    FDMonEpoll *e = ctx->fdmon_opaque;
    struct epoll_event events[EPOLL_BATCH];
    int ret, i;

    if (timeout > 0) {
        GPollFD pfd = { .fd = e->epfd, .events = G_IO_IN };

        ret = qemu_poll_ns(&pfd, 1, timeout);
        if (ret <= 0) {
            return ret < 0 ? -errno : 0;
        }
        timeout = 0;
    }
    ret = epoll_wait(e->epfd, events, EPOLL_BATCH, timeout < 0 ? -1 : 0);
    if (ret < 0) {
        return -errno;
    }
    for (i = 0; i < ret; i++) {
        aio_add_ready_handler(ready_list, events[i].data.ptr,
                              gio_events_of(events[i].events));
    }
    return ret;
}

static void fdmon_epoll_destroy(AioContext *ctx)
{
    FDMonEpoll *e = ctx->fdmon_opaque;

    close(e->epfd);
    g_free(e);
    ctx->fdmon_opaque = NULL;
}

const FDMonOps fdmon_epoll_ops = {
    .update = fdmon_epoll_update,
    .wait = fdmon_epoll_wait,
    .destroy = fdmon_epoll_destroy,
};

bool fdmon_epoll_try_upgrade(AioContext *ctx)
{
    FDMonEpoll *e;
    AioHandler *node;
    int epfd = epoll_create1(EPOLL_CLOEXEC);

    if (epfd < 0) {
        return false;       /* stay with poll() */
    }
    e = g_new0(FDMonEpoll, 1);
    e->epfd = epfd;

    qemu_mutex_lock(&ctx->list_lock);
    ctx->fdmon_ops->destroy(ctx);
    ctx->fdmon_ops = &fdmon_epoll_ops;
    ctx->fdmon_opaque = e;
    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (!node->deleted && node->pfd.events) {
            fdmon_epoll_update(ctx, NULL, node);
        }
    }
    qemu_mutex_unlock(&ctx->list_lock);
    return true;
}
