/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cutils.c: string helpers, strict number parsing and size parsing and
 * formatting (see include/qemu/cutils.h for the contracts).
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include <math.h>
#include "qemu/host-utils.h"

void pstrcpy(char *buf, int buf_size, const char *str)
{
    int n;

    if (buf_size <= 0) {
        return;
    }
    n = qemu_strnlen(str, buf_size - 1);
    memcpy(buf, str, n);
    buf[n] = '\0';
}

char *pstrcat(char *buf, int buf_size, const char *s)
{
    int len = qemu_strnlen(buf, buf_size);

    if (len < buf_size) {
        pstrcpy(buf + len, buf_size - len, s);
    }
    return buf;
}

void strpadcpy(char *buf, int buf_size, const char *str, char pad)
{
    int n = qemu_strnlen(str, buf_size);

    memcpy(buf, str, n);
    memset(buf + n, pad, buf_size - n);
}

int strstart(const char *str, const char *val, const char **ptr)
{
    size_t n = strlen(val);

    if (strncmp(str, val, n) != 0) {
        return 0;
    }
    if (ptr) {
        *ptr = str + n;
    }
    return 1;
}

int stristart(const char *str, const char *val, const char **ptr)
{
    size_t n = strlen(val);

    if (g_ascii_strncasecmp(str, val, n) != 0) {
        return 0;
    }
    if (ptr) {
        *ptr = str + n;
    }
    return 1;
}

int qemu_strnlen(const char *s, int max_len)
{
    const char *end = memchr(s, 0, max_len > 0 ? max_len : 0);

    return end ? end - s : max_len;
}

char *qemu_strsep(char **input, const char *delim)
{
    char *start = *input;
    char *p;

    if (!start) {
        return NULL;
    }
    p = start + strcspn(start, delim);
    if (*p) {
        *p = '\0';
        *input = p + 1;
    } else {
        *input = NULL;
    }
    return start;
}

const char *qemu_strchrnul(const char *s, int c)
{
    const char *p = strchr(s, c);

    return p ? p : s + strlen(s);
}

int qemu_pstrcmp0(const char **str1, const char **str2)
{
    return g_strcmp0(*str1, *str2);
}

/*
 * Common tail of the qemu_strto* family.  @ep is where the libc parser
 * stopped, @err the errno it left (after range clamping).  Returns 0 or
 * a negative errno; trailing junk without @endptr beats -ERANGE.
 */
static int strtox_result(const char *nptr, const char *ep,
                         const char **endptr, int err)
{
    if (endptr) {
        *endptr = ep;
    }
    if (err == 0 && ep == nptr) {
        return -EINVAL;
    }
    if (!endptr && *ep) {
        return -EINVAL;
    }
    return -err;
}

/*
 * Parse a signed value with strtoll and clamp it to [min, max].  The
 * (clamped) value is stored even with trailing junk; only "no number at
 * all" stores 0.
 */
static int strto_signed(const char *nptr, const char **endptr, int base,
                        int64_t min, int64_t max, int64_t *result)
{
    char *ep;
    long long v;
    int err;

    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        *result = 0;
        return -EINVAL;
    }
    errno = 0;
    v = strtoll(nptr, &ep, base);
    err = errno;
    /* strtoll already saturated to the 64-bit limits on overflow */
    if (v > max) {
        v = max;
        err = ERANGE;
    } else if (v < min) {
        v = min;
        err = ERANGE;
    }
    *result = ep == nptr ? 0 : v;
    return strtox_result(nptr, ep, endptr, err);
}

/*
 * Parse an unsigned value with strtoull.  A leading '-' negates modulo
 * 2^width, but only magnitudes that fit in the width are accepted; out
 * of range values saturate to @max.
 */
static int strto_unsigned(const char *nptr, const char **endptr, int base,
                          uint64_t max, uint64_t *result)
{
    char *ep;
    unsigned long long v;
    const char *p;
    int err;

    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        *result = 0;
        return -EINVAL;
    }
    errno = 0;
    v = strtoull(nptr, &ep, base);
    err = errno;
    for (p = nptr; qemu_isspace(*p); p++) {
        /* find the sign */
    }
    if (err == ERANGE) {
        v = max;
    } else if (*p == '-') {
        /* strtoull negated modulo 2^64; undo to check the magnitude */
        uint64_t mag = -(uint64_t)v;

        if (mag > max) {
            v = max;
            err = ERANGE;
        } else {
            v = (-mag) & max;
        }
    } else if (v > max) {
        v = max;
        err = ERANGE;
    }
    *result = ep == nptr ? 0 : v;
    return strtox_result(nptr, ep, endptr, err);
}

