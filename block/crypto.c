/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/crypto.c: the "luks" format driver.
 *
 * A luks node shows the decrypted payload of a LUKS1 volume held by its
 * file child.  The header, key slots and ciphers are crypto/block-luks.c's
 * business; this file opens and creates volumes through the block layer
 * and runs the data path: every request is sector-aligned (request
 * alignment 512) and goes through a bounce buffer of at most 1 MiB, where
 * data is decrypted after reading or encrypted before writing.  Like QEMU
 * 7.2 the driver reports no block status (all data) and no zero
 * initialisation: zeroes must be written, encrypted, as data.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/module.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "block/qapi.h"
#include "sysemu/block-backend.h"
#include "crypto/block-luks.h"
#include "crypto/secret.h"
#include "block/crypto.h"

#define BLOCK_CRYPTO_OPT_KEY_SECRET "key-secret"
#define BLOCK_CRYPTO_MAX_IO_SIZE (1024 * 1024)

typedef struct BlockCrypto {
    QCryptoBlock *block;
    uint64_t payload;           /* payload offset in the file, bytes */
} BlockCrypto;

/* Options that change what the node shows (json: filenames keep them). */
static const char *const block_crypto_strong_runtime_opts[] = {
    BLOCK_CRYPTO_OPT_KEY_SECRET,
    NULL
};

static QemuOptsList block_crypto_runtime_opts_luks = {
    .name = "crypto",
    .head = QTAILQ_HEAD_INITIALIZER(block_crypto_runtime_opts_luks.head),
    .desc = {
        {
            .name = BLOCK_CRYPTO_OPT_KEY_SECRET,
            .type = QEMU_OPT_STRING,
            .help = "ID of the secret that provides the keyslot passphrase",
        },
        { /* end of list */ }
    },
};

/* In QEMU 7.2's order ("Formatting ..." prints set options in it). */
static QemuOptsList block_crypto_create_opts_luks = {
    .name = "crypto",
    .head = QTAILQ_HEAD_INITIALIZER(block_crypto_create_opts_luks.head),
    .desc = {
        { .name = BLOCK_OPT_SIZE, .type = QEMU_OPT_SIZE,
          .help = "Virtual disk size" },
        { .name = BLOCK_CRYPTO_OPT_KEY_SECRET, .type = QEMU_OPT_STRING,
          .help = "ID of the secret that provides the keyslot passphrase" },
        { .name = "cipher-alg", .type = QEMU_OPT_STRING,
          .help = "Name of encryption cipher algorithm" },
        { .name = "cipher-mode", .type = QEMU_OPT_STRING,
          .help = "Name of encryption cipher mode" },
        { .name = "ivgen-alg", .type = QEMU_OPT_STRING,
          .help = "Name of IV generator algorithm" },
        { .name = "ivgen-hash-alg", .type = QEMU_OPT_STRING,
          .help = "Name of IV generator hash algorithm" },
        { .name = "hash-alg", .type = QEMU_OPT_STRING,
          .help = "Name of encryption hash algorithm" },
        { .name = "iter-time", .type = QEMU_OPT_NUMBER,
          .help = "Time to spend in PBKDF in milliseconds" },
        { /* end of list */ }
    },
};

/* qemu-img amend: key slot management, in QEMU 7.2's order. */
static QemuOptsList block_crypto_amend_opts_luks = {
    .name = "crypto",
    .head = QTAILQ_HEAD_INITIALIZER(block_crypto_amend_opts_luks.head),
    .desc = {
        { .name = "state", .type = QEMU_OPT_STRING,
          .help = "Select new state of affected keyslots (active/inactive)" },
        { .name = "keyslot", .type = QEMU_OPT_NUMBER,
          .help = "Select a single keyslot to modify explicitly" },
        { .name = "old-secret", .type = QEMU_OPT_STRING,
          .help = "Select all keyslots that match this password" },
        { .name = "new-secret", .type = QEMU_OPT_STRING,
          .help = "New secret to set in the matching keyslots. "
                  "Empty string to erase" },
        { .name = "iter-time", .type = QEMU_OPT_NUMBER,
          .help = "Time to spend in PBKDF in milliseconds" },
        { /* end of list */ }
    },
};

