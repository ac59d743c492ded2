/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-compare.c: "qemu-img compare": compare the guest-visible
 * contents of two images, using block status to skip ranges that read
 * as zero in both.  Differences are found at 512-byte granularity, as
 * upstream reports them.  Exit codes: 0 identical, 1 different, 2 open
 * error, 3 block status error, 4 read or other error.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/units.h"

#define COMPARE_BUF_SIZE (2 * MiB)
#define COMPARE_SECTOR 512

typedef struct CompareState {
    BlockBackend *blk[2];
    const char *filename[2];
    uint8_t *buf[2];
    int64_t size[2];
    bool quiet;
    bool strict;
    int64_t progress_base;
} CompareState;

/* Offset of the first 512-byte block of @buf that is not zero, or -1. */
static int64_t find_nonzero(const uint8_t *buf, int64_t n)
{
    int64_t i;

    for (i = 0; i < n; i += COMPARE_SECTOR) {
        if (!buffer_is_zero(buf + i, MIN(COMPARE_SECTOR, n - i))) {
            return i;
        }
    }
    return -1;
}

/* Offset of the first 512-byte block that differs, or -1. */
static int64_t find_difference(const uint8_t *a, const uint8_t *b, int64_t n)
{
    int64_t i;

    for (i = 0; i < n; i += COMPARE_SECTOR) {
        if (memcmp(a + i, b + i, MIN(COMPARE_SECTOR, n - i))) {
            return i;
        }
    }
    return -1;
}

static int compare_read(CompareState *s, int i, int64_t offset, int64_t n,
                        uint8_t *buf)
{
    int ret = blk_pread(s->blk[i], offset, n, buf, 0);

    if (ret < 0) {
        error_report("Error while reading offset %" PRId64 " of %s: %s",
                     offset, s->filename[i], strerror(-ret));
        return 4;
    }
    return 0;
}

/* Image @i must read as zero in the range: 0, 1 (mismatch) or 4. */
static int compare_check_empty(CompareState *s, int i, int64_t offset,
                               int64_t n)
{
    int64_t idx;
    int ret = compare_read(s, i, offset, n, s->buf[0]);

    if (ret) {
        return ret;
    }
    idx = find_nonzero(s->buf[0], n);
    if (idx >= 0) {
        qprintf(s->quiet, "Content mismatch at offset %" PRId64 "!\n",
                offset + idx);
        return 1;
    }
    return 0;
}

static int compare_status(CompareState *s, int i, int64_t offset,
                          int64_t *pnum)
{
    int ret;

    bdrv_graph_rdlock_main_loop();
    ret = bdrv_block_status_above(blk_bs(s->blk[i]), NULL, offset,
                                  s->size[i] - offset, pnum, NULL, NULL);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        error_report("Sector allocation test failed for %s",
                     s->filename[i]);
    }
    return ret;
}

/* Compare one chunk at @offset; *chunk gets its length.  0 or exit code. */
static int compare_chunk(CompareState *s, int64_t offset, int64_t *chunk)
{
    int64_t pnum[2], idx;
    int st[2], i, ret;
    bool alloc[2];

    for (i = 0; i < 2; i++) {
        st[i] = compare_status(s, i, offset, &pnum[i]);
        if (st[i] < 0) {
            return 3;
        }
        alloc[i] = st[i] & BDRV_BLOCK_ALLOCATED;
    }
    *chunk = MIN(pnum[0], pnum[1]);
    if (s->strict && st[0] != st[1]) {
        qprintf(s->quiet, "Strict mode: Offset %" PRId64
                " block status mismatch!\n", offset);
        return 1;
    }
    if ((st[0] & BDRV_BLOCK_ZERO) && (st[1] & BDRV_BLOCK_ZERO)) {
        return 0;
    }
    *chunk = MIN(*chunk, COMPARE_BUF_SIZE);
    if (alloc[0] != alloc[1]) {
        return compare_check_empty(s, alloc[0] ? 0 : 1, offset, *chunk);
    }
    if (!alloc[0]) {
        return 0;
    }
    for (i = 0; i < 2; i++) {
        ret = compare_read(s, i, offset, *chunk, s->buf[i]);
        if (ret) {
            return ret;
        }
    }
    idx = find_difference(s->buf[0], s->buf[1], *chunk);
    if (idx >= 0) {
        qprintf(s->quiet, "Content mismatch at offset %" PRId64 "!\n",
                offset + idx);
        return 1;
    }
    return 0;
}

