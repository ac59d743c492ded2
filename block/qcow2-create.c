/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-create.c: creating qcow2 images (laid out as QEMU 7.2 lays them
 * out: header cluster, refcount table, one refcount block, then the L1
 * table and whatever preallocation adds), resizing them, and the
 * informational callbacks (get_info, measure).  Image creation runs in
 * a coroutine; steps that change the block graph hop to the main loop.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/option.h"
#include "qemu/cutils.h"
#include "qemu/main-loop.h"
#include "qapi/qmp/qdict.h"
#include "sysemu/block-backend.h"
#include "qcow2.h"

/* Options accepted by qemu-img create -o for qcow2. */
QemuOptsList qcow2_create_opts = {
    .name = "qcow2-create-opts",
    .head = QTAILQ_HEAD_INITIALIZER(qcow2_create_opts.head),
    .desc = {
        /* In QEMU 7.2's order (qemu-img create prints them in it). */
        { .name = BLOCK_OPT_ENCRYPT, .type = QEMU_OPT_BOOL,
          .help = "Encrypt the image with format 'aes'. (Deprecated in "
                  "favor of encrypt.format=aes)" },
        { .name = BLOCK_OPT_ENCRYPT_FORMAT, .type = QEMU_OPT_STRING,
          .help = "Encrypt the image, format choices: 'aes', 'luks'" },
        { .name = "encrypt.key-secret", .type = QEMU_OPT_STRING,
          .help = "ID of secret providing qcow AES key or LUKS passphrase" },
        { .name = "encrypt.cipher-alg", .type = QEMU_OPT_STRING,
          .help = "Name of encryption cipher algorithm" },
        { .name = "encrypt.cipher-mode", .type = QEMU_OPT_STRING,
          .help = "Name of encryption cipher mode" },
        { .name = "encrypt.ivgen-alg", .type = QEMU_OPT_STRING,
          .help = "Name of IV generator algorithm" },
        { .name = "encrypt.ivgen-hash-alg", .type = QEMU_OPT_STRING,
          .help = "Name of IV generator hash algorithm" },
        { .name = "encrypt.hash-alg", .type = QEMU_OPT_STRING,
          .help = "Name of encryption hash algorithm" },
        { .name = "encrypt.iter-time", .type = QEMU_OPT_NUMBER,
          .help = "Time to spend in PBKDF in milliseconds" },
        { .name = BLOCK_OPT_CLUSTER_SIZE, .type = QEMU_OPT_SIZE,
          .help = "qcow2 cluster size", .def_value_str = "65536" },
        { .name = BLOCK_OPT_EXTL2, .type = QEMU_OPT_BOOL,
          .help = "Extended L2 tables", .def_value_str = "off" },
        { .name = BLOCK_OPT_PREALLOC, .type = QEMU_OPT_STRING,
          .help = "Preallocation mode (allowed values: off, metadata, "
                  "falloc, full)" },
        { .name = BLOCK_OPT_COMPRESSION_TYPE, .type = QEMU_OPT_STRING,
          .help = "Compression method used for image cluster compression",
          .def_value_str = "zlib" },
        { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Virtual disk size" },
        { .name = BLOCK_OPT_COMPAT_LEVEL, .type = QEMU_OPT_STRING,
          .help = "Compatibility level (v2 [0.10] or v3 [1.1])" },
        { .name = BLOCK_OPT_BACKING_FILE, .type = QEMU_OPT_STRING,
          .help = "File name of a base image" },
        { .name = BLOCK_OPT_BACKING_FMT, .type = QEMU_OPT_STRING,
          .help = "Image format of the base image" },
        { .name = BLOCK_OPT_DATA_FILE, .type = QEMU_OPT_STRING,
          .help = "File name of an external data file" },
        { .name = BLOCK_OPT_DATA_FILE_RAW, .type = QEMU_OPT_BOOL,
          .help = "The external data file must stay valid as a raw image" },
        { .name = BLOCK_OPT_LAZY_REFCOUNTS, .type = QEMU_OPT_BOOL,
          .help = "Postpone refcount updates", .def_value_str = "off" },
        { .name = BLOCK_OPT_REFCOUNT_BITS, .type = QEMU_OPT_NUMBER,
          .help = "Width of a reference count entry in bits",
          .def_value_str = "16" },
        { /* end of list */ }
    }
};

/* Parsed creation parameters. */
typedef struct Qcow2CreateParams {
    uint64_t size;
    int version;
    int cluster_bits;
    int refcount_order;
    bool lazy_refcounts;
    bool extended_l2;
    bool data_file_raw;
    uint8_t compression_type;
    PreallocMode prealloc;
    char *backing_file;
    char *backing_fmt;
    char *data_file;
    Qcow2CryptoCreate *encrypt;     /* encrypt.format=luks */
    char *aes_secret;               /* legacy AES: the key-secret's id */
    bool aes;                       /* encrypt.format=aes or encryption=on */
} Qcow2CreateParams;

static void create_params_free(Qcow2CreateParams *p)
{
    g_free(p->backing_file);
    g_free(p->backing_fmt);
    g_free(p->data_file);
    g_free(p->aes_secret);
    qcow2_crypto_create_free(p->encrypt);
}

int qcow2_parse_prealloc(const char *str, PreallocMode *mode, Error **errp)
{
    static const char *const names[] = {
        [PREALLOC_MODE_OFF] = "off",
        [PREALLOC_MODE_METADATA] = "metadata",
        [PREALLOC_MODE_FALLOC] = "falloc",
        [PREALLOC_MODE_FULL] = "full",
    };

    if (!str) {
        *mode = PREALLOC_MODE_OFF;
        return 0;
    }
    for (int i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(str, names[i])) {
            *mode = i;
            return 0;
        }
    }
    error_setg(errp, "invalid parameter value: %s", str);
    return -EINVAL;
}

