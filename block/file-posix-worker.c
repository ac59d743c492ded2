/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/file-posix-worker.c: the blocking side of the file and
 * host_device drivers, run in thread-pool workers (aio=threads, and for
 * every request type the kernel engines do not handle).
 *
 * One handler per QEMU_AIO_* type: vectored reads and writes (with a
 * bounce buffer for memory O_DIRECT cannot use; bulk buffered writes into
 * holes of an ext4 file allocate their range first), flush, write-zeroes and
 * discard through fallocate or the block-device ioctls, truncate with
 * preallocation, copy_file_range and device ioctls.  Handlers return 0 or
 * -errno; they touch the node state only for the "does the host support
 * this" flags, which are plain booleans.
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <sys/vfs.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include "qapi/error.h"
#include "qemu/iov.h"
#include "qemu/units.h"
#include "block/thread-pool.h"
#include "block/file-posix.h"
#include "trace/trace-block.h"

/* Chunk used to write zeroes for full preallocation. */
#define RAW_ZERO_CHUNK (1 * MiB)
/* Buffered writes at least this long into holes allocate their range first */
#define RAW_PREALLOC_MIN (128 * KiB)

static int raw_errno_unsupported(int err)
{
    return err == EOPNOTSUPP || err == ENOTSUP || err == ENOTTY ||
           err == ENOSYS || err == EINVAL;
}

/* One preadv/pwritev of @iov at @offset, retried on EINTR. */
static ssize_t raw_rw_once(int fd, bool is_read, struct iovec *iov, int niov,
                           off_t offset)
{
    ssize_t len;

    do {
        len = is_read ? preadv(fd, iov, niov, offset)
                      : pwritev(fd, iov, niov, offset);
    } while (len < 0 && errno == EINTR);
    return len < 0 ? -errno : len;
}

/*
 * preadv/pwritev of the whole vector: the common case is one call; a
 * partial transfer continues with the rest.  Reads past end of file
 * return zeroes, writes that make no progress fail with -ENOSPC.
 */
static int raw_rw_vector(RawPosixAIOData *acb)
{
    bool is_read = acb->aio_type & QEMU_AIO_READ;
    QEMUIOVector qiov, rest;
    uint64_t done;
    ssize_t len;

    len = raw_rw_once(acb->aio_fildes, is_read, acb->io.iov, acb->io.niov,
                      acb->aio_offset);
    if (len < 0 || len == acb->aio_nbytes) {
        return len < 0 ? len : 0;
    }

    done = len;
    qemu_iovec_init_external(&qiov, acb->io.iov, acb->io.niov);
    qemu_iovec_init(&rest, acb->io.niov);
    while (len > 0 && done < acb->aio_nbytes) {
        qemu_iovec_reset(&rest);
        qemu_iovec_concat(&rest, &qiov, done, acb->aio_nbytes - done);
        len = raw_rw_once(acb->aio_fildes, is_read, rest.iov, rest.niov,
                          acb->aio_offset + done);
        if (len > 0) {
            done += len;
        }
    }
    qemu_iovec_destroy(&rest);
    if (len < 0) {
        return len;
    }
    if (done < acb->aio_nbytes) {
        if (!is_read) {
            return -ENOSPC;
        }
        qemu_iovec_memset(&qiov, done, 0, acb->aio_nbytes - done);
    }
    return 0;
}

/* Reads and writes through an aligned bounce buffer (O_DIRECT). */
static int raw_rw_bounce(RawPosixAIOData *acb)
{
    BDRVRawState *s = acb->bs->opaque;
    size_t align = MAX(s->buf_align, qemu_real_host_page_size());
    struct iovec iov;
    RawPosixAIOData sub = *acb;
    void *buf = qemu_try_memalign(align, acb->aio_nbytes ?: 1);
    int ret;

    if (!buf) {
        return -ENOMEM;
    }
    iov.iov_base = buf;
    iov.iov_len = acb->aio_nbytes;
    sub.io.iov = &iov;
    sub.io.niov = 1;
    if (acb->aio_type & QEMU_AIO_WRITE) {
        iov_to_buf(acb->io.iov, acb->io.niov, 0, buf, acb->aio_nbytes);
    }
    ret = raw_rw_vector(&sub);
    if (ret == 0 && (acb->aio_type & QEMU_AIO_READ)) {
        iov_from_buf(acb->io.iov, acb->io.niov, 0, buf, acb->aio_nbytes);
    }
    qemu_vfree(buf);
    return ret;
}

