/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reopen.c: changing the options of open nodes.
 *
 * bdrv_reopen_queue() collects the nodes to change with their new options
 * (a node's children that inherited their options from it come along),
 * draining each one.  bdrv_reopen_multiple() then applies the queue as
 * one transaction: every driver prepares (.bdrv_reopen_prepare), the
 * permissions of the whole affected graph are recomputed for the state
 * after the reopen (read-only <-> read-write), and only if everything
 * succeeded does each node commit; otherwise all of them abort.
 *
 * The generic options read-only, auto-read-only, cache.* and
 * detect-zeroes may change; "backing" and "file" may point to another
 * node; any other option must either be understood by the driver or stay
 * as it was.
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "block/qdict.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"

/* --- Building the queue ----------------------------------------------- */

static void bdrv_join_options(BlockDriverState *bs, QDict *options,
                              QDict *old_options)
{
    if (bs->drv && bs->drv->bdrv_join_options) {
        bs->drv->bdrv_join_options(options, old_options);
    } else {
        qdict_join(options, old_options, false);
    }
}

static BlockReopenQueueEntry *reopen_queue_find(BlockReopenQueue *q,
                                                BlockDriverState *bs)
{
    BlockReopenQueueEntry *e;

    QTAILQ_FOREACH(e, q, entry) {
        if (e->state.bs == bs) {
            return e;
        }
    }
    return NULL;
}

static BlockReopenQueue * GRAPH_RDLOCK
bdrv_reopen_queue_child(BlockReopenQueue *q, BlockDriverState *bs,
                        QDict *options, const BdrvChildClass *klass,
                        BdrvChildRole role, bool parent_is_format,
                        QDict *parent_options, int parent_flags,
                        bool keep_old_opts);

/*
 * Queue the children of @bs that inherit from it, with the "child.*"
 * part of @options (or their old options if @options still names the
 * same node for them).
 */
static void GRAPH_RDLOCK bdrv_reopen_queue_children(BlockReopenQueue *q,
                                                    BlockDriverState *bs,
                                                    QDict *options,
                                                    QDict *explicit_options,
                                                    int flags,
                                                    bool keep_old_opts)
{
    BdrvChild *child;

    QLIST_FOREACH(child, &bs->children, next) {
        QDict *child_options = NULL;
        bool child_keep_old = keep_old_opts;

        /* Nodes the user created separately are reopened separately. */
        if (child->bs->inherits_from != bs) {
            continue;
        }
        if (qdict_haskey(options, child->name)) {
            const char *ref = qdict_get_try_str(options, child->name);

            /* Pointing elsewhere: the old child is left alone. */
            if (g_strcmp0(ref, child->bs->node_name)) {
                continue;
            }
            child_keep_old = true;
        } else {
            g_autofree char *key_dot = g_strdup_printf("%s.", child->name);

            qdict_extract_subqdict(explicit_options, NULL, key_dot);
            qdict_extract_subqdict(options, &child_options, key_dot);
        }
        bdrv_reopen_queue_child(q, child->bs, child_options, child->klass,
                                child->role, bs->drv->is_format, options,
                                flags, child_keep_old);
    }
}

static BlockReopenQueue *
bdrv_reopen_queue_child(BlockReopenQueue *q, BlockDriverState *bs,
                        QDict *options, const BdrvChildClass *klass,
                        BdrvChildRole role, bool parent_is_format,
                        QDict *parent_options, int parent_flags,
                        bool keep_old_opts)
{
    BlockReopenQueueEntry *e;
    QDict *explicit_options;
    int flags;

    if (!q) {
        q = g_new0(BlockReopenQueue, 1);
        QTAILQ_INIT(q);
    }
    options = options ?: qdict_new();
    e = reopen_queue_find(q, bs);

    /*
     * Precedence: options given now, then options the user gave before,
     * then what the parent passes down, then the old effective options.
     */
    if (e || keep_old_opts) {
        g_autoptr(QDict) old = qdict_clone_shallow(
            e ? e->state.explicit_options : bs->explicit_options);
        bdrv_join_options(bs, options, old);
    }
    explicit_options = qdict_clone_shallow(options);

    if (parent_options) {
        flags = 0;
        klass->inherit_options(role, parent_is_format, &flags, options,
                               parent_flags, parent_options);
    } else {
        flags = bdrv_get_flags(bs);
    }
    if (keep_old_opts) {
        g_autoptr(QDict) old = qdict_clone_shallow(bs->options);
        bdrv_join_options(bs, options, old);
    }

    bdrv_flags_from_options(options, &flags);
    flags &= ~BDRV_O_PROTOCOL;
    if (flags & BDRV_O_RDWR) {
        flags |= BDRV_O_ALLOW_RDWR;
    }

    if (!e) {
        e = g_new0(BlockReopenQueueEntry, 1);
        QTAILQ_INSERT_TAIL(q, e, entry);
        bdrv_ref(bs);
        bdrv_drained_begin(bs);
    } else {
        qobject_unref(e->state.options);
        qobject_unref(e->state.explicit_options);
    }
    e->state.bs = bs;
    e->state.options = options;
    e->state.explicit_options = explicit_options;
    e->state.flags = flags;
    if (!keep_old_opts) {
        e->state.backing_missing = !qdict_haskey(options, "backing") &&
                                   !qdict_haskey(options, "backing.driver");
    }

    bdrv_reopen_queue_children(q, bs, options, explicit_options, flags,
                               keep_old_opts);
    return q;
}

BlockReopenQueue *bdrv_reopen_queue(BlockReopenQueue *bs_queue,
                                    BlockDriverState *bs, QDict *options,
                                    bool keep_old_opts)
{
    BlockReopenQueue *q;

    GLOBAL_STATE_CODE();
    bdrv_graph_rdlock_main_loop();
    q = bdrv_reopen_queue_child(bs_queue, bs, options, NULL, 0, false, NULL,
                                0, keep_old_opts);
    bdrv_graph_rdunlock_main_loop();
    return q;
}

void bdrv_reopen_queue_free(BlockReopenQueue *bs_queue)
{
    BlockReopenQueueEntry *e, *next;

    GLOBAL_STATE_CODE();
    if (!bs_queue) {
        return;
    }
    QTAILQ_FOREACH_SAFE(e, bs_queue, entry, next) {
        BlockDriverState *bs = e->state.bs;

        bdrv_drained_end(bs);
        qobject_unref(e->state.options);
        qobject_unref(e->state.explicit_options);
        bdrv_unref(e->state.old_backing_bs);
        bdrv_unref(e->state.old_file_bs);
        bdrv_unref(bs);
        g_free(e);
    }
    g_free(bs_queue);
}

/* --- Preparing one node ----------------------------------------------- */

static bool bdrv_has_backing_locked(BlockDriverState *bs)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();
    return bs->backing != NULL;
}

