/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny E2K bundle packer for the unit tests and the benchmark: lays out
 * HS, SS, ALS, CS0, CS1, the ALES0/1/3/4 half-syllables, LTS, PLS and CDS
 * the way ISA-NOTES 6.1 describes, so tests can write programs as lists of
 * syllables.  No ALES2/ALES5 word (elbrus-v3 form).
 */
#ifndef TESTS_E2K_ENCODE_H
#define TESTS_E2K_ENCODE_H

typedef struct EBundle {
    uint32_t ss;
    uint32_t als[6];
    uint16_t ales[6];
    uint32_t cs0, cs1;
    uint32_t lts[4];
    uint32_t pls[3];
    uint32_t cds[3];
    uint8_t als_mask, ales_mask;
    uint8_t nlts, npls, ncds;
    bool has_ss, has_cs0, has_cs1;
    uint8_t nop;
} EBundle;

/* Appends the bundle to @out (a uint32_t array); returns words written. */
static inline unsigned e2k_pack(const EBundle *b, uint32_t *out)
{
    static const int half_order[4] = { 0, 1, 3, 4 };
    uint32_t w[16] = { 0 };
    uint16_t halves[6];
    unsigned n = 1, nh = 0, f1, total, tail, i, p;

    if (b->has_ss) {
        w[n++] = b->ss;
    }
    for (i = 0; i < 6; i++) {
        if (b->als_mask & (1u << i)) {
            w[n++] = b->als[i];
        }
    }
    if (b->has_cs0) {
        w[n++] = b->cs0;
    }
    if (b->has_cs1) {
        w[n++] = b->cs1;
    }
    f1 = n;
    for (i = 0; i < 4; i++) {
        if (b->ales_mask & (1u << half_order[i])) {
            halves[nh++] = b->ales[half_order[i]];
        }
    }
    for (i = 0; i < nh; i += 2) {
        w[n++] = ((uint32_t)halves[i] << 16) |
                 (i + 1 < nh ? halves[i + 1] : 0);
    }
    tail = b->nlts + b->npls + b->ncds;
    total = n + tail;
    if (total & 1) {
        total++;
    }
    /* gap words (zero) sit between the halves and the tail */
    p = total;
    for (i = 0; i < b->ncds; i++) {
        w[--p] = b->cds[i];
    }
    for (i = 0; i < b->npls; i++) {
        w[--p] = b->pls[i];
    }
    for (i = 0; i < b->nlts; i++) {
        w[--p] = b->lts[i];
    }
    w[0] = ((uint32_t)b->als_mask << 26) | ((uint32_t)b->ales_mask << 20) |
           ((uint32_t)b->npls << 18) | ((uint32_t)b->ncds << 16) |
           (b->has_cs1 ? 1u << 15 : 0) | (b->has_cs0 ? 1u << 14 : 0) |
           (b->has_ss ? 1u << 12 : 0) | ((uint32_t)b->nop << 7) |
           ((total / 2 - 1) << 4) | (f1 - 1);
    memcpy(out, w, total * 4);
    return total;
}

/* ALS word: opc, src1, src2, dst bytes. */
static inline uint32_t e2k_als(unsigned opc, unsigned s1, unsigned s2,
                               unsigned dst)
{
    return (opc << 24) | (s1 << 16) | (s2 << 8) | dst;
}

#define E2K_R(n)        (0x80 + (n))
#define E2K_B(n)        (n)
#define E2K_G(n)        (0xe0 + (n))
#define E2K_IMM(n)      (0xc0 + (n))
#define E2K_LIT32(n)    (0xd8 + (n))
#define E2K_LIT64(n)    (0xdc + (n))
#define E2K_EMPTY       0xdf

#define E2K_HALT_HS     0x00008001u
#define E2K_HALT_CS1    0x60000000u

#endif /* TESTS_E2K_ENCODE_H */
