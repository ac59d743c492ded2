/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/file-posix-create.c: image creation for the file driver
 * ("qemu-img create -f raw" and the protocol step of every format).
 *
 * The file is created or reused without O_TRUNC, locked for writing like
 * an open node would be (so that an image in use elsewhere is not
 * clobbered), then cut to zero and grown to the wanted size with the
 * preallocation mode.  nocow and extent_size_hint are applied while the
 * file is still empty, since file systems only accept them then.
 */

#include "qemu/osdep.h"
#include <sys/ioctl.h>
#include <linux/fs.h>
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "block/file-posix.h"

/* Default extent size hint, as QEMU uses (applied where supported). */
#define RAW_DEFAULT_EXTENT_SIZE_HINT (1 * MiB)

static const char *const raw_prealloc_names[PREALLOC_MODE__MAX] = {
    [PREALLOC_MODE_OFF] = "off",
    [PREALLOC_MODE_METADATA] = "metadata",
    [PREALLOC_MODE_FALLOC] = "falloc",
    [PREALLOC_MODE_FULL] = "full",
};

int raw_parse_prealloc(const char *name)
{
    int i;

    for (i = 0; i < PREALLOC_MODE__MAX; i++) {
        if (!strcmp(name, raw_prealloc_names[i])) {
            return i;
        }
    }
    return -1;
}

const char *raw_prealloc_name(PreallocMode mode)
{
    return mode < PREALLOC_MODE__MAX ? raw_prealloc_names[mode] : "?";
}

QemuOptsList raw_create_opts = {
    .name = "raw-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(raw_create_opts.head),
    .desc = {
        {
            .name = BLOCK_OPT_SIZE,
            .type = QEMU_OPT_SIZE,
            .help = "Virtual disk size"
        },
        {
            .name = BLOCK_OPT_NOCOW,
            .type = QEMU_OPT_BOOL,
            .help = "Turn off copy-on-write (valid only on btrfs)"
        },
        {
            .name = BLOCK_OPT_PREALLOC,
            .type = QEMU_OPT_STRING,
            .help = "Preallocation mode (allowed values: off, falloc, full)"
        },
        {
            .name = BLOCK_OPT_EXTENT_SIZE_HINT,
            .type = QEMU_OPT_SIZE,
            .help = "Extent size hint for the image file, 0 to disable"
        },
        { /* end of list */ }
    }
};

/* chattr +C: only works on an empty file; failure is ignored. */
static void raw_set_nocow(int fd)
{
    int attr;

    if (ioctl(fd, FS_IOC_GETFLAGS, &attr) == 0) {
        attr |= FS_NOCOW_FL;
        ioctl(fd, FS_IOC_SETFLAGS, &attr);
    }
}

/*
 * Set the XFS-style extent size hint.  Only an explicit request makes a
 * failure worth a warning; file systems without the ioctl are common.
 */
static void raw_set_extent_size_hint(int fd, bool explicit, uint64_t hint)
{
    struct fsxattr attr;

    if (hint > UINT32_MAX) {
        warn_report("Extent size hint is too large");
        return;
    }
    if (ioctl(fd, FS_IOC_FSGETXATTR, &attr) < 0) {
        if (explicit) {
            warn_report("Failed to set extent size hint: %s",
                        strerror(errno));
        }
        return;
    }
    attr.fsx_xflags |= FS_XFLAG_EXTSIZE;
    attr.fsx_extsize = hint;
    if (ioctl(fd, FS_IOC_FSSETXATTR, &attr) < 0 && explicit) {
        warn_report("Failed to set extent size hint: %s", strerror(errno));
    }
}

/*
 * Like QEMU 7.2, a new file that is not fully preallocated (off, falloc)
 * gets its first block written (zeros: 4 KiB, or one sector when the
 * file is smaller), so that later probing of the request alignment finds
 * allocated storage, and `qemu-img map` and du see what they see with
 * 7.2.  Failures are harmless and ignored.
 */
