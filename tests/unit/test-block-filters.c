/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-block-filters: the raw format and the blkdebug, copy-on-read and
 * blkverify filters, on graphs built over in-memory mock nodes.
 *
 * "test-mem" is a protocol driver keeping its bytes in a buffer that the
 * cases can look at; "test-cow" is a format node with a backing file and a
 * per-cluster allocation map, for copy-on-read; "test-magic" only probes
 * (sector 0 starting with MAGIC), so that a probed raw image has a format
 * it must not turn into.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "block/copy-on-read.h"
#include "sysemu/block-backend.h"

#define MEM_SIZE    (1024 * 1024)
#define CLUSTER     4096
#define MAGIC       "MOCKFMT!"

/* ---- test-mem: an in-memory protocol node ---- */

typedef struct BDRVMemState {
    uint8_t *buf;
    int64_t size;
    int reads, writes, zero_writes, discards;
} BDRVMemState;

/* Nodes by their "label" option, for the cases to inspect. */
static GHashTable *mem_nodes;

static QemuOptsList mem_opts = {
    .name = "test-mem",
    .head = QTAILQ_HEAD_INITIALIZER(mem_opts.head),
    .desc = {
        { .name = "size", .type = QEMU_OPT_SIZE },
        { .name = "label", .type = QEMU_OPT_STRING },
        { /* end of list */ }
    },
};

static void mem_parse_filename(const char *filename, QDict *options,
                               Error **errp)
{
    /* "test-mem:" and nothing else */
}

static int mem_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVMemState *s = bs->opaque;
    QemuOpts *opts = qemu_opts_create(&mem_opts, NULL, 0, &error_abort);
    const char *label;

    qemu_opts_absorb_qdict(opts, options, &error_abort);
    s->size = qemu_opt_get_size(opts, "size", MEM_SIZE);
    s->buf = g_malloc0(s->size);
    label = qemu_opt_get(opts, "label");
    if (label) {
        g_hash_table_insert(mem_nodes, g_strdup(label), s);
    }
    qemu_opts_del(opts);
    bs->supported_zero_flags = BDRV_REQ_MAY_UNMAP;
    return 0;
}

static void mem_close(BlockDriverState *bs)
{
    BDRVMemState *s = bs->opaque;
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, mem_nodes);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (value == s) {
            g_hash_table_iter_remove(&it);
        }
    }
    g_free(s->buf);
}

static BDRVMemState *mem(const char *label)
{
    BDRVMemState *s = g_hash_table_lookup(mem_nodes, label);

    g_assert(s);
    return s;
}

static int64_t coroutine_fn mem_co_getlength(BlockDriverState *bs)
{
    return ((BDRVMemState *)bs->opaque)->size;
}

static int coroutine_fn mem_co_preadv(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      BdrvRequestFlags flags)
{
    BDRVMemState *s = bs->opaque;

    s->reads++;
    qemu_iovec_from_buf(qiov, 0, s->buf + offset, bytes);
    return 0;
}

static int coroutine_fn mem_co_pwritev(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags)
{
    BDRVMemState *s = bs->opaque;

    s->writes++;
    qemu_iovec_to_buf(qiov, 0, s->buf + offset, bytes);
    return 0;
}

static int coroutine_fn mem_co_pwrite_zeroes(BlockDriverState *bs,
                                             int64_t offset, int64_t bytes,
                                             BdrvRequestFlags flags)
{
    BDRVMemState *s = bs->opaque;

    s->zero_writes++;
    memset(s->buf + offset, 0, bytes);
    return 0;
}

static int coroutine_fn mem_co_pdiscard(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes)
{
    ((BDRVMemState *)bs->opaque)->discards++;
    return 0;
}

static int coroutine_fn mem_co_block_status(BlockDriverState *bs,
                                            bool want_zero, int64_t offset,
                                            int64_t bytes, int64_t *pnum,
                                            int64_t *map,
                                            BlockDriverState **file)
{
    *pnum = bytes;
    *map = offset;
    *file = bs;
    return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
}

static int coroutine_fn mem_co_truncate(BlockDriverState *bs, int64_t offset,
                                        bool exact, PreallocMode prealloc,
                                        BdrvRequestFlags flags, Error **errp)
{
    BDRVMemState *s = bs->opaque;

    s->buf = g_realloc(s->buf, offset);
    if (offset > s->size) {
        memset(s->buf + s->size, 0, offset - s->size);
    }
    s->size = offset;
    return 0;
}

static int mem_reopen_prepare(BDRVReopenState *state,
                              BlockReopenQueue *queue, Error **errp)
{
    return 0;
}

