/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K disassembler in MCST syntax.  Works from the raw syllables so that
 * every encoding choice (literal slot and size, channel, MAS, CDS
 * condition) is visible in the text and reassembles to the same bytes;
 * docs/devel/e2k-notes.md lists the exact forms printed.
 */
#include "qemu/osdep.h"
#include "target/e2k/decode.h"
#include "target/e2k/cpu.h"
#include "disas/e2k.h"

/* operand widths */
enum { W_S, W_D };

typedef struct DisOp {
    const char *name;
    uint8_t w1, w2, wd;     /* src1/src2 (or store data)/dst widths */
} DisOp;

static const DisOp dis_ops[E2K_OP__COUNT] = {
    [E2K_OP_ANDS] = { "ands", W_S, W_S, W_S },
    [E2K_OP_ANDD] = { "andd", W_D, W_D, W_D },
    [E2K_OP_ANDNS] = { "andns", W_S, W_S, W_S },
    [E2K_OP_ANDND] = { "andnd", W_D, W_D, W_D },
    [E2K_OP_ORS] = { "ors", W_S, W_S, W_S },
    [E2K_OP_ORD] = { "ord", W_D, W_D, W_D },
    [E2K_OP_ORNS] = { "orns", W_S, W_S, W_S },
    [E2K_OP_ORND] = { "ornd", W_D, W_D, W_D },
    [E2K_OP_XORS] = { "xors", W_S, W_S, W_S },
    [E2K_OP_XORD] = { "xord", W_D, W_D, W_D },
    [E2K_OP_XORNS] = { "xorns", W_S, W_S, W_S },
    [E2K_OP_XORND] = { "xornd", W_D, W_D, W_D },
    [E2K_OP_SXT] = { "sxt", W_S, W_S, W_D },
    [E2K_OP_MERGES] = { "merges", W_S, W_S, W_S },
    [E2K_OP_MERGED] = { "merged", W_D, W_D, W_D },
    [E2K_OP_ADDS] = { "adds", W_S, W_S, W_S },
    [E2K_OP_ADDD] = { "addd", W_D, W_D, W_D },
    [E2K_OP_SUBS] = { "subs", W_S, W_S, W_S },
    [E2K_OP_SUBD] = { "subd", W_D, W_D, W_D },
    [E2K_OP_SCLS] = { "scls", W_S, W_S, W_S },
    [E2K_OP_SCLD] = { "scld", W_D, W_D, W_D },
    [E2K_OP_SCRS] = { "scrs", W_S, W_S, W_S },
    [E2K_OP_SCRD] = { "scrd", W_D, W_D, W_D },
    [E2K_OP_SHLS] = { "shls", W_S, W_S, W_S },
    [E2K_OP_SHLD] = { "shld", W_D, W_D, W_D },
    [E2K_OP_SHRS] = { "shrs", W_S, W_S, W_S },
    [E2K_OP_SHRD] = { "shrd", W_D, W_D, W_D },
    [E2K_OP_SARS] = { "sars", W_S, W_S, W_S },
    [E2K_OP_SARD] = { "sard", W_D, W_D, W_D },
    [E2K_OP_GETFS] = { "getfs", W_S, W_S, W_S },
    [E2K_OP_GETFD] = { "getfd", W_D, W_D, W_D },
    [E2K_OP_CMPSB] = { "cmp", W_S, W_S, W_S },
    [E2K_OP_CMPDB] = { "cmp", W_D, W_D, W_D },
    [E2K_OP_CMPANDSB] = { "cmpand", W_S, W_S, W_S },
    [E2K_OP_CMPANDDB] = { "cmpand", W_D, W_D, W_D },
    [E2K_OP_MULS] = { "muls", W_S, W_S, W_S },
    [E2K_OP_MULD] = { "muld", W_D, W_D, W_D },
    [E2K_OP_UMULX] = { "umulx", W_S, W_S, W_D },
    [E2K_OP_SMULX] = { "smulx", W_S, W_S, W_D },
    [E2K_OP_UDIVS] = { "udivs", W_S, W_S, W_S },
    [E2K_OP_UDIVD] = { "udivd", W_D, W_D, W_D },
    [E2K_OP_SDIVS] = { "sdivs", W_S, W_S, W_S },
    [E2K_OP_SDIVD] = { "sdivd", W_D, W_D, W_D },
    [E2K_OP_LDB] = { "ldb", W_D, W_D, W_D },
    [E2K_OP_LDH] = { "ldh", W_D, W_D, W_D },
    [E2K_OP_LDW] = { "ldw", W_D, W_D, W_D },
    [E2K_OP_LDD] = { "ldd", W_D, W_D, W_D },
    [E2K_OP_STB] = { "stb", W_D, W_D, W_S },
    [E2K_OP_STH] = { "sth", W_D, W_D, W_S },
    [E2K_OP_STW] = { "stw", W_D, W_D, W_S },
    [E2K_OP_STD] = { "std", W_D, W_D, W_D },
    [E2K_OP_MOVTS] = { "movts", W_S, W_S, W_S },
    [E2K_OP_MOVTD] = { "movtd", W_D, W_D, W_D },
    [E2K_OP_RWS] = { "rws", W_S, W_S, W_S },
    [E2K_OP_RWD] = { "rwd", W_D, W_D, W_D },
    [E2K_OP_RRS] = { "rrs", W_S, W_S, W_S },
    [E2K_OP_RRD] = { "rrd", W_D, W_D, W_D },
};

