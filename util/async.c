/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * async.c: AioContext life cycle, bottom halves, notification, the
 * GSource wrapper and coroutine scheduling between contexts.
 *
 * Bottom halves: scheduling pushes the BH on ctx->bh_list (lock-free,
 * any thread) unless it is already queued.  aio_bh_poll() takes the
 * whole list as a "slice" and runs it newest first, as QEMU does (this
 * is visible in tool output, e.g. the completion order of several qemu-io
 * aio_write requests on null-co); slices are
 * kept on ctx->bh_slice_list so that a BH that polls the context again
 * (nested aio_poll) continues the outer slice instead of skipping it.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/atomic.h"
#include "qemu/coroutine_int.h"
#include "block/aio.h"
#include "block/thread-pool.h"
#include "aio-posix.h"
#include "trace/trace-util.h"

enum {
    BH_PENDING   = 1 << 0,  /* on ctx->bh_list or a slice */
    BH_SCHEDULED = 1 << 1,  /* should run when dequeued */
    BH_DELETED   = 1 << 2,  /* free when dequeued */
    BH_ONESHOT   = 1 << 3,  /* free after running */
    BH_IDLE      = 1 << 4,  /* does not count as progress, no wakeup */
};

struct QEMUBH {
    AioContext *ctx;
    const char *name;
    QEMUBHFunc *cb;
    void *opaque;
    QSLIST_ENTRY(QEMUBH) next;
    unsigned flags;
};

static __thread AioContext *my_aiocontext;

/*
 * The block layer's graph lock keeps a reader counter per context
 * (block/graph-lock.c defines the real functions).  Programs linked
 * without the block layer get these empty weak versions.
 */
void register_aiocontext(AioContext *ctx);
void unregister_aiocontext(AioContext *ctx);

void __attribute__((weak)) register_aiocontext(AioContext *ctx)
{
}

void __attribute__((weak)) unregister_aiocontext(AioContext *ctx)
{
}

/* ---- bottom halves ---- */

/* Queue @bh with @new_flags; any thread. */
static void aio_bh_enqueue(QEMUBH *bh, unsigned new_flags)
{
    AioContext *ctx = bh->ctx;
    unsigned old_flags;

    old_flags = qatomic_fetch_or(&bh->flags, BH_PENDING | new_flags);
    if (!(old_flags & BH_PENDING)) {
        QSLIST_INSERT_HEAD_ATOMIC(&ctx->bh_list, bh, next);
    }
    if (!(new_flags & BH_IDLE)) {
        aio_notify(ctx);
    }
}

void aio_bh_schedule_oneshot_full(AioContext *ctx, QEMUBHFunc *cb,
                                  void *opaque, const char *name)
{
    QEMUBH *bh = g_new(QEMUBH, 1);

    *bh = (QEMUBH) { .ctx = ctx, .cb = cb, .opaque = opaque, .name = name };
    aio_bh_enqueue(bh, BH_SCHEDULED | BH_ONESHOT);
}

QEMUBH *aio_bh_new_full(AioContext *ctx, QEMUBHFunc *cb, void *opaque,
                        const char *name, MemReentrancyGuard *reentrancy_guard)
{
    QEMUBH *bh = g_new(QEMUBH, 1);

    *bh = (QEMUBH) { .ctx = ctx, .cb = cb, .opaque = opaque, .name = name };
    return bh;
}

void qemu_bh_schedule(QEMUBH *bh)
{
    aio_bh_enqueue(bh, BH_SCHEDULED);
}

void qemu_bh_schedule_idle(QEMUBH *bh)
{
    aio_bh_enqueue(bh, BH_SCHEDULED | BH_IDLE);
}

void qemu_bh_cancel(QEMUBH *bh)
{
    qatomic_and(&bh->flags, ~BH_SCHEDULED);
}

void qemu_bh_delete(QEMUBH *bh)
{
    /* If it is queued, whoever dequeues it frees it. */
    unsigned old = qatomic_fetch_or(&bh->flags, BH_DELETED);

    if (!(old & BH_PENDING)) {
        g_free(bh);
    }
}

/*
 * Take everything scheduled so far.  The pending list is LIFO and is kept
 * that way: the BH scheduled last runs first, which is QEMU's order.
 */
static void bh_slice_fill(BHListSlice *slice, AioContext *ctx)
{
    QSLIST_MOVE_ATOMIC(&slice->bh_list, &ctx->bh_list);
}

