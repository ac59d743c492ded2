/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-io.c: the qcow2 data path: reads (from data clusters, the
 * backing file, zero clusters or compressed clusters), writes (with
 * cluster allocation and copy-on-write of the parts of new clusters the
 * write does not cover), zero writes, discards, flushes and block
 * status.  Metadata lookups and updates run under s->lock; the data
 * transfers themselves run with the lock dropped.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qcow2.h"

/* Largest piece handled per mapping lookup. */
#define QCOW2_MAX_CHUNK (INT_MAX & ~(uint64_t)(BDRV_SECTOR_SIZE - 1))

/*
 * Read @bytes at guest @offset of the backing file into @qiov, with
 * zeroes past its end (or everywhere, without a backing file).
 */
static int coroutine_fn GRAPH_RDLOCK
read_backing(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
             QEMUIOVector *qiov, size_t qiov_offset)
{
    int64_t len = 0;
    uint64_t n = 0;

    if (bs->backing) {
        len = bdrv_co_getlength(bs->backing->bs);
        if (len < 0) {
            return len;
        }
        if (offset < len) {
            n = MIN(bytes, len - offset);
        }
    }
    if (n) {
        int ret = bdrv_co_preadv_part(bs->backing, offset, n, qiov,
                                      qiov_offset, 0);
        if (ret < 0) {
            return ret;
        }
    }
    if (n < bytes) {
        qemu_iovec_memset(qiov, qiov_offset + n, 0, bytes - n);
    }
    return 0;
}

/* Read part of a compressed cluster (descriptor @l2_entry). */
static int coroutine_fn GRAPH_RDLOCK
read_compressed(BlockDriverState *bs, uint64_t l2_entry, uint64_t offset,
                uint64_t bytes, QEMUIOVector *qiov, size_t qiov_offset)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t coffset;
    int csize, ret;
    g_autofree uint8_t *in = NULL;
    g_autofree uint8_t *out = NULL;

    qcow2_parse_compressed_l2_entry(bs, l2_entry, &coffset, &csize);
    in = g_try_malloc(csize);
    out = g_try_malloc(s->cluster_size);
    if (!in || !out) {
        return -ENOMEM;
    }
    ret = bdrv_co_pread(bs->file, coffset, csize, in, 0);
    if (ret < 0) {
        return ret;
    }
    if (qcow2_co_decompress(bs, out, s->cluster_size, in, csize) < 0) {
        return -EIO;
    }
    qemu_iovec_from_buf(qiov, qiov_offset,
                        out + offset_into_cluster(s, offset), bytes);
    return 0;
}

int coroutine_fn qcow2_co_preadv_part(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      size_t qiov_offset,
                                      BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = 0;

    while (bytes > 0) {
        unsigned int cur = MIN(bytes, QCOW2_MAX_CHUNK);
        QCow2SubclusterType type;
        uint64_t host;

        qemu_co_mutex_lock(&s->lock);
        ret = qcow2_get_host_offset(bs, offset, &cur, &host, &type);
        qemu_co_mutex_unlock(&s->lock);
        if (ret < 0) {
            return ret;
        }

        switch (type) {
        case QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN:
        case QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC:
            ret = read_backing(bs, offset, cur, qiov, qiov_offset);
            break;
        case QCOW2_SUBCLUSTER_ZERO_PLAIN:
        case QCOW2_SUBCLUSTER_ZERO_ALLOC:
            qemu_iovec_memset(qiov, qiov_offset, 0, cur);
            break;
        case QCOW2_SUBCLUSTER_NORMAL:
            ret = bdrv_co_preadv_part(s->data_file, host, cur, qiov,
                                      qiov_offset, 0);
            break;
        case QCOW2_SUBCLUSTER_COMPRESSED:
            ret = read_compressed(bs, host, offset, cur, qiov, qiov_offset);
            break;
        default:
            g_assert_not_reached();
        }
        if (ret < 0) {
            return ret;
        }
        offset += cur;
        bytes -= cur;
        qiov_offset += cur;
    }
    return 0;
}

