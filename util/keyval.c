/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyval.c: the keyval parser (see include/qemu/keyval.h).
 *
 * Parsing happens in two passes: keyval_parse_one() puts each key-value
 * pair into a tree of QDicts following the dotted key, then
 * keyval_listify() turns every QDict whose keys are all list indexes
 * into a QList, checking that no index is missing.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/help_option.h"
#include "qemu/keyval.h"

/* Key fragments longer than this are rejected. */
#define KEY_FRAGMENT_MAX 127

/*
 * Length of the QAPI name at the start of @s (letters, digits, '-' and
 * '_', starting with a letter, optionally after a "__RFQDN_" downstream
 * prefix), or -1 if there is none.
 */
static int qapi_name_len(const char *s)
{
    const char *p = s;

    if (*p == '_') {
        if (p[1] != '_') {
            return -1;
        }
        for (p += 2; g_ascii_isalnum(*p) || *p == '-' || *p == '.'; p++) {
        }
        if (*p != '_') {
            return -1;
        }
        p++;
    }
    if (!g_ascii_isalpha(*p)) {
        return -1;
    }
    for (p++; g_ascii_isalnum(*p) || *p == '-' || *p == '_'; p++) {
    }
    return p - s;
}

/*
 * If @key starts with a decimal list index, return it (INT_MAX if it is
 * too large) and set *end past it; else return a negative errno.  With
 * @end NULL the whole of @key must be the index.
 */
static int key_to_index(const char *key, const char **end)
{
    unsigned long index;
    int ret;

    if (!g_ascii_isdigit(*key)) {
        return -EINVAL;
    }
    ret = qemu_strtoul(key, end, 10, &index);
    if (ret) {
        return ret == -ERANGE ? INT_MAX : ret;
    }
    return index <= INT_MAX ? (int)index : INT_MAX;
}

/*
 * Store @value (a QDict when NULL) under @name in @cur.  An existing
 * string is replaced by a new string; an existing dict is reused for a
 * dict; any other combination is an error about key [@key, @key_end).
 * Returns the stored object, or NULL.
 */
static QObject *keyval_put(QDict *cur, const char *name, QString *value,
                           const char *key, const char *key_end,
                           Error **errp)
{
    QObject *old = qdict_get(cur, name);
    QObject *new;

    if (old) {
        if (qobject_type(old) != (value ? QTYPE_QSTRING : QTYPE_QDICT)) {
            error_setg(errp, "Parameters '%.*s.*' used inconsistently",
                       (int)(key_end - key), key);
            qobject_unref(value);
            return NULL;
        }
        if (!value) {
            return old;
        }
    }
    new = value ? QOBJECT(value) : QOBJECT(qdict_new());
    qdict_put_obj(cur, name, new);
    return new;
}

/* Read a value up to the next single ',' (",," is a comma). */
static const char *parse_value(const char *s, GString *val)
{
    while (*s) {
        if (*s == ',') {
            s++;
            if (*s != ',') {
                break;
            }
        }
        g_string_append_c(val, *s++);
    }
    return s;
}

/*
 * Walk the fragments of key [key, key_end), creating the intermediate
 * dicts.  Returns the dict for the last fragment, whose name goes to
 * @last, and sets *after to the end of the key; NULL on error.
 */
static QDict *keyval_walk_key(QDict *qdict, const char *key,
                              const char *key_end, char *last,
                              const char **after, Error **errp)
{
    QDict *cur = qdict;
    const char *s = key;
    const char *end;

    for (;;) {
        size_t len;
        int ret;

        /* an index, except for the first fragment, or a QAPI name */
        if (s != key && key_to_index(s, &end) >= 0) {
            len = end - s;
        } else {
            ret = qapi_name_len(s);
            len = ret < 0 ? 0 : ret;
        }
        if (!len || (s + len < key_end && s[len] != '.')) {
            error_setg(errp, "Invalid parameter '%.*s'",
                       (int)(key_end - key), key);
            return NULL;
        }
        if (len > KEY_FRAGMENT_MAX) {
            error_setg(errp, "Parameter%s '%.*s' is too long",
                       s != key || s + len != key_end ? " fragment" : "",
                       (int)len, s);
            return NULL;
        }
        if (s != key) {
            /* descend into the dict named by the previous fragment */
            cur = qobject_to(QDict, keyval_put(cur, last, NULL, key, s - 1,
                                               errp));
            if (!cur) {
                return NULL;
            }
        }
        memcpy(last, s, len);
        last[len] = '\0';
        s += len;
        if (*s != '.') {
            break;
        }
        s++;
    }
    *after = s;
    return cur;
}

/* Parse one key-value pair at @params; returns where the next starts. */
static const char *keyval_parse_one(QDict *qdict, const char *params,
                                    const char *implied_key, bool *help,
                                    Error **errp)
{
    char last[KEY_FRAGMENT_MAX + 1];
    const char *key = params, *key_end, *s, *val_end = NULL;
    size_t len = strcspn(params, "=,");
    GString *val;
    QDict *cur;

    if (len && key[len] != '=') {
        if (starts_with_help_option(key) == len) {
            *help = true;
            s = key + len;
            return *s == ',' ? s + 1 : s;
        }
        if (implied_key) {
            /* "value" means "implied_key=value" */
            key = implied_key;
            val_end = params + len;
            len = strlen(implied_key);
        }
    }
    key_end = key + len;

    cur = keyval_walk_key(qdict, key, key_end, last, &s, errp);
    if (!cur) {
        return NULL;
    }
    if (key == implied_key) {
        val = g_string_new_len(params, val_end - params);
        s = *val_end == ',' ? val_end + 1 : val_end;
    } else {
        if (*s != '=') {
            error_setg(errp, "Expected '=' after parameter '%.*s'",
                       (int)(s - key), key);
            return NULL;
        }
        val = g_string_new(NULL);
        s = parse_value(s + 1, val);
    }
    if (!keyval_put(cur, last, qstring_from_gstring(val), key, key_end,
                    errp)) {
        return NULL;
    }
    return s;
}

