/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/pbkdf.c: PBKDF2 over nettle's HMAC (one small derive function per
 * hash, all built by one macro around nettle's PBKDF2), and the CPU-time
 * calibration of iteration counts.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/pbkdf.h"
#include <nettle/hmac.h>
#include <nettle/pbkdf2.h>

typedef void PBKDF2Func(const uint8_t *key, size_t nkey, const uint8_t *salt,
                        size_t nsalt, unsigned iterations, uint8_t *out,
                        size_t nout);

/* A derive function for HMAC-@h: key the MAC, then run nettle's PBKDF2. */
#define DEFINE_PBKDF2(h, H)                                                 \
static void pbkdf2_##h(const uint8_t *key, size_t nkey,                    \
                       const uint8_t *salt, size_t nsalt,                  \
                       unsigned iterations, uint8_t *out, size_t nout)     \
{                                                                           \
    struct hmac_##h##_ctx ctx;                                              \
                                                                            \
    hmac_##h##_set_key(&ctx, nkey, key);                                    \
    PBKDF2(&ctx, hmac_##h##_update, hmac_##h##_digest, H##_DIGEST_SIZE,     \
           iterations, nsalt, salt, nout, out);                             \
    memset(&ctx, 0, sizeof(ctx));                                           \
}

DEFINE_PBKDF2(md5, MD5)
DEFINE_PBKDF2(sha1, SHA1)
DEFINE_PBKDF2(sha224, SHA224)
DEFINE_PBKDF2(sha256, SHA256)
DEFINE_PBKDF2(sha384, SHA384)
DEFINE_PBKDF2(sha512, SHA512)
DEFINE_PBKDF2(ripemd160, RIPEMD160)

static PBKDF2Func *const pbkdf2_funcs[QCRYPTO_HASH_ALG__MAX] = {
    [QCRYPTO_HASH_ALG_MD5] = pbkdf2_md5,
    [QCRYPTO_HASH_ALG_SHA1] = pbkdf2_sha1,
    [QCRYPTO_HASH_ALG_SHA224] = pbkdf2_sha224,
    [QCRYPTO_HASH_ALG_SHA256] = pbkdf2_sha256,
    [QCRYPTO_HASH_ALG_SHA384] = pbkdf2_sha384,
    [QCRYPTO_HASH_ALG_SHA512] = pbkdf2_sha512,
    [QCRYPTO_HASH_ALG_RIPEMD160] = pbkdf2_ripemd160,
};

int qcrypto_pbkdf2(QCryptoHashAlgorithm hash, const uint8_t *key,
                   size_t nkey, const uint8_t *salt, size_t nsalt,
                   uint64_t iterations, uint8_t *out, size_t nout,
                   Error **errp)
{
    if (iterations == 0 || iterations > UINT32_MAX) {
        error_setg(errp, "PBKDF iterations %" PRIu64 " must be between 1 "
                   "and %u", iterations, UINT32_MAX);
        return -1;
    }
    pbkdf2_funcs[hash](key, nkey, salt, nsalt, iterations, out, nout);
    return 0;
}

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0) {
        return -1;
    }
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Run batches of iterations, doubling the batch, until one batch takes at
 * least 50 ms of CPU time; the rate of that batch is the answer.  Longer
 * than that gives no better figure on a machine whose load varies anyway.
 */
uint64_t qcrypto_pbkdf2_count_iters(QCryptoHashAlgorithm hash,
                                    const uint8_t *key, size_t nkey,
                                    const uint8_t *salt, size_t nsalt,
                                    size_t nout, Error **errp)
{
    const int64_t min_ns = 50 * 1000 * 1000;
    g_autofree uint8_t *out = g_malloc(nout);
    uint64_t batch = 1024;

    while (batch <= UINT32_MAX) {
        int64_t start = thread_cpu_ns(), end;

        pbkdf2_funcs[hash](key, nkey, salt, nsalt, batch, out, nout);
        end = thread_cpu_ns();
        if (start < 0 || end < 0) {
            break;
        }
        if (end - start >= min_ns) {
            return batch * 1000000000ULL / (end - start);
        }
        batch *= 2;
    }
    error_setg(errp, "Unable to get accurate CPU usage");
    return 0;
}
