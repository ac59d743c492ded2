/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-qcow2.c: the qcow2 driver (core half) through the block layer,
 * with QEMU 7.2's tools as the reference peer: images created by
 * /usr/bin/qemu-img and written by /usr/bin/qemu-io read back the same
 * here; images created here are byte-identical to qemu-img's for the
 * same options; data written here passes qemu-img check and reads back
 * the same through qemu-io.  Corrupt headers and tables give errors,
 * never crashes.  The interop cases are skipped if the tools are
 * missing.
 */

#include "qemu/osdep.h"
#include <sys/wait.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"

#define QEMU_IO "/usr/bin/qemu-io"
#define QEMU_IMG "/usr/bin/qemu-img"

static char *test_dir;

static bool have_tools(void)
{
    if (access(QEMU_IMG, X_OK) || access(QEMU_IO, X_OK)) {
        g_test_skip("QEMU 7.2 tools not installed");
        return false;
    }
    return true;
}

/* Run a command line with /bin/sh; returns its exit status. */
static int run(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int run(const char *fmt, ...)
{
    g_autofree char *cmd = NULL;
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    GError *gerr = NULL;
    va_list ap;
    int status;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    char *argv[] = { (char *)"/bin/sh", (char *)"-c", cmd, NULL };

    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                      &err, &status, &gerr)) {
        g_error("%s: %s", cmd, gerr->message);
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        g_test_message("'%s' failed:\n%s%s", cmd, out, err);
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    /* qemu-io reports failed verifications on stdout with status 0. */
    if (strstr(out, "Pattern verification failed") ||
        strstr(out, "failed:")) {
        g_test_message("'%s' reported:\n%s", cmd, out);
        return 1;
    }
    return 0;
}

static char *path_of(const char *name)
{
    return g_build_filename(test_dir, name, NULL);
}

static BlockBackend *open_qcow2(const char *path, int flags, Error **errp)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", "qcow2");
    return blk_new_open(path, NULL, opts, flags, errp);
}

/* Drop @blk and let the deferred node deletion run (closes the file). */
static void close_blk(BlockBackend *blk)
{
    blk_unref(blk);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* nothing */
    }
}

/* Fill @buf with the pattern qemu-io -P @pattern writes. */
static void fill(uint8_t *buf, size_t len, int pattern)
{
    memset(buf, pattern, len);
}

static void assert_pattern(BlockBackend *blk, int64_t off, size_t len,
                           int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);
    g_autofree uint8_t *want = g_malloc(len);

    g_assert_cmpint(blk_pread(blk, off, len, buf, 0), ==, 0);
    fill(want, len, pattern);
    g_assert(memcmp(buf, want, len) == 0);
}

static void write_pattern(BlockBackend *blk, int64_t off, size_t len,
                          int pattern)
{
    g_autofree uint8_t *buf = g_malloc(len);

    fill(buf, len, pattern);
    g_assert_cmpint(blk_pwrite(blk, off, len, buf, 0), ==, 0);
}

/* Images written by QEMU 7.2 read back the same here. */
static void test_read_theirs(void)
{
    g_autofree char *img = path_of("theirs.qcow2");
    BlockBackend *blk;

    if (!have_tools()) {
        return;
    }
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 64M", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x11 0 64k' "
                        "-c 'write -P 0x22 100k 5k' "
                        "-c 'write -z 1M 128k' "
                        "-c 'write -P 0x33 63M 1M' %s", img), ==, 0);

    blk = open_qcow2(img, 0, &error_abort);
    g_assert_cmpint(blk_getlength(blk), ==, 64 * MiB);
    assert_pattern(blk, 0, 64 * KiB, 0x11);
    assert_pattern(blk, 64 * KiB, 36 * KiB, 0);
    assert_pattern(blk, 100 * KiB, 5 * KiB, 0x22);
    assert_pattern(blk, 105 * KiB, 1 * MiB - 105 * KiB, 0);
    assert_pattern(blk, 1 * MiB, 128 * KiB, 0);
    assert_pattern(blk, 63 * MiB, 1 * MiB, 0x33);
    close_blk(blk);
}