static BlockDriver bdrv_mem = {
    .format_name            = "test-mem",
    .protocol_name          = "test-mem",
    .instance_size          = sizeof(BDRVMemState),
    .bdrv_parse_filename    = mem_parse_filename,
    .bdrv_file_open         = mem_open,
    .bdrv_close             = mem_close,
    .bdrv_reopen_prepare    = mem_reopen_prepare,
    .bdrv_co_getlength      = mem_co_getlength,
    .bdrv_co_preadv         = mem_co_preadv,
    .bdrv_co_pwritev        = mem_co_pwritev,
    .bdrv_co_pwrite_zeroes  = mem_co_pwrite_zeroes,
    .bdrv_co_pdiscard       = mem_co_pdiscard,
    .bdrv_co_block_status   = mem_co_block_status,
    .bdrv_co_truncate       = mem_co_truncate,
};

/* ---- test-magic: a format that only probes ---- */

static int magic_probe(const uint8_t *buf, int buf_size, const char *name)
{
    return buf_size >= 8 && !memcmp(buf, MAGIC, 8) ? 100 : 0;
}

static int magic_open(BlockDriverState *bs, QDict *options, int flags,
                      Error **errp)
{
    error_setg(errp, "test-magic cannot be opened");
    return -ENOTSUP;
}

static BlockDriver bdrv_magic = {
    .format_name    = "test-magic",
    .is_format      = true,
    .bdrv_probe     = magic_probe,
    .bdrv_open      = magic_open,
};

/* ---- helpers ---- */

/* Open a BlockBackend on the graph described by "key=value,..." pairs. */
static BlockBackend *open_blk(const char *desc, Error **errp)
{
    QDict *options = qdict_new();
    g_auto(GStrv) pairs = g_strsplit(desc, ",", -1);
    int i;

    for (i = 0; pairs[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(pairs[i], "=", 2);

        g_assert(kv[0] && kv[1]);
        qdict_put_str(options, kv[0], kv[1]);
    }
    return blk_new_open(NULL, NULL, options, BDRV_O_RDWR | BDRV_O_RESIZE,
                        errp);
}

static void drain_main_loop(void)
{
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* run everything pending */
    }
}

static void close_blk(BlockBackend *blk)
{
    blk_unref(blk);
    drain_main_loop();
}

/* Expect opening @desc to fail with exactly @msg. */
static void expect_open_error(const char *desc, const char *msg)
{
    Error *err = NULL;
    BlockBackend *blk = open_blk(desc, &err);

    g_assert_null(blk);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    drain_main_loop();
}

/* ---- raw ---- */

