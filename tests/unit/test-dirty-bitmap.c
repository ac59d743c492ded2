/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-dirty-bitmap.c: block/dirty-bitmap.c and dirty-bitmap-cmds.c
 * through a BlockBackend on a file node: writes, zero writes and
 * discards mark the enabled bitmaps, truncate resizes them, and the
 * state checks, merge, serialization and management operations behave
 * (and word their errors) as QEMU's.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/main-loop.h"
#include "qemu/units.h"
#include "block/block_int.h"
#include "block/dirty-bitmap.h"
#include "sysemu/block-backend.h"

#define IMG_SIZE (4 * MiB)

static char *test_dir;

typedef struct Fixture {
    char *path;
    BlockBackend *blk;
    BlockDriverState *bs;
} Fixture;

static void fixture_open(Fixture *f, gconstpointer data)
{
    QDict *opts = qdict_new();
    int fd;

    f->path = g_build_filename(test_dir, "img", NULL);
    fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, IMG_SIZE), ==, 0);
    close(fd);
    qdict_put_str(opts, "driver", "file");
    f->blk = blk_new_open(f->path, NULL, opts,
                          BDRV_O_RDWR | BDRV_O_UNMAP | BDRV_O_RESIZE,
                          &error_abort);
    f->bs = blk_bs(f->blk);
}

static void fixture_close(Fixture *f, gconstpointer data)
{
    blk_unref(f->blk);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let deferred deletions run */
    }
    unlink(f->path);
    g_free(f->path);
}

static void write_at(Fixture *f, int64_t off, int64_t len)
{
    g_autofree uint8_t *buf = g_malloc0(len);

    g_assert_cmpint(blk_pwrite(f->blk, off, len, buf, 0), ==, 0);
}

