/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats64.c: the compare-and-swap loops behind stat64_min()/stat64_max().
 * The plain accessors are inline in qemu/stats64.h.
 */
#include "qemu/osdep.h"
#include "qemu/stats64.h"

bool stat64_min_slow(Stat64 *s, uint64_t value)
{
    uint64_t cur = qatomic_read(&s->value);

    while (value < cur) {
        uint64_t seen = qatomic_cmpxchg(&s->value, cur, value);
        if (seen == cur) {
            return true;
        }
        cur = seen;
    }
    return false;
}

bool stat64_max_slow(Stat64 *s, uint64_t value)
{
    uint64_t cur = qatomic_read(&s->value);

    while (value > cur) {
        uint64_t seen = qatomic_cmpxchg(&s->value, cur, value);
        if (seen == cur) {
            return true;
        }
        cur = seen;
    }
    return false;
}
