/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * E2K interpreter tests: small hand-encoded programs run from a RAM
 * buffer (arithmetic, in-bundle read/write order, predicates and
 * conditional transfers, call/return with window spill and fill, rotating
 * registers, PLS, CDS, memory and I/O, state registers, self-modifying
 * code) and the exceptions that must stop them.
 */
#include "qemu/osdep.h"
#include "target/e2k/cpu.h"
#include "e2k-encode.h"

#define RAM_SIZE    (1u << 20)
#define CODE        0x10000
#define DATA        0x40000
#define PS_BASE     0x80000
#define PCS_BASE    0xc0000
#define STK_SIZE    0x20000
#define IO_BASE     0x101000000ull

typedef struct T {
    E2KCPUState *env;
    uint8_t *ram;
    unsigned n;             /* words emitted */
    uint64_t labels[16];
    uint64_t io_last_port, io_last_val;
} T;

static bool io_read(void *opaque, uint64_t port, unsigned size,
                    uint64_t *val)
{
    *val = 0x1000 + port;
    return true;
}

static bool io_write(void *opaque, uint64_t port, unsigned size,
                     uint64_t val)
{
    T *t = opaque;

    t->io_last_port = port;
    t->io_last_val = val;
    return true;
}

static void t_init(T *t, bool user)
{
    memset(t, 0, sizeof(*t));
    t->ram = g_malloc0(RAM_SIZE);
    t->env = e2k_cpu_new(user);
    e2k_cpu_add_ram(t->env, "ram", 0, RAM_SIZE, t->ram);
    e2k_cpu_reset(t->env, CODE);
    t->env->psp_lo = E2K_DESC_RW | PS_BASE;
    t->env->psp_hi = (uint64_t)STK_SIZE << 32;
    t->env->pcsp_lo = E2K_DESC_RW | PCS_BASE;
    t->env->pcsp_hi = (uint64_t)STK_SIZE << 32;
    t->env->hooks.io_base = IO_BASE;
    t->env->hooks.io_size = 0x10000;
    t->env->hooks.io_read = io_read;
    t->env->hooks.io_write = io_write;
    t->env->hooks.io_opaque = t;
    t->env->budget = 1000000;
}

static void t_free(T *t)
{
    e2k_cpu_free(t->env);
    g_free(t->ram);
}

static uint64_t here(T *t)
{
    return CODE + t->n * 4;
}

static void emit(T *t, EBundle b)
{
    t->n += e2k_pack(&b, (uint32_t *)(t->ram + CODE) + t->n);
}

/* Builds the program twice so that forward labels are known. */
static void build(T *t, void (*fn)(T *))
{
    t->n = 0;
    fn(t);
    t->n = 0;
    fn(t);
}

static int run(T *t)
{
    return e2k_cpu_exec(t->env);
}

/* ---- syllable helpers ------------------------------------------------ */

static EBundle nb(void)
{
    EBundle b = { 0 };
    return b;
}

static void als(EBundle *b, int ch, uint32_t w)
{
    b->als_mask |= 1u << ch;
    b->als[ch] = w;
}

static void ext(EBundle *b, int ch)
{
    b->ales_mask |= 1u << ch;
    b->ales[ch] = 0x01c0;
}

static unsigned lit32(EBundle *b, uint32_t v)
{
    b->lts[b->nlts] = v;
    return E2K_LIT32(b->nlts++);
}

static unsigned lit64(EBundle *b, uint64_t v)
{
    unsigned n = b->nlts;

    b->lts[n] = v;
    b->lts[n + 1] = v >> 32;
    b->nlts += 2;
    return E2K_LIT64(n);
}

static void disp(EBundle *b, T *t, unsigned ctpr, uint64_t target)
{
    b->has_cs0 = true;
    b->cs0 = (ctpr << 30) | (((target - here(t)) / 8) & 0x0fffffff);
}

static void ct(EBundle *b, unsigned ctpr, unsigned type, unsigned pred)
{
    b->has_ss = true;
    b->ss = (ctpr << 10) | (type << 5) | pred;
}

static void setwd(EBundle *b, unsigned wsz, unsigned dbl)
{
    b->has_cs1 = true;
    b->cs1 = 0;
    b->lts[0] = (wsz << 5) | (1 << 4) | (dbl << 3);
    b->nlts = MAX(b->nlts, 1);
}

static void movi(T *t, unsigned dst, uint64_t v)
{
    EBundle b = nb();

    als(&b, 0, e2k_als(0x11, E2K_IMM(0), lit64(&b, v), dst));
    emit(t, b);
}

static void halt(T *t, unsigned code)
{
    EBundle b = nb();

    b.has_cs1 = true;
    b.cs1 = E2K_HALT_CS1 | code;
    emit(t, b);
}

static void one(T *t, int ch, uint32_t w)
{
    EBundle b = nb();

    als(&b, ch, w);
    emit(t, b);
}

#define R(n)    E2K_R(n)
#define IMM(n)  E2K_IMM(n)
#define CMP(code, pred) (((code) << 5) | (pred))

/* ---- arithmetic ------------------------------------------------------ */

static const uint64_t V = 0x1122334455667788ull;

