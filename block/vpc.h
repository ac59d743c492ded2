/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/vpc.h: what the two halves of the "vpc" driver share (vpc.c:
 * open and I/O, vpc-create.c: create).  The VHD layout: a 512-byte
 * footer ("conectix", big-endian fields) at the end of the file, and for
 * a dynamic image a copy of it at offset 0, then a 1024-byte dynamic
 * header ("cxsparse") and the block allocation table (BAT: one 32-bit
 * sector number per block, 0xffffffff for an unallocated one).  A data
 * block is a sector bitmap followed by the block's data.
 */
#ifndef BLOCK_VPC_H
#define BLOCK_VPC_H

#include "qemu/option.h"
#include "block/block_int.h"

#define VPC_SECTOR_SIZE         512
#define VPC_FOOTER_SIZE         512
#define VPC_DYN_HEADER_SIZE     1024
#define VPC_BAT_UNUSED          0xffffffffu
#define VPC_BLOCK_SIZE_DEFAULT  (2 * 1024 * 1024)

/* Disk types in the footer; anything but fixed is opened as dynamic. */
#define VPC_TYPE_FIXED          2
#define VPC_TYPE_DYNAMIC        3

/* The largest image 7.2 creates or opens: 2040 GiB, in sectors. */
#define VPC_MAX_SECTORS         0xff000000ull
/* CHS values meaning "the geometry does not describe the size". */
#define VPC_CHS_MAX_CYLS        65535
#define VPC_CHS_MAX_HEADS       16
#define VPC_CHS_MAX_SECS        255

/* VHD timestamps count seconds from 2000-01-01 00:00:00 UTC. */
#define VPC_EPOCH_OFFSET        946684800

#ifndef BLOCK_OPT_FORCE_SIZE
#define BLOCK_OPT_FORCE_SIZE    "force_size"
#endif

/* Footer field offsets (all big-endian). */
enum {
    VPC_FT_COOKIE = 0,          /* "conectix" */
    VPC_FT_FEATURES = 8,
    VPC_FT_VERSION = 12,
    VPC_FT_DATA_OFFSET = 16,    /* 64 bits: the dynamic header */
    VPC_FT_TIMESTAMP = 24,
    VPC_FT_CREATOR_APP = 28,    /* 4 characters */
    VPC_FT_CREATOR_VER = 32,
    VPC_FT_CREATOR_OS = 36,
    VPC_FT_ORIG_SIZE = 40,      /* 64 bits */
    VPC_FT_CUR_SIZE = 48,       /* 64 bits */
    VPC_FT_CYLS = 56,           /* 16 bits */
    VPC_FT_HEADS = 58,          /* 8 bits */
    VPC_FT_SECS = 59,           /* 8 bits */
    VPC_FT_TYPE = 60,
    VPC_FT_CHECKSUM = 64,
    VPC_FT_UUID = 68,           /* 16 bytes */
};

/* Dynamic header field offsets (all big-endian). */
enum {
    VPC_DH_COOKIE = 0,          /* "cxsparse" */
    VPC_DH_DATA_OFFSET = 8,     /* 64 bits, unused: all ones */
    VPC_DH_TABLE_OFFSET = 16,   /* 64 bits: the BAT */
    VPC_DH_VERSION = 24,
    VPC_DH_MAX_ENTRIES = 28,
    VPC_DH_BLOCK_SIZE = 32,
    VPC_DH_CHECKSUM = 36,
};

/*
 * The VHD checksum of @len bytes at @buf: the one's complement of the
 * byte sum, with the 4 checksum bytes at @csum_ofs counted as zero.
 */
uint32_t vpc_checksum(const uint8_t *buf, size_t len, size_t csum_ofs);

extern QemuOptsList vpc_create_opts;

/* qemu-img create: 7.2's options (size, subformat, force_size). */
int coroutine_fn GRAPH_UNLOCKED
vpc_co_create_opts(BlockDriver *drv, const char *filename, QemuOpts *opts,
                   Error **errp);

#endif
