/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/ivgen.h: per-sector IVs for disk encryption, by QEMU's names:
 * "plain" (sector number, 32-bit little endian), "plain64" (64-bit little
 * endian) and "essiv" (the 64-bit sector number encrypted with a key that
 * is the hash of the volume key).  Not thread-safe per object.
 */
#ifndef CRYPTO_IVGEN_H
#define CRYPTO_IVGEN_H

#include "crypto/cipher.h"
#include "crypto/hash.h"

typedef enum QCryptoIVGenAlgorithm {
    QCRYPTO_IVGEN_ALG_PLAIN,
    QCRYPTO_IVGEN_ALG_PLAIN64,
    QCRYPTO_IVGEN_ALG_ESSIV,
    QCRYPTO_IVGEN_ALG__MAX,
} QCryptoIVGenAlgorithm;

typedef struct QCryptoIVGen QCryptoIVGen;

/* QEMU's names and their inverse (-1: unknown). */
const char *qcrypto_ivgen_alg_name(QCryptoIVGenAlgorithm alg);
int qcrypto_ivgen_alg_parse(const char *name);

/*
 * The cipher ESSIV uses with @hash over a volume encrypted with @alg: the
 * same family with the key length of @hash's digest.  -1 with @errp set
 * when that family has no such key length.
 */
int qcrypto_ivgen_essiv_cipher(QCryptoCipherAlgorithm alg,
                               QCryptoHashAlgorithm hash, Error **errp);

/*
 * An IV generator.  For ESSIV, @cipheralg is the ESSIV cipher
 * (qcrypto_ivgen_essiv_cipher()), @hash its hash and @key/@nkey the whole
 * volume key; the other generators ignore them.  NULL with @errp set.
 */
QCryptoIVGen *qcrypto_ivgen_new(QCryptoIVGenAlgorithm alg,
                                QCryptoCipherAlgorithm cipheralg,
                                QCryptoHashAlgorithm hash,
                                const uint8_t *key, size_t nkey,
                                Error **errp);

/* Write the IV of @sector into @iv (@niv bytes).  0 or -1 with @errp. */
int qcrypto_ivgen_calculate(QCryptoIVGen *ivgen, uint64_t sector,
                            uint8_t *iv, size_t niv, Error **errp);

/*
 * Encrypt (@enc) or decrypt @len bytes of @buf in place with @cipher, in
 * 512-byte sectors numbered from @sector, each with its IV from @ivgen
 * (the last sector may be shorter).  0, or -1 with @errp set.  The
 * caller serialises users of @cipher and @ivgen.
 */
#define QCRYPTO_IVGEN_SECTOR_SIZE 512
int qcrypto_ivgen_crypt_sectors(QCryptoCipher *cipher, QCryptoIVGen *ivgen,
                                bool enc, uint64_t sector, uint8_t *buf,
                                size_t len, Error **errp);

void qcrypto_ivgen_free(QCryptoIVGen *ivgen);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QCryptoIVGen, qcrypto_ivgen_free)

#endif /* CRYPTO_IVGEN_H */
