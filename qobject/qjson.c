/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qjson.c: JSON text to QObject (a recursive-descent parser with QEMU's
 * extensions: single-quoted strings and %-interpolation) and QObject to
 * JSON text (compact or pretty, in QEMU's layout).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qbool.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"
#include "qapi/qmp/qlist.h"
#include "qapi/qmp/qnull.h"
#include "qapi/qmp/qnum.h"
#include "qapi/qmp/qstring.h"

#define JSON_MAX_DEPTH 1024

typedef struct JSONParser {
    const char *p;          /* next unread character */
    va_list *ap;            /* interpolation arguments, or NULL */
    int depth;
    Error *err;
} JSONParser;

static QObject *parse_value(JSONParser *s);

static void G_GNUC_PRINTF(2, 3) parse_error(JSONParser *s,
                                            const char *fmt, ...)
{
    va_list ap;
    g_autofree char *msg = NULL;

    if (s->err) {
        return;     /* keep the first error */
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_setg(&s->err, "JSON parse error, %s", msg);
}

static void skip_ws(JSONParser *s)
{
    while (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' ||
           *s->p == '\r') {
        s->p++;
    }
}

/* Four hex digits at @p, or -1. */
static int parse_hex4(const char *p)
{
    int v = 0, i;

    for (i = 0; i < 4; i++) {
        if (!g_ascii_isxdigit(p[i])) {
            return -1;
        }
        v = v * 16 + g_ascii_xdigit_value(p[i]);
    }
    return v;
}

/* The \u escape at s->p (just past the 'u'), with surrogate pairs. */
static bool parse_unicode_escape(JSONParser *s, GString *out)
{
    int cp = parse_hex4(s->p);

    if (cp < 0) {
        parse_error(s, "invalid hex escape sequence in string");
        return false;
    }
    s->p += 4;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        int lo = (s->p[0] == '\\' && s->p[1] == 'u') ? parse_hex4(s->p + 2)
                                                      : -1;
        if (lo < 0xDC00 || lo > 0xDFFF) {
            parse_error(s, "missing \\uDC00-\\uDFFF after \\u%04X", cp);
            return false;
        }
        s->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        parse_error(s, "leading \\u%04X in string", cp);
        return false;
    } else if (cp == 0) {
        parse_error(s, "\\u0000 is not supported");
        return false;
    }
    g_string_append_unichar(out, cp);
    return true;
}

static bool parse_escape(JSONParser *s, GString *out)
{
    static const char from[] = "\"'\\/bfnrt";
    static const char to[] = "\"'\\/\b\f\n\r\t";
    char c = *s->p++;
    const char *hit;

    if (c == 'u') {
        return parse_unicode_escape(s, out);
    }
    hit = c ? strchr(from, c) : NULL;
    if (!hit) {
        parse_error(s, "invalid escape sequence in string");
        return false;
    }
    g_string_append_c(out, to[hit - from]);
    return true;
}

/* A string quoted by '"' or '\'' starting at s->p. */
static QString *parse_string(JSONParser *s)
{
    char quote = *s->p++;
    GString *out = g_string_new(NULL);

    while (*s->p != quote) {
        const char *start = s->p;

        if (*s->p == '\0') {
            parse_error(s, "missing closing quote in string");
            goto fail;
        }
        if ((unsigned char)*s->p < 0x20) {
            parse_error(s, "control character in string");
            goto fail;
        }
        if (*s->p == '\\') {
            s->p++;
            if (!parse_escape(s, out)) {
                goto fail;
            }
            continue;
        }
        if ((unsigned char)*s->p < 0x80) {
            g_string_append_c(out, *s->p++);
            continue;
        }
        /* a multi-byte UTF-8 sequence: validate and copy it whole */
        if (g_utf8_get_char_validated(start, -1) == (gunichar)-1 ||
            g_utf8_get_char_validated(start, -1) == (gunichar)-2) {
            parse_error(s, "invalid UTF-8 sequence in string");
            goto fail;
        }
        s->p = g_utf8_next_char(start);
        g_string_append_len(out, start, s->p - start);
    }
    s->p++;
    return qstring_from_gstring(out);

fail:
    g_string_free(out, true);
    return NULL;
}

static QObject *parse_number(JSONParser *s)
{
    const char *start = s->p;
    bool is_float = false;
    g_autofree char *text = NULL;

    if (*s->p == '-') {
        s->p++;
    }
    if (*s->p == '0') {
        s->p++;
    } else if (g_ascii_isdigit(*s->p)) {
        while (g_ascii_isdigit(*s->p)) {
            s->p++;
        }
    } else {
        parse_error(s, "stray '%.*s'", (int)(s->p - start + 1), start);
        return NULL;
    }
    if (*s->p == '.' && g_ascii_isdigit(s->p[1])) {
        is_float = true;
        for (s->p++; g_ascii_isdigit(*s->p); s->p++) {
        }
    }
    if ((*s->p == 'e' || *s->p == 'E') &&
        (g_ascii_isdigit(s->p[1]) ||
         ((s->p[1] == '+' || s->p[1] == '-') && g_ascii_isdigit(s->p[2])))) {
        is_float = true;
        for (s->p += 2; g_ascii_isdigit(*s->p); s->p++) {
        }
    }
    text = g_strndup(start, s->p - start);
    if (!is_float) {
        int64_t i;
        uint64_t u;

        /* int64 if it fits, else uint64 if it fits, else a double */
        if (!g_ascii_string_to_signed(text, 10, INT64_MIN, INT64_MAX,
                                      &i, NULL)) {
            goto as_double;
        }
        return QOBJECT(qnum_from_int(i));
    as_double:
        if (*text != '-' &&
            g_ascii_string_to_unsigned(text, 10, 0, UINT64_MAX, &u, NULL)) {
            return QOBJECT(qnum_from_uint(u));
        }
    }
    return QOBJECT(qnum_from_double(g_ascii_strtod(text, NULL)));
}

/* A %-sequence when interpolating: "%d", "%" PRId64, "%s", "%p", ... */
static QObject *parse_interpolation(JSONParser *s)
{
    static const struct {
        const char *spec;
        char kind;
    } specs[] = {
        { "%lld", 'L' }, { "%llu", 'U' }, { "%ld", 'l' }, { "%lu", 'u' },
        { "%" PRId64, 'I' }, { "%" PRIu64, 'Q' }, { "%d", 'd' },
        { "%i", 'd' }, { "%u", 'n' }, { "%f", 'f' }, { "%s", 's' },
        { "%p", 'p' },
    };
    size_t i;

    for (i = 0; i < ARRAY_SIZE(specs); i++) {
        size_t len = strlen(specs[i].spec);

        if (strncmp(s->p, specs[i].spec, len) != 0) {
            continue;
        }
        s->p += len;
        switch (specs[i].kind) {
        case 'd':
            return QOBJECT(qnum_from_int(va_arg(*s->ap, int)));
        case 'n':
            return QOBJECT(qnum_from_uint(va_arg(*s->ap, unsigned int)));
        case 'l':
            return QOBJECT(qnum_from_int(va_arg(*s->ap, long)));
        case 'u':
            return QOBJECT(qnum_from_uint(va_arg(*s->ap, unsigned long)));
        case 'L':
            return QOBJECT(qnum_from_int(va_arg(*s->ap, long long)));
        case 'U':
            return QOBJECT(qnum_from_uint(va_arg(*s->ap, unsigned long long)));
        case 'I':
            return QOBJECT(qnum_from_int(va_arg(*s->ap, int64_t)));
        case 'Q':
            return QOBJECT(qnum_from_uint(va_arg(*s->ap, uint64_t)));
        case 'f':
            return QOBJECT(qnum_from_double(va_arg(*s->ap, double)));
        case 's':
            return QOBJECT(qstring_from_str(va_arg(*s->ap, const char *)));
        case 'p':
            return va_arg(*s->ap, QObject *);
        }
    }
    parse_error(s, "invalid interpolation '%.3s'", s->p);
    return NULL;
}

static QObject *parse_dict(JSONParser *s)
{
    QDict *dict = qdict_new();

    s->p++;     /* '{' */
    skip_ws(s);
    if (*s->p == '}') {
        s->p++;
        return QOBJECT(dict);
    }
    for (;;) {
        QString *key;
        QObject *value;

        skip_ws(s);
        if (*s->p != '"' && *s->p != '\'') {
            parse_error(s, "key is not a string in object");
            goto fail;
        }
        key = parse_string(s);
        if (!key) {
            goto fail;
        }
        skip_ws(s);
        if (*s->p != ':') {
            qobject_unref(key);
            parse_error(s, "missing : in object pair");
            goto fail;
        }
        s->p++;
        value = parse_value(s);
        if (!value) {
            qobject_unref(key);
            goto fail;
        }
        if (qdict_haskey(dict, qstring_get_str(key))) {
            parse_error(s, "duplicate key '%s'", qstring_get_str(key));
            qobject_unref(key);
            qobject_unref(value);
            goto fail;
        }
        qdict_put_obj(dict, qstring_get_str(key), value);
        qobject_unref(key);
        skip_ws(s);
        if (*s->p == '}') {
            s->p++;
            return QOBJECT(dict);
        }
        if (*s->p != ',') {
            parse_error(s, "expected separator in dict");
            goto fail;
        }
        s->p++;
    }
fail:
    qobject_unref(dict);
    return NULL;
}

static QObject *parse_list(JSONParser *s)
{
    QList *list = qlist_new();

    s->p++;     /* '[' */
    skip_ws(s);
    if (*s->p == ']') {
        s->p++;
        return QOBJECT(list);
    }
    for (;;) {
        QObject *value = parse_value(s);

        if (!value) {
            goto fail;
        }
        qlist_append_obj(list, value);
        skip_ws(s);
        if (*s->p == ']') {
            s->p++;
            return QOBJECT(list);
        }
        if (*s->p != ',') {
            parse_error(s, "expected separator in list");
            goto fail;
        }
        s->p++;
    }
fail:
    qobject_unref(list);
    return NULL;
}

static QObject *parse_keyword(JSONParser *s)
{
    size_t len = 0;

    while (g_ascii_isalpha(s->p[len])) {
        len++;
    }
    if (len == 4 && !strncmp(s->p, "true", 4)) {
        s->p += 4;
        return QOBJECT(qbool_from_bool(true));
    }
    if (len == 5 && !strncmp(s->p, "false", 5)) {
        s->p += 5;
        return QOBJECT(qbool_from_bool(false));
    }
    if (len == 4 && !strncmp(s->p, "null", 4)) {
        s->p += 4;
        return QOBJECT(qnull());
    }
    if (len) {
        parse_error(s, "invalid keyword '%.*s'", (int)len, s->p);
    } else {
        parse_error(s, "stray '%c'", *s->p);
    }
    return NULL;
}

static QObject *parse_value(JSONParser *s)
{
    QObject *ret;

    skip_ws(s);
    if (++s->depth > JSON_MAX_DEPTH) {
        parse_error(s, "nesting depth limit exceeded");
        return NULL;
    }
    switch (*s->p) {
    case '{':
        ret = parse_dict(s);
        break;
    case '[':
        ret = parse_list(s);
        break;
    case '"':
    case '\'':
        ret = QOBJECT(parse_string(s));
        break;
    case '%':
        ret = s->ap ? parse_interpolation(s) : NULL;
        if (!s->ap) {
            parse_error(s, "stray '%%'");
        }
        break;
    case '\0':
    case ',':
    case ':':
    case ']':
    case '}':
        /* a valid token, but not where a value must start */
        parse_error(s, "expecting value");
        ret = NULL;
        break;
    default:
        if (*s->p == '-' || g_ascii_isdigit(*s->p)) {
            ret = parse_number(s);
        } else {
            ret = parse_keyword(s);
        }
    }
    s->depth--;
    return ret;
}

static QObject *parse_json(const char *string, va_list *ap, Error **errp)
{
    JSONParser s = { .p = string, .ap = ap };
    QObject *obj;

    skip_ws(&s);
    if (!*s.p) {
        error_setg(errp, "Expecting a JSON value");
        return NULL;
    }
    obj = parse_value(&s);
    if (obj) {
        skip_ws(&s);
        if (*s.p) {
            qobject_unref(obj);
            obj = NULL;
            error_setg(&s.err, "Expecting at most one JSON value");
        }
    }
    error_propagate(errp, s.err);
    return obj;
}

QObject *qobject_from_json(const char *string, Error **errp)
{
    return parse_json(string, NULL, errp);
}

QObject *qobject_from_vjsonf_nofail(const char *string, va_list ap)
{
    va_list ap_copy;
    QObject *obj;

    va_copy(ap_copy, ap);
    obj = parse_json(string, &ap_copy, &error_abort);
    va_end(ap_copy);
    assert(obj);
    return obj;
}

QObject *qobject_from_jsonf_nofail(const char *string, ...)
{
    QObject *obj;
    va_list ap;

    va_start(ap, string);
    obj = qobject_from_vjsonf_nofail(string, ap);
    va_end(ap);
    return obj;
}

QDict *qdict_from_vjsonf_nofail(const char *string, va_list ap)
{
    QDict *qdict = qobject_to(QDict, qobject_from_vjsonf_nofail(string, ap));

    assert(qdict);
    return qdict;
}

QDict *qdict_from_jsonf_nofail(const char *string, ...)
{
    QDict *qdict;
    va_list ap;

    va_start(ap, string);
    qdict = qdict_from_vjsonf_nofail(string, ap);
    va_end(ap);
    return qdict;
}

/* Serialisation */

static void json_newline(GString *out, bool pretty, int level)
{
    if (pretty) {
        g_string_append_printf(out, "\n%*s", 4 * level, "");
    }
}

static void json_append_code_point(GString *out, gunichar cp)
{
    switch (cp) {
    case '"':
        g_string_append(out, "\\\"");
        break;
    case '\\':
        g_string_append(out, "\\\\");
        break;
    case '\b':
        g_string_append(out, "\\b");
        break;
    case '\f':
        g_string_append(out, "\\f");
        break;
    case '\n':
        g_string_append(out, "\\n");
        break;
    case '\r':
        g_string_append(out, "\\r");
        break;
    case '\t':
        g_string_append(out, "\\t");
        break;
    default:
        if (cp > 0xFFFF) {
            /* outside the BMP: a UTF-16 surrogate pair */
            cp -= 0x10000;
            g_string_append_printf(out, "\\u%04X\\u%04X",
                                   0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
        } else if (cp < 0x20 || cp >= 0x7F) {
            g_string_append_printf(out, "\\u%04X", cp);
        } else {
            g_string_append_c(out, cp);
        }
    }
}

static void json_append_string(GString *out, const char *str)
{
    const char *p = str;

    g_string_append_c(out, '"');
    while (*p) {
        gunichar cp = g_utf8_get_char_validated(p, -1);

        if (cp == (gunichar)-1 || cp == (gunichar)-2) {
            /* not UTF-8: emit the replacement character for the byte */
            json_append_code_point(out, 0xFFFD);
            p++;
            continue;
        }
        json_append_code_point(out, cp);
        p = g_utf8_next_char(p);
    }
    g_string_append_c(out, '"');
}

static void to_json(GString *out, const QObject *obj, bool pretty, int level);

static void json_separator(GString *out, bool first, bool pretty, int level)
{
    if (!first) {
        g_string_append(out, pretty ? "," : ", ");
    }
    json_newline(out, pretty, level);
}

static void to_json(GString *out, const QObject *obj, bool pretty, int level)
{
    switch (qobject_type(obj)) {
    case QTYPE_QNULL:
        g_string_append(out, "null");
        break;
    case QTYPE_QNUM: {
        g_autofree char *num = qnum_to_string(qobject_to(QNum, obj));
        g_string_append(out, num);
        break;
    }
    case QTYPE_QSTRING:
        json_append_string(out, qstring_get_str(qobject_to(QString, obj)));
        break;
    case QTYPE_QDICT: {
        const QDict *dict = qobject_to(QDict, obj);
        const QDictEntry *e;

        g_string_append_c(out, '{');
        for (e = qdict_first(dict); e; e = qdict_next(dict, e)) {
            json_separator(out, e == qdict_first(dict), pretty, level + 1);
            json_append_string(out, qdict_entry_key(e));
            g_string_append(out, ": ");
            to_json(out, qdict_entry_value(e), pretty, level + 1);
        }
        json_newline(out, pretty, level);
        g_string_append_c(out, '}');
        break;
    }
    case QTYPE_QLIST: {
        const QList *list = qobject_to(QList, obj);
        const QListEntry *e;

        g_string_append_c(out, '[');
        for (e = qlist_first(list); e; e = qlist_next(e)) {
            json_separator(out, e == qlist_first(list), pretty, level + 1);
            to_json(out, qlist_entry_obj(e), pretty, level + 1);
        }
        json_newline(out, pretty, level);
        g_string_append_c(out, ']');
        break;
    }
    case QTYPE_QBOOL:
        g_string_append(out, qbool_get_bool(qobject_to(QBool, obj))
                             ? "true" : "false");
        break;
    default:
        g_assert_not_reached();
    }
}

GString *qobject_to_json_pretty(const QObject *obj, bool pretty)
{
    GString *out = g_string_new(NULL);

    to_json(out, obj, pretty, 0);
    return out;
}

GString *qobject_to_json(const QObject *obj)
{
    return qobject_to_json_pretty(obj, false);
}
