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
 * Compress and write the guest cluster at @offset: @bytes of @buf, which
 * holds a whole cluster (zero padded).  @out is a cluster-sized scratch.
 */
static int coroutine_fn GRAPH_RDLOCK
write_one_compressed(BlockDriverState *bs, int64_t offset, int64_t bytes,
                     void *buf, void *out)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t host;
    ssize_t len;
    int ret;

    /* Anything not smaller than a cluster is stored uncompressed. */
    len = qcow2_co_compress(bs, out, s->cluster_size - 1, buf,
                            s->cluster_size);
    if (len == -ENOMEM) {
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, bytes);
        return bs->drv->bdrv_co_pwritev_part(bs, offset, bytes, &qiov, 0, 0);
    }
    if (len < 0) {
        return -EINVAL;
    }

    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_alloc_compressed_cluster_offset(bs, offset, len, &host);
    if (ret >= 0) {
        ret = qcow2_pre_write_overlap_check(bs, 0, host, len, true);
    }
    qemu_co_mutex_unlock(&s->lock);
    if (ret < 0) {
        return ret;
    }
    BLKDBG_CO_EVENT(s->data_file, BLKDBG_WRITE_COMPRESSED);
    return bdrv_co_pwrite(s->data_file, host, len, out, 0);
}

int coroutine_fn
qcow2_co_pwritev_compressed_part(BlockDriverState *bs, int64_t offset,
                                 int64_t bytes, QEMUIOVector *qiov,
                                 size_t qiov_offset)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t guest_end = bs->total_sectors * BDRV_SECTOR_SIZE;
    g_autofree uint8_t *out = NULL;
    uint8_t *buf;
    int ret = 0;

    if (has_data_file(bs)) {
        return -ENOTSUP;
    }
    if (bytes == 0) {
        /* Pad the file to a whole sector, as compressed data needs. */
        int64_t len = bdrv_co_getlength(bs->file->bs);

        if (len < 0) {
            return len;
        }
        return bdrv_co_truncate(bs->file, ROUND_UP(len, BDRV_SECTOR_SIZE),
                                false, PREALLOC_MODE_OFF, 0, NULL);
    }
    if (offset_into_cluster(s, offset) ||
        (offset_into_cluster(s, bytes) && offset + bytes != guest_end)) {
        return -EINVAL;
    }

    buf = qemu_try_blockalign(bs->file->bs, s->cluster_size);
    out = g_try_malloc(s->cluster_size);
    if (!buf || !out) {
        qemu_vfree(buf);
        return -ENOMEM;
    }
    while (bytes > 0 && ret >= 0) {
        int64_t n = MIN(bytes, s->cluster_size);

        memset(buf + n, 0, s->cluster_size - n);
        qemu_iovec_to_buf(qiov, qiov_offset, buf, n);
        ret = write_one_compressed(bs, offset, n, buf, out);
        offset += n;
        qiov_offset += n;
        bytes -= n;
    }
    qemu_vfree(buf);
    return ret < 0 ? ret : 0;
}
