/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-crypto-luks: the crypto/ layer under the luks driver.  PBKDF2
 * against RFC 6070 (HMAC-SHA1) and RFC 7914 section 11 (HMAC-SHA256)
 * vectors, AES-XTS against IEEE P1619 vectors, the AF splitter's round
 * trip, and LUKS volumes made and opened in memory: the header fields on
 * disk, unlocking, wrong passwords, corrupted headers (QEMU 7.2's
 * messages) and the payload's per-sector IVs.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/bswap.h"
#include "crypto/afsplit.h"
#include "crypto/block-luks.h"
#include "crypto/cipher.h"
#include "crypto/pbkdf.h"

static void unhex(const char *hex, uint8_t *out, size_t len)
{
    size_t i;

    g_assert_cmpuint(strlen(hex), ==, len * 2);
    for (i = 0; i < len; i++) {
        out[i] = g_ascii_xdigit_value(hex[2 * i]) * 16 +
                 g_ascii_xdigit_value(hex[2 * i + 1]);
    }
}

/* --- PBKDF2 ------------------------------------------------------------- */

static const struct {
    QCryptoHashAlgorithm hash;
    const char *password, *salt;
    unsigned iterations;
    const char *dk;
} pbkdf2_vectors[] = {
    /* RFC 6070 */
    { QCRYPTO_HASH_ALG_SHA1, "password", "salt", 1,
      "0c60c80f961f0e71f3a9b524af6012062fe037a6" },
    { QCRYPTO_HASH_ALG_SHA1, "password", "salt", 2,
      "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957" },
    { QCRYPTO_HASH_ALG_SHA1, "password", "salt", 4096,
      "4b007901b765489abead49d926f721d065a429c1" },
    { QCRYPTO_HASH_ALG_SHA1, "passwordPASSWORDpassword",
      "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
      "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038" },
    /* RFC 7914, section 11 */
    { QCRYPTO_HASH_ALG_SHA256, "passwd", "salt", 1,
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
      "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
};

static void test_pbkdf2_vectors(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(pbkdf2_vectors); i++) {
        size_t len = strlen(pbkdf2_vectors[i].dk) / 2;
        g_autofree uint8_t *want = g_malloc(len);
        g_autofree uint8_t *got = g_malloc(len);

        unhex(pbkdf2_vectors[i].dk, want, len);
        g_assert_cmpint(qcrypto_pbkdf2(pbkdf2_vectors[i].hash,
                        (const uint8_t *)pbkdf2_vectors[i].password,
                        strlen(pbkdf2_vectors[i].password),
                        (const uint8_t *)pbkdf2_vectors[i].salt,
                        strlen(pbkdf2_vectors[i].salt),
                        pbkdf2_vectors[i].iterations, got, len,
                        &error_abort), ==, 0);
        g_assert_cmpmem(got, len, want, len);
    }
}

static void test_pbkdf2_errors(void)
{
    Error *err = NULL;
    uint8_t out[20];

    g_assert_cmpint(qcrypto_pbkdf2(QCRYPTO_HASH_ALG_SHA256,
                                   (const uint8_t *)"a", 1,
                                   (const uint8_t *)"b", 1, 0, out,
                                   sizeof(out), &err), ==, -1);
    error_free_or_abort(&err);
    /* The calibration reports a positive rate. */
    g_assert_cmpuint(qcrypto_pbkdf2_count_iters(QCRYPTO_HASH_ALG_SHA256,
                                                (const uint8_t *)"a", 1,
                                                (const uint8_t *)"b", 1,
                                                32, &error_abort), >, 0);
}

/* --- XTS ---------------------------------------------------------------- */

static const struct {
    const char *key1, *key2;
    uint64_t seq;
    uint8_t fill;
    const char *ct;
} xts_vectors[] = {
    /* IEEE P1619/D16 annex B, vectors 1-3 (32-byte data units) */
    { "00000000000000000000000000000000", "00000000000000000000000000000000",
      0, 0x00,
      "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e" },
    { "11111111111111111111111111111111", "22222222222222222222222222222222",
      0x3333333333ULL, 0x44,
      "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0" },
    { "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0", "22222222222222222222222222222222",
      0x3333333333ULL, 0x44,
      "af85336b597afc1a900b2eb21ec949d292df4c047e0b21532186a5971a227a89" },
};

