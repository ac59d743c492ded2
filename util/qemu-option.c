/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-option.c: QemuOpts option lists (see include/qemu/option.h):
 * parsing "key=value,..." strings, typed getters and setters, conversion
 * to and from QDicts, help listings and printing.  The keyval parser is
 * in keyval.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/id.h"
#include "qemu/option_int.h"

bool id_wellformed(const char *id)
{
    const char *p;

    if (!g_ascii_isalpha(*id)) {
        return false;
    }
    for (p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

const char *get_opt_value(const char *p, char **value)
{
    GString *val = g_string_new(NULL);

    for (;;) {
        size_t len = strcspn(p, ",");

        g_string_append_len(val, p, len);
        p += len;
        if (p[0] != ',' || p[1] != ',') {
            break;
        }
        /* ",," is an escaped comma */
        g_string_append_c(val, ',');
        p += 2;
    }
    *value = g_string_free(val, false);
    return p;
}

/* QAPI's boolean spellings, reported as "'on' or 'off'" on error. */
static bool parse_option_bool(const char *name, const char *value, bool *ret,
                              Error **errp)
{
    static const char *const yes[] = { "on", "yes", "true", "y" };
    static const char *const no[] = { "off", "no", "false", "n" };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(value, yes[i])) {
            *ret = true;
            return true;
        }
        if (!strcmp(value, no[i])) {
            *ret = false;
            return true;
        }
    }
    error_setg(errp, QERR_INVALID_PARAMETER_VALUE, name, "'on' or 'off'");
    return false;
}

static bool parse_option_number(const char *name, const char *value,
                                uint64_t *ret, Error **errp)
{
    uint64_t number;
    int err = qemu_strtou64(value, NULL, 0, &number);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' out of range for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp, QERR_INVALID_PARAMETER_VALUE, name, "a number");
        return false;
    }
    *ret = number;
    return true;
}

bool parse_option_size(const char *name, const char *value,
                       uint64_t *ret, Error **errp)
{
    uint64_t size;
    int err = qemu_strtosz(value, NULL, &size);

    if (err == -ERANGE) {
        error_setg(errp, "Value '%s' is out of range for parameter '%s'",
                   value, name);
        return false;
    }
    if (err) {
        error_setg(errp, QERR_INVALID_PARAMETER_VALUE, name,
                   "a non-negative number below 2^64");
        error_append_hint(errp, "Optional suffix k, M, G, T, P or E means"
                          " kilo-, mega-, giga-, tera-, peta-\n"
                          "and exabytes, respectively.\n");
        return false;
    }
    *ret = size;
    return true;
}

static const QemuOptDesc *find_desc_by_name(const QemuOptDesc *desc,
                                            const char *name)
{
    for (; desc && desc->name; desc++) {
        if (!strcmp(desc->name, name)) {
            return desc;
        }
    }
    return NULL;
}

static bool opts_accepts_any(const QemuOptsList *list)
{
    return list->desc[0].name == NULL;
}

static const char *find_default_by_name(QemuOpts *opts, const char *name)
{
    const QemuOptDesc *desc = find_desc_by_name(opts->list->desc, name);

    return desc ? desc->def_value_str : NULL;
}

QemuOpt *qemu_opt_find(QemuOpts *opts, const char *name)
{
    QemuOpt *opt;

    /* the last occurrence wins */
    QTAILQ_FOREACH_REVERSE(opt, &opts->head, next) {
        if (!strcmp(opt->name, name)) {
            return opt;
        }
    }
    return NULL;
}

static void qemu_opt_del(QemuOpt *opt)
{
    QTAILQ_REMOVE(&opt->opts->head, opt, next);
    g_free(opt->name);
    g_free(opt->str);
    g_free(opt);
}

static void qemu_opt_del_all(QemuOpts *opts, const char *name)
{
    QemuOpt *opt, *next;

    QTAILQ_FOREACH_SAFE(opt, &opts->head, next, next) {
        if (!strcmp(opt->name, name)) {
            qemu_opt_del(opt);
        }
    }
}

