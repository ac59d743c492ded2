/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * object_interfaces.h: a small registry of user-creatable objects.
 *
 * QEMU creates objects such as throttle groups from "--object
 * type,id=...,prop=..." through QOM.  This tree has no QOM; instead a
 * subsystem registers a UserCreatableType (a name and create/delete
 * callbacks) and the tools hand --object arguments to
 * user_creatable_process_cmdline().  Objects are named by their id, which
 * is unique across all types.  Properties reach the type's create callback
 * as a flat QDict of strings ("limits.bps-total" -> "1048576").
 *
 * All functions run in the main loop (they are not thread-safe).  Types are
 * registered from block_init() functions, so bdrv_init() must have run
 * before objects are created.
 */
#ifndef QOM_OBJECT_INTERFACES_H
#define QOM_OBJECT_INTERFACES_H

typedef struct UserCreatableType {
    const char *name;           /* the "qom-type" */
    /*
     * Build an object called @id from @props.  The callback removes every
     * key it understands from @props; keys left over are reported as
     * unknown properties and the object is deleted again.  Returns the
     * object, or NULL with @errp set.  This is the parsing step (QEMU's
     * QAPI visit): check values here, load nothing yet.
     */
    void *(*create)(const char *id, QDict *props, Error **errp);
    /*
     * Finish @obj once its id is checked and it is registered (QEMU's
     * user_creatable_complete), so it can already be found by its id.
     * False with @errp set makes the registry unregister and destroy it.
     * Optional.
     */
    bool (*complete)(void *obj, Error **errp);
    /* May @obj be deleted now?  If not, false with @errp set.  Optional. */
    bool (*can_delete)(void *obj, Error **errp);
    void (*destroy)(void *obj);
    /*
     * For "--object <type>,help": add one "name=<type>" string per
     * property to @lines (the registry sorts and prints them).  Optional.
     */
    void (*list_props)(GPtrArray *lines);
} UserCreatableType;

/* Make @type known (@type must stay valid for the program's lifetime). */
void user_creatable_register_type(const UserCreatableType *type);

/*
 * Create an object from @qdict, which holds "qom-type", "id" and the
 * properties, flat (dotted keys) or nested.  @qdict is not modified.
 * Errors use QEMU 7.2's wording: "Parameter 'qom-type' does not accept
 * value '%s'", "Parameter 'id' is missing", "Parameter 'id' expects an
 * identifier" (with a hint line), "attempt to add duplicate
 * property '%s' to object (type 'container')", "Parameter '%s' is
 * unexpected" (a property the type does not know).
 */
bool user_creatable_add_qdict(const QDict *qdict, Error **errp);

/* As user_creatable_add_qdict() on "type,id=...,key=value..." (keyval). */
bool user_creatable_add_from_str(const char *str, Error **errp);

/*
 * For the tools' --object: create the object or print the error and
 * exit(1), as QEMU does.  "help" lists the registered types and
 * "<type>,help" the properties of one (both then exit(0)).
 */
void user_creatable_process_cmdline(const char *cmdline);

/* The object of @type called @id, or NULL. */
void *user_creatable_find(const char *type, const char *id);

/* The type name of the object called @id, or NULL if there is none. */
const char *user_creatable_type_name(const char *id);

/*
 * Delete the object called @id.  False with @errp set if there is none
 * ("object '%s' not found") or its type refuses.
 */
bool user_creatable_del(const char *id, Error **errp);

/* Delete every object (at exit); refusals are ignored. */
void user_creatable_cleanup(void);

#endif /* QOM_OBJECT_INTERFACES_H */
