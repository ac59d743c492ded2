/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/block-status.c: allocation queries on nodes and backing chains.
 *
 * bdrv_co_block_status() asks one node's driver (or assumes "all data"),
 * follows BDRV_BLOCK_RAW answers down to the file, and adds the bits the
 * core owns (ALLOCATED, EOF, ZERO without a backing file).  The rest
 * walks a backing chain on top of it: status above a base, allocation,
 * "reads as zero" and zeroing a whole node.  The block-status cache,
 * want_zero=false and alignment of the queried range are not done yet.
 */

#include "qemu/osdep.h"
#include "block/block_int.h"

/* The driver's answer for one node, before the core adds its bits. */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_driver_block_status(BlockDriverState *bs, int64_t offset,
                            int64_t bytes, int64_t *pnum, int64_t *map,
                            BlockDriverState **file)
{
    int ret;

    if (!bs->drv->bdrv_co_block_status) {
        /* Without a callback everything is data, at the same offset. */
        *pnum = bytes;
        *map = offset;
        *file = bs->drv->protocol_name ? bs : NULL;
        return BDRV_BLOCK_DATA |
               (bs->drv->protocol_name ? BDRV_BLOCK_OFFSET_VALID : 0);
    }

    bdrv_inc_in_flight(bs);
    ret = bs->drv->bdrv_co_block_status(bs, true, offset, bytes, pnum, map,
                                        file);
    bdrv_dec_in_flight(bs);
    if (ret < 0) {
        *pnum = 0;
        return ret;
    }
    assert(*pnum > 0 && *pnum <= bytes);

    /* "Ask my file": the answer at *map in *file is the real one. */
    if (ret & BDRV_BLOCK_RAW) {
        assert((ret & BDRV_BLOCK_OFFSET_VALID) && *file);
        return bdrv_co_block_status(*file, *map, *pnum, pnum, map, file);
    }
    return ret;
}

int coroutine_fn bdrv_co_block_status(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, int64_t *pnum,
                                      int64_t *map, BlockDriverState **file)
{
    BlockDriverState *local_file = NULL;
    int64_t total, local_map = 0;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();
    assert(pnum);

    *pnum = 0;
    if (!bs->drv) {
        return -ENOMEDIUM;
    }
    total = bdrv_co_getlength(bs);
    if (total < 0) {
        return total;
    }
    if (offset < 0 || bytes < 0) {
        return -EINVAL;
    }
    if (offset >= total) {
        return BDRV_BLOCK_EOF;
    }
    bytes = MIN(bytes, total - offset);
    if (bytes == 0) {
        return 0;
    }

    ret = bdrv_co_driver_block_status(bs, offset, bytes, pnum, &local_map,
                                      &local_file);
    if (ret < 0) {
        return ret;
    }
    if (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ZERO)) {
        ret |= BDRV_BLOCK_ALLOCATED;
    } else if (bs->drv->supports_backing && !bdrv_cow_bs(bs)) {
        /* Unallocated with nothing behind it reads as zeroes. */
        ret |= BDRV_BLOCK_ZERO;
    }
    ret &= ~BDRV_BLOCK_EOF;
    if (offset + *pnum == total) {
        ret |= BDRV_BLOCK_EOF;
    }
    if (map) {
        *map = local_map;
    }
    if (file) {
        *file = local_file;
    }
    return ret;
}

int coroutine_fn
bdrv_co_block_status_above(BlockDriverState *bs, BlockDriverState *base,
                           int64_t offset, int64_t bytes, int64_t *pnum,
                           int64_t *map, BlockDriverState **file)
{
    BlockDriverState *p;
    int ret = 0;

    IO_CODE();
    assert_bdrv_graph_readable();

    /* Each layer only answers for what the layers above left open. */
    *pnum = bytes;
    for (p = bs; p && p != base; p = bdrv_filter_or_cow_bs(p)) {
        ret = bdrv_co_block_status(p, offset, bytes, pnum, map, file);
        if (ret < 0) {
            return ret;
        }
        if (*pnum == 0 && p != bs) {
            /* Past the end of a shorter backing layer: zeroes from it. */
            *pnum = bytes;
            if (file) {
                *file = p;
            }
            return BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
        }
        if (*pnum == 0 || (ret & BDRV_BLOCK_ALLOCATED)) {
            return p == bs ? ret : ret & ~BDRV_BLOCK_EOF;
        }
        bytes = *pnum;
    }
    return ret;
}

int coroutine_fn bdrv_co_is_allocated(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, int64_t *pnum)
{
    int64_t dummy;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    ret = bdrv_co_block_status(bs, offset, bytes, pnum ? pnum : &dummy,
                               NULL, NULL);
    if (ret < 0) {
        return ret;
    }
    return !!(ret & BDRV_BLOCK_ALLOCATED);
}

int coroutine_fn bdrv_co_is_allocated_above(BlockDriverState *top,
                                            BlockDriverState *base,
                                            bool include_base,
                                            int64_t offset, int64_t bytes,
                                            int64_t *pnum)
{
    BlockDriverState *p;
    int64_t n = bytes;

    IO_CODE();
    assert_bdrv_graph_readable();

    for (p = top; p && (include_base || p != base);
         p = bdrv_filter_or_cow_bs(p)) {
        int64_t p_pnum;
        int ret = bdrv_co_is_allocated(p, offset, n, &p_pnum);

        if (ret < 0) {
            return ret;
        }
        if (ret || (p_pnum == 0 && p != top)) {
            /* Allocated here (a short backing layer reads zeroes). */
            *pnum = ret ? p_pnum : n;
            return 1;
        }
        n = MIN(n, p_pnum);
        if (p == base) {
            break;
        }
    }
    *pnum = n;
    return 0;
}

int coroutine_fn bdrv_co_is_zero_fast(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes)
{
    int64_t pnum;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    if (bytes == 0) {
        return 1;
    }
    ret = bdrv_co_block_status_above(bs, NULL, offset, bytes, &pnum, NULL,
                                     NULL);
    if (ret < 0) {
        return ret;
    }
    return pnum == bytes && (ret & BDRV_BLOCK_ZERO);
}

int bdrv_make_zero(BdrvChild *child, BdrvRequestFlags flags)
{
    BlockDriverState *bs = child->bs;
    int64_t len, offset = 0;

    IO_CODE();

    len = bdrv_getlength(bs);
    if (len < 0) {
        return len;
    }
    while (offset < len) {
        int64_t bytes = MIN(len - offset, BDRV_REQUEST_MAX_BYTES);
        int ret = bdrv_block_status(bs, offset, bytes, &bytes, NULL, NULL);

        if (ret < 0) {
            return ret;
        }
        if (!(ret & BDRV_BLOCK_ZERO)) {
            ret = bdrv_pwrite_zeroes(child, offset, bytes, flags);
            if (ret < 0) {
                return ret;
            }
        }
        offset += bytes;
    }
    return 0;
}
