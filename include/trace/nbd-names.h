/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace/nbd-names.h: the short names QEMU 7.2's NBD trace events print
 * for request and reply-chunk types ("read", "hole"...), which differ from
 * the NBD_* names of nbd_cmd_lookup() used in error messages.  Called only
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

#endif /* TRACE_NBD_NAMES_H */