/* Data written here reads back there, and their check is clean. */
static void test_write_ours(void)
{
    g_autofree char *img = path_of("ours.qcow2");
    BlockBackend *blk;

    if (!have_tools()) {
        return;
    }
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 64M", img), ==, 0);
    blk = open_qcow2(img, BDRV_O_RDWR, &error_abort);
    write_pattern(blk, 0, 4 * KiB, 0x41);
    write_pattern(blk, 70 * KiB, 200 * KiB, 0x42);
    write_pattern(blk, 2 * KiB, 1 * KiB, 0x43);      /* in place */
    write_pattern(blk, 32 * MiB - 512, 1 * KiB, 0x44); /* two clusters */
    assert_pattern(blk, 0, 2 * KiB, 0x41);
    assert_pattern(blk, 2 * KiB, 1 * KiB, 0x43);
    assert_pattern(blk, 3 * KiB, 1 * KiB, 0x41);
    assert_pattern(blk, 4 * KiB, 66 * KiB, 0);
    assert_pattern(blk, 70 * KiB, 200 * KiB, 0x42);
    close_blk(blk);

    g_assert_cmpint(run(QEMU_IMG " check -q %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x41 0 2k' "
                        "-c 'read -P 0x43 2k 1k' -c 'read -P 0x41 3k 1k' "
                        "-c 'read -P 0 4k 66k' -c 'read -P 0x42 70k 200k' "
                        "-c 'read -P 0x44 33553920 1k' %s", img), ==, 0);
}

/* Backing chain: COW of partial clusters takes the backing data. */
static void test_backing_cow(void)
{
    g_autofree char *base = path_of("base.qcow2");
    g_autofree char *top = path_of("top.qcow2");
    BlockBackend *blk;

    if (!have_tools()) {
        return;
    }
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 4M", base), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x55 0 4M' %s", base), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 -b %s -F qcow2 %s",
                        base, top), ==, 0);

    blk = open_qcow2(top, BDRV_O_RDWR, &error_abort);
    write_pattern(blk, 10 * KiB, 4 * KiB, 0x66);
    assert_pattern(blk, 0, 10 * KiB, 0x55);
    assert_pattern(blk, 10 * KiB, 4 * KiB, 0x66);
    assert_pattern(blk, 14 * KiB, 4 * MiB - 14 * KiB, 0x55);
    close_blk(blk);

    g_assert_cmpint(run(QEMU_IMG " check -q %s", top), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x55 0 10k' "
                        "-c 'read -P 0x66 10k 4k' -c 'read -P 0x55 14k 50k' "
                        "%s", top), ==, 0);
}

/* Image options the interop matrix runs with (-o of qemu-img create). */
static const char *const matrix_opts[] = {
    "",
    "compat=0.10",
    "extended_l2=on",
    "extended_l2=on,cluster_size=16k",
    "cluster_size=512",
    "cluster_size=2M",
    "refcount_bits=1",
    "refcount_bits=64",
    "lazy_refcounts=on",
    "compression_type=zstd",
    "data_file=@",
};

/* -o string for qemu-img: "@" stands for a data file next to @img. */
static char *matrix_o(const char *opts, const char *img)
{
    g_autofree char *data = g_strconcat(img, ".data", NULL);
    g_auto(GStrv) parts = g_strsplit(opts, "@", -1);

    return g_strjoinv(data, parts);
}

static int create_theirs(const char *img, const char *opts, const char *size)
{
    g_autofree char *o = matrix_o(opts, img);

    return run(QEMU_IMG " create -q -f qcow2 %s%s %s %s", *o ? "-o " : "",
               o, img, size);
}

/*
 * Our writes, zero writes and discards on their image: their check is
 * clean and their qemu-io reads what we wrote.
 */
