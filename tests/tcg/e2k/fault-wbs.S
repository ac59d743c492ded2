/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: call wbs=20 shifts by 40 registers, the window has 32. */
#include "rt.S"

    START
        PUTS "before\n"
        disp %ctpr1, leaf
        call %ctpr1, wbs=20
    PASS

leaf:
        return %ctpr3
        ct %ctpr3
