/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Predicates: conditional execution of ALS ops (CDS RLP, `? %predN` and
 * `? ~%predN`, also a load whose condition is false does not access
 * memory), merges/merged, predicate logic (pass/andp/landp with negated
 * operands) and conditional ct / ibranch.
 */
#include "rt.S"

    START
    {
        cmpedb,0 0, 0, %pred0           /* true */
        cmpedb,1 0, 1, %pred1           /* false */
        addd,2 0, 0, %dr0
        addd,3 0, 0, %dr1
        addd,4 0, 0, %dr2
        addd,5 0, 0, %dr3
    }
    {
        addd,0 0, 1, %dr0 ? %pred0
        addd,1 0, 1, %dr1 ? %pred1
        addd,3 0, 1, %dr2 ? ~%pred1
        addd,4 0, 1, %dr3 ? ~%pred0
        ldd,5 [ 0x8 ], %dr4 ? %pred1
    }
        CHECKD(%dr0, 1)
        CHECKD(%dr1, 0)
        CHECKD(%dr2, 1)
        CHECKD(%dr3, 0)
    {
        addd,0 0, 10, %dr5
        addd,1 0, 11, %dr6
    }
        merged,0 %dr5, %dr6, %dr7 ? %pred0
        CHECKD(%dr7, 11)
        merged,1 %dr5, %dr6, %dr7 ? ~%pred0
        CHECKD(%dr7, 10)
        merges,3 %r5, %r6, %r7 ? %pred1
        CHECKS(%r7, 10)

    /* predicate logic */
    {
        pass %pred0, @p0
        pass %pred1, @p1
        andp @p0, @p1, @p4
        pass @p4, %pred2
        andp @p0, ~@p1, @p5
        pass @p5, %pred3
        landp ~@p0, ~@p1, @p6
        pass @p6, %pred4
    }
        CHECKP(%pred2, 0)
        CHECKP(%pred3, 1)
        CHECKP(%pred4, 0)
    {
        pass %pred3, @p2
        pass %pred0, @p3
        landp @p2, @p3, @p5
        pass @p5, %pred5
    }
        CHECKP(%pred5, 1)

    /* conditional transfers */
    {
        disp %ctpr2, .Lskip1
        addd,0 0, 0, %dr0
    }
        ct %ctpr2 ? %pred0
        addd,0 0, 1, %dr0               /* skipped */
.Lskip1:
        CHECKD(%dr0, 0)
        disp %ctpr2, .Lskip2
        ct %ctpr2 ? %pred1              /* not taken */
        addd,0 0, 2, %dr0
.Lskip2:
        CHECKD(%dr0, 2)
        ibranch .Lskip3 ? ~%pred1       /* taken */
        addd,0 0, 3, %dr0
.Lskip3:
        CHECKD(%dr0, 2)
        ibranch .Lskip4 ? ~%pred0       /* not taken */
        addd,0 0, 4, %dr0
.Lskip4:
        CHECKD(%dr0, 4)

    /* counted loop with ct ? %pred */
    {
        addd,0 0, 0, %dr0
        addd,1 0, 0, %dr1
        disp %ctpr3, .Lloop
    }
.Lloop:
    {
        addd,0 %dr0, 1, %dr0
        addd,1 %dr1, %dr0, %dr1
        cmpbdb,3 %dr0, 9, %pred6
        nop 2
    }
        ct %ctpr3 ? %pred6
        CHECKD(%dr0, 10)
        CHECKD(%dr1, 45)
    PASS
