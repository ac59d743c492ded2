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
#include "block/aio_task.h"
#include "qcow2.h"
#include "trace/trace-block.h"

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
        int ret;

        BLKDBG_CO_EVENT(bs->file, BLKDBG_READ_BACKING_AIO);
        ret = bdrv_co_preadv_part(bs->backing, offset, n, qiov,
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
    BLKDBG_CO_EVENT(bs->file, BLKDBG_READ_COMPRESSED);
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

/*
 * Requests that map to several host extents are cut into pieces that run
 * in parallel, at most this many at a time per request.
 */
#define QCOW2_MAX_WORKERS 8

/* One mapped piece of a guest read or write. */
typedef struct Qcow2Piece {
    AioTask task;               /* first: the pool frees the piece */
    BlockDriverState *bs;
    QCow2SubclusterType type;   /* reads only */
    uint64_t offset;            /* guest offset */
    uint64_t host;              /* host offset (or compressed descriptor) */
    unsigned int bytes;
    QEMUIOVector *qiov;
    size_t qiov_offset;
    QCowL2Meta *m;              /* writes: the allocation, or NULL */
} Qcow2Piece;

/*
 * Run @func on a copy of @piece: in @pool when there is one, else right
 * here.  Returns @func's result, or 0 once started in the pool.
 */
static int coroutine_fn qcow2_run_piece(AioTaskPool *pool, AioTaskFunc func,
                                        const Qcow2Piece *piece)
{
    Qcow2Piece local;
    Qcow2Piece *p = pool ? g_new(Qcow2Piece, 1) : &local;

    *p = *piece;
    p->task.func = func;
    p->task.ret = 0;
    if (pool) {
        aio_task_pool_start_task(pool, &p->task);
        return 0;
    }
    return func(&p->task);
}

static int coroutine_fn GRAPH_RDLOCK read_piece(AioTask *task)
{
    Qcow2Piece *p = container_of(task, Qcow2Piece, task);
    BlockDriverState *bs = p->bs;
    BDRVQcow2State *s = bs->opaque;

    switch (p->type) {
    case QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN:
    case QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC:
        return read_backing(bs, p->offset, p->bytes, p->qiov, p->qiov_offset);
    case QCOW2_SUBCLUSTER_ZERO_PLAIN:
    case QCOW2_SUBCLUSTER_ZERO_ALLOC:
        qemu_iovec_memset(p->qiov, p->qiov_offset, 0, p->bytes);
        return 0;
    case QCOW2_SUBCLUSTER_NORMAL:
        if (bs->encrypted) {
            return qcow2_crypto_co_preadv(bs, p->host, p->offset, p->bytes,
                                          p->qiov, p->qiov_offset);
        }
        BLKDBG_CO_EVENT(bs->file, BLKDBG_READ_AIO);
        return bdrv_co_preadv_part(s->data_file, p->host, p->bytes, p->qiov,
                                   p->qiov_offset, 0);
    case QCOW2_SUBCLUSTER_COMPRESSED:
        return read_compressed(bs, p->host, p->offset, p->bytes, p->qiov,
                               p->qiov_offset);
    default:
        g_assert_not_reached();
    }
}

int coroutine_fn qcow2_co_preadv_part(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      size_t qiov_offset,
                                      BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    AioTaskPool *pool = NULL;
    int ret = 0;

    while (bytes > 0 && aio_task_pool_status(pool) == 0) {
        Qcow2Piece piece = {
            .bs = bs, .offset = offset, .qiov = qiov,
            .qiov_offset = qiov_offset,
        };
        bool zero;

        piece.bytes = MIN(bytes, QCOW2_MAX_CHUNK);
        qemu_co_mutex_lock(&s->lock);
        ret = qcow2_get_host_offset(bs, offset, &piece.bytes, &piece.host,
                                    &piece.type);
        qemu_co_mutex_unlock(&s->lock);
        if (ret < 0) {
            break;
        }

        /* Zero pieces cost nothing: never worth a coroutine. */
        zero = piece.type == QCOW2_SUBCLUSTER_ZERO_PLAIN ||
               piece.type == QCOW2_SUBCLUSTER_ZERO_ALLOC;
        if (!pool && !zero && piece.bytes < bytes) {
            pool = aio_task_pool_new(QCOW2_MAX_WORKERS);
        }
        ret = qcow2_run_piece(zero ? NULL : pool, read_piece, &piece);
        if (ret < 0) {
            break;
        }
        offset += piece.bytes;
        bytes -= piece.bytes;
        qiov_offset += piece.bytes;
    }

    if (pool) {
        aio_task_pool_wait_all(pool);
        if (ret == 0) {
            ret = aio_task_pool_status(pool);
        }
        aio_task_pool_free(pool);
    }
    return ret;
}

/*
 * Writes into new clusters
 *
 * A write into clusters that are not allocated (or are shared) gets new
 * host clusters; the parts of them that the write does not cover (the
 * COW regions, m->cow_start and m->cow_end) must receive what the guest
 * sees there now.  Two ways to do that cheaply:
 *  - when the COW regions read as zeroes, zero the whole new clusters
 *    with an efficient zero write (no data transfer) and write only the
 *    guest data;
 *  - else read the COW regions and write them together with the guest
 *    data as one vectored request.
 */

/* Guest range [@offset, @offset + @bytes) reads as zeroes (past EOF too)? */
static bool coroutine_fn GRAPH_RDLOCK cow_reads_zero(BlockDriverState *bs,
                                                     uint64_t offset,
                                                     uint64_t bytes)
{
    uint64_t disk_size = bs->total_sectors * BDRV_SECTOR_SIZE;

    if (offset >= disk_size) {
        return true;
    }
    bytes = MIN(bytes, disk_size - offset);
    return bytes == 0 || bdrv_co_is_zero_fast(bs, offset, bytes) > 0;
}

/*
 * May the new clusters of @m be zeroed efficiently instead of copying
 * their COW regions?  Only if those read as zeroes now and the data
 * file can zero without writing data.
 */
static bool coroutine_fn GRAPH_RDLOCK can_zero_cow(BlockDriverState *bs,
                                                   QCowL2Meta *m)
{
    BDRVQcow2State *s = bs->opaque;

    /* Kept clusters: only reused zero clusters read as zeroes as a whole. */
    if ((m->keep_old_clusters && has_subclusters(s)) || m->prealloc ||
        data_file_is_raw(bs) ||
        !(s->data_file->bs->supported_zero_flags & BDRV_REQ_NO_FALLBACK)) {
        return false;
    }
    return cow_reads_zero(bs, m->offset + m->cow_start.offset,
                          m->cow_start.nb_bytes) &&
           cow_reads_zero(bs, m->offset + m->cow_end.offset,
                          m->cow_end.nb_bytes);
}

/*
 * Are the new clusters of @m past everything the data file ever held (its
 * length and the end of every write made to it, failed ones included)?
 * Then nothing stale can be in them, and instead of zeroing them and then
 * writing the guest data (two requests) one write of zeroes + data +
 * zeroes fills them; the file ends up exactly as after QEMU 7.2's zeroing
 * (same length, same allocation).
 *
 * Only worth it while nothing else is in flight on the data file: a
 * write that grows a file waits for the file's other direct I/O (Linux
 * file systems serialise size changes), so under a queue of requests
 * zeroing the clusters first (which grows the file in one cheap step)
 * and writing into them in parallel is faster.
 */
static bool coroutine_fn GRAPH_RDLOCK skip_zeroing(BlockDriverState *bs,
                                                   QCowL2Meta *m)
{
    BDRVQcow2State *s = bs->opaque;
    BlockDriverState *file = s->data_file->bs;
    int64_t len;

    if (qatomic_read(&file->in_flight) > 0) {
        return false;
    }
    len = bdrv_co_getlength(file);
    return len >= 0 && m->alloc_offset >= len &&
           m->alloc_offset >= stat64_get(&file->wr_highest_offset);
}

/* Zeroes for the padding of writes into fresh clusters past EOF. */
#define QCOW2_ZERO_PAD_MAX (256 * KiB)
static const uint8_t qcow2_zero_pad[QCOW2_ZERO_PAD_MAX] QEMU_ALIGNED(4096);

/*
 * Write piece @p into fresh clusters past the end of the data file: the
 * guest data padded with zeroes over its COW regions (whole clusters, or
 * the subclusters it touches with extended L2), in one request.
 * -ENOTSUP (nothing written) when the padding is too large for that.
 */
static int coroutine_fn GRAPH_RDLOCK write_padded(Qcow2Piece *p)
{
    BlockDriverState *bs = p->bs;
    BDRVQcow2State *s = bs->opaque;
    QCowL2Meta *m = p->m;
    uint64_t start = m->alloc_offset + m->cow_start.offset;
    uint64_t head = p->host - start;
    uint64_t end = m->alloc_offset + m->cow_end.offset + m->cow_end.nb_bytes;
    uint64_t tail = end - p->host - p->bytes;
    QEMUIOVector padded;
    int ret;

    if (head > QCOW2_ZERO_PAD_MAX || tail > QCOW2_ZERO_PAD_MAX ||
        qemu_iovec_subvec_niov(p->qiov, p->qiov_offset, p->bytes) + 2 >
        IOV_MAX ||
        qemu_iovec_init_extended(&padded, (void *)qcow2_zero_pad, head,
                                 p->qiov, p->qiov_offset, p->bytes,
                                 (void *)qcow2_zero_pad, tail) < 0) {
        return -ENOTSUP;
    }
    trace_qcow2_skip_cow(qemu_coroutine_self(), m->offset, m->nb_clusters);
    m->skip_cow = true;
    BLKDBG_CO_EVENT(bs->file, BLKDBG_WRITE_AIO);
    ret = bdrv_co_pwritev(s->data_file, start, end - start, &padded, 0);
    qemu_iovec_destroy(&padded);
    return ret;
}

/*
 * Write piece @p into the new clusters of p->m, whose COW regions read as
 * zeroes: zero the span of the COW regions and the data (whole clusters,
 * or with extended L2 the subclusters the write touches, as 7.2) without
 * a data transfer, then write the guest data (or both in one padded
 * write past the end of the file).
 * -ENOTSUP (nothing written) if the data file cannot zero efficiently.
 */
static int coroutine_fn GRAPH_RDLOCK write_zero_cow(Qcow2Piece *p)
{
    BlockDriverState *bs = p->bs;
    BDRVQcow2State *s = bs->opaque;
    QCowL2Meta *m = p->m;
    int ret;

    BLKDBG_CO_EVENT(bs->file, BLKDBG_CLUSTER_ALLOC_SPACE);
    if (skip_zeroing(bs, m)) {
        ret = write_padded(p);
        if (ret != -ENOTSUP) {
            return ret;
        }
    }
    ret = bdrv_co_pwrite_zeroes(s->data_file,
                                m->alloc_offset + m->cow_start.offset,
                                m->cow_end.offset + m->cow_end.nb_bytes -
                                m->cow_start.offset, BDRV_REQ_NO_FALLBACK);
    if (ret < 0) {
        return ret == -EAGAIN ? -ENOTSUP : ret;
    }
    trace_qcow2_skip_cow(qemu_coroutine_self(), m->offset, m->nb_clusters);
    m->skip_cow = true;
    BLKDBG_CO_EVENT(bs->file, BLKDBG_WRITE_AIO);
    return bdrv_co_pwritev_part(s->data_file, p->host, p->bytes, p->qiov,
                                p->qiov_offset, 0);
}

/*
 * Read what the guest sees now in [@guest_offset, + @bytes) (the L2 entry
 * is not updated yet) into @qiov (@bytes long); zeroes past the end of
 * the image.
 */
static int coroutine_fn GRAPH_RDLOCK cow_read_into(BlockDriverState *bs,
                                                   uint64_t guest_offset,
                                                   unsigned bytes,
                                                   QEMUIOVector *qiov)
{
    uint64_t disk_size = bs->total_sectors * BDRV_SECTOR_SIZE;
    uint64_t readable = guest_offset < disk_size ?
                        MIN(bytes, disk_size - guest_offset) : 0;

    qemu_iovec_memset(qiov, readable, 0, bytes - readable);
    return readable ? qcow2_co_preadv_part(bs, guest_offset, readable, qiov,
                                           0, 0) : 0;
}

/* The same into a new buffer *@buf (NULL when @bytes is 0). */
static int coroutine_fn GRAPH_RDLOCK cow_read(BlockDriverState *bs,
                                              uint64_t guest_offset,
                                              unsigned bytes, uint8_t **buf)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t disk_size = bs->total_sectors * BDRV_SECTOR_SIZE;
    uint64_t readable = guest_offset < disk_size ?
                        MIN(bytes, disk_size - guest_offset) : 0;
    QEMUIOVector qiov;
    int ret = 0;

    *buf = NULL;
    if (!bytes) {
        return 0;
    }
    *buf = qemu_try_blockalign(s->data_file->bs, bytes);
    if (!*buf) {
        return -ENOMEM;
    }
    memset(*buf + readable, 0, bytes - readable);
    if (readable) {
        qemu_iovec_init_buf(&qiov, *buf, readable);
        ret = qcow2_co_preadv_part(bs, guest_offset, readable, &qiov, 0, 0);
    }
    if (ret < 0) {
        qemu_vfree(*buf);
        *buf = NULL;
    }
    return ret;
}