/*
 * A driver option left out of a reopen would go back to its default;
 * only the driver's mutable options may do that.
 */
static int bdrv_reset_options_allowed(BlockDriverState *bs,
                                      const QDict *new_opts, Error **errp)
{
    static const char *const generic[] = {
        "node-name", "discard", BDRV_OPT_CACHE_DIRECT,
        BDRV_OPT_CACHE_NO_FLUSH, BDRV_OPT_READ_ONLY, BDRV_OPT_AUTO_READ_ONLY,
        "detect-zeroes", NULL,
    };
    const QDictEntry *e;

    for (e = qdict_first(bs->options); e; e = qdict_next(bs->options, e)) {
        if (!qdict_haskey(new_opts, e->key) &&
            !g_strv_contains(generic, e->key) &&
            !(bs->drv->mutable_opts &&
              g_strv_contains((const char *const *)bs->drv->mutable_opts,
                              e->key))) {
            error_setg(errp, "Option '%s' cannot be reset to its default "
                       "value", e->key);
            return -EINVAL;
        }
    }
    return 0;
}

/*
 * Apply a "backing" or "file" option of the reopen: a node name (the new
 * child) or null (no backing file).  The change is part of @tran.
 */
static int bdrv_reopen_parse_file_or_backing(BDRVReopenState *state,
                                             bool is_backing,
                                             Transaction *tran, Error **errp)
{
    BlockDriverState *bs = state->bs;
    const char *child_name = is_backing ? "backing" : "file";
    BlockDriverState *new_child_bs = NULL, *old_child_bs;
    QObject *value = qdict_get(state->options, child_name);
    int ret;

    if (!value) {
        return 0;
    }
    if (qobject_type(value) == QTYPE_QSTRING) {
        const char *name = qstring_get_str(qobject_to(QString, value));

        new_child_bs = bdrv_lookup_bs(NULL, name, errp);
        if (!new_child_bs) {
            return -EINVAL;
        }
    } else if (qobject_type(value) != QTYPE_QNULL || !is_backing) {
        error_setg(errp, QERR_INVALID_PARAMETER_TYPE, child_name,
                   is_backing ? "string or null" : "string");
        return -EINVAL;
    }

    bdrv_graph_rdlock_main_loop();
    old_child_bs = child_bs(is_backing ? bs->backing : bs->file);
    if (old_child_bs == new_child_bs ||
        (old_child_bs &&
         bdrv_skip_implicit_filters(old_child_bs) == new_child_bs)) {
        bdrv_graph_rdunlock_main_loop();
        return 0;
    }
    bdrv_graph_rdunlock_main_loop();

    if (old_child_bs && old_child_bs->implicit) {
        error_setg(errp, "Cannot replace implicit %s child of %s",
                   child_name, bs->node_name);
        return -EPERM;
    }
    if (bs->drv->is_filter && !old_child_bs) {
        error_setg(errp, "'%s' is a %s filter node that does not support a "
                   "%s child", bs->node_name, bs->drv->format_name,
                   child_name);
        return -EINVAL;
    }

    if (old_child_bs) {
        bdrv_ref(old_child_bs);
        if (is_backing) {
            state->old_backing_bs = old_child_bs;
        } else {
            state->old_file_bs = old_child_bs;
        }
        bdrv_drained_begin(old_child_bs);
    }
    if (new_child_bs) {
        bdrv_drained_begin(new_child_bs);
    }
    bdrv_graph_wrlock();
    ret = bdrv_set_file_or_backing_noperm(bs, new_child_bs, is_backing, tran,
                                          errp);
    bdrv_graph_wrunlock();
    if (new_child_bs) {
        bdrv_drained_end(new_child_bs);
    }
    if (old_child_bs) {
        bdrv_drained_end(old_child_bs);
    }
    return ret;
}

