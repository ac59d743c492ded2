/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/block-luks-priv.h: the in-memory LUKS1 header and the volume
 * object shared by crypto/block-luks.c (open, unlock, I/O) and
 * crypto/block-luks-create.c (create, info).
 *
 * On disk every integer is big endian; the layout (592 bytes) is
 *   0 magic[6] "LUKS\xba\xbe", 6 version u16 (1), 8 cipher_name[32],
 *   40 cipher_mode[32], 72 hash_spec[32], 104 payload_offset u32
 *   (sectors), 108 key_bytes u32, 112 mk_digest[20], 132 mk_salt[32],
 *   164 mk_iterations u32, 168 uuid[40], 208 eight key slots of 48 bytes:
 *   active u32, iterations u32, salt[32], key_offset u32 (sectors),
 *   stripes u32.
 */
#ifndef CRYPTO_BLOCK_LUKS_PRIV_H
#define CRYPTO_BLOCK_LUKS_PRIV_H

#include "qemu/thread.h"
#include "crypto/block-luks.h"

#define LUKS_MAGIC_LEN 6
#define LUKS_NAME_LEN 32
#define LUKS_DIGEST_LEN 20
#define LUKS_SALT_LEN 32
#define LUKS_UUID_LEN 40
#define LUKS_STRIPES 4000
#define LUKS_SLOT_ACTIVE 0x00AC71F3
#define LUKS_SLOT_DISABLED 0x0000DEAD
#define LUKS_SLOT_OFFSET 208
#define LUKS_SLOT_LEN 48
/* Header and key material areas are aligned to 4 KiB, as QEMU 7.2 lays them */
#define LUKS_ALIGN_SECTORS 8
#define LUKS_MIN_ITERS 1000
#define LUKS_DEFAULT_ITER_TIME 2000

typedef struct LUKSKeySlot {
    uint32_t active;
    uint32_t iterations;
    uint8_t salt[LUKS_SALT_LEN];
    uint32_t key_offset;        /* sectors */
    uint32_t stripes;
} LUKSKeySlot;

typedef struct LUKSHeader {
    uint16_t version;
    char cipher_name[LUKS_NAME_LEN + 1];
    char cipher_mode[LUKS_NAME_LEN + 1];
    char hash_spec[LUKS_NAME_LEN + 1];
    uint32_t payload_offset;    /* sectors */
    uint32_t key_bytes;
    uint8_t mk_digest[LUKS_DIGEST_LEN];
    uint8_t mk_salt[LUKS_SALT_LEN];
    uint32_t mk_iterations;
    char uuid[LUKS_UUID_LEN + 1];
    LUKSKeySlot slots[QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS];
} LUKSHeader;

struct QCryptoBlock {
    LUKSHeader hdr;
    QCryptoCipherAlgorithm cipher_alg;
    QCryptoCipherMode cipher_mode;
    QCryptoIVGenAlgorithm ivgen_alg;
    bool has_ivgen_hash;
    QCryptoHashAlgorithm ivgen_hash;
    QCryptoHashAlgorithm hash_alg;
    QCryptoCipherAlgorithm ivgen_cipher;    /* ESSIV's cipher */

    /* Payload crypto and the volume key; NULL when opened with NO_IO */
    QemuMutex lock;
    uint8_t *mk;
    QCryptoCipher *cipher;
    QCryptoIVGen *ivgen;
};

void luks_header_encode(const LUKSHeader *hdr, uint8_t *buf);

/*
 * A cipher and IV generator for @block's algorithms keyed with @key
 * (hdr.key_bytes).  0, or -1 with @errp set.
 */
int luks_make_cipher(QCryptoBlock *block, const uint8_t *key,
                     QCryptoCipher **cipher, QCryptoIVGen **ivgen,
                     Error **errp);

/*
 * Fill slot @idx with the volume key @mk under @password (PBKDF2
 * iterations for @iter_time ms) and mark it active; its encrypted key
 * material goes into @split (luks_split_len() bytes), to be written at the
 * slot's key offset.  0, or -1 with @errp set.
 */
int luks_make_slot(QCryptoBlock *b, int idx, const uint8_t *mk,
                   const uint8_t *password, size_t npassword,
                   int64_t iter_time, uint8_t *split, Error **errp);

/*
 * Does @password open slot @idx?  1 (and the volume key in @mk, key_bytes
 * long), 0 if not, -1 with @errp set on read errors.
 */
int luks_try_slot(QCryptoBlock *b, int idx, const uint8_t *password,
                  size_t npassword, QCryptoBlockReadFunc readfn,
                  void *opaque, uint8_t *mk, Error **errp);

/* Bytes of key material of one slot: key_bytes * stripes. */
static inline size_t luks_split_len(const LUKSHeader *hdr)
{
    return (size_t)hdr->key_bytes * LUKS_STRIPES;
}

#endif /* CRYPTO_BLOCK_LUKS_PRIV_H */
