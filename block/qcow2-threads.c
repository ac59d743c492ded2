/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2 compression: zlib (raw deflate, 4 KiB window as the format
 * requires) and zstd (one plain frame) run in the thread pool, at most
 * QCOW2_MAX_THREADS at a time per image, plus the compressed cluster
 * write path.  Decompression accepts trailing bytes after the stream:
 * compressed data is stored in whole 512-byte sectors.
 */

#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "block/thread-pool.h"
#include "block/aio_task.h"
#include "qcow2.h"

#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define QCOW2_ZLIB_WINDOW_BITS (-12)

ssize_t qcow2_zlib_compress(void *dest, size_t dest_size,
                            const void *src, size_t src_size)
{
    z_stream zs = { 0 };
    ssize_t ret;

    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                     QCOW2_ZLIB_WINDOW_BITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        return -EIO;
    }
    zs.next_in = (Bytef *)src;
    zs.avail_in = src_size;
    zs.next_out = dest;
    zs.avail_out = dest_size;
    ret = deflate(&zs, Z_FINISH);
    if (ret == Z_STREAM_END) {
        ret = dest_size - zs.avail_out;
    } else {
        /* Z_OK or Z_BUF_ERROR: the output did not fit */
        ret = ret == Z_OK || ret == Z_BUF_ERROR ? -ENOMEM : -EIO;
    }
    deflateEnd(&zs);
    return ret;
}

ssize_t qcow2_zlib_decompress(void *dest, size_t dest_size,
                              const void *src, size_t src_size)
{
    z_stream zs = { 0 };
    int zr;

    if (inflateInit2(&zs, QCOW2_ZLIB_WINDOW_BITS) != Z_OK) {
        return -EIO;
    }
    zs.next_in = (Bytef *)src;
    zs.avail_in = src_size;
    zs.next_out = dest;
    zs.avail_out = dest_size;
    zr = inflate(&zs, Z_FINISH);
    inflateEnd(&zs);
    /* Success is a full output buffer, whatever follows the stream. */
    if ((zr == Z_STREAM_END || zr == Z_BUF_ERROR) && zs.avail_out == 0) {
        return 0;
    }
    return -EIO;
}

ssize_t qcow2_zstd_compress(void *dest, size_t dest_size,
                            const void *src, size_t src_size)
{
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_inBuffer in = { .src = src, .size = src_size };
    ZSTD_outBuffer out = { .dst = dest, .size = dest_size };
    size_t zr;

    if (!cctx) {
        return -EIO;
    }
    do {
        zr = ZSTD_compressStream2(cctx, &out, &in, ZSTD_e_end);
    } while (!ZSTD_isError(zr) && zr && out.pos < out.size);
    ZSTD_freeCCtx(cctx);
    if (ZSTD_isError(zr)) {
        return ZSTD_getErrorCode(zr) == ZSTD_error_dstSize_tooSmall ?
               -ENOMEM : -EIO;
    }
    if (zr) {
        return -ENOMEM; /* more output pending: it does not fit */
    }
    return out.pos;
}

ssize_t qcow2_zstd_decompress(void *dest, size_t dest_size,
                              const void *src, size_t src_size)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ZSTD_inBuffer in = { .src = src, .size = src_size };
    ZSTD_outBuffer out = { .dst = dest, .size = dest_size };
    ssize_t ret = 0;

    if (!dctx) {
        return -EIO;
    }
    while (out.pos < out.size) {
        size_t last_in = in.pos, last_out = out.pos;
        size_t zr = ZSTD_decompressStream(dctx, &out, &in);

        if (ZSTD_isError(zr)) {
            ret = -EIO;
            break;
        }
        if (zr == 0 && out.pos < out.size) {
            ret = -EIO; /* frame ended early */
            break;
        }
        if (in.pos == last_in && out.pos == last_out) {
            ret = -EIO; /* input exhausted: truncated data */
            break;
        }
    }
    ZSTD_freeDCtx(dctx);
    return ret;
}

typedef ssize_t Qcow2CodecFunc(void *dest, size_t dest_size,
                               const void *src, size_t src_size);

typedef struct Qcow2CodecTask {
    Qcow2CodecFunc *func;
    void *dest;
    size_t dest_size;
    const void *src;
    size_t src_size;
    ssize_t ret;
} Qcow2CodecTask;