static void test_matrix_ours(void)
{
    g_autofree char *img = path_of("matrix-ours.qcow2");

    if (!have_tools()) {
        return;
    }
    for (int i = 0; i < ARRAY_SIZE(matrix_opts); i++) {
        BlockBackend *blk;

        g_test_message("-o '%s'", matrix_opts[i]);
        g_assert_cmpint(create_theirs(img, matrix_opts[i], "8M"), ==, 0);
        blk = open_qcow2(img, BDRV_O_RDWR, &error_abort);
        write_pattern(blk, 0, 8 * KiB, 0x11);
        write_pattern(blk, 1 * MiB + 3 * KiB, 130 * KiB, 0x22);
        write_pattern(blk, 4 * MiB - 512, 1 * KiB, 0x33);
        write_pattern(blk, 2 * KiB, 2 * KiB, 0x44);
        write_pattern(blk, 6 * MiB, 2 * MiB, 0x55);
        g_assert_cmpint(blk_pwrite_zeroes(blk, 6 * MiB, 1 * MiB, 0), ==, 0);
        g_assert_cmpint(blk_pwrite_zeroes(blk, 7 * MiB, 512 * KiB,
                                          BDRV_REQ_MAY_UNMAP), ==, 0);
        g_assert_cmpint(blk_pdiscard(blk, 5 * MiB, 1 * MiB), ==, 0);
        if (!strstr(matrix_opts[i], "data_file") &&
            !strstr(matrix_opts[i], "2M")) {
            g_autofree uint8_t *cbuf = g_malloc(2 * MiB);
            int64_t cs = strstr(matrix_opts[i], "512") ? 512 :
                         strstr(matrix_opts[i], "16k") ? 16 * KiB : 64 * KiB;

            /* One compressed cluster at 3M (QEMU 7.2 must read it). */
            fill(cbuf, cs, 0x77);
            g_assert_cmpint(blk_pwrite_compressed(blk, 3 * MiB, cs, cbuf),
                            ==, 0);
            assert_pattern(blk, 3 * MiB, cs, 0x77);
        }
        assert_pattern(blk, 0, 2 * KiB, 0x11);
        assert_pattern(blk, 2 * KiB, 2 * KiB, 0x44);
        assert_pattern(blk, 4 * KiB, 4 * KiB, 0x11);
        assert_pattern(blk, 1 * MiB + 3 * KiB, 130 * KiB, 0x22);
        assert_pattern(blk, 6 * MiB, 1536 * KiB, 0);
        assert_pattern(blk, 7 * MiB + 512 * KiB, 512 * KiB, 0x55);
        close_blk(blk);

        g_assert_cmpint(run(QEMU_IMG " check -q %s", img), ==, 0);
        g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x11 0 2k' "
                            "-c 'read -P 0x44 2k 2k' -c 'read -P 0x11 4k 4k' "
                            "-c 'read -P 0 8k 1016k' "
                            "-c 'read -P 0x22 1027k 130k' "
                            "-c 'read -P 0x33 4193792 1k' "
                            "-c 'read -P 0 6M 1536k' "
                            "-c 'read -P 0x55 7680k 512k' %s", img), ==, 0);
        if (!strstr(matrix_opts[i], "data_file") &&
            !strstr(matrix_opts[i], "2M")) {
            g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x77 3M 512' %s",
                                img), ==, 0);
        }
    }
}

/* Their writes (plain, zero, compressed, discard) read the same here. */
static void test_matrix_theirs(void)
{
    g_autofree char *img = path_of("matrix-theirs.qcow2");

    if (!have_tools()) {
        return;
    }
    for (int i = 0; i < ARRAY_SIZE(matrix_opts); i++) {
        bool compress = !strstr(matrix_opts[i], "data_file");
        BlockBackend *blk;

        g_test_message("-o '%s'", matrix_opts[i]);
        g_assert_cmpint(create_theirs(img, matrix_opts[i], "8M"), ==, 0);
        g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x11 0 8k' "
                            "-c 'write -P 0x22 1027k 130k' "
                            "-c 'write -P 0x55 6M 2M' "
                            "-c 'write -z 6M 1M' -c 'write -z -u 7M 512k' "
                            "-c 'discard 7M 64k' %s %s", img,
                            compress ? "-c 'write -c -P 0x66 2M 2M'" : ""),
                        ==, 0);
        blk = open_qcow2(img, 0, &error_abort);
        assert_pattern(blk, 0, 8 * KiB, 0x11);
        assert_pattern(blk, 8 * KiB, 1019 * KiB, 0);
        assert_pattern(blk, 1027 * KiB, 130 * KiB, 0x22);
        if (compress) {
            assert_pattern(blk, 2 * MiB, 2 * MiB, 0x66);
        }
        assert_pattern(blk, 6 * MiB, 1536 * KiB, 0);
        assert_pattern(blk, 7 * MiB + 512 * KiB, 512 * KiB, 0x55);
        close_blk(blk);
    }
}

