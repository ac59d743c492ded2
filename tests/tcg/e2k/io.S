/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * I/O through MAS 6 (system runner only): bytes written straight to the
 * lmscon data port at I/O address 0x1_0100_0300 with stb on channels 2
 * and 5, in the data-first and address-first forms; io.out holds the
 * console text expected.
 */
#include "rt.S"

    START
    {
        addd,0 0, 0x101000300, %dr0
        addd,1 0, 0x49, %dr1            /* I */
    }
    {
        addd,0 0, 0x4f, %dr2            /* O */
        addd,1 0, 0x2d, %dr3            /* - */
        addd,3 0, 0x4b, %dr4            /* K */
        addd,4 0, 0xa, %dr5             /* \n */
    }
        stb,2 %r1, [ %dr0 + 0 ], mas=0x6
        stb,5 %r2, [ %dr0 + 0 ], mas=0x6
        stb,2 %r3, [ %dr0 ] mas=0x6
        stb,5 0x0, [ 0x101000300 ] 0x6, %r2
        stb,2 0x0, %dr0, %r4, mas=6
        stb,5 %r5, [ %dr0 + 0x0 ], mas=0x6
    PASS