static void raw_allocate_first_block(int fd, int64_t size)
{
    size_t len = size < 4096 ? BDRV_SECTOR_SIZE : 4096;
    g_autofree void *zeros = g_malloc0(len);
    ssize_t n;

    do {
        n = pwrite(fd, zeros, len, 0);
    } while (n < 0 && errno == EINTR);
}

int raw_create_file(const char *filename, int64_t size, PreallocMode prealloc,
                    bool nocow, bool has_extent_size_hint,
                    uint64_t extent_size_hint, Error **errp)
{
    BDRVRawState lock_state = { .fd = -1, .use_ofd = raw_has_ofd_lock() };
    uint64_t perm = BLK_PERM_WRITE | BLK_PERM_RESIZE;
    uint64_t shared = BLK_PERM_ALL & ~BLK_PERM_RESIZE;
    int fd, ret;

    if (prealloc != PREALLOC_MODE_OFF && prealloc != PREALLOC_MODE_FALLOC &&
        prealloc != PREALLOC_MODE_FULL) {
        error_setg(errp, "Unsupported preallocation mode: %s",
                   raw_prealloc_name(prealloc));
        return -ENOTSUP;
    }
    fd = open(filename, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not create file");
        return ret;
    }
    if (nocow) {
        raw_set_nocow(fd);
    }
    if (!has_extent_size_hint) {
        extent_size_hint = RAW_DEFAULT_EXTENT_SIZE_HINT;
    }
    if (extent_size_hint) {
        raw_set_extent_size_hint(fd, has_extent_size_hint, extent_size_hint);
    }

    /* Lock like a writer that needs resize, so users elsewhere win. */
    ret = raw_apply_lock_bytes(&lock_state, fd, perm, ~shared, false, errp);
    if (ret == 0) {
        ret = raw_check_lock_bytes(&lock_state, fd, perm, shared, filename,
                                   errp);
    }
    if (ret == 0) {
        ret = raw_regular_truncate_sync(fd, 0, PREALLOC_MODE_OFF, errp);
    }
    if (ret == 0) {
        ret = raw_regular_truncate_sync(fd, size, prealloc, errp);
    }
    if (ret == 0 && prealloc != PREALLOC_MODE_FULL && size > 0) {
        raw_allocate_first_block(fd, size);
    }
    if (close(fd) < 0 && ret == 0) {
        ret = -errno;
        error_setg_errno(errp, -ret, "Could not close the new file");
    }
    return ret;
}

int coroutine_fn raw_co_create_opts(BlockDriver *drv, const char *filename,
                                    QemuOpts *opts, Error **errp)
{
    g_autofree char *prealloc_str = NULL;
    const char *rest;
    int64_t size;
    bool nocow, has_hint;
    uint64_t hint;
    int prealloc;

    /* The file: prefix is not part of the path. */
    if (strstart(filename, "file:", &rest)) {
        filename = rest;
    }
    size = ROUND_UP(qemu_opt_get_size_del(opts, BLOCK_OPT_SIZE, 0),
                    BDRV_SECTOR_SIZE);
    nocow = qemu_opt_get_bool_del(opts, BLOCK_OPT_NOCOW, false);
    has_hint = qemu_opt_get(opts, BLOCK_OPT_EXTENT_SIZE_HINT) != NULL;
    hint = qemu_opt_get_size_del(opts, BLOCK_OPT_EXTENT_SIZE_HINT, 0);
    prealloc_str = qemu_opt_get_del(opts, BLOCK_OPT_PREALLOC);
    prealloc = prealloc_str ? raw_parse_prealloc(prealloc_str)
                            : PREALLOC_MODE_OFF;
    if (prealloc < 0) {
        error_setg(errp, "invalid parameter value: %s", prealloc_str);
        return -EINVAL;
    }
    if (has_hint && hint > UINT32_MAX) {
        /* As 7.2: an explicit hint too large for the ioctl is an error. */
        error_setg(errp, "Extent size hint is too large");
        return -EINVAL;
    }
    return raw_create_file(filename, size, prealloc, nocow, has_hint, hint,
                           errp);
}
