/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: ldd from an address that is not 8-byte aligned (MAS 0). */
#include "rt.S"

    START
        PUTS "before\n"
        addd,0 0, rt_scratch + 1, %dr0
        ldd,0 [ %dr0 + 0 ], %dr1
    PASS
