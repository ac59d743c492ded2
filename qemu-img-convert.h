/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-convert.h: the state shared by the two halves of "qemu-img
 * convert": the command line and target set-up (qemu-img-convert.c) and
 * the parallel copy engine (qemu-img-convert-copy.c).
 */
#ifndef QEMU_IMG_CONVERT_H
#define QEMU_IMG_CONVERT_H

#include "qemu-img-common.h"
#include "qemu/coroutine.h"
#include "qemu-img-convert-rate.h"

#define CONVERT_MAX_COROUTINES 16
#define CONVERT_BUF_SIZE (2 * 1024 * 1024)  /* bytes per request */
#define CONVERT_WR_DEPTH 2      /* pipelined writes in flight at most */

/* What a range of the source needs on the target. */
typedef enum ConvertStatus {
    CONVERT_DATA,       /* copy (zero detection may still skip parts) */
    CONVERT_ZERO,       /* reads as zero: zero it unless already zero */
    CONVERT_BACKING,    /* comes from the target's backing file: skip */
    CONVERT_ZERO_DATA,  /* reads as zero, written as data (-S 0) */
} ConvertStatus;

typedef struct ConvertState {
    /* Sources, concatenated in order. */
    BlockBackend **src;
    int64_t *src_size;
    int64_t *src_align;     /* status ranges end on these boundaries */
    int src_num;
    int64_t total_size;

    BlockBackend *target;
    bool compressed;
    bool target_has_backing;
    bool has_zero_init;     /* target reads as zero before we start */
    bool wr_in_order;       /* false with -W */
    /*
     * In-order writes that may overlap: the next range's write starts
     * before this one is done.  For targets that store every byte at its
     * own offset (raw over a host file: @wr_turn_at_start) as soon as
     * this one has started, since the result cannot depend on which
     * write lands first.  For qcow2, which allocates in the order writes
     * arrive, only once this range's last request has been submitted
     * (and only a data write of @wr_align multiples: a single driver
     * call), so the layout is the one serial writes give.
     */
    bool wr_pipelined;
    bool wr_turn_at_start;
    int64_t wr_align;       /* the target's request alignment */
    bool copy_range;        /* -C */
    bool salvage;
    bool quiet;
    bool progress;          /* -p: count the bytes to copy first */
    int64_t min_sparse;     /* bytes; 0: no zero detection */
    int64_t buf_size;       /* bytes per request */
    int64_t cluster_size;   /* compressed writes are whole clusters */
    int num_coroutines;
    int64_t rate_limit;     /* -r: bytes per second, 0 for none */
    ConvertRateLimit rate;  /* counts the bytes that are copied */

    /*
     * The cursor coroutines take work from.  Block status may yield, so
     * taking a range happens under @lock.
     */
    CoMutex lock;
    int64_t next_offset;
    int64_t status_end;     /* status below is valid up to here */
    ConvertStatus status;
    int64_t wr_offset;      /* in-order writes: where the next one starts */
    CoQueue wr_queue;       /* waiting for their turn to start */
    int64_t wr_done;        /* pipelined: all writes below this are done */
    int wr_in_flight;       /* pipelined: started, not yet done */
    CoQueue wr_done_queue;  /* pipelined: done, waiting for the ones before */
    int running;
    int ret;
    int64_t alloc_total;    /* bytes the progress counts (data to copy) */
    int64_t alloc_done;
} ConvertState;

/*
 * Copy every source into the target with @s->num_coroutines coroutines
 * and report any error ("error while reading/writing ...").  Returns 0
 * or -errno.  Main loop only.
 */
int convert_do_copy(ConvertState *s);

#endif /* QEMU_IMG_CONVERT_H */
