/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nbd.h: the Network Block Device protocol as it appears on the wire
 * (magics, handshake and transmission flags, option and reply codes,
 * commands, structured reply chunks, metadata contexts, error numbers),
 * shared by the server (nbd/server.c, qemu-nbd) and the client
 * (nbd/client.c, block/nbd.c).  All multi-byte wire fields are
 * big-endian; the packed structs below are the wire layout and are
 * converted field by field with the helpers of "qemu/bswap.h".
 *
 * The server's and the client's own APIs have their sections at the end.
 */
#ifndef BLOCK_NBD_H
#define BLOCK_NBD_H

#include "qemu/units.h"

/* ---- magics ---------------------------------------------------------- */

#define NBD_INIT_MAGIC              0x4e42444d41474943ULL  /* "NBDMAGIC" */
#define NBD_OPTS_MAGIC              0x49484156454f5054ULL  /* "IHAVEOPT" */
#define NBD_CLISERV_MAGIC           0x0000420281861253ULL  /* oldstyle */
#define NBD_REP_MAGIC               0x0003e889045565a9ULL
#define NBD_REQUEST_MAGIC           0x25609513U
#define NBD_SIMPLE_REPLY_MAGIC      0x67446698U
#define NBD_STRUCTURED_REPLY_MAGIC  0x668e33efU

#define NBD_DEFAULT_PORT            10809

/* ---- limits ---------------------------------------------------------- */

/* Largest payload of one request either side accepts (spec: 32 MiB). */
#define NBD_MAX_BUFFER_SIZE         (32 * MiB)
/* Longest string (export name, description, context name) on the wire. */
#define NBD_MAX_STRING_SIZE         4096
/* Longest option payload a server reads before refusing it. */
#define NBD_MAX_OPTION_SIZE         (64 * KiB)
/* Export names are limited to this by QEMU, in bytes. */
#define NBD_MAX_NAME_SIZE           NBD_MAX_STRING_SIZE

/* ---- handshake flags (16 bits, server -> client) ---------------------- */

#define NBD_FLAG_FIXED_NEWSTYLE     (1 << 0)
#define NBD_FLAG_NO_ZEROES          (1 << 1)

/* ---- client flags (32 bits, client -> server) ------------------------- */

#define NBD_FLAG_C_FIXED_NEWSTYLE   (1 << 0)
#define NBD_FLAG_C_NO_ZEROES        (1 << 1)

/* ---- transmission flags (16 bits, per export) ------------------------- */

#define NBD_FLAG_HAS_FLAGS          (1 << 0)
#define NBD_FLAG_READ_ONLY          (1 << 1)
#define NBD_FLAG_SEND_FLUSH         (1 << 2)
#define NBD_FLAG_SEND_FUA           (1 << 3)
#define NBD_FLAG_ROTATIONAL         (1 << 4)
#define NBD_FLAG_SEND_TRIM          (1 << 5)
#define NBD_FLAG_SEND_WRITE_ZEROES  (1 << 6)
#define NBD_FLAG_SEND_DF            (1 << 7)
#define NBD_FLAG_CAN_MULTI_CONN     (1 << 8)
#define NBD_FLAG_SEND_RESIZE        (1 << 9)
#define NBD_FLAG_SEND_CACHE         (1 << 10)
#define NBD_FLAG_SEND_FAST_ZERO     (1 << 11)

/* ---- options (handshake requests) ------------------------------------ */

#define NBD_OPT_EXPORT_NAME         1
#define NBD_OPT_ABORT               2
#define NBD_OPT_LIST                3
#define NBD_OPT_PEEK_EXPORT         4   /* withdrawn */
#define NBD_OPT_STARTTLS            5
#define NBD_OPT_INFO                6
#define NBD_OPT_GO                  7
#define NBD_OPT_STRUCTURED_REPLY    8
#define NBD_OPT_LIST_META_CONTEXT   9
#define NBD_OPT_SET_META_CONTEXT    10

/* ---- option replies --------------------------------------------------- */

#define NBD_REP_FLAG_ERROR          (1U << 31)
#define NBD_REP_ERR(n)              (NBD_REP_FLAG_ERROR | (n))
#define NBD_REP_ERR_P(type)         (!!((type) & NBD_REP_FLAG_ERROR))

