/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img bitmap: add, remove, clear, enable, disable and merge the
 * persistent dirty bitmaps of an image.  The actions run in command-line
 * order on the opened image; the format driver stores the result when
 * the image is closed (also after a failed action, as QEMU 7.2 does).
 * Also the bitmap steps of "qemu-img convert --bitmaps".
 */

#include "qemu/osdep.h"
#include <getopt.h>
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qemu/queue.h"
#include "block/block_int.h"
#include "block/dirty-bitmap.h"
#include "qemu-img-common.h"
#include "qemu-img-bitmap.h"

typedef enum BitmapActionKind {
    BITMAP_ADD,
    BITMAP_REMOVE,
    BITMAP_CLEAR,
    BITMAP_ENABLE,
    BITMAP_DISABLE,
    BITMAP_MERGE,
} BitmapActionKind;

static const char *const action_names[] = {
    [BITMAP_ADD] = "add",
    [BITMAP_REMOVE] = "remove",
    [BITMAP_CLEAR] = "clear",
    [BITMAP_ENABLE] = "enable",
    [BITMAP_DISABLE] = "disable",
    [BITMAP_MERGE] = "merge",
};

typedef struct BitmapAction {
    BitmapActionKind kind;
    const char *src;            /* --merge SOURCE */
    QSIMPLEQ_ENTRY(BitmapAction) next;
} BitmapAction;

typedef QSIMPLEQ_HEAD(, BitmapAction) BitmapActions;

typedef struct BitmapArgs {
    BitmapActions actions;
    const char *fmt;
    const char *src_fmt;
    const char *src_filename;
    int64_t granularity;
    bool image_opts;
    bool add;
    bool merge;
} BitmapArgs;

static void add_action(BitmapArgs *a, BitmapActionKind kind, const char *src)
{
    BitmapAction *act = g_new0(BitmapAction, 1);

    act->kind = kind;
    act->src = src;
    QSIMPLEQ_INSERT_TAIL(&a->actions, act, next);
}

/* Parse the options into @a; false after an error was reported. */
static bool parse_args(int argc, char **argv, BitmapArgs *a)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "add", no_argument, NULL, OPTION_ADD },
        { "remove", no_argument, NULL, OPTION_REMOVE },
        { "clear", no_argument, NULL, OPTION_CLEAR },
        { "enable", no_argument, NULL, OPTION_ENABLE },
        { "disable", no_argument, NULL, OPTION_DISABLE },
        { "merge", required_argument, NULL, OPTION_MERGE },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, ":b:f:F:g:h", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'b':
            a->src_filename = optarg;
            break;
        case 'f':
            a->fmt = optarg;
            break;
        case 'F':
            a->src_fmt = optarg;
            break;
        case 'g':
            a->granularity = img_parse_size(optarg, "granularity");
            if (a->granularity < 0) {
                return false;
            }
            break;
        case OPTION_ADD:
            add_action(a, BITMAP_ADD, NULL);
            a->add = true;
            break;
        case OPTION_REMOVE:
            add_action(a, BITMAP_REMOVE, NULL);
            break;
        case OPTION_CLEAR:
            add_action(a, BITMAP_CLEAR, NULL);
            break;
        case OPTION_ENABLE:
            add_action(a, BITMAP_ENABLE, NULL);
            break;
        case OPTION_DISABLE:
            add_action(a, BITMAP_DISABLE, NULL);
            break;
        case OPTION_MERGE:
            add_action(a, BITMAP_MERGE, optarg);
            a->merge = true;
            break;
        case OPTION_IMAGE_OPTS:
            a->image_opts = true;
            break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    return true;
}

/* The option combinations 7.2 refuses, in its order. */
static bool check_args(int argc, BitmapArgs *a)
{
    if (QSIMPLEQ_EMPTY(&a->actions)) {
        error_report("Need at least one of --add, --remove, --clear, "
                     "--enable, --disable, or --merge");
        return false;
    }
    if (a->granularity && !a->add) {
        error_report("granularity only supported with --add");
        return false;
    }
    if (a->src_fmt && !a->src_filename) {
        error_report("-F only supported with -b");
        return false;
    }
    if (a->src_filename && !a->merge) {
        error_report("Merge bitmap source file only supported with "
                     "--merge");
        return false;
    }
    if (optind != argc - 2) {
        error_report("Expecting filename and bitmap name");
        return false;
    }
    return true;
}

