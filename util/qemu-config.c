/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-config.c: the registry of option groups behind config-file.h.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/config-file.h"
#include "qemu/error-report.h"
#include "qemu/option.h"

static GPtrArray *option_groups;

void qemu_add_opts(QemuOptsList *list)
{
    if (!option_groups) {
        option_groups = g_ptr_array_new();
    }
    assert(list->name && !qemu_find_opts_err(list->name, NULL));
    g_ptr_array_add(option_groups, list);
}

QemuOptsList *qemu_find_opts_err(const char *group, Error **errp)
{
    guint i;

    for (i = 0; option_groups && i < option_groups->len; i++) {
        QemuOptsList *list = g_ptr_array_index(option_groups, i);

        if (!strcmp(list->name, group)) {
            return list;
        }
    }
    error_setg(errp, "There is no option group '%s'", group);
    return NULL;
}

QemuOptsList *qemu_find_opts(const char *group)
{
    Error *err = NULL;
    QemuOptsList *list = qemu_find_opts_err(group, &err);

    if (!list) {
        error_report_err(err);
    }
    return list;
}

QemuOpts *qemu_find_opts_singleton(const char *group)
{
    QemuOptsList *list = qemu_find_opts(group);
    QemuOpts *opts;

    assert(list);
    opts = qemu_opts_find(list, NULL);
    if (!opts) {
        opts = qemu_opts_create(list, NULL, 0, &error_abort);
    }
    return opts;
}
