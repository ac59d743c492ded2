/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-amend.c: qemu-img amend for qcow2: changing the compatibility
 * level, lazy refcounts, the refcount width, the virtual size, the
 * backing file and the external data file name of an open image.
 * Runs in the main loop with the graph read lock held.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qemu/cutils.h"
#include "sysemu/block-backend.h"
#include "qcow2.h"

/* Options qemu-img amend accepts (the rest are creation-only). */
QemuOptsList qcow2_amend_opts = {
    .name = "qcow2-amend-opts",
    .head = QTAILQ_HEAD_INITIALIZER(qcow2_amend_opts.head),
    .desc = {
        { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Virtual disk size" },
        { .name = BLOCK_OPT_COMPAT_LEVEL, .type = QEMU_OPT_STRING,
          .help = "Compatibility level (v2 [0.10] or v3 [1.1])" },
        { .name = BLOCK_OPT_BACKING_FILE, .type = QEMU_OPT_STRING,
          .help = "File name of a base image" },
        { .name = BLOCK_OPT_BACKING_FMT, .type = QEMU_OPT_STRING,
          .help = "Image format of the base image" },
        { .name = BLOCK_OPT_DATA_FILE, .type = QEMU_OPT_STRING,
          .help = "File name of an external data file" },
        { .name = BLOCK_OPT_DATA_FILE_RAW, .type = QEMU_OPT_BOOL,
          .help = "The external data file must stay valid as a raw image" },
        { .name = BLOCK_OPT_LAZY_REFCOUNTS, .type = QEMU_OPT_BOOL,
          .help = "Postpone refcount updates" },
        { .name = BLOCK_OPT_REFCOUNT_BITS, .type = QEMU_OPT_NUMBER,
          .help = "Width of a reference count entry in bits" },
        /* LUKS keyslot changes: listed as 7.2 does, refused (no LUKS). */
        { .name = "encrypt.state", .type = QEMU_OPT_STRING,
          .help = "Select new state of affected keyslots (active/inactive)" },
        { .name = "encrypt.keyslot", .type = QEMU_OPT_NUMBER,
          .help = "Select a single keyslot to modify explicitly" },
        { .name = "encrypt.old-secret", .type = QEMU_OPT_STRING,
          .help = "Select all keyslots that match this password" },
        { .name = "encrypt.new-secret", .type = QEMU_OPT_STRING,
          .help = "New secret to set in the matching keyslots. "
                  "Empty string to erase" },
        { .name = "encrypt.iter-time", .type = QEMU_OPT_NUMBER,
          .help = "Time to spend in PBKDF in milliseconds" },
        { /* end of list */ }
    }
};

/* Switch to compat=1.1 (@version 3) or back to 0.10 (@version 2). */
static int GRAPH_RDLOCK amend_version(BlockDriverState *bs, int version,
                                      Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (version == s->qcow_version) {
        return 0;
    }
    if (version == 3) {
        s->qcow_version = 3;
        ret = qcow2_update_header(bs);
        if (ret < 0) {
            s->qcow_version = 2;
            error_setg_errno(errp, -ret, "Failed to update the image header");
        }
        return ret;
    }

    /* Downgrade: nothing version 2 cannot express may be in use. */
    if (s->refcount_order != 4) {
        error_setg(errp, "compat=0.10 requires refcount_bits=16");
        return -ENOTSUP;
    }
    if (has_data_file(bs)) {
        error_setg(errp, "Cannot downgrade an image with a data file");
        return -ENOTSUP;
    }
    if (has_subclusters(s)) {
        error_setg(errp, "Cannot downgrade an image with extended L2 "
                   "entries");
        return -ENOTSUP;
    }
    if (s->compression_type != QCOW2_COMPRESSION_TYPE_ZLIB) {
        error_setg(errp, "Cannot downgrade an image with a compression "
                   "type other than zlib");
        return -ENOTSUP;
    }
    ret = qcow2_mark_clean(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to make the image clean");
        return ret;
    }
    ret = qcow2_expand_zero_clusters(bs, NULL, NULL);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to turn zero into data "
                         "clusters");
        return ret;
    }
    s->qcow_version = 2;
    s->compatible_features = 0;
    s->autoclear_features = 0;
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        s->qcow_version = 3;
        error_setg_errno(errp, -ret, "Failed to update the image header");
    }
    return ret;
}