static void test_raw_passthrough(void)
{
    BlockBackend *blk = open_blk("driver=raw,file.driver=test-mem,"
                                 "file.label=m", &error_abort);
    uint8_t buf[4096], out[4096];

    memset(buf, 0xa5, sizeof(buf));
    g_assert_cmpint(blk_getlength(blk), ==, MEM_SIZE);
    g_assert_cmpint(blk_pwrite(blk, 8192, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpmem(mem("m")->buf + 8192, sizeof(buf), buf, sizeof(buf));

    memset(mem("m")->buf + 8192, 0x3c, 512);
    g_assert_cmpint(blk_pread(blk, 8192, sizeof(out), out, 0), ==, 0);
    memset(buf, 0x3c, 512);
    g_assert_cmpmem(out, sizeof(out), buf, sizeof(buf));

    g_assert_cmpint(blk_pwrite_zeroes(blk, 8192, 4096, 0), ==, 0);
    g_assert_cmpint(mem("m")->zero_writes, ==, 1);
    g_assert_cmpint(mem("m")->buf[8192], ==, 0);
    g_assert_cmpint(blk_pdiscard(blk, 0, 65536), ==, 0);
    close_blk(blk);
}

static void test_raw_window(void)
{
    BlockBackend *blk = open_blk("driver=raw,offset=65536,size=131072,"
                                 "file.driver=test-mem,file.label=w",
                                 &error_abort);
    BlockDriverState *bs = blk_bs(blk);
    BlockDriverState *file;
    uint8_t buf[512];
    int64_t pnum, map;
    int ret;

    g_assert_cmpint(blk_getlength(blk), ==, 131072);

    memset(buf, 0x11, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(mem("w")->buf[65536], ==, 0x11);
    g_assert_cmpint(mem("w")->buf[65535], ==, 0);

    /* The last sector of the window is writable, the next one is not. */
    g_assert_cmpint(blk_pwrite(blk, 131072 - 512, 512, buf, 0), ==, 0);
    g_assert_cmpint(mem("w")->buf[65536 + 131072 - 1], ==, 0x11);
    g_assert_cmpint(mem("w")->buf[65536 + 131072], ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 131072, 512, buf, 0), <, 0);
    g_assert_cmpint(blk_pread(blk, 131072 - 256, 512, buf, 0), <, 0);

    /* Block status is answered by the file, at the shifted offset. */
    ret = bdrv_block_status(bs, 4096, 4096, &pnum, &map, &file);
    g_assert_cmpint(ret & BDRV_BLOCK_OFFSET_VALID, !=, 0);
    g_assert_cmpint(ret & BDRV_BLOCK_DATA, !=, 0);
    g_assert_cmpint(map, ==, 65536 + 4096);
    g_assert(file == bs->file->bs);

    /* A fixed size cannot be changed. */
    {
        Error *err = NULL;

        ret = blk_truncate(blk, 262144, false, PREALLOC_MODE_OFF, 0, &err);
        g_assert_cmpint(ret, ==, -ENOTSUP);
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Cannot resize fixed-size raw disks");
        error_free(err);
    }
    close_blk(blk);
}

static void test_raw_truncate_offset(void)
{
    BlockBackend *blk = open_blk("driver=raw,offset=4096,"
                                 "file.driver=test-mem,file.label=t",
                                 &error_abort);

    g_assert_cmpint(blk_getlength(blk), ==, MEM_SIZE - 4096);
    g_assert_cmpint(blk_truncate(blk, 65536, false, PREALLOC_MODE_OFF, 0,
                                 &error_abort), ==, 0);
    g_assert_cmpint(mem("t")->size, ==, 65536 + 4096);
    g_assert_cmpint(blk_getlength(blk), ==, 65536);
    close_blk(blk);
}

/* Reopen can move the window; a bad one leaves the old one in place. */
static void test_raw_reopen(void)
{
    BlockBackend *blk = open_blk("driver=raw,offset=0,"
                                 "file.driver=test-mem,file.label=r",
                                 &error_abort);
    BlockDriverState *bs = blk_bs(blk);
    QDict *opts;
    Error *err = NULL;
    uint8_t buf[512];

    mem("r")->buf[4096] = 0x99;
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0);

    opts = qdict_new();
    qdict_put_int(opts, "offset", 4096);
    g_assert_cmpint(bdrv_reopen(bs, opts, true, &error_abort), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x99);

    opts = qdict_new();
    qdict_put_int(opts, "offset", 4 * MEM_SIZE);
    g_assert_cmpint(bdrv_reopen(bs, opts, true, &err), <, 0);
    g_assert_nonnull(err);
    error_free(err);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x99);
    close_blk(blk);
}

static void test_raw_bad_options(void)
{
    expect_open_error("driver=raw,offset=2097152,file.driver=test-mem",
                      "Offset (2097152) cannot be greater than size of the "
                      "containing file (1048576)");
    expect_open_error("driver=raw,offset=524288,size=1048576,"
                      "file.driver=test-mem",
                      "The sum of offset (524288) and size (1048576) has to "
                      "be smaller or equal to the  actual size of the "
                      "containing file (1048576)");
    expect_open_error("driver=raw,size=1000,file.driver=test-mem",
                      "Specified size is not multiple of 512");
}

/* A probed raw image must not be turned into another format by a write. */
static void test_raw_probed_sector0(void)
{
    Error *err = NULL;
    BlockBackend *blk;
    uint8_t buf[512] = { 0 };

    blk = blk_new_open("test-mem:", NULL, NULL, BDRV_O_RDWR, &err);
    g_assert_null(err);
    g_assert(blk_bs(blk)->probed);
    g_assert_cmpstr(blk_bs(blk)->drv->format_name, ==, "raw");

    memcpy(buf, MAGIC, 8);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, -EPERM);
    /* Partial writes are merged with the old sector before probing. */
    g_assert_cmpint(blk_pwrite(blk, 0, 8, buf, 0), ==, -EPERM);
    g_assert_cmpint(blk_pwrite(blk, 512, 512, buf, 0), ==, 0);

    memset(buf, 0x42, 8);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    close_blk(blk);
}

static void test_raw_probe_score(void)
{
    BlockDriver *raw = bdrv_find_format("raw");
    uint8_t buf[512] = { 0 };

    g_assert_nonnull(raw);
    g_assert_cmpint(raw->bdrv_probe(buf, sizeof(buf), "x"), ==, 1);
}

/* ---- blkdebug ---- */

#define DBG_BASE "driver=raw,file.driver=blkdebug,file.image.driver=test-mem"

static void test_blkdebug_always(void)
{
    BlockBackend *blk = open_blk(DBG_BASE ",file.inject-error.0.event=read_aio"
                                 ",file.inject-error.0.errno=5",
                                 &error_abort);
    uint8_t buf[512] = { 0 };

    /* Not armed before the first read_aio event. */
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(blk_pread(blk, 4096, 512, buf, 0), ==, -EIO);
    /* Once armed, the rule (all I/O types by default) stays armed. */
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(blk_flush(blk), ==, -EIO);
    close_blk(blk);
}

