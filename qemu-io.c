/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-io: the disk exerciser.  Command-line parsing, opening the image
 * into a BlockBackend, the commands that replace or change that backend
 * (open, close, reopen, quit) and the command loop: the -c commands in
 * order, or lines read from standard input after a "qemu-io> " prompt
 * (edited with util/readline.c when standard input is a terminal).
 * The other commands are in qemu-io-cmds.c and qemu-io-misc.c.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include <termios.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/option.h"
#include "qemu/main-loop.h"
#include "qemu/error-report.h"
#include "qemu/readline.h"
#include "trace/control.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "qom/object_interfaces.h"
#include "qemu-io-internal.h"

#define QEMU_IO_COPYRIGHT \
    "Copyright (c) 2026 the qemu-block-e2k developers"

static BlockBackend *qemuio_blk;
static bool quit_qemu_io;
static bool image_opts;     /* --image-opts: the file name is options */

/* Options given with "open -o" / "reopen -o" / --image-opts (any key). */
static QemuOptsList empty_opts = {
    .name = "drive",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(empty_opts.head),
    .desc = { { NULL } },
};

static QemuOptsList file_opts = {
    .name = "file",
    .implied_opt_name = "file",
    .head = QTAILQ_HEAD_INITIALIZER(file_opts.head),
    .desc = { { NULL } },
};

static QemuOptsList reopen_opts = {
    .name = "reopen",
    .merge_lists = true,
    .head = QTAILQ_HEAD_INITIALIZER(reopen_opts.head),
    .desc = { { NULL } },
};

/*
 * Open @name (or only @opts, when NULL) as the current image.  Takes
 * @opts.  0 on success; prints the error and returns 1 otherwise.
 */
static int openfile(const char *name, int flags, bool writethrough,
                    bool force_share, QDict *opts)
{
    Error *local_err = NULL;

    if (qemuio_blk) {
        error_report("file open already, try 'help close'");
        qobject_unref(opts);
        return 1;
    }
    if (force_share) {
        if (!opts) {
            opts = qdict_new();
        }
        if (qdict_haskey(opts, BDRV_OPT_FORCE_SHARE) &&
            strcmp(qdict_get_try_str(opts, BDRV_OPT_FORCE_SHARE) ?: "",
                   "on")) {
            error_report("-U conflicts with image options");
            qobject_unref(opts);
            return 1;
        }
        qdict_put_str(opts, BDRV_OPT_FORCE_SHARE, "on");
    }
    qemuio_blk = blk_new_open(name, NULL, opts, flags, &local_err);
    if (!qemuio_blk) {
        error_reportf_err(local_err, "can't open%s%s: ",
                          name ? " device " : "", name ?: "");
        return 1;
    }
    blk_set_enable_write_cache(qemuio_blk, !writethrough);
    return 0;
}

/* ---- open ---- */

static void open_help(void)
{
    printf(
"\n"
" opens a new file in the requested mode\n"
"\n"
" Example:\n"
" 'open -n -o driver=raw /tmp/data' - opens raw data file read-write, uncached\n"
"\n"
" Opens a file for subsequent use by all of the other qemu-io commands.\n"
" -r, -- open file read-only\n"
" -s, -- use snapshot file\n"
" -C, -- use copy-on-read\n"
" -n, -- disable host cache, short for -t none\n"
" -U, -- force shared permissions\n"
" -k, -- use kernel AIO implementation (Linux only, prefer use of -i)\n"
" -i, -- use AIO mode (threads, native or io_uring)\n"
" -t, -- use the given cache mode for the image\n"
" -d, -- use the given discard mode for the image\n"
" -o, -- options to be given to the block driver"
"\n");
}

static int open_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t open_cmd = {
    .name = "open",
    .altname = "o",
    .cfunc = open_f,
    .argmin = 1,
    .argmax = -1,
    .flags = CMD_NOFILE_OK,
    .args = "[-rsCnkU] [-t cache] [-d discard] [-o options] [path]",
    .oneline = "open the file specified by path",
    .help = open_help,
};

