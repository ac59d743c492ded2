/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/block-luks.h: LUKS1 volumes (the "luks" block driver's crypto
 * half): reading and checking the header, unlocking a key slot with a
 * passphrase, creating a header with one active slot, and encrypting or
 * decrypting payload sectors.
 *
 * The header is read and written through callbacks, so this code knows
 * nothing about the block layer.  Payload offsets passed to
 * qcrypto_block_encrypt()/decrypt() count from the start of the payload;
 * the IV of each 512-byte sector is its index from there.  Encryption and
 * decryption may be called from any thread (a mutex serialises them);
 * open, create and free are not thread-safe.
 */
#ifndef CRYPTO_BLOCK_LUKS_H
#define CRYPTO_BLOCK_LUKS_H

#include "crypto/cipher.h"
#include "crypto/hash.h"
#include "crypto/ivgen.h"

#define QCRYPTO_BLOCK_LUKS_SECTOR_SIZE 512
#define QCRYPTO_BLOCK_LUKS_HEADER_LEN 592
#define QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS 8

typedef struct QCryptoBlock QCryptoBlock;

/* Read @len bytes at @offset of the volume.  0, or -1 with @errp set. */
typedef int (*QCryptoBlockReadFunc)(size_t offset, uint8_t *buf, size_t len,
                                    void *opaque, Error **errp);
/* Write @len bytes at @offset of the volume.  0, or -1 with @errp set. */
typedef int (*QCryptoBlockWriteFunc)(size_t offset, const uint8_t *buf,
                                     size_t len, void *opaque, Error **errp);

/* Only read and check the header: no passphrase, no payload I/O. */
#define QCRYPTO_BLOCK_OPEN_NO_IO (1 << 0)

/* Creation choices; NULL strings and has_iter_time false take defaults. */
typedef struct QCryptoBlockCreateOptionsLUKS {
    const char *cipher_alg;     /* aes-256 */
    const char *cipher_mode;    /* xts */
    const char *ivgen_alg;      /* plain64 */
    const char *ivgen_hash_alg; /* sha256 for essiv, else none */
    const char *hash_alg;       /* sha256 */
    bool has_iter_time;
    int64_t iter_time;          /* milliseconds of PBKDF2, 2000 */
} QCryptoBlockCreateOptionsLUKS;

/* Key slot changes (qemu-img amend); NULL passwords were not given. */
typedef struct QCryptoBlockAmendOptionsLUKS {
    bool active;                /* true: add a slot; false: erase slots */
    bool has_keyslot;
    int64_t keyslot;
    const uint8_t *old_password;
    size_t nold_password;
    const uint8_t *new_password;
    size_t nnew_password;
    bool has_iter_time;
    int64_t iter_time;
} QCryptoBlockAmendOptionsLUKS;

/* What "qemu-img info" shows for a LUKS volume (QEMU's QAPI types). */
typedef struct QCryptoBlockInfoLUKSSlot {
    bool active;
    bool has_iters;
    int64_t iters;
    bool has_stripes;
    int64_t stripes;
    int64_t key_offset;
} QCryptoBlockInfoLUKSSlot;

typedef struct QCryptoBlockInfoLUKSSlotList QCryptoBlockInfoLUKSSlotList;
struct QCryptoBlockInfoLUKSSlotList {
    QCryptoBlockInfoLUKSSlotList *next;
    QCryptoBlockInfoLUKSSlot *value;
};

typedef struct QCryptoBlockInfoLUKS {
    QCryptoCipherAlgorithm cipher_alg;
    QCryptoCipherMode cipher_mode;
    QCryptoIVGenAlgorithm ivgen_alg;
    bool has_ivgen_hash_alg;
    QCryptoHashAlgorithm ivgen_hash_alg;
    QCryptoHashAlgorithm hash_alg;
    int64_t payload_offset;
    int64_t master_key_iters;
    char *uuid;
    QCryptoBlockInfoLUKSSlotList *slots;
} QCryptoBlockInfoLUKS;

