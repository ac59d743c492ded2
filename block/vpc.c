/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/vpc.c: the "vpc" format driver (VHD: Virtual PC, Hyper-V and
 * Azure disks), open and I/O, with QEMU 7.2's observable behaviour: the
 * same checks and messages at open, the same choice of size source
 * (geometry or current size, by creator application), and the same file
 * layout after writes (a new block goes where the trailing footer was,
 * all-ones bitmap first, footer moved behind it).  Create lives in
 * vpc-create.c; the layout is described in vpc.h.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/coroutine.h"
#include "qemu/host-utils.h"
#include "qemu/module.h"
#include "qemu/units.h"
#include "block/block_int.h"
#include "vpc.h"

typedef struct BDRVVPCState {
    /* The footer as read; rewritten unchanged behind each new block. */
    uint8_t footer[VPC_FOOTER_SIZE];
    bool fixed;
    uint64_t bat_offset;
    uint32_t max_table_entries;
    uint32_t block_size;
    uint32_t bitmap_size;       /* sector bitmap in front of each block */
    /*
     * The BAT in host order.  An entry only ever goes from unused to a
     * sector number, under lock, before the block's data is written;
     * lookups read it atomically (block status looks without the lock).
     */
    uint32_t *bat;
    /* Guards free_data_block_offset and orders requests (see below). */
    CoMutex lock;
    /* Where the next block goes: the trailing footer's offset. */
    int64_t free_data_block_offset;
} BDRVVPCState;

uint32_t vpc_checksum(const uint8_t *buf, size_t len, size_t csum_ofs)
{
    uint32_t sum = 0;

    for (size_t i = 0; i < len; i++) {
        if (i < csum_ofs || i >= csum_ofs + 4) {
            sum += buf[i];
        }
    }
    return ~sum;
}

static int vpc_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    if (buf_size >= 8 && !memcmp(buf, "conectix", 8)) {
        return 100;
    }
    return 0;
}

/* --- Open --------------------------------------------------------------- */

/*
 * The footer: at offset 0 (dynamic images keep a copy there), else the
 * last sector, which then has to describe a fixed image.  *@at_start
 * tells which one it was.
 */
static int GRAPH_RDLOCK vpc_read_footer(BlockDriverState *bs, bool *at_start,
                                        Error **errp)
{
    BDRVVPCState *s = bs->opaque;
    int64_t len;
    int ret;

    ret = bdrv_pread(bs->file, 0, VPC_FOOTER_SIZE, s->footer, 0);
    if (ret < 0) {
        error_setg(errp, "Unable to read VHD header");
        return ret;
    }
    *at_start = !memcmp(s->footer + VPC_FT_COOKIE, "conectix", 8);
    if (!*at_start) {
        len = bdrv_getlength(bs->file->bs);
        if (len < 0) {
            error_setg(errp, "Invalid file size");
            return len;
        }
        if (len == 0) {
            error_setg(errp, "File too small for a VHD header");
            return -EINVAL;
        }
        if (len >= VPC_FOOTER_SIZE) {
            ret = bdrv_pread(bs->file, len - VPC_FOOTER_SIZE,
                             VPC_FOOTER_SIZE, s->footer, 0);
            if (ret < 0) {
                return ret;
            }
        }
        if (len < VPC_FOOTER_SIZE ||
            memcmp(s->footer + VPC_FT_COOKIE, "conectix", 8) ||
            ldl_be_p(s->footer + VPC_FT_TYPE) != VPC_TYPE_FIXED) {
            error_setg(errp, "invalid VPC image");
            return -EINVAL;
        }
    }
    if (ldl_be_p(s->footer + VPC_FT_CHECKSUM) !=
        vpc_checksum(s->footer, VPC_FOOTER_SIZE, VPC_FT_CHECKSUM)) {
        error_setg(errp, "Incorrect header checksum");
        return -EINVAL;
    }
    return 0;
}

/*
 * The virtual size in sectors.  Tools that write the exact size in the
 * current-size field and a geometry that does not cover it are known by
 * their creator application; for those, and whenever the geometry is
 * the "too big for CHS" maximum, the current size counts.  Otherwise
 * the geometry does, as for Virtual PC's own images.
 */
