/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io_uring.c: the aio=io_uring engine of file-posix, on liburing.
 *
 * One LuringState per AioContext: a ring whose file descriptor is
 * registered in the AioContext (it polls readable while completions are
 * waiting), plus a queue of requests that did not find a free submission
 * entry.  Prepared entries go to the kernel in small batches: as soon as
 * LURING_EAGER_BATCH are waiting, else from a bottom half at the end of
 * the event loop iteration.  Small batches start the device early (a
 * batch of 32 sequential reads handed over at once came out 20-30% slower
 * than immediate submission on the dev VM) yet share the cost of each
 * io_uring_enter, which for O_DIRECT writes includes the device kick (4k
 * random writes took twice the CPU time when submitted one by one).
 * Inside a defer_call section (qemu/defer-call.h) the caller promises
 * more requests: everything is held until the section ends and goes in
 * one io_uring_enter.  Completions are not processed in such a section:
 * requests issued by the coroutines they wake go out in batches of
 * LURING_REFILL_BATCH while the rest of the completions are still being
 * processed, the remainder right after (see luring_completion_cb()).
 * Short reads are resubmitted for the remainder; a read that hits end
 * of file completes with zeroes.
 */

#include "qemu/osdep.h"
#include <liburing.h>
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/defer-call.h"
#include "qemu/queue.h"
#include "block/aio.h"
#include "block/raw-aio.h"
#include "trace/trace-block.h"

#define LURING_ENTRIES 128

typedef struct LuringRequest {
    Coroutine *co;
    int fd;
    int type;
    uint64_t offset;
    QEMUIOVector *qiov;
    /*
     * Bytes of a read already done, and the iovec for the rest (set up
     * by the first short read only: most requests never need it).
     */
    size_t done;
    QEMUIOVector rest;
    bool has_rest;
    int ret;
    QSIMPLEQ_ENTRY(LuringRequest) next;
} LuringRequest;

struct LuringState {
    struct io_uring ring;
    AioContext *aio_context;
    QEMUBH *submit_bh;
    /* Requests waiting for a submission queue entry. */
    QSIMPLEQ_HEAD(, LuringRequest) overflow;
    unsigned int unsubmitted;
    /* luring_completion_cb() is reaping: refill batches apply */
    bool reaping;
    /* The kernel has IORING_OP_READ/WRITE (no iovec for one buffer). */
    bool has_rw_ops;
    /* aio_setup_linux_io_uring() calls not yet matched by a put */
    unsigned int users;
    LuringStats stats;
};

/* Fill one SQE for @req (from req->done on); false if the ring is full. */
static bool luring_prep(LuringState *s, LuringRequest *req)
{
    struct io_uring_sqe *sqe = io_uring_get_sqe(&s->ring);
    QEMUIOVector *q = req->qiov;

    if (!sqe) {
        return false;
    }
    if (req->done) {
        if (!req->has_rest) {
            qemu_iovec_init(&req->rest, req->qiov->niov);
            req->has_rest = true;
        }
        qemu_iovec_reset(&req->rest);
        qemu_iovec_concat(&req->rest, req->qiov, req->done,
                          req->qiov->size - req->done);
        q = &req->rest;
    }
    switch (req->type) {
    case QEMU_AIO_READ:
        if (q->niov == 1 && s->has_rw_ops) {
            io_uring_prep_read(sqe, req->fd, q->iov[0].iov_base,
                               q->iov[0].iov_len, req->offset + req->done);
        } else {
            io_uring_prep_readv(sqe, req->fd, q->iov, q->niov,
                                req->offset + req->done);
        }
        break;
    case QEMU_AIO_WRITE:
        if (q->niov == 1 && s->has_rw_ops) {
            io_uring_prep_write(sqe, req->fd, q->iov[0].iov_base,
                                q->iov[0].iov_len, req->offset);
        } else {
            io_uring_prep_writev(sqe, req->fd, q->iov, q->niov,
                                 req->offset);
        }
        break;
    case QEMU_AIO_FLUSH:
        io_uring_prep_fsync(sqe, req->fd, IORING_FSYNC_DATASYNC);
        break;
    default:
        g_assert_not_reached();
    }
    io_uring_sqe_set_data(sqe, req);
    s->unsubmitted++;
    return true;
}

