/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Declarations shared by the files of target/e2k only: the decoded-bundle
 * cache, procedure call/return and window helpers (control.c), and small
 * inline accessors for predicates and rotating registers.
 */
#ifndef TARGET_E2K_INTERNAL_H
#define TARGET_E2K_INTERNAL_H

#include "target/e2k/cpu.h"
#include "target/e2k/decode.h"

QEMU_BUILD_BUG_MSG(HOST_WORDS_BIGENDIAN, "E2K emulation assumes an LE host");
#define le64_to_cpu_e2k(x) (x)

/* decoded-bundle cache (interp.c) */
E2KTBCache *e2k_tbc_new(void);
void e2k_tbc_free(E2KTBCache *tbc);
/* Forgets the bundles of every page [addr, addr + len) touches in @r. */
void e2k_tb_invalidate_range(E2KCPUState *env, E2KMemRegion *r,
                             uint64_t addr, uint64_t len);

/*
 * control.c.  Each returns -1 on success or the E2K_EXCP_* to raise; on
 * success env->ip is the next bundle's address.
 */
int e2k_do_setwd(E2KCPUState *env, uint32_t lts0);
void e2k_do_setbr(E2KCPUState *env, uint32_t cs1, bool bn, bool bp);
int e2k_do_call(E2KCPUState *env, unsigned wbs, uint64_t target,
                uint64_t ret_ip);
int e2k_do_return(E2KCPUState *env);
int e2k_do_flushr(E2KCPUState *env);
int e2k_do_syscall(E2KCPUState *env, unsigned wbs, uint64_t entry,
                   uint64_t ret_ip);
/* Return address of the top chain frame, for `return` (0 if none). */
uint64_t e2k_top_frame_ip(E2KCPUState *env);

static inline void e2k_clear_ctpr_tags(E2KCPUState *env)
{
    env->ctpr[1] &= ~E2K_CTPR_TAG_MASK;
    env->ctpr[2] &= ~E2K_CTPR_TAG_MASK;
    env->ctpr[3] &= ~E2K_CTPR_TAG_MASK;
}

/* Physical predicate number of %predN (rotating area, ISA-NOTES 2.6). */
static inline unsigned e2k_pred_index(const E2KCPUState *env, unsigned n)
{
    if (unlikely(env->br_psz) && n <= env->br_psz) {
        return (env->br_pcur + n) % (env->br_psz + 1);
    }
    return n;
}

/* Window register index of %b[n] (n < br_size, checked per bundle). */
static inline unsigned e2k_breg_index(const E2KCPUState *env, unsigned n)
{
    unsigned x = env->br_cur + n;

    if (x >= env->br_size) {
        x -= env->br_size;
    }
    return env->br_base + x;
}

/* Predicate files as CR0.lo stores them: value bit 2n, tag bit 2n+1. */
static inline uint64_t e2k_pack_preds(uint32_t pred)
{
    uint64_t v = 0;
    int i;

    for (i = 0; i < 32; i++) {
        v |= (uint64_t)((pred >> i) & 1) << (2 * i);
    }
    return v;
}

static inline uint32_t e2k_unpack_preds(uint64_t v)
{
    uint32_t p = 0;
    int i;

    for (i = 0; i < 32; i++) {
        p |= (uint32_t)((v >> (2 * i)) & 1) << i;
    }
    return p;
}

#endif /* TARGET_E2K_INTERNAL_H */
