/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/file-posix.c: the "file" and "host_device" protocol drivers.
 *
 * A node of these drivers is one host file descriptor: a regular file
 * for "file", a block or character device for "host_device".  This file
 * holds the runtime options, open/close and reopen (with O_DIRECT
 * alignment probing and auto-read-only), the request entry points that
 * pick an engine (thread pool, Linux AIO or io_uring), limits, length and
 * block status, and the two BlockDriver definitions at the bottom.  The
 * blocking work lives in file-posix-worker.c, image locking in
 * file-posix-lock.c and creation in file-posix-create.c.
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
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

#define RAW_OPT_AIO            "aio"
#define RAW_OPT_AIO_MAX_BATCH  "aio-max-batch"
#define RAW_OPT_LOCKING        "locking"
#define RAW_OPT_PR_MANAGER     "pr-manager"
#define RAW_OPT_DROP_CACHE     "drop-cache"
#define RAW_OPT_CHECK_DROPPED  "x-check-cache-dropped"

/* Largest alignment probed for O_DIRECT, and the fallback. */
#define RAW_MAX_PROBE_ALIGN    4096

static QemuOptsList raw_runtime_opts = {
    .name = "raw",
    .head = QTAILQ_HEAD_INITIALIZER(raw_runtime_opts.head),
    .desc = {
        {
            .name = "filename",
            .type = QEMU_OPT_STRING,
            .help = "File name of the image",
        },
        {
            .name = RAW_OPT_AIO,
            .type = QEMU_OPT_STRING,
            .help = "host AIO implementation (threads, native, io_uring)",
        },
        {
            .name = RAW_OPT_AIO_MAX_BATCH,
            .type = QEMU_OPT_NUMBER,
            .help = "AIO max batch size (0 = auto handled by AIO backend, "
                    "default: 0)",
        },
        {
            .name = RAW_OPT_LOCKING,
            .type = QEMU_OPT_STRING,
            .help = "file locking mode (on/off/auto, default: auto)",
        },
        {
            .name = RAW_OPT_PR_MANAGER,
            .type = QEMU_OPT_STRING,
            .help = "id of persistent reservation manager object "
                    "(default: none)",
        },
        {
            .name = RAW_OPT_DROP_CACHE,
            .type = QEMU_OPT_BOOL,
            .help = "invalidate page cache during live migration "
                    "(default: on)",
        },
        {
            .name = RAW_OPT_CHECK_DROPPED,
            .type = QEMU_OPT_BOOL,
            .help = "check that page cache was dropped on live migration "
                    "(default: off)",
        },
        { /* end of list */ }
    },
};

static const char *const raw_mutable_opts[] = {
    RAW_OPT_AIO,
    RAW_OPT_LOCKING,
    "filename",
    RAW_OPT_DROP_CACHE,
    RAW_OPT_CHECK_DROPPED,
    NULL
};

/* --- Option parsing ---------------------------------------------------- */

/* Index of @value in the NULL-terminated @names, or -1 with @errp set. */
static int raw_parse_enum(const char *value, const char *const *names,
                          Error **errp)
{
    int i;

    for (i = 0; names[i]; i++) {
        if (!strcmp(value, names[i])) {
            return i;
        }
    }
    error_setg(errp, "invalid parameter value: %s", value);
    return -1;
}

static const char *const raw_aio_names[] = {
    [RAW_AIO_THREADS] = "threads",
    [RAW_AIO_NATIVE] = "native",
    [RAW_AIO_IO_URING] = "io_uring",
    NULL
};

static const char *const raw_locking_names[] = {
    [ON_OFF_AUTO_AUTO] = "auto",
    [ON_OFF_AUTO_ON] = "on",
    [ON_OFF_AUTO_OFF] = "off",
    NULL
};

/* The engine: "aio" if given, else what the BDRV_O_* flags ask for. */
static int raw_parse_aio(QemuOpts *opts, int bdrv_flags, Error **errp)
{
    const char *str = qemu_opt_get(opts, RAW_OPT_AIO);

    if (str) {
        return raw_parse_enum(str, raw_aio_names, errp);
    }
    if (bdrv_flags & BDRV_O_NATIVE_AIO) {
        return RAW_AIO_NATIVE;
    }
    if (bdrv_flags & BDRV_O_IO_URING) {
        return RAW_AIO_IO_URING;
    }
    return RAW_AIO_THREADS;
}

