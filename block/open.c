/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * open.c: opening nodes.
 *
 * bdrv_open() and friends turn a filename and/or an option QDict into a
 * node: "json:" filenames, driver selection (explicit, by protocol prefix,
 * or by probing the image), applying the runtime options every node has,
 * opening the "file" and "backing" children, and the final check that
 * every option was used.
 *
 * The runtime options themselves and option inheritance are in
 * block/open-opts.c.
 */
#include "qemu/osdep.h"
#include "trace/trace-block.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "block/qdict.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "sysemu/block-backend.h"

/* --- Filenames and driver selection ----------------------------------- */

/*
 * Merge the options of a "json:{...}" @filename into @options (explicit
 * options win) and clear *filename; other filenames are left alone.
 */
static int bdrv_merge_json_filename(const char **filename, QDict *options,
                                    Error **errp)
{
    QObject *obj;
    QDict *json;

    if (!*filename || !g_str_has_prefix(*filename, "json:")) {
        return 0;
    }
    obj = qobject_from_json(*filename + strlen("json:"), errp);
    if (!obj) {
        error_prepend(errp, "Could not parse the JSON options: ");
        return -EINVAL;
    }
    json = qobject_to(QDict, obj);
    if (!json) {
        qobject_unref(obj);
        error_setg(errp, "Invalid JSON object given");
        return -EINVAL;
    }
    qdict_flatten(json);
    qdict_join(options, json, false);
    qobject_unref(json);
    *filename = NULL;
    return 0;
}

/*
 * Put @filename into @options and pick the driver if the node is to be
 * a protocol node (BDRV_O_PROTOCOL in *flags, or an explicit protocol
 * driver); formats without a "driver" option are probed later.
 */
static int bdrv_fill_options(QDict *options, const char *filename,
                             int *flags, Error **errp)
{
    const char *drvname = qdict_get_try_str(options, "driver");
    bool protocol = *flags & BDRV_O_PROTOCOL;
    bool parse_filename = false;
    BlockDriver *drv = NULL;
    g_autofree char *fname = NULL;
    Error *local_err = NULL;

    if (drvname) {
        drv = bdrv_find_format(drvname);
        if (!drv) {
            error_setg(errp, "Unknown driver '%s'", drvname);
            return -ENOENT;
        }
        /* An explicit driver decides what kind of node this is. */
        protocol = drv->bdrv_file_open != NULL;
    }
    if (protocol) {
        *flags |= BDRV_O_PROTOCOL;
    } else {
        *flags &= ~BDRV_O_PROTOCOL;
    }
    /* Flags the caller passed become defaults of the matching options. */
    bdrv_update_options_from_flags(options, *flags);

    if (protocol && filename) {
        if (qdict_haskey(options, "filename")) {
            error_setg(errp, "Can't specify 'file' and 'filename' options at "
                       "the same time");
            return -EINVAL;
        }
        qdict_put_str(options, "filename", filename);
        parse_filename = true;
    }

    fname = g_strdup(qdict_get_try_str(options, "filename"));
    if (!drvname && protocol) {
        if (!fname) {
            error_setg(errp, "Must specify either driver or file");
            return -EINVAL;
        }
        drv = bdrv_find_protocol(fname, parse_filename, errp);
        if (!drv) {
            return -EINVAL;
        }
        qdict_put_str(options, "driver", drv->format_name);
    }
    assert(drv || !protocol);

    if (drv && drv->bdrv_parse_filename && parse_filename) {
        drv->bdrv_parse_filename(fname, options, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            return -EINVAL;
        }
        if (!drv->bdrv_needs_filename) {
            qdict_del(options, "filename");
        }
    }
    return 0;
}

/* Choose the format of the image behind @file by its first bytes. */
static BlockDriver *bdrv_probe_format(BlockBackend *file, const char *filename,
                                      Error **errp)
{
    uint8_t buf[BLOCK_PROBE_BUF_SIZE];
    BlockDriver *drv;
    int ret;

    if (blk_is_sg(file) || !blk_is_inserted(file) ||
        blk_getlength(file) == 0) {
        drv = bdrv_find_format("raw");
        if (!drv) {
            error_setg(errp, "Unknown driver 'raw'");
        }
        return drv;
    }

    memset(buf, 0, sizeof(buf));
    ret = blk_pread(file, 0, sizeof(buf), buf, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read image for determining "
                         "its format");
        return NULL;
    }
    drv = bdrv_probe_all(buf, sizeof(buf), filename);
    if (!drv) {
        error_setg(errp, "Could not determine image format: No compatible "
                   "driver found");
    }
    return drv;
}

