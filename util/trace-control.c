/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util/trace-control.c: the event table and the -T option of
 * include/trace/control.h.
 *
 * The table itself is generated from the trace-events files
 * (scripts/tracetool.py, trace/meson.build).  Output is unbuffered stdio,
 * one fprintf per event under a mutex so that lines from I/O threads do
 * not interleave.
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/atomic.h"
#include "qemu/help_option.h"
#include "qemu/option.h"
#include "qemu/thread.h"
#include "trace/control.h"

static char *trace_file_name;
static FILE *trace_out;
static QemuMutex trace_lock;

static void __attribute__((constructor)) trace_lock_init(void)
{
    qemu_mutex_init(&trace_lock);
}

static QemuOptsList trace_opts = {
    .name = "trace",
    .implied_opt_name = "enable",
    .head = QTAILQ_HEAD_INITIALIZER(trace_opts.head),
    .desc = {
        { .name = "enable", .type = QEMU_OPT_STRING },
        { .name = "events", .type = QEMU_OPT_STRING },
        { .name = "file", .type = QEMU_OPT_STRING },
        { /* end of list */ }
    },
};

void trace_list_events(FILE *f)
{
    size_t i;

    for (i = 0; i < trace_event_count; i++) {
        fprintf(f, "%s\n", trace_event_table[i]->name);
    }
}

void trace_enable_events(const char *pattern)
{
    bool enable = true, found = false;
    size_t i;

    if (is_help_option(pattern)) {
        trace_list_events(stdout);
        exit(0);
    }
    if (*pattern == '-') {
        enable = false;
        pattern++;
    }
    for (i = 0; i < trace_event_count; i++) {
        if (g_pattern_match_simple(pattern, trace_event_table[i]->name)) {
            qatomic_set(&trace_event_table[i]->enabled, enable);
            found = true;
        }
    }
    if (!found && !strpbrk(pattern, "*?")) {
        warn_report("trace event '%s' does not exist", pattern);
    }
}

/* events=FILE: one pattern a line; blank lines and '#' comments skipped. */
static void trace_read_events_file(const char *fname)
{
    char line[1024];
    FILE *f = fopen(fname, "r");

    if (!f) {
        fprintf(stderr, "%s:%s: %s\n", error_get_progname(), fname,
                strerror(errno));
        exit(1);
    }
    while (fgets(line, sizeof(line), f)) {
        g_strstrip(line);
        if (*line && *line != '#') {
            trace_enable_events(line);
        }
    }
    fclose(f);
}

void trace_opt_parse(const char *optarg)
{
    QemuOpts *opts = qemu_opts_parse_noisily(&trace_opts, optarg, true);
    const char *v;

    if (!opts) {
        exit(1);
    }
    v = qemu_opt_get(opts, "enable");
    if (v && *v) {
        trace_enable_events(v);
    }
    v = qemu_opt_get(opts, "events");
    if (v) {
        trace_read_events_file(v);
    }
    v = qemu_opt_get(opts, "file");
    if (v) {
        g_free(trace_file_name);
        trace_file_name = g_strdup(v);
    }
    qemu_opts_del(opts);
}

bool trace_init_backends(void)
{
    if (trace_file_name) {
        trace_out = fopen(trace_file_name, "w");
        if (!trace_out) {
            error_report("Error opening logfile %s: %s", trace_file_name,
                         strerror(errno));
            return false;
        }
        setvbuf(trace_out, NULL, _IOLBF, 0);
    }
    return true;
}

void trace_event_log(const char *name, const char *fmt, ...)
{
    FILE *f = trace_out ? trace_out : stderr;
    va_list ap;

    qemu_mutex_lock(&trace_lock);
    fprintf(f, "%s ", name);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
    qemu_mutex_unlock(&trace_lock);
}
