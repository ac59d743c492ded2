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
#include "qemu/error-report.h"
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

/*
 * Downgrade to compat=0.10: zero clusters, a version 3 feature, become
 * data clusters filled with zeroes (or unallocated ones when nothing
 * shows through them), in the active L1 table and every snapshot's.
 */

typedef struct ExpandProgress {
    BlockDriverAmendStatusCB *cb;
    void *opaque;
    int64_t done;
    int64_t total;      /* L1 entries of the image and all snapshots */
} ExpandProgress;

static void expand_progress_step(BlockDriverState *bs, ExpandProgress *pr)
{
    pr->done++;
    if (pr->cb) {
        pr->cb(bs, pr->done, pr->total, pr->opaque);
    }
}

/*
 * Host cluster for a zero entry of an L2 table with refcount @l2_rc:
 * a new one (counted once per sharer of the table) for a plain zero
 * cluster, the existing one otherwise.  *@rc gets its refcount.
 */
static int64_t GRAPH_RDLOCK
expand_target(BlockDriverState *bs, uint64_t entry, uint64_t l2_rc,
              uint64_t *rc)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t host;
    int ret;

    if (qcow2_get_cluster_type(bs, entry) == QCOW2_CLUSTER_ZERO_ALLOC) {
        host = entry & L2E_OFFSET_MASK;
        ret = qcow2_get_refcount(bs, host >> s->cluster_bits, rc);
        return ret < 0 ? ret : host;
    }
    host = qcow2_alloc_clusters(bs, s->cluster_size);
    if (host < 0 || l2_rc <= 1) {
        *rc = 1;
        return host;
    }
    ret = qcow2_update_cluster_refcount(bs, host >> s->cluster_bits,
                                        l2_rc - 1, false,
                                        QCOW2_DISCARD_OTHER);
    if (ret < 0) {
        qcow2_free_clusters(bs, host, s->cluster_size, QCOW2_DISCARD_OTHER);
        return ret;
    }
    *rc = l2_rc;
    return host;
}

/* Expand the zero entries of one L2 slice; *@dirty if it changed. */
static int GRAPH_RDLOCK
expand_slice(BlockDriverState *bs, uint64_t *slice, uint64_t l2_offset,
             uint64_t l2_rc, bool *dirty)
{
    BDRVQcow2State *s = bs->opaque;

    for (int i = 0; i < s->l2_slice_size; i++) {
        uint64_t entry = get_l2_entry(s, slice, i), rc;
        QCow2ClusterType type = qcow2_get_cluster_type(bs, entry);
        bool fresh = type == QCOW2_CLUSTER_ZERO_PLAIN;
        int64_t host;
        int ret;

        if (type != QCOW2_CLUSTER_ZERO_PLAIN &&
            type != QCOW2_CLUSTER_ZERO_ALLOC) {
            continue;
        }
        *dirty = true;
        if (fresh && !bs->backing) {
            /* Unallocated reads as zeroes too. */
            set_l2_entry(s, slice, i, 0);
            continue;
        }
        host = expand_target(bs, entry, l2_rc, &rc);
        if (host < 0) {
            return host;
        }
        if (offset_into_cluster(s, host)) {
            qcow2_signal_corruption(bs, true, -1, -1, "Cluster allocation "
                                    "offset %#" PRIx64 " unaligned (L2 "
                                    "offset: %#" PRIx64 ")", host,
                                    l2_offset);
            return -EIO;
        }
        ret = qcow2_pre_write_overlap_check(bs, 0, host, s->cluster_size,
                                            true);
        if (ret == 0) {
            ret = bdrv_pwrite_zeroes(s->data_file, host, s->cluster_size, 0);
        }
        if (ret < 0) {
            if (fresh) {
                qcow2_free_clusters(bs, host, s->cluster_size,
                                    QCOW2_DISCARD_ALWAYS);
            }
            return ret;
        }
        /*
         * COPIED only for a cluster used once.  (QEMU 7.2 looks at the L2
         * table's refcount alone, which leaves COPIED on a shared
         * cluster that an error-free image never has.)
         */
        set_l2_entry(s, slice, i, host | (rc == 1 ? QCOW_OFLAG_COPIED : 0));
    }
    return 0;
}