static int GRAPH_RDLOCK amend_lazy_refcounts(BlockDriverState *bs, bool on,
                                             Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (on == !!(s->compatible_features & QCOW2_COMPAT_LAZY_REFCOUNTS)) {
        return 0;
    }
    if (on && s->qcow_version < 3) {
        error_setg(errp, "Lazy refcounts only supported with compatibility "
                   "level 1.1 and above (use compat=1.1 or greater)");
        return -EINVAL;
    }
    if (!on) {
        ret = qcow2_mark_clean(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to make the image clean");
            return ret;
        }
        s->compatible_features &= ~QCOW2_COMPAT_LAZY_REFCOUNTS;
    } else {
        s->compatible_features |= QCOW2_COMPAT_LAZY_REFCOUNTS;
    }
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        s->compatible_features ^= QCOW2_COMPAT_LAZY_REFCOUNTS;
        error_setg_errno(errp, -ret, "Failed to update the image header");
        return ret;
    }
    s->use_lazy_refcounts = on;
    return 0;
}

static int GRAPH_RDLOCK amend_size(BlockDriverState *bs, uint64_t size,
                                   Error **errp)
{
    BlockBackend *blk;
    int ret;

    blk = blk_new_with_bs(bs, BLK_PERM_RESIZE, BLK_PERM_ALL, errp);
    if (!blk) {
        return -EPERM;
    }
    ret = blk_truncate(blk, size, false, PREALLOC_MODE_OFF, 0, errp);
    blk_unref(blk);
    return ret;
}

/* qemu_opt_foreach() callback: stop at the first "encrypt.*" option. */
static int is_encrypt_opt(void *opaque, const char *name, const char *value,
                          Error **errp)
{
    return g_str_has_prefix(name, "encrypt.");
}

/* Check option combinations before changing anything. */
static int amend_check(BlockDriverState *bs, QemuOpts *opts, int version,
                       Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    const char *data_file = qemu_opt_get(opts, BLOCK_OPT_DATA_FILE);
    uint64_t bits = qemu_opt_get_number(opts, BLOCK_OPT_REFCOUNT_BITS,
                                        s->refcount_bits);

    if (qemu_opt_foreach(opts, is_encrypt_opt, NULL, NULL)) {
        error_setg(errp, "Can't amend encryption options - encryption not "
                   "present");
        return -EINVAL;
    }
    if (data_file && !has_data_file(bs)) {
        error_setg(errp, "data-file can only be set for images that use an "
                   "external data file");
        return -EINVAL;
    }
    if (qemu_opt_get(opts, BLOCK_OPT_DATA_FILE_RAW) &&
        qemu_opt_get_bool(opts, BLOCK_OPT_DATA_FILE_RAW, false) &&
        !data_file_is_raw(bs)) {
        error_setg(errp, "data-file-raw cannot be set on existing images");
        return -EINVAL;
    }
    if (bits > 64 || !is_power_of_2(bits)) {
        error_setg(errp, "Refcount width must be a power of two and may not "
                   "exceed 64 bits");
        return -EINVAL;
    }
    if (version < 3 && bits != 16) {
        error_setg(errp, "Refcount widths other than 16 bits require "
                   "compatibility level 1.1 or above (use compat=1.1 or "
                   "greater)");
        return -EINVAL;
    }
    if (version < 3 && qemu_opt_get_bool(opts, BLOCK_OPT_LAZY_REFCOUNTS,
                                         false)) {
        error_setg(errp, "Lazy refcounts only supported with compatibility "
                   "level 1.1 and above (use compat=1.1 or greater)");
        return -EINVAL;
    }
    /* As 7.2: only the values already in the header may be given. */
    if ((qemu_opt_get(opts, BLOCK_OPT_BACKING_FILE) ||
         qemu_opt_get(opts, BLOCK_OPT_BACKING_FMT)) &&
        (g_strcmp0(qemu_opt_get(opts, BLOCK_OPT_BACKING_FILE),
                   s->image_backing_file) ||
         g_strcmp0(qemu_opt_get(opts, BLOCK_OPT_BACKING_FMT),
                   s->image_backing_format))) {
        error_setg(errp, "Cannot amend the backing file");
        error_append_hint(errp, "You can use 'qemu-img rebase' instead.\n");
        return -EINVAL;
    }
    return 0;
}

