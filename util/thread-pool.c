/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread-pool.c: a pool of worker threads per AioContext.
 *
 * Requests wait on a FIFO under pool->lock.  Idle workers sit on a
 * LIFO stack, each sleeping on its own condition variable: a submission
 * pops one worker and wakes exactly that one, after dropping the lock,
 * so no request wakes a worker that is already awake and a woken worker
 * never blocks at once on the submitter's lock.  A worker drains the
 * FIFO before it goes idle again, and exits after ten idle seconds (down
 * to the configured minimum).  A worker that has just finished a request
 * is "returning": it will look at the FIFO before it sleeps, so a
 * submission that finds one leaves the request to it instead of waking
 * anybody (the completion's callback usually submits the next request
 * while the worker that ran the last one is still on its way back).
 * A finished request is marked done and the
 * pool's completion BH runs the callbacks in the home thread, in
 * submission order.  Only requests that have not started can be
 * cancelled; they complete with -ECANCELED.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/coroutine.h"
#include "qemu/defer-call.h"
#include "block/thread-pool.h"
#include "trace/trace-util.h"

enum {
    THREAD_QUEUED,
    THREAD_ACTIVE,
    THREAD_DONE,
};

#define WORKER_IDLE_TIMEOUT_MS 10000

typedef struct ThreadPoolElement {
    BlockAIOCB common;
    ThreadPool *pool;
    ThreadPoolFunc *func;
    void *arg;
    int state;                                  /* pool->lock; DONE: any */
    int ret;
    QTAILQ_ENTRY(ThreadPoolElement) reqs;       /* pool->request_list */
    QTAILQ_ENTRY(ThreadPoolElement) all;        /* home thread only */
} ThreadPoolElement;

/* One worker's wake-up slot; lives on its thread's stack. */
typedef struct ThreadPoolWorker {
    QemuCond wake;
    bool idle;                                  /* on pool->idle; lock */
    QSLIST_ENTRY(ThreadPoolWorker) next;
} ThreadPoolWorker;

struct ThreadPool {
    AioContext *ctx;
    QEMUBH *completion_bh;
    QTAILQ_HEAD(, ThreadPoolElement) all;       /* submitted, not reaped */

    QemuMutex lock;
    QemuCond worker_stopped;
    QTAILQ_HEAD(, ThreadPoolElement) request_list;
    /* Sleeping workers, most recently idle first. */
    QSLIST_HEAD(, ThreadPoolWorker) idle;
    int cur_threads;
    int idle_threads;
    int min_threads;
    int max_threads;
    bool stopping;
    /*
     * Workers that finished a request and have not yet re-taken
     * pool->lock, less the submissions already left to them.  Raised
     * without the lock (atomically), lowered only under it.
     */
    int returning;
    /* For tests (thread_pool_get_stats()). */
    uint64_t wakeups;
    uint64_t handoffs;
};

/* Take @w off the idle stack.  Called with pool->lock held. */
static void worker_unidle_locked(ThreadPool *pool, ThreadPoolWorker *w)
{
    QSLIST_REMOVE(&pool->idle, w, ThreadPoolWorker, next);
    w->idle = false;
    pool->idle_threads--;
}

/*
 * Sleep until a submitter hands us work or the idle timeout expires.
 * Called with pool->lock held; false means "exit now".
 */
static bool worker_wait_locked(ThreadPool *pool, ThreadPoolWorker *w)
    TSA_REQUIRES(&pool->lock)
{
    w->idle = true;
    pool->idle_threads++;
    QSLIST_INSERT_HEAD(&pool->idle, w, next);
    while (w->idle && !pool->stopping) {
        if (!qemu_cond_timedwait(&w->wake, &pool->lock,
                                 WORKER_IDLE_TIMEOUT_MS) &&
            w->idle && pool->cur_threads > pool->min_threads) {
            worker_unidle_locked(pool, w);
            return false;
        }
    }
    if (w->idle) {
        worker_unidle_locked(pool, w);
    }
    return true;
}

/*
 * A returning worker is back under pool->lock: withdraw its offer to
 * take a submission, unless a submitter has used it already (then the
 * FIFO holds that request, which the caller's loop takes next).  The
 * count may belong to another returning worker: it does not matter
 * which, as each one looks at the FIFO right after this.
 */
static void worker_returned_locked(ThreadPool *pool)
    TSA_REQUIRES(&pool->lock)
{
    if (qatomic_read(&pool->returning) > 0) {
        qatomic_dec(&pool->returning);
    }
}

/*
 * A worker leaves (fewer workers wanted) while requests wait: some may
 * have been left to it as it returned.  Wake a sleeping worker for
 * them; if none sleeps, the others are busy and drain the FIFO before
 * they sleep.  Called with pool->lock held.
 */
