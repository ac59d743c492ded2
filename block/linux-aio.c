/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/linux-aio.c: the aio=native engine of file-posix, on libaio.
 *
 * One LinuxAioState per AioContext: a kernel AIO context (io_setup), an
 * eventfd the kernel signals on every completion, registered as an event
 * notifier in the AioContext, and a queue of requests waiting to be
 * handed to io_submit().  Requests go to the kernel in small batches:
 * once LAIO_EAGER_BATCH are queued, else from a bottom half at the end
 * of the event loop iteration (see block/io_uring.c for why).  Inside a
 * defer_call section (qemu/defer-call.h) they wait for the end of the
 * section, or for a full batch (aio-max-batch).  Completions are
 * processed outside such sections: requests of the coroutines they wake
 * go in batches of LAIO_REFILL_BATCH while the rest are processed (as in
 * io_uring.c).
 * Only reads and writes go through here; file-posix does everything
 * else in the thread pool.
 */

#include "qemu/osdep.h"
#include <libaio.h>
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/defer-call.h"
#include "qemu/queue.h"
#include "block/aio.h"
#include "block/raw-aio.h"

/* Requests the kernel context can hold at once (io_setup nr_events). */
#define LAIO_MAX_EVENTS   1024
/* Default batch size for io_submit() when the caller gives none. */
#define LAIO_DEFAULT_BATCH 32

typedef struct LaioRequest {
    struct iocb iocb;
    Coroutine *co;
    QEMUIOVector *qiov;
    size_t nbytes;
    bool is_read;
    int ret;
    QSIMPLEQ_ENTRY(LaioRequest) next;
} LaioRequest;

struct LinuxAioState {
    io_context_t kctx;
    EventNotifier e;
    AioContext *aio_context;
    QEMUBH *submit_bh;

    /* Requests not yet given to the kernel, in submission order. */
    QSIMPLEQ_HEAD(, LaioRequest) pending;
    unsigned int in_queue;
    unsigned int in_flight;
    /* laio_completion_cb() is reaping: refill batches apply */
    bool reaping;
    /* Largest batch wanted by a queued request (0: default). */
    uint64_t max_batch;
    /* aio_setup_linux_aio() calls not yet matched by aio_put_linux_aio() */
    unsigned int users;
    LaioStats stats;
};

/* Store the result of @req and resume its coroutine. */
static void laio_complete(LaioRequest *req, long res)
{
    int ret;

    if (res == (long)req->nbytes) {
        ret = 0;
    } else if (res < 0) {
        ret = (int)res;
    } else if (req->is_read) {
        /* A short read ends at end of file: the rest reads as zeroes. */
        qemu_iovec_memset(req->qiov, res, 0, req->nbytes - res);
        ret = 0;
    } else {
        ret = -ENOSPC;
    }
    req->ret = ret;
    if (req->co != qemu_coroutine_self()) {
        aio_co_wake(req->co);
    }
}

/*
 * Hand queued requests to the kernel, as many as fit.  -EAGAIN leaves
 * them queued for the next completion; any other error fails the first
 * queued request (the kernel refused it) and moves on.
 */
static void laio_submit_pending(LinuxAioState *s)
{
    struct iocb *iocbs[LAIO_MAX_EVENTS];
    uint64_t batch = s->max_batch ? s->max_batch : LAIO_DEFAULT_BATCH;

    while (!QSIMPLEQ_EMPTY(&s->pending)) {
        unsigned int room = LAIO_MAX_EVENTS - s->in_flight;
        unsigned int n = 0;
        LaioRequest *req;
        int ret;

        if (room == 0) {
            return;
        }
        QSIMPLEQ_FOREACH(req, &s->pending, next) {
            if (n == room || n == batch) {
                break;
            }
            iocbs[n++] = &req->iocb;
        }
        ret = io_submit(s->kctx, n, iocbs);
        s->stats.submit_calls++;
        if (ret == -EAGAIN) {
            return;
        }
        if (ret < 0) {
            req = QSIMPLEQ_FIRST(&s->pending);
            QSIMPLEQ_REMOVE_HEAD(&s->pending, next);
            s->in_queue--;
            laio_complete(req, ret);
            continue;
        }
        s->in_flight += ret;
        s->in_queue -= ret;
        s->stats.submitted += ret;
        while (ret-- > 0) {
            QSIMPLEQ_REMOVE_HEAD(&s->pending, next);
        }
    }
    s->max_batch = 0;
}

static void laio_deferred_submit(void *opaque)
{
    laio_submit_pending(opaque);
}

/* The eventfd fired: reap every completed event, then refill. */
static void laio_completion_cb(EventNotifier *e)
{
    LinuxAioState *s = container_of(e, LinuxAioState, e);
    struct io_event events[64];
    struct timespec no_wait = { 0, 0 };
    int n, i;

    event_notifier_test_and_clear(&s->e);
    s->reaping = true;
    do {
        n = io_getevents(s->kctx, 0, ARRAY_SIZE(events), events, &no_wait);
        for (i = 0; i < n; i++) {
            LaioRequest *req = container_of(events[i].obj, LaioRequest, iocb);

            s->in_flight--;
            laio_complete(req, (long)events[i].res);
        }
    } while (n == ARRAY_SIZE(events));
    s->reaping = false;
    /* The rest of the woken coroutines' requests go now. */
    if (defer_call_active()) {
        defer_call(laio_deferred_submit, s);
    } else {
        laio_submit_pending(s);
    }
}

