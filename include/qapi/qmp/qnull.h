/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qnull.h: the JSON null value, a statically allocated singleton.
 */
#ifndef QAPI_QMP_QNULL_H
#define QAPI_QMP_QNULL_H

#include "qapi/qmp/qobject.h"

struct QNull {
    struct QObjectBase_ base;
};

extern QNull qnull_;

/* A new reference to the null singleton. */
static inline QNull *qnull(void)
{
    return qobject_ref(&qnull_);
}

bool qnull_is_equal(const QObject *x, const QObject *y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QNull, qobject_unref_ptr)

#endif /* QAPI_QMP_QNULL_H */
