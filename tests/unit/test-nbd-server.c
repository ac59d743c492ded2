/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nbd-server.c: the NBD server (nbd/server*.c) over a socketpair.
 * A client transcript (handshake and requests) is written into the
 * client end up front, then the main loop runs until the server drops
 * the connection; what the server sent is parsed and checked.  A good
 * session checks the handshake replies, READ chunks against the data,
 * WRITE, block status and the transmission flags; then every truncation
 * and bit flips at every byte of that transcript must end the session
 * cleanly (no crash, no hang, the server still usable afterwards).
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/bswap.h"
#include "qemu/main-loop.h"
#include "qemu/sockets.h"
#include "block/block.h"
#include "block/nbd-server.h"
#include "sysemu/block-backend.h"

#define IMG_SIZE    (1 * MiB)
#define DATA_LEN    (64 * KiB)

static BlockBackend *blk;
static char *img_path;

/* ---- the client side ------------------------------------------------ */

typedef struct Session {
    int fd;                     /* client end */
    GByteArray *out;            /* what the server sent (first 1 MiB) */
    bool closed;
    bool negotiated;
} Session;

static void session_closed(void *opaque, bool negotiated)
{
    Session *s = opaque;

    s->closed = true;
    s->negotiated = negotiated;
}

static void session_readable(void *opaque)
{
    Session *s = opaque;
    uint8_t buf[65536];
    ssize_t n = read(s->fd, buf, sizeof(buf));

    if (n > 0 && s->out->len < MiB) {
        g_byte_array_append(s->out, buf, n);
    } else if (n == 0) {
        aio_set_fd_handler(qemu_get_aio_context(), s->fd, NULL, NULL, NULL,
                           NULL, NULL);
    }
}

/*
 * Send @in as the client (then EOF) and serve it until the server hangs
 * up.  Returns what the server sent; *negotiated tells whether the
 * handshake completed.
 */
static GByteArray *run_session(const GByteArray *in, bool *negotiated)
{
    Session s = { .out = g_byte_array_new() };
    int sv[2];
    QIOChannel *ioc;
    size_t off = 0;
    bool eof_sent = false;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    s.fd = sv[1];
    ioc = qio_channel_new_fd(sv[0], "test-server");
    nbd_client_new(ioc, session_closed, &s);
    qio_channel_unref(ioc);
    qemu_socket_set_nonblock(s.fd);
    aio_set_fd_handler(qemu_get_aio_context(), s.fd, session_readable, NULL,
                       NULL, NULL, &s);

    /* Feed the transcript as the socket takes it, reading replies. */
    while (!s.closed) {
        if (off < in->len) {
            ssize_t n = write(s.fd, in->data + off, in->len - off);
            if (n > 0) {
                off += n;
            } else if (errno != EAGAIN) {
                off = in->len;      /* the server hung up early */
            }
        }
        if (off == in->len && !eof_sent) {
            shutdown(s.fd, SHUT_WR);
            eof_sent = true;
        }
        aio_poll(qemu_get_aio_context(), eof_sent);
    }
    /* Collect what is still in the socket. */
    for (;;) {
        uint8_t buf[4096];
        ssize_t n = read(s.fd, buf, sizeof(buf));
        if (n <= 0) {
            break;
        }
        if (s.out->len < MiB) {
            g_byte_array_append(s.out, buf, n);
        }
    }
    aio_set_fd_handler(qemu_get_aio_context(), s.fd, NULL, NULL, NULL, NULL,
                       NULL);
    close(s.fd);
    if (negotiated) {
        *negotiated = s.negotiated;
    }
    return s.out;
}

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

static void put_opt(GByteArray *b, uint32_t opt, const void *data,
                    uint32_t len)
{
    put64(b, NBD_OPTS_MAGIC);
    put32(b, opt);
    put32(b, len);
    g_byte_array_append(b, data, len);
}

static void put_req(GByteArray *b, uint16_t type, uint16_t flags,
                    uint64_t cookie, uint64_t from, uint32_t len)
{
    put32(b, NBD_REQUEST_MAGIC);
    put16(b, flags);
    put16(b, type);
    put64(b, cookie);
    put64(b, from);
    put32(b, len);
}

#define WRITE_OFF   (256 * KiB)
#define WRITE_LEN   512

/*
 * The good session: structured replies, base:allocation, GO, then READ
 * (sparse), READ with DF, WRITE with FUA, BLOCK_STATUS, DISC.
 */