static void prog_arith(T *t)
{
    EBundle b;

    movi(t, R(0), V);
    movi(t, R(5), (uint64_t)-16);
    b = nb();
    als(&b, 0, e2k_als(0x11, R(0), IMM(5), R(1)));      /* addd */
    als(&b, 1, e2k_als(0x13, R(0), IMM(1), R(2)));      /* subd */
    als(&b, 3, e2k_als(0x10, IMM(3), IMM(4), R(0)));    /* adds */
    als(&b, 4, e2k_als(0x09, R(0), R(0), R(3)));        /* xord */
    emit(t, b);
    b = nb();
    als(&b, 0, e2k_als(0x1d, R(5), IMM(2), R(6)));      /* sard */
    als(&b, 1, e2k_als(0x1b, R(5), lit32(&b, 60), R(7)));   /* shrd */
    als(&b, 3, e2k_als(0x19, IMM(1), lit32(&b, 63), R(8)));  /* shld */
    als(&b, 4, e2k_als(0x07, IMM(0), R(5), R(9)));      /* ornd */
    emit(t, b);
    movi(t, R(0), V);
    b = nb();
    als(&b, 0, e2k_als(0x21, R(5), R(5), R(10)));       /* muld */
    ext(&b, 0);
    als(&b, 5, e2k_als(0x41, R(0), lit32(&b, 16), R(11)));  /* udivd */
    als(&b, 1, e2k_als(0x0c, IMM(0), R(0), R(12)));     /* sxt s8 */
    als(&b, 3, e2k_als(0x0c, IMM(4), R(0), R(13)));     /* sxt u8 */
    emit(t, b);
    b = nb();
    als(&b, 0, e2k_als(0x1f, R(0), lit32(&b, 8 | 16 << 6), R(14)));
    als(&b, 1, e2k_als(0x17, R(0), IMM(8), R(15)));     /* scrd */
    als(&b, 5, e2k_als(0x43, R(5), IMM(3), R(4)));      /* sdivd */
    emit(t, b);
    halt(t, 0);
}

static void test_arith(void)
{
    T t;
    uint64_t *r;

    t_init(&t, false);
    build(&t, prog_arith);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    r = t.env->regs;
    g_assert_cmphex(r[1], ==, V + 5);
    g_assert_cmphex(r[2], ==, V - 1);
    g_assert_cmphex(r[3], ==, 0);               /* read the old %dr0 */
    g_assert_cmphex(r[6], ==, (uint64_t)-4);
    g_assert_cmphex(r[7], ==, 0xf);
    g_assert_cmphex(r[8], ==, 1ull << 63);
    g_assert_cmphex(r[9], ==, 15);
    g_assert_cmphex(r[10], ==, 256);
    g_assert_cmphex(r[11], ==, V / 16);
    g_assert_cmphex(r[12], ==, (uint64_t)(int8_t)0x88);
    g_assert_cmphex(r[13], ==, 0x88);
    g_assert_cmphex(r[14], ==, (V >> 8) & 0xffff);
    g_assert_cmphex(r[15], ==, (V >> 8) | (V << 56));
    g_assert_cmphex(r[4], ==, (uint64_t)(-16 / 3));
    g_assert_cmpuint(t.env->exit_code, ==, 0);
    t_free(&t);
}

/* 32-bit results keep the high half unless setwd dbl=1 */
static void prog_dbl(T *t)
{
    EBundle b;

    movi(t, R(0), V);
    movi(t, R(1), V);
    one(t, 0, e2k_als(0x10, IMM(1), IMM(2), R(0)));     /* adds */
    b = nb();
    setwd(&b, 8, 1);
    als(&b, 0, e2k_als(0x10, IMM(1), IMM(2), R(1)));
    emit(t, b);
    halt(t, 3);
}

static void test_dbl(void)
{
    T t;

    t_init(&t, false);
    build(&t, prog_dbl);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmphex(t.env->regs[0], ==, (V & ~0xffffffffull) | 3);
    g_assert_cmphex(t.env->regs[1], ==, 3);
    g_assert_true(t.env->wd_dbl);
    g_assert_cmpuint(t.env->exit_code, ==, 3);
    t_free(&t);
}

/* Same-bundle swap, and the higher channel wins a double write. */
static void prog_inbundle(T *t)
{
    EBundle b;

    movi(t, R(0), 111);
    movi(t, R(1), 222);
    b = nb();
    als(&b, 0, e2k_als(0x11, IMM(0), R(1), R(0)));
    als(&b, 1, e2k_als(0x11, IMM(0), R(0), R(1)));
    als(&b, 3, e2k_als(0x11, IMM(0), IMM(7), R(2)));
    als(&b, 4, e2k_als(0x11, IMM(0), IMM(9), R(2)));
    emit(t, b);
    /* readers after the writer in channel order (run reordered) */
    movi(t, R(8), 33);
    b = nb();
    als(&b, 0, e2k_als(0x11, IMM(0), IMM(5), R(8)));
    als(&b, 1, e2k_als(0x11, IMM(0), E2K_B(0), R(3)));     /* %b[0] = %r8 */
    als(&b, 3, e2k_als(0x11, R(8), IMM(1), R(4)));
    als(&b, 4, e2k_als(0x11, R(4), IMM(1), R(5)));
    emit(t, b);
    halt(t, 0);
}

