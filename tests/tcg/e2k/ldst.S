/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loads and stores of every size: ldb/ldh/ldw/ldd zero-extend (sign via
 * sxt), on load channels 0, 2, 3, 5; stores stb/sth/stw/std on channels
 * 2 and 5 with partial overwrites; the address forms [ sym ],
 * [ sym + const ], [ %reg + const ], [ %reg + %reg ] and src1, src2.
 */
#include "rt.S"

    .pushsection .rodata
    .balign 8
table:
    .byte 0x81, 0x02, 0x83, 0x04
    .hword 0x8765, 0x1234
    .word 0x89abcdef, 0
    .quad 0xfedcba9876543210
    .popsection

    START
        ldb,0 [ table ], %dr0
        CHECKD(%dr0, 0x81)
        ldb,2 [ table + 1 ], %dr0
        CHECKD(%dr0, 0x02)
        ldh,3 [ table + 4 ], %dr0
        CHECKD(%dr0, 0x8765)
        ldw,5 [ table + 8 ], %dr0
        CHECKD(%dr0, 0x89abcdef)
        ldd,0 [ table + 16 ], %dr0
        CHECKD(%dr0, 0xfedcba9876543210)
        ldd,2 0, [ table + 16 ], %dr0
        CHECKD(%dr0, 0xfedcba9876543210)

        addd,0 0, table, %dr4
        addd,1 0, 16, %dr5
    {
        ldb,0 [ %dr4 + 2 ], %dr0
        ldh,2 [ %dr4 + 6 ], %dr1
        ldw,3 [ %dr4 + 8 ], %dr2
        ldd,5 [ %dr4 + %dr5 ], %dr3
    }
        CHECKD(%dr0, 0x83)
        CHECKD(%dr1, 0x1234)
        CHECKD(%dr2, 0x89abcdef)
        CHECKD(%dr3, 0xfedcba9876543210)
        ldb,3 %dr4, 0x3, %dr0
        CHECKD(%dr0, 0x04)

        /* sign extension of loaded values */
        ldb,0 [ %dr4 + 0 ], %dr0
        sxt,0 0, %r0, %dr1
        CHECKD(%dr1, 0xffffffffffffff81)
        ldh,0 [ %dr4 + 4 ], %dr0
        sxt,0 1, %r0, %dr1
        CHECKD(%dr1, 0xffffffffffff8765)
        ldw,0 [ %dr4 + 8 ], %dr0
        sxt,0 2, %r0, %dr1
        CHECKD(%dr1, 0xffffffff89abcdef)

        /* stores */
        addd,0 0, rt_scratch, %dr6
        addd,0 0, 0x1122334455667788, %dr1
        std,2 %dr1, [ %dr6 + 0 ]
        ldd,0 [ %dr6 + 0 ], %dr0
        CHECKD(%dr0, 0x1122334455667788)
        addd,0 0, 0xaa, %dr2
        stb,5 %r2, [ %dr6 + 1 ]
        ldd,3 [ %dr6 + 0 ], %dr0
        CHECKD(%dr0, 0x112233445566aa88)
        addd,0 0, 0xffffbbcc, %dr2
        sth,2 %r2, [ %dr6 + 2 ]
        ldd,5 [ %dr6 + 0 ], %dr0
        CHECKD(%dr0, 0x11223344bbccaa88)
        addd,0 0, 0xddeeff00, %dr2
        stw,5 %r2, [ %dr6 + 4 ]
        ldd,2 [ %dr6 + 0 ], %dr0
        CHECKD(%dr0, 0xddeeff00bbccaa88)
        ldw,0 [ %dr6 + 4 ], %dr0
        CHECKD(%dr0, 0xddeeff00)
        ldh,0 [ %dr6 + 2 ], %dr0
        CHECKD(%dr0, 0xbbcc)

        /* two stores in one bundle (channels 2 and 5), address first form */
        addd,0 0, 0x0102030405060708, %dr1
        addd,1 0, 0x1112131415161718, %dr2
    {
        std,2 0x8, %dr6, %dr1
        std,5 %dr6, 0x10, %dr2
    }
        ldd,0 [ %dr6 + 8 ], %dr0
        CHECKD(%dr0, 0x0102030405060708)
        ldd,0 [ %dr6 + 16 ], %dr0
        CHECKD(%dr0, 0x1112131415161718)
        stb,2 %r1, [ rt_scratch + 24 ]
        ldb,0 [ rt_scratch + 24 ], %dr0
        CHECKD(%dr0, 0x08)
    PASS
