/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-nbd: the command line (QEMU 7.2's options, checks and messages),
 * opening the image with the block options it gives (format, cache and
 * AIO modes, discard, detect-zeroes, -s, -l, -o) and publishing it as
 * the NBD export (-x, -D, -r, -e, -A, -B).
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/option.h"
#include "qemu/error-report.h"
#include "block/block_int.h"
#include "block/nbd-server.h"
#include "sysemu/block-backend.h"
#include "qom/object_interfaces.h"
#include "trace/control.h"
#include "qemu-nbd.h"

enum {
    OPT_CACHE = 256,
    OPT_AIO,
    OPT_DISCARD,
    OPT_DETECT_ZEROES,
    OPT_OBJECT,
    OPT_TLSCREDS,
    OPT_TLSAUTHZ,
    OPT_IMAGE_OPTS,
    OPT_FORK,
    OPT_PID_FILE,
    OPT_SELINUX_LABEL,
};

static const struct option long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { "bind", required_argument, NULL, 'b' },
    { "port", required_argument, NULL, 'p' },
    { "socket", required_argument, NULL, 'k' },
    { "offset", required_argument, NULL, 'o' },
    { "read-only", no_argument, NULL, 'r' },
    { "allocation-depth", no_argument, NULL, 'A' },
    { "bitmap", required_argument, NULL, 'B' },
    { "connect", required_argument, NULL, 'c' },
    { "disconnect", no_argument, NULL, 'd' },
    { "list", no_argument, NULL, 'L' },
    { "snapshot", no_argument, NULL, 's' },
    { "load-snapshot", required_argument, NULL, 'l' },
    { "nocache", no_argument, NULL, 'n' },
    { "cache", required_argument, NULL, OPT_CACHE },
    { "aio", required_argument, NULL, OPT_AIO },
    { "discard", required_argument, NULL, OPT_DISCARD },
    { "detect-zeroes", required_argument, NULL, OPT_DETECT_ZEROES },
    { "shared", required_argument, NULL, 'e' },
    { "format", required_argument, NULL, 'f' },
    { "persistent", no_argument, NULL, 't' },
    { "verbose", no_argument, NULL, 'v' },
    { "object", required_argument, NULL, OPT_OBJECT },
    { "export-name", required_argument, NULL, 'x' },
    { "description", required_argument, NULL, 'D' },
    { "tls-creds", required_argument, NULL, OPT_TLSCREDS },
    { "tls-authz", required_argument, NULL, OPT_TLSAUTHZ },
    { "image-opts", no_argument, NULL, OPT_IMAGE_OPTS },
    { "trace", required_argument, NULL, 'T' },
    { "fork", no_argument, NULL, OPT_FORK },
    { "pid-file", required_argument, NULL, OPT_PID_FILE },
    { "selinux-label", required_argument, NULL, OPT_SELINUX_LABEL },
    { NULL, 0, NULL, 0 }
};

static QemuOptsList snapshot_opts = {
    .name = "snapshot",
    .head = QTAILQ_HEAD_INITIALIZER(snapshot_opts.head),
    .desc = {
        { .name = "snapshot.id", .type = QEMU_OPT_STRING },
        { .name = "snapshot.name", .type = QEMU_OPT_STRING },
        { /* end of list */ }
    },
};

static QemuOptsList file_opts = {
    .name = "file",
    .implied_opt_name = "file",
    .head = QTAILQ_HEAD_INITIALIZER(file_opts.head),
    .desc = { { NULL } },
};

static void G_NORETURN try_help(void)
{
    error_printf("Try `%s --help' for more information.\n",
                 error_get_progname());
    exit(EXIT_FAILURE);
}

static void G_NORETURN fail(const char *fmt, const char *arg)
{
    error_report(fmt, arg);
    exit(EXIT_FAILURE);
}

/* Options that are about the block device: 7.2's -L refuses them. */
static bool has_device_settings(QemuNbdArgs *a)
{
    return a->export_name || a->offset || a->device || a->disconnect ||
           a->format || a->snapshot || a->sn_opts || a->bitmaps->len ||
           a->alloc_depth || a->seen_aio || a->seen_discard ||
           a->seen_cache || a->description;
}

