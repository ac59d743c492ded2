/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-io commands, part one: the command registry and dispatcher, the
 * help command and the synchronous data commands: read, readv, write,
 * writev and discard.  The AIO, query and debug commands live in
 * qemu-io-misc.c, open/close/reopen/quit in qemu-io.c and the shared
 * helpers (sizes, reports, buffers, the hex dump) in qemu-io-helpers.c.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/iov.h"
#include "qemu/error-report.h"
#include "block/block.h"
#include "sysemu/block-backend.h"
#include "qemu-io-internal.h"

static const cmdinfo_t **cmdtab;
static int ncmds;

/* ---- the registry ---- */

static int compare_cmdname(const void *a, const void *b)
{
    const cmdinfo_t *ca = *(const cmdinfo_t * const *)a;
    const cmdinfo_t *cb = *(const cmdinfo_t * const *)b;

    return strcmp(ca->name, cb->name);
}

void qemuio_add_command(const cmdinfo_t *ci)
{
    /* Registering the same descriptor twice is harmless. */
    for (int i = 0; i < ncmds; i++) {
        if (cmdtab[i] == ci) {
            return;
        }
    }
    cmdtab = g_renew(const cmdinfo_t *, cmdtab, ncmds + 1);
    cmdtab[ncmds++] = ci;
    qsort(cmdtab, ncmds, sizeof(*cmdtab), compare_cmdname);
}

static const cmdinfo_t *find_command(const char *name)
{
    for (int i = 0; i < ncmds; i++) {
        if (!strcmp(cmdtab[i]->name, name) ||
            (cmdtab[i]->altname && !strcmp(cmdtab[i]->altname, name))) {
            return cmdtab[i];
        }
    }
    return NULL;
}

void qemuio_complete_command(const char *input,
                             void (*fn)(const char *cmd, void *opaque),
                             void *opaque)
{
    size_t len = strlen(input);

    for (int i = 0; i < ncmds; i++) {
        if (!strncmp(input, cmdtab[i]->name, len)) {
            fn(cmdtab[i]->name, opaque);
        }
        if (cmdtab[i]->altname && !strncmp(input, cmdtab[i]->altname, len)) {
            fn(cmdtab[i]->altname, opaque);
        }
    }
}

void qemuio_command_usage(const cmdinfo_t *ci)
{
    printf("%s %s -- %s\n", ci->name, ci->args, ci->oneline);
}

/* ---- dispatch ---- */

/*
 * Whether @ct may run now: it needs an image unless flagged otherwise,
 * and the backend must hold (or be able to take) the permissions it
 * needs.  Prints the reason when not.
 */
static bool init_check_command(BlockBackend *blk, const cmdinfo_t *ct)
{
    uint64_t perm, shared;
    Error *local_err = NULL;

    if (ct->flags & CMD_FLAG_GLOBAL) {
        return true;
    }
    if (!(ct->flags & CMD_NOFILE_OK) && !blk) {
        fprintf(stderr, "no file open, try 'help open'\n");
        return false;
    }
    if (blk && ct->perm) {
        /* Usually held already: the cheap test first. */
        blk_get_perm(blk, &perm, &shared);
        if (ct->perm & ~perm && blk_is_available(blk) &&
            blk_set_perm(blk, perm | ct->perm, shared, &local_err) < 0) {
            error_report_err(local_err);
            return false;
        }
    }
    return true;
}

static bool check_argcount(const cmdinfo_t *ct, int argc, const char *name)
{
    int n = argc - 1;

    if (n >= ct->argmin && (ct->argmax == -1 || n <= ct->argmax)) {
        return true;
    }
    if (ct->argmax == -1) {
        fprintf(stderr, "bad argument count %d to %s, expected at least %d "
                "arguments\n", n, name, ct->argmin);
    } else if (ct->argmin == ct->argmax) {
        fprintf(stderr, "bad argument count %d to %s, expected %d "
                "arguments\n", n, name, ct->argmin);
    } else {
        fprintf(stderr, "bad argument count %d to %s, expected between "
                "%d and %d arguments\n", n, name,
                ct->argmin, ct->argmax);
    }
    return false;
}

