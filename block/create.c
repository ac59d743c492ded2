/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * create.c: creating and deleting images.
 *
 * bdrv_co_create() runs a driver's .bdrv_co_create_opts;
 * bdrv_co_create_file() does it for the protocol named by a filename with
 * only the protocol's options; bdrv_img_create() is the whole of
 * "qemu-img create": option lists of format and protocol merged, backing
 * file checks (its format is required; its size is the default size), the
 * "Formatting ..." line, creation.  bdrv_co_create_opts_simple() serves
 * drivers that cannot create anything: the image must exist already.
 * Deleting is the driver's business.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "sysemu/block-backend.h"

int coroutine_fn bdrv_co_create(BlockDriver *drv, const char *filename,
                                QemuOpts *opts, Error **errp)
{
    ERRP_GUARD();
    int ret;

    if (!drv->bdrv_co_create_opts) {
        error_setg(errp, "Driver '%s' does not support image creation",
                   drv->format_name);
        return -ENOTSUP;
    }
    ret = drv->bdrv_co_create_opts(drv, filename, opts, errp);
    if (ret < 0 && !*errp) {
        error_setg_errno(errp, -ret, "Could not create image");
    }
    return ret;
}

int coroutine_fn bdrv_co_create_file(const char *filename, QemuOpts *opts,
                                     Error **errp)
{
    QemuOpts *protocol_opts;
    BlockDriver *drv;
    QDict *qdict;
    int ret;

    drv = bdrv_find_protocol(filename, true, errp);
    if (!drv) {
        return -ENOENT;
    }
    if (!drv->create_opts) {
        error_setg(errp, "Driver '%s' does not support image creation",
                   drv->format_name);
        return -ENOTSUP;
    }

    /*
     * @opts may mix format and protocol options: hand the protocol driver
     * only the ones it knows (with the values given), the others stay.
     */
    qdict = qemu_opts_to_qdict_filtered(opts, NULL, drv->create_opts, true);
    protocol_opts = qemu_opts_from_qdict(drv->create_opts, qdict, errp);
    if (!protocol_opts) {
        ret = -EINVAL;
    } else {
        ret = bdrv_co_create(drv, filename, protocol_opts, errp);
        qemu_opts_del(protocol_opts);
    }
    qobject_unref(qdict);
    return ret;
}

int coroutine_fn bdrv_co_delete_file(BlockDriverState *bs, Error **errp)
{
    Error *local_err = NULL;
    int ret;

    IO_CODE();
    assert(bs);
    if (!bs->drv) {
        error_setg(errp, "Block node '%s' is not opened", bs->filename);
        return -ENOMEDIUM;
    }
    if (!bs->drv->bdrv_co_delete_file) {
        error_setg(errp, "Driver '%s' does not support image deletion",
                   bs->drv->format_name);
        return -ENOTSUP;
    }
    ret = bs->drv->bdrv_co_delete_file(bs, &local_err);
    if (ret < 0) {
        error_propagate(errp, local_err);
    }
    return ret;
}

void coroutine_fn bdrv_co_delete_file_noerr(BlockDriverState *bs)
{
    Error *local_err = NULL;
    int ret;

    IO_CODE();
    if (!bs) {
        return;
    }
    ret = bdrv_co_delete_file(bs, &local_err);
    /* Drivers that cannot delete are no news worth telling. */
    if (ret == -ENOTSUP) {
        error_free(local_err);
    } else if (ret < 0) {
        error_report_err(local_err);
    }
}


/* --- qemu-img create -------------------------------------------------- */

/*
 * @backing_file as seen from the image @filename: names with a protocol
 * or absolute ones as they are, relative ones from @filename's directory.
 */
static char *bdrv_backing_name_from(const char *filename,
                                    const char *backing_file, Error **errp)
{
    if (path_has_protocol(backing_file) || path_is_absolute(backing_file)) {
        return g_strdup(backing_file);
    }
    if (g_str_has_prefix(filename, "json:")) {
        error_setg(errp, "Cannot use relative backing file names for '%s'",
                   filename);
        return NULL;
    }
    return path_combine(filename, backing_file);
}

/*
 * The format driver @fmt and the protocol driver for @filename, and the
 * union of their creation options; NULL with @errp set if either is
 * missing or cannot create images.
 */
static QemuOptsList *img_create_opts(const char *filename, const char *fmt,
                                     BlockDriver **pdrv, Error **errp)
{
    BlockDriver *drv, *proto_drv;
    QemuOptsList *list;

    drv = bdrv_find_format(fmt);
    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", fmt);
        return NULL;
    }
    proto_drv = bdrv_find_protocol(filename, true, errp);
    if (!proto_drv) {
        return NULL;
    }
    if (!drv->create_opts) {
        error_setg(errp, "Format driver '%s' does not support image "
                   "creation", drv->format_name);
        return NULL;
    }
    if (!proto_drv->create_opts) {
        error_setg(errp, "Protocol driver '%s' does not support image "
                   "creation", proto_drv->format_name);
        return NULL;
    }
    list = qemu_opts_append(NULL, drv->create_opts);
    list = qemu_opts_append(list, proto_drv->create_opts);
    *pdrv = drv;
    return list;
}

