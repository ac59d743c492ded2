/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * typedefs.h: forward declarations of the structure types passed around
 * between subsystems, so headers need not include each other.
 */
#ifndef QEMU_TYPEDEFS_H
#define QEMU_TYPEDEFS_H

typedef struct AioContext AioContext;
typedef struct BdrvDirtyBitmap BdrvDirtyBitmap;
typedef struct BdrvDirtyBitmapIter BdrvDirtyBitmapIter;
typedef struct BlockBackend BlockBackend;
typedef struct BlockBackendRootState BlockBackendRootState;
typedef struct BlockDriverState BlockDriverState;
typedef struct Coroutine Coroutine;
typedef struct Error Error;
typedef struct EventNotifier EventNotifier;
typedef struct IOThread IOThread;
typedef struct QBool QBool;
typedef struct QDict QDict;
typedef struct QEMUBH QEMUBH;
typedef struct QEMUTimer QEMUTimer;
typedef struct QEMUTimerListGroup QEMUTimerListGroup;
typedef struct QEMUIOVector QEMUIOVector;
typedef struct QList QList;
typedef struct QNull QNull;
typedef struct QNum QNum;
typedef struct QObject QObject;
typedef struct QString QString;
typedef struct QemuCond QemuCond;
typedef struct QemuEvent QemuEvent;
typedef struct QemuMutex QemuMutex;
typedef struct QemuOpt QemuOpt;
typedef struct QemuOpts QemuOpts;
typedef struct QemuOptsList QemuOptsList;
typedef struct QemuRecMutex QemuRecMutex;
typedef struct QemuSemaphore QemuSemaphore;
typedef struct QemuThread QemuThread;
typedef struct ThreadPool ThreadPool;
typedef struct Transaction Transaction;

typedef void SaveStateHandler(void *f, void *opaque);
typedef void IOHandler(void *opaque);
typedef void QEMUBHFunc(void *opaque);

#endif /* QEMU_TYPEDEFS_H */
