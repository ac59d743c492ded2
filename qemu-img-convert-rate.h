/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-convert-rate.h: the throttle behind "qemu-img convert -r":
 * a byte budget per 100 ms slice.  A slice that is used up stretches
 * until the bytes let through in it would have taken at the rate, and
 * the next range waits for that moment.  Pure arithmetic on a clock the
 * caller reads, so that it can be tested without sleeping.
 */
#ifndef QEMU_IMG_CONVERT_RATE_H
#define QEMU_IMG_CONVERT_RATE_H

#define CONVERT_RATE_SLICE_NS (100 * 1000 * 1000LL)

typedef struct ConvertRateLimit {
    uint64_t bytes_per_sec;     /* 0: no limit */
    uint64_t slice_quota;       /* bytes one slice lets through at once */
    int64_t slice_start;        /* ns */
    int64_t slice_end;          /* ns; moves out as bytes are sent */
    uint64_t sent;              /* bytes let through since slice_start */
} ConvertRateLimit;

/* Start with nothing sent; @bytes_per_sec 0 turns the limit off. */
void convert_rate_init(ConvertRateLimit *rl, uint64_t bytes_per_sec);

/*
 * @n bytes are about to be copied at time @now (ns, a monotonic clock):
 * returns how many ns to wait before copying them (0: go ahead) and
 * counts them as sent.  The first range of a fresh slice never waits,
 * whatever its size; a later one waits while the slice's budget is used
 * up, until the bytes sent before it would have taken at the rate.
 */
int64_t convert_rate_delay(ConvertRateLimit *rl, int64_t now, uint64_t n);

#endif