/* One slice of an active L2 table, through the L2 cache. */
static int GRAPH_RDLOCK
expand_active_slice(BlockDriverState *bs, uint64_t off, uint64_t l2_offset,
                    uint64_t l2_rc)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t *slice;
    bool dirty = false;
    int ret;

    ret = qcow2_cache_get(bs, s->l2_table_cache, off, (void **)&slice);
    if (ret < 0) {
        return ret;
    }
    ret = expand_slice(bs, slice, l2_offset, l2_rc, &dirty);
    if (dirty) {
        qcow2_cache_entry_mark_dirty(s->l2_table_cache, slice);
        qcow2_cache_depends_on_flush(s->l2_table_cache);
    }
    qcow2_cache_put(s->l2_table_cache, (void **)&slice);
    return ret;
}

/* One slice of a snapshot's L2 table, read and written directly. */
static int GRAPH_RDLOCK
expand_inactive_slice(BlockDriverState *bs, uint64_t off, uint64_t l2_offset,
                      uint64_t l2_rc, uint64_t *buf)
{
    BDRVQcow2State *s = bs->opaque;
    size_t bytes = s->l2_slice_size * l2_entry_size(s);
    bool dirty = false;
    int ret;

    ret = bdrv_pread(bs->file, off, bytes, buf, 0);
    if (ret < 0) {
        return ret;
    }
    ret = expand_slice(bs, buf, l2_offset, l2_rc, &dirty);
    if (ret < 0 || !dirty) {
        return ret;
    }
    ret = qcow2_pre_write_overlap_check(bs, QCOW2_OL_INACTIVE_L2 |
                                        QCOW2_OL_ACTIVE_L2, off, bytes,
                                        false);
    if (ret < 0) {
        return ret;
    }
    return bdrv_pwrite(bs->file, off, bytes, buf, 0);
}

/* Expand every L2 table @l1 (@l1_size entries, host order) points to. */
static int GRAPH_RDLOCK
expand_l1(BlockDriverState *bs, const uint64_t *l1, uint32_t l1_size,
          bool active, ExpandProgress *pr)
{
    BDRVQcow2State *s = bs->opaque;
    size_t slice_bytes = s->l2_slice_size * l2_entry_size(s);
    g_autofree uint64_t *buf = active ? NULL : g_malloc(slice_bytes);
    int ret;

    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_offset = l1[i] & L1E_OFFSET_MASK, l2_rc;

        if (l2_offset && offset_into_cluster(s, l2_offset)) {
            qcow2_signal_corruption(bs, true, -1, -1, "L2 table offset %#"
                                    PRIx64 " unaligned (L1 index: %#"
                                    PRIx32 ")", l2_offset, i);
            return -EIO;
        }
        if (l2_offset) {
            ret = qcow2_get_refcount(bs, l2_offset >> s->cluster_bits,
                                     &l2_rc);
            for (uint64_t off = l2_offset; ret >= 0 &&
                 off < l2_offset + s->cluster_size; off += slice_bytes) {
                ret = active ?
                    expand_active_slice(bs, off, l2_offset, l2_rc) :
                    expand_inactive_slice(bs, off, l2_offset, l2_rc, buf);
            }
            if (ret < 0) {
                return ret;
            }
        }
        expand_progress_step(bs, pr);
    }
    return 0;
}

/* Read the L1 table of snapshot @sn into a new array (host order). */
static uint64_t * GRAPH_RDLOCK
read_snapshot_l1(BlockDriverState *bs, QCowSnapshot *sn, int *ret)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t *l1;

    if ((uint64_t)sn->l1_size * sizeof(uint64_t) > QCOW_MAX_L1_SIZE) {
        error_report("Snapshot L1 table too large");
        *ret = -EFBIG;
        return NULL;
    }
    if (offset_into_cluster(s, sn->l1_table_offset)) {
        error_report("Snapshot L1 table offset invalid");
        *ret = -EINVAL;
        return NULL;
    }
    l1 = g_new(uint64_t, MAX(sn->l1_size, 1));
    *ret = bdrv_pread(bs->file, sn->l1_table_offset,
                      sn->l1_size * sizeof(uint64_t), l1, 0);
    if (*ret < 0) {
        g_free(l1);
        return NULL;
    }
    for (uint32_t i = 0; i < sn->l1_size; i++) {
        be64_to_cpus(&l1[i]);
    }
    return l1;
}

