/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K procedure mechanics: setwd/setbn/setbp, `call` (chain frame push to
 * the procedure chain stack, spill of the caller's registers to the
 * procedure stack, window slide), `return` (the reverse, filling the
 * registers back) and the system-call form of `call` through an sdisp
 * CTPR.
 *
 * Register file model: the current window always starts at regs[0] (so
 * decoded bundles can point at registers directly); the registers of the
 * callers that are still "in the file" sit in env->hidden[], oldest first.
 * A call moves the caller's first 2*wbs registers there and reserves their
 * place in the procedure stack (PSP.index grows, PSHTP counts what is
 * still in registers).  When window + hidden registers exceed the 224 of
 * the physical file (window overflow), the oldest ones are spilled to the
 * procedure stack memory; a return whose registers are no longer in the
 * file (underflow) fills them back from memory.  `flushr` spills all.
 * Chain frames (CR0/CR1) are written to the chain stack on every call.
 */
#include "qemu/osdep.h"
#include "target/e2k/internal.h"

#define FRAME_SIZE  32

static int fit_register_file(E2KCPUState *env);

int e2k_do_setwd(E2KCPUState *env, uint32_t lts0)
{
    unsigned wsz = (lts0 >> 5) & 0x7f;

    if (wsz > E2K_NR_WREGS / 2 || 2 * wsz < env->wd_psize) {
        return E2K_EXCP_ILLEGAL_OPCODE;
    }
    env->wd_size = 2 * wsz;
    env->wd_fx = (lts0 >> 4) & 1;
    env->wd_dbl = (lts0 >> 3) & 1;
    return fit_register_file(env);
}

void e2k_do_setbr(E2KCPUState *env, uint32_t cs1, bool bn, bool bp)
{
    if (bn) {
        env->br_base = (cs1 & 0x3f) * 2;
        env->br_size = (((cs1 >> 6) & 0x3f) + 1) * 2;
        env->br_cur = (((cs1 >> 12) & 0x3f) * 2) % env->br_size;
    }
    if (bp) {
        env->br_psz = (cs1 >> 18) & 0x1f;
        env->br_pcur = 0;
    }
}

static uint64_t stack_base(uint64_t lo)
{
    return lo & E2K_DESC_BASE_MASK;
}

static bool wr64(E2KCPUState *env, uint64_t addr, uint64_t v)
{
    v = le64_to_cpu_e2k(v);
    return e2k_mem_write(env, addr, &v, 8);
}

static bool rd64(E2KCPUState *env, uint64_t addr, uint64_t *v)
{
    if (!e2k_mem_read(env, addr, v, 8)) {
        return false;
    }
    *v = le64_to_cpu_e2k(*v);
    return true;
}

static uint64_t ps_top(E2KCPUState *env)
{
    return stack_base(env->psp_lo) + (uint32_t)env->psp_hi;
}

/* Writes the @n oldest in-file registers to the procedure stack memory. */
static int spill_oldest(E2KCPUState *env, unsigned n)
{
    uint64_t addr = ps_top(env) - env->nhidden * 8;
    unsigned i;

    for (i = 0; i < n; i++) {
        if (!wr64(env, addr + i * 8, env->hidden[i])) {
            env->excp_addr = addr + i * 8;
            return E2K_EXCP_DATA_PAGE;
        }
    }
    env->nhidden -= n;
    memmove(env->hidden, env->hidden + n, env->nhidden * 8);
    env->pshtp = env->nhidden * 8;
    return -1;
}

/* Spills what does not fit in the physical register file any more. */
static int fit_register_file(E2KCPUState *env)
{
    if (env->nhidden + env->wd_size > E2K_NR_WREGS) {
        return spill_oldest(env, env->nhidden + env->wd_size - E2K_NR_WREGS);
    }
    return -1;
}

int e2k_do_flushr(E2KCPUState *env)
{
    return spill_oldest(env, env->nhidden);
}

/* Moves regs[0..n) into the file's hidden part, reserving PS space. */
static int save_regs(E2KCPUState *env, unsigned n)
{
    uint32_t idx = env->psp_hi, size = env->psp_hi >> 32;

    if ((uint64_t)idx + n * 8 > size) {
        return E2K_EXCP_PROC_STACK_BOUNDS;
    }
    memcpy(env->hidden + env->nhidden, env->regs, n * 8);
    env->nhidden += n;
    env->pshtp = env->nhidden * 8;
    env->psp_hi = (env->psp_hi & ~0xffffffffull) | (idx + n * 8);
    return -1;
}

/* Brings the caller's regs[0..n) back, from the file or from memory. */
static int restore_regs(E2KCPUState *env, unsigned n)
{
    uint32_t idx = env->psp_hi;
    unsigned from_mem = n > env->nhidden ? n - env->nhidden : 0;
    uint64_t base;
    unsigned i;

    if (idx < n * 8) {
        return E2K_EXCP_PROC_STACK_BOUNDS;
    }
    base = stack_base(env->psp_lo) + idx - n * 8;
    for (i = 0; i < from_mem; i++) {
        if (!rd64(env, base + i * 8, &env->regs[i])) {
            env->excp_addr = base + i * 8;
            return E2K_EXCP_DATA_PAGE;
        }
    }
    memcpy(env->regs + from_mem, env->hidden + env->nhidden - (n - from_mem),
           (n - from_mem) * 8);
    env->nhidden -= n - from_mem;
    env->pshtp = env->nhidden * 8;
    env->psp_hi = (env->psp_hi & ~0xffffffffull) | (idx - n * 8);
    return -1;
}

