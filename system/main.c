/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-system-e2k: command line, board creation and the run loop of the
 * system emulator.  Accepts the QEMU options that make sense for the
 * e2k-test board (-machine, -bios, -m, -nographic, -d, -D, -version,
 * -help) and rejects the rest with QEMU's messages.  The guest powers off
 * through the LMS halt bundle; its code becomes the exit status.  A CPU
 * exception is fatal: the registers are dumped and the exit status is 1.
 */
#include "qemu/osdep.h"
#include "hw/e2k/e2k.h"

#define PROG "qemu-system-e2k"

typedef struct Options {
    const char *machine;
    const char *bios;
    const char *kernel;
    const char *logfile;
    const char *log_items;
    uint64_t ram_size;
    bool bios_given;
} Options;

enum { OPT_MACHINE, OPT_BIOS, OPT_KERNEL, OPT_M, OPT_NOGRAPHIC, OPT_D, OPT_DLOG,
       OPT_VERSION, OPT_HELP, OPT_NODEFAULTS, OPT_NOREBOOT };

static const struct {
    const char *name;
    int id;
    bool has_arg;
} opts[] = {
    { "machine", OPT_MACHINE, true }, { "M", OPT_MACHINE, true },
    { "bios", OPT_BIOS, true }, { "kernel", OPT_KERNEL, true },
    { "m", OPT_M, true },
    { "nographic", OPT_NOGRAPHIC, false }, { "d", OPT_D, true },
    { "D", OPT_DLOG, true }, { "version", OPT_VERSION, false },
    { "h", OPT_HELP, false }, { "help", OPT_HELP, false },
    { "nodefaults", OPT_NODEFAULTS, false },
    { "no-reboot", OPT_NOREBOOT, false },
};

static void usage(void)
{
    printf("usage: " PROG " [options]\n\n"
           "-machine [type=]name  select the board (e2k-test)\n"
           "-bios file            firmware image, loaded at 0x100000000\n"
           "-kernel file          E2K ELF64 loaded at its physical addresses;\n"
           "                      the CPU starts at its entry\n"
           "-m size               RAM size (default 128M)\n"
           "-nographic            console on stdio (the only mode)\n"
           "-d item1,...          log items (-d help for a list)\n"
           "-D logfile            write the log to logfile\n"
           "-version              print the version and exit\n");
}

static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    uint64_t v = g_ascii_strtoull(s, &end, 0);

    switch (g_ascii_toupper(*end)) {
    case '\0':
    case 'M':
        v <<= 20;
        break;
    case 'G':
        v <<= 30;
        break;
    case 'K':
        v <<= 10;
        break;
    default:
        return false;
    }
    if (*end && end[1] && !(g_ascii_toupper(end[1]) == 'B' && !end[2])) {
        return false;
    }
    *out = v;
    return v != 0;
}

static bool machine_known(const char *name)
{
    int i;

    for (i = 0; e2k_machine_names[i]; i++) {
        if (!strcmp(name, e2k_machine_names[i])) {
            return true;
        }
    }
    return false;
}

static int handle_machine(Options *o, const char *arg)
{
    const char *name = g_str_has_prefix(arg, "type=") ? arg + 5 : arg;
    int i;

    if (!strcmp(name, "help") || !strcmp(name, "?")) {
        printf("Supported machines are:\n");
        for (i = 0; e2k_machine_names[i]; i++) {
            printf("%-20s E2K test board (RAM, firmware, lmscon)%s\n",
                   e2k_machine_names[i], i == 0 ? " (default)" : "");
        }
        return 0;
    }
    if (strchr(name, ',') || !machine_known(name)) {
        fprintf(stderr, PROG ": unsupported machine type\n"
                "Use -machine help to list supported machines\n");
        return 1;
    }
    o->machine = name;
    return -1;
}

