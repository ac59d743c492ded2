/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/vdi.c: the "vdi" format driver (VirtualBox disk images, header
 * version 1.1), with QEMU 7.2's observable behaviour: the same header
 * checks and messages at open, the same file layout from create and from
 * writes (a block is placed at the end of the data area the first time
 * it is written, zero-filled around the data), the same check verdicts.
 * The image is a 512-byte header sector, a block map of 32-bit
 * little-endian entries (image block -> data block, 0xffffffff
 * unallocated, 0xfffffffe discarded, both reading as zeroes) and the
 * data area, in 1 MiB blocks.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "qemu/bitmap.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"

#define VDI_SIGNATURE           0xbeda107fu
#define VDI_VERSION_1_1         0x00010001u
#define VDI_HEADER_SIZE_1_1     0x180       /* what create writes */
#define VDI_TYPE_DYNAMIC        1
#define VDI_TYPE_STATIC         2
#define VDI_SECTOR_SIZE         512
#define VDI_BLOCK_SIZE          (1 * MiB)
#define VDI_BLOCK_BITS          20
#define VDI_UNALLOCATED         0xffffffffu
#define VDI_DISCARDED           0xfffffffeu
#define VDI_IS_ALLOCATED(e)     ((e) < VDI_DISCARDED)

/* The block map may take at most INT_MAX bytes, in whole sectors. */
#define VDI_BLOCKS_MAX \
    ((uint32_t)((INT32_MAX & ~(VDI_SECTOR_SIZE - 1)) / sizeof(uint32_t)))
#define VDI_DISK_SIZE_MAX       ((uint64_t)VDI_BLOCKS_MAX * VDI_BLOCK_SIZE)

/* The text QEMU puts in front of the header proper. */
#define VDI_TEXT                "<<< QEMU VM Virtual Disk Image >>>\n"

/* Byte offsets of the header fields in sector 0 (all little-endian). */
enum {
    VDI_OFS_TEXT = 0x00,            /* 64 bytes of free text */
    VDI_OFS_SIGNATURE = 0x40,
    VDI_OFS_VERSION = 0x44,
    VDI_OFS_HEADER_SIZE = 0x48,
    VDI_OFS_IMAGE_TYPE = 0x4c,
    VDI_OFS_IMAGE_FLAGS = 0x50,
    VDI_OFS_DESCRIPTION = 0x54,     /* 256 bytes */
    VDI_OFS_OFFSET_BMAP = 0x154,
    VDI_OFS_OFFSET_DATA = 0x158,
    VDI_OFS_CYLINDERS = 0x15c,      /* legacy geometry, left zero */
    VDI_OFS_HEADS = 0x160,
    VDI_OFS_SECTORS = 0x164,
    VDI_OFS_SECTOR_SIZE = 0x168,
    VDI_OFS_DISK_SIZE = 0x170,      /* 64 bits */
    VDI_OFS_BLOCK_SIZE = 0x178,
    VDI_OFS_BLOCK_EXTRA = 0x17c,    /* ignored, as 7.2 does */
    VDI_OFS_BLOCKS_IN_IMAGE = 0x180,
    VDI_OFS_BLOCKS_ALLOCATED = 0x184,
    VDI_OFS_UUID_IMAGE = 0x188,     /* 16 bytes each */
    VDI_OFS_UUID_LAST_SNAP = 0x198,
    VDI_OFS_UUID_LINK = 0x1a8,
    VDI_OFS_UUID_PARENT = 0x1b8,
};

typedef struct BDRVVdiState {
    /*
     * Sector 0 as read at open.  Written back whole when a block is
     * allocated, with the (rounded) disk size and the new allocation
     * count patched in; all other bytes stay as they were.
     */
    uint8_t header[VDI_SECTOR_SIZE];
    uint64_t disk_size;         /* rounded up to a sector */
    uint32_t image_type;
    uint32_t offset_bmap;
    uint32_t offset_data;
    uint32_t blocks_in_image;
    /*
     * The block map, little-endian as on disk, in whole sectors (the
     * tail past blocks_in_image entries is kept as read).  An entry only
     * ever changes from unallocated to allocated, under alloc_lock and
     * after its data block is on disk; lookups read it atomically.
     */
    uint32_t *bmap;
    size_t bmap_bytes;
    /* Serialises allocations; guards blocks_allocated and the writes. */
    CoMutex alloc_lock;
    uint32_t blocks_allocated;
} BDRVVdiState;

