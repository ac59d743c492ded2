/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coroutine_int.h: the Coroutine structure and the interface between the
 * generic coroutine code (util/qemu-coroutine*.c) and the stack-switching
 * backend (util/coroutine-ucontext.c).  Only util/ includes this.
 */
#ifndef QEMU_COROUTINE_INT_H
#define QEMU_COROUTINE_INT_H

#include "qemu/queue.h"
#include "qemu/coroutine.h"

/* Why control came back from a switch. */
typedef enum {
    COROUTINE_YIELD = 1,
    COROUTINE_TERMINATE = 2,
    COROUTINE_ENTER = 3,
} CoroutineAction;

struct Coroutine {
    CoroutineEntry *entry;
    void *entry_arg;
    /* Who entered us; NULL while not running.  Yield returns there. */
    Coroutine *caller;

    /* Linkage in the free pools. */
    QSLIST_ENTRY(Coroutine) pool_next;

    /* CoMutex/CoRwlock holds; must be zero at termination. */
    size_t locks_held;

    /* Set while queued by aio_co_schedule() (name of the scheduler). */
    const char *scheduled;

    /* Linkage in a CoQueue or in another coroutine's wakeup list. */
    QSIMPLEQ_ENTRY(Coroutine) co_queue_next;

    /* Coroutines woken by this one, entered when it yields/terminates. */
    QSIMPLEQ_HEAD(, Coroutine) co_queue_wakeup;

    /* Linkage in AioContext.scheduled_coroutines. */
    QSLIST_ENTRY(Coroutine) co_scheduled_next;

    /* Home context: where aio_co_wake() resumes us. */
    AioContext *ctx;
};

/* ---- backend interface ---- */

/* A fresh coroutine whose first switch-to runs the entry loop. */
Coroutine *qemu_coroutine_new(void);
/* Free a terminated coroutine and its stack. */
void qemu_coroutine_delete(Coroutine *co);
/*
 * Save the state of @from, make @to current and resume it; returns the
 * action passed by whoever resumes @from later (possibly in another
 * thread).
 */
CoroutineAction qemu_coroutine_switch(Coroutine *from, Coroutine *to,
                                      CoroutineAction action);

#endif /* QEMU_COROUTINE_INT_H */
