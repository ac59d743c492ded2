/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qdict.c: string-keyed dictionaries.
 *
 * Keys hash into QDICT_BUCKET_MAX chained buckets; new keys go to the head
 * of their chain.  The hash is the one QEMU has always used, so that
 * iteration order (visible in JSON output such as "json:{...}" filenames)
 * is the same as QEMU's.  Block-layer helpers (flatten, crumple, ...) are
 * in block-qdict.c.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"

/* Bucket of @key: a multiplicative hash mixing shifted key bytes. */
static unsigned int qdict_bucket(const char *key)
{
    const unsigned char *p = (const unsigned char *)key;
    unsigned int h = 0x238F13AF * (unsigned int)strlen(key);
    unsigned int i;

    for (i = 0; p[i]; i++) {
        h += (unsigned int)p[i] << (i * 5 % 24);
    }
    return (1103515243 * h + 12345) % QDICT_BUCKET_MAX;
}

QDict *qdict_new(void)
{
    QDict *qdict = g_new0(QDict, 1);

    qobject_init(QOBJECT(qdict), QTYPE_QDICT);
    return qdict;
}

static QDictEntry *qdict_find(const QDict *qdict, const char *key)
{
    QDictEntry *entry;

    QLIST_FOREACH(entry, &qdict->table[qdict_bucket(key)], next) {
        if (!strcmp(entry->key, key)) {
            return entry;
        }
    }
    return NULL;
}

const char *qdict_entry_key(const QDictEntry *entry)
{
    return entry->key;
}

QObject *qdict_entry_value(const QDictEntry *entry)
{
    return entry->value;
}

size_t qdict_size(const QDict *qdict)
{
    return qdict->size;
}

void qdict_put_obj(QDict *qdict, const char *key, QObject *value)
{
    QDictEntry *entry = qdict_find(qdict, key);

    if (entry) {
        qobject_unref(entry->value);
        entry->value = value;
        return;
    }
    entry = g_new0(QDictEntry, 1);
    entry->key = g_strdup(key);
    entry->value = value;
    QLIST_INSERT_HEAD(&qdict->table[qdict_bucket(key)], entry, next);
    qdict->size++;
}

void qdict_put_int(QDict *qdict, const char *key, int64_t value)
{
    qdict_put(qdict, key, qnum_from_int(value));
}

void qdict_put_bool(QDict *qdict, const char *key, bool value)
{
    qdict_put(qdict, key, qbool_from_bool(value));
}

void qdict_put_str(QDict *qdict, const char *key, const char *value)
{
    qdict_put(qdict, key, qstring_from_str(value));
}

void qdict_put_null(QDict *qdict, const char *key)
{
    qdict_put(qdict, key, qnull());
}

QObject *qdict_get(const QDict *qdict, const char *key)
{
    QDictEntry *entry = qdict_find(qdict, key);

    return entry ? entry->value : NULL;
}

int qdict_haskey(const QDict *qdict, const char *key)
{
    return qdict_find(qdict, key) != NULL;
}

double qdict_get_double(const QDict *qdict, const char *key)
{
    QNum *qn = qobject_to(QNum, qdict_get(qdict, key));

    assert(qn);
    return qnum_get_double(qn);
}

int64_t qdict_get_int(const QDict *qdict, const char *key)
{
    QNum *qn = qobject_to(QNum, qdict_get(qdict, key));

    assert(qn);
    return qnum_get_int(qn);
}

bool qdict_get_bool(const QDict *qdict, const char *key)
{
    QBool *qb = qobject_to(QBool, qdict_get(qdict, key));

    assert(qb);
    return qbool_get_bool(qb);
}

QList *qdict_get_qlist(const QDict *qdict, const char *key)
{
    return qobject_to(QList, qdict_get(qdict, key));
}

QDict *qdict_get_qdict(const QDict *qdict, const char *key)
{
    return qobject_to(QDict, qdict_get(qdict, key));
}

const char *qdict_get_str(const QDict *qdict, const char *key)
{
    QString *qs = qobject_to(QString, qdict_get(qdict, key));

    assert(qs);
    return qstring_get_str(qs);
}

int64_t qdict_get_try_int(const QDict *qdict, const char *key,
                          int64_t def_value)
{
    QNum *qn = qobject_to(QNum, qdict_get(qdict, key));
    int64_t val;

    if (!qn || !qnum_get_try_int(qn, &val)) {
        return def_value;
    }
    return val;
}

bool qdict_get_try_bool(const QDict *qdict, const char *key, bool def_value)
{
    QBool *qb = qobject_to(QBool, qdict_get(qdict, key));

    return qb ? qbool_get_bool(qb) : def_value;
}

const char *qdict_get_try_str(const QDict *qdict, const char *key)
{
    return qstring_get_try_str(qobject_to(QString, qdict_get(qdict, key)));
}

/* First entry in bucket @bucket or any later bucket. */
static QDictEntry *qdict_scan(const QDict *qdict, unsigned int bucket)
{
    for (; bucket < QDICT_BUCKET_MAX; bucket++) {
        if (!QLIST_EMPTY(&qdict->table[bucket])) {
            return QLIST_FIRST(&qdict->table[bucket]);
        }
    }
    return NULL;
}

const QDictEntry *qdict_first(const QDict *qdict)
{
    return qdict_scan(qdict, 0);
}

const QDictEntry *qdict_next(const QDict *qdict, const QDictEntry *entry)
{
    QDictEntry *next = QLIST_NEXT(entry, next);

    return next ? next : qdict_scan(qdict, qdict_bucket(entry->key) + 1);
}

QDict *qdict_clone_shallow(const QDict *src)
{
    QDict *dest = qdict_new();
    const QDictEntry *e;

    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        qdict_put_obj(dest, e->key, qobject_ref(e->value));
    }
    return dest;
}

static void qdict_entry_free(QDictEntry *entry)
{
    qobject_unref(entry->value);
    g_free(entry->key);
    g_free(entry);
}

void qdict_del(QDict *qdict, const char *key)
{
    QDictEntry *entry = qdict_find(qdict, key);

    if (entry) {
        QLIST_REMOVE(entry, next);
        qdict_entry_free(entry);
        qdict->size--;
    }
}

bool qdict_is_equal(const QObject *x, const QObject *y)
{
    const QDict *a = qobject_to(QDict, x);
    const QDict *b = qobject_to(QDict, y);
    const QDictEntry *e;

    if (qdict_size(a) != qdict_size(b)) {
        return false;
    }
    for (e = qdict_first(a); e; e = qdict_next(a, e)) {
        QObject *other = qdict_get(b, e->key);

        if (!other || !qobject_is_equal(e->value, other)) {
            return false;
        }
    }
    return true;
}

void qdict_destroy_obj(QObject *obj)
{
    QDict *qdict = qobject_to(QDict, obj);
    unsigned int i;

    for (i = 0; i < QDICT_BUCKET_MAX; i++) {
        QDictEntry *entry, *next;

        QLIST_FOREACH_SAFE(entry, &qdict->table[i], next, next) {
            QLIST_REMOVE(entry, next);
            qdict_entry_free(entry);
        }
    }
    g_free(qdict);
}
