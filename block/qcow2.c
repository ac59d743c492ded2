/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2.c: the qcow2 image format driver: probing, runtime options
 * (caches, overlap checks, discard passthrough), the open sequence,
 * closing, reopen, and the BlockDriver definition.  The header lives in
 * qcow2-header.c, the data path in qcow2-io.c, creation/resize/info in
 * qcow2-create.c, the mapping in qcow2-cluster.c (see qcow2.h).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"
#include "block/qdict.h"
#include "block/dirty-bitmap.h"
#include "qcow2.h"

int qcow2_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    if (buf_size >= 8 && ldl_be_p(buf) == QCOW_MAGIC &&
        ldl_be_p(buf + 4) >= 2) {
        return 100;
    }
    return 0;
}

/*
 * Runtime options
 */

static QemuOptsList qcow2_runtime_opts = {
    .name = "qcow2",
    .head = QTAILQ_HEAD_INITIALIZER(qcow2_runtime_opts.head),
    .desc = {
        { .name = QCOW2_OPT_LAZY_REFCOUNTS, .type = QEMU_OPT_BOOL,
          .help = "Postpone refcount updates" },
        { .name = QCOW2_OPT_DISCARD_REQUEST, .type = QEMU_OPT_BOOL,
          .help = "Pass guest discard requests to the layer below" },
        { .name = QCOW2_OPT_DISCARD_SNAPSHOT, .type = QEMU_OPT_BOOL,
          .help = "Generate discard requests when snapshot related space "
                  "is freed" },
        { .name = QCOW2_OPT_DISCARD_OTHER, .type = QEMU_OPT_BOOL,
          .help = "Generate discard requests when other clusters are freed" },
        { .name = QCOW2_OPT_OVERLAP, .type = QEMU_OPT_STRING,
          .help = "Selects which overlap checks to perform from a range of "
                  "templates (none, constant, cached, all)" },
        { .name = QCOW2_OPT_OVERLAP_TEMPLATE, .type = QEMU_OPT_STRING,
          .help = "Selects which overlap checks to perform from a range of "
                  "templates (none, constant, cached, all)" },
        { .name = QCOW2_OPT_OVERLAP_MAIN_HEADER, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_ACTIVE_L1, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_ACTIVE_L2, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_REFCOUNT_TABLE, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_REFCOUNT_BLOCK, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_SNAPSHOT_TABLE, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_INACTIVE_L1, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_INACTIVE_L2, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_OVERLAP_BITMAP_DIRECTORY, .type = QEMU_OPT_BOOL },
        { .name = QCOW2_OPT_CACHE_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Maximum combined metadata (L2 tables and refcount "
                  "blocks) cache size" },
        { .name = QCOW2_OPT_L2_CACHE_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Maximum L2 table cache size" },
        { .name = QCOW2_OPT_L2_CACHE_ENTRY_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Size of each entry in the L2 cache" },
        { .name = QCOW2_OPT_REFCOUNT_CACHE_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Maximum refcount block cache size" },
        { .name = QCOW2_OPT_CACHE_CLEAN_INTERVAL, .type = QEMU_OPT_NUMBER,
          .help = "Clean unused cache entries after this time (in seconds)" },
        { /* end of list */ }
    },
};

/* overlap-check.<name> options, in QCOW2_OL_*_BITNR order. */
static const char *const overlap_bool_option_names[QCOW2_OL_MAX_BITNR] = {
    [QCOW2_OL_MAIN_HEADER_BITNR]      = QCOW2_OPT_OVERLAP_MAIN_HEADER,
    [QCOW2_OL_ACTIVE_L1_BITNR]        = QCOW2_OPT_OVERLAP_ACTIVE_L1,
    [QCOW2_OL_ACTIVE_L2_BITNR]        = QCOW2_OPT_OVERLAP_ACTIVE_L2,
    [QCOW2_OL_REFCOUNT_TABLE_BITNR]   = QCOW2_OPT_OVERLAP_REFCOUNT_TABLE,
    [QCOW2_OL_REFCOUNT_BLOCK_BITNR]   = QCOW2_OPT_OVERLAP_REFCOUNT_BLOCK,
    [QCOW2_OL_SNAPSHOT_TABLE_BITNR]   = QCOW2_OPT_OVERLAP_SNAPSHOT_TABLE,
    [QCOW2_OL_INACTIVE_L1_BITNR]      = QCOW2_OPT_OVERLAP_INACTIVE_L1,
    [QCOW2_OL_INACTIVE_L2_BITNR]      = QCOW2_OPT_OVERLAP_INACTIVE_L2,
    [QCOW2_OL_BITMAP_DIRECTORY_BITNR] = QCOW2_OPT_OVERLAP_BITMAP_DIRECTORY,
};

static int overlap_template(const char *mode, Error **errp)
{
    static const struct {
        const char *name;
        int mask;
    } modes[] = {
        { "none", QCOW2_OL_NONE },
        { "constant", QCOW2_OL_CONSTANT },
        { "cached", QCOW2_OL_CACHED },
        { "all", QCOW2_OL_ALL },
    };

    for (int i = 0; i < ARRAY_SIZE(modes); i++) {
        if (!strcmp(mode, modes[i].name)) {
            return modes[i].mask;
        }
    }
    error_setg(errp, "Unsupported value '%s' for qcow2 option "
               "'overlap-check'. Allowed are any of the following: "
               "none, constant, cached, all", mode);
    return -1;
}

/* Cache sizes in bytes from the options (QEMU's rules and messages). */
static bool read_cache_sizes(BlockDriverState *bs, QemuOpts *opts,
                             uint64_t *l2_cache_size,
                             uint64_t *l2_cache_entry_size,
                             uint64_t *refcount_cache_size, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t combined, max_l2_entries, max_l2_cache;
    bool l2_set = qemu_opt_get(opts, QCOW2_OPT_L2_CACHE_SIZE);
    bool rc_set = qemu_opt_get(opts, QCOW2_OPT_REFCOUNT_CACHE_SIZE);
    bool comb_set = qemu_opt_get(opts, QCOW2_OPT_CACHE_SIZE);
    uint64_t min_refcount_cache = (uint64_t)MIN_REFCOUNT_CACHE_SIZE *
                                  s->cluster_size;

    combined = qemu_opt_get_size(opts, QCOW2_OPT_CACHE_SIZE, 0);
    *l2_cache_size = qemu_opt_get_size(opts, QCOW2_OPT_L2_CACHE_SIZE, 0);
    *refcount_cache_size = qemu_opt_get_size(opts,
                                             QCOW2_OPT_REFCOUNT_CACHE_SIZE, 0);
    *l2_cache_entry_size = qemu_opt_get_size(opts,
                               QCOW2_OPT_L2_CACHE_ENTRY_SIZE, s->cluster_size);

    max_l2_entries = DIV_ROUND_UP(bs->total_sectors * BDRV_SECTOR_SIZE,
                                  s->cluster_size);
    max_l2_cache = ROUND_UP(max_l2_entries * l2_entry_size(s),
                            s->cluster_size);

    if (comb_set) {
        if (l2_set && rc_set) {
            error_setg(errp, QCOW2_OPT_CACHE_SIZE ", " QCOW2_OPT_L2_CACHE_SIZE
                       " and " QCOW2_OPT_REFCOUNT_CACHE_SIZE " may not be set "
                       "at the same time");
            return false;
        } else if (l2_set && *l2_cache_size > combined) {
            error_setg(errp, QCOW2_OPT_L2_CACHE_SIZE " may not exceed "
                       QCOW2_OPT_CACHE_SIZE);
            return false;
        } else if (*refcount_cache_size > combined) {
            error_setg(errp, QCOW2_OPT_REFCOUNT_CACHE_SIZE " may not exceed "
                       QCOW2_OPT_CACHE_SIZE);
            return false;
        }
        if (l2_set) {
            *refcount_cache_size = combined - *l2_cache_size;
        } else if (rc_set) {
            *l2_cache_size = combined - *refcount_cache_size;
        } else {
            /* Give L2 what it can use, the rest (at least 4 clusters) to
             * the refcount cache. */
            if (combined >= max_l2_cache + min_refcount_cache) {
                *l2_cache_size = max_l2_cache;
                *refcount_cache_size = combined - *l2_cache_size;
            } else {
                *refcount_cache_size = MIN(combined, min_refcount_cache);
                *l2_cache_size = combined - *refcount_cache_size;
            }
        }
    }
    if (!l2_set && !comb_set) {
        *l2_cache_size = MIN(max_l2_cache, DEFAULT_L2_CACHE_MAX_SIZE);
    }
    if (!rc_set && !comb_set) {
        *refcount_cache_size = min_refcount_cache;
    }

    if (*l2_cache_entry_size < (1 << MIN_CLUSTER_BITS) ||
        *l2_cache_entry_size > s->cluster_size ||
        !is_power_of_2(*l2_cache_entry_size)) {
        error_setg(errp, "L2 cache entry size must be a power of two "
                   "between %d and the cluster size (%d)",
                   1 << MIN_CLUSTER_BITS, s->cluster_size);
        return false;
    }
    return true;
}

static void cache_clean_timer_cb(void *opaque)
{
    BlockDriverState *bs = opaque;
    BDRVQcow2State *s = bs->opaque;

    qcow2_cache_clean_unused(s->l2_table_cache);
    qcow2_cache_clean_unused(s->refcount_block_cache);
    timer_mod(s->cache_clean_timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
              (int64_t)s->cache_clean_interval * 1000);
}

static void cache_clean_timer_init(BlockDriverState *bs, AioContext *ctx)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->cache_clean_interval > 0) {
        s->cache_clean_timer = aio_timer_new(ctx, QEMU_CLOCK_VIRTUAL,
                                             SCALE_MS, cache_clean_timer_cb,
                                             bs);
        timer_mod(s->cache_clean_timer,
                  qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                  (int64_t)s->cache_clean_interval * 1000);
    }
}

static void cache_clean_timer_del(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->cache_clean_timer) {
        timer_free(s->cache_clean_timer);
        s->cache_clean_timer = NULL;
    }
}

void qcow2_detach_aio_context(BlockDriverState *bs)
{
    cache_clean_timer_del(bs);
}

void qcow2_attach_aio_context(BlockDriverState *bs, AioContext *new_context)
{
    cache_clean_timer_init(bs, new_context);
}

/* Overlap-check mask from the template and the per-kind overrides. */
static int read_overlap_check(QemuOpts *opts, int flags, Error **errp)
{
    const char *mode = qemu_opt_get(opts, QCOW2_OPT_OVERLAP);
    const char *tmpl = qemu_opt_get(opts, QCOW2_OPT_OVERLAP_TEMPLATE);
    int mask;

    if (mode && tmpl && strcmp(mode, tmpl)) {
        error_setg(errp, "Conflicting values for qcow2 options '"
                   QCOW2_OPT_OVERLAP "' ('%s') and '"
                   QCOW2_OPT_OVERLAP_TEMPLATE "' ('%s')", mode, tmpl);
        return -1;
    }
    mode = mode ?: tmpl ?: "cached";
    mask = overlap_template(mode, errp);
    if (mask < 0) {
        return -1;
    }
    for (int i = 0; i < QCOW2_OL_MAX_BITNR; i++) {
        if (qemu_opt_get_bool(opts, overlap_bool_option_names[i],
                              mask & (1 << i))) {
            mask |= 1 << i;
        } else {
            mask &= ~(1 << i);
        }
    }
    return mask;
}

int qcow2_update_options(BlockDriverState *bs, QDict *options, int flags,
                         Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    QemuOpts *opts = qemu_opts_create(&qcow2_runtime_opts, NULL, 0,
                                      &error_abort);
    uint64_t l2_cache_size, l2_cache_entry, rc_cache_size;
    int l2_tables, rc_tables, overlap, ret = -EINVAL;
    uint64_t interval;

    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        goto out;
    }
    if (!read_cache_sizes(bs, opts, &l2_cache_size, &l2_cache_entry,
                          &rc_cache_size, errp)) {
        goto out;
    }

    l2_tables = MAX(l2_cache_size / l2_cache_entry,
                    (uint64_t)MIN_L2_CACHE_SIZE * s->cluster_size /
                    l2_cache_entry);
    rc_tables = MAX(rc_cache_size / s->cluster_size,
                    MIN_REFCOUNT_CACHE_SIZE);
    if (l2_tables > INT_MAX || rc_tables > INT_MAX) {
        error_setg(errp, "Cache size too big");
        goto out;
    }

    interval = qemu_opt_get_number(opts, QCOW2_OPT_CACHE_CLEAN_INTERVAL,
                                   DEFAULT_CACHE_CLEAN_INTERVAL);
    if (interval > UINT_MAX) {
        error_setg(errp, "Cache clean interval too big");
        goto out;
    }

    s->use_lazy_refcounts = qemu_opt_get_bool(opts, QCOW2_OPT_LAZY_REFCOUNTS,
        !!(s->compatible_features & QCOW2_COMPAT_LAZY_REFCOUNTS));
    if (s->use_lazy_refcounts && s->qcow_version < 3) {
        error_setg(errp, "Lazy refcounts require a qcow2 image with at least "
                   "qemu 1.1 compatibility level");
        goto out;
    }

    overlap = read_overlap_check(opts, flags, errp);
    if (overlap < 0) {
        goto out;
    }

    s->discard_passthrough[QCOW2_DISCARD_NEVER] = false;
    s->discard_passthrough[QCOW2_DISCARD_ALWAYS] = true;
    s->discard_passthrough[QCOW2_DISCARD_REQUEST] =
        qemu_opt_get_bool(opts, QCOW2_OPT_DISCARD_REQUEST,
                          flags & BDRV_O_UNMAP);
    s->discard_passthrough[QCOW2_DISCARD_SNAPSHOT] =
        qemu_opt_get_bool(opts, QCOW2_OPT_DISCARD_SNAPSHOT, true);
    s->discard_passthrough[QCOW2_DISCARD_OTHER] =
        qemu_opt_get_bool(opts, QCOW2_OPT_DISCARD_OTHER, false);
    s->overlap_check = overlap;

    s->l2_slice_size = l2_cache_entry / l2_entry_size(s);
    s->l2_table_cache = qcow2_cache_create(bs, l2_tables, l2_cache_entry);
    s->refcount_block_cache = qcow2_cache_create(bs, rc_tables,
                                                 s->cluster_size);
    s->cache_clean_interval = interval;
    cache_clean_timer_init(bs, bdrv_get_aio_context(bs));
    ret = 0;
out:
    qemu_opts_del(opts);
    return ret;
}

