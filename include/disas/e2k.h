/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K disassembler: prints one wide instruction in the MCST assembler
 * syntax our assembler (scripts/e2k-as.py) reads back.  Used by the -d
 * in_asm log, e2k-disas and the tests.
 */
#ifndef DISAS_E2K_H
#define DISAS_E2K_H

/*
 * Appends the bundle at @buf (@avail bytes readable, located at guest
 * address @ip) to @out as a "{ ... }" block, one operation per line,
 * without a trailing newline.  A bundle whose layout or operations cannot
 * be decoded is printed as ".word" lines instead.  Returns the number of
 * bytes consumed (the bundle length, or 8 for an undecodable bundle; 0 if
 * fewer than 8 bytes are available).
 */
unsigned e2k_disas_bundle(GString *out, const uint8_t *buf, size_t avail,
                          uint64_t ip);

#endif /* DISAS_E2K_H */
