/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/throttle.c: the "throttle" filter driver.
 *
 * Every request passing through the node is first admitted by its throttle
 * group ("throttle-group" option, an existing --object throttle-group),
 * which may make it wait; then it goes to the child unchanged.  Reads count
 * as THROTTLE_READ, writes, write-zeroes and discards as THROTTLE_WRITE.
 * While the node is drained its limits are off, so drains do not wait on
 * the clock.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "block/throttle-groups.h"

static QemuOptsList throttle_opts = {
    .name = "throttle",
    .head = QTAILQ_HEAD_INITIALIZER(throttle_opts.head),
    .desc = {
        {
            .name = QEMU_OPT_THROTTLE_GROUP_NAME,
            .type = QEMU_OPT_STRING,
            .help = "Name of the throttle group",
        },
        { /* end of list */ }
    },
};

static const char *const throttle_strong_runtime_opts[] = {
    QEMU_OPT_THROTTLE_GROUP_NAME,
    NULL
};

/* The group named in @options (consumed), checked to exist; or NULL. */
static char *throttle_parse_options(QDict *options, Error **errp)
{
    g_autoptr(QemuOpts) opts = qemu_opts_create(&throttle_opts, NULL, 0,
                                                &error_abort);
    const char *group;

    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        return NULL;
    }
    group = qemu_opt_get(opts, QEMU_OPT_THROTTLE_GROUP_NAME);
    if (!group) {
        error_setg(errp, "Please specify a throttle group");
        return NULL;
    }
    if (!throttle_group_exists(group)) {
        error_setg(errp, "Throttle group '%s' does not exist", group);
        return NULL;
    }
    return g_strdup(group);
}

static int throttle_open(BlockDriverState *bs, QDict *options, int flags,
                         Error **errp)
{
    ThrottleGroupMember *tgm = bs->opaque;
    g_autofree char *group = NULL;
    int ret;

    ret = bdrv_open_file_child(NULL, options, "file", bs, errp);
    if (ret < 0) {
        return ret;
    }

    bdrv_graph_rdlock_main_loop();
    bs->supported_write_flags = bs->file->bs->supported_write_flags |
                                BDRV_REQ_WRITE_UNCHANGED;
    bs->supported_zero_flags = bs->file->bs->supported_zero_flags |
                               BDRV_REQ_WRITE_UNCHANGED;
    bdrv_graph_rdunlock_main_loop();

    group = throttle_parse_options(options, errp);
    if (!group) {
        return -EINVAL;
    }
    throttle_group_register_tgm(tgm, group, bdrv_get_aio_context(bs));
    return 0;
}

static void throttle_close(BlockDriverState *bs)
{
    throttle_group_unregister_tgm(bs->opaque);
}

static int64_t coroutine_fn GRAPH_RDLOCK
throttle_co_getlength(BlockDriverState *bs)
{
    return bdrv_co_getlength(bs->file->bs);
}

static int coroutine_fn GRAPH_RDLOCK
throttle_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    throttle_group_co_io_limits_intercept(bs->opaque, bytes, THROTTLE_READ);
    return bdrv_co_preadv(bs->file, offset, bytes, qiov, flags);
}

static int coroutine_fn GRAPH_RDLOCK
throttle_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    throttle_group_co_io_limits_intercept(bs->opaque, bytes, THROTTLE_WRITE);
    return bdrv_co_pwritev(bs->file, offset, bytes, qiov, flags);
}

static int coroutine_fn GRAPH_RDLOCK
throttle_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset, int64_t bytes,
                          BdrvRequestFlags flags)
{
    throttle_group_co_io_limits_intercept(bs->opaque, bytes, THROTTLE_WRITE);
    return bdrv_co_pwrite_zeroes(bs->file, offset, bytes, flags);
}

static int coroutine_fn GRAPH_RDLOCK
throttle_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    throttle_group_co_io_limits_intercept(bs->opaque, bytes, THROTTLE_WRITE);
    return bdrv_co_pdiscard(bs->file, offset, bytes);
}

static int coroutine_fn GRAPH_RDLOCK
throttle_co_pwritev_compressed(BlockDriverState *bs, int64_t offset,
                               int64_t bytes, QEMUIOVector *qiov)
{
    return throttle_co_pwritev(bs, offset, bytes, qiov,
                               BDRV_REQ_WRITE_COMPRESSED);
}

