/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * e2k-disas: prints the bundles of a flat E2K image or of the executable
 * segments of an E2K ELF64 file as "{ ... }" blocks that scripts/e2k-as.py
 * assembles back to the same bytes.  Usage:
 *   e2k-disas [--origin ADDR] [--addresses] FILE
 */
#include "qemu/osdep.h"
#include "disas/e2k.h"

#define EM_MCST_ELBRUS  175

static uint16_t get16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) | ((uint32_t)get16(p + 2) << 16);
}

static uint64_t get64(const uint8_t *p)
{
    return get32(p) | ((uint64_t)get32(p + 4) << 32);
}

static void disas_range(const uint8_t *buf, size_t len, uint64_t origin,
                        bool addresses)
{
    g_autoptr(GString) s = g_string_new(NULL);
    size_t off = 0;

    while (off < len) {
        unsigned n;

        g_string_truncate(s, 0);
        n = e2k_disas_bundle(s, buf + off, len - off, origin + off);
        if (addresses) {
            printf("/* 0x%" PRIx64 " */\n", origin + off);
        }
        if (!n) {
            /* a tail shorter than a bundle */
            printf(".byte ");
            for (n = 0; off + n < len; n++) {
                printf("%s0x%02x", n ? ", " : "", buf[off + n]);
            }
            printf("\n");
            break;
        }
        printf("%s\n", s->str);
        off += n;
    }
}

/* Disassembles the PF_X segments; false if @buf is not an E2K ELF64. */
static bool disas_elf(const uint8_t *buf, size_t len, bool addresses)
{
    uint64_t phoff;
    unsigned phentsize, phnum, i;

    if (len < 64 || buf[4] != 2 || buf[5] != 1 ||
        get16(buf + 18) != EM_MCST_ELBRUS) {
        return false;
    }
    phoff = get64(buf + 32);
    phentsize = get16(buf + 54);
    phnum = get16(buf + 56);
    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + phoff + (uint64_t)i * phentsize;
        uint64_t off, vaddr, filesz;

        if (phoff + (uint64_t)(i + 1) * phentsize > len) {
            return false;
        }
        if (get32(ph) != 1 || !(get32(ph + 4) & 1)) {
            continue;           /* not PT_LOAD with PF_X */
        }
        off = get64(ph + 8);
        vaddr = get64(ph + 16);
        filesz = get64(ph + 32);
        if (off > len || filesz > len - off) {
            return false;
        }
        disas_range(buf + off, filesz, vaddr, addresses);
    }
    return true;
}

int main(int argc, char **argv)
{
    g_autofree char *data = NULL;
    g_autoptr(GError) err = NULL;
    const char *file = NULL;
    uint64_t origin = 0;
    bool addresses = false;
    gsize len;
    int i;

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--origin") && i + 1 < argc) {
            char *end;

            origin = g_ascii_strtoull(argv[++i], &end, 0);
            if (*end) {
                fprintf(stderr, "e2k-disas: invalid origin '%s'\n", argv[i]);
                return 1;
            }
        } else if (!strcmp(argv[i], "--addresses")) {
            addresses = true;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: e2k-disas [--origin ADDR] [--addresses] FILE\n");
            return 0;
        } else if (argv[i][0] == '-' || file) {
            fprintf(stderr, "usage: e2k-disas [--origin ADDR] [--addresses] "
                    "FILE\n");
            return 1;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        fprintf(stderr, "usage: e2k-disas [--origin ADDR] [--addresses] "
                "FILE\n");
        return 1;
    }
    if (!g_file_get_contents(file, &data, &len, &err)) {
        fprintf(stderr, "e2k-disas: %s\n", err->message);
        return 1;
    }
    if (len >= 4 && !memcmp(data, "\177ELF", 4)) {
        if (!disas_elf((const uint8_t *)data, len, addresses)) {
            fprintf(stderr, "e2k-disas: %s: not an E2K ELF64 executable\n",
                    file);
            return 1;
        }
        return 0;
    }
    disas_range((const uint8_t *)data, len, origin, addresses);
    return 0;
}
