/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-backing.c: the subcommands that move data along a backing
 * chain: "commit" (write the top image's data into a base image, then
 * optionally empty the top) and "rebase" (point an image at another
 * backing file, in safe mode first copying whatever would read
 * differently).  Both copy with plain reads and writes in the main
 * loop; there are no block jobs yet.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/units.h"

#define BACKING_BUF_SIZE (2 * MiB)

/* A backend on @bs for copying (write access if @write). */
static BlockBackend *backing_blk(BlockDriverState *bs, bool write,
                                 Error **errp)
{
    uint64_t perm = BLK_PERM_CONSISTENT_READ;

    if (write) {
        if (bdrv_is_read_only(bs) &&
            bdrv_reopen_set_read_only(bs, false, errp) < 0) {
            return NULL;
        }
        perm |= BLK_PERM_WRITE | BLK_PERM_RESIZE;
    }
    return blk_new_with_bs(bs, perm, BLK_PERM_ALL, errp);
}

/*
 * Copy one range allocated above @base: ranges that read as zero become
 * zero writes (unmapping in @dst where possible), others are copied.
 * *pnum may shrink to the part with one status.
 */
static int commit_range(BlockBackend *top, BlockDriverState *base,
                        BlockBackend *dst, int64_t offset, int64_t *pnum,
                        uint8_t *buf)
{
    int ret;

    bdrv_graph_rdlock_main_loop();
    ret = bdrv_block_status_above(blk_bs(top), base, offset, *pnum, pnum,
                                  NULL, NULL);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        return ret;
    }
    if (ret & BDRV_BLOCK_ZERO) {
        return blk_pwrite_zeroes(dst, offset, *pnum, BDRV_REQ_MAY_UNMAP);
    }
    ret = blk_pread(top, offset, *pnum, buf, 0);
    if (ret < 0) {
        return ret;
    }
    return blk_pwrite(dst, offset, *pnum, buf, 0);
}

/* Copy every range allocated above @base in @top's chain into @dst. */
static int commit_copy(BlockBackend *top, BlockDriverState *base,
                       BlockBackend *dst, int64_t size, bool quiet)
{
    g_autofree uint8_t *buf = g_malloc(BACKING_BUF_SIZE);
    int64_t offset = 0, pnum;
    int ret;

    while (offset < size) {
        bdrv_graph_rdlock_main_loop();
        ret = bdrv_is_allocated_above(blk_bs(top), base, false, offset,
                                      MIN(size - offset, BACKING_BUF_SIZE),
                                      &pnum);
        bdrv_graph_rdunlock_main_loop();
        if (ret < 0) {
            return ret;
        }
        if (ret) {
            ret = commit_range(top, base, dst, offset, &pnum, buf);
            if (ret < 0) {
                return ret;
            }
        }
        offset += pnum;
        qemu_progress_print(100.0f * pnum / size, 100);
    }
    return blk_flush(dst);
}

static int commit_run(BlockBackend *blk, const char *base_name, bool drop,
                      bool quiet)
{
    BlockDriverState *bs = blk_bs(blk), *base;
    Error *local_err = NULL;
    BlockBackend *dst;
    int64_t size = blk_getlength(blk);
    int ret;

    bdrv_graph_rdlock_main_loop();
    base = bdrv_backing_chain_next(bs);
    bdrv_graph_rdunlock_main_loop();
    if (!base) {
        error_report("Image does not have a backing file");
        return -ENOTSUP;
    }
    if (base_name) {
        base = bdrv_find_backing_image(bs, base_name);
        if (!base) {
            error_report("Did not find '%s' in the backing chain of '%s'",
                         base_name, bs->filename);
            return -ENOENT;
        }
    }
    dst = backing_blk(base, true, &local_err);
    if (!dst) {
        error_report_err(local_err);
        return -EPERM;
    }
    if (blk_getlength(dst) < size &&
        blk_truncate(dst, size, false, PREALLOC_MODE_OFF, 0,
                     &local_err) < 0) {
        error_report_err(local_err);
        blk_unref(dst);
        return -EINVAL;
    }
    ret = commit_copy(blk, base, dst, size, quiet);
    blk_unref(dst);
    if (ret < 0) {
        error_report("Block job failed: %s", strerror(-ret));
        return ret;
    }
    if (drop) {
        ret = blk_make_empty(blk, &local_err);
        if (ret == -ENOTSUP) {
            /* Formats that cannot empty themselves keep their data. */
            error_free(local_err);
        } else if (ret < 0) {
            error_report_err(local_err);
            return ret;
        }
    }
    return 0;
}

