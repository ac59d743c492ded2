/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace/trace-block.h: the block layer's trace events.
 *
 * Each event is a TraceEvent in util/trace-control.c plus an inline
 * trace_<event>() that costs one load and a predicted branch while the
 * event is disabled.  Names, arguments and formats are QEMU 7.2's.
 */
#ifndef TRACE_TRACE_BLOCK_H
#define TRACE_TRACE_BLOCK_H

#include "qemu/atomic.h"
#include "trace/control.h"

extern TraceEvent trace_event_bdrv_open_common;
extern TraceEvent trace_event_blk_co_preadv;
extern TraceEvent trace_event_blk_co_pwritev;
extern TraceEvent trace_event_bdrv_co_preadv_part;
extern TraceEvent trace_event_bdrv_co_pwritev_part;
extern TraceEvent trace_event_bdrv_co_pwrite_zeroes;

static inline void trace_bdrv_open_common(void *bs, const char *filename,
                                          int flags, const char *format_name)
{
    if (unlikely(qatomic_read(&trace_event_bdrv_open_common.enabled))) {
        trace_event_log("bdrv_open_common", "bs %p filename \"%s\" flags "
                        "0x%x format_name \"%s\"", bs, filename, flags,
                        format_name);
    }
}

static inline void trace_blk_co_preadv(void *blk, void *bs, int64_t offset,
                                       int64_t bytes, int flags)
{
    if (unlikely(qatomic_read(&trace_event_blk_co_preadv.enabled))) {
        trace_event_log("blk_co_preadv", "blk %p bs %p offset %" PRId64
                        " bytes %" PRId64 " flags 0x%x", blk, bs, offset,
                        bytes, flags);
    }
}

static inline void trace_blk_co_pwritev(void *blk, void *bs, int64_t offset,
                                        int64_t bytes, int flags)
{
    if (unlikely(qatomic_read(&trace_event_blk_co_pwritev.enabled))) {
        trace_event_log("blk_co_pwritev", "blk %p bs %p offset %" PRId64
                        " bytes %" PRId64 " flags 0x%x", blk, bs, offset,
                        bytes, flags);
    }
}

static inline void trace_bdrv_co_preadv_part(void *bs, int64_t offset,
                                             int64_t bytes, int flags)
{
    if (unlikely(qatomic_read(&trace_event_bdrv_co_preadv_part.enabled))) {
        trace_event_log("bdrv_co_preadv_part", "bs %p offset %" PRId64
                        " bytes %" PRId64 " flags 0x%x", bs, offset, bytes,
                        flags);
    }
}

static inline void trace_bdrv_co_pwritev_part(void *bs, int64_t offset,
                                              int64_t bytes, int flags)
{
    if (unlikely(qatomic_read(&trace_event_bdrv_co_pwritev_part.enabled))) {
        trace_event_log("bdrv_co_pwritev_part", "bs %p offset %" PRId64
                        " bytes %" PRId64 " flags 0x%x", bs, offset, bytes,
                        flags);
    }
}

static inline void trace_bdrv_co_pwrite_zeroes(void *bs, int64_t offset,
                                               int64_t bytes, int flags)
{
    if (unlikely(qatomic_read(&trace_event_bdrv_co_pwrite_zeroes.enabled))) {
        trace_event_log("bdrv_co_pwrite_zeroes", "bs %p offset %" PRId64
                        " bytes %" PRId64 " flags 0x%x", bs, offset, bytes,
                        flags);
    }
}

#endif /* TRACE_TRACE_BLOCK_H */
