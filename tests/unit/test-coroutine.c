/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-coroutine.c: coroutine creation, entering and yielding, the pool,
 * CoMutex, CoQueue, CoRwlock and timed sleeps.  Everything runs in the
 * main thread with the main AioContext; test-aio-multithread covers
 * coroutines that move between threads.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/coroutine_int.h"
#include "qemu/main-loop.h"
#include "block/aio.h"

/* A log of small integers, to check the order in which things ran. */
static int trace[64];
static int ntrace;

static void trace_reset(void)
{
    ntrace = 0;
}

static void trace_add(int v)
{
    g_assert_cmpint(ntrace, <, ARRAY_SIZE(trace));
    trace[ntrace++] = v;
}

static void trace_check(const int *expected, int n)
{
    int i;

    g_assert_cmpint(ntrace, ==, n);
    for (i = 0; i < n; i++) {
        g_assert_cmpint(trace[i], ==, expected[i]);
    }
}

/* ---- basics ---- */

static void coroutine_fn set_flag_entry(void *opaque)
{
    *(bool *)opaque = true;
}

static void test_create_enter(void)
{
    bool done = false;
    Coroutine *co = qemu_coroutine_create(set_flag_entry, &done);

    g_assert_false(qemu_coroutine_entered(co));
    qemu_coroutine_enter(co);
    g_assert_true(done);
}

static void coroutine_fn yield_three_times(void *opaque)
{
    int i;

    for (i = 1; i <= 3; i++) {
        trace_add(i * 10);
        qemu_coroutine_yield();
    }
    trace_add(99);
}

static void test_yield_order(void)
{
    static const int expected[] = { 10, 1, 20, 2, 30, 3, 99 };
    Coroutine *co = qemu_coroutine_create(yield_three_times, NULL);
    int i;

    trace_reset();
    for (i = 1; i <= 4; i++) {
        qemu_coroutine_enter(co);
        if (i < 4) {
            trace_add(i);
        }
    }
    trace_check(expected, ARRAY_SIZE(expected));
}

static void coroutine_fn check_self_entry(void *opaque)
{
    Coroutine **self = opaque;

    g_assert_true(qemu_in_coroutine());
    *self = qemu_coroutine_self();
    g_assert_true(qemu_coroutine_entered(*self));
    g_assert(qemu_coroutine_get_aio_context(*self) == qemu_get_aio_context());
}

static void test_self(void)
{
    Coroutine *seen = NULL;
    Coroutine *co = qemu_coroutine_create(check_self_entry, &seen);

    g_assert_false(qemu_in_coroutine());
    qemu_coroutine_enter(co);
    g_assert(seen == co);
}

typedef struct {
    int depth;
    int max;
} NestData;

static void coroutine_fn nest_entry(void *opaque)
{
    NestData *nd = opaque;
    Coroutine *self = qemu_coroutine_self();

    trace_add(nd->depth);
    if (nd->depth < nd->max) {
        Coroutine *child = qemu_coroutine_create(nest_entry, nd);
        nd->depth++;
        qemu_coroutine_enter(child);
        /* The child terminated: control is back with us, its caller. */
        g_assert(qemu_coroutine_self() == self);
    }
    trace_add(-self->locks_held - 100);
}

static void test_nesting(void)
{
    NestData nd = { .depth = 0, .max = 8 };
    Coroutine *root = qemu_coroutine_create(nest_entry, &nd);
    int i;

    trace_reset();
    qemu_coroutine_enter(root);
    g_assert_cmpint(nd.depth, ==, 8);
    /* 0..8 on the way down, then nine "-100" markers on the way up. */
    g_assert_cmpint(ntrace, ==, 18);
    for (i = 0; i <= 8; i++) {
        g_assert_cmpint(trace[i], ==, i);
        g_assert_cmpint(trace[9 + i], ==, -100);
    }
}

/* A yielded child returns control to its caller, not to the leader. */
static void coroutine_fn child_yields(void *opaque)
{
    trace_add(2);
    qemu_coroutine_yield();
    trace_add(4);
}

