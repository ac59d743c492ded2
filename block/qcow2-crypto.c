/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-crypto.c: LUKS encryption of qcow2 images (crypt_method 2): the
 * "full disk encryption header pointer" extension, unlocking the LUKS
 * header stored in clusters of the image, encrypting and decrypting data
 * clusters (the IV of each 512-byte sector is its host offset / 512, as
 * QEMU 7.2), placing a new LUKS header in the image at create time, and
 * the "encrypt" part of qemu-img info and measure.  Compressed clusters
 * and zero clusters stay unencrypted, as in 7.2.  Legacy AES images
 * (crypt_method 1: AES-128-CBC, the key is the passphrase's first 16
 * bytes, the IV the guest sector number) can be read, written and
 * created (no key material is stored: creating only sets crypt_method).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qstring.h"
#include "qemu/option.h"
#include "block/qdict.h"
#include "crypto/secret.h"
#include "block/crypto.h"
#include "qcow2.h"

#define QCOW2_CRYPTO_MAX_IO (1024 * 1024)

/* On-disk layout of the extension (big-endian). */
typedef struct QEMU_PACKED Qcow2CryptoHeaderExt {
    uint64_t offset;
    uint64_t length;
} Qcow2CryptoHeaderExt;

int qcow2_crypto_read_ext(BlockDriverState *bs, const uint8_t *data,
                          uint32_t len, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2CryptoHeaderExt ext;

    /* 7.2 checks the method before it reads the extensions. */
    if (s->crypt_method_header > QCOW_CRYPT_LUKS) {
        error_setg(errp, "Unsupported encryption method %" PRIu32,
                   s->crypt_method_header);
        return -EINVAL;
    }
    if (s->crypt_method_header != QCOW_CRYPT_LUKS) {
        error_setg(errp, "CRYPTO header extension only expected with LUKS "
                   "encryption method");
        return -EINVAL;
    }
    if (len != sizeof(ext)) {
        error_setg(errp, "CRYPTO header extension size %u, but expected "
                   "size %zu", len, sizeof(ext));
        return -EINVAL;
    }
    memcpy(&ext, data, sizeof(ext));
    s->crypto_header_offset = be64_to_cpu(ext.offset);
    s->crypto_header_length = be64_to_cpu(ext.length);
    s->have_crypto_header = true;
    return 0;
}

size_t qcow2_crypto_fill_ext(BlockDriverState *bs, uint8_t *data)
{
    BDRVQcow2State *s = bs->opaque;
    Qcow2CryptoHeaderExt ext = {
        .offset = cpu_to_be64(s->crypto_header_offset),
        .length = cpu_to_be64(s->crypto_header_length),
    };

    if (s->crypt_method_header != QCOW_CRYPT_LUKS ||
        !s->have_crypto_header) {
        return 0;
    }
    memcpy(data, &ext, sizeof(ext));
    return sizeof(ext);
}

/* --- Open --------------------------------------------------------------- */

/* Does [@offset, @offset + @len) lie inside the crypto header extension? */
static bool hdr_range_ok(BDRVQcow2State *s, size_t offset, size_t len,
                         Error **errp)
{
    if (offset > s->crypto_header_length ||
        len > s->crypto_header_length - offset) {
        error_setg(errp, "Request for data outside of extension header");
        return false;
    }
    return true;
}

/* The LUKS header lives inside the image: offsets count from its start. */
static int hdr_read_fn(size_t offset, uint8_t *buf, size_t len,
                       void *opaque, Error **errp)
{
    BlockDriverState *bs = opaque;
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!hdr_range_ok(s, offset, len, errp)) {
        return -1;
    }
    ret = bdrv_pread(bs->file, s->crypto_header_offset + offset, len, buf, 0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not read encryption header");
        return -1;
    }
    return 0;
}

