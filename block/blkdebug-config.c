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

/*
 * Split 'key = "value"' (surrounding blanks allowed) into @key and @value.
 * False if @line has any other shape or a part does not fit.
 */
static bool blkdebug_parse_assignment(const char *line, char *key,
                                      size_t key_size, char *value,
                                      size_t value_size)
{
    const char *p = line + strspn(line, " \t");
    size_t len = strcspn(p, " \t=\"\n");

    if (len == 0 || len >= key_size) {
        return false;
    }
    memcpy(key, p, len);
    key[len] = '\0';
    p += len;
    p += strspn(p, " \t");
    if (*p++ != '=') {
        return false;
    }
    p += strspn(p, " \t");
    if (*p++ != '"') {
        return false;
    }
    len = strcspn(p, "\"\n");
    if (p[len] != '"' || len >= value_size) {
        return false;
    }
    memcpy(value, p, len);
    value[len] = '\0';
    p += len + 1;
    return p[strspn(p, " \t\r\n")] == '\0';
}

/*
 * Read QEMU's config file format from @f: "[group]" or [group "id"]
 * starts a section, 'key = "value"' lines fill it, '#' lines and blank
 * lines are skipped.  Every section becomes a QemuOpts in the list of the
 * same name.  Returns 0, or -EINVAL with @errp set (naming @fname:line).
 */
static int blkdebug_config_parse(FILE *f, const char *fname, Error **errp)
{
    char line[1024], group[64], id[64], key[64], value[1024];
    QemuOptsList *list;
    QemuOpts *opts = NULL;
    int lineno = 0;

    while (fgets(line, sizeof(line), f)) {
        lineno++;
        if (line[0] == '\n' || line[0] == '#' ||
            sscanf(line, " %63s", key) != 1 || key[0] == '#') {
            continue;
        }
        if (sscanf(line, " [%63s \"%63[^\"]\"]", group, id) == 2) {
            list = blkdebug_find_group(group, errp);
            if (!list) {
                return -EINVAL;
            }
            opts = qemu_opts_create(list, id, 1, errp);
            if (!opts) {
                return -EINVAL;
            }
            continue;
        }
        if (sscanf(line, " [%63[^]]]", group) == 1) {
            list = blkdebug_find_group(group, errp);
            if (!list) {
                return -EINVAL;
            }
            opts = qemu_opts_create(list, NULL, 0, &error_abort);
            continue;
        }
        if (blkdebug_parse_assignment(line, key, sizeof(key), value,
                                      sizeof(value))) {
            if (!opts) {
                error_setg(errp, "%s:%d: no group defined", fname, lineno);
                return -EINVAL;
            }
            if (!qemu_opt_set(opts, key, value, errp)) {
                return -EINVAL;
            }
            continue;
        }
        error_setg(errp, "%s:%d: parse error", fname, lineno);
        return -EINVAL;
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
int blkdebug_options_to_groups(QDict *options, Error **errp)
{
    int i;

    for (i = 0; config_groups[i]; i++) {
        g_autofree char *prefix = g_strdup_printf("%s.",
                                                  config_groups[i]->name);
        QDict *sub = NULL;
        QList *list = NULL;
        QListEntry *e;
        int ret = 0;

        qdict_extract_subqdict(options, &sub, prefix);
        qdict_array_split(sub, &list);
        if (qdict_size(sub)) {
            error_setg(errp, "Invalid option list for %s",
                       config_groups[i]->name);
            ret = -EINVAL;
        }
        QLIST_FOREACH_ENTRY(list, e) {
            QDict *section = qobject_to(QDict, qlist_entry_obj(e));
            QemuOpts *opts;

            if (ret || !section) {
                ret = -EINVAL;
                break;
            }
            opts = qemu_opts_create(config_groups[i], NULL, 0,
                                    &error_abort);
            if (!qemu_opts_absorb_qdict(opts, section, errp)) {
                ret = -EINVAL;
                break;
            }
            if (qdict_size(section)) {
                error_setg(errp, "Invalid parameter '%s'",
                           qdict_first(section)->key);
                ret = -EINVAL;
                break;
            }
        }
        qobject_unref(sub);
        qobject_unref(list);
        if (ret) {
            return ret;
        }
    }
    return 0;
}
