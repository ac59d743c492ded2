/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aio-wait.c: global_aio_wait, aio_wait_kick() and aio_wait_bh_oneshot().
 * The waiting loop itself is the AIO_WAIT_WHILE() macro in aio-wait.h.
 */
#include "qemu/osdep.h"
#include "block/aio-wait.h"

AioWait global_aio_wait;

static void dummy_bh_cb(void *opaque)
{
    /* Its only job is to make the main loop's aio_poll() return. */
}

void aio_wait_kick(void)
{
    /* Order the caller's condition change before reading num_waiters. */
    smp_mb();
    if (qatomic_read(&global_aio_wait.num_waiters)) {
        aio_bh_schedule_oneshot(qemu_get_aio_context(), dummy_bh_cb, NULL);
    }
}

typedef struct {
    bool done;
    QEMUBHFunc *cb;
    void *opaque;
} AioWaitBHData;

static void aio_wait_bh(void *opaque)
{
    AioWaitBHData *data = opaque;

    data->cb(data->opaque);
    qatomic_store_release(&data->done, true);
    aio_wait_kick();
}

void aio_wait_bh_oneshot(AioContext *ctx, QEMUBHFunc *cb, void *opaque)
{
    AioWaitBHData data = { .cb = cb, .opaque = opaque };

    assert(qemu_get_current_aio_context() == qemu_get_aio_context());
    aio_bh_schedule_oneshot(ctx, aio_wait_bh, &data);
    AIO_WAIT_WHILE_UNLOCKED(ctx, !qatomic_load_acquire(&data.done));
}
