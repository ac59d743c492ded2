/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-io-submit.c: how the io_uring engine (block/io_uring.c) hands
 * requests to the kernel.  Outside a defer_call section they go in
 * batches of LURING_EAGER_BATCH as soon as a batch is full, and the
 * rest at the end of the event loop iteration; inside one, the
 * section's requests go together in a single io_uring_enter when it
 * ends.  Either way every read returns the file's data.  A read across
 * end of file is resubmitted for the rest of its two-element iovec and
 * completes with zeroes past the end.  Skipped when the kernel refuses
 * io_uring.
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

typedef struct {
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
    r->ret = luring_co_submit(fd, r->offset, &qiov, QEMU_AIO_READ);
    r->done = true;
}

/* Byte @i of the test file. */
static uint8_t file_byte(uint64_t i)
{
    return (uint8_t)(i * 7 + i / REQ_SIZE);
}

static LuringState *ring(void)
{
    return aio_get_linux_io_uring(qemu_get_aio_context());
}

/* Start NREQ reads of scattered blocks; returns the counters before. */
static void start_reads(ReadReq *reqs, LuringStats *before)
{
    int i;

    luring_get_stats(ring(), before);
    for (i = 0; i < NREQ; i++) {
        reqs[i] = (ReadReq) { .offset = (uint64_t)((i * 5) % NREQ) *
                                        REQ_SIZE };
        qemu_coroutine_enter(qemu_coroutine_create(read_co, &reqs[i]));
    }
}

static void finish_reads(ReadReq *reqs)
{
    int i, j;

    for (i = 0; i < NREQ; i++) {
        while (!reqs[i].done) {
            aio_poll(qemu_get_aio_context(), true);
        }
        g_assert_cmpint(reqs[i].ret, ==, 0);
        for (j = 0; j < REQ_SIZE; j++) {
            g_assert_cmpint(reqs[i].buf[j], ==,
                            file_byte(reqs[i].offset + j));
        }
    }
}

static void test_eager_batches(void)
{
    const unsigned full = NREQ / LURING_EAGER_BATCH;
    const unsigned rest = NREQ % LURING_EAGER_BATCH;
    ReadReq reqs[NREQ];
    LuringStats before, st;

    if (!ring()) {
        g_test_skip("io_uring not available");
        return;
    }
    start_reads(reqs, &before);
    luring_get_stats(ring(), &st);
    /* Every full batch went to the kernel while the next was issued. */
    g_assert_cmpuint(st.submit_calls - before.submit_calls, ==, full);
    g_assert_cmpuint(st.submitted - before.submitted, ==,
                     full * LURING_EAGER_BATCH);
    /* The event loop hands over the rest, in one more call. */
    finish_reads(reqs);
    luring_get_stats(ring(), &st);
    g_assert_cmpuint(st.submit_calls - before.submit_calls, ==,
                     full + (rest ? 1 : 0));
    g_assert_cmpuint(st.submitted - before.submitted, ==, NREQ);
    g_assert_cmpuint(st.completed - before.completed, ==, NREQ);
}

static void test_deferred_batch(void)
{
    ReadReq reqs[NREQ];
    LuringStats before, st;

    if (!ring()) {
        g_test_skip("io_uring not available");
        return;
    }
    defer_call_begin();
    start_reads(reqs, &before);
    luring_get_stats(ring(), &st);
    g_assert_cmpuint(st.submit_calls - before.submit_calls, ==, 0);
    defer_call_end();
    /* One io_uring_enter for the whole section. */
    luring_get_stats(ring(), &st);
    g_assert_cmpuint(st.submit_calls - before.submit_calls, ==, 1);
    g_assert_cmpuint(st.submitted - before.submitted, ==, NREQ);
    finish_reads(reqs);
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

    if (!ring()) {
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
        aio_poll(qemu_get_aio_context(), true);
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

int main(int argc, char **argv)
{
    g_autofree char *path = NULL;
    g_autofree uint8_t *data = g_malloc(NREQ * REQ_SIZE);
    Error *local_err = NULL;
    int i;

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
    if (aio_setup_linux_io_uring(qemu_get_aio_context(), &local_err) < 0) {
        g_test_message("io_uring: %s", error_get_pretty(local_err));
        error_free(local_err);
    }

    g_test_add_func("/io-submit/io_uring/eager-batches", test_eager_batches);
    g_test_add_func("/io-submit/io_uring/deferred-batch",
                    test_deferred_batch);
    g_test_add_func("/io-submit/io_uring/read-past-eof", test_read_past_eof);
    i = g_test_run();
    if (ring()) {
        aio_put_linux_io_uring(qemu_get_aio_context());
    }
    close(fd);
    return i;
}
