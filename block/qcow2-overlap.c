/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 metadata safety: the overlap checks run before writes (which
 * kinds of metadata are checked is set by the overlap-check option as a
 * QCOW2_OL_* mask) and the corruption reports that mark an image corrupt
 * and stop further use of the node.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qcow2.h"

/* Names used in "Preventing invalid write on metadata" messages. */
static const char *const ol_names[QCOW2_OL_MAX_BITNR] = {
    [QCOW2_OL_MAIN_HEADER_BITNR]      = "qcow2_header",
    [QCOW2_OL_ACTIVE_L1_BITNR]        = "active L1 table",
    [QCOW2_OL_ACTIVE_L2_BITNR]        = "active L2 table",
    [QCOW2_OL_REFCOUNT_TABLE_BITNR]   = "refcount table",
    [QCOW2_OL_REFCOUNT_BLOCK_BITNR]   = "refcount block",
    [QCOW2_OL_SNAPSHOT_TABLE_BITNR]   = "snapshot table",
    [QCOW2_OL_INACTIVE_L1_BITNR]      = "inactive L1 table",
    [QCOW2_OL_INACTIVE_L2_BITNR]      = "inactive L2 table",
    [QCOW2_OL_BITMAP_DIRECTORY_BITNR] = "bitmap directory",
};

const char *qcow2_overlap_name(int ol_bit)
{
    int nr = __builtin_ctz(ol_bit);

    assert(ol_bit && nr < QCOW2_OL_MAX_BITNR);
    return ol_names[nr];
}

static bool ranges_overlap64(uint64_t a, uint64_t alen, uint64_t b,
                             uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

/* Does [@off, +@len) hit a table cluster named by one of @n entries? */
static bool hits_entries(BDRVQcow2State *s, const uint64_t *entries,
                         uint64_t n, bool big_endian, uint64_t mask,
                         uint64_t off, uint64_t len)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t e = big_endian ? be64_to_cpu(entries[i]) : entries[i];

        e &= mask;
        if (e && ranges_overlap64(e, s->cluster_size, off, len)) {
            return true;
        }
    }
    return false;
}

/* Checks that need nothing but in-memory state. */
static int check_in_memory(BDRVQcow2State *s, int chk, uint64_t off,
                           uint64_t len)
{
    if ((chk & QCOW2_OL_MAIN_HEADER) && off < s->cluster_size) {
        return QCOW2_OL_MAIN_HEADER;
    }
    if ((chk & QCOW2_OL_ACTIVE_L1) && s->l1_size &&
        ranges_overlap64(s->l1_table_offset, s->l1_size * 8ULL, off, len)) {
        return QCOW2_OL_ACTIVE_L1;
    }
    if ((chk & QCOW2_OL_REFCOUNT_TABLE) && s->refcount_table_size &&
        ranges_overlap64(s->refcount_table_offset,
                         s->refcount_table_size * 8ULL, off, len)) {
        return QCOW2_OL_REFCOUNT_TABLE;
    }
    if ((chk & QCOW2_OL_SNAPSHOT_TABLE) && s->snapshots_size &&
        ranges_overlap64(s->snapshots_offset, s->snapshots_size, off, len)) {
        return QCOW2_OL_SNAPSHOT_TABLE;
    }
    if ((chk & QCOW2_OL_BITMAP_DIRECTORY) && s->nb_bitmaps &&
        ranges_overlap64(s->bitmap_directory_offset,
                         s->bitmap_directory_size, off, len)) {
        return QCOW2_OL_BITMAP_DIRECTORY;
    }
    if ((chk & QCOW2_OL_ACTIVE_L2) && s->l1_table &&
        hits_entries(s, s->l1_table, s->l1_size, false, L1E_OFFSET_MASK,
                     off, len)) {
        return QCOW2_OL_ACTIVE_L2;
    }
    if ((chk & QCOW2_OL_REFCOUNT_BLOCK) && s->refcount_table &&
        hits_entries(s, s->refcount_table,
                     MIN(s->refcount_table_size,
                         s->max_refcount_table_index + 1ULL),
                     false, REFT_OFFSET_MASK, off, len)) {
        return QCOW2_OL_REFCOUNT_BLOCK;
    }
    if (chk & QCOW2_OL_INACTIVE_L1) {
        for (unsigned i = 0; i < s->nb_snapshots; i++) {
            if (ranges_overlap64(s->snapshots[i].l1_table_offset,
                                 s->snapshots[i].l1_size * 8ULL, off, len)) {
                return QCOW2_OL_INACTIVE_L1;
            }
        }
    }
    return 0;
}

