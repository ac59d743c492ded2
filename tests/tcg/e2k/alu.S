/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every short integer ALU operation, 32- and 64-bit forms, spread over all
 * six channels: and/andn/or/orn/xor/xorn/add/sub/scl/scr/shl/shr/sar and
 * sxt.  32-bit results are compared on their low half (WD.dbl = 0 keeps
 * the high half of the destination).
 */
#include "rt.S"

    START
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        ands,0 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        ands,1 %r0, %r1, %r2
        CHECKS(%r2, 0x1)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        ands,2 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        ands,3 %r0, %r1, %r2
        CHECKS(%r2, 0x24)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        ands,4 %r0, %r1, %r2
        CHECKS(%r2, 0x38)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        ands,5 %r0, %r1, %r2
        CHECKS(%r2, 0x40)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        andd,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        andd,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x7fffffff00000001)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        andd,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        andd,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x24)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        andns,4 %r0, %r1, %r2
        CHECKS(%r2, 0x89abcdef)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        andns,5 %r0, %r1, %r2
        CHECKS(%r2, 0x80000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        andns,0 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        andns,1 %r0, %r1, %r2
        CHECKS(%r2, 0xdeadbecb)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        andns,2 %r0, %r1, %r2
        CHECKS(%r2, 0x12345640)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        andns,3 %r0, %r1, %r2
        CHECKS(%r2, 0xf0f0f0b0)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        andnd,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x123456789abcdef)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        andnd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x8000000080000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        andnd,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x8000000000000000)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        andnd,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xdeadbecb)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        ors,2 %r0, %r1, %r2
        CHECKS(%r2, 0xffffffff)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        ors,3 %r0, %r1, %r2
        CHECKS(%r2, 0x80000003)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        ors,4 %r0, %r1, %r2
        CHECKS(%r2, 0x5)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        ors,5 %r0, %r1, %r2
        CHECKS(%r2, 0xdeadbeef)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        ors,0 %r0, %r1, %r2
        CHECKS(%r2, 0x1234567f)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        ors,1 %r0, %r1, %r2
        CHECKS(%r2, 0xf0f0f0f1)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        ord,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xffffffffffffffff)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        ord,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xffffffff80000003)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        ord,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x8000000000000005)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        ord,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xdeadbeef)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        orns,0 %r0, %r1, %r2
        CHECKS(%r2, 0x89abcdef)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        orns,1 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffffd)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        orns,2 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffffa)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        orns,3 %r0, %r1, %r2
        CHECKS(%r2, 0xffffffff)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        orns,4 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffff8)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        orns,5 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffffe)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        ornd,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x123456789abcdef)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        ornd,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffffffffffd)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        ornd,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffffffffffa)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        ornd,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xffffffffffffffff)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        xors,4 %r0, %r1, %r2
        CHECKS(%r2, 0xffffffff)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        xors,5 %r0, %r1, %r2
        CHECKS(%r2, 0x80000002)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        xors,0 %r0, %r1, %r2
        CHECKS(%r2, 0x5)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        xors,1 %r0, %r1, %r2
        CHECKS(%r2, 0xdeadbecb)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        xors,2 %r0, %r1, %r2
        CHECKS(%r2, 0x12345647)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        xors,3 %r0, %r1, %r2
        CHECKS(%r2, 0xf0f0f0b1)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        xord,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xffffffffffffffff)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        xord,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x8000000080000002)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        xord,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x8000000000000005)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        xord,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xdeadbecb)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        xorns,2 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        xorns,3 %r0, %r1, %r2
        CHECKS(%r2, 0x7ffffffd)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        xorns,4 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffffa)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        xorns,5 %r0, %r1, %r2
        CHECKS(%r2, 0x21524134)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        xorns,0 %r0, %r1, %r2
        CHECKS(%r2, 0xedcba9b8)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        xorns,1 %r0, %r1, %r2
        CHECKS(%r2, 0xf0f0f4e)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        xornd,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        xornd,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x7fffffff7ffffffd)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        xornd,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x7ffffffffffffffa)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        xornd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xffffffff21524134)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        adds,0 %r0, %r1, %r2
        CHECKS(%r2, 0xffffffff)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        adds,1 %r0, %r1, %r2
        CHECKS(%r2, 0x80000004)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        adds,2 %r0, %r1, %r2
        CHECKS(%r2, 0x5)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        adds,3 %r0, %r1, %r2
        CHECKS(%r2, 0xdeadbf13)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        adds,4 %r0, %r1, %r2
        CHECKS(%r2, 0x123456b7)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        adds,5 %r0, %r1, %r2
        CHECKS(%r2, 0xf0f0f131)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        addd,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xffffffffffffffff)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        addd,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x7ffffffe80000004)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        addd,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x8000000000000005)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        addd,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xdeadbf13)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        subs,4 %r0, %r1, %r2
        CHECKS(%r2, 0x13579bdf)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        subs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x7ffffffe)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        subs,0 %r0, %r1, %r2
        CHECKS(%r2, 0xfffffffb)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        subs,1 %r0, %r1, %r2
        CHECKS(%r2, 0xdeadbecb)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        subs,2 %r0, %r1, %r2
        CHECKS(%r2, 0x12345639)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        subs,3 %r0, %r1, %r2
        CHECKS(%r2, 0xf0f0f0af)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        subd,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x2468acf13579bdf)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        subd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x800000007ffffffe)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        subd,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x7ffffffffffffffb)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        subd,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xdeadbecb)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        scls,2 %r0, %r1, %r2
        CHECKS(%r2, 0xcdef89ab)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        scls,3 %r0, %r1, %r2
        CHECKS(%r2, 0xc)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        scls,4 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        scls,5 %r0, %r1, %r2
        CHECKS(%r2, 0xeadbeefd)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        scls,0 %r0, %r1, %r2
        CHECKS(%r2, 0x91a2b3c)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        scls,1 %r0, %r1, %r2
        CHECKS(%r2, 0xe1e1e1e1)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        scld,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x456789abcdef0123)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        scld,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffc0000000f)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        scld,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x10)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        scld,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xeadbeef00000000d)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        scrs,0 %r0, %r1, %r2
        CHECKS(%r2, 0xcdef89ab)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        scrs,1 %r0, %r1, %r2
        CHECKS(%r2, 0x30000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        scrs,2 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        scrs,3 %r0, %r1, %r2
        CHECKS(%r2, 0xfdeadbee)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        scrs,4 %r0, %r1, %r2
        CHECKS(%r2, 0x2468acf0)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        scrs,5 %r0, %r1, %r2
        CHECKS(%r2, 0x78787878)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        scrd,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xcdef0123456789ab)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        scrd,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x3ffffffff0000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        scrd,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x400000000000000)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        scrd,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xdeadbeef0000000)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        shls,4 %r0, %r1, %r2
        CHECKS(%r2, 0xcdef0000)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        shls,5 %r0, %r1, %r2
        CHECKS(%r2, 0x8)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        shls,0 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        shls,1 %r0, %r1, %r2
        CHECKS(%r2, 0xeadbeef0)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        shls,2 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        shls,3 %r0, %r1, %r2
        CHECKS(%r2, 0xe1e1e1e0)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        shld,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x456789abcdef0000)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        shld,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffc00000008)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        shld,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        shld,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xeadbeef000000000)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        shrs,2 %r0, %r1, %r2
        CHECKS(%r2, 0x89ab)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        shrs,3 %r0, %r1, %r2
        CHECKS(%r2, 0x10000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        shrs,4 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        shrs,5 %r0, %r1, %r2
        CHECKS(%r2, 0xdeadbee)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        shrs,0 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        shrs,1 %r0, %r1, %r2
        CHECKS(%r2, 0x78787878)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        shrd,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x123456789ab)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        shrd,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x1ffffffff0000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        shrd,4 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x400000000000000)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        shrd,5 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        sars,0 %r0, %r1, %r2
        CHECKS(%r2, 0xffff89ab)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        sars,1 %r0, %r1, %r2
        CHECKS(%r2, 0xf0000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        sars,2 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        sars,3 %r0, %r1, %r2
        CHECKS(%r2, 0xfdeadbee)
    {
        addd,0 0, 0x12345678, %dr0
        addd,1 0, 0x3f, %dr1
    }
        sars,4 %r0, %r1, %r2
        CHECKS(%r2, 0x0)
    {
        addd,0 0, 0xf0f0f0f0f0f0f0f0, %dr0
        addd,1 0, 0x41, %dr1
    }
        sars,5 %r0, %r1, %r2
        CHECKS(%r2, 0xf8787878)
    {
        addd,0 0, 0x123456789abcdef, %dr0
        addd,1 0, 0xfedcba9876543210, %dr1
    }
        sard,0 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x123456789ab)
    {
        addd,0 0, 0xffffffff80000001, %dr0
        addd,1 0, 0x7fffffff00000003, %dr1
    }
        sard,1 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfffffffff0000000)
    {
        addd,0 0, 0x8000000000000000, %dr0
        addd,1 0, 0x5, %dr1
    }
        sard,2 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0xfc00000000000000)
    {
        addd,0 0, 0xdeadbeef, %dr0
        addd,1 0, 0x24, %dr1
    }
        sard,3 %dr0, %dr1, %dr2
        CHECKD(%dr2, 0x0)
    /* sxt: src1 selects size (0 = 8, 1 = 16, 2 = 32 bits), bit 2 = zero */
        addd,0 0, 0x89abcdef, %dr0
        sxt,0 0, %r0, %dr2
        CHECKD(%dr2, 0xffffffffffffffef)
        sxt,1 1, %r0, %dr2
        CHECKD(%dr2, 0xffffffffffffcdef)
        sxt,2 2, %r0, %dr2
        CHECKD(%dr2, 0xffffffff89abcdef)
        sxt,3 4, %r0, %dr2
        CHECKD(%dr2, 0xef)
        sxt,4 5, %r0, %dr2
        CHECKD(%dr2, 0xcdef)
        sxt,5 6, %r0, %dr2
        CHECKD(%dr2, 0x89abcdef)
        addd,0 0, 0x1237f, %dr0
        sxt,0 0, %r0, %dr2
        CHECKD(%dr2, 0x7f)
        sxt,0 1, %r0, %dr2
        CHECKD(%dr2, 0x237f)
    /* operands given as immediates and literals in src1/src2 */
        addd,0 31, 15, %dr2
        CHECKD(%dr2, 46)
        subd,0 0, 1, %dr2
        CHECKD(%dr2, 0xffffffffffffffff)
        adds,0 0, 0x7fffffff, %r2
        CHECKS(%r2, 0x7fffffff)
    /* moves (channels 0, 1, 3, 4) and state register reads */
        addd,0 0, 0x1122334455667788, %dr0
        movtd,1 %dr0, %dr2
        CHECKD(%dr2, 0x1122334455667788)
        movts,3 %r0, %r3
        CHECKS(%r3, 0x55667788)
        movtd,4 0x9, %dr2
        CHECKD(%dr2, 9)
        rwd,0 0x1234, %lsr
        rrs,0 %lsr, %r2
        CHECKS(%r2, 0x1234)
        rws,0 0, %lsr
        rrd,0 %lsr, %dr2
        CHECKD(%dr2, 0)
    PASS
