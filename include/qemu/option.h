/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * option.h: QemuOpts, the "key=value,key2=value2" option lists of the
 * command line and of image creation (-o), plus the keyval parser that
 * turns dotted keys into nested QDicts.
 *
 * A QemuOptsList describes the accepted options (an empty desc[] accepts
 * any name, untyped) and holds the QemuOpts instances parsed so far.  A
 * QemuOpts is one "-foo ..." occurrence: an optional id and a sequence of
 * QemuOpt name/value pairs in the order given; a later value for the same
 * name wins in the getters.  Messages use QEMU's wording.
 */
#ifndef QEMU_OPTION_H
#define QEMU_OPTION_H

#include "qemu/queue.h"
#include "qemu/help_option.h"
#include "qemu/keyval.h"

typedef enum QemuOptType {
    QEMU_OPT_STRING = 0,    /* no parsing (use string as-is) */
    QEMU_OPT_BOOL,          /* on/off */
    QEMU_OPT_NUMBER,        /* simple number */
    QEMU_OPT_SIZE,          /* size with optional k/M/G/T/P/E suffix */
} QemuOptType;

typedef struct QemuOptDesc {
    const char *name;
    QemuOptType type;
    const char *help;
    const char *def_value_str;
} QemuOptDesc;

struct QemuOptsList {
    const char *name;
    const char *implied_opt_name;   /* name of a leading "value" */
    bool merge_lists;               /* all uses share one QemuOpts */
    QTAILQ_HEAD(, QemuOpts) head;
    QemuOptDesc desc[];             /* terminated by { NULL } */
};

/*
 * Copy the option value at @p up to the next single ',' into *value,
 * unescaping ",," to ','.  Returns the position of that ',' (or the end).
 */
const char *get_opt_value(const char *p, char **value);

/*
 * Parse @value as a size (qemu_strtosz()).  Errors: "Value '%s' is out
 * of range for parameter '%s'" or "Parameter '%s' expects a non-negative
 * number below 2^64" plus a hint about suffixes.
 */
bool parse_option_size(const char *name, const char *value,
                       uint64_t *ret, Error **errp);
/* Does the option string @param contain "help" or "?" as a flag? */
bool has_help_option(const char *param);

/*
 * Getters: the last value given for @name; else the description's
 * def_value_str; else @defval (NULL for qemu_opt_get).  The typed getters
 * assert the option was described with that type.  The _del forms also
 * remove every occurrence of @name (qemu_opt_get_del returns a string
 * the caller must g_free()).
 */
const char *qemu_opt_get(QemuOpts *opts, const char *name);
char *qemu_opt_get_del(QemuOpts *opts, const char *name);
bool qemu_opt_has_help_opt(QemuOpts *opts);
QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name);
bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval);
uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval);
uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name,
                           uint64_t defval);
bool qemu_opt_get_bool_del(QemuOpts *opts, const char *name, bool defval);
uint64_t qemu_opt_get_number_del(QemuOpts *opts, const char *name,
                                 uint64_t defval);
uint64_t qemu_opt_get_size_del(QemuOpts *opts, const char *name,
                               uint64_t defval);
/* Remove the last occurrence of @name (lists accepting anything only). */
int qemu_opt_unset(QemuOpts *opts, const char *name);

/*
 * Setters append a new occurrence.  Unknown names fail with "Invalid
 * parameter '%s'" unless the list accepts anything; values are checked
 * against the description's type.
 */
bool qemu_opt_set(QemuOpts *opts, const char *name, const char *value,
                  Error **errp);
bool qemu_opt_set_bool(QemuOpts *opts, const char *name, bool val,
                       Error **errp);
bool qemu_opt_set_number(QemuOpts *opts, const char *name, int64_t val,
                         Error **errp);

typedef int (*qemu_opt_loopfunc)(void *opaque,
                                 const char *name, const char *value,
                                 Error **errp);
/* Call @func on each option in order; stop at and return a non-zero. */
int qemu_opt_foreach(QemuOpts *opts, qemu_opt_loopfunc func, void *opaque,
                     Error **errp);

typedef struct {
    QemuOpts *opts;
    QemuOpt *opt;
    const char *name;
} QemuOptsIter;

