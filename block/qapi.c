/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qapi.c: image information for "qemu-img info": collecting an ImageInfo
 * (sizes, cluster size, dirty flag, backing file, snapshots, the format's
 * own details) from an open node, converting it to QObjects with QEMU's
 * key names and order (the JSON output), and the human-readable dump.
 *
 * JSON text order: QDict iterates in QEMU's hash order, and keys that
 * share a bucket come out newest first, so every conversion here inserts
 * members in the schema's declaration order, as QEMU's output visitor
 * does.  Query commands for a running VM do not live here.
 */
#include "qemu/osdep.h"
#include "block/qapi.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "crypto/block-luks.h"

/* --- Freeing ----------------------------------------------------------- */

static void free_qcow2_info(ImageInfoSpecificQCow2 *q)
{
    Qcow2BitmapInfoList *bl, *bnext;

    if (!q) {
        return;
    }
    for (bl = q->bitmaps; bl; bl = bnext) {
        Qcow2BitmapInfoFlagsList *fl, *fnext;

        bnext = bl->next;
        for (fl = bl->value->flags; fl; fl = fnext) {
            fnext = fl->next;
            g_free(fl);
        }
        g_free(bl->value->name);
        g_free(bl->value);
        g_free(bl);
    }
    g_free(q->compat);
    g_free(q->data_file);
    qapi_free_QCryptoBlockInfoLUKS(q->encrypt);
    g_free(q);
}

void qapi_free_ImageInfoSpecific(ImageInfoSpecific *obj)
{
    if (!obj) {
        return;
    }
    if (obj->type == IMAGE_INFO_SPECIFIC_KIND_QCOW2) {
        free_qcow2_info(obj->u.qcow2.data);
    } else if (obj->type == IMAGE_INFO_SPECIFIC_KIND_LUKS) {
        qapi_free_QCryptoBlockInfoLUKS(obj->u.luks.data);
    }
    g_free(obj);
}

void qapi_free_SnapshotInfoList(SnapshotInfoList *list)
{
    SnapshotInfoList *next;

    for (; list; list = next) {
        next = list->next;
        g_free(list->value->id);
        g_free(list->value->name);
        g_free(list->value);
        g_free(list);
    }
}

void qapi_free_ImageInfo(ImageInfo *info)
{
    if (!info) {
        return;
    }
    g_free(info->filename);
    g_free(info->format);
    g_free(info->backing_filename);
    g_free(info->full_backing_filename);
    g_free(info->backing_filename_format);
    qapi_free_SnapshotInfoList(info->snapshots);
    qapi_free_ImageInfo(info->backing_image);
    qapi_free_ImageInfoSpecific(info->format_specific);
    g_free(info);
}

void qapi_free_ImageInfoList(ImageInfoList *list)
{
    ImageInfoList *next;

    for (; list; list = next) {
        next = list->next;
        qapi_free_ImageInfo(list->value);
        g_free(list);
    }
}

/* --- Collecting -------------------------------------------------------- */

/* The node whose driver lists snapshots: @bs or below its filters. */
static BlockDriverState * GRAPH_RDLOCK snapshot_node(BlockDriverState *bs)
{
    while (bs && bs->drv && !bs->drv->bdrv_snapshot_list) {
        if (!bs->drv->is_filter) {
            return NULL;
        }
        bs = bdrv_filter_bs(bs);
    }
    return bs && bs->drv ? bs : NULL;
}

