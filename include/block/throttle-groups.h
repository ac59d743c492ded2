/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * throttle-groups.h: I/O limits shared by several users.
 *
 * A throttle group is a named ThrottleState (util/throttle.c): one set of
 * leaky buckets charged by every member.  Members (ThrottleGroupMember,
 * embedded in e.g. the "throttle" filter node) queue the requests that
 * must wait; only one timer per direction is armed in the whole group, and
 * when it fires the right to send goes round-robin to the next member that
 * has requests waiting, so a busy member cannot starve the others.
 *
 * Groups are user-creatable objects of type "throttle-group" ("--object
 * throttle-group,id=tg0,limits.iops-total=100"; see
 * include/qom/object_interfaces.h), with the limits as properties: the
 * "limits.*" members (iops-total, iops-total-max, iops-total-max-length,
 * the same for -read/-write and for bps-*, and iops-size) and the legacy
 * "x-*" spellings of the same names.
 *
 * Threading: the group state is protected by a mutex inside the group; a
 * member is used from its AioContext.  Registration, configuration and
 * AioContext changes run in the main loop.
 */
#ifndef THROTTLE_GROUPS_H
#define THROTTLE_GROUPS_H

#include "qemu/coroutine.h"
#include "qemu/throttle.h"

#define QEMU_OPT_THROTTLE_GROUP_NAME "throttle-group"

typedef struct ThrottleGroupMember {
    AioContext *aio_context;
    /* Serialises this member's requests entering the group. */
    CoMutex throttled_reqs_lock;
    CoQueue throttled_reqs[THROTTLE_MAX];

    /* > 0 while limits are off for this member (drain). Atomic. */
    unsigned int io_limits_disabled;
    /* restart coroutines not yet finished. Atomic. */
    unsigned int restart_pending;

    /* The rest is protected by the group's lock. */
    ThrottleState *throttle_state;
    ThrottleTimers throttle_timers;
    unsigned pending_reqs[THROTTLE_MAX];
    QLIST_ENTRY(ThrottleGroupMember) round_robin;
} ThrottleGroupMember;

/* Name of the group @tgm belongs to. */
const char *throttle_group_get_name(ThrottleGroupMember *tgm);

/* Is there a group (object) called @name? */
bool throttle_group_exists(const char *name);

/*
 * The ThrottleState of the group @name, with one more reference; an
 * anonymous group (not an object) is created if there is none.
 */
ThrottleState *throttle_group_incref(const char *name);
/* Drop a reference taken by throttle_group_incref(). */
void throttle_group_unref(ThrottleState *ts);

/* Set / read the limits of @tgm's group (all members see the change). */
void throttle_group_config(ThrottleGroupMember *tgm, ThrottleConfig *cfg);
void throttle_group_get_config(ThrottleGroupMember *tgm, ThrottleConfig *cfg);

/*
 * Make @tgm a member of group @groupname (creating it if needed), running
 * its timers in @ctx.  @tgm must be zero-initialised or unregistered.
 */
void throttle_group_register_tgm(ThrottleGroupMember *tgm,
                                 const char *groupname, AioContext *ctx);
/* Leave the group; @tgm must have no queued requests. */
void throttle_group_unregister_tgm(ThrottleGroupMember *tgm);

/*
 * Let every queued request of @tgm go (used by drain, together with
 * io_limits_disabled), cancelling its armed timers.
 */
void throttle_group_restart_tgm(ThrottleGroupMember *tgm);

/*
 * Wait until a request of @bytes in @direction may go, then charge it to
 * the group.  Runs in @tgm's AioContext.
 */
void coroutine_fn throttle_group_co_io_limits_intercept(
    ThrottleGroupMember *tgm, int64_t bytes, ThrottleDirection direction);

/* Move @tgm's timers out of / into an AioContext. */
void throttle_group_attach_aio_context(ThrottleGroupMember *tgm,
                                       AioContext *new_context);
void throttle_group_detach_aio_context(ThrottleGroupMember *tgm);

/*
 * Clock for groups created from now on (QEMU_CLOCK_REALTIME by default;
 * tests may pick QEMU_CLOCK_VIRTUAL to step time by hand).
 */
void throttle_group_set_clock_type(QEMUClockType type);

#endif /* THROTTLE_GROUPS_H */
