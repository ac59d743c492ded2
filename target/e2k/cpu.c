/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K CPU object: reset state, the guest memory region table with its
 * generic accessors, the state registers reached by rrs/rrd/rws/rwd
 * (ISA-NOTES 5.2/5.3) and the register dump.  The bundle interpreter is in
 * interp.c, procedure call/return in control.c.
 */
#include "qemu/osdep.h"
#include "target/e2k/cpu.h"
#include "target/e2k/internal.h"

E2KCPUState *e2k_cpu_new(bool user_mode)
{
    E2KCPUState *env = g_new0(E2KCPUState, 1);

    env->user_mode = user_mode;
    env->tbc = e2k_tbc_new();
    env->logfile = stderr;
    e2k_cpu_reset(env, 0);
    return env;
}

void e2k_cpu_free(E2KCPUState *env)
{
    int i;

    if (!env) {
        return;
    }
    for (i = 0; i < env->nr_regions; i++) {
        g_free(env->regions[i].code_pages);
    }
    e2k_tbc_free(env->tbc);
    g_free(env);
}

void e2k_cpu_reset(E2KCPUState *env, uint64_t entry)
{
    memset(env->regs, 0, sizeof(env->regs));
    env->pred = 0;
    env->ip = entry;
    env->nip = entry;
    env->psr = env->user_mode ? (E2K_PSR_IE | E2K_PSR_NMIE) : E2K_PSR_PM;
    env->upsr = E2K_UPSR_NMIE | E2K_UPSR_FE;
    env->wd_base = 0;
    env->wd_size = 16;
    env->wd_psize = 8;
    env->wd_fx = false;
    env->wd_dbl = false;
    env->br_base = 8;
    env->br_size = 8;
    env->br_cur = 0;
    env->br_psz = 0;
    env->br_pcur = 0;
    memset(env->ctpr, 0, sizeof(env->ctpr));
    env->psp_lo = E2K_DESC_RW | 0x810000;
    env->psp_hi = 0x100000ull << 32;
    env->pcsp_lo = E2K_DESC_RW | 0x910000;
    env->pcsp_hi = 0xa10000ull << 32;
    env->pshtp = 0;
    env->pcshtp = 0;
    env->nhidden = 0;
    env->sbr = 0xb000;
    env->usd_hi = 0x4000ull << 32;
    env->usd_lo = E2K_DESC_RW | 0xb000;
    env->lsr = 0;
    env->ilcr = 0;
    env->cuir = 0;
    env->idr = 0x3a207;
    env->core_mode = 0;
    memset(env->misc_sr, 0, sizeof(env->misc_sr));
    env->excp = 0;
    env->icount = 0;
}

/* ---- memory regions -------------------------------------------------- */

static E2KMemRegion *add_region(E2KCPUState *env, const char *name,
                                uint64_t base, uint64_t size)
{
    E2KMemRegion *r;

    if (env->nr_regions >= E2K_MAX_REGIONS || size == 0) {
        return NULL;
    }
    r = &env->regions[env->nr_regions++];
    memset(r, 0, sizeof(*r));
    r->name = name;
    r->base = base;
    r->size = size;
    return r;
}

E2KMemRegion *e2k_cpu_add_ram(E2KCPUState *env, const char *name,
                              uint64_t base, uint64_t size, uint8_t *host)
{
    E2KMemRegion *r = add_region(env, name, base, size);

    if (r) {
        r->host = host;
    }
    return r;
}

E2KMemRegion *e2k_cpu_add_mmio(E2KCPUState *env, const char *name,
                               uint64_t base, uint64_t size,
                               E2KIORead read, E2KIOWrite write,
                               void *opaque)
{
    E2KMemRegion *r = add_region(env, name, base, size);

    if (r) {
        r->read = read;
        r->write = write;
        r->opaque = opaque;
    }
    return r;
}