/*
 * Copy one COW region: read what the guest sees now at @guest_offset
 * (the L2 entry is not updated yet) and write it to @host_offset.
 */
static int coroutine_fn GRAPH_RDLOCK
cow_region(BlockDriverState *bs, uint64_t guest_offset, uint64_t host_offset,
           unsigned bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t disk_size = bs->total_sectors * BDRV_SECTOR_SIZE;
    uint64_t readable = guest_offset < disk_size ?
                        MIN(bytes, disk_size - guest_offset) : 0;
    QEMUIOVector qiov;
    uint8_t *buf;
    int ret = 0;

    if (!bytes) {
        return 0;
    }
    buf = qemu_try_blockalign(s->data_file->bs, bytes);
    if (!buf) {
        return -ENOMEM;
    }
    memset(buf + readable, 0, bytes - readable);
    if (readable) {
        qemu_iovec_init_buf(&qiov, buf, readable);
        ret = qcow2_co_preadv_part(bs, guest_offset, readable, &qiov, 0, 0);
    }
    if (ret >= 0) {
        ret = qcow2_pre_write_overlap_check(bs, 0, host_offset, bytes, true);
    }
    if (ret >= 0) {
        ret = bdrv_co_pwrite(s->data_file, host_offset, bytes, buf, 0);
    }
    qemu_vfree(buf);
    return ret;
}

static int coroutine_fn GRAPH_RDLOCK perform_cow(BlockDriverState *bs,
                                                 QCowL2Meta *m)
{
    int ret;

    ret = cow_region(bs, m->offset + m->cow_start.offset,
                     m->alloc_offset + m->cow_start.offset,
                     m->cow_start.nb_bytes);
    if (ret < 0) {
        return ret;
    }
    return cow_region(bs, m->offset + m->cow_end.offset,
                      m->alloc_offset + m->cow_end.offset,
                      m->cow_end.nb_bytes);
}

/* Write one mapped chunk: COW, data, then link (s->lock held on entry). */
static int coroutine_fn GRAPH_RDLOCK
write_chunk(BlockDriverState *bs, uint64_t offset, unsigned int cur,
            uint64_t host, QCowL2Meta *m, QEMUIOVector *qiov,
            size_t qiov_offset)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    ret = qcow2_pre_write_overlap_check(bs, 0, host, cur, true);
    qemu_co_mutex_unlock(&s->lock);

    if (ret >= 0 && m) {
        ret = perform_cow(bs, m);
    }
    if (ret >= 0) {
        ret = bdrv_co_pwritev_part(s->data_file, host, cur, qiov,
                                   qiov_offset, 0);
    }

    qemu_co_mutex_lock(&s->lock);
    if (m) {
        if (ret >= 0) {
            ret = qcow2_alloc_cluster_link_l2(bs, m);
        } else {
            qcow2_alloc_cluster_abort(bs, m);
        }
        g_free(m);
    }
    return ret;
}

int coroutine_fn qcow2_co_pwritev_part(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       size_t qiov_offset,
                                       BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    int ret = 0;

    qemu_co_mutex_lock(&s->lock);
    while (bytes > 0) {
        unsigned int cur = MIN(bytes, QCOW2_MAX_CHUNK);
        QCowL2Meta *m = NULL;
        uint64_t host;

        ret = qcow2_alloc_host_offset(bs, offset, &cur, &host, &m);
        if (ret < 0) {
            break;
        }
        assert(!m || !m->next);
        ret = write_chunk(bs, offset, cur, host, m, qiov, qiov_offset);
        if (ret < 0) {
            break;
        }
        offset += cur;
        bytes -= cur;
        qiov_offset += cur;
    }
    qemu_co_mutex_unlock(&s->lock);
    return ret < 0 ? ret : 0;
}

