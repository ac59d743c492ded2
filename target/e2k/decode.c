/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K bundle decoder: e2k_unpack_bundle() locates the syllables of a wide
 * instruction following the header (ISA-NOTES 1.4), e2k_decode_bundle()
 * validates them and produces the compact E2KBundle the interpreter runs:
 * operands pre-resolved to register/literal form, opcode and channel
 * checked against the integer subset (ISA-NOTES 3), CS0/CS1/SS turned
 * into flags.
 */
#include "qemu/osdep.h"
#include "target/e2k/decode.h"

static inline uint32_t rd32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint16_t rd16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

/* Places the flagged AAS half-syllables follow the ALES ones. */
static unsigned aas_presence(uint32_t ss)
{
    unsigned mask = 0;
    int i;

    for (i = 0; i < 4; i++) {
        if (ss & (1u << (12 + i))) {
            mask |= 1u << (i >> 1);
            mask |= 1u << (i + 2);
        }
    }
    return mask;
}

unsigned e2k_unpack_bundle(const uint8_t *buf, size_t avail,
                           E2KRawBundle *rb)
{
    static const int half_ales[4] = { 0, 1, 3, 4 };
    unsigned len, pos, f1, n, gap, aas_mask = 0;
    int i, p;

    memset(rb, 0, sizeof(*rb));
    if (avail < 8) {
        return 0;
    }
    rb->hs = rd32(buf);
    len = (((rb->hs >> 4) & 7) + 1) * 8;
    if (len > avail) {
        return 0;
    }
    rb->len = len;
    rb->als_mask = (rb->hs >> 26) & 0x3f;
    rb->ales_mask = (rb->hs >> 20) & 0x3f;
    rb->npls = (rb->hs >> 18) & 3;
    rb->ncds = (rb->hs >> 16) & 3;
    rb->has_cs1 = rb->hs & (1u << 15);
    rb->has_cs0 = rb->hs & (1u << 14);
    rb->has_ss = rb->hs & (1u << 12);

    pos = 4;
    if (rb->has_ss) {
        rb->ss = rd32(buf + pos);
        pos += 4;
    }
    for (i = 0; i < 6; i++) {
        if (rb->als_mask & (1u << i)) {
            rb->als[i] = rd32(buf + pos);
            pos += 4;
        }
    }
    if (rb->has_cs0) {
        rb->cs0 = rd32(buf + pos);
        pos += 4;
    }
    f1 = ((rb->hs & 0xf) + 1) * 4;
    if (f1 > len) {
        return 0;
    }
    if ((rb->has_cs1 && f1 == pos + 8) || (!rb->has_cs1 && f1 == pos + 4)) {
        uint32_t w = rd32(buf + pos);

        rb->has_ales25_word = true;
        rb->ales[5] = w & 0xffff;
        rb->ales[2] = w >> 16;
        pos += 4;
    }
    if (rb->has_cs1) {
        rb->cs1 = rd32(buf + pos);
        pos += 4;
    }
    if (pos != f1) {
        return 0;
    }
    if (!rb->has_ales25_word) {
        /* elbrus-v1..v3 form: the ALES is implied */
        if (rb->ales_mask & (1u << 2)) {
            rb->ales[2] = 0x01c0;
        }
        if (rb->ales_mask & (1u << 5)) {
            rb->ales[5] = 0x01c0;
        }
    }

    n = 0;
    for (i = 0; i < 4; i++) {
        int c = half_ales[i];

        if (rb->ales_mask & (1u << c)) {
            unsigned off = pos + 2 * ((n & ~1u) + 1 - (n & 1));

            if (off + 2 > len) {
                return 0;
            }
            rb->ales[c] = rd16(buf + off);
            n++;
        }
    }
    if (rb->has_ss && !(rb->ss & (1u << 20))) {
        aas_mask = aas_presence(rb->ss);
    }
    for (i = 0; i < 6; i++) {
        if (aas_mask & (1u << i)) {
            unsigned off = pos + 2 * ((n & ~1u) + 1 - (n & 1));

            if (off + 2 > len) {
                return 0;
            }
            rb->aas[i] = rd16(buf + off);
            n++;
        }
    }
    gap = pos + 2 * ((n + 1) & ~1u);

    p = len - 4;
    /* A header asking for more CDS/PLS words than the bundle holds. */
    if ((int)len - 4 * (rb->ncds + rb->npls) < 0) {
        return 0;
    }
    for (i = 0; i < rb->ncds; i++, p -= 4) {
        rb->cds[i] = rd32(buf + p);
    }
    for (i = 0; i < rb->npls; i++, p -= 4) {
        rb->pls[i] = rd32(buf + p);
    }
    if (p + 4 < (int)gap) {
        return 0;
    }
    for (i = 0; i < 4 && p >= (int)gap; i++, p -= 4) {
        rb->lts[i] = rd32(buf + p);
    }
    rb->nlts = i;
    return len;
}

