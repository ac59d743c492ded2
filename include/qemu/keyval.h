/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyval.h: parse "a.b=1,a.c=2,l.0=x" into nested QDicts and QLists of
 * QStrings (also reachable through qemu/option.h, as in QEMU).
 *
 * Keys are dot-separated fragments; the first is a QAPI name, later ones
 * may be list indexes.  A member whose keys are all indexes 0..N-1
 * becomes a QList.  Values are strings; ",," is a literal comma.  A
 * leading value without '=' belongs to @implied_key.  "help" or "?"
 * sets *p_help (or is an error when @p_help is NULL).
 */
#ifndef QEMU_KEYVAL_H
#define QEMU_KEYVAL_H

/*
 * Parse @params into @qdict.  Returns @qdict, or NULL with @errp set
 * ("Invalid parameter '%s'", "Expected '=' after parameter '%s'",
 * "Parameters '%s.*' used inconsistently", "Parameter '%s' missing"...).
 */
QDict *keyval_parse_into(QDict *qdict, const char *params,
                         const char *implied_key, bool *p_help,
                         Error **errp);
/* As keyval_parse_into() on a new QDict (freed on failure). */
QDict *keyval_parse(const char *params, const char *implied_key,
                    bool *p_help, Error **errp);
/*
 * Merge @merged into @old: scalars are replaced, dicts merged and lists
 * appended; a member of different type in the two fails with "Parameter
 * '%s' used inconsistently".
 */
void keyval_merge(QDict *old, const QDict *merged, Error **errp);

#endif /* QEMU_KEYVAL_H */
