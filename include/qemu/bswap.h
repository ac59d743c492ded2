/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bswap.h: byte swapping and fixed-endian loads/stores.
 *
 * cpu_to_be32() and friends convert between host order and a fixed byte
 * order; ldl_be_p()/stl_be_p() and friends read and write possibly
 * unaligned memory in a fixed byte order.  All of them are correct on both
 * little- and big-endian hosts (HOST_WORDS_BIGENDIAN from config-host.h).
 */
#ifndef QEMU_BSWAP_H
#define QEMU_BSWAP_H

#undef  bswap16
#define bswap16(x) __builtin_bswap16(x)
#undef  bswap32
#define bswap32(x) __builtin_bswap32(x)
#undef  bswap64
#define bswap64(x) __builtin_bswap64(x)

static inline void bswap16s(uint16_t *s)
{
    *s = __builtin_bswap16(*s);
}

static inline void bswap32s(uint32_t *s)
{
    *s = __builtin_bswap32(*s);
}

static inline void bswap64s(uint64_t *s)
{
    *s = __builtin_bswap64(*s);
}

#if HOST_WORDS_BIGENDIAN
#define be_bswap(v, size) (v)
#define le_bswap(v, size) glue(__builtin_bswap, size)(v)
#define be_bswaps(p, size) do { } while (0)
#define le_bswaps(p, size) \
    do { *p = glue(__builtin_bswap, size)(*p); } while (0)
#else
#define le_bswap(v, size) (v)
#define be_bswap(v, size) glue(__builtin_bswap, size)(v)
#define le_bswaps(v, size) do { } while (0)
#define be_bswaps(p, size) \
    do { *p = glue(__builtin_bswap, size)(*p); } while (0)
#endif

/*
 * Generate cpu_to_<end><size>(), <end><size>_to_cpu(), the pointer
 * "p" form and the in-place "s" forms for one endianness and width.
 */
#define CPU_CONVERT(endian, size, type)                                 \
static inline type endian ## size ## _to_cpu(type v)                    \
{                                                                       \
    return glue(endian, _bswap)(v, size);                               \
}                                                                       \
                                                                        \
static inline type cpu_to_ ## endian ## size(type v)                    \
{                                                                       \
    return glue(endian, _bswap)(v, size);                               \
}                                                                       \
                                                                        \
static inline type endian ## size ## _to_cpup(const type *p)            \
{                                                                       \
    return glue(endian, _bswap)(*p, size);                              \
}                                                                       \
                                                                        \
static inline void endian ## size ## _to_cpus(type *p)                  \
{                                                                       \
    glue(endian, _bswaps)(p, size);                                     \
}                                                                       \
                                                                        \
static inline void cpu_to_ ## endian ## size ## s(type *p)              \
{                                                                       \
    glue(endian, _bswaps)(p, size);                                     \
}

CPU_CONVERT(be, 16, uint16_t)
CPU_CONVERT(be, 32, uint32_t)
CPU_CONVERT(be, 64, uint64_t)

CPU_CONVERT(le, 16, uint16_t)
CPU_CONVERT(le, 32, uint32_t)
CPU_CONVERT(le, 64, uint64_t)

#undef CPU_CONVERT

/* Compile-time constants in a fixed byte order. */
#if HOST_WORDS_BIGENDIAN
# define const_le64(x) \
    ((((x) & 0x00000000000000ffULL) << 56) | \
     (((x) & 0x000000000000ff00ULL) << 40) | \
     (((x) & 0x0000000000ff0000ULL) << 24) | \
     (((x) & 0x00000000ff000000ULL) <<  8) | \
     (((x) & 0x000000ff00000000ULL) >>  8) | \
     (((x) & 0x0000ff0000000000ULL) >> 24) | \
     (((x) & 0x00ff000000000000ULL) >> 40) | \
     (((x) & 0xff00000000000000ULL) >> 56))
# define const_le32(x) \
    ((((x) & 0x000000ffU) << 24) | \
     (((x) & 0x0000ff00U) <<  8) | \
     (((x) & 0x00ff0000U) >>  8) | \
     (((x) & 0xff000000U) >> 24))
# define const_le16(x) \
    ((((x) & 0x00ff) << 8) | \
     (((x) & 0xff00) >> 8))
#else
# define const_le64(x) (x)
# define const_le32(x) (x)
# define const_le16(x) (x)
#endif

/*
 * Memory access helpers.  ld*_he_p/st*_he_p use host order; the _le/_be
 * forms a fixed order.  "u" loads zero-extend, "s" loads sign-extend.
 * Pointers need not be aligned: memcpy compiles to a plain access where
 * the host allows it.
 */
static inline int ldub_p(const void *ptr)
{
    return *(const uint8_t *)ptr;
}

static inline int ldsb_p(const void *ptr)
{
    return *(const int8_t *)ptr;
}

static inline void stb_p(void *ptr, uint8_t v)
{
    *(uint8_t *)ptr = v;
}