static uint64_t vpc_footer_sectors(const uint8_t *ft)
{
    static const char *const exact_size_creators[] = {
        "win ", "qem2", "d2v ", "CTXS", "tap",
    };
    uint16_t cyls = lduw_be_p(ft + VPC_FT_CYLS);
    uint8_t heads = ft[VPC_FT_HEADS];
    uint8_t secs = ft[VPC_FT_SECS];
    bool exact = cyls == VPC_CHS_MAX_CYLS && heads == VPC_CHS_MAX_HEADS &&
                 secs == VPC_CHS_MAX_SECS;

    for (size_t i = 0; !exact && i < ARRAY_SIZE(exact_size_creators); i++) {
        /* "tap" compares its NUL too */
        exact = !memcmp(ft + VPC_FT_CREATOR_APP, exact_size_creators[i], 4);
    }
    if (exact) {
        return ldq_be_p(ft + VPC_FT_CUR_SIZE) / VPC_SECTOR_SIZE;
    }
    return (uint64_t)cyls * heads * secs;
}

/* Check the dynamic header at @hdr against the image size, 7.2's order. */
static int vpc_parse_dyn_header(BDRVVPCState *s, const uint8_t *hdr,
                                uint64_t sectors, Error **errp)
{
    uint32_t block_size = ldl_be_p(hdr + VPC_DH_BLOCK_SIZE);
    uint32_t entries = ldl_be_p(hdr + VPC_DH_MAX_ENTRIES);

    if (memcmp(hdr + VPC_DH_COOKIE, "cxsparse", 8)) {
        error_setg(errp, "Invalid header magic");
        return -EINVAL;
    }
    if (block_size < VPC_SECTOR_SIZE || !is_power_of_2(block_size)) {
        error_setg(errp, "Invalid block size %" PRIu32, block_size);
        return -EINVAL;
    }
    if (entries > INT_MAX / 4) {
        error_setg(errp, "Max Table Entries too large (%d)", (int)entries);
        return -EINVAL;
    }
    if ((uint64_t)entries * block_size < sectors * VPC_SECTOR_SIZE) {
        error_setg(errp, "Page table too small");
        return -EINVAL;
    }
    s->block_size = block_size;
    s->max_table_entries = entries;
    s->bitmap_size = ROUND_UP(block_size / VPC_SECTOR_SIZE / 8,
                              VPC_SECTOR_SIZE);
    s->bat_offset = ldq_be_p(hdr + VPC_DH_TABLE_OFFSET);
    return 0;
}

/*
 * Load the BAT and find where the next block goes: past the BAT and
 * past every used block.  That must not lie beyond the end of the file.
 */
static int GRAPH_RDLOCK vpc_load_bat(BlockDriverState *bs, Error **errp)
{
    BDRVVPCState *s = bs->opaque;
    uint64_t bat_bytes = (uint64_t)s->max_table_entries * 4;
    uint64_t next = ROUND_UP(s->bat_offset + bat_bytes, VPC_SECTOR_SIZE);
    int64_t file_len = bdrv_getlength(bs->file->bs);
    int64_t avail;
    int ret;

    if (file_len < 0) {
        error_setg(errp, "Invalid file size");
        return file_len;
    }
    /* A table the block layer would refuse to read: 7.2 fails the read */
    if (s->bat_offset > BDRV_MAX_LENGTH ||
        bat_bytes > BDRV_MAX_LENGTH - s->bat_offset) {
        error_setg(errp, "Error reading pagetable");
        return -EIO;
    }
    /* Past the end of the file it would read zeroes: no need to look */
    if (next > file_len) {
        goto truncated;
    }
    s->bat = g_try_malloc(MAX(bat_bytes, 1));
    if (!s->bat) {
        error_setg(errp, "Could not allocate memory");
        return -ENOMEM;
    }
    avail = MIN((int64_t)bat_bytes, file_len - (int64_t)s->bat_offset);
    if (avail > 0) {
        ret = bdrv_pread(bs->file, s->bat_offset, avail, s->bat, 0);
        if (ret < 0) {
            error_setg(errp, "Error reading pagetable");
            return ret;
        }
    }
    for (uint32_t i = 0; i < s->max_table_entries; i++) {
        uint64_t end;

        s->bat[i] = be32_to_cpu(s->bat[i]);
        if (s->bat[i] == VPC_BAT_UNUSED) {
            continue;
        }
        end = (uint64_t)s->bat[i] * VPC_SECTOR_SIZE + s->bitmap_size +
              s->block_size;
        next = MAX(next, end);
    }
    if (next > file_len) {
        goto truncated;
    }
    s->free_data_block_offset = next;
    return 0;

truncated:
    error_setg(errp, "block-vpc: free_data_block_offset points after the "
               "end of file. The image has been truncated.");
    return -EINVAL;
}

