/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iothread.h: IOThread, a host thread that runs one AioContext's event
 * loop, so that I/O of the nodes attached to it is handled outside the
 * main loop.
 */
#ifndef SYSEMU_IOTHREAD_H
#define SYSEMU_IOTHREAD_H

#include "block/aio.h"
#include "qemu/thread.h"

struct IOThread {
    char *id;
    QemuThread thread;
    AioContext *ctx;
    QemuSemaphore init_done_sem;    /* posted once the thread runs */
    bool stopping;                  /* set in the thread by the stop BH */
    bool running;                   /* thread started and not yet joined */
    int thread_id;                  /* host thread id */
    QTAILQ_ENTRY(IOThread) next;
};

/*
 * Start a new IOThread called @id (must be unique among IOThreads).
 * Returns NULL and sets @errp if @id is in use or the context cannot be
 * created.  Main thread only.
 */
IOThread *iothread_create(const char *id, Error **errp);

/* The context the thread runs. */
AioContext *iothread_get_aio_context(IOThread *iothread);

/* The IOThread with id @id, or NULL. */
IOThread *iothread_by_id(const char *id);
/* A copy of the id; g_free() it. */
char *iothread_get_id(IOThread *iothread);

/*
 * Ask the thread to leave its loop after the current iteration and wait
 * for it to exit.  Idempotent.  Not from the IOThread itself.
 */
void iothread_stop(IOThread *iothread);
/* Same as iothread_stop(). */
void iothread_join(IOThread *iothread);
/* Stop (if needed) and free @iothread and its context reference. */
void iothread_destroy(IOThread *iothread);
/* Stop every IOThread. */
void iothread_stop_all(void);

#endif /* SYSEMU_IOTHREAD_H */
