/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * timer.h: clocks and timers.
 *
 * A QEMUTimer belongs to one QEMUTimerList: the list of one clock type
 * within a QEMUTimerListGroup.  Every AioContext owns a group (its timers
 * fire from aio_poll() in that context's thread); the main loop owns
 * main_loop_tlg, used by the timer_new*() functions.  Timers may be
 * armed and disarmed from any thread; callbacks run in the thread that
 * runs the owning list.
 */
#ifndef QEMU_TIMER_H
#define QEMU_TIMER_H

#include "qemu/thread.h"

#define NANOSECONDS_PER_SECOND 1000000000LL

/* Timer scales: the number of nanoseconds in one timer tick. */
#define SCALE_MS 1000000
#define SCALE_US 1000
#define SCALE_NS 1

/*
 * QEMU_CLOCK_REALTIME: monotonic host time; runs while the VM is stopped.
 * QEMU_CLOCK_VIRTUAL: guest time; stops with the VM.  Without a VM (the
 *   tools) it follows the monotonic host clock.
 * QEMU_CLOCK_HOST: wall-clock time, may jump (NTP, date changes).
 * QEMU_CLOCK_VIRTUAL_RT: like REALTIME, but stops with the VM.
 */
typedef enum {
    QEMU_CLOCK_REALTIME = 0,
    QEMU_CLOCK_VIRTUAL = 1,
    QEMU_CLOCK_HOST = 2,
    QEMU_CLOCK_VIRTUAL_RT = 3,
    QEMU_CLOCK_MAX
} QEMUClockType;

/* Timer attributes (bit mask) */
#define QEMU_TIMER_ATTR_EXTERNAL ((int)BIT(0))
#define QEMU_TIMER_ATTR_ALL      0xffffffff

typedef struct QEMUTimerList QEMUTimerList;

struct QEMUTimerListGroup {
    QEMUTimerList *tl[QEMU_CLOCK_MAX];
};

typedef void QEMUTimerCB(void *opaque);
typedef void QEMUTimerListNotifyCB(void *opaque, QEMUClockType type);

struct QEMUTimer {
    int64_t expire_time;        /* in nanoseconds; -1 when not armed */
    QEMUTimerList *timer_list;
    QEMUTimerCB *cb;
    void *opaque;
    QEMUTimer *next;
    int attributes;
    int scale;
};

/* The timers created by timer_new*(), run by main_loop_wait(). */
extern QEMUTimerListGroup main_loop_tlg;

/* ---- clocks ---- */

/* Current time of clock @type in nanoseconds / microseconds / ms. */
int64_t qemu_clock_get_ns(QEMUClockType type);

static inline int64_t qemu_clock_get_ms(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_MS;
}

static inline int64_t qemu_clock_get_us(QEMUClockType type)
{
    return qemu_clock_get_ns(type) / SCALE_US;
}

/* Monotonic host clock in ns (the REALTIME clock). */
int64_t get_clock(void);
/* Wall clock in ns since the epoch (the HOST clock). */
int64_t get_clock_realtime(void);

/*
 * Install the source of QEMU_CLOCK_VIRTUAL (and VIRTUAL_RT): the
 * emulator points this at its guest clock.  NULL restores host time.
 */
void qemu_clock_set_virtual_source(int64_t (*get_ns)(void));

/* Whether main_loop_tlg's list for @type has armed timers / expired ones. */
bool qemu_clock_has_timers(QEMUClockType type);
bool qemu_clock_expired(QEMUClockType type);
/* Whether the clock counts when computing poll deadlines (all do). */
bool qemu_clock_use_for_deadline(QEMUClockType type);
/*
 * Nanoseconds until the first timer of @type with an attribute in
 * @attr_mask expires in any timer list, 0 if one has expired, -1 if none.
 */
int64_t qemu_clock_deadline_ns_all(QEMUClockType type, int attr_mask);
QEMUTimerList *qemu_clock_get_main_loop_timerlist(QEMUClockType type);
/* Wake whoever polls the timer lists of @type. */
void qemu_clock_notify(QEMUClockType type);
/* Stop or restart clock @type's timers in every list. */
void qemu_clock_enable(QEMUClockType type, bool enabled);
/* Run expired main-loop timers of @type / of all clocks; true if any ran. */
bool qemu_clock_run_timers(QEMUClockType type);
bool qemu_clock_run_all_timers(void);

/* ---- timer lists ---- */

QEMUTimerList *timerlist_new(QEMUClockType type,
                             QEMUTimerListNotifyCB *cb, void *opaque);
/* Free @timer_list, which must have no armed timers. */
void timerlist_free(QEMUTimerList *timer_list);
bool timerlist_has_timers(QEMUTimerList *timer_list);
bool timerlist_expired(QEMUTimerList *timer_list);
/* ns until the first timer expires, 0 if expired, -1 if none / disabled. */
int64_t timerlist_deadline_ns(QEMUTimerList *timer_list);
QEMUClockType timerlist_get_clock(QEMUTimerList *timer_list);
/* Call the expired timers' callbacks; true if at least one ran. */
bool timerlist_run_timers(QEMUTimerList *timer_list);
void timerlist_notify(QEMUTimerList *timer_list);

void timerlistgroup_init(QEMUTimerListGroup *tlg,
                         QEMUTimerListNotifyCB *cb, void *opaque);
void timerlistgroup_deinit(QEMUTimerListGroup *tlg);
bool timerlistgroup_run_timers(QEMUTimerListGroup *tlg);
/* The earliest deadline of all clocks in @tlg, as timerlist_deadline_ns. */
int64_t timerlistgroup_deadline_ns(QEMUTimerListGroup *tlg);

/* ---- timers ---- */

void timer_init_full(QEMUTimer *ts, QEMUTimerListGroup *timer_list_group,
                     QEMUClockType type, int scale, int attributes,
                     QEMUTimerCB *cb, void *opaque);

static inline void timer_init_tl(QEMUTimer *ts, QEMUTimerList *timer_list,
                                 int scale, QEMUTimerCB *cb, void *opaque)
{
    ts->timer_list = timer_list;
    ts->cb = cb;
    ts->opaque = opaque;
    ts->scale = scale;
    ts->attributes = 0;
    ts->expire_time = -1;
    ts->next = NULL;
}

static inline void timer_init(QEMUTimer *ts, QEMUClockType type, int scale,
                              QEMUTimerCB *cb, void *opaque)
{
    timer_init_full(ts, NULL, type, scale, 0, cb, opaque);
}

static inline void timer_init_ns(QEMUTimer *ts, QEMUClockType type,
                                 QEMUTimerCB *cb, void *opaque)
{
    timer_init(ts, type, SCALE_NS, cb, opaque);
}

static inline void timer_init_us(QEMUTimer *ts, QEMUClockType type,
                                 QEMUTimerCB *cb, void *opaque)
{
    timer_init(ts, type, SCALE_US, cb, opaque);
}

static inline void timer_init_ms(QEMUTimer *ts, QEMUClockType type,
                                 QEMUTimerCB *cb, void *opaque)
{
    timer_init(ts, type, SCALE_MS, cb, opaque);
}

/* Allocate and initialise a timer; a NULL @timer_list_group means main. */
static inline QEMUTimer *timer_new_full(QEMUTimerListGroup *timer_list_group,
                                        QEMUClockType type, int scale,
                                        int attributes, QEMUTimerCB *cb,
                                        void *opaque)
{
    QEMUTimer *ts = g_new0(QEMUTimer, 1);

    timer_init_full(ts, timer_list_group, type, scale, attributes, cb,
                    opaque);
    return ts;
}

static inline QEMUTimer *timer_new(QEMUClockType type, int scale,
                                   QEMUTimerCB *cb, void *opaque)
{
    return timer_new_full(NULL, type, scale, 0, cb, opaque);
}

static inline QEMUTimer *timer_new_ns(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_NS, cb, opaque);
}

