/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rotating predicates: after setbp psz=P, %pred0..%predP are rotated by
 * abp (pcur -= 1 mod P+1); predicates above P do not move.
 */
#include "rt.S"

    START
        setbp psz=1
    {
        cmpedb,0 0, 0, %pred0           /* true  */
        cmpedb,1 0, 1, %pred1           /* false */
        cmpedb,3 0, 0, %pred2           /* true, not rotating */
    }
        CHECKP(%pred0, 1)
        CHECKP(%pred1, 0)
    {
        abp abpf=1, abpt=0
    }
        CHECKP(%pred0, 0)
        CHECKP(%pred1, 1)
        CHECKP(%pred2, 1)
    {
        abp abpf=1, abpt=0
    }
        CHECKP(%pred0, 1)
        CHECKP(%pred1, 0)
    PASS