/* The passphrase named by @secretid; NULL with @errp set. */
static uint8_t *get_password(const char *secretid, size_t *len,
                             Error **errp)
{
    uint8_t *data;

    if (!secretid) {
        error_setg(errp, "Parameter '%s' is required for cipher",
                   BLOCK_CRYPTO_OPT_KEY_SECRET);
        return NULL;
    }
    if (qcrypto_secret_lookup(secretid, &data, len, errp) < 0) {
        return NULL;
    }
    return data;
}

static int block_crypto_probe_luks(const uint8_t *buf, int buf_size,
                                   const char *filename)
{
    return qcrypto_block_luks_has_format(buf, buf_size) ? 100 : 0;
}

/* --- Open --------------------------------------------------------------- */

static int read_header_fn(size_t offset, uint8_t *buf, size_t len,
                          void *opaque, Error **errp)
{
    BdrvChild *file = opaque;
    int ret = bdrv_pread(file, offset, len, buf, 0);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read encryption header");
        return -1;
    }
    return 0;
}

static int block_crypto_open_luks(BlockDriverState *bs, QDict *options,
                                  int flags, Error **errp)
{
    BlockCrypto *s = bs->opaque;
    g_autofree uint8_t *password = NULL;
    size_t npassword = 0;
    unsigned cflags = 0;
    QemuOpts *opts;
    int ret = -EINVAL;

    if (!bdrv_open_child(NULL, options, "file", bs, &child_of_bds,
                         BDRV_CHILD_IMAGE | BDRV_CHILD_PRIMARY, false,
                         errp)) {
        return -EINVAL;
    }
    opts = qemu_opts_create(&block_crypto_runtime_opts_luks, NULL, 0,
                            &error_abort);
    if (!qemu_opts_absorb_qdict(opts, options, errp)) {
        goto out;
    }
    if (flags & BDRV_O_NO_IO) {
        cflags |= QCRYPTO_BLOCK_OPEN_NO_IO;
    } else {
        password = get_password(qemu_opt_get(opts,
                                             BLOCK_CRYPTO_OPT_KEY_SECRET),
                                &npassword, errp);
        if (!password) {
            goto out;
        }
    }
    bdrv_graph_rdlock_main_loop();
    s->block = qcrypto_block_luks_open(password, npassword, cflags,
                                       read_header_fn, bs->file, errp);
    bdrv_graph_rdunlock_main_loop();
    if (!s->block) {
        goto out;
    }
    s->payload = qcrypto_block_get_payload_offset(s->block);
    bs->encrypted = true;
    ret = 0;
out:
    if (password) {
        memset(password, 0, npassword);
    }
    qemu_opts_del(opts);
    return ret;
}

static void block_crypto_close(BlockDriverState *bs)
{
    BlockCrypto *s = bs->opaque;

    qcrypto_block_free(s->block);
    s->block = NULL;
}

static int block_crypto_reopen_prepare(BDRVReopenState *state,
                                       BlockReopenQueue *queue, Error **errp)
{
    /* The volume stays unlocked: nothing to check. */
    return 0;
}

static void GRAPH_RDLOCK block_crypto_refresh_limits(BlockDriverState *bs,
                                                     Error **errp)
{
    bs->bl.request_alignment = MAX(bs->bl.request_alignment,
                                   QCRYPTO_BLOCK_LUKS_SECTOR_SIZE);
}

/* --- Data path ---------------------------------------------------------- */