static inline QEMUTimer *timer_new_us(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_US, cb, opaque);
}

static inline QEMUTimer *timer_new_ms(QEMUClockType type, QEMUTimerCB *cb,
                                      void *opaque)
{
    return timer_new(type, SCALE_MS, cb, opaque);
}

/* Disarm @ts and forget its list; it may be initialised again. */
void timer_deinit(QEMUTimer *ts);

/* Disarm and free a timer from timer_new*(); NULL is a no-op. */
void timer_free(QEMUTimer *ts);

/* Disarm @ts; harmless if it is not armed.  Any thread. */
void timer_del(QEMUTimer *ts);

/* Arm @ts to fire at @expire_time ns on its clock.  Any thread. */
void timer_mod_ns(QEMUTimer *ts, int64_t expire_time);
/* As timer_mod_ns(), but only ever moves the deadline earlier. */
void timer_mod_anticipate_ns(QEMUTimer *ts, int64_t expire_time);
/* Arm @ts to fire at @expire_time in units of its scale. */
void timer_mod(QEMUTimer *ts, int64_t expire_time);
void timer_mod_anticipate(QEMUTimer *ts, int64_t expire_time);

bool timer_pending(QEMUTimer *ts);
/* Whether @ts is armed with a deadline at or before @current_time (ns). */
bool timer_expired(QEMUTimer *timer_head, int64_t current_time);
/* The deadline in ns, or -1 when @ts is not armed. */
uint64_t timer_expire_time_ns(QEMUTimer *ts);

/* ---- helpers for pollers ---- */

/* The earlier of two timeouts in ns, where -1 means "none". */
static inline int64_t qemu_soonest_timeout(int64_t timeout1, int64_t timeout2)
{
    /* Casting to unsigned makes -1 the largest value. */
    return ((uint64_t)timeout1 < (uint64_t)timeout2) ? timeout1 : timeout2;
}

/* A poll() timeout in ms from one in ns, rounding up; -1 stays -1. */
int qemu_timeout_ns_to_ms(int64_t ns);

/* poll() with a nanosecond timeout (-1: forever).  Returns as ppoll(). */
int qemu_poll_ns(GPollFD *fds, guint nfds, int64_t timeout);

/* Set up the clocks and main_loop_tlg; called automatically. */
void init_clocks(QEMUTimerListNotifyCB *notify_cb);

#endif /* QEMU_TIMER_H */
