/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/nbd-opts.c: how an nbd node is named and configured: the URL
 * syntaxes (nbd://host[:port]/export, nbd+tcp://..., nbd+unix:///export
 * ?socket=PATH), the legacy nbd:unix:PATH[:exportname=NAME] and
 * nbd:HOST:PORT[:exportname=NAME] forms, the runtime options (server.*,
 * the legacy host/port/path, export, x-dirty-bitmap, open-timeout,
 * reconnect-delay, tls-*) and the filename QEMU 7.2 shows for a node.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/option.h"
#include "block/qdict.h"
#include "block/nbd-int.h"

#define NBD_EXPORTNAME_OPT ":exportname="

static QemuOptsList nbd_runtime_opts = {
    .name = "nbd",
    .head = QTAILQ_HEAD_INITIALIZER(nbd_runtime_opts.head),
    .desc = {
        { .name = "export", .type = QEMU_OPT_STRING,
          .help = "Name of the NBD export to open" },
        { .name = "tls-creds", .type = QEMU_OPT_STRING,
          .help = "ID of the TLS credentials to use" },
        { .name = "tls-hostname", .type = QEMU_OPT_STRING,
          .help = "Override hostname for validating TLS x509 certificate" },
        { .name = "x-dirty-bitmap", .type = QEMU_OPT_STRING,
          .help = "experimental: expose named dirty bitmap in place of "
                  "block status" },
        { .name = "reconnect-delay", .type = QEMU_OPT_NUMBER,
          .help = "On an unexpected disconnect, the nbd client tries to "
                  "connect again until succeeding or encountering a serious "
                  "error" },
        { .name = "open-timeout", .type = QEMU_OPT_NUMBER,
          .help = "In seconds.  If zero, the nbd driver tries the "
                  "connection only once." },
        { /* end of list */ }
    },
};

const char *const nbd_strong_runtime_opts[] = {
    "path", "host", "port", "export", "tls-creds",
    "server.type", "server.host", "server.port", "server.path",
    NULL
};

/* ---- filenames ------------------------------------------------------ */

/* %-decode; NULL if the escapes are malformed. */
static char *nbd_unescape(const char *s, size_t len)
{
    g_autofree char *piece = g_strndup(s, len);

    return g_uri_unescape_string(piece, NULL);
}

/* Split "[v6]:port" / "host:port" / "host" of a URL authority. */
static bool nbd_parse_authority(const char *auth, size_t len,
                                char **host, char **port)
{
    const char *end = auth + len, *colon;

    if (len && auth[0] == '[') {
        const char *close = memchr(auth, ']', len);

        if (!close) {
            return false;
        }
        *host = g_strndup(auth + 1, close - auth - 1);
        colon = close + 1 < end ? close + 1 : NULL;
        if (colon && *colon != ':') {
            return false;
        }
    } else {
        colon = memchr(auth, ':', len);
        *host = g_strndup(auth, colon ? colon - auth : len);
    }
    if (colon) {
        *port = g_strndup(colon + 1, end - colon - 1);
        if (!(*port)[0]) {
            g_clear_pointer(port, g_free);
        }
    }
    return true;
}

/* The URL forms; false if @filename is not a valid one. */
static bool nbd_parse_uri(const char *filename, QDict *options)
{
    const char *p = strstr(filename, "://"), *auth, *path, *query;
    g_autofree char *host = NULL, *port = NULL, *export = NULL;
    g_autofree char *sock = NULL;
    size_t auth_len, path_len;
    bool is_unix;

    if (!strncmp(filename, "nbd+unix://", 11)) {
        is_unix = true;
    } else if (!strncmp(filename, "nbd://", 6) ||
               !strncmp(filename, "nbd+tcp://", 10)) {
        is_unix = false;
    } else {
        return false;
    }
    for (const char *c = filename; *c; c++) {
        /* characters a URI may not contain unescaped */
        if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f ||
            strchr("<>\"{}|\\^`", *c)) {
            return false;
        }
    }
    auth = p + 3;
    auth_len = strcspn(auth, "/?#");
    path = auth + auth_len;
    path_len = *path == '/' ? strcspn(path, "?#") : 0;
    query = path + path_len;
    if (*query == '#') {
        return false;
    }
    query = *query == '?' ? query + 1 : NULL;
    if (path_len > 1) {
        export = nbd_unescape(path + 1, path_len - 1);
        if (!export) {
            return false;
        }
    }
    if (is_unix) {
        /* nbd+unix:///export?socket=PATH: no host, one parameter */
        if (auth_len || !query || strncmp(query, "socket=", 7) ||
            strpbrk(query, "&;#")) {
            return false;
        }
        sock = g_uri_unescape_string(query + 7, NULL);
        if (!sock) {
            return false;
        }
        qdict_put_str(options, "server.type", "unix");
        qdict_put_str(options, "server.path", sock);
    } else {
        /* nbd[+tcp]://host[:port]/export: no parameters */
        if (!auth_len || query ||
            !nbd_parse_authority(auth, auth_len, &host, &port) || !host[0]) {
            return false;
        }
        qdict_put_str(options, "server.type", "inet");
        qdict_put_str(options, "server.host", host);
        qdict_put_str(options, "server.port", port ?: "10809");
    }
    if (export) {
        qdict_put_str(options, "export", export);
    }
    return true;
}

