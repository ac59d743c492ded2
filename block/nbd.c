/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/nbd.c: the nbd protocol driver (nbd, nbd+tcp, nbd+unix): one
 * connection to an NBD server per node, many requests in flight on it.
 *
 * Each request coroutine takes a slot (its cookie is the slot number + 1),
 * sends its request under send_mutex and sleeps.  A single reply-reader
 * coroutine runs while replies are due: it reads each reply header,
 * checks it against the request it names, reads the payload straight into
 * that request (read data, holes, block status, errors) and wakes the
 * request when its last chunk arrives.  Anything the server sends that
 * breaks the protocol fails the connection for good: every pending and
 * later request then gets -EIO.  A lost connection fails the pending
 * requests too, but the node reconnects (nbd-reconnect.c) and, within
 * reconnect-delay, sends them again.  Options and filenames live in
 * nbd-opts.c.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/error-report.h"
#include "qemu/module.h"
#include "block/nbd-int.h"
#include "trace/trace-block.h"

/* ---- connection failure --------------------------------------------- */

static void nbd_complete(BDRVNBDState *s, NBDClientRequest *req)
{
    req->done = true;
    s->awaiting--;
    if (req->waiting) {
        aio_co_wake(req->co);
    }
}

/*
 * The connection is unusable: shut the socket down, leave CONNECTED
 * (nbd-reconnect.c picks the next state) and fail every request still
 * waiting for a reply.  Nothing is printed, as in 7.2 (which only traces
 * protocol violations): the request whose reply broke the protocol fails
 * with EINVAL, every other one with EIO (and is sent again if the node
 * waits for a reconnect).  @err (the violation or the socket error) is
 * dropped.
 */
static void coroutine_fn nbd_fail_connection(BlockDriverState *bs,
                                             Error *err)
{
    BDRVNBDState *s = bs->opaque;

    error_free(err);
    nbd_client_connection_lost(bs);
    for (int i = 0; i < NBD_CLIENT_MAX_REQUESTS; i++) {
        NBDClientRequest *req = &s->requests[i];

        if (req->in_use && req->sent && !req->done) {
            req->ret = req->bad_reply_ret ?: -EIO;
            req->conn_lost = true;
            nbd_complete(s, req);
        }
    }
    qemu_co_queue_restart_all(&s->free_slots);
}

/* ---- reply reader --------------------------------------------------- */

static NBDClientRequest *nbd_find_request(BDRVNBDState *s, uint64_t cookie,
                                          Error **errp)
{
    uint64_t slot = cookie & 0xffff;
    NBDClientRequest *req;

    if (slot == 0 || slot > NBD_CLIENT_MAX_REQUESTS) {
        goto bad;
    }
    req = &s->requests[slot - 1];
    if (!req->in_use || !req->sent || req->done || req->cookie != cookie) {
        goto bad;
    }
    return req;

bad:
    error_setg(errp, "Protocol error: reply with unexpected cookie %" PRIu64,
               cookie);
    return NULL;
}

static int coroutine_fn nbd_read(BDRVNBDState *s, void *buf, size_t len,
                                 Error **errp)
{
    if (qio_channel_read_all(s->ioc, buf, len, errp) < 0) {
        s->io_failed = true;
        return -1;
    }
    return 0;
}

/* Read and drop @len bytes. */
static int coroutine_fn nbd_drop(BDRVNBDState *s, uint64_t len, Error **errp)
{
    uint8_t buf[4096];

    while (len) {
        size_t n = MIN(len, sizeof(buf));

        if (nbd_read(s, buf, n, errp) < 0) {
            return -1;
        }
        len -= n;
    }
    return 0;
}

/* Read @len bytes into @req's buffer at request offset @off. */
static int coroutine_fn nbd_read_into(BDRVNBDState *s, NBDClientRequest *req,
                                      uint64_t off, uint32_t len,
                                      Error **errp)
{
    QEMUIOVector sub;
    int ret;

    qemu_iovec_init_slice(&sub, req->qiov, off, len);
    ret = qio_channel_readv_all(s->ioc, sub.iov, sub.niov, errp);
    qemu_iovec_destroy(&sub);
    if (ret < 0) {
        s->io_failed = true;
    }
    return ret;
}

