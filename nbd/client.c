/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd/client.c: the client side of the NBD handshake (fixed newstyle,
 * with the plain newstyle and oldstyle fallbacks) and the framing of
 * transmission-phase requests and reply headers.  Option replies are
 * checked field by field before anything is trusted: the server may be
 * hostile.  The export listing lives in client-list.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/host-utils.h"
#include "block/nbd-client.h"
#include "nbd/client-internal.h"
#include "trace/nbd-names.h"
#include "trace/trace-nbd.h"

/* ---- option requests and replies -------------------------------------- */

int nbd_opt_send(QIOChannel *ioc, uint32_t opt, const void *data,
                 uint32_t len, Error **errp)
{
    NBDOption hdr = {
        .magic = cpu_to_be64(NBD_OPTS_MAGIC),
        .option = cpu_to_be32(opt),
        .length = cpu_to_be32(len),
    };
    struct iovec iov[2] = {
        { .iov_base = &hdr, .iov_len = sizeof(hdr) },
        { .iov_base = (void *)data, .iov_len = len },
    };

    trace_nbd_send_option_request(opt, trace_nbd_opt_name(opt), len);
    if (qio_channel_writev_all(ioc, iov, len ? 2 : 1, errp) < 0) {
        error_prepend(errp, "Failed to send option request %s: ",
                      nbd_opt_name(opt));
        return -1;
    }
    return 0;
}

/* Best effort: tell the server we are leaving; errors do not matter. */
void nbd_opt_send_abort(QIOChannel *ioc)
{
    nbd_opt_send(ioc, NBD_OPT_ABORT, NULL, 0, NULL);
}

int nbd_opt_read_reply(QIOChannel *ioc, uint32_t opt, NBDOptReply *reply,
                       Error **errp)
{
    NBDOptionReply hdr;

    memset(reply, 0, sizeof(*reply));
    if (qio_channel_read_all(ioc, &hdr, sizeof(hdr), errp) < 0) {
        error_prepend(errp, "Failed to read option reply: ");
        return -1;
    }
    reply->option = be32_to_cpu(hdr.option);
    reply->type = be32_to_cpu(hdr.type);
    reply->length = be32_to_cpu(hdr.length);
    trace_nbd_receive_option_reply(reply->option,
                                   trace_nbd_opt_name(reply->option),
                                   reply->type,
                                   trace_nbd_rep_name(reply->type),
                                   reply->length);
    if (be64_to_cpu(hdr.magic) != NBD_REP_MAGIC) {
        error_setg(errp, "Unexpected option reply magic");
        return -1;
    }
    if (reply->option != opt) {
        error_setg(errp, "Unexpected option type %u (%s), expected %u (%s)",
                   reply->option, nbd_opt_name(reply->option), opt,
                   nbd_opt_name(opt));
        return -1;
    }
    if (reply->type == NBD_REP_ACK && reply->length) {
        error_setg(errp, "Option %u ('%s') response length is %u (it "
                   "should be zero)", opt, nbd_opt_name(opt), reply->length);
        return -1;
    }
    if (reply->length > NBD_MAX_OPTION_SIZE) {
        error_setg(errp, "Option reply %u (%s) payload of %u bytes is too "
                   "long", reply->type, nbd_rep_name(reply->type),
                   reply->length);
        return -1;
    }
    return 0;
}

int nbd_opt_read_payload(QIOChannel *ioc, NBDOptReply *reply,
                         void *buf, uint32_t len, Error **errp)
{
    if (len > reply->length) {
        error_setg(errp, "Option reply %u (%s) is too short",
                   reply->type, nbd_rep_name(reply->type));
        return -1;
    }
    if (qio_channel_read_all(ioc, buf, len, errp) < 0) {
        error_prepend(errp, "Failed to read option reply: ");
        return -1;
    }
    reply->length -= len;
    return 0;
}

int nbd_opt_skip_payload(QIOChannel *ioc, NBDOptReply *reply, Error **errp)
{
    uint8_t buf[512];

    while (reply->length) {
        uint32_t n = MIN(reply->length, sizeof(buf));

        if (nbd_opt_read_payload(ioc, reply, buf, n, errp) < 0) {
            return -1;
        }
    }
    return 0;
}

