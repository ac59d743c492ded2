/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-nbd-common.c: the NBD helpers both ends share (nbd/common.c):
 * errno <-> wire error mapping and the names of protocol values.
 */
#include "qemu/osdep.h"
#include "block/nbd.h"

static void test_errno_mapping(void)
{
    static const int known[] = {
        EPERM, EIO, ENOMEM, EINVAL, ENOSPC, EOVERFLOW, ENOTSUP, ESHUTDOWN,
    };

    /* Every error the protocol names survives the round trip. */
    for (size_t i = 0; i < G_N_ELEMENTS(known); i++) {
        int wire = system_errno_to_nbd_errno(known[i]);

        g_assert_cmpint(nbd_errno_to_system_errno(wire), ==, known[i]);
    }
    /* The wire numbers are the protocol's, not the host's. */
    g_assert_cmpint(system_errno_to_nbd_errno(ENOSPC), ==, 28);
    g_assert_cmpint(system_errno_to_nbd_errno(ESHUTDOWN), ==, 108);
    /* Errors without a number go out as EINVAL; EFBIG as ENOSPC. */
    g_assert_cmpint(system_errno_to_nbd_errno(EROFS), ==, NBD_EINVAL);
    g_assert_cmpint(system_errno_to_nbd_errno(EFBIG), ==, NBD_ENOSPC);
    /* Unknown wire values read as EINVAL. */
    g_assert_cmpint(nbd_errno_to_system_errno(12345), ==, EINVAL);
    g_assert_cmpint(nbd_errno_to_system_errno(NBD_SUCCESS), ==, 0);
}

static void test_names(void)
{
    g_assert_cmpstr(nbd_opt_lookup(NBD_OPT_GO), ==, "NBD_OPT_GO");
    g_assert_cmpstr(nbd_rep_lookup(NBD_REP_ERR_UNSUP), ==,
                    "NBD_REP_ERR_UNSUP");
    g_assert_cmpstr(nbd_info_lookup(NBD_INFO_BLOCK_SIZE), ==,
                    "NBD_INFO_BLOCK_SIZE");
    g_assert_cmpstr(nbd_cmd_lookup(NBD_CMD_BLOCK_STATUS), ==,
                    "NBD_CMD_BLOCK_STATUS");
    g_assert_cmpstr(nbd_reply_type_lookup(NBD_REPLY_TYPE_ERROR_OFFSET), ==,
                    "NBD_REPLY_TYPE_ERROR_OFFSET");
    g_assert_cmpstr(nbd_err_lookup(NBD_ENOSPC), ==, "ENOSPC");
    g_assert_cmpstr(nbd_cmd_lookup(99), ==, "<unknown>");
    g_assert_true(NBD_REP_ERR_P(NBD_REP_ERR_TOO_BIG));
    g_assert_false(NBD_REP_ERR_P(NBD_REP_INFO));
    g_assert_true(NBD_REPLY_TYPE_IS_ERR(NBD_REPLY_TYPE_ERROR));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/nbd-common/errno-mapping", test_errno_mapping);
    g_test_add_func("/nbd-common/names", test_names);
    return g_test_run();
}