static inline int lduw_he_p(const void *ptr)
{
    uint16_t r;
    memcpy(&r, ptr, sizeof(r));
    return r;
}

static inline int ldsw_he_p(const void *ptr)
{
    int16_t r;
    memcpy(&r, ptr, sizeof(r));
    return r;
}

static inline void stw_he_p(void *ptr, uint16_t v)
{
    memcpy(ptr, &v, sizeof(v));
}

static inline int ldl_he_p(const void *ptr)
{
    int32_t r;
    memcpy(&r, ptr, sizeof(r));
    return r;
}

static inline void stl_he_p(void *ptr, uint32_t v)
{
    memcpy(ptr, &v, sizeof(v));
}

static inline uint64_t ldq_he_p(const void *ptr)
{
    uint64_t r;
    memcpy(&r, ptr, sizeof(r));
    return r;
}

static inline void stq_he_p(void *ptr, uint64_t v)
{
    memcpy(ptr, &v, sizeof(v));
}

static inline int lduw_le_p(const void *ptr)
{
    return (uint16_t)le_bswap((uint16_t)lduw_he_p(ptr), 16);
}

static inline int ldsw_le_p(const void *ptr)
{
    return (int16_t)le_bswap((uint16_t)lduw_he_p(ptr), 16);
}

static inline int ldl_le_p(const void *ptr)
{
    return le_bswap((uint32_t)ldl_he_p(ptr), 32);
}

static inline uint64_t ldq_le_p(const void *ptr)
{
    return le_bswap(ldq_he_p(ptr), 64);
}

static inline void stw_le_p(void *ptr, uint16_t v)
{
    stw_he_p(ptr, le_bswap(v, 16));
}

static inline void stl_le_p(void *ptr, uint32_t v)
{
    stl_he_p(ptr, le_bswap(v, 32));
}

static inline void stq_le_p(void *ptr, uint64_t v)
{
    stq_he_p(ptr, le_bswap(v, 64));
}

static inline int lduw_be_p(const void *ptr)
{
    return (uint16_t)be_bswap((uint16_t)lduw_he_p(ptr), 16);
}

static inline int ldsw_be_p(const void *ptr)
{
    return (int16_t)be_bswap((uint16_t)lduw_he_p(ptr), 16);
}

static inline int ldl_be_p(const void *ptr)
{
    return be_bswap((uint32_t)ldl_he_p(ptr), 32);
}

static inline uint64_t ldq_be_p(const void *ptr)
{
    return be_bswap(ldq_he_p(ptr), 64);
}

static inline void stw_be_p(void *ptr, uint16_t v)
{
    stw_he_p(ptr, be_bswap(v, 16));
}

static inline void stl_be_p(void *ptr, uint32_t v)
{
    stl_he_p(ptr, be_bswap(v, 32));
}

static inline void stq_be_p(void *ptr, uint64_t v)
{
    stq_he_p(ptr, be_bswap(v, 64));
}

/* 24-bit big-endian fields (used by some on-disk formats) */
static inline uint32_t ldl_be24_p(const void *ptr)
{
    const uint8_t *p = ptr;
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline void stl_be24_p(void *ptr, uint32_t v)
{
    uint8_t *p = ptr;
    p[0] = v >> 16;
    p[1] = v >> 8;
    p[2] = v;
}

/* Load/store @sz (1, 2, 4 or 8) bytes in a fixed byte order. */
static inline uint64_t ldn_le_p(const void *ptr, int sz)
{
    switch (sz) {
    case 1:
        return ldub_p(ptr);
    case 2:
        return lduw_le_p(ptr);
    case 4:
        return (uint32_t)ldl_le_p(ptr);
    case 8:
        return ldq_le_p(ptr);
    default:
        g_assert_not_reached();
    }
}

static inline uint64_t ldn_be_p(const void *ptr, int sz)
{
    switch (sz) {
    case 1:
        return ldub_p(ptr);
    case 2:
        return lduw_be_p(ptr);
    case 4:
        return (uint32_t)ldl_be_p(ptr);
    case 8:
        return ldq_be_p(ptr);
    default:
        g_assert_not_reached();
    }
}

static inline void stn_le_p(void *ptr, int sz, uint64_t v)
{
    switch (sz) {
    case 1:
        stb_p(ptr, v);
        break;
    case 2:
        stw_le_p(ptr, v);
        break;
    case 4:
        stl_le_p(ptr, v);
        break;
    case 8:
        stq_le_p(ptr, v);
        break;
    default:
        g_assert_not_reached();
    }
}

static inline void stn_be_p(void *ptr, int sz, uint64_t v)
{
    switch (sz) {
    case 1:
        stb_p(ptr, v);
        break;
    case 2:
        stw_be_p(ptr, v);
        break;
    case 4:
        stl_be_p(ptr, v);
        break;
    case 8:
        stq_be_p(ptr, v);
        break;
    default:
        g_assert_not_reached();
    }
}

#endif /* QEMU_BSWAP_H */
