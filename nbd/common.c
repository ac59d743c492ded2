/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NBD helpers shared by the server and the client: names of protocol
 * values for messages, and the mapping between host errno values and the
 * error numbers the protocol puts on the wire.
 */

#include "qemu/osdep.h"
#include "block/nbd.h"

/* The packed wire structs must have the sizes the protocol fixes. */
G_STATIC_ASSERT(sizeof(NBDRequestHeader) == NBD_REQUEST_SIZE);
G_STATIC_ASSERT(sizeof(NBDSimpleReply) == NBD_SIMPLE_REPLY_SIZE);
G_STATIC_ASSERT(sizeof(NBDStructuredReplyChunk) ==
                NBD_STRUCTURED_REPLY_SIZE);
G_STATIC_ASSERT(sizeof(NBDOption) == 16);
G_STATIC_ASSERT(sizeof(NBDOptionReply) == 20);
G_STATIC_ASSERT(sizeof(NBDStructuredReadHole) == 12);
G_STATIC_ASSERT(sizeof(NBDStructuredError) == 6);
G_STATIC_ASSERT(sizeof(NBDExtent) == 8);

typedef struct NBDName {
    uint32_t value;
    const char *name;
} NBDName;

static const char *nbd_name_of(const NBDName *table, size_t n,
                               uint32_t value)
{
    for (size_t i = 0; i < n; i++) {
        if (table[i].value == value) {
            return table[i].name;
        }
    }
    return "<unknown>";
}

#define NBD_NAME(x) { x, #x }
#define NBD_LOOKUP(table, value) \
    nbd_name_of(table, G_N_ELEMENTS(table), value)

static const NBDName nbd_opt_names[] = {
    NBD_NAME(NBD_OPT_EXPORT_NAME), NBD_NAME(NBD_OPT_ABORT),
    NBD_NAME(NBD_OPT_LIST), NBD_NAME(NBD_OPT_PEEK_EXPORT),
    NBD_NAME(NBD_OPT_STARTTLS), NBD_NAME(NBD_OPT_INFO),
    NBD_NAME(NBD_OPT_GO), NBD_NAME(NBD_OPT_STRUCTURED_REPLY),
    NBD_NAME(NBD_OPT_LIST_META_CONTEXT), NBD_NAME(NBD_OPT_SET_META_CONTEXT),
};

static const NBDName nbd_rep_names[] = {
    NBD_NAME(NBD_REP_ACK), NBD_NAME(NBD_REP_SERVER),
    NBD_NAME(NBD_REP_INFO), NBD_NAME(NBD_REP_META_CONTEXT),
    NBD_NAME(NBD_REP_ERR_UNSUP), NBD_NAME(NBD_REP_ERR_POLICY),
    NBD_NAME(NBD_REP_ERR_INVALID), NBD_NAME(NBD_REP_ERR_PLATFORM),
    NBD_NAME(NBD_REP_ERR_TLS_REQD), NBD_NAME(NBD_REP_ERR_UNKNOWN),
    NBD_NAME(NBD_REP_ERR_SHUTDOWN), NBD_NAME(NBD_REP_ERR_BLOCK_SIZE_REQD),
    NBD_NAME(NBD_REP_ERR_TOO_BIG),
};

static const NBDName nbd_info_names[] = {
    NBD_NAME(NBD_INFO_EXPORT), NBD_NAME(NBD_INFO_NAME),
    NBD_NAME(NBD_INFO_DESCRIPTION), NBD_NAME(NBD_INFO_BLOCK_SIZE),
};

static const NBDName nbd_cmd_names[] = {
    NBD_NAME(NBD_CMD_READ), NBD_NAME(NBD_CMD_WRITE), NBD_NAME(NBD_CMD_DISC),
    NBD_NAME(NBD_CMD_FLUSH), NBD_NAME(NBD_CMD_TRIM), NBD_NAME(NBD_CMD_CACHE),
    NBD_NAME(NBD_CMD_WRITE_ZEROES), NBD_NAME(NBD_CMD_BLOCK_STATUS),
    NBD_NAME(NBD_CMD_RESIZE),
};

static const NBDName nbd_reply_type_names[] = {
    NBD_NAME(NBD_REPLY_TYPE_NONE), NBD_NAME(NBD_REPLY_TYPE_OFFSET_DATA),
    NBD_NAME(NBD_REPLY_TYPE_OFFSET_HOLE),
    NBD_NAME(NBD_REPLY_TYPE_BLOCK_STATUS), NBD_NAME(NBD_REPLY_TYPE_ERROR),
    NBD_NAME(NBD_REPLY_TYPE_ERROR_OFFSET),
};

