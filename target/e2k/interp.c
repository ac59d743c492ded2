/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K interpreter: the decoded-bundle cache (one slot per 8-byte position,
 * grouped by 4 KiB page, dropped when the page is written) and the bundle
 * executor.  A bundle runs in the order of ISA-NOTES 4.9: setwd, window
 * checks, CS0, CT condition (old predicates), ALS ops (as if all operands
 * were read before any result is written), PLS, flushr, setbn/setbp,
 * rotations, transfer.  The ALS operations themselves are in alops.c.inc.
 */
#include "qemu/osdep.h"
#include "target/e2k/internal.h"
#include "disas/e2k.h"

#define SLOTS_PER_PAGE  (E2K_PAGE_SIZE / 8)

/*
 * Slots are never freed while the CPU exists, so bundles can point at
 * their successors (next_fall/next_taken); a stale pointer is caught by
 * checking the slot's ip and valid flag before following it.
 */
typedef struct E2KTBPage {
    uint64_t page;
    E2KBundle b[SLOTS_PER_PAGE];
} E2KTBPage;

static void tb_page_invalidate(E2KTBPage *p, unsigned from)
{
    unsigned i;

    for (i = from; i < SLOTS_PER_PAGE; i++) {
        p->b[i].valid = 0;
    }
}

struct E2KTBCache {
    GHashTable *pages;      /* guest page number -> E2KTBPage */
    E2KTBPage *last;
};

E2KTBCache *e2k_tbc_new(void)
{
    E2KTBCache *tbc = g_new0(E2KTBCache, 1);

    tbc->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                       g_free);
    return tbc;
}

void e2k_tbc_free(E2KTBCache *tbc)
{
    if (tbc) {
        g_hash_table_destroy(tbc->pages);
        g_free(tbc);
    }
}

static E2KTBPage *tb_page_get(E2KTBCache *tbc, uint64_t page, bool create)
{
    E2KTBPage *p = g_hash_table_lookup(tbc->pages, &page);

    if (!p && create) {
        /* zeroed (all slots invalid) lazily by the host's page allocator */
        p = g_malloc0(sizeof(*p));
        p->page = page;
        g_hash_table_insert(tbc->pages, &p->page, p);
    }
    return p;
}

static void tb_page_clear(E2KTBCache *tbc, uint64_t page, unsigned from)
{
    E2KTBPage *p = tb_page_get(tbc, page, false);

    if (p) {
        tb_page_invalidate(p, from);
    }
}

void e2k_tb_flush(E2KCPUState *env)
{
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, env->tbc->pages);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        tb_page_invalidate(v, 0);
    }
}

void e2k_tb_invalidate_range(E2KCPUState *env, E2KMemRegion *r,
                             uint64_t addr, uint64_t len)
{
    uint64_t first, last, pg;

    if (!r->code_pages || !len) {
        return;
    }
    first = (addr - r->base) >> E2K_PAGE_BITS;
    last = (addr + len - 1 - r->base) >> E2K_PAGE_BITS;
    for (pg = first; pg <= last; pg++) {
        uint64_t gpage = (r->base >> E2K_PAGE_BITS) + pg;

        if (!r->code_pages[pg]) {
            continue;
        }
        r->code_pages[pg] = 0;
        tb_page_clear(env->tbc, gpage, 0);
        /* bundles of the previous page that run into this one */
        tb_page_clear(env->tbc, gpage - 1,
                      SLOTS_PER_PAGE - E2K_MAX_BUNDLE / 8);
    }
}

static void mark_code(E2KMemRegion *r, uint64_t addr, unsigned len)
{
    uint64_t pg;

    if (!r->code_pages) {
        r->code_pages = g_malloc0((r->size + E2K_PAGE_SIZE - 1) >>
                                  E2K_PAGE_BITS);
    }
    for (pg = (addr - r->base) >> E2K_PAGE_BITS;
         pg <= (addr + len - 1 - r->base) >> E2K_PAGE_BITS; pg++) {
        r->code_pages[pg] = 1;
    }
}

static void log_in_asm(E2KCPUState *env, const uint8_t *buf, unsigned len,
                       uint64_t ip)
{
    g_autoptr(GString) s = g_string_new(NULL);

    e2k_disas_bundle(s, buf, len, ip);
    fprintf(env->logfile, "----------------\nIN: \n0x%016" PRIx64 ":  %s\n",
            ip, s->str);
}

