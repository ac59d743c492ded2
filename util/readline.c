/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * util/readline.c: the line editor of include/qemu/readline.h.
 *
 * The line lives in a fixed buffer with a cursor.  Every change redraws
 * the whole line: carriage return, prompt, text, erase to the end of the
 * screen line, then the cursor is moved back left to its position.  That
 * is more output than an incremental editor writes, but it is simple and
 * right for lines that fit on one screen line, which is what qemu-io
 * commands are.  Escape sequences are decoded by a three-state machine
 * (plain, after ESC, inside ESC [ or ESC O).
 */

#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "qemu/readline.h"

typedef enum ReadLineEscState {
    RL_NORM,
    RL_ESC,         /* after ESC */
    RL_CSI,         /* after ESC [ or ESC O, collecting a number */
} ReadLineEscState;

struct ReadLineState {
    char buf[READLINE_CMD_BUF_SIZE + 1];
    int len;                    /* bytes in buf */
    int pos;                    /* cursor, 0 .. len */
    ReadLineEscState esc;
    int esc_param;
    char *history[READLINE_MAX_HISTORY];
    int hist_len;
    int hist_pos;               /* hist_len while not browsing */
    char prompt[256];
    bool password;
    bool active;                /* between readline_start() and a line */

    ReadLinePrintfFunc *printf_func;
    ReadLineFlushFunc *flush_func;
    void *opaque;
    ReadLineCompletionFunc *completion_finder;
    ReadLineFunc *readline_func;
    void *readline_opaque;
};

ReadLineState *readline_init(ReadLinePrintfFunc *printf_func,
                             ReadLineFlushFunc *flush_func,
                             void *opaque,
                             ReadLineCompletionFunc *completion_finder)
{
    ReadLineState *rs = g_new0(ReadLineState, 1);

    rs->printf_func = printf_func;
    rs->flush_func = flush_func;
    rs->opaque = opaque;
    rs->completion_finder = completion_finder;
    return rs;
}

void readline_free(ReadLineState *rs)
{
    int i;

    if (!rs) {
        return;
    }
    for (i = 0; i < rs->hist_len; i++) {
        g_free(rs->history[i]);
    }
    g_free(rs);
}

/* Draw prompt and line, then put the terminal cursor at rs->pos. */
static void rl_redraw(ReadLineState *rs)
{
    rs->printf_func(rs->opaque, "\r%s", rs->prompt);
    if (!rs->password) {
        rs->printf_func(rs->opaque, "%.*s\033[K", rs->len, rs->buf);
        if (rs->pos < rs->len) {
            rs->printf_func(rs->opaque, "\033[%dD", rs->len - rs->pos);
        }
    }
    rs->flush_func(rs->opaque);
}

void readline_show_prompt(ReadLineState *rs)
{
    rl_redraw(rs);
}

void readline_restart(ReadLineState *rs)
{
    rs->len = 0;
    rs->pos = 0;
    rs->esc = RL_NORM;
}

void readline_start(ReadLineState *rs, const char *prompt, int read_password,
                    ReadLineFunc *readline_func, void *opaque)
{
    pstrcpy(rs->prompt, sizeof(rs->prompt), prompt);
    rs->password = read_password;
    rs->readline_func = readline_func;
    rs->readline_opaque = opaque;
    rs->hist_pos = rs->hist_len;
    rs->active = true;
    readline_restart(rs);
    rl_redraw(rs);
}

const char *readline_get_history(ReadLineState *rs, unsigned int index)
{
    return index < rs->hist_len ? rs->history[index] : NULL;
}

/* Append @line to the history; an equal older entry moves to the end. */
static void rl_hist_add(ReadLineState *rs, const char *line)
{
    char *entry = NULL;
    int i;

    if (!*line) {
        return;
    }
    for (i = 0; i < rs->hist_len; i++) {
        if (!strcmp(rs->history[i], line)) {
            entry = rs->history[i];
            break;
        }
    }
    if (!entry && rs->hist_len == READLINE_MAX_HISTORY) {
        /* Full: forget the oldest. */
        g_free(rs->history[0]);
        i = 0;
    } else if (!entry) {
        rs->history[rs->hist_len++] = g_strdup(line);
        return;
    }
    memmove(&rs->history[i], &rs->history[i + 1],
            (rs->hist_len - i - 1) * sizeof(rs->history[0]));
    rs->history[rs->hist_len - 1] = entry ? entry : g_strdup(line);
}

/* Replace the line with @text, cursor at its end. */
static void rl_set_line(ReadLineState *rs, const char *text)
{
    rs->len = MIN(strlen(text), READLINE_CMD_BUF_SIZE);
    memcpy(rs->buf, text, rs->len);
    rs->pos = rs->len;
}

static void rl_history_move(ReadLineState *rs, int dir)
{
    int to = rs->hist_pos + dir;

    if (to < 0 || to > rs->hist_len) {
        return;
    }
    rs->hist_pos = to;
    rl_set_line(rs, to == rs->hist_len ? "" : rs->history[to]);
}

/* Remove bytes [@from, @to) of the line; the cursor goes to @from. */
static void rl_cut(ReadLineState *rs, int from, int to)
{
    memmove(rs->buf + from, rs->buf + to, rs->len - to);
    rs->len -= to - from;
    rs->pos = from;
}

static void rl_insert(ReadLineState *rs, char ch)
{
    if (rs->len == READLINE_CMD_BUF_SIZE) {
        return;
    }
    memmove(rs->buf + rs->pos + 1, rs->buf + rs->pos, rs->len - rs->pos);
    rs->buf[rs->pos++] = ch;
    rs->len++;
}

/* The start of the word before the cursor (spaces before it included). */
static int rl_word_start(ReadLineState *rs)
{
    int p = rs->pos;

    while (p > 0 && rs->buf[p - 1] == ' ') {
        p--;
    }
    while (p > 0 && rs->buf[p - 1] != ' ') {
        p--;
    }
    return p;
}

/* Enter: hand the line over; the editor is idle until the next start. */
static void rl_finish(ReadLineState *rs)
{
    g_autofree char *line = g_strndup(rs->buf, rs->len);

    rs->printf_func(rs->opaque, "\n");
    rs->flush_func(rs->opaque);
    if (!rs->password) {
        rl_hist_add(rs, line);
    }
    rs->active = false;
    readline_restart(rs);
    rs->readline_func(rs->readline_opaque, line, rs);
}

/* ^D on an empty line: end of input. */
static void rl_eof(ReadLineState *rs)
{
    rs->printf_func(rs->opaque, "\n");
    rs->flush_func(rs->opaque);
    rs->active = false;
    rs->readline_func(rs->readline_opaque, NULL, rs);
}

/* The key after ESC [ or ESC O: @final and the number before it. */
static void rl_handle_csi(ReadLineState *rs, int final, int param)
{
    switch (final) {
    case 'A':
        rl_history_move(rs, -1);
        break;
    case 'B':
        rl_history_move(rs, 1);
        break;
    case 'C':
        rs->pos += rs->pos < rs->len;
        break;
    case 'D':
        rs->pos -= rs->pos > 0;
        break;
    case 'H':
        rs->pos = 0;
        break;
    case 'F':
        rs->pos = rs->len;
        break;
    case '~':
        if (param == 1 || param == 7) {
            rs->pos = 0;
        } else if (param == 4 || param == 8) {
            rs->pos = rs->len;
        } else if (param == 3 && rs->pos < rs->len) {
            rl_cut(rs, rs->pos, rs->pos + 1);
        }
        break;
    }
}

/* A byte outside escape sequences.  False if the line was handed over. */
static bool rl_handle_plain(ReadLineState *rs, int ch)
{
    switch (ch) {
    case 1:                     /* ^A */
        rs->pos = 0;
        break;
    case 2:                     /* ^B */
        rs->pos -= rs->pos > 0;
        break;
    case 4:                     /* ^D */
        if (!rs->len) {
            rl_eof(rs);
            return false;
        }
        if (rs->pos < rs->len) {
            rl_cut(rs, rs->pos, rs->pos + 1);
        }
        break;
    case 5:                     /* ^E */
        rs->pos = rs->len;
        break;
    case 6:                     /* ^F */
        rs->pos += rs->pos < rs->len;
        break;
    case 8:                     /* ^H */
    case 127:                   /* DEL, the usual backspace key */
        if (rs->pos > 0) {
            rl_cut(rs, rs->pos - 1, rs->pos);
        }
        break;
    case 10:
    case 13:
        rl_finish(rs);
        return false;
    case 11:                    /* ^K */
        rs->len = rs->pos;
        break;
    case 14:                    /* ^N */
        rl_history_move(rs, 1);
        break;
    case 16:                    /* ^P */
        rl_history_move(rs, -1);
        break;
    case 21:                    /* ^U */
        rl_cut(rs, 0, rs->pos);
        break;
    case 23:                    /* ^W */
        rl_cut(rs, rl_word_start(rs), rs->pos);
        break;
    default:
        if (ch >= 32 && ch < 256) {
            rl_insert(rs, ch);
        }
        break;
    }
    return true;
}

void readline_handle_byte(ReadLineState *rs, int ch)
{
    if (!rs->active) {
        return;
    }
    switch (rs->esc) {
    case RL_NORM:
        if (ch == 27) {
            rs->esc = RL_ESC;
            return;
        }
        if (!rl_handle_plain(rs, ch)) {
            return;
        }
        break;
    case RL_ESC:
        if (ch == '[' || ch == 'O') {
            rs->esc = RL_CSI;
            rs->esc_param = 0;
        } else {
            rs->esc = RL_NORM;
        }
        return;
    case RL_CSI:
        if (ch >= '0' && ch <= '9') {
            rs->esc_param = rs->esc_param * 10 + ch - '0';
            return;
        }
        rs->esc = RL_NORM;
        rl_handle_csi(rs, ch, rs->esc_param);
        break;
    }
    rl_redraw(rs);
}
