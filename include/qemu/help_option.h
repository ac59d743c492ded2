/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * help_option.h: recognising "help" and "?" in option strings.
 */
#ifndef QEMU_HELP_OPTION_H
#define QEMU_HELP_OPTION_H

/* Is @s exactly "help" or "?"? */
static inline bool is_help_option(const char *s)
{
    return !strcmp(s, "?") || !strcmp(s, "help");
}

/* Length of "help" or "?" at the start of @s, or 0 if neither is there. */
static inline int starts_with_help_option(const char *s)
{
    if (*s == '?') {
        return 1;
    }
    if (g_str_has_prefix(s, "help")) {
        return 4;
    }
    return 0;
}

#endif /* QEMU_HELP_OPTION_H */
