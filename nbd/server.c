/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NBD server: the list of exports, the clients' life cycle and the
 * fixed-newstyle handshake (every option except the metadata-context
 * ones, which are in server-meta.c).  Once a client picked an export,
 * server-io.c takes over the connection.
 *
 * The peer may be hostile: every length read from it is checked against
 * what is left of the option before anything is allocated, strings are
 * capped at NBD_MAX_STRING_SIZE and option payloads at
 * NBD_MAX_BUFFER_SIZE.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/main-loop.h"
#include "block/block_int.h"
#include "nbd/server-int.h"
#include "trace/nbd-names.h"
#include "trace/trace-nbd.h"

bool nbd_server_verbose;

static QTAILQ_HEAD(, NBDExport) exports = QTAILQ_HEAD_INITIALIZER(exports);
static QTAILQ_HEAD(, NBDClient) all_clients =
    QTAILQ_HEAD_INITIALIZER(all_clients);
static int nr_clients;

void nbd_server_set_verbose(bool verbose)
{
    nbd_server_verbose = verbose;
}

void nbd_server_debug(const char *fmt, ...)
{
    va_list ap;

    if (!nbd_server_verbose) {
        return;
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- exports ---------------------------------------------------------- */

NBDExport *nbd_export_find(const char *name)
{
    NBDExport *exp;

    QTAILQ_FOREACH(exp, &exports, next) {
        if (!exp->removed && !strcmp(exp->name, name)) {
            return exp;
        }
    }
    return NULL;
}

int nbd_export_count(void)
{
    NBDExport *exp;
    int n = 0;

    QTAILQ_FOREACH(exp, &exports, next) {
        n++;
    }
    return n;
}

int nbd_client_count(void)
{
    return nr_clients;
}

/* Find bitmap @name in @bs or below it, as qemu-nbd -B does. */
static BdrvDirtyBitmap *nbd_find_bitmap(BlockDriverState *bs,
                                        const char *name)
{
    GRAPH_RDLOCK_GUARD_MAINLOOP();

    while (bs) {
        BdrvDirtyBitmap *bm = bdrv_find_dirty_bitmap(bs, name);
        if (bm) {
            return bm;
        }
        bs = bdrv_filter_or_cow_bs(bs);
    }
    return NULL;
}

static bool nbd_export_add_bitmaps(NBDExport *exp,
                                   const NBDExportOptions *opts,
                                   Error **errp)
{
    BlockDriverState *bs = blk_bs(exp->blk);

    exp->bitmaps = g_new0(BdrvDirtyBitmap *, opts->nr_bitmaps);
    exp->bitmap_ctx = g_new0(char *, opts->nr_bitmaps + 1);
    for (size_t i = 0; i < opts->nr_bitmaps; i++) {
        const char *name = opts->bitmaps[i];
        BdrvDirtyBitmap *bm = nbd_find_bitmap(bs, name);

        if (!bm) {
            error_setg(errp, "Bitmap '%s' is not found", name);
            return false;
        }
        if (bdrv_dirty_bitmap_check(bm, BDRV_BITMAP_ALLOW_RO, errp)) {
            return false;
        }
        if (opts->readonly && blk_is_writable(exp->blk) &&
            bdrv_dirty_bitmap_enabled(bm)) {
            error_setg(errp, "Enabled bitmap '%s' incompatible with "
                       "readonly export", name);
            return false;
        }
        exp->bitmaps[i] = bm;
        exp->bitmap_ctx[i] = g_strdup_printf(NBD_META_QEMU_DIRTY_BITMAP
                                             "%s", name);
        exp->nr_bitmaps = i + 1;
        bdrv_dirty_bitmap_set_busy(bm, true);
    }
    return true;
}

static void nbd_export_free(NBDExport *exp)
{
    for (size_t i = 0; i < exp->nr_bitmaps; i++) {
        bdrv_dirty_bitmap_set_busy(exp->bitmaps[i], false);
    }
    g_free(exp->bitmaps);
    g_strfreev(exp->bitmap_ctx);
    blk_unref(exp->blk);
    g_free(exp->name);
    g_free(exp->description);
    g_free(exp);
}

static void nbd_export_unref(NBDExport *exp)
{
    if (--exp->refcnt == 0) {
        QTAILQ_REMOVE(&exports, exp, next);
        nbd_export_free(exp);
    }
}

NBDExport *nbd_export_new(BlockBackend *blk, const NBDExportOptions *opts,
                          Error **errp)
{
    const char *name = opts->name ?: "";
    NBDExport *exp;
    int64_t size;

    if (strlen(name) > NBD_MAX_STRING_SIZE) {
        error_setg(errp, "export name '%s' too long", name);
        return NULL;
    }
    if (opts->description &&
        strlen(opts->description) > NBD_MAX_STRING_SIZE) {
        error_setg(errp, "export description '%s' too long",
                   opts->description);
        return NULL;
    }
    if (nbd_export_find(name)) {
        error_setg(errp, "NBD server already has export named '%s'", name);
        return NULL;
    }
    size = blk_getlength(blk);
    if (size < 0) {
        error_setg_errno(errp, -size,
                         "Failed to determine the NBD export's length");
        return NULL;
    }

    exp = g_new0(NBDExport, 1);
    exp->name = g_strdup(name);
    exp->description = g_strdup(opts->description ?: "");
    exp->blk = blk;
    blk_ref(blk);
    if (opts->writethrough) {
        blk_set_enable_write_cache(blk, false);
    }
    exp->size = size;
    exp->allocation_depth = opts->allocation_depth;
    exp->refcnt = 1;
    QTAILQ_INIT(&exp->clients);

    exp->nbdflags = NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH |
                    NBD_FLAG_SEND_FUA | NBD_FLAG_SEND_CACHE;
    if (opts->readonly) {
        exp->nbdflags |= NBD_FLAG_READ_ONLY;
    } else {
        exp->nbdflags |= NBD_FLAG_SEND_TRIM | NBD_FLAG_SEND_WRITE_ZEROES |
                         NBD_FLAG_SEND_FAST_ZERO;
    }
    if (opts->multi_conn) {
        exp->nbdflags |= NBD_FLAG_CAN_MULTI_CONN;
    }

    if (!nbd_export_add_bitmaps(exp, opts, errp)) {
        nbd_export_free(exp);
        return NULL;
    }
    QTAILQ_INSERT_TAIL(&exports, exp, next);
    return exp;
}

void nbd_export_remove(NBDExport *exp)
{
    NBDClient *client;

    if (exp->removed) {
        return;
    }
    exp->removed = true;
    QTAILQ_FOREACH(client, &exp->clients, next) {
        client->closing = true;
        qio_channel_shutdown(client->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    }
    nbd_export_unref(exp);
}

void nbd_export_remove_all(void)
{
    NBDExport *exp, *tmp;
    NBDClient *client;

    QTAILQ_FOREACH_SAFE(exp, &exports, next, tmp) {
        nbd_export_remove(exp);
    }
    /* Clients still negotiating have no export to be removed from. */
    QTAILQ_FOREACH(client, &all_clients, all_next) {
        client->closing = true;
        qio_channel_shutdown(client->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    }
}

/* ---- option helpers --------------------------------------------------- */

const char *nbd_server_opt_name(uint32_t opt)
{
    return trace_nbd_opt_name(opt);
}

/* Read and throw away @len bytes of the stream. */
static int coroutine_fn nbd_drop(QIOChannel *ioc, uint64_t len, Error **errp)
{
    g_autofree char *buf = g_malloc(MIN(len, 64 * KiB));

    while (len > 0) {
        size_t n = MIN(len, 64 * KiB);
        if (qio_channel_read_all(ioc, buf, n, errp) < 0) {
            return -1;
        }
        len -= n;
    }
    return 0;
}

int coroutine_fn nbd_opt_skip(NBDClient *client, Error **errp)
{
    uint32_t len = client->optlen;

    client->optlen = 0;
    return nbd_drop(client->ioc, len, errp);
}

int coroutine_fn nbd_opt_reply(NBDClient *client, uint32_t type,
                               const void *payload, uint32_t len,
                               Error **errp)
{
    NBDOptionReply rep;
    struct iovec iov[2] = {
        { .iov_base = &rep, .iov_len = sizeof(rep) },
        { .iov_base = (void *)payload, .iov_len = len },
    };

    stq_be_p(&rep.magic, NBD_REP_MAGIC);
    stl_be_p(&rep.option, client->opt);
    stl_be_p(&rep.type, type);
    trace_nbd_negotiate_send_rep_len(client->opt,
                                     trace_nbd_opt_name(client->opt), type,
                                     trace_nbd_rep_name(type), len);
    stl_be_p(&rep.length, len);
    return qio_channel_writev_all(client->ioc, iov, len ? 2 : 1, errp);
}

static int coroutine_fn G_GNUC_PRINTF(4, 0)
nbd_opt_verror(NBDClient *client, uint32_t type, Error **errp,
               const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);

    nbd_server_debug("option %s: %s", nbd_server_opt_name(client->opt),
                     msg);
    if (nbd_opt_skip(client, errp) < 0) {
        return -1;
    }
    return nbd_opt_reply(client, type, msg, strlen(msg), errp);
}

int coroutine_fn nbd_opt_error(NBDClient *client, uint32_t type,
                               Error **errp, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = nbd_opt_verror(client, type, errp, fmt, ap);
    va_end(ap);
    return ret;
}

int coroutine_fn nbd_opt_read(NBDClient *client, void *buf, uint32_t size,
                              Error **errp)
{
    if (size > client->optlen) {
        int ret = nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                                "Inconsistent lengths in option %s",
                                nbd_server_opt_name(client->opt));
        return ret < 0 ? -1 : 0;
    }
    client->optlen -= size;
    return qio_channel_read_all(client->ioc, buf, size, errp) < 0 ? -1 : 1;
}

int coroutine_fn nbd_opt_read_string(NBDClient *client, uint32_t max,
                                     char **out, uint32_t *lenp,
                                     Error **errp)
{
    uint32_t len;
    int ret;

    *out = NULL;
    ret = nbd_opt_read(client, &len, sizeof(len), errp);
    if (ret <= 0) {
        return ret;
    }
    len = be32_to_cpu(len);
    if (lenp) {
        /* A name: its length is checked before the option's. */
        *lenp = len;
        if (len > max) {
            return 1;
        }
    }
    if (len > client->optlen) {
        ret = nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                            "Inconsistent lengths in option %s",
                            nbd_server_opt_name(client->opt));
        return ret < 0 ? -1 : 0;
    }
    if (len > max) {
        client->optlen -= len;
        return nbd_drop(client->ioc, len, errp) < 0 ? -1 : 1;
    }
    *out = g_malloc(len + 1);
    ret = nbd_opt_read(client, *out, len, errp);
    if (ret <= 0) {
        g_free(*out);
        *out = NULL;
        return ret;
    }
    (*out)[len] = '\0';
    return 1;
}

int coroutine_fn nbd_opt_unknown_export(NBDClient *client, const char *name,
                                        Error **errp)
{
    if (strlen(name) > 80) {
        return nbd_opt_error(client, NBD_REP_ERR_UNKNOWN, errp,
                             "export '%.80s...' not present", name);
    }
    return nbd_opt_error(client, NBD_REP_ERR_UNKNOWN, errp,
                         "export '%s' not present", name);
}

/* An option that takes no payload got some: refuse it. */
static int coroutine_fn nbd_opt_reject_length(NBDClient *client,
                                              Error **errp)
{
    return nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                         "option '%s' has unexpected length",
                         nbd_server_opt_name(client->opt));
}