int aio_bh_poll(AioContext *ctx)
{
    BHListSlice slice;
    BHListSlice *s;
    int progress = 0;

    bh_slice_fill(&slice, ctx);
    QSIMPLEQ_INSERT_TAIL(&ctx->bh_slice_list, &slice, next);

    while ((s = QSIMPLEQ_FIRST(&ctx->bh_slice_list))) {
        QEMUBH *bh = QSLIST_FIRST(&s->bh_list);
        unsigned flags;

        if (!bh) {
            QSIMPLEQ_REMOVE_HEAD(&ctx->bh_slice_list, next);
            continue;
        }
        QSLIST_REMOVE_HEAD(&s->bh_list, next);

        /* From here on the BH may be queued again, even by itself. */
        flags = qatomic_fetch_and(&bh->flags,
                                  ~(BH_PENDING | BH_SCHEDULED | BH_IDLE));
        if ((flags & (BH_SCHEDULED | BH_DELETED)) == BH_SCHEDULED) {
            if (!(flags & BH_IDLE)) {
                progress = 1;
            }
            bh->cb(bh->opaque);
        }
        if (flags & (BH_DELETED | BH_ONESHOT)) {
            g_free(bh);
        }
    }
    return progress;
}

static bool aio_bh_pending(AioContext *ctx)
{
    BHListSlice *s;
    QEMUBH *bh;

    if (!QSLIST_EMPTY(&ctx->bh_list)) {
        return true;
    }
    QSIMPLEQ_FOREACH(s, &ctx->bh_slice_list, next) {
        QSLIST_FOREACH(bh, &s->bh_list, next) {
            if (qatomic_read(&bh->flags) & BH_SCHEDULED) {
                return true;
            }
        }
    }
    return false;
}

/* ---- notification ---- */

void aio_notify(AioContext *ctx)
{
    /* Publish the work before the flag; the flag before the check. */
    smp_wmb();
    qatomic_set(&ctx->notified, true);
    smp_mb();
    if (qatomic_read(&ctx->notify_me)) {
        event_notifier_set(&ctx->notifier);
    }
}

void aio_notify_accept(AioContext *ctx)
{
    qatomic_set(&ctx->notified, false);
    /* Clear the flag before reading the work it announced. */
    smp_mb();
}

static void aio_context_notifier_cb(EventNotifier *e)
{
    event_notifier_test_and_clear(e);
}

/* Busy polling sees aio_notify() without the eventfd. */
static bool aio_context_notifier_poll(void *opaque)
{
    EventNotifier *e = opaque;
    AioContext *ctx = container_of(e, AioContext, notifier);

    return qatomic_read(&ctx->notified);
}

static void aio_timerlist_notify(void *opaque, QEMUClockType type)
{
    aio_notify(opaque);
}

int64_t aio_compute_timeout(AioContext *ctx)
{
    if (aio_bh_pending(ctx)) {
        return 0;
    }
    return timerlistgroup_deadline_ns(&ctx->tlg);
}

bool aio_prepare(AioContext *ctx)
{
    return aio_compute_timeout(ctx) == 0;
}

/* ---- GSource ---- */

static gboolean aio_ctx_prepare(GSource *source, gint *timeout)
{
    AioContext *ctx = (AioContext *)source;

    qatomic_or(&ctx->notify_me, 1);
    smp_mb__after_rmw();
    *timeout = qemu_timeout_ns_to_ms(aio_compute_timeout(ctx));
    if (*timeout == 0 || qatomic_read(&ctx->notified)) {
        *timeout = 0;
        qatomic_and(&ctx->notify_me, ~1);
        aio_notify_accept(ctx);
        return TRUE;
    }
    return FALSE;
}

static gboolean aio_ctx_check(GSource *source)
{
    AioContext *ctx = (AioContext *)source;

    qatomic_and(&ctx->notify_me, ~1);
    aio_notify_accept(ctx);
    return aio_bh_pending(ctx) || aio_pending(ctx) ||
           timerlistgroup_deadline_ns(&ctx->tlg) == 0;
}

static gboolean aio_ctx_dispatch(GSource *source, GSourceFunc callback,
                                 gpointer user_data)
{
    aio_dispatch((AioContext *)source);
    return TRUE;
}

/* Functions of aio_context_add_finalize_hook(), NULL-padded (atomic). */
#define AIO_MAX_FINALIZE_HOOKS 4
static AioContextFinalizeFn *finalize_hooks[AIO_MAX_FINALIZE_HOOKS];

void aio_context_add_finalize_hook(AioContextFinalizeFn *fn)
{
    int i;

    for (i = 0; i < AIO_MAX_FINALIZE_HOOKS; i++) {
        AioContextFinalizeFn *old = qatomic_cmpxchg(&finalize_hooks[i],
                                                    NULL, fn);

        if (old == NULL || old == fn) {
            return;
        }
    }
    g_assert_not_reached();
}