static uint32_t hdr32(const uint8_t *hdr, int ofs)
{
    return (uint32_t)ldl_le_p(hdr + ofs);
}

static uint32_t vdi_entry(BDRVVdiState *s, uint64_t block)
{
    return le32_to_cpu(qatomic_read(&s->bmap[block]));
}

/* Where image byte @in_block of data block @entry lives in the file. */
static int64_t vdi_data_offset(BDRVVdiState *s, uint32_t entry,
                               int64_t in_block)
{
    return s->offset_data + ((int64_t)entry << VDI_BLOCK_BITS) + in_block;
}

static int vdi_probe(const uint8_t *buf, int buf_size, const char *filename)
{
    if (buf_size < VDI_OFS_SIGNATURE + 4) {
        return 0;
    }
    return hdr32(buf, VDI_OFS_SIGNATURE) == VDI_SIGNATURE ? 100 : 0;
}

/* --- Open ----------------------------------------------------------------- */

static bool uuid_is_null(const uint8_t *uuid)
{
    static const uint8_t zero[16];

    return !memcmp(uuid, zero, sizeof(zero));
}

/*
 * Check the header in s->header and fill in the geometry, in 7.2's order
 * of checks (the size limit comes before even the signature).
 */
static int vdi_parse_header(BDRVVdiState *s, Error **errp)
{
    const uint8_t *h = s->header;
    uint64_t disk_size = ldq_le_p(h + VDI_OFS_DISK_SIZE);
    uint32_t version = hdr32(h, VDI_OFS_VERSION);
    uint32_t sector_size = hdr32(h, VDI_OFS_SECTOR_SIZE);
    uint32_t block_size = hdr32(h, VDI_OFS_BLOCK_SIZE);
    uint64_t room;

    if (disk_size > VDI_DISK_SIZE_MAX) {
        error_setg(errp, "Unsupported VDI image size (size is 0x%" PRIx64
                   ", max supported is 0x%" PRIx64 ")", disk_size,
                   VDI_DISK_SIZE_MAX);
        return -ENOTSUP;
    }
    /* Odd sizes (VBoxManage convertfromraw makes them) count whole. */
    s->disk_size = ROUND_UP(disk_size, VDI_SECTOR_SIZE);
    s->image_type = hdr32(h, VDI_OFS_IMAGE_TYPE);
    s->offset_bmap = hdr32(h, VDI_OFS_OFFSET_BMAP);
    s->offset_data = hdr32(h, VDI_OFS_OFFSET_DATA);
    s->blocks_in_image = hdr32(h, VDI_OFS_BLOCKS_IN_IMAGE);
    s->blocks_allocated = hdr32(h, VDI_OFS_BLOCKS_ALLOCATED);
    room = (uint64_t)s->blocks_in_image * block_size;

    if (hdr32(h, VDI_OFS_SIGNATURE) != VDI_SIGNATURE) {
        error_setg(errp, "Image not in VDI format (bad signature %08" PRIx32
                   ")", hdr32(h, VDI_OFS_SIGNATURE));
    } else if (version != VDI_VERSION_1_1) {
        error_setg(errp, "unsupported VDI image (version %" PRIu32 ".%"
                   PRIu32 ")", version >> 16, version & 0xffff);
    } else if (s->offset_bmap % VDI_SECTOR_SIZE) {
        error_setg(errp, "unsupported VDI image (unaligned block map offset "
                   "0x%" PRIx32 ")", s->offset_bmap);
    } else if (s->offset_data % VDI_SECTOR_SIZE) {
        error_setg(errp, "unsupported VDI image (unaligned data offset 0x%"
                   PRIx32 ")", s->offset_data);
    } else if (sector_size != VDI_SECTOR_SIZE) {
        error_setg(errp, "unsupported VDI image (sector size %" PRIu32
                   " is not %u)", sector_size, VDI_SECTOR_SIZE);
    } else if (block_size != VDI_BLOCK_SIZE) {
        error_setg(errp, "unsupported VDI image (block size %" PRIu32
                   " is not %u)", block_size, (unsigned)VDI_BLOCK_SIZE);
    } else if (s->disk_size > room) {
        error_setg(errp, "unsupported VDI image (disk size %" PRIu64 ", "
                   "image bitmap has room for %" PRIu64 ")", s->disk_size,
                   room);
    } else if (!uuid_is_null(h + VDI_OFS_UUID_LINK)) {
        error_setg(errp, "unsupported VDI image (non-NULL link UUID)");
    } else if (!uuid_is_null(h + VDI_OFS_UUID_PARENT)) {
        error_setg(errp, "unsupported VDI image (non-NULL parent UUID)");
    } else if (s->blocks_in_image > VDI_BLOCKS_MAX) {
        error_setg(errp, "unsupported VDI image (too many blocks %" PRIu32
                   ", max is %" PRIu32 ")", s->blocks_in_image,
                   VDI_BLOCKS_MAX);
    } else {
        return 0;
    }
    return -ENOTSUP;
}

