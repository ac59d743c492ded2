/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-crypto-secret: the "secret" user-creatable object (qom/secret.c)
 * and the lookup API of include/crypto/secret.h: raw, base64 and file
 * data, the lookup errors, the registry's creation order (values, then
 * id, then loading), and AES-256-CBC secrets (keyid=): the cipher against
 * the FIPS-197 example, secrets made with "openssl enc -aes-256-cbc".
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "block/block-global-state.h"
#include "crypto/secret.h"
#include "crypto/secret-aes.h"
#include "qom/object_interfaces.h"

/* Add an object that must be accepted. */
static void add_ok(const char *str)
{
    g_assert_true(user_creatable_add_from_str(str, &error_abort));
}

/* Add an object that must be refused with exactly @msg. */
static void add_fails(const char *str, const char *msg)
{
    Error *err = NULL;

    g_assert_false(user_creatable_add_from_str(str, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_raw_and_base64(void)
{
    g_autofree char *utf8 = NULL;
    g_autofree char *b64 = NULL;
    g_autofree uint8_t *bytes = NULL;
    size_t len;

    add_ok("secret,id=raw0,data=hunter2");
    add_ok("secret,id=b640,data=aHVudGVyMg==,format=base64");

    utf8 = qcrypto_secret_lookup_as_utf8("raw0", &error_abort);
    g_assert_cmpstr(utf8, ==, "hunter2");
    g_assert_cmpint(qcrypto_secret_lookup("b640", &bytes, &len,
                                          &error_abort), ==, 0);
    g_assert_cmpuint(len, ==, strlen("hunter2"));
    g_assert_cmpmem(bytes, len, "hunter2", len);
    g_assert_cmpint(bytes[len], ==, 0);
    b64 = qcrypto_secret_lookup_as_base64("raw0", &error_abort);
    g_assert_cmpstr(b64, ==, "aHVudGVyMg==");

    g_assert_true(user_creatable_del("raw0", &error_abort));
    g_assert_true(user_creatable_del("b640", &error_abort));
}

static void test_file(void)
{
    g_autofree char *path = NULL;
    g_autofree char *arg = NULL;
    g_autofree char *utf8 = NULL;
    g_autofree char *msg = NULL;
    Error *err = NULL;
    int fd = g_file_open_tmp("secret-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, "pass\nword", 9), ==, 9);
    close(fd);
    arg = g_strdup_printf("secret,id=f0,file=%s", path);
    add_ok(arg);
    /* The file is read when the object is created, not at lookup. */
    unlink(path);
    utf8 = qcrypto_secret_lookup_as_utf8("f0", &error_abort);
    g_assert_cmpstr(utf8, ==, "pass\nword");
    g_assert_true(user_creatable_del("f0", &error_abort));

    /* Gone now: creating it again fails at once. */
    g_assert_false(user_creatable_add_from_str(arg, &err));
    msg = g_strdup_printf("Unable to read %s: ", path);
    g_assert_true(g_str_has_prefix(error_get_pretty(err), msg));
    error_free(err);
    g_assert_null(user_creatable_type_name("f0"));
}

static void test_lookup_errors(void)
{
    Error *err = NULL;
    uint8_t *bytes = NULL;
    size_t len;

    g_assert_cmpint(qcrypto_secret_lookup("none", &bytes, &len, &err),
                    ==, -1);
    g_assert_cmpstr(error_get_pretty(err), ==, "No secret with id 'none'");
    error_free(err);
    err = NULL;

    add_ok("throttle-group,id=tg0");
    g_assert_null(qcrypto_secret_lookup_as_utf8("tg0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Object with id 'tg0' is not a secret");
    error_free(err);
    err = NULL;
    g_assert_true(user_creatable_del("tg0", &error_abort));

    /* 0xff 0xfe: fine as bytes, not as a string. */
    add_ok("secret,id=bin0,data=//4=,format=base64");
    g_assert_null(qcrypto_secret_lookup_as_utf8("bin0", &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Data from secret bin0 is not valid UTF-8");
    error_free(err);
    g_assert_cmpint(qcrypto_secret_lookup("bin0", &bytes, &len,
                                          &error_abort), ==, 0);
    g_assert_cmpuint(len, ==, 2);
    g_assert_cmpint(bytes[0], ==, 0xff);
    g_free(bytes);
    g_assert_true(user_creatable_del("bin0", &error_abort));
}

static void test_create_errors(void)
{
    add_fails("secret,id=e0", "Either 'file' or 'data' must be provided");
    add_fails("secret,id=e0,data=a,file=/x",
              "'file' and 'data' are mutually exclusive");
    add_fails("secret,id=e0,data=a?,format=base64",
              "Base64 data contains invalid characters");
    add_fails("secret,id=e0,data=a,format=hex",
              "Parameter 'format' does not accept value 'hex'");
    /* Values are checked before the id, the id before loading. */
    add_fails("secret,id=0e,foo=1", "Parameter 'foo' is unexpected");
    add_fails("secret,id=0e", "Parameter 'id' expects an identifier");
    add_fails("secret,id=e0,data=a,loaded=on",
              "Property 'secret.loaded' is not writable");
    /* A secret referring to itself is registered but not loaded yet. */
    add_fails("secret,id=e0,data=a,keyid=e0",
              "Secret with id 'e0' has no data");
    /* Nothing failed half-way stays registered. */
    g_assert_null(user_creatable_type_name("e0"));

    add_ok("secret,id=key0,data=0123456789abcdef0123456789abcdef");
    add_fails("secret,id=e1,data=abc,keyid=key0",
              "IV is required to decrypt secret");
    add_fails("secret,id=e1,data=abc,keyid=key0,iv=YWJjZGVmZ2hpamtsbW5vcA==",
              "Length 3 must be a multiple of block size 16");
    add_fails("secret,id=e1,data=abc,keyid=key0,iv=YWJj",
              "IV should be 16 bytes in length not 3");
    add_fails("secret,id=e1,data=abc,keyid=e0", "No secret with id 'e0'");
    g_assert_true(user_creatable_del("key0", &error_abort));
    add_ok("secret,id=key1,data=short");
    add_fails("secret,id=e1,data=abc,keyid=key1",
              "Key should be 32 bytes in length");
    g_assert_true(user_creatable_del("key1", &error_abort));
}

/* FIPS-197 appendix C.3: one block, so CBC with a zero IV is the cipher. */
static void test_aes_fips197(void)
{
    uint8_t key[SECRET_AES_KEY_LEN], iv[SECRET_AES_BLOCK_LEN] = { 0 };
    static const uint8_t cipher[SECRET_AES_BLOCK_LEN] = {
        0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
        0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89,
    };
    uint8_t buf[2 * SECRET_AES_BLOCK_LEN];
    int i;

    for (i = 0; i < SECRET_AES_KEY_LEN; i++) {
        key[i] = i;
    }
    memcpy(buf, cipher, sizeof(cipher));
    secret_aes256_cbc_decrypt(key, iv, buf, SECRET_AES_BLOCK_LEN);
    for (i = 0; i < SECRET_AES_BLOCK_LEN; i++) {
        g_assert_cmpint(buf[i], ==, i * 0x11);
    }

    /* Second block: chained on the first block's ciphertext. */
    memcpy(buf, cipher, sizeof(cipher));
    memcpy(buf + SECRET_AES_BLOCK_LEN, cipher, sizeof(cipher));
    secret_aes256_cbc_decrypt(key, iv, buf, sizeof(buf));
    for (i = 0; i < SECRET_AES_BLOCK_LEN; i++) {
        g_assert_cmpint(buf[SECRET_AES_BLOCK_LEN + i], ==,
                        (i * 0x11) ^ cipher[i]);
    }
}

#define TEST_KEY "secret,id=k0,data=0123456789abcdef0123456789abcdef"
#define TEST_IV ",iv=YWJjZGVmZ2hpamtsbW5vcA=="

/* Made with: openssl enc -aes-256-cbc -K <key as hex> -iv <iv> -base64 */
static void test_encrypted(void)
{
    g_autofree char *short_secret = NULL;
    g_autofree char *long_secret = NULL;

    add_ok(TEST_KEY);
    add_ok("secret,id=e0,data=xCK+5d5LJkVd7dOBR+jdNA==,format=base64,"
           "keyid=k0" TEST_IV);
    short_secret = qcrypto_secret_lookup_as_utf8("e0", &error_abort);
    g_assert_cmpstr(short_secret, ==, "hunter2");

    /* 32 bytes of text: the padding is a whole block of 16s. */
    add_ok("secret,id=e1,data=UslWKhhYaheesDmgBne8+CETwC+xm6h3ucUYuVoWjlhM"
           "G+M5wHbWT2YMrYC+rZHQ,format=base64,keyid=k0" TEST_IV);
    long_secret = qcrypto_secret_lookup_as_utf8("e1", &error_abort);
    g_assert_cmpstr(long_secret, ==, "a secret longer than one block!!");

    /* A block that is not ours decrypts to garbage padding. */
    add_fails("secret,id=e2,data=YWJjZGVmZ2hpamtsbW5vcA==,format=base64,"
              "keyid=k0" TEST_IV,
              "Incorrect number of padding bytes (187) found on decrypted "
              "data");
    g_assert_true(user_creatable_del("e0", &error_abort));
    g_assert_true(user_creatable_del("e1", &error_abort));
    g_assert_true(user_creatable_del("k0", &error_abort));
}

int main(int argc, char **argv)
{
    bdrv_init();
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crypto-secret/raw-and-base64", test_raw_and_base64);
    g_test_add_func("/crypto-secret/file", test_file);
    g_test_add_func("/crypto-secret/lookup-errors", test_lookup_errors);
    g_test_add_func("/crypto-secret/create-errors", test_create_errors);
    g_test_add_func("/crypto-secret/aes-fips197", test_aes_fips197);
    g_test_add_func("/crypto-secret/encrypted", test_encrypted);
    return g_test_run();
}
