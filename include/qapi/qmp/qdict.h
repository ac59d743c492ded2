/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qdict.h: string-keyed dictionary QObject.
 *
 * A hash table of QDICT_BUCKET_MAX buckets.  Iteration order
 * (qdict_first/qdict_next) follows the buckets, not insertion order.  The
 * dict owns one reference to each value; qdict_put() takes over the
 * caller's reference and replaces (and unrefs) any previous value.
 * The qdict_get_<type>() getters assert that the key exists with that
 * type; the _try_ forms return a default instead.
 */
#ifndef QAPI_QMP_QDICT_H
#define QAPI_QMP_QDICT_H

#include "qapi/qmp/qobject.h"
#include "qemu/queue.h"

#define QDICT_BUCKET_MAX 512

typedef struct QDictEntry {
    char *key;
    QObject *value;
    QLIST_ENTRY(QDictEntry) next;
} QDictEntry;

struct QDict {
    struct QObjectBase_ base;
    size_t size;
    QLIST_HEAD(, QDictEntry) table[QDICT_BUCKET_MAX];
};

QDict *qdict_new(void);
const char *qdict_entry_key(const QDictEntry *entry);
QObject *qdict_entry_value(const QDictEntry *entry);
size_t qdict_size(const QDict *qdict);
void qdict_put_obj(QDict *qdict, const char *key, QObject *value);
void qdict_del(QDict *qdict, const char *key);
int qdict_haskey(const QDict *qdict, const char *key);
/* The value for @key without taking a reference, or NULL. */
QObject *qdict_get(const QDict *qdict, const char *key);
bool qdict_is_equal(const QObject *x, const QObject *y);
const QDictEntry *qdict_first(const QDict *qdict);
const QDictEntry *qdict_next(const QDict *qdict, const QDictEntry *entry);
void qdict_destroy_obj(QObject *obj);

/* Helper to qdict_put_obj() any QObject subtype. */
#define qdict_put(qdict, key, obj) \
        qdict_put_obj(qdict, key, QOBJECT(obj))

void qdict_put_bool(QDict *qdict, const char *key, bool value);
void qdict_put_int(QDict *qdict, const char *key, int64_t value);
void qdict_put_null(QDict *qdict, const char *key);
void qdict_put_str(QDict *qdict, const char *key, const char *value);

double qdict_get_double(const QDict *qdict, const char *key);
int64_t qdict_get_int(const QDict *qdict, const char *key);
bool qdict_get_bool(const QDict *qdict, const char *key);
QList *qdict_get_qlist(const QDict *qdict, const char *key);
QDict *qdict_get_qdict(const QDict *qdict, const char *key);
const char *qdict_get_str(const QDict *qdict, const char *key);

/* @def_value if @key is absent or not of the type (or range). */
int64_t qdict_get_try_int(const QDict *qdict, const char *key,
                          int64_t def_value);
bool qdict_get_try_bool(const QDict *qdict, const char *key, bool def_value);
const char *qdict_get_try_str(const QDict *qdict, const char *key);

/* New dict with the same keys and re-referenced values. */
QDict *qdict_clone_shallow(const QDict *src);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QDict, qobject_unref_ptr)

#endif /* QAPI_QMP_QDICT_H */
