/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/blkdebug.c: the "blkdebug" fault-injection filter.
 *
 * blkdebug sits on top of an image ("blkdebug:config:image" or the "image"
 * child) and passes requests through, except where a rule says otherwise.
 * Rules hang off the debug events that drivers above raise with
 * BLKDBG_EVENT(): "inject-error" arms an error for the following requests,
 * "set-state" moves a small state machine that rules can depend on, and
 * breakpoints (from qemu-io's break/resume commands) suspend the coroutine
 * that raised the event until it is resumed.  Rules come from the options
 * (inject-error.N.*, set-state.N.*) and from a config file; reading those
 * lives in blkdebug-config.c.  The node can also advertise stricter limits
 * (align, max-transfer, ...) than its child.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/host-utils.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "block/qdict.h"
#include "blkdebug.h"

typedef enum BlkdebugAction {
    ACTION_INJECT_ERROR,
    ACTION_SET_STATE,
    ACTION_SUSPEND,
    ACTION__MAX,
} BlkdebugAction;

typedef enum BlkdebugIOType {
    BLKDEBUG_IO_TYPE_READ,
    BLKDEBUG_IO_TYPE_WRITE,
    BLKDEBUG_IO_TYPE_WRITE_ZEROES,
    BLKDEBUG_IO_TYPE_DISCARD,
    BLKDEBUG_IO_TYPE_FLUSH,
    BLKDEBUG_IO_TYPE_BLOCK_STATUS,
    BLKDEBUG_IO_TYPE__MAX,
} BlkdebugIOType;

static const char *const blkdebug_iotype_names[BLKDEBUG_IO_TYPE__MAX] = {
    [BLKDEBUG_IO_TYPE_READ]         = "read",
    [BLKDEBUG_IO_TYPE_WRITE]        = "write",
    [BLKDEBUG_IO_TYPE_WRITE_ZEROES] = "write-zeroes",
    [BLKDEBUG_IO_TYPE_DISCARD]      = "discard",
    [BLKDEBUG_IO_TYPE_FLUSH]        = "flush",
    [BLKDEBUG_IO_TYPE_BLOCK_STATUS] = "block-status",
};

/* Event names as accepted in "event = ..." and by qemu-io's "break". */
static const char *const blkdebug_event_names[BLKDBG__MAX] = {
    [BLKDBG_L1_UPDATE]                  = "l1_update",
    [BLKDBG_L1_GROW_ALLOC_TABLE]        = "l1_grow_alloc_table",
    [BLKDBG_L1_GROW_WRITE_TABLE]        = "l1_grow_write_table",
    [BLKDBG_L1_GROW_ACTIVATE_TABLE]     = "l1_grow_activate_table",
    [BLKDBG_L2_LOAD]                    = "l2_load",
    [BLKDBG_L2_UPDATE]                  = "l2_update",
    [BLKDBG_L2_UPDATE_COMPRESSED]       = "l2_update_compressed",
    [BLKDBG_L2_ALLOC_COW_READ]          = "l2_alloc_cow_read",
    [BLKDBG_L2_ALLOC_WRITE]             = "l2_alloc_write",
    [BLKDBG_READ_AIO]                   = "read_aio",
    [BLKDBG_READ_BACKING_AIO]           = "read_backing_aio",
    [BLKDBG_READ_COMPRESSED]            = "read_compressed",
    [BLKDBG_WRITE_AIO]                  = "write_aio",
    [BLKDBG_WRITE_COMPRESSED]           = "write_compressed",
    [BLKDBG_VMSTATE_LOAD]               = "vmstate_load",
    [BLKDBG_VMSTATE_SAVE]               = "vmstate_save",
    [BLKDBG_COW_READ]                   = "cow_read",
    [BLKDBG_COW_WRITE]                  = "cow_write",
    [BLKDBG_REFTABLE_LOAD]              = "reftable_load",
    [BLKDBG_REFTABLE_GROW]              = "reftable_grow",
    [BLKDBG_REFTABLE_UPDATE]            = "reftable_update",
    [BLKDBG_REFBLOCK_LOAD]              = "refblock_load",
    [BLKDBG_REFBLOCK_UPDATE]            = "refblock_update",
    [BLKDBG_REFBLOCK_UPDATE_PART]       = "refblock_update_part",
    [BLKDBG_REFBLOCK_ALLOC]             = "refblock_alloc",
    [BLKDBG_REFBLOCK_ALLOC_HOOKUP]      = "refblock_alloc_hookup",
    [BLKDBG_REFBLOCK_ALLOC_WRITE]       = "refblock_alloc_write",
    [BLKDBG_REFBLOCK_ALLOC_WRITE_BLOCKS] = "refblock_alloc_write_blocks",
    [BLKDBG_REFBLOCK_ALLOC_WRITE_TABLE] = "refblock_alloc_write_table",
    [BLKDBG_REFBLOCK_ALLOC_SWITCH_TABLE] = "refblock_alloc_switch_table",
    [BLKDBG_CLUSTER_ALLOC]              = "cluster_alloc",
    [BLKDBG_CLUSTER_ALLOC_BYTES]        = "cluster_alloc_bytes",
    [BLKDBG_CLUSTER_FREE]               = "cluster_free",
    [BLKDBG_FLUSH_TO_OS]                = "flush_to_os",
    [BLKDBG_FLUSH_TO_DISK]              = "flush_to_disk",
    [BLKDBG_PWRITEV_RMW_HEAD]           = "pwritev_rmw_head",
    [BLKDBG_PWRITEV_RMW_AFTER_HEAD]     = "pwritev_rmw_after_head",
    [BLKDBG_PWRITEV_RMW_TAIL]           = "pwritev_rmw_tail",
    [BLKDBG_PWRITEV_RMW_AFTER_TAIL]     = "pwritev_rmw_after_tail",
    [BLKDBG_PWRITEV]                    = "pwritev",
    [BLKDBG_PWRITEV_ZERO]               = "pwritev_zero",
    [BLKDBG_PWRITEV_DONE]               = "pwritev_done",
    [BLKDBG_EMPTY_IMAGE_PREPARE]        = "empty_image_prepare",
    [BLKDBG_L1_SHRINK_WRITE_TABLE]      = "l1_shrink_write_table",
    [BLKDBG_L1_SHRINK_FREE_L2_CLUSTERS] = "l1_shrink_free_l2_clusters",
    [BLKDBG_COR_WRITE]                  = "cor_write",
    [BLKDBG_CLUSTER_ALLOC_SPACE]        = "cluster_alloc_space",
    [BLKDBG_NONE]                       = "none",
};

typedef struct BlkdebugRule {
    BlkdebugEvent event;
    BlkdebugAction action;
    int state;                  /* fires only in this state; 0 = any */
    union {
        struct {
            uint64_t iotype_mask;
            int error;
            bool immediately;
            bool once;
            int64_t offset;     /* byte offset that must be hit, or -1 */
        } inject;
        struct {
            int new_state;
        } set_state;
        struct {
            char *tag;
        } suspend;
    } options;
    QLIST_ENTRY(BlkdebugRule) next;
    QSIMPLEQ_ENTRY(BlkdebugRule) active_next;
} BlkdebugRule;

typedef struct BlkdebugSuspendedReq {
    Coroutine *co;
    char *tag;
    QLIST_ENTRY(BlkdebugSuspendedReq) next;
} BlkdebugSuspendedReq;

typedef struct BDRVBlkdebugState {
    /* Limits advertised in place of the child's (0: the child's). */
    uint64_t align;
    uint64_t max_transfer;
    uint64_t opt_write_zero;
    uint64_t max_write_zero;
    uint64_t opt_discard;
    uint64_t max_discard;
    /* Permissions taken on / not shared with the child on top of usual. */
    uint64_t take_child_perms;
    uint64_t unshare_child_perms;
    char *config_file;

    /* Everything below is protected by @lock. */
    QemuMutex lock;
    int state;
    QLIST_HEAD(, BlkdebugRule) rules[BLKDBG__MAX];
    /* inject-error rules armed by the latest event that had any */
    QSIMPLEQ_HEAD(, BlkdebugRule) active_rules;
    QLIST_HEAD(, BlkdebugSuspendedReq) suspended_reqs;
} BDRVBlkdebugState;

static QemuOptsList runtime_opts = {
    .name = "blkdebug",
    .head = QTAILQ_HEAD_INITIALIZER(runtime_opts.head),
    .desc = {
        {
            .name = "config",
            .type = QEMU_OPT_STRING,
            .help = "Path to the configuration file",
        },
        {
            .name = "x-image",
            .type = QEMU_OPT_STRING,
            .help = "[internal use only, will be removed]",
        },
        {
            .name = "align",
            .type = QEMU_OPT_SIZE,
            .help = "Required alignment in bytes",
        },
        {
            .name = "max-transfer",
            .type = QEMU_OPT_SIZE,
            .help = "Maximum transfer size in bytes",
        },
        {
            .name = "opt-write-zero",
            .type = QEMU_OPT_SIZE,
            .help = "Optimum write zero alignment in bytes",
        },
        {
            .name = "max-write-zero",
            .type = QEMU_OPT_SIZE,
            .help = "Maximum write zero size in bytes",
        },
        {
            .name = "opt-discard",
            .type = QEMU_OPT_SIZE,
            .help = "Optimum discard alignment in bytes",
        },
        {
            .name = "max-discard",
            .type = QEMU_OPT_SIZE,
            .help = "Maximum discard size in bytes",
        },
        { /* end of list */ }
    },
};

static const char *const blkdebug_strong_runtime_opts[] = {
    "config",
    "inject-error.",
    "set-state.",
    "align",
    "max-transfer",
    "opt-write-zero",
    "max-write-zero",
    "opt-discard",
    "max-discard",
    NULL
};

/* Index of @name in @names[0..n), or -1 with @errp set. */
static int blkdebug_lookup(const char *const *names, int n, const char *name,
                           Error **errp)
{
    int i;

    for (i = 0; name && i < n; i++) {
        if (names[i] && !strcmp(names[i], name)) {
            return i;
        }
    }
    error_setg(errp, "invalid parameter value: %s", name ? name : "");
    return -1;
}

/* ---- rules ---- */

typedef struct AddRuleState {
    BDRVBlkdebugState *s;
    BlkdebugAction action;
    Error **errp;
} AddRuleState;

static int blkdebug_inject_fill(BlkdebugRule *rule, QemuOpts *opts,
                                Error **errp)
{
    const char *iotype = qemu_opt_get(opts, "iotype");
    int64_t sector;
    int t;

    rule->options.inject.error = qemu_opt_get_number(opts, "errno", EIO);
    rule->options.inject.once = qemu_opt_get_bool(opts, "once", false);
    rule->options.inject.immediately =
        qemu_opt_get_bool(opts, "immediately", false);
    sector = qemu_opt_get_number(opts, "sector", -1);
    rule->options.inject.offset =
        sector == -1 ? -1 : sector * BDRV_SECTOR_SIZE;

    if (!iotype) {
        /* Everything but block-status, as upstream. */
        rule->options.inject.iotype_mask =
            (1ull << BLKDEBUG_IO_TYPE_READ) |
            (1ull << BLKDEBUG_IO_TYPE_WRITE) |
            (1ull << BLKDEBUG_IO_TYPE_WRITE_ZEROES) |
            (1ull << BLKDEBUG_IO_TYPE_DISCARD) |
            (1ull << BLKDEBUG_IO_TYPE_FLUSH);
        return 0;
    }
    t = blkdebug_lookup(blkdebug_iotype_names, BLKDEBUG_IO_TYPE__MAX,
                        iotype, errp);
    if (t < 0) {
        return -EINVAL;
    }
    rule->options.inject.iotype_mask = 1ull << t;
    return 0;
}

static int add_rule(void *opaque, QemuOpts *opts, Error **errp)
{
    AddRuleState *d = opaque;
    BDRVBlkdebugState *s = d->s;
    BlkdebugRule *rule;
    int event;

    if (!qemu_opt_get(opts, "event")) {
        error_setg(errp, "Missing event name for rule");
        return -1;
    }
    event = blkdebug_lookup(blkdebug_event_names, BLKDBG__MAX,
                            qemu_opt_get(opts, "event"), errp);
    if (event < 0) {
        return -1;
    }

    rule = g_new0(BlkdebugRule, 1);
    rule->event = event;
    rule->action = d->action;
    rule->state = qemu_opt_get_number(opts, "state", 0);

    if (d->action == ACTION_INJECT_ERROR) {
        if (blkdebug_inject_fill(rule, opts, errp) < 0) {
            g_free(rule);
            return -1;
        }
    } else {
        rule->options.set_state.new_state =
            qemu_opt_get_number(opts, "new_state", 0);
    }

    QLIST_INSERT_HEAD(&s->rules[event], rule, next);
    return 0;
}

/* Caller holds s->lock (or owns @rule exclusively). */
static void remove_rule(BlkdebugRule *rule)
{
    if (rule->action == ACTION_SUSPEND) {
        g_free(rule->options.suspend.tag);
    }
    QLIST_REMOVE(rule, next);
    g_free(rule);
}

/* Build rules from every QemuOpts of the config groups, then reset them. */
static int blkdebug_load_rules(BDRVBlkdebugState *s, Error **errp)
{
    AddRuleState d = { .s = s, .action = ACTION_INJECT_ERROR };
    int ret;

    ret = qemu_opts_foreach(&blkdebug_inject_error_opts, add_rule, &d, errp);
    if (!ret) {
        d.action = ACTION_SET_STATE;
        ret = qemu_opts_foreach(&blkdebug_set_state_opts, add_rule, &d, errp);
    }
    return ret ? -EINVAL : 0;
}

/* ---- child permissions ---- */

static const char *const blkdebug_perm_names[] = {
    "consistent-read", "write", "write-unchanged", "resize",
};

/*
 * Collect the list @key.N (permission names) from @options into a mask;
 * the keys are consumed.  False with @errp set on a bad name.
 */
static bool blkdebug_parse_perm_list(QDict *options, const char *key,
                                     uint64_t *perms, Error **errp)
{
    g_autofree char *prefix = g_strdup_printf("%s.", key);
    QDict *sub = NULL;
    QList *list = NULL;
    QListEntry *e;
    bool ok = true;

    *perms = 0;
    qdict_extract_subqdict(options, &sub, prefix);
    qdict_array_split(sub, &list);
    if (qdict_size(sub)) {
        error_setg(errp, "Invalid parameter '%s'", key);
        ok = false;
    }
    QLIST_FOREACH_ENTRY(list, e) {
        QString *name = qobject_to(QString, qlist_entry_obj(e));
        int bit;

        if (!ok) {
            break;
        }
        bit = blkdebug_lookup(blkdebug_perm_names,
                              ARRAY_SIZE(blkdebug_perm_names),
                              name ? qstring_get_str(name) : NULL, NULL);
        if (bit < 0) {
            /* QEMU 7.2's visitor names the list element 'null'. */
            error_setg(errp, "Parameter 'null' does not accept value '%s'",
                       name ? qstring_get_str(name) : "");
            ok = false;
            break;
        }
        *perms |= 1ull << bit;
    }
    qobject_unref(sub);
    qobject_unref(list);
    return ok;
}

static void GRAPH_RDLOCK
blkdebug_child_perm(BlockDriverState *bs, BdrvChild *c, BdrvChildRole role,
                    BlockReopenQueue *reopen_queue, uint64_t perm,
                    uint64_t shared, uint64_t *nperm, uint64_t *nshared)
{
    BDRVBlkdebugState *s = bs->opaque;

    bdrv_default_perms(bs, c, role, reopen_queue, perm, shared,
                       nperm, nshared);
    *nperm |= s->take_child_perms;
    *nshared &= ~s->unshare_child_perms;
}

/* ---- open / close ---- */

static void blkdebug_parse_filename(const char *filename, QDict *options,
                                    Error **errp)
{
    const char *colon;

    if (!strstart(filename, "blkdebug:", &filename)) {
        /* No prefix: the other options must come from the QDict. */
        qdict_put_str(options, "x-image", filename);
        return;
    }
    colon = strchr(filename, ':');
    if (!colon) {
        error_setg(errp, "blkdebug requires both config file and image path");
        return;
    }
    if (colon != filename) {
        qdict_put(options, "config",
                  qstring_from_substr(filename, 0, colon - filename));
    }
    qdict_put_str(options, "x-image", colon + 1);
}

/*
 * Read one size option; it must be below INT_MAX and a multiple of
 * @align.  Returns false with @errp set otherwise.
 */
static bool blkdebug_get_limit(QemuOpts *opts, const char *name,
                               uint64_t align, uint64_t *out, Error **errp)
{
    *out = qemu_opt_get_size(opts, name, 0);
    if (*out && (*out >= INT_MAX || !QEMU_IS_ALIGNED(*out, align))) {
        error_setg(errp, "Cannot meet constraints with %s %" PRIu64,
                   name, *out);
        return false;
    }
    return true;
}

static int blkdebug_read_limits(BlockDriverState *bs, QemuOpts *opts,
                                Error **errp)
{
    BDRVBlkdebugState *s = bs->opaque;
    uint64_t align;

    s->align = qemu_opt_get_size(opts, "align", 0);
    if (s->align && (s->align >= INT_MAX || !is_power_of_2(s->align))) {
        error_setg(errp, "Cannot meet constraints with align %" PRIu64,
                   s->align);
        return -EINVAL;
    }
    align = MAX(s->align, bs->file->bs->bl.request_alignment);

    if (!blkdebug_get_limit(opts, "max-transfer", align, &s->max_transfer,
                            errp) ||
        !blkdebug_get_limit(opts, "opt-write-zero", align,
                            &s->opt_write_zero, errp) ||
        !blkdebug_get_limit(opts, "max-write-zero",
                            MAX(s->opt_write_zero, align),
                            &s->max_write_zero, errp) ||
        !blkdebug_get_limit(opts, "opt-discard", align, &s->opt_discard,
                            errp) ||
        !blkdebug_get_limit(opts, "max-discard",
                            MAX(s->opt_discard, align), &s->max_discard,
                            errp)) {
        return -EINVAL;
    }
    return 0;
}

static void blkdebug_free_rules(BDRVBlkdebugState *s)
{
    BlkdebugRule *rule, *next;
    int i;

    for (i = 0; i < BLKDBG__MAX; i++) {
        QLIST_FOREACH_SAFE(rule, &s->rules[i], next, next) {
            remove_rule(rule);
        }
    }
    QSIMPLEQ_INIT(&s->active_rules);
}

static int blkdebug_open(BlockDriverState *bs, QDict *options, int flags,
                         Error **errp)
{
    BDRVBlkdebugState *s = bs->opaque;
    g_autoptr(QemuOpts) opts = NULL;
    int ret;

    qemu_mutex_init(&s->lock);
    QSIMPLEQ_INIT(&s->active_rules);
    s->state = 1;

    opts = qemu_opts_create(&runtime_opts, NULL, 0, &error_abort);
    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        ret = -EINVAL;
        goto fail;
    }

    /* Rules from the config file first, then from the options. */
    s->config_file = g_strdup(qemu_opt_get(opts, "config"));
    ret = s->config_file ? blkdebug_read_config_file(s->config_file, errp)
                         : 0;
    if (!ret) {
        ret = blkdebug_options_to_groups(options, errp);
    }
    if (!ret) {
        ret = blkdebug_load_rules(s, errp);
    }
    qemu_opts_reset(&blkdebug_inject_error_opts);
    qemu_opts_reset(&blkdebug_set_state_opts);
    if (ret < 0) {
        goto fail;
    }

    if (!blkdebug_parse_perm_list(options, "take-child-perms",
                                  &s->take_child_perms, errp) ||
        !blkdebug_parse_perm_list(options, "unshare-child-perms",
                                  &s->unshare_child_perms, errp)) {
        ret = -EINVAL;
        goto fail;
    }

    if (!bdrv_open_child(qemu_opt_get(opts, "x-image"), options, "image",
                         bs, &child_of_bds,
                         BDRV_CHILD_FILTERED | BDRV_CHILD_PRIMARY,
                         false, errp)) {
        ret = -EINVAL;
        goto fail;
    }

    bdrv_graph_rdlock_main_loop();
    bs->supported_write_flags = BDRV_REQ_WRITE_UNCHANGED |
        (BDRV_REQ_FUA & bs->file->bs->supported_write_flags);
    bs->supported_zero_flags = BDRV_REQ_WRITE_UNCHANGED |
        ((BDRV_REQ_FUA | BDRV_REQ_MAY_UNMAP | BDRV_REQ_NO_FALLBACK) &
         bs->file->bs->supported_zero_flags);
    ret = blkdebug_read_limits(bs, opts, errp);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        goto fail;
    }
    return 0;

