/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-readline: the line editor of util/readline.c, driven by key
 * sequences as a terminal would send them.  Each case types bytes and
 * checks the lines handed to the callback, the history, and the last
 * redraw of the screen line.
 */

#include "qemu/osdep.h"
#include "qemu/readline.h"

#define PROMPT "qemu-io> "

typedef struct Term {
    ReadLineState *rs;
    GString *screen;            /* everything the editor printed */
    GPtrArray *lines;           /* lines received; "<EOF>" for ^D */
    bool restart;               /* start a new line after each one */
} Term;

static void G_GNUC_PRINTF(2, 3) term_printf(void *opaque, const char *fmt,
                                            ...)
{
    Term *t = opaque;
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(t->screen, fmt, ap);
    va_end(ap);
}

static void term_flush(void *opaque)
{
}

static void got_line(void *opaque, const char *str, void *readline_opaque)
{
    Term *t = opaque;

    g_ptr_array_add(t->lines, g_strdup(str ? str : "<EOF>"));
    if (str && t->restart) {
        readline_start(t->rs, PROMPT, 0, got_line, t);
    }
}

static void term_init(Term *t)
{
    t->screen = g_string_new("");
    t->lines = g_ptr_array_new_with_free_func(g_free);
    t->restart = true;
    t->rs = readline_init(term_printf, term_flush, t, NULL);
    readline_start(t->rs, PROMPT, 0, got_line, t);
}

static void term_free(Term *t)
{
    readline_free(t->rs);
    g_string_free(t->screen, true);
    g_ptr_array_free(t->lines, true);
}

static void type(Term *t, const char *keys)
{
    for (; *keys; keys++) {
        readline_handle_byte(t->rs, (unsigned char)*keys);
    }
}

static const char *line(Term *t, guint i)
{
    g_assert_cmpuint(i, <, t->lines->len);
    return g_ptr_array_index(t->lines, i);
}

/* Type @keys then enter; the line received must be @expect. */
static void check_edit(const char *keys, const char *expect)
{
    Term t = { 0 };

    term_init(&t);
    type(&t, keys);
    type(&t, "\r");
    g_assert_cmpuint(t.lines->len, ==, 1);
    g_assert_cmpstr(line(&t, 0), ==, expect);
    term_free(&t);
}

#define LEFT "\033[D"
#define RIGHT "\033[C"
#define UP "\033[A"
#define DOWN "\033[B"

static void test_insert_and_move(void)
{
    check_edit("read 0 512", "read 0 512");
    check_edit("ead" LEFT LEFT LEFT "r", "read");
    check_edit("rad" LEFT LEFT "e" RIGHT RIGHT "!", "read!");
    check_edit("ab\001X", "Xab");                    /* ^A */
    check_edit("ab\001\005X", "abX");                /* ^E */
    check_edit("ab\033[HX", "Xab");                  /* home */
    check_edit("ab\033[H\033[FX", "abX");            /* end */
    check_edit("ab\033[1~X\033[4~Y", "XabY");        /* home/end, ~ form */
    check_edit("ab\033OHX\033OFY", "XabY");          /* SS3 form */
    check_edit("abc\002\002X\006Y", "aXbYc");        /* ^B / ^F */
    /* The cursor stops at both ends. */
    check_edit("ab" LEFT LEFT LEFT "X" RIGHT RIGHT RIGHT "Y", "XabY");
}

static void test_delete(void)
{
    check_edit("abc\177", "ab");                     /* DEL */
    check_edit("abc\010\010", "a");                  /* ^H */
    check_edit("\177\177abc", "abc");                /* nothing to delete */
    check_edit("abc" LEFT LEFT "\033[3~", "ac");     /* delete key */
    check_edit("abc\001\004", "bc");                 /* ^D deletes */
    check_edit("abc\004", "abc");                    /* ^D at the end */
    check_edit("read 0 512" LEFT LEFT LEFT "\013", "read 0 ");  /* ^K */
    check_edit("read 0 512" LEFT LEFT LEFT "\025", "512");      /* ^U */
    check_edit("read 0 512\027", "read 0 ");                    /* ^W */
    check_edit("read 0 512  \027", "read 0 ");
    check_edit("read 0 512" LEFT LEFT LEFT LEFT "\027", "read  512");
}

