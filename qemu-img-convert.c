/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-convert.c: "qemu-img convert": the command line, opening the
 * sources, creating (unless -n) and opening the target; the copying
 * itself is in qemu-img-convert-copy.c.
 */
#include "qemu/osdep.h"
#include "qemu/units.h"
#include <getopt.h>
#include "qemu-img-convert.h"
#include "qemu-img-bitmap.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"

/* Largest -S value (bytes), as upstream. */
#define CONVERT_MAX_SPARSE (32768 * BDRV_SECTOR_SIZE)

typedef struct ConvertArgs {
    const char *fmt;
    const char *out_fmt;
    const char *out_baseimg;
    const char *backing_fmt;
    const char *snapshot;   /* -l NAME: an ID or a name */
    QemuOpts *sn_opts;      /* -l snapshot.id=...,snapshot.name=... */
    const char *cache;
    const char *src_cache;
    const char *out_filename;
    char *options;
    bool progress;
    bool skip_create;
    bool image_opts;
    bool tgt_image_opts;
    bool target_is_zero;
    bool bitmaps;
    bool skip_broken_bitmaps;
    bool force_share;
    bool explicit_min_sparse;
    /* The create options' key secrets, for opening what was created. */
    QDict *target_open_opts;
} ConvertArgs;

static void convert_parse_sparse(ConvertState *s, ConvertArgs *args,
                                 const char *arg)
{
    int64_t sval = img_parse_size(arg, "buffer size for sparse output");

    if (sval < 0 || !QEMU_IS_ALIGNED(sval, BDRV_SECTOR_SIZE) ||
        sval > CONVERT_MAX_SPARSE) {
        error_report("Invalid buffer size for sparse output specified. "
                     "Valid sizes are multiples of %llu up to %llu. Select 0 "
                     "to disable sparse detection (fully allocates output).",
                     BDRV_SECTOR_SIZE, CONVERT_MAX_SPARSE);
        exit(EXIT_FAILURE);
    }
    s->min_sparse = sval;
    args->explicit_min_sparse = true;
}

static void convert_parse_coroutines(ConvertState *s, const char *arg)
{
    s->num_coroutines = strtol(arg, NULL, 10);
    if (s->num_coroutines < 1 ||
        s->num_coroutines > CONVERT_MAX_COROUTINES) {
        error_report("Invalid number of coroutines. Allowed number of "
                     "coroutines is between 1 and %d",
                     CONVERT_MAX_COROUTINES);
        exit(EXIT_FAILURE);
    }
}

/* The keys of -l's long form. */
static QemuOptsList convert_snapshot_opts = {
    .name = "internal-snapshot",
    .head = QTAILQ_HEAD_INITIALIZER(convert_snapshot_opts.head),
    .desc = {
        { .name = "snapshot.id", .type = QEMU_OPT_STRING,
          .help = "the ID of the snapshot" },
        { .name = "snapshot.name", .type = QEMU_OPT_STRING,
          .help = "the name of the snapshot" },
        { /* end of list */ }
    },
};

/* -l: "snapshot.<key>=..." options or else a plain ID or name. */
static void convert_parse_snapshot(ConvertArgs *args, const char *arg)
{
    if (!strstart(arg, "snapshot.", NULL)) {
        args->snapshot = arg;
        return;
    }
    qemu_opts_del(args->sn_opts);
    args->sn_opts = qemu_opts_parse_noisily(&convert_snapshot_opts, arg,
                                            false);
    if (!args->sn_opts) {
        error_report("Failed in parsing snapshot param '%s'", arg);
        exit(EXIT_FAILURE);
    }
}

