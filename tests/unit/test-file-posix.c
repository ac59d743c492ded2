/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-file-posix.c: the file and host_device protocol drivers on real
 * temporary files.
 *
 * Every data test runs once per AIO engine (threads, native, io_uring);
 * an engine the kernel refuses is skipped with the reason printed.
 * Further cases: O_DIRECT alignment and bounce buffers, image creation
 * with each preallocation mode (checked through st_blocks), truncate,
 * block status from SEEK_DATA/SEEK_HOLE, copy offload, option parsing
 * and the error paths of open (missing file, auto-read-only).
 * Image locking has its own test, test-image-locking.c.
 */

#include "qemu/osdep.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/coroutine.h"
#include "qemu/host-utils.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "block/block_int.h"
#include "block/raw-aio.h"
#include "sysemu/block-backend.h"
#include "sysemu/iothread.h"
#include "test-tmpdir.h"

#define IMG_SIZE (4 * MiB)

static char *test_dir;

/* A fresh file of @size bytes (sparse) in the test directory. */
static char *make_file(const char *name, int64_t size)
{
    char *path = g_build_filename(test_dir, name, NULL);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, size), ==, 0);
    close(fd);
    return path;
}

static struct stat stat_file(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return st;
}

/*
 * Open @path with the file driver and "key=value" pairs from @extra
 * (NULL-terminated, key then value).
 */
static BlockBackend *open_file_v(const char *path, int flags, Error **errp,
                                 const char *const *extra)
{
    QDict *opts = qdict_new();

    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", path);
    for (; extra && extra[0]; extra += 2) {
        qdict_put_str(opts, extra[0], extra[1]);
    }
    return blk_new_open(NULL, NULL, opts, flags, errp);
}

#define open_file(path, flags, errp, ...) \
    open_file_v((path), (flags), (errp), \
                (const char *const[]) { __VA_ARGS__, NULL })

/*
 * Drop @blk; run the main loop's bottom halves so that nodes whose last
 * reference went under the graph lock are really closed.
 */
static void unref_now(BlockBackend *blk)
{
    blk_unref(blk);
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* nothing */
    }
}

static const char *const engines[] = { "threads", "native", "io_uring" };

/*
 * Open for an engine test.  native needs O_DIRECT, so it runs with
 * cache.direct=on.  NULL (test skipped, reason printed) if the host
 * refuses the engine or O_DIRECT.
 */
static BlockBackend *open_engine(const char *path, const char *engine)
{
    bool direct = !strcmp(engine, "native");
    Error *err = NULL;
    BlockBackend *blk;

    blk = open_file(path, BDRV_O_RDWR | BDRV_O_RESIZE, &err, "aio", engine,
                    "cache.direct", direct ? "on" : "off",
                    "discard", "unmap");
    if (!blk) {
        g_autofree char *why = g_strdup_printf("aio=%s unavailable: %s",
                                               engine, error_get_pretty(err));
        g_printerr("# %s\n", why);
        g_test_skip(why);
        error_free(err);
    }
    return blk;
}

static void fill(uint8_t *buf, size_t len, uint8_t seed)
{
    size_t i;

    for (i = 0; i < len; i++) {
        buf[i] = (uint8_t)(seed + i * 7);
    }
}

static bool all_zero(const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (buf[i]) {
            return false;
        }
    }
    return true;
}

/* --- Per-engine data tests -------------------------------------------- */

static void test_rw(gconstpointer opaque)
{
    const char *engine = opaque;
    g_autofree char *path = make_file("rw.img", IMG_SIZE);
    size_t len = 256 * KiB;
    g_autofree uint8_t *wbuf = qemu_memalign(4096, len);
    g_autofree uint8_t *rbuf = qemu_memalign(4096, len);
    BlockBackend *blk = open_engine(path, engine);
    int fd;

    if (!blk) {
        return;
    }
    /* The engine is really set up in the node's AioContext. */
    if (!strcmp(engine, "native")) {
        g_assert(aio_get_linux_aio(qemu_get_aio_context()));
    } else if (!strcmp(engine, "io_uring")) {
        g_assert(aio_get_linux_io_uring(qemu_get_aio_context()));
    }
    g_assert_cmpint(blk_getlength(blk), ==, IMG_SIZE);

    fill(wbuf, len, 3);
    g_assert_cmpint(blk_pwrite(blk, 64 * KiB, len, wbuf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 64 * KiB, len, rbuf, 0), ==, 0);
    g_assert(memcmp(wbuf, rbuf, len) == 0);

    /* FUA writes complete like plain ones. */
    fill(wbuf, len, 9);
    g_assert_cmpint(blk_pwrite(blk, 0, len, wbuf, BDRV_REQ_FUA), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);

    /* The data is in the host file, where the kernel put it. */
    fd = open(path, O_RDONLY);
    g_assert_cmpint(pread(fd, rbuf, len, 0), ==, len);
    close(fd);
    g_assert(memcmp(wbuf, rbuf, len) == 0);

    /*
     * Shrink the file behind the node's back: the node still believes in
     * the old length, and a read beyond the new end reads zeroes.
     */
    g_assert_cmpint(truncate(path, 128 * KiB), ==, 0);
    memset(rbuf, 0xaa, len);
    g_assert_cmpint(blk_pread(blk, 0, len, rbuf, 0), ==, 0);
    g_assert(memcmp(wbuf, rbuf, 128 * KiB) == 0);
    g_assert(all_zero(rbuf + 128 * KiB, len - 128 * KiB));

    blk_unref(blk);
}

