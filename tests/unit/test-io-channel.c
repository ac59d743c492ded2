/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-io-channel.c: socket address parsing, UNIX listen/connect/accept,
 * and QIOChannel transfers outside and inside coroutines (a reader that
 * yields until the peer writes, clean and unclean end of stream, a
 * shutdown that ends a blocked read, simultaneous read and write waits).
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include <netinet/in.h>
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "qemu/units.h"
#include "qemu/sockets.h"
#include "io/channel.h"

static AioContext *ctx;

static void test_parse(void)
{
    g_autoptr(SocketAddress) u = socket_parse("unix:/tmp/a b", &error_abort);
    g_autoptr(SocketAddress) i = socket_parse("localhost:10809", &error_abort);
    g_autoptr(SocketAddress) v6 = socket_parse("[::1]:99", &error_abort);
    g_autoptr(SocketAddress) f = socket_parse("fd:7", &error_abort);
    g_autofree char *s = NULL;
    Error *err = NULL;

    g_assert_cmpint(u->type, ==, SOCKET_ADDRESS_TYPE_UNIX);
    g_assert_cmpstr(u->path, ==, "/tmp/a b");
    g_assert_cmpint(i->type, ==, SOCKET_ADDRESS_TYPE_INET);
    g_assert_cmpstr(i->host, ==, "localhost");
    g_assert_cmpstr(i->port, ==, "10809");
    g_assert_cmpstr(v6->host, ==, "::1");
    g_assert_cmpstr(v6->port, ==, "99");
    g_assert_cmpint(f->type, ==, SOCKET_ADDRESS_TYPE_FD);
    g_assert_cmpstr(f->str, ==, "7");
    s = socket_address_to_string(v6);
    g_assert_cmpstr(s, ==, "[::1]:99");

    g_assert_null(socket_parse("nocolon", &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(socket_parse("[::1", &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(socket_parse("unix:", &err));
    g_assert_nonnull(err);
    error_free(err);
}

static char *tmp_socket_path(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-io-channel-XXXXXX", NULL);

    g_assert_nonnull(dir);
    return g_build_filename(dir, "sock", NULL);
}

static void remove_socket_path(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);

    unlink(path);
    rmdir(dir);
}

static void test_unix_listen_connect(void)
{
    g_autofree char *path = tmp_socket_path();
    g_autoptr(SocketAddress) addr = socket_address_new_unix(path);
    Error *err = NULL;
    int lfd, cfd, afd;
    char buf[4];

    /* Nobody listens yet: the connect fails with the path in the text. */
    g_assert_cmpint(socket_connect(addr, &err), <, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), path));
    error_free(err);

    lfd = socket_listen(addr, 1, &error_abort);
    cfd = socket_connect(addr, &error_abort);
    afd = qemu_accept(lfd);
    g_assert_cmpint(afd, >=, 0);
    g_assert_cmpint(write(cfd, "ping", 4), ==, 4);
    g_assert_cmpint(read(afd, buf, 4), ==, 4);
    g_assert_cmpmem(buf, 4, "ping", 4);
    close(afd);
    close(cfd);
    close(lfd);

    /* A stale socket file from an earlier run does not stop a listen. */
    lfd = socket_listen(addr, 1, &error_abort);
    close(lfd);
    remove_socket_path(path);
}

/* TCP on the loopback: listen on a free port, connect, accept, talk. */
static void test_inet_listen_connect(void)
{
    g_autoptr(SocketAddress) any = socket_address_new_inet("127.0.0.1", "0");
    g_autoptr(SocketAddress) addr = NULL;
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    g_autofree char *port = NULL;
    Error *err = NULL;
    int lfd, cfd, afd;
    char buf[4];

    lfd = socket_listen(any, 1, &error_abort);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&sin, &len), ==, 0);
    port = g_strdup_printf("%d", ntohs(sin.sin_port));
    addr = socket_address_new_inet("127.0.0.1", port);
    cfd = socket_connect(addr, &error_abort);
    afd = qemu_accept(lfd);
    g_assert_cmpint(afd, >=, 0);
    g_assert_cmpint(write(cfd, "pong", 4), ==, 4);
    g_assert_cmpint(read(afd, buf, 4), ==, 4);
    g_assert_cmpmem(buf, 4, "pong", 4);
    close(afd);
    close(cfd);
    close(lfd);

    /* Nobody listens there any more: the error names host and port. */
    g_assert_cmpint(socket_connect(addr, &err), <, 0);
    g_assert_nonnull(strstr(error_get_pretty(err), "127.0.0.1:"));
    g_assert_nonnull(strstr(error_get_pretty(err), port));
    error_free(err);
}

