/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block.c: the node graph's registries and node lifecycle.
 *
 * The list of registered drivers (bdrv_register, lookup by format or
 * protocol name, format probing), the lists of nodes (all of them, the
 * named ones, the monitor-owned ones) and node names, creating, referencing
 * and closing nodes, simple per-node queries, and file name bookkeeping
 * (path helpers, bdrv_refresh_filename).
 *
 * The rest of the graph core lives in block/: open.c and open-opts.c
 * (bdrv_open and the options every node has), graph-mod.c (edges),
 * chain.c (filter/backing chains), perm.c (permissions), reopen.c,
 * aio-ctx.c (AioContext moves), activate.c, limits.c, node-info.c
 * (queries answered by drivers) and create.c (image creation).
 */
#include "qemu/osdep.h"
#include "block/block_int.h"
#include "block/bdrv-internal.h"
#include "block/qdict.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "sysemu/block-backend.h"

static QLIST_HEAD(, BlockDriver) bdrv_drivers =
    QLIST_HEAD_INITIALIZER(bdrv_drivers);

/* Nodes with a name, every node, and the nodes the monitor holds. */
static QTAILQ_HEAD(, BlockDriverState) graph_bdrv_states =
    QTAILQ_HEAD_INITIALIZER(graph_bdrv_states);
static QTAILQ_HEAD(, BlockDriverState) all_bdrv_states =
    QTAILQ_HEAD_INITIALIZER(all_bdrv_states);
static QTAILQ_HEAD(, BlockDriverState) monitor_bdrv_states =
    QTAILQ_HEAD_INITIALIZER(monitor_bdrv_states);

/* --- Paths ------------------------------------------------------------ */

int path_has_protocol(const char *path)
{
    const char *p = path + strcspn(path, ":/");

    return *p == ':';
}

int path_is_absolute(const char *path)
{
    return path[0] == '/';
}

char *path_combine(const char *base_path, const char *filename)
{
    const char *slash;
    const char *prefix_end;
    size_t len;

    if (path_is_absolute(filename)) {
        return g_strdup(filename);
    }
    /* Keep "proto:" of the base even when it has no directory part. */
    prefix_end = base_path;
    if (path_has_protocol(base_path)) {
        prefix_end = strchr(base_path, ':') + 1;
    }
    slash = strrchr(base_path, '/');
    len = slash && slash >= prefix_end ? slash + 1 - base_path
                                       : prefix_end - base_path;
    return g_strdup_printf("%.*s%s", (int)len, base_path, filename);
}

void bdrv_parse_filename_strip_prefix(const char *filename, const char *prefix,
                                      QDict *options)
{
    const char *rest;

    if (strstart(filename, prefix, &rest)) {
        /* "prefix:" without anything behind names nothing */
        if (*rest == ':') {
            rest++;
        } else if (*rest) {
            rest = filename;
        }
        qdict_put_str(options, "filename", rest);
    } else {
        qdict_put_str(options, "filename", filename);
    }
}

char *create_tmp_file(Error **errp)
{
    const char *dir = g_getenv("TMPDIR") ?: "/var/tmp";
    g_autofree char *name = g_strdup_printf("%s/vl.XXXXXX", dir);
    int fd = g_mkstemp(name);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open temporary file '%s'",
                         name);
        return NULL;
    }
    close(fd);
    return g_steal_pointer(&name);
}

/* --- Driver registry -------------------------------------------------- */

void bdrv_register(BlockDriver *bdrv)
{
    assert(bdrv->format_name);
    GLOBAL_STATE_CODE();
    QLIST_INSERT_HEAD(&bdrv_drivers, bdrv, list);
}

void bdrv_init(void)
{
    module_call_init(MODULE_INIT_BLOCK);
}

BlockDriver *bdrv_find_format(const char *format_name)
{
    BlockDriver *drv;

    GLOBAL_STATE_CODE();
    QLIST_FOREACH(drv, &bdrv_drivers, list) {
        if (!strcmp(drv->format_name, format_name)) {
            return drv;
        }
    }
    return NULL;
}