static int raw_parse_locking(BDRVRawState *s, QemuOpts *opts, Error **errp)
{
    const char *str = qemu_opt_get(opts, RAW_OPT_LOCKING);
    int mode = str ? raw_parse_enum(str, raw_locking_names, errp)
                   : ON_OFF_AUTO_AUTO;

    switch (mode) {
    case ON_OFF_AUTO_ON:
        s->use_lock = true;
        s->use_ofd = raw_has_ofd_lock();
        if (!s->use_ofd) {
            warn_report("File lock requested but OFD locking syscall is "
                        "unavailable, falling back to POSIX file locks");
            error_printf("Due to the implementation, locks can be lost "
                         "unexpectedly.\n");
        }
        return 0;
    case ON_OFF_AUTO_AUTO:
        /* Without OFD locks, locking quietly stays off. */
        s->use_ofd = raw_has_ofd_lock();
        s->use_lock = s->use_ofd;
        return 0;
    case ON_OFF_AUTO_OFF:
        s->use_lock = false;
        return 0;
    default:
        return -EINVAL;
    }
}

/* O_* flags for the BDRV_O_* @bdrv_flags. */
static int raw_open_flags(int bdrv_flags)
{
    int flags = O_CLOEXEC;

    flags |= (bdrv_flags & BDRV_O_RDWR) ? O_RDWR : O_RDONLY;
    if (bdrv_flags & BDRV_O_NOCACHE) {
        flags |= O_DIRECT;
    }
    return flags;
}

/* --- O_DIRECT alignment probing --------------------------------------- */

/* Would a read of @len bytes into @buf at offset 0 pass O_DIRECT checks? */
static bool raw_io_aligned(int fd, void *buf, size_t len)
{
    ssize_t ret = pread(fd, buf, len, 0);

    /* Anything but EINVAL (e.g. EOF on an empty file) says "aligned". */
    return ret >= 0 || errno != EINVAL;
}

/*
 * Find the request and buffer alignment O_DIRECT needs on @fd by trying
 * reads, smallest first.  When even one byte works the answer is
 * unknowable (the read may have hit end of file), so the largest
 * alignment is assumed.
 */
static int raw_probe_alignment(int fd, bool is_blkdev, uint32_t *req_align,
                               size_t *buf_align, Error **errp)
{
    static const size_t sizes[] = { 1, 512, 1024, 2048, 4096 };
    size_t max_align = MAX(RAW_MAX_PROBE_ALIGN, qemu_real_host_page_size());
    g_autofree uint8_t *mem = NULL;
    uint8_t *buf;
    int sector_size, i;

    *req_align = 0;
    *buf_align = 0;
    if (is_blkdev && ioctl(fd, BLKSSZGET, &sector_size) == 0 &&
        sector_size > 0) {
        *req_align = sector_size;
    }

    mem = g_malloc(3 * max_align);
    buf = QEMU_ALIGN_PTR_UP(mem, max_align);
    for (i = 0; !*req_align && i < ARRAY_SIZE(sizes); i++) {
        if (raw_io_aligned(fd, buf, sizes[i])) {
            *req_align = sizes[i] != 1 ? sizes[i] : max_align;
        }
    }
    for (i = 0; i < ARRAY_SIZE(sizes); i++) {
        if (raw_io_aligned(fd, buf + sizes[i], max_align)) {
            *buf_align = sizes[i] != 1 ? sizes[i] : max_align;
            break;
        }
    }
    if (!*req_align || !*buf_align) {
        error_setg(errp, "Could not find working O_DIRECT alignment");
        error_append_hint(errp, "Try cache.direct=off\n");
        return -EINVAL;
    }
    return 0;
}

/* --- Open and close ---------------------------------------------------- */

/*
 * Open @filename for @bdrv_flags; with auto-read-only, fall back to a
 * read-only descriptor when writing is refused.  -errno with @errp set.
 */
