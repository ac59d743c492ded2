/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trace/control.h: a tiny trace facility for the tools' -T/--trace.
 *
 * Events are declared in the trace-events file of each directory and
 * scripts/tracetool.py generates, at build time, trace/trace-<group>.h (one
 * inline trace_<name>() per event) and the table below.  Each event has a
 * name and an "enabled" flag that its inline function tests before doing
 * any work.  An enabled event prints one line,
 * "<event> <arguments>", to stderr or to the file named by file=, the
 * format of QEMU's "log" trace backend without timestamps.
 *
 * Options follow QEMU: "-T [enable=]PATTERN", "-T events=FILE" (one
 * pattern a line, '#' comments, "-PATTERN" disables), "-T file=FILE" and
 * "-T help" (list the event names).  Patterns may use '*' and '?'.
 * Everything here runs in the main thread while the tool starts, before
 * any I/O; events themselves may fire from any thread.
 */
#ifndef TRACE_CONTROL_H
#define TRACE_CONTROL_H

typedef struct TraceEvent {
    const char *name;
    bool enabled;
} TraceEvent;

/* Every event, in trace-events file order (generated trace-events.c). */
extern TraceEvent *const trace_event_table[];
extern const size_t trace_event_count;

/*
 * Handle one -T argument: enable the events it names (a name without a
 * wildcard that matches nothing gets a warning), read an events= file,
 * remember file=.  "help" prints the event names and exits.  Errors (an
 * unknown key, an unreadable events file) are reported and exit(1).
 */
void trace_opt_parse(const char *optarg);

/* Enable (or with a leading '-', disable) the events matching @pattern. */
void trace_enable_events(const char *pattern);

/* Print every event name, one a line, to @f. */
void trace_list_events(FILE *f);

/*
 * Open the file= output, if one was given (else events go to stderr).
 * False with a message printed if it cannot be opened.
 */
bool trace_init_backends(void);

/* printf-like output of one event line; used by the event functions. */
void G_GNUC_PRINTF(2, 3) trace_event_log(const char *name,
                                         const char *fmt, ...);

#endif /* TRACE_CONTROL_H */
