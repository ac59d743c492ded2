/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-bdrv-drain: drained sections on nodes and on the whole graph.
 *
 * A mock driver counts its drain callbacks and makes every request yield
 * a few times, so that drain has something to wait for.  The cases cover
 * nesting, waiting for in-flight I/O, the order in which parents and
 * drivers are told, drain_all (including nodes created inside it),
 * drains started from a coroutine, and a node whose I/O runs in an
 * IOThread while the main loop drains it.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "sysemu/iothread.h"

/* --- A mock driver ------------------------------------------------------- */

typedef struct BDRVTestState {
    int drain_count;    /* open drained sections seen by the driver */
    int yields;         /* times each request yields before completing */
    int reads_done;     /* atomic */
} BDRVTestState;

/* Names of the drain events seen so far, in order ("begin:top" ...). */
static GString *drain_log;

static void log_event(const char *what, const char *who)
{
    if (drain_log) {
        g_string_append_printf(drain_log, "%s%s:%s", drain_log->len ? "," : "",
                               what, who);
    }
}

static int bdrv_test_open(BlockDriverState *bs, QDict *options, int flags,
                          Error **errp)
{
    return 0;
}

static void bdrv_test_drain_begin(BlockDriverState *bs)
{
    BDRVTestState *s = bs->opaque;

    s->drain_count++;
    log_event("begin", bs->node_name);
}

static void bdrv_test_drain_end(BlockDriverState *bs)
{
    BDRVTestState *s = bs->opaque;

    g_assert_cmpint(s->drain_count, >, 0);
    s->drain_count--;
    log_event("end", bs->node_name);
}

static int coroutine_fn bdrv_test_co_preadv(BlockDriverState *bs,
                                            int64_t offset, int64_t bytes,
                                            QEMUIOVector *qiov,
                                            BdrvRequestFlags flags)
{
    BDRVTestState *s = bs->opaque;
    int i;

    /* No request may start inside a drained section. */
    g_assert_cmpint(s->drain_count, ==, 0);

    for (i = 0; i < s->yields; i++) {
        aio_co_schedule(qemu_get_current_aio_context(),
                        qemu_coroutine_self());
        qemu_coroutine_yield();
    }
    qatomic_inc(&s->reads_done);
    return 0;
}

static int64_t coroutine_fn bdrv_test_co_getlength(BlockDriverState *bs)
{
    return 64 * 1024 * 1024;
}

static BlockDriver bdrv_test = {
    .format_name        = "test",
    .instance_size      = sizeof(BDRVTestState),
    .bdrv_open          = bdrv_test_open,
    .bdrv_co_preadv     = bdrv_test_co_preadv,
    .bdrv_co_getlength  = bdrv_test_co_getlength,
    .bdrv_drain_begin   = bdrv_test_drain_begin,
    .bdrv_drain_end     = bdrv_test_drain_end,
    .bdrv_child_perm    = bdrv_default_perms,
};

static BlockDriverState *test_node(const char *name, int yields)
{
    BlockDriverState *bs = bdrv_new_open_driver(&bdrv_test, name, BDRV_O_RDWR,
                                                &error_abort);
    BDRVTestState *s = bs->opaque;

    s->yields = yields;
    return bs;
}

static BDRVTestState *state(BlockDriverState *bs)
{
    return bs->opaque;
}

/* --- A device above the BlockBackend ------------------------------------- */

typedef struct TestDev {
    const char *name;
    int begins;
    int ends;
} TestDev;

static void dev_drained_begin(void *opaque)
{
    TestDev *dev = opaque;

    dev->begins++;
    log_event("begin", dev->name);
}

static void dev_drained_end(void *opaque)
{
    TestDev *dev = opaque;

    dev->ends++;
    log_event("end", dev->name);
}

static const BlockDevOps test_dev_ops = {
    .drained_begin = dev_drained_begin,
    .drained_end = dev_drained_end,
};

static BlockBackend *test_blk(BlockDriverState *bs, TestDev *dev)
{
    BlockBackend *blk = blk_new(bdrv_get_aio_context(bs), BLK_PERM_ALL,
                                BLK_PERM_ALL);

    /* The backend's reference is the only one left. */
    blk_insert_bs(blk, bs, &error_abort);
    bdrv_unref(bs);
    if (dev) {
        blk_set_dev_ops(blk, &test_dev_ops, dev);
    }
    return blk;
}

/* Completion of an AIO read: stores the result (any thread). */
static void read_cb(void *opaque, int ret)
{
    int *result = opaque;

    qatomic_set(result, ret);
}

