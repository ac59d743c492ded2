/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lmscon: the console of MCST's LMS simulator (ISA-NOTES 5.7), x86 ports
 * 0x300..0x304: data (write = output byte, read = input byte or 0),
 * status (input available), and the simulator-only socket/trace ports.
 */
#ifndef HW_CHAR_LMSCON_H
#define HW_CHAR_LMSCON_H

#define LMSCON_PORT_BASE    0x300
#define LMSCON_PORT_COUNT   5

typedef struct LMSConState LMSConState;

/* Output goes to @out_fd; input is polled from @in_fd (-1: none). */
LMSConState *lmscon_new(int out_fd, int in_fd);
void lmscon_free(LMSConState *s);

/* Port accessors; @port is relative to LMSCON_PORT_BASE. */
bool lmscon_read(void *opaque, uint64_t port, unsigned size, uint64_t *val);
bool lmscon_write(void *opaque, uint64_t port, unsigned size, uint64_t val);

#endif /* HW_CHAR_LMSCON_H */
