/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transactions.h: undo/redo lists for multi-step graph changes.
 *
 * Each step that changes state registers an action with tran_add(): abort
 * undoes the step, commit finalises it, clean frees what the step kept
 * (called after either).  tran_abort() and tran_commit() run the actions
 * newest first, then free the transaction.  Any callback may be NULL.
 */
#ifndef QEMU_TRANSACTIONS_H
#define QEMU_TRANSACTIONS_H

typedef struct TransactionActionDrv {
    void (*abort)(void *opaque);
    void (*commit)(void *opaque);
    void (*clean)(void *opaque);
} TransactionActionDrv;

Transaction *tran_new(void);
void tran_add(Transaction *tran, TransactionActionDrv *drv, void *opaque);
void tran_abort(Transaction *tran);
void tran_commit(Transaction *tran);

/* Abort on a negative @ret, commit otherwise. */
static inline void tran_finalize(Transaction *tran, int ret)
{
    if (ret < 0) {
        tran_abort(tran);
    } else {
        tran_commit(tran);
    }
}

#endif /* QEMU_TRANSACTIONS_H */
