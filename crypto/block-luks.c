/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/block-luks.c: opening a LUKS1 volume: decoding the header,
 * checking it as QEMU 7.2 does (same messages), mapping its algorithm
 * strings to ciphers, unlocking a key slot, and the payload's sector
 * encryption.  Creating a volume and the info for qemu-img live in
 * crypto/block-luks-create.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "crypto/afsplit.h"
#include "crypto/pbkdf.h"
#include "block-luks-priv.h"
#include <nettle/memops.h>

static const uint8_t luks_magic[LUKS_MAGIC_LEN] = {
    'L', 'U', 'K', 'S', 0xba, 0xbe
};

bool qcrypto_block_luks_has_format(const uint8_t *buf, size_t len)
{
    return len >= LUKS_MAGIC_LEN + 2 &&
           !memcmp(buf, luks_magic, LUKS_MAGIC_LEN) &&
           lduw_be_p(buf + LUKS_MAGIC_LEN) == 1;
}

/* --- Header encoding ---------------------------------------------------- */

static void get_str(char *dst, const uint8_t *src, size_t len)
{
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static void luks_header_decode(const uint8_t *buf, LUKSHeader *hdr)
{
    int i;

    hdr->version = lduw_be_p(buf + 6);
    get_str(hdr->cipher_name, buf + 8, LUKS_NAME_LEN);
    get_str(hdr->cipher_mode, buf + 40, LUKS_NAME_LEN);
    get_str(hdr->hash_spec, buf + 72, LUKS_NAME_LEN);
    hdr->payload_offset = ldl_be_p(buf + 104);
    hdr->key_bytes = ldl_be_p(buf + 108);
    memcpy(hdr->mk_digest, buf + 112, LUKS_DIGEST_LEN);
    memcpy(hdr->mk_salt, buf + 132, LUKS_SALT_LEN);
    hdr->mk_iterations = ldl_be_p(buf + 164);
    get_str(hdr->uuid, buf + 168, LUKS_UUID_LEN);
    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        const uint8_t *s = buf + LUKS_SLOT_OFFSET + i * LUKS_SLOT_LEN;
        LUKSKeySlot *slot = &hdr->slots[i];

        slot->active = ldl_be_p(s);
        slot->iterations = ldl_be_p(s + 4);
        memcpy(slot->salt, s + 8, LUKS_SALT_LEN);
        slot->key_offset = ldl_be_p(s + 40);
        slot->stripes = ldl_be_p(s + 44);
    }
}

static void put_str(uint8_t *dst, const char *src, size_t len)
{
    /* Not NUL-terminated when the name fills the field. */
    memcpy(dst, src, strnlen(src, len));
}

void luks_header_encode(const LUKSHeader *hdr, uint8_t *buf)
{
    int i;

    memset(buf, 0, QCRYPTO_BLOCK_LUKS_HEADER_LEN);
    memcpy(buf, luks_magic, LUKS_MAGIC_LEN);
    stw_be_p(buf + 6, hdr->version);
    put_str(buf + 8, hdr->cipher_name, LUKS_NAME_LEN);
    put_str(buf + 40, hdr->cipher_mode, LUKS_NAME_LEN);
    put_str(buf + 72, hdr->hash_spec, LUKS_NAME_LEN);
    stl_be_p(buf + 104, hdr->payload_offset);
    stl_be_p(buf + 108, hdr->key_bytes);
    memcpy(buf + 112, hdr->mk_digest, LUKS_DIGEST_LEN);
    memcpy(buf + 132, hdr->mk_salt, LUKS_SALT_LEN);
    stl_be_p(buf + 164, hdr->mk_iterations);
    put_str(buf + 168, hdr->uuid, LUKS_UUID_LEN);
    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        uint8_t *s = buf + LUKS_SLOT_OFFSET + i * LUKS_SLOT_LEN;
        const LUKSKeySlot *slot = &hdr->slots[i];

        stl_be_p(s, slot->active);
        stl_be_p(s + 4, slot->iterations);
        memcpy(s + 8, slot->salt, LUKS_SALT_LEN);
        stl_be_p(s + 40, slot->key_offset);
        stl_be_p(s + 44, slot->stripes);
    }
}

/* --- Header checks ------------------------------------------------------ */