static int codec_worker(void *opaque)
{
    Qcow2CodecTask *t = opaque;

    t->ret = t->func(t->dest, t->dest_size, t->src, t->src_size);
    return 0;
}

static ssize_t coroutine_fn run_codec(BlockDriverState *bs,
                                      Qcow2CodecFunc *func, void *dest,
                                      size_t dest_size, const void *src,
                                      size_t src_size)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2CodecTask t = {
        .func = func, .dest = dest, .dest_size = dest_size,
        .src = src, .src_size = src_size,
    };

    while (s->nb_threads >= QCOW2_MAX_THREADS) {
        qemu_co_queue_wait(&s->thread_task_queue, NULL);
    }
    s->nb_threads++;
    thread_pool_submit_co(codec_worker, &t);
    s->nb_threads--;
    qemu_co_queue_next(&s->thread_task_queue);
    return t.ret;
}

ssize_t coroutine_fn qcow2_co_compress(BlockDriverState *bs, void *dest,
                                       size_t dest_size, const void *src,
                                       size_t src_size)
{
    BDRVQcow2State *s = bs->opaque;

    switch (s->compression_type) {
    case QCOW2_COMPRESSION_TYPE_ZLIB:
        return run_codec(bs, qcow2_zlib_compress, dest, dest_size, src,
                         src_size);
    case QCOW2_COMPRESSION_TYPE_ZSTD:
        return run_codec(bs, qcow2_zstd_compress, dest, dest_size, src,
                         src_size);
    default:
        return -ENOTSUP;
    }
}

ssize_t coroutine_fn qcow2_co_decompress(BlockDriverState *bs, void *dest,
                                         size_t dest_size, const void *src,
                                         size_t src_size)
{
    BDRVQcow2State *s = bs->opaque;

    switch (s->compression_type) {
    case QCOW2_COMPRESSION_TYPE_ZLIB:
        return run_codec(bs, qcow2_zlib_decompress, dest, dest_size, src,
                         src_size);
    case QCOW2_COMPRESSION_TYPE_ZSTD:
        return run_codec(bs, qcow2_zstd_decompress, dest, dest_size, src,
                         src_size);
    default:
        return -ENOTSUP;
    }
}

/*
 * Compressed writes
 *
 * A request of several clusters is cut into one task per cluster, run in
 * an AioTaskPool: the clusters compress in parallel in the thread pool.
 * Space for them is allocated in guest order all the same (each task
 * waits for its turn after compressing), so the layout does not depend
 * on which compression finishes first and equals that of one request
 * per cluster.  The data writes then run in parallel again.
 */

/* At most this many clusters of one request in flight. */
#define QCOW2_COMPRESS_WORKERS 8

/* Whose turn it is to allocate, among the tasks of one request. */
typedef struct Qcow2CompressTurn {
    uint64_t next;              /* sequence number of the next allocator */
    CoQueue waiters;
} Qcow2CompressTurn;

typedef struct Qcow2CompressTask {
    AioTask task;               /* first: the pool frees the task */
    BlockDriverState *bs;
    int64_t offset;             /* guest offset, cluster aligned */
    int64_t bytes;              /* <= one cluster */
    QEMUIOVector *qiov;
    size_t qiov_offset;
    Qcow2CompressTurn *turn;    /* NULL: the request's only task */
    uint64_t seq;               /* this task's place in guest order */
} Qcow2CompressTask;

static void coroutine_fn wait_turn(Qcow2CompressTask *t)
{
    while (t->turn && t->turn->next != t->seq) {
        qemu_co_queue_wait(&t->turn->waiters, NULL);
    }
}

static void coroutine_fn end_turn(Qcow2CompressTask *t)
{
    if (t->turn) {
        t->turn->next++;
        qemu_co_queue_restart_all(&t->turn->waiters);
    }
}

/*
 * Allocate room for @len bytes of compressed data for guest cluster
 * @offset and check it against the metadata: *@host.  0 or -errno.
 */
static int coroutine_fn GRAPH_RDLOCK
alloc_compressed(BlockDriverState *bs, int64_t offset, ssize_t len,
                 uint64_t *host)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_alloc_compressed_cluster_offset(bs, offset, len, host);
    if (ret >= 0) {
        ret = qcow2_pre_write_overlap_check(bs, 0, *host, len, true);
    }
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/*
 * Compress and write one guest cluster: t->bytes of the request (the
 * rest of the cluster reads as zeroes).  Data that does not shrink below
 * a cluster is written as a normal cluster.
 */
