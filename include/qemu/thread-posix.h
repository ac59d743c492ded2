/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * thread-posix.h: layouts of the thread primitives on POSIX hosts.
 * Include qemu/thread.h, not this file.
 */
#ifndef QEMU_THREAD_POSIX_H
#define QEMU_THREAD_POSIX_H

#include <pthread.h>
#include <semaphore.h>
#include "qemu/clang-tsa.h"

struct TSA_CAPABILITY("mutex") QemuMutex {
    pthread_mutex_t lock;
    bool initialized;
};

struct QemuRecMutex {
    pthread_mutex_t lock;
    bool initialized;
};

struct QemuCond {
    pthread_cond_t cond;
    bool initialized;
};

struct QemuSemaphore {
    QemuMutex mutex;
    QemuCond cond;
    unsigned int count;
};

struct QemuEvent {
    QemuMutex mutex;
    QemuCond cond;
    unsigned value;
    bool initialized;
};

struct QemuThread {
    pthread_t thread;
};

#endif /* QEMU_THREAD_POSIX_H */
