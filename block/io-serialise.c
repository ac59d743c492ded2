/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io-serialise.c: tracked requests and serialisation.
 *
 * Every request in flight on a node sits on bs->tracked_requests.  A
 * request can be made "serialising": it then claims a range rounded out
 * to an alignment (overlap_offset/overlap_bytes) and no two requests of
 * which at least one is serialising may run on overlapping ranges at the
 * same time; the later one waits on the earlier one's wait_queue.  This
 * protects read-modify-write of partial blocks, copy-on-read and explicit
 * BDRV_REQ_SERIALISING writes.  The request path itself is in io.c.
 */

#include "qemu/osdep.h"
#include "block/block_int.h"
#include "io-internal.h"

void coroutine_fn tracked_request_begin(BdrvTrackedRequest *req,
                                        BlockDriverState *bs,
                                        int64_t offset, int64_t bytes,
                                        enum BdrvTrackedRequestType type)
{
    assert(bytes >= 0 && bytes <= INT64_MAX - offset);

    *req = (BdrvTrackedRequest) {
        .bs = bs,
        .offset = offset,
        .bytes = bytes,
        .type = type,
        .co = qemu_coroutine_self(),
        .overlap_offset = offset,
        .overlap_bytes = bytes,
    };
    qemu_co_queue_init(&req->wait_queue);

    qemu_mutex_lock(&bs->reqs_lock);
    QLIST_INSERT_HEAD(&bs->tracked_requests, req, list);
    qemu_mutex_unlock(&bs->reqs_lock);
}

void coroutine_fn tracked_request_end(BdrvTrackedRequest *req)
{
    BlockDriverState *bs = req->bs;

    if (req->serialising) {
        qatomic_dec(&bs->serialising_in_flight);
    }
    qemu_mutex_lock(&bs->reqs_lock);
    QLIST_REMOVE(req, list);
    qemu_co_queue_restart_all(&req->wait_queue);
    qemu_mutex_unlock(&bs->reqs_lock);
}

/* Does @req's claimed range intersect [@offset, @offset + @bytes)? */
static bool tracked_request_overlaps(BdrvTrackedRequest *req,
                                     int64_t offset, int64_t bytes)
{
    return offset < req->overlap_offset + req->overlap_bytes &&
           req->overlap_offset < offset + bytes;
}

/*
 * The first request that @self must wait for, or NULL.  Requests that
 * are themselves waiting are skipped: either they wait (perhaps through
 * others) for @self, and waiting for them would deadlock, or they will
 * find @self once they wake up and wait for it in turn.
 * Called with bs->reqs_lock held.
 */
static BdrvTrackedRequest *
bdrv_find_conflicting_request(BdrvTrackedRequest *self)
{
    BdrvTrackedRequest *req;

    QLIST_FOREACH(req, &self->bs->tracked_requests, list) {
        if (req == self || (!req->serialising && !self->serialising)) {
            continue;
        }
        if (!tracked_request_overlaps(req, self->overlap_offset,
                                      self->overlap_bytes)) {
            continue;
        }
        /* A coroutine never has two overlapping requests on one node. */
        assert(qemu_coroutine_self() != req->co);
        if (!req->waiting_for) {
            return req;
        }
    }
    return NULL;
}

/* Waits while @self conflicts with anything; reqs_lock held.  */
static bool coroutine_fn
bdrv_wait_serialising_requests_locked(BdrvTrackedRequest *self)
{
    BdrvTrackedRequest *req;
    bool waited = false;

    while ((req = bdrv_find_conflicting_request(self))) {
        self->waiting_for = req;
        qemu_co_queue_wait(&req->wait_queue, &self->bs->reqs_lock);
        self->waiting_for = NULL;
        waited = true;
    }
    return waited;
}

/* Widens @req's claim to @align boundaries and marks it serialising. */
static void tracked_request_set_serialising(BdrvTrackedRequest *req,
                                            uint64_t align)
{
    int64_t start, end;

    assert(align > 0);
    start = QEMU_ALIGN_DOWN(req->offset, (int64_t)align);
    end = QEMU_ALIGN_UP(req->offset + req->bytes, (int64_t)align);
    if (!req->serialising) {
        qatomic_inc(&req->bs->serialising_in_flight);
        req->serialising = true;
    }
    /* Never shrink a claim made earlier with a bigger alignment. */
    start = MIN(start, req->overlap_offset);
    end = MAX(end, req->overlap_offset + req->overlap_bytes);
    req->overlap_offset = start;
    req->overlap_bytes = end - start;
}

bool coroutine_fn bdrv_make_request_serialising(BdrvTrackedRequest *req,
                                                uint64_t align)
{
    bool waited;

    IO_CODE();
    qemu_mutex_lock(&req->bs->reqs_lock);
    tracked_request_set_serialising(req, align);
    waited = bdrv_wait_serialising_requests_locked(req);
    qemu_mutex_unlock(&req->bs->reqs_lock);
    return waited;
}

bool coroutine_fn bdrv_wait_serialising_requests(BdrvTrackedRequest *self)
{
    BlockDriverState *bs = self->bs;
    bool waited;

    if (!qatomic_read(&bs->serialising_in_flight)) {
        return false;
    }
    qemu_mutex_lock(&bs->reqs_lock);
    waited = bdrv_wait_serialising_requests_locked(self);
    qemu_mutex_unlock(&bs->reqs_lock);
    return waited;
}

int coroutine_fn bdrv_co_serialise_write(BdrvTrackedRequest *req,
                                         BdrvRequestFlags flags,
                                         uint64_t align)
{
    BlockDriverState *bs = req->bs;
    int ret = 0;

    if (!(flags & BDRV_REQ_SERIALISING)) {
        bdrv_wait_serialising_requests(req);
        return 0;
    }
    qemu_mutex_lock(&bs->reqs_lock);
    tracked_request_set_serialising(req, align);
    if ((flags & BDRV_REQ_NO_WAIT) && bdrv_find_conflicting_request(req)) {
        ret = -EBUSY;
    } else {
        bdrv_wait_serialising_requests_locked(req);
    }
    qemu_mutex_unlock(&bs->reqs_lock);
    return ret;
}

BdrvTrackedRequest *coroutine_fn bdrv_co_get_self_request(
    BlockDriverState *bs)
{
    Coroutine *self = qemu_coroutine_self();
    BdrvTrackedRequest *req, *found = NULL;

    IO_CODE();
    qemu_mutex_lock(&bs->reqs_lock);
    QLIST_FOREACH(req, &bs->tracked_requests, list) {
        if (req->co == self) {
            found = req;
            break;
        }
    }
    qemu_mutex_unlock(&bs->reqs_lock);
    return found;
}

int64_t coroutine_fn GRAPH_RDLOCK
bdrv_co_get_cluster_size(BlockDriverState *bs)
{
    BlockDriverInfo bdi;

    if (bdrv_co_get_info(bs, &bdi) >= 0 && bdi.cluster_size > 0) {
        return bdi.cluster_size;
    }
    return bs->bl.request_alignment;
}
