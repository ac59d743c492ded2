/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-aio-multithread.c: coroutines moving between IOThreads with
 * aio_co_schedule()/aio_co_reschedule_self()/aio_co_wake(), and CoMutex
 * contention between coroutines running in different threads.  Results
 * are counts that must come out exact, whatever the interleaving.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "block/aio-wait.h"
#include "sysemu/iothread.h"

#define NUM_THREADS 2

static IOThread *threads[NUM_THREADS];
static AioContext *ctxs[NUM_THREADS];
static QemuSemaphore done_sem;

static void start_threads(void)
{
    int i;

    for (i = 0; i < NUM_THREADS; i++) {
        char *id = g_strdup_printf("test-io%d", i);
        threads[i] = iothread_create(id, &error_abort);
        ctxs[i] = iothread_get_aio_context(threads[i]);
        g_free(id);
    }
    qemu_sem_init(&done_sem, 0);
}

static void stop_threads(void)
{
    int i;

    for (i = 0; i < NUM_THREADS; i++) {
        iothread_destroy(threads[i]);
        threads[i] = NULL;
    }
    qemu_sem_destroy(&done_sem);
}

static void test_lifecycle(void)
{
    Error *err = NULL;

    start_threads();
    g_assert(iothread_by_id("test-io0") == threads[0]);
    g_assert(ctxs[0] != ctxs[1]);
    g_assert(ctxs[0] != qemu_get_aio_context());
    /* Ids are unique. */
    g_assert_null(iothread_create("test-io1", &err));
    g_assert_nonnull(err);
    error_free(err);
    stop_threads();
    g_assert_null(iothread_by_id("test-io0"));
}

/* ---- hopping between contexts ---- */

#define HOPS 200

typedef struct {
    int hops;
    int wrong_ctx;
} HopData;

static void coroutine_fn hop_entry(void *opaque)
{
    HopData *d = opaque;
    int i;

    for (i = 0; i < HOPS; i++) {
        AioContext *target = ctxs[i % NUM_THREADS];

        aio_co_reschedule_self(target);
        if (qemu_get_current_aio_context() != target ||
            qemu_coroutine_get_aio_context(qemu_coroutine_self()) != target) {
            d->wrong_ctx++;
        }
        d->hops++;
    }
    qemu_sem_post(&done_sem);
}

static void test_hop(void)
{
    HopData d = { 0 };

    start_threads();
    aio_co_schedule(ctxs[1], qemu_coroutine_create(hop_entry, &d));
    qemu_sem_wait(&done_sem);
    g_assert_cmpint(d.hops, ==, HOPS);
    g_assert_cmpint(d.wrong_ctx, ==, 0);
    stop_threads();
}

/* ---- waking from another thread ---- */

typedef struct {
    Coroutine *co;
    AioContext *home;
    AioContext *resumed_in;
    QemuSemaphore yielded;
} WakeData;

static void coroutine_fn wake_entry(void *opaque)
{
    WakeData *d = opaque;

    d->home = qemu_get_current_aio_context();
    d->co = qemu_coroutine_self();
    qemu_sem_post(&d->yielded);
    qemu_coroutine_yield();
    d->resumed_in = qemu_get_current_aio_context();
    qemu_sem_post(&done_sem);
}

static void test_wake_remote(void)
{
    WakeData d = { 0 };

    start_threads();
    qemu_sem_init(&d.yielded, 0);
    aio_co_schedule(ctxs[0], qemu_coroutine_create(wake_entry, &d));
    qemu_sem_wait(&d.yielded);
    /* The coroutine is (about to be) parked in ctxs[0]; wake it from here. */
    while (qemu_coroutine_entered(d.co)) {
        g_usleep(100);
    }
    aio_co_wake(d.co);
    qemu_sem_wait(&done_sem);
    g_assert(d.home == ctxs[0]);
    g_assert(d.resumed_in == ctxs[0]);
    qemu_sem_destroy(&d.yielded);
    stop_threads();
}

/* ---- CoMutex across threads ---- */

#define NUM_COS 8
#define ITERATIONS 1000

static CoMutex comutex;
static int counter;             /* only touched with comutex held */
static int in_critical;         /* must never exceed 1 */
static int max_in_critical;

static void coroutine_fn mutex_entry(void *opaque)
{
    int id = GPOINTER_TO_INT(opaque);
    int i;

    for (i = 0; i < ITERATIONS; i++) {
        int seen;

        qemu_co_mutex_lock(&comutex);
        seen = qatomic_inc_fetch(&in_critical);
        if (seen > max_in_critical) {
            max_in_critical = seen;
        }
        counter++;
        if ((i + id) % 64 == 0) {
            /* Carry the lock to the other thread now and then. */
            aio_co_reschedule_self(ctxs[(i / 64 + id) % NUM_THREADS]);
        }
        qatomic_dec(&in_critical);
        qemu_co_mutex_unlock(&comutex);
    }
    qemu_sem_post(&done_sem);
}

