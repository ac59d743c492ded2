/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 internal snapshots: the snapshot table (parsed and validated on
 * open, rewritten to freshly allocated clusters on every change) and the
 * bdrv_snapshot_* operations: create, goto (apply), delete, list.  The
 * refcount side of taking and dropping an L1 table lives in
 * qcow2-refcount.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qcow2.h"

#define SN_HEADER_SIZE sizeof(QCowSnapshotHeader)

void qcow2_free_snapshot_array(QCowSnapshot *sns, unsigned nb)
{
    for (unsigned i = 0; sns && i < nb; i++) {
        g_free(sns[i].id_str);
        g_free(sns[i].name);
        g_free(sns[i].unknown_extra_data);
    }
    g_free(sns);
}

void qcow2_free_snapshots(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    qcow2_free_snapshot_array(s->snapshots, s->nb_snapshots);
    s->snapshots = NULL;
    s->nb_snapshots = 0;
}

/* Size of one table entry on disk without the padding after it. */
static size_t sn_entry_raw_size(const QCowSnapshot *sn)
{
    return SN_HEADER_SIZE + sn->extra_data_size + strlen(sn->id_str) +
           strlen(sn->name);
}

/* Size of one table entry on disk (padded to 8 bytes). */
static size_t sn_entry_size(const QCowSnapshot *sn)
{
    return ROUND_UP(sn_entry_raw_size(sn), 8);
}

/*
 * Bytes the table takes in the image: as in QEMU 7.2, entries start at
 * multiples of 8 but the last one is not padded.
 */
static size_t sn_table_size(const QCowSnapshot *sns, unsigned nb,
                            size_t padded)
{
    if (!nb) {
        return 0;
    }
    return padded - (sn_entry_size(&sns[nb - 1]) -
                     sn_entry_raw_size(&sns[nb - 1]));
}

int qcow2_snapshot_parse_entry(const uint8_t *buf, size_t avail,
                               uint64_t default_disk_size, QCowSnapshot *sn,
                               size_t *entry_size, Error **errp)
{
    QCowSnapshotHeader h;
    QCowSnapshotExtraData ex = { 0 };
    size_t need;
    const uint8_t *p;

    memset(sn, 0, sizeof(*sn));
    if (avail < SN_HEADER_SIZE) {
        error_setg(errp, "Snapshot table entry is truncated");
        return -EINVAL;
    }
    memcpy(&h, buf, SN_HEADER_SIZE);
    sn->l1_table_offset = be64_to_cpu(h.l1_table_offset);
    sn->l1_size = be32_to_cpu(h.l1_size);
    sn->date_sec = be32_to_cpu(h.date_sec);
    sn->date_nsec = be32_to_cpu(h.date_nsec);
    sn->vm_clock_nsec = be64_to_cpu(h.vm_clock_nsec);
    sn->vm_state_size = be32_to_cpu(h.vm_state_size);
    sn->extra_data_size = be32_to_cpu(h.extra_data_size);
    if (sn->extra_data_size > QCOW_MAX_SNAPSHOT_EXTRA_DATA) {
        error_setg(errp, "Too much extra metadata in snapshot table entry");
        return -EFBIG;
    }
    need = SN_HEADER_SIZE + sn->extra_data_size +
           be16_to_cpu(h.id_str_size) + be16_to_cpu(h.name_size);
    if (avail < need) {
        error_setg(errp, "Snapshot table entry is truncated");
        return -EINVAL;
    }

    p = buf + SN_HEADER_SIZE;
    memcpy(&ex, p, MIN(sn->extra_data_size, sizeof(ex)));
    sn->disk_size = default_disk_size;
    sn->icount = -1ULL;
    if (sn->extra_data_size >= 8) {
        sn->vm_state_size = be64_to_cpu(ex.vm_state_size_large);
    }
    if (sn->extra_data_size >= 16) {
        sn->disk_size = be64_to_cpu(ex.disk_size);
    }
    if (sn->extra_data_size >= 24) {
        sn->icount = be64_to_cpu(ex.icount);
    }
    if (sn->extra_data_size > sizeof(ex)) {
        sn->unknown_extra_data = g_memdup2(p + sizeof(ex),
                                           sn->extra_data_size - sizeof(ex));
    }
    p += sn->extra_data_size;
    sn->id_str = g_strndup((const char *)p, be16_to_cpu(h.id_str_size));
    p += be16_to_cpu(h.id_str_size);
    sn->name = g_strndup((const char *)p, be16_to_cpu(h.name_size));
    *entry_size = ROUND_UP(need, 8);
    return 0;
}