/* --- Opening the driver ----------------------------------------------- */

/*
 * Give @bs its name and driver state and run the driver's open.  On
 * failure the node has no driver again (children it opened stay until
 * the node is closed).
 */
static int bdrv_open_driver(BlockDriverState *bs, BlockDriver *drv,
                            const char *node_name, QDict *options,
                            int open_flags, Error **errp)
{
    Error *local_err = NULL;
    int ret;

    ret = bdrv_assign_node_name(bs, node_name, errp);
    if (ret < 0) {
        return ret;
    }

    bs->drv = drv;
    bs->opaque = g_malloc0(drv->instance_size);
    if (drv->bdrv_file_open) {
        assert(!drv->bdrv_needs_filename || bs->filename[0]);
        ret = drv->bdrv_file_open(bs, options, open_flags, &local_err);
    } else if (drv->bdrv_open) {
        ret = drv->bdrv_open(bs, options, open_flags, &local_err);
    } else {
        ret = 0;
    }

    if (ret < 0) {
        if (local_err) {
            error_propagate(errp, local_err);
        } else if (bs->filename[0]) {
            error_setg_errno(errp, -ret, "Could not open '%s'", bs->filename);
        } else {
            error_setg_errno(errp, -ret, "Could not open image");
        }
        goto open_failed;
    }

    ret = bdrv_refresh_total_sectors(bs, bs->total_sectors);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not refresh total sector count");
        return ret;
    }

    bdrv_graph_rdlock_main_loop();
    bdrv_refresh_limits(bs, NULL, &local_err);
    bdrv_graph_rdunlock_main_loop();
    if (local_err) {
        error_propagate(errp, local_err);
        return -EINVAL;
    }

    /* A node opened inside drained sections: tell the driver (B3). */
    for (int i = 0; i < bs->quiesce_counter; i++) {
        if (drv->bdrv_drain_begin) {
            drv->bdrv_drain_begin(bs);
        }
    }
    return 0;

open_failed:
    bs->drv = NULL;
    if (bs->file) {
        bdrv_graph_wrlock();
        bdrv_unref_child(bs, bs->file);
        bdrv_graph_wrunlock();
    }
    g_free(bs->opaque);
    bs->opaque = NULL;
    return ret;
}

/* Flags the driver gets: without those that only concern the core. */
static int bdrv_open_flags(int flags)
{
    int open_flags = flags;

    open_flags &= ~(BDRV_O_SNAPSHOT | BDRV_O_NO_BACKING | BDRV_O_PROTOCOL);
    if (flags & BDRV_O_TEMPORARY) {
        open_flags |= BDRV_O_RDWR;
    }
    return open_flags;
}

/*
 * Apply the runtime options in @rt to @bs and open its driver with
 * @options (whose remaining keys the driver consumes).
 */
