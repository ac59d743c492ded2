/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: integer division by zero (udivd on channel 5). */
#include "rt.S"

    START
        PUTS "before\n"
    {
        addd,0 0, 100, %dr0
        addd,1 0, 0, %dr1
    }
        udivd,5 %dr0, %dr1, %dr2
    PASS