static int GRAPH_RDLOCK amend_backing(BlockDriverState *bs, QemuOpts *opts,
                                      Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    const char *file = qemu_opt_get(opts, BLOCK_OPT_BACKING_FILE);
    const char *fmt = qemu_opt_get(opts, BLOCK_OPT_BACKING_FMT);
    int ret;

    if (!file && !fmt) {
        return 0;
    }
    if (data_file_is_raw(bs) && file && *file) {
        error_setg(errp, "data-file-raw cannot be used with a backing file");
        return -EINVAL;
    }
    file = file ?: s->image_backing_file;
    fmt = fmt ?: s->image_backing_format;
    g_free(s->image_backing_file);
    g_free(s->image_backing_format);
    s->image_backing_file = file && *file ? g_strdup(file) : NULL;
    s->image_backing_format = fmt && *fmt && s->image_backing_file ?
                              g_strdup(fmt) : NULL;
    pstrcpy(bs->backing_file, sizeof(bs->backing_file),
            s->image_backing_file ?: "");
    pstrcpy(bs->backing_format, sizeof(bs->backing_format),
            s->image_backing_format ?: "");
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to change the backing file");
    }
    return ret;
}

int qcow2_amend_options(BlockDriverState *bs, QemuOpts *opts,
                        BlockDriverAmendStatusCB *status_cb, void *cb_opaque,
                        bool force, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    const char *compat = qemu_opt_get(opts, BLOCK_OPT_COMPAT_LEVEL);
    const char *data_file = qemu_opt_get(opts, BLOCK_OPT_DATA_FILE);
    int version = s->qcow_version;
    int ret;

    if (compat) {
        if (!strcmp(compat, "0.10") || !strcmp(compat, "v2")) {
            version = 2;
        } else if (!strcmp(compat, "1.1") || !strcmp(compat, "v3")) {
            version = 3;
        } else {
            error_setg(errp, "Unknown compatibility level %s", compat);
            return -EINVAL;
        }
    }
    ret = amend_check(bs, opts, version, errp);
    if (ret < 0) {
        return ret;
    }

    /* Upgrade first, downgrade last: each step sees a valid image. */
    if (version > s->qcow_version) {
        ret = amend_version(bs, version, errp);
        if (ret < 0) {
            return ret;
        }
    }
    if (qemu_opt_get(opts, BLOCK_OPT_LAZY_REFCOUNTS)) {
        ret = amend_lazy_refcounts(bs, qemu_opt_get_bool(opts,
                                   BLOCK_OPT_LAZY_REFCOUNTS, false), errp);
        if (ret < 0) {
            return ret;
        }
    }
    if (qemu_opt_get(opts, BLOCK_OPT_REFCOUNT_BITS)) {
        int order = ctz32(qemu_opt_get_number(opts, BLOCK_OPT_REFCOUNT_BITS,
                                              16));
        if (order != s->refcount_order) {
            ret = qcow2_change_refcount_order(bs, order, status_cb, cb_opaque,
                                              errp);
            if (ret < 0) {
                return ret;
            }
        }
    }
    if (data_file) {
        g_free(s->image_data_file);
        s->image_data_file = *data_file ? g_strdup(data_file) : NULL;
        ret = qcow2_update_header(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to update the image header");
            return ret;
        }
    }
    ret = amend_backing(bs, opts, errp);
    if (ret < 0) {
        return ret;
    }
    if (qemu_opt_get(opts, BLOCK_OPT_SIZE)) {
        uint64_t size = qemu_opt_get_size(opts, BLOCK_OPT_SIZE, 0);

        if (size != bs->total_sectors * BDRV_SECTOR_SIZE) {
            ret = amend_size(bs, size, errp);
            if (ret < 0) {
                return ret;
            }
        }
    }
    if (version < s->qcow_version) {
        ret = amend_version(bs, version, errp);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}
