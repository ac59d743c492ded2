/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-timer.c: clocks, timer lists and timers.
 *
 * Each clock type keeps the list of every QEMUTimerList of that type (one
 * per AioContext plus the main loop's), so that enabling a clock or
 * asking for the earliest deadline can look at all of them.  A timer
 * list is sorted by deadline and protected by its own mutex, because
 * timers are armed from any thread; callbacks run without that mutex.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include "qemu/timer.h"
#include "qemu/atomic.h"
#include "qemu/queue.h"
#include "qemu/main-loop.h"

typedef struct QEMUClock {
    QemuMutex lists_lock;               /* protects timerlists */
    QLIST_HEAD(, QEMUTimerList) timerlists;
    QEMUClockType type;
    bool enabled;
} QEMUClock;

struct QEMUTimerList {
    QEMUClock *clock;
    QemuMutex active_timers_lock;
    QEMUTimer *active_timers;           /* sorted by expire_time */
    QLIST_ENTRY(QEMUTimerList) list;
    QEMUTimerListNotifyCB *notify_cb;
    void *notify_opaque;
};

QEMUTimerListGroup main_loop_tlg;
static QEMUClock qemu_clocks[QEMU_CLOCK_MAX];
static int64_t (*virtual_source)(void);

/* ---- clocks ---- */

int64_t get_clock(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

int64_t get_clock_realtime(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

void qemu_clock_set_virtual_source(int64_t (*get_ns)(void))
{
    qatomic_set(&virtual_source, get_ns);
}

int64_t qemu_clock_get_ns(QEMUClockType type)
{
    int64_t (*source)(void);

    switch (type) {
    case QEMU_CLOCK_REALTIME:
        return get_clock();
    case QEMU_CLOCK_HOST:
        return get_clock_realtime();
    case QEMU_CLOCK_VIRTUAL:
    case QEMU_CLOCK_VIRTUAL_RT:
        source = qatomic_read(&virtual_source);
        return source ? source() : get_clock();
    default:
        abort();
    }
}

static QEMUClock *clock_of(QEMUClockType type)
{
    assert(type >= 0 && type < QEMU_CLOCK_MAX);
    return &qemu_clocks[type];
}

bool qemu_clock_use_for_deadline(QEMUClockType type)
{
    return true;
}

QEMUTimerList *qemu_clock_get_main_loop_timerlist(QEMUClockType type)
{
    return main_loop_tlg.tl[type];
}

bool qemu_clock_has_timers(QEMUClockType type)
{
    return timerlist_has_timers(main_loop_tlg.tl[type]);
}

bool qemu_clock_expired(QEMUClockType type)
{
    return timerlist_expired(main_loop_tlg.tl[type]);
}

void qemu_clock_notify(QEMUClockType type)
{
    QEMUClock *clock = clock_of(type);
    QEMUTimerList *tl;

    qemu_mutex_lock(&clock->lists_lock);
    QLIST_FOREACH(tl, &clock->timerlists, list) {
        timerlist_notify(tl);
    }
    qemu_mutex_unlock(&clock->lists_lock);
}

void qemu_clock_enable(QEMUClockType type, bool enabled)
{
    QEMUClock *clock = clock_of(type);
    bool old = qatomic_read(&clock->enabled);

    qatomic_set(&clock->enabled, enabled);
    if (enabled && !old) {
        qemu_clock_notify(type);
    }
}

/* The first deadline in @tl among timers matching @attr_mask, or -1. */
static int64_t timerlist_first_expire(QEMUTimerList *tl, int attr_mask)
{
    QEMUTimer *ts;
    int64_t expire = -1;

    qemu_mutex_lock(&tl->active_timers_lock);
    for (ts = tl->active_timers; ts; ts = ts->next) {
        /* A timer counts if all its attributes are in the mask. */
        if ((ts->attributes & attr_mask) == ts->attributes) {
            expire = ts->expire_time;
            break;
        }
    }
    qemu_mutex_unlock(&tl->active_timers_lock);
    return expire;
}

int64_t qemu_clock_deadline_ns_all(QEMUClockType type, int attr_mask)
{
    QEMUClock *clock = clock_of(type);
    QEMUTimerList *tl;
    int64_t deadline = -1;
    int64_t now;

    if (!qatomic_read(&clock->enabled)) {
        return -1;
    }
    now = qemu_clock_get_ns(type);
    qemu_mutex_lock(&clock->lists_lock);
    QLIST_FOREACH(tl, &clock->timerlists, list) {
        int64_t expire = timerlist_first_expire(tl, attr_mask);
        if (expire >= 0) {
            deadline = qemu_soonest_timeout(deadline, MAX(expire - now, 0));
        }
    }
    qemu_mutex_unlock(&clock->lists_lock);
    return deadline;
}

bool qemu_clock_run_timers(QEMUClockType type)
{
    return timerlist_run_timers(main_loop_tlg.tl[type]);
}

bool qemu_clock_run_all_timers(void)
{
    return timerlistgroup_run_timers(&main_loop_tlg);
}

/* ---- timer lists ---- */

QEMUTimerList *timerlist_new(QEMUClockType type,
                             QEMUTimerListNotifyCB *cb, void *opaque)
{
    QEMUClock *clock = clock_of(type);
    QEMUTimerList *tl = g_new0(QEMUTimerList, 1);

    tl->clock = clock;
    tl->notify_cb = cb;
    tl->notify_opaque = opaque;
    qemu_mutex_init(&tl->active_timers_lock);
    qemu_mutex_lock(&clock->lists_lock);
    QLIST_INSERT_HEAD(&clock->timerlists, tl, list);
    qemu_mutex_unlock(&clock->lists_lock);
    return tl;
}

void timerlist_free(QEMUTimerList *tl)
{
    assert(!timerlist_has_timers(tl));
    qemu_mutex_lock(&tl->clock->lists_lock);
    QLIST_REMOVE(tl, list);
    qemu_mutex_unlock(&tl->clock->lists_lock);
    qemu_mutex_destroy(&tl->active_timers_lock);
    g_free(tl);
}

bool timerlist_has_timers(QEMUTimerList *tl)
{
    return qatomic_read(&tl->active_timers) != NULL;
}

bool timerlist_expired(QEMUTimerList *tl)
{
    int64_t expire;

    if (!timerlist_has_timers(tl)) {
        return false;
    }
    qemu_mutex_lock(&tl->active_timers_lock);
    expire = tl->active_timers ? tl->active_timers->expire_time : -1;
    qemu_mutex_unlock(&tl->active_timers_lock);
    return expire >= 0 && expire <= qemu_clock_get_ns(tl->clock->type);
}

int64_t timerlist_deadline_ns(QEMUTimerList *tl)
{
    int64_t expire, delta;

    if (!qatomic_read(&tl->clock->enabled) || !timerlist_has_timers(tl)) {
        return -1;
    }
    qemu_mutex_lock(&tl->active_timers_lock);
    expire = tl->active_timers ? tl->active_timers->expire_time : -1;
    qemu_mutex_unlock(&tl->active_timers_lock);
    if (expire < 0) {
        return -1;
    }
    delta = expire - qemu_clock_get_ns(tl->clock->type);
    return delta <= 0 ? 0 : delta;
}

QEMUClockType timerlist_get_clock(QEMUTimerList *tl)
{
    return tl->clock->type;
}

void timerlist_notify(QEMUTimerList *tl)
{
    if (tl->notify_cb) {
        tl->notify_cb(tl->notify_opaque, tl->clock->type);
    } else {
        qemu_notify_event();
    }
}

bool timerlist_run_timers(QEMUTimerList *tl)
{
    int64_t now;
    bool progress = false;

    if (!qatomic_read(&tl->clock->enabled) || !timerlist_has_timers(tl)) {
        return false;
    }
    /* One reading of the clock: a timer re-armed for "now" waits. */
    now = qemu_clock_get_ns(tl->clock->type);
    qemu_mutex_lock(&tl->active_timers_lock);
    for (;;) {
        QEMUTimer *ts = tl->active_timers;
        QEMUTimerCB *cb;
        void *opaque;

        if (!ts || ts->expire_time > now) {
            break;
        }
        tl->active_timers = ts->next;
        ts->next = NULL;
        ts->expire_time = -1;
        cb = ts->cb;
        opaque = ts->opaque;

        /* The callback may re-arm or free its timer. */
        qemu_mutex_unlock(&tl->active_timers_lock);
        cb(opaque);
        progress = true;
        qemu_mutex_lock(&tl->active_timers_lock);
    }
    qemu_mutex_unlock(&tl->active_timers_lock);
    return progress;
}

void timerlistgroup_init(QEMUTimerListGroup *tlg,
                         QEMUTimerListNotifyCB *cb, void *opaque)
{
    QEMUClockType type;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        tlg->tl[type] = timerlist_new(type, cb, opaque);
    }
}

void timerlistgroup_deinit(QEMUTimerListGroup *tlg)
{
    QEMUClockType type;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        timerlist_free(tlg->tl[type]);
        tlg->tl[type] = NULL;
    }
}

bool timerlistgroup_run_timers(QEMUTimerListGroup *tlg)
{
    QEMUClockType type;
    bool progress = false;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        progress |= timerlist_run_timers(tlg->tl[type]);
    }
    return progress;
}

