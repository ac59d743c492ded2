/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/nbd-reconnect.c: the nbd driver's connection state machine.
 * When the connection is lost the node goes to CONNECTING_WAIT (with
 * reconnect-delay: requests wait up to that many seconds from the loss,
 * and those in flight are sent again once reconnected) or
 * CONNECTING_NOWAIT (requests fail at once unless a connection is
 * ready).  Requests drive the reconnection: the first one to find the
 * node not connected collects a connection from the background thread
 * (nbd/client-connection.c), checks that the server still offers the
 * export the node was opened with, and installs it.  The request path
 * itself is in nbd.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/timer.h"
#include "block/nbd-int.h"
#include "trace/trace-block.h"

/* ---- reconnect-delay timer -------------------------------------------- */

static void nbd_delay_timer_del(BDRVNBDState *s)
{
    if (s->delay_timer) {
        timer_free(s->delay_timer);
        s->delay_timer = NULL;
    }
}

/* The delay is over: waiting requests fail, new ones fail at once. */
static void nbd_delay_expired(void *opaque)
{
    BDRVNBDState *s = opaque;

    nbd_delay_timer_del(s);
    if (s->state == NBD_CLIENT_CONNECTING_WAIT) {
        s->state = NBD_CLIENT_CONNECTING_NOWAIT;
        nbd_co_establish_connection_cancel(s->conn);
    }
}

static void nbd_delay_timer_arm(BDRVNBDState *s, AioContext *ctx)
{
    assert(!s->delay_timer);
    s->delay_timer = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_NS,
                                   nbd_delay_expired, s);
    timer_mod(s->delay_timer, s->delay_deadline);
}

void nbd_reconnect_detach_aio_context(BDRVNBDState *s)
{
    nbd_delay_timer_del(s);
}

void nbd_reconnect_attach_aio_context(BDRVNBDState *s, AioContext *ctx)
{
    if (s->state == NBD_CLIENT_CONNECTING_WAIT) {
        nbd_delay_timer_arm(s, ctx);
    }
}

/* ---- losing the connection -------------------------------------------- */

void nbd_client_connection_lost(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    if (s->state != NBD_CLIENT_CONNECTED) {
        return;
    }
    qio_channel_shutdown(s->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    if (!s->io_failed || !s->conn) {
        s->state = NBD_CLIENT_QUIT;
    } else if (s->reconnect_delay) {
        s->state = NBD_CLIENT_CONNECTING_WAIT;
        s->delay_deadline = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) +
                            s->reconnect_delay * NANOSECONDS_PER_SECOND;
        nbd_delay_timer_arm(s, bdrv_get_aio_context(bs));
    } else {
        s->state = NBD_CLIENT_CONNECTING_NOWAIT;
    }
}

/*
 * Drop the lost connection's channel once nothing uses it any more: the
 * reply reader has seen the shut-down socket and left, and no request
 * is in the middle of sending (we hold send_mutex meanwhile).
 */
static void coroutine_fn nbd_drop_channel(BDRVNBDState *s)
{
    while (s->reader) {
        s->reader_exit_waiter = qemu_coroutine_self();
        qemu_coroutine_yield();
    }
    if (s->ioc) {
        qemu_co_mutex_lock(&s->send_mutex);
        qio_channel_unref(s->ioc);
        s->ioc = NULL;
        qemu_co_mutex_unlock(&s->send_mutex);
    }
}

/* ---- reconnecting ------------------------------------------------------ */

/*
 * May the node use @new, the export a new connection offers?  Its size,
 * block sizes and reply features must not change; a writable node needs
 * a writable export that still takes the write flags (FUA, write
 * zeroes, fast zero) it had.  0 or -errno (the attempt fails; with time
 * left in the delay the next one starts at once).
 */
static int nbd_check_new_export(BlockDriverState *bs, NBDExportInfo *new)
{
    BDRVNBDState *s = bs->opaque;
    uint16_t kept = NBD_FLAG_SEND_FUA | NBD_FLAG_SEND_WRITE_ZEROES |
                    NBD_FLAG_SEND_FAST_ZERO;

    if (bs->open_flags & BDRV_O_RDWR) {
        if (new->flags & NBD_FLAG_READ_ONLY) {
            return -EACCES;
        }
        /* write flags the node advertises must still be honoured */
        if (s->info.flags & kept & ~new->flags) {
            return -EINVAL;
        }
    }
    if (new->size != s->info.size ||
        new->structured_reply != s->info.structured_reply ||
        new->base_allocation != s->info.base_allocation ||
        new->min_block != s->info.min_block ||
        new->max_block != s->info.max_block) {
        return -EINVAL;
    }
    return 0;
}

/* One attempt to get a connection; the state says how long to wait. */
static void coroutine_fn nbd_reconnect_attempt(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;
    bool blocking = s->state == NBD_CLIENT_CONNECTING_WAIT;
    NBDExportInfo info = { 0 };
    QIOChannel *ioc;
    int ret = -ECONNREFUSED;

    s->connecting = true;
    trace_nbd_reconnect_attempt(bs->in_flight);
    nbd_drop_channel(s);

    ioc = nbd_co_establish_connection(s->conn, &info, blocking);
    if (ioc) {
        ret = nbd_check_new_export(bs, &info);
    }
    if (ioc && ret == 0) {
        nbd_export_info_clear(&s->info);
        s->info = info;
        s->ioc = ioc;
        s->io_failed = false;
        s->state = NBD_CLIENT_CONNECTED;
        nbd_delay_timer_del(s);
        trace_nbd_client_handshake_success(s->export ?: "(null)");
    } else if (ioc) {
        qio_channel_shutdown(ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
        qio_channel_unref(ioc);
        nbd_export_info_clear(&info);
    }
    trace_nbd_reconnect_attempt_result(ret, bs->in_flight);
    s->connecting = false;
    qemu_co_queue_restart_all(&s->reconnect_waiters);
}

int coroutine_fn nbd_co_wait_connected(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    for (;;) {
        switch (s->state) {
        case NBD_CLIENT_CONNECTED:
            return 0;
        case NBD_CLIENT_QUIT:
            return -EIO;
        default:
            break;
        }
        if (s->connecting) {
            /* another request is attempting: wait for it, or give up */
            if (s->state == NBD_CLIENT_CONNECTING_NOWAIT) {
                return -EIO;
            }
            qemu_co_queue_wait(&s->reconnect_waiters, NULL);
            continue;
        }
        nbd_reconnect_attempt(bs);
        /*
         * Without a connection, only a request still inside the delay
         * tries again (the export offered did not fit, say); the delay
         * timer ends that.
         */
        if (s->state != NBD_CLIENT_CONNECTED &&
            s->state != NBD_CLIENT_CONNECTING_WAIT) {
            return -EIO;
        }
    }
}

/* ---- setup and teardown ----------------------------------------------- */

void nbd_reconnect_init(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    qemu_co_queue_init(&s->reconnect_waiters);
    s->state = NBD_CLIENT_CONNECTED;
    /* a passed descriptor cannot be connected again */
    if (s->saddr->type != SOCKET_ADDRESS_TYPE_FD) {
        s->conn = nbd_client_connection_new(s->saddr, s->export,
                                            s->x_dirty_bitmap, true);
    }
}

void nbd_reconnect_cleanup(BDRVNBDState *s)
{
    nbd_delay_timer_del(s);
    nbd_client_connection_release(s->conn);
    s->conn = NULL;
}
