/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qom/object_interfaces.c: the registry behind --object.
 *
 * Two lists: the registered types, and the objects created so far, in
 * creation order.  See include/qom/object_interfaces.h for the contract.
 * There is no QOM here: an object is an opaque pointer owned by its type.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"
#include "qemu/error-report.h"
#include "qemu/keyval.h"
#include "qemu/queue.h"
#include "block/qdict.h"
#include "qom/object_interfaces.h"

typedef struct UserObject {
    char *id;
    const UserCreatableType *type;
    void *obj;
    QTAILQ_ENTRY(UserObject) next;
} UserObject;

static GPtrArray *user_types;
static QTAILQ_HEAD(, UserObject) user_objects =
    QTAILQ_HEAD_INITIALIZER(user_objects);

void user_creatable_register_type(const UserCreatableType *type)
{
    if (!user_types) {
        user_types = g_ptr_array_new();
    }
    g_ptr_array_add(user_types, (gpointer)type);
}

static const UserCreatableType *find_type(const char *name)
{
    guint i;

    for (i = 0; user_types && i < user_types->len; i++) {
        const UserCreatableType *t = g_ptr_array_index(user_types, i);

        if (!strcmp(t->name, name)) {
            return t;
        }
    }
    return NULL;
}

static UserObject *find_object(const char *id)
{
    UserObject *uo;

    QTAILQ_FOREACH(uo, &user_objects, next) {
        if (!strcmp(uo->id, id)) {
            return uo;
        }
    }
    return NULL;
}

bool user_creatable_add_qdict(const QDict *qdict, Error **errp)
{
    g_autoptr(QDict) props = qdict_clone_shallow(qdict);
    const UserCreatableType *type;
    const char *type_name, *id;
    g_autofree char *id_copy = NULL;
    UserObject *uo;
    void *obj;

    qdict_flatten(props);
    type_name = qdict_get_try_str(props, "qom-type");
    if (!type_name) {
        error_setg(errp, "Parameter 'qom-type' is missing");
        return false;
    }
    type = find_type(type_name);
    if (!type) {
        error_setg(errp, "Parameter 'qom-type' does not accept value '%s'",
                   type_name);
        return false;
    }
    id = qdict_get_try_str(props, "id");
    if (!id) {
        error_setg(errp, "Parameter 'id' is missing");
        return false;
    }
    if (find_object(id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return false;
    }
    id_copy = g_strdup(id);
    qdict_del(props, "qom-type");
    qdict_del(props, "id");

    obj = type->create(id_copy, props, errp);
    if (!obj) {
        return false;
    }
    if (qdict_size(props)) {
        error_setg(errp, "Parameter '%s' is unexpected",
                   qdict_first(props)->key);
        type->destroy(obj);
        return false;
    }

    uo = g_new0(UserObject, 1);
    uo->id = g_steal_pointer(&id_copy);
    uo->type = type;
    uo->obj = obj;
    QTAILQ_INSERT_TAIL(&user_objects, uo, next);
    return true;
}

bool user_creatable_add_from_str(const char *str, Error **errp)
{
    g_autoptr(QDict) args = keyval_parse(str, "qom-type", NULL, errp);

    return args && user_creatable_add_qdict(args, errp);
}

static int compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "--object <type>,help": the type's properties, sorted. */
static void user_creatable_print_type_help(const UserCreatableType *type)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    guint i;

    if (type->list_props) {
        type->list_props(lines);
    }
    g_ptr_array_sort(lines, compare_strings);
    printf("%s options:\n", type->name);
    for (i = 0; i < lines->len; i++) {
        printf("  %s\n", (const char *)g_ptr_array_index(lines, i));
    }
}

void user_creatable_process_cmdline(const char *cmdline)
{
    g_autoptr(QDict) args = NULL;
    const UserCreatableType *type;
    const char *type_name;
    Error *err = NULL;
    bool help = false;
    guint i;

    args = keyval_parse(cmdline, "qom-type", &help, &err);
    if (!args) {
        error_report_err(err);
        exit(1);
    }
    type_name = qdict_get_try_str(args, "qom-type");
    if (help && !type_name) {
        printf("List of user creatable objects:\n");
        for (i = 0; user_types && i < user_types->len; i++) {
            const UserCreatableType *t = g_ptr_array_index(user_types, i);

            printf("  %s\n", t->name);
        }
        exit(0);
    }
    type = type_name ? find_type(type_name) : NULL;
    if (help && type) {
        user_creatable_print_type_help(type);
        exit(0);
    }
    if (!user_creatable_add_qdict(args, &err)) {
        error_report_err(err);
        exit(1);
    }
}

void *user_creatable_find(const char *type, const char *id)
{
    UserObject *uo = find_object(id);

    return uo && !strcmp(uo->type->name, type) ? uo->obj : NULL;
}

bool user_creatable_del(const char *id, Error **errp)
{
    UserObject *uo = find_object(id);

    if (!uo) {
        error_setg(errp, "object '%s' not found", id);
        return false;
    }
    if (uo->type->can_delete && !uo->type->can_delete(uo->obj, errp)) {
        return false;
    }
    QTAILQ_REMOVE(&user_objects, uo, next);
    uo->type->destroy(uo->obj);
    g_free(uo->id);
    g_free(uo);
    return true;
}

void user_creatable_cleanup(void)
{
    UserObject *uo, *next;

    QTAILQ_FOREACH_SAFE(uo, &user_objects, next, next) {
        user_creatable_del(uo->id, NULL);
    }
}