#define NBD_REP_ACK                 1
#define NBD_REP_SERVER              2
#define NBD_REP_INFO                3
#define NBD_REP_META_CONTEXT        4

#define NBD_REP_ERR_UNSUP           NBD_REP_ERR(1)
#define NBD_REP_ERR_POLICY          NBD_REP_ERR(2)
#define NBD_REP_ERR_INVALID         NBD_REP_ERR(3)
#define NBD_REP_ERR_PLATFORM        NBD_REP_ERR(4)
#define NBD_REP_ERR_TLS_REQD        NBD_REP_ERR(5)
#define NBD_REP_ERR_UNKNOWN         NBD_REP_ERR(6)
#define NBD_REP_ERR_SHUTDOWN        NBD_REP_ERR(7)
#define NBD_REP_ERR_BLOCK_SIZE_REQD NBD_REP_ERR(8)
#define NBD_REP_ERR_TOO_BIG         NBD_REP_ERR(9)

/* Information types of NBD_REP_INFO (and requests in NBD_OPT_INFO/GO). */
#define NBD_INFO_EXPORT             0
#define NBD_INFO_NAME               1
#define NBD_INFO_DESCRIPTION        2
#define NBD_INFO_BLOCK_SIZE         3

/* ---- transmission: commands and their flags -------------------------- */

#define NBD_CMD_READ                0
#define NBD_CMD_WRITE               1
#define NBD_CMD_DISC                2
#define NBD_CMD_FLUSH               3
#define NBD_CMD_TRIM                4
#define NBD_CMD_CACHE               5
#define NBD_CMD_WRITE_ZEROES        6
#define NBD_CMD_BLOCK_STATUS        7
#define NBD_CMD_RESIZE              8

#define NBD_CMD_FLAG_FUA            (1 << 0)
#define NBD_CMD_FLAG_NO_HOLE        (1 << 1)
#define NBD_CMD_FLAG_DF             (1 << 2)
#define NBD_CMD_FLAG_REQ_ONE        (1 << 3)
#define NBD_CMD_FLAG_FAST_ZERO      (1 << 4)

/* ---- structured replies ---------------------------------------------- */

#define NBD_REPLY_FLAG_DONE         (1 << 0)

#define NBD_REPLY_ERR(n)            ((1 << 15) | (n))
#define NBD_REPLY_TYPE_IS_ERR(t)    (!!((t) & (1 << 15)))

#define NBD_REPLY_TYPE_NONE         0
#define NBD_REPLY_TYPE_OFFSET_DATA  1
#define NBD_REPLY_TYPE_OFFSET_HOLE  2
#define NBD_REPLY_TYPE_BLOCK_STATUS 5
#define NBD_REPLY_TYPE_ERROR        NBD_REPLY_ERR(1)
#define NBD_REPLY_TYPE_ERROR_OFFSET NBD_REPLY_ERR(2)

/* ---- error numbers on the wire (not the host's errno values) ---------- */

#define NBD_SUCCESS                 0
#define NBD_EPERM                   1
#define NBD_EIO                     5
#define NBD_ENOMEM                  12
#define NBD_EINVAL                  22
#define NBD_ENOSPC                  28
#define NBD_EOVERFLOW               75
#define NBD_ENOTSUP                 95
#define NBD_ESHUTDOWN               108

/* ---- metadata contexts ----------------------------------------------- */

#define NBD_META_NS_BASE            "base"
#define NBD_META_NS_QEMU            "qemu"
#define NBD_META_BASE_ALLOCATION    "base:allocation"
#define NBD_META_QEMU_DEPTH         "qemu:allocation-depth"
#define NBD_META_QEMU_DIRTY_BITMAP  "qemu:dirty-bitmap:"

/* base:allocation extent flags */
#define NBD_STATE_HOLE              (1 << 0)
#define NBD_STATE_ZERO              (1 << 1)
/* qemu:dirty-bitmap:NAME extent flags */
#define NBD_STATE_DIRTY             (1 << 0)

/* ---- wire structs (packed, big-endian fields) -------------------------- */

/* Client option request header; @length bytes of payload follow. */
typedef struct QEMU_PACKED NBDOption {
    uint64_t magic;             /* NBD_OPTS_MAGIC */
    uint32_t option;            /* NBD_OPT_* */
    uint32_t length;
} NBDOption;