#define NOT_DONE 1

/* --- Cases --------------------------------------------------------------- */

static void test_drain_nested(void)
{
    BlockDriverState *bs = test_node("nested", 0);
    TestDev dev = { .name = "dev" };
    BlockBackend *blk = test_blk(bs, &dev);

    bdrv_drained_begin(bs);
    bdrv_drained_begin(bs);
    g_assert_cmpint(bs->quiesce_counter, ==, 2);
    /* Driver and parents hear only about the outermost section. */
    g_assert_cmpint(state(bs)->drain_count, ==, 1);
    g_assert_cmpint(dev.begins, ==, 1);

    bdrv_drained_end(bs);
    g_assert_cmpint(bs->quiesce_counter, ==, 1);
    g_assert_cmpint(state(bs)->drain_count, ==, 1);
    g_assert_cmpint(dev.ends, ==, 0);

    bdrv_drained_end(bs);
    g_assert_cmpint(bs->quiesce_counter, ==, 0);
    g_assert_cmpint(state(bs)->drain_count, ==, 0);
    g_assert_cmpint(dev.ends, ==, 1);

    /* bdrv_drain() is a whole section. */
    bdrv_drain(bs);
    g_assert_cmpint(dev.begins, ==, 2);
    g_assert_cmpint(dev.ends, ==, 2);

    blk_unref(blk);
}

static void test_drain_waits_for_io(void)
{
    BlockDriverState *bs = test_node("inflight", 5);
    BlockBackend *blk = test_blk(bs, NULL);
    uint8_t buf[512];
    QEMUIOVector qiov;
    int ret = NOT_DONE;

    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    blk_aio_preadv(blk, 0, &qiov, 0, read_cb, &ret);

    /* The request sits in the driver, yielding. */
    g_assert_cmpint(ret, ==, NOT_DONE);
    g_assert_cmpint(qatomic_read(&bs->in_flight), ==, 1);
    g_assert_cmpint(state(bs)->reads_done, ==, 0);

    bdrv_drained_begin(bs);
    g_assert_cmpint(state(bs)->reads_done, ==, 1);
    g_assert_cmpint(qatomic_read(&bs->in_flight), ==, 0);
    g_assert_cmpint(ret, ==, 0);
    bdrv_drained_end(bs);

    blk_unref(blk);
}

static void test_drain_parent_order(void)
{
    BlockDriverState *top = test_node("top", 0);
    BlockDriverState *base = test_node("base", 0);
    TestDev dev = { .name = "dev" };
    BlockBackend *blk;

    bdrv_graph_wrlock();
    bdrv_attach_child(top, base, "file", &child_of_bds,
                      BDRV_CHILD_DATA | BDRV_CHILD_PRIMARY, &error_abort);
    bdrv_graph_wrunlock();
    blk = test_blk(top, &dev);

    /* Draining the bottom quiesces everything above it, top down. */
    drain_log = g_string_new("");
    bdrv_drained_begin(base);
    g_assert_cmpstr(drain_log->str, ==, "begin:dev,begin:top,begin:base");
    g_assert_cmpint(top->quiesce_counter, ==, 1);
    g_assert_cmpint(base->quiesce_counter, ==, 1);

    g_string_truncate(drain_log, 0);
    bdrv_drained_end(base);
    g_assert_cmpstr(drain_log->str, ==, "end:base,end:top,end:dev");
    g_assert_cmpint(top->quiesce_counter, ==, 0);

    /* Draining the top leaves the child alone. */
    g_string_truncate(drain_log, 0);
    bdrv_drained_begin(top);
    g_assert_cmpstr(drain_log->str, ==, "begin:dev,begin:top");
    g_assert_cmpint(base->quiesce_counter, ==, 0);
    bdrv_drained_end(top);

    g_string_free(drain_log, true);
    drain_log = NULL;
    blk_unref(blk);
}

