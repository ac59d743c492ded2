/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/random.h: random bytes for keys, salts and UUIDs, from the
 * kernel's CSPRNG (getrandom()).  Thread-safe.
 */
#ifndef CRYPTO_RANDOM_H
#define CRYPTO_RANDOM_H

/* Fill @buf with @len random bytes.  Returns 0, or -1 with @errp set. */
int qcrypto_random_bytes(void *buf, size_t len, Error **errp);

#endif /* CRYPTO_RANDOM_H */