/* inject-error.KEY (no index) is a single rule, as in QEMU. */
static void test_blkdebug_single_section(void)
{
    BlockBackend *blk = open_blk(DBG_BASE ",file.inject-error.event=read_aio"
                                 ",file.inject-error.errno=1",
                                 &error_abort);
    uint8_t buf[512];

    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -EPERM);
    close_blk(blk);
}

static void test_blkdebug_once(void)
{
    BlockBackend *blk = open_blk(DBG_BASE ",file.inject-error.0.event=read_aio"
                                 ",file.inject-error.0.errno=28"
                                 ",file.inject-error.0.once=on"
                                 ",file.inject-error.0.immediately=on",
                                 &error_abort);
    uint8_t buf[512];

    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -ENOSPC);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    close_blk(blk);
}

static void test_blkdebug_sector(void)
{
    BlockBackend *blk = open_blk(DBG_BASE ",file.inject-error.0.event=read_aio"
                                 ",file.inject-error.0.sector=8",
                                 &error_abort);
    uint8_t buf[4096];

    g_assert_cmpint(blk_pread(blk, 0, 4096, buf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 4096, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(blk_pread(blk, 2048, 4096, buf, 0), ==, -EIO);
    g_assert_cmpint(blk_pread(blk, 4608, 512, buf, 0), ==, 0);
    close_blk(blk);
}

static void test_blkdebug_state(void)
{
    BlockBackend *blk = open_blk(DBG_BASE
                                 ",file.set-state.0.event=write_aio"
                                 ",file.set-state.0.state=1"
                                 ",file.set-state.0.new_state=2"
                                 ",file.inject-error.0.event=read_aio"
                                 ",file.inject-error.0.state=2",
                                 &error_abort);
    uint8_t buf[512] = { 0 };

    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -EIO);
    close_blk(blk);
}

static void test_blkdebug_iotype(void)
{
    /* Armed by a write, but only for reads. */
    BlockBackend *blk = open_blk(DBG_BASE ",file.inject-error.0.event=write_aio"
                                 ",file.inject-error.0.iotype=read",
                                 &error_abort);
    uint8_t buf[512] = { 0 };

    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -EIO);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    close_blk(blk);
}

static void test_blkdebug_bad_options(void)
{
    expect_open_error(DBG_BASE ",file.inject-error.0.event=no_such_event",
                      "invalid parameter value: no_such_event");
    expect_open_error(DBG_BASE ",file.inject-error.0.errno=5",
                      "Missing event name for rule");
    expect_open_error(DBG_BASE ",file.inject-error.0.event=read_aio"
                      ",file.inject-error.0.iotype=sideways",
                      "invalid parameter value: sideways");
    expect_open_error(DBG_BASE ",file.inject-error.0.event=read_aio"
                      ",file.inject-error.0.foo=1",
                      "[inject-error] section doesn't support the option "
                      "'foo'");
    expect_open_error(DBG_BASE ",file.inject-error.event=read_aio"
                      ",file.inject-error.foo=1",
                      "Unknown option 'foo' for [inject-error]");
    expect_open_error(DBG_BASE ",file.set-state.0.event=read_aio"
                      ",file.set-state.x=1",
                      "Unused option 'x' for [set-state]");
    expect_open_error(DBG_BASE ",file.align=3",
                      "Cannot meet constraints with align 3");
    expect_open_error(DBG_BASE ",file.align=4096,file.max-transfer=512",
                      "Cannot meet constraints with max-transfer 512");
}

static void test_blkdebug_align(void)
{
    BlockBackend *blk = open_blk(DBG_BASE ",file.align=4096"
                                 ",file.max-transfer=65536",
                                 &error_abort);
    BlockDriverState *dbg = blk_bs(blk)->file->bs;

    g_assert_cmpint(dbg->bl.request_alignment, ==, 4096);
    g_assert_cmpint(dbg->bl.max_transfer, ==, 65536);
    close_blk(blk);
}

static void test_blkdebug_child_perms(void)
{
    BlockBackend *blk = open_blk(DBG_BASE ",file.take-child-perms.0=resize"
                                 ",file.unshare-child-perms.0=write"
                                 ",file.unshare-child-perms.1=resize",
                                 &error_abort);
    BdrvChild *c = blk_bs(blk)->file->bs->file;

    g_assert_cmpint(c->perm & BLK_PERM_RESIZE, !=, 0);
    g_assert_cmpint(c->shared_perm & (BLK_PERM_WRITE | BLK_PERM_RESIZE),
                    ==, 0);
    g_assert_cmpint(c->shared_perm & BLK_PERM_CONSISTENT_READ, !=, 0);
    close_blk(blk);

    expect_open_error(DBG_BASE ",file.take-child-perms.0=fly",
                      "Parameter 'null' does not accept value 'fly'");
}

