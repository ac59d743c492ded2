/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/file-posix-open.c: opening, closing and reopening nodes of the
 * file and host_device drivers (split out of file-posix.c).
 *
 * Runtime options ("aio", "locking", "pr-manager", ...), the choice of
 * O_* flags, auto-read-only, the file type check, O_DIRECT alignment
 * probing by trial reads, the per-AioContext engine set-up, and reopen
 * with a new descriptor when the access mode or O_DIRECT changes (the
 * lock bytes move to the new descriptor).  Requests live in
 * file-posix.c.
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/fs.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
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

const char *const raw_mutable_opts[] = {
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
        break;
    case RAW_AIO_IO_URING:
        if (aio_setup_linux_io_uring(ctx, errp) < 0) {
            error_prepend(errp, "Unable to use io_uring: ");
            return -EINVAL;
        }
        break;
    default:
        return 0;
    }
    s->engine_ctx = ctx;
    return 0;
}

void raw_release_engine(BDRVRawState *s)
{
    if (!s->engine_ctx) {
        return;
    }
    if (s->aio == RAW_AIO_NATIVE) {
        aio_put_linux_aio(s->engine_ctx);
    } else if (s->aio == RAW_AIO_IO_URING) {
        aio_put_linux_io_uring(s->engine_ctx);
    }
    s->engine_ctx = NULL;
}

/* Check the file type against the driver; fill in what depends on it. */
static int raw_check_type(BlockDriverState *bs, bool device, Error **errp)
{
    BDRVRawState *s = bs->opaque;
    struct stat st;

    if (fstat(s->fd, &st) < 0) {
        int err = errno;

        error_setg_errno(errp, err, "Could not stat file");
        return -err;
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
        raw_release_engine(s);
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

int raw_open(BlockDriverState *bs, QDict *options, int flags,
             Error **errp)
{
    return raw_open_common(bs, options, flags, false, errp);
}

int hdev_open(BlockDriverState *bs, QDict *options, int flags,
              Error **errp)
{
    return raw_open_common(bs, options, flags, true, errp);
}

void raw_close(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    raw_release_engine(s);
    /* Closing the descriptor also drops every lock byte it held. */
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    /* A throw-away file (the -snapshot overlay) goes with its node. */
    if ((bs->open_flags & BDRV_O_TEMPORARY) && !s->is_blkdev &&
        !s->is_chardev) {
        unlink(bs->filename);
    }
}

void raw_parse_filename(const char *filename, QDict *options,
                        Error **errp)
{
    bdrv_parse_filename_strip_prefix(filename, "file", options);
}

void hdev_parse_filename(const char *filename, QDict *options,
                         Error **errp)
{
    bdrv_parse_filename_strip_prefix(filename, "host_device", options);
}

int hdev_probe_device(const char *filename)
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

int raw_reopen_prepare(BDRVReopenState *state, BlockReopenQueue *queue,
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
    s->change_locked = false;
    state->opaque = rs;
    qemu_opts_del(opts);
    return 0;

fail:
    qemu_opts_del(opts);
    g_free(rs);
    return ret;
}

void raw_reopen_commit(BDRVReopenState *state)
{
    BDRVRawState *s = state->bs->opaque;
    RawReopenState *rs = state->opaque;

    s->drop_cache = rs->drop_cache;
    s->check_cache_dropped = rs->check_cache_dropped;
    if (rs->fd >= 0) {
        if (s->use_lock && !s->change_locked) {
            /*
             * No permission check gave the new descriptor its bytes:
             * copy the old ones before the old descriptor goes.
             */
            raw_set_change_fd(s, s->perm, ~s->shared_perm, NULL);
        }
        close(s->fd);
        s->fd = rs->fd;
        s->open_flags = rs->open_flags;
        s->request_alignment = rs->request_alignment;
        s->buf_align = rs->buf_align;
        s->needs_alignment = rs->open_flags & O_DIRECT;
        s->locked_perm = s->use_lock ? s->change_perm : 0;
        s->locked_unshared = s->use_lock ? s->change_unshared : 0;
    }
    s->perm_change_fd = -1;
    s->change_locked = false;
    g_free(rs);
    state->opaque = NULL;
}

void raw_reopen_abort(BDRVReopenState *state)
{
    BDRVRawState *s = state->bs->opaque;
    RawReopenState *rs = state->opaque;

    if (rs && rs->fd >= 0) {
        close(rs->fd);
    }
    s->perm_change_fd = -1;
    s->change_locked = false;
    g_free(rs);
    state->opaque = NULL;
}
