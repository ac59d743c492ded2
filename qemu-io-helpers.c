/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the qemu-io commands: size parsing and printing in
 * qemu-io's own format, the timing report, pattern bytes, request
 * buffers (with -m misalignment), I/O vectors, the -v hex dump and
 * pattern verification.  Declared in qemu-io-internal.h.
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/units.h"
#include "qemu/iov.h"
#include "qemu/ctype.h"
#include "qemu/error-report.h"
#include "block/block.h"
#include "sysemu/block-backend.h"
#include "qemu-io-internal.h"

#define MISALIGN_OFFSET 16

bool qemuio_misalign;

/*
 * QEMU 7.2 still takes a size suffix after a hex number ("0x1k"), with a
 * deprecation warning; qemu_strtosz() here refuses it.  0 or -EINVAL.
 */
static int hex_with_suffix(const char *s, uint64_t *value)
{
    static const char suffixes[] = "BKMGTPE";
    uint64_t v;
    const char *end, *unit;

    if (strncasecmp(s, "0x", 2) || qemu_strtou64(s, &end, 16, &v) < 0 ||
        !*end || end[1] || !(unit = strchr(suffixes, qemu_toupper(*end)))) {
        return -EINVAL;
    }
    for (int i = 0; i < unit - suffixes; i++) {
        if (v > UINT64_MAX / 1024) {
            return -ERANGE;
        }
        v *= 1024;
    }
    warn_report("Using a multiplier suffix on hex numbers is deprecated: %s",
                s);
    *value = v;
    return 0;
}

int64_t cvtnum(const char *s)
{
    uint64_t value;
    int rc = qemu_strtosz(s, NULL, &value);

    if (rc == -EINVAL) {
        rc = hex_with_suffix(s, &value);
    }

    /* QEMU 7.2 counts a negative size as a syntax error, not a range one. */
    if (rc == -ERANGE && strchr(s, '-')) {
        return -EINVAL;
    }
    if (rc < 0) {
        return rc;
    }
    if (value > INT64_MAX) {
        return -ERANGE;
    }
    return value;
}

void print_cvtnum_err(int64_t rc, const char *arg)
{
    if (rc == -EINVAL) {
        printf("Parsing error: non-numeric argument, or extraneous/"
               "unrecognized suffix -- %s\n", arg);
    } else if (rc == -ERANGE) {
        printf("Parsing error: argument too large -- %s\n", arg);
    } else {
        printf("Parsing error: %s\n", arg);
    }
}

void cvtstr(double value, char *str, size_t size)
{
    static const char *const units[] = {
        " EiB", " PiB", " TiB", " GiB", " MiB", " KiB",
    };
    const char *unit = " bytes";
    double scale = (double)(1ULL << 60);
    char *zeros;

    for (int i = 0; i < ARRAY_SIZE(units); i++, scale /= 1024) {
        if (value >= scale) {
            unit = units[i];
            break;
        }
    }
    if (strcmp(unit, " bytes")) {
        snprintf(str, size - 4, "%.3f", value / scale);
    } else {
        snprintf(str, size - 6, "%f", value);
    }
    /* A fraction starting with ".000" is not printed at all. */
    zeros = strstr(str, ".000");
    if (zeros) {
        *zeros = '\0';
    }
    g_strlcat(str, unit, size);
}

struct timespec qemuio_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts;
}

struct timespec qemuio_tsub(struct timespec t2, struct timespec t1)
{
    t2.tv_sec -= t1.tv_sec;
    t2.tv_nsec -= t1.tv_nsec;
    if (t2.tv_nsec < 0) {
        t2.tv_nsec += 1000000000;
        t2.tv_sec--;
    }
    return t2;
}

static double tdiv(double value, struct timespec t)
{
    double secs = t.tv_sec + t.tv_nsec / 1e9;

    return value / secs;
}

/*
 * Elapsed time: "0S.hh sec" below one second, else "H:MM:SS.hh" with no
 * unit (as QEMU 7.2: "0:00:02.14"); the machine-readable report always
 * uses the second form.
 */
static void timestr(struct timespec t, char *ts, size_t size, bool full)
{
    double frac = t.tv_nsec / 1e9;

    if (full || t.tv_sec >= 1) {
        snprintf(ts, size, "%u:%02u:%05.2f", (unsigned)(t.tv_sec / 3600),
                 (unsigned)(t.tv_sec % 3600) / 60, (t.tv_sec % 60) + frac);
    } else {
        snprintf(ts, size, "%05.2f sec", frac);
    }
}

void print_report(const char *op, struct timespec t, int64_t offset,
                  int64_t count, int64_t total, int cnt, bool Cflag)
{
    char s1[64], s2[64], ts[64];

    timestr(t, ts, sizeof(ts), Cflag);
    if (Cflag) {
        printf("%" PRId64 ",%d,%s,%.3f,%.3f\n", total, cnt, ts,
               tdiv((double)total, t), tdiv((double)cnt, t));
        return;
    }
    printf("%s %" PRId64 "/%" PRId64 " bytes at offset %" PRId64 "\n",
           op, total, count, offset);
    cvtstr((double)total, s1, sizeof(s1));
    cvtstr(tdiv((double)total, t), s2, sizeof(s2));
    printf("%s, %d ops; %s (%s/sec and %.4f ops/sec)\n",
           s1, cnt, ts, s2, tdiv((double)cnt, t));
}

