/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-thread-posix.c: QemuMutex, QemuRecMutex, QemuCond, QemuSemaphore,
 * QemuEvent and QemuThread on top of pthreads.  Errors from pthreads are
 * programming errors here and abort with a message.
 */
#include "qemu/osdep.h"
#include "qemu/thread.h"
#include "qemu/atomic.h"
#include <sched.h>
#include <sys/syscall.h>

static bool name_threads = true;

static G_NORETURN void thread_die(int err, const char *what)
{
    fprintf(stderr, "qemu: %s: %s\n", what, strerror(err));
    abort();
}

static void check(int err, const char *what)
{
    if (unlikely(err)) {
        thread_die(err, what);
    }
}

/* ---- mutexes ---- */

void qemu_mutex_init(QemuMutex *mutex)
{
    check(pthread_mutex_init(&mutex->lock, NULL), "pthread_mutex_init");
    mutex->initialized = true;
}

void qemu_mutex_destroy(QemuMutex *mutex)
{
    assert(mutex->initialized);
    mutex->initialized = false;
    check(pthread_mutex_destroy(&mutex->lock), "pthread_mutex_destroy");
}

void TSA_NO_TSA qemu_mutex_lock(QemuMutex *mutex)
{
    assert(mutex->initialized);
    check(pthread_mutex_lock(&mutex->lock), "pthread_mutex_lock");
}

int TSA_NO_TSA qemu_mutex_trylock(QemuMutex *mutex)
{
    int err;

    assert(mutex->initialized);
    err = pthread_mutex_trylock(&mutex->lock);
    if (err == 0) {
        return 0;
    }
    if (err != EBUSY) {
        thread_die(err, "pthread_mutex_trylock");
    }
    return -EBUSY;
}

void TSA_NO_TSA qemu_mutex_unlock(QemuMutex *mutex)
{
    assert(mutex->initialized);
    check(pthread_mutex_unlock(&mutex->lock), "pthread_mutex_unlock");
}

void qemu_rec_mutex_init(QemuRecMutex *mutex)
{
    pthread_mutexattr_t attr;

    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    check(pthread_mutex_init(&mutex->lock, &attr), "pthread_mutex_init");
    pthread_mutexattr_destroy(&attr);
    mutex->initialized = true;
}

void qemu_rec_mutex_destroy(QemuRecMutex *mutex)
{
    assert(mutex->initialized);
    mutex->initialized = false;
    check(pthread_mutex_destroy(&mutex->lock), "pthread_mutex_destroy");
}

void qemu_rec_mutex_lock(QemuRecMutex *mutex)
{
    assert(mutex->initialized);
    check(pthread_mutex_lock(&mutex->lock), "pthread_mutex_lock");
}

int qemu_rec_mutex_trylock(QemuRecMutex *mutex)
{
    int err;

    assert(mutex->initialized);
    err = pthread_mutex_trylock(&mutex->lock);
    if (err && err != EBUSY) {
        thread_die(err, "pthread_mutex_trylock");
    }
    return err ? -EBUSY : 0;
}

void qemu_rec_mutex_unlock(QemuRecMutex *mutex)
{
    assert(mutex->initialized);
    check(pthread_mutex_unlock(&mutex->lock), "pthread_mutex_unlock");
}

void qemu_spin_lock_slow(QemuSpin *spin)
{
    unsigned spins = 0;

    do {
        while (__atomic_load_n(&spin->value, __ATOMIC_RELAXED)) {
            /* The holder may have been preempted: let it run. */
            if (++spins > 64) {
                sched_yield();
            }
        }
    } while (__atomic_exchange_n(&spin->value, 1, __ATOMIC_ACQUIRE));
}

/* ---- condition variables ---- */

void qemu_cond_init(QemuCond *cond)
{
    pthread_condattr_t attr;

    /* Timed waits measure the monotonic clock, immune to date changes. */
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    check(pthread_cond_init(&cond->cond, &attr), "pthread_cond_init");
    pthread_condattr_destroy(&attr);
    cond->initialized = true;
}

void qemu_cond_destroy(QemuCond *cond)
{
    assert(cond->initialized);
    cond->initialized = false;
    check(pthread_cond_destroy(&cond->cond), "pthread_cond_destroy");
}

void qemu_cond_signal(QemuCond *cond)
{
    assert(cond->initialized);
    check(pthread_cond_signal(&cond->cond), "pthread_cond_signal");
}

void qemu_cond_broadcast(QemuCond *cond)
{
    assert(cond->initialized);
    check(pthread_cond_broadcast(&cond->cond), "pthread_cond_broadcast");
}

void TSA_NO_TSA qemu_cond_wait(QemuCond *cond, QemuMutex *mutex)
{
    assert(cond->initialized);
    check(pthread_cond_wait(&cond->cond, &mutex->lock), "pthread_cond_wait");
}

/* An absolute CLOCK_MONOTONIC deadline @ms milliseconds from now. */
static void deadline_after_ms(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000;
    }
}

static bool cond_wait_until(QemuCond *cond, QemuMutex *mutex,
                            const struct timespec *ts)
{
    int err = pthread_cond_timedwait(&cond->cond, &mutex->lock, ts);

    if (err && err != ETIMEDOUT) {
        thread_die(err, "pthread_cond_timedwait");
    }
    return err != ETIMEDOUT;
}

bool TSA_NO_TSA qemu_cond_timedwait(QemuCond *cond, QemuMutex *mutex, int ms)
{
    struct timespec ts;

    assert(cond->initialized);
    deadline_after_ms(&ts, ms);
    return cond_wait_until(cond, mutex, &ts);
}

