/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * throttle.h: leaky-bucket I/O throttling.
 *
 * A ThrottleConfig holds six buckets (bytes and operations, each as a
 * total and per direction).  Each bucket fills with the work accounted to
 * it and drains at its average rate; a bucket may also allow bursts at a
 * higher rate (max) for burst_length seconds.  ThrottleState carries the
 * bucket levels over time; ThrottleTimers wake up throttled requests.
 *
 * Thread safety: none; users (block/throttle-groups.c) lock around it.
 */
#ifndef QEMU_THROTTLE_H
#define QEMU_THROTTLE_H

#include "qemu/timer.h"

#define THROTTLE_VALUE_MAX 1000000000000000LL

typedef enum {
    THROTTLE_BPS_TOTAL,
    THROTTLE_BPS_READ,
    THROTTLE_BPS_WRITE,
    THROTTLE_OPS_TOTAL,
    THROTTLE_OPS_READ,
    THROTTLE_OPS_WRITE,
    BUCKETS_COUNT,
} BucketType;

typedef enum {
    THROTTLE_READ = 0,
    THROTTLE_WRITE,
    THROTTLE_MAX,
} ThrottleDirection;

/*
 * avg:          average rate in units (bytes or ops) per second; 0 = off
 * max:          burst rate in units per second; 0 = no bursts
 * level:        units accounted and not yet leaked
 * burst_level:  units accounted in the current burst
 * burst_length: how many seconds a burst at max may last (>= 1)
 */
typedef struct LeakyBucket {
    uint64_t avg;
    uint64_t max;
    double level;
    double burst_level;
    uint64_t burst_length;
} LeakyBucket;

typedef struct ThrottleConfig {
    LeakyBucket buckets[BUCKETS_COUNT];
    uint64_t op_size;   /* bytes counted as one op; 0 = every request is one */
} ThrottleConfig;

typedef struct ThrottleState {
    ThrottleConfig cfg;
    int64_t previous_leak;  /* clock value of the last leak, in ns */
} ThrottleState;

typedef struct ThrottleTimers {
    QEMUTimer *timers[THROTTLE_MAX];
    QEMUClockType clock_type;
    QEMUTimerCB *timer_cb[THROTTLE_MAX];
    void *timer_opaque;
} ThrottleTimers;

/* Bucket arithmetic; exposed for the unit tests. */
void throttle_leak_bucket(LeakyBucket *bkt, int64_t delta_ns);
int64_t throttle_compute_wait(LeakyBucket *bkt);

void throttle_init(ThrottleState *ts);
void throttle_timers_init(ThrottleTimers *tt, AioContext *aio_context,
                          QEMUClockType clock_type,
                          QEMUTimerCB *read_timer_cb,
                          QEMUTimerCB *write_timer_cb,
                          void *timer_opaque);
void throttle_timers_destroy(ThrottleTimers *tt);
void throttle_timers_detach_aio_context(ThrottleTimers *tt);
void throttle_timers_attach_aio_context(ThrottleTimers *tt,
                                        AioContext *new_context);
bool throttle_timers_are_initialized(ThrottleTimers *tt);

/* True if any bucket has a limit. */
bool throttle_enabled(ThrottleConfig *cfg);
/* Check a configuration; on error set errp with QEMU's wording. */
bool throttle_is_valid(ThrottleConfig *cfg, Error **errp);
/* Install @cfg in @ts with empty buckets, starting the clock now. */
void throttle_config(ThrottleState *ts, QEMUClockType clock_type,
                     ThrottleConfig *cfg);
void throttle_get_config(ThrottleState *ts, ThrottleConfig *cfg);
/* No limits, burst_length 1 everywhere. */
void throttle_config_init(ThrottleConfig *cfg);

/*
 * Leak the buckets up to now and decide whether a request in @direction
 * must wait.  Returns true if it must (the direction's timer is then armed
 * for the moment the buckets allow it), false if it may go now.
 */
bool throttle_schedule_timer(ThrottleState *ts, ThrottleTimers *tt,
                             ThrottleDirection direction);
/* Charge a request of @size bytes in @direction to the buckets. */
void throttle_account(ThrottleState *ts, ThrottleDirection direction,
                      uint64_t size);

#endif /* QEMU_THROTTLE_H */