const char *qemu_opt_get(QemuOpts *opts, const char *name)
{
    QemuOpt *opt;

    if (!opts) {
        return NULL;
    }
    opt = qemu_opt_find(opts, name);
    return opt ? opt->str : find_default_by_name(opts, name);
}

char *qemu_opt_get_del(QemuOpts *opts, const char *name)
{
    QemuOpt *opt;
    char *str;

    if (!opts) {
        return NULL;
    }
    opt = qemu_opt_find(opts, name);
    if (!opt) {
        return g_strdup(find_default_by_name(opts, name));
    }
    str = opt->str;
    opt->str = NULL;
    qemu_opt_del_all(opts, name);
    return str;
}

void qemu_opt_iter_init(QemuOptsIter *iter, QemuOpts *opts,
                        const char *name)
{
    iter->opts = opts;
    iter->opt = QTAILQ_FIRST(&opts->head);
    iter->name = name;
}

const char *qemu_opt_iter_next(QemuOptsIter *iter)
{
    QemuOpt *opt;

    while ((opt = iter->opt) != NULL) {
        iter->opt = QTAILQ_NEXT(opt, next);
        if (!strcmp(opt->name, iter->name)) {
            return opt->str;
        }
    }
    return NULL;
}

bool qemu_opt_has_help_opt(QemuOpts *opts)
{
    QemuOpt *opt;

    QTAILQ_FOREACH_REVERSE(opt, &opts->head, next) {
        if (is_help_option(opt->name)) {
            return true;
        }
    }
    return false;
}

/*
 * Shared body of the typed getters: the parsed value of the last
 * occurrence of @name, else its parsed default, else @defval.
 */
static uint64_t opt_get_typed(QemuOpts *opts, const char *name,
                              QemuOptType type, uint64_t defval, bool del)
{
    QemuOpt *opt;
    const char *def;
    uint64_t ret = defval;
    bool b;

    if (!opts) {
        return defval;
    }
    opt = qemu_opt_find(opts, name);
    if (!opt) {
        def = find_default_by_name(opts, name);
        if (!def) {
            return defval;
        }
        switch (type) {
        case QEMU_OPT_BOOL:
            parse_option_bool(name, def, &b, &error_abort);
            return b;
        case QEMU_OPT_NUMBER:
            parse_option_number(name, def, &ret, &error_abort);
            return ret;
        case QEMU_OPT_SIZE:
            parse_option_size(name, def, &ret, &error_abort);
            return ret;
        default:
            g_assert_not_reached();
        }
    }
    assert(opt->desc && opt->desc->type == type);
    ret = type == QEMU_OPT_BOOL ? opt->value.boolean : opt->value.uint;
    if (del) {
        qemu_opt_del_all(opts, name);
    }
    return ret;
}

bool qemu_opt_get_bool(QemuOpts *opts, const char *name, bool defval)
{
    return opt_get_typed(opts, name, QEMU_OPT_BOOL, defval, false);
}

uint64_t qemu_opt_get_number(QemuOpts *opts, const char *name,
                             uint64_t defval)
{
    return opt_get_typed(opts, name, QEMU_OPT_NUMBER, defval, false);
}

uint64_t qemu_opt_get_size(QemuOpts *opts, const char *name,
                           uint64_t defval)
{
    return opt_get_typed(opts, name, QEMU_OPT_SIZE, defval, false);
}

bool qemu_opt_get_bool_del(QemuOpts *opts, const char *name, bool defval)
{
    return opt_get_typed(opts, name, QEMU_OPT_BOOL, defval, true);
}

uint64_t qemu_opt_get_number_del(QemuOpts *opts, const char *name,
                                 uint64_t defval)
{
    return opt_get_typed(opts, name, QEMU_OPT_NUMBER, defval, true);
}

uint64_t qemu_opt_get_size_del(QemuOpts *opts, const char *name,
                               uint64_t defval)
{
    return opt_get_typed(opts, name, QEMU_OPT_SIZE, defval, true);
}