static int coroutine_fn nbd_simple_reply(BDRVNBDState *s, NBDReply *reply,
                                         NBDClientRequest *req, Error **errp)
{
    if (reply->error) {
        req->ret = -nbd_errno_to_system_errno(reply->error);
    } else if (req->type == NBD_CMD_READ) {
        if (s->info.structured_reply) {
            error_setg(errp, "Protocol error: simple reply to a read "
                       "request with structured replies enabled");
            return -1;
        }
        if (nbd_read_into(s, req, 0, req->len, errp) < 0) {
            return -1;
        }
    } else if (req->type == NBD_CMD_BLOCK_STATUS) {
        error_setg(errp, "Protocol error: simple reply to a block status "
                   "request");
        return -1;
    }
    nbd_complete(s, req);
    return 0;
}

/* Is [@off, @off + @len) inside @req's range (and non-empty)? */
static bool nbd_range_ok(NBDClientRequest *req, uint64_t off, uint64_t len)
{
    return len > 0 && off >= req->from && off - req->from <= req->len &&
           len <= req->len - (off - req->from);
}

/*
 * Data and holes of a successful read must cover the request exactly;
 * more than the request is an error at once, less at DONE.
 */
static int nbd_count_read(NBDClientRequest *req, uint64_t len, Error **errp)
{
    if (len > req->len - req->received) {
        error_setg(errp, "Protocol error: server sent more read data than "
                   "requested");
        return -1;
    }
    req->received += len;
    return 0;
}

static int coroutine_fn nbd_chunk_data(BDRVNBDState *s, NBDReply *c,
                                       NBDClientRequest *req, Error **errp)
{
    uint64_t off;

    if (req->type != NBD_CMD_READ || c->length <= sizeof(off)) {
        error_setg(errp, "Protocol error: invalid data chunk");
        return -1;
    }
    if (nbd_read(s, &off, sizeof(off), errp) < 0) {
        return -1;
    }
    off = be64_to_cpu(off);
    if (!nbd_range_ok(req, off, c->length - sizeof(off))) {
        error_setg(errp, "Protocol error: data chunk at offset %" PRIu64
                   " of %" PRIu32 " bytes lies outside the request",
                   off, (uint32_t)(c->length - sizeof(off)));
        return -1;
    }
    if (nbd_count_read(req, c->length - sizeof(off), errp) < 0) {
        return -1;
    }
    return nbd_read_into(s, req, off - req->from, c->length - sizeof(off),
                         errp);
}

static int coroutine_fn nbd_chunk_hole(BDRVNBDState *s, NBDReply *c,
                                       NBDClientRequest *req, Error **errp)
{
    NBDStructuredReadHole hole;
    uint64_t off;
    uint32_t len;

    if (req->type != NBD_CMD_READ || c->length != sizeof(hole)) {
        error_setg(errp, "Protocol error: invalid hole chunk");
        return -1;
    }
    if (nbd_read(s, &hole, sizeof(hole), errp) < 0) {
        return -1;
    }
    off = be64_to_cpu(hole.offset);
    len = be32_to_cpu(hole.length);
    if (!nbd_range_ok(req, off, len)) {
        error_setg(errp, "Protocol error: hole chunk at offset %" PRIu64
                   " of %" PRIu32 " bytes lies outside the request",
                   off, len);
        return -1;
    }
    if (nbd_count_read(req, len, errp) < 0) {
        return -1;
    }
    qemu_iovec_memset(req->qiov, off - req->from, 0, len);
    return 0;
}

/* Fix up an extent the way 7.2 tolerates slightly broken servers. */
static void nbd_fixup_extent(BDRVNBDState *s, NBDClientRequest *req,
                             NBDExtent *e)
{
    uint32_t min = s->info.min_block;

    if (min && e->length % min) {
        /* unaligned: keep the aligned part, or claim one whole block */
        if (e->length > min) {
            e->length = QEMU_ALIGN_DOWN(e->length, min);
        } else {
            e->length = min;
            e->flags = 0;
        }
    }
    if (e->length > req->len) {
        e->length = req->len;
    }
    if (s->alloc_depth && e->flags > 2) {
        e->flags = 2;
    }
}

