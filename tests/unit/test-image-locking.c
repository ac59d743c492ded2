/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-image-locking.c: image locking of the file driver, against our
 * own second open and against QEMU 7.2's qemu-io (/usr/bin/qemu-io).
 *
 * The lock bytes are checked directly with F_OFD_GETLK from an
 * unrelated descriptor: byte 100+i must be held exactly when permission
 * bit i is in use, byte 200+i exactly when it is not shared.  The
 * interop cases run QEMU 7.2's qemu-io and qemu-img in child processes
 * on a qcow2 image (see make_qcow2() for why); they are skipped, with the
 * reason printed, if the tools are not installed or OFD locks are missing.
 */

#include "qemu/osdep.h"
#include <sys/wait.h>
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/coroutine.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "qemu/units.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "test-tmpdir.h"

#define QEMU_IO "/usr/bin/qemu-io"
#define QEMU_IMG "/usr/bin/qemu-img"
#define ENV_IMAGE "TEST_IMAGE_LOCKING_IMG"

static char *test_dir;

static char *make_image(const char *name)
{
    char *path = g_build_filename(test_dir, name, NULL);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 1 * MiB), ==, 0);
    close(fd);
    return path;
}

/*
 * Open @path as the tools do: sharing nothing but unchanged writes,
 * unless @force_share.
 */
static BlockBackend *open_image(const char *path, int flags,
                                const char *locking, bool force_share,
                                Error **errp)
{
    QDict *opts = qdict_new();

    if (!force_share) {
        flags |= BDRV_O_NO_SHARE;
    }

    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", path);
    if (locking) {
        qdict_put_str(opts, "locking", locking);
    }
    if (force_share) {
        qdict_put_str(opts, "force-share", "on");
    }
    return blk_new_open(NULL, NULL, opts, flags, errp);
}

/* Does some other open file description hold byte @off of @path? */
static bool byte_locked(const char *path, int off)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = off,
        .l_len = 1,
        .l_type = F_WRLCK,
    };
    int fd = open(path, O_RDONLY);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(fcntl(fd, F_OFD_GETLK, &fl), ==, 0);
    close(fd);
    return fl.l_type != F_UNLCK;
}

/* Hold byte @off of @path shared on a new descriptor, returned in @fd. */
static int hold_byte(const char *path, int off, int *fd)
{
    struct flock fl = {
        .l_whence = SEEK_SET,
        .l_start = off,
        .l_len = 1,
        .l_type = F_RDLCK,
    };

    *fd = open(path, O_RDONLY);
    g_assert_cmpint(*fd, >=, 0);
    return fcntl(*fd, F_OFD_SETLK, &fl);
}

static bool have_ofd_locks(void)
{
    struct flock fl = { .l_whence = SEEK_SET, .l_type = F_WRLCK };
    int fd = open("/dev/null", O_RDONLY);
    bool ok = fcntl(fd, F_OFD_GETLK, &fl) == 0;

    close(fd);
    if (!ok) {
        g_printerr("# OFD locks unsupported: locking=auto is off\n");
        g_test_skip("no OFD locks");
    }
    return ok;
}

/* The bytes of @path match the permissions of the only user @blk. */
static void assert_lock_bytes(const char *path, BlockBackend *blk)
{
    uint64_t perm, shared;
    int i;

    blk_get_perm(blk, &perm, &shared);
    for (i = 0; i < 4; i++) {
        g_assert_cmpint(byte_locked(path, 100 + i), ==, !!(perm & (1 << i)));
        g_assert_cmpint(byte_locked(path, 200 + i), ==,
                        !(shared & (1 << i)));
    }
}

static void test_lock_bytes(void)
{
    g_autofree char *path = make_image("bytes.img");
    BlockBackend *blk;
    int i;

    if (!have_ofd_locks()) {
        return;
    }
    blk = open_image(path, BDRV_O_RDWR | BDRV_O_RESIZE, NULL, false,
                     &error_abort);
    assert_lock_bytes(path, blk);
    g_assert(byte_locked(path, 101));       /* write in use */

    /* Permission changes move the bytes. */
    g_assert_cmpint(blk_set_perm(blk, BLK_PERM_CONSISTENT_READ,
                                 BLK_PERM_ALL, &error_abort), ==, 0);
    assert_lock_bytes(path, blk);
    g_assert(!byte_locked(path, 101));

    blk_unref(blk);
    for (i = 0; i < 4; i++) {
        g_assert(!byte_locked(path, 100 + i));
        g_assert(!byte_locked(path, 200 + i));
    }

    /* locking=off takes no bytes at all. */
    blk = open_image(path, BDRV_O_RDWR, "off", false, &error_abort);
    for (i = 0; i < 4; i++) {
        g_assert(!byte_locked(path, 100 + i));
        g_assert(!byte_locked(path, 200 + i));
    }
    blk_unref(blk);
}

