/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coroutine.h: cooperative coroutines and the synchronisation built on
 * them: CoMutex (from coroutine-core.h), CoQueue wait queues, CoRwlock
 * and timed sleeps.
 *
 * Functions marked coroutine_fn may yield and must only be called in
 * coroutine context; the core entry points assert qemu_in_coroutine().
 * Waking a coroutine always goes through aio_co_wake(): it is resumed in
 * its home AioContext, immediately if that is the caller's context and
 * the caller is not itself a coroutine, once the caller yields if it is,
 * and through that context's event loop otherwise.
 */
#ifndef QEMU_COROUTINE_H
#define QEMU_COROUTINE_H

#include "qemu/coroutine-core.h"
#include "qemu/lockable.h"
#include "qemu/timer.h"

/*
 * CoQueue: a FIFO of coroutines waiting for some condition.  The queue
 * itself takes no lock: callers protect it with the lock they pass to
 * qemu_co_queue_wait() (or run in a single AioContext).
 */
typedef struct CoQueue {
    QSIMPLEQ_HEAD(, Coroutine) entries;
} CoQueue;

void qemu_co_queue_init(CoQueue *queue);

typedef enum {
    /* Wait at the front of the queue instead of the back. */
    CO_QUEUE_WAIT_FRONT = 0x1,
} CoQueueWaitFlags;

/*
 * Add the current coroutine to @queue and yield.  @lock (QemuMutex,
 * CoMutex, ... or NULL) is released while waiting and taken again
 * before returning.
 */
void coroutine_fn qemu_co_queue_wait_impl(CoQueue *queue, QemuLockable *lock,
                                          CoQueueWaitFlags flags);
#define qemu_co_queue_wait(queue, lock) \
    qemu_co_queue_wait_impl(queue, QEMU_MAKE_LOCKABLE(lock), 0)
#define qemu_co_queue_wait_flags(queue, lock, flags) \
    qemu_co_queue_wait_impl(queue, QEMU_MAKE_LOCKABLE(lock), (flags))

/*
 * Wake the first waiter of @queue (it runs once the caller yields, or in
 * its own context).  Returns false if the queue was empty.
 */
bool coroutine_fn qemu_co_queue_next(CoQueue *queue);

/* Wake every waiter of @queue. */
void coroutine_fn qemu_co_queue_restart_all(CoQueue *queue);

/*
 * Outside-coroutine versions: remove the first waiter / all waiters and
 * enter them, releasing @lock (may be NULL) while doing so.
 * qemu_co_enter_next() returns false if the queue was empty.
 */
bool qemu_co_enter_next_impl(CoQueue *queue, QemuLockable *lock);
#define qemu_co_enter_next(queue, lock) \
    qemu_co_enter_next_impl(queue, QEMU_MAKE_LOCKABLE(lock))
void qemu_co_enter_all_impl(CoQueue *queue, QemuLockable *lock);
#define qemu_co_enter_all(queue, lock) \
    qemu_co_enter_all_impl(queue, QEMU_MAKE_LOCKABLE(lock))

/* True if nobody waits on @queue. */
bool qemu_co_queue_empty(CoQueue *queue);

/*
 * CoRwlock: readers/writer lock for coroutines.  Requests are served in
 * arrival order: a reader arriving behind a waiting writer waits too.
 * @owners is the number of readers holding it, or -1 for a writer.
 */
typedef struct CoRwTicket CoRwTicket;
typedef struct CoRwlock {
    CoMutex mutex;
    int owners;
    QSIMPLEQ_HEAD(, CoRwTicket) tickets;
} CoRwlock;

void qemu_co_rwlock_init(CoRwlock *lock);
/* Take @lock shared; several coroutines may hold it so at once. */
void coroutine_fn qemu_co_rwlock_rdlock(CoRwlock *lock);
/* Take @lock exclusively. */
void coroutine_fn qemu_co_rwlock_wrlock(CoRwlock *lock);
/*
 * Turn the caller's read lock into a write lock.  If other readers hold
 * the lock, the caller's read lock is given up while it waits, so data
 * read under it must be re-validated.
 */
void coroutine_fn qemu_co_rwlock_upgrade(CoRwlock *lock);
/* Turn the caller's write lock into a read lock, admitting readers. */
void coroutine_fn qemu_co_rwlock_downgrade(CoRwlock *lock);
/* Release a read or write lock held by the caller. */
void coroutine_fn qemu_co_rwlock_unlock(CoRwlock *lock);

/*
 * Sleeping.  A QemuCoSleep lets another party cut a sleep short with
 * qemu_co_sleep_wake(); @to_wake is the sleeper while it sleeps.
 */
typedef struct QemuCoSleep {
    Coroutine *to_wake;
} QemuCoSleep;

/*
 * Sleep for @ns nanoseconds of clock @type, or until qemu_co_sleep_wake()
 * on @w.  The timer lives in the coroutine's current AioContext.
 */
void coroutine_fn qemu_co_sleep_ns_wakeable(QemuCoSleep *w,
                                            QEMUClockType type, int64_t ns);

/* Yield until qemu_co_sleep_wake(@w). */
void coroutine_fn qemu_co_sleep(QemuCoSleep *w);

static inline void coroutine_fn qemu_co_sleep_ns(QEMUClockType type,
                                                 int64_t ns)
{
    QemuCoSleep w = { 0 };

    qemu_co_sleep_ns_wakeable(&w, type, ns);
}

/* Wake a sleeper early; a no-op if nothing sleeps on @w. */
void qemu_co_sleep_wake(QemuCoSleep *w);

/* Yield until @fd is readable (registers a handler in the home context). */
void coroutine_fn yield_until_fd_readable(int fd);

#endif /* QEMU_COROUTINE_H */