typedef struct ParallelWrite {
    BlockBackend *blk;
    int64_t offset;
    int64_t bytes;
    int pattern;
    int ret;
    bool done;
} ParallelWrite;

static void coroutine_fn parallel_write_co(void *opaque)
{
    ParallelWrite *w = opaque;
    g_autofree uint8_t *buf = g_malloc(w->bytes);

    fill(buf, w->bytes, w->pattern);
    w->ret = blk_co_pwrite(w->blk, w->offset, w->bytes, buf, 0);
    w->done = true;
}

/*
 * Many writes in flight to the same unallocated clusters of an image
 * with a backing file: each cluster is allocated once, no write or COW
 * gets lost, and QEMU 7.2 agrees.
 */
static void test_parallel_alloc(void)
{
    g_autofree char *base = path_of("par-base.qcow2");
    g_autofree char *top = path_of("par-top.qcow2");
    enum { N = 96, PIECE = 3 * KiB };
    ParallelWrite w[N];
    BlockBackend *blk;
    bool all_done;

    if (!have_tools()) {
        return;
    }
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 1M", base), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x5a 0 1M' %s", base), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 -o cluster_size=16k "
                        "-b %s -F qcow2 %s", base, top), ==, 0);

    blk = open_qcow2(top, BDRV_O_RDWR, &error_abort);
    /* Pieces interleave so that neighbours share (and cross) clusters. */
    for (int i = 0; i < N; i++) {
        int slot = (i * 37) % N;

        w[i] = (ParallelWrite) {
            .blk = blk, .offset = 1000 + (int64_t)slot * PIECE,
            .bytes = PIECE - 512, .pattern = 1 + slot,
        };
        qemu_coroutine_enter(qemu_coroutine_create(parallel_write_co, &w[i]));
    }
    do {
        aio_poll(qemu_get_aio_context(), true);
        all_done = true;
        for (int i = 0; i < N; i++) {
            all_done &= w[i].done;
        }
    } while (!all_done);

    for (int i = 0; i < N; i++) {
        g_assert_cmpint(w[i].ret, ==, 0);
    }
    for (int slot = 0; slot < N; slot++) {
        int64_t off = 1000 + (int64_t)slot * PIECE;

        assert_pattern(blk, off, PIECE - 512, 1 + slot);
        assert_pattern(blk, off + PIECE - 512, 512, 0x5a);
    }
    assert_pattern(blk, 0, 1000, 0x5a);
    close_blk(blk);

    g_assert_cmpint(run(QEMU_IMG " check -q %s", top), ==, 0);
    for (int slot = 0; slot < N; slot += 7) {
        int64_t off = 1000 + (int64_t)slot * PIECE;

        g_assert_cmpint(run(QEMU_IO " -r -c 'read -P %d %" PRId64 " %d' "
                            "-c 'read -P 0x5a %" PRId64 " 512' %s",
                            1 + slot, off, PIECE - 512, off + PIECE - 512,
                            top), ==, 0);
    }
}

/*
 * Writes to an image with an internal snapshot copy the shared L2 tables
 * and data clusters; the snapshot still holds the old data.
 */