static int bdrv_open_common(BlockDriverState *bs, BlockBackend *file,
                            QDict *options, Error **errp)
{
    g_autoptr(QDict) rt = bdrv_runtime_opts_extract(options);
    const char *node_name, *driver_name, *discard, *filename;
    BlockDriver *drv;
    bool force_share;

    if (!bdrv_opt_get_str(rt, "node-name", &node_name, errp) ||
        !bdrv_opt_get_str(rt, "driver", &driver_name, errp) ||
        !bdrv_opt_get_str(rt, BDRV_OPT_DISCARD, &discard, errp) ||
        !bdrv_opts_update_flags(rt, &bs->open_flags, errp) ||
        !bdrv_opt_get_bool(rt, BDRV_OPT_FORCE_SHARE, false, &force_share,
                           errp)) {
        return -EINVAL;
    }
    assert(driver_name);
    drv = bdrv_find_format(driver_name);
    assert(drv);

    bs->force_share = force_share;
    if (force_share && (bs->open_flags & BDRV_O_RDWR)) {
        error_setg(errp, BDRV_OPT_FORCE_SHARE
                   "=on can only be used with read-only images");
        return -EINVAL;
    }

    if (file) {
        bdrv_graph_rdlock_main_loop();
        bdrv_refresh_filename(blk_bs(file));
        bdrv_graph_rdunlock_main_loop();
        filename = blk_bs(file)->filename;
    } else {
        filename = qdict_get_try_str(options, "filename");
    }
    trace_bdrv_open_common(bs, filename ?: "", bs->open_flags,
                           drv->format_name);
    if (drv->bdrv_needs_filename && (!filename || !filename[0])) {
        error_setg(errp, "The '%s' block driver requires a file name",
                   drv->format_name);
        return -EINVAL;
    }

    if (discard && bdrv_parse_discard_flags(discard, &bs->open_flags)) {
        error_setg(errp, "Invalid discard option");
        return -EINVAL;
    }
    if (!bdrv_opt_get_detect_zeroes(rt, bs->open_flags, &bs->detect_zeroes,
                              errp)) {
        return -EINVAL;
    }
    /* BDRV_O_COPY_ON_READ (e.g. qemu-io -C): reads copy up into @bs. */
    if (bs->open_flags & BDRV_O_COPY_ON_READ) {
        if (bdrv_is_read_only(bs)) {
            error_setg(errp, "Can't use copy-on-read on read-only device");
            return -EINVAL;
        }
        bdrv_enable_copy_on_read(bs);
    }

    pstrcpy(bs->filename, sizeof(bs->filename), filename ?: "");
    pstrcpy(bs->exact_filename, sizeof(bs->exact_filename), bs->filename);

    return bdrv_open_driver(bs, drv, node_name, options,
                            bdrv_open_flags(bs->open_flags), errp);
}

BlockDriverState *bdrv_new_open_driver_opts(BlockDriver *drv,
                                            const char *node_name,
                                            QDict *options, int flags,
                                            Error **errp)
{
    BlockDriverState *bs;

    GLOBAL_STATE_CODE();
    bdrv_flush_pending_unrefs();
    bs = bdrv_new();
    bs->open_flags = flags;
    bs->options = options ?: qdict_new();
    bs->explicit_options = qdict_clone_shallow(bs->options);
    bdrv_update_options_from_flags(bs->options, flags);

    if (bdrv_open_driver(bs, drv, node_name, bs->options, flags, errp) < 0) {
        qobject_unref(bs->explicit_options);
        qobject_unref(bs->options);
        bs->explicit_options = NULL;
        bs->options = NULL;
        bdrv_unref(bs);
        return NULL;
    }
    return bs;
}

BlockDriverState *bdrv_new_open_driver(BlockDriver *drv, const char *node_name,
                                       int flags, Error **errp)
{
    GLOBAL_STATE_CODE();
    return bdrv_new_open_driver_opts(drv, node_name, NULL, flags, errp);
}

/* --- Children --------------------------------------------------------- */

static BlockDriverState *bdrv_open_inherit(const char *filename,
                                           const char *reference,
                                           QDict *options, int flags,
                                           BlockDriverState *parent,
                                           const BdrvChildClass *child_class,
                                           BdrvChildRole child_role,
                                           Error **errp);

/*
 * Open the node that @parent's "@bdref_key" option names: a reference to
 * an existing node, or "@bdref_key.*" options, or @filename.  Consumes
 * those keys of @options.  NULL if nothing was given (an error unless
 * @allow_none) or opening failed.
 */
static BlockDriverState *bdrv_open_child_bs(const char *filename,
                                            QDict *options,
                                            const char *bdref_key,
                                            BlockDriverState *parent,
                                            const BdrvChildClass *child_class,
                                            BdrvChildRole child_role,
                                            bool allow_none, Error **errp)
{
    g_autofree char *bdref_key_dot = g_strdup_printf("%s.", bdref_key);
    g_autofree char *reference = NULL;
    BlockDriverState *bs = NULL;
    QDict *image_options;

    qdict_extract_subqdict(options, &image_options, bdref_key_dot);
    reference = g_strdup(qdict_get_try_str(options, bdref_key));
    qdict_del(options, bdref_key);

    if (!filename && !reference && !qdict_size(image_options)) {
        if (!allow_none) {
            error_setg(errp, "A block device must be specified for \"%s\"",
                       bdref_key);
        }
        qobject_unref(image_options);
        return NULL;
    }
    bs = bdrv_open_inherit(filename, reference, image_options, 0, parent,
                           child_class, child_role, errp);
    return bs;
}

