/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multiply (muls/muld/umulx/smulx on channels 0, 1, 3, 4; EXT group with
 * ALES) and divide (udivs/udivd/sdivs/sdivd, channel 5 only; signed
 * division truncates toward zero).
 */
#include "rt.S"

    START
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x6, %dr1
    }
        muls,0 %r0, %r1, %r2
        CHECKS(%r2, 0x2a)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x6, %dr1
    }
        muld,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x2a)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x6, %dr1
    }
        umulx,3 %r0, %r1, %dr2
        CHECKD(%dr2, 0x2a)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x6, %dr1
    }
        smulx,4 %r0, %r1, %dr2
        CHECKD(%dr2, 0x2a)
    {
        addd,0 0, 0xffffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
        muls,0 %r0, %r1, %r2
        CHECKS(%r2, 0x1)
    {
        addd,0 0, 0xffffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
        muld,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffe00000001)
    {
        addd,0 0, 0xffffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
        umulx,3 %r0, %r1, %dr2
        CHECKD(%dr2, 0xfffffffe00000001)
    {
        addd,0 0, 0xffffffff, %dr0
        addd,1 0, 0xffffffff, %dr1
    }
        smulx,4 %r0, %r1, %dr2
        CHECKD(%dr2, 0x1)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x2, %dr1
    }
        muls,0 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x2, %dr1
    }
        muld,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x100000000)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x2, %dr1
    }
        umulx,3 %r0, %r1, %dr2
        CHECKD(%dr2, 0x100000000)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x2, %dr1
    }
        smulx,4 %r0, %r1, %dr2
        CHECKD(%dr2, 0xffffffff00000000)
    {
        addd,0 0, 0xfffffffffffffffd, %dr0
        addd,1 0, 0x5, %dr1
    }
        muls,0 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffff1)
    {
        addd,0 0, 0xfffffffffffffffd, %dr0
        addd,1 0, 0x5, %dr1
    }
        muld,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffffffffff1)
    {
        addd,0 0, 0xfffffffffffffffd, %dr0
        addd,1 0, 0x5, %dr1
    }
        umulx,3 %r0, %r1, %dr2
        CHECKD(%dr2, 0x4fffffff1)
    {
        addd,0 0, 0xfffffffffffffffd, %dr0
        addd,1 0, 0x5, %dr1
    }
        smulx,4 %r0, %r1, %dr2
        CHECKD(%dr2, 0xfffffffffffffff1)
    {
        addd,0 0, 0x123456789, %dr0
        addd,1 0, 0x987654321, %dr1
    }
        muls,0 %r0, %r1, %r2
        CHECKS(%r2, 0xce1833a9)
    {
        addd,0 0, 0x123456789, %dr0
        addd,1 0, 0x987654321, %dr1
    }
        muld,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xd77d742cce1833a9)
    {
        addd,0 0, 0x123456789, %dr0
        addd,1 0, 0x987654321, %dr1
    }
        umulx,3 %r0, %r1, %dr2
        CHECKD(%dr2, 0x12a78d3ace1833a9)
    {
        addd,0 0, 0x123456789, %dr0
        addd,1 0, 0x987654321, %dr1
    }
        smulx,4 %r0, %r1, %dr2
        CHECKD(%dr2, 0xef6225b1ce1833a9)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0x7, %dr1
    }
        udivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0xe)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0x7, %dr1
    }
        udivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xe)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0x7, %dr1
    }
        sdivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0xe)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0x7, %dr1
    }
        sdivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xe)
    {
        addd,0 0, 0xffffffffffffff9c, %dr0
        addd,1 0, 0x7, %dr1
    }
        udivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x24924916)
    {
        addd,0 0, 0xffffffffffffff9c, %dr0
        addd,1 0, 0x7, %dr1
    }
        udivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x2492492492492484)
    {
        addd,0 0, 0xffffffffffffff9c, %dr0
        addd,1 0, 0x7, %dr1
    }
        sdivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffff2)
    {
        addd,0 0, 0xffffffffffffff9c, %dr0
        addd,1 0, 0x7, %dr1
    }
        sdivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffffffffff2)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0xfffffffffffffff9, %dr1
    }
        udivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0xfffffffffffffff9, %dr1
    }
        udivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0xfffffffffffffff9, %dr1
    }
        sdivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffff2)
    {
        addd,0 0, 0x64, %dr0
        addd,1 0, 0xfffffffffffffff9, %dr1
    }
        sdivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffffffffff2)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x2, %dr1
    }
        udivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x7fffffff)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x2, %dr1
    }
        udivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x7fffffffffffffff)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x2, %dr1
    }
        sdivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xffffffffffffffff, %dr0
        addd,1 0, 0x2, %dr1
    }
        sdivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x3, %dr1
    }
        udivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x2aaaaaaa)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x3, %dr1
    }
        udivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x2aaaaaaa)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x3, %dr1
    }
        sdivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0xd5555556)
    {
        addd,0 0, 0x80000000, %dr0
        addd,1 0, 0x3, %dr1
    }
        sdivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x2aaaaaaa)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x64, %dr1
    }
        udivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x64, %dr1
    }
        udivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x64, %dr1
    }
        sdivs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0x7, %dr0
        addd,1 0, 0x64, %dr1
    }
        sdivd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    PASS