fail:
    blkdebug_free_rules(s);
    g_free(s->config_file);
    s->config_file = NULL;
    qemu_mutex_destroy(&s->lock);
    return ret;
}

static void blkdebug_close(BlockDriverState *bs)
{
    BDRVBlkdebugState *s = bs->opaque;

    blkdebug_free_rules(s);
    g_free(s->config_file);
    qemu_mutex_destroy(&s->lock);
}

/* ---- the request path ---- */

/*
 * Does an armed inject-error rule apply to this request?  Returns its
 * -errno (after yielding once unless "immediately" is set), or 0.
 */
static int coroutine_fn rule_check(BlockDriverState *bs, int64_t offset,
                                   int64_t bytes, BlkdebugIOType iotype)
{
    BDRVBlkdebugState *s = bs->opaque;
    BlkdebugRule *rule, *hit = NULL;
    bool immediately;
    int error;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        QSIMPLEQ_FOREACH(rule, &s->active_rules, active_next) {
            int64_t at = rule->options.inject.offset;

            if (!(rule->options.inject.iotype_mask & (1ull << iotype))) {
                continue;
            }
            if (at == -1 ||
                (bytes && at >= offset && at < offset + bytes)) {
                hit = rule;
                break;
            }
        }
        if (!hit || !hit->options.inject.error) {
            return 0;
        }
        immediately = hit->options.inject.immediately;
        error = hit->options.inject.error;
        if (hit->options.inject.once) {
            QSIMPLEQ_REMOVE(&s->active_rules, hit, BlkdebugRule, active_next);
            remove_rule(hit);
        }
    }

    if (!immediately) {
        /* Complete asynchronously, like a real failed request. */
        aio_co_schedule(qemu_get_current_aio_context(),
                        qemu_coroutine_self());
        qemu_coroutine_yield();
    }
    return -error;
}