static void coroutine_fn parent_entry(void *opaque)
{
    Coroutine *child = qemu_coroutine_create(child_yields, NULL);

    trace_add(1);
    qemu_coroutine_enter(child);
    trace_add(3);
    qemu_coroutine_enter(child);
    trace_add(5);
}

static void test_nested_yield(void)
{
    static const int expected[] = { 1, 2, 3, 4, 5 };

    trace_reset();
    qemu_coroutine_enter(qemu_coroutine_create(parent_entry, NULL));
    trace_check(expected, ARRAY_SIZE(expected));
}

static void coroutine_fn empty_entry(void *opaque)
{
}

static void test_pool_reuse(void)
{
    Coroutine *first, *second;

    first = qemu_coroutine_create(empty_entry, NULL);
    qemu_coroutine_enter(first);
    /* @first terminated and went to this thread's pool. */
    second = qemu_coroutine_create(empty_entry, NULL);
    g_assert(second == first);
    qemu_coroutine_enter(second);
}

static void coroutine_fn count_entry(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_many_lifecycles(void)
{
    int count = 0;
    int i;

    for (i = 0; i < 10000; i++) {
        qemu_coroutine_enter(qemu_coroutine_create(count_entry, &count));
    }
    g_assert_cmpint(count, ==, 10000);
}

/* ---- aio_co_wake from a coroutine: deferred until the waker yields ---- */

static Coroutine *sleeper;

static void coroutine_fn sleeper_entry(void *opaque)
{
    trace_add(1);
    qemu_coroutine_yield();
    trace_add(3);
}

static void coroutine_fn waker_entry(void *opaque)
{
    aio_co_wake(sleeper);
    trace_add(2);
}

static void test_wake_deferred(void)
{
    static const int expected[] = { 1, 2, 3 };

    trace_reset();
    sleeper = qemu_coroutine_create(sleeper_entry, NULL);
    qemu_coroutine_enter(sleeper);
    qemu_coroutine_enter(qemu_coroutine_create(waker_entry, NULL));
    trace_check(expected, ARRAY_SIZE(expected));
}

/* ---- CoMutex ---- */

static CoMutex mutex;

static void coroutine_fn holder_entry(void *opaque)
{
    qemu_co_mutex_lock(&mutex);
    qemu_co_mutex_assert_locked(&mutex);
    trace_add(0);
    qemu_coroutine_yield();
    trace_add(100);
    qemu_co_mutex_unlock(&mutex);
}

static void coroutine_fn waiter_entry(void *opaque)
{
    int id = GPOINTER_TO_INT(opaque);

    qemu_co_mutex_lock(&mutex);
    trace_add(id);
    qemu_co_mutex_unlock(&mutex);
}

static void test_co_mutex_fifo(void)
{
    static const int expected[] = { 0, 100, 1, 2, 3, 4, 5 };
    Coroutine *holder;
    int i;

    qemu_co_mutex_init(&mutex);
    trace_reset();
    holder = qemu_coroutine_create(holder_entry, NULL);
    qemu_coroutine_enter(holder);
    for (i = 1; i <= 5; i++) {
        Coroutine *co = qemu_coroutine_create(waiter_entry,
                                              GINT_TO_POINTER(i));
        qemu_coroutine_enter(co);
        g_assert_true(qemu_coroutine_entered(co) == false);
    }
    /* Everyone queued behind the holder; release it. */
    qemu_coroutine_enter(holder);
    trace_check(expected, ARRAY_SIZE(expected));
    g_assert_false(mutex.locked);
}

static void coroutine_fn guard_entry(void *opaque)
{
    int *inside = opaque;

    WITH_QEMU_LOCK_GUARD(&mutex) {
        qemu_co_mutex_assert_locked(&mutex);
        (*inside)++;
    }
    g_assert_false(mutex.locked);
    {
        QEMU_LOCK_GUARD(&mutex);
        g_assert_true(mutex.locked);
        (*inside)++;
    }
    g_assert_false(mutex.locked);
}

static void test_co_mutex_guard(void)
{
    int inside = 0;

    qemu_co_mutex_init(&mutex);
    qemu_coroutine_enter(qemu_coroutine_create(guard_entry, &inside));
    g_assert_cmpint(inside, ==, 2);
}

/* ---- CoQueue ---- */

static CoQueue queue;

static void coroutine_fn queue_waiter(void *opaque)
{
    int id = GPOINTER_TO_INT(opaque);

    qemu_co_queue_wait(&queue, NULL);
    trace_add(id);
}

static void coroutine_fn queue_front_waiter(void *opaque)
{
    qemu_co_queue_wait_flags(&queue, NULL, CO_QUEUE_WAIT_FRONT);
    trace_add(0);
}

static void coroutine_fn queue_restarter(void *opaque)
{
    qemu_co_queue_restart_all(&queue);
    trace_add(-1);
}

static void test_co_queue(void)
{
    static const int expected1[] = { 0, 1 };
    static const int expected2[] = { -1, 2, 3 };
    int i;

    qemu_co_queue_init(&queue);
    g_assert_true(qemu_co_queue_empty(&queue));
    g_assert_false(qemu_co_enter_next(&queue, NULL));

    trace_reset();
    for (i = 1; i <= 3; i++) {
        qemu_coroutine_enter(qemu_coroutine_create(queue_waiter,
                                                   GINT_TO_POINTER(i)));
    }
    qemu_coroutine_enter(qemu_coroutine_create(queue_front_waiter, NULL));
    g_assert_false(qemu_co_queue_empty(&queue));
    g_assert_cmpint(ntrace, ==, 0);

    /* Outside coroutine context, entering runs the waiter at once. */
    g_assert_true(qemu_co_enter_next(&queue, NULL));
    g_assert_true(qemu_co_enter_next(&queue, NULL));
    trace_check(expected1, ARRAY_SIZE(expected1));

    /* From a coroutine, the woken run after the waker terminates. */
    trace_reset();
    qemu_coroutine_enter(qemu_coroutine_create(queue_restarter, NULL));
    trace_check(expected2, ARRAY_SIZE(expected2));
    g_assert_true(qemu_co_queue_empty(&queue));
}

static QemuMutex plain_lock;

static void coroutine_fn queue_waiter_locked(void *opaque)
{
    qemu_mutex_lock(&plain_lock);
    qemu_co_queue_wait(&queue, &plain_lock);
    /* The lock is held again when the wait returns. */
    g_assert_cmpint(qemu_mutex_trylock(&plain_lock), ==, -EBUSY);
    trace_add(7);
    qemu_mutex_unlock(&plain_lock);
}

/*
 * TSA_NO_TSA: the lock is taken with qemu_mutex_trylock(), which carries
 * no TSA annotation, so the analysis cannot see the unlock matching it.
 */
static void TSA_NO_TSA test_co_queue_lock(void)
{
    static const int expected[] = { 7 };

    qemu_mutex_init(&plain_lock);
    qemu_co_queue_init(&queue);
    trace_reset();
    qemu_coroutine_enter(qemu_coroutine_create(queue_waiter_locked, NULL));
    /* The waiter released the lock while waiting. */
    g_assert_cmpint(qemu_mutex_trylock(&plain_lock), ==, 0);
    g_assert_true(qemu_co_enter_next(&queue, &plain_lock));
    qemu_mutex_unlock(&plain_lock);
    trace_check(expected, ARRAY_SIZE(expected));
    qemu_mutex_destroy(&plain_lock);
}

/* ---- CoRwlock ---- */

static CoRwlock rwlock;

typedef enum { OP_RD, OP_WR, OP_UPGRADE, OP_DOWNGRADE, OP_UNLOCK } RwOp;

/*
 * A coroutine that performs one operation per entry and logs id*10+op
 * after each one completes, so tests can step coroutines one by one.
 */
typedef struct {
    int id;
    const RwOp *ops;
    int nops;
} RwScript;

static void coroutine_fn rw_entry(void *opaque)
{
    RwScript *s = opaque;
    int i;

    for (i = 0; i < s->nops; i++) {
        switch (s->ops[i]) {
        case OP_RD:
            qemu_co_rwlock_rdlock(&rwlock);
            break;
        case OP_WR:
            qemu_co_rwlock_wrlock(&rwlock);
            break;
        case OP_UPGRADE:
            qemu_co_rwlock_upgrade(&rwlock);
            break;
        case OP_DOWNGRADE:
            qemu_co_rwlock_downgrade(&rwlock);
            break;
        case OP_UNLOCK:
            qemu_co_rwlock_unlock(&rwlock);
            break;
        }
        trace_add(s->id * 10 + s->ops[i]);
        if (i + 1 < s->nops) {
            qemu_coroutine_yield();
        }
    }
}

static void test_co_rwlock_readers_share(void)
{
    static const RwOp rd_unlock[] = { OP_RD, OP_UNLOCK };
    static const RwOp wr_unlock[] = { OP_WR, OP_UNLOCK };
    RwScript r1 = { 1, rd_unlock, 2 }, r2 = { 2, rd_unlock, 2 };
    RwScript w3 = { 3, wr_unlock, 2 }, r4 = { 4, rd_unlock, 2 };
    Coroutine *c1, *c2, *c3, *c4;
    static const int expected[] = {
        10, 20,         /* both readers in */
        14,             /* r1 unlocks; writer still blocked by r2 */
        24, 31,         /* r2 unlocks; the writer gets it */
        34, 40,         /* writer unlocks; r4 (queued behind it) gets it */
        44,
    };

    qemu_co_rwlock_init(&rwlock);
    trace_reset();
    c1 = qemu_coroutine_create(rw_entry, &r1);
    c2 = qemu_coroutine_create(rw_entry, &r2);
    c3 = qemu_coroutine_create(rw_entry, &w3);
    c4 = qemu_coroutine_create(rw_entry, &r4);
    qemu_coroutine_enter(c1);
    qemu_coroutine_enter(c2);
    qemu_coroutine_enter(c3);           /* waits for the readers */
    qemu_coroutine_enter(c4);           /* waits behind the writer */
    g_assert_cmpint(rwlock.owners, ==, 2);
    qemu_coroutine_enter(c1);
    qemu_coroutine_enter(c2);
    g_assert_cmpint(rwlock.owners, ==, -1);
    qemu_coroutine_enter(c3);
    qemu_coroutine_enter(c4);
    trace_check(expected, ARRAY_SIZE(expected));
    g_assert_cmpint(rwlock.owners, ==, 0);
}

static void test_co_rwlock_upgrade(void)
{
    static const RwOp up[] = { OP_RD, OP_UPGRADE, OP_UNLOCK };
    static const RwOp rd_unlock[] = { OP_RD, OP_UNLOCK };
    RwScript u1 = { 1, up, 3 }, r2 = { 2, rd_unlock, 2 };
    Coroutine *c1, *c2;
    static const int expected[] = {
        10, 20,         /* two readers */
        24, 12,         /* r2 leaves, so the pending upgrade succeeds */
        14,
    };

    qemu_co_rwlock_init(&rwlock);
    trace_reset();
    c1 = qemu_coroutine_create(rw_entry, &u1);
    c2 = qemu_coroutine_create(rw_entry, &r2);
    qemu_coroutine_enter(c1);
    qemu_coroutine_enter(c2);
    qemu_coroutine_enter(c1);           /* upgrade waits for r2 */
    g_assert_cmpint(ntrace, ==, 2);
    qemu_coroutine_enter(c2);
    g_assert_cmpint(rwlock.owners, ==, -1);
    qemu_coroutine_enter(c1);
    trace_check(expected, ARRAY_SIZE(expected));
    g_assert_cmpint(rwlock.owners, ==, 0);
}

static void test_co_rwlock_downgrade(void)
{
    static const RwOp down[] = { OP_WR, OP_DOWNGRADE, OP_UNLOCK };
    static const RwOp rd_unlock[] = { OP_RD, OP_UNLOCK };
    static const RwOp wr_unlock[] = { OP_WR, OP_UNLOCK };
    RwScript d1 = { 1, down, 3 }, r2 = { 2, rd_unlock, 2 };
    RwScript w3 = { 3, wr_unlock, 2 };
    Coroutine *c1, *c2, *c3;
    static const int expected[] = {
        11,             /* writer */
        13, 20,         /* downgrade lets the queued reader in */
        14, 24, 31,     /* both readers leave; the writer gets it */
        34,
    };

    qemu_co_rwlock_init(&rwlock);
    trace_reset();
    c1 = qemu_coroutine_create(rw_entry, &d1);
    c2 = qemu_coroutine_create(rw_entry, &r2);
    c3 = qemu_coroutine_create(rw_entry, &w3);
    qemu_coroutine_enter(c1);
    qemu_coroutine_enter(c2);           /* queued behind the writer */
    qemu_coroutine_enter(c3);           /* queued behind the reader */
    qemu_coroutine_enter(c1);           /* downgrade */
    g_assert_cmpint(rwlock.owners, ==, 2);
    qemu_coroutine_enter(c1);
    qemu_coroutine_enter(c2);
    qemu_coroutine_enter(c3);
    trace_check(expected, ARRAY_SIZE(expected));
    g_assert_cmpint(rwlock.owners, ==, 0);
}

/* ---- sleeping ---- */

static void coroutine_fn sleep_entry(void *opaque)
{
    int64_t *elapsed = opaque;
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);

    qemu_co_sleep_ns(QEMU_CLOCK_REALTIME, 5 * SCALE_MS);
    *elapsed = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start;
}

