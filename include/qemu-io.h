/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command interface of qemu-io: the command descriptor, the registry
 * and the entry point that runs one command line against a BlockBackend.
 * qemu-io.c (the program) and qemu-io-cmds.c (the commands) share it.
 */
#ifndef QEMU_IO_H
#define QEMU_IO_H

#include "sysemu/block-backend.h"

/* Command flags. */
#define CMD_FLAG_GLOBAL ((int)0x80000000) /* runs without an open image */
#define CMD_NOFILE_OK   0x01              /* may run without an open image */

/*
 * A command implementation.  @argv[0] is the command name; getopt() has
 * been reset, so the function may parse options with it.  Returns 0 on
 * success or a negative errno value; the message has been printed.
 */
typedef int (*cfunc_t)(BlockBackend *blk, int argc, char **argv);

/* Prints the extended help of a command (after its one-line summary). */
typedef void (*helpfunc_t)(void);

typedef struct cmdinfo {
    const char *name;
    const char *altname;
    cfunc_t cfunc;
    int argmin;         /* minimum number of arguments after the name */
    int argmax;         /* maximum, or -1 for no limit */
    int canpush;        /* unused, kept for interface compatibility */
    int flags;          /* CMD_FLAG_GLOBAL / CMD_NOFILE_OK */
    const char *args;   /* argument synopsis, or NULL */
    const char *oneline;
    helpfunc_t help;    /* or NULL */
    uint64_t perm;      /* BLK_PERM_* the command adds to the backend */
} cmdinfo_t;

/* Set by -m: requests use buffers misaligned by 16 bytes. */
extern bool qemuio_misalign;

/*
 * Register a command.  @ci must stay valid for the program's life time.
 * The registry is kept sorted by name (the order "help" lists).
 */
void qemuio_add_command(const cmdinfo_t *ci);

/* Register every built-in I/O command of qemu-io-cmds.c. */
void qemuio_init_commands(void);

/*
 * Split @cmd into words and run the command it names against @blk (NULL
 * when no image is open).  Main loop only.  Returns 0, or a negative
 * errno value when the command failed or could not be run; the reason
 * has already been printed.
 */
int qemuio_command(BlockBackend *blk, const char *cmd);

/* Print "<name> <args> -- <oneline>" for @ci on stdout. */
void qemuio_command_usage(const cmdinfo_t *ci);

/* Call @fn for every command name (and alias) that starts with @input. */
void qemuio_complete_command(const char *input,
                             void (*fn)(const char *cmd, void *opaque),
                             void *opaque);

#endif /* QEMU_IO_H */
