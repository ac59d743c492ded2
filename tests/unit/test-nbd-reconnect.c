/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nbd-reconnect.c: the NBD client's connection thread
 * (nbd/client-connection.c) against a Unix socket that has no server at
 * first and an oldstyle server later: a non-blocking collect starts an
 * attempt and returns at once, a blocking one waits for the back-off
 * retry that finds the server, a cancelled one returns without a
 * connection, and a connection released while its thread sleeps or
 * negotiates goes away cleanly (ASan checks the freeing).
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include <sys/un.h>
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/main-loop.h"
#include "qemu/thread.h"
#include "block/aio.h"
#include "block/nbd-client.h"

#define EXPORT_SIZE (1024 * 1024)

static AioContext *ctx;

typedef struct Server {
    int listen_fd;
    int client_fd;
    bool greet;             /* send the oldstyle greeting */
    QemuThread thread;
} Server;

static void *server_thread(void *opaque)
{
    Server *srv = opaque;
    uint8_t hello[8 + 8 + 8 + 4 + 124] = { 0 };
    uint64_t magic = cpu_to_be64(0x00420281861253ULL);
    uint64_t size = cpu_to_be64(EXPORT_SIZE);
    uint32_t flags = cpu_to_be32(NBD_FLAG_HAS_FLAGS);

    srv->client_fd = accept(srv->listen_fd, NULL, NULL);
    g_assert_cmpint(srv->client_fd, >=, 0);
    if (srv->greet) {
        memcpy(hello, "NBDMAGIC", 8);
        memcpy(hello + 8, &magic, 8);
        memcpy(hello + 16, &size, 8);
        memcpy(hello + 24, &flags, 4);
        g_assert_cmpint(write(srv->client_fd, hello, sizeof(hello)), ==,
                        sizeof(hello));
    }
    return NULL;
}

/* Listen on @path and serve one client from a thread. */
static void server_start(Server *srv, const char *path, bool greet)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    g_strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
    srv->greet = greet;
    srv->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(srv->listen_fd, >=, 0);
    g_assert_cmpint(bind(srv->listen_fd, (struct sockaddr *)&sun,
                         sizeof(sun)), ==, 0);
    g_assert_cmpint(listen(srv->listen_fd, 1), ==, 0);
    qemu_thread_create(&srv->thread, "test-nbd-server", server_thread, srv,
                       QEMU_THREAD_JOINABLE);
}

static void server_stop(Server *srv, const char *path)
{
    qemu_thread_join(&srv->thread);
    close(srv->client_fd);
    close(srv->listen_fd);
    unlink(path);
}

typedef struct Collect {
    NBDClientConnection *conn;
    bool blocking;
    bool done;
    QIOChannel *ioc;
    NBDExportInfo info;
} Collect;

static void coroutine_fn collect_entry(void *opaque)
{
    Collect *c = opaque;

    c->ioc = nbd_co_establish_connection(c->conn, &c->info, c->blocking);
    c->done = true;
}

static void collect_start(Collect *c)
{
    c->done = false;
    c->ioc = NULL;
    aio_co_enter(ctx, qemu_coroutine_create(collect_entry, c));
}

static void collect_wait(Collect *c)
{
    while (!c->done) {
        aio_poll(ctx, true);
    }
}

static char *socket_path(void)
{
    g_autofree char *dir = g_dir_make_tmp("nbd-reconnect-XXXXXX", NULL);

    g_assert(dir);
    return g_build_filename(dir, "sock", NULL);
}

static void remove_socket_dir(char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);

    unlink(path);
    rmdir(dir);
    g_free(path);
}

/*
 * No server: a non-blocking collect returns NULL at once.  The server
 * appears; a blocking collect then gets the connection from the
 * thread's retry (1 s after its first failure) with the export's size.
 */
static void test_retry(void)
{
    char *path = socket_path();
    g_autoptr(SocketAddress) addr = socket_address_new_unix(path);
    Collect c = {
        .conn = nbd_client_connection_new(addr, NULL, NULL, true),
    };
    Server srv;

    collect_start(&c);
    collect_wait(&c);
    g_assert_null(c.ioc);

    server_start(&srv, path, true);
    c.blocking = true;
    collect_start(&c);
    collect_wait(&c);
    g_assert_nonnull(c.ioc);
    g_assert_cmpuint(c.info.size, ==, EXPORT_SIZE);
    g_assert_false(c.info.structured_reply);

    qio_channel_unref(c.ioc);
    nbd_export_info_clear(&c.info);
    nbd_client_connection_release(c.conn);
    server_stop(&srv, path);
    remove_socket_dir(path);
}

static void cancel_cb(void *opaque)
{
    nbd_co_establish_connection_cancel(opaque);
}

/*
 * A blocking collect with no server comes back without a connection when
 * cancelled; releasing the connection then stops the sleeping thread.
 */
static void test_cancel(void)
{
    char *path = socket_path();
    g_autoptr(SocketAddress) addr = socket_address_new_unix(path);
    Collect c = {
        .conn = nbd_client_connection_new(addr, NULL, NULL, true),
        .blocking = true,
    };
    QEMUTimer *t = aio_timer_new(ctx, QEMU_CLOCK_REALTIME, SCALE_MS,
                                 cancel_cb, c.conn);

    timer_mod(t, qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + 100);
    collect_start(&c);
    collect_wait(&c);
    g_assert_null(c.ioc);
    timer_free(t);
    nbd_client_connection_release(c.conn);
    remove_socket_dir(path);
}

/*
 * A server that accepts but never greets: the thread blocks in the
 * handshake; releasing the connection shuts that socket down, so the
 * thread ends (and frees everything) instead of waiting forever.
 */
static void test_release_in_handshake(void)
{
    char *path = socket_path();
    g_autoptr(SocketAddress) addr = socket_address_new_unix(path);
    Collect c = {
        .conn = nbd_client_connection_new(addr, NULL, NULL, false),
    };
    Server srv;
    char byte;

    server_start(&srv, path, false);
    collect_start(&c);
    collect_wait(&c);
    g_assert_null(c.ioc);
    qemu_thread_join(&srv.thread);      /* the thread has connected */
    nbd_client_connection_release(c.conn);
    /* the client's end is shut down: EOF, not a hang */
    g_assert_cmpint(read(srv.client_fd, &byte, 1), ==, 0);
    close(srv.client_fd);
    close(srv.listen_fd);
    remove_socket_dir(path);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    ctx = qemu_get_aio_context();

    g_test_add_func("/nbd-reconnect/retry", test_retry);
    g_test_add_func("/nbd-reconnect/cancel", test_cancel);
    g_test_add_func("/nbd-reconnect/release-in-handshake",
                    test_release_in_handshake);
    return g_test_run();
}