static void test_inbundle(void)
{
    T t;

    t_init(&t, false);
    build(&t, prog_inbundle);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmpuint(t.env->regs[0], ==, 222);
    g_assert_cmpuint(t.env->regs[1], ==, 111);
    g_assert_cmpuint(t.env->regs[2], ==, 9);
    g_assert_cmpuint(t.env->regs[8], ==, 5);
    g_assert_cmpuint(t.env->regs[3], ==, 33);
    g_assert_cmpuint(t.env->regs[4], ==, 34);
    g_assert_cmpuint(t.env->regs[5], ==, 1);        /* old %r4 (0) + 1 */
    t_free(&t);
}

/* sum = 10 + 9 + ... + 1 with a compare and a conditional ct */
static void prog_loop(T *t)
{
    EBundle b = nb();

    als(&b, 0, e2k_als(0x11, IMM(0), IMM(0), R(0)));
    als(&b, 1, e2k_als(0x11, IMM(0), IMM(10), R(1)));
    disp(&b, t, 1, t->labels[0]);
    emit(t, b);
    t->labels[0] = here(t);
    b = nb();
    als(&b, 0, e2k_als(0x11, R(0), R(1), R(0)));
    als(&b, 1, e2k_als(0x13, R(1), IMM(1), R(1)));
    als(&b, 3, e2k_als(0x21, R(1), IMM(1), CMP(2, 0)));     /* cmpedb */
    emit(t, b);
    b = nb();
    ct(&b, 1, 3, 0);                                        /* ~%pred0 */
    emit(t, b);
    halt(t, 0);
}

static void test_loop(void)
{
    T t;

    t_init(&t, false);
    build(&t, prog_loop);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmpuint(t.env->regs[0], ==, 55);
    g_assert_cmpuint(t.env->regs[1], ==, 0);
    g_assert_true(t.env->pred & 1);
    g_assert_cmpuint(t.env->icount, ==, 1 + 2 * 10 + 1);
    t_free(&t);
}

/* compares of every code, 32 and 64 bit, and cmpand */
static void test_compares(void)
{
    static const int64_t pairs[][2] = {
        { 5, 7 }, { 7, 5 }, { -1, 1 }, { 3, 3 }, { INT64_MIN, 1 },
        { 0x80000000ll, 1 }, { 0x7fffffff, -1 },
    };
    unsigned i, code;

    for (i = 0; i < ARRAY_SIZE(pairs); i++) {
        uint64_t a = pairs[i][0], c = pairs[i][1];
        T t;
        EBundle b;

        t_init(&t, false);
        t.env->regs[0] = a;
        t.env->regs[1] = c;
        for (code = 0; code < 8; code++) {
            b = nb();
            als(&b, 0, e2k_als(0x21, R(0), R(1), CMP(code, code)));
            als(&b, 1, e2k_als(0x20, R(0), R(1), CMP(code, 8 + code)));
            emit(&t, b);
        }
        b = nb();
        als(&b, 0, e2k_als(0x23, R(0), R(1), CMP(2, 16)));
        als(&b, 1, e2k_als(0x23, R(0), R(1), CMP(4, 17)));
        als(&b, 3, e2k_als(0x22, R(0), R(1), CMP(7, 18)));
        emit(&t, b);
        halt(&t, 0);
        g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
        for (code = 0; code < 8; code++) {
            bool d, s;
            int64_t sa = a, sc = c;
            int32_t wa = a, wc = c;
            uint64_t dd = a - c;
            uint32_t ws = (uint32_t)a - (uint32_t)c;

            switch (code) {
            case 0:
                d = __builtin_sub_overflow(sa, sc, &sa);
                s = __builtin_sub_overflow(wa, wc, &wa);
                break;
            case 1: d = a < c; s = (uint32_t)a < (uint32_t)c; break;
            case 2: d = a == c; s = (uint32_t)a == (uint32_t)c; break;
            case 3: d = a <= c; s = (uint32_t)a <= (uint32_t)c; break;
            case 4: d = (int64_t)dd < 0; s = (int32_t)ws < 0; break;
            case 5:
                d = !(__builtin_popcount(dd & 0xff) & 1);
                s = !(__builtin_popcount(ws & 0xff) & 1);
                break;
            case 6: d = sa < sc; s = wa < wc; break;
            default: d = sa <= sc; s = wa <= wc; break;
            }
            g_assert_cmpuint((t.env->pred >> code) & 1, ==, d);
            g_assert_cmpuint((t.env->pred >> (8 + code)) & 1, ==, s);
        }
        g_assert_cmpuint((t.env->pred >> 16) & 1, ==, (a & c) == 0);
        g_assert_cmpuint((t.env->pred >> 17) & 1, ==, (int64_t)(a & c) < 0);
        g_assert_cmpuint((t.env->pred >> 18) & 1, ==,
                         (int32_t)(a & c) <= 0);
        t_free(&t);
    }
}

/* ---- call / return ---------------------------------------------------- */

enum { L_FUNC = 1, L_RET, L_END };