static const char *const cmp_names[8] = {
    "o", "b", "e", "be", "s", "p", "l", "le"
};

static void put_reg(GString *s, uint8_t byte, int w)
{
    const char *d = w == W_D ? "d" : "";

    if (byte < 0x80) {
        g_string_append_printf(s, "%%%sb[%u]", d, byte);
    } else if (byte < 0xc0) {
        g_string_append_printf(s, "%%%sr%u", d, byte - 0x80);
    } else {
        g_string_append_printf(s, "%%%sg%u", d, byte - 0xe0);
    }
}

static void put_src1(GString *s, uint8_t byte, int w)
{
    if (byte >= 0xc0 && byte < 0xe0) {
        g_string_append_printf(s, "0x%x", byte & 0x1f);
    } else {
        put_reg(s, byte, w);
    }
}

static bool put_src2(GString *s, const E2KRawBundle *rb, uint8_t byte, int w)
{
    unsigned n = byte & 3;

    if (byte >= 0xc0 && byte < 0xd0) {
        g_string_append_printf(s, "0x%x", byte & 0xf);
        return true;
    }
    if (byte < 0xc0 || byte >= 0xe0) {
        put_reg(s, byte, w);
        return true;
    }
    switch (byte) {
    case 0xd0: case 0xd1: case 0xd4: case 0xd5:
        n = byte & 1;
        if (n >= rb->nlts) {
            return false;
        }
        g_string_append_printf(s, "_f16s,_lts%u%s 0x%x", n,
                               byte & 4 ? "hi" : "lo",
                               byte & 4 ? rb->lts[n] >> 16
                                        : rb->lts[n] & 0xffff);
        return true;
    case 0xd8: case 0xd9: case 0xda: case 0xdb:
        if (n >= rb->nlts) {
            return false;
        }
        g_string_append_printf(s, "_f32s,_lts%u 0x%x", n, rb->lts[n]);
        return true;
    case 0xdc: case 0xdd: case 0xde:
        if (n + 1 >= rb->nlts) {
            return false;
        }
        g_string_append_printf(s, "_f64,_lts%u 0x%" PRIx64, n,
                               rb->lts[n] | ((uint64_t)rb->lts[n + 1] << 32));
        return true;
    }
    return false;
}

static bool put_dst(GString *s, uint8_t byte, int w)
{
    if (byte >= 0xd1 && byte <= 0xd3) {
        g_string_append_printf(s, "%%ctpr%u", byte - 0xd0);
    } else if (byte == 0xdf) {
        g_string_append(s, "%empty");
    } else if (byte == 0xcd) {
        g_string_append(s, "%tst");
    } else if (byte == 0xce) {
        g_string_append(s, "%tc");
    } else if (byte == 0xcf) {
        g_string_append(s, "%tcd");
    } else if (byte >= 0xc0 && byte < 0xe0) {
        return false;
    } else {
        put_reg(s, byte, w);
    }
    return true;
}