/*
 * Open, phase 2 (coroutine): refcounts, snapshots, bitmaps, repair of a
 * dirty image, clearing unknown autoclear bits.
 */
static int coroutine_fn GRAPH_RDLOCK
qcow2_open_tables(BlockDriverState *bs, int flags, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    bool writable = (flags & BDRV_O_RDWR) && !(flags & BDRV_O_INACTIVE);
    bool update_header = false;
    int ret;

    ret = qcow2_refcount_init(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not initialize refcount "
                         "handling");
        return ret;
    }
    /* For qemu-img check, the check reads (and may repair) the table. */
    if (!(flags & BDRV_O_CHECK)) {
        ret = qcow2_read_snapshots(bs, errp);
        if (ret < 0) {
            return ret;
        }
    }
    if (s->nb_bitmaps) {
        ret = qcow2_read_bitmaps(bs, s->autoclear_features &
                                 QCOW2_AUTOCLEAR_BITMAPS, &update_header,
                                 errp);
        if (ret < 0) {
            return ret;
        }
    }

    if (writable && (s->autoclear_features & ~QCOW2_AUTOCLEAR_MASK)) {
        s->autoclear_features &= QCOW2_AUTOCLEAR_MASK;
        update_header = true;
    }
    if (writable && !s->nb_bitmaps &&
        (s->autoclear_features & QCOW2_AUTOCLEAR_BITMAPS)) {
        s->autoclear_features &= ~QCOW2_AUTOCLEAR_BITMAPS;
        update_header = true;
    }
    if (update_header && writable) {
        ret = qcow2_update_header(bs);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not update qcow2 header");
            return ret;
        }
    }

    if (writable && !(flags & BDRV_O_CHECK) &&
        (s->incompatible_features & QCOW2_INCOMPAT_DIRTY)) {
        BdrvCheckResult result = { 0 };

        ret = qcow2_check_refcounts(bs, &result,
                                    BDRV_FIX_ERRORS | BDRV_FIX_LEAKS);
        if (ret >= 0 && result.check_errors) {
            ret = -EIO;
        }
        if (ret >= 0) {
            ret = qcow2_mark_clean(bs);
        }
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not repair dirty image");
            return ret;
        }
    }
    return 0;
}

