/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-throttle.c: leaky-bucket arithmetic, configuration validation and
 * accounting of util/throttle.c.  Expected values are derived from the
 * bucket rules (100 ms of average rate without bursts; max * burst_length
 * with bursts) rather than from running the code.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/throttle.h"
#include "block/aio.h"

#define NS 1000000000LL

static void test_leak(void)
{
    LeakyBucket bkt = { .avg = 150, .max = 0, .level = 150, .burst_length = 1 };

    /* half a second drains half of the rate */
    throttle_leak_bucket(&bkt, NS / 2);
    g_assert_cmpfloat(bkt.level, ==, 75);
    /* the level never goes below zero */
    throttle_leak_bucket(&bkt, 10 * NS);
    g_assert_cmpfloat(bkt.level, ==, 0);

    /* a burst level drains at the burst rate */
    bkt = (LeakyBucket) { .avg = 100, .max = 1000, .level = 500,
                          .burst_level = 500, .burst_length = 1 };
    throttle_leak_bucket(&bkt, NS / 10);
    g_assert_cmpfloat(bkt.level, ==, 500 - 10);
    g_assert_cmpfloat(bkt.burst_level, ==, 500 - 100);
}

static void test_compute_wait(void)
{
    LeakyBucket bkt = { .avg = 0, .level = 1e9, .burst_length = 1 };

    /* no limit: never wait */
    g_assert_cmpint(throttle_compute_wait(&bkt), ==, 0);

    /* without bursts the bucket holds avg / 10 */
    bkt = (LeakyBucket) { .avg = 150, .level = 15, .burst_length = 1 };
    g_assert_cmpint(throttle_compute_wait(&bkt), ==, 0);
    bkt.level = 30;
    /* 15 units over at 150/s: 100 ms */
    g_assert_cmpint(throttle_compute_wait(&bkt), ==, NS / 10);

    /* with bursts the bucket holds max * burst_length */
    bkt = (LeakyBucket) { .avg = 100, .max = 1000, .burst_length = 2,
                          .level = 2000, .burst_level = 0 };
    g_assert_cmpint(throttle_compute_wait(&bkt), ==, 0);
    bkt.level = 2050;
    /* 50 over at the average rate of 100/s: 500 ms */
    g_assert_cmpint(throttle_compute_wait(&bkt), ==, NS / 2);

    /* and a burst slice holds max / 10 */
    bkt.level = 0;
    bkt.burst_level = 100;
    g_assert_cmpint(throttle_compute_wait(&bkt), ==, 0);
    bkt.burst_level = 200;
    /* 100 over at the burst rate of 1000/s: 100 ms */
    g_assert_cmpint(throttle_compute_wait(&bkt), ==, NS / 10);
}

static void check_invalid(ThrottleConfig *cfg, const char *msg)
{
    Error *err = NULL;

    g_assert_false(throttle_is_valid(cfg, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_is_valid(void)
{
    ThrottleConfig cfg;
    int i;

    throttle_config_init(&cfg);
    g_assert_true(throttle_is_valid(&cfg, &error_abort));
    g_assert_false(throttle_enabled(&cfg));

    for (i = 0; i < BUCKETS_COUNT; i++) {
        throttle_config_init(&cfg);
        cfg.buckets[i].avg = 150;
        g_assert_true(throttle_is_valid(&cfg, &error_abort));
        g_assert_true(throttle_enabled(&cfg));
    }

    /* total and per-direction limits together */
    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_BPS_TOTAL].avg = 1;
    cfg.buckets[THROTTLE_BPS_WRITE].avg = 1;
    check_invalid(&cfg, "bps/iops/max total values and read/write values"
                  " cannot be used at the same time");
    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_OPS_TOTAL].avg = 5;
    cfg.buckets[THROTTLE_OPS_READ].avg = 5;
    cfg.buckets[THROTTLE_OPS_TOTAL].max = 5;
    cfg.buckets[THROTTLE_OPS_READ].max = 5;
    check_invalid(&cfg, "bps/iops/max total values and read/write values"
                  " cannot be used at the same time");

    throttle_config_init(&cfg);
    cfg.op_size = 4096;
    cfg.buckets[THROTTLE_BPS_TOTAL].avg = 1;
    check_invalid(&cfg, "iops size requires an iops value to be set");

    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_BPS_READ].avg = THROTTLE_VALUE_MAX + 1;
    check_invalid(&cfg, "bps/iops/max values must be within [0, 1000000000000000]");

    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_BPS_READ].burst_length = 0;
    check_invalid(&cfg, "the burst length cannot be 0");

    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_BPS_READ].avg = 10;
    cfg.buckets[THROTTLE_BPS_READ].burst_length = 2;
    check_invalid(&cfg, "burst length set without burst rate");

    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_BPS_READ].avg = 10;
    cfg.buckets[THROTTLE_BPS_READ].max = THROTTLE_VALUE_MAX;
    cfg.buckets[THROTTLE_BPS_READ].burst_length = 2;
    check_invalid(&cfg, "burst length too high for this burst rate");

    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_OPS_WRITE].max = 10;
    check_invalid(&cfg, "bps_max/iops_max require corresponding bps/iops values");

    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_OPS_WRITE].avg = 20;
    cfg.buckets[THROTTLE_OPS_WRITE].max = 10;
    check_invalid(&cfg, "bps_max/iops_max cannot be lower than bps/iops");
}