/* Options nobody handled must not have changed. */
static int GRAPH_RDLOCK bdrv_reopen_check_unchanged(BDRVReopenState *state,
                                                    Error **errp)
{
    BlockDriverState *bs = state->bs;
    const QDictEntry *e;
    BdrvChild *child;

    for (e = qdict_first(state->options); e;
         e = qdict_next(state->options, e)) {
        QObject *old = qdict_get(bs->options, e->key);

        /* "child=node" naming the current child is no change. */
        if (qobject_type(e->value) == QTYPE_QSTRING) {
            const char *name = qstring_get_str(qobject_to(QString, e->value));
            bool same_child = false;

            QLIST_FOREACH(child, &bs->children, next) {
                if (!strcmp(child->name, e->key)) {
                    same_child = !strcmp(child->bs->node_name, name);
                    break;
                }
            }
            if (same_child) {
                continue;
            }
        }
        if (!qobject_is_equal(e->value, old)) {
            error_setg(errp, "Cannot change the option '%s'", e->key);
            return -EINVAL;
        }
    }
    return 0;
}

static int bdrv_reopen_prepare_driver(BDRVReopenState *state,
                                      BlockReopenQueue *q, Error **errp)
{
    BlockDriverState *bs = state->bs;
    BlockDriver *drv = bs->drv;
    Error *local_err = NULL;
    int ret;

    if (!drv->bdrv_reopen_prepare) {
        GRAPH_RDLOCK_GUARD_MAINLOOP();
        error_setg(errp, "Block format '%s' used by node '%s' does not "
                   "support reopening files", drv->format_name,
                   bdrv_get_device_or_node_name(bs));
        return -ENOTSUP;
    }
    ret = bdrv_reset_options_allowed(bs, state->options, errp);
    if (ret < 0) {
        return ret;
    }
    ret = drv->bdrv_reopen_prepare(state, q, &local_err);
    if (ret < 0) {
        if (local_err) {
            error_propagate(errp, local_err);
        } else {
            bdrv_graph_rdlock_main_loop();
            bdrv_refresh_filename(bs);
            bdrv_graph_rdunlock_main_loop();
            error_setg(errp, "failed while preparing to reopen image '%s'",
                       bs->filename);
        }
    }
    return ret;
}

