/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NBD server: the transmission phase.  One receive loop per client reads
 * request headers (and WRITE payloads), checks them, and hands each to a
 * coroutine of its own, so up to NBD_MAX_REQUESTS_IN_FLIGHT requests run
 * at once; replies (simple, or structured chunks) go out one at a time
 * under the client's send lock.  A request the server cannot make sense
 * of gets an EINVAL error reply; one that leaves the stream out of step
 * (bad magic, an oversized WRITE) ends the connection after that reply.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/main-loop.h"
#include "block/block_int.h"
#include "nbd/server-int.h"
#include "trace/nbd-names.h"
#include "trace/trace-nbd.h"

typedef struct NBDRequest {
    NBDClient *client;
    uint64_t cookie;
    uint64_t from;
    uint32_t len;
    uint16_t flags;
    uint16_t type;
    void *data;                 /* WRITE payload / READ buffer */
    char *error;                /* refused: the message for the reply */
    bool fatal;                 /* refused and the connection must end */
} NBDRequest;

/* Lower-case command names as QEMU's server messages spell them. */
static const char *nbd_server_cmd_name(uint16_t type)
{
    switch (type) {
    case NBD_CMD_READ:
        return "read";
    case NBD_CMD_WRITE:
        return "write";
    case NBD_CMD_DISC:
        return "disconnect";
    case NBD_CMD_FLUSH:
        return "flush";
    case NBD_CMD_TRIM:
        return "trim";
    case NBD_CMD_CACHE:
        return "cache";
    case NBD_CMD_WRITE_ZEROES:
        return "write zeroes";
    case NBD_CMD_BLOCK_STATUS:
        return "block status";
    default:
        return "<unknown>";
    }
}

/* ---- replies ---------------------------------------------------------- */

/* Write @iov under the send lock: 0 or -1 with @errp. */
static int coroutine_fn nbd_co_send_iov(NBDClient *client, struct iovec *iov,
                                        int niov, Error **errp)
{
    int ret;

    qemu_co_mutex_lock(&client->send_lock);
    ret = qio_channel_writev_all(client->ioc, iov, niov, errp);
    qemu_co_mutex_unlock(&client->send_lock);
    return ret;
}

static int coroutine_fn nbd_co_send_simple(NBDClient *client,
                                           uint64_t cookie, int err,
                                           void *data, size_t len,
                                           Error **errp)
{
    NBDSimpleReply rep;
    struct iovec iov[2] = {
        { .iov_base = &rep, .iov_len = sizeof(rep) },
        { .iov_base = data, .iov_len = len },
    };

    stl_be_p(&rep.magic, NBD_SIMPLE_REPLY_MAGIC);
    stl_be_p(&rep.error, system_errno_to_nbd_errno(err));
    stq_be_p(&rep.cookie, cookie);
    trace_nbd_co_send_simple_reply(cookie, ldl_be_p(&rep.error),
                                   nbd_err_lookup(ldl_be_p(&rep.error)), len);
    return nbd_co_send_iov(client, iov, len ? 2 : 1, errp);
}

int coroutine_fn nbd_co_send_chunk(NBDClient *client, uint64_t cookie,
                                   uint16_t type, uint16_t flags,
                                   struct iovec *iov, int niov,
                                   Error **errp)
{
    NBDStructuredReplyChunk hdr;
    struct iovec all[4];
    size_t len = 0;

    assert(niov < (int)ARRAY_SIZE(all));
    for (int i = 0; i < niov; i++) {
        all[i + 1] = iov[i];
        len += iov[i].iov_len;
    }
    stl_be_p(&hdr.magic, NBD_STRUCTURED_REPLY_MAGIC);
    stw_be_p(&hdr.flags, flags);
    stw_be_p(&hdr.type, type);
    stq_be_p(&hdr.cookie, cookie);
    stl_be_p(&hdr.length, len);
    all[0].iov_base = &hdr;
    all[0].iov_len = sizeof(hdr);
    return nbd_co_send_iov(client, all, niov + 1, errp);
}

/*
 * The reply of a request without data: a simple reply when it succeeded
 * (or structured replies are off), else an error chunk with @msg.
 */
