/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K (Elbrus 2000) CPU state: register file with windows, rotating area,
 * predicates, CTPRs, stacks and state registers, the guest memory map seen
 * by the interpreter, and the entry points of the interpreter.  The bundle
 * formats live in decode.h; the boards and runners only use this header.
 */
#ifndef TARGET_E2K_CPU_H
#define TARGET_E2K_CPU_H

#include <stdio.h>

#define E2K_NR_WREGS        224     /* procedure-stack window area */
#define E2K_NR_GREGS        32
#define E2K_GREG_BASE       E2K_NR_WREGS
#define E2K_PAGE_BITS       12
#define E2K_PAGE_SIZE       (1u << E2K_PAGE_BITS)

/* Exception numbers (bit numbers of TIR), ISA-NOTES 5.8. */
enum {
    E2K_EXCP_ILLEGAL_OPCODE = 0,
    E2K_EXCP_PRIV_ACTION = 1,
    E2K_EXCP_FP_DISABLED = 2,
    E2K_EXCP_ILLEGAL_INSTR_ADDR = 7,
    E2K_EXCP_WINDOW_BOUNDS = 9,
    E2K_EXCP_USER_STACK_BOUNDS = 10,
    E2K_EXCP_PROC_STACK_BOUNDS = 11,
    E2K_EXCP_CHAIN_STACK_BOUNDS = 12,
    E2K_EXCP_ILLEGAL_OPERAND = 16,
    E2K_EXCP_ARRAY_BOUNDS = 17,
    E2K_EXCP_ACCESS_RIGHTS = 18,
    E2K_EXCP_ADDR_NOT_ALIGNED = 19,
    E2K_EXCP_INSTR_PAGE_MISS = 20,
    E2K_EXCP_DATA_PAGE = 29,
    E2K_EXCP_DIV = 34,
    /* Pseudo exceptions: not architectural, they end e2k_cpu_exec(). */
    E2K_EXCP_HALT = 0x100,          /* LMS halt bundle or exit syscall */
    E2K_EXCP_STOP = 0x101,          /* bundle budget exhausted */
};

/* CTPR fields (ISA-NOTES 2.7). */
#define E2K_CTPR_ADDR_MASK  0x0000ffffffffffffull
#define E2K_CTPR_TAG_SHIFT  54
#define E2K_CTPR_TAG_MASK   (7ull << E2K_CTPR_TAG_SHIFT)
#define E2K_CTPR_TAG_EMPTY  0
#define E2K_CTPR_TAG_RETURN 2
#define E2K_CTPR_TAG_DISP   3
#define E2K_CTPR_TAG_SDISP  5

/* PSR / UPSR bits (ISA-NOTES 5.1). */
#define E2K_PSR_PM          0x01
#define E2K_PSR_IE          0x02
#define E2K_PSR_NMIE        0x20
#define E2K_UPSR_FE         0x01
#define E2K_UPSR_NMIE       0x80

/* Stack descriptor bits. */
#define E2K_DESC_BASE_MASK  0x0000ffffffffffffull
#define E2K_DESC_RW         0x1800000000000000ull

/* -d flags */
#define E2K_LOG_IN_ASM      0x1
#define E2K_LOG_EXEC        0x2
#define E2K_LOG_CPU         0x4

typedef struct E2KCPUState E2KCPUState;
typedef struct E2KTBCache E2KTBCache;

/*
 * Device access callbacks.  @addr is an offset inside the region (for the
 * I/O port space: the port number).  Accesses are 1, 2, 4 or 8 bytes.
 * read returns false if nothing answers at @addr (the CPU then raises a
 * data page exception).
 */
typedef bool (*E2KIORead)(void *opaque, uint64_t addr, unsigned size,
                          uint64_t *val);
typedef bool (*E2KIOWrite)(void *opaque, uint64_t addr, unsigned size,
                           uint64_t val);

/* One piece of the guest physical (system) or virtual (user) space. */
typedef struct E2KMemRegion {
    uint64_t base;
    uint64_t size;
    uint8_t *host;          /* RAM/ROM backing, NULL for MMIO */
    bool readonly;
    E2KIORead read;         /* MMIO only */
    E2KIOWrite write;
    void *opaque;
    uint8_t *code_pages;    /* per page: bundles of it are in the cache */
    const char *name;
} E2KMemRegion;

#define E2K_MAX_REGIONS     64

/* Extra hooks a runner installs (user mode: system calls). */
typedef struct E2KHooks {
    /*
     * Called for `call` through an sdisp CTPR.  @args points at the
     * callee's %r0 (the system call number), %r1.. follow.  Returns -1 to
     * continue or an E2K_EXCP_* to stop.
     */
    int (*syscall)(E2KCPUState *env, uint64_t entry, uint64_t *args);
    /*
     * I/O port space reached with MAS 6 (system mode): an access inside
     * [io_base, io_base + io_size) goes to io_read/io_write with the port
     * number; other MAS 6 accesses go to the normal address space.
     */
    uint64_t io_base, io_size;
    E2KIORead io_read;
    E2KIOWrite io_write;
    void *io_opaque;
} E2KHooks;

