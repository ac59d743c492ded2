/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-backend-internal.h: the BlockBackend structure, shared by
 * block/block-backend.c (life cycle, graph, drain, errors) and
 * block/block-backend-io.c (requests).  Nothing outside those two files
 * may include it: everyone else goes through sysemu/block-backend.h.
 */
#ifndef BLOCK_BACKEND_INTERNAL_H
#define BLOCK_BACKEND_INTERNAL_H

#include "block/block_int.h"
#include "block/accounting.h"
#include "sysemu/block-backend.h"

struct BlockBackend {
    char *name;             /* monitor name; NULL if not monitor-owned */
    int refcnt;
    BdrvChild *root;        /* NULL: no medium */
    AioContext *ctx;        /* follows the root node's context */
    QTAILQ_ENTRY(BlockBackend) link;            /* block_backends */
    QTAILQ_ENTRY(BlockBackend) monitor_link;    /* monitor_block_backends */

    DeviceState *dev;       /* attached device, if any */
    const BlockDevOps *dev_ops;
    void *dev_opaque;

    BlockBackendRootState root_state;   /* used while there is no medium */
    bool enable_write_cache;

    BlockAcctStats stats;
    BlockdevOnError on_read_error, on_write_error;
    bool iostatus_enabled;
    BlockDeviceIoStatus iostatus;

    uint64_t perm;
    uint64_t shared_perm;
    bool disable_perm;      /* root inactive: permissions not applied */

    bool allow_aio_context_change;
    bool allow_write_beyond_eof;

    /* Drain: nesting depth and requests between inc/dec (atomics). */
    int quiesce_counter;
    unsigned int in_flight;

    /* AioContext notifiers, re-registered on whatever root is attached. */
    QLIST_HEAD(, BlockBackendAioNotifier) aio_notifiers;

    BlockBackendPublic public;
    bool force_allow_inactivate;

    /* Requests that arrived while quiesced wait here for drained_end. */
    QemuMutex queued_requests_lock;
    CoQueue queued_requests;
    bool disable_request_queuing;   /* atomic */
};

/* One blk_add_aio_context_notifier() registration. */
typedef struct BlockBackendAioNotifier {
    void (*attached_aio_context)(AioContext *new_context, void *opaque);
    void (*detach_aio_context)(void *opaque);
    void *opaque;
    QLIST_ENTRY(BlockBackendAioNotifier) list;
} BlockBackendAioNotifier;

/*
 * Parks the calling request while the backend is drained (unless request
 * queuing is disabled).  The caller counts the request in blk->in_flight;
 * it stops counting while parked.  Coroutine in the backend's context.
 */
void coroutine_fn blk_wait_while_drained(BlockBackend *blk);

/* A medium is inserted and, for devices with a tray, the tray is closed. */
bool coroutine_fn GRAPH_RDLOCK blk_co_is_available(BlockBackend *blk);

#endif /* BLOCK_BACKEND_INTERNAL_H */
