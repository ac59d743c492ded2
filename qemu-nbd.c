/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-nbd: serve a disk image over NBD.  Command-line parsing with
 * QEMU 7.2's options and messages, opening the image into a
 * BlockBackend, the listening socket and the main loop that accepts
 * clients (at most --shared at a time) until the last one leaves (or
 * forever with --persistent), --fork/--pid-file, and -L (list another
 * server's exports, through the NBD client).  The protocol itself is in
 * nbd/server*.c.  Kernel NBD devices (-c/-d) and TLS are not supported.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include <signal.h>
#include <glib-unix.h>
#include <sys/socket.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/option.h"
#include "qemu/main-loop.h"
#include "qemu/error-report.h"
#include "qemu/sockets.h"
#include "block/block_int.h"
#include "block/nbd-server.h"
#include "block/nbd-client.h"
#include "sysemu/block-backend.h"
#include "qom/object_interfaces.h"
#include "trace/control.h"
#include "qemu-nbd.h"

#define QEMU_NBD_COPYRIGHT \
    "Copyright (c) 2026 the qemu-block-e2k developers"

typedef enum NBDState {
    NBD_RUNNING,
    NBD_TERMINATE,
    NBD_TERMINATED,
} NBDState;

static volatile sig_atomic_t nbd_state = NBD_RUNNING;
static int listen_fd = -1;
static int nb_fds;              /* clients connected */
static bool accepting;
static QemuNbdArgs args = {
    .port = NULL,
    .shared = 1,
    .flags = BDRV_O_RDWR,
};

void qemu_nbd_usage(const char *name)
{
    printf(
"Usage: %1$s [OPTIONS] FILE\n"
"  or:  %1$s -L [OPTIONS]\n"
"QEMU Disk Network Block Device Utility\n"
"\n"
"  -h, --help                display this help and exit\n"
"  -V, --version             output version information and exit\n"
"\n"
"Connection properties:\n"
"  -p, --port=PORT           port to listen on (default `%2$d')\n"
"  -b, --bind=IFACE          interface to bind to (default `0.0.0.0')\n"
"  -k, --socket=PATH         path to the unix socket\n"
"                            (default '/var/lock/qemu-nbd-DEVICE')\n"
"  -e, --shared=NUM          device can be shared by NUM clients (default '1')\n"
"  -t, --persistent          don't exit on the last connection\n"
"  -v, --verbose             display extra debugging information\n"
"  -x, --export-name=NAME    expose export by name (default is empty string)\n"
"  -D, --description=TEXT    export a human-readable description\n"
"\n"
"Exposing part of the image:\n"
"  -o, --offset=OFFSET       offset into the image\n"
"  -A, --allocation-depth    expose the allocation depth\n"
"  -B, --bitmap=NAME         expose a persistent dirty bitmap\n"
"\n"
"General purpose options:\n"
"  -L, --list                list exports available from another NBD server\n"
"  --object type,id=ID,...   define an object such as 'secret' for providing\n"
"                            passwords and/or encryption keys\n"
"  --tls-creds=ID            use id of an earlier --object to provide TLS\n"
"  --tls-authz=ID            use id of an earlier --object to provide\n"
"                            authorization\n"
"  -T, --trace [[enable=]<pattern>][,events=<file>][,file=<file>]\n"
"                            specify tracing options\n"
"  --fork                    fork off the server process and exit the parent\n"
"                            once the server is running\n"
"  --pid-file=PATH           store the server's process ID in the given file\n"
"  --selinux-label=LABEL     set SELinux process label on listening socket\n"
"\n"
"Kernel NBD client support:\n"
"  -c, --connect=DEV         connect FILE to the local NBD device DEV\n"
"  -d, --disconnect          disconnect the specified device\n"
"\n"
"Block device options:\n"
"  -f, --format=FORMAT       set image format (raw, qcow2, ...)\n"
"  -r, --read-only           export read-only\n"
"  -s, --snapshot            use FILE as an external snapshot, create a temporary\n"
"                            file with backing_file=FILE, redirect the write to\n"
"                            the temporary one\n"
"  -l, --load-snapshot=SNAPSHOT_PARAM\n"
"                            load an internal snapshot inside FILE and export it\n"
"                            as an read-only device, SNAPSHOT_PARAM format is\n"
"                            'snapshot.id=[ID],snapshot.name=[NAME]', or\n"
"                            '[ID_OR_NAME]'\n"
"  -n, --nocache             disable host cache\n"
"      --cache=MODE          set cache mode used to access the disk image, the\n"
"                            valid options are: 'none', 'writeback' (default),\n"
"                            'writethrough', 'directsync' and 'unsafe'\n"
"      --aio=MODE            set AIO mode (native, io_uring or threads)\n"
"      --discard=MODE        set discard mode (ignore, unmap)\n"
"      --detect-zeroes=MODE  set detect-zeroes mode (off, on, unmap)\n"
"      --image-opts          treat FILE as a full set of image options\n"
"\n"
"See <https://qemu.org/contribute/report-a-bug> for how to report bugs.\n"
"More information on the QEMU project at <https://qemu.org>.\n",
           name, NBD_DEFAULT_PORT);
}

void qemu_nbd_version(const char *name)
{
    printf("%s " QEMU_VERSION QEMU_PKGVERSION "\n"
           "Written by Anthony Liguori.\n"
           "\n"
           QEMU_NBD_COPYRIGHT "\n"
           "This is free software; see the source for copying conditions.  "
           "There is NO\n"
           "warranty; not even for MERCHANTABILITY or FITNESS FOR A "
           "PARTICULAR PURPOSE.\n", name);
}

/* ---- serving ---------------------------------------------------------- */

static void nbd_accept(void *opaque);

/* Accept new clients while fewer than --shared are connected (0: any). */
static void nbd_update_server_watch(void)
{
    bool want = nbd_state == NBD_RUNNING &&
                (args.shared == 0 || nb_fds < args.shared);

    if (want != accepting) {
        qemu_set_fd_handler(listen_fd, want ? nbd_accept : NULL, NULL, NULL);
        accepting = want;
    }
}

static void nbd_client_closed(void *opaque, bool negotiated)
{
    nb_fds--;
    if (negotiated && nb_fds == 0 && !args.persistent &&
        nbd_state == NBD_RUNNING) {
        nbd_state = NBD_TERMINATE;
    }
    nbd_update_server_watch();
    qemu_notify_event();
}

static void nbd_accept(void *opaque)
{
    QIOChannel *ioc;
    int fd = qemu_accept(listen_fd);

    if (fd < 0) {
        return;
    }
    if (nbd_state != NBD_RUNNING) {
        close(fd);
        return;
    }
    nb_fds++;
    nbd_update_server_watch();
    ioc = qio_channel_new_fd(fd, "nbd-server");
    nbd_client_new(ioc, nbd_client_closed, NULL);
    qio_channel_unref(ioc);
}

/*
 * SIGTERM/SIGINT/SIGHUP may land in any thread: the handler writes to a
 * pipe the main loop watches, which wakes it wherever it sleeps.
 */
static int sig_pipe[2] = { -1, -1 };

static void termsig_handler(int signum)
{
    char c = 0;

    nbd_state = NBD_TERMINATE;
    if (write(sig_pipe[1], &c, 1) < 0) {
        /* the pipe is full: a wake-up is pending anyway */
    }
}

static void termsig_read(void *opaque)
{
    char buf[64];

    while (read(sig_pipe[0], buf, sizeof(buf)) > 0) {
        /* drain */
    }
}

static void setup_signals(void)
{
    struct sigaction sa = { .sa_handler = termsig_handler };

    if (!g_unix_open_pipe(sig_pipe, FD_CLOEXEC, NULL)) {
        error_report("Failed to create a pipe: %s", strerror(errno));
        exit(EXIT_FAILURE);
    }
    qemu_socket_set_nonblock(sig_pipe[0]);
    qemu_socket_set_nonblock(sig_pipe[1]);

    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The address to listen on: -k, else -b/-p (default 0.0.0.0:10809). */
static SocketAddress *nbd_listen_address(void)
{
    g_autofree char *port = NULL;

    if (args.sockpath) {
        return socket_address_new_unix(args.sockpath);
    }
    port = args.port ? g_strdup(args.port)
                     : g_strdup_printf("%d", NBD_DEFAULT_PORT);
    return socket_address_new_inet(args.bindto ?: "0.0.0.0", port);
}

/* Run until told to stop, then let every client go. */
static void nbd_serve(void)
{
    nbd_update_server_watch();
    while (nbd_state == NBD_RUNNING) {
        main_loop_wait(false);
    }
    qemu_set_fd_handler(listen_fd, NULL, NULL, NULL);
    accepting = false;
    nbd_export_remove_all();
    while (nbd_client_count() > 0 || nbd_export_count() > 0) {
        main_loop_wait(false);
    }
    nbd_state = NBD_TERMINATED;
}

/* ---- --fork ----------------------------------------------------------- */

static int saved_stderr = -1;

/*
 * Fork: the parent copies what the server writes to stderr until the
 * server is ready, then exits with 1 if anything was written (the server
 * failed), else 0.  Returns in the child.
 */
static void nbd_fork(void)
{
    int pfd[2];
    pid_t pid;

    if (pipe(pfd) < 0) {
        error_report("Error setting up communication pipe: %s",
                     strerror(errno));
        exit(EXIT_FAILURE);
    }
    pid = fork();
    if (pid < 0) {
        error_report("Failed to fork: %s", strerror(errno));
        exit(EXIT_FAILURE);
    }
    if (pid > 0) {
        bool errors = false;
        char buf[1024];
        ssize_t n;

        close(pfd[1]);
        while ((n = read(pfd[0], buf, sizeof(buf))) != 0) {
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                exit(EXIT_FAILURE);
            }
            errors = true;
            if (write(STDERR_FILENO, buf, n) < 0) {
                exit(EXIT_FAILURE);
            }
        }
        exit(errors ? EXIT_FAILURE : EXIT_SUCCESS);
    }

    close(pfd[0]);
    setsid();
    saved_stderr = dup(STDERR_FILENO);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        close(devnull);
    }
    dup2(pfd[1], STDERR_FILENO);
    close(pfd[1]);
}