/* -o options into @p, with QEMU's checks and messages. */
static int parse_create_opts(QemuOpts *opts, Qcow2CreateParams *p,
                             Error **errp)
{
    g_autofree char *compat = qemu_opt_get_del(opts, BLOCK_OPT_COMPAT_LEVEL);
    g_autofree char *prealloc = qemu_opt_get_del(opts, BLOCK_OPT_PREALLOC);
    g_autofree char *ctype = qemu_opt_get_del(opts,
                                              BLOCK_OPT_COMPRESSION_TYPE);
    g_autofree char *encfmt = qemu_opt_get_del(opts, BLOCK_OPT_ENCRYPT_FORMAT);
    uint64_t cluster_size, refcount_bits;
    bool has_lazy = qemu_opt_get(opts, BLOCK_OPT_LAZY_REFCOUNTS);

    p->size = ROUND_UP(qemu_opt_get_size_del(opts, BLOCK_OPT_SIZE, 0),
                       BDRV_SECTOR_SIZE);
    p->backing_file = qemu_opt_get_del(opts, BLOCK_OPT_BACKING_FILE);
    p->backing_fmt = qemu_opt_get_del(opts, BLOCK_OPT_BACKING_FMT);
    p->data_file = qemu_opt_get_del(opts, BLOCK_OPT_DATA_FILE);
    p->data_file_raw = qemu_opt_get_bool_del(opts, BLOCK_OPT_DATA_FILE_RAW,
                                             false);
    p->lazy_refcounts = qemu_opt_get_bool_del(opts, BLOCK_OPT_LAZY_REFCOUNTS,
                                              false);
    p->extended_l2 = qemu_opt_get_bool_del(opts, BLOCK_OPT_EXTL2, false);
    cluster_size = qemu_opt_get_size_del(opts, BLOCK_OPT_CLUSTER_SIZE,
                                         DEFAULT_CLUSTER_SIZE);
    refcount_bits = qemu_opt_get_number_del(opts, BLOCK_OPT_REFCOUNT_BITS,
                                            16);

    if (encfmt && !strcmp(encfmt, "luks")) {
        p->encrypt = qcow2_crypto_create_opts(opts, errp);
        if (!p->encrypt) {
            return -EINVAL;
        }
    } else if (encfmt ||
               qemu_opt_get_bool_del(opts, BLOCK_OPT_ENCRYPT, false)) {
        /* The secret is looked up only once the files exist, as 7.2. */
        p->aes = true;
        p->aes_secret = g_strdup(qemu_opt_get(opts, "encrypt.key-secret"));
    }
    if (!compat || !strcmp(compat, "1.1") || !strcmp(compat, "v3")) {
        p->version = 3;
    } else if (!strcmp(compat, "0.10") || !strcmp(compat, "v2")) {
        p->version = 2;
    } else {
        error_setg(errp, "Invalid compatibility level: '%s'", compat);
        return -EINVAL;
    }
    if (qcow2_parse_prealloc(prealloc, &p->prealloc, errp) < 0) {
        return -EINVAL;
    }
    if (!ctype || !strcmp(ctype, "zlib")) {
        p->compression_type = QCOW2_COMPRESSION_TYPE_ZLIB;
    } else if (!strcmp(ctype, "zstd")) {
        p->compression_type = QCOW2_COMPRESSION_TYPE_ZSTD;
    } else {
        error_setg(errp, "Parameter 'compression-type' does not accept "
                   "value '%s'", ctype);
        return -EINVAL;
    }

    if (!is_power_of_2(cluster_size) ||
        cluster_size < (1 << MIN_CLUSTER_BITS) ||
        cluster_size > (1 << MAX_CLUSTER_BITS)) {
        error_setg(errp, "Cluster size must be a power of two between %d "
                   "and %dk", 1 << MIN_CLUSTER_BITS,
                   1 << (MAX_CLUSTER_BITS - 10));
        return -EINVAL;
    }
    p->cluster_bits = ctz32(cluster_size);
    if (refcount_bits > 64 || !is_power_of_2(refcount_bits)) {
        error_setg(errp, "Refcount width must be a power of two and may "
                   "not exceed 64 bits");
        return -EINVAL;
    }
    p->refcount_order = ctz32(refcount_bits);
    (void)has_lazy;
    return 0;
}

/* Does the L1 table of an image of @size bytes stay within the limit? */
static bool l1_size_ok(uint64_t size, int cluster_bits, bool extended_l2,
                       Error **errp)
{
    int l2_bits = cluster_bits - (extended_l2 ? 4 : 3);
    uint64_t l1_entries = DIV_ROUND_UP(size, 1ULL << (cluster_bits + l2_bits));

    if (l1_entries > QCOW_MAX_L1_SIZE / sizeof(uint64_t)) {
        error_setg(errp, "The image size is too large (try using a larger "
                   "cluster size)");
        return false;
    }
    return true;
}

/* The warnings of a size string (hex with a suffix), value ignored. */
static void reparse_size_warning(const char *str)
{
    uint64_t unused;

    if (str) {
        qemu_strtosz(str, NULL, &unused);
    }
}

/* Is @str one of the NULL-terminated @names? */
static bool str_in(const char *str, const char *const *names)
{
    for (; *names; names++) {
        if (!strcmp(str, *names)) {
            return true;
        }
    }
    return false;
}

/* qemu_opt_foreach() callback: stop at the first "encrypt.*" option. */
static int is_encrypt_opt(void *opaque, const char *name, const char *value,
                          Error **errp)
{
    return g_str_has_prefix(name, "encrypt.");
}

/*
 * qemu_opt_foreach() callback: stop at the first "encrypt.*" option that
 * legacy AES has no use for, its name into *@opaque.
 */
static int is_non_aes_opt(void *opaque, const char *name, const char *value,
                          Error **errp)
{
    if (!g_str_has_prefix(name, "encrypt.") ||
        !strcmp(name, BLOCK_OPT_ENCRYPT_FORMAT) ||
        !strcmp(name, "encrypt.key-secret")) {
        return 0;
    }
    *(const char **)opaque = name;
    return 1;
}

/*
 * The encryption options as 7.2's create reads them.  Legacy AES takes
 * only a key-secret.  Whether the key-secret is there and names a secret
 * is checked only after the other options, when the encryption is set up
 * (qcow2_crypto_co_create_aes(), qcow2_crypto_co_create()), as in 7.2.
 */
