/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcu.c: QEMU's RCU API on top of liburcu's "memb" flavour.
 *
 * liburcu ships name-mapping headers (in urcu/map/) that #define
 * rcu_read_lock and friends to the flavour's symbols; including them
 * would clash with our own declarations of the same names.  So this file
 * declares the few urcu_memb_* entry points it calls itself.  struct
 * rcu_head has liburcu's layout (next pointer, then callback), so heads
 * go to liburcu's call_rcu thread unchanged.
 *
 * liburcu needs every reader thread registered.  Threads that never
 * called rcu_register_thread() are registered on their first read lock
 * and unregistered automatically when they exit.
 */
#include "qemu/osdep.h"
#include "qemu/rcu.h"

/* From liburcu-memb (liburcu.so is this flavour). */
void urcu_memb_read_lock(void);
void urcu_memb_read_unlock(void);
void urcu_memb_synchronize_rcu(void);
void urcu_memb_register_thread(void);
void urcu_memb_unregister_thread(void);
void urcu_memb_call_rcu(struct rcu_head *head,
                        void (*func)(struct rcu_head *head));
void urcu_memb_barrier(void);

static __thread bool rcu_registered;
static pthread_key_t rcu_exit_key;
static pthread_once_t rcu_exit_once = PTHREAD_ONCE_INIT;

static void rcu_thread_exit(void *unused)
{
    if (rcu_registered) {
        urcu_memb_unregister_thread();
        rcu_registered = false;
    }
}

static void rcu_exit_key_init(void)
{
    pthread_key_create(&rcu_exit_key, rcu_thread_exit);
}

void rcu_register_thread(void)
{
    if (!rcu_registered) {
        urcu_memb_register_thread();
        rcu_registered = true;
        pthread_once(&rcu_exit_once, rcu_exit_key_init);
        /* Any non-NULL value makes the destructor run. */
        pthread_setspecific(rcu_exit_key, &rcu_registered);
    }
}

void rcu_unregister_thread(void)
{
    if (rcu_registered) {
        urcu_memb_unregister_thread();
        rcu_registered = false;
        pthread_setspecific(rcu_exit_key, NULL);
    }
}

void rcu_read_lock(void)
{
    if (unlikely(!rcu_registered)) {
        rcu_register_thread();
    }
    urcu_memb_read_lock();
}

void rcu_read_unlock(void)
{
    urcu_memb_read_unlock();
}

void synchronize_rcu(void)
{
    urcu_memb_synchronize_rcu();
}

void call_rcu1(struct rcu_head *head, RCUCBFunc *func)
{
    /* liburcu's call_rcu() wants a registered caller. */
    if (unlikely(!rcu_registered)) {
        rcu_register_thread();
    }
    urcu_memb_call_rcu(head, func);
}

void drain_call_rcu(void)
{
    /*
     * Our callbacks run in liburcu's thread and never take the BQL, so
     * waiting for them while holding it cannot deadlock.
     */
    urcu_memb_barrier();
}

static void __attribute__((constructor)) rcu_init(void)
{
    rcu_register_thread();
}