/* Expect @err to be set with text @msg; frees it. */
static void assert_error(Error *err, const char *msg)
{
    g_assert(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_create(Fixture *f, gconstpointer data)
{
    g_autofree char *longname = g_strnfill(BDRV_BITMAP_MAX_NAME_SIZE + 1,
                                           'x');
    BdrvDirtyBitmap *a, *b, *anon, *bm;
    Error *err = NULL;
    int n = 0;

    g_assert_false(bdrv_has_named_bitmaps(f->bs));
    anon = bdrv_create_dirty_bitmap(f->bs, 512, NULL, &error_abort);
    g_assert_false(bdrv_has_named_bitmaps(f->bs));
    a = bdrv_create_dirty_bitmap(f->bs, 65536, "a", &error_abort);
    b = bdrv_create_dirty_bitmap(f->bs, 4096, "b", &error_abort);
    g_assert_true(bdrv_has_named_bitmaps(f->bs));
    g_assert(bdrv_find_dirty_bitmap(f->bs, "a") == a);
    g_assert(bdrv_find_dirty_bitmap(f->bs, "b") == b);
    g_assert_null(bdrv_find_dirty_bitmap(f->bs, "c"));
    g_assert_cmpstr(bdrv_dirty_bitmap_name(a), ==, "a");
    g_assert_cmpuint(bdrv_dirty_bitmap_granularity(b), ==, 4096);
    g_assert_cmpint(bdrv_dirty_bitmap_size(a), ==, IMG_SIZE);
    g_assert_true(bdrv_dirty_bitmap_enabled(a));
    g_assert(bdrv_dirty_bitmap_bs(a) == f->bs);

    g_assert_null(bdrv_create_dirty_bitmap(f->bs, 512, "a", &err));
    assert_error(err, "Bitmap already exists: a");
    err = NULL;
    g_assert_null(bdrv_create_dirty_bitmap(f->bs, 512, longname, &err));
    g_assert(err);
    error_free(err);

    /* Iteration goes newest first. */
    FOR_EACH_DIRTY_BITMAP(f->bs, bm) {
        g_assert(bm == (n == 0 ? b : n == 1 ? a : anon));
        n++;
    }
    g_assert_cmpint(n, ==, 3);

    bdrv_release_named_dirty_bitmaps(f->bs);
    g_assert(bdrv_dirty_bitmap_first(f->bs) == anon);
    g_assert_null(bdrv_dirty_bitmap_next(anon));
    bdrv_release_dirty_bitmap(anon);
    g_assert_null(bdrv_dirty_bitmap_first(f->bs));
}

/* Every kind of modification marks the enabled bitmaps only. */
static void test_tracking(Fixture *f, gconstpointer data)
{
    BdrvDirtyBitmap *on = bdrv_create_dirty_bitmap(f->bs, 65536, "on",
                                                   &error_abort);
    BdrvDirtyBitmap *fine = bdrv_create_dirty_bitmap(f->bs, 512, "fine",
                                                     &error_abort);
    BdrvDirtyBitmap *off = bdrv_create_dirty_bitmap(f->bs, 65536, "off",
                                                    &error_abort);
    g_autofree uint8_t *buf = g_malloc(512);

    bdrv_disable_dirty_bitmap(off);
    g_assert_false(bdrv_dirty_bitmap_enabled(off));

    write_at(f, 70000, 1);
    g_assert_cmpint(bdrv_get_dirty_count(on), ==, 65536);
    g_assert_true(bdrv_dirty_bitmap_get(on, 65536));
    g_assert_false(bdrv_dirty_bitmap_get(on, 0));
    g_assert_cmpint(bdrv_get_dirty_count(fine), ==, 512);
    g_assert_true(bdrv_dirty_bitmap_get(fine, 69632));
    g_assert_cmpint(bdrv_get_dirty_count(off), ==, 0);

    /* Reads change nothing. */
    g_assert_cmpint(blk_pread(f->blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(bdrv_get_dirty_count(fine), ==, 512);

    g_assert_cmpint(blk_pwrite_zeroes(f->blk, 1 * MiB, 4096, 0), ==, 0);
    g_assert_cmpint(bdrv_dirty_bitmap_next_dirty(fine, 100000, INT64_MAX),
                    ==, 1 * MiB);
    g_assert_cmpint(bdrv_dirty_bitmap_next_zero(fine, 1 * MiB, INT64_MAX),
                    ==, 1 * MiB + 4096);
    g_assert_cmpint(blk_pdiscard(f->blk, 2 * MiB, 65536), ==, 0);
    g_assert_true(bdrv_dirty_bitmap_get(on, 2 * MiB));
    g_assert_cmpint(bdrv_get_dirty_count(on), ==, 3 * 65536);
    g_assert_cmpint(bdrv_get_dirty_count(off), ==, 0);

    bdrv_enable_dirty_bitmap(off);
    write_at(f, 0, 512);
    g_assert_cmpint(bdrv_get_dirty_count(off), ==, 65536);

    bdrv_reset_dirty_bitmap(on, 0, 65536);
    g_assert_false(bdrv_dirty_bitmap_get(on, 0));
    bdrv_set_dirty_bitmap(on, IMG_SIZE - 1, 1);
    g_assert_true(bdrv_dirty_bitmap_get(on, IMG_SIZE - 65536));
}

/* Truncate resizes every bitmap; writes past the old end are tracked. */
static void test_truncate(Fixture *f, gconstpointer data)
{
    BdrvDirtyBitmap *bm = bdrv_create_dirty_bitmap(f->bs, 4096, "t",
                                                   &error_abort);

    write_at(f, IMG_SIZE - 4096, 4096);
    g_assert_cmpint(blk_truncate(f->blk, IMG_SIZE * 2, false,
                                 PREALLOC_MODE_OFF, 0, &error_abort), ==, 0);
    g_assert_cmpint(bdrv_dirty_bitmap_size(bm), ==, IMG_SIZE * 2);
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 4096);
    write_at(f, IMG_SIZE * 2 - 4096, 4096);
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 8192);
    g_assert_cmpint(blk_truncate(f->blk, IMG_SIZE / 2, false,
                                 PREALLOC_MODE_OFF, 0, &error_abort), ==, 0);
    g_assert_cmpint(bdrv_dirty_bitmap_size(bm), ==, IMG_SIZE / 2);
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 0);
}

static void test_check_flags(Fixture *f, gconstpointer data)
{
    BdrvDirtyBitmap *bm = bdrv_create_dirty_bitmap(f->bs, 4096, "c",
                                                   &error_abort);
    Error *err = NULL;

    g_assert_cmpint(bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_DEFAULT,
                                            &error_abort), ==, 0);
    bdrv_dirty_bitmap_set_busy(bm, true);
    g_assert_true(bdrv_dirty_bitmap_busy(bm));
    g_assert_cmpint(bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_DEFAULT, &err),
                    ==, -1);
    assert_error(err, "Bitmap 'c' is currently in use by another operation "
                 "and cannot be used");
    bdrv_dirty_bitmap_set_busy(bm, false);

    bdrv_dirty_bitmap_set_readonly(bm, true);
    g_assert_true(bdrv_has_readonly_bitmaps(f->bs));
    err = NULL;
    g_assert_cmpint(bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_DEFAULT, &err),
                    ==, -1);
    assert_error(err, "Bitmap 'c' is readonly and cannot be modified");
    g_assert_cmpint(bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_ALLOW_RO,
                                            &error_abort), ==, 0);
    bdrv_dirty_bitmap_set_readonly(bm, false);

    bdrv_dirty_bitmap_set_persistence(bm, true);
    g_assert_true(bdrv_dirty_bitmap_get_persistence(bm));
    bdrv_dirty_bitmap_set_inconsistent(bm);
    g_assert_true(bdrv_dirty_bitmap_inconsistent(bm));
    /* An inconsistent bitmap never tracks writes. */
    g_assert_false(bdrv_dirty_bitmap_enabled(bm));
    write_at(f, 0, 4096);
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 0);
    err = NULL;
    g_assert_cmpint(bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_ALLOW_RO, &err),
                    ==, -1);
    assert_error(err, "Bitmap 'c' is inconsistent and cannot be used");
}