/* Put -o, the size and -b/-F into @opts. */
static bool img_create_fill_opts(QemuOpts *opts, const char *fmt,
                                 const char *base_filename,
                                 const char *base_fmt, const char *options,
                                 uint64_t img_size, Error **errp)
{
    if (options && !qemu_opts_do_parse(opts, options, NULL, errp)) {
        return false;
    }
    if (!qemu_opt_get(opts, BLOCK_OPT_SIZE)) {
        qemu_opt_set_number(opts, BLOCK_OPT_SIZE, img_size, &error_abort);
    } else if (img_size != UINT64_C(-1)) {
        error_setg(errp, "The image size must be specified only once");
        return false;
    }
    if (base_filename &&
        !qemu_opt_set(opts, BLOCK_OPT_BACKING_FILE, base_filename, NULL)) {
        error_setg(errp, "Backing file not supported for file format '%s'",
                   fmt);
        return false;
    }
    if (base_fmt &&
        !qemu_opt_set(opts, BLOCK_OPT_BACKING_FMT, base_fmt, NULL)) {
        error_setg(errp, "Backing file format not supported for file "
                   "format '%s'", fmt);
        return false;
    }
    return true;
}

/*
 * Open the backing file named in @opts (without I/O, sharing everything)
 * to check it exists, has the given format, and to take its size as the
 * default.  Returns false with @errp set on failure.
 */
static bool img_create_check_backing(const char *filename, QemuOpts *opts,
                                     int flags, int64_t *size, Error **errp)
{
    const char *backing_file = qemu_opt_get(opts, BLOCK_OPT_BACKING_FILE);
    const char *backing_fmt = qemu_opt_get(opts, BLOCK_OPT_BACKING_FMT);
    g_autofree char *full_backing = NULL;
    BlockDriverState *bs;
    QDict *backing_options;
    int back_flags;

    full_backing = bdrv_backing_name_from(filename, backing_file, errp);
    if (!full_backing) {
        return false;
    }

    /* Only metadata is needed, so even encrypted images open. */
    back_flags = flags & ~(BDRV_O_RDWR | BDRV_O_SNAPSHOT | BDRV_O_NO_BACKING);
    back_flags |= BDRV_O_NO_IO;
    backing_options = qdict_new();
    if (backing_fmt) {
        qdict_put_str(backing_options, "driver", backing_fmt);
    }
    qdict_put_bool(backing_options, BDRV_OPT_FORCE_SHARE, true);

    bs = bdrv_open(full_backing, NULL, backing_options, back_flags, errp);
    if (!bs) {
        error_append_hint(errp, "Could not open backing image.\n");
        return false;
    }
    if (!backing_fmt) {
        error_setg(errp, "Backing file specified without backing format");
        error_append_hint(errp, "Detected format of %s.",
                          bs->drv->format_name);
        bdrv_unref(bs);
        return false;
    }
    if (*size == -1) {
        *size = bdrv_getlength(bs);
        if (*size < 0) {
            error_setg_errno(errp, -*size, "Could not get size of '%s'",
                             backing_file);
            bdrv_unref(bs);
            return false;
        }
        qemu_opt_set_number(opts, BLOCK_OPT_SIZE, *size, &error_abort);
    }
    bdrv_unref(bs);
    return true;
}

/* Everything about the backing file that must hold before creating. */
static bool img_create_backing(const char *filename, QemuOpts *opts,
                               int flags, int64_t *size, Error **errp)
{
    const char *backing_file = qemu_opt_get(opts, BLOCK_OPT_BACKING_FILE);

    if (!backing_file) {
        return true;
    }
    if (!strcmp(filename, backing_file)) {
        error_setg(errp, "Error: Trying to create an image with the same "
                   "filename as the backing file");
        return false;
    }
    if (!backing_file[0]) {
        error_setg(errp, "Expected backing file name, got empty string");
        return false;
    }
    if (!(flags & BDRV_O_NO_BACKING)) {
        return img_create_check_backing(filename, opts, flags, size, errp);
    }
    if (!qemu_opt_get(opts, BLOCK_OPT_BACKING_FMT)) {
        error_setg(errp, "Backing file specified without backing format");
        return false;
    }
    return true;
}

