/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * raw-aio.h: request types of the host I/O engines behind the file and
 * host_device drivers (block/file-posix*.c), and the two kernel engines
 * that can replace the thread pool: Linux AIO (block/linux-aio.c,
 * aio=native) and io_uring (block/io_uring.c, aio=io_uring).
 *
 * Each engine keeps one state per AioContext, created on first use by
 * aio_setup_linux_aio() / aio_setup_linux_io_uring(), found with
 * aio_get_linux_aio() / aio_get_linux_io_uring() and freed when its last
 * user calls aio_put_linux_aio() / aio_put_linux_io_uring() (or, for
 * another thread's context, with the context).  Completions arrive
 * through a file descriptor registered in that AioContext and wake the
 * submitting coroutine with aio_co_wake().
 */
#ifndef QEMU_RAW_AIO_H
#define QEMU_RAW_AIO_H

#include "block/aio.h"
#include "qemu/iov.h"

/* Request type (one of these) */
#define QEMU_AIO_READ         0x0001
#define QEMU_AIO_WRITE        0x0002
#define QEMU_AIO_IOCTL        0x0004
#define QEMU_AIO_FLUSH        0x0008
#define QEMU_AIO_DISCARD      0x0010
#define QEMU_AIO_WRITE_ZEROES 0x0020
#define QEMU_AIO_COPY_RANGE   0x0040
#define QEMU_AIO_TRUNCATE     0x0080
#define QEMU_AIO_TYPE_MASK \
        (QEMU_AIO_READ | QEMU_AIO_WRITE | QEMU_AIO_IOCTL | QEMU_AIO_FLUSH | \
         QEMU_AIO_DISCARD | QEMU_AIO_WRITE_ZEROES | QEMU_AIO_COPY_RANGE | \
         QEMU_AIO_TRUNCATE)

/* Modifier flags, or-ed into the type */
#define QEMU_AIO_MISALIGNED   0x1000  /* buffers need a bounce (O_DIRECT) */
#define QEMU_AIO_BLKDEV       0x2000  /* the fd is a block device */
#define QEMU_AIO_NO_FALLBACK  0x4000  /* fail instead of emulating */

/* --- Linux AIO (libaio) ----------------------------------------------- */

typedef struct LinuxAioState LinuxAioState;

/*
 * Create an engine state (io_setup + eventfd), not yet attached to any
 * AioContext.  NULL with @errp set if the kernel refuses.
 */
LinuxAioState *laio_init(Error **errp);
/* Free @s; it must be detached and have no request in flight. */
void laio_cleanup(LinuxAioState *s);
/* Stop / start delivering completions of @s in @ctx. */
void laio_detach_aio_context(LinuxAioState *s, AioContext *old_context);
void laio_attach_aio_context(LinuxAioState *s, AioContext *new_context);

/*
 * The state of @ctx: aio_setup_linux_aio() creates and attaches it on
 * first call (0, or -errno with @errp set) and counts one more user;
 * aio_get_linux_aio() returns it meanwhile (NULL if not set up).
 * aio_put_linux_aio() drops a user; when the last one goes, the state
 * is freed if @ctx is the caller's own context, and otherwise parked
 * (still attached and idle) for later users of @ctx: it cannot be freed
 * safely from another thread.  A parked state is freed when @ctx is
 * finalised (an AioContext finalize hook).  Main loop, with no request
 * of @ctx in flight when the last user goes.
 */
int aio_setup_linux_aio(AioContext *ctx, Error **errp);
LinuxAioState *aio_get_linux_aio(AioContext *ctx);
void aio_put_linux_aio(AioContext *ctx);

/*
 * Submit a QEMU_AIO_READ or QEMU_AIO_WRITE (anything else: -EINVAL) of
 * @qiov at @offset on @fd through the current AioContext's state, which
 * must be set up, and yield until it completes.  @dev_max_batch caps how
 * many requests are batched into one io_submit() (0: engine default).
 * Returns 0 or -errno; a short read is completed with zeroes (end of
 * file), a short write fails with -ENOSPC.  Coroutine context.
 */
int coroutine_fn laio_co_submit(int fd, uint64_t offset, QEMUIOVector *qiov,
                                int type, uint64_t dev_max_batch);

/*
 * Outside a defer_call section, requests go to io_submit() once this
 * many are queued (else at the end of the event loop iteration); while
 * completions are processed, once LAIO_REFILL_BATCH are.
 */
#define LAIO_EAGER_BATCH 4
#define LAIO_REFILL_BATCH 8

/* Counters of one kernel AIO context, for tests and benchmarks. */
typedef struct LaioStats {
    uint64_t submit_calls;      /* io_submit() calls */
    uint64_t submitted;         /* requests the kernel took */
} LaioStats;

/* Copy @s's counters to @st.  @s's AioContext. */
void laio_get_stats(LinuxAioState *s, LaioStats *st);

/* --- io_uring (liburing) ---------------------------------------------- */

typedef struct LuringState LuringState;

/* As laio_init(), for an io_uring ring. */
LuringState *luring_init(Error **errp);
void luring_cleanup(LuringState *s);
void luring_detach_aio_context(LuringState *s, AioContext *old_context);
void luring_attach_aio_context(LuringState *s, AioContext *new_context);

/* As aio_setup_linux_aio() / aio_get_linux_aio() / aio_put_linux_aio(). */
int aio_setup_linux_io_uring(AioContext *ctx, Error **errp);
LuringState *aio_get_linux_io_uring(AioContext *ctx);
void aio_put_linux_io_uring(AioContext *ctx);

/*
 * Submit a QEMU_AIO_READ, QEMU_AIO_WRITE or QEMU_AIO_FLUSH (fdatasync)
 * through the current AioContext's ring and yield until it completes.
 * Short reads are resubmitted for the rest, and completed with zeroes at
 * end of file.  Requests reach the kernel in small batches (a few at a
 * time, the rest at the end of the event loop iteration), or inside a
 * defer_call section (qemu/defer-call.h) all together when it ends.
 * Returns 0 or -errno.  Coroutine context.
 */
int coroutine_fn luring_co_submit(int fd, uint64_t offset,
                                  QEMUIOVector *qiov, int type);

/*
 * Outside a defer_call section, a ring submits once this many wait;
 * while it processes completions, once LURING_REFILL_BATCH wait.
 */
#define LURING_EAGER_BATCH 4
#define LURING_REFILL_BATCH 8

/* Counters of one ring, for tests and benchmarks. */
typedef struct LuringStats {
    uint64_t submit_calls;      /* io_uring_enter() calls that submit */
    uint64_t submitted;         /* entries the kernel took */
    uint64_t completed;         /* completions reaped */
} LuringStats;

/* Copy @s's counters to @st.  @s's AioContext. */
void luring_get_stats(LuringState *s, LuringStats *st);

#endif /* QEMU_RAW_AIO_H */
