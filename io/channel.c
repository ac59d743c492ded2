/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QIOChannel over a non-blocking file descriptor: whole-buffer reads and
 * writes that yield to the AioContext inside coroutines and block in
 * poll() outside them.  See include/io/channel.h.
 */

#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include "qapi/error.h"
#include "qemu/iov.h"
#include "qemu/sockets.h"
#include "io/channel.h"

QIOChannel *qio_channel_new_fd(int fd, const char *name)
{
    QIOChannel *ioc = g_new0(QIOChannel, 1);

    ioc->fd = fd;
    ioc->name = g_strdup(name);
    ioc->refcnt = 1;
    qemu_socket_set_nonblock(fd);
    return ioc;
}

void qio_channel_ref(QIOChannel *ioc)
{
    ioc->refcnt++;
}

void qio_channel_unref(QIOChannel *ioc)
{
    if (!ioc || --ioc->refcnt > 0) {
        return;
    }
    assert(!ioc->read_co && !ioc->write_co);
    if (ioc->handlers_set) {
        aio_set_fd_handler(ioc->handler_ctx, ioc->fd, NULL, NULL, NULL,
                           NULL, NULL);
    }
    close(ioc->fd);
    g_free(ioc->name);
    g_free(ioc);
}

static void channel_readable(void *opaque);
static void channel_writable(void *opaque);

/* Install fd handlers for whichever directions have a waiting coroutine. */
static void channel_update_handlers(QIOChannel *ioc, AioContext *ctx)
{
    if (ioc->handlers_set && ioc->handler_ctx != ctx) {
        aio_set_fd_handler(ioc->handler_ctx, ioc->fd, NULL, NULL, NULL,
                           NULL, NULL);
        ioc->handlers_set = false;
    }
    if (!ioc->read_co && !ioc->write_co) {
        if (ioc->handlers_set) {
            aio_set_fd_handler(ctx, ioc->fd, NULL, NULL, NULL, NULL, NULL);
            ioc->handlers_set = false;
        }
        return;
    }
    aio_set_fd_handler(ctx, ioc->fd,
                       ioc->read_co ? channel_readable : NULL,
                       ioc->write_co ? channel_writable : NULL,
                       NULL, NULL, ioc);
    ioc->handlers_set = true;
    ioc->handler_ctx = ctx;
}

static void channel_restart(QIOChannel *ioc, Coroutine **slot)
{
    Coroutine *co = *slot;

    *slot = NULL;
    channel_update_handlers(ioc, ioc->handler_ctx);
    if (co) {
        aio_co_wake(co);
    }
}

static void channel_readable(void *opaque)
{
    QIOChannel *ioc = opaque;

    channel_restart(ioc, &ioc->read_co);
}

static void channel_writable(void *opaque)
{
    QIOChannel *ioc = opaque;

    channel_restart(ioc, &ioc->write_co);
}

void qio_channel_attach_aio_context(QIOChannel *ioc, AioContext *ctx)
{
    assert(!ioc->read_co && !ioc->write_co);
    ioc->ctx = ctx;
}

void qio_channel_detach_aio_context(QIOChannel *ioc)
{
    assert(!ioc->read_co && !ioc->write_co);
    if (ioc->handlers_set) {
        aio_set_fd_handler(ioc->handler_ctx, ioc->fd, NULL, NULL, NULL,
                           NULL, NULL);
        ioc->handlers_set = false;
    }
    ioc->ctx = NULL;
}

void coroutine_fn qio_channel_yield(QIOChannel *ioc, GIOCondition condition)
{
    Coroutine *self = qemu_coroutine_self();
    AioContext *ctx = ioc->ctx ? ioc->ctx : qemu_get_current_aio_context();
    Coroutine **slot = condition == G_IO_IN ? &ioc->read_co : &ioc->write_co;

    assert(condition == G_IO_IN || condition == G_IO_OUT);
    assert(!*slot);
    *slot = self;
    channel_update_handlers(ioc, ctx);
    qemu_coroutine_yield();
    /* Woken by qio_channel_wake_read() or the handler: both clear *slot. */
    assert(*slot != self);
}

void qio_channel_wake_read(QIOChannel *ioc)
{
    if (ioc->read_co) {
        channel_restart(ioc, &ioc->read_co);
    }
}

