/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/afsplit.c: AF split and merge as the LUKS1 specification gives
 * them.  Both walk the stripes keeping a running block d:
 * d = diffuse(d ^ stripe[i]) for all but the last stripe, and the last
 * stripe is d ^ key.  diffuse() hashes each digest-sized piece of the
 * block prefixed with its index (32-bit big endian) and keeps as many
 * bytes of the digest as the piece had.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "crypto/afsplit.h"
#include "crypto/random.h"

static void xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        dst[i] ^= src[i];
    }
}

static void diffuse(QCryptoHashAlgorithm hash, uint8_t *block, size_t len)
{
    size_t dlen = qcrypto_hash_digest_len(hash);
    g_autofree uint8_t *digest = g_malloc(dlen);
    size_t off;
    uint32_t index = 0;

    for (off = 0; off < len; off += dlen, index++) {
        size_t piece = MIN(dlen, len - off);
        uint8_t be[4];
        struct iovec iov[2] = {
            { .iov_base = be, .iov_len = sizeof(be) },
            { .iov_base = block + off, .iov_len = piece },
        };

        stl_be_p(be, index);
        qcrypto_hash_iov(hash, iov, 2, digest);
        memcpy(block + off, digest, piece);
    }
}

int qcrypto_afsplit_encode(QCryptoHashAlgorithm hash, size_t blocklen,
                           uint32_t stripes, const uint8_t *in,
                           uint8_t *out, Error **errp)
{
    g_autofree uint8_t *d = g_malloc0(blocklen);
    uint32_t i;

    if (qcrypto_random_bytes(out, blocklen * (stripes - 1), errp) < 0) {
        return -1;
    }
    for (i = 0; i + 1 < stripes; i++) {
        xor_into(d, out + i * blocklen, blocklen);
        diffuse(hash, d, blocklen);
    }
    xor_into(d, in, blocklen);
    memcpy(out + (stripes - 1) * blocklen, d, blocklen);
    memset(d, 0, blocklen);
    return 0;
}

void qcrypto_afsplit_decode(QCryptoHashAlgorithm hash, size_t blocklen,
                            uint32_t stripes, const uint8_t *in,
                            uint8_t *out)
{
    g_autofree uint8_t *d = g_malloc0(blocklen);
    uint32_t i;

    for (i = 0; i + 1 < stripes; i++) {
        xor_into(d, in + i * blocklen, blocklen);
        diffuse(hash, d, blocklen);
    }
    xor_into(d, in + (stripes - 1) * blocklen, blocklen);
    memcpy(out, d, blocklen);
    memset(d, 0, blocklen);
}