/*
 * Write piece @p of a request that allocated @m: COW head, guest data
 * and COW tail go out as one request when they are contiguous (they are,
 * for every allocation qcow2_alloc_host_offset makes), else one by one.
 */
static int coroutine_fn GRAPH_RDLOCK write_with_cow(Qcow2Piece *p)
{
    BlockDriverState *bs = p->bs;
    BDRVQcow2State *s = bs->opaque;
    QCowL2Meta *m = p->m;
    uint64_t data_start = p->host - m->alloc_offset;
    unsigned head = m->cow_start.nb_bytes, tail = m->cow_end.nb_bytes;
    uint8_t *head_buf = NULL, *tail_buf = NULL;
    QEMUIOVector merged;
    int ret;

    BLKDBG_CO_EVENT(bs->file, BLKDBG_COW_READ);
    ret = cow_read(bs, m->offset + m->cow_start.offset, head, &head_buf);
    if (ret >= 0) {
        ret = cow_read(bs, m->offset + m->cow_end.offset, tail, &tail_buf);
    }
    if (ret < 0) {
        goto out;
    }

    BLKDBG_CO_EVENT(bs->file, BLKDBG_COW_WRITE);
    if (m->cow_start.offset + head == data_start &&
        data_start + p->bytes == m->cow_end.offset &&
        qemu_iovec_subvec_niov(p->qiov, p->qiov_offset, p->bytes) + 2 <=
        IOV_MAX &&
        qemu_iovec_init_extended(&merged, head_buf, head, p->qiov,
                                 p->qiov_offset, p->bytes, tail_buf,
                                 tail) == 0) {
        ret = bdrv_co_pwritev(s->data_file,
                              m->alloc_offset + m->cow_start.offset,
                              head + p->bytes + tail, &merged, 0);
        qemu_iovec_destroy(&merged);
        goto out;
    }

    if (head) {
        ret = bdrv_co_pwrite(s->data_file,
                             m->alloc_offset + m->cow_start.offset, head,
                             head_buf, 0);
    }
    if (ret >= 0 && tail) {
        ret = bdrv_co_pwrite(s->data_file,
                             m->alloc_offset + m->cow_end.offset, tail,
                             tail_buf, 0);
    }
    if (ret >= 0) {
        BLKDBG_CO_EVENT(bs->file, BLKDBG_WRITE_AIO);
        ret = bdrv_co_pwritev_part(s->data_file, p->host, p->bytes, p->qiov,
                                   p->qiov_offset, 0);
    }
out:
    qemu_vfree(head_buf);
    qemu_vfree(tail_buf);
    return ret;
}