size_t qcow2_snapshot_serialize_entry(const QCowSnapshot *sn, uint8_t *buf)
{
    QCowSnapshotHeader h = { 0 };
    QCowSnapshotExtraData ex;
    size_t id_len = strlen(sn->id_str), name_len = strlen(sn->name);
    size_t size = sn_entry_size(sn);
    uint8_t *p = buf;

    h.l1_table_offset = cpu_to_be64(sn->l1_table_offset);
    h.l1_size = cpu_to_be32(sn->l1_size);
    h.id_str_size = cpu_to_be16(id_len);
    h.name_size = cpu_to_be16(name_len);
    h.date_sec = cpu_to_be32(sn->date_sec);
    h.date_nsec = cpu_to_be32(sn->date_nsec);
    h.vm_clock_nsec = cpu_to_be64(sn->vm_clock_nsec);
    /* The 32-bit field only holds sizes that fit; the rest is in extra. */
    h.vm_state_size = cpu_to_be32(sn->vm_state_size > UINT32_MAX ? 0 :
                                  sn->vm_state_size);
    h.extra_data_size = cpu_to_be32(sn->extra_data_size);

    ex.vm_state_size_large = cpu_to_be64(sn->vm_state_size);
    ex.disk_size = cpu_to_be64(sn->disk_size);
    ex.icount = cpu_to_be64(sn->icount);

    memset(buf, 0, size);
    memcpy(p, &h, SN_HEADER_SIZE);
    p += SN_HEADER_SIZE;
    memcpy(p, &ex, MIN(sn->extra_data_size, sizeof(ex)));
    if (sn->extra_data_size > sizeof(ex)) {
        memcpy(p + sizeof(ex), sn->unknown_extra_data,
               sn->extra_data_size - sizeof(ex));
    }
    p += sn->extra_data_size;
    memcpy(p, sn->id_str, id_len);
    memcpy(p + id_len, sn->name, name_len);
    return size;
}

uint8_t *qcow2_snapshot_serialize_table(const QCowSnapshot *sns, unsigned nb,
                                        size_t *size)
{
    size_t total = 0;
    uint8_t *buf;

    for (unsigned i = 0; i < nb; i++) {
        total += sn_entry_size(&sns[i]);
    }
    buf = g_malloc0(MAX(total, 1));
    total = 0;
    for (unsigned i = 0; i < nb; i++) {
        total += qcow2_snapshot_serialize_entry(&sns[i], buf + total);
    }
    *size = total;
    return buf;
}

/*
 * Read one entry at @offset into @sn; *@used gets its padded size.  With
 * @repair, extra data beyond the limit is skipped (and counted as fixed
 * in @res) instead of failing.
 */
static int coroutine_fn GRAPH_RDLOCK
read_one_snapshot(BlockDriverState *bs, unsigned i, uint64_t offset,
                  uint8_t *buf, QCowSnapshot *sn, size_t *used, bool repair,
                  BdrvCheckResult *res, Error **errp)
{
    QCowSnapshotHeader *h = (QCowSnapshotHeader *)buf;
    uint64_t disk_size = bs->total_sectors * BDRV_SECTOR_SIZE;
    uint32_t extra;
    size_t names, skip = 0;
    int ret;

    ret = bdrv_co_pread(bs->file, offset, SN_HEADER_SIZE, buf, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to read snapshot table");
        return ret;
    }
    extra = be32_to_cpu(h->extra_data_size);
    names = (size_t)be16_to_cpu(h->id_str_size) + be16_to_cpu(h->name_size);
    if (extra > QCOW_MAX_SNAPSHOT_EXTRA_DATA) {
        if (!repair) {
            error_setg(errp, "Too much extra metadata in snapshot table "
                       "entry %u", i);
            error_append_hint(errp, "You can force-remove this extra "
                              "metadata with qemu-img check -r all\n");
            return -EFBIG;
        }
        fprintf(stderr, "Discarding too much extra metadata in snapshot "
                "table entry %u (%" PRIu32 " > %u)\n", i, extra,
                QCOW_MAX_SNAPSHOT_EXTRA_DATA);
        res->corruptions_fixed++;
        skip = extra;
        extra = 0;
        h->extra_data_size = 0;
    }
    ret = bdrv_co_pread(bs->file, offset + SN_HEADER_SIZE + skip,
                        extra + names, buf + SN_HEADER_SIZE, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to read snapshot table");
        return ret;
    }
    ret = qcow2_snapshot_parse_entry(buf, SN_HEADER_SIZE + extra + names,
                                     disk_size, sn, used, errp);
    *used += skip;
    return ret;
}

