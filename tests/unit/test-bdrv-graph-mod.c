/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-bdrv-graph-mod.c: the node graph core (block.c and its parts in
 * block/): opening nodes and their options, node names, edges, permission
 * conflicts, graph changes with roll-back, frozen chains and reopen.
 *
 * Three mock drivers stand in for the real ones: a protocol ("mock-proto",
 * prefix "mock:"), a format with backing support ("mock-fmt") and a filter
 * ("mock-filter").  Root users of nodes are edges of a test child class,
 * so that no BlockBackend is needed.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/qdict.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "sysemu/block-backend.h"

/* --- Mock drivers ------------------------------------------------------ */

typedef struct MockState {
    bool fail_check_perm;       /* make .bdrv_check_perm fail */
    uint64_t perm;              /* as last set by .bdrv_set_perm */
    int reopen_prepared;
    int reopen_committed;
    int reopen_aborted;
    char path[64];              /* "path" option of mock-proto */
} MockState;

static const char *const mock_mutable_opts[] = { "tag", NULL };
static const char *const mock_strong_opts[] = { "tag", NULL };

static int mock_check_perm(BlockDriverState *bs, uint64_t perm,
                           uint64_t shared, Error **errp)
{
    MockState *s = bs->opaque;

    if (s->fail_check_perm) {
        error_setg(errp, "mock refuses permissions on '%s'", bs->node_name);
        return -EPERM;
    }
    return 0;
}

static void mock_set_perm(BlockDriverState *bs, uint64_t perm,
                          uint64_t shared)
{
    MockState *s = bs->opaque;

    s->perm = perm;
}

static int mock_reopen_prepare(BDRVReopenState *state, BlockReopenQueue *q,
                               Error **errp)
{
    MockState *s = state->bs->opaque;

    /* The driver's own option: may be changed. */
    qdict_del(state->options, "tag");
    s->reopen_prepared++;
    return 0;
}

static void mock_reopen_commit(BDRVReopenState *state)
{
    MockState *s = state->bs->opaque;

    s->reopen_committed++;
}

static void mock_reopen_abort(BDRVReopenState *state)
{
    MockState *s = state->bs->opaque;

    s->reopen_aborted++;
}

/* What mock-proto images start with; probing looks for it. */
#define MOCK_MAGIC "MOCKFMT"
static bool mock_image_has_magic;

static int coroutine_fn mock_co_preadv(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags)
{
    qemu_iovec_memset(qiov, 0, 0, bytes);
    if (mock_image_has_magic && offset < sizeof(MOCK_MAGIC)) {
        qemu_iovec_from_buf(qiov, 0, &MOCK_MAGIC[offset],
                            MIN(bytes, sizeof(MOCK_MAGIC) - offset));
    }
    return 0;
}

static int mock_fmt_probe(const uint8_t *buf, int buf_size,
                          const char *filename)
{
    return buf_size >= strlen(MOCK_MAGIC) &&
           !memcmp(buf, MOCK_MAGIC, strlen(MOCK_MAGIC)) ? 100 : 0;
}

/* Every mock node is this long. */
#define MOCK_SIZE (1024 * 1024)

static int64_t coroutine_fn mock_co_getlength(BlockDriverState *bs)
{
    return MOCK_SIZE;
}

static int mock_proto_open(BlockDriverState *bs, QDict *options, int flags,
                           Error **errp)
{
    MockState *s = bs->opaque;

    pstrcpy(s->path, sizeof(s->path), qdict_get_try_str(options, "path") ?: "");
    qdict_del(options, "path");
    qdict_del(options, "filename");
    qdict_del(options, "tag");
    return 0;
}

static void mock_proto_parse_filename(const char *filename, QDict *options,
                                      Error **errp)
{
    const char *rest;

    /* "mock:PATH" */
    if (!strstart(filename, "mock:", &rest)) {
        error_setg(errp, "mock filenames start with 'mock:'");
        return;
    }
    qdict_put_str(options, "path", rest);
}

/* What the mock drivers' image creation saw last. */
static struct {
    char proto_filename[64];
    uint64_t proto_size;
    char fmt_backing[64];
    char fmt_backing_fmt[16];
} created;

static QemuOptsList mock_proto_create_opts = {
    .name = "mock-proto-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(mock_proto_create_opts.head),
    .desc = {
        { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE, .help = "size" },
        { /* end of list */ }
    },
};

static QemuOptsList mock_fmt_create_opts = {
    .name = "mock-fmt-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(mock_fmt_create_opts.head),
    .desc = {
        { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE, .help = "size" },
        { .name = BLOCK_OPT_BACKING_FILE, .type = QEMU_OPT_STRING,
          .help = "backing file" },
        { .name = BLOCK_OPT_BACKING_FMT, .type = QEMU_OPT_STRING,
          .help = "backing format" },
        { /* end of list */ }
    },
};

static int coroutine_fn mock_proto_co_create_opts(BlockDriver *drv,
                                                  const char *filename,
                                                  QemuOpts *opts,
                                                  Error **errp)
{
    pstrcpy(created.proto_filename, sizeof(created.proto_filename),
            filename);
    created.proto_size = qemu_opt_get_size(opts, BLOCK_OPT_SIZE, 0);
    return 0;
}

static int coroutine_fn mock_fmt_co_create_opts(BlockDriver *drv,
                                                const char *filename,
                                                QemuOpts *opts,
                                                Error **errp)
{
    pstrcpy(created.fmt_backing, sizeof(created.fmt_backing),
            qemu_opt_get(opts, BLOCK_OPT_BACKING_FILE) ?: "");
    pstrcpy(created.fmt_backing_fmt, sizeof(created.fmt_backing_fmt),
            qemu_opt_get(opts, BLOCK_OPT_BACKING_FMT) ?: "");
    return bdrv_co_create_file(filename, opts, errp);
}

static BlockDriver bdrv_mock_proto = {
    .format_name            = "mock-proto",
    .protocol_name          = "mock",
    .instance_size          = sizeof(MockState),
    .bdrv_file_open         = mock_proto_open,
    .bdrv_co_create_opts    = mock_proto_co_create_opts,
    .create_opts            = &mock_proto_create_opts,
    .bdrv_parse_filename    = mock_proto_parse_filename,
    .bdrv_check_perm        = mock_check_perm,
    .bdrv_set_perm          = mock_set_perm,
    .bdrv_reopen_prepare    = mock_reopen_prepare,
    .bdrv_reopen_commit     = mock_reopen_commit,
    .bdrv_reopen_abort      = mock_reopen_abort,
    .bdrv_co_preadv         = mock_co_preadv,
    .bdrv_co_getlength      = mock_co_getlength,
    .mutable_opts           = mock_mutable_opts,
    .strong_runtime_opts    = mock_strong_opts,
};

/* "hdr-backing"/"hdr-backing-fmt" play the backing file name in a header. */
static int coroutine_fn mock_co_pwritev(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes, QEMUIOVector *qiov,
                                        BdrvRequestFlags flags)
{
    return 0;
}