/*
 * Load the block map.  What lies past the end of the file reads as
 * zeroes (as a read past the end would), without asking the file for it.
 */
static int GRAPH_RDLOCK vdi_load_bmap(BlockDriverState *bs)
{
    BDRVVdiState *s = bs->opaque;
    int64_t file_len, avail;

    s->bmap_bytes = ROUND_UP((size_t)s->blocks_in_image * sizeof(uint32_t),
                             VDI_SECTOR_SIZE);
    if (!s->bmap_bytes) {
        return 0;
    }
    s->bmap = g_try_malloc0(s->bmap_bytes);
    if (!s->bmap) {
        return -ENOMEM;
    }
    file_len = bdrv_getlength(bs->file->bs);
    if (file_len < 0) {
        return file_len;
    }
    avail = MIN((int64_t)s->bmap_bytes, file_len - s->offset_bmap);
    if (avail <= 0) {
        return 0;
    }
    return bdrv_pread(bs->file, s->offset_bmap, avail, s->bmap, 0);
}

static void vdi_close(BlockDriverState *bs)
{
    BDRVVdiState *s = bs->opaque;

    g_clear_pointer(&s->bmap, g_free);
}

static int vdi_open(BlockDriverState *bs, QDict *options, int flags,
                    Error **errp)
{
    BDRVVdiState *s = bs->opaque;
    int ret;

    if (!bdrv_open_child(NULL, options, "file", bs, &child_of_bds,
                         BDRV_CHILD_IMAGE | BDRV_CHILD_PRIMARY, false,
                         errp)) {
        return -EINVAL;
    }
    bdrv_graph_rdlock_main_loop();
    /* A short file reads as zeroes past its end: no signature then. */
    ret = bdrv_pread(bs->file, 0, sizeof(s->header), s->header, 0);
    if (ret == 0) {
        ret = vdi_parse_header(s, errp);
    }
    if (ret == 0) {
        ret = vdi_load_bmap(bs);
    }
    bdrv_graph_rdunlock_main_loop();
    if (ret < 0) {
        vdi_close(bs);
        return ret;
    }
    bs->total_sectors = s->disk_size / BDRV_SECTOR_SIZE;
    qemu_co_mutex_init(&s->alloc_lock);
    return 0;
}

static int vdi_reopen_prepare(BDRVReopenState *state,
                              BlockReopenQueue *queue, Error **errp)
{
    /* Nothing is cached that a switch to read-only would have to save. */
    return 0;
}

static void vdi_refresh_limits(BlockDriverState *bs, Error **errp)
{
    bs->bl.request_alignment = VDI_SECTOR_SIZE;
}

/* --- Reading and block status ----------------------------------------- */

/*
 * The run of blocks from image byte @offset (at most @bytes long) that
 * are all unallocated, or all allocated to consecutive data blocks:
 * its length; *@entry gets the first block's map entry.
 */
static int64_t vdi_extent(BDRVVdiState *s, int64_t offset, int64_t bytes,
                          uint32_t *entry)
{
    uint64_t block = offset >> VDI_BLOCK_BITS;
    int64_t len = MIN(bytes, VDI_BLOCK_SIZE - (offset & (VDI_BLOCK_SIZE - 1)));
    uint32_t first = vdi_entry(s, block);

    *entry = first;
    while (len < bytes) {
        uint32_t next = vdi_entry(s, ++block);

        if (VDI_IS_ALLOCATED(first)
            ? !VDI_IS_ALLOCATED(next) ||
              next != first + (block - (offset >> VDI_BLOCK_BITS))
            : VDI_IS_ALLOCATED(next)) {
            break;
        }
        len = MIN(bytes, len + VDI_BLOCK_SIZE);
    }
    return len;
}