static void test_zero_discard(gconstpointer opaque)
{
    const char *engine = opaque;
    g_autofree char *path = make_file("zero.img", IMG_SIZE);
    size_t len = 1 * MiB;
    g_autofree uint8_t *buf = qemu_memalign(4096, len);
    BlockBackend *blk = open_engine(path, engine);
    blkcnt_t full_blocks;

    if (!blk) {
        return;
    }
    fill(buf, len, 1);
    g_assert_cmpint(blk_pwrite(blk, 0, len, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, len, len, buf, 0), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    full_blocks = stat_file(path).st_blocks;
    g_assert_cmpint(full_blocks * 512, >=, 2 * len);

    /* Zero without unmapping: reads zero, space stays allocated. */
    g_assert_cmpint(blk_pwrite_zeroes(blk, 0, len, 0), ==, 0);
    memset(buf, 0xff, len);
    g_assert_cmpint(blk_pread(blk, 0, len, buf, 0), ==, 0);
    g_assert(all_zero(buf, len));

    /* Zero with unmap punches a hole. */
    g_assert_cmpint(blk_pwrite_zeroes(blk, len, len, BDRV_REQ_MAY_UNMAP),
                    ==, 0);
    memset(buf, 0xff, len);
    g_assert_cmpint(blk_pread(blk, len, len, buf, 0), ==, 0);
    g_assert(all_zero(buf, len));
    g_assert_cmpint(stat_file(path).st_blocks, <, full_blocks);

    /* Discard frees the zero-written range as well. */
    full_blocks = stat_file(path).st_blocks;
    g_assert_cmpint(blk_pdiscard(blk, 0, len), ==, 0);
    g_assert_cmpint(stat_file(path).st_blocks, <, full_blocks);
    g_assert_cmpint(stat_file(path).st_size, ==, IMG_SIZE);

    blk_unref(blk);
}

static void test_block_status(gconstpointer opaque)
{
    const char *engine = opaque;
    g_autofree char *path = make_file("status.img", IMG_SIZE);
    size_t len = 64 * KiB;
    g_autofree uint8_t *buf = qemu_memalign(4096, len);
    BlockBackend *blk = open_engine(path, engine);
    BlockDriverState *bs, *file;
    int64_t pnum, map;
    int ret;

    if (!blk) {
        return;
    }
    bs = blk_bs(blk);
    fill(buf, len, 5);
    g_assert_cmpint(blk_pwrite(blk, 0, len, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 2 * MiB, len, buf, 0), ==, 0);

    ret = bdrv_block_status(bs, 0, IMG_SIZE, &pnum, &map, &file);
    g_assert_cmpint(ret, >=, 0);
    g_assert(ret & BDRV_BLOCK_DATA);
    g_assert(ret & BDRV_BLOCK_OFFSET_VALID);
    g_assert_cmpint(pnum, ==, len);
    g_assert_cmpint(map, ==, 0);
    g_assert(file == bs);

    ret = bdrv_block_status(bs, len, IMG_SIZE - len, &pnum, &map, &file);
    g_assert_cmpint(ret, >=, 0);
    g_assert(ret & BDRV_BLOCK_ZERO);
    g_assert(!(ret & BDRV_BLOCK_DATA));
    g_assert_cmpint(pnum, ==, 2 * MiB - len);
    g_assert_cmpint(map, ==, len);

    ret = bdrv_block_status(bs, 2 * MiB, IMG_SIZE - 2 * MiB, &pnum, NULL,
                            NULL);
    g_assert(ret & BDRV_BLOCK_DATA);
    g_assert_cmpint(pnum, ==, len);

    /* The trailing hole runs to the end of the file. */
    ret = bdrv_block_status(bs, 2 * MiB + len, IMG_SIZE - 2 * MiB - len,
                            &pnum, NULL, NULL);
    g_assert(ret & BDRV_BLOCK_ZERO);
    g_assert_cmpint(pnum, ==, IMG_SIZE - 2 * MiB - len);

    blk_unref(blk);
}

static void test_truncate(gconstpointer opaque)
{
    const char *engine = opaque;
    g_autofree char *path = make_file("trunc.img", 1 * MiB);
    BlockBackend *blk = open_engine(path, engine);
    Error *err = NULL;
    struct stat st;

    if (!blk) {
        return;
    }
    /* off: the file grows sparse. */
    g_assert_cmpint(blk_truncate(blk, 2 * MiB, true, PREALLOC_MODE_OFF, 0,
                                 &error_abort), ==, 0);
    st = stat_file(path);
    g_assert_cmpint(st.st_size, ==, 2 * MiB);
    g_assert_cmpint(st.st_blocks * 512, <, 1 * MiB);
    g_assert_cmpint(blk_getlength(blk), ==, 2 * MiB);

    /* falloc and full allocate the new part. */
    g_assert_cmpint(blk_truncate(blk, 4 * MiB, true, PREALLOC_MODE_FALLOC, 0,
                                 &error_abort), ==, 0);
    st = stat_file(path);
    g_assert_cmpint(st.st_size, ==, 4 * MiB);
    g_assert_cmpint(st.st_blocks * 512, >=, 2 * MiB);
    g_assert_cmpint(blk_truncate(blk, 6 * MiB, true, PREALLOC_MODE_FULL, 0,
                                 &error_abort), ==, 0);
    st = stat_file(path);
    g_assert_cmpint(st.st_size, ==, 6 * MiB);
    g_assert_cmpint(st.st_blocks * 512, >=, 4 * MiB);
    /* The allocated size is what the host file system reports. */
    g_assert_cmpint(bdrv_get_allocated_file_size(blk_bs(blk)), ==,
                    (int64_t)st.st_blocks * 512);

    /* Shrinking works, but not with preallocation. */
    g_assert_cmpint(blk_truncate(blk, 1 * MiB, true, PREALLOC_MODE_FALLOC, 0,
                                 &err), ==, -ENOTSUP);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Cannot use preallocation for shrinking files");
    error_free(err);
    g_assert_cmpint(blk_truncate(blk, 512 * KiB, true, PREALLOC_MODE_OFF, 0,
                                 &error_abort), ==, 0);
    g_assert_cmpint(stat_file(path).st_size, ==, 512 * KiB);
    g_assert_cmpint(blk_getlength(blk), ==, 512 * KiB);

    blk_unref(blk);
}

/* Many requests in flight at once: batching, ring overflow, completions. */
#define CONC_REQS 300
#define CONC_SIZE 4096

typedef struct ConcReq {
    BlockBackend *blk;
    uint8_t *buf;
    int index;
    bool write;
    int *pending;
    int ret;
} ConcReq;

static void coroutine_fn conc_entry(void *opaque)
{
    ConcReq *r = opaque;
    int64_t off = (int64_t)r->index * CONC_SIZE;

    if (r->write) {
        r->ret = blk_co_pwrite(r->blk, off, CONC_SIZE, r->buf, 0);
    } else {
        r->ret = blk_co_pread(r->blk, off, CONC_SIZE, r->buf, 0);
    }
    (*r->pending)--;
}

/* Start CONC_REQS requests of one kind, then run the loop until done. */
static void conc_run(BlockBackend *blk, ConcReq *reqs, bool write)
{
    int pending = CONC_REQS;
    int i;

    for (i = 0; i < CONC_REQS; i++) {
        reqs[i].blk = blk;
        reqs[i].index = i;
        reqs[i].write = write;
        reqs[i].pending = &pending;
        reqs[i].ret = -EINPROGRESS;
        qemu_coroutine_enter(qemu_coroutine_create(conc_entry, &reqs[i]));
    }
    while (pending > 0) {
        aio_poll(qemu_get_aio_context(), true);
    }
    for (i = 0; i < CONC_REQS; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }
}

static void test_concurrent(gconstpointer opaque)
{
    const char *engine = opaque;
    g_autofree char *path = make_file("conc.img", IMG_SIZE);
    g_autofree ConcReq *reqs = g_new0(ConcReq, CONC_REQS);
    BlockBackend *blk = open_engine(path, engine);
    uint8_t *expect;
    int i;

    if (!blk) {
        return;
    }
    g_assert_cmpint(CONC_REQS * CONC_SIZE, <=, IMG_SIZE);
    for (i = 0; i < CONC_REQS; i++) {
        reqs[i].buf = qemu_memalign(4096, CONC_SIZE);
        fill(reqs[i].buf, CONC_SIZE, i);
    }
    conc_run(blk, reqs, true);

    expect = qemu_memalign(4096, CONC_SIZE);
    for (i = 0; i < CONC_REQS; i++) {
        memset(reqs[i].buf, 0, CONC_SIZE);
    }
    conc_run(blk, reqs, false);
    for (i = 0; i < CONC_REQS; i++) {
        fill(expect, CONC_SIZE, i);
        g_assert(memcmp(reqs[i].buf, expect, CONC_SIZE) == 0);
        qemu_vfree(reqs[i].buf);
    }
    qemu_vfree(expect);
    blk_unref(blk);
}

/* The engine state of @engine in @ctx, if any. */
static void *engine_state(const char *engine, AioContext *ctx)
{
    if (!strcmp(engine, "native")) {
        return aio_get_linux_aio(ctx);
    }
    if (!strcmp(engine, "io_uring")) {
        return aio_get_linux_io_uring(ctx);
    }
    return NULL;
}

/*
 * A node moved to an IOThread uses an engine state of that thread's
 * AioContext, and takes the main context's again when it comes back;
 * the state of the main context is freed with the last node using it.
 */
static void test_iothread(gconstpointer opaque)
{
    const char *engine = opaque;
    bool kernel = strcmp(engine, "threads") != 0;
    g_autofree char *path = make_file("iothread.img", IMG_SIZE);
    size_t len = 64 * KiB;
    g_autofree uint8_t *wbuf = qemu_memalign(4096, len);
    g_autofree uint8_t *rbuf = qemu_memalign(4096, len);
    AioContext *main_ctx = qemu_get_aio_context();
    IOThread *iothread;
    AioContext *ctx;
    BlockBackend *blk;

    /* Nodes of earlier tests are deleted from the main loop. */
    while (aio_poll(main_ctx, false)) {
        /* run pending BHs */
    }
    g_assert(!engine_state(engine, main_ctx));
    blk = open_engine(path, engine);
    if (!blk) {
        return;
    }
    g_assert(!!engine_state(engine, main_ctx) == kernel);
    iothread = iothread_create("fp-iothread", &error_abort);
    ctx = iothread_get_aio_context(iothread);
    g_assert(!engine_state(engine, ctx));

    blk_set_aio_context(blk, ctx, &error_abort);
    g_assert(!!engine_state(engine, ctx) == kernel);
    g_assert(!engine_state(engine, main_ctx));

    fill(wbuf, len, 29);
    g_assert_cmpint(blk_pwrite(blk, 128 * KiB, len, wbuf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 128 * KiB, len, rbuf, 0), ==, 0);
    g_assert(memcmp(wbuf, rbuf, len) == 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);

    /* Back home; the IOThread's idle state stays parked there. */
    blk_set_aio_context(blk, main_ctx, &error_abort);
    g_assert(!!engine_state(engine, main_ctx) == kernel);
    g_assert_cmpint(blk_pread(blk, 128 * KiB, len, rbuf, 0), ==, 0);
    g_assert(memcmp(wbuf, rbuf, len) == 0);

    blk_unref(blk);
    while (aio_poll(main_ctx, false)) {
        /* let the node go */
    }
    g_assert(!engine_state(engine, main_ctx));
    iothread_destroy(iothread);
}

/* Open descriptors of this process whose link reads @target. */
static int count_fds(const char *target)
{
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    const char *name;
    int n = 0;

    g_assert(d);
    while ((name = g_dir_read_name(d))) {
        g_autofree char *link = g_build_filename("/proc/self/fd", name,
                                                 NULL);
        g_autofree char *dest = g_file_read_link(link, NULL);

        n += dest && !strcmp(dest, target);
    }
    g_dir_close(d);
    return n;
}

/*
 * The engine state of an IOThread's context outlives the last node that
 * used it (it cannot be freed from the main loop while the IOThread may
 * dispatch its handler), but it must go with the context: destroying
 * the IOThread after I/O must leave no ring or eventfd behind.
 */
static void test_iothread_engine_freed(gconstpointer opaque)
{
    const char *engine = opaque;
    const char *fd_kind = !strcmp(engine, "native") ? "anon_inode:[eventfd]"
                                                    : "anon_inode:[io_uring]";
    g_autofree char *path = make_file("engine-freed.img", IMG_SIZE);
    size_t len = 64 * KiB;
    g_autofree uint8_t *buf = qemu_memalign(4096, len);
    AioContext *main_ctx = qemu_get_aio_context();
    IOThread *iothread;
    BlockBackend *blk;
    int before, i;

    blk = open_engine(path, engine);
    if (!blk) {
        return;
    }
    unref_now(blk);
    before = count_fds(fd_kind);

    for (i = 0; i < 2; i++) {
        iothread = iothread_create("fp-engine", &error_abort);
        blk = open_engine(path, engine);
        g_assert(blk);
        blk_set_aio_context(blk, iothread_get_aio_context(iothread),
                            &error_abort);
        fill(buf, len, 40 + i);
        g_assert_cmpint(blk_pwrite(blk, 0, len, buf, 0), ==, 0);
        g_assert_cmpint(blk_pread(blk, 0, len, buf, 0), ==, 0);
        g_assert_cmpint(blk_flush(blk), ==, 0);
        g_assert(engine_state(engine, iothread_get_aio_context(iothread)));

        /* The last user leaves from the main loop: the state is parked. */
        unref_now(blk);
        g_assert(count_fds(fd_kind) > before);
        iothread_destroy(iothread);
        g_assert_cmpint(count_fds(fd_kind), ==, before);
    }
    g_assert(!engine_state(engine, main_ctx));
}

/* --- O_DIRECT ---------------------------------------------------------- */

static void test_o_direct(void)
{
    g_autofree char *path = make_file("direct.img", IMG_SIZE);
    size_t len = 64 * KiB;
    g_autofree uint8_t *mem = qemu_memalign(4096, len + 4096);
    g_autofree uint8_t *rbuf = qemu_memalign(4096, len);
    uint8_t *odd = mem + 1;
    BlockBackend *blk;
    BlockDriverState *bs;
    Error *err = NULL;
    int fd;

    fd = open(path, O_RDONLY | O_DIRECT);
    if (fd < 0) {
        g_printerr("# O_DIRECT unsupported here: %s\n", strerror(errno));
        g_test_skip("O_DIRECT unsupported");
        return;
    }
    close(fd);

    blk = open_file(path, BDRV_O_RDWR, &err, "cache.direct", "on");
    g_assert(blk);
    bs = blk_bs(blk);
    g_assert(bs->open_flags & BDRV_O_NOCACHE);
    /* Probed: a power of two between 512 and 4096 bytes. */
    g_assert_cmpint(bs->bl.request_alignment, >=, 512);
    g_assert_cmpint(bs->bl.request_alignment, <=, 4096);
    g_assert(is_power_of_2(bs->bl.request_alignment));
    g_assert_cmpint(bs->bl.min_mem_alignment, >=, 512);
    g_assert_cmpint(bs->bl.opt_mem_alignment, >=, bs->bl.min_mem_alignment);

    /* A misaligned buffer goes through a bounce buffer. */
    fill(odd, len, 11);
    g_assert_cmpint(blk_pwrite(blk, 0, len, odd, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, len, rbuf, 0), ==, 0);
    g_assert(memcmp(odd, rbuf, len) == 0);
    memset(odd, 0, len);
    g_assert_cmpint(blk_pread(blk, 0, len, odd, 0), ==, 0);
    g_assert(memcmp(odd, rbuf, len) == 0);
    blk_unref(blk);
}

static void test_native_needs_direct(void)
{
    g_autofree char *path = make_file("native.img", IMG_SIZE);
    Error *err = NULL;

    g_assert(!open_file(path, BDRV_O_RDWR, &err, "aio", "native"));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "aio=native was specified, but it requires "
                    "cache.direct=on, which was not specified.");
    error_free(err);
}

