/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The refcount half of qcow2 on real images through the block layer:
 * cluster allocation with every refcount width (new refcount blocks and a
 * growing refcount table), internal snapshots, changing the refcount
 * width, and the image check with its repairs.  Our own check must find
 * the images clean; when QEMU 7.2's qemu-img is installed it must agree.
 */

#include "qemu/osdep.h"
#include <sys/wait.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/coroutine.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "../../block/qcow2.h"
#include "test-qcow2-util.h"

#define QEMU_IMG "/usr/bin/qemu-img"

static char *test_dir;

static char *path_of(const char *name)
{
    return g_build_filename(test_dir, name, NULL);
}

/* Create a qcow2 image with our driver: "@opts" is "k=v,k=v" or "". */
static void create_img(const char *path, const char *size, const char *opts)
{
    BlockDriver *drv = bdrv_find_format("qcow2");
    g_auto(GStrv) kv = g_strsplit(opts, ",", -1);
    QemuOpts *qopts;

    g_assert(drv);
    unlink(path);
    qopts = qemu_opts_create(drv->create_opts, NULL, 0, &error_abort);
    qemu_opt_set(qopts, BLOCK_OPT_SIZE, size, &error_abort);
    for (char **p = kv; *p && **p; p++) {
        g_auto(GStrv) pair = g_strsplit(*p, "=", 2);

        qemu_opt_set(qopts, pair[0], pair[1], &error_abort);
    }
    g_assert_cmpint(bdrv_create(drv, path, qopts, &error_abort), ==, 0);
    qemu_opts_del(qopts);
    drain_main_loop();
}

static BlockBackend *open_img(const char *path)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", "qcow2");
    /* Metadata ordering is tested, not durability: skip the fsyncs. */
    return blk_new_open(path, NULL, opts, BDRV_O_RDWR | BDRV_O_NO_FLUSH,
                        &error_abort);
}

static void close_img(BlockBackend *blk)
{
    g_assert_cmpint(blk_flush(blk), ==, 0);
    blk_unref(blk);
    drain_main_loop();
}

static void write_pattern(BlockBackend *blk, int64_t off, int64_t len, int p)
{
    g_autofree uint8_t *buf = g_malloc(len);

    memset(buf, p, len);
    g_assert_cmpint(blk_pwrite(blk, off, len, buf, 0), ==, 0);
}