void bdrv_img_create(const char *filename, const char *fmt,
                     const char *base_filename, const char *base_fmt,
                     char *options, uint64_t img_size, int flags,
                     bool quiet, Error **errp)
{
    ERRP_GUARD();
    QemuOptsList *create_opts;
    QemuOpts *opts;
    BlockDriver *drv = NULL;
    int64_t size;
    int ret;

    GLOBAL_STATE_CODE();
    create_opts = img_create_opts(filename, fmt, &drv, errp);
    if (!create_opts) {
        return;
    }
    opts = qemu_opts_create(create_opts, NULL, 0, &error_abort);

    if (!img_create_fill_opts(opts, fmt, base_filename, base_fmt, options,
                              img_size, errp)) {
        goto out;
    }
    size = qemu_opt_get_size(opts, BLOCK_OPT_SIZE, img_size);
    if (!img_create_backing(filename, opts, flags, &size, errp)) {
        goto out;
    }
    if (size == -1) {
        error_setg(errp, "Image creation needs a size parameter");
        goto out;
    }

    if (!quiet) {
        printf("Formatting '%s', fmt=%s ", filename, fmt);
        qemu_opts_print(opts, " ");
        puts("");
        fflush(stdout);
    }

    ret = bdrv_create(drv, filename, opts, errp);
    if (ret == -EFBIG) {
        /* Size is the likely culprit; say so, and hint at clusters. */
        bool cluster = qemu_opt_get_size(opts, BLOCK_OPT_CLUSTER_SIZE, 0);

        error_free(*errp);
        *errp = NULL;
        error_setg(errp, "The image size is too large for file format '%s'"
                   "%s", fmt, cluster ? " (try using a larger cluster size)"
                                      : "");
    }

out:
    qemu_opts_del(opts);
    qemu_opts_free(create_opts);
}

/* --- Creation for drivers that cannot create --------------------------- */

QemuOptsList bdrv_create_opts_simple = {
    .name = "simple-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(bdrv_create_opts_simple.head),
    .desc = {
        {
            .name = BLOCK_OPT_SIZE,
            .type = QEMU_OPT_SIZE,
            .help = "Virtual disk size"
        },
        {
            .name = BLOCK_OPT_PREALLOC,
            .type = QEMU_OPT_STRING,
            .help = "Preallocation mode (allowed values: off)"
        },
        { /* end of list */ }
    }
};

/*
 * "Create" an image that must already exist: open it, make sure it has
 * at least @size bytes (growing it if the driver can) and zero its first
 * sector so that no old format is probed in it.  Main loop, no coroutine.
 */
static int create_simple_sync(BlockDriver *drv, const char *filename,
                              int64_t size, Error **errp)
{
    Error *resize_err = NULL;
    BlockBackend *blk;
    QDict *options = qdict_new();
    int64_t len;
    int ret;

    qdict_put_str(options, "driver", drv->format_name);
    blk = blk_new_open(filename, NULL, options, BDRV_O_RDWR | BDRV_O_RESIZE,
                       errp);
    if (!blk) {
        error_prepend(errp, "Protocol driver '%s' does not support image "
                      "creation, and opening the image failed: ",
                      drv->format_name);
        return -EINVAL;
    }

    ret = blk_truncate(blk, size, false, PREALLOC_MODE_OFF, 0, &resize_err);
    if (ret < 0 && ret != -ENOTSUP) {
        error_propagate(errp, resize_err);
        goto out;
    }
    len = blk_getlength(blk);
    if (len < 0) {
        error_free(resize_err);
        error_setg_errno(errp, -len, "Failed to inquire the new image "
                         "file's length");
        ret = len;
        goto out;
    }
    if (len < size) {
        /* Too small, and it could not be grown. */
        if (!resize_err) {
            error_setg(&resize_err, "Image is smaller than the requested "
                       "size");
        }
        error_propagate(errp, resize_err);
        ret = -ENOTSUP;
        goto out;
    }
    error_free(resize_err);

    ret = len ? blk_pwrite_zeroes(blk, 0, MIN(len, BDRV_SECTOR_SIZE),
                                  BDRV_REQ_MAY_UNMAP) : 0;
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to clear the new image's first "
                         "sector");
    }
out:
    blk_unref(blk);
    return ret < 0 ? ret : 0;
}

typedef struct SimpleCreate {
    Coroutine *co;
    BlockDriver *drv;
    const char *filename;
    int64_t size;
    Error **errp;
    int ret;
} SimpleCreate;

static void create_simple_bh(void *opaque)
{
    SimpleCreate *s = opaque;

    s->ret = create_simple_sync(s->drv, s->filename, s->size, s->errp);
    aio_co_wake(s->co);
}

int coroutine_fn bdrv_co_create_opts_simple(BlockDriver *drv,
                                            const char *filename,
                                            QemuOpts *opts, Error **errp)
{
    g_autofree char *prealloc = NULL;
    SimpleCreate s = {
        .co = qemu_coroutine_self(),
        .drv = drv,
        .filename = filename,
        .errp = errp,
    };

    s.size = qemu_opt_get_size_del(opts, BLOCK_OPT_SIZE, 0);
    prealloc = qemu_opt_get_del(opts, BLOCK_OPT_PREALLOC);
    if (prealloc && strcmp(prealloc, "off")) {
        if (strcmp(prealloc, "metadata") && strcmp(prealloc, "falloc") &&
            strcmp(prealloc, "full")) {
            error_setg(errp, "invalid parameter value: %s", prealloc);
            return -EINVAL;
        }
        error_setg(errp, "Unsupported preallocation mode '%s'", prealloc);
        return -ENOTSUP;
    }

    /* Opening nodes is main-loop work: do it there and wait. */
    aio_bh_schedule_oneshot(qemu_get_aio_context(), create_simple_bh, &s);
    qemu_coroutine_yield();
    return s.ret;
}
