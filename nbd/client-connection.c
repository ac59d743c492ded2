/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd/client-connection.c: the thread that (re)connects the NBD block
 * driver to its server.  A connection attempt (socket connect plus the
 * whole handshake) runs in a detached thread, so a slow or unreachable
 * server never stalls the AioContext; when asked to, the thread retries
 * with a back-off of 1, 2, 4, 8 and then 16 seconds until it gets a
 * negotiated connection, which it parks until the driver collects it.
 * What the driver does with the connection (checking the export, the
 * request state machine) lives in block/nbd.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/thread.h"
#include "block/aio.h"
#include "block/nbd-client.h"
#include "trace/trace-nbd.h"

/* The back-off between failed attempts doubles up to this (seconds). */
#define NBD_CONNECT_MAX_SLEEP 16

struct NBDClientConnection {
    /* Set at creation, read-only afterwards (the thread reads them). */
    SocketAddress *saddr;
    char *export;
    char *x_dirty_bitmap;
    bool do_retry;

    QemuMutex lock;
    QemuCond wake;              /* cuts the thread's back-off sleep short */
    /* The rest is protected by @lock. */
    bool running;               /* a thread is attempting */
    bool released;              /* the owner is gone: the thread frees */
    QIOChannel *busy_ioc;       /* the channel being negotiated on */
    QIOChannel *ioc;            /* a result waiting to be collected */
    NBDExportInfo info;         /* ... and what the server announced */
    Coroutine *wait_co;         /* coroutine waiting for the result */
};

NBDClientConnection *nbd_client_connection_new(const SocketAddress *saddr,
                                               const char *export,
                                               const char *x_dirty_bitmap,
                                               bool do_retry)
{
    NBDClientConnection *conn = g_new0(NBDClientConnection, 1);

    conn->saddr = socket_address_dup(saddr);
    conn->export = g_strdup(export);
    conn->x_dirty_bitmap = g_strdup(x_dirty_bitmap);
    conn->do_retry = do_retry;
    qemu_mutex_init(&conn->lock);
    qemu_cond_init(&conn->wake);
    return conn;
}

static void nbd_client_connection_free(NBDClientConnection *conn)
{
    if (conn->ioc) {
        qio_channel_unref(conn->ioc);
        nbd_export_info_clear(&conn->info);
    }
    qapi_free_SocketAddress(conn->saddr);
    g_free(conn->export);
    g_free(conn->x_dirty_bitmap);
    qemu_cond_destroy(&conn->wake);
    qemu_mutex_destroy(&conn->lock);
    g_free(conn);
}

/*
 * One attempt: connect and negotiate.  Returns the channel with @info
 * filled, or NULL.  Blocking (thread context).
 */
static QIOChannel *nbd_connect_once(NBDClientConnection *conn,
                                    NBDExportInfo *info)
{
    QIOChannel *ioc;
    bool go_on;
    int fd, ret = -1;

    fd = socket_connect(conn->saddr, NULL);
    if (fd < 0) {
        return NULL;
    }
    ioc = qio_channel_new_fd(fd, "nbd-client");
    *info = (NBDExportInfo) {
        .name = g_strdup(conn->export ?: ""),
        .x_dirty_bitmap = g_strdup(conn->x_dirty_bitmap),
        .request_sizes = true,
        .want_structured = true,
    };

    qemu_mutex_lock(&conn->lock);
    go_on = !conn->released;
    conn->busy_ioc = go_on ? ioc : NULL; /* release() may shut it down */
    qemu_mutex_unlock(&conn->lock);
    if (go_on) {
        ret = nbd_receive_negotiate(ioc, info, NULL);
        qemu_mutex_lock(&conn->lock);
        conn->busy_ioc = NULL;
        qemu_mutex_unlock(&conn->lock);
    }
    if (ret < 0) {
        nbd_export_info_clear(info);
        qio_channel_unref(ioc);
        return NULL;
    }
    return ioc;
}

static void *nbd_connect_thread(void *opaque)
{
    NBDClientConnection *conn = opaque;
    uint64_t timeout = 1;
    NBDExportInfo info;
    QIOChannel *ioc;
    Coroutine *co;

    for (;;) {
        ioc = nbd_connect_once(conn, &info);

        qemu_mutex_lock(&conn->lock);
        if (ioc || !conn->do_retry || conn->released) {
            break;
        }
        qemu_mutex_unlock(&conn->lock);

        trace_nbd_connect_thread_sleep(timeout);
        qemu_mutex_lock(&conn->lock);
        if (!conn->released) {
            qemu_cond_timedwait(&conn->wake, &conn->lock, timeout * 1000);
        }
        if (conn->released) {
            break;
        }
        qemu_mutex_unlock(&conn->lock);
        timeout = MIN(timeout * 2, NBD_CONNECT_MAX_SLEEP);
    }

    /* Still under the lock. */
    conn->running = false;
    if (ioc) {
        conn->ioc = ioc;
        conn->info = info;
    }
    if (conn->released) {
        qemu_mutex_unlock(&conn->lock);
        nbd_client_connection_free(conn);
        return NULL;
    }
    co = conn->wait_co;
    conn->wait_co = NULL;
    qemu_mutex_unlock(&conn->lock);
    if (co) {
        aio_co_wake(co);
    }
    return NULL;
}

void nbd_client_connection_release(NBDClientConnection *conn)
{
    bool free_now;

    if (!conn) {
        return;
    }
    qemu_mutex_lock(&conn->lock);
    assert(!conn->wait_co);
    conn->released = true;
    free_now = !conn->running;
    if (conn->busy_ioc) {
        qio_channel_shutdown(conn->busy_ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    }
    qemu_cond_signal(&conn->wake);
    qemu_mutex_unlock(&conn->lock);
    if (free_now) {
        nbd_client_connection_free(conn);
    }
}

QIOChannel *coroutine_fn
nbd_co_establish_connection(NBDClientConnection *conn, NBDExportInfo *info,
                            bool blocking)
{
    QIOChannel *ioc = NULL;

    qemu_mutex_lock(&conn->lock);
    if (!conn->ioc && !conn->running) {
        QemuThread thread;

        conn->running = true;
        qemu_thread_create(&thread, "nbd-connect", nbd_connect_thread, conn,
                           QEMU_THREAD_DETACHED);
    }
    if (!conn->ioc && blocking) {
        assert(!conn->wait_co);
        conn->wait_co = qemu_coroutine_self();
        qemu_mutex_unlock(&conn->lock);
        /* Woken by the thread's result or by ..._cancel(). */
        qemu_coroutine_yield();
        qemu_mutex_lock(&conn->lock);
        conn->wait_co = NULL;
    }
    if (conn->ioc) {
        ioc = conn->ioc;
        *info = conn->info;
        conn->ioc = NULL;
        conn->info = (NBDExportInfo) { 0 };
    }
    qemu_mutex_unlock(&conn->lock);
    return ioc;
}

void nbd_co_establish_connection_cancel(NBDClientConnection *conn)
{
    Coroutine *co;

    qemu_mutex_lock(&conn->lock);
    co = conn->wait_co;
    conn->wait_co = NULL;
    qemu_mutex_unlock(&conn->lock);
    if (co) {
        aio_co_wake(co);
    }
}
