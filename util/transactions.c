/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transactions.c: lists of abort/commit/clean actions (see
 * include/qemu/transactions.h).  Actions are kept newest first.
 */
#include "qemu/osdep.h"
#include "qemu/transactions.h"
#include "qemu/queue.h"

typedef struct TransactionAction {
    TransactionActionDrv *drv;
    void *opaque;
    QSLIST_ENTRY(TransactionAction) entry;
} TransactionAction;

struct Transaction {
    QSLIST_HEAD(, TransactionAction) actions;
};

Transaction *tran_new(void)
{
    Transaction *tran = g_new(Transaction, 1);

    QSLIST_INIT(&tran->actions);
    return tran;
}

void tran_add(Transaction *tran, TransactionActionDrv *drv, void *opaque)
{
    TransactionAction *act = g_new(TransactionAction, 1);

    act->drv = drv;
    act->opaque = opaque;
    QSLIST_INSERT_HEAD(&tran->actions, act, entry);
}

/* Run clean on every action, free them all and the transaction. */
static void tran_free(Transaction *tran)
{
    TransactionAction *act, *next;

    QSLIST_FOREACH(act, &tran->actions, entry) {
        if (act->drv->clean) {
            act->drv->clean(act->opaque);
        }
    }
    QSLIST_FOREACH_SAFE(act, &tran->actions, entry, next) {
        g_free(act);
    }
    g_free(tran);
}

void tran_abort(Transaction *tran)
{
    TransactionAction *act;

    QSLIST_FOREACH(act, &tran->actions, entry) {
        if (act->drv->abort) {
            act->drv->abort(act->opaque);
        }
    }
    tran_free(tran);
}

void tran_commit(Transaction *tran)
{
    TransactionAction *act;

    QSLIST_FOREACH(act, &tran->actions, entry) {
        if (act->drv->commit) {
            act->drv->commit(act->opaque);
        }
    }
    tran_free(tran);
}
