/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-check.c: "qemu-img check": run the format's consistency check
 * (bdrv_check), optionally repairing (-r leaks|all, then checking again),
 * and report the ImageCheck result as text or JSON.  Exit codes as
 * upstream: 0 clean, 1 check failed, 2 corruptions, 3 leaks only,
 * 63 format without checks.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "qemu-img-engine.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qemu/error-report.h"

/* QEMU's ImageCheck: members are "present" when non-zero. */
typedef struct ImageCheck {
    const char *filename;
    const char *format;
    int64_t check_errors;
    int64_t image_end_offset;
    int64_t corruptions;
    int64_t leaks;
    int64_t corruptions_fixed;
    int64_t leaks_fixed;
    int64_t total_clusters;
    int64_t allocated_clusters;
    int64_t fragmented_clusters;
    int64_t compressed_clusters;
} ImageCheck;

typedef struct CheckArgs {
    const char *fmt;
    const char *filename;
    const char *cache;
    OutputFormat output;
    int fix;
    bool quiet;
    bool image_opts;
    bool force_share;
} CheckArgs;

static int check_collect(BlockDriverState *bs, ImageCheck *check, int fix)
{
    BdrvCheckResult res = { 0 };
    int ret;

    bdrv_graph_rdlock_main_loop();
    ret = bdrv_check(bs, &res, fix);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        return ret;
    }
    check->format = bdrv_get_format_name(bs);
    check->check_errors = res.check_errors;
    check->corruptions = res.corruptions;
    check->leaks = res.leaks;
    check->corruptions_fixed = res.corruptions_fixed;
    check->leaks_fixed = res.leaks_fixed;
    check->image_end_offset = res.image_end_offset;
    check->total_clusters = res.bfi.total_clusters;
    check->allocated_clusters = res.bfi.allocated_clusters;
    check->fragmented_clusters = res.bfi.fragmented_clusters;
    check->compressed_clusters = res.bfi.compressed_clusters;
    return 0;
}

static void put_nonzero(QDict *d, const char *key, int64_t value)
{
    if (value) {
        qdict_put_int(d, key, value);
    }
}

/* Members in QAPI schema order (see block/qapi.c on JSON key order). */
static void check_dump_json(const ImageCheck *c, bool quiet)
{
    QDict *d = qdict_new();
    GString *str;

    qdict_put_str(d, "filename", c->filename);
    qdict_put_str(d, "format", c->format);
    qdict_put_int(d, "check-errors", c->check_errors);
    put_nonzero(d, "image-end-offset", c->image_end_offset);
    put_nonzero(d, "corruptions", c->corruptions);
    put_nonzero(d, "leaks", c->leaks);
    put_nonzero(d, "corruptions-fixed", c->corruptions_fixed);
    put_nonzero(d, "leaks-fixed", c->leaks_fixed);
    put_nonzero(d, "total-clusters", c->total_clusters);
    put_nonzero(d, "allocated-clusters", c->allocated_clusters);
    put_nonzero(d, "fragmented-clusters", c->fragmented_clusters);
    put_nonzero(d, "compressed-clusters", c->compressed_clusters);
    str = qobject_to_json_pretty(QOBJECT(d), true);
    qprintf(quiet, "%s\n", str->str);
    g_string_free(str, true);
    qobject_unref(d);
}

static void check_dump_human(const ImageCheck *c, bool quiet)
{
    if (!c->corruptions && !c->leaks && !c->check_errors) {
        qprintf(quiet, "No errors were found on the image.\n");
    }
    if (c->corruptions) {
        qprintf(quiet, "\n%" PRId64 " errors were found on the image.\n"
                "Data may be corrupted, or further writes to the image "
                "may corrupt it.\n", c->corruptions);
    }
    if (c->leaks) {
        qprintf(quiet, "\n%" PRId64 " leaked clusters were found on the "
                "image.\nThis means waste of disk space, but no harm to "
                "data.\n", c->leaks);
    }
    if (c->check_errors) {
        qprintf(quiet, "\n%" PRId64 " internal errors have occurred during "
                "the check.\n", c->check_errors);
    }
    if (c->total_clusters && c->allocated_clusters) {
        qprintf(quiet, "%" PRId64 "/%" PRId64 " = %0.2f%% allocated, "
                "%0.2f%% fragmented, %0.2f%% compressed clusters\n",
                c->allocated_clusters, c->total_clusters,
                c->allocated_clusters * 100.0 / c->total_clusters,
                c->fragmented_clusters * 100.0 / c->allocated_clusters,
                c->compressed_clusters * 100.0 / c->allocated_clusters);
    }
    if (c->image_end_offset) {
        qprintf(quiet, "Image end offset: %" PRId64 "\n",
                c->image_end_offset);
    }
}

