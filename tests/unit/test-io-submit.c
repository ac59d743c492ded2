/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-io-submit.c: how the io_uring (block/io_uring.c) and Linux AIO
 * (block/linux-aio.c) engines hand requests to the kernel.  Outside a
 * defer_call section they go in batches of LURING_EAGER_BATCH /
 * LAIO_EAGER_BATCH as soon as a batch is full, and the rest at the end
 * of the event loop iteration; inside one, the section's requests go
 * together in a single io_uring_enter / io_submit when it ends.  Requests
 * issued from completion processing go in batches of LURING_REFILL_BATCH
 * / LAIO_REFILL_BATCH (no section around it).  Either way every read returns the file's data.  An io_uring read across end
 * of file is resubmitted for the rest of its two-element iovec and
 * completes with zeroes past the end.  An engine the kernel refuses is
 * skipped.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/defer-call.h"
#include "qemu/iov.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "block/raw-aio.h"

enum { NREQ = 10, REQ_SIZE = 4096 };

static int fd = -1;

/* One engine: its submit function, eager batch and counters. */
typedef struct {
    const char *name;
    unsigned int eager_batch;
    unsigned int refill_batch;  /* while completions are processed */
    bool (*ready)(void);
    int coroutine_fn (*submit)(uint64_t offset, QEMUIOVector *qiov);
    /* io_uring_enter() / io_submit() calls and requests taken so far */
    void (*stats)(uint64_t *calls, uint64_t *submitted);
} Engine;

static AioContext *main_ctx(void)
{
    return qemu_get_aio_context();
}

static bool uring_ready(void)
{
    return aio_get_linux_io_uring(main_ctx()) != NULL;
}

static int coroutine_fn uring_submit(uint64_t offset, QEMUIOVector *qiov)
{
    return luring_co_submit(fd, offset, qiov, QEMU_AIO_READ);
}

static void uring_stats(uint64_t *calls, uint64_t *submitted)
{
    LuringStats st;

    luring_get_stats(aio_get_linux_io_uring(main_ctx()), &st);
    *calls = st.submit_calls;
    *submitted = st.submitted;
}

static bool laio_ready(void)
{
    return aio_get_linux_aio(main_ctx()) != NULL;
}

static int coroutine_fn laio_submit(uint64_t offset, QEMUIOVector *qiov)
{
    return laio_co_submit(fd, offset, qiov, QEMU_AIO_READ, 0);
}

static void laio_stats(uint64_t *calls, uint64_t *submitted)
{
    LaioStats st;

    laio_get_stats(aio_get_linux_aio(main_ctx()), &st);
    *calls = st.submit_calls;
    *submitted = st.submitted;
}

static const Engine engines[] = {
    { "io_uring", LURING_EAGER_BATCH, LURING_REFILL_BATCH, uring_ready,
      uring_submit, uring_stats },
    { "native", LAIO_EAGER_BATCH, LAIO_REFILL_BATCH, laio_ready,
      laio_submit, laio_stats },
};

typedef struct {
    const Engine *engine;
    uint64_t offset;
    uint8_t buf[REQ_SIZE];
    int ret;
    bool done;
} ReadReq;

static void coroutine_fn read_co(void *opaque)
{
    ReadReq *r = opaque;
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, r->buf, REQ_SIZE);
    r->ret = r->engine->submit(r->offset, &qiov);
    r->done = true;
}

/* Byte @i of the test file. */
static uint8_t file_byte(uint64_t i)
{
    return (uint8_t)(i * 7 + i / REQ_SIZE);
}

/* Start NREQ reads of scattered blocks. */
static void start_reads(const Engine *e, ReadReq *reqs)
{
    int i;

    for (i = 0; i < NREQ; i++) {
        reqs[i] = (ReadReq) {
            .engine = e,
            .offset = (uint64_t)((i * 5) % NREQ) * REQ_SIZE,
        };
        qemu_coroutine_enter(qemu_coroutine_create(read_co, &reqs[i]));
    }
}

static void finish_reads(ReadReq *reqs)
{
    int i, j;

    for (i = 0; i < NREQ; i++) {
        while (!reqs[i].done) {
            aio_poll(main_ctx(), true);
        }
        g_assert_cmpint(reqs[i].ret, ==, 0);
        for (j = 0; j < REQ_SIZE; j++) {
            g_assert_cmpint(reqs[i].buf[j], ==,
                            file_byte(reqs[i].offset + j));
        }
    }
}