static void prog_call(T *t)
{
    EBundle b;
    unsigned i;

    for (i = 0; i < 8; i++) {
        movi(t, R(i), 100 + i);
    }
    b = nb();
    als(&b, 0, e2k_als(0x11, IMM(0), lit32(&b, 21), R(8)));
    disp(&b, t, 1, t->labels[L_FUNC]);
    emit(t, b);
    b = nb();
    ct(&b, 1, 1, 0);
    b.has_cs1 = true;
    b.cs1 = 0x50000000 | 4;                     /* call wbs=4 */
    emit(t, b);
    t->labels[L_END] = here(t);
    halt(t, 0);
    /* func: 8-register window, doubles its argument */
    t->labels[L_FUNC] = here(t);
    b = nb();
    setwd(&b, 4, 0);
    als(&b, 0, e2k_als(0x11, R(0), R(0), R(0)));
    als(&b, 1, e2k_als(0x11, IMM(0), IMM(5), R(7)));
    emit(t, b);
    t->labels[L_RET] = here(t);
    b = nb();
    b.has_cs1 = true;
    b.cs1 = 0x70000001;                         /* flushr */
    emit(t, b);
    halt(t, 7);                                 /* patched to a nop */
    b = nb();
    b.has_cs0 = true;
    b.cs0 = 0xf0000000;                         /* return %ctpr3 */
    emit(t, b);
    b = nb();
    ct(&b, 3, 1, 0);
    emit(t, b);
}

static void test_call_return(void)
{
    T t;
    unsigned i;
    uint64_t v;

    t_init(&t, false);
    build(&t, prog_call);

    /* stop at the flushr: the caller's registers are still in the file */
    t.env->budget = 0;
    while (t.env->ip != t.labels[L_RET]) {
        t.env->budget = 1;
        g_assert_cmpint(run(&t), ==, E2K_EXCP_STOP);
    }
    t.env->budget = 1000000;
    g_assert_cmpuint((uint32_t)t.env->psp_hi, ==, 64);
    g_assert_cmpuint(t.env->pshtp, ==, 64);
    memcpy(&v, t.ram + PS_BASE, 8);
    g_assert_cmpuint(v, ==, 0);

    /* then inside the callee after flushr */
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmpuint(t.env->exit_code, ==, 7);
    g_assert_cmpuint(t.env->wd_size, ==, 8);
    g_assert_cmpuint(t.env->wd_psize, ==, 8);
    g_assert_cmphex(e2k_get_wd(t.env) & 0x7ff, ==, 8 * 8);   /* WD.base */
    g_assert_cmpuint(t.env->regs[0], ==, 42);
    g_assert_cmpuint((uint32_t)t.env->psp_hi, ==, 64);
    g_assert_cmpuint(t.env->pshtp, ==, 0);
    g_assert_cmpuint((uint32_t)t.env->pcsp_hi, ==, 32);
    for (i = 0; i < 8; i++) {
        memcpy(&v, t.ram + PS_BASE + 8 * i, 8);
        g_assert_cmpuint(v, ==, 100 + i);       /* spilled caller regs */
    }
    memcpy(&v, t.ram + PCS_BASE + 32 + 8, 8);   /* CR0.hi: return IP */
    g_assert_cmphex(v, ==, t.labels[L_END]);

    /* go on: the callee returns, the caller's registers are filled back */
    memset(t.ram + t.env->ip, 0, 8);
    /* HS 0: an empty 8-byte bundle */
    e2k_tb_flush(t.env);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmpuint(t.env->exit_code, ==, 0);
    for (i = 0; i < 8; i++) {
        g_assert_cmpuint(t.env->regs[i], ==, 100 + i);
    }
    g_assert_cmpuint(t.env->regs[8], ==, 42);
    g_assert_cmpuint(t.env->regs[15], ==, 5);   /* callee %r7 */
    g_assert_cmpuint(t.env->wd_size, ==, 16);
    g_assert_cmpuint(t.env->wd_psize, ==, 8);
    g_assert_cmphex(e2k_get_wd(t.env), ==, (16ull * 8 << 16) |
                    (8ull * 8 << 32));
    g_assert_cmpuint((uint32_t)t.env->psp_hi, ==, 0);
    g_assert_cmpuint((uint32_t)t.env->pcsp_hi, ==, 0);
    g_assert_cmphex(t.env->ctpr[3] & E2K_CTPR_TAG_MASK, ==, 0);
    t_free(&t);
}

/* f(n) = n ? n + f(n - 1) : 0, recursively through call/return */
static void prog_recursion(T *t)
{
    EBundle b = nb();

    als(&b, 0, e2k_als(0x11, IMM(0), lit32(&b, t->labels[0]), R(8)));
    disp(&b, t, 1, t->labels[L_FUNC]);
    emit(t, b);
    b = nb();
    ct(&b, 1, 1, 0);
    b.has_cs1 = true;
    b.cs1 = 0x50000004;
    emit(t, b);
    halt(t, 0);

    t->labels[L_FUNC] = here(t);
    b = nb();
    setwd(&b, 8, 0);
    disp(&b, t, 1, t->labels[L_FUNC]);
    als(&b, 0, e2k_als(0x21, R(0), IMM(0), CMP(2, 0)));
    als(&b, 1, e2k_als(0x13, R(0), IMM(1), R(8)));
    emit(t, b);
    b = nb();
    disp(&b, t, 2, t->labels[L_RET]);
    emit(t, b);
    b = nb();
    ct(&b, 2, 2, 0);
    emit(t, b);
    b = nb();
    ct(&b, 1, 1, 0);
    b.has_cs1 = true;
    b.cs1 = 0x50000004;
    emit(t, b);
    one(t, 0, e2k_als(0x11, R(0), R(8), R(0)));
    t->labels[L_RET] = here(t);
    b = nb();
    b.has_cs0 = true;
    b.cs0 = 0xf0000000;
    emit(t, b);
    b = nb();
    ct(&b, 3, 1, 0);
    emit(t, b);
}

