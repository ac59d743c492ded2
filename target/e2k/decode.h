/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K bundle decoding: splitting a wide instruction into its syllables
 * (ISA-NOTES 1.3/1.4) and turning the syllables into the compact form the
 * interpreter executes.  Shared by the interpreter, the disassembler and
 * the unit tests; knows nothing about CPU state.
 */
#ifndef TARGET_E2K_DECODE_H
#define TARGET_E2K_DECODE_H

#define E2K_MAX_BUNDLE  64

/* Syllables of one bundle, as found in memory. */
typedef struct E2KRawBundle {
    uint32_t len;           /* bytes */
    uint32_t hs;
    uint32_t ss;
    uint32_t als[6];
    uint16_t ales[6];
    uint32_t cs0, cs1;
    uint32_t lts[4];
    uint32_t pls[3];
    uint32_t cds[3];
    uint16_t aas[6];
    bool has_ss, has_cs0, has_cs1;
    uint8_t als_mask;       /* bit i: ALSi present */
    uint8_t ales_mask;      /* bit i: ALESi present */
    uint8_t nlts, npls, ncds;
    bool has_ales25_word;
} E2KRawBundle;

/*
 * Splits the bundle at @buf (@avail bytes readable) into @rb.  Returns the
 * bundle length, or 0 if the layout is invalid (illegal opcode).
 */
unsigned e2k_unpack_bundle(const uint8_t *buf, size_t avail,
                           E2KRawBundle *rb);

/* ---- compact form ---------------------------------------------------- */

/* Operand kinds */
enum {
    E2K_OPK_R,              /* %rN: regs[idx] */
    E2K_OPK_B,              /* %b[N]: rotating */
    E2K_OPK_G,              /* %gN: regs[224 + idx] */
    E2K_OPK_IMM,            /* immediate or literal in .imm */
    E2K_OPK_CTPR,           /* dst only: %ctprN */
    E2K_OPK_EMPTY,          /* dst only: discarded */
};

/* Interpreter operations (one per ALU semantics, width folded in). */
typedef enum E2KOp {
    E2K_OP_ANDS, E2K_OP_ANDD, E2K_OP_ANDNS, E2K_OP_ANDND,
    E2K_OP_ORS, E2K_OP_ORD, E2K_OP_ORNS, E2K_OP_ORND,
    E2K_OP_XORS, E2K_OP_XORD, E2K_OP_XORNS, E2K_OP_XORND,
    E2K_OP_SXT, E2K_OP_MERGES, E2K_OP_MERGED,
    E2K_OP_ADDS, E2K_OP_ADDD, E2K_OP_SUBS, E2K_OP_SUBD,
    E2K_OP_SCLS, E2K_OP_SCLD, E2K_OP_SCRS, E2K_OP_SCRD,
    E2K_OP_SHLS, E2K_OP_SHLD, E2K_OP_SHRS, E2K_OP_SHRD,
    E2K_OP_SARS, E2K_OP_SARD, E2K_OP_GETFS, E2K_OP_GETFD,
    E2K_OP_CMPSB, E2K_OP_CMPDB, E2K_OP_CMPANDSB, E2K_OP_CMPANDDB,
    E2K_OP_MULS, E2K_OP_MULD, E2K_OP_UMULX, E2K_OP_SMULX,
    E2K_OP_UDIVS, E2K_OP_UDIVD, E2K_OP_SDIVS, E2K_OP_SDIVD,
    E2K_OP_LDB, E2K_OP_LDH, E2K_OP_LDW, E2K_OP_LDD,
    E2K_OP_STB, E2K_OP_STH, E2K_OP_STW, E2K_OP_STD,
    E2K_OP_MOVTS, E2K_OP_MOVTD,
    E2K_OP_RWS, E2K_OP_RWD, E2K_OP_RRS, E2K_OP_RRD,
    E2K_OP__COUNT
} E2KOp;

#define E2K_PRED_NONE   0xff