/*
 * Encrypted images: the guest data and the COW regions (read decrypted,
 * as the guest sees them) are encrypted for their host offsets and
 * written, as one request when they are contiguous.  No zeroing
 * shortcut: zeroes in the file do not decrypt to zeroes.
 */
static int coroutine_fn GRAPH_RDLOCK write_encrypted(Qcow2Piece *p)
{
    BlockDriverState *bs = p->bs;
    QCowL2Meta *m = p->m;
    unsigned head = m ? m->cow_start.nb_bytes : 0;
    unsigned tail = m ? m->cow_end.nb_bytes : 0;
    uint64_t head_host = m ? m->alloc_offset + m->cow_start.offset : 0;
    uint64_t tail_host = m ? m->alloc_offset + m->cow_end.offset : 0;
    uint64_t head_guest = m ? m->offset + m->cow_start.offset : 0;
    uint64_t tail_guest = m ? m->offset + m->cow_end.offset : 0;
    uint8_t *buf;
    int ret;

    if (!head && !tail) {
        return qcow2_crypto_co_pwritev(bs, p->host, p->offset, p->bytes,
                                       p->qiov, p->qiov_offset);
    }
    if ((head && head_host + head != p->host) ||
        (tail && tail_host != p->host + p->bytes)) {
        /* Not contiguous: each region on its own. */
        ret = cow_read(bs, head_guest, head, &buf);
        if (ret >= 0 && head) {
            ret = qcow2_crypto_co_pwrite_buf(bs, head_host, head_guest, head,
                                             buf);
        }
        qemu_vfree(buf);
        if (ret >= 0) {
            ret = cow_read(bs, tail_guest, tail, &buf);
        }
        if (ret >= 0 && tail) {
            ret = qcow2_crypto_co_pwrite_buf(bs, tail_host, tail_guest, tail,
                                             buf);
        }
        qemu_vfree(buf);
        return ret < 0 ? ret : qcow2_crypto_co_pwritev(bs, p->host, p->offset,
                                                       p->bytes, p->qiov,
                                                       p->qiov_offset);
    }

    /* head + data + tail in one buffer, encrypted and written at once. */
    buf = qemu_try_blockalign(bs->file->bs, head + p->bytes + tail);
    if (!buf) {
        return -ENOMEM;
    }
    BLKDBG_CO_EVENT(bs->file, BLKDBG_COW_READ);
    ret = 0;
    if (head) {
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, head);
        ret = cow_read_into(bs, head_guest, head, &qiov);
    }
    if (ret >= 0 && tail) {
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf + head + p->bytes, tail);
        ret = cow_read_into(bs, tail_guest, tail, &qiov);
    }
    if (ret >= 0) {
        qemu_iovec_to_buf(p->qiov, p->qiov_offset, buf + head, p->bytes);
        BLKDBG_CO_EVENT(bs->file, BLKDBG_COW_WRITE);
        ret = qcow2_crypto_co_pwrite_buf(bs, head ? head_host : p->host,
                                         head ? head_guest : p->offset,
                                         head + p->bytes + tail, buf);
    }
    qemu_vfree(buf);
    return ret;
}