static int coroutine_fn nbd_chunk_status(BDRVNBDState *s, NBDReply *c,
                                         NBDClientRequest *req, Error **errp)
{
    struct QEMU_PACKED {
        uint32_t id;
        NBDExtent ext;
    } first;

    if (req->type != NBD_CMD_BLOCK_STATUS || c->length < sizeof(first) ||
        (c->length - sizeof(first.id)) % sizeof(NBDExtent)) {
        error_setg(errp, "Protocol error: invalid block status chunk");
        return -1;
    }
    if (req->got_extent) {
        error_setg(errp, "Protocol error: several block status chunks for "
                   "one request");
        return -1;
    }
    if (nbd_read(s, &first, sizeof(first), errp) < 0) {
        return -1;
    }
    if (!s->info.base_allocation ||
        be32_to_cpu(first.id) != s->info.context_id) {
        error_setg(errp, "Protocol error: block status for unknown metadata "
                   "context %" PRIu32, be32_to_cpu(first.id));
        return -1;
    }
    req->extent.length = be32_to_cpu(first.ext.length);
    req->extent.flags = be32_to_cpu(first.ext.flags);
    if (req->extent.length == 0) {
        error_setg(errp, "Protocol error: block status extent of length 0");
        return -1;
    }
    nbd_fixup_extent(s, req, &req->extent);
    req->got_extent = true;
    /* we asked for one extent (REQ_ONE); ignore any more */
    return nbd_drop(s, c->length - sizeof(first), errp);
}

static int coroutine_fn nbd_chunk_error(BDRVNBDState *s, NBDReply *c,
                                        NBDClientRequest *req, Error **errp)
{
    NBDStructuredError e;
    uint32_t err, extra;
    uint64_t off;

    if (c->length < sizeof(e)) {
        goto bad;
    }
    if (nbd_read(s, &e, sizeof(e), errp) < 0) {
        return -1;
    }
    err = be32_to_cpu(e.error);
    extra = c->length - sizeof(e);
    if (be16_to_cpu(e.message_length) > extra ||
        (c->type == NBD_REPLY_TYPE_ERROR &&
         extra != be16_to_cpu(e.message_length)) ||
        (c->type == NBD_REPLY_TYPE_ERROR_OFFSET &&
         extra != be16_to_cpu(e.message_length) + sizeof(off))) {
        goto bad;
    }
    if (err == 0) {
        error_setg(errp, "Protocol error: error chunk with error 0");
        return -1;
    }
    /* the message is for debugging only: not shown, as in 7.2 */
    if (nbd_drop(s, be16_to_cpu(e.message_length), errp) < 0) {
        return -1;
    }
    extra -= be16_to_cpu(e.message_length);
    if (c->type == NBD_REPLY_TYPE_ERROR_OFFSET) {
        if (nbd_read(s, &off, sizeof(off), errp) < 0) {
            return -1;
        }
        if (!nbd_range_ok(req, be64_to_cpu(off), 1)) {
            req->bad_reply_ret = -EIO;  /* rather than EINVAL, as 7.2 */
            error_setg(errp, "Protocol error: error offset %" PRIu64
                       " outside the request", be64_to_cpu(off));
            return -1;
        }
    } else if (nbd_drop(s, extra, errp) < 0) {
        return -1;
    }
    if (!req->ret) {
        req->ret = -nbd_errno_to_system_errno(err);
    }
    return 0;

bad:
    error_setg(errp, "Protocol error: malformed error chunk of %" PRIu32
               " bytes", c->length);
    return -1;
}