/* Iterate over the values of every occurrence of @name, in order. */
void qemu_opt_iter_init(QemuOptsIter *iter, QemuOpts *opts,
                        const char *name);
const char *qemu_opt_iter_next(QemuOptsIter *iter);

QemuOpts *qemu_opts_find(QemuOptsList *list, const char *id);
/*
 * Create a QemuOpts in @list.  @id must be well-formed ("Parameter 'id'
 * expects an identifier").  If @id exists: with @fail_if_exists the
 * error "Duplicate ID '%s' for %s", else the existing one is returned.
 * With merge_lists and no id, the existing id-less QemuOpts is reused.
 */
QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           int fail_if_exists, Error **errp);
/* Delete every QemuOpts of @list. */
void qemu_opts_reset(QemuOptsList *list);
bool qemu_opts_set(QemuOptsList *list, const char *name, const char *value,
                   Error **errp);
const char *qemu_opts_id(QemuOpts *opts);
/* Set the id; takes ownership of @id. */
void qemu_opts_set_id(QemuOpts *opts, char *id);
void qemu_opts_del(QemuOpts *opts);
/* Check every option against @desc (for lists that accept anything). */
bool qemu_opts_validate(QemuOpts *opts, const QemuOptDesc *desc,
                        Error **errp);
/*
 * Parse "a=1,b=2,flag,noflag" into @opts.  A leading value without '='
 * belongs to @firstname if given; otherwise a bare "name" means name=on
 * and "noname" name=off.  ",," in a value is a literal comma.
 */
bool qemu_opts_do_parse(QemuOpts *opts, const char *params,
                        const char *firstname, Error **errp);
/*
 * Create a QemuOpts in @list from @params (its "id=" sets the id).
 * @permit_abbrev allows a leading value for list->implied_opt_name.
 * The _noisily form reports errors itself and prints the help listing
 * when "help" or "?" is given (returning NULL).
 */
QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev);
QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp);
void qemu_opts_set_defaults(QemuOptsList *list, const char *params,
                            int permit_abbrev);
/*
 * Create a QemuOpts from a QDict: string, number and bool values are
 * accepted (as strings, numbers in decimal, bools as on/off).
 */
QemuOpts *qemu_opts_from_qdict(QemuOptsList *list, const QDict *qdict,
                               Error **errp);
/*
 * Store every option (or only those described in @list, if non-NULL)
 * into @qdict (a new one if NULL) as strings, plus "id"; with @del,
 * remove the copied options from @opts.
 */
QDict *qemu_opts_to_qdict_filtered(QemuOpts *opts, QDict *qdict,
                                   QemuOptsList *list, bool del);
QDict *qemu_opts_to_qdict(QemuOpts *opts, QDict *qdict);
/*
 * Move the entries of @qdict that @opts' list describes into @opts,
 * leaving the rest in @qdict.
 */
bool qemu_opts_absorb_qdict(QemuOpts *opts, QDict *qdict, Error **errp);

typedef int (*qemu_opts_loopfunc)(void *opaque, QemuOpts *opts,
                                  Error **errp);
int qemu_opts_foreach(QemuOptsList *list, qemu_opts_loopfunc func,
                      void *opaque, Error **errp);
/*
 * Print the options as "name=value" joined by @sep (for described lists:
 * in description order, including defaults; sizes and numbers in
 * decimal; commas in strings doubled).
 */
void qemu_opts_print(QemuOpts *opts, const char *sep);
/*
 * Print "  name=<type>  - help" lines to stdout, sorted, after a
 * "<list> options:" caption if @print_caption.
 */
void qemu_opts_print_help(QemuOptsList *list, bool print_caption);
/* Free a list made by qemu_opts_append(). */
void qemu_opts_free(QemuOptsList *list);
/*
 * Return a list with the descriptions of @dst followed by those of
 * @list not already present; @dst (NULL or from an earlier call) is
 * reallocated.  The result has no QemuOpts yet.
 */
QemuOptsList *qemu_opts_append(QemuOptsList *dst, QemuOptsList *list);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuOpts, qemu_opts_del)

#endif /* QEMU_OPTION_H */