static int check_create_encrypt(QemuOpts *opts, Error **errp)
{
    static const char *const formats[] = { "aes", "qcow", "luks", NULL };
    const char *legacy = qemu_opt_get(opts, BLOCK_OPT_ENCRYPT);
    const char *fmt = qemu_opt_get(opts, BLOCK_OPT_ENCRYPT_FORMAT);
    bool legacy_on = legacy && qemu_opt_get_bool(opts, BLOCK_OPT_ENCRYPT,
                                                 false);
    bool any = qemu_opt_foreach(opts, is_encrypt_opt, NULL, NULL);

    if (legacy_on && fmt) {
        error_setg(errp, "'encrypt.format' and its alias 'encryption' can't "
                   "be used at the same time");
        return -EINVAL;
    }
    if (!fmt && !legacy_on) {
        if (any) {
            error_setg(errp, "Parameter 'encrypt.format' is missing");
            return -EINVAL;
        }
        return 0;
    }
    if (fmt && !str_in(fmt, formats)) {
        error_setg(errp, "Parameter 'format' does not accept value '%s'",
                   fmt);
        return -EINVAL;
    }
    if (!fmt || strcmp(fmt, "luks")) {
        const char *extra = NULL;

        if (qemu_opt_foreach(opts, is_non_aes_opt, &extra, NULL)) {
            error_setg(errp, "Parameter '%s' is unexpected", extra);
            return -EINVAL;
        }
    }
    return 0;
}

/*
 * qemu-img create only: check the option strings the way 7.2's create
 * reads them a second time (a QAPI visit, in its schema order), with its
 * messages, and repeat the warnings that reading gives (hex numbers with a
 * suffix in size and cluster_size).  qemu-img measure keeps the older
 * messages of parse_create_opts(), as 7.2's measure does.
 */
static int check_create_values(QemuOpts *opts, Error **errp)
{
    static const char *const versions[] = { "0.10", "1.1", "v2", "v3", NULL };
    static const char *const preallocs[] = {
        "off", "metadata", "falloc", "full", NULL
    };
    const char *compat = qemu_opt_get(opts, BLOCK_OPT_COMPAT_LEVEL);
    const char *prealloc = qemu_opt_get(opts, BLOCK_OPT_PREALLOC);
    int ret;

    reparse_size_warning(qemu_opt_get(opts, BLOCK_OPT_SIZE));
    if (compat && !str_in(compat, versions)) {
        error_setg(errp, "Parameter 'version' does not accept value '%s'",
                   compat);
        return -EINVAL;
    }
    ret = check_create_encrypt(opts, errp);
    if (ret < 0) {
        return ret;
    }
    reparse_size_warning(qemu_opt_get(opts, BLOCK_OPT_CLUSTER_SIZE));
    if (prealloc && !str_in(prealloc, preallocs)) {
        error_setg(errp, "Parameter 'preallocation' does not accept value "
                   "'%s'", prealloc);
        return -EINVAL;
    }
    return 0;
}

/* Cross-option checks shared by every way of creating an image. */
static int check_create_params(Qcow2CreateParams *p, Error **errp)
{
    if (p->version < 3) {
        if (p->lazy_refcounts) {
            error_setg(errp, "Lazy refcounts only supported with "
                       "compatibility level 1.1 and above (use version=v3 "
                       "or greater)");
            return -EINVAL;
        }
        if (p->refcount_order != 4) {
            error_setg(errp, "Different refcount widths than 16 bits require "
                       "compatibility level 1.1 or above (use version=v3 or "
                       "greater)");
            return -EINVAL;
        }
        if (p->data_file) {
            error_setg(errp, "External data files are only supported with "
                       "compatibility level 1.1 and above (use version=v3 "
                       "or greater)");
            return -EINVAL;
        }
        if (p->compression_type != QCOW2_COMPRESSION_TYPE_ZLIB) {
            error_setg(errp, "Non-zlib compression type is only supported "
                       "with compatibility level 1.1 and above (use "
                       "version=v3 or greater)");
            return -EINVAL;
        }
        if (p->extended_l2) {
            error_setg(errp, "Extended L2 entries are only supported with "
                       "compatibility level 1.1 and above (use version=v3 "
                       "or greater)");
            return -EINVAL;
        }
    }
    if (p->extended_l2 && p->cluster_bits < 14) {
        error_setg(errp, "Extended L2 entries are only supported with "
                   "cluster sizes of at least 16384 bytes");
        return -EINVAL;
    }
    if (p->data_file_raw && !p->data_file) {
        error_setg(errp, "data-file-raw requires data-file");
        return -EINVAL;
    }
    if (p->data_file_raw && p->backing_file) {
        error_setg(errp, "Backing file and data-file-raw cannot be used at "
                   "the same time");
        return -EINVAL;
    }
    if (p->backing_fmt && !p->backing_file) {
        error_setg(errp, "Backing format cannot be used without backing "
                   "file");
        return -EINVAL;
    }
    if (p->backing_file && p->prealloc != PREALLOC_MODE_OFF &&
        !p->extended_l2) {
        error_setg(errp, "Backing file and preallocation can only be used "
                   "at the same time if extended_l2 is on");
        return -EINVAL;
    }
    if (p->size > INT64_MAX) {
        /* 7.2 gets this far and then fails to grow the new image. */
        error_setg(errp, "Could not resize image: Image size cannot be "
                   "negative");
        return -EINVAL;
    }
    if (!l1_size_ok(p->size, p->cluster_bits, p->extended_l2, NULL)) {
        error_setg(errp, "The image size is too large for file format "
                   "'qcow2' (try using a larger cluster size)");
        return -EINVAL;
    }
    if (p->data_file_raw && p->prealloc == PREALLOC_MODE_OFF) {
        /* A raw data file needs every cluster mapped from the start. */
        p->prealloc = PREALLOC_MODE_METADATA;
    }
    return 0;
}