static void test_co_mutex_contention(void)
{
    int i;

    start_threads();
    qemu_co_mutex_init(&comutex);
    counter = 0;
    max_in_critical = 0;
    for (i = 0; i < NUM_COS; i++) {
        aio_co_schedule(ctxs[i % NUM_THREADS],
                        qemu_coroutine_create(mutex_entry,
                                              GINT_TO_POINTER(i)));
    }
    for (i = 0; i < NUM_COS; i++) {
        qemu_sem_wait(&done_sem);
    }
    g_assert_cmpint(counter, ==, NUM_COS * ITERATIONS);
    g_assert_cmpint(max_in_critical, ==, 1);
    g_assert_false(comutex.locked);
    stop_threads();
}

/* ---- CoRwlock across threads ---- */

#define RW_ITERATIONS 300

static CoRwlock rw;
static int pair_a, pair_b;      /* equal whenever no writer holds rw */
static int torn_reads;
static int writers_inside;

static void coroutine_fn rw_entry(void *opaque)
{
    int id = GPOINTER_TO_INT(opaque);
    int i;

    for (i = 0; i < RW_ITERATIONS; i++) {
        if ((i + id) % 3 == 0) {
            qemu_co_rwlock_wrlock(&rw);
            g_assert_cmpint(qatomic_inc_fetch(&writers_inside), ==, 1);
            pair_a++;
            if (i % 16 == 0) {
                aio_co_reschedule_self(ctxs[(id + i) % NUM_THREADS]);
            }
            pair_b++;
            qatomic_dec(&writers_inside);
            qemu_co_rwlock_unlock(&rw);
        } else {
            qemu_co_rwlock_rdlock(&rw);
            if (qatomic_read(&writers_inside) ||
                qatomic_read(&pair_a) != qatomic_read(&pair_b)) {
                qatomic_inc(&torn_reads);
            }
            if (i % 8 == 0) {
                /* Sometimes turn the read lock into a write lock. */
                qemu_co_rwlock_upgrade(&rw);
                g_assert_cmpint(qatomic_inc_fetch(&writers_inside), ==, 1);
                pair_a++;
                pair_b++;
                qatomic_dec(&writers_inside);
                qemu_co_rwlock_downgrade(&rw);
            }
            qemu_co_rwlock_unlock(&rw);
        }
    }
    qemu_sem_post(&done_sem);
}

static void test_co_rwlock_contention(void)
{
    int i, writes = 0;

    start_threads();
    qemu_co_rwlock_init(&rw);
    pair_a = pair_b = torn_reads = writers_inside = 0;
    for (i = 0; i < NUM_COS; i++) {
        aio_co_schedule(ctxs[i % NUM_THREADS],
                        qemu_coroutine_create(rw_entry, GINT_TO_POINTER(i)));
    }
    for (i = 0; i < NUM_COS; i++) {
        qemu_sem_wait(&done_sem);
    }
    /* Count the increments the coroutines made, from their schedule. */
    for (i = 0; i < NUM_COS * RW_ITERATIONS; i++) {
        int id = i / RW_ITERATIONS, it = i % RW_ITERATIONS;
        if ((it + id) % 3 == 0 || it % 8 == 0) {
            writes++;
        }
    }
    g_assert_cmpint(pair_a, ==, writes);
    g_assert_cmpint(pair_b, ==, writes);
    g_assert_cmpint(torn_reads, ==, 0);
    g_assert_cmpint(rw.owners, ==, 0);
    stop_threads();
}

/* ---- AIO_WAIT_WHILE and aio_wait_bh_oneshot ---- */

static void bh_in_iothread(void *opaque)
{
    AioContext **where = opaque;

    *where = qemu_get_current_aio_context();
}

static void test_wait_bh_oneshot(void)
{
    AioContext *where = NULL;

    start_threads();
    aio_wait_bh_oneshot(ctxs[1], bh_in_iothread, &where);
    g_assert(where == ctxs[1]);
    stop_threads();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);

    g_test_add_func("/aio/multi/lifecycle", test_lifecycle);
    g_test_add_func("/aio/multi/hop", test_hop);
    g_test_add_func("/aio/multi/wake-remote", test_wake_remote);
    g_test_add_func("/aio/multi/co-mutex", test_co_mutex_contention);
    g_test_add_func("/aio/multi/co-rwlock", test_co_rwlock_contention);
    g_test_add_func("/aio/multi/wait-bh-oneshot", test_wait_bh_oneshot);
    return g_test_run();
}