/* Sectors one slot's key material takes, rounded up to the 4 KiB grid. */
static uint64_t slot_sectors(const LUKSHeader *hdr)
{
    uint64_t sectors = DIV_ROUND_UP(luks_split_len(hdr),
                                    QCRYPTO_BLOCK_LUKS_SECTOR_SIZE);

    return ROUND_UP(sectors, LUKS_ALIGN_SECTORS);
}

static int check_slot(const LUKSHeader *hdr, int i, Error **errp)
{
    const LUKSKeySlot *slot = &hdr->slots[i];
    uint64_t start = slot->key_offset;
    /* Key material starts at 4 KiB or later, as 7.2 requires. */
    uint64_t header_sectors = 4096 / QCRYPTO_BLOCK_LUKS_SECTOR_SIZE;

    if (slot->active != LUKS_SLOT_ACTIVE &&
        slot->active != LUKS_SLOT_DISABLED) {
        error_setg(errp, "Keyslot %d state (active/disable) is corrupted", i);
        return -1;
    }
    if (slot->active == LUKS_SLOT_ACTIVE && slot->iterations == 0) {
        error_setg(errp, "Keyslot %d iteration count is zero", i);
        return -1;
    }
    if (slot->stripes != LUKS_STRIPES) {
        error_setg(errp, "Keyslot %d is corrupted (stripes %u != %d)",
                   i, slot->stripes, LUKS_STRIPES);
        return -1;
    }
    if (start < header_sectors) {
        error_setg(errp, "Keyslot %d is overlapping with the LUKS header", i);
        return -1;
    }
    if (start + slot_sectors(hdr) > hdr->payload_offset) {
        error_setg(errp, "Keyslot %d is overlapping with the encrypted "
                   "payload", i);
        return -1;
    }
    return 0;
}

static int check_header(const LUKSHeader *hdr, Error **errp)
{
    uint64_t len = slot_sectors(hdr);
    int i, j;

    if (hdr->mk_iterations == 0) {
        error_setg(errp, "LUKS key iteration count is zero");
        return -1;
    }
    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        if (check_slot(hdr, i, errp) < 0) {
            return -1;
        }
        for (j = 0; j < i; j++) {
            uint64_t a = hdr->slots[i].key_offset;
            uint64_t b = hdr->slots[j].key_offset;

            if (a < b + len && b < a + len) {
                error_setg(errp, "Keyslots %d and %d are overlapping in the "
                           "header", j, i);
                return -1;
            }
        }
    }
    return 0;
}

/* --- Algorithm strings -------------------------------------------------- */

static int parse_hash(const char *name, Error **errp)
{
    int hash = qcrypto_hash_alg_parse(name);

    if (hash < 0) {
        error_setg(errp, "Hash algorithm '%s' not supported", name);
    }
    return hash;
}

/* "aes" and a per-key size of 32 bytes is aes-256. */
static int parse_cipher(const char *name, size_t keylen, Error **errp)
{
    g_autofree char *full = g_strdup_printf("%s-%zu", name, keylen * 8);
    int alg = qcrypto_cipher_alg_parse(full);

    if (alg < 0 || qcrypto_cipher_get_key_len(alg) != keylen) {
        error_setg(errp, "Algorithm '%s' with key size %zu bytes not "
                   "supported", name, keylen);
        return -1;
    }
    return alg;
}