/* Read the table; see read_one_snapshot() for @repair and @res. */
static int coroutine_fn GRAPH_RDLOCK
read_snapshot_table(BlockDriverState *bs, bool repair, BdrvCheckResult *res,
                    Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t offset = s->snapshots_offset;
    g_autofree uint8_t *buf = g_malloc(SN_HEADER_SIZE + 3 * 65536);
    QCowSnapshot *sns;
    uint64_t end = offset;
    unsigned nb = s->nb_snapshots;
    int ret = 0;

    sns = g_new0(QCowSnapshot, MAX(nb, 1));
    for (unsigned i = 0; i < nb; i++) {
        size_t used;

        ret = read_one_snapshot(bs, i, offset, buf, &sns[i], &used, repair,
                                res, errp);
        if (ret < 0) {
            goto fail;
        }
        /* Where the entry ends: @used counts the padding after it. */
        end = offset + used - (sn_entry_size(&sns[i]) -
                               sn_entry_raw_size(&sns[i]));
        offset += used;
        if (offset - s->snapshots_offset > QCOW_MAX_SNAPSHOTS_SIZE) {
            error_setg(errp, "Snapshot table is too big");
            ret = -EFBIG;
            goto fail;
        }
    }
    qcow2_free_snapshots(bs);
    s->snapshots = sns;
    s->nb_snapshots = nb;
    s->snapshots_size = end - s->snapshots_offset;
    return 0;

fail:
    qcow2_free_snapshot_array(sns, nb);
    return ret;
}

int coroutine_fn qcow2_read_snapshots(BlockDriverState *bs, Error **errp)
{
    return read_snapshot_table(bs, false, NULL, errp);
}

int qcow2_write_snapshots(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *buf = NULL;
    uint64_t old_off = s->snapshots_offset;
    int old_size = s->snapshots_size;
    int64_t off = 0;
    size_t size;
    uint8_t hdr[12];
    int ret;

    /*
     * Like 7.2, every rewritten entry carries at least the extra data
     * this version knows (VM state size, disk size, icount).
     */
    for (unsigned i = 0; i < s->nb_snapshots; i++) {
        s->snapshots[i].extra_data_size = MAX(s->snapshots[i].extra_data_size,
                                              sizeof(QCowSnapshotExtraData));
    }
    buf = qcow2_snapshot_serialize_table(s->snapshots, s->nb_snapshots,
                                         &size);
    size = sn_table_size(s->snapshots, s->nb_snapshots, size);
    if (size > QCOW_MAX_SNAPSHOTS_SIZE) {
        return -EFBIG;
    }
    if (size) {
        off = qcow2_alloc_clusters(bs, size);
        if (off < 0) {
            return off;
        }
        ret = qcow2_flush_caches(bs);
        if (ret >= 0) {
            ret = qcow2_pre_write_overlap_check(bs, 0, off, size, false);
        }
        if (ret >= 0) {
            ret = bdrv_pwrite(bs->file, off, size, buf, 0);
        }
        if (ret < 0) {
            qcow2_free_clusters(bs, off, size, QCOW2_DISCARD_ALWAYS);
            return ret;
        }
    }

    /* nb_snapshots (4 bytes) and snapshots_offset (8) are adjacent. */
    stl_be_p(hdr, s->nb_snapshots);
    stq_be_p(hdr + 4, off);
    ret = bdrv_pwrite_sync(bs->file, offsetof(QCowHeader, nb_snapshots),
                           sizeof(hdr), hdr, 0);
    if (ret < 0) {
        if (size) {
            qcow2_free_clusters(bs, off, size, QCOW2_DISCARD_ALWAYS);
        }
        return ret;
    }
    s->snapshots_offset = off;
    s->snapshots_size = size;
    if (old_size) {
        qcow2_free_clusters(bs, old_off, old_size, QCOW2_DISCARD_SNAPSHOT);
    }
    return 0;
}

