/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-header.c: the qcow2 image header: reading and checking the fixed
 * fields, the header extensions (backing format, feature name table,
 * bitmaps, external data file, encryption, unknown ones kept for the
 * rewrite), the feature bits, the L1 table, and writing the header back
 * (qcow2_update_header) together with the dirty and corrupt bits.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qcow2.h"

/*
 * Header extensions
 */

/* "Unsupported qcow2 feature(s): ..." naming the bits of @mask. */
static void report_unsupported_feature(Error **errp, Qcow2Feature *table,
                                       size_t n, uint64_t mask)
{
    g_autoptr(GString) list = g_string_new("");

    for (size_t i = 0; table && i < n && table[i].name[0]; i++) {
        uint64_t bit = 1ULL << (table[i].bit & 63);

        if (table[i].type == QCOW2_FEAT_TYPE_INCOMPATIBLE && (mask & bit)) {
            g_string_append_printf(list, "%s%.46s", list->len ? ", " : "",
                                   table[i].name);
            mask &= ~bit;
        }
    }
    if (mask) {
        g_string_append_printf(list, "%sUnknown incompatible feature: %"
                               PRIx64, list->len ? ", " : "", mask);
    }
    error_setg(errp, "Unsupported qcow2 feature(s): %s", list->str);
}

/* What the extension walk found that open needs afterwards. */
typedef struct Qcow2ExtInfo {
    Qcow2Feature *feature_table;
    size_t feature_table_len;
    bool have_bitmaps;
    bool have_crypto;
} Qcow2ExtInfo;

static int GRAPH_RDLOCK
read_one_extension(BlockDriverState *bs, uint32_t magic, uint32_t len,
                   const uint8_t *data, Qcow2ExtInfo *info, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    switch (magic) {
    case QCOW2_EXT_MAGIC_BACKING_FORMAT:
        if (len >= sizeof(bs->backing_format)) {
            error_setg(errp, "ERROR: ext_backing_format: len=%" PRIu32
                       " too large (>=%zu)", len, sizeof(bs->backing_format));
            return -EINVAL;
        }
        memcpy(bs->backing_format, data, len);
        bs->backing_format[len] = '\0';
        g_free(s->image_backing_format);
        s->image_backing_format = g_strdup(bs->backing_format);
        return 0;
    case QCOW2_EXT_MAGIC_FEATURE_TABLE:
        g_free(info->feature_table);
        info->feature_table_len = len / sizeof(Qcow2Feature);
        info->feature_table = g_memdup2(data, info->feature_table_len *
                                        sizeof(Qcow2Feature));
        return 0;
    case QCOW2_EXT_MAGIC_CRYPTO_HEADER:
        info->have_crypto = true;
        return qcow2_crypto_read_ext(bs, data, len, errp);
    case QCOW2_EXT_MAGIC_BITMAPS: {
        Qcow2BitmapHeaderExt ext;

        if (len != sizeof(ext)) {
            error_setg(errp, "bitmaps_ext: Invalid extension length");
            return -EINVAL;
        }
        memcpy(&ext, data, sizeof(ext));
        s->nb_bitmaps = be32_to_cpu(ext.nb_bitmaps);
        s->bitmap_directory_size = be64_to_cpu(ext.bitmap_directory_size);
        s->bitmap_directory_offset = be64_to_cpu(ext.bitmap_directory_offset);
        if (ext.reserved32) {
            error_setg(errp, "bitmaps_ext: Reserved field is not zero");
            return -EINVAL;
        }
        if (s->nb_bitmaps == 0) {
            error_setg(errp, "found bitmaps extension with zero bitmaps");
            return -EINVAL;
        }
        if (s->nb_bitmaps > QCOW2_MAX_BITMAPS) {
            error_setg(errp, "bitmaps_ext: Image has %" PRIu32 " bitmaps, "
                       "exceeding the QEMU supported maximum of %d",
                       s->nb_bitmaps, QCOW2_MAX_BITMAPS);
            return -EINVAL;
        }
        if (s->bitmap_directory_size > QCOW2_MAX_BITMAP_DIRECTORY_SIZE) {
            error_setg(errp, "bitmaps_ext: Bitmap directory size (%" PRIu64
                       ") exceeds the maximum supported size (%d)",
                       s->bitmap_directory_size,
                       QCOW2_MAX_BITMAP_DIRECTORY_SIZE);
            return -EINVAL;
        }
        if (offset_into_cluster(s, s->bitmap_directory_offset)) {
            error_setg(errp, "bitmaps_ext: invalid bitmap directory offset");
            return -EINVAL;
        }
        info->have_bitmaps = true;
        return 0;
    }
    case QCOW2_EXT_MAGIC_DATA_FILE:
        g_free(s->image_data_file);
        s->image_data_file = g_strndup((const char *)data, len);
        return 0;
    default: {
        Qcow2UnknownHeaderExtension *ext;

        ext = g_malloc0(sizeof(*ext) + len);
        ext->magic = magic;
        ext->len = len;
        memcpy(ext->data, data, len);
        QLIST_INSERT_HEAD(&s->unknown_header_ext, ext, next);
        return 0;
    }
    }
}