/* Submit prepared entries and move overflowed requests into the ring. */
static void luring_flush(LuringState *s)
{
    LuringRequest *req;
    int ret;

    do {
        while ((req = QSIMPLEQ_FIRST(&s->overflow)) && luring_prep(s, req)) {
            QSIMPLEQ_REMOVE_HEAD(&s->overflow, next);
        }
        if (!s->unsubmitted) {
            return;
        }
        ret = io_uring_submit(&s->ring);
        s->stats.submit_calls++;
        trace_luring_io_uring_submit(s, ret);
        if (ret < 0 && ret != -EAGAIN && ret != -EBUSY && ret != -EINTR) {
            /* Nothing sensible to do but retry from the next event. */
            return;
        }
        if (ret > 0) {
            s->unsubmitted -= MIN((unsigned int)ret, s->unsubmitted);
            s->stats.submitted += ret;
        }
    } while (ret > 0 && !QSIMPLEQ_EMPTY(&s->overflow));
}

static void luring_deferred_flush(void *opaque)
{
    luring_flush(opaque);
}

static void luring_queue(LuringState *s, LuringRequest *req)
{
    if (!QSIMPLEQ_EMPTY(&s->overflow) || !luring_prep(s, req)) {
        QSIMPLEQ_INSERT_TAIL(&s->overflow, req, next);
    }
    if (defer_call_active()) {
        defer_call(luring_deferred_flush, s);
    } else if (s->unsubmitted >= (s->reaping ? LURING_REFILL_BATCH :
                                               LURING_EAGER_BATCH)) {
        luring_flush(s);
    } else {
        qemu_bh_schedule(s->submit_bh);
    }
}

static void luring_finish(LuringRequest *req, int ret)
{
    req->ret = ret;
    if (req->co != qemu_coroutine_self()) {
        aio_co_wake(req->co);
    }
}

/* One completion: finish @req, or queue it again for what is left. */
static void luring_complete(LuringState *s, LuringRequest *req, int res)
{
    size_t want = req->type == QEMU_AIO_FLUSH ? 0 : req->qiov->size;

    trace_luring_process_completion(s, req, res);
    if (res == -EINTR || res == -EAGAIN) {
        luring_queue(s, req);
        return;
    }
    if (res < 0) {
        luring_finish(req, res);
        return;
    }
    if (req->type == QEMU_AIO_READ) {
        req->done += res;
        if (req->done < want) {
            if (res > 0) {
                trace_luring_resubmit_short_read(s, req, res);
                luring_queue(s, req);
                return;
            }
            qemu_iovec_memset(req->qiov, req->done, 0, want - req->done);
        }
        luring_finish(req, 0);
        return;
    }
    luring_finish(req, (size_t)res == want ? 0 : -ENOSPC);
}

/*
 * Reap every completion.  The coroutines woken here may issue new
 * requests at once (qemu-img bench, a guest's queue).  Holding them all
 * for one io_uring_enter at the end of the burst left the device idle
 * while the burst was processed; batches of 4 lost the merging of
 * sequential requests.  Batches of LURING_REFILL_BATCH did better than
 * both on qemu-img bench -d 32 with 4k requests, sequential and strided,
 * reads and writes (medians of alternating runs, 10-20%).
 */
static void luring_completion_cb(void *opaque)
{
    LuringState *s = opaque;
    struct io_uring_cqe *cqe;

    s->reaping = true;
    while (io_uring_peek_cqe(&s->ring, &cqe) == 0) {
        LuringRequest *req = io_uring_cqe_get_data(cqe);
        int res = cqe->res;

        io_uring_cqe_seen(&s->ring, cqe);
        s->stats.completed++;
        luring_complete(s, req, res);
    }
    s->reaping = false;
    /*
     * The rest of a batch goes now rather than from the bottom half, and
     * requests that waited for a free entry get one.
     */
    if (defer_call_active()) {
        defer_call(luring_deferred_flush, s);
    } else {
        luring_flush(s);
    }
}

/* Busy polling: completions are visible in the CQ ring without a syscall. */
static bool luring_poll_cb(void *opaque)
{
    LuringState *s = opaque;

    return io_uring_cq_ready(&s->ring) > 0;
}

void luring_get_stats(LuringState *s, LuringStats *st)
{
    *st = s->stats;
}

