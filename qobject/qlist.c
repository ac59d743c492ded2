/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qlist.c: ordered lists of QObjects.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"

QList *qlist_new(void)
{
    QList *qlist = g_new(QList, 1);

    qobject_init(QOBJECT(qlist), QTYPE_QLIST);
    QTAILQ_INIT(&qlist->head);
    return qlist;
}

QList *qlist_copy(QList *src)
{
    QList *dst = qlist_new();
    QListEntry *entry;

    QLIST_FOREACH_ENTRY(src, entry) {
        qlist_append_obj(dst, qobject_ref(entry->value));
    }
    return dst;
}

void qlist_append_obj(QList *qlist, QObject *value)
{
    QListEntry *entry = g_new(QListEntry, 1);

    entry->value = value;
    QTAILQ_INSERT_TAIL(&qlist->head, entry, next);
}

void qlist_append_int(QList *qlist, int64_t value)
{
    qlist_append(qlist, qnum_from_int(value));
}

void qlist_append_bool(QList *qlist, bool value)
{
    qlist_append(qlist, qbool_from_bool(value));
}

void qlist_append_str(QList *qlist, const char *value)
{
    qlist_append(qlist, qstring_from_str(value));
}

void qlist_append_null(QList *qlist)
{
    qlist_append(qlist, qnull());
}

QObject *qlist_pop(QList *qlist)
{
    QListEntry *entry;
    QObject *value;

    if (!qlist || QTAILQ_EMPTY(&qlist->head)) {
        return NULL;
    }
    entry = QTAILQ_FIRST(&qlist->head);
    QTAILQ_REMOVE(&qlist->head, entry, next);
    value = entry->value;
    g_free(entry);
    return value;
}

QObject *qlist_peek(QList *qlist)
{
    if (!qlist || QTAILQ_EMPTY(&qlist->head)) {
        return NULL;
    }
    return QTAILQ_FIRST(&qlist->head)->value;
}

int qlist_empty(const QList *qlist)
{
    return QTAILQ_EMPTY(&qlist->head);
}

size_t qlist_size(const QList *qlist)
{
    const QListEntry *entry;
    size_t count = 0;

    for (entry = qlist_first(qlist); entry; entry = qlist_next(entry)) {
        count++;
    }
    return count;
}

bool qlist_is_equal(const QObject *x, const QObject *y)
{
    const QList *a = qobject_to(QList, x);
    const QList *b = qobject_to(QList, y);
    const QListEntry *ea = qlist_first(a), *eb = qlist_first(b);

    while (ea && eb) {
        if (!qobject_is_equal(ea->value, eb->value)) {
            return false;
        }
        ea = qlist_next(ea);
        eb = qlist_next(eb);
    }
    return !ea && !eb;
}

void qlist_destroy_obj(QObject *obj)
{
    QList *qlist = qobject_to(QList, obj);
    QListEntry *entry, *next;

    QTAILQ_FOREACH_SAFE(entry, &qlist->head, next, next) {
        QTAILQ_REMOVE(&qlist->head, entry, next);
        qobject_unref(entry->value);
        g_free(entry);
    }
    g_free(qlist);
}