/* "xts-plain64", "cbc-essiv:sha256": mode, IV generator, its hash. */
static int parse_algorithms(QCryptoBlock *b, Error **errp)
{
    LUKSHeader *hdr = &b->hdr;
    g_autofree char *mode = g_strdup(hdr->cipher_mode);
    char *ivgen = strchr(mode, '-');
    char *ivhash;
    int v;

    if (ivgen) {
        *ivgen++ = '\0';
    }
    v = qcrypto_cipher_mode_parse(mode);
    if (v < 0) {
        error_setg(errp, "Cipher mode '%s' not supported", mode);
        return -1;
    }
    b->cipher_mode = v;
    v = parse_cipher(hdr->cipher_name, b->cipher_mode ==
                     QCRYPTO_CIPHER_MODE_XTS ? hdr->key_bytes / 2 :
                     hdr->key_bytes, errp);
    if (v < 0) {
        return -1;
    }
    b->cipher_alg = v;
    if (!ivgen) {
        error_setg(errp, "Unexpected cipher mode string format '%s'",
                   hdr->cipher_mode);
        return -1;
    }
    ivhash = strchr(ivgen, ':');
    if (ivhash) {
        *ivhash++ = '\0';
    }
    v = qcrypto_ivgen_alg_parse(ivgen);
    if (v < 0) {
        error_setg(errp, "IV generator '%s' not supported", ivgen);
        return -1;
    }
    b->ivgen_alg = v;
    b->has_ivgen_hash = ivhash != NULL;
    if (ivhash) {
        v = parse_hash(ivhash, errp);
        if (v < 0) {
            return -1;
        }
        b->ivgen_hash = v;
    } else if (b->ivgen_alg == QCRYPTO_IVGEN_ALG_ESSIV) {
        error_setg(errp, "Missing IV generator hash specification");
        return -1;
    }
    if (b->ivgen_alg == QCRYPTO_IVGEN_ALG_ESSIV) {
        v = qcrypto_ivgen_essiv_cipher(b->cipher_alg, b->ivgen_hash, errp);
        if (v < 0) {
            return -1;
        }
        b->ivgen_cipher = v;
    }
    v = parse_hash(hdr->hash_spec, errp);
    if (v < 0) {
        return -1;
    }
    b->hash_alg = v;
    return 0;
}

/* --- Ciphers ------------------------------------------------------------ */

int luks_make_cipher(QCryptoBlock *b, const uint8_t *key,
                     QCryptoCipher **cipher, QCryptoIVGen **ivgen,
                     Error **errp)
{
    *cipher = qcrypto_cipher_new(b->cipher_alg, b->cipher_mode, key,
                                 b->hdr.key_bytes, errp);
    if (!*cipher) {
        return -1;
    }
    *ivgen = qcrypto_ivgen_new(b->ivgen_alg, b->ivgen_cipher, b->ivgen_hash,
                               key, b->hdr.key_bytes, errp);
    if (!*ivgen) {
        qcrypto_cipher_free(*cipher);
        *cipher = NULL;
        return -1;
    }
    return 0;
}

/* --- Unlocking ---------------------------------------------------------- */

int luks_try_slot(QCryptoBlock *b, int i, const uint8_t *password,
                  size_t npassword, QCryptoBlockReadFunc readfn,
                  void *opaque, uint8_t *mk, Error **errp)
{
    const LUKSHeader *hdr = &b->hdr;
    const LUKSKeySlot *slot = &hdr->slots[i];
    size_t splitlen = luks_split_len(hdr);
    g_autofree uint8_t *split = g_malloc(splitlen);
    g_autofree uint8_t *slotkey = g_malloc(hdr->key_bytes);
    uint8_t digest[LUKS_DIGEST_LEN];
    g_autoptr(QCryptoCipher) cipher = NULL;
    g_autoptr(QCryptoIVGen) ivgen = NULL;
    int ret = -1;

    if (readfn((size_t)slot->key_offset * QCRYPTO_BLOCK_LUKS_SECTOR_SIZE,
               split, splitlen, opaque, errp) < 0) {
        return -1;
    }
    if (qcrypto_pbkdf2(b->hash_alg, password, npassword, slot->salt,
                       LUKS_SALT_LEN, slot->iterations, slotkey,
                       hdr->key_bytes, errp) < 0 ||
        luks_make_cipher(b, slotkey, &cipher, &ivgen, errp) < 0 ||
        qcrypto_ivgen_crypt_sectors(cipher, ivgen, false, 0, split, splitlen,
                           errp) < 0) {
        goto out;
    }
    qcrypto_afsplit_decode(b->hash_alg, hdr->key_bytes, LUKS_STRIPES,
                           split, mk);
    if (qcrypto_pbkdf2(b->hash_alg, mk, hdr->key_bytes, hdr->mk_salt,
                       LUKS_SALT_LEN, hdr->mk_iterations, digest,
                       LUKS_DIGEST_LEN, errp) < 0) {
        goto out;
    }
    ret = memeql_sec(digest, hdr->mk_digest, LUKS_DIGEST_LEN) ? 1 : 0;
out:
    memset(split, 0, splitlen);
    memset(slotkey, 0, hdr->key_bytes);
    return ret;
}