/* The first three clusters: header, refcount table, refcount block. */
static int coroutine_fn write_initial_clusters(BlockBackend *blk,
                                               Qcow2CreateParams *p)
{
    size_t cs = 1 << p->cluster_bits;
    g_autofree uint8_t *buf = g_malloc0(3 * cs);
    QCowHeader *h = (QCowHeader *)buf;

    *h = (QCowHeader) {
        .magic = cpu_to_be32(QCOW_MAGIC),
        .version = cpu_to_be32(p->version),
        .cluster_bits = cpu_to_be32(p->cluster_bits),
        .refcount_table_offset = cpu_to_be64(cs),
        .refcount_table_clusters = cpu_to_be32(1),
        .refcount_order = cpu_to_be32(p->refcount_order),
        .header_length = cpu_to_be32(sizeof(*h)),
        .compression_type = p->compression_type,
    };
    if (p->version >= 3) {
        uint64_t incompat = 0, compat = 0, autoclear = 0;

        if (p->data_file) {
            incompat |= QCOW2_INCOMPAT_DATA_FILE;
        }
        if (p->data_file_raw) {
            autoclear |= QCOW2_AUTOCLEAR_DATA_FILE_RAW;
        }
        if (p->compression_type != QCOW2_COMPRESSION_TYPE_ZLIB) {
            incompat |= QCOW2_INCOMPAT_COMPRESSION;
        }
        if (p->extended_l2) {
            incompat |= QCOW2_INCOMPAT_EXTL2;
        }
        if (p->lazy_refcounts) {
            compat |= QCOW2_COMPAT_LAZY_REFCOUNTS;
        }
        h->incompatible_features = cpu_to_be64(incompat);
        h->compatible_features = cpu_to_be64(compat);
        h->autoclear_features = cpu_to_be64(autoclear);
    }
    /* Refcount table entry 0 points at the (still empty) refcount block. */
    stq_be_p(buf + cs, 2 * cs);
    return blk_co_pwrite(blk, 0, 3 * cs, buf, 0);
}

/* Open the fresh image as qcow2 and give it its final metadata. */
static int coroutine_fn finish_image(BlockBackend *blk, Qcow2CreateParams *p,
                                     Error **errp)
{
    BlockDriverState *bs = blk_bs(blk);
    BDRVQcow2State *s = bs->opaque;
    int64_t off;
    int ret;

    bdrv_graph_co_rdlock();
    qemu_co_mutex_lock(&s->lock);
    off = qcow2_alloc_clusters(bs, 3 << p->cluster_bits);
    if (off != 0) {
        ret = off < 0 ? off : -EIO;
        error_setg_errno(errp, -ret, "Could not allocate clusters for qcow2 "
                         "header and refcount table");
        goto out;
    }
    if (p->data_file) {
        g_free(s->image_data_file);
        s->image_data_file = g_strdup(p->data_file);
    }
    if (p->backing_file) {
        g_free(s->image_backing_file);
        g_free(s->image_backing_format);
        s->image_backing_file = g_strdup(p->backing_file);
        s->image_backing_format = g_strdup(p->backing_fmt);
        pstrcpy(bs->backing_file, sizeof(bs->backing_file), p->backing_file);
        pstrcpy(bs->backing_format, sizeof(bs->backing_format),
                p->backing_fmt ?: "");
    }
    ret = qcow2_update_header(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write qcow2 header");
    }
out:
    qemu_co_mutex_unlock(&s->lock);
    bdrv_graph_co_rdunlock();
    return ret;
}

static int coroutine_fn qcow2_do_create(const char *filename,
                                        Qcow2CreateParams *p, Error **errp)
{
    BlockBackend *blk;
    QDict *options;
    int ret;

    blk = blk_co_new_open(filename, NULL, NULL,
                          BDRV_O_RDWR | BDRV_O_RESIZE | BDRV_O_PROTOCOL, errp);
    if (!blk) {
        return -EIO;
    }
    blk_set_allow_write_beyond_eof(blk, true);
    ret = blk_co_truncate(blk, 0, false, PREALLOC_MODE_OFF, 0, errp);
    if (ret < 0) {
        goto out;
    }
    ret = write_initial_clusters(blk, p);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write qcow2 header");
        goto out;
    }
    blk_co_unref(blk);

    options = qdict_new();
    qdict_put_str(options, "driver", "qcow2");
    if (p->data_file) {
        qdict_put_str(options, "data-file.filename", p->data_file);
        qdict_put_str(options, "data-file.driver", "file");
    }
    blk = blk_co_new_open(filename, NULL, options,
                          BDRV_O_RDWR | BDRV_O_RESIZE | BDRV_O_NO_BACKING |
                          BDRV_O_NO_FLUSH, errp);
    if (!blk) {
        return -EIO;
    }
    ret = finish_image(blk, p, errp);
    if (ret < 0) {
        goto out;
    }
    ret = blk_co_truncate(blk, p->size, false, p->prealloc, 0, errp);
    if (ret == 0 && p->aes) {
        bdrv_graph_co_rdlock();
        ret = qcow2_crypto_co_create_aes(blk_bs(blk), p->aes_secret, errp);
        bdrv_graph_co_rdunlock();
    }
    if (ret == 0 && p->encrypt) {
        /* After the resize, as 7.2: the LUKS area follows the L1 table. */
        bdrv_graph_co_rdlock();
        ret = qcow2_crypto_co_create(blk_bs(blk), p->encrypt, errp);
        bdrv_graph_co_rdunlock();
    }
    if (ret == 0) {
        /* The node is closed later (deferred unref): write back now. */
        ret = blk_co_flush(blk);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Could not flush the new image");
        }
    }
out:
    blk_co_unref(blk);
    return ret;
}

/*
 * Delete the image file @filename that create made (NULL: none), as 7.2
 * does when creating an image fails after its files were created.
 */