/* Index of the snapshot with @id (if non-NULL) and @name (if non-NULL). */
static int find_snapshot(BDRVQcow2State *s, const char *id, const char *name)
{
    for (unsigned i = 0; i < s->nb_snapshots; i++) {
        if ((!id || !strcmp(s->snapshots[i].id_str, id)) &&
            (!name || !strcmp(s->snapshots[i].name, name))) {
            return i;
        }
    }
    return -1;
}

/* Snapshot whose ID is @id_or_name, else whose name is. */
static int find_snapshot_by_id_or_name(BDRVQcow2State *s,
                                       const char *id_or_name)
{
    int i = find_snapshot(s, id_or_name, NULL);

    return i >= 0 ? i : find_snapshot(s, NULL, id_or_name);
}

/* Smallest numeric ID above all existing ones. */
static void new_snapshot_id(BDRVQcow2State *s, char *id, size_t size)
{
    unsigned long max = 0;

    for (unsigned i = 0; i < s->nb_snapshots; i++) {
        unsigned long v = strtoul(s->snapshots[i].id_str, NULL, 10);

        max = MAX(max, v);
    }
    snprintf(id, size, "%lu", max + 1);
}

/* Copy the active L1 table to new clusters; their offset or -errno. */
static int64_t GRAPH_RDLOCK
copy_active_l1(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t bytes = s->l1_size * 8ULL;
    g_autofree uint64_t *l1 = NULL;
    int64_t off;
    int ret;

    off = qcow2_alloc_clusters(bs, MAX(bytes, 8));
    if (off < 0) {
        return off;
    }
    l1 = g_new0(uint64_t, MAX(s->l1_size, 1));
    for (int i = 0; i < s->l1_size; i++) {
        l1[i] = cpu_to_be64(s->l1_table[i]);
    }
    ret = qcow2_pre_write_overlap_check(bs, 0, off, MAX(bytes, 8), false);
    if (ret >= 0 && bytes) {
        ret = bdrv_pwrite(bs->file, off, bytes, l1, 0);
    }
    if (ret < 0) {
        qcow2_free_clusters(bs, off, MAX(bytes, 8), QCOW2_DISCARD_ALWAYS);
        return ret;
    }
    return off;
}