/* Options of "open"; 0, or -EINVAL after printing why. */
static int open_parse(int argc, char **argv, int *flags, bool *writethrough,
                      bool *force_share)
{
    bool readonly = false;
    int c;

    while ((c = getopt(argc, argv, "snCro:ki:t:d:U")) != -1) {
        switch (c) {
        case 's':
            *flags |= BDRV_O_SNAPSHOT;
            break;
        case 'n':
            *flags |= BDRV_O_NOCACHE;
            *writethrough = false;
            break;
        case 'C':
            *flags |= BDRV_O_COPY_ON_READ;
            break;
        case 'r':
            readonly = true;
            break;
        case 'k':
            *flags |= BDRV_O_NATIVE_AIO;
            break;
        case 'i':
            if (bdrv_parse_aio(optarg, flags) < 0) {
                error_report("Invalid aio option: %s", optarg);
                return -EINVAL;
            }
            break;
        case 't':
            if (bdrv_parse_cache_mode(optarg, flags, writethrough) < 0) {
                error_report("Invalid cache option: %s", optarg);
                return -EINVAL;
            }
            break;
        case 'd':
            if (bdrv_parse_discard_flags(optarg, flags) < 0) {
                error_report("Invalid discard option: %s", optarg);
                return -EINVAL;
            }
            break;
        case 'o':
            if (image_opts) {
                printf("--image-opts and 'open -o' are mutually "
                       "exclusive\n");
                return -EINVAL;
            }
            if (!qemu_opts_parse_noisily(&empty_opts, optarg, false)) {
                return -EINVAL;
            }
            break;
        case 'U':
            *force_share = true;
            break;
        default:
            qemuio_command_usage(&open_cmd);
            return -EINVAL;
        }
    }
    if (!readonly) {
        *flags |= BDRV_O_RDWR;
    }
    return 0;
}

static int open_f(BlockBackend *blk, int argc, char **argv)
{
    int flags = BDRV_O_UNMAP;
    bool writethrough = true, force_share = false;
    QemuOpts *qopts;
    QDict *opts;
    int ret;

    ret = open_parse(argc, argv, &flags, &writethrough, &force_share);
    if (ret == 0 && image_opts && optind == argc - 1) {
        if (!qemu_opts_parse_noisily(&empty_opts, argv[optind], false)) {
            ret = -EINVAL;
        }
        optind++;
    }
    if (ret < 0) {
        qemu_opts_reset(&empty_opts);
        return ret;
    }
    qopts = qemu_opts_find(&empty_opts, NULL);
    opts = qopts ? qemu_opts_to_qdict(qopts, NULL) : NULL;
    qemu_opts_reset(&empty_opts);

    if (optind == argc - 1) {
        ret = openfile(argv[optind], flags, writethrough, force_share, opts);
    } else if (optind == argc) {
        ret = openfile(NULL, flags, writethrough, force_share, opts);
    } else {
        qobject_unref(opts);
        qemuio_command_usage(&open_cmd);
        return -EINVAL;
    }
    return ret ? -EINVAL : 0;
}

/* ---- close, quit ---- */

/*
 * Drop the current image.  The last reference to a node may be released
 * from a main-loop BH (deleting a node takes the graph write lock), so
 * run the main context until it has nothing left to do: only then are
 * the nodes closed, their caches written back and their locks released.
 */
static void qemuio_close_image(void)
{
    if (!qemuio_blk) {
        return;
    }
    blk_unref(qemuio_blk);
    qemuio_blk = NULL;
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* keep dispatching */
    }
}

static int close_f(BlockBackend *blk, int argc, char **argv)
{
    qemuio_close_image();
    return 0;
}

static const cmdinfo_t close_cmd = {
    .name = "close",
    .altname = "c",
    .cfunc = close_f,
    .oneline = "close the current open file",
};

