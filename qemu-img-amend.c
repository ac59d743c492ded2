/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-amend.c: "qemu-img amend" (change format options of an
 * existing image through bdrv_amend_options()).
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/error-report.h"

static void amend_status_cb(BlockDriverState *bs, int64_t offset,
                            int64_t total_work_size, void *opaque)
{
    qemu_progress_print(100.0f * offset / total_work_size, 0);
}

/* Print the amend options of @fmt (for "-o help"). */
static int amend_print_help(const char *fmt)
{
    BlockDriver *drv = bdrv_find_format(fmt);

    if (!drv) {
        error_report("Unknown file format '%s'", fmt);
        return EXIT_FAILURE;
    }
    if (!drv->amend_opts) {
        error_report("Format driver '%s' does not support option amendment",
                     fmt);
        return EXIT_FAILURE;
    }
    printf("Amend options for '%s':\n", fmt);
    qemu_opts_print_help(drv->amend_opts, false);
    return EXIT_SUCCESS;
}

/*
 * @options did not parse as amend options.  If they parse once the
 * creation options are allowed too, say so in a hint on @errp (as 7.2,
 * whose second parse also repeats warnings such as the hex-suffix one).
 */
static void amend_hint_create_only(BlockDriver *drv, const char *options,
                                   Error **errp)
{
    QemuOptsList *all = qemu_opts_append(NULL, drv->amend_opts);
    QemuOpts *opts;

    all = qemu_opts_append(all, drv->create_opts);
    opts = qemu_opts_create(all, NULL, 0, &error_abort);
    if (qemu_opts_do_parse(opts, options, NULL, NULL)) {
        error_append_hint(errp, "This option is only supported for image "
                          "creation\n");
    }
    qemu_opts_del(opts);
    qemu_opts_free(all);
}

static int amend_run(BlockBackend *blk, const char *options, bool force,
                     bool quiet)
{
    BlockDriverState *bs = blk_bs(blk);
    Error *local_err = NULL;
    QemuOpts *opts;
    int ret;

    if (!bs->drv->amend_opts) {
        error_report("Format driver '%s' does not support option amendment",
                     bs->drv->format_name);
        return -ENOTSUP;
    }
    opts = qemu_opts_create(bs->drv->amend_opts, NULL, 0, &error_abort);
    if (!qemu_opts_do_parse(opts, options, NULL, &local_err)) {
        amend_hint_create_only(bs->drv, options, &local_err);
        error_report_err(local_err);
        qemu_opts_del(opts);
        return -EINVAL;
    }
    qemu_progress_print(0, 100);
    bdrv_graph_rdlock_main_loop();
    ret = bdrv_amend_options(bs, opts, amend_status_cb, NULL, force,
                             &local_err);
    bdrv_graph_rdunlock_main_loop();
    qemu_progress_print(100, 0);
    qemu_opts_del(opts);
    if (ret < 0) {
        error_report_err(local_err);
    }
    return ret;
}

int img_amend(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force", no_argument, NULL, OPTION_FORCE },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *cache = "writeback";
    g_autofree char *options = NULL;
    bool quiet = false, progress = false, image_opts = false, force = false;
    int flags = BDRV_O_RDWR, c, ret;
    BlockBackend *blk;

    while ((c = getopt_long(argc, argv, ":ho:f:t:pqU", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'o': img_add_option_string(&options, optarg); break;
        case 'f': fmt = optarg; break;
        case 't': cache = optarg; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'U': break;
        case OPTION_IMAGE_OPTS: image_opts = true; break;
        case OPTION_FORCE: force = true; break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    if (!options) {
        error_exit("Must specify options (-o)");
    }
    if (fmt && has_help_option(options)) {
        return amend_print_help(fmt);
    }
    if (optind != argc - 1) {
        error_report("Expecting one image file name");
        return EXIT_FAILURE;
    }
    blk = img_open_cache(image_opts, argv[optind], fmt, flags, cache, quiet,
                         false);
    if (!blk) {
        return EXIT_FAILURE;
    }
    if (has_help_option(options)) {
        ret = amend_print_help(blk_bs(blk)->drv->format_name);
        blk_unref(blk);
        return ret;
    }
    qemu_progress_init(progress && !quiet, 1.0);
    ret = amend_run(blk, options, force, quiet);
    qemu_progress_end();
    blk_unref(blk);
    return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
