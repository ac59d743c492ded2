/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/secret.h: passwords and keys given as "--object secret,...".
 *
 * A secret object (qom/secret.c) holds bytes loaded when it is created:
 * inline (data=), from a file (file=), raw or base64 (format=), and
 * optionally AES-256-CBC encrypted with the 32-byte key held by another
 * secret (keyid=, iv=).  Users such as encryption drivers name a secret
 * by its object id and fetch its bytes with the lookup functions below.
 *
 * All functions run in the main loop under the BQL (like the --object
 * registry in include/qom/object_interfaces.h).
 */
#ifndef CRYPTO_SECRET_H
#define CRYPTO_SECRET_H

#define TYPE_QCRYPTO_SECRET "secret"

typedef enum QCryptoSecretFormat {
    QCRYPTO_SECRET_FORMAT_RAW,
    QCRYPTO_SECRET_FORMAT_BASE64,
} QCryptoSecretFormat;

/*
 * Copy the bytes of the secret called @secretid into a new buffer
 * (*@data, freed with g_free(); one NUL byte follows the *@datalen bytes).
 * Returns 0, or -1 with @errp set: "No secret with id '%s'", "Object with
 * id '%s' is not a secret", "Secret with id '%s' has no data".
 */
int qcrypto_secret_lookup(const char *secretid, uint8_t **data,
                          size_t *datalen, Error **errp);

/*
 * The secret as a NUL-terminated string (g_free() it), or NULL with @errp
 * set: the lookup errors, or "Data from secret %s is not valid UTF-8".
 */
char *qcrypto_secret_lookup_as_utf8(const char *secretid, Error **errp);

/* The secret's bytes base64-encoded (g_free() it), or NULL with @errp set. */
char *qcrypto_secret_lookup_as_base64(const char *secretid, Error **errp);

#endif /* CRYPTO_SECRET_H */