/* The host-device driver with the best score for @filename, if any. */
static BlockDriver *bdrv_probe_device(const char *filename)
{
    BlockDriver *drv, *best = NULL;
    int score, best_score = 0;

    QLIST_FOREACH(drv, &bdrv_drivers, list) {
        if (drv->bdrv_probe_device) {
            score = drv->bdrv_probe_device(filename);
            if (score > best_score) {
                best_score = score;
                best = drv;
            }
        }
    }
    return best;
}

BlockDriver *bdrv_find_protocol(const char *filename,
                                bool allow_protocol_prefix,
                                Error **errp)
{
    BlockDriver *drv;
    size_t len;

    GLOBAL_STATE_CODE();
    drv = bdrv_probe_device(filename);
    if (drv) {
        return drv;
    }

    if (!path_has_protocol(filename) || !allow_protocol_prefix) {
        drv = bdrv_find_format("file");
        if (!drv) {
            error_setg(errp, "Unknown protocol 'file'");
        }
        return drv;
    }

    len = strchr(filename, ':') - filename;
    QLIST_FOREACH(drv, &bdrv_drivers, list) {
        if (drv->protocol_name && strlen(drv->protocol_name) == len &&
            !strncmp(drv->protocol_name, filename, len)) {
            return drv;
        }
    }
    error_setg(errp, "Unknown protocol '%.*s'", (int)len, filename);
    return NULL;
}

BlockDriver *bdrv_probe_all(const uint8_t *buf, int buf_size,
                            const char *filename)
{
    BlockDriver *drv, *best = NULL;
    int score, best_score = 0;

    QLIST_FOREACH(drv, &bdrv_drivers, list) {
        if (drv->bdrv_probe) {
            score = drv->bdrv_probe(buf, buf_size, filename);
            if (score > best_score) {
                best_score = score;
                best = drv;
            }
        }
    }
    return best;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void bdrv_iterate_format(void (*it)(void *opaque, const char *name),
                         void *opaque, bool read_only)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    BlockDriver *drv;
    guint i;

    GLOBAL_STATE_CODE();
    QLIST_FOREACH(drv, &bdrv_drivers, list) {
        if (drv->format_name && drv->format_name[0]) {
            g_ptr_array_add(names, (gpointer)drv->format_name);
        }
    }
    g_ptr_array_sort(names, compare_names);
    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);

        if (i == 0 || strcmp(name, g_ptr_array_index(names, i - 1))) {
            it(opaque, name);
        }
    }
}

/* --- Node names and node lists ---------------------------------------- */

