/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block.h: umbrella for the public block API: shared types
 * (block-common.h), the main-loop functions (block-global-state.h) and
 * the I/O functions (block-io.h).  New code may include just one part.
 */
#ifndef BLOCK_H
#define BLOCK_H

#include "block/block-common.h"
#include "block/block-global-state.h"
#include "block/block-io.h"

#endif /* BLOCK_H */
