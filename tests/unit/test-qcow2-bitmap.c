/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qcow2-bitmap.c: qcow2 persistent dirty bitmaps through the block
 * layer: persistent bitmaps survive close and open with their name,
 * granularity, enabled state and contents; transient ones do not; they
 * are marked in use on disk while the image is open read-write, loaded
 * read-only from a read-only image and made writable by a reopen;
 * bitmaps found in use load as inconsistent; removal and v2 refusal.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "block/block_int.h"
#include "block/dirty-bitmap.h"
#include "sysemu/block-backend.h"
#include "../../block/qcow2.h"

#define IMG_SIZE (16 * MiB)

static char *test_dir;

static char *create_img(const char *name, const char *compat)
{
    char *path = g_build_filename(test_dir, name, NULL);
    BlockDriver *drv = bdrv_find_format("qcow2");
    QemuOpts *opts = qemu_opts_create(drv->create_opts, NULL, 0,
                                      &error_abort);

    unlink(path);
    qemu_opt_set_number(opts, BLOCK_OPT_SIZE, IMG_SIZE, &error_abort);
    qemu_opt_set(opts, BLOCK_OPT_COMPAT_LEVEL, compat, &error_abort);
    g_assert_cmpint(bdrv_create(drv, path, opts, &error_abort), ==, 0);
    qemu_opts_del(opts);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let the deferred close run */
    }
    return path;
}

static BlockBackend *open_img(const char *path, int flags)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", "qcow2");
    return blk_new_open(path, NULL, opts, flags, &error_abort);
}

static void close_img(BlockBackend *blk)
{
    blk_unref(blk);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let the deferred deletion (and the store) run */
    }
}

static void write_at(BlockBackend *blk, int64_t off, int64_t len)
{
    g_autofree uint8_t *buf = g_malloc0(len);

    g_assert_cmpint(blk_pwrite(blk, off, len, buf, 0), ==, 0);
}

/* The on-disk flags of bitmap @name as qemu-img info lists them. */
static bool disk_flag(BlockDriverState *bs, const char *name,
                      Qcow2BitmapInfoFlags flag)
{
    Qcow2BitmapInfoList *list, *l;
    bool found = false;

    bdrv_graph_rdlock_main_loop();
    list = qcow2_get_bitmap_info_list(bs, &error_abort);
    bdrv_graph_rdunlock_main_loop();
    for (l = list; l; l = l->next) {
        if (!strcmp(l->value->name, name)) {
            for (Qcow2BitmapInfoFlagsList *f = l->value->flags; f;
                 f = f->next) {
                found |= f->value == flag;
            }
        }
    }
    while (list) {
        Qcow2BitmapInfoList *next = list->next;
        Qcow2BitmapInfoFlagsList *f = list->value->flags;

        while (f) {
            Qcow2BitmapInfoFlagsList *fn = f->next;

            g_free(f);
            f = fn;
        }
        g_free(list->value->name);
        g_free(list->value);
        g_free(list);
        list = next;
    }
    return found;
}

