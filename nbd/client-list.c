/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd/client-list.c: listing a server's exports for `qemu-nbd -L`:
 * NBD_OPT_LIST for the names and descriptions, then NBD_OPT_INFO and
 * NBD_OPT_LIST_META_CONTEXT for each export, and the printout in QEMU
 * 7.2's layout.  Counts are bounded so a hostile server cannot make us
 * allocate without limit.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "block/nbd-client.h"
#include "nbd/client-internal.h"

/* More than this many exports or contexts is treated as an attack. */
#define NBD_LIST_MAX_ENTRIES 4096

/* One NBD_REP_SERVER: name length, name, description. */
static int nbd_list_parse_server(QIOChannel *ioc, NBDOptReply *reply,
                                 NBDExportInfo *info, Error **errp)
{
    uint32_t namelen;

    if (nbd_opt_read_payload(ioc, reply, &namelen, 4, errp) < 0) {
        return -1;
    }
    namelen = be32_to_cpu(namelen);
    if (namelen > reply->length || namelen > NBD_MAX_STRING_SIZE ||
        reply->length - namelen > NBD_MAX_STRING_SIZE) {
        error_setg(errp, "Server sent a malformed export list entry");
        return -1;
    }
    info->name = g_malloc0(namelen + 1);
    if (nbd_opt_read_payload(ioc, reply, info->name, namelen, errp) < 0) {
        return -1;
    }
    info->description = g_malloc0(reply->length + 1);
    return nbd_opt_read_payload(ioc, reply, info->description,
                                reply->length, errp);
}

static int nbd_list_names(QIOChannel *ioc, GArray *exports, Error **errp)
{
    NBDOptReply reply;
    int ret;

    if (nbd_opt_send(ioc, NBD_OPT_LIST, NULL, 0, errp) < 0) {
        return -1;
    }
    for (;;) {
        NBDExportInfo info = { 0 };

        if (nbd_opt_read_reply(ioc, NBD_OPT_LIST, &reply, errp) < 0) {
            return -1;
        }
        ret = nbd_opt_handle_error(ioc, &reply, errp);
        if (ret == 0) {
            error_setg(errp, "Server does not support export lists");
            return -1;
        }
        if (ret < 0) {
            return -1;
        }
        if (reply.type == NBD_REP_ACK) {
            if (reply.length) {
                error_setg(errp, "Server sent an acknowledgement with a "
                           "payload");
                return -1;
            }
            return 0;
        }
        if (reply.type != NBD_REP_SERVER || reply.length < 4) {
            error_setg(errp, "Unexpected reply type %u (%s) to NBD_OPT_LIST",
                       reply.type, nbd_rep_lookup(reply.type));
            return -1;
        }
        if (exports->len >= NBD_LIST_MAX_ENTRIES) {
            error_setg(errp, "Server lists too many exports");
            return -1;
        }
        ret = nbd_list_parse_server(ioc, &reply, &info, errp);
        g_array_append_val(exports, info);
        if (ret < 0) {
            return -1;
        }
    }
}

/* NBD_OPT_LIST_META_CONTEXT with no queries: every context the export has */
static int nbd_list_contexts(QIOChannel *ioc, NBDExportInfo *info,
                             Error **errp)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    uint32_t zero = 0;
    NBDOptReply reply;
    int ret;

    nbd_put_name(buf, info->name);
    g_byte_array_append(buf, (const guint8 *)&zero, sizeof(zero));
    if (nbd_opt_send(ioc, NBD_OPT_LIST_META_CONTEXT, buf->data, buf->len,
                     errp) < 0) {
        return -1;
    }
    for (;;) {
        char *name;

        if (nbd_opt_read_reply(ioc, NBD_OPT_LIST_META_CONTEXT, &reply,
                               errp) < 0) {
            return -1;
        }
        ret = nbd_opt_handle_error(ioc, &reply, errp);
        if (ret <= 0) {
            return ret;
        }
        if (reply.type == NBD_REP_ACK) {
            break;
        }
        if (reply.type != NBD_REP_META_CONTEXT || reply.length < 4 ||
            reply.length - 4 > NBD_MAX_STRING_SIZE ||
            names->len >= NBD_LIST_MAX_ENTRIES) {
            error_setg(errp, "Server sent a malformed metadata context list");
            return -1;
        }
        if (nbd_opt_read_payload(ioc, &reply, &zero, 4, errp) < 0) {
            return -1;
        }
        name = g_malloc0(reply.length + 1);
        g_ptr_array_add(names, name);
        if (nbd_opt_read_payload(ioc, &reply, name, reply.length,
                                 errp) < 0) {
            return -1;
        }
    }
    info->n_contexts = names->len;
    g_ptr_array_set_free_func(names, NULL);
    info->contexts = (char **)g_ptr_array_free(g_steal_pointer(&names),
                                               false);
    return 0;
}