BdrvChild *bdrv_open_child(const char *filename, QDict *options,
                           const char *bdref_key,
                           BlockDriverState *parent,
                           const BdrvChildClass *child_class,
                           BdrvChildRole child_role, bool allow_none,
                           Error **errp)
{
    BlockDriverState *bs;
    BdrvChild *child;

    GLOBAL_STATE_CODE();
    bs = bdrv_open_child_bs(filename, options, bdref_key, parent,
                            child_class, child_role, allow_none, errp);
    if (!bs) {
        return NULL;
    }
    bdrv_graph_wrlock();
    child = bdrv_attach_child(parent, bs, bdref_key, child_class, child_role,
                              errp);
    bdrv_graph_wrunlock();
    return child;
}

int bdrv_open_file_child(const char *filename, QDict *options,
                         const char *bdref_key, BlockDriverState *parent,
                         Error **errp)
{
    BdrvChildRole role;

    assert(!parent->drv->filtered_child_is_backing);
    role = parent->drv->is_filter ? BDRV_CHILD_FILTERED : BDRV_CHILD_IMAGE;
    if (!bdrv_open_child(filename, options, bdref_key, parent, &child_of_bds,
                         role | BDRV_CHILD_PRIMARY, false, errp)) {
        return -EINVAL;
    }
    return 0;
}

static BdrvChildRole bdrv_backing_role(BlockDriverState *bs)
{
    if (bs->drv && bs->drv->is_filter) {
        return BDRV_CHILD_FILTERED | BDRV_CHILD_PRIMARY;
    }
    return BDRV_CHILD_COW;
}

/*
 * Work out what to open as the backing file: a reference, explicit
 * options, or the name in the image header.  Returns false if there is
 * nothing to open (or on error, with @errp set and *ret negative).
 */
static bool bdrv_backing_source(BlockDriverState *bs, QDict *options,
                                const char *reference, char **filename,
                                bool *implicit, int *ret, Error **errp)
{
    *filename = NULL;
    *implicit = false;
    *ret = 0;

    if (reference || qdict_haskey(options, "file.filename")) {
        /* The options say it all. */
    } else if (bs->backing_file[0] == '\0' && qdict_size(options) == 0) {
        return false;
    } else {
        /* Header name without options: the image's own idea of backing. */
        if (qdict_size(options) == 0) {
            *implicit = !strcmp(bs->auto_backing_file, bs->backing_file);
        }
        bdrv_graph_rdlock_main_loop();
        *filename = bdrv_get_full_backing_filename(bs, errp);
        bdrv_graph_rdunlock_main_loop();
        if (!*filename && bs->backing_file[0]) {
            *ret = -EINVAL;
            return false;
        }
    }

    if (!bs->drv || !bs->drv->supports_backing) {
        error_setg(errp, "Driver doesn't support backing files");
        g_free(*filename);
        *filename = NULL;
        *ret = -EINVAL;
        return false;
    }
    return true;
}