static int coroutine_fn GRAPH_RDLOCK
vdi_co_preadv_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                   QEMUIOVector *qiov, size_t qiov_offset,
                   BdrvRequestFlags flags)
{
    BDRVVdiState *s = bs->opaque;

    while (bytes > 0) {
        uint32_t entry;
        int64_t n = vdi_extent(s, offset, bytes, &entry);

        if (VDI_IS_ALLOCATED(entry)) {
            int64_t at = vdi_data_offset(s, entry,
                                         offset & (VDI_BLOCK_SIZE - 1));
            int ret = bdrv_co_preadv_part(bs->file, at, n, qiov, qiov_offset,
                                          0);
            if (ret < 0) {
                return ret;
            }
        } else {
            qemu_iovec_memset(qiov, qiov_offset, 0, n);
        }
        offset += n;
        bytes -= n;
        qiov_offset += n;
    }
    return 0;
}

/*
 * One block at a time: unallocated blocks read as zeroes, allocated ones
 * are data.  Only for a static image (whose blocks start out as holes in
 * the file) the core is asked to look at the file for zeroes, as 7.2.
 */
static int coroutine_fn GRAPH_RDLOCK
vdi_co_block_status(BlockDriverState *bs, bool want_zero, int64_t offset,
                    int64_t bytes, int64_t *pnum, int64_t *map,
                    BlockDriverState **file)
{
    BDRVVdiState *s = bs->opaque;
    int64_t in_block = offset & (VDI_BLOCK_SIZE - 1);
    uint32_t entry = vdi_entry(s, offset >> VDI_BLOCK_BITS);

    *pnum = MIN(bytes, VDI_BLOCK_SIZE - in_block);
    if (!VDI_IS_ALLOCATED(entry)) {
        return BDRV_BLOCK_ZERO;
    }
    *map = vdi_data_offset(s, entry, in_block);
    *file = bs->file->bs;
    return BDRV_BLOCK_DATA | BDRV_BLOCK_OFFSET_VALID |
           (s->image_type == VDI_TYPE_STATIC ? BDRV_BLOCK_RECURSE : 0);
}

/* --- Writing ------------------------------------------------------------ */

/* Blocks a write request allocated; metadata is written once at its end. */
typedef struct VdiAlloc {
    bool locked;                /* holds s->alloc_lock */
    uint64_t first;             /* lowest and highest new block */
    uint64_t last;
} VdiAlloc;

/*
 * Write @n bytes at image offset @offset into unallocated block @block:
 * it gets the next data block, written whole (zeroes around the data),
 * and only then its map entry is published.  With alloc_lock held.
 */
static int coroutine_fn GRAPH_RDLOCK
vdi_co_alloc_block(BlockDriverState *bs, uint64_t block, int64_t offset,
                   int64_t n, QEMUIOVector *qiov, size_t qiov_offset)
{
    BDRVVdiState *s = bs->opaque;
    int64_t in_block = offset & (VDI_BLOCK_SIZE - 1);
    uint32_t entry = s->blocks_allocated;
    int64_t at = vdi_data_offset(s, entry, 0);
    int ret;

    if (!VDI_IS_ALLOCATED(entry)) {
        return -ENOSPC;         /* the header's count is at the limit */
    }
    if (n == VDI_BLOCK_SIZE) {
        ret = bdrv_co_pwritev_part(bs->file, at, n, qiov, qiov_offset, 0);
    } else {
        uint8_t *buf = qemu_try_blockalign0(bs->file->bs, VDI_BLOCK_SIZE);

        if (!buf) {
            return -ENOMEM;
        }
        qemu_iovec_to_buf(qiov, qiov_offset, buf + in_block, n);
        ret = bdrv_co_pwrite(bs->file, at, VDI_BLOCK_SIZE, buf, 0);
        qemu_vfree(buf);
    }
    if (ret < 0) {
        return ret;
    }
    s->blocks_allocated = entry + 1;
    qatomic_set(&s->bmap[block], cpu_to_le32(entry));
    return 0;
}

/*
 * After a request that allocated blocks: the header (new count, disk
 * size rounded), then the map sectors holding the new entries, as 7.2
 * writes them.  Drops alloc_lock.
 */