/* ---- the options ------------------------------------------------------ */

static int coroutine_fn nbd_negotiate_list(NBDClient *client, Error **errp)
{
    NBDExport *exp;

    if (client->optlen) {
        return nbd_opt_reject_length(client, errp);
    }
    QTAILQ_FOREACH(exp, &exports, next) {
        size_t nlen = strlen(exp->name), dlen = strlen(exp->description);
        g_autofree char *buf = g_malloc(4 + nlen + dlen);

        if (exp->removed) {
            continue;
        }
        stl_be_p(buf, nlen);
        memcpy(buf + 4, exp->name, nlen);
        memcpy(buf + 4 + nlen, exp->description, dlen);
        if (nbd_opt_reply(client, NBD_REP_SERVER, buf, 4 + nlen + dlen,
                          errp) < 0) {
            return -1;
        }
    }
    return nbd_opt_reply(client, NBD_REP_ACK, NULL, 0, errp);
}

/* Transmission flags @client sees for @exp. */
static uint16_t nbd_client_flags(NBDClient *client, NBDExport *exp)
{
    return exp->nbdflags |
           (client->structured_reply ? NBD_FLAG_SEND_DF : 0);
}

/* Send the NBD_REP_INFO replies of NBD_OPT_INFO / NBD_OPT_GO. */
static int coroutine_fn nbd_send_infos(NBDClient *client, NBDExport *exp,
                                       bool want_name, bool want_blocksize,
                                       Error **errp)
{
    uint32_t align = blk_get_request_alignment(exp->blk);
    uint32_t max = MIN(blk_get_max_transfer(exp->blk), NBD_MAX_BUFFER_SIZE);
    uint32_t min = (client->opt == NBD_OPT_INFO || want_blocksize) ?
                   align : 1;
    char buf[2 + NBD_MAX_STRING_SIZE];
    size_t len;

    if (want_name) {
        len = strlen(exp->name);
        trace_nbd_negotiate_send_info(NBD_INFO_NAME, "name", len);
        stw_be_p(buf, NBD_INFO_NAME);
        memcpy(buf + 2, exp->name, len);
        if (nbd_opt_reply(client, NBD_REP_INFO, buf, 2 + len, errp) < 0) {
            return -1;
        }
    }
    if (exp->description[0]) {
        len = strlen(exp->description);
        trace_nbd_negotiate_send_info(NBD_INFO_DESCRIPTION, "description",
                                      len);
        stw_be_p(buf, NBD_INFO_DESCRIPTION);
        memcpy(buf + 2, exp->description, len);
        if (nbd_opt_reply(client, NBD_REP_INFO, buf, 2 + len, errp) < 0) {
            return -1;
        }
    }
    trace_nbd_negotiate_handle_info_block_size(min, MAX(4096, min), max);
    trace_nbd_negotiate_send_info(NBD_INFO_BLOCK_SIZE, "block size", 12);
    stw_be_p(buf, NBD_INFO_BLOCK_SIZE);
    stl_be_p(buf + 2, min);
    stl_be_p(buf + 6, MAX(4096, min));
    stl_be_p(buf + 10, max);
    if (nbd_opt_reply(client, NBD_REP_INFO, buf, 14, errp) < 0) {
        return -1;
    }
    trace_nbd_negotiate_new_style_size_flags(exp->size,
                                             nbd_client_flags(client, exp));
    trace_nbd_negotiate_send_info(NBD_INFO_EXPORT, "export", 10);
    stw_be_p(buf, NBD_INFO_EXPORT);
    stq_be_p(buf + 2, exp->size);
    stw_be_p(buf + 10, nbd_client_flags(client, exp));
    return nbd_opt_reply(client, NBD_REP_INFO, buf, 12, errp);
}

