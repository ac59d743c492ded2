/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-e2k system calls.  E2K Linux numbers its calls like i386; a call
 * is `sdisp %ctprN, 3` + `call %ctprN, wbs=W`: the callee's %r0 holds the
 * number, %r1.. the arguments, and the result (or -errno) comes back in
 * the callee's %r0.  Implemented: exit, read, write, close, getpid, brk,
 * gettimeofday, mmap/mmap2 (anonymous or private file copies), munmap,
 * exit_group, clock_gettime; everything else returns -ENOSYS.
 */
#include "qemu/osdep.h"
#include "linux-user/e2k/qemu.h"

enum {
    NR_exit = 1, NR_read = 3, NR_write = 4, NR_close = 6, NR_getpid = 20,
    NR_brk = 45, NR_gettimeofday = 78, NR_mmap = 90, NR_munmap = 91,
    NR_mmap2 = 192, NR_exit_group = 252, NR_clock_gettime = 265,
};

#define TARGET_MAP_FIXED        0x10
#define TARGET_MAP_ANONYMOUS    0x20
#define PAGE                    4096ull

static E2KProcess *proc(E2KCPUState *env)
{
    return env->opaque;
}

/* Host pointer for a guest buffer of @len bytes inside one region. */
static uint8_t *guest_buf(E2KCPUState *env, uint64_t addr, uint64_t len)
{
    E2KMemRegion *r = e2k_cpu_find_region(env, addr, MAX(len, 1));

    return r && r->host ? r->host + (addr - r->base) : NULL;
}

static int64_t sys_rw(E2KCPUState *env, bool wr, uint64_t *a)
{
    uint8_t *buf = guest_buf(env, a[2], a[3]);
    g_autofree uint8_t *tmp = NULL;
    ssize_t r;

    if (!buf) {
        return -EFAULT;
    }
    if (wr) {
        r = write(a[1], buf, a[3]);
        return r < 0 ? -errno : r;
    }
    /* through e2k_mem_write() so that cached bundles see the new bytes */
    tmp = g_malloc(MAX(a[3], 1));
    r = read(a[1], tmp, a[3]);
    if (r < 0) {
        return -errno;
    }
    e2k_mem_write(env, a[2], tmp, r);
    return r;
}

static int64_t sys_brk(E2KProcess *p, uint64_t want)
{
    if (want >= p->brk_start && want <= p->brk_max) {
        if (want < p->brk_cur) {
            memset(p->brk_host + (want - p->brk_start), 0,
                   p->brk_cur - want);
        }
        p->brk_cur = want;
    }
    return p->brk_cur;
}

static int64_t sys_mmap(E2KProcess *p, uint64_t *a, uint64_t off)
{
    uint64_t len = (a[2] + PAGE - 1) & ~(PAGE - 1);
    uint64_t addr = a[1];
    int fd = a[5];
    uint8_t *host;

    if (!len) {
        return -EINVAL;
    }
    if (!(a[4] & TARGET_MAP_FIXED) || (addr & (PAGE - 1))) {
        addr = p->mmap_next;
    } else {
        e2k_user_unmap(p, addr, len);
    }
    host = e2k_user_map(p, "mmap", addr, len);
    if (!host) {
        return -ENOMEM;
    }
    if (addr == p->mmap_next) {
        p->mmap_next += len + PAGE;     /* keep a guard page */
    }
    if (!(a[4] & TARGET_MAP_ANONYMOUS) && fd >= 0) {
        ssize_t r = pread(fd, host, a[2], off);

        if (r < 0) {
            int err = errno;

            e2k_user_unmap(p, addr, len);
            return -err;
        }
    }
    return addr;
}

