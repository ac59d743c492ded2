/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * open-opts.c: the runtime options every node has, and how children
 * inherit options from their parents.
 *
 * node-name, driver, discard, cache.direct, cache.no-flush, read-only,
 * auto-read-only, detect-zeroes and force-share are parsed from a table
 * here rather than through QemuOpts.  Values may be typed (QBool) or
 * strings ("on"/"off"), as they come from -blockdev/json: or from -drive
 * style command lines.  Used by open.c and reopen.c.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "block/qdict.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"

/* --- Runtime options common to all nodes ------------------------------ */

static const char *const runtime_opt_names[] = {
    "node-name",
    "driver",
    BDRV_OPT_DISCARD,
    BDRV_OPT_CACHE_DIRECT,
    BDRV_OPT_CACHE_NO_FLUSH,
    BDRV_OPT_READ_ONLY,
    BDRV_OPT_AUTO_READ_ONLY,
    "detect-zeroes",
    BDRV_OPT_FORCE_SHARE,
};

/* Move the runtime options out of @options into a new dict. */
QDict *bdrv_runtime_opts_extract(QDict *options)
{
    QDict *rt = qdict_new();
    size_t i;

    for (i = 0; i < ARRAY_SIZE(runtime_opt_names); i++) {
        QObject *v = qdict_get(options, runtime_opt_names[i]);

        if (v) {
            qdict_put_obj(rt, runtime_opt_names[i], qobject_ref(v));
            qdict_del(options, runtime_opt_names[i]);
        }
    }
    return rt;
}

/* Boolean option @key of @rt (absent: @def); false with @errp if bad. */
bool bdrv_opt_get_bool(QDict *rt, const char *key, bool def, bool *out,
                       Error **errp)
{
    QObject *v = qdict_get(rt, key);
    QString *qs;
    const char *s;

    *out = def;
    if (!v) {
        return true;
    }
    if (qobject_type(v) == QTYPE_QBOOL) {
        *out = qbool_get_bool(qobject_to(QBool, v));
        return true;
    }
    qs = qobject_to(QString, v);
    if (!qs) {
        error_setg(errp, QERR_INVALID_PARAMETER_TYPE, key, "boolean");
        return false;
    }
    s = qstring_get_str(qs);
    if (!strcmp(s, "on") || !strcmp(s, "yes") || !strcmp(s, "true") ||
        !strcmp(s, "y")) {
        *out = true;
    } else if (!strcmp(s, "off") || !strcmp(s, "no") ||
               !strcmp(s, "false") || !strcmp(s, "n")) {
        *out = false;
    } else {
        error_setg(errp, QERR_INVALID_PARAMETER_VALUE, key, "'on' or 'off'");
        return false;
    }
    return true;
}

/* String option @key of @rt, or NULL if absent; false if not a string. */
bool bdrv_opt_get_str(QDict *rt, const char *key, const char **out,
                      Error **errp)
{
    QObject *v = qdict_get(rt, key);

    *out = NULL;
    if (v) {
        if (qobject_type(v) != QTYPE_QSTRING) {
            error_setg(errp, QERR_INVALID_PARAMETER_TYPE, key, "string");
            return false;
        }
        *out = qstring_get_str(qobject_to(QString, v));
    }
    return true;
}

/* cache.direct, cache.no-flush, read-only and auto-read-only. */
bool bdrv_opts_update_flags(QDict *rt, int *flags, Error **errp)
{
    bool direct, no_flush, read_only, auto_ro;

    if (!bdrv_opt_get_bool(rt, BDRV_OPT_CACHE_DIRECT, false, &direct,
                           errp) ||
        !bdrv_opt_get_bool(rt, BDRV_OPT_CACHE_NO_FLUSH, false, &no_flush,
                           errp) ||
        !bdrv_opt_get_bool(rt, BDRV_OPT_READ_ONLY, false, &read_only,
                           errp) ||
        !bdrv_opt_get_bool(rt, BDRV_OPT_AUTO_READ_ONLY, false, &auto_ro,
                           errp)) {
        return false;
    }
    *flags &= ~(BDRV_O_CACHE_MASK | BDRV_O_RDWR | BDRV_O_AUTO_RDONLY);
    *flags |= (direct ? BDRV_O_NOCACHE : 0) |
              (no_flush ? BDRV_O_NO_FLUSH : 0) |
              (read_only ? 0 : BDRV_O_RDWR) |
              (auto_ro ? BDRV_O_AUTO_RDONLY : 0);
    return true;
}