static int GRAPH_RDLOCK
expand_zero_clusters(BlockDriverState *bs, BlockDriverAmendStatusCB *cb,
                     void *opaque)
{
    BDRVQcow2State *s = bs->opaque;
    ExpandProgress pr = { .cb = cb, .opaque = opaque, .total = s->l1_size };
    int ret;

    for (int i = 0; i < s->nb_snapshots; i++) {
        pr.total += s->snapshots[i].l1_size;
    }
    ret = expand_l1(bs, s->l1_table, s->l1_size, true, &pr);
    if (ret < 0) {
        return ret;
    }
    /*
     * Snapshot tables are read from the disk and may share L2 tables
     * with the active ones: write the cache back and drop it first.
     */
    ret = qcow2_cache_empty(bs, s->l2_table_cache);
    for (int i = 0; ret >= 0 && i < s->nb_snapshots; i++) {
        g_autofree uint64_t *l1 = read_snapshot_l1(bs, &s->snapshots[i],
                                                   &ret);

        if (l1) {
            ret = expand_l1(bs, l1, s->snapshots[i].l1_size, false, &pr);
        }
    }
    return ret;
}

/* Does the active L1 table map any compressed cluster?  1, 0 or -errno. */
static int GRAPH_RDLOCK has_compressed_clusters(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    size_t slice_bytes = s->l2_slice_size * l2_entry_size(s);

    for (int i = 0; i < s->l1_size; i++) {
        uint64_t l2_offset = s->l1_table[i] & L1E_OFFSET_MASK;

        for (uint64_t off = l2_offset; l2_offset &&
             off < l2_offset + s->cluster_size; off += slice_bytes) {
            uint64_t *slice;
            bool found = false;
            int ret = qcow2_cache_get(bs, s->l2_table_cache, off,
                                      (void **)&slice);

            if (ret < 0) {
                return ret;
            }
            for (int j = 0; j < s->l2_slice_size && !found; j++) {
                found = qcow2_get_cluster_type(bs, get_l2_entry(s, slice, j))
                        == QCOW2_CLUSTER_COMPRESSED;
            }
            qcow2_cache_put(s->l2_table_cache, (void **)&slice);
            if (found) {
                return 1;
            }
        }
    }
    return 0;
}

/* Refuse a downgrade that would lose information (QEMU 7.2's checks). */
static int GRAPH_RDLOCK downgrade_check(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->refcount_order != 4) {
        error_setg(errp, "compat=0.10 requires refcount_bits=16");
        return -ENOTSUP;
    }
    if (has_data_file(bs)) {
        error_setg(errp, "Cannot downgrade an image with a data file");
        return -ENOTSUP;
    }
    /*
     * Version 2 readers do not know the snapshot fields for the disk
     * size and a VM state beyond 4 GiB: those must not matter.
     */
    for (int i = 0; i < s->nb_snapshots; i++) {
        if (s->snapshots[i].vm_state_size > UINT32_MAX ||
            s->snapshots[i].disk_size !=
            bs->total_sectors * BDRV_SECTOR_SIZE) {
            error_setg(errp, "Internal snapshots prevent downgrade of image");
            return -ENOTSUP;
        }
    }
    return 0;
}

/* Switch back to compat=0.10 (version 2). */
static int GRAPH_RDLOCK downgrade(BlockDriverState *bs,
                                  BlockDriverAmendStatusCB *cb, void *opaque,
                                  Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t incompat;
    int ret = downgrade_check(bs, errp);

    if (ret < 0) {
        return ret;
    }
    if (s->incompatible_features & QCOW2_INCOMPAT_DIRTY) {
        ret = qcow2_mark_clean(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to make the image clean");
            return ret;
        }
    }
    incompat = s->incompatible_features & ~QCOW2_INCOMPAT_COMPRESSION;
    if (incompat) {
        error_setg(errp, "Cannot downgrade an image with incompatible "
                   "features 0x%" PRIx64 " set", incompat);
        return -ENOTSUP;
    }
    /* Compatible and autoclear features may simply be dropped. */
    s->compatible_features = 0;
    s->autoclear_features = 0;
    ret = expand_zero_clusters(bs, cb, opaque);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to turn zero into data "
                         "clusters");
        return ret;
    }
    if (s->incompatible_features & QCOW2_INCOMPAT_COMPRESSION) {
        ret = has_compressed_clusters(bs);
        if (ret < 0) {
            error_setg(errp, "Failed to check block status");
            return -EINVAL;
        }
        if (ret) {
            error_setg(errp, "Cannot downgrade an image with zstd "
                       "compression type and existing compressed clusters");
            return -ENOTSUP;
        }
        /* Nothing compressed yet: zlib, the only type version 2 has. */
        s->incompatible_features &= ~QCOW2_INCOMPAT_COMPRESSION;
        s->compression_type = QCOW2_COMPRESSION_TYPE_ZLIB;
    }
    s->qcow_version = 2;
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        s->qcow_version = 3;
        error_setg_errno(errp, -ret, "Failed to update the image header");
    }
    return ret;
}

