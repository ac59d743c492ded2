/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio.h: AioContext, the event loop of one thread, and the callback
 * based AIO request type BlockAIOCB.
 *
 * An AioContext dispatches bottom halves (deferred callbacks), file
 * descriptor handlers and timers.  It is driven either by aio_poll() in
 * its home thread (an IOThread, or the main thread for
 * qemu_get_aio_context()) or as a GSource attached to a glib main loop.
 * Bottom halves, timers and coroutines may be scheduled on it from any
 * thread; its callbacks run only in the home thread.
 */
#ifndef QEMU_AIO_H
#define QEMU_AIO_H

#include "qemu/atomic.h"
#include "qemu/coroutine-core.h"
#include "qemu/queue.h"
#include "qemu/event_notifier.h"
#include "qemu/thread.h"
#include "qemu/timer.h"

/* ---- callback-based AIO requests ---- */

typedef struct BlockAIOCB BlockAIOCB;
typedef void BlockCompletionFunc(void *opaque, int ret);

typedef struct AIOCBInfo {
    /* Ask for cancellation; the completion callback still runs once. */
    void (*cancel_async)(BlockAIOCB *acb);
    AioContext *(*get_aio_context)(BlockAIOCB *acb);
    size_t aiocb_size;
} AIOCBInfo;

struct BlockAIOCB {
    const AIOCBInfo *aiocb_info;
    BlockDriverState *bs;
    BlockCompletionFunc *cb;
    void *opaque;
    int refcnt;
};

/*
 * Allocate an AIOCB of aiocb_info->aiocb_size bytes with one reference;
 * qemu_aio_unref() frees it when the last reference goes.
 */
void *qemu_aio_get(const AIOCBInfo *aiocb_info, BlockDriverState *bs,
                   BlockCompletionFunc *cb, void *opaque);
void qemu_aio_unref(void *p);
void qemu_aio_ref(void *p);

/* ---- AioContext ---- */

typedef struct AioHandler AioHandler;
typedef QLIST_HEAD(, AioHandler) AioHandlerList;
typedef struct BHListSlice BHListSlice;
typedef struct ThreadPool ThreadPool;
typedef struct LinuxAioState LinuxAioState;
typedef struct LuringState LuringState;
typedef struct FDMonOps FDMonOps;
typedef struct MemReentrancyGuard MemReentrancyGuard;

/* Returns true when the polled source has work (busy polling). */
typedef bool AioPollFn(void *opaque);

/* A batch of bottom halves taken from the pending list by aio_bh_poll(). */
struct BHListSlice {
    QSLIST_HEAD(, QEMUBH) bh_list;
    QSIMPLEQ_ENTRY(BHListSlice) next;
};

struct AioContext {
    GSource source;             /* must be first: the GSource view */

    /* aio_context_acquire()/release(); recursive. */
    QemuRecMutex lock;

    /*
     * fd handlers.  list_lock protects the lists and walkers; a handler
     * removed while someone walks the list is moved to deleted_handlers
     * and freed by the last walker.
     */
    QemuMutex list_lock;
    unsigned list_walkers;
    AioHandlerList aio_handlers;
    AioHandlerList deleted_aio_handlers;
    const FDMonOps *fdmon_ops;
    void *fdmon_opaque;

    /*
     * notify_me is non-zero while a poller may block: bit 0 for the
     * GSource, +2 per aio_poll().  aio_notify() only writes the eventfd
     * when it is set.  notified records a notification not yet accepted.
     */
    uint32_t notify_me;
    bool notified;
    EventNotifier notifier;

    /* Pending BHs (lock-free push) and slices being processed. */
    QSLIST_HEAD(, QEMUBH) bh_list;
    QSIMPLEQ_HEAD(, BHListSlice) bh_slice_list;

    /* Coroutines waiting for aio_co_schedule()'s bottom half. */
    QSLIST_HEAD(, Coroutine) scheduled_coroutines;
    QEMUBH *co_schedule_bh;

    QEMUTimerListGroup tlg;

    ThreadPool *thread_pool;
    int thread_pool_min;
    int thread_pool_max;

    /* Owned by block/linux-aio.c and block/io_uring.c when used. */
    LinuxAioState *linux_aio;
    LuringState *linux_io_uring;

    /*
     * Adaptive busy polling (aio_context_set_poll_params()): poll_ns is
     * the current window, between 0 and poll_max_ns, adjusted by
     * aio_poll() in its home thread.
     */
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;
    int64_t poll_ns;
    int64_t aio_max_batch;

    bool use_g_source;

    /*
     * Graph-lock reader counter of this context (block/graph-lock.c);
     * set by register_aiocontext() in aio_context_new().
     */
    struct BdrvGraphRWlock *bdrv_graph;
};

/*
 * Create a new AioContext with one reference.  Returns NULL and sets
 * @errp if the notifier cannot be created.
 */
AioContext *aio_context_new(Error **errp);
void aio_context_ref(AioContext *ctx);
/* Drop a reference; the last one frees @ctx and its thread pool. */
void aio_context_unref(AioContext *ctx);

