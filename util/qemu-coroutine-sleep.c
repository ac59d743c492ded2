/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-coroutine-sleep.c: putting a coroutine to sleep on a timer of its
 * AioContext (or until somebody wakes it), and waiting for an fd to
 * become readable.
 */
#include "qemu/osdep.h"
#include "qemu/coroutine_int.h"
#include "block/aio.h"

void qemu_co_sleep_wake(QemuCoSleep *w)
{
    /* The timer and an explicit wake may race: only one gets @co. */
    Coroutine *co = qatomic_xchg(&w->to_wake, NULL);

    if (co) {
        aio_co_wake(co);
    }
}

static void co_sleep_timer_cb(void *opaque)
{
    qemu_co_sleep_wake(opaque);
}

void coroutine_fn qemu_co_sleep(QemuCoSleep *w)
{
    Coroutine *self = qemu_coroutine_self();

    assert(qemu_in_coroutine());
    assert(w->to_wake == NULL);
    qatomic_set(&w->to_wake, self);
    qemu_coroutine_yield();
    /* qemu_co_sleep_wake() cleared it before waking us. */
    assert(qatomic_read(&w->to_wake) == NULL);
}

void coroutine_fn qemu_co_sleep_ns_wakeable(QemuCoSleep *w,
                                            QEMUClockType type, int64_t ns)
{
    AioContext *ctx = qemu_get_current_aio_context();
    QEMUTimer ts;

    assert(ctx);
    aio_timer_init(ctx, &ts, type, SCALE_NS, co_sleep_timer_cb, w);
    timer_mod(&ts, qemu_clock_get_ns(type) + ns);
    qemu_co_sleep(w);
    timer_del(&ts);
}

typedef struct {
    AioContext *ctx;
    Coroutine *co;
    int fd;
} FDYieldUntilData;

static void fd_readable_cb(void *opaque)
{
    FDYieldUntilData *data = opaque;

    aio_set_fd_handler(data->ctx, data->fd, NULL, NULL, NULL, NULL, NULL);
    aio_co_wake(data->co);
}

void coroutine_fn yield_until_fd_readable(int fd)
{
    FDYieldUntilData data = {
        .ctx = qemu_get_current_aio_context(),
        .co = qemu_coroutine_self(),
        .fd = fd,
    };

    assert(qemu_in_coroutine());
    aio_set_fd_handler(data.ctx, fd, fd_readable_cb, NULL, NULL, NULL, &data);
    qemu_coroutine_yield();
}
