/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the qemu-io command files (qemu-io-cmds.c and
 * qemu-io-misc.c), implemented in qemu-io-helpers.c: number parsing, the
 * statistics report, buffers and the hex dump; and the held output of
 * the command loop (qemu-io-out.c).  Private to qemu-io; nothing else
 * includes it.
 */
#ifndef QEMU_IO_INTERNAL_H
#define QEMU_IO_INTERNAL_H

#include "qemu-io.h"

/*
 * While commands come from a non-terminal standard input: stdout is held
 * in memory (flushes of it reach the memory, in 7.2's order) and written
 * out before stderr output, before qemu-io waits for input, at exit and
 * when it grows large.  No-op when stdout is a terminal.
 */
void qemuio_out_begin(void);
/* Flush stdout into the held output, write it all, restore stdout/stderr. */
void qemuio_out_end(void);
/*
 * Write out what is held now: before the process may end without
 * exit() (abort, signals).  What is still in stdout's stdio buffer stays
 * there, as it would in 7.2.
 */
void qemuio_out_sync(void);
/*
 * The next line of standard input without its newline (g_free() it), or
 * NULL at end of input.  Reads ahead in large chunks; writes the held
 * output out before it waits for input.
 */
char *qemuio_read_line(void);

/*
 * Parse a byte count or offset with optional size suffix.  Returns the
 * value, or -EINVAL (syntax) / -ERANGE (more than INT64_MAX).
 */
int64_t cvtnum(const char *s);

/* Print the "Parsing error: ..." line for a failed cvtnum() of @arg. */
void print_cvtnum_err(int64_t rc, const char *arg);

/* "64 KiB", "1.500 KiB", "512 bytes": qemu-io's way of printing sizes. */
void cvtstr(double value, char *str, size_t size);

/* Monotonic now, and @t2 - @t1. */
struct timespec qemuio_now(void);
struct timespec qemuio_tsub(struct timespec t2, struct timespec t1);

/*
 * The two report lines ("<op> N/N bytes at offset N" and the timing line)
 * or, with @Cflag, the one machine-readable line.
 */
void print_report(const char *op, struct timespec t, int64_t offset,
                  int64_t count, int64_t total, int cnt, bool Cflag);

/*
 * The output of a read command that succeeded: nothing with @quiet, else
 * the hex dump of @buf when @dump (-v), then print_report("read", ...)
 * for @count bytes at @offset that took @elapsed.
 */
void report_read(const void *buf, int64_t offset, int64_t count,
                 struct timespec elapsed, bool quiet, bool dump, bool Cflag);

/*
 * Parse a pattern byte for -P (0..255, any base).  Prints
 * "<arg> is not a valid pattern byte" and returns -1 when invalid.
 */
int parse_pattern(const char *arg);

/*
 * A request buffer of @len bytes filled with @pattern, honouring -m.
 * Free with qemu_io_free() with the same @len.
 */
void *qemu_io_alloc(BlockBackend *blk, size_t len, int pattern);
void qemu_io_free(BlockBackend *blk, void *p, size_t len);

/*
 * Build @qiov over one buffer from the lengths in @argv[0..nr_iov-1],
 * filled with @pattern.  Returns the buffer (free it with qemu_io_free()
 * and qiov->size), or NULL after printing why.
 */
void *create_iovec(BlockBackend *blk, QEMUIOVector *qiov, char **argv,
                   int nr_iov, int pattern);

/* "%08x:  hh hh ...  ascii" lines, 16 bytes each. */
void dump_buffer(const void *buffer, int64_t offset, int64_t len);

/*
 * Print "Pattern verification failed ..." and return -EINVAL if @buf is
 * not all @pattern; else 0.
 */
int verify_pattern(const void *buf, size_t len, int pattern,
                   int64_t offset);

/* Register the commands of qemu-io-misc.c. */
void qemuio_init_misc_commands(void);

#endif /* QEMU_IO_INTERNAL_H */
