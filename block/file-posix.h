/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/file-posix.h: private glue of the file and host_device drivers.
 *
 * The drivers are split by seam: file-posix.c (request entry points,
 * size, block status, limits, the BlockDriver definitions),
 * file-posix-open.c (options, open/close, reopen), file-posix-lock.c (image locking on OFD lock bytes and the permission
 * callbacks), file-posix-worker.c (the blocking work done in the thread
 * pool) and file-posix-create.c (image creation).  Nothing outside these
 * files may include this header.
 */
#ifndef BLOCK_FILE_POSIX_H
#define BLOCK_FILE_POSIX_H

#include "block/block_int.h"
#include "block/raw-aio.h"

/* Engine used for reads and writes (the "aio" option). */
typedef enum RawAioMode {
    RAW_AIO_THREADS,
    RAW_AIO_NATIVE,
    RAW_AIO_IO_URING,
} RawAioMode;

typedef struct BDRVRawState {
    int fd;
    int open_flags;             /* O_* flags @fd was opened with */
    bool is_blkdev;             /* @fd is a block device */
    bool is_chardev;

    /* O_DIRECT constraints, probed at open (1 without O_DIRECT) */
    uint32_t request_alignment;
    size_t buf_align;
    bool needs_alignment;

    RawAioMode aio;
    uint64_t aio_max_batch;
    /* Context whose engine state this node holds a reference on, or NULL */
    AioContext *engine_ctx;

    /* What the host accepted so far; cleared on the first ENOTSUP */
    bool has_discard;
    bool has_write_zeroes;
    bool has_fallocate;
    /* A failed fdatasync leaves the page cache unknown: fail all flushes */
    bool page_cache_inconsistent;
    /* The kernel refused preadv2(RWF_NOWAIT) on @fd: always use the pool */
    bool no_nowait_read;
    /*
     * Allocate holes before bulk buffered writes (file-posix-worker.c):
     * 0 not yet known, 1 yes, -1 no (file system, or fallocate refused)
     */
    int write_prealloc;

    /* Image locking (file-posix-lock.c) */
    bool use_lock;
    bool use_ofd;               /* OFD locks; POSIX locks otherwise */
    uint64_t perm;              /* permissions in effect */
    uint64_t shared_perm;
    uint64_t locked_perm;       /* bits whose byte 100+i @fd holds */
    uint64_t locked_unshared;   /* bits whose byte 200+i @fd holds */
    int perm_change_fd;         /* new fd of a reopen in progress, or -1 */
    /* What raw_check_perm() made perm_change_fd hold, if it ran */
    bool change_locked;
    uint64_t change_perm;
    uint64_t change_unshared;

    bool drop_cache;
    bool check_cache_dropped;
} BDRVRawState;

/* Work handed to a thread-pool worker (file-posix-worker.c). */
typedef struct RawPosixAIOData {
    BlockDriverState *bs;
    int aio_type;               /* QEMU_AIO_* type and flags */
    int aio_fildes;
    off_t aio_offset;
    uint64_t aio_nbytes;
    union {
        struct {
            struct iovec *iov;
            int niov;
        } io;
        struct {
            int aio_fd2;
            off_t aio_offset2;
        } copy_range;
        struct {
            PreallocMode prealloc;
            Error **errp;
        } truncate;
        struct {
            unsigned long cmd;
            void *buf;
        } ioctl;
    };
} RawPosixAIOData;

/* --- file-posix-open.c: BlockDriver callbacks (main loop) --- */

/* Runtime options a reopen may name (NULL-terminated). */
extern const char *const raw_mutable_opts[];

int raw_open(BlockDriverState *bs, QDict *options, int flags, Error **errp);
int hdev_open(BlockDriverState *bs, QDict *options, int flags,
              Error **errp);
void raw_close(BlockDriverState *bs);
void raw_parse_filename(const char *filename, QDict *options, Error **errp);
void hdev_parse_filename(const char *filename, QDict *options,
                         Error **errp);
