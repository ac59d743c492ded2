/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-block-accounting.c: BlockAcctStats (block/accounting.c): counters
 * for completed, failed, invalid and merged requests, the idle-time
 * switches, latency histograms, and concurrent updates.
 */

#include "qemu/osdep.h"
#include "qemu/timer.h"
#include "block/accounting.h"

static void test_done_failed(void)
{
    BlockAcctStats stats;
    BlockAcctCookie c;

    block_acct_init(&stats);
    g_assert_cmpint(block_acct_idle_time_ns(&stats), ==, -1);

    block_acct_start(&stats, &c, 4096, BLOCK_ACCT_READ);
    block_acct_done(&stats, &c);
    block_acct_start(&stats, &c, 512, BLOCK_ACCT_WRITE);
    block_acct_failed(&stats, &c);
    block_acct_start(&stats, &c, 0, BLOCK_ACCT_FLUSH);
    block_acct_done(&stats, &c);

    g_assert_cmpuint(stats.nr_ops[BLOCK_ACCT_READ], ==, 1);
    g_assert_cmpuint(stats.nr_bytes[BLOCK_ACCT_READ], ==, 4096);
    g_assert_cmpuint(stats.nr_ops[BLOCK_ACCT_WRITE], ==, 0);
    g_assert_cmpuint(stats.nr_bytes[BLOCK_ACCT_WRITE], ==, 0);
    g_assert_cmpuint(stats.failed_ops[BLOCK_ACCT_WRITE], ==, 1);
    g_assert_cmpuint(stats.nr_ops[BLOCK_ACCT_FLUSH], ==, 1);
    g_assert_cmpint(stats.last_access_time_ns, >, 0);
    g_assert_cmpint(block_acct_idle_time_ns(&stats), >=, 0);

    /* A cookie of type NONE is ignored. */
    c.type = BLOCK_ACCT_NONE;
    block_acct_done(&stats, &c);
    g_assert_cmpuint(stats.nr_ops[BLOCK_ACCT_NONE], ==, 0);

    block_acct_cleanup(&stats);
}

static void test_invalid_merged_switches(void)
{
    BlockAcctStats stats;
    BlockAcctCookie c;

    block_acct_init(&stats);
    block_acct_setup(&stats, ON_OFF_AUTO_OFF, ON_OFF_AUTO_OFF);

    /* Neither invalid nor failed requests count as an access now. */
    block_acct_invalid(&stats, BLOCK_ACCT_UNMAP);
    block_acct_start(&stats, &c, 4096, BLOCK_ACCT_READ);
    block_acct_failed(&stats, &c);
    g_assert_cmpuint(stats.invalid_ops[BLOCK_ACCT_UNMAP], ==, 1);
    g_assert_cmpuint(stats.failed_ops[BLOCK_ACCT_READ], ==, 1);
    g_assert_cmpuint(stats.total_time_ns[BLOCK_ACCT_READ], ==, 0);
    g_assert_cmpint(stats.last_access_time_ns, ==, 0);

    /* AUTO leaves the setting alone; ON switches it back. */
    block_acct_setup(&stats, ON_OFF_AUTO_ON, ON_OFF_AUTO_AUTO);
    g_assert_true(stats.account_invalid);
    g_assert_false(stats.account_failed);
    block_acct_invalid(&stats, BLOCK_ACCT_WRITE);
    g_assert_cmpint(stats.last_access_time_ns, >, 0);

    block_acct_merge_done(&stats, BLOCK_ACCT_WRITE, 3);
    block_acct_merge_done(&stats, BLOCK_ACCT_WRITE, 2);
    g_assert_cmpuint(stats.merged[BLOCK_ACCT_WRITE], ==, 5);

    block_acct_cleanup(&stats);
}

static uint64List *make_list(const uint64_t *values, int n)
{
    uint64List *head = NULL;

    for (int i = n - 1; i >= 0; i--) {
        uint64List *e = g_new0(uint64List, 1);
        e->value = values[i];
        e->next = head;
        head = e;
    }
    return head;
}