static void test_xts_vectors(void)
{
    size_t i;

    for (i = 0; i < ARRAY_SIZE(xts_vectors); i++) {
        uint8_t key[32], iv[16] = { 0 }, pt[32], buf[32], want[32];
        g_autoptr(QCryptoCipher) c = NULL;

        unhex(xts_vectors[i].key1, key, 16);
        unhex(xts_vectors[i].key2, key + 16, 16);
        unhex(xts_vectors[i].ct, want, 32);
        memset(pt, xts_vectors[i].fill, sizeof(pt));
        stq_le_p(iv, xts_vectors[i].seq);
        c = qcrypto_cipher_new(QCRYPTO_CIPHER_ALG_AES_128,
                               QCRYPTO_CIPHER_MODE_XTS, key, sizeof(key),
                               &error_abort);
        qcrypto_cipher_setiv(c, iv, sizeof(iv), &error_abort);
        qcrypto_cipher_encrypt(c, pt, buf, sizeof(buf), &error_abort);
        g_assert_cmpmem(buf, sizeof(buf), want, sizeof(want));
        qcrypto_cipher_setiv(c, iv, sizeof(iv), &error_abort);
        qcrypto_cipher_decrypt(c, buf, buf, sizeof(buf), &error_abort);
        g_assert_cmpmem(buf, sizeof(buf), pt, sizeof(pt));
    }
}

static void test_cipher_errors(void)
{
    Error *err = NULL;
    uint8_t key[32] = { 0 }, buf[17] = { 0 };
    g_autoptr(QCryptoCipher) c = NULL;

    g_assert_null(qcrypto_cipher_new(QCRYPTO_CIPHER_ALG_AES_256,
                                     QCRYPTO_CIPHER_MODE_XTS, key, 32,
                                     &err));
    error_free_or_abort(&err);
    c = qcrypto_cipher_new(QCRYPTO_CIPHER_ALG_AES_256,
                           QCRYPTO_CIPHER_MODE_CBC, key, 32, &error_abort);
    g_assert_cmpint(qcrypto_cipher_encrypt(c, buf, buf, 17, &err), ==, -1);
    error_free_or_abort(&err);
    g_assert_cmpint(qcrypto_cipher_alg_parse("aes-256"), ==,
                    QCRYPTO_CIPHER_ALG_AES_256);
    g_assert_cmpint(qcrypto_cipher_alg_parse("des"), ==, -1);
}

/* --- AF splitter -------------------------------------------------------- */

static void test_afsplit_round_trip(void)
{
    uint8_t key[64], back[64];
    size_t i;

    for (i = 0; i < sizeof(key); i++) {
        key[i] = i * 7 + 1;
    }
    /* 40-byte blocks: the SHA-1 diffusion ends on a partial digest. */
    for (i = 0; i < 2; i++) {
        size_t len = i ? 40 : 64;
        g_autofree uint8_t *split = g_malloc(len * 4000);
        g_autofree uint8_t *split2 = g_malloc(len * 4000);

        qcrypto_afsplit_encode(QCRYPTO_HASH_ALG_SHA1, len, 4000, key, split,
                               &error_abort);
        qcrypto_afsplit_decode(QCRYPTO_HASH_ALG_SHA1, len, 4000, split, back);
        g_assert_cmpmem(back, len, key, len);
        /* Random stripes: a second split differs, one bad byte breaks it. */
        qcrypto_afsplit_encode(QCRYPTO_HASH_ALG_SHA1, len, 4000, key, split2,
                               &error_abort);
        g_assert_true(memcmp(split, split2, len * 4000) != 0);
        split[len * 2000] ^= 1;
        qcrypto_afsplit_decode(QCRYPTO_HASH_ALG_SHA1, len, 4000, split, back);
        g_assert_true(memcmp(back, key, len) != 0);
    }
}

/* --- Volumes in memory -------------------------------------------------- */

static int mem_read(size_t offset, uint8_t *buf, size_t len, void *opaque,
                    Error **errp)
{
    GByteArray *disk = opaque;
    size_t have = offset < disk->len ? MIN(len, disk->len - offset) : 0;

    memcpy(buf, disk->data + offset, have);
    memset(buf + have, 0, len - have);
    return 0;
}

static int mem_write(size_t offset, const uint8_t *buf, size_t len,
                     void *opaque, Error **errp)
{
    GByteArray *disk = opaque;

    if (disk->len < offset + len) {
        g_byte_array_set_size(disk, offset + len);
    }
    memcpy(disk->data + offset, buf, len);
    return 0;
}

#define PW ((const uint8_t *)"secret")

static GByteArray *make_volume(const QCryptoBlockCreateOptionsLUKS *opts)
{
    GByteArray *disk = g_byte_array_new();
    QCryptoBlock *b = qcrypto_block_luks_create(opts, PW, 6, mem_write, disk,
                                                &error_abort);

    qcrypto_block_free(b);
    return disk;
}

