/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qstring.c: immutable strings.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/qstring.h"

QString *qstring_new(void)
{
    return qstring_from_str("");
}

QString *qstring_from_substr(const char *str, size_t start, size_t end)
{
    QString *qs = g_new(QString, 1);

    assert(start <= end);
    qobject_init(QOBJECT(qs), QTYPE_QSTRING);
    qs->string = g_strndup(str + start, end - start);
    return qs;
}

QString *qstring_from_str(const char *str)
{
    return qstring_from_substr(str, 0, strlen(str));
}

QString *qstring_from_gstring(GString *gstr)
{
    QString *qs = g_new(QString, 1);

    qobject_init(QOBJECT(qs), QTYPE_QSTRING);
    qs->string = g_string_free(gstr, false);
    return qs;
}

const char *qstring_get_str(const QString *qstring)
{
    return qstring->string;
}

const char *qstring_get_try_str(const QString *qstring)
{
    return qstring ? qstring_get_str(qstring) : NULL;
}

const char *qobject_get_try_str(const QObject *qstring)
{
    return qstring_get_try_str(qobject_to(QString, qstring));
}

bool qstring_is_equal(const QObject *x, const QObject *y)
{
    return !strcmp(qobject_to(QString, x)->string,
                   qobject_to(QString, y)->string);
}

void qstring_destroy_obj(QObject *obj)
{
    QString *qs = qobject_to(QString, obj);

    g_free((char *)qs->string);
    g_free(qs);
}