static void coroutine_fn delete_created(const char *filename)
{
    BlockBackend *blk;

    if (!filename) {
        return;
    }
    blk = blk_co_new_open(filename, NULL, NULL,
                          BDRV_O_RDWR | BDRV_O_PROTOCOL, NULL);
    if (blk) {
        bdrv_graph_co_rdlock();
        bdrv_co_delete_file_noerr(blk_bs(blk));
        bdrv_graph_co_rdunlock();
        blk_co_unref(blk);
    }
}

int coroutine_fn qcow2_co_create_opts(BlockDriver *drv, const char *filename,
                                      QemuOpts *opts, Error **errp)
{
    g_autofree char *data_file = g_strdup(qemu_opt_get(opts,
                                                       BLOCK_OPT_DATA_FILE));
    const char *made = NULL, *data_made = NULL;
    Qcow2CreateParams p = { 0 };
    Error *bad_opts = NULL;
    int ret, bad_ret;

    ret = check_create_values(opts, &bad_opts);
    if (ret == 0) {
        ret = parse_create_opts(opts, &p, &bad_opts);
    }
    if (ret == 0) {
        ret = check_create_params(&p, &bad_opts);
    }
    bad_ret = ret;

    /*
     * 7.2 checks the options only once the image file and the data file
     * exist (an existing file is truncated) and deletes both when a check
     * fails: no old image of that name survives a bad option either.
     * The files get none of the qcow2 options, valid or not.
     */
    qobject_unref(qemu_opts_to_qdict_filtered(opts, NULL, &qcow2_create_opts,
                                              true));
    ret = bdrv_co_create_file(filename, opts, errp);
    if (ret < 0) {
        goto out;
    }
    made = filename;
    if (data_file) {
        ret = bdrv_co_create_file(data_file, opts, errp);
        if (ret < 0) {
            goto out;
        }
        data_made = data_file;
    }
    if (bad_opts) {
        error_propagate(errp, bad_opts);
        bad_opts = NULL;
        ret = bad_ret;
        goto out;
    }
    ret = qcow2_do_create(filename, &p, errp);
out:
    if (ret < 0) {
        delete_created(made);
        delete_created(data_made);
    }
    error_free(bad_opts);
    create_params_free(&p);
    return ret;
}

/*
 * Resize
 */

/*
 * Map every cluster of [@offset, @offset + @bytes) to a host cluster
 * without writing data; the data file then grows to cover them.
 */
static int coroutine_fn GRAPH_RDLOCK
preallocate_metadata(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                     PreallocMode file_mode, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t host_end = 0;
    int64_t file_len;
    int ret;

    while (bytes) {
        unsigned int cur = MIN(bytes, INT_MAX & ~(s->cluster_size - 1));
        QCowL2Meta *m = NULL;
        uint64_t host;

        ret = qcow2_alloc_host_offset(bs, offset, &cur, 0, &host, &m);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Allocation failed");
            return ret;
        }
        if (m) {
            /* Nothing to copy: the new clusters read as zeroes. */
            m->cow_start.nb_bytes = 0;
            m->cow_end.nb_bytes = 0;
            m->prealloc = true;
            ret = qcow2_alloc_cluster_link_l2(bs, m);
            g_free(m);
            if (ret < 0) {
                error_setg_errno(errp, -ret, "Mapping clusters failed");
                return ret;
            }
        }
        host_end = MAX(host_end, host + cur);
        offset += cur;
        bytes -= cur;
    }

    file_len = bdrv_co_getlength(s->data_file->bs);
    if (file_len < 0) {
        error_setg_errno(errp, -file_len, "Could not get file size");
        return file_len;
    }
    /* QEMU 7.2 grows the file to whole (sub)clusters. */
    host_end = ROUND_UP(host_end, s->subcluster_size);
    if (host_end > file_len) {
        ret = bdrv_co_truncate(s->data_file, host_end, false, file_mode, 0,
                               errp);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

/* Read guest bytes [@off, +@len) from the backing file into @buf. */
static int coroutine_fn GRAPH_RDLOCK
read_backing(BlockDriverState *bs, uint64_t off, unsigned int len,
             uint8_t *buf)
{
    int64_t blen = bs->backing ? bdrv_co_getlength(bs->backing->bs) : 0;
    unsigned int n;

    if (blen < 0) {
        return blen;
    }
    /* Past the end of the backing file reads as zeroes. */
    n = off < blen ? MIN(len, blen - off) : 0;
    memset(buf + n, 0, len - n);
    return n ? bdrv_co_pread(bs->backing, off, n, buf, 0) : 0;
}

/*
 * Copy the first @bytes of the guest cluster at @guest (the part below the
 * old end of the image, as the guest reads it) into the new host cluster
 * at @host.
 */
static int coroutine_fn GRAPH_RDLOCK
copy_partial_cluster(BlockDriverState *bs, uint64_t guest, uint64_t host,
                     unsigned int bytes)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *buf = g_malloc0(bytes);
    unsigned int done = 0;
    int ret;

    while (done < bytes) {
        QCow2SubclusterType type;
        uint64_t old_host;
        unsigned int cur = bytes - done;

        ret = qcow2_get_host_offset(bs, guest + done, &cur, &old_host, &type);
        if (ret < 0) {
            return ret;
        }
        switch (type) {
        case QCOW2_SUBCLUSTER_NORMAL:
            if (bs->encrypted) {
                QEMUIOVector qiov;

                qemu_iovec_init_buf(&qiov, buf + done, cur);
                ret = qcow2_crypto_co_preadv(bs, old_host, guest + done, cur,
                                             &qiov, 0);
                break;
            }
            ret = bdrv_co_pread(s->data_file, old_host, cur, buf + done, 0);
            break;
        case QCOW2_SUBCLUSTER_UNALLOCATED_PLAIN:
        case QCOW2_SUBCLUSTER_UNALLOCATED_ALLOC:
            ret = read_backing(bs, guest + done, cur, buf + done);
            break;
        case QCOW2_SUBCLUSTER_ZERO_PLAIN:
        case QCOW2_SUBCLUSTER_ZERO_ALLOC:
            ret = 0;        /* already zero in @buf */
            break;
        default:
            ret = -ENOTSUP; /* compressed: not supported here */
            break;
        }
        if (ret < 0) {
            return ret;
        }
        done += cur;
    }
    if (bs->encrypted) {
        /* Encrypted for its new place. */
        return qcow2_crypto_co_pwrite_buf(bs, host, guest, bytes, buf);
    }
    return bdrv_co_pwrite(s->data_file, host, bytes, buf, 0);
}