int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result)
{
    int64_t v;
    int ret = strto_signed(nptr, endptr, base, INT_MIN, INT_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result)
{
    uint64_t v;
    int ret = strto_unsigned(nptr, endptr, base, UINT_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtol(const char *nptr, const char **endptr, int base,
                long *result)
{
    int64_t v;
    int ret = strto_signed(nptr, endptr, base, LONG_MIN, LONG_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtoul(const char *nptr, const char **endptr, int base,
                 unsigned long *result)
{
    uint64_t v;
    int ret = strto_unsigned(nptr, endptr, base, ULONG_MAX, &v);

    *result = v;
    return ret;
}

int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result)
{
    return strto_signed(nptr, endptr, base, INT64_MIN, INT64_MAX, result);
}

int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result)
{
    return strto_unsigned(nptr, endptr, base, UINT64_MAX, result);
}

int qemu_strtod(const char *nptr, const char **endptr, double *result)
{
    char *ep;
    int ret;

    if (!nptr) {
        if (endptr) {
            *endptr = nptr;
        }
        *result = 0.0;
        return -EINVAL;
    }
    errno = 0;
    *result = strtod(nptr, &ep);
    ret = strtox_result(nptr, ep, endptr, errno);
    return ret;
}

int qemu_strtod_finite(const char *nptr, const char **endptr,
                       double *result)
{
    const char *ep;
    double v;
    int ret = qemu_strtod(nptr, &ep, &v);

    if (!isfinite(v)) {
        /* infinities (also from overflow) and NaN are not accepted */
        ep = nptr;
        ret = -EINVAL;
    }
    if (endptr) {
        *endptr = ep;
    } else if (ret == 0 && *ep) {
        ret = -EINVAL;
    }
    *result = isfinite(v) ? v : 0.0;
    return ret;
}

int parse_uint(const char *s, const char **endptr, int base,
               uint64_t *value)
{
    const char *p;
    char *ep;
    unsigned long long v;
    int ret;

    *value = 0;
    if (!s) {
        if (endptr) {
            *endptr = s;
        }
        return -EINVAL;
    }
    errno = 0;
    v = strtoull(s, &ep, base);
    for (p = s; qemu_isspace(*p); p++) {
        /* skip to the sign */
    }
    if (ep == s || (!endptr && *ep)) {
        /* no number, or junk when the whole string must be a number */
        ret = -EINVAL;
    } else if (*p == '-') {
        ret = -ERANGE;
    } else if (errno == ERANGE) {
        *value = UINT64_MAX;
        ret = -ERANGE;
    } else {
        *value = v;
        ret = 0;
    }
    if (endptr) {
        *endptr = ep;
    }
    return ret;
}

int parse_uint_full(const char *s, int base, uint64_t *value)
{
    return parse_uint(s, NULL, base, value);
}

/* Multiplier for size suffix @c, or -1 if @c is not a suffix. */
static int64_t suffix_mul(char c, int64_t unit)
{
    switch (qemu_toupper(c)) {
    case 'B':
        return 1;
    case 'K':
        return unit;
    case 'M':
        return unit * unit;
    case 'G':
        return unit * unit * unit;
    case 'T':
        return unit * unit * unit * unit;
    case 'P':
        return unit * unit * unit * unit * unit;
    case 'E':
        return unit * unit * unit * unit * unit * unit;
    }
    return -1;
}

/*
 * Parse the ".digits" part of a size at @p (just after the dot).  Returns
 * the fraction as a 0.64 fixed-point number in *valf; a fraction that
 * rounds to 1.0 is reported through *carry, and *nonzero tells whether
 * any digit was non-zero (even if too small to show in *valf).  Returns
 * the end of the digits.
 */
static const char *parse_size_fraction(const char *p, uint64_t *valf,
                                       bool *carry, bool *nonzero)
{
    const char *start = p;
    g_autofree char *text = NULL;
    double f;

    *nonzero = false;
    while (qemu_isdigit(*p)) {
        *nonzero |= *p != '0';
        p++;
    }
    *valf = 0;
    *carry = false;
    if (p == start) {
        return p;
    }
    text = g_strdup_printf("0.%.*s", (int)(p - start), start);
    f = g_ascii_strtod(text, NULL);
    if (f >= 1.0) {
        *carry = true;
    } else {
        *valf = (uint64_t)ldexp(f, 64);
    }
    return p;
}

/* Hexadecimal sizes: no fraction and no suffix allowed. */
static int parse_size_hex(const char *p, const char **endptr,
                          int64_t unit, uint64_t *val)
{
    char *ep;

    errno = 0;
    *val = strtoull(p, &ep, 16);
    *endptr = ep;
    if (errno == ERANGE) {
        return -ERANGE;
    }
    if (*ep == '.') {
        return -EINVAL;
    }
    return 0;
}

/* Scale val.valf by @mul, rounding half up; -ERANGE past 2^64 - 1. */
static int scale_size(uint64_t val, uint64_t valf, int64_t mul,
                      uint64_t *result)
{
    unsigned __int128 whole = (unsigned __int128)val * (uint64_t)mul;
    unsigned __int128 part = (unsigned __int128)valf * (uint64_t)mul;

    /* part is a 64.64 fixed-point number: add its rounded integer part */
    whole += (part >> 64) + ((uint64_t)part >> 63);
    if (whole >> 64) {
        return -ERANGE;
    }
    *result = (uint64_t)whole;
    return 0;
}

static int do_strtosz(const char *nptr, const char **end,
                      char default_suffix, int64_t unit, uint64_t *result)
{
    const char *p = nptr, *digits;
    uint64_t val = 0, valf = 0;
    bool negative = false, overflow = false, carry = false;
    bool frac_nonzero = false;
    int64_t mul;
    int ret = 0;

    if (!nptr) {
        ret = -EINVAL;
        goto out;
    }
    while (qemu_isspace(*p)) {
        p++;
    }
    if (*p == '-' || *p == '+') {
        negative = *p == '-';
        p++;
    }
    if (!negative && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        g_ascii_isxdigit(p[2])) {
        ret = parse_size_hex(p, &p, unit, &val);
        if (ret == 0 && suffix_mul(*p, unit) > 0) {
            /* QEMU 7.2 still takes a suffix after hex, with a warning */
            warn_report("Using a multiplier suffix on hex numbers is "
                        "deprecated: %s", nptr);
            mul = suffix_mul(*p++, unit);
        } else {
            mul = suffix_mul(default_suffix, unit);
        }
        if (ret == 0) {
            ret = scale_size(val, 0, mul, &val);
        }
        goto out;
    }
    for (digits = p; qemu_isdigit(*p); p++) {
        overflow |= __builtin_mul_overflow(val, 10, &val);
        overflow |= __builtin_add_overflow(val, *p - '0', &val);
    }
    if (*p == '.' && (p > digits || qemu_isdigit(p[1]))) {
        p = parse_size_fraction(p + 1, &valf, &carry, &frac_nonzero);
        overflow |= carry && __builtin_add_overflow(val, 1, &val);
    } else if (p == digits) {
        ret = -EINVAL;
        goto out;
    }
    /*
     * QEMU 7.2 semantics: a magnitude too big for 64 bits is out of range
     * whatever its sign; any other negative number is invalid input.
     */
    if (overflow) {
        ret = -ERANGE;
        goto out;
    }
    if (negative) {
        ret = -EINVAL;
        goto out;
    }
    mul = suffix_mul(*p, unit);
    if (mul > 0) {
        p++;
    } else {
        mul = suffix_mul(default_suffix, unit);
    }
    if (mul == 1 && frac_nonzero) {
        /* fractional bytes make no sense */
        ret = -EINVAL;
        goto out;
    }
    ret = scale_size(val, valf, mul, &val);

out:
    if (end) {
        *end = p;
    } else if (nptr && *p) {
        ret = -EINVAL;
    }
    if (ret == 0) {
        *result = val;
    } else {
        *result = 0;
        if (end && ret == -EINVAL) {
            *end = nptr;
        }
    }
    return ret;
}

int qemu_strtosz(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', 1024, result);
}

int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result)
{
    return do_strtosz(nptr, end, 'M', 1024, result);
}

int qemu_strtosz_metric(const char *nptr, const char **end,
                        uint64_t *result)
{
    return do_strtosz(nptr, end, 'B', 1000, result);
}

char *size_to_str(uint64_t val)
{
    static const char *const prefixes[] = {
        "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei",
    };
    int i = 0;

    /*
     * Use the largest binary unit in which the value is at least 1000/1024
     * of one unit, so the mantissa never shows four integer digits.
     */
    while (i + 1 < ARRAY_SIZE(prefixes) &&
           (double)val * 1.024 >= ldexp(1.0, 10 * (i + 1))) {
        i++;
    }
    return g_strdup_printf("%0.3g %sB", ldexp((double)val, -10 * i),
                           prefixes[i]);
}

char *freq_to_str(uint64_t freq_hz)
{
    static const char *const prefixes[] = { "", "K", "M", "G", "T", "P", "E" };
    double freq = freq_hz;
    size_t i = 0;

    while (freq >= 1000.0 && i + 1 < ARRAY_SIZE(prefixes)) {
        freq /= 1000.0;
        i++;
    }
    return g_strdup_printf("%0.3g %sHz", freq, prefixes[i]);
}

char *get_human_readable_size(char *buf, int buf_size, int64_t size)
{
    static const char suffixes[] = { 'K', 'M', 'G', 'T' };
    int64_t base = 1024;
    size_t i;

    if (size <= 999) {
        snprintf(buf, buf_size, "%" PRId64, size);
        return buf;
    }
    for (i = 0; i < ARRAY_SIZE(suffixes); i++, base *= 1024) {
        if (size < 10 * base) {
            snprintf(buf, buf_size, "%0.1f%c", (double)size / base,
                     suffixes[i]);
            break;
        }
        if (size < 1000 * base || i == ARRAY_SIZE(suffixes) - 1) {
            snprintf(buf, buf_size, "%" PRId64 "%c",
                     (size + (base >> 1)) / base, suffixes[i]);
            break;
        }
    }
    return buf;
}

bool buffer_is_zero(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    const uint64_t *w;
    size_t head;

    if (len < 64) {
        while (len--) {
            if (*p++) {
                return false;
            }
        }
        return true;
    }
    /* Check the unaligned head byte-wise, then 64 bytes per iteration. */
    head = -(uintptr_t)p & 7;
    for (; head; head--, len--) {
        if (*p++) {
            return false;
        }
    }
    for (w = (const uint64_t *)p; len >= 64; w += 8, len -= 64) {
        if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) {
            return false;
        }
    }
    for (p = (const unsigned char *)w; len; len--) {
        if (*p++) {
            return false;
        }
    }
    return true;
}

void qemu_hexdump_line(char *line, unsigned int b, const void *bufptr,
                       unsigned int len, bool ascii)
{
    const unsigned char *buf = (const unsigned char *)bufptr + b;
    unsigned int i;
    int n;

    len = MIN(len, QEMU_HEXDUMP_LINE_BYTES);
    n = sprintf(line, "%04x:", b);
    for (i = 0; i < QEMU_HEXDUMP_LINE_BYTES; i++) {
        if (i % 4 == 0) {
            line[n++] = ' ';
        }
        if (i < len) {
            n += sprintf(line + n, " %02x", buf[i]);
        } else {
            n += sprintf(line + n, "   ");
        }
    }
    if (ascii) {
        line[n++] = ' ';
        for (i = 0; i < len; i++) {
            line[n++] = (buf[i] < ' ' || buf[i] > '~') ? '.' : buf[i];
        }
    }
    line[n] = '\0';
}

void qemu_hexdump(FILE *fp, const char *prefix, const void *bufptr,
                  size_t size)
{
    char line[QEMU_HEXDUMP_LINE_LEN];
    size_t b;

    for (b = 0; b < size; b += QEMU_HEXDUMP_LINE_BYTES) {
        qemu_hexdump_line(line, b, bufptr, size - b, true);
        fprintf(fp, "%s: %s\n", prefix, line);
    }
}
