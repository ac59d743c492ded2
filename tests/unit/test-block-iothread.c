/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-block-iothread: BlockBackends and nodes running in an IOThread.
 *
 * A mock in-memory driver whose requests yield a few times is moved with
 * its BlockBackend into an IOThread's AioContext.  The main thread then
 * does synchronous I/O through it, AIO issued in the IOThread completes
 * there, and a coroutine in the IOThread keeps writing and reading while
 * the main loop repeatedly drains the node: inside each drained section
 * no request may be running, and after it the loop must make progress.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "sysemu/iothread.h"

#define IMG_SIZE (1024 * 1024)

typedef struct BDRVYieldState {
    uint8_t *data;
    int active;         /* requests inside the driver (atomic) */
    int completed;      /* requests finished (atomic) */
} BDRVYieldState;

static int yield_open(BlockDriverState *bs, QDict *options, int flags,
                      Error **errp)
{
    BDRVYieldState *s = bs->opaque;

    s->data = g_malloc0(IMG_SIZE);
    return 0;
}

static void yield_close(BlockDriverState *bs)
{
    BDRVYieldState *s = bs->opaque;

    g_free(s->data);
}

/* Lets the event loop run a few times in the middle of the request. */
static void coroutine_fn yield_a_bit(void)
{
    int i;

    for (i = 0; i < 3; i++) {
        aio_co_schedule(qemu_get_current_aio_context(),
                        qemu_coroutine_self());
        qemu_coroutine_yield();
    }
}

static int coroutine_fn yield_co_preadv(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes, QEMUIOVector *qiov,
                                        BdrvRequestFlags flags)
{
    BDRVYieldState *s = bs->opaque;

    g_assert(qemu_get_current_aio_context() == bdrv_get_aio_context(bs));
    qatomic_inc(&s->active);
    yield_a_bit();
    qemu_iovec_from_buf(qiov, 0, s->data + offset, bytes);
    qatomic_dec(&s->active);
    qatomic_inc(&s->completed);
    return 0;
}

static int coroutine_fn yield_co_pwritev(BlockDriverState *bs, int64_t offset,
                                         int64_t bytes, QEMUIOVector *qiov,
                                         BdrvRequestFlags flags)
{
    BDRVYieldState *s = bs->opaque;

    g_assert(qemu_get_current_aio_context() == bdrv_get_aio_context(bs));
    qatomic_inc(&s->active);
    yield_a_bit();
    qemu_iovec_to_buf(qiov, 0, s->data + offset, bytes);
    qatomic_dec(&s->active);
    qatomic_inc(&s->completed);
    return 0;
}

static int64_t coroutine_fn yield_co_getlength(BlockDriverState *bs)
{
    return IMG_SIZE;
}

static BlockDriver bdrv_yield = {
    .format_name        = "test-yield",
    .instance_size      = sizeof(BDRVYieldState),
    .bdrv_open          = yield_open,
    .bdrv_close         = yield_close,
    .bdrv_co_preadv     = yield_co_preadv,
    .bdrv_co_pwritev    = yield_co_pwritev,
    .bdrv_co_getlength  = yield_co_getlength,
};

typedef struct Fixture {
    IOThread *iothread;
    AioContext *ctx;
    BlockBackend *blk;
    BlockDriverState *bs;
    BDRVYieldState *s;
} Fixture;

static void fixture_setup(Fixture *f, const char *name)
{
    f->iothread = iothread_create(name, &error_abort);
    f->ctx = iothread_get_aio_context(f->iothread);
    f->bs = bdrv_new_open_driver(&bdrv_yield, name, BDRV_O_RDWR,
                                 &error_abort);
    f->s = f->bs->opaque;
    f->blk = blk_new_with_bs(f->bs, BLK_PERM_ALL, BLK_PERM_ALL, &error_abort);
    bdrv_unref(f->bs);

    blk_set_aio_context(f->blk, f->ctx, &error_abort);
    g_assert(blk_get_aio_context(f->blk) == f->ctx);
    g_assert(bdrv_get_aio_context(f->bs) == f->ctx);
}

static void fixture_teardown(Fixture *f)
{
    blk_set_aio_context(f->blk, qemu_get_aio_context(), &error_abort);
    blk_unref(f->blk);
    iothread_destroy(f->iothread);
}

/* Synchronous calls from the main thread run the request in the IOThread. */
static void test_sync_io(void)
{
    Fixture f;
    uint8_t wbuf[4096], rbuf[4096];

    fixture_setup(&f, "sync-io");
    memset(wbuf, 0x77, sizeof(wbuf));
    g_assert_cmpint(blk_pwrite(f.blk, 65536, sizeof(wbuf), wbuf, 0), ==, 0);
    g_assert_cmpmem(f.s->data + 65536, sizeof(wbuf), wbuf, sizeof(wbuf));
    g_assert_cmpint(blk_pread(f.blk, 65536, sizeof(rbuf), rbuf, 0), ==, 0);
    g_assert_cmpmem(rbuf, sizeof(rbuf), wbuf, sizeof(wbuf));
    g_assert_cmpint(blk_getlength(f.blk), ==, IMG_SIZE);
    g_assert_cmpint(blk_pread(f.blk, IMG_SIZE, 512, rbuf, 0), ==, -EIO);
    g_assert_cmpint(qatomic_read(&f.s->completed), ==, 2);
    fixture_teardown(&f);
}

typedef struct AioData {
    BlockBackend *blk;
    QEMUIOVector qiov;
    uint8_t buf[512];
    AioContext *cb_ctx;     /* where the callback ran */
    int ret;
    bool done;              /* atomic */
} AioData;