/*
 * Walk the extensions between @start and @end of the header cluster
 * @buf.  Unknown ones are kept (in reverse order; the header rewrite
 * restores the original order).
 */
static int GRAPH_RDLOCK
read_extensions(BlockDriverState *bs, const uint8_t *buf, uint64_t start,
                uint64_t end, Qcow2ExtInfo *info, Error **errp)
{
    uint64_t pos = start;

    while (pos + 8 <= end) {
        uint32_t magic = ldl_be_p(buf + pos);
        uint32_t len = ldl_be_p(buf + pos + 4);
        int ret;

        pos += 8;
        /* Even the end marker's length must fit (7.2 rejects it too). */
        if (len > end - pos) {
            error_setg(errp, "Header extension too large");
            return -EINVAL;
        }
        if (magic == QCOW2_EXT_MAGIC_END) {
            break;
        }
        ret = read_one_extension(bs, magic, len, buf + pos, info, errp);
        if (ret < 0) {
            return ret;
        }
        pos += ROUND_UP(len, 8);
    }
    return 0;
}

/*
 * Is [@offset, @offset + @entries * @entry_len) a sane place for a
 * metadata table?
 */
static int validate_table_offset(BlockDriverState *bs, uint64_t offset,
                                 uint64_t entries, size_t entry_len)
{
    BDRVQcow2State *s = bs->opaque;

    if (entries > INT64_MAX / entry_len) {
        return -EINVAL;
    }
    if (offset_into_cluster(s, offset) ||
        offset > INT64_MAX - entries * entry_len) {
        return -EINVAL;
    }
    return 0;
}

/*
 * Header
 */

static void header_to_cpu(QCowHeader *h)
{
    h->magic = be32_to_cpu(h->magic);
    h->version = be32_to_cpu(h->version);
    h->backing_file_offset = be64_to_cpu(h->backing_file_offset);
    h->backing_file_size = be32_to_cpu(h->backing_file_size);
    h->cluster_bits = be32_to_cpu(h->cluster_bits);
    h->size = be64_to_cpu(h->size);
    h->crypt_method = be32_to_cpu(h->crypt_method);
    h->l1_size = be32_to_cpu(h->l1_size);
    h->l1_table_offset = be64_to_cpu(h->l1_table_offset);
    h->refcount_table_offset = be64_to_cpu(h->refcount_table_offset);
    h->refcount_table_clusters = be32_to_cpu(h->refcount_table_clusters);
    h->nb_snapshots = be32_to_cpu(h->nb_snapshots);
    h->snapshots_offset = be64_to_cpu(h->snapshots_offset);
    h->incompatible_features = be64_to_cpu(h->incompatible_features);
    h->compatible_features = be64_to_cpu(h->compatible_features);
    h->autoclear_features = be64_to_cpu(h->autoclear_features);
    h->refcount_order = be32_to_cpu(h->refcount_order);
    h->header_length = be32_to_cpu(h->header_length);
}