/* --- Image creation ---------------------------------------------------- */

typedef struct CreateData {
    BlockDriver *drv;
    const char *filename;
    QemuOpts *opts;
    Error *err;
    int ret;
} CreateData;

static void coroutine_fn create_entry(void *opaque)
{
    CreateData *d = opaque;

    d->ret = d->drv->bdrv_co_create_opts(d->drv, d->filename, d->opts,
                                         &d->err);
}

/* Run @driver's .bdrv_co_create_opts as "qemu-img create" would. */
static int create_with(const char *driver, const char *filename,
                       const char *size, const char *prealloc, Error **errp)
{
    BlockDriver *drv = bdrv_find_format(driver);
    CreateData d = { .drv = drv, .filename = filename };
    Coroutine *co;

    d.opts = qemu_opts_create(drv->create_opts, NULL, 0, &error_abort);
    qemu_opt_set(d.opts, BLOCK_OPT_SIZE, size, &error_abort);
    if (prealloc) {
        qemu_opt_set(d.opts, BLOCK_OPT_PREALLOC, prealloc, &error_abort);
    }
    d.ret = -EINPROGRESS;
    co = qemu_coroutine_create(create_entry, &d);
    qemu_coroutine_enter(co);
    /* Some create paths yield (bdrv_co_create_opts_simple opens in a BH). */
    while (d.ret == -EINPROGRESS) {
        aio_poll(qemu_get_aio_context(), true);
    }
    qemu_opts_del(d.opts);
    error_propagate(errp, d.err);
    return d.ret;
}

