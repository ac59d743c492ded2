/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-block-throttle: the "throttle" filter, throttle groups and the
 * --object registry that creates them.
 *
 * Groups run on QEMU_CLOCK_VIRTUAL, whose source is a counter the cases
 * advance by hand, so waiting is deterministic: nothing throttled moves
 * until the clock does.  Requests go to null-co nodes through the filter;
 * the cases record the order in which they complete.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/main-loop.h"
#include "block/block_int.h"
#include "block/throttle-groups.h"
#include "qom/object_interfaces.h"
#include "sysemu/block-backend.h"

static int64_t fake_ns;

static int64_t fake_clock(void)
{
    return fake_ns;
}

static void poll_all(void)
{
    while (aio_poll(qemu_get_aio_context(), false)) {
        /* run whatever is ready */
    }
}

static void advance_ms(int ms)
{
    fake_ns += (int64_t)ms * 1000000;
    poll_all();
}

static BlockBackend *open_throttle(const char *group, Error **errp)
{
    QDict *options = qdict_new();

    qdict_put_str(options, "driver", "throttle");
    if (group) {
        qdict_put_str(options, "throttle-group", group);
    }
    qdict_put_str(options, "file.driver", "null-co");
    return blk_new_open(NULL, NULL, options, BDRV_O_RDWR, errp);
}

static void close_blk(BlockBackend *blk)
{
    blk_unref(blk);
    poll_all();
}