int64_t timerlistgroup_deadline_ns(QEMUTimerListGroup *tlg)
{
    QEMUClockType type;
    int64_t deadline = -1;

    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        if (qemu_clock_use_for_deadline(type)) {
            int64_t ns = timerlist_deadline_ns(tlg->tl[type]);
            deadline = qemu_soonest_timeout(deadline, ns);
        }
    }
    return deadline;
}

/* ---- timers ---- */

void timer_init_full(QEMUTimer *ts, QEMUTimerListGroup *timer_list_group,
                     QEMUClockType type, int scale, int attributes,
                     QEMUTimerCB *cb, void *opaque)
{
    if (!timer_list_group) {
        timer_list_group = &main_loop_tlg;
    }
    timer_init_tl(ts, timer_list_group->tl[type], scale, cb, opaque);
    ts->attributes = attributes;
}

/* Unlink @ts from its list.  Called with the list lock held. */
static void timer_unlink_locked(QEMUTimerList *tl, QEMUTimer *ts)
{
    QEMUTimer **pt = &tl->active_timers;

    ts->expire_time = -1;
    while (*pt) {
        if (*pt == ts) {
            qatomic_set(pt, ts->next);
            ts->next = NULL;
            return;
        }
        pt = &(*pt)->next;
    }
}