static int coroutine_fn GRAPH_RDLOCK
block_crypto_co_preadv(BlockDriverState *bs, int64_t offset, int64_t bytes,
                       QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BlockCrypto *s = bs->opaque;
    size_t buflen = MIN(bytes, BLOCK_CRYPTO_MAX_IO_SIZE);
    uint8_t *buf = qemu_try_blockalign(bs->file->bs, buflen);
    int64_t done = 0;
    int ret = 0;

    assert(QEMU_IS_ALIGNED(offset | bytes, QCRYPTO_BLOCK_LUKS_SECTOR_SIZE));
    if (!buf) {
        return -ENOMEM;
    }
    while (done < bytes) {
        size_t n = MIN(bytes - done, buflen);

        ret = bdrv_co_pread(bs->file, s->payload + offset + done, n, buf, 0);
        if (ret < 0) {
            break;
        }
        if (qcrypto_block_decrypt(s->block, offset + done, buf, n,
                                  NULL) < 0) {
            ret = -EIO;
            break;
        }
        qemu_iovec_from_buf(qiov, done, buf, n);
        done += n;
    }
    qemu_vfree(buf);
    return ret < 0 ? ret : 0;
}

static int coroutine_fn GRAPH_RDLOCK
block_crypto_co_pwritev(BlockDriverState *bs, int64_t offset, int64_t bytes,
                        QEMUIOVector *qiov, BdrvRequestFlags flags)
{
    BlockCrypto *s = bs->opaque;
    size_t buflen = MIN(bytes, BLOCK_CRYPTO_MAX_IO_SIZE);
    uint8_t *buf = qemu_try_blockalign(bs->file->bs, buflen);
    int64_t done = 0;
    int ret = 0;

    assert(QEMU_IS_ALIGNED(offset | bytes, QCRYPTO_BLOCK_LUKS_SECTOR_SIZE));
    if (!buf) {
        return -ENOMEM;
    }
    while (done < bytes) {
        size_t n = MIN(bytes - done, buflen);

        qemu_iovec_to_buf(qiov, done, buf, n);
        if (qcrypto_block_encrypt(s->block, offset + done, buf, n,
                                  NULL) < 0) {
            ret = -EIO;
            break;
        }
        /*
         * No FUA per chunk: the driver does not claim FUA, so the core
         * flushes once after the whole request (a flush per 1 MiB chunk
         * made writethrough writes several times slower).
         */
        ret = bdrv_co_pwrite(bs->file, s->payload + offset + done, n, buf, 0);
        if (ret < 0) {
            break;
        }
        done += n;
    }
    qemu_vfree(buf);
    return ret < 0 ? ret : 0;
}

static int64_t coroutine_fn GRAPH_RDLOCK
block_crypto_co_getlength(BlockDriverState *bs)
{
    BlockCrypto *s = bs->opaque;
    int64_t len = bdrv_co_getlength(bs->file->bs);

    if (len < 0) {
        return len;
    }
    /* A file too short for the payload offset is an I/O error (as 7.2). */
    return len < s->payload ? -EIO : len - s->payload;
}

static int64_t coroutine_fn GRAPH_RDLOCK
block_crypto_co_get_allocated_file_size(BlockDriverState *bs)
{
    return bdrv_co_get_allocated_file_size(bs->file->bs);
}

static int coroutine_fn GRAPH_RDLOCK
block_crypto_co_truncate(BlockDriverState *bs, int64_t offset, bool exact,
                         PreallocMode prealloc, BdrvRequestFlags flags,
                         Error **errp)
{
    BlockCrypto *s = bs->opaque;

    if (offset < 0 || offset > INT64_MAX - s->payload) {
        error_setg(errp, "Invalid size %" PRId64, offset);
        return -EINVAL;
    }
    return bdrv_co_truncate(bs->file, offset + s->payload, exact, prealloc,
                            0, errp);
}

static int coroutine_fn GRAPH_RDLOCK
block_crypto_co_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    BlockDriverInfo sub = { 0 };

    /* The file's cluster size, when it has one; never dirty. */
    if (bdrv_co_get_info(bs->file->bs, &sub) == 0) {
        bdi->cluster_size = sub.cluster_size;
    }
    return 0;
}

