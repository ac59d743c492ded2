/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-resize.c: "qemu-img resize": grow or (with --shrink) shrink
 * an image to an absolute size or by a "+N"/"-N" delta, with optional
 * preallocation of the new area.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

typedef struct ResizeArgs {
    const char *fmt;
    const char *filename;
    PreallocMode prealloc;
    bool quiet;
    bool image_opts;
    bool shrink;
} ResizeArgs;

static PreallocMode parse_prealloc(const char *name)
{
    static const char *const names[] = {
        [PREALLOC_MODE_OFF] = "off",
        [PREALLOC_MODE_METADATA] = "metadata",
        [PREALLOC_MODE_FALLOC] = "falloc",
        [PREALLOC_MODE_FULL] = "full",
    };
    int i;

    for (i = 0; i < PREALLOC_MODE__MAX; i++) {
        if (!strcmp(name, names[i])) {
            return i;
        }
    }
    return PREALLOC_MODE__MAX;
}

static void resize_parse_options(int argc, char **argv, ResizeArgs *args)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "preallocation", required_argument, NULL, OPTION_PREALLOCATION },
        { "shrink", no_argument, NULL, OPTION_SHRINK },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, ":f:hq", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f':
            args->fmt = optarg;
            break;
        case 'q':
            args->quiet = true;
            break;
        case OPTION_IMAGE_OPTS:
            args->image_opts = true;
            break;
        case OPTION_PREALLOCATION:
            args->prealloc = parse_prealloc(optarg);
            if (args->prealloc == PREALLOC_MODE__MAX) {
                error_report("Invalid preallocation mode '%s'", optarg);
                exit(EXIT_FAILURE);
            }
            break;
        case OPTION_SHRINK:
            args->shrink = true;
            break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    if (optind != argc - 1) {
        error_exit("Expecting image file name and size");
    }
    args->filename = argv[optind];
}

/* "[+|-]size" to a byte count and a sign (0: absolute); false if bad. */
static bool resize_parse_size(const char *arg, int *relative, uint64_t *n)
{
    static QemuOptsList resize_opts = {
        .name = "resize_options",
        .head = QTAILQ_HEAD_INITIALIZER(resize_opts.head),
        .desc = {
            { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE,
              .help = "Virtual disk size" },
            { }
        },
    };
    Error *local_err = NULL;
    QemuOpts *opts;

    *relative = arg[0] == '+' ? 1 : arg[0] == '-' ? -1 : 0;
    if (*relative) {
        arg++;
    }
    opts = qemu_opts_create(&resize_opts, NULL, 0, &error_abort);
    if (!qemu_opt_set(opts, BLOCK_OPT_SIZE, arg, &local_err)) {
        error_report_err(local_err);
        qemu_opts_del(opts);
        return false;
    }
    *n = qemu_opt_get_size(opts, BLOCK_OPT_SIZE, 0);
    qemu_opts_del(opts);
    return true;
}

/* The new size, or -1 after reporting why the resize must not happen. */
static int64_t resize_target(const ResizeArgs *args, int64_t current,
                             int relative, uint64_t n)
{
    int64_t total = relative ? current + (int64_t)n * relative : (int64_t)n;

    if (total <= 0) {
        error_report("New image size must be positive");
        return -1;
    }
    if (total <= current && args->prealloc != PREALLOC_MODE_OFF) {
        error_report("Preallocation can only be used for growing images");
        return -1;
    }
    if (total < current && !args->shrink) {
        error_report("Use the --shrink option to perform a shrink "
                     "operation.");
        warn_report("Shrinking an image will delete all data beyond the "
                    "shrunken image's end. Before performing such an "
                    "operation, make sure there is no important data "
                    "there.");
        return -1;
    }
    return total;
}

int img_resize(int argc, char **argv)
{
    ResizeArgs args = { .prealloc = PREALLOC_MODE_OFF };
    Error *local_err = NULL;
    BlockBackend *blk;
    int64_t current, total;
    const char *size;
    uint64_t n;
    int relative, ret;

    /* The size may start with '-': take it before getopt sees it. */
    if (argc < 3) {
        error_exit("Not enough arguments");
    }
    size = argv[--argc];
    resize_parse_options(argc, argv, &args);
    if (!resize_parse_size(size, &relative, &n)) {
        return EXIT_FAILURE;
    }
    blk = img_open(args.image_opts, args.filename, args.fmt,
                   BDRV_O_RDWR | BDRV_O_RESIZE, false, args.quiet, false);
    if (!blk) {
        return EXIT_FAILURE;
    }
    current = blk_getlength(blk);
    if (current < 0) {
        error_report("Failed to inquire current image length: %s",
                     strerror(-current));
        blk_unref(blk);
        return EXIT_FAILURE;
    }
    total = resize_target(&args, current, relative, n);
    ret = -1;
    if (total > 0) {
        /* The user asked for exactly this size (7.2: @exact=true). */
        ret = blk_truncate(blk, total, true, args.prealloc, 0, &local_err);
        if (!ret) {
            qprintf(args.quiet, "Image resized.\n");
        } else {
            error_report_err(local_err);
        }
    }
    blk_unref(blk);
    return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