void report_read(const void *buf, int64_t offset, int64_t count,
                 struct timespec elapsed, bool quiet, bool dump, bool Cflag)
{
    if (quiet) {
        return;
    }
    if (dump) {
        dump_buffer(buf, offset, count);
    }
    print_report("read", elapsed, offset, count, count, 1, Cflag);
}

int parse_pattern(const char *arg)
{
    long pattern;

    if (qemu_strtol(arg, NULL, 0, &pattern) < 0 ||
        pattern < 0 || pattern > 0xff) {
        printf("%s is not a valid pattern byte\n", arg);
        return -1;
    }
    return pattern;
}

/*
 * Freed request buffers are kept for reuse, up to IO_BUF_SLOTS of at
 * most IO_BUF_MAX_LEN each: a long list of aio commands otherwise gets
 * a fresh buffer per request, and once glibc has trimmed the heap
 * between two batches every one of its pages faults in again (14k page
 * faults for 2048 requests of 64 KiB, the largest cost of such a run).
 * A buffer is reused only for the same length and if its address meets
 * the image's memory alignment.
 */
#define IO_BUF_SLOTS 64
#define IO_BUF_MAX_LEN (1 * MiB)

static struct {
    void *base;
    size_t len;
} io_buf_cache[IO_BUF_SLOTS];
static unsigned int io_buf_cached;

static void *io_buf_get(BlockBackend *blk, size_t len)
{
    size_t align = bdrv_opt_mem_align(blk ? blk_bs(blk) : NULL);
    unsigned int i;

    for (i = io_buf_cached; i-- > 0;) {
        void *base = io_buf_cache[i].base;

        if (io_buf_cache[i].len == len && QEMU_PTR_IS_ALIGNED(base, align)) {
            io_buf_cache[i] = io_buf_cache[--io_buf_cached];
            return base;
        }
    }
    return blk_blockalign(blk, len);
}

static void io_buf_put(void *base, size_t len)
{
    if (len <= IO_BUF_MAX_LEN && io_buf_cached < IO_BUF_SLOTS) {
        io_buf_cache[io_buf_cached].base = base;
        io_buf_cache[io_buf_cached].len = len;
        io_buf_cached++;
    } else {
        qemu_vfree(base);
    }
}

void *qemu_io_alloc(BlockBackend *blk, size_t len, int pattern)
{
    size_t extra = qemuio_misalign ? MISALIGN_OFFSET : 0;
    uint8_t *buf = io_buf_get(blk, len + extra);

    memset(buf, pattern, len + extra);
    return buf + extra;
}

void qemu_io_free(BlockBackend *blk, void *p, size_t len)
{
    size_t extra = qemuio_misalign ? MISALIGN_OFFSET : 0;

    if (p) {
        io_buf_put((uint8_t *)p - extra, len + extra);
    }
}

void *create_iovec(BlockBackend *blk, QEMUIOVector *qiov, char **argv,
                   int nr_iov, int pattern)
{
    g_autofree size_t *sizes = g_new0(size_t, nr_iov);
    uint64_t total = 0;
    uint8_t *buf, *p;

    for (int i = 0; i < nr_iov; i++) {
        int64_t len = cvtnum(argv[i]);

        if (len < 0) {
            print_cvtnum_err(len, argv[i]);
            return NULL;
        }
        if (len > BDRV_REQUEST_MAX_BYTES) {
            printf("Argument '%s' exceeds maximum size %" PRIu64 "\n",
                   argv[i], (uint64_t)BDRV_REQUEST_MAX_BYTES);
            return NULL;
        }
        if (total > BDRV_REQUEST_MAX_BYTES - len) {
            printf("The total number of bytes exceed the maximum size %"
                   PRIu64 "\n", (uint64_t)BDRV_REQUEST_MAX_BYTES);
            return NULL;
        }
        sizes[i] = len;
        total += len;
    }
    qemu_iovec_init(qiov, nr_iov);
    buf = p = qemu_io_alloc(blk, total, pattern);
    for (int i = 0; i < nr_iov; i++) {
        qemu_iovec_add(qiov, p, sizes[i]);
        p += sizes[i];
    }
    return buf;
}

void dump_buffer(const void *buffer, int64_t offset, int64_t len)
{
    const uint8_t *p = buffer;

    for (int64_t line = 0; line < len; line += 16) {
        int n = MIN(16, len - line);

        printf("%08" PRIx64 ":  ", offset + line);
        for (int j = 0; j < n; j++) {
            printf("%02x ", p[line + j]);
        }
        printf(" ");
        for (int j = 0; j < n; j++) {
            uint8_t c = p[line + j];
            /* As upstream, '~' (0x7e) is shown as a dot too. */
            putchar(c >= ' ' && c < '~' ? c : '.');
        }
        printf("\n");
    }
}

int verify_pattern(const void *buf, size_t len, int pattern,
                   int64_t offset)
{
    const uint8_t *p = buf;

    for (size_t i = 0; i < len; i++) {
        if (p[i] != (uint8_t)pattern) {
            printf("Pattern verification failed at offset %" PRId64
                   ", %zu bytes\n", offset, len);
            return -EINVAL;
        }
    }
    return 0;
}
