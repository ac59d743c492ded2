/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/block-luks-create.c: making a new LUKS1 volume as QEMU 7.2 lays
 * it out (header in the first 4 KiB, eight key material areas each
 * rounded up to 4 KiB, payload after them; PBKDF2 iterations calibrated
 * to iter-time), and the header's details for "qemu-img info".
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qlist.h"
#include "crypto/afsplit.h"
#include "crypto/pbkdf.h"
#include "crypto/random.h"
#include "qemu/cutils.h"
#include "block-luks-priv.h"

/* --- Options ------------------------------------------------------------ */

static int opt_enum(const char *param, const char *value, const char *def,
                    int (*parse)(const char *), Error **errp)
{
    int v = parse(value ? value : def);

    if (v < 0) {
        error_setg(errp, "Parameter '%s' does not accept value '%s'",
                   param, value);
    }
    return v;
}

int qcrypto_block_luks_check_names(const QCryptoBlockCreateOptionsLUKS *o,
                                   Error **errp)
{
    /* In the order of the options' schema, as 7.2 reports the first. */
    if (opt_enum("cipher-alg", o->cipher_alg, "aes-256",
                 qcrypto_cipher_alg_parse, errp) < 0 ||
        opt_enum("cipher-mode", o->cipher_mode, "xts",
                 qcrypto_cipher_mode_parse, errp) < 0 ||
        opt_enum("ivgen-alg", o->ivgen_alg, "plain64",
                 qcrypto_ivgen_alg_parse, errp) < 0 ||
        opt_enum("ivgen-hash-alg", o->ivgen_hash_alg, "sha256",
                 qcrypto_hash_alg_parse, errp) < 0 ||
        opt_enum("hash-alg", o->hash_alg, "sha256",
                 qcrypto_hash_alg_parse, errp) < 0) {
        return -1;
    }
    return 0;
}

/* The LUKS header name of @alg's family ("aes" for aes-256). */
static char *cipher_family(QCryptoCipherAlgorithm alg)
{
    const char *name = qcrypto_cipher_alg_name(alg);

    return g_strndup(name, strchr(name, '-') - name);
}

static int apply_options(QCryptoBlock *b,
                         const QCryptoBlockCreateOptionsLUKS *o,
                         Error **errp)
{
    LUKSHeader *hdr = &b->hdr;
    g_autofree char *family = NULL;
    int v;

    if ((v = opt_enum("cipher-alg", o->cipher_alg, "aes-256",
                      qcrypto_cipher_alg_parse, errp)) < 0) {
        return -1;
    }
    b->cipher_alg = v;
    if ((v = opt_enum("cipher-mode", o->cipher_mode, "xts",
                      qcrypto_cipher_mode_parse, errp)) < 0) {
        return -1;
    }
    b->cipher_mode = v;
    if ((v = opt_enum("ivgen-alg", o->ivgen_alg, "plain64",
                      qcrypto_ivgen_alg_parse, errp)) < 0) {
        return -1;
    }
    b->ivgen_alg = v;
    if ((v = opt_enum("hash-alg", o->hash_alg, "sha256",
                      qcrypto_hash_alg_parse, errp)) < 0) {
        return -1;
    }
    b->hash_alg = v;
    b->has_ivgen_hash = o->ivgen_hash_alg ||
                        b->ivgen_alg == QCRYPTO_IVGEN_ALG_ESSIV;
    if (b->has_ivgen_hash) {
        if ((v = opt_enum("ivgen-hash-alg", o->ivgen_hash_alg, "sha256",
                          qcrypto_hash_alg_parse, errp)) < 0) {
            return -1;
        }
        b->ivgen_hash = v;
    }
    if (b->ivgen_alg == QCRYPTO_IVGEN_ALG_ESSIV) {
        if ((v = qcrypto_ivgen_essiv_cipher(b->cipher_alg, b->ivgen_hash,
                                            errp)) < 0) {
            return -1;
        }
        b->ivgen_cipher = v;
    }

    hdr->version = 1;
    family = cipher_family(b->cipher_alg);
    pstrcpy(hdr->cipher_name, sizeof(hdr->cipher_name), family);
    if (b->has_ivgen_hash) {
        snprintf(hdr->cipher_mode, sizeof(hdr->cipher_mode), "%s-%s:%s",
                 qcrypto_cipher_mode_name(b->cipher_mode),
                 qcrypto_ivgen_alg_name(b->ivgen_alg),
                 qcrypto_hash_alg_name(b->ivgen_hash));
    } else {
        snprintf(hdr->cipher_mode, sizeof(hdr->cipher_mode), "%s-%s",
                 qcrypto_cipher_mode_name(b->cipher_mode),
                 qcrypto_ivgen_alg_name(b->ivgen_alg));
    }
    pstrcpy(hdr->hash_spec, sizeof(hdr->hash_spec),
            qcrypto_hash_alg_name(b->hash_alg));
    hdr->key_bytes = qcrypto_cipher_get_key_len(b->cipher_alg) *
                     (b->cipher_mode == QCRYPTO_CIPHER_MODE_XTS ? 2 : 1);
    return 0;
}