/* Attach @client to @exp for the transmission phase. */
static void nbd_client_attach(NBDClient *client, NBDExport *exp)
{
    client->exp = exp;
    exp->refcnt++;
    QTAILQ_INSERT_TAIL(&exp->clients, client, next);
    if (client->meta.exp != exp) {
        nbd_meta_clear(&client->meta);
    }
}

/*
 * NBD_OPT_INFO and NBD_OPT_GO.  Returns 1 when GO succeeded
 * (transmission starts), 0 to go on negotiating, -1 to drop.
 */
static int coroutine_fn nbd_negotiate_info(NBDClient *client, Error **errp)
{
    g_autofree char *name = NULL;
    bool want_name = false, want_blocksize = false;
    uint32_t namelen;
    uint16_t nreq;
    NBDExport *exp;
    int ret;

    ret = nbd_opt_read_string(client, NBD_MAX_STRING_SIZE, &name, &namelen,
                              errp);
    if (ret <= 0) {
        return ret;
    }
    if (!name) {
        return nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                             "Invalid name length: %" PRIu32, namelen);
    }
    trace_nbd_negotiate_handle_export_name_request(name);
    ret = nbd_opt_read(client, &nreq, sizeof(nreq), errp);
    if (ret <= 0) {
        return ret;
    }
    nreq = be16_to_cpu(nreq);
    trace_nbd_negotiate_handle_info_requests(nreq);
    if (client->optlen != nreq * 2u) {
        return nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                             "Inconsistent lengths in option %s",
                             nbd_server_opt_name(client->opt));
    }
    for (unsigned i = 0; i < nreq; i++) {
        uint16_t info;
        ret = nbd_opt_read(client, &info, sizeof(info), errp);
        if (ret <= 0) {
            return ret;
        }
        info = be16_to_cpu(info);
        trace_nbd_negotiate_handle_info_request(info, trace_nbd_info_name(info));
        want_name |= info == NBD_INFO_NAME;
        want_blocksize |= info == NBD_INFO_BLOCK_SIZE;
    }

    exp = nbd_export_find(name);
    if (!exp) {
        return nbd_opt_unknown_export(client, name, errp);
    }
    if (nbd_send_infos(client, exp, want_name, want_blocksize, errp) < 0) {
        return -1;
    }
    if (client->opt == NBD_OPT_GO && !want_blocksize &&
        blk_get_request_alignment(exp->blk) > 1) {
        return nbd_opt_error(client, NBD_REP_ERR_BLOCK_SIZE_REQD, errp,
                             "request NBD_INFO_BLOCK_SIZE to use this "
                             "export");
    }
    if (nbd_opt_reply(client, NBD_REP_ACK, NULL, 0, errp) < 0) {
        return -1;
    }
    if (client->opt == NBD_OPT_INFO) {
        return 0;
    }
    client->check_align = want_blocksize ?
                          blk_get_request_alignment(exp->blk) : 0;
    nbd_client_attach(client, exp);
    return 1;
}

