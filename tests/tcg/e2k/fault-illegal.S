/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: ALS0 with the unused opcode 0x0D (the Linux gdb stub). */
#include "rt.S"

    START
        PUTS "before\n"
    .word 0x04000001, 0x0dc0c080
    PASS
