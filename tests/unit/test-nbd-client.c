/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nbd-client.c: the client handshake (nbd/client.c, client-list.c)
 * against scripted servers.  The server side is a byte transcript written
 * into one end of a socketpair before the client runs on the other end:
 * the GO path with structured replies, block sizes and a metadata
 * context; the fallbacks (no GO -> EXPORT_NAME, plain newstyle,
 * oldstyle); error replies; every truncation and many corruptions of a
 * good transcript (the client must fail cleanly or accept sane values);
 * and, when QEMU 7.2's qemu-nbd is installed, the export listing printed
 * exactly as its `qemu-nbd -L` prints it.
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include <sys/wait.h>
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "block/nbd-client.h"

/* ---- transcript building ------------------------------------------- */

static void put16(GByteArray *b, uint16_t v)
{
    v = cpu_to_be16(v);
    g_byte_array_append(b, (guint8 *)&v, 2);
}

static void put32(GByteArray *b, uint32_t v)
{
    v = cpu_to_be32(v);
    g_byte_array_append(b, (guint8 *)&v, 4);
}

static void put64(GByteArray *b, uint64_t v)
{
    v = cpu_to_be64(v);
    g_byte_array_append(b, (guint8 *)&v, 8);
}

static void put_greeting(GByteArray *b, uint16_t flags)
{
    put64(b, NBD_INIT_MAGIC);
    put64(b, NBD_OPTS_MAGIC);
    put16(b, flags);
}

static void put_rep(GByteArray *b, uint32_t opt, uint32_t type,
                    const void *data, uint32_t len)
{
    put64(b, NBD_REP_MAGIC);
    put32(b, opt);
    put32(b, type);
    put32(b, len);
    g_byte_array_append(b, data, len);
}

#define EXP_SIZE  (64 * MiB + 512)
#define EXP_FLAGS (NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH | \
                   NBD_FLAG_SEND_WRITE_ZEROES)

static void put_info_export(GByteArray *b)
{
    g_autoptr(GByteArray) p = g_byte_array_new();

    put16(p, NBD_INFO_EXPORT);
    put64(p, EXP_SIZE);
    put16(p, EXP_FLAGS);
    put_rep(b, NBD_OPT_GO, NBD_REP_INFO, p->data, p->len);
}