static void put_pred_src(GString *s, unsigned src, bool neg)
{
    const char *n = neg ? "~" : "";

    if ((src & 0x60) == 0x60) {
        g_string_append_printf(s, "%s%%pred%u", n, src & 0x1f);
    } else if ((src & 0x60) == 0x40) {
        g_string_append_printf(s, "%s%%pcnt%u", n, src & 0x1f);
    } else if (src == 0) {
        g_string_append_printf(s, "%s%%lcntex", n);
    } else {
        g_string_append_printf(s, "%s%%spred0x%x", n, src & 0x1f);
    }
}

static uint8_t mas_of(const E2KRawBundle *rb, int ch)
{
    static const int shift[6] = { 21, -1, 14, 7, -1, 0 };

    if (!rb->has_cs1 || (rb->cs1 >> 28) != 6 || shift[ch] < 0) {
        return 0;
    }
    return (rb->cs1 >> shift[ch]) & 0x7f;
}

/* CDS entry (RLP or MRGC) that covers channel @ch; false if none. */
static bool cds_for(const E2KRawBundle *rb, int ch, bool mrgc,
                    unsigned *src, bool *neg)
{
    int i, h;

    for (i = 0; i < rb->ncds; i++) {
        for (h = 0; h < 2; h++) {
            uint16_t e = rb->cds[i] >> (16 * h);
            unsigned k = ch % 3;

            if (((e >> 15) & 1) != mrgc || ((e >> 14) & 1) != ch / 3 ||
                !((e >> 10) & (1u << k))) {
                continue;
            }
            *src = e & 0x7f;
            *neg = (e >> (7 + k)) & 1;
            return true;
        }
    }
    return false;
}

static bool put_mem_addr(GString *s, const E2KRawBundle *rb, uint32_t als)
{
    g_string_append(s, "[ ");
    put_src1(s, als >> 16, W_D);
    g_string_append(s, " + ");
    if (!put_src2(s, rb, als >> 8, W_D)) {
        return false;
    }
    g_string_append(s, " ]");
    return true;
}

static bool put_als(GString *s, const E2KRawBundle *rb, int ch)
{
    uint32_t als = rb->als[ch];
    int op = e2k_als_op(rb, ch);
    const DisOp *d;
    uint8_t lo = als;
    unsigned src;
    bool neg;

    if (op < 0) {
        return false;
    }
    d = &dis_ops[op];
    g_string_append(s, "  ");
    if (op >= E2K_OP_CMPSB && op <= E2K_OP_CMPANDDB) {
        g_string_append_printf(s, "%s%s%sb", d->name, cmp_names[lo >> 5],
                               d->w1 == W_D ? "d" : "s");
    } else {
        g_string_append(s, d->name);
    }
    g_string_append_printf(s, ",%d%s ", ch, (als >> 31) ? ",sm" : "");

    if (op >= E2K_OP_LDB && op <= E2K_OP_LDD) {
        if (!put_mem_addr(s, rb, als)) {
            return false;
        }
        g_string_append(s, ", ");
        if (!put_dst(s, lo, W_D)) {
            return false;
        }
    } else if (op >= E2K_OP_STB && op <= E2K_OP_STD) {
        if (lo >= 0xc0 && lo < 0xe0) {
            return false;
        }
        put_reg(s, lo, d->wd);
        g_string_append(s, ", ");
        if (!put_mem_addr(s, rb, als)) {
            return false;
        }
    } else if (op == E2K_OP_RWS || op == E2K_OP_RWD) {
        const char *name = e2k_sr_name(lo);

        if (!put_src2(s, rb, als >> 8, d->w2) || !name) {
            return false;
        }
        g_string_append_printf(s, ", %s", name);
    } else if (op == E2K_OP_RRS || op == E2K_OP_RRD) {
        const char *name = e2k_sr_name((als >> 16) & 0xff);

        if (!name) {
            return false;
        }
        g_string_append_printf(s, "%s, ", name);
        if (!put_dst(s, lo, d->wd)) {
            return false;
        }
    } else if (op == E2K_OP_MOVTS || op == E2K_OP_MOVTD) {
        if (!put_src2(s, rb, als >> 8, d->w2)) {
            return false;
        }
        g_string_append(s, ", ");
        if (!put_dst(s, lo, d->wd)) {
            return false;
        }
    } else {
        put_src1(s, als >> 16, d->w1);
        g_string_append(s, ", ");
        if (!put_src2(s, rb, als >> 8, d->w2)) {
            return false;
        }
        g_string_append(s, ", ");
        if (op >= E2K_OP_CMPSB && op <= E2K_OP_CMPANDDB) {
            g_string_append_printf(s, "%%pred%u", lo & 0x1f);
        } else if (!put_dst(s, lo, d->wd)) {
            return false;
        }
        if (op == E2K_OP_MERGES || op == E2K_OP_MERGED) {
            if (!cds_for(rb, ch, true, &src, &neg)) {
                return false;
            }
            g_string_append(s, ", ");
            put_pred_src(s, src, neg);
        }
    }
    if (mas_of(rb, ch)) {
        g_string_append_printf(s, ", mas=0x%x", mas_of(rb, ch));
    }
    if (cds_for(rb, ch, false, &src, &neg)) {
        g_string_append(s, " ? ");
        put_pred_src(s, src, neg);
    }
    g_string_append_c(s, '\n');
    return true;
}

