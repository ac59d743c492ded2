/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/blkdebug-config.c: where blkdebug rules come from.
 *
 * Rules are described as QemuOpts in two groups, "inject-error" and
 * "set-state".  They are filled from the config file (QEMU's format:
 * "[group]" or [group "id"] headers, key = "value" lines, '#' comments;
 * util/ has no reader for it) and from the node's options
 * (inject-error.N.key / set-state.N.key).  block/blkdebug.c turns them
 * into rules and resets the groups.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qemu/option.h"
#include "block/qdict.h"
#include "blkdebug.h"

QemuOptsList blkdebug_inject_error_opts = {
    .name = "inject-error",
    .head = QTAILQ_HEAD_INITIALIZER(blkdebug_inject_error_opts.head),
    .desc = {
        { .name = "event", .type = QEMU_OPT_STRING },
        { .name = "state", .type = QEMU_OPT_NUMBER },
        { .name = "iotype", .type = QEMU_OPT_STRING },
        { .name = "errno", .type = QEMU_OPT_NUMBER },
        { .name = "sector", .type = QEMU_OPT_NUMBER },
        { .name = "once", .type = QEMU_OPT_BOOL },
        { .name = "immediately", .type = QEMU_OPT_BOOL },
        { /* end of list */ }
    },
};

QemuOptsList blkdebug_set_state_opts = {
    .name = "set-state",
    .head = QTAILQ_HEAD_INITIALIZER(blkdebug_set_state_opts.head),
    .desc = {
        { .name = "event", .type = QEMU_OPT_STRING },
        { .name = "state", .type = QEMU_OPT_NUMBER },
        { .name = "new_state", .type = QEMU_OPT_NUMBER },
        { /* end of list */ }
    },
};

static QemuOptsList *const config_groups[] = {
    &blkdebug_inject_error_opts,
    &blkdebug_set_state_opts,
    NULL
};

static QemuOptsList *blkdebug_find_group(const char *group, Error **errp)
{
    int i;

    for (i = 0; config_groups[i]; i++) {
        if (!strcmp(config_groups[i]->name, group)) {
            return config_groups[i];
        }
    }
    error_setg(errp, "There is no option group '%s'", group);
    return NULL;
}

#define CONFIG_BLANKS " \t\n\v\f\r"

/*
 * Split a line that is not a group header into @key (its first word, at
 * most 63 characters) and @value (the text between the quotes of
 * 'key = "value"').  Any other shape leaves the value empty, which is what
 * QEMU 7.2 does too: 'event=x' names a parameter 'event=x', 'a b' sets
 * 'a' to "".  False if the line holds no word at all.
 */
static bool blkdebug_split_line(const char *line, char *key, char *value,
                                size_t value_size)
{
    const char *p = line + strspn(line, CONFIG_BLANKS);
    size_t len = MIN(strcspn(p, CONFIG_BLANKS), 63);

    if (!len) {
        return false;
    }
    memcpy(key, p, len);
    key[len] = '\0';
    value[0] = '\0';

    p += len;
    p += strspn(p, CONFIG_BLANKS);
    if (*p != '=') {
        return true;
    }
    p++;
    p += strspn(p, CONFIG_BLANKS);
    if (*p != '"') {
        return true;
    }
    p++;
    /* Up to the closing quote, or to the end if there is none. */
    len = MIN(strcspn(p, "\""), value_size - 1);
    memcpy(value, p, len);
    value[len] = '\0';
    return true;
}

/*
 * Is @line a group header?  "[group "id"]" fills @group and @id,
 * "[group]" only @group (@id is then empty).  Headers start in the first
 * column; like QEMU, the closing characters are not checked.
 */
static bool blkdebug_parse_header(const char *line, char *group, char *id)
{
    size_t len;

    if (line[0] != '[') {
        return false;
    }
    id[0] = '\0';
    if (sscanf(line, "[%63s \"%63[^\"]\"]", group, id) == 2) {
        return true;
    }
    line++;
    len = MIN(strcspn(line, "]"), 63);
    if (!len) {
        return false;
    }
    memcpy(group, line, len);
    group[len] = '\0';
    return true;
}

/*
 * Read QEMU's config file format from @f: a "[group]" or [group "id"]
 * line starts a section, 'key = "value"' lines fill it, lines starting
 * with '#' and empty lines are skipped.  Every section becomes a QemuOpts
 * in the list of the same name.  Returns 0, or -EINVAL with @errp set,
 * with QEMU 7.2's messages (which do not name the line).
 */