static void test_self_conflict(void)
{
    g_autofree char *path = make_image("self.img");
    BlockBackend *a, *b;
    Error *err = NULL;

    if (!have_ofd_locks()) {
        return;
    }
    a = open_image(path, BDRV_O_RDWR, NULL, false, &error_abort);

    g_assert(!open_image(path, BDRV_O_RDWR, NULL, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Failed to get \"write\" lock");
    error_free(err);
    err = NULL;

    /* A reader that does not share write meets our writer. */
    g_assert(!open_image(path, 0, NULL, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Failed to get shared \"write\" lock");
    error_free(err);

    /* force-share readers and locking=off users pass. */
    b = open_image(path, 0, NULL, true, &error_abort);
    blk_unref(b);
    b = open_image(path, BDRV_O_RDWR, "off", false, &error_abort);
    blk_unref(b);

    /* The failed opens left no bytes behind: once a is gone, b opens. */
    blk_unref(a);
    b = open_image(path, BDRV_O_RDWR, NULL, false, &error_abort);
    blk_unref(b);
}

/*
 * Reopen switches to a new descriptor when the access mode or O_DIRECT
 * changes: the lock bytes must follow it, and I/O must keep working.
 */
static void test_reopen(void)
{
    g_autofree char *path = make_image("reopen.img");
    uint8_t buf[4096];
    BlockDriverState *bs;
    BlockBackend *blk;
    Error *err = NULL;
    QDict *opts;

    if (!have_ofd_locks()) {
        return;
    }
    blk = open_image(path, BDRV_O_RDWR, NULL, false, &error_abort);
    bs = blk_bs(blk);
    memset(buf, 0x3c, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(buf), buf, 0), ==, 0);

    /* Give up writing, then become read-only: a new O_RDONLY descriptor. */
    g_assert_cmpint(blk_set_perm(blk, BLK_PERM_CONSISTENT_READ,
                                 BLK_PERM_CONSISTENT_READ |
                                 BLK_PERM_WRITE_UNCHANGED, &error_abort),
                    ==, 0);
    g_assert_cmpint(bdrv_reopen_set_read_only(bs, true, &error_abort), ==, 0);
    g_assert(bdrv_is_read_only(bs));
    assert_lock_bytes(path, blk);
    g_assert(byte_locked(path, 201));

    /* The old descriptor's bytes are gone, the new one still conflicts. */
    g_assert(!open_image(path, BDRV_O_RDWR, NULL, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Failed to get \"write\" lock");
    error_free(err);

    /* O_DIRECT on: alignment probed again, data still readable. */
    opts = qdict_new();
    qdict_put_str(opts, "cache.direct", "on");
    if (bdrv_reopen(bs, opts, true, &err) < 0) {
        /* File systems without O_DIRECT refuse; the node is unchanged. */
        g_printerr("# reopen with O_DIRECT: %s\n", error_get_pretty(err));
        error_free(err);
        err = NULL;
    } else {
        g_assert(bs->open_flags & BDRV_O_NOCACHE);
        g_assert_cmpint(bs->bl.request_alignment, >=, 512);
    }
    assert_lock_bytes(path, blk);
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x3c);
    g_assert_cmpint(buf[4095], ==, 0x3c);

    blk_unref(blk);
    g_assert(!byte_locked(path, 100));
    g_assert(!byte_locked(path, 201));
}

/*
 * A format driver that uses its file child as qcow2 does (default
 * permissions for a data+metadata child): consistent read always, write
 * and resize when the node is writable, and it never lets others write
 * or resize.
 */
static int mock_fmt_open(BlockDriverState *bs, QDict *options, int flags,
                         Error **errp)
{
    return bdrv_open_file_child(NULL, options, "file", bs, errp);
}

static int mock_fmt_reopen_prepare(BDRVReopenState *state,
                                   BlockReopenQueue *queue, Error **errp)
{
    return 0;
}

static BlockDriver bdrv_mock_locker = {
    .format_name            = "mock-locker",
    .is_format              = true,
    .bdrv_open              = mock_fmt_open,
    .bdrv_child_perm        = bdrv_default_perms,
    .bdrv_reopen_prepare    = mock_fmt_reopen_prepare,
};

/*
 * Reopening a read-only format node read-write gives its file node a new
 * O_RDWR descriptor while the old one still holds "write not shared"
 * (byte 201).  The node's own bytes must not count as a conflict.
 */
static void test_reopen_rw_own_lock(void)
{
    g_autofree char *path = make_image("reopen-rw.img");
    BlockDriverState *bs, *file;
    BlockBackend *other;
    Error *err = NULL;
    int other_fd;
    QDict *opts;

    if (!have_ofd_locks()) {
        return;
    }
    opts = qdict_new();
    qdict_put_str(opts, "driver", "mock-locker");
    qdict_put_str(opts, "file.driver", "file");
    qdict_put_str(opts, "file.filename", path);
    bs = bdrv_open(NULL, NULL, opts, 0, &error_abort);
    file = bs->file->bs;
    g_assert(byte_locked(path, 100));
    g_assert(byte_locked(path, 201));
    g_assert(!byte_locked(path, 101));

    g_assert_cmpint(bdrv_reopen_set_read_only(bs, false, &error_abort),
                    ==, 0);
    g_assert(!bdrv_is_read_only(bs));
    g_assert(!bdrv_is_read_only(file));
    g_assert(byte_locked(path, 101));
    g_assert(byte_locked(path, 103));
    g_assert(byte_locked(path, 201));

    /* Someone else still cannot write, and we can go back. */
    other = open_image(path, BDRV_O_RDWR, NULL, true, NULL);
    g_assert(!other);
    g_assert_cmpint(bdrv_reopen_set_read_only(bs, true, &error_abort),
                    ==, 0);
    g_assert(!byte_locked(path, 101));
    g_assert(!byte_locked(path, 103));
    g_assert(byte_locked(path, 201));

    /*
     * A real conflict is still seen: with someone else holding "write
     * not shared", the reopen fails and leaves the old bytes alone.
     */
    g_assert_cmpint(hold_byte(path, 201, &other_fd), ==, 0);
    g_assert_cmpint(bdrv_reopen_set_read_only(bs, false, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==, "Failed to get \"write\" lock");
    error_free(err);
    g_assert(bdrv_is_read_only(bs));
    close(other_fd);
    g_assert(byte_locked(path, 100));
    g_assert(byte_locked(path, 201));
    g_assert(!byte_locked(path, 101));
    g_assert(!byte_locked(path, 103));

    bdrv_unref(bs);
    g_assert(!byte_locked(path, 100));
    g_assert(!byte_locked(path, 201));
}

/* Child of test_hint: print the conflict as a tool would. */
static void test_hint_subprocess(void)
{
    Error *err = NULL;

    g_assert(!open_image(g_getenv(ENV_IMAGE), BDRV_O_RDWR, NULL, false,
                         &err));
    error_report_err(err);
}

static void test_hint(void)
{
    g_autofree char *path = make_image("hint.img");
    g_autofree char *pattern = NULL;
    BlockBackend *a;

    if (!have_ofd_locks()) {
        return;
    }
    a = open_image(path, BDRV_O_RDWR, NULL, false, &error_abort);
    g_setenv(ENV_IMAGE, path, true);
    g_test_trap_subprocess("/image-locking/hint/subprocess", 0, 0);
    g_test_trap_assert_passed();
    pattern = g_strdup_printf("*Failed to get \"write\" lock\n"
                              "Is another process using the image [%s]?\n",
                              path);
    g_test_trap_assert_stderr(pattern);
    blk_unref(a);
}

/* --- Interop with QEMU 7.2's qemu-io ---------------------------------- */

/*
 * QEMU's qemu-io shares every permission on a raw image, so conflicts
 * with it show through a qcow2 image: a qcow2 node does not share write
 * (or resize) on its file, even when it only reads.  We hold or probe
 * the qcow2 file with the file driver; the lock bytes are the same.
 */
static char *make_qcow2(const char *name)
{
    char *path = g_build_filename(test_dir, name, NULL);
    const char *argv[] = {
        QEMU_IMG, "create", "-q", "-f", "qcow2", path, "1M", NULL
    };
    int status;

    unlink(path);
    g_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, NULL,
                          NULL, &status, NULL));
    g_assert(g_spawn_check_wait_status(status, NULL));
    return path;
}

