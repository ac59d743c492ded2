/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/block-status.c: allocation queries on nodes and backing chains.
 *
 * One node's status asks its driver (or assumes "all data") for the
 * range widened to the request alignment, follows BDRV_BLOCK_RAW answers
 * down to the file, adds the bits the core owns (ALLOCATED, EOF, ZERO
 * for unallocated areas with no backing data) and, with want_zero,
 * refines data by what the file below says (BDRV_BLOCK_RECURSE).
 * Protocol nodes remember their last data region (the block-status
 * cache).  The rest walks a backing chain on top of it: status above a
 * base, allocation (want_zero=false), "reads as zero" and zeroing a
 * whole node.
 */

#include "qemu/osdep.h"
#include "qemu/rcu.h"
#include "block/block_int.h"
#include "coroutines.h"

/* --- Block-status cache of protocol nodes ------------------------------- */

bool bdrv_bsc_is_data(BlockDriverState *bs, int64_t offset, int64_t *pnum)
{
    BdrvBlockStatusCache *bsc;
    bool hit = false;

    RCU_READ_LOCK_GUARD();
    bsc = qatomic_rcu_read(&bs->block_status_cache);
    if (bsc && qatomic_read(&bsc->valid) &&
        offset >= bsc->data_start && offset < bsc->data_end) {
        if (pnum) {
            *pnum = bsc->data_end - offset;
        }
        hit = true;
    }
    return hit;
}

void bdrv_bsc_invalidate_range(BlockDriverState *bs, int64_t offset,
                               int64_t bytes)
{
    BdrvBlockStatusCache *bsc;

    RCU_READ_LOCK_GUARD();
    bsc = qatomic_rcu_read(&bs->block_status_cache);
    if (bsc && qatomic_read(&bsc->valid) &&
        offset < bsc->data_end && bsc->data_start < offset + bytes) {
        qatomic_set(&bsc->valid, false);
    }
}

void bdrv_bsc_fill(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    BdrvBlockStatusCache *fresh = g_new(BdrvBlockStatusCache, 1);
    BdrvBlockStatusCache *old;

    *fresh = (BdrvBlockStatusCache) {
        .valid = true,
        .data_start = offset,
        .data_end = offset + bytes,
    };
    /* Readers may still look at the old copy: free it after them. */
    old = qatomic_xchg(&bs->block_status_cache, fresh);
    if (old) {
        g_free_rcu(old, rcu);
    }
}

/* --- One node ------------------------------------------------------------ */

/*
 * The driver's answer for [@offset, @offset + @bytes), both aligned to
 * the request alignment; from the cache where it can be.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_driver_block_status(BlockDriverState *bs, bool want_zero,
                            int64_t offset, int64_t bytes, int64_t *pnum,
                            int64_t *map, BlockDriverState **file)
{
    bool protocol = QLIST_EMPTY(&bs->children);
    int ret;

    if (!bs->drv->bdrv_co_block_status) {
        /* A filter without a callback: ask the filtered node. */
        *pnum = bytes;
        *map = offset;
        *file = bdrv_filter_bs(bs);
        return BDRV_BLOCK_RAW | BDRV_BLOCK_OFFSET_VALID;
    }
    if (want_zero && protocol && bdrv_bsc_is_data(bs, offset, pnum)) {
        *pnum = MIN(*pnum, bytes);
        *map = offset;
        *file = bs;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    }
    ret = bs->drv->bdrv_co_block_status(bs, want_zero, offset, bytes, pnum,
                                        map, file);
    if (ret >= 0 && want_zero && protocol &&
        ret == (BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID) &&
        *map == offset) {
        bdrv_bsc_fill(bs, offset, *pnum);
    }
    return ret;
}

static int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_block_status(BlockDriverState *bs, bool want_zero,
                        int64_t offset, int64_t bytes, int64_t *pnum,
                        int64_t *map, BlockDriverState **file);

