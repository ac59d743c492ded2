/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread-pool.h: run blocking functions in worker threads and collect
 * their results in an AioContext.
 *
 * Each AioContext has its own pool (aio_get_thread_pool()).  Work is
 * submitted from the context's home thread; completion callbacks run
 * there too, from a bottom half.
 */
#ifndef QEMU_THREAD_POOL_H
#define QEMU_THREAD_POOL_H

#include "block/aio.h"

/* Work run in a worker thread; its return value is the request result. */
typedef int ThreadPoolFunc(void *opaque);

typedef struct ThreadPool ThreadPool;

/* Create the pool of @ctx (aio_get_thread_pool() does this on demand). */
ThreadPool *thread_pool_new(AioContext *ctx);
/* Stop the workers and free @pool; no request may be pending. */
void thread_pool_free(ThreadPool *pool);

/*
 * Run @func(@arg) in a worker of the current AioContext's pool, then
 * @cb(@opaque, ret) in that context.  Returns an AIOCB that may be
 * cancelled with its aiocb_info->cancel_async(): a request that has not
 * started yet completes with -ECANCELED instead of running.
 */
BlockAIOCB *thread_pool_submit_aio(ThreadPoolFunc *func, void *arg,
                                   BlockCompletionFunc *cb, void *opaque);

/*
 * Run @func(@arg) in a worker of the current AioContext's pool and yield
 * until it is done; returns its result.  Coroutine context only.
 */
int coroutine_fn thread_pool_submit_co(ThreadPoolFunc *func, void *arg);

/* Fire and forget: run @func(@arg) in a worker, ignore the result. */
void thread_pool_submit(ThreadPoolFunc *func, void *arg);

/* Re-read min/max worker counts from @ctx (aio_context_set_...). */
void thread_pool_update_params(ThreadPool *pool, AioContext *ctx);

/* A snapshot of a pool's counters (for tests and benchmarks). */
typedef struct ThreadPoolStats {
    int cur_threads;            /* workers alive */
    int idle_threads;           /* workers sleeping for want of work */
    uint64_t wakeups;           /* idle workers woken by a submission */
    /* submissions left to a worker returning from another request */
    uint64_t handoffs;
} ThreadPoolStats;

/* Fill @st from @pool; any thread. */
void thread_pool_get_stats(ThreadPool *pool, ThreadPoolStats *st);

#endif /* QEMU_THREAD_POOL_H */
