/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault (user mode only): load from an unmapped address. */
#include "rt.S"

    START
        PUTS "before\n"
        addd,0 0, 0x7ff000000000, %dr0
        ldd,0 [ %dr0 + 0 ], %dr1
    PASS