/* Write one mapped piece, then link its allocation (if any) into L2. */
static int coroutine_fn GRAPH_RDLOCK write_piece(AioTask *task)
{
    Qcow2Piece *p = container_of(task, Qcow2Piece, task);
    BlockDriverState *bs = p->bs;
    BDRVQcow2State *s = bs->opaque;
    QCowL2Meta *m = p->m;
    int ret = -ENOTSUP;

    trace_qcow2_writev_data(qemu_coroutine_self(), p->host);
    if (bs->encrypted) {
        ret = write_encrypted(p);
    } else if (!m || (!m->cow_start.nb_bytes && !m->cow_end.nb_bytes)) {
        BLKDBG_CO_EVENT(bs->file, BLKDBG_WRITE_AIO);
        ret = bdrv_co_pwritev_part(s->data_file, p->host, p->bytes, p->qiov,
                                   p->qiov_offset, 0);
    } else {
        if (can_zero_cow(bs, m)) {
            ret = write_zero_cow(p);
        }
        if (ret == -ENOTSUP) {
            ret = write_with_cow(p);
        }
    }

    if (m) {
        qemu_co_mutex_lock(&s->lock);
        if (ret >= 0) {
            ret = qcow2_alloc_cluster_link_l2(bs, m);
        } else {
            qcow2_alloc_cluster_abort(bs, m);
        }
        qemu_co_mutex_unlock(&s->lock);
        g_free(m);
    }
    return ret;
}

