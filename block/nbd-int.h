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
    int ret;                /* 0 or -errno */
} NBDClientRequest;

typedef struct BDRVNBDState {
    /* options */
    SocketAddress *saddr;
    char *export;           /* NULL: option not given ("" on the wire) */
    char *x_dirty_bitmap;
    bool alloc_depth;       /* x-dirty-bitmap=qemu:allocation-depth */
    uint64_t open_timeout;  /* seconds to keep retrying connect */

    /* connection */
    QIOChannel *ioc;
    NBDExportInfo info;
    bool broken;            /* protocol error or I/O error: all -EIO */
    bool io_failed;         /* the socket failed (not the protocol) */

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

#endif /* BLOCK_NBD_INT_H */
