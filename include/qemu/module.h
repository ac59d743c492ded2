/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * module.h: init functions registered at program start-up.
 *
 * block_init(fn) and friends queue @fn under a module type from an ELF
 * constructor, before main() runs; module_call_init(type) later runs every
 * function queued under that type, in registration order, exactly once.
 * Block drivers use it to call bdrv_register() without a central list.
 * There are no loadable modules: everything is linked in.
 */
#ifndef QEMU_MODULE_H
#define QEMU_MODULE_H

typedef enum {
    MODULE_INIT_MIGRATION,
    MODULE_INIT_BLOCK,
    MODULE_INIT_OPTS,
    MODULE_INIT_QOM,
    MODULE_INIT_TRACE,
    MODULE_INIT_XEN_BACKEND,
    MODULE_INIT_LIBQOS,
    MODULE_INIT_FUZZ_TARGET,
    MODULE_INIT_MAX
} module_init_type;

/*
 * Queue @fn under @type.  Called from constructors (see module_init()), so
 * it must not depend on anything that main() sets up.
 */
void register_module_init(void (*fn)(void), module_init_type type);

/*
 * Run, in registration order, every function queued under @type that has
 * not run yet.  Calling it again only runs functions queued since.
 * Main loop thread only.
 */
void module_call_init(module_init_type type);

#define module_init(function, type)                                     \
static void __attribute__((constructor)) do_qemu_init_ ## function(void) \
{                                                                       \
    register_module_init(function, type);                               \
}

#define block_init(function) module_init(function, MODULE_INIT_BLOCK)
#define opts_init(function) module_init(function, MODULE_INIT_OPTS)
#define type_init(function) module_init(function, MODULE_INIT_QOM)
#define trace_init(function) module_init(function, MODULE_INIT_TRACE)

#endif /* QEMU_MODULE_H */