static char *write_config(const char *text)
{
    GError *gerr = NULL;
    char *path;
    int fd = g_file_open_tmp("blkdebug-XXXXXX.cfg", &path, &gerr);

    g_assert_no_error(gerr);
    g_assert_cmpint(write(fd, text, strlen(text)), ==, strlen(text));
    close(fd);
    return path;
}

static void test_blkdebug_config_file(void)
{
    g_autofree char *path = write_config(
        "# error once the image has been written\n"
        "[set-state]\n"
        "  event = \"write_aio\"\n"
        "  state = \"1\"\n"
        "  new_state = \"2\"\n"
        "\n"
        "[inject-error]\n"
        "event = \"read_aio\"\n"
        "state = \"2\"\n"
        "errno = \"28\"\n"
        "once = \"on\"\n");
    g_autofree char *desc = g_strdup_printf(DBG_BASE ",file.config=%s",
                                            path);
    BlockBackend *blk = open_blk(desc, &error_abort);
    uint8_t buf[512] = { 0 };

    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite(blk, 0, 512, buf, 0), ==, 0);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -ENOSPC);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    close_blk(blk);
    unlink(path);
}

/* Malformed config files fail with QEMU 7.2's messages. */
static void test_blkdebug_config_errors(void)
{
    static const struct {
        const char *text;
        const char *msg;
    } cases[] = {
        /* a stray word is an (unknown) parameter with an empty value */
        { "[inject-error]\nevent = \"read_aio\"\nthis is not an option\n",
          "Invalid parameter 'this'" },
        { "\nevent = \"read_aio\"\n", "no group defined" },
        /* headers start in the first column */
        { "  [inject-error]\n", "no group defined" },
        { "[no-such-group]\n", "There is no option group 'no-such-group'" },
        { "[inject-error]\n   \n", "parse error" },
        /* unquoted values are not values */
        { "[inject-error]\nevent = read_aio\n",
          "invalid parameter value: " },
        { "[inject-error]\nerrno = \"\"\n",
          "Parameter 'errno' expects a number" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = write_config(cases[i].text);
        g_autofree char *desc = g_strdup_printf(DBG_BASE ",file.config=%s",
                                                path);

        expect_open_error(desc, cases[i].msg);
        unlink(path);
    }
    expect_open_error(DBG_BASE ",file.config=/nonexistent/blkdebug.cfg",
                      "Could not read blkdebug config file: "
                      "No such file or directory");
}

/* "blkdebug:config:image" fills in config and x-image. */
static void test_blkdebug_filename(void)
{
    g_autofree char *path = write_config("[inject-error]\n"
                                         "event = \"read_aio\"\n");
    g_autofree char *name = g_strdup_printf("blkdebug:%s:test-mem:", path);
    QDict *options = qdict_new();
    BlockBackend *blk;
    uint8_t buf[512];

    qdict_put_str(options, "driver", "raw");
    blk = blk_new_open(name, NULL, options, BDRV_O_RDWR, &error_abort);
    g_assert_cmpstr(blk_bs(blk)->file->bs->drv->format_name, ==,
                    "blkdebug");
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, -EIO);
    close_blk(blk);
    unlink(path);
}

static void aio_done(void *opaque, int ret)
{
    int *result = opaque;

    *result = ret;
}

static void test_blkdebug_breakpoint(void)
{
    BlockBackend *blk = open_blk(DBG_BASE, &error_abort);
    BlockDriverState *bs = blk_bs(blk);
    uint8_t buf[512];
    QEMUIOVector qiov;
    int result = 1;

    memset(buf, 0x77, sizeof(buf));
    qemu_iovec_init_buf(&qiov, buf, sizeof(buf));

    g_assert_cmpint(bdrv_debug_breakpoint(bs, "nonsense", "A"), ==, -ENOENT);
    g_assert_cmpint(bdrv_debug_breakpoint(bs, "write_aio", "A"), ==, 0);
    g_assert_false(bdrv_debug_is_suspended(bs, "A"));

    blk_aio_pwritev(blk, 0, &qiov, 0, aio_done, &result);
    drain_main_loop();
    g_assert_true(bdrv_debug_is_suspended(bs, "A"));
    g_assert_cmpint(result, ==, 1);
    g_assert_cmpint(bdrv_debug_resume(bs, "B"), ==, -ENOENT);

    g_assert_cmpint(bdrv_debug_resume(bs, "A"), ==, 0);
    drain_main_loop();
    g_assert_false(bdrv_debug_is_suspended(bs, "A"));
    g_assert_cmpint(result, ==, 0);

    /* The breakpoint was used up; a second write goes straight through. */
    result = 1;
    blk_aio_pwritev(blk, 512, &qiov, 0, aio_done, &result);
    drain_main_loop();
    g_assert_cmpint(result, ==, 0);

    /* remove_break drops a breakpoint that never hit. */
    g_assert_cmpint(bdrv_debug_breakpoint(bs, "read_aio", "C"), ==, 0);
    g_assert_cmpint(bdrv_debug_remove_breakpoint(bs, "C"), ==, 0);
    g_assert_cmpint(bdrv_debug_remove_breakpoint(bs, "C"), ==, -ENOENT);
    g_assert_cmpint(blk_pread(blk, 0, 512, buf, 0), ==, 0);
    close_blk(blk);
}