/* ---- opcode table ---------------------------------------------------- */

enum {
    FMT_1,          /* src1, src2, dst */
    FMT_2,          /* opce1, src2, dst */
    FMT_3,          /* store: src1, src2, data */
    FMT_7,          /* compare into a predicate */
    FMT_15,         /* rws/rwd: src2 -> state register */
    FMT_16,         /* rrs/rrd: state register -> dst */
};

#define CH_ALL  0x3f
#define CH_0134 0x1b
#define CH_5    0x20
#define CH_LD   0x2d
#define CH_ST   0x24
#define CH_0    0x01

typedef struct OpInfo {
    uint8_t valid;
    uint8_t op;
    uint8_t chans;
    uint8_t fmt;
} OpInfo;

#define OPI(o, c, f) { 1, (o), (c), (f) }

/* Short (no ALES) operations, indexed by opc. */
static const OpInfo short_ops[128] = {
    [0x00] = OPI(E2K_OP_ANDS, CH_ALL, FMT_1),
    [0x01] = OPI(E2K_OP_ANDD, CH_ALL, FMT_1),
    [0x02] = OPI(E2K_OP_ANDNS, CH_ALL, FMT_1),
    [0x03] = OPI(E2K_OP_ANDND, CH_ALL, FMT_1),
    [0x04] = OPI(E2K_OP_ORS, CH_ALL, FMT_1),
    [0x05] = OPI(E2K_OP_ORD, CH_ALL, FMT_1),
    [0x06] = OPI(E2K_OP_ORNS, CH_ALL, FMT_1),
    [0x07] = OPI(E2K_OP_ORND, CH_ALL, FMT_1),
    [0x08] = OPI(E2K_OP_XORS, CH_ALL, FMT_1),
    [0x09] = OPI(E2K_OP_XORD, CH_ALL, FMT_1),
    [0x0a] = OPI(E2K_OP_XORNS, CH_ALL, FMT_1),
    [0x0b] = OPI(E2K_OP_XORND, CH_ALL, FMT_1),
    [0x0c] = OPI(E2K_OP_SXT, CH_ALL, FMT_1),
    [0x0e] = OPI(E2K_OP_MERGES, CH_ALL, FMT_1),
    [0x0f] = OPI(E2K_OP_MERGED, CH_ALL, FMT_1),
    [0x10] = OPI(E2K_OP_ADDS, CH_ALL, FMT_1),
    [0x11] = OPI(E2K_OP_ADDD, CH_ALL, FMT_1),
    [0x12] = OPI(E2K_OP_SUBS, CH_ALL, FMT_1),
    [0x13] = OPI(E2K_OP_SUBD, CH_ALL, FMT_1),
    [0x14] = OPI(E2K_OP_SCLS, CH_ALL, FMT_1),
    [0x15] = OPI(E2K_OP_SCLD, CH_ALL, FMT_1),
    [0x16] = OPI(E2K_OP_SCRS, CH_ALL, FMT_1),
    [0x17] = OPI(E2K_OP_SCRD, CH_ALL, FMT_1),
    [0x18] = OPI(E2K_OP_SHLS, CH_ALL, FMT_1),
    [0x19] = OPI(E2K_OP_SHLD, CH_ALL, FMT_1),
    [0x1a] = OPI(E2K_OP_SHRS, CH_ALL, FMT_1),
    [0x1b] = OPI(E2K_OP_SHRD, CH_ALL, FMT_1),
    [0x1c] = OPI(E2K_OP_SARS, CH_ALL, FMT_1),
    [0x1d] = OPI(E2K_OP_SARD, CH_ALL, FMT_1),
    [0x1e] = OPI(E2K_OP_GETFS, CH_ALL, FMT_1),
    [0x1f] = OPI(E2K_OP_GETFD, CH_ALL, FMT_1),
    [0x20] = OPI(E2K_OP_CMPSB, CH_0134, FMT_7),
    [0x21] = OPI(E2K_OP_CMPDB, CH_0134, FMT_7),
    [0x22] = OPI(E2K_OP_CMPANDSB, CH_0134, FMT_7),
    [0x23] = OPI(E2K_OP_CMPANDDB, CH_0134, FMT_7),
    [0x24] = OPI(E2K_OP_STB, CH_ST, FMT_3),
    [0x25] = OPI(E2K_OP_STH, CH_ST, FMT_3),
    [0x26] = OPI(E2K_OP_STW, CH_ST, FMT_3),
    [0x27] = OPI(E2K_OP_STD, CH_ST, FMT_3),
    [0x40] = OPI(E2K_OP_UDIVS, CH_5, FMT_1),
    [0x41] = OPI(E2K_OP_UDIVD, CH_5, FMT_1),
    [0x42] = OPI(E2K_OP_SDIVS, CH_5, FMT_1),
    [0x43] = OPI(E2K_OP_SDIVD, CH_5, FMT_1),
    [0x60] = OPI(E2K_OP_MOVTS, CH_0134, FMT_2),
    [0x61] = OPI(E2K_OP_MOVTD, CH_0134, FMT_2),
    [0x64] = OPI(E2K_OP_LDB, CH_LD, FMT_1),
    [0x65] = OPI(E2K_OP_LDH, CH_LD, FMT_1),
    [0x66] = OPI(E2K_OP_LDW, CH_LD, FMT_1),
    [0x67] = OPI(E2K_OP_LDD, CH_LD, FMT_1),
};

