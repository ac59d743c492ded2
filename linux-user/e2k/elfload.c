/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-e2k process image: guest memory mapping helpers and the loader of
 * static E2K ELF64 executables (e_machine 175).  The PT_LOAD segments are
 * mapped as one region at their link addresses; the brk heap follows.
 * The user data stack (USD/SBR) gets the Linux argument block
 * (argc, argv, envp, auxv); the procedure and chain stacks (PSP/PCSP) get
 * their own areas.  %dr0..%dr2 also hold argc, argv and envp at entry.
 */
#include "qemu/osdep.h"
#include "linux-user/e2k/qemu.h"

extern char **environ;

#define EM_MCST_ELBRUS  175
#define PAGE            4096ull
#define ALIGN_PAGE(x)   (((x) + PAGE - 1) & ~(PAGE - 1))

#define STACK_TOP       0x00007f0000000000ull
#define STACK_SIZE      (8ull << 20)
#define PS_BASE         0x00007e0000000000ull
#define PS_SIZE         (64ull << 20)
#define PCS_BASE        0x00007d0000000000ull
#define PCS_SIZE        (16ull << 20)
#define BRK_MAX         (256ull << 20)
#define MMAP_BASE       0x0000400000000000ull

uint8_t *e2k_user_map(E2KProcess *p, const char *name, uint64_t guest,
                      uint64_t size)
{
    E2KHostMap *m;
    void *host;

    size = ALIGN_PAGE(size);
    if (!size || e2k_cpu_find_region(p->env, guest, 1) ||
        e2k_cpu_find_region(p->env, guest + size - 1, 1)) {
        return NULL;
    }
    host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED) {
        return NULL;
    }
    if (!e2k_cpu_add_ram(p->env, name, guest, size, host)) {
        munmap(host, size);
        return NULL;
    }
    m = g_new(E2KHostMap, 1);
    m->guest = guest;
    m->host = host;
    m->size = size;
    g_ptr_array_add(p->host_maps, m);
    return host;
}

bool e2k_user_unmap(E2KProcess *p, uint64_t guest, uint64_t size)
{
    guint i;

    for (i = 0; i < p->host_maps->len; i++) {
        E2KHostMap *m = g_ptr_array_index(p->host_maps, i);

        if (m->guest == guest && ALIGN_PAGE(size) == m->size) {
            e2k_cpu_remove_region(p->env, guest);
            munmap(m->host, m->size);
            g_ptr_array_remove_index(p->host_maps, i);    /* frees m */
            return true;
        }
    }
    return false;
}

static uint16_t g16(const uint8_t *b)
{
    return b[0] | (b[1] << 8);
}

static uint32_t g32(const uint8_t *b)
{
    return g16(b) | ((uint32_t)g16(b + 2) << 16);
}

static uint64_t g64(const uint8_t *b)
{
    return g32(b) | ((uint64_t)g32(b + 4) << 32);
}

static bool load_segments(E2KProcess *p, const uint8_t *f, size_t len,
                          GError **errp)
{
    uint64_t phoff = g64(f + 32), lo = UINT64_MAX, hi = 0;
    unsigned phentsize = g16(f + 54), phnum = g16(f + 56), i;
    uint8_t *host;

    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + (uint64_t)i * phentsize;

        if (phoff + (uint64_t)(i + 1) * phentsize > len) {
            goto bad;
        }
        if (g32(ph) != 1) {
            continue;
        }
        if (g64(ph + 40) < g64(ph + 32) || g64(ph + 8) > len ||
            g64(ph + 32) > len - g64(ph + 8)) {
            goto bad;
        }
        lo = MIN(lo, g64(ph + 16) & ~(PAGE - 1));
        hi = MAX(hi, ALIGN_PAGE(g64(ph + 16) + g64(ph + 40)));
    }
    if (lo >= hi || hi - lo > (1ull << 32)) {
        goto bad;
    }
    host = e2k_user_map(p, "image", lo, hi - lo);
    if (!host) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                    "cannot map the image at 0x%" PRIx64, lo);
        return false;
    }
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + (uint64_t)i * phentsize;

        if (g32(ph) == 1) {
            memcpy(host + (g64(ph + 16) - lo), f + g64(ph + 8),
                   g64(ph + 32));
        }
    }
    p->brk_start = p->brk_cur = hi;
    return true;