static int blkdebug_config_parse(FILE *f, const char *fname, Error **errp)
{
    char line[1024], group[64], id[64], key[64], value[1024];
    QemuOptsList *list;
    QemuOpts *opts = NULL;

    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '\n' || line[0] == '#') {
            continue;
        }
        if (blkdebug_parse_header(line, group, id)) {
            list = blkdebug_find_group(group, errp);
            if (!list) {
                return -EINVAL;
            }
            opts = qemu_opts_create(list, id[0] ? id : NULL, !!id[0],
                                    errp);
            if (!opts) {
                return -EINVAL;
            }
            continue;
        }
        if (!blkdebug_split_line(line, key, value, sizeof(value))) {
            error_setg(errp, "parse error");
            return -EINVAL;
        }
        if (!opts) {
            error_setg(errp, "no group defined");
            return -EINVAL;
        }
        if (!qemu_opt_set(opts, key, value, errp)) {
            return -EINVAL;
        }
    }
    if (ferror(f)) {
        error_setg(errp, "Failed to read config file %s", fname);
        return -EIO;
    }
    return 0;
}

int blkdebug_read_config_file(const char *fname, Error **errp)
{
    FILE *f = fopen(fname, "r");
    int ret;

    if (!f) {
        error_setg_errno(errp, errno, "Could not read blkdebug config file");
        return -errno;
    }
    ret = blkdebug_config_parse(f, fname, errp);
    fclose(f);
    return ret;
}

/*
 * Turn the inject-error.N.* / set-state.N.* keys of @options into
 * QemuOpts of the matching group (the keys are consumed).
 */
/* Fill one QemuOpts of @group from @section, which must hold nothing else. */
static bool blkdebug_section_to_opts(QemuOptsList *group, unsigned index,
                                     QDict *section, Error **errp)
{
    g_autofree char *id = g_strdup_printf("%s.%u", group->name, index);
    QemuOpts *opts = qemu_opts_create(group, id, 1, errp);

    if (!opts) {
        return false;
    }
    if (!qemu_opts_absorb_qdict(opts, section, errp)) {
        qemu_opts_del(opts);
        return false;
    }
    if (qdict_size(section)) {
        error_setg(errp, "[%s] section doesn't support the option '%s'",
                   group->name, qdict_first(section)->key);
        qemu_opts_del(opts);
        return false;
    }
    return true;
}

/*
 * The "<group>." keys of @options hold either one section ("event",
 * "errno" ...) or a list of them ("0.event", "1.event" ...).  Like QEMU,
 * first try them as one section; if nothing fits, as a list.
 */
static bool blkdebug_options_group(QDict *options, QemuOptsList *group,
                                   Error **errp)
{
    g_autofree char *prefix = g_strdup_printf("%s.", group->name);
    g_autoptr(QDict) sub = NULL;
    g_autoptr(QList) list = NULL;
    QemuOpts *opts;
    QListEntry *e;
    size_t all, left;
    unsigned index = 0;

    qdict_extract_subqdict(options, &sub, prefix);
    all = qdict_size(sub);
    if (!all) {
        return true;
    }
    opts = qemu_opts_create(group, NULL, 0, &error_abort);
    if (!qemu_opts_absorb_qdict(opts, sub, errp)) {
        qemu_opts_del(opts);
        return false;
    }
    left = qdict_size(sub);
    if (!left) {
        return true;            /* a single section */
    }
    qemu_opts_del(opts);
    if (left < all) {
        error_setg(errp, "Unknown option '%s' for [%s]",
                   qdict_first(sub)->key, group->name);
        return false;
    }

    qdict_array_split(sub, &list);
    if (qdict_size(sub)) {
        error_setg(errp, "Unused option '%s' for [%s]",
                   qdict_first(sub)->key, group->name);
        return false;
    }
    QLIST_FOREACH_ENTRY(list, e) {
        QDict *section = qobject_to(QDict, qlist_entry_obj(e));

        if (!section) {
            error_setg(errp, "[%s] section (index %u) does not consist of "
                       "keys", group->name, index);
            return false;
        }
        if (!blkdebug_section_to_opts(group, index++, section, errp)) {
            return false;
        }
    }
    return true;
}

int blkdebug_options_to_groups(QDict *options, Error **errp)
{
    int i;

    for (i = 0; config_groups[i]; i++) {
        if (!blkdebug_options_group(options, config_groups[i], errp)) {
            return -EINVAL;
        }
    }
    return 0;
}