/*
 * The block layer promised to respect the limits this node advertises
 * (that is what "align", "max-transfer" ... are there to test): check it.
 */
static void blkdebug_assert_rw_limits(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes)
{
    assert(QEMU_IS_ALIGNED(offset, bs->bl.request_alignment));
    assert(QEMU_IS_ALIGNED(bytes, bs->bl.request_alignment));
    if (bs->bl.max_transfer) {
        assert(bytes <= bs->bl.max_transfer);
    }
}

/* Does [offset, offset + bytes) stay within one @align block? */
static bool blkdebug_within_one_block(int64_t offset, int64_t bytes,
                                      uint32_t align)
{
    return QEMU_IS_ALIGNED(offset, align) ||
           QEMU_IS_ALIGNED(offset + bytes, align) ||
           DIV_ROUND_UP(offset, align) == DIV_ROUND_UP(offset + bytes, align);
}

static int coroutine_fn GRAPH_RDLOCK
blkdebug_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    int err;

    blkdebug_assert_rw_limits(bs, offset, bytes);
    err = rule_check(bs, offset, bytes, BLKDEBUG_IO_TYPE_READ);

    return err ? err : bdrv_co_preadv(bs->file, offset, bytes, qiov, flags);
}

static int coroutine_fn GRAPH_RDLOCK
blkdebug_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    int err;

    blkdebug_assert_rw_limits(bs, offset, bytes);
    err = rule_check(bs, offset, bytes, BLKDEBUG_IO_TYPE_WRITE);

    return err ? err : bdrv_co_pwritev(bs->file, offset, bytes, qiov, flags);
}

