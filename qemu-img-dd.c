/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-dd.c: "qemu-img dd": dd(1)-style copy of an image's guest
 * contents (operands if=, of=, bs=, count=, skip=) into a newly created
 * image of format -O.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

typedef struct DdArgs {
    const char *fmt;
    const char *out_fmt;
    const char *in_name;
    const char *out_name;
    int64_t bsz;
    int64_t count;          /* -1: all */
    int64_t skip;           /* in blocks; -1: none */
    bool image_opts;
    bool force_share;
} DdArgs;

/* One "name=value" operand; false (reported) if it is not valid. */
static bool dd_operand(DdArgs *args, const char *arg)
{
    const char *eq = strchr(arg, '=');
    g_autofree char *name = eq ? g_strndup(arg, eq - arg) : g_strdup(arg);
    const char *val = eq ? eq + 1 : NULL;
    int64_t n;

    if (val && !strcmp(name, "if")) {
        args->in_name = val;
    } else if (val && !strcmp(name, "of")) {
        args->out_name = val;
    } else if (val && !strcmp(name, "bs")) {
        n = img_parse_size(val, "bs");
        if (n == 0 || n > INT_MAX) {
            error_report("Invalid bs specified. Must be between 1 and %d.",
                         INT_MAX);
            return false;
        }
        if (n < 0) {
            return false;
        }
        args->bsz = n;
    } else if (val && !strcmp(name, "count")) {
        args->count = img_parse_size(val, "count");
        return args->count >= 0;
    } else if (val && !strcmp(name, "skip")) {
        args->skip = img_parse_size(val, "skip");
        return args->skip >= 0;
    } else {
        error_report("unrecognized operand %s", name);
        return false;
    }
    return true;
}

static bool dd_parse(int argc, char **argv, DdArgs *args)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, ":hf:O:U", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f':
            args->fmt = optarg;
            break;
        case 'O':
            args->out_fmt = optarg;
            break;
        case 'U':
            args->force_share = true;
            break;
        case OPTION_IMAGE_OPTS:
            args->image_opts = true;
            break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    for (; optind < argc; optind++) {
        if (!dd_operand(args, argv[optind])) {
            return false;
        }
    }
    if (!args->in_name || !args->out_name) {
        error_report("Must specify both input and output files");
        return false;
    }
    return true;
}

/* Create the output image of @size bytes; false after reporting. */
static bool dd_create(const DdArgs *args, int64_t size)
{
    Error *local_err = NULL;
    QemuOptsList *list;
    QemuOpts *opts;
    int ret;

    list = img_create_opts_list(args->out_fmt, args->out_name, &local_err);
    if (!list) {
        error_report_err(local_err);
        return false;
    }
    opts = qemu_opts_create(list, NULL, 0, &error_abort);
    qemu_opt_set_number(opts, BLOCK_OPT_SIZE, size, &error_abort);
    ret = bdrv_create(bdrv_find_format(args->out_fmt), args->out_name, opts,
                      &local_err);
    qemu_opts_del(opts);
    qemu_opts_free(list);
    img_settle();
    if (ret < 0) {
        error_reportf_err(local_err, "%s: error while creating output "
                          "image: ", args->out_name);
        return false;
    }
    return true;
}

static int dd_copy(const DdArgs *args, BlockBackend *in, BlockBackend *out,
                   int64_t in_pos, int64_t end)
{
    g_autofree uint8_t *buf = g_malloc(args->bsz);
    int64_t out_pos = 0;
    int ret;

    while (in_pos < end) {
        int64_t n = MIN(args->bsz, end - in_pos);

        ret = blk_pread(in, in_pos, n, buf, 0);
        if (ret < 0) {
            error_report("error while reading from input image file: %s",
                         strerror(-ret));
            return ret;
        }
        ret = blk_pwrite(out, out_pos, n, buf, 0);
        if (ret < 0) {
            error_report("error while writing to output image file: %s",
                         strerror(-ret));
            return ret;
        }
        in_pos += n;
        out_pos += n;
    }
    return 0;
}

int img_dd(int argc, char **argv)
{
    DdArgs args = { .out_fmt = "raw", .bsz = 512, .count = -1, .skip = -1 };
    BlockBackend *in = NULL, *out = NULL;
    int64_t size, in_pos = 0;
    int ret = -1;

    if (!dd_parse(argc, argv, &args)) {
        return EXIT_FAILURE;
    }
    in = img_open(args.image_opts, args.in_name, args.fmt, 0, false, false,
                  args.force_share);
    if (!in) {
        goto out;
    }
    size = blk_getlength(in);
    if (size < 0) {
        error_report("Failed to get size for '%s'", args.in_name);
        goto out;
    }
    if (args.count >= 0 && args.count <= INT64_MAX / args.bsz &&
        args.count * args.bsz < size) {
        size = args.count * args.bsz;
    }
    if (args.skip >= 0) {
        if (args.skip > INT64_MAX / args.bsz || size < args.bsz * args.skip) {
            error_report("%s: cannot skip to specified offset", args.in_name);
            in_pos = size;
        } else {
            in_pos = args.bsz * args.skip;
        }
    }
    if (!dd_create(&args, size - in_pos)) {
        goto out;
    }
    out = img_open(false, args.out_name, args.out_fmt, BDRV_O_RDWR, false,
                   false, false);
    if (!out) {
        goto out;
    }
    ret = dd_copy(&args, in, out, in_pos, size);
out:
    blk_unref(out);
    blk_unref(in);
    return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
