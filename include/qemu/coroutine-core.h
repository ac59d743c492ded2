/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coroutine-core.h: the coroutine primitives that do not depend on the
 * event loop: creating, entering and yielding coroutines, and the CoMutex
 * type.  qemu/coroutine.h adds CoQueue, CoRwlock, sleeping and the
 * AioContext glue; most code should include that instead.
 *
 * A coroutine runs on its own stack until it yields or returns.  A
 * yielded coroutine may be re-entered from any thread, one thread at a
 * time; it then runs in that thread until it yields again.
 */
#ifndef QEMU_COROUTINE_CORE_H
#define QEMU_COROUTINE_CORE_H

#include "qemu/queue.h"
#include "qemu/thread.h"

typedef struct CoMutex CoMutex;

/* Entry point of a coroutine; it terminates when this returns. */
typedef void coroutine_fn CoroutineEntry(void *opaque);

/*
 * Create a coroutine that will run @entry(@opaque) when first entered.
 * Never fails (aborts if memory runs out).  Coroutines come from a
 * per-thread pool of previously terminated ones whenever possible.
 */
Coroutine *qemu_coroutine_create(CoroutineEntry *entry, void *opaque);

/*
 * Transfer control to @co until it yields or terminates.  @co must not
 * be running already (aborts with a message if it is).  When called from
 * a coroutine, @co becomes that coroutine's callee and control returns
 * to the caller when @co yields.  The home AioContext of @co becomes the
 * calling thread's current one.
 */
void qemu_coroutine_enter(Coroutine *co);

/* As qemu_coroutine_enter(), but record @ctx as the home AioContext. */
void qemu_aio_coroutine_enter(AioContext *ctx, Coroutine *co);

/* Enter @co only if it is not currently running (entered). */
void qemu_coroutine_enter_if_inactive(Coroutine *co);

/*
 * Switch back to whoever entered the current coroutine.  Must be called
 * in coroutine context.  Returns when someone enters this coroutine
 * again, possibly in another thread.
 */
void coroutine_fn qemu_coroutine_yield(void);

/* The home AioContext of @co: where aio_co_wake() resumes it. */
AioContext *qemu_coroutine_get_aio_context(Coroutine *co);

/* The running coroutine, or the thread's leader pseudo-coroutine. */
Coroutine *qemu_coroutine_self(void);

/* True when called from a coroutine (not the thread's main stack). */
bool qemu_in_coroutine(void);

/*
 * True if @co has been entered and has not yet terminated or yielded
 * back (i.e. it is running or is the caller of a running coroutine).
 */
bool qemu_coroutine_entered(Coroutine *co);

/* Grow / shrink the per-thread coroutine pool by @additional_pool_size. */
void qemu_coroutine_inc_pool_size(unsigned int additional_pool_size);
void qemu_coroutine_dec_pool_size(unsigned int additional_pool_size);

/*
 * Mutex for coroutines: waiting for it yields instead of blocking the
 * thread.  It may be taken and released in different threads (the
 * holder may move).  Waiters are served strictly in FIFO order: the
 * unlocker hands the lock to the oldest waiter and wakes it in its home
 * AioContext.  A zero-filled CoMutex is a valid unlocked mutex.
 */
typedef struct CoWaitRecord CoWaitRecord;
struct CoMutex {
    QemuSpin spin;          /* protects the fields below */
    unsigned locked;        /* non-zero while somebody holds the mutex */
    Coroutine *holder;      /* the coroutine holding it */
    AioContext *ctx;        /* the holder's home context */
    CoWaitRecord *head;     /* oldest waiter */
    CoWaitRecord *tail;     /* newest waiter */
};

void qemu_co_mutex_init(CoMutex *mutex);

/*
 * Take @mutex, yielding until it is free.  Coroutine context only.
 * Not recursive: locking a mutex the caller holds deadlocks.
 */
void coroutine_fn qemu_co_mutex_lock(CoMutex *mutex);

/*
 * Release @mutex, which the current coroutine must hold.  If coroutines
 * wait, the oldest one becomes the holder and is woken with aio_co_wake().
 */
void coroutine_fn qemu_co_mutex_unlock(CoMutex *mutex);

/* Abort unless the current coroutine holds @mutex. */
void coroutine_fn qemu_co_mutex_assert_locked(CoMutex *mutex);

#endif /* QEMU_COROUTINE_CORE_H */