static void vpc_close(BlockDriverState *bs)
{
    BDRVVPCState *s = bs->opaque;

    g_clear_pointer(&s->bat, g_free);
}

static int GRAPH_RDLOCK vpc_do_open(BlockDriverState *bs, Error **errp)
{
    BDRVVPCState *s = bs->opaque;
    uint8_t hdr[VPC_DYN_HEADER_SIZE];
    uint64_t sectors;
    bool at_start;
    int ret;

    ret = vpc_read_footer(bs, &at_start, errp);
    if (ret < 0) {
        return ret;
    }
    sectors = vpc_footer_sectors(s->footer);
    if (sectors > VPC_MAX_SECTORS) {
        return -EFBIG;          /* the core words it "File too large" */
    }
    s->fixed = ldl_be_p(s->footer + VPC_FT_TYPE) == VPC_TYPE_FIXED;
    /*
     * Like 7.2, a footer at offset 0 means a dynamic header to check,
     * whatever the disk type says (a fixed disk's data offset is all
     * ones: that read fails).  Only the type decides how I/O maps.
     */
    if (at_start) {
        ret = bdrv_pread(bs->file,
                         ldq_be_p(s->footer + VPC_FT_DATA_OFFSET),
                         sizeof(hdr), hdr, 0);
        if (ret < 0) {
            error_setg(errp, "Error reading dynamic VHD header");
            return ret;
        }
        ret = vpc_parse_dyn_header(s, hdr, sectors, errp);
        if (ret == 0) {
            ret = vpc_load_bat(bs, errp);
        }
        if (ret < 0) {
            return ret;
        }
    }
    bs->total_sectors = sectors;
    return 0;
}

static int vpc_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVVPCState *s = bs->opaque;
    int ret;

    if (!bdrv_open_child(NULL, options, "file", bs, &child_of_bds,
                         BDRV_CHILD_IMAGE | BDRV_CHILD_PRIMARY, false,
                         errp)) {
        return -EINVAL;
    }
    bdrv_graph_rdlock_main_loop();
    ret = vpc_do_open(bs, errp);
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        vpc_close(bs);
        return ret;
    }
    qemu_co_mutex_init(&s->lock);
    return 0;
}

static int vpc_reopen_prepare(BDRVReopenState *state,
                              BlockReopenQueue *queue, Error **errp)
{
    /* Nothing is cached that read-only or read-write would change. */
    return 0;
}

static void vpc_refresh_limits(BlockDriverState *bs, Error **errp)
{
    bs->bl.request_alignment = VPC_SECTOR_SIZE;
}

/* --- Mapping ------------------------------------------------------------ */

static uint32_t vpc_bat_entry(BDRVVPCState *s, uint64_t block)
{
    return qatomic_read(&s->bat[block]);
}

/*
 * The piece of the request at image offset @offset that stays in one
 * block (at most @bytes): its length; *@host gets its file offset, or
 * -1 if the block is unallocated (or past the BAT: reads as zeroes).
 */