int e2k_do_call(E2KCPUState *env, unsigned wbs, uint64_t target,
                uint64_t ret_ip)
{
    unsigned w = wbs * 2;
    uint32_t idx = env->pcsp_hi, size = env->pcsp_hi >> 32;
    uint64_t frame, cr1_lo, cr1_hi;
    int excp;

    if (w > env->wd_size) {
        return E2K_EXCP_WINDOW_BOUNDS;
    }
    if ((uint64_t)idx + 2 * FRAME_SIZE > size) {
        return E2K_EXCP_CHAIN_STACK_BOUNDS;
    }
    excp = save_regs(env, w);
    if (excp >= 0) {
        return excp;
    }
    idx += FRAME_SIZE;
    frame = stack_base(env->pcsp_lo) + idx;
    cr1_lo = ((uint64_t)wbs << 33) | ((uint64_t)(env->wd_psize / 2) << 26) |
             ((uint64_t)env->wd_fx << 25) |
             ((env->cuir & 0x1ffff) << 40) | ((env->psr & 0x7f) << 57);
    cr1_hi = (e2k_get_br(env) & 0xfffffff) | ((uint64_t)env->wd_dbl << 35) |
             (((env->usd_hi >> 32) >> 4) << 36);
    if (!wr64(env, frame, e2k_pack_preds(env->pred)) ||
        !wr64(env, frame + 8, ret_ip & ~7ull) ||
        !wr64(env, frame + 16, cr1_lo) || !wr64(env, frame + 24, cr1_hi)) {
        env->excp_addr = frame;
        return E2K_EXCP_DATA_PAGE;
    }
    env->pcsp_hi = (env->pcsp_hi & ~0xffffffffull) | idx;

    memmove(env->regs, env->regs + w, (env->wd_size - w) * 8);
    env->wd_size -= w;
    env->wd_psize = env->wd_size;
    env->wd_base = (env->wd_base + w) % E2K_NR_WREGS;
    env->br_base = 0;
    env->br_size = 2;
    env->br_cur = 0;
    env->br_psz = 0;
    env->br_pcur = 0;
    e2k_clear_ctpr_tags(env);
    env->ip = target;
    return -1;
}

uint64_t e2k_top_frame_ip(E2KCPUState *env)
{
    uint32_t idx = env->pcsp_hi;
    uint64_t ip;

    if (idx < FRAME_SIZE ||
        !rd64(env, stack_base(env->pcsp_lo) + idx + 8, &ip)) {
        return 0;
    }
    return ip & ~7ull;
}

int e2k_do_return(E2KCPUState *env)
{
    uint32_t idx = env->pcsp_hi;
    uint64_t frame = stack_base(env->pcsp_lo) + idx;
    uint64_t cr0_lo, cr0_hi, cr1_lo, cr1_hi;
    unsigned w, psize = env->wd_psize;
    int excp;

    if (idx < FRAME_SIZE) {
        return E2K_EXCP_CHAIN_STACK_BOUNDS;
    }
    if (!rd64(env, frame, &cr0_lo) || !rd64(env, frame + 8, &cr0_hi) ||
        !rd64(env, frame + 16, &cr1_lo) || !rd64(env, frame + 24, &cr1_hi)) {
        env->excp_addr = frame;
        return E2K_EXCP_DATA_PAGE;
    }
    w = ((cr1_lo >> 33) & 0x7f) * 2;
    if (psize + w > E2K_NR_WREGS) {
        return E2K_EXCP_WINDOW_BOUNDS;
    }
    memmove(env->regs + w, env->regs, psize * 8);
    excp = restore_regs(env, w);
    if (excp >= 0) {
        memmove(env->regs, env->regs + w, psize * 8);
        return excp;
    }
    env->wd_size = psize + w;
    env->wd_base = (env->wd_base + E2K_NR_WREGS - w) % E2K_NR_WREGS;
    env->wd_psize = ((cr1_lo >> 26) & 0x7f) * 2;
    env->wd_fx = (cr1_lo >> 25) & 1;
    env->psr = (cr1_lo >> 57) & 0x7f;
    env->pred = e2k_unpack_preds(cr0_lo);
    e2k_set_br(env, cr1_hi & 0xfffffff);
    env->wd_dbl = (cr1_hi >> 35) & 1;
    env->usd_hi = (env->usd_hi & 0xffffffffull) |
                  (((cr1_hi >> 36) << 4) << 32);
    env->pcsp_hi = (env->pcsp_hi & ~0xffffffffull) | (idx - FRAME_SIZE);
    e2k_clear_ctpr_tags(env);
    env->ip = cr0_hi & ~7ull;
    return -1;
}

int e2k_do_syscall(E2KCPUState *env, unsigned wbs, uint64_t entry,
                   uint64_t ret_ip)
{
    unsigned w = wbs * 2;
    int excp;

    if (!env->hooks.syscall) {
        return E2K_EXCP_ILLEGAL_OPCODE;
    }
    if (w + 8 > E2K_NR_WREGS || w >= env->wd_size) {
        return E2K_EXCP_WINDOW_BOUNDS;
    }
    excp = env->hooks.syscall(env, entry, &env->regs[w]);
    e2k_clear_ctpr_tags(env);
    env->ip = ret_ip;
    return excp >= 0 ? excp : -1;
}
