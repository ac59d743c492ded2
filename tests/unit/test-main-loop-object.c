/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-main-loop-object: the "main-loop" user-creatable object
 * (qom/main-loop.c).  Its properties reach the main AioContext, values
 * are checked with QEMU 7.2's messages, only one instance may exist at a
 * time, and a refused second instance does not free the slot.
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "block/block.h"
#include "qom/object_interfaces.h"

/* Create from @str: NULL on success, else the error message (freed by caller). */
static char *try_add(const char *str)
{
    Error *err = NULL;
    char *msg;

    if (user_creatable_add_from_str(str, &err)) {
        return NULL;
    }
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    return msg;
}

static void test_props_apply(void)
{
    AioContext *ctx = qemu_get_aio_context();

    g_assert_null(try_add("main-loop,id=ml,aio-max-batch=16,"
                          "thread-pool-min=2,thread-pool-max=8,"
                          "poll-max-ns=70000,poll-grow=3,poll-shrink=5"));
    g_assert_cmpint(ctx->aio_max_batch, ==, 16);
    g_assert_cmpint(ctx->thread_pool_min, ==, 2);
    g_assert_cmpint(ctx->thread_pool_max, ==, 8);
    g_assert_cmpint(ctx->poll_max_ns, ==, 70000);
    g_assert_cmpint(ctx->poll_grow, ==, 3);
    g_assert_cmpint(ctx->poll_shrink, ==, 5);
    g_assert_nonnull(user_creatable_find("main-loop", "ml"));
    g_assert_true(user_creatable_del("ml", &error_abort));
}

/* Properties left out keep what the context has (e.g. a tool default). */
static void test_unset_props_kept(void)
{
    AioContext *ctx = qemu_get_aio_context();

    aio_context_set_poll_params(ctx, 12345, 0, 0, &error_abort);
    g_assert_null(try_add("main-loop,id=ml,thread-pool-max=4"));
    g_assert_cmpint(ctx->poll_max_ns, ==, 12345);
    g_assert_cmpint(ctx->thread_pool_max, ==, 4);
    g_assert_true(user_creatable_del("ml", &error_abort));
}

static void test_only_one(void)
{
    g_autofree char *msg = NULL;
    g_autofree char *again = NULL;

    g_assert_null(try_add("main-loop,id=a"));
    msg = try_add("main-loop,id=b");
    g_assert_cmpstr(msg, ==, "only one main-loop instance allowed");
    g_assert_null(user_creatable_find("main-loop", "b"));
    /* The refused one must not have released a's slot. */
    again = try_add("main-loop,id=c");
    g_assert_cmpstr(again, ==, "only one main-loop instance allowed");
    g_assert_true(user_creatable_del("a", &error_abort));
    /* Deleting the instance frees the slot. */
    g_assert_null(try_add("main-loop,id=d"));
    g_assert_true(user_creatable_del("d", &error_abort));
}

static void test_bad_values(void)
{
    static const struct {
        const char *props;
        const char *msg;
    } cases[] = {
        { "thread-pool-min=10,thread-pool-max=2",
          "bad thread-pool-min/thread-pool-max values" },
        { "thread-pool-max=0", "bad thread-pool-min/thread-pool-max values" },
        { "thread-pool-max=2147483648",
          "bad thread-pool-min/thread-pool-max values" },
        { "thread-pool-min=65", "bad thread-pool-min/thread-pool-max values" },
        { "thread-pool-min=-1",
          "thread-pool-min value must be in range [0, 9223372036854775807]" },
        { "aio-max-batch=-1",
          "aio-max-batch value must be in range [0, 9223372036854775807]" },
        { "aio-max-batch=x", "Parameter 'aio-max-batch' expects integer" },
        { "thread-pool-min=1.5",
          "Parameter 'thread-pool-min' expects integer" },
        { "aio-max-batch=9223372036854775808",
          "Parameter 'aio-max-batch' expects integer" },
        { "poll-max-ns=-5",
          "poll-max-ns value must be in range [0, 9223372036854775807]" },
        { "bogus=1", "Parameter 'bogus' is unexpected" },
    };
    AioContext *ctx = qemu_get_aio_context();
    int64_t max_before = ctx->thread_pool_max;
    size_t i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *str = g_strdup_printf("main-loop,id=bad,%s",
                                               cases[i].props);
        g_autofree char *msg = try_add(str);

        g_assert_cmpstr(msg, ==, cases[i].msg);
        g_assert_null(user_creatable_find("main-loop", "bad"));
    }
    /* Nothing of a refused object reached the context. */
    g_assert_cmpint(ctx->thread_pool_max, ==, max_before);
    /* ...and the slot is still free. */
    g_assert_null(try_add("main-loop,id=ok"));
    g_assert_true(user_creatable_del("ok", &error_abort));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qemu_init_main_loop(&error_abort);
    bdrv_init();

    g_test_add_func("/main-loop-object/props-apply", test_props_apply);
    g_test_add_func("/main-loop-object/unset-props-kept",
                    test_unset_props_kept);
    g_test_add_func("/main-loop-object/only-one", test_only_one);
    g_test_add_func("/main-loop-object/bad-values", test_bad_values);
    return g_test_run();
}