/* Parse opt->str according to opt->desc (nothing to do without one). */
static bool qemu_opt_parse(QemuOpt *opt, Error **errp)
{
    if (!opt->desc) {
        return true;
    }
    switch (opt->desc->type) {
    case QEMU_OPT_STRING:
        return true;
    case QEMU_OPT_BOOL:
        return parse_option_bool(opt->name, opt->str, &opt->value.boolean,
                                 errp);
    case QEMU_OPT_NUMBER:
        return parse_option_number(opt->name, opt->str, &opt->value.uint,
                                   errp);
    case QEMU_OPT_SIZE:
        return parse_option_size(opt->name, opt->str, &opt->value.uint,
                                 errp);
    }
    g_assert_not_reached();
}

int qemu_opt_unset(QemuOpts *opts, const char *name)
{
    QemuOpt *opt = qemu_opt_find(opts, name);

    assert(opts_accepts_any(opts->list));
    if (!opt) {
        return -1;
    }
    qemu_opt_del(opt);
    return 0;
}

/* Append a new occurrence; takes ownership of @value. */
static QemuOpt *opt_create(QemuOpts *opts, const char *name, char *value)
{
    QemuOpt *opt = g_new0(QemuOpt, 1);

    opt->name = g_strdup(name);
    opt->str = value;
    opt->opts = opts;
    QTAILQ_INSERT_TAIL(&opts->head, opt, next);
    return opt;
}

/* Look up the description of a new option and parse its value. */
static bool opt_validate(QemuOpt *opt, Error **errp)
{
    const QemuOptDesc *desc = find_desc_by_name(opt->opts->list->desc,
                                                opt->name);

    if (!desc && !opts_accepts_any(opt->opts->list)) {
        error_setg(errp, QERR_INVALID_PARAMETER, opt->name);
        return false;
    }
    opt->desc = desc;
    return qemu_opt_parse(opt, errp);
}

bool qemu_opt_set(QemuOpts *opts, const char *name, const char *value,
                  Error **errp)
{
    QemuOpt *opt = opt_create(opts, name, g_strdup(value));

    if (!opt_validate(opt, errp)) {
        qemu_opt_del(opt);
        return false;
    }
    return true;
}

/* Append an already-parsed option, checking that @name is accepted. */
static QemuOpt *opt_add_parsed(QemuOpts *opts, const char *name,
                               char *str, Error **errp)
{
    const QemuOptDesc *desc = find_desc_by_name(opts->list->desc, name);
    QemuOpt *opt;

    if (!desc && !opts_accepts_any(opts->list)) {
        error_setg(errp, QERR_INVALID_PARAMETER, name);
        g_free(str);
        return NULL;
    }
    opt = opt_create(opts, name, str);
    opt->desc = desc;
    return opt;
}

bool qemu_opt_set_bool(QemuOpts *opts, const char *name, bool val,
                       Error **errp)
{
    QemuOpt *opt = opt_add_parsed(opts, name, g_strdup(val ? "on" : "off"),
                                  errp);

    if (opt) {
        opt->value.boolean = val;
    }
    return opt != NULL;
}

bool qemu_opt_set_number(QemuOpts *opts, const char *name, int64_t val,
                         Error **errp)
{
    QemuOpt *opt = opt_add_parsed(opts, name,
                                  g_strdup_printf("%" PRId64, val), errp);

    if (opt) {
        opt->value.uint = val;
    }
    return opt != NULL;
}

int qemu_opt_foreach(QemuOpts *opts, qemu_opt_loopfunc func, void *opaque,
                     Error **errp)
{
    QemuOpt *opt;
    int rc;

    QTAILQ_FOREACH(opt, &opts->head, next) {
        rc = func(opaque, opt->name, opt->str, errp);
        if (rc) {
            return rc;
        }
        assert(!errp || !*errp);
    }
    return 0;
}