static void test_recursion(void)
{
    T t;

    t_init(&t, false);
    t.labels[0] = 1000;
    build(&t, prog_recursion);
    t.env->regs[0] = 0xabc;

    /* deep inside: the oldest frames were spilled on window overflow */
    t.env->budget = 3000;
    g_assert_cmpint(run(&t), ==, E2K_EXCP_STOP);
    g_assert_cmpuint(t.env->nhidden + t.env->wd_size, <=, 224);
    g_assert_cmpuint(t.env->pshtp, ==, t.env->nhidden * 8);
    g_assert_cmpuint((uint32_t)t.env->psp_hi, >, t.env->pshtp);
    g_assert_cmphex(*(uint64_t *)(t.ram + PS_BASE), ==, 0xabc);

    /* and back out: underflows fill the registers from memory */
    t.env->budget = 1000000;
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmphex(t.env->regs[0], ==, 0xabc);
    g_assert_cmpuint(t.env->regs[8], ==, 1000 * 1001 / 2);
    g_assert_cmpuint((uint32_t)t.env->psp_hi, ==, 0);
    g_assert_cmpuint(t.env->pshtp, ==, 0);
    g_assert_cmpuint(t.env->nhidden, ==, 0);
    g_assert_cmpuint((uint32_t)t.env->pcsp_hi, ==, 0);
    t_free(&t);

    /* the same with a chain stack too small for 1000 frames */
    t_init(&t, false);
    t.labels[0] = 1000;
    build(&t, prog_recursion);
    t.env->pcsp_hi = 0x1000ull << 32;
    g_assert_cmpint(run(&t), ==, E2K_EXCP_CHAIN_STACK_BOUNDS);
    t_free(&t);

    /* and a procedure stack too small */
    t_init(&t, false);
    t.labels[0] = 1000;
    build(&t, prog_recursion);
    t.env->psp_hi = 0x1000ull << 32;
    g_assert_cmpint(run(&t), ==, E2K_EXCP_PROC_STACK_BOUNDS);
    t_free(&t);
}

/* ---- rotating registers, PLS, CDS ------------------------------------ */

static void prog_rotate(T *t)
{
    EBundle b = nb();

    b.has_cs1 = true;
    b.cs1 = 0x44000000 | 2 | (1 << 6);          /* setbn rbs=2, rsz=1 */
    emit(t, b);
    b = nb();
    als(&b, 0, e2k_als(0x11, IMM(0), IMM(1), E2K_B(0)));
    b.has_ss = true;
    b.ss = 1u << 22;                            /* abnf: no CT -> rotate */
    emit(t, b);
    one(t, 0, e2k_als(0x11, IMM(0), IMM(2), E2K_B(0)));
    one(t, 0, e2k_als(0x11, IMM(0), E2K_B(2), R(0)));
    halt(t, 0);
}

static void test_rotate(void)
{
    T t;

    t_init(&t, false);
    build(&t, prog_rotate);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmpuint(t.env->br_base, ==, 4);
    g_assert_cmpuint(t.env->br_size, ==, 4);
    g_assert_cmpuint(t.env->br_cur, ==, 2);
    g_assert_cmpuint(t.env->regs[4], ==, 1);
    g_assert_cmpuint(t.env->regs[6], ==, 2);
    g_assert_cmpuint(t.env->regs[0], ==, 1);
    t_free(&t);
}

static void prog_pls_cds(T *t)
{
    EBundle b = nb();

    als(&b, 0, e2k_als(0x21, IMM(0), IMM(0), CMP(2, 0)));   /* p0 = 1 */
    als(&b, 1, e2k_als(0x21, IMM(0), IMM(1), CMP(2, 1)));   /* p1 = 0 */
    als(&b, 3, e2k_als(0x21, IMM(0), IMM(0), CMP(2, 2)));   /* p2 = 1 */
    emit(t, b);
    b = nb();
    b.npls = 2;
    b.pls[0] = 0x60610062;          /* p2 = p0 & p1 */
    /* PLS1: p3 = ~@p1 & @p0 */
    b.pls[1] = (1 << 13) | (1 << 10) | (0 << 6) | 0x20 | 3;
    emit(t, b);
    b = nb();
    /* executes only if %pred0, resp. skipped if ~%pred0 */
    als(&b, 0, e2k_als(0x11, IMM(0), IMM(5), R(0)));
    als(&b, 1, e2k_als(0x11, IMM(0), IMM(6), R(1)));
    als(&b, 3, e2k_als(0x0f, IMM(1), IMM(2), R(2)));        /* merged */
    b.ncds = 2;
    b.cds[0] = 0x0460 | (0x0960u << 16);    /* ch0 ? p0, ch1 ? ~p0 */
    b.cds[1] = 0xc461;                      /* ch3 merge by %pred1 */
    emit(t, b);
    halt(t, 0);
}

