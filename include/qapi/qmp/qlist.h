/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qlist.h: ordered list QObject.  The list owns one reference to each
 * element; qlist_append() takes over the caller's reference.
 */
#ifndef QAPI_QMP_QLIST_H
#define QAPI_QMP_QLIST_H

#include "qapi/qmp/qobject.h"
#include "qemu/queue.h"

typedef struct QListEntry {
    QObject *value;
    QTAILQ_ENTRY(QListEntry) next;
} QListEntry;

struct QList {
    struct QObjectBase_ base;
    QTAILQ_HEAD(, QListEntry) head;
};

#define qlist_append(qlist, obj) \
        qlist_append_obj(qlist, QOBJECT(obj))

/* Iterate over the entries of @qlist (do not modify the list). */
#define QLIST_FOREACH_ENTRY(qlist, var)                 \
        for ((var) = QTAILQ_FIRST(&(qlist)->head);      \
             (var);                                     \
             (var) = QTAILQ_NEXT((var), next))

static inline QObject *qlist_entry_obj(const QListEntry *entry)
{
    return entry->value;
}

QList *qlist_new(void);
/* Shallow copy: new list, same (re-referenced) elements. */
QList *qlist_copy(QList *src);
void qlist_append_obj(QList *qlist, QObject *obj);
void qlist_append_bool(QList *qlist, bool value);
void qlist_append_int(QList *qlist, int64_t value);
void qlist_append_null(QList *qlist);
void qlist_append_str(QList *qlist, const char *value);
/* Remove the first element and return its reference (NULL if empty). */
QObject *qlist_pop(QList *qlist);
/* The first element without taking a reference (NULL if empty). */
QObject *qlist_peek(QList *qlist);
int qlist_empty(const QList *qlist);
size_t qlist_size(const QList *qlist);
bool qlist_is_equal(const QObject *x, const QObject *y);
void qlist_destroy_obj(QObject *obj);

static inline const QListEntry *qlist_first(const QList *qlist)
{
    return QTAILQ_FIRST(&qlist->head);
}

static inline const QListEntry *qlist_next(const QListEntry *entry)
{
    return QTAILQ_NEXT(entry, next);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QList, qobject_unref_ptr)

#endif /* QAPI_QMP_QLIST_H */