/*
 * Words separated by spaces; empty words are dropped.  The vector and
 * the words share one allocation (the pointers first, then a copy of
 * @line cut at the spaces), freed with a single g_free(): this runs for
 * every command line, and a list of thousands of aio requests spent a
 * quarter of its parsing time in per-word allocations.
 */
static char **breakline(const char *line, int *count)
{
    size_t len = strlen(line);
    int words = 0, n = 0;
    char **argv;
    char *copy;

    for (size_t i = 0; i < len; i++) {
        if (line[i] != ' ' && (i == 0 || line[i - 1] == ' ')) {
            words++;
        }
    }
    argv = g_malloc((words + 1) * sizeof(char *) + len + 1);
    copy = (char *)(argv + words + 1);
    memcpy(copy, line, len + 1);
    for (size_t i = 0; i < len; i++) {
        if (copy[i] == ' ') {
            copy[i] = '\0';
        } else if (i == 0 || copy[i - 1] == '\0') {
            argv[n++] = &copy[i];
        }
    }
    argv[n] = NULL;
    *count = n;
    return argv;
}

int qemuio_command(BlockBackend *blk, const char *cmd)
{
    g_autofree char **v = NULL;
    const cmdinfo_t *ct;
    int c;

    v = breakline(cmd, &c);
    if (!c) {
        return 0;
    }
    ct = find_command(v[0]);
    if (!ct) {
        fprintf(stderr, "command \"%s\" not found\n", v[0]);
        return -EINVAL;
    }
    if (!init_check_command(blk, ct) || !check_argcount(ct, c, v[0])) {
        return -EINVAL;
    }
    optind = 0;     /* glibc: reinitialise getopt() for this argv */
    return ct->cfunc(blk, c, v);
}

/* ---- help ---- */

static void help_oneline(const char *cmd, const cmdinfo_t *ct)
{
    printf("%s ", cmd ? cmd : ct->name);
    if (ct->args) {
        printf("%s ", ct->args);
    }
    printf("-- %s\n", ct->oneline);
}

static int help_f(BlockBackend *blk, int argc, char **argv)
{
    const cmdinfo_t *ct;

    if (argc == 1) {
        for (int i = 0; i < ncmds; i++) {
            help_oneline(cmdtab[i]->name, cmdtab[i]);
        }
        printf("\nUse 'help commandname' for extended help.\n");
        return 0;
    }
    ct = find_command(argv[1]);
    if (!ct) {
        printf("command %s not found\n", argv[1]);
        return -EINVAL;
    }
    help_oneline(argv[1], ct);
    if (ct->help) {
        ct->help();
    }
    return 0;
}

static const cmdinfo_t help_cmd = {
    .name = "help",
    .altname = "?",
    .cfunc = help_f,
    .argmin = 0,
    .argmax = 1,
    .flags = CMD_FLAG_GLOBAL,
    .args = "[command]",
    .oneline = "help for one or all commands",
};

/* A buffer filled with the contents of @file_name, repeated as needed. */
static void *qemu_io_alloc_from_file(BlockBackend *blk, size_t len,
                                     const char *file_name)
{
    uint8_t *buf = qemu_io_alloc(blk, len, 0);
    size_t have = 0;
    FILE *f = fopen(file_name, "r");

    if (!f) {
        perror(file_name);
        qemu_io_free(blk, buf, len);
        return NULL;
    }
    while (have < len) {
        size_t n = fread(buf + have, 1, len - have, f);
        if (n == 0) {
            break;
        }
        have += n;
    }
    if (ferror(f) || (have == 0 && len)) {
        if (ferror(f)) {
            perror(file_name);
        } else {
            printf("%s: file is empty\n", file_name);
        }
        fclose(f);
        qemu_io_free(blk, buf, len);
        return NULL;
    }
    fclose(f);
    /* Repeat the file's contents over the rest of the buffer. */
    for (size_t pos = have; pos < len; pos += have) {
        memcpy(buf + pos, buf, MIN(have, len - pos));
    }
    return buf;
}