static int coroutine_fn nbd_structured_chunk(BDRVNBDState *s, NBDReply *c,
                                             NBDClientRequest *req,
                                             Error **errp)
{
    int ret;

    if (!s->info.structured_reply) {
        error_setg(errp, "Protocol error: structured reply without "
                   "negotiation");
        return -1;
    }
    switch (c->type) {
    case NBD_REPLY_TYPE_NONE:
        if (!(c->flags & NBD_REPLY_FLAG_DONE) || c->length) {
            error_setg(errp, "Protocol error: invalid NONE chunk");
            return -1;
        }
        ret = 0;
        break;
    case NBD_REPLY_TYPE_OFFSET_DATA:
        ret = nbd_chunk_data(s, c, req, errp);
        break;
    case NBD_REPLY_TYPE_OFFSET_HOLE:
        ret = nbd_chunk_hole(s, c, req, errp);
        break;
    case NBD_REPLY_TYPE_BLOCK_STATUS:
        ret = nbd_chunk_status(s, c, req, errp);
        break;
    default:
        if (!NBD_REPLY_TYPE_IS_ERR(c->type)) {
            error_setg(errp, "Protocol error: unknown chunk type %u",
                       c->type);
            return -1;
        }
        ret = nbd_chunk_error(s, c, req, errp);
        break;
    }
    if (ret < 0) {
        return -1;
    }
    if (c->flags & NBD_REPLY_FLAG_DONE) {
        if (req->type == NBD_CMD_BLOCK_STATUS && !req->ret &&
            !req->got_extent) {
            req->bad_reply_ret = -EIO;  /* rather than EINVAL, as 7.2 */
            error_setg(errp, "Protocol error: block status reply without "
                       "an extent");
            return -1;
        }
        if (req->type == NBD_CMD_READ && !req->ret &&
            req->received != req->len) {
            error_setg(errp, "Protocol error: read reply ends before all "
                       "data was sent");
            return -1;
        }
        nbd_complete(s, req);
    }
    return 0;
}

/* Read one simple reply or one chunk and hand it to its request. */
static int coroutine_fn nbd_reader_one(BDRVNBDState *s, Error **errp)
{
    NBDClientRequest *req;
    NBDReply reply;
    int ret;

    ret = nbd_receive_reply(s->ioc, &reply, errp);
    if (ret == 0 || ret == -EIO) {
        s->io_failed = true;
    }
    if (ret == 0) {
        error_setg(errp, "NBD server closed the connection");
    }
    if (ret <= 0) {
        return -1;
    }
    req = nbd_find_request(s, reply.cookie, errp);
    if (!req) {
        return -1;
    }
    if (reply.magic == NBD_SIMPLE_REPLY_MAGIC) {
        ret = nbd_simple_reply(s, &reply, req, errp);
    } else {
        ret = nbd_structured_chunk(s, &reply, req, errp);
    }
    if (ret < 0 && !s->io_failed && !req->bad_reply_ret) {
        /*
         * A malformed reply, not a lost connection: EINVAL as in 7.2,
         * unless the handler already chose the errno.
         */
        req->bad_reply_ret = -EINVAL;
    }
    return ret;
}

static void coroutine_fn nbd_reader_entry(void *opaque)
{
    BlockDriverState *bs = opaque;
    BDRVNBDState *s = bs->opaque;
    Coroutine *waiter;

    while (s->awaiting > 0 && s->state == NBD_CLIENT_CONNECTED) {
        Error *err = NULL;

        if (nbd_reader_one(s, &err) < 0) {
            trace_nbd_read_reply_entry_fail(-EIO, err ? error_get_pretty(err)
                                                      : "");
            nbd_fail_connection(bs, err);
        }
    }
    s->reader = NULL;
    waiter = s->reader_exit_waiter;
    s->reader_exit_waiter = NULL;
    if (waiter) {
        aio_co_wake(waiter);
    }
}

/* ---- request path --------------------------------------------------- */

/*
 * Send @r once and wait for its reply; READ data lands in @rq, WRITE data
 * comes from @wq, BLOCK_STATUS fills @ext.  0 or -errno; *@lost says
 * the request failed because the connection was lost.
 */
