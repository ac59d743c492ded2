/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test-iov.c: iovec helpers and QEMUIOVector, checked against a flat
 * reference buffer for many vector shapes.
 */
#include "qemu/osdep.h"
#include "qemu/iov.h"

#define TOTAL 1000

/* Split @buf into vectors of pseudo-random sizes (some of them 0). */
static unsigned make_iov(struct iovec *iov, unsigned max, uint8_t *buf,
                         size_t len, GRand *rand)
{
    unsigned n = 0;
    size_t off = 0;

    while (off < len && n < max - 1) {
        size_t want = g_rand_int_range(rand, 0, 80);
        size_t chunk = MIN(len - off, want);
        iov[n].iov_base = buf + off;
        iov[n].iov_len = chunk;
        off += chunk;
        n++;
    }
    iov[n].iov_base = buf + off;
    iov[n].iov_len = len - off;
    return n + 1;
}

static void test_to_from_buf(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(1);
    uint8_t data[TOTAL], ref[TOTAL], out[TOTAL];
    struct iovec iov[64];
    int round;

    for (round = 0; round < 50; round++) {
        unsigned n = make_iov(iov, 64, data, TOTAL, rand);
        size_t off = g_rand_int_range(rand, 0, TOTAL);
        size_t bytes = g_rand_int_range(rand, 0, TOTAL + 100);
        size_t expect = MIN(bytes, TOTAL - off);
        size_t i;

        g_assert_cmpuint(iov_size(iov, n), ==, TOTAL);
        for (i = 0; i < TOTAL; i++) {
            ref[i] = g_rand_int(rand);
        }
        memset(data, 0, TOTAL);
        g_assert_cmpuint(iov_from_buf(iov, n, off, ref, bytes), ==, expect);
        for (i = 0; i < TOTAL; i++) {
            g_assert_cmpint(data[i], ==,
                            (i >= off && i < off + expect) ? ref[i - off] : 0);
        }
        memset(out, 0xaa, TOTAL);
        g_assert_cmpuint(iov_to_buf(iov, n, off, out, bytes), ==, expect);
        g_assert_cmpmem(out, expect, ref, expect);

        g_assert_cmpuint(iov_memset(iov, n, off, 0x5a, bytes), ==, expect);
        for (i = off; i < off + expect; i++) {
            g_assert_cmpint(data[i], ==, 0x5a);
        }
    }
}

static void test_copy_and_discard(void)
{
    g_autoptr(GRand) rand = g_rand_new_with_seed(2);
    uint8_t data[TOTAL];
    struct iovec iov[64], sub[64], *p;
    unsigned n, m, cnt;
    size_t i, total;

    for (i = 0; i < TOTAL; i++) {
        data[i] = i * 7;
    }
    n = make_iov(iov, 64, data, TOTAL, rand);

    m = iov_copy(sub, 64, iov, n, 100, 300);
    g_assert_cmpuint(iov_size(sub, m), ==, 300);
    g_assert_cmpmem(sub[0].iov_base, 1, data + 100, 1);

    /* discard from the front moves the start */
    p = sub;
    cnt = m;
    total = iov_discard_front(&p, &cnt, 50);
    g_assert_cmpuint(total, ==, 50);
    g_assert_cmpuint(iov_size(p, cnt), ==, 250);
    g_assert_true(p[0].iov_base == data + 150);

    /* discard from the back, then more than what is left */
    total = iov_discard_back(p, &cnt, 100);
    g_assert_cmpuint(total, ==, 100);
    g_assert_cmpuint(iov_size(p, cnt), ==, 150);
    total = iov_discard_back(p, &cnt, 1000);
    g_assert_cmpuint(total, ==, 150);
    g_assert_cmpuint(cnt, ==, 0);
}

static void test_discard_undo(void)
{
    uint8_t data[30];
    struct iovec iov[3] = {
        { data, 10 }, { data + 10, 10 }, { data + 20, 10 },
    };
    struct iovec orig[3];
    struct iovec *p = iov;
    unsigned cnt = 3;
    IOVDiscardUndo undo;

    memcpy(orig, iov, sizeof(iov));
    iov_discard_front_undoable(&p, &cnt, 15, &undo);
    g_assert_cmpuint(cnt, ==, 2);
    g_assert_cmpuint(p[0].iov_len, ==, 5);
    iov_discard_undo(&undo);
    g_assert_cmpmem(iov, sizeof(iov), orig, sizeof(orig));

    cnt = 3;
    iov_discard_back_undoable(iov, &cnt, 25, &undo);
    g_assert_cmpuint(cnt, ==, 1);
    g_assert_cmpuint(iov[0].iov_len, ==, 5);
    iov_discard_undo(&undo);
    g_assert_cmpmem(iov, sizeof(iov), orig, sizeof(orig));
}

static void test_qiov_buf(void)
{
    char buf[16] = "hello";
    QEMUIOVector qiov = QEMU_IOVEC_INIT_BUF(qiov, buf, sizeof(buf));
    QEMUIOVector q2;

    g_assert_cmpint(qiov.niov, ==, 1);
    g_assert_cmpuint(qiov.size, ==, sizeof(buf));
    g_assert_true(qiov.iov == &qiov.local_iov);
    g_assert_true(qemu_iovec_buf(&qiov) == buf);

    qemu_iovec_init_buf(&q2, buf + 1, 4);
    g_assert_cmpuint(q2.size, ==, 4);
    /* size and local_iov.iov_len are the same storage */
    q2.local_iov.iov_len = 3;
    g_assert_cmpuint(q2.size, ==, 3);
    qemu_iovec_discard_back(&q2, 1);
    g_assert_cmpuint(q2.size, ==, 2);
    g_assert_cmpuint(q2.iov[0].iov_len, ==, 2);
}