static void parse_mode_opt(int c, const char *arg, QemuNbdArgs *a)
{
    switch (c) {
    case 'n':
    case OPT_CACHE:
        if (a->seen_cache) {
            fail("-n and --cache can only be specified once%s", "");
        }
        a->seen_cache = true;
        if (bdrv_parse_cache_mode(c == 'n' ? "none" : arg, &a->flags,
                                  &a->writethrough) < 0) {
            fail("Invalid cache mode `%s'", arg);
        }
        break;
    case OPT_AIO:
        if (a->seen_aio) {
            fail("--aio can only be specified once%s", "");
        }
        a->seen_aio = true;
        if (bdrv_parse_aio(arg, &a->flags) < 0) {
            fail("Invalid aio mode '%s'", arg);
        }
        break;
    case OPT_DISCARD:
        if (a->seen_discard) {
            fail("--discard can only be specified once%s", "");
        }
        a->seen_discard = true;
        if (bdrv_parse_discard_flags(arg, &a->flags) < 0) {
            fail("Invalid discard mode `%s'", arg);
        }
        break;
    }
}

/* One option of the getopt loop. */
static void parse_one(int c, const char *arg, QemuNbdArgs *a)
{
    switch (c) {
    case 's':
        a->flags |= BDRV_O_SNAPSHOT;
        break;
    case 'n':
    case OPT_CACHE:
    case OPT_AIO:
    case OPT_DISCARD:
        parse_mode_opt(c, arg, a);
        break;
    case OPT_DETECT_ZEROES:
        a->detect_zeroes = arg;
        break;
    case 'b':
        a->bindto = arg;
        break;
    case 'p':
        a->port = arg;
        break;
    case 'o':
        if (qemu_strtoi64(arg, NULL, 0, &a->offset) < 0) {
            fail("Invalid offset '%s'", arg);
        }
        break;
    case 'l':
        if (strstart(arg, "snapshot.", NULL)) {
            qemu_opts_del(a->sn_opts);
            a->sn_opts = qemu_opts_parse_noisily(&snapshot_opts, arg, false);
            if (!a->sn_opts) {
                fail("Failed in parsing snapshot param `%s'", arg);
            }
        } else {
            a->snapshot = arg;
        }
        /* fall through: a loaded snapshot is exported read-only */
    case 'r':
        a->readonly = true;
        a->flags &= ~BDRV_O_RDWR;
        break;
    case 'A':
        a->alloc_depth = true;
        break;
    case 'B':
        g_ptr_array_insert(a->bitmaps, 0, (gpointer)arg);
        break;
    case 'k':
        a->sockpath = arg;
        if (arg[0] != '/') {
            fail("socket path must be absolute%s", "");
        }
        break;
    case 'd':
        a->disconnect = true;
        break;
    case 'c':
        a->device = arg;
        break;
    case 'e':
        if (qemu_strtoi(arg, NULL, 0, &a->shared) < 0 || a->shared < 0) {
            fail("Invalid shared device number '%s'", arg);
        }
        break;
    case 'f':
        a->format = arg;
        break;
    case 't':
        a->persistent = true;
        break;
    case 'x':
        a->export_name = arg;
        if (strlen(arg) > NBD_MAX_STRING_SIZE) {
            fail("export name '%s' too long", arg);
        }
        break;
    case 'D':
        a->description = arg;
        if (strlen(arg) > NBD_MAX_STRING_SIZE) {
            fail("export description '%s' too long", arg);
        }
        break;
    case 'v':
        a->verbose = true;
        break;
    case 'L':
        a->list = true;
        break;
    case 'T':
        trace_opt_parse(arg);
        break;
    case OPT_OBJECT:
        g_ptr_array_add(a->objects, (gpointer)arg);
        break;
    case OPT_TLSCREDS:
        a->tls_creds = arg;
        break;
    case OPT_TLSAUTHZ:
        a->tls_authz = arg;
        break;
    case OPT_IMAGE_OPTS:
        a->image_opts = true;
        break;
    case OPT_FORK:
        a->fork = true;
        break;
    case OPT_PID_FILE:
        a->pid_file = arg;
        break;
    case OPT_SELINUX_LABEL:
        a->selinux_label = arg;
        break;
    }
}