static int coroutine_fn nbd_co_request_once(BlockDriverState *bs,
                                            NBDRequest *r, QEMUIOVector *wq,
                                            QEMUIOVector *rq, NBDExtent *ext,
                                            bool *lost)
{
    BDRVNBDState *s = bs->opaque;
    NBDClientRequest *req;
    Error *err = NULL;
    int i, ret;

    *lost = false;
    ret = nbd_co_wait_connected(bs);
    if (ret < 0) {
        return ret;
    }
    while (s->in_use == NBD_CLIENT_MAX_REQUESTS &&
           s->state == NBD_CLIENT_CONNECTED) {
        qemu_co_queue_wait(&s->free_slots, NULL);
    }
    if (s->state != NBD_CLIENT_CONNECTED) {
        *lost = true;
        return -EIO;
    }
    ret = -EIO;
    for (i = 0; s->requests[i].in_use; i++) {
        /* a free slot exists: in_use < max */
    }
    req = &s->requests[i];
    *req = (NBDClientRequest) {
        .in_use = true, .co = qemu_coroutine_self(), .type = r->type,
        .from = r->from, .len = r->len, .qiov = rq,
    };
    s->in_use++;
    r->cookie = req->cookie = (++s->next_seq << 16) | (i + 1);

    qemu_co_mutex_lock(&s->send_mutex);
    if (s->state == NBD_CLIENT_CONNECTED) {
        req->sent = true;
        s->awaiting++;
        ret = nbd_send_request(s->ioc, r, wq, &err);
    }
    qemu_co_mutex_unlock(&s->send_mutex);
    if (ret < 0 && req->sent) {
        s->io_failed = true;
        nbd_fail_connection(bs, err);
    }
    if (req->sent && !s->reader && s->awaiting > 0) {
        s->reader = qemu_coroutine_create(nbd_reader_entry, bs);
        aio_co_enter(bdrv_get_aio_context(bs), s->reader);
    }
    while (req->sent && !req->done) {
        req->waiting = true;
        qemu_coroutine_yield();
        req->waiting = false;
    }
    ret = req->sent ? req->ret : -EIO;
    *lost = req->sent ? req->conn_lost : true;
    if (ext) {
        *ext = req->extent;
    }
    req->in_use = false;
    s->in_use--;
    qemu_co_queue_next(&s->free_slots);
    return ret;
}

/* nbd_co_request_once(), sent again while the node waits to reconnect. */
static int coroutine_fn nbd_co_request(BlockDriverState *bs, NBDRequest *r,
                                       QEMUIOVector *wq, QEMUIOVector *rq,
                                       NBDExtent *ext)
{
    BDRVNBDState *s = bs->opaque;
    bool lost;
    int ret;

    do {
        ret = nbd_co_request_once(bs, r, wq, rq, ext, &lost);
    } while (ret < 0 && lost && nbd_client_will_reconnect(s));
    return ret;
}

static int coroutine_fn nbd_co_preadv(BlockDriverState *bs, int64_t offset,
                                      int64_t bytes, QEMUIOVector *qiov,
                                      BdrvRequestFlags flags)
{
    BDRVNBDState *s = bs->opaque;
    NBDRequest r = { .type = NBD_CMD_READ, .from = offset };
    QEMUIOVector sub;
    int ret;

    if (!bytes) {
        return 0;
    }
    /* the block layer rounds up to the alignment past an unaligned end */
    if (offset + bytes > s->info.size) {
        uint64_t slop = offset + bytes - s->info.size;

        qemu_iovec_memset(qiov, bytes - slop, 0, slop);
        if (offset >= s->info.size) {
            return 0;
        }
        bytes -= slop;
    }
    r.len = bytes;
    qemu_iovec_init_slice(&sub, qiov, 0, bytes);
    ret = nbd_co_request(bs, &r, NULL, &sub, NULL);
    qemu_iovec_destroy(&sub);
    return ret;
}

static int coroutine_fn nbd_co_pwritev(BlockDriverState *bs, int64_t offset,
                                       int64_t bytes, QEMUIOVector *qiov,
                                       BdrvRequestFlags flags)
{
    NBDRequest r = {
        .type = NBD_CMD_WRITE, .from = offset, .len = bytes,
        .flags = flags & BDRV_REQ_FUA ? NBD_CMD_FLAG_FUA : 0,
    };

    if (!bytes) {
        return 0;
    }
    return nbd_co_request(bs, &r, qiov, NULL, NULL);
}