/*
 * Point the L2 entries of the guest clusters from @guest on at the
 * @nb_clusters host clusters from @host on, one L2 slice at a time.
 */
static int coroutine_fn GRAPH_RDLOCK
link_preallocated(BlockDriverState *bs, uint64_t guest, uint64_t host,
                  uint64_t nb_clusters, bool prealloc)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    while (nb_clusters) {
        uint64_t n = MIN(nb_clusters, s->l2_slice_size -
                         offset_to_l2_slice_index(s, guest));
        unsigned int head = offset_into_cluster(s, guest);
        QCowL2Meta m = {
            .offset = start_of_cluster(s, guest),
            .alloc_offset = host,
            .nb_clusters = n,
            .cow_start = { .offset = 0, .nb_bytes = head },
            .cow_end = { .offset = n << s->cluster_bits, .nb_bytes = 0 },
            .prealloc = prealloc,
        };

        if (head) {
            ret = copy_partial_cluster(bs, m.offset, host, head);
            if (ret < 0) {
                return ret;
            }
        }
        qemu_co_queue_init(&m.dependent_requests);
        QLIST_INSERT_HEAD(&s->cluster_allocs, &m, next_in_flight);
        ret = qcow2_alloc_cluster_link_l2(bs, &m);
        if (ret < 0) {
            return ret;
        }
        guest = m.offset + (n << s->cluster_bits);
        host += n << s->cluster_bits;
        nb_clusters -= n;
    }
    return 0;
}

/* End of the used part of the image file, in whole clusters. */
static int64_t coroutine_fn GRAPH_RDLOCK
used_file_end(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t len = bdrv_co_getlength(bs->file->bs);
    int64_t last;

    if (len < 0) {
        error_setg_errno(errp, -len, "Failed to inquire current file length");
        return len;
    }
    last = qcow2_get_last_cluster(bs, len);
    if (last >= 0) {
        return (last + 1) << s->cluster_bits;
    }
    return ROUND_UP(len, s->cluster_size);
}

/*
 * falloc/full preallocation of [@old_length, @offset), as QEMU 7.2 lays
 * it out: a new refcount structure after the used part of the file,
 * sized for the new data clusters and their L2 tables, then all data
 * clusters in one run; the file grows with @prealloc.  Clears
 * BDRV_REQ_ZERO_WRITE from *@flags if the file's growth zeroed the area.
 */
static int coroutine_fn GRAPH_RDLOCK
preallocate_file(BlockDriverState *bs, int64_t old_length, int64_t offset,
                 PreallocMode prealloc, BdrvRequestFlags *flags,
                 Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_end = used_file_end(bs, errp);
    uint64_t nb_data, nb_l2;
    int64_t start, got;
    bool zeroed = false;
    int ret = -1;

    if (file_end < 0) {
        return file_end;
    }
    nb_data = (ROUND_UP(offset, s->cluster_size) -
               start_of_cluster(s, old_length)) >> s->cluster_bits;
    /*
     * The refcount blocks must also cover the L2 tables that linking may
     * allocate (wherever they go), plus one for an unaligned head/tail.
     */
    nb_l2 = DIV_ROUND_UP(nb_data, s->cluster_size / l2_entry_size(s)) + 1;
    start = qcow2_refcount_area(bs, file_end, nb_data + nb_l2, true, 0, 0);
    if (start < 0) {
        error_setg_errno(errp, -start, "Failed to resize refcount structures");
        return start;
    }
    got = qcow2_alloc_clusters_at(bs, start, nb_data);
    if (got < 0) {
        error_setg_errno(errp, -got, "Failed to allocate data clusters");
        return got;
    }
    assert(got == nb_data);

    if (*flags & BDRV_REQ_ZERO_WRITE) {
        ret = bdrv_co_truncate(bs->file, start + (nb_data << s->cluster_bits),
                               false, prealloc, BDRV_REQ_ZERO_WRITE, NULL);
        if (ret >= 0) {
            *flags &= ~BDRV_REQ_ZERO_WRITE;
            zeroed = true;
        }
    }
    if (ret < 0) {
        ret = bdrv_co_truncate(bs->file, start + (nb_data << s->cluster_bits),
                               false, prealloc, 0, errp);
    }
    if (ret < 0) {
        error_prepend(errp, "Failed to resize underlying file: ");
    } else {
        /* Zeroed clusters must not read the backing file (subclusters). */
        ret = link_preallocated(bs, old_length, start, nb_data, !zeroed);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to update L2 tables");
        }
    }
    if (ret < 0) {
        qcow2_free_clusters(bs, start, nb_data << s->cluster_bits,
                            QCOW2_DISCARD_OTHER);
    }
    return ret;
}

static int coroutine_fn GRAPH_RDLOCK
write_size_field(BlockDriverState *bs, uint64_t size)
{
    uint64_t be = cpu_to_be64(size);

    return bdrv_co_pwrite_sync(bs->file, offsetof(QCowHeader, size),
                               sizeof(be), &be, 0);
}

static int coroutine_fn GRAPH_RDLOCK
shrink_image(BlockDriverState *bs, int64_t offset, int64_t old_length,
             Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_len, last;
    int ret;

    if (ROUND_UP(offset, s->cluster_size) < old_length) {
        ret = qcow2_cluster_discard(bs, ROUND_UP(offset, s->cluster_size),
                                    old_length -
                                    ROUND_UP(offset, s->cluster_size),
                                    QCOW2_DISCARD_ALWAYS, true);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to discard cropped "
                             "clusters");
            return ret;
        }
    }
    ret = qcow2_shrink_l1_table(bs, size_to_l1(s, offset));
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to reduce the number of L2 "
                         "tables");
        return ret;
    }
    ret = qcow2_shrink_reftable(bs);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to discard unused refblocks");
        return ret;
    }
    file_len = bdrv_co_getlength(bs->file->bs);
    if (file_len < 0) {
        return 0;
    }
    last = qcow2_get_last_cluster(bs, file_len);
    if (last >= 0 && (last + 1) * s->cluster_size < file_len) {
        Error *local_err = NULL;

        /* Failing to cut the tail only wastes space. */
        if (bdrv_co_truncate(bs->file, (last + 1) * s->cluster_size, false,
                             PREALLOC_MODE_OFF, 0, &local_err) < 0) {
            warn_reportf_err(local_err, "Failed to truncate the tail of the "
                             "image: ");
        }
    }
    return 0;
}