int img_commit(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *cache = "writeback", *base = NULL;
    bool quiet = false, progress = false, drop = true, image_opts = false;
    int flags = BDRV_O_RDWR | BDRV_O_UNMAP, c, ret;
    BlockBackend *blk;

    while ((c = getopt_long(argc, argv, ":f:ht:b:dpqr:", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 't': cache = optarg; break;
        case 'b': base = optarg; drop = false; break;
        case 'd': drop = false; break;
        case 'p': progress = true; break;
        case 'q': quiet = true; break;
        case 'r':
            if (img_parse_size(optarg, "rate limit") < 0) {
                return EXIT_FAILURE;
            }
            break;
        case OPTION_IMAGE_OPTS: image_opts = true; break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    if (optind != argc - 1) {
        error_exit("Expecting one image file name");
    }
    blk = img_open_cache(image_opts, argv[optind], fmt, flags, cache, quiet,
                         false);
    if (!blk) {
        return EXIT_FAILURE;
    }
    qemu_progress_init(progress && !quiet, 1.0);
    qemu_progress_print(0, 100);
    ret = commit_run(blk, base, drop, quiet);
    qemu_progress_end();
    blk_unref(blk);
    if (ret < 0) {
        return EXIT_FAILURE;
    }
    qprintf(quiet, "Image committed.\n");
    return EXIT_SUCCESS;
}

/* --- rebase ------------------------------------------------------------ */

/*
 * Safe rebase: wherever @blk does not have its own data, copy in what
 * the old chain (@old, may be NULL) shows if the new backing (@new, may
 * be NULL) would show something else.
 */
static int rebase_copy(BlockBackend *blk, BlockBackend *old,
                       BlockBackend *new)
{
    g_autofree uint8_t *a = g_malloc(BACKING_BUF_SIZE);
    g_autofree uint8_t *b = g_malloc(BACKING_BUF_SIZE);
    int64_t size = blk_getlength(blk), offset = 0, pnum;
    int64_t old_size = old ? blk_getlength(old) : 0;
    int64_t new_size = new ? blk_getlength(new) : 0;
    int ret;

    while (offset < size) {
        int64_t n;

        bdrv_graph_rdlock_main_loop();
        ret = bdrv_is_allocated(blk_bs(blk), offset,
                                MIN(size - offset, BACKING_BUF_SIZE), &pnum);
        bdrv_graph_rdunlock_main_loop();
        if (ret < 0) {
            return ret;
        }
        n = pnum;
        if (!ret) {
            memset(a, 0, n);
            memset(b, 0, n);
            if (offset < old_size) {
                ret = blk_pread(old, offset, MIN(n, old_size - offset), a, 0);
            }
            if (ret >= 0 && offset < new_size) {
                ret = blk_pread(new, offset, MIN(n, new_size - offset), b, 0);
            }
            if (ret >= 0 && memcmp(a, b, n)) {
                ret = blk_pwrite(blk, offset, n, a, 0);
            }
            if (ret < 0) {
                return ret;
            }
        }
        offset += n;
        qemu_progress_print(100.0f * n / size, 100);
    }
    return 0;
}

/* The backend for the new backing file, relative to the image. */
static BlockBackend *rebase_open_new(BlockDriverState *bs, const char *name,
                                     const char *fmt)
{
    g_autofree char *path = NULL;

    if (path_has_protocol(name) || path_is_absolute(name)) {
        path = g_strdup(name);
    } else {
        path = path_combine(bs->filename, name);
    }
    return img_open(false, path, fmt, 0, false, true, true);
}

static int rebase_run(BlockBackend *blk, const char *base, const char *fmt,
                      bool unsafe)
{
    BlockDriverState *bs = blk_bs(blk), *old_bs;
    BlockBackend *old = NULL, *new = NULL;
    Error *local_err = NULL;
    int ret = 0;

    if (!unsafe) {
        bdrv_graph_rdlock_main_loop();
        old_bs = bdrv_cow_bs(bs);
        bdrv_graph_rdunlock_main_loop();
        if (old_bs) {
            old = backing_blk(old_bs, false, &local_err);
            if (!old) {
                error_report_err(local_err);
                return -EIO;
            }
        }
        if (*base) {
            new = rebase_open_new(bs, base, fmt);
            if (!new) {
                blk_unref(old);
                return -EIO;
            }
        }
        ret = rebase_copy(blk, old, new);
        blk_unref(old);
        blk_unref(new);
        if (ret < 0) {
            error_report("Error while rebasing: %s", strerror(-ret));
            return ret;
        }
    }
    bdrv_graph_rdlock_main_loop();
    ret = bdrv_change_backing_file(bs, *base ? base : NULL,
                                   *base ? fmt : NULL, false);
    bdrv_graph_rdunlock_main_loop();
    if (ret == -ENOSPC) {
        error_report("Could not change the backing file to '%s': No space "
                     "left in the file header", base);
    } else if (ret < 0) {
        error_report("Could not change the backing file to '%s': %s",
                     base, strerror(-ret));
    }
    return ret;
}

int img_rebase(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *base_fmt = NULL, *base = NULL;
    const char *cache = "writeback";
    bool quiet = false, progress = false, unsafe = false, image_opts = false;
    int flags, c, ret;
    BlockBackend *blk;

    while ((c = getopt_long(argc, argv, ":hf:F:b:upt:T:qU", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'F': base_fmt = optarg; break;
        case 'b': base = optarg; break;
        case 'u': unsafe = true; break;
        case 'p': progress = true; break;
        case 't': cache = optarg; break;
        case 'T': break;
        case 'q': quiet = true; break;
        case 'U': break;
        case OPTION_IMAGE_OPTS: image_opts = true; break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    if (optind != argc - 1) {
        error_exit("Expecting one image file name");
    }
    if (!unsafe && !base) {
        error_exit("Must specify backing file (-b) or use unsafe mode (-u)");
    }
    flags = BDRV_O_RDWR | (unsafe ? BDRV_O_NO_BACKING : 0);
    blk = img_open_cache(image_opts, argv[optind], fmt, flags, cache, quiet,
                         false);
    if (!blk) {
        return EXIT_FAILURE;
    }
    qemu_progress_init(progress && !quiet, 2.0);
    qemu_progress_print(0, 100);
    ret = rebase_run(blk, base ? base : "", base_fmt, unsafe);
    qemu_progress_end();
    blk_unref(blk);
    return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
