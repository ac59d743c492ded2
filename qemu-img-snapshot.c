/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-snapshot.c: "qemu-img snapshot": list, create, apply and
 * delete internal snapshots.  The block layer has no snapshot front end
 * (block/snapshot.c) yet, so the small lookups it would do (which node
 * answers, find by id or name) are local helpers here.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "block/dirty-bitmap.h"
#include "block/qapi.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"

enum { SNAPSHOT_LIST = 1, SNAPSHOT_CREATE, SNAPSHOT_APPLY, SNAPSHOT_DELETE };

/* @bs or the node below its filters that implements snapshots, or NULL. */
static BlockDriverState * GRAPH_RDLOCK snapshot_bs(BlockDriverState *bs)
{
    while (bs && bs->drv && !bs->drv->bdrv_snapshot_list) {
        bs = bs->drv->is_filter ? bdrv_filter_bs(bs) : NULL;
    }
    return bs && bs->drv ? bs : NULL;
}

/* Look @name up by name (not by id, as upstream); false if not found. */
static bool GRAPH_RDLOCK snapshot_find(BlockDriverState *bs,
                                       QEMUSnapshotInfo *out,
                                       const char *name)
{
    g_autofree QEMUSnapshotInfo *tab = NULL;
    int i, n;

    bs = snapshot_bs(bs);
    n = bs ? bs->drv->bdrv_snapshot_list(bs, &tab) : -ENOTSUP;
    for (i = 0; i < n; i++) {
        if (!strcmp(tab[i].name, name)) {
            *out = tab[i];
            return true;
        }
    }
    return false;
}

static void snapshot_list(BlockDriverState *bs)
{
    SnapshotInfoList *list = NULL, *e;
    Error *local_err = NULL;

    bdrv_graph_rdlock_main_loop();
    bdrv_query_snapshot_info_list(bs, &list, &local_err);
    bdrv_graph_rdunlock_main_loop();
    error_free(local_err);
    if (!list) {
        return;
    }
    printf("Snapshot list:\n");
    bdrv_snapshot_dump(NULL);
    printf("\n");
    for (e = list; e; e = e->next) {
        QEMUSnapshotInfo sn = {
            .vm_state_size = e->value->vm_state_size,
            .date_sec = e->value->date_sec,
            .date_nsec = e->value->date_nsec,
            .vm_clock_nsec = e->value->vm_clock_sec * 1000000000ULL +
                             e->value->vm_clock_nsec,
            .icount = e->value->has_icount ? e->value->icount : -1ULL,
        };

        pstrcpy(sn.id_str, sizeof(sn.id_str), e->value->id);
        pstrcpy(sn.name, sizeof(sn.name), e->value->name);
        bdrv_snapshot_dump(&sn);
        printf("\n");
    }
    qapi_free_SnapshotInfoList(list);
}

static int snapshot_create(BlockDriverState *bs, const char *name)
{
    QEMUSnapshotInfo sn = { 0 };
    int64_t rt = g_get_real_time();
    BlockDriverState *sbs;
    int ret = -ENOTSUP;

    pstrcpy(sn.name, sizeof(sn.name), name);
    sn.date_sec = rt / G_USEC_PER_SEC;
    sn.date_nsec = (rt % G_USEC_PER_SEC) * 1000;
    bdrv_graph_rdlock_main_loop();
    sbs = snapshot_bs(bs);
    if (sbs && sbs->drv->bdrv_snapshot_create) {
        ret = sbs->drv->bdrv_snapshot_create(sbs, &sn);
    }
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        error_report("Could not create snapshot '%s': %d (%s)", name, ret,
                     strerror(-ret));
    }
    return ret;
}

static int snapshot_apply(BlockDriverState *bs, const char *name)
{
    BlockDriverState *sbs;
    int ret;

    bdrv_graph_rdlock_main_loop();
    sbs = snapshot_bs(bs);
    bdrv_graph_rdunlock_main_loop();
    if (!sbs || !sbs->drv->bdrv_snapshot_goto) {
        error_report("Could not apply snapshot '%s': Block driver does not "
                     "support snapshots", name);
        return -ENOTSUP;
    }
    /* Bitmaps would not match the reverted data (as QEMU). */
    if (bdrv_dirty_bitmap_first(bs)) {
        error_report("Could not apply snapshot '%s': Device has active "
                     "dirty bitmaps", name);
        return -EBUSY;
    }
    ret = sbs->drv->bdrv_snapshot_goto(sbs, name);
    if (ret < 0) {
        error_report("Could not apply snapshot '%s': Failed to load "
                     "snapshot: %s", name, strerror(-ret));
    }
    return ret;
}

static int snapshot_delete(BlockDriverState *bs, const char *name)
{
    Error *local_err = NULL;
    QEMUSnapshotInfo sn;
    BlockDriverState *sbs;
    int ret = -ENOTSUP;

    bdrv_graph_rdlock_main_loop();
    if (!snapshot_find(bs, &sn, name)) {
        bdrv_graph_rdunlock_main_loop();
        error_report("Could not delete snapshot '%s': snapshot not found",
                     name);
        return -ENOENT;
    }
    sbs = snapshot_bs(bs);
    if (sbs->drv->bdrv_snapshot_delete) {
        ret = sbs->drv->bdrv_snapshot_delete(sbs, sn.id_str, sn.name,
                                             &local_err);
    }
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        if (!local_err) {
            error_setg_errno(&local_err, -ret, "Failed to delete snapshot");
        }
        error_reportf_err(local_err, "Could not delete snapshot '%s': ",
                          name);
    }
    return ret;
}

int img_snapshot(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "object", required_argument, NULL, OPTION_OBJECT },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    const char *name = NULL;
    bool quiet = false, image_opts = false, force_share = false;
    int action = 0, flags = BDRV_O_RDWR, c, ret;
    BlockBackend *blk;

    while ((c = getopt_long(argc, argv, ":la:c:d:hqU", long_options,
                            NULL)) != -1) {
        int act = c == 'l' ? SNAPSHOT_LIST : c == 'c' ? SNAPSHOT_CREATE :
                  c == 'a' ? SNAPSHOT_APPLY : c == 'd' ? SNAPSHOT_DELETE : 0;

        if (act) {
            if (action) {
                error_exit("Cannot mix '-l', '-a', '-c', '-d'");
            }
            action = act;
            name = optarg;
            continue;
        }
        switch (c) {
        case 'q': quiet = true; break;
        case 'U': force_share = true; break;
        case OPTION_IMAGE_OPTS: image_opts = true; break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    if (optind != argc - 1) {
        error_exit("Expecting one image file name");
    }
    if (action == SNAPSHOT_LIST || !action) {
        flags = BDRV_O_NO_BACKING;
    }
    blk = img_open(image_opts, argv[optind], NULL, flags, false, quiet,
                   force_share);
    if (!blk) {
        return EXIT_FAILURE;
    }
    ret = 0;
    switch (action) {
    case SNAPSHOT_LIST: snapshot_list(blk_bs(blk)); break;
    case SNAPSHOT_CREATE: ret = snapshot_create(blk_bs(blk), name); break;
    case SNAPSHOT_APPLY: ret = snapshot_apply(blk_bs(blk), name); break;
    case SNAPSHOT_DELETE: ret = snapshot_delete(blk_bs(blk), name); break;
    }
    blk_unref(blk);
    return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