/*
 * Offset and length arguments of the single-range commands.  With
 * @unlimited, lengths above BDRV_REQUEST_MAX_BYTES are allowed (write -z
 * -n); else the error names -n when @hint_n.
 */
static int parse_range_full(char **argv, int64_t *offset, int64_t *count,
                            bool unlimited, bool hint_n)
{
    *offset = cvtnum(argv[0]);
    if (*offset < 0) {
        print_cvtnum_err(*offset, argv[0]);
        return -EINVAL;
    }
    *count = cvtnum(argv[1]);
    if (*count < 0) {
        print_cvtnum_err(*count, argv[1]);
        return -EINVAL;
    }
    if (*count > BDRV_REQUEST_MAX_BYTES && !unlimited) {
        printf("length cannot exceed %" PRIu64 "%s, given %s\n",
               (uint64_t)BDRV_REQUEST_MAX_BYTES, hint_n ? " without -n" : "",
               argv[1]);
        return -EINVAL;
    }
    return 0;
}

static int parse_range(char **argv, int64_t *offset, int64_t *count)
{
    return parse_range_full(argv, offset, count, false, false);
}

static int check_sector_aligned(int64_t offset, int64_t count)
{
    if (!QEMU_IS_ALIGNED(offset, BDRV_SECTOR_SIZE)) {
        printf("%" PRId64 " is not a sector-aligned value for 'offset'\n",
               offset);
        return -EINVAL;
    }
    if (!QEMU_IS_ALIGNED(count, BDRV_SECTOR_SIZE)) {
        printf("%" PRId64 " is not a sector-aligned value for 'count'\n",
               count);
        return -EINVAL;
    }
    return 0;
}

/* ---- read ---- */

static void read_help(void)
{
    printf(
"\n"
" reads a range of bytes from the given offset\n"
"\n"
" Example:\n"
" 'read -v 512 1k' - dumps 1 kilobyte read from 512 bytes into the file\n"
"\n"
" Reads a segment of the currently open file, optionally dumping it to the\n"
" standard output stream (with -v option) for subsequent inspection.\n"
" -b, -- read from the VM state rather than the virtual disk\n"
" -C, -- report statistics in a machine parsable format\n"
" -l, -- length for pattern verification (only with -P)\n"
" -p, -- ignored for backwards compatibility\n"
" -P, -- use a pattern to verify read data\n"
" -q, -- quiet mode, do not show I/O statistics\n"
" -s, -- start offset for pattern verification (only with -P)\n"
" -v, -- dump buffer to standard output\n"
"\n");
}

static int read_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t read_cmd = {
    .name = "read",
    .altname = "r",
    .cfunc = read_f,
    .argmin = 2,
    .argmax = -1,
    .args = "[-abCqv] [-P pattern [-s off] [-l len]] off len",
    .oneline = "reads a number of bytes at a specified offset",
    .help = read_help,
};

/* Options of the read command, as parsed. */
typedef struct ReadOpts {
    bool bflag, Cflag, qflag, vflag, lflag, sflag;
    int pattern;        /* -1 without -P */
    int64_t pattern_offset, pattern_count;
} ReadOpts;