/* EXT group (ALES 0x01C0) operations. */
static const OpInfo ext_ops[128] = {
    [0x20] = OPI(E2K_OP_MULS, CH_0134, FMT_1),
    [0x21] = OPI(E2K_OP_MULD, CH_0134, FMT_1),
    [0x22] = OPI(E2K_OP_UMULX, CH_0134, FMT_1),
    [0x23] = OPI(E2K_OP_SMULX, CH_0134, FMT_1),
    [0x3c] = OPI(E2K_OP_RWS, CH_0, FMT_15),
    [0x3d] = OPI(E2K_OP_RWD, CH_0, FMT_15),
    [0x3e] = OPI(E2K_OP_RRS, CH_0, FMT_16),
    [0x3f] = OPI(E2K_OP_RRD, CH_0, FMT_16),
};

int e2k_als_op(const E2KRawBundle *rb, int ch)
{
    uint8_t opc = (rb->als[ch] >> 24) & 0x7f;
    const OpInfo *oi;

    if (rb->ales_mask & (1u << ch)) {
        if (rb->ales[ch] != 0x01c0) {
            return -1;
        }
        oi = &ext_ops[opc];
    } else {
        oi = &short_ops[opc];
    }
    if (!oi->valid || !(oi->chans & (1u << ch))) {
        return -1;
    }
    return oi->op;
}