static int coroutine_fn GRAPH_RDLOCK
vdi_co_alloc_finish(BlockDriverState *bs, VdiAlloc *a)
{
    BDRVVdiState *s = bs->opaque;
    uint64_t start, end;
    int ret = 0;

    if (a->first <= a->last) {
        stq_le_p(s->header + VDI_OFS_DISK_SIZE, s->disk_size);
        stl_le_p(s->header + VDI_OFS_BLOCKS_ALLOCATED, s->blocks_allocated);
        ret = bdrv_co_pwrite(bs->file, 0, VDI_SECTOR_SIZE, s->header, 0);
        start = QEMU_ALIGN_DOWN(a->first * sizeof(uint32_t), VDI_SECTOR_SIZE);
        end = QEMU_ALIGN_UP((a->last + 1) * sizeof(uint32_t),
                            VDI_SECTOR_SIZE);
        if (ret == 0) {
            ret = bdrv_co_pwrite(bs->file, s->offset_bmap + start,
                                 end - start, (uint8_t *)s->bmap + start, 0);
        }
    }
    qemu_co_mutex_unlock(&s->alloc_lock);
    a->locked = false;
    return ret;
}

/*
 * Runs of allocated blocks are written in place.  The first unallocated
 * block takes alloc_lock for the rest of the request (so allocations
 * follow the order requests arrive in, and one request's blocks are
 * consecutive); a block someone allocated meanwhile is written in place.
 */
static int coroutine_fn GRAPH_RDLOCK
vdi_co_pwritev_part(BlockDriverState *bs, int64_t offset, int64_t bytes,
                    QEMUIOVector *qiov, size_t qiov_offset,
                    BdrvRequestFlags flags)
{
    BDRVVdiState *s = bs->opaque;
    VdiAlloc a = { .first = UINT64_MAX, .last = 0 };
    int ret = 0, ret2;

    while (bytes > 0) {
        uint64_t block = offset >> VDI_BLOCK_BITS;
        uint32_t entry;
        int64_t n = vdi_extent(s, offset, bytes, &entry);

        if (!VDI_IS_ALLOCATED(entry) && !a.locked) {
            qemu_co_mutex_lock(&s->alloc_lock);
            a.locked = true;
            n = vdi_extent(s, offset, bytes, &entry);
        }
        if (VDI_IS_ALLOCATED(entry)) {
            int64_t at = vdi_data_offset(s, entry,
                                         offset & (VDI_BLOCK_SIZE - 1));
            ret = bdrv_co_pwritev_part(bs->file, at, n, qiov, qiov_offset,
                                       0);
        } else {
            n = MIN(n, VDI_BLOCK_SIZE - (offset & (VDI_BLOCK_SIZE - 1)));
            ret = vdi_co_alloc_block(bs, block, offset, n, qiov,
                                     qiov_offset);
            if (ret == 0) {
                a.first = MIN(a.first, block);
                a.last = MAX(a.last, block);
            }
        }
        if (ret < 0) {
            break;
        }
        offset += n;
        bytes -= n;
        qiov_offset += n;
    }
    if (a.locked) {
        ret2 = vdi_co_alloc_finish(bs, &a);
        ret = ret < 0 ? ret : ret2;
    }
    return ret;
}

/* --- Information and check -------------------------------------------- */

static int coroutine_fn GRAPH_RDLOCK
vdi_co_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    bdi->cluster_size = VDI_BLOCK_SIZE;
    return 0;
}

/* Dynamic images read as zeroes; static ones as their (sparse) file. */
static int GRAPH_RDLOCK vdi_has_zero_init(BlockDriverState *bs)
{
    BDRVVdiState *s = bs->opaque;

    if (s->image_type == VDI_TYPE_STATIC) {
        return bdrv_has_zero_init(bs->file->bs);
    }
    return 1;
}

/*
 * Every allocated entry must name a data block inside the image, no data
 * block may be used twice, and the header's allocation count must equal
 * the number of allocated entries.  Each failure is one corruption,
 * reported in 7.2's words; 7.2 repairs nothing.
 */