/* Wait until @ioc is ready in direction @condition. */
static void coroutine_mixed_fn channel_wait(QIOChannel *ioc,
                                            GIOCondition condition)
{
    struct pollfd pfd = {
        .fd = ioc->fd,
        .events = condition == G_IO_IN ? POLLIN : POLLOUT,
    };

    if (qemu_in_coroutine()) {
        qio_channel_yield(ioc, condition);
        return;
    }
    while (poll(&pfd, 1, -1) < 0 && errno == EINTR) {
        /* retry */
    }
}

/*
 * Transfer all of @iov in direction @condition.  Returns the number of
 * bytes moved before EOF (== the total when complete), or -errno.
 */
static ssize_t coroutine_mixed_fn channel_transfer(QIOChannel *ioc,
                                                   const struct iovec *iov,
                                                   size_t niov,
                                                   GIOCondition condition)
{
    g_autofree struct iovec *copy = g_memdup2(iov, niov * sizeof(*iov));
    struct iovec *cur = copy;
    unsigned int cnt = niov;
    size_t total = iov_size(iov, niov), done = 0;

    while (done < total) {
        ssize_t n;

        if (condition == G_IO_IN) {
            n = readv(ioc->fd, cur, MIN(cnt, IOV_MAX));
        } else {
            struct msghdr msg = {
                .msg_iov = cur,
                .msg_iovlen = MIN(cnt, IOV_MAX),
            };

            n = sendmsg(ioc->fd, &msg, MSG_NOSIGNAL);
            if (n < 0 && errno == ENOTSOCK) {
                n = writev(ioc->fd, cur, MIN(cnt, IOV_MAX));
            }
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                channel_wait(ioc, condition);
                continue;
            }
            return -errno;
        }
        if (n == 0 && condition == G_IO_IN) {
            break;
        }
        iov_discard_front(&cur, &cnt, n);
        done += n;
    }
    return done;
}

int coroutine_mixed_fn qio_channel_readv_all_eof(QIOChannel *ioc,
                                                 const struct iovec *iov,
                                                 size_t niov, Error **errp)
{
    size_t total = iov_size(iov, niov);
    ssize_t ret = channel_transfer(ioc, iov, niov, G_IO_IN);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "Unable to read from socket");
        return -1;
    }
    if (ret == 0 && total > 0) {
        return 0;
    }
    if ((size_t)ret < total) {
        error_setg(errp, "Unexpected end-of-file before all data were read");
        return -1;
    }
    return 1;
}

int coroutine_mixed_fn qio_channel_readv_all(QIOChannel *ioc,
                                             const struct iovec *iov,
                                             size_t niov, Error **errp)
{
    int ret = qio_channel_readv_all_eof(ioc, iov, niov, errp);

    if (ret == 0) {
        error_setg(errp, "Unexpected end-of-file before all data were read");
        return -1;
    }
    return ret < 0 ? -1 : 0;
}

int coroutine_mixed_fn qio_channel_read_all_eof(QIOChannel *ioc, void *buf,
                                                size_t len, Error **errp)
{
    struct iovec iov = { .iov_base = buf, .iov_len = len };

    return qio_channel_readv_all_eof(ioc, &iov, 1, errp);
}

int coroutine_mixed_fn qio_channel_read_all(QIOChannel *ioc, void *buf,
                                            size_t len, Error **errp)
{
    struct iovec iov = { .iov_base = buf, .iov_len = len };

    return qio_channel_readv_all(ioc, &iov, 1, errp);
}

int coroutine_mixed_fn qio_channel_writev_all(QIOChannel *ioc,
                                              const struct iovec *iov,
                                              size_t niov, Error **errp)
{
    ssize_t ret = channel_transfer(ioc, iov, niov, G_IO_OUT);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "Unable to write to socket");
        return -1;
    }
    return 0;
}

int coroutine_mixed_fn qio_channel_write_all(QIOChannel *ioc,
                                             const void *buf, size_t len,
                                             Error **errp)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    return qio_channel_writev_all(ioc, &iov, 1, errp);
}

int qio_channel_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                         Error **errp)
{
    int sockhow = how == QIO_CHANNEL_SHUTDOWN_READ ? SHUT_RD :
                  how == QIO_CHANNEL_SHUTDOWN_WRITE ? SHUT_WR : SHUT_RDWR;

    if (shutdown(ioc->fd, sockhow) < 0) {
        error_setg_errno(errp, errno, "Unable to shutdown socket");
        return -1;
    }
    return 0;
}