/*
 * Check and prepare the reopen of one node.  On failure nothing of it
 * remains (the driver has been told to abort).
 */
static int bdrv_reopen_prepare(BDRVReopenState *state, BlockReopenQueue *q,
                               Transaction *tran, Error **errp)
{
    BlockDriverState *bs = state->bs;
    BlockDriver *drv = bs->drv;
    QDict *orig_options;
    bool drv_prepared = false;
    int ret;

    assert(drv);
    orig_options = qdict_clone_shallow(state->options);

    ret = bdrv_parse_common_reopen_opts(state->options, &state->flags,
                                        &state->detect_zeroes, errp);
    if (ret < 0) {
        goto out;
    }
    bdrv_graph_rdlock_main_loop();
    ret = bdrv_can_set_read_only(bs, !(state->flags & BDRV_O_RDWR), true,
                                 errp);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        goto out;
    }

    ret = bdrv_reopen_prepare_driver(state, q, errp);
    if (ret < 0) {
        goto out;
    }
    drv_prepared = true;

    if (drv->supports_backing && state->backing_missing &&
        (bdrv_has_backing_locked(bs) || bs->backing_file[0])) {
        error_setg(errp, "backing is missing for '%s'", bs->node_name);
        ret = -EINVAL;
        goto out;
    }

    ret = bdrv_reopen_parse_file_or_backing(state, true, tran, errp);
    if (ret < 0) {
        goto out;
    }
    qdict_del(state->options, "backing");
    ret = bdrv_reopen_parse_file_or_backing(state, false, tran, errp);
    if (ret < 0) {
        goto out;
    }
    qdict_del(state->options, "file");

    bdrv_graph_rdlock_main_loop();
    ret = bdrv_reopen_check_unchanged(state, errp);
    bdrv_graph_rdunlock_main_loop();
    if (ret == 0) {
        /* The committed options are all of them, not just the leftovers. */
        qobject_unref(state->options);
        state->options = qobject_ref(orig_options);
    }

out:
    if (ret < 0 && drv_prepared && drv->bdrv_reopen_abort) {
        drv->bdrv_reopen_abort(state);
    }
    qobject_unref(orig_options);
    return ret;
}

/* --- Commit, abort, and the whole queue ------------------------------- */

static void bdrv_reopen_commit(BDRVReopenState *state)
{
    BlockDriverState *bs = state->bs;
    BdrvChild *child;

    if (bs->drv->bdrv_reopen_commit) {
        bs->drv->bdrv_reopen_commit(state);
    }

    qobject_unref(bs->explicit_options);
    qobject_unref(bs->options);
    bs->explicit_options = qobject_ref(state->explicit_options);
    bs->options = qobject_ref(state->options);
    bs->open_flags = state->flags;
    bs->detect_zeroes = state->detect_zeroes;

    /* Child references live in the edges, not in the options. */
    bdrv_graph_rdlock_main_loop();
    QLIST_FOREACH(child, &bs->children, next) {
        qdict_del(bs->explicit_options, child->name);
        qdict_del(bs->options, child->name);
    }
    qdict_del(bs->explicit_options, "backing");
    qdict_del(bs->options, "backing");
    bdrv_refresh_limits(bs, NULL, NULL);
    bdrv_graph_rdunlock_main_loop();
}

