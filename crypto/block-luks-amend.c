/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/block-luks-amend.c: key slot management of an unlocked LUKS1
 * volume ("qemu-img amend" of a luks image): activating a slot with a new
 * passphrase for the volume key, or erasing slots chosen by index or by
 * the passphrase they hold.  Checks and messages are QEMU 7.2's; --force
 * lifts the ones that protect active slots and the last way in.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/host-utils.h"
#include "crypto/random.h"
#include "block-luks-priv.h"

static int count_active(const LUKSHeader *hdr)
{
    int i, n = 0;

    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        n += hdr->slots[i].active == LUKS_SLOT_ACTIVE;
    }
    return n;
}

static int write_header(QCryptoBlock *b, QCryptoBlockWriteFunc writefn,
                        void *opaque, Error **errp)
{
    uint8_t buf[QCRYPTO_BLOCK_LUKS_HEADER_LEN];

    luks_header_encode(&b->hdr, buf);
    return writefn(0, buf, sizeof(buf), opaque, errp);
}

static int add_slot(QCryptoBlock *b, const QCryptoBlockAmendOptionsLUKS *o,
                    QCryptoBlockWriteFunc writefn, void *opaque, bool force,
                    Error **errp)
{
    LUKSHeader *hdr = &b->hdr;
    size_t splitlen = luks_split_len(hdr);
    g_autofree uint8_t *split = NULL;
    LUKSKeySlot saved;
    int idx = o->keyslot;
    int ret;

    if (!o->new_password) {
        error_setg(errp, "'new-secret' is required to activate a keyslot");
        return -1;
    }
    if (o->old_password) {
        error_setg(errp, "'old-secret' must not be given when activating "
                   "keyslots");
        return -1;
    }
    if (o->has_keyslot) {
        if (hdr->slots[idx].active == LUKS_SLOT_ACTIVE && !force) {
            error_setg(errp, "Refusing to overwrite active keyslot %i - "
                       "please erase it first", idx);
            return -1;
        }
    } else {
        for (idx = 0; idx < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; idx++) {
            if (hdr->slots[idx].active != LUKS_SLOT_ACTIVE) {
                break;
            }
        }
        if (idx == QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS) {
            error_setg(errp, "Can't add a keyslot - all keyslots are in use");
            return -1;
        }
    }
    split = g_malloc0(splitlen);
    saved = hdr->slots[idx];
    ret = luks_make_slot(b, idx, b->mk, o->new_password, o->nnew_password,
                         o->has_iter_time ? o->iter_time :
                         LUKS_DEFAULT_ITER_TIME, split, errp);
    /* Key material first: the header must never point at stale bytes. */
    if (ret == 0) {
        ret = writefn((size_t)hdr->slots[idx].key_offset *
                      QCRYPTO_BLOCK_LUKS_SECTOR_SIZE, split, splitlen,
                      opaque, errp);
    }
    if (ret == 0) {
        ret = write_header(b, writefn, opaque, errp);
    }
    if (ret < 0) {
        hdr->slots[idx] = saved;
    }
    return ret;
}

/* Overwrite slot @idx's key material with random bytes, then disable it. */
static int erase_slot(QCryptoBlock *b, int idx, QCryptoBlockWriteFunc writefn,
                      void *opaque, Error **errp)
{
    LUKSKeySlot *slot = &b->hdr.slots[idx];
    size_t splitlen = luks_split_len(&b->hdr);
    g_autofree uint8_t *junk = g_malloc(splitlen);

    if (qcrypto_random_bytes(junk, splitlen, errp) < 0 ||
        writefn((size_t)slot->key_offset * QCRYPTO_BLOCK_LUKS_SECTOR_SIZE,
                junk, splitlen, opaque, errp) < 0) {
        return -1;
    }
    slot->active = LUKS_SLOT_DISABLED;
    slot->iterations = 0;
    memset(slot->salt, 0, sizeof(slot->salt));
    return 0;
}

