/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket addresses in QEMU's command-line syntax, and blocking
 * connect/listen/accept on them (UNIX and TCP; fd: takes a descriptor
 * the caller inherited).
 */

#include "qemu/osdep.h"
#include <sys/socket.h>
#include <sys/un.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/sockets.h"

SocketAddress *socket_address_new_unix(const char *path)
{
    SocketAddress *addr = g_new0(SocketAddress, 1);

    addr->type = SOCKET_ADDRESS_TYPE_UNIX;
    addr->path = g_strdup(path);
    return addr;
}

SocketAddress *socket_address_new_inet(const char *host, const char *port)
{
    SocketAddress *addr = g_new0(SocketAddress, 1);

    addr->type = SOCKET_ADDRESS_TYPE_INET;
    addr->host = g_strdup(host);
    addr->port = g_strdup(port);
    return addr;
}

SocketAddress *socket_address_dup(const SocketAddress *addr)
{
    SocketAddress *copy = g_new0(SocketAddress, 1);

    copy->type = addr->type;
    copy->host = g_strdup(addr->host);
    copy->port = g_strdup(addr->port);
    copy->path = g_strdup(addr->path);
    copy->str = g_strdup(addr->str);
    return copy;
}

void qapi_free_SocketAddress(SocketAddress *addr)
{
    if (addr) {
        g_free(addr->host);
        g_free(addr->port);
        g_free(addr->path);
        g_free(addr->str);
        g_free(addr);
    }
}

/* "HOST:PORT" or "[V6]:PORT"; the port is mandatory. */
static SocketAddress *socket_parse_inet(const char *str, Error **errp)
{
    g_autofree char *host = NULL;
    const char *port;

    if (str[0] == '[') {
        const char *end = strchr(str, ']');

        if (!end || end[1] != ':') {
            error_setg(errp, "error parsing IPv6 address '%s'", str);
            return NULL;
        }
        host = g_strndup(str + 1, end - str - 1);
        port = end + 2;
    } else {
        const char *colon = strrchr(str, ':');

        if (!colon) {
            error_setg(errp, "error parsing address '%s'", str);
            return NULL;
        }
        host = g_strndup(str, colon - str);
        port = colon + 1;
    }
    if (!*port) {
        error_setg(errp, "error parsing address '%s'", str);
        return NULL;
    }
    return socket_address_new_inet(host, port);
}

SocketAddress *socket_parse(const char *str, Error **errp)
{
    const char *rest;

    if (strstart(str, "unix:", &rest)) {
        if (!*rest) {
            error_setg(errp, "invalid Unix socket address");
            return NULL;
        }
        return socket_address_new_unix(rest);
    }
    if (strstart(str, "fd:", &rest)) {
        SocketAddress *addr;

        if (!*rest) {
            error_setg(errp, "invalid file descriptor address");
            return NULL;
        }
        addr = g_new0(SocketAddress, 1);
        addr->type = SOCKET_ADDRESS_TYPE_FD;
        addr->str = g_strdup(rest);
        return addr;
    }
    return socket_parse_inet(str, errp);
}

char *socket_address_to_string(const SocketAddress *addr)
{
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_UNIX:
        return g_strdup_printf("unix:%s", addr->path);
    case SOCKET_ADDRESS_TYPE_FD:
        return g_strdup_printf("fd:%s", addr->str);
    case SOCKET_ADDRESS_TYPE_INET:
    default:
        if (strchr(addr->host, ':')) {
            return g_strdup_printf("[%s]:%s", addr->host, addr->port);
        }
        return g_strdup_printf("%s:%s", addr->host, addr->port);
    }
}

/* Fill @sun from @path; false with @errp set when it does not fit. */
static bool unix_sockaddr(const char *path, struct sockaddr_un *sun,
                          Error **errp)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        error_append_hint(errp, "Path must be less than %zu bytes\n",
                          sizeof(sun->sun_path));
        return false;
    }
    strcpy(sun->sun_path, path);
    return true;
}

static int new_socket(int domain, int type, Error **errp)
{
    int fd = socket(domain, type | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
    }
    return fd;
}

/* The numeric descriptor of an fd: address, checked to be a socket. */
static int socket_get_fd(const char *str, Error **errp)
{
    int64_t fd;
    int type;
    socklen_t len = sizeof(type);

    if (qemu_strtoi64(str, NULL, 10, &fd) < 0 || fd < 0 || fd > INT_MAX) {
        error_setg(errp, "Invalid file descriptor number '%s'", str);
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        error_setg_errno(errp, errno, "Failed to use file descriptor %s",
                         str);
        return -1;
    }
    return fd;
}