/* ---- blkverify ---- */

#define VERIFY_DESC "driver=blkverify,raw.driver=test-mem,raw.label=vr," \
                    "test.driver=test-mem,test.label=vt"

static void test_blkverify_match(void)
{
    BlockBackend *blk = open_blk(VERIFY_DESC, &error_abort);
    uint8_t buf[4096], out[4096];

    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 4096, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpmem(mem("vr")->buf + 4096, 4096, buf, 4096);
    g_assert_cmpmem(mem("vt")->buf + 4096, 4096, buf, 4096);
    g_assert_cmpint(blk_pread(blk, 4096, sizeof(out), out, 0), ==, 0);
    g_assert_cmpmem(out, sizeof(out), buf, sizeof(buf));
    close_blk(blk);
}

static void test_blkverify_mismatch(void)
{
    if (g_test_subprocess()) {
        BlockBackend *blk = open_blk(VERIFY_DESC, &error_abort);
        uint8_t out[4096];

        mem("vt")->buf[8192 + 100] = 1;
        blk_pread(blk, 8192, sizeof(out), out, 0);
        return;     /* not reached: blkverify exits */
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("blkverify: read offset=8192 bytes=4096 "
                              "contents mismatch at offset 8292\n");
}

/* The "test" child is an image: its format is probed, as in QEMU. */
static void test_blkverify_probes_test(void)
{
    BlockBackend *blk = open_blk("driver=blkverify,raw.driver=test-mem,"
                                 "test.file.driver=test-mem", &error_abort);
    BlockDriverState *bs = blk_bs(blk);
    BdrvChild *c;
    const char *test_fmt = NULL;

    bdrv_graph_rdlock_main_loop();
    QLIST_FOREACH(c, &bs->children, next) {
        if (!strcmp(c->name, "test")) {
            test_fmt = c->bs->drv->format_name;
        }
    }
    bdrv_graph_rdunlock_main_loop();
    g_assert_cmpstr(test_fmt, ==, "raw");
    close_blk(blk);
}

/* A child that fails where the other succeeds is a mismatch, too. */
static void test_blkverify_return_mismatch(void)
{
    if (g_test_subprocess()) {
        BlockBackend *blk = open_blk(
            "driver=blkverify,raw.driver=test-mem,test.driver=raw,"
            "test.file.driver=blkdebug,test.file.image.driver=test-mem,"
            "test.file.inject-error.0.event=read_aio", &error_abort);
        uint8_t out[512];

        blk_pread(blk, 0, sizeof(out), out, 0);
        return;     /* not reached */
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("blkverify: read offset=0 bytes=512 "
                              "return value mismatch -5 != 0\n");
}

/* ---- copy-on-read ---- */

typedef struct BDRVCowState {
    int64_t size;
    uint8_t *buf;
    bool *alloc;            /* one flag per CLUSTER */
} BDRVCowState;

static int cow_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVCowState *s = bs->opaque;

    s->size = 16 * CLUSTER;
    s->buf = g_malloc0(s->size);
    s->alloc = g_new0(bool, 16);
    return 0;
}

static void cow_close(BlockDriverState *bs)
{
    BDRVCowState *s = bs->opaque;

    g_free(s->buf);
    g_free(s->alloc);
}

static int64_t coroutine_fn cow_co_getlength(BlockDriverState *bs)
{
    return ((BDRVCowState *)bs->opaque)->size;
}

static int coroutine_fn cow_co_block_status(BlockDriverState *bs,
                                            bool want_zero, int64_t offset,
                                            int64_t bytes, int64_t *pnum,
                                            int64_t *map,
                                            BlockDriverState **file)
{
    BDRVCowState *s = bs->opaque;
    bool state = s->alloc[offset / CLUSTER];
    int64_t end = ROUND_UP(offset + 1, CLUSTER);

    while (end < offset + bytes && s->alloc[end / CLUSTER] == state) {
        end += CLUSTER;
    }
    *pnum = MIN(end, offset + bytes) - offset;
    *map = offset;
    *file = bs;
    return state ? BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID : 0;
}

static int coroutine_fn GRAPH_RDLOCK
cow_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
              QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BDRVCowState *s = bs->opaque;
    int64_t done = 0;

    while (done < bytes) {
        int64_t pos = offset + done;
        int64_t n = MIN(bytes - done, ROUND_UP(pos + 1, CLUSTER) - pos);

        if (s->alloc[pos / CLUSTER] || !bs->backing) {
            qemu_iovec_from_buf(qiov, done, s->buf + pos, n);
        } else {
            int ret = bdrv_co_preadv_part(bs->backing, pos, n, qiov, done, 0);

            if (ret < 0) {
                return ret;
            }
        }
        done += n;
    }
    return 0;
}