static int raw_fallocate(int fd, int mode, off_t offset, off_t len)
{
    int ret;

    do {
        ret = fallocate(fd, mode, offset, len);
    } while (ret < 0 && errno == EINTR);
    return ret < 0 ? -errno : 0;
}

/*
 * Is @fd on a file system whose buffered writes into holes gain from
 * allocating the range first?  ext4's delayed allocation reserves space
 * (and quota) block by block as the copy dirties the page cache, which
 * costs about as much as the copy itself; one fallocate() reserves and
 * maps a whole range at once.  Other file systems are left alone (on a
 * network file system fallocate() and SEEK_DATA are round trips).
 */
static bool raw_fs_wants_prealloc(int fd)
{
    struct statfs fs;

    return fstatfs(fd, &fs) == 0 && fs.f_type == EXT4_SUPER_MAGIC;
}

/*
 * Before a bulk buffered write into a hole of a regular file, allocate
 * the range with fallocate(KEEP_SIZE).  These are the blocks the write
 * allocates anyway (file contents, size and holes come out the same);
 * they read as zeroes until the data lands.  A range that holds any data
 * is left alone, so overwrites cost an fstat() (and an lseek() in a file
 * with holes).  Failures only mean the write allocates for itself.
 */
static void raw_prealloc_for_write(RawPosixAIOData *acb)
{
    BDRVRawState *s = acb->bs->opaque;
    off_t end = acb->aio_offset + acb->aio_nbytes;
    struct stat st;
    off_t data;
    int ret;

    if (acb->aio_nbytes < RAW_PREALLOC_MIN || (s->open_flags & O_DIRECT) ||
        s->is_blkdev || s->is_chardev || !s->has_fallocate ||
        s->write_prealloc < 0) {
        return;
    }
    if (s->write_prealloc == 0) {
        s->write_prealloc = raw_fs_wants_prealloc(acb->aio_fildes) ? 1 : -1;
        if (s->write_prealloc < 0) {
            return;
        }
    }
    /*
     * A file without holes (the usual overwrite case) needs no lseek(),
     * which would wait for the inode lock behind concurrent writes; nor
     * does an append (no data lies past the end of a file).
     */
    if (fstat(acb->aio_fildes, &st) < 0) {
        return;
    }
    if (end <= st.st_size && st.st_blocks * 512 >= st.st_size) {
        return;
    }
    if (acb->aio_offset < st.st_size) {
        data = lseek(acb->aio_fildes, acb->aio_offset, SEEK_DATA);
        if (data < 0 ? errno != ENXIO : data < end) {
            return;     /* some data in the range (or no SEEK_DATA) */
        }
    }
    ret = raw_fallocate(acb->aio_fildes, FALLOC_FL_KEEP_SIZE,
                        acb->aio_offset, acb->aio_nbytes);
    if (ret < 0 && raw_errno_unsupported(-ret)) {
        s->write_prealloc = -1;
    }
}

static int handle_aiocb_rw(RawPosixAIOData *acb)
{
    if (acb->aio_type & QEMU_AIO_MISALIGNED) {
        return raw_rw_bounce(acb);
    }
    if (acb->aio_type & QEMU_AIO_WRITE) {
        raw_prealloc_for_write(acb);
    }
    return raw_rw_vector(acb);
}

static int handle_aiocb_flush(RawPosixAIOData *acb)
{
    BDRVRawState *s = acb->bs->opaque;
    int ret;

    if (s->page_cache_inconsistent) {
        return -EIO;
    }
    do {
        ret = (acb->aio_type & QEMU_AIO_BLKDEV) ? fsync(acb->aio_fildes)
                                                : fdatasync(acb->aio_fildes);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        ret = -errno;
        trace_file_flush_fdatasync_failed(-ret);
        /*
         * After a failed writeback the kernel may have dropped the dirty
         * pages: a later success would not mean the data is safe.
         */
        if (ret != -EINVAL && ret != -EBADF) {
            s->page_cache_inconsistent = true;
        }
        return ret;
    }
    return 0;
}

/* BLKZEROOUT / BLKDISCARD on [offset, offset + nbytes). */
static int raw_blkdev_range_ioctl(RawPosixAIOData *acb, unsigned long cmd)
{
    uint64_t range[2] = { acb->aio_offset, acb->aio_nbytes };

    if (ioctl(acb->aio_fildes, cmd, range) < 0) {
        return -errno;
    }
    return 0;
}

