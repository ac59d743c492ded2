/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/secret-aes.h: AES-256-CBC decryption for encrypted secrets
 * (qom/secret.c), the only cipher "--object secret,keyid=..." uses.
 */
#ifndef CRYPTO_SECRET_AES_H
#define CRYPTO_SECRET_AES_H

#define SECRET_AES_KEY_LEN 32
#define SECRET_AES_BLOCK_LEN 16

/*
 * Decrypt @len bytes (a multiple of 16) of @buf in place, AES-256 in CBC
 * mode with @key (32 bytes) and @iv (16 bytes).  No padding is removed.
 */
void secret_aes256_cbc_decrypt(const uint8_t *key, const uint8_t *iv,
                               uint8_t *buf, size_t len);

#endif /* CRYPTO_SECRET_AES_H */
