/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-bitmap.h: the persistent-bitmap steps of "qemu-img convert
 * --bitmaps" (in qemu-img-bitmap.c), each reporting its own errors with
 * QEMU 7.2's messages and returning 0 or -1.
 */
#ifndef QEMU_IMG_BITMAP_H
#define QEMU_IMG_BITMAP_H

#include "sysemu/block-backend.h"

/*
 * Before the target is created: one source only, able to hold bitmaps,
 * and (unless @skip_broken) without inconsistent ones.
 */
int img_convert_check_bitmaps(BlockBackend **src, int src_num,
                              bool skip_broken);

/* After the target is opened: its format must store bitmaps. */
int img_convert_check_target_bitmaps(BlockDriverState *dst);

/*
 * After the copy: give @dst a persistent bitmap for each persistent one
 * of @src (same name, granularity and enabled state, same contents);
 * inconsistent ones are skipped with a warning when @skip_broken.
 */
int img_convert_copy_bitmaps(BlockDriverState *src, BlockDriverState *dst,
                             bool skip_broken);

#endif /* QEMU_IMG_BITMAP_H */