static GByteArray *good_transcript(void)
{
    GByteArray *b = g_byte_array_new();
    g_autoptr(GByteArray) p = g_byte_array_new();
    static const char ctx[] = NBD_META_BASE_ALLOCATION;
    uint8_t data[WRITE_LEN];

    put32(b, NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES);
    put_opt(b, NBD_OPT_STRUCTURED_REPLY, NULL, 0);
    put32(p, 3);
    g_byte_array_append(p, (guint8 *)"exp", 3);
    put32(p, 1);
    put32(p, strlen(ctx));
    g_byte_array_append(p, (guint8 *)ctx, strlen(ctx));
    put_opt(b, NBD_OPT_SET_META_CONTEXT, p->data, p->len);
    g_byte_array_set_size(p, 0);
    put32(p, 3);
    g_byte_array_append(p, (guint8 *)"exp", 3);
    put16(p, 1);
    put16(p, NBD_INFO_BLOCK_SIZE);
    put_opt(b, NBD_OPT_GO, p->data, p->len);

    put_req(b, NBD_CMD_READ, 0, 1, 0, 2 * DATA_LEN);
    put_req(b, NBD_CMD_READ, NBD_CMD_FLAG_DF, 2, 4096, 8192);
    memset(data, 0xa5, sizeof(data));
    put_req(b, NBD_CMD_WRITE, NBD_CMD_FLAG_FUA, 3, WRITE_OFF, WRITE_LEN);
    g_byte_array_append(b, data, sizeof(data));
    put_req(b, NBD_CMD_BLOCK_STATUS, 0, 4, 0, IMG_SIZE);
    put_req(b, NBD_CMD_DISC, 0, 5, 0, 0);
    return b;
}

/* ---- parsing what the server sent ------------------------------------ */

typedef struct Reader {
    const uint8_t *p;
    size_t left;
} Reader;

static const uint8_t *take(Reader *r, size_t n)
{
    const uint8_t *p = r->p;

    g_assert_cmpuint(r->left, >=, n);
    r->p += n;
    r->left -= n;
    return p;
}

static uint16_t get16(Reader *r)
{
    return lduw_be_p(take(r, 2));
}

static uint32_t get32(Reader *r)
{
    return ldl_be_p(take(r, 4));
}

static uint64_t get64(Reader *r)
{
    return ldq_be_p(take(r, 8));
}

/* Option replies for @opt up to the final one; returns the last type. */
static uint32_t expect_replies(Reader *r, uint32_t opt, GPtrArray *infos)
{
    for (;;) {
        uint32_t type, len;

        g_assert_cmphex(get64(r), ==, NBD_REP_MAGIC);
        g_assert_cmpuint(get32(r), ==, opt);
        type = get32(r);
        len = get32(r);
        if (infos && type == NBD_REP_INFO) {
            g_ptr_array_add(infos, g_bytes_new(take(r, len), len));
            continue;
        }
        take(r, len);
        if (type != NBD_REP_INFO && type != NBD_REP_META_CONTEXT) {
            return type;
        }
    }
}

/* One reply or chunk of the transmission phase. */
typedef struct Chunk {
    uint64_t cookie;
    bool simple;
    uint32_t error;             /* simple replies */
    uint16_t flags, type;       /* chunks */
    const uint8_t *data;
    uint32_t len;
} Chunk;

/* Split the rest of @r into replies (they may come in any order). */
static GArray *read_chunks(Reader *r)
{
    GArray *chunks = g_array_new(false, true, sizeof(Chunk));

    while (r->left) {
        Chunk c = { 0 };
        uint32_t magic = get32(r);

        if (magic == NBD_SIMPLE_REPLY_MAGIC) {
            c.simple = true;
            c.error = get32(r);
            c.cookie = get64(r);
        } else {
            g_assert_cmphex(magic, ==, NBD_STRUCTURED_REPLY_MAGIC);
            c.flags = get16(r);
            c.type = get16(r);
            c.cookie = get64(r);
            c.len = get32(r);
            c.data = take(r, c.len);
        }
        g_array_append_val(chunks, c);
    }
    return chunks;
}

