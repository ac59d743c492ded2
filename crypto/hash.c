/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/hash.c: QEMU's hash algorithm names mapped onto nettle's generic
 * hash descriptions (struct nettle_hash), and one-shot digests.
 */
#include "qemu/osdep.h"
#include "crypto/hash.h"
#include <nettle/nettle-meta.h>

static const struct {
    const char *name;
    const struct nettle_hash *impl;
} hash_algs[QCRYPTO_HASH_ALG__MAX] = {
    [QCRYPTO_HASH_ALG_MD5] = { "md5", &nettle_md5 },
    [QCRYPTO_HASH_ALG_SHA1] = { "sha1", &nettle_sha1 },
    [QCRYPTO_HASH_ALG_SHA224] = { "sha224", &nettle_sha224 },
    [QCRYPTO_HASH_ALG_SHA256] = { "sha256", &nettle_sha256 },
    [QCRYPTO_HASH_ALG_SHA384] = { "sha384", &nettle_sha384 },
    [QCRYPTO_HASH_ALG_SHA512] = { "sha512", &nettle_sha512 },
    [QCRYPTO_HASH_ALG_RIPEMD160] = { "ripemd160", &nettle_ripemd160 },
};

const char *qcrypto_hash_alg_name(QCryptoHashAlgorithm alg)
{
    return hash_algs[alg].name;
}

int qcrypto_hash_alg_parse(const char *name)
{
    int i;

    for (i = 0; i < QCRYPTO_HASH_ALG__MAX; i++) {
        if (name && !strcmp(name, hash_algs[i].name)) {
            return i;
        }
    }
    return -1;
}

size_t qcrypto_hash_digest_len(QCryptoHashAlgorithm alg)
{
    return hash_algs[alg].impl->digest_size;
}

void qcrypto_hash_iov(QCryptoHashAlgorithm alg, const struct iovec *iov,
                      size_t niov, uint8_t *out)
{
    const struct nettle_hash *h = hash_algs[alg].impl;
    g_autofree void *ctx = g_malloc(h->context_size);
    size_t i;

    h->init(ctx);
    for (i = 0; i < niov; i++) {
        h->update(ctx, iov[i].iov_len, iov[i].iov_base);
    }
    h->digest(ctx, h->digest_size, out);
}

void qcrypto_hash_bytes(QCryptoHashAlgorithm alg, const void *buf,
                        size_t len, uint8_t *out)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };

    qcrypto_hash_iov(alg, &iov, 1, out);
}
