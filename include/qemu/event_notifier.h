/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event_notifier.h: a level-triggered, file-descriptor based wakeup
 * flag (an eventfd on Linux, a pipe elsewhere).  Setting it makes the
 * read descriptor readable until it is tested-and-cleared, so it can
 * wake a poll()ing thread.
 */
#ifndef QEMU_EVENT_NOTIFIER_H
#define QEMU_EVENT_NOTIFIER_H

struct EventNotifier {
    int rfd;
    int wfd;
    bool initialized;
};

typedef void EventNotifierHandler(EventNotifier *);

/* Create the descriptors; @active sets the notifier at once.  -errno. */
int event_notifier_init(EventNotifier *e, int active);
/* Adopt an existing eventfd @fd for both reading and writing. */
void event_notifier_init_fd(EventNotifier *e, int fd);
void event_notifier_cleanup(EventNotifier *e);
/* Make the notifier readable.  Any thread; async-signal-safe.  -errno. */
int event_notifier_set(EventNotifier *e);
/* Clear the notifier; returns true if it was set. */
int event_notifier_test_and_clear(EventNotifier *e);
int event_notifier_get_fd(const EventNotifier *e);
int event_notifier_get_wfd(const EventNotifier *e);

#endif /* QEMU_EVENT_NOTIFIER_H */
