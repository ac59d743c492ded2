/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-coroutine-lock.c: CoMutex, CoQueue and CoRwlock.
 *
 * CoMutex keeps its state under a tiny spin lock, so it works when
 * holders and waiters run in different threads.  Unlocking hands the
 * mutex directly to the oldest waiter before waking it: nobody can
 * overtake a waiter, which gives strict FIFO fairness.
 *
 * CoQueue is a plain list protected by the caller's lock.  CoRwlock is a
 * FIFO of tickets protected by an internal CoMutex; a ticket is granted
 * (ownership updated) by whoever makes it grantable, then woken.
 */
#include "qemu/osdep.h"
#include "qemu/coroutine_int.h"
#include "block/aio.h"
#include "trace/trace-util.h"

/* ---- CoMutex ---- */

struct CoWaitRecord {
    Coroutine *co;
    CoWaitRecord *next;
};

void qemu_co_mutex_init(CoMutex *mutex)
{
    memset(mutex, 0, sizeof(*mutex));
}

void coroutine_fn qemu_co_mutex_lock(CoMutex *mutex)
{
    Coroutine *self = qemu_coroutine_self();
    CoWaitRecord w = { .co = self };

    assert(qemu_in_coroutine());
    qemu_spin_lock(&mutex->spin);
    if (!mutex->locked) {
        mutex->locked = 1;
        mutex->holder = self;
        mutex->ctx = self->ctx;
        qemu_spin_unlock(&mutex->spin);
        trace_qemu_co_mutex_lock_uncontended(mutex, self);
        self->locks_held++;
        return;
    }
    if (mutex->tail) {
        mutex->tail->next = &w;
    } else {
        mutex->head = &w;
    }
    mutex->tail = &w;
    qemu_spin_unlock(&mutex->spin);

    trace_qemu_co_mutex_lock_entry(mutex, self);
    qemu_coroutine_yield();

    /* qemu_co_mutex_unlock() made us the holder before waking us. */
    trace_qemu_co_mutex_lock_return(mutex, self);
    assert(mutex->holder == self);
    self->locks_held++;
}

void coroutine_fn qemu_co_mutex_unlock(CoMutex *mutex)
{
    Coroutine *self = qemu_coroutine_self();
    CoWaitRecord *w;
    Coroutine *next;

    assert(qemu_in_coroutine());
    assert(mutex->locked);
    trace_qemu_co_mutex_unlock_entry(mutex, self);
    assert(mutex->holder == self);
    self->locks_held--;

    qemu_spin_lock(&mutex->spin);
    w = mutex->head;
    if (!w) {
        mutex->locked = 0;
        mutex->holder = NULL;
        mutex->ctx = NULL;
        qemu_spin_unlock(&mutex->spin);
        trace_qemu_co_mutex_unlock_return(mutex, self);
        return;
    }
    mutex->head = w->next;
    if (!mutex->head) {
        mutex->tail = NULL;
    }
    /* @w lives on the waiter's stack: read it before waking the waiter. */
    next = w->co;
    mutex->holder = next;
    mutex->ctx = next->ctx;
    qemu_spin_unlock(&mutex->spin);

    aio_co_wake(next);
    trace_qemu_co_mutex_unlock_return(mutex, self);
}

void coroutine_fn qemu_co_mutex_assert_locked(CoMutex *mutex)
{
    assert(qatomic_read(&mutex->locked));
    assert(mutex->holder == qemu_coroutine_self());
}

/* ---- CoQueue ---- */

void qemu_co_queue_init(CoQueue *queue)
{
    QSIMPLEQ_INIT(&queue->entries);
}

void coroutine_fn qemu_co_queue_wait_impl(CoQueue *queue, QemuLockable *lock,
                                          CoQueueWaitFlags flags)
{
    Coroutine *self = qemu_coroutine_self();

    assert(qemu_in_coroutine());
    if (flags & CO_QUEUE_WAIT_FRONT) {
        QSIMPLEQ_INSERT_HEAD(&queue->entries, self, co_queue_next);
    } else {
        QSIMPLEQ_INSERT_TAIL(&queue->entries, self, co_queue_next);
    }
    if (lock) {
        qemu_lockable_unlock(lock);
    }

    /* Whoever wakes us has already taken us off the queue. */
    qemu_coroutine_yield();

    if (lock) {
        qemu_lockable_lock(lock);
    }
}

bool qemu_co_enter_next_impl(CoQueue *queue, QemuLockable *lock)
{
    Coroutine *next = QSIMPLEQ_FIRST(&queue->entries);

    if (!next) {
        return false;
    }
    QSIMPLEQ_REMOVE_HEAD(&queue->entries, co_queue_next);
    if (lock) {
        qemu_lockable_unlock(lock);
    }
    aio_co_wake(next);
    if (lock) {
        qemu_lockable_lock(lock);
    }
    return true;
}