bad:
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "Invalid ELF image for this architecture");
    return false;
}

static uint64_t push_bytes(E2KProcess *p, uint64_t *sp, const void *d,
                           size_t n)
{
    *sp -= n;
    e2k_mem_write(p->env, *sp, d, n);
    return *sp;
}

/* Builds argc/argv/envp/auxv below STACK_TOP; returns the new sp. */
static uint64_t setup_args(E2KProcess *p, int argc, char **argv)
{
    char **envp = environ;
    int envc = g_strv_length(envp), i, n;
    g_autofree uint64_t *vec = NULL;
    uint64_t sp = STACK_TOP - 16, *ptrs, argv_at;

    n = 1 + argc + 1 + envc + 1 + 2;
    vec = g_new0(uint64_t, n);
    ptrs = vec + 1;
    vec[0] = argc;
    for (i = argc - 1; i >= 0; i--) {
        ptrs[i] = push_bytes(p, &sp, argv[i], strlen(argv[i]) + 1);
    }
    for (i = envc - 1; i >= 0; i--) {
        ptrs[argc + 1 + i] = push_bytes(p, &sp, envp[i],
                                        strlen(envp[i]) + 1);
    }
    sp &= ~15ull;
    sp -= n * 8;
    sp &= ~15ull;
    e2k_mem_write(p->env, sp, vec, n * 8);     /* LE host */
    argv_at = sp + 8;
    p->env->regs[0] = argc;
    p->env->regs[1] = argv_at;
    p->env->regs[2] = argv_at + (argc + 1) * 8;
    return sp;
}

bool e2k_load_elf(E2KProcess *p, const char *path, int argc, char **argv,
                  GError **errp)
{
    g_autofree uint8_t *f = NULL;
    E2KCPUState *env = p->env;
    gsize len;
    uint64_t sp;

    if (!g_file_get_contents(path, (char **)&f, &len, NULL)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s",
                    g_strerror(errno));
        return false;
    }
    if (len < 64 || memcmp(f, "\177ELF", 4) || f[4] != 2 || f[5] != 1 ||
        (g16(f + 16) != 2 && g16(f + 16) != 3) ||
        g16(f + 18) != EM_MCST_ELBRUS) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "Invalid ELF image for this architecture");
        return false;
    }
    if (!load_segments(p, f, len, errp)) {
        return false;
    }
    p->entry = g64(f + 24);
    p->brk_max = p->brk_start + BRK_MAX;
    p->brk_host = e2k_user_map(p, "heap", p->brk_start, BRK_MAX);
    if (!p->brk_host ||
        !e2k_user_map(p, "stack", STACK_TOP - STACK_SIZE, STACK_SIZE) ||
        !e2k_user_map(p, "ps", PS_BASE, PS_SIZE) ||
        !e2k_user_map(p, "pcs", PCS_BASE, PCS_SIZE)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                    "cannot map the stacks");
        return false;
    }
    p->mmap_next = MMAP_BASE;

    e2k_cpu_reset(env, p->entry);
    sp = setup_args(p, argc, argv);
    env->sbr = STACK_TOP;
    env->usd_lo = E2K_DESC_RW | sp;
    env->usd_hi = (sp - (STACK_TOP - STACK_SIZE)) << 32;
    env->psp_lo = E2K_DESC_RW | PS_BASE;
    env->psp_hi = PS_SIZE << 32;
    env->pcsp_lo = E2K_DESC_RW | PCS_BASE;
    env->pcsp_hi = PCS_SIZE << 32;
    return true;
}
