/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * server-int.h: what the parts of the NBD server share: the export and
 * client structures, the negotiation helpers the option handlers use
 * (server.c), the metadata contexts (server-meta.c) and the
 * transmission phase (server-io.c).
 */
#ifndef NBD_SERVER_INT_H
#define NBD_SERVER_INT_H

#include "block/nbd-server.h"
#include "block/dirty-bitmap.h"
#include "qemu/coroutine.h"
#include "qemu/queue.h"

/* Context ids handed out by NBD_OPT_SET_META_CONTEXT, as QEMU numbers them. */
#define NBD_META_ID_BASE_ALLOCATION 0
#define NBD_META_ID_ALLOCATION_DEPTH 1
#define NBD_META_ID_DIRTY_BITMAP    2

/* At most this many extents in one block status chunk (1 MiB of them). */
#define NBD_MAX_BLOCK_STATUS_EXTENTS (1 * MiB / sizeof(NBDExtent))

/* Requests of one client being served at the same time. */
#define NBD_MAX_REQUESTS_IN_FLIGHT  16

struct NBDExport {
    char *name;
    char *description;
    BlockBackend *blk;
    uint64_t size;
    uint16_t nbdflags;          /* without SEND_DF, which is per client */
    bool allocation_depth;
    BdrvDirtyBitmap **bitmaps;
    char **bitmap_ctx;          /* "qemu:dirty-bitmap:NAME" per bitmap */
    size_t nr_bitmaps;
    bool removed;               /* withdrawn: not listed, not found */
    int refcnt;                 /* the list's + one per attached client */
    QTAILQ_HEAD(, NBDClient) clients;
    QTAILQ_ENTRY(NBDExport) next;
};

/* The metadata contexts a client selected (SET_META_CONTEXT). */
typedef struct NBDMetaSelection {
    NBDExport *exp;             /* the export the selection was made for */
    bool base_allocation;
    bool allocation_depth;
    bool *bitmaps;              /* [exp->nr_bitmaps] */
    size_t count;               /* contexts selected */
} NBDMetaSelection;

struct NBDClient {
    QIOChannel *ioc;
    NBDClientCloseFn *close_fn;
    void *opaque;
    NBDExport *exp;             /* set once transmission starts */
    bool fixed;                 /* client speaks fixed newstyle */
    bool no_zeroes;
    bool structured_reply;
    bool negotiated;
    bool closing;               /* no new requests; draining */
    uint32_t check_align;       /* alignment the client agreed to, or 0 */
    NBDMetaSelection meta;

    /* Option being parsed during the handshake. */
    uint32_t opt;
    uint32_t optlen;            /* payload bytes not read yet */

    CoMutex send_lock;          /* one reply (or chunk) on the wire at once */
    int in_flight;              /* request coroutines alive */
    Coroutine *recv_co;         /* the receive loop, when waiting for a slot */
    bool recv_waiting;
    QTAILQ_ENTRY(NBDClient) next;       /* in exp->clients */
    QTAILQ_ENTRY(NBDClient) all_next;   /* every client of the server */
};

extern bool nbd_server_verbose;

/* Print @fmt to stderr when verbose (qemu-nbd -v). */
void G_GNUC_PRINTF(1, 2) nbd_server_debug(const char *fmt, ...);

/* ---- negotiation helpers (server.c), all in the client's coroutine ---- */

/* Lower-case option names as QEMU's server messages spell them. */
const char *nbd_server_opt_name(uint32_t opt);

/*
 * Read @size bytes of the current option's payload.  1 on success; 0
 * when the option is too short (the rest is skipped and the client got
 * NBD_REP_ERR_INVALID "Inconsistent lengths in option ..."); -1 with
 * @errp set when the connection failed.
 */
int coroutine_fn nbd_opt_read(NBDClient *client, void *buf, uint32_t size,
                              Error **errp);
/* Skip what is left of the current option: 0 or -1 with @errp. */
int coroutine_fn nbd_opt_skip(NBDClient *client, Error **errp);
/*
 * Skip the rest of the option and answer with error @type and a message;
 * 0 when sent (the handshake goes on), -1 with @errp otherwise.
 */
int coroutine_fn G_GNUC_PRINTF(4, 5)
nbd_opt_error(NBDClient *client, uint32_t type, Error **errp,
              const char *fmt, ...);
/* Send a reply of @type with @len bytes of payload: 0 or -1. */
int coroutine_fn nbd_opt_reply(NBDClient *client, uint32_t type,
                               const void *payload, uint32_t len,
                               Error **errp);
/*
 * Read a 32-bit length and that many bytes (a name or a query) into a
 * NUL-terminated *@out.  With @lenp (a name), the length is stored there
 * and a length over @max leaves *@out NULL with nothing more read (the
 * caller refuses the option).  Without (a query), a length over @max is
 * skipped, *@out NULL.  1, 0 or -1 as nbd_opt_read().
 */
int coroutine_fn nbd_opt_read_string(NBDClient *client, uint32_t max,
                                     char **out, uint32_t *lenp,
                                     Error **errp);
/* "export 'NAME' not present" with long names shortened as QEMU does. */
int coroutine_fn nbd_opt_unknown_export(NBDClient *client, const char *name,
                                        Error **errp);

/* ---- metadata contexts (server-meta.c) ---- */

/* NBD_OPT_LIST_META_CONTEXT / SET_META_CONTEXT: 0 go on, -1 drop. */
int coroutine_fn nbd_negotiate_meta_context(NBDClient *client, Error **errp);
void nbd_meta_clear(NBDMetaSelection *meta);

/*
 * Answer NBD_CMD_BLOCK_STATUS for [@offset, @offset + @len): one chunk per
 * selected context, the last flagged DONE.  At most one extent per
 * context with @req_one.  0, or -1 with @errp when the connection failed.
 */
int coroutine_fn nbd_co_send_block_status(NBDClient *client,
                                          uint64_t cookie, uint64_t offset,
                                          uint32_t len, bool req_one,
                                          Error **errp);

/* ---- transmission (server-io.c) ---- */

/*
 * The transmission phase of @client on its export: the receive loop,
 * returning once the connection ended and every request finished.
 */
void coroutine_fn nbd_co_client_transmission(NBDClient *client);

/* Send one structured reply chunk (header + @iov): 0 or -1 with @errp. */
int coroutine_fn nbd_co_send_chunk(NBDClient *client, uint64_t cookie,
                                   uint16_t type, uint16_t flags,
                                   struct iovec *iov, int niov,
                                   Error **errp);

#endif /* NBD_SERVER_INT_H */