/* Basic checks of the fixed header fields; fills the geometry of @s. */
static int check_header(BlockDriverState *bs, QCowHeader *h, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    if (h->magic != QCOW_MAGIC) {
        error_setg(errp, "Image is not in qcow2 format");
        return -EINVAL;
    }
    if (h->version < 2 || h->version > 3) {
        error_setg(errp, "Unsupported qcow2 version %" PRIu32, h->version);
        return -ENOTSUP;
    }
    if (h->cluster_bits < MIN_CLUSTER_BITS ||
        h->cluster_bits > MAX_CLUSTER_BITS) {
        error_setg(errp, "Unsupported cluster size: 2^%" PRIu32,
                   h->cluster_bits);
        return -EINVAL;
    }
    s->cluster_bits = h->cluster_bits;
    s->cluster_size = 1 << s->cluster_bits;

    if (h->version == 2) {
        h->incompatible_features = 0;
        h->compatible_features = 0;
        h->autoclear_features = 0;
        h->refcount_order = 4;
        h->header_length = QCOW2_V2_HEADER_SIZE;
    } else if (h->header_length < QCOW2_V3_HEADER_SIZE) {
        error_setg(errp, "qcow2 header too short");
        return -EINVAL;
    }
    if (h->header_length > s->cluster_size) {
        error_setg(errp, "qcow2 header exceeds cluster size");
        return -EINVAL;
    }
    if (h->backing_file_offset > s->cluster_size) {
        error_setg(errp, "Invalid backing file offset");
        return -EINVAL;
    }
    if (h->refcount_order > 6) {
        error_setg(errp, "Reference count entry width too large; may not "
                   "exceed 64 bits");
        return -EINVAL;
    }
    return 0;
}

static int validate_compression_type(BDRVQcow2State *s, Error **errp)
{
    switch (s->compression_type) {
    case QCOW2_COMPRESSION_TYPE_ZLIB:
    case QCOW2_COMPRESSION_TYPE_ZSTD:
        break;
    default:
        error_setg(errp, "qcow2: unknown compression type: %u",
                   s->compression_type);
        return -ENOTSUP;
    }
    if (s->compression_type == QCOW2_COMPRESSION_TYPE_ZLIB &&
        (s->incompatible_features & QCOW2_INCOMPAT_COMPRESSION)) {
        error_setg(errp, "qcow2: Compression type incompatible feature bit "
                   "must not be set");
        return -EINVAL;
    }
    if (s->compression_type != QCOW2_COMPRESSION_TYPE_ZLIB &&
        !(s->incompatible_features & QCOW2_INCOMPAT_COMPRESSION)) {
        error_setg(errp, "qcow2: Compression type incompatible feature bit "
                   "must be set");
        return -EINVAL;
    }
    return 0;
}