static int quit_f(BlockBackend *blk, int argc, char **argv)
{
    quit_qemu_io = true;
    return 0;
}

static const cmdinfo_t quit_cmd = {
    .name = "quit",
    .altname = "q",
    .cfunc = quit_f,
    .argmin = -1,
    .argmax = -1,
    .flags = CMD_FLAG_GLOBAL,
    .oneline = "exit the program",
};

/* ---- reopen ---- */

static void reopen_help(void)
{
    printf(
"\n"
" Changes the open options of an already opened image\n"
"\n"
" Example:\n"
" 'reopen -o lazy-refcounts=on' - activates lazy refcount writeback on a qcow2 image\n"
"\n"
" -r, -- Reopen the image read-only\n"
" -w, -- Reopen the image read-write\n"
" -c, -- Change the cache mode to the given value\n"
" -o, -- Changes block driver options (cf. 'open' command)\n"
"\n");
}

static int reopen_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t reopen_cmd = {
    .name = "reopen",
    .argmin = 0,
    .argmax = -1,
    .cfunc = reopen_f,
    .args = "[(-r|-w)] [-c cache] [-o options]",
    .oneline = "reopens an image with new options",
    .help = reopen_help,
};

/* What "reopen" was asked to change. */
typedef struct ReopenArgs {
    int flags;
    bool writethrough;
    bool has_rw, has_cache;
} ReopenArgs;