static void aio_ctx_finalize(GSource *source)
{
    AioContext *ctx = (AioContext *)source;
    QEMUBH *bh;
    int i;

    /* Outside users first, while handlers and BHs can still be removed. */
    for (i = 0; i < AIO_MAX_FINALIZE_HOOKS; i++) {
        AioContextFinalizeFn *fn = qatomic_read(&finalize_hooks[i]);

        if (fn) {
            fn(ctx);
        }
    }

    if (ctx->thread_pool) {
        thread_pool_free(ctx->thread_pool);
        ctx->thread_pool = NULL;
    }
    qemu_bh_delete(ctx->co_schedule_bh);

    /* Whatever is still queued was never run: free it. */
    assert(QSIMPLEQ_EMPTY(&ctx->bh_slice_list));
    while ((bh = QSLIST_FIRST(&ctx->bh_list))) {
        QSLIST_REMOVE_HEAD(&ctx->bh_list, next);
        if (bh->flags & (BH_DELETED | BH_ONESHOT)) {
            g_free(bh);
        } else {
            /* Still owned by its creator, who may delete it later. */
            bh->flags &= ~(BH_PENDING | BH_SCHEDULED);
        }
    }

    aio_set_event_notifier(ctx, &ctx->notifier, NULL, NULL, NULL);
    event_notifier_cleanup(&ctx->notifier);
    qemu_rec_mutex_destroy(&ctx->lock);
    timerlistgroup_deinit(&ctx->tlg);
    unregister_aiocontext(ctx);
    aio_context_destroy(ctx);
}

static GSourceFuncs aio_source_funcs = {
    .prepare = aio_ctx_prepare,
    .check = aio_ctx_check,
    .dispatch = aio_ctx_dispatch,
    .finalize = aio_ctx_finalize,
};

GSource *aio_get_g_source(AioContext *ctx)
{
    aio_context_use_g_source(ctx);
    g_source_ref(&ctx->source);
    return &ctx->source;
}

void aio_context_use_g_source(AioContext *ctx)
{
    ctx->use_g_source = true;
}

/* ---- coroutines ---- */

/* Enter every coroutine aio_co_schedule() queued, oldest first. */
static void co_schedule_bh_cb(void *opaque)
{
    AioContext *ctx = opaque;
    QSLIST_HEAD(, Coroutine) straight, reversed;

    QSLIST_MOVE_ATOMIC(&reversed, &ctx->scheduled_coroutines);
    QSLIST_INIT(&straight);
    while (!QSLIST_EMPTY(&reversed)) {
        Coroutine *co = QSLIST_FIRST(&reversed);
        QSLIST_REMOVE_HEAD(&reversed, co_scheduled_next);
        QSLIST_INSERT_HEAD(&straight, co, co_scheduled_next);
    }

    while (!QSLIST_EMPTY(&straight)) {
        Coroutine *co = QSLIST_FIRST(&straight);
        QSLIST_REMOVE_HEAD(&straight, co_scheduled_next);

        /* Pairs with the release store in aio_co_schedule(). */
        trace_aio_co_schedule_bh_cb(ctx, co);
        qatomic_store_release(&co->scheduled, NULL);
        smp_mb();
        aio_context_acquire(ctx);
        qemu_aio_coroutine_enter(ctx, co);
        aio_context_release(ctx);
    }
}

void aio_co_schedule(AioContext *ctx, Coroutine *co)
{
    const char *scheduled;

    trace_aio_co_schedule(ctx, co);
    scheduled = qatomic_cmpxchg(&co->scheduled, NULL, __func__);

    if (scheduled) {
        fprintf(stderr, "%s: Co-routine was already scheduled in '%s'\n",
                __func__, scheduled);
        abort();
    }
    /* Keep @ctx alive until the coroutine has been entered there. */
    QSLIST_INSERT_HEAD_ATOMIC(&ctx->scheduled_coroutines, co,
                              co_scheduled_next);
    qemu_bh_schedule(ctx->co_schedule_bh);
}

typedef struct {
    Coroutine *co;
    AioContext *new_ctx;
} RescheduleData;

static void reschedule_bh_cb(void *opaque)
{
    RescheduleData *data = opaque;

    aio_co_schedule(data->new_ctx, data->co);
}

void coroutine_fn aio_co_reschedule_self(AioContext *new_ctx)
{
    AioContext *old_ctx = qemu_get_current_aio_context();
    RescheduleData data = {
        .co = qemu_coroutine_self(),
        .new_ctx = new_ctx,
    };

    if (old_ctx == new_ctx) {
        return;
    }
    /*
     * Scheduling ourselves on @new_ctx right here would let its thread
     * enter us before we have yielded.  A BH in the old context runs
     * only after the yield, so it is safe to schedule from there.
     */
    if (old_ctx) {
        aio_bh_schedule_oneshot(old_ctx, reschedule_bh_cb, &data);
    } else {
        aio_co_schedule(new_ctx, data.co);
    }
    qemu_coroutine_yield();
}