QemuOpts *qemu_opts_find(QemuOptsList *list, const char *id)
{
    QemuOpts *opts;

    QTAILQ_FOREACH(opts, &list->head, next) {
        if (!opts->id && !id) {
            return opts;
        }
        if (opts->id && id && !strcmp(opts->id, id)) {
            return opts;
        }
    }
    return NULL;
}

QemuOpts *qemu_opts_create(QemuOptsList *list, const char *id,
                           int fail_if_exists, Error **errp)
{
    QemuOpts *opts = NULL;

    if (id) {
        if (!id_wellformed(id)) {
            error_setg(errp, QERR_INVALID_PARAMETER_VALUE, "id",
                       "an identifier");
            error_append_hint(errp, "Identifiers consist of letters, digits,"
                              " '-', '.', '_', starting with a letter.\n");
            return NULL;
        }
        opts = qemu_opts_find(list, id);
        if (opts) {
            if (fail_if_exists) {
                error_setg(errp, "Duplicate ID '%s' for %s", id, list->name);
                return NULL;
            }
            return opts;
        }
    } else if (list->merge_lists) {
        opts = qemu_opts_find(list, NULL);
        if (opts) {
            return opts;
        }
    }
    opts = g_new0(QemuOpts, 1);
    opts->id = g_strdup(id);
    opts->list = list;
    QTAILQ_INIT(&opts->head);
    QTAILQ_INSERT_TAIL(&list->head, opts, next);
    return opts;
}

void qemu_opts_reset(QemuOptsList *list)
{
    QemuOpts *opts, *next;

    QTAILQ_FOREACH_SAFE(opts, &list->head, next, next) {
        qemu_opts_del(opts);
    }
}

bool qemu_opts_set(QemuOptsList *list, const char *name, const char *value,
                   Error **errp)
{
    QemuOpts *opts;

    assert(list->merge_lists);
    opts = qemu_opts_create(list, NULL, 0, &error_abort);
    return qemu_opt_set(opts, name, value, errp);
}

const char *qemu_opts_id(QemuOpts *opts)
{
    return opts->id;
}

void qemu_opts_set_id(QemuOpts *opts, char *id)
{
    g_free(opts->id);
    opts->id = id;
}

void qemu_opts_del(QemuOpts *opts)
{
    QemuOpt *opt;

    if (!opts) {
        return;
    }
    while ((opt = QTAILQ_FIRST(&opts->head)) != NULL) {
        qemu_opt_del(opt);
    }
    QTAILQ_REMOVE(&opts->list->head, opts, next);
    g_free(opts->id);
    g_free(opts);
}

/*
 * Split the next "name=value" or bare word off @params.  A bare word is
 * the value of @firstname if given, else a flag: "foo" means foo=on and
 * "nofoo" foo=off ("help"/"?" set *help_wanted when non-NULL).  With
 * @warn_on_flag, flags other than help are reported as deprecated.
 * Returns the position after the separating comma.
 */
static const char *get_opt_name_value(const char *params,
                                      const char *firstname,
                                      bool warn_on_flag, bool *help_wanted,
                                      char **name, char **value)
{
    size_t len = strcspn(params, "=,");
    const char *p;
    bool is_help = false;

    if (params[len] == '=') {
        *name = g_strndup(params, len);
        p = get_opt_value(params + len + 1, value);
    } else if (firstname) {
        *name = g_strdup(firstname);
        p = get_opt_value(params, value);
    } else {
        const char *prefix = "";

        *name = g_strndup(params, len);
        p = params + len;
        if (g_str_has_prefix(*name, "no")) {
            memmove(*name, *name + 2, strlen(*name + 2) + 1);
            *value = g_strdup("off");
            prefix = "no";
        } else {
            *value = g_strdup("on");
            is_help = is_help_option(*name);
        }
        if (!is_help && warn_on_flag) {
            warn_report("short-form boolean option '%s%s' deprecated",
                        prefix, *name);
            error_printf("Please use %s=%s instead\n", *name, *value);
        }
    }
    assert(!*p || *p == ',');
    if (help_wanted && is_help) {
        *help_wanted = true;
    }
    return *p == ',' ? p + 1 : p;
}