static bool have_qemu_tools(void)
{
    if (!have_ofd_locks()) {
        return false;
    }
    if (access(QEMU_IO, X_OK) < 0 || access(QEMU_IMG, X_OK) < 0) {
        g_printerr("# %s or %s not installed\n", QEMU_IO, QEMU_IMG);
        g_test_skip("no QEMU tools");
        return false;
    }
    return true;
}

/* Run the NULL-terminated @argv; its exit status, and stderr. */
static int run_tool(const char *const *argv, char **err_out)
{
    int status;

    g_assert(g_spawn_sync(NULL, (char **)argv, NULL,
                          G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                          err_out, &status, NULL));
    return status;
}

#define RUN(err, ...) run_tool((const char *const[]) { __VA_ARGS__, NULL }, \
                               (err))

/* QEMU's tools print "<tool>: <context>: <message>\n<hint>". */
static void assert_tool_refused(int status, char *err, const char *prefix,
                                const char *context, const char *msg)
{
    const char *path = strchr(context, '/');
    g_autofree char *want = NULL;

    /* The hint names the image path, which ends the context. */
    want = g_strdup_printf("%s%s: %s\nIs another process using the image "
                           "[%.*s]?\n", prefix, context, msg,
                           (int)strcspn(path, "'"), path);

    g_assert(!g_spawn_check_wait_status(status, NULL));
    g_assert_cmpstr(err, ==, want);
    g_free(err);
}

