/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the E2K bundle decoder and disassembler: the encodings listed
 * in ISA-NOTES 6.3 (the example firmware and the verified one-liners) are
 * split into syllables, decoded into the interpreter's form and printed.
 */
#include "qemu/osdep.h"
#include "target/e2k/decode.h"
#include "disas/e2k.h"
#include "e2k-encode.h"

static unsigned to_bytes(const uint32_t *w, unsigned n, uint8_t *out)
{
    unsigned i;

    for (i = 0; i < n; i++) {
        out[4 * i] = w[i];
        out[4 * i + 1] = w[i] >> 8;
        out[4 * i + 2] = w[i] >> 16;
        out[4 * i + 3] = w[i] >> 24;
    }
    return 4 * n;
}

static unsigned unpack(const uint32_t *w, unsigned n, E2KRawBundle *rb)
{
    uint8_t buf[64];

    return e2k_unpack_bundle(buf, to_bytes(w, n, buf), rb);
}

static char *disas(const uint32_t *w, unsigned n, uint64_t ip)
{
    GString *s = g_string_new(NULL);
    uint8_t buf[64];

    g_assert_cmpuint(e2k_disas_bundle(s, buf, to_bytes(w, n, buf), ip), ==,
                     4 * n);
    return g_string_free(s, false);
}

/* 100000010: rwd,0 0x0001000000000000, %psp.hi */
static void test_rwd_literal(void)
{
    static const uint32_t w[] = { 0x04100021, 0x3dc0dc07, 0x01c00000,
                                  0x00000000, 0x00010000, 0x00000000 };
    E2KRawBundle rb;
    E2KBundle b;

    g_assert_cmpuint(unpack(w, 6, &rb), ==, 24);
    g_assert_cmphex(rb.als_mask, ==, 1);
    g_assert_cmphex(rb.ales_mask, ==, 1);
    g_assert_cmphex(rb.ales[0], ==, 0x01c0);
    g_assert_cmpuint(rb.nlts, ==, 3);       /* LTS0, LTS1 and the gap */
    g_assert_cmphex(rb.lts[0], ==, 0);
    g_assert_cmphex(rb.lts[1], ==, 0x10000);

    e2k_decode_bundle(&rb, 0x100000010, &b);
    g_assert_false(b.flags & E2K_BF_ILLEGAL);
    g_assert_cmpuint(b.nalops, ==, 1);
    g_assert_cmpuint(b.al[0].op, ==, E2K_OP_RWD);
    g_assert_cmpuint(b.al[0].aux, ==, 0x07);
    g_assert_cmpuint(b.al[0].s2k, ==, E2K_OPK_IMM);
    g_assert_cmphex(b.al[0].imm2, ==, 0x0001000000000000ull);
}

/* 100000000: setwd + setbn */
static void test_setwd_setbn(void)
{
    static const uint32_t w[] = { 0x00008011, 0x040000c4, 0x00000000,
                                  0x00000110 };
    g_autofree char *text = NULL;
    E2KRawBundle rb;
    E2KBundle b;

    g_assert_cmpuint(unpack(w, 4, &rb), ==, 16);
    e2k_decode_bundle(&rb, 0x100000000, &b);
    g_assert_true(b.flags & E2K_BF_SETWD);
    g_assert_true(b.flags & E2K_BF_SETBN);
    g_assert_false(b.flags & E2K_BF_SETBP);
    g_assert_cmphex(b.setwd, ==, 0x110);    /* wsz 8, nfx 1 */
    g_assert_cmphex(b.setbr & 0x3fffff, ==, 0xc4);

    text = disas(w, 4, 0x100000000);
    g_assert_cmpstr(text, ==, "{\n  setwd wsz=0x8, nfx=0x1\n"
                    "  setbn rsz=0x3, rbs=0x4, rcur=0x0\n}");
}

