/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcu.h: read-copy-update.  Readers bracket their accesses with
 * rcu_read_lock()/rcu_read_unlock() (nestable, never blocking); writers
 * publish new versions with qatomic_rcu_set() and free old ones after a
 * grace period, with synchronize_rcu() (blocking) or call_rcu()
 * (deferred to a helper thread).
 *
 * Implementation: util/rcu.c is a thin layer over liburcu's "memb"
 * flavour (membarrier-based readers).  Our names are QEMU's; liburcu's
 * name-mapping headers are deliberately not included, so its
 * rcu_read_lock etc. macros never clash with these declarations.
 * Threads are registered with liburcu on their first read-side critical
 * section if they did not call rcu_register_thread().
 */
#ifndef QEMU_RCU_H
#define QEMU_RCU_H

#include "qemu/atomic.h"

/* Enter / leave a read-side critical section.  Any thread; nestable. */
void rcu_read_lock(void);
void rcu_read_unlock(void);

/*
 * Wait until every read-side critical section that started before the
 * call has ended.  Not inside a read-side critical section.
 */
void synchronize_rcu(void);

/* Register / unregister the calling thread as an RCU reader. */
void rcu_register_thread(void);
void rcu_unregister_thread(void);

/*
 * Deferred reclamation.  The rcu_head layout matches liburcu's, so the
 * head is handed to liburcu's call_rcu thread unchanged.
 */
struct rcu_head;
typedef void RCUCBFunc(struct rcu_head *head);

struct rcu_head {
    struct rcu_head *next;
    RCUCBFunc *func;
};

/*
 * Call @func(@head) in the call_rcu thread after a grace period.  The
 * callback runs without the BQL and must not block on RCU.
 */
void call_rcu1(struct rcu_head *head, RCUCBFunc *func);

/*
 * call_rcu(obj, func, field): as call_rcu1 on @obj's rcu_head member
 * @field, calling @func(@obj).  @field must be the first member so that
 * the head's address is the object's.
 */
#define call_rcu(head, func, field)                                     \
    call_rcu1((struct rcu_head *)((char *)&(head)->field +              \
              QEMU_BUILD_BUG_ON_ZERO(offsetof(typeof(*(head)), field))), \
              (RCUCBFunc *)(void (*)(typeof(head)))(func))

/* g_free(@obj) after a grace period; @field must be its first member. */
#define g_free_rcu(obj, field)                                          \
    call_rcu1((struct rcu_head *)((char *)&(obj)->field +               \
              QEMU_BUILD_BUG_ON_ZERO(offsetof(typeof(*(obj)), field))), \
              (RCUCBFunc *)g_free)

/*
 * Wait until every call_rcu() callback queued before this call has run.
 * Not from a read-side critical section or from a callback.  Callbacks
 * never take the BQL, so the caller may hold it.
 */
void drain_call_rcu(void);

/* Scope guards for read-side critical sections. */
typedef struct RCUReadAuto RCUReadAuto;

static inline RCUReadAuto *rcu_read_auto_lock(void)
{
    rcu_read_lock();
    /* Any non-NULL value will do. */
    return (RCUReadAuto *)(uintptr_t)1;
}

static inline void rcu_read_auto_unlock(RCUReadAuto *r)
{
    rcu_read_unlock();
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(RCUReadAuto, rcu_read_auto_unlock)

#define WITH_RCU_READ_LOCK_GUARD_(var)                                  \
    for (g_autoptr(RCUReadAuto) var = rcu_read_auto_lock();             \
         (var); rcu_read_auto_unlock(var), (var) = NULL)

/* The following statement or block runs as a read-side section. */
#define WITH_RCU_READ_LOCK_GUARD()                                      \
    WITH_RCU_READ_LOCK_GUARD_(glue(rcu_read_auto, __COUNTER__))

/* A read-side section until the end of the enclosing scope. */
#define RCU_READ_LOCK_GUARD()                                           \
    g_autoptr(RCUReadAuto) glue(rcu_read_auto, __COUNTER__)             \
        G_GNUC_UNUSED = rcu_read_auto_lock()

#endif /* QEMU_RCU_H */
