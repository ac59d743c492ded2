/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-info.c: "qemu-img info": open the image (and with
 * --backing-chain each backing file in turn) without I/O, collect an
 * ImageInfo per image (block/qapi.c) and print it as text or JSON.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "block/qapi.h"
#include "qapi/error.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qlist.h"
#include "qemu/error-report.h"

typedef struct InfoArgs {
    const char *fmt;
    const char *filename;
    OutputFormat output;
    bool chain;
    bool image_opts;
    bool force_share;
} InfoArgs;

static void info_parse_options(int argc, char **argv, InfoArgs *args)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, OPTION_OUTPUT },
        { "backing-chain", no_argument, NULL, OPTION_BACKING_CHAIN },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *output = NULL;
    int c;

    while ((c = getopt_long(argc, argv, ":f:hU", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f':
            args->fmt = optarg;
            break;
        case 'U':
            args->force_share = true;
            break;
        case OPTION_OUTPUT:
            output = optarg;
            break;
        case OPTION_BACKING_CHAIN:
            args->chain = true;
            break;
        case OPTION_IMAGE_OPTS:
            args->image_opts = true;
            break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    args->output = OFORMAT_HUMAN;
    args->filename = img_one_image_arg(argc, argv, output, &args->output);
}

/* The ImageInfo of one image, or NULL (reported). */
static ImageInfo *info_one(bool image_opts, const char *filename,
                           const char *fmt, bool force_share)
{
    Error *local_err = NULL;
    ImageInfo *info = NULL;
    BlockBackend *blk;

    blk = img_open(image_opts, filename, fmt,
                   BDRV_O_NO_BACKING | BDRV_O_NO_IO, false, false,
                   force_share);
    if (!blk) {
        return NULL;
    }
    bdrv_graph_rdlock_main_loop();
    bdrv_query_image_info(blk_bs(blk), &info, &local_err);
    bdrv_graph_rdunlock_main_loop();
    if (!info) {
        error_report_err(local_err);
    }
    blk_unref(blk);
    return info;
}

/*
 * The images of the chain starting at @args->filename (only that one
 * without --backing-chain), in order; NULL after reporting an error.
 */
static ImageInfoList *info_collect(const InfoArgs *args)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash,
                                                       g_str_equal,
                                                       g_free, NULL);
    const char *filename = args->filename, *fmt = args->fmt;
    bool image_opts = args->image_opts;
    ImageInfoList *head = NULL, **tail = &head;

    while (filename) {
        ImageInfo *info;

        if (g_hash_table_contains(seen, filename)) {
            error_report("Backing file '%s' creates an infinite loop.",
                         filename);
            goto fail;
        }
        g_hash_table_add(seen, g_strdup(filename));
        info = info_one(image_opts, filename, fmt, args->force_share);
        if (!info) {
            goto fail;
        }
        *tail = g_new0(ImageInfoList, 1);
        (*tail)->value = info;
        tail = &(*tail)->next;
        if (!args->chain) {
            break;
        }
        if (info->backing_filename && !info->full_backing_filename) {
            /* Following the bare name would open the wrong file. */
            error_report("Could not determine absolute backing filename,"
                         " but backing filename '%s' present",
                         info->backing_filename);
            goto fail;
        }
        filename = info->full_backing_filename;
        fmt = info->backing_filename_format;
        image_opts = false;
    }
    return head;

fail:
    qapi_free_ImageInfoList(head);
    return NULL;
}

static void print_json(QObject *obj)
{
    GString *str = qobject_to_json_pretty(obj, true);

    printf("%s\n", str->str);
    g_string_free(str, true);
    qobject_unref(obj);
}

static void info_print(const InfoArgs *args, const ImageInfoList *list)
{
    const ImageInfoList *e;

    if (args->output == OFORMAT_JSON) {
        QList *ql;

        if (!args->chain) {
            print_json(image_info_to_qobject(list->value));
            return;
        }
        ql = qlist_new();
        for (e = list; e; e = e->next) {
            qlist_append_obj(ql, image_info_to_qobject(e->value));
        }
        print_json(QOBJECT(ql));
        return;
    }
    for (e = list; e; e = e->next) {
        if (e != list) {
            printf("\n");
        }
        bdrv_image_info_dump(e->value);
    }
}

int img_info(int argc, char **argv)
{
    InfoArgs args = { 0 };
    ImageInfoList *list;

    info_parse_options(argc, argv, &args);
    list = info_collect(&args);
    if (!list) {
        return EXIT_FAILURE;
    }
    info_print(&args, list);
    qapi_free_ImageInfoList(list);
    return EXIT_SUCCESS;
}
