/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/crypto.h: what the luks format driver (block/crypto.c) shares
 * with qcow2's encryption (block/qcow2-crypto.c).
 */
#ifndef BLOCK_CRYPTO_H
#define BLOCK_CRYPTO_H

#include "qemu/option.h"
#include "crypto/block-luks.h"

/*
 * Key-slot amend of an unlocked LUKS @block from the options
 * <@prefix>state, old-secret, new-secret, keyslot and iter-time of @opts
 * ("" for the luks driver, "encrypt." for qcow2), with 7.2's messages.
 * The header is read and written through @read_fn/@write_fn with
 * @opaque.  0, or -errno with @errp set.  Passwords are wiped after use.
 */
int block_crypto_amend_luks(QCryptoBlock *block, QemuOpts *opts,
                            const char *prefix, QCryptoBlockReadFunc read_fn,
                            QCryptoBlockWriteFunc write_fn, void *opaque,
                            bool force, Error **errp);

#endif