/* NBD_OPT_EXPORT_NAME: 1 when transmission starts, -1 to drop. */
static int coroutine_fn nbd_negotiate_export_name(NBDClient *client,
                                                  Error **errp)
{
    g_autofree char *name = NULL;
    uint8_t buf[10 + 124] = { 0 };
    NBDExport *exp;

    if (client->optlen > NBD_MAX_STRING_SIZE) {
        error_setg(errp, "Bad length received");
        return -1;
    }
    name = g_malloc(client->optlen + 1);
    name[client->optlen] = '\0';
    if (qio_channel_read_all(client->ioc, name, client->optlen, errp) < 0) {
        return -1;
    }
    client->optlen = 0;
    exp = nbd_export_find(name);
    if (!exp) {
        error_setg(errp, "export not found");
        return -1;
    }
    stq_be_p(buf, exp->size);
    stw_be_p(buf + 8, nbd_client_flags(client, exp));
    if (qio_channel_write_all(client->ioc, buf,
                              client->no_zeroes ? 10 : sizeof(buf),
                              errp) < 0) {
        return -1;
    }
    client->check_align = 0;
    nbd_client_attach(client, exp);
    return 1;
}

static int coroutine_fn nbd_negotiate_structured_reply(NBDClient *client,
                                                       Error **errp)
{
    if (client->optlen) {
        return nbd_opt_reject_length(client, errp);
    }
    if (client->structured_reply) {
        return nbd_opt_error(client, NBD_REP_ERR_INVALID, errp,
                             "structured reply already negotiated");
    }
    client->structured_reply = true;
    return nbd_opt_reply(client, NBD_REP_ACK, NULL, 0, errp);
}