static void test_qiov_ops(void)
{
    uint8_t a[100], b[100], c[50], flat[250], out[250];
    QEMUIOVector qiov, slice, ext, clone;
    size_t i;
    g_autofree uint8_t *clone_buf = g_malloc(250);

    for (i = 0; i < 250; i++) {
        flat[i] = i;
    }
    memcpy(a, flat, 100);
    memcpy(b, flat + 100, 100);
    memcpy(c, flat + 200, 50);

    qemu_iovec_init(&qiov, 1);
    qemu_iovec_add(&qiov, a, 100);
    qemu_iovec_add(&qiov, b, 100);
    qemu_iovec_add(&qiov, c, 50);
    g_assert_cmpint(qiov.niov, ==, 3);
    g_assert_cmpuint(qiov.size, ==, 250);
    g_assert_cmpuint(qemu_iovec_to_buf(&qiov, 0, out, 250), ==, 250);
    g_assert_cmpmem(out, 250, flat, 250);

    /* a slice across the element boundary */
    g_assert_cmpint(qemu_iovec_subvec_niov(&qiov, 90, 20), ==, 2);
    g_assert_cmpint(qemu_iovec_subvec_niov(&qiov, 100, 100), ==, 1);
    g_assert_cmpint(qemu_iovec_subvec_niov(&qiov, 250, 0), ==, 0);
    g_assert_cmpint(qemu_iovec_subvec_niov(&qiov, 0, 250), ==, 3);
    qemu_iovec_init_slice(&slice, &qiov, 90, 120);
    g_assert_cmpuint(slice.size, ==, 120);
    g_assert_cmpint(slice.niov, ==, 3);
    qemu_iovec_to_buf(&slice, 0, out, 120);
    g_assert_cmpmem(out, 120, flat + 90, 120);

    /* head + middle + tail */
    qemu_iovec_init_extended(&ext, out + 240, 5, &qiov, 10, 20, out + 245, 5);
    g_assert_cmpuint(ext.size, ==, 30);
    g_assert_cmpint(ext.niov, ==, 3);
    g_assert_true(ext.iov[1].iov_base == a + 10);

    /* compare finds the first differing byte */
    qemu_iovec_init(&clone, 1);
    qemu_iovec_clone(&clone, &qiov, clone_buf);
    g_assert_cmpint(clone.niov, ==, 3);
    qemu_iovec_from_buf(&clone, 0, flat, 250);
    g_assert_cmpint(qemu_iovec_compare(&qiov, &clone), ==, -1);
    clone_buf[123] ^= 1;
    g_assert_cmpint(qemu_iovec_compare(&qiov, &clone), ==, 123);

    /* memset + is_zero */
    g_assert_false(qemu_iovec_is_zero(&qiov, 0, 250));
    qemu_iovec_memset(&qiov, 95, 0, 110);
    g_assert_true(qemu_iovec_is_zero(&qiov, 95, 110));
    g_assert_false(qemu_iovec_is_zero(&qiov, 94, 111));
    g_assert_false(qemu_iovec_is_zero(&qiov, 95, 111));

    /* concat appends references, not copies */
    qemu_iovec_reset(&clone);
    g_assert_cmpuint(clone.size, ==, 0);
    qemu_iovec_concat(&clone, &qiov, 150, 100);
    g_assert_cmpuint(clone.size, ==, 100);
    g_assert_true(clone.iov[0].iov_base == b + 50);

    qemu_iovec_discard_back(&qiov, 60);
    g_assert_cmpuint(qiov.size, ==, 190);
    g_assert_cmpint(qiov.niov, ==, 2);

    qemu_iovec_destroy(&clone);
    qemu_iovec_destroy(&ext);
    qemu_iovec_destroy(&slice);
    qemu_iovec_destroy(&qiov);
}

static void test_send_recv(void)
{
    int fds[2];
    uint8_t src[300], dst[300];
    struct iovec siov[3] = { { src, 100 }, { src + 100, 100 },
                             { src + 200, 100 } };
    struct iovec diov[2] = { { dst, 150 }, { dst + 150, 150 } };
    size_t i;

    for (i = 0; i < sizeof(src); i++) {
        src[i] = i ^ 0x3c;
    }
    memset(dst, 0, sizeof(dst));
    g_assert_cmpint(qemu_pipe(fds), ==, 0);
    g_assert_cmpint(iov_send(fds[1], siov, 3, 50, 200), ==, 200);
    g_assert_cmpint(iov_recv(fds[0], diov, 2, 10, 200), ==, 200);
    g_assert_cmpmem(dst + 10, 200, src + 50, 200);
    close(fds[0]);
    close(fds[1]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/iov/to-from-buf", test_to_from_buf);
    g_test_add_func("/iov/copy-discard", test_copy_and_discard);
    g_test_add_func("/iov/discard-undo", test_discard_undo);
    g_test_add_func("/iov/send-recv", test_send_recv);
    g_test_add_func("/qiov/buf", test_qiov_buf);
    g_test_add_func("/qiov/ops", test_qiov_ops);
    return g_test_run();
}