void aio_co_wake(Coroutine *co)
{
    AioContext *ctx;

    /* Read co->ctx only after whatever made us wake it. */
    smp_mb();
    ctx = qatomic_read(&co->ctx);
    aio_co_enter(ctx, co);
}

void aio_co_enter(AioContext *ctx, Coroutine *co)
{
    if (ctx != qemu_get_current_aio_context()) {
        aio_co_schedule(ctx, co);
        return;
    }
    if (qemu_in_coroutine()) {
        /* Run it once the current coroutine yields or terminates. */
        Coroutine *self = qemu_coroutine_self();
        assert(self != co);
        QSIMPLEQ_INSERT_TAIL(&self->co_queue_wakeup, co, co_queue_next);
        return;
    }
    if (ctx) {
        aio_context_acquire(ctx);
    }
    qemu_aio_coroutine_enter(ctx, co);
    if (ctx) {
        aio_context_release(ctx);
    }
}

/* ---- life cycle and misc ---- */

AioContext *aio_context_new(Error **errp)
{
    AioContext *ctx;
    int ret;

    ctx = (AioContext *)g_source_new(&aio_source_funcs, sizeof(AioContext));
    QSLIST_INIT(&ctx->bh_list);
    QSIMPLEQ_INIT(&ctx->bh_slice_list);
    QSLIST_INIT(&ctx->scheduled_coroutines);
    aio_context_setup(ctx);

    ret = event_notifier_init(&ctx->notifier, false);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to initialize event notifier");
        aio_context_destroy(ctx);
        g_source_destroy(&ctx->source);
        return NULL;
    }
    g_source_set_can_recurse(&ctx->source, true);
    qemu_rec_mutex_init(&ctx->lock);
    timerlistgroup_init(&ctx->tlg, aio_timerlist_notify, ctx);
    aio_set_event_notifier(ctx, &ctx->notifier, aio_context_notifier_cb,
                           aio_context_notifier_poll, NULL);
    ctx->co_schedule_bh = aio_bh_new(ctx, co_schedule_bh_cb, ctx);
    ctx->thread_pool_min = 0;
    ctx->thread_pool_max = 64;
    register_aiocontext(ctx);
    return ctx;
}

void aio_context_ref(AioContext *ctx)
{
    g_source_ref(&ctx->source);
}

void aio_context_unref(AioContext *ctx)
{
    g_source_unref(&ctx->source);
}

void aio_context_acquire(AioContext *ctx)
{
    qemu_rec_mutex_lock(&ctx->lock);
}

void aio_context_release(AioContext *ctx)
{
    qemu_rec_mutex_unlock(&ctx->lock);
}

ThreadPool *aio_get_thread_pool(AioContext *ctx)
{
    if (!ctx->thread_pool) {
        ctx->thread_pool = thread_pool_new(ctx);
    }
    return ctx->thread_pool;
}

void aio_context_set_thread_pool_params(AioContext *ctx, int64_t min,
                                        int64_t max, Error **errp)
{
    if (min > max || max <= 0 || min < 0 || max > INT_MAX) {
        error_setg(errp, "bad thread-pool-min/thread-pool-max values");
        return;
    }
    ctx->thread_pool_min = min;
    ctx->thread_pool_max = max;
    if (ctx->thread_pool) {
        thread_pool_update_params(ctx->thread_pool, ctx);
    }
}

void aio_context_set_poll_params(AioContext *ctx, int64_t max_ns,
                                 int64_t grow, int64_t shrink, Error **errp)
{
    if (max_ns < 0 || grow < 0 || shrink < 0) {
        error_setg(errp, "poll parameters must not be negative");
        return;
    }
    ctx->poll_max_ns = max_ns;
    ctx->poll_grow = grow;
    ctx->poll_shrink = shrink;
    /* Start again from no polling; aio_poll() grows the window. */
    ctx->poll_ns = 0;
}

void aio_context_set_aio_params(AioContext *ctx, int64_t max_batch)
{
    ctx->aio_max_batch = max_batch;
}

AioContext *qemu_get_current_aio_context(void)
{
    if (my_aiocontext) {
        return my_aiocontext;
    }
    if (qemu_mutex_iothread_locked()) {
        /* The main loop's context, or NULL before it exists. */
        return qemu_get_aio_context();
    }
    return NULL;
}

void qemu_set_current_aio_context(AioContext *ctx)
{
    assert(!my_aiocontext || !ctx);
    my_aiocontext = ctx;
}
