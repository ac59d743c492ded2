/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 check, rebuilding half: write a complete new refcount structure
 * (refcount blocks and table) for the refcounts a check counted, placed
 * first fit in the clusters those refcounts leave free, as QEMU 7.2 does
 * for `qemu-img check -r all`.  Switching the header over is the
 * caller's job (qcow2-check.c).
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qcow2.h"

/* The expected refcounts, extended as the new structure takes clusters. */
typedef struct NewRefs {
    uint8_t *buf;           /* 2^order bits per cluster */
    uint64_t cap;           /* clusters @buf has room for */
    uint64_t nb;            /* clusters described; all later ones free */
    uint64_t first_free;    /* no free cluster below this one */
    int order;
    Qcow2GetRefcountFunc *get;
    Qcow2SetRefcountFunc *set;
} NewRefs;

static bool newrefs_grow(NewRefs *r, uint64_t clusters)
{
    uint64_t cap = MAX(clusters, r->cap * 2);
    size_t old = DIV_ROUND_UP(r->cap << r->order, 8);
    size_t want = DIV_ROUND_UP(cap << r->order, 8);
    uint8_t *buf;

    if (clusters <= r->cap) {
        return true;
    }
    buf = g_try_realloc(r->buf, want);
    if (!buf) {
        return false;
    }
    memset(buf + old, 0, want - old);
    r->buf = buf;
    r->cap = cap;
    return true;
}

/*
 * First fit, as 7.2 places a rebuilt structure: the first @n free
 * clusters in a row get refcount 1.  Their index, or -ENOMEM.
 */
static int64_t newrefs_alloc(NewRefs *r, uint64_t n)
{
    uint64_t start = r->first_free, c;

    /* Everything past r->nb is free: the search ends there at last. */
    for (c = start; c - start < n; c++) {
        if (c < r->nb && r->get(r->buf, c)) {
            start = c + 1;
        }
    }
    if (!newrefs_grow(r, start + n)) {
        return -ENOMEM;
    }
    for (c = start; c < start + n; c++) {
        r->set(r->buf, c, 1);
    }
    r->nb = MAX(r->nb, start + n);
    while (r->first_free < r->nb && r->get(r->buf, r->first_free)) {
        r->first_free++;
    }
    return start;
}

static bool newrefs_range_used(NewRefs *r, uint64_t lo, uint64_t n)
{
    for (uint64_t c = lo; c < lo + n && c < r->nb; c++) {
        if (r->get(r->buf, c)) {
            return true;
        }
    }
    return false;
}

/*
 * Place the new refcount blocks (one per range holding a used cluster,
 * in index order) and then the table, first fit; repeat until the
 * blocks cover themselves and the table.  *@blk gets the block cluster
 * of each of *@entries table entries (0: none).  0 or -errno.
 */
static int place_refcount_structure(BDRVQcow2State *s, NewRefs *r,
                                    uint64_t **blk, uint64_t *entries,
                                    uint64_t *tbl_off, uint64_t *tbl_clusters)
{
    uint64_t rb_size = (uint64_t)s->cluster_size * 8 >> r->order;
    uint64_t have = 0;
    int64_t c;

    for (;;) {
        bool changed = false;
        uint64_t need;

        *entries = DIV_ROUND_UP(r->nb, rb_size);
        if (*entries * 8 > QCOW_MAX_REFTABLE_SIZE) {
            return -EFBIG;
        }
        if (*entries > have) {
            *blk = g_renew(uint64_t, *blk, *entries);
            memset(*blk + have, 0, (*entries - have) * 8);
            have = *entries;
        }
        for (uint64_t b = 0; b < *entries; b++) {
            if (!(*blk)[b] && newrefs_range_used(r, b * rb_size, rb_size)) {
                c = newrefs_alloc(r, 1);
                if (c < 0) {
                    return c;
                }
                (*blk)[b] = c;
                changed = true;
            }
        }
        need = size_to_clusters(s, *entries * 8);
        if (changed || need <= *tbl_clusters) {
            if (!changed) {
                return 0;
            }
            continue;
        }
        /* A table outgrown by its own blocks is given back. */
        for (uint64_t i = 0; i < *tbl_clusters; i++) {
            r->set(r->buf, *tbl_off + i, 0);
        }
        r->first_free = MIN(r->first_free, *tbl_off);
        c = newrefs_alloc(r, need);
        if (c < 0) {
            return c;
        }
        *tbl_off = c;
        *tbl_clusters = need;
    }
}