typedef struct Qcow2OpenCo {
    BlockDriverState *bs;
    QDict *options;
    int flags;
    int phase;
    Error **errp;
    int ret;
    bool done;
} Qcow2OpenCo;

static void coroutine_fn qcow2_open_entry(void *opaque)
{
    Qcow2OpenCo *oc = opaque;
    BDRVQcow2State *s = oc->bs->opaque;

    bdrv_graph_co_rdlock();
    qemu_co_mutex_lock(&s->lock);
    if (oc->phase == 1) {
        oc->ret = qcow2_open_header(oc->bs, oc->options, oc->flags, oc->errp);
    } else {
        oc->ret = qcow2_open_tables(oc->bs, oc->flags, oc->errp);
    }
    qemu_co_mutex_unlock(&s->lock);
    bdrv_graph_co_rdunlock();
    oc->done = true;
    aio_wait_kick();
}

/* Run one open phase in a coroutine and wait for it. */
static int qcow2_open_phase(BlockDriverState *bs, QDict *options, int flags,
                            int phase, Error **errp)
{
    Qcow2OpenCo oc = {
        .bs = bs, .options = options, .flags = flags, .phase = phase,
        .errp = errp,
    };

    if (qemu_in_coroutine()) {
        qcow2_open_entry(&oc);
    } else {
        Coroutine *co = qemu_coroutine_create(qcow2_open_entry, &oc);

        aio_co_enter(bdrv_get_aio_context(bs), co);
        BDRV_POLL_WHILE(bs, !oc.done);
    }
    return oc.ret;
}