int qcow2_snapshot_create(BlockDriverState *bs, QEMUSnapshotInfo *sn_info)
{
    BDRVQcow2State *s = bs->opaque;
    QCowSnapshot sn = { 0 };
    QCowSnapshot *old = s->snapshots;
    char id[32];
    int64_t l1_off;
    int ret;

    if (has_data_file(bs)) {
        return -ENOTSUP;
    }
    if (s->nb_snapshots >= QCOW_MAX_SNAPSHOTS) {
        return -EFBIG;
    }
    if (!sn_info->id_str[0]) {
        new_snapshot_id(s, id, sizeof(id));
        pstrcpy(sn_info->id_str, sizeof(sn_info->id_str), id);
    }
    if (find_snapshot(s, sn_info->id_str, NULL) >= 0) {
        return -EEXIST;
    }

    l1_off = copy_active_l1(bs);
    if (l1_off < 0) {
        return l1_off;
    }
    ret = qcow2_update_snapshot_refcount(bs, s->l1_table_offset, s->l1_size,
                                         1);
    if (ret < 0) {
        qcow2_free_clusters(bs, l1_off, MAX(s->l1_size * 8ULL, 8),
                            QCOW2_DISCARD_ALWAYS);
        return ret;
    }

    sn.l1_table_offset = l1_off;
    sn.l1_size = s->l1_size;
    sn.id_str = g_strdup(sn_info->id_str);
    sn.name = g_strdup(sn_info->name);
    sn.vm_state_size = sn_info->vm_state_size;
    sn.date_sec = sn_info->date_sec;
    sn.date_nsec = sn_info->date_nsec;
    sn.vm_clock_nsec = sn_info->vm_clock_nsec;
    sn.icount = sn_info->icount;
    sn.disk_size = bs->total_sectors * BDRV_SECTOR_SIZE;
    sn.extra_data_size = sizeof(QCowSnapshotExtraData);

    s->snapshots = g_new(QCowSnapshot, s->nb_snapshots + 1);
    if (s->nb_snapshots) {
        memcpy(s->snapshots, old, s->nb_snapshots * sizeof(*old));
    }
    s->snapshots[s->nb_snapshots++] = sn;
    ret = qcow2_write_snapshots(bs);
    if (ret < 0) {
        g_free(s->snapshots);
        s->snapshots = old;
        s->nb_snapshots--;
        g_free(sn.id_str);
        g_free(sn.name);
        /* Give the references back; the copy of L1 is not needed. */
        qcow2_update_snapshot_refcount(bs, s->l1_table_offset, s->l1_size,
                                       -1);
        qcow2_free_clusters(bs, l1_off, MAX(sn.l1_size * 8ULL, 8),
                            QCOW2_DISCARD_ALWAYS);
        return ret;
    }
    g_free(old);

    /* The VM state lives on in the snapshot: drop it from the active L1. */
    if (sn.vm_state_size) {
        qcow2_cluster_discard(bs, qcow2_vm_state_offset(s),
                              ROUND_UP(sn.vm_state_size, s->cluster_size),
                              QCOW2_DISCARD_NEVER, false);
    }
    return 0;
}

/* Read the L1 table of @sn (big-endian, @l1_size entries, zero padded). */
static int GRAPH_RDLOCK
read_snapshot_l1(BlockDriverState *bs, QCowSnapshot *sn,
                 int l1_size, uint64_t **l1)
{
    int ret;

    *l1 = g_try_malloc0(MAX(l1_size, 1) * 8ULL);
    if (!*l1) {
        return -ENOMEM;
    }
    if (!sn->l1_size) {
        return 0;
    }
    ret = bdrv_pread(bs->file, sn->l1_table_offset, sn->l1_size * 8ULL, *l1,
                     0);
    if (ret < 0) {
        g_free(*l1);
        *l1 = NULL;
    }
    return ret;
}

/* The guest size changes with the snapshot applied (header and node). */
static int GRAPH_RDLOCK set_disk_size(BlockDriverState *bs, uint64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t be = cpu_to_be64(size);
    int ret;

    ret = bdrv_pwrite_sync(bs->file, offsetof(QCowHeader, size), 8, &be, 0);
    if (ret < 0) {
        return ret;
    }
    bs->total_sectors = DIV_ROUND_UP(size, BDRV_SECTOR_SIZE);
    s->l1_vm_state_index = size_to_l1(s, size);
    return 0;
}