/* One option (header already read).  1: transmission, 0: more, -1: drop. */
static int coroutine_fn nbd_negotiate_option(NBDClient *client, Error **errp)
{
    int ret;

    trace_nbd_negotiate_options_check_option(client->opt,
                                             nbd_server_opt_name(client->opt));
    if (!client->fixed && client->opt != NBD_OPT_EXPORT_NAME) {
        error_setg(errp, "Unsupported option %" PRIu32 " (%s)",
                   client->opt, nbd_server_opt_name(client->opt));
        return -1;
    }
    switch (client->opt) {
    case NBD_OPT_EXPORT_NAME:
        return nbd_negotiate_export_name(client, errp);
    case NBD_OPT_ABORT:
        nbd_opt_skip(client, NULL);
        nbd_opt_reply(client, NBD_REP_ACK, NULL, 0, NULL);
        error_setg(errp, "Client sent NBD_OPT_ABORT");
        return -1;
    case NBD_OPT_LIST:
        return nbd_negotiate_list(client, errp);
    case NBD_OPT_STARTTLS:
        if (client->optlen) {
            return nbd_opt_reject_length(client, errp);
        }
        return nbd_opt_error(client, NBD_REP_ERR_POLICY, errp,
                             "TLS not configured");
    case NBD_OPT_INFO:
    case NBD_OPT_GO:
        return nbd_negotiate_info(client, errp);
    case NBD_OPT_STRUCTURED_REPLY:
        return nbd_negotiate_structured_reply(client, errp);
    case NBD_OPT_LIST_META_CONTEXT:
    case NBD_OPT_SET_META_CONTEXT:
        ret = nbd_negotiate_meta_context(client, errp);
        return ret < 0 ? -1 : 0;
    default:
        return nbd_opt_error(client, NBD_REP_ERR_UNSUP, errp,
                             "Unsupported option %" PRIu32 " (%s)",
                             client->opt, nbd_server_opt_name(client->opt));
    }
}

