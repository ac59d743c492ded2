/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/pbkdf.h: PBKDF2 (RFC 8018) with HMAC over the hashes of
 * crypto/hash.h, and the calibration that turns "spend N milliseconds"
 * into an iteration count (LUKS's iter-time).  Thread-safe.
 */
#ifndef CRYPTO_PBKDF_H
#define CRYPTO_PBKDF_H

#include "crypto/hash.h"

/*
 * Derive @nout bytes into @out from the password @key (@nkey bytes) and
 * @salt (@nsalt bytes) with @iterations rounds of HMAC-@hash.
 * Returns 0, or -1 with @errp set when @iterations is 0 or too large.
 */
int qcrypto_pbkdf2(QCryptoHashAlgorithm hash, const uint8_t *key,
                   size_t nkey, const uint8_t *salt, size_t nsalt,
                   uint64_t iterations, uint8_t *out, size_t nout,
                   Error **errp);

/*
 * How many PBKDF2 iterations of HMAC-@hash deriving @nout bytes this
 * thread runs per second of CPU time (measured on the given key and salt).
 * Returns the count, or 0 with @errp set ("Unable to get accurate CPU
 * usage" when the clock cannot measure the work).
 */
uint64_t qcrypto_pbkdf2_count_iters(QCryptoHashAlgorithm hash,
                                    const uint8_t *key, size_t nkey,
                                    const uint8_t *salt, size_t nsalt,
                                    size_t nout, Error **errp);

#endif /* CRYPTO_PBKDF_H */
