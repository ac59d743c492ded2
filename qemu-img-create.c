/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-create.c: "qemu-img create".  Parses the command line and
 * hands everything to bdrv_img_create(), which merges the format's and
 * protocol's options, checks the backing file and prints the
 * "Formatting ..." line.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

typedef struct CreateArgs {
    const char *fmt;
    const char *base_filename;
    const char *base_fmt;
    char *options;
    bool quiet;
    int flags;
} CreateArgs;

static void create_parse_options(int argc, char **argv, CreateArgs *args)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, ":F:b:f:ho:qu", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'F':
            args->base_fmt = optarg;
            break;
        case 'b':
            args->base_filename = optarg;
            break;
        case 'f':
            args->fmt = optarg;
            break;
        case 'o':
            img_add_option_string(&args->options, optarg);
            break;
        case 'q':
            args->quiet = true;
            break;
        case 'u':
            args->flags |= BDRV_O_NO_BACKING;
            break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
}

int img_create(int argc, char **argv)
{
    CreateArgs args = { .fmt = "raw" };
    Error *local_err = NULL;
    const char *filename;
    int64_t img_size;
    int ret;

    create_parse_options(argc, argv, &args);
    filename = optind < argc ? argv[optind] : NULL;
    ret = img_print_option_help(args.fmt, filename, args.options);
    if (ret) {
        g_free(args.options);
        return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
    }
    if (!filename) {
        error_exit("Expecting image file name");
    }
    optind++;
    img_size = -1;
    if (optind < argc) {
        img_size = img_parse_size(argv[optind++], "image size");
        if (img_size < 0) {
            return EXIT_FAILURE;
        }
    }
    if (optind != argc) {
        error_exit("Unexpected argument: %s", argv[optind]);
    }

    bdrv_img_create(filename, args.fmt, args.base_filename, args.base_fmt,
                    args.options, img_size, args.flags, args.quiet,
                    &local_err);
    g_free(args.options);
    if (local_err) {
        error_reportf_err(local_err, "%s: ", filename);
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
