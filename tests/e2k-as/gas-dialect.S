/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Exercises the MCST GAS dialect features the assembler must accept. */
#include "gas-dialect.h"

#if __iset__ >= 3
# define WSZ 8
#else
# define WSZ 4
#endif

    .macro put_byte, val=0x21, reg=%g20
        addd,0 0, \val, \reg; \
        stb,2 \reg, [ scratch ]; \
    .endm

    .macro twice op a b
        \op \a
        \op \b
    .endm

#define EMIT(MSG) \
        .pushsection ".rodata"; \
    local(str):; \
        .ascii MSG; \
    local(len) = . - local(str); \
        .popsection; \
        addd,0 0, local(str), %r8; \
        addd,1 0, local(len), %r9

#define CHECK(PRED) \
        ibranch local(ok) ? PRED; \
        EMIT("check failed at " str(__LINE__) "\n"); \
    local(ok):

    .text
    .global _start
    .type _start, #function
    .align 8
_start:
    {
        setwd wsz=WSZ, nfx=1
        setbn rsz=3, rbs=4, rcur=0
        disp %ctpr1, 0f
        nop 4
    }
        call %ctpr1, wbs=4
        put_byte
        put_byte 0x41
        put_byte reg=%g21, val=0x42
        twice nop 1, 2
    { cmpesb,0 %r0, 0, %pred31; nop 2 }
        CHECK(%pred31)
        CHECK(~ %pred31)
1:      ibranch 1b ? ~%pred0
        ibranch 1f
1:      ldb,0 [ scratch ], %g20
        ldd,0 0, [ scratch + 0 ], %r0
        addd 0, _f16s,_lts0lo 0x7fff, %r1
        addd,0 0, _f16s,_lts1hi 0xffff, %r2
        addd,0 0, _f32s,_lts2 0x7fffffff, %r3
        addd,0 0, _f64,_lts1 0xffffffffffffffff, %r4
        shls,0,sm %r0, %r1, %r2
    .size _start, . - _start
0:
    {
        return %ctpr3
    }
        ct %ctpr3

    .section ".data"
    .type scratch, #object
scratch:
    .byte 0, 1, 2
    .hword 0x1234
    .short -1
    .long . - scratch
    .quad _start
    .fill 3, 2, 0x5a5a
    .zero 2
    .skip 1, 0xee
    .asciz "zz"
    .string "yy"
    .balign 8
sym1 = scratch + 4
    .set sym2, sym1 * 2
    .word sym1 - scratch, sym2 - 2 * scratch