static void bdrv_reopen_abort(BDRVReopenState *state)
{
    BlockDriver *drv = state->bs->drv;

    if (drv->bdrv_reopen_abort) {
        drv->bdrv_reopen_abort(state);
    }
}

static int bdrv_reopen_refresh_perms(BlockReopenQueue *q, Transaction *tran,
                                     Error **errp)
{
    BlockReopenQueueEntry *e;
    GSList *list = NULL;
    int ret;

    QTAILQ_FOREACH(e, q, entry) {
        list = g_slist_prepend(list, e->state.bs);
        if (e->state.old_backing_bs) {
            list = g_slist_prepend(list, e->state.old_backing_bs);
        }
        if (e->state.old_file_bs) {
            list = g_slist_prepend(list, e->state.old_file_bs);
        }
    }
    bdrv_graph_rdlock_main_loop();
    ret = bdrv_list_refresh_perms(list, q, tran, errp);
    bdrv_graph_rdunlock_main_loop();
    g_slist_free(list);
    return ret;
}

int bdrv_reopen_multiple(BlockReopenQueue *bs_queue, Error **errp)
{
    Transaction *tran = tran_new();
    BlockReopenQueueEntry *e;
    int ret;

    GLOBAL_STATE_CODE();
    QTAILQ_FOREACH(e, bs_queue, entry) {
        ret = bdrv_flush(e->state.bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Error flushing drive");
            goto abort;
        }
    }
    QTAILQ_FOREACH(e, bs_queue, entry) {
        assert(e->state.bs->quiesce_counter > 0);
        ret = bdrv_reopen_prepare(&e->state, bs_queue, tran, errp);
        if (ret < 0) {
            goto abort;
        }
        e->prepared = true;
    }

    ret = bdrv_reopen_refresh_perms(bs_queue, tran, errp);
    if (ret < 0) {
        goto abort;
    }

    /* Last prepared, first committed, as in any transaction. */
    QTAILQ_FOREACH_REVERSE(e, bs_queue, entry) {
        bdrv_reopen_commit(&e->state);
    }
    bdrv_graph_wrlock();
    tran_commit(tran);
    bdrv_graph_wrunlock();
    QTAILQ_FOREACH_REVERSE(e, bs_queue, entry) {
        BlockDriver *drv = e->state.bs->drv;

        if (drv->bdrv_reopen_commit_post) {
            drv->bdrv_reopen_commit_post(&e->state);
        }
    }
    bdrv_reopen_queue_free(bs_queue);
    return 0;

abort:
    bdrv_graph_wrlock();
    tran_abort(tran);
    bdrv_graph_wrunlock();
    QTAILQ_FOREACH(e, bs_queue, entry) {
        if (e->prepared) {
            bdrv_reopen_abort(&e->state);
        }
    }
    bdrv_reopen_queue_free(bs_queue);
    return ret;
}

int bdrv_reopen(BlockDriverState *bs, QDict *opts, bool keep_old_opts,
                Error **errp)
{
    GLOBAL_STATE_CODE();
    return bdrv_reopen_multiple(bdrv_reopen_queue(NULL, bs, opts,
                                                  keep_old_opts), errp);
}

int bdrv_reopen_set_read_only(BlockDriverState *bs, bool read_only,
                              Error **errp)
{
    QDict *opts = qdict_new();

    GLOBAL_STATE_CODE();
    qdict_put_bool(opts, BDRV_OPT_READ_ONLY, read_only);
    return bdrv_reopen(bs, opts, true, errp);
}