static void socket_pair(QIOChannel **a, QIOChannel **b)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    *a = qio_channel_new_fd(sv[0], "a");
    *b = qio_channel_new_fd(sv[1], "b");
}

static void test_blocking_transfer(void)
{
    QIOChannel *a, *b;
    char big[200000], back[200000];
    struct iovec iov[2] = {
        { .iov_base = back, .iov_len = 100 },
        { .iov_base = back + 100, .iov_len = sizeof(back) - 100 },
    };

    for (size_t i = 0; i < sizeof(big); i++) {
        big[i] = i * 7;
    }
    socket_pair(&a, &b);
    g_assert_cmpint(qio_channel_write_all(a, big, 1000, &error_abort), ==, 0);
    g_assert_cmpint(qio_channel_read_all(b, back, 1000, &error_abort), ==, 0);
    g_assert_cmpmem(back, 1000, big, 1000);

    memset(back, 0, sizeof(back));
    g_assert_cmpint(qio_channel_write_all(a, big, 60000, &error_abort), ==, 0);
    g_assert_cmpint(qio_channel_shutdown(a, QIO_CHANNEL_SHUTDOWN_WRITE,
                                         &error_abort), ==, 0);
    /* 60000 bytes then EOF: a 200000-byte read fails mid-stream. */
    {
        Error *err = NULL;

        g_assert_cmpint(qio_channel_readv_all_eof(b, iov, 2, &err), ==, -1);
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Unexpected end-of-file before all data were read");
        error_free(err);
    }
    g_assert_cmpmem(back, 60000, big, 60000);
    /* Now at EOF: a clean end of stream. */
    g_assert_cmpint(qio_channel_read_all_eof(b, back, 10, &error_abort),
                    ==, 0);
    qio_channel_unref(a);
    qio_channel_unref(b);
}

typedef struct CoReadData {
    QIOChannel *ioc;
    char buf[16];
    size_t len;
    int ret;
    bool done;
} CoReadData;

static void coroutine_fn co_read(void *opaque)
{
    CoReadData *d = opaque;

    d->ret = qio_channel_read_all_eof(d->ioc, d->buf, d->len, NULL);
    d->done = true;
}

static void test_coroutine_read_yields(void)
{
    QIOChannel *a, *b;
    CoReadData d = { .len = 8 };

    socket_pair(&a, &b);
    d.ioc = b;
    qemu_coroutine_enter(qemu_coroutine_create(co_read, &d));
    /* Nothing to read: the coroutine is parked on the fd. */
    g_assert_false(d.done);
    g_assert_true(b->read_co != NULL);

    /* Half the data: it wakes, reads, and waits again. */
    g_assert_cmpint(write(a->fd, "abcd", 4), ==, 4);
    aio_poll(ctx, true);
    g_assert_false(d.done);
    g_assert_true(b->read_co != NULL);
    g_assert_cmpint(write(a->fd, "efgh", 4), ==, 4);
    while (!d.done) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(d.ret, ==, 1);
    g_assert_cmpmem(d.buf, 8, "abcdefgh", 8);
    g_assert_false(b->handlers_set);

    /* A shutdown of the peer ends a parked read with a clean EOF. */
    d.done = false;
    qemu_coroutine_enter(qemu_coroutine_create(co_read, &d));
    g_assert_false(d.done);
    qio_channel_shutdown(a, QIO_CHANNEL_SHUTDOWN_BOTH, &error_abort);
    while (!d.done) {
        aio_poll(ctx, true);
    }
    g_assert_cmpint(d.ret, ==, 0);
    qio_channel_unref(a);
    qio_channel_unref(b);
}

