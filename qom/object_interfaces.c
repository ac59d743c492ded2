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
#include "qemu/id.h"
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

/*
 * A key the type did not take, worded as 7.2's QAPI visitor does: an
 * unknown name is "Parameter 'name' is unexpected"; "a.b" where a is a
 * known scalar property (its list_props type is lower case: int, string)
 * is "Parameters 'a.*' are unexpected"; a key under a known struct
 * property (an upper-case type) is reported whole.
 */
static void report_unexpected(const UserCreatableType *type, const char *key,
                              Error **errp)
{
    g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func(g_free);
    size_t len = strcspn(key, ".");
    guint i;

    if (key[len] == '.' && type->list_props) {
        type->list_props(lines);
    }
    for (i = 0; i < lines->len; i++) {
        const char *line = g_ptr_array_index(lines, i);

        if (!strncmp(line, key, len) && !strncmp(line + len, "=<", 2)) {
            if (g_ascii_islower(line[len + 2])) {
                error_setg(errp, "Parameters '%.*s.*' are unexpected",
                           (int)len, key);
            } else {
                error_setg(errp, "Parameter '%s' is unexpected", key);
            }
            return;
        }
    }
    error_setg(errp, "Parameter '%.*s' is unexpected", (int)len, key);
}

/* May an object be called @id? */
static bool check_new_id(const char *id, Error **errp)
{
    if (!id_wellformed(id)) {
        error_setg(errp, "Parameter 'id' expects an identifier");
        error_append_hint(errp, "Identifiers consist of letters, digits, "
                          "'-', '.', '_', starting with a letter.\n");
        return false;
    }
    if (find_object(id)) {
        error_setg(errp, "attempt to add duplicate property '%s' to object "
                   "(type 'container')", id);
        return false;
    }
    return true;
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
    id_copy = g_strdup(id);
    qdict_del(props, "qom-type");
    qdict_del(props, "id");

    /*
     * 7.2's order is: property values, then the id, then completion.  A
     * type without a complete step does everything in create, so its id
     * is checked first (a duplicate must not reach create at all).
     */
    if (!type->complete && !check_new_id(id_copy, errp)) {
        return false;
    }
    obj = type->create(id_copy, props, errp);
    if (!obj) {
        return false;
    }
    if (qdict_size(props)) {
        report_unexpected(type, qdict_first(props)->key, errp);
        type->destroy(obj);
        return false;
    }
    if (type->complete && !check_new_id(id_copy, errp)) {
        type->destroy(obj);
        return false;
    }

    uo = g_new0(UserObject, 1);
    uo->id = g_steal_pointer(&id_copy);
    uo->type = type;
    uo->obj = obj;
    QTAILQ_INSERT_TAIL(&user_objects, uo, next);
    if (type->complete && !type->complete(obj, errp)) {
        QTAILQ_REMOVE(&user_objects, uo, next);
        type->destroy(obj);
        g_free(uo->id);
        g_free(uo);
        return false;
    }
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
    type = type_name ? find_type(type_name) : NULL;
    if (help && !type) {
        g_autoptr(GPtrArray) names = g_ptr_array_new();

        for (i = 0; user_types && i < user_types->len; i++) {
            const UserCreatableType *t = g_ptr_array_index(user_types, i);

            g_ptr_array_add(names, (gpointer)t->name);
        }
        g_ptr_array_sort(names, compare_strings);
        printf("List of user creatable objects:\n");
        for (i = 0; i < names->len; i++) {
            printf("  %s\n", (const char *)g_ptr_array_index(names, i));
        }
        exit(0);
    }
    if (help) {
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

const char *user_creatable_type_name(const char *id)
{
    UserObject *uo = find_object(id);

    return uo ? uo->type->name : NULL;
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