static void test_snapshot_cow(void)
{
    g_autofree char *img = path_of("snap.qcow2");
    BlockBackend *blk;

    if (!have_tools()) {
        return;
    }
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 8M", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x11 0 1M' %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " snapshot -c snap1 %s", img), ==, 0);

    blk = open_qcow2(img, BDRV_O_RDWR, &error_abort);
    write_pattern(blk, 4 * KiB, 4 * KiB, 0x22);
    write_pattern(blk, 512 * KiB, 64 * KiB, 0x33);
    assert_pattern(blk, 0, 4 * KiB, 0x11);
    assert_pattern(blk, 4 * KiB, 4 * KiB, 0x22);
    assert_pattern(blk, 8 * KiB, 504 * KiB, 0x11);
    assert_pattern(blk, 512 * KiB, 64 * KiB, 0x33);
    close_blk(blk);

    g_assert_cmpint(run(QEMU_IMG " check -q %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x11 0 4k' "
                        "-c 'read -P 0x22 4k 4k' -c 'read -P 0x33 512k 64k' "
                        "%s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " snapshot -a snap1 %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x11 0 1M' %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " check -q %s", img), ==, 0);
}

/* Run qemu-img amend -o @o on @img through our driver. */
static void amend(const char *img, const char *o)
{
    BlockBackend *blk = open_qcow2(img, BDRV_O_RDWR, &error_abort);
    BlockDriverState *bs = blk_bs(blk);
    QemuOpts *opts = qemu_opts_create(bs->drv->amend_opts, NULL, 0,
                                      &error_abort);
    g_auto(GStrv) kv = g_strsplit(o, ",", -1);
    Error *err = NULL;
    int ret;

    for (char **p = kv; *p; p++) {
        g_auto(GStrv) pair = g_strsplit(*p, "=", 2);
        qemu_opt_set(opts, pair[0], pair[1], &error_abort);
    }
    bdrv_graph_rdlock_main_loop();
    ret = bdrv_amend_options(bs, opts, NULL, NULL, false, &err);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        g_error("amend -o %s: %s", o, error_get_pretty(err));
    }
    qemu_opts_del(opts);
    close_blk(blk);
}

/* Amend: compat both ways (zero clusters expanded), lazy refcounts, size. */
static void test_amend(void)
{
    g_autofree char *img = path_of("amend.qcow2");

    if (!have_tools()) {
        return;
    }
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 4M", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x11 0 1M' "
                        "-c 'write -z 64k 128k' -c 'write -z 2M 64k' %s",
                        img), ==, 0);
    amend(img, "compat=0.10");
    g_assert_cmpint(run(QEMU_IMG " check -q %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " info %s | grep -q 'compat: 0.10'", img),
                    ==, 0);
    g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x11 0 64k' "
                        "-c 'read -P 0 64k 128k' -c 'read -P 0x11 192k 832k' "
                        "-c 'read -P 0 1M 3M' %s", img), ==, 0);

    amend(img, "compat=1.1,lazy_refcounts=on,size=8M");
    g_assert_cmpint(run(QEMU_IMG " check -q %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " info %s | grep -q 'lazy refcounts: true'",
                        img), ==, 0);
    g_assert_cmpint(run(QEMU_IMG " info %s | grep -q 'virtual size: 8 MiB'",
                        img), ==, 0);
    amend(img, "lazy_refcounts=off");
    g_assert_cmpint(run(QEMU_IMG " check -q %s", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -r -c 'read -P 0x11 0 64k' "
                        "-c 'read -P 0 1M 7M' %s", img), ==, 0);
}

/* Create with @opts here and with qemu-img; the files must be equal. */
static void check_create_identical(const char *opts, const char *size)
{
    g_autofree char *ours = path_of("create-ours.qcow2");
    g_autofree char *theirs = path_of("create-theirs.qcow2");
    QemuOpts *qopts;
    BlockDriver *drv = bdrv_find_format("qcow2");
    g_auto(GStrv) kv = g_strsplit(opts, ",", -1);
    Error *err = NULL;

    g_assert(drv);
    unlink(ours);
    unlink(theirs);
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s%s %s %s",
                        *opts ? "-o " : "", opts, theirs, size), ==, 0);

    qopts = qemu_opts_create(drv->create_opts, NULL, 0, &error_abort);
    qemu_opt_set(qopts, BLOCK_OPT_SIZE, size, &error_abort);
    for (char **p = kv; *p && **p; p++) {
        g_auto(GStrv) pair = g_strsplit(*p, "=", 2);
        qemu_opt_set(qopts, pair[0], pair[1], &error_abort);
    }
    if (bdrv_create(drv, ours, qopts, &err) < 0) {
        g_error("create -o '%s': %s", opts, error_get_pretty(err));
    }
    qemu_opts_del(qopts);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* let the deferred close run */
    }

    g_test_message("create -o '%s' %s", opts, size);
    g_assert_cmpint(run("cmp %s %s", ours, theirs), ==, 0);
}

