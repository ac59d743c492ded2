/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qom/secret.c: the "secret" user-creatable object and the secret lookup
 * API of include/crypto/secret.h.
 *
 * create() only parses the properties; complete() loads the bytes, so a
 * missing file fails at --object time with QEMU 7.2's messages, in 7.2's
 * order.  Encrypted secrets (keyid=) are AES-256-CBC with the key held
 * by another secret, decrypted through nettle (qom/secret-aes.c).
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/module.h"
#include "crypto/secret.h"
#include "qom/object_interfaces.h"
#include "crypto/secret-aes.h"


typedef struct QCryptoSecret {
    char *id;
    char *data;                 /* data=, or NULL */
    char *file;                 /* file=, or NULL */
    char *keyid;                /* keyid=, or NULL */
    char *iv;                   /* iv=, or NULL */
    QCryptoSecretFormat format;
    bool loaded_given;          /* loaded= was set (read-only in 7.2) */
    uint8_t *raw;               /* the loaded bytes, NUL-terminated */
    size_t rawlen;
    bool loaded;
} QCryptoSecret;

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

/*
 * Decode base64 as QEMU's qbase64_decode(): only the alphabet and '=' are
 * allowed anywhere; glib then decodes what it can.
 */
static uint8_t *secret_base64_decode(const char *in, size_t *outlen,
                                     Error **errp)
{
    uint8_t *out;

    if (strspn(in, base64_alphabet) != strlen(in)) {
        error_setg(errp, "Base64 data contains invalid characters");
        return NULL;
    }
    *outlen = 0;
    out = g_base64_decode(in, outlen);
    /* One more byte, so that callers may NUL-terminate the result. */
    out = g_realloc(out, *outlen + 1);
    out[*outlen] = '\0';
    return out;
}