void qemu_co_enter_all_impl(CoQueue *queue, QemuLockable *lock)
{
    while (qemu_co_enter_next_impl(queue, lock)) {
        /* wake them all */
    }
}

bool coroutine_fn qemu_co_queue_next(CoQueue *queue)
{
    return qemu_co_enter_next_impl(queue, NULL);
}

void coroutine_fn qemu_co_queue_restart_all(CoQueue *queue)
{
    qemu_co_enter_all_impl(queue, NULL);
}

bool qemu_co_queue_empty(CoQueue *queue)
{
    return QSIMPLEQ_FIRST(&queue->entries) == NULL;
}

/* ---- CoRwlock ---- */

struct CoRwTicket {
    bool read;
    Coroutine *co;
    QSIMPLEQ_ENTRY(CoRwTicket) next;
};

void qemu_co_rwlock_init(CoRwlock *lock)
{
    memset(lock, 0, sizeof(*lock));
    qemu_co_mutex_init(&lock->mutex);
    QSIMPLEQ_INIT(&lock->tickets);
}

/*
 * Called with lock->mutex held; releases it.  Grants the oldest ticket
 * if the lock's state allows it, then wakes that coroutine.  A woken
 * reader calls this again so that readers queued behind it join in.
 */
static void coroutine_fn rwlock_grant_and_unlock(CoRwlock *lock)
{
    CoRwTicket *t = QSIMPLEQ_FIRST(&lock->tickets);
    Coroutine *wake = NULL;

    if (t) {
        if (t->read && lock->owners >= 0) {
            lock->owners++;
            wake = t->co;
        } else if (!t->read && lock->owners == 0) {
            lock->owners = -1;
            wake = t->co;
        }
        if (wake) {
            QSIMPLEQ_REMOVE_HEAD(&lock->tickets, next);
        }
    }
    qemu_co_mutex_unlock(&lock->mutex);
    if (wake) {
        aio_co_wake(wake);
    }
}

/* Queue @self with a ticket and yield until it is granted. */
static void coroutine_fn rwlock_wait(CoRwlock *lock, bool read)
{
    CoRwTicket ticket = { .read = read, .co = qemu_coroutine_self() };

    QSIMPLEQ_INSERT_TAIL(&lock->tickets, &ticket, next);
    rwlock_grant_and_unlock(lock);
    qemu_coroutine_yield();
}

void coroutine_fn qemu_co_rwlock_rdlock(CoRwlock *lock)
{
    Coroutine *self = qemu_coroutine_self();

    qemu_co_mutex_lock(&lock->mutex);
    if (lock->owners >= 0 && QSIMPLEQ_EMPTY(&lock->tickets)) {
        lock->owners++;
        qemu_co_mutex_unlock(&lock->mutex);
    } else {
        rwlock_wait(lock, true);
        assert(lock->owners > 0);
        /* Let a reader queued behind us share the lock. */
        qemu_co_mutex_lock(&lock->mutex);
        rwlock_grant_and_unlock(lock);
    }
    self->locks_held++;
}

void coroutine_fn qemu_co_rwlock_wrlock(CoRwlock *lock)
{
    Coroutine *self = qemu_coroutine_self();

    qemu_co_mutex_lock(&lock->mutex);
    if (lock->owners == 0 && QSIMPLEQ_EMPTY(&lock->tickets)) {
        lock->owners = -1;
        qemu_co_mutex_unlock(&lock->mutex);
    } else {
        rwlock_wait(lock, false);
        assert(lock->owners == -1);
    }
    self->locks_held++;
}

void coroutine_fn qemu_co_rwlock_unlock(CoRwlock *lock)
{
    Coroutine *self = qemu_coroutine_self();

    assert(qemu_in_coroutine());
    self->locks_held--;
    qemu_co_mutex_lock(&lock->mutex);
    if (lock->owners < 0) {
        lock->owners = 0;
    } else {
        assert(lock->owners > 0);
        lock->owners--;
    }
    rwlock_grant_and_unlock(lock);
}

void coroutine_fn qemu_co_rwlock_downgrade(CoRwlock *lock)
{
    qemu_co_mutex_lock(&lock->mutex);
    assert(lock->owners == -1);
    lock->owners = 1;
    rwlock_grant_and_unlock(lock);
}

void coroutine_fn qemu_co_rwlock_upgrade(CoRwlock *lock)
{
    qemu_co_mutex_lock(&lock->mutex);
    assert(lock->owners > 0);
    if (lock->owners == 1) {
        /* We are the only reader: take the lock over directly. */
        lock->owners = -1;
        qemu_co_mutex_unlock(&lock->mutex);
        return;
    }
    /* Give up our read share and queue as a writer. */
    lock->owners--;
    rwlock_wait(lock, false);
    assert(lock->owners == -1);
}