int bdrv_query_snapshot_info_list(BlockDriverState *bs,
                                  SnapshotInfoList **p_list, Error **errp)
{
    g_autofree QEMUSnapshotInfo *sn_tab = NULL;
    SnapshotInfoList **tail = p_list;
    BlockDriverState *sn_bs = snapshot_node(bs);
    int i, n;

    *p_list = NULL;
    if (!sn_bs) {
        return 0;
    }
    n = sn_bs->drv->bdrv_snapshot_list(sn_bs, &sn_tab);
    if (n == -ENOMEDIUM || n == -ENOTSUP || n == -EINVAL) {
        return 0;
    }
    if (n < 0) {
        error_setg_errno(errp, -n, "Can't list snapshots");
        return n;
    }
    for (i = 0; i < n; i++) {
        SnapshotInfo *info = g_new0(SnapshotInfo, 1);
        SnapshotInfoList *elem = g_new0(SnapshotInfoList, 1);

        info->id = g_strdup(sn_tab[i].id_str);
        info->name = g_strdup(sn_tab[i].name);
        info->vm_state_size = sn_tab[i].vm_state_size;
        info->date_sec = sn_tab[i].date_sec;
        info->date_nsec = sn_tab[i].date_nsec;
        info->vm_clock_sec = sn_tab[i].vm_clock_nsec / 1000000000;
        info->vm_clock_nsec = sn_tab[i].vm_clock_nsec % 1000000000;
        info->has_icount = sn_tab[i].icount != -1ULL;
        info->icount = sn_tab[i].icount;
        elem->value = info;
        *tail = elem;
        tail = &elem->next;
    }
    return 0;
}

/* Backing file names; false with @errp set if the full name fails. */
static bool GRAPH_RDLOCK query_backing(BlockDriverState *bs, ImageInfo *info,
                                       Error **errp)
{
    Error *local_err = NULL;

    if (!bs->backing_file[0]) {
        return true;
    }
    info->backing_filename = g_strdup(bs->backing_file);
    if (bs->backing_format[0]) {
        info->backing_filename_format = g_strdup(bs->backing_format);
    }
    info->full_backing_filename =
        bdrv_get_full_backing_filename(bs, &local_err);
    if (local_err) {
        /*
         * A name that cannot be made absolute (the image sits on a
         * protocol without directories, e.g. NBD) is no reason to fail:
         * full_backing_filename stays unset and the human-readable dump
         * says so.
         */
        error_free(local_err);
    }
    return true;
}

void bdrv_query_image_info(BlockDriverState *bs, ImageInfo **p_info,
                           Error **errp)
{
    ERRP_GUARD();
    g_autoptr(ImageInfo) info = g_new0(ImageInfo, 1);
    BlockDriverInfo bdi;
    int64_t size;

    *p_info = NULL;
    /*
     * The filename set at open time may be stale or plain (a raw node with
     * an offset, a json: spec): rebuild it so "image:" reads as QEMU's.
     */
    bdrv_refresh_filename(bs);
    size = bdrv_getlength(bs);
    if (size < 0) {
        error_setg_errno(errp, -size, "Can't get image size '%s'",
                         bs->exact_filename);
        return;
    }
    info->filename = g_strdup(bs->filename);
    info->format = g_strdup(bdrv_get_format_name(bs));
    info->virtual_size = size;
    info->actual_size = bdrv_get_allocated_file_size(bs);
    info->has_actual_size = info->actual_size >= 0;
    if (bs->encrypted) {
        info->has_encrypted = true;
        info->encrypted = true;
    }
    if (bdrv_get_info(bs, &bdi) >= 0) {
        if (bdi.cluster_size) {
            info->has_cluster_size = true;
            info->cluster_size = bdi.cluster_size;
        }
        info->has_dirty_flag = true;
        info->dirty_flag = bdi.is_dirty;
    }
    info->format_specific = bdrv_get_specific_info(bs, errp);
    if (*errp) {
        return;
    }
    if (!query_backing(bs, info, errp)) {
        return;
    }
    if (bdrv_query_snapshot_info_list(bs, &info->snapshots, errp) < 0) {
        return;
    }
    *p_info = g_steal_pointer(&info);
}

/* --- QObject forms ---------------------------------------------------- */

static const char *const qcow2_compression_names[] = {
    [QCOW2_COMPRESSION_TYPE_ZLIB] = "zlib",
    [QCOW2_COMPRESSION_TYPE_ZSTD] = "zstd",
};

static const char *const bitmap_flag_names[] = {
    [QCOW2_BITMAP_INFO_FLAGS_IN_USE] = "in-use",
    [QCOW2_BITMAP_INFO_FLAGS_AUTO] = "auto",
};