/* A protocol that cannot create images: bdrv_co_create_opts_simple(). */
static BlockDriver bdrv_mock_simple = {
    .format_name            = "mock-simple",
    .protocol_name          = "msimple",
    .instance_size          = sizeof(MockState),
    .bdrv_file_open         = mock_proto_open,
    .bdrv_co_preadv         = mock_co_preadv,
    .bdrv_co_pwritev        = mock_co_pwritev,
    .bdrv_co_getlength      = mock_co_getlength,
    .bdrv_co_create_opts    = bdrv_co_create_opts_simple,
    .create_opts            = &bdrv_create_opts_simple,
};

static int mock_fmt_open(BlockDriverState *bs, QDict *options, int flags,
                         Error **errp)
{
    pstrcpy(bs->backing_file, sizeof(bs->backing_file),
            qdict_get_try_str(options, "hdr-backing") ?: "");
    pstrcpy(bs->backing_format, sizeof(bs->backing_format),
            qdict_get_try_str(options, "hdr-backing-fmt") ?: "");
    qdict_del(options, "hdr-backing");
    qdict_del(options, "hdr-backing-fmt");
    qdict_del(options, "tag");
    return bdrv_open_file_child(NULL, options, "file", bs, errp);
}

/* Headers are not written; accepting is all a mock can do. */
static int mock_fmt_change_backing_file(BlockDriverState *bs,
                                        const char *backing_file,
                                        const char *backing_fmt)
{
    return 0;
}

static BlockDriver bdrv_mock_fmt = {
    .format_name            = "mock-fmt",
    .instance_size          = sizeof(MockState),
    .is_format              = true,
    .supports_backing       = true,
    .bdrv_open              = mock_fmt_open,
    .bdrv_co_create_opts    = mock_fmt_co_create_opts,
    .create_opts            = &mock_fmt_create_opts,
    .bdrv_probe             = mock_fmt_probe,
    .bdrv_has_zero_init     = bdrv_has_zero_init_1,
    .bdrv_change_backing_file = mock_fmt_change_backing_file,
    .bdrv_child_perm        = bdrv_default_perms,
    .bdrv_check_perm        = mock_check_perm,
    .bdrv_set_perm          = mock_set_perm,
    .bdrv_reopen_prepare    = mock_reopen_prepare,
    .bdrv_reopen_commit     = mock_reopen_commit,
    .bdrv_reopen_abort      = mock_reopen_abort,
    .bdrv_co_preadv         = mock_co_preadv,
    .bdrv_co_getlength      = mock_co_getlength,
    .mutable_opts           = mock_mutable_opts,
    .strong_runtime_opts    = mock_strong_opts,
};

/* A filter opened with or without a "file" child (bdrv_append adds one). */
static int mock_filter_open(BlockDriverState *bs, QDict *options, int flags,
                            Error **errp)
{
    if (!qdict_haskey(options, "file") &&
        !qdict_haskey(options, "file.driver")) {
        return 0;
    }
    return bdrv_open_file_child(NULL, options, "file", bs, errp);
}

static BlockDriver bdrv_mock_filter = {
    .format_name            = "mock-filter",
    .instance_size          = sizeof(MockState),
    .is_filter              = true,
    .bdrv_open              = mock_filter_open,
    .bdrv_child_perm        = bdrv_filter_default_perms,
    .bdrv_check_perm        = mock_check_perm,
    .bdrv_set_perm          = mock_set_perm,
    .bdrv_reopen_prepare    = mock_reopen_prepare,
    .bdrv_co_getlength      = mock_co_getlength,
};

/* --- Root users ------------------------------------------------------- */

static char *root_get_parent_desc(BdrvChild *c)
{
    return g_strdup_printf("user '%s'", (const char *)c->opaque);
}

static const BdrvChildClass child_test_root = {
    .get_parent_desc = root_get_parent_desc,
};

/* Attach a root user @name to @bs (a new reference is taken). */
static BdrvChild *root_attach(BlockDriverState *bs, const char *name,
                              uint64_t perm, uint64_t shared, Error **errp)
{
    BdrvChild *c;

    bdrv_ref(bs);
    bdrv_graph_wrlock();
    c = bdrv_root_attach_child(bs, name, &child_test_root, BDRV_CHILD_DATA,
                               perm, shared, (void *)name, errp);
    bdrv_graph_wrunlock();
    return c;
}

static void root_detach(BdrvChild *c)
{
    bdrv_graph_wrlock();
    bdrv_root_unref_child(c);
    bdrv_graph_wrunlock();
}

/* Run the deferred unrefs and check that exactly @n nodes are left. */
static void flush_and_check_nodes(int n)
{
    BlockDriverState *bs = NULL;
    int count = 0;

    while (aio_poll(qemu_get_aio_context(), false)) {
        /* nothing */
    }
    while ((bs = bdrv_next_all_states(bs))) {
        count++;
    }
    g_assert_cmpint(count, ==, n);
}

static void flush_and_check_empty(void)
{
    flush_and_check_nodes(0);
}

static QDict *qdict_from_null_backing(void)
{
    QDict *d = qdict_new();

    qdict_put_null(d, "backing");
    return d;
}

/* --- Helpers ---------------------------------------------------------- */

static QDict *opts_from(const char *first_key, ...)
{
    QDict *d = qdict_new();
    const char *key = first_key;
    va_list ap;

    va_start(ap, first_key);
    while (key) {
        qdict_put_str(d, key, va_arg(ap, const char *));
        key = va_arg(ap, const char *);
    }
    va_end(ap);
    return d;
}

/* Open "mock-fmt" named @fmt over "mock-proto" named @proto. */
static BlockDriverState *open_fmt(const char *fmt, const char *proto,
                                  bool read_only)
{
    QDict *opts = opts_from("driver", "mock-fmt", "node-name", fmt,
                            "file.driver", "mock-proto",
                            "file.node-name", proto,
                            "read-only", read_only ? "on" : "off", NULL);

    return bdrv_open(NULL, NULL, opts, 0, &error_abort);
}

/* Graph queries for assertions (the main loop may always read the graph). */
static BdrvChild *backing_of(BlockDriverState *bs)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    return bs->backing;
}

static bool is_only_parent(BlockDriverState *bs, BdrvChild *c)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    return QLIST_FIRST(&bs->parents) == c && !QLIST_NEXT(c, next_parent);
}

static bool has_no_edges(BlockDriverState *bs)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    return QLIST_EMPTY(&bs->parents) && QLIST_EMPTY(&bs->children);
}

/* bdrv_open() must fail with exactly @msg. */
static void expect_open_error(const char *filename, QDict *opts, int flags,
                              const char *msg)
{
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(filename, NULL, opts, flags, &err);

    if (bs) {
        g_test_message("unexpectedly opened, wanted: %s", msg);
    }
    g_assert_null(bs);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

/* --- Opening and options ---------------------------------------------- */

static void test_open_node_names(void)
{
    BlockDriverState *a, *b;

    a = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto", NULL),
                  BDRV_O_RDWR, &error_abort);
    g_assert_true(g_str_has_prefix(bdrv_get_node_name(a), "#block"));
    g_assert_true(bdrv_find_node(bdrv_get_node_name(a)) == a);

    b = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto",
                                        "node-name", "node0", NULL),
                  BDRV_O_RDWR, &error_abort);
    g_assert_cmpstr(bdrv_get_node_name(b), ==, "node0");
    g_assert_true(bdrv_find_node("node0") == b);
    g_assert_true(bdrv_lookup_bs(NULL, "node0", &error_abort) == b);
    /* Generated names differ between nodes. */
    g_assert_cmpstr(bdrv_get_node_name(a), !=, bdrv_get_node_name(b));

    expect_open_error(NULL, opts_from("driver", "mock-proto",
                                      "node-name", "node0", NULL),
                      BDRV_O_RDWR, "Duplicate nodes with node-name='node0'");
    expect_open_error(NULL, opts_from("driver", "mock-proto",
                                      "node-name", "0bad", NULL),
                      BDRV_O_RDWR, "Invalid node-name: '0bad'");

    bdrv_unref(a);
    bdrv_unref(b);
    g_assert_null(bdrv_find_node("node0"));
    flush_and_check_empty();
}