static int coroutine_fn nbd_co_pwrite_zeroes(BlockDriverState *bs,
                                             int64_t offset, int64_t bytes,
                                             BdrvRequestFlags flags)
{
    BDRVNBDState *s = bs->opaque;
    NBDRequest r = {
        .type = NBD_CMD_WRITE_ZEROES, .from = offset, .len = bytes,
    };

    if (!(s->info.flags & NBD_FLAG_SEND_WRITE_ZEROES)) {
        return -ENOTSUP;
    }
    if (!bytes) {
        return 0;
    }
    if (flags & BDRV_REQ_FUA) {
        r.flags |= NBD_CMD_FLAG_FUA;
    }
    if (!(flags & BDRV_REQ_MAY_UNMAP)) {
        r.flags |= NBD_CMD_FLAG_NO_HOLE;
    }
    if (flags & BDRV_REQ_NO_FALLBACK) {
        r.flags |= NBD_CMD_FLAG_FAST_ZERO;
    }
    return nbd_co_request(bs, &r, NULL, NULL, NULL);
}

static int coroutine_fn nbd_co_pdiscard(BlockDriverState *bs, int64_t offset,
                                        int64_t bytes)
{
    BDRVNBDState *s = bs->opaque;
    NBDRequest r = { .type = NBD_CMD_TRIM, .from = offset, .len = bytes };

    if (!(s->info.flags & NBD_FLAG_SEND_TRIM) || !bytes) {
        return 0;
    }
    return nbd_co_request(bs, &r, NULL, NULL, NULL);
}

static int coroutine_fn nbd_co_flush(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;
    NBDRequest r = { .type = NBD_CMD_FLUSH };

    if (!(s->info.flags & NBD_FLAG_SEND_FLUSH)) {
        return 0;
    }
    return nbd_co_request(bs, &r, NULL, NULL, NULL);
}

static int coroutine_fn nbd_co_block_status(BlockDriverState *bs,
                                            bool want_zero, int64_t offset,
                                            int64_t bytes, int64_t *pnum,
                                            int64_t *map,
                                            BlockDriverState **file)
{
    BDRVNBDState *s = bs->opaque;
    uint32_t align = bs->bl.request_alignment;
    NBDRequest r = {
        .type = NBD_CMD_BLOCK_STATUS, .from = offset,
        .flags = NBD_CMD_FLAG_REQ_ONE,
    };
    NBDExtent ext;
    int ret;

    *map = offset;
    *file = bs;
    if (!s->info.base_allocation) {
        *pnum = bytes;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    }
    if (offset >= s->info.size) {
        /* the aligned tail past the server's unaligned end */
        *pnum = bytes;
        return BDRV_BLOCK_ZERO | BDRV_BLOCK_OFFSET_VALID;
    }
    r.len = MIN(MIN(bytes, s->info.size - offset),
                QEMU_ALIGN_DOWN(INT32_MAX, align));
    ret = nbd_co_request(bs, &r, NULL, NULL, &ext);
    if (ret < 0) {
        return ret;
    }
    *pnum = ext.length;
    return (ext.flags & NBD_STATE_HOLE ? 0 : BDRV_BLOCK_DATA) |
           (ext.flags & NBD_STATE_ZERO ? BDRV_BLOCK_ZERO : 0) |
           BDRV_BLOCK_OFFSET_VALID;
}

static int coroutine_fn nbd_co_truncate(BlockDriverState *bs, int64_t offset,
                                        bool exact, PreallocMode prealloc,
                                        BdrvRequestFlags flags, Error **errp)
{
    BDRVNBDState *s = bs->opaque;

    if (offset != s->info.size && exact) {
        error_setg(errp, "Cannot resize NBD nodes");
        return -ENOTSUP;
    }
    if (offset > s->info.size) {
        error_setg(errp, "Cannot grow NBD nodes");
        return -EINVAL;
    }
    return 0;
}

static int64_t coroutine_fn nbd_co_getlength(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    return s->info.size;
}

/* ---- open / close / limits ------------------------------------------ */

/* Connect, retrying for open-timeout seconds if the server is not up. */
static int nbd_connect(BDRVNBDState *s, Error **errp)
{
    int64_t deadline = g_get_monotonic_time() +
                       s->open_timeout * G_USEC_PER_SEC;
    int fd;

    for (;;) {
        Error *err = NULL;

        fd = socket_connect(s->saddr, &err);
        if (fd >= 0) {
            break;
        }
        if (g_get_monotonic_time() >= deadline) {
            error_propagate(errp, err);
            return -ECONNREFUSED;
        }
        error_free(err);
        g_usleep(100 * 1000);
    }
    s->ioc = qio_channel_new_fd(fd, "nbd-client");
    return 0;
}