/* --- Layout and keys ---------------------------------------------------- */

/* Key material areas, then the payload, on QEMU 7.2's 4 KiB grid. */
static void lay_out(LUKSHeader *hdr)
{
    uint32_t header = ROUND_UP(DIV_ROUND_UP(QCRYPTO_BLOCK_LUKS_HEADER_LEN,
                                            QCRYPTO_BLOCK_LUKS_SECTOR_SIZE),
                               LUKS_ALIGN_SECTORS);
    uint32_t area = ROUND_UP(DIV_ROUND_UP(luks_split_len(hdr),
                                          QCRYPTO_BLOCK_LUKS_SECTOR_SIZE),
                             LUKS_ALIGN_SECTORS);
    int i;

    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        hdr->slots[i].active = LUKS_SLOT_DISABLED;
        hdr->slots[i].key_offset = header + i * area;
        hdr->slots[i].stripes = LUKS_STRIPES;
    }
    hdr->payload_offset = header + QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS * area;
}

/* A random (version 4) UUID in its 36-character text form. */
static int make_uuid(char *out, size_t len, Error **errp)
{
    uint8_t u[16];

    if (qcrypto_random_bytes(u, sizeof(u), errp) < 0) {
        return -1;
    }
    u[6] = (u[6] & 0x0f) | 0x40;
    u[8] = (u[8] & 0x3f) | 0x80;
    snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5],
             u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
             u[15]);
    return 0;
}

/*
 * Iterations for @iter_time ms of PBKDF2 over this key, divided by
 * @divisor, at least LUKS_MIN_ITERS.  0 with @errp set on failure.
 */
static uint32_t calibrate(QCryptoHashAlgorithm hash, const uint8_t *key,
                          size_t nkey, const uint8_t *salt, size_t nout,
                          int64_t iter_time, unsigned divisor, Error **errp)
{
    uint64_t rate = qcrypto_pbkdf2_count_iters(hash, key, nkey, salt,
                                               LUKS_SALT_LEN, nout, errp);
    uint64_t iters;

    if (!rate) {
        return 0;
    }
    if (iter_time && rate > UINT64_MAX / iter_time) {
        error_setg(errp, "PBKDF iterations %" PRIu64 " too large to scale",
                   rate);
        return 0;
    }
    iters = rate * iter_time / 1000 / divisor;
    if (iters > UINT32_MAX) {
        error_setg(errp, "Too many PBKDF iterations for LUKS format");
        return 0;
    }
    return MAX(iters, LUKS_MIN_ITERS);
}

