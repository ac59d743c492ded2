/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread-pool.c: a pool of worker threads per AioContext.
 *
 * Requests wait on a FIFO under pool->lock; idle workers sleep on a
 * condition variable and exit after ten idle seconds (down to the
 * configured minimum).  A finished request is marked done and the
 * pool's completion BH runs the callbacks in the home thread, in
 * submission order.  Only requests that have not started can be
 * cancelled; they complete with -ECANCELED.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/coroutine.h"
#include "block/thread-pool.h"

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

struct ThreadPool {
    AioContext *ctx;
    QEMUBH *completion_bh;
    QTAILQ_HEAD(, ThreadPoolElement) all;       /* submitted, not reaped */

    QemuMutex lock;
    QemuCond request_cond;
    QemuCond worker_stopped;
    QTAILQ_HEAD(, ThreadPoolElement) request_list;
    int cur_threads;
    int idle_threads;
    int min_threads;
    int max_threads;
    bool stopping;
};

static void *worker_thread(void *opaque)
{
    ThreadPool *pool = opaque;

    qemu_mutex_lock(&pool->lock);
    while (!pool->stopping && pool->cur_threads <= pool->max_threads) {
        ThreadPoolElement *req = QTAILQ_FIRST(&pool->request_list);
        int ret;

        if (!req) {
            bool woken;

            pool->idle_threads++;
            woken = qemu_cond_timedwait(&pool->request_cond, &pool->lock,
                                        WORKER_IDLE_TIMEOUT_MS);
            pool->idle_threads--;
            if (!woken && QTAILQ_EMPTY(&pool->request_list) &&
                pool->cur_threads > pool->min_threads) {
                break;
            }
            continue;
        }
        QTAILQ_REMOVE(&pool->request_list, req, reqs);
        req->state = THREAD_ACTIVE;
        qemu_mutex_unlock(&pool->lock);

        ret = req->func(req->arg);
        req->ret = ret;
        /* The completion BH reads ret after seeing DONE. */
        qatomic_store_release(&req->state, THREAD_DONE);
        qemu_bh_schedule(pool->completion_bh);

        qemu_mutex_lock(&pool->lock);
    }
    pool->cur_threads--;
    qemu_cond_signal(&pool->worker_stopped);
    qemu_mutex_unlock(&pool->lock);
    return NULL;
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

    /* Rescan after every callback: it may poll, submit or reap. */
    while ((elem = first_done(pool))) {
        QTAILQ_REMOVE(&pool->all, elem, all);
        if (elem->common.cb) {
            /* Stay scheduled in case the callback polls for others. */
            qemu_bh_schedule(pool->completion_bh);
            elem->common.cb(elem->common.opaque, elem->ret);
            qemu_bh_cancel(pool->completion_bh);
        }
        qemu_aio_unref(elem);
    }
}

static void thread_pool_cancel(BlockAIOCB *acb)
{
    ThreadPoolElement *elem = container_of(acb, ThreadPoolElement, common);
    ThreadPool *pool = elem->pool;

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

    assert(ctx);
    pool = aio_get_thread_pool(ctx);
    req = qemu_aio_get(&thread_pool_aiocb_info, NULL, cb, opaque);
    req->func = func;
    req->arg = arg;
    req->state = THREAD_QUEUED;
    req->pool = pool;
    QTAILQ_INSERT_TAIL(&pool->all, req, all);

    qemu_mutex_lock(&pool->lock);
    if (pool->idle_threads == 0 && pool->cur_threads < pool->max_threads) {
        spawn_thread_locked(pool);
    }
    QTAILQ_INSERT_TAIL(&pool->request_list, req, reqs);
    qemu_cond_signal(&pool->request_cond);
    qemu_mutex_unlock(&pool->lock);
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
    qemu_cond_broadcast(&pool->request_cond);
    while (pool->cur_threads < pool->min_threads) {
        spawn_thread_locked(pool);
    }
    qemu_mutex_unlock(&pool->lock);
}

ThreadPool *thread_pool_new(AioContext *ctx)
{
    ThreadPool *pool = g_new0(ThreadPool, 1);

    pool->ctx = ctx;
    pool->completion_bh = aio_bh_new(ctx, thread_pool_completion_bh, pool);
    QTAILQ_INIT(&pool->all);
    QTAILQ_INIT(&pool->request_list);
    qemu_mutex_init(&pool->lock);
    qemu_cond_init(&pool->request_cond);
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
    qemu_cond_broadcast(&pool->request_cond);
    while (pool->cur_threads > 0) {
        qemu_cond_wait(&pool->worker_stopped, &pool->lock);
    }
    qemu_mutex_unlock(&pool->lock);

    qemu_bh_delete(pool->completion_bh);
    qemu_cond_destroy(&pool->worker_stopped);
    qemu_cond_destroy(&pool->request_cond);
    qemu_mutex_destroy(&pool->lock);
    g_free(pool);
}
