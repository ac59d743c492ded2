/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * error-report.h: messages to stderr, prefixed with the program name the
 * way QEMU's tools print them ("qemu-img: Could not open 'x': ...").
 */
#ifndef QEMU_ERROR_REPORT_H
#define QEMU_ERROR_REPORT_H

void error_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);
void warn_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);
void info_vreport(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

void error_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void warn_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
void info_report(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Like error_report(), but only the first time at this call site. */
bool error_report_once_cond(bool *printed, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
#define error_report_once(fmt, ...)                                     \
    ({                                                                  \
        static bool print_once_;                                        \
        error_report_once_cond(&print_once_, fmt, ##__VA_ARGS__);       \
    })

bool warn_report_once_cond(bool *printed, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
#define warn_report_once(fmt, ...)                                      \
    ({                                                                  \
        static bool print_once_;                                        \
        warn_report_once_cond(&print_once_, fmt, ##__VA_ARGS__);        \
    })

/* Set the program name prefix from argv[0] (same as error_set_progname) */
void error_init(const char *argv0);

/* Print to stderr without any prefix. */
int error_printf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
int error_vprintf(const char *fmt, va_list ap) G_GNUC_PRINTF(1, 0);

#endif /* QEMU_ERROR_REPORT_H */
