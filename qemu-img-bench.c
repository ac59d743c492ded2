/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-bench.c: "qemu-img bench": issue -c reads or writes of -s
 * bytes, -d of them in flight (one coroutine per slot), starting at -o
 * and advancing by -S (modulo the image size), optionally
 * flushing every --flush-interval requests; print the elapsed time.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/coroutine.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"

typedef struct BenchState {
    BlockBackend *blk;
    int64_t image_size;
    bool write;
    int bufsize;
    int64_t offset;         /* of the next request */
    int step;
    int count;
    int depth;
    int pattern;
    int flush_interval;
    bool drain_on_flush;
    int issued;
    int in_flight;
    int running;
    CoQueue idle;           /* a flusher waits here for in_flight == 0 */
    uint8_t *buf;
} BenchState;

static int64_t bench_next_offset(BenchState *s)
{
    int64_t offset = s->offset;

    /*
     * As QEMU 7.2: the next offset wraps modulo the image size, so with
     * the default step N requests over N clusters touch each of them once.
     * A request that then runs past the end fails like any other.
     */
    s->offset = s->image_size > 0 ? (s->offset + s->step) % s->image_size : 0;
    return offset;
}

static void coroutine_fn bench_flush(BenchState *s)
{
    int ret;

    while (s->drain_on_flush && s->in_flight > 0) {
        qemu_co_queue_wait(&s->idle, NULL);
    }
    ret = blk_co_flush(s->blk);
    if (ret < 0) {
        error_report("Failed flush request: %s", strerror(-ret));
        exit(EXIT_FAILURE);
    }
}

static void coroutine_fn bench_co(void *opaque)
{
    BenchState *s = opaque;
    uint8_t *buf = s->buf + (size_t)s->bufsize * (s->running - 1);
    int ret;

    while (s->issued < s->count) {
        int64_t offset = bench_next_offset(s);
        bool flush;

        s->issued++;
        flush = s->flush_interval && s->issued % s->flush_interval == 0;
        s->in_flight++;
        if (s->write) {
            ret = blk_co_pwrite(s->blk, offset, s->bufsize, buf, 0);
        } else {
            ret = blk_co_pread(s->blk, offset, s->bufsize, buf, 0);
        }
        s->in_flight--;
        if (ret < 0) {
            error_report("Failed request: %s", strerror(-ret));
            exit(EXIT_FAILURE);
        }
        qemu_co_queue_restart_all(&s->idle);
        if (flush) {
            bench_flush(s);
        }
    }
    s->running--;
    qemu_co_queue_restart_all(&s->idle);
}

/* Parse a number option for bench; exits with "Invalid <what> specified". */
static int bench_int(const char *arg, const char *what, bool size)
{
    int64_t v;

    if (size) {
        v = img_parse_size(arg, what);
        if (v < 0) {
            exit(EXIT_FAILURE);
        }
    } else {
        long l;

        if (qemu_strtol(arg, NULL, 0, &l) < 0 || l < 0) {
            error_report("Invalid %s specified", what);
            exit(EXIT_FAILURE);
        }
        v = l;
    }
    if (v > INT_MAX) {
        error_report("Invalid %s specified", what);
        exit(EXIT_FAILURE);
    }
    return v;
}

typedef struct BenchArgs {
    const char *fmt;
    const char *filename;
    int flags;
    bool writethrough;
    bool quiet;
    bool image_opts;
    bool force_share;
} BenchArgs;

