/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NBD server: metadata contexts.  NBD_OPT_LIST_META_CONTEXT and
 * NBD_OPT_SET_META_CONTEXT (queries, prefix matches for listing) and the
 * extents NBD_CMD_BLOCK_STATUS returns for "base:allocation",
 * "qemu:allocation-depth" and "qemu:dirty-bitmap:NAME".
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "block/block_int.h"
#include "nbd/server-int.h"

void nbd_meta_clear(NBDMetaSelection *meta)
{
    g_free(meta->bitmaps);
    memset(meta, 0, sizeof(*meta));
}

/*
 * Mark in @sel what @query names.  Listing (not @set) also accepts the
 * namespace prefixes "base:", "qemu:" and "qemu:dirty-bitmap:".
 */
static void nbd_meta_match(NBDExport *exp, NBDMetaSelection *sel,
                           const char *query, bool set)
{
    bool all_bitmaps = false;

    if (!strcmp(query, NBD_META_BASE_ALLOCATION) ||
        (!set && !strcmp(query, NBD_META_NS_BASE ":"))) {
        sel->base_allocation = true;
        return;
    }
    if (!set && !strcmp(query, NBD_META_NS_QEMU ":")) {
        sel->allocation_depth |= exp->allocation_depth;
        all_bitmaps = true;
    } else if (!strcmp(query, NBD_META_QEMU_DEPTH)) {
        sel->allocation_depth |= exp->allocation_depth;
        return;
    } else if (!set && !strcmp(query, NBD_META_QEMU_DIRTY_BITMAP)) {
        all_bitmaps = true;
    }
    for (size_t i = 0; i < exp->nr_bitmaps; i++) {
        if (all_bitmaps || !strcmp(query, exp->bitmap_ctx[i])) {
            sel->bitmaps[i] = true;
        }
    }
}

/* One NBD_REP_META_CONTEXT reply. */
static int coroutine_fn nbd_send_meta_context(NBDClient *client,
                                              uint32_t id, const char *name,
                                              Error **errp)
{
    size_t len = strlen(name);
    g_autofree char *buf = g_malloc(4 + len);

    stl_be_p(buf, client->opt == NBD_OPT_SET_META_CONTEXT ? id : 0);
    memcpy(buf + 4, name, len);
    return nbd_opt_reply(client, NBD_REP_META_CONTEXT, buf, 4 + len, errp);
}

/* Reply with every context of @sel, in id order, then ACK. */
static int coroutine_fn nbd_send_meta_selection(NBDClient *client,
                                                NBDExport *exp,
                                                NBDMetaSelection *sel,
                                                Error **errp)
{
    if (sel->base_allocation) {
        sel->count++;
        if (nbd_send_meta_context(client, NBD_META_ID_BASE_ALLOCATION,
                                  NBD_META_BASE_ALLOCATION, errp) < 0) {
            return -1;
        }
    }
    if (sel->allocation_depth) {
        sel->count++;
        if (nbd_send_meta_context(client, NBD_META_ID_ALLOCATION_DEPTH,
                                  NBD_META_QEMU_DEPTH, errp) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < exp->nr_bitmaps; i++) {
        if (!sel->bitmaps[i]) {
            continue;
        }
        sel->count++;
        if (nbd_send_meta_context(client, NBD_META_ID_DIRTY_BITMAP + i,
                                  exp->bitmap_ctx[i], errp) < 0) {
            return -1;
        }
    }
    return nbd_opt_reply(client, NBD_REP_ACK, NULL, 0, errp);
}

/* Read the queries into @sel: 1 done, 0 refused (go on), -1 drop. */
static int coroutine_fn nbd_meta_read_queries(NBDClient *client,
                                              NBDExport *exp,
                                              NBDMetaSelection *sel,
                                              Error **errp)
{
    bool set = client->opt == NBD_OPT_SET_META_CONTEXT;
    uint32_t nr;
    int ret;

    ret = nbd_opt_read(client, &nr, sizeof(nr), errp);
    if (ret <= 0) {
        return ret;
    }
    nr = be32_to_cpu(nr);
    if (nr > client->optlen / sizeof(uint32_t)) {
        ret = nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                            "Inconsistent lengths in option %s",
                            nbd_server_opt_name(client->opt));
        return ret < 0 ? -1 : 0;
    }
    if (nr == 0 && !set) {
        nbd_meta_match(exp, sel, NBD_META_NS_BASE ":", false);
        nbd_meta_match(exp, sel, NBD_META_NS_QEMU ":", false);
    }
    for (uint32_t i = 0; i < nr; i++) {
        g_autofree char *query = NULL;

        ret = nbd_opt_read_string(client, NBD_MAX_STRING_SIZE, &query, NULL,
                                  errp);
        if (ret <= 0) {
            return ret;
        }
        if (query) {            /* overlong queries are ignored */
            nbd_meta_match(exp, sel, query, set);
        }
    }
    /* Bytes after the last query are not meaningful: skip them. */
    return nbd_opt_skip(client, errp) < 0 ? -1 : 1;
}

