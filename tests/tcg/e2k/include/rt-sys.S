/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-system-e2k flavour of the test runtime (-machine e2k-test, image at
 * 0x1_0000_0000): sets up the procedure and chain stacks in RAM, writes
 * text to the lmscon data port (I/O port 0x300 = 0x1_0100_0300, MAS 6)
 * and stops with the LMS halt bundle (HS 0x00008001, CS1 0x60000000|code).
 */
#define RT_LMSCON 0x101000300

/* 4 KiB of RAM for tests that store to memory (the image may be ROM). */
rt_scratch = 0x100000

    .macro START
    .text
    .global _start
    .align 8
_start:
    {
        setwd wsz=16, nfx=1
        setbn rsz=3, rbs=12, rcur=0
    }
        rwd,0 0x0010000000000000, %psp.hi     /* 1 MiB, index 0 */
        rwd,0 0x1800000000200000, %psp.lo     /* base 2 MiB, RW */
        rwd,0 0x0010000000000000, %pcsp.hi
        rwd,0 0x1800000000400000, %pcsp.lo    /* base 4 MiB, RW */
    .endm

    .macro EXIT code=0
    .word 0x00008001, 0x60000000 | (\code)
        ibranch .
    .endm

    .macro PUTS str
    .pushsection .rodata
.Lputs_s\@:
    .ascii \str
.Lputs_e\@:
    .popsection
    {
        addd,0 0, .Lputs_s\@, %dr8
        addd,1 0, .Lputs_e\@, %dr9
    }
    {
        addd,0 0, RT_LMSCON, %dr10
        disp %ctpr1, .Lputs_l\@
    }
.Lputs_l\@:
        ldb,0 [ %dr8 + 0 ], %dr11
    {
        stb,2 %r11, [ %dr10 + 0 ], mas=0x6
        addd,0 %dr8, 1, %dr8
    }
    {
        cmpbdb,0 %dr8, %dr9, %pred31
        nop 2
    }
        ct %ctpr1 ? %pred31
    .endm