static int create_image(const char *filename, const char *size,
                        const char *prealloc, Error **errp)
{
    return create_with("file", filename, size, prealloc, errp);
}

static void test_create(void)
{
    g_autofree char *path = g_build_filename(test_dir, "create.img", NULL);
    g_autofree char *prefixed = g_strdup_printf("file:%s", path);
    BlockDriver *drv = bdrv_find_format("file");
    Error *err = NULL;
    struct stat st;

    /* The option names qemu-img create shows for raw. */
    g_assert(drv->create_opts);
    g_assert(qemu_opts_create(drv->create_opts, NULL, 0, &error_abort));
    qemu_opts_reset(drv->create_opts);

    g_assert_cmpint(create_image(path, "3M", NULL, &error_abort), ==, 0);
    st = stat_file(path);
    g_assert_cmpint(st.st_size, ==, 3 * MiB);
    g_assert_cmpint(st.st_blocks * 512, <, 1 * MiB);

    g_assert_cmpint(create_image(path, "3M", "falloc", &error_abort), ==, 0);
    st = stat_file(path);
    g_assert_cmpint(st.st_size, ==, 3 * MiB);
    g_assert_cmpint(st.st_blocks * 512, >=, 3 * MiB);

    /* Reusing a file starts from zero length: old data is gone. */
    g_assert_cmpint(create_image(prefixed, "2M", "full", &error_abort), ==, 0);
    st = stat_file(path);
    g_assert_cmpint(st.st_size, ==, 2 * MiB);
    g_assert_cmpint(st.st_blocks * 512, >=, 2 * MiB);

    g_assert_cmpint(create_image(path, "1M", "metadata", &err), ==,
                    -ENOTSUP);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Unsupported preallocation mode: metadata");
    error_free(err);
    err = NULL;

    g_assert_cmpint(create_image("/nonexistent-dir/x.img", "1M", NULL, &err),
                    ==, -ENOENT);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Could not create file: No such file or directory");
    error_free(err);
}