static void test_roundtrip(void)
{
    g_autofree char *path = create_img("rt.qcow2", "1.1");
    BlockBackend *blk = open_img(path, BDRV_O_RDWR);
    BlockDriverState *bs = blk_bs(blk);
    BdrvDirtyBitmap *p, *d;

    g_assert_true(bdrv_supports_persistent_dirty_bitmap(bs));
    g_assert_true(block_dirty_bitmap_add(bs, "p", 0, true, false,
                                         &error_abort));
    g_assert_true(block_dirty_bitmap_add(bs, "d", 4096, true, true,
                                         &error_abort));
    g_assert_true(block_dirty_bitmap_add(bs, "t", 512, false, false,
                                         &error_abort));
    write_at(blk, 1 * MiB, 100);
    write_at(blk, IMG_SIZE - 512, 512);
    bdrv_set_dirty_bitmap(bdrv_find_dirty_bitmap(bs, "d"), 5 * MiB, 8192);
    close_img(blk);

    blk = open_img(path, BDRV_O_RDWR);
    bs = blk_bs(blk);
    p = bdrv_find_dirty_bitmap(bs, "p");
    d = bdrv_find_dirty_bitmap(bs, "d");
    g_assert(p && d);
    g_assert_null(bdrv_find_dirty_bitmap(bs, "t"));
    g_assert_true(bdrv_dirty_bitmap_get_persistence(p));
    g_assert_true(bdrv_dirty_bitmap_enabled(p));
    g_assert_false(bdrv_dirty_bitmap_enabled(d));
    g_assert_false(bdrv_dirty_bitmap_inconsistent(p));
    g_assert_cmpuint(bdrv_dirty_bitmap_granularity(p), ==, 65536);
    g_assert_cmpuint(bdrv_dirty_bitmap_granularity(d), ==, 4096);
    g_assert_cmpint(bdrv_get_dirty_count(p), ==, 2 * 65536);
    g_assert_true(bdrv_dirty_bitmap_get(p, 1 * MiB));
    g_assert_true(bdrv_dirty_bitmap_get(p, IMG_SIZE - 1));
    g_assert_cmpint(bdrv_get_dirty_count(d), ==, 8192);
    g_assert_true(bdrv_dirty_bitmap_get(d, 5 * MiB + 4096));
    /* Open read-write: in use on disk until stored. */
    g_assert_true(disk_flag(bs, "p", QCOW2_BITMAP_INFO_FLAGS_IN_USE));
    g_assert_true(disk_flag(bs, "p", QCOW2_BITMAP_INFO_FLAGS_AUTO));
    g_assert_false(disk_flag(bs, "d", QCOW2_BITMAP_INFO_FLAGS_AUTO));
    close_img(blk);

    blk = open_img(path, 0);
    bs = blk_bs(blk);
    g_assert_false(disk_flag(bs, "p", QCOW2_BITMAP_INFO_FLAGS_IN_USE));
    g_assert_true(bdrv_dirty_bitmap_readonly(bdrv_find_dirty_bitmap(bs,
                                                                     "p")));
    close_img(blk);
}

/* Read-only, then read-write by reopen: writes are tracked and stored. */
static void test_reopen(void)
{
    g_autofree char *path = create_img("reopen.qcow2", "1.1");
    BlockBackend *blk = open_img(path, BDRV_O_RDWR);
    BdrvDirtyBitmap *bm;

    g_assert_true(block_dirty_bitmap_add(blk_bs(blk), "r", 0, true, false,
                                         &error_abort));
    close_img(blk);

    blk = open_img(path, 0);
    bm = bdrv_find_dirty_bitmap(blk_bs(blk), "r");
    g_assert_true(bdrv_dirty_bitmap_readonly(bm));
    g_assert_cmpint(bdrv_reopen_set_read_only(blk_bs(blk), false,
                                              &error_abort), ==, 0);
    g_assert_false(bdrv_dirty_bitmap_readonly(bm));
    g_assert_true(disk_flag(blk_bs(blk), "r",
                            QCOW2_BITMAP_INFO_FLAGS_IN_USE));
    blk_set_perm(blk, BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE,
                 BLK_PERM_ALL, &error_abort);
    write_at(blk, 2 * MiB, 1);
    g_assert_true(bdrv_dirty_bitmap_get(bm, 2 * MiB));

    /* Back to read-only: stored, no longer in use, read-only. */
    blk_set_perm(blk, BLK_PERM_CONSISTENT_READ, BLK_PERM_ALL, &error_abort);
    g_assert_cmpint(bdrv_reopen_set_read_only(blk_bs(blk), true,
                                              &error_abort), ==, 0);
    g_assert_true(bdrv_dirty_bitmap_readonly(bm));
    g_assert_false(disk_flag(blk_bs(blk), "r",
                             QCOW2_BITMAP_INFO_FLAGS_IN_USE));
    close_img(blk);

    blk = open_img(path, 0);
    bm = bdrv_find_dirty_bitmap(blk_bs(blk), "r");
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 65536);
    close_img(blk);
}

