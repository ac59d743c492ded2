/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/qcow2-vmstate.c: the VM state area of qcow2 (savevm/loadvm,
 * qemu-io's read -b / write -b).  The area is an extension of the guest
 * address space: it starts at the first L1 slot past the disk
 * (qcow2_vm_state_offset()) and goes through the ordinary data path, so
 * its clusters are allocated, refcounted and checked like guest data and
 * an internal snapshot taken afterwards covers them as its "VM SIZE".
 */

#include "qemu/osdep.h"
#include "block/block_int.h"
#include "qcow2.h"

/*
 * Guest offset of byte @pos of the VM state, or -EINVAL when the request
 * [@pos, @pos + @bytes) would not fit in the addressable range.
 */
static int64_t vmstate_guest_offset(BlockDriverState *bs, int64_t pos,
                                    int64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t base = qcow2_vm_state_offset(s);

    if (pos < 0 || bytes < 0 || pos > INT64_MAX - base - bytes) {
        return -EINVAL;
    }
    return base + pos;
}

int coroutine_fn qcow2_co_save_vmstate(BlockDriverState *bs,
                                       QEMUIOVector *qiov, int64_t pos)
{
    int64_t offset = vmstate_guest_offset(bs, pos, qiov->size);

    if (offset < 0) {
        return offset;
    }
    BLKDBG_CO_EVENT(bs->file, BLKDBG_VMSTATE_SAVE);
    return qcow2_co_pwritev_part(bs, offset, qiov->size, qiov, 0, 0);
}

int coroutine_fn qcow2_co_load_vmstate(BlockDriverState *bs,
                                       QEMUIOVector *qiov, int64_t pos)
{
    int64_t offset = vmstate_guest_offset(bs, pos, qiov->size);

    if (offset < 0) {
        return offset;
    }
    BLKDBG_CO_EVENT(bs->file, BLKDBG_VMSTATE_LOAD);
    return qcow2_co_preadv_part(bs, offset, qiov->size, qiov, 0, 0);
}