/*
 * The AioContext lock: a recursive mutex some code still takes around
 * operations on nodes of an IOThread's context.
 */
void aio_context_acquire(AioContext *ctx);
void aio_context_release(AioContext *ctx);

/* The GSource view of @ctx, for g_source_attach(). */
GSource *aio_get_g_source(AioContext *ctx);

/* The thread pool of @ctx, created on first use. */
ThreadPool *aio_get_thread_pool(AioContext *ctx);

/*
 * Wake the home thread of @ctx if it is blocked in aio_poll() or in the
 * glib loop.  Any thread.
 */
void aio_notify(AioContext *ctx);
/* Consume a pending notification (called by pollers). */
void aio_notify_accept(AioContext *ctx);

/*
 * Bottom halves.  A BH is a callback run once per scheduling, in the
 * home thread of its context, as soon as that context polls.
 * Scheduling is thread-safe and idempotent until the BH has run.
 */
void aio_bh_schedule_oneshot_full(AioContext *ctx, QEMUBHFunc *cb,
                                  void *opaque, const char *name);
/* Run @cb(@opaque) once in @ctx; the BH frees itself. */
#define aio_bh_schedule_oneshot(ctx, cb, opaque) \
    aio_bh_schedule_oneshot_full((ctx), (cb), (opaque), (stringify(cb)))

/* Create a reusable BH; schedule it with qemu_bh_schedule(). */
QEMUBH *aio_bh_new_full(AioContext *ctx, QEMUBHFunc *cb, void *opaque,
                        const char *name, MemReentrancyGuard *reentrancy_guard);
#define aio_bh_new(ctx, cb, opaque) \
    aio_bh_new_full((ctx), (cb), (opaque), (stringify(cb)), NULL)
#define aio_bh_new_guarded(ctx, cb, opaque, guard) \
    aio_bh_new_full((ctx), (cb), (opaque), (stringify(cb)), guard)

/* Run scheduled BHs; returns non-zero if one (not idle) ran. */
int aio_bh_poll(AioContext *ctx);

/* Schedule @bh; any thread.  Runs once even if scheduled repeatedly. */
void qemu_bh_schedule(QEMUBH *bh);
/* As qemu_bh_schedule() but does not wake a sleeping poller. */
void qemu_bh_schedule_idle(QEMUBH *bh);
/* Unschedule @bh if it has not run yet.  Home thread only. */
void qemu_bh_cancel(QEMUBH *bh);
/* Cancel and free @bh (deferred if it is queued).  Home thread only. */
void qemu_bh_delete(QEMUBH *bh);

/* True if @ctx has work ready without blocking (BHs, expired timers). */
bool aio_prepare(AioContext *ctx);
bool aio_pending(AioContext *ctx);

/*
 * Run one iteration of @ctx's event loop in its home thread: dispatch
 * ready fd handlers, scheduled BHs and expired timers.  If @blocking,
 * first wait until something is ready or aio_notify() is called.
 * Returns true if any callback made progress (a notification alone does
 * not count).  May be nested inside callbacks.
 */
bool aio_poll(AioContext *ctx, bool blocking);

/*
 * Register, replace (same @fd) or, with all callbacks NULL, remove the
 * handlers of @fd.  @io_read/@io_write run when @fd is readable/writable.
 * @io_poll/@io_poll_ready are the busy-polling pair: while the context
 * polls (see aio_context_set_poll_params()), aio_poll() calls @io_poll
 * in a loop instead of sleeping, and @io_poll_ready once it returns
 * true; @io_poll must be cheap and must not block.  Any thread.
 */
void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, AioPollFn *io_poll,
                        IOHandler *io_poll_ready, void *opaque);

/* As aio_set_fd_handler() for @notifier's read descriptor. */
void aio_set_event_notifier(AioContext *ctx, EventNotifier *notifier,
                            EventNotifierHandler *io_read,
                            AioPollFn *io_poll,
                            EventNotifierHandler *io_poll_ready);
/* Busy-polling begin/end hooks for @notifier (accepted, unused). */
void aio_set_event_notifier_poll(AioContext *ctx, EventNotifier *notifier,
                                 EventNotifierHandler *io_poll_begin,
                                 EventNotifierHandler *io_poll_end);

/* Timers in @ctx: they fire in @ctx's home thread. */
static inline QEMUTimer *aio_timer_new_with_attrs(AioContext *ctx,
                                                  QEMUClockType type,
                                                  int scale, int attributes,
                                                  QEMUTimerCB *cb,
                                                  void *opaque)
{
    return timer_new_full(&ctx->tlg, type, scale, attributes, cb, opaque);
}

static inline QEMUTimer *aio_timer_new(AioContext *ctx, QEMUClockType type,
                                       int scale, QEMUTimerCB *cb,
                                       void *opaque)
{
    return timer_new_full(&ctx->tlg, type, scale, 0, cb, opaque);
}