static bool opts_do_parse(QemuOpts *opts, const char *params,
                          const char *firstname, bool warn_on_flag,
                          bool *help_wanted, Error **errp)
{
    const char *p = params;

    while (*p) {
        char *name, *value;
        QemuOpt *opt;

        p = get_opt_name_value(p, firstname, warn_on_flag, help_wanted,
                               &name, &value);
        firstname = NULL;
        if (help_wanted && *help_wanted) {
            g_free(name);
            g_free(value);
            return false;
        }
        if (!strcmp(name, "id")) {
            /* handled by opts_parse_id() */
            g_free(name);
            g_free(value);
            continue;
        }
        opt = opt_create(opts, name, value);
        g_free(name);
        if (!opt_validate(opt, errp)) {
            qemu_opt_del(opt);
            return false;
        }
    }
    return true;
}

/* The value of the "id=" option in @params, or NULL. */
static char *opts_parse_id(const char *params)
{
    const char *p = params;

    while (*p) {
        char *name, *value;

        p = get_opt_name_value(p, NULL, false, NULL, &name, &value);
        if (!strcmp(name, "id")) {
            g_free(name);
            return value;
        }
        g_free(name);
        g_free(value);
    }
    return NULL;
}

bool has_help_option(const char *param)
{
    const char *p = param;
    bool help = false;

    while (*p && !help) {
        char *name, *value;

        p = get_opt_name_value(p, NULL, false, &help, &name, &value);
        g_free(name);
        g_free(value);
    }
    return help;
}

bool qemu_opts_do_parse(QemuOpts *opts, const char *params,
                        const char *firstname, Error **errp)
{
    return opts_do_parse(opts, params, firstname, false, NULL, errp);
}

static QemuOpts *opts_parse(QemuOptsList *list, const char *params,
                            bool permit_abbrev, bool warn_on_flag,
                            bool *help_wanted, Error **errp)
{
    const char *firstname;
    char *id = opts_parse_id(params);
    QemuOpts *opts;

    assert(!permit_abbrev || list->implied_opt_name);
    firstname = permit_abbrev ? list->implied_opt_name : NULL;

    opts = qemu_opts_create(list, id, !list->merge_lists, errp);
    g_free(id);
    if (!opts) {
        return NULL;
    }
    if (!opts_do_parse(opts, params, firstname, warn_on_flag, help_wanted,
                       errp)) {
        qemu_opts_del(opts);
        return NULL;
    }
    return opts;
}

QemuOpts *qemu_opts_parse(QemuOptsList *list, const char *params,
                          bool permit_abbrev, Error **errp)
{
    return opts_parse(list, params, permit_abbrev, false, NULL, errp);
}

QemuOpts *qemu_opts_parse_noisily(QemuOptsList *list, const char *params,
                                  bool permit_abbrev)
{
    Error *err = NULL;
    bool help_wanted = false;
    QemuOpts *opts;

    opts = opts_parse(list, params, permit_abbrev, true,
                      opts_accepts_any(list) ? NULL : &help_wanted, &err);
    if (!opts) {
        assert(!!err + !!help_wanted == 1);
        if (help_wanted) {
            qemu_opts_print_help(list, true);
        } else {
            error_report_err(err);
        }
    }
    return opts;
}

void qemu_opts_set_defaults(QemuOptsList *list, const char *params,
                            int permit_abbrev)
{
    QemuOpts *opts = opts_parse(list, params, permit_abbrev, true, NULL,
                                NULL);

    assert(opts);
}