typedef struct DeleteData {
    BlockDriverState *bs;
    Error *err;
    int ret;
} DeleteData;

static void coroutine_fn delete_entry(void *opaque)
{
    DeleteData *d = opaque;

    bdrv_graph_co_rdlock();
    d->ret = bdrv_co_delete_file(d->bs, &d->err);
    bdrv_graph_co_rdunlock();
}

static void test_delete_file(void)
{
    g_autofree char *path = make_file("delete.img", IMG_SIZE);
    g_autofree char *want = NULL;
    BlockBackend *blk = open_file(path, 0, &error_abort, "aio", "threads");
    DeleteData d = { .bs = blk_bs(blk) };

    d.ret = -EINPROGRESS;
    qemu_coroutine_enter(qemu_coroutine_create(delete_entry, &d));
    g_assert_cmpint(d.ret, ==, 0);
    g_assert(access(path, F_OK) < 0 && errno == ENOENT);

    /* Gone already: QEMU's message, with ENOENT. */
    qemu_coroutine_enter(qemu_coroutine_create(delete_entry, &d));
    g_assert_cmpint(d.ret, ==, -ENOENT);
    want = g_strdup_printf("%s is not a regular file: No such file or "
                           "directory", path);
    g_assert_cmpstr(error_get_pretty(d.err), ==, want);
    error_free(d.err);
    blk_unref(blk);
}

/* --- Page cache on incoming migration -------------------------------- */

