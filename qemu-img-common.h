/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-common.h: what the qemu-img subcommand files share: the
 * subcommand entry points (listed in qemu-img-cmds.h), error exits with
 * upstream's wording, image opening, cache-mode parsing, option helpers
 * and the progress line.  Private to the tool; nothing in block/ uses it.
 */
#ifndef QEMU_IMG_COMMON_H
#define QEMU_IMG_COMMON_H

#include "qemu/option.h"
#include "sysemu/block-backend.h"

/* Exit code of "check" when the format has no consistency check. */
#define QEMU_IMG_CHECK_NOT_SUPPORTED 63

/* Long options that have no short letter (getopt_long values). */
enum {
    OPTION_OUTPUT = 256,
    OPTION_BACKING_CHAIN,
    OPTION_OBJECT,
    OPTION_IMAGE_OPTS,
    OPTION_PATTERN,
    OPTION_FLUSH_INTERVAL,
    OPTION_NO_DRAIN,
    OPTION_TARGET_IMAGE_OPTS,
    OPTION_SIZE,
    OPTION_PREALLOCATION,
    OPTION_SHRINK,
    OPTION_SALVAGE,
    OPTION_TARGET_IS_ZERO,
    OPTION_ADD,
    OPTION_REMOVE,
    OPTION_CLEAR,
    OPTION_ENABLE,
    OPTION_DISABLE,
    OPTION_MERGE,
    OPTION_BITMAPS,
    OPTION_FORCE,
    OPTION_START_OFFSET,
    OPTION_MAX_LENGTH,
    OPTION_SKIP_BROKEN_BITMAPS,
};

typedef enum OutputFormat {
    OFORMAT_JSON,
    OFORMAT_HUMAN,
} OutputFormat;

/* One subcommand: name and entry point; argv[0] is the subcommand name. */
typedef struct ImgCmd {
    const char *name;
    int (*handler)(int argc, char **argv);
} ImgCmd;

#define QEMU_IMG_CMD(name, fn) int fn(int argc, char **argv);
#include "qemu-img-cmds.h"
#undef QEMU_IMG_CMD

/*
 * Print "qemu-img: <message>" and the "Try 'qemu-img --help'" hint to
 * stderr, then exit(1).  For command-line mistakes.
 */
void G_GNUC_PRINTF(1, 2) G_NORETURN error_exit(const char *fmt, ...);

/* Usage text of all subcommands (qemu-img-help.c). */
extern const char qemu_img_help_text[];

/* Print the "qemu-img --help" text and exit(0) (also for "<cmd> -h"). */
void G_NORETURN img_help(void);

/* getopt helpers: upstream's texts for a missing or unknown option. */
void G_NORETURN missing_argument(const char *option);
void G_NORETURN unrecognized_option(const char *option);
/* Report getopt's result '?' or ':' for @argv (uses optind/optopt). */
void G_NORETURN bad_option(int c, char **argv);

/*
 * For the default: branch of a subcommand's getopt_long() loop: handles
 * the results every subcommand treats alike, ':' and '?' (bad_option()),
 * 'h' (img_help()) and --object (img_add_object()); ignores any other @c.
 */
void img_common_option(int c, char **argv);

/* printf() unless @quiet. */
void G_GNUC_PRINTF(2, 3) qprintf(bool quiet, const char *fmt, ...);

/* "human" or "json" to an OutputFormat; error_report()s and -1 if neither. */
int parse_output_format(const char *arg);

/*
 * End of option parsing for a subcommand that takes exactly one image:
 * error_exit()s unless argv[optind] is the last argument, and when
 * @output (the --output argument, NULL if absent) is given, stores its
 * format in *@format (exits if parse_output_format() rejects it).
 * Returns the image file name.
 */
const char *img_one_image_arg(int argc, char **argv, const char *output,
                              OutputFormat *format);

/*
 * Open @filename as qemu-img does: @fmt forces the format (NULL probes),
 * @image_opts parses @filename as key=value options.  @force_share is
 * -U.  Reports the error ("Could not open '...': ...") and returns NULL.
 */
BlockBackend *img_open(bool image_opts, const char *filename,
                       const char *fmt, int flags, bool writethrough,
                       bool quiet, bool force_share);

/*
 * img_open() with the cache mode given as text (-t): @cache replaces the
 * cache bits of @flags.  An unknown mode is reported ("Invalid cache
 * option: ...") and gives NULL, as does a failed open.
 */
BlockBackend *img_open_cache(bool image_opts, const char *filename,
                             const char *fmt, int flags, const char *cache,
                             bool quiet, bool force_share);

/*
 * img_open() and img_open_cache() with @extra (may be NULL) added to the
 * open options, e.g. the key secrets of a target convert just created.
 */
BlockBackend *img_open_extra(bool image_opts, const char *filename,
                             const char *fmt, int flags, bool writethrough,
                             bool quiet, bool force_share, QDict *extra);
BlockBackend *img_open_cache_extra(bool image_opts, const char *filename,
                                   const char *fmt, int flags,
                                   const char *cache, bool quiet,
                                   bool force_share, QDict *extra);

/*
 * Run whatever the main loop has ready (bottom halves left behind by
 * image creation, e.g. deferred closes) before opening a new image.
 */
void img_settle(void);

/*
 * A QemuOpts option list holding the create options of format @fmt and of
 * the protocol of @filename (NULL: the file protocol's), or NULL with
 * @errp set.  Free with qemu_opts_free().
 */
QemuOptsList *img_create_opts_list(const char *fmt, const char *filename,
                                   Error **errp);

/*
 * Handle "-o help" (or "-o ?"): print the options of @fmt (and of the
 * protocol of @filename when given).  Returns 1 if @options asked for
 * help (printed), 0 if not, -1 on error (reported).
 */
int img_print_option_help(const char *fmt, const char *filename,
                          const char *options);

/*
 * Append -o @optarg to the accumulated option string *@options
 * ("a,b" + "c" -> "a,b,c").  Exits on an invalid list.
 */
void img_add_option_string(char **options, const char *optarg);

/* Parse a size with suffixes; -1 (reported with @what) on error. */
int64_t img_parse_size(const char *str, const char *what);

/*
 * Progress line "    (45.00/100%)\r" on stdout, only when enabled.
 * qemu_progress_print(): with @max, @delta percent of @max is added to
 * the progress; with @max 0, @delta is the new absolute percentage.  The
 * line is printed when the progress moved by more than @min_skip.
 */
void qemu_progress_init(bool enabled, float min_skip);
void qemu_progress_print(float delta, int max);
void qemu_progress_end(void);

/* The --object option list (accepted; objects are not created yet). */
extern QemuOptsList qemu_object_opts;
/* Handle one --object argument; exits on a syntax error. */
void img_add_object(const char *arg);

#endif /* QEMU_IMG_COMMON_H */
