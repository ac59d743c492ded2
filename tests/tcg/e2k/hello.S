/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Smallest runtime check: print a line and exit 0. */
#include "rt.S"

    START
    PUTS "hello, e2k\n"
    PASS