/* Insert @ts sorted; returns true if it became the first timer. */
static bool timer_insert_locked(QEMUTimerList *tl, QEMUTimer *ts,
                                int64_t expire_time)
{
    QEMUTimer **pt = &tl->active_timers;

    ts->expire_time = MAX(expire_time, 0);
    while (*pt && (*pt)->expire_time <= ts->expire_time) {
        pt = &(*pt)->next;
    }
    ts->next = *pt;
    qatomic_set(pt, ts);
    return pt == &tl->active_timers;
}

void timer_deinit(QEMUTimer *ts)
{
    timer_del(ts);
    ts->timer_list = NULL;
}

void timer_free(QEMUTimer *ts)
{
    if (ts) {
        timer_del(ts);
        g_free(ts);
    }
}

void timer_del(QEMUTimer *ts)
{
    QEMUTimerList *tl = ts->timer_list;

    if (tl) {
        qemu_mutex_lock(&tl->active_timers_lock);
        timer_unlink_locked(tl, ts);
        qemu_mutex_unlock(&tl->active_timers_lock);
    }
}

void timer_mod_ns(QEMUTimer *ts, int64_t expire_time)
{
    QEMUTimerList *tl = ts->timer_list;
    bool first;

    qemu_mutex_lock(&tl->active_timers_lock);
    timer_unlink_locked(tl, ts);
    first = timer_insert_locked(tl, ts, expire_time);
    qemu_mutex_unlock(&tl->active_timers_lock);

    /* A new earliest deadline: the poller must recompute its timeout. */
    if (first) {
        timerlist_notify(tl);
    }
}

void timer_mod_anticipate_ns(QEMUTimer *ts, int64_t expire_time)
{
    QEMUTimerList *tl = ts->timer_list;
    bool first = false;

    qemu_mutex_lock(&tl->active_timers_lock);
    if (ts->expire_time < 0 || ts->expire_time > expire_time) {
        timer_unlink_locked(tl, ts);
        first = timer_insert_locked(tl, ts, expire_time);
    }
    qemu_mutex_unlock(&tl->active_timers_lock);
    if (first) {
        timerlist_notify(tl);
    }
}

void timer_mod(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_ns(ts, expire_time * ts->scale);
}

void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time)
{
    timer_mod_anticipate_ns(ts, expire_time * ts->scale);
}

bool timer_pending(QEMUTimer *ts)
{
    return qatomic_read(&ts->expire_time) >= 0;
}

bool timer_expired(QEMUTimer *timer_head, int64_t current_time)
{
    int64_t expire = qatomic_read(&timer_head->expire_time);

    return expire >= 0 && expire <= current_time;
}

uint64_t timer_expire_time_ns(QEMUTimer *ts)
{
    return timer_pending(ts) ? ts->expire_time : -1;
}

/* ---- polling helpers ---- */

int qemu_timeout_ns_to_ms(int64_t ns)
{
    int64_t ms;

    if (ns < 0) {
        return -1;
    }
    if (ns == 0) {
        return 0;
    }
    /* Round up: waking early would only make the caller poll again. */
    ms = DIV_ROUND_UP(ns, SCALE_MS);
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

int qemu_poll_ns(GPollFD *fds, guint nfds, int64_t timeout)
{
    struct timespec ts;

    QEMU_BUILD_BUG_ON(sizeof(GPollFD) != sizeof(struct pollfd));
    if (timeout < 0) {
        return ppoll((struct pollfd *)fds, nfds, NULL, NULL);
    }
    ts.tv_sec = timeout / NANOSECONDS_PER_SECOND;
    ts.tv_nsec = timeout % NANOSECONDS_PER_SECOND;
    return ppoll((struct pollfd *)fds, nfds, &ts, NULL);
}

void init_clocks(QEMUTimerListNotifyCB *notify_cb)
{
    static bool done;
    QEMUClockType type;

    if (done) {
        return;
    }
    done = true;
    for (type = 0; type < QEMU_CLOCK_MAX; type++) {
        QEMUClock *clock = &qemu_clocks[type];

        qemu_mutex_init(&clock->lists_lock);
        QLIST_INIT(&clock->timerlists);
        clock->type = type;
        clock->enabled = true;
        main_loop_tlg.tl[type] = timerlist_new(type, notify_cb, NULL);
    }
}

static void __attribute__((constructor)) qemu_timer_init(void)
{
    init_clocks(NULL);
}
