/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * event_notifier-posix.c: EventNotifier on a Linux eventfd (one
 * descriptor for both ends), falling back to a non-blocking pipe.
 */
#include "qemu/osdep.h"
#include <sys/eventfd.h>
#include "qemu/event_notifier.h"

int event_notifier_init(EventNotifier *e, int active)
{
    int fds[2];
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

    if (fd >= 0) {
        e->rfd = e->wfd = fd;
    } else {
        if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
            return -errno;
        }
        e->rfd = fds[0];
        e->wfd = fds[1];
    }
    e->initialized = true;
    if (active) {
        event_notifier_set(e);
    }
    return 0;
}

void event_notifier_init_fd(EventNotifier *e, int fd)
{
    e->rfd = e->wfd = fd;
    e->initialized = true;
}

void event_notifier_cleanup(EventNotifier *e)
{
    if (!e->initialized) {
        return;
    }
    if (e->rfd != e->wfd) {
        close(e->rfd);
    }
    close(e->wfd);
    e->rfd = e->wfd = -1;
    e->initialized = false;
}

int event_notifier_get_fd(const EventNotifier *e)
{
    return e->rfd;
}

int event_notifier_get_wfd(const EventNotifier *e)
{
    return e->wfd;
}

int event_notifier_set(EventNotifier *e)
{
    static const uint64_t one = 1;
    ssize_t ret;

    if (!e->initialized) {
        return -1;
    }
    do {
        ret = write(e->wfd, &one, sizeof(one));
    } while (ret < 0 && errno == EINTR);

    /* EAGAIN: the counter or the pipe is full, so it is set already. */
    if (ret < 0 && errno != EAGAIN) {
        return -errno;
    }
    return 0;
}

int event_notifier_test_and_clear(EventNotifier *e)
{
    char buf[512];
    ssize_t len;
    bool was_set = false;

    if (!e->initialized) {
        return 0;
    }
    /* An eventfd empties in one read; a pipe may need several. */
    do {
        len = read(e->rfd, buf, sizeof(buf));
        if (len > 0) {
            was_set = true;
        }
    } while ((len < 0 && errno == EINTR) ||
             (len == sizeof(buf) && e->rfd != e->wfd));
    return was_set;
}