static void test_wake_read(void)
{
    QIOChannel *a, *b;
    CoReadData d = { .len = 4 };
    Coroutine *co;

    socket_pair(&a, &b);
    d.ioc = b;
    co = qemu_coroutine_create(co_read, &d);
    qemu_coroutine_enter(co);
    g_assert_true(b->read_co == co);
    /*
     * A wake without data makes the reader try again and park again:
     * the read does not finish early and the handler is back.
     */
    qio_channel_wake_read(b);
    aio_poll(ctx, false);
    g_assert_false(d.done);
    g_assert_true(b->read_co == co);
    g_assert_cmpint(write(a->fd, "wxyz", 4), ==, 4);
    while (!d.done) {
        aio_poll(ctx, true);
    }
    g_assert_cmpmem(d.buf, 4, "wxyz", 4);
    qio_channel_unref(a);
    qio_channel_unref(b);
}

typedef struct CoWriteData {
    QIOChannel *ioc;
    char *buf;
    size_t len;
    bool done;
} CoWriteData;

static void coroutine_fn co_write(void *opaque)
{
    CoWriteData *d = opaque;

    g_assert_cmpint(qio_channel_write_all(d->ioc, d->buf, d->len,
                                          &error_abort), ==, 0);
    d->done = true;
}

/* One coroutine parked for reading and one for writing on one channel. */
static void test_read_and_write_waits(void)
{
    QIOChannel *a, *b;
    size_t big = 4 * MiB;
    g_autofree char *out = g_malloc(big);
    g_autofree char *in = g_malloc(big);
    CoReadData r = { .len = 3 };
    CoWriteData w = { .buf = out, .len = big };
    size_t got = 0;

    for (size_t i = 0; i < big; i++) {
        out[i] = i % 251;
    }
    socket_pair(&a, &b);
    r.ioc = a;
    w.ioc = a;
    qemu_coroutine_enter(qemu_coroutine_create(co_read, &r));
    qemu_coroutine_enter(qemu_coroutine_create(co_write, &w));
    /* The socket buffer is far smaller than 4 MiB: the writer waits. */
    g_assert_false(w.done);
    g_assert_true(a->read_co && a->write_co);

    while (got < big) {
        ssize_t n = read(b->fd, in + got, big - got);

        if (n < 0) {
            g_assert_true(errno == EAGAIN);
        } else {
            got += n;
        }
        aio_poll(ctx, false);
    }
    while (!w.done) {
        aio_poll(ctx, true);
    }
    g_assert_cmpmem(in, big, out, big);
    g_assert_false(r.done);
    g_assert_cmpint(write(b->fd, "end", 3), ==, 3);
    while (!r.done) {
        aio_poll(ctx, true);
    }
    g_assert_cmpmem(r.buf, 3, "end", 3);
    qio_channel_unref(a);
    qio_channel_unref(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();
    g_test_add_func("/io-channel/parse", test_parse);
    g_test_add_func("/io-channel/unix-listen-connect",
                    test_unix_listen_connect);
    g_test_add_func("/io-channel/inet-listen-connect",
                    test_inet_listen_connect);
    g_test_add_func("/io-channel/blocking-transfer", test_blocking_transfer);
    g_test_add_func("/io-channel/coroutine-read-yields",
                    test_coroutine_read_yields);
    g_test_add_func("/io-channel/wake-read", test_wake_read);
    g_test_add_func("/io-channel/read-and-write-waits",
                    test_read_and_write_waits);
    return g_test_run();
}
