/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error-report.c: human-readable messages on stderr.
 *
 * Every message starts with the program name ("qemu-img: ..."), the way
 * QEMU's tools print them; warnings and informational messages add
 * "warning: " or "info: " after it.  The Error object itself lives in
 * error.c.
 */
#include "qemu/osdep.h"
#include "qemu/error-report.h"

static char *progname;

void error_set_progname(const char *argv0)
{
    g_free(progname);
    progname = argv0 ? g_path_get_basename(argv0) : NULL;
    if (progname) {
        g_set_prgname(progname);
    }
}

const char *error_get_progname(void)
{
    return progname;
}

void error_init(const char *argv0)
{
    error_set_progname(argv0);
}

int error_vprintf(const char *fmt, va_list ap)
{
    return vfprintf(stderr, fmt, ap);
}

int error_printf(const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = error_vprintf(fmt, ap);
    va_end(ap);
    return ret;
}

/* One complete line: "progname: <kind>message\n", written in one go. */
static void report_line(const char *kind, const char *fmt, va_list ap)
{
    GString *line = g_string_new(NULL);

    if (progname) {
        g_string_append_printf(line, "%s: ", progname);
    }
    g_string_append(line, kind);
    g_string_append_vprintf(line, fmt, ap);
    g_string_append_c(line, '\n');
    /* like QEMU, do not flush stdout: tools decide their own ordering */
    fputs(line->str, stderr);
    fflush(stderr);
    g_string_free(line, true);
}

void error_vreport(const char *fmt, va_list ap)
{
    report_line("", fmt, ap);
}

void warn_vreport(const char *fmt, va_list ap)
{
    report_line("warning: ", fmt, ap);
}

void info_vreport(const char *fmt, va_list ap)
{
    report_line("info: ", fmt, ap);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    warn_vreport(fmt, ap);
    va_end(ap);
}

void info_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    info_vreport(fmt, ap);
    va_end(ap);
}

bool error_report_once_cond(bool *printed, const char *fmt, ...)
{
    va_list ap;

    if (*printed) {
        return false;
    }
    *printed = true;
    va_start(ap, fmt);
    error_vreport(fmt, ap);
    va_end(ap);
    return true;
}

bool warn_report_once_cond(bool *printed, const char *fmt, ...)
{
    va_list ap;

    if (*printed) {
        return false;
    }
    *printed = true;
    va_start(ap, fmt);
    warn_vreport(fmt, ap);
    va_end(ap);
    return true;
}