/* nbd:unix:PATH[:exportname=NAME] and nbd:HOST:PORT[:exportname=NAME] */
static void nbd_parse_legacy(const char *filename, QDict *options,
                             Error **errp)
{
    g_autofree char *file = g_strdup(filename);
    g_autoptr(SocketAddress) addr = NULL;
    char *export = strstr(file, NBD_EXPORTNAME_OPT);
    const char *spec;

    if (export) {
        if (!export[strlen(NBD_EXPORTNAME_OPT)]) {
            return;
        }
        *export = '\0';
        export += strlen(NBD_EXPORTNAME_OPT);
    }
    if (!strstart(file, "nbd:", &spec)) {
        error_setg(errp, "File name string must start with 'nbd:'");
        return;
    }
    if (!*spec) {
        return;
    }
    if (export) {
        qdict_put_str(options, "export", export);
    }
    if (strstart(spec, "unix:", &spec)) {
        qdict_put_str(options, "server.type", "unix");
        qdict_put_str(options, "server.path", spec);
        return;
    }
    addr = socket_parse(spec, errp);
    if (!addr) {
        return;
    }
    if (addr->type != SOCKET_ADDRESS_TYPE_INET) {
        error_setg(errp, "error parsing address '%s'", spec);
        return;
    }
    qdict_put_str(options, "server.type", "inet");
    qdict_put_str(options, "server.host", addr->host);
    qdict_put_str(options, "server.port", addr->port);
}

void nbd_parse_filename(const char *filename, QDict *options, Error **errp)
{
    if (qdict_haskey(options, "host") || qdict_haskey(options, "port") ||
        qdict_haskey(options, "path")) {
        error_setg(errp, "host/port/path and a file name may not be "
                   "specified at the same time");
        return;
    }
    if (strstr(filename, "://")) {
        if (!nbd_parse_uri(filename, options)) {
            error_setg(errp, "No valid URL specified");
        }
        return;
    }
    nbd_parse_legacy(filename, options, errp);
}

/* ---- runtime options ------------------------------------------------ */

/* The legacy host/port/path options become server.*. */
static int nbd_legacy_address(QDict *options, Error **errp)
{
    const char *host = qdict_get_try_str(options, "host");
    const char *port = qdict_get_try_str(options, "port");
    const char *path = qdict_get_try_str(options, "path");
    g_autofree char *h = g_strdup(host), *p = g_strdup(port);
    g_autofree char *u = g_strdup(path);

    if (!host && !port && !path) {
        return 0;
    }
    for (const QDictEntry *e = qdict_first(options); e;
         e = qdict_next(options, e)) {
        if (g_str_has_prefix(qdict_entry_key(e), "server.")) {
            error_setg(errp, "Cannot use 'server' and path/host/port at the "
                       "same time");
            return -EINVAL;
        }
    }
    if (path && host) {
        error_setg(errp, "path and host may not be used at the same time");
        return -EINVAL;
    }
    if (path && port) {
        error_setg(errp, "port may not be used without host");
        return -EINVAL;
    }
    qdict_del(options, "host");
    qdict_del(options, "port");
    qdict_del(options, "path");
    if (u) {
        qdict_put_str(options, "server.type", "unix");
        qdict_put_str(options, "server.path", u);
    } else {
        qdict_put_str(options, "server.type", "inet");
        qdict_put_str(options, "server.host", h ?: "");
        qdict_put_str(options, "server.port", p ?: "10809");
    }
    return 0;
}

static const char *nbd_addr_get(QDict *addr, const char *key, Error **errp)
{
    const char *v = qdict_get_try_str(addr, key);

    if (!v) {
        error_setg(errp, "Parameter '%s' is missing", key);
    }
    return v;
}