static int nbd_handshake(BlockDriverState *bs, Error **errp)
{
    BDRVNBDState *s = bs->opaque;
    int ret;

    s->info.name = g_strdup(s->export ?: "");
    s->info.x_dirty_bitmap = g_strdup(s->x_dirty_bitmap);
    s->info.request_sizes = true;
    s->info.want_structured = true;
    ret = nbd_receive_negotiate(s->ioc, &s->info, errp);
    if (ret < 0) {
        return ret;
    }
    if (s->x_dirty_bitmap && !s->info.base_allocation) {
        /* 7.2 drops its message: "Could not open image: Invalid argument" */
        return -EINVAL;
    }
    if (s->info.flags & NBD_FLAG_READ_ONLY) {
        /* 7.2 drops the message: "Could not open image: Permission denied" */
        bdrv_graph_rdlock_main_loop();
        ret = bdrv_apply_auto_read_only(bs, "NBD export is read-only", NULL);
        bdrv_graph_rdunlock_main_loop();
        if (ret < 0) {
            return ret;
        }
    }
    if (s->info.flags & NBD_FLAG_SEND_FUA) {
        bs->supported_write_flags = BDRV_REQ_FUA;
        bs->supported_zero_flags |= BDRV_REQ_FUA;
    }
    if (s->info.flags & NBD_FLAG_SEND_WRITE_ZEROES) {
        bs->supported_zero_flags |= BDRV_REQ_MAY_UNMAP;
        if (s->info.flags & NBD_FLAG_SEND_FAST_ZERO) {
            bs->supported_zero_flags |= BDRV_REQ_NO_FALLBACK;
        }
    }
    return 0;
}

/*
 * With no reply due the reader has normally exited; after a failed send
 * it may still sit in a read of the (shut down) socket: let it see the
 * end of the stream and finish.  Outside coroutines, with no request in
 * flight.
 */
