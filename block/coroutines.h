/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coroutines.h: block-layer coroutine functions that are internal to
 * block/ (io.c, block-backend.c), and the synchronous wrappers that
 * scripts/block-coroutine-wrapper.py generates for them into
 * block/block-gen.c.  Not for drivers or devices.
 */
#ifndef BLOCK_COROUTINES_H
#define BLOCK_COROUTINES_H

#include "block/block_int.h"

/*
 * Block status over the chain from @bs down to @base (@base itself
 * included if @include_base), as bdrv_co_block_status_above(); *depth
 * (if not NULL) receives how many layers down the answer came from
 * (1 = @bs).  @want_zero: see BlockDriver.bdrv_co_block_status.
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_common_block_status_above(BlockDriverState *bs,
                                  BlockDriverState *base,
                                  bool include_base,
                                  bool want_zero,
                                  int64_t offset,
                                  int64_t bytes,
                                  int64_t *pnum,
                                  int64_t *map,
                                  BlockDriverState **file,
                                  int *depth);

int co_wrapper_mixed_bdrv_rdlock
bdrv_common_block_status_above(BlockDriverState *bs,
                               BlockDriverState *base,
                               bool include_base,
                               bool want_zero,
                               int64_t offset,
                               int64_t bytes,
                               int64_t *pnum,
                               int64_t *map,
                               BlockDriverState **file,
                               int *depth);

/* VM state area access (bdrv_readv_vmstate() / bdrv_writev_vmstate()). */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_readv_vmstate(BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);

int coroutine_fn GRAPH_RDLOCK
bdrv_co_writev_vmstate(BlockDriverState *bs, QEMUIOVector *qiov, int64_t pos);

/*
 * BlockBackend request bodies shared by the coroutine, AIO and
 * synchronous entry points; the caller has counted the request in flight.
 */
int coroutine_fn
blk_co_do_preadv_part(BlockBackend *blk, int64_t offset, int64_t bytes,
                      QEMUIOVector *qiov, size_t qiov_offset,
                      BdrvRequestFlags flags);

int coroutine_fn
blk_co_do_pwritev_part(BlockBackend *blk, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, size_t qiov_offset,
                       BdrvRequestFlags flags);

int coroutine_fn
blk_co_do_ioctl(BlockBackend *blk, unsigned long int req, void *buf);

int coroutine_fn
blk_co_do_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes);

int coroutine_fn blk_co_do_flush(BlockBackend *blk);

int co_wrapper_mixed
blk_do_preadv_part(BlockBackend *blk, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, size_t qiov_offset,
                   BdrvRequestFlags flags);

int co_wrapper_mixed
blk_do_pwritev_part(BlockBackend *blk, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, size_t qiov_offset,
                    BdrvRequestFlags flags);

int co_wrapper_mixed
blk_do_ioctl(BlockBackend *blk, unsigned long int req, void *buf);

int co_wrapper_mixed
blk_do_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes);

int co_wrapper_mixed blk_do_flush(BlockBackend *blk);

#endif /* BLOCK_COROUTINES_H */