/* Checks between options once all are known. */
static void check_args(int argc, int optind_, QemuNbdArgs *a)
{
    if (a->list) {
        if (argc != optind_) {
            fail("List mode is incompatible with a file name%s", "");
        }
        if (has_device_settings(a)) {
            fail("List mode is incompatible with per-device settings%s", "");
        }
    } else if (argc - optind_ != 1) {
        error_report("Invalid number of arguments");
        try_help();
    }
    if (a->selinux_label) {
        if (!a->sockpath) {
            fail("--selinux-label is not permitted without --socket%s", "");
        }
        fail("SELinux support not enabled in this binary%s", "");
    }
    if (a->tls_authz && !a->tls_creds) {
        fail("--tls-authz is not permitted without --tls-creds%s", "");
    }
    if (a->detect_zeroes) {
        if (strcmp(a->detect_zeroes, "off") && strcmp(a->detect_zeroes, "on")
            && strcmp(a->detect_zeroes, "unmap")) {
            fail("Failed to parse detect_zeroes mode: invalid parameter "
                 "value: %s", a->detect_zeroes);
        }
        if (!strcmp(a->detect_zeroes, "unmap") &&
            !(a->flags & BDRV_O_UNMAP)) {
            fail("setting detect-zeroes to unmap is not allowed without "
                 "setting discard operation to unmap%s", "");
        }
    }
    if (a->image_opts && a->format) {
        fail("--image-opts and -f are mutually exclusive%s", "");
    }
}

void qemu_nbd_parse_args(int argc, char **argv, QemuNbdArgs *a)
{
    int c;

    a->objects = g_ptr_array_new();
    a->bitmaps = g_ptr_array_new();
    while ((c = getopt_long(argc, argv, "hVb:o:p:rsnc:dvk:e:f:tl:x:T:D:AB:L",
                            long_options, NULL)) != -1) {
        switch (c) {
        case 'h':
            qemu_nbd_usage(error_get_progname());
            exit(EXIT_SUCCESS);
        case 'V':
            qemu_nbd_version(error_get_progname());
            exit(EXIT_SUCCESS);
        case '?':
            error_report("Try `%s --help' for more information.",
                         error_get_progname());
            exit(EXIT_FAILURE);
        default:
            parse_one(c, optarg, a);
        }
    }
    check_args(argc, optind, a);
    if (a->disconnect) {
        int fd = open(argv[optind], O_RDWR);
        if (fd < 0) {
            error_report("Cannot open %s: %s", argv[optind], strerror(errno));
            exit(EXIT_FAILURE);
        }
        close(fd);
        fail("Kernel NBD client support is not available (cannot "
             "disconnect %s)", argv[optind]);
    }
    if (!a->list) {
        a->filename = argv[optind];
    }
}

/* ---- TLS and kernel devices: not in this build ------------------------ */

void qemu_nbd_check_tls(QemuNbdArgs *a)
{
    if (!a->tls_creds) {
        return;
    }
    /* No object type of this build provides TLS credentials. */
    if (user_creatable_type_name(a->tls_creds)) {
        fail("Failed to get TLS creds: Object with id '%s' is not TLS "
             "credentials", a->tls_creds);
    }
    fail("Failed to get TLS creds: No TLS credentials with id '%s'",
         a->tls_creds);
    /*
     * Were there TLS credentials, 7.2 would go on to refuse them with -k
     * ("TLS is only supported with IPv4/IPv6"), with -c and with -L plus
     * --tls-authz.
     */
}

void qemu_nbd_connect_device(QemuNbdArgs *a)
{
    int fd = open(a->device, O_RDWR);

    if (fd < 0) {
        error_report("Failed to open %s: %s", a->device, strerror(errno));
        exit(EXIT_FAILURE);
    }
    close(fd);
    fail("Kernel NBD client support is not available (cannot connect "
         "%s)", a->device);
}

/* ---- the image -------------------------------------------------------- */