static int64_t vpc_map(BDRVVPCState *s, int64_t offset, int64_t bytes,
                       int64_t *host)
{
    uint64_t block;
    int64_t in_block;
    uint32_t entry = VPC_BAT_UNUSED;

    if (s->fixed) {             /* no block size: the file is the disk */
        *host = offset;
        return bytes;
    }
    block = offset / s->block_size;
    in_block = offset % s->block_size;
    if (block < s->max_table_entries) {
        entry = vpc_bat_entry(s, block);
    }
    *host = entry == VPC_BAT_UNUSED ? -1 :
            (int64_t)entry * VPC_SECTOR_SIZE + s->bitmap_size + in_block;
    return MIN(bytes, s->block_size - in_block);
}

/*
 * The lock discipline of both data paths, kept as 7.2 has it because it
 * decides the order in which blocks get allocated: a request holds
 * s->lock from its start to its end, except while its data moves to or
 * from the file.  CoMutex hand-off is first come, first served, so a
 * request that waits for the lock again after a data write comes after
 * those that queued meanwhile.  Fixed images take no lock.
 */

static int coroutine_fn GRAPH_RDLOCK
vpc_co_preadv_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, size_t qiov_offset,
                   BdrvRequestFlags flags)
{
    BDRVVPCState *s = bs->opaque;
    int ret = 0;

    if (s->fixed) {
        return bdrv_co_preadv_part(bs->file, offset, bytes, qiov,
                                   qiov_offset, 0);
    }
    qemu_co_mutex_lock(&s->lock);
    while (bytes > 0) {
        int64_t host;
        int64_t n = vpc_map(s, offset, bytes, &host);

        if (host < 0) {
            qemu_iovec_memset(qiov, qiov_offset, 0, n);
        } else {
            qemu_co_mutex_unlock(&s->lock);
            ret = bdrv_co_preadv_part(bs->file, host, n, qiov, qiov_offset,
                                      0);
            qemu_co_mutex_lock(&s->lock);
            if (ret < 0) {
                break;
            }
        }
        offset += n;
        bytes -= n;
        qiov_offset += n;
    }
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/*
 * A fixed image is its file.  In a dynamic one an allocated block is
 * data (its holes are not looked at) and a run of unallocated blocks
 * reads as zeroes.
 */
static int coroutine_fn GRAPH_RDLOCK
vpc_co_block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                    int64_t bytes, int64_t *pnum, int64_t *map,
                    BlockDriverState **file)
{
    BDRVVPCState *s = bs->opaque;
    int64_t host;
    int64_t n;

    if (s->fixed) {
        *pnum = bytes;
        *map = offset;
        *file = bs->file->bs;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID |
               BDRV_BLOCK_RECURSE;
    }
    n = vpc_map(s, offset, bytes, &host);
    if (host >= 0) {
        *pnum = n;
        *map = host;
        *file = bs->file->bs;
        return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID;
    }
    *pnum = n;
    while (*pnum < bytes) {
        n = vpc_map(s, offset + *pnum, bytes - *pnum, &host);
        if (host >= 0) {
            break;
        }
        *pnum += n;
    }
    return BDRV_BLOCK_ZERO;
}

/* --- Writing ------------------------------------------------------------ */

/*
 * Give @block a data block where the trailing footer is: its bitmap
 * (all ones: every sector present), then the footer behind the block,
 * then the BAT sector holding the new entry.  With s->lock held.
 */