/* The chunks of a READ of [@from, +@len) must rebuild the image's data. */
static void check_read_chunks(GArray *chunks, uint64_t cookie,
                              uint64_t from, uint32_t len)
{
    g_autofree uint8_t *want = g_malloc(len);
    uint64_t covered = 0;
    int done = 0;

    g_assert_cmpint(blk_pread(blk, from, len, want, 0), ==, 0);
    for (guint i = 0; i < chunks->len; i++) {
        Chunk *c = &g_array_index(chunks, Chunk, i);
        uint64_t off;

        if (c->cookie != cookie) {
            continue;
        }
        g_assert_false(c->simple);
        g_assert_cmpint(done, ==, 0);
        done += !!(c->flags & NBD_REPLY_FLAG_DONE);
        off = ldq_be_p(c->data);
        g_assert_cmpuint(off, >=, from);
        if (c->type == NBD_REPLY_TYPE_OFFSET_DATA) {
            g_assert(!memcmp(c->data + 8, want + (off - from), c->len - 8));
            covered += c->len - 8;
        } else {
            uint32_t hlen = ldl_be_p(c->data + 8);
            g_assert_cmpuint(c->type, ==, NBD_REPLY_TYPE_OFFSET_HOLE);
            for (uint32_t j = 0; j < hlen; j++) {
                g_assert_cmpuint(want[off - from + j], ==, 0);
            }
            covered += hlen;
        }
    }
    g_assert_cmpint(done, ==, 1);
    g_assert_cmpuint(covered, ==, len);
}

/* The one chunk (or simple reply) answering @cookie. */
static Chunk *only_chunk(GArray *chunks, uint64_t cookie)
{
    Chunk *found = NULL;

    for (guint i = 0; i < chunks->len; i++) {
        Chunk *c = &g_array_index(chunks, Chunk, i);
        if (c->cookie == cookie) {
            g_assert_null(found);
            found = c;
        }
    }
    g_assert_nonnull(found);
    return found;
}

static void test_good_session(void)
{
    g_autoptr(GByteArray) in = good_transcript();
    g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_bytes_unref);
    g_autoptr(GByteArray) out = NULL;
    uint8_t back[WRITE_LEN], pattern[WRITE_LEN];
    bool negotiated, seen_export = false;
    GArray *chunks;
    Chunk *c;
    Reader r;
    uint32_t sum = 0;

    out = run_session(in, &negotiated);
    g_assert_true(negotiated);
    r = (Reader) { out->data, out->len };

    g_assert_cmphex(get64(&r), ==, NBD_INIT_MAGIC);
    g_assert_cmphex(get64(&r), ==, NBD_OPTS_MAGIC);
    g_assert_cmphex(get16(&r), ==,
                    NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
    g_assert_cmpuint(expect_replies(&r, NBD_OPT_STRUCTURED_REPLY, NULL), ==,
                     NBD_REP_ACK);
    g_assert_cmpuint(expect_replies(&r, NBD_OPT_SET_META_CONTEXT, NULL), ==,
                     NBD_REP_ACK);
    g_assert_cmpuint(expect_replies(&r, NBD_OPT_GO, infos), ==,
                     NBD_REP_ACK);
    for (guint i = 0; i < infos->len; i++) {
        gsize len;
        const uint8_t *d = g_bytes_get_data(infos->pdata[i], &len);
        if (lduw_be_p(d) == NBD_INFO_EXPORT) {
            g_assert_cmpuint(len, ==, 12);
            g_assert_cmpuint(ldq_be_p(d + 2), ==, IMG_SIZE);
            /* writable, structured replies: DF, no MULTI_CONN */
            g_assert_cmphex(lduw_be_p(d + 10), ==,
                            NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH |
                            NBD_FLAG_SEND_FUA | NBD_FLAG_SEND_TRIM |
                            NBD_FLAG_SEND_WRITE_ZEROES | NBD_FLAG_SEND_DF |
                            NBD_FLAG_SEND_CACHE | NBD_FLAG_SEND_FAST_ZERO);
            seen_export = true;
        } else if (lduw_be_p(d) == NBD_INFO_BLOCK_SIZE) {
            g_assert_cmpuint(len, ==, 14);
            g_assert_cmpuint(ldl_be_p(d + 2), ==,
                             blk_get_request_alignment(blk));
            g_assert_cmpuint(ldl_be_p(d + 10), <=, NBD_MAX_BUFFER_SIZE);
        }
    }
    g_assert_true(seen_export);

    chunks = read_chunks(&r);
    g_assert_cmpuint(r.left, ==, 0);
    check_read_chunks(chunks, 1, 0, 2 * DATA_LEN);
    check_read_chunks(chunks, 2, 4096, 8192);

    /* WRITE: a simple reply, and the data reached the image */
    c = only_chunk(chunks, 3);
    g_assert_true(c->simple);
    g_assert_cmpuint(c->error, ==, 0);
    memset(pattern, 0xa5, sizeof(pattern));
    g_assert_cmpint(blk_pread(blk, WRITE_OFF, WRITE_LEN, back, 0), ==, 0);
    g_assert(!memcmp(back, pattern, WRITE_LEN));

    /* BLOCK_STATUS: one chunk for context 0, extents covering the image */
    c = only_chunk(chunks, 4);
    g_assert_cmphex(c->flags, ==, NBD_REPLY_FLAG_DONE);
    g_assert_cmpuint(c->type, ==, NBD_REPLY_TYPE_BLOCK_STATUS);
    g_assert_cmpuint(c->len % 8, ==, 4);
    g_assert_cmpuint(ldl_be_p(c->data), ==, 0);
    for (uint32_t i = 0; i < (c->len - 4) / 8; i++) {
        uint32_t len = ldl_be_p(c->data + 4 + 8 * i);
        uint32_t flags = ldl_be_p(c->data + 8 + 8 * i);
        g_assert_cmpuint(len, >, 0);
        g_assert_cmpuint(flags & ~(NBD_STATE_HOLE | NBD_STATE_ZERO), ==, 0);
        if (sum < DATA_LEN) {
            /* the data at the start is not a hole */
            g_assert_cmpuint(flags & NBD_STATE_HOLE, ==, 0);
        }
        sum += len;
    }
    g_assert_cmpuint(sum, ==, IMG_SIZE);
    /* DISC has no reply: 2 + 2 chunks at least, nothing for cookie 5 */
    for (guint i = 0; i < chunks->len; i++) {
        g_assert_cmpuint(g_array_index(chunks, Chunk, i).cookie, !=, 5);
    }
    g_array_free(chunks, true);
}

