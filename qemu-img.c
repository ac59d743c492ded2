/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img.c: the qemu-img front end: global options, the subcommand
 * dispatch (table in qemu-img-cmds.h), the --help and --version texts,
 * and the helpers every subcommand uses (error exits, opening images,
 * -o option strings, --object, the progress line).  The
 * subcommands live in qemu-img-<family>.c.
 */
#include "qemu/osdep.h"
#include <getopt.h>
#include <math.h>
#include "qemu-img-common.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/main-loop.h"
#include "block/aio.h"
#include "qemu/module.h"
#include "qemu/rcu.h"
#include "qom/object_interfaces.h"
#include "trace/control.h"

#define QEMU_IMG_VERSION "qemu-img version " QEMU_VERSION QEMU_PKGVERSION \
    "\nCopyright (c) 2026 the qemu-block-e2k developers " \
    "(a from-scratch reimplementation of QEMU's qemu-img)\n"

static const ImgCmd img_cmds[] = {
#define QEMU_IMG_CMD(name, fn) { name, fn },
#include "qemu-img-cmds.h"
#undef QEMU_IMG_CMD
    { NULL, NULL },
};

/* --- Errors ------------------------------------------------------------ */

void error_exit(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
    error_printf("Try 'qemu-img --help' for more information\n");
    exit(EXIT_FAILURE);
}

void missing_argument(const char *option)
{
    error_exit("missing argument for option '%s'", option);
}

void unrecognized_option(const char *option)
{
    error_exit("unrecognized option '%s'", option);
}

void bad_option(int c, char **argv)
{
    if (c == ':') {
        missing_argument(argv[optind - 1]);
    }
    unrecognized_option(argv[optind - 1]);
}

void img_common_option(int c, char **argv)
{
    switch (c) {
    case ':':
    case '?':
        bad_option(c, argv);
    case 'h':
        img_help();
    case OPTION_OBJECT:
        img_add_object(optarg);
        break;
    }
}

void qprintf(bool quiet, const char *fmt, ...)
{
    va_list ap;

    if (quiet) {
        return;
    }
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

int parse_output_format(const char *arg)
{
    if (!strcmp(arg, "json")) {
        return OFORMAT_JSON;
    }
    if (!strcmp(arg, "human")) {
        return OFORMAT_HUMAN;
    }
    error_report("--output must be used with human or json as argument.");
    return -1;
}

const char *img_one_image_arg(int argc, char **argv, const char *output,
                              OutputFormat *format)
{
    if (optind != argc - 1) {
        error_exit("Expecting one image file name");
    }
    if (output) {
        int of = parse_output_format(output);

        if (of < 0) {
            exit(EXIT_FAILURE);
        }
        *format = of;
    }
    return argv[optind];
}

int64_t img_parse_size(const char *str, const char *what)
{
    const char *p = str;
    uint64_t val;
    int ret;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    /* A negative size is a syntax error, not an out-of-range one. */
    ret = *p == '-' ? -EINVAL : qemu_strtosz(str, NULL, &val);
    if (ret == -ERANGE || (ret == 0 && val > INT64_MAX)) {
        error_report("Invalid %s specified. Must be between 0 and %" PRId64
                     ".", what, INT64_MAX);
        return -1;
    }
    if (ret < 0) {
        error_report("Invalid %s specified. You may use k, M, G, T, P or E "
                     "suffixes for", what);
        error_report("kilobytes, megabytes, gigabytes, terabytes, "
                     "petabytes and exabytes.");
        return -1;
    }
    return val;
}

/* --- Help and version -------------------------------------------------- */

static void print_format(void *opaque, const char *name)
{
    printf(" %s", name);
}

void img_help(void)
{
    printf(QEMU_IMG_VERSION "%s", qemu_img_help_text);
    printf("\nSupported formats:");
    bdrv_iterate_format(print_format, NULL, false);
    printf("\n\nSee <https://qemu.org/contribute/report-a-bug> for how to "
           "report bugs.\nMore information on the QEMU project at "
           "<https://qemu.org>.\n");
    exit(EXIT_SUCCESS);
}

/* --- Opening images ---------------------------------------------------- */

static QemuOptsList qemu_source_opts = {
    .name = "source",
    .implied_opt_name = "file",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_source_opts.head),
    .desc = {
        { }
    },
};

