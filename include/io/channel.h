/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * channel.h: QIOChannel, a byte stream over a file descriptor (a socket
 * for NBD) with "all or error" reads and writes that work both inside
 * and outside coroutines.  In a coroutine, a transfer that would block
 * yields until the AioContext reports the descriptor ready; one
 * coroutine may wait for reading while another waits for writing.
 * Outside coroutines the calls block in poll().
 *
 * This is QEMU's channel interface reduced to what the block tools use:
 * no QOM, no TLS, no fd passing.
 */
#ifndef IO_CHANNEL_H
#define IO_CHANNEL_H

#include "qemu/coroutine.h"
#include "block/aio.h"

typedef enum QIOChannelShutdown {
    QIO_CHANNEL_SHUTDOWN_READ = 1,
    QIO_CHANNEL_SHUTDOWN_WRITE = 2,
    QIO_CHANNEL_SHUTDOWN_BOTH = 3,
} QIOChannelShutdown;

typedef struct QIOChannel {
    int fd;
    char *name;                 /* for messages; may be NULL */
    AioContext *ctx;            /* NULL: the current context when waiting */
    Coroutine *read_co;         /* coroutine waiting to read, if any */
    Coroutine *write_co;        /* coroutine waiting to write, if any */
    bool handlers_set;          /* fd handlers installed in handler_ctx */
    AioContext *handler_ctx;
    int refcnt;
} QIOChannel;

/* Wrap @fd (ownership passes to the channel).  The fd is made non-blocking. */
QIOChannel *qio_channel_new_fd(int fd, const char *name);
void qio_channel_ref(QIOChannel *ioc);
/* Drops a reference; the last one closes the fd and frees the channel. */
void qio_channel_unref(QIOChannel *ioc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QIOChannel, qio_channel_unref)

/* Wake waiting coroutines in @ctx (NULL: whatever context is current). */
void qio_channel_attach_aio_context(QIOChannel *ioc, AioContext *ctx);
void qio_channel_detach_aio_context(QIOChannel *ioc);

/*
 * Yield the current coroutine until @ioc is readable (G_IO_IN) or
 * writable (G_IO_OUT), or until qio_channel_wake_read() for G_IO_IN.
 * At most one coroutine per direction.
 */
void coroutine_fn qio_channel_yield(QIOChannel *ioc, GIOCondition condition);
/* Re-enter the coroutine waiting in qio_channel_yield(G_IO_IN), if any. */
void qio_channel_wake_read(QIOChannel *ioc);

/*
 * Read exactly the bytes @iov describes.  Returns 1 when all were read,
 * 0 when the peer closed the stream before the first byte (clean EOF),
 * -1 with @errp set on error or on EOF in the middle
 * ("Unexpected end-of-file before all data were read").
 */
int coroutine_mixed_fn qio_channel_readv_all_eof(QIOChannel *ioc,
                                                 const struct iovec *iov,
                                                 size_t niov, Error **errp);
/* As above, but EOF before the first byte is an error too: 0 or -1. */
int coroutine_mixed_fn qio_channel_readv_all(QIOChannel *ioc,
                                             const struct iovec *iov,
                                             size_t niov, Error **errp);
int coroutine_mixed_fn qio_channel_read_all_eof(QIOChannel *ioc, void *buf,
                                                size_t len, Error **errp);
int coroutine_mixed_fn qio_channel_read_all(QIOChannel *ioc, void *buf,
                                            size_t len, Error **errp);

/* Write all of @iov / @buf: 0, or -1 with @errp set. */
int coroutine_mixed_fn qio_channel_writev_all(QIOChannel *ioc,
                                              const struct iovec *iov,
                                              size_t niov, Error **errp);
int coroutine_mixed_fn qio_channel_write_all(QIOChannel *ioc,
                                             const void *buf, size_t len,
                                             Error **errp);

/*
 * Shut the stream down in one or both directions; a coroutine blocked on
 * the channel then sees EOF/EPIPE.  0 or -1 with @errp set.
 */
int qio_channel_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                         Error **errp);

#endif /* IO_CHANNEL_H */
