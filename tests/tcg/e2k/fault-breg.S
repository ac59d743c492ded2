/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault: %b[5] is outside a 4-register rotating area (rsz=1). */
#include "rt.S"

    START
        PUTS "before\n"
        setbn rsz=1, rbs=4, rcur=0
        addd,0 0, 1, %db[5]
    PASS