static void test_merge(Fixture *f, gconstpointer data)
{
    BdrvDirtyBitmap *dst = bdrv_create_dirty_bitmap(f->bs, 65536, "dst",
                                                    &error_abort);
    BdrvDirtyBitmap *src = bdrv_create_dirty_bitmap(f->bs, 512, "src",
                                                    &error_abort);
    HBitmap *backup = NULL;
    Error *err = NULL;

    bdrv_disable_dirty_bitmap(dst);
    write_at(f, 100000, 1000);
    g_assert_true(bdrv_merge_dirty_bitmap(dst, src, &backup, &error_abort));
    g_assert_cmpint(bdrv_get_dirty_count(dst), ==, 65536);
    g_assert_true(bdrv_dirty_bitmap_get(dst, 65536));
    g_assert_true(hbitmap_is_empty(backup));
    bdrv_restore_dirty_bitmap(dst, backup);
    g_assert_cmpint(bdrv_get_dirty_count(dst), ==, 0);

    /* Different lengths do not merge. */
    g_assert_cmpint(blk_truncate(f->blk, IMG_SIZE + 512, false,
                                 PREALLOC_MODE_OFF, 0, &error_abort), ==, 0);
    {
        BdrvDirtyBitmap *big = bdrv_create_dirty_bitmap(f->bs, 512, "big",
                                                        &error_abort);

        bdrv_dirty_bitmap_truncate(f->bs, IMG_SIZE);
        bdrv_release_dirty_bitmap(big);
        big = bdrv_create_dirty_bitmap(f->bs, 512, "big", &error_abort);
        g_assert_false(bdrv_merge_dirty_bitmap(dst, big, NULL, &err));
        assert_error(err, "Bitmaps are of different sizes (destination size "
                     "is 4194304, source size is 4194816) and can't be "
                     "merged");
    }
}

/* The serialized form is the qcow2 one and loads back the same. */
static void test_serialize(Fixture *f, gconstpointer data)
{
    BdrvDirtyBitmap *bm = bdrv_create_dirty_bitmap(f->bs, 65536, "s",
                                                   &error_abort);
    BdrvDirtyBitmap *copy = bdrv_create_dirty_bitmap(f->bs, 65536, "s2",
                                                     &error_abort);
    uint64_t len = bdrv_dirty_bitmap_serialization_size(bm, 0, IMG_SIZE);
    g_autofree uint8_t *buf = g_malloc0(len);
    BdrvDirtyBitmapIter *it;

    bdrv_disable_dirty_bitmap(copy);
    g_assert_cmpuint(bdrv_dirty_bitmap_serialization_align(bm), ==,
                     64 * 65536);
    write_at(f, 3 * 65536, 10);
    write_at(f, 9 * 65536, 10);
    bdrv_dirty_bitmap_serialize_part(bm, buf, 0, IMG_SIZE);
    g_assert_cmpuint(buf[0], ==, 1 << 3);
    g_assert_cmpuint(buf[1], ==, 1 << 1);
    bdrv_dirty_bitmap_deserialize_part(copy, buf, 0, IMG_SIZE, true);
    g_assert_cmpint(bdrv_get_dirty_count(copy), ==, 2 * 65536);

    it = bdrv_dirty_iter_new(copy);
    g_assert_cmpint(bdrv_dirty_iter_next(it), ==, 3 * 65536);
    g_assert_cmpint(bdrv_dirty_iter_next(it), ==, 9 * 65536);
    g_assert_cmpint(bdrv_dirty_iter_next(it), ==, -1);
    bdrv_set_dirty_iter(it, 4 * 65536);
    g_assert_cmpint(bdrv_dirty_iter_next(it), ==, 9 * 65536);
    bdrv_dirty_iter_free(it);

    bdrv_dirty_bitmap_deserialize_ones(copy, 0, IMG_SIZE, true);
    g_assert_cmpint(bdrv_get_dirty_count(copy), ==, IMG_SIZE);
    bdrv_dirty_bitmap_deserialize_zeroes(copy, 0, IMG_SIZE, false);
    bdrv_dirty_bitmap_deserialize_finish(copy);
    g_assert_cmpint(bdrv_get_dirty_count(copy), ==, 0);
}

