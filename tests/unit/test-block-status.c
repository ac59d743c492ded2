/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-block-status: allocation queries on a node and a backing chain.
 *
 * A mock format driver keeps a per-cluster allocation map and reports it
 * through .bdrv_co_block_status.  Two such nodes form a chain (top with
 * base as its backing file) with different clusters allocated in each,
 * and the cases check what the core makes of it: single-node status,
 * status above a base, allocation, "reads as zero", the end of a shorter
 * backing file, and zeroing a whole node.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"

#define CLUSTER (64 * 1024)

typedef struct BDRVAllocState {
    int64_t size;
    bool *alloc;            /* one flag per cluster */
    int zero_writes;        /* clusters written by zero writes */
} BDRVAllocState;

/* Size of the next node opened (set by the test before opening). */
static int64_t next_size;

static int alloc_open(BlockDriverState *bs, QDict *options, int flags,
                      Error **errp)
{
    BDRVAllocState *s = bs->opaque;

    s->size = next_size;
    s->alloc = g_new0(bool, DIV_ROUND_UP(s->size, CLUSTER));
    return 0;
}

static void alloc_close(BlockDriverState *bs)
{
    BDRVAllocState *s = bs->opaque;

    g_free(s->alloc);
}

static int64_t coroutine_fn alloc_co_getlength(BlockDriverState *bs)
{
    BDRVAllocState *s = bs->opaque;

    return s->size;
}

/* The run of clusters sharing the allocation state of @offset. */
static int coroutine_fn alloc_co_block_status(BlockDriverState *bs,
                                              bool want_zero, int64_t offset,
                                              int64_t bytes, int64_t *pnum,
                                              int64_t *map,
                                              BlockDriverState **file)
{
    BDRVAllocState *s = bs->opaque;
    int64_t i = offset / CLUSTER;
    bool state = s->alloc[i];
    int64_t end = offset + bytes;
    int64_t run_end = (i + 1) * CLUSTER;

    while (run_end < end && s->alloc[run_end / CLUSTER] == state) {
        run_end += CLUSTER;
    }
    *pnum = MIN(run_end, end) - offset;
    *map = offset;
    *file = bs;
    return state ? BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID : 0;
}

/* Set by a test: the next read parks in held_read until woken. */
static bool hold_next_read;
static Coroutine *held_read;

static int coroutine_fn alloc_co_preadv(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes, QEMUIOVector *qiov,
                                        BdrvRequestFlags flags)
{
    if (hold_next_read) {
        hold_next_read = false;
        held_read = qemu_coroutine_self();
        qemu_coroutine_yield();
        held_read = NULL;
    }
    qemu_iovec_memset(qiov, 0, 0, bytes);
    return 0;
}

static void alloc_mark(BDRVAllocState *s, int64_t offset, int64_t bytes)
{
    int64_t i;

    for (i = offset / CLUSTER; i < DIV_ROUND_UP(offset + bytes, CLUSTER);
         i++) {
        s->alloc[i] = true;
    }
}

static int coroutine_fn alloc_co_pwritev(BlockDriverState *bs, int64_t offset,
                                         int64_t bytes, QEMUIOVector *qiov,
                                         BdrvRequestFlags flags)
{
    alloc_mark(bs->opaque, offset, bytes);
    return 0;
}

static int coroutine_fn alloc_co_pwrite_zeroes(BlockDriverState *bs,
                                               int64_t offset, int64_t bytes,
                                               BdrvRequestFlags flags)
{
    BDRVAllocState *s = bs->opaque;

    alloc_mark(s, offset, bytes);
    s->zero_writes += DIV_ROUND_UP(bytes, CLUSTER);
    return 0;
}

static int coroutine_fn alloc_co_get_info(BlockDriverState *bs,
                                          BlockDriverInfo *bdi)
{
    bdi->cluster_size = CLUSTER;
    bdi->subcluster_size = CLUSTER;
    return 0;
}

