/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio_task.h: a bounded pool of coroutine tasks.  A request that breaks
 * into independent pieces (a qcow2 write spanning several clusters, a
 * read spanning several extents) starts one task per piece; at most
 * max_busy_tasks run at once, and the caller waits for a free slot, for
 * one task or for all of them.  The pool remembers the first error.
 */

#ifndef BLOCK_AIO_TASK_H
#define BLOCK_AIO_TASK_H

#include "qemu/coroutine.h"

typedef struct AioTaskPool AioTaskPool;
typedef struct AioTask AioTask;
typedef int coroutine_fn (*AioTaskFunc)(AioTask *task);

/*
 * One piece of work.  Callers usually embed it as the first member of a
 * larger structure allocated with g_new/g_malloc: the pool g_free()s the
 * task once @func has returned.  @ret holds @func's return value.
 */
struct AioTask {
    AioTaskPool *pool;
    AioTaskFunc func;
    int ret;
};

/*
 * A pool that runs at most @max_busy_tasks tasks at the same time
 * (@max_busy_tasks >= 1).  The pool belongs to the coroutine that
 * creates it: only that coroutine may start tasks and wait on the pool,
 * and all tasks run in its AioContext.
 */
AioTaskPool *coroutine_fn aio_task_pool_new(int max_busy_tasks);

/* Free a pool; no task may be running (call aio_task_pool_wait_all). */
void aio_task_pool_free(AioTaskPool *pool);

/* 0 while every finished task succeeded, else the first task's error. */
int aio_task_pool_status(AioTaskPool *pool);

/* True when no task is running. */
bool aio_task_pool_empty(AioTaskPool *pool);

/*
 * Wait for a free slot, then start @task (its coroutine is entered once
 * the caller yields).  @task->func must be set; the pool frees @task
 * when it is done.
 */
void coroutine_fn aio_task_pool_start_task(AioTaskPool *pool, AioTask *task);

/* Yield until fewer than max_busy_tasks tasks are running. */
void coroutine_fn aio_task_pool_wait_slot(AioTaskPool *pool);

/* Yield until one more task finishes (at least one must be running). */
void coroutine_fn aio_task_pool_wait_one(AioTaskPool *pool);

/* Yield until every started task has finished. */
void coroutine_fn aio_task_pool_wait_all(AioTaskPool *pool);

#endif