/* The whole handshake: 0 when transmission starts, -1 to drop. */
static int coroutine_fn nbd_negotiate(NBDClient *client, Error **errp)
{
    uint8_t greeting[18];
    uint32_t cflags;
    NBDOption opt;
    int ret;

    trace_nbd_negotiate_begin();
    stq_be_p(greeting, NBD_INIT_MAGIC);
    stq_be_p(greeting + 8, NBD_OPTS_MAGIC);
    stw_be_p(greeting + 16, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
    if (qio_channel_write_all(client->ioc, greeting, sizeof(greeting),
                              errp) < 0 ||
        qio_channel_read_all(client->ioc, &cflags, sizeof(cflags),
                             errp) < 0) {
        return -1;
    }
    cflags = be32_to_cpu(cflags);
    if (cflags & ~(NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES)) {
        error_setg(errp, "Unknown client flags 0x%" PRIx32 " received",
                   cflags);
        return -1;
    }
    client->fixed = cflags & NBD_FLAG_C_FIXED_NEWSTYLE;
    trace_nbd_negotiate_options_flags(cflags);
    client->no_zeroes = cflags & NBD_FLAG_C_NO_ZEROES;

    for (;;) {
        if (qio_channel_read_all(client->ioc, &opt, sizeof(opt),
                                 errp) < 0) {
            return -1;
        }
        trace_nbd_negotiate_options_check_magic(be64_to_cpu(opt.magic));
        if (be64_to_cpu(opt.magic) != NBD_OPTS_MAGIC) {
            error_setg(errp, "Bad magic received");
            return -1;
        }
        client->opt = be32_to_cpu(opt.option);
        client->optlen = be32_to_cpu(opt.length);
        if (client->optlen > NBD_MAX_BUFFER_SIZE) {
            error_setg(errp, "len (%" PRIu32 ") is larger than max len (%u)",
                       client->optlen, (unsigned)NBD_MAX_BUFFER_SIZE);
            return -1;
        }
        ret = nbd_negotiate_option(client, errp);
        if (ret) {
            return ret < 0 ? -1 : 0;
        }
    }
}

/* ---- client life cycle ------------------------------------------------ */

static void coroutine_fn nbd_co_client_start(void *opaque)
{
    NBDClient *client = opaque;
    Error *local_err = NULL;

    if (nbd_negotiate(client, &local_err) == 0) {
        trace_nbd_negotiate_success();
        client->negotiated = true;
        nbd_co_client_transmission(client);
    } else if (local_err) {
        nbd_server_debug("Failed to negotiate: %s",
                         error_get_pretty(local_err));
    }
    error_free(local_err);

    if (client->exp) {
        QTAILQ_REMOVE(&client->exp->clients, client, next);
        nbd_export_unref(client->exp);
    }
    nbd_meta_clear(&client->meta);
    qio_channel_shutdown(client->ioc, QIO_CHANNEL_SHUTDOWN_BOTH, NULL);
    qio_channel_unref(client->ioc);
    QTAILQ_REMOVE(&all_clients, client, all_next);
    nr_clients--;
    if (client->close_fn) {
        client->close_fn(client->opaque, client->negotiated);
    }
    g_free(client);
}

void nbd_client_new(QIOChannel *ioc, NBDClientCloseFn *close_fn,
                    void *opaque)
{
    NBDClient *client = g_new0(NBDClient, 1);
    Coroutine *co;

    client->ioc = ioc;
    qio_channel_ref(ioc);
    client->close_fn = close_fn;
    client->opaque = opaque;
    qemu_co_mutex_init(&client->send_lock);
    QTAILQ_INSERT_TAIL(&all_clients, client, all_next);
    nr_clients++;
    co = qemu_coroutine_create(nbd_co_client_start, client);
    aio_co_enter(qemu_get_aio_context(), co);
}