/* True if @buf (@len bytes from offset 0) starts with a LUKS magic. */
bool qcrypto_block_luks_has_format(const uint8_t *buf, size_t len);

/*
 * Read and check the header, then (unless @flags has
 * QCRYPTO_BLOCK_OPEN_NO_IO) unlock a key slot with @password (@npassword
 * bytes).  NULL with @errp set: header errors in QEMU 7.2's words, or
 * "Invalid password, cannot unlock any keyslot".
 */
QCryptoBlock *qcrypto_block_luks_open(const uint8_t *password,
                                      size_t npassword, unsigned flags,
                                      QCryptoBlockReadFunc readfn,
                                      void *opaque, Error **errp);

/*
 * Make a new volume: random volume key, slot 0 holding it under
 * @password, header and key material written through @writefn (the
 * payload is not touched).  NULL with @errp set on bad options.
 */
QCryptoBlock *qcrypto_block_luks_create(const QCryptoBlockCreateOptionsLUKS
                                        *opts, const uint8_t *password,
                                        size_t npassword,
                                        QCryptoBlockWriteFunc writefn,
                                        void *opaque, Error **errp);

/*
 * Are the algorithm and mode names of @opts known?  0, or -1 with @errp
 * set ("Parameter 'cipher-alg' does not accept value ..."): the check
 * 7.2 makes while it reads the options, before it looks for the secret.
 */
int qcrypto_block_luks_check_names(const QCryptoBlockCreateOptionsLUKS *opts,
                                   Error **errp);

/*
 * Where qcrypto_block_luks_create() with @opts would put the payload, in
 * bytes; -1 with @errp set on bad options.
 */
int64_t qcrypto_block_luks_payload_offset(const QCryptoBlockCreateOptionsLUKS
                                          *opts, Error **errp);

/*
 * Change key slots of @block (opened without NO_IO) as @opts says: add
 * one holding the volume key under new_password (the first free slot, or
 * keyslot), or erase the slot keyslot and/or those old_password opens.
 * Key material is written before the header.  @force allows overwriting
 * an active slot and erasing the last active ones.  0, or -1 with @errp
 * set (QEMU 7.2's messages).
 */
int qcrypto_block_luks_amend(QCryptoBlock *block,
                             const QCryptoBlockAmendOptionsLUKS *opts,
                             QCryptoBlockReadFunc readfn,
                             QCryptoBlockWriteFunc writefn, void *opaque,
                             bool force, Error **errp);

/* Where the payload starts in the volume, in bytes. */
uint64_t qcrypto_block_get_payload_offset(QCryptoBlock *block);

/*
 * Encrypt or decrypt @len bytes of @buf in place; @offset and @len are
 * multiples of QCRYPTO_BLOCK_LUKS_SECTOR_SIZE, @offset counted from the
 * payload start.  Only on a volume opened without NO_IO.  0 or -1 with
 * @errp set.
 */
int qcrypto_block_encrypt(QCryptoBlock *block, uint64_t offset,
                          uint8_t *buf, size_t len, Error **errp);
int qcrypto_block_decrypt(QCryptoBlock *block, uint64_t offset,
                          uint8_t *buf, size_t len, Error **errp);

/* The header's details for qemu-img info (free with the function below). */
QCryptoBlockInfoLUKS *qcrypto_block_get_info_luks(QCryptoBlock *block);
void qapi_free_QCryptoBlockInfoLUKS(QCryptoBlockInfoLUKS *info);

/* The info as a QDict with QEMU's key names, members in schema order. */
QObject *qcrypto_block_info_luks_to_qobject(
    const QCryptoBlockInfoLUKS *info);

/* Wipe the keys and free @block (NULL is fine). */
void qcrypto_block_free(QCryptoBlock *block);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QCryptoBlock, qcrypto_block_free)

#endif /* CRYPTO_BLOCK_LUKS_H */