static ImageInfoSpecific * GRAPH_RDLOCK
block_crypto_get_specific_info_luks(BlockDriverState *bs, Error **errp)
{
    BlockCrypto *s = bs->opaque;
    ImageInfoSpecific *spec = g_new0(ImageInfoSpecific, 1);

    spec->type = IMAGE_INFO_SPECIFIC_KIND_LUKS;
    spec->u.luks.data = qcrypto_block_get_info_luks(s->block);
    return spec;
}

/* --- Create ------------------------------------------------------------- */

static int parse_prealloc(const char *str, PreallocMode *mode, Error **errp)
{
    static const char *const names[] = {
        [PREALLOC_MODE_OFF] = "off",
        [PREALLOC_MODE_METADATA] = "metadata",
        [PREALLOC_MODE_FALLOC] = "falloc",
        [PREALLOC_MODE_FULL] = "full",
    };
    int i;

    *mode = PREALLOC_MODE_OFF;
    for (i = 0; str && i < ARRAY_SIZE(names); i++) {
        if (!strcmp(str, names[i])) {
            *mode = i;
            return 0;
        }
    }
    if (str) {
        error_setg(errp, "invalid parameter value: %s", str);
        return -EINVAL;
    }
    return 0;
}

static int write_header_fn(size_t offset, const uint8_t *buf, size_t len,
                           void *opaque, Error **errp)
{
    int ret = blk_pwrite(opaque, offset, len, buf, 0);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write encryption header");
        return -1;
    }
    return 0;
}

typedef struct LUKSCreate {
    const char *filename;
    QCryptoBlockCreateOptionsLUKS opts;
    uint8_t *password;
    size_t npassword;
    int64_t size;
    PreallocMode prealloc;
    Error **errp;
    int ret;
} LUKSCreate;

/*
 * Format the protocol file: header and slot 0, then the file is sized to
 * hold the payload.
 */
static void coroutine_fn luks_format_file(LUKSCreate *c)
{
    g_autoptr(QCryptoBlock) block = NULL;
    BlockBackend *blk;

    c->ret = -EIO;
    blk = blk_co_new_open(c->filename, NULL, NULL,
                          BDRV_O_RDWR | BDRV_O_RESIZE | BDRV_O_PROTOCOL,
                          c->errp);
    if (!blk) {
        return;
    }
    blk_set_allow_write_beyond_eof(blk, true);
    c->ret = blk_truncate(blk, 0, false, PREALLOC_MODE_OFF, 0, c->errp);
    if (c->ret < 0) {
        goto out;
    }
    block = qcrypto_block_luks_create(&c->opts, c->password, c->npassword,
                                      write_header_fn, blk, c->errp);
    if (!block) {
        c->ret = -EIO;
        goto out;
    }
    c->ret = blk_truncate(blk, qcrypto_block_get_payload_offset(block) +
                          c->size, false, c->prealloc, 0, c->errp);
out:
    blk_co_unref(blk);
}