int luks_make_slot(QCryptoBlock *b, int idx, const uint8_t *mk,
                   const uint8_t *password, size_t npassword,
                   int64_t iter_time, uint8_t *split, Error **errp)
{
    LUKSHeader *hdr = &b->hdr;
    LUKSKeySlot *slot = &hdr->slots[idx];
    g_autofree uint8_t *slotkey = g_malloc0(hdr->key_bytes);
    g_autoptr(QCryptoCipher) cipher = NULL;
    g_autoptr(QCryptoIVGen) ivgen = NULL;
    int ret = -1;

    if (qcrypto_random_bytes(slot->salt, LUKS_SALT_LEN, errp) < 0) {
        return -1;
    }
    slot->iterations = calibrate(b->hash_alg, password, npassword,
                                 slot->salt, hdr->key_bytes, iter_time, 1,
                                 errp);
    if (!slot->iterations ||
        qcrypto_pbkdf2(b->hash_alg, password, npassword, slot->salt,
                       LUKS_SALT_LEN, slot->iterations, slotkey,
                       hdr->key_bytes, errp) < 0 ||
        qcrypto_afsplit_encode(b->hash_alg, hdr->key_bytes, LUKS_STRIPES, mk,
                               split, errp) < 0 ||
        luks_make_cipher(b, slotkey, &cipher, &ivgen, errp) < 0 ||
        qcrypto_ivgen_crypt_sectors(cipher, ivgen, true, 0, split,
                           luks_split_len(hdr), errp) < 0) {
        goto out;
    }
    slot->active = LUKS_SLOT_ACTIVE;
    ret = 0;
out:
    memset(slotkey, 0, hdr->key_bytes);
    return ret;
}

/* The volume key, its digest, slot 0 and the payload cipher. */
static int make_keys(QCryptoBlock *b, const uint8_t *password,
                     size_t npassword, int64_t iter_time, uint8_t *split,
                     Error **errp)
{
    LUKSHeader *hdr = &b->hdr;
    g_autofree uint8_t *mk = g_malloc0(hdr->key_bytes);
    int ret = -1;

    if (qcrypto_random_bytes(mk, hdr->key_bytes, errp) < 0 ||
        qcrypto_random_bytes(hdr->mk_salt, LUKS_SALT_LEN, errp) < 0 ||
        make_uuid(hdr->uuid, sizeof(hdr->uuid), errp) < 0 ||
        luks_make_cipher(b, mk, &b->cipher, &b->ivgen, errp) < 0) {
        goto out;
    }
    /* The digest is checked once per slot tried: an eighth of the time. */
    hdr->mk_iterations = calibrate(b->hash_alg, mk, hdr->key_bytes,
                                   hdr->mk_salt, LUKS_DIGEST_LEN, iter_time,
                                   8, errp);
    if (!hdr->mk_iterations ||
        qcrypto_pbkdf2(b->hash_alg, mk, hdr->key_bytes, hdr->mk_salt,
                       LUKS_SALT_LEN, hdr->mk_iterations, hdr->mk_digest,
                       LUKS_DIGEST_LEN, errp) < 0) {
        goto out;
    }
    ret = luks_make_slot(b, 0, mk, password, npassword, iter_time, split,
                         errp);
out:
    memset(mk, 0, hdr->key_bytes);
    return ret;
}

QCryptoBlock *qcrypto_block_luks_create(const QCryptoBlockCreateOptionsLUKS
                                        *opts, const uint8_t *password,
                                        size_t npassword,
                                        QCryptoBlockWriteFunc writefn,
                                        void *opaque, Error **errp)
{
    g_autoptr(QCryptoBlock) b = g_new0(QCryptoBlock, 1);
    int64_t iter_time = opts->has_iter_time ? opts->iter_time
                                            : LUKS_DEFAULT_ITER_TIME;
    uint8_t buf[QCRYPTO_BLOCK_LUKS_HEADER_LEN];
    g_autofree uint8_t *split = NULL;
    size_t splitlen;
    int ret;

    qemu_mutex_init(&b->lock);
    if (iter_time < 0) {
        error_setg(errp, "Parameter 'iter-time' expects a non-negative "
                   "number");
        return NULL;
    }
    if (apply_options(b, opts, errp) < 0) {
        return NULL;
    }
    lay_out(&b->hdr);
    splitlen = luks_split_len(&b->hdr);
    split = g_malloc0(splitlen);
    if (make_keys(b, password, npassword, iter_time, split, errp) < 0) {
        return NULL;
    }
    luks_header_encode(&b->hdr, buf);
    ret = writefn(0, buf, sizeof(buf), opaque, errp);
    if (ret == 0) {
        ret = writefn((size_t)b->hdr.slots[0].key_offset *
                      QCRYPTO_BLOCK_LUKS_SECTOR_SIZE, split, splitlen,
                      opaque, errp);
    }
    return ret < 0 ? NULL : g_steal_pointer(&b);
}