QemuOptsList qemu_object_opts = {
    .name = "object",
    .implied_opt_name = "qom-type",
    .head = QTAILQ_HEAD_INITIALIZER(qemu_object_opts.head),
    .desc = {
        { }
    },
};

void img_add_object(const char *arg)
{
    /* Creates the object now, or reports the error and exits (as 7.2). */
    user_creatable_process_cmdline(arg);
}

static QDict *img_open_options(bool image_opts, const char *filename,
                               const char *fmt, bool force_share)
{
    QDict *options;

    if (image_opts) {
        QemuOpts *opts = qemu_opts_parse_noisily(&qemu_source_opts,
                                                 filename, true);
        if (!opts) {
            return NULL;
        }
        options = qemu_opts_to_qdict(opts, NULL);
        qemu_opts_del(opts);
    } else {
        options = qdict_new();
        if (fmt) {
            qdict_put_str(options, "driver", fmt);
        }
    }
    if (force_share) {
        if (qdict_haskey(options, BDRV_OPT_FORCE_SHARE) &&
            !qdict_get_try_bool(options, BDRV_OPT_FORCE_SHARE, false)) {
            error_report("--force-share/-U conflicts with image options");
            qobject_unref(options);
            return NULL;
        }
        qdict_put_bool(options, BDRV_OPT_FORCE_SHARE, true);
    }
    return options;
}

BlockBackend *img_open(bool image_opts, const char *filename,
                       const char *fmt, int flags, bool writethrough,
                       bool quiet, bool force_share)
{
    return img_open_extra(image_opts, filename, fmt, flags, writethrough,
                          quiet, force_share, NULL);
}

BlockBackend *img_open_extra(bool image_opts, const char *filename,
                             const char *fmt, int flags, bool writethrough,
                             bool quiet, bool force_share, QDict *extra)
{
    Error *local_err = NULL;
    BlockBackend *blk;
    QDict *options;
    const QDictEntry *e;

    if (image_opts && fmt) {
        error_report("--image-opts and --format are mutually exclusive");
        return NULL;
    }
    options = img_open_options(image_opts, filename, fmt, force_share);
    if (!options) {
        return NULL;
    }
    for (e = extra ? qdict_first(extra) : NULL; e;
         e = qdict_next(extra, e)) {
        qdict_put_obj(options, qdict_entry_key(e),
                      qobject_ref(qdict_entry_value(e)));
    }
    blk = blk_new_open(image_opts ? NULL : filename, NULL, options, flags,
                       &local_err);
    if (!blk) {
        error_reportf_err(local_err, "Could not open '%s': ", filename);
        return NULL;
    }
    blk_set_enable_write_cache(blk, !writethrough);
    return blk;
}

BlockBackend *img_open_cache(bool image_opts, const char *filename,
                             const char *fmt, int flags, const char *cache,
                             bool quiet, bool force_share)
{
    return img_open_cache_extra(image_opts, filename, fmt, flags, cache,
                                quiet, force_share, NULL);
}

BlockBackend *img_open_cache_extra(bool image_opts, const char *filename,
                                   const char *fmt, int flags,
                                   const char *cache, bool quiet,
                                   bool force_share, QDict *extra)
{
    bool writethrough;

    if (bdrv_parse_cache_mode(cache, &flags, &writethrough) < 0) {
        error_report("Invalid cache option: %s", cache);
        return NULL;
    }
    return img_open_extra(image_opts, filename, fmt, flags, writethrough,
                          quiet, force_share, extra);
}

void img_settle(void)
{
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* run everything that is ready */
    }
}

/* --- -o option strings ------------------------------------------------- */

/*
 * An -o argument must not be empty nor hold an empty element: a comma
 * that is neither doubled (",," is a literal comma) nor between names.
 */
static bool option_list_valid(const char *list)
{
    const char *p = list;

    if (!*p || *p == ',') {
        return false;
    }
    while (*p) {
        if (p[0] == ',' && p[1] == ',') {
            p += 2;
            continue;
        }
        if (p[0] == ',' && (p[1] == '\0' || p[1] == ',')) {
            return false;
        }
        p++;
    }
    return true;
}

void img_add_option_string(char **options, const char *optarg)
{
    char *old = *options;

    if (!option_list_valid(optarg)) {
        error_report("Invalid option list: %s", optarg);
        exit(EXIT_FAILURE);
    }
    *options = old ? g_strdup_printf("%s,%s", old, optarg)
                   : g_strdup(optarg);
    g_free(old);
}

