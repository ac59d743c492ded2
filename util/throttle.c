/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * throttle.c: leaky-bucket arithmetic, configuration checks and the two
 * per-direction timers.  Group scheduling (round robin between the members
 * of a throttle group) is block/throttle-groups.c's business.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/throttle.h"
#include "block/aio.h"

#define NS_PER_SEC 1000000000.0

/* Which buckets a request in each direction is charged to. */
static const BucketType direction_buckets[THROTTLE_MAX][2] = {
    [THROTTLE_READ]  = { THROTTLE_BPS_READ,  THROTTLE_OPS_READ },
    [THROTTLE_WRITE] = { THROTTLE_BPS_WRITE, THROTTLE_OPS_WRITE },
};

static bool bucket_is_bytes(BucketType t)
{
    return t <= THROTTLE_BPS_WRITE;
}

void throttle_leak_bucket(LeakyBucket *bkt, int64_t delta_ns)
{
    double leak = (double)bkt->avg * delta_ns / NS_PER_SEC;

    bkt->level = MAX(bkt->level - leak, 0);

    /* The burst part drains at the burst rate. */
    if (bkt->max > bkt->avg) {
        leak = (double)bkt->max * delta_ns / NS_PER_SEC;
        bkt->burst_level = MAX(bkt->burst_level - leak, 0);
    }
}

static void throttle_do_leak(ThrottleState *ts, int64_t now)
{
    int64_t delta = now - ts->previous_leak;
    int i;

    if (delta <= 0) {
        return;
    }
    ts->previous_leak = now;
    for (i = 0; i < BUCKETS_COUNT; i++) {
        throttle_leak_bucket(&ts->cfg.buckets[i], delta);
    }
}

static int64_t wait_for(double extra, uint64_t rate)
{
    return (int64_t)(extra * NS_PER_SEC / rate);
}

int64_t throttle_compute_wait(LeakyBucket *bkt)
{
    double bucket_size, burst_bucket_size;

    if (!bkt->avg) {
        return 0;
    }
    if (!bkt->max) {
        /* Without bursts, allow 100 ms worth of work before waiting. */
        bucket_size = (double)bkt->avg / 10;
        burst_bucket_size = 0;
    } else {
        /* A burst may use max for burst_length s, in 100 ms slices. */
        bucket_size = (double)bkt->max * bkt->burst_length;
        burst_bucket_size = (double)bkt->max / 10;
    }

    if (bkt->level > bucket_size) {
        return wait_for(bkt->level - bucket_size, bkt->avg);
    }
    if (bkt->max && bkt->burst_level > burst_bucket_size) {
        return wait_for(bkt->burst_level - burst_bucket_size, bkt->max);
    }
    return 0;
}

static int64_t compute_wait_for(ThrottleState *ts, ThrottleDirection dir)
{
    BucketType list[4] = {
        THROTTLE_BPS_TOTAL, THROTTLE_OPS_TOTAL,
        direction_buckets[dir][0], direction_buckets[dir][1],
    };
    int64_t max_wait = 0;
    int i;

    for (i = 0; i < ARRAY_SIZE(list); i++) {
        max_wait = MAX(max_wait, throttle_compute_wait(&ts->cfg.buckets[list[i]]));
    }
    return max_wait;
}

void throttle_init(ThrottleState *ts)
{
    memset(ts, 0, sizeof(*ts));
    throttle_config_init(&ts->cfg);
}

static void throttle_timers_create(ThrottleTimers *tt, AioContext *ctx)
{
    int i;

    for (i = 0; i < THROTTLE_MAX; i++) {
        if (tt->timer_cb[i]) {
            tt->timers[i] = aio_timer_new(ctx, tt->clock_type, SCALE_NS,
                                          tt->timer_cb[i], tt->timer_opaque);
        }
    }
}

void throttle_timers_init(ThrottleTimers *tt, AioContext *aio_context,
                          QEMUClockType clock_type,
                          QEMUTimerCB *read_timer_cb,
                          QEMUTimerCB *write_timer_cb,
                          void *timer_opaque)
{
    assert(read_timer_cb || write_timer_cb);
    memset(tt, 0, sizeof(*tt));
    tt->clock_type = clock_type;
    tt->timer_cb[THROTTLE_READ] = read_timer_cb;
    tt->timer_cb[THROTTLE_WRITE] = write_timer_cb;
    tt->timer_opaque = timer_opaque;
    throttle_timers_create(tt, aio_context);
}

void throttle_timers_detach_aio_context(ThrottleTimers *tt)
{
    int i;

    for (i = 0; i < THROTTLE_MAX; i++) {
        if (tt->timers[i]) {
            timer_free(tt->timers[i]);
            tt->timers[i] = NULL;
        }
    }
}

void throttle_timers_attach_aio_context(ThrottleTimers *tt,
                                        AioContext *new_context)
{
    throttle_timers_create(tt, new_context);
}

void throttle_timers_destroy(ThrottleTimers *tt)
{
    throttle_timers_detach_aio_context(tt);
}

bool throttle_timers_are_initialized(ThrottleTimers *tt)
{
    return tt->timers[THROTTLE_READ] || tt->timers[THROTTLE_WRITE];
}