static int coroutine_fn GRAPH_RDLOCK
blkdebug_co_pwrite_zeroes(BlockDriverState *bs, int64_t offset,
                          int64_t bytes, BdrvRequestFlags flags)
{
    uint32_t align = MAX(bs->bl.request_alignment,
                         bs->bl.pwrite_zeroes_alignment);
    int err;

    /*
     * Pieces smaller than the zero alignment are refused, so that the
     * core's fallback to plain writes gets exercised; they must not
     * straddle an alignment boundary.
     */
    if (bytes < align) {
        assert(blkdebug_within_one_block(offset, bytes, align));
        return -ENOTSUP;
    }
    assert(QEMU_IS_ALIGNED(offset, align));
    assert(QEMU_IS_ALIGNED(bytes, align));
    if (bs->bl.max_pwrite_zeroes) {
        assert(bytes <= bs->bl.max_pwrite_zeroes);
    }
    err = rule_check(bs, offset, bytes, BLKDEBUG_IO_TYPE_WRITE_ZEROES);

    return err ? err : bdrv_co_pwrite_zeroes(bs->file, offset, bytes, flags);
}

static int coroutine_fn GRAPH_RDLOCK
blkdebug_co_pdiscard(BlockDriverState *bs, int64_t offset, int64_t bytes)
{
    uint32_t align = bs->bl.pdiscard_alignment;
    int err;

    /* Discard is advisory: sub-alignment pieces are silently dropped. */
    if (bytes < bs->bl.request_alignment) {
        assert(!align || blkdebug_within_one_block(offset, bytes, align));
        return 0;
    }
    assert(QEMU_IS_ALIGNED(offset, bs->bl.request_alignment));
    assert(QEMU_IS_ALIGNED(bytes, bs->bl.request_alignment));
    if (align && bytes >= align) {
        assert(QEMU_IS_ALIGNED(offset, align));
        assert(QEMU_IS_ALIGNED(bytes, align));
    }
    if (bs->bl.max_pdiscard) {
        assert(bytes <= bs->bl.max_pdiscard);
    }
    err = rule_check(bs, offset, bytes, BLKDEBUG_IO_TYPE_DISCARD);

    return err ? err : bdrv_co_pdiscard(bs->file, offset, bytes);
}