static void test_invalidate_cache(void)
{
    g_autofree char *path = make_file("cache.img", IMG_SIZE);
    size_t len = 256 * KiB;
    g_autofree uint8_t *buf = g_malloc(len);
    BlockBackend *blk;
    Error *err = NULL;
    uint8_t *map;
    int fd;

    blk = open_file(path, BDRV_O_RDWR, &error_abort, "aio", "threads",
                    "x-check-cache-dropped", "on");
    fill(buf, len, 31);
    g_assert_cmpint(blk_pwrite(blk, 0, len, buf, 0), ==, 0);

    /* Written through the page cache; dropping it leaves nothing. */
    g_assert_cmpint(bdrv_invalidate_cache(blk_bs(blk), &error_abort), ==, 0);

    /* A page mapped and touched elsewhere cannot be dropped. */
    fd = open(path, O_RDONLY);
    map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
    g_assert(map != MAP_FAILED);
    g_assert_cmpint(map[0], ==, buf[0]);
    g_assert_cmpint(bdrv_invalidate_cache(blk_bs(blk), &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==, "page cache still in use!");
    error_free(err);
    munmap(map, 4096);
    close(fd);
    blk_unref(blk);

    /* drop-cache=off: nothing is dropped, nothing checked. */
    blk = open_file(path, 0, &error_abort, "drop-cache", "off",
                    "x-check-cache-dropped", "on");
    g_assert_cmpint(blk_pread(blk, 0, len, buf, 0), ==, 0);
    g_assert_cmpint(bdrv_invalidate_cache(blk_bs(blk), &error_abort), ==, 0);
    blk_unref(blk);
}

/* --- Options and error paths ------------------------------------------ */

static void test_missing_file(void)
{
    g_autofree char *path = g_build_filename(test_dir, "missing.img", NULL);
    g_autofree char *want = g_strdup_printf(
        "Could not open '%s': No such file or directory", path);
    Error *err = NULL;

    g_assert(!open_file(path, BDRV_O_RDWR, &err, "aio", "threads"));
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    error_free(err);
}

static void test_options(void)
{
    g_autofree char *path = make_file("opts.img", IMG_SIZE);
    Error *err = NULL;
    BlockBackend *blk;

    g_assert(!open_file(path, 0, &err, "locking", "bad"));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "invalid parameter value: bad");
    error_free(err);
    err = NULL;

    g_assert(!open_file(path, 0, &err, "aio", "fast"));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "invalid parameter value: fast");
    error_free(err);
    err = NULL;

    g_assert(!open_file(path, 0, &err, "pr-manager", "pr0"));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "No persistent reservation manager with id 'pr0'");
    error_free(err);

    blk = open_file(path, 0, &error_abort, "drop-cache", "off",
                    "x-check-cache-dropped", "on", "aio-max-batch", "16",
                    "locking", "off", "cache.no-flush", "on");
    g_assert_cmpint(blk_getlength(blk), ==, IMG_SIZE);
    blk_unref(blk);
}

static void test_file_prefix(void)
{
    g_autofree char *path = make_file("prefix.img", 3 * MiB);
    g_autofree char *prefixed = g_strdup_printf("file:%s", path);
    BlockBackend *blk;

    blk = blk_new_open(prefixed, NULL, NULL, BDRV_O_PROTOCOL, &error_abort);
    g_assert_cmpstr(blk_bs(blk)->drv->format_name, ==, "file");
    g_assert_cmpstr(blk_bs(blk)->filename, ==, path);
    g_assert_cmpint(blk_getlength(blk), ==, 3 * MiB);
    blk_unref(blk);
}

static void test_not_regular(void)
{
    Error *err = NULL;
    BlockBackend *blk;

    g_assert(!open_file("/dev/null", 0, &err, "locking", "off"));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "'file' driver requires '/dev/null' to be a regular file");
    error_free(err);

    /* Device paths are probed to host_device. */
    blk = blk_new_open("/dev/null", NULL, NULL, BDRV_O_PROTOCOL,
                       &error_abort);
    g_assert_cmpstr(blk_bs(blk)->drv->format_name, ==, "host_device");
    blk_unref(blk);
}

/*
 * A file that cannot be opened for writing: mode 0444 for a normal user;
 * for root, a read-only sysfs attribute (sysfs refuses writable opens
 * of those even to root).  NULL if neither works here.
 */
static char *read_only_file(void)
{
    static const char *const sysfs[] = {
        "/sys/devices/system/cpu/possible",
        "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
    };
    int i, fd;

    if (geteuid() != 0) {
        char *path = make_file("ro.img", IMG_SIZE);

        g_assert_cmpint(chmod(path, 0444), ==, 0);
        return path;
    }
    for (i = 0; i < ARRAY_SIZE(sysfs); i++) {
        fd = open(sysfs[i], O_RDWR);
        if (fd < 0 && (errno == EACCES || errno == EROFS)) {
            return g_strdup(sysfs[i]);
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    return NULL;
}

static void test_auto_read_only(void)
{
    g_autofree char *path = read_only_file();
    g_autofree char *want = NULL;
    Error *err = NULL;
    BlockDriverState *bs;
    QDict *opts;

    if (!path) {
        g_printerr("# no file here refuses writing to root\n");
        g_test_skip("no read-only file available");
        return;
    }
    want = g_strdup_printf("Could not open '%s': Permission denied", path);
    g_assert(!open_file(path, BDRV_O_RDWR, &err, "locking", "off"));
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    error_free(err);

    /*
     * A bare node: a BlockBackend opened with BDRV_O_RDWR would still ask
     * for the write permission the node no longer offers.
     */
    opts = qdict_new();
    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", path);
    qdict_put_str(opts, "locking", "off");
    qdict_put_str(opts, "auto-read-only", "on");
    bs = bdrv_open(NULL, NULL, opts, BDRV_O_RDWR, &error_abort);
    g_assert(bdrv_is_read_only(bs));
    g_assert(!(bs->open_flags & BDRV_O_RDWR));
    bdrv_unref(bs);
}

/* --- host_device on a loop device ------------------------------------ */

/* Attach @file to a free loop device (root only); NULL if impossible. */
static char *loop_attach(const char *file)
{
    g_autofree char *losetup = g_find_program_in_path("losetup");
    const char *argv[] = { "losetup", "--find", "--show", file, NULL };
    char *out = NULL;
    int status;

    if (geteuid() != 0 || !losetup) {
        return NULL;
    }
    argv[0] = losetup;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL,
                      NULL, NULL, &out, NULL, &status, NULL) ||
        !g_spawn_check_wait_status(status, NULL)) {
        g_free(out);
        return NULL;
    }
    return g_strstrip(out);
}

