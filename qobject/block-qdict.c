/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-qdict.c: QDict helpers for block layer options: flattening to
 * dotted keys and back ("crumpling"), sub-dict and array extraction,
 * defaults, joins and key renames.
 */
#include "qemu/osdep.h"
#include "block/qdict.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"

void qdict_copy_default(QDict *dst, QDict *src, const char *key)
{
    QObject *val;

    if (qdict_haskey(dst, key)) {
        return;
    }
    val = qdict_get(src, key);
    if (val) {
        qdict_put_obj(dst, key, qobject_ref(val));
    }
}

void qdict_set_default_str(QDict *dst, const char *key, const char *val)
{
    if (!qdict_haskey(dst, key)) {
        qdict_put_str(dst, key, val);
    }
}

void qdict_join(QDict *dest, QDict *src, bool overwrite)
{
    const QDictEntry *e, *next;

    for (e = qdict_first(src); e; e = next) {
        next = qdict_next(src, e);
        if (overwrite || !qdict_haskey(dest, e->key)) {
            qdict_put_obj(dest, e->key, qobject_ref(e->value));
            qdict_del(src, e->key);
        }
    }
}

void qdict_extract_subqdict(QDict *src, QDict **dst, const char *start)
{
    const QDictEntry *e, *next;
    const char *rest;

    if (dst) {
        *dst = qdict_new();
    }
    for (e = qdict_first(src); e; e = next) {
        next = qdict_next(src, e);
        if (strstart(e->key, start, &rest)) {
            if (dst) {
                qdict_put_obj(*dst, rest, qobject_ref(e->value));
            }
            qdict_del(src, e->key);
        }
    }
}

/* Number of keys of @src starting with @prefix. */
static size_t qdict_count_prefixed(const QDict *src, const char *prefix)
{
    const QDictEntry *e;
    size_t count = 0;

    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        if (strstart(e->key, prefix, NULL)) {
            count++;
        }
    }
    return count;
}

void qdict_array_split(QDict *src, QList **dst)
{
    unsigned int i;

    *dst = qlist_new();
    for (i = 0; i < UINT_MAX; i++) {
        g_autofree char *index = g_strdup_printf("%u", i);
        g_autofree char *prefix = g_strdup_printf("%u.", i);
        QObject *scalar = qdict_get(src, index);
        bool has_sub = qdict_count_prefixed(src, prefix) > 0;
        QDict *sub;

        /* element i is either "i" or a set of "i.*" keys, never both */
        if (!scalar == !has_sub) {
            break;
        }
        if (scalar) {
            qlist_append_obj(*dst, qobject_ref(scalar));
            qdict_del(src, index);
        } else {
            qdict_extract_subqdict(src, &sub, prefix);
            qlist_append(*dst, sub);
        }
    }
}

int qdict_array_entries(QDict *src, const char *subqdict)
{
    size_t handled = 0;
    int i;

    assert(!*subqdict || subqdict[strlen(subqdict) - 1] == '.');
    for (i = 0; i < INT_MAX; i++) {
        g_autofree char *index = g_strdup_printf("%s%d", subqdict, i);
        g_autofree char *prefix = g_strdup_printf("%s%d.", subqdict, i);
        bool scalar = qdict_haskey(src, index);
        size_t sub = qdict_count_prefixed(src, prefix);

        if (scalar && sub) {
            return -EINVAL;
        }
        if (!scalar && !sub) {
            break;
        }
        handled += scalar ? 1 : sub;
    }
    /* every key under @subqdict must belong to one of the elements */
    if (qdict_count_prefixed(src, subqdict) != handled) {
        return -EINVAL;
    }
    return i;
}

static void flatten_dict(QDict *qdict, QDict *target, const char *prefix);

/* Key for member @name under @prefix (NULL prefix: top level). */
static char *flat_key(const char *prefix, const char *name)
{
    return prefix ? g_strdup_printf("%s.%s", prefix, name) : g_strdup(name);
}

static bool is_nonempty_container(QObject *obj)
{
    QDict *d = qobject_to(QDict, obj);
    QList *l = qobject_to(QList, obj);

    return (d && qdict_size(d)) || (l && !qlist_empty(l));
}