static int coroutine_fn GRAPH_RDLOCK blkdebug_co_flush(BlockDriverState *bs)
{
    int err = rule_check(bs, 0, 0, BLKDEBUG_IO_TYPE_FLUSH);

    return err ? err : bdrv_co_flush(bs->file->bs);
}

static int coroutine_fn GRAPH_RDLOCK
blkdebug_co_block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                         int64_t bytes, int64_t *pnum, int64_t *map,
                         BlockDriverState **file)
{
    int err = rule_check(bs, offset, bytes, BLKDEBUG_IO_TYPE_BLOCK_STATUS);

    if (err) {
        return err;
    }
    *pnum = bytes;
    *map = offset;
    *file = bs->file->bs;
    return BDRV_BLOCK_RAW | BDRV_BLOCK_OFFSET_VALID;
}

static int64_t coroutine_fn GRAPH_RDLOCK
blkdebug_co_getlength(BlockDriverState *bs)
{
    return bdrv_co_getlength(bs->file->bs);
}

static void GRAPH_RDLOCK blkdebug_refresh_limits(BlockDriverState *bs,
                                                 Error **errp)
{
    BDRVBlkdebugState *s = bs->opaque;

    if (s->align) {
        bs->bl.request_alignment = s->align;
    }
    if (s->max_transfer) {
        bs->bl.max_transfer = s->max_transfer;
    }
    if (s->opt_write_zero) {
        bs->bl.pwrite_zeroes_alignment = s->opt_write_zero;
    }
    if (s->max_write_zero) {
        bs->bl.max_pwrite_zeroes = s->max_write_zero;
    }
    if (s->opt_discard) {
        bs->bl.pdiscard_alignment = s->opt_discard;
    }
    if (s->max_discard) {
        bs->bl.max_pdiscard = s->max_discard;
    }
}

