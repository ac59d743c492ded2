/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Procedure calls: arguments and results through the window overlap
 * (callee %r0 = caller %r(2*wbs)), caller registers below the overlap
 * survive, predicates survive, indirect calls through movtd to %ctpr,
 * setwd dbl=1 zero-extending 32-bit results, and the higher channel
 * winning when two ops of a bundle write the same register.
 */
#include "rt.S"

    START
    {
        addd,0 0, 0x1234, %dr0
        addd,1 0, 0x5678, %dr7
        addd,2 0, 3, %dr16
        addd,3 0, 4, %dr17
        cmpedb,4 0, 0, %pred7
        disp %ctpr1, add2
    }
        call %ctpr1, wbs=8
        CHECKD(%dr16, 7)
        CHECKD(%dr17, 12)
        CHECKD(%dr0, 0x1234)
        CHECKD(%dr7, 0x5678)
        CHECKP(%pred7, 1)

    /* indirect call through movtd */
    {
        addd,0 0, add2, %dr2
        addd,1 0, 10, %dr16
        addd,2 0, 20, %dr17
    }
        movtd,0 %dr2, %ctpr2
        call %ctpr2, wbs=8
        CHECKD(%dr16, 30)
        CHECKD(%dr17, 200)

    /* nested: outer calls add2 twice */
    {
        addd,0 0, 5, %dr24
        disp %ctpr1, outer
    }
        call %ctpr1, wbs=12
        CHECKD(%dr24, 20)

    /* same destination twice: the higher channel wins */
    {
        addd,0 0, 1, %dr3
        addd,4 0, 2, %dr3
    }
        CHECKD(%dr3, 2)
    /* all reads happen before any write */
    {
        addd,0 0, 8, %dr4
        addd,1 0, 9, %dr5
    }
    {
        addd,0 0, %dr5, %dr4
        addd,1 0, %dr4, %dr5
    }
        CHECKD(%dr4, 9)
        CHECKD(%dr5, 8)

    /* dbl=0 keeps the high half of a 32-bit result, dbl=1 clears it */
        addd,0 0, -1, %dr6
        adds,0 0, 1, %r6
        CHECKD(%dr6, 0xffffffff00000001)
        setwd wsz=16, nfx=1, dbl=1
        addd,0 0, -1, %dr6
        adds,0 0, 1, %r6
        CHECKD(%dr6, 1)
        setwd wsz=16, nfx=1, dbl=0
    PASS

/* add2(a in %r0, b in %r1): %r0 = a + b, %r1 = a * b (16 regs = psize) */
add2:
        setwd wsz=8, nfx=1
    {
        addd,0 %dr0, %dr1, %dr0
        muld,1 %dr0, %dr1, %dr1
        return %ctpr3
    }
        ct %ctpr3

/* outer(n in %r0): r0 = add2(n, n)[0] + add2(n, n)[0] */
outer:
    {
        setwd wsz=4, nfx=1
        disp %ctpr1, add2
    }
    {
        addd,0 0, %dr0, %dr4
        addd,1 0, %dr0, %dr5
        addd,2 0, %dr0, %dr2
    }
    /* psize of add2 = 8 - 4 = 4 registers; add2 sets wsz=8 */
        call %ctpr1, wbs=2
    {
        addd,0 0, %dr4, %dr3
        addd,1 0, %dr2, %dr4
        addd,2 0, %dr2, %dr5
        disp %ctpr1, add2
    }
        call %ctpr1, wbs=2
        addd,0 %dr3, %dr4, %dr0
        return %ctpr3
        ct %ctpr3