static void worker_pass_on_locked(ThreadPool *pool)
    TSA_REQUIRES(&pool->lock)
{
    ThreadPoolWorker *w = QSLIST_FIRST(&pool->idle);

    if (w && !QTAILQ_EMPTY(&pool->request_list)) {
        worker_unidle_locked(pool, w);
        pool->wakeups++;
        qemu_cond_signal(&w->wake);
    }
}

static void *worker_thread(void *opaque)
{
    ThreadPool *pool = opaque;
    ThreadPoolWorker w = { .idle = false };

    qemu_cond_init(&w.wake);
    qemu_mutex_lock(&pool->lock);
    while (!pool->stopping && pool->cur_threads <= pool->max_threads) {
        ThreadPoolElement *req = QTAILQ_FIRST(&pool->request_list);
        int ret;

        if (!req) {
            if (!worker_wait_locked(pool, &w)) {
                break;
            }
            continue;
        }
        QTAILQ_REMOVE(&pool->request_list, req, reqs);
        req->state = THREAD_ACTIVE;
        qemu_mutex_unlock(&pool->lock);

        ret = req->func(req->arg);
        req->ret = ret;
        /*
         * Count ourselves returning before the completion is visible:
         * whatever its callback submits may then be left to us.
         */
        qatomic_inc(&pool->returning);
        /* The completion BH reads ret after seeing DONE. */
        qatomic_store_release(&req->state, THREAD_DONE);
        qemu_bh_schedule(pool->completion_bh);

        qemu_mutex_lock(&pool->lock);
        worker_returned_locked(pool);
    }
    pool->cur_threads--;
    worker_pass_on_locked(pool);
    qemu_cond_signal(&pool->worker_stopped);
    qemu_mutex_unlock(&pool->lock);
    qemu_cond_destroy(&w.wake);
    return NULL;
}

/*
 * Wake every idle worker (parameters changed or the pool stops).
 * Called with pool->lock held.
 */
static void wake_all_idle_locked(ThreadPool *pool)
{
    ThreadPoolWorker *w;

    while ((w = QSLIST_FIRST(&pool->idle))) {
        worker_unidle_locked(pool, w);
        qemu_cond_signal(&w->wake);
    }
}

/* Called with pool->lock held. */
static void spawn_thread_locked(ThreadPool *pool)
{
    QemuThread thread;

    pool->cur_threads++;
    qemu_thread_create(&thread, "worker", worker_thread, pool,
                       QEMU_THREAD_DETACHED);
}

/* The oldest finished request, or NULL. */
static ThreadPoolElement *first_done(ThreadPool *pool)
{
    ThreadPoolElement *elem;

    QTAILQ_FOREACH(elem, &pool->all, all) {
        if (qatomic_load_acquire(&elem->state) == THREAD_DONE) {
            return elem;
        }
    }
    return NULL;
}

static void thread_pool_completion_bh(void *opaque)
{
    ThreadPool *pool = opaque;
    ThreadPoolElement *elem;

    /*
     * Rescan after every callback: it may poll, submit or reap.  The
     * requests that the callbacks issue go out together at the end.
     */
    defer_call_begin();
    while ((elem = first_done(pool))) {
        QTAILQ_REMOVE(&pool->all, elem, all);
        trace_thread_pool_complete(pool, elem, elem->common.opaque, elem->ret);
        if (elem->common.cb) {
            /* Stay scheduled in case the callback polls for others. */
            qemu_bh_schedule(pool->completion_bh);
            elem->common.cb(elem->common.opaque, elem->ret);
            qemu_bh_cancel(pool->completion_bh);
        }
        qemu_aio_unref(elem);
    }
    defer_call_end();
}

static void thread_pool_cancel(BlockAIOCB *acb)
{
    ThreadPoolElement *elem = container_of(acb, ThreadPoolElement, common);
    ThreadPool *pool = elem->pool;

    trace_thread_pool_cancel(elem, elem->common.opaque);
    qemu_mutex_lock(&pool->lock);
    if (elem->state == THREAD_QUEUED) {
        QTAILQ_REMOVE(&pool->request_list, elem, reqs);
        elem->ret = -ECANCELED;
        qatomic_store_release(&elem->state, THREAD_DONE);
        qemu_bh_schedule(pool->completion_bh);
    }
    qemu_mutex_unlock(&pool->lock);
}

static AioContext *thread_pool_get_aio_context(BlockAIOCB *acb)
{
    ThreadPoolElement *elem = container_of(acb, ThreadPoolElement, common);

    return elem->pool->ctx;
}

static const AIOCBInfo thread_pool_aiocb_info = {
    .aiocb_size = sizeof(ThreadPoolElement),
    .cancel_async = thread_pool_cancel,
    .get_aio_context = thread_pool_get_aio_context,
};