static void nbd_stop_reader(BDRVNBDState *s)
{
    assert(!s->awaiting);
    if (s->ioc && s->reader) {
        qio_channel_shutdown(s->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
        qio_channel_wake_read(s->ioc);
    }
    assert(!s->reader);
}

static void nbd_disconnect(BDRVNBDState *s)
{
    if (!s->ioc) {
        return;
    }
    nbd_stop_reader(s);
    if (s->state == NBD_CLIENT_CONNECTED) {
        NBDRequest r = { .type = NBD_CMD_DISC };

        nbd_send_request(s->ioc, &r, NULL, NULL);
    }
    qio_channel_shutdown(s->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    qio_channel_unref(s->ioc);
    s->ioc = NULL;
}

static void nbd_free_state(BDRVNBDState *s)
{
    nbd_reconnect_cleanup(s);
    nbd_disconnect(s);
    nbd_export_info_clear(&s->info);
    qapi_free_SocketAddress(s->saddr);
    s->saddr = NULL;
    g_free(s->export);
    g_free(s->x_dirty_bitmap);
    s->export = s->x_dirty_bitmap = NULL;
}

static int nbd_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVNBDState *s = bs->opaque;
    int ret;

    qemu_co_mutex_init(&s->send_mutex);
    qemu_co_queue_init(&s->free_slots);
    ret = nbd_process_options(s, options, errp);
    if (ret == 0) {
        ret = nbd_connect(s, errp);
    }
    if (ret == 0) {
        ret = nbd_handshake(bs, errp);
    }
    if (ret < 0) {
        nbd_free_state(s);
        return ret;
    }
    trace_nbd_client_handshake_success(s->export ?: "(null)");
    nbd_reconnect_init(bs);
    return 0;
}

static void nbd_close(BlockDriverState *bs)
{
    nbd_free_state(bs->opaque);
}

static void nbd_refresh_limits(BlockDriverState *bs, Error **errp)
{
    BDRVNBDState *s = bs->opaque;
    uint32_t min = s->info.min_block;
    uint32_t max = MIN_NON_ZERO(NBD_MAX_BUFFER_SIZE, s->info.max_block);

    /*
     * Without advertised sizes: byte granularity when the export size
     * needs it or block status may report sub-sector extents; whole
     * sectors for old servers otherwise.
     */
    if (!min) {
        min = (s->info.size % BDRV_SECTOR_SIZE || s->info.base_allocation) ?
              1 : BDRV_SECTOR_SIZE;
    }
    max = MAX(QEMU_ALIGN_DOWN(max, min), min);
    bs->bl.request_alignment = min;
    bs->bl.max_pdiscard = QEMU_ALIGN_DOWN(INT_MAX, min);
    bs->bl.max_pwrite_zeroes = max;
    bs->bl.max_transfer = max;
    if (s->info.opt_block && s->info.opt_block > bs->bl.opt_transfer &&
        max % s->info.opt_block == 0) {
        bs->bl.opt_transfer = s->info.opt_block;
    }
}

static int nbd_reopen_prepare(BDRVReopenState *state, BlockReopenQueue *queue,
                              Error **errp)
{
    BDRVNBDState *s = state->bs->opaque;

    if ((state->flags & BDRV_O_RDWR) && (s->info.flags & NBD_FLAG_READ_ONLY)) {
        error_setg(errp, "Can't reopen read-only NBD mount as read/write");
        return -EACCES;
    }
    return 0;
}

static void nbd_detach_aio_context(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;

    if (s->ioc) {
        nbd_stop_reader(s);
        qio_channel_detach_aio_context(s->ioc);
    }
    nbd_reconnect_detach_aio_context(s);
}

static void nbd_attach_aio_context(BlockDriverState *bs, AioContext *ctx)
{
    BDRVNBDState *s = bs->opaque;

    if (s->ioc) {
        qio_channel_attach_aio_context(s->ioc, ctx);
    }
    nbd_reconnect_attach_aio_context(s, ctx);
}

/* An export has no directory that relative names could resolve in. */
static char *nbd_dirname(BlockDriverState *bs, Error **errp)
{
    error_setg(errp, "Cannot generate a base directory for NBD nodes");
    return NULL;
}

#define NBD_DRIVER_COMMON                                               \
    .format_name                = "nbd",                                \
    .instance_size              = sizeof(BDRVNBDState),                 \
    .bdrv_parse_filename        = nbd_parse_filename,                   \
    .bdrv_file_open             = nbd_open,                             \
    .bdrv_close                 = nbd_close,                            \
    .bdrv_reopen_prepare        = nbd_reopen_prepare,                   \
    .bdrv_refresh_limits        = nbd_refresh_limits,                   \
    .bdrv_refresh_filename      = nbd_refresh_filename,                 \
    .bdrv_dirname               = nbd_dirname,                          \
    .bdrv_detach_aio_context    = nbd_detach_aio_context,               \
    .bdrv_attach_aio_context    = nbd_attach_aio_context,               \
    .bdrv_co_preadv             = nbd_co_preadv,                        \
    .bdrv_co_pwritev            = nbd_co_pwritev,                       \
    .bdrv_co_pwrite_zeroes      = nbd_co_pwrite_zeroes,                 \
    .bdrv_co_pdiscard           = nbd_co_pdiscard,                      \
    .bdrv_co_flush_to_os        = nbd_co_flush,                         \
    .bdrv_co_block_status       = nbd_co_block_status,                  \
    .bdrv_co_truncate           = nbd_co_truncate,                      \
    .bdrv_co_getlength          = nbd_co_getlength,                     \
    /* "creating" an image checks the size and writes the format */     \
    .bdrv_co_create_opts        = bdrv_co_create_opts_simple,           \
    .create_opts                = &bdrv_create_opts_simple,             \
    .strong_runtime_opts        = nbd_strong_runtime_opts

static BlockDriver bdrv_nbd = {
    .protocol_name = "nbd",
    NBD_DRIVER_COMMON,
};

static BlockDriver bdrv_nbd_tcp = {
    .protocol_name = "nbd+tcp",
    NBD_DRIVER_COMMON,
};

static BlockDriver bdrv_nbd_unix = {
    .protocol_name = "nbd+unix",
    NBD_DRIVER_COMMON,
};

static void bdrv_nbd_init(void)
{
    bdrv_register(&bdrv_nbd);
    bdrv_register(&bdrv_nbd_tcp);
    bdrv_register(&bdrv_nbd_unix);
}

block_init(bdrv_nbd_init);
