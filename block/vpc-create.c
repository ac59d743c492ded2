/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/vpc-create.c: qemu-img create for the "vpc" driver, as QEMU 7.2
 * does it: the size goes up to the next CHS geometry (unless force_size,
 * or the disk is too big for CHS), a dynamic image is footer, dynamic
 * header, an all-unused BAT and the footer again; a fixed one is the
 * (sparse) data followed by the footer.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "sysemu/block-backend.h"
#include "vpc.h"

/* In 7.2's order: "Formatting ..." lists the options given in it. */
QemuOptsList vpc_create_opts = {
    .name = "vpc-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(vpc_create_opts.head),
    .desc = {
        { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Virtual disk size" },
        { .name = BLOCK_OPT_SUBFMT, .type = QEMU_OPT_STRING,
          .help = "Type of virtual hard disk format. Supported formats "
                  "are {dynamic (default) | fixed} " },
        { .name = BLOCK_OPT_FORCE_SIZE, .type = QEMU_OPT_BOOL,
          .help = "Force disk size calculation to use the actual size "
                  "specified, rather than using the nearest CHS-based "
                  "calculation" },
        { /* end of list */ }
    }
};

typedef struct VpcGeometry {
    uint16_t cyls;
    uint8_t heads;
    uint8_t secs;
} VpcGeometry;

static uint64_t vpc_geometry_sectors(const VpcGeometry *g)
{
    return (uint64_t)g->cyls * g->heads * g->secs;
}

/*
 * The geometry the VHD specification derives from a sector count: 17,
 * 31, 63 or 255 sectors per track, as few heads as fit the cylinder
 * limit of 1024 per head-count step.  It may cover fewer sectors than
 * asked for.
 */
static void vpc_spec_geometry(uint64_t sectors, VpcGeometry *g)
{
    const uint64_t max = (uint64_t)VPC_CHS_MAX_CYLS * 16 * 255;
    uint64_t cyl_heads;
    unsigned heads, secs;

    sectors = MIN(sectors, max);
    if (sectors >= (uint64_t)VPC_CHS_MAX_CYLS * 16 * 63) {
        secs = 255;
        heads = 16;
        cyl_heads = sectors / secs;
    } else {
        secs = 17;
        cyl_heads = sectors / secs;
        heads = MAX((cyl_heads + 1023) / 1024, 4);
        if (cyl_heads >= heads * 1024 || heads > 16) {
            secs = 31;
            heads = 16;
            cyl_heads = sectors / secs;
        }
        if (cyl_heads >= heads * 1024) {
            secs = 63;
            heads = 16;
            cyl_heads = sectors / secs;
        }
    }
    g->cyls = cyl_heads / heads;
    g->heads = heads;
    g->secs = secs;
}

/*
 * The geometry for an image of @sectors and the size it ends up with:
 * the smallest spec geometry that covers @sectors (7.2 rounds up), or
 * with force_size or beyond what CHS can address, the maximum geometry
 * (meaning "see the current size") and the size as asked.
 */
static uint64_t vpc_pick_geometry(uint64_t sectors, bool force_size,
                                  VpcGeometry *g)
{
    const uint64_t max = (uint64_t)VPC_CHS_MAX_CYLS * 16 * 255;

    if (force_size || sectors > max) {
        *g = (VpcGeometry) { VPC_CHS_MAX_CYLS, VPC_CHS_MAX_HEADS,
                             VPC_CHS_MAX_SECS };
        return sectors;
    }
    /* 7.2 leaves an empty image's geometry all zero */
    *g = (VpcGeometry) { 0, 0, 0 };
    for (uint64_t want = sectors; vpc_geometry_sectors(g) < sectors;
         want++) {
        vpc_spec_geometry(want, g);
    }
    return vpc_geometry_sectors(g);
}

/* A random (version 4) UUID, in the usual big-endian byte order. */
static void vpc_random_uuid(uint8_t *uuid)
{
    for (int i = 0; i < 16; i += 4) {
        stl_be_p(uuid + i, g_random_int());
    }
    uuid[6] = (uuid[6] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

static void vpc_make_footer(uint8_t *ft, uint64_t size, const VpcGeometry *g,
                            bool fixed, bool force_size)
{
    memset(ft, 0, VPC_FOOTER_SIZE);
    memcpy(ft + VPC_FT_COOKIE, "conectix", 8);
    stl_be_p(ft + VPC_FT_FEATURES, 2);
    stl_be_p(ft + VPC_FT_VERSION, 0x00010000);
    stq_be_p(ft + VPC_FT_DATA_OFFSET,
             fixed ? UINT64_MAX : VPC_FOOTER_SIZE);
    stl_be_p(ft + VPC_FT_TIMESTAMP, time(NULL) - VPC_EPOCH_OFFSET);
    memcpy(ft + VPC_FT_CREATOR_APP, force_size ? "qem2" : "qemu", 4);
    stl_be_p(ft + VPC_FT_CREATOR_VER, 0x00050003);
    memcpy(ft + VPC_FT_CREATOR_OS, "Wi2k", 4);
    stq_be_p(ft + VPC_FT_ORIG_SIZE, size);
    stq_be_p(ft + VPC_FT_CUR_SIZE, size);
    stw_be_p(ft + VPC_FT_CYLS, g->cyls);
    ft[VPC_FT_HEADS] = g->heads;
    ft[VPC_FT_SECS] = g->secs;
    stl_be_p(ft + VPC_FT_TYPE, fixed ? VPC_TYPE_FIXED : VPC_TYPE_DYNAMIC);
    vpc_random_uuid(ft + VPC_FT_UUID);
    stl_be_p(ft + VPC_FT_CHECKSUM,
             vpc_checksum(ft, VPC_FOOTER_SIZE, VPC_FT_CHECKSUM));
}

typedef struct VpcCreate {
    const char *filename;
    uint64_t size;              /* bytes, a whole number of sectors */
    VpcGeometry geo;
    bool fixed;
    bool force_size;
    Error **errp;
    int ret;
} VpcCreate;

/* Footer, dynamic header, BAT (all unused, padded with ones), footer. */
static int vpc_write_dynamic(BlockBackend *blk, const uint8_t *footer,
                             uint64_t size)
{
    uint32_t entries = DIV_ROUND_UP(size, VPC_BLOCK_SIZE_DEFAULT);
    uint64_t bat_offset = VPC_FOOTER_SIZE + VPC_DYN_HEADER_SIZE;
    size_t bat_bytes = ROUND_UP((size_t)entries * 4, VPC_SECTOR_SIZE);
    uint8_t hdr[VPC_DYN_HEADER_SIZE] = { 0 };
    g_autofree uint8_t *bat = NULL;
    int ret;

    ret = blk_pwrite(blk, 0, VPC_FOOTER_SIZE, footer, 0);
    if (ret < 0) {
        return ret;
    }
    memcpy(hdr + VPC_DH_COOKIE, "cxsparse", 8);
    stq_be_p(hdr + VPC_DH_DATA_OFFSET, UINT64_MAX);
    stq_be_p(hdr + VPC_DH_TABLE_OFFSET, bat_offset);
    stl_be_p(hdr + VPC_DH_VERSION, 0x00010000);
    stl_be_p(hdr + VPC_DH_MAX_ENTRIES, entries);
    stl_be_p(hdr + VPC_DH_BLOCK_SIZE, VPC_BLOCK_SIZE_DEFAULT);
    stl_be_p(hdr + VPC_DH_CHECKSUM,
             vpc_checksum(hdr, sizeof(hdr), VPC_DH_CHECKSUM));
    ret = blk_pwrite(blk, VPC_FOOTER_SIZE, sizeof(hdr), hdr, 0);
    if (ret < 0) {
        return ret;
    }
    if (bat_bytes) {
        bat = g_try_malloc(bat_bytes);
        if (!bat) {
            return -ENOMEM;
        }
        memset(bat, 0xff, bat_bytes);
        ret = blk_pwrite(blk, bat_offset, bat_bytes, bat, 0);
        if (ret < 0) {
            return ret;
        }
    }
    return blk_pwrite(blk, bat_offset + bat_bytes, VPC_FOOTER_SIZE, footer,
                      0);
}

static void coroutine_fn vpc_format_file(VpcCreate *c)
{
    uint8_t footer[VPC_FOOTER_SIZE];
    BlockBackend *blk;

    c->ret = -EIO;
    blk = blk_co_new_open(c->filename, NULL, NULL,
                          BDRV_O_RDWR | BDRV_O_RESIZE | BDRV_O_PROTOCOL,
                          c->errp);
    if (!blk) {
        return;
    }
    blk_set_allow_write_beyond_eof(blk, true);
    vpc_make_footer(footer, c->size, &c->geo, c->fixed, c->force_size);
    if (c->fixed) {
        c->ret = blk_truncate(blk, c->size + VPC_FOOTER_SIZE, false,
                              PREALLOC_MODE_OFF, 0, c->errp);
        if (c->ret == 0) {
            c->ret = blk_pwrite(blk, c->size, VPC_FOOTER_SIZE, footer, 0);
        }
    } else {
        c->ret = vpc_write_dynamic(blk, footer, c->size);
    }
    if (c->ret < 0 && c->errp && !*c->errp) {
        error_setg_errno(c->errp, -c->ret, "Failed to write the image");
    }
    blk_co_unref(blk);
}

/*
 * As in 7.2, the protocol file is created first (a bad subformat or a
 * too large size leaves it behind, empty); options other than ours go
 * to the protocol driver.
 */
int coroutine_fn GRAPH_UNLOCKED
vpc_co_create_opts(BlockDriver *drv, const char *filename, QemuOpts *opts,
                   Error **errp)
{
    uint64_t size = qemu_opt_get_size_del(opts, BLOCK_OPT_SIZE, 0);
    g_autofree char *subfmt = qemu_opt_get_del(opts, BLOCK_OPT_SUBFMT);
    bool force = qemu_opt_get_bool_del(opts, BLOCK_OPT_FORCE_SIZE, false);
    uint64_t sectors = DIV_ROUND_UP(size, VPC_SECTOR_SIZE);
    VpcCreate c = { .filename = filename, .force_size = force, .errp = errp };
    int ret;

    ret = bdrv_co_create_file(filename, opts, errp);
    if (ret < 0) {
        return ret;
    }
    if (subfmt && strcmp(subfmt, "dynamic") && strcmp(subfmt, "fixed")) {
        error_setg(errp, "Parameter 'subformat' does not accept value '%s'",
                   subfmt);
        return -EINVAL;
    }
    c.fixed = subfmt && !strcmp(subfmt, "fixed");
    if (sectors > VPC_MAX_SECTORS) {
        error_setg(errp, "The image size is too large for file format 'vpc'");
        return -EFBIG;
    }
    c.size = vpc_pick_geometry(sectors, force, &c.geo) * VPC_SECTOR_SIZE;

    vpc_format_file(&c);
    return c.ret;
}