/* Attach the external data file child (or use bs->file). */
static int qcow2_open_data_file(BlockDriverState *bs, QDict *options,
                                Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    bool has_ext = s->incompatible_features & QCOW2_INCOMPAT_DATA_FILE;

    if (!has_ext) {
        if (qdict_haskey(options, QCOW2_OPT_DATA_FILE) ||
            qdict_haskey(options, QCOW2_OPT_DATA_FILE ".driver")) {
            error_setg(errp, "'data-file' can only be set for images with an "
                       "external data file");
            return -EINVAL;
        }
        qdict_extract_subqdict(options, NULL, QCOW2_OPT_DATA_FILE ".");
        s->data_file = bs->file;
        return 0;
    }

    s->data_file = bdrv_open_child(s->image_data_file, options,
                                   QCOW2_OPT_DATA_FILE, bs, &child_of_bds,
                                   BDRV_CHILD_DATA, true, errp);
    if (*errp) {
        return -EINVAL;
    }
    if (!s->data_file) {
        error_setg(errp, "'data-file' is required for this image");
        return -EINVAL;
    }
    /* The data file holds the image data; bs->file only metadata. */
    bs->file->role &= ~BDRV_CHILD_DATA;
    return 0;
}

int qcow2_open(BlockDriverState *bs, QDict *options, int flags,
               Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    ERRP_GUARD();
    int ret;

    ret = bdrv_open_file_child(NULL, options, "file", bs, errp);
    if (ret < 0) {
        return ret;
    }

    qemu_co_mutex_init(&s->lock);
    qemu_co_mutex_init(&s->alloc_order);
    qemu_co_queue_init(&s->thread_task_queue);
    QLIST_INIT(&s->cluster_allocs);
    QLIST_INIT(&s->unknown_header_ext);
    QTAILQ_INIT(&s->discards);

    ret = qcow2_open_phase(bs, options, flags, 1, errp);
    if (ret < 0) {
        goto fail;
    }
    ret = qcow2_open_data_file(bs, options, errp);
    if (ret < 0) {
        goto fail;
    }
    ret = qcow2_open_phase(bs, options, flags, 2, errp);
    if (ret < 0) {
        goto fail;
    }

    bs->supported_zero_flags = s->qcow_version >= 3 ? BDRV_REQ_MAY_UNMAP |
                               BDRV_REQ_NO_FALLBACK : 0;
    bs->supported_truncate_flags = BDRV_REQ_ZERO_WRITE;
    return 0;

fail:
    qcow2_free_state(bs);
    return ret;
}