static void test_header_layout(void)
{
    QCryptoBlockCreateOptionsLUKS opts = { .has_iter_time = true,
                                           .iter_time = 1 };
    g_autoptr(GByteArray) disk = make_volume(&opts);
    const uint8_t *h = disk->data;
    int i;

    g_assert_true(qcrypto_block_luks_has_format(h, disk->len));
    g_assert_cmpmem(h, 6, "LUKS\xba\xbe", 6);
    g_assert_cmpuint(lduw_be_p(h + 6), ==, 1);
    g_assert_cmpstr((const char *)h + 8, ==, "aes");
    g_assert_cmpstr((const char *)h + 40, ==, "xts-plain64");
    g_assert_cmpstr((const char *)h + 72, ==, "sha256");
    g_assert_cmpuint(ldl_be_p(h + 108), ==, 64);
    /* 8 header sectors, then 8 areas of 500 sectors rounded up to 504 */
    g_assert_cmpuint(ldl_be_p(h + 104), ==, 8 + 8 * 504);
    g_assert_cmpuint(ldl_be_p(h + 164), >=, 1000);
    g_assert_cmpuint(strlen((const char *)h + 168), ==, 36);
    for (i = 0; i < 8; i++) {
        const uint8_t *s = h + 208 + i * 48;

        g_assert_cmpuint(ldl_be_p(s), ==, i ? 0xdead : 0xac71f3);
        g_assert_cmpuint(ldl_be_p(s + 40), ==, 8 + i * 504);
        g_assert_cmpuint(ldl_be_p(s + 44), ==, 4000);
    }
    /* Header, then slot 0's key material, nothing more */
    g_assert_cmpuint(disk->len, ==, 4096 + 64 * 4000);
}