int coroutine_fn luring_co_submit(int fd, uint64_t offset,
                                  QEMUIOVector *qiov, int type)
{
    LuringState *s = aio_get_linux_io_uring(qemu_get_current_aio_context());
    LuringRequest req = {
        .co = qemu_coroutine_self(),
        .fd = fd,
        .type = type & QEMU_AIO_TYPE_MASK,
        .offset = offset,
        .qiov = qiov,
        .ret = -EINPROGRESS,
    };

    assert(s && qemu_in_coroutine());
    if (req.type != QEMU_AIO_READ && req.type != QEMU_AIO_WRITE &&
        req.type != QEMU_AIO_FLUSH) {
        return -EINVAL;
    }
    trace_luring_co_submit(NULL, s, &req, fd, offset, qiov ? qiov->size : 0,
                           type);
    luring_queue(s, &req);
    while (req.ret == -EINPROGRESS) {
        qemu_coroutine_yield();
    }
    if (req.has_rest) {
        qemu_iovec_destroy(&req.rest);
    }
    return req.ret;
}

/*
 * Single-buffer requests use IORING_OP_READ/WRITE where the kernel has
 * them (5.6 and later): the kernel then has no iovec to import or, for
 * a request it runs in a worker, to copy.
 */
static bool luring_has_rw_ops(struct io_uring *ring)
{
    struct io_uring_probe *probe = io_uring_get_probe_ring(ring);
    bool ok;

    if (!probe) {
        return false;
    }
    ok = io_uring_opcode_supported(probe, IORING_OP_READ) &&
         io_uring_opcode_supported(probe, IORING_OP_WRITE);
    io_uring_free_probe(probe);
    return ok;
}

LuringState *luring_init(Error **errp)
{
    LuringState *s = g_new0(LuringState, 1);
    int ret = io_uring_queue_init(LURING_ENTRIES, &s->ring, 0);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "failed to init linux io_uring ring");
        g_free(s);
        return NULL;
    }
    QSIMPLEQ_INIT(&s->overflow);
    s->has_rw_ops = luring_has_rw_ops(&s->ring);
    trace_luring_init_state(s, sizeof(*s));
    return s;
}

void luring_cleanup(LuringState *s)
{
    assert(!s->aio_context && QSIMPLEQ_EMPTY(&s->overflow));
    io_uring_queue_exit(&s->ring);
    g_free(s);
    trace_luring_cleanup_state(s);
}

void luring_detach_aio_context(LuringState *s, AioContext *old_context)
{
    aio_set_fd_handler(old_context, s->ring.ring_fd, NULL, NULL, NULL, NULL,
                       NULL);
    qemu_bh_delete(s->submit_bh);
    s->submit_bh = NULL;
    s->aio_context = NULL;
}

void luring_attach_aio_context(LuringState *s, AioContext *new_context)
{
    s->aio_context = new_context;
    s->submit_bh = aio_bh_new(new_context, luring_deferred_flush, s);
    aio_set_fd_handler(new_context, s->ring.ring_fd, luring_completion_cb,
                       NULL, luring_poll_cb, luring_completion_cb, s);
}

/*
 * AioContext finaliser hook: free the ring of a context that is going
 * away.  Its thread is gone, so nothing can dispatch the handler.
 */
static void luring_finalize_ctx(AioContext *ctx)
{
    LuringState *s = ctx->linux_io_uring;

    if (!s) {
        return;
    }
    ctx->linux_io_uring = NULL;
    luring_detach_aio_context(s, ctx);
    luring_cleanup(s);
}

int aio_setup_linux_io_uring(AioContext *ctx, Error **errp)
{
    LuringState *s = ctx->linux_io_uring;

    aio_context_add_finalize_hook(luring_finalize_ctx);
    if (!s) {
        s = luring_init(errp);
        if (!s) {
            return -EINVAL;
        }
        luring_attach_aio_context(s, ctx);
        ctx->linux_io_uring = s;
    }
    s->users++;
    return 0;
}

void aio_put_linux_io_uring(AioContext *ctx)
{
    LuringState *s = ctx->linux_io_uring;

    assert(s && s->users > 0);
    if (--s->users > 0) {
        return;
    }
    if (ctx != qemu_get_current_aio_context()) {
        /*
         * Another thread's context: freeing the ring from here could
         * race with that thread dispatching its handler.  It stays
         * attached and idle for later users; luring_finalize_ctx() frees
         * it with the context.
         */
        return;
    }
    ctx->linux_io_uring = NULL;
    luring_detach_aio_context(s, ctx);
    luring_cleanup(s);
}

LuringState *aio_get_linux_io_uring(AioContext *ctx)
{
    return ctx->linux_io_uring;
}