static int coroutine_fn cow_co_pwritev(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags)
{
    BDRVCowState *s = bs->opaque;
    int64_t i;

    qemu_iovec_to_buf(qiov, 0, s->buf + offset, bytes);
    for (i = offset / CLUSTER; i < DIV_ROUND_UP(offset + bytes, CLUSTER);
         i++) {
        s->alloc[i] = true;
    }
    return 0;
}

static BlockDriver bdrv_cow = {
    .format_name            = "test-cow",
    .instance_size          = sizeof(BDRVCowState),
    .supports_backing       = true,
    .bdrv_open              = cow_open,
    .bdrv_close             = cow_close,
    .bdrv_co_getlength      = cow_co_getlength,
    .bdrv_co_block_status   = cow_co_block_status,
    .bdrv_co_preadv         = cow_co_preadv,
    .bdrv_co_pwritev        = cow_co_pwritev,
    .bdrv_child_perm        = bdrv_default_perms,
};

static BDRVCowState *cow(BlockDriverState *bs)
{
    return bs->opaque;
}

static BlockDriverState *cow_node(const char *name, uint8_t fill,
                                  int first, int n)
{
    BlockDriverState *bs = bdrv_new_open_driver(&bdrv_cow, name,
                                                BDRV_O_RDWR, &error_abort);

    memset(cow(bs)->buf + first * CLUSTER, fill, n * CLUSTER);
    memset(cow(bs)->alloc + first, true, n);
    return bs;
}

static void cow_set_backing(BlockDriverState *bs, BlockDriverState *backing)
{
    bdrv_drained_begin(bs);
    bdrv_graph_wrlock();
    bdrv_set_backing_hd(bs, backing, &error_abort);
    bdrv_graph_wrunlock();
    bdrv_drained_end(bs);
    bdrv_unref(backing);
}

/*
 * top:  . . . . T
 * mid:  . . M M .
 * base: B B B . .
 */
static void cow_chain(BlockDriverState **top, BlockDriverState **mid)
{
    BlockDriverState *base = cow_node("cor-base", 0xbb, 0, 3);

    *mid = cow_node("cor-mid", 0xdd, 2, 2);
    *top = cow_node("cor-top", 0xee, 4, 1);
    cow_set_backing(*mid, base);
    cow_set_backing(*top, *mid);
}

/*
 * The copying itself is done by the core (block/io.c) for reads flagged
 * BDRV_REQ_COPY_ON_READ.  Until the core implements it, the cases check
 * only what the filter decides (data, and what must not be copied) and
 * report the rest as skipped.
 */
static bool cor_in_core(BlockDriverState *top, int cluster)
{
    if (!cow(top)->alloc[cluster]) {
        g_test_skip("block/io.c does not implement copy-on-read yet");
        return false;
    }
    return true;
}

static void test_cor_populates_top(void)
{
    BlockDriverState *top, *mid;
    BlockBackend *blk;
    uint8_t buf[5 * CLUSTER];

    cow_chain(&top, &mid);
    blk = open_blk("driver=copy-on-read,file=cor-top", &error_abort);
    bdrv_unref(top);

    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0xbb);
    g_assert_cmpint(buf[2 * CLUSTER], ==, 0xdd);
    g_assert_cmpint(buf[4 * CLUSTER], ==, 0xee);

    if (!cor_in_core(top, 0)) {
        close_blk(blk);
        return;
    }
    /* Everything read now lives in the top image. */
    g_assert_true(cow(top)->alloc[0] && cow(top)->alloc[1] &&
                  cow(top)->alloc[2] && cow(top)->alloc[3]);
    g_assert_cmpint(cow(top)->buf[CLUSTER], ==, 0xbb);
    g_assert_cmpint(cow(top)->buf[3 * CLUSTER], ==, 0xdd);
    g_assert_false(cow(top)->alloc[5]);
    close_blk(blk);
}

