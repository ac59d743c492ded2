/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-engine.c: io_uring for the metadata walks of check and map
 * when the kernel has it (see qemu-img-engine.h).
 */
#include "qemu/osdep.h"
#include "qemu-img-engine.h"
#include "block/block.h"
#include "block/raw-aio.h"
#include "qemu/main-loop.h"

int img_metadata_engine_flags(void)
{
    static int flags = -1;

    if (flags < 0) {
        AioContext *ctx = qemu_get_aio_context();

        flags = 0;
        if (aio_setup_linux_io_uring(ctx, NULL) == 0) {
            aio_put_linux_io_uring(ctx);
            flags = BDRV_O_IO_URING;
        }
    }
    return flags;
}