static const uint64_t *operand_ptr(E2KCPUState *env, unsigned kind,
                                   unsigned idx, const uint64_t *imm)
{
    switch (kind) {
    case E2K_OPK_R:
        return &env->regs[idx];
    case E2K_OPK_G:
        return &env->regs[E2K_GREG_BASE + idx];
    case E2K_OPK_IMM:
        return imm;
    default:
        return NULL;        /* %b[]: depends on BR at run time */
    }
}

/* Points the operands of every ALS at their storage (see E2KAlop). */
static void resolve_operands(E2KCPUState *env, E2KBundle *b)
{
    int i;

    for (i = 0; i < b->nalops; i++) {
        E2KAlop *a = &b->al[i];

        a->s1p = operand_ptr(env, a->s1k, a->s1i, &a->imm1);
        a->s2p = operand_ptr(env, a->s2k, a->s2i, &a->imm2);
        a->s3p = operand_ptr(env, a->s3k, a->s3i, NULL);
        a->dp = (uint64_t *)operand_ptr(env, a->dk, a->di, NULL);
        if (a->dk == E2K_OPK_EMPTY) {
            a->dp = &env->sink;
        }
    }
}

/* Decodes the bundle at @ip into @b; returns -1 or the fetch exception. */
static int tb_fill(E2KCPUState *env, uint64_t ip, E2KBundle *b)
{
    E2KMemRegion *r = e2k_cpu_find_region(env, ip, 8);
    E2KRawBundle rb;
    const uint8_t *buf;
    uint64_t avail;
    unsigned len;

    if (!r || !r->host) {
        return E2K_EXCP_INSTR_PAGE_MISS;
    }
    buf = r->host + (ip - r->base);
    avail = MIN(r->size - (ip - r->base), E2K_MAX_BUNDLE);
    len = e2k_unpack_bundle(buf, avail, &rb);
    if (env->log_flags & E2K_LOG_IN_ASM) {
        log_in_asm(env, buf, avail, ip);
    }
    if (!len) {
        memset(b, 0, sizeof(*b));
        b->ip = ip;
        b->len = 8;
        b->flags = E2K_BF_ILLEGAL;
        mark_code(r, ip, 8);
        return -1;
    }
    e2k_decode_bundle(&rb, ip, b);
    resolve_operands(env, b);
    mark_code(r, ip, len);
    return -1;
}

static inline E2KBundle *tb_lookup(E2KCPUState *env, uint64_t ip, int *excp)
{
    E2KTBCache *tbc = env->tbc;
    uint64_t page = ip >> E2K_PAGE_BITS;
    unsigned slot = (ip & (E2K_PAGE_SIZE - 1)) >> 3;
    E2KTBPage *p = tbc->last;

    if (unlikely(ip & 7)) {
        *excp = E2K_EXCP_ILLEGAL_INSTR_ADDR;
        return NULL;
    }
    if (unlikely(!p || p->page != page)) {
        p = tb_page_get(tbc, page, true);
        tbc->last = p;
    }
    if (unlikely(!p->b[slot].valid)) {
        *excp = tb_fill(env, ip, &p->b[slot]);
        if (*excp >= 0) {
            return NULL;
        }
        p->b[slot].valid = 1;
    }
    return &p->b[slot];
}

#include "target/e2k/alops.c.inc"

/* ---- conditions ------------------------------------------------------ */

/*
 * Loop counters (LSR, ISA-NOTES 4.8; the exact rules are not documented
 * in our sources [U]): the last iteration is lcnt < 2; #LOOP_END holds on
 * the last iteration once the epilogue counter is used up, for a loop
 * whose counter is valid (vlc).
 */
#define LSR_LCNT(lsr)   ((uint32_t)(lsr))
#define LSR_ECNT_SHIFT  32
#define LSR_VLC         (1ull << 37)
#define LSR_PCNT_SHIFT  48

static bool loop_end(const E2KCPUState *env)
{
    return (env->lsr & LSR_VLC) && LSR_LCNT(env->lsr) < 2 &&
           !((env->lsr >> LSR_ECNT_SHIFT) & 0x1f);
}