int qcow2_snapshot_goto(BlockDriverState *bs, const char *snapshot_id)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint64_t *sn_l1 = NULL;
    g_autofree uint64_t *old_l1 = NULL;
    QCowSnapshot *sn;
    int old_size, idx, ret;
    bool changed;

    GRAPH_RDLOCK_GUARD_MAINLOOP();

    idx = find_snapshot_by_id_or_name(s, snapshot_id);
    if (idx < 0) {
        return -ENOENT;
    }
    sn = &s->snapshots[idx];
    if (has_data_file(bs)) {
        return -ENOTSUP;
    }
    if (sn->l1_size > QCOW_MAX_L1_SIZE / 8 ||
        offset_into_cluster(s, sn->l1_table_offset)) {
        error_report("Snapshot L1 table is invalid");
        return -EFBIG;
    }
    ret = qcow2_grow_l1_table(bs, sn->l1_size, true);
    if (ret < 0) {
        return ret;
    }
    old_size = s->l1_size;
    ret = read_snapshot_l1(bs, sn, old_size, &sn_l1);
    if (ret < 0) {
        return ret;
    }
    /* Take the snapshot's clusters first, then drop the current ones. */
    ret = qcow2_update_snapshot_refcount(bs, sn->l1_table_offset,
                                         sn->l1_size, 1);
    if (ret < 0) {
        return ret;
    }
    ret = qcow2_pre_write_overlap_check(bs, QCOW2_OL_ACTIVE_L1,
                                        s->l1_table_offset,
                                        old_size * 8ULL, false);
    if (ret >= 0) {
        ret = bdrv_pwrite_sync(bs->file, s->l1_table_offset,
                               old_size * 8ULL, sn_l1, 0);
    }
    if (ret < 0) {
        return ret;
    }

    old_l1 = g_memdup2(s->l1_table, old_size * 8ULL);
    for (int i = 0; i < old_size; i++) {
        s->l1_table[i] = be64_to_cpu(sn_l1[i]);
    }
    ret = qcow2_update_l1_refcounts(bs, old_l1, old_size, -1, &changed);
    if (ret < 0) {
        return ret;
    }
    /* Recompute COPIED for what is active now. */
    ret = qcow2_update_snapshot_refcount(bs, s->l1_table_offset, old_size,
                                         0);
    if (ret < 0) {
        return ret;
    }
    if (sn->disk_size != bs->total_sectors * BDRV_SECTOR_SIZE) {
        ret = set_disk_size(bs, sn->disk_size);
    }
    return ret;
}

int qcow2_snapshot_delete(BlockDriverState *bs, const char *snapshot_id,
                          const char *name, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint64_t *l1 = NULL;
    QCowSnapshot sn;
    bool changed;
    int idx, ret;

    if (has_data_file(bs)) {
        error_setg(errp, "Snapshots are not supported with an external "
                   "data file");
        return -ENOTSUP;
    }
    idx = find_snapshot(s, snapshot_id, name);
    if (idx < 0) {
        error_setg(errp, "Can't find the snapshot");
        return -ENOENT;
    }
    sn = s->snapshots[idx];

    memmove(&s->snapshots[idx], &s->snapshots[idx + 1],
            (s->nb_snapshots - idx - 1) * sizeof(sn));
    s->nb_snapshots--;
    ret = qcow2_write_snapshots(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to remove snapshot from "
                         "snapshot list");
        goto out;
    }

    ret = read_snapshot_l1(bs, &sn, sn.l1_size, &l1);
    if (ret >= 0) {
        for (uint32_t i = 0; i < sn.l1_size; i++) {
            be64_to_cpus(&l1[i]);
        }
        s->cache_discards = true;
        ret = qcow2_update_l1_refcounts(bs, l1, sn.l1_size, -1, &changed);
        s->cache_discards = false;
        qcow2_process_discards(bs, ret);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to free the cluster and L1 "
                         "table");
        goto out;
    }
    qcow2_free_clusters(bs, sn.l1_table_offset, MAX(sn.l1_size * 8ULL, 8),
                        QCOW2_DISCARD_SNAPSHOT);

    ret = qcow2_update_snapshot_refcount(bs, s->l1_table_offset, s->l1_size,
                                         0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to update snapshot status in "
                         "disk");
    }
out:
    g_free(sn.id_str);
    g_free(sn.name);
    g_free(sn.unknown_extra_data);
    return ret;
}

int qcow2_snapshot_list(BlockDriverState *bs, QEMUSnapshotInfo **psn_tab)
{
    BDRVQcow2State *s = bs->opaque;
    QEMUSnapshotInfo *tab;

    if (!s->nb_snapshots) {
        *psn_tab = NULL;
        return 0;
    }
    tab = g_new0(QEMUSnapshotInfo, s->nb_snapshots);
    for (unsigned i = 0; i < s->nb_snapshots; i++) {
        QCowSnapshot *sn = &s->snapshots[i];

        pstrcpy(tab[i].id_str, sizeof(tab[i].id_str), sn->id_str);
        pstrcpy(tab[i].name, sizeof(tab[i].name), sn->name);
        tab[i].vm_state_size = sn->vm_state_size;
        tab[i].date_sec = sn->date_sec;
        tab[i].date_nsec = sn->date_nsec;
        tab[i].vm_clock_nsec = sn->vm_clock_nsec;
        tab[i].icount = sn->icount;
    }
    *psn_tab = tab;
    return s->nb_snapshots;
}