static int coroutine_fn GRAPH_RDLOCK
vdi_co_check(BlockDriverState *bs, BdrvCheckResult *res, BdrvCheckMode fix)
{
    BDRVVdiState *s = bs->opaque;
    g_autofree unsigned long *used = NULL;
    uint32_t count = 0;

    if (fix) {
        return -ENOTSUP;
    }
    used = g_try_new0(unsigned long, BITS_TO_LONGS(s->blocks_in_image) + 1);
    if (!used) {
        res->check_errors++;
        return -ENOMEM;
    }
    for (uint32_t block = 0; block < s->blocks_in_image; block++) {
        uint32_t entry = vdi_entry(s, block);

        if (!VDI_IS_ALLOCATED(entry)) {
            continue;
        }
        if (entry >= s->blocks_in_image) {
            fprintf(stderr, "ERROR: block index %" PRIu32 " too large, is %"
                    PRIu32 "\n", block, entry);
            res->corruptions++;
            continue;
        }
        count++;
        if (test_bit(entry, used)) {
            fprintf(stderr, "ERROR: block index %" PRIu32 " also used by %"
                    PRIu32 "\n", entry, entry);
            res->corruptions++;
        }
        set_bit(entry, used);
    }
    qemu_co_mutex_lock(&s->alloc_lock);
    if (count != s->blocks_allocated) {
        fprintf(stderr, "ERROR: allocated blocks mismatch, is %" PRIu32
                ", should be %" PRIu32 "\n", count, s->blocks_allocated);
        res->corruptions++;
    }
    qemu_co_mutex_unlock(&s->alloc_lock);
    return 0;
}

/* --- Create ------------------------------------------------------------- */

/* In QEMU 7.2's order (qemu-img create prints set options in it). */
static QemuOptsList vdi_create_opts = {
    .name = "vdi-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(vdi_create_opts.head),
    .desc = {
        { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Virtual disk size" },
        { .name = "static", .type = QEMU_OPT_BOOL,
          .help = "VDI static (pre-allocated) image",
          .def_value_str = "off" },
        { /* end of list */ }
    }
};

/*
 * A random (version 4) UUID in the byte order VirtualBox stores UUIDs
 * in: the first three fields little-endian, so the version nibble lands
 * in byte 7 and the variant bits in byte 8.
 */
static void vdi_random_uuid(uint8_t *uuid)
{
    for (int i = 0; i < 16; i += 4) {
        stl_le_p(uuid + i, g_random_int());
    }
    uuid[7] = (uuid[7] & 0x0f) | 0x40;
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
}

/* Sector 0 of a new image of @blocks blocks. */
static void vdi_make_header(uint8_t *h, uint64_t size, uint32_t blocks,
                            uint32_t offset_data, bool is_static)
{
    memset(h, 0, VDI_SECTOR_SIZE);
    memcpy(h + VDI_OFS_TEXT, VDI_TEXT, strlen(VDI_TEXT));
    stl_le_p(h + VDI_OFS_SIGNATURE, VDI_SIGNATURE);
    stl_le_p(h + VDI_OFS_VERSION, VDI_VERSION_1_1);
    stl_le_p(h + VDI_OFS_HEADER_SIZE, VDI_HEADER_SIZE_1_1);
    stl_le_p(h + VDI_OFS_IMAGE_TYPE,
             is_static ? VDI_TYPE_STATIC : VDI_TYPE_DYNAMIC);
    stl_le_p(h + VDI_OFS_OFFSET_BMAP, VDI_SECTOR_SIZE);
    stl_le_p(h + VDI_OFS_OFFSET_DATA, offset_data);
    stl_le_p(h + VDI_OFS_SECTOR_SIZE, VDI_SECTOR_SIZE);
    stq_le_p(h + VDI_OFS_DISK_SIZE, size);
    stl_le_p(h + VDI_OFS_BLOCK_SIZE, VDI_BLOCK_SIZE);
    stl_le_p(h + VDI_OFS_BLOCKS_IN_IMAGE, blocks);
    stl_le_p(h + VDI_OFS_BLOCKS_ALLOCATED, is_static ? blocks : 0);
    vdi_random_uuid(h + VDI_OFS_UUID_IMAGE);
    vdi_random_uuid(h + VDI_OFS_UUID_LAST_SNAP);
}

/*
 * The header, then the block map (every block unallocated, or for a
 * static image block i at data block i) in pieces of at most 1 MiB;
 * a static image's file is then sized to hold every block, sparse.
 */
static int coroutine_fn vdi_co_format(BlockBackend *blk, uint64_t size,
                                      bool is_static, Error **errp)
{
    uint32_t blocks = DIV_ROUND_UP(size, VDI_BLOCK_SIZE);
    uint64_t bmap_bytes = ROUND_UP((uint64_t)blocks * sizeof(uint32_t),
                                   VDI_SECTOR_SIZE);
    uint32_t offset_data = VDI_SECTOR_SIZE + bmap_bytes;
    size_t chunk = MIN(bmap_bytes, 1 * MiB);
    g_autofree uint8_t *buf = g_malloc(MAX(chunk, VDI_SECTOR_SIZE));
    uint32_t next = 0;
    int ret;

    vdi_make_header(buf, size, blocks, offset_data, is_static);
    ret = blk_co_pwrite(blk, 0, VDI_SECTOR_SIZE, buf, 0);
    for (uint64_t done = 0; ret == 0 && done < bmap_bytes; done += chunk) {
        size_t len = MIN(chunk, bmap_bytes - done);

        for (size_t i = 0; i < len; i += sizeof(uint32_t)) {
            /* The tail of the last map sector is left zero. */
            uint32_t e = next >= blocks ? 0 : is_static ? next
                                                        : VDI_UNALLOCATED;

            stl_le_p(buf + i, e);
            next++;
        }
        ret = blk_co_pwrite(blk, VDI_SECTOR_SIZE + done, len, buf, 0);
    }
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Error writing header or block map");
        return ret;
    }
    if (is_static) {
        ret = blk_co_truncate(blk, offset_data +
                              ((int64_t)blocks << VDI_BLOCK_BITS), false,
                              PREALLOC_MODE_OFF, 0, errp);
    }
    return ret;
}