static void test_eager_batches(const void *opaque)
{
    const Engine *e = opaque;
    const unsigned full = NREQ / e->eager_batch;
    const unsigned rest = NREQ % e->eager_batch;
    ReadReq reqs[NREQ];
    uint64_t calls0, sub0, calls, sub;

    if (!e->ready()) {
        g_test_skip("engine not available");
        return;
    }
    e->stats(&calls0, &sub0);
    start_reads(e, reqs);
    e->stats(&calls, &sub);
    /* Every full batch went to the kernel while the next was issued. */
    g_assert_cmpuint(calls - calls0, ==, full);
    g_assert_cmpuint(sub - sub0, ==, full * e->eager_batch);
    /* The event loop hands over the rest, in one more call. */
    finish_reads(reqs);
    e->stats(&calls, &sub);
    g_assert_cmpuint(calls - calls0, ==, full + (rest ? 1 : 0));
    g_assert_cmpuint(sub - sub0, ==, NREQ);
}

static void test_deferred_batch(const void *opaque)
{
    const Engine *e = opaque;
    ReadReq reqs[NREQ];
    uint64_t calls0, sub0, calls, sub;

    if (!e->ready()) {
        g_test_skip("engine not available");
        return;
    }
    e->stats(&calls0, &sub0);
    defer_call_begin();
    start_reads(e, reqs);
    e->stats(&calls, &sub);
    g_assert_cmpuint(calls - calls0, ==, 0);
    defer_call_end();
    /* One call for the whole section. */
    e->stats(&calls, &sub);
    g_assert_cmpuint(calls - calls0, ==, 1);
    g_assert_cmpuint(sub - sub0, ==, NREQ);
    finish_reads(reqs);
}

/* A read whose completion issues a second one, of another block. */
typedef struct {
    const Engine *engine;
    uint64_t first, second;
    uint8_t buf[REQ_SIZE];
    int ret;
    bool done;
} RefillReq;

static void check_block(const uint8_t *buf, uint64_t offset)
{
    int i;

    for (i = 0; i < REQ_SIZE; i++) {
        g_assert_cmpint(buf[i], ==, file_byte(offset + i));
    }
}

static void coroutine_fn refill_co(void *opaque)
{
    RefillReq *r = opaque;
    QEMUIOVector qiov;

    qemu_iovec_init_buf(&qiov, r->buf, REQ_SIZE);
    r->ret = r->engine->submit(r->first, &qiov);
    if (r->ret == 0) {
        check_block(r->buf, r->first);
        /* Issued from the engine's completion processing. */
        r->ret = r->engine->submit(r->second, &qiov);
    }
    r->done = true;
}

/*
 * Requests that coroutines woken by completions issue are not held for
 * the end of the burst: they go in refill batches while it is processed,
 * the rest right after.  The file is in the page cache, so the first
 * reads (one call, from a section) have all completed when the event
 * loop looks, and one pass over the completions wakes every coroutine.
 */
static void test_refill_from_completions(const void *opaque)
{
    const Engine *e = opaque;
    RefillReq reqs[NREQ];
    uint64_t calls0, sub0, calls, sub;
    int i;

    if (!e->ready()) {
        g_test_skip("engine not available");
        return;
    }
    defer_call_begin();
    for (i = 0; i < NREQ; i++) {
        reqs[i] = (RefillReq) {
            .engine = e,
            .first = (uint64_t)i * REQ_SIZE,
            .second = (uint64_t)((i * 3 + 1) % NREQ) * REQ_SIZE,
        };
        qemu_coroutine_enter(qemu_coroutine_create(refill_co, &reqs[i]));
    }
    defer_call_end();
    e->stats(&calls0, &sub0);
    for (i = 0; i < NREQ; i++) {
        while (!reqs[i].done) {
            aio_poll(main_ctx(), true);
        }
        g_assert_cmpint(reqs[i].ret, ==, 0);
        check_block(reqs[i].buf, reqs[i].second);
    }
    e->stats(&calls, &sub);
    g_assert_cmpuint(sub - sub0, ==, NREQ);
    g_assert_cmpuint(calls - calls0, ==,
                     DIV_ROUND_UP(NREQ, e->refill_batch));
}

/*
 * linux-aio: the context's aio-max-batch (--object main-loop) caps a
 * batch even inside a defer_call section.
 */
