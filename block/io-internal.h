/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * io-internal.h: the pieces of the request path that block/io.c shares
 * with block/io-cor.c (copy-on-read) and block/io-helpers.c (offloaded
 * copies, ioctl).  Private to those files; drivers and everyone else use
 * include/block/.  Everything here runs in coroutine context in the
 * node's AioContext, with the graph read lock held where annotated.
 */
#ifndef BLOCK_IO_INTERNAL_H
#define BLOCK_IO_INTERNAL_H

#include "block/block_int.h"

/*
 * Waiting for a driver's AIO-style callback: submit with
 * bdrv_co_io_em_complete and @co as opaque, then bdrv_co_io_em_wait()
 * yields until the callback ran and returns its result (-EIO if the
 * driver returned no AIOCB).
 */
typedef struct CoroutineIOCompletion {
    Coroutine *coroutine;
    int ret;
} CoroutineIOCompletion;

void bdrv_co_io_em_complete(void *opaque, int ret);
int coroutine_fn bdrv_co_io_em_wait(BlockAIOCB *acb,
                                    CoroutineIOCompletion *co);

/*
 * Put @req on bs->tracked_requests for [@offset, @offset + @bytes), and
 * take it off again (waking whoever waits for it).
 */
void coroutine_fn tracked_request_begin(BdrvTrackedRequest *req,
                                        BlockDriverState *bs,
                                        int64_t offset, int64_t bytes,
                                        enum BdrvTrackedRequestType type);
void coroutine_fn tracked_request_end(BdrvTrackedRequest *req);

/*
 * Checks before a request that modifies @child's node (-EPERM on a
 * read-only node), and the bookkeeping after it (write generation,
 * highest offset, growth past the end).  @req must cover the range.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_write_req_prepare(BdrvChild *child, int64_t offset, int64_t bytes,
                          BdrvTrackedRequest *req, BdrvRequestFlags flags);
void coroutine_fn GRAPH_RDLOCK
bdrv_co_write_req_finish(BdrvChild *child, int64_t offset, int64_t bytes,
                         BdrvTrackedRequest *req, int ret);

/* Largest length handed to @bs's driver in one call. */
int64_t bdrv_max_transfer(BlockDriverState *bs);

/*
 * One read / write straight to @bs's driver, through whichever callback
 * flavour it has (FUA emulated with a flush for writes).  No checks, no
 * tracking.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_driver_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, size_t qiov_offset, int flags);
int coroutine_fn GRAPH_RDLOCK
bdrv_driver_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, size_t qiov_offset,
                    BdrvRequestFlags flags);

/*
 * A read below the tracked request: driver-sized pieces, zeroes past the
 * end of the node.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_preadv(BdrvChild *child, int64_t offset, int64_t bytes,
                  QEMUIOVector *qiov, size_t qiov_offset,
                  BdrvRequestFlags flags);

/* Zeroes with the driver's callback, else from a bounce buffer. */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                         BdrvRequestFlags flags);

/*
 * block/io-cor.c: a read below the tracked request that honours
 * BDRV_REQ_COPY_ON_READ and BDRV_REQ_PREFETCH, then continues as
 * bdrv_co_do_preadv().  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_preadv_cor(BdrvChild *child, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, size_t qiov_offset,
                      BdrvRequestFlags flags);

#endif /* BLOCK_IO_INTERNAL_H */
