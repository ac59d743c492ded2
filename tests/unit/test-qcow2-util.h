/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qcow2-util.h: helpers the qcow2 unit tests share: letting deferred
 * main-loop work run, checking a pattern read back through a BlockBackend,
 * and our refcount check of an open image (run in a coroutine, as the
 * driver wants it).  Include after block_int.h, block-backend.h and
 * block/qcow2.h.
 */
#ifndef TEST_QCOW2_UTIL_H
#define TEST_QCOW2_UTIL_H

static inline void drain_main_loop(void)
{
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let deferred work (node deletion) run */
    }
}

/* Every byte of [@off, @off + @len) reads back as @p. */
static inline void assert_pattern(BlockBackend *blk, int64_t off,
                                  int64_t len, int p)
{
    g_autofree uint8_t *buf = g_malloc(len);

    g_assert_cmpint(blk_pread(blk, off, len, buf, 0), ==, 0);
    for (int64_t i = 0; i < len; i++) {
        if (buf[i] != (uint8_t)p) {
            g_error("offset %" PRId64 ": %#x, expected %#x", off + i, buf[i],
                    p);
        }
    }
}

typedef struct CheckCo {
    BlockDriverState *bs;
    BdrvCheckMode fix;
    BdrvCheckResult res;
    int ret;
    bool done;
} CheckCo;

static void coroutine_fn check_co(void *opaque)
{
    CheckCo *c = opaque;
    BDRVQcow2State *s = c->bs->opaque;

    bdrv_graph_co_rdlock();
    qemu_co_mutex_lock(&s->lock);
    c->ret = qcow2_check_refcounts(c->bs, &c->res, c->fix);
    qemu_co_mutex_unlock(&s->lock);
    bdrv_graph_co_rdunlock();
    c->done = true;
}

/* Our refcount check of the open image (which must succeed); the result. */
static inline BdrvCheckResult check_img(BlockBackend *blk, BdrvCheckMode fix)
{
    CheckCo c = { .bs = blk_bs(blk), .fix = fix };

    qemu_coroutine_enter(qemu_coroutine_create(check_co, &c));
    while (!c.done) {
        aio_poll(qemu_get_aio_context(), true);
    }
    g_assert_cmpint(c.ret, ==, 0);
    return c.res;
}

/* The check finds no corruption, leak or error. */
static inline void assert_clean(BlockBackend *blk)
{
    BdrvCheckResult r = check_img(blk, 0);

    g_assert_cmpint(r.corruptions, ==, 0);
    g_assert_cmpint(r.leaks, ==, 0);
    g_assert_cmpint(r.check_errors, ==, 0);
}

#endif