static void test_open_errors(void)
{
    expect_open_error(NULL, opts_from("driver", "nope", NULL), 0,
                      "Unknown driver 'nope'");
    expect_open_error("nope:x", NULL, BDRV_O_PROTOCOL,
                      "Unknown protocol 'nope'");
    expect_open_error(NULL, opts_from("driver", "mock-proto", "foo", "1",
                                      NULL), 0,
                      "Block protocol 'mock-proto' doesn't support the "
                      "option 'foo'");
    expect_open_error(NULL, opts_from("driver", "mock-fmt",
                                      "file.driver", "mock-proto",
                                      "bar", "1", NULL), 0,
                      "Block format 'mock-fmt' does not support the "
                      "option 'bar'");
    expect_open_error(NULL, opts_from("driver", "mock-fmt", NULL), 0,
                      "A block device must be specified for \"file\"");
    expect_open_error(NULL, opts_from("driver", "mock-proto",
                                      "read-only", "maybe", NULL), 0,
                      "Parameter 'read-only' expects 'on' or 'off'");
    expect_open_error(NULL, opts_from("driver", "mock-proto",
                                      "force-share", "on", NULL),
                      BDRV_O_RDWR,
                      "force-share=on can only be used with read-only "
                      "images");
    expect_open_error(NULL, opts_from("driver", "mock-proto",
                                      "detect-zeroes", "unmap", NULL), 0,
                      "setting detect-zeroes to unmap is not allowed "
                      "without setting discard operation to unmap");
    expect_open_error(NULL, opts_from("driver", "mock-proto",
                                      "discard", "sometimes", NULL), 0,
                      "Invalid discard option");
    expect_open_error(NULL, NULL, BDRV_O_PROTOCOL,
                      "Must specify either driver or file");
    flush_and_check_empty();
}

static void test_open_options(void)
{
    BlockDriverState *bs;

    /* A "proto:" prefix picks the protocol driver and is parsed away. */
    bs = bdrv_open("mock:disk0", NULL, NULL, BDRV_O_PROTOCOL | BDRV_O_RDWR,
                   &error_abort);
    g_assert_true(bs->drv == &bdrv_mock_proto);
    g_assert_cmpstr(((MockState *)bs->opaque)->path, ==, "disk0");
    g_assert_false(bdrv_is_read_only(bs));
    bdrv_unref(bs);

    /* "on"/"unmap" aliases, typed and string booleans. */
    bs = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto",
                                         "discard", "on",
                                         "detect-zeroes", "unmap",
                                         "cache.direct", "on",
                                         "read-only", "on",
                                         "force-share", "on", NULL),
                   BDRV_O_RDWR, &error_abort);
    g_assert_true(bs->open_flags & BDRV_O_UNMAP);
    g_assert_true(bs->open_flags & BDRV_O_NOCACHE);
    g_assert_cmpint(bs->detect_zeroes, ==,
                    BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP);
    g_assert_true(bdrv_is_read_only(bs));
    g_assert_true(bs->force_share);
    bdrv_unref(bs);

    bs = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto",
                                         "discard", "off", NULL),
                   BDRV_O_RDWR | BDRV_O_UNMAP, &error_abort);
    g_assert_false(bs->open_flags & BDRV_O_UNMAP);
    bdrv_unref(bs);

    /* Without BDRV_O_RDWR (and no option saying otherwise): read-only. */
    bs = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto", NULL), 0,
                   &error_abort);
    g_assert_true(bdrv_is_read_only(bs));
    g_assert_false(bs->open_flags & BDRV_O_ALLOW_RDWR);
    bdrv_unref(bs);
    bs = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto",
                                         "read-only", "off", NULL), 0,
                   &error_abort);
    g_assert_false(bdrv_is_read_only(bs));
    bdrv_unref(bs);
    flush_and_check_empty();
}

static void test_open_format_and_children(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BlockDriverState *proto = bdrv_find_node("proto");

    g_assert_nonnull(proto);
    g_assert_nonnull(fmt->file);
    g_assert_true(fmt->file->bs == proto);
    g_assert_cmpstr(fmt->file->name, ==, "file");
    g_assert_true(proto->inherits_from == fmt);
    /* The protocol child inherited read-write from the format node. */
    g_assert_false(bdrv_is_read_only(proto));
    /* Child options do not stay in the parent's options. */
    g_assert_false(qdict_haskey(fmt->options, "file.driver"));
    g_assert_false(qdict_haskey(fmt->options, "file"));

    /* A reference to an existing node with more options is refused. */
    g_assert_null(bdrv_open(NULL, "proto", opts_from("x", "y", NULL), 0,
                            NULL));
    g_assert_true(bdrv_open(NULL, "proto", NULL, 0, &error_abort) == proto);
    bdrv_unref(proto);

    bdrv_unref(fmt);
    flush_and_check_empty();
}

static void test_open_probe(void)
{
    BlockDriverState *bs;
    Error *err = NULL;

    /* No driver given: the image file is opened and its start probed. */
    mock_image_has_magic = true;
    bs = bdrv_open("mock:img", NULL, NULL, BDRV_O_RDWR, &error_abort);
    g_assert_true(bs->drv == &bdrv_mock_fmt);
    g_assert_true(bs->probed);
    g_assert_true(bs->file->bs->drv == &bdrv_mock_proto);
    g_assert_cmpstr(((MockState *)bs->file->bs->opaque)->path, ==, "img");
    bdrv_unref(bs);

    /* An explicit driver is not probed. */
    bs = bdrv_open("mock:img", NULL, opts_from("driver", "mock-fmt", NULL),
                   BDRV_O_RDWR, &error_abort);
    g_assert_false(bs->probed);
    bdrv_unref(bs);

    /* Without the magic, only a raw driver (if built in) would match. */
    mock_image_has_magic = false;
    bs = bdrv_open("mock:img", NULL, NULL, BDRV_O_RDWR, &err);
    if (bdrv_find_format("raw")) {
        g_assert_nonnull(bs);
        g_assert_cmpstr(bs->drv->format_name, ==, "raw");
        bdrv_unref(bs);
    } else {
        g_assert_null(bs);
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Could not determine image format: No compatible "
                        "driver found");
        error_free(err);
    }
    flush_and_check_empty();
}