static int handle_aiocb_write_zeroes_blkdev(RawPosixAIOData *acb)
{
    BDRVRawState *s = acb->bs->opaque;
    int ret;

    if (!s->has_write_zeroes) {
        return -ENOTSUP;
    }
    ret = raw_blkdev_range_ioctl(acb, BLKZEROOUT);
    if (ret < 0 && raw_errno_unsupported(-ret)) {
        s->has_write_zeroes = false;
        return -ENOTSUP;
    }
    return ret;
}

/*
 * Zero a file range without writing data: ZERO_RANGE, else punch a hole
 * and allocate it again, else (past end of file) plain allocation.
 */
static int handle_aiocb_write_zeroes(RawPosixAIOData *acb)
{
    BDRVRawState *s = acb->bs->opaque;
    int fd = acb->aio_fildes;
    struct stat st;
    int ret;

    if (acb->aio_type & QEMU_AIO_BLKDEV) {
        return handle_aiocb_write_zeroes_blkdev(acb);
    }
    if (s->has_write_zeroes) {
        ret = raw_fallocate(fd, FALLOC_FL_ZERO_RANGE, acb->aio_offset,
                            acb->aio_nbytes);
        if (ret == 0 || !raw_errno_unsupported(-ret)) {
            return ret;
        }
        s->has_write_zeroes = false;
    }
    if (s->has_discard && s->has_fallocate) {
        ret = raw_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                            acb->aio_offset, acb->aio_nbytes);
        if (ret == 0) {
            ret = raw_fallocate(fd, 0, acb->aio_offset, acb->aio_nbytes);
            if (ret == 0 || !raw_errno_unsupported(-ret)) {
                return ret;
            }
            s->has_fallocate = false;
        } else if (!raw_errno_unsupported(-ret)) {
            return ret;
        } else {
            s->has_discard = false;
        }
    }
    if (s->has_fallocate && fstat(fd, &st) == 0 &&
        acb->aio_offset >= st.st_size) {
        ret = raw_fallocate(fd, 0, acb->aio_offset, acb->aio_nbytes);
        if (ret == 0 || !raw_errno_unsupported(-ret)) {
            return ret;
        }
        s->has_fallocate = false;
    }
    return -ENOTSUP;
}

/* MAY_UNMAP: a punched hole reads as zeroes in a regular file. */
static int handle_aiocb_write_zeroes_unmap(RawPosixAIOData *acb)
{
    BDRVRawState *s = acb->bs->opaque;
    int ret;

    if (!(acb->aio_type & QEMU_AIO_BLKDEV) && s->has_discard) {
        ret = raw_fallocate(acb->aio_fildes,
                            FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                            acb->aio_offset, acb->aio_nbytes);
        if (ret == 0 || !raw_errno_unsupported(-ret)) {
            return ret;
        }
    }
    return handle_aiocb_write_zeroes(acb);
}

static int handle_aiocb_discard(RawPosixAIOData *acb)
{
    BDRVRawState *s = acb->bs->opaque;
    int ret;

    if (!s->has_discard) {
        return -ENOTSUP;
    }
    if (acb->aio_type & QEMU_AIO_BLKDEV) {
        ret = raw_blkdev_range_ioctl(acb, BLKDISCARD);
    } else {
        ret = raw_fallocate(acb->aio_fildes,
                            FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                            acb->aio_offset, acb->aio_nbytes);
    }
    if (ret < 0 && raw_errno_unsupported(-ret)) {
        s->has_discard = false;
        return -ENOTSUP;
    }
    return ret;
}

static int handle_aiocb_copy_range(RawPosixAIOData *acb)
{
    uint64_t left = acb->aio_nbytes;
    off_t in_off = acb->aio_offset;
    off_t out_off = acb->copy_range.aio_offset2;

    while (left) {
        ssize_t n = copy_file_range(acb->aio_fildes, &in_off,
                                    acb->copy_range.aio_fd2, &out_off,
                                    left, 0);
        trace_file_copy_file_range(acb->bs, acb->aio_fildes, in_off,
                                   acb->copy_range.aio_fd2, out_off, left,
                                   0, n);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return (errno == ENOSYS || errno == EXDEV ||
                    errno == EOPNOTSUPP || errno == EINVAL) ? -ENOTSUP
                                                            : -errno;
        }
        if (n == 0) {
            /* Source ended early: nothing sensible to copy. */
            return -ENOSPC;
        }
        left -= n;
    }
    return 0;
}