static void put_cond(GString *s, uint32_t ss)
{
    unsigned type = (ss >> 5) & 0xf, p = ss & 0x1f;

    switch (type) {
    case 1:
        break;
    case 2:
        g_string_append_printf(s, " ? %%pred%u", p);
        break;
    case 3:
        g_string_append_printf(s, " ? ~%%pred%u", p);
        break;
    case 4:
        g_string_append(s, " ? #LOOP_END");
        break;
    case 5:
        g_string_append(s, " ? #NOT_LOOP_END");
        break;
    case 6:
        g_string_append_printf(s, " ? %%pred%u || #LOOP_END", p);
        break;
    case 7:
        g_string_append_printf(s, " ? ~%%pred%u && #NOT_LOOP_END", p);
        break;
    case 0xe:
        g_string_append_printf(s, " ? ~%%pred%u || #LOOP_END", p);
        break;
    case 0xf:
        g_string_append_printf(s, " ? %%pred%u && #NOT_LOOP_END", p);
        break;
    default:
        g_string_append_printf(s, " ? <cond 0x%x>", type);
        break;
    }
}

#include "disas/e2k-ctl.c.inc"

unsigned e2k_disas_bundle(GString *out, const uint8_t *buf, size_t avail,
                          uint64_t ip)
{
    g_autoptr(GString) s = g_string_new("{\n");
    E2KRawBundle rb;
    unsigned len = e2k_unpack_bundle(buf, avail, &rb);
    bool ok = len != 0;
    int ch;

    if (avail < 8) {
        return 0;
    }
    if (ok) {
        ok = put_control_head(s, &rb, ip);
    }
    for (ch = 0; ok && ch < 6; ch++) {
        if (rb.als_mask & (1u << ch)) {
            ok = put_als(s, &rb, ch);
        }
    }
    if (ok) {
        ok = put_control_tail(s, &rb, ip);
    }
    if (!ok) {
        unsigned i, n = len ? len : 8;

        g_string_append(out, ".word ");
        for (i = 0; i < n; i += 4) {
            g_string_append_printf(out, "%s0x%08x", i ? ", " : "",
                                   buf[i] | (buf[i + 1] << 8) |
                                   (buf[i + 2] << 16) |
                                   ((uint32_t)buf[i + 3] << 24));
        }
        return n;
    }
    g_string_append_c(s, '}');
    g_string_append(out, s->str);
    return len;
}