static inline void aio_timer_init_with_attrs(AioContext *ctx, QEMUTimer *ts,
                                             QEMUClockType type, int scale,
                                             int attributes, QEMUTimerCB *cb,
                                             void *opaque)
{
    timer_init_full(ts, &ctx->tlg, type, scale, attributes, cb, opaque);
}

static inline void aio_timer_init(AioContext *ctx, QEMUTimer *ts,
                                  QEMUClockType type, int scale,
                                  QEMUTimerCB *cb, void *opaque)
{
    timer_init_full(ts, &ctx->tlg, type, scale, 0, cb, opaque);
}

/* ns until @ctx has work: 0 if a BH is pending, -1 if nothing is armed. */
int64_t aio_compute_timeout(AioContext *ctx);

/*
 * Coroutines and contexts.
 *
 * aio_co_schedule: queue @co (yielded, not already scheduled) to be
 * entered by @ctx's home thread.  Any thread.
 */
void aio_co_schedule(AioContext *ctx, Coroutine *co);

/*
 * Move the current coroutine to @new_ctx: schedule itself there and
 * yield.  Returns running in @new_ctx's home thread.
 */
void coroutine_fn aio_co_reschedule_self(AioContext *new_ctx);

/*
 * Resume @co, which yielded, in its home context (see coroutine.h for
 * when it actually runs).  Any thread.
 */
void aio_co_wake(Coroutine *co);

/* As aio_co_wake() with an explicit target context @ctx. */
void aio_co_enter(AioContext *ctx, Coroutine *co);

/*
 * The AioContext of the calling thread: the one its IOThread runs, the
 * main context for the main thread (or any thread holding the BQL), or
 * NULL.
 */
AioContext *qemu_get_current_aio_context(void);
/* Declare @ctx the calling thread's context (once per thread). */
void qemu_set_current_aio_context(AioContext *ctx);

/* Whether the calling thread may run @ctx's callbacks. */
static inline bool in_aio_context_home_thread(AioContext *ctx);

/* Thread pool bounds for @ctx (applied to a pool already created). */
void aio_context_set_thread_pool_params(AioContext *ctx, int64_t min,
                                        int64_t max, Error **errp);
/*
 * Adaptive busy polling: before a blocking aio_poll() sleeps, it spins
 * on the io_poll callbacks (and on aio_notify()) for up to the current
 * window, never past the next timer.  The window starts at 0, grows
 * (times @grow, default 2; first step 4 us) while waits end within
 * @max_ns, and shrinks (divided by @shrink; 0: straight to 0) after a
 * wait longer than @max_ns.  @max_ns 0 turns polling off (the default).
 * Home thread of @ctx, or before it runs.
 */
void aio_context_set_poll_params(AioContext *ctx, int64_t max_ns,
                                 int64_t grow, int64_t shrink,
                                 Error **errp);
void aio_context_set_aio_params(AioContext *ctx, int64_t max_batch);

/*
 * Busy polling for a loop that sleeps on @ctx's file descriptors itself
 * (main_loop_wait() drives the main context through its GSource): call
 * aio_poll_spin() right before sleeping; it spins on the io_poll
 * callbacks for the current window (nothing when polling is off) and
 * runs the io_poll_ready callbacks of the handlers that found work.
 * True means it did: the caller must not sleep, only look at its fds.
 * After the wait, aio_poll_spin_end() with the same @start and result
 * fits the window as aio_poll() does.  Home thread of @ctx, with what
 * its handlers need held (the BQL in the main loop).
 */
bool aio_poll_spin(AioContext *ctx, int64_t *start);
void aio_poll_spin_end(AioContext *ctx, int64_t start, bool found);
/* Tell @ctx it is driven through its GSource (no-op hint). */
void aio_context_use_g_source(AioContext *ctx);

/*
 * A function called with every AioContext about to be finalised (its
 * last reference gone, so no thread runs it any more).  The context still
 * works: handlers and bottom halves can be removed.  Used by the block
 * layer to free the per-context engine states (ctx->linux_aio,
 * ctx->linux_io_uring), which util/ cannot see.
 */
typedef void AioContextFinalizeFn(AioContext *ctx);

/*
 * Have @fn called, first thing, by the finaliser of every AioContext
 * from now on.  Adding a function already added does nothing.  Any
 * thread; at most a handful of different functions (asserted).
 */
void aio_context_add_finalize_hook(AioContextFinalizeFn *fn);

/* Internal to util/: the fd-monitor half of the context. */
void aio_context_setup(AioContext *ctx);
void aio_context_destroy(AioContext *ctx);

/* The main loop's context (main-loop.h declares it too). */
AioContext *qemu_get_aio_context(void);
bool qemu_mutex_iothread_locked(void);

static inline bool in_aio_context_home_thread(AioContext *ctx)
{
    if (ctx == qemu_get_current_aio_context()) {
        return true;
    }
    if (ctx == qemu_get_aio_context()) {
        return qemu_mutex_iothread_locked();
    }
    return false;
}

#endif /* QEMU_AIO_H */
