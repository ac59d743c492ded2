/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deep recursion: sum(1000) = 1 + ... + 1000 with one live value per
 * frame, and fib(18) with two calls per frame.  Each call spills the
 * caller's registers to the procedure stack and its frame to the chain
 * stack; returns refill them, so any lost register shows in the result.
 */
#include "rt.S"

    START
    {
        addd,0 0, 1000, %dr24
        disp %ctpr1, sum
    }
        call %ctpr1, wbs=12
        CHECKD(%dr24, 500500)
    {
        addd,0 0, 18, %dr24
        disp %ctpr1, fib
    }
        call %ctpr1, wbs=12
        CHECKD(%dr24, 2584)
    PASS

/* sum(n in %r0) -> %r0; argument for the inner call at %r4 (wbs=2) */
sum:
    {
        setwd wsz=4, nfx=1
        cmpedb,0 %dr0, 0, %pred0
        disp %ctpr1, sum
    }
    {
        disp %ctpr2, .Lsum_ret
        subd,0 %dr0, 1, %dr4
        nop 2
    }
        ct %ctpr2 ? %pred0
        call %ctpr1, wbs=2
        addd,0 %dr0, %dr4, %dr0
.Lsum_ret:
        return %ctpr3
        ct %ctpr3

/* fib(n in %r0) -> %r0; %r1 keeps fib(n-1) across the second call */
fib:
    {
        setwd wsz=4, nfx=1
        cmpbdb,0 %dr0, 2, %pred0
        disp %ctpr1, fib
    }
    {
        disp %ctpr2, .Lfib_ret
        subd,0 %dr0, 1, %dr6
        nop 2
    }
        ct %ctpr2 ? %pred0
        call %ctpr1, wbs=3
    {
        addd,0 0, %dr6, %dr1
        subd,1 %dr0, 2, %dr6
        disp %ctpr1, fib
    }
        call %ctpr1, wbs=3
        addd,0 %dr1, %dr6, %dr0
.Lfib_ret:
        return %ctpr3
        ct %ctpr3
