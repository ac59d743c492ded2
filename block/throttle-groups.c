/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/throttle-groups.c: throttle groups and their round-robin scheduler.
 *
 * A group owns one ThrottleState; its members each have a queue per
 * direction and a pair of timers.  At most one timer per direction is
 * armed in a group (any_timer_armed).  tokens[dir] is the member whose
 * turn it is: when a request finishes waiting or passes, the turn moves to
 * the next member (in list order, wrapping) that has requests queued, and
 * that member's queue is woken as soon as the buckets allow.
 *
 * The second half of the file is the "throttle-group" user-creatable
 * object type: its properties become a ThrottleConfig.  The list of groups
 * is only touched in the main loop; everything else about a group is
 * protected by its mutex.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"
#include "qemu/cutils.h"
#include "qemu/module.h"
#include "qemu/queue.h"
#include "qemu/thread.h"
#include "block/aio.h"
#include "block/aio-wait.h"
#include "block/throttle-groups.h"
#include "qom/object_interfaces.h"

typedef struct ThrottleGroup {
    char *name;
    int refcount;               /* users + 1 while it is an object */
    bool is_object;
    QEMUClockType clock_type;

    QemuMutex lock;             /* protects everything below */
    ThrottleState ts;
    QLIST_HEAD(, ThrottleGroupMember) head;
    ThrottleGroupMember *tokens[THROTTLE_MAX];
    bool any_timer_armed[THROTTLE_MAX];

    QTAILQ_ENTRY(ThrottleGroup) list;
} ThrottleGroup;

static QTAILQ_HEAD(, ThrottleGroup) throttle_groups =
    QTAILQ_HEAD_INITIALIZER(throttle_groups);
static QEMUClockType default_clock_type = QEMU_CLOCK_REALTIME;

static ThrottleGroup *tg_of(ThrottleState *ts)
{
    return container_of(ts, ThrottleGroup, ts);
}

static ThrottleGroup *throttle_group_find(const char *name)
{
    ThrottleGroup *tg;

    QTAILQ_FOREACH(tg, &throttle_groups, list) {
        if (!strcmp(tg->name, name)) {
            return tg;
        }
    }
    return NULL;
}

static ThrottleGroup *throttle_group_new(const char *name)
{
    ThrottleGroup *tg = g_new0(ThrottleGroup, 1);

    tg->name = g_strdup(name);
    tg->refcount = 1;
    tg->clock_type = default_clock_type;
    qemu_mutex_init(&tg->lock);
    throttle_init(&tg->ts);
    QLIST_INIT(&tg->head);
    QTAILQ_INSERT_TAIL(&throttle_groups, tg, list);
    return tg;
}

void throttle_group_set_clock_type(QEMUClockType type)
{
    default_clock_type = type;
}

bool throttle_group_exists(const char *name)
{
    return throttle_group_find(name) != NULL;
}

ThrottleState *throttle_group_incref(const char *name)
{
    ThrottleGroup *tg = throttle_group_find(name);

    if (tg) {
        tg->refcount++;
    } else {
        tg = throttle_group_new(name);
    }
    return &tg->ts;
}

void throttle_group_unref(ThrottleState *ts)
{
    ThrottleGroup *tg = tg_of(ts);

    if (--tg->refcount) {
        return;
    }
    assert(QLIST_EMPTY(&tg->head));
    QTAILQ_REMOVE(&throttle_groups, tg, list);
    qemu_mutex_destroy(&tg->lock);
    g_free(tg->name);
    g_free(tg);
}

const char *throttle_group_get_name(ThrottleGroupMember *tgm)
{
    return tg_of(tgm->throttle_state)->name;
}

/* ---- scheduling (group lock held unless said otherwise) ---- */

static bool tgm_has_pending_reqs(ThrottleGroupMember *tgm,
                                 ThrottleDirection dir)
{
    return tgm->pending_reqs[dir] != 0;
}

static ThrottleGroupMember *tgm_next(ThrottleGroup *tg,
                                     ThrottleGroupMember *tgm)
{
    ThrottleGroupMember *next = QLIST_NEXT(tgm, round_robin);

    return next ? next : QLIST_FIRST(&tg->head);
}