/* ---- operands -------------------------------------------------------- */

static bool reg_operand(E2KBundle *b, uint8_t byte, uint8_t *k, uint8_t *i)
{
    if (byte < 0x80) {
        *k = E2K_OPK_B;
        *i = byte;
        b->max_b = MAX(b->max_b, byte + 1);
    } else if (byte < 0xc0) {
        *k = E2K_OPK_R;
        *i = byte - 0x80;
        b->max_r = MAX(b->max_r, byte - 0x80 + 1);
    } else if (byte >= 0xe0) {
        *k = E2K_OPK_G;
        *i = byte - 0xe0;
    } else {
        return false;
    }
    return true;
}

static bool src1_operand(E2KBundle *b, uint8_t byte, E2KAlop *a)
{
    if (byte >= 0xc0 && byte < 0xe0) {
        a->s1k = E2K_OPK_IMM;
        a->imm1 = byte & 0x1f;
        return true;
    }
    return reg_operand(b, byte, &a->s1k, &a->s1i);
}

static bool literal(const E2KRawBundle *rb, uint8_t byte, uint64_t *val)
{
    unsigned n;

    switch (byte) {
    case 0xd0: case 0xd1:
        n = byte & 1;
        if (n >= rb->nlts) {
            return false;
        }
        *val = (int64_t)(int16_t)(rb->lts[n] & 0xffff);
        return true;
    case 0xd4: case 0xd5:
        n = byte & 1;
        if (n >= rb->nlts) {
            return false;
        }
        *val = (int64_t)(int16_t)(rb->lts[n] >> 16);
        return true;
    case 0xd8: case 0xd9: case 0xda: case 0xdb:
        n = byte & 3;
        if (n >= rb->nlts) {
            return false;
        }
        *val = (int64_t)(int32_t)rb->lts[n];
        return true;
    case 0xdc: case 0xdd: case 0xde:
        n = byte & 3;
        if (n + 1 >= rb->nlts) {
            return false;
        }
        *val = rb->lts[n] | ((uint64_t)rb->lts[n + 1] << 32);
        return true;
    default:
        return false;
    }
}

static bool src2_operand(const E2KRawBundle *rb, E2KBundle *b, uint8_t byte,
                         E2KAlop *a)
{
    if (byte >= 0xc0 && byte < 0xd0) {
        a->s2k = E2K_OPK_IMM;
        a->imm2 = byte & 0xf;
        return true;
    }
    if (byte >= 0xd0 && byte < 0xe0) {
        a->s2k = E2K_OPK_IMM;
        return literal(rb, byte, &a->imm2);
    }
    return reg_operand(b, byte, &a->s2k, &a->s2i);
}

static bool dst_operand(E2KBundle *b, uint8_t byte, E2KAlop *a)
{
    if (byte >= 0xd1 && byte <= 0xd3) {
        a->dk = E2K_OPK_CTPR;
        a->di = byte - 0xd0;
        return true;
    }
    if (byte == 0xdf || (byte >= 0xcd && byte <= 0xcf)) {
        a->dk = E2K_OPK_EMPTY;
        return true;
    }
    return reg_operand(b, byte, &a->dk, &a->di);
}

/* ---- ALS ------------------------------------------------------------- */

static bool is_load(uint8_t op)
{
    return op >= E2K_OP_LDB && op <= E2K_OP_LDD;
}

static bool is_store(uint8_t op)
{
    return op >= E2K_OP_STB && op <= E2K_OP_STD;
}

