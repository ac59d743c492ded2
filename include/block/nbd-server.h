/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd-server.h: the NBD server.  An NBDExport publishes a BlockBackend
 * under a name; clients (one per accepted connection) negotiate with the
 * fixed-newstyle handshake, pick an export and then send requests that
 * run in coroutines of the main AioContext, several in flight at once.
 *
 * All functions here are main-loop (global state) code.
 */
#ifndef BLOCK_NBD_SERVER_H
#define BLOCK_NBD_SERVER_H

#include "block/nbd.h"
#include "io/channel.h"
#include "sysemu/block-backend.h"

typedef struct NBDExport NBDExport;
typedef struct NBDClient NBDClient;

/* What nbd_export_new() publishes; strings are copied. */
typedef struct NBDExportOptions {
    const char *name;           /* "" is the default export */
    const char *description;    /* NULL or "": none */
    bool readonly;              /* refuse writes, advertise READ_ONLY */
    bool writethrough;          /* turn @blk's write cache off */
    bool multi_conn;            /* advertise CAN_MULTI_CONN */
    bool allocation_depth;      /* offer "qemu:allocation-depth" */
    /*
     * Dirty bitmaps offered as "qemu:dirty-bitmap:NAME", found by name in
     * the export's node or its backing chain; contexts are numbered in
     * this order after the two fixed ones.
     */
    const char *const *bitmaps;
    size_t nr_bitmaps;
} NBDExportOptions;

/*
 * Publish @blk (a reference is taken) with @opts.  The export's size is
 * @blk's length at this point.  Fails with @errp set when the name or
 * description is longer than NBD_MAX_STRING_SIZE, the name is taken, a
 * bitmap is missing or unusable.  Bitmaps are marked busy while exported.
 */
NBDExport *nbd_export_new(BlockBackend *blk, const NBDExportOptions *opts,
                          Error **errp);

/* The export named @name, or NULL. */
NBDExport *nbd_export_find(const char *name);

/*
 * Withdraw @exp: new clients no longer see it, connected ones are shut
 * down.  @exp is freed (and its BlockBackend reference dropped) once its
 * last client is gone, which takes main-loop iterations.
 */
void nbd_export_remove(NBDExport *exp);

/*
 * nbd_export_remove() on every export; clients still negotiating are
 * shut down too (the server is going away).
 */
void nbd_export_remove_all(void);

/* Exports not freed yet (including removed ones with clients left). */
int nbd_export_count(void);

/* Connected clients over all exports (negotiating ones included). */
int nbd_client_count(void);

/*
 * Serve a client on @ioc (a reference is taken).  The handshake and the
 * requests run in coroutines of the main AioContext.  When the
 * connection ends, @close_fn (may be NULL) is called with @opaque and
 * whether the handshake had completed; after it returns, the client is
 * gone.
 */
typedef void NBDClientCloseFn(void *opaque, bool negotiated);
void nbd_client_new(QIOChannel *ioc, NBDClientCloseFn *close_fn,
                    void *opaque);

/*
 * Print protocol violations and I/O failures of clients to stderr
 * (qemu-nbd -v); off by default, as clients are expected to misbehave.
 */
void nbd_server_set_verbose(bool verbose);

#endif /* BLOCK_NBD_SERVER_H */