/*
 * For an error reply, read the server's message and turn the error into
 * a message for the user.  Returns 1 for a non-error reply (payload left
 * unread), 0 for NBD_REP_ERR_UNSUP (consumed; the caller falls back), and
 * -1 with @errp set for every other error.
 */
int nbd_opt_handle_error(QIOChannel *ioc, NBDOptReply *reply, Error **errp)
{
    g_autofree char *msg = NULL;
    uint32_t opt = reply->option;
    const char *name = nbd_opt_name(opt);

    if (!NBD_REP_ERR_P(reply->type)) {
        return 1;
    }
    /* length <= NBD_MAX_OPTION_SIZE was checked with the header */
    msg = g_malloc0(reply->length + 1);
    if (nbd_opt_read_payload(ioc, reply, msg, reply->length, errp) < 0) {
        return -1;
    }

    switch (reply->type) {
    case NBD_REP_ERR_UNSUP:
        return 0;
    case NBD_REP_ERR_POLICY:
        error_setg(errp, "Denied by server for option %u (%s)", opt, name);
        break;
    case NBD_REP_ERR_INVALID:
        error_setg(errp, "Invalid parameters for option %u (%s)", opt, name);
        break;
    case NBD_REP_ERR_PLATFORM:
        error_setg(errp, "Server lacks support for option %u (%s)",
                   opt, name);
        break;
    case NBD_REP_ERR_TLS_REQD:
        error_setg(errp, "TLS negotiation required before option %u (%s)",
                   opt, name);
        break;
    case NBD_REP_ERR_UNKNOWN:
        error_setg(errp, "Requested export not available");
        break;
    case NBD_REP_ERR_SHUTDOWN:
        error_setg(errp, "Server shutting down before option %u (%s)",
                   opt, name);
        break;
    case NBD_REP_ERR_BLOCK_SIZE_REQD:
        error_setg(errp, "Server requires INFO_BLOCK_SIZE for option %u (%s)",
                   opt, name);
        break;
    case NBD_REP_ERR_TOO_BIG:
        error_setg(errp, "Server considers option %u (%s) too large",
                   opt, name);
        break;
    default:
        error_setg(errp, "Unknown error code when asking for option %u (%s)",
                   opt, name);
        break;
    }
    if (msg[0]) {
        error_append_hint(errp, "server reported: %s\n", msg);
    }
    return -1;
}

/* Build "length-prefixed export name" payloads. */
void nbd_put_name(GByteArray *buf, const char *name)
{
    uint32_t len = cpu_to_be32(strlen(name));

    g_byte_array_append(buf, (const guint8 *)&len, sizeof(len));
    g_byte_array_append(buf, (const guint8 *)name, strlen(name));
}

/* ---- INFO / GO --------------------------------------------------------- */

/* Check and store one NBD_REP_INFO item. */
static int nbd_parse_info(QIOChannel *ioc, NBDOptReply *reply,
                          NBDExportInfo *info, bool *got_export,
                          Error **errp)
{
    uint16_t type;
    uint8_t buf[12];

    if (reply->length < sizeof(type)) {
        error_setg(errp, "Server sent an information reply without a type");
        return -1;
    }
    if (nbd_opt_read_payload(ioc, reply, &type, sizeof(type), errp) < 0) {
        return -1;
    }
    type = be16_to_cpu(type);
    switch (type) {
    case NBD_INFO_EXPORT:
        if (reply->length != 10) {
            error_setg(errp, "remaining export info len %u is unexpected size",
                       reply->length);
            return -1;
        }
        if (nbd_opt_read_payload(ioc, reply, buf, 10, errp) < 0) {
            return -1;
        }
        info->size = ldq_be_p(buf);
        info->flags = lduw_be_p(buf + 8);
        trace_nbd_receive_negotiate_size_flags(info->size, info->flags);
        *got_export = true;
        return 0;
    case NBD_INFO_BLOCK_SIZE:
        if (reply->length != 12) {
            error_setg(errp, "remaining export info len %u is unexpected size",
                       reply->length);
            return -1;
        }
        if (nbd_opt_read_payload(ioc, reply, buf, 12, errp) < 0) {
            return -1;
        }
        trace_nbd_opt_info_block_size(ldl_be_p(buf), ldl_be_p(buf + 4),
                                      ldl_be_p(buf + 8));
        return nbd_check_block_sizes(info, ldl_be_p(buf), ldl_be_p(buf + 4),
                                     ldl_be_p(buf + 8), errp);
    case NBD_INFO_DESCRIPTION:
        if (reply->length > NBD_MAX_STRING_SIZE) {
            error_setg(errp, "Server sent a description of %u bytes",
                       reply->length);
            return -1;
        }
        g_free(info->description);
        info->description = g_malloc0(reply->length + 1);
        return nbd_opt_read_payload(ioc, reply, info->description,
                                    reply->length, errp);
    default:
        /* NAME and anything newer: not needed */
        return nbd_opt_skip_payload(ioc, reply, errp);
    }
}