/* Free everything open allocated (close and failed open). */
void qcow2_free_state(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2UnknownHeaderExtension *ext, *next;

    cache_clean_timer_del(bs);
    if (s->l2_table_cache) {
        qcow2_cache_destroy(s->l2_table_cache);
        s->l2_table_cache = NULL;
    }
    if (s->refcount_block_cache) {
        qcow2_cache_destroy(s->refcount_block_cache);
        s->refcount_block_cache = NULL;
    }
    if (s->refcount_table) {
        qcow2_refcount_close(bs);
    }
    qcow2_free_snapshots(bs);
    /* Loaded bitmaps not stored (failed open, read-only image) go too. */
    bdrv_release_named_dirty_bitmaps(bs);
    qemu_vfree(s->l1_table);
    s->l1_table = NULL;
    QLIST_FOREACH_SAFE(ext, &s->unknown_header_ext, next, next) {
        QLIST_REMOVE(ext, next);
        g_free(ext);
    }
    g_clear_pointer(&s->unknown_header_fields, g_free);
    g_clear_pointer(&s->image_backing_file, g_free);
    g_clear_pointer(&s->image_backing_format, g_free);
    g_clear_pointer(&s->image_data_file, g_free);
    qcow2_crypto_close(bs);
    /* The core detaches the children (data-file included). */
}

