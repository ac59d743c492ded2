/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-map.c: "qemu-img map": walk the image with block status,
 * merging neighbouring ranges that look the same, and print the ranges
 * (human: only those holding data; json: all of them, one per line).
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "qemu-img-engine.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "qemu/units.h"

typedef struct MapEntry {
    int64_t start;
    int64_t length;
    int64_t offset;
    int64_t depth;
    bool has_offset;
    bool present;
    bool zero;
    bool data;
    const char *filename;   /* NULL unless has_offset (owned by the node) */
} MapEntry;

typedef struct MapArgs {
    const char *fmt;
    const char *filename;
    OutputFormat output;
    bool image_opts;
    bool force_share;
    int64_t start_offset;
    int64_t max_length;
} MapArgs;

/* One walk, run in a coroutine: the image, the range and the result. */
typedef struct MapWalk {
    BlockDriverState *bs;
    const MapArgs *args;
    int64_t end;
    BlockDriverState *named;    /* file whose filename is up to date */
    int ret;
    bool done;
} MapWalk;

/*
 * Status of [@offset, @offset + @bytes) through the backing chain: the
 * first layer that says data or zero answers, depth counts the layers
 * passed.  Fills @e for the length the answer holds; -errno on error.
 * A file's name is refreshed once per walk (or when the file changes),
 * not once per extent: building it is costly.
 */
static int coroutine_fn GRAPH_RDLOCK
map_block_status(MapWalk *w, int64_t offset, int64_t bytes, MapEntry *e)
{
    BlockDriverState *bs = w->bs, *file = NULL;
    int64_t map = 0, depth = 0;
    int ret;

    for (;;) {
        bs = bdrv_skip_filters(bs);
        ret = bdrv_co_block_status(bs, offset, bytes, &bytes, &map, &file);
        if (ret < 0) {
            return ret;
        }
        assert(bytes);
        if (ret & (BDRV_BLOCK_ZERO | BDRV_BLOCK_DATA)) {
            break;
        }
        bs = bdrv_cow_bs(bs);
        if (!bs) {
            ret = 0;
            break;
        }
        depth++;
    }
    *e = (MapEntry) {
        .start = offset,
        .length = bytes,
        .data = ret & BDRV_BLOCK_DATA,
        .zero = ret & BDRV_BLOCK_ZERO,
        .has_offset = ret & BDRV_BLOCK_OFFSET_VALID,
        .offset = map,
        .depth = depth,
        .present = ret & BDRV_BLOCK_ALLOCATED,
    };
    if (file && e->has_offset) {
        if (file != w->named) {
            bdrv_refresh_filename(file);
            w->named = file;
        }
        e->filename = file->filename;
    }
    return 0;
}

/* @next continues @curr: same kind, same file, contiguous in the file. */
static bool map_mergeable(const MapEntry *curr, const MapEntry *next)
{
    if (curr->length == 0) {
        return false;
    }
    if (curr->zero != next->zero || curr->data != next->data ||
        curr->depth != next->depth || curr->present != next->present ||
        curr->has_offset != next->has_offset ||
        !curr->filename != !next->filename) {
        return false;
    }
    if (curr->filename && strcmp(curr->filename, next->filename)) {
        return false;
    }
    return !curr->has_offset || curr->offset + curr->length == next->offset;
}

/* Print @e; @last is true for the final entry.  -1 after an error. */
static int map_dump(OutputFormat output, const MapEntry *e, bool last)
{
    if (output == OFORMAT_HUMAN) {
        if (e->data && !e->has_offset) {
            error_report("File contains external, encrypted or compressed "
                         "clusters.");
            return -1;
        }
        if (e->data && !e->zero) {
            printf("%#-16" PRIx64 "%#-16" PRIx64 "%#-16" PRIx64 "%s\n",
                   e->start, e->length, e->has_offset ? e->offset : 0,
                   e->filename ?: "");
        }
        return 0;
    }
    printf("{ \"start\": %" PRId64 ", \"length\": %" PRId64 ", "
           "\"depth\": %" PRId64 ", \"present\": %s, \"zero\": %s, "
           "\"data\": %s", e->start, e->length, e->depth,
           e->present ? "true" : "false", e->zero ? "true" : "false",
           e->data ? "true" : "false");
    if (e->has_offset) {
        printf(", \"offset\": %" PRId64, e->offset);
    }
    putchar('}');
    if (!last) {
        puts(",");
    }
    return 0;
}

static int coroutine_fn GRAPH_RDLOCK map_walk(MapWalk *w)
{
    const MapArgs *args = w->args;
    MapEntry curr = { .start = args->start_offset }, next;
    int ret;

    while (curr.start + curr.length < w->end) {
        int64_t offset = curr.start + curr.length;

        ret = map_block_status(w, offset, MIN(GiB, w->end - offset), &next);
        if (ret < 0) {
            error_report("Could not read file metadata: %s", strerror(-ret));
            return ret;
        }
        if (map_mergeable(&curr, &next)) {
            curr.length += next.length;
            continue;
        }
        if (curr.length > 0 && map_dump(args->output, &curr, false) < 0) {
            return -1;
        }
        curr = next;
    }
    return map_dump(args->output, &curr, true);
}

/*
 * The whole walk runs in one coroutine, so each extent costs a direct
 * block-status call rather than a coroutine and a poll of its own.
 */
static void coroutine_fn map_walk_co(void *opaque)
{
    MapWalk *w = opaque;

    bdrv_graph_co_rdlock();
    w->ret = map_walk(w);
    bdrv_graph_co_rdunlock();
    w->done = true;
    aio_wait_kick();
}

static void map_parse_options(int argc, char **argv, MapArgs *args)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, OPTION_OUTPUT },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { "start-offset", required_argument, NULL, OPTION_START_OFFSET },
        { "max-length", required_argument, NULL, OPTION_MAX_LENGTH },
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
        case OPTION_START_OFFSET:
            args->start_offset = img_parse_size(optarg, "start offset");
            if (args->start_offset < 0) {
                exit(EXIT_FAILURE);
            }
            break;
        case OPTION_MAX_LENGTH:
            args->max_length = img_parse_size(optarg, "max length");
            if (args->max_length < 0) {
                exit(EXIT_FAILURE);
            }
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

int img_map(int argc, char **argv)
{
    MapArgs args = { .output = OFORMAT_HUMAN, .max_length = -1 };
    BlockBackend *blk;
    MapWalk w;
    int64_t length;
    int ret;

    map_parse_options(argc, argv, &args);
    blk = img_open(args.image_opts, args.filename, args.fmt,
                   img_metadata_engine_flags(), false, false,
                   args.force_share);
    if (!blk) {
        return EXIT_FAILURE;
    }
    if (args.output == OFORMAT_HUMAN) {
        printf("%-16s%-16s%-16s%s\n", "Offset", "Length", "Mapped to",
               "File");
    } else {
        printf("[");
    }
    length = blk_getlength(blk);
    if (length < 0) {
        error_report("Failed to get size for '%s'", args.filename);
        blk_unref(blk);
        return EXIT_FAILURE;
    }
    if (args.max_length != -1) {
        length = MIN(args.start_offset + args.max_length, length);
    }
    w = (MapWalk) { .bs = blk_bs(blk), .args = &args, .end = length };
    qemu_coroutine_enter(qemu_coroutine_create(map_walk_co, &w));
    while (!w.done) {
        main_loop_wait(false);
    }
    ret = w.ret;
    if (args.output == OFORMAT_JSON) {
        puts("]");
    }
    blk_unref(blk);
    return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