/*
 * Map the next piece of a write at p->offset (at most p->bytes) and check
 * that its host range, COW included, touches no metadata.  @hint: where
 * the piece before it ended on the host, or 0 (qcow2_alloc_host_offset).
 * s->lock held.
 */
static int coroutine_fn GRAPH_RDLOCK map_write_piece(BlockDriverState *bs,
                                                     Qcow2Piece *p,
                                                     uint64_t hint)
{
    uint64_t start, len;
    int ret;

    trace_qcow2_writev_start_part(qemu_coroutine_self());
    p->m = NULL;
    ret = qcow2_alloc_host_offset(bs, p->offset, &p->bytes, hint, &p->host,
                                  &p->m);
    if (ret < 0) {
        return ret;
    }
    assert(!p->m || !p->m->next);

    start = p->host;
    len = p->bytes;
    if (p->m) {
        QCowL2Meta *m = p->m;

        start = m->alloc_offset + m->cow_start.offset;
        len = m->cow_end.offset + m->cow_end.nb_bytes - m->cow_start.offset;
        if (!m->keep_old_clusters) {
            BDRVQcow2State *s = bs->opaque;

            /* The whole new clusters may be zeroed. */
            start = m->alloc_offset;
            len = (uint64_t)m->nb_clusters << s->cluster_bits;
        }
    }
    ret = qcow2_pre_write_overlap_check(bs, 0, start, len, true);
    if (ret < 0 && p->m) {
        qcow2_alloc_cluster_abort(bs, p->m);
        g_free(p->m);
        p->m = NULL;
    }
    return ret;
}