/* The expensive one: L2 tables of snapshots, read from disk. */
static int check_inactive_l2(BlockDriverState *bs, uint64_t off,
                             uint64_t len)
{
    BDRVQcow2State *s = bs->opaque;

    for (unsigned i = 0; i < s->nb_snapshots; i++) {
        QCowSnapshot *sn = &s->snapshots[i];
        uint64_t bytes = sn->l1_size * 8ULL;
        g_autofree uint64_t *l1 = NULL;
        int ret;

        if (!bytes) {
            continue;
        }
        if (bytes > QCOW_MAX_L1_SIZE) {
            return -EFBIG;
        }
        l1 = g_try_malloc(bytes);
        if (!l1) {
            return -ENOMEM;
        }
        ret = bdrv_pread(bs->file, sn->l1_table_offset, bytes, l1, 0);
        if (ret < 0) {
            return ret;
        }
        if (hits_entries(s, l1, sn->l1_size, true, L1E_OFFSET_MASK,
                         off, len)) {
            return QCOW2_OL_INACTIVE_L2;
        }
    }
    return 0;
}

int qcow2_check_metadata_overlap(BlockDriverState *bs, int ign,
                                 int64_t offset, int64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    int chk = s->overlap_check & ~ign;
    int ret;

    if (size <= 0 || !chk) {
        return 0;
    }
    /* Metadata is cluster-granular: widen the range accordingly. */
    size = ROUND_UP(offset_into_cluster(s, offset) + size, s->cluster_size);
    offset = start_of_cluster(s, offset);

    ret = check_in_memory(s, chk, offset, size);
    if (ret) {
        return ret;
    }
    if (chk & QCOW2_OL_INACTIVE_L2) {
        return check_inactive_l2(bs, offset, size);
    }
    return 0;
}

int qcow2_pre_write_overlap_check(BlockDriverState *bs, int ign,
                                  int64_t offset, int64_t size,
                                  bool data_file)
{
    int ret;

    if (data_file && has_data_file(bs)) {
        return 0;
    }
    ret = qcow2_check_metadata_overlap(bs, ign, offset, size);
    if (ret < 0) {
        return ret;
    }
    if (ret > 0) {
        qcow2_signal_corruption(bs, true, offset, size, "Preventing invalid "
                                "write on metadata (overlaps with %s)",
                                qcow2_overlap_name(ret));
        return -EIO;
    }
    return 0;
}

void qcow2_signal_corruption(BlockDriverState *bs, bool fatal,
                             int64_t offset, int64_t size,
                             const char *message_format, ...)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree char *msg = NULL;
    va_list ap;

    fatal = fatal && bdrv_is_writable(bs);
    if (s->signaled_corruption &&
        (!fatal || (s->incompatible_features & QCOW2_INCOMPAT_CORRUPT))) {
        return;
    }

    va_start(ap, message_format);
    msg = g_strdup_vprintf(message_format, ap);
    va_end(ap);

    if (fatal) {
        fprintf(stderr, "qcow2: Marking image as corrupt: %s; further "
                "corruption events will be suppressed\n", msg);
    } else {
        fprintf(stderr, "qcow2: Image is corrupt: %s; further non-fatal "
                "corruption events will be suppressed\n", msg);
    }

    if (fatal) {
        qcow2_mark_corrupt(bs);
        /* As upstream: the node stops working until reopened. */
        bs->drv = NULL;
    }
    s->signaled_corruption = true;
}