/*
 * The area [@old_length, @offset) added by a resize must read as zeroes
 * (not as the backing file): zero (sub)clusters from the first whole
 * subcluster on, explicit zeroes for the partial one before it, as 7.2.
 * s->lock held (dropped for the data write).
 */
static int coroutine_fn GRAPH_RDLOCK
zero_new_area(BlockDriverState *bs, int64_t old_length, int64_t offset,
              Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t start = ROUND_UP(old_length, s->subcluster_size);
    int ret;

    if (offset > start) {
        ret = qcow2_subcluster_zeroize(bs, start, offset - start, 0);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to zero out new clusters");
            return ret;
        }
    }
    if (start > old_length) {
        int64_t len = MIN(start, offset) - old_length;
        g_autofree void *buf = g_malloc0(len);
        QEMUIOVector qiov;

        qemu_iovec_init_buf(&qiov, buf, len);
        qemu_co_mutex_unlock(&s->lock);
        ret = qcow2_co_pwritev_part(bs, old_length, len, &qiov, 0, 0);
        qemu_co_mutex_lock(&s->lock);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to zero out the new area");
            return ret;
        }
    }
    return 0;
}

int coroutine_fn qcow2_co_truncate(BlockDriverState *bs, int64_t offset,
                                   bool exact, PreallocMode prealloc,
                                   BdrvRequestFlags flags, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t old_length = bs->total_sectors * BDRV_SECTOR_SIZE;
    int ret;

    if (prealloc > PREALLOC_MODE_FULL) {
        error_setg(errp, "Unsupported preallocation mode");
        return -ENOTSUP;
    }
    if (!QEMU_IS_ALIGNED(offset, BDRV_SECTOR_SIZE)) {
        error_setg(errp, "The new size must be a multiple of %u",
                   (unsigned)BDRV_SECTOR_SIZE);
        return -EINVAL;
    }

    qemu_co_mutex_lock(&s->lock);
    if (s->nb_snapshots && s->qcow_version < 3) {
        error_setg(errp, "Can't resize a v2 image which has snapshots");
        ret = -ENOTSUP;
        goto out;
    }
    if (qcow2_truncate_bitmaps_check(bs, errp) < 0) {
        ret = -ENOTSUP;
        goto out;
    }

    if (offset < old_length) {
        if (prealloc != PREALLOC_MODE_OFF) {
            error_setg(errp, "Preallocation can't be used for shrinking an "
                       "image");
            ret = -EINVAL;
            goto out;
        }
        ret = shrink_image(bs, offset, old_length, errp);
        if (ret < 0) {
            goto out;
        }
    } else {
        ret = qcow2_grow_l1_table(bs, size_to_l1(s, offset), true);
        if (ret < 0) {
            error_setg_errno(errp, -ret, "Failed to grow the L1 table");
            goto out;
        }
    }

    /* As 7.2, also for an unchanged size (falloc then adds a reftable). */
    if (offset >= old_length && prealloc != PREALLOC_MODE_OFF) {
        if (prealloc == PREALLOC_MODE_METADATA || has_data_file(bs)) {
            /* A data file gets the mode, the image only metadata. */
            ret = preallocate_metadata(bs, old_length, offset - old_length,
                                       prealloc == PREALLOC_MODE_METADATA ?
                                       PREALLOC_MODE_OFF : prealloc, errp);
        } else {
            ret = preallocate_file(bs, old_length, offset, prealloc, &flags,
                                   errp);
        }
        if (ret < 0) {
            goto out;
        }
    } else if (prealloc == PREALLOC_MODE_OFF && has_data_file(bs)) {
        /* The data file follows the guest size (exactly if asked to). */
        ret = bdrv_co_truncate(s->data_file, offset, exact, prealloc, 0,
                               errp);
        if (ret < 0) {
            goto out;
        }
    }
    if (offset > old_length && (flags & BDRV_REQ_ZERO_WRITE)) {
        /* Zeroing treats the partial last cluster as the image end. */
        bs->total_sectors = offset / BDRV_SECTOR_SIZE;
        ret = zero_new_area(bs, old_length, offset, errp);
        if (ret < 0) {
            bs->total_sectors = old_length / BDRV_SECTOR_SIZE;
            goto out;
        }
    }

    /* The new size last, as 7.2: a failure above leaves the old one. */
    ret = write_size_field(bs, offset);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Failed to update the image size");
        goto out;
    }
    bs->total_sectors = offset / BDRV_SECTOR_SIZE;
    s->l1_vm_state_index = size_to_l1(s, offset);
    ret = 0;
out:
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/*
 * Information
 */

int coroutine_fn qcow2_co_get_info(BlockDriverState *bs,
                                   BlockDriverInfo *bdi)
{
    BDRVQcow2State *s = bs->opaque;

    bdi->cluster_size = s->cluster_size;
    bdi->subcluster_size = s->subcluster_size;
    bdi->vm_state_offset = qcow2_vm_state_offset(s);
    bdi->is_dirty = s->incompatible_features & QCOW2_INCOMPAT_DIRTY;
    return 0;
}

