/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-rcu.c: grace periods (synchronize_rcu() and call_rcu() wait for
 * readers that started before them), drain_call_rcu(), and readers that
 * traverse data and an RCU list while a writer replaces them.
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/rcu.h"
#include "qemu/rcu_queue.h"
#include "qemu/thread.h"

/* ---- grace periods ---- */

typedef struct {
    QemuSemaphore locked;
    QemuSemaphore release;
} ReaderCtl;

static void *holding_reader(void *opaque)
{
    ReaderCtl *ctl = opaque;

    rcu_register_thread();
    rcu_read_lock();
    qemu_sem_post(&ctl->locked);
    qemu_sem_wait(&ctl->release);
    rcu_read_unlock();
    rcu_unregister_thread();
    return NULL;
}

static int sync_done;

static void *synchronizer(void *opaque)
{
    synchronize_rcu();
    qatomic_set(&sync_done, 1);
    return NULL;
}

static void test_synchronize_waits(void)
{
    ReaderCtl ctl;
    QemuThread reader, syncer;

    qemu_sem_init(&ctl.locked, 0);
    qemu_sem_init(&ctl.release, 0);
    qemu_thread_create(&reader, "reader", holding_reader, &ctl,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_wait(&ctl.locked);

    sync_done = 0;
    qemu_thread_create(&syncer, "sync", synchronizer, NULL,
                       QEMU_THREAD_JOINABLE);
    g_usleep(20000);
    /* The reader is still inside its critical section. */
    g_assert_cmpint(qatomic_read(&sync_done), ==, 0);

    qemu_sem_post(&ctl.release);
    qemu_thread_join(&syncer);
    g_assert_cmpint(qatomic_read(&sync_done), ==, 1);
    qemu_thread_join(&reader);
    qemu_sem_destroy(&ctl.locked);
    qemu_sem_destroy(&ctl.release);
}

typedef struct {
    struct rcu_head rcu;    /* first, as call_rcu() requires */
    int *freed;
} Obj;

static void obj_free(Obj *obj)
{
    qatomic_inc(obj->freed);
    g_free(obj);
}

static void test_call_rcu(void)
{
    int freed = 0;
    int i;

    for (i = 0; i < 10; i++) {
        Obj *obj = g_new0(Obj, 1);
        obj->freed = &freed;
        call_rcu(obj, obj_free, rcu);
    }
    drain_call_rcu();
    g_assert_cmpint(qatomic_read(&freed), ==, 10);
}

static void test_call_rcu_waits_for_reader(void)
{
    ReaderCtl ctl;
    QemuThread reader;
    int freed = 0;
    Obj *obj = g_new0(Obj, 1);

    qemu_sem_init(&ctl.locked, 0);
    qemu_sem_init(&ctl.release, 0);
    qemu_thread_create(&reader, "reader", holding_reader, &ctl,
                       QEMU_THREAD_JOINABLE);
    qemu_sem_wait(&ctl.locked);

    obj->freed = &freed;
    call_rcu(obj, obj_free, rcu);
    g_usleep(20000);
    g_assert_cmpint(qatomic_read(&freed), ==, 0);

    qemu_sem_post(&ctl.release);
    qemu_thread_join(&reader);
    drain_call_rcu();
    g_assert_cmpint(qatomic_read(&freed), ==, 1);
    qemu_sem_destroy(&ctl.locked);
    qemu_sem_destroy(&ctl.release);
}

/* ---- readers see consistent data ---- */

typedef struct {
    struct rcu_head rcu;
    uint64_t a;
    uint64_t b;             /* always 2 * a */
} Pair;

static Pair *shared_pair;
static int stop_readers;

static void *pair_reader(void *opaque)
{
    uint64_t *bad = opaque;
    uint64_t last = 0;

    while (!qatomic_read(&stop_readers)) {
        WITH_RCU_READ_LOCK_GUARD() {
            Pair *p = qatomic_rcu_read(&shared_pair);
            if (p->b != 2 * p->a || p->a < last) {
                (*bad)++;
            }
            last = p->a;
        }
    }
    rcu_unregister_thread();
    return NULL;
}

static void test_readers_consistent(void)
{
    enum { READERS = 2, UPDATES = 2000 };
    QemuThread readers[READERS];
    uint64_t bad[READERS] = { 0 };
    int i;

    shared_pair = g_new0(Pair, 1);
    stop_readers = 0;
    for (i = 0; i < READERS; i++) {
        qemu_thread_create(&readers[i], "pair-reader", pair_reader, &bad[i],
                           QEMU_THREAD_JOINABLE);
    }
    for (i = 1; i <= UPDATES; i++) {
        Pair *old = shared_pair;
        Pair *new = g_new0(Pair, 1);

        new->a = i;
        new->b = 2 * i;
        qatomic_rcu_set(&shared_pair, new);
        if (i % 2) {
            g_free_rcu(old, rcu);
        } else {
            synchronize_rcu();
            /* Scribble on it: no reader may still look at it. */
            old->a = 1;
            old->b = 0;
            g_free(old);
        }
    }
    qatomic_set(&stop_readers, 1);
    for (i = 0; i < READERS; i++) {
        qemu_thread_join(&readers[i]);
        g_assert_cmpint(bad[i], ==, 0);
    }
    drain_call_rcu();
    g_assert_cmpint(shared_pair->a, ==, UPDATES);
    g_free(shared_pair);
}

/* ---- an RCU list ---- */

typedef struct Node {
    struct rcu_head rcu;
    int value;
    QLIST_ENTRY(Node) next;
} Node;

static QLIST_HEAD(, Node) node_list = QLIST_HEAD_INITIALIZER(node_list);

static void *list_reader(void *opaque)
{
    uint64_t *bad = opaque;

    while (!qatomic_read(&stop_readers)) {
        Node *n;
        int count = 0;

        RCU_READ_LOCK_GUARD();
        QLIST_FOREACH_RCU(n, &node_list, next) {
            /* Values are never negative while linked. */
            if (n->value < 0) {
                (*bad)++;
            }
            count++;
        }
        if (count > 3) {
            (*bad)++;
        }
    }
    rcu_unregister_thread();
    return NULL;
}

static void test_list(void)
{
    enum { ROUNDS = 2000 };
    QemuThread reader;
    uint64_t bad = 0;
    Node *n;
    int i;

    stop_readers = 0;
    qemu_thread_create(&reader, "list-reader", list_reader, &bad,
                       QEMU_THREAD_JOINABLE);
    for (i = 0; i < ROUNDS; i++) {
        Node *node = g_new0(Node, 1);

        node->value = i;
        QLIST_INSERT_HEAD_RCU(&node_list, node, next);
        if (i >= 2) {
            /* Keep at most three nodes: drop the oldest. */
            Node *last = QLIST_FIRST(&node_list);
            while (QLIST_NEXT(last, next)) {
                last = QLIST_NEXT(last, next);
            }
            QLIST_REMOVE_RCU(last, next);
            synchronize_rcu();
            last->value = -1;
            g_free(last);
        }
    }
    qatomic_set(&stop_readers, 1);
    qemu_thread_join(&reader);
    g_assert_cmpint(bad, ==, 0);

    i = 0;
    while ((n = QLIST_FIRST(&node_list))) {
        QLIST_REMOVE(n, next);
        g_assert_cmpint(n->value, ==, ROUNDS - 1 - i);
        g_free(n);
        i++;
    }
    g_assert_cmpint(i, ==, 2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rcu/synchronize-waits", test_synchronize_waits);
    g_test_add_func("/rcu/call-rcu", test_call_rcu);
    g_test_add_func("/rcu/call-rcu-waits", test_call_rcu_waits_for_reader);
    g_test_add_func("/rcu/readers-consistent", test_readers_consistent);
    g_test_add_func("/rcu/list", test_list);
    return g_test_run();
}