void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->l2_table_cache && (s->flags & BDRV_O_RDWR) &&
        !(s->flags & BDRV_O_INACTIVE)) {
        Error *err = NULL;

        bdrv_graph_rdlock_main_loop();
        if (!qcow2_store_persistent_dirty_bitmaps(bs, true, &err)) {
            error_reportf_err(err, "Lost persistent bitmaps during "
                              "inactivation of node '%s': ",
                              bdrv_get_device_or_node_name(bs));
        }
        qcow2_flush_caches(bs);
        /* Nothing is lost with a lazy refcount image left dirty. */
        if (!(s->incompatible_features & QCOW2_INCOMPAT_CORRUPT)) {
            qcow2_mark_clean(bs);
        }
        bdrv_graph_rdunlock_main_loop();
    }
    qcow2_free_state(bs);
}

/*
 * Reopen: only the read-only/read-write switch matters here; runtime
 * options keep their values.
 */
static int qcow2_reopen_prepare(BDRVReopenState *state,
                                BlockReopenQueue *queue, Error **errp)
{
    BlockDriverState *bs = state->bs;
    BDRVQcow2State *s = bs->opaque;
    int ret = 0;

    if (!(state->flags & BDRV_O_RDWR) && (s->flags & BDRV_O_RDWR)) {
        /* Going read-only: everything must be on disk, the image clean. */
        bdrv_graph_rdlock_main_loop();
        ret = qcow2_reopen_bitmaps_ro(bs, errp);
        if (ret < 0) {
            bdrv_graph_rdunlock_main_loop();
            return ret;
        }
        ret = qcow2_flush_caches(bs);
        if (ret == 0) {
            ret = qcow2_mark_clean(bs);
        }
        bdrv_graph_rdunlock_main_loop();
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not flush qcow2 metadata");
        }
    }
    /* Drop the qcow2 runtime options: they stay as they are. */
    for (int i = 0; qcow2_runtime_opts.desc[i].name; i++) {
        qdict_del(state->options, qcow2_runtime_opts.desc[i].name);
    }
    /* The volume stays unlocked: encrypt.* options are not needed. */
    qdict_extract_subqdict(state->options, NULL, "encrypt.");
    return ret;
}

