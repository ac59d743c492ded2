/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/file-posix.c: the "file" and "host_device" protocol drivers.
 *
 * A node of these drivers is one host file descriptor: a regular file
 * for "file", a block or character device for "host_device".  This file
 * holds the request entry points that pick an engine (thread pool, Linux
 * AIO or io_uring), length, truncate and block status, limits, AioContext
 * changes and the two BlockDriver definitions at the bottom.  Options,
 * open/close and reopen live in file-posix-open.c, the blocking work in
 * file-posix-worker.c, image locking in file-posix-lock.c and creation in
 * file-posix-create.c.
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <linux/fs.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/host-utils.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "block/file-posix.h"

/* --- Requests ---------------------------------------------------------- */

/* Can O_DIRECT use the memory of @qiov as it is? */
static bool raw_qiov_aligned(BDRVRawState *s, QEMUIOVector *qiov)
{
    size_t len_align = MAX(s->buf_align, s->request_alignment);
    int i;

    for (i = 0; i < qiov->niov; i++) {
        if ((uintptr_t)qiov->iov[i].iov_base % s->buf_align ||
            qiov->iov[i].iov_len % len_align) {
            return false;
        }
    }
    return true;
}

static int coroutine_fn raw_co_flush_to_disk(BlockDriverState *bs);

/*
 * Largest read tried in the calling thread first.  A thread-pool round
 * trip costs about as much as copying 64 KiB of cached data, so small
 * reads are much cheaper inline; a large copy is better left to a worker,
 * where it runs beside the caller's other work (qemu-img convert reads
 * ahead on one CPU while it writes on the other).
 */
#define RAW_NOWAIT_READ_MAX (128 * KiB)

/*
 * Can a read of @bytes from @s be tried in the calling thread first?
 * Only buffered reads of regular files: with O_DIRECT every read goes to
 * the device, and for devices we leave the kernel's behaviour alone.
 */
static bool raw_can_read_nowait(BDRVRawState *s, int64_t bytes)
{
#ifdef RWF_NOWAIT
    return bytes <= RAW_NOWAIT_READ_MAX && !(s->open_flags & O_DIRECT) &&
           !s->is_blkdev && !s->is_chardev && !s->no_nowait_read;
#else
    return false;
#endif
}

/*
 * Read what the page cache holds of the request at once, in the calling
 * thread: preadv2() with RWF_NOWAIT copies cached pages and stops (short
 * count or EAGAIN) where it would have to wait for the disk.  Returns how
 * many bytes at the start of @qiov are done (0 to @bytes); the caller
 * reads the rest in a worker, which also covers end of file and errors.
 */
static int64_t raw_read_nowait(BDRVRawState *s, int64_t offset,
                               int64_t bytes, QEMUIOVector *qiov)
{
#ifdef RWF_NOWAIT
    ssize_t n = preadv2(s->fd, qiov->iov, qiov->niov, offset, RWF_NOWAIT);

    if (n >= 0) {
        return MIN(n, bytes);
    }
    if (errno == EOPNOTSUPP || errno == ENOSYS) {
        /* No RWF_NOWAIT for this file (or kernel): stop asking. */
        s->no_nowait_read = true;
    }
#endif
    return 0;
}

/* Hand a read or write of @qiov to a thread-pool worker. */
static int coroutine_fn raw_co_prw_pool(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes, QEMUIOVector *qiov,
                                        int type)
{
    BDRVRawState *s = bs->opaque;
    RawPosixAIOData acb = {
        .bs = bs,
        .aio_fildes = s->fd,
        .aio_type = type,
        .aio_offset = offset,
        .aio_nbytes = bytes,
        .io = {
            .iov = qiov->iov,
            .niov = qiov->niov,
        },
    };

    return raw_thread_pool_submit(&acb);
}

/* The first @done bytes of a read are in @qiov: read the rest in a worker. */
static int coroutine_fn raw_co_read_rest(BlockDriverState *bs, int64_t offset,
                                         int64_t bytes, QEMUIOVector *qiov,
                                         int64_t done)
{
    QEMUIOVector rest;
    int ret;

    qemu_iovec_init(&rest, qiov->niov);
    qemu_iovec_concat(&rest, qiov, done, bytes - done);
    ret = raw_co_prw_pool(bs, offset + done, bytes - done, &rest,
                          QEMU_AIO_READ);
    qemu_iovec_destroy(&rest);
    return ret;
}