QemuOptsList *img_create_opts_list(const char *fmt, const char *filename,
                                   Error **errp)
{
    BlockDriver *drv, *proto;
    QemuOptsList *list;

    drv = bdrv_find_format(fmt);
    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", fmt);
        return NULL;
    }
    if (!drv->create_opts) {
        error_setg(errp, "Format driver '%s' does not support image "
                   "creation", fmt);
        return NULL;
    }
    list = qemu_opts_append(NULL, drv->create_opts);
    if (filename) {
        proto = bdrv_find_protocol(filename, true, errp);
        if (!proto) {
            qemu_opts_free(list);
            return NULL;
        }
        if (!proto->create_opts) {
            error_setg(errp, "Protocol driver '%s' does not support image "
                       "creation", proto->format_name);
            qemu_opts_free(list);
            return NULL;
        }
        list = qemu_opts_append(list, proto->create_opts);
    }
    return list;
}

int img_print_option_help(const char *fmt, const char *filename,
                          const char *options)
{
    Error *local_err = NULL;
    QemuOptsList *list;

    if (!options || !has_help_option(options)) {
        return 0;
    }
    list = img_create_opts_list(fmt, filename, &local_err);
    if (!list) {
        error_report_err(local_err);
        return -1;
    }
    if (filename) {
        printf("Supported options:\n");
    } else {
        printf("Supported %s options:\n", fmt);
    }
    qemu_opts_print_help(list, false);
    qemu_opts_free(list);
    if (!filename) {
        printf("\nThe protocol level may support further options.\n"
               "Specify the target filename to include those options.\n");
    }
    return 1;
}

/* --- Progress ------------------------------------------------------------ */

static struct {
    bool enabled;
    float current;
    float last_print;
    float min_skip;
} progress;

static void progress_show(void)
{
    printf("    (%3.2f/100%%)\r", progress.current);
    fflush(stdout);
}

void qemu_progress_init(bool enabled, float min_skip)
{
    progress.enabled = enabled;
    progress.current = 0;
    progress.last_print = 0;
    progress.min_skip = min_skip;
}

void qemu_progress_print(float delta, int max)
{
    float current;

    if (!progress.enabled) {
        return;
    }
    current = max ? progress.current + delta * max / 100.0f : delta;
    progress.current = MIN(current, 100.0f);
    /* The start and the end always show; steps only above min_skip. */
    if (progress.current == 0.0f || progress.current == 100.0f ||
        fabsf(progress.current - progress.last_print) > progress.min_skip) {
        progress.last_print = progress.current;
        progress_show();
    }
}

void qemu_progress_end(void)
{
    if (progress.enabled) {
        printf("\n");
    }
}

/* --- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { "trace", required_argument, NULL, 'T' },
        { NULL, 0, NULL, 0 },
    };
    const ImgCmd *cmd;
    const char *name;
    int c;

    signal(SIGPIPE, SIG_IGN);
    error_init(argv[0]);
    module_call_init(MODULE_INIT_QOM);
    bdrv_init();
    qemu_init_main_loop(&error_fatal);
    qemu_main_loop_tool_defaults();

    if (argc < 2) {
        error_exit("Not enough arguments");
    }
    while ((c = getopt_long(argc, argv, "+:hVT:", long_options,
                            NULL)) != -1) {
        switch (c) {
        case ':':
        case '?':
            bad_option(c, argv);
        case 'h':
            img_help();
        case 'V':
            printf(QEMU_IMG_VERSION);
            return EXIT_SUCCESS;
        case 'T':
            trace_opt_parse(optarg);
            break;
        }
    }
    if (!trace_init_backends()) {
        exit(1);
    }
    if (optind >= argc) {
        error_exit("Not enough arguments");
    }
    name = argv[optind];
    argc -= optind;
    argv += optind;
    /* Each subcommand parses its options from the start of its argv. */
    optind = 0;

    for (cmd = img_cmds; cmd->name; cmd++) {
        if (!strcmp(name, cmd->name)) {
            int ret = cmd->handler(argc, argv);

            /* Closing nodes may be deferred to a bottom half: finish it. */
            img_settle();
            /* The images are closed: --object objects are unused now. */
            user_creatable_cleanup();
            return ret;
        }
    }
    error_exit("Command not found: %s", name);
}
