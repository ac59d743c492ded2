/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K interpreter benchmark: runs simple integer loops (add, subtract,
 * xor, compare into a predicate, conditional ct) from RAM and prints the
 * bundles executed per second.  Usage: bench-e2k [iterations]
 */
#include "qemu/osdep.h"
#include "target/e2k/cpu.h"
#include "../unit/e2k-encode.h"

#define RAM_SIZE    (1u << 20)
#define CODE        0x1000

static unsigned emit(uint32_t *code, unsigned n, EBundle b)
{
    return n + e2k_pack(&b, code + n);
}

/*
 * Builds the loop.  @mode 0: subd + cmpedb + ct in one bundle; 1: four
 * ALS ops + ct; 2: four ALS ops, then the conditional ct in a bundle of
 * its own (the compare one bundle ahead of the branch, as E2K code does).
 */
static void build(uint8_t *ram, uint32_t iters, int mode)
{
    uint32_t *code = (uint32_t *)(ram + CODE);
    unsigned n = 0, loop;
    EBundle b = { 0 };

    b.als_mask = 0x3;
    b.als[0] = e2k_als(0x11, E2K_IMM(0), E2K_IMM(0), E2K_R(0));
    b.als[1] = e2k_als(0x11, E2K_IMM(0), E2K_LIT32(0), E2K_R(1));
    b.nlts = 1;
    b.lts[0] = iters;
    b.has_cs0 = true;
    b.cs0 = (1u << 30) | 3;                 /* disp %ctpr1, +24 */
    n = emit(code, n, b);
    loop = n;
    g_assert(loop == 6);                    /* the disp above targets it */

    memset(&b, 0, sizeof(b));
    b.als_mask = mode == 0 ? 0x3 : 0x1b;
    b.als[0] = e2k_als(0x13, E2K_R(1), E2K_IMM(1), E2K_R(1));   /* subd */
    b.als[1] = e2k_als(0x21, E2K_R(1), E2K_IMM(1), 2 << 5);     /* cmpedb */
    b.als[3] = e2k_als(0x11, E2K_R(0), E2K_R(1), E2K_R(0));     /* addd */
    b.als[4] = e2k_als(0x09, E2K_R(2), E2K_R(0), E2K_R(2));     /* xord */
    if (mode != 2) {
        b.has_ss = true;
        b.ss = (1 << 10) | (3 << 5);        /* ct %ctpr1 ? ~%pred0 */
    }
    n = emit(code, n, b);
    if (mode == 2) {
        memset(&b, 0, sizeof(b));
        b.has_ss = true;
        b.ss = (1 << 10) | (3 << 5);
        n = emit(code, n, b);
    }
    memset(&b, 0, sizeof(b));
    b.has_cs1 = true;
    b.cs1 = E2K_HALT_CS1;
    emit(code, n, b);
}

static void run(const char *name, uint32_t iters, int mode)
{
    uint8_t *ram = g_malloc0(RAM_SIZE);
    E2KCPUState *env = e2k_cpu_new(false);
    struct timespec c0, c1;
    gint64 t0, t1;
    double secs, cpu;
    int excp;

    build(ram, iters, mode);
    e2k_cpu_add_ram(env, "ram", 0, RAM_SIZE, ram);
    e2k_cpu_reset(env, CODE);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    t0 = g_get_monotonic_time();
    excp = e2k_cpu_exec(env);
    t1 = g_get_monotonic_time();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    if (excp != E2K_EXCP_HALT) {
        fprintf(stderr, "bench-e2k: %s: exception %d (%s)\n", name, excp,
                e2k_excp_name(excp));
        exit(1);
    }
    secs = (t1 - t0) / 1e6;
    cpu = (c1.tv_sec - c0.tv_sec) + (c1.tv_nsec - c0.tv_nsec) / 1e9;
    printf("%-26s %11" PRIu64 " bundles  wall %6.3f s %7.1f Mbundles/s"
           "  cpu %6.3f s %7.1f Mbundles/s\n", name, env->icount, secs,
           env->icount / secs / 1e6, cpu, env->icount / cpu / 1e6);
    e2k_cpu_free(env);
    g_free(ram);
}

int main(int argc, char **argv)
{
    uint32_t iters = argc > 1 ? strtoul(argv[1], NULL, 0) : 50000000;

    run("loop: 2 ALS + ct", iters, 0);
    run("loop: 4 ALS + ct", iters, 1);
    run("loop: 4 ALS; ct ? pred", iters, 2);
    return 0;
}