/* Set the geometry fields of @s that follow from the header. */
static int set_geometry(BlockDriverState *bs, QCowHeader *h, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    if (has_subclusters(s)) {
        s->subclusters_per_cluster = QCOW_EXTL2_SUBCLUSTERS_PER_CLUSTER;
        if (s->cluster_bits < 14) {
            error_setg(errp, "Extended L2 entries are only supported with "
                       "cluster sizes of at least 16384 bytes");
            return -EINVAL;
        }
    } else {
        s->subclusters_per_cluster = 1;
    }
    s->subcluster_size = s->cluster_size / s->subclusters_per_cluster;
    s->subcluster_bits = ctz32(s->subcluster_size);
    s->l2_bits = s->cluster_bits - ctz32(l2_entry_size(s));
    s->l2_size = 1 << s->l2_bits;
    s->refcount_order = h->refcount_order;
    s->refcount_bits = 1 << s->refcount_order;
    s->refcount_max = UINT64_C(1) << (s->refcount_bits - 1);
    s->refcount_max += s->refcount_max - 1;
    s->refcount_block_bits = s->cluster_bits - (s->refcount_order - 3);
    s->refcount_block_size = 1 << s->refcount_block_bits;
    s->csize_shift = 62 - (s->cluster_bits - 8);
    s->csize_mask = (1 << (s->cluster_bits - 8)) - 1;
    s->cluster_offset_mask = (1ULL << s->csize_shift) - 1;
    bs->total_sectors = h->size / BDRV_SECTOR_SIZE;
    return 0;
}

/* Check the refcount table, snapshot table and L1 table fields. */
static int check_tables(BlockDriverState *bs, QCowHeader *h, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_vm_state_index;

    if (h->refcount_table_clusters == 0) {
        error_setg(errp, "Image does not contain a reference count table");
        return -EINVAL;
    }
    if (h->refcount_table_clusters >
        QCOW_MAX_REFTABLE_SIZE / s->cluster_size) {
        error_setg(errp, "Reference count table too large");
        return -EINVAL;
    }
    if (validate_table_offset(bs, h->refcount_table_offset,
                              h->refcount_table_clusters, s->cluster_size)) {
        error_setg(errp, "Reference count table offset invalid");
        return -EINVAL;
    }
    if (h->nb_snapshots > QCOW_MAX_SNAPSHOTS) {
        error_setg(errp, "Snapshot table too large");
        return -EINVAL;
    }
    if (validate_table_offset(bs, h->snapshots_offset, h->nb_snapshots,
                              sizeof(QCowSnapshotHeader))) {
        error_setg(errp, "Snapshot table offset invalid");
        return -EINVAL;
    }
    if (h->l1_size > QCOW_MAX_L1_SIZE / sizeof(uint64_t)) {
        error_setg(errp, "Active L1 table too large");
        return -EFBIG;
    }
    l1_vm_state_index = size_to_l1(s, h->size);
    if (h->size > INT64_MAX - (1ULL << (s->cluster_bits + s->l2_bits)) ||
        l1_vm_state_index > INT_MAX) {
        error_setg(errp, "Image is too big");
        return -EFBIG;
    }
    s->l1_vm_state_index = l1_vm_state_index;
    if (h->l1_size < s->l1_vm_state_index) {
        error_setg(errp, "L1 table is too small");
        return -EINVAL;
    }
    if (validate_table_offset(bs, h->l1_table_offset, h->l1_size,
                              sizeof(uint64_t))) {
        error_setg(errp, "Active L1 table offset invalid");
        return -EINVAL;
    }
    return 0;
}

static int coroutine_fn GRAPH_RDLOCK read_l1_table(BlockDriverState *bs,
                                                   Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    size_t bytes = (size_t)s->l1_size * sizeof(uint64_t);
    int ret;

    if (!s->l1_size) {
        return 0;
    }
    s->l1_table = qemu_try_blockalign(bs->file->bs, ROUND_UP(bytes, 512));
    if (!s->l1_table) {
        error_setg(errp, "Could not allocate L1 table");
        return -ENOMEM;
    }
    memset(s->l1_table, 0, ROUND_UP(bytes, 512));
    ret = bdrv_co_pread(bs->file, s->l1_table_offset, bytes, s->l1_table, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read L1 table");
        return ret;
    }
    for (int i = 0; i < s->l1_size; i++) {
        s->l1_table[i] = be64_to_cpu(s->l1_table[i]);
    }
    return 0;
}