/* Returns -1 to go on, or the exit status. */
static int handle_opt(Options *o, int id, const char *arg)
{
    switch (id) {
    case OPT_MACHINE:
        return handle_machine(o, arg);
    case OPT_BIOS:
        o->bios = arg;
        o->bios_given = true;
        return -1;
    case OPT_KERNEL:
        o->kernel = arg;
        return -1;
    case OPT_M:
        if (!parse_size(arg, &o->ram_size)) {
            fprintf(stderr, PROG ": -m %s: Parameter 'size' expects a "
                    "non-negative number below 2^64\n", arg);
            return 1;
        }
        return -1;
    case OPT_D:
        if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
            e2k_log_help(stdout);
            return 0;
        }
        if (e2k_log_parse(arg) < 0) {
            e2k_log_help(stderr);
            return 1;
        }
        o->log_items = arg;
        return -1;
    case OPT_DLOG:
        o->logfile = arg;
        return -1;
    case OPT_VERSION:
        printf("QEMU emulator version " QEMU_VERSION "\n");
        return 0;
    case OPT_HELP:
        usage();
        return 0;
    default:
        return -1;
    }
}

static int parse_args(Options *o, int argc, char **argv)
{
    int i, j, r;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *name = a + 1 + (a[1] == '-');
        bool found = false;

        if (a[0] != '-') {
            fprintf(stderr, PROG ": %s: invalid option\n", a);
            return 1;
        }
        for (j = 0; j < (int)ARRAY_SIZE(opts); j++) {
            if (strcmp(name, opts[j].name)) {
                continue;
            }
            found = true;
            if (opts[j].has_arg && i + 1 >= argc) {
                fprintf(stderr, PROG ": %s: requires an argument\n", a);
                return 1;
            }
            r = handle_opt(o, opts[j].id, opts[j].has_arg ? argv[++i] : NULL);
            if (r >= 0) {
                return r;
            }
            break;
        }
        if (!found) {
            fprintf(stderr, PROG ": %s: invalid option\n", a);
            return 1;
        }
    }
    return -1;
}

static int run(E2KMachine *m)
{
    E2KCPUState *env = m->cpu;
    int excp = e2k_cpu_exec(env);

    if (excp == E2K_EXCP_HALT) {
        return env->exit_code & 0xff;
    }
    fprintf(stderr, PROG ": fatal: exception %d (%s) at ip 0x%016" PRIx64,
            excp, e2k_excp_name(excp), env->ip);
    if (excp == E2K_EXCP_DATA_PAGE || excp == E2K_EXCP_ADDR_NOT_ALIGNED ||
        excp == E2K_EXCP_ACCESS_RIGHTS) {
        fprintf(stderr, " (address 0x%016" PRIx64 ")", env->excp_addr);
    }
    fprintf(stderr, "\n");
    e2k_cpu_dump_state(env, stderr);
    return 1;
}

int main(int argc, char **argv)
{
    Options o = { .machine = "e2k-test", .bios = "e2k.bin",
                  .ram_size = 128 * 1024 * 1024 };
    g_autoptr(GError) err = NULL;
    E2KMachine *m;
    FILE *log = stderr;
    int r = parse_args(&o, argc, argv);

    if (r >= 0) {
        return r;
    }
    /* with -kernel and no -bios, the firmware area just stays empty */
    m = e2k_machine_new(o.machine, o.ram_size,
                        o.kernel && !o.bios_given ? NULL : o.bios, &err);
    if (m && o.kernel && !e2k_machine_load_kernel(m, o.kernel, &err)) {
        e2k_machine_free(m);
        m = NULL;
    }
    if (!m) {
        fprintf(stderr, PROG ": %s\n", err->message);
        return 1;
    }
    if (o.logfile) {
        log = fopen(o.logfile, "w");
        if (!log) {
            fprintf(stderr, PROG ": could not open log file '%s': %s\n",
                    o.logfile, strerror(errno));
            e2k_machine_free(m);
            return 1;
        }
    }
    m->cpu->logfile = log;
    m->cpu->log_flags = o.log_items ? e2k_log_parse(o.log_items) : 0;
    r = run(m);
    fflush(stdout);
    if (log != stderr) {
        fclose(log);
    }
    e2k_machine_free(m);
    return r;
}
