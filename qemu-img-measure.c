/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-measure.c: "qemu-img measure": how large a new image of
 * format -O (with -o options) must be, either for a given --size or to
 * hold the contents of an existing image (bdrv_measure()).
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qemu/error-report.h"

typedef struct MeasureArgs {
    const char *fmt;
    const char *out_fmt;
    const char *filename;
    char *options;
    OutputFormat output;
    int64_t size;
    bool image_opts;
    bool force_share;
} MeasureArgs;

static void measure_parse_options(int argc, char **argv, MeasureArgs *args)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "output", required_argument, NULL, OPTION_OUTPUT },
        { "size", required_argument, NULL, OPTION_SIZE },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    int c, of;

    /* As upstream, getopt reports bad options itself, then the help. */
    while ((c = getopt_long(argc, argv, "hf:O:o:l:U", long_options,
                            NULL)) != -1) {
        switch (c) {
        case '?':
        case 'h':
            img_help();
        case 'f':
            args->fmt = optarg;
            break;
        case 'O':
            args->out_fmt = optarg;
            break;
        case 'o':
            img_add_option_string(&args->options, optarg);
            break;
        case 'l':
            error_report("Internal snapshots are not supported by measure "
                         "yet");
            exit(EXIT_FAILURE);
        case 'U':
            args->force_share = true;
            break;
        case OPTION_OBJECT:
            img_add_object(optarg);
            break;
        case OPTION_IMAGE_OPTS:
            args->image_opts = true;
            break;
        case OPTION_OUTPUT:
            of = parse_output_format(optarg);
            if (of < 0) {
                exit(EXIT_FAILURE);
            }
            args->output = of;
            break;
        case OPTION_SIZE:
            args->size = img_parse_size(optarg, "image size");
            if (args->size < 0) {
                exit(EXIT_FAILURE);
            }
            break;
        }
    }
    if (optind < argc - 1) {
        error_report("At most one filename argument is allowed.");
        exit(EXIT_FAILURE);
    }
    args->filename = optind < argc ? argv[optind] : NULL;
}

/* The options for the new image, or NULL (reported). */
static QemuOpts *measure_opts(const MeasureArgs *args, BlockDriver *drv,
                              QemuOptsList **list)
{
    BlockDriver *file = bdrv_find_format("file");
    Error *local_err = NULL;
    QemuOpts *opts;

    *list = qemu_opts_append(NULL, drv->create_opts);
    if (file && file->create_opts) {
        *list = qemu_opts_append(*list, file->create_opts);
    }
    opts = qemu_opts_create(*list, NULL, 0, &error_abort);
    if (args->options &&
        !qemu_opts_do_parse(opts, args->options, NULL, &local_err)) {
        error_report_err(local_err);
        error_report("Invalid options for file format '%s'", args->out_fmt);
        qemu_opts_del(opts);
        return NULL;
    }
    if (args->size >= 0) {
        qemu_opt_set_number(opts, BLOCK_OPT_SIZE, args->size, &error_abort);
    }
    return opts;
}

static void measure_print(const MeasureArgs *args, const BlockMeasureInfo *m)
{
    QDict *d;
    GString *str;

    if (args->output == OFORMAT_HUMAN) {
        printf("required size: %" PRIu64 "\n", m->required);
        printf("fully allocated size: %" PRIu64 "\n", m->fully_allocated);
        if (m->has_bitmaps) {
            printf("bitmaps size: %" PRIu64 "\n", m->bitmaps);
        }
        return;
    }
    d = qdict_new();
    qdict_put_int(d, "required", m->required);
    qdict_put_int(d, "fully-allocated", m->fully_allocated);
    if (m->has_bitmaps) {
        qdict_put_int(d, "bitmaps", m->bitmaps);
    }
    str = qobject_to_json_pretty(QOBJECT(d), true);
    printf("%s\n", str->str);
    g_string_free(str, true);
    qobject_unref(d);
}

/* Measure with @drv; 0 or -1 (reported). */
static int measure_run(const MeasureArgs *args, BlockDriver *drv,
                       BlockDriverState *in_bs)
{
    Error *local_err = NULL;
    QemuOptsList *list = NULL;
    BlockMeasureInfo *m;
    QemuOpts *opts;

    opts = measure_opts(args, drv, &list);
    if (!opts) {
        qemu_opts_free(list);
        return -1;
    }
    bdrv_graph_rdlock_main_loop();
    m = bdrv_measure(drv, opts, in_bs, &local_err);
    bdrv_graph_rdunlock_main_loop();
    qemu_opts_del(opts);
    qemu_opts_free(list);
    if (!m) {
        error_report_err(local_err);
        return -1;
    }
    measure_print(args, m);
    g_free(m);
    return 0;
}

int img_measure(int argc, char **argv)
{
    MeasureArgs args = { .out_fmt = "raw", .output = OFORMAT_HUMAN,
                         .size = -1 };
    BlockBackend *in_blk = NULL;
    BlockDriver *drv;
    int ret = -1;

    measure_parse_options(argc, argv, &args);
    if (args.filename && args.size >= 0) {
        error_report("--size N cannot be used together with a filename.");
        goto out;
    }
    if (!args.filename && args.size < 0) {
        error_report("Either --size N or one filename must be specified.");
        goto out;
    }
    if (args.filename) {
        in_blk = img_open(args.image_opts, args.filename, args.fmt, 0,
                          false, false, args.force_share);
        if (!in_blk) {
            goto out;
        }
    }
    drv = bdrv_find_format(args.out_fmt);
    if (!drv) {
        error_report("Unknown file format '%s'", args.out_fmt);
        goto out;
    }
    if (!drv->create_opts) {
        error_report("Format driver '%s' does not support image creation",
                     drv->format_name);
        goto out;
    }
    ret = measure_run(&args, drv, in_blk ? blk_bs(in_blk) : NULL);
out:
    blk_unref(in_blk);
    g_free(args.options);
    return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
