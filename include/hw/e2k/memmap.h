/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Physical memory map of the E2K machines (ISA-NOTES 5.6, QEMU's
 * e2k-softmmu layout).  The e2k-test board uses the RAM, firmware and I/O
 * areas; the rest is reserved for the full machine.
 */
#ifndef HW_E2K_MEMMAP_H
#define HW_E2K_MEMMAP_H

#define E2K_LOWMEM_BASE         0x0000000000ull
#define E2K_LOWMEM_MAX          0x0080000000ull     /* 2 GiB */
#define E2K_PCI_MEM_BASE        0x0080000000ull
#define E2K_IOAPIC_BASE         0x00fec00000ull
#define E2K_LAPIC_BASE          0x00fee00000ull
#define E2K_BIOS_BASE           0x0100000000ull
#define E2K_BIOS_SIZE           0x0001000000ull     /* 16 MiB */
#define E2K_IO_AREA_BASE        0x0101000000ull
#define E2K_IO_AREA_SIZE        0x0000010000ull     /* 64 KiB of ports */
#define E2K_SIC_BASE            0x0110000000ull
#define E2K_SIC_SIZE            0x0000100000ull
#define E2K_PCI_CFG_BASE        0x0200000000ull
#define E2K_PCI_PREF_BASE       0x0210000000ull
#define E2K_HIGHMEM_BASE        0x0400000000ull

#endif /* HW_E2K_MEMMAP_H */