static const char *const specific_kind_names[] = {
    [IMAGE_INFO_SPECIFIC_KIND_QCOW2] = "qcow2",
    [IMAGE_INFO_SPECIFIC_KIND_VMDK] = "vmdk",
    [IMAGE_INFO_SPECIFIC_KIND_LUKS] = "luks",
    [IMAGE_INFO_SPECIFIC_KIND_RBD] = "rbd",
};

static QObject *bitmaps_to_qobject(const Qcow2BitmapInfoList *list)
{
    QList *out = qlist_new();

    for (; list; list = list->next) {
        const Qcow2BitmapInfo *bm = list->value;
        const Qcow2BitmapInfoFlagsList *fl;
        QDict *d = qdict_new();
        QList *flags = qlist_new();

        qdict_put_str(d, "name", bm->name);
        qdict_put_int(d, "granularity", bm->granularity);
        for (fl = bm->flags; fl; fl = fl->next) {
            qlist_append_str(flags, bitmap_flag_names[fl->value]);
        }
        qdict_put(d, "flags", flags);
        qlist_append(out, d);
    }
    return QOBJECT(out);
}

static QObject *qcow2_info_to_qobject(const ImageInfoSpecificQCow2 *q)
{
    QDict *d = qdict_new();

    qdict_put_str(d, "compat", q->compat);
    if (q->data_file) {
        qdict_put_str(d, "data-file", q->data_file);
    }
    if (q->has_data_file_raw) {
        qdict_put_bool(d, "data-file-raw", q->data_file_raw);
    }
    if (q->has_extended_l2) {
        qdict_put_bool(d, "extended-l2", q->extended_l2);
    }
    if (q->has_lazy_refcounts) {
        qdict_put_bool(d, "lazy-refcounts", q->lazy_refcounts);
    }
    if (q->has_corrupt) {
        qdict_put_bool(d, "corrupt", q->corrupt);
    }
    qdict_put_int(d, "refcount-bits", q->refcount_bits);
    if (q->has_bitmaps) {
        qdict_put_obj(d, "bitmaps", bitmaps_to_qobject(q->bitmaps));
    }
    qdict_put_str(d, "compression-type",
                  qcow2_compression_names[q->compression_type]);
    if (q->encrypt) {
        /* QEMU's QCryptoBlockInfoQCow: the LUKS members plus "format". */
        QObject *enc = qcrypto_block_info_luks_to_qobject(q->encrypt);

        qdict_put_str(qobject_to(QDict, enc), "format", "luks");
        qdict_put_obj(d, "encrypt", enc);
    } else if (q->encrypt_aes) {
        QDict *enc = qdict_new();

        qdict_put_str(enc, "format", "aes");
        qdict_put(d, "encrypt", enc);
    }
    return QOBJECT(d);
}

QObject *image_info_specific_to_qobject(const ImageInfoSpecific *spec)
{
    QDict *d = qdict_new();
    QObject *data;

    qdict_put_str(d, "type", specific_kind_names[spec->type]);
    switch (spec->type) {
    case IMAGE_INFO_SPECIFIC_KIND_QCOW2:
        data = qcow2_info_to_qobject(spec->u.qcow2.data);
        break;
    case IMAGE_INFO_SPECIFIC_KIND_LUKS:
        data = qcrypto_block_info_luks_to_qobject(spec->u.luks.data);
        break;
    default:
        data = QOBJECT(qdict_new());
        break;
    }
    qdict_put_obj(d, "data", data);
    return QOBJECT(d);
}

static QObject *snapshot_to_qobject(const SnapshotInfo *sn)
{
    QDict *d = qdict_new();

    qdict_put_str(d, "id", sn->id);
    qdict_put_str(d, "name", sn->name);
    qdict_put_int(d, "vm-state-size", sn->vm_state_size);
    qdict_put_int(d, "date-sec", sn->date_sec);
    qdict_put_int(d, "date-nsec", sn->date_nsec);
    qdict_put_int(d, "vm-clock-sec", sn->vm_clock_sec);
    qdict_put_int(d, "vm-clock-nsec", sn->vm_clock_nsec);
    if (sn->has_icount) {
        qdict_put_int(d, "icount", sn->icount);
    }
    return QOBJECT(d);
}

