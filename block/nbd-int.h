/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd-int.h: state shared by the parts of the nbd block driver:
 * block/nbd.c (connection, request path, callbacks) and block/nbd-opts.c
 * (filename syntaxes, runtime options, refresh_filename).
 */
#ifndef BLOCK_NBD_INT_H
#define BLOCK_NBD_INT_H

#include "block/block_int.h"
#include "block/nbd-client.h"
#include "qemu/coroutine.h"
#include "qemu/timer.h"

/* Requests one connection carries at once. */
#define NBD_CLIENT_MAX_REQUESTS 16

/*
 * One in-flight request.  Its cookie is (sequence number << 16 | slot + 1):
 * unique over the connection, so a late or duplicate reply to an earlier
 * request that used the same slot is recognised as a protocol error.
 */
typedef struct NBDClientRequest {
    uint64_t cookie;
    bool in_use;            /* slot taken by a request coroutine */
    bool sent;              /* the reply reader may complete it */
    bool done;              /* final reply seen (or connection failed) */
    bool waiting;           /* coroutine yielded waiting for done */
    Coroutine *co;
    uint16_t type;          /* NBD_CMD_* */
    uint64_t from;
    uint32_t len;
    QEMUIOVector *qiov;     /* READ: where the data goes */
    bool got_extent;        /* BLOCK_STATUS: first extent seen */
    NBDExtent extent;       /* host order */
    uint64_t received;      /* READ: bytes of data and holes so far */
    int bad_reply_ret;      /* its reply broke the protocol: -errno */
    bool conn_lost;         /* failed because the connection was lost */
    int ret;                /* 0 or -errno */
} NBDClientRequest;

/*
 * Where the node stands with its server.  A lost connection (socket
 * error or EOF) moves CONNECTED to CONNECTING_WAIT when reconnect-delay
 * is set (requests wait for a new connection until the delay, counted
 * from the loss, expires), else to CONNECTING_NOWAIT (requests fail at
 * once unless a connection is ready).  Either way a background thread
 * keeps trying.  A reply that breaks the protocol, or a lost connection
 * on a server.type=fd address, is final: QUIT, every request -EIO.
 */
typedef enum NBDClientState {
    NBD_CLIENT_CONNECTED,
    NBD_CLIENT_CONNECTING_WAIT,
    NBD_CLIENT_CONNECTING_NOWAIT,
    NBD_CLIENT_QUIT,
} NBDClientState;

typedef struct BDRVNBDState {
    /* options */
    SocketAddress *saddr;
    char *export;           /* NULL: option not given ("" on the wire) */
    char *x_dirty_bitmap;
    bool alloc_depth;       /* x-dirty-bitmap=qemu:allocation-depth */
    uint64_t open_timeout;  /* seconds to keep retrying connect */
    uint64_t reconnect_delay;   /* seconds requests wait after a loss */

    /* connection */
    QIOChannel *ioc;        /* NULL once a lost connection was dropped */
    NBDExportInfo info;
    NBDClientState state;
    bool io_failed;         /* the socket failed (not the protocol) */

    /* reconnection (nbd-reconnect.c) */
    NBDClientConnection *conn;  /* NULL: never reconnect (fd address) */
    QEMUTimer *delay_timer;     /* ends CONNECTING_WAIT */
    int64_t delay_deadline;     /* ... at this QEMU_CLOCK_REALTIME ns */
    bool connecting;            /* a request runs nbd_reconnect_attempt */
    CoQueue reconnect_waiters;  /* requests waiting for that attempt */
    Coroutine *reader_exit_waiter;  /* woken when the reader exits */

    /* requests */
    CoMutex send_mutex;
    CoQueue free_slots;     /* waiting for a free request slot */
    int in_use;             /* slots taken */
    int awaiting;           /* sent, reply not complete */
    Coroutine *reader;      /* the reply reader, while replies are due */
    uint64_t next_seq;      /* for cookies */
    NBDClientRequest requests[NBD_CLIENT_MAX_REQUESTS];
} BDRVNBDState;

/* nbd-opts.c */

/*
 * Parse the runtime options (server.*, legacy host/port/path, export,
 * x-dirty-bitmap, reconnect-delay, open-timeout, tls-*) out of @options
 * into @s.  0 or -EINVAL with @errp set.
 */
int nbd_process_options(BDRVNBDState *s, QDict *options, Error **errp);

/* .bdrv_parse_filename for every nbd protocol name. */
void nbd_parse_filename(const char *filename, QDict *options, Error **errp);

/* .bdrv_refresh_filename: 7.2's URL form of the address. */
void nbd_refresh_filename(BlockDriverState *bs);

extern const char *const nbd_strong_runtime_opts[];

/* nbd-reconnect.c */

/*
 * The connection failed (@s->io_failed: the socket; else the protocol):
 * shut it down and leave CONNECTED for the state the failure and the
 * options call for (starting the reconnect-delay timer).  No-op unless
 * CONNECTED.  AioContext of the node.
 */
void nbd_client_connection_lost(BlockDriverState *bs);

/*
 * Wait until the node is CONNECTED, reconnecting when needed: 0, or
 * -EIO when it is not connected and may not wait (any more).
 * Coroutine context (a request coroutine).
 */
int coroutine_fn nbd_co_wait_connected(BlockDriverState *bs);

/* A request that failed with a lost connection should be sent again. */
static inline bool nbd_client_will_reconnect(BDRVNBDState *s)
{
    return s->state == NBD_CLIENT_CONNECTING_WAIT;
}

/*
 * Set up reconnection once the first connection is negotiated; stop it
 * (timer, connection thread) at close.  Main loop.
 */
void nbd_reconnect_init(BlockDriverState *bs);
void nbd_reconnect_cleanup(BDRVNBDState *s);

/* Move the reconnect-delay timer with the node's AioContext. */
void nbd_reconnect_detach_aio_context(BDRVNBDState *s);
void nbd_reconnect_attach_aio_context(BDRVNBDState *s, AioContext *ctx);

#endif /* BLOCK_NBD_INT_H */