/*
 * The driver asked about the range widened to the request alignment,
 * its answer cut back to [@offset, @offset + @bytes).  *pnum is 0 on
 * error.
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_aligned_block_status(BlockDriverState *bs, bool want_zero,
                             int64_t offset, int64_t bytes, int64_t *pnum,
                             int64_t *map, BlockDriverState **file)
{
    int64_t align = MAX(bs->bl.request_alignment, 1);
    int64_t aligned_offset = QEMU_ALIGN_DOWN(offset, align);
    int64_t aligned_bytes = QEMU_ALIGN_UP(offset + bytes, align) -
                            aligned_offset;
    int ret;

    ret = bdrv_co_driver_block_status(bs, want_zero, aligned_offset,
                                      aligned_bytes, pnum, map, file);
    if (ret < 0) {
        *pnum = 0;
        return ret;
    }
    assert(*pnum > 0 && *pnum <= aligned_bytes);
    if (*pnum <= offset - aligned_offset) {
        /*
         * A driver that answered for less than the block's head (an
         * unaligned boundary): ask it about the exact range instead.
         */
        ret = bdrv_co_driver_block_status(bs, want_zero, offset, bytes,
                                          pnum, map, file);
        if (ret < 0) {
            *pnum = 0;
        }
        return ret;
    }
    *pnum = MIN(*pnum - (offset - aligned_offset), bytes);
    if (ret & BDRV_BLOCK_OFFSET_VALID) {
        *map += offset - aligned_offset;
    }
    return ret;
}

/*
 * With want_zero, data that maps to a file may still be a hole there:
 * asks the file and takes its ZERO bit (and its shorter length).
 */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_refine_by_file(BlockDriverState *bs, int ret, int64_t *pnum,
                       int64_t map, BlockDriverState *file)
{
    int64_t file_pnum;
    int ret2;

    if (!(ret & BDRV_BLOCK_RECURSE) || !file || file == bs ||
        (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID))
        != (BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID)) {
        return ret;
    }
    ret2 = bdrv_co_do_block_status(file, true, map, *pnum, &file_pnum,
                                   NULL, NULL);
    if (ret2 < 0) {
        return ret;
    }
    if ((ret2 & BDRV_BLOCK_EOF) && (!file_pnum || (ret2 & BDRV_BLOCK_ZERO))) {
        /* At or past the end of the file: reads as zeroes. */
        return ret | BDRV_BLOCK_ZERO;
    }
    *pnum = file_pnum;
    return ret | (ret2 & BDRV_BLOCK_ZERO);
}

/* The core's bits for an answer of @bs about [@offset, +*pnum). */
static int coroutine_fn GRAPH_RDLOCK
bdrv_co_status_add_bits(BlockDriverState *bs, bool want_zero, int ret,
                        int64_t offset)
{
    BlockDriverState *cow;

    if (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ZERO)) {
        return ret | BDRV_BLOCK_ALLOCATED;
    }
    if (!bs->drv->supports_backing) {
        return ret;
    }
    cow = bdrv_cow_bs(bs);
    if (!cow) {
        /* Unallocated with nothing behind it reads as zeroes. */
        return ret | BDRV_BLOCK_ZERO;
    }
    if (want_zero) {
        int64_t cow_len = bdrv_co_getlength(cow);

        if (cow_len >= 0 && offset >= cow_len) {
            return ret | BDRV_BLOCK_ZERO;
        }
    }
    return ret;
}

static int coroutine_fn GRAPH_RDLOCK
bdrv_co_do_block_status(BlockDriverState *bs, bool want_zero,
                        int64_t offset, int64_t bytes, int64_t *pnum,
                        int64_t *map, BlockDriverState **file)
{
    BlockDriverState *local_file = NULL;
    int64_t total, local_map = 0;
    int ret;

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
        ret = BDRV_BLOCK_EOF;
        goto out;
    }
    if (bytes == 0) {
        ret = 0;
        goto out;
    }
    bytes = MIN(bytes, total - offset);

    if (!bs->drv->bdrv_co_block_status && !bdrv_filter_child(bs)) {
        /* No callback: everything is data, at the same offset. */
        *pnum = bytes;
        ret = BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED;
        if (bs->drv->protocol_name) {
            ret |= BDRV_BLOCK_OFFSET_VALID;
            local_map = offset;
            local_file = bs;
        }
        goto eof;
    }

    bdrv_inc_in_flight(bs);
    ret = bdrv_co_aligned_block_status(bs, want_zero, offset, bytes, pnum,
                                       &local_map, &local_file);
    if (ret >= 0 && !bs->drv) {
        /* The driver found a fatal corruption and let go of the node. */
        *pnum = 0;
        ret = -ENOMEDIUM;
    }
    if (ret < 0) {
        goto done;
    }
    if (ret & BDRV_BLOCK_RAW) {
        /* "Ask my file": the answer at local_map there is the real one. */
        assert((ret & BDRV_BLOCK_OFFSET_VALID) && local_file);
        ret = bdrv_co_do_block_status(local_file, want_zero, local_map,
                                      *pnum, pnum, &local_map, &local_file);
        goto done;
    }
    ret = bdrv_co_status_add_bits(bs, want_zero, ret, offset);
    if (want_zero) {
        ret = bdrv_co_refine_by_file(bs, ret, pnum, local_map, local_file);
    }
    ret &= ~BDRV_BLOCK_RECURSE;

