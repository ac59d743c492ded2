/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qobject.c: type dispatch shared by all QObject types: destruction,
 * equality and type names.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"

static const char *const qtype_names[QTYPE__MAX] = {
    [QTYPE_NONE] = "none",
    [QTYPE_QNULL] = "null",
    [QTYPE_QNUM] = "number",
    [QTYPE_QSTRING] = "str",
    [QTYPE_QDICT] = "dict",
    [QTYPE_QLIST] = "list",
    [QTYPE_QBOOL] = "bool",
};

const char *qtype_name(QType type)
{
    assert(type >= 0 && type < QTYPE__MAX);
    return qtype_names[type];
}

void qobject_destroy(QObject *obj)
{
    assert(!obj->base.refcnt);

    switch (qobject_type(obj)) {
    case QTYPE_QNULL:
        /* the singleton is never freed; its count never reaches 0 */
        g_assert_not_reached();
    case QTYPE_QNUM:
        qnum_destroy_obj(obj);
        break;
    case QTYPE_QSTRING:
        qstring_destroy_obj(obj);
        break;
    case QTYPE_QDICT:
        qdict_destroy_obj(obj);
        break;
    case QTYPE_QLIST:
        qlist_destroy_obj(obj);
        break;
    case QTYPE_QBOOL:
        qbool_destroy_obj(obj);
        break;
    default:
        g_assert_not_reached();
    }
}

bool qobject_is_equal(const QObject *x, const QObject *y)
{
    /* no "x == y" shortcut: a NaN is not equal to itself */
    if (!x && !y) {
        return true;
    }
    if (!x || !y || qobject_type(x) != qobject_type(y)) {
        return false;
    }
    switch (qobject_type(x)) {
    case QTYPE_QNULL:
        return qnull_is_equal(x, y);
    case QTYPE_QNUM:
        return qnum_is_equal(x, y);
    case QTYPE_QSTRING:
        return qstring_is_equal(x, y);
    case QTYPE_QDICT:
        return qdict_is_equal(x, y);
    case QTYPE_QLIST:
        return qlist_is_equal(x, y);
    case QTYPE_QBOOL:
        return qbool_is_equal(x, y);
    default:
        g_assert_not_reached();
    }
}