bool e2k_cpu_remove_region(E2KCPUState *env, uint64_t base)
{
    int i;

    for (i = 0; i < env->nr_regions; i++) {
        E2KMemRegion *r = &env->regions[i];

        if (r->base == base) {
            if (r->code_pages) {
                e2k_tb_flush(env);
                g_free(r->code_pages);
            }
            env->nr_regions--;
            memmove(r, r + 1, (env->nr_regions - i) * sizeof(*r));
            env->last_region = 0;
            return true;
        }
    }
    return false;
}

E2KMemRegion *e2k_cpu_find_region(E2KCPUState *env, uint64_t addr,
                                  uint64_t len)
{
    int i;

    for (i = 0; i < env->nr_regions; i++) {
        E2KMemRegion *r = &env->regions[i];

        if (addr - r->base < r->size && len <= r->size - (addr - r->base)) {
            env->last_region = i;
            return r;
        }
    }
    return NULL;
}

bool e2k_mem_read(E2KCPUState *env, uint64_t addr, void *buf, size_t len)
{
    uint8_t *out = buf;

    while (len) {
        E2KMemRegion *r = e2k_cpu_find_region(env, addr, 1);
        size_t chunk;

        if (!r || !r->host) {
            return false;
        }
        chunk = MIN(len, r->size - (addr - r->base));
        memcpy(out, r->host + (addr - r->base), chunk);
        out += chunk;
        addr += chunk;
        len -= chunk;
    }
    return true;
}

bool e2k_mem_write(E2KCPUState *env, uint64_t addr, const void *buf,
                   size_t len)
{
    const uint8_t *in = buf;

    while (len) {
        E2KMemRegion *r = e2k_cpu_find_region(env, addr, 1);
        size_t chunk;

        if (!r || !r->host) {
            return false;
        }
        chunk = MIN(len, r->size - (addr - r->base));
        memcpy(r->host + (addr - r->base), in, chunk);
        e2k_tb_invalidate_range(env, r, addr, chunk);
        in += chunk;
        addr += chunk;
        len -= chunk;
    }
    return true;
}

/* ---- WD / BR packing ------------------------------------------------- */

uint64_t e2k_get_wd(const E2KCPUState *env)
{
    return (env->wd_base * 8) | ((uint64_t)(env->wd_size * 8) << 16) |
           ((uint64_t)(env->wd_psize * 8) << 32) |
           ((uint64_t)env->wd_fx << 48);
}

static void set_wd(E2KCPUState *env, uint64_t wd)
{
    env->wd_size = MIN(((wd >> 16) & 0x7ff) / 8, E2K_NR_WREGS);
    env->wd_psize = MIN(((wd >> 32) & 0x7ff) / 8, E2K_NR_WREGS);
    env->wd_fx = (wd >> 48) & 1;
}

uint64_t e2k_get_br(const E2KCPUState *env)
{
    return (env->br_base / 2) | ((uint64_t)(env->br_size / 2 - 1) << 6) |
           ((uint64_t)(env->br_cur / 2) << 12) |
           ((uint64_t)env->br_psz << 18) | ((uint64_t)env->br_pcur << 23);
}

void e2k_set_br(E2KCPUState *env, uint64_t br)
{
    env->br_base = (br & 0x3f) * 2;
    env->br_size = (((br >> 6) & 0x3f) + 1) * 2;
    env->br_cur = ((br >> 12) & 0x3f) * 2;
    if (env->br_cur >= env->br_size) {
        env->br_cur %= env->br_size;
    }
    env->br_psz = (br >> 18) & 0x1f;
    env->br_pcur = (br >> 23) & 0x1f;
    if (env->br_pcur > env->br_psz) {
        env->br_pcur %= env->br_psz + 1;
    }
}

/* ---- state registers ------------------------------------------------- */