static int coroutine_fn raw_co_prw(BlockDriverState *bs, int64_t offset,
                                   int64_t bytes, QEMUIOVector *qiov,
                                   int type)
{
    BDRVRawState *s = bs->opaque;
    AioContext *ctx = qemu_get_current_aio_context();

    if (s->fd < 0) {
        return -EIO;
    }
    assert(qiov->size == bytes);
    if (s->needs_alignment && !raw_qiov_aligned(s, qiov)) {
        type |= QEMU_AIO_MISALIGNED;
    } else if (s->aio == RAW_AIO_NATIVE && aio_get_linux_aio(ctx)) {
        return laio_co_submit(s->fd, offset, qiov, type, s->aio_max_batch);
    } else if (s->aio == RAW_AIO_IO_URING && aio_get_linux_io_uring(ctx)) {
        return luring_co_submit(s->fd, offset, qiov, type);
    }

    if (type == QEMU_AIO_READ && raw_can_read_nowait(s, bytes)) {
        int64_t done = raw_read_nowait(s, offset, bytes, qiov);

        if (done == bytes) {
            return 0;
        }
        if (done > 0) {
            return raw_co_read_rest(bs, offset, bytes, qiov, done);
        }
    }
    return raw_co_prw_pool(bs, offset, bytes, qiov, type);
}

static int coroutine_fn raw_co_preadv(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      BdrvRequestFlags flags)
{
    return raw_co_prw(bs, offset, bytes, qiov, QEMU_AIO_READ);
}

static int coroutine_fn raw_co_pwritev(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags)
{
    int ret = raw_co_prw(bs, offset, bytes, qiov, QEMU_AIO_WRITE);

    /* FUA: the data must be stable before the request completes. */
    if (ret == 0 && (flags & BDRV_REQ_FUA)) {
        ret = raw_co_flush_to_disk(bs);
    }
    return ret;
}

/* Build and run a request that has no data buffer. */
static int coroutine_fn raw_co_simple(BlockDriverState *bs, int type,
                                      int64_t offset, int64_t bytes)
{
    BDRVRawState *s = bs->opaque;
    RawPosixAIOData acb = {
        .bs = bs,
        .aio_fildes = s->fd,
        .aio_type = type | (s->is_blkdev ? QEMU_AIO_BLKDEV : 0),
        .aio_offset = offset,
        .aio_nbytes = bytes,
    };

    if (s->fd < 0) {
        return -EIO;
    }
    return raw_thread_pool_submit(&acb);
}

static int coroutine_fn raw_co_flush_to_disk(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    if (s->fd >= 0 && s->aio == RAW_AIO_IO_URING && !s->is_blkdev &&
        !s->page_cache_inconsistent &&
        aio_get_linux_io_uring(qemu_get_current_aio_context())) {
        return luring_co_submit(s->fd, 0, NULL, QEMU_AIO_FLUSH);
    }
    return raw_co_simple(bs, QEMU_AIO_FLUSH, 0, 0);
}

static int coroutine_fn raw_co_pwrite_zeroes(BlockDriverState *bs,
                                             int64_t offset, int64_t bytes,
                                             BdrvRequestFlags flags)
{
    BDRVRawState *s = bs->opaque;
    int type = QEMU_AIO_WRITE_ZEROES;

    /* BLKZEROOUT may write zeroes itself: not cheap enough for this. */
    if (s->is_blkdev && (flags & BDRV_REQ_NO_FALLBACK)) {
        return -ENOTSUP;
    }
    if (flags & BDRV_REQ_MAY_UNMAP) {
        type |= QEMU_AIO_DISCARD;
    }
    return raw_co_simple(bs, type, offset, bytes);
}

static int coroutine_fn raw_co_pdiscard(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes)
{
    return raw_co_simple(bs, QEMU_AIO_DISCARD, offset, bytes);
}