/*
 * Whose turn is it after the current token?  The first member after it
 * with requests queued in @dir; failing that, @tgm itself (whose request
 * is probably the one being handled).  A member being drained with
 * requests queued goes first, so that its drain does not wait on others.
 */
static ThrottleGroupMember *next_throttle_token(ThrottleGroupMember *tgm,
                                                ThrottleDirection dir)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);
    ThrottleGroupMember *start = tg->tokens[dir];
    ThrottleGroupMember *cand;

    if (tgm_has_pending_reqs(tgm, dir) &&
        qatomic_read(&tgm->io_limits_disabled)) {
        return tgm;
    }
    for (cand = tgm_next(tg, start); cand != start;
         cand = tgm_next(tg, cand)) {
        if (tgm_has_pending_reqs(cand, dir)) {
            return cand;
        }
    }
    return tgm_has_pending_reqs(start, dir) ? start : tgm;
}

/*
 * Must a request of @tgm in @dir wait?  If it must and no timer is armed
 * in the group yet, arm @tgm's timer and give @tgm the token.
 */
static bool throttle_group_schedule_timer(ThrottleGroupMember *tgm,
                                          ThrottleDirection dir)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);
    bool must_wait;

    if (qatomic_read(&tgm->io_limits_disabled)) {
        return false;
    }
    if (tg->any_timer_armed[dir]) {
        return true;
    }
    must_wait = throttle_schedule_timer(&tg->ts, &tgm->throttle_timers, dir);
    if (must_wait) {
        tg->tokens[dir] = tgm;
        tg->any_timer_armed[dir] = true;
    }
    return must_wait;
}

/*
 * After a request of @tgm went: pass the turn on and, if the next
 * member's request may go at once, wake it (directly when it is one of
 * ours and we run in a coroutine holding its queue lock, otherwise by
 * firing that member's timer now, in its own AioContext).
 */
static void schedule_next_request(ThrottleGroupMember *tgm,
                                  ThrottleDirection dir)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);
    ThrottleGroupMember *token = next_throttle_token(tgm, dir);

    if (!tgm_has_pending_reqs(token, dir)) {
        return;
    }
    if (!throttle_group_schedule_timer(token, dir)) {
        if (token == tgm && qemu_in_coroutine() &&
            qemu_co_queue_next(&tgm->throttled_reqs[dir])) {
            /* woken; it runs once we drop throttled_reqs_lock */
        } else {
            timer_mod(token->throttle_timers.timers[dir],
                      qemu_clock_get_ns(tg->clock_type));
            tg->any_timer_armed[dir] = true;
        }
    }
    tg->tokens[dir] = token;
}

void coroutine_fn throttle_group_co_io_limits_intercept(
    ThrottleGroupMember *tgm, int64_t bytes, ThrottleDirection dir)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);
    bool must_wait;

    qemu_co_mutex_lock(&tgm->throttled_reqs_lock);
    qemu_mutex_lock(&tg->lock);
    must_wait = throttle_group_schedule_timer(tgm, dir);

    /* Keep order: wait behind requests already queued here. */
    if (must_wait || tgm->pending_reqs[dir]) {
        tgm->pending_reqs[dir]++;
        qemu_mutex_unlock(&tg->lock);
        qemu_co_queue_wait(&tgm->throttled_reqs[dir],
                           &tgm->throttled_reqs_lock);
        qemu_mutex_lock(&tg->lock);
        tgm->pending_reqs[dir]--;
    }

    throttle_account(&tg->ts, dir, bytes);
    schedule_next_request(tgm, dir);
    qemu_mutex_unlock(&tg->lock);
    qemu_co_mutex_unlock(&tgm->throttled_reqs_lock);
}

typedef struct RestartData {
    ThrottleGroupMember *tgm;
    ThrottleDirection dir;
} RestartData;

