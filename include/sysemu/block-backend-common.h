/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-backend-common.h: types shared by the BlockBackend API: the
 * device callbacks (BlockDevOps) and the error-policy enums
 * (BlockdevOnError for werror/rerror, BlockErrorAction), which come from
 * the QAPI schema.
 */
#ifndef BLOCK_BACKEND_COMMON_H
#define BLOCK_BACKEND_COMMON_H

#include "qemu/iov.h"
#include "block/block-common.h"
#include "qapi/qapi-types-block-core.h"

/*
 * Callbacks from the block layer to the device model using a
 * BlockBackend (blk_set_dev_ops()); @opaque is the device.  All optional.
 */
typedef struct BlockDevOps {
    /*
     * Global state (GS) callbacks: main loop, BQL held.
     */

    /*
     * The medium was changed (@load: a new one is present).  For devices
     * with a tray, a medium change also opens and closes the tray.  On
     * failure set @errp.
     */
    void (*change_media_cb)(void *opaque, bool load, Error **errp);
    /*
     * The user asked for ejection (@force: without asking the guest).
     * The device may only open its tray, honouring a medium lock.
     */
    void (*eject_request_cb)(void *opaque, bool force);

    /* Is the tray open?  Devices without a tray: leave NULL. */
    bool (*is_tray_open)(void *opaque);
    /* Has the guest locked the medium?  Without: NULL. */
    bool (*is_medium_locked)(void *opaque);

    /*
     * Runs while the BlockBackend's node is drained: stop issuing
     * requests until drained_end; drained_poll returns true while the
     * device still has requests it must complete first.
     */
    void (*drained_begin)(void *opaque);
    void (*drained_end)(void *opaque);
    bool (*drained_poll)(void *opaque);

    /*
     * I/O callbacks.
     */

    /* The medium's length changed. */
    void (*resize_cb)(void *opaque);
} BlockDevOps;

/*
 * BlockBackend state that is public to device code.  QEMU keeps the
 * throttle-group membership here; throttling is not part of this tree
 * yet, so only the flag exists.
 */
typedef struct BlockBackendPublic {
    bool throttling_enabled;
} BlockBackendPublic;

#endif /* BLOCK_BACKEND_COMMON_H */