static int read_parse_opts(int argc, char **argv, ReadOpts *o)
{
    int c;

    *o = (ReadOpts) { .pattern = -1 };
    while ((c = getopt(argc, argv, "bCl:pP:qs:v")) != -1) {
        switch (c) {
        case 'b':
            o->bflag = true;
            break;
        case 'C':
            o->Cflag = true;
            break;
        case 'l':
            o->lflag = true;
            o->pattern_count = cvtnum(optarg);
            if (o->pattern_count < 0) {
                print_cvtnum_err(o->pattern_count, optarg);
                return -EINVAL;
            }
            break;
        case 'p':
            break;      /* ignored, as upstream */
        case 'P':
            o->pattern = parse_pattern(optarg);
            if (o->pattern < 0) {
                return -EINVAL;
            }
            break;
        case 'q':
            o->qflag = true;
            break;
        case 's':
            o->sflag = true;
            o->pattern_offset = cvtnum(optarg);
            if (o->pattern_offset < 0) {
                print_cvtnum_err(o->pattern_offset, optarg);
                return -EINVAL;
            }
            break;
        case 'v':
            o->vflag = true;
            break;
        default:
            qemuio_command_usage(&read_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc - 2) {
        qemuio_command_usage(&read_cmd);
        return -EINVAL;
    }
    return 0;
}

static int read_f(BlockBackend *blk, int argc, char **argv)
{
    struct timespec t1, t2;
    ReadOpts o;
    int64_t offset, count;
    uint8_t *buf;
    int ret;

    ret = read_parse_opts(argc, argv, &o);
    if (ret < 0) {
        return ret;
    }
    ret = parse_range(&argv[optind], &offset, &count);
    if (ret < 0) {
        return ret;
    }
    if (o.pattern < 0 && (o.lflag || o.sflag)) {
        qemuio_command_usage(&read_cmd);
        return -EINVAL;
    }
    if (!o.lflag) {
        o.pattern_count = count - o.pattern_offset;
    }
    if (o.pattern_count < 0 || o.pattern_count + o.pattern_offset > count) {
        printf("pattern verification range exceeds end of read data\n");
        return -EINVAL;
    }
    if (o.bflag && check_sector_aligned(offset, count) < 0) {
        return -EINVAL;
    }

    buf = qemu_io_alloc(blk, count, 0xab);
    t1 = qemuio_now();
    if (o.bflag) {
        ret = blk_load_vmstate(blk, buf, offset, count);
        ret = ret < 0 ? ret : 0;
    } else {
        ret = blk_pread(blk, offset, count, buf, 0);
    }
    t2 = qemuio_now();
    if (ret < 0) {
        printf("read failed: %s\n", strerror(-ret));
        goto out;
    }
    ret = 0;
    if (o.pattern >= 0) {
        ret = verify_pattern(buf + o.pattern_offset, o.pattern_count,
                             o.pattern, offset + o.pattern_offset);
    }
    report_read(buf, offset, count, qemuio_tsub(t2, t1), o.qflag, o.vflag,
                o.Cflag);
out:
    qemu_io_free(blk, buf, count);
    return ret;
}

/* ---- readv ---- */

/*
 * The operands of readv/writev, "off len [len...]" from argv[optind]:
 * the offset into *@offset and a vector of the lengths in @qiov, its
 * buffers filled with @pattern.  Returns the buffer, or NULL after
 * printing @ct's usage or the bad number.
 */
static uint8_t *vector_args(BlockBackend *blk, int argc, char **argv,
                            const cmdinfo_t *ct, int pattern,
                            int64_t *offset, QEMUIOVector *qiov)
{
    if (optind > argc - 2) {
        qemuio_command_usage(ct);
        return NULL;
    }
    *offset = cvtnum(argv[optind]);
    if (*offset < 0) {
        print_cvtnum_err(*offset, argv[optind]);
        return NULL;
    }
    optind++;
    return create_iovec(blk, qiov, &argv[optind], argc - optind, pattern);
}

static void readv_help(void)
{
    printf(
"\n"
" reads a range of bytes from the given offset into multiple buffers\n"
"\n"
" Example:\n"
" 'readv -v 512 1k 1k ' - dumps 2 kilobytes read from 512 bytes into the file\n"
"\n"
" Reads a segment of the currently open file, optionally dumping it to the\n"
" standard output stream (with -v option) for subsequent inspection.\n"
" Uses multiple iovec buffers if more than one byte range is specified.\n"
" -C, -- report statistics in a machine parsable format\n"
" -P, -- use a pattern to verify read data\n"
" -v, -- dump buffer to standard output\n"
" -q, -- quiet mode, do not show I/O statistics\n"
"\n");
}

static int readv_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t readv_cmd = {
    .name = "readv",
    .cfunc = readv_f,
    .argmin = 2,
    .argmax = -1,
    .args = "[-Cqv] [-P pattern] off len [len..]",
    .oneline = "reads a number of bytes at a specified offset",
    .help = readv_help,
};

static int readv_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false, vflag = false;
    int pattern = -1;
    struct timespec t1, t2;
    QEMUIOVector qiov;
    int64_t offset;
    uint8_t *buf;
    int c, ret;

    while ((c = getopt(argc, argv, "CP:qv")) != -1) {
        switch (c) {
        case 'C':
            Cflag = true;
            break;
        case 'P':
            pattern = parse_pattern(optarg);
            if (pattern < 0) {
                return -EINVAL;
            }
            break;
        case 'q':
            qflag = true;
            break;
        case 'v':
            vflag = true;
            break;
        default:
            qemuio_command_usage(&readv_cmd);
            return -EINVAL;
        }
    }
    buf = vector_args(blk, argc, argv, &readv_cmd, 0xab, &offset, &qiov);
    if (!buf) {
        return -EINVAL;
    }

    t1 = qemuio_now();
    ret = blk_preadv(blk, offset, qiov.size, &qiov, 0);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("readv failed: %s\n", strerror(-ret));
        goto out;
    }
    ret = 0;
    if (pattern >= 0) {
        ret = verify_pattern(buf, qiov.size, pattern, offset);
    }
    report_read(buf, offset, qiov.size, qemuio_tsub(t2, t1), qflag, vflag,
                Cflag);
out:
    qemu_io_free(blk, buf, qiov.size);
    qemu_iovec_destroy(&qiov);
    return ret;
}