static BlockDriver bdrv_alloc = {
    .format_name            = "test-alloc",
    .instance_size          = sizeof(BDRVAllocState),
    .supports_backing       = true,
    .bdrv_open              = alloc_open,
    .bdrv_close             = alloc_close,
    .bdrv_co_getlength      = alloc_co_getlength,
    .bdrv_co_block_status   = alloc_co_block_status,
    .bdrv_co_preadv         = alloc_co_preadv,
    .bdrv_co_pwritev        = alloc_co_pwritev,
    .bdrv_co_pwrite_zeroes  = alloc_co_pwrite_zeroes,
    .bdrv_co_get_info       = alloc_co_get_info,
    .bdrv_child_perm        = bdrv_default_perms,
};

static BlockDriverState *alloc_node(const char *name, int64_t size)
{
    next_size = size;
    return bdrv_new_open_driver(&bdrv_alloc, name, BDRV_O_RDWR, &error_abort);
}

static BDRVAllocState *alloc_state(BlockDriverState *bs)
{
    return bs->opaque;
}

/*
 * top (512k):  . . A A . . . .     (A: allocated in top)
 * base (256k): B B . .             (B: allocated in base)
 */
typedef struct Chain {
    BlockDriverState *top;
    BlockDriverState *base;
} Chain;

static void chain_setup(Chain *c)
{
    c->top = alloc_node("top", 8 * CLUSTER);
    c->base = alloc_node("base", 4 * CLUSTER);
    alloc_state(c->base)->alloc[0] = true;
    alloc_state(c->base)->alloc[1] = true;
    alloc_state(c->top)->alloc[2] = true;
    alloc_state(c->top)->alloc[3] = true;

    bdrv_drained_begin(c->top);
    bdrv_graph_wrlock();
    bdrv_set_backing_hd(c->top, c->base, &error_abort);
    bdrv_graph_wrunlock();
    bdrv_drained_end(c->top);
    bdrv_unref(c->base);
}

static void chain_teardown(Chain *c)
{
    bdrv_unref(c->top);
    /* Children of a deleted node may be released from a BH. */
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* run them all */
    }
}

static void test_single_node(void)
{
    BlockDriverState *bs = alloc_node("single", 4 * CLUSTER);
    BlockDriverState *file;
    int64_t pnum, map;
    int ret;

    alloc_state(bs)->alloc[1] = true;

    /* Unallocated without a backing file: reads as zeroes. */
    ret = bdrv_block_status(bs, 0, 4 * CLUSTER, &pnum, &map, &file);
    g_assert_cmpint(ret, ==, BDRV_BLOCK_ZERO);
    g_assert_cmpint(pnum, ==, CLUSTER);

    ret = bdrv_block_status(bs, CLUSTER + 512, 4 * CLUSTER, &pnum, &map,
                            &file);
    g_assert_cmpint(ret, ==, BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID |
                             BDRV_BLOCK_ALLOCATED);
    g_assert_cmpint(pnum, ==, CLUSTER - 512);
    g_assert_cmpint(map, ==, CLUSTER + 512);
    g_assert(file == bs);

    /* The last run is flagged as reaching the end; past it is EOF. */
    ret = bdrv_block_status(bs, 2 * CLUSTER, 8 * CLUSTER, &pnum, NULL, NULL);
    g_assert_cmpint(ret, ==, BDRV_BLOCK_ZERO | BDRV_BLOCK_EOF);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);
    ret = bdrv_block_status(bs, 4 * CLUSTER, CLUSTER, &pnum, NULL, NULL);
    g_assert_cmpint(ret, ==, BDRV_BLOCK_EOF);
    g_assert_cmpint(pnum, ==, 0);

    bdrv_unref(bs);
}