static int reopen_parse(int argc, char **argv, ReopenArgs *a)
{
    int c;

    while ((c = getopt(argc, argv, "c:o:rw")) != -1) {
        switch (c) {
        case 'c':
            if (bdrv_parse_cache_mode(optarg, &a->flags, &a->writethrough) < 0) {
                error_report("Invalid cache option: %s", optarg);
                return -EINVAL;
            }
            a->has_cache = true;
            break;
        case 'o':
            if (!qemu_opts_parse_noisily(&reopen_opts, optarg, false)) {
                return -EINVAL;
            }
            break;
        case 'r':
        case 'w':
            if (a->has_rw) {
                error_report("Only one -r/-w option may be given");
                return -EINVAL;
            }
            a->flags = c == 'r' ? a->flags & ~BDRV_O_RDWR
                                : a->flags | BDRV_O_RDWR;
            a->has_rw = true;
            break;
        default:
            qemuio_command_usage(&reopen_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc) {
        qemuio_command_usage(&reopen_cmd);
        return -EINVAL;
    }
    return 0;
}

/*
 * Put @key = @value into @opts unless the user gave it with -o; a
 * conflict with an explicit -r/-w/-c is an error.
 */
static int reopen_put_bool(QDict *opts, const char *key, bool value,
                           bool explicit, const char *conflict_msg)
{
    if (qdict_haskey(opts, key)) {
        if (explicit) {
            error_report("%s", conflict_msg);
            return -EINVAL;
        }
        return 0;
    }
    qdict_put_bool(opts, key, value);
    return 0;
}

static int reopen_f(BlockBackend *blk, int argc, char **argv)
{
    BlockDriverState *bs = blk_bs(blk);
    ReopenArgs a = {
        .flags = bs->open_flags,
        .writethrough = !blk_enable_write_cache(blk),
    };
    Error *local_err = NULL;
    QemuOpts *qopts;
    QDict *opts;

    if (reopen_parse(argc, argv, &a) < 0) {
        qemu_opts_reset(&reopen_opts);
        return -EINVAL;
    }
    qopts = qemu_opts_find(&reopen_opts, NULL);
    opts = qopts ? qemu_opts_to_qdict(qopts, NULL) : qdict_new();
    qemu_opts_reset(&reopen_opts);

    if (reopen_put_bool(opts, BDRV_OPT_READ_ONLY, !(a.flags & BDRV_O_RDWR),
                        a.has_rw, "Cannot set both -r/-w and '"
                        BDRV_OPT_READ_ONLY "'") < 0 ||
        reopen_put_bool(opts, BDRV_OPT_CACHE_DIRECT,
                        a.flags & BDRV_O_NOCACHE, a.has_cache,
                        "Cannot set both -c and the cache options") < 0 ||
        reopen_put_bool(opts, BDRV_OPT_CACHE_NO_FLUSH,
                        a.flags & BDRV_O_NO_FLUSH, a.has_cache,
                        "Cannot set both -c and the cache options") < 0) {
        qobject_unref(opts);
        return -EINVAL;
    }
    if (!(a.flags & BDRV_O_RDWR)) {
        /*
         * Going read-only: the backend must first give up the write
         * permissions that earlier write commands took.
         */
        uint64_t perm, shared;

        bdrv_drain(bs);
        blk_get_perm(blk, &perm, &shared);
        blk_set_perm(blk, perm & ~(BLK_PERM_WRITE | BLK_PERM_WRITE_UNCHANGED),
                     shared, &error_abort);
    }
    if (bdrv_reopen(bs, opts, true, &local_err) < 0) {
        error_report_err(local_err);
        return -EINVAL;
    }
    blk_set_enable_write_cache(blk, !a.writethrough);
    return 0;
}

/* ---- the program ---- */

static void usage(const char *name)
{
    printf(
"Usage: %s [OPTIONS]... [-c STRING]... [file]\n"
"QEMU Disk exerciser\n"
"\n"
"  --object OBJECTDEF   define an object such as 'secret' for\n"
"                       passwords and/or encryption keys\n"
"  --image-opts         treat file as option string\n"
"  -c, --cmd STRING     execute command with its arguments\n"
"                       from the given string\n"
"  -f, --format FMT     specifies the block driver to use\n"
"  -r, --read-only      export read-only\n"
"  -s, --snapshot       use snapshot file\n"
"  -n, --nocache        disable host cache, short for -t none\n"
"  -C, --copy-on-read   enable copy-on-read\n"
"  -m, --misalign       misalign allocations for O_DIRECT\n"
"  -k, --native-aio     use kernel AIO implementation\n"
"                       (Linux only, prefer use of -i)\n"
"  -i, --aio=MODE       use AIO mode (threads, native or io_uring)\n"
"  -t, --cache=MODE     use the given cache mode for the image\n"
"  -d, --discard=MODE   use the given discard mode for the image\n"
"  -T, --trace [[enable=]<pattern>][,events=<file>][,file=<file>]\n"
"                       specify tracing options\n"
"                       see qemu-img(1) man page for full description\n"
"  -U, --force-share    force shared permissions\n"
"  -h, --help           display this help and exit\n"
"  -V, --version        output version information and exit\n"
"\n"
"See '%s -c help' for information on available commands.\n"
"\n"
"See <https://qemu.org/contribute/report-a-bug> for how to report bugs.\n"
"More information on the QEMU project at <https://qemu.org>.\n",
           name, name);
}

/*
 * Read commands from standard input until EOF or "quit", each after a
 * prompt (held in memory until qemu-io waits for input: qemu-io-out.c).
 * Returns the last failure (negative) or 0.
 */
static int command_loop_stdin(void)
{
    int last_error = 0;

    qemuio_out_begin();
    while (!quit_qemu_io) {
        g_autofree char *line = NULL;

        printf("qemu-io> ");
        fflush(stdout);
        line = qemuio_read_line();
        if (!line) {
            break;
        }
        if (qemuio_command(qemuio_blk, line) < 0) {
            last_error = -EINVAL;
        }
    }
    qemuio_out_end();
    return last_error;
}

/* State of the interactive loop on a terminal. */
typedef struct TtyLoop {
    ReadLineState *rs;
    int last_error;
    bool done;
} TtyLoop;

static void G_GNUC_PRINTF(2, 3) tty_printf(void *opaque, const char *fmt,
                                           ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static void tty_flush(void *opaque)
{
    fflush(stdout);
}

/* A line from the editor: run it, then prompt again (NULL: ^D). */
static void tty_line(void *opaque, const char *str, void *readline_opaque)
{
    TtyLoop *l = opaque;

    if (!str) {
        l->done = true;
        return;
    }
    if (qemuio_command(qemuio_blk, str) < 0) {
        l->last_error = -EINVAL;
    }
    if (quit_qemu_io) {
        l->done = true;
        return;
    }
    readline_start(l->rs, "qemu-io> ", 0, tty_line, l);
}

/*
 * Standard input is a terminal: read keys unbuffered and without echo
 * (signals still work) and edit lines with util/readline.c.
 */
static int command_loop_tty(void)
{
    TtyLoop l = { .rs = readline_init(tty_printf, tty_flush, NULL, NULL) };
    struct termios saved, raw;
    bool have_termios = tcgetattr(STDIN_FILENO, &saved) == 0;

    if (have_termios) {
        raw = saved;
        raw.c_lflag &= ~(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    }
    readline_start(l.rs, "qemu-io> ", 0, tty_line, &l);
    while (!l.done) {
        unsigned char ch;
        ssize_t n = read(STDIN_FILENO, &ch, 1);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        readline_handle_byte(l.rs, ch);
    }
    if (have_termios) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    }
    readline_free(l.rs);
    return l.last_error;
}

static int command_loop(GPtrArray *cmdline)
{
    int last_error = 0;

    if (!cmdline->len) {
        return isatty(STDIN_FILENO) ? command_loop_tty()
                                    : command_loop_stdin();
    }
    for (guint i = 0; !quit_qemu_io && i < cmdline->len; i++) {
        if (qemuio_command(qemuio_blk, g_ptr_array_index(cmdline, i)) < 0) {
            last_error = -EINVAL;
        }
    }
    return last_error;
}

/* Everything main() collects from the command line. */
typedef struct MainArgs {
    GPtrArray *cmdline;
    GPtrArray *objects;     /* --object arguments, created after init */
    const char *format;
    int flags;
    bool readonly, writethrough, force_share;
} MainArgs;

enum {
    OPTION_OBJECT = 256,
    OPTION_IMAGE_OPTS = 257,
};

static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { "cmd", required_argument, NULL, 'c' },
    { "format", required_argument, NULL, 'f' },
    { "read-only", no_argument, NULL, 'r' },
    { "snapshot", no_argument, NULL, 's' },
    { "nocache", no_argument, NULL, 'n' },
    { "copy-on-read", no_argument, NULL, 'C' },
    { "misalign", no_argument, NULL, 'm' },
    { "native-aio", no_argument, NULL, 'k' },
    { "aio", required_argument, NULL, 'i' },
    { "discard", required_argument, NULL, 'd' },
    { "cache", required_argument, NULL, 't' },
    { "trace", required_argument, NULL, 'T' },
    { "object", required_argument, NULL, OPTION_OBJECT },
    { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
    { "force-share", no_argument, NULL, 'U' },
    { NULL, 0, NULL, 0 }
};

/* Options that take a mode string; exits on a bad one. */
static void parse_mode_option(int c, const char *arg, MainArgs *a)
{
    int ret;

    if (c == 'd') {
        ret = bdrv_parse_discard_flags(arg, &a->flags);
    } else if (c == 'i') {
        ret = bdrv_parse_aio(arg, &a->flags);
    } else {
        ret = bdrv_parse_cache_mode(arg, &a->flags, &a->writethrough);
    }
    if (ret < 0) {
        error_report("Invalid %s option: %s",
                     c == 'd' ? "discard" : c == 'i' ? "aio" : "cache", arg);
        exit(1);
    }
}

static void parse_args(int argc, char **argv, MainArgs *a)
{
    const char *name = error_get_progname();
    int c;

    while ((c = getopt_long(argc, argv, "hVc:d:f:rsnCmki:t:T:U",
                            long_options, NULL)) != -1) {
        switch (c) {
        case 's':
            a->flags |= BDRV_O_SNAPSHOT;
            break;
        case 'n':
            a->flags |= BDRV_O_NOCACHE;
            a->writethrough = false;
            break;
        case 'C':
            a->flags |= BDRV_O_COPY_ON_READ;
            break;
        case 'd':
        case 'i':
        case 't':
            parse_mode_option(c, optarg, a);
            break;
        case 'f':
            a->format = optarg;
            break;
        case 'c':
            g_ptr_array_add(a->cmdline, optarg);
            break;
        case 'r':
            a->readonly = true;
            break;
        case 'm':
            qemuio_misalign = true;
            break;
        case 'k':
            a->flags |= BDRV_O_NATIVE_AIO;
            break;
        case 'T':
            trace_opt_parse(optarg);
            break;
        case 'V':
            printf("%s version " QEMU_VERSION QEMU_PKGVERSION "\n"
                   QEMU_IO_COPYRIGHT "\n", name);
            exit(0);
        case 'h':
            usage(name);
            exit(0);
        case 'U':
            a->force_share = true;
            break;
        case OPTION_OBJECT:
            g_ptr_array_add(a->objects, optarg);
            break;
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        default:
            usage(name);
            exit(1);
        }
    }
}

/* Open the image named on the command line, if any; exits on failure. */
static void open_initial_image(const char *arg, MainArgs *a)
{
    QDict *opts = NULL;

    if (image_opts) {
        QemuOpts *qopts = qemu_opts_parse_noisily(&file_opts, arg, false);
        if (!qopts) {
            exit(1);
        }
        opts = qemu_opts_to_qdict(qopts, NULL);
        qemu_opts_del(qopts);
        if (openfile(NULL, a->flags, a->writethrough, a->force_share,
                     opts)) {
            exit(1);
        }
        return;
    }
    if (a->format) {
        opts = qdict_new();
        qdict_put_str(opts, "driver", a->format);
    }
    if (openfile(arg, a->flags, a->writethrough, a->force_share, opts)) {
        exit(1);
    }
}

int main(int argc, char **argv)
{
    MainArgs a = {
        .cmdline = g_ptr_array_new(),
        .objects = g_ptr_array_new(),
        .flags = BDRV_O_UNMAP,
        .writethrough = true,
    };
    int ret;

    error_init(argv[0]);
    parse_args(argc, argv, &a);
    if (argc - optind > 1) {
        usage(error_get_progname());
        exit(1);
    }
    if (a.format && image_opts) {
        error_report("--image-opts and -f are mutually exclusive");
        exit(1);
    }
    if (!trace_init_backends()) {
        exit(1);
    }

    qemu_init_main_loop(&error_fatal);
    qemu_main_loop_tool_defaults();
    bdrv_init();
    qemuio_init_commands();
    qemuio_add_command(&open_cmd);
    qemuio_add_command(&close_cmd);
    qemuio_add_command(&quit_cmd);
    qemuio_add_command(&reopen_cmd);
    for (guint i = 0; i < a.objects->len; i++) {
        user_creatable_process_cmdline(g_ptr_array_index(a.objects, i));
    }

    if (!a.readonly) {
        a.flags |= BDRV_O_RDWR;
    }
    if (argc - optind == 1) {
        open_initial_image(argv[optind], &a);
    }

    ret = command_loop(a.cmdline);

    /* Let outstanding AIO finish before the image goes away. */
    bdrv_drain_all();
    qemuio_close_image();
    bdrv_close_all();
    user_creatable_cleanup();
    g_ptr_array_free(a.cmdline, true);
    g_ptr_array_free(a.objects, true);
    return ret < 0 ? 1 : 0;
}
