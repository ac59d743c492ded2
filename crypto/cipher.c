/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/cipher.c: QCryptoCipher over nettle's generic cipher descriptions
 * (struct nettle_cipher) and its CBC and XTS helpers.
 *
 * Every algorithm here has a 16-byte block.  A cipher keeps an encryption
 * and a decryption key schedule of the data key, plus (XTS) an encryption
 * schedule of the tweak key.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/cipher.h"
#include <nettle/nettle-meta.h>
#include <nettle/cbc.h>
#include <nettle/xts.h>

#define CIPHER_BLOCK_LEN 16

static const struct {
    const char *name;
    const struct nettle_cipher *impl;
} cipher_algs[QCRYPTO_CIPHER_ALG__MAX] = {
    [QCRYPTO_CIPHER_ALG_AES_128] = { "aes-128", &nettle_aes128 },
    [QCRYPTO_CIPHER_ALG_AES_192] = { "aes-192", &nettle_aes192 },
    [QCRYPTO_CIPHER_ALG_AES_256] = { "aes-256", &nettle_aes256 },
    [QCRYPTO_CIPHER_ALG_SERPENT_128] = { "serpent-128", &nettle_serpent128 },
    [QCRYPTO_CIPHER_ALG_SERPENT_192] = { "serpent-192", &nettle_serpent192 },
    [QCRYPTO_CIPHER_ALG_SERPENT_256] = { "serpent-256", &nettle_serpent256 },
    [QCRYPTO_CIPHER_ALG_TWOFISH_128] = { "twofish-128", &nettle_twofish128 },
    [QCRYPTO_CIPHER_ALG_TWOFISH_192] = { "twofish-192", &nettle_twofish192 },
    [QCRYPTO_CIPHER_ALG_TWOFISH_256] = { "twofish-256", &nettle_twofish256 },
};

static const char *const mode_names[QCRYPTO_CIPHER_MODE__MAX] = {
    [QCRYPTO_CIPHER_MODE_ECB] = "ecb",
    [QCRYPTO_CIPHER_MODE_CBC] = "cbc",
    [QCRYPTO_CIPHER_MODE_XTS] = "xts",
};

struct QCryptoCipher {
    const struct nettle_cipher *impl;
    QCryptoCipherMode mode;
    void *enc;                  /* data key, encryption schedule */
    void *dec;                  /* data key, decryption schedule */
    void *tweak;                /* XTS tweak key, encryption schedule */
    uint8_t iv[CIPHER_BLOCK_LEN];
};

const char *qcrypto_cipher_alg_name(QCryptoCipherAlgorithm alg)
{
    return cipher_algs[alg].name;
}

int qcrypto_cipher_alg_parse(const char *name)
{
    int i;

    for (i = 0; i < QCRYPTO_CIPHER_ALG__MAX; i++) {
        if (name && !strcmp(name, cipher_algs[i].name)) {
            return i;
        }
    }
    return -1;
}

const char *qcrypto_cipher_mode_name(QCryptoCipherMode mode)
{
    return mode_names[mode];
}

int qcrypto_cipher_mode_parse(const char *name)
{
    int i;

    for (i = 0; i < QCRYPTO_CIPHER_MODE__MAX; i++) {
        if (name && !strcmp(name, mode_names[i])) {
            return i;
        }
    }
    return -1;
}

size_t qcrypto_cipher_get_key_len(QCryptoCipherAlgorithm alg)
{
    return cipher_algs[alg].impl->key_size;
}

size_t qcrypto_cipher_get_block_len(QCryptoCipherAlgorithm alg)
{
    return cipher_algs[alg].impl->block_size;
}

QCryptoCipher *qcrypto_cipher_new(QCryptoCipherAlgorithm alg,
                                  QCryptoCipherMode mode,
                                  const uint8_t *key, size_t nkey,
                                  Error **errp)
{
    const struct nettle_cipher *impl = cipher_algs[alg].impl;
    size_t want = impl->key_size * (mode == QCRYPTO_CIPHER_MODE_XTS ? 2 : 1);
    QCryptoCipher *c;

    if (nkey != want) {
        error_setg(errp, "Cipher key length %zu should be %zu", nkey, want);
        return NULL;
    }
    c = g_new0(QCryptoCipher, 1);
    c->impl = impl;
    c->mode = mode;
    c->enc = g_malloc0(impl->context_size);
    c->dec = g_malloc0(impl->context_size);
    impl->set_encrypt_key(c->enc, key);
    impl->set_decrypt_key(c->dec, key);
    if (mode == QCRYPTO_CIPHER_MODE_XTS) {
        c->tweak = g_malloc0(impl->context_size);
        impl->set_encrypt_key(c->tweak, key + impl->key_size);
    }
    return c;
}

static void wipe_free(void *p, size_t len)
{
    if (p) {
        memset(p, 0, len);
        g_free(p);
    }
}

void qcrypto_cipher_free(QCryptoCipher *c)
{
    if (!c) {
        return;
    }
    wipe_free(c->enc, c->impl->context_size);
    wipe_free(c->dec, c->impl->context_size);
    wipe_free(c->tweak, c->impl->context_size);
    wipe_free(c, sizeof(*c));
}

int qcrypto_cipher_setiv(QCryptoCipher *c, const uint8_t *iv, size_t niv,
                         Error **errp)
{
    if (c->mode == QCRYPTO_CIPHER_MODE_ECB) {
        return 0;
    }
    if (niv != CIPHER_BLOCK_LEN) {
        error_setg(errp, "Expected IV size %d not %zu", CIPHER_BLOCK_LEN,
                   niv);
        return -1;
    }
    memcpy(c->iv, iv, niv);
    return 0;
}

static bool check_len(QCryptoCipher *c, size_t len, Error **errp)
{
    if (c->mode == QCRYPTO_CIPHER_MODE_XTS ? len < CIPHER_BLOCK_LEN :
        len % CIPHER_BLOCK_LEN) {
        error_setg(errp, "Length %zu must be a multiple of block size %d",
                   len, CIPHER_BLOCK_LEN);
        return false;
    }
    return true;
}

int qcrypto_cipher_encrypt(QCryptoCipher *c, const void *in, void *out,
                           size_t len, Error **errp)
{
    if (!check_len(c, len, errp)) {
        return -1;
    }
    switch (c->mode) {
    case QCRYPTO_CIPHER_MODE_ECB:
        c->impl->encrypt(c->enc, len, out, in);
        break;
    case QCRYPTO_CIPHER_MODE_CBC:
        cbc_encrypt(c->enc, c->impl->encrypt, CIPHER_BLOCK_LEN, c->iv, len,
                    out, in);
        break;
    default:
        xts_encrypt_message(c->enc, c->tweak, c->impl->encrypt, c->iv, len,
                            out, in);
        break;
    }
    return 0;
}

int qcrypto_cipher_decrypt(QCryptoCipher *c, const void *in, void *out,
                           size_t len, Error **errp)
{
    if (!check_len(c, len, errp)) {
        return -1;
    }
    switch (c->mode) {
    case QCRYPTO_CIPHER_MODE_ECB:
        c->impl->decrypt(c->dec, len, out, in);
        break;
    case QCRYPTO_CIPHER_MODE_CBC:
        cbc_decrypt(c->dec, c->impl->decrypt, CIPHER_BLOCK_LEN, c->iv, len,
                    out, in);
        break;
    default:
        xts_decrypt_message(c->dec, c->tweak, c->impl->decrypt,
                            c->impl->encrypt, c->iv, len, out, in);
        break;
    }
    return 0;
}