static int64_t sys_time(E2KCPUState *env, uint64_t nr, uint64_t *a)
{
    struct timespec ts;
    uint64_t out[2];
    uint8_t *buf;

    if (nr == NR_gettimeofday) {
        struct timeval tv;

        gettimeofday(&tv, NULL);
        out[0] = tv.tv_sec;
        out[1] = tv.tv_usec;
        buf = a[1] ? guest_buf(env, a[1], 16) : NULL;
        if (a[1] && !buf) {
            return -EFAULT;
        }
    } else {
        if (clock_gettime(a[1], &ts) < 0) {
            return -errno;
        }
        out[0] = ts.tv_sec;
        out[1] = ts.tv_nsec;
        buf = guest_buf(env, a[2], 16);
        if (!buf) {
            return -EFAULT;
        }
    }
    if (buf) {
        memcpy(buf, out, 16);
    }
    return 0;
}

/* Name and argument format (i: decimal, p: pointer/hex) for -strace. */
static const char *sys_format(uint64_t nr, const char **fmt)
{
    switch (nr) {
    case NR_exit: *fmt = "i"; return "exit";
    case NR_read: *fmt = "ipi"; return "read";
    case NR_write: *fmt = "ipi"; return "write";
    case NR_close: *fmt = "i"; return "close";
    case NR_getpid: *fmt = ""; return "getpid";
    case NR_brk: *fmt = "p"; return "brk";
    case NR_gettimeofday: *fmt = "pp"; return "gettimeofday";
    case NR_mmap: *fmt = "pipiii"; return "mmap";
    case NR_munmap: *fmt = "pi"; return "munmap";
    case NR_mmap2: *fmt = "pipiii"; return "mmap2";
    case NR_exit_group: *fmt = "i"; return "exit_group";
    case NR_clock_gettime: *fmt = "ip"; return "clock_gettime";
    default: return NULL;
    }
}

static void strace_call(const uint64_t *args)
{
    const char *fmt, *name = sys_format(args[0], &fmt);
    int i;

    if (!name) {
        fprintf(stderr, "%d Unknown syscall %" PRIu64, getpid(), args[0]);
        return;
    }
    fprintf(stderr, "%d %s(", getpid(), name);
    for (i = 0; fmt[i]; i++) {
        if (fmt[i] == 'i') {
            fprintf(stderr, "%s%" PRId64, i ? "," : "", (int64_t)args[i + 1]);
        } else {
            fprintf(stderr, "%s0x%" PRIx64, i ? "," : "", args[i + 1]);
        }
    }
    fprintf(stderr, ")");
}

static int64_t do_syscall(E2KCPUState *env, uint64_t *a)
{
    E2KProcess *p = proc(env);

    switch (a[0]) {
    case NR_read:
        return sys_rw(env, false, a);
    case NR_write:
        return sys_rw(env, true, a);
    case NR_close:
        return (int)a[1] > 2 && close(a[1]) < 0 ? -errno : 0;
    case NR_getpid:
        return getpid();
    case NR_brk:
        return sys_brk(p, a[1]);
    case NR_gettimeofday:
    case NR_clock_gettime:
        return sys_time(env, a[0], a);
    case NR_mmap:
        return sys_mmap(p, a, a[6]);
    case NR_mmap2:
        return sys_mmap(p, a, a[6] * PAGE);
    case NR_munmap:
        e2k_user_unmap(p, a[1], a[2]);
        return 0;
    default:
        return -ENOSYS;
    }
}

int e2k_user_syscall(E2KCPUState *env, uint64_t entry, uint64_t *args)
{
    E2KProcess *p = proc(env);
    int64_t ret;

    if (entry != 3) {
        return E2K_EXCP_ILLEGAL_OPCODE;     /* only the 64-bit entry */
    }
    if (p->strace) {
        strace_call(args);
    }
    if (args[0] == NR_exit || args[0] == NR_exit_group) {
        if (p->strace) {
            fprintf(stderr, "\n");
        }
        env->exit_code = (int)args[1];
        return E2K_EXCP_HALT;
    }
    ret = do_syscall(env, args);
    if (p->strace) {
        if (ret < 0 && ret > -4096) {
            fprintf(stderr, " = -1 errno=%d (%s)\n", (int)-ret,
                    g_strerror(-ret));
        } else {
            fprintf(stderr, " = %" PRId64 "\n", ret);
        }
    }
    args[0] = ret;
    return -1;
}