int bdrv_parse_discard_flags(const char *mode, int *flags)
{
    if (!strcmp(mode, "off") || !strcmp(mode, "ignore")) {
        *flags &= ~BDRV_O_UNMAP;
    } else if (!strcmp(mode, "on") || !strcmp(mode, "unmap")) {
        *flags |= BDRV_O_UNMAP;
    } else {
        return -1;
    }
    return 0;
}

int bdrv_parse_cache_mode(const char *mode, int *flags, bool *writethrough)
{
    static const struct {
        const char *name;
        int flags;
        bool writethrough;
    } modes[] = {
        { "off",          BDRV_O_NOCACHE,   false },
        { "none",         BDRV_O_NOCACHE,   false },
        { "directsync",   BDRV_O_NOCACHE,   true },
        { "writeback",    0,                false },
        { "unsafe",       BDRV_O_NO_FLUSH,  false },
        { "writethrough", 0,                true },
    };

    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        if (!strcmp(mode, modes[i].name)) {
            *flags = (*flags & ~BDRV_O_CACHE_MASK) | modes[i].flags;
            *writethrough = modes[i].writethrough;
            return 0;
        }
    }
    return -1;
}

int bdrv_parse_aio(const char *mode, int *flags)
{
    if (!strcmp(mode, "native")) {
        *flags |= BDRV_O_NATIVE_AIO;
    } else if (!strcmp(mode, "io_uring")) {
        *flags |= BDRV_O_IO_URING;
    } else if (strcmp(mode, "threads")) {
        return -1;
    }
    return 0;
}

bool bdrv_opt_get_detect_zeroes(QDict *rt, int flags,
                                BlockdevDetectZeroesOptions *out,
                                Error **errp)
{
    static const char *const names[] = {
        [BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF] = "off",
        [BLOCKDEV_DETECT_ZEROES_OPTIONS_ON] = "on",
        [BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP] = "unmap",
    };
    const char *value;
    size_t i;

    *out = BLOCKDEV_DETECT_ZEROES_OPTIONS_OFF;
    if (!bdrv_opt_get_str(rt, "detect-zeroes", &value, errp)) {
        return false;
    }
    if (!value) {
        return true;
    }
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(value, names[i])) {
            break;
        }
    }
    if (i == ARRAY_SIZE(names)) {
        error_setg(errp, "invalid parameter value: %s", value);
        return false;
    }
    if (i == BLOCKDEV_DETECT_ZEROES_OPTIONS_UNMAP && !(flags & BDRV_O_UNMAP)) {
        error_setg(errp, "setting detect-zeroes to unmap is not allowed "
                   "without setting discard operation to unmap");
        return false;
    }
    *out = i;
    return true;
}

void bdrv_flags_from_options(QDict *options, int *flags)
{
    g_autoptr(QDict) copy = qdict_clone_shallow(options);
    g_autoptr(QDict) rt = bdrv_runtime_opts_extract(copy);

    /* Bad values are reported when the options are really used. */
    bdrv_opts_update_flags(rt, flags, NULL);
}

int bdrv_parse_common_reopen_opts(QDict *options, int *flags,
                                  BlockdevDetectZeroesOptions *detect_zeroes,
                                  Error **errp)
{
    g_autoptr(QDict) rt = bdrv_runtime_opts_extract(options);
    static const char *const fixed[] = {
        "node-name", "driver", BDRV_OPT_DISCARD, BDRV_OPT_FORCE_SHARE,
    };
    size_t i;

    if (!bdrv_opts_update_flags(rt, flags, errp) ||
        !bdrv_opt_get_detect_zeroes(rt, *flags, detect_zeroes, errp)) {
        return -EINVAL;
    }
    /* The others cannot change: the caller compares them with the old. */
    for (i = 0; i < ARRAY_SIZE(fixed); i++) {
        QObject *v = qdict_get(rt, fixed[i]);

        if (v) {
            qdict_put_obj(options, fixed[i], qobject_ref(v));
        }
    }
    return 0;
}