/* The whole server side of a GO handshake our client completes. */
static GByteArray *good_transcript(void)
{
    GByteArray *b = g_byte_array_new();
    g_autoptr(GByteArray) p = g_byte_array_new();

    put_greeting(b, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
    put_rep(b, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, NULL, 0);
    put32(p, 5);
    g_byte_array_append(p, (guint8 *)NBD_META_BASE_ALLOCATION,
                        strlen(NBD_META_BASE_ALLOCATION));
    put_rep(b, NBD_OPT_SET_META_CONTEXT, NBD_REP_META_CONTEXT, p->data,
            p->len);
    put_rep(b, NBD_OPT_SET_META_CONTEXT, NBD_REP_ACK, NULL, 0);
    put_info_export(b);
    g_byte_array_set_size(p, 0);
    put16(p, NBD_INFO_BLOCK_SIZE);
    put32(p, 512);
    put32(p, 4096);
    put32(p, 1 * MiB);
    put_rep(b, NBD_OPT_GO, NBD_REP_INFO, p->data, p->len);
    put_rep(b, NBD_OPT_GO, NBD_REP_ACK, NULL, 0);
    return b;
}

/*
 * Run the client handshake for export @name against @len bytes of
 * transcript (then EOF).  Returns the result, fills @info and @errp.
 */
static int negotiate_with(const guint8 *data, size_t len, const char *name,
                          NBDExportInfo *info, Error **errp)
{
    g_autoptr(QIOChannel) ioc = NULL;
    int sv[2], ret;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    /* transcripts are far below the socket buffer: no server thread */
    g_assert_cmpint(write(sv[1], data, len), ==, len);
    shutdown(sv[1], SHUT_WR);
    ioc = qio_channel_new_fd(sv[0], "test");
    memset(info, 0, sizeof(*info));
    info->name = g_strdup(name);
    info->request_sizes = true;
    info->want_structured = true;
    ret = nbd_receive_negotiate(ioc, info, errp);
    close(sv[1]);
    return ret;
}

/* ---- tests ---------------------------------------------------------- */

static void test_go(void)
{
    g_autoptr(GByteArray) t = good_transcript();
    NBDExportInfo info;

    g_assert_cmpint(negotiate_with(t->data, t->len, "exp", &info,
                                   &error_abort), ==, 0);
    g_assert_true(info.structured_reply);
    g_assert_true(info.base_allocation);
    g_assert_cmpuint(info.context_id, ==, 5);
    g_assert_cmpuint(info.size, ==, EXP_SIZE);
    g_assert_cmpuint(info.flags, ==, EXP_FLAGS);
    g_assert_cmpuint(info.min_block, ==, 512);
    g_assert_cmpuint(info.opt_block, ==, 4096);
    g_assert_cmpuint(info.max_block, ==, 1 * MiB);
    nbd_export_info_clear(&info);
}

/* No structured replies, no GO: EXPORT_NAME and the 124 zero bytes. */
static void test_export_name_fallback(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    static const guint8 zeroes[124];
    NBDExportInfo info;

    put_greeting(b, NBD_FLAG_FIXED_NEWSTYLE);
    put_rep(b, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ERR_UNSUP, "no", 2);
    put_rep(b, NBD_OPT_GO, NBD_REP_ERR_UNSUP, NULL, 0);
    put64(b, EXP_SIZE);
    put16(b, EXP_FLAGS);
    g_byte_array_append(b, zeroes, sizeof(zeroes));
    g_assert_cmpint(negotiate_with(b->data, b->len, "exp", &info,
                                   &error_abort), ==, 0);
    g_assert_false(info.structured_reply);
    g_assert_false(info.base_allocation);
    g_assert_cmpuint(info.size, ==, EXP_SIZE);
    g_assert_cmpuint(info.flags, ==, EXP_FLAGS);
    g_assert_cmpuint(info.min_block, ==, 0);
    nbd_export_info_clear(&info);

    /* the zeroes missing: the client expected them */
    g_byte_array_set_size(b, b->len - sizeof(zeroes) + 10);
    g_assert_cmpint(negotiate_with(b->data, b->len, "exp", &info, NULL),
                    <, 0);
    nbd_export_info_clear(&info);
}

/*
 * An ACK with a payload, and the short option names the messages use
 * (QEMU 7.2's wording): the payload is never read, so the transcript
 * need not hold it.
 */
static void test_ack_with_payload(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autofree char *want = NULL;
    NBDExportInfo info;
    Error *err = NULL;

    put_greeting(b, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
    put64(b, NBD_REP_MAGIC);
    put32(b, NBD_OPT_STRUCTURED_REPLY);
    put32(b, NBD_REP_ACK);
    put32(b, 1 * MiB);
    g_assert_cmpint(negotiate_with(b->data, b->len, "exp", &info, &err),
                    <, 0);
    want = g_strdup_printf("Option %u ('%s') response length is %u (it "
                           "should be zero)", NBD_OPT_STRUCTURED_REPLY,
                           nbd_opt_name(NBD_OPT_STRUCTURED_REPLY),
                           (unsigned)(1 * MiB));
    g_assert_cmpstr(error_get_pretty(err), ==, want);
    g_assert_cmpstr(nbd_opt_name(NBD_OPT_STRUCTURED_REPLY), ==,
                    "structured reply");
    g_assert_cmpstr(nbd_opt_name(12345), ==, "<unknown>");
    g_assert_cmpstr(nbd_rep_name(NBD_REP_ERR_POLICY), ==,
                    "denied by policy");
    error_free(err);
    nbd_export_info_clear(&info);
}

static void test_oldstyle(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    static const guint8 zeroes[124];
    NBDExportInfo info;
    Error *err = NULL;

    put64(b, NBD_INIT_MAGIC);
    put64(b, NBD_CLISERV_MAGIC);
    put64(b, 1 * MiB);
    put32(b, NBD_FLAG_HAS_FLAGS | NBD_FLAG_READ_ONLY);
    g_byte_array_append(b, zeroes, sizeof(zeroes));
    g_assert_cmpint(negotiate_with(b->data, b->len, "", &info,
                                   &error_abort), ==, 0);
    g_assert_cmpuint(info.size, ==, 1 * MiB);
    g_assert_cmpuint(info.flags, ==, NBD_FLAG_HAS_FLAGS | NBD_FLAG_READ_ONLY);
    nbd_export_info_clear(&info);

    g_assert_cmpint(negotiate_with(b->data, b->len, "name", &info, &err),
                    <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Server does not support non-empty export names");
    error_free(err);
    nbd_export_info_clear(&info);
}

static void test_go_errors(void)
{
    static const struct {
        uint32_t type;
        const char *msg;
    } cases[] = {
        { NBD_REP_ERR_UNKNOWN, "Requested export not available" },
        { NBD_REP_ERR_POLICY, "Denied by server for option 7 (go)" },
        { NBD_REP_ERR_TLS_REQD,
          "TLS negotiation required before option 7 (go)" },
        { NBD_REP_ERR(100),
          "Unknown error code when asking for option 7 (go)" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GByteArray) b = g_byte_array_new();
        NBDExportInfo info;
        Error *err = NULL;

        put_greeting(b, NBD_FLAG_FIXED_NEWSTYLE);
        put_rep(b, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, NULL, 0);
        put_rep(b, NBD_OPT_SET_META_CONTEXT, NBD_REP_ERR_UNSUP, NULL, 0);
        put_rep(b, NBD_OPT_GO, cases[i].type, "why", 3);
        g_assert_cmpint(negotiate_with(b->data, b->len, "x", &info, &err),
                        <, 0);
        g_assert_cmpstr(error_get_pretty(err), ==, cases[i].msg);
        error_free(err);
        nbd_export_info_clear(&info);
    }
}

/* Bounds every accepted handshake must respect. */
static void check_sane(const NBDExportInfo *info)
{
    g_assert_true(info->flags & NBD_FLAG_HAS_FLAGS);
    g_assert_cmpuint(info->size, <=, INT64_MAX);
    if (info->min_block) {
        g_assert_true(is_power_of_2(info->min_block));
        g_assert_cmpuint(info->opt_block, >=, info->min_block);
        g_assert_cmpuint(info->max_block % info->min_block, ==, 0);
    }
}

/* Every prefix of a good transcript: an error, never a hang or crash. */
static void test_truncated(void)
{
    g_autoptr(GByteArray) t = good_transcript();

    for (size_t len = 0; len < t->len; len++) {
        NBDExportInfo info;
        Error *err = NULL;

        g_assert_cmpint(negotiate_with(t->data, len, "exp", &info, &err),
                        <, 0);
        g_assert_nonnull(err);
        error_free(err);
        nbd_export_info_clear(&info);
    }
}

/*
 * Flip bits all over a good transcript: the client either refuses with
 * an error or accepts values within the protocol's bounds.
 */
static void test_corrupted(void)
{
    g_autoptr(GByteArray) t = good_transcript();
    static const guint8 masks[] = { 0x01, 0x80, 0xff };
    int failed = 0;

    for (size_t pos = 0; pos < t->len; pos++) {
        for (size_t m = 0; m < G_N_ELEMENTS(masks); m++) {
            g_autoptr(GByteArray) c = g_byte_array_new();
            NBDExportInfo info;
            Error *err = NULL;
            int ret;

            g_byte_array_append(c, t->data, t->len);
            c->data[pos] ^= masks[m];
            ret = negotiate_with(c->data, c->len, "exp", &info, &err);
            if (ret < 0) {
                g_assert_nonnull(err);
                error_free(err);
                failed++;
            } else {
                check_sane(&info);
            }
            nbd_export_info_clear(&info);
        }
    }
    /* magics, types and lengths are everywhere: most must be refused */
    g_assert_cmpint(failed, >, t->len);
}

/* A listing whose server lacks NBD_OPT_LIST is an error. */
static void test_list_unsupported(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autoptr(QIOChannel) ioc = NULL;
    NBDExportInfo *list;
    Error *err = NULL;
    int sv[2];

    put_greeting(b, NBD_FLAG_FIXED_NEWSTYLE);
    put_rep(b, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, NULL, 0);
    put_rep(b, NBD_OPT_LIST, NBD_REP_ERR_UNSUP, NULL, 0);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    g_assert_cmpint(write(sv[1], b->data, b->len), ==, b->len);
    shutdown(sv[1], SHUT_WR);
    ioc = qio_channel_new_fd(sv[0], "test");
    g_assert_cmpint(nbd_receive_export_list(ioc, &list, &err), ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Server does not support export lists");
    error_free(err);
    close(sv[1]);
}

/* ---- against QEMU 7.2's qemu-nbd --------------------------------------- */

static const char *peer_nbd(void)
{
    const char *p = g_getenv("QEMU_NBD_PEER");

    p = p ? p : "/usr/bin/qemu-nbd";
    return g_file_test(p, G_FILE_TEST_IS_EXECUTABLE) ? p : NULL;
}

/* Our listing of a 7.2 server prints what 7.2's `qemu-nbd -L` prints. */
static void test_list_vs_peer(void)
{
    const char *peer = peer_nbd();
    g_autofree char *dir = NULL, *img = NULL, *sock = NULL;
    g_autofree char *theirs = NULL, *ours = NULL;
    g_autoptr(SocketAddress) addr = NULL;
    g_autoptr(QIOChannel) ioc = NULL;
    NBDExportInfo *list;
    size_t ours_len;
    FILE *out;
    GPid pid;
    int count, fd, status;

    if (!peer) {
        g_test_skip("QEMU 7.2's qemu-nbd not installed");
        return;
    }
    dir = g_dir_make_tmp("test-nbd-client-XXXXXX", NULL);
    img = g_build_filename(dir, "img", NULL);
    sock = g_build_filename(dir, "sock", NULL);
    fd = open(img, O_CREAT | O_RDWR, 0600);
    g_assert_cmpint(ftruncate(fd, 3 * MiB + 512), ==, 0);
    close(fd);
    {
        const char *argv[] = { peer, "-t", "-k", sock, "-x", "exp one",
                               "-D", "a test export", "-A", "-f", "raw",
                               img, NULL };

        g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD |
                                    G_SPAWN_STDOUT_TO_DEV_NULL |
                                    G_SPAWN_STDERR_TO_DEV_NULL,
                                    NULL, NULL, &pid, NULL));
    }
    /* listening once a connection goes through (the probe is dropped) */
    addr = socket_address_new_unix(sock);
    for (int i = 0; i < 500; i++) {
        fd = socket_connect(addr, NULL);
        if (fd >= 0) {
            close(fd);
            break;
        }
        g_usleep(10 * 1000);
    }
    {
        const char *argv[] = { peer, "-L", "-k", sock, NULL };

        g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                                   &theirs, NULL, &status, NULL));
    }

    fd = socket_connect(addr, &error_abort);
    ioc = qio_channel_new_fd(fd, "test");
    count = nbd_receive_export_list(ioc, &list, &error_abort);
    g_assert_cmpint(count, ==, 1);
    g_assert_cmpstr(list[0].name, ==, "exp one");
    g_assert_cmpstr(list[0].description, ==, "a test export");
    g_assert_cmpuint(list[0].size, ==, 3 * MiB + 512);
    g_assert_cmpint(list[0].n_contexts, ==, 2);
    out = open_memstream(&ours, &ours_len);
    nbd_print_export_list(out, list, count);
    fclose(out);
    nbd_free_export_list(list, count);

    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    g_spawn_close_pid(pid);
    unlink(img);
    unlink(sock);
    rmdir(dir);

    g_assert_cmpstr(ours, ==, theirs);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nbd-client/go", test_go);
    g_test_add_func("/nbd-client/export-name-fallback",
                    test_export_name_fallback);
    g_test_add_func("/nbd-client/oldstyle", test_oldstyle);
    g_test_add_func("/nbd-client/ack-with-payload", test_ack_with_payload);
    g_test_add_func("/nbd-client/go-errors", test_go_errors);
    g_test_add_func("/nbd-client/truncated", test_truncated);
    g_test_add_func("/nbd-client/corrupted", test_corrupted);
    g_test_add_func("/nbd-client/list-unsupported", test_list_unsupported);
    g_test_add_func("/nbd-client/list-vs-qemu-nbd-7.2", test_list_vs_peer);
    return g_test_run();
}
