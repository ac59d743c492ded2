/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 allocates in the order writes arrive (block/qcow2.h, "Allocation
 * order"): requests submitted back to back into a fresh image must get
 * their clusters in submission order even when the first one is mapped
 * in more pieces than run at once, or has to wait for an allocation in
 * flight, and a zero write's new L2 table comes after an earlier write's
 * clusters, and a zero write next to another write's new data in one
 * cluster leaves that data alone.  The data must read back as written
 * and the image must be clean.  qemu-img convert relies on this to overlap its in-order writes.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "../../block/qcow2.h"
#include "test-tmpdir.h"
#include "test-qcow2-util.h"

static char *test_dir;

/* A fresh 16 MiB qcow2 image with @cluster_size, open read-write. */
static BlockBackend *new_img(const char *name, const char *cluster_size)
{
    g_autofree char *path = g_build_filename(test_dir, name, NULL);
    BlockDriver *drv = bdrv_find_format("qcow2");
    QemuOpts *opts;
    QDict *o = qdict_new();

    unlink(path);
    opts = qemu_opts_create(drv->create_opts, NULL, 0, &error_abort);
    qemu_opt_set(opts, BLOCK_OPT_SIZE, "16M", &error_abort);
    qemu_opt_set(opts, BLOCK_OPT_CLUSTER_SIZE, cluster_size, &error_abort);
    g_assert_cmpint(bdrv_create(drv, path, opts, &error_abort), ==, 0);
    qemu_opts_del(opts);
    drain_main_loop();

    qdict_put_str(o, "driver", "qcow2");
    return blk_new_open(path, NULL, o, BDRV_O_RDWR | BDRV_O_NO_FLUSH,
                        &error_abort);
}

/* One request of a batch: a data write of @pattern, or zeroes if < 0. */
typedef struct Req {
    BlockBackend *blk;
    int64_t offset;
    int64_t bytes;
    int pattern;
    int ret;
    bool done;
} Req;

static void coroutine_fn req_co(void *opaque)
{
    Req *r = opaque;

    if (r->pattern < 0) {
        r->ret = blk_co_pwrite_zeroes(r->blk, r->offset, r->bytes, 0);
    } else {
        g_autofree uint8_t *buf = g_malloc(r->bytes);

        memset(buf, r->pattern, r->bytes);
        r->ret = blk_co_pwrite(r->blk, r->offset, r->bytes, buf, 0);
    }
    r->done = true;
}

/*
 * Submit @n requests back to back (each runs until it first yields, none
 * completes before all are in: completions need the main loop), then
 * wait for all of them.
 */
static void run_batch(Req *reqs, int n)
{
    bool all;

    for (int i = 0; i < n; i++) {
        qemu_coroutine_enter(qemu_coroutine_create(req_co, &reqs[i]));
    }
    do {
        all = true;
        for (int i = 0; i < n; i++) {
            all = all && reqs[i].done;
        }
        if (!all) {
            aio_poll(qemu_get_aio_context(), true);
        }
    } while (!all);
    for (int i = 0; i < n; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }
}

/* Host offset of guest @offset, which must be allocated. */
static int64_t host_of(BlockBackend *blk, int64_t offset)
{
    int64_t pnum, map;
    BlockDriverState *file;
    int ret = bdrv_block_status(blk_bs(blk), offset, 512, &pnum, &map,
                                &file);

    g_assert_cmpint(ret, >=, 0);
    g_assert(ret & BDRV_BLOCK_OFFSET_VALID);
    return map;
}

/* Highest host offset of the guest range [@offset, @offset + @bytes). */
static int64_t max_host(BlockBackend *blk, int64_t offset, int64_t bytes,
                        int64_t step)
{
    int64_t max = -1;

    for (int64_t o = offset; o < offset + bytes; o += step) {
        max = MAX(max, host_of(blk, o));
    }
    return max;
}

/* Our refcount check finds nothing wrong; then close the image. */
static void check_and_close(BlockBackend *blk)
{
    assert_clean(blk);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    blk_unref(blk);
    drain_main_loop();
}

/*
 * 512-byte clusters: an L2 slice maps 32 KiB, so a 320 KiB write is ten
 * pieces, more than qcow2 runs at once.  A write submitted right after
 * it must still get its cluster after all of the first one's.
 */
static void test_many_pieces(void)
{
    BlockBackend *blk = new_img("pieces.qcow2", "512");
    Req reqs[] = {
        { .blk = blk, .offset = 0, .bytes = 320 * KiB, .pattern = 0x11 },
        { .blk = blk, .offset = MiB, .bytes = 512, .pattern = 0x22 },
        { .blk = blk, .offset = 2 * MiB, .bytes = 64 * KiB, .pattern = 0x33 },
    };

    run_batch(reqs, ARRAY_SIZE(reqs));
    g_assert_cmpint(max_host(blk, 0, 320 * KiB, 512), <,
                    host_of(blk, MiB));
    g_assert_cmpint(host_of(blk, MiB), <, host_of(blk, 2 * MiB));
    /* The first write's clusters follow its guest order. */
    for (int64_t o = 512; o < 320 * KiB; o += 512) {
        g_assert_cmpint(host_of(blk, o - 512), <, host_of(blk, o));
    }
    assert_pattern(blk, 0, 320 * KiB, 0x11);
    assert_pattern(blk, MiB, 512, 0x22);
    assert_pattern(blk, 2 * MiB, 64 * KiB, 0x33);
    check_and_close(blk);
}

/*
 * The second write starts inside the first one's new cluster, so it
 * waits for that allocation; the third, submitted while it waits, must
 * not take the clusters before it.
 */
static void test_dependency_wait(void)
{
    BlockBackend *blk = new_img("dep.qcow2", "4096");
    Req reqs[] = {
        { .blk = blk, .offset = 0, .bytes = 2048, .pattern = 0x44 },
        { .blk = blk, .offset = 2048, .bytes = 14336, .pattern = 0x55 },
        { .blk = blk, .offset = 64 * KiB, .bytes = 4096, .pattern = 0x66 },
    };

    run_batch(reqs, ARRAY_SIZE(reqs));
    g_assert_cmpint(host_of(blk, 0), <, host_of(blk, 4096));
    g_assert_cmpint(max_host(blk, 0, 16 * KiB, 4096), <,
                    host_of(blk, 64 * KiB));
    assert_pattern(blk, 0, 2048, 0x44);
    assert_pattern(blk, 2048, 14336, 0x55);
    assert_pattern(blk, 64 * KiB, 4096, 0x66);
    check_and_close(blk);
}

/*
 * A zero write into a range without an L2 table allocates one; submitted
 * after a write of many pieces, the table must come after its clusters.
 */
static void test_zero_write_order(void)
{
    BlockBackend *blk = new_img("zero.qcow2", "512");
    BDRVQcow2State *s = blk_bs(blk)->opaque;
    Req reqs[] = {
        { .blk = blk, .offset = 0, .bytes = 320 * KiB, .pattern = 0x77 },
        { .blk = blk, .offset = 4 * MiB, .bytes = 32 * KiB, .pattern = -1 },
    };
    int l1_index = (4 * MiB) >> (s->cluster_bits + s->l2_bits);
    uint64_t l2_offset;

    g_assert_cmpint(s->l1_table[l1_index] & L1E_OFFSET_MASK, ==, 0);
    run_batch(reqs, ARRAY_SIZE(reqs));
    l2_offset = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    g_assert_cmpint(l2_offset, !=, 0);
    g_assert_cmpint(max_host(blk, 0, 320 * KiB, 512), <, l2_offset);
    assert_pattern(blk, 0, 320 * KiB, 0x77);
    assert_pattern(blk, 4 * MiB, 32 * KiB, 0);
    check_and_close(blk);
}

/*
 * A zero write that starts inside a cluster another write is filling
 * (allocated, not linked yet) may widen over the rest of that cluster
 * only if it reads as zero once that write is in: it is data then, so
 * the zero write must not wipe it (it did, reading the cluster as still
 * unallocated: qemu-img convert -n lost data that way).
 */
static void test_zero_write_widening(void)
{
    BlockBackend *blk = new_img("widen.qcow2", "65536");
    Req reqs[] = {
        { .blk = blk, .offset = 0, .bytes = 4096, .pattern = 0x12 },
        { .blk = blk, .offset = 4096, .bytes = 61440, .pattern = -1 },
        { .blk = blk, .offset = 64 * KiB, .bytes = 4096, .pattern = 0x34 },
    };

    run_batch(reqs, ARRAY_SIZE(reqs));
    assert_pattern(blk, 0, 4096, 0x12);
    assert_pattern(blk, 4096, 61440, 0);
    assert_pattern(blk, 64 * KiB, 4096, 0x34);
    g_assert_cmpint(host_of(blk, 0), <, host_of(blk, 64 * KiB));
    check_and_close(blk);
}

int main(int argc, char **argv)
{
    int ret;

    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("test-qcow2-write-order-XXXXXX", NULL);
    g_assert(test_dir);

    g_test_add_func("/qcow2-write-order/many-pieces", test_many_pieces);
    g_test_add_func("/qcow2-write-order/dependency-wait",
                    test_dependency_wait);
    g_test_add_func("/qcow2-write-order/zero-write", test_zero_write_order);
    g_test_add_func("/qcow2-write-order/zero-write-widening",
                    test_zero_write_widening);

    ret = g_test_run();
    test_remove_dir(test_dir);
    g_free(test_dir);
    return ret;
}