/* ---- events and breakpoints ---- */

/* Park the current coroutine's request under @rule's tag (lock held). */
static void suspend_request(BDRVBlkdebugState *s, BlkdebugRule *rule)
{
    BlkdebugSuspendedReq *r = g_new0(BlkdebugSuspendedReq, 1);

    r->co = qemu_coroutine_self();
    r->tag = g_strdup(rule->options.suspend.tag);
    remove_rule(rule);
    QLIST_INSERT_HEAD(&s->suspended_reqs, r, next);
    printf("blkdebug: Suspended request '%s'\n", r->tag);
    fflush(stdout);
}

/* Apply @rule for the current event (s->lock held). */
static void process_rule(BDRVBlkdebugState *s, BlkdebugRule *rule,
                         int *counts, int *new_state)
{
    BlkdebugAction action = rule->action;

    if (rule->state && rule->state != s->state) {
        return;
    }
    /* Count first: a breakpoint rule is used up (freed) when it hits. */
    counts[action]++;
    switch (action) {
    case ACTION_INJECT_ERROR:
        /* The first error rule of an event replaces the armed set. */
        if (counts[ACTION_INJECT_ERROR] == 1) {
            QSIMPLEQ_INIT(&s->active_rules);
        }
        QSIMPLEQ_INSERT_HEAD(&s->active_rules, rule, active_next);
        break;
    case ACTION_SET_STATE:
        *new_state = rule->options.set_state.new_state;
        break;
    case ACTION_SUSPEND:
        suspend_request(s, rule);
        break;
    default:
        g_assert_not_reached();
    }
}

