/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qnull.c: the null singleton.  It starts with one reference that is
 * never dropped, so it is never destroyed.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/qnull.h"

QNull qnull_ = {
    .base = {
        .type = QTYPE_QNULL,
        .refcnt = 1,
    },
};

bool qnull_is_equal(const QObject *x, const QObject *y)
{
    return true;
}
