/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio_task.c: the bounded coroutine task pool of block/aio_task.h.  Each
 * started task runs in a coroutine of its own; when it ends it records
 * its error, releases its slot and, if the owner is waiting, wakes it.
 * Everything happens in one AioContext, so no atomics are needed.
 */

#include "qemu/osdep.h"
#include "block/aio.h"
#include "block/aio_task.h"

struct AioTaskPool {
    Coroutine *owner;       /* the coroutine that starts and waits */
    int max_busy_tasks;
    int busy_tasks;
    int status;             /* first error of a finished task */
    bool owner_waiting;     /* owner yielded in aio_task_pool_wait_one */
};

static void coroutine_fn aio_task_co(void *opaque)
{
    AioTask *task = opaque;
    AioTaskPool *pool = task->pool;

    task->ret = task->func(task);
    if (task->ret < 0 && pool->status == 0) {
        pool->status = task->ret;
    }
    g_free(task);

    assert(pool->busy_tasks > 0);
    pool->busy_tasks--;
    if (pool->owner_waiting) {
        pool->owner_waiting = false;
        aio_co_wake(pool->owner);
    }
}

AioTaskPool *coroutine_fn aio_task_pool_new(int max_busy_tasks)
{
    AioTaskPool *pool = g_new0(AioTaskPool, 1);

    assert(max_busy_tasks > 0);
    pool->owner = qemu_coroutine_self();
    pool->max_busy_tasks = max_busy_tasks;
    return pool;
}

void aio_task_pool_free(AioTaskPool *pool)
{
    if (pool) {
        assert(pool->busy_tasks == 0);
        g_free(pool);
    }
}

int aio_task_pool_status(AioTaskPool *pool)
{
    return pool ? pool->status : 0;
}

bool aio_task_pool_empty(AioTaskPool *pool)
{
    return !pool || pool->busy_tasks == 0;
}

void coroutine_fn aio_task_pool_wait_one(AioTaskPool *pool)
{
    assert(pool->busy_tasks > 0);
    assert(qemu_coroutine_self() == pool->owner);

    pool->owner_waiting = true;
    qemu_coroutine_yield();
    assert(!pool->owner_waiting);
}

void coroutine_fn aio_task_pool_wait_slot(AioTaskPool *pool)
{
    while (pool->busy_tasks >= pool->max_busy_tasks) {
        aio_task_pool_wait_one(pool);
    }
}

void coroutine_fn aio_task_pool_wait_all(AioTaskPool *pool)
{
    while (pool->busy_tasks > 0) {
        aio_task_pool_wait_one(pool);
    }
}

void coroutine_fn aio_task_pool_start_task(AioTaskPool *pool, AioTask *task)
{
    assert(task->func);
    aio_task_pool_wait_slot(pool);

    task->pool = pool;
    task->ret = 0;
    pool->busy_tasks++;
    aio_co_enter(qemu_get_current_aio_context(),
                 qemu_coroutine_create(aio_task_co, task));
}
