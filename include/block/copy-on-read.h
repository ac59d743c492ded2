/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * copy-on-read.h: what users of the copy-on-read filter (block/
 * copy-on-read.c) may call on it beyond the generic node interface.
 */
#ifndef BLOCK_COPY_ON_READ_H
#define BLOCK_COPY_ON_READ_H

#include "block/block_int.h"

/*
 * Remove the copy-on-read filter @cor_filter_bs from the graph (its
 * parents move to its child), releasing the backing chain it froze for
 * its "bottom" option.  Main loop; the caller holds no graph lock and
 * keeps its own reference to @cor_filter_bs.  Cannot fail: a failure to
 * drop the filter aborts.
 */
void bdrv_cor_filter_drop(BlockDriverState *cor_filter_bs);

#endif /* BLOCK_COPY_ON_READ_H */