static int hdr_write_fn(size_t offset, const uint8_t *buf, size_t len,
                        void *opaque, Error **errp)
{
    BlockDriverState *bs = opaque;
    BDRVQcow2State *s = bs->opaque;
    int ret;

    if (!hdr_range_ok(s, offset, len, errp)) {
        return -1;
    }
    ret = bdrv_pwrite(bs->file, s->crypto_header_offset + offset, len, buf,
                      0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write encryption header");
        return -1;
    }
    return 0;
}

/* Check the encrypt.* open options against the header (7.2's messages). */
static int check_open_format(BDRVQcow2State *s, QDict *enc, Error **errp)
{
    const char *fmt = qdict_get_try_str(enc, "format");

    switch (s->crypt_method_header) {
    case QCOW_CRYPT_NONE:
        if (fmt) {
            error_setg(errp, "No encryption in image header, but options "
                       "specified format '%s'", fmt);
            return -EINVAL;
        }
        return 0;
    case QCOW_CRYPT_AES:
    case QCOW_CRYPT_LUKS: {
        const char *hdr = s->crypt_method_header == QCOW_CRYPT_AES ? "aes"
                                                                  : "luks";

        if (fmt && strcmp(fmt, hdr)) {
            error_setg(errp, "Header reported '%s' encryption format but "
                       "options specify '%s'", hdr, fmt);
            return -EINVAL;
        }
        return 0;
    }
    default:
        error_setg(errp, "Unsupported encryption method %" PRIu32,
                   s->crypt_method_header);
        return -EINVAL;
    }
}

/* The passphrase of encrypt.key-secret @secret; 0, or -1 with @errp set. */
static int lookup_key(const char *secret, uint8_t **password, size_t *len,
                      Error **errp)
{
    if (!secret) {
        error_setg(errp, "Parameter 'encrypt.key-secret' is required for "
                   "cipher");
        return -1;
    }
    return qcrypto_secret_lookup(secret, password, len, errp) < 0 ? -1 : 0;
}

/*
 * Legacy AES: AES-128-CBC keyed with the passphrase (cut or zero-padded to
 * 16 bytes), plain64 IVs from guest sectors.
 */
static int aes_open(BlockDriverState *bs, const char *secret, int flags,
                    Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *password = NULL;
    uint8_t key[16] = { 0 };
    size_t npassword = 0;

    if (!(flags & BDRV_O_NO_IO)) {
        if (lookup_key(secret, &password, &npassword, errp) < 0) {
            return -EINVAL;
        }
        memcpy(key, password, MIN(npassword, sizeof(key)));
        memset(password, 0, npassword);
        s->aes = qcrypto_cipher_new(QCRYPTO_CIPHER_ALG_AES_128,
                                    QCRYPTO_CIPHER_MODE_CBC, key,
                                    sizeof(key), errp);
        memset(key, 0, sizeof(key));
        if (!s->aes) {
            return -EINVAL;
        }
        s->aes_ivgen = qcrypto_ivgen_new(QCRYPTO_IVGEN_ALG_PLAIN64,
                                         QCRYPTO_CIPHER_ALG_AES_128, 0,
                                         NULL, 0, errp);
        if (!s->aes_ivgen) {
            qcrypto_cipher_free(s->aes);
            s->aes = NULL;
            return -EINVAL;
        }
        qemu_mutex_init(&s->aes_lock);
    }
    bs->encrypted = true;
    return 0;
}

/* En- or decrypt @len bytes of @buf for guest offset @guest (AES). */
static int aes_crypt(BDRVQcow2State *s, uint64_t guest, uint8_t *buf,
                     size_t len, bool encrypt)
{
    int ret;

    qemu_mutex_lock(&s->aes_lock);
    ret = qcrypto_ivgen_crypt_sectors(s->aes, s->aes_ivgen, encrypt,
                                      guest >> BDRV_SECTOR_BITS, buf, len,
                                      NULL);
    qemu_mutex_unlock(&s->aes_lock);
    return ret < 0 ? -EIO : 0;
}

