/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * accounting.c: per-BlockBackend I/O statistics (see
 * include/block/accounting.h).  Every counter update happens under
 * stats->lock, so requests completing in several threads may share one
 * BlockAcctStats.  Time comes from QEMU_CLOCK_REALTIME.
 */

#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "block/accounting.h"

static int64_t acct_now_ns(void)
{
    return qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
}

void block_acct_init(BlockAcctStats *stats)
{
    memset(stats, 0, sizeof(*stats));
    qemu_mutex_init(&stats->lock);
    stats->account_invalid = true;
    stats->account_failed = true;
}

void block_acct_setup(BlockAcctStats *stats, enum OnOffAuto account_invalid,
                      enum OnOffAuto account_failed)
{
    if (account_invalid != ON_OFF_AUTO_AUTO) {
        stats->account_invalid = account_invalid == ON_OFF_AUTO_ON;
    }
    if (account_failed != ON_OFF_AUTO_AUTO) {
        stats->account_failed = account_failed == ON_OFF_AUTO_ON;
    }
}

static void histogram_free(BlockLatencyHistogram *hist)
{
    g_free(hist->boundaries);
    g_free(hist->bins);
    memset(hist, 0, sizeof(*hist));
}

void block_acct_cleanup(BlockAcctStats *stats)
{
    block_latency_histograms_clear(stats);
    qemu_mutex_destroy(&stats->lock);
}

void block_acct_start(BlockAcctStats *stats, BlockAcctCookie *cookie,
                      int64_t bytes, enum BlockAcctType type)
{
    assert(type < BLOCK_MAX_IOTYPE);

    cookie->bytes = bytes;
    cookie->start_time_ns = acct_now_ns();
    cookie->type = type;
}

/* Count @latency_ns in the histogram's bin; stats->lock held. */
static void histogram_account(BlockLatencyHistogram *hist,
                              int64_t latency_ns)
{
    int lo = 0, hi = hist->nbins - 1;

    if (!hist->nbins) {
        return;
    }
    /* Find the number of boundaries <= latency: that is the bin. */
    while (lo < hi) {
        int mid = (lo + hi) / 2;

        if (hist->boundaries[mid] <= (uint64_t)latency_ns) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    hist->bins[lo]++;
}

static void acct_finish(BlockAcctStats *stats, BlockAcctCookie *cookie,
                        bool failed)
{
    enum BlockAcctType type = cookie->type;
    int64_t now, latency_ns;

    if (type == BLOCK_ACCT_NONE) {
        return;
    }
    assert(type < BLOCK_MAX_IOTYPE);
    now = acct_now_ns();
    latency_ns = MAX(now - cookie->start_time_ns, 0);

    qemu_mutex_lock(&stats->lock);
    if (failed) {
        stats->failed_ops[type]++;
    } else {
        stats->nr_bytes[type] += cookie->bytes;
        stats->nr_ops[type]++;
        histogram_account(&stats->latency_histogram[type], latency_ns);
    }
    if (!failed || stats->account_failed) {
        stats->total_time_ns[type] += latency_ns;
        stats->last_access_time_ns = now;
    }
    qemu_mutex_unlock(&stats->lock);
}

void block_acct_done(BlockAcctStats *stats, BlockAcctCookie *cookie)
{
    acct_finish(stats, cookie, false);
}

void block_acct_failed(BlockAcctStats *stats, BlockAcctCookie *cookie)
{
    acct_finish(stats, cookie, true);
}

void block_acct_invalid(BlockAcctStats *stats, enum BlockAcctType type)
{
    assert(type < BLOCK_MAX_IOTYPE);

    qemu_mutex_lock(&stats->lock);
    stats->invalid_ops[type]++;
    if (stats->account_invalid) {
        stats->last_access_time_ns = acct_now_ns();
    }
    qemu_mutex_unlock(&stats->lock);
}

void block_acct_merge_done(BlockAcctStats *stats, enum BlockAcctType type,
                           int num_requests)
{
    assert(type < BLOCK_MAX_IOTYPE);

    qemu_mutex_lock(&stats->lock);
    stats->merged[type] += num_requests;
    qemu_mutex_unlock(&stats->lock);
}

int64_t block_acct_idle_time_ns(BlockAcctStats *stats)
{
    int64_t last;

    qemu_mutex_lock(&stats->lock);
    last = stats->last_access_time_ns;
    qemu_mutex_unlock(&stats->lock);
    return last ? acct_now_ns() - last : -1;
}

int block_latency_histogram_set(BlockAcctStats *stats,
                                enum BlockAcctType type,
                                uint64List *boundaries)
{
    BlockLatencyHistogram *hist = &stats->latency_histogram[type];
    uint64List *e;
    int n = 0;

    assert(type < BLOCK_MAX_IOTYPE);
    for (e = boundaries; e; e = e->next) {
        if (e->next && e->value >= e->next->value) {
            return -EINVAL;
        }
        n++;
    }

    qemu_mutex_lock(&stats->lock);
    histogram_free(hist);
    if (n) {
        hist->nbins = n + 1;
        hist->boundaries = g_new(uint64_t, n);
        hist->bins = g_new0(uint64_t, n + 1);
        n = 0;
        for (e = boundaries; e; e = e->next) {
            hist->boundaries[n++] = e->value;
        }
    }
    qemu_mutex_unlock(&stats->lock);
    return 0;
}

void block_latency_histograms_clear(BlockAcctStats *stats)
{
    int i;

    qemu_mutex_lock(&stats->lock);
    for (i = 0; i < BLOCK_MAX_IOTYPE; i++) {
        histogram_free(&stats->latency_histogram[i]);
    }
    qemu_mutex_unlock(&stats->lock);
}