static const char *const sr_names[256] = {
    [0x00] = "%psr", [0x01] = "%wd", [0x04] = "%core_mode",
    [0x06] = "%cwd", [0x07] = "%psp.hi", [0x09] = "%psp.lo",
    [0x0b] = "%pshtp", [0x0d] = "%pcsp.hi", [0x0f] = "%pcsp.lo",
    [0x13] = "%pcshtp", [0x15] = "%ctpr1", [0x16] = "%ctpr2",
    [0x17] = "%ctpr3", [0x1e] = "%sbr", [0x21] = "%cutd", [0x23] = "%eir",
    [0x25] = "%cuir", [0x26] = "%oscud.hi", [0x27] = "%oscud.lo",
    [0x28] = "%osgd.hi", [0x29] = "%osgd.lo", [0x2a] = "%osem",
    [0x2c] = "%usd.hi", [0x2d] = "%usd.lo", [0x2f] = "%osr0",
    [0x30] = "%cud.hi", [0x31] = "%cud.lo", [0x32] = "%gd.hi",
    [0x33] = "%gd.lo", [0x34] = "%cs.hi", [0x35] = "%cs.lo",
    [0x36] = "%ds.hi", [0x37] = "%ds.lo", [0x38] = "%es.hi",
    [0x39] = "%es.lo", [0x3a] = "%fs.hi", [0x3b] = "%fs.lo",
    [0x3c] = "%gs.hi", [0x3d] = "%gs.lo", [0x3e] = "%ss.hi",
    [0x3f] = "%ss.lo",
    [0x40] = "%dibcr", [0x41] = "%dimcr", [0x42] = "%dibsr",
    [0x43] = "%dtcr", [0x48] = "%dibar0", [0x49] = "%dibar1",
    [0x4a] = "%dibar2", [0x4b] = "%dibar3", [0x4c] = "%dimar0",
    [0x4d] = "%dimar1", [0x4e] = "%dtarf", [0x4f] = "%dtart",
    [0x51] = "%cr0.hi", [0x53] = "%cr0.lo", [0x55] = "%cr1.hi",
    [0x57] = "%cr1.lo",
    [0x80] = "%upsr", [0x81] = "%ip", [0x82] = "%nip", [0x83] = "%lsr",
    [0x84] = "%pfpfr", [0x85] = "%fpcr", [0x86] = "%fpsr",
    [0x87] = "%ilcr", [0x88] = "%br", [0x89] = "%bgr", [0x8a] = "%idr",
    [0x90] = "%clkr", [0x9c] = "%tir.hi", [0x9d] = "%tir.lo",
};

const char *e2k_sr_name(unsigned num)
{
    return num < 256 ? sr_names[num] : NULL;
}

static bool sr_privileged(unsigned num)
{
    return num < 0x80 && !(num >= 0x15 && num <= 0x17);
}

/* Address of the current chain frame's field at @off (CR0/CR1 access). */
static uint64_t cr_addr(E2KCPUState *env, unsigned off)
{
    return (env->pcsp_lo & E2K_DESC_BASE_MASK) +
           (uint32_t)env->pcsp_hi + off;
}

static int cr_offset(unsigned num)
{
    switch (num) {
    case 0x53: return 0;    /* cr0.lo */
    case 0x51: return 8;    /* cr0.hi */
    case 0x57: return 16;   /* cr1.lo */
    default: return 24;     /* cr1.hi */
    }
}

int e2k_sr_read(E2KCPUState *env, unsigned num, uint64_t *val)
{
    if (num >= 256 || !sr_names[num]) {
        return E2K_EXCP_ILLEGAL_OPCODE;
    }
    if (sr_privileged(num) && !(env->psr & E2K_PSR_PM)) {
        return E2K_EXCP_PRIV_ACTION;
    }
    switch (num) {
    case 0x00: *val = env->psr; break;
    case 0x01: *val = e2k_get_wd(env); break;
    case 0x04: *val = env->core_mode; break;
    case 0x07: *val = env->psp_hi; break;
    case 0x09: *val = env->psp_lo; break;
    case 0x0b: *val = env->pshtp; break;
    case 0x0d: *val = env->pcsp_hi; break;
    case 0x0f: *val = env->pcsp_lo; break;
    case 0x13: *val = env->pcshtp; break;
    case 0x15: case 0x16: case 0x17: *val = env->ctpr[num - 0x14]; break;
    case 0x1e: *val = env->sbr; break;
    case 0x25: *val = env->cuir; break;
    case 0x2c: *val = env->usd_hi; break;
    case 0x2d: *val = env->usd_lo; break;
    case 0x51: case 0x53: case 0x55: case 0x57:
        if (!e2k_mem_read(env, cr_addr(env, cr_offset(num)), val, 8)) {
            return E2K_EXCP_DATA_PAGE;
        }
        *val = le64_to_cpu_e2k(*val);
        break;
    case 0x80: *val = env->upsr; break;
    case 0x81: *val = env->ip; break;
    case 0x82: *val = env->nip; break;
    case 0x83: *val = env->lsr; break;
    case 0x87: *val = env->ilcr; break;
    case 0x88: *val = e2k_get_br(env); break;
    case 0x8a: *val = env->idr; break;
    case 0x90: *val = env->icount; break;
    default: *val = env->misc_sr[num]; break;
    }
    return -1;
}