/*
 * The batch size for a request: the context's aio-max-batch (--object
 * main-loop / iothread), else our default, lowered by the node's own
 * aio-max-batch option when that is smaller.
 */
static uint64_t laio_batch_limit(LinuxAioState *s, uint64_t dev_max_batch)
{
    uint64_t batch = s->aio_context && s->aio_context->aio_max_batch ?
                     s->aio_context->aio_max_batch : LAIO_DEFAULT_BATCH;

    if (dev_max_batch && dev_max_batch < batch) {
        batch = dev_max_batch;
    }
    return batch;
}

int coroutine_fn laio_co_submit(int fd, uint64_t offset, QEMUIOVector *qiov,
                                int type, uint64_t dev_max_batch)
{
    LinuxAioState *s = aio_get_linux_aio(qemu_get_current_aio_context());
    LaioRequest req = {
        .co = qemu_coroutine_self(),
        .qiov = qiov,
        .nbytes = qiov->size,
        .ret = -EINPROGRESS,
    };
    uint64_t batch = laio_batch_limit(s, dev_max_batch);

    assert(s && qemu_in_coroutine());
    switch (type & QEMU_AIO_TYPE_MASK) {
    case QEMU_AIO_READ:
        io_prep_preadv(&req.iocb, fd, qiov->iov, qiov->niov, offset);
        req.is_read = true;
        break;
    case QEMU_AIO_WRITE:
        io_prep_pwritev(&req.iocb, fd, qiov->iov, qiov->niov, offset);
        break;
    default:
        return -EINVAL;
    }
    io_set_eventfd(&req.iocb, event_notifier_get_fd(&s->e));

    QSIMPLEQ_INSERT_TAIL(&s->pending, &req, next);
    s->in_queue++;
    if (!s->max_batch || batch < s->max_batch) {
        s->max_batch = batch;
    }
    if (s->in_queue >= batch ||
        (!defer_call_active() &&
         s->in_queue >= (s->reaping ? LAIO_REFILL_BATCH : LAIO_EAGER_BATCH))) {
        laio_submit_pending(s);
    } else if (defer_call_active()) {
        defer_call(laio_deferred_submit, s);
    } else {
        qemu_bh_schedule(s->submit_bh);
    }
    if (req.ret == -EINPROGRESS) {
        qemu_coroutine_yield();
    }
    return req.ret;
}

void laio_get_stats(LinuxAioState *s, LaioStats *st)
{
    *st = s->stats;
}

LinuxAioState *laio_init(Error **errp)
{
    LinuxAioState *s = g_new0(LinuxAioState, 1);
    int ret;

    ret = event_notifier_init(&s->e, false);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to initialize event notifier");
        g_free(s);
        return NULL;
    }
    ret = io_setup(LAIO_MAX_EVENTS, &s->kctx);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to create linux AIO context");
        event_notifier_cleanup(&s->e);
        g_free(s);
        return NULL;
    }
    QSIMPLEQ_INIT(&s->pending);
    return s;
}

void laio_cleanup(LinuxAioState *s)
{
    assert(!s->aio_context && !s->in_flight && !s->in_queue);
    event_notifier_cleanup(&s->e);
    io_destroy(s->kctx);
    g_free(s);
}

void laio_detach_aio_context(LinuxAioState *s, AioContext *old_context)
{
    aio_set_event_notifier(old_context, &s->e, NULL, NULL, NULL);
    qemu_bh_delete(s->submit_bh);
    s->submit_bh = NULL;
    s->aio_context = NULL;
}

void laio_attach_aio_context(LinuxAioState *s, AioContext *new_context)
{
    s->aio_context = new_context;
    s->submit_bh = aio_bh_new(new_context, laio_deferred_submit, s);
    aio_set_event_notifier(new_context, &s->e, laio_completion_cb, NULL,
                           NULL);
}

/*
 * AioContext finaliser hook: free the state of a context that is going
 * away.  Its thread is gone, so nothing can dispatch the handler.
 */
static void laio_finalize_ctx(AioContext *ctx)
{
    LinuxAioState *s = ctx->linux_aio;

    if (!s) {
        return;
    }
    ctx->linux_aio = NULL;
    laio_detach_aio_context(s, ctx);
    laio_cleanup(s);
}

int aio_setup_linux_aio(AioContext *ctx, Error **errp)
{
    LinuxAioState *s = ctx->linux_aio;

    aio_context_add_finalize_hook(laio_finalize_ctx);
    if (!s) {
        s = laio_init(errp);
        if (!s) {
            return -EINVAL;
        }
        laio_attach_aio_context(s, ctx);
        ctx->linux_aio = s;
    }
    s->users++;
    return 0;
}

void aio_put_linux_aio(AioContext *ctx)
{
    LinuxAioState *s = ctx->linux_aio;

    assert(s && s->users > 0);
    if (--s->users > 0) {
        return;
    }
    if (ctx != qemu_get_current_aio_context()) {
        /*
         * Another thread's context: freeing the state from here could
         * race with that thread dispatching its handler.  It stays
         * attached and idle for later users; laio_finalize_ctx() frees
         * it with the context.
         */
        return;
    }
    ctx->linux_aio = NULL;
    laio_detach_aio_context(s, ctx);
    laio_cleanup(s);
}

LinuxAioState *aio_get_linux_aio(AioContext *ctx)
{
    return ctx->linux_aio;
}
