/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Must fault: a store on channel 2 together with a load on channel 3 is an
 * illegal bundle.  The assembler refuses to build it, so it is spelled out
 * as words: HS (ALS2, ALS3, 16 bytes), stb,2 %r1, [ %dr0 + 0 ],
 * ldb,3 [ %dr0 + 0 ], %r2, padding.
 * round-trip: no (e2k-as would reject the disassembly, rightly)
 */
#include "rt.S"

    START
        addd,0 0, rt_scratch, %dr0
        PUTS "before\n"
    .word 0x30000012, 0x2480c081, 0x6480c082, 0
    PASS
