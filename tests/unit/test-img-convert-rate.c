/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-img-convert-rate.c: the throttle of "qemu-img convert -r"
 * (qemu-img-convert-rate.c), driven by a simulated clock: delays for
 * large and small ranges, the long-run rate, idle gaps, no limit.
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include "../../qemu-img-convert-rate.h"

#define NS_PER_SEC 1000000000LL

/* Without a rate nothing ever waits. */
static void test_unlimited(void)
{
    ConvertRateLimit rl;

    convert_rate_init(&rl, 0);
    for (int i = 0; i < 100; i++) {
        g_assert_cmpint(convert_rate_delay(&rl, 0, 64 * MiB), ==, 0);
    }
}

/*
 * Ranges larger than a slice's budget, all taken at once (parallel
 * coroutines): the first goes, each later one waits until the bytes
 * before it have taken their time at the rate.
 */
static void test_big_ranges(void)
{
    const uint64_t rate = 1 * MiB;
    const uint64_t chunk = 2 * MiB;
    int64_t t0 = 5 * NS_PER_SEC;
    ConvertRateLimit rl;

    convert_rate_init(&rl, rate);
    for (int i = 0; i < 4; i++) {
        int64_t want = (int64_t)(i * chunk) * NS_PER_SEC / rate;

        g_assert_cmpint(convert_rate_delay(&rl, t0, chunk), ==, want);
    }
}

/* Ranges within one slice's budget go without waiting. */
static void test_within_budget(void)
{
    const uint64_t rate = 10 * MiB;        /* 1 MiB per 100 ms slice */
    ConvertRateLimit rl;
    uint64_t sent = 0;

    convert_rate_init(&rl, rate);
    while (sent + 64 * KiB <= rl.slice_quota) {
        g_assert_cmpint(convert_rate_delay(&rl, 0, 64 * KiB), ==, 0);
        sent += 64 * KiB;
    }
    g_assert_cmpuint(sent, ==, 1 * MiB);
    /* The budget is used up: the next one waits for the slice's time. */
    g_assert_cmpint(convert_rate_delay(&rl, 0, 64 * KiB), ==,
                    CONVERT_RATE_SLICE_NS);
}

/*
 * One copier that sleeps as told and copies instantly: over many ranges
 * the bytes per second stay at the rate, give or take one slice's
 * budget and one range.
 */
static void test_long_run_rate(void)
{
    const uint64_t rate = 3 * MiB, chunk = 192 * KiB;
    const int n = 400;
    ConvertRateLimit rl;
    int64_t now = 0, low, high;

    convert_rate_init(&rl, rate);
    for (int i = 0; i < n; i++) {
        int64_t d = convert_rate_delay(&rl, now, chunk);

        g_assert_cmpint(d, >=, 0);
        now += d;
    }
    /* The last range starts when the ones before it are due. */
    high = (int64_t)((n - 1) * chunk) * NS_PER_SEC / rate;
    low = (int64_t)((n - 1) * chunk - rl.slice_quota - chunk) *
          NS_PER_SEC / rate;
    g_assert_cmpint(now, <=, high);
    g_assert_cmpint(now, >=, low);
}

/* After an idle gap longer than the backlog, a fresh slice starts. */
static void test_idle_gap(void)
{
    const uint64_t rate = 1 * MiB;
    ConvertRateLimit rl;
    int64_t d;

    convert_rate_init(&rl, rate);
    g_assert_cmpint(convert_rate_delay(&rl, 0, 2 * MiB), ==, 0);
    d = convert_rate_delay(&rl, 0, 2 * MiB);
    g_assert_cmpint(d, ==, 2 * NS_PER_SEC);
    /* Ten seconds later the 4 MiB are long done. */
    g_assert_cmpint(convert_rate_delay(&rl, 10 * NS_PER_SEC, 2 * MiB), ==,
                    0);
    /* Within the backlog of a range, the next one still waits. */
    g_assert_cmpint(convert_rate_delay(&rl, 11 * NS_PER_SEC, 2 * MiB), ==,
                    NS_PER_SEC);
}

/* A rate below one byte per slice still lets bytes through, slowly. */
static void test_tiny_rate(void)
{
    ConvertRateLimit rl;

    convert_rate_init(&rl, 1);
    g_assert_cmpuint(rl.slice_quota, ==, 1);
    g_assert_cmpint(convert_rate_delay(&rl, 0, 512), ==, 0);
    g_assert_cmpint(convert_rate_delay(&rl, 0, 512), ==, 512 * NS_PER_SEC);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/img-convert-rate/unlimited", test_unlimited);
    g_test_add_func("/img-convert-rate/big-ranges", test_big_ranges);
    g_test_add_func("/img-convert-rate/within-budget", test_within_budget);
    g_test_add_func("/img-convert-rate/long-run-rate", test_long_run_rate);
    g_test_add_func("/img-convert-rate/idle-gap", test_idle_gap);
    g_test_add_func("/img-convert-rate/tiny-rate", test_tiny_rate);
    return g_test_run();
}