static void test_refresh_filename(void)
{
    BlockDriverState *fmt, *proto;
    QDict *opts;

    opts = opts_from("driver", "mock-fmt", "file.driver", "mock-proto",
                     "file.filename", "disk.img", NULL);
    fmt = bdrv_open(NULL, NULL, opts, BDRV_O_RDWR, &error_abort);
    proto = fmt->file->bs;
    bdrv_graph_rdlock_main_loop();
    bdrv_refresh_filename(fmt);
    bdrv_graph_rdunlock_main_loop();
    /* "this format over that file" is just the file's name. */
    g_assert_cmpstr(proto->filename, ==, "disk.img");
    g_assert_cmpstr(fmt->filename, ==, "disk.img");
    bdrv_unref(fmt);

    /* A strong option of the format node needs a json: description. */
    opts = opts_from("driver", "mock-fmt", "tag", "t1",
                     "file.driver", "mock-proto",
                     "file.filename", "disk.img", NULL);
    fmt = bdrv_open(NULL, NULL, opts, BDRV_O_RDWR, &error_abort);
    bdrv_graph_rdlock_main_loop();
    bdrv_refresh_filename(fmt);
    bdrv_graph_rdunlock_main_loop();
    g_assert_true(g_str_has_prefix(fmt->filename, "json:{"));
    g_assert_nonnull(strstr(fmt->filename, "\"tag\": \"t1\""));
    g_assert_nonnull(strstr(fmt->filename, "\"driver\": \"mock-fmt\""));
    g_assert_nonnull(strstr(fmt->filename, "\"file\": {"));
    g_assert_nonnull(strstr(fmt->filename, "\"filename\": \"disk.img\""));
    bdrv_unref(fmt);
    flush_and_check_empty();
}

static void test_path_helpers(void)
{
    static const struct {
        const char *base, *name, *result;
    } cases[] = {
        { "dir/a.img", "b.img", "dir/b.img" },
        { "a.img", "b.img", "b.img" },
        { "/x/y/a.img", "../b.img", "/x/y/../b.img" },
        { "dir/a.img", "/abs/b.img", "/abs/b.img" },
        { "mock:a.img", "b.img", "mock:b.img" },
        { "mock:dir/a.img", "b.img", "mock:dir/b.img" },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *r = path_combine(cases[i].base, cases[i].name);

        g_assert_cmpstr(r, ==, cases[i].result);
    }
    g_assert_true(path_has_protocol("nbd:localhost:10809"));
    g_assert_false(path_has_protocol("dir/x:y"));
    g_assert_false(path_has_protocol("plain.img"));
    g_assert_true(path_is_absolute("/a"));
    g_assert_false(path_is_absolute("a/b"));
}

/* --- Permissions ------------------------------------------------------ */

static void test_perm_names(void)
{
    g_autofree char *all = bdrv_perm_names(BLK_PERM_ALL);
    g_autofree char *some = bdrv_perm_names(BLK_PERM_WRITE |
                                            BLK_PERM_RESIZE);
    g_autofree char *none = bdrv_perm_names(0);

    g_assert_cmpstr(all, ==,
                    "consistent read, write, write unchanged, resize");
    g_assert_cmpstr(some, ==, "write, resize");
    g_assert_cmpstr(none, ==, "");
}

static void test_perm_conflict(void)
{
    BlockDriverState *bs;
    BdrvChild *a, *b;
    Error *err = NULL;

    bs = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto",
                                         "node-name", "disk", NULL),
                   BDRV_O_RDWR, &error_abort);
    a = root_attach(bs, "a", BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE,
                    BLK_PERM_CONSISTENT_READ, &error_abort);
    g_assert_cmpuint(((MockState *)bs->opaque)->perm, ==,
                     BLK_PERM_CONSISTENT_READ | BLK_PERM_WRITE);

    /* b wants to write, which a does not share. */
    b = root_attach(bs, "b", BLK_PERM_WRITE, BLK_PERM_ALL, &err);
    g_assert_null(b);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Permission conflict on node 'disk': user 'b' wants to "
                    "use it as 'b', which requires these permissions: "
                    "write. On the other hand user 'a' wants to use it as "
                    "'a', which doesn't share: write");
    error_free(err);
    err = NULL;
    /* Nothing of b is left. */
    g_assert_true(is_only_parent(bs, a));
    g_assert_cmpint(bs->refcnt, ==, 2);

    /* A reader is fine, but it may not deny a's write. */
    b = root_attach(bs, "b", BLK_PERM_CONSISTENT_READ,
                    BLK_PERM_CONSISTENT_READ, &err);
    g_assert_null(b);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Permission conflict on node 'disk': user 'a' wants to "
                    "use it as 'a', which requires these permissions: "
                    "consistent read, write. On the other hand user 'b' "
                    "wants to use it as 'b', which doesn't share: write");
    error_free(err);
    err = NULL;

    b = root_attach(bs, "b", BLK_PERM_CONSISTENT_READ, BLK_PERM_ALL,
                    &error_abort);

    /* Tightening a's sharing now conflicts with nothing b uses... */
    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_child_try_set_perm(a, a->perm, 0, &err), ==,
                    -EPERM);
    bdrv_graph_rdunlock_main_loop();
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Permission conflict on node 'disk': user 'b' wants to "
                    "use it as 'b', which requires these permissions: "
                    "consistent read. On the other hand user 'a' wants to "
                    "use it as 'a', which doesn't share: consistent read");
    error_free(err);
    g_assert_cmpuint(a->shared_perm, ==, BLK_PERM_CONSISTENT_READ);

    /* ...and giving up permissions always works. */
    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_child_try_set_perm(a, 0, BLK_PERM_ALL,
                                            &error_abort), ==, 0);
    bdrv_graph_rdunlock_main_loop();
    g_assert_cmpuint(((MockState *)bs->opaque)->perm, ==,
                     BLK_PERM_CONSISTENT_READ);

    root_detach(a);
    root_detach(b);
    bdrv_unref(bs);
    flush_and_check_empty();
}

static void test_perm_driver_refuses(void)
{
    BlockDriverState *bs;
    Error *err = NULL;

    bs = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto",
                                         "node-name", "disk", NULL),
                   BDRV_O_RDWR, &error_abort);
    ((MockState *)bs->opaque)->fail_check_perm = true;
    g_assert_null(root_attach(bs, "a", BLK_PERM_WRITE, BLK_PERM_ALL, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "mock refuses permissions on 'disk'");
    error_free(err);
    g_assert_true(has_no_edges(bs));
    bdrv_unref(bs);
    flush_and_check_empty();
}

static void test_perm_format_child(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BlockDriverState *ro = open_fmt("ro", "ro-proto", true);
    BdrvChild *user;
    Error *err = NULL;

    /* A writable format writes and resizes its file, and shares neither. */
    g_assert_cmpuint(fmt->file->perm, ==, BLK_PERM_CONSISTENT_READ |
                     BLK_PERM_WRITE | BLK_PERM_RESIZE);
    g_assert_cmpuint(fmt->file->shared_perm & (BLK_PERM_WRITE |
                                               BLK_PERM_RESIZE), ==, 0);
    g_assert_cmpuint(ro->file->perm, ==, BLK_PERM_CONSISTENT_READ);

    user = root_attach(ro, "dev", BLK_PERM_WRITE, BLK_PERM_ALL, &err);
    g_assert_null(user);
    g_assert_cmpstr(error_get_pretty(err), ==, "Block node is read-only");
    error_free(err);

    bdrv_unref(fmt);
    bdrv_unref(ro);
    flush_and_check_empty();
}

/* --- Graph changes ---------------------------------------------------- */

static BlockDriverState *new_filter(const char *name)
{
    return bdrv_new_open_driver(&bdrv_mock_filter, name, BDRV_O_RDWR,
                                &error_abort);
}