static void aio_data_cb(void *opaque, int ret)
{
    AioData *data = opaque;

    data->cb_ctx = qemu_get_current_aio_context();
    data->ret = ret;
    qatomic_store_release(&data->done, true);
}

static void start_aio_bh(void *opaque)
{
    AioData *data = opaque;

    qemu_iovec_init_buf(&data->qiov, data->buf, sizeof(data->buf));
    blk_aio_preadv(data->blk, 0, &data->qiov, 0, aio_data_cb, data);
}

static void test_aio_in_iothread(void)
{
    Fixture f;
    AioData data = { .ret = 1 };

    fixture_setup(&f, "aio-io");
    data.blk = f.blk;
    aio_wait_bh_oneshot(f.ctx, start_aio_bh, &data);

    /* blk_drain() returns only once the callback has run. */
    blk_drain(f.blk);
    g_assert(qatomic_load_acquire(&data.done));
    g_assert_cmpint(data.ret, ==, 0);
    g_assert(data.cb_ctx == f.ctx);
    fixture_teardown(&f);
}

/* A coroutine in the IOThread doing I/O until told to stop. */
typedef struct Looper {
    BlockBackend *blk;
    bool stop;          /* atomic */
    bool finished;      /* atomic */
    int rounds;         /* atomic */
} Looper;

static void coroutine_fn looper_entry(void *opaque)
{
    Looper *l = opaque;
    uint8_t buf[512];
    int64_t off = 0;

    while (!qatomic_read(&l->stop)) {
        memset(buf, qatomic_read(&l->rounds) & 0xff, sizeof(buf));
        g_assert_cmpint(blk_co_pwrite(l->blk, off, sizeof(buf), buf, 0), ==,
                        0);
        g_assert_cmpint(blk_co_pread(l->blk, off, sizeof(buf), buf, 0), ==,
                        0);
        off = (off + sizeof(buf)) % IMG_SIZE;
        qatomic_inc(&l->rounds);
    }
    qatomic_store_release(&l->finished, true);
}

static void start_looper_bh(void *opaque)
{
    Looper *l = opaque;

    qemu_coroutine_enter(qemu_coroutine_create(looper_entry, l));
}

static void wait_for_rounds(Looper *l, int rounds)
{
    while (qatomic_read(&l->rounds) < rounds) {
        g_usleep(10);
    }
}

static void test_drain_during_io(void)
{
    Fixture f;
    Looper l = { 0 };
    int i;

    fixture_setup(&f, "drain-io");
    l.blk = f.blk;
    aio_wait_bh_oneshot(f.ctx, start_looper_bh, &l);

    for (i = 0; i < 20; i++) {
        int done;

        wait_for_rounds(&l, i + 1);
        bdrv_drained_begin(f.bs);

        /* Quiet: nothing inside the driver, nothing counted in flight. */
        g_assert_cmpint(qatomic_read(&f.s->active), ==, 0);
        g_assert_cmpint(qatomic_read(&f.bs->in_flight), ==, 0);
        done = qatomic_read(&f.s->completed);
        g_usleep(100);
        g_assert_cmpint(qatomic_read(&f.s->active), ==, 0);
        g_assert_cmpint(qatomic_read(&f.s->completed), ==, done);

        bdrv_drained_end(f.bs);
        /* The parked request resumes and the loop goes on. */
        while (qatomic_read(&f.s->completed) == done) {
            g_usleep(10);
        }
    }

    qatomic_set(&l.stop, true);
    while (!qatomic_load_acquire(&l.finished)) {
        g_usleep(10);
    }
    g_assert_cmpint(qatomic_read(&f.s->active), ==, 0);
    fixture_teardown(&f);
}

typedef struct CtxNotes {
    AioContext *attached;
    int detached;
} CtxNotes;

static void note_attached(AioContext *ctx, void *opaque)
{
    CtxNotes *notes = opaque;

    notes->attached = ctx;
}

static void note_detached(void *opaque)
{
    CtxNotes *notes = opaque;

    notes->detached++;
}

/* Users that follow the backend hear about each move. */
static void test_context_notifier(void)
{
    IOThread *iothread = iothread_create("notify-io", &error_abort);
    AioContext *ctx = iothread_get_aio_context(iothread);
    BlockDriverState *bs = bdrv_new_open_driver(&bdrv_yield, "notify",
                                                BDRV_O_RDWR, &error_abort);
    BlockBackend *blk = blk_new_with_bs(bs, BLK_PERM_ALL, BLK_PERM_ALL,
                                        &error_abort);
    CtxNotes notes = { 0 };

    bdrv_unref(bs);
    blk_add_aio_context_notifier(blk, note_attached, note_detached, &notes);

    blk_set_aio_context(blk, ctx, &error_abort);
    g_assert(notes.attached == ctx);
    g_assert_cmpint(notes.detached, ==, 1);

    blk_set_aio_context(blk, qemu_get_aio_context(), &error_abort);
    g_assert(notes.attached == qemu_get_aio_context());
    g_assert_cmpint(notes.detached, ==, 2);

    blk_remove_aio_context_notifier(blk, note_attached, note_detached, &notes);
    blk_unref(blk);
    iothread_destroy(iothread);
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/block-iothread/sync-io", test_sync_io);
    g_test_add_func("/block-iothread/aio-in-iothread", test_aio_in_iothread);
    g_test_add_func("/block-iothread/drain-during-io", test_drain_during_io);
    g_test_add_func("/block-iothread/context-notifier", test_context_notifier);

    return g_test_run();
}