static int unlock(QCryptoBlock *b, const uint8_t *password,
                  size_t npassword, QCryptoBlockReadFunc readfn,
                  void *opaque, Error **errp)
{
    g_autofree uint8_t *mk = g_malloc0(b->hdr.key_bytes);
    int i, ret = 0;

    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS && ret == 0; i++) {
        if (b->hdr.slots[i].active != LUKS_SLOT_ACTIVE) {
            continue;
        }
        ret = luks_try_slot(b, i, password, npassword, readfn, opaque, mk,
                            errp);
    }
    if (ret == 0) {
        error_setg(errp, "Invalid password, cannot unlock any keyslot");
        ret = -1;
    }
    if (ret > 0) {
        ret = luks_make_cipher(b, mk, &b->cipher, &b->ivgen, errp);
    }
    if (ret == 0) {
        /* Kept for adding key slots (amend) */
        b->mk = g_steal_pointer(&mk);
        return 0;
    }
    memset(mk, 0, b->hdr.key_bytes);
    return ret;
}

QCryptoBlock *qcrypto_block_luks_open(const uint8_t *password,
                                      size_t npassword, unsigned flags,
                                      QCryptoBlockReadFunc readfn,
                                      void *opaque, Error **errp)
{
    g_autoptr(QCryptoBlock) b = g_new0(QCryptoBlock, 1);
    uint8_t buf[QCRYPTO_BLOCK_LUKS_HEADER_LEN];

    qemu_mutex_init(&b->lock);
    if (readfn(0, buf, sizeof(buf), opaque, errp) < 0) {
        return NULL;
    }
    if (memcmp(buf, luks_magic, LUKS_MAGIC_LEN)) {
        error_setg(errp, "Volume is not in LUKS format");
        return NULL;
    }
    luks_header_decode(buf, &b->hdr);
    if (b->hdr.version != 1) {
        error_setg(errp, "LUKS version %u is not supported", b->hdr.version);
        return NULL;
    }
    if (check_header(&b->hdr, errp) < 0 ||
        parse_algorithms(b, errp) < 0) {
        return NULL;
    }
    if (!(flags & QCRYPTO_BLOCK_OPEN_NO_IO) &&
        unlock(b, password, npassword, readfn, opaque, errp) < 0) {
        return NULL;
    }
    return g_steal_pointer(&b);
}

/* --- Payload I/O -------------------------------------------------------- */

uint64_t qcrypto_block_get_payload_offset(QCryptoBlock *b)
{
    return (uint64_t)b->hdr.payload_offset * QCRYPTO_BLOCK_LUKS_SECTOR_SIZE;
}

static int crypt_payload(QCryptoBlock *b, bool enc, uint64_t offset,
                         uint8_t *buf, size_t len, Error **errp)
{
    int ret;

    assert(QEMU_IS_ALIGNED(offset | len, QCRYPTO_BLOCK_LUKS_SECTOR_SIZE));
    if (!b->cipher) {
        error_setg(errp, "Volume was opened without I/O");
        return -1;
    }
    qemu_mutex_lock(&b->lock);
    ret = qcrypto_ivgen_crypt_sectors(b->cipher, b->ivgen, enc,
                             offset / QCRYPTO_BLOCK_LUKS_SECTOR_SIZE,
                             buf, len, errp);
    qemu_mutex_unlock(&b->lock);
    return ret;
}

int qcrypto_block_encrypt(QCryptoBlock *b, uint64_t offset, uint8_t *buf,
                          size_t len, Error **errp)
{
    return crypt_payload(b, true, offset, buf, len, errp);
}

int qcrypto_block_decrypt(QCryptoBlock *b, uint64_t offset, uint8_t *buf,
                          size_t len, Error **errp)
{
    return crypt_payload(b, false, offset, buf, len, errp);
}

void qcrypto_block_free(QCryptoBlock *b)
{
    if (!b) {
        return;
    }
    qcrypto_cipher_free(b->cipher);
    qcrypto_ivgen_free(b->ivgen);
    if (b->mk) {
        memset(b->mk, 0, b->hdr.key_bytes);
        g_free(b->mk);
    }
    qemu_mutex_destroy(&b->lock);
    memset(b, 0, sizeof(*b));
    g_free(b);
}