/* Wake the first queued request of a member, or pass the turn on. */
static void coroutine_fn throttle_group_restart_queue_entry(void *opaque)
{
    RestartData *data = opaque;
    ThrottleGroupMember *tgm = data->tgm;
    ThrottleGroup *tg = tg_of(tgm->throttle_state);
    ThrottleDirection dir = data->dir;
    bool woke;

    qemu_co_mutex_lock(&tgm->throttled_reqs_lock);
    woke = qemu_co_enter_next(&tgm->throttled_reqs[dir],
                              &tgm->throttled_reqs_lock);
    qemu_co_mutex_unlock(&tgm->throttled_reqs_lock);

    if (!woke) {
        qemu_mutex_lock(&tg->lock);
        schedule_next_request(tgm, dir);
        qemu_mutex_unlock(&tg->lock);
    }
    g_free(data);
    qatomic_dec(&tgm->restart_pending);
    aio_wait_kick();
}

static void throttle_group_restart_queue(ThrottleGroupMember *tgm,
                                         ThrottleDirection dir)
{
    RestartData *data = g_new0(RestartData, 1);
    Coroutine *co;

    data->tgm = tgm;
    data->dir = dir;
    co = qemu_coroutine_create(throttle_group_restart_queue_entry, data);
    qatomic_inc(&tgm->restart_pending);
    aio_co_enter(tgm->aio_context, co);
}

static void timer_cb(ThrottleGroupMember *tgm, ThrottleDirection dir)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);

    qemu_mutex_lock(&tg->lock);
    tg->any_timer_armed[dir] = false;
    qemu_mutex_unlock(&tg->lock);
    throttle_group_restart_queue(tgm, dir);
}

static void read_timer_cb(void *opaque)
{
    timer_cb(opaque, THROTTLE_READ);
}

static void write_timer_cb(void *opaque)
{
    timer_cb(opaque, THROTTLE_WRITE);
}

void throttle_group_restart_tgm(ThrottleGroupMember *tgm)
{
    ThrottleDirection dir;

    if (!tgm->throttle_state) {
        return;
    }
    for (dir = THROTTLE_READ; dir < THROTTLE_MAX; dir++) {
        QEMUTimer *t = tgm->throttle_timers.timers[dir];

        if (t && timer_pending(t)) {
            /* Fire it now rather than when it was due. */
            timer_del(t);
            timer_cb(tgm, dir);
        } else {
            throttle_group_restart_queue(tgm, dir);
        }
    }
}

/* ---- membership ---- */

void throttle_group_config(ThrottleGroupMember *tgm, ThrottleConfig *cfg)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);

    qemu_mutex_lock(&tg->lock);
    throttle_config(&tg->ts, tg->clock_type, cfg);
    qemu_mutex_unlock(&tg->lock);
    throttle_group_restart_tgm(tgm);
}

void throttle_group_get_config(ThrottleGroupMember *tgm, ThrottleConfig *cfg)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);

    qemu_mutex_lock(&tg->lock);
    throttle_get_config(&tg->ts, cfg);
    qemu_mutex_unlock(&tg->lock);
}

void throttle_group_register_tgm(ThrottleGroupMember *tgm,
                                 const char *groupname, AioContext *ctx)
{
    ThrottleState *ts = throttle_group_incref(groupname);
    ThrottleGroup *tg = tg_of(ts);
    ThrottleDirection dir;

    tgm->throttle_state = ts;
    tgm->aio_context = ctx;
    qatomic_set(&tgm->restart_pending, 0);
    qemu_co_mutex_init(&tgm->throttled_reqs_lock);

    qemu_mutex_lock(&tg->lock);
    for (dir = THROTTLE_READ; dir < THROTTLE_MAX; dir++) {
        if (!tg->tokens[dir]) {
            tg->tokens[dir] = tgm;
        }
        qemu_co_queue_init(&tgm->throttled_reqs[dir]);
        tgm->pending_reqs[dir] = 0;
    }
    QLIST_INSERT_HEAD(&tg->head, tgm, round_robin);
    throttle_timers_init(&tgm->throttle_timers, ctx, tg->clock_type,
                         read_timer_cb, write_timer_cb, tgm);
    qemu_mutex_unlock(&tg->lock);
}