int nbd_check_block_sizes(NBDExportInfo *info, uint32_t min, uint32_t opt,
                          uint32_t max, Error **errp)
{
    if (!is_power_of_2(min)) {
        error_setg(errp, "server minimum block size %u is not a power of two",
                   min);
        return -1;
    }
    if (min > 64 * KiB) {
        error_setg(errp, "Server sent an invalid minimum block size %u", min);
        return -1;
    }
    if (!is_power_of_2(opt) || opt < min) {
        error_setg(errp, "Server sent an invalid preferred block size %u",
                   opt);
        return -1;
    }
    if (max < opt && max < 32 * MiB) {
        /* the spec lets max be below opt only when it is large */
        error_setg(errp, "Server sent an invalid maximum block size %u",
                   max);
        return -1;
    }
    if (max % min) {
        error_setg(errp, "server maximum block size %u is not a multiple of "
                   "minimum block size %u", max, min);
        return -1;
    }
    info->min_block = min;
    info->opt_block = opt;
    info->max_block = max;
    return 0;
}

int nbd_check_export(const NBDExportInfo *info, Error **errp)
{
    if (!(info->flags & NBD_FLAG_HAS_FLAGS)) {
        error_setg(errp, "Server export flags lack NBD_FLAG_HAS_FLAGS");
        return -1;
    }
    if (info->size > INT64_MAX) {
        error_setg(errp, "Server export size %" PRIu64 " is too large",
                   info->size);
        return -1;
    }
    return 0;
}

int nbd_opt_info_or_go(QIOChannel *ioc, uint32_t opt, NBDExportInfo *info,
                       Error **errp)
{
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint16_t n = cpu_to_be16(info->request_sizes ? 1 : 0);
    uint16_t req = cpu_to_be16(NBD_INFO_BLOCK_SIZE);
    bool got_export = false;
    NBDOptReply reply;
    int ret;

    trace_nbd_opt_info_go_start(trace_nbd_opt_name(opt), info->name ?: "");
    nbd_put_name(buf, info->name ?: "");
    g_byte_array_append(buf, (const guint8 *)&n, sizeof(n));
    if (info->request_sizes) {
        g_byte_array_append(buf, (const guint8 *)&req, sizeof(req));
    }
    if (nbd_opt_send(ioc, opt, buf->data, buf->len, errp) < 0) {
        return -1;
    }
    for (;;) {
        if (nbd_opt_read_reply(ioc, opt, &reply, errp) < 0) {
            return -1;
        }
        ret = nbd_opt_handle_error(ioc, &reply, errp);
        if (ret <= 0) {
            return ret;
        }
        if (reply.type == NBD_REP_ACK) {
            break;
        }
        if (reply.type != NBD_REP_INFO) {
            error_setg(errp, "Unexpected reply type %u (%s) to option %u "
                       "(%s)", reply.type, nbd_rep_name(reply.type), opt,
                       nbd_opt_name(opt));
            return -1;
        }
        if (nbd_parse_info(ioc, &reply, info, &got_export, errp) < 0) {
            return -1;
        }
        if (reply.length) {
            error_setg(errp, "Server sent a malformed information reply");
            return -1;
        }
    }
    if (reply.length) {
        error_setg(errp, "Server sent an acknowledgement with a payload");
        return -1;
    }
    if (!got_export) {
        error_setg(errp, "broken server omitted NBD_INFO_EXPORT");
        return -1;
    }
    trace_nbd_opt_info_go_success(trace_nbd_opt_name(opt));
    return nbd_check_export(info, errp) < 0 ? -1 : 1;
}

