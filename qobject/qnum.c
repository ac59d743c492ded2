/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qnum.c: boxed numbers (int64, uint64 or double) and their exact
 * conversions and comparisons.
 */
#include "qemu/osdep.h"
#include "qapi/qmp/qnum.h"

static QNum *qnum_alloc(QNumKind kind)
{
    QNum *qn = g_new(QNum, 1);

    qobject_init(QOBJECT(qn), QTYPE_QNUM);
    qn->kind = kind;
    return qn;
}

QNum *qnum_from_int(int64_t value)
{
    QNum *qn = qnum_alloc(QNUM_I64);

    qn->u.i64 = value;
    return qn;
}

QNum *qnum_from_uint(uint64_t value)
{
    QNum *qn = qnum_alloc(QNUM_U64);

    qn->u.u64 = value;
    return qn;
}

QNum *qnum_from_double(double value)
{
    QNum *qn = qnum_alloc(QNUM_DOUBLE);

    qn->u.dbl = value;
    return qn;
}

bool qnum_get_try_int(const QNum *qn, int64_t *val)
{
    switch (qn->kind) {
    case QNUM_I64:
        *val = qn->u.i64;
        return true;
    case QNUM_U64:
        if (qn->u.u64 > INT64_MAX) {
            return false;
        }
        *val = qn->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    g_assert_not_reached();
}

int64_t qnum_get_int(const QNum *qn)
{
    int64_t val;
    bool ok = qnum_get_try_int(qn, &val);

    assert(ok);
    return val;
}

bool qnum_get_try_uint(const QNum *qn, uint64_t *val)
{
    switch (qn->kind) {
    case QNUM_I64:
        if (qn->u.i64 < 0) {
            return false;
        }
        *val = qn->u.i64;
        return true;
    case QNUM_U64:
        *val = qn->u.u64;
        return true;
    case QNUM_DOUBLE:
        return false;
    }
    g_assert_not_reached();
}

uint64_t qnum_get_uint(const QNum *qn)
{
    uint64_t val;
    bool ok = qnum_get_try_uint(qn, &val);

    assert(ok);
    return val;
}

double qnum_get_double(const QNum *qn)
{
    switch (qn->kind) {
    case QNUM_I64:
        return qn->u.i64;
    case QNUM_U64:
        return qn->u.u64;
    case QNUM_DOUBLE:
        return qn->u.dbl;
    }
    g_assert_not_reached();
}

char *qnum_to_string(QNum *qn)
{
    switch (qn->kind) {
    case QNUM_I64:
        return g_strdup_printf("%" PRId64, qn->u.i64);
    case QNUM_U64:
        return g_strdup_printf("%" PRIu64, qn->u.u64);
    case QNUM_DOUBLE: {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        /* locale-independent "%.17g": round-trips every double */
        return g_strdup(g_ascii_formatd(buf, sizeof(buf), "%.17g",
                                        qn->u.dbl));
    }
    }
    g_assert_not_reached();
}

/*
 * Integers compare by value whatever their kind (a negative int64 never
 * equals a uint64).  Doubles are never equal to integers, and compare as
 * doubles otherwise (so NaN is not equal to itself).
 */
bool qnum_is_equal(const QObject *x, const QObject *y)
{
    const QNum *a = qobject_to(QNum, x);
    const QNum *b = qobject_to(QNum, y);

    if ((a->kind == QNUM_DOUBLE) != (b->kind == QNUM_DOUBLE)) {
        return false;
    }
    if (a->kind == QNUM_DOUBLE) {
        return a->u.dbl == b->u.dbl;
    }
    if (a->kind == b->kind) {
        return a->u.u64 == b->u.u64;
    }
    /* one I64 and one U64: equal only for the same non-negative value */
    if (a->kind == QNUM_U64) {
        const QNum *t = a;
        a = b;
        b = t;
    }
    return a->u.i64 >= 0 && (uint64_t)a->u.i64 == b->u.u64;
}

void qnum_destroy_obj(QObject *obj)
{
    g_free(qobject_to(QNum, obj));
}
