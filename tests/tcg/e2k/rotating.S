/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rotating (based) registers: setbn rbs/rsz/rcur mapping of %b[], abn
 * rotation (cur -= 2 at the end of the bundle), setbn taking effect in
 * the next bundle, and a software-pipelined style loop over %b[].
 */
#include "rt.S"

    START
    /* START did setbn rsz=3, rbs=12, rcur=0: %b[0..7] = %r24..%r31 */
    {
        addd,0 0, 100, %dr24
        addd,1 0, 101, %dr25
        addd,2 0, 102, %dr26
        addd,3 0, 103, %dr27
        addd,4 0, 104, %dr28
        addd,5 0, 105, %dr29
    }
    {
        addd,0 0, 106, %dr30
        addd,1 0, 107, %dr31
    }
        CHECKD(%db[0], 100)
        CHECKD(%db[7], 107)
        addd,0 0, %db[3], %dr0
        CHECKD(%dr0, 103)

    /* rcur = 1 (two registers): %b[0] = %r26, %b[7] = %r25 */
        setbn rsz=3, rbs=12, rcur=1
        CHECKD(%db[0], 102)
        CHECKD(%db[5], 107)
        CHECKD(%db[6], 100)
        CHECKD(%db[7], 101)

    /* abn without a transfer: condition false, so abnf rotates */
        setbn rsz=3, rbs=12, rcur=0
    {
        abn abnf=1, abnt=0
    }
        CHECKD(%db[2], 100)
        CHECKD(%db[0], 106)
        CHECKD(%db[1], 107)

    /* a new setbn is seen from the next bundle on */
        setbn rsz=3, rbs=12, rcur=0
    {
        setbn rsz=3, rbs=12, rcur=2
        addd,0 0, 7, %db[0]
    }
        CHECKD(%dr24, 7)
        CHECKD(%db[0], 104)

    /* base 16 (rbs=8), size 4 (rsz=1), cur 2: %b[n] = %r(16 + (n+2) mod 4) */
        setbn rsz=1, rbs=8, rcur=1
        addd,0 0, 55, %db[1]
        CHECKD(%dr19, 55)
        addd,0 0, 66, %db[3]
        CHECKD(%dr17, 66)

    /* loop: write i to %b[0], rotate each iteration via abnt on ct */
        setbn rsz=3, rbs=12, rcur=0
    {
        addd,0 0, 0, %dr0
        addd,1 0, 0, %dr1
        disp %ctpr2, .Lloop
    }
.Lloop:
    {
        addd,0 %dr0, 1, %dr0
        addd,1 0, %dr0, %db[0]
        cmpbdb,3 %dr0, 7, %pred0
        nop 2
    }
    {
        abn abnf=0, abnt=1
        ct %ctpr2 ? %pred0
    }
    /* iterations wrote 0..7 into %b[0] while cur went 0,6,4,2,0,6,4,2 */
        CHECKD(%dr24, 4)
        CHECKD(%dr30, 5)
        CHECKD(%dr28, 6)
        CHECKD(%dr26, 7)
    PASS