static int coroutine_fn nbd_co_send_generic(NBDClient *client,
                                            uint64_t cookie, int err,
                                            const char *msg, Error **errp)
{
    NBDStructuredError e;
    struct iovec iov[2];
    size_t len = MIN(strlen(msg ?: ""), NBD_MAX_STRING_SIZE);

    if (!err || !client->structured_reply) {
        return nbd_co_send_simple(client, cookie, err, NULL, 0, errp);
    }
    stl_be_p(&e.error, system_errno_to_nbd_errno(err));
    stw_be_p(&e.message_length, len);
    iov[0] = (struct iovec) { .iov_base = &e, .iov_len = sizeof(e) };
    iov[1] = (struct iovec) { .iov_base = (void *)msg, .iov_len = len };
    trace_nbd_co_send_structured_error(cookie, ldl_be_p(&e.error),
        nbd_err_lookup(ldl_be_p(&e.error)), msg ?: "");
    return nbd_co_send_chunk(client, cookie, NBD_REPLY_TYPE_ERROR,
                             NBD_REPLY_FLAG_DONE, iov, len ? 2 : 1, errp);
}

/* ---- READ ------------------------------------------------------------- */

static int coroutine_fn nbd_co_send_data_chunk(NBDClient *client,
                                               uint64_t cookie,
                                               uint64_t offset, void *data,
                                               uint32_t len, bool last,
                                               Error **errp)
{
    uint64_t off = cpu_to_be64(offset);
    struct iovec iov[2] = {
        { .iov_base = &off, .iov_len = sizeof(off) },
        { .iov_base = data, .iov_len = len },
    };

    trace_nbd_co_send_structured_read(cookie, offset, data, len);
    return nbd_co_send_chunk(client, cookie, NBD_REPLY_TYPE_OFFSET_DATA,
                             last ? NBD_REPLY_FLAG_DONE : 0, iov, 2, errp);
}

static int coroutine_fn nbd_co_send_hole_chunk(NBDClient *client,
                                               uint64_t cookie,
                                               uint64_t offset, uint32_t len,
                                               bool last, Error **errp)
{
    NBDStructuredReadHole hole;
    struct iovec iov = { .iov_base = &hole, .iov_len = sizeof(hole) };

    stq_be_p(&hole.offset, offset);
    stl_be_p(&hole.length, len);
    trace_nbd_co_send_structured_read_hole(cookie, offset, len);
    return nbd_co_send_chunk(client, cookie, NBD_REPLY_TYPE_OFFSET_HOLE,
                             last ? NBD_REPLY_FLAG_DONE : 0, &iov, 1, errp);
}

/*
 * Structured READ with holes: data chunks for what block status says
 * holds data, hole chunks for what reads as zero.  An I/O error is
 * reported with an error chunk ending the reply.  0, or -1 when the
 * connection failed.
 */
static int coroutine_fn nbd_co_read_sparse(NBDClient *client,
                                           NBDRequest *req, Error **errp)
{
    BlockBackend *blk = client->exp->blk;
    uint32_t done = 0;

    while (done < req->len) {
        uint64_t off = req->from + done;
        int64_t pnum = 0;
        int ret;
        bool last;

        WITH_GRAPH_RDLOCK_GUARD() {
            ret = bdrv_co_block_status_above(blk_bs(blk), NULL, off,
                                             req->len - done, &pnum,
                                             NULL, NULL);
        }
        if (ret < 0 || pnum <= 0) {
            /* Unknown: read it as data. */
            ret = BDRV_BLOCK_DATA;
            pnum = req->len - done;
        }
        pnum = MIN(pnum, (int64_t)(req->len - done));
        last = done + pnum == req->len;
        if (ret & BDRV_BLOCK_ZERO) {
            ret = nbd_co_send_hole_chunk(client, req->cookie, off, pnum,
                                         last, errp);
        } else {
            ret = blk_co_pread(blk, off, pnum, req->data + done, 0);
            if (ret < 0) {
                return nbd_co_send_generic(client, req->cookie, -ret,
                                           "reading from file failed",
                                           errp);
            }
            ret = nbd_co_send_data_chunk(client, req->cookie, off,
                                         req->data + done, pnum, last,
                                         errp);
        }
        if (ret < 0) {
            return -1;
        }
        done += pnum;
    }
    return 0;
}