static void test_chain_status(void)
{
    Chain c;
    BlockDriverState *file;
    int64_t pnum;
    int ret;

    chain_setup(&c);

    /* top alone: cluster 0 is not its own, and it has a backing file. */
    ret = bdrv_block_status(c.top, 0, 8 * CLUSTER, &pnum, NULL, NULL);
    g_assert_cmpint(ret, ==, 0);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);

    /* Through the chain the data comes from base. */
    ret = bdrv_block_status_above(c.top, NULL, 0, 8 * CLUSTER, &pnum, NULL,
                                  &file);
    g_assert_cmpint(ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED), ==,
                    BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);
    g_assert(file == c.base);

    /* Stopping at base leaves the range unallocated. */
    ret = bdrv_block_status_above(c.top, c.base, 0, 8 * CLUSTER, &pnum, NULL,
                                  NULL);
    g_assert_cmpint(ret & BDRV_BLOCK_ALLOCATED, ==, 0);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);

    /* top's own clusters answer at once. */
    ret = bdrv_block_status_above(c.top, NULL, 2 * CLUSTER, 8 * CLUSTER,
                                  &pnum, NULL, &file);
    g_assert(ret & BDRV_BLOCK_DATA);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);
    g_assert(file == c.top);

    /* Past the end of the shorter base: zeroes, as if allocated there. */
    ret = bdrv_block_status_above(c.top, NULL, 5 * CLUSTER, CLUSTER, &pnum,
                                  NULL, NULL);
    g_assert_cmpint(ret & (BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED), ==,
                    BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED);
    g_assert_cmpint(pnum, ==, CLUSTER);

    chain_teardown(&c);
}

static void test_chain_allocation(void)
{
    Chain c;
    int64_t pnum;

    chain_setup(&c);

    g_assert_cmpint(bdrv_is_allocated(c.top, 0, 8 * CLUSTER, &pnum), ==, 0);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);
    g_assert_cmpint(bdrv_is_allocated(c.top, 2 * CLUSTER, CLUSTER, &pnum),
                    ==, 1);
    g_assert_cmpint(pnum, ==, CLUSTER);

    /*
     * Above NULL: base counts (it answers as layer 2, the depth); above
     * base (exclusive): it does not.
     */
    g_assert_cmpint(bdrv_is_allocated_above(c.top, NULL, false, 0,
                                            8 * CLUSTER, &pnum), ==, 2);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);
    g_assert_cmpint(bdrv_is_allocated_above(c.top, c.base, false, 0,
                                            8 * CLUSTER, &pnum), ==, 0);
    g_assert_cmpint(pnum, ==, 2 * CLUSTER);
    g_assert_cmpint(bdrv_is_allocated_above(c.top, c.base, true, 0,
                                            8 * CLUSTER, &pnum), ==, 2);

    chain_teardown(&c);
}

/* Reads with copy-on-read enabled pull unallocated clusters up. */
static void test_copy_on_read(void)
{
    Chain c;
    BlockBackend *blk;
    uint8_t buf[2 * CLUSTER];

    chain_setup(&c);
    blk = blk_new_with_bs(c.top, BLK_PERM_CONSISTENT_READ, BLK_PERM_ALL,
                          &error_abort);
    bdrv_enable_copy_on_read(c.top);

    /*
     * Clusters 0-1 (the read rounded out to whole clusters) come from
     * base; they read as zero, so they are copied with one zero write.
     */
    g_assert_cmpint(blk_pread(blk, 512, CLUSTER, buf, 0), ==, 0);
    g_assert_true(alloc_state(c.top)->alloc[0]);
    g_assert_true(alloc_state(c.top)->alloc[1]);
    g_assert_cmpint(alloc_state(c.top)->zero_writes, ==, 2);

    /* Already in top: nothing to copy. */
    g_assert_cmpint(blk_pread(blk, 2 * CLUSTER, 2 * CLUSTER, buf, 0), ==, 0);
    g_assert_cmpint(alloc_state(c.top)->zero_writes, ==, 2);

    /* Beyond base's end the copy is of zeroes all the same. */
    g_assert_cmpint(blk_pread(blk, 5 * CLUSTER, 100, buf, 0), ==, 0);
    g_assert_true(alloc_state(c.top)->alloc[5]);
    g_assert_false(alloc_state(c.top)->alloc[4]);
    g_assert_false(alloc_state(c.top)->alloc[6]);

    bdrv_disable_copy_on_read(c.top);
    g_assert_cmpint(blk_pread(blk, 7 * CLUSTER, 512, buf, 0), ==, 0);
    g_assert_false(alloc_state(c.top)->alloc[7]);

    blk_unref(blk);
    chain_teardown(&c);
}

typedef struct ReqCo {
    BlockBackend *blk;
    int64_t offset;
    bool write;
    int ret;
    bool done;
} ReqCo;