static void test_we_hold(void)
{
    g_autofree char *path = NULL;
    g_autofree char *ctx = NULL;
    BlockBackend *blk;
    char *err = NULL;
    int status;

    if (!have_qemu_tools()) {
        return;
    }
    path = make_qcow2("we-hold.qcow2");
    blk = open_image(path, BDRV_O_RDWR | BDRV_O_RESIZE, NULL, false,
                     &error_abort);

    status = RUN(&err, QEMU_IO, "-f", "qcow2", "-c", "read 0 512", path);
    assert_tool_refused(status, err, "qemu-io: can't open device ", path,
                        "Failed to get \"write\" lock");

    status = RUN(&err, QEMU_IO, "-r", "-f", "qcow2", "-c", "read 0 512",
                 path);
    assert_tool_refused(status, err, "qemu-io: can't open device ", path,
                        "Failed to get shared \"write\" lock");

    /* resize wants write and resize: write is checked first. */
    ctx = g_strdup_printf("qemu-img: Could not open '%s'", path);
    status = RUN(&err, QEMU_IMG, "resize", "-f", "raw", path, "2M");
    assert_tool_refused(status, err, "", ctx, "Failed to get \"write\" lock");

    /* -U (force share) readers are welcome. */
    status = RUN(&err, QEMU_IO, "-U", "-r", "-f", "qcow2", "-c",
                 "read 0 512", path);
    g_assert(g_spawn_check_wait_status(status, NULL));
    g_assert_cmpstr(err, ==, "");
    g_free(err);

    /* Once we are gone, qemu-io can write. */
    blk_unref(blk);
    status = RUN(&err, QEMU_IO, "-f", "qcow2", "-c", "write 0 512", path);
    g_assert(g_spawn_check_wait_status(status, NULL));
    g_free(err);
}