static void qcow2_reopen_commit(BDRVReopenState *state)
{
    BDRVQcow2State *s = state->bs->opaque;

    s->flags = state->flags;
}

static void qcow2_reopen_abort(BDRVReopenState *state)
{
}

/* Read-write again: the loaded bitmaps track writes again. */
static void qcow2_reopen_commit_post(BDRVReopenState *state)
{
    Error *err = NULL;

    if (!(state->flags & BDRV_O_RDWR)) {
        return;
    }
    bdrv_graph_rdlock_main_loop();
    if (qcow2_reopen_bitmaps_rw(state->bs, &err) < 0) {
        /* Not fatal: the bitmaps stay read-only. */
        error_reportf_err(err, "%s: Failed to make dirty bitmaps writable: ",
                          bdrv_get_node_name(state->bs));
    }
    bdrv_graph_rdunlock_main_loop();
}

static void qcow2_refresh_limits(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    bs->bl.pwrite_zeroes_alignment = s->subcluster_size;
    bs->bl.pdiscard_alignment = s->cluster_size;
    if (bs->encrypted) {
        /* Data is encrypted in whole sectors. */
        bs->bl.request_alignment = BDRV_SECTOR_SIZE;
    }
}

static int qcow2_has_zero_init(BlockDriverState *bs)
{
    /* A raw external data file holds whatever was there before. */
    return has_data_file(bs) && data_file_is_raw(bs) ? 0 : 1;
}

static int qcow2_change_backing_file(BlockDriverState *bs,
                                     const char *backing_file,
                                     const char *backing_fmt)
{
    BDRVQcow2State *s = bs->opaque;

    if (backing_file && strlen(backing_file) > 1023) {
        return -EINVAL;
    }
    if (backing_file && data_file_is_raw(bs)) {
        return -EINVAL;
    }
    pstrcpy(bs->auto_backing_file, sizeof(bs->auto_backing_file),
            backing_file ?: "");
    pstrcpy(bs->backing_file, sizeof(bs->backing_file), backing_file ?: "");
    pstrcpy(bs->backing_format, sizeof(bs->backing_format),
            backing_fmt ?: "");
    g_free(s->image_backing_file);
    g_free(s->image_backing_format);
    s->image_backing_file = g_strdup(backing_file);
    s->image_backing_format = g_strdup(backing_fmt);
    /* Called by the core (main loop) with the graph read lock held. */
    assume_graph_lock();
    return qcow2_update_header(bs);
}

/* Add the counters of @add to @res. */
static void check_result_add(BdrvCheckResult *res, const BdrvCheckResult *add)
{
    res->corruptions += add->corruptions;
    res->leaks += add->leaks;
    res->check_errors += add->check_errors;
    res->corruptions_fixed += add->corruptions_fixed;
    res->leaks_fixed += add->leaks_fixed;
}

/*
 * qemu-img check: the snapshot table, then refcounts and COPIED flags
 * (qcow2-check.c), then the repaired snapshot table, as QEMU 7.2 orders
 * it.  A successful repair leaves the image clean and consistent.
 */