/* Give back the allocations of pieces that will not run.  s->lock held. */
static void coroutine_fn GRAPH_RDLOCK abort_pieces(BlockDriverState *bs,
                                                   Qcow2Piece *pieces, int n)
{
    for (int i = 0; i < n; i++) {
        if (pieces[i].m) {
            qcow2_alloc_cluster_abort(bs, pieces[i].m);
            g_free(pieces[i].m);
            pieces[i].m = NULL;
        }
    }
}

/*
 * Map all of the write [@offset, @offset + @bytes) into the pieces of
 * *@pieces (@inline_buf, or a new array the caller frees) and return how
 * many, or -errno with nothing left allocated.  One s->alloc_order hold
 * covers the whole range, so no later write allocates in between (see
 * qcow2.h).  Pieces end on cluster boundaries (the last one excepted),
 * so none of them waits for another piece of the same write.
 */
static int coroutine_fn GRAPH_RDLOCK
map_write(BlockDriverState *bs, int64_t offset, int64_t bytes,
          QEMUIOVector *qiov, size_t qiov_offset, Qcow2Piece *inline_buf,
          int inline_n, Qcow2Piece **pieces)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t chunk = QCOW2_MAX_CHUNK & ~(uint64_t)(s->cluster_size - 1);
    Qcow2Piece *p = inline_buf;
    uint64_t hint = 0;
    int n = 0, cap = inline_n, ret = 0;

    qemu_co_mutex_lock(&s->alloc_order);
    qemu_co_mutex_lock(&s->lock);
    while (bytes > 0) {
        if (n == cap) {
            cap *= 2;
            if (p == inline_buf) {
                p = g_new(Qcow2Piece, cap);
                memcpy(p, inline_buf, n * sizeof(*p));
            } else {
                p = g_renew(Qcow2Piece, p, cap);
            }
        }
        p[n] = (Qcow2Piece) {
            .bs = bs, .offset = offset, .qiov = qiov,
            .qiov_offset = qiov_offset, .bytes = MIN(bytes, chunk),
        };
        ret = map_write_piece(bs, &p[n], hint);
        if (ret < 0) {
            abort_pieces(bs, p, n);
            break;
        }
        trace_qcow2_writev_done_part(qemu_coroutine_self(), p[n].bytes);
        /* The next piece may continue this one's host range. */
        hint = p[n].host + p[n].bytes;
        if (offset_into_cluster(s, hint) || !p[n].host) {
            hint = 0;
        }
        offset += p[n].bytes;
        bytes -= p[n].bytes;
        qiov_offset += p[n].bytes;
        n++;
    }
    qemu_co_mutex_unlock(&s->lock);
    qemu_co_mutex_unlock(&s->alloc_order);

    *pieces = p;
    if (ret < 0) {
        return ret;
    }
    return n;
}