/* 100000070: addd,0 0x0, hello, %dr8 + disp %ctpr1, puts */
static void test_disp_and_literal64(void)
{
    static const uint32_t w[] = { 0x04004022, 0x11c0dc88, 0x4000002c,
                                  0x00000000, 0x00000001, 0x00000238 };
    g_autofree char *text = NULL;
    E2KRawBundle rb;
    E2KBundle b;

    g_assert_cmpuint(unpack(w, 6, &rb), ==, 24);
    e2k_decode_bundle(&rb, 0x100000070, &b);
    g_assert_true(b.flags & E2K_BF_DISP);
    g_assert_cmpuint(b.ctpr_n, ==, 1);
    g_assert_cmphex(b.target, ==, 0x1000001d0);
    g_assert_cmpuint(b.al[0].op, ==, E2K_OP_ADDD);
    g_assert_cmpuint(b.al[0].dk, ==, E2K_OPK_R);
    g_assert_cmpuint(b.al[0].di, ==, 8);
    g_assert_cmphex(b.al[0].imm2, ==, 0x100000238);
    g_assert_cmpuint(b.max_r, ==, 9);

    text = disas(w, 6, 0x100000070);
    g_assert_cmpstr(text, ==, "{\n  disp %ctpr1, 0x1000001d0\n"
                    "  addd,0 0x0, _f64,_lts0 0x100000238, %dr8\n}");
}

/* 1000000a8: four addd with 16-bit literals in both halves of LTS0 */
static void test_four_channels(void)
{
    static const uint32_t w[] = { 0x6c000024, 0x11c0d081, 0x11c0c182,
                                  0x11c0c083, 0x11c0d484, 0x002000e0 };
    E2KRawBundle rb;
    E2KBundle b;

    g_assert_cmpuint(unpack(w, 6, &rb), ==, 24);
    e2k_decode_bundle(&rb, 0x1000000a8, &b);
    g_assert_cmpuint(b.nalops, ==, 4);
    g_assert_cmpuint(b.al[0].chan, ==, 0);
    g_assert_cmphex(b.al[0].imm2, ==, 0xe0);
    g_assert_cmpuint(b.al[1].chan, ==, 1);
    g_assert_cmphex(b.al[1].imm2, ==, 1);
    g_assert_cmpuint(b.al[3].chan, ==, 4);
    g_assert_cmphex(b.al[3].imm2, ==, 0x20);
}