static int coroutine_fn GRAPH_RDLOCK
qcow2_co_check(BlockDriverState *bs, BdrvCheckResult *result,
               BdrvCheckMode fix)
{
    BDRVQcow2State *s = bs->opaque;
    BdrvCheckResult snap_res = { 0 };
    BdrvCheckResult rc_res = { 0 };
    int ret;

    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_check_read_snapshot_table(bs, &snap_res, fix);
    if (ret < 0) {
        check_result_add(result, &snap_res);
        goto out;
    }
    ret = qcow2_check_refcounts(bs, &rc_res, fix);
    check_result_add(result, &rc_res);
    result->image_end_offset = rc_res.image_end_offset;
    result->bfi = rc_res.bfi;
    if (ret < 0) {
        check_result_add(result, &snap_res);
        goto out;
    }
    ret = qcow2_check_fix_snapshot_table(bs, &snap_res, fix);
    check_result_add(result, &snap_res);
    if (ret < 0) {
        goto out;
    }
    if (fix && result->check_errors == 0 && result->corruptions == 0) {
        ret = qcow2_mark_clean(bs);
        if (ret == 0) {
            ret = qcow2_mark_consistent(bs);
        }
    }
out:
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

static bool qcow2_supports_persistent_dirty_bitmap(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    return s->qcow_version >= 3;
}

static const char *const qcow2_strong_runtime_opts[] = {
    QCOW2_OPT_DATA_FILE,
    "encrypt.key-secret",
    NULL
};

BlockDriver bdrv_qcow2 = {
    .format_name            = "qcow2",
    .instance_size          = sizeof(BDRVQcow2State),
    .is_format              = true,
    .supports_backing       = true,
    .bdrv_probe             = qcow2_probe,
    .bdrv_open              = qcow2_open,
    .bdrv_close             = qcow2_close,
    .bdrv_reopen_prepare    = qcow2_reopen_prepare,
    .bdrv_reopen_commit     = qcow2_reopen_commit,
    .bdrv_reopen_abort      = qcow2_reopen_abort,
    .bdrv_reopen_commit_post = qcow2_reopen_commit_post,
    .bdrv_child_perm        = bdrv_default_perms,
    .bdrv_refresh_limits    = qcow2_refresh_limits,
    .bdrv_has_zero_init     = qcow2_has_zero_init,
    .bdrv_change_backing_file = qcow2_change_backing_file,
    .bdrv_make_empty        = qcow2_make_empty,
    .bdrv_detach_aio_context = qcow2_detach_aio_context,
    .bdrv_attach_aio_context = qcow2_attach_aio_context,

    .bdrv_co_preadv_part    = qcow2_co_preadv_part,
    .bdrv_co_pwritev_part   = qcow2_co_pwritev_part,
    .bdrv_co_pwrite_zeroes  = qcow2_co_pwrite_zeroes,
    .bdrv_co_pdiscard       = qcow2_co_pdiscard,
    .bdrv_co_flush_to_os    = qcow2_co_flush_to_os,
    .bdrv_co_block_status   = qcow2_co_block_status,
    .bdrv_co_truncate       = qcow2_co_truncate,
    .bdrv_co_get_info       = qcow2_co_get_info,
    .bdrv_co_pwritev_compressed_part = qcow2_co_pwritev_compressed_part,
    .bdrv_co_save_vmstate   = qcow2_co_save_vmstate,
    .bdrv_co_load_vmstate   = qcow2_co_load_vmstate,
    .bdrv_co_check          = qcow2_co_check,
    .bdrv_supports_persistent_dirty_bitmap =
        qcow2_supports_persistent_dirty_bitmap,
    .bdrv_co_can_store_new_dirty_bitmap = qcow2_co_can_store_new_dirty_bitmap,
    .bdrv_co_remove_persistent_dirty_bitmap =
        qcow2_co_remove_persistent_dirty_bitmap,

    .bdrv_snapshot_create   = qcow2_snapshot_create,
    .bdrv_snapshot_goto     = qcow2_snapshot_goto,
    .bdrv_snapshot_delete   = qcow2_snapshot_delete,
    .bdrv_snapshot_list     = qcow2_snapshot_list,
    .bdrv_snapshot_load_tmp = qcow2_snapshot_load_tmp,
    .bdrv_measure           = qcow2_measure,
    .bdrv_get_specific_info = qcow2_get_specific_info,

    .create_opts            = &qcow2_create_opts,
    .amend_opts             = &qcow2_amend_opts,
    .bdrv_amend_options     = qcow2_amend_options,
    .bdrv_co_create_opts    = qcow2_co_create_opts,
    .strong_runtime_opts    = qcow2_strong_runtime_opts,
};

static void bdrv_qcow2_init(void)
{
    bdrv_register(&bdrv_qcow2);
}

block_init(bdrv_qcow2_init);