/* A letter, then letters, digits, '-', '.' and '_'. */
static bool node_name_wellformed(const char *name)
{
    const char *p;

    if (!g_ascii_isalpha(name[0])) {
        return false;
    }
    for (p = name + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

/*
 * Generated names start with '#', which user names cannot, then a
 * counter and two random digits, so that nobody relies on them.
 */
static char *bdrv_generate_node_name(void)
{
    static uint64_t counter;

    return g_strdup_printf("#block%" PRIu64 "%02d", ++counter,
                           g_random_int_range(0, 100));
}

int bdrv_assign_node_name(BlockDriverState *bs, const char *node_name,
                          Error **errp)
{
    g_autofree char *generated = NULL;

    if (!node_name) {
        node_name = generated = bdrv_generate_node_name();
    } else if (!node_name_wellformed(node_name)) {
        error_setg(errp, "Invalid node-name: '%s'", node_name);
        return -EINVAL;
    }
    if (blk_by_name(node_name)) {
        error_setg(errp, "node-name=%s is conflicting with a device id",
                   node_name);
        return -EINVAL;
    }
    if (bdrv_find_node(node_name)) {
        error_setg(errp, "Duplicate nodes with node-name='%s'", node_name);
        return -EINVAL;
    }
    if (strlen(node_name) >= sizeof(bs->node_name)) {
        error_setg(errp, "Node name too long");
        return -EINVAL;
    }
    pstrcpy(bs->node_name, sizeof(bs->node_name), node_name);
    QTAILQ_INSERT_TAIL(&graph_bdrv_states, bs, node_list);
    return 0;
}

void bdrv_forget_node_name(BlockDriverState *bs)
{
    if (bs->node_name[0]) {
        QTAILQ_REMOVE(&graph_bdrv_states, bs, node_list);
        bs->node_name[0] = '\0';
    }
}

BlockDriverState *bdrv_find_node(const char *node_name)
{
    BlockDriverState *bs;

    assert(node_name);
    GLOBAL_STATE_CODE();
    QTAILQ_FOREACH(bs, &graph_bdrv_states, node_list) {
        if (!strcmp(node_name, bs->node_name)) {
            return bs;
        }
    }
    return NULL;
}

BlockDriverState *bdrv_lookup_bs(const char *device, const char *node_name,
                                 Error **errp)
{
    BlockBackend *blk;
    BlockDriverState *bs;

    GLOBAL_STATE_CODE();
    if (device) {
        blk = blk_by_name(device);
        if (blk) {
            bs = blk_bs(blk);
            if (!bs) {
                error_setg(errp, "Device '%s' has no medium", device);
            }
            return bs;
        }
    }
    if (node_name) {
        bs = bdrv_find_node(node_name);
        if (bs) {
            return bs;
        }
    }
    error_setg(errp, "Cannot find device=\'%s\' nor node-name=\'%s\'",
               device ?: "", node_name ?: "");
    return NULL;
}

BlockDriverState *bdrv_next_node(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();
    return bs ? QTAILQ_NEXT(bs, node_list) : QTAILQ_FIRST(&graph_bdrv_states);
}

BlockDriverState *bdrv_next_all_states(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();
    return bs ? QTAILQ_NEXT(bs, bs_list) : QTAILQ_FIRST(&all_bdrv_states);
}

void bdrv_set_monitor_owned(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();
    QTAILQ_INSERT_TAIL(&monitor_bdrv_states, bs, monitor_list);
}

BlockDriverState *bdrv_next_monitor_owned(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();
    return bs ? QTAILQ_NEXT(bs, monitor_list)
              : QTAILQ_FIRST(&monitor_bdrv_states);
}

/* The first backend (in backend order) whose root is @bs, or NULL. */
static BlockBackend *bdrv_first_backend(BlockDriverState *bs)
{
    BlockBackend *blk = NULL;

    while ((blk = blk_all_next(blk))) {
        if (blk_bs(blk) == bs) {
            return blk;
        }
    }
    return NULL;
}

/*
 * Root iteration: first the nodes below BlockBackends, then the ones the
 * monitor owns that no backend uses.  A node below several backends is
 * returned once, for the first of them.
 */
BlockDriverState *bdrv_next(BdrvNextIterator *it)
{
    BlockDriverState *bs = NULL;
    BlockDriverState *cursor = NULL;

    GLOBAL_STATE_CODE();
    if (it->phase == BDRV_NEXT_BACKEND_ROOTS) {
        BlockBackend *old_blk = it->blk;

        do {
            it->blk = blk_all_next(it->blk);
            bs = it->blk ? blk_bs(it->blk) : NULL;
        } while (it->blk && (!bs || bdrv_first_backend(bs) != it->blk));
        if (it->blk) {
            blk_ref(it->blk);
        }
        blk_unref(old_blk);
        if (!bs) {
            it->phase = BDRV_NEXT_MONITOR_OWNED;
        }
    } else {
        cursor = it->bs;
    }

    if (it->phase == BDRV_NEXT_MONITOR_OWNED) {
        do {
            cursor = bs = bdrv_next_monitor_owned(cursor);
        } while (bs && bdrv_first_backend(bs));
    }

    if (bs) {
        bdrv_ref(bs);
    }
    bdrv_unref(it->bs);
    it->bs = bs;
    return bs;
}

BlockDriverState *bdrv_first(BdrvNextIterator *it)
{
    GLOBAL_STATE_CODE();
    *it = (BdrvNextIterator) { .phase = BDRV_NEXT_BACKEND_ROOTS };
    return bdrv_next(it);
}

void bdrv_next_cleanup(BdrvNextIterator *it)
{
    GLOBAL_STATE_CODE();
    if (it->phase == BDRV_NEXT_BACKEND_ROOTS) {
        blk_unref(it->blk);
    }
    bdrv_unref(it->bs);
    *it = (BdrvNextIterator) { 0 };
}

const char *bdrv_get_node_name(const BlockDriverState *bs)
{
    IO_CODE();
    return bs->node_name;
}

const char *bdrv_get_parent_name(const BlockDriverState *bs)
{
    BdrvChild *c;
    const char *name;

    /* The first parent that has a name of its own (a BlockBackend). */
    QLIST_FOREACH(c, &bs->parents, next_parent) {
        if (c->klass->get_name) {
            name = c->klass->get_name(c);
            if (name && *name) {
                return name;
            }
        }
    }
    return NULL;
}

const char *bdrv_get_device_name(const BlockDriverState *bs)
{
    IO_CODE();
    return bdrv_get_parent_name(bs) ?: "";
}

const char *bdrv_get_device_or_node_name(const BlockDriverState *bs)
{
    IO_CODE();
    return bdrv_get_parent_name(bs) ?: bs->node_name;
}

const char *bdrv_get_format_name(BlockDriverState *bs)
{
    IO_CODE();
    return bs->drv ? bs->drv->format_name : NULL;
}

/* --- Simple per-node state -------------------------------------------- */

AioContext *bdrv_get_aio_context(BlockDriverState *bs)
{
    IO_CODE();
    return bs ? bs->aio_context : qemu_get_aio_context();
}

bool bdrv_is_read_only(BlockDriverState *bs)
{
    IO_CODE();
    return !(bs->open_flags & BDRV_O_RDWR);
}

bool bdrv_is_sg(BlockDriverState *bs)
{
    IO_CODE();
    return bs->sg;
}

int bdrv_get_flags(BlockDriverState *bs)
{
    IO_CODE();
    return bs->open_flags;
}

int bdrv_can_set_read_only(BlockDriverState *bs, bool read_only,
                           bool ignore_allow_rdw, Error **errp)
{
    IO_CODE();
    if (bs->copy_on_read && read_only) {
        error_setg(errp, "Can't set node '%s' to r/o with copy-on-read "
                   "enabled", bdrv_get_device_or_node_name(bs));
        return -EINVAL;
    }
    if (!read_only && !(bs->open_flags & BDRV_O_ALLOW_RDWR) &&
        !ignore_allow_rdw) {
        error_setg(errp, "Node '%s' is read only",
                   bdrv_get_device_or_node_name(bs));
        return -EPERM;
    }
    return 0;
}

int bdrv_apply_auto_read_only(BlockDriverState *bs, const char *errmsg,
                              Error **errp)
{
    IO_CODE();
    if (!(bs->open_flags & BDRV_O_RDWR)) {
        return 0;
    }
    if ((bs->open_flags & BDRV_O_AUTO_RDONLY) &&
        bdrv_can_set_read_only(bs, true, false, NULL) == 0) {
        bs->open_flags &= ~BDRV_O_RDWR;
        return 0;
    }
    error_setg(errp, "%s", errmsg ?: "Image is read-only");
    return -EACCES;
}

void bdrv_add_aio_context_notifier(BlockDriverState *bs,
        void (*attached_aio_context)(AioContext *new_context, void *opaque),
        void (*detach_aio_context)(void *opaque), void *opaque)
{
    BdrvAioNotifier *ban = g_new(BdrvAioNotifier, 1);

    GLOBAL_STATE_CODE();
    *ban = (BdrvAioNotifier) {
        .attached_aio_context = attached_aio_context,
        .detach_aio_context = detach_aio_context,
        .opaque = opaque,
    };
    QLIST_INSERT_HEAD(&bs->aio_notifiers, ban, list);
}

void bdrv_remove_aio_context_notifier(BlockDriverState *bs,
        void (*attached_aio_context)(AioContext *, void *),
        void (*detach_aio_context)(void *), void *opaque)
{
    BdrvAioNotifier *ban, *next;

    GLOBAL_STATE_CODE();
    QLIST_FOREACH_SAFE(ban, &bs->aio_notifiers, list, next) {
        if (ban->attached_aio_context == attached_aio_context &&
            ban->detach_aio_context == detach_aio_context &&
            ban->opaque == opaque) {
            QLIST_REMOVE(ban, list);
            g_free(ban);
            return;
        }
    }
    g_assert_not_reached();
}

/* --- Node lifecycle --------------------------------------------------- */

BlockDriverState *bdrv_new(void)
{
    BlockDriverState *bs = g_new0(BlockDriverState, 1);
    unsigned int i;

    GLOBAL_STATE_CODE();
    QLIST_INIT(&bs->dirty_bitmaps);
    for (i = 0; i < BLOCK_OP_TYPE_MAX; i++) {
        QLIST_INIT(&bs->op_blockers[i]);
    }
    /* children and parents start out empty (zeroed). */
    QLIST_INIT(&bs->aio_notifiers);
    QLIST_INIT(&bs->tracked_requests);
    qemu_mutex_init(&bs->reqs_lock);
    qemu_mutex_init(&bs->dirty_bitmap_mutex);
    qemu_co_queue_init(&bs->flush_queue);
    qemu_co_mutex_init(&bs->bsc_modify_lock);
    bs->block_status_cache = g_new0(BdrvBlockStatusCache, 1);
    bs->refcnt = 1;
    bs->aio_context = qemu_get_aio_context();

    QTAILQ_INSERT_TAIL(&all_bdrv_states, bs, bs_list);

    /* A node born inside drain_all sections is drained like the rest. */
    for (i = 0; i < bdrv_drain_all_count; i++) {
        bdrv_drained_begin(bs);
    }
    return bs;
}

void bdrv_ref(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();
    bs->refcnt++;
}

/*
 * Shut the driver down and detach every child; the node stays allocated
 * (without driver) until its last reference goes.
 */
static void bdrv_close(BlockDriverState *bs)
{
    BdrvAioNotifier *ban, *ban_next;
    BdrvChild *child, *next;

    GLOBAL_STATE_CODE();
    assert(!bs->refcnt);

    bdrv_drained_begin(bs);
    if (bs->drv) {
        bdrv_flush(bs);
        /* A fatal corruption found by the flush takes the driver away. */
        if (bs->drv && bs->drv->bdrv_close) {
            bs->drv->bdrv_close(bs);
        }
    }

    /* Persistent bitmaps were stored by the driver's close. */
    bdrv_release_named_dirty_bitmaps(bs);

    bdrv_graph_wrlock();
    bs->drv = NULL;
    QLIST_FOREACH_SAFE(child, &bs->children, next, next) {
        bdrv_unref_child(bs, child);
    }
    assert(!bs->backing && !bs->file);
    bdrv_graph_wrunlock();
    /* Former children without other users go now, not some time later. */
    bdrv_flush_pending_unrefs();

    g_free(bs->opaque);
    bs->opaque = NULL;
    qobject_unref(bs->options);
    qobject_unref(bs->explicit_options);
    bs->options = NULL;
    bs->explicit_options = NULL;
    qobject_unref(bs->full_open_options);
    bs->full_open_options = NULL;
    bs->filename[0] = '\0';
    bs->exact_filename[0] = '\0';
    bs->backing_file[0] = '\0';
    bs->auto_backing_file[0] = '\0';
    bs->backing_format[0] = '\0';
    bs->total_sectors = 0;
    bs->encrypted = false;
    bs->sg = false;
    error_free(bs->backing_blocker);
    bs->backing_blocker = NULL;

    QLIST_FOREACH_SAFE(ban, &bs->aio_notifiers, list, ban_next) {
        g_free(ban);
    }
    QLIST_INIT(&bs->aio_notifiers);
    bdrv_drained_end(bs);

    /* Drain-all sections still open will not find this node at their end. */
    if (bs->quiesce_counter) {
        bdrv_drain_all_end_quiesce(bs);
    }
}

static void bdrv_delete(BlockDriverState *bs)
{
    assert(bdrv_op_blocker_is_empty(bs));
    assert(!bs->refcnt);
    GLOBAL_STATE_CODE();
    bdrv_graph_rdlock_main_loop();
    assert(QLIST_EMPTY(&bs->parents));
    bdrv_graph_rdunlock_main_loop();

    bdrv_close(bs);
    bdrv_forget_node_name(bs);
    QTAILQ_REMOVE(&all_bdrv_states, bs, bs_list);
    qemu_mutex_destroy(&bs->reqs_lock);
    qemu_mutex_destroy(&bs->dirty_bitmap_mutex);
    g_free(bs->block_status_cache);
    g_free(bs);
}

void bdrv_unref(BlockDriverState *bs)
{
    GLOBAL_STATE_CODE();
    if (!bs) {
        return;
    }
    assert(bs->refcnt > 0);
    if (--bs->refcnt == 0) {
        bdrv_delete(bs);
    }
}

void bdrv_close_all(void)
{
    BlockDriverState *bs, *next;

    GLOBAL_STATE_CODE();
    bdrv_drain_all();
    blk_remove_all_bs();
    /* The monitor's references are the only ones left to drop here. */
    QTAILQ_FOREACH_SAFE(bs, &monitor_bdrv_states, monitor_list, next) {
        QTAILQ_REMOVE(&monitor_bdrv_states, bs, monitor_list);
        bdrv_unref(bs);
    }
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* run the deferred unrefs */
    }
}

/* --- Operation blockers ----------------------------------------------- */

struct BdrvOpBlocker {
    Error *reason;
    QLIST_ENTRY(BdrvOpBlocker) list;
};

bool bdrv_op_is_blocked(BlockDriverState *bs, BlockOpType op, Error **errp)
{
    BdrvOpBlocker *blocker;

    GLOBAL_STATE_CODE();
    assert((int)op >= 0 && op < BLOCK_OP_TYPE_MAX);
    blocker = QLIST_FIRST(&bs->op_blockers[op]);
    if (!blocker) {
        return false;
    }
    error_propagate_prepend(errp, error_copy(blocker->reason),
                            "Node '%s' is busy: ",
                            bdrv_get_device_or_node_name(bs));
    return true;
}

void bdrv_op_block(BlockDriverState *bs, BlockOpType op, Error *reason)
{
    BdrvOpBlocker *blocker = g_new0(BdrvOpBlocker, 1);

    GLOBAL_STATE_CODE();
    blocker->reason = reason;
    QLIST_INSERT_HEAD(&bs->op_blockers[op], blocker, list);
}

void bdrv_op_unblock(BlockDriverState *bs, BlockOpType op, Error *reason)
{
    BdrvOpBlocker *blocker, *next;

    GLOBAL_STATE_CODE();
    QLIST_FOREACH_SAFE(blocker, &bs->op_blockers[op], list, next) {
        if (blocker->reason == reason) {
            QLIST_REMOVE(blocker, list);
            g_free(blocker);
        }
    }
}

void bdrv_op_block_all(BlockDriverState *bs, Error *reason)
{
    int i;

    for (i = 0; i < BLOCK_OP_TYPE_MAX; i++) {
        bdrv_op_block(bs, i, reason);
    }
}

void bdrv_op_unblock_all(BlockDriverState *bs, Error *reason)
{
    int i;

    for (i = 0; i < BLOCK_OP_TYPE_MAX; i++) {
        bdrv_op_unblock(bs, i, reason);
    }
}

bool bdrv_op_blocker_is_empty(BlockDriverState *bs)
{
    int i;

    for (i = 0; i < BLOCK_OP_TYPE_MAX; i++) {
        if (!QLIST_EMPTY(&bs->op_blockers[i])) {
            return false;
        }
    }
    return true;
}

/* --- File names ------------------------------------------------------- */

/*
 * The backing node is not what the image header says (or there is none
 * although the header names one): reopening needs explicit options.
 */
static bool GRAPH_RDLOCK bdrv_backing_overridden(BlockDriverState *bs)
{
    if (bs->backing) {
        return strcmp(bs->auto_backing_file, bs->backing->bs->filename);
    }
    return bs->backing_file[0] != '\0';
}

/*
 * Copy into @d the options of @bs that change what it presents: "driver",
 * "filename" and the driver's strong_runtime_opts.  True if any besides
 * "driver" was there, i.e. the node is more than "this format, that file".
 */
static bool bdrv_append_strong_opts(QDict *d, BlockDriverState *bs)
{
    const char *const *opt;
    bool found = false;
    QObject *v;

    qdict_put_str(d, "driver", bs->drv->format_name);
    v = bs->options ? qdict_get(bs->options, "filename") : NULL;
    if (v) {
        qdict_put_obj(d, "filename", qobject_ref(v));
        found = true;
    }
    for (opt = bs->drv->strong_runtime_opts; opt && *opt; opt++) {
        v = bs->options ? qdict_get(bs->options, *opt) : NULL;
        if (v && strcmp(*opt, "filename")) {
            qdict_put_obj(d, *opt, qobject_ref(v));
            found = true;
        }
    }
    return found;
}

static void GRAPH_RDLOCK bdrv_gather_child_opts(BlockDriverState *bs,
                                                QDict *opts,
                                                bool backing_overridden)
{
    BdrvChild *child;

    if (bs->drv->bdrv_gather_child_options) {
        bs->drv->bdrv_gather_child_options(bs, opts, backing_overridden);
        return;
    }
    QLIST_FOREACH(child, &bs->children, next) {
        if (child == bs->backing && !backing_overridden) {
            continue;
        }
        if (child->bs->full_open_options) {
            qdict_put(opts, child->name,
                      qobject_ref(child->bs->full_open_options));
        }
    }
    if (backing_overridden && !bs->backing) {
        qdict_put_null(opts, "backing");
    }
}

static void bdrv_set_json_filename(BlockDriverState *bs)
{
    GString *json = qobject_to_json(QOBJECT(bs->full_open_options));
    size_t len = snprintf(bs->filename, sizeof(bs->filename), "json:%s",
                          json->str);

    if (len >= sizeof(bs->filename)) {
        /* Truncated: make it visible. */
        strcpy(bs->filename + sizeof(bs->filename) - 4, "...");
    }
    g_string_free(json, true);
}

void bdrv_refresh_filename(BlockDriverState *bs)
{
    BlockDriver *drv = bs->drv;
    BlockDriverState *primary;
    BdrvChild *child;
    bool backing_overridden, need_json;
    QDict *opts;

    if (!drv) {
        return;
    }
    QLIST_FOREACH(child, &bs->children, next) {
        bdrv_refresh_filename(child->bs);
    }

    if (bs->implicit) {
        /* An implicit filter is invisible: it looks like its child. */
        child = QLIST_FIRST(&bs->children);
        assert(child && !QLIST_NEXT(child, next));
        pstrcpy(bs->exact_filename, sizeof(bs->exact_filename),
                child->bs->exact_filename);
        pstrcpy(bs->filename, sizeof(bs->filename), child->bs->filename);
        qobject_unref(bs->full_open_options);
        bs->full_open_options = qobject_ref(child->bs->full_open_options);
        return;
    }

    /* Without I/O the backing file cannot matter (qemu-img info). */
    backing_overridden = bdrv_backing_overridden(bs) &&
                         !(bs->open_flags & BDRV_O_NO_IO);

    opts = qdict_new();
    need_json = bdrv_append_strong_opts(opts, bs) || backing_overridden;
    bdrv_gather_child_opts(bs, opts, backing_overridden);
    qobject_unref(bs->full_open_options);
    bs->full_open_options = opts;

    primary = child_bs(bdrv_primary_child(bs));
    if (drv->bdrv_refresh_filename) {
        bs->exact_filename[0] = '\0';
        drv->bdrv_refresh_filename(bs);
    } else if (primary) {
        /*
         * "format over this file" can be written as the file's name only
         * if opening that name (probing, default options) would build the
         * same tree again.
         */
        bs->exact_filename[0] = '\0';
        if (primary->exact_filename[0] && primary->drv &&
            primary->drv->bdrv_file_open && !drv->is_filter && !need_json) {
            pstrcpy(bs->exact_filename, sizeof(bs->exact_filename),
                    primary->exact_filename);
        }
    }

    if (bs->exact_filename[0]) {
        pstrcpy(bs->filename, sizeof(bs->filename), bs->exact_filename);
    } else {
        bdrv_set_json_filename(bs);
    }
}

char *bdrv_dirname(BlockDriverState *bs, Error **errp)
{
    BlockDriver *drv = bs->drv;
    BlockDriverState *child;

    if (!drv) {
        error_setg(errp, "Node '%s' is ejected", bs->node_name);
        return NULL;
    }
    if (drv->bdrv_dirname) {
        return drv->bdrv_dirname(bs, errp);
    }
    child = child_bs(bdrv_primary_child(bs));
    if (child) {
        return bdrv_dirname(child, errp);
    }
    bdrv_refresh_filename(bs);
    if (bs->exact_filename[0]) {
        return path_combine(bs->exact_filename, "");
    }
    error_setg(errp, "Cannot generate a base directory for %s nodes",
               drv->format_name);
    return NULL;
}

/* @filename as seen from @bs's directory, newly allocated. */
static char * GRAPH_RDLOCK bdrv_make_absolute_filename(BlockDriverState *bs,
                                                       const char *filename,
                                                       Error **errp)
{
    g_autofree char *dir = NULL;

    if (!filename || !filename[0]) {
        return NULL;
    }
    if (path_has_protocol(filename) || path_is_absolute(filename)) {
        return g_strdup(filename);
    }
    dir = bdrv_dirname(bs, errp);
    if (!dir) {
        return NULL;
    }
    return g_strconcat(dir, filename, NULL);
}

char *bdrv_get_full_backing_filename(BlockDriverState *bs, Error **errp)
{
    GLOBAL_STATE_CODE();
    return bdrv_make_absolute_filename(bs, bs->backing_file, errp);
}

/* --- Removable media -------------------------------------------------- */

bool coroutine_fn bdrv_co_is_inserted(BlockDriverState *bs)
{
    BlockDriver *drv = bs->drv;
    BdrvChild *child;

    IO_CODE();
    assert_bdrv_graph_readable();
    if (!drv) {
        return false;
    }
    if (drv->bdrv_co_is_inserted) {
        return drv->bdrv_co_is_inserted(bs);
    }
    /* Without an opinion of its own, a node has what its children have. */
    QLIST_FOREACH(child, &bs->children, next) {
        if (!bdrv_co_is_inserted(child->bs)) {
            return false;
        }
    }
    return true;
}

void coroutine_fn bdrv_co_eject(BlockDriverState *bs, bool eject_flag)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    if (bs->drv && bs->drv->bdrv_co_eject) {
        bs->drv->bdrv_co_eject(bs, eject_flag);
    }
}

void coroutine_fn bdrv_co_lock_medium(BlockDriverState *bs, bool locked)
{
    IO_CODE();
    assert_bdrv_graph_readable();
    if (bs->drv && bs->drv->bdrv_co_lock_medium) {
        bs->drv->bdrv_co_lock_medium(bs, locked);
    }
}
