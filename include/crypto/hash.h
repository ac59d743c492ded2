/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/hash.h: the hash algorithms LUKS names in its header (hash-alg,
 * ivgen-hash-alg), by QEMU's names, over nettle's implementations.
 * Thread-safe: no state is kept between calls.
 */
#ifndef CRYPTO_HASH_H
#define CRYPTO_HASH_H

typedef enum QCryptoHashAlgorithm {
    QCRYPTO_HASH_ALG_MD5,
    QCRYPTO_HASH_ALG_SHA1,
    QCRYPTO_HASH_ALG_SHA224,
    QCRYPTO_HASH_ALG_SHA256,
    QCRYPTO_HASH_ALG_SHA384,
    QCRYPTO_HASH_ALG_SHA512,
    QCRYPTO_HASH_ALG_RIPEMD160,
    QCRYPTO_HASH_ALG__MAX,
} QCryptoHashAlgorithm;

/* QEMU's name of @alg ("sha256"...). */
const char *qcrypto_hash_alg_name(QCryptoHashAlgorithm alg);

/* The algorithm called @name (exact, lower case), or -1. */
int qcrypto_hash_alg_parse(const char *name);

/* Length in bytes of @alg's digest. */
size_t qcrypto_hash_digest_len(QCryptoHashAlgorithm alg);

/*
 * Hash the @niov buffers of @iov (concatenated) with @alg into @out,
 * which holds qcrypto_hash_digest_len(@alg) bytes.
 */
void qcrypto_hash_iov(QCryptoHashAlgorithm alg, const struct iovec *iov,
                      size_t niov, uint8_t *out);

/* One-buffer form of qcrypto_hash_iov(). */
void qcrypto_hash_bytes(QCryptoHashAlgorithm alg, const void *buf,
                        size_t len, uint8_t *out);

#endif /* CRYPTO_HASH_H */
