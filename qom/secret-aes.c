/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qom/secret-aes.c: AES-256 decryption (FIPS-197) in CBC mode, for the
 * keyid= secrets of qom/secret.c.
 *
 * Written for size, not speed: secrets are a few bytes, decrypted once.
 * The S-boxes are computed at first use from their definition (the
 * multiplicative inverse in GF(2^8), then the affine map), so no tables
 * are typed in.  Not constant-time.
 */

#include "qemu/osdep.h"
#include "crypto/secret-aes.h"

#define AES_ROUNDS 14                   /* AES-256 */
#define AES_KEY_WORDS 8

static uint8_t sbox[256], inv_sbox[256];
static GOnce sbox_once = G_ONCE_INIT;

/* Multiply in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
static uint8_t gf_mul(uint8_t a, uint8_t b)
{
    uint8_t r = 0;

    while (b) {
        if (b & 1) {
            r ^= a;
        }
        a = (a << 1) ^ (a & 0x80 ? 0x1b : 0);
        b >>= 1;
    }
    return r;
}

static uint8_t rotl8(uint8_t x, int n)
{
    return (x << n) | (x >> (8 - n));
}

static gpointer sbox_init(gpointer unused)
{
    int i;

    for (i = 0; i < 256; i++) {
        uint8_t inv = 0, s;
        int j;

        /* The inverse of 0 is taken as 0. */
        for (j = 1; i && j < 256; j++) {
            if (gf_mul(i, j) == 1) {
                inv = j;
                break;
            }
        }
        s = inv ^ rotl8(inv, 1) ^ rotl8(inv, 2) ^ rotl8(inv, 3) ^
            rotl8(inv, 4) ^ 0x63;
        sbox[i] = s;
        inv_sbox[s] = i;
    }
    return NULL;
}

/* The 15 round keys, 16 bytes each, from the 32-byte key. */
static void expand_key(const uint8_t *key,
                       uint8_t rk[AES_ROUNDS + 1][SECRET_AES_BLOCK_LEN])
{
    uint8_t w[4 * (AES_ROUNDS + 1)][4];
    uint8_t rcon = 1;
    int i, j;

    memcpy(w, key, SECRET_AES_KEY_LEN);
    for (i = AES_KEY_WORDS; i < 4 * (AES_ROUNDS + 1); i++) {
        uint8_t t[4];

        memcpy(t, w[i - 1], 4);
        if (i % AES_KEY_WORDS == 0) {
            uint8_t first = t[0];

            for (j = 0; j < 3; j++) {
                t[j] = sbox[t[j + 1]];
            }
            t[3] = sbox[first];
            t[0] ^= rcon;
            rcon = gf_mul(rcon, 2);
        } else if (i % AES_KEY_WORDS == 4) {
            for (j = 0; j < 4; j++) {
                t[j] = sbox[t[j]];
            }
        }
        for (j = 0; j < 4; j++) {
            w[i][j] = w[i - AES_KEY_WORDS][j] ^ t[j];
        }
    }
    memcpy(rk, w, sizeof(w));
}

/* State byte at row @r, column @c (column-major, as the standard). */
#define S(st, r, c) ((st)[(c) * 4 + (r)])

static void inv_shift_rows(uint8_t *st)
{
    uint8_t t[SECRET_AES_BLOCK_LEN];
    int r, c;

    for (r = 0; r < 4; r++) {
        for (c = 0; c < 4; c++) {
            S(t, r, (c + r) % 4) = S(st, r, c);
        }
    }
    memcpy(st, t, sizeof(t));
}

static void inv_mix_columns(uint8_t *st)
{
    int c;

    for (c = 0; c < 4; c++) {
        uint8_t a0 = S(st, 0, c), a1 = S(st, 1, c);
        uint8_t a2 = S(st, 2, c), a3 = S(st, 3, c);

        S(st, 0, c) = gf_mul(a0, 14) ^ gf_mul(a1, 11) ^ gf_mul(a2, 13) ^
                      gf_mul(a3, 9);
        S(st, 1, c) = gf_mul(a0, 9) ^ gf_mul(a1, 14) ^ gf_mul(a2, 11) ^
                      gf_mul(a3, 13);
        S(st, 2, c) = gf_mul(a0, 13) ^ gf_mul(a1, 9) ^ gf_mul(a2, 14) ^
                      gf_mul(a3, 11);
        S(st, 3, c) = gf_mul(a0, 11) ^ gf_mul(a1, 13) ^ gf_mul(a2, 9) ^
                      gf_mul(a3, 14);
    }
}

static void add_round_key(uint8_t *st, const uint8_t *k)
{
    int i;

    for (i = 0; i < SECRET_AES_BLOCK_LEN; i++) {
        st[i] ^= k[i];
    }
}

static void inv_sub_bytes(uint8_t *st)
{
    int i;

    for (i = 0; i < SECRET_AES_BLOCK_LEN; i++) {
        st[i] = inv_sbox[st[i]];
    }
}

/* The inverse cipher on one block, in place. */
static void decrypt_block(uint8_t rk[AES_ROUNDS + 1][SECRET_AES_BLOCK_LEN],
                          uint8_t *st)
{
    int round;

    add_round_key(st, rk[AES_ROUNDS]);
    for (round = AES_ROUNDS - 1; round >= 0; round--) {
        inv_shift_rows(st);
        inv_sub_bytes(st);
        add_round_key(st, rk[round]);
        if (round) {
            inv_mix_columns(st);
        }
    }
}

void secret_aes256_cbc_decrypt(const uint8_t *key, const uint8_t *iv,
                               uint8_t *buf, size_t len)
{
    uint8_t rk[AES_ROUNDS + 1][SECRET_AES_BLOCK_LEN];
    uint8_t prev[SECRET_AES_BLOCK_LEN], cur[SECRET_AES_BLOCK_LEN];
    size_t off;
    int i;

    g_once(&sbox_once, sbox_init, NULL);
    expand_key(key, rk);
    memcpy(prev, iv, sizeof(prev));
    for (off = 0; off + SECRET_AES_BLOCK_LEN <= len;
         off += SECRET_AES_BLOCK_LEN) {
        memcpy(cur, buf + off, sizeof(cur));
        decrypt_block(rk, buf + off);
        for (i = 0; i < SECRET_AES_BLOCK_LEN; i++) {
            buf[off + i] ^= prev[i];
        }
        memcpy(prev, cur, sizeof(prev));
    }
    memset(rk, 0, sizeof(rk));
}
