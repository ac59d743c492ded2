/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * oslib-posix.c: small POSIX wrappers: aligned allocation, full writes,
 * close-on-exec opens and pipes, the host page size and a monotonic clock.
 */
#include "qemu/osdep.h"

uintptr_t qemu_real_host_page_size;

static void __attribute__((constructor)) init_host_page_size(void)
{
    long sz = sysconf(_SC_PAGESIZE);
    qemu_real_host_page_size = sz > 0 ? (uintptr_t)sz : 4096;
}

void *qemu_try_memalign(size_t alignment, size_t size)
{
    void *ptr;

    if (alignment < sizeof(void *)) {
        alignment = sizeof(void *);
    }
    assert(!(alignment & (alignment - 1)));
    if (size == 0) {
        size = 1;
    }
    if (posix_memalign(&ptr, alignment, size) != 0) {
        return NULL;
    }
    return ptr;
}

void *qemu_memalign(size_t alignment, size_t size)
{
    void *ptr = qemu_try_memalign(alignment, size);

    if (!ptr) {
        fprintf(stderr, "Failed to allocate %zu bytes: %s\n", size,
                strerror(ENOMEM));
        abort();
    }
    return ptr;
}

void qemu_vfree(void *ptr)
{
    free(ptr);
}

int qemu_open_old(const char *name, int flags, ...)
{
    va_list ap;
    mode_t mode = 0;
    int ret;

    if (flags & O_CREAT) {
        va_start(ap, flags);
        mode = va_arg(ap, int);
        va_end(ap);
    }
    do {
        ret = open(name, flags | O_CLOEXEC, mode);
    } while (ret < 0 && errno == EINTR);
    return ret;
}

int qemu_close(int fd)
{
    return close(fd);
}

ssize_t qemu_write_full(int fd, const void *buf, size_t count)
{
    size_t done = 0;

    while (done < count) {
        ssize_t n = write(fd, (const char *)buf + done, count - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return done ? (ssize_t)done : -1;
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    return done;
}

int qemu_pipe(int pipefd[2])
{
    return pipe2(pipefd, O_CLOEXEC);
}

int64_t qemu_get_monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