/* @buf in place, for host offset @host / guest offset @guest. */
static int crypt_buf(BDRVQcow2State *s, uint64_t host, uint64_t guest,
                     uint8_t *buf, size_t len, bool encrypt)
{
    if (s->aes) {
        return aes_crypt(s, guest, buf, len, encrypt);
    }
    if (encrypt) {
        return qcrypto_block_encrypt(s->crypto, host, buf, len, NULL) < 0 ?
               -EIO : 0;
    }
    return qcrypto_block_decrypt(s->crypto, host, buf, len, NULL) < 0 ?
           -EIO : 0;
}

int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_open(BlockDriverState *bs, QDict *options, int flags,
                  Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autoptr(QDict) enc = NULL;
    g_autofree uint8_t *password = NULL;
    size_t npassword = 0;
    const char *secret;
    unsigned cflags = 0;
    int ret;

    qdict_extract_subqdict(options, &enc, "encrypt.");
    ret = check_open_format(s, enc, errp);
    if (ret < 0 || s->crypt_method_header == QCOW_CRYPT_NONE) {
        return ret;
    }
    if (s->crypt_method_header == QCOW_CRYPT_AES) {
        return aes_open(bs, qdict_get_try_str(enc, "key-secret"), flags,
                        errp);
    }
    if (!s->have_crypto_header) {
        error_setg(errp, "Missing CRYPTO header for crypt method %" PRIu32,
                   s->crypt_method_header);
        return -EINVAL;
    }
    if (s->crypto_header_offset % s->cluster_size) {
        error_setg(errp, "Encryption header offset '%" PRIu64 "' is not a "
                   "multiple of cluster size '%u'", s->crypto_header_offset,
                   s->cluster_size);
        return -EINVAL;
    }
    if (flags & BDRV_O_NO_IO) {
        cflags |= QCRYPTO_BLOCK_OPEN_NO_IO;
    } else {
        secret = qdict_get_try_str(enc, "key-secret");
        if (lookup_key(secret, &password, &npassword, errp) < 0) {
            return -EINVAL;
        }
    }
    s->crypto = qcrypto_block_luks_open(password, npassword, cflags,
                                        hdr_read_fn, bs, errp);
    if (password) {
        memset(password, 0, npassword);
    }
    if (!s->crypto) {
        return -EINVAL;
    }
    bs->encrypted = true;
    return 0;
}

void qcow2_crypto_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    qcrypto_block_free(s->crypto);
    s->crypto = NULL;
    if (s->aes) {
        qcrypto_cipher_free(s->aes);
        s->aes = NULL;
        qcrypto_ivgen_free(s->aes_ivgen);
        s->aes_ivgen = NULL;
        qemu_mutex_destroy(&s->aes_lock);
    }
}

/* --- Data path ---------------------------------------------------------- */

int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_preadv(BlockDriverState *bs, uint64_t host, uint64_t guest,
                       uint64_t bytes, QEMUIOVector *qiov, size_t qiov_offset)
{
    BDRVQcow2State *s = bs->opaque;
    size_t buflen = MIN(bytes, QCOW2_CRYPTO_MAX_IO);
    uint8_t *buf = qemu_try_blockalign(s->data_file->bs, buflen);
    uint64_t done = 0;
    int ret = 0;

    assert(QEMU_IS_ALIGNED(host | bytes, BDRV_SECTOR_SIZE));
    if (!buf) {
        return -ENOMEM;
    }
    while (done < bytes) {
        size_t n = MIN(bytes - done, buflen);

        BLKDBG_CO_EVENT(bs->file, BLKDBG_READ_AIO);
        ret = bdrv_co_pread(s->data_file, host + done, n, buf, 0);
        if (ret < 0) {
            break;
        }
        ret = crypt_buf(s, host + done, guest + done, buf, n, false);
        if (ret < 0) {
            break;
        }
        qemu_iovec_from_buf(qiov, qiov_offset + done, buf, n);
        done += n;
    }
    qemu_vfree(buf);
    return ret < 0 ? ret : 0;
}

