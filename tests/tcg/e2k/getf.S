/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * getfs/getfd bit-field extract.  src2 selector = offset | len << 6 |
 * sign << 12 | byte << 13; with sign set the field is sign-extended.
 */
#include "rt.S"

#define F(O, L, S, B) ((O) | ((L) << 6) | ((S) << 12) | ((B) << 13))

    .macro GETFD val, sel, exp, line
    {
        addd,0 0, \val, %dr0
        addd,1 0, \sel, %dr1
    }
        getfd,3 %dr0, %dr1, %dr2
        CHECK_D %dr2, \exp, \line
    .endm

    .macro GETFS val, sel, exp, line
    {
        addd,0 0, \val, %dr0
        addd,1 0, \sel, %dr1
    }
        getfs,4 %r0, %r1, %r2
        CHECK_S %r2, \exp, \line
    .endm

#define T64(V, SEL, E) GETFD V, SEL, E, __LINE__
#define T32(V, SEL, E) GETFS V, SEL, E, __LINE__

    START
        T64(0xfedcba9876543210, F(0, 4, 0, 0), 0x0)
        T64(0xfedcba9876543210, F(4, 4, 0, 0), 0x1)
        T64(0xfedcba9876543210, F(60, 4, 0, 0), 0xf)
        T64(0xfedcba9876543210, F(8, 8, 0, 0), 0x32)
        T64(0xfedcba9876543210, F(56, 8, 0, 0), 0xfe)
        T64(0xfedcba9876543210, F(16, 16, 0, 0), 0x7654)
        T64(0xfedcba9876543210, F(32, 8, 1, 4), 0xffffffffffffff98)
        T64(0xfedcba9876543210, F(16, 16, 1, 2), 0x7654)
        T64(0xfedcba9876543210, F(48, 16, 1, 6), 0xfffffffffffffedc)
        T32(0x76543210, F(0, 8, 0, 0), 0x10)
        T32(0x76543210, F(8, 8, 0, 0), 0x32)
        T32(0x76543210, F(16, 16, 0, 0), 0x7654)
        T32(0x76543210, F(28, 4, 0, 0), 0x7)
    PASS
