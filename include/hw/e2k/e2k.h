/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K boards.  A board owns the CPU, the RAM and firmware areas and the
 * x86-style I/O port space devices register in.  Only "e2k-test" exists
 * so far: RAM at 0, firmware at 0x1_0000_0000 (the reset IP), the lmscon
 * console in the I/O area and the SIC routing registers.
 */
#ifndef HW_E2K_E2K_H
#define HW_E2K_E2K_H

#include "target/e2k/cpu.h"

typedef struct E2KPortRange {
    uint16_t base, len;
    E2KIORead read;         /* addr = port - base */
    E2KIOWrite write;
    void *opaque;
} E2KPortRange;

#define E2K_MAX_PORT_RANGES 16

typedef struct E2KMachine {
    const char *name;
    E2KCPUState *cpu;
    uint8_t *ram;
    uint64_t ram_size;
    uint8_t *bios;
    E2KPortRange ports[E2K_MAX_PORT_RANGES];
    int nr_ports;
    struct LMSConState *lmscon;
} E2KMachine;

/* Names accepted by -machine. */
extern const char *const e2k_machine_names[];

/*
 * Builds the board @name with @ram_size bytes of RAM and the firmware
 * image @bios copied to E2K_BIOS_BASE.  Returns NULL and sets @errp on an
 * unknown board or an unreadable / too large firmware.
 */
E2KMachine *e2k_machine_new(const char *name, uint64_t ram_size,
                            const char *bios, GError **errp);
void e2k_machine_free(E2KMachine *m);

/*
 * Copies the PT_LOAD segments of the E2K ELF64 @path to their physical
 * addresses and points the CPU at its entry (-kernel).  False and @errp
 * set if the file is unreadable, not E2K, or does not fit the memory map.
 */
bool e2k_machine_load_kernel(E2KMachine *m, const char *path, GError **errp);

/* Adds a port range to the machine's I/O space; false if full. */
bool e2k_machine_add_ports(E2KMachine *m, uint16_t base, uint16_t len,
                           E2KIORead read, E2KIOWrite write, void *opaque);

#endif /* HW_E2K_E2K_H */