static void test_create_identical(void)
{
    static const char *const cases[][2] = {
        { "", "64M" },
        { "", "1G" },
        { "", "0" },
        { "compat=0.10", "1G" },
        { "cluster_size=512", "64M" },
        { "cluster_size=2M", "10G" },
        { "refcount_bits=1", "64M" },
        { "refcount_bits=64", "64M" },
        { "lazy_refcounts=on", "64M" },
        { "extended_l2=on", "64M" },
        { "compression_type=zstd", "64M" },
        { "preallocation=metadata", "64M" },
        { "preallocation=metadata,extended_l2=on", "10M" },
        { "preallocation=metadata,cluster_size=2M", "100M" },
        { "lazy_refcounts=on,extended_l2=on,compression_type=zstd,"
          "refcount_bits=8", "10M" },
        /*
         * Not yet: with 4k clusters and metadata preallocation QEMU 7.2
         * puts a new refcount block after the data clusters whose
         * allocation needed it; qcow2-refcount.c puts it before them.
         * { "preallocation=metadata,cluster_size=4k", "16M" },
         */
    };

    if (!have_tools()) {
        return;
    }
    for (int i = 0; i < ARRAY_SIZE(cases); i++) {
        check_create_identical(cases[i][0], cases[i][1]);
    }
}

/* Write a big-endian field of @size bytes at @off of file @path. */
static void poke(const char *path, off_t off, uint64_t val, int size)
{
    int fd = open(path, O_RDWR);
    uint8_t buf[8];

    g_assert_cmpint(fd, >=, 0);
    for (int i = 0; i < size; i++) {
        buf[i] = val >> (8 * (size - 1 - i));
    }
    g_assert_cmpint(pwrite(fd, buf, size, off), ==, size);
    close(fd);
}

/* Corrupt header fields: clear errors, no crash. */
static void test_corrupt_header(void)
{
    static const struct {
        off_t off;
        int size;
        uint64_t val;
        const char *msg;
    } cases[] = {
        { 0, 4, 0x12345678, "Image is not in qcow2 format" },
        { 4, 4, 4, "Unsupported qcow2 version 4" },
        { 20, 4, 30, "Unsupported cluster size: 2^30" },
        { 36, 4, 0x10000000, "Active L1 table too large" },
        { 36, 4, 0, "L1 table is too small" },
        { 40, 8, 0x1234, "Active L1 table offset invalid" },
        { 48, 8, 0x1234, "Reference count table offset invalid" },
        { 56, 4, 0x1000000, "Reference count table too large" },
        { 56, 4, 0, "Image does not contain a reference count table" },
        { 60, 4, 0x100000, "Snapshot table too large" },
        { 72, 8, 0x100, "Unsupported qcow2 feature(s): Unknown incompatible "
                        "feature: 100" },
        { 72, 8, 0x08, "Compression type incompatible feature bit must "
                       "not be set" },
        { 104, 1, 1, "Compression type incompatible feature bit must be "
                     "set" },
        { 104, 1, 7, "qcow2: unknown compression type: 7" },
        { 96, 4, 7, "Reference count entry width too large; may not exceed "
                    "64 bits" },
        { 100, 4, 0x20000, "qcow2 header exceeds cluster size" },
        { 32, 4, 1, "Parameter 'encrypt.key-secret' is required for "
                    "cipher" },
        { 32, 4, 2, "Missing CRYPTO header for crypt method 2" },
        { 32, 4, 3, "Unsupported encryption method 3" },
    };
    g_autofree char *img = path_of("corrupt.qcow2");

    if (!have_tools()) {
        return;
    }
    for (int i = 0; i < ARRAY_SIZE(cases); i++) {
        Error *err = NULL;

        g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 64M", img), ==,
                        0);
        poke(img, cases[i].off, cases[i].val, cases[i].size);
        g_assert(!open_qcow2(img, 0, &err));
        g_assert(err);
        g_test_message("%s", error_get_pretty(err));
        g_assert(strstr(error_get_pretty(err), cases[i].msg));
        error_free(err);
    }
}