done:
    bdrv_dec_in_flight(bs);
eof:
    if (ret >= 0) {
        ret &= ~BDRV_BLOCK_EOF;
        if (offset + *pnum == total) {
            ret |= BDRV_BLOCK_EOF;
        }
    }
out:
    if (file) {
        *file = local_file;
    }
    if (map) {
        *map = local_map;
    }
    return ret;
}

/* --- Backing chains ------------------------------------------------------ */

/*
 * Status of @bs merged with the layers below it, down to @base (itself
 * included with @include_base).  *depth counts the layers asked, so the
 * one that answered is layer *depth (1 = @bs).
 */
int coroutine_fn GRAPH_RDLOCK
bdrv_co_common_block_status_above(BlockDriverState *bs,
                                  BlockDriverState *base, bool include_base,
                                  bool want_zero, int64_t offset,
                                  int64_t bytes, int64_t *pnum, int64_t *map,
                                  BlockDriverState **file, int *depth)
{
    BlockDriverState *p;
    int64_t eof = 0;
    int dummy, ret;

    assert(!include_base || base);
    depth = depth ? depth : &dummy;
    *depth = 0;
    if (!include_base && bs == base) {
        *pnum = bytes;
        return 0;
    }

    ret = bdrv_co_do_block_status(bs, want_zero, offset, bytes, pnum, map,
                                  file);
    ++*depth;
    if (ret < 0 || *pnum == 0 || (ret & BDRV_BLOCK_ALLOCATED) || bs == base) {
        return ret;
    }
    if (ret & BDRV_BLOCK_EOF) {
        eof = offset + *pnum;
    }
    bytes = *pnum;

    /* Each layer only answers for what the layers above left open. */
    for (p = bdrv_filter_or_cow_bs(bs); p && (include_base || p != base);
         p = bdrv_filter_or_cow_bs(p)) {
        ret = bdrv_co_do_block_status(p, want_zero, offset, bytes, pnum, map,
                                      file);
        ++*depth;
        if (ret < 0) {
            return ret;
        }
        if (*pnum == 0) {
            /*
             * Past the end of a shorter layer: what the layers above left
             * open reads as zeroes that this layer provides.
             */
            ret = BDRV_BLOCK_ZERO | BDRV_BLOCK_ALLOCATED;
            if (file) {
                *file = p;
            }
            *pnum = bytes;
            break;
        }
        if (ret & BDRV_BLOCK_ALLOCATED) {
            /* Its EOF is not the top's. */
            ret &= ~BDRV_BLOCK_EOF;
            break;
        }
        if (p == base) {
            break;
        }
        bytes = MIN(bytes, *pnum);
    }

    if (offset + *pnum == eof) {
        ret |= BDRV_BLOCK_EOF;
    }
    return ret;
}

int coroutine_fn bdrv_co_block_status_above(BlockDriverState *bs,
                                            BlockDriverState *base,
                                            int64_t offset, int64_t bytes,
                                            int64_t *pnum, int64_t *map,
                                            BlockDriverState **file)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    return bdrv_co_common_block_status_above(bs, base, false, true, offset,
                                             bytes, pnum, map, file, NULL);
}

int coroutine_fn bdrv_co_block_status(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, int64_t *pnum,
                                      int64_t *map, BlockDriverState **file)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    return bdrv_co_common_block_status_above(bs, bdrv_filter_or_cow_bs(bs),
                                             false, true, offset, bytes,
                                             pnum, map, file, NULL);
}

int coroutine_fn bdrv_co_is_allocated(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, int64_t *pnum)
{
    int64_t dummy;
    int ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    ret = bdrv_co_common_block_status_above(bs, bs, true, false, offset,
                                            bytes, pnum ? pnum : &dummy,
                                            NULL, NULL, NULL);
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
    int64_t dummy;
    int depth, ret;

    IO_CODE();
    assert_bdrv_graph_readable();

    ret = bdrv_co_common_block_status_above(top, base, include_base, false,
                                            offset, bytes,
                                            pnum ? pnum : &dummy, NULL, NULL,
                                            &depth);
    if (ret < 0) {
        return ret;
    }
    return (ret & BDRV_BLOCK_ALLOCATED) ? depth : 0;
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
    /*
     * Metadata only (want_zero false, as QEMU): a data cluster over a hole
     * of its file does not count, so qcow2 decides on zero writes and
     * COW as 7.2 does.
     */
    ret = bdrv_co_common_block_status_above(bs, NULL, false, false, offset,
                                            bytes, &pnum, NULL, NULL, NULL);
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