bool throttle_enabled(ThrottleConfig *cfg)
{
    int i;

    for (i = 0; i < BUCKETS_COUNT; i++) {
        if (cfg->buckets[i].avg > 0) {
            return true;
        }
    }
    return false;
}

/* True if a total limit and a per-direction limit are both set. */
static bool total_conflicts(ThrottleConfig *cfg, bool use_max)
{
    static const BucketType totals[] = { THROTTLE_BPS_TOTAL, THROTTLE_OPS_TOTAL };
    int i;

    for (i = 0; i < ARRAY_SIZE(totals); i++) {
        LeakyBucket *b = cfg->buckets;
        BucketType t = totals[i];
        uint64_t total = use_max ? b[t].max : b[t].avg;
        uint64_t rd = use_max ? b[t + 1].max : b[t + 1].avg;
        uint64_t wr = use_max ? b[t + 2].max : b[t + 2].avg;

        if (total && (rd || wr)) {
            return true;
        }
    }
    return false;
}

static bool bucket_is_valid(LeakyBucket *bkt, Error **errp)
{
    if (bkt->avg > THROTTLE_VALUE_MAX || bkt->max > THROTTLE_VALUE_MAX) {
        error_setg(errp, "bps/iops/max values must be within [0, %lld]",
                   THROTTLE_VALUE_MAX);
        return false;
    }
    if (!bkt->burst_length) {
        error_setg(errp, "the burst length cannot be 0");
        return false;
    }
    if (bkt->burst_length > 1 && !bkt->max) {
        error_setg(errp, "burst length set without burst rate");
        return false;
    }
    if (bkt->max && bkt->burst_length > THROTTLE_VALUE_MAX / bkt->max) {
        error_setg(errp, "burst length too high for this burst rate");
        return false;
    }
    if (bkt->max && !bkt->avg) {
        error_setg(errp, "bps_max/iops_max require corresponding bps/iops values");
        return false;
    }
    if (bkt->max && bkt->max < bkt->avg) {
        error_setg(errp, "bps_max/iops_max cannot be lower than bps/iops");
        return false;
    }
    return true;
}

bool throttle_is_valid(ThrottleConfig *cfg, Error **errp)
{
    LeakyBucket *b = cfg->buckets;
    int i;

    if (total_conflicts(cfg, false) || total_conflicts(cfg, true)) {
        error_setg(errp, "bps/iops/max total values and read/write values"
                   " cannot be used at the same time");
        return false;
    }
    if (cfg->op_size && !b[THROTTLE_OPS_TOTAL].avg &&
        !b[THROTTLE_OPS_READ].avg && !b[THROTTLE_OPS_WRITE].avg) {
        error_setg(errp, "iops size requires an iops value to be set");
        return false;
    }
    for (i = 0; i < BUCKETS_COUNT; i++) {
        if (!bucket_is_valid(&b[i], errp)) {
            return false;
        }
    }
    return true;
}

void throttle_config(ThrottleState *ts, QEMUClockType clock_type,
                     ThrottleConfig *cfg)
{
    int i;

    ts->cfg = *cfg;
    for (i = 0; i < BUCKETS_COUNT; i++) {
        ts->cfg.buckets[i].level = 0;
        ts->cfg.buckets[i].burst_level = 0;
    }
    ts->previous_leak = qemu_clock_get_ns(clock_type);
}

void throttle_get_config(ThrottleState *ts, ThrottleConfig *cfg)
{
    *cfg = ts->cfg;
}

void throttle_config_init(ThrottleConfig *cfg)
{
    int i;

    memset(cfg, 0, sizeof(*cfg));
    for (i = 0; i < BUCKETS_COUNT; i++) {
        cfg->buckets[i].burst_length = 1;
    }
}

bool throttle_schedule_timer(ThrottleState *ts, ThrottleTimers *tt,
                             ThrottleDirection direction)
{
    int64_t now = qemu_clock_get_ns(tt->clock_type);
    int64_t wait;

    assert(direction < THROTTLE_MAX);
    throttle_do_leak(ts, now);
    wait = compute_wait_for(ts, direction);
    if (!wait) {
        return false;
    }
    if (!timer_pending(tt->timers[direction])) {
        timer_mod(tt->timers[direction], now + wait);
    }
    return true;
}

static void charge(LeakyBucket *bkt, double units)
{
    if (bkt->avg) {
        bkt->level += units;
        if (bkt->max) {
            bkt->burst_level += units;
        }
    }
}

void throttle_account(ThrottleState *ts, ThrottleDirection direction,
                      uint64_t size)
{
    BucketType list[4] = {
        THROTTLE_BPS_TOTAL, THROTTLE_OPS_TOTAL,
        direction_buckets[direction][0], direction_buckets[direction][1],
    };
    double ops = 1.0;
    int i;

    assert(direction < THROTTLE_MAX);
    if (ts->cfg.op_size && size > ts->cfg.op_size) {
        ops = (double)size / ts->cfg.op_size;
    }
    for (i = 0; i < ARRAY_SIZE(list); i++) {
        charge(&ts->cfg.buckets[list[i]],
               bucket_is_bytes(list[i]) ? (double)size : ops);
    }
}
