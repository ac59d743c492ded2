/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-coroutine.c: creating, entering and yielding coroutines, and the
 * pools of terminated coroutines kept for reuse.
 *
 * Pools: each thread keeps a private free list, so the common
 * create/terminate cycle takes no lock.  A coroutine that terminates in a
 * thread whose list is full goes to one global list (lock-free push),
 * from which a thread with an empty private list takes everything at
 * once.  This balances threads that mostly create coroutines against
 * threads where they mostly terminate.  The stack switching itself is in
 * coroutine-ucontext.c.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/coroutine_int.h"
#include "block/aio.h"
#include "trace/trace-util.h"

enum {
    /* Default size of each free list. */
    POOL_DEFAULT_MAX = 64,
};

static unsigned int pool_max = POOL_DEFAULT_MAX;

static QSLIST_HEAD(, Coroutine) global_pool;
static unsigned int global_pool_size;

static __thread QSLIST_HEAD(, Coroutine) local_pool;
static __thread unsigned int local_pool_size;

static pthread_key_t pool_key;
static pthread_once_t pool_key_once = PTHREAD_ONCE_INIT;

/* Thread exit: free what the private list still holds. */
static void local_pool_cleanup(void *unused)
{
    Coroutine *co;

    while ((co = QSLIST_FIRST(&local_pool))) {
        QSLIST_REMOVE_HEAD(&local_pool, pool_next);
        qemu_coroutine_delete(co);
    }
    local_pool_size = 0;
}

static void pool_key_init(void)
{
    pthread_key_create(&pool_key, local_pool_cleanup);
}

static Coroutine *pool_get(void)
{
    Coroutine *co = QSLIST_FIRST(&local_pool);

    if (!co && qatomic_read(&global_pool_size) > 0) {
        /* Take the whole global list; its size counter follows. */
        QSLIST_MOVE_ATOMIC(&local_pool, &global_pool);
        local_pool_size = qatomic_xchg(&global_pool_size, 0);
        co = QSLIST_FIRST(&local_pool);
        if (!co) {
            local_pool_size = 0;
        }
    }
    if (co) {
        QSLIST_REMOVE_HEAD(&local_pool, pool_next);
        if (local_pool_size > 0) {
            local_pool_size--;
        }
    }
    return co;
}

static void pool_put(Coroutine *co)
{
    unsigned int max = qatomic_read(&pool_max);

    if (local_pool_size < max) {
        if (QSLIST_EMPTY(&local_pool)) {
            /* Arrange for the destructor to run at thread exit. */
            pthread_once(&pool_key_once, pool_key_init);
            pthread_setspecific(pool_key, &local_pool);
        }
        QSLIST_INSERT_HEAD(&local_pool, co, pool_next);
        local_pool_size++;
        return;
    }
    if (qatomic_read(&global_pool_size) < max) {
        QSLIST_INSERT_HEAD_ATOMIC(&global_pool, co, pool_next);
        qatomic_inc(&global_pool_size);
        return;
    }
    qemu_coroutine_delete(co);
}

Coroutine *qemu_coroutine_create(CoroutineEntry *entry, void *opaque)
{
    Coroutine *co = pool_get();

    if (!co) {
        co = qemu_coroutine_new();
    }
    co->entry = entry;
    co->entry_arg = opaque;
    co->caller = NULL;
    co->ctx = NULL;
    co->locks_held = 0;
    co->scheduled = NULL;
    QSIMPLEQ_INIT(&co->co_queue_wakeup);
    return co;
}

static G_NORETURN void coroutine_die(const char *msg, const char *where)
{
    if (where) {
        fprintf(stderr, "qemu_aio_coroutine_enter: %s '%s'\n", msg, where);
    } else {
        fprintf(stderr, "%s\n", msg);
    }
    abort();
}

void qemu_aio_coroutine_enter(AioContext *ctx, Coroutine *co)
{
    QSIMPLEQ_HEAD(, Coroutine) todo = QSIMPLEQ_HEAD_INITIALIZER(todo);
    Coroutine *self = qemu_coroutine_self();

    QSIMPLEQ_INSERT_TAIL(&todo, co, co_queue_next);

    /*
     * Run @co, then whatever it woke while running (its wakeup list),
     * depth first, so that wakeups happen in the order they were made.
     */
    while (!QSIMPLEQ_EMPTY(&todo)) {
        Coroutine *to = QSIMPLEQ_FIRST(&todo);
        const char *scheduled = qatomic_read(&to->scheduled);
        CoroutineAction ret;

        QSIMPLEQ_REMOVE_HEAD(&todo, co_queue_next);
        if (scheduled) {
            coroutine_die("Co-routine was already scheduled in", scheduled);
        }
        if (to->caller) {
            coroutine_die("Co-routine re-entered recursively", NULL);
        }
        to->caller = self;
        to->ctx = ctx;
        /* Make our view of *to visible where it is going to run. */
        smp_wmb();

        trace_qemu_aio_coroutine_enter(ctx, self, to, to->entry_arg);
        ret = qemu_coroutine_switch(self, to, COROUTINE_ENTER);

        QSIMPLEQ_PREPEND(&todo, &to->co_queue_wakeup);
        switch (ret) {
        case COROUTINE_YIELD:
            break;
        case COROUTINE_TERMINATE:
            trace_qemu_coroutine_terminate(to);
            assert(to->locks_held == 0);
            to->caller = NULL;
            pool_put(to);
            break;
        default:
            abort();
        }
    }
}

void qemu_coroutine_enter(Coroutine *co)
{
    qemu_aio_coroutine_enter(qemu_get_current_aio_context(), co);
}

void qemu_coroutine_enter_if_inactive(Coroutine *co)
{
    if (!qemu_coroutine_entered(co)) {
        qemu_coroutine_enter(co);
    }
}

void coroutine_fn qemu_coroutine_yield(void)
{
    Coroutine *self = qemu_coroutine_self();
    Coroutine *to = self->caller;

    if (!to) {
        coroutine_die("Co-routine is yielding to no one", NULL);
    }
    self->caller = NULL;
    trace_qemu_coroutine_yield(self, to);
    qemu_coroutine_switch(self, to, COROUTINE_YIELD);
}

bool qemu_coroutine_entered(Coroutine *co)
{
    return co->caller != NULL;
}

AioContext *qemu_coroutine_get_aio_context(Coroutine *co)
{
    return co->ctx;
}

void qemu_coroutine_inc_pool_size(unsigned int additional_pool_size)
{
    qatomic_add(&pool_max, additional_pool_size);
}

void qemu_coroutine_dec_pool_size(unsigned int removing_pool_size)
{
    qatomic_sub(&pool_max, removing_pool_size);
}
