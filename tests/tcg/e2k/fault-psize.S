/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: the callee's setwd (8 registers) is below its psize (16). */
#include "rt.S"

    START
        PUTS "before\n"
        disp %ctpr1, leaf
        call %ctpr1, wbs=8
    PASS

leaf:
        setwd wsz=4, nfx=1
        return %ctpr3
        ct %ctpr3
