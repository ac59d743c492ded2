/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-coroutine.c: coroutine switch costs.
 *
 *   enter+yield   one qemu_coroutine_enter() plus the matching yield
 *   lifecycle     create + enter + terminate, coroutines from the pool
 *   co-mutex      uncontended qemu_co_mutex_lock()/unlock() pairs
 *
 * Times are the thread's CPU time, so that other load on the machine
 * does not inflate them.  QEMU 7.2 installs no coroutine benchmark to
 * compare with, so only our figures are printed.
 * Usage: bench-coroutine [iterations]
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"

static unsigned long iterations = 10 * 1000 * 1000;

/* CPU time consumed by the calling thread, in ns. */
static int64_t cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

static void report(const char *what, unsigned long n, int64_t ns)
{
    printf("%-14s %10lu ops  %8.2f ns/op  %12.0f ops/s\n", what, n,
           (double)ns / n, n * 1e9 / ns);
}

static void coroutine_fn yield_loop(void *opaque)
{
    for (;;) {
        qemu_coroutine_yield();
    }
}

static void bench_enter_yield(void)
{
    Coroutine *co = qemu_coroutine_create(yield_loop, NULL);
    unsigned long i;
    int64_t start;

    qemu_coroutine_enter(co);       /* warm up: first entry */
    start = cpu_ns();
    for (i = 0; i < iterations; i++) {
        qemu_coroutine_enter(co);
    }
    report("enter+yield", iterations, cpu_ns() - start);
    /* @co stays parked; it is never freed, which is fine here. */
}

static void coroutine_fn nop_entry(void *opaque)
{
    (*(unsigned long *)opaque)++;
}

static void bench_lifecycle(void)
{
    unsigned long n = iterations / 4, i, count = 0;
    int64_t start = cpu_ns();

    for (i = 0; i < n; i++) {
        qemu_coroutine_enter(qemu_coroutine_create(nop_entry, &count));
    }
    report("lifecycle", n, cpu_ns() - start);
    g_assert(count == n);
}

static void coroutine_fn mutex_loop(void *opaque)
{
    CoMutex m;
    unsigned long i;
    int64_t start;

    qemu_co_mutex_init(&m);
    start = cpu_ns();
    for (i = 0; i < iterations; i++) {
        qemu_co_mutex_lock(&m);
        qemu_co_mutex_unlock(&m);
    }
    report("co-mutex", iterations, cpu_ns() - start);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        iterations = strtoul(argv[1], NULL, 0);
    }
    qemu_init_main_loop(&error_abort);
    printf("bench-coroutine (ours; QEMU 7.2 ships no coroutine benchmark "
           "to compare with)\n");
    bench_enter_yield();
    bench_lifecycle();
    qemu_coroutine_enter(qemu_coroutine_create(mutex_loop, NULL));
    return 0;
}
