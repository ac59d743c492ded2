/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/io-truncate.c: a node's length and resizing it.
 *
 * The length comes from the driver (refreshed on every query for nodes
 * with a variable length, e.g. host devices) and is cached in
 * bs->total_sectors.  Truncate is a tracked request: growing is
 * serialising over the new area, a grown area must not show a longer
 * backing file's data (BDRV_REQ_ZERO_WRITE to the driver), filters pass
 * it down, and parents hear of the new size.  Reads and writes are in
 * io.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "block/block_int.h"
#include "io-internal.h"

int coroutine_fn bdrv_co_refresh_total_sectors(BlockDriverState *bs,
                                               int64_t hint)
{
    BlockDriver *drv = bs->drv;

    IO_CODE();
    assert_bdrv_graph_readable();

    if (!drv) {
        return -ENOMEDIUM;
    }
    if (drv->bdrv_co_getlength) {
        int64_t len = drv->bdrv_co_getlength(bs);

        if (len < 0) {
            return len;
        }
        hint = DIV_ROUND_UP(len, BDRV_SECTOR_SIZE);
    }
    bs->total_sectors = hint;
    if (bs->total_sectors * BDRV_SECTOR_SIZE > BDRV_MAX_LENGTH) {
        return -EFBIG;
    }
    return 0;
}

int64_t coroutine_fn bdrv_co_nb_sectors(BlockDriverState *bs)
{
    IO_CODE();
    assert_bdrv_graph_readable();

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (bs->bl.has_variable_length) {
        int ret = bdrv_co_refresh_total_sectors(bs, bs->total_sectors);

        if (ret < 0) {
            return ret;
        }
    }
    return bs->total_sectors;
}

int64_t coroutine_mixed_fn bdrv_nb_sectors(BlockDriverState *bs)
{
    IO_CODE();

    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    if (bs->bl.has_variable_length) {
        int ret = bdrv_refresh_total_sectors(bs, bs->total_sectors);

        if (ret < 0) {
            return ret;
        }
    }
    return bs->total_sectors;
}

int64_t coroutine_fn bdrv_co_getlength(BlockDriverState *bs)
{
    int64_t sectors;

    IO_CODE();
    assert_bdrv_graph_readable();

    sectors = bdrv_co_nb_sectors(bs);
    if (sectors < 0) {
        return sectors;
    }
    if (sectors > INT64_MAX / BDRV_SECTOR_SIZE) {
        return -EFBIG;
    }
    return sectors * BDRV_SECTOR_SIZE;
}

/* Calls the driver's truncate, or passes it down a filter. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                    PreallocMode prealloc, BdrvRequestFlags flags,
                    Error **errp)
{
    BlockDriver *drv = bs->drv;
    BdrvChild *filtered = bdrv_filter_child(bs);

    if (drv->bdrv_co_truncate) {
        if (flags & ~bs->supported_truncate_flags) {
            error_setg(errp, "Block driver does not support requested flags");
            return -ENOTSUP;
        }
        return drv->bdrv_co_truncate(bs, offset, exact, prealloc, flags,
                                     errp);
    }
    if (filtered) {
        return bdrv_co_truncate(filtered, offset, exact, prealloc, flags,
                                errp);
    }
    error_setg(errp, "Image format driver does not support resize");
    return -ENOTSUP;
}

/*
 * A grown area must not show what a longer backing file has there: ask
 * for it to be zeroed then.  0 or -errno.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_truncate_backing_flags(BlockDriverState *bs, int64_t old_size,
                               int64_t new_bytes, BdrvRequestFlags *flags,
                               Error **errp)
{
    BdrvChild *backing = bdrv_cow_child(bs);
    int64_t backing_len;

    if (!new_bytes || !backing) {
        return 0;
    }
    backing_len = bdrv_co_getlength(backing->bs);
    if (backing_len < 0) {
        error_setg_errno(errp, -backing_len,
                         "Could not get backing file size");
        return backing_len;
    }
    if (backing_len > old_size) {
        *flags |= BDRV_REQ_ZERO_WRITE;
    }
    return 0;
}

int coroutine_fn bdrv_co_truncate(BdrvChild *child, int64_t offset,
                                  bool exact, PreallocMode prealloc,
                                  BdrvRequestFlags flags, Error **errp)
{
    BlockDriverState *bs = child->bs;
    BdrvTrackedRequest req;
    int64_t old_size, new_bytes;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    if (!bs->drv) {
        error_setg(errp, "No medium inserted");
        return -ENOMEDIUM;
    }
    if (offset < 0) {
        error_setg(errp, "Image size cannot be negative");
        return -EINVAL;
    }
    ret = bdrv_check_request(offset, 0, errp);
    if (ret < 0) {
        return ret;
    }
    old_size = bdrv_co_getlength(bs);
    if (old_size < 0) {
        error_setg_errno(errp, -old_size, "Failed to get old image size");
        return old_size;
    }
    if (bdrv_is_read_only(bs)) {
        error_setg(errp, "Image is read-only");
        return -EACCES;
    }
    new_bytes = MAX(0, offset - old_size);

    bdrv_inc_in_flight(bs);
    tracked_request_begin(&req, bs, offset - new_bytes, new_bytes,
                          BDRV_TRACKED_TRUNCATE);
    /* Nobody may write into the area being added while it is set up. */
    if (new_bytes) {
        bdrv_make_request_serialising(&req, 1);
    }
    /* A shrunk or regrown file has new holes: forget cached data. */
    bdrv_bsc_invalidate_range(bs, 0, INT64_MAX);
    ret = bdrv_co_write_req_prepare(child, offset - new_bytes, new_bytes,
                                    &req, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret,
                         "Failed to prepare request for truncation");
        goto out;
    }
    ret = bdrv_co_truncate_backing_flags(bs, old_size, new_bytes, &flags,
                                         errp);
    if (ret < 0) {
        goto out;
    }

    ret = bdrv_co_do_truncate(bs, offset, exact, prealloc, flags, errp);
    if (ret < 0) {
        goto out;
    }
    ret = bdrv_co_refresh_total_sectors(bs, offset >> BDRV_SECTOR_BITS);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not refresh total sector count");
    } else {
        offset = bs->total_sectors * BDRV_SECTOR_SIZE;
    }
    /* The resize already happened: finish the request either way. */
    bdrv_co_write_req_finish(child, offset - new_bytes, new_bytes, &req, 0);

out:
    tracked_request_end(&req);
    bdrv_dec_in_flight(bs);
    return ret;
}