static void test_they_hold(void)
{
    g_autofree char *path = NULL;
    Error *err = NULL;
    QDict *opts;
    BlockBackend *blk;
    GPid pid;
    int i, status;

    if (!have_qemu_tools()) {
        return;
    }
    path = make_qcow2("they-hold.qcow2");
    {
        const char *argv[] = {
            QEMU_IO, "-f", "qcow2", "-c", "sleep 60000", path, NULL
        };

        g_assert(g_spawn_async(NULL, (char **)argv, NULL,
                               G_SPAWN_DO_NOT_REAP_CHILD |
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, &pid,
                               NULL));
    }
    /* Wait until qemu-io holds the image (its "not sharing write" byte). */
    for (i = 0; i < 1000 && !byte_locked(path, 201); i++) {
        g_assert_cmpint(waitpid(pid, &status, WNOHANG), ==, 0);
        g_usleep(10 * 1000);
    }
    g_assert(byte_locked(path, 201));

    /* Even a writer that shares everything needs "write". */
    opts = qdict_new();
    qdict_put_str(opts, "driver", "file");
    qdict_put_str(opts, "filename", path);
    g_assert(!blk_new_open(NULL, NULL, opts, BDRV_O_RDWR, &err));
    g_assert_cmpstr(error_get_pretty(err), ==, "Failed to get \"write\" lock");
    error_free(err);
    err = NULL;
    /* A reader that does not share write meets qemu-io's writer. */
    g_assert(!open_image(path, 0, NULL, false, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Failed to get shared \"write\" lock");
    error_free(err);
    /* A reader that shares everything is fine. */
    blk = open_image(path, 0, NULL, true, &error_abort);
    blk_unref(blk);

    kill(pid, SIGKILL);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_spawn_close_pid(pid);
    blk = open_image(path, BDRV_O_RDWR, NULL, false, &error_abort);
    blk_unref(blk);
}

/* --- Creation respects locks ------------------------------------------ */

typedef struct CreateData {
    const char *filename;
    Error *err;
    int ret;
} CreateData;

static void coroutine_fn create_entry(void *opaque)
{
    CreateData *d = opaque;
    BlockDriver *drv = bdrv_find_format("file");
    QemuOpts *opts = qemu_opts_create(drv->create_opts, NULL, 0,
                                      &error_abort);

    qemu_opt_set(opts, BLOCK_OPT_SIZE, "1M", &error_abort);
    d->ret = drv->bdrv_co_create_opts(drv, d->filename, opts, &d->err);
    qemu_opts_del(opts);
}

static void test_create_locked(void)
{
    g_autofree char *path = make_image("create.img");
    CreateData d = { .filename = path };
    BlockBackend *blk;
    uint8_t buf[512];

    if (!have_ofd_locks()) {
        return;
    }
    blk = open_image(path, BDRV_O_RDWR, NULL, false, &error_abort);
    memset(buf, 0x5a, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 0, sizeof(buf), buf, 0), ==, 0);

    d.ret = -EINPROGRESS;
    qemu_coroutine_enter(qemu_coroutine_create(create_entry, &d));
    while (d.ret == -EINPROGRESS) {
        aio_poll(qemu_get_aio_context(), true);
    }
    g_assert_cmpint(d.ret, <, 0);
    g_assert_cmpstr(error_get_pretty(d.err), ==,
                    "Failed to get \"write\" lock");
    error_free(d.err);

    /* The image in use kept its data. */
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(blk_pread(blk, 0, sizeof(buf), buf, 0), ==, 0);
    g_assert_cmpint(buf[0], ==, 0x5a);
    g_assert_cmpint(buf[511], ==, 0x5a);
    blk_unref(blk);
}

int main(int argc, char **argv)
{
    int ret;

    bdrv_init();
    bdrv_register(&bdrv_mock_locker);
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    test_dir = g_dir_make_tmp("test-image-locking-XXXXXX", NULL);
    g_assert(test_dir);

    g_test_add_func("/image-locking/lock-bytes", test_lock_bytes);
    g_test_add_func("/image-locking/self-conflict", test_self_conflict);
    g_test_add_func("/image-locking/reopen", test_reopen);
    g_test_add_func("/image-locking/reopen-rw-own-lock",
                    test_reopen_rw_own_lock);
    g_test_add_func("/image-locking/hint", test_hint);
    g_test_add_func("/image-locking/hint/subprocess", test_hint_subprocess);
    g_test_add_func("/image-locking/qemu-io/we-hold", test_we_hold);
    g_test_add_func("/image-locking/qemu-io/they-hold", test_they_hold);
    g_test_add_func("/image-locking/create-locked", test_create_locked);

    ret = g_test_run();
    test_remove_dir(test_dir);
    g_free(test_dir);
    return ret;
}