static void test_history(void)
{
    Term t = { 0 };

    term_init(&t);
    type(&t, "one\rtwo\rthree\r");
    g_assert_cmpstr(readline_get_history(t.rs, 0), ==, "one");
    g_assert_cmpstr(readline_get_history(t.rs, 2), ==, "three");
    g_assert_null(readline_get_history(t.rs, 3));

    type(&t, UP UP "\r");                  /* "two" again */
    g_assert_cmpstr(line(&t, 3), ==, "two");
    /* An entry used again moves to the end of the history. */
    g_assert_cmpstr(readline_get_history(t.rs, 1), ==, "three");
    g_assert_cmpstr(readline_get_history(t.rs, 2), ==, "two");
    g_assert_null(readline_get_history(t.rs, 3));

    type(&t, UP UP UP UP UP "\r");         /* stops at the oldest */
    g_assert_cmpstr(line(&t, 4), ==, "one");
    type(&t, "\020\020\020\016!\r");      /* ^P x3, ^N: "two", edited */
    g_assert_cmpstr(line(&t, 5), ==, "two!");
    type(&t, UP DOWN "x\r");               /* down past the end: empty */
    g_assert_cmpstr(line(&t, 6), ==, "x");
    /* Empty lines are handed over but not remembered. */
    type(&t, "\r");
    g_assert_cmpstr(line(&t, 7), ==, "");
    g_assert_cmpstr(readline_get_history(t.rs, 4), ==, "x");
    g_assert_null(readline_get_history(t.rs, 5));
    term_free(&t);
}

static void test_history_limit(void)
{
    Term t = { 0 };
    int i;

    term_init(&t);
    for (i = 0; i < READLINE_MAX_HISTORY + 5; i++) {
        g_autofree char *cmd = g_strdup_printf("cmd%d\r", i);

        type(&t, cmd);
    }
    g_assert_cmpstr(readline_get_history(t.rs, 0), ==, "cmd5");
    g_assert_nonnull(readline_get_history(t.rs, READLINE_MAX_HISTORY - 1));
    g_assert_null(readline_get_history(t.rs, READLINE_MAX_HISTORY));
    term_free(&t);
}

static void test_eof(void)
{
    Term t = { 0 };

    term_init(&t);
    type(&t, "ab\004\177\177\004");        /* ^D only ends an empty line */
    g_assert_cmpuint(t.lines->len, ==, 1);
    g_assert_cmpstr(line(&t, 0), ==, "<EOF>");
    /* Idle now: nothing more is taken until the next start. */
    type(&t, "x\r");
    g_assert_cmpuint(t.lines->len, ==, 1);
    term_free(&t);
}

static void test_screen(void)
{
    Term t = { 0 };
    const char *last;

    term_init(&t);
    g_assert_cmpstr(t.screen->str, ==, "\r" PROMPT "\033[K");
    type(&t, "abc" LEFT LEFT);
    /* The last redraw: prompt, text, erase, cursor two columns back. */
    last = strrchr(t.screen->str, '\r');
    g_assert_cmpstr(last, ==, "\r" PROMPT "abc\033[K\033[2D");
    type(&t, "\r");
    g_assert_true(g_str_has_suffix(t.screen->str, "\n\r" PROMPT "\033[K"));
    term_free(&t);

    /* A password is neither echoed nor remembered. */
    term_init(&t);
    t.restart = false;
    readline_start(t.rs, "Password: ", 1, got_line, &t);
    g_string_truncate(t.screen, 0);
    type(&t, "secret\r");
    g_assert_null(strstr(t.screen->str, "secret"));
    g_assert_cmpstr(line(&t, 0), ==, "secret");
    g_assert_null(readline_get_history(t.rs, 0));
    term_free(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/readline/insert-and-move", test_insert_and_move);
    g_test_add_func("/readline/delete", test_delete);
    g_test_add_func("/readline/history", test_history);
    g_test_add_func("/readline/history-limit", test_history_limit);
    g_test_add_func("/readline/eof", test_eof);
    g_test_add_func("/readline/screen", test_screen);
    return g_test_run();
}
