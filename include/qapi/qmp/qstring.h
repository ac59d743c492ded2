/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qstring.h: immutable string QObject.
 */
#ifndef QAPI_QMP_QSTRING_H
#define QAPI_QMP_QSTRING_H

#include "qapi/qmp/qobject.h"

struct QString {
    struct QObjectBase_ base;
    const char *string;
};

QString *qstring_new(void);
QString *qstring_from_str(const char *str);
/* Bytes [start, end) of @str. */
QString *qstring_from_substr(const char *str, size_t start, size_t end);
/* Takes ownership of @gstr. */
QString *qstring_from_gstring(GString *gstr);
const char *qstring_get_str(const QString *qstring);
/* The string if @qstring is a QString, else NULL. */
const char *qstring_get_try_str(const QString *qstring);
const char *qobject_get_try_str(const QObject *qstring);
bool qstring_is_equal(const QObject *x, const QObject *y);
void qstring_destroy_obj(QObject *obj);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QString, qobject_unref_ptr)

#endif /* QAPI_QMP_QSTRING_H */
