/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: call and return clear %ctpr tags; ct %ctpr2 is then empty. */
#include "rt.S"

    START
        PUTS "before\n"
        disp %ctpr2, after
        disp %ctpr1, leaf
        call %ctpr1, wbs=12
        ct %ctpr2
        FAIL()
after:
    PASS

leaf:
        return %ctpr3
        ct %ctpr3
