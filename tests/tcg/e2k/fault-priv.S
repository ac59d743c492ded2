/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Must fault (user mode only): writing %psp.hi needs privileged mode. */
#include "rt.S"

    START
        PUTS "before\n"
        rwd,0 0x0010000000000000, %psp.hi
    PASS