int qcow2_snapshot_load_tmp(BlockDriverState *bs, const char *snapshot_id,
                            const char *name, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    QCowSnapshot *sn;
    uint64_t *l1;
    uint64_t bytes;
    int idx, ret;

    assert(bdrv_is_read_only(bs));
    idx = find_snapshot(s, snapshot_id, name);
    if (idx < 0) {
        error_setg(errp, "Can't find snapshot");
        return -ENOENT;
    }
    sn = &s->snapshots[idx];
    if (sn->l1_size > QCOW_MAX_L1_SIZE / 8) {
        error_setg(errp, "Snapshot L1 table too large");
        return -EFBIG;
    }
    if (offset_into_cluster(s, sn->l1_table_offset)) {
        error_setg(errp, "Snapshot L1 table offset invalid");
        return -EINVAL;
    }
    bytes = sn->l1_size * 8ULL;
    l1 = qemu_try_blockalign(bs->file->bs, ROUND_UP(MAX(bytes, 8), 512));
    if (!l1) {
        error_setg(errp, "Cannot allocate the snapshot L1 table");
        return -ENOMEM;
    }
    memset(l1, 0, ROUND_UP(MAX(bytes, 8), 512));
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    ret = bytes ? bdrv_pread(bs->file, sn->l1_table_offset, bytes, l1, 0)
                : 0;
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to load snapshot L1 table");
        qemu_vfree(l1);
        return ret;
    }
    for (uint32_t i = 0; i < sn->l1_size; i++) {
        be64_to_cpus(&l1[i]);
    }
    /* From now on the node reads the snapshot (it is read-only). */
    qemu_vfree(s->l1_table);
    s->l1_table = l1;
    s->l1_size = sn->l1_size;
    s->l1_table_offset = sn->l1_table_offset;
    return 0;
}

int coroutine_fn
qcow2_check_read_snapshot_table(BlockDriverState *bs, BdrvCheckResult *result,
                                BdrvCheckMode fix)
{
    BDRVQcow2State *s = bs->opaque;
    int fixed = result->corruptions_fixed;
    Error *err = NULL;
    int ret;

    ret = read_snapshot_table(bs, fix & BDRV_FIX_ERRORS, result, &err);
    if (ret < 0) {
        result->check_errors++;
        error_reportf_err(err, "ERROR failed to read the snapshot table: ");
        return ret;
    }
    /* Entries cut down here are written back by the fix step. */
    if (result->corruptions_fixed != fixed) {
        s->snapshots_need_rewrite = true;
    }
    /*
     * Version 3 entries must carry the VM state size and the disk size
     * (16 bytes of extra data); rewriting the table adds them.
     */
    for (unsigned i = 0; s->qcow_version >= 3 && i < s->nb_snapshots; i++) {
        if (s->snapshots[i].extra_data_size >= 16) {
            continue;
        }
        result->corruptions++;
        fprintf(stderr, "%s snapshot table entry %u is incomplete\n",
                fix & BDRV_FIX_ERRORS ? "Repairing" : "ERROR", i);
        if (fix & BDRV_FIX_ERRORS) {
            s->snapshots_need_rewrite = true;
        }
    }
    return 0;
}

int coroutine_fn
qcow2_check_fix_snapshot_table(BlockDriverState *bs, BdrvCheckResult *result,
                               BdrvCheckMode fix)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!s->snapshots_need_rewrite || !(fix & BDRV_FIX_ERRORS)) {
        return 0;
    }
    ret = qcow2_write_snapshots(bs);
    if (ret < 0) {
        result->check_errors++;
        fprintf(stderr, "ERROR failed to update snapshot table: %s\n",
                strerror(-ret));
        return ret;
    }
    s->snapshots_need_rewrite = false;
    /* The incomplete entries counted by the read step are whole now. */
    result->corruptions_fixed += result->corruptions;
    result->corruptions = 0;
    return 0;
}
