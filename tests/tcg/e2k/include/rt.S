/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runtime for the tests/tcg/e2k programs.  Assembled with -DRT_USER for
 * qemu-e2k (Linux system calls) or -DRT_SYS for qemu-system-e2k (lmscon
 * console, LMS halt).  Both provide START, PUTS "text", EXIT code; the
 * CHECK* macros below report "FAIL line N" and exit 1 on a mismatch.
 * Programs keep %r8-%r11, %pred30, %pred31 and %ctpr1 free for these.
 */
#if defined(RT_SYS)
#include "rt-sys.S"
#else
#include "rt-user.S"
#endif

    .macro FAILED line
        PUTS "FAIL line \line\n"
        EXIT 1
    .endm

/* 64-bit and 32-bit equality checks of a register against a value. */
    .macro CHECK_D reg, val, line
    {
        cmpedb,0 \reg, \val, %pred30
        nop 2
    }
        ibranch .Lck_ok\@ ? %pred30
        FAILED \line
.Lck_ok\@:
    .endm

    .macro CHECK_S reg, val, line
    {
        cmpesb,0 \reg, \val, %pred30
        nop 2
    }
        ibranch .Lck_ok\@ ? %pred30
        FAILED \line
.Lck_ok\@:
    .endm

/* Predicate check: exp = 1 (set) or 0 (clear). */
    .macro CHECK_P pred, exp, line
    .if \exp
        ibranch .Lck_ok\@ ? \pred
    .else
        ibranch .Lck_ok\@ ? ~\pred
    .endif
        FAILED \line
.Lck_ok\@:
    .endm

#define CHECKD(reg, val) CHECK_D reg, val, __LINE__
#define CHECKS(reg, val) CHECK_S reg, val, __LINE__
#define CHECKP(pred, exp) CHECK_P pred, exp, __LINE__
#define FAIL() FAILED __LINE__

    .macro PASS
        PUTS "PASS\n"
        EXIT 0
    .endm
