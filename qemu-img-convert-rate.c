/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-convert-rate.c: the slice-based throttle of "qemu-img convert
 * -r" (see qemu-img-convert-rate.h).
 */
#include "qemu/osdep.h"
#include "qemu-img-convert-rate.h"

void convert_rate_init(ConvertRateLimit *rl, uint64_t bytes_per_sec)
{
    *rl = (ConvertRateLimit) { .bytes_per_sec = bytes_per_sec };
    if (bytes_per_sec) {
        rl->slice_quota = MAX(1, (uint64_t)((double)bytes_per_sec *
                                            CONVERT_RATE_SLICE_NS / 1e9));
    }
}

/* When @bytes sent from the slice's start are done at the rate. */
static int64_t convert_rate_due(const ConvertRateLimit *rl, uint64_t bytes)
{
    return rl->slice_start +
           (int64_t)((double)bytes * 1e9 / rl->bytes_per_sec);
}

int64_t convert_rate_delay(ConvertRateLimit *rl, int64_t now, uint64_t n)
{
    int64_t delay = 0;

    if (!rl->bytes_per_sec) {
        return 0;
    }
    if (now >= rl->slice_end) {
        /* Idle long enough (or the first call): a fresh slice. */
        rl->slice_start = now;
        rl->slice_end = now + CONVERT_RATE_SLICE_NS;
        rl->sent = 0;
    }
    if (rl->sent >= rl->slice_quota) {
        delay = MAX(0, convert_rate_due(rl, rl->sent) - now);
    }
    rl->sent += n;
    rl->slice_end = MAX(rl->slice_end, convert_rate_due(rl, rl->sent));
    return delay;
}