int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_pwrite_buf(BlockDriverState *bs, uint64_t host,
                           uint64_t guest, uint64_t bytes, uint8_t *buf)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;

    assert(QEMU_IS_ALIGNED(host | bytes, BDRV_SECTOR_SIZE));
    ret = crypt_buf(s, host, guest, buf, bytes, true);
    if (ret < 0) {
        return ret;
    }
    return bdrv_co_pwrite(s->data_file, host, bytes, buf, 0);
}

int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_pwritev(BlockDriverState *bs, uint64_t host, uint64_t guest,
                        uint64_t bytes, QEMUIOVector *qiov,
                        size_t qiov_offset)
{
    BDRVQcow2State *s = bs->opaque;
    size_t buflen = MIN(bytes, QCOW2_CRYPTO_MAX_IO);
    uint8_t *buf = qemu_try_blockalign(s->data_file->bs, buflen);
    uint64_t done = 0;
    int ret = 0;

    if (!buf) {
        return -ENOMEM;
    }
    while (done < bytes) {
        size_t n = MIN(bytes - done, buflen);

        qemu_iovec_to_buf(qiov, qiov_offset + done, buf, n);
        BLKDBG_CO_EVENT(bs->file, BLKDBG_WRITE_AIO);
        ret = qcow2_crypto_co_pwrite_buf(bs, host + done, guest + done, n,
                                         buf);
        if (ret < 0) {
            break;
        }
        done += n;
    }
    qemu_vfree(buf);
    return ret < 0 ? ret : 0;
}

/* --- Create ------------------------------------------------------------- */

/* The encrypt.* create options as the crypto layer takes them. */
static void luks_opts_from(QemuOpts *opts, QCryptoBlockCreateOptionsLUKS *o)
{
    *o = (QCryptoBlockCreateOptionsLUKS) {
        .cipher_alg = qemu_opt_get(opts, "encrypt.cipher-alg"),
        .cipher_mode = qemu_opt_get(opts, "encrypt.cipher-mode"),
        .ivgen_alg = qemu_opt_get(opts, "encrypt.ivgen-alg"),
        .ivgen_hash_alg = qemu_opt_get(opts, "encrypt.ivgen-hash-alg"),
        .hash_alg = qemu_opt_get(opts, "encrypt.hash-alg"),
        .has_iter_time = qemu_opt_get(opts, "encrypt.iter-time") != NULL,
        .iter_time = qemu_opt_get_number(opts, "encrypt.iter-time", 0),
    };
}

Qcow2CryptoCreate *qcow2_crypto_create_opts(QemuOpts *opts, Error **errp)
{
    const char *secret = qemu_opt_get(opts, "encrypt.key-secret");
    g_autofree Qcow2CryptoCreate *c = g_new0(Qcow2CryptoCreate, 1);

    /* A missing secret is reported by create or measure, as late as 7.2. */
    luks_opts_from(opts, &c->luks);
    c->luks.cipher_alg = g_strdup(c->luks.cipher_alg);
    c->luks.cipher_mode = g_strdup(c->luks.cipher_mode);
    c->luks.ivgen_alg = g_strdup(c->luks.ivgen_alg);
    c->luks.ivgen_hash_alg = g_strdup(c->luks.ivgen_hash_alg);
    c->luks.hash_alg = g_strdup(c->luks.hash_alg);
    c->secret = g_strdup(secret);
    if (qcrypto_block_luks_check_names(&c->luks, errp) < 0) {
        qcow2_crypto_create_free(g_steal_pointer(&c));
        return NULL;
    }
    return g_steal_pointer(&c);
}

void qcow2_crypto_create_free(Qcow2CryptoCreate *c)
{
    if (!c) {
        return;
    }
    g_free((char *)c->luks.cipher_alg);
    g_free((char *)c->luks.cipher_mode);
    g_free((char *)c->luks.ivgen_alg);
    g_free((char *)c->luks.ivgen_hash_alg);
    g_free((char *)c->luks.hash_alg);
    g_free(c->secret);
    g_free(c);
}

