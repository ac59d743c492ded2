/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: %r20 lies outside an 8-register window (window bounds). */
#include "rt.S"

    START
        PUTS "before\n"
        setwd wsz=4, nfx=1
        addd,0 0, 1, %dr20
        setwd wsz=16, nfx=1
    PASS
