/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qobject.h: the reference-counted base of QEMU's dynamic values.
 *
 * Every QObject type (QNull, QNum, QString, QDict, QList, QBool) starts
 * with a struct QObjectBase_ holding its type and reference count.
 * QOBJECT() converts any of them to a QObject *, qobject_to() converts
 * back with a type check (NULL on mismatch).  qobject_ref() takes a
 * reference, qobject_unref() drops one and frees the object on the last.
 * Reference counting is not thread-safe.
 */
#ifndef QAPI_QMP_QOBJECT_H
#define QAPI_QMP_QOBJECT_H

#ifndef QAPI_QTYPE_DEFINED
#define QAPI_QTYPE_DEFINED
typedef enum QType {
    QTYPE_NONE,
    QTYPE_QNULL,
    QTYPE_QNUM,
    QTYPE_QSTRING,
    QTYPE_QDICT,
    QTYPE_QLIST,
    QTYPE_QBOOL,
    QTYPE__MAX,
} QType;
#endif

/* Name of a QType as QAPI spells it: "null", "number", "str", ... */
const char *qtype_name(QType type);

struct QObjectBase_ {
    QType type;
    size_t refcnt;
};

/* Only for the use of qobject_to() and the QOBJECT() macro. */
struct QObject {
    struct QObjectBase_ base;
};

/* Map a type name to its QType for qobject_to(). */
#define QTYPE_CAST_TO_QNull     QTYPE_QNULL
#define QTYPE_CAST_TO_QNum      QTYPE_QNUM
#define QTYPE_CAST_TO_QString   QTYPE_QSTRING
#define QTYPE_CAST_TO_QDict     QTYPE_QDICT
#define QTYPE_CAST_TO_QList     QTYPE_QLIST
#define QTYPE_CAST_TO_QBool     QTYPE_QBOOL

QEMU_BUILD_BUG_MSG(QTYPE__MAX != 7,
                   "The QTYPE_CAST_TO_* list needs to be extended");

/* Any QObject subtype (or NULL) as a QObject * (NULL stays NULL). */
#define QOBJECT_INTERNAL(obj, _obj) ({                          \
    typeof(obj) _obj = (obj);                                   \
    _obj ? container_of(&_obj->base, QObject, base) : NULL;     \
})
#define QOBJECT(obj) QOBJECT_INTERNAL((obj), glue(_qobj_, __COUNTER__))

/* Initialise the common header of a freshly allocated object. */
static inline void qobject_init(QObject *obj, QType type)
{
    assert(QTYPE_NONE < type && type < QTYPE__MAX);
    obj->base.refcnt = 1;
    obj->base.type = type;
}

static inline void qobject_ref_impl(QObject *obj)
{
    if (obj) {
        obj->base.refcnt++;
    }
}

/* Free @obj; only for the last reference (use qobject_unref()). */
void qobject_destroy(QObject *obj);

static inline void qobject_unref_impl(QObject *obj)
{
    assert(!obj || obj->base.refcnt);
    if (obj && --obj->base.refcnt == 0) {
        qobject_destroy(obj);
    }
}

/* Take a reference; evaluates to @obj (which may be NULL). */
#define qobject_ref(obj) ({                     \
    typeof(obj) _o = (obj);                     \
    qobject_ref_impl(QOBJECT(_o));              \
    _o;                                         \
})

/* Drop a reference; NULL is ignored. */
#define qobject_unref(obj) qobject_unref_impl(QOBJECT(obj))

/*
 * Deep value comparison.  Integers compare by value whether stored as
 * int64 or uint64; doubles never equal integers (and NaN never equals
 * anything); dicts compare as unordered key/value sets.  Two NULL
 * pointers are equal; NULL never equals an object (not even QNull).
 */
bool qobject_is_equal(const QObject *x, const QObject *y);

static inline QType qobject_type(const QObject *obj)
{
    assert(QTYPE_NONE < obj->base.type && obj->base.type < QTYPE__MAX);
    return obj->base.type;
}

/* @obj if it is non-NULL and of @type, else NULL. */
static inline QObject *qobject_check_type(const QObject *obj, QType type)
{
    if (obj && qobject_type(obj) == type) {
        return (QObject *)obj;
    }
    return NULL;
}

#define qobject_to(type, obj) \
    ((type *)qobject_check_type(obj, glue(QTYPE_CAST_TO_, type)))

/*
 * Drop a reference given any QObject subtype pointer (the header is the
 * first member of each); the g_autoptr() cleanup of every QObject type.
 */
static inline void qobject_unref_ptr(void *obj)
{
    qobject_unref_impl((QObject *)obj);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QObject, qobject_unref_ptr)

#endif /* QAPI_QMP_QOBJECT_H */