static void free_list(uint64List *l)
{
    while (l) {
        uint64List *next = l->next;
        g_free(l);
        l = next;
    }
}

/* Complete a read whose latency is @latency_ns (start time set by hand). */
static void read_with_latency(BlockAcctStats *stats, int64_t latency_ns)
{
    BlockAcctCookie c;

    block_acct_start(stats, &c, 512, BLOCK_ACCT_READ);
    c.start_time_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - latency_ns;
    block_acct_done(stats, &c);
}

static void test_histogram(void)
{
    static const uint64_t good[] = { 1000000, 1000000000000ULL };
    static const uint64_t bad[] = { 50, 50 };
    BlockLatencyHistogram *h;
    BlockAcctStats stats;
    uint64List *l;

    block_acct_init(&stats);
    h = &stats.latency_histogram[BLOCK_ACCT_READ];

    l = make_list(bad, 2);
    g_assert_cmpint(block_latency_histogram_set(&stats, BLOCK_ACCT_READ, l),
                    ==, -EINVAL);
    free_list(l);
    g_assert_cmpint(h->nbins, ==, 0);

    l = make_list(good, 2);
    g_assert_cmpint(block_latency_histogram_set(&stats, BLOCK_ACCT_READ, l),
                    ==, 0);
    free_list(l);
    g_assert_cmpint(h->nbins, ==, 3);

    /* A start time in the future clamps to 0 ns: first bin. */
    read_with_latency(&stats, -1000000000LL);
    /* 10 s: between the two boundaries. */
    read_with_latency(&stats, 10000000000LL);
    read_with_latency(&stats, 20000000000LL);
    /* 2000 s: last, open-ended bin. */
    read_with_latency(&stats, 2000000000000LL);

    g_assert_cmpuint(h->bins[0], ==, 1);
    g_assert_cmpuint(h->bins[1], ==, 2);
    g_assert_cmpuint(h->bins[2], ==, 1);
    /* Other types have no histogram. */
    g_assert_cmpint(stats.latency_histogram[BLOCK_ACCT_WRITE].nbins, ==, 0);
    /* Latencies also add up in total_time_ns. */
    g_assert_cmpuint(stats.total_time_ns[BLOCK_ACCT_READ], >=,
                     2030000000000ULL);

    block_latency_histograms_clear(&stats);
    g_assert_cmpint(h->nbins, ==, 0);
    g_assert_null(h->bins);
    block_acct_cleanup(&stats);
}

#define THREADS 4
#define OPS_PER_THREAD 2000

static gpointer account_thread(gpointer opaque)
{
    BlockAcctStats *stats = opaque;
    BlockAcctCookie c;

    for (int i = 0; i < OPS_PER_THREAD; i++) {
        block_acct_start(stats, &c, 8, BLOCK_ACCT_WRITE);
        block_acct_done(stats, &c);
    }
    return NULL;
}

static void test_threads(void)
{
    GThread *threads[THREADS];
    BlockAcctStats stats;

    block_acct_init(&stats);
    for (int i = 0; i < THREADS; i++) {
        threads[i] = g_thread_new("acct", account_thread, &stats);
    }
    for (int i = 0; i < THREADS; i++) {
        g_thread_join(threads[i]);
    }
    g_assert_cmpuint(stats.nr_ops[BLOCK_ACCT_WRITE], ==,
                     THREADS * OPS_PER_THREAD);
    g_assert_cmpuint(stats.nr_bytes[BLOCK_ACCT_WRITE], ==,
                     8 * THREADS * OPS_PER_THREAD);
    block_acct_cleanup(&stats);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/block-accounting/done-failed", test_done_failed);
    g_test_add_func("/block-accounting/invalid-merged-switches",
                    test_invalid_merged_switches);
    g_test_add_func("/block-accounting/histogram", test_histogram);
    g_test_add_func("/block-accounting/threads", test_threads);

    return g_test_run();
}