static int raw_open_fd(BlockDriverState *bs, const char *filename,
                       int bdrv_flags, int *open_flags, Error **errp)
{
    int fd, ret;

    *open_flags = raw_open_flags(bdrv_flags);
    fd = open(filename, *open_flags);
    ret = fd < 0 ? -errno : 0;
    if ((ret == -EACCES || ret == -EROFS) && (bdrv_flags & BDRV_O_RDWR) &&
        (bdrv_flags & BDRV_O_AUTO_RDONLY)) {
        bdrv_graph_rdlock_main_loop();
        ret = bdrv_apply_auto_read_only(bs, NULL, NULL);
        bdrv_graph_rdunlock_main_loop();
        if (ret == 0) {
            *open_flags = raw_open_flags(bdrv_flags & ~BDRV_O_RDWR);
            fd = open(filename, *open_flags);
            ret = fd < 0 ? -errno : 0;
        } else {
            ret = -EACCES;
        }
    }
    if (ret < 0) {
        if (ret == -EROFS) {
            ret = -EACCES;
        }
        error_setg_errno(errp, -ret, "Could not open '%s'", filename);
        return ret;
    }
    return fd;
}

/* Set up the engine chosen by "aio" in the node's AioContext. */
static int raw_setup_engine(BlockDriverState *bs, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    AioContext *ctx = bdrv_get_aio_context(bs);

    switch (s->aio) {
    case RAW_AIO_NATIVE:
        if (!(s->open_flags & O_DIRECT)) {
            error_setg(errp, "aio=native was specified, but it requires "
                       "cache.direct=on, which was not specified.");
            return -EINVAL;
        }
        if (aio_setup_linux_aio(ctx, errp) < 0) {
            error_prepend(errp, "Unable to use native AIO: ");
            return -EINVAL;
        }
        return 0;
    case RAW_AIO_IO_URING:
        if (aio_setup_linux_io_uring(ctx, errp) < 0) {
            error_prepend(errp, "Unable to use io_uring: ");
            return -EINVAL;
        }
        return 0;
    default:
        return 0;
    }
}

/* Check the file type against the driver; fill in what depends on it. */
static int raw_check_type(BlockDriverState *bs, bool device, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;

    if (fstat(s->fd, &st) < 0) {
        error_setg_errno(errp, errno, "Could not stat file");
        return -errno;
    }
    s->is_blkdev = S_ISBLK(st.st_mode);
    s->is_chardev = S_ISCHR(st.st_mode);
    if (!device && !S_ISREG(st.st_mode)) {
        error_setg(errp, "'%s' driver requires '%s' to be a regular file",
                   bs->drv->format_name, bs->filename);
        return -EINVAL;
    }
    if (device && !s->is_blkdev && !s->is_chardev) {
        error_setg(errp, "'%s' driver requires '%s' to be either "
                   "a character or block device",
                   bs->drv->format_name, bs->filename);
        return -EINVAL;
    }
    s->has_discard = true;
    s->has_write_zeroes = true;
    s->has_fallocate = S_ISREG(st.st_mode);
    return 0;
}

/* Read the runtime options into @s; the engine mode goes to s->aio. */
static int raw_apply_options(BDRVRawState *s, QemuOpts *opts, int bdrv_flags,
                             Error **errp)
{
    const char *pr_manager;
    int aio;

    aio = raw_parse_aio(opts, bdrv_flags, errp);
    if (aio < 0) {
        return -EINVAL;
    }
    s->aio = aio;
    s->aio_max_batch = qemu_opt_get_number(opts, RAW_OPT_AIO_MAX_BATCH, 0);
    if (raw_parse_locking(s, opts, errp) < 0) {
        return -EINVAL;
    }
    pr_manager = qemu_opt_get(opts, RAW_OPT_PR_MANAGER);
    if (pr_manager) {
        error_setg(errp, "No persistent reservation manager with id '%s'",
                   pr_manager);
        return -EINVAL;
    }
    s->drop_cache = qemu_opt_get_bool(opts, RAW_OPT_DROP_CACHE, true);
    s->check_cache_dropped = qemu_opt_get_bool(opts, RAW_OPT_CHECK_DROPPED,
                                               false);
    return 0;
}

