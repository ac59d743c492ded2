/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rcu_queue.h: variants of the qemu/queue.h list operations that RCU
 * readers may traverse while a writer changes the list.  Writers still
 * serialise among themselves with a lock; readers use the _RCU FOREACH
 * forms inside rcu_read_lock().  Removed elements may only be freed
 * after a grace period.
 *
 * The insertions publish the new element with a release store after it
 * is fully linked, and readers load links with qatomic_rcu_read().
 */
#ifndef QEMU_RCU_QUEUE_H
#define QEMU_RCU_QUEUE_H

#include "qemu/queue.h"
#include "qemu/atomic.h"

/* ---- QLIST ---- */

#define QLIST_EMPTY_RCU(head) (qatomic_read(&(head)->lh_first) == NULL)
#define QLIST_FIRST_RCU(head) (qatomic_rcu_read(&(head)->lh_first))
#define QLIST_NEXT_RCU(elm, field) (qatomic_rcu_read(&(elm)->field.le_next))

#define QLIST_INSERT_HEAD_RCU(head, elm, field) do {                    \
    (elm)->field.le_prev = &(head)->lh_first;                           \
    (elm)->field.le_next = (head)->lh_first;                            \
    qatomic_rcu_set(&(head)->lh_first, (elm));                          \
    if ((elm)->field.le_next != NULL) {                                 \
        (elm)->field.le_next->field.le_prev = &(elm)->field.le_next;    \
    }                                                                   \
} while (0)

#define QLIST_INSERT_AFTER_RCU(listelm, elm, field) do {                \
    (elm)->field.le_next = (listelm)->field.le_next;                    \
    (elm)->field.le_prev = &(listelm)->field.le_next;                   \
    qatomic_rcu_set(&(listelm)->field.le_next, (elm));                  \
    if ((elm)->field.le_next != NULL) {                                 \
        (elm)->field.le_next->field.le_prev = &(elm)->field.le_next;    \
    }                                                                   \
} while (0)

#define QLIST_INSERT_BEFORE_RCU(listelm, elm, field) do {               \
    (elm)->field.le_prev = (listelm)->field.le_prev;                    \
    (elm)->field.le_next = (listelm);                                   \
    qatomic_rcu_set((listelm)->field.le_prev, (elm));                   \
    (listelm)->field.le_prev = &(elm)->field.le_next;                   \
} while (0)

/* The element keeps its next pointer so readers on it can go on. */
#define QLIST_REMOVE_RCU(elm, field) do {                               \
    if ((elm)->field.le_next != NULL) {                                 \
        (elm)->field.le_next->field.le_prev = (elm)->field.le_prev;     \
    }                                                                   \
    qatomic_set((elm)->field.le_prev, (elm)->field.le_next);            \
} while (0)

#define QLIST_FOREACH_RCU(var, head, field)                             \
    for ((var) = qatomic_rcu_read(&(head)->lh_first);                   \
         (var);                                                         \
         (var) = qatomic_rcu_read(&(var)->field.le_next))

#define QLIST_FOREACH_SAFE_RCU(var, head, field, next_var)              \
    for ((var) = qatomic_rcu_read(&(head)->lh_first);                   \
         (var) && ((next_var) = qatomic_rcu_read(&(var)->field.le_next), 1); \
         (var) = (next_var))

/* ---- QSIMPLEQ ---- */

#define QSIMPLEQ_EMPTY_RCU(head) (qatomic_read(&(head)->sqh_first) == NULL)
#define QSIMPLEQ_FIRST_RCU(head) qatomic_rcu_read(&(head)->sqh_first)
#define QSIMPLEQ_NEXT_RCU(elm, field) \
    qatomic_rcu_read(&(elm)->field.sqe_next)

#define QSIMPLEQ_INSERT_HEAD_RCU(head, elm, field) do {                 \
    (elm)->field.sqe_next = (head)->sqh_first;                          \
    if ((elm)->field.sqe_next == NULL) {                                \
        (head)->sqh_last = &(elm)->field.sqe_next;                      \
    }                                                                   \
    qatomic_rcu_set(&(head)->sqh_first, (elm));                         \
} while (0)

#define QSIMPLEQ_INSERT_TAIL_RCU(head, elm, field) do {                 \
    (elm)->field.sqe_next = NULL;                                       \
    qatomic_rcu_set((head)->sqh_last, (elm));                           \
    (head)->sqh_last = &(elm)->field.sqe_next;                          \
} while (0)

#define QSIMPLEQ_INSERT_AFTER_RCU(head, listelm, elm, field) do {       \
    (elm)->field.sqe_next = (listelm)->field.sqe_next;                  \
    if ((elm)->field.sqe_next == NULL) {                                \
        (head)->sqh_last = &(elm)->field.sqe_next;                      \
    }                                                                   \
    qatomic_rcu_set(&(listelm)->field.sqe_next, (elm));                 \
} while (0)

#define QSIMPLEQ_REMOVE_HEAD_RCU(head, field) do {                      \
    qatomic_set(&(head)->sqh_first, (head)->sqh_first->field.sqe_next); \
    if ((head)->sqh_first == NULL) {                                    \
        (head)->sqh_last = &(head)->sqh_first;                          \
    }                                                                   \
} while (0)

