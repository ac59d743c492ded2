/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace/nbd-names.h: the short names QEMU 7.2's NBD trace events print
 * for requests, reply chunks, options and option replies ("read", "hole",
 * "go", "ack"...), which differ from the NBD_* names of nbd_cmd_lookup()
 * and friends used in error messages.  Called only
 * from trace_nbd_*() arguments, so only while the event is enabled.
 */
#ifndef TRACE_NBD_NAMES_H
#define TRACE_NBD_NAMES_H

#include "block/nbd.h"

static inline const char *trace_nbd_cmd_name(uint16_t type)
{
    static const char *const names[] = {
        [NBD_CMD_READ] = "read",
        [NBD_CMD_WRITE] = "write",
        [NBD_CMD_DISC] = "disconnect",
        [NBD_CMD_FLUSH] = "flush",
        [NBD_CMD_TRIM] = "trim",
        [NBD_CMD_CACHE] = "cache",
        [NBD_CMD_WRITE_ZEROES] = "write zeroes",
        [NBD_CMD_BLOCK_STATUS] = "block status",
    };

    return type < G_N_ELEMENTS(names) && names[type] ? names[type]
                                                     : "<unknown>";
}

static inline const char *trace_nbd_reply_type_name(uint16_t type)
{
    switch (type) {
    case NBD_REPLY_TYPE_NONE:
        return "none";
    case NBD_REPLY_TYPE_OFFSET_DATA:
        return "data";
    case NBD_REPLY_TYPE_OFFSET_HOLE:
        return "hole";
    case NBD_REPLY_TYPE_BLOCK_STATUS:
        return "block status";
    case NBD_REPLY_TYPE_ERROR:
        return "generic error";
    case NBD_REPLY_TYPE_ERROR_OFFSET:
        return "error at offset";
    default:
        return type & (1 << 15) ? "<unknown error>" : "<unknown>";
    }
}

static inline const char *trace_nbd_opt_name(uint32_t opt)
{
    switch (opt) {
    case NBD_OPT_EXPORT_NAME:
        return "export name";
    case NBD_OPT_ABORT:
        return "abort";
    case NBD_OPT_LIST:
        return "list";
    case NBD_OPT_PEEK_EXPORT:
        return "peek export";
    case NBD_OPT_STARTTLS:
        return "starttls";
    case NBD_OPT_INFO:
        return "info";
    case NBD_OPT_GO:
        return "go";
    case NBD_OPT_STRUCTURED_REPLY:
        return "structured reply";
    case NBD_OPT_LIST_META_CONTEXT:
        return "list meta context";
    case NBD_OPT_SET_META_CONTEXT:
        return "set meta context";
    default:
        return "<unknown>";
    }
}

/* Only the non-error replies are checked against 7.2's output. */
static inline const char *trace_nbd_rep_name(uint32_t rep)
{
    switch (rep) {
    case NBD_REP_ACK:
        return "ack";
    case NBD_REP_SERVER:
        return "server";
    case NBD_REP_INFO:
        return "info";
    case NBD_REP_META_CONTEXT:
        return "meta context";
    case NBD_REP_ERR_UNSUP:
        return "unsupported";
    case NBD_REP_ERR_POLICY:
        return "denied by policy";
    case NBD_REP_ERR_INVALID:
        return "invalid";
    case NBD_REP_ERR_PLATFORM:
        return "platform lacks support";
    case NBD_REP_ERR_TLS_REQD:
        return "TLS required";
    case NBD_REP_ERR_UNKNOWN:
        return "export unknown";
    case NBD_REP_ERR_SHUTDOWN:
        return "server shutting down";
    case NBD_REP_ERR_BLOCK_SIZE_REQD:
        return "block size required";
    default:
        return "<unknown>";
    }
}

static inline const char *trace_nbd_info_name(uint16_t info)
{
    switch (info) {
    case NBD_INFO_EXPORT:
        return "export";
    case NBD_INFO_NAME:
        return "name";
    case NBD_INFO_DESCRIPTION:
        return "description";
    case NBD_INFO_BLOCK_SIZE:
        return "block size";
    default:
        return "<unknown>";
    }
}

#endif /* TRACE_NBD_NAMES_H */