static int coroutine_fn raw_co_ioctl(BlockDriverState *bs,
                                     unsigned long int req, void *buf)
{
    BDRVRawState *s = bs->opaque;
    RawPosixAIOData acb = {
        .bs = bs,
        .aio_fildes = s->fd,
        .aio_type = QEMU_AIO_IOCTL,
        .ioctl = {
            .cmd = req,
            .buf = buf,
        },
    };

    if (s->fd < 0) {
        return -EIO;
    }
    return raw_thread_pool_submit(&acb);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_copy_range_from(BlockDriverState *bs, BdrvChild *src,
                       int64_t src_offset, BdrvChild *dst, int64_t dst_offset,
                       int64_t bytes, BdrvRequestFlags read_flags,
                       BdrvRequestFlags write_flags)
{
    return bdrv_co_copy_range_to(src, src_offset, dst, dst_offset, bytes,
                                 read_flags, write_flags);
}

static int coroutine_fn GRAPH_RDLOCK
raw_co_copy_range_to(BlockDriverState *bs, BdrvChild *src,
                     int64_t src_offset, BdrvChild *dst, int64_t dst_offset,
                     int64_t bytes, BdrvRequestFlags read_flags,
                     BdrvRequestFlags write_flags)
{
    BDRVRawState *s = bs->opaque;
    BDRVRawState *src_s;
    RawPosixAIOData acb;

    /* Only between two file-posix nodes: both ends are descriptors. */
    if (!src->bs->drv ||
        src->bs->drv->bdrv_co_copy_range_to != raw_co_copy_range_to) {
        return -ENOTSUP;
    }
    src_s = src->bs->opaque;
    if (s->fd < 0 || src_s->fd < 0) {
        return -EIO;
    }
    acb = (RawPosixAIOData) {
        .bs = bs,
        .aio_type = QEMU_AIO_COPY_RANGE,
        .aio_fildes = src_s->fd,
        .aio_offset = src_offset,
        .aio_nbytes = bytes,
        .copy_range = {
            .aio_fd2 = s->fd,
            .aio_offset2 = dst_offset,
        },
    };
    return raw_thread_pool_submit(&acb);
}

/* --- Size and allocation ---------------------------------------------- */

static int64_t raw_getlength_fd(BDRVRawState *s)
{
    struct stat st;
    uint64_t size;
    off_t end;

    if (s->fd < 0) {
        return -EIO;
    }
    if (s->is_blkdev) {
        return ioctl(s->fd, BLKGETSIZE64, &size) < 0 ? -errno
                                                      : (int64_t)size;
    }
    if (s->is_chardev) {
        end = lseek(s->fd, 0, SEEK_END);
        return end < 0 ? -errno : end;
    }
    return fstat(s->fd, &st) < 0 ? -errno : st.st_size;
}

static int64_t coroutine_fn raw_co_getlength(BlockDriverState *bs)
{
    return raw_getlength_fd(bs->opaque);
}

static int64_t coroutine_fn
raw_co_get_allocated_file_size(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;

    if (fstat(s->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

static int coroutine_fn raw_co_truncate(BlockDriverState *bs, int64_t offset,
                                        bool exact, PreallocMode prealloc,
                                        BdrvRequestFlags flags, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    RawPosixAIOData acb;
    int64_t cur;
    struct stat st;

    if (fstat(s->fd, &st) < 0) {
        int err = errno;

        error_setg_errno(errp, err, "Failed to fstat() the file");
        return -err;
    }
    if (S_ISREG(st.st_mode)) {
        acb = (RawPosixAIOData) {
            .bs = bs,
            .aio_fildes = s->fd,
            .aio_type = QEMU_AIO_TRUNCATE,
            .aio_offset = offset,
            .truncate = {
                .prealloc = prealloc,
                .errp = errp,
            },
        };
        return raw_thread_pool_submit(&acb);
    }
    if (prealloc != PREALLOC_MODE_OFF) {
        error_setg(errp, "Preallocation mode '%s' unsupported for this "
                   "non-regular file", raw_prealloc_name(prealloc));
        return -ENOTSUP;
    }
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
        error_setg(errp, "Resizing this file is not supported");
        return -ENOTSUP;
    }
    cur = raw_getlength_fd(s);
    if (cur >= 0 && offset != cur && exact) {
        error_setg(errp, "Cannot resize device files");
        return -ENOTSUP;
    }
    if (cur >= 0 && offset > cur) {
        error_setg(errp, "Cannot grow device files");
        return -EINVAL;
    }
    return 0;
}

/*
 * Block status from SEEK_DATA/SEEK_HOLE: data extents are DATA, holes
 * read as ZERO; both map 1:1 to this node.  Without want_zero, or where
 * the file system cannot tell, everything is data.
 */
static int coroutine_fn raw_co_block_status(BlockDriverState *bs,
                                            bool want_zero, int64_t offset,
                                            int64_t bytes, int64_t *pnum,
                                            int64_t *map,
                                            BlockDriverState **file)
{
    BDRVRawState *s = bs->opaque;
    uint32_t align = s->request_alignment;
    off_t data, hole;
    int ret = BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;

    *pnum = bytes;
    *map = offset;
    *file = bs;
    if (!want_zero || s->is_blkdev || s->is_chardev) {
        return ret;
    }

    data = lseek(s->fd, offset, SEEK_DATA);
    if (data < 0 && errno == ENXIO) {
        /* Only a hole up to end of file remains. */
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    }
    if (data < 0) {
        return ret;
    }
    if (data > offset) {
        *pnum = MIN(bytes, data - offset);
        ret = BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    } else {
        hole = lseek(s->fd, offset, SEEK_HOLE);
        if (hole > offset) {
            *pnum = MIN(bytes, hole - offset);
        }
    }
    /* The core needs whole alignment units; a partial hole is data. */
    if (!QEMU_IS_ALIGNED(*pnum, align)) {
        if (ret & BDRV_BLOCK_ZERO && *pnum > align) {
            *pnum = QEMU_ALIGN_DOWN(*pnum, align);
        } else {
            *pnum = MIN(bytes, QEMU_ALIGN_UP(*pnum, align));
            ret = BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
        }
    }
    return ret;
}

/* --- Limits ------------------------------------------------------------ */

/* A number from /sys/dev/block/<maj>:<min>/queue/@attr, or -errno. */
static int64_t hdev_sysfs_value(int fd, const char *attr)
{
    g_autofree char *path = NULL;
    g_autofree char *text = NULL;
    struct stat st;
    uint64_t val;

    if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode)) {
        return -ENOTSUP;
    }
    path = g_strdup_printf("/sys/dev/block/%u:%u/queue/%s",
                           major(st.st_rdev), minor(st.st_rdev), attr);
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return -ENOENT;
    }
    g_strstrip(text);
    if (qemu_strtou64(text, NULL, 10, &val) < 0 || val > INT64_MAX) {
        return -EINVAL;
    }
    return val;
}