/* Wire error numbers, each with the host errno it stands for. */
static const struct {
    int nbd;
    int host;
    const char *name;
} nbd_errors[] = {
    { NBD_SUCCESS, 0, "success" },
    { NBD_EPERM, EPERM, "EPERM" },
    { NBD_EIO, EIO, "EIO" },
    { NBD_ENOMEM, ENOMEM, "ENOMEM" },
    { NBD_EINVAL, EINVAL, "EINVAL" },
    { NBD_ENOSPC, ENOSPC, "ENOSPC" },
    { NBD_EOVERFLOW, EOVERFLOW, "EOVERFLOW" },
    { NBD_ENOTSUP, ENOTSUP, "ENOTSUP" },
    { NBD_ESHUTDOWN, ESHUTDOWN, "ESHUTDOWN" },
};

const char *nbd_opt_lookup(uint32_t opt)
{
    return NBD_LOOKUP(nbd_opt_names, opt);
}

const char *nbd_rep_lookup(uint32_t rep)
{
    return NBD_LOOKUP(nbd_rep_names, rep);
}

/* The short lower-case names QEMU 7.2 prints in its client messages. */
static const NBDName nbd_opt_short_names[] = {
    { NBD_OPT_EXPORT_NAME, "export name" }, { NBD_OPT_ABORT, "abort" },
    { NBD_OPT_LIST, "list" }, { NBD_OPT_PEEK_EXPORT, "peek export" },
    { NBD_OPT_STARTTLS, "starttls" }, { NBD_OPT_INFO, "info" },
    { NBD_OPT_GO, "go" }, { NBD_OPT_STRUCTURED_REPLY, "structured reply" },
    { NBD_OPT_LIST_META_CONTEXT, "list meta context" },
    { NBD_OPT_SET_META_CONTEXT, "set meta context" },
};

static const NBDName nbd_rep_short_names[] = {
    { NBD_REP_ACK, "ack" }, { NBD_REP_SERVER, "server" },
    { NBD_REP_INFO, "info" }, { NBD_REP_META_CONTEXT, "meta context" },
    { NBD_REP_ERR_UNSUP, "unsupported" },
    { NBD_REP_ERR_POLICY, "denied by policy" },
    { NBD_REP_ERR_INVALID, "invalid" },
    { NBD_REP_ERR_PLATFORM, "platform lacks support" },
    { NBD_REP_ERR_TLS_REQD, "TLS required" },
    { NBD_REP_ERR_UNKNOWN, "export unknown" },
    { NBD_REP_ERR_SHUTDOWN, "server shutting down" },
    { NBD_REP_ERR_BLOCK_SIZE_REQD, "block size required" },
    { NBD_REP_ERR_TOO_BIG, "option too big" },
};

const char *nbd_opt_name(uint32_t opt)
{
    return NBD_LOOKUP(nbd_opt_short_names, opt);
}

const char *nbd_rep_name(uint32_t rep)
{
    return NBD_LOOKUP(nbd_rep_short_names, rep);
}

const char *nbd_info_lookup(uint16_t info)
{
    return NBD_LOOKUP(nbd_info_names, info);
}

const char *nbd_cmd_lookup(uint16_t cmd)
{
    return NBD_LOOKUP(nbd_cmd_names, cmd);
}

const char *nbd_reply_type_lookup(uint16_t type)
{
    return NBD_LOOKUP(nbd_reply_type_names, type);
}

const char *nbd_err_lookup(int err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(nbd_errors); i++) {
        if (nbd_errors[i].nbd == err) {
            return nbd_errors[i].name;
        }
    }
    return "<unknown>";
}

/*
 * An unknown wire error reads as EINVAL, as the spec asks clients to
 * treat values they do not know.
 */
int nbd_errno_to_system_errno(int err)
{
    for (size_t i = 0; i < G_N_ELEMENTS(nbd_errors); i++) {
        if (nbd_errors[i].nbd == err) {
            return nbd_errors[i].host;
        }
    }
    return EINVAL;
}

/*
 * Host errors the protocol has no number for go out as EINVAL, except
 * EFBIG (a request past the end), which is ENOSPC on the wire, and
 * EOPNOTSUPP, an alias of ENOTSUP on some hosts.
 */
int system_errno_to_nbd_errno(int err)
{
    if (err == EFBIG) {
        return NBD_ENOSPC;
    }
    if (err == EOPNOTSUPP) {
        return NBD_ENOTSUP;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(nbd_errors); i++) {
        if (nbd_errors[i].host == err) {
            return nbd_errors[i].nbd;
        }
    }
    return NBD_EINVAL;
}