/* Zero-fill [from, to) of @fd by writing, for full preallocation. */
static int raw_write_zeroes_range(int fd, int64_t from, int64_t to)
{
    /* Page-aligned, so that this also works with O_DIRECT. */
    void *buf = qemu_memalign(MAX(4096, qemu_real_host_page_size()),
                              RAW_ZERO_CHUNK);
    int ret = 0;

    memset(buf, 0, RAW_ZERO_CHUNK);
    while (from < to) {
        ssize_t n = pwrite(fd, buf, MIN(to - from, RAW_ZERO_CHUNK), from);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            ret = n < 0 ? -errno : -ENOSPC;
            break;
        }
        from += n;
    }
    qemu_vfree(buf);
    return ret;
}

int raw_regular_truncate_sync(int fd, int64_t offset, PreallocMode prealloc,
                              Error **errp)
{
    struct stat st;
    int64_t old;
    int ret;

    if (fstat(fd, &st) < 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not stat file");
        return ret;
    }
    old = st.st_size;
    if (prealloc != PREALLOC_MODE_OFF && offset < old) {
        error_setg(errp, "Cannot use preallocation for shrinking files");
        return -ENOTSUP;
    }

    switch (prealloc) {
    case PREALLOC_MODE_OFF:
        if (ftruncate(fd, offset) < 0) {
            ret = -errno;
            error_setg_errno(errp, -ret, "Could not resize file");
            return ret;
        }
        return 0;
    case PREALLOC_MODE_FALLOC:
        ret = offset > old ? -posix_fallocate(fd, old, offset - old) : 0;
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not preallocate new data");
        }
        return ret;
    case PREALLOC_MODE_FULL:
        if (ftruncate(fd, offset) < 0) {
            ret = -errno;
            error_setg_errno(errp, -ret, "Could not resize file");
            return ret;
        }
        ret = raw_write_zeroes_range(fd, old, offset);
        if (ret == 0 && fsync(fd) < 0) {
            ret = -errno;
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret,
                             "Could not write zeros for preallocation");
            if (ftruncate(fd, old) < 0) {
                error_append_hint(errp, "Failed to restore old file length: "
                                  "%s\n", strerror(errno));
            }
        }
        return ret;
    default:
        error_setg(errp, "Unsupported preallocation mode: %s",
                   raw_prealloc_name(prealloc));
        return -ENOTSUP;
    }
}

static int handle_aiocb_truncate(RawPosixAIOData *acb)
{
    return raw_regular_truncate_sync(acb->aio_fildes, acb->aio_offset,
                                     acb->truncate.prealloc,
                                     acb->truncate.errp);
}

static int handle_aiocb_ioctl(RawPosixAIOData *acb)
{
    if (ioctl(acb->aio_fildes, acb->ioctl.cmd, acb->ioctl.buf) < 0) {
        return -errno;
    }
    return 0;
}

/* Worker entry: dispatch on the request type. */
static int raw_worker(void *opaque)
{
    RawPosixAIOData *acb = opaque;

    switch (acb->aio_type & QEMU_AIO_TYPE_MASK) {
    case QEMU_AIO_READ:
    case QEMU_AIO_WRITE:
        return handle_aiocb_rw(acb);
    case QEMU_AIO_FLUSH:
        return handle_aiocb_flush(acb);
    case QEMU_AIO_WRITE_ZEROES:
        return handle_aiocb_write_zeroes(acb);
    case QEMU_AIO_WRITE_ZEROES | QEMU_AIO_DISCARD:
        return handle_aiocb_write_zeroes_unmap(acb);
    case QEMU_AIO_DISCARD:
        return handle_aiocb_discard(acb);
    case QEMU_AIO_COPY_RANGE:
        return handle_aiocb_copy_range(acb);
    case QEMU_AIO_TRUNCATE:
        return handle_aiocb_truncate(acb);
    case QEMU_AIO_IOCTL:
        return handle_aiocb_ioctl(acb);
    default:
        return -EINVAL;
    }
}

int coroutine_fn raw_thread_pool_submit(RawPosixAIOData *acb)
{
    return thread_pool_submit_co(raw_worker, acb);
}
