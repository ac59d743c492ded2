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
 * block/io-serialise.c.  bdrv_wait_serialising_requests() waits until no
 * serialising request overlaps @self (or, if @self is serialising, no
 * request at all); true if it waited.  bdrv_co_serialise_write() does
 * that for a write, first making it serialising with @align when @flags
 * has BDRV_REQ_SERIALISING; with BDRV_REQ_NO_WAIT too, a conflict gives
 * -EBUSY instead of waiting.  0 or -EBUSY.
 */
bool coroutine_fn bdrv_wait_serialising_requests(BdrvTrackedRequest *self);
int coroutine_fn bdrv_co_serialise_write(BdrvTrackedRequest *req,
                                         BdrvRequestFlags flags,
                                         uint64_t align);

/* The node's cluster size, or its request alignment if it has none. */
int64_t coroutine_fn GRAPH_RDLOCK
bdrv_co_get_cluster_size(BlockDriverState *bs);

/*
 * block/io-align.c: padding a request out to bs->bl.request_alignment.
 * [start, start + total) is the widened range; head / tail the bytes
 * added before / after the caller's range.  buf holds the head block
 * (at buf) and the tail block (at tail_buf; the same block when the
 * request lies inside one block).
 */
typedef struct BdrvRequestPadding {
    int64_t align;
    int64_t head;
    int64_t tail;
    int64_t start;
    int64_t total;
    uint8_t *buf;
    uint8_t *tail_buf;
    size_t buf_len;
    QEMUIOVector qiov;      /* head + caller's vector + tail */
    bool has_qiov;
    uint8_t *bounce;        /* whole range, when the vector is too long */
} BdrvRequestPadding;

/*
 * Fills @pad for [@offset, @offset + @bytes) on @bs; false (and nothing
 * to destroy) when the request is aligned already.
 */
bool bdrv_pad_init(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   BdrvRequestPadding *pad);
/*
 * Builds pad->qiov around @bytes of @qiov from @qiov_offset.  When that
 * would need more than IOV_MAX elements, pad->qiov is one bounce buffer
 * instead, filled from @qiov for a write (so the RMW read must be done
 * already) and copied back by bdrv_pad_read_done() after a read.
 * 0 or -ENOMEM.
 */
int bdrv_pad_qiov(BlockDriverState *bs, BdrvRequestPadding *pad,
                  QEMUIOVector *qiov, size_t qiov_offset, int64_t bytes,
                  bool is_write);
void bdrv_pad_read_done(BdrvRequestPadding *pad, QEMUIOVector *qiov,
                        size_t qiov_offset, int64_t bytes);
void bdrv_pad_destroy(BdrvRequestPadding *pad);

/*
 * Read half of read-modify-write: fills the partial head / tail blocks
 * from the node.  The caller's request must be serialising.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_pad_rmw_read(BdrvChild *child, BdrvRequestPadding *pad);

/*
 * An unaligned zero write under @req (serialising, covering the padded
 * range): partial blocks are rewritten with zeroes in them, the aligned
 * middle is a zero write.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_pad_zero_pwritev(BdrvChild *child, BdrvTrackedRequest *req,
                      int64_t offset, int64_t bytes, BdrvRequestFlags flags,
                      BdrvRequestPadding *pad);

/*
 * An aligned write (or zero write, @qiov NULL) under @req: waits for
 * serialising requests, detect-zeroes, checks, the driver in
 * max_transfer pieces, bookkeeping.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_pwritev(BdrvChild *child, BdrvTrackedRequest *req,
                   int64_t offset, int64_t bytes, QEMUIOVector *qiov,
                   size_t qiov_offset, BdrvRequestFlags flags);

/*
 * Checks before a request that modifies @child's node (-EPERM on a
 * read-only node; waits for overlapping serialising requests, see
 * bdrv_co_serialise_write() for SERIALISING / NO_WAIT in @flags; arms
 * checks the write threshold), and the bookkeeping after it (write generation,
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

/*
 * detect-zeroes: @flags plus BDRV_REQ_ZERO_WRITE (and MAY_UNMAP with
 * detect-zeroes=unmap on a discard=unmap node) when the data is all zero
 * and the driver has a zero-write callback; @flags unchanged otherwise.
 */
BdrvRequestFlags GRAPH_RDLOCK
bdrv_detect_zeroes(BlockDriverState *bs, QEMUIOVector *qiov,
                   size_t qiov_offset, int64_t bytes, BdrvRequestFlags flags);

/*
 * Flush after a write that emulates FUA: counts that write (not finished
 * yet) in write_gen first.  0 or -errno.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_flush_after_write(BlockDriverState *bs);

/*
 * block/io-zero.c: zeroes with the driver's callback in pieces along
 * pwrite_zeroes_alignment / max_pwrite_zeroes, else from a bounce buffer.
 */
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