/* A copy taken while the image was open has the bitmap in use. */
static void test_inconsistent(void)
{
    g_autofree char *path = create_img("incons.qcow2", "1.1");
    g_autofree char *copy = g_build_filename(test_dir, "copy.qcow2", NULL);
    g_autofree char *data = NULL;
    BlockBackend *blk = open_img(path, BDRV_O_RDWR);
    BdrvDirtyBitmap *bm;
    gsize len;
    Error *err = NULL;

    g_assert_true(block_dirty_bitmap_add(blk_bs(blk), "x", 0, true, false,
                                         &error_abort));
    close_img(blk);
    blk = open_img(path, BDRV_O_RDWR);
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_true(g_file_set_contents(copy, data, len, NULL));
    close_img(blk);

    blk = open_img(copy, BDRV_O_RDWR);
    bm = bdrv_find_dirty_bitmap(blk_bs(blk), "x");
    g_assert_true(bdrv_dirty_bitmap_inconsistent(bm));
    g_assert_false(bdrv_dirty_bitmap_enabled(bm));
    g_assert_false(block_dirty_bitmap_clear(blk_bs(blk), "x", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Bitmap 'x' is inconsistent and cannot be used");
    error_free(err);
    close_img(blk);

    /* Still in use on disk after a close; removal drops it. */
    blk = open_img(copy, BDRV_O_RDWR);
    g_assert_true(disk_flag(blk_bs(blk), "x",
                            QCOW2_BITMAP_INFO_FLAGS_IN_USE));
    g_assert_true(block_dirty_bitmap_remove(blk_bs(blk), "x", &error_abort));
    g_assert_cmpuint(((BDRVQcow2State *)blk_bs(blk)->opaque)->nb_bitmaps,
                     ==, 0);
    close_img(blk);
    blk = open_img(copy, 0);
    g_assert_false(bdrv_has_named_bitmaps(blk_bs(blk)));
    close_img(blk);
}

static void test_v2_refused(void)
{
    g_autofree char *path = create_img("v2.qcow2", "0.10");
    BlockBackend *blk = open_img(path, BDRV_O_RDWR);
    Error *err = NULL;

    g_assert_false(bdrv_supports_persistent_dirty_bitmap(blk_bs(blk)));
    g_assert_false(block_dirty_bitmap_add(blk_bs(blk), "v", 0, true, false,
                                          &err));
    g_assert(strstr(error_get_pretty(err),
                    "Cannot store dirty bitmaps in qcow2 v2 files"));
    error_free(err);
    /* A transient bitmap is fine. */
    g_assert_true(block_dirty_bitmap_add(blk_bs(blk), "v", 0, false, false,
                                         &error_abort));
    close_img(blk);
}

/* Granularity limits of the format. */
static void test_constraints(void)
{
    g_autofree char *path = create_img("limits.qcow2", "1.1");
    BlockBackend *blk = open_img(path, BDRV_O_RDWR);
    g_autofree char *longname = g_strnfill(1024, 'n');
    Error *err = NULL;

    /* 2 GiB granules are the largest qcow2 takes. */
    g_assert_true(block_dirty_bitmap_add(blk_bs(blk), "big", 1U << 31,
                                         true, false, &error_abort));
    write_at(blk, 0, 1);
    g_assert_false(block_dirty_bitmap_add(blk_bs(blk), longname, 0, true,
                                          false, &err));
    g_assert(strstr(error_get_pretty(err),
                    "Name length exceeds maximum (1023 characters)"));
    error_free(err);
    close_img(blk);
    blk = open_img(path, 0);
    g_assert_cmpint(bdrv_get_dirty_count(
                        bdrv_find_dirty_bitmap(blk_bs(blk), "big")),
                    ==, 1LL << 31);
    close_img(blk);
}

int main(int argc, char **argv)
{
    int ret;

    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("test-qcow2-bitmap-XXXXXX", NULL);
    g_assert(test_dir);

    g_test_add_func("/qcow2-bitmap/roundtrip", test_roundtrip);
    g_test_add_func("/qcow2-bitmap/reopen", test_reopen);
    g_test_add_func("/qcow2-bitmap/inconsistent", test_inconsistent);
    g_test_add_func("/qcow2-bitmap/v2-refused", test_v2_refused);
    g_test_add_func("/qcow2-bitmap/constraints", test_constraints);

    ret = g_test_run();
    {
        g_autoptr(GDir) dir = g_dir_open(test_dir, 0, NULL);
        const char *n;

        while (dir && (n = g_dir_read_name(dir))) {
            g_autofree char *p = g_build_filename(test_dir, n, NULL);

            unlink(p);
        }
    }
    rmdir(test_dir);
    g_free(test_dir);
    return ret;
}
