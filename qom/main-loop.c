/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qom/main-loop.c: the "main-loop" user-creatable object (--object
 * main-loop,id=ID,...), which tunes the main loop's AioContext: the
 * thread pool bounds and the linux-aio batch size as QEMU 7.2, plus the
 * busy-polling window (poll-max-ns, poll-grow, poll-shrink, named as on
 * QEMU's iothread objects; 7.2's main-loop object does not have them).
 * Properties a command line leaves out keep the context's current
 * values.  There can be only one such object.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/module.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "qom/object_interfaces.h"

typedef struct MainLoopObject {
    int64_t aio_max_batch;
    int64_t thread_pool_min;
    int64_t thread_pool_max;
    int64_t poll_max_ns;
    int64_t poll_grow;
    int64_t poll_shrink;
    bool applied;               /* complete() took the single slot */
} MainLoopObject;

static bool main_loop_object_exists;

/* The properties, in the order "main-loop,help" lists them. */
static const struct {
    const char *name;
    size_t offset;
} main_loop_props[] = {
    { "aio-max-batch", offsetof(MainLoopObject, aio_max_batch) },
    { "poll-grow", offsetof(MainLoopObject, poll_grow) },
    { "poll-max-ns", offsetof(MainLoopObject, poll_max_ns) },
    { "poll-shrink", offsetof(MainLoopObject, poll_shrink) },
    { "thread-pool-max", offsetof(MainLoopObject, thread_pool_max) },
    { "thread-pool-min", offsetof(MainLoopObject, thread_pool_min) },
};

/*
 * Take property @name from @props into *@value if it is there: a
 * non-negative 64-bit integer, given as a number or a string.
 */
static bool main_loop_take_prop(QDict *props, const char *name,
                                int64_t *value, Error **errp)
{
    QObject *obj = qdict_get(props, name);
    QString *str = qobject_to(QString, obj);
    QNum *num = qobject_to(QNum, obj);
    int64_t v;

    if (!obj) {
        return true;
    }
    if (!(num && qnum_get_try_int(num, &v)) &&
        !(str && !qemu_strtoi64(qstring_get_str(str), NULL, 10, &v))) {
        error_setg(errp, "Parameter '%s' expects integer", name);
        return false;
    }
    if (v < 0) {
        error_setg(errp, "%s value must be in range [0, %" PRId64 "]",
                   name, INT64_MAX);
        return false;
    }
    qdict_del(props, name);
    *value = v;
    return true;
}

static void *main_loop_obj_create(const char *id, QDict *props, Error **errp)
{
    AioContext *ctx = qemu_get_aio_context();
    g_autofree MainLoopObject *ml = g_new0(MainLoopObject, 1);
    size_t i;

    if (!ctx) {
        /* 7.2's tools that create objects before their main loop say so. */
        error_setg(errp, "qemu aio context not ready");
        return NULL;
    }
    ml->aio_max_batch = ctx->aio_max_batch;
    ml->thread_pool_min = ctx->thread_pool_min;
    ml->thread_pool_max = ctx->thread_pool_max;
    ml->poll_max_ns = ctx->poll_max_ns;
    ml->poll_grow = ctx->poll_grow;
    ml->poll_shrink = ctx->poll_shrink;
    for (i = 0; i < ARRAY_SIZE(main_loop_props); i++) {
        int64_t *field = (int64_t *)((char *)ml + main_loop_props[i].offset);

        if (!main_loop_take_prop(props, main_loop_props[i].name, field,
                                 errp)) {
            return NULL;
        }
    }
    return g_steal_pointer(&ml);
}

/* Apply the values once the id is accepted, so a refused object is inert. */
static bool main_loop_obj_complete(void *obj, Error **errp)
{
    MainLoopObject *ml = obj;
    AioContext *ctx = qemu_get_aio_context();
    Error *local_err = NULL;

    if (main_loop_object_exists) {
        error_setg(errp, "only one main-loop instance allowed");
        return false;
    }
    aio_context_set_thread_pool_params(ctx, ml->thread_pool_min,
                                       ml->thread_pool_max, &local_err);
    if (!local_err) {
        aio_context_set_poll_params(ctx, ml->poll_max_ns, ml->poll_grow,
                                    ml->poll_shrink, &local_err);
    }
    if (local_err) {
        error_propagate(errp, local_err);
        return false;
    }
    aio_context_set_aio_params(ctx, ml->aio_max_batch);
    main_loop_object_exists = true;
    ml->applied = true;
    return true;
}

static bool main_loop_obj_can_delete(void *obj, Error **errp)
{
    return true;
}

/* The context keeps the values: deleting the object does not undo them. */
static void main_loop_obj_destroy(void *obj)
{
    MainLoopObject *ml = obj;

    if (ml->applied) {
        main_loop_object_exists = false;
    }
    g_free(ml);
}

static void main_loop_obj_list_props(GPtrArray *lines)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(main_loop_props); i++) {
        g_ptr_array_add(lines, g_strdup_printf("%s=<int>",
                                               main_loop_props[i].name));
    }
}

static const UserCreatableType main_loop_type = {
    .name       = "main-loop",
    .create     = main_loop_obj_create,
    .complete   = main_loop_obj_complete,
    .can_delete = main_loop_obj_can_delete,
    .destroy    = main_loop_obj_destroy,
    .list_props = main_loop_obj_list_props,
};

static void main_loop_type_register(void)
{
    user_creatable_register_type(&main_loop_type);
}

block_init(main_loop_type_register);
