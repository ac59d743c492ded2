/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clang-tsa.h: clang thread-safety analysis attributes.
 *
 * With clang and -Wthread-safety these make lock requirements part of the
 * type system; with any other compiler they expand to nothing.  See
 * block/graph-lock.h for the main user, the block graph lock.
 */
#ifndef CLANG_TSA_H
#define CLANG_TSA_H

#if defined(__clang__)
#define TSA(x) __attribute__((x))
#else
#define TSA(x)
#endif

/* A type whose objects act as a lock. */
#define TSA_CAPABILITY(x)        TSA(capability(x))
/* A field only accessed with the capability held. */
#define TSA_GUARDED_BY(x)        TSA(guarded_by(x))
#define TSA_PT_GUARDED_BY(x)     TSA(pt_guarded_by(x))
/* Caller must hold the capability (exclusively / shared). */
#define TSA_REQUIRES(...)        TSA(requires_capability(__VA_ARGS__))
#define TSA_REQUIRES_SHARED(...) TSA(requires_shared_capability(__VA_ARGS__))
/* Function takes / releases the capability. */
#define TSA_ACQUIRE(...)         TSA(acquire_capability(__VA_ARGS__))
#define TSA_ACQUIRE_SHARED(...)  TSA(acquire_shared_capability(__VA_ARGS__))
#define TSA_RELEASE(...)         TSA(release_capability(__VA_ARGS__))
#define TSA_RELEASE_SHARED(...)  TSA(release_shared_capability(__VA_ARGS__))
#define TSA_RELEASE_GENERIC(...) TSA(release_generic_capability(__VA_ARGS__))
/* Caller must NOT hold the capability. */
#define TSA_EXCLUDES(...)        TSA(locks_excluded(__VA_ARGS__))
#define TSA_ASSERT(...)          TSA(assert_capability(__VA_ARGS__))
#define TSA_ASSERT_SHARED(...)   TSA(assert_shared_capability(__VA_ARGS__))
#define TSA_NO_TSA               TSA(no_thread_safety_analysis)
/* A RAII-style guard object. */
#define TSA_SCOPED_CAPABILITY    TSA(scoped_lockable)

#endif /* CLANG_TSA_H */
