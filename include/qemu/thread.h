/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread.h: host threads and the blocking synchronisation primitives
 * built on them: mutexes (plain and recursive), condition variables,
 * counting semaphores and one-shot events.  The POSIX structure layouts
 * live in thread-posix.h; util/qemu-thread-posix.c implements them.
 *
 * None of these may be held across a coroutine yield: use CoMutex
 * (qemu/coroutine.h) for locks that coroutines keep while they sleep.
 */
#ifndef QEMU_THREAD_H
#define QEMU_THREAD_H

#include "qemu/clang-tsa.h"
#include "qemu/thread-posix.h"

/* qemu_thread_create() modes */
#define QEMU_THREAD_JOINABLE 0
#define QEMU_THREAD_DETACHED 1

/*
 * Plain mutex.  Not recursive; lock/unlock abort on pthread errors.
 * qemu_mutex_trylock() returns 0 when it took the lock, -EBUSY otherwise.
 */
void qemu_mutex_init(QemuMutex *mutex);
void qemu_mutex_destroy(QemuMutex *mutex);
void qemu_mutex_lock(QemuMutex *mutex) TSA_ACQUIRE(mutex);
int qemu_mutex_trylock(QemuMutex *mutex) TSA_NO_TSA;
void qemu_mutex_unlock(QemuMutex *mutex) TSA_RELEASE(mutex);

/* Recursive mutex: the owning thread may lock it again. */
void qemu_rec_mutex_init(QemuRecMutex *mutex);
void qemu_rec_mutex_destroy(QemuRecMutex *mutex);
void qemu_rec_mutex_lock(QemuRecMutex *mutex);
int qemu_rec_mutex_trylock(QemuRecMutex *mutex);
void qemu_rec_mutex_unlock(QemuRecMutex *mutex);

/*
 * Condition variable.  qemu_cond_wait() must be called with @mutex held;
 * it may wake spuriously, so callers loop on their predicate.
 * qemu_cond_timedwait() waits at most @ms milliseconds and returns false
 * on timeout, true otherwise.
 */
void qemu_cond_init(QemuCond *cond);
void qemu_cond_destroy(QemuCond *cond);
void qemu_cond_signal(QemuCond *cond);
void qemu_cond_broadcast(QemuCond *cond);
void qemu_cond_wait(QemuCond *cond, QemuMutex *mutex) TSA_REQUIRES(mutex);
bool qemu_cond_timedwait(QemuCond *cond, QemuMutex *mutex, int ms)
    TSA_REQUIRES(mutex);

/*
 * Counting semaphore.  qemu_sem_timedwait() returns 0 when it took a
 * count and -1 when @ms milliseconds passed first.
 */
void qemu_sem_init(QemuSemaphore *sem, int init);
void qemu_sem_post(QemuSemaphore *sem);
void qemu_sem_wait(QemuSemaphore *sem);
int qemu_sem_timedwait(QemuSemaphore *sem, int ms);
void qemu_sem_destroy(QemuSemaphore *sem);

/*
 * Event: a flag threads can wait for.  qemu_event_set() wakes every
 * waiter and leaves the event set until qemu_event_reset().  Any thread
 * may call any function.
 */
void qemu_event_init(QemuEvent *ev, bool init);
void qemu_event_set(QemuEvent *ev);
void qemu_event_reset(QemuEvent *ev);
void qemu_event_wait(QemuEvent *ev);
void qemu_event_destroy(QemuEvent *ev);

/*
 * Start a thread running @start_routine(@arg).  @name is given to the
 * host thread (truncated to the host's limit).  @mode is
 * QEMU_THREAD_JOINABLE or QEMU_THREAD_DETACHED.  Aborts on failure.
 * The new thread starts with all signals blocked except the synchronous
 * ones, so signals are taken by the main thread.
 */
void qemu_thread_create(QemuThread *thread, const char *name,
                        void *(*start_routine)(void *),
                        void *arg, int mode);
/* Wait for a joinable thread and return its result. */
void *qemu_thread_join(QemuThread *thread);
void qemu_thread_get_self(QemuThread *thread);
bool qemu_thread_is_self(QemuThread *thread);
G_NORETURN void qemu_thread_exit(void *retval);
/* The host's thread id (gettid() on Linux), for logs and QMP. */
int qemu_get_thread_id(void);
/* Whether qemu_thread_create() names host threads (always on Linux). */
void qemu_thread_naming(bool enable);

/* Spin lock for very short critical sections; zero-initialised is valid. */
typedef struct QemuSpin {
    int value;
} QemuSpin;

static inline void qemu_spin_init(QemuSpin *spin)
{
    __atomic_store_n(&spin->value, 0, __ATOMIC_RELEASE);
}

static inline void qemu_spin_destroy(QemuSpin *spin)
{
}

void qemu_spin_lock_slow(QemuSpin *spin);

static inline void qemu_spin_lock(QemuSpin *spin)
{
    if (unlikely(__atomic_exchange_n(&spin->value, 1, __ATOMIC_ACQUIRE))) {
        qemu_spin_lock_slow(spin);
    }
}

static inline bool qemu_spin_trylock(QemuSpin *spin)
{
    /* Returns true if the lock was busy, as upstream does. */
    return __atomic_exchange_n(&spin->value, 1, __ATOMIC_ACQUIRE);
}

static inline bool qemu_spin_locked(QemuSpin *spin)
{
    return __atomic_load_n(&spin->value, __ATOMIC_RELAXED);
}

static inline void qemu_spin_unlock(QemuSpin *spin)
{
    __atomic_store_n(&spin->value, 0, __ATOMIC_RELEASE);
}

#endif /* QEMU_THREAD_H */
