/* SPDX-License-Identifier: GPL-2.0-or-later */
/* temporary */
#include "qemu/osdep.h"
#include "qemu-img-common.h"
#include "qemu/error-report.h"
#define STUB(fn) int fn(int argc, char **argv) { error_report("not yet"); return 1; }
STUB(img_amend) STUB(img_bitmap) STUB(img_commit)

STUB(img_rebase)