static void loop_detach(const char *dev)
{
    g_autofree char *losetup = g_find_program_in_path("losetup");
    const char *argv[] = { losetup, "-d", dev, NULL };
    int status;

    g_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, NULL,
                          NULL, &status, NULL));
    g_assert(g_spawn_check_wait_status(status, NULL));
}

static void test_host_device(void)
{
    g_autofree char *backing = make_file("loop.img", IMG_SIZE);
    g_autofree char *dev = NULL;
    g_autofree char *want = NULL;
    size_t len = 64 * KiB;
    g_autofree uint8_t *buf = qemu_memalign(4096, len);
    g_autofree uint8_t *rbuf = qemu_memalign(4096, len);
    BlockBackend *blk;
    BlockDriverState *bs;
    Error *err = NULL;
    blkcnt_t blocks;
    int64_t pnum;
    int ret;

    /* A regular file is not a device. */
    want = g_strdup_printf("'host_device' driver requires '%s' to be "
                           "either a character or block device", backing);
    {
        QDict *opts = qdict_new();

        qdict_put_str(opts, "driver", "host_device");
        qdict_put_str(opts, "filename", backing);
        g_assert(!blk_new_open(NULL, NULL, opts, 0, &err));
        g_assert_cmpstr(error_get_pretty(err), ==, want);
        error_free(err);
        err = NULL;
    }

    dev = loop_attach(backing);
    if (!dev) {
        g_printerr("# no loop device available (needs root and losetup)\n");
        g_test_skip("no loop device");
        return;
    }
    blk = blk_new_open(dev, NULL, NULL,
                       BDRV_O_PROTOCOL | BDRV_O_RDWR | BDRV_O_RESIZE |
                       BDRV_O_UNMAP, &error_abort);
    /*
     * Detach at once: the device is busy, so the kernel only marks it
     * autoclear and lets it go with the last close, even if we crash.
     */
    loop_detach(dev);
    bs = blk_bs(blk);
    g_assert_cmpstr(bs->drv->format_name, ==, "host_device");
    g_assert_cmpint(blk_getlength(blk), ==, IMG_SIZE);
    g_assert_cmpint(bs->bl.max_transfer, >, 0);
    g_assert(is_power_of_2(bs->bl.max_transfer));

    fill(buf, len, 23);
    g_assert_cmpint(blk_pwrite(blk, len, len, buf, 0), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    g_assert_cmpint(blk_pread(blk, len, len, rbuf, 0), ==, 0);
    g_assert(memcmp(buf, rbuf, len) == 0);

    /* BLKZEROOUT */
    g_assert_cmpint(blk_pwrite_zeroes(blk, len, len, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, len, len, rbuf, 0), ==, 0);
    g_assert(all_zero(rbuf, len));

    /* BLKDISCARD: the loop driver punches a hole in its backing file. */
    fill(buf, len, 37);
    g_assert_cmpint(blk_pwrite(blk, 0, len, buf, 0), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    blocks = stat_file(backing).st_blocks;
    g_assert_cmpint(blk_pdiscard(blk, 0, len), ==, 0);
    g_assert_cmpint(stat_file(backing).st_blocks, <, blocks);

    /* Devices have no holes to report: all data. */
    ret = bdrv_block_status(bs, 0, IMG_SIZE, &pnum, NULL, NULL);
    g_assert(ret & BDRV_BLOCK_DATA);
    g_assert_cmpint(pnum, ==, IMG_SIZE);

    /* Devices cannot change size. */
    g_assert_cmpint(blk_truncate(blk, IMG_SIZE / 2, true, PREALLOC_MODE_OFF,
                                 0, &err), ==, -ENOTSUP);
    g_assert_cmpstr(error_get_pretty(err), ==, "Cannot resize device files");
    error_free(err);
    err = NULL;
    g_assert_cmpint(blk_truncate(blk, IMG_SIZE * 2, false, PREALLOC_MODE_OFF,
                                 0, &err), ==, -EINVAL);
    g_assert_cmpstr(error_get_pretty(err), ==, "Cannot grow device files");
    error_free(err);
    g_assert_cmpint(blk_truncate(blk, IMG_SIZE / 2, false, PREALLOC_MODE_OFF,
                                 0, &error_abort), ==, 0);

    /* "Creating" a device image checks that the device can take it. */
    g_assert_cmpint(create_with("host_device", dev, "4M", NULL,
                                &error_abort), ==, 0);
    blk_unref(blk);
}

/* --- Copy offload ------------------------------------------------------ */

typedef struct CopyData {
    BlockBackend *src, *dst;
    int64_t bytes;
    int ret;
} CopyData;

static void coroutine_fn copy_entry(void *opaque)
{
    CopyData *d = opaque;

    d->ret = blk_co_copy_range(d->src, 0, d->dst, 4096, d->bytes, 0, 0);
}

static void test_copy_range(void)
{
    g_autofree char *spath = make_file("src.img", IMG_SIZE);
    g_autofree char *dpath = make_file("dst.img", IMG_SIZE);
    size_t len = 128 * KiB;
    g_autofree uint8_t *wbuf = g_malloc(len);
    g_autofree uint8_t *rbuf = g_malloc(len);
    CopyData d = { .bytes = len, .ret = -EINPROGRESS };
    Coroutine *co;

    d.src = open_file(spath, BDRV_O_RDWR, &error_abort, "aio", "threads");
    d.dst = open_file(dpath, BDRV_O_RDWR, &error_abort, "aio", "threads");
    fill(wbuf, len, 17);
    g_assert_cmpint(blk_pwrite(d.src, 0, len, wbuf, 0), ==, 0);

    co = qemu_coroutine_create(copy_entry, &d);
    qemu_coroutine_enter(co);
    while (d.ret == -EINPROGRESS) {
        aio_poll(qemu_get_aio_context(), true);
    }
    if (d.ret == -ENOTSUP) {
        g_printerr("# copy_file_range unsupported here\n");
        g_test_skip("copy_file_range unsupported");
    } else {
        g_assert_cmpint(d.ret, ==, 0);
        g_assert_cmpint(blk_pread(d.dst, 4096, len, rbuf, 0), ==, 0);
        g_assert(memcmp(wbuf, rbuf, len) == 0);
    }
    blk_unref(d.src);
    blk_unref(d.dst);
}

/* --- Main -------------------------------------------------------------- */

/* Number of entries of @dir whose name starts with "vl.". */
static int count_overlays(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    int n = 0;

    g_assert(d);
    while ((name = g_dir_read_name(d))) {
        n += g_str_has_prefix(name, "vl.");
    }
    g_dir_close(d);
    return n;
}

/*
 * BDRV_O_TEMPORARY (what -snapshot gives the overlay's file) means the
 * file is deleted when the node is closed.
 */
static void test_temporary(void)
{
    g_autofree char *path = make_file("temporary.img", IMG_SIZE);
    g_autofree char *tmpdir = g_build_filename(test_dir, "tmp", NULL);
    g_autofree char *old_tmpdir = g_strdup(g_getenv("TMPDIR"));
    uint8_t buf[512];
    BlockBackend *blk;
    QDict *opts;

    blk = open_file(path, BDRV_O_RDWR | BDRV_O_TEMPORARY, &error_abort,
                    NULL);
    g_assert(access(path, F_OK) == 0);
    unref_now(blk);
    g_assert(access(path, F_OK) < 0 && errno == ENOENT);

    /* Without the flag the file stays. */
    g_free(path);
    path = make_file("kept.img", IMG_SIZE);
    blk = open_file(path, BDRV_O_RDWR, &error_abort, NULL);
    unref_now(blk);
    g_assert(access(path, F_OK) == 0);

    /* The whole -snapshot path: the overlay lives in $TMPDIR meanwhile. */
    if (!bdrv_find_format("qcow2")) {
        g_test_skip("no qcow2 driver");
        return;
    }
    g_assert_cmpint(mkdir(tmpdir, 0755), ==, 0);
    g_setenv("TMPDIR", tmpdir, true);
    opts = qdict_new();
    qdict_put_str(opts, "driver", "raw");
    qdict_put_str(opts, "file.driver", "file");
    qdict_put_str(opts, "file.filename", path);
    blk = blk_new_open(NULL, NULL, opts, BDRV_O_RDWR | BDRV_O_SNAPSHOT,
                       &error_abort);
    if (old_tmpdir) {
        g_setenv("TMPDIR", old_tmpdir, true);
    } else {
        g_unsetenv("TMPDIR");
    }
    g_assert_cmpint(count_overlays(tmpdir), ==, 1);
    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(buf), buf, 0), ==, 0);
    unref_now(blk);
    g_assert_cmpint(count_overlays(tmpdir), ==, 0);
    g_assert_cmpint(rmdir(tmpdir), ==, 0);

    /* The write went to the overlay, not to the image. */
    blk = open_file(path, 0, &error_abort, NULL);
    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert(all_zero(buf, sizeof(buf)));
    unref_now(blk);
}