/* ---- semaphores ---- */

void qemu_sem_init(QemuSemaphore *sem, int init)
{
    assert(init >= 0);
    qemu_mutex_init(&sem->mutex);
    qemu_cond_init(&sem->cond);
    sem->count = init;
}

void qemu_sem_destroy(QemuSemaphore *sem)
{
    qemu_cond_destroy(&sem->cond);
    qemu_mutex_destroy(&sem->mutex);
}

void qemu_sem_post(QemuSemaphore *sem)
{
    qemu_mutex_lock(&sem->mutex);
    assert(sem->count < UINT_MAX);
    sem->count++;
    qemu_cond_signal(&sem->cond);
    qemu_mutex_unlock(&sem->mutex);
}

void qemu_sem_wait(QemuSemaphore *sem)
{
    qemu_mutex_lock(&sem->mutex);
    while (sem->count == 0) {
        qemu_cond_wait(&sem->cond, &sem->mutex);
    }
    sem->count--;
    qemu_mutex_unlock(&sem->mutex);
}

int qemu_sem_timedwait(QemuSemaphore *sem, int ms)
{
    struct timespec ts;
    bool signalled = true;
    int ret;

    deadline_after_ms(&ts, ms);
    qemu_mutex_lock(&sem->mutex);
    while (sem->count == 0 && signalled) {
        signalled = cond_wait_until(&sem->cond, &sem->mutex, &ts);
    }
    if (sem->count > 0) {
        sem->count--;
        ret = 0;
    } else {
        ret = -1;
    }
    qemu_mutex_unlock(&sem->mutex);
    return ret;
}

/* ---- events ---- */

void qemu_event_init(QemuEvent *ev, bool init)
{
    qemu_mutex_init(&ev->mutex);
    qemu_cond_init(&ev->cond);
    ev->value = init;
    ev->initialized = true;
}

void qemu_event_destroy(QemuEvent *ev)
{
    assert(ev->initialized);
    ev->initialized = false;
    qemu_cond_destroy(&ev->cond);
    qemu_mutex_destroy(&ev->mutex);
}

void qemu_event_set(QemuEvent *ev)
{
    assert(ev->initialized);
    /* Pairs with the acquire load in qemu_event_wait(). */
    smp_mb();
    if (qatomic_read(&ev->value)) {
        return;
    }
    qemu_mutex_lock(&ev->mutex);
    qatomic_store_release(&ev->value, 1);
    qemu_cond_broadcast(&ev->cond);
    qemu_mutex_unlock(&ev->mutex);
}

void qemu_event_reset(QemuEvent *ev)
{
    assert(ev->initialized);
    qemu_mutex_lock(&ev->mutex);
    qatomic_set(&ev->value, 0);
    qemu_mutex_unlock(&ev->mutex);
    /* Later checks of the waited-for condition must not move above. */
    smp_mb();
}

void qemu_event_wait(QemuEvent *ev)
{
    assert(ev->initialized);
    if (qatomic_load_acquire(&ev->value)) {
        return;
    }
    qemu_mutex_lock(&ev->mutex);
    while (!ev->value) {
        qemu_cond_wait(&ev->cond, &ev->mutex);
    }
    qemu_mutex_unlock(&ev->mutex);
}

/* ---- threads ---- */

typedef struct ThreadStart {
    void *(*start_routine)(void *);
    void *arg;
    char *name;
} ThreadStart;

static void *thread_start(void *opaque)
{
    ThreadStart ts = *(ThreadStart *)opaque;

    g_free(opaque);
    if (name_threads && ts.name) {
        pthread_setname_np(pthread_self(), ts.name);
    }
    g_free(ts.name);
    return ts.start_routine(ts.arg);
}

void qemu_thread_naming(bool enable)
{
    name_threads = enable;
}

void qemu_thread_create(QemuThread *thread, const char *name,
                        void *(*start_routine)(void *),
                        void *arg, int mode)
{
    sigset_t all, old;
    pthread_attr_t attr;
    ThreadStart *ts = g_new0(ThreadStart, 1);
    char shortname[16];

    ts->start_routine = start_routine;
    ts->arg = arg;
    if (name) {
        /* Linux limits thread names to 15 bytes plus the NUL. */
        g_strlcpy(shortname, name, sizeof(shortname));
        ts->name = g_strdup(shortname);
    }

    check(pthread_attr_init(&attr), "pthread_attr_init");
    if (mode == QEMU_THREAD_DETACHED) {
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    }

    /* Leave asynchronous signals to the main thread. */
    sigfillset(&all);
    sigdelset(&all, SIGSEGV);
    sigdelset(&all, SIGFPE);
    sigdelset(&all, SIGILL);
    sigdelset(&all, SIGBUS);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    check(pthread_create(&thread->thread, &attr, thread_start, ts),
          "pthread_create");
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
}

void *qemu_thread_join(QemuThread *thread)
{
    void *ret;

    check(pthread_join(thread->thread, &ret), "pthread_join");
    return ret;
}

void qemu_thread_get_self(QemuThread *thread)
{
    thread->thread = pthread_self();
}

bool qemu_thread_is_self(QemuThread *thread)
{
    return pthread_equal(pthread_self(), thread->thread);
}

void qemu_thread_exit(void *retval)
{
    pthread_exit(retval);
}

int qemu_get_thread_id(void)
{
    return (int)syscall(SYS_gettid);
}