static uint8_t writeback_of(const E2KAlop *a)
{
    switch (a->op) {
    case E2K_OP_STB: case E2K_OP_STH: case E2K_OP_STW: case E2K_OP_STD:
        return E2K_WB_NONE;
    case E2K_OP_CMPSB: case E2K_OP_CMPDB:
    case E2K_OP_CMPANDSB: case E2K_OP_CMPANDDB:
        return E2K_WB_PRED;
    case E2K_OP_RWS: case E2K_OP_RWD:
        return E2K_WB_SR;
    }
    if (a->dk == E2K_OPK_EMPTY) {
        return E2K_WB_NONE;
    }
    if (a->dk == E2K_OPK_CTPR) {
        return E2K_WB_CTPR;
    }
    switch (a->op) {
    case E2K_OP_ANDS: case E2K_OP_ANDNS: case E2K_OP_ORS: case E2K_OP_ORNS:
    case E2K_OP_XORS: case E2K_OP_XORNS: case E2K_OP_MERGES:
    case E2K_OP_ADDS: case E2K_OP_SUBS: case E2K_OP_SCLS: case E2K_OP_SCRS:
    case E2K_OP_SHLS: case E2K_OP_SHRS: case E2K_OP_SARS: case E2K_OP_GETFS:
    case E2K_OP_MULS: case E2K_OP_UDIVS: case E2K_OP_SDIVS:
    case E2K_OP_MOVTS: case E2K_OP_RRS:
        return E2K_WB_R32;
    default:
        return E2K_WB_R64;
    }
}

static bool decode_als_fmt(const E2KRawBundle *rb, E2KBundle *b, int ch,
                           E2KAlop *a);

static bool decode_als(const E2KRawBundle *rb, E2KBundle *b, int ch,
                       E2KAlop *a)
{
    if (!decode_als_fmt(rb, b, ch, a)) {
        return false;
    }
    a->wb = writeback_of(a);
    return true;
}

static bool decode_als_fmt(const E2KRawBundle *rb, E2KBundle *b, int ch,
                           E2KAlop *a)
{
    uint32_t als = rb->als[ch];
    uint8_t opc = (als >> 24) & 0x7f;
    uint8_t s1 = als >> 16, s2 = als >> 8, lo = als;
    const OpInfo *oi;

    memset(a, 0, sizeof(*a));
    a->chan = ch;
    a->sm = als >> 31;
    a->rlp_src = E2K_PRED_NONE;
    a->mrg_src = E2K_PRED_NONE;
    if (rb->ales_mask & (1u << ch)) {
        uint16_t ales = rb->ales[ch];

        if (ales != 0x01c0) {
            return false;   /* only the EXT group is implemented */
        }
        oi = &ext_ops[opc];
    } else {
        oi = &short_ops[opc];
    }
    if (!oi->valid || !(oi->chans & (1u << ch))) {
        return false;
    }
    a->op = oi->op;
    switch (oi->fmt) {
    case FMT_1:
        return src1_operand(b, s1, a) && src2_operand(rb, b, s2, a) &&
               dst_operand(b, lo, a);
    case FMT_2:
        return s1 == 0xc0 && src2_operand(rb, b, s2, a) &&
               dst_operand(b, lo, a);
    case FMT_3:
        return src1_operand(b, s1, a) && src2_operand(rb, b, s2, a) &&
               reg_operand(b, lo, &a->s3k, &a->s3i);
    case FMT_7:
        a->aux = lo >> 5;
        a->di = lo & 0x1f;
        if (oi->op == E2K_OP_CMPANDSB || oi->op == E2K_OP_CMPANDDB) {
            if (a->aux != 2 && a->aux != 4 && a->aux != 5 && a->aux != 7) {
                return false;
            }
        }
        return src1_operand(b, s1, a) && src2_operand(rb, b, s2, a);
    case FMT_15:
        a->aux = lo;
        return s1 == 0xc0 && src2_operand(rb, b, s2, a);
    case FMT_16:
        a->aux = s1;
        return s2 == 0xc0 && dst_operand(b, lo, a);
    }
    return false;
}