static void hdev_refresh_device_limits(BlockDriverState *bs, int fd)
{
    int64_t kb = hdev_sysfs_value(fd, "max_sectors_kb");
    int64_t segs = hdev_sysfs_value(fd, "max_segments");
    int64_t gran = hdev_sysfs_value(fd, "discard_granularity");

    if (kb > 0 && kb * KiB <= INT_MAX) {
        bs->bl.max_hw_transfer = pow2floor(kb * KiB);
        bs->bl.max_transfer = bs->bl.max_hw_transfer;
    }
    if (segs > 0 && segs <= INT_MAX) {
        bs->bl.max_hw_iov = segs;
    }
    if (gran > 0 && gran <= UINT32_MAX &&
        QEMU_IS_ALIGNED(gran, bs->bl.request_alignment)) {
        bs->bl.pdiscard_alignment = gran;
    }
}

static void raw_refresh_limits(BlockDriverState *bs, Error **errp)
{
    BDRVRawState *s = bs->opaque;

    bs->bl.request_alignment = s->request_alignment;
    bs->bl.min_mem_alignment = s->buf_align;
    bs->bl.opt_mem_alignment = MAX(s->buf_align,
                                   qemu_real_host_page_size());
    if (s->is_blkdev) {
        hdev_refresh_device_limits(bs, s->fd);
    }
}

static int hdev_probe_blocksizes(BlockDriverState *bs, BlockSizes *bsz)
{
    BDRVRawState *s = bs->opaque;
    unsigned int phys;
    int logical;

    if (!s->is_blkdev || ioctl(s->fd, BLKSSZGET, &logical) < 0 ||
        ioctl(s->fd, BLKPBSZGET, &phys) < 0) {
        return -ENOTSUP;
    }
    bsz->log = logical;
    bsz->phys = phys;
    return 0;
}

/* --- Page cache on incoming migration -------------------------------- */

/* Window mapped at a time to ask mincore() about the page cache. */
#define RAW_MINCORE_WINDOW (128 * MiB)