static int coroutine_fn GRAPH_RDLOCK throttle_co_flush(BlockDriverState *bs)
{
    return bdrv_co_flush(bs->file->bs);
}

static int coroutine_fn GRAPH_RDLOCK
throttle_co_block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                         int64_t bytes, int64_t *pnum, int64_t *map,
                         BlockDriverState **file)
{
    *pnum = bytes;
    *map = offset;
    *file = bs->file->bs;
    return BDRV_BLOCK_RAW | BDRV_BLOCK_OFFSET_VALID;
}

static void throttle_detach_aio_context(BlockDriverState *bs)
{
    throttle_group_detach_aio_context(bs->opaque);
}

static void throttle_attach_aio_context(BlockDriverState *bs,
                                        AioContext *new_context)
{
    throttle_group_attach_aio_context(bs->opaque, new_context);
}

static void throttle_drain_begin(BlockDriverState *bs)
{
    ThrottleGroupMember *tgm = bs->opaque;

    /* Let everything queued go now; the drain must not wait for timers. */
    if (qatomic_fetch_inc(&tgm->io_limits_disabled) == 0) {
        throttle_group_restart_tgm(tgm);
    }
}

static void throttle_drain_end(BlockDriverState *bs)
{
    ThrottleGroupMember *tgm = bs->opaque;

    assert(tgm->io_limits_disabled);
    qatomic_dec(&tgm->io_limits_disabled);
}

/* Reopen may move the node to another group. */
static int throttle_reopen_prepare(BDRVReopenState *reopen_state,
                                   BlockReopenQueue *queue, Error **errp)
{
    char *group = throttle_parse_options(reopen_state->options, errp);

    if (!group) {
        return -EINVAL;
    }
    reopen_state->opaque = group;
    return 0;
}

static void throttle_reopen_commit(BDRVReopenState *reopen_state)
{
    ThrottleGroupMember *tgm = reopen_state->bs->opaque;
    g_autofree char *group = reopen_state->opaque;

    reopen_state->opaque = NULL;
    if (strcmp(group, throttle_group_get_name(tgm))) {
        AioContext *ctx = bdrv_get_aio_context(reopen_state->bs);

        throttle_group_unregister_tgm(tgm);
        throttle_group_register_tgm(tgm, group, ctx);
    }
}

static void throttle_reopen_abort(BDRVReopenState *reopen_state)
{
    g_free(reopen_state->opaque);
    reopen_state->opaque = NULL;
}

BlockDriver bdrv_throttle = {
    .format_name                    = "throttle",
    .instance_size                  = sizeof(ThrottleGroupMember),
    .is_filter                      = true,
    .strong_runtime_opts            = throttle_strong_runtime_opts,

    .bdrv_open                      = throttle_open,
    .bdrv_close                     = throttle_close,
    .bdrv_child_perm                = bdrv_default_perms,
    .bdrv_reopen_prepare            = throttle_reopen_prepare,
    .bdrv_reopen_commit             = throttle_reopen_commit,
    .bdrv_reopen_abort              = throttle_reopen_abort,
    .bdrv_detach_aio_context        = throttle_detach_aio_context,
    .bdrv_attach_aio_context        = throttle_attach_aio_context,
    .bdrv_drain_begin               = throttle_drain_begin,
    .bdrv_drain_end                 = throttle_drain_end,

    .bdrv_co_getlength              = throttle_co_getlength,
    .bdrv_co_preadv                 = throttle_co_preadv,
    .bdrv_co_pwritev                = throttle_co_pwritev,
    .bdrv_co_pwrite_zeroes          = throttle_co_pwrite_zeroes,
    .bdrv_co_pdiscard               = throttle_co_pdiscard,
    .bdrv_co_pwritev_compressed     = throttle_co_pwritev_compressed,
    .bdrv_co_flush                  = throttle_co_flush,
    .bdrv_co_block_status           = throttle_co_block_status,
};

static void bdrv_throttle_init(void)
{
    bdrv_register(&bdrv_throttle);
}

block_init(bdrv_throttle_init);