BlockAIOCB *thread_pool_submit_aio(ThreadPoolFunc *func, void *arg,
                                   BlockCompletionFunc *cb, void *opaque)
{
    AioContext *ctx = qemu_get_current_aio_context();
    ThreadPool *pool;
    ThreadPoolElement *req;
    ThreadPoolWorker *idle;

    assert(ctx);
    pool = aio_get_thread_pool(ctx);
    req = qemu_aio_get(&thread_pool_aiocb_info, NULL, cb, opaque);
    req->func = func;
    req->arg = arg;
    req->state = THREAD_QUEUED;
    req->pool = pool;
    QTAILQ_INSERT_TAIL(&pool->all, req, all);

    trace_thread_pool_submit(pool, req, opaque);
    qemu_mutex_lock(&pool->lock);
    QTAILQ_INSERT_TAIL(&pool->request_list, req, reqs);
    idle = QSLIST_FIRST(&pool->idle);
    if (qatomic_read(&pool->returning) > 0) {
        /* A worker on its way back takes it: nobody to wake. */
        qatomic_dec(&pool->returning);
        pool->handoffs++;
        idle = NULL;
    } else if (idle) {
        worker_unidle_locked(pool, idle);
        pool->wakeups++;
    } else if (pool->cur_threads < pool->max_threads) {
        spawn_thread_locked(pool);
    }
    qemu_mutex_unlock(&pool->lock);
    /*
     * Signalled outside the lock: the worker re-checks its idle flag
     * under the lock, so the wake-up cannot be lost, and it does not
     * have to wait for us to unlock as soon as it runs.
     */
    if (idle) {
        qemu_cond_signal(&idle->wake);
    }
    return &req->common;
}

typedef struct {
    Coroutine *co;
    int ret;
} ThreadPoolCo;

static void thread_pool_co_cb(void *opaque, int ret)
{
    ThreadPoolCo *co = opaque;

    co->ret = ret;
    aio_co_wake(co->co);
}

int coroutine_fn thread_pool_submit_co(ThreadPoolFunc *func, void *arg)
{
    ThreadPoolCo tpc = { .co = qemu_coroutine_self(), .ret = -EINPROGRESS };

    assert(qemu_in_coroutine());
    thread_pool_submit_aio(func, arg, thread_pool_co_cb, &tpc);
    qemu_coroutine_yield();
    return tpc.ret;
}

void thread_pool_submit(ThreadPoolFunc *func, void *arg)
{
    thread_pool_submit_aio(func, arg, NULL, NULL);
}

void thread_pool_update_params(ThreadPool *pool, AioContext *ctx)
{
    qemu_mutex_lock(&pool->lock);
    pool->min_threads = ctx->thread_pool_min;
    pool->max_threads = ctx->thread_pool_max;
    /* Surplus workers notice cur_threads > max_threads and leave. */
    wake_all_idle_locked(pool);
    while (pool->cur_threads < pool->min_threads) {
        spawn_thread_locked(pool);
    }
    qemu_mutex_unlock(&pool->lock);
}

void thread_pool_get_stats(ThreadPool *pool, ThreadPoolStats *st)
{
    qemu_mutex_lock(&pool->lock);
    st->cur_threads = pool->cur_threads;
    st->idle_threads = pool->idle_threads;
    st->wakeups = pool->wakeups;
    st->handoffs = pool->handoffs;
    qemu_mutex_unlock(&pool->lock);
}

ThreadPool *thread_pool_new(AioContext *ctx)
{
    ThreadPool *pool = g_new0(ThreadPool, 1);

    pool->ctx = ctx;
    pool->completion_bh = aio_bh_new(ctx, thread_pool_completion_bh, pool);
    QTAILQ_INIT(&pool->all);
    QTAILQ_INIT(&pool->request_list);
    QSLIST_INIT(&pool->idle);
    qemu_mutex_init(&pool->lock);
    qemu_cond_init(&pool->worker_stopped);
    thread_pool_update_params(pool, ctx);
    return pool;
}

void thread_pool_free(ThreadPool *pool)
{
    if (!pool) {
        return;
    }
    assert(QTAILQ_EMPTY(&pool->all));

    qemu_mutex_lock(&pool->lock);
    pool->stopping = true;
    wake_all_idle_locked(pool);
    while (pool->cur_threads > 0) {
        qemu_cond_wait(&pool->worker_stopped, &pool->lock);
    }
    qemu_mutex_unlock(&pool->lock);

    qemu_bh_delete(pool->completion_bh);
    qemu_cond_destroy(&pool->worker_stopped);
    qemu_mutex_destroy(&pool->lock);
    g_free(pool);
}