static const struct option convert_long_options[] = {
    { "help", no_argument, NULL, 'h' },
    { "object", required_argument, NULL, OPTION_OBJECT },
    { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
    { "force-share", no_argument, NULL, 'U' },
    { "target-image-opts", no_argument, NULL, OPTION_TARGET_IMAGE_OPTS },
    { "salvage", no_argument, NULL, OPTION_SALVAGE },
    { "target-is-zero", no_argument, NULL, OPTION_TARGET_IS_ZERO },
    { "bitmaps", no_argument, NULL, OPTION_BITMAPS },
    { "skip-broken-bitmaps", no_argument, NULL,
      OPTION_SKIP_BROKEN_BITMAPS },
    { NULL, 0, NULL, 0 },
};

/* One option letter or long option; exits on errors. */
static void convert_option(int c, char **argv, ConvertState *s,
                           ConvertArgs *args)
{
    switch (c) {
    case 'f': args->fmt = optarg; break;
    case 'O': args->out_fmt = optarg; break;
    case 'B': args->out_baseimg = optarg; break;
    case 'C': s->copy_range = true; break;
    case 'c': s->compressed = true; break;
    case 'F': args->backing_fmt = optarg; break;
    case 'o': img_add_option_string(&args->options, optarg); break;
    case 'l': convert_parse_snapshot(args, optarg); break;
    case 'S': convert_parse_sparse(s, args, optarg); break;
    case 'p': args->progress = true; break;
    case 't': args->cache = optarg; break;
    case 'T': args->src_cache = optarg; break;
    case 'q': s->quiet = true; break;
    case 'n': args->skip_create = true; break;
    case 'm': convert_parse_coroutines(s, optarg); break;
    case 'W': s->wr_in_order = false; break;
    case 'U': args->force_share = true; break;
    case 'r':
        s->rate_limit = img_parse_size(optarg, "rate limit");
        if (s->rate_limit < 0) {
            exit(EXIT_FAILURE);
        }
        break;
    case OPTION_IMAGE_OPTS: args->image_opts = true; break;
    case OPTION_SALVAGE: s->salvage = true; break;
    case OPTION_TARGET_IMAGE_OPTS: args->tgt_image_opts = true; break;
    case OPTION_TARGET_IS_ZERO: args->target_is_zero = true; break;
    case OPTION_BITMAPS: args->bitmaps = true; break;
    case OPTION_SKIP_BROKEN_BITMAPS:
        args->skip_broken_bitmaps = true;
        break;
    default:
        img_common_option(c, argv);
        break;
    }
}

/* Option combinations upstream refuses; false after reporting. */
static bool convert_check_args(ConvertState *s, ConvertArgs *args)
{
    if (!args->out_fmt && !args->tgt_image_opts) {
        args->out_fmt = "raw";
    }
    if (s->compressed && s->copy_range) {
        error_report("Cannot enable copy offloading when -c is used");
    } else if (args->explicit_min_sparse && s->copy_range) {
        error_report("Cannot enable copy offloading when -S is used");
    } else if (s->copy_range && s->salvage) {
        error_report("Cannot use copy offloading in salvaging mode");
    } else if (args->tgt_image_opts && !args->skip_create) {
        error_report("--target-image-opts requires use of -n flag");
    } else if (args->skip_create && args->options) {
        error_report("-o has no effect when skipping image creation");
    } else if (args->target_is_zero && !args->skip_create) {
        error_report("--target-is-zero requires use of -n flag");
    } else if (args->skip_broken_bitmaps && !args->bitmaps) {
        error_report("Use of --skip-broken-bitmaps requires --bitmaps");
    } else if (s->src_num < 1) {
        error_report("Must specify image file name");
    } else {
        return true;
    }
    return false;
}

/*
 * Make @bs read the internal snapshot given by ID and/or name (either may
 * be NULL, not both) until it is closed; the node must be read-only.
 * Returns 0 or -errno with @errp set.  (bdrv_snapshot_load_tmp().)
 */
static int convert_snapshot_load_tmp(BlockDriverState *bs, const char *id,
                                     const char *name, Error **errp)
{
    if (!bs->drv) {
        error_setg(errp, "Device '%s' has no medium", "");
        return -ENOMEDIUM;
    }
    if (!id && !name) {
        error_setg(errp, "snapshot_id and name are both NULL");
        return -EINVAL;
    }
    if (!bdrv_is_read_only(bs)) {
        error_setg(errp, "Device '%s' is not readonly", "");
        return -EINVAL;
    }
    if (!bs->drv->bdrv_snapshot_load_tmp) {
        error_setg(errp, "Block format '%s' used by device '%s' does not "
                   "support temporarily loading internal snapshots",
                   bs->drv->format_name, "");
        return -ENOTSUP;
    }
    return bs->drv->bdrv_snapshot_load_tmp(bs, id, name, errp);
}

/* -l: load the snapshot into the (first) source; false after reporting. */
static bool convert_load_snapshot(ConvertState *s, ConvertArgs *args)
{
    BlockDriverState *bs = blk_bs(s->src[0]);
    Error *local_err = NULL;
    int ret = 0;

    if (args->sn_opts) {
        ret = convert_snapshot_load_tmp(
            bs, qemu_opt_get(args->sn_opts, "snapshot.id"),
            qemu_opt_get(args->sn_opts, "snapshot.name"), &local_err);
    } else if (args->snapshot) {
        if (s->src_num > 1) {
            error_report("No support for concatenating multiple snapshot");
            return false;
        }
        /* An ID first; failing that, a name. */
        ret = convert_snapshot_load_tmp(bs, args->snapshot, NULL,
                                        &local_err);
        if (ret == -ENOENT || ret == -EINVAL) {
            error_free(local_err);
            local_err = NULL;
            ret = convert_snapshot_load_tmp(bs, NULL, args->snapshot,
                                            &local_err);
        }
    }
    if (ret < 0) {
        error_reportf_err(local_err, "Failed to load snapshot: ");
        return false;
    }
    return true;
}

/* The larger of a source's request alignment and cluster size. */
static int64_t convert_src_alignment(BlockDriverState *bs)
{
    BlockDriverInfo bdi;
    int64_t align = MAX(bs->bl.request_alignment, BDRV_SECTOR_SIZE);

    bdrv_graph_rdlock_main_loop();
    if (bdrv_get_info(bs, &bdi) == 0 && bdi.cluster_size > 0) {
        align = MAX(align, bdi.cluster_size);
    }
    bdrv_graph_rdunlock_main_loop();
    return align;
}

/* Open the sources and add up their sizes; false after reporting. */
static bool convert_open_sources(ConvertState *s, ConvertArgs *args,
                                 char **names)
{
    bool writethrough;
    int flags = 0, i;

    if (bdrv_parse_cache_mode(args->src_cache, &flags, &writethrough) < 0) {
        error_report("Invalid source cache option: %s", args->src_cache);
        return false;
    }
    s->src = g_new0(BlockBackend *, s->src_num);
    s->src_size = g_new0(int64_t, s->src_num);
    s->src_align = g_new0(int64_t, s->src_num);
    /*
     * Without -U nobody else may write to or resize a source while it is
     * copied (7.2 takes the same locks: shared "write" and "resize").
     */
    if (!args->force_share) {
        flags |= BDRV_O_NO_SHARE;
    }
    for (i = 0; i < s->src_num; i++) {
        s->src[i] = img_open(args->image_opts, names[i], args->fmt, flags,
                             writethrough, s->quiet, args->force_share);
        if (!s->src[i]) {
            return false;
        }
        s->src_size[i] = blk_getlength(s->src[i]);
        if (s->src_size[i] < 0) {
            error_report("Could not get size of %s: %s", names[i],
                         strerror(-s->src_size[i]));
            return false;
        }
        s->total_size += s->src_size[i];
        s->src_align[i] = convert_src_alignment(blk_bs(s->src[i]));
    }
    if (!convert_load_snapshot(s, args)) {
        return false;
    }
    if (args->bitmaps &&
        img_convert_check_bitmaps(s->src, s->src_num,
                                  args->skip_broken_bitmaps) < 0) {
        return false;
    }
    return true;
}

/*
 * An encrypted target needs its secret to be opened: every create option
 * whose name ends in "key-secret" (luks's key-secret, qcow2's
 * encrypt.key-secret) becomes an open option too, as in QEMU 7.2.
 */
static int convert_take_key_secret(void *opaque, const char *name,
                                   const char *value, Error **errp)
{
    QDict *open_opts = opaque;

    if (g_str_has_suffix(name, "key-secret")) {
        qdict_put_str(open_opts, name, value);
    }
    return 0;
}

/* Create the target image (without -n); false after reporting. */
static bool convert_create(ConvertState *s, ConvertArgs *args)
{
    Error *local_err = NULL;
    QemuOptsList *list;
    QemuOpts *opts;
    BlockDriver *drv;
    int ret;

    list = img_create_opts_list(args->out_fmt, args->out_filename,
                                &local_err);
    if (!list) {
        error_report_err(local_err);
        return false;
    }
    drv = bdrv_find_format(args->out_fmt);
    opts = qemu_opts_create(list, NULL, 0, &error_abort);
    if (args->options &&
        !qemu_opts_do_parse(opts, args->options, NULL, &local_err)) {
        goto fail;
    }
    qemu_opt_set_number(opts, BLOCK_OPT_SIZE, s->total_size, &error_abort);
    if (args->out_baseimg &&
        !qemu_opt_set(opts, BLOCK_OPT_BACKING_FILE, args->out_baseimg,
                      NULL)) {
        error_setg(&local_err, "Backing file not supported for file "
                   "format '%s'", args->out_fmt);
        goto fail;
    }
    if (args->backing_fmt &&
        !qemu_opt_set(opts, BLOCK_OPT_BACKING_FMT, args->backing_fmt,
                      NULL)) {
        error_setg(&local_err, "Backing file format not supported for "
                   "file format '%s'", args->out_fmt);
        goto fail;
    }
    if (s->compressed && !block_driver_can_compress(drv)) {
        error_setg(&local_err, "Compression not supported for this file "
                   "format");
        goto fail;
    }
    /* Before the create, which consumes the options it uses. */
    args->target_open_opts = qdict_new();
    qemu_opt_foreach(opts, convert_take_key_secret, args->target_open_opts,
                     NULL);
    ret = bdrv_create(drv, args->out_filename, opts, &local_err);
    img_settle();
    if (ret < 0) {
        error_prepend(&local_err, "%s: error while converting %s: ",
                      args->out_filename, args->out_fmt);
        goto fail;
    }
    qemu_opts_del(opts);
    qemu_opts_free(list);
    return true;

fail:
    error_report_err(local_err);
    qemu_opts_del(opts);
    qemu_opts_free(list);
    return false;
}

/*
 * Does every write land at its own offset in a host file or device,
 * whatever the order the writes run in?  True for raw (any number of
 * raw layers) over file or host_device; formats that allocate lay their
 * clusters out in the order the writes come.
 */
static bool convert_target_in_place(BlockDriverState *bs)
{
    bool in_place;

    bdrv_graph_rdlock_main_loop();
    while (bs->drv && !strcmp(bs->drv->format_name, "raw") && bs->file) {
        bs = bs->file->bs;
    }
    in_place = bs->drv && (!strcmp(bs->drv->format_name, "file") ||
                           !strcmp(bs->drv->format_name, "host_device"));
    bdrv_graph_rdunlock_main_loop();
    return in_place;
}

/*
 * Does the target node allocate in the order requests arrive at it, so
 * that overlapping in-order writes give the layout serial ones give?
 * qcow2 promises that for its writes, zero writes and discards (block/
 * qcow2.h, "Allocation order"); no other driver does.  Only the node
 * itself counts (a filter or raw layer above it could split or delay a
 * request); the copy engine passes the turn early only before a request
 * that reaches it as one driver call (see wr_pipelined).
 */
static bool convert_target_allocates_in_order(BlockDriverState *bs)
{
    return bs->drv && !strcmp(bs->drv->format_name, "qcow2");
}

/* Open the target and size the requests; false after reporting. */
static bool convert_open_target(ConvertState *s, ConvertArgs *args)
{
    BlockDriverState *out_bs;
    BlockDriverInfo bdi;
    int flags = BDRV_O_RDWR, ret;

    if (s->min_sparse) {
        flags |= BDRV_O_UNMAP;
    }
    s->target = img_open_cache_extra(args->tgt_image_opts,
                                     args->out_filename,
                                     args->tgt_image_opts ? NULL
                                                          : args->out_fmt,
                                     flags, args->cache, s->quiet, false,
                                     args->target_open_opts);
    if (!s->target) {
        return false;
    }
    out_bs = blk_bs(s->target);
    if (args->bitmaps && img_convert_check_target_bitmaps(out_bs) < 0) {
        return false;
    }
    if (s->compressed && !block_driver_can_compress(out_bs->drv)) {
        error_report("Compression not supported for this file format");
        return false;
    }
    s->buf_size = CONVERT_BUF_SIZE;
    if (s->compressed) {
        bdrv_graph_rdlock_main_loop();
        ret = bdrv_get_info(out_bs, &bdi);
        bdrv_graph_rdunlock_main_loop();
        if (ret < 0) {
            error_report("could not get block driver info");
            return false;
        }
        if (bdi.cluster_size <= 0 || bdi.cluster_size > CONVERT_BUF_SIZE) {
            error_report("invalid cluster size");
            return false;
        }
        s->cluster_size = bdi.cluster_size;
        /*
         * Whole clusters per request, so that qcow2 compresses them in
         * parallel; 128 KiB of them per coroutine keeps the peak memory
         * of the -m coroutines near 7.2's one-cluster buffers.
         */
        s->buf_size = MAX(bdi.cluster_size,
                          QEMU_ALIGN_DOWN(128 * KiB, bdi.cluster_size));
    }
    if (s->total_size > blk_getlength(s->target) && args->skip_create) {
        error_report("Target image is smaller than the source");
        return false;
    }
    s->target_has_backing = args->out_baseimg != NULL;
    s->wr_turn_at_start = convert_target_in_place(out_bs);
    s->wr_pipelined = s->wr_in_order && !s->compressed &&
                      (s->wr_turn_at_start ||
                       (!s->copy_range &&
                        convert_target_allocates_in_order(out_bs)));
    s->wr_align = MAX(out_bs->bl.request_alignment, 1);
    if (args->target_is_zero) {
        s->has_zero_init = true;
    } else if (!args->skip_create && s->min_sparse &&
               !s->target_has_backing) {
        bdrv_graph_rdlock_main_loop();
        s->has_zero_init = bdrv_has_zero_init(out_bs) > 0;
        bdrv_graph_rdunlock_main_loop();
    }
    return true;
}

int img_convert(int argc, char **argv)
{
    ConvertState s = { .min_sparse = 8 * BDRV_SECTOR_SIZE,
                       .wr_in_order = true, .num_coroutines = 8 };
    ConvertArgs args = { .cache = "unsafe", .src_cache = "writeback" };
    bool ok = false;
    int c, i;

    while ((c = getopt_long(argc, argv, ":hf:O:B:CcF:o:l:S:pt:T:qnm:Wr:U",
                            convert_long_options, NULL)) != -1) {
        convert_option(c, argv, &s, &args);
    }
    s.src_num = argc - optind - 1;
    args.out_filename = s.src_num >= 1 ? argv[argc - 1] : NULL;
    if (!args.out_fmt && !args.tgt_image_opts) {
        args.out_fmt = "raw";
    }
    if (args.options && args.out_fmt) {
        int r = img_print_option_help(args.out_fmt, args.out_filename,
                                      args.options);
        if (r) {
            g_free(args.options);
            return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
        }
    }
    if (!convert_check_args(&s, &args)) {
        goto out;
    }
    if (s.quiet) {
        args.progress = false;
    }
    s.progress = args.progress;
    qemu_progress_init(args.progress, 1.0);
    qemu_progress_print(0, 100);
    if (!convert_open_sources(&s, &args, argv + optind)) {
        goto out;
    }
    if (args.target_is_zero && args.out_baseimg) {
        /*
         * 7.2 refuses this once the sources are open, before it opens the
         * target, and leaves the target alone, yet exits with success
         * (and -p ends at 100%).
         */
        error_report("Cannot use --target-is-zero when the destination "
                     "image has a backing file");
        ok = true;
        goto done;
    }
    if ((!args.skip_create && !convert_create(&s, &args)) ||
        !convert_open_target(&s, &args)) {
        goto out;
    }
    ok = convert_do_copy(&s) == 0;
    if (ok && args.bitmaps) {
        ok = img_convert_copy_bitmaps(blk_bs(s.src[0]), blk_bs(s.target),
                                      args.skip_broken_bitmaps) == 0;
    }
done:
    if (ok) {
        qemu_progress_print(100, 0);
    }
out:
    qemu_progress_end();
    blk_unref(s.target);
    for (i = 0; s.src && i < s.src_num; i++) {
        blk_unref(s.src[i]);
    }
    g_free(s.src);
    g_free(s.src_size);
    g_free(s.src_align);
    g_free(args.options);
    qemu_opts_del(args.sn_opts);
    qobject_unref(args.target_open_opts);
    return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