/* Make the flag-derived options explicit where @options leaves them out. */
void bdrv_update_options_from_flags(QDict *options, int flags)
{
    if (!qdict_haskey(options, BDRV_OPT_CACHE_DIRECT)) {
        qdict_put_bool(options, BDRV_OPT_CACHE_DIRECT,
                       flags & BDRV_O_NOCACHE);
    }
    if (!qdict_haskey(options, BDRV_OPT_CACHE_NO_FLUSH)) {
        qdict_put_bool(options, BDRV_OPT_CACHE_NO_FLUSH,
                       flags & BDRV_O_NO_FLUSH);
    }
    if (!qdict_haskey(options, BDRV_OPT_READ_ONLY)) {
        qdict_put_bool(options, BDRV_OPT_READ_ONLY, !(flags & BDRV_O_RDWR));
    }
    if (!qdict_haskey(options, BDRV_OPT_AUTO_READ_ONLY)) {
        qdict_put_bool(options, BDRV_OPT_AUTO_READ_ONLY,
                       flags & BDRV_O_AUTO_RDONLY);
    }
}

/* --- Inheritance ------------------------------------------------------ */

void bdrv_inherited_options(BdrvChildRole role, bool parent_is_format,
                            int *child_flags, QDict *child_options,
                            int parent_flags, QDict *parent_options)
{
    int flags = parent_flags;

    /*
     * Below a format, the image file is a protocol node; backing files are
     * images again, probed like the top.  Filters pass through whatever
     * they got.
     */
    if (role & BDRV_CHILD_COW) {
        flags &= ~BDRV_O_PROTOCOL;
    } else if (parent_is_format) {
        flags |= BDRV_O_PROTOCOL;
    } else if ((role & BDRV_CHILD_DATA) &&
               !(role & (BDRV_CHILD_METADATA | BDRV_CHILD_FILTERED))) {
        /*
         * Plain data children of a non-format (blkverify's "test") are
         * images: probe them, as QEMU does.
         */
        flags &= ~BDRV_O_PROTOCOL;
    }

    /* Cache and sharing settings follow the parent unless given. */
    qdict_copy_default(child_options, parent_options, BDRV_OPT_CACHE_DIRECT);
    qdict_copy_default(child_options, parent_options,
                       BDRV_OPT_CACHE_NO_FLUSH);
    qdict_copy_default(child_options, parent_options, BDRV_OPT_FORCE_SHARE);

    if (role & BDRV_CHILD_COW) {
        /* Backing files are read-only unless asked otherwise. */
        qdict_set_default_str(child_options, BDRV_OPT_READ_ONLY, "on");
        qdict_set_default_str(child_options, BDRV_OPT_AUTO_READ_ONLY, "off");
    } else {
        qdict_copy_default(child_options, parent_options, BDRV_OPT_READ_ONLY);
        qdict_copy_default(child_options, parent_options,
                           BDRV_OPT_AUTO_READ_ONLY);
    }

    /* The parent decides what to pass down; lower layers just obey. */
    qdict_set_default_str(child_options, BDRV_OPT_DISCARD, "unmap");

    /* These only make sense for the top node. */
    flags &= ~(BDRV_O_SNAPSHOT | BDRV_O_NO_BACKING | BDRV_O_COPY_ON_READ);
    if (role & BDRV_CHILD_METADATA) {
        flags &= ~BDRV_O_NO_IO;
    }
    if (role & BDRV_CHILD_COW) {
        flags &= ~BDRV_O_TEMPORARY;
    }
    *child_flags = flags;
}