/* Which slots @o selects for erasing, as a bit mask; -1 with @errp set. */
static int erase_selection(QCryptoBlock *b,
                           const QCryptoBlockAmendOptionsLUKS *o,
                           QCryptoBlockReadFunc readfn, void *opaque,
                           bool force, Error **errp)
{
    const LUKSHeader *hdr = &b->hdr;
    g_autofree uint8_t *mk = g_malloc0(hdr->key_bytes);
    int mask = 0, i, r;

    if (o->has_keyslot) {
        i = o->keyslot;
        if (o->old_password) {
            r = hdr->slots[i].active != LUKS_SLOT_ACTIVE ? 0 :
                luks_try_slot(b, i, o->old_password, o->nold_password,
                              readfn, opaque, mk, errp);
            if (r < 0) {
                return -1;
            }
            if (r == 0) {
                error_setg(errp, "Given keyslot %i doesn't contain the given "
                           "old password for erase operation", i);
                return -1;
            }
        }
        if (hdr->slots[i].active != LUKS_SLOT_ACTIVE && !force) {
            /* 7.2's message ends with a space */
            error_setg(errp, "Given keyslot %i is already erased (inactive) ",
                       i);
            return -1;
        }
        if (hdr->slots[i].active == LUKS_SLOT_ACTIVE &&
            count_active(hdr) == 1 && !force) {
            error_setg(errp, "Attempt to erase the only active keyslot %i "
                       "which will erase all the data in the image "
                       "irreversibly - refusing operation", i);
            return -1;
        }
        return 1 << i;
    }
    if (!o->old_password) {
        error_setg(errp, "To erase keyslot(s), either explicit keyslot index "
                   "or the password currently contained in them must be "
                   "given");
        return -1;
    }
    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        if (hdr->slots[i].active != LUKS_SLOT_ACTIVE) {
            continue;
        }
        r = luks_try_slot(b, i, o->old_password, o->nold_password, readfn,
                          opaque, mk, errp);
        if (r < 0) {
            return -1;
        }
        mask |= r << i;
    }
    memset(mk, 0, hdr->key_bytes);
    if (!mask) {
        error_setg(errp, "No keyslots match given (old) password for erase "
                   "operation");
        return -1;
    }
    if (ctpop32(mask) == count_active(hdr) && !force) {
        error_setg(errp, "All the active keyslots match the (old) password "
                   "that was given and erasing them will erase all the data "
                   "in the image irreversibly - refusing operation");
        return -1;
    }
    return mask;
}

static int erase_slots(QCryptoBlock *b, const QCryptoBlockAmendOptionsLUKS *o,
                       QCryptoBlockReadFunc readfn,
                       QCryptoBlockWriteFunc writefn, void *opaque,
                       bool force, Error **errp)
{
    int mask, i;

    if (o->new_password) {
        error_setg(errp, "'new-secret' must not be given when erasing "
                   "keyslots");
        return -1;
    }
    mask = erase_selection(b, o, readfn, opaque, force, errp);
    if (mask < 0) {
        return -1;
    }
    for (i = 0; i < QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS; i++) {
        if ((mask & (1 << i)) && erase_slot(b, i, writefn, opaque,
                                            errp) < 0) {
            return -1;
        }
    }
    return write_header(b, writefn, opaque, errp);
}

int qcrypto_block_luks_amend(QCryptoBlock *b,
                             const QCryptoBlockAmendOptionsLUKS *o,
                             QCryptoBlockReadFunc readfn,
                             QCryptoBlockWriteFunc writefn, void *opaque,
                             bool force, Error **errp)
{
    if (!b->mk) {
        error_setg(errp, "Volume was opened without I/O");
        return -1;
    }
    if (o->has_keyslot &&
        (o->keyslot < 0 || o->keyslot >= QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS)) {
        error_setg(errp, "Invalid keyslot %u specified, must be between 0 "
                   "and %d", (unsigned)o->keyslot,
                   QCRYPTO_BLOCK_LUKS_NUM_KEY_SLOTS - 1);
        return -1;
    }
    if (o->active) {
        return add_slot(b, o, writefn, opaque, force, errp);
    }
    return erase_slots(b, o, readfn, writefn, opaque, force, errp);
}