/* Fail if any page of the file is still in the host page cache. */
static void raw_check_cache_dropped(BDRVRawState *s, Error **errp)
{
    size_t page = qemu_real_host_page_size();
    int64_t end = raw_getlength_fd(s);
    g_autofree unsigned char *vec = NULL;
    int64_t off;

    if (end < 0) {
        error_setg_errno(errp, -end, "Failed to get file length");
        return;
    }
    vec = g_malloc(DIV_ROUND_UP(RAW_MINCORE_WINDOW, page));
    for (off = 0; off < end; off += RAW_MINCORE_WINDOW) {
        size_t len = MIN(end - off, RAW_MINCORE_WINDOW);
        size_t i, pages = DIV_ROUND_UP(len, page);
        void *map = mmap(NULL, len, PROT_NONE, MAP_SHARED, s->fd, off);
        int ret;

        if (map == MAP_FAILED) {
            error_setg_errno(errp, errno, "mmap failed");
            return;
        }
        ret = mincore(map, len, vec);
        munmap(map, len);
        if (ret < 0) {
            error_setg_errno(errp, errno, "mincore failed");
            return;
        }
        for (i = 0; i < pages; i++) {
            if (vec[i] & 1) {
                error_setg(errp, "page cache still in use!");
                return;
            }
        }
    }
}

/*
 * Another host wrote the image while we were inactive: drop what the
 * page cache holds of it (drop-cache=on), and with x-check-cache-dropped
 * verify that it is really gone.
 */
static void coroutine_fn raw_co_invalidate_cache(BlockDriverState *bs,
                                                 Error **errp)
{
    BDRVRawState *s = bs->opaque;
    int ret;

    if (s->fd < 0) {
        error_setg_errno(errp, EBADF, "The file descriptor is not open");
        return;
    }
    if (!s->drop_cache || (s->open_flags & O_DIRECT)) {
        return;
    }
    ret = raw_co_simple(bs, QEMU_AIO_FLUSH, 0, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "flush failed");
        return;
    }
    ret = posix_fadvise(s->fd, 0, 0, POSIX_FADV_DONTNEED);
    if (ret != 0) {
        error_setg_errno(errp, ret, "fadvise failed");
        return;
    }
    if (s->check_cache_dropped) {
        raw_check_cache_dropped(s, errp);
    }
}

/* --- AioContext changes ----------------------------------------------- */

static void raw_detach_aio_context(BlockDriverState *bs)
{
    raw_release_engine(bs->opaque);
}

static void raw_attach_aio_context(BlockDriverState *bs,
                                   AioContext *new_context)
{
    BDRVRawState *s = bs->opaque;
    Error *local_err = NULL;

    if (s->aio == RAW_AIO_NATIVE) {
        if (aio_setup_linux_aio(new_context, &local_err) < 0) {
            error_prepend(&local_err, "Unable to use native AIO, "
                          "falling back to thread pool: ");
            warn_report_err(local_err);
            s->aio = RAW_AIO_THREADS;
            return;
        }
    } else if (s->aio == RAW_AIO_IO_URING) {
        if (aio_setup_linux_io_uring(new_context, &local_err) < 0) {
            error_prepend(&local_err, "Unable to use linux io_uring, "
                          "falling back to thread pool: ");
            warn_report_err(local_err);
            s->aio = RAW_AIO_THREADS;
            return;
        }
    } else {
        return;
    }
    s->engine_ctx = new_context;
}

static int coroutine_fn raw_co_delete_file(BlockDriverState *bs,
                                           Error **errp)
{
    struct stat st;

    if (stat(bs->filename, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_setg_errno(errp, ENOENT, "%s is not a regular file",
                         bs->filename);
        return -ENOENT;
    }
    if (unlink(bs->filename) < 0) {
        int err = errno;

        error_setg_errno(errp, err, "Error when deleting file %s",
                         bs->filename);
        return -err;
    }
    return 0;
}

/*
 * A plain file has no clusters and no VM state area: report success with
 * the zeroed BlockDriverInfo, as QEMU does ("cluster size: 0 bytes" in
 * qemu-io info).
 */
static int coroutine_fn GRAPH_RDLOCK
raw_co_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    return 0;
}

/* --- Driver definitions ----------------------------------------------- */

static const char *const raw_strong_runtime_opts[] = {
    NULL
};

