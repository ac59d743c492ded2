/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu/readline.h: a small line editor for interactive tools (qemu-io on
 * a terminal).
 *
 * The editor is fed one byte at a time (readline_handle_byte()) and draws
 * through the caller's printf/flush callbacks, so it knows nothing about
 * terminals beyond VT100 escape sequences and can be driven by a test.
 * Keys: printable characters insert; left/right (also ^B/^F), home/end
 * (also ^A/^E, ESC [ H/F, ESC [ 1~/4~, ESC O H/F), backspace (^H, DEL),
 * delete (ESC [ 3~, ^D on a non-empty line), ^K (to end of line), ^U (to
 * start of line), ^W (previous word), up/down (also ^P/^N) through the
 * history, enter (CR or LF).  ^D on an empty line ends input.
 *
 * Not thread-safe: one state belongs to one thread (the main loop).
 */
#ifndef QEMU_READLINE_H
#define QEMU_READLINE_H

#define READLINE_CMD_BUF_SIZE 4095
#define READLINE_MAX_HISTORY 64

typedef void G_GNUC_PRINTF(2, 3) ReadLinePrintfFunc(void *opaque,
                                                     const char *fmt, ...);
typedef void ReadLineFlushFunc(void *opaque);
/*
 * Called with each line entered (without the newline), or with @str NULL
 * when the user ends input (^D on an empty line).  The editor is idle
 * afterwards until readline_start() is called again, which the callback
 * may do itself.
 */
typedef void ReadLineFunc(void *opaque, const char *str,
                          void *readline_opaque);
/* Tab completion is not implemented; the type exists for the interface. */
typedef void ReadLineCompletionFunc(void *opaque, const char *cmdline);

typedef struct ReadLineState ReadLineState;

/*
 * A new editor drawing through @printf_func and @flush_func (both get
 * @opaque).  @completion_finder may be NULL.  Free with readline_free().
 */
ReadLineState *readline_init(ReadLinePrintfFunc *printf_func,
                             ReadLineFlushFunc *flush_func,
                             void *opaque,
                             ReadLineCompletionFunc *completion_finder);
void readline_free(ReadLineState *rs);

/*
 * Start reading a line after @prompt; @readline_func(@opaque, line, ...)
 * gets it.  With @read_password the line is not echoed and not kept in
 * the history.  Prints the prompt.
 */
void readline_start(ReadLineState *rs, const char *prompt, int read_password,
                    ReadLineFunc *readline_func, void *opaque);
/* Empty the line being edited (the prompt is not printed again). */
void readline_restart(ReadLineState *rs);
/* Print the prompt and the line being edited again. */
void readline_show_prompt(ReadLineState *rs);
/* Feed one input byte. */
void readline_handle_byte(ReadLineState *rs, int ch);
/* History entry @index (0 = oldest), or NULL past the end. */
const char *readline_get_history(ReadLineState *rs, unsigned int index);

#endif /* QEMU_READLINE_H */