/* Write refcount block or table @buf at cluster @c; 7.2's error message. */
static int GRAPH_RDLOCK
write_refcount_meta(BlockDriverState *bs, uint64_t c, uint64_t bytes,
                    const void *buf, const char *what)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    /*
     * The clusters are free by the expected refcounts, but a bogus table
     * (an L1 table claiming to run far past the end of the file) may
     * still cover them: 7.2 refuses such a write.
     */
    ret = qcow2_pre_write_overlap_check(bs, 0, c << s->cluster_bits, bytes,
                                        false);
    if (ret >= 0) {
        ret = bdrv_pwrite(bs->file, c << s->cluster_bits, bytes, buf, 0);
    }
    if (ret < 0) {
        error_report("ERROR writing %s: %s", what, strerror(-ret));
    }
    return ret;
}

int qcow2_write_new_refcount_structure(BlockDriverState *bs, const void *refs,
                                       int order, uint64_t nb_clusters,
                                       uint64_t **table,
                                       uint64_t *table_entries,
                                       uint64_t *table_offset)
{
    BDRVQcow2State *s = bs->opaque;
    NewRefs r = { .order = order };
    g_autofree uint64_t *blk = NULL;
    g_autofree uint64_t *tbl = NULL;
    uint64_t entries = 0, tbl_off = 0, tbl_clusters = 0;
    int ret;

    qcow2_refcount_funcs(order, &r.get, &r.set);
    r.buf = g_try_malloc0(DIV_ROUND_UP(MAX(nb_clusters, 1) << order, 8));
    if (!r.buf) {
        return -ENOMEM;
    }
    memcpy(r.buf, refs, DIV_ROUND_UP(nb_clusters << order, 8));
    r.cap = r.nb = nb_clusters;
    while (r.first_free < r.nb && r.get(r.buf, r.first_free)) {
        r.first_free++;
    }

    ret = place_refcount_structure(s, &r, &blk, &entries, &tbl_off,
                                   &tbl_clusters);
    if (ret >= 0 && !newrefs_grow(&r, entries * (s->cluster_size * 8 >>
                                                 order))) {
        ret = -ENOMEM;
    }
    tbl = ret < 0 ? NULL : g_try_new0(uint64_t, tbl_clusters *
                                                s->cluster_size / 8);
    if (ret >= 0 && !tbl) {
        ret = -ENOMEM;
    }
    for (uint64_t b = 0; ret >= 0 && b < entries; b++) {
        if (blk[b]) {
            tbl[b] = cpu_to_be64(blk[b] << s->cluster_bits);
            ret = write_refcount_meta(bs, blk[b], s->cluster_size,
                                      r.buf + b * s->cluster_size,
                                      "refblock");
        }
    }
    g_free(r.buf);
    if (ret >= 0) {
        ret = write_refcount_meta(bs, tbl_off,
                                  tbl_clusters << s->cluster_bits, tbl,
                                  "reftable");
    }
    if (ret >= 0) {
        ret = bdrv_flush(bs->file->bs);
    }
    if (ret < 0) {
        return ret;
    }
    *table_entries = tbl_clusters * s->cluster_size / 8;
    for (uint64_t i = 0; i < *table_entries; i++) {
        be64_to_cpus(&tbl[i]);
    }
    *table = g_steal_pointer(&tbl);
    *table_offset = tbl_off << s->cluster_bits;
    return 0;
}