/* Does [@offset, @offset + @bytes) read as zeroes already? */
static bool coroutine_fn GRAPH_RDLOCK is_zero(BlockDriverState *bs,
                                              int64_t offset, int64_t bytes)
{
    bytes = MIN(bytes, bs->total_sectors * BDRV_SECTOR_SIZE - offset);
    return bytes <= 0 || bdrv_co_is_zero_fast(bs, offset, bytes);
}

int coroutine_fn qcow2_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes, BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t gran = has_subclusters(s) ? s->subcluster_size : s->cluster_size;
    int64_t end = offset + bytes;
    int64_t disk_end = bs->total_sectors * BDRV_SECTOR_SIZE;
    int64_t a_start = QEMU_ALIGN_DOWN(offset, gran);
    int64_t a_end = MIN(ROUND_UP(end, gran), disk_end);
    int ret;

    if (a_start != offset || (a_end != end && end != disk_end)) {
        /* Widen to whole (sub)clusters if the extra parts read as zero. */
        if (!is_zero(bs, a_start, offset - a_start) ||
            !is_zero(bs, end, a_end - end)) {
            return -ENOTSUP;
        }
        offset = a_start;
        end = MAX(end, a_end);
    }

    qemu_co_mutex_lock(&s->lock);
    qcow2_wait_for_allocations(bs, offset, end - offset);
    ret = qcow2_subcluster_zeroize(bs, offset, end - offset, flags);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

int coroutine_fn qcow2_co_pdiscard(BlockDriverState *bs, int64_t offset,
                                   int64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) {
        return -EIO;
    }
    if (!QEMU_IS_ALIGNED(offset | bytes, s->cluster_size)) {
        /* Only a whole partial cluster at the end of the image counts. */
        if (!QEMU_IS_ALIGNED(offset, s->cluster_size) ||
            offset + bytes != bs->total_sectors * BDRV_SECTOR_SIZE) {
            return -ENOTSUP;
        }
    }

    qemu_co_mutex_lock(&s->lock);
    qcow2_wait_for_allocations(bs, offset, bytes);
    ret = qcow2_cluster_discard(bs, offset, bytes, QCOW2_DISCARD_REQUEST,
                                false);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

int coroutine_fn qcow2_co_flush_to_os(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_write_caches(bs);
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

int coroutine_fn qcow2_co_block_status(BlockDriverState *bs, bool want_zero,
                                       int64_t offset, int64_t count,
                                       int64_t *pnum, int64_t *map,
                                       BlockDriverState **file)
{
    BDRVQcow2State *s = bs->opaque;
    unsigned int bytes = MIN(count, QCOW2_MAX_CHUNK);
    QCow2SubclusterType type;
    uint64_t host;
    int ret, status = 0;

    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_get_host_offset(bs, offset, &bytes, &host, &type);
    qemu_co_mutex_unlock(&s->lock);
    if (ret < 0) {
        return ret;
    }
    *pnum = bytes;

    if (type == QCOW2_SUBCLUSTER_NORMAL ||
        type == QCOW2_SUBCLUSTER_ZERO_ALLOC ||
        type == QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC) {
        *map = host;
        *file = s->data_file->bs;
        status |= BDRV_BLOCK_OFFSET_VALID;
    }
    if (type == QCOW2_SUBCLUSTER_ZERO_PLAIN ||
        type == QCOW2_SUBCLUSTER_ZERO_ALLOC) {
        status |= BDRV_BLOCK_ZERO;
    } else if (type != QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN &&
               type != QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC) {
        status |= BDRV_BLOCK_DATA;
    }
    if (s->metadata_preallocation && (status & BDRV_BLOCK_DATA) &&
        (status & BDRV_BLOCK_OFFSET_VALID)) {
        status |= BDRV_BLOCK_RECURSE;
    }
    if (type == QCOW2_SUBCLUSTER_COMPRESSED) {
        status |= BDRV_BLOCK_COMPRESSED;
    }
    return status;
}