/* alc: advance the loop counters by one iteration */
static void advance_loop_counters(E2KCPUState *env)
{
    uint64_t lsr = env->lsr;
    unsigned ecnt = (lsr >> LSR_ECNT_SHIFT) & 0x1f;
    unsigned pcnt = (lsr >> LSR_PCNT_SHIFT) & 0x1f;

    if (!(lsr & LSR_VLC)) {
        return;
    }
    if (LSR_LCNT(lsr) < 2 && ecnt) {
        ecnt--;             /* epilogue iterations */
    }
    if (LSR_LCNT(lsr)) {
        lsr--;
    }
    if (pcnt) {
        pcnt--;             /* prologue iterations */
    }
    lsr &= ~((0x1full << LSR_ECNT_SHIFT) | (0x1full << LSR_PCNT_SHIFT));
    env->lsr = lsr | ((uint64_t)ecnt << LSR_ECNT_SHIFT) |
               ((uint64_t)pcnt << LSR_PCNT_SHIFT);
}

static inline bool ct_cond(const E2KCPUState *env, const E2KBundle *b)
{
    bool p = (env->pred >> e2k_pred_index(env, b->cond_pred)) & 1;

    switch (b->cond_type) {
    case 1: return true;
    case 2: return p;
    case 3: return !p;
    case 4: return loop_end(env);
    case 5: return !loop_end(env);
    case 6: return p || loop_end(env);
    case 7: return !p && !loop_end(env);
    case 0xe: return !p || loop_end(env);
    case 0xf: return p && !loop_end(env);
    default: return false;
    }
}

static void do_rotations(E2KCPUState *env, unsigned rot, bool cond)
{
    /* rot: bit 6 abnf, 5 abnt, 3 abpf, 2 abpt, 1 alcf, 0 alct */
    if ((cond && (rot & 0x20)) || (!cond && (rot & 0x40))) {
        env->br_cur = (env->br_cur + env->br_size - 2) % env->br_size;
    }
    if ((cond && (rot & 0x04)) || (!cond && (rot & 0x08))) {
        env->br_pcur = (env->br_pcur + env->br_psz) % (env->br_psz + 1);
    }
    if ((cond && (rot & 0x01)) || (!cond && (rot & 0x02))) {
        advance_loop_counters(env);
    }
}

/* ---- transfer -------------------------------------------------------- */

static int do_transfer(E2KCPUState *env, const E2KBundle *b, uint64_t next)
{
    uint64_t ctpr;
    unsigned tag;

    if (!b->ctop) {
        env->ip = b->target;        /* ibranch */
        return -1;
    }
    ctpr = env->ctpr[b->ctop];
    tag = (ctpr >> E2K_CTPR_TAG_SHIFT) & 7;
    if (b->flags & E2K_BF_CALL) {
        if (tag == E2K_CTPR_TAG_DISP) {
            return e2k_do_call(env, b->wbs, ctpr & E2K_CTPR_ADDR_MASK, next);
        }
        if (tag == E2K_CTPR_TAG_SDISP) {
            return e2k_do_syscall(env, b->wbs, ctpr & E2K_CTPR_ADDR_MASK,
                                  next);
        }
        return E2K_EXCP_ILLEGAL_OPCODE;
    }
    if (tag == E2K_CTPR_TAG_DISP) {
        env->ip = ctpr & E2K_CTPR_ADDR_MASK;
        return -1;
    }
    if (tag == E2K_CTPR_TAG_RETURN) {
        return e2k_do_return(env);
    }
    return E2K_EXCP_ILLEGAL_OPCODE;
}

/* Bundle parts that are rare in hot loops. */
static int bundle_prologue(E2KCPUState *env, const E2KBundle *b)
{
    uint32_t fl = b->flags;

    if (fl & E2K_BF_ILLEGAL) {
        return E2K_EXCP_ILLEGAL_OPCODE;
    }
    if (fl & E2K_BF_HALT) {
        env->exit_code = b->halt_code;
        return E2K_EXCP_HALT;
    }
    if (fl & E2K_BF_SETWD) {
        int excp = e2k_do_setwd(env, b->setwd);

        if (excp >= 0) {
            return excp;
        }
    }
    if (fl & E2K_BF_DISP) {
        env->ctpr[b->ctpr_n] = (b->target & E2K_CTPR_ADDR_MASK) |
            ((uint64_t)E2K_CTPR_TAG_DISP << E2K_CTPR_TAG_SHIFT);
    } else if (fl & E2K_BF_SDISP) {
        env->ctpr[b->ctpr_n] = b->target |
            ((uint64_t)E2K_CTPR_TAG_SDISP << E2K_CTPR_TAG_SHIFT);
    } else if (fl & E2K_BF_RETURN) {
        env->ctpr[3] = e2k_top_frame_ip(env) |
            ((uint64_t)E2K_CTPR_TAG_RETURN << E2K_CTPR_TAG_SHIFT);
    }
    return -1;
}