static int coroutine_fn GRAPH_UNLOCKED
block_crypto_co_create_opts_luks(BlockDriver *drv, const char *filename,
                                 QemuOpts *opts, Error **errp)
{
    g_autofree char *secret = qemu_opt_get_del(opts,
                                               BLOCK_CRYPTO_OPT_KEY_SECRET);
    g_autofree char *prealloc = qemu_opt_get_del(opts, BLOCK_OPT_PREALLOC);
    g_autofree char *cipher_alg = qemu_opt_get_del(opts, "cipher-alg");
    g_autofree char *cipher_mode = qemu_opt_get_del(opts, "cipher-mode");
    g_autofree char *ivgen_alg = qemu_opt_get_del(opts, "ivgen-alg");
    g_autofree char *ivgen_hash = qemu_opt_get_del(opts, "ivgen-hash-alg");
    g_autofree char *hash_alg = qemu_opt_get_del(opts, "hash-alg");
    LUKSCreate c = {
        .filename = filename,
        .opts = {
            .cipher_alg = cipher_alg, .cipher_mode = cipher_mode,
            .ivgen_alg = ivgen_alg, .ivgen_hash_alg = ivgen_hash,
            .hash_alg = hash_alg,
            .has_iter_time = qemu_opt_get(opts, "iter-time") != NULL,
            .iter_time = qemu_opt_get_number_del(opts, "iter-time", 0),
        },
        .size = qemu_opt_get_size_del(opts, BLOCK_OPT_SIZE, 0),
        .errp = errp,
    };
    int ret;

    if (parse_prealloc(prealloc, &c.prealloc, errp) < 0 ||
        qcrypto_block_luks_check_names(&c.opts, errp) < 0) {
        return -EINVAL;
    }
    c.password = get_password(secret, &c.npassword, errp);
    if (!c.password) {
        return -EINVAL;
    }
    ret = bdrv_co_create_file(filename, opts, errp);
    if (ret == 0) {
        luks_format_file(&c);
        ret = c.ret;
    }
    memset(c.password, 0, c.npassword);
    g_free(c.password);
    return ret;
}

/* --- Amend -------------------------------------------------------------- */

static int amend_write_fn(size_t offset, const uint8_t *buf, size_t len,
                          void *opaque, Error **errp)
{
    BdrvChild *file = opaque;
    int ret = bdrv_pwrite(file, offset, len, buf, 0);

    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write encryption header");
        return -1;
    }
    return 0;
}

/* The option <@prefix><@name> of @opts. */
static const char *amend_opt(QemuOpts *opts, const char *prefix,
                             const char *name)
{
    g_autofree char *key = g_strconcat(prefix, name, NULL);

    return qemu_opt_get(opts, key);
}

int block_crypto_amend_luks(QCryptoBlock *block, QemuOpts *opts,
                            const char *prefix, QCryptoBlockReadFunc read_fn,
                            QCryptoBlockWriteFunc write_fn, void *opaque,
                            bool force, Error **errp)
{
    const char *state = amend_opt(opts, prefix, "state");
    const char *old_id = amend_opt(opts, prefix, "old-secret");
    const char *new_id = amend_opt(opts, prefix, "new-secret");
    g_autofree char *keyslot_key = g_strconcat(prefix, "keyslot", NULL);
    g_autofree char *iter_key = g_strconcat(prefix, "iter-time", NULL);
    g_autofree uint8_t *old_pw = NULL;
    g_autofree uint8_t *new_pw = NULL;
    QCryptoBlockAmendOptionsLUKS o = {
        .has_keyslot = qemu_opt_get(opts, keyslot_key) != NULL,
        .keyslot = qemu_opt_get_number(opts, keyslot_key, 0),
        .has_iter_time = qemu_opt_get(opts, iter_key) != NULL,
        .iter_time = qemu_opt_get_number(opts, iter_key, 0),
    };
    int ret = -EINVAL;

    if (!state) {
        error_setg(errp, "Parameter 'state' is missing");
        return -EINVAL;
    }
    if (strcmp(state, "active") && strcmp(state, "inactive")) {
        error_setg(errp, "Parameter 'state' does not accept value '%s'",
                   state);
        return -EINVAL;
    }
    o.active = !strcmp(state, "active");
    if (old_id && qcrypto_secret_lookup(old_id, &old_pw, &o.nold_password,
                                        errp) < 0) {
        goto out;
    }
    if (new_id && qcrypto_secret_lookup(new_id, &new_pw, &o.nnew_password,
                                        errp) < 0) {
        goto out;
    }
    o.old_password = old_pw;
    o.new_password = new_pw;
    if (qcrypto_block_luks_amend(block, &o, read_fn, write_fn, opaque, force,
                                 errp) == 0) {
        ret = 0;
    }
out:
    if (old_pw) {
        memset(old_pw, 0, o.nold_password);
    }
    if (new_pw) {
        memset(new_pw, 0, o.nnew_password);
    }
    return ret;
}