static void test_drain_all(void)
{
    BlockDriverState *a = test_node("all-a", 3);
    BlockDriverState *b = test_node("all-b", 3);
    TestDev dev_a = { .name = "a" }, dev_b = { .name = "b" };
    BlockBackend *blk_a = test_blk(a, &dev_a);
    BlockBackend *blk_b = test_blk(b, &dev_b);
    BlockDriverState *late;
    uint8_t buf[512];
    QEMUIOVector qiov;
    int ret_a = NOT_DONE, ret_b = NOT_DONE;

    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    blk_aio_preadv(blk_a, 0, &qiov, 0, read_cb, &ret_a);
    blk_aio_preadv(blk_b, 512, &qiov, 0, read_cb, &ret_b);

    bdrv_drain_all_begin();
    g_assert_cmpint(ret_a, ==, 0);
    g_assert_cmpint(ret_b, ==, 0);
    g_assert_cmpint(bdrv_drain_all_count, ==, 1);
    g_assert_cmpint(a->quiesce_counter, ==, 1);
    g_assert_cmpint(b->quiesce_counter, ==, 1);
    g_assert_cmpint(dev_a.begins, ==, 1);
    g_assert_cmpint(dev_b.begins, ==, 1);

    /* A node born inside the section is drained like the others. */
    late = test_node("all-late", 0);
    g_assert_cmpint(late->quiesce_counter, ==, 1);

    bdrv_drain_all_end();
    g_assert_cmpint(bdrv_drain_all_count, ==, 0);
    g_assert_cmpint(a->quiesce_counter, ==, 0);
    g_assert_cmpint(late->quiesce_counter, ==, 0);
    g_assert_cmpint(state(late)->drain_count, ==, 0);
    g_assert_cmpint(dev_a.ends, ==, 1);
    g_assert_cmpint(dev_b.ends, ==, 1);

    bdrv_unref(late);
    blk_unref(blk_a);
    blk_unref(blk_b);
}

/* Drains from inside a coroutine go through a BH in the main loop. */
typedef struct CoDrainData {
    BlockDriverState *bs;
    bool drain_all;
    bool begin;
    bool done;
} CoDrainData;

static void coroutine_fn co_drain_entry(void *opaque)
{
    CoDrainData *data = opaque;

    if (data->drain_all) {
        if (data->begin) {
            bdrv_drain_all_begin();
        } else {
            bdrv_drain_all_end();
        }
    } else if (data->begin) {
        bdrv_drained_begin(data->bs);
    } else {
        bdrv_drained_end(data->bs);
    }
    data->done = true;
}

static void run_co_drain(BlockDriverState *bs, bool drain_all, bool begin)
{
    CoDrainData data = { .bs = bs, .drain_all = drain_all, .begin = begin };
    Coroutine *co = qemu_coroutine_create(co_drain_entry, &data);

    qemu_coroutine_enter(co);
    while (!data.done) {
        aio_poll(qemu_get_aio_context(), true);
    }
}

static void test_drain_from_coroutine(void)
{
    BlockDriverState *bs = test_node("co", 4);
    TestDev dev = { .name = "dev" };
    BlockBackend *blk = test_blk(bs, &dev);
    uint8_t buf[512];
    QEMUIOVector qiov;
    int ret = NOT_DONE;

    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    blk_aio_preadv(blk, 0, &qiov, 0, read_cb, &ret);

    run_co_drain(bs, false, true);
    g_assert_cmpint(ret, ==, 0);
    g_assert_cmpint(bs->quiesce_counter, ==, 1);
    g_assert_cmpint(dev.begins, ==, 1);
    run_co_drain(bs, false, false);
    g_assert_cmpint(bs->quiesce_counter, ==, 0);
    g_assert_cmpint(dev.ends, ==, 1);

    ret = NOT_DONE;
    blk_aio_preadv(blk, 0, &qiov, 0, read_cb, &ret);
    run_co_drain(NULL, true, true);
    g_assert_cmpint(ret, ==, 0);
    g_assert_cmpint(bdrv_drain_all_count, ==, 1);
    g_assert_cmpint(bs->quiesce_counter, ==, 1);
    run_co_drain(NULL, true, false);
    g_assert_cmpint(bdrv_drain_all_count, ==, 0);
    g_assert_cmpint(bs->quiesce_counter, ==, 0);

    blk_unref(blk);
}

/* Starts a read from inside the IOThread (AIO is issued in blk's context). */
typedef struct IOThreadReadData {
    BlockBackend *blk;
    QEMUIOVector *qiov;
    int *ret;
} IOThreadReadData;

static void start_read_bh(void *opaque)
{
    IOThreadReadData *data = opaque;

    blk_aio_preadv(data->blk, 0, data->qiov, 0, read_cb, data->ret);
}