/* The server is up: release the waiting parent. */
static void nbd_fork_done(void)
{
    if (saved_stderr >= 0) {
        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        saved_stderr = -1;
    }
}

static void write_pid_file(const char *path)
{
    g_autofree char *pid = g_strdup_printf("%d\n", (int)getpid());
    GError *gerr = NULL;

    if (!g_file_set_contents(path, pid, -1, &gerr)) {
        error_report("Could not create '%s': %s", path,
                     strerror(errno ?: EIO));
        g_error_free(gerr);
        exit(EXIT_FAILURE);
    }
}

/* ---- main ------------------------------------------------------------- */

/* -L: list the exports of the server at -k / -b:-p and exit. */
static int nbd_list_mode(void)
{
    g_autoptr(SocketAddress) addr = NULL;
    Error *local_err = NULL;

    if (args.sockpath) {
        addr = socket_address_new_unix(args.sockpath);
    } else {
        g_autofree char *port = args.port ? g_strdup(args.port)
                                : g_strdup_printf("%d", NBD_DEFAULT_PORT);
        addr = socket_address_new_inet(args.bindto ?: "0.0.0.0", port);
    }
    if (nbd_list_exports(addr, &local_err) < 0) {
        error_report_err(local_err);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}

static void nbd_listen(void)
{
    g_autoptr(SocketAddress) addr = nbd_listen_address();
    Error *local_err = NULL;

    listen_fd = socket_listen(addr, args.shared ? args.shared : SOMAXCONN,
                              &local_err);
    if (listen_fd < 0) {
        error_report_err(local_err);
        exit(EXIT_FAILURE);
    }
    qemu_socket_set_nonblock(listen_fd);
}

/*
 * At exit (errors after the image was opened included), close every
 * node so that formats write back their state, e.g. qcow2 bitmaps
 * marked in use while the image was open read-write.
 */
static void qemu_nbd_shutdown(void)
{
    bdrv_close_all();
}

int main(int argc, char **argv)
{
    BlockBackend *blk;
    Error *local_err = NULL;
    int ret;

    error_init(argv[0]);
    qemu_nbd_parse_args(argc, argv, &args);
    if (!trace_init_backends()) {
        exit(EXIT_FAILURE);
    }
    /* Before the objects: --object main-loop tunes this context. */
    qemu_init_main_loop(&error_fatal);
    qemu_main_loop_tool_defaults();
    for (guint i = 0; i < args.objects->len; i++) {
        user_creatable_process_cmdline(g_ptr_array_index(args.objects, i));
    }
    qemu_nbd_check_tls(&args);
    if (args.list) {
        qemu_init_main_loop(&error_fatal);
        return nbd_list_mode();
    }
    if (args.fork) {
        nbd_fork();
    }
    setup_signals();
    qemu_init_main_loop(&error_fatal);
    qemu_set_fd_handler(sig_pipe[0], termsig_read, NULL, NULL);
    bdrv_init();
    atexit(qemu_nbd_shutdown);
    nbd_server_set_verbose(args.verbose);

    nbd_listen();
    blk = qemu_nbd_open_image(&args);
    ret = qemu_nbd_export(&args, blk, &local_err);
    if (ret < 0) {
        error_report_err(local_err);
        exit(EXIT_FAILURE);
    }
    if (args.device) {
        qemu_nbd_connect_device(&args);
    }
    if (args.pid_file) {
        write_pid_file(args.pid_file);
    }
    nbd_fork_done();

    nbd_serve();

    blk_unref(blk);
    bdrv_close_all();
    user_creatable_cleanup();
    if (args.sockpath) {
        unlink(args.sockpath);
    }
    return EXIT_SUCCESS;
}