int coroutine_fn nbd_negotiate_meta_context(NBDClient *client, Error **errp)
{
    bool set = client->opt == NBD_OPT_SET_META_CONTEXT;
    NBDMetaSelection sel = { 0 };
    g_autofree char *name = NULL;
    uint32_t namelen;
    NBDExport *exp;
    int ret;

    if (set) {
        nbd_meta_clear(&client->meta);
        if (!client->structured_reply) {
            return nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                                 "request option '%s' when structured "
                                 "reply is not negotiated",
                                 nbd_server_opt_name(client->opt));
        }
    }
    ret = nbd_opt_read_string(client, NBD_MAX_STRING_SIZE, &name, &namelen,
                              errp);
    if (ret <= 0) {
        return ret;
    }
    if (!name) {
        return nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                             "Invalid name length: %" PRIu32, namelen);
    }
    exp = nbd_export_find(name);
    if (!exp) {
        return nbd_opt_unknown_export(client, name, errp);
    }

    sel.exp = exp;
    sel.bitmaps = g_new0(bool, exp->nr_bitmaps);
    ret = nbd_meta_read_queries(client, exp, &sel, errp);
    if (ret > 0) {
        ret = nbd_send_meta_selection(client, exp, &sel, errp);
    }
    if (ret >= 0 && set) {
        client->meta = sel;
    } else {
        nbd_meta_clear(&sel);
    }
    return ret;
}

/* ---- block status ----------------------------------------------------- */

typedef struct NBDExtentList {
    NBDExtent *ext;             /* host-endian until sent */
    size_t nr, max;
    uint64_t covered;
} NBDExtentList;

/* Append (or merge) an extent; false once the list is full. */
static bool nbd_extent_add(NBDExtentList *ea, uint32_t len, uint32_t flags)
{
    if (ea->nr && ea->ext[ea->nr - 1].flags == flags) {
        ea->ext[ea->nr - 1].length += len;
    } else if (ea->nr < ea->max) {
        ea->ext[ea->nr].length = len;
        ea->ext[ea->nr].flags = flags;
        ea->nr++;
    } else {
        return false;
    }
    ea->covered += len;
    return true;
}

/*
 * Fill @ea for "base:allocation" (@depth false) or
 * "qemu:allocation-depth".  0 or -errno.
 */
static int coroutine_fn nbd_extents_status(BlockDriverState *bs,
                                           uint64_t offset, uint32_t len,
                                           bool depth, NBDExtentList *ea)
{
    uint64_t end = offset + len;

    GRAPH_RDLOCK_GUARD();
    while (offset < end) {
        int64_t pnum;
        uint32_t flags;
        int ret;

        if (depth) {
            ret = bdrv_co_is_allocated_above(bs, NULL, false, offset,
                                             end - offset, &pnum);
            flags = ret;
        } else {
            ret = bdrv_co_block_status_above(bs, NULL, offset, end - offset,
                                             &pnum, NULL, NULL);
            flags = (ret & BDRV_BLOCK_DATA ? 0 : NBD_STATE_HOLE) |
                    (ret & BDRV_BLOCK_ZERO ? NBD_STATE_ZERO : 0);
        }
        if (ret < 0) {
            return ret;
        }
        if (pnum <= 0) {
            /* Past the node's end: report the rest as one hole. */
            pnum = end - offset;
        }
        pnum = MIN((uint64_t)pnum, end - offset);
        if (!nbd_extent_add(ea, pnum, flags)) {
            break;              /* full: the reply covers less */
        }
        offset += pnum;
    }
    return 0;
}