static void test_append_and_drop_filter(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BlockDriverState *filter = new_filter("filter");
    BdrvChild *user = root_attach(fmt, "dev", BLK_PERM_CONSISTENT_READ |
                                  BLK_PERM_WRITE, BLK_PERM_CONSISTENT_READ,
                                  &error_abort);

    g_assert_cmpint(bdrv_append(filter, fmt, &error_abort), ==, 0);
    g_assert_true(user->bs == filter);
    bdrv_graph_rdlock_main_loop();
    g_assert_true(bdrv_filter_bs(filter) == fmt);
    g_assert_true(bdrv_skip_filters(filter) == fmt);
    g_assert_true(filter->backing->bs == fmt);
    g_assert_true(filter->backing->role & BDRV_CHILD_FILTERED);
    bdrv_graph_rdunlock_main_loop();
    /* The filter passes its user's permissions down. */
    g_assert_cmpuint(backing_of(filter)->perm, ==, user->perm);
    g_assert_cmpuint(((MockState *)filter->opaque)->perm, ==, user->perm);
    bdrv_unref(filter);     /* the graph holds it now */

    bdrv_graph_rdlock_main_loop();
    g_assert_true(bdrv_recurse_can_replace(filter, fmt));
    g_assert_false(bdrv_recurse_can_replace(fmt, fmt->file->bs));
    g_assert_true(check_to_replace_node(filter, "fmt", &error_abort) == fmt);
    g_assert_null(check_to_replace_node(fmt, "proto", NULL));
    bdrv_graph_rdunlock_main_loop();

    g_assert_cmpint(bdrv_drop_filter(filter, &error_abort), ==, 0);
    g_assert_true(user->bs == fmt);
    g_assert_true(is_only_parent(fmt, user));

    root_detach(user);
    bdrv_unref(fmt);
    flush_and_check_empty();
}

static void test_append_rollback(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BlockDriverState *filter = new_filter("filter");
    BdrvChild *user = root_attach(fmt, "dev", BLK_PERM_WRITE, BLK_PERM_ALL,
                                  &error_abort);
    uint64_t old_perm = fmt->file->perm;
    Error *err = NULL;

    ((MockState *)filter->opaque)->fail_check_perm = true;
    g_assert_cmpint(bdrv_append(filter, fmt, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "mock refuses permissions on 'filter'");
    error_free(err);

    /* Everything is as before. */
    g_assert_true(user->bs == fmt);
    g_assert_true(is_only_parent(fmt, user));
    g_assert_true(has_no_edges(filter));
    g_assert_null(backing_of(filter));
    g_assert_cmpuint(fmt->file->perm, ==, old_perm);
    g_assert_cmpuint(user->perm, ==, BLK_PERM_WRITE);

    root_detach(user);
    bdrv_unref(filter);
    bdrv_unref(fmt);
    flush_and_check_empty();
}

static void test_attach_cycle(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BlockDriverState *top = open_fmt("top", "top-proto", false);
    Error *err = NULL;
    int ret;

    bdrv_graph_wrlock();
    /* The top over fmt, then fmt over top would close the loop. */
    ret = bdrv_set_backing_hd(top, fmt, &error_abort);
    g_assert_cmpint(ret, ==, 0);
    ret = bdrv_set_backing_hd(fmt, top, &err);
    bdrv_graph_wrunlock();
    g_assert_cmpint(ret, <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Making 'top' a backing child of 'fmt' would create a "
                    "cycle");
    error_free(err);
    g_assert_null(backing_of(fmt));
    g_assert_true(backing_of(top)->bs == fmt);

    bdrv_unref(top);
    bdrv_unref(fmt);
    flush_and_check_empty();
}

static void test_frozen_chain(void)
{
    BlockDriverState *base = open_fmt("base", "base-proto", true);
    BlockDriverState *top = open_fmt("top", "top-proto", false);
    BlockDriverState *other = open_fmt("other", "other-proto", true);
    BdrvChild *user = root_attach(top, "dev", BLK_PERM_CONSISTENT_READ,
                                  BLK_PERM_ALL, &error_abort);
    Error *err = NULL;
    int ret;

    bdrv_drained_begin(top);
    bdrv_graph_wrlock();
    g_assert_cmpint(bdrv_set_backing_hd(top, base, &error_abort), ==, 0);
    bdrv_graph_wrunlock();
    bdrv_drained_end(top);
    bdrv_unref(base);       /* top's backing edge holds it */
    g_assert_true(backing_of(top)->role & BDRV_CHILD_COW);
    /* Backing files get read and nothing else. */
    g_assert_cmpuint(backing_of(top)->perm, ==, BLK_PERM_CONSISTENT_READ);

    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_freeze_backing_chain(top, NULL, &error_abort), ==,
                    0);
    g_assert_true(bdrv_is_backing_chain_frozen(top, NULL, NULL));
    bdrv_graph_rdunlock_main_loop();

    bdrv_graph_wrlock();
    ret = bdrv_replace_node(base, other, &err);
    g_assert_cmpint(ret, ==, -EPERM);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Cannot change 'backing' link to 'base'");
    error_free(err);
    err = NULL;
    ret = bdrv_set_backing_hd(top, NULL, &err);
    g_assert_cmpint(ret, ==, -EPERM);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Cannot change frozen 'backing' link from 'top' to "
                    "'base'");
    error_free(err);
    g_assert_true(top->backing->bs == base);

    bdrv_unfreeze_backing_chain(top, NULL);
    g_assert_cmpint(bdrv_replace_node(base, other, &error_abort), ==, 0);
    bdrv_graph_wrunlock();
    g_assert_true(backing_of(top)->bs == other);
    /* The user of top stayed where it was. */
    g_assert_true(user->bs == top);

    root_detach(user);
    bdrv_unref(top);
    bdrv_unref(other);
    flush_and_check_empty();
}

static BlockDriverState *open_with_header_backing(QDict *extra)
{
    QDict *opts = opts_from("driver", "mock-fmt", "node-name", "top",
                            "file.driver", "mock-proto",
                            "hdr-backing", "mock:base",
                            "hdr-backing-fmt", "mock-fmt", NULL);

    if (extra) {
        qdict_join(opts, extra, true);
        qobject_unref(extra);
    }
    return bdrv_open(NULL, NULL, opts, BDRV_O_RDWR, &error_abort);
}