/* I/O store with MAS, compare, conditional ct, call, return */
static void test_control_and_mas(void)
{
    static const uint32_t st[] = { 0x10008012, 0x2480c681, 0x60018000,
                                   0x00000000 };
    static const uint32_t cmp[] = { 0x04000001, 0x2186c840 };
    static const uint32_t ct[] = { 0x00001001, 0x00000460 };
    static const uint32_t call[] = { 0x00009012, 0x00000420, 0x50000004,
                                     0x00000000 };
    static const uint32_t ret[] = { 0x00004001, 0xf0000000 };
    g_autofree char *t1 = disas(st, 4, 0);
    g_autofree char *t2 = disas(cmp, 2, 0);
    g_autofree char *t3 = disas(ct, 2, 0);
    g_autofree char *t4 = disas(call, 4, 0);
    g_autofree char *t5 = disas(ret, 2, 0);
    E2KRawBundle rb;
    E2KBundle b;

    unpack(st, 4, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_cmpuint(b.al[0].op, ==, E2K_OP_STB);
    g_assert_cmpuint(b.al[0].mas, ==, 6);
    g_assert_cmpuint(b.al[0].s3k, ==, E2K_OPK_R);
    g_assert_cmpuint(b.al[0].s3i, ==, 1);
    g_assert_cmpstr(t1, ==, "{\n  stb,2 %r1, [ %dr0 + 0x6 ], mas=0x6\n}");

    unpack(cmp, 2, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_cmpuint(b.al[0].op, ==, E2K_OP_CMPDB);
    g_assert_cmpuint(b.al[0].aux, ==, 2);
    g_assert_cmpstr(t2, ==, "{\n  cmpedb,0 %dr6, 0x8, %pred0\n}");

    unpack(ct, 2, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_true(b.flags & E2K_BF_CT);
    g_assert_cmpuint(b.ctop, ==, 1);
    g_assert_cmpuint(b.cond_type, ==, 3);
    g_assert_cmpstr(t3, ==, "{\n  ct %ctpr1 ? ~%pred0\n}");

    unpack(call, 4, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_true(b.flags & E2K_BF_CALL);
    g_assert_cmpuint(b.wbs, ==, 4);
    g_assert_cmpstr(t4, ==, "{\n  call %ctpr1, wbs=0x4\n}");

    unpack(ret, 2, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_true(b.flags & E2K_BF_RETURN);
    g_assert_cmpstr(t5, ==, "{\n  return %ctpr3\n}");
}

/* The verified one-liners of ISA-NOTES 6.3 */
static void test_one_liners(void)
{
    static const struct {
        uint32_t w[4];
        unsigned n;
        const char *text;
    } cases[] = {
        { { 0x00000200, 0 }, 2, "{\n  nop 4\n}" },
        { { 0x80000001, 0x40808182 }, 2, "{\n  udivs,5 %r0, %r1, %r2\n}" },
        { { 0x04100011, 0x20808182, 0x01c00000, 0 }, 4,
          "{\n  muls,0 %r0, %r1, %r2\n}" },
        { { 0x04100011, 0x3f83c084, 0x01c00000, 0 }, 4,
          "{\n  rrd,0 %lsr, %dr4\n}" },
        { { 0x04000001, 0x0cc68182 }, 2, "{\n  sxt,0 0x6, %r1, %dr2\n}" },
        { { 0x10008012, 0x67c0d880, 0x60018000, 0x00001234 }, 4,
          "{\n  ldd,2 [ 0x0 + _f32s,_lts0 0x1234 ], %dr0, mas=0x6\n}" },
        { { 0x04010011, 0x11c0c180, 0, 0x00000460 }, 4,
          "{\n  addd,0 0x0, 0x1, %dr0 ? %pred0\n}" },
        { { 0x04000001, 0x61c082d1 }, 2, "{\n  movtd,0 %dr2, %ctpr1\n}" },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *t = disas(cases[i].w, cases[i].n, 0);
        E2KRawBundle rb;
        E2KBundle b;

        g_assert_cmpstr(t, ==, cases[i].text);
        unpack(cases[i].w, cases[i].n, &rb);
        e2k_decode_bundle(&rb, 0, &b);
        g_assert_false(b.flags & E2K_BF_ILLEGAL);
    }
}

static void test_cds_rlp(void)
{
    static const uint32_t w[] = { 0x04010011, 0x11c0c180, 0, 0x000044e3 };
    E2KRawBundle rb;
    E2KBundle b;

    /* entry 0x44e3: cluster 1, channel 3, negated, %pred3 */
    unpack(w, 4, &rb);
    rb.als[3] = rb.als[0];
    rb.als_mask = 0x8;
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_cmpuint(b.nalops, ==, 1);
    g_assert_cmpuint(b.al[0].chan, ==, 3);
    g_assert_cmphex(b.al[0].rlp_src, ==, 0x63);
    g_assert_cmpuint(b.al[0].rlp_neg, ==, 1);
}

static void test_illegal(void)
{
    static const uint32_t gdb_break[] = { 0x04000001, 0x0dc0c080 };
    /* stb on ALS5 together with ldb on ALS0: the mirrored rule */
    static const uint32_t mirrored[] = { 0x84000012, 0x6480c081, 0x2480c181,
                                         0 };
    /* mdl says 3 words of F1 but only HS + ALS0 are flagged */
    static const uint32_t bad_f1[] = { 0x04000003, 0x11c0c180, 0, 0 };
    /* a compare on ALS2 (compares: 0, 1, 3, 4) */
    static const uint32_t bad_chan[] = { 0x10000001, 0x2186c840 };
    E2KRawBundle rb;
    E2KBundle b;

    unpack(gdb_break, 2, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_true(b.flags & E2K_BF_ILLEGAL);

    unpack(mirrored, 4, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_true(b.flags & E2K_BF_ILLEGAL);

    g_assert_cmpuint(unpack(bad_f1, 4, &rb), ==, 0);

    unpack(bad_chan, 2, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_true(b.flags & E2K_BF_ILLEGAL);
}

/* The test packer and the decoder agree on a bundle with every part. */
static void test_pack_roundtrip(void)
{
    EBundle eb = {
        .has_ss = true, .ss = 0x00000440,       /* ct %ctpr1 ? %pred0 */
        .als_mask = 0x1b, .ales_mask = 0x02,
        .als = { e2k_als(0x11, E2K_IMM(1), E2K_LIT32(1), E2K_R(3)),
                 e2k_als(0x21, E2K_R(1), E2K_R(2), E2K_R(4)),
                 0, e2k_als(0x10, E2K_B(2), E2K_IMM(3), E2K_G(5)),
                 e2k_als(0x21, E2K_R(0), E2K_IMM(0), (7 << 5) | 7) },
        .ales = { 0, 0x01c0 },
        .has_cs0 = true, .cs0 = 0x80000010,     /* disp %ctpr2, +0x80 */
        .nlts = 2, .lts = { 0x11111111, 0x22222222 },
        .npls = 1, .pls = { 0x60610062 },
        .ncds = 1, .cds = { 0x00000c61 },
    };
    uint32_t w[16];
    unsigned n = e2k_pack(&eb, w);
    g_autofree char *text = disas(w, n, 0x1000);
    E2KRawBundle rb;
    E2KBundle b;

    g_assert_cmpuint(unpack(w, n, &rb), ==, n * 4);
    g_assert_cmphex(rb.als[4], ==, eb.als[4]);
    g_assert_cmphex(rb.ales[1], ==, 0x01c0);
    g_assert_cmphex(rb.lts[1], ==, 0x22222222);
    g_assert_cmphex(rb.pls[0], ==, 0x60610062);
    g_assert_cmphex(rb.cds[0], ==, 0x00000c61);
    e2k_decode_bundle(&rb, 0x1000, &b);
    g_assert_false(b.flags & E2K_BF_ILLEGAL);
    g_assert_cmpuint(b.nalops, ==, 4);
    g_assert_cmpuint(b.al[1].op, ==, E2K_OP_MULD);
    g_assert_cmphex(b.al[0].imm2, ==, 0x22222222);
    g_assert_cmpuint(b.al[2].s1k, ==, E2K_OPK_B);
    g_assert_cmpuint(b.al[2].dk, ==, E2K_OPK_G);
    g_assert_cmphex(b.target, ==, 0x1080);
    g_assert_cmpuint(b.al[0].rlp_src, ==, 0x61);    /* ch0 and ch1 */
    g_assert_cmpuint(b.al[1].rlp_src, ==, 0x61);
    g_assert_cmpuint(b.al[2].rlp_src, ==, E2K_PRED_NONE);
    g_assert_true(b.flags & E2K_BF_PLS);
    g_assert_nonnull(strstr(text, "andp @p0, @p1, @p4\n"));
    g_assert_nonnull(strstr(text, "muld,1 %dr1, %dr2, %dr4 ? %pred1\n"));
    g_assert_nonnull(strstr(text, "adds,3 %b[2], 0x3, %g5\n"));
    g_assert_nonnull(strstr(text, "cmpledb,4 %dr0, 0x0, %pred7\n"));
    g_assert_nonnull(strstr(text, "ct %ctpr1 ? %pred0\n"));
}

/*
 * Random bytes: the decoder and the disassembler must agree on the length
 * and never read past the buffer (run under ASan/valgrind to see it).
 */
static void test_random_bytes(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261125);
    unsigned iter, valid = 0;

    for (iter = 0; iter < 200000; iter++) {
        g_autoptr(GString) s = g_string_new(NULL);
        uint8_t buf[E2K_MAX_BUNDLE];
        size_t avail = 8 * g_rand_int_range(rand, 1, 9);
        E2KRawBundle rb;
        E2KBundle b;
        unsigned len, dlen, i;

        for (i = 0; i < sizeof(buf); i++) {
            buf[i] = g_rand_int(rand);
        }
        /* keep the header plausible half of the time */
        if (iter & 1) {
            buf[0] &= 0x7f;
            buf[1] &= 0x01;
        }
        len = e2k_unpack_bundle(buf, avail, &rb);
        dlen = e2k_disas_bundle(s, buf, avail, 0x1000);
        if (len) {
            valid++;
            g_assert_cmpuint(len % 8, ==, 0);
            g_assert_cmpuint(len, <=, avail);
            g_assert_cmpuint(rb.nlts, <=, 4);
            e2k_decode_bundle(&rb, 0x1000, &b);
            g_assert_cmpuint(b.nalops, <=, 6);
            g_assert_cmpuint(b.len, ==, len);
            g_assert_cmpuint(dlen, ==, len);
            g_assert_true(s->str[0] == '{' || g_str_has_prefix(s->str,
                                                             ".word"));
        } else {
            g_assert_cmpuint(dlen, ==, 8);
            g_assert_true(g_str_has_prefix(s->str, ".word"));
        }
    }
    g_assert_cmpuint(valid, >, 1000);
}

/* The decoder's direct execution order for in-bundle dependencies. */
static void test_schedule(void)
{
    EBundle chain = {
        .als_mask = 0x7,
        .als = { e2k_als(0x11, E2K_R(1), E2K_IMM(1), E2K_R(0)),
                 e2k_als(0x11, E2K_R(0), E2K_IMM(1), E2K_R(1)),
                 e2k_als(0x11, E2K_R(0), E2K_IMM(1), E2K_R(2)) },
    };
    EBundle swap = {
        .als_mask = 0x3,
        .als = { e2k_als(0x11, E2K_IMM(0), E2K_R(1), E2K_R(0)),
                 e2k_als(0x11, E2K_IMM(0), E2K_R(0), E2K_R(1)) },
    };
    uint32_t w[16];
    E2KRawBundle rb;
    E2KBundle b;
    unsigned n, k, pos[3];

    /* ch0 writes r0 read by ch1, ch2; ch1 writes r1 read by ch0: cycle */
    n = e2k_pack(&chain, w);
    unpack(w, n, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_false(b.flags & E2K_BF_DIRECT);

    /* without ch0 reading r1 the chain can be ordered: ch1, ch2 first */
    chain.als[0] = e2k_als(0x11, E2K_R(5), E2K_IMM(1), E2K_R(0));
    n = e2k_pack(&chain, w);
    unpack(w, n, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_true(b.flags & E2K_BF_DIRECT);
    for (k = 0; k < 3; k++) {
        pos[b.order[k]] = k;
    }
    g_assert_cmpuint(pos[1], <, pos[0]);
    g_assert_cmpuint(pos[2], <, pos[0]);

    n = e2k_pack(&swap, w);
    unpack(w, n, &rb);
    e2k_decode_bundle(&rb, 0, &b);
    g_assert_false(b.flags & E2K_BF_DIRECT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e2k-decode/rwd-literal", test_rwd_literal);
    g_test_add_func("/e2k-decode/setwd-setbn", test_setwd_setbn);
    g_test_add_func("/e2k-decode/disp-literal64", test_disp_and_literal64);
    g_test_add_func("/e2k-decode/four-channels", test_four_channels);
    g_test_add_func("/e2k-decode/control-and-mas", test_control_and_mas);
    g_test_add_func("/e2k-decode/one-liners", test_one_liners);
    g_test_add_func("/e2k-decode/cds-rlp", test_cds_rlp);
    g_test_add_func("/e2k-decode/illegal", test_illegal);
    g_test_add_func("/e2k-decode/pack-roundtrip", test_pack_roundtrip);
    g_test_add_func("/e2k-decode/random-bytes", test_random_bytes);
    g_test_add_func("/e2k-decode/schedule", test_schedule);
    return g_test_run();
}