static bool run_action(BitmapArgs *a, BitmapAction *act,
                       BlockDriverState *bs, BlockDriverState *src_bs,
                       const char *name, Error **errp)
{
    /* A granularity that does not fit 32 bits must fail, not default. */
    uint32_t gran = a->granularity > UINT32_MAX ? 1 : a->granularity;

    switch (act->kind) {
    case BITMAP_ADD:
        return block_dirty_bitmap_add(bs, name, gran, true, false, errp);
    case BITMAP_REMOVE:
        return block_dirty_bitmap_remove(bs, name, errp);
    case BITMAP_CLEAR:
        return block_dirty_bitmap_clear(bs, name, errp);
    case BITMAP_ENABLE:
        return block_dirty_bitmap_enable(bs, name, errp);
    case BITMAP_DISABLE:
        return block_dirty_bitmap_disable(bs, name, errp);
    case BITMAP_MERGE:
        return block_dirty_bitmap_merge(bs, name, src_bs, act->src, errp);
    }
    g_assert_not_reached();
}

int img_bitmap(int argc, char **argv)
{
    BitmapArgs a = { 0 };
    BlockBackend *blk = NULL, *src = NULL;
    BlockDriverState *bs, *src_bs;
    BitmapAction *act, *act_next;
    const char *name;
    int ret = EXIT_FAILURE;

    QSIMPLEQ_INIT(&a.actions);
    if (!parse_args(argc, argv, &a) || !check_args(argc, &a)) {
        goto out;
    }
    name = argv[optind + 1];

    /* Only the bitmaps matter here, not the data: no backing chain. */
    blk = img_open(a.image_opts, argv[optind], a.fmt,
                   BDRV_O_RDWR | BDRV_O_NO_BACKING, false, false, false);
    if (!blk) {
        goto out;
    }
    bs = blk_bs(blk);
    src_bs = bs;
    if (a.src_filename) {
        src = img_open(false, a.src_filename, a.src_fmt, BDRV_O_NO_BACKING,
                       false, false, false);
        if (!src) {
            goto out;
        }
        src_bs = blk_bs(src);
    }

    QSIMPLEQ_FOREACH(act, &a.actions, next) {
        Error *err = NULL;

        if (!run_action(&a, act, bs, src_bs, name, &err)) {
            error_reportf_err(err, "Operation %s on bitmap %s failed: ",
                              action_names[act->kind], name);
            goto out;
        }
    }
    ret = EXIT_SUCCESS;

out:
    QSIMPLEQ_FOREACH_SAFE(act, &a.actions, next, act_next) {
        g_free(act);
    }
    blk_unref(src);
    blk_unref(blk);
    return ret;
}

/* --- qemu-img convert --bitmaps ---------------------------------------- */

int img_convert_check_bitmaps(BlockBackend **src, int src_num,
                              bool skip_broken)
{
    BlockDriverState *bs;
    BdrvDirtyBitmap *bm;

    if (src_num > 1) {
        error_report("Copying bitmaps only possible with single source");
        return -1;
    }
    bs = blk_bs(src[0]);
    if (!bdrv_supports_persistent_dirty_bitmap(bs)) {
        error_report("Source lacks bitmap support");
        return -1;
    }
    FOR_EACH_DIRTY_BITMAP(bs, bm) {
        if (bdrv_dirty_bitmap_get_persistence(bm) && !skip_broken &&
            bdrv_dirty_bitmap_inconsistent(bm)) {
            error_report("Cannot copy inconsistent bitmap '%s'",
                         bdrv_dirty_bitmap_name(bm));
            error_printf("Try --skip-broken-bitmaps, or use 'qemu-img "
                         "bitmap --remove' to delete it\n");
            return -1;
        }
    }
    return 0;
}

int img_convert_check_target_bitmaps(BlockDriverState *dst)
{
    if (!bdrv_supports_persistent_dirty_bitmap(dst)) {
        error_report("Format driver '%s' does not support bitmaps",
                     dst->drv->format_name);
        return -1;
    }
    return 0;
}

int img_convert_copy_bitmaps(BlockDriverState *src, BlockDriverState *dst,
                             bool skip_broken)
{
    BdrvDirtyBitmap *bm;

    FOR_EACH_DIRTY_BITMAP(src, bm) {
        const char *name = bdrv_dirty_bitmap_name(bm);
        Error *err = NULL;

        if (!bdrv_dirty_bitmap_get_persistence(bm)) {
            continue;
        }
        if (skip_broken && bdrv_dirty_bitmap_inconsistent(bm)) {
            warn_report("Skipping inconsistent bitmap '%s'", name);
            continue;
        }
        if (!block_dirty_bitmap_add(dst, name,
                                    bdrv_dirty_bitmap_granularity(bm), true,
                                    !bdrv_dirty_bitmap_enabled(bm), &err)) {
            error_reportf_err(err, "Failed to create bitmap %s: ", name);
            return -1;
        }
        if (!block_dirty_bitmap_merge(dst, name, src, name, &err)) {
            error_reportf_err(err, "Failed to populate bitmap %s: ", name);
            block_dirty_bitmap_remove(dst, name, NULL);
            return -1;
        }
    }
    return 0;
}
