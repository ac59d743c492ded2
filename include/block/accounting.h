/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * accounting.h: per-BlockBackend I/O statistics (query-blockstats):
 * operation and byte counts, failed and invalid requests, total latency,
 * merged requests, idle time, and optional latency histograms.
 *
 * A request is accounted in two steps: block_acct_start() fills a
 * BlockAcctCookie when it is issued, and exactly one of
 * block_acct_done() / block_acct_failed() consumes it on completion.
 * Requests rejected before being issued are counted with
 * block_acct_invalid().  All functions are thread-safe (stats->lock).
 * Implemented in block/accounting.c.
 */
#ifndef BLOCK_ACCOUNTING_H
#define BLOCK_ACCOUNTING_H

#include "qemu/queue.h"
#include "qemu/thread.h"
#include "qapi/qapi-types-block-core.h"

typedef struct BlockAcctStats BlockAcctStats;

enum BlockAcctType {
    BLOCK_ACCT_NONE = 0,
    BLOCK_ACCT_READ,
    BLOCK_ACCT_WRITE,
    BLOCK_ACCT_FLUSH,
    BLOCK_ACCT_UNMAP,
    BLOCK_ACCT_ZONE_APPEND,
    BLOCK_MAX_IOTYPE,
};

/*
 * Latency histogram of one request type: @nbins bins separated by the
 * @nbins - 1 ascending @boundaries (nanoseconds).  Bin i counts
 * latencies in [boundaries[i - 1], boundaries[i]); the first bin starts
 * at 0, the last is open-ended.  nbins == 0: histogram disabled.
 */
typedef struct BlockLatencyHistogram {
    int nbins;
    uint64_t *boundaries;
    uint64_t *bins;
} BlockLatencyHistogram;

struct BlockAcctStats {
    QemuMutex lock;
    uint64_t nr_bytes[BLOCK_MAX_IOTYPE];
    uint64_t nr_ops[BLOCK_MAX_IOTYPE];
    uint64_t invalid_ops[BLOCK_MAX_IOTYPE];
    uint64_t failed_ops[BLOCK_MAX_IOTYPE];
    uint64_t total_time_ns[BLOCK_MAX_IOTYPE];
    uint64_t merged[BLOCK_MAX_IOTYPE];
    int64_t last_access_time_ns;    /* 0: never accessed */
    bool account_invalid;           /* invalid requests touch idle time */
    bool account_failed;            /* failed requests touch idle time */
    BlockLatencyHistogram latency_histogram[BLOCK_MAX_IOTYPE];
};

/* What block_acct_start() records for one request. */
typedef struct BlockAcctCookie {
    int64_t bytes;
    int64_t start_time_ns;
    enum BlockAcctType type;
} BlockAcctCookie;

/* Zero @stats (both account_* flags on) and init its lock. */
void block_acct_init(BlockAcctStats *stats);

/*
 * Choose whether invalid / failed requests update last_access_time_ns.
 * ON_OFF_AUTO_AUTO keeps the default (yes).
 */
void block_acct_setup(BlockAcctStats *stats, enum OnOffAuto account_invalid,
                      enum OnOffAuto account_failed);

/* Free the histograms and destroy the lock. */
void block_acct_cleanup(BlockAcctStats *stats);

/* Start accounting a request of @bytes bytes of @type. */
void block_acct_start(BlockAcctStats *stats, BlockAcctCookie *cookie,
                      int64_t bytes, enum BlockAcctType type);

/*
 * The request of @cookie succeeded: count op, bytes, latency (total and
 * histogram) and the access time.
 */
void block_acct_done(BlockAcctStats *stats, BlockAcctCookie *cookie);

/*
 * The request of @cookie failed: count it in failed_ops; if
 * account_failed, also its latency (total only) and the access time.
 */
void block_acct_failed(BlockAcctStats *stats, BlockAcctCookie *cookie);

/* A request of @type was rejected before it started (bad range...). */
void block_acct_invalid(BlockAcctStats *stats, enum BlockAcctType type);

/* @num_requests requests of @type were merged into other requests. */
void block_acct_merge_done(BlockAcctStats *stats, enum BlockAcctType type,
                           int num_requests);

/* Nanoseconds since the last accounted access, or -1 if none yet. */
int64_t block_acct_idle_time_ns(BlockAcctStats *stats);

/*
 * Enable the latency histogram of @type with the given strictly
 * ascending @boundaries (ns, at least one), discarding old counts.
 * NULL @boundaries disables it.  0 or -EINVAL (not ascending).
 */
int block_latency_histogram_set(BlockAcctStats *stats,
                                enum BlockAcctType type,
                                uint64List *boundaries);

/* Disable every latency histogram of @stats. */
void block_latency_histograms_clear(BlockAcctStats *stats);

#endif /* BLOCK_ACCOUNTING_H */