static void test_account(void)
{
    ThrottleState ts;
    ThrottleConfig cfg;
    LeakyBucket *b;

    throttle_init(&ts);
    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_BPS_TOTAL].avg = 1000;
    cfg.buckets[THROTTLE_OPS_READ].avg = 10;
    cfg.buckets[THROTTLE_OPS_READ].max = 20;
    cfg.buckets[THROTTLE_OPS_WRITE].avg = 10;
    cfg.op_size = 4096;
    throttle_config(&ts, QEMU_CLOCK_REALTIME, &cfg);
    b = ts.cfg.buckets;

    /* a read of two op_size units counts as two ops */
    throttle_account(&ts, THROTTLE_READ, 8192);
    g_assert_cmpfloat(b[THROTTLE_BPS_TOTAL].level, ==, 8192);
    g_assert_cmpfloat(b[THROTTLE_OPS_READ].level, ==, 2);
    g_assert_cmpfloat(b[THROTTLE_OPS_READ].burst_level, ==, 2);
    g_assert_cmpfloat(b[THROTTLE_OPS_WRITE].level, ==, 0);

    /* a small write is one op */
    throttle_account(&ts, THROTTLE_WRITE, 512);
    g_assert_cmpfloat(b[THROTTLE_BPS_TOTAL].level, ==, 8192 + 512);
    g_assert_cmpfloat(b[THROTTLE_OPS_WRITE].level, ==, 1);
    g_assert_cmpfloat(b[THROTTLE_OPS_READ].level, ==, 2);

    /* buckets without a limit stay empty */
    g_assert_cmpfloat(b[THROTTLE_BPS_READ].level, ==, 0);

    /* a new configuration starts empty */
    throttle_config(&ts, QEMU_CLOCK_REALTIME, &cfg);
    g_assert_cmpfloat(ts.cfg.buckets[THROTTLE_BPS_TOTAL].level, ==, 0);
}

static int timer_fired;

static void timer_cb(void *opaque)
{
    timer_fired++;
}

static void test_schedule_timer(void)
{
    AioContext *ctx = aio_context_new(&error_abort);
    ThrottleState ts;
    ThrottleTimers tt;
    ThrottleConfig cfg;

    throttle_init(&ts);
    throttle_timers_init(&tt, ctx, QEMU_CLOCK_REALTIME, timer_cb, timer_cb, NULL);
    g_assert_true(throttle_timers_are_initialized(&tt));
    throttle_config_init(&cfg);
    cfg.buckets[THROTTLE_BPS_WRITE].avg = 100 * 1000;  /* 100 kB/s */
    throttle_config(&ts, QEMU_CLOCK_REALTIME, &cfg);

    /* nothing accounted yet: go */
    g_assert_false(throttle_schedule_timer(&ts, &tt, THROTTLE_WRITE));
    /* 10 kB fits in the 100 ms slice, 12 kB more does not */
    throttle_account(&ts, THROTTLE_WRITE, 10 * 1000);
    g_assert_false(throttle_schedule_timer(&ts, &tt, THROTTLE_WRITE));
    throttle_account(&ts, THROTTLE_WRITE, 2 * 1000);
    g_assert_true(throttle_schedule_timer(&ts, &tt, THROTTLE_WRITE));
    g_assert_true(timer_pending(tt.timers[THROTTLE_WRITE]));
    /* reads are not limited */
    g_assert_false(throttle_schedule_timer(&ts, &tt, THROTTLE_READ));

    /* the timer fires within about 20 ms (2 kB over at 100 kB/s) */
    while (!timer_fired) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(timer_fired, ==, 1);
    g_assert_false(throttle_schedule_timer(&ts, &tt, THROTTLE_WRITE));

    throttle_timers_destroy(&tt);
    g_assert_false(throttle_timers_are_initialized(&tt));
    aio_context_unref(ctx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/throttle/leak", test_leak);
    g_test_add_func("/throttle/compute_wait", test_compute_wait);
    g_test_add_func("/throttle/is_valid", test_is_valid);
    g_test_add_func("/throttle/account", test_account);
    g_test_add_func("/throttle/schedule_timer", test_schedule_timer);
    return g_test_run();
}