/* The backing file name stored in the header cluster @buf. */
static int read_backing_name(BlockDriverState *bs, QCowHeader *h,
                             const uint8_t *buf, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint32_t len = h->backing_file_size;

    if (!h->backing_file_offset) {
        return 0;
    }
    if (len > MIN(1023, s->cluster_size - h->backing_file_offset)) {
        error_setg(errp, "Backing file name too long");
        return -EINVAL;
    }
    memcpy(bs->auto_backing_file, buf + h->backing_file_offset, len);
    bs->auto_backing_file[len] = '\0';
    pstrcpy(bs->backing_file, sizeof(bs->backing_file),
            bs->auto_backing_file);
    s->image_backing_file = g_strdup(bs->auto_backing_file);
    return 0;
}

/* Copy the feature and table fields of the header into @s. */
static void take_header_fields(BDRVQcow2State *s, QCowHeader *h,
                               const uint8_t *buf)
{
    s->qcow_version = h->version;
    s->incompatible_features = h->incompatible_features;
    s->compatible_features = h->compatible_features;
    s->autoclear_features = h->autoclear_features;
    s->compression_type = h->header_length > QCOW2_V3_HEADER_SIZE ?
                          buf[offsetof(QCowHeader, compression_type)] :
                          QCOW2_COMPRESSION_TYPE_ZLIB;
    if (h->header_length > sizeof(QCowHeader)) {
        s->unknown_header_fields_size = h->header_length - sizeof(QCowHeader);
        s->unknown_header_fields = g_memdup2(buf + sizeof(QCowHeader),
                                             s->unknown_header_fields_size);
    }
    s->crypt_method_header = h->crypt_method;
    s->refcount_table_offset = h->refcount_table_offset;
    s->refcount_table_size = h->refcount_table_clusters <<
                             (s->cluster_bits - 3);
    s->snapshots_offset = h->snapshots_offset;
    s->nb_snapshots = h->nb_snapshots;
    s->l1_size = h->l1_size;
    s->l1_table_offset = h->l1_table_offset;
}

/* Feature bits and extensions: may the image be opened at all? */
static int check_features(BlockDriverState *bs, int flags, Qcow2ExtInfo *info,
                          Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t unknown = s->incompatible_features & ~QCOW2_INCOMPAT_MASK;

    if (unknown) {
        report_unsupported_feature(errp, info->feature_table,
                                   info->feature_table_len, unknown);
        return -ENOTSUP;
    }
    if ((s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) &&
        (flags & BDRV_O_RDWR)) {
        error_setg(errp, "qcow2: Image is corrupt; cannot be opened "
                   "read/write");
        return -EACCES;
    }
    if (s->crypt_method_header > QCOW_CRYPT_LUKS) {
        error_setg(errp, "Unsupported encryption method %" PRIu32,
                   s->crypt_method_header);
        return -EINVAL;
    }
    /* Encryption itself is checked by qcow2_crypto_open(). */
    if ((s->autoclear_features & QCOW2_AUTOCLEAR_DATA_FILE_RAW) &&
        !(s->incompatible_features & QCOW2_INCOMPAT_DATA_FILE)) {
        /*
         * A raw data file without a data file: 7.2 refuses every open
         * except qemu-img info's (no I/O), where the bit is ignored.
         */
        if (!(flags & BDRV_O_NO_IO)) {
            error_setg(errp, "data-file-raw requires a data file");
            return -EINVAL;
        }
        s->autoclear_features &= ~QCOW2_AUTOCLEAR_DATA_FILE_RAW;
    }
    return validate_compression_type(s, errp);
}

/*
 * Open, phase 1 (coroutine): header, extensions, L1 table, options.
 */
