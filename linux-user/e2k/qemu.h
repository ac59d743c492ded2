/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-e2k internals: the guest process image (segments, brk heap, mmap
 * areas, stacks) kept as CPU memory regions backed by host memory, the ELF
 * loader and the system-call layer.
 */
#ifndef LINUX_USER_E2K_QEMU_H
#define LINUX_USER_E2K_QEMU_H

#include "target/e2k/cpu.h"

typedef struct E2KProcess {
    E2KCPUState *env;
    uint64_t entry;
    uint64_t brk_start, brk_cur, brk_max;
    uint8_t *brk_host;
    uint64_t mmap_next;
    bool strace;
    int exit_code;
    GPtrArray *host_maps;   /* E2KHostMap */
} E2KProcess;

/* A host allocation behind a region (unmapped when the guest unmaps). */
typedef struct E2KHostMap {
    uint64_t guest;
    void *host;
    size_t size;
} E2KHostMap;

/*
 * Maps @size bytes of fresh zeroed memory at guest address @guest (page
 * aligned).  Returns the host pointer or NULL.
 */
uint8_t *e2k_user_map(E2KProcess *p, const char *name, uint64_t guest,
                      uint64_t size);
bool e2k_user_unmap(E2KProcess *p, uint64_t guest, uint64_t size);

/*
 * Loads the static ELF64 @path into @p, builds the stacks and the initial
 * argument block, and points the CPU at the entry.  Returns false with a
 * message in @errp.
 */
bool e2k_load_elf(E2KProcess *p, const char *path, int argc, char **argv,
                  GError **errp);

/* The system-call hook installed in E2KHooks. */
int e2k_user_syscall(E2KCPUState *env, uint64_t entry, uint64_t *args);

#endif /* LINUX_USER_E2K_QEMU_H */
