/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * limits.c: computing a node's I/O limits (bs->bl).
 *
 * bdrv_refresh_limits() starts from defaults, takes the limits of the
 * children that carry the node's data, and lets the driver adjust the
 * result.  Called after open, after graph changes and after reopen.
 * The request path that obeys the limits is block/io.c.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/transactions.h"

/* Make @dst at least as strict as @src. */
static void bdrv_merge_limits(BlockLimits *dst, const BlockLimits *src)
{
    dst->pdiscard_alignment = MAX(dst->pdiscard_alignment,
                                  src->pdiscard_alignment);
    dst->opt_transfer = MAX(dst->opt_transfer, src->opt_transfer);
    dst->max_transfer = MIN_NON_ZERO(dst->max_transfer, src->max_transfer);
    dst->max_hw_transfer = MIN_NON_ZERO(dst->max_hw_transfer,
                                        src->max_hw_transfer);
    dst->opt_mem_alignment = MAX(dst->opt_mem_alignment,
                                 src->opt_mem_alignment);
    dst->min_mem_alignment = MAX(dst->min_mem_alignment,
                                 src->min_mem_alignment);
    dst->max_iov = MIN_NON_ZERO(dst->max_iov, src->max_iov);
    dst->max_hw_iov = MIN_NON_ZERO(dst->max_hw_iov, src->max_hw_iov);
}

typedef struct LimitsUndo {
    BlockDriverState *bs;
    BlockLimits old;
} LimitsUndo;

static void limits_abort(void *opaque)
{
    LimitsUndo *u = opaque;

    u->bs->bl = u->old;
}

static TransactionActionDrv limits_drv = {
    .abort = limits_abort,
    .clean = g_free,
};

void bdrv_refresh_limits(BlockDriverState *bs, Transaction *tran,
                         Error **errp)
{
    ERRP_GUARD();
    BlockDriver *drv = bs->drv;
    bool have_limits = false;
    BdrvChild *c;

    GLOBAL_STATE_CODE();
    if (tran) {
        LimitsUndo *u = g_new(LimitsUndo, 1);

        *u = (LimitsUndo) { .bs = bs, .old = bs->bl };
        tran_add(tran, &limits_drv, u);
    }

    memset(&bs->bl, 0, sizeof(bs->bl));
    if (!drv) {
        return;
    }

    /* Byte-based drivers take any alignment, sector-based ones 512. */
    bs->bl.request_alignment = (drv->bdrv_co_preadv ||
                                drv->bdrv_co_preadv_part ||
                                drv->bdrv_aio_preadv) ? 1 : 512;

    QLIST_FOREACH(c, &bs->children, next) {
        if (c->role & (BDRV_CHILD_DATA | BDRV_CHILD_FILTERED |
                       BDRV_CHILD_COW)) {
            bdrv_merge_limits(&bs->bl, &c->bs->bl);
            have_limits = true;
        }
        if (c->role & BDRV_CHILD_FILTERED) {
            bs->bl.has_variable_length |= c->bs->bl.has_variable_length;
        }
    }
    if (!have_limits) {
        /* Defaults fit the readv()/writev() style of most protocols. */
        bs->bl.min_mem_alignment = 512;
        bs->bl.opt_mem_alignment = qemu_real_host_page_size();
        bs->bl.max_iov = IOV_MAX;
    }

    if (drv->bdrv_refresh_limits) {
        drv->bdrv_refresh_limits(bs, errp);
        if (*errp) {
            return;
        }
    }
    if (bs->bl.request_alignment > BDRV_MAX_ALIGNMENT) {
        error_setg(errp, "Driver requires too large request alignment");
    }
}
