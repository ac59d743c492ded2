/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-aio.c: event loop costs.
 *
 *   bh-roundtrip   qemu_bh_schedule() + aio_poll(ctx, false) running it
 *   bh-oneshot     aio_bh_schedule_oneshot() + aio_poll()
 *   cross-thread   a BH scheduled from another thread and run by a
 *                  blocking aio_poll() (ping-pong through two contexts)
 *
 * QEMU 7.2 installs no event loop benchmark to compare with, so only our
 * figures are printed.  Usage: bench-aio [iterations]
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "block/aio.h"
#include "sysemu/iothread.h"

static unsigned long iterations = 2 * 1000 * 1000;

static void report(const char *what, unsigned long n, int64_t ns)
{
    printf("%-14s %10lu ops  %8.2f ns/op  %12.0f ops/s\n", what, n,
           (double)ns / n, n * 1e9 / ns);
}

static void count_cb(void *opaque)
{
    (*(unsigned long *)opaque)++;
}

static void bench_bh(AioContext *ctx)
{
    unsigned long count = 0, i;
    QEMUBH *bh = aio_bh_new(ctx, count_cb, &count);
    int64_t start = get_clock();

    for (i = 0; i < iterations; i++) {
        qemu_bh_schedule(bh);
        aio_poll(ctx, false);
    }
    report("bh-roundtrip", iterations, get_clock() - start);
    g_assert(count == iterations);
    qemu_bh_delete(bh);
}

static void bench_oneshot(AioContext *ctx)
{
    unsigned long count = 0, i;
    int64_t start = get_clock();

    for (i = 0; i < iterations; i++) {
        aio_bh_schedule_oneshot(ctx, count_cb, &count);
        aio_poll(ctx, false);
    }
    report("bh-oneshot", iterations, get_clock() - start);
    g_assert(count == iterations);
}

/* Ping-pong: main schedules on the IOThread, which schedules back. */
static AioContext *main_ctx;
static unsigned long pongs;

static void pong_cb(void *opaque)
{
    pongs++;
}

static void ping_cb(void *opaque)
{
    aio_bh_schedule_oneshot(main_ctx, pong_cb, NULL);
}

static void bench_cross_thread(AioContext *ctx)
{
    unsigned long n = iterations / 20, i;
    IOThread *io = iothread_create("bench", &error_abort);
    AioContext *io_ctx = iothread_get_aio_context(io);
    int64_t start;

    main_ctx = ctx;
    pongs = 0;
    start = get_clock();
    for (i = 0; i < n; i++) {
        aio_bh_schedule_oneshot(io_ctx, ping_cb, NULL);
        while (pongs <= i) {
            aio_poll(ctx, true);
        }
    }
    report("cross-thread", n, get_clock() - start);
    iothread_destroy(io);
}

int main(int argc, char **argv)
{
    AioContext *ctx;

    if (argc > 1) {
        iterations = strtoul(argv[1], NULL, 0);
    }
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();
    printf("bench-aio (ours; QEMU 7.2 ships no event loop benchmark "
           "to compare with)\n");
    bench_bh(ctx);
    bench_oneshot(ctx);
    bench_cross_thread(ctx);
    return 0;
}