/* @bs reads internal snapshot @id and/or @name until closed; 0 or -errno. */
static int nbd_snapshot_load_tmp(BlockDriverState *bs, const char *id,
                                 const char *name, Error **errp)
{
    if (!bs->drv->bdrv_snapshot_load_tmp) {
        error_setg(errp, "Block format '%s' used by device '' does not "
                   "support temporarily loading internal snapshots",
                   bs->drv->format_name);
        return -ENOTSUP;
    }
    if (!id && !name) {
        error_setg(errp, "snapshot_id and name are both NULL");
        return -EINVAL;
    }
    return bs->drv->bdrv_snapshot_load_tmp(bs, id, name, errp);
}

/* -l: 7.2 tries the argument as an ID, then as a name. */
static void load_snapshot(QemuNbdArgs *a, BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);
    Error *local_err = NULL;
    int ret;

    if (a->sn_opts) {
        ret = nbd_snapshot_load_tmp(bs,
                                    qemu_opt_get(a->sn_opts, "snapshot.id"),
                                    qemu_opt_get(a->sn_opts, "snapshot.name"),
                                    &local_err);
    } else {
        ret = nbd_snapshot_load_tmp(bs, a->snapshot, NULL, &local_err);
        if (ret == -ENOENT || ret == -EINVAL) {
            error_free(local_err);
            local_err = NULL;
            ret = nbd_snapshot_load_tmp(bs, NULL, a->snapshot, &local_err);
        }
    }
    if (ret < 0) {
        error_reportf_err(local_err, "Failed to load snapshot: ");
        exit(EXIT_FAILURE);
    }
}

/* -o: put a raw node with that offset on top of the image. */
static BlockBackend *apply_offset(QemuNbdArgs *a, BlockBackend *blk)
{
    BlockDriverState *bs = blk_bs(blk);
    QDict *opts = qdict_new();
    Error *local_err = NULL;
    BlockBackend *top;

    qdict_put_str(opts, "driver", "raw");
    qdict_put_str(opts, "file", bdrv_get_node_name(bs));
    qdict_put_int(opts, "offset", a->offset);
    bdrv_ref(bs);
    blk_unref(blk);
    top = blk_new_open(NULL, NULL, opts, a->flags & ~BDRV_O_SNAPSHOT,
                       &local_err);
    bdrv_unref(bs);
    if (!top) {
        error_report_err(local_err);
        exit(EXIT_FAILURE);
    }
    return top;
}

BlockBackend *qemu_nbd_open_image(QemuNbdArgs *a)
{
    QDict *options = NULL;
    Error *local_err = NULL;
    BlockBackend *blk;

    if (a->image_opts) {
        QemuOpts *opts = qemu_opts_parse_noisily(&file_opts, a->filename,
                                                 true);
        if (!opts) {
            exit(EXIT_FAILURE);
        }
        options = qemu_opts_to_qdict(opts, NULL);
        qemu_opts_del(opts);
    } else if (a->format) {
        options = qdict_new();
        qdict_put_str(options, "driver", a->format);
    }
    if (a->detect_zeroes) {
        options = options ?: qdict_new();
        qdict_put_str(options, "detect-zeroes", a->detect_zeroes);
    }
    blk = blk_new_open(a->image_opts ? NULL : a->filename, NULL, options,
                       a->flags, &local_err);
    if (!blk) {
        error_reportf_err(local_err, "Failed to blk_new_open '%s': ",
                          a->filename);
        exit(EXIT_FAILURE);
    }
    if (a->snapshot || a->sn_opts) {
        load_snapshot(a, blk);
    }
    if (a->offset) {
        blk = apply_offset(a, blk);
    }
    return blk;
}

int qemu_nbd_export(QemuNbdArgs *a, BlockBackend *blk, Error **errp)
{
    NBDExportOptions opts = {
        .name = a->export_name ?: "",
        .description = a->description,
        .readonly = a->readonly,
        .writethrough = a->writethrough,
        .multi_conn = a->shared != 1,  /* as 7.2: -e 0 (no limit) too */
        .allocation_depth = a->alloc_depth,
        .bitmaps = (const char *const *)a->bitmaps->pdata,
        .nr_bitmaps = a->bitmaps->len,
    };

    return nbd_export_new(blk, &opts, errp) ? 0 : -1;
}