/*
 * Progress over the steps of one amend that report it (version change,
 * refcount width change), as 7.2 computes it: finished steps count with
 * their work, the current one with the work it reports, and each step
 * still to come as much as the average so far.
 */
typedef struct AmendProgress {
    BlockDriverAmendStatusCB *cb;
    void *opaque;
    int total_steps;
    int done_steps;
    int step;               /* the step now running (1, 2...) */
    int last_step;          /* the step that reported last, 0: none */
    int64_t done_work;      /* work of the finished steps */
    int64_t last_size;      /* work size the last report gave */
} AmendProgress;

static void amend_progress(BlockDriverState *bs, int64_t offset,
                           int64_t size, void *opaque)
{
    AmendProgress *p = opaque;
    int64_t cur, rest;

    if (p->step != p->last_step) {
        if (p->last_step) {
            p->done_work += p->last_size;
            p->done_steps++;
        }
        p->last_step = p->step;
    }
    p->last_size = size;
    cur = p->done_work + size;
    rest = cur * (p->total_steps - p->done_steps - 1) / (p->done_steps + 1);
    if (p->cb) {
        p->cb(bs, p->done_work + offset, cur + rest, p->opaque);
    }
}

/* Switch to compat=1.1 (version 3), in two steps for the progress. */
static int GRAPH_RDLOCK upgrade(BlockDriverState *bs,
                                BlockDriverAmendStatusCB *cb, void *opaque,
                                Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    bool short_entries = false;
    int ret;

    cb(bs, 0, 2, opaque);
    /* Version 3 wants the VM state and disk size in every snapshot. */
    for (int i = 0; i < s->nb_snapshots; i++) {
        short_entries |= s->snapshots[i].extra_data_size <
                         offsetof(QCowSnapshotExtraData, icount);
    }
    if (short_entries) {
        ret = qcow2_write_snapshots(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to update the snapshot "
                             "table");
            return ret;
        }
    }
    cb(bs, 1, 2, opaque);
    s->qcow_version = 3;
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        s->qcow_version = 2;
        error_setg_errno(errp, -ret, "Failed to update the image header");
        return ret;
    }
    cb(bs, 2, 2, opaque);
    return 0;
}

/* Switch to compat=1.1 (@version 3) or back to 0.10 (@version 2). */
static int GRAPH_RDLOCK amend_version(BlockDriverState *bs, int version,
                                      BlockDriverAmendStatusCB *cb,
                                      void *opaque, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    if (version == s->qcow_version) {
        return 0;
    }
    if (version < s->qcow_version) {
        return downgrade(bs, cb, opaque, errp);
    }
    return upgrade(bs, cb, opaque, errp);
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

    if (!bs->encrypted &&
        qemu_opt_foreach(opts, is_encrypt_opt, NULL, NULL)) {
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
    /* A width kept as it is is left to the downgrade's own check. */
    if (version < 3 && bits != 16 && bits != s->refcount_bits) {
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
    AmendProgress pr = { .cb = status_cb, .opaque = cb_opaque };
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
    if (bs->encrypted && qemu_opt_foreach(opts, is_encrypt_opt, NULL, NULL)) {
        /* LUKS key slots (qcow2-crypto.c), before anything else. */
        ret = qcow2_crypto_amend(bs, opts, force, errp);
        if (ret < 0) {
            return ret;
        }
    }
    pr.total_steps = (version != s->qcow_version) +
        (qemu_opt_get(opts, BLOCK_OPT_REFCOUNT_BITS) &&
         qemu_opt_get_number(opts, BLOCK_OPT_REFCOUNT_BITS, 16) !=
         s->refcount_bits);

    /* Upgrade first, downgrade last: each step sees a valid image. */
    if (version > s->qcow_version) {
        pr.step = 1;
        ret = amend_version(bs, version, amend_progress, &pr, errp);
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
            pr.step = 2;
            ret = qcow2_change_refcount_order(bs, order, amend_progress, &pr,
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
        pr.step = 3;
        ret = amend_version(bs, version, amend_progress, &pr, errp);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}