int bdrv_open_backing_file(BlockDriverState *bs, QDict *parent_options,
                           const char *bdref_key, Error **errp)
{
    g_autofree char *bdref_key_dot = g_strdup_printf("%s.", bdref_key);
    g_autofree char *backing_filename = NULL;
    g_autoptr(QDict) tmp_parent = NULL;
    BlockDriverState *backing_hd;
    const char *reference;
    QDict *options;
    bool implicit;
    int ret;

    GLOBAL_STATE_CODE();
    bdrv_graph_rdlock_main_loop();
    ret = bs->backing ? 1 : 0;
    bdrv_graph_rdunlock_main_loop();
    if (ret) {
        return 0;
    }
    if (!parent_options) {
        parent_options = tmp_parent = qdict_new();
    }

    bs->open_flags &= ~BDRV_O_NO_BACKING;
    qdict_extract_subqdict(parent_options, &options, bdref_key_dot);
    reference = qdict_get_try_str(parent_options, bdref_key);

    if (!bdrv_backing_source(bs, options, reference, &backing_filename,
                             &implicit, &ret, errp)) {
        qobject_unref(options);
        return ret;
    }
    if (!reference && bs->backing_format[0] &&
        !qdict_haskey(options, "driver")) {
        qdict_put_str(options, "driver", bs->backing_format);
    }

    backing_hd = bdrv_open_inherit(backing_filename, reference, options, 0,
                                   bs, &child_of_bds, bdrv_backing_role(bs),
                                   errp);
    if (!backing_hd) {
        bs->open_flags |= BDRV_O_NO_BACKING;
        error_prepend(errp, "Could not open backing file: ");
        return -EINVAL;
    }

    bdrv_drained_begin(bs);
    bdrv_graph_wrlock();
    if (implicit) {
        bdrv_refresh_filename(backing_hd);
        pstrcpy(bs->auto_backing_file, sizeof(bs->auto_backing_file),
                backing_hd->filename);
    }
    ret = bdrv_set_backing_hd(bs, backing_hd, errp);
    bdrv_graph_wrunlock();
    bdrv_drained_end(bs);
    bdrv_unref(backing_hd);
    if (ret < 0) {
        return ret;
    }
    qdict_del(parent_options, bdref_key);
    return 0;
}

/* --- Temporary overlays (-snapshot) ---------------------------------- */

/*
 * Options and flags of the qcow2 overlay that BDRV_O_SNAPSHOT puts on top
 * of an image: a throw-away file (BDRV_O_TEMPORARY), so no cache safety.
 */
static void bdrv_temp_snapshot_options(int *child_flags, QDict *child_options,
                                       int parent_flags, QDict *parent_options)
{
    *child_flags = (parent_flags & ~BDRV_O_SNAPSHOT) | BDRV_O_TEMPORARY;
    qdict_set_default_str(child_options, BDRV_OPT_CACHE_DIRECT, "off");
    qdict_set_default_str(child_options, BDRV_OPT_CACHE_NO_FLUSH, "on");
    qdict_copy_default(child_options, parent_options, BDRV_OPT_READ_ONLY);
    qdict_copy_default(child_options, parent_options, BDRV_OPT_DISCARD);
    /* Linux AIO wants O_DIRECT, which the overlay does not use. */
    *child_flags &= ~BDRV_O_NATIVE_AIO;
}

/* Create the overlay file for @bs; its name, or NULL with @errp set. */
static char *bdrv_create_temp_overlay(BlockDriverState *bs,
                                      BlockDriver *qcow2, Error **errp)
{
    g_autofree char *tmp = NULL;
    QemuOpts *opts;
    int64_t size;
    int ret;

    size = bdrv_getlength(bs);
    if (size < 0) {
        error_setg_errno(errp, -size, "Could not get image size");
        return NULL;
    }
    tmp = create_tmp_file(errp);
    if (!tmp) {
        return NULL;
    }
    opts = qemu_opts_create(qcow2->create_opts, NULL, 0, &error_abort);
    qemu_opt_set_number(opts, BLOCK_OPT_SIZE, size, &error_abort);
    ret = bdrv_create(qcow2, tmp, opts, errp);
    qemu_opts_del(opts);
    if (ret < 0) {
        error_prepend(errp, "Could not create temporary overlay '%s': ", tmp);
        return NULL;
    }
    return g_steal_pointer(&tmp);
}

/*
 * Put a temporary qcow2 overlay (opened with @flags and @options, which
 * are consumed) on top of @bs and return it; writes go there and vanish
 * with it.
 */