void throttle_group_unregister_tgm(ThrottleGroupMember *tgm)
{
    ThrottleState *ts = tgm->throttle_state;
    ThrottleGroup *tg;
    ThrottleDirection dir;

    if (!ts) {
        return;
    }
    tg = tg_of(ts);

    /* Restart coroutines still reference @tgm: let them finish. */
    AIO_WAIT_WHILE(tgm->aio_context,
                   qatomic_read(&tgm->restart_pending) > 0);

    qemu_mutex_lock(&tg->lock);
    for (dir = THROTTLE_READ; dir < THROTTLE_MAX; dir++) {
        assert(tgm->pending_reqs[dir] == 0);
        assert(qemu_co_queue_empty(&tgm->throttled_reqs[dir]));
        if (tgm->throttle_timers.timers[dir] &&
            timer_pending(tgm->throttle_timers.timers[dir])) {
            tg->any_timer_armed[dir] = false;
        }
        if (tg->tokens[dir] == tgm) {
            ThrottleGroupMember *next = tgm_next(tg, tgm);

            tg->tokens[dir] = next == tgm ? NULL : next;
        }
    }
    QLIST_REMOVE(tgm, round_robin);
    throttle_timers_destroy(&tgm->throttle_timers);
    qemu_mutex_unlock(&tg->lock);

    throttle_group_unref(ts);
    tgm->throttle_state = NULL;
}

void throttle_group_attach_aio_context(ThrottleGroupMember *tgm,
                                       AioContext *new_context)
{
    tgm->aio_context = new_context;
    throttle_timers_attach_aio_context(&tgm->throttle_timers, new_context);
}

void throttle_group_detach_aio_context(ThrottleGroupMember *tgm)
{
    ThrottleGroup *tg = tg_of(tgm->throttle_state);
    ThrottleDirection dir;

    /* The node was drained, so nothing is queued. */
    qemu_mutex_lock(&tg->lock);
    for (dir = THROTTLE_READ; dir < THROTTLE_MAX; dir++) {
        assert(tgm->pending_reqs[dir] == 0);
        if (timer_pending(tgm->throttle_timers.timers[dir])) {
            tg->any_timer_armed[dir] = false;
            schedule_next_request(tgm, dir);
        }
    }
    qemu_mutex_unlock(&tg->lock);
    throttle_timers_detach_aio_context(&tgm->throttle_timers);
    tgm->aio_context = NULL;
}

/* ---- the "throttle-group" object ---- */

typedef struct ThrottleProp {
    const char *name;           /* after "limits." or "x-" */
    int bucket;                 /* BucketType, or -1 for iops-size */
    enum { PROP_AVG, PROP_MAX, PROP_LENGTH } field;
} ThrottleProp;

#define BUCKET_PROPS(n, b) \
    { n, b, PROP_AVG }, { n "-max", b, PROP_MAX }, \
    { n "-max-length", b, PROP_LENGTH }

static const ThrottleProp throttle_props[] = {
    BUCKET_PROPS("iops-total", THROTTLE_OPS_TOTAL),
    BUCKET_PROPS("iops-read", THROTTLE_OPS_READ),
    BUCKET_PROPS("iops-write", THROTTLE_OPS_WRITE),
    BUCKET_PROPS("bps-total", THROTTLE_BPS_TOTAL),
    BUCKET_PROPS("bps-read", THROTTLE_BPS_READ),
    BUCKET_PROPS("bps-write", THROTTLE_BPS_WRITE),
    { "iops-size", -1, PROP_AVG },
};

/* Value of property @key in @props (a number or a numeric string). */
static bool throttle_prop_value(QDict *props, const char *key,
                                int64_t *value, Error **errp)
{
    QObject *obj = qdict_get(props, key);
    QString *str = qobject_to(QString, obj);
    QNum *num = qobject_to(QNum, obj);

    if (num && qnum_get_try_int(num, value)) {
        return true;
    }
    if (str && !qemu_strtoi64(qstring_get_str(str), NULL, 10, value)) {
        return true;
    }
    error_setg(errp, "Parameter '%s' expects integer", key);
    return false;
}