/*
 * qemu-img create: the options other than size and static go to the
 * protocol driver, which creates the file empty (7.2 passes it no size,
 * so a preallocation mode has nothing to preallocate).  As in 7.2 the
 * size limit is checked once the file exists, and a file is left behind.
 */
static int coroutine_fn GRAPH_UNLOCKED
vdi_co_create_opts(BlockDriver *drv, const char *filename, QemuOpts *opts,
                   Error **errp)
{
    uint64_t size = ROUND_UP(qemu_opt_get_size_del(opts, BLOCK_OPT_SIZE, 0),
                             VDI_SECTOR_SIZE);
    bool is_static = qemu_opt_get_bool_del(opts, "static", false);
    BlockBackend *blk;
    int ret;

    ret = bdrv_co_create_file(filename, opts, errp);
    if (ret < 0) {
        return ret;
    }
    if (size > VDI_DISK_SIZE_MAX) {
        error_setg(errp, "Unsupported VDI image size (size is 0x%" PRIx64
                   ", max supported is 0x%" PRIx64 ")", size,
                   VDI_DISK_SIZE_MAX);
        return -ENOTSUP;
    }
    blk = blk_co_new_open(filename, NULL, NULL, BDRV_O_RDWR | BDRV_O_RESIZE |
                          BDRV_O_PROTOCOL, errp);
    if (!blk) {
        return -EIO;
    }
    blk_set_allow_write_beyond_eof(blk, true);
    ret = vdi_co_format(blk, size, is_static, errp);
    blk_co_unref(blk);
    return ret;
}

BlockDriver bdrv_vdi = {
    .format_name                = "vdi",
    .instance_size              = sizeof(BDRVVdiState),
    .is_format                  = true,
    .create_opts                = &vdi_create_opts,

    .bdrv_probe                 = vdi_probe,
    .bdrv_open                  = vdi_open,
    .bdrv_close                 = vdi_close,
    .bdrv_reopen_prepare        = vdi_reopen_prepare,
    .bdrv_child_perm            = bdrv_default_perms,
    .bdrv_co_create_opts        = vdi_co_create_opts,
    .bdrv_refresh_limits        = vdi_refresh_limits,
    .bdrv_has_zero_init         = vdi_has_zero_init,

    .bdrv_co_preadv_part        = vdi_co_preadv_part,
    .bdrv_co_pwritev_part       = vdi_co_pwritev_part,
    .bdrv_co_block_status       = vdi_co_block_status,
    .bdrv_co_get_info           = vdi_co_get_info,
    .bdrv_co_check              = vdi_co_check,
};

static void bdrv_vdi_init(void)
{
    bdrv_register(&bdrv_vdi);
}

block_init(bdrv_vdi_init);
