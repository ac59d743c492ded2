/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-io's output while it runs commands from a non-terminal standard
 * input: held in memory between prompts instead of one write(2) per
 * prompt, and the input read in large chunks.
 *
 * QEMU 7.2 flushes stdout after every "qemu-io> " prompt.  A script of
 * many aio commands piped in thus costs one system call per command,
 * which left the device idle between batches (about a fifth of the time
 * of a 4k random write run).  Here stdout becomes a stdio stream of the
 * same buffer size whose "file" is a memory buffer: every byte that 7.2
 * would have written reaches that buffer at the same moment (so what is
 * flushed, and what is still in stdio's buffer, is the same as in 7.2),
 * and the buffer is written out before anything goes to stderr (so the
 * interleaving of the two in one file is 7.2's), before waiting for more
 * input (so whoever drives qemu-io through a pipe sees its prompt), when
 * the process ends or raises a signal, and when it grows large.
 */
#include "qemu/osdep.h"
#include "qemu-io-internal.h"

/* Written out once this much is held. */
#define HELD_MAX (64 * 1024)
#define INPUT_CHUNK (64 * 1024)

static struct {
    bool active;
    FILE *real_stdout, *real_stderr;
    GByteArray *held;
    /* Input read ahead: bytes [in_pos, in->len) not yet returned. */
    GByteArray *in;
    size_t in_pos;
} out;

static void write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;     /* as a failed fflush: the output is lost */
        }
        p += n;
        len -= n;
    }
}

void qemuio_out_sync(void)
{
    if (!out.active || !out.held->len) {
        return;
    }
    write_all(STDOUT_FILENO, out.held->data, out.held->len);
    g_byte_array_set_size(out.held, 0);
}

static ssize_t held_write(void *cookie, const char *buf, size_t size)
{
    g_byte_array_append(out.held, (const guint8 *)buf, size);
    if (out.held->len >= HELD_MAX) {
        qemuio_out_sync();
    }
    return size;
}

/* stderr: what stdout flushed before comes first, as in one 7.2 file. */
static ssize_t err_write(void *cookie, const char *buf, size_t size)
{
    qemuio_out_sync();
    write_all(STDERR_FILENO, (const uint8_t *)buf, size);
    return size;
}

/* The buffer size glibc gives a stream on @fd (BUFSIZ or st_blksize). */
static size_t stdio_bufsize(int fd)
{
    struct stat st;

    if (fstat(fd, &st) == 0 && st.st_blksize > 0 && st.st_blksize < BUFSIZ) {
        return st.st_blksize;
    }
    return BUFSIZ;
}

void qemuio_out_begin(void)
{
    static bool registered;
    cookie_io_functions_t held_io = { .write = held_write };
    cookie_io_functions_t err_io = { .write = err_write };
    FILE *o, *e;

    /* A terminal is line-buffered: nothing to gain, keep it as it is. */
    if (out.active || isatty(STDOUT_FILENO)) {
        return;
    }
    o = fopencookie(NULL, "w", held_io);
    e = fopencookie(NULL, "w", err_io);
    if (!o || !e) {
        if (o) {
            fclose(o);
        }
        if (e) {
            fclose(e);
        }
        return;
    }
    fflush(stdout);
    fflush(stderr);
    setvbuf(o, NULL, _IOFBF, stdio_bufsize(STDOUT_FILENO));
    setvbuf(e, NULL, _IONBF, 0);
    out.held = g_byte_array_new();
    out.real_stdout = stdout;
    out.real_stderr = stderr;
    stdout = o;
    stderr = e;
    out.active = true;
    if (!registered) {
        atexit(qemuio_out_end);
        registered = true;
    }
}

void qemuio_out_end(void)
{
    if (!out.active) {
        return;
    }
    fflush(stdout);
    qemuio_out_sync();
    fclose(stdout);
    fclose(stderr);
    stdout = out.real_stdout;
    stderr = out.real_stderr;
    g_byte_array_free(out.held, true);
    out.held = NULL;
    out.active = false;
}

/* Index of the next '\n' in the read-ahead input, or -1. */
static gssize next_newline(void)
{
    const uint8_t *nl;

    if (out.in_pos == out.in->len) {
        return -1;      /* (an empty GByteArray may have no data at all) */
    }
    nl = memchr(out.in->data + out.in_pos, '\n', out.in->len - out.in_pos);
    return nl ? nl - out.in->data : -1;
}

char *qemuio_read_line(void)
{
    gssize nl;
    char *line;

    if (!out.in) {
        out.in = g_byte_array_new();
    }
    while ((nl = next_newline()) < 0) {
        size_t old = out.in->len;
        ssize_t n;

        /* Whoever feeds the input may be waiting for the prompt. */
        qemuio_out_sync();
        if (out.in_pos) {
            g_byte_array_remove_range(out.in, 0, out.in_pos);
            old -= out.in_pos;
            out.in_pos = 0;
        }
        g_byte_array_set_size(out.in, old + INPUT_CHUNK);
        do {
            n = read(STDIN_FILENO, out.in->data + old, INPUT_CHUNK);
        } while (n < 0 && errno == EINTR);
        g_byte_array_set_size(out.in, old + MAX(n, 0));
        if (n <= 0) {
            if (out.in->len == out.in_pos) {
                return NULL;
            }
            /* A last line without a newline */
            nl = out.in->len;
            g_byte_array_append(out.in, (const guint8 *)"\n", 1);
            break;
        }
    }
    line = g_strndup((char *)out.in->data + out.in_pos, nl - out.in_pos);
    out.in_pos = nl + 1;
    return line;
}