/* Set one QDict entry on @opts; values other than str/num/bool are skipped. */
static bool opts_set_qdict_entry(QemuOpts *opts, const QDictEntry *entry,
                                 Error **errp)
{
    const char *key = qdict_entry_key(entry);
    QObject *obj = qdict_entry_value(entry);
    g_autofree char *tmp = NULL;
    const char *value;

    if (!strcmp(key, "id")) {
        return true;
    }
    switch (qobject_type(obj)) {
    case QTYPE_QSTRING:
        value = qstring_get_str(qobject_to(QString, obj));
        break;
    case QTYPE_QNUM:
        value = tmp = qnum_to_string(qobject_to(QNum, obj));
        break;
    case QTYPE_QBOOL:
        value = qbool_get_bool(qobject_to(QBool, obj)) ? "on" : "off";
        break;
    default:
        return true;
    }
    return qemu_opt_set(opts, key, value, errp);
}

QemuOpts *qemu_opts_from_qdict(QemuOptsList *list, const QDict *qdict,
                               Error **errp)
{
    QemuOpts *opts;
    const QDictEntry *e;

    opts = qemu_opts_create(list, qdict_get_try_str(qdict, "id"), 1, errp);
    if (!opts) {
        return NULL;
    }
    for (e = qdict_first(qdict); e; e = qdict_next(qdict, e)) {
        if (!opts_set_qdict_entry(opts, e, errp)) {
            qemu_opts_del(opts);
            return NULL;
        }
    }
    return opts;
}

bool qemu_opts_absorb_qdict(QemuOpts *opts, QDict *qdict, Error **errp)
{
    const QDictEntry *e, *next;

    for (e = qdict_first(qdict); e; e = next) {
        next = qdict_next(qdict, e);
        if (find_desc_by_name(opts->list->desc, qdict_entry_key(e))) {
            if (!opts_set_qdict_entry(opts, e, errp)) {
                return false;
            }
            qdict_del(qdict, qdict_entry_key(e));
        }
    }
    return true;
}

QDict *qemu_opts_to_qdict_filtered(QemuOpts *opts, QDict *qdict,
                                   QemuOptsList *list, bool del)
{
    QemuOpt *opt, *next;

    if (!qdict) {
        qdict = qdict_new();
    }
    if (opts->id) {
        qdict_put_str(qdict, "id", opts->id);
    }
    QTAILQ_FOREACH_SAFE(opt, &opts->head, next, next) {
        if (list && !find_desc_by_name(list->desc, opt->name)) {
            continue;
        }
        qdict_put_str(qdict, opt->name, opt->str);
        if (del) {
            qemu_opt_del(opt);
        }
    }
    return qdict;
}

QDict *qemu_opts_to_qdict(QemuOpts *opts, QDict *qdict)
{
    return qemu_opts_to_qdict_filtered(opts, qdict, NULL, false);
}

bool qemu_opts_validate(QemuOpts *opts, const QemuOptDesc *desc,
                        Error **errp)
{
    QemuOpt *opt;

    assert(opts_accepts_any(opts->list));
    QTAILQ_FOREACH(opt, &opts->head, next) {
        opt->desc = find_desc_by_name(desc, opt->name);
        if (!opt->desc) {
            error_setg(errp, QERR_INVALID_PARAMETER, opt->name);
            return false;
        }
        if (!qemu_opt_parse(opt, errp)) {
            return false;
        }
    }
    return true;
}

int qemu_opts_foreach(QemuOptsList *list, qemu_opts_loopfunc func,
                      void *opaque, Error **errp)
{
    QemuOpts *opts, *next;
    int rc = 0;

    QTAILQ_FOREACH_SAFE(opts, &list->head, next, next) {
        rc = func(opaque, opts, errp);
        if (rc) {
            break;
        }
        assert(!errp || !*errp);
    }
    return rc;
}

/* Print @value with commas doubled, as the parser expects them. */
static void escaped_print(const char *value)
{
    const char *p;

    for (p = value; *p; p++) {
        if (*p == ',') {
            putchar(',');
        }
        putchar(*p);
    }
}