static void coroutine_fn GRAPH_RDLOCK
blkdebug_co_debug_event(BlockDriverState *bs, BlkdebugEvent event)
{
    BDRVBlkdebugState *s = bs->opaque;
    BlkdebugRule *rule, *next;
    int counts[ACTION__MAX] = { 0 };
    int new_state;

    assert((int)event >= 0 && event < BLKDBG__MAX);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        new_state = s->state;
        QLIST_FOREACH_SAFE(rule, &s->rules[event], next, next) {
            process_rule(s, rule, counts, &new_state);
        }
        s->state = new_state;
    }

    /* One wake-up (resume) per breakpoint that hit. */
    while (counts[ACTION_SUSPEND]-- > 0) {
        qemu_coroutine_yield();
    }
}

static int blkdebug_debug_breakpoint(BlockDriverState *bs, const char *event,
                                     const char *tag)
{
    BDRVBlkdebugState *s = bs->opaque;
    BlkdebugRule *rule;
    int ev;

    ev = blkdebug_lookup(blkdebug_event_names, BLKDBG__MAX, event, NULL);
    if (ev < 0) {
        return -ENOENT;
    }
    rule = g_new0(BlkdebugRule, 1);
    rule->event = ev;
    rule->action = ACTION_SUSPEND;
    rule->state = 0;
    rule->options.suspend.tag = g_strdup(tag);

    QEMU_LOCK_GUARD(&s->lock);
    QLIST_INSERT_HEAD(&s->rules[ev], rule, next);
    return 0;
}

/*
 * Wake the request(s) suspended under @tag (all of them if @all).
 * 0 if at least one was woken, -ENOENT otherwise.
 */
static int resume_req_by_tag(BDRVBlkdebugState *s, const char *tag, bool all)
{
    BlkdebugSuspendedReq *r;
    Coroutine *co;
    int ret = -ENOENT;

    for (;;) {
        co = NULL;
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            QLIST_FOREACH(r, &s->suspended_reqs, next) {
                if (!strcmp(r->tag, tag)) {
                    break;
                }
            }
            if (r) {
                printf("blkdebug: Resuming request '%s'\n", r->tag);
                fflush(stdout);
                co = r->co;
                QLIST_REMOVE(r, next);
                g_free(r->tag);
                g_free(r);
            }
        }
        if (!co) {
            return ret;
        }
        aio_co_wake(co);
        ret = 0;
        if (!all) {
            return ret;
        }
    }
}

