/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iothread.c: IOThread, a named host thread running aio_poll() on its own
 * AioContext until asked to stop.  IOThreads are kept on one list so that
 * they can be found by id.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/rcu.h"
#include "qemu/main-loop.h"
#include "sysemu/iothread.h"

static QTAILQ_HEAD(, IOThread) iothreads =
    QTAILQ_HEAD_INITIALIZER(iothreads);

static void *iothread_run(void *opaque)
{
    IOThread *iothread = opaque;

    rcu_register_thread();
    qemu_set_current_aio_context(iothread->ctx);
    iothread->thread_id = qemu_get_thread_id();
    qemu_sem_post(&iothread->init_done_sem);

    while (!qatomic_read(&iothread->stopping)) {
        aio_poll(iothread->ctx, true);
    }

    qemu_set_current_aio_context(NULL);
    rcu_unregister_thread();
    return NULL;
}

IOThread *iothread_by_id(const char *id)
{
    IOThread *iothread;

    QTAILQ_FOREACH(iothread, &iothreads, next) {
        if (!strcmp(iothread->id, id)) {
            return iothread;
        }
    }
    return NULL;
}

IOThread *iothread_create(const char *id, Error **errp)
{
    IOThread *iothread;
    char *thread_name;

    if (iothread_by_id(id)) {
        error_setg(errp, "Duplicate ID '%s' for IOThread", id);
        return NULL;
    }
    iothread = g_new0(IOThread, 1);
    iothread->ctx = aio_context_new(errp);
    if (!iothread->ctx) {
        g_free(iothread);
        return NULL;
    }
    iothread->id = g_strdup(id);
    qemu_sem_init(&iothread->init_done_sem, 0);

    thread_name = g_strdup_printf("IO %s", id);
    qemu_thread_create(&iothread->thread, thread_name, iothread_run,
                       iothread, QEMU_THREAD_JOINABLE);
    g_free(thread_name);
    iothread->running = true;

    /* Once this returns the thread has its context and thread id. */
    qemu_sem_wait(&iothread->init_done_sem);
    QTAILQ_INSERT_TAIL(&iothreads, iothread, next);
    return iothread;
}

AioContext *iothread_get_aio_context(IOThread *iothread)
{
    return iothread->ctx;
}

char *iothread_get_id(IOThread *iothread)
{
    return g_strdup(iothread->id);
}

static void iothread_stop_bh(void *opaque)
{
    IOThread *iothread = opaque;

    /* aio_poll() returns after this BH; the loop then sees the flag. */
    qatomic_set(&iothread->stopping, true);
}

void iothread_stop(IOThread *iothread)
{
    if (!iothread->running) {
        return;
    }
    assert(!qemu_thread_is_self(&iothread->thread));
    aio_bh_schedule_oneshot(iothread->ctx, iothread_stop_bh, iothread);
    qemu_thread_join(&iothread->thread);
    iothread->running = false;
}

void iothread_join(IOThread *iothread)
{
    iothread_stop(iothread);
}

void iothread_destroy(IOThread *iothread)
{
    iothread_stop(iothread);
    QTAILQ_REMOVE(&iothreads, iothread, next);

    /* Run what the thread left behind (e.g. completion BHs) here. */
    while (aio_poll(iothread->ctx, false)) {
        /* drain */
    }
    aio_context_unref(iothread->ctx);
    qemu_sem_destroy(&iothread->init_done_sem);
    g_free(iothread->id);
    g_free(iothread);
}

void iothread_stop_all(void)
{
    IOThread *iothread;

    QTAILQ_FOREACH(iothread, &iothreads, next) {
        iothread_stop(iothread);
    }
}