int e2k_sr_write_check(E2KCPUState *env, unsigned num)
{
    if (num >= 256 || !sr_names[num] || num == 0x81 || num == 0x8a) {
        return E2K_EXCP_ILLEGAL_OPCODE;
    }
    if (sr_privileged(num) && !(env->psr & E2K_PSR_PM)) {
        return E2K_EXCP_PRIV_ACTION;
    }
    return -1;
}

int e2k_sr_write(E2KCPUState *env, unsigned num, uint64_t val)
{
    int excp = e2k_sr_write_check(env, num);

    if (excp >= 0) {
        return excp;
    }
    switch (num) {
    case 0x00: env->psr = val & 0x7f; break;
    case 0x01: set_wd(env, val); break;
    case 0x04: env->core_mode = val; break;
    case 0x07: env->psp_hi = val; break;
    case 0x09: env->psp_lo = val; break;
    case 0x0b: env->pshtp = val; break;
    case 0x0d: env->pcsp_hi = val; break;
    case 0x0f: env->pcsp_lo = val; break;
    case 0x13: env->pcshtp = val; break;
    case 0x15: case 0x16: case 0x17: env->ctpr[num - 0x14] = val; break;
    case 0x1e: env->sbr = val; break;
    case 0x25: env->cuir = val; break;
    case 0x2c: env->usd_hi = val; break;
    case 0x2d: env->usd_lo = val; break;
    case 0x51: case 0x53: case 0x55: case 0x57:
        val = le64_to_cpu_e2k(val);
        if (!e2k_mem_write(env, cr_addr(env, cr_offset(num)), &val, 8)) {
            return E2K_EXCP_DATA_PAGE;
        }
        break;
    case 0x80: env->upsr = val; break;
    case 0x82: env->nip = val; break;
    case 0x83: env->lsr = val; break;
    case 0x87: env->ilcr = val; break;
    case 0x88: e2k_set_br(env, val); break;
    default: env->misc_sr[num] = val; break;
    }
    return -1;
}

/* ---- dump ------------------------------------------------------------ */

const char *e2k_excp_name(int excp)
{
    switch (excp) {
    case E2K_EXCP_ILLEGAL_OPCODE: return "illegal_opcode";
    case E2K_EXCP_PRIV_ACTION: return "priv_action";
    case E2K_EXCP_FP_DISABLED: return "fp_disabled";
    case E2K_EXCP_ILLEGAL_INSTR_ADDR: return "illegal_instr_addr";
    case E2K_EXCP_WINDOW_BOUNDS: return "window_bounds";
    case E2K_EXCP_USER_STACK_BOUNDS: return "user_stack_bounds";
    case E2K_EXCP_PROC_STACK_BOUNDS: return "proc_stack_bounds";
    case E2K_EXCP_CHAIN_STACK_BOUNDS: return "chain_stack_bounds";
    case E2K_EXCP_ILLEGAL_OPERAND: return "illegal_operand";
    case E2K_EXCP_ARRAY_BOUNDS: return "array_bounds";
    case E2K_EXCP_ACCESS_RIGHTS: return "access_rights";
    case E2K_EXCP_ADDR_NOT_ALIGNED: return "addr_not_aligned";
    case E2K_EXCP_INSTR_PAGE_MISS: return "instr_page_miss";
    case E2K_EXCP_DATA_PAGE: return "data_page";
    case E2K_EXCP_DIV: return "div";
    case E2K_EXCP_HALT: return "halt";
    case E2K_EXCP_STOP: return "stop";
    default: return "unknown";
    }
}