/* Returns the 7-bit MAS of channel @ch from a CS1 MAS syllable. */
static uint8_t cs1_mas(uint32_t cs1, int ch)
{
    switch (ch) {
    case 0:
        return (cs1 >> 21) & 0x7f;
    case 2:
        return (cs1 >> 14) & 0x7f;
    case 3:
        return (cs1 >> 7) & 0x7f;
    case 5:
        return cs1 & 0x7f;
    }
    return 0;
}

static bool decode_cds(const E2KRawBundle *rb, E2KBundle *b,
                       E2KAlop *bych[6])
{
    int i, h, k;

    for (i = 0; i < rb->ncds; i++) {
        for (h = 0; h < 2; h++) {
            uint16_t e = rb->cds[i] >> (16 * h);
            unsigned cluster = (e >> 14) & 1;
            unsigned mask = (e >> 10) & 7;
            unsigned neg = (e >> 7) & 7;
            uint8_t src = e & 0x7f;

            for (k = 0; k < 3; k++) {
                E2KAlop *a = bych[3 * cluster + k];

                if (!(mask & (1u << k)) || !a) {
                    continue;
                }
                if ((src & 0x60) != 0x60 && (src & 0x60) != 0x40) {
                    return false;   /* %lcntex/%spred: not implemented */
                }
                if (e & 0x8000) {
                    a->mrg_src = src;
                    a->mrg_neg = (neg >> k) & 1;
                } else {
                    if (a->rlp_src != E2K_PRED_NONE) {
                        return false;
                    }
                    a->rlp_src = src;
                    a->rlp_neg = (neg >> k) & 1;
                }
            }
        }
    }
    return true;
}

static bool decode_als_all(const E2KRawBundle *rb, E2KBundle *b)
{
    E2KAlop tmp[6], *bych[6] = { NULL };
    int ch, n = 0;

    for (ch = 0; ch < 6; ch++) {
        if (!(rb->als_mask & (1u << ch))) {
            continue;
        }
        if (!decode_als(rb, b, ch, &tmp[ch])) {
            return false;
        }
        bych[ch] = &tmp[ch];
        if (rb->has_cs1 && (rb->cs1 >> 28) == 6) {
            tmp[ch].mas = cs1_mas(rb->cs1, ch);
        }
        if (is_load(tmp[ch].op) || is_store(tmp[ch].op)) {
            b->flags |= E2K_BF_MEM;
            if ((tmp[ch].mas & 7) == 6 && ch != 2 && ch != 5) {
                return false;
            }
        }
        if (tmp[ch].dk == E2K_OPK_CTPR && tmp[ch].op != E2K_OP_MOVTS &&
            tmp[ch].op != E2K_OP_MOVTD) {
            return false;
        }
    }
    /* the mirrored load/store rule (ISA-NOTES 3.5) */
    if (bych[2] && bych[3] && is_store(bych[2]->op) && is_load(bych[3]->op)) {
        return false;
    }
    if (bych[5] && bych[0] && is_store(bych[5]->op) && is_load(bych[0]->op)) {
        return false;
    }
    if (!decode_cds(rb, b, bych)) {
        return false;
    }
    for (ch = 0; ch < 6; ch++) {
        if (!bych[ch]) {
            continue;
        }
        if ((bych[ch]->op == E2K_OP_MERGES || bych[ch]->op == E2K_OP_MERGED)
            && bych[ch]->mrg_src == E2K_PRED_NONE) {
            return false;
        }
        b->al[n++] = *bych[ch];
    }
    b->nalops = n;
    return true;
}

/* ---- control syllables ----------------------------------------------- */