int64_t qcrypto_block_luks_payload_offset(const QCryptoBlockCreateOptionsLUKS
                                          *opts, Error **errp)
{
    g_autoptr(QCryptoBlock) b = g_new0(QCryptoBlock, 1);

    qemu_mutex_init(&b->lock);
    if (apply_options(b, opts, errp) < 0) {
        return -1;
    }
    lay_out(&b->hdr);
    return qcrypto_block_get_payload_offset(b);
}

/* --- Info --------------------------------------------------------------- */

QCryptoBlockInfoLUKS *qcrypto_block_get_info_luks(QCryptoBlock *b)
{
    QCryptoBlockInfoLUKS *info = g_new0(QCryptoBlockInfoLUKS, 1);
    QCryptoBlockInfoLUKSSlotList **tail = &info->slots;
    int i;

    info->cipher_alg = b->cipher_alg;
    info->cipher_mode = b->cipher_mode;
    info->ivgen_alg = b->ivgen_alg;
    info->has_ivgen_hash_alg = b->has_ivgen_hash;
    info->ivgen_hash_alg = b->ivgen_hash;
    info->hash_alg = b->hash_alg;
    info->payload_offset = qcrypto_block_get_payload_offset(b);
    info->master_key_iters = b->hdr.mk_iterations;
    info->uuid = g_strdup(b->hdr.uuid);
    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        const LUKSKeySlot *s = &b->hdr.slots[i];
        QCryptoBlockInfoLUKSSlot *slot = g_new0(QCryptoBlockInfoLUKSSlot, 1);

        slot->active = s->active == LUKS_SLOT_ACTIVE;
        slot->key_offset = (int64_t)s->key_offset *
                           QCRYPTO_BLOCK_LUKS_SECTOR_SIZE;
        if (slot->active) {
            slot->has_iters = slot->has_stripes = true;
            slot->iters = s->iterations;
            slot->stripes = s->stripes;
        }
        *tail = g_new0(QCryptoBlockInfoLUKSSlotList, 1);
        (*tail)->value = slot;
        tail = &(*tail)->next;
    }
    return info;
}

void qapi_free_QCryptoBlockInfoLUKS(QCryptoBlockInfoLUKS *info)
{
    QCryptoBlockInfoLUKSSlotList *l, *next;

    if (!info) {
        return;
    }
    for (l = info->slots; l; l = next) {
        next = l->next;
        g_free(l->value);
        g_free(l);
    }
    g_free(info->uuid);
    g_free(info);
}

QObject *qcrypto_block_info_luks_to_qobject(const QCryptoBlockInfoLUKS *info)
{
    QDict *d = qdict_new();
    QList *slots = qlist_new();
    const QCryptoBlockInfoLUKSSlotList *l;

    qdict_put_str(d, "cipher-alg", qcrypto_cipher_alg_name(info->cipher_alg));
    qdict_put_str(d, "cipher-mode",
                  qcrypto_cipher_mode_name(info->cipher_mode));
    qdict_put_str(d, "ivgen-alg", qcrypto_ivgen_alg_name(info->ivgen_alg));
    if (info->has_ivgen_hash_alg) {
        qdict_put_str(d, "ivgen-hash-alg",
                      qcrypto_hash_alg_name(info->ivgen_hash_alg));
    }
    qdict_put_str(d, "hash-alg", qcrypto_hash_alg_name(info->hash_alg));
    qdict_put_int(d, "payload-offset", info->payload_offset);
    qdict_put_int(d, "master-key-iters", info->master_key_iters);
    qdict_put_str(d, "uuid", info->uuid);
    for (l = info->slots; l; l = l->next) {
        const QCryptoBlockInfoLUKSSlot *s = l->value;
        QDict *sd = qdict_new();

        qdict_put_bool(sd, "active", s->active);
        if (s->has_iters) {
            qdict_put_int(sd, "iters", s->iters);
        }
        if (s->has_stripes) {
            qdict_put_int(sd, "stripes", s->stripes);
        }
        qdict_put_int(sd, "key-offset", s->key_offset);
        qlist_append(slots, sd);
    }
    qdict_put(d, "slots", slots);
    return QOBJECT(d);
}