static int blkdebug_debug_resume(BlockDriverState *bs, const char *tag)
{
    return resume_req_by_tag(bs->opaque, tag, false);
}

static int blkdebug_debug_remove_breakpoint(BlockDriverState *bs,
                                            const char *tag)
{
    BDRVBlkdebugState *s = bs->opaque;
    BlkdebugRule *rule, *next;
    bool found = false;
    int i;

    WITH_QEMU_LOCK_GUARD(&s->lock) {
        for (i = 0; i < BLKDBG__MAX; i++) {
            QLIST_FOREACH_SAFE(rule, &s->rules[i], next, next) {
                if (rule->action == ACTION_SUSPEND &&
                    !strcmp(rule->options.suspend.tag, tag)) {
                    remove_rule(rule);
                    found = true;
                }
            }
        }
    }
    if (resume_req_by_tag(s, tag, true) == 0) {
        found = true;
    }
    return found ? 0 : -ENOENT;
}

static bool blkdebug_debug_is_suspended(BlockDriverState *bs,
                                        const char *tag)
{
    BDRVBlkdebugState *s = bs->opaque;
    BlkdebugSuspendedReq *r;

    QEMU_LOCK_GUARD(&s->lock);
    QLIST_FOREACH(r, &s->suspended_reqs, next) {
        if (!strcmp(r->tag, tag)) {
            return true;
        }
    }
    return false;
}

/* ---- graph glue ---- */

static void GRAPH_RDLOCK blkdebug_refresh_filename(BlockDriverState *bs)
{
    BDRVBlkdebugState *s = bs->opaque;
    g_autofree char *name = NULL;
    const QDictEntry *e;

    if (!bs->file || !bs->file->bs->exact_filename[0]) {
        return;
    }
    /* Only a config file and the image fit into "blkdebug:cfg:image". */
    for (e = qdict_first(bs->full_open_options ?: bs->options); e;
         e = qdict_next(bs->full_open_options ?: bs->options, e)) {
        if (strcmp(e->key, "config") && strcmp(e->key, "x-image") &&
            strcmp(e->key, "driver") && strcmp(e->key, "image") &&
            !g_str_has_prefix(e->key, "image.") &&
            strcmp(e->key, "node-name")) {
            return;
        }
    }
    name = g_strdup_printf("blkdebug:%s:%s", s->config_file ?: "",
                           bs->file->bs->exact_filename);
    if (strlen(name) < sizeof(bs->exact_filename)) {
        strcpy(bs->exact_filename, name);
    }
}

static int blkdebug_reopen_prepare(BDRVReopenState *reopen_state,
                                   BlockReopenQueue *queue, Error **errp)
{
    /* The rules and limits are fixed for the node's lifetime. */
    return 0;
}

BlockDriver bdrv_blkdebug = {
    .format_name                    = "blkdebug",
    .protocol_name                  = "blkdebug",
    .instance_size                  = sizeof(BDRVBlkdebugState),
    .is_filter                      = true,
    .strong_runtime_opts            = blkdebug_strong_runtime_opts,

    .bdrv_parse_filename            = blkdebug_parse_filename,
    .bdrv_file_open                 = blkdebug_open,
    .bdrv_close                     = blkdebug_close,
    .bdrv_reopen_prepare            = blkdebug_reopen_prepare,
    .bdrv_child_perm                = blkdebug_child_perm,
    .bdrv_refresh_limits            = blkdebug_refresh_limits,
    .bdrv_refresh_filename          = blkdebug_refresh_filename,

    .bdrv_co_getlength              = blkdebug_co_getlength,
    .bdrv_co_preadv                 = blkdebug_co_preadv,
    .bdrv_co_pwritev                = blkdebug_co_pwritev,
    .bdrv_co_flush_to_disk          = blkdebug_co_flush,
    .bdrv_co_pwrite_zeroes          = blkdebug_co_pwrite_zeroes,
    .bdrv_co_pdiscard               = blkdebug_co_pdiscard,
    .bdrv_co_block_status           = blkdebug_co_block_status,

    .bdrv_co_debug_event            = blkdebug_co_debug_event,
    .bdrv_debug_breakpoint          = blkdebug_debug_breakpoint,
    .bdrv_debug_remove_breakpoint   = blkdebug_debug_remove_breakpoint,
    .bdrv_debug_resume              = blkdebug_debug_resume,
    .bdrv_debug_is_suspended        = blkdebug_debug_is_suspended,
};

static void bdrv_blkdebug_init(void)
{
    bdrv_register(&bdrv_blkdebug);
}

block_init(bdrv_blkdebug_init);