static void test_pls_cds(void)
{
    T t;

    t_init(&t, false);
    t.env->regs[1] = 77;
    build(&t, prog_pls_cds);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    /* p0 1, p1 0, p2 = p0 & p1 = 0, p3 = ~p1 & p0 = 1 */
    g_assert_cmpuint(t.env->pred & 0xf, ==, 9);
    g_assert_cmpuint(t.env->regs[0], ==, 5);
    g_assert_cmpuint(t.env->regs[1], ==, 77);   /* skipped */
    g_assert_cmpuint(t.env->regs[2], ==, 1);    /* %pred1 = 0: src1 */
    t_free(&t);
}

/* ---- memory ---------------------------------------------------------- */

static void prog_mem(T *t)
{
    EBundle b;

    movi(t, R(0), DATA);
    movi(t, R(1), 0x8877665544332211ull);
    one(t, 2, e2k_als(0x27, R(0), IMM(0), R(1)));           /* std */
    b = nb();
    als(&b, 0, e2k_als(0x64, R(0), IMM(7), R(2)));          /* ldb */
    als(&b, 2, e2k_als(0x65, R(0), IMM(2), R(3)));          /* ldh */
    als(&b, 3, e2k_als(0x66, R(0), IMM(4), R(4)));          /* ldw */
    als(&b, 5, e2k_als(0x67, R(0), IMM(0), R(5)));          /* ldd */
    emit(t, b);
    b = nb();
    als(&b, 2, e2k_als(0x24, R(0), IMM(8), R(1)));          /* stb */
    als(&b, 5, e2k_als(0x25, R(0), IMM(10), R(1)));         /* sth */
    emit(t, b);
    one(t, 2, e2k_als(0x26, R(0), IMM(12), R(1)));          /* stw */
    one(t, 0, e2k_als(0x67, R(0), IMM(8), R(6)));
    /* I/O: store and load through MAS 6 */
    movi(t, R(7), IO_BASE + 0x300);
    b = nb();
    als(&b, 2, e2k_als(0x24, R(7), IMM(1), R(1)));
    b.has_cs1 = true;
    b.cs1 = 0x60000000 | (6 << 14);
    emit(t, b);
    b = nb();
    als(&b, 5, e2k_als(0x66, R(7), IMM(4), R(8)));
    b.has_cs1 = true;
    b.cs1 = 0x60000000 | 6;
    emit(t, b);
    halt(t, 0);
}

static void test_mem(void)
{
    T t;

    t_init(&t, false);
    build(&t, prog_mem);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmphex(t.env->regs[2], ==, 0x88);
    g_assert_cmphex(t.env->regs[3], ==, 0x4433);
    g_assert_cmphex(t.env->regs[4], ==, 0x88776655);
    g_assert_cmphex(t.env->regs[5], ==, 0x8877665544332211ull);
    g_assert_cmphex(t.env->regs[6], ==, 0x4433221122110011ull);
    g_assert_cmphex(t.io_last_port, ==, 0x301);
    g_assert_cmphex(t.io_last_val, ==, 0x11);
    g_assert_cmphex(t.env->regs[8], ==, 0x1000 + 0x304);
    t_free(&t);
}

/* A store rewrites a bundle that already ran; the new one must run. */
static void prog_smc(T *t)
{
    EBundle b = nb();
    uint64_t newcode = 0x04000001ull |
        ((uint64_t)e2k_als(0x11, R(0), IMM(2), R(0)) << 32);

    movi(t, R(3), newcode);
    movi(t, R(4), t->labels[0]);
    b = nb();
    als(&b, 0, e2k_als(0x11, IMM(0), IMM(0), R(0)));
    als(&b, 1, e2k_als(0x11, IMM(0), IMM(0), R(1)));
    disp(&b, t, 2, t->labels[L_END]);
    emit(t, b);
    t->labels[0] = here(t);
    one(t, 0, e2k_als(0x11, R(0), IMM(1), R(0)));
    b = nb();
    als(&b, 1, e2k_als(0x11, R(1), IMM(1), R(1)));
    als(&b, 0, e2k_als(0x21, R(1), IMM(1), CMP(2, 0)));
    disp(&b, t, 1, t->labels[0]);
    emit(t, b);
    b = nb();
    ct(&b, 2, 2, 0);
    emit(t, b);
    one(t, 2, e2k_als(0x27, R(4), IMM(0), R(3)));
    b = nb();
    ct(&b, 1, 1, 0);
    emit(t, b);
    t->labels[L_END] = here(t);
    halt(t, 0);
}

static void test_smc(void)
{
    T t;

    t_init(&t, false);
    build(&t, prog_smc);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmpuint(t.env->regs[0], ==, 1 + 2);
    t_free(&t);
}

/* a counted loop: %lsr.lcnt = 5, alc on the transfer, ? #NOT_LOOP_END */
static void prog_lsr(T *t)
{
    EBundle b = nb();

    als(&b, 0, e2k_als(0x3d, 0xc0, lit64(&b, (1ull << 37) | 5), 0x83));
    ext(&b, 0);
    disp(&b, t, 1, t->labels[0]);
    emit(t, b);
    t->labels[0] = here(t);
    b = nb();
    als(&b, 0, e2k_als(0x11, R(0), IMM(1), R(0)));
    ct(&b, 1, 5, 0);
    b.ss |= 1u << 16;                           /* alct */
    emit(t, b);
    halt(t, 0);
}