int coroutine_fn GRAPH_RDLOCK
qcow2_open_header(BlockDriverState *bs, QDict *options, int flags,
                  Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2ExtInfo info = { 0 };
    g_autofree uint8_t *buf = NULL;
    QCowHeader h;
    int64_t file_len;
    uint64_t ext_end;
    int ret;

    ret = bdrv_co_pread(bs->file, 0, sizeof(h), &h, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    header_to_cpu(&h);
    ret = check_header(bs, &h, errp);
    if (ret < 0) {
        return ret;
    }

    /* The whole header cluster, zero-filled past the end of the file. */
    file_len = bdrv_co_getlength(bs->file->bs);
    if (file_len < 0) {
        error_setg_errno(errp, -file_len, "Could not get file length");
        return file_len;
    }
    buf = g_malloc0(s->cluster_size);
    ret = bdrv_co_pread(bs->file, 0, MIN(s->cluster_size, file_len), buf, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read qcow2 header");
        return ret;
    }
    take_header_fields(s, &h, buf);

    ext_end = h.backing_file_offset ?: s->cluster_size;
    ret = read_extensions(bs, buf, h.header_length, ext_end, &info, errp);
    if (ret < 0) {
        goto out;
    }
    ret = check_features(bs, flags, &info, errp);
    if (ret < 0) {
        goto out;
    }
    ret = set_geometry(bs, &h, errp);
    if (ret < 0) {
        goto out;
    }
    ret = check_tables(bs, &h, errp);
    if (ret < 0) {
        goto out;
    }
    /*
     * Bitmaps with a clear autoclear bit (someone without bitmap support
     * wrote the image) are dropped by qcow2_read_bitmaps(), which also
     * rewrites the header when the image is writable.
     */
    ret = read_backing_name(bs, &h, buf, errp);
    if (ret < 0) {
        goto out;
    }
    ret = read_l1_table(bs, errp);
    if (ret < 0) {
        goto out;
    }
    s->flags = flags;
    ret = qcow2_crypto_open(bs, options, flags, errp);
    if (ret < 0) {
        goto out;
    }
    ret = qcow2_update_options(bs, options, flags, errp);
out:
    g_free(info.feature_table);
    return ret;
}

/*
 * Header rewrite
 */

/* Append one extension to @buf at *@pos; -ENOSPC if it does not fit. */
static int put_extension(uint8_t *buf, size_t buflen, size_t *pos,
                         uint32_t magic, const void *data, uint32_t len)
{
    size_t need = 8 + ROUND_UP(len, 8);

    if (need > buflen - *pos) {
        return -ENOSPC;
    }
    stl_be_p(buf + *pos, magic);
    stl_be_p(buf + *pos + 4, len);
    if (len) {
        memcpy(buf + *pos + 8, data, len);
    }
    memset(buf + *pos + 8 + len, 0, ROUND_UP(len, 8) - len);
    *pos += need;
    return 0;
}

static const Qcow2Feature qcow2_feature_table[] = {
    { QCOW2_FEAT_TYPE_INCOMPATIBLE, QCOW2_INCOMPAT_DIRTY_BITNR,
      "dirty bit" },
    { QCOW2_FEAT_TYPE_INCOMPATIBLE, QCOW2_INCOMPAT_CORRUPT_BITNR,
      "corrupt bit" },
    { QCOW2_FEAT_TYPE_INCOMPATIBLE, QCOW2_INCOMPAT_DATA_FILE_BITNR,
      "external data file" },
    { QCOW2_FEAT_TYPE_INCOMPATIBLE, QCOW2_INCOMPAT_COMPRESSION_BITNR,
      "compression type" },
    { QCOW2_FEAT_TYPE_INCOMPATIBLE, QCOW2_INCOMPAT_EXTL2_BITNR,
      "extended L2 entries" },
    { QCOW2_FEAT_TYPE_COMPATIBLE, QCOW2_COMPAT_LAZY_REFCOUNTS_BITNR,
      "lazy refcounts" },
    { QCOW2_FEAT_TYPE_AUTOCLEAR, QCOW2_AUTOCLEAR_BITMAPS_BITNR,
      "bitmaps" },
    { QCOW2_FEAT_TYPE_AUTOCLEAR, QCOW2_AUTOCLEAR_DATA_FILE_RAW_BITNR,
      "raw external data" },
};

/* The fixed header fields (big-endian) at the start of @buf. */
static size_t fill_header(BlockDriverState *bs, uint8_t *buf)
{
    BDRVQcow2State *s = bs->opaque;
    QCowHeader *h = (QCowHeader *)buf;
    size_t len = s->qcow_version >= 3 ? sizeof(*h) : QCOW2_V2_HEADER_SIZE;

    *h = (QCowHeader) {
        .magic = cpu_to_be32(QCOW_MAGIC),
        .version = cpu_to_be32(s->qcow_version),
        .cluster_bits = cpu_to_be32(s->cluster_bits),
        .size = cpu_to_be64(bs->total_sectors * BDRV_SECTOR_SIZE),
        .crypt_method = cpu_to_be32(s->crypt_method_header),
        .l1_size = cpu_to_be32(s->l1_size),
        .l1_table_offset = cpu_to_be64(s->l1_table_offset),
        .refcount_table_offset = cpu_to_be64(s->refcount_table_offset),
        .refcount_table_clusters = cpu_to_be32(s->refcount_table_size >>
                                               (s->cluster_bits - 3)),
        .nb_snapshots = cpu_to_be32(s->nb_snapshots),
        .snapshots_offset = cpu_to_be64(s->snapshots_offset),
    };
    if (s->qcow_version >= 3) {
        h->incompatible_features = cpu_to_be64(s->incompatible_features);
        h->compatible_features = cpu_to_be64(s->compatible_features);
        h->autoclear_features = cpu_to_be64(s->autoclear_features);
        h->refcount_order = cpu_to_be32(s->refcount_order);
        h->header_length = cpu_to_be32(len + s->unknown_header_fields_size);
        h->compression_type = s->compression_type;
        if (s->unknown_header_fields_size) {
            memcpy(buf + len, s->unknown_header_fields,
                   s->unknown_header_fields_size);
            len += s->unknown_header_fields_size;
        }
    }
    return len;
}

/* Unknown extensions, in the order they were read. */
static int put_unknown_extensions(BDRVQcow2State *s, uint8_t *buf,
                                  size_t buflen, size_t *pos)
{
    Qcow2UnknownHeaderExtension *ext;
    g_autoptr(GPtrArray) list = g_ptr_array_new();
    int ret;

    QLIST_FOREACH(ext, &s->unknown_header_ext, next) {
        g_ptr_array_add(list, ext);
    }
    for (int i = list->len - 1; i >= 0; i--) {
        ext = g_ptr_array_index(list, i);
        ret = put_extension(buf, buflen, pos, ext->magic, ext->data,
                            ext->len);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

static int build_header(BlockDriverState *bs, uint8_t *buf, size_t buflen)
{
    BDRVQcow2State *s = bs->opaque;
    size_t pos = fill_header(bs, buf);
    int ret = 0;

    if (s->image_backing_format) {
        ret = put_extension(buf, buflen, &pos, QCOW2_EXT_MAGIC_BACKING_FORMAT,
                            s->image_backing_format,
                            strlen(s->image_backing_format));
    }
    if (!ret && has_data_file(bs) && s->image_data_file) {
        ret = put_extension(buf, buflen, &pos, QCOW2_EXT_MAGIC_DATA_FILE,
                            s->image_data_file, strlen(s->image_data_file));
    }
    /*
     * QEMU 7.2 leaves the (optional) feature name table out of headers
     * of images with clusters of 4 KiB or less; do the same so that our
     * images are byte-identical to its.
     */
    if (!ret) {
        uint8_t ext[16];
        size_t len = qcow2_crypto_fill_ext(bs, ext);

        if (len) {
            ret = put_extension(buf, buflen, &pos,
                                QCOW2_EXT_MAGIC_CRYPTO_HEADER, ext, len);
        }
    }
    if (!ret && s->qcow_version >= 3 && s->cluster_size > 4096) {
        Qcow2Feature table[ARRAY_SIZE(qcow2_feature_table)];

        memcpy(table, qcow2_feature_table, sizeof(table));
        ret = put_extension(buf, buflen, &pos, QCOW2_EXT_MAGIC_FEATURE_TABLE,
                            table, sizeof(table));
    }
    if (!ret && s->nb_bitmaps) {
        Qcow2BitmapHeaderExt ext = {
            .nb_bitmaps = cpu_to_be32(s->nb_bitmaps),
            .bitmap_directory_size = cpu_to_be64(s->bitmap_directory_size),
            .bitmap_directory_offset =
                cpu_to_be64(s->bitmap_directory_offset),
        };
        ret = put_extension(buf, buflen, &pos, QCOW2_EXT_MAGIC_BITMAPS,
                            &ext, sizeof(ext));
    }
    if (!ret) {
        ret = put_unknown_extensions(s, buf, buflen, &pos);
    }
    if (!ret) {
        ret = put_extension(buf, buflen, &pos, QCOW2_EXT_MAGIC_END, NULL, 0);
    }
    if (!ret && s->image_backing_file) {
        size_t len = strlen(s->image_backing_file);
        QCowHeader *h = (QCowHeader *)buf;

        if (len > buflen - pos) {
            return -ENOSPC;
        }
        memcpy(buf + pos, s->image_backing_file, len);
        h->backing_file_offset = cpu_to_be64(pos);
        h->backing_file_size = cpu_to_be32(len);
    }
    return ret;
}

int qcow2_update_header(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t *buf = qemu_blockalign0(bs->file->bs, s->cluster_size);
    int ret;

    ret = build_header(bs, buf, s->cluster_size);
    if (ret == 0) {
        ret = bdrv_pwrite(bs->file, 0, s->cluster_size, buf, 0);
    }
    if (ret == 0) {
        ret = bdrv_flush(bs->file->bs);
    }
    qemu_vfree(buf);
    return ret;
}

/* Set or clear incompatible bit @bit directly in the header. */
static int write_incompat_bits(BlockDriverState *bs, uint64_t bits)
{
    uint64_t val = cpu_to_be64(bits);
    int ret;

    ret = bdrv_pwrite(bs->file, offsetof(QCowHeader, incompatible_features),
                      sizeof(val), &val, 0);
    if (ret < 0) {
        return ret;
    }
    return bdrv_flush(bs->file->bs);
}

int qcow2_mark_dirty(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    assert(s->qcow_version >= 3);
    if (s->incompatible_features & QCOW2_INCOMPAT_DIRTY) {
        return 0;
    }
    ret = write_incompat_bits(bs, s->incompatible_features |
                                  QCOW2_INCOMPAT_DIRTY);
    if (ret < 0) {
        return ret;
    }
    s->incompatible_features |= QCOW2_INCOMPAT_DIRTY;
    return 0;
}

int qcow2_mark_clean(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!(s->incompatible_features & QCOW2_INCOMPAT_DIRTY)) {
        return 0;
    }
    /* Clear the bit first: only then are the refcounts written back. */
    s->incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
    ret = qcow2_flush_caches(bs);
    if (ret < 0) {
        s->incompatible_features |= QCOW2_INCOMPAT_DIRTY;
        return ret;
    }
    return qcow2_update_header(bs);
}

int qcow2_mark_corrupt(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    s->incompatible_features |= QCOW2_INCOMPAT_CORRUPT;
    return write_incompat_bits(bs, s->incompatible_features);
}

int qcow2_mark_consistent(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    if (s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) {
        int ret = qcow2_flush_caches(bs);
        if (ret < 0) {
            return ret;
        }
        s->incompatible_features &= ~QCOW2_INCOMPAT_CORRUPT;
        return qcow2_update_header(bs);
    }
    return 0;
}