int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_create(BlockDriverState *bs, Qcow2CryptoCreate *c,
                       Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    g_autofree uint8_t *password = NULL;
    size_t npassword = 0;
    int64_t len, off;
    QCryptoBlock *block;
    int ret;

    if (lookup_key(c->secret, &password, &npassword, errp) < 0) {
        return -EINVAL;
    }
    len = qcrypto_block_luks_payload_offset(&c->luks, errp);
    if (len < 0) {
        ret = -EINVAL;
        goto out;
    }

    /* The header area: whole clusters, zeroed, refcounted. */
    qemu_co_mutex_lock(&s->lock);
    off = qcow2_alloc_clusters(bs, len);
    qemu_co_mutex_unlock(&s->lock);
    if (off < 0) {
        ret = off;
        error_setg_errno(errp, -ret, "Could not allocate cluster for LUKS "
                         "header");
        goto out;
    }
    ret = bdrv_co_pwrite_zeroes(bs->file, off, ROUND_UP(len, s->cluster_size),
                                0);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not zero fill encryption header");
        goto out;
    }
    s->crypto_header_offset = off;
    s->crypto_header_length = len;
    s->have_crypto_header = true;
    s->crypt_method_header = QCOW_CRYPT_LUKS;

    block = qcrypto_block_luks_create(&c->luks, password, npassword,
                                      hdr_write_fn, bs, errp);
    if (!block) {
        ret = -EIO;
        goto out;
    }
    qcrypto_block_free(s->crypto);
    s->crypto = block;
    bs->encrypted = true;

    qemu_co_mutex_lock(&s->lock);
    ret = qcow2_update_header(bs);
    qemu_co_mutex_unlock(&s->lock);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write encryption header");
    }
out:
    if (password) {
        memset(password, 0, npassword);
    }
    return ret;
}

int coroutine_fn GRAPH_RDLOCK
qcow2_crypto_co_create_aes(BlockDriverState *bs, const char *secret_id,
                           Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    char *passphrase;
    int ret;

    if (!secret_id) {
        error_setg(errp, "Parameter 'encrypt.key-secret' is required for "
                   "cipher");
        return -EINVAL;
    }
    /* Only checked here: the key is derived again at every open. */
    passphrase = qcrypto_secret_lookup_as_utf8(secret_id, errp);
    if (!passphrase) {
        return -EINVAL;
    }
    memset(passphrase, 0, strlen(passphrase));
    g_free(passphrase);

    qemu_co_mutex_lock(&s->lock);
    s->crypt_method_header = QCOW_CRYPT_AES;
    ret = qcow2_update_header(bs);
    qemu_co_mutex_unlock(&s->lock);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "Could not write encryption header");
    }
    return ret;
}

int64_t qcow2_crypto_measure(QemuOpts *opts, uint64_t cluster_size,
                             Error **errp)
{
    QCryptoBlockCreateOptionsLUKS luks;
    const char *secret = qemu_opt_get(opts, "encrypt.key-secret");
    g_autofree uint8_t *password = NULL;
    size_t npassword;
    int64_t len;

    if (lookup_key(secret, &password, &npassword, errp) < 0) {
        return -1;
    }
    memset(password, 0, npassword);
    luks_opts_from(opts, &luks);
    len = qcrypto_block_luks_payload_offset(&luks, errp);
    return len < 0 ? -1 : (int64_t)ROUND_UP(len, cluster_size);
}

/* --- Amend ------------------------------------------------------------- */

int qcow2_crypto_amend(BlockDriverState *bs, QemuOpts *opts, bool force,
                       Error **errp)
{
    BDRVQcow2State *s = bs->opaque;

    if (!s->crypto) {
        error_setg(errp, "Only LUKS encryption options can be amended");
        return -ENOTSUP;
    }
    return block_crypto_amend_luks(s->crypto, opts, "encrypt.", hdr_read_fn,
                                   hdr_write_fn, bs, force, errp);
}

/* --- Info --------------------------------------------------------------- */

QCryptoBlockInfoLUKS *qcow2_crypto_get_info(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    return s->crypto ? qcrypto_block_get_info_luks(s->crypto) : NULL;
}
