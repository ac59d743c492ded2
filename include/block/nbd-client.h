/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd-client.h: the client half of the NBD protocol (nbd/client.c,
 * nbd/client-list.c): the fixed-newstyle handshake that selects one
 * export, the export listing behind `qemu-nbd -L`, and the framing of
 * transmission-phase requests and reply headers.  The block driver
 * (block/nbd.c) runs the request/reply multiplexing on top of this.
 *
 * Everything here reads from a peer that may be hostile: each length,
 * magic and string is checked, a violation is an error (never a crash,
 * an unbounded allocation or an out-of-bounds access).
 */
#ifndef BLOCK_NBD_CLIENT_H
#define BLOCK_NBD_CLIENT_H

#include "block/nbd.h"
#include "io/channel.h"
#include "qemu/iov.h"
#include "qemu/sockets.h"

/*
 * What the client asks for in the handshake (in) and what the server
 * announced for the export (out).
 */
typedef struct NBDExportInfo {
    /* --- in --- */
    char *name;                 /* export name; NULL means "" */
    bool request_sizes;         /* ask for NBD_INFO_BLOCK_SIZE */
    bool want_structured;       /* try NBD_OPT_STRUCTURED_REPLY */
    /*
     * Metadata context to negotiate: NULL asks for base:allocation, else
     * this name (x-dirty-bitmap: "qemu:dirty-bitmap:NAME",
     * "qemu:allocation-depth").
     */
    char *x_dirty_bitmap;

    /* --- out --- */
    bool structured_reply;      /* structured replies are on */
    bool base_allocation;       /* the metadata context was selected */
    uint32_t context_id;        /* its id, valid with base_allocation */
    uint64_t size;
    uint16_t flags;             /* NBD_FLAG_* transmission flags */
    uint32_t min_block;         /* 0: the server sent no block sizes */
    uint32_t opt_block;
    uint32_t max_block;
    char *description;          /* NBD_INFO_DESCRIPTION, or NULL */

    /* --- listing only (nbd_receive_export_list) --- */
    int n_contexts;
    char **contexts;
} NBDExportInfo;

/*
 * Run the handshake on a freshly connected @ioc for the export
 * @info->name.  Tries NBD_OPT_STRUCTURED_REPLY (if @info->want_structured),
 * NBD_OPT_SET_META_CONTEXT (with structured replies), then NBD_OPT_GO,
 * falling back to NBD_OPT_EXPORT_NAME on servers without GO; an oldstyle
 * server is accepted when the export name is empty.  Fills the "out"
 * fields of @info.  Returns 0, or -errno with @errp set (the server's
 * message, if any, appended as a hint "server reported: ...").
 * Blocking outside coroutines; yields inside one.
 */
int coroutine_mixed_fn nbd_receive_negotiate(QIOChannel *ioc,
                                             NBDExportInfo *info,
                                             Error **errp);

/* Free what negotiation/listing allocated in @info (not @info itself). */
void nbd_export_info_clear(NBDExportInfo *info);

/*
 * List the server's exports (NBD_OPT_LIST), then query each one with
 * NBD_OPT_INFO and NBD_OPT_LIST_META_CONTEXT, and end the session with
 * NBD_OPT_ABORT.  Returns the number of exports with *@list set (free
 * with nbd_free_export_list), or -1 with @errp set.
 */
int nbd_receive_export_list(QIOChannel *ioc, NBDExportInfo **list,
                            Error **errp);
void nbd_free_export_list(NBDExportInfo *list, int count);

/*
 * Print @list the way `qemu-nbd -L` does ("exports available: N", then
 * name, description, size, flags, block sizes and contexts per export).
 */
void nbd_print_export_list(FILE *out, const NBDExportInfo *list, int count);

/*
 * Connect to @addr, list its exports and print them to stdout.
 * 0, or -1 with @errp set (connection or protocol failure).
 */
int nbd_list_exports(const SocketAddress *addr, Error **errp);

/* ---- transmission phase --------------------------------------------- */

/* A request as the client builds it (host byte order). */
typedef struct NBDRequest {
    uint64_t cookie;
    uint64_t from;
    uint32_t len;
    uint16_t flags;             /* NBD_CMD_FLAG_* */
    uint16_t type;              /* NBD_CMD_* */
} NBDRequest;

/*
 * Send @request's header and, for NBD_CMD_WRITE, @payload (whose size
 * must be request->len).  0, or -1 with @errp set.  The caller
 * serialises senders.
 */
int coroutine_mixed_fn nbd_send_request(QIOChannel *ioc,
                                        const NBDRequest *request,
                                        QEMUIOVector *payload,
                                        Error **errp);

/* A reply header: simple, or one structured chunk (host byte order). */
typedef struct NBDReply {
    uint32_t magic;             /* which kind it is */
    uint64_t cookie;
    uint32_t error;             /* simple: NBD_E* */
    uint16_t flags;             /* structured: NBD_REPLY_FLAG_* */
    uint16_t type;              /* structured: NBD_REPLY_TYPE_* */
    uint32_t length;            /* structured: payload bytes to follow */
} NBDReply;

/*
 * Read one reply header.  Returns 1 when one was read, 0 on a clean EOF
 * before it, -EIO with @errp set when the socket fails, -EINVAL with
 * @errp set on a bad magic.  The payload is left for the caller.
 */
int coroutine_mixed_fn nbd_receive_reply(QIOChannel *ioc, NBDReply *reply,
                                         Error **errp);

/* ---- (re)connection thread (nbd/client-connection.c) ----------------- */

/*
 * A source of negotiated connections to one export: each attempt (socket
 * connect, then nbd_receive_negotiate() asking for structured replies,
 * block sizes and the metadata context) runs in a thread of its own.
 */
typedef struct NBDClientConnection NBDClientConnection;

/*
 * Connect to @saddr for @export (NULL: "") with metadata context
 * @x_dirty_bitmap (NULL: base:allocation).  With @do_retry a failed
 * attempt is repeated after 1, 2, 4, 8, then every 16 seconds until one
 * succeeds.  The arguments are copied.  Nothing starts until
 * nbd_co_establish_connection().
 */
NBDClientConnection *nbd_client_connection_new(const SocketAddress *saddr,
                                               const char *export,
                                               const char *x_dirty_bitmap,
                                               bool do_retry);

/*
 * Drop the owner's reference.  A running attempt is told to stop (its
 * back-off sleep ends, a handshake in progress is shut down) and frees
 * everything when it returns; no coroutine may be waiting in
 * nbd_co_establish_connection().  NULL is a no-op.
 */
void nbd_client_connection_release(NBDClientConnection *conn);

/*
 * Collect a connection: if an attempt has succeeded, return its channel
 * (the caller owns the reference) and move the negotiated export into
 * @info (which must be empty).  Otherwise start an attempt if none is
 * running and, if @blocking, yield until it succeeds (or gives up
 * without @do_retry) or until nbd_co_establish_connection_cancel().
 * Returns NULL if no connection is ready.  At most one caller at a time;
 * coroutine context, in the AioContext that created @conn.
 */
QIOChannel *coroutine_fn
nbd_co_establish_connection(NBDClientConnection *conn, NBDExportInfo *info,
                            bool blocking);

/*
 * Wake the coroutine blocked in nbd_co_establish_connection(), if any: it
 * returns what is ready (normally NULL).  The attempt goes on in the
 * background.  Any context.
 */
void nbd_co_establish_connection_cancel(NBDClientConnection *conn);

#endif /* BLOCK_NBD_CLIENT_H */
