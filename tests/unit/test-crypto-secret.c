/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-crypto-secret: the "secret" user-creatable object (qom/secret.c)
 * and the lookup API of include/crypto/secret.h: raw, base64 and file
 * data, the lookup errors, and the registry's creation order (values,
 * then id, then loading).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "block/block-global-state.h"
#include "crypto/secret.h"
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
    g_assert_true(user_creatable_del("key0", &error_abort));
}

int main(int argc, char **argv)
{
    bdrv_init();
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/crypto-secret/raw-and-base64", test_raw_and_base64);
    g_test_add_func("/crypto-secret/file", test_file);
    g_test_add_func("/crypto-secret/lookup-errors", test_lookup_errors);
    g_test_add_func("/crypto-secret/create-errors", test_create_errors);
    return g_test_run();
}