void qemu_opts_print(QemuOpts *opts, const char *sep)
{
    const QemuOptDesc *desc = opts->list->desc;
    const char *cur_sep = "";
    QemuOpt *opt;

    if (opts->id) {
        printf("id=%s", opts->id);
        cur_sep = sep;
    }
    if (opts_accepts_any(opts->list)) {
        QTAILQ_FOREACH(opt, &opts->head, next) {
            printf("%s%s=", cur_sep, opt->name);
            escaped_print(opt->str);
            cur_sep = sep;
        }
        return;
    }
    for (; desc->name; desc++) {
        const char *value;

        opt = qemu_opt_find(opts, desc->name);
        value = opt ? opt->str : desc->def_value_str;
        if (!value) {
            continue;
        }
        if (desc->type == QEMU_OPT_STRING) {
            printf("%s%s=", cur_sep, desc->name);
            escaped_print(value);
        } else if ((desc->type == QEMU_OPT_SIZE ||
                    desc->type == QEMU_OPT_NUMBER) && opt) {
            printf("%s%s=%" PRId64, cur_sep, desc->name, opt->value.uint);
        } else {
            printf("%s%s=%s", cur_sep, desc->name, value);
        }
        cur_sep = sep;
    }
}

static const char *opt_type_to_string(QemuOptType type)
{
    switch (type) {
    case QEMU_OPT_STRING:
        return "str";
    case QEMU_OPT_BOOL:
        return "bool (on/off)";
    case QEMU_OPT_NUMBER:
        return "num";
    case QEMU_OPT_SIZE:
        return "size";
    }
    g_assert_not_reached();
}

static int compare_strings(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

void qemu_opts_print_help(QemuOptsList *list, bool print_caption)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    const QemuOptDesc *desc;
    guint i;

    for (desc = list->desc; desc->name; desc++) {
        GString *line = g_string_new(NULL);

        g_string_append_printf(line, "  %s=<%s>", desc->name,
                               opt_type_to_string(desc->type));
        if (desc->help) {
            /* help text starts in column 25 (or after a long prefix) */
            if (line->len < 24) {
                g_string_append_printf(line, "%*s", 24 - (int)line->len, "");
            }
            g_string_append_printf(line, " - %s", desc->help);
        }
        g_ptr_array_add(lines, g_string_free(line, false));
    }
    g_ptr_array_sort(lines, compare_strings);

    if (print_caption && lines->len > 0) {
        if (list->name) {
            printf("%s options:\n", list->name);
        } else {
            printf("Options:\n");
        }
    } else if (lines->len == 0) {
        if (list->name) {
            printf("There are no options for %s.\n", list->name);
        } else {
            printf("No options available.\n");
        }
    }
    for (i = 0; i < lines->len; i++) {
        printf("%s\n", (char *)g_ptr_array_index(lines, i));
    }
}

static size_t count_opts_list(const QemuOptsList *list)
{
    size_t n = 0;

    while (list && list->desc[n].name) {
        n++;
    }
    return n;
}

QemuOptsList *qemu_opts_append(QemuOptsList *dst, QemuOptsList *list)
{
    size_t n_dst, n_total;
    bool fresh = !dst;
    bool empty_head = fresh || QTAILQ_EMPTY(&dst->head);
    const QemuOptDesc *desc;

    if (!list) {
        return dst;
    }
    n_dst = count_opts_list(dst);
    n_total = n_dst + count_opts_list(list);
    dst = g_realloc(dst, sizeof(QemuOptsList) +
                         (n_total + 1) * sizeof(QemuOptDesc));
    if (fresh) {
        dst->name = NULL;
        dst->implied_opt_name = NULL;
        dst->merge_lists = false;
    }
    if (empty_head) {
        QTAILQ_INIT(&dst->head);
    }
    dst->desc[n_dst].name = NULL;

    for (desc = list->desc; desc->name; desc++) {
        if (!find_desc_by_name(dst->desc, desc->name)) {
            dst->desc[n_dst++] = *desc;
            dst->desc[n_dst].name = NULL;
        }
    }
    return dst;
}

void qemu_opts_free(QemuOptsList *list)
{
    g_free(list);
}
