/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * option_int.h: the QemuOpt and QemuOpts structures behind option.h,
 * for code that needs to walk them directly.
 */
#ifndef QEMU_OPTION_INT_H
#define QEMU_OPTION_INT_H

#include "qemu/option.h"

struct QemuOpt {
    char *name;
    char *str;                  /* the value as given */

    const QemuOptDesc *desc;    /* NULL if the list accepts anything */
    union {
        bool boolean;
        uint64_t uint;
    } value;                    /* parsed per desc->type */

    QemuOpts *opts;
    QTAILQ_ENTRY(QemuOpt) next;
};

struct QemuOpts {
    char *id;
    QemuOptsList *list;
    QTAILQ_HEAD(, QemuOpt) head;    /* in the order given */
    QTAILQ_ENTRY(QemuOpts) next;
};

#endif /* QEMU_OPTION_INT_H */