/* ---- write ---- */

static void write_help(void)
{
    printf(
"\n"
" writes a range of bytes from the given offset\n"
"\n"
" Example:\n"
" 'write 512 1k' - writes 1 kilobyte at 512 bytes into the open file\n"
"\n"
" Writes into a segment of the currently open file, using a buffer\n"
" filled with a set pattern (0xcdcdcdcd).\n"
" -b, -- write to the VM state rather than the virtual disk\n"
" -c, -- write compressed data with blk_write_compressed\n"
" -f, -- use Force Unit Access semantics\n"
" -n, -- with -z, don't allow slow fallback\n"
" -p, -- ignored for backwards compatibility\n"
" -P, -- use different pattern to fill file\n"
" -s, -- use a pattern file to fill the write buffer\n"
" -C, -- report statistics in a machine parsable format\n"
" -q, -- quiet mode, do not show I/O statistics\n"
" -u, -- with -z, allow unmapping\n"
" -z, -- write zeroes using blk_co_pwrite_zeroes\n"
"\n");
}

static int write_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t write_cmd = {
    .name = "write",
    .altname = "w",
    .cfunc = write_f,
    .perm = BLK_PERM_WRITE,
    .argmin = 2,
    .argmax = -1,
    .args = "[-bcCfnquz] [-P pattern | -s source_file] off len",
    .oneline = "writes a number of bytes at a specified offset",
    .help = write_help,
};

/* Options of the write command, as parsed. */
typedef struct WriteOpts {
    bool bflag, cflag, Cflag, qflag, zflag, Pflag;
    BdrvRequestFlags flags;
    int pattern;
    const char *file_name;  /* -s */
} WriteOpts;