/* The part only the larger image has must read as zero. */
static int compare_tail(CompareState *s, int64_t offset)
{
    int over = s->size[0] > s->size[1] ? 0 : 1;
    int64_t chunk;
    int ret;

    qprintf(s->quiet, "Warning: Image size mismatch!\n");
    while (offset < s->progress_base) {
        ret = compare_status(s, over, offset, &chunk);
        if (ret < 0) {
            return 3;
        }
        if ((ret & BDRV_BLOCK_ALLOCATED) && !(ret & BDRV_BLOCK_ZERO)) {
            chunk = MIN(chunk, COMPARE_BUF_SIZE);
            ret = compare_check_empty(s, over, offset, chunk);
            if (ret) {
                return ret;
            }
        }
        offset += chunk;
        qemu_progress_print((float)chunk / s->progress_base * 100, 100);
    }
    return 0;
}

static int compare_run(CompareState *s)
{
    int64_t offset = 0, chunk, total;
    int i, ret;

    for (i = 0; i < 2; i++) {
        s->size[i] = blk_getlength(s->blk[i]);
        if (s->size[i] < 0) {
            error_report("Can't get size of %s: %s", s->filename[i],
                         strerror(-s->size[i]));
            return 4;
        }
    }
    total = MIN(s->size[0], s->size[1]);
    s->progress_base = MAX(s->size[0], s->size[1]);
    qemu_progress_print(0, 100);
    if (s->strict && s->size[0] != s->size[1]) {
        qprintf(s->quiet, "Strict mode: Image size mismatch!\n");
        return 1;
    }
    while (offset < total) {
        ret = compare_chunk(s, offset, &chunk);
        if (ret) {
            return ret;
        }
        offset += chunk;
        qemu_progress_print((float)chunk / s->progress_base * 100, 100);
    }
    if (s->size[0] != s->size[1]) {
        ret = compare_tail(s, offset);
        if (ret) {
            return ret;
        }
    }
    qprintf(s->quiet, "Images are identical.\n");
    return 0;
}

int img_compare(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    CompareState s = { 0 };
    const char *fmt[2] = { NULL, NULL }, *cache = "writeback";
    bool progress = false, image_opts = false, force_share = false;
    bool writethrough;
    int flags = 0, c, i, ret = 2;

    while ((c = getopt_long(argc, argv, ":hf:F:T:pqsU", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f':
            fmt[0] = optarg;
            break;
        case 'F':
            fmt[1] = optarg;
            break;
        case 'T':
            cache = optarg;
            break;
        case 'p':
            progress = true;
            break;
        case 'q':
            s.quiet = true;
            break;
        case 's':
            s.strict = true;
            break;
        case 'U':
            force_share = true;
            break;
        case OPTION_IMAGE_OPTS:
            image_opts = true;
            break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    if (optind != argc - 2) {
        error_exit("Expecting two image file names");
    }
    s.filename[0] = argv[optind];
    s.filename[1] = argv[optind + 1];
    qemu_progress_init(progress && !s.quiet, 2.0);
    if (bdrv_parse_cache_mode(cache, &flags, &writethrough) < 0) {
        error_report("Invalid source cache option: %s", cache);
        return 2;
    }
    for (i = 0; i < 2; i++) {
        s.blk[i] = img_open(image_opts, s.filename[i], fmt[i], flags,
                            writethrough, s.quiet, force_share);
        if (!s.blk[i]) {
            goto out;
        }
        s.buf[i] = blk_blockalign(s.blk[i], COMPARE_BUF_SIZE);
    }
    ret = compare_run(&s);
out:
    for (i = 0; i < 2; i++) {
        qemu_vfree(s.buf[i]);
        blk_unref(s.blk[i]);
    }
    qemu_progress_end();
    return ret;
}