static void expect_error(bool ok, Error *err, const char *msg)
{
    g_assert_false(ok);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_object(void)
{
    Error *err = NULL;
    bool ok;
    BlockBackend *blk;

    g_assert_true(user_creatable_add_from_str(
        "throttle-group,id=obj0,limits.iops-total=100,x-bps-total=4096",
        &error_abort));
    g_assert_nonnull(user_creatable_find("throttle-group", "obj0"));
    g_assert_true(throttle_group_exists("obj0"));

    ok = user_creatable_add_from_str("throttle-group,id=obj0", &err);
    expect_error(ok, err, "attempt to add duplicate property 'obj0' to "
                 "object (type 'container')");
    err = NULL;
    ok = user_creatable_add_from_str("throttle-group,id=obj1,foo=1", &err);
    expect_error(ok, err, "Parameter 'foo' is unexpected");
    g_assert_false(throttle_group_exists("obj1"));
    err = NULL;
    ok = user_creatable_add_from_str(
        "throttle-group,id=obj1,limits.iops-total-max=10", &err);
    expect_error(ok, err,
                 "bps_max/iops_max require corresponding bps/iops values");
    err = NULL;
    ok = user_creatable_add_from_str("throttle-group,id=obj1,"
                                     "x-iops-total=-1", &err);
    expect_error(ok, err, "Property values cannot be negative");
    err = NULL;
    ok = user_creatable_add_from_str("throttle-group,id=obj1,"
                                     "limits.iops-total=-1", &err);
    expect_error(ok, err,
                 "bps/iops/max values must be within [0, 1000000000000000]");
    err = NULL;
    ok = user_creatable_add_from_str("throttle-group,id=obj1,"
                                     "x-bps-read-max-length=4294967296",
                                     &err);
    expect_error(ok, err, "x-bps-read-max-length value must be in therange "
                 "[0, 4294967295]");
    err = NULL;
    ok = user_creatable_add_from_str("throttle-group,id=obj1,"
                                     "limits.bps-read-max-length=4294967296",
                                     &err);
    expect_error(ok, err, "bps-read-max-length value must be in the range "
                 "[0, 4294967295]");
    err = NULL;
    ok = user_creatable_add_from_str("no-such-type,id=x", &err);
    expect_error(ok, err,
                 "Parameter 'qom-type' does not accept value 'no-such-type'");
    err = NULL;
    ok = user_creatable_add_from_str("throttle-group,id=obj1,"
                                     "limits.iops-total=1M", &err);
    expect_error(ok, err, "Parameter 'limits.iops-total' expects integer");
    err = NULL;
    ok = user_creatable_add_from_str("throttle-group", &err);
    expect_error(ok, err, "Parameter 'id' is missing");

    err = NULL;
    blk = open_throttle(NULL, &err);
    ok = blk != NULL;
    expect_error(ok, err, "Please specify a throttle group");
    err = NULL;
    blk = open_throttle("nope", &err);
    ok = blk != NULL;
    expect_error(ok, err, "Throttle group 'nope' does not exist");

    /* A group in use cannot be deleted. */
    blk = open_throttle("obj0", &error_abort);
    err = NULL;
    ok = user_creatable_del("obj0", &err);
    expect_error(ok, err, "object 'obj0' is in use, can not be deleted");
    close_blk(blk);
    g_assert_true(user_creatable_del("obj0", &error_abort));
    g_assert_false(throttle_group_exists("obj0"));
    g_assert_null(user_creatable_find("throttle-group", "obj0"));
}

typedef struct Req {
    char tag;
    int ret;
    GString *order;
    uint8_t buf[512];
    QEMUIOVector qiov;
} Req;

static void req_done(void *opaque, int ret)
{
    Req *r = opaque;

    r->ret = ret;
    g_string_append_c(r->order, r->tag);
}

static void submit(BlockBackend *blk, Req *r, char tag, GString *order,
                   bool write)
{
    r->tag = tag;
    r->ret = 1;
    r->order = order;
    qemu_iovec_init_buf(&r->qiov, r->buf, sizeof(r->buf));
    if (write) {
        blk_aio_pwritev(blk, 0, &r->qiov, 0, req_done, r);
    } else {
        blk_aio_preadv(blk, 0, &r->qiov, 0, req_done, r);
    }
}

/* Advance the clock in @step_ms steps until @order has @n entries. */
static void run_until(GString *order, gsize n, int step_ms)
{
    int i;

    for (i = 0; i < 1000 && order->len < n; i++) {
        advance_ms(step_ms);
    }
    g_assert_cmpuint(order->len, ==, n);
}

static void test_limits_delay(void)
{
    g_autoptr(GString) order = g_string_new("");
    BlockBackend *blk;
    Req reqs[8];
    gsize first;
    int i;

    g_assert_true(user_creatable_add_from_str(
        "throttle-group,id=delay,limits.iops-total=10", &error_abort));
    blk = open_throttle("delay", &error_abort);

    for (i = 0; i < 8; i++) {
        submit(blk, &reqs[i], 'a' + i, order, i % 2);
    }
    poll_all();
    first = order->len;
    /* Some go at once (the bucket's burst), not all. */
    g_assert_cmpuint(first, >=, 1);
    g_assert_cmpuint(first, <, 8);

    /* Frozen clock: nothing else moves. */
    poll_all();
    g_assert_cmpuint(order->len, ==, first);

    /* Reads and writes share iops-total; each direction stays in order. */
    run_until(order, 8, 50);
    g_test_message("order %s first %zu", order->str, first);
    for (i = 0; i < 8; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }
    {
        g_autoptr(GString) reads = g_string_new("");
        g_autoptr(GString) writes = g_string_new("");

        for (i = 0; i < 8; i++) {
            char c = order->str[i];

            g_string_append_c((c - 'a') % 2 ? writes : reads, c);
        }
        g_assert_cmpstr(reads->str, ==, "aceg");
        g_assert_cmpstr(writes->str, ==, "bdfh");
    }
    close_blk(blk);
    g_assert_true(user_creatable_del("delay", &error_abort));
}

/* Two members of one group take turns once both have requests queued. */
static void test_round_robin(void)
{
    g_autoptr(GString) order = g_string_new("");
    BlockBackend *a, *b;
    Req ra[8], rb[4];
    gsize first;
    int i, last_a = -1, last_b = -1;

    g_assert_true(user_creatable_add_from_str(
        "throttle-group,id=rr,limits.iops-read=10", &error_abort));
    a = open_throttle("rr", &error_abort);
    b = open_throttle("rr", &error_abort);

    for (i = 0; i < 8; i++) {
        submit(a, &ra[i], 'A', order, false);
    }
    for (i = 0; i < 4; i++) {
        submit(b, &rb[i], 'B', order, false);
    }
    poll_all();
    first = order->len;
    g_assert_cmpuint(first, <, 8);

    run_until(order, 12, 50);
    g_test_message("order %s first %zu", order->str, first);
    for (i = 0; i < (int)order->len; i++) {
        if (order->str[i] == 'A') {
            last_a = i;
        } else {
            last_b = i;
        }
    }
    /* B did not wait for all of A's backlog ... */
    g_assert_cmpint(last_b, <, last_a);
    /* ... and no member went twice in a row while both were waiting. */
    for (i = first + 1; i <= last_b; i++) {
        g_assert_cmpint(order->str[i], !=, order->str[i - 1]);
    }
    close_blk(a);
    close_blk(b);
    g_assert_true(user_creatable_del("rr", &error_abort));
}

/* Draining the node lets every queued request go without the clock. */
static void test_drain(void)
{
    g_autoptr(GString) order = g_string_new("");
    BlockBackend *blk;
    Req reqs[6];
    int i;

    g_assert_true(user_creatable_add_from_str(
        "throttle-group,id=drain,limits.bps-total=512", &error_abort));
    blk = open_throttle("drain", &error_abort);
    for (i = 0; i < 6; i++) {
        submit(blk, &reqs[i], '0' + i, order, true);
    }
    poll_all();
    g_assert_cmpuint(order->len, <, 6);

    bdrv_drained_begin(blk_bs(blk));
    g_assert_cmpstr(order->str, ==, "012345");
    bdrv_drained_end(blk_bs(blk));
    for (i = 0; i < 6; i++) {
        g_assert_cmpint(reqs[i].ret, ==, 0);
    }
    close_blk(blk);
    g_assert_true(user_creatable_del("drain", &error_abort));
}

/* Reopen moves the node to another group. */
static void test_reopen_group(void)
{
    BlockBackend *blk;
    ThrottleGroupMember *tgm;
    QDict *opts;
    Error *err = NULL;

    g_assert_true(user_creatable_add_from_str(
        "throttle-group,id=g1,limits.iops-total=10", &error_abort));
    g_assert_true(user_creatable_add_from_str(
        "throttle-group,id=g2,limits.bps-total=1000000", &error_abort));
    blk = open_throttle("g1", &error_abort);
    tgm = blk_bs(blk)->opaque;
    g_assert_cmpstr(throttle_group_get_name(tgm), ==, "g1");

    opts = qdict_new();
    qdict_put_str(opts, "throttle-group", "g3");
    g_assert_cmpint(bdrv_reopen(blk_bs(blk), opts, true, &err), <, 0);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Throttle group 'g3' does not exist");
    error_free(err);
    g_assert_cmpstr(throttle_group_get_name(tgm), ==, "g1");

    opts = qdict_new();
    qdict_put_str(opts, "throttle-group", "g2");
    g_assert_cmpint(bdrv_reopen(blk_bs(blk), opts, true, &error_abort), ==,
                    0);
    g_assert_cmpstr(throttle_group_get_name(tgm), ==, "g2");

    /* g1 is free now, g2 is not. */
    g_assert_true(user_creatable_del("g1", &error_abort));
    g_assert_false(user_creatable_del("g2", NULL));
    close_blk(blk);
    g_assert_true(user_creatable_del("g2", &error_abort));
}

/* "--object throttle-group,help" lists the properties, sorted as QEMU. */
static void test_object_help(void)
{
    if (g_test_subprocess()) {
        user_creatable_process_cmdline("throttle-group,help");
        return;     /* not reached */
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stdout("throttle-group options:\n"
                              "  limits=<ThrottleLimits>\n"
                              "  x-bps-read-max-length=<int>\n"
                              "  x-bps-read-max=<int>\n"
                              "  x-bps-read=<int>\n*"
                              "  x-iops-write=<int>\n");
}

int main(int argc, char **argv)
{
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    qemu_clock_set_virtual_source(fake_clock);
    throttle_group_set_clock_type(QEMU_CLOCK_VIRTUAL);
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/throttle/object", test_object);
    g_test_add_func("/throttle/object-help", test_object_help);
    g_test_add_func("/throttle/limits-delay", test_limits_delay);
    g_test_add_func("/throttle/round-robin", test_round_robin);
    g_test_add_func("/throttle/drain", test_drain);
    g_test_add_func("/throttle/reopen-group", test_reopen_group);

    return g_test_run();
}
