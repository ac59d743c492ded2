/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockets.h: socket addresses as QEMU's command lines write them
 * ("unix:PATH", "fd:N", "HOST:PORT", "[V6ADDR]:PORT") and blocking
 * connect/listen/accept on them.  Used by qemu-nbd and the NBD client.
 */
#ifndef QEMU_SOCKETS_H
#define QEMU_SOCKETS_H

typedef enum SocketAddressType {
    SOCKET_ADDRESS_TYPE_INET,
    SOCKET_ADDRESS_TYPE_UNIX,
    SOCKET_ADDRESS_TYPE_FD,
} SocketAddressType;

typedef struct SocketAddress {
    SocketAddressType type;
    char *host;                 /* INET: name or address (no brackets) */
    char *port;                 /* INET: number or service name */
    char *path;                 /* UNIX */
    char *str;                  /* FD: a number or a monitor fd name */
} SocketAddress;

/* Parse QEMU's string form; NULL with @errp set when malformed. */
SocketAddress *socket_parse(const char *str, Error **errp);
SocketAddress *socket_address_new_unix(const char *path);
SocketAddress *socket_address_new_inet(const char *host, const char *port);
SocketAddress *socket_address_dup(const SocketAddress *addr);
void qapi_free_SocketAddress(SocketAddress *addr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SocketAddress, qapi_free_SocketAddress)

/* "unix:PATH" / "HOST:PORT" / "fd:N", for messages.  Caller frees. */
char *socket_address_to_string(const SocketAddress *addr);

/*
 * Blocking connect to @addr (every resolved address of an INET name is
 * tried in turn).  Returns a connected, blocking, close-on-exec fd, or
 * -1 with @errp set.
 */
int socket_connect(const SocketAddress *addr, Error **errp);

/*
 * Bind and listen on @addr with a backlog of @num.  A UNIX path left by
 * an earlier run is removed first.  Returns the listening fd or -1.
 */
int socket_listen(const SocketAddress *addr, int num, Error **errp);

/* accept() that retries on EINTR and sets close-on-exec; -1 + errno. */
int qemu_accept(int listen_fd);

/* Put @fd in (non-)blocking mode; 0 or -errno. */
int qemu_socket_set_nonblock(int fd);
int qemu_socket_set_block(int fd);

#endif /* QEMU_SOCKETS_H */