/* ---- handshake pieces ------------------------------------------------ */

/* An option answered only by ACK: 1 acked, 0 unsupported, -1 error. */
static int nbd_opt_simple(QIOChannel *ioc, uint32_t opt, Error **errp)
{
    NBDOptReply reply;
    int ret;

    if (nbd_opt_send(ioc, opt, NULL, 0, errp) < 0 ||
        nbd_opt_read_reply(ioc, opt, &reply, errp) < 0) {
        return -1;
    }
    ret = nbd_opt_handle_error(ioc, &reply, errp);
    if (ret <= 0) {
        return ret;
    }
    if (reply.type != NBD_REP_ACK || reply.length) {
        error_setg(errp, "Server answered option %u (%s) with reply type %u "
                   "(%s)", opt, nbd_opt_name(opt), reply.type,
                   nbd_rep_name(reply.type));
        return -1;
    }
    return 1;
}

/* SET_META_CONTEXT for one context; sets info->base_allocation/context_id */
static int nbd_set_meta_context(QIOChannel *ioc, NBDExportInfo *info,
                                Error **errp)
{
    const char *want = info->x_dirty_bitmap ?: NBD_META_BASE_ALLOCATION;
    g_autoptr(GByteArray) buf = g_byte_array_new();
    uint32_t one = cpu_to_be32(1);
    NBDOptReply reply;
    int ret;

    nbd_put_name(buf, info->name ?: "");
    g_byte_array_append(buf, (const guint8 *)&one, sizeof(one));
    nbd_put_name(buf, want);
    if (nbd_opt_send(ioc, NBD_OPT_SET_META_CONTEXT, buf->data, buf->len,
                     errp) < 0) {
        return -1;
    }
    for (;;) {
        char name[NBD_MAX_STRING_SIZE + 1];
        uint32_t id;

        if (nbd_opt_read_reply(ioc, NBD_OPT_SET_META_CONTEXT, &reply,
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
            reply.length - 4 > NBD_MAX_STRING_SIZE) {
            error_setg(errp, "Server sent a malformed metadata context "
                       "reply (type %u, %u bytes)", reply.type, reply.length);
            return -1;
        }
        if (nbd_opt_read_payload(ioc, &reply, &id, 4, errp) < 0) {
            return -1;
        }
        memset(name, 0, sizeof(name));
        if (nbd_opt_read_payload(ioc, &reply, name, reply.length,
                                 errp) < 0) {
            return -1;
        }
        if (strcmp(name, want)) {
            error_setg(errp, "Failed to negotiate meta context '%s', server "
                       "answered with different context '%s'", want, name);
            return -1;
        }
        if (info->base_allocation) {
            error_setg(errp, "Server answered with more than one context");
            return -1;
        }
        info->base_allocation = true;
        info->context_id = be32_to_cpu(id);
    }
    if (reply.length) {
        error_setg(errp, "Server sent an acknowledgement with a payload");
        return -1;
    }
    return 0;
}

/* NBD_OPT_EXPORT_NAME: no reply header, just size and flags (or EOF). */
static int nbd_opt_export_name(QIOChannel *ioc, NBDExportInfo *info,
                               bool no_zeroes, Error **errp)
{
    const char *name = info->name ?: "";
    uint8_t buf[10 + 124];
    size_t want = no_zeroes ? 10 : sizeof(buf);

    if (nbd_opt_send(ioc, NBD_OPT_EXPORT_NAME, name, strlen(name),
                     errp) < 0) {
        return -1;
    }
    if (qio_channel_read_all(ioc, buf, want, errp) < 0) {
        error_prepend(errp, "Failed to read export length: ");
        return -1;
    }
    info->size = ldq_be_p(buf);
    info->flags = lduw_be_p(buf + 8);
    return nbd_check_export(info, errp);
}

static int nbd_negotiate_oldstyle(QIOChannel *ioc, NBDExportInfo *info,
                                  Error **errp)
{
    uint8_t buf[8 + 4 + 124];

    if (info->name && info->name[0]) {
        error_setg(errp, "Server does not support non-empty export names");
        return -1;
    }
    if (qio_channel_read_all(ioc, buf, sizeof(buf), errp) < 0) {
        error_prepend(errp, "Failed to read export length: ");
        return -1;
    }
    info->size = ldq_be_p(buf);
    info->flags = ldl_be_p(buf + 8) & 0xffff;
    return nbd_check_export(info, errp);
}

/*
 * The newstyle greeting after the magics: exchange handshake flags.
 * Returns the server's flags, or -1.
 */
int nbd_negotiate_flags(QIOChannel *ioc, Error **errp)
{
    uint16_t sflags;
    uint32_t cflags = 0;

    if (qio_channel_read_all(ioc, &sflags, sizeof(sflags), errp) < 0) {
        error_prepend(errp, "Failed to read server flags: ");
        return -1;
    }
    sflags = be16_to_cpu(sflags);
    trace_nbd_receive_negotiate_server_flags(sflags);
    if (sflags & NBD_FLAG_FIXED_NEWSTYLE) {
        cflags |= NBD_FLAG_C_FIXED_NEWSTYLE;
    }
    if (sflags & NBD_FLAG_NO_ZEROES) {
        cflags |= NBD_FLAG_C_NO_ZEROES;
    }
    cflags = cpu_to_be32(cflags);
    if (qio_channel_write_all(ioc, &cflags, sizeof(cflags), errp) < 0) {
        error_prepend(errp, "Failed to send client flags: ");
        return -1;
    }
    return sflags;
}

/* Read the two greeting magics: 1 newstyle, 0 oldstyle, -1 error. */
int nbd_read_greeting(QIOChannel *ioc, Error **errp)
{
    uint64_t magic[2];

    if (qio_channel_read_all(ioc, magic, sizeof(magic), errp) < 0) {
        error_prepend(errp, "Failed to read initial magic: ");
        return -1;
    }
    trace_nbd_receive_negotiate_magic(be64_to_cpu(magic[0]));
    trace_nbd_receive_negotiate_magic(be64_to_cpu(magic[1]));
    if (be64_to_cpu(magic[0]) != NBD_INIT_MAGIC) {
        error_setg(errp, "Bad initial magic received: 0x%" PRIx64,
                   be64_to_cpu(magic[0]));
        return -1;
    }
    if (be64_to_cpu(magic[1]) == NBD_OPTS_MAGIC) {
        return 1;
    }
    if (be64_to_cpu(magic[1]) == NBD_CLISERV_MAGIC) {
        return 0;
    }
    error_setg(errp, "Bad server magic received: 0x%" PRIx64,
               be64_to_cpu(magic[1]));
    return -1;
}

/* Structured replies, then the metadata context, then GO/EXPORT_NAME. */
static int nbd_negotiate_fixed(QIOChannel *ioc, NBDExportInfo *info,
                               int sflags, Error **errp)
{
    int ret;

    if (info->want_structured) {
        ret = nbd_opt_simple(ioc, NBD_OPT_STRUCTURED_REPLY, errp);
        if (ret < 0) {
            return -1;
        }
        info->structured_reply = ret > 0;
    }
    if (info->structured_reply &&
        nbd_set_meta_context(ioc, info, errp) < 0) {
        return -1;
    }
    ret = nbd_opt_info_or_go(ioc, NBD_OPT_GO, info, errp);
    if (ret < 0) {
        return -1;
    }
    if (ret == 0) {
        /* No GO: the old way, which cannot report errors. */
        return nbd_opt_export_name(ioc, info,
                                   sflags & NBD_FLAG_NO_ZEROES, errp);
    }
    return 0;
}

int coroutine_mixed_fn nbd_receive_negotiate(QIOChannel *ioc,
                                             NBDExportInfo *info,
                                             Error **errp)
{
    const char *name = info->name ?: "";
    int ret, sflags;

    info->structured_reply = false;
    info->base_allocation = false;
    if (strlen(name) > NBD_MAX_STRING_SIZE) {
        error_setg(errp, "export name too long to send to server");
        return -EINVAL;
    }
    trace_nbd_receive_negotiate_name(name);
    trace_nbd_start_negotiate(NULL, "<null>");
    ret = nbd_read_greeting(ioc, errp);
    if (ret < 0) {
        return -EINVAL;
    }
    if (ret == 0) {
        return nbd_negotiate_oldstyle(ioc, info, errp) < 0 ? -EINVAL : 0;
    }
    sflags = nbd_negotiate_flags(ioc, errp);
    if (sflags < 0) {
        return -EINVAL;
    }
    if (sflags & NBD_FLAG_FIXED_NEWSTYLE) {
        ret = nbd_negotiate_fixed(ioc, info, sflags, errp);
        if (ret < 0) {
            nbd_opt_send_abort(ioc);
        }
    } else {
        ret = nbd_opt_export_name(ioc, info, sflags & NBD_FLAG_NO_ZEROES,
                                  errp);
    }
    return ret < 0 ? -EINVAL : 0;
}

void nbd_export_info_clear(NBDExportInfo *info)
{
    g_free(info->name);
    g_free(info->x_dirty_bitmap);
    g_free(info->description);
    for (int i = 0; i < info->n_contexts; i++) {
        g_free(info->contexts[i]);
    }
    g_free(info->contexts);
    memset(info, 0, sizeof(*info));
}

/* ---- transmission phase --------------------------------------------- */

int coroutine_mixed_fn nbd_send_request(QIOChannel *ioc,
                                        const NBDRequest *request,
                                        QEMUIOVector *payload,
                                        Error **errp)
{
    NBDRequestHeader hdr = {
        .magic = cpu_to_be32(NBD_REQUEST_MAGIC),
        .flags = cpu_to_be16(request->flags),
        .type = cpu_to_be16(request->type),
        .cookie = cpu_to_be64(request->cookie),
        .from = cpu_to_be64(request->from),
        .len = cpu_to_be32(request->len),
    };
    g_autofree struct iovec *iov = NULL;
    int niov = 1;

    trace_nbd_send_request(request->from, request->len, request->cookie,
                           request->flags, request->type,
                           trace_nbd_cmd_name(request->type));
    QEMU_BUILD_BUG_ON(sizeof(hdr) != NBD_REQUEST_SIZE);
    if (payload) {
        assert(payload->size == request->len);
        niov += payload->niov;
    }
    iov = g_new(struct iovec, niov);
    iov[0].iov_base = &hdr;
    iov[0].iov_len = sizeof(hdr);
    if (payload) {
        memcpy(iov + 1, payload->iov, payload->niov * sizeof(*iov));
    }
    return qio_channel_writev_all(ioc, iov, niov, errp);
}

int coroutine_mixed_fn nbd_receive_reply(QIOChannel *ioc, NBDReply *reply,
                                         Error **errp)
{
    uint8_t buf[NBD_STRUCTURED_REPLY_SIZE];
    int ret;

    QEMU_BUILD_BUG_ON(sizeof(NBDSimpleReply) != NBD_SIMPLE_REPLY_SIZE);
    QEMU_BUILD_BUG_ON(sizeof(NBDStructuredReplyChunk) !=
                      NBD_STRUCTURED_REPLY_SIZE);
    memset(reply, 0, sizeof(*reply));
    ret = qio_channel_read_all_eof(ioc, buf, NBD_SIMPLE_REPLY_SIZE, errp);
    if (ret <= 0) {
        return ret < 0 ? -EIO : 0;
    }
    reply->magic = ldl_be_p(buf);
    reply->cookie = ldq_be_p(buf + 8);
    if (reply->magic == NBD_SIMPLE_REPLY_MAGIC) {
        reply->error = ldl_be_p(buf + 4);
        trace_nbd_receive_simple_reply(reply->error,
                                       nbd_err_lookup(reply->error),
                                       reply->cookie);
        return 1;
    }
    if (reply->magic != NBD_STRUCTURED_REPLY_MAGIC) {
        error_setg(errp, "Protocol error: invalid magic 0x%08" PRIx32
                   " in reply", reply->magic);
        return -EINVAL;
    }
    if (qio_channel_read_all(ioc, buf + NBD_SIMPLE_REPLY_SIZE,
                             sizeof(buf) - NBD_SIMPLE_REPLY_SIZE, errp) < 0) {
        return -EIO;
    }
    reply->flags = lduw_be_p(buf + 4);
    reply->type = lduw_be_p(buf + 6);
    reply->length = ldl_be_p(buf + 16);
    trace_nbd_receive_structured_reply_chunk(reply->flags, reply->type,
        trace_nbd_reply_type_name(reply->type), reply->cookie, reply->length);
    return 1;
}
