/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/cipher.h: block ciphers by QEMU's names (aes-256, serpent-128,
 * twofish-192...) in ECB, CBC or XTS mode, over nettle.
 *
 * A QCryptoCipher holds the expanded keys and, for CBC, the chaining IV
 * that qcrypto_cipher_setiv() sets and each call advances.  One cipher
 * object must not be used by two threads at once; distinct objects are
 * independent.
 */
#ifndef CRYPTO_CIPHER_H
#define CRYPTO_CIPHER_H

typedef enum QCryptoCipherAlgorithm {
    QCRYPTO_CIPHER_ALG_AES_128,
    QCRYPTO_CIPHER_ALG_AES_192,
    QCRYPTO_CIPHER_ALG_AES_256,
    QCRYPTO_CIPHER_ALG_SERPENT_128,
    QCRYPTO_CIPHER_ALG_SERPENT_192,
    QCRYPTO_CIPHER_ALG_SERPENT_256,
    QCRYPTO_CIPHER_ALG_TWOFISH_128,
    QCRYPTO_CIPHER_ALG_TWOFISH_192,
    QCRYPTO_CIPHER_ALG_TWOFISH_256,
    QCRYPTO_CIPHER_ALG__MAX,
} QCryptoCipherAlgorithm;

typedef enum QCryptoCipherMode {
    QCRYPTO_CIPHER_MODE_ECB,
    QCRYPTO_CIPHER_MODE_CBC,
    QCRYPTO_CIPHER_MODE_XTS,
    QCRYPTO_CIPHER_MODE__MAX,
} QCryptoCipherMode;

typedef struct QCryptoCipher QCryptoCipher;

/* QEMU's names ("aes-256", "xts"), and their inverse (-1: unknown). */
const char *qcrypto_cipher_alg_name(QCryptoCipherAlgorithm alg);
int qcrypto_cipher_alg_parse(const char *name);
const char *qcrypto_cipher_mode_name(QCryptoCipherMode mode);
int qcrypto_cipher_mode_parse(const char *name);

/* Key length of @alg in bytes (one key: XTS takes two of them). */
size_t qcrypto_cipher_get_key_len(QCryptoCipherAlgorithm alg);

/* Block length of @alg in bytes (16 for every algorithm here). */
size_t qcrypto_cipher_get_block_len(QCryptoCipherAlgorithm alg);

/*
 * A cipher for @alg in @mode keyed with @key: @nkey must be the key length
 * of @alg, twice that for XTS (data key, then tweak key).  NULL with @errp
 * set on a wrong key length.  Free with qcrypto_cipher_free().
 */
QCryptoCipher *qcrypto_cipher_new(QCryptoCipherAlgorithm alg,
                                  QCryptoCipherMode mode,
                                  const uint8_t *key, size_t nkey,
                                  Error **errp);

/* Wipe the keys and free @cipher (NULL is fine). */
void qcrypto_cipher_free(QCryptoCipher *cipher);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QCryptoCipher, qcrypto_cipher_free)

/*
 * Set the IV (CBC) or tweak (XTS) for the next call: @niv must be the
 * block length.  ECB ignores it.  Returns 0 or -1 with @errp set.
 */
int qcrypto_cipher_setiv(QCryptoCipher *cipher, const uint8_t *iv,
                         size_t niv, Error **errp);

/*
 * Encrypt or decrypt @len bytes from @in to @out (they may be the same
 * buffer).  @len must be a multiple of the block length, except in XTS,
 * which takes any length of at least one block.  CBC continues from the
 * current IV; XTS starts each call from the tweak set last.  Returns 0,
 * or -1 with @errp set on a bad length.
 */
int qcrypto_cipher_encrypt(QCryptoCipher *cipher, const void *in, void *out,
                           size_t len, Error **errp);
int qcrypto_cipher_decrypt(QCryptoCipher *cipher, const void *in, void *out,
                           size_t len, Error **errp);

#endif /* CRYPTO_CIPHER_H */
