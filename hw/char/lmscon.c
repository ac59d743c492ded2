/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lmscon, the LMS simulator console: one output byte per write to the data
 * port, input bytes polled without blocking from a host descriptor.  Zero
 * bytes (the "end of character" writes of Linux's boot console) are not
 * printed.
 */
#include "qemu/osdep.h"
#include <poll.h>
#include "hw/char/lmscon.h"

struct LMSConState {
    int out_fd;
    int in_fd;
    int pending;            /* polled input byte, -1 if none */
    uint32_t shift;         /* written to the status port */
    uint32_t trace;
};

LMSConState *lmscon_new(int out_fd, int in_fd)
{
    LMSConState *s = g_new0(LMSConState, 1);

    s->out_fd = out_fd;
    s->in_fd = in_fd;
    s->pending = -1;
    return s;
}

void lmscon_free(LMSConState *s)
{
    g_free(s);
}

static void poll_input(LMSConState *s)
{
    struct pollfd pfd = { .fd = s->in_fd, .events = POLLIN };
    uint8_t c;

    if (s->pending >= 0 || s->in_fd < 0) {
        return;
    }
    if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN) &&
        read(s->in_fd, &c, 1) == 1) {
        s->pending = c;
    }
}

bool lmscon_read(void *opaque, uint64_t port, unsigned size, uint64_t *val)
{
    LMSConState *s = opaque;

    switch (port) {
    case 0:
        poll_input(s);
        *val = s->pending >= 0 ? (uint64_t)s->pending : 0;
        s->pending = -1;
        return true;
    case 1:
        poll_input(s);
        *val = s->pending >= 0;
        return true;
    case 4:
        *val = s->trace;
        return true;
    default:
        *val = 0;
        return true;
    }
}

bool lmscon_write(void *opaque, uint64_t port, unsigned size, uint64_t val)
{
    LMSConState *s = opaque;
    uint8_t c = val;

    switch (port) {
    case 0:
        if (c && s->out_fd >= 0) {
            ssize_t r;

            do {
                r = write(s->out_fd, &c, 1);
            } while (r < 0 && errno == EINTR);
        }
        return true;
    case 1:
        s->shift = val;
        return true;
    case 4:
        s->trace = val;
        return true;
    default:
        return true;
    }
}