static int GRAPH_RDLOCK
block_crypto_amend_options_luks(BlockDriverState *bs, QemuOpts *opts,
                                BlockDriverAmendStatusCB *status_cb,
                                void *cb_opaque, bool force, Error **errp)
{
    BlockCrypto *s = bs->opaque;

    return block_crypto_amend_luks(s->block, opts, "", read_header_fn,
                                   amend_write_fn, bs->file, force, errp);
}

/* A new image holds the LUKS header area and the payload, all allocated. */
static BlockMeasureInfo *block_crypto_measure(QemuOpts *opts,
                                              BlockDriverState *in_bs,
                                              Error **errp)
{
    QCryptoBlockCreateOptionsLUKS luks = {
        .cipher_alg = qemu_opt_get(opts, "cipher-alg"),
        .cipher_mode = qemu_opt_get(opts, "cipher-mode"),
        .ivgen_alg = qemu_opt_get(opts, "ivgen-alg"),
        .ivgen_hash_alg = qemu_opt_get(opts, "ivgen-hash-alg"),
        .hash_alg = qemu_opt_get(opts, "hash-alg"),
    };
    g_autofree uint8_t *password = NULL;
    BlockMeasureInfo *info;
    int64_t size, header;
    size_t npassword;

    if (in_bs) {
        size = bdrv_getlength(in_bs);
        if (size < 0) {
            error_setg_errno(errp, -size, "Unable to get image virtual_size");
            return NULL;
        }
    } else {
        size = qemu_opt_get_size(opts, BLOCK_OPT_SIZE, 0);
    }
    /* 7.2 checks the secret too, though no key slot is made. */
    password = get_password(qemu_opt_get(opts, BLOCK_CRYPTO_OPT_KEY_SECRET),
                            &npassword, errp);
    if (!password) {
        return NULL;
    }
    header = qcrypto_block_luks_payload_offset(&luks, errp);
    if (header < 0) {
        return NULL;
    }
    info = g_new0(BlockMeasureInfo, 1);
    info->required = header + size;
    info->fully_allocated = header + size;
    return info;
}

BlockDriver bdrv_crypto_luks = {
    .format_name                    = "luks",
    .instance_size                  = sizeof(BlockCrypto),
    .is_format                      = true,
    .create_opts                    = &block_crypto_create_opts_luks,
    .amend_opts                     = &block_crypto_amend_opts_luks,
    .strong_runtime_opts            = block_crypto_strong_runtime_opts,

    .bdrv_probe                     = block_crypto_probe_luks,
    .bdrv_open                      = block_crypto_open_luks,
    .bdrv_close                     = block_crypto_close,
    .bdrv_reopen_prepare            = block_crypto_reopen_prepare,
    .bdrv_child_perm                = bdrv_default_perms,
    .bdrv_co_create_opts            = block_crypto_co_create_opts_luks,
    .bdrv_measure                   = block_crypto_measure,
    .bdrv_amend_options             = block_crypto_amend_options_luks,
    .bdrv_refresh_limits            = block_crypto_refresh_limits,

    .bdrv_co_preadv                 = block_crypto_co_preadv,
    .bdrv_co_pwritev                = block_crypto_co_pwritev,
    .bdrv_co_truncate               = block_crypto_co_truncate,
    .bdrv_co_getlength              = block_crypto_co_getlength,
    .bdrv_co_get_allocated_file_size =
        block_crypto_co_get_allocated_file_size,
    .bdrv_co_get_info               = block_crypto_co_get_info,
    .bdrv_get_specific_info         = block_crypto_get_specific_info_luks,
};

static void block_crypto_init(void)
{
    bdrv_register(&bdrv_crypto_luks);
}

block_init(block_crypto_init);
