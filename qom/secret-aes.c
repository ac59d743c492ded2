/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qom/secret-aes.c: AES-256-CBC decryption for the keyid= secrets of
 * qom/secret.c, through crypto/cipher.h (nettle), the same cipher code
 * the LUKS driver uses.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/cipher.h"
#include "crypto/secret-aes.h"

void secret_aes256_cbc_decrypt(const uint8_t *key, const uint8_t *iv,
                               uint8_t *buf, size_t len)
{
    g_autoptr(QCryptoCipher) c = NULL;

    c = qcrypto_cipher_new(QCRYPTO_CIPHER_ALG_AES_256,
                           QCRYPTO_CIPHER_MODE_CBC, key, SECRET_AES_KEY_LEN,
                           &error_abort);
    qcrypto_cipher_setiv(c, iv, SECRET_AES_BLOCK_LEN, &error_abort);
    qcrypto_cipher_decrypt(c, buf, buf, len - len % SECRET_AES_BLOCK_LEN,
                           &error_abort);
}