static void test_backing_from_header(void)
{
    BlockDriverState *top = open_with_header_backing(NULL);
    BdrvChild *backing = backing_of(top);
    BlockDriverState *base, *other;
    g_autofree char *msg = NULL;
    Error *err = NULL;

    /* The header names it: opened read-only, inheriting from top. */
    g_assert_nonnull(backing);
    base = backing->bs;
    g_assert_true(base->drv == &bdrv_mock_fmt);
    g_assert_true(backing->role & BDRV_CHILD_COW);
    g_assert_true(bdrv_is_read_only(base));
    g_assert_false(bdrv_is_read_only(top));
    g_assert_true(base->inherits_from == top);
    g_assert_cmpstr(((MockState *)base->file->bs->opaque)->path, ==, "base");
    g_assert_cmpstr(top->auto_backing_file, ==, base->filename);

    /* Being a backing file blocks most operations on the node. */
    bdrv_graph_rdlock_main_loop();
    g_assert_true(bdrv_op_is_blocked(base, BLOCK_OP_TYPE_RESIZE, &err));
    g_assert_false(bdrv_op_is_blocked(base, BLOCK_OP_TYPE_STREAM, NULL));
    bdrv_graph_rdunlock_main_loop();
    msg = g_strdup_printf("Node '%s' is busy: node is used as backing hd "
                          "of 'top'", bdrv_get_node_name(base));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    bdrv_unref(top);
    flush_and_check_empty();

    /* "backing": null means none at all. */
    top = open_with_header_backing(qdict_from_null_backing());
    g_assert_null(backing_of(top));
    g_assert_true(top->open_flags & BDRV_O_NO_BACKING);
    bdrv_unref(top);
    flush_and_check_empty();

    /* A node name: that node, shared with its other users. */
    other = open_fmt("other", "other-file", true);
    top = open_with_header_backing(opts_from("backing", "other", NULL));
    g_assert_true(backing_of(top)->bs == other);
    g_assert_null(other->inherits_from);
    bdrv_unref(top);
    g_assert_cmpint(other->refcnt, ==, 1);
    bdrv_unref(other);
    flush_and_check_empty();
}