/* How a result is written back (decided at decode time). */
enum {
    E2K_WB_NONE,            /* stores, %empty */
    E2K_WB_R64,             /* whole register */
    E2K_WB_R32,             /* low half (high kept unless WD.dbl) */
    E2K_WB_PRED,            /* compare result into %predN */
    E2K_WB_CTPR,            /* movtd to %ctprN */
    E2K_WB_SR,              /* rws/rwd */
};

typedef struct E2KAlop {
    uint8_t op;             /* E2KOp */
    uint8_t chan;
    uint8_t wb;             /* E2K_WB_* */
    uint8_t s1k, s1i;       /* src1 kind/index */
    uint8_t s2k, s2i;
    uint8_t s3k, s3i;       /* store data */
    uint8_t dk, di;         /* destination */
    uint8_t aux;            /* cmp code / state register number */
    uint8_t mas;
    uint8_t sm;             /* speculative */
    uint8_t rlp_src, rlp_neg;   /* E2K_PRED_NONE = unconditional */
    uint8_t mrg_src, mrg_neg;   /* merge selector */
    uint64_t imm1, imm2;
    /*
     * Filled by the interpreter when it caches the bundle: where the
     * operands live (a register, or imm1/imm2), NULL for %b[] operands
     * (rotating: resolved per execution).  dp likewise for the result.
     */
    const uint64_t *s1p, *s2p, *s3p;
    uint64_t *dp;
} E2KAlop;

/* Bundle flags */
enum {
    E2K_BF_SETWD    = 1u << 0,
    E2K_BF_SETBN    = 1u << 1,
    E2K_BF_SETBP    = 1u << 2,
    E2K_BF_CALL     = 1u << 3,
    E2K_BF_HALT     = 1u << 4,
    E2K_BF_CT       = 1u << 5,  /* SS with a transfer (ct/call/ibranch) */
    E2K_BF_IBRANCH  = 1u << 6,
    E2K_BF_DISP     = 1u << 7,  /* CS0 disp/ldisp */
    E2K_BF_SDISP    = 1u << 8,
    E2K_BF_RETURN   = 1u << 9,
    E2K_BF_ROT      = 1u << 10, /* abn/abp/alc bits */
    E2K_BF_PLS      = 1u << 11,
    E2K_BF_ILLEGAL  = 1u << 12,
    E2K_BF_MEM      = 1u << 13, /* has memory ops */
    E2K_BF_PRIV_CS  = 1u << 14, /* done/hret etc.: privileged, unsupported */
    E2K_BF_FLUSHR   = 1u << 15,
    E2K_BF_DIRECT   = 1u << 16, /* ALS can run in order[] writing directly */
};

typedef struct E2KBundle E2KBundle;

struct E2KBundle {
    uint64_t ip;
    uint32_t flags;
    uint8_t len;
    uint8_t nalops;
    uint8_t max_r;          /* highest %r index used + 1 */
    uint8_t max_b;          /* highest %b index used + 1 */
    uint8_t ctop;           /* CTPR of ct/call */
    uint8_t cond_type, cond_pred;
    uint8_t ctpr_n;         /* CS0 target CTPR */
    uint8_t wbs;            /* call */
    uint8_t rot;            /* SS bits 22..16 >> 16 */
    uint8_t npls;
    uint8_t order[6];       /* E2K_BF_DIRECT: an execution order of al[] */
    uint16_t halt_code_hi;
    uint32_t setwd;         /* LTS0 of setwd */
    uint32_t setbr;         /* CS1 with the setbn/setbp fields */
    uint32_t halt_code;
    uint64_t target;        /* disp/ibranch target, sdisp entry */
    uint32_t pls[3];
    /* interpreter cache: slot in use; last successors (may be stale) */
    uint8_t valid;
    E2KBundle *next_fall, *next_taken;
    E2KAlop al[6];
};

/*
 * Decodes the raw bundle at @ip into @b.  Never fails: a bundle that is
 * not legal gets E2K_BF_ILLEGAL (and raises illegal-opcode when run).
 */
void e2k_decode_bundle(const E2KRawBundle *rb, uint64_t ip, E2KBundle *b);

/* The E2KOp of ALS @ch of @rb, or -1 if it is not one we know. */
int e2k_als_op(const E2KRawBundle *rb, int ch);

#endif /* TARGET_E2K_DECODE_H */
