/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/write-threshold.c: the per-node write threshold.  The request
 * path (io.c) calls bdrv_write_threshold_check_write() for every write;
 * crossing the armed offset calls the installed hook once and disarms.
 * There is no QMP here yet: the hook stands in for the event.
 */

#include "qemu/osdep.h"
#include "block/write-threshold.h"

static BdrvWriteThresholdHook *threshold_hook;
static void *threshold_hook_opaque;

void bdrv_write_threshold_set(BlockDriverState *bs, uint64_t threshold_bytes)
{
    qatomic_set(&bs->write_threshold_offset, threshold_bytes);
}

uint64_t bdrv_write_threshold_get(const BlockDriverState *bs)
{
    return qatomic_read(&bs->write_threshold_offset);
}

void bdrv_write_threshold_set_hook(BdrvWriteThresholdHook *hook,
                                   void *opaque)
{
    GLOBAL_STATE_CODE();
    threshold_hook = hook;
    threshold_hook_opaque = opaque;
}

void bdrv_write_threshold_check_write(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes)
{
    uint64_t end = offset + bytes;
    uint64_t threshold = qatomic_read(&bs->write_threshold_offset);

    if (threshold == 0 || end <= threshold) {
        return;
    }
    /* Only the request that disarms it reports the crossing. */
    if (qatomic_cmpxchg(&bs->write_threshold_offset, threshold, 0) !=
        threshold) {
        return;
    }
    if (threshold_hook) {
        threshold_hook(bs, end - threshold, threshold, threshold_hook_opaque);
    }
}