static int coroutine_fn GRAPH_RDLOCK
vpc_co_alloc_block(BlockDriverState *bs, uint64_t block)
{
    BDRVVPCState *s = bs->opaque;
    int64_t at = s->free_data_block_offset;
    int64_t footer_at = at + s->bitmap_size + s->block_size;
    uint64_t bat_pos = QEMU_ALIGN_DOWN(block * 4, VPC_SECTOR_SIZE);
    uint32_t bat_sector[VPC_SECTOR_SIZE / 4];
    g_autofree uint8_t *bitmap = NULL;
    int ret;

    if (at / VPC_SECTOR_SIZE >= VPC_BAT_UNUSED) {
        return -ENOSPC;
    }
    bitmap = g_try_malloc(s->bitmap_size);
    if (!bitmap) {
        return -ENOMEM;
    }
    memset(bitmap, 0xff, s->bitmap_size);
    ret = bdrv_co_pwrite(bs->file, at, s->bitmap_size, bitmap, 0);
    if (ret < 0) {
        return ret;
    }
    ret = bdrv_co_pwrite(bs->file, footer_at, VPC_FOOTER_SIZE, s->footer, 0);
    if (ret < 0) {
        return ret;
    }
    s->free_data_block_offset = footer_at;
    qatomic_set(&s->bat[block], at / VPC_SECTOR_SIZE);

    /* The sector of the BAT, as it is in memory (the tail may be short) */
    for (size_t i = 0; i < ARRAY_SIZE(bat_sector); i++) {
        uint64_t e = bat_pos / 4 + i;

        bat_sector[i] = cpu_to_be32(e < s->max_table_entries ?
                                    vpc_bat_entry(s, e) : VPC_BAT_UNUSED);
    }
    return bdrv_co_pwrite(bs->file, s->bat_offset + bat_pos,
                          MIN(VPC_SECTOR_SIZE,
                              (uint64_t)s->max_table_entries * 4 - bat_pos),
                          bat_sector, 0);
}

static int coroutine_fn GRAPH_RDLOCK
vpc_co_pwritev_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, size_t qiov_offset,
                    BdrvRequestFlags flags)
{
    BDRVVPCState *s = bs->opaque;
    int ret = 0;

    if (s->fixed) {
        return bdrv_co_pwritev_part(bs->file, offset, bytes, qiov,
                                    qiov_offset, 0);
    }
    qemu_co_mutex_lock(&s->lock);
    while (bytes > 0) {
        int64_t host;
        int64_t n = vpc_map(s, offset, bytes, &host);

        if (host < 0) {
            uint64_t block = offset / s->block_size;

            /* Cannot happen: open checked the table covers the image */
            ret = block < s->max_table_entries ?
                  vpc_co_alloc_block(bs, block) : -EIO;
            if (ret < 0) {
                break;
            }
            n = vpc_map(s, offset, bytes, &host);
        }
        qemu_co_mutex_unlock(&s->lock);
        ret = bdrv_co_pwritev_part(bs->file, host, n, qiov, qiov_offset, 0);
        qemu_co_mutex_lock(&s->lock);
        if (ret < 0) {
            break;
        }
        offset += n;
        bytes -= n;
        qiov_offset += n;
    }
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/* --- Information -------------------------------------------------------- */

static int coroutine_fn GRAPH_RDLOCK
vpc_co_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    BDRVVPCState *s = bs->opaque;

    if (!s->fixed) {
        bdi->cluster_size = s->block_size;
    }
    return 0;
}

/* Dynamic images read as zeroes; fixed ones as their file does. */
static int GRAPH_RDLOCK vpc_has_zero_init(BlockDriverState *bs)
{
    BDRVVPCState *s = bs->opaque;

    if (s->fixed) {
        return bdrv_has_zero_init(bs->file->bs);
    }
    return 1;
}

BlockDriver bdrv_vpc = {
    .format_name                = "vpc",
    .instance_size              = sizeof(BDRVVPCState),
    .is_format                  = true,
    .create_opts                = &vpc_create_opts,

    .bdrv_probe                 = vpc_probe,
    .bdrv_open                  = vpc_open,
    .bdrv_close                 = vpc_close,
    .bdrv_reopen_prepare        = vpc_reopen_prepare,
    .bdrv_child_perm            = bdrv_default_perms,
    .bdrv_co_create_opts        = vpc_co_create_opts,
    .bdrv_refresh_limits        = vpc_refresh_limits,
    .bdrv_has_zero_init         = vpc_has_zero_init,

    .bdrv_co_preadv_part        = vpc_co_preadv_part,
    .bdrv_co_pwritev_part       = vpc_co_pwritev_part,
    .bdrv_co_block_status       = vpc_co_block_status,
    .bdrv_co_get_info           = vpc_co_get_info,
};

static void bdrv_vpc_init(void)
{
    bdrv_register(&bdrv_vpc);
}

block_init(bdrv_vpc_init);
