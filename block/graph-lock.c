/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * graph-lock.c: the block graph reader/writer lock (see
 * include/block/graph-lock.h and docs/devel/graph-lock.md).
 *
 * Readers never take a mutex on the fast path: each AioContext owns a
 * counter (BdrvGraphRWlock) that its coroutines bump, followed by a full
 * barrier and a look at the global has_writer flag.  The one writer (the
 * main loop) raises has_writer, issues a barrier and sums all counters:
 * by the usual store-barrier-load argument, either the reader sees the
 * flag or the writer sees the reader.  Readers that see the flag back off
 * and sleep on a CoQueue until the writer is done.
 *
 * Counts are only meaningful summed: a coroutine may lock in one context
 * and unlock in another, leaving one counter above and one below zero.
 * Counters are unsigned, so the sum is right modulo 2^32 anyway.
 */

#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "qemu/queue.h"
#include "qemu/thread.h"
#include "block/aio.h"
#include "block/aio-wait.h"
#include "block/graph-lock.h"

/* Set to 0 to make assert_bdrv_graph_readable() free in IOThreads. */
#define DEBUG_GRAPH_LOCK 1

/* The TSA capability object; it has no run-time role. */
BdrvGraphLock graph_lock;

struct BdrvGraphRWlock {
    /* Readers that locked minus readers that unlocked here (atomic). */
    unsigned int reader_count;
    QTAILQ_ENTRY(BdrvGraphRWlock) next;
};

/*
 * state_lock protects the registry of counters, the wait queue of
 * readers that met a writer, and the changes of has_writer made while
 * readers may be queueing.
 */
static QemuMutex state_lock;
static QTAILQ_HEAD(, BdrvGraphRWlock) registry =
    QTAILQ_HEAD_INITIALIZER(registry);
static CoQueue reader_queue;

/*
 * Readers counted outside any registered context: coroutines of a
 * context that is not (or no longer) registered.  Atomic.
 */
static unsigned int orphan_count;

/* The writer holds, or is trying to take, the lock (atomic). */
static bool has_writer;

/*
 * The writer is waiting for readers to leave, so rdunlock must kick it
 * (atomic).  Kept apart from has_writer because the writer lowers
 * has_writer while it waits (see bdrv_graph_wrlock()).
 */
static bool writer_waiting;

static void __attribute__((constructor)) graph_lock_init(void)
{
    qemu_mutex_init(&state_lock);
    qemu_co_queue_init(&reader_queue);
}

void register_aiocontext(AioContext *ctx)
{
    BdrvGraphRWlock *rw = g_new0(BdrvGraphRWlock, 1);

    assert(ctx->bdrv_graph == NULL);
    qemu_mutex_lock(&state_lock);
    QTAILQ_INSERT_TAIL(&registry, rw, next);
    ctx->bdrv_graph = rw;
    qemu_mutex_unlock(&state_lock);
}

void unregister_aiocontext(AioContext *ctx)
{
    BdrvGraphRWlock *rw = ctx->bdrv_graph;

    if (!rw) {
        return;
    }
    qemu_mutex_lock(&state_lock);
    /* Keep the total exact: the balance moves to the orphan counter. */
    qatomic_add(&orphan_count, qatomic_read(&rw->reader_count));
    QTAILQ_REMOVE(&registry, rw, next);
    ctx->bdrv_graph = NULL;
    qemu_mutex_unlock(&state_lock);
    g_free(rw);
}

/* The counter the calling thread's coroutines use. */
static unsigned int *current_counter(void)
{
    AioContext *ctx = qemu_get_current_aio_context();

    if (ctx && ctx->bdrv_graph) {
        return &ctx->bdrv_graph->reader_count;
    }
    return &orphan_count;
}

/* Number of read locks currently held, over all contexts. */
static unsigned int reader_count(void)
{
    BdrvGraphRWlock *rw;
    unsigned int sum;

    qemu_mutex_lock(&state_lock);
    sum = qatomic_read(&orphan_count);
    QTAILQ_FOREACH(rw, &registry, next) {
        sum += qatomic_read(&rw->reader_count);
    }
    qemu_mutex_unlock(&state_lock);
    return sum;
}