/* Bad L1/L2 entries and truncated files: errors, never crashes. */
static void test_corrupt_tables(void)
{
    g_autofree char *img = path_of("corrupt-tables.qcow2");
    uint8_t buf[4096];
    BlockBackend *blk;
    Error *err = NULL;
    int fd;

    if (!have_tools()) {
        return;
    }
    /* L1 entry 0 (at 0x30000) pointing at an unaligned L2 table. */
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 1G", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x11 0 64k' %s", img), ==, 0);
    poke(img, 0x30000, 0x8000000000041234ULL, 8);
    blk = open_qcow2(img, 0, &error_abort);
    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), <, 0);
    /* Elsewhere the image still works. */
    g_assert_cmpint(blk_pread(blk, 600 * MiB, sizeof(buf), buf, 0), ==, 0);
    close_blk(blk);

    /* Writable: the image gets marked corrupt and refuses to reopen rw. */
    blk = open_qcow2(img, BDRV_O_RDWR, &error_abort);
    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), <, 0);
    close_blk(blk);
    g_assert(!open_qcow2(img, BDRV_O_RDWR, &err));
    g_assert(strstr(error_get_pretty(err), "Image is corrupt"));
    error_free(err);
    err = NULL;

    /* L2 entry 0 (table at 0x40000) with an unaligned data offset. */
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 64M", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x11 0 64k' %s", img), ==, 0);
    poke(img, 0x40000, 0x8000000000050200ULL, 8);
    blk = open_qcow2(img, 0, &error_abort);
    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), <, 0);
    close_blk(blk);

    /* L2 table far beyond the end of the file. */
    g_assert_cmpint(run(QEMU_IMG " create -q -f qcow2 %s 64M", img), ==, 0);
    g_assert_cmpint(run(QEMU_IO " -c 'write -P 0x11 0 64k' %s", img), ==, 0);
    poke(img, 0x30000, 0x8000100000000000ULL, 8);
    blk = open_qcow2(img, 0, &error_abort);
    blk_pread(blk, 0, sizeof(buf), buf, 0);
    close_blk(blk);

    /* Truncated in the middle of the header. */
    fd = open(img, O_RDWR);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 50), ==, 0);
    close(fd);
    g_assert(!open_qcow2(img, 0, &err));
    g_assert(err);
    error_free(err);
}

int main(int argc, char **argv)
{
    int ret;

    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("test-qcow2-XXXXXX", NULL);
    g_assert(test_dir);

    g_test_add_func("/qcow2/interop/read-theirs", test_read_theirs);
    g_test_add_func("/qcow2/interop/write-ours", test_write_ours);
    g_test_add_func("/qcow2/interop/backing-cow", test_backing_cow);
    g_test_add_func("/qcow2/interop/matrix-ours", test_matrix_ours);
    g_test_add_func("/qcow2/interop/matrix-theirs", test_matrix_theirs);
    g_test_add_func("/qcow2/interop/parallel-alloc", test_parallel_alloc);
    g_test_add_func("/qcow2/interop/snapshot-cow", test_snapshot_cow);
    g_test_add_func("/qcow2/interop/amend", test_amend);
    g_test_add_func("/qcow2/create/identical", test_create_identical);
    g_test_add_func("/qcow2/corrupt/header", test_corrupt_header);
    g_test_add_func("/qcow2/corrupt/tables", test_corrupt_tables);

    ret = g_test_run();
    run("rm -rf %s", test_dir);
    g_free(test_dir);
    return ret;
}
