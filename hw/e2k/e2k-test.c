/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The e2k-test board: one CPU in the QEMU e2k reset state, RAM at 0, a
 * writable 16 MiB firmware area at 0x1_0000_0000 holding the -bios image
 * (the reset IP), the x86-style port space of the I/O area reached with
 * MAS 6, the lmscon console at ports 0x300.., and read-only SIC routing
 * registers.  Laid out after include/hw/e2k/memmap.h so the full machine
 * can add PCI and disks later.
 */
#include "qemu/osdep.h"
#include "hw/e2k/e2k.h"
#include "hw/e2k/memmap.h"
#include "hw/char/lmscon.h"

const char *const e2k_machine_names[] = { "e2k-test", NULL };

bool e2k_machine_add_ports(E2KMachine *m, uint16_t base, uint16_t len,
                           E2KIORead read, E2KIOWrite write, void *opaque)
{
    E2KPortRange *p;

    if (m->nr_ports >= E2K_MAX_PORT_RANGES) {
        return false;
    }
    p = &m->ports[m->nr_ports++];
    p->base = base;
    p->len = len;
    p->read = read;
    p->write = write;
    p->opaque = opaque;
    return true;
}

static E2KPortRange *port_find(E2KMachine *m, uint64_t port)
{
    int i;

    for (i = 0; i < m->nr_ports; i++) {
        if (port - m->ports[i].base < m->ports[i].len) {
            return &m->ports[i];
        }
    }
    return NULL;
}

static bool io_read(void *opaque, uint64_t port, unsigned size,
                    uint64_t *val)
{
    E2KPortRange *p = port_find(opaque, port);

    return p && p->read && p->read(p->opaque, port - p->base, size, val);
}

static bool io_write(void *opaque, uint64_t port, unsigned size,
                     uint64_t val)
{
    E2KPortRange *p = port_find(opaque, port);

    return p && p->write && p->write(p->opaque, port - p->base, size, val);
}

/* SIC (NBSR) routing registers: reset values, writes ignored. */
static bool sic_read(void *opaque, uint64_t addr, unsigned size,
                     uint64_t *val)
{
    switch (addr) {
    case 0x10:
        *val = 0xb;                     /* rt_lcfg0 */
        break;
    case 0x14: case 0x18: case 0x1c:
        *val = 0x30;                    /* rt_lcfg1..3 */
        break;
    default:
        *val = 0;
        break;
    }
    return true;
}

static bool sic_write(void *opaque, uint64_t addr, unsigned size,
                      uint64_t val)
{
    return true;
}

static bool load_bios(E2KMachine *m, const char *bios, GError **errp)
{
    g_autofree char *data = NULL;
    gsize len;

    if (!g_file_get_contents(bios, &data, &len, NULL)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "could not load firmware '%s'", bios);
        return false;
    }
    if (len > E2K_BIOS_SIZE) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                    "firmware '%s' is too large (%" G_GSIZE_FORMAT
                    " bytes, at most 16 MiB)", bios, len);
        return false;
    }
    memcpy(m->bios, data, len);
    return true;
}

E2KMachine *e2k_machine_new(const char *name, uint64_t ram_size,
                            const char *bios, GError **errp)
{
    E2KMachine *m;
    E2KCPUState *env;

    if (strcmp(name, "e2k-test") != 0) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "unsupported machine type");
        return NULL;
    }
    m = g_new0(E2KMachine, 1);
    m->name = "e2k-test";
    m->ram_size = MIN(ram_size, E2K_LOWMEM_MAX);
    m->ram = g_malloc0(m->ram_size);
    m->bios = g_malloc0(E2K_BIOS_SIZE);
    if (bios && !load_bios(m, bios, errp)) {
        e2k_machine_free(m);
        return NULL;
    }

    env = m->cpu = e2k_cpu_new(false);
    e2k_cpu_add_ram(env, "ram", E2K_LOWMEM_BASE, m->ram_size, m->ram);
    e2k_cpu_add_ram(env, "bios", E2K_BIOS_BASE, E2K_BIOS_SIZE, m->bios);
    e2k_cpu_add_mmio(env, "sic", E2K_SIC_BASE, E2K_SIC_SIZE, sic_read,
                     sic_write, m);
    env->hooks.io_base = E2K_IO_AREA_BASE;
    env->hooks.io_size = E2K_IO_AREA_SIZE;
    env->hooks.io_read = io_read;
    env->hooks.io_write = io_write;
    env->hooks.io_opaque = m;

    m->lmscon = lmscon_new(STDOUT_FILENO, STDIN_FILENO);
    e2k_machine_add_ports(m, LMSCON_PORT_BASE, LMSCON_PORT_COUNT,
                          lmscon_read, lmscon_write, m->lmscon);

    e2k_cpu_reset(env, E2K_BIOS_BASE);
    return m;
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;

    while (n--) {
        v = (v << 8) | p[n];
    }
    return v;
}

bool e2k_machine_load_kernel(E2KMachine *m, const char *path, GError **errp)
{
    g_autofree uint8_t *f = NULL;
    uint64_t phoff;
    unsigned i, phnum, phentsize;
    gsize len;

    if (!g_file_get_contents(path, (char **)&f, &len, NULL)) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "could not load kernel '%s'", path);
        return false;
    }
    if (len < 64 || memcmp(f, "\177ELF", 4) || f[4] != 2 || f[5] != 1 ||
        get_le(f + 18, 2) != 175) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "could not load kernel '%s': not an E2K ELF64 image",
                    path);
        return false;
    }
    phoff = get_le(f + 32, 8);
    phentsize = get_le(f + 54, 2);
    phnum = get_le(f + 56, 2);
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = f + phoff + (uint64_t)i * phentsize;
        uint64_t off, paddr, filesz, memsz;
        g_autofree uint8_t *zero = NULL;

        if (phoff + (uint64_t)(i + 1) * phentsize > len) {
            goto bad;
        }
        if (get_le(ph, 4) != 1) {
            continue;
        }
        off = get_le(ph + 8, 8);
        paddr = get_le(ph + 24, 8);
        filesz = get_le(ph + 32, 8);
        memsz = get_le(ph + 40, 8);
        if (off > len || filesz > len - off || memsz < filesz) {
            goto bad;
        }
        zero = g_malloc0(memsz - filesz + 1);
        if (!e2k_mem_write(m->cpu, paddr, f + off, filesz) ||
            !e2k_mem_write(m->cpu, paddr + filesz, zero, memsz - filesz)) {
            g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "could not load kernel '%s': segment at 0x%" PRIx64
                        " is outside RAM", path, paddr);
            return false;
        }
    }
    m->cpu->ip = get_le(f + 24, 8);
    return true;
bad:
    g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "could not load kernel '%s': bad ELF headers", path);
    return false;
}

void e2k_machine_free(E2KMachine *m)
{
    if (!m) {
        return;
    }
    e2k_cpu_free(m->cpu);
    lmscon_free(m->lmscon);
    g_free(m->ram);
    g_free(m->bios);
    g_free(m);
}