static void add_engine_tests(const char *name, GTestDataFunc fn)
{
    int i;

    for (i = 0; i < ARRAY_SIZE(engines); i++) {
        g_autofree char *path = g_strdup_printf("/file-posix/%s/%s", name,
                                                engines[i]);

        g_test_add_data_func(path, engines[i], fn);
    }
}

int main(int argc, char **argv)
{
    int ret;

    bdrv_init();
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("test-file-posix-XXXXXX", NULL);
    g_assert(test_dir);

    add_engine_tests("rw", test_rw);
    add_engine_tests("zero-discard", test_zero_discard);
    add_engine_tests("block-status", test_block_status);
    add_engine_tests("truncate", test_truncate);
    add_engine_tests("iothread", test_iothread);
    add_engine_tests("concurrent", test_concurrent);
    g_test_add_data_func("/file-posix/iothread-engine-freed/native",
                         "native", test_iothread_engine_freed);
    g_test_add_data_func("/file-posix/iothread-engine-freed/io_uring",
                         "io_uring", test_iothread_engine_freed);
    g_test_add_func("/file-posix/o-direct", test_o_direct);
    g_test_add_func("/file-posix/native-needs-direct",
                    test_native_needs_direct);
    g_test_add_func("/file-posix/create", test_create);
    g_test_add_func("/file-posix/delete-file", test_delete_file);
    g_test_add_func("/file-posix/temporary", test_temporary);
    g_test_add_func("/file-posix/invalidate-cache", test_invalidate_cache);
    g_test_add_func("/file-posix/missing-file", test_missing_file);
    g_test_add_func("/file-posix/options", test_options);
    g_test_add_func("/file-posix/file-prefix", test_file_prefix);
    g_test_add_func("/file-posix/not-regular", test_not_regular);
    g_test_add_func("/file-posix/auto-read-only", test_auto_read_only);
    g_test_add_func("/file-posix/copy-range", test_copy_range);
    g_test_add_func("/file-posix/host-device", test_host_device);

    ret = g_test_run();
    test_remove_dir(test_dir);
    g_free(test_dir);
    return ret;
}