/* server.* (already pulled out into @addr) to a SocketAddress. */
static SocketAddress *nbd_config_address(QDict *addr, Error **errp)
{
    const char *type, *a, *b;
    SocketAddress *sa = NULL;

    if (!qdict_size(addr)) {
        error_setg(errp, "NBD server address missing");
        return NULL;
    }
    type = nbd_addr_get(addr, "type", errp);
    if (!type) {
        return NULL;
    }
    if (!strcmp(type, "inet")) {
        a = nbd_addr_get(addr, "host", errp);
        b = a ? nbd_addr_get(addr, "port", errp) : NULL;
        if (b) {
            sa = socket_address_new_inet(a, b);
            qdict_del(addr, "host");
            qdict_del(addr, "port");
        }
    } else if (!strcmp(type, "unix")) {
        a = nbd_addr_get(addr, "path", errp);
        if (a) {
            sa = socket_address_new_unix(a);
            qdict_del(addr, "path");
        }
    } else if (!strcmp(type, "fd")) {
        a = nbd_addr_get(addr, "str", errp);
        if (a) {
            sa = g_new0(SocketAddress, 1);
            sa->type = SOCKET_ADDRESS_TYPE_FD;
            sa->str = g_strdup(a);
            qdict_del(addr, "str");
        }
    } else {
        error_setg(errp, "Parameter 'server.type' does not accept value '%s'",
                   type);
        return NULL;
    }
    if (!sa) {
        return NULL;
    }
    qdict_del(addr, "type");
    if (qdict_size(addr)) {
        error_setg(errp, "Parameter 'server.%s' is unexpected",
                   qdict_entry_key(qdict_first(addr)));
        qapi_free_SocketAddress(sa);
        return NULL;
    }
    return sa;
}

int nbd_process_options(BDRVNBDState *s, QDict *options, Error **errp)
{
    g_autoptr(QDict) addr = NULL;
    QemuOpts *opts;
    int ret = -EINVAL;

    if (nbd_legacy_address(options, errp) < 0) {
        return -EINVAL;
    }
    qdict_extract_subqdict(options, &addr, "server.");
    s->saddr = nbd_config_address(addr, errp);
    if (!s->saddr) {
        return -EINVAL;
    }
    opts = qemu_opts_create(&nbd_runtime_opts, NULL, 0, &error_abort);
    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        goto out;
    }
    if (qemu_opt_get(opts, "tls-creds") || qemu_opt_get(opts, "tls-hostname")) {
        error_setg(errp, "TLS is not supported by this NBD client "
                   "(tls-creds / tls-hostname)");
        goto out;
    }
    /* any value is accepted; past ~136 years it makes no difference */
    s->reconnect_delay = MIN(qemu_opt_get_number(opts, "reconnect-delay", 0),
                             UINT32_MAX);
    s->open_timeout = qemu_opt_get_number(opts, "open-timeout", 0);
    if (s->open_timeout > 3600) {
        error_setg(errp, "open-timeout may not exceed 3600 seconds");
        goto out;
    }
    s->export = g_strdup(qemu_opt_get(opts, "export"));
    if (s->export && strlen(s->export) > NBD_MAX_STRING_SIZE) {
        error_setg(errp, "export name too long to send to server");
        goto out;
    }
    s->x_dirty_bitmap = g_strdup(qemu_opt_get(opts, "x-dirty-bitmap"));
    if (s->x_dirty_bitmap && !s->x_dirty_bitmap[0]) {
        g_clear_pointer(&s->x_dirty_bitmap, g_free);
    }
    s->alloc_depth = s->x_dirty_bitmap &&
                     !strcmp(s->x_dirty_bitmap, NBD_META_QEMU_DEPTH);
    ret = 0;
out:
    qemu_opts_del(opts);
    return ret;
}

/* ---- filename ------------------------------------------------------- */

void nbd_refresh_filename(BlockDriverState *bs)
{
    BDRVNBDState *s = bs->opaque;
    const SocketAddress *a = s->saddr;
    const char *exp = s->export;

    if (!a) {
        return;
    }
    if (a->type == SOCKET_ADDRESS_TYPE_UNIX) {
        if (exp) {
            snprintf(bs->exact_filename, sizeof(bs->exact_filename),
                     "nbd+unix:///%s?socket=%s", exp, a->path);
        } else {
            snprintf(bs->exact_filename, sizeof(bs->exact_filename),
                     "nbd+unix://?socket=%s", a->path);
        }
    } else if (a->type == SOCKET_ADDRESS_TYPE_INET) {
        bool v6 = strchr(a->host, ':') != NULL;

        snprintf(bs->exact_filename, sizeof(bs->exact_filename),
                 "nbd://%s%s%s:%s%s%s", v6 ? "[" : "", a->host,
                 v6 ? "]" : "", a->port, exp ? "/" : "", exp ?: "");
    }
}