static void test_reopen_backing(void)
{
    BlockDriverState *top = open_with_header_backing(NULL);
    BlockDriverState *other = open_fmt("other", "other-file", true);
    QDict *opts;
    Error *err = NULL;

    /* Point the backing edge at another node... */
    g_assert_cmpint(bdrv_reopen(top, opts_from("backing", "other", NULL),
                                true, &error_abort), ==, 0);
    g_assert_true(backing_of(top)->bs == other);
    flush_and_check_nodes(4);   /* top, its file, other and its file */

    /* ...not while the chain is frozen... */
    bdrv_graph_rdlock_main_loop();
    bdrv_freeze_backing_chain(top, NULL, &error_abort);
    bdrv_graph_rdunlock_main_loop();
    opts = qdict_new();
    qdict_put_null(opts, "backing");
    g_assert_cmpint(bdrv_reopen(top, opts, true, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Cannot change frozen 'backing' link from 'top' to "
                    "'other'");
    error_free(err);
    g_assert_true(backing_of(top)->bs == other);
    bdrv_graph_rdlock_main_loop();
    bdrv_unfreeze_backing_chain(top, NULL);
    bdrv_graph_rdunlock_main_loop();

    /* ...and detach it with null. */
    opts = qdict_new();
    qdict_put_null(opts, "backing");
    g_assert_cmpint(bdrv_reopen(top, opts, true, &error_abort), ==, 0);
    g_assert_null(backing_of(top));
    g_assert_cmpint(other->refcnt, ==, 1);

    bdrv_unref(top);
    bdrv_unref(other);
    flush_and_check_empty();
}

static void test_node_info(void)
{
    BlockDriverState *top = open_with_header_backing(NULL);
    BlockDriverState *base = backing_of(top)->bs;
    BlockDriverState *filter = new_filter("filter");
    g_autofree char *msg = NULL;
    BlockDriverInfo bdi;
    Error *err = NULL;

    bdrv_graph_rdlock_main_loop();
    /* A COW overlay reads as its backing file, not as zeroes. */
    g_assert_cmpint(bdrv_has_zero_init(top), ==, 0);
    g_assert_cmpint(bdrv_has_zero_init(base), ==, 1);
    g_assert_false(bdrv_supports_compressed_writes(top));
    bdrv_graph_rdunlock_main_loop();

    g_assert_cmpint(bdrv_get_info(top, &bdi), ==, -ENOTSUP);
    /* Protocols cannot tell, so neither can the format above them. */
    g_assert_cmpint(bdrv_get_allocated_file_size(top), ==, -ENOTSUP);
    g_assert_cmpint(bdrv_get_allocated_file_size(filter), ==, -ENOMEDIUM);

    g_assert_cmpint(bdrv_create(&bdrv_mock_filter, "x", NULL, &err), ==,
                    -ENOTSUP);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Driver 'mock-filter' does not support image creation");
    error_free(err);
    err = NULL;

    /* Drivers without run-time children refuse them. */
    bdrv_graph_wrlock();
    bdrv_add_child(base, filter, &err);
    msg = g_strdup_printf("The node %s does not support adding a child",
                          bdrv_get_node_name(base));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
    err = NULL;
    bdrv_del_child(top, top->file, &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "The node top does not support removing a child");
    error_free(err);
    bdrv_graph_wrunlock();

    bdrv_unref(filter);
    bdrv_unref(top);
    flush_and_check_empty();
}

/* bdrv_img_create() must fail with exactly @msg. */
static void expect_create_error(const char *fmt, const char *base,
                                const char *base_fmt, uint64_t size,
                                int flags, const char *msg)
{
    Error *err = NULL;

    bdrv_img_create("mock:new", fmt, base, base_fmt, NULL, size, flags,
                    true, &err);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_img_create(void)
{
    memset(&created, 0, sizeof(created));
    bdrv_img_create("mock:new", "mock-fmt", NULL, NULL, NULL, 4096, 0, true,
                    &error_abort);
    g_assert_cmpstr(created.proto_filename, ==, "mock:new");
    g_assert_cmpuint(created.proto_size, ==, 4096);

    /* With a backing file of known format, its size is the default. */
    bdrv_img_create("mock:new", "mock-fmt", "mock:base", "mock-fmt", NULL,
                    -1, 0, true, &error_abort);
    g_assert_cmpstr(created.fmt_backing, ==, "mock:base");
    g_assert_cmpstr(created.fmt_backing_fmt, ==, "mock-fmt");
    g_assert_cmpuint(created.proto_size, ==, MOCK_SIZE);

    expect_create_error("nope", NULL, NULL, 4096, 0,
                        "Unknown file format 'nope'");
    expect_create_error("mock-fmt", NULL, NULL, -1, 0,
                        "Image creation needs a size parameter");
    /* Even when probing would find out, the format must be given. */
    mock_image_has_magic = true;
    expect_create_error("mock-fmt", "mock:base", NULL, -1, 0,
                        "Backing file specified without backing format");
    mock_image_has_magic = false;
    expect_create_error("mock-fmt", "mock:base", NULL, 4096,
                        BDRV_O_NO_BACKING,
                        "Backing file specified without backing format");
    expect_create_error("mock-fmt", "mock:new", "mock-fmt", 4096, 0,
                        "Error: Trying to create an image with the same "
                        "filename as the backing file");
    expect_create_error("mock-filter", NULL, NULL, 4096, 0,
                        "Format driver 'mock-filter' does not support image "
                        "creation");
    flush_and_check_empty();
}

/* Make @base the backing node of @top (which takes a reference). */
static void set_backing(BlockDriverState *top, BlockDriverState *base)
{
    bdrv_drained_begin(top);
    bdrv_graph_wrlock();
    g_assert_cmpint(bdrv_set_backing_hd(top, base, &error_abort), ==, 0);
    bdrv_graph_wrunlock();
    bdrv_drained_end(top);
}

static void test_drop_intermediate(void)
{
    BlockDriverState *base = open_fmt("base", "base-file", true);
    BlockDriverState *mid = open_fmt("mid", "mid-file", true);
    BlockDriverState *top = open_fmt("top", "top-file", true);
    BlockDriverState *active = open_fmt("active", "active-file", false);
    BdrvChild *user = root_attach(active, "dev", BLK_PERM_CONSISTENT_READ,
                                  BLK_PERM_ALL, &error_abort);

    set_backing(mid, base);
    set_backing(top, mid);
    set_backing(active, top);
    bdrv_unref(base);
    bdrv_unref(mid);
    bdrv_unref(top);
    flush_and_check_nodes(8);

    /* base is not above active: nothing happens. */
    g_assert_cmpint(bdrv_drop_intermediate(base, active, NULL, false), ==,
                    -EIO);
    g_assert_true(backing_of(active)->bs == top);

    /* Drop top and mid: active's backing file is base now. */
    g_assert_cmpint(bdrv_drop_intermediate(top, base, NULL, false), ==, 0);
    g_assert_true(backing_of(active)->bs == base);
    g_assert_cmpstr(active->backing_file, ==, base->filename);
    g_assert_cmpstr(active->backing_format, ==, "mock-fmt");
    g_assert_false(bdrv_is_read_only(active));
    flush_and_check_nodes(4);   /* active, base and their files */

    root_detach(user);
    bdrv_unref(active);
    flush_and_check_empty();
}

static void test_inactivate(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BlockDriverState *proto = fmt->file->bs;
    BdrvChild *user;
    Error *err = NULL;

    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_inactivate(fmt, &error_abort), ==, 0);
    g_assert_true(bdrv_is_inactive(fmt));
    g_assert_true(bdrv_is_inactive(proto));
    /* An inactive image is someone else's: no writing, share all. */
    g_assert_false(fmt->file->perm & BLK_PERM_WRITE);
    g_assert_cmpuint(fmt->file->shared_perm & BLK_PERM_WRITE, ==,
                     BLK_PERM_WRITE);

    g_assert_cmpint(bdrv_activate(fmt, &error_abort), ==, 0);
    g_assert_false(bdrv_is_inactive(fmt));
    g_assert_false(bdrv_is_inactive(proto));
    g_assert_true(fmt->file->perm & BLK_PERM_WRITE);
    bdrv_graph_rdunlock_main_loop();

    /* A writer above keeps the node active. */
    user = root_attach(fmt, "dev", BLK_PERM_WRITE, BLK_PERM_ALL,
                       &error_abort);
    bdrv_graph_rdlock_main_loop();
    g_assert_cmpint(bdrv_inactivate(fmt, &err), ==, -EPERM);
    g_assert_false(bdrv_is_inactive(fmt));
    bdrv_graph_rdunlock_main_loop();
    g_assert_nonnull(err);
    error_free(err);

    root_detach(user);
    bdrv_unref(fmt);
    flush_and_check_empty();
}

/* bdrv_create() of mock-simple with @size and @prealloc (may be NULL). */
static int create_simple(uint64_t size, const char *prealloc, Error **errp)
{
    QemuOpts *opts = qemu_opts_create(&bdrv_create_opts_simple, NULL, 0,
                                      &error_abort);
    int ret;

    qemu_opt_set_number(opts, BLOCK_OPT_SIZE, size, &error_abort);
    if (prealloc) {
        qemu_opt_set(opts, BLOCK_OPT_PREALLOC, prealloc, &error_abort);
    }
    ret = bdrv_create(&bdrv_mock_simple, "mock:disk", opts, errp);
    qemu_opts_del(opts);
    return ret;
}

static void test_create_simple(void)
{
    Error *err = NULL;

    /* The image exists and is large enough: fine. */
    g_assert_cmpint(create_simple(4096, NULL, &error_abort), ==, 0);
    g_assert_cmpint(create_simple(4096, "off", &error_abort), ==, 0);

    /* Larger than the image, which cannot grow. */
    g_assert_cmpint(create_simple(2 * MOCK_SIZE, NULL, &err), ==, -ENOTSUP);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Image format driver does not support resize");
    error_free(err);
    err = NULL;

    g_assert_cmpint(create_simple(4096, "full", &err), ==, -ENOTSUP);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Unsupported preallocation mode 'full'");
    error_free(err);
    flush_and_check_empty();
}

static void test_insert_node(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BdrvChild *user = root_attach(fmt, "dev", BLK_PERM_CONSISTENT_READ,
                                  BLK_PERM_ALL, &error_abort);
    BlockDriverState *filter;

    filter = bdrv_insert_node(fmt, opts_from("driver", "mock-filter",
                                             "node-name", "flt",
                                             "file", "fmt", NULL),
                              BDRV_O_RDWR, &error_abort);
    g_assert_true(user->bs == filter);
    g_assert_true(filter->file->bs == fmt);
    g_assert_true(is_only_parent(fmt, filter->file));
    bdrv_unref(filter);     /* the user holds it */

    root_detach(user);
    bdrv_unref(fmt);
    flush_and_check_empty();
}

static void test_root_iteration(void)
{
    BlockDriverState *a = open_fmt("a", "a-file", false);
    BlockDriverState *b = open_fmt("b", "b-file", false);
    BlockDriverState *m = bdrv_open(NULL, NULL,
                                    opts_from("driver", "mock-proto",
                                              "node-name", "m", NULL),
                                    BDRV_O_RDWR, &error_abort);
    BlockBackend *blk[3];
    g_autoptr(GPtrArray) seen = g_ptr_array_new();
    BdrvNextIterator it;
    BlockDriverState *bs;
    int i;

    /* a below two backends, b below one and owned by the monitor, m owned */
    blk[0] = blk_new_with_bs(a, 0, BLK_PERM_ALL, &error_abort);
    blk[1] = blk_new_with_bs(b, 0, BLK_PERM_ALL, &error_abort);
    blk[2] = blk_new_with_bs(a, 0, BLK_PERM_ALL, &error_abort);
    bdrv_ref(b);
    bdrv_set_monitor_owned(b);
    bdrv_ref(m);
    bdrv_set_monitor_owned(m);

    bdrv_graph_rdlock_main_loop();
    for (bs = bdrv_first(&it); bs; bs = bdrv_next(&it)) {
        g_ptr_array_add(seen, bs);
    }
    bdrv_graph_rdunlock_main_loop();

    /* Every root once: backend roots first, then monitor-only nodes. */
    g_assert_cmpint(seen->len, ==, 3);
    g_assert_true(g_ptr_array_index(seen, 0) == a);
    g_assert_true(g_ptr_array_index(seen, 1) == b);
    g_assert_true(g_ptr_array_index(seen, 2) == m);
    /* The iterator holds no references once done. */
    g_assert_cmpint(m->refcnt, ==, 2);

    bdrv_close_all();
    for (i = 0; i < ARRAY_SIZE(blk); i++) {
        blk_unref(blk[i]);
    }
    bdrv_unref(a);
    bdrv_unref(b);
    bdrv_unref(m);
    flush_and_check_empty();
}

static void test_json_filename(void)
{
    BlockDriverState *bs;

    bs = bdrv_open("json:{\"driver\": \"mock-proto\", \"node-name\": "
                   "\"j\", \"tag\": \"x\"}", NULL, NULL, BDRV_O_RDWR,
                   &error_abort);
    g_assert_cmpstr(bdrv_get_node_name(bs), ==, "j");
    g_assert_cmpstr(qdict_get_try_str(bs->options, "tag"), ==, "x");
    bdrv_unref(bs);

    expect_open_error("json:[1]", NULL, BDRV_O_RDWR,
                      "Invalid JSON object given");
    flush_and_check_empty();
}

/* --- Reopen ----------------------------------------------------------- */

static void test_reopen_ro_rw(void)
{
    BlockDriverState *fmt = open_fmt("fmt", "proto", false);
    BlockDriverState *proto = fmt->file->bs;
    MockState *fs = fmt->opaque;
    MockState *ps = proto->opaque;
    BdrvChild *user = root_attach(fmt, "dev", BLK_PERM_CONSISTENT_READ |
                                  BLK_PERM_WRITE, BLK_PERM_ALL,
                                  &error_abort);
    Error *err = NULL;

    /* A writer above: read-only is refused and nothing changes. */
    g_assert_cmpint(bdrv_reopen_set_read_only(fmt, true, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Read-only block node 'fmt' cannot support read-write "
                    "users");
    error_free(err);
    g_assert_false(bdrv_is_read_only(fmt));
    g_assert_false(bdrv_is_read_only(proto));
    g_assert_cmpint(fs->reopen_prepared, ==, 1);
    g_assert_cmpint(fs->reopen_aborted, ==, 1);
    g_assert_cmpint(ps->reopen_aborted, ==, 1);
    g_assert_cmpint(fs->reopen_committed, ==, 0);
    g_assert_true(fmt->file->perm & BLK_PERM_WRITE);

    /* Without the writer, both nodes go read-only together. */
    bdrv_graph_rdlock_main_loop();
    bdrv_child_try_set_perm(user, BLK_PERM_CONSISTENT_READ, BLK_PERM_ALL,
                            &error_abort);
    bdrv_graph_rdunlock_main_loop();
    g_assert_cmpint(bdrv_reopen_set_read_only(fmt, true, &error_abort), ==,
                    0);
    g_assert_true(bdrv_is_read_only(fmt));
    g_assert_true(bdrv_is_read_only(proto));
    g_assert_cmpint(fs->reopen_committed, ==, 1);
    g_assert_cmpint(ps->reopen_committed, ==, 1);
    g_assert_cmpuint(fmt->file->perm, ==, BLK_PERM_CONSISTENT_READ);
    g_assert_cmpuint(ps->perm, ==, BLK_PERM_CONSISTENT_READ);

    /* And back to read-write: the file gets write permission again. */
    g_assert_cmpint(bdrv_reopen_set_read_only(fmt, false, &error_abort), ==,
                    0);
    g_assert_false(bdrv_is_read_only(fmt));
    g_assert_false(bdrv_is_read_only(proto));
    g_assert_true(fmt->file->perm & BLK_PERM_WRITE);
    g_assert_true(ps->perm & BLK_PERM_WRITE);

    root_detach(user);
    bdrv_unref(fmt);
    flush_and_check_empty();
}

static void test_reopen_options(void)
{
    BlockDriverState *bs;
    MockState *s;
    Error *err = NULL;

    bs = bdrv_open(NULL, NULL, opts_from("driver", "mock-proto",
                                         "node-name", "disk",
                                         "filename", "a.img", NULL),
                   BDRV_O_RDWR, &error_abort);
    s = bs->opaque;

    /* Options the driver does not handle may not change. */
    g_assert_cmpint(bdrv_reopen(bs, opts_from("filename", "b.img", NULL),
                                true, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Cannot change the option 'filename'");
    error_free(err);
    err = NULL;
    g_assert_cmpint(s->reopen_aborted, ==, 1);

    g_assert_cmpint(bdrv_reopen(bs, opts_from("node-name", "other", NULL),
                                true, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Cannot change the option 'node-name'");
    error_free(err);
    err = NULL;

    /* Restating them, or changing what the driver takes, is fine. */
    g_assert_cmpint(bdrv_reopen(bs, opts_from("filename", "a.img",
                                              "tag", "new", NULL),
                                true, &error_abort), ==, 0);
    g_assert_cmpstr(qdict_get_try_str(bs->options, "tag"), ==, "new");
    g_assert_cmpstr(qdict_get_try_str(bs->options, "filename"), ==,
                    "a.img");

    /* Without the old options, a dropped non-mutable option is refused. */
    g_assert_cmpint(bdrv_reopen(bs, opts_from("driver", "mock-proto",
                                              "node-name", "disk", NULL),
                                false, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Option 'filename' cannot be reset to its default value");
    error_free(err);

    bdrv_unref(bs);
    flush_and_check_empty();
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    bdrv_register(&bdrv_mock_proto);
    bdrv_register(&bdrv_mock_fmt);
    bdrv_register(&bdrv_mock_filter);
    bdrv_register(&bdrv_mock_simple);

    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bdrv-graph-mod/open/node-names", test_open_node_names);
    g_test_add_func("/bdrv-graph-mod/open/errors", test_open_errors);
    g_test_add_func("/bdrv-graph-mod/open/options", test_open_options);
    g_test_add_func("/bdrv-graph-mod/open/format-and-children",
                    test_open_format_and_children);
    g_test_add_func("/bdrv-graph-mod/open/probe", test_open_probe);
    g_test_add_func("/bdrv-graph-mod/open/refresh-filename",
                    test_refresh_filename);
    g_test_add_func("/bdrv-graph-mod/open/path-helpers", test_path_helpers);
    g_test_add_func("/bdrv-graph-mod/perm/names", test_perm_names);
    g_test_add_func("/bdrv-graph-mod/perm/conflict", test_perm_conflict);
    g_test_add_func("/bdrv-graph-mod/perm/driver-refuses",
                    test_perm_driver_refuses);
    g_test_add_func("/bdrv-graph-mod/perm/format-child",
                    test_perm_format_child);
    g_test_add_func("/bdrv-graph-mod/graph/append-and-drop-filter",
                    test_append_and_drop_filter);
    g_test_add_func("/bdrv-graph-mod/graph/append-rollback",
                    test_append_rollback);
    g_test_add_func("/bdrv-graph-mod/graph/attach-cycle", test_attach_cycle);
    g_test_add_func("/bdrv-graph-mod/graph/frozen-chain", test_frozen_chain);
    g_test_add_func("/bdrv-graph-mod/graph/insert-node", test_insert_node);
    g_test_add_func("/bdrv-graph-mod/graph/inactivate", test_inactivate);
    g_test_add_func("/bdrv-graph-mod/graph/drop-intermediate",
                    test_drop_intermediate);
    g_test_add_func("/bdrv-graph-mod/create/img-create", test_img_create);
    g_test_add_func("/bdrv-graph-mod/create/simple", test_create_simple);
    g_test_add_func("/bdrv-graph-mod/open/node-info", test_node_info);
    g_test_add_func("/bdrv-graph-mod/backing/from-header",
                    test_backing_from_header);
    g_test_add_func("/bdrv-graph-mod/reopen/backing", test_reopen_backing);
    g_test_add_func("/bdrv-graph-mod/graph/root-iteration",
                    test_root_iteration);
    g_test_add_func("/bdrv-graph-mod/open/json-filename", test_json_filename);
    g_test_add_func("/bdrv-graph-mod/reopen/ro-rw", test_reopen_ro_rw);
    g_test_add_func("/bdrv-graph-mod/reopen/options", test_reopen_options);
    return g_test_run();
}
