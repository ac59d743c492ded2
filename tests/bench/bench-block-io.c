/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bench-block-io.c: cost of the request path through a BlockBackend.
 *
 *   aio-read-qd64   4 KiB reads on null-co, 64 in flight, offsets
 *                   stepping by 4 KiB (the workload of `qemu-img bench
 *                   -c N -d 64 -s 4096 -t none --image-opts
 *                   driver=null-co`, which is run beside it when QEMU's
 *                   qemu-img is installed)
 *   aio-write-qd64  the same with writes
 *   co-read-qd1     one coroutine issuing blk_co_preadv() back to back
 *   drain           bdrv_drained_begin() + bdrv_drained_end() on an idle
 *                   node with a BlockBackend above it
 *
 * Usage: bench-block-io [requests]
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"

#define REQ_SIZE 4096
#define DEPTH 64

static unsigned long requests = 1000 * 1000;

static void report(const char *what, unsigned long n, int64_t ns)
{
    printf("%-16s %10lu ops  %8.2f ns/op  %12.0f ops/s\n", what, n,
           (double)ns / n, n * 1e9 / ns);
}

/* Keeps DEPTH requests in flight until @total have been submitted. */
typedef struct AioBench {
    BlockBackend *blk;
    bool write;
    unsigned long submitted, completed, total;
    int64_t offset, size;
    uint8_t *buf;
    QEMUIOVector qiov[DEPTH];
} AioBench;

static void aio_bench_submit(AioBench *b, int slot);

/* Completion data per slot: the bench and the slot number. */
typedef struct Slot {
    AioBench *b;
    int index;
} Slot;

static Slot slots[DEPTH];

static void slot_cb(void *opaque, int ret)
{
    Slot *slot = opaque;
    AioBench *b = slot->b;

    g_assert(ret == 0);
    b->completed++;
    if (b->submitted < b->total) {
        aio_bench_submit(b, slot->index);
    }
}

static void aio_bench_submit(AioBench *b, int slot)
{
    QEMUIOVector *qiov = &b->qiov[slot];

    if (b->write) {
        blk_aio_pwritev(b->blk, b->offset, qiov, 0, slot_cb, &slots[slot]);
    } else {
        blk_aio_preadv(b->blk, b->offset, qiov, 0, slot_cb, &slots[slot]);
    }
    b->submitted++;
    b->offset = (b->offset + REQ_SIZE) % b->size;
}

static void bench_aio(BlockBackend *blk, bool write)
{
    AioBench b = {
        .blk = blk,
        .write = write,
        .total = requests,
        .size = blk_getlength(blk),
        .buf = blk_blockalign(blk, REQ_SIZE * DEPTH),
    };
    int64_t start;
    int i;

    for (i = 0; i < DEPTH; i++) {
        qemu_iovec_init_buf(&b.qiov[i], b.buf + i * REQ_SIZE, REQ_SIZE);
        slots[i] = (Slot) { .b = &b, .index = i };
    }
    start = get_clock();
    for (i = 0; i < DEPTH && b.submitted < b.total; i++) {
        aio_bench_submit(&b, i);
    }
    while (b.completed < b.total) {
        aio_poll(qemu_get_aio_context(), true);
    }
    report(write ? "aio-write-qd64" : "aio-read-qd64", b.total,
           get_clock() - start);
    qemu_vfree(b.buf);
}

typedef struct CoBench {
    BlockBackend *blk;
    unsigned long n;
    bool done;
} CoBench;

static void coroutine_fn co_bench_entry(void *opaque)
{
    CoBench *c = opaque;
    uint8_t buf[REQ_SIZE];
    int64_t size = blk_co_getlength(c->blk);
    unsigned long i;

    for (i = 0; i < c->n; i++) {
        int ret = blk_co_pread(c->blk, (i * REQ_SIZE) % size, REQ_SIZE, buf,
                               0);
        g_assert(ret == 0);
    }
    c->done = true;
}

static void bench_co(BlockBackend *blk)
{
    CoBench c = { .blk = blk, .n = requests };
    int64_t start = get_clock();

    qemu_coroutine_enter(qemu_coroutine_create(co_bench_entry, &c));
    while (!c.done) {
        aio_poll(qemu_get_aio_context(), true);
    }
    report("co-read-qd1", c.n, get_clock() - start);
}

static void bench_drain(BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);
    unsigned long i, n = requests / 4;
    int64_t start = get_clock();

    for (i = 0; i < n; i++) {
        bdrv_drained_begin(bs);
        bdrv_drained_end(bs);
    }
    report("drain", n, get_clock() - start);
}

/* The same workload through QEMU's own qemu-img, if it is installed. */
static void run_reference(void)
{
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    const char *p;
    double secs;

    if (!g_file_test("/usr/bin/qemu-img", G_FILE_TEST_IS_EXECUTABLE)) {
        printf("(qemu-img not installed: no reference figure)\n");
        return;
    }
    cmd = g_strdup_printf("/usr/bin/qemu-img bench -c %lu -d %d -s %d "
                          "-t none --image-opts driver=null-co", requests,
                          DEPTH, REQ_SIZE);
    if (!g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL) || !out ||
        !(p = strstr(out, "Run completed in ")) ||
        sscanf(p, "Run completed in %lf", &secs) != 1) {
        printf("(qemu-img bench failed: no reference figure)\n");
        return;
    }
    report("qemu-7.2 qd64", requests, (int64_t)(secs * 1e9));
}

int main(int argc, char **argv)
{
    QDict *opts = qdict_new();
    BlockBackend *blk;

    if (argc > 1) {
        requests = strtoul(argv[1], NULL, 0);
    }
    bdrv_init();
    qemu_init_main_loop(&error_abort);

    qdict_put_str(opts, "driver", "null-co");
    blk = blk_new_open(NULL, NULL, opts, BDRV_O_RDWR, &error_abort);

    bench_aio(blk, false);
    run_reference();
    bench_aio(blk, true);
    bench_co(blk);
    bench_drain(blk);

    blk_unref(blk);
    return 0;
}
