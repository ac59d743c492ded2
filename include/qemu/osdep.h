/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * osdep.h: the first header every .c file includes.
 *
 * Pulls in config-host.h, the C library and glib, and the handful of
 * portability and convenience macros the whole tree relies on.  Anything
 * more specific lives in its own header under include/qemu/.
 */
#ifndef QEMU_OSDEP_H
#define QEMU_OSDEP_H

#include "config-host.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <assert.h>
#include <signal.h>
#include <time.h>
#include <ctype.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/mman.h>

#include <glib.h>

#include "qemu/compiler.h"
#include "qemu/typedefs.h"

#ifndef O_BINARY
#define O_BINARY 0
#endif

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

/* Minimum of two values where 0 means "no limit". */
#define MIN_NON_ZERO(a, b) \
    ((a) == 0 ? (b) : ((b) == 0 ? (a) : MIN(a, b)))

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(x) ((sizeof(x) / sizeof((x)[0])) + QEMU_BUILD_BUG_ON_ZERO( \
    __builtin_types_compatible_p(typeof(x), typeof(&(x)[0]) )))
#endif

/* Round @n down/up to a multiple of @m (any @m) */
#define QEMU_ROUND_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ROUND_UP(n, m) QEMU_ROUND_DOWN((n) + (m) - 1, (m))
/* Alignment helpers for power-of-two @m */
#define QEMU_ALIGN_DOWN(n, m) ((n) / (m) * (m))
#define QEMU_ALIGN_UP(n, m) QEMU_ALIGN_DOWN((n) + (m) - 1, (m))
#define QEMU_IS_ALIGNED(n, m) (((n) % (m)) == 0)
#define QEMU_ALIGN_PTR_UP(p, n) \
    ((typeof(p))QEMU_ALIGN_UP((uintptr_t)(p), (n)))
#define QEMU_PTR_IS_ALIGNED(p, n) QEMU_IS_ALIGNED((uintptr_t)(p), (n))
#define ROUND_UP(n, d) QEMU_ALIGN_UP(n, d)
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))

#define BITS_PER_BYTE 8
#define BIT(nr) (1UL << (nr))
#define BIT_ULL(nr) (1ULL << (nr))

#ifndef ENOMEDIUM
#define ENOMEDIUM ENODEV
#endif
#ifndef ENOTSUP
#define ENOTSUP 4096
#endif

/* Host page size, determined once at start-up. */
extern uintptr_t qemu_real_host_page_size;
#define qemu_real_host_page_size() qemu_real_host_page_size

/* Memory helpers (util/oslib-posix.c) */
void *qemu_memalign(size_t alignment, size_t size);
void *qemu_try_memalign(size_t alignment, size_t size);
void qemu_vfree(void *ptr);
int qemu_open_old(const char *name, int flags, ...);
int qemu_close(int fd);
ssize_t qemu_write_full(int fd, const void *buf, size_t count);
int qemu_pipe(int pipefd[2]);
int64_t qemu_get_monotonic_ns(void);

/* The program name used as prefix by error_report() ("qemu-img: ..."). */
void error_set_progname(const char *argv0);
const char *error_get_progname(void);

#endif /* QEMU_OSDEP_H */