static void check_parse_options(int argc, char **argv, CheckArgs *args)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "repair", required_argument, NULL, 'r' },
        { "output", required_argument, NULL, OPTION_OUTPUT },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *output = NULL;
    int c;

    while ((c = getopt_long(argc, argv, ":hf:r:T:qU", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f':
            args->fmt = optarg;
            break;
        case 'r':
            if (!strcmp(optarg, "leaks")) {
                args->fix = BDRV_FIX_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                args->fix = BDRV_FIX_LEAKS | BDRV_FIX_ERRORS;
            } else {
                error_exit("Unknown option value for -r "
                           "(expecting 'leaks' or 'all'): %s", optarg);
            }
            break;
        case 'T':
            args->cache = optarg;
            break;
        case 'q':
            args->quiet = true;
            break;
        case 'U':
            args->force_share = true;
            break;
        case OPTION_OUTPUT:
            output = optarg;
            break;
        case OPTION_IMAGE_OPTS:
            args->image_opts = true;
            break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    args->filename = img_one_image_arg(argc, argv, output, &args->output);
}

/* Check, repair if asked and check again; -errno if the check failed. */
static int check_run(BlockDriverState *bs, const CheckArgs *args,
                     ImageCheck *check)
{
    int64_t leaks_fixed, corruptions_fixed;
    int ret = check_collect(bs, check, args->fix);

    if (ret < 0 || (!check->corruptions_fixed && !check->leaks_fixed)) {
        return ret;
    }
    leaks_fixed = check->leaks_fixed;
    corruptions_fixed = check->corruptions_fixed;
    if (args->output == OFORMAT_HUMAN) {
        qprintf(args->quiet,
                "The following inconsistencies were found and repaired:\n\n"
                "    %" PRId64 " leaked clusters\n"
                "    %" PRId64 " corruptions\n\n"
                "Double checking the fixed image now...\n",
                leaks_fixed, corruptions_fixed);
    }
    *check = (ImageCheck) { .filename = check->filename };
    ret = check_collect(bs, check, 0);
    check->leaks_fixed = leaks_fixed;
    check->corruptions_fixed = corruptions_fixed;
    return ret;
}

int img_check(int argc, char **argv)
{
    CheckArgs args = { .output = OFORMAT_HUMAN, .cache = "writeback" };
    ImageCheck check = { 0 };
    BlockBackend *blk;
    bool writethrough;
    int flags = BDRV_O_CHECK;
    int ret;

    check_parse_options(argc, argv, &args);
    flags |= img_metadata_engine_flags();
    if (args.fix) {
        flags |= BDRV_O_RDWR;
    }
    if (bdrv_parse_cache_mode(args.cache, &flags, &writethrough) < 0) {
        error_report("Invalid source cache option: %s", args.cache);
        return EXIT_FAILURE;
    }
    blk = img_open(args.image_opts, args.filename, args.fmt, flags,
                   writethrough, args.quiet, args.force_share);
    if (!blk) {
        return EXIT_FAILURE;
    }
    check.filename = args.filename;
    ret = check_run(blk_bs(blk), &args, &check);
    if (ret == -ENOTSUP) {
        error_report("This image format does not support checks");
        blk_unref(blk);
        return QEMU_IMG_CHECK_NOT_SUPPORTED;
    }
    if (!ret) {
        if (args.output == OFORMAT_JSON) {
            check_dump_json(&check, args.quiet);
        } else {
            check_dump_human(&check, args.quiet);
        }
    }
    blk_unref(blk);
    if (ret || check.check_errors) {
        if (ret) {
            error_report("Check failed: %s", strerror(-ret));
        } else {
            error_report("Check failed");
        }
        return EXIT_FAILURE;
    }
    return check.corruptions ? 2 : check.leaks ? 3 : EXIT_SUCCESS;
}
