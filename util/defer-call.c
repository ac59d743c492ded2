/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * defer-call.c: per-thread sections that merge repeated deferred calls
 * (see include/qemu/defer-call.h).  Each thread keeps a nesting depth
 * and a small fixed table of recorded calls; a table that fills up runs
 * the new call at once instead of growing.
 */
#include "qemu/osdep.h"
#include "qemu/defer-call.h"

#define DEFER_CALL_MAX 16

typedef struct {
    void (*fn)(void *);
    void *opaque;
} DeferredCall;

typedef struct {
    unsigned int depth;
    unsigned int n;
    DeferredCall calls[DEFER_CALL_MAX];
} DeferCallState;

static __thread DeferCallState defer_state;

void defer_call_begin(void)
{
    defer_state.depth++;
}

/* Run and forget the recorded calls; the depth is left alone. */
static void defer_call_run(DeferCallState *st)
{
    DeferredCall todo[DEFER_CALL_MAX];
    unsigned int n = st->n, i;

    /*
     * Copy first: a call may open a section of its own or defer more
     * work, which must land in a clean table.
     */
    memcpy(todo, st->calls, n * sizeof(todo[0]));
    st->n = 0;
    for (i = 0; i < n; i++) {
        todo[i].fn(todo[i].opaque);
    }
}

void defer_call_end(void)
{
    assert(defer_state.depth > 0);
    if (--defer_state.depth == 0) {
        defer_call_run(&defer_state);
    }
}

bool defer_call_active(void)
{
    return defer_state.depth > 0;
}

void defer_call_flush(void)
{
    defer_call_run(&defer_state);
}

void defer_call(void (*fn)(void *), void *opaque)
{
    DeferCallState *st = &defer_state;
    unsigned int i;

    if (st->depth == 0) {
        fn(opaque);
        return;
    }
    for (i = 0; i < st->n; i++) {
        if (st->calls[i].fn == fn && st->calls[i].opaque == opaque) {
            return;
        }
    }
    if (st->n == DEFER_CALL_MAX) {
        fn(opaque);
        return;
    }
    st->calls[st->n++] = (DeferredCall) { .fn = fn, .opaque = opaque };
}