/* Server option reply header; @length bytes of payload follow. */
typedef struct QEMU_PACKED NBDOptionReply {
    uint64_t magic;             /* NBD_REP_MAGIC */
    uint32_t option;            /* the NBD_OPT_* it answers */
    uint32_t type;              /* NBD_REP_* */
    uint32_t length;
} NBDOptionReply;

/* Transmission request header (28 bytes); WRITE payload follows. */
typedef struct QEMU_PACKED NBDRequestHeader {
    uint32_t magic;             /* NBD_REQUEST_MAGIC */
    uint16_t flags;             /* NBD_CMD_FLAG_* */
    uint16_t type;              /* NBD_CMD_* */
    uint64_t cookie;            /* "handle": echoed in the reply */
    uint64_t from;
    uint32_t len;
} NBDRequestHeader;

/* Simple reply (16 bytes); READ data follows on success. */
typedef struct QEMU_PACKED NBDSimpleReply {
    uint32_t magic;             /* NBD_SIMPLE_REPLY_MAGIC */
    uint32_t error;             /* NBD_E* */
    uint64_t cookie;
} NBDSimpleReply;

/* Structured reply chunk header (20 bytes); @length payload follows. */
typedef struct QEMU_PACKED NBDStructuredReplyChunk {
    uint32_t magic;             /* NBD_STRUCTURED_REPLY_MAGIC */
    uint16_t flags;             /* NBD_REPLY_FLAG_* */
    uint16_t type;              /* NBD_REPLY_TYPE_* */
    uint64_t cookie;
    uint32_t length;
} NBDStructuredReplyChunk;

/* NBD_REPLY_TYPE_OFFSET_DATA payload prefix; the data follows. */
typedef struct QEMU_PACKED NBDStructuredReadData {
    uint64_t offset;
} NBDStructuredReadData;

/* NBD_REPLY_TYPE_OFFSET_HOLE payload. */
typedef struct QEMU_PACKED NBDStructuredReadHole {
    uint64_t offset;
    uint32_t length;
} NBDStructuredReadHole;

/*
 * NBD_REPLY_TYPE_ERROR payload prefix; @message_length bytes of UTF-8
 * follow (for ERROR_OFFSET, then a 64-bit offset).
 */
typedef struct QEMU_PACKED NBDStructuredError {
    uint32_t error;             /* NBD_E* */
    uint16_t message_length;
} NBDStructuredError;

/* NBD_REPLY_TYPE_BLOCK_STATUS: a context id, then descriptors. */
typedef struct QEMU_PACKED NBDStructuredMeta {
    uint32_t context_id;
} NBDStructuredMeta;

typedef struct QEMU_PACKED NBDExtent {
    uint32_t length;
    uint32_t flags;             /* NBD_STATE_* of the context */
} NBDExtent;

/* Sizes the protocol fixes, checked at build time against the structs. */
#define NBD_REQUEST_SIZE            28
#define NBD_SIMPLE_REPLY_SIZE       16
#define NBD_STRUCTURED_REPLY_SIZE   20

/* ---- helpers shared by both ends (nbd/common.c) ----------------------- */

/* Names for messages and debugging; "<unknown>" for other values. */
const char *nbd_opt_lookup(uint32_t opt);
const char *nbd_rep_lookup(uint32_t rep);
const char *nbd_info_lookup(uint16_t info);
const char *nbd_cmd_lookup(uint16_t cmd);
const char *nbd_reply_type_lookup(uint16_t type);
const char *nbd_err_lookup(int err);

/*
 * The short lower-case names ("structured reply", "go", "ack", ...) that
 * the client's user-facing messages use, as QEMU 7.2 words them;
 * "<unknown>" for other values.
 */
const char *nbd_opt_name(uint32_t opt);
const char *nbd_rep_name(uint32_t rep);

/* Host errno (positive) to the wire error, and back. */
int nbd_errno_to_system_errno(int err);
int system_errno_to_nbd_errno(int err);

/*
 * The server's API (export a BlockBackend, serve clients) and the
 * client's (negotiate, send requests, read replies) are declared in
 * "block/nbd-server.h" and "block/nbd-client.h" by their authors.
 */

#endif /* BLOCK_NBD_H */