/* "a.b." for the key path @path (innermost first), or "" for none. */
static char *key_path_str(GSList *path)
{
    GString *s = g_string_new(NULL);
    g_autoptr(GSList) rev = g_slist_reverse(g_slist_copy(path));
    GSList *p;

    for (p = rev; p; p = p->next) {
        g_string_append(s, p->data);
        g_string_append_c(s, '.');
    }
    return g_string_free(s, false);
}

/*
 * Turn the index-keyed @cur into a QList.  Keys such as "1" and "01" name
 * the same index; the one iterated last wins.  Every index up to the
 * largest must be present.
 */
static QObject *keyval_dict_to_list(QDict *cur, GSList *path, Error **errp)
{
    size_t n = qdict_size(cur), i, len;
    g_autofree QObject **elt = g_new0(QObject *, n);
    const QDictEntry *e;
    int max_index = -1;
    QList *list;

    for (e = qdict_first(cur); e; e = qdict_next(cur, e)) {
        int index = key_to_index(qdict_entry_key(e), NULL);

        assert(index >= 0);
        max_index = MAX(max_index, index);
        /* an index >= n means a smaller one is missing; found below */
        if ((size_t)index < n) {
            elt[index] = qdict_entry_value(e);
        }
    }
    len = MIN(n + 1, (size_t)max_index + 1);
    list = qlist_new();
    for (i = 0; i < len; i++) {
        if (i == n || !elt[i]) {
            g_autofree char *prefix = key_path_str(path);
            error_setg(errp, "Parameter '%s%zu' missing", prefix, i);
            qobject_unref(list);
            return NULL;
        }
        qlist_append_obj(list, qobject_ref(elt[i]));
    }
    return QOBJECT(list);
}

static QObject *keyval_listify(QDict *cur, GSList *path, Error **errp)
{
    bool has_index = false, has_member = false;
    const QDictEntry *e;

    for (e = qdict_first(cur); e; e = qdict_next(cur, e)) {
        QDict *sub = qobject_to(QDict, qdict_entry_value(e));
        GSList node = { .data = (char *)qdict_entry_key(e), .next = path };
        QObject *val;

        if (key_to_index(qdict_entry_key(e), NULL) >= 0) {
            has_index = true;
        } else {
            has_member = true;
        }
        if (!sub) {
            continue;
        }
        val = keyval_listify(sub, &node, errp);
        if (!val) {
            return NULL;
        }
        if (val != QOBJECT(sub)) {
            qdict_put_obj(cur, qdict_entry_key(e), val);
        }
    }
    if (has_index && has_member) {
        g_autofree char *prefix = key_path_str(path);
        error_setg(errp, "Parameters '%s*' used inconsistently", prefix);
        return NULL;
    }
    if (!has_index) {
        return QOBJECT(cur);
    }
    return keyval_dict_to_list(cur, path, errp);
}

QDict *keyval_parse_into(QDict *qdict, const char *params,
                         const char *implied_key, bool *p_help,
                         Error **errp)
{
    const char *s = params;
    bool help = false;
    QObject *listified;

    while (*s) {
        s = keyval_parse_one(qdict, s, implied_key, &help, errp);
        if (!s) {
            return NULL;
        }
        implied_key = NULL;
    }
    if (p_help) {
        *p_help = help;
    } else if (help) {
        error_setg(errp, "Help is not available for this option");
        return NULL;
    }
    listified = keyval_listify(qdict, NULL, errp);
    if (!listified) {
        return NULL;
    }
    assert(listified == QOBJECT(qdict));
    return qdict;
}

QDict *keyval_parse(const char *params, const char *implied_key,
                    bool *p_help, Error **errp)
{
    QDict *qdict = qdict_new();
    QDict *ret = keyval_parse_into(qdict, params, implied_key, p_help, errp);

    if (!ret) {
        qobject_unref(qdict);
    }
    return ret;
}

static bool keyval_do_merge(QDict *dest, const QDict *merged,
                            GString *path, Error **errp)
{
    size_t saved_len = path->len;
    const QDictEntry *e;

    for (e = qdict_first(merged); e; e = qdict_next(merged, e)) {
        const char *key = qdict_entry_key(e);
        QObject *new = qdict_entry_value(e);
        QObject *old = qdict_get(dest, key);

        if (old && qobject_type(old) != qobject_type(new)) {
            error_setg(errp, "Parameter '%s%s' used inconsistently",
                       path->str, key);
            return false;
        }
        if (old && qobject_type(new) == QTYPE_QDICT) {
            bool ok;

            g_string_append_printf(path, "%s.", key);
            ok = keyval_do_merge(qobject_to(QDict, old),
                                 qobject_to(QDict, new), path, errp);
            g_string_truncate(path, saved_len);
            if (!ok) {
                return false;
            }
            continue;
        }
        if (old && qobject_type(new) == QTYPE_QLIST) {
            QList *old_list = qobject_to(QList, old);
            const QListEntry *item;

            for (item = qlist_first(qobject_to(QList, new)); item;
                 item = qlist_next(item)) {
                qlist_append_obj(old_list, qobject_ref(qlist_entry_obj(item)));
            }
            continue;
        }
        qdict_put_obj(dest, key, qobject_ref(new));
    }
    return true;
}

void keyval_merge(QDict *old, const QDict *merged, Error **errp)
{
    g_autoptr(GString) path = g_string_new(NULL);

    keyval_do_merge(old, merged, path, errp);
}