/* Put the members of @list into @target as "<prefix>.<index>...". */
static void flatten_list(QList *list, QDict *target, const char *prefix)
{
    const QListEntry *e;
    unsigned int i = 0;

    for (e = qlist_first(list); e; e = qlist_next(e), i++) {
        g_autofree char *name = g_strdup_printf("%u", i);
        g_autofree char *key = flat_key(prefix, name);
        QObject *value = qlist_entry_obj(e);

        if (qobject_to(QDict, value) && is_nonempty_container(value)) {
            flatten_dict(qobject_to(QDict, value), target, key);
        } else if (qobject_to(QList, value) && is_nonempty_container(value)) {
            flatten_list(qobject_to(QList, value), target, key);
        } else {
            qdict_put_obj(target, key, qobject_ref(value));
        }
    }
}

/*
 * Put the members of @qdict into @target as "<prefix>.<key>...".  At the
 * top level (@target == @qdict, no prefix) scalars stay where they are
 * and flattened containers are replaced by their members.
 */
static void flatten_dict(QDict *qdict, QDict *target, const char *prefix)
{
    const QDictEntry *e, *next;

    for (e = qdict_first(qdict); e; e = next) {
        g_autofree char *key = flat_key(prefix, e->key);
        QObject *value = e->value;
        bool nested = is_nonempty_container(value);

        next = qdict_next(qdict, e);
        if (nested && qobject_to(QDict, value)) {
            flatten_dict(qobject_to(QDict, value), target, key);
        } else if (nested) {
            flatten_list(qobject_to(QList, value), target, key);
        } else if (prefix) {
            qdict_put_obj(target, key, qobject_ref(value));
        }
        if (nested && target == qdict) {
            qdict_del(qdict, e->key);
        }
    }
}

void qdict_flatten(QDict *qdict)
{
    flatten_dict(qdict, qdict, NULL);
}

/*
 * Split @key at its first unescaped '.': *prefix receives the first
 * component with ".." unescaped to "."; returns the rest or NULL.
 */
static const char *split_flat_key(const char *key, char **prefix)
{
    GString *first = g_string_new(NULL);
    const char *p = key;

    while (*p) {
        if (p[0] == '.' && p[1] == '.') {
            g_string_append_c(first, '.');
            p += 2;
        } else if (*p == '.') {
            break;
        } else {
            g_string_append_c(first, *p++);
        }
    }
    *prefix = g_string_free(first, false);
    return *p ? p + 1 : NULL;
}

/*
 * 1 if every key of @dict is a decimal integer, 0 if none is (or @dict
 * is empty), -1 with @errp set if they are mixed or the indexes are not
 * 0..N-1 in number.
 */
static int qdict_is_list(QDict *dict, Error **errp)
{
    const QDictEntry *e;
    int is_list = -1;
    ssize_t count = 0, max = -1;

    for (e = qdict_first(dict); e; e = qdict_next(dict, e)) {
        int64_t val;
        int is_index = qemu_strtoi64(e->key, NULL, 10, &val) == 0;

        if (is_list == -1) {
            is_list = is_index;
        } else if (is_list != is_index) {
            error_setg(errp, "Cannot mix list and non-list keys");
            return -1;
        }
        if (is_index) {
            count++;
            max = MAX(max, val);
        }
    }
    if (count != max + 1) {
        error_setg(errp, "List indices are not contiguous, "
                   "saw %zd elements but %zd largest index", count, max);
        return -1;
    }
    return is_list == 1;
}

/* Turn the index-keyed @dict into a list; all of 0..size-1 must exist. */
static QObject *qdict_to_list(QDict *dict, Error **errp)
{
    QList *list = qlist_new();
    size_t i;

    for (i = 0; i < qdict_size(dict); i++) {
        g_autofree char *key = g_strdup_printf("%zu", i);
        QObject *child = qdict_get(dict, key);

        if (!child) {
            error_setg(errp, "Missing list index %zu", i);
            qobject_unref(list);
            return NULL;
        }
        qlist_append_obj(list, qobject_ref(child));
    }
    return QOBJECT(list);
}

