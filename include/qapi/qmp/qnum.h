/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qnum.h: boxed number QObject.
 *
 * A QNum holds an int64_t, a uint64_t or a double and remembers which.
 * The getters convert where the value is exactly representable:
 * qnum_get_try_int() succeeds for a u64 up to INT64_MAX, qnum_get_try_uint()
 * for a non-negative i64; qnum_get_double() accepts every kind.
 */
#ifndef QAPI_QMP_QNUM_H
#define QAPI_QMP_QNUM_H

#include "qapi/qmp/qobject.h"

typedef enum {
    QNUM_I64,
    QNUM_U64,
    QNUM_DOUBLE,
} QNumKind;

struct QNum {
    struct QObjectBase_ base;
    QNumKind kind;
    union {
        int64_t i64;
        uint64_t u64;
        double dbl;
    } u;
};

QNum *qnum_from_int(int64_t value);
QNum *qnum_from_uint(uint64_t value);
QNum *qnum_from_double(double value);

/* Return true and store the value if it fits the type; else false. */
bool qnum_get_try_int(const QNum *qn, int64_t *val);
bool qnum_get_try_uint(const QNum *qn, uint64_t *val);
/* As the _try_ forms, but assert the conversion succeeds. */
int64_t qnum_get_int(const QNum *qn);
uint64_t qnum_get_uint(const QNum *qn);
double qnum_get_double(const QNum *qn);

/* The value as JSON text ("%.17g" for doubles).  g_free() the result. */
char *qnum_to_string(QNum *qn);

bool qnum_is_equal(const QObject *x, const QObject *y);
void qnum_destroy_obj(QObject *obj);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(QNum, qobject_unref_ptr)

#endif /* QAPI_QMP_QNUM_H */