BlockDriver bdrv_file = {
    .format_name            = "file",
    .protocol_name          = "file",
    .instance_size          = sizeof(BDRVRawState),
    .bdrv_needs_filename    = true,
    .bdrv_parse_filename    = raw_parse_filename,
    .bdrv_file_open         = raw_open,
    .bdrv_reopen_prepare    = raw_reopen_prepare,
    .bdrv_reopen_commit     = raw_reopen_commit,
    .bdrv_reopen_abort      = raw_reopen_abort,
    .bdrv_close             = raw_close,
    .bdrv_co_create_opts    = raw_co_create_opts,
    .create_opts            = &raw_create_opts,
    .bdrv_has_zero_init     = bdrv_has_zero_init_1,
    .bdrv_co_delete_file    = raw_co_delete_file,
    .bdrv_co_invalidate_cache = raw_co_invalidate_cache,

    .bdrv_co_preadv         = raw_co_preadv,
    .bdrv_co_pwritev        = raw_co_pwritev,
    .bdrv_co_flush_to_disk  = raw_co_flush_to_disk,
    .bdrv_co_pwrite_zeroes  = raw_co_pwrite_zeroes,
    .bdrv_co_pdiscard       = raw_co_pdiscard,
    .bdrv_co_copy_range_from = raw_co_copy_range_from,
    .bdrv_co_copy_range_to  = raw_co_copy_range_to,
    .bdrv_co_block_status   = raw_co_block_status,
    .bdrv_refresh_limits    = raw_refresh_limits,
    .bdrv_attach_aio_context = raw_attach_aio_context,
    .bdrv_detach_aio_context = raw_detach_aio_context,

    .bdrv_co_truncate       = raw_co_truncate,
    .bdrv_co_getlength      = raw_co_getlength,
    .bdrv_co_get_allocated_file_size = raw_co_get_allocated_file_size,
    .bdrv_co_get_info       = raw_co_get_info,

    .bdrv_check_perm        = raw_check_perm,
    .bdrv_set_perm          = raw_set_perm,
    .bdrv_abort_perm_update = raw_abort_perm_update,

    .strong_runtime_opts    = raw_strong_runtime_opts,
    .mutable_opts           = raw_mutable_opts,
};

static BlockDriver bdrv_host_device = {
    .format_name            = "host_device",
    .protocol_name          = "host_device",
    .instance_size          = sizeof(BDRVRawState),
    .bdrv_needs_filename    = true,
    .bdrv_probe_device      = hdev_probe_device,
    .bdrv_parse_filename    = hdev_parse_filename,
    .bdrv_file_open         = hdev_open,
    .bdrv_reopen_prepare    = raw_reopen_prepare,
    .bdrv_reopen_commit     = raw_reopen_commit,
    .bdrv_reopen_abort      = raw_reopen_abort,
    .bdrv_close             = raw_close,
    /* Devices exist already: "creating" one only checks it. */
    .bdrv_co_create_opts    = bdrv_co_create_opts_simple,
    .create_opts            = &bdrv_create_opts_simple,

    .bdrv_co_preadv         = raw_co_preadv,
    .bdrv_co_pwritev        = raw_co_pwritev,
    .bdrv_co_flush_to_disk  = raw_co_flush_to_disk,
    .bdrv_co_pwrite_zeroes  = raw_co_pwrite_zeroes,
    .bdrv_co_pdiscard       = raw_co_pdiscard,
    .bdrv_co_copy_range_from = raw_co_copy_range_from,
    .bdrv_co_copy_range_to  = raw_co_copy_range_to,
    .bdrv_co_block_status   = raw_co_block_status,
    .bdrv_refresh_limits    = raw_refresh_limits,
    .bdrv_probe_blocksizes  = hdev_probe_blocksizes,
    .bdrv_attach_aio_context = raw_attach_aio_context,
    .bdrv_detach_aio_context = raw_detach_aio_context,
    .bdrv_co_ioctl          = raw_co_ioctl,

    .bdrv_co_truncate       = raw_co_truncate,
    .bdrv_co_getlength      = raw_co_getlength,
    .bdrv_co_get_allocated_file_size = raw_co_get_allocated_file_size,
    .bdrv_co_get_info       = raw_co_get_info,

    .bdrv_check_perm        = raw_check_perm,
    .bdrv_set_perm          = raw_set_perm,
    .bdrv_abort_perm_update = raw_abort_perm_update,

    .strong_runtime_opts    = raw_strong_runtime_opts,
    .mutable_opts           = raw_mutable_opts,
};

static void bdrv_file_init(void)
{
    bdrv_register(&bdrv_file);
    bdrv_register(&bdrv_host_device);
}

block_init(bdrv_file_init);
