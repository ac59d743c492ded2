/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdmon-poll.c: the poll() fd monitor, every context's first one.  Each
 * wait rebuilds a pollfd array from the handler list (under list_lock),
 * polls without the lock and copies the results back into the handlers.
 * Past FDMON_EPOLL_THRESHOLD descriptors it hands over to fdmon-epoll.c.
 */
#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "aio-posix.h"

typedef struct {
    GPollFD *fds;
    AioHandler **nodes;
    unsigned int alloc;
} FDMonPoll;

void fdmon_poll_setup(AioContext *ctx)
{
    ctx->fdmon_ops = &fdmon_poll_ops;
    ctx->fdmon_opaque = g_new0(FDMonPoll, 1);
}

static void fdmon_poll_update(AioContext *ctx, AioHandler *old_node,
                              AioHandler *new_node)
{
    /* The array is rebuilt on every wait: nothing to do. */
}

static void fdmon_poll_grow(FDMonPoll *p, unsigned int n)
{
    if (n > p->alloc) {
        p->alloc = MAX(n, p->alloc * 2);
        p->fds = g_renew(GPollFD, p->fds, p->alloc);
        p->nodes = g_renew(AioHandler *, p->nodes, p->alloc);
    }
}

static int fdmon_poll_wait(AioContext *ctx, AioHandlerList *ready_list,
                           int64_t timeout)
{
    FDMonPoll *p = ctx->fdmon_opaque;
    AioHandler *node;
    unsigned int n = 0, i;
    int ret, ready = 0;

    qemu_mutex_lock(&ctx->list_lock);
    QLIST_FOREACH(node, &ctx->aio_handlers, node) {
        if (node->deleted || !node->pfd.events) {
            continue;
        }
        fdmon_poll_grow(p, n + 1);
        p->fds[n] = (GPollFD) { .fd = node->pfd.fd,
                                .events = node->pfd.events };
        p->nodes[n] = node;
        n++;
    }
    qemu_mutex_unlock(&ctx->list_lock);

    if (n > FDMON_EPOLL_THRESHOLD && fdmon_epoll_try_upgrade(ctx)) {
        /* @p is gone: the epoll monitor waits instead. */
        return ctx->fdmon_ops->wait(ctx, ready_list, timeout);
    }

    ret = qemu_poll_ns(p->fds, n, timeout);
    if (ret < 0) {
        return -errno;
    }
    for (i = 0; ret > 0 && i < n; i++) {
        if (p->fds[i].revents) {
            aio_add_ready_handler(ready_list, p->nodes[i], p->fds[i].revents);
            ready++;
        }
    }
    return ready;
}

static void fdmon_poll_destroy(AioContext *ctx)
{
    FDMonPoll *p = ctx->fdmon_opaque;

    g_free(p->fds);
    g_free(p->nodes);
    g_free(p);
    ctx->fdmon_opaque = NULL;
}

const FDMonOps fdmon_poll_ops = {
    .update = fdmon_poll_update,
    .wait = fdmon_poll_wait,
    .destroy = fdmon_poll_destroy,
};