static BlockDriverState *bdrv_append_temp_snapshot(BlockDriverState *bs,
                                                   int flags, QDict *options,
                                                   Error **errp)
{
    BlockDriver *qcow2 = bdrv_find_format("qcow2");
    g_autofree char *tmp = NULL;
    BlockDriverState *overlay;

    if (!qcow2 || !qcow2->create_opts) {
        error_setg(errp, "Unknown driver 'qcow2'");
        qobject_unref(options);
        return NULL;
    }
    tmp = bdrv_create_temp_overlay(bs, qcow2, errp);
    if (!tmp) {
        qobject_unref(options);
        return NULL;
    }
    qdict_put_str(options, "file.driver", "file");
    qdict_put_str(options, "file.filename", tmp);
    qdict_put_str(options, "driver", "qcow2");
    overlay = bdrv_open(NULL, NULL, options, flags, errp);
    if (!overlay) {
        /* The file node may not have got as far as deleting it itself. */
        unlink(tmp);
    } else if (bdrv_append(overlay, bs, errp) < 0) {
        bdrv_unref(overlay);
        overlay = NULL;
    }
    return overlay;
}

/* --- bdrv_open -------------------------------------------------------- */

/*
 * "backing": null (or the deprecated "") means: no backing file at all.
 */
static void bdrv_handle_null_backing(BlockDriverState *bs, QDict *options,
                                     int *flags)
{
    QObject *v = qdict_get(options, "backing");
    const char *s = qdict_get_try_str(options, "backing");

    if (!v || (qobject_type(v) != QTYPE_QNULL && (!s || *s))) {
        return;
    }
    if (s) {
        warn_report("Use of \"backing\": \"\" is deprecated; use "
                    "\"backing\": null instead");
    }
    *flags |= BDRV_O_NO_BACKING;
    qdict_del(bs->explicit_options, "backing");
    qdict_del(options, "backing");
}

/* read-only given as on/true/yes in whatever form? */
static bool options_say_read_only(QDict *options)
{
    g_autoptr(QDict) rt = qdict_new();
    QObject *v = qdict_get(options, BDRV_OPT_READ_ONLY);
    bool ro = false;

    if (v) {
        qdict_put_obj(rt, BDRV_OPT_READ_ONLY, qobject_ref(v));
        bdrv_opt_get_bool(rt, BDRV_OPT_READ_ONLY, false, &ro, NULL);
    }
    return ro;
}

/* Forget child options and references once the children are open. */
static void GRAPH_RDLOCK bdrv_drop_child_options(BlockDriverState *bs)
{
    BdrvChild *child;

    QLIST_FOREACH(child, &bs->children, next) {
        g_autofree char *key_dot = g_strdup_printf("%s.", child->name);

        qdict_extract_subqdict(bs->explicit_options, NULL, key_dot);
        qdict_extract_subqdict(bs->options, NULL, key_dot);
        qdict_del(bs->explicit_options, child->name);
        qdict_del(bs->options, child->name);
    }
}

static void bdrv_warn_probed_raw(BlockDriverState *bs)
{
    BlockDriverState *file_bs;

    if (!bs->probed || bdrv_is_read_only(bs) ||
        strcmp(bs->drv->format_name, "raw")) {
        return;
    }
    bdrv_graph_rdlock_main_loop();
    file_bs = bs->file ? bs->file->bs : bs;
    bdrv_refresh_filename(file_bs);
    bdrv_graph_rdunlock_main_loop();
    error_printf("WARNING: Image format was not specified for '%s' and "
                 "probing guessed raw.\n"
                 "         Automatically detecting the format is dangerous "
                 "for raw images, write operations on block 0 will be "
                 "restricted.\n"
                 "         Specify the 'raw' format explicitly to remove the "
                 "restrictions.\n", file_bs->filename);
}

/*
 * For a format node, open its image file first (as a BlockBackend, so
 * that it can be probed) and leave a reference to it in "file".
 */
static int bdrv_open_image_file(BlockDriverState *bs, const char *filename,
                                QDict *options, BlockBackend **file,
                                Error **errp)
{
    Error *local_err = NULL;
    BlockDriverState *file_bs;

    *file = NULL;
    file_bs = bdrv_open_child_bs(filename, options, "file", bs,
                                 &child_of_bds, BDRV_CHILD_IMAGE, true,
                                 &local_err);
    if (local_err) {
        error_propagate(errp, local_err);
        return -EINVAL;
    }
    if (!file_bs) {
        return 0;
    }
    *file = blk_new_with_bs(file_bs, 0, BLK_PERM_ALL, errp);
    bdrv_unref(file_bs);
    if (!*file) {
        return -EINVAL;
    }
    qdict_put_str(options, "file", bdrv_get_node_name(file_bs));
    return 0;
}