/*
 * Range checks that QEMU 7.2 makes while setting a property (the rest is
 * throttle_is_valid()'s job).  The legacy x-* properties refuse negative
 * values; burst lengths must fit 32 bits (the legacy message really has
 * no space in "therange").
 */
static bool throttle_prop_check(const ThrottleProp *tp, const char *key,
                                bool legacy, int64_t v, Error **errp)
{
    if (legacy && v < 0) {
        error_setg(errp, "Property values cannot be negative");
        return false;
    }
    if (tp->field == PROP_LENGTH && v > UINT_MAX) {
        error_setg(errp, legacy ? "%s value must be in therange [0, %u]"
                                : "%s value must be in the range [0, %u]",
                   legacy ? key : tp->name, UINT_MAX);
        return false;
    }
    return true;
}

/* Move the limits found in @props into @cfg (consuming their keys). */
static bool throttle_group_parse_props(QDict *props, ThrottleConfig *cfg,
                                       Error **errp)
{
    static const char *const prefixes[] = { "limits.", "x-" };
    size_t i, p;

    for (i = 0; i < ARRAY_SIZE(throttle_props); i++) {
        const ThrottleProp *tp = &throttle_props[i];

        for (p = 0; p < ARRAY_SIZE(prefixes); p++) {
            g_autofree char *key = g_strconcat(prefixes[p], tp->name, NULL);
            int64_t v;

            if (!qdict_haskey(props, key)) {
                continue;
            }
            if (!throttle_prop_value(props, key, &v, errp) ||
                !throttle_prop_check(tp, key, p == 1, v, errp)) {
                return false;
            }
            qdict_del(props, key);
            /* Negative limits wrap, as upstream; validation rejects them. */
            if (tp->bucket < 0) {
                cfg->op_size = v;
            } else if (tp->field == PROP_AVG) {
                cfg->buckets[tp->bucket].avg = v;
            } else if (tp->field == PROP_MAX) {
                cfg->buckets[tp->bucket].max = v;
            } else {
                cfg->buckets[tp->bucket].burst_length = (uint32_t)v;
            }
        }
    }
    return true;
}

static void *throttle_group_obj_create(const char *id, QDict *props,
                                       Error **errp)
{
    ThrottleConfig cfg;
    ThrottleGroup *tg;

    throttle_config_init(&cfg);
    if (!throttle_group_parse_props(props, &cfg, errp)) {
        return NULL;
    }
    if (!throttle_is_valid(&cfg, errp)) {
        return NULL;
    }
    if (throttle_group_exists(id)) {
        error_setg(errp, "A group with this name already exists");
        return NULL;
    }
    tg = throttle_group_new(id);
    tg->is_object = true;
    throttle_config(&tg->ts, tg->clock_type, &cfg);
    return tg;
}

static bool throttle_group_obj_can_delete(void *obj, Error **errp)
{
    ThrottleGroup *tg = obj;

    if (tg->refcount > 1) {
        error_setg(errp, "object '%s' is in use, can not be deleted",
                   tg->name);
        return false;
    }
    return true;
}

static void throttle_group_obj_destroy(void *obj)
{
    ThrottleGroup *tg = obj;

    tg->is_object = false;
    throttle_group_unref(&tg->ts);
}

static void throttle_group_obj_list_props(GPtrArray *lines)
{
    size_t i;

    g_ptr_array_add(lines, g_strdup("limits=<ThrottleLimits>"));
    for (i = 0; i < ARRAY_SIZE(throttle_props); i++) {
        g_ptr_array_add(lines, g_strdup_printf("x-%s=<int>",
                                               throttle_props[i].name));
    }
}

static const UserCreatableType throttle_group_type = {
    .name       = "throttle-group",
    .create     = throttle_group_obj_create,
    .can_delete = throttle_group_obj_can_delete,
    .destroy    = throttle_group_obj_destroy,
    .list_props = throttle_group_obj_list_props,
};

static void throttle_groups_init(void)
{
    user_creatable_register_type(&throttle_group_type);
}

block_init(throttle_groups_init);