static void put_opt_str(QDict *d, const char *key, const char *value)
{
    if (value) {
        qdict_put_str(d, key, value);
    }
}

QObject *image_info_to_qobject(const ImageInfo *info)
{
    QDict *d = qdict_new();

    qdict_put_str(d, "filename", info->filename);
    qdict_put_str(d, "format", info->format);
    if (info->has_dirty_flag) {
        qdict_put_bool(d, "dirty-flag", info->dirty_flag);
    }
    if (info->has_actual_size) {
        qdict_put_int(d, "actual-size", info->actual_size);
    }
    qdict_put_int(d, "virtual-size", info->virtual_size);
    if (info->has_cluster_size) {
        qdict_put_int(d, "cluster-size", info->cluster_size);
    }
    if (info->has_encrypted) {
        qdict_put_bool(d, "encrypted", info->encrypted);
    }
    if (info->has_compressed) {
        qdict_put_bool(d, "compressed", info->compressed);
    }
    put_opt_str(d, "backing-filename", info->backing_filename);
    put_opt_str(d, "full-backing-filename", info->full_backing_filename);
    put_opt_str(d, "backing-filename-format", info->backing_filename_format);
    if (info->snapshots) {
        QList *list = qlist_new();
        const SnapshotInfoList *sl;

        for (sl = info->snapshots; sl; sl = sl->next) {
            qlist_append_obj(list, snapshot_to_qobject(sl->value));
        }
        qdict_put(d, "snapshots", list);
    }
    if (info->backing_image) {
        qdict_put_obj(d, "backing-image",
                      image_info_to_qobject(info->backing_image));
    }
    if (info->format_specific) {
        qdict_put_obj(d, "format-specific",
                      image_info_specific_to_qobject(info->format_specific));
    }
    return QOBJECT(d);
}

/* --- Human-readable dump ---------------------------------------------- */

static void dump_qobject(int indent, QObject *obj);

static bool is_composite(QObject *obj)
{
    return qobject_type(obj) == QTYPE_QDICT ||
           qobject_type(obj) == QTYPE_QLIST;
}

static void dump_qlist(int indent, QList *list)
{
    const QListEntry *e;
    int i = 0;

    for (e = qlist_first(list); e; e = qlist_next(e), i++) {
        QObject *v = qlist_entry_obj(e);

        printf("%*s[%i]:%c", indent * 4, "", i, is_composite(v) ? '\n' : ' ');
        dump_qobject(indent + 1, v);
    }
}

static void dump_qdict(int indent, QDict *dict)
{
    const QDictEntry *e;

    for (e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        QObject *v = qdict_entry_value(e);
        g_autofree char *key = g_strdup(qdict_entry_key(e));

        g_strdelimit(key, "-", ' ');
        printf("%*s%s:%c", indent * 4, "", key, is_composite(v) ? '\n' : ' ');
        dump_qobject(indent + 1, v);
    }
}

/* Scalars print their value and a newline; containers their members. */
static void dump_qobject(int indent, QObject *obj)
{
    switch (qobject_type(obj)) {
    case QTYPE_QNUM: {
        g_autofree char *s = qnum_to_string(qobject_to(QNum, obj));

        printf("%s\n", s);
        break;
    }
    case QTYPE_QSTRING:
        printf("%s\n", qstring_get_str(qobject_to(QString, obj)));
        break;
    case QTYPE_QBOOL:
        printf("%s\n", qbool_get_bool(qobject_to(QBool, obj)) ?
               "true" : "false");
        break;
    case QTYPE_QDICT:
        dump_qdict(indent, qobject_to(QDict, obj));
        break;
    case QTYPE_QLIST:
        dump_qlist(indent, qobject_to(QList, obj));
        break;
    default:
        printf("\n");
        break;
    }
}

void bdrv_image_info_specific_dump(const ImageInfoSpecific *spec,
                                   const char *prefix)
{
    QObject *obj = image_info_specific_to_qobject(spec);
    QObject *data = qdict_get(qobject_to(QDict, obj), "data");

    printf("%s", prefix);
    dump_qobject(1, data);
    qobject_unref(obj);
}