static void bench_parse(int argc, char **argv, BenchState *s, BenchArgs *a)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "flush-interval", required_argument, NULL, OPTION_FLUSH_INTERVAL },
        { "image-opts", no_argument, NULL, OPTION_IMAGE_OPTS },
        { "pattern", required_argument, NULL, OPTION_PATTERN },
        { "no-drain", no_argument, NULL, OPTION_NO_DRAIN },
        { "force-share", no_argument, NULL, 'U' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, ":hc:d:f:ni:o:qs:S:t:wU",
                            long_options, NULL)) != -1) {
        switch (c) {
        case 'c': s->count = bench_int(optarg, "request count", false); break;
        case 'd': s->depth = bench_int(optarg, "queue depth", false); break;
        case 'f': a->fmt = optarg; break;
        case 'n': a->flags |= BDRV_O_NATIVE_AIO; break;
        case 'i':
            if (bdrv_parse_aio(optarg, &a->flags) < 0) {
                error_report("Invalid aio option: %s", optarg);
                exit(EXIT_FAILURE);
            }
            break;
        case 'o': s->offset = img_parse_size(optarg, "offset");
            if (s->offset < 0) {
                exit(EXIT_FAILURE);
            }
            break;
        case 'q': a->quiet = true; break;
        case 's': s->bufsize = bench_int(optarg, "buffer size", true); break;
        case 'S': s->step = bench_int(optarg, "step_size", true); break;
        case 't':
            if (bdrv_parse_cache_mode(optarg, &a->flags, &a->writethrough)) {
                error_report("Invalid cache mode");
                exit(EXIT_FAILURE);
            }
            break;
        case 'w': s->write = true; break;
        case 'U': a->force_share = true; break;
        case OPTION_PATTERN:
            s->pattern = bench_int(optarg, "pattern byte", false);
            if (s->pattern > 0xff) {
                error_report("Invalid pattern byte specified");
                exit(EXIT_FAILURE);
            }
            break;
        case OPTION_FLUSH_INTERVAL:
            s->flush_interval = bench_int(optarg, "flush interval", false);
            break;
        case OPTION_NO_DRAIN: s->drain_on_flush = false; break;
        case OPTION_IMAGE_OPTS: a->image_opts = true; break;
        default:
            img_common_option(c, argv);
            break;
        }
    }
    if (optind != argc - 1) {
        error_exit("Expecting one image file name");
    }
    a->filename = argv[optind];
}

int img_bench(int argc, char **argv)
{
    BenchState s = { .count = 75000, .depth = 64, .bufsize = 4096,
                     .drain_on_flush = true };
    BenchArgs a = { 0 };
    struct timeval t1, t2;
    int i;

    bench_parse(argc, argv, &s, &a);
    if (!s.write && s.flush_interval) {
        error_report("--flush-interval is only available in write tests");
        return EXIT_FAILURE;
    }
    if (s.flush_interval && s.flush_interval < s.depth) {
        error_report("Flush interval can't be smaller than depth");
        return EXIT_FAILURE;
    }
    if (s.write) {
        a.flags |= BDRV_O_RDWR;
    }
    s.blk = img_open(a.image_opts, a.filename, a.fmt, a.flags,
                     a.writethrough, a.quiet, a.force_share);
    if (!s.blk) {
        return EXIT_FAILURE;
    }
    s.image_size = blk_getlength(s.blk);
    if (s.image_size < 0) {
        blk_unref(s.blk);
        return EXIT_FAILURE;
    }
    s.step = s.step ?: s.bufsize;
    s.buf = blk_blockalign(s.blk, (size_t)s.bufsize * MAX(s.depth, 1));
    memset(s.buf, s.pattern, (size_t)s.bufsize * MAX(s.depth, 1));
    qemu_co_queue_init(&s.idle);

    printf("Sending %d %s requests, %d bytes each, %d in parallel "
           "(starting at offset %" PRId64 ", step size %d)\n", s.count,
           s.write ? "write" : "read", s.bufsize, s.depth, s.offset, s.step);
    if (s.flush_interval) {
        printf("Sending flush every %d requests\n", s.flush_interval);
    }
    gettimeofday(&t1, NULL);
    for (i = 0; i < s.depth; i++) {
        s.running++;
        qemu_coroutine_enter(qemu_coroutine_create(bench_co, &s));
    }
    while (s.running) {
        main_loop_wait(false);
    }
    gettimeofday(&t2, NULL);
    printf("Run completed in %3.3f seconds.\n",
           (t2.tv_sec - t1.tv_sec) + (t2.tv_usec - t1.tv_usec) / 1e6);
    qemu_vfree(s.buf);
    blk_unref(s.blk);
    return EXIT_SUCCESS;
}