static int unix_connect(const char *path, Error **errp)
{
    struct sockaddr_un sun;
    int fd, ret;

    if (!unix_sockaddr(path, &sun, errp)) {
        return -1;
    }
    fd = new_socket(AF_UNIX, SOCK_STREAM, errp);
    if (fd < 0) {
        return -1;
    }
    do {
        ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
    } while (ret < 0 && errno == EINTR);
    if (ret < 0) {
        error_setg_errno(errp, errno, "Failed to connect to '%s'", path);
        close(fd);
        return -1;
    }
    return fd;
}

static struct addrinfo *inet_resolve(const SocketAddress *addr, bool passive,
                                     Error **errp)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_ADDRCONFIG | (passive ? AI_PASSIVE : 0),
    };
    struct addrinfo *res = NULL;
    const char *host = addr->host && *addr->host ? addr->host : NULL;
    int rc = getaddrinfo(host, addr->port, &hints, &res);

    if (rc != 0) {
        error_setg(errp, "address resolution failed for %s:%s: %s",
                   addr->host ? addr->host : "", addr->port,
                   gai_strerror(rc));
        return NULL;
    }
    return res;
}

/*
 * Try each address @addr resolves to: a new socket, then @use on it
 * (connect, or bind + listen) until one succeeds.  Returns that socket,
 * or -1 with *@err the last errno (@err untouched if nothing resolved).
 */
static int inet_try_each(const SocketAddress *addr, bool passive,
                         int (*use)(int fd, const struct addrinfo *ai),
                         int *err, Error **errp)
{
    struct addrinfo *res = inet_resolve(addr, passive, errp);
    int fd = -1;

    if (!res) {
        return -1;
    }
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd >= 0 && use(fd, ai) == 0) {
            break;
        }
        *err = errno;
        if (fd >= 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

static int inet_use_connect(int fd, const struct addrinfo *ai)
{
    return connect(fd, ai->ai_addr, ai->ai_addrlen);
}

static int inet_use_listen(int fd, const struct addrinfo *ai)
{
    int one = 1;

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        return -1;
    }
    return listen(fd, SOMAXCONN);
}

static int inet_connect(const SocketAddress *addr, Error **errp)
{
    Error *local_err = NULL;
    int err = ECONNREFUSED, one = 1;
    int fd = inet_try_each(addr, false, inet_use_connect, &err, &local_err);

    if (local_err) {
        error_propagate(errp, local_err);
        return -1;
    }
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to connect to '%s:%s'",
                         addr->host, addr->port);
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

int socket_connect(const SocketAddress *addr, Error **errp)
{
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_UNIX:
        return unix_connect(addr->path, errp);
    case SOCKET_ADDRESS_TYPE_FD:
        return socket_get_fd(addr->str, errp);
    case SOCKET_ADDRESS_TYPE_INET:
    default:
        return inet_connect(addr, errp);
    }
}

static int unix_listen(const char *path, int num, Error **errp)
{
    struct sockaddr_un sun;
    int fd;

    if (!unix_sockaddr(path, &sun, errp)) {
        return -1;
    }
    fd = new_socket(AF_UNIX, SOCK_STREAM, errp);
    if (fd < 0) {
        return -1;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        error_setg_errno(errp, errno, "Failed to unlink socket %s", path);
        goto fail;
    }
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        error_setg_errno(errp, errno, "Failed to bind socket to %s", path);
        goto fail;
    }
    if (listen(fd, num) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket");
        goto fail;
    }
    return fd;

fail:
    close(fd);
    return -1;
}

static int inet_listen(const SocketAddress *addr, int num, Error **errp)
{
    Error *local_err = NULL;
    int err = EADDRINUSE;
    int fd = inet_try_each(addr, true, inet_use_listen, &err, &local_err);

    if (local_err) {
        error_propagate(errp, local_err);
        return -1;
    }
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to bind socket");
        return -1;
    }
    /* The backlog the caller asked for (listen() may be called again). */
    if (listen(fd, num) < 0) {
        error_setg_errno(errp, errno, "Failed to listen on socket");
        close(fd);
        return -1;
    }
    return fd;
}

int socket_listen(const SocketAddress *addr, int num, Error **errp)
{
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_UNIX:
        return unix_listen(addr->path, num, errp);
    case SOCKET_ADDRESS_TYPE_FD: {
        int fd = socket_get_fd(addr->str, errp);

        if (fd >= 0 && listen(fd, num) < 0) {
            error_setg_errno(errp, errno, "Failed to listen on socket");
            return -1;
        }
        return fd;
    }
    case SOCKET_ADDRESS_TYPE_INET:
    default:
        return inet_listen(addr, num, errp);
    }
}

int qemu_accept(int listen_fd)
{
    int fd;

    do {
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

static int socket_set_flag(int fd, bool nonblock)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0) {
        return -errno;
    }
    flags = nonblock ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    return fcntl(fd, F_SETFL, flags) < 0 ? -errno : 0;
}

int qemu_socket_set_nonblock(int fd)
{
    return socket_set_flag(fd, true);
}

int qemu_socket_set_block(int fd)
{
    return socket_set_flag(fd, false);
}
