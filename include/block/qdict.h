/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/qdict.h: QDict helpers used for block layer options.
 *
 * Block options travel either nested ({"file": {"filename": "x"}}) or
 * flattened with dotted keys ({"file.filename": "x"}); these helpers
 * convert between the two and pick apart option dicts.
 */
#ifndef BLOCK_QDICT_H
#define BLOCK_QDICT_H

#include "qapi/qmp/qdict.h"

/* Copy @key from @src to @dst unless @dst already has it. */
void qdict_copy_default(QDict *dst, QDict *src, const char *key);
/* Put @val at @key unless @dst already has the key. */
void qdict_set_default_str(QDict *dst, const char *key, const char *val);

/*
 * Move every entry of @src to @dest.  A key already in @dest is moved
 * (replacing) only if @overwrite; otherwise it stays in @src.
 */
void qdict_join(QDict *dest, QDict *src, bool overwrite);

/*
 * Move every "@start<key>" entry of @src into a new dict *dst as "<key>".
 * A NULL @dst just deletes them.
 */
void qdict_extract_subqdict(QDict *src, QDict **dst, const char *start);
/*
 * Split "N.key" style entries: for N = 0, 1, ... move the entries of
 * @src starting with "N." (as a dict) or named "N" (as a scalar) into
 * a new list *dst, stopping at the first missing index.
 */
void qdict_array_split(QDict *src, QList **dst);
/*
 * Count the entries of a flattened array "<subqdict>N..." in @src:
 * returns the count, or -EINVAL if there are entries with other names
 * or missing indices.
 */
int qdict_array_entries(QDict *src, const char *subqdict);

/*
 * Flatten in place: nested dicts and lists become dotted keys ("a.b",
 * "a.0").  Empty nested dicts and lists are kept as values.
 */
void qdict_flatten(QDict *qdict);
/*
 * Inverse of qdict_flatten: build nested dicts from dotted keys, with
 * dicts whose keys are exactly 0..N-1 turned into lists.  ".." escapes a
 * literal dot.  Values must be scalars or empty dicts/lists.  Returns a
 * new reference, or NULL with @errp set on conflicting keys ("Key %s
 * prefix is already set as a scalar"), mixed or non-contiguous list
 * indexes, or nested values ("Value %s is not flat").
 */
QObject *qdict_crumple(const QDict *src, Error **errp);
/*
 * As qdict_crumple(), but first turn number and bool values into the
 * strings keyval_parse() would have produced ("on"/"off" for bools), so
 * the result suits a keyval-style QAPI input visitor.
 */
QObject *qdict_crumple_for_keyval_qiv(QDict *qdict, Error **errp);

typedef struct QDictRenames {
    const char *from;
    const char *to;
} QDictRenames;
/*
 * Rename keys per @renames (terminated by {NULL, NULL}).  Fails if both
 * names are present: "'to' and its alias 'from' can't be used at the
 * same time".
 */
bool qdict_rename_keys(QDict *qdict, const QDictRenames *renames,
                       Error **errp);

#endif /* BLOCK_QDICT_H */
