/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cutils.h: string and number helpers: bounded string copies, prefix
 * matching, strict number parsing (qemu_strto*), size parsing and
 * printing (qemu_strtosz, size_to_str), zero detection and hex dumps.
 */
#ifndef QEMU_CUTILS_H
#define QEMU_CUTILS_H

#include "qemu/ctype.h"

/* Copy @str into @buf (size @buf_size), truncating; always terminated. */
void pstrcpy(char *buf, int buf_size, const char *str);
/* Append @s to @buf (size @buf_size), truncating; returns @buf. */
char *pstrcat(char *buf, int buf_size, const char *s);
/* Copy @str into @buf, padding the rest with @pad; no terminator added. */
void strpadcpy(char *buf, int buf_size, const char *str, char pad);

/*
 * If @str starts with @val, store the rest of @str in *ptr (if ptr is
 * non-NULL) and return 1; else return 0.  stristart ignores case.
 */
int strstart(const char *str, const char *val, const char **ptr);
int stristart(const char *str, const char *val, const char **ptr);
int qemu_strnlen(const char *s, int max_len);
/* strsep(3): split *input at the first char in @delim. */
char *qemu_strsep(char **input, const char *delim);

/*
 * Strict number parsing.  Leading whitespace is skipped.  If @endptr is
 * NULL the whole string must be consumed; otherwise *endptr receives the
 * end of the number.  Returns 0, -EINVAL (no number, trailing junk, NULL
 * input; *result is 0) or -ERANGE (*result saturated to the type's
 * limit).  The unsigned forms accept a leading '-' and negate modulo the
 * type's range, as strtoul() does, but reject values that do not fit.
 */
int qemu_strtoi(const char *nptr, const char **endptr, int base,
                int *result);
int qemu_strtoui(const char *nptr, const char **endptr, int base,
                 unsigned int *result);
int qemu_strtol(const char *nptr, const char **endptr, int base,
                long *result);
int qemu_strtoul(const char *nptr, const char **endptr, int base,
                 unsigned long *result);
int qemu_strtoi64(const char *nptr, const char **endptr, int base,
                  int64_t *result);
int qemu_strtou64(const char *nptr, const char **endptr, int base,
                  uint64_t *result);
int qemu_strtod(const char *nptr, const char **endptr, double *result);
/* As qemu_strtod(), but NaN and infinity are -EINVAL. */
int qemu_strtod_finite(const char *nptr, const char **endptr,
                       double *result);

/*
 * Parse an unsigned integer; unlike qemu_strtou64() a leading '-' is
 * -ERANGE.  @endptr NULL requires the whole string to be consumed.
 */
int parse_uint(const char *s, const char **endptr, int base,
               uint64_t *value);
int parse_uint_full(const char *s, int base, uint64_t *value);

/*
 * Parse a size: a decimal number (or 0x hex, which takes no fraction or
 * suffix), optional fraction, optional suffix B/K/M/G/T/P/E (any case;
 * powers of 1024, or of 1000 for the _metric form).  Without suffix the
 * unit is bytes (MiB for qemu_strtosz_MiB).  A fraction needs a unit
 * larger than a byte.  Returns 0, -EINVAL (bad syntax or trailing junk
 * when @end is NULL; *end is then @nptr) or -ERANGE (negative or more
 * than 2^64 - 1).  On error *result is 0.
 */
int qemu_strtosz(const char *nptr, const char **end, uint64_t *result);
int qemu_strtosz_MiB(const char *nptr, const char **end, uint64_t *result);
int qemu_strtosz_metric(const char *nptr, const char **end,
                        uint64_t *result);

/*
 * Human-readable size with binary prefixes and 3 significant digits:
 * 1536 -> "1.5 KiB", 1073741824 -> "1 GiB".  g_free() the result.
 */
char *size_to_str(uint64_t val);
/* Frequency with decimal prefixes: "1.5 GHz". */
char *freq_to_str(uint64_t freq_hz);

/* True if the @len bytes at @buf are all zero. */
bool buffer_is_zero(const void *buf, size_t len);

/*
 * Hex dump in 16-byte lines: "<prefix>: 0000:  00 01 02 03  04 ... ascii".
 * qemu_hexdump_line() formats one line (up to 16 bytes from offset @b)
 * into @line, which must hold QEMU_HEXDUMP_LINE_LEN bytes.
 */
#define QEMU_HEXDUMP_LINE_BYTES 16
#define QEMU_HEXDUMP_LINE_WIDTH (QEMU_HEXDUMP_LINE_BYTES * 4 + 16)
#define QEMU_HEXDUMP_LINE_LEN (QEMU_HEXDUMP_LINE_WIDTH + 1)
void qemu_hexdump_line(char *line, unsigned int b, const void *bufptr,
                       unsigned int len, bool ascii);
void qemu_hexdump(FILE *fp, const char *prefix, const void *bufptr,
                  size_t size);

/* strchr() that returns the terminating NUL instead of NULL. */
const char *qemu_strchrnul(const char *s, int c);
/* strcmp() of two string pointers, for qsort() and g_ptr_array_sort(). */
int qemu_pstrcmp0(const char **str1, const char **str2);

/* "%d%c" style sizes for compact listings: "1.5K", "128M". */
char *get_human_readable_size(char *buf, int buf_size, int64_t size);

#endif /* QEMU_CUTILS_H */
