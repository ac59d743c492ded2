/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * graph-lock.h: the block graph lock, a reader/writer lock over the shape
 * of the node graph (which BdrvChild edges exist, which nodes they join).
 *
 * Only the main loop, holding the BQL, ever changes the graph, so there is
 * exactly one possible writer.  Readers are coroutines in any AioContext
 * that walk ->children / ->parents / ->backing or call driver callbacks.
 * Code running in the main loop outside coroutines never races with the
 * writer (it *is* the writer's thread), so its "read lock" is only an
 * annotation plus assertions.
 *
 * The lock is a clang thread-safety capability named graph_lock.  Build
 * with `./configure --cc=clang --enable-tsa` to have the compiler check the
 * GRAPH_* annotations.  The implementation lives in block/graph-lock.c;
 * docs/devel/graph-lock.md explains the design.
 */
#ifndef BLOCK_GRAPH_LOCK_H
#define BLOCK_GRAPH_LOCK_H

#include "qemu/clang-tsa.h"

/* Per-AioContext reader counter; opaque outside block/graph-lock.c. */
typedef struct BdrvGraphRWlock BdrvGraphRWlock;

/*
 * The object clang's thread-safety analysis reasons about.  It holds no
 * data: the real state lives in graph-lock.c.  Never touch it directly.
 */
typedef struct TSA_CAPABILITY("graph-lock") BdrvGraphLock {
} BdrvGraphLock;

extern BdrvGraphLock graph_lock;

/*
 * Function annotations.  Put them on the declaration in the header only:
 * clang checks callers against the declaration they see, so an annotation
 * that exists only on the definition protects nothing.
 *
 * GRAPH_WRLOCK:   caller holds the lock exclusively (bdrv_graph_wrlock()).
 * GRAPH_RDLOCK:   caller holds the lock at least shared.
 * GRAPH_UNLOCKED: caller must not hold the lock at all (the function takes
 *                 it itself, or polls and could deadlock with a writer).
 */
#define GRAPH_WRLOCK    TSA_REQUIRES(graph_lock)
#define GRAPH_RDLOCK    TSA_REQUIRES_SHARED(graph_lock)
#define GRAPH_UNLOCKED  TSA_EXCLUDES(graph_lock)

/*
 * Function-pointer annotations.  clang does not carry lock requirements in
 * function types, so for callback fields we instead require the lock when
 * the pointer is *read*.  Since a callback is called right after its
 * pointer is loaded, this catches the same mistakes in practice.
 * GRAPH_UNLOCKED_PTR documents the contract but cannot be checked.
 */
#define GRAPH_RDLOCK_PTR    TSA_GUARDED_BY(graph_lock)
#define GRAPH_WRLOCK_PTR    TSA_GUARDED_BY(graph_lock)
#define GRAPH_UNLOCKED_PTR

/*
 * register_aiocontext: give @ctx its own reader counter.  Called by
 * aio_context_new() before @ctx can run any coroutine.
 */
void register_aiocontext(AioContext *ctx);

/*
 * unregister_aiocontext: drop @ctx's reader counter.  Called by the
 * AioContext finaliser.  A nonzero count (a reader that locked here and
 * unlocked in another context) is folded into a global counter, so the
 * total seen by writers stays exact.
 */
void unregister_aiocontext(AioContext *ctx);

/*
 * bdrv_graph_wrlock: take the lock exclusively.
 *
 * Main loop with the BQL only, never from a coroutine, never while holding
 * the read lock.  Waits (by polling, so event handlers and BHs may run)
 * until no coroutine holds the read lock, then keeps new readers out until
 * bdrv_graph_wrunlock().  Callers normally drain the affected nodes first
 * so that the wait is short.
 */
void bdrv_graph_wrlock(void) TSA_ACQUIRE(graph_lock) TSA_NO_TSA;

/*
 * bdrv_graph_wrunlock: release the exclusive lock and restart every reader
 * coroutine that queued up while it was held.  Main loop only.
 */
void bdrv_graph_wrunlock(void) TSA_RELEASE(graph_lock) TSA_NO_TSA;

/*
 * bdrv_graph_co_rdlock: take the lock shared.  Coroutine context only.
 *
 * Cheap when no writer is around: one per-AioContext counter increment and
 * a memory barrier.  If a writer holds the lock, the coroutine sleeps until
 * bdrv_graph_wrunlock().  May be nested; the coroutine may move to another
 * AioContext before unlocking.
 */
void coroutine_fn TSA_ACQUIRE_SHARED(graph_lock) TSA_NO_TSA
bdrv_graph_co_rdlock(void);

/*
 * bdrv_graph_co_rdunlock: drop one level of shared locking taken with
 * bdrv_graph_co_rdlock(), waking a writer that waits for readers to leave.
 * Coroutine context only.
 */
void coroutine_fn TSA_RELEASE_SHARED(graph_lock) TSA_NO_TSA
bdrv_graph_co_rdunlock(void);

/*
 * bdrv_graph_rdlock_main_loop / bdrv_graph_rdunlock_main_loop: the read
 * lock for non-coroutine main-loop code.  The main loop is the only
 * writer and the BQL keeps it from changing the graph behind the
 * caller's back, so nothing needs to be counted: these only assert that
 * the caller runs in the main loop outside a coroutine, and tell TSA
 * that the lock is held.  Allowed inside a write-locked section too
 * (e.g. in a drained callback during a graph change): the writer is the
 * same thread, so what it reads is what it is changing itself.
 */
void TSA_ACQUIRE_SHARED(graph_lock) TSA_NO_TSA
bdrv_graph_rdlock_main_loop(void);

void TSA_RELEASE_SHARED(graph_lock) TSA_NO_TSA
bdrv_graph_rdunlock_main_loop(void);

/*
 * assert_bdrv_graph_readable: abort unless the caller runs in the main
 * loop or some coroutine holds the read lock (the best run-time check
 * possible without per-coroutine bookkeeping).
 */
void GRAPH_RDLOCK assert_bdrv_graph_readable(void);

/*
 * assert_bdrv_graph_writable: abort unless the caller is the main loop
 * and the exclusive lock is currently held.
 */
void GRAPH_WRLOCK assert_bdrv_graph_writable(void);

/*
 * assume_graph_lock: tell TSA that the shared lock is held in a place
 * where the analysis cannot see it (e.g. a callback always invoked by a
 * locked caller).  Generates no code; use sparingly and say why.
 */
static inline void TSA_ASSERT_SHARED(graph_lock) TSA_NO_TSA
assume_graph_lock(void)
{
}

/*
 * Scope guards.
 *
 * GRAPH_RDLOCK_GUARD() takes the read lock (coroutine context) until the
 * end of the enclosing block; WITH_GRAPH_RDLOCK_GUARD() { ... } holds it
 * for one statement or block; GRAPH_RDLOCK_GUARD_MAINLOOP() is the
 * main-loop counterpart.
 *
 * Release happens through glib's g_autoptr cleanup, which clang's
 * analysis does not follow.  The lock helpers are therefore annotated as
 * *asserting* the capability rather than acquiring it: code after the
 * guard is checked as holding the lock, and nothing complains about a
 * release it cannot see.
 */
typedef struct GraphLockable {
} GraphLockable;

typedef struct GraphLockableMainloop {
} GraphLockableMainloop;

/* An automatic-storage token; the lock itself is global. */
#define GRAPH_LOCKABLE_TOKEN_() (&(GraphLockable) { })
#define GRAPH_LOCKABLE_MAINLOOP_TOKEN_() (&(GraphLockableMainloop) { })

static inline GraphLockable * coroutine_fn TSA_ASSERT(graph_lock) TSA_NO_TSA
graph_lockable_auto_lock(GraphLockable *token)
{
    bdrv_graph_co_rdlock();
    return token;
}

static inline void coroutine_fn TSA_NO_TSA
graph_lockable_auto_unlock(GraphLockable *token)
{
    bdrv_graph_co_rdunlock();
}

static inline GraphLockableMainloop * TSA_ASSERT(graph_lock) TSA_NO_TSA
graph_lockable_auto_lock_mainloop(GraphLockableMainloop *token)
{
    bdrv_graph_rdlock_main_loop();
    return token;
}

static inline void TSA_NO_TSA
graph_lockable_auto_unlock_mainloop(GraphLockableMainloop *token)
{
    bdrv_graph_rdunlock_main_loop();
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(GraphLockable, graph_lockable_auto_unlock)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(GraphLockableMainloop,
                              graph_lockable_auto_unlock_mainloop)

#define GRAPH_RDLOCK_GUARD_VAR_(var)                                    \
    g_autoptr(GraphLockable) var G_GNUC_UNUSED =                        \
        graph_lockable_auto_lock(GRAPH_LOCKABLE_TOKEN_())

#define GRAPH_RDLOCK_GUARD() \
    GRAPH_RDLOCK_GUARD_VAR_(glue(graph_rdlock_guard_, __COUNTER__))

#define GRAPH_RDLOCK_GUARD_MAINLOOP()                                   \
    g_autoptr(GraphLockableMainloop)                                    \
    glue(graph_rdlock_guard_ml_, __COUNTER__) G_GNUC_UNUSED =           \
        graph_lockable_auto_lock_mainloop(GRAPH_LOCKABLE_MAINLOOP_TOKEN_())

/*
 * The loop body runs once; leaving it normally or with break releases the
 * lock (the explicit unlock plus NULL store on the normal path, the
 * g_autoptr cleanup on break/return/goto).
 */
#define WITH_GRAPH_RDLOCK_GUARD_(var)                                   \
    for (g_autoptr(GraphLockable) var =                                 \
             graph_lockable_auto_lock(GRAPH_LOCKABLE_TOKEN_());         \
         var;                                                           \
         graph_lockable_auto_unlock(var), var = NULL)

#define WITH_GRAPH_RDLOCK_GUARD() \
    WITH_GRAPH_RDLOCK_GUARD_(glue(graph_rdlock_with_, __COUNTER__))

#endif /* BLOCK_GRAPH_LOCK_H */