/* 100 for block and character devices, 50 for /dev/cdrom*, else 0. */
int hdev_probe_device(const char *filename);
int raw_reopen_prepare(BDRVReopenState *state, BlockReopenQueue *queue,
                       Error **errp);
void raw_reopen_commit(BDRVReopenState *state);
void raw_reopen_abort(BDRVReopenState *state);

/*
 * Drop the node's reference on the engine state of s->engine_ctx (the
 * last one frees it).  No request may be in flight.  Main loop.
 */
void raw_release_engine(BDRVRawState *s);

/* --- file-posix-worker.c --- */

/*
 * Run @acb in a worker of the current AioContext's pool and yield until
 * it is done.  Returns its result: 0 (or bytes for none of the types
 * here) or -errno.  Coroutine context.
 */
int coroutine_fn raw_thread_pool_submit(RawPosixAIOData *acb);

/*
 * ftruncate/posix_fallocate/zero-fill @fd to @offset with @prealloc
 * (off, falloc or full); for shrinking only off is accepted.  0 or
 * -errno with @errp set.  May block: thread pool or create path.
 */
int raw_regular_truncate_sync(int fd, int64_t offset, PreallocMode prealloc,
                              Error **errp);

/* --- file-posix-lock.c --- */

/*
 * Whether the host supports OFD locks (F_OFD_SETLK); probed once.
 */
bool raw_has_ofd_lock(void);

/*
 * Make @fd hold a shared lock on byte 100+i for every bit i of
 * @perm_bits and on byte 200+i for every bit of @unshared_bits.  With
 * @unlock, release the bytes of the other bits that @s recorded as held
 * (only when @fd is s->fd, whose state @s records).  0 or -errno with
 * @errp set.
 */
int raw_apply_lock_bytes(BDRVRawState *s, int fd, uint64_t perm_bits,
                         uint64_t unshared_bits, bool unlock, Error **errp);

/*
 * Fail if another open file holds a byte that conflicts with using
 * @perm while sharing only @shared: "Failed to get \"<perm>\" lock" or
 * "Failed to get shared \"<perm>\" lock", with a hint naming @filename.
 */
int raw_check_lock_bytes(BDRVRawState *s, int fd, uint64_t perm,
                         uint64_t shared, const char *filename,
                         Error **errp);

/*
 * Give a reopen's new descriptor (s->perm_change_fd, if any) exactly the
 * bytes of @perm_bits and @unshared_bits and record them in s->change_*.
 * 0 or -errno with @errp set.
 */
int raw_set_change_fd(BDRVRawState *s, uint64_t perm_bits,
                      uint64_t unshared_bits, Error **errp);

/*
 * BlockDriver permission callbacks (graph core, main loop).  During a
 * reopen with a new descriptor (perm_change_fd), conflicts are tested
 * through the old one, so that the node's own bytes never count, and the
 * new one is given the same bytes afterwards.
 */
int raw_check_perm(BlockDriverState *bs, uint64_t perm, uint64_t shared,
                   Error **errp);
void raw_set_perm(BlockDriverState *bs, uint64_t perm, uint64_t shared);
void raw_abort_perm_update(BlockDriverState *bs);

/* --- file-posix-create.c --- */

extern QemuOptsList raw_create_opts;

/* .bdrv_co_create_opts of the file driver (qemu-img create -f raw). */
int coroutine_fn raw_co_create_opts(BlockDriver *drv, const char *filename,
                                    QemuOpts *opts, Error **errp);

/*
 * Create or reuse @filename: lock it for writing, truncate it to zero
 * and then to @size with @prealloc; @nocow and @extent_size_hint as the
 * create options.  0 or -errno with @errp set.
 */
int raw_create_file(const char *filename, int64_t size, PreallocMode prealloc,
                    bool nocow, bool has_extent_size_hint,
                    uint64_t extent_size_hint, Error **errp);

/* Parse a preallocation mode name; -1 if unknown. */
int raw_parse_prealloc(const char *name);
const char *raw_prealloc_name(PreallocMode mode);

#endif /* BLOCK_FILE_POSIX_H */
