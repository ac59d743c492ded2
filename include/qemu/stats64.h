/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats64.h: 64-bit statistics counters that may be updated from
 * several threads without a lock (add, running minimum and maximum).
 * Both supported hosts (x86_64, aarch64) have 64-bit atomics, so every
 * operation is a single atomic access or compare-and-swap loop.
 */
#ifndef QEMU_STATS64_H
#define QEMU_STATS64_H

#include "qemu/atomic.h"

typedef struct Stat64 {
    uint64_t value;
} Stat64;

static inline void stat64_init(Stat64 *s, uint64_t value)
{
    qatomic_set(&s->value, value);
}

static inline uint64_t stat64_get(const Stat64 *s)
{
    return qatomic_read(&s->value);
}

static inline void stat64_set(Stat64 *s, uint64_t value)
{
    qatomic_set(&s->value, value);
}

static inline void stat64_add(Stat64 *s, uint64_t value)
{
    qatomic_add(&s->value, value);
}

/* Lower the counter to @value if that is smaller. */
bool stat64_min_slow(Stat64 *s, uint64_t value);
/* Raise the counter to @value if that is larger. */
bool stat64_max_slow(Stat64 *s, uint64_t value);

static inline void stat64_min(Stat64 *s, uint64_t value)
{
    if (value < qatomic_read(&s->value)) {
        stat64_min_slow(s, value);
    }
}

static inline void stat64_max(Stat64 *s, uint64_t value)
{
    if (value > qatomic_read(&s->value)) {
        stat64_max_slow(s, value);
    }
}

#endif /* QEMU_STATS64_H */
