/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * include/block/write-threshold.h: the write threshold of a node.
 *
 * A node can be given an offset; the first write that reaches past it
 * reports the event (BLOCK_WRITE_THRESHOLD in QEMU; here a hook the
 * management layer installs) and disarms the threshold.
 */
#ifndef BLOCK_WRITE_THRESHOLD_H
#define BLOCK_WRITE_THRESHOLD_H

#include "block/block_int.h"

/*
 * Called once when a write to @bs ends @amount_exceeded bytes past the
 * armed @threshold (which is then disarmed).  Runs in the request's
 * coroutine, in the node's AioContext.
 */
typedef void BdrvWriteThresholdHook(BlockDriverState *bs,
                                    uint64_t amount_exceeded,
                                    uint64_t threshold, void *opaque);

/*
 * Arms the threshold at byte @threshold_bytes (0 disarms).  Any context;
 * the value is read atomically by the I/O path.
 */
void bdrv_write_threshold_set(BlockDriverState *bs, uint64_t threshold_bytes);

/* The armed threshold, 0 if none. */
uint64_t bdrv_write_threshold_get(const BlockDriverState *bs);

/*
 * Installs the process-wide hook (NULL removes it).  Main loop only,
 * before any node has a threshold armed.
 */
void bdrv_write_threshold_set_hook(BdrvWriteThresholdHook *hook,
                                   void *opaque);

/*
 * Called by the core for every write to [@offset, @offset + @bytes):
 * fires the hook and disarms when the write ends past the threshold.
 */
void bdrv_write_threshold_check_write(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes);

#endif /* BLOCK_WRITE_THRESHOLD_H */