#define SLOW_FLAGS (E2K_BF_ILLEGAL | E2K_BF_HALT | E2K_BF_SETWD | \
                    E2K_BF_DISP | E2K_BF_SDISP | E2K_BF_RETURN)
#define LATE_FLAGS (E2K_BF_SETBN | E2K_BF_SETBP | E2K_BF_ROT | E2K_BF_FLUSHR)

static inline int exec_bundle(E2KCPUState *env, const E2KBundle *b)
{
    uint32_t fl = b->flags;
    uint32_t pred0 = env->pred;
    bool cond = false;
    int excp;

    if (unlikely(fl & SLOW_FLAGS)) {
        excp = bundle_prologue(env, b);
        if (excp >= 0) {
            return excp;
        }
    }
    if (unlikely(b->max_r > env->wd_size)) {
        return E2K_EXCP_WINDOW_BOUNDS;
    }
    if (unlikely(b->max_b) && (b->max_b > env->br_size ||
                               env->br_base + env->br_size > env->wd_size)) {
        return E2K_EXCP_WINDOW_BOUNDS;
    }
    if (fl & E2K_BF_CT) {
        cond = ct_cond(env, b);
    }
    if (b->nalops) {
        excp = exec_alops(env, b, pred0);
        if (unlikely(excp >= 0)) {
            return excp;
        }
    }
    if (unlikely(fl & E2K_BF_PLS)) {
        exec_pls(env, b, pred0);
    }
    if (unlikely(fl & LATE_FLAGS)) {
        if (fl & E2K_BF_FLUSHR) {
            excp = e2k_do_flushr(env);
            if (excp >= 0) {
                return excp;
            }
        }
        e2k_do_setbr(env, b->setbr, fl & E2K_BF_SETBN, fl & E2K_BF_SETBP);
        if (fl & E2K_BF_ROT) {
            do_rotations(env, b->rot, cond);
        }
    }
    if (cond) {
        return do_transfer(env, b, b->ip + b->len);
    }
    env->ip = b->ip + b->len;
    return -1;
}

static void log_exec(E2KCPUState *env)
{
    if (env->log_flags & E2K_LOG_CPU) {
        e2k_cpu_dump_state(env, env->logfile);
    }
    if (env->log_flags & E2K_LOG_EXEC) {
        fprintf(env->logfile, "Trace 0: 0x%016" PRIx64 " [%016" PRIx64
                "] icount %" PRIu64 "\n", env->ip, env->ip, env->icount);
    }
}

static int finish(E2KCPUState *env, uint64_t ip, int excp)
{
    if (excp != E2K_EXCP_HALT && excp != E2K_EXCP_STOP) {
        env->ip = ip;
    }
    env->excp = excp;
    return excp;
}

/* The bundle at env->ip, through @prev's successor cache if possible. */
static inline E2KBundle *next_bundle(E2KCPUState *env, E2KBundle *prev,
                                     int *excp)
{
    uint64_t ip = env->ip;
    bool fall = ip == prev->ip + prev->len;
    E2KBundle *nb = fall ? prev->next_fall : prev->next_taken;

    if (likely(nb && nb->ip == ip && nb->valid)) {
        return nb;
    }
    nb = tb_lookup(env, ip, excp);
    if (nb) {
        if (fall) {
            prev->next_fall = nb;
        } else {
            prev->next_taken = nb;
        }
    }
    return nb;
}

int e2k_cpu_exec(E2KCPUState *env)
{
    uint64_t limit = env->budget ? env->icount + env->budget : UINT64_MAX;
    bool logging = env->log_flags & (E2K_LOG_CPU | E2K_LOG_EXEC);
    E2KBundle *b;
    int excp;

    env->excp = -1;
    b = tb_lookup(env, env->ip, &excp);
    if (unlikely(!b)) {
        return finish(env, env->ip, excp);
    }
    for (;;) {
        uint64_t ip = env->ip;

        if (unlikely(env->icount >= limit)) {
            return finish(env, ip, E2K_EXCP_STOP);
        }
        if (unlikely(logging)) {
            log_exec(env);
        }
        excp = exec_bundle(env, b);
        if (unlikely(excp >= 0)) {
            if (excp == E2K_EXCP_HALT) {
                env->icount++;
            }
            return finish(env, ip, excp);
        }
        env->icount++;
        b = next_bundle(env, b, &excp);
        if (unlikely(!b)) {
            return finish(env, env->ip, excp);
        }
    }
}