static int raw_open_common(BlockDriverState *bs, QDict *options,
                           int bdrv_flags, bool device, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    QemuOpts *opts;
    const char *filename;
    int ret;

    s->fd = -1;
    s->perm_change_fd = -1;
    s->shared_perm = BLK_PERM_ALL;
    opts = qemu_opts_create(&raw_runtime_opts, NULL, 0, &error_abort);
    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        ret = -EINVAL;
        goto out;
    }
    filename = qemu_opt_get(opts, "filename");
    ret = raw_apply_options(s, opts, bdrv_flags, errp);
    if (ret < 0) {
        goto out;
    }

    ret = raw_open_fd(bs, filename, bdrv_flags, &s->open_flags, errp);
    if (ret < 0) {
        goto out;
    }
    s->fd = ret;
    ret = raw_check_type(bs, device, errp);
    if (ret == 0) {
        ret = raw_setup_engine(bs, errp);
    }
    if (ret == 0 && (s->open_flags & O_DIRECT)) {
        ret = raw_probe_alignment(s->fd, s->is_blkdev, &s->request_alignment,
                                  &s->buf_align, errp);
        s->needs_alignment = true;
    } else {
        s->request_alignment = 1;
        s->buf_align = 1;
    }
    if (ret < 0) {
        close(s->fd);
        s->fd = -1;
        goto out;
    }

    bs->supported_write_flags = BDRV_REQ_FUA;
    bs->supported_zero_flags = BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK;
    if (!device) {
        bs->supported_truncate_flags = BDRV_REQ_ZERO_WRITE;
    }
    ret = 0;
out:
    qemu_opts_del(opts);
    return ret;
}

static int raw_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    return raw_open_common(bs, options, flags, false, errp);
}

static int hdev_open(BlockDriverState *bs, QDict *options, int flags,
                     Error **errp)
{
    return raw_open_common(bs, options, flags, true, errp);
}

static void raw_close(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    /* Closing the descriptor also drops every lock byte it held. */
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
}

static void raw_parse_filename(const char *filename, QDict *options,
                               Error **errp)
{
    bdrv_parse_filename_strip_prefix(filename, "file", options);
}

static void hdev_parse_filename(const char *filename, QDict *options,
                                Error **errp)
{
    bdrv_parse_filename_strip_prefix(filename, "host_device", options);
}