/* Group the keys of @src by their first component, one level only. */
static QDict *crumple_one_level(const QDict *src, Error **errp)
{
    QDict *two_level = qdict_new();
    const QDictEntry *e;

    for (e = qdict_first(src); e; e = qdict_next(src, e)) {
        g_autofree char *prefix = NULL;
        const char *suffix;
        QObject *child;

        if (is_nonempty_container(e->value)) {
            error_setg(errp, "Value %s is not flat", e->key);
            goto fail;
        }
        suffix = split_flat_key(e->key, &prefix);
        child = qdict_get(two_level, prefix);
        if (suffix) {
            QDict *child_dict = qobject_to(QDict, child);

            if (child && !child_dict) {
                error_setg(errp, "Key %s prefix is already set as a scalar",
                           prefix);
                goto fail;
            }
            if (!child_dict) {
                child_dict = qdict_new();
                qdict_put(two_level, prefix, child_dict);
            }
            qdict_put_obj(child_dict, suffix, qobject_ref(e->value));
        } else {
            if (child) {
                error_setg(errp, "Key %s prefix is already set as a dict",
                           prefix);
                goto fail;
            }
            qdict_put_obj(two_level, prefix, qobject_ref(e->value));
        }
    }
    return two_level;

fail:
    qobject_unref(two_level);
    return NULL;
}

QObject *qdict_crumple(const QDict *src, Error **errp)
{
    QDict *two_level, *multi_level;
    const QDictEntry *e;
    QObject *result = NULL;
    int is_list;

    two_level = crumple_one_level(src, errp);
    if (!two_level) {
        return NULL;
    }
    /* recurse into the dicts the first pass created */
    multi_level = qdict_new();
    for (e = qdict_first(two_level); e; e = qdict_next(two_level, e)) {
        QDict *child = qobject_to(QDict, e->value);

        if (child && qdict_size(child)) {
            QObject *nested = qdict_crumple(child, errp);
            if (!nested) {
                goto out;
            }
            qdict_put_obj(multi_level, e->key, nested);
        } else {
            qdict_put_obj(multi_level, e->key, qobject_ref(e->value));
        }
    }

    is_list = qdict_is_list(multi_level, errp);
    if (is_list < 0) {
        goto out;
    }
    result = is_list ? qdict_to_list(multi_level, errp)
                     : qobject_ref(QOBJECT(multi_level));
out:
    qobject_unref(two_level);
    qobject_unref(multi_level);
    return result;
}

QObject *qdict_crumple_for_keyval_qiv(QDict *src, Error **errp)
{
    g_autoptr(QDict) tmp = qdict_clone_shallow(src);
    const QDictEntry *e;

    /*
     * keyval input is all strings: convert numbers and booleans (a
     * non-flat @src makes qdict_crumple() fail)
     */
    for (e = qdict_first(tmp); e; e = qdict_next(tmp, e)) {
        QNum *qn = qobject_to(QNum, e->value);
        QBool *qb = qobject_to(QBool, e->value);
        char *str = NULL;

        if (qn) {
            str = qnum_to_string(qn);
        } else if (qb) {
            str = g_strdup(qbool_get_bool(qb) ? "on" : "off");
        }
        if (str) {
            qdict_put_obj(tmp, e->key, QOBJECT(qstring_from_str(str)));
            g_free(str);
        }
    }
    return qdict_crumple(tmp, errp);
}

bool qdict_rename_keys(QDict *qdict, const QDictRenames *renames,
                       Error **errp)
{
    for (; renames->from; renames++) {
        QObject *value = qdict_get(qdict, renames->from);

        if (!value) {
            continue;
        }
        if (qdict_haskey(qdict, renames->to)) {
            error_setg(errp, "'%s' and its alias '%s' can't be used at the "
                       "same time", renames->to, renames->from);
            return false;
        }
        qdict_put_obj(qdict, renames->to, qobject_ref(value));
        qdict_del(qdict, renames->from);
    }
    return true;
}
