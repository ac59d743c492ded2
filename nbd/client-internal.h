/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client-internal.h: handshake helpers shared by nbd/client.c (selecting
 * one export) and nbd/client-list.c (listing them).  All return 0 (or
 * the documented positive value) on success, -1 with @errp set.
 */
#ifndef NBD_CLIENT_INTERNAL_H
#define NBD_CLIENT_INTERNAL_H

#include "block/nbd-client.h"

/* An option reply header in host order; @length counts unread bytes. */
typedef struct NBDOptReply {
    uint32_t option;
    uint32_t type;
    uint32_t length;
} NBDOptReply;

int nbd_opt_send(QIOChannel *ioc, uint32_t opt, const void *data,
                 uint32_t len, Error **errp);
void nbd_opt_send_abort(QIOChannel *ioc);
/* Reads and checks a reply header for @opt (magic, echo, length bound). */
int nbd_opt_read_reply(QIOChannel *ioc, uint32_t opt, NBDOptReply *reply,
                       Error **errp);
/* Reads @len more payload bytes of @reply; error if fewer are left. */
int nbd_opt_read_payload(QIOChannel *ioc, NBDOptReply *reply,
                         void *buf, uint32_t len, Error **errp);
int nbd_opt_skip_payload(QIOChannel *ioc, NBDOptReply *reply, Error **errp);
/* 1: not an error reply; 0: NBD_REP_ERR_UNSUP; -1: other error. */
int nbd_opt_handle_error(QIOChannel *ioc, NBDOptReply *reply, Error **errp);
void nbd_put_name(GByteArray *buf, const char *name);
/* NBD_OPT_INFO or NBD_OPT_GO for info->name: 1 done, 0 unsupported. */
int nbd_opt_info_or_go(QIOChannel *ioc, uint32_t opt, NBDExportInfo *info,
                       Error **errp);
int nbd_check_block_sizes(NBDExportInfo *info, uint32_t min, uint32_t opt,
                          uint32_t max, Error **errp);
int nbd_check_export(const NBDExportInfo *info, Error **errp);
/* 1 newstyle, 0 oldstyle. */
int nbd_read_greeting(QIOChannel *ioc, Error **errp);
/* Returns the server's handshake flags. */
int nbd_negotiate_flags(QIOChannel *ioc, Error **errp);

#endif /* NBD_CLIENT_INTERNAL_H */
