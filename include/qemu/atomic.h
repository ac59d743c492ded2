/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * atomic.h: atomic accessors and memory barriers on top of the compiler's
 * __atomic builtins.
 *
 * qatomic_read/qatomic_set are relaxed accesses that the compiler may not
 * tear or fuse; the *_mb_* and load_acquire/store_release forms order
 * memory; the read-modify-write helpers are sequentially consistent.
 */
#ifndef QEMU_ATOMIC_H
#define QEMU_ATOMIC_H

#define barrier()   __atomic_signal_fence(__ATOMIC_SEQ_CST)
#define smp_mb()    __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_mb_release() __atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb_acquire() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()   smp_mb_release()
#define smp_rmb()   smp_mb_acquire()
#define smp_mb__before_rmw() smp_mb()
#define smp_mb__after_rmw()  smp_mb()

#define qatomic_read(ptr)       __atomic_load_n(ptr, __ATOMIC_RELAXED)
#define qatomic_set(ptr, i)     __atomic_store_n(ptr, i, __ATOMIC_RELAXED)
#define qatomic_rcu_read(ptr)   __atomic_load_n(ptr, __ATOMIC_ACQUIRE)
#define qatomic_rcu_set(ptr, i) __atomic_store_n(ptr, i, __ATOMIC_RELEASE)
#define qatomic_load_acquire(ptr)     __atomic_load_n(ptr, __ATOMIC_ACQUIRE)
#define qatomic_store_release(ptr, i) __atomic_store_n(ptr, i, __ATOMIC_RELEASE)
#define qatomic_mb_read(ptr)    __atomic_load_n(ptr, __ATOMIC_SEQ_CST)
#define qatomic_mb_set(ptr, i)  __atomic_store_n(ptr, i, __ATOMIC_SEQ_CST)

#define qatomic_xchg(ptr, i)    __atomic_exchange_n(ptr, i, __ATOMIC_SEQ_CST)
#define qatomic_cmpxchg(ptr, old, new) ({                               \
    typeof(*(ptr)) expected_ = (old);                                   \
    (void)__atomic_compare_exchange_n(ptr, &expected_, new, false,      \
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
    expected_;                                                          \
})

/* Return the old value */
#define qatomic_fetch_inc(ptr)  __atomic_fetch_add(ptr, 1, __ATOMIC_SEQ_CST)
#define qatomic_fetch_dec(ptr)  __atomic_fetch_sub(ptr, 1, __ATOMIC_SEQ_CST)
#define qatomic_fetch_add(ptr, n) __atomic_fetch_add(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_sub(ptr, n) __atomic_fetch_sub(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_and(ptr, n) __atomic_fetch_and(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_or(ptr, n)  __atomic_fetch_or(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_fetch_xor(ptr, n) __atomic_fetch_xor(ptr, n, __ATOMIC_SEQ_CST)

/* Return the new value */
#define qatomic_inc_fetch(ptr)  __atomic_add_fetch(ptr, 1, __ATOMIC_SEQ_CST)
#define qatomic_dec_fetch(ptr)  __atomic_sub_fetch(ptr, 1, __ATOMIC_SEQ_CST)
#define qatomic_add_fetch(ptr, n) __atomic_add_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_sub_fetch(ptr, n) __atomic_sub_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_and_fetch(ptr, n) __atomic_and_fetch(ptr, n, __ATOMIC_SEQ_CST)
#define qatomic_or_fetch(ptr, n)  __atomic_or_fetch(ptr, n, __ATOMIC_SEQ_CST)

/* Discard the result */
#define qatomic_inc(ptr)        ((void)qatomic_fetch_inc(ptr))
#define qatomic_dec(ptr)        ((void)qatomic_fetch_dec(ptr))
#define qatomic_add(ptr, n)     ((void)qatomic_fetch_add(ptr, n))
#define qatomic_sub(ptr, n)     ((void)qatomic_fetch_sub(ptr, n))
#define qatomic_and(ptr, n)     ((void)qatomic_fetch_and(ptr, n))
#define qatomic_or(ptr, n)      ((void)qatomic_fetch_or(ptr, n))
#define qatomic_xor(ptr, n)     ((void)qatomic_fetch_xor(ptr, n))

#endif /* QEMU_ATOMIC_H */
