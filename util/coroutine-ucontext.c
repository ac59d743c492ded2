/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * coroutine-ucontext.c: the stack-switching backend for coroutines.
 *
 * A coroutine gets an mmap()ed stack with a guard page.  Two ways of
 * switching stacks are built from the same structure:
 *
 * - portable (every host): starting a coroutine is the only use of
 *   makecontext()/swapcontext() (which cost a signal-mask system call):
 *   the new stack's first frame records a jump buffer and returns at
 *   once.  Every later switch is a sigsetjmp()/siglongjmp() pair that
 *   does not save the signal mask.
 *
 * - x86-64 fast path: a dozen instructions that push the callee-saved
 *   registers, swap stack pointers and pop them again.  A new stack is
 *   prepared by hand so that the first switch "returns" into a start
 *   stub.  glibc's siglongjmp() walks the pthread cleanup list on every
 *   jump, which costs more than the whole fast switch.
 *
 * The current coroutine is thread-local, but a coroutine may resume in
 * another thread, so code that runs across a switch must not keep a
 * thread-local address computed before it (see the note at "current").
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

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(CONFIG_COROUTINE_PORTABLE)
#define COROUTINE_ASM_SWITCH 1
#endif

typedef struct {
    Coroutine base;
    void *stack;            /* lowest address, including the guard page */
    size_t stack_size;      /* mapping size, including the guard page */
#ifdef COROUTINE_ASM_SWITCH
    void *sp;               /* saved stack pointer while switched out */
#else
    sigjmp_buf env;
#endif
} CoroutineUContext;

static __thread CoroutineUContext leader;
static __thread Coroutine *current;

/*
 * Thread-local accesses below happen only in functions that do not
 * switch stacks after the access (qemu_coroutine_switch() writes before
 * switching and touches nothing afterwards), and these functions are
 * never inlined into callers that do: they are out of line in this file
 * and called from other files.  So each access computes the address in
 * the thread that is running at that moment.
 */
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

#ifdef COROUTINE_ASM_SWITCH

/*
 * co_switch_asm(&from_sp, to_sp, action): save the callee-saved
 * registers on the current stack, store the stack pointer in *from_sp,
 * load to_sp and restore the registers saved there.  Returns @action as
 * passed by whoever switches back to us.
 */
int co_switch_asm(void **from_sp, void *to_sp, int action);
asm(".text\n"
    ".p2align 4\n"
    ".globl co_switch_asm\n"
    ".hidden co_switch_asm\n"
    ".type co_switch_asm, @function\n"
    "co_switch_asm:\n"
    "    pushq %rbp\n"
    "    pushq %rbx\n"
    "    pushq %r12\n"
    "    pushq %r13\n"
    "    pushq %r14\n"
    "    pushq %r15\n"
    "    movq %rsp, (%rdi)\n"
    "    movq %rsi, %rsp\n"
    "    popq %r15\n"
    "    popq %r14\n"
    "    popq %r13\n"
    "    popq %r12\n"
    "    popq %rbx\n"
    "    popq %rbp\n"
    "    movl %edx, %eax\n"
    /*
     * Not "ret": the return predictor would expect the caller of this
     * call, which is on the other stack, and miss on every switch.
     */
    "    popq %rcx\n"
    "    jmp *%rcx\n"
    ".size co_switch_asm, .-co_switch_asm\n");

/* Runs the coroutine body over and over (the coroutine is reused). */
static void __attribute__((used, noreturn)) co_asm_main(Coroutine *co)
{
    for (;;) {
        co->entry(co->entry_arg);
        qemu_coroutine_switch(co, co->caller, COROUTINE_TERMINATE);
    }
}

/* First "return address" of a new stack: %r12 holds the coroutine. */
void co_start_asm(void);
asm(".text\n"
    ".p2align 4\n"
    ".globl co_start_asm\n"
    ".hidden co_start_asm\n"
    ".type co_start_asm, @function\n"
    "co_start_asm:\n"
    "    movq %r12, %rdi\n"
    "    call co_asm_main\n"
    "    ud2\n"
    ".size co_start_asm, .-co_start_asm\n");

Coroutine *qemu_coroutine_new(void)
{
    CoroutineUContext *co = g_new0(CoroutineUContext, 1);
    uintptr_t *top;

    co->stack_size = COROUTINE_STACK_SIZE;
    co->stack = coroutine_stack_alloc(&co->stack_size);

    /*
     * The frame co_switch_asm() pops: r15 r14 r13 r12 rbx rbp, then the
     * return address.  The stub then runs with a 16-byte aligned stack.
     */
    top = (uintptr_t *)((char *)co->stack + co->stack_size);
    top[-1] = (uintptr_t)co_start_asm;
    top[-2] = 0;                        /* rbp */
    top[-3] = 0;                        /* rbx */
    top[-4] = (uintptr_t)&co->base;     /* r12 */
    top[-5] = 0;                        /* r13 */
    top[-6] = 0;                        /* r14 */
    top[-7] = 0;                        /* r15 */
    co->sp = &top[-7];
    return &co->base;
}

CoroutineAction QEMU_NOINLINE
qemu_coroutine_switch(Coroutine *from_, Coroutine *to_,
                      CoroutineAction action)
{
    CoroutineUContext *from = container_of(from_, CoroutineUContext, base);
    CoroutineUContext *to = container_of(to_, CoroutineUContext, base);

    current = to_;
    return co_switch_asm(&from->sp, to->sp, action);
}

#else /* !COROUTINE_ASM_SWITCH */

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

CoroutineAction QEMU_NOINLINE
qemu_coroutine_switch(Coroutine *from_, Coroutine *to_,
                      CoroutineAction action)
{
    CoroutineUContext *from = container_of(from_, CoroutineUContext, base);
    CoroutineUContext *to = container_of(to_, CoroutineUContext, base);
    int ret;

    current = to_;
    ret = sigsetjmp(from->env, 0);
    if (ret == 0) {
        siglongjmp(to->env, action);
    }
    return ret;
}

#endif /* COROUTINE_ASM_SWITCH */

void qemu_coroutine_delete(Coroutine *co_)
{
    CoroutineUContext *co = container_of(co_, CoroutineUContext, base);

    munmap(co->stack, co->stack_size);
    g_free(co);
}

Coroutine *QEMU_NOINLINE qemu_coroutine_self(void)
{
    if (unlikely(!current)) {
        current = &leader.base;
    }
    return current;
}

bool QEMU_NOINLINE qemu_in_coroutine(void)
{
    return current && current->caller;
}