void e2k_cpu_dump_state(E2KCPUState *env, FILE *f)
{
    unsigned i;

    fprintf(f, " ip = 0x%016" PRIx64 "  psr = 0x%02" PRIx64
            "  upsr = 0x%04" PRIx64 "\n", env->ip, env->psr, env->upsr);
    fprintf(f, " wd: base = %u size = %u psize = %u fx = %d dbl = %d"
            "  pshtp = 0x%" PRIx64 "\n", env->wd_base, env->wd_size,
            env->wd_psize, env->wd_fx, env->wd_dbl, env->pshtp);
    fprintf(f, " br: base = %u size = %u cur = %u psz = %u pcur = %u\n",
            env->br_base, env->br_size, env->br_cur, env->br_psz,
            env->br_pcur);
    for (i = 1; i <= 3; i++) {
        fprintf(f, " ctpr%u = 0x%016" PRIx64 "%s", i, env->ctpr[i],
                i == 3 ? "\n" : "");
    }
    fprintf(f, " psp.lo = 0x%016" PRIx64 " psp.hi = 0x%016" PRIx64 "\n",
            env->psp_lo, env->psp_hi);
    fprintf(f, " pcsp.lo = 0x%016" PRIx64 " pcsp.hi = 0x%016" PRIx64 "\n",
            env->pcsp_lo, env->pcsp_hi);
    fprintf(f, " usd.lo = 0x%016" PRIx64 " usd.hi = 0x%016" PRIx64
            " sbr = 0x%016" PRIx64 "\n", env->usd_lo, env->usd_hi,
            env->sbr);
    fprintf(f, " lsr = 0x%016" PRIx64 " pred = 0x%08" PRIx32 "\n",
            env->lsr, env->pred);
    for (i = 0; i < env->wd_size; i++) {
        fprintf(f, " %%dr%-3u = 0x%016" PRIx64 "%s", i, env->regs[i],
                (i % 3 == 2) ? "\n" : "");
    }
    if (env->wd_size % 3) {
        fprintf(f, "\n");
    }
    for (i = 0; i < E2K_NR_GREGS; i++) {
        fprintf(f, " %%dg%-3u = 0x%016" PRIx64 "%s", i,
                env->regs[E2K_GREG_BASE + i], (i % 3 == 2) ? "\n" : "");
    }
    fprintf(f, "\n");
}

/* ---- -d items -------------------------------------------------------- */

static const struct {
    const char *name;
    unsigned flag;
    const char *help;
} log_items[] = {
    { "in_asm", E2K_LOG_IN_ASM, "show target assembly code for each "
      "compiled TB" },
    { "exec", E2K_LOG_EXEC, "show trace before each executed TB (lots of "
      "logs)" },
    { "cpu", E2K_LOG_CPU, "show CPU registers before entering a TB (lots of "
      "logs)" },
};

int e2k_log_parse(const char *items)
{
    g_auto(GStrv) parts = g_strsplit(items, ",", -1);
    unsigned flags = 0;
    int i, j;

    for (i = 0; parts[i]; i++) {
        bool found = false;

        if (!strcmp(parts[i], "all")) {
            flags |= E2K_LOG_IN_ASM | E2K_LOG_EXEC | E2K_LOG_CPU;
            continue;
        }
        for (j = 0; j < (int)ARRAY_SIZE(log_items); j++) {
            if (!strcmp(parts[i], log_items[j].name)) {
                flags |= log_items[j].flag;
                found = true;
            }
        }
        if (!found) {
            return -1;
        }
    }
    return flags;
}

void e2k_log_help(FILE *f)
{
    int j;

    fprintf(f, "Log items (comma separated):\n");
    for (j = 0; j < (int)ARRAY_SIZE(log_items); j++) {
        fprintf(f, "%-15s %s\n", log_items[j].name, log_items[j].help);
    }
}