static void test_open_and_info(void)
{
    QCryptoBlockCreateOptionsLUKS opts = {
        .cipher_alg = "aes-128", .cipher_mode = "cbc", .ivgen_alg = "essiv",
        .hash_alg = "sha1", .has_iter_time = true, .iter_time = 1,
    };
    g_autoptr(GByteArray) disk = make_volume(&opts);
    g_autoptr(QCryptoBlock) b = NULL;
    QCryptoBlockInfoLUKS *info;
    Error *err = NULL;

    g_assert_cmpstr((const char *)disk->data + 40, ==, "cbc-essiv:sha256");
    g_assert_null(qcrypto_block_luks_open((const uint8_t *)"wrong", 5, 0,
                                          mem_read, disk, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Invalid password, cannot unlock any keyslot");
    error_free(err);
    b = qcrypto_block_luks_open(PW, 6, 0, mem_read, disk, &error_abort);
    info = qcrypto_block_get_info_luks(b);
    g_assert_cmpint(info->cipher_alg, ==, QCRYPTO_CIPHER_ALG_AES_128);
    g_assert_cmpint(info->cipher_mode, ==, QCRYPTO_CIPHER_MODE_CBC);
    g_assert_cmpint(info->ivgen_alg, ==, QCRYPTO_IVGEN_ALG_ESSIV);
    g_assert_true(info->has_ivgen_hash_alg);
    g_assert_cmpint(info->ivgen_hash_alg, ==, QCRYPTO_HASH_ALG_SHA256);
    g_assert_cmpint(info->hash_alg, ==, QCRYPTO_HASH_ALG_SHA1);
    /* 16-byte key: areas of 125 sectors rounded up to 128 */
    g_assert_cmpint(info->payload_offset, ==, (8 + 8 * 128) * 512);
    g_assert_true(info->slots->value->active);
    g_assert_false(info->slots->next->value->active);
    g_assert_cmpint(info->slots->next->value->key_offset, ==,
                    (8 + 128) * 512);
    qapi_free_QCryptoBlockInfoLUKS(info);
}

/* plain64 over XTS: sector n of the payload is XTS with tweak n. */
static void test_payload_ivs(void)
{
    QCryptoBlockCreateOptionsLUKS opts = { .has_iter_time = true,
                                           .iter_time = 1 };
    g_autoptr(GByteArray) disk = make_volume(&opts);
    g_autoptr(QCryptoBlock) b = NULL;
    uint8_t data[1024], buf[1024];
    size_t i;

    for (i = 0; i < sizeof(data); i++) {
        data[i] = i;
    }
    b = qcrypto_block_luks_open(PW, 6, 0, mem_read, disk, &error_abort);
    memcpy(buf, data, sizeof(buf));
    qcrypto_block_encrypt(b, 512 * 6, buf, sizeof(buf), &error_abort);
    g_assert_true(memcmp(buf, data, 512) != 0);
    /* Same plaintext in both sectors, different IVs: different output */
    memcpy(data + 512, data, 512);
    memcpy(buf, data, sizeof(buf));
    qcrypto_block_encrypt(b, 512 * 6, buf, sizeof(buf), &error_abort);
    g_assert_true(memcmp(buf, buf + 512, 512) != 0);
    /* Decrypting sector 7 alone gives sector 7 back */
    qcrypto_block_decrypt(b, 512 * 7, buf + 512, 512, &error_abort);
    g_assert_cmpmem(buf + 512, 512, data + 512, 512);
    qcrypto_block_decrypt(b, 512 * 6, buf, 512, &error_abort);
    g_assert_cmpmem(buf, 512, data, 512);
}

static void expect_open_error(GByteArray *orig, size_t off, const void *patch,
                              size_t len, const char *msg)
{
    g_autoptr(GByteArray) disk = g_byte_array_new();
    Error *err = NULL;

    g_byte_array_append(disk, orig->data, orig->len);
    memcpy(disk->data + off, patch, len);
    g_assert_null(qcrypto_block_luks_open(PW, 6, QCRYPTO_BLOCK_OPEN_NO_IO,
                                          mem_read, disk, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_corrupt_headers(void)
{
    QCryptoBlockCreateOptionsLUKS opts = { .has_iter_time = true,
                                           .iter_time = 1 };
    g_autoptr(GByteArray) disk = make_volume(&opts);
    uint8_t be[4];

    expect_open_error(disk, 0, "XUKS", 4, "Volume is not in LUKS format");
    expect_open_error(disk, 6, "\0\2", 2, "LUKS version 2 is not supported");
    expect_open_error(disk, 8, "foo", 4,
                      "Algorithm 'foo' with key size 32 bytes not supported");
    expect_open_error(disk, 40, "cbc-foo", 8,
                      "Algorithm 'aes' with key size 64 bytes not supported");
    expect_open_error(disk, 72, "sha956", 7,
                      "Hash algorithm 'sha956' not supported");
    stl_be_p(be, 5);
    expect_open_error(disk, 208 + 44, be, 4,
                      "Keyslot 0 is corrupted (stripes 5 != 4000)");
    stl_be_p(be, 9);
    expect_open_error(disk, 208 + 40, be, 4,
                      "Keyslots 0 and 1 are overlapping in the header");
    stl_be_p(be, 0x10);
    expect_open_error(disk, 104, be, 4,
                      "Keyslot 0 is overlapping with the encrypted payload");
    stl_be_p(be, 0);
    expect_open_error(disk, 208 + 4, be, 4,
                      "Keyslot 0 iteration count is zero");
    expect_open_error(disk, 164, be, 4, "LUKS key iteration count is zero");
    stl_be_p(be, 0x1234);
    expect_open_error(disk, 208, be, 4,
                      "Keyslot 0 state (active/disable) is corrupted");
    /* A file cut inside slot 1 reads as zeros past its end */
    g_byte_array_set_size(disk, 300);
    expect_open_error(disk, 0, "L", 1,
                      "Keyslot 1 is corrupted (stripes 0 != 4000)");
}

/*
 * Random bytes of the header changed, many times over (fixed seed): every
 * open either fails with a message or succeeds; with the iteration counts
 * left alone, unlocking is tried too.
 */
static void test_mutated_headers(void)
{
    QCryptoBlockCreateOptionsLUKS opts = { .has_iter_time = true,
                                           .iter_time = 1 };
    g_autoptr(GByteArray) disk = make_volume(&opts);
    g_autoptr(GByteArray) copy = g_byte_array_new();
    g_autoptr(GRand) rand = g_rand_new_with_seed(0x10c5);
    int round, opened = 0;

    g_byte_array_append(copy, disk->data, disk->len);
    for (round = 0; round < 3000; round++) {
        int n = g_rand_int_range(rand, 1, 5), i;
        bool iters_touched = false;
        QCryptoBlock *b;
        Error *err = NULL;

        memcpy(copy->data, disk->data, QCRYPTO_BLOCK_LUKS_HEADER_LEN);
        for (i = 0; i < n; i++) {
            int off = g_rand_int_range(rand, 0,
                                       QCRYPTO_BLOCK_LUKS_HEADER_LEN);

            copy->data[off] = g_rand_int_range(rand, 0, 256);
            iters_touched |= (off >= 164 && off < 168) ||
                             (off >= 208 && (off - 208) % 48 >= 4 &&
                              (off - 208) % 48 < 8);
        }
        b = qcrypto_block_luks_open(NULL, 0, QCRYPTO_BLOCK_OPEN_NO_IO,
                                    mem_read, copy, &err);
        g_assert_true(!b == !!err);
        error_free(err);
        err = NULL;
        qcrypto_block_free(b);
        if (!b || iters_touched || round % 10) {
            continue;
        }
        b = qcrypto_block_luks_open(PW, 6, 0, mem_read, copy, &err);
        g_assert_true(!b == !!err);
        error_free(err);
        opened += b != NULL;
        qcrypto_block_free(b);
    }
    /* Changes in unused slots or the UUID still open */
    g_assert_cmpint(opened, >, 0);
}

/* Key slots added and erased in memory, then unlocked with what is left. */
static void test_amend(void)
{
    QCryptoBlockCreateOptionsLUKS opts = { .has_iter_time = true,
                                           .iter_time = 1 };
    g_autoptr(GByteArray) disk = make_volume(&opts);
    QCryptoBlockAmendOptionsLUKS add = {
        .active = true, .has_keyslot = true, .keyslot = 2,
        .new_password = (const uint8_t *)"two", .nnew_password = 3,
        .has_iter_time = true, .iter_time = 1,
    };
    QCryptoBlockAmendOptionsLUKS erase = {
        .old_password = PW, .nold_password = 6,
    };
    QCryptoBlock *b;
    Error *err = NULL;

    b = qcrypto_block_luks_open(PW, 6, 0, mem_read, disk, &error_abort);
    g_assert_cmpint(qcrypto_block_luks_amend(b, &add, mem_read, mem_write,
                                             disk, false, &error_abort), ==,
                    0);
    /* Slot 2 is taken now: refused without force */
    g_assert_cmpint(qcrypto_block_luks_amend(b, &add, mem_read, mem_write,
                                             disk, false, &err), ==, -1);
    error_free_or_abort(&err);
    g_assert_cmpint(qcrypto_block_luks_amend(b, &erase, mem_read, mem_write,
                                             disk, false, &error_abort), ==,
                    0);
    qcrypto_block_free(b);
    g_assert_cmpuint(ldl_be_p(disk->data + 208), ==, 0xdead);
    g_assert_cmpuint(ldl_be_p(disk->data + 208 + 2 * 48), ==, 0xac71f3);
    g_assert_null(qcrypto_block_luks_open(PW, 6, 0, mem_read, disk, &err));
    error_free_or_abort(&err);
    b = qcrypto_block_luks_open((const uint8_t *)"two", 3, 0, mem_read, disk,
                                &error_abort);
    /* The last slot goes only with force */
    erase.old_password = (const uint8_t *)"two";
    erase.nold_password = 3;
    g_assert_cmpint(qcrypto_block_luks_amend(b, &erase, mem_read, mem_write,
                                             disk, false, &err), ==, -1);
    error_free_or_abort(&err);
    qcrypto_block_free(b);
}

static void test_create_errors(void)
{
    QCryptoBlockCreateOptionsLUKS bad_alg = { .cipher_alg = "des" };
    QCryptoBlockCreateOptionsLUKS bad_essiv = {
        .ivgen_alg = "essiv", .ivgen_hash_alg = "sha1",
    };
    g_autoptr(GByteArray) disk = g_byte_array_new();
    Error *err = NULL;

    g_assert_null(qcrypto_block_luks_create(&bad_alg, PW, 6, mem_write, disk,
                                            &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'cipher-alg' does not accept value 'des'");
    error_free(err);
    err = NULL;
    g_assert_null(qcrypto_block_luks_create(&bad_essiv, PW, 6, mem_write,
                                            disk, &err));
    error_free_or_abort(&err);
    g_assert_cmpuint(disk->len, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crypto-luks/pbkdf2-vectors", test_pbkdf2_vectors);
    g_test_add_func("/crypto-luks/pbkdf2-errors", test_pbkdf2_errors);
    g_test_add_func("/crypto-luks/xts-vectors", test_xts_vectors);
    g_test_add_func("/crypto-luks/cipher-errors", test_cipher_errors);
    g_test_add_func("/crypto-luks/afsplit", test_afsplit_round_trip);
    g_test_add_func("/crypto-luks/header-layout", test_header_layout);
    g_test_add_func("/crypto-luks/open-and-info", test_open_and_info);
    g_test_add_func("/crypto-luks/payload-ivs", test_payload_ivs);
    g_test_add_func("/crypto-luks/corrupt-headers", test_corrupt_headers);
    g_test_add_func("/crypto-luks/mutated-headers", test_mutated_headers);
    g_test_add_func("/crypto-luks/amend", test_amend);
    g_test_add_func("/crypto-luks/create-errors", test_create_errors);
    return g_test_run();
}
