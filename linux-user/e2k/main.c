/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-e2k: runs a static E2K Linux executable on the host.
 *   qemu-e2k [-d items] [-D logfile] [-strace] [-version] prog [args...]
 * The exit status is the guest's; a guest CPU exception ends the process
 * like the matching signal would: a "qemu: uncaught target signal" line
 * on stderr and status 128 + signal number.
 */
#include "qemu/osdep.h"
#include "linux-user/e2k/qemu.h"

#define PROG "qemu-e2k"

static void usage(FILE *f)
{
    fprintf(f, "usage: " PROG " [options] program [arguments...]\n"
            "Linux CPU emulator (compiled for e2k emulation)\n\n"
            "-h                print this help\n"
            "-d item[,...]     enable logging of specified items "
            "(use '-d help' for a list)\n"
            "-D logfile        write logs to 'logfile' (default stderr)\n"
            "-strace           log system calls\n"
            "-version          display version information and exit\n");
}

static int excp_signal(int excp)
{
    switch (excp) {
    case E2K_EXCP_ILLEGAL_OPCODE:
    case E2K_EXCP_PRIV_ACTION:
    case E2K_EXCP_ILLEGAL_INSTR_ADDR:
    case E2K_EXCP_ILLEGAL_OPERAND:
        return SIGILL;
    case E2K_EXCP_ADDR_NOT_ALIGNED:
        return SIGBUS;
    case E2K_EXCP_DIV:
    case E2K_EXCP_FP_DISABLED:
        return SIGFPE;
    default:
        return SIGSEGV;
    }
}

static int parse_args(int argc, char **argv, E2KProcess *p, unsigned *log,
                      const char **logfile, int *optind_out)
{
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *o = argv[i] + 1 + (argv[i][1] == '-');

        if (!strcmp(o, "strace")) {
            p->strace = true;
        } else if (!strcmp(o, "d") || !strcmp(o, "D")) {
            if (i + 1 >= argc) {
                fprintf(stderr, PROG ": option '%s' requires an argument\n",
                        argv[i]);
                return 1;
            }
            if (o[0] == 'D') {
                *logfile = argv[++i];
            } else if (!strcmp(argv[++i], "help")) {
                e2k_log_help(stdout);
                return 0;
            } else if (e2k_log_parse(argv[i]) < 0) {
                e2k_log_help(stderr);
                return 1;
            } else {
                *log = e2k_log_parse(argv[i]);
            }
        } else if (!strcmp(o, "version")) {
            printf(PROG " version " QEMU_VERSION "\n");
            return 0;
        } else if (!strcmp(o, "h") || !strcmp(o, "help")) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, PROG ": unknown option '%s'\n", o);
            return 1;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return 1;
    }
    *optind_out = i;
    return -1;
}

int main(int argc, char **argv)
{
    E2KProcess p = { 0 };
    g_autoptr(GError) err = NULL;
    const char *logfile = NULL;
    unsigned log = 0;
    int first, r, excp, sig;
    FILE *logf = stderr;

    r = parse_args(argc, argv, &p, &log, &logfile, &first);
    if (r >= 0) {
        return r;
    }
    p.host_maps = g_ptr_array_new_with_free_func(g_free);
    p.env = e2k_cpu_new(true);
    p.env->opaque = &p;
    p.env->hooks.syscall = e2k_user_syscall;
    if (!e2k_load_elf(&p, argv[first], argc - first, argv + first, &err)) {
        fprintf(stderr, PROG ": %s: %s\n", argv[first], err->message);
        return 1;
    }
    if (logfile) {
        logf = fopen(logfile, "w");
        if (!logf) {
            fprintf(stderr, PROG ": could not open log file '%s': %s\n",
                    logfile, strerror(errno));
            return 1;
        }
    }
    p.env->log_flags = log;
    p.env->logfile = logf;

    excp = e2k_cpu_exec(p.env);
    fflush(stdout);
    if (logf != stderr) {
        fclose(logf);
    }
    if (excp == E2K_EXCP_HALT) {
        return p.env->exit_code & 0xff;
    }
    sig = excp_signal(excp);
    if (log & E2K_LOG_CPU) {
        e2k_cpu_dump_state(p.env, stderr);
    }
    fprintf(stderr, "qemu: uncaught target signal %d (%s) - exception %d "
            "(%s) at ip 0x%" PRIx64 "\n", sig, strsignal(sig), excp,
            e2k_excp_name(excp), p.env->ip);
    return 128 + sig;
}
