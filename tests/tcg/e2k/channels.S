/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Channel rules: six ALU ops in one bundle, compares and multiplies on
 * their four channels at once, loads on 0/2/3/5 together, stores on 2 and
 * 5 together, division on 5, state registers on 0 (rwd/rrd of %lsr), and
 * ops written without a channel (the assembler picks legal ones).
 */
#include "rt.S"

    .pushsection .rodata
    .balign 8
words:
    .quad 11, 22, 33, 44
    .popsection

    START
    {
        addd,0 0, 1, %dr0
        addd,1 0, 2, %dr1
        addd,2 0, 3, %dr2
        addd,3 0, 4, %dr3
        addd,4 0, 5, %dr4
        addd,5 0, 6, %dr5
    }
        CHECKD(%dr0, 1)
        CHECKD(%dr1, 2)
        CHECKD(%dr2, 3)
        CHECKD(%dr3, 4)
        CHECKD(%dr4, 5)
        CHECKD(%dr5, 6)
    {
        cmpedb,0 %dr0, 1, %pred0
        cmpedb,1 %dr1, 1, %pred1
        cmpbdb,3 %dr2, %dr3, %pred2
        cmpldb,4 %dr5, %dr4, %pred3
    }
        CHECKP(%pred0, 1)
        CHECKP(%pred1, 0)
        CHECKP(%pred2, 1)
        CHECKP(%pred3, 0)
    {
        muld,0 %dr1, %dr2, %dr16
        muld,1 %dr3, %dr4, %dr17
        muls,3 %r5, %r5, %r18
        umulx,4 %r5, %r3, %dr19
        udivd,5 %dr5, %dr1, %dr20
    }
        CHECKD(%dr16, 6)
        CHECKD(%dr17, 20)
        CHECKS(%r18, 36)
        CHECKD(%dr19, 24)
        CHECKD(%dr20, 3)
        addd,0 0, words, %dr6
    {
        ldd,0 [ %dr6 + 0 ], %dr16
        ldd,2 [ %dr6 + 8 ], %dr17
        ldd,3 [ %dr6 + 16 ], %dr18
        ldd,5 [ %dr6 + 24 ], %dr19
    }
        CHECKD(%dr16, 11)
        CHECKD(%dr17, 22)
        CHECKD(%dr18, 33)
        CHECKD(%dr19, 44)
        addd,0 0, rt_scratch, %dr7
    {
        std,2 %dr16, [ %dr7 + 0 ]
        std,5 %dr19, [ %dr7 + 8 ]
        addd,0 %dr16, %dr19, %dr20
        addd,3 %dr17, 0, %dr21
    }
        ldd,0 [ %dr7 + 0 ], %dr0
        ldd,2 [ %dr7 + 8 ], %dr1
        CHECKD(%dr0, 11)
        CHECKD(%dr1, 44)
        CHECKD(%dr20, 55)
        CHECKD(%dr21, 22)

    /* no channel given (the store and multiply read %dr2 before the load) */
        addd,0 0, 11, %dr2
    {
        addd 0, 7, %dr0
        subd 0, 7, %dr1
        ldd [ %dr6 + 0 ], %dr2
        std %dr2, [ %dr7 + 16 ]
        muld %dr2, 2, %dr3
        sdivd 0, 7, %dr4
    }
        CHECKD(%dr0, 7)
        CHECKD(%dr1, 0xfffffffffffffff9)
        CHECKD(%dr2, 11)
        CHECKD(%dr3, 22)
        CHECKD(%dr4, 0)
        ldd [ %dr7 + 16 ], %dr5
        CHECKD(%dr5, 11)

    /* state register on channel 0 */
        rwd,0 5, %lsr
        rrd,0 %lsr, %dr0
        CHECKD(%dr0, 5)
        rwd,0 0, %lsr
        rrd %lsr, %dr0
        CHECKD(%dr0, 0)
    PASS