/* Refuse leftover options that no driver took. */
static int bdrv_check_unused_options(BlockDriverState *bs, QDict *options,
                                     int flags, Error **errp)
{
    const QDictEntry *entry = qdict_first(options);

    if (!entry) {
        return 0;
    }
    if (flags & BDRV_O_PROTOCOL) {
        error_setg(errp, "Block protocol '%s' doesn't support the option "
                   "'%s'", bs->drv->format_name, entry->key);
    } else {
        error_setg(errp, "Block format '%s' does not support the option "
                   "'%s'", bs->drv->format_name, entry->key);
    }
    return -EINVAL;
}

static BlockDriverState *bdrv_open_reference(const char *filename,
                                             const char *reference,
                                             QDict *options, Error **errp)
{
    bool have_options = options && qdict_size(options);
    BlockDriverState *bs;

    qobject_unref(options);
    if (filename || have_options) {
        error_setg(errp, "Cannot reference an existing block device with "
                   "additional options or a new filename");
        return NULL;
    }
    bs = bdrv_lookup_bs(reference, reference, errp);
    if (bs) {
        bdrv_ref(bs);
    }
    return bs;
}

/* Set up options and flags before anything is opened. */
static int bdrv_open_prepare(BlockDriverState *bs, const char **filename,
                             QDict *options, int *flags,
                             BlockDriverState *parent,
                             const BdrvChildClass *child_class,
                             BdrvChildRole child_role, int *snapshot_flags,
                             QDict **snapshot_options, Error **errp)
{
    int ret;

    ret = bdrv_merge_json_filename(filename, options, errp);
    if (ret < 0) {
        return ret;
    }
    bs->explicit_options = qdict_clone_shallow(options);

    if (child_class) {
        bool parent_is_format = parent->drv ? parent->drv->is_format : true;

        bs->inherits_from = parent;
        child_class->inherit_options(child_role, parent_is_format, flags,
                                     options, parent->open_flags,
                                     parent->options);
    }

    ret = bdrv_fill_options(options, *filename, flags, errp);
    if (ret < 0) {
        return ret;
    }

    if (options_say_read_only(options)) {
        *flags &= ~BDRV_O_RDWR;
    } else {
        *flags |= BDRV_O_RDWR | BDRV_O_ALLOW_RDWR;
    }

    if (*flags & BDRV_O_SNAPSHOT) {
        /* The image itself is opened like a backing file of the overlay. */
        *snapshot_options = qdict_new();
        bdrv_temp_snapshot_options(snapshot_flags, *snapshot_options, *flags,
                                   options);
        qdict_del(options, BDRV_OPT_READ_ONLY);
        bdrv_inherited_options(BDRV_CHILD_COW, true, flags, options, *flags,
                               options);
    }
    bdrv_handle_null_backing(bs, options, flags);
    return 0;
}

/*
 * After the driver opened @bs: its backing file, then forgetting the
 * children's options, then refusing options nobody used.
 */
static int bdrv_open_finish(BlockDriverState *bs, QDict *options, int flags,
                            Error **errp)
{
    int ret;

    if (!(flags & BDRV_O_NO_BACKING)) {
        ret = bdrv_open_backing_file(bs, options, "backing", errp);
        if (ret < 0) {
            return ret;
        }
    }
    bdrv_graph_rdlock_main_loop();
    bdrv_drop_child_options(bs);
    bdrv_graph_rdunlock_main_loop();
    return bdrv_check_unused_options(bs, options, flags, errp);
}

/*
 * The driver named in @options, or else the one probing @file finds
 * (then recorded in the options).  NULL with @errp set if neither.
 */
static BlockDriver *bdrv_open_find_driver(BlockDriverState *bs,
                                          BlockBackend *file,
                                          const char *filename,
                                          QDict *options, Error **errp)
{
    const char *drvname = qdict_get_try_str(options, "driver");
    BlockDriver *drv = drvname ? bdrv_find_format(drvname) : NULL;

    bs->probed = !drv;
    if (drv) {
        return drv;
    }
    if (!file) {
        error_setg(errp, "Must specify either driver or file");
        return NULL;
    }
    drv = bdrv_probe_format(file, filename, errp);
    if (drv) {
        qdict_put_str(bs->options, "driver", drv->format_name);
        qdict_put_str(options, "driver", drv->format_name);
    }
    return drv;
}