static bool decode_cs0(const E2KRawBundle *rb, E2KBundle *b, uint64_t ip)
{
    uint32_t cs0 = rb->cs0;
    unsigned ctpr = cs0 >> 30, opc = (cs0 >> 28) & 3;
    uint32_t param = cs0 & 0x0fffffff;
    int64_t disp = ((int64_t)(int32_t)(param << 4) >> 4) * 8;

    if (ctpr == 0) {
        switch (opc) {
        case 0:
            b->flags |= E2K_BF_IBRANCH;
            b->target = ip + disp;
            return true;
        case 1:
            return true;            /* pref: a hint */
        default:
            return false;           /* puttsd, done, hret, glaunch */
        }
    }
    b->ctpr_n = ctpr;
    switch (opc) {
    case 0:
        b->flags |= E2K_BF_DISP;
        b->target = ip + disp;
        return true;
    case 1:
        if (ctpr != 2) {
            return false;
        }
        b->flags |= E2K_BF_DISP;    /* ldisp: an ordinary target here */
        b->target = ip + disp;
        return true;
    case 2:
        b->flags |= E2K_BF_SDISP;
        b->target = param;
        return true;
    default:
        if (ctpr == 3 && (param & 7) == 0) {
            b->flags |= E2K_BF_RETURN;
            return true;
        }
        return false;               /* gettsd */
    }
}

static bool decode_cs1(const E2KRawBundle *rb, E2KBundle *b)
{
    uint32_t cs1 = rb->cs1;

    switch (cs1 >> 28) {
    case 0:
    case 1:
        if (rb->nlts < 1) {
            return false;
        }
        b->flags |= E2K_BF_SETWD;
        b->setwd = rb->lts[0];
        QEMU_FALLTHROUGH;
    case 4:
        b->setbr = cs1;
        if (cs1 & (1u << 26)) {
            b->flags |= E2K_BF_SETBN;
        }
        if (cs1 & (1u << 27)) {
            b->flags |= E2K_BF_SETBP;
        }
        return true;
    case 7:         /* flushr; flushc: chain frames are always in memory */
        if (cs1 & 1) {
            b->flags |= E2K_BF_FLUSHR;
        }
        return true;
    case 2:         /* setei/setsft */
    case 3:         /* wait */
    case 8:         /* vfbg */
        return true;
    case 5:
        b->flags |= E2K_BF_CALL;
        b->wbs = cs1 & 0x7f;
        return true;
    case 6:
        if (!rb->als_mask && !rb->has_ss && !rb->has_cs0 && rb->len == 8) {
            b->flags |= E2K_BF_HALT;
            b->halt_code = cs1 & 0x0fffffff;
        }
        return true;
    default:
        return false;
    }
}

static bool decode_ss(const E2KRawBundle *rb, E2KBundle *b)
{
    uint32_t ss = rb->ss;

    if (ss & (1u << 20)) {
        return true;                /* SF2: invts/flushts, no effect here */
    }
    b->ctop = (ss >> 10) & 3;
    b->cond_type = (ss >> 5) & 0xf;
    b->cond_pred = ss & 0x1f;
    b->rot = ((ss >> 16) & 0x7f) & ~0x10;
    if (b->rot) {
        b->flags |= E2K_BF_ROT;
    }
    if (b->cond_type >= 8 && b->cond_type <= 0xd) {
        return false;
    }
    if (b->ctop && b->cond_type == 0) {
        return false;
    }
    if (b->cond_type && (b->ctop || (b->flags & E2K_BF_IBRANCH))) {
        b->flags |= E2K_BF_CT;
    }
    return true;
}

/* ---- direct execution order ------------------------------------------ */

/*
 * Register sets as bit masks: bits 0..63 %r0..%r63, and one bit standing
 * for "some rotating register" (it may alias any %r).  Globals get their
 * own word.
 */
typedef struct RegSet {
    uint64_t r, g;
    bool b;
} RegSet;

static void regset_add(RegSet *s, unsigned kind, unsigned idx)
{
    if (kind == E2K_OPK_R) {
        s->r |= 1ull << (idx & 63);
    } else if (kind == E2K_OPK_G) {
        s->g |= 1ull << (idx & 31);
    } else if (kind == E2K_OPK_B) {
        s->b = true;
    }
}

