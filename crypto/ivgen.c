/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/ivgen.c: the plain, plain64 and essiv IV generators, and the
 * sector-by-sector en/decryption loop that uses them.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "crypto/ivgen.h"

struct QCryptoIVGen {
    QCryptoIVGenAlgorithm alg;
    QCryptoCipher *essiv;       /* ESSIV only: keyed with H(volume key) */
};

static const char *const ivgen_names[QCRYPTO_IVGEN_ALG__MAX] = {
    [QCRYPTO_IVGEN_ALG_PLAIN] = "plain",
    [QCRYPTO_IVGEN_ALG_PLAIN64] = "plain64",
    [QCRYPTO_IVGEN_ALG_ESSIV] = "essiv",
};

const char *qcrypto_ivgen_alg_name(QCryptoIVGenAlgorithm alg)
{
    return ivgen_names[alg];
}

int qcrypto_ivgen_alg_parse(const char *name)
{
    int i;

    for (i = 0; i < QCRYPTO_IVGEN_ALG__MAX; i++) {
        if (name && !strcmp(name, ivgen_names[i])) {
            return i;
        }
    }
    return -1;
}

/* Per family of three key sizes, in QCryptoCipherAlgorithm's order. */
static const char *const family_names[] = { "AES", "Serpent", "Twofish" };

int qcrypto_ivgen_essiv_cipher(QCryptoCipherAlgorithm alg,
                               QCryptoHashAlgorithm hash, Error **errp)
{
    size_t klen = qcrypto_hash_digest_len(hash);
    /* Families are laid out as three consecutive key sizes. */
    int first = alg - (alg % 3);
    int i;

    for (i = first; i < first + 3; i++) {
        if (qcrypto_cipher_get_key_len(i) == klen) {
            return i;
        }
    }
    error_setg(errp, "No %s cipher with key size %zu available",
               family_names[first / 3], klen);
    return -1;
}

QCryptoIVGen *qcrypto_ivgen_new(QCryptoIVGenAlgorithm alg,
                                QCryptoCipherAlgorithm cipheralg,
                                QCryptoHashAlgorithm hash,
                                const uint8_t *key, size_t nkey,
                                Error **errp)
{
    g_autoptr(QCryptoIVGen) ivgen = g_new0(QCryptoIVGen, 1);

    ivgen->alg = alg;
    if (alg == QCRYPTO_IVGEN_ALG_ESSIV) {
        size_t dlen = qcrypto_hash_digest_len(hash);
        g_autofree uint8_t *salt = g_malloc(dlen);

        qcrypto_hash_bytes(hash, key, nkey, salt);
        ivgen->essiv = qcrypto_cipher_new(cipheralg, QCRYPTO_CIPHER_MODE_ECB,
                                          salt, dlen, errp);
        memset(salt, 0, dlen);
        if (!ivgen->essiv) {
            return NULL;
        }
    }
    return g_steal_pointer(&ivgen);
}

int qcrypto_ivgen_calculate(QCryptoIVGen *ivgen, uint64_t sector,
                            uint8_t *iv, size_t niv, Error **errp)
{
    uint8_t le[8];

    stq_le_p(le, sector);
    memset(iv, 0, niv);
    switch (ivgen->alg) {
    case QCRYPTO_IVGEN_ALG_PLAIN:
        memcpy(iv, le, MIN(niv, 4));
        return 0;
    case QCRYPTO_IVGEN_ALG_PLAIN64:
        memcpy(iv, le, MIN(niv, 8));
        return 0;
    default:
        memcpy(iv, le, MIN(niv, 8));
        return qcrypto_cipher_encrypt(ivgen->essiv, iv, iv, niv, errp);
    }
}

void qcrypto_ivgen_free(QCryptoIVGen *ivgen)
{
    if (ivgen) {
        qcrypto_cipher_free(ivgen->essiv);
        g_free(ivgen);
    }
}

int qcrypto_ivgen_crypt_sectors(QCryptoCipher *cipher, QCryptoIVGen *ivgen,
                                bool enc, uint64_t sector, uint8_t *buf,
                                size_t len, Error **errp)
{
    uint8_t iv[16];
    size_t off;

    for (off = 0; off < len; off += QCRYPTO_IVGEN_SECTOR_SIZE) {
        size_t n = MIN(len - off, QCRYPTO_IVGEN_SECTOR_SIZE);
        int ret;

        if (qcrypto_ivgen_calculate(ivgen, sector++, iv, sizeof(iv),
                                    errp) < 0 ||
            qcrypto_cipher_setiv(cipher, iv, sizeof(iv), errp) < 0) {
            return -1;
        }
        ret = enc ? qcrypto_cipher_encrypt(cipher, buf + off, buf + off, n,
                                           errp)
                  : qcrypto_cipher_decrypt(cipher, buf + off, buf + off, n,
                                           errp);
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}
