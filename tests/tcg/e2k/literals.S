/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Literal syllables: automatic 16/32/64-bit choice with sign extension,
 * explicit _f16s/_f32s/_f64 forms in every slot, several literals packed
 * in one bundle, a literal next to setwd (LTS0 taken), src1 immediates.
 */
#include "rt.S"

    START
        addd,0 0, 0x7fff, %dr0
        CHECKD(%dr0, 0x7fff)
        addd,0 0, -2, %dr0
        CHECKD(%dr0, 0xfffffffffffffffe)
        addd,0 0, 0x8000, %dr0
        CHECKD(%dr0, 0x8000)
        addd,0 0, 0xffff8000, %dr0
        CHECKD(%dr0, 0xffff8000)
        addd,0 0, 0x12345678, %dr0
        CHECKD(%dr0, 0x12345678)
        addd,0 0, 0x80000000, %dr0
        CHECKD(%dr0, 0x80000000)
        addd,0 0, 0xffffffff80000000, %dr0
        CHECKD(%dr0, 0xffffffff80000000)
        addd,0 0, 0x123456789abcdef0, %dr0
        CHECKD(%dr0, 0x123456789abcdef0)
        adds,0 0, 0xffffffff, %r0
        CHECKS(%r0, 0xffffffff)
        addd,0 17, 0, %dr0
        CHECKD(%dr0, 17)
        addd,0 31, 15, %dr0
        CHECKD(%dr0, 46)

        /* explicit forms: 16-bit halves are sign-extended */
        addd,0 0, _f16s,_lts0lo 0x7fff, %dr0
        CHECKD(%dr0, 0x7fff)
        addd,0 0, _f16s,_lts0hi 0x8001, %dr0
        CHECKD(%dr0, 0xffffffffffff8001)
        addd,0 0, _f16s,_lts1lo 0xffff, %dr0
        CHECKD(%dr0, 0xffffffffffffffff)
        addd,0 0, _f16s,_lts1hi 0x1234, %dr0
        CHECKD(%dr0, 0x1234)
        addd,0 0, _f32s,_lts0 0x7fffffff, %dr0
        CHECKD(%dr0, 0x7fffffff)
        addd,0 0, _f32s,_lts1 0xffffffff, %dr0
        CHECKD(%dr0, 0xffffffffffffffff)
        addd,0 0, _f32s,_lts2 0x11111111, %dr0
        CHECKD(%dr0, 0x11111111)
        addd,0 0, _f32s,_lts3 0x80000000, %dr0
        CHECKD(%dr0, 0xffffffff80000000)
        addd,0 0, _f64,_lts0 0x0102030405060708, %dr0
        CHECKD(%dr0, 0x0102030405060708)
        addd,0 0, _f64,_lts1 0xffffffffffffffff, %dr0
        CHECKD(%dr0, 0xffffffffffffffff)
        addd,0 0, _f64,_lts2 0x8000000000000001, %dr0
        CHECKD(%dr0, 0x8000000000000001)

        /* four different literals in one bundle */
    {
        addd,0 0, 0x1111, %dr0
        addd,1 0, 0x2222, %dr1
        addd,2 0, 0x33333333, %dr2
        addd,3 0, 0x4444, %dr3
        addd,4 0, -3, %dr4
        addd,5 0, 0x2222, %dr5
    }
        CHECKD(%dr0, 0x1111)
        CHECKD(%dr1, 0x2222)
        CHECKD(%dr2, 0x33333333)
        CHECKD(%dr3, 0x4444)
        CHECKD(%dr4, 0xfffffffffffffffd)
        CHECKD(%dr5, 0x2222)
    {
        addd,0 0, 0x123456789, %dr0
        addd,1 0, 0x55555555, %dr1
        addd,3 0, 0x7777, %dr3
    }
        CHECKD(%dr0, 0x123456789)
        CHECKD(%dr1, 0x55555555)
        CHECKD(%dr3, 0x7777)
    {
        setwd wsz=16, nfx=1
        addd,0 0, 0x4321, %dr0
        addd,1 0, 0x87654321, %dr1
    }
        CHECKD(%dr0, 0x4321)
        CHECKD(%dr1, 0x87654321)
    PASS