/* Data at the start of the image, zeroes (a hole) after it. */
static void fill_image(void)
{
    g_autofree uint8_t *buf = g_malloc(DATA_LEN);

    for (int i = 0; i < DATA_LEN; i++) {
        buf[i] = i * 7 + 3;
    }
    g_assert_cmpint(blk_pwrite(blk, 0, DATA_LEN, buf, 0), ==, 0);
    g_assert_cmpint(blk_pwrite_zeroes(blk, DATA_LEN, IMG_SIZE - DATA_LEN,
                                      BDRV_REQ_MAY_UNMAP), ==, 0);
}

/* Check the server still serves a good session after @in. */
static void survive(const GByteArray *in)
{
    g_autoptr(GByteArray) out = run_session(in, NULL);

    g_assert_cmpuint(out->len, <=, MiB);
}

static void test_truncated(void)
{
    g_autoptr(GByteArray) good = good_transcript();

    for (guint cut = 0; cut < good->len; cut++) {
        g_autoptr(GByteArray) in = g_byte_array_new();

        g_byte_array_append(in, good->data, cut);
        survive(in);
    }
    test_good_session();
}

static void test_corrupted(void)
{
    g_autoptr(GByteArray) good = good_transcript();
    static const uint8_t masks[] = { 0x01, 0x80, 0xff };

    for (guint i = 0; i < good->len; i++) {
        for (guint m = 0; m < G_N_ELEMENTS(masks); m++) {
            g_autoptr(GByteArray) in = g_byte_array_new();

            g_byte_array_append(in, good->data, good->len);
            in->data[i] ^= masks[m];
            survive(in);
        }
    }
    /* flips may have written to or trimmed the image: put the data back */
    fill_image();
    test_good_session();
}

static void setup_image(void)
{
    QDict *opts = qdict_new();
    NBDExportOptions eo = { .name = "exp" };
    int fd;

    fd = g_file_open_tmp("test-nbd-server-XXXXXX", &img_path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, IMG_SIZE), ==, 0);
    close(fd);
    qdict_put_str(opts, "driver", "raw");
    blk = blk_new_open(img_path, NULL, opts, BDRV_O_RDWR | BDRV_O_UNMAP,
                       &error_abort);
    fill_image();
    g_assert_nonnull(nbd_export_new(blk, &eo, &error_abort));
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    signal(SIGPIPE, SIG_IGN);
    setup_image();

    g_test_add_func("/nbd-server/good-session", test_good_session);
    g_test_add_func("/nbd-server/truncated", test_truncated);
    g_test_add_func("/nbd-server/corrupted", test_corrupted);
    ret = g_test_run();

    nbd_export_remove_all();
    while (nbd_export_count() > 0) {
        aio_poll(qemu_get_aio_context(), true);
    }
    blk_unref(blk);
    bdrv_close_all();
    unlink(img_path);
    g_free(img_path);
    return ret;
}