static void test_drain_iothread(void)
{
    IOThread *iothread = iothread_create("drain-io", &error_abort);
    AioContext *ctx = iothread_get_aio_context(iothread);
    BlockDriverState *bs = test_node("iothread", 50);
    TestDev dev = { .name = "dev" };
    BlockBackend *blk = test_blk(bs, &dev);
    uint8_t buf[512];
    QEMUIOVector qiov;
    int ret = NOT_DONE;
    IOThreadReadData data = { .blk = blk, .qiov = &qiov, .ret = &ret };
    int begins, ends;

    /* Moving drains the node too: count only our own section below. */
    blk_set_aio_context(blk, ctx, &error_abort);
    begins = dev.begins;
    ends = dev.ends;
    g_assert(bdrv_get_aio_context(bs) == ctx);
    g_assert(blk_get_aio_context(blk) == ctx);

    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    aio_wait_bh_oneshot(ctx, start_read_bh, &data);

    /* The main loop waits while the IOThread finishes the request. */
    bdrv_drained_begin(bs);
    g_assert_cmpint(qatomic_read(&state(bs)->reads_done), ==, 1);
    g_assert_cmpint(qatomic_read(&ret), ==, 0);
    g_assert_cmpint(qatomic_read(&bs->in_flight), ==, 0);
    g_assert_cmpint(dev.begins, ==, begins + 1);
    g_assert_cmpint(dev.ends, ==, ends);
    bdrv_drained_end(bs);
    g_assert_cmpint(dev.ends, ==, ends + 1);

    /* drain_all reaches nodes in other contexts too. */
    ret = NOT_DONE;
    aio_wait_bh_oneshot(ctx, start_read_bh, &data);
    bdrv_drain_all();
    g_assert_cmpint(qatomic_read(&state(bs)->reads_done), ==, 2);
    g_assert_cmpint(qatomic_read(&ret), ==, 0);

    blk_set_aio_context(blk, qemu_get_aio_context(), &error_abort);
    blk_unref(blk);
    iothread_destroy(iothread);
}

/* A coroutine in the IOThread drains its own node. */
typedef struct IOThreadCoDrain {
    BlockDriverState *bs;
    int reads_seen;         /* reads done when drained_begin returned */
    int quiesce_seen;
    bool done;              /* atomic */
} IOThreadCoDrain;

static void coroutine_fn iothread_co_drain_entry(void *opaque)
{
    IOThreadCoDrain *d = opaque;

    bdrv_drained_begin(d->bs);
    d->reads_seen = qatomic_read(&state(d->bs)->reads_done);
    d->quiesce_seen = qatomic_read(&d->bs->quiesce_counter);
    bdrv_drained_end(d->bs);
    qatomic_store_release(&d->done, true);
    aio_wait_kick();
}

static void start_co_drain_bh(void *opaque)
{
    IOThreadCoDrain *d = opaque;

    qemu_coroutine_enter(qemu_coroutine_create(iothread_co_drain_entry, d));
}

static void test_drain_iothread_coroutine(void)
{
    IOThread *iothread = iothread_create("drain-co-io", &error_abort);
    AioContext *ctx = iothread_get_aio_context(iothread);
    BlockDriverState *bs = test_node("iothread-co", 50);
    BlockBackend *blk = test_blk(bs, NULL);
    uint8_t buf[512];
    QEMUIOVector qiov;
    int ret = NOT_DONE;
    IOThreadReadData data = { .blk = blk, .qiov = &qiov, .ret = &ret };
    IOThreadCoDrain d = { .bs = bs };

    blk_set_aio_context(blk, ctx, &error_abort);
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));
    aio_wait_bh_oneshot(ctx, start_read_bh, &data);
    aio_wait_bh_oneshot(ctx, start_co_drain_bh, &d);

    /* The drain itself runs in a BH of the main loop. */
    AIO_WAIT_WHILE_UNLOCKED(NULL, !qatomic_load_acquire(&d.done));
    g_assert_cmpint(d.reads_seen, ==, 1);
    g_assert_cmpint(d.quiesce_seen, ==, 1);
    g_assert_cmpint(qatomic_read(&ret), ==, 0);
    g_assert_cmpint(bs->quiesce_counter, ==, 0);

    blk_set_aio_context(blk, qemu_get_aio_context(), &error_abort);
    blk_unref(blk);
    iothread_destroy(iothread);
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/bdrv-drain/nested", test_drain_nested);
    g_test_add_func("/bdrv-drain/waits-for-io", test_drain_waits_for_io);
    g_test_add_func("/bdrv-drain/parent-order", test_drain_parent_order);
    g_test_add_func("/bdrv-drain/drain-all", test_drain_all);
    g_test_add_func("/bdrv-drain/from-coroutine", test_drain_from_coroutine);
    g_test_add_func("/bdrv-drain/iothread", test_drain_iothread);
    g_test_add_func("/bdrv-drain/iothread-coroutine",
                    test_drain_iothread_coroutine);

    return g_test_run();
}
