/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lockable.h: QemuLockable, a (lock, unlock, object) triple that lets
 * code take "some kind of lock" without knowing which kind, and the
 * scope guards built on it.
 *
 *     QEMU_LOCK_GUARD(&s->lock);            held until end of scope
 *     WITH_QEMU_LOCK_GUARD(&s->lock) { }    held inside the block
 *
 * Works with QemuMutex, QemuRecMutex, QemuSpin and CoMutex (the CoMutex
 * forms may only be used in coroutine context).
 */
#ifndef QEMU_LOCKABLE_H
#define QEMU_LOCKABLE_H

#include "qemu/coroutine-core.h"
#include "qemu/thread.h"

typedef void QemuLockUnlockFunc(void *);

typedef struct QemuLockable {
    void *object;
    QemuLockUnlockFunc *lock;
    QemuLockUnlockFunc *unlock;
} QemuLockable;

/* Adapters from the typed lock functions to QemuLockUnlockFunc. */
static inline void TSA_NO_TSA qemu_lockable_mutex_lock_(void *p)
{
    qemu_mutex_lock(p);
}

static inline void TSA_NO_TSA qemu_lockable_mutex_unlock_(void *p)
{
    qemu_mutex_unlock(p);
}

static inline void qemu_lockable_rec_lock_(void *p)
{
    qemu_rec_mutex_lock(p);
}

static inline void qemu_lockable_rec_unlock_(void *p)
{
    qemu_rec_mutex_unlock(p);
}

static inline void qemu_lockable_spin_lock_(void *p)
{
    qemu_spin_lock(p);
}

static inline void qemu_lockable_spin_unlock_(void *p)
{
    qemu_spin_unlock(p);
}

static inline void coroutine_fn qemu_lockable_co_lock_(void *p)
{
    qemu_co_mutex_lock(p);
}

static inline void coroutine_fn qemu_lockable_co_unlock_(void *p)
{
    qemu_co_mutex_unlock(p);
}

/*
 * Never defined: using a lock type the _Generic selections below do not
 * know about fails at link time.
 */
void qemu_lockable_unknown_lock_type(void *);

#define QEMU_LOCKABLE_LOCK_FN_(x) _Generic((x),                         \
    QemuMutex *: qemu_lockable_mutex_lock_,                             \
    QemuRecMutex *: qemu_lockable_rec_lock_,                            \
    QemuSpin *: qemu_lockable_spin_lock_,                               \
    CoMutex *: qemu_lockable_co_lock_,                                  \
    default: qemu_lockable_unknown_lock_type)

#define QEMU_LOCKABLE_UNLOCK_FN_(x) _Generic((x),                       \
    QemuMutex *: qemu_lockable_mutex_unlock_,                           \
    QemuRecMutex *: qemu_lockable_rec_unlock_,                          \
    QemuSpin *: qemu_lockable_spin_unlock_,                             \
    CoMutex *: qemu_lockable_co_unlock_,                                \
    default: qemu_lockable_unknown_lock_type)

/*
 * QEMU_MAKE_LOCKABLE_NONNULL(x): a QemuLockable * for lock @x, valid
 * until the end of the enclosing block.  A QemuLockable * is passed
 * through unchanged.
 */
#define QEMU_MAKE_LOCKABLE_NONNULL(x) _Generic((x),                     \
    QemuLockable *: (QemuLockable *)(x),                                \
    default: (&(QemuLockable) {                                         \
        .object = (void *)(x),                                          \
        .lock = QEMU_LOCKABLE_LOCK_FN_(x),                              \
        .unlock = QEMU_LOCKABLE_UNLOCK_FN_(x),                          \
    }))

/* As above, but NULL when @x is NULL. */
static inline QemuLockable *qemu_lockable_or_null_(const void *x,
                                                   QemuLockable *l)
{
    return x ? l : NULL;
}

#define QEMU_MAKE_LOCKABLE(x) _Generic((x),                             \
    void *: (QemuLockable *)NULL,                                       \
    default: qemu_lockable_or_null_((x), QEMU_MAKE_LOCKABLE_NONNULL(x)))

static inline void qemu_lockable_lock(QemuLockable *x)
{
    x->lock(x->object);
}

static inline void qemu_lockable_unlock(QemuLockable *x)
{
    x->unlock(x->object);
}

/* Take @x and return it; the guard's cleanup function releases it. */
static inline QemuLockable *qemu_lockable_auto_lock(QemuLockable *x)
{
    qemu_lockable_lock(x);
    return x;
}

static inline void qemu_lockable_auto_unlock(QemuLockable *x)
{
    if (x) {
        qemu_lockable_unlock(x);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuLockable, qemu_lockable_auto_unlock)

#define QEMU_LOCK_GUARD_NAME_(n) glue(qemu_lockable_auto_, n)

/* Hold lock @x until the end of the current scope. */
#define QEMU_LOCK_GUARD(x)                                              \
    g_autoptr(QemuLockable) QEMU_LOCK_GUARD_NAME_(__COUNTER__)          \
        G_GNUC_UNUSED =                                                 \
        qemu_lockable_auto_lock(QEMU_MAKE_LOCKABLE_NONNULL((x)))

/* Hold lock @x while the following statement or block runs. */
#define WITH_QEMU_LOCK_GUARD_(x, var)                                   \
    for (g_autoptr(QemuLockable) var =                                  \
             qemu_lockable_auto_lock(QEMU_MAKE_LOCKABLE_NONNULL((x)));  \
         var;                                                           \
         qemu_lockable_auto_unlock(var), var = NULL)

#define WITH_QEMU_LOCK_GUARD(x)                                         \
    WITH_QEMU_LOCK_GUARD_((x), QEMU_LOCK_GUARD_NAME_(__COUNTER__))

#endif /* QEMU_LOCKABLE_H */