/* QEMU 7.2's verdict on the closed image at @path, if installed. */
static void assert_peer_clean(const char *path)
{
    g_autofree char *cmd = g_strdup_printf(QEMU_IMG " check -q %s", path);
    int status;

    if (access(QEMU_IMG, X_OK)) {
        return;
    }
    g_assert(g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

/*
 * 512-byte clusters and over 5000 of them allocated: new refcount blocks
 * all along and, for wide refcounts, a refcount table that must grow.
 */
static void test_alloc_widths(void)
{
    g_autofree char *img = path_of("widths.qcow2");

    for (int order = 0; order <= 6; order++) {
        g_autofree char *opts = g_strdup_printf("cluster_size=512,"
                                                "refcount_bits=%d",
                                                1 << order);
        BDRVQcow2State *s;
        BlockBackend *blk;
        uint64_t reftable_before;

        create_img(img, "16M", opts);
        blk = open_img(img);
        s = blk_bs(blk)->opaque;
        reftable_before = s->refcount_table_offset;
        /* Small scattered writes, then big ones: 5000+ clusters. */
        for (int i = 0; i < 200; i++) {
            write_pattern(blk, i * 1024LL, 512, i + 1);
        }
        for (int i = 0; i < 40; i++) {
            write_pattern(blk, 4 * MiB + i * 64 * KiB, 64 * KiB, i + 1);
        }
        if (order == 6) {
            /* 64 entries per block, 64 blocks per table cluster. */
            g_assert_cmphex(s->refcount_table_offset, !=, reftable_before);
        }
        for (int i = 0; i < 200; i += 17) {
            assert_pattern(blk, i * 1024LL, 512, i + 1);
        }
        for (int i = 0; i < 40; i += 3) {
            assert_pattern(blk, 4 * MiB + i * 64 * KiB, 64 * KiB, i + 1);
        }
        assert_clean(blk);
        close_img(blk);
        assert_peer_clean(img);
    }
}

static int snapshot_create(BlockDriverState *bs, const char *name)
{
    QEMUSnapshotInfo sn = { .icount = -1ULL, .date_sec = 1 };
    int ret;

    pstrcpy(sn.name, sizeof(sn.name), name);
    bdrv_graph_rdlock_main_loop();
    ret = qcow2_snapshot_create(bs, &sn);
    bdrv_graph_rdunlock_main_loop();
    return ret;
}

static int snapshot_delete(BlockDriverState *bs, const char *name)
{
    int ret;

    bdrv_graph_rdlock_main_loop();
    ret = qcow2_snapshot_delete(bs, NULL, name, NULL);
    bdrv_graph_rdunlock_main_loop();
    return ret;
}

static void test_snapshots(void)
{
    g_autofree char *img = path_of("snap.qcow2");
    QEMUSnapshotInfo *list = NULL;
    BlockBackend *blk;
    BlockDriverState *bs;

    create_img(img, "4M", "");
    blk = open_img(img);
    bs = blk_bs(blk);
    write_pattern(blk, 0, 1 * MiB, 0x11);
    g_assert_cmpint(snapshot_create(bs, "one"), ==, 0);
    write_pattern(blk, 512 * KiB, 1 * MiB, 0x22);
    g_assert_cmpint(snapshot_create(bs, "two"), ==, 0);
    write_pattern(blk, 0, 64 * KiB, 0x33);
    assert_clean(blk);

    g_assert_cmpint(qcow2_snapshot_list(bs, &list), ==, 2);
    g_assert_cmpstr(list[0].name, ==, "one");
    g_assert_cmpstr(list[0].id_str, ==, "1");
    g_assert_cmpstr(list[1].id_str, ==, "2");
    g_free(list);

    g_assert_cmpint(qcow2_snapshot_goto(bs, "one"), ==, 0);
    assert_pattern(blk, 0, 1 * MiB, 0x11);
    assert_pattern(blk, 1 * MiB, 512 * KiB, 0);
    write_pattern(blk, 0, 2 * MiB, 0x44);
    g_assert_cmpint(qcow2_snapshot_goto(bs, "2"), ==, 0);
    assert_pattern(blk, 0, 512 * KiB, 0x11);
    assert_pattern(blk, 512 * KiB, 1 * MiB, 0x22);
    assert_clean(blk);

    g_assert_cmpint(snapshot_delete(bs, "one"), ==, 0);
    g_assert_cmpint(snapshot_delete(bs, "one"), ==, -ENOENT);
    g_assert_cmpint(qcow2_snapshot_goto(bs, "one"), ==, -ENOENT);
    assert_clean(blk);
    g_assert_cmpint(snapshot_delete(bs, "two"), ==, 0);
    assert_pattern(blk, 512 * KiB, 1 * MiB, 0x22);
    assert_clean(blk);
    close_img(blk);
    assert_peer_clean(img);
}

static void test_refcount_order(void)
{
    g_autofree char *img = path_of("order.qcow2");
    BlockBackend *blk;
    BlockDriverState *bs;
    Error *err = NULL;
    static const int orders[] = { 6, 1, 3, 5, 4 };

    create_img(img, "8M", "cluster_size=4096");
    blk = open_img(img);
    bs = blk_bs(blk);
    for (int i = 0; i < 300; i++) {
        write_pattern(blk, i * 8192LL, 4096, i + 1);
    }
    g_assert_cmpint(snapshot_create(bs, "s"), ==, 0);
    for (int i = 0; i < ARRAY_SIZE(orders); i++) {
        bdrv_graph_rdlock_main_loop();
        g_assert_cmpint(qcow2_change_refcount_order(bs, orders[i], NULL,
                                                    NULL, &error_abort),
                        ==, 0);
        bdrv_graph_rdunlock_main_loop();
        g_assert_cmpint(((BDRVQcow2State *)bs->opaque)->refcount_bits, ==,
                        1 << orders[i]);
        assert_clean(blk);
    }
    /* The snapshot shares every cluster: one bit is not enough. */
    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(qcow2_change_refcount_order(bs, 0, NULL, NULL, &err),
                    <, 0);
    bdrv_graph_rdunlock_main_loop();
    g_assert_nonnull(strstr(error_get_pretty(err),
                            "Cannot decrease refcount entry width to 1"));
    error_free(err);
    for (int i = 0; i < 300; i += 37) {
        assert_pattern(blk, i * 8192LL, 4096, i + 1);
    }
    write_pattern(blk, 4 * MiB, 64 * KiB, 0x77);
    assert_clean(blk);
    close_img(blk);
    assert_peer_clean(img);
}

/* Overwrite @size bytes at @off of the file @path. */
static void poke(const char *path, off_t off, const void *buf, size_t size)
{
    int fd = open(path, O_WRONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(pwrite(fd, buf, size, off), ==, size);
    close(fd);
}

static void test_check_repair(void)
{
    g_autofree char *img = path_of("repair.qcow2");
    const uint8_t two[2] = { 0, 2 }, zero[2] = { 0, 0 };
    BdrvCheckResult r;
    BlockBackend *blk;

    /* Default layout: refcount block in cluster 2, data from cluster 5. */
    create_img(img, "1M", "");
    blk = open_img(img);
    write_pattern(blk, 0, 256 * KiB, 0x5a);
    close_img(blk);

    poke(img, 0x20000 + 10, two, 2);
    blk = open_img(img);
    r = check_img(blk, 0);
    g_assert_cmpint(r.leaks, ==, 1);
    g_assert_cmpint(r.corruptions, ==, 1);     /* the COPIED flag */
    r = check_img(blk, BDRV_FIX_LEAKS);
    g_assert_cmpint(r.leaks_fixed, ==, 1);
    assert_clean(blk);
    close_img(blk);

    poke(img, 0x20000 + 14, zero, 2);
    blk = open_img(img);
    r = check_img(blk, 0);
    g_assert_cmpint(r.corruptions, ==, 2);     /* refcount and COPIED */
    r = check_img(blk, BDRV_FIX_LEAKS | BDRV_FIX_ERRORS);
    g_assert_cmpint(r.corruptions, ==, 0);
    g_assert_cmpint(r.corruptions_fixed, ==, 1);
    assert_clean(blk);
    assert_pattern(blk, 0, 256 * KiB, 0x5a);
    write_pattern(blk, 512 * KiB, 128 * KiB, 0x6b);
    assert_clean(blk);
    close_img(blk);
    assert_peer_clean(img);
}

int main(int argc, char **argv)
{
    g_autofree char *rm_cmd = NULL;
    int ret;

    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("test-qcow2-alloc-XXXXXX", NULL);
    g_assert(test_dir);

    g_test_add_func("/qcow2-alloc/widths", test_alloc_widths);
    g_test_add_func("/qcow2-alloc/snapshots", test_snapshots);
    g_test_add_func("/qcow2-alloc/refcount-order", test_refcount_order);
    g_test_add_func("/qcow2-alloc/check-repair", test_check_repair);

    ret = g_test_run();
    rm_cmd = g_strdup_printf("rm -rf %s", test_dir);
    g_spawn_command_line_sync(rm_cmd, NULL, NULL, NULL, NULL);
    g_free(test_dir);
    return ret;
}