struct E2KCPUState {
    /*
     * regs[0..223]: the current window, %rN is regs[N]; the callers'
     * registers still in the register file are in hidden[] (control.c);
     * regs[224..255]: %g0..%g31.
     */
    uint64_t regs[E2K_NR_WREGS + E2K_NR_GREGS];
    uint32_t pred;          /* %pred0..31 values (tags are not modelled) */
    uint64_t sink;          /* where results sent to %empty go */
    /* callers' registers still in the register file, oldest first */
    uint64_t hidden[E2K_NR_WREGS];
    uint32_t nhidden;
    uint64_t ip;
    uint64_t nip;

    /*
     * WD: sizes kept in registers here, bytes in the state register.
     * wd_base is where the window would start in the 224-register ring
     * of the hardware (it moves by 2*wbs per call); informational only.
     */
    uint32_t wd_base;
    uint32_t wd_size;
    uint32_t wd_psize;
    bool wd_fx;
    bool wd_dbl;

    /* BR, in registers */
    uint32_t br_base, br_size, br_cur;
    uint32_t br_psz, br_pcur;

    uint64_t ctpr[4];       /* [1..3] */
    uint64_t psp_lo, psp_hi;
    uint64_t pcsp_lo, pcsp_hi;
    uint64_t pshtp, pcshtp;
    uint64_t usd_lo, usd_hi;
    uint64_t sbr;
    uint64_t psr, upsr;
    uint64_t lsr, ilcr;
    uint64_t cuir;
    uint64_t idr;
    uint64_t core_mode;
    uint64_t misc_sr[256];  /* plain storage for the others */

    /* memory */
    E2KMemRegion regions[E2K_MAX_REGIONS];
    int nr_regions;
    int last_region;
    E2KHooks hooks;
    void *opaque;           /* the runner's */

    /* interpreter */
    E2KTBCache *tbc;
    uint64_t icount;        /* bundles executed */
    uint64_t budget;        /* 0 = unlimited, else stop after this many */
    int excp;
    uint64_t excp_addr;     /* faulting data address, if any */
    int exit_code;          /* E2K_EXCP_HALT */
    bool user_mode;

    /* logging */
    unsigned log_flags;
    FILE *logfile;
};

/* cpu.c */

/* Allocates a CPU in the QEMU e2k reset state (ISA-NOTES 5.4). */
E2KCPUState *e2k_cpu_new(bool user_mode);
void e2k_cpu_free(E2KCPUState *env);
void e2k_cpu_reset(E2KCPUState *env, uint64_t entry);

/*
 * Adds a memory region.  RAM regions have @host != NULL; MMIO regions use
 * @read/@write.  Returns the region, or NULL if the table is full.
 */
E2KMemRegion *e2k_cpu_add_ram(E2KCPUState *env, const char *name,
                              uint64_t base, uint64_t size, uint8_t *host);
E2KMemRegion *e2k_cpu_add_mmio(E2KCPUState *env, const char *name,
                               uint64_t base, uint64_t size,
                               E2KIORead read, E2KIOWrite write,
                               void *opaque);
/* Removes the RAM region that starts at @base (the host memory stays). */
bool e2k_cpu_remove_region(E2KCPUState *env, uint64_t base);
E2KMemRegion *e2k_cpu_find_region(E2KCPUState *env, uint64_t addr,
                                  uint64_t len);

/*
 * Guest memory accessors for runners and the interpreter.  They return
 * false on a hole.  Writes through them invalidate cached bundles.
 */
bool e2k_mem_read(E2KCPUState *env, uint64_t addr, void *buf, size_t len);
bool e2k_mem_write(E2KCPUState *env, uint64_t addr, const void *buf,
                   size_t len);

/* Reads/writes a state register for rrs/rrd/rws/rwd; returns excp or -1. */
int e2k_sr_read(E2KCPUState *env, unsigned num, uint64_t *val);
int e2k_sr_write(E2KCPUState *env, unsigned num, uint64_t val);
/* The checks of e2k_sr_write() alone (number known, privilege). */
int e2k_sr_write_check(E2KCPUState *env, unsigned num);
const char *e2k_sr_name(unsigned num);

/* Packed views of WD and BR as the state registers show them. */
uint64_t e2k_get_wd(const E2KCPUState *env);
uint64_t e2k_get_br(const E2KCPUState *env);
void e2k_set_br(E2KCPUState *env, uint64_t br);

/* Register dump in the -d cpu / fatal-exception format. */
void e2k_cpu_dump_state(E2KCPUState *env, FILE *f);
const char *e2k_excp_name(int excp);

/*
 * Parses a -d list ("in_asm,exec,cpu") into E2K_LOG_* flags; returns -1
 * on an unknown item.  e2k_log_help() prints the list QEMU-style.
 */
int e2k_log_parse(const char *items);
void e2k_log_help(FILE *f);

/* interp.c */

/*
 * Runs bundles from env->ip until an exception, a halt or the budget.
 * Returns the E2K_EXCP_* that stopped it (env->excp is set too, env->ip
 * points at the faulting bundle for real exceptions).
 */
int e2k_cpu_exec(E2KCPUState *env);

/* Drops every cached bundle (e.g. after a runner wrote code). */
void e2k_tb_flush(E2KCPUState *env);

#endif /* TARGET_E2K_CPU_H */