static void test_loop_counter(void)
{
    T t;

    t_init(&t, true);                           /* %lsr is not privileged */
    build(&t, prog_lsr);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmpuint(t.env->regs[0], ==, 5);
    g_assert_cmpuint((uint32_t)t.env->lsr, ==, 1);
    t_free(&t);
}

/* ---- state registers ------------------------------------------------- */

static void prog_sr(T *t)
{
    EBundle b = nb();

    als(&b, 0, e2k_als(0x3f, 0x07, 0xc0, R(0)));            /* rrd psp.hi */
    ext(&b, 0);
    emit(t, b);
    b = nb();
    als(&b, 0, e2k_als(0x3d, 0xc0, IMM(5), 0x80));          /* rwd upsr */
    ext(&b, 0);
    emit(t, b);
    b = nb();
    als(&b, 0, e2k_als(0x3f, 0x88, 0xc0, R(1)));            /* rrd br */
    ext(&b, 0);
    emit(t, b);
    halt(t, 0);
}

static void test_state_regs(void)
{
    T t;

    t_init(&t, false);
    build(&t, prog_sr);
    g_assert_cmpint(run(&t), ==, E2K_EXCP_HALT);
    g_assert_cmphex(t.env->regs[0], ==, (uint64_t)STK_SIZE << 32);
    g_assert_cmphex(t.env->upsr, ==, 5);
    /* reset BR: base 8, size 8 -> rbs 4, rsz 3 */
    g_assert_cmphex(t.env->regs[1], ==, 4 | (3 << 6));
    t_free(&t);
}

/* ---- faults ---------------------------------------------------------- */

typedef struct Fault {
    const char *name;
    bool user;
    int excp;
    EBundle b;
} Fault;

static void test_faults(void)
{
    Fault f[] = {
        { "gdb-break", false, E2K_EXCP_ILLEGAL_OPCODE,
          { .als_mask = 1, .als = { 0x0dc0c080 } } },
        { "window", false, E2K_EXCP_WINDOW_BOUNDS,
          { .als_mask = 1, .als = { e2k_als(0x11, R(20), IMM(0), R(0)) } } },
        { "rotating", false, E2K_EXCP_WINDOW_BOUNDS,
          { .als_mask = 1, .als = { e2k_als(0x11, E2K_B(8), IMM(0), R(0)) } } },
        { "misaligned", false, E2K_EXCP_ADDR_NOT_ALIGNED,
          { .als_mask = 1, .als = { e2k_als(0x67, IMM(0), IMM(3), R(0)) } } },
        { "hole", false, E2K_EXCP_DATA_PAGE,
          { .als_mask = 1, .nlts = 1, .lts = { 0x7ff00000 },
            .als = { e2k_als(0x67, IMM(0), E2K_LIT32(0), R(0)) } } },
        { "priv", true, E2K_EXCP_PRIV_ACTION,
          { .als_mask = 1, .ales_mask = 1, .ales = { 0x01c0 },
            .als = { e2k_als(0x3d, 0xc0, IMM(0), 0x00) } } },
        { "div0", false, E2K_EXCP_DIV,
          { .als_mask = 0x20, .als = { [5] = e2k_als(0x41, R(0), IMM(0),
                                                     R(1)) } } },
        { "empty-ctpr", false, E2K_EXCP_ILLEGAL_OPCODE,
          { .has_ss = true, .ss = 0x420 } },
        { "io-user", true, E2K_EXCP_ACCESS_RIGHTS,
          { .als_mask = 4, .has_cs1 = true, .cs1 = 0x60000000 | (6 << 14),
            .als = { [2] = e2k_als(0x64, IMM(0), IMM(0), R(0)) } } },
        { "setwd-psize", false, E2K_EXCP_ILLEGAL_OPCODE,
          { .has_cs1 = true, .nlts = 1, .lts = { 2 << 5 } } },
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(f); i++) {
        T t;

        t_init(&t, f[i].user);
        emit(&t, f[i].b);
        halt(&t, 0);
        if (g_test_verbose()) {
            g_test_message("fault %s", f[i].name);
        }
        g_assert_cmpint(run(&t), ==, f[i].excp);
        g_assert_cmphex(t.env->ip, ==, CODE);
        g_assert_cmpuint(t.env->icount, ==, 0);
        t_free(&t);
    }
}

static void test_budget_and_ip(void)
{
    T t;
    EBundle b = nb();

    t_init(&t, false);
    b.has_cs0 = true;
    b.cs0 = 0;                  /* ibranch . */
    ct(&b, 0, 1, 0);
    emit(&t, b);
    t.env->budget = 1000;
    g_assert_cmpint(run(&t), ==, E2K_EXCP_STOP);
    g_assert_cmpuint(t.env->icount, ==, 1000);
    g_assert_cmphex(t.env->ip, ==, CODE);
    t.env->ip = CODE + 4;
    g_assert_cmpint(run(&t), ==, E2K_EXCP_ILLEGAL_INSTR_ADDR);
    t.env->ip = 0x200000;
    g_assert_cmpint(run(&t), ==, E2K_EXCP_INSTR_PAGE_MISS);
    t_free(&t);
}

static unsigned rand_src(GRand *r)
{
    switch (g_rand_int_range(r, 0, 5)) {
    case 0:
        return E2K_R(g_rand_int_range(r, 0, 17));
    case 1:
        return E2K_B(g_rand_int_range(r, 0, 8));
    case 2:
        return E2K_G(g_rand_int_range(r, 0, 32));
    default:
        return E2K_IMM(g_rand_int_range(r, 0, 16));
    }
}

