/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 refcount work for whole-image operations: changing the refcount
 * width (amend refcount_bits) by writing a complete new refcount
 * structure, the last used cluster for shrinking, and detection of
 * preallocated metadata.
 * The everyday refcount updates live in qcow2-refcount.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "qcow2.h"

int64_t qcow2_get_last_cluster(BlockDriverState *bs, int64_t size)
{
    BDRVQcow2State *s = bs->opaque;

    for (int64_t i = size_to_clusters(s, size) - 1; i >= 0; i--) {
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, i, &rc);

        if (ret < 0) {
            return ret;
        }
        if (rc) {
            return i;
        }
    }
    qcow2_signal_corruption(bs, true, -1, -1, "There are no references "
                            "in the refcount table.");
    return -EIO;
}

int coroutine_fn qcow2_detect_metadata_preallocation(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t len, host, used = 0, limit;

    len = bdrv_co_getlength(bs->file->bs);
    host = bdrv_co_get_allocated_file_size(bs->file->bs);
    if (len < 0 || host < 0) {
        return len < 0 ? len : host;
    }
    /*
     * Refcounts claim clusters the host file does not really hold (with
     * some slack for rounding): the metadata was preallocated.
     */
    host >>= s->cluster_bits;
    limit = MAX(host + host / 9, host + 2);
    for (uint64_t i = 0; i < size_to_clusters(s, len); i++) {
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, i, &rc);

        if (ret < 0) {
            return ret;
        }
        if (rc && ++used > limit) {
            return 1;
        }
    }
    return 0;
}

int qcow2_shrink_reftable(BlockDriverState *bs)
{
    /* Keeping unused refcount blocks is valid: nothing to do. */
    return 0;
}

/* Refcount geometry of @s for entries of 2^@order bits. */
static void set_refcount_order(BDRVQcow2State *s, int order)
{
    s->refcount_order = order;
    s->refcount_bits = 1 << order;
    s->refcount_max = s->refcount_bits == 64 ? UINT64_MAX :
                      (1ULL << s->refcount_bits) - 1;
    s->refcount_block_bits = s->cluster_bits + 3 - order;
    s->refcount_block_size = 1 << s->refcount_block_bits;
    qcow2_refcount_funcs(order, &s->get_refcount, &s->set_refcount);
}

/* All refcounts of [0, @nb) in the packing of 2^@order bits, or NULL. */
static void *GRAPH_RDLOCK
collect_refcounts(BlockDriverState *bs, int order, uint64_t nb,
                  Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t max = order == 6 ? UINT64_MAX : (1ULL << (1 << order)) - 1;
    g_autofree void *refs = g_try_malloc0(DIV_ROUND_UP(MAX(nb, 1) << order,
                                                       8));
    Qcow2GetRefcountFunc *get;
    Qcow2SetRefcountFunc *set;

    if (!refs) {
        error_setg(errp, "Could not allocate the refcount array");
        return NULL;
    }
    qcow2_refcount_funcs(order, &get, &set);
    for (uint64_t i = 0; i < nb; i++) {
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, i, &rc);

        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to get refcount for "
                             "cluster %" PRIu64, i);
            return NULL;
        }
        if (rc > max) {
            error_setg(errp, "Cannot decrease refcount entry width to %i "
                       "bits: Cluster at offset %#" PRIx64 " has a refcount "
                       "of %" PRIu64, 1 << order, i << s->cluster_bits, rc);
            return NULL;
        }
        set(refs, i, rc);
    }
    return g_steal_pointer(&refs);
}

int qcow2_change_refcount_order(BlockDriverState *bs, int refcount_order,
                                BlockDriverAmendStatusCB *status_cb,
                                void *cb_opaque, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int old_order = s->refcount_order;
    uint64_t *old_table = s->refcount_table, old_offset, old_entries;
    uint64_t *table, entries, offset, nb;
    g_autofree void *refs = NULL;
    int64_t len;
    int ret;

    assert(refcount_order >= 0 && refcount_order <= 6);
    if (refcount_order == old_order) {
        return 0;
    }
    len = bdrv_getlength(bs->file->bs);
    if (len < 0) {
        error_setg_errno(errp, -len, "Could not get the image file length");
        return len;
    }
    /* Everything counted lies below the file end or the last refcount. */
    nb = MAX((uint64_t)size_to_clusters(s, len),
             (uint64_t)(s->max_refcount_table_index + 1) <<
             s->refcount_block_bits);
    while (nb > size_to_clusters(s, len)) {
        uint64_t rc;

        if (qcow2_get_refcount(bs, nb - 1, &rc) < 0 || rc) {
            break;
        }
        nb--;
    }
    ret = qcow2_cache_flush(bs, s->refcount_block_cache);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to flush the refcount cache");
        return ret;
    }
    refs = collect_refcounts(bs, refcount_order, nb, errp);
    if (!refs) {
        return -EINVAL;
    }
    if (status_cb) {
        status_cb(bs, 1, 3, cb_opaque);
    }
    ret = qcow2_write_new_refcount_structure(bs, refs, refcount_order, nb,
                                             &table, &entries, &offset);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to write the new refcount "
                         "structure");
        return ret;
    }
    if (status_cb) {
        status_cb(bs, 2, 3, cb_opaque);
    }

    qcow2_cache_empty(bs, s->refcount_block_cache);
    old_offset = s->refcount_table_offset;
    old_entries = s->refcount_table_size;
    set_refcount_order(s, refcount_order);
    s->refcount_table = table;
    s->refcount_table_offset = offset;
    s->refcount_table_size = entries;
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        /* Back to the old structure; the new one is leaked. */
        set_refcount_order(s, old_order);
        s->refcount_table = old_table;
        s->refcount_table_offset = old_offset;
        s->refcount_table_size = old_entries;
        g_free(table);
        error_setg_errno(errp, -ret, "Failed to update the qcow2 header");
        return ret;
    }
    qcow2_update_max_refcount_table_index(s);
    s->free_cluster_index = 0;

    /* The old refcount blocks and table are free now. */
    for (uint64_t i = 0; i < old_entries; i++) {
        uint64_t off = old_table[i] & REFT_OFFSET_MASK;

        if (off) {
            qcow2_free_clusters(bs, off, s->cluster_size,
                                QCOW2_DISCARD_OTHER);
        }
    }
    qcow2_free_clusters(bs, old_offset, old_entries * 8, QCOW2_DISCARD_OTHER);
    g_free(old_table);
    if (status_cb) {
        status_cb(bs, 3, 3, cb_opaque);
    }
    return 0;
}