/* Bytes of metadata (L1, L2, refcounts) for an image of @size bytes. */
static uint64_t metadata_size(uint64_t size, int cluster_bits,
                              int refcount_order, bool extended_l2,
                              uint64_t data_clusters)
{
    uint64_t cs = 1ULL << cluster_bits;
    uint64_t l2_entry = extended_l2 ? 16 : 8;
    uint64_t guest_clusters = DIV_ROUND_UP(size, cs);
    uint64_t l2_tables = DIV_ROUND_UP(guest_clusters * l2_entry, cs);
    uint64_t l1_bytes = ROUND_UP(l2_tables * 8, cs);
    uint64_t meta = cs /* header */ + l1_bytes + l2_tables * cs;
    uint64_t rb_entries = cs * 8 >> refcount_order;
    uint64_t clusters = meta / cs + data_clusters;
    uint64_t refblocks = 0, reftable = 0, prev;

    /* Refcount structures also need refcounts: iterate to a fixed point. */
    do {
        prev = refblocks + reftable;
        refblocks = DIV_ROUND_UP(clusters + prev, rb_entries);
        reftable = DIV_ROUND_UP(refblocks * 8, cs);
    } while (refblocks + reftable != prev);

    return meta + (refblocks + reftable) * cs;
}

/* Bytes of @in_bs that hold data, rounded out to whole clusters. */
static int64_t measure_allocated(BlockDriverState *in_bs, int64_t size,
                                 uint64_t cs, Error **errp)
{
    int64_t required = 0, offset = 0;

    while (offset < size) {
        int64_t pnum;
        int ret = bdrv_block_status_above(in_bs, NULL, offset,
                                          size - offset, &pnum, NULL, NULL);

        if (ret < 0) {
            error_setg_errno(errp, -ret, "Unable to get block status");
            return ret;
        }
        if (!(ret & BDRV_BLOCK_ZERO) &&
            (ret & (BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED)) ==
            (BDRV_BLOCK_DATA | BDRV_BLOCK_ALLOCATED)) {
            /* Count from the start of the cluster to the end of one. */
            int64_t end = ROUND_UP(offset + pnum, cs);

            required += end - QEMU_ALIGN_DOWN(offset, cs);
            pnum = end - offset;
        }
        offset += pnum;
    }
    return required;
}

BlockMeasureInfo *qcow2_measure(QemuOpts *opts, BlockDriverState *in_bs,
                                Error **errp)
{
    Qcow2CreateParams p = { 0 };
    BlockMeasureInfo *info = NULL;
    uint64_t cs, size, data_clusters;
    int64_t allocated = 0, luks = 0;

    if (parse_create_opts(opts, &p, errp) < 0) {
        goto out;
    }
    size = p.size;
    cs = 1ULL << p.cluster_bits;
    if (in_bs) {
        int64_t len = bdrv_getlength(in_bs);

        if (len < 0) {
            error_setg_errno(errp, -len, "Unable to get image virtual_size");
            goto out;
        }
        size = ROUND_UP(len, BDRV_SECTOR_SIZE);
        allocated = measure_allocated(in_bs, len, cs, errp);
        if (allocated < 0) {
            goto out;
        }
    }
    data_clusters = DIV_ROUND_UP(size, cs);
    if (!l1_size_ok(size, p.cluster_bits, p.extended_l2, errp)) {
        goto out;
    }

    if (p.encrypt) {
        luks = qcow2_crypto_measure(opts, cs, errp);
        if (luks < 0) {
            goto out;
        }
    }

    info = g_new0(BlockMeasureInfo, 1);
    info->fully_allocated = data_clusters * cs +
        metadata_size(size, p.cluster_bits, p.refcount_order, p.extended_l2,
                      data_clusters);
    /*
     * Like QEMU 7.2: the metadata of a fully allocated image (an
     * overestimate) plus the data the source really holds.
     */
    if (p.prealloc == PREALLOC_MODE_FALLOC ||
        p.prealloc == PREALLOC_MODE_FULL) {
        info->required = info->fully_allocated;
    } else {
        info->required = info->fully_allocated - data_clusters * cs +
                         allocated;
    }
    if (in_bs && p.version >= 3 && in_bs->drv &&
        !strcmp(in_bs->drv->format_name, "qcow2")) {
        info->has_bitmaps = true;
        info->bitmaps = qcow2_measure_bitmaps(in_bs, cs);
    }
    /* The LUKS header area (whole clusters) comes on top, as 7.2. */
    info->required += luks;
    info->fully_allocated += luks;
out:
    create_params_free(&p);
    return info;
}

ImageInfoSpecific *qcow2_get_specific_info(BlockDriverState *bs,
                                           Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    ImageInfoSpecific *spec = g_new0(ImageInfoSpecific, 1);
    ImageInfoSpecificQCow2 *q = g_new0(ImageInfoSpecificQCow2, 1);
    Error *local_err = NULL;

    spec->type = IMAGE_INFO_SPECIFIC_KIND_QCOW2;
    spec->u.qcow2.data = q;
    q->refcount_bits = s->refcount_bits;
    q->compression_type = s->compression_type;
    q->encrypt = qcow2_crypto_get_info(bs);
    q->encrypt_aes = s->crypt_method_header == QCOW_CRYPT_AES;
    if (s->qcow_version == 2) {
        q->compat = g_strdup("0.10");
        return spec;
    }

    q->compat = g_strdup("1.1");
    q->has_lazy_refcounts = true;
    q->lazy_refcounts = s->compatible_features & QCOW2_COMPAT_LAZY_REFCOUNTS;
    q->has_corrupt = true;
    q->corrupt = s->incompatible_features & QCOW2_INCOMPAT_CORRUPT;
    q->has_extended_l2 = true;
    q->extended_l2 = has_subclusters(s);
    if (s->image_data_file) {
        q->data_file = g_strdup(s->image_data_file);
    }
    if (has_data_file(bs)) {
        q->has_data_file_raw = true;
        q->data_file_raw = data_file_is_raw(bs);
    }
    if (s->nb_bitmaps) {
        q->bitmaps = qcow2_get_bitmap_info_list(bs, &local_err);
        if (local_err) {
            error_propagate(errp, local_err);
            qapi_free_ImageInfoSpecific(spec);
            return NULL;
        }
        q->has_bitmaps = true;
    }
    return spec;
}