static void test_co_sleep(void)
{
    int64_t elapsed = -1;
    Coroutine *co = qemu_coroutine_create(sleep_entry, &elapsed);

    qemu_coroutine_enter(co);
    g_assert_cmpint(elapsed, ==, -1);
    while (elapsed < 0) {
        aio_poll(qemu_get_aio_context(), true);
    }
    g_assert_cmpint(elapsed, >=, 5 * SCALE_MS);
}

static QemuCoSleep wakeable;

static void coroutine_fn long_sleep_entry(void *opaque)
{
    qemu_co_sleep_ns_wakeable(&wakeable, QEMU_CLOCK_REALTIME,
                              100 * NANOSECONDS_PER_SECOND);
    *(bool *)opaque = true;
}

static void test_co_sleep_wake(void)
{
    bool done = false;

    qemu_coroutine_enter(qemu_coroutine_create(long_sleep_entry, &done));
    g_assert_false(done);
    qemu_co_sleep_wake(&wakeable);
    g_assert_true(done);
    /* A second wake finds nobody and does nothing. */
    qemu_co_sleep_wake(&wakeable);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);

    g_test_add_func("/basic/create-enter", test_create_enter);
    g_test_add_func("/basic/yield-order", test_yield_order);
    g_test_add_func("/basic/self", test_self);
    g_test_add_func("/basic/nesting", test_nesting);
    g_test_add_func("/basic/nested-yield", test_nested_yield);
    g_test_add_func("/basic/pool-reuse", test_pool_reuse);
    g_test_add_func("/basic/many-lifecycles", test_many_lifecycles);
    g_test_add_func("/basic/wake-deferred", test_wake_deferred);
    g_test_add_func("/locking/co-mutex/fifo", test_co_mutex_fifo);
    g_test_add_func("/locking/co-mutex/guard", test_co_mutex_guard);
    g_test_add_func("/locking/co-queue", test_co_queue);
    g_test_add_func("/locking/co-queue/lock", test_co_queue_lock);
    g_test_add_func("/locking/co-rwlock/readers", test_co_rwlock_readers_share);
    g_test_add_func("/locking/co-rwlock/upgrade", test_co_rwlock_upgrade);
    g_test_add_func("/locking/co-rwlock/downgrade", test_co_rwlock_downgrade);
    g_test_add_func("/sleep/timer", test_co_sleep);
    g_test_add_func("/sleep/wake", test_co_sleep_wake);
    return g_test_run();
}
