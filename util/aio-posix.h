/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio-posix.h: what util/aio-posix.c shares with its fd-monitor backends
 * (fdmon-*.c): the AioHandler record and the FDMonOps vtable.
 */
#ifndef AIO_POSIX_H
#define AIO_POSIX_H

#include "block/aio.h"

struct AioHandler {
    GPollFD pfd;                /* fd, wanted events, events seen */
    IOHandler *io_read;
    IOHandler *io_write;
    AioPollFn *io_poll;
    IOHandler *io_poll_ready;
    void *opaque;
    QLIST_ENTRY(AioHandler) node;        /* aio_handlers or deleted list */
    QLIST_ENTRY(AioHandler) node_ready;  /* a poller's ready list */
    bool deleted;
};

/* One way of waiting for fds; one implementation per fdmon-*.c file. */
struct FDMonOps {
    /*
     * The handler set changed: @old_node is being removed and/or
     * @new_node added (either may be NULL).  Called with list_lock held.
     */
    void (*update)(AioContext *ctx, AioHandler *old_node,
                   AioHandler *new_node);
    /*
     * Wait up to @timeout ns (-1: forever, 0: just look) and put every
     * handler with events on @ready_list, events in pfd.revents.
     * Returns the number of ready handlers or -errno.  Home thread only;
     * the caller counts as a list walker, so nodes stay allocated.
     */
    int (*wait)(AioContext *ctx, AioHandlerList *ready_list,
                int64_t timeout);
    /* Free the backend's state. */
    void (*destroy)(AioContext *ctx);
};

/*
 * Put @node on @ready_list with events @revents.  A nested aio_poll()
 * may find a node that an outer one has queued but not dispatched yet:
 * the inner poll takes it over, so the events are handled once, now.
 */
static inline void aio_add_ready_handler(AioHandlerList *ready_list,
                                         AioHandler *node, int revents)
{
    QLIST_SAFE_REMOVE(node, node_ready);
    node->pfd.revents = revents;
    QLIST_INSERT_HEAD(ready_list, node, node_ready);
}

extern const FDMonOps fdmon_poll_ops;
extern const FDMonOps fdmon_epoll_ops;

/* Contexts watching more descriptors than this move to epoll. */
#define FDMON_EPOLL_THRESHOLD 64

/*
 * fdmon-epoll.c: replace @ctx's monitor by epoll.  Home thread only,
 * without list_lock held; returns false (nothing changed) on failure.
 */
bool fdmon_epoll_try_upgrade(AioContext *ctx);

/*
 * GSource dispatch: run BHs, the handlers whose pfd.revents glib filled
 * in, and expired timers.
 */
void aio_dispatch(AioContext *ctx);

/* fdmon-poll.c: attach the poll() backend to @ctx. */
void fdmon_poll_setup(AioContext *ctx);

#endif /* AIO_POSIX_H */