static int coroutine_fn GRAPH_RDLOCK compress_task(AioTask *task)
{
    Qcow2CompressTask *t = container_of(task, Qcow2CompressTask, task);
    BlockDriverState *bs = t->bs;
    BDRVQcow2State *s = bs->opaque;
    uint8_t *buf = qemu_try_blockalign(bs->file->bs, s->cluster_size);
    g_autofree uint8_t *out = g_try_malloc(s->cluster_size);
    uint64_t host = 0;
    ssize_t len = 0;
    int ret = 0;

    if (!buf || !out) {
        ret = -ENOMEM;
    } else {
        memset(buf + t->bytes, 0, s->cluster_size - t->bytes);
        qemu_iovec_to_buf(t->qiov, t->qiov_offset, buf, t->bytes);
        len = qcow2_co_compress(bs, out, s->cluster_size - 1, buf,
                                s->cluster_size);
        if (len < 0 && len != -ENOMEM) {
            ret = -EINVAL;
        }
    }

    /* Every task takes its turn, failed ones too: the next waits on it. */
    wait_turn(t);
    if (ret == 0 && len == -ENOMEM) {
        QEMUIOVector qiov;

        /* Kept in turn: the normal write allocates as it starts. */
        qemu_iovec_init_buf(&qiov, buf, t->bytes);
        ret = bs->drv->bdrv_co_pwritev_part(bs, t->offset, t->bytes, &qiov,
                                            0, 0);
        len = 0;
    } else if (ret == 0) {
        ret = alloc_compressed(bs, t->offset, len, &host);
    }
    end_turn(t);

    if (ret == 0 && len > 0) {
        BLKDBG_CO_EVENT(s->data_file, BLKDBG_WRITE_COMPRESSED);
        ret = bdrv_co_pwrite(s->data_file, host, len, out, 0);
    }
    qemu_vfree(buf);
    return ret;
}

/* Pad the image file to a whole sector, as compressed data needs. */
static int coroutine_fn GRAPH_RDLOCK pad_file(BlockDriverState *bs)
{
    int64_t len = bdrv_co_getlength(bs->file->bs);

    if (len < 0) {
        return len;
    }
    return bdrv_co_truncate(bs->file, ROUND_UP(len, BDRV_SECTOR_SIZE),
                            false, PREALLOC_MODE_OFF, 0, NULL);
}

int coroutine_fn
qcow2_co_pwritev_compressed_part(BlockDriverState *bs, int64_t offset,
                                 int64_t bytes, QEMUIOVector *qiov,
                                 size_t qiov_offset)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t guest_end = bs->total_sectors * BDRV_SECTOR_SIZE;
    Qcow2CompressTurn turn = { 0 };
    AioTaskPool *pool = NULL;
    uint64_t seq = 0;
    int ret = 0;

    if (has_data_file(bs)) {
        return -ENOTSUP;
    }
    if (bytes == 0) {
        return pad_file(bs);
    }
    if (offset_into_cluster(s, offset) ||
        (offset_into_cluster(s, bytes) && offset + bytes != guest_end)) {
        return -EINVAL;
    }

    if (bytes > s->cluster_size) {
        pool = aio_task_pool_new(QCOW2_COMPRESS_WORKERS);
        qemu_co_queue_init(&turn.waiters);
    }
    while (bytes > 0 && aio_task_pool_status(pool) == 0) {
        Qcow2CompressTask local, *t = pool ? g_new(Qcow2CompressTask, 1)
                                           : &local;

        *t = (Qcow2CompressTask) {
            .task.func = compress_task, .bs = bs, .offset = offset,
            .bytes = MIN(bytes, s->cluster_size), .qiov = qiov,
            .qiov_offset = qiov_offset, .turn = pool ? &turn : NULL,
            .seq = seq++,
        };
        offset += t->bytes;
        qiov_offset += t->bytes;
        bytes -= t->bytes;
        if (!pool) {
            ret = compress_task(&t->task);
            break;
        }
        aio_task_pool_start_task(pool, &t->task);
    }
    if (pool) {
        aio_task_pool_wait_all(pool);
        ret = aio_task_pool_status(pool);
        aio_task_pool_free(pool);
    }
    return ret < 0 ? ret : 0;
}
