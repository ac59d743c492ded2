/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/qapi.h: image information as "qemu-img info" reports it: the
 * ImageInfo and SnapshotInfo structures (members named after QEMU 7.2's
 * QAPI schema), collecting them from an open node, turning them into
 * QObjects with the schema's key names and nesting (for --output=json),
 * and the human-readable dump.
 */
#ifndef BLOCK_QAPI_H
#define BLOCK_QAPI_H

#include "block/block.h"
#include "qapi/qapi-types-block-core.h"

typedef struct SnapshotInfo {
    char *id;
    char *name;
    int64_t vm_state_size;
    int64_t date_sec;
    int64_t date_nsec;
    int64_t vm_clock_sec;
    int64_t vm_clock_nsec;
    bool has_icount;
    int64_t icount;
} SnapshotInfo;

typedef struct SnapshotInfoList SnapshotInfoList;
struct SnapshotInfoList {
    SnapshotInfoList *next;
    SnapshotInfo *value;
};

/*
 * One image of a chain.  Optional strings and pointers are NULL when
 * absent; other optional members have a has_ flag.
 */
typedef struct ImageInfo ImageInfo;
struct ImageInfo {
    char *filename;
    char *format;
    bool has_dirty_flag;
    bool dirty_flag;
    bool has_actual_size;
    int64_t actual_size;
    int64_t virtual_size;
    bool has_cluster_size;
    int64_t cluster_size;
    bool has_encrypted;
    bool encrypted;
    bool has_compressed;
    bool compressed;
    char *backing_filename;
    char *full_backing_filename;
    char *backing_filename_format;
    SnapshotInfoList *snapshots;
    ImageInfo *backing_image;
    ImageInfoSpecific *format_specific;
};

typedef struct ImageInfoList ImageInfoList;
struct ImageInfoList {
    ImageInfoList *next;
    ImageInfo *value;
};

void qapi_free_SnapshotInfoList(SnapshotInfoList *list);
void qapi_free_ImageInfo(ImageInfo *info);
void qapi_free_ImageInfoList(ImageInfoList *list);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ImageInfo, qapi_free_ImageInfo)

/*
 * The internal snapshots of @bs as a list (NULL for none).  Returns 0,
 * or -errno with @errp set; formats without snapshots give 0 and NULL.
 * Main loop, graph read lock held.
 */
int GRAPH_RDLOCK
bdrv_query_snapshot_info_list(BlockDriverState *bs,
                              SnapshotInfoList **p_list, Error **errp);

/*
 * Fill a new ImageInfo for @bs (not its backing chain: backing_image
 * stays NULL).  On error *p_info is left NULL and @errp set.
 * Main loop, graph read lock held.
 */
void GRAPH_RDLOCK
bdrv_query_image_info(BlockDriverState *bs, ImageInfo **p_info,
                      Error **errp);

/*
 * QObject forms with QEMU's key names, inserted in schema order so that
 * the JSON text matches QEMU's byte for byte.  New references.
 */
QObject *image_info_to_qobject(const ImageInfo *info);
QObject *image_info_specific_to_qobject(const ImageInfoSpecific *spec);

/* Human-readable "qemu-img info" text of one image to stdout. */
void bdrv_image_info_dump(const ImageInfo *info);

/*
 * The snapshot table header (@sn NULL) or one row, without newline:
 * "ID        TAG               VM SIZE                DATE ...".
 */
void bdrv_snapshot_dump(const QEMUSnapshotInfo *sn);

/*
 * Print @prefix, then the members of @spec's data as "key: value" lines
 * indented by four spaces per level, '-' in keys shown as ' '.
 */
void bdrv_image_info_specific_dump(const ImageInfoSpecific *spec,
                                   const char *prefix);

#endif /* BLOCK_QAPI_H */