static int coroutine_fn nbd_co_do_read(NBDClient *client, NBDRequest *req,
                                       Error **errp)
{
    int ret;

    if (req->len == 0) {
        if (client->structured_reply) {
            return nbd_co_send_chunk(client, req->cookie,
                                     NBD_REPLY_TYPE_NONE,
                                     NBD_REPLY_FLAG_DONE, NULL, 0, errp);
        }
        return nbd_co_send_simple(client, req->cookie, 0, NULL, 0, errp);
    }
    if (client->structured_reply && !(req->flags & NBD_CMD_FLAG_DF)) {
        return nbd_co_read_sparse(client, req, errp);
    }
    ret = blk_co_pread(client->exp->blk, req->from, req->len, req->data, 0);
    if (ret < 0) {
        return nbd_co_send_generic(client, req->cookie, -ret,
                                   "reading from file failed", errp);
    }
    if (client->structured_reply) {
        return nbd_co_send_data_chunk(client, req->cookie, req->from,
                                      req->data, req->len, true, errp);
    }
    return nbd_co_send_simple(client, req->cookie, 0, req->data, req->len,
                              errp);
}

/* ---- the other commands ----------------------------------------------- */

/* Run a command without reply data; -errno or 0, *msg for failures. */
static int coroutine_fn nbd_co_do_cmd(NBDClient *client, NBDRequest *req,
                                      const char **msg)
{
    BlockBackend *blk = client->exp->blk;
    bool fua = req->flags & NBD_CMD_FLAG_FUA;
    int flags = fua ? BDRV_REQ_FUA : 0;
    int ret;

    switch (req->type) {
    case NBD_CMD_WRITE:
        *msg = "writing to file failed";
        return blk_co_pwrite(blk, req->from, req->len, req->data, flags);
    case NBD_CMD_WRITE_ZEROES:
        *msg = "writing to file failed";
        if (!(req->flags & NBD_CMD_FLAG_NO_HOLE)) {
            flags |= BDRV_REQ_MAY_UNMAP;
        }
        if (req->flags & NBD_CMD_FLAG_FAST_ZERO) {
            flags |= BDRV_REQ_NO_FALLBACK;
        }
        return blk_co_pwrite_zeroes(blk, req->from, req->len, flags);
    case NBD_CMD_TRIM:
        *msg = "discard failed";
        ret = blk_co_pdiscard(blk, req->from, req->len);
        if (ret >= 0 && fua) {
            ret = blk_co_flush(blk);
        }
        return ret;
    case NBD_CMD_FLUSH:
        *msg = "flush failed";
        return blk_co_flush(blk);
    case NBD_CMD_CACHE:
        *msg = "caching data failed";
        return blk_co_pread(blk, req->from, req->len, req->data, 0);
    default:
        g_assert_not_reached();
    }
}

/* Serve one checked request: 0, or -1 when the connection failed. */
static int coroutine_fn nbd_co_handle(NBDClient *client, NBDRequest *req,
                                      Error **errp)
{
    const char *msg = NULL;
    int ret;

    if (req->error) {
        return nbd_co_send_generic(client, req->cookie, EINVAL, req->error,
                                   errp);
    }
    switch (req->type) {
    case NBD_CMD_READ:
        return nbd_co_do_read(client, req, errp);
    case NBD_CMD_BLOCK_STATUS:
        if (!req->len) {
            return nbd_co_send_generic(client, req->cookie, EINVAL,
                                       "need non-zero length", errp);
        }
        if (!client->structured_reply || !client->meta.count) {
            return nbd_co_send_generic(client, req->cookie, EINVAL,
                                       "CMD_BLOCK_STATUS not negotiated",
                                       errp);
        }
        return nbd_co_send_block_status(client, req->cookie, req->from,
                                        req->len,
                                        req->flags & NBD_CMD_FLAG_REQ_ONE,
                                        errp);
    default:
        ret = nbd_co_do_cmd(client, req, &msg);
        if (ret < 0) {
            nbd_server_debug("%s: %s", msg, strerror(-ret));
        }
        return nbd_co_send_generic(client, req->cookie,
                                   ret < 0 ? -ret : 0, msg, errp);
    }
}