static BlockDriverState *bdrv_open_inherit(const char *filename,
                                           const char *reference,
                                           QDict *options, int flags,
                                           BlockDriverState *parent,
                                           const BdrvChildClass *child_class,
                                           BdrvChildRole child_role,
                                           Error **errp)
{
    BlockBackend *file = NULL;
    QDict *snapshot_options = NULL;
    int snapshot_flags = 0;
    BlockDriverState *bs;
    BlockDriver *drv;

    assert(!child_class || !flags);
    assert(!child_class == !parent);
    GLOBAL_STATE_CODE();

    if (reference) {
        return bdrv_open_reference(filename, reference, options, errp);
    }

    /* A node whose close is still pending may hold the image we open. */
    bdrv_flush_pending_unrefs();
    bs = bdrv_new();
    options = options ?: qdict_new();
    if (bdrv_open_prepare(bs, &filename, options, &flags, parent,
                          child_class, child_role, &snapshot_flags,
                          &snapshot_options, errp) < 0) {
        goto fail;
    }

    bdrv_update_options_from_flags(options, flags);
    bs->open_flags = flags;
    bs->options = options;
    options = qdict_clone_shallow(options);

    if (!(flags & BDRV_O_PROTOCOL) &&
        bdrv_open_image_file(bs, filename, options, &file, errp) < 0) {
        goto fail;
    }

    drv = bdrv_open_find_driver(bs, file, filename, options, errp);
    if (!drv) {
        goto fail;
    }
    assert(!!(flags & BDRV_O_PROTOCOL) == !!drv->bdrv_file_open);
    assert(!(flags & BDRV_O_PROTOCOL) || !file);

    if (bdrv_open_common(bs, file, options, errp) < 0) {
        goto fail;
    }
    blk_unref(file);
    file = NULL;

    if (bdrv_open_finish(bs, options, flags, errp) < 0) {
        goto close_and_fail;
    }
    qobject_unref(options);
    bdrv_warn_probed_raw(bs);

    if (snapshot_flags) {
        BlockDriverState *overlay;

        overlay = bdrv_append_temp_snapshot(bs, snapshot_flags,
                                            snapshot_options, errp);
        /* The overlay holds the image now; return the overlay. */
        bdrv_unref(bs);
        return overlay;
    }
    return bs;

fail:
    qobject_unref(snapshot_options);
    blk_unref(file);
    qobject_unref(bs->explicit_options);
    qobject_unref(bs->options);
    bs->explicit_options = NULL;
    bs->options = NULL;
    qobject_unref(options);
    bdrv_unref(bs);
    return NULL;

close_and_fail:
    qobject_unref(snapshot_options);
    bdrv_unref(bs);
    qobject_unref(options);
    return NULL;
}

BlockDriverState *bdrv_open(const char *filename, const char *reference,
                            QDict *options, int flags, Error **errp)
{
    GLOBAL_STATE_CODE();
    return bdrv_open_inherit(filename, reference, options, flags, NULL, NULL,
                             0, errp);
}

BlockDriverState *bdrv_insert_node(BlockDriverState *bs, QDict *node_options,
                                   int flags, Error **errp)
{
    BlockDriverState *new_node_bs;
    Error *local_err = NULL;
    int ret;

    GLOBAL_STATE_CODE();
    new_node_bs = bdrv_open(NULL, NULL, node_options, flags, errp);
    if (!new_node_bs) {
        return NULL;
    }

    bdrv_drained_begin(bs);
    bdrv_graph_wrlock();
    ret = bdrv_replace_node(bs, new_node_bs, &local_err);
    bdrv_graph_wrunlock();
    bdrv_drained_end(bs);

    if (ret < 0) {
        error_propagate(errp, local_err);
        bdrv_unref(new_node_bs);
        return NULL;
    }
    return new_node_bs;
}
