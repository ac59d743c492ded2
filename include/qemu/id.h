/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * id.h: identifiers as QemuOpts ids: a letter followed by letters,
 * digits, '-', '.' and '_'.
 */
#ifndef QEMU_ID_H
#define QEMU_ID_H

bool id_wellformed(const char *id);

#endif /* QEMU_ID_H */