static void nbd_request_free(NBDRequest *req)
{
    qemu_vfree(req->data);
    g_free(req->error);
    g_free(req);
}

/* A request slot became free: let the receive loop go on if it waits. */
static void nbd_client_kick_receiver(NBDClient *client)
{
    if (client->recv_waiting) {
        client->recv_waiting = false;
        aio_co_wake(client->recv_co);
    }
}

static void coroutine_fn nbd_co_request(void *opaque)
{
    NBDRequest *req = opaque;
    NBDClient *client = req->client;
    Error *local_err = NULL;

    if (nbd_co_handle(client, req, &local_err) < 0 || req->fatal) {
        if (local_err) {
            nbd_server_debug("Failed to send reply: %s",
                             error_get_pretty(local_err));
            error_free(local_err);
        }
        client->closing = true;
        qio_channel_shutdown(client->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    }
    nbd_request_free(req);
    client->in_flight--;
    nbd_client_kick_receiver(client);
}

/* ---- receiving -------------------------------------------------------- */

/* Refuse @req with an EINVAL reply carrying the message. */
static void G_GNUC_PRINTF(2, 3) nbd_refuse(NBDRequest *req,
                                            const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    req->error = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    nbd_server_debug("%s", req->error);
}

/* Flags each command accepts, as QEMU's server checks them. */
static uint16_t nbd_valid_flags(NBDClient *client, uint16_t type)
{
    uint16_t valid = NBD_CMD_FLAG_FUA;

    if (type == NBD_CMD_READ && client->structured_reply) {
        valid |= NBD_CMD_FLAG_DF;
    } else if (type == NBD_CMD_WRITE_ZEROES) {
        valid |= NBD_CMD_FLAG_NO_HOLE | NBD_CMD_FLAG_FAST_ZERO;
    } else if (type == NBD_CMD_BLOCK_STATUS) {
        valid |= NBD_CMD_FLAG_REQ_ONE;
    }
    return valid;
}

/* Checks that need no payload; sets req->error on failure. */
static void nbd_check_request(NBDClient *client, NBDRequest *req)
{
    NBDExport *exp = client->exp;
    uint16_t bad_flags;

    if (req->type > NBD_CMD_BLOCK_STATUS || req->type == NBD_CMD_DISC) {
        nbd_refuse(req, "invalid request type (%u) received", req->type);
        return;
    }
    if ((exp->nbdflags & NBD_FLAG_READ_ONLY) &&
        (req->type == NBD_CMD_WRITE || req->type == NBD_CMD_TRIM ||
         req->type == NBD_CMD_WRITE_ZEROES)) {
        nbd_refuse(req, "Export is read-only");
        return;
    }
    if (req->type != NBD_CMD_FLUSH &&
        (req->from > exp->size || req->len > exp->size - req->from)) {
        nbd_refuse(req, "operation past EOF; From: %" PRIu64 ", Len: %"
                   PRIu32 ", Size: %" PRIu64, req->from, req->len,
                   exp->size);
        return;
    }
    if (client->check_align && req->type != NBD_CMD_FLUSH &&
        (!QEMU_IS_ALIGNED(req->from, client->check_align) ||
         !QEMU_IS_ALIGNED(req->len, client->check_align))) {
        nbd_refuse(req, "request %s offset %" PRIu64 " length %" PRIu32
                   " not aligned to %" PRIu32, nbd_server_cmd_name(req->type),
                   req->from, req->len, client->check_align);
        return;
    }
    bad_flags = req->flags & ~nbd_valid_flags(client, req->type);
    if (bad_flags) {
        nbd_refuse(req, "unsupported flags for command %s (got 0x%x)",
                   nbd_server_cmd_name(req->type), req->flags);
    }
}

/*
 * Read one request.  Returns the request (possibly refused: req->error),
 * or NULL when the connection ended (EOF, NBD_CMD_DISC, I/O error).
 */
static NBDRequest *coroutine_fn nbd_co_receive(NBDClient *client)
{
    g_autofree NBDRequest *req = g_new0(NBDRequest, 1);
    NBDRequestHeader hdr;
    Error *local_err = NULL;
    uint32_t magic;
    int ret;

    ret = qio_channel_read_all_eof(client->ioc, &hdr, sizeof(hdr),
                                   &local_err);
    if (ret <= 0) {
        if (ret < 0 && !client->closing) {
            nbd_server_debug("%s", error_get_pretty(local_err));
        }
        error_free(local_err);
        return NULL;
    }
    req->client = client;
    magic = be32_to_cpu(hdr.magic);
    req->flags = be16_to_cpu(hdr.flags);
    req->type = be16_to_cpu(hdr.type);
    req->cookie = be64_to_cpu(hdr.cookie);
    req->from = be64_to_cpu(hdr.from);
    req->len = be32_to_cpu(hdr.len);
    trace_nbd_receive_request(magic, req->flags, req->type, req->from,
                              req->len);

    if (magic != NBD_REQUEST_MAGIC) {
        /* Out of step: answer (cookie 0) and hang up. */
        req->cookie = 0;
        req->fatal = true;
        nbd_refuse(req, "invalid magic (got 0x%" PRIx32 ")", magic);
        return g_steal_pointer(&req);
    }
    trace_nbd_co_receive_request_decode_type(req->cookie, req->type,
        trace_nbd_cmd_name(req->type));
    if (req->type == NBD_CMD_DISC) {
        return NULL;
    }
    if ((req->type == NBD_CMD_READ || req->type == NBD_CMD_WRITE ||
         req->type == NBD_CMD_CACHE) && req->len > NBD_MAX_BUFFER_SIZE) {
        /* The payload of such a WRITE is not read: the stream is lost. */
        req->fatal = req->type == NBD_CMD_WRITE;
        nbd_refuse(req, "len (%" PRIu32 " ) is larger than max len (%u)",
                   req->len, (unsigned)NBD_MAX_BUFFER_SIZE);
        return g_steal_pointer(&req);
    }
    if (req->type == NBD_CMD_READ || req->type == NBD_CMD_WRITE ||
        req->type == NBD_CMD_CACHE) {
        req->data = blk_try_blockalign(client->exp->blk, req->len ?: 1);
        if (!req->data) {
            req->fatal = req->type == NBD_CMD_WRITE;
            nbd_refuse(req, "No memory");
            return g_steal_pointer(&req);
        }
    }
    if (req->type == NBD_CMD_WRITE &&
        qio_channel_read_all(client->ioc, req->data, req->len,
                             &local_err) < 0) {
        nbd_server_debug("reading from socket failed: %s",
                         error_get_pretty(local_err));
        error_free(local_err);
        qemu_vfree(req->data);
        return NULL;
    }
    if (req->type == NBD_CMD_WRITE) {
        trace_nbd_co_receive_request_payload_received(req->cookie, req->len);
    }
    nbd_check_request(client, req);
    return g_steal_pointer(&req);
}

void coroutine_fn nbd_co_client_transmission(NBDClient *client)
{
    client->recv_co = qemu_coroutine_self();

    while (!client->closing) {
        NBDRequest *req;
        bool fatal;

        if (client->in_flight >= NBD_MAX_REQUESTS_IN_FLIGHT) {
            client->recv_waiting = true;
            qemu_coroutine_yield();
            continue;
        }
        trace_nbd_trip();
        req = nbd_co_receive(client);
        if (!req) {
            break;
        }
        fatal = req->fatal;
        client->in_flight++;
        qemu_coroutine_enter(qemu_coroutine_create(nbd_co_request, req));
        if (fatal) {
            break;
        }
    }

    /* Stop the others and wait for every request coroutine to end. */
    client->closing = true;
    while (client->in_flight > 0) {
        client->recv_waiting = true;
        qemu_coroutine_yield();
    }
}