#define QSIMPLEQ_REMOVE_RCU(head, elm, type, field) do {                \
    if ((head)->sqh_first == (elm)) {                                   \
        QSIMPLEQ_REMOVE_HEAD_RCU((head), field);                        \
    } else {                                                            \
        struct type *curr_ = (head)->sqh_first;                         \
        while (curr_->field.sqe_next != (elm)) {                        \
            curr_ = curr_->field.sqe_next;                              \
        }                                                               \
        qatomic_set(&curr_->field.sqe_next,                             \
                    curr_->field.sqe_next->field.sqe_next);             \
        if (curr_->field.sqe_next == NULL) {                            \
            (head)->sqh_last = &(curr_)->field.sqe_next;                \
        }                                                               \
    }                                                                   \
} while (0)

#define QSIMPLEQ_FOREACH_RCU(var, head, field)                          \
    for ((var) = qatomic_rcu_read(&(head)->sqh_first);                  \
         (var);                                                         \
         (var) = qatomic_rcu_read(&(var)->field.sqe_next))

#define QSIMPLEQ_FOREACH_SAFE_RCU(var, head, field, next)               \
    for ((var) = qatomic_rcu_read(&(head)->sqh_first);                  \
         (var) && ((next) = qatomic_rcu_read(&(var)->field.sqe_next), 1); \
         (var) = (next))

/* ---- QTAILQ ---- */

#define QTAILQ_EMPTY_RCU(head) (qatomic_read(&(head)->tqh_first) == NULL)
#define QTAILQ_FIRST_RCU(head) qatomic_rcu_read(&(head)->tqh_first)
#define QTAILQ_NEXT_RCU(elm, field) \
    qatomic_rcu_read(&(elm)->field.tqe_next)

#define QTAILQ_INSERT_HEAD_RCU(head, elm, field) do {                   \
    (elm)->field.tqe_next = (head)->tqh_first;                          \
    if ((elm)->field.tqe_next != NULL) {                                \
        (head)->tqh_first->field.tqe_circ.tql_prev =                    \
            &(elm)->field.tqe_circ;                                     \
    } else {                                                            \
        (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;             \
    }                                                                   \
    (elm)->field.tqe_circ.tql_prev = &(head)->tqh_circ;                 \
    qatomic_rcu_set(&(head)->tqh_first, (elm));                         \
} while (0)

#define QTAILQ_INSERT_TAIL_RCU(head, elm, field) do {                   \
    (elm)->field.tqe_next = NULL;                                       \
    (elm)->field.tqe_circ.tql_prev = (head)->tqh_circ.tql_prev;         \
    qatomic_rcu_set(&(head)->tqh_circ.tql_prev->tql_next, (elm));       \
    (head)->tqh_circ.tql_prev = &(elm)->field.tqe_circ;                 \
} while (0)

#define QTAILQ_REMOVE_RCU(head, elm, field) do {                        \
    if (((elm)->field.tqe_next) != NULL) {                              \
        (elm)->field.tqe_next->field.tqe_circ.tql_prev =                \
            (elm)->field.tqe_circ.tql_prev;                             \
    } else {                                                            \
        (head)->tqh_circ.tql_prev = (elm)->field.tqe_circ.tql_prev;     \
    }                                                                   \
    qatomic_set(&(elm)->field.tqe_circ.tql_prev->tql_next,              \
                (elm)->field.tqe_next);                                 \
    (elm)->field.tqe_circ.tql_prev = NULL;                              \
} while (0)

#define QTAILQ_FOREACH_RCU(var, head, field)                            \
    for ((var) = qatomic_rcu_read(&(head)->tqh_first);                  \
         (var);                                                         \
         (var) = qatomic_rcu_read(&(var)->field.tqe_next))

#define QTAILQ_FOREACH_SAFE_RCU(var, head, field, next)                 \
    for ((var) = qatomic_rcu_read(&(head)->tqh_first);                  \
         (var) && ((next) = qatomic_rcu_read(&(var)->field.tqe_next), 1); \
         (var) = (next))

/* ---- QSLIST ---- */

#define QSLIST_EMPTY_RCU(head) (qatomic_read(&(head)->slh_first) == NULL)
#define QSLIST_FIRST_RCU(head) qatomic_rcu_read(&(head)->slh_first)
#define QSLIST_NEXT_RCU(elm, field) \
    qatomic_rcu_read(&(elm)->field.sle_next)

#define QSLIST_INSERT_HEAD_RCU(head, elm, field) do {                   \
    (elm)->field.sle_next = (head)->slh_first;                          \
    qatomic_rcu_set(&(head)->slh_first, (elm));                         \
} while (0)

#define QSLIST_REMOVE_HEAD_RCU(head, field) do {                        \
    qatomic_set(&(head)->slh_first, (head)->slh_first->field.sle_next); \
} while (0)

#define QSLIST_FOREACH_RCU(var, head, field)                            \
    for ((var) = qatomic_rcu_read(&(head)->slh_first);                  \
         (var);                                                         \
         (var) = qatomic_rcu_read(&(var)->field.sle_next))

#endif /* QEMU_RCU_QUEUE_H */
