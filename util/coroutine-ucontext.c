/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coroutine-ucontext.c: the stack-switching backend for coroutines.
 *
 * A coroutine gets an mmap()ed stack with a guard page.  Starting it is
 * the only use of makecontext()/swapcontext() (which cost a signal-mask
 * system call): the new stack's first frame records a jump buffer and
 * returns at once.  Every later switch is a sigsetjmp()/siglongjmp()
 * pair that does not save the signal mask.
 *
 * The current coroutine is thread-local, but a coroutine may resume in
 * another thread, so code that runs across a switch must not keep a
 * thread-local address computed before it.  The accessors below are
 * out of line and opaque to the optimiser for that reason.
 */

/*
 * The fortified longjmp checks that it jumps up the *same* stack and
 * calls sigaltstack() when it does not, which is always the case here.
 */
#undef _FORTIFY_SOURCE

#include "qemu/osdep.h"
#include <setjmp.h>
#include <ucontext.h>
#include "qemu/coroutine_int.h"

#define COROUTINE_STACK_SIZE (1 * 1024 * 1024)

typedef struct {
    Coroutine base;
    void *stack;            /* lowest address, including the guard page */
    size_t stack_size;      /* mapping size, including the guard page */
    sigjmp_buf env;
} CoroutineUContext;

static __thread CoroutineUContext leader;
static __thread Coroutine *current;

static QEMU_NOINLINE Coroutine *get_current(void)
{
    asm volatile("" ::: "memory");
    return current;
}

static QEMU_NOINLINE void set_current(Coroutine *co)
{
    asm volatile("" ::: "memory");
    current = co;
}

static QEMU_NOINLINE Coroutine *get_leader(void)
{
    asm volatile("" ::: "memory");
    return &leader.base;
}

/* A stack of *@size bytes (rounded to pages) above a PROT_NONE page. */
static void *coroutine_stack_alloc(size_t *size)
{
    size_t page = qemu_real_host_page_size();
    size_t total = QEMU_ALIGN_UP(*size, page) + page;
    void *p = mmap(NULL, total, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

    if (p == MAP_FAILED) {
        fprintf(stderr, "qemu: cannot allocate a coroutine stack: %s\n",
                strerror(errno));
        abort();
    }
    if (mprotect(p, page, PROT_NONE) != 0) {
        fprintf(stderr, "qemu: cannot set a stack guard page: %s\n",
                strerror(errno));
        abort();
    }
    *size = total;
    return p;
}

/*
 * First function on a new stack.  makecontext() passes int arguments
 * only, so the CoroutineUContext pointer arrives split in two halves.
 */
static void coroutine_trampoline(int lo, int hi)
{
    uintptr_t bits = (uintptr_t)(unsigned int)lo;
    CoroutineUContext *self;
    Coroutine *co;
    sigjmp_buf *creator;

#if UINTPTR_MAX > UINT32_MAX
    bits |= (uintptr_t)(unsigned int)hi << 32;
#endif
    self = (CoroutineUContext *)bits;
    co = &self->base;
    creator = co->entry_arg;

    /* Park here and let qemu_coroutine_new() return. */
    if (!sigsetjmp(self->env, 0)) {
        siglongjmp(*creator, 1);
    }

    /* Each time we get here a (possibly reused) coroutine starts. */
    for (;;) {
        co->entry(co->entry_arg);
        qemu_coroutine_switch(co, co->caller, COROUTINE_TERMINATE);
    }
}

Coroutine *qemu_coroutine_new(void)
{
    CoroutineUContext *co = g_new0(CoroutineUContext, 1);
    ucontext_t old_uc, uc;
    sigjmp_buf old_env;
    uintptr_t bits = (uintptr_t)co;
    size_t page = qemu_real_host_page_size();

    if (getcontext(&uc) == -1) {
        abort();
    }
    co->stack_size = COROUTINE_STACK_SIZE;
    co->stack = coroutine_stack_alloc(&co->stack_size);
    /* The trampoline finds the creator's jump buffer here. */
    co->base.entry_arg = &old_env;

    uc.uc_link = &old_uc;
    uc.uc_stack.ss_sp = (char *)co->stack + page;
    uc.uc_stack.ss_size = co->stack_size - page;
    uc.uc_stack.ss_flags = 0;
    makecontext(&uc, (void (*)(void))coroutine_trampoline, 2,
                (int)(unsigned int)bits,
                (int)(unsigned int)(bits >> 16 >> 16));

    if (!sigsetjmp(old_env, 0)) {
        swapcontext(&old_uc, &uc);
    }
    co->base.entry_arg = NULL;
    return &co->base;
}

void qemu_coroutine_delete(Coroutine *co_)
{
    CoroutineUContext *co = container_of(co_, CoroutineUContext, base);

    munmap(co->stack, co->stack_size);
    g_free(co);
}

CoroutineAction QEMU_NOINLINE
qemu_coroutine_switch(Coroutine *from_, Coroutine *to_,
                      CoroutineAction action)
{
    CoroutineUContext *from = container_of(from_, CoroutineUContext, base);
    CoroutineUContext *to = container_of(to_, CoroutineUContext, base);
    int ret;

    set_current(to_);
    ret = sigsetjmp(from->env, 0);
    if (ret == 0) {
        siglongjmp(to->env, action);
    }
    return ret;
}

Coroutine *qemu_coroutine_self(void)
{
    Coroutine *self = get_current();

    if (!self) {
        self = get_leader();
        set_current(self);
    }
    return self;
}

bool qemu_in_coroutine(void)
{
    Coroutine *self = get_current();

    return self && self->caller;
}