static void test_cor_bottom(void)
{
    BlockDriverState *top, *mid;
    BlockBackend *blk;
    uint8_t buf[5 * CLUSTER];

    cow_chain(&top, &mid);
    blk = open_blk("driver=copy-on-read,file=cor-top,bottom=cor-mid",
                   &error_abort);
    bdrv_unref(top);

    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0xbb);
    g_assert_cmpint(buf[3 * CLUSTER], ==, 0xdd);

    /* Only what came from mid (the bottom, inclusive) is copied. */
    g_assert_false(cow(top)->alloc[0] || cow(top)->alloc[1]);
    if (cor_in_core(top, 2)) {
        g_assert_true(cow(top)->alloc[2] && cow(top)->alloc[3]);
        g_assert_cmpint(cow(top)->buf[2 * CLUSTER], ==, 0xdd);
    }
    close_blk(blk);

    expect_open_error("driver=copy-on-read,file.driver=test-mem,"
                      "bottom=no-such-node",
                      "Bottom node 'no-such-node' not found");
}

/* With a bottom node the chain is frozen; dropping the filter thaws it. */
static void test_cor_frozen_and_drop(void)
{
    BlockDriverState *top, *mid, *cor_bs;
    BlockBackend *blk;
    Error *err = NULL;
    int ret;

    cow_chain(&top, &mid);
    blk = open_blk("driver=copy-on-read,file=cor-top,bottom=cor-mid",
                   &error_abort);
    bdrv_unref(top);
    cor_bs = blk_bs(blk);

    bdrv_drained_begin(top);
    bdrv_graph_wrlock();
    ret = bdrv_set_backing_hd(top, NULL, &err);
    bdrv_graph_wrunlock();
    bdrv_drained_end(top);
    g_assert_cmpint(ret, <, 0);
    g_assert_nonnull(err);
    error_free(err);
    bdrv_graph_rdlock_main_loop();
    g_assert(top->backing && top->backing->bs == mid);
    bdrv_graph_rdunlock_main_loop();

    bdrv_ref(cor_bs);
    bdrv_cor_filter_drop(cor_bs);
    g_assert(blk_bs(blk) == top);
    bdrv_unref(cor_bs);
    drain_main_loop();

    bdrv_drained_begin(top);
    bdrv_graph_wrlock();
    ret = bdrv_set_backing_hd(top, NULL, &error_abort);
    bdrv_graph_wrunlock();
    bdrv_drained_end(top);
    g_assert_cmpint(ret, ==, 0);
    close_blk(blk);
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    bdrv_register(&bdrv_mem);
    bdrv_register(&bdrv_magic);
    mem_nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/raw/passthrough", test_raw_passthrough);
    g_test_add_func("/raw/window", test_raw_window);
    g_test_add_func("/raw/truncate-offset", test_raw_truncate_offset);
    g_test_add_func("/raw/bad-options", test_raw_bad_options);
    g_test_add_func("/raw/reopen", test_raw_reopen);
    g_test_add_func("/raw/probed-sector0", test_raw_probed_sector0);
    g_test_add_func("/raw/probe-score", test_raw_probe_score);

    g_test_add_func("/blkdebug/always", test_blkdebug_always);
    g_test_add_func("/blkdebug/once", test_blkdebug_once);
    g_test_add_func("/blkdebug/single-section",
                    test_blkdebug_single_section);
    g_test_add_func("/blkdebug/sector", test_blkdebug_sector);
    g_test_add_func("/blkdebug/state", test_blkdebug_state);
    g_test_add_func("/blkdebug/iotype", test_blkdebug_iotype);
    g_test_add_func("/blkdebug/bad-options", test_blkdebug_bad_options);
    g_test_add_func("/blkdebug/align", test_blkdebug_align);
    g_test_add_func("/blkdebug/child-perms", test_blkdebug_child_perms);
    g_test_add_func("/blkdebug/config-file", test_blkdebug_config_file);
    g_test_add_func("/blkdebug/config-errors", test_blkdebug_config_errors);
    g_test_add_func("/blkdebug/filename", test_blkdebug_filename);
    g_test_add_func("/blkdebug/breakpoint", test_blkdebug_breakpoint);

    g_test_add_func("/blkverify/match", test_blkverify_match);
    g_test_add_func("/blkverify/mismatch", test_blkverify_mismatch);
    g_test_add_func("/blkverify/probes-test", test_blkverify_probes_test);
    g_test_add_func("/blkverify/return-mismatch",
                    test_blkverify_return_mismatch);

    g_test_add_func("/copy-on-read/populates-top", test_cor_populates_top);
    g_test_add_func("/copy-on-read/bottom", test_cor_bottom);
    g_test_add_func("/copy-on-read/frozen-and-drop",
                    test_cor_frozen_and_drop);

    return g_test_run();
}
