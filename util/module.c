/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * module.c: the start-up init function queues behind include/qemu/module.h.
 *
 * One singly linked queue per module type, filled by constructors and
 * drained by module_call_init().  Entries stay queued after they have run
 * (only a per-entry flag changes) so a later call can tell old from new.
 */
#include "qemu/osdep.h"
#include "qemu/module.h"
#include "qemu/queue.h"

typedef struct ModuleEntry {
    void (*init)(void);
    bool done;
    QSIMPLEQ_ENTRY(ModuleEntry) next;
} ModuleEntry;

typedef QSIMPLEQ_HEAD(, ModuleEntry) ModuleQueue;

static ModuleQueue init_queues[MODULE_INIT_MAX];

static ModuleQueue *module_queue(module_init_type type)
{
    ModuleQueue *q;

    assert(type >= 0 && type < MODULE_INIT_MAX);
    q = &init_queues[type];
    /* Zeroed static storage is not a valid empty queue: set it up lazily. */
    if (!q->sqh_last) {
        QSIMPLEQ_INIT(q);
    }
    return q;
}

void register_module_init(void (*fn)(void), module_init_type type)
{
    ModuleEntry *e = g_new0(ModuleEntry, 1);

    e->init = fn;
    QSIMPLEQ_INSERT_TAIL(module_queue(type), e, next);
}

void module_call_init(module_init_type type)
{
    ModuleEntry *e;

    /* An init function may register more; the loop picks them up too. */
    QSIMPLEQ_FOREACH(e, module_queue(type), next) {
        if (!e->done) {
            e->done = true;
            e->init();
        }
    }
}
