/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-e2k flavour of the test runtime: E2K Linux system calls through
 * `sdisp %ctpr1, 3` + `call %ctpr1, wbs=4`; caller %r8 = number (callee
 * %r0), %r9.. = arguments.  Numbers: exit 1, write 4.  rt_scratch is a
 * 4 KiB writable buffer (.bss).
 */
#define RT_NR_exit  1
#define RT_NR_write 4

    .macro START
    .pushsection .bss
    .balign 64
rt_scratch:
    .zero 4096
    .popsection
    .text
    .global _start
    .align 8
_start:
    {
        setwd wsz=16, nfx=1
        setbn rsz=3, rbs=12, rcur=0
    }
    .endm

    .macro EXIT code=0
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, RT_NR_exit, %dr8
        addd,1 0, \code, %dr9
        call %ctpr1, wbs=4
    }
    .endm

    .macro PUTS str
    .pushsection .rodata
.Lputs_s\@:
    .ascii \str
.Lputs_e\@:
    .popsection
    {
        sdisp %ctpr1, 0x3
    }
    {
        addd,0 0, RT_NR_write, %dr8
        addd,1 0, 1, %dr9
        addd,2 0, .Lputs_s\@, %dr10
        addd,3 0, .Lputs_e\@ - .Lputs_s\@, %dr11
        call %ctpr1, wbs=4
    }
    .endm
