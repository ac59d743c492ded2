/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main-loop.h: the main loop, its AioContext, the big QEMU lock (BQL)
 * and the calling-context assertions used by the block layer headers.
 *
 * The main loop is a glib main loop with two AioContexts attached:
 * qemu_get_aio_context() (the block layer's) and iohandler_get_aio_context()
 * (for qemu_set_fd_handler() users, which aio_poll() of the first must not
 * run).  Main-loop timers (timer_new*()) fire from main_loop_wait().
 *
 * Programs without vCPU threads (the tools) never take the BQL; the
 * main thread then counts as holding it, so GLOBAL_STATE_CODE() holds
 * there.  Once any thread has taken the BQL, only its holder does.
 */
#ifndef QEMU_MAIN_LOOP_H
#define QEMU_MAIN_LOOP_H

#include "block/aio.h"

/* Create the main AioContexts and attach them to glib; 0 or -errno. */
int qemu_init_main_loop(Error **errp);

/*
 * The tools (qemu-img, qemu-io, qemu-nbd) call this after
 * qemu_init_main_loop(): their main AioContext busy-polls adaptively for
 * up to QEMU_TOOL_POLL_MAX_NS before it sleeps (a tool waits for its own
 * I/O almost all the time, so spinning saves a sleep and a wake-up per
 * completion).  "--object main-loop,id=ID,poll-max-ns=0" turns it off.
 */
#define QEMU_TOOL_POLL_MAX_NS (128 * 1000)
void qemu_main_loop_tool_defaults(void);

/*
 * One main-loop iteration: wait for fds, BHs or timers (not at all if
 * @nonblocking), then dispatch.  Releases the BQL while it waits, if
 * the caller holds it.
 */
void main_loop_wait(int nonblocking);

AioContext *qemu_get_aio_context(void);
AioContext *iohandler_get_aio_context(void);

/* Wake the main loop.  Any thread. */
void qemu_notify_event(void);

/* fd handlers in the iohandler context (not run by aio_poll()). */
void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque);

/* A bottom half in the main AioContext. */
#define qemu_bh_new(cb, opaque) \
    aio_bh_new(qemu_get_aio_context(), (cb), (opaque))
#define qemu_bh_new_guarded(cb, opaque, guard) \
    aio_bh_new_guarded(qemu_get_aio_context(), (cb), (opaque), (guard))

/* ---- the big QEMU lock ---- */

void qemu_mutex_lock_iothread(void);
void qemu_mutex_unlock_iothread(void);
/* Whether the calling thread holds the BQL (see the file comment). */
bool qemu_mutex_iothread_locked(void);

/* Newer names of the same functions. */
#define bql_lock() qemu_mutex_lock_iothread()
#define bql_unlock() qemu_mutex_unlock_iothread()
#define bql_locked() qemu_mutex_iothread_locked()

/* Take the BQL unless the caller has it; release on scope exit if taken. */
typedef struct IOThreadLockAuto IOThreadLockAuto;

static inline IOThreadLockAuto *qemu_iothread_auto_lock(void)
{
    if (qemu_mutex_iothread_locked()) {
        return NULL;
    }
    qemu_mutex_lock_iothread();
    /* Any non-NULL value will do: it only marks "unlock on exit". */
    return (IOThreadLockAuto *)(uintptr_t)1;
}

static inline void qemu_iothread_auto_unlock(IOThreadLockAuto *l)
{
    qemu_mutex_unlock_iothread();
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(IOThreadLockAuto, qemu_iothread_auto_unlock)

#define QEMU_IOTHREAD_LOCK_GUARD()                                      \
    g_autoptr(IOThreadLockAuto) glue(iothread_auto_lock_, __COUNTER__)  \
        G_GNUC_UNUSED = qemu_iothread_auto_lock()

#define BQL_LOCK_GUARD() QEMU_IOTHREAD_LOCK_GUARD()

/* ---- calling-context assertions ---- */

/*
 * True in the main loop's thread or any thread holding the BQL: where
 * "global state" functions may run.
 */
bool qemu_in_main_thread(void);

/* Functions that run only under the BQL in the main loop. */
#define GLOBAL_STATE_CODE()                                             \
    do {                                                                \
        assert(qemu_in_main_thread());                                  \
    } while (0)

/* Functions that may run in any thread, from the node's AioContext. */
#define IO_CODE()                                                       \
    do {                                                                \
        /* nothing to check yet */                                      \
    } while (0)

/* Functions that may run in either the main loop or an I/O thread. */
#define IO_OR_GS_CODE()                                                 \
    do {                                                                \
        /* nothing to check yet */                                      \
    } while (0)

#endif /* QEMU_MAIN_LOOP_H */
