/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/afsplit.h: the anti-forensic information splitter of LUKS1
 * (TKS1): a key of blocklen bytes becomes @stripes blocks, all of which
 * are needed to get it back; the blocks are mixed with a hash-based
 * diffusion function.  Thread-safe.
 */
#ifndef CRYPTO_AFSPLIT_H
#define CRYPTO_AFSPLIT_H

#include "crypto/hash.h"

/*
 * Split @in (@blocklen bytes) into @out (@blocklen * @stripes bytes),
 * using random stripes.  Returns 0, or -1 with @errp set.
 */
int qcrypto_afsplit_encode(QCryptoHashAlgorithm hash, size_t blocklen,
                           uint32_t stripes, const uint8_t *in,
                           uint8_t *out, Error **errp);

/* Merge @in (@blocklen * @stripes bytes) back into @out (@blocklen). */
void qcrypto_afsplit_decode(QCryptoHashAlgorithm hash, size_t blocklen,
                            uint32_t stripes, const uint8_t *in,
                            uint8_t *out);

#endif /* CRYPTO_AFSPLIT_H */