static int write_parse_opts(int argc, char **argv, WriteOpts *o)
{
    int c;

    *o = (WriteOpts) { .pattern = 0xcd };
    while ((c = getopt(argc, argv, "bcCfnpP:qs:uz")) != -1) {
        switch (c) {
        case 'b':
            o->bflag = true;
            break;
        case 'c':
            o->cflag = true;
            break;
        case 'C':
            o->Cflag = true;
            break;
        case 'f':
            o->flags |= BDRV_REQ_FUA;
            break;
        case 'n':
            o->flags |= BDRV_REQ_NO_FALLBACK;
            break;
        case 'p':
            break;      /* ignored, as upstream */
        case 'P':
            o->Pflag = true;
            o->pattern = parse_pattern(optarg);
            if (o->pattern < 0) {
                return -EINVAL;
            }
            break;
        case 'q':
            o->qflag = true;
            break;
        case 's':
            o->file_name = optarg;
            break;
        case 'u':
            o->flags |= BDRV_REQ_MAY_UNMAP;
            break;
        case 'z':
            o->zflag = true;
            break;
        default:
            qemuio_command_usage(&write_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc - 2) {
        qemuio_command_usage(&write_cmd);
        return -EINVAL;
    }
    return 0;
}

static int write_check_opts(const WriteOpts *o)
{
    if (o->bflag && o->zflag) {
        printf("-b and -z cannot be specified at the same time\n");
    } else if ((o->flags & BDRV_REQ_FUA) && (o->bflag || o->cflag)) {
        printf("-f and -b or -c cannot be specified at the same time\n");
    } else if ((o->flags & BDRV_REQ_NO_FALLBACK) && !o->zflag) {
        printf("-n requires -z to be specified\n");
    } else if ((o->flags & BDRV_REQ_MAY_UNMAP) && !o->zflag) {
        printf("-u requires -z to be specified\n");
    } else if (o->zflag + o->Pflag + !!o->file_name > 1) {
        printf("Only one of -z, -P, and -s can be specified at the same "
               "time\n");
    } else {
        return 0;
    }
    return -EINVAL;
}

static int write_do(BlockBackend *blk, const WriteOpts *o, int64_t offset,
                    int64_t count, uint8_t *buf)
{
    int ret;

    if (o->bflag) {
        ret = blk_save_vmstate(blk, buf, offset, count);
    } else if (o->zflag) {
        ret = blk_pwrite_zeroes(blk, offset, count, o->flags);
    } else if (o->cflag) {
        ret = blk_pwrite_compressed(blk, offset, count, buf);
    } else {
        ret = blk_pwrite(blk, offset, count, buf, o->flags);
    }
    return ret < 0 ? ret : 0;
}

static int write_f(BlockBackend *blk, int argc, char **argv)
{
    struct timespec t1, t2;
    WriteOpts o;
    int64_t offset, count;
    uint8_t *buf = NULL;
    int ret;

    ret = write_parse_opts(argc, argv, &o);
    if (ret < 0 || (ret = write_check_opts(&o)) < 0) {
        return ret;
    }
    ret = parse_range_full(&argv[optind], &offset, &count,
                           o.flags & BDRV_REQ_NO_FALLBACK, true);
    if (ret < 0) {
        return ret;
    }
    if ((o.bflag || o.cflag) && check_sector_aligned(offset, count) < 0) {
        return -EINVAL;
    }
    if (!o.zflag) {
        buf = o.file_name ? qemu_io_alloc_from_file(blk, count, o.file_name)
                          : qemu_io_alloc(blk, count, o.pattern);
        if (!buf) {
            return -EINVAL;
        }
    }

    t1 = qemuio_now();
    ret = write_do(blk, &o, offset, count, buf);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("write failed: %s\n", strerror(-ret));
    } else if (!o.qflag) {
        print_report("wrote", qemuio_tsub(t2, t1), offset, count, count, 1,
                     o.Cflag);
    }
    if (buf) {
        qemu_io_free(blk, buf, count);
    }
    return ret;
}

/* ---- writev ---- */

static void writev_help(void)
{
    printf(
"\n"
" writes a range of bytes from the given offset source from multiple buffers\n"
"\n"
" Example:\n"
" 'writev 512 1k 1k' - writes 2 kilobytes at 512 bytes into the open file\n"
"\n"
" Writes into a segment of the currently open file, using a buffer\n"
" filled with a set pattern (0xcdcdcdcd).\n"
" -P, -- use different pattern to fill file\n"
" -C, -- report statistics in a machine parsable format\n"
" -f, -- use Force Unit Access semantics\n"
" -q, -- quiet mode, do not show I/O statistics\n"
"\n");
}

static int writev_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t writev_cmd = {
    .name = "writev",
    .cfunc = writev_f,
    .perm = BLK_PERM_WRITE,
    .argmin = 2,
    .argmax = -1,
    .args = "[-Cfq] [-P pattern] off len [len..]",
    .oneline = "writes a number of bytes at a specified offset",
    .help = writev_help,
};

static int writev_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false;
    BdrvRequestFlags flags = 0;
    int pattern = 0xcd;
    struct timespec t1, t2;
    QEMUIOVector qiov;
    int64_t offset;
    uint8_t *buf;
    int c, ret;

    while ((c = getopt(argc, argv, "CfqP:")) != -1) {
        switch (c) {
        case 'C':
            Cflag = true;
            break;
        case 'f':
            flags |= BDRV_REQ_FUA;
            break;
        case 'q':
            qflag = true;
            break;
        case 'P':
            pattern = parse_pattern(optarg);
            if (pattern < 0) {
                return -EINVAL;
            }
            break;
        default:
            qemuio_command_usage(&writev_cmd);
            return -EINVAL;
        }
    }
    buf = vector_args(blk, argc, argv, &writev_cmd, pattern, &offset, &qiov);
    if (!buf) {
        return -EINVAL;
    }

    t1 = qemuio_now();
    ret = blk_pwritev(blk, offset, qiov.size, &qiov, flags);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("writev failed: %s\n", strerror(-ret));
    } else {
        ret = 0;
        if (!qflag) {
            print_report("wrote", qemuio_tsub(t2, t1), offset, qiov.size,
                         qiov.size, 1, Cflag);
        }
    }
    qemu_io_free(blk, buf, qiov.size);
    qemu_iovec_destroy(&qiov);
    return ret;
}

