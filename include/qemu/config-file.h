/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config-file.h: a registry of QemuOptsLists by name, so that option
 * groups ("drive", "object", ...) can be looked up from anywhere.
 * Not thread-safe: register lists at start-up.
 */
#ifndef QEMU_CONFIG_FILE_H
#define QEMU_CONFIG_FILE_H

/* Register @list under list->name; registering a name twice aborts. */
void qemu_add_opts(QemuOptsList *list);
/* The list named @group; reports "There is no option group '%s'". */
QemuOptsList *qemu_find_opts(const char *group);
QemuOptsList *qemu_find_opts_err(const char *group, Error **errp);
/* The single id-less QemuOpts of @group, created on first use. */
QemuOpts *qemu_find_opts_singleton(const char *group);

#endif /* QEMU_CONFIG_FILE_H */