/*
 * Lower has_writer and let queued readers go.  Done under state_lock so
 * that a reader deciding whether to queue sees a consistent flag.
 */
static void release_readers(void)
{
    qemu_mutex_lock(&state_lock);
    qatomic_store_release(&has_writer, false);
    qemu_co_enter_all_impl(&reader_queue,
                           QEMU_MAKE_LOCKABLE_NONNULL(&state_lock));
    qemu_mutex_unlock(&state_lock);
}

void bdrv_graph_wrlock(void)
{
    GLOBAL_STATE_CODE();
    assert(!qemu_in_coroutine());
    assert(!qatomic_read(&has_writer));

    qatomic_set(&writer_waiting, true);
    for (;;) {
        qatomic_set(&has_writer, true);
        /* Pairs with the barrier after the increment in rdlock. */
        smp_mb();
        if (reader_count() == 0) {
            break;
        }
        /*
         * Readers are in.  Step back while waiting for them: one of them
         * may need a nested read lock to finish, which it could not get
         * with has_writer raised.  Readers that queued in the meantime
         * are released for the same reason.
         */
        release_readers();
        AIO_WAIT_WHILE_UNLOCKED(NULL, reader_count() != 0);
    }
    qatomic_set(&writer_waiting, false);
    /* Graph changes must not move before the readers' last accesses. */
    smp_mb();
}

void bdrv_graph_wrunlock(void)
{
    GLOBAL_STATE_CODE();
    assert(qatomic_read(&has_writer));

    /* The store-release in release_readers() publishes our changes. */
    release_readers();
}

void coroutine_fn bdrv_graph_co_rdlock(void)
{
    assert(qemu_in_coroutine());

    for (;;) {
        unsigned int *counter = current_counter();

        qatomic_inc(counter);
        /* Pairs with the barrier after has_writer is raised in wrlock. */
        smp_mb__after_rmw();
        if (!qatomic_read(&has_writer)) {
            /* Order our graph reads after the writer's changes. */
            smp_mb_acquire();
            return;
        }

        /*
         * A writer is there: take our count back, tell the writer, and
         * sleep until it is done.  The flag is checked again under the
         * lock, so a wake-up from release_readers() cannot be missed.
         */
        qatomic_dec(counter);
        smp_mb__after_rmw();
        if (qatomic_read(&writer_waiting)) {
            aio_wait_kick();
        }
        qemu_mutex_lock(&state_lock);
        if (qatomic_read(&has_writer)) {
            qemu_co_queue_wait_impl(&reader_queue,
                                    QEMU_MAKE_LOCKABLE_NONNULL(&state_lock), 0);
        }
        qemu_mutex_unlock(&state_lock);
    }
}

void coroutine_fn bdrv_graph_co_rdunlock(void)
{
    assert(qemu_in_coroutine());

    /* Our graph reads must be done before the writer can see us gone. */
    smp_mb_release();
    qatomic_dec(current_counter());
    /* Pairs with the barrier between writer_waiting and reader_count(). */
    smp_mb__after_rmw();
    if (qatomic_read(&writer_waiting)) {
        aio_wait_kick();
    }
}

void bdrv_graph_rdlock_main_loop(void)
{
    GLOBAL_STATE_CODE();
    assert(!qemu_in_coroutine());
    /*
     * No check of has_writer: the writer is this very thread, and code
     * it runs while holding the write lock (drained callbacks, BHs run
     * by its polling) may read the graph it is changing.  Holding the
     * BQL is what keeps every other writer out.
     */
}

void bdrv_graph_rdunlock_main_loop(void)
{
    GLOBAL_STATE_CODE();
    assert(!qemu_in_coroutine());
}

void assert_bdrv_graph_readable(void)
{
    /* The main loop is the only writer, so it may always read. */
    if (qemu_in_main_thread()) {
        return;
    }
#if DEBUG_GRAPH_LOCK
    assert(reader_count() != 0);
#endif
}

void assert_bdrv_graph_writable(void)
{
    assert(qemu_in_main_thread());
    assert(qatomic_read(&has_writer));
}