static void test_clear(Fixture *f, gconstpointer data)
{
    BdrvDirtyBitmap *bm = bdrv_create_dirty_bitmap(f->bs, 4096, "x",
                                                   &error_abort);
    HBitmap *old = NULL;
    int64_t start, count;

    write_at(f, 8192, 8192);
    bdrv_clear_dirty_bitmap(bm, &old);
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 0);
    g_assert_cmpuint(hbitmap_count(old), ==, 8192);
    hbitmap_free(old);
    write_at(f, 40960, 4096);
    g_assert_true(bdrv_dirty_bitmap_next_dirty_area(bm, 0, IMG_SIZE,
                                                    INT64_MAX, &start,
                                                    &count));
    g_assert_cmpint(start, ==, 40960);
    g_assert_cmpint(count, ==, 4096);
    bdrv_clear_dirty_bitmap(bm, NULL);
    g_assert_false(bdrv_dirty_bitmap_next_dirty_area(bm, 0, IMG_SIZE,
                                                     INT64_MAX, &start,
                                                     &count));
}

/* The management operations behind qemu-img bitmap. */
static void test_commands(Fixture *f, gconstpointer data)
{
    BdrvDirtyBitmap *bm;
    Error *err = NULL;
    g_autofree char *msg = NULL;

    g_assert_false(block_dirty_bitmap_add(f->bs, "", 0, false, false, &err));
    assert_error(err, "Bitmap name cannot be empty");
    err = NULL;
    g_assert_false(block_dirty_bitmap_add(f->bs, "g", 1000, false, false,
                                          &err));
    assert_error(err, "Granularity must be power of 2 and at least 512");
    err = NULL;
    g_assert_false(block_dirty_bitmap_add(f->bs, "p", 0, true, false, &err));
    msg = g_strdup_printf("Can't store persistent bitmaps to %s: Operation "
                          "not supported", bdrv_get_node_name(f->bs));
    assert_error(err, msg);

    g_assert_true(block_dirty_bitmap_add(f->bs, "a", 0, false, true,
                                         &error_abort));
    bm = bdrv_find_dirty_bitmap(f->bs, "a");
    g_assert(bm);
    g_assert_false(bdrv_dirty_bitmap_enabled(bm));
    /* A file node has no cluster size: the default is 64 KiB. */
    g_assert_cmpuint(bdrv_dirty_bitmap_granularity(bm), ==, 65536);
    g_assert_true(block_dirty_bitmap_enable(f->bs, "a", &error_abort));
    write_at(f, 0, 1);
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 65536);
    g_assert_true(block_dirty_bitmap_disable(f->bs, "a", &error_abort));
    g_assert_false(bdrv_dirty_bitmap_enabled(bm));

    g_assert_true(block_dirty_bitmap_add(f->bs, "b", 512, false, false,
                                         &error_abort));
    write_at(f, 1 * MiB, 1);
    g_assert_true(block_dirty_bitmap_merge(f->bs, "a", f->bs, "b",
                                           &error_abort));
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 2 * 65536);
    g_assert_true(block_dirty_bitmap_clear(f->bs, "a", &error_abort));
    g_assert_cmpint(bdrv_get_dirty_count(bm), ==, 0);

    err = NULL;
    g_assert_false(block_dirty_bitmap_merge(f->bs, "a", f->bs, "zz", &err));
    assert_error(err, "Dirty bitmap 'zz' not found");
    err = NULL;
    g_assert_false(block_dirty_bitmap_clear(f->bs, "zz", &err));
    assert_error(err, "Dirty bitmap 'zz' not found");
    err = NULL;
    g_assert_false(block_dirty_bitmap_add(f->bs, "a", 0, false, false,
                                          &err));
    assert_error(err, "Bitmap already exists: a");

    bdrv_dirty_bitmap_set_busy(bm, true);
    err = NULL;
    g_assert_false(block_dirty_bitmap_remove(f->bs, "a", &err));
    assert_error(err, "Bitmap 'a' is currently in use by another operation "
                 "and cannot be used");
    bdrv_dirty_bitmap_set_busy(bm, false);
    g_assert_true(block_dirty_bitmap_remove(f->bs, "a", &error_abort));
    g_assert_null(bdrv_find_dirty_bitmap(f->bs, "a"));
}

int main(int argc, char **argv)
{
    int ret;

    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("test-dirty-bitmap-XXXXXX", NULL);
    g_assert(test_dir);

#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fixture_open, fn, fixture_close)
    ADD("/dirty-bitmap/create", test_create);
    ADD("/dirty-bitmap/tracking", test_tracking);
    ADD("/dirty-bitmap/truncate", test_truncate);
    ADD("/dirty-bitmap/check-flags", test_check_flags);
    ADD("/dirty-bitmap/merge", test_merge);
    ADD("/dirty-bitmap/serialize", test_serialize);
    ADD("/dirty-bitmap/clear", test_clear);
    ADD("/dirty-bitmap/commands", test_commands);
#undef ADD

    ret = g_test_run();
    rmdir(test_dir);
    g_free(test_dir);
    return ret;
}