static bool regset_meet(const RegSet *x, const RegSet *y)
{
    if ((x->r & y->r) || (x->g & y->g)) {
        return true;
    }
    /* a rotating register may be any window register */
    return (x->b && (y->b || y->r)) || (y->b && x->r);
}

static bool is_mem_op(uint8_t op)
{
    return op >= E2K_OP_LDB && op <= E2K_OP_STD;
}

/*
 * The ALS ops of a bundle must act as if all read before any writes.  If
 * some order exists in which every op runs before the ops that overwrite
 * its inputs (and double writes and memory accesses keep channel order),
 * running them in that order with direct writes gives the same result.
 * Records such an order and sets E2K_BF_DIRECT; leaves the bundle alone
 * if there is none (e.g. a swap) or an op has side effects beyond its
 * destination register and predicates.
 */
static void schedule_alops(E2KBundle *b)
{
    RegSet rd[6], wr[6];
    uint8_t before[6] = { 0 };  /* bit j: op j must run before op i */
    unsigned done = 0, n = b->nalops, i, j, k;

    for (i = 0; i < n; i++) {
        const E2KAlop *a = &b->al[i];

        if (a->op >= E2K_OP_MOVTS || a->wb == E2K_WB_CTPR ||
            a->wb == E2K_WB_SR) {
            return;             /* movt, rw*, rr*: keep the general path */
        }
        memset(&rd[i], 0, sizeof(rd[i]));
        memset(&wr[i], 0, sizeof(wr[i]));
        regset_add(&rd[i], a->s1k, a->s1i);
        regset_add(&rd[i], a->s2k, a->s2i);
        if (a->op >= E2K_OP_STB && a->op <= E2K_OP_STD) {
            regset_add(&rd[i], a->s3k, a->s3i);
        }
        if (a->wb == E2K_WB_R64 || a->wb == E2K_WB_R32) {
            regset_add(&wr[i], a->dk, a->di);
        }
    }
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            if (i == j) {
                continue;
            }
            if (regset_meet(&wr[i], &rd[j]) ||
                (j < i && regset_meet(&wr[i], &wr[j])) ||
                (j < i && is_mem_op(b->al[i].op) &&
                 is_mem_op(b->al[j].op))) {
                before[i] |= 1u << j;
            }
        }
    }
    for (k = 0; k < n; k++) {
        for (i = 0; i < n; i++) {
            if (!(done & (1u << i)) && !(before[i] & ~done)) {
                break;
            }
        }
        if (i == n) {
            return;             /* a cycle */
        }
        b->order[k] = i;
        done |= 1u << i;
    }
    b->flags |= E2K_BF_DIRECT;
}

void e2k_decode_bundle(const E2KRawBundle *rb, uint64_t ip, E2KBundle *b)
{
    bool ok = true;
    int i;

    memset(b, 0, offsetof(E2KBundle, al));
    b->ip = ip;
    b->len = rb->len;
    if (rb->has_cs0) {
        ok = ok && decode_cs0(rb, b, ip);
    }
    if (rb->has_cs1) {
        ok = ok && decode_cs1(rb, b);
    }
    if (rb->has_ss) {
        ok = ok && decode_ss(rb, b);
    }
    if ((b->flags & E2K_BF_CALL) && !b->ctop) {
        ok = false;                 /* hcall */
    }
    ok = ok && decode_als_all(rb, b);
    for (i = 0; i < rb->npls; i++) {
        b->pls[i] = rb->pls[i];
        if (i == 2 && (rb->pls[i] >> 16)) {
            ok = false;             /* PLS2 has no ELPs */
        }
    }
    b->npls = rb->npls;
    if (b->npls) {
        b->flags |= E2K_BF_PLS;
    }
    if (!ok) {
        b->flags = E2K_BF_ILLEGAL;
        b->nalops = 0;
        return;
    }
    schedule_alops(b);
}
