/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block_int.h: umbrella for drivers and the block core: the public block
 * API plus the driver-side structures and functions.  Prefer including
 * only the part you need (block_int-common.h, -global-state.h, -io.h).
 */
#ifndef BLOCK_INT_H
#define BLOCK_INT_H

#include "block/block.h"
#include "block/block_int-common.h"
#include "block/block_int-global-state.h"
#include "block/block_int-io.h"

#endif /* BLOCK_INT_H */