static void test_laio_context_max_batch(void)
{
    AioContext *ctx = main_ctx();
    ReadReq reqs[NREQ];
    uint64_t calls0, sub0, calls, sub;

    if (!laio_ready()) {
        g_test_skip("engine not available");
        return;
    }
    aio_context_set_aio_params(ctx, 2);
    laio_stats(&calls0, &sub0);
    defer_call_begin();
    start_reads(&engines[1], reqs);
    laio_stats(&calls, &sub);
    g_assert_cmpuint(calls - calls0, ==, NREQ / 2);
    g_assert_cmpuint(sub - sub0, ==, NREQ / 2 * 2);
    defer_call_end();
    finish_reads(reqs);
    laio_stats(&calls, &sub);
    g_assert_cmpuint(sub - sub0, ==, NREQ);
    aio_context_set_aio_params(ctx, 0);
}

typedef struct {
    QEMUIOVector *qiov;
    uint64_t offset;
    int ret;
    bool done;
} EofReq;

static void coroutine_fn eof_co(void *opaque)
{
    EofReq *r = opaque;

    r->ret = luring_co_submit(fd, r->offset, r->qiov, QEMU_AIO_READ);
    r->done = true;
}

static void test_read_past_eof(void)
{
    const uint64_t file_size = (uint64_t)NREQ * REQ_SIZE;
    g_autofree uint8_t *a = g_malloc(REQ_SIZE);
    g_autofree uint8_t *b = g_malloc(REQ_SIZE);
    QEMUIOVector qiov;
    EofReq r = { .qiov = &qiov, .offset = file_size - REQ_SIZE / 2 };
    int i;

    if (!uring_ready()) {
        g_test_skip("io_uring not available");
        return;
    }
    memset(a, 0xee, REQ_SIZE);
    memset(b, 0xee, REQ_SIZE);
    qemu_iovec_init(&qiov, 2);
    qemu_iovec_add(&qiov, a, REQ_SIZE);
    qemu_iovec_add(&qiov, b, REQ_SIZE);
    qemu_coroutine_enter(qemu_coroutine_create(eof_co, &r));
    while (!r.done) {
        aio_poll(main_ctx(), true);
    }
    g_assert_cmpint(r.ret, ==, 0);
    /* Half a block of data, then zeroes to the end of both buffers. */
    for (i = 0; i < REQ_SIZE; i++) {
        uint64_t off = r.offset + i;

        g_assert_cmpint(a[i], ==, off < file_size ? file_byte(off) : 0);
        g_assert_cmpint(b[i], ==, 0);
    }
    qemu_iovec_destroy(&qiov);
}

static void setup_engine(const char *name,
                         int (*setup)(AioContext *, Error **))
{
    Error *local_err = NULL;

    if (setup(main_ctx(), &local_err) < 0) {
        g_test_message("%s: %s", name, error_get_pretty(local_err));
        error_free(local_err);
    }
}

int main(int argc, char **argv)
{
    g_autofree char *path = NULL;
    g_autofree uint8_t *data = g_malloc(NREQ * REQ_SIZE);
    int i, ret;

    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);

    fd = g_file_open_tmp("test-io-submit-XXXXXX", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    unlink(path);
    for (i = 0; i < NREQ * REQ_SIZE; i++) {
        data[i] = file_byte(i);
    }
    g_assert_cmpint(pwrite(fd, data, NREQ * REQ_SIZE, 0), ==,
                    NREQ * REQ_SIZE);
    setup_engine("io_uring", aio_setup_linux_io_uring);
    setup_engine("native", aio_setup_linux_aio);

    for (i = 0; i < ARRAY_SIZE(engines); i++) {
        g_autofree char *eager = g_strdup_printf("/io-submit/%s/eager-batches",
                                                 engines[i].name);
        g_autofree char *deferred =
            g_strdup_printf("/io-submit/%s/deferred-batch", engines[i].name);

        g_autofree char *refill =
            g_strdup_printf("/io-submit/%s/refill-from-completions",
                            engines[i].name);

        g_test_add_data_func(eager, &engines[i], test_eager_batches);
        g_test_add_data_func(deferred, &engines[i], test_deferred_batch);
        g_test_add_data_func(refill, &engines[i],
                             test_refill_from_completions);
    }
    g_test_add_func("/io-submit/io_uring/read-past-eof", test_read_past_eof);
    g_test_add_func("/io-submit/native/context-max-batch",
                    test_laio_context_max_batch);
    ret = g_test_run();
    if (uring_ready()) {
        aio_put_linux_io_uring(main_ctx());
    }
    if (laio_ready()) {
        aio_put_linux_aio(main_ctx());
    }
    close(fd);
    return ret;
}
