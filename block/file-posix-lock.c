/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/file-posix-lock.c: image locking of the file and host_device
 * drivers, compatible with QEMU's on-disk convention.
 *
 * Every permission bit i (consistent read, write, write unchanged,
 * resize) has two lock bytes in the image file: 100+i is held (as a
 * shared lock) by everyone who uses the permission, 200+i by everyone
 * who does not let others use it.  Opening for permission i is refused
 * while someone holds 200+i; not sharing i is refused while someone holds
 * 100+i.  A conflict is found by asking whether an exclusive lock on the
 * byte could be taken (F_OFD_GETLK), so only other open file
 * descriptions count.  Open-file-description locks are used where the
 * kernel has them; POSIX locks are a fallback for locking=on only.
 */

#include "qemu/osdep.h"
#include <fcntl.h>
#include "qapi/error.h"
#include "qemu/error-report.h"
#include "block/file-posix.h"

#define RAW_LOCK_PERM_BASE   100
#define RAW_LOCK_SHARED_BASE 200

/* Names as the graph core prints them, indexed by bit number. */
static const char *const raw_perm_names[] = {
    "consistent read",
    "write",
    "write unchanged",
    "resize",
};

#define RAW_PERM_BITS ARRAY_SIZE(raw_perm_names)

bool raw_has_ofd_lock(void)
{
    static int supported = -1;

    if (supported < 0) {
        struct flock fl = {
            .l_whence = SEEK_SET,
            .l_start = 0,
            .l_len = 0,
            .l_type = F_WRLCK,
        };
        int fd = open("/dev/null", O_RDWR);

        supported = fd >= 0 && fcntl(fd, F_OFD_GETLK, &fl) == 0;
        if (fd >= 0) {
            close(fd);
        }
    }
    return supported;
}

/* Take (F_RDLCK) or drop (F_UNLCK) the lock on one byte of @fd. */
static int raw_lock_byte(BDRVRawState *s, int fd, int64_t off, short type)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = off,
        .l_len = 1,
        .l_type = type,
    };

    if (fcntl(fd, s->use_ofd ? F_OFD_SETLK : F_SETLK, &fl) < 0) {
        return -errno;
    }
    return 0;
}

/* 0 if an exclusive lock on byte @off could be taken, else -errno. */
static int raw_test_byte(BDRVRawState *s, int fd, int64_t off)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = off,
        .l_len = 1,
        .l_type = F_WRLCK,
    };

    if (fcntl(fd, s->use_ofd ? F_OFD_GETLK : F_GETLK, &fl) < 0) {
        return -errno;
    }
    return fl.l_type == F_UNLCK ? 0 : -EAGAIN;
}

/* Bring one lock byte of @fd to the wanted state; @held tracks s->fd. */
static int raw_apply_one(BDRVRawState *s, int fd, int64_t off, bool want,
                         bool unlock, uint64_t bit, uint64_t *held,
                         Error **errp)
{
    bool tracked = fd == s->fd;
    bool is_held = tracked && (*held & bit);
    int ret;

    if (want && !is_held) {
        ret = raw_lock_byte(s, fd, off, F_RDLCK);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to lock byte %d", (int)off);
            return ret;
        }
        if (tracked) {
            *held |= bit;
        }
    } else if (!want && unlock && (is_held || !tracked)) {
        /* Untracked descriptors: dropping a byte not held is harmless. */
        ret = raw_lock_byte(s, fd, off, F_UNLCK);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to unlock byte %d",
                             (int)off);
            return ret;
        }
        *held &= ~bit;
    }
    return 0;
}