/* On, off and their QAPI synonyms; anything else is an error as in 7.2. */
static bool secret_parse_bool(const char *name, const char *value,
                              Error **errp)
{
    static const char *const words[] = {
        "on", "yes", "true", "y", "off", "no", "false", "n",
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(words); i++) {
        if (!strcmp(value, words[i])) {
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
    return false;
}

/* Take string property @name out of @props (NULL if absent). */
static char *secret_take_str(QDict *props, const char *name)
{
    const char *v = qdict_get_try_str(props, name);
    char *copy = g_strdup(v);

    if (v) {
        qdict_del(props, name);
    }
    return copy;
}

static void secret_destroy(void *opaque)
{
    QCryptoSecret *s = opaque;

    if (s->raw) {
        memset(s->raw, 0, s->rawlen);
    }
    g_free(s->raw);
    g_free(s->id);
    g_free(s->data);
    g_free(s->file);
    g_free(s->keyid);
    g_free(s->iv);
    g_free(s);
}

static void *secret_create(const char *id, QDict *props, Error **errp)
{
    g_autofree char *format = secret_take_str(props, "format");
    g_autofree char *loaded = secret_take_str(props, "loaded");
    QCryptoSecret *s = g_new0(QCryptoSecret, 1);

    s->id = g_strdup(id);
    s->data = secret_take_str(props, "data");
    s->file = secret_take_str(props, "file");
    s->keyid = secret_take_str(props, "keyid");
    s->iv = secret_take_str(props, "iv");
    if (format && !strcmp(format, "base64")) {
        s->format = QCRYPTO_SECRET_FORMAT_BASE64;
    } else if (format && strcmp(format, "raw")) {
        error_setg(errp, "Parameter 'format' does not accept value '%s'",
                   format);
        goto fail;
    }
    if (loaded) {
        if (!secret_parse_bool("loaded", loaded, errp)) {
            goto fail;
        }
        s->loaded_given = true;
    }
    return s;

fail:
    secret_destroy(s);
    return NULL;
}

/* The data= or file= bytes as given (not decoded yet). */
static bool secret_read_input(QCryptoSecret *s, uint8_t **buf, size_t *len,
                              Error **errp)
{
    g_autoptr(GError) gerr = NULL;
    gchar *contents;
    gsize n;

    if (s->data && s->file) {
        error_setg(errp, "'file' and 'data' are mutually exclusive");
        return false;
    }
    if (s->data) {
        *len = strlen(s->data);
        *buf = (uint8_t *)g_strdup(s->data);
        return true;
    }
    if (!s->file) {
        error_setg(errp, "Either 'file' or 'data' must be provided");
        return false;
    }
    if (!g_file_get_contents(s->file, &contents, &n, &gerr)) {
        error_setg(errp, "Unable to read %s: %s", s->file, gerr->message);
        return false;
    }
    *buf = (uint8_t *)contents;
    *len = n;
    return true;
}

/*
 * Decrypt @in with the key secret and the IV, 7.2's checks in 7.2's order,
 * then drop the padding (its last byte says how many bytes, at most 16).
 */
static bool secret_decrypt(QCryptoSecret *s, const uint8_t *in, size_t inlen,
                           uint8_t **out, size_t *outlen, Error **errp)
{
    g_autofree uint8_t *key = NULL;
    g_autofree uint8_t *iv = NULL;
    g_autofree uint8_t *cipher = NULL;
    size_t keylen, ivlen, cipherlen;

    if (qcrypto_secret_lookup(s->keyid, &key, &keylen, errp) < 0) {
        return false;
    }
    if (keylen != SECRET_AES_KEY_LEN) {
        error_setg(errp, "Key should be 32 bytes in length");
        return false;
    }
    if (!s->iv) {
        error_setg(errp, "IV is required to decrypt secret");
        return false;
    }
    iv = secret_base64_decode(s->iv, &ivlen, errp);
    if (!iv) {
        return false;
    }
    if (ivlen != SECRET_AES_BLOCK_LEN) {
        error_setg(errp, "IV should be 16 bytes in length not %zu", ivlen);
        return false;
    }
    if (s->format == QCRYPTO_SECRET_FORMAT_BASE64) {
        cipher = secret_base64_decode((const char *)in, &cipherlen, errp);
        if (!cipher) {
            return false;
        }
    } else {
        cipher = g_malloc(inlen + 1);
        memcpy(cipher, in, inlen);
        cipherlen = inlen;
    }
    if (cipherlen % SECRET_AES_BLOCK_LEN) {
        error_setg(errp, "Length %zu must be a multiple of block size %d",
                   cipherlen, SECRET_AES_BLOCK_LEN);
        return false;
    }
    secret_aes256_cbc_decrypt(key, iv, cipher, cipherlen);
    if (cipherlen) {
        uint8_t pad = cipher[cipherlen - 1];

        if (pad > SECRET_AES_BLOCK_LEN) {
            error_setg(errp, "Incorrect number of padding bytes (%d) found "
                       "on decrypted data", pad);
            return false;
        }
        cipherlen -= pad;
    }
    cipher[cipherlen] = '\0';
    *out = g_steal_pointer(&cipher);
    *outlen = cipherlen;
    return true;
}

static bool secret_complete(void *opaque, Error **errp)
{
    QCryptoSecret *s = opaque;
    g_autofree uint8_t *input = NULL;
    size_t inlen;

    if (s->loaded_given) {
        error_setg(errp, "Property 'secret.loaded' is not writable");
        return false;
    }
    if (!secret_read_input(s, &input, &inlen, errp)) {
        return false;
    }
    if (s->keyid) {
        if (!secret_decrypt(s, input, inlen, &s->raw, &s->rawlen, errp)) {
            return false;
        }
    } else if (s->format == QCRYPTO_SECRET_FORMAT_BASE64) {
        s->raw = secret_base64_decode((const char *)input, &s->rawlen, errp);
        if (!s->raw) {
            return false;
        }
    } else {
        s->raw = g_steal_pointer(&input);
        s->rawlen = inlen;
    }
    s->loaded = true;
    return true;
}

static void secret_list_props(GPtrArray *lines)
{
    g_ptr_array_add(lines, g_strdup("data=<string>"));
    g_ptr_array_add(lines, g_strdup("file=<string>"));
    g_ptr_array_add(lines, g_strdup("format=<QCryptoSecretFormat>"));
    g_ptr_array_add(lines, g_strdup("iv=<string>"));
    g_ptr_array_add(lines, g_strdup("keyid=<string>"));
}

static const UserCreatableType secret_type = {
    .name       = TYPE_QCRYPTO_SECRET,
    .create     = secret_create,
    .complete   = secret_complete,
    .destroy    = secret_destroy,
    .list_props = secret_list_props,
};

int qcrypto_secret_lookup(const char *secretid, uint8_t **data,
                          size_t *datalen, Error **errp)
{
    const char *type = user_creatable_type_name(secretid);
    QCryptoSecret *s;

    if (!type) {
        error_setg(errp, "No secret with id '%s'", secretid);
        return -1;
    }
    if (strcmp(type, TYPE_QCRYPTO_SECRET)) {
        error_setg(errp, "Object with id '%s' is not a secret", secretid);
        return -1;
    }
    s = user_creatable_find(TYPE_QCRYPTO_SECRET, secretid);
    if (!s->loaded) {
        error_setg(errp, "Secret with id '%s' has no data", secretid);
        return -1;
    }
    *data = g_malloc(s->rawlen + 1);
    memcpy(*data, s->raw, s->rawlen);
    (*data)[s->rawlen] = '\0';
    *datalen = s->rawlen;
    return 0;
}

char *qcrypto_secret_lookup_as_utf8(const char *secretid, Error **errp)
{
    uint8_t *data;
    size_t len;

    if (qcrypto_secret_lookup(secretid, &data, &len, errp) < 0) {
        return NULL;
    }
    if (!g_utf8_validate((const gchar *)data, len, NULL)) {
        error_setg(errp, "Data from secret %s is not valid UTF-8", secretid);
        g_free(data);
        return NULL;
    }
    return (char *)data;
}

char *qcrypto_secret_lookup_as_base64(const char *secretid, Error **errp)
{
    g_autofree uint8_t *data = NULL;
    size_t len;

    if (qcrypto_secret_lookup(secretid, &data, &len, errp) < 0) {
        return NULL;
    }
    return g_base64_encode(data, len);
}

static void secret_register(void)
{
    user_creatable_register_type(&secret_type);
}

block_init(secret_register);
