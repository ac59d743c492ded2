/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-engine.h: the host I/O engine asked for by the subcommands
 * that walk metadata (check, map).  Their reads are small and come one
 * at a time: through the thread pool each costs a hand-off to a worker
 * thread and back, through io_uring one system call.  So they ask for
 * io_uring where the kernel allows it.  An explicit "aio" option of the
 * file node (--image-opts) still decides.
 */
#ifndef QEMU_IMG_ENGINE_H
#define QEMU_IMG_ENGINE_H

/*
 * BDRV_O_IO_URING if an io_uring ring can be set up here, else 0: open
 * flags to add for a metadata walk.  Probed once (a ring is set up for
 * the main AioContext and dropped again).  Main loop only.
 */
int img_metadata_engine_flags(void);

#endif