/* Fill @ea for a dirty bitmap. */
static void nbd_extents_bitmap(BdrvDirtyBitmap *bm, uint64_t offset,
                               uint32_t len, NBDExtentList *ea)
{
    int64_t size = bdrv_dirty_bitmap_size(bm);
    uint64_t end = MIN(offset + len, (uint64_t)size);

    while (offset < end) {
        int64_t next;
        uint32_t flags;

        if (bdrv_dirty_bitmap_get(bm, offset)) {
            next = bdrv_dirty_bitmap_next_zero(bm, offset, end - offset);
            flags = NBD_STATE_DIRTY;
        } else {
            next = bdrv_dirty_bitmap_next_dirty(bm, offset, end - offset);
            flags = 0;
        }
        if (next < 0 || (uint64_t)next > end) {
            next = end;
        }
        if (!nbd_extent_add(ea, next - offset, flags)) {
            break;
        }
        offset = next;
    }
    if (ea->nr == 0) {
        /* Bitmap shorter than the request: the tail is clean. */
        nbd_extent_add(ea, len, 0);
    }
}

/* Send @ea as one NBD_REPLY_TYPE_BLOCK_STATUS chunk for @id. */
static int coroutine_fn nbd_send_extents(NBDClient *client, uint64_t cookie,
                                         uint32_t id, NBDExtentList *ea,
                                         bool last, Error **errp)
{
    uint32_t ctx_id = cpu_to_be32(id);
    struct iovec iov[2] = {
        { .iov_base = &ctx_id, .iov_len = sizeof(ctx_id) },
        { .iov_base = ea->ext, .iov_len = ea->nr * sizeof(NBDExtent) },
    };

    for (size_t i = 0; i < ea->nr; i++) {
        ea->ext[i].length = cpu_to_be32(ea->ext[i].length);
        ea->ext[i].flags = cpu_to_be32(ea->ext[i].flags);
    }
    return nbd_co_send_chunk(client, cookie, NBD_REPLY_TYPE_BLOCK_STATUS,
                             last ? NBD_REPLY_FLAG_DONE : 0, iov, 2, errp);
}

/* Structured error chunk ending a block status reply. */
static int coroutine_fn nbd_send_status_error(NBDClient *client,
                                              uint64_t cookie, int err,
                                              Error **errp)
{
    static const char msg[] = "can't get block status";
    struct {
        NBDStructuredError e;
        char msg[sizeof(msg) - 1];
    } QEMU_PACKED payload;
    struct iovec iov = { .iov_base = &payload, .iov_len = sizeof(payload) };

    stl_be_p(&payload.e.error, system_errno_to_nbd_errno(err));
    stw_be_p(&payload.e.message_length, sizeof(msg) - 1);
    memcpy(payload.msg, msg, sizeof(msg) - 1);
    return nbd_co_send_chunk(client, cookie, NBD_REPLY_TYPE_ERROR,
                             NBD_REPLY_FLAG_DONE, &iov, 1, errp);
}

int coroutine_fn nbd_co_send_block_status(NBDClient *client,
                                          uint64_t cookie, uint64_t offset,
                                          uint32_t len, bool req_one,
                                          Error **errp)
{
    NBDMetaSelection *meta = &client->meta;
    NBDExport *exp = client->exp;
    BlockDriverState *bs = blk_bs(exp->blk);
    size_t left = meta->count;
    NBDExtentList ea = {
        .max = req_one ? 1 : NBD_MAX_BLOCK_STATUS_EXTENTS,
    };
    int ret = 0;

    /* Extents are at least a byte long: never more than @len of them. */
    ea.max = MIN(ea.max, len);
    ea.ext = g_new(NBDExtent, ea.max);
    for (int ctx = 0; ret == 0 && ctx < 2 + (int)exp->nr_bitmaps; ctx++) {
        int err = 0;

        if ((ctx == 0 && !meta->base_allocation) ||
            (ctx == 1 && !meta->allocation_depth) ||
            (ctx >= 2 && !meta->bitmaps[ctx - 2])) {
            continue;
        }
        ea.nr = 0;
        ea.covered = 0;
        if (ctx < 2) {
            err = nbd_extents_status(bs, offset, len, ctx == 1, &ea);
        } else {
            nbd_extents_bitmap(exp->bitmaps[ctx - 2], offset, len, &ea);
        }
        if (err < 0) {
            ret = nbd_send_status_error(client, cookie, -err, errp);
            break;
        }
        ret = nbd_send_extents(client, cookie, ctx, &ea, --left == 0, errp);
    }
    g_free(ea.ext);
    return ret;
}