static void coroutine_fn req_co_entry(void *opaque)
{
    ReqCo *r = opaque;
    uint8_t buf[512] = { 0 };

    if (r->write) {
        r->ret = blk_co_pwrite(r->blk, r->offset, sizeof(buf), buf, 0);
    } else {
        r->ret = blk_co_pread(r->blk, r->offset, sizeof(buf), buf, 0);
    }
    r->done = true;
}

static void start_req(ReqCo *r, BlockBackend *blk, int64_t offset,
                      bool write)
{
    *r = (ReqCo) { .blk = blk, .offset = offset, .write = write };
    qemu_coroutine_enter(qemu_coroutine_create(req_co_entry, r));
}

/*
 * A copy-on-read in progress owns its clusters: a write into them waits
 * until the copy is done, a write elsewhere does not.
 */
static void test_copy_on_read_serialised(void)
{
    ReqCo cor, same, other;
    BlockBackend *blk;
    Chain c;

    chain_setup(&c);
    blk = blk_new_with_bs(c.top, BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE,
                          BLK_PERM_ALL, &error_abort);
    bdrv_enable_copy_on_read(c.top);

    hold_next_read = true;
    start_req(&cor, blk, 512, false);
    g_assert(!cor.done && held_read);

    start_req(&same, blk, CLUSTER - 512, true);
    g_assert(!same.done);
    start_req(&other, blk, 3 * CLUSTER, true);
    g_assert(other.done);
    g_assert_cmpint(other.ret, ==, 0);

    aio_co_wake(held_read);
    while (!cor.done || !same.done) {
        aio_poll(qemu_get_aio_context(), true);
    }
    g_assert_cmpint(cor.ret, ==, 0);
    g_assert_cmpint(same.ret, ==, 0);
    g_assert_true(alloc_state(c.top)->alloc[0]);

    bdrv_disable_copy_on_read(c.top);
    blk_unref(blk);
    chain_teardown(&c);
}

/* want_zero: unallocated beyond a shorter backing file reads as zero. */
static void test_status_short_backing(void)
{
    int64_t pnum;
    Chain c;
    int ret;

    chain_setup(&c);
    /* Cluster 5 of top: unallocated, and base (4 clusters) ends before. */
    ret = bdrv_block_status(c.top, 5 * CLUSTER, CLUSTER, &pnum, NULL, NULL);
    g_assert_cmpint(ret & BDRV_BLOCK_ZERO, ==, BDRV_BLOCK_ZERO);
    g_assert_cmpint(ret & BDRV_BLOCK_ALLOCATED, ==, 0);
    /* Allocation (want_zero=false) does not look at the backing file. */
    g_assert_cmpint(bdrv_is_allocated(c.top, 5 * CLUSTER, CLUSTER, &pnum),
                    ==, 0);
    /* Cluster 0: unallocated in top, data in base: not zero in top. */
    ret = bdrv_block_status(c.top, 0, CLUSTER, &pnum, NULL, NULL);
    g_assert_cmpint(ret & BDRV_BLOCK_ZERO, ==, 0);
    chain_teardown(&c);
}

static void test_make_zero(void)
{
    BlockDriverState *bs = alloc_node("zero", 4 * CLUSTER);
    BlockBackend *blk;
    int i;

    alloc_state(bs)->alloc[2] = true;
    blk = blk_new_with_bs(bs, BLK_PERM_ALL, BLK_PERM_ALL, &error_abort);
    bdrv_unref(bs);

    /* Only the allocated cluster needs zeroing: the rest reads as zero. */
    g_assert_cmpint(bdrv_make_zero(blk_root(blk), 0), ==, 0);
    g_assert_cmpint(alloc_state(bs)->zero_writes, ==, 1);
    for (i = 0; i < 4; i++) {
        g_assert_cmpint(alloc_state(bs)->alloc[i], ==, i == 2);
    }
    blk_unref(blk);
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/block-status/single-node", test_single_node);
    g_test_add_func("/block-status/chain-status", test_chain_status);
    g_test_add_func("/block-status/chain-allocation", test_chain_allocation);
    g_test_add_func("/block-status/copy-on-read", test_copy_on_read);
    g_test_add_func("/block-status/copy-on-read-serialised",
                    test_copy_on_read_serialised);
    g_test_add_func("/block-status/short-backing",
                    test_status_short_backing);
    g_test_add_func("/block-status/make-zero", test_make_zero);

    return g_test_run();
}