/* ---- discard ---- */

static void discard_help(void)
{
    printf(
"\n"
" discards a range of bytes from the given offset\n"
"\n"
" Example:\n"
" 'discard 512 1k' - discards 1 kilobyte from 512 bytes into the file\n"
"\n"
" Discards a segment of the currently open file.\n"
" -C, -- report statistics in a machine parsable format\n"
" -q, -- quiet mode, do not show I/O statistics\n"
"\n");
}

static int discard_f(BlockBackend *blk, int argc, char **argv);

static const cmdinfo_t discard_cmd = {
    .name = "discard",
    .altname = "d",
    .cfunc = discard_f,
    .perm = BLK_PERM_WRITE,
    .argmin = 2,
    .argmax = -1,
    .args = "[-Cq] off len",
    .oneline = "discards a number of bytes at a specified offset",
    .help = discard_help,
};

static int discard_f(BlockBackend *blk, int argc, char **argv)
{
    bool Cflag = false, qflag = false;
    struct timespec t1, t2;
    int64_t offset, bytes;
    int c, ret;

    while ((c = getopt(argc, argv, "Cq")) != -1) {
        switch (c) {
        case 'C':
            Cflag = true;
            break;
        case 'q':
            qflag = true;
            break;
        default:
            qemuio_command_usage(&discard_cmd);
            return -EINVAL;
        }
    }
    if (optind != argc - 2) {
        qemuio_command_usage(&discard_cmd);
        return -EINVAL;
    }
    ret = parse_range(&argv[optind], &offset, &bytes);
    if (ret < 0) {
        return ret;
    }

    t1 = qemuio_now();
    ret = blk_pdiscard(blk, offset, bytes);
    t2 = qemuio_now();
    if (ret < 0) {
        printf("discard failed: %s\n", strerror(-ret));
        return ret;
    }
    if (!qflag) {
        print_report("discard", qemuio_tsub(t2, t1), offset, bytes, bytes, 1,
                     Cflag);
    }
    return 0;
}

static void qemuio_init_rw_commands(void)
{
    qemuio_add_command(&read_cmd);
    qemuio_add_command(&readv_cmd);
    qemuio_add_command(&write_cmd);
    qemuio_add_command(&writev_cmd);
    qemuio_add_command(&discard_cmd);
}

void qemuio_init_commands(void)
{
    qemuio_add_command(&help_cmd);
    qemuio_init_rw_commands();
    qemuio_init_misc_commands();
}