int nbd_receive_export_list(QIOChannel *ioc, NBDExportInfo **list,
                            Error **errp)
{
    GArray *exports = g_array_new(false, true, sizeof(NBDExportInfo));
    bool structured;
    int ret, sflags;

    *list = NULL;
    ret = nbd_read_greeting(ioc, errp);
    if (ret == 0) {
        error_setg(errp, "Server does not support export lists");
    }
    if (ret <= 0) {
        goto fail;
    }
    sflags = nbd_negotiate_flags(ioc, errp);
    if (sflags < 0) {
        goto fail;
    }
    if (!(sflags & NBD_FLAG_FIXED_NEWSTYLE)) {
        error_setg(errp, "Server does not support export lists");
        goto fail;
    }
    ret = nbd_opt_send(ioc, NBD_OPT_STRUCTURED_REPLY, NULL, 0, errp);
    if (ret == 0) {
        NBDOptReply reply;

        ret = nbd_opt_read_reply(ioc, NBD_OPT_STRUCTURED_REPLY, &reply,
                                 errp);
        if (ret == 0) {
            ret = nbd_opt_handle_error(ioc, &reply, errp);
        }
        if (ret > 0 && (reply.type != NBD_REP_ACK || reply.length)) {
            error_setg(errp, "Server sent a malformed reply to "
                       "NBD_OPT_STRUCTURED_REPLY");
            ret = -1;
        }
    }
    if (ret < 0) {
        goto fail;
    }
    structured = ret > 0;
    if (nbd_list_names(ioc, exports, errp) < 0) {
        goto fail;
    }
    for (guint i = 0; i < exports->len; i++) {
        NBDExportInfo *info = &g_array_index(exports, NBDExportInfo, i);

        info->request_sizes = true;
        if (nbd_opt_info_or_go(ioc, NBD_OPT_INFO, info, errp) < 0) {
            goto fail;
        }
        if (structured && nbd_list_contexts(ioc, info, errp) < 0) {
            goto fail;
        }
    }
    nbd_opt_send_abort(ioc);
    ret = exports->len;
    *list = (NBDExportInfo *)g_array_free(exports, false);
    return ret;

fail:
    nbd_opt_send_abort(ioc);
    nbd_free_export_list((NBDExportInfo *)exports->data, exports->len);
    g_array_free(exports, false);
    return -1;
}

void nbd_free_export_list(NBDExportInfo *list, int count)
{
    for (int i = 0; i < count; i++) {
        nbd_export_info_clear(&list[i]);
    }
    g_free(list);
}

/* Names of the transmission flag bits, as `qemu-nbd -L` prints them. */
static const char *const nbd_flag_names[] = {
    [1] = "readonly", [2] = "flush", [3] = "fua", [4] = "rotational",
    [5] = "trim", [6] = "zeroes", [7] = "df", [8] = "multi-conn",
    [9] = "resize", [10] = "cache", [11] = "fast-zero",
};

void nbd_print_export_list(FILE *out, const NBDExportInfo *list, int count)
{
    fprintf(out, "exports available: %d\n", count);
    for (int i = 0; i < count; i++) {
        const NBDExportInfo *e = &list[i];

        fprintf(out, " export: '%s'\n", e->name);
        if (e->description && e->description[0]) {
            fprintf(out, "  description: %s\n", e->description);
        }
        if (e->flags & NBD_FLAG_HAS_FLAGS) {
            fprintf(out, "  size:  %" PRIu64 "\n", e->size);
            fprintf(out, "  flags: 0x%x (", e->flags);
            for (size_t b = 0; b < G_N_ELEMENTS(nbd_flag_names); b++) {
                if (nbd_flag_names[b] && (e->flags & (1u << b))) {
                    fprintf(out, " %s", nbd_flag_names[b]);
                }
            }
            fprintf(out, " )\n");
        }
        if (e->min_block) {
            fprintf(out, "  min block: %u\n", e->min_block);
            fprintf(out, "  opt block: %u\n", e->opt_block);
            fprintf(out, "  max block: %u\n", e->max_block);
        }
        if (e->n_contexts) {
            fprintf(out, "  available meta contexts: %d\n", e->n_contexts);
            for (int j = 0; j < e->n_contexts; j++) {
                fprintf(out, "   %s\n", e->contexts[j]);
            }
        }
    }
}

int nbd_list_exports(const SocketAddress *addr, Error **errp)
{
    g_autoptr(QIOChannel) ioc = NULL;
    NBDExportInfo *list;
    int fd, count;

    fd = socket_connect(addr, errp);
    if (fd < 0) {
        return -1;
    }
    ioc = qio_channel_new_fd(fd, "nbd-list");
    count = nbd_receive_export_list(ioc, &list, errp);
    if (count < 0) {
        return -1;
    }
    nbd_print_export_list(stdout, list, count);
    nbd_free_export_list(list, count);
    return 0;
}
