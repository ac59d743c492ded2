/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * compiler.h: compiler attributes and build-time assertions.
 */
#ifndef QEMU_COMPILER_H
#define QEMU_COMPILER_H

#define QEMU_NORETURN __attribute__((noreturn))
#define QEMU_WARN_UNUSED_RESULT __attribute__((warn_unused_result))
#define QEMU_SENTINEL __attribute__((sentinel))
#define QEMU_PACKED __attribute__((packed))
#define QEMU_ALIGNED(x) __attribute__((aligned(x)))
#define QEMU_ALWAYS_INLINE __attribute__((always_inline))
#define QEMU_NOINLINE __attribute__((noinline))
#define QEMU_FLATTEN __attribute__((flatten))
#define QEMU_UNUSED __attribute__((unused))
#define G_NORETURN_ QEMU_NORETURN

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#ifndef container_of
#define container_of(ptr, type, member) ({                      \
        const typeof(((type *) 0)->member) *__mptr = (ptr);     \
        (type *) ((char *) __mptr - offsetof(type, member));})
#endif

#define sizeof_field(type, field) sizeof(((type *)0)->field)
#define typeof_field(type, field) typeof(((type *)0)->field)

#define QEMU_BUILD_BUG_MSG(x, msg) _Static_assert(!(x), msg)
#define QEMU_BUILD_BUG_ON(x) QEMU_BUILD_BUG_MSG(x, "not expecting: " #x)
#define QEMU_BUILD_BUG_ON_ZERO(x) (sizeof(struct { int:(x) ? -1 : 1; }) - \
                                   sizeof(struct { int:1; }))

#define stringify(s)  tostring(s)
#define tostring(s)   #s
#define glue(x, y) xglue(x, y)
#define xglue(x, y) x ## y

#if defined(__clang__)
#define QEMU_ANNOTATE(x) __attribute__((annotate(x)))
#else
#define QEMU_ANNOTATE(x)
#endif

/*
 * coroutine_fn marks functions that may yield; they must only be called
 * from coroutine context.  Nothing checks this at compile time; core entry
 * points assert qemu_in_coroutine() at run time.
 */
#define coroutine_fn QEMU_ANNOTATE("coroutine_fn")
/* May be called from coroutine context or not; never yields outside one. */
#define coroutine_mixed_fn QEMU_ANNOTATE("coroutine_mixed_fn")

/* Markers read by scripts/block-coroutine-wrapper.py */
#define co_wrapper
#define co_wrapper_mixed
#define co_wrapper_bdrv_rdlock
#define co_wrapper_mixed_bdrv_rdlock
#define no_co_wrapper
#define no_co_wrapper_bdrv_rdlock
#define no_co_wrapper_bdrv_wrlock

#define QEMU_FALLTHROUGH __attribute__((fallthrough))

#endif /* QEMU_COMPILER_H */