int coroutine_fn qcow2_co_pwritev_part(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       size_t qiov_offset,
                                       BdrvRequestFlags flags)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2Piece inline_buf[QCOW2_MAX_WORKERS];
    Qcow2Piece *pieces;
    AioTaskPool *pool;
    int n, i, ret;

    trace_qcow2_writev_start_req(qemu_coroutine_self(), offset, bytes);
    n = map_write(bs, offset, bytes, qiov, qiov_offset, inline_buf,
                  ARRAY_SIZE(inline_buf), &pieces);
    if (n <= 1) {
        ret = n == 1 ? qcow2_run_piece(NULL, write_piece, &pieces[0]) : n;
        goto out;
    }

    /* The locks are dropped: waiting for a slot cannot block a link. */
    pool = aio_task_pool_new(QCOW2_MAX_WORKERS);
    for (i = 0; i < n && aio_task_pool_status(pool) == 0; i++) {
        qcow2_run_piece(pool, write_piece, &pieces[i]);
    }
    aio_task_pool_wait_all(pool);
    ret = aio_task_pool_status(pool);
    aio_task_pool_free(pool);
    if (i < n) {
        /* A piece failed: the ones not started give their clusters back. */
        qemu_co_mutex_lock(&s->lock);
        abort_pieces(bs, pieces + i, n - i);
        qemu_co_mutex_unlock(&s->lock);
    }
out:
    if (pieces != inline_buf) {
        g_free(pieces);
    }
    trace_qcow2_writev_done_req(qemu_coroutine_self(), ret < 0 ? ret : 0);
    return ret < 0 ? ret : 0;
}

/* Does [@offset, @offset + @bytes) read as zeroes already? */
static bool coroutine_fn GRAPH_RDLOCK is_zero(BlockDriverState *bs,
                                              int64_t offset, int64_t bytes)
{
    bytes = MIN(bytes, bs->total_sectors * BDRV_SECTOR_SIZE - offset);
    return bytes <= 0 || bdrv_co_is_zero_fast(bs, offset, bytes) > 0;
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

    trace_qcow2_pwrite_zeroes_start_req(qemu_coroutine_self(), offset, bytes);
    /* From here on in arrival order (see qcow2.h), the checks included. */
    qemu_co_mutex_lock(&s->alloc_order);
    if (a_start != offset || (a_end != end && end != disk_end)) {
        /*
         * Widen to whole (sub)clusters if the extra parts read as zero.
         * A write that mapped before us may still be filling one of
         * those clusters: until it links its L2 entry the cluster reads
         * as zero and widening would wipe its data.  Wait for it first;
         * no new allocation can start while we hold alloc_order.
         */
        qemu_co_mutex_lock(&s->lock);
        qcow2_wait_for_allocations(bs, a_start, a_end - a_start);
        qemu_co_mutex_unlock(&s->lock);
        if (!is_zero(bs, a_start, offset - a_start) ||
            !is_zero(bs, end, a_end - end)) {
            qemu_co_mutex_unlock(&s->alloc_order);
            return -ENOTSUP;
        }
        offset = a_start;
        end = MAX(end, a_end);
    }

    trace_qcow2_pwrite_zeroes(qemu_coroutine_self(), offset, end - offset);
    qemu_co_mutex_lock(&s->lock);
    qcow2_wait_for_allocations(bs, offset, end - offset);
    ret = qcow2_subcluster_zeroize(bs, offset, end - offset, flags);
    qemu_co_mutex_unlock(&s->lock);
    qemu_co_mutex_unlock(&s->alloc_order);
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

    qemu_co_mutex_lock(&s->alloc_order);
    qemu_co_mutex_lock(&s->lock);
    qcow2_wait_for_allocations(bs, offset, bytes);
    ret = qcow2_cluster_discard(bs, offset, bytes, QCOW2_DISCARD_REQUEST,
                                false);
    qemu_co_mutex_unlock(&s->lock);
    qemu_co_mutex_unlock(&s->alloc_order);
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
    if (!s->metadata_preallocation_checked) {
        /*
         * Once per open, as QEMU: if the refcounts claim clusters the
         * file does not hold, data clusters may be holes, and the file's
         * own status is asked for too (BDRV_BLOCK_RECURSE).
         */
        ret = qcow2_detect_metadata_preallocation(bs);
        s->metadata_preallocation = ret == 1;
        s->metadata_preallocation_checked = true;
    }
    ret = qcow2_get_host_offset(bs, offset, &bytes, &host, &type);
    qemu_co_mutex_unlock(&s->lock);
    if (ret < 0) {
        return ret;
    }
    *pnum = bytes;

    /* Encrypted data is no use to the layers above: no offset (7.2). */
    if ((type == QCOW2_SUBCLUSTER_NORMAL ||
         type == QCOW2_SUBCLUSTER_ZERO_ALLOC ||
         type == QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC) && !bs->encrypted) {
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