static int hdev_probe_device(const char *filename)
{
    struct stat st;

    if (strstart(filename, "/dev/cdrom", NULL)) {
        return 50;
    }
    if (stat(filename, &st) == 0 &&
        (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
        return 100;
    }
    return 0;
}

/* --- Reopen ------------------------------------------------------------ */

typedef struct RawReopenState {
    int fd;                     /* new descriptor, or -1 to keep s->fd */
    int open_flags;
    uint32_t request_alignment;
    size_t buf_align;
    bool drop_cache;
    bool check_cache_dropped;
} RawReopenState;

/* A descriptor for @state->flags, unless the current one already fits. */
static int raw_reopen_fd(BDRVReopenState *state, RawReopenState *rs,
                         Error **errp)
{
    BlockDriverState *bs = state->bs;
    BDRVRawState *s = bs->opaque;
    int ret;

    rs->fd = -1;
    rs->open_flags = raw_open_flags(state->flags);
    rs->request_alignment = s->request_alignment;
    rs->buf_align = s->buf_align;
    if (rs->open_flags == s->open_flags) {
        return 0;
    }
    ret = open(bs->filename, rs->open_flags);
    if (ret < 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not reopen file");
        return ret;
    }
    rs->fd = ret;
    if (rs->open_flags & O_DIRECT) {
        ret = raw_probe_alignment(rs->fd, s->is_blkdev,
                                  &rs->request_alignment, &rs->buf_align,
                                  errp);
    } else {
        rs->request_alignment = 1;
        rs->buf_align = 1;
        ret = 0;
    }
    if (ret < 0) {
        close(rs->fd);
        rs->fd = -1;
    }
    return ret;
}

static int raw_reopen_prepare(BDRVReopenState *state, BlockReopenQueue *queue,
                              Error **errp)
{
    BDRVRawState *s = state->bs->opaque;
    RawReopenState *rs = g_new0(RawReopenState, 1);
    QemuOpts *opts = qemu_opts_create(&raw_runtime_opts, NULL, 0,
                                      &error_abort);
    int ret = -EINVAL;

    if (!qemu_opts_absorb_qdict(opts, state->options, errp)) {
        goto fail;
    }
    rs->drop_cache = qemu_opt_get_bool_del(opts, RAW_OPT_DROP_CACHE, true);
    rs->check_cache_dropped =
        qemu_opt_get_bool_del(opts, RAW_OPT_CHECK_DROPPED, false);
    /* Other options cannot change: give them back for the core to check. */
    qemu_opts_to_qdict(opts, state->options);

    ret = raw_reopen_fd(state, rs, errp);
    if (ret < 0) {
        goto fail;
    }
    s->perm_change_fd = rs->fd;
    state->opaque = rs;
    qemu_opts_del(opts);
    return 0;

fail:
    qemu_opts_del(opts);
    g_free(rs);
    return ret;
}

static void raw_reopen_commit(BDRVReopenState *state)
{
    BDRVRawState *s = state->bs->opaque;
    RawReopenState *rs = state->opaque;

    s->drop_cache = rs->drop_cache;
    s->check_cache_dropped = rs->check_cache_dropped;
    if (rs->fd >= 0) {
        if (s->use_lock) {
            /* Same bytes on the new descriptor before the old one goes. */
            raw_apply_lock_bytes(s, rs->fd, s->perm, ~s->shared_perm, true,
                                 NULL);
        }
        close(s->fd);
        s->fd = rs->fd;
        s->open_flags = rs->open_flags;
        s->request_alignment = rs->request_alignment;
        s->buf_align = rs->buf_align;
        s->needs_alignment = rs->open_flags & O_DIRECT;
        s->locked_perm = s->use_lock ? s->perm & BLK_PERM_ALL : 0;
        s->locked_unshared = s->use_lock ? ~s->shared_perm & BLK_PERM_ALL
                                         : 0;
    }
    s->perm_change_fd = -1;
    g_free(rs);
    state->opaque = NULL;
}

static void raw_reopen_abort(BDRVReopenState *state)
{
    BDRVRawState *s = state->bs->opaque;
    RawReopenState *rs = state->opaque;

    if (rs && rs->fd >= 0) {
        close(rs->fd);
    }
    s->perm_change_fd = -1;
    g_free(rs);
    state->opaque = NULL;
}

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

static int coroutine_fn raw_co_prw(BlockDriverState *bs, int64_t offset,
                                   int64_t bytes, QEMUIOVector *qiov,
                                   int type)
{
    BDRVRawState *s = bs->opaque;
    AioContext *ctx = qemu_get_current_aio_context();
    RawPosixAIOData acb;

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

    acb = (RawPosixAIOData) {
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
        error_setg_errno(errp, errno, "Failed to fstat() the file");
        return -errno;
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

/* --- AioContext changes ----------------------------------------------- */

static void raw_detach_aio_context(BlockDriverState *bs)
{
    /* Engine states belong to the AioContext, not to the node. */
}

static void raw_attach_aio_context(BlockDriverState *bs,
                                   AioContext *new_context)
{
    BDRVRawState *s = bs->opaque;
    Error *local_err = NULL;

    if (s->aio == RAW_AIO_NATIVE &&
        aio_setup_linux_aio(new_context, &local_err) < 0) {
        error_prepend(&local_err, "Unable to use native AIO, "
                      "falling back to thread pool: ");
        warn_report_err(local_err);
        s->aio = RAW_AIO_THREADS;
    } else if (s->aio == RAW_AIO_IO_URING &&
               aio_setup_linux_io_uring(new_context, &local_err) < 0) {
        error_prepend(&local_err, "Unable to use linux io_uring, "
                      "falling back to thread pool: ");
        warn_report_err(local_err);
        s->aio = RAW_AIO_THREADS;
    }
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
        error_setg_errno(errp, errno, "Error when deleting file %s",
                         bs->filename);
        return -errno;
    }
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