/* A random bundle of mostly legal operations (short ops, some memory). */
static EBundle rand_bundle(GRand *r, T *t)
{
    static const struct {
        uint8_t opc, chans;
    } ops[] = {
        { 0x00, 0x3f }, { 0x01, 0x3f }, { 0x05, 0x3f }, { 0x09, 0x3f },
        { 0x0c, 0x3f }, { 0x10, 0x3f }, { 0x11, 0x3f }, { 0x13, 0x3f },
        { 0x15, 0x3f }, { 0x17, 0x3f }, { 0x19, 0x3f }, { 0x1b, 0x3f },
        { 0x1d, 0x3f }, { 0x1f, 0x3f }, { 0x20, 0x1b }, { 0x21, 0x1b },
        { 0x64, 0x0c }, { 0x67, 0x0c }, { 0x24, 0x20 }, { 0x27, 0x20 },
        { 0x41, 0x20 }, { 0x43, 0x20 },
    };
    EBundle b = nb();
    int ch;

    for (ch = 0; ch < 6; ch++) {
        unsigned k = g_rand_int_range(r, 0, G_N_ELEMENTS(ops));
        unsigned opc = ops[k].opc;
        unsigned dst = g_rand_boolean(r) ? E2K_R(g_rand_int_range(r, 0, 16))
                                         : E2K_B(g_rand_int_range(r, 0, 8));

        if (g_rand_int_range(r, 0, 3) || !(ops[k].chans & (1u << ch))) {
            continue;
        }
        if (opc == 0x20 || opc == 0x21) {
            dst = g_rand_int_range(r, 0, 256);
        }
        als(&b, ch, e2k_als(opc, rand_src(r), rand_src(r), dst));
    }
    switch (g_rand_int_range(r, 0, 12)) {
    case 0: case 5: case 6: case 7: case 8:
        disp(&b, t, g_rand_int_range(r, 1, 4),
             CODE + 8 * g_rand_int_range(r, 0, 256));
        break;
    case 1:
        ct(&b, g_rand_int_range(r, 1, 4), g_rand_int_range(r, 1, 4),
           g_rand_int_range(r, 0, 4));
        break;
    case 2:
        ct(&b, g_rand_int_range(r, 1, 4), 1, 0);
        b.has_cs1 = true;
        b.cs1 = 0x50000000 | g_rand_int_range(r, 0, 6);
        break;
    case 3:
        b.has_cs0 = true;
        b.cs0 = 0xf0000000;
        break;
    case 4:
        setwd(&b, g_rand_int_range(r, 8, 16), g_rand_boolean(r));
        break;
    }
    return b;
}

/*
 * Random programs run with a budget: whatever they do, the CPU must stop
 * with an exception it knows and keep its invariants.
 */
static void test_random_programs(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(4242);
    unsigned iter, i, long_runs = 0;

    for (iter = 0; iter < 500; iter++) {
        T t;
        int excp;

        t_init(&t, iter & 1);
        for (i = 1; i <= 3; i++) {
            EBundle b = nb();

            disp(&b, &t, i, CODE + 0x100 * i);
            emit(&t, b);
        }
        while (here(&t) < CODE + 0x800) {
            emit(&t, rand_bundle(rand, &t));
        }
        t.env->budget = 5000;
        excp = run(&t);
        g_assert_cmpstr(e2k_excp_name(excp), !=, "unknown");
        g_assert_cmpuint(t.env->wd_size, <=, 224);
        g_assert_cmpuint(t.env->nhidden + t.env->wd_size, <=, 224);
        g_assert_cmpuint(t.env->br_cur, <, t.env->br_size);
        g_assert_cmpuint(t.env->pshtp, ==, t.env->nhidden * 8);
        if (g_test_verbose()) {
            g_test_message("%s after %" PRIu64, e2k_excp_name(excp),
                           t.env->icount);

        }
        if (t.env->icount > 20) {
            long_runs++;
        }
        t_free(&t);
    }
    g_assert_cmpuint(long_runs, >, 20);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/e2k-cpu/arith", test_arith);
    g_test_add_func("/e2k-cpu/dbl", test_dbl);
    g_test_add_func("/e2k-cpu/inbundle", test_inbundle);
    g_test_add_func("/e2k-cpu/loop", test_loop);
    g_test_add_func("/e2k-cpu/compares", test_compares);
    g_test_add_func("/e2k-cpu/call-return", test_call_return);
    g_test_add_func("/e2k-cpu/recursion", test_recursion);
    g_test_add_func("/e2k-cpu/rotate", test_rotate);
    g_test_add_func("/e2k-cpu/pls-cds", test_pls_cds);
    g_test_add_func("/e2k-cpu/mem", test_mem);
    g_test_add_func("/e2k-cpu/smc", test_smc);
    g_test_add_func("/e2k-cpu/state-regs", test_state_regs);
    g_test_add_func("/e2k-cpu/loop-counter", test_loop_counter);
    g_test_add_func("/e2k-cpu/faults", test_faults);
    g_test_add_func("/e2k-cpu/budget-and-ip", test_budget_and_ip);
    g_test_add_func("/e2k-cpu/random-programs", test_random_programs);
    return g_test_run();
}