void bdrv_snapshot_dump(const QEMUSnapshotInfo *sn)
{
    g_autofree char *size = NULL;
    char date[32], clock[64], icount[32] = "";
    uint64_t secs;
    time_t t;
    struct tm tm;

    if (!sn) {
        printf("%-10s%-17s%8s%20s%13s%11s", "ID", "TAG", "VM SIZE", "DATE",
               "VM CLOCK", "ICOUNT");
        return;
    }
    t = sn->date_sec;
    localtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
    secs = sn->vm_clock_nsec / 1000000000;
    snprintf(clock, sizeof(clock), "%02" PRIu64 ":%02d:%02d.%03d",
             secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60),
             (int)(sn->vm_clock_nsec / 1000000 % 1000));
    if (sn->icount != -1ULL) {
        snprintf(icount, sizeof(icount), "%" PRIu64, sn->icount);
    }
    size = size_to_str(sn->vm_state_size);
    printf("%-9s %-16s %8s %19s %12s %10s", sn->id_str, sn->name, size, date,
           clock, icount);
}

static void dump_snapshots(const SnapshotInfoList *list)
{
    printf("Snapshot list:\n");
    bdrv_snapshot_dump(NULL);
    printf("\n");
    for (; list; list = list->next) {
        const SnapshotInfo *si = list->value;
        QEMUSnapshotInfo sn = {
            .vm_state_size = si->vm_state_size,
            .date_sec = si->date_sec,
            .date_nsec = si->date_nsec,
            .vm_clock_nsec = si->vm_clock_sec * 1000000000ULL +
                             si->vm_clock_nsec,
            .icount = si->has_icount ? si->icount : -1ULL,
        };

        pstrcpy(sn.id_str, sizeof(sn.id_str), si->id);
        pstrcpy(sn.name, sizeof(sn.name), si->name);
        bdrv_snapshot_dump(&sn);
        printf("\n");
    }
}

void bdrv_image_info_dump(const ImageInfo *info)
{
    g_autofree char *vsize = size_to_str(info->virtual_size);

    printf("image: %s\nfile format: %s\nvirtual size: %s (%" PRId64
           " bytes)\n", info->filename, info->format, vsize,
           info->virtual_size);
    if (info->has_actual_size) {
        g_autofree char *dsize = size_to_str(info->actual_size);

        printf("disk size: %s\n", dsize);
    } else {
        printf("disk size: unavailable\n");
    }
    if (info->has_encrypted && info->encrypted) {
        printf("encrypted: yes\n");
    }
    if (info->has_cluster_size) {
        printf("cluster_size: %" PRId64 "\n", info->cluster_size);
    }
    if (info->has_dirty_flag && info->dirty_flag) {
        printf("cleanly shut down: no\n");
    }
    if (info->backing_filename) {
        printf("backing file: %s", info->backing_filename);
        if (!info->full_backing_filename) {
            printf(" (cannot determine actual path)");
        } else if (strcmp(info->backing_filename,
                          info->full_backing_filename)) {
            printf(" (actual path: %s)", info->full_backing_filename);
        }
        printf("\n");
        if (info->backing_filename_format) {
            printf("backing file format: %s\n",
                   info->backing_filename_format);
        }
    }
    if (info->snapshots) {
        dump_snapshots(info->snapshots);
    }
    if (info->format_specific) {
        bdrv_image_info_specific_dump(info->format_specific,
                                      "Format specific information:\n");
    }
}

/* --- Measuring --------------------------------------------------------- */

/*
 * bdrv_measure() (declared in block-io.h) lives here because qemu-img
 * measure is its only user so far; it just asks the output format.
 */
BlockMeasureInfo *bdrv_measure(BlockDriver *drv, QemuOpts *opts,
                               BlockDriverState *in_bs, Error **errp)
{
    IO_CODE();
    if (!drv->bdrv_measure) {
        error_setg(errp, "Block driver '%s' does not support size "
                   "measurement", drv->format_name);
        return NULL;
    }
    return drv->bdrv_measure(opts, in_bs, errp);
}