int raw_apply_lock_bytes(BDRVRawState *s, int fd, uint64_t perm_bits,
                         uint64_t unshared_bits, bool unlock, Error **errp)
{
    uint64_t untracked = 0;
    int i, ret;

    for (i = 0; i < RAW_PERM_BITS; i++) {
        uint64_t bit = 1ULL << i;

        ret = raw_apply_one(s, fd, RAW_LOCK_PERM_BASE + i, perm_bits & bit,
                            unlock, bit,
                            fd == s->fd ? &s->locked_perm : &untracked,
                            errp);
        if (ret < 0) {
            return ret;
        }
        ret = raw_apply_one(s, fd, RAW_LOCK_SHARED_BASE + i,
                            unshared_bits & bit, unlock, bit,
                            fd == s->fd ? &s->locked_unshared : &untracked,
                            errp);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static void raw_lock_conflict(Error **errp, bool shared, int bit,
                              const char *filename)
{
    error_setg(errp, shared ? "Failed to get shared \"%s\" lock"
                            : "Failed to get \"%s\" lock",
               raw_perm_names[bit]);
    error_append_hint(errp, "Is another process using the image [%s]?\n",
                      filename);
}

int raw_check_lock_bytes(BDRVRawState *s, int fd, uint64_t perm,
                         uint64_t shared, const char *filename,
                         Error **errp)
{
    int i, ret;

    for (i = 0; i < RAW_PERM_BITS; i++) {
        if (perm & (1ULL << i)) {
            ret = raw_test_byte(s, fd, RAW_LOCK_SHARED_BASE + i);
            if (ret < 0) {
                raw_lock_conflict(errp, false, i, filename);
                return ret;
            }
        }
    }
    for (i = 0; i < RAW_PERM_BITS; i++) {
        if (!(shared & (1ULL << i))) {
            ret = raw_test_byte(s, fd, RAW_LOCK_PERM_BASE + i);
            if (ret < 0) {
                raw_lock_conflict(errp, true, i, filename);
                return ret;
            }
        }
    }
    return 0;
}

int raw_set_change_fd(BDRVRawState *s, uint64_t perm_bits,
                             uint64_t unshared_bits, Error **errp)
{
    int ret;

    if (s->perm_change_fd < 0) {
        return 0;
    }
    ret = raw_apply_lock_bytes(s, s->perm_change_fd, perm_bits,
                               unshared_bits, true, errp);
    s->change_locked = ret == 0;
    s->change_perm = perm_bits & BLK_PERM_ALL;
    s->change_unshared = unshared_bits & BLK_PERM_ALL;
    return ret;
}

int raw_check_perm(BlockDriverState *bs, uint64_t perm, uint64_t shared,
                   Error **errp)
{
    BDRVRawState *s = bs->opaque;
    uint64_t all_perm = s->perm | perm;
    uint64_t all_unshared = ~s->shared_perm | ~shared;
    int ret;

    if (!s->use_lock) {
        return 0;
    }
    /*
     * Hold the union of old and new bytes while checking, so that the
     * state stays covered whichever way the update ends.  A reopen's new
     * descriptor is emptied first: the test runs through s->fd, which
     * does not see its own bytes but would see the new descriptor's.
     */
    ret = raw_apply_lock_bytes(s, s->fd, all_perm, all_unshared, false,
                               errp);
    if (ret == 0) {
        ret = raw_set_change_fd(s, 0, 0, errp);
    }
    if (ret == 0) {
        ret = raw_check_lock_bytes(s, s->fd, perm, shared, bs->filename,
                                   errp);
    }
    if (ret == 0) {
        /* s->fd still covers these bytes: no one can slip in between. */
        ret = raw_set_change_fd(s, all_perm, all_unshared, errp);
    }
    if (ret < 0) {
        raw_abort_perm_update(bs);
    }
    return ret;
}

void raw_set_perm(BlockDriverState *bs, uint64_t perm, uint64_t shared)
{
    BDRVRawState *s = bs->opaque;

    if (s->use_lock) {
        raw_apply_lock_bytes(s, s->fd, perm, ~shared, true, NULL);
        raw_set_change_fd(s, perm, ~shared, NULL);
    }
    s->perm = perm;
    s->shared_perm = shared;
}

void raw_abort_perm_update(BlockDriverState *bs)
{
    BDRVRawState *s = bs->opaque;

    if (s->use_lock) {
        raw_apply_lock_bytes(s, s->fd, s->perm, ~s->shared_perm, true, NULL);
        raw_set_change_fd(s, s->perm, ~s->shared_perm, NULL);
    }
}
