/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio-wait.h: waiting in the main loop (or an AioContext's home thread)
 * for a condition that other threads make true.
 *
 * AIO_WAIT_WHILE(ctx, cond) runs an event loop until @cond is false.  In
 * @ctx's home thread it polls @ctx itself; otherwise it must be called
 * from the main thread and polls the main context, relying on whoever
 * changes @cond to call aio_wait_kick() afterwards.
 */
#ifndef QEMU_AIO_WAIT_H
#define QEMU_AIO_WAIT_H

#include "block/aio.h"
#include "qemu/main-loop.h"

typedef struct {
    /* Number of AIO_WAIT_WHILE() loops in progress; read by kickers. */
    unsigned num_waiters;
} AioWait;

extern AioWait global_aio_wait;

/*
 * The common body.  @unlock says whether to drop @ctx's AioContext lock
 * while polling the main context on @ctx's behalf.  Evaluates to true if
 * it had to wait at all.
 */
#define AIO_WAIT_WHILE_INTERNAL(ctx, cond, unlock) ({                    \
    AioContext *aw_ctx_ = (ctx);                                        \
    bool aw_waited_ = false;                                            \
    qatomic_inc(&global_aio_wait.num_waiters);                          \
    smp_mb__after_rmw();                                                \
    if (aw_ctx_ && in_aio_context_home_thread(aw_ctx_)) {               \
        while ((cond)) {                                                \
            aio_poll(aw_ctx_, true);                                    \
            aw_waited_ = true;                                          \
        }                                                               \
    } else {                                                            \
        assert(qemu_get_current_aio_context() ==                        \
               qemu_get_aio_context());                                 \
        while ((cond)) {                                                \
            if ((unlock) && aw_ctx_) {                                  \
                aio_context_release(aw_ctx_);                           \
            }                                                           \
            aio_poll(qemu_get_aio_context(), true);                     \
            if ((unlock) && aw_ctx_) {                                  \
                aio_context_acquire(aw_ctx_);                           \
            }                                                           \
            aw_waited_ = true;                                          \
        }                                                               \
    }                                                                   \
    qatomic_dec(&global_aio_wait.num_waiters);                          \
    aw_waited_; })

/* Caller holds @ctx's AioContext lock once (or @ctx is NULL / home). */
#define AIO_WAIT_WHILE(ctx, cond) \
    AIO_WAIT_WHILE_INTERNAL(ctx, cond, true)

/* Caller does not hold @ctx's AioContext lock. */
#define AIO_WAIT_WHILE_UNLOCKED(ctx, cond) \
    AIO_WAIT_WHILE_INTERNAL(ctx, cond, false)

/*
 * Wake AIO_WAIT_WHILE() loops in the main thread so they re-evaluate
 * their condition.  Call after changing it.  Any thread.
 */
void aio_wait_kick(void);

/*
 * Run @cb(@opaque) in @ctx's home thread and wait until it returned.
 * Main thread only.
 */
void aio_wait_bh_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque);

/* True in the main thread, whose loop AIO_WAIT_WHILE() polls. */
static inline bool in_aio_context_main_thread(void)
{
    return qemu_get_current_aio_context() == qemu_get_aio_context();
}

#endif /* QEMU_AIO_WAIT_H */
