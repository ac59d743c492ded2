/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the pure parts of qcow2's refcount half: refcount block
 * entry accessors for every width, metadata overlap detection on an
 * in-memory image description, snapshot table (de)serialisation and the
 * zlib/zstd codecs.  The I/O paths are covered by the iotests.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qemu/main-loop.h"
#include "../../block/qcow2.h"

/* Entry values cover the full range of each width, through a PRNG. */
static void test_refcount_widths(void)
{
    for (int order = 0; order <= 6; order++) {
        int bits = 1 << order;
        uint64_t max = bits == 64 ? UINT64_MAX : (1ULL << bits) - 1;
        size_t n = 4096 * 8 / bits;    /* entries of a 4 KiB block */
        g_autofree uint8_t *blk = g_malloc0(n * bits / 8);
        g_autofree uint64_t *want = g_new0(uint64_t, n);
        Qcow2GetRefcountFunc *get;
        Qcow2SetRefcountFunc *set;
        GRand *r = g_rand_new_with_seed(order);

        qcow2_refcount_funcs(order, &get, &set);
        for (size_t i = 0; i < n; i++) {
            uint64_t v = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);

            want[i] = v & max;
            set(blk, i, want[i]);
        }
        /* Rewrite every third entry: neighbours must not change. */
        for (size_t i = 0; i < n; i += 3) {
            want[i] = max - want[i];
            set(blk, i, want[i]);
        }
        for (size_t i = 0; i < n; i++) {
            g_assert_cmpuint(get(blk, i), ==, want[i]);
        }
        g_rand_free(r);
    }
}

/* On-disk layout: sub-byte entries from the LSB, wider ones big-endian. */
static void test_refcount_layout(void)
{
    uint8_t blk[16] = { 0 };
    Qcow2GetRefcountFunc *get;
    Qcow2SetRefcountFunc *set;

    qcow2_refcount_funcs(0, &get, &set);
    set(blk, 0, 1);
    set(blk, 9, 1);
    g_assert_cmphex(blk[0], ==, 0x01);
    g_assert_cmphex(blk[1], ==, 0x02);

    memset(blk, 0, sizeof(blk));
    qcow2_refcount_funcs(2, &get, &set);
    set(blk, 1, 0xa);
    g_assert_cmphex(blk[0], ==, 0xa0);

    memset(blk, 0, sizeof(blk));
    qcow2_refcount_funcs(4, &get, &set);
    set(blk, 1, 0x1234);
    g_assert_cmphex(blk[2], ==, 0x12);
    g_assert_cmphex(blk[3], ==, 0x34);

    memset(blk, 0, sizeof(blk));
    qcow2_refcount_funcs(6, &get, &set);
    set(blk, 1, 0x0102030405060708ULL);
    g_assert_cmphex(blk[8], ==, 0x01);
    g_assert_cmphex(blk[15], ==, 0x08);
    g_assert_cmphex(get(blk, 1), ==, 0x0102030405060708ULL);
}

/* A fake image with 64 KiB clusters and metadata at known places. */
typedef struct FakeImage {
    BlockDriverState bs;
    BDRVQcow2State s;
    uint64_t l1[4];
    uint64_t reftable[8];
    QCowSnapshot sn;
} FakeImage;

static void fake_image_init(FakeImage *f)
{
    memset(f, 0, sizeof(*f));
    f->bs.opaque = &f->s;
    f->s.cluster_bits = 16;
    f->s.cluster_size = 1 << 16;
    f->s.l1_table_offset = 3 << 16;
    f->s.l1_size = 4;
    f->s.l1_table = f->l1;
    f->l1[1] = (5ULL << 16) | QCOW_OFLAG_COPIED;      /* L2 at cluster 5 */
    f->s.refcount_table_offset = 1 << 16;
    f->s.refcount_table_size = 8;
    f->s.refcount_table = f->reftable;
    f->reftable[0] = 2ULL << 16;                      /* refblock at 2 */
    f->s.max_refcount_table_index = 0;
    f->s.snapshots_offset = 7 << 16;
    f->s.snapshots_size = 100;
    f->sn.l1_table_offset = 8 << 16;
    f->sn.l1_size = 4;
    f->s.snapshots = &f->sn;
    f->s.nb_snapshots = 1;
}

static void test_overlap(void)
{
    FakeImage f;
    BlockDriverState *bs = &f.bs;
    struct {
        uint64_t cluster;
        int expect;
    } cases[] = {
        { 0, QCOW2_OL_MAIN_HEADER },
        { 1, QCOW2_OL_REFCOUNT_TABLE },
        { 2, QCOW2_OL_REFCOUNT_BLOCK },
        { 3, QCOW2_OL_ACTIVE_L1 },
        { 4, 0 },
        { 5, QCOW2_OL_ACTIVE_L2 },
        { 6, 0 },
        { 7, QCOW2_OL_SNAPSHOT_TABLE },
        { 8, QCOW2_OL_INACTIVE_L1 },
        { 9, 0 },
    };

    fake_image_init(&f);
    bdrv_graph_rdlock_main_loop();
    f.s.overlap_check = QCOW2_OL_CACHED;
    for (int i = 0; i < ARRAY_SIZE(cases); i++) {
        /* A small write in the middle of the cluster is enough. */
        int64_t off = (cases[i].cluster << 16) + 100;

        g_assert_cmpint(qcow2_check_metadata_overlap(bs, 0, off, 8), ==,
                        cases[i].expect);
        if (cases[i].expect) {
            /* The same range passes when its kind is ignored. */
            g_assert_cmpint(qcow2_check_metadata_overlap(bs, cases[i].expect,
                                                         off, 8), ==, 0);
        }
    }
    /* A range spanning clusters 4..5 hits the L2 table. */
    g_assert_cmpint(qcow2_check_metadata_overlap(bs, 0, (4 << 16) + 10,
                                                 1 << 16), ==,
                    QCOW2_OL_ACTIVE_L2);

    f.s.overlap_check = QCOW2_OL_CONSTANT;
    g_assert_cmpint(qcow2_check_metadata_overlap(bs, 0, 5 << 16, 512), ==, 0);
    g_assert_cmpint(qcow2_check_metadata_overlap(bs, 0, 3 << 16, 512), ==,
                    QCOW2_OL_ACTIVE_L1);
    f.s.overlap_check = 0;
    g_assert_cmpint(qcow2_check_metadata_overlap(bs, 0, 0, 512), ==, 0);
    bdrv_graph_rdunlock_main_loop();

    g_assert_cmpstr(qcow2_overlap_name(QCOW2_OL_ACTIVE_L1), ==,
                    "active L1 table");
    g_assert_cmpstr(qcow2_overlap_name(QCOW2_OL_MAIN_HEADER), ==,
                    "qcow2_header");
}

static void test_snapshot_table(void)
{
    QCowSnapshot sns[3] = {
        { .l1_table_offset = 0x40000, .l1_size = 1, .id_str = (char *)"1",
          .name = (char *)"s1", .disk_size = 1 << 20, .date_sec = 12345,
          .date_nsec = 678, .vm_clock_nsec = 99, .icount = 0,
          .extra_data_size = sizeof(QCowSnapshotExtraData) },
        { .l1_table_offset = 0x60000, .l1_size = 2, .id_str = (char *)"22",
          .name = (char *)"a longer snapshot name",
          .vm_state_size = 5ULL << 32, .disk_size = 2 << 20,
          .icount = 42, .extra_data_size = sizeof(QCowSnapshotExtraData) },
        /* An old-style entry without extra data. */
        { .l1_table_offset = 0x80000, .l1_size = 1, .id_str = (char *)"3",
          .name = (char *)"", .vm_state_size = 4096,
          .icount = -1ULL, .disk_size = 7 << 20 },
    };
    g_autofree uint8_t *buf = NULL;
    size_t size, pos = 0;

    buf = qcow2_snapshot_serialize_table(sns, 3, &size);
    g_assert_cmpuint(size % 8, ==, 0);
    /* The first entry: 40 + 24 + "1" + "s1" = 67, padded to 72. */
    g_assert_cmpuint(ldq_be_p(buf), ==, 0x40000);
    g_assert_cmpuint(lduw_be_p(buf + 12), ==, 1);
    g_assert_cmpuint(lduw_be_p(buf + 14), ==, 2);
    g_assert_cmpmem(buf + 64, 3, "1s1", 3);

    for (int i = 0; i < 3; i++) {
        QCowSnapshot sn;
        size_t used;

        g_assert_cmpint(qcow2_snapshot_parse_entry(buf + pos, size - pos,
                                                   7 << 20, &sn, &used,
                                                   &error_abort), ==, 0);
        g_assert_cmpuint(sn.l1_table_offset, ==, sns[i].l1_table_offset);
        g_assert_cmpuint(sn.l1_size, ==, sns[i].l1_size);
        g_assert_cmpstr(sn.id_str, ==, sns[i].id_str);
        g_assert_cmpstr(sn.name, ==, sns[i].name);
        g_assert_cmpuint(sn.vm_state_size, ==, sns[i].vm_state_size);
        g_assert_cmpuint(sn.disk_size, ==, sns[i].disk_size);
        g_assert_cmpuint(sn.date_sec, ==, sns[i].date_sec);
        g_assert_cmpuint(sn.date_nsec, ==, sns[i].date_nsec);
        g_assert_cmpuint(sn.vm_clock_nsec, ==, sns[i].vm_clock_nsec);
        g_assert_cmpuint(sn.icount, ==, sns[i].icount);
        pos += used;
        g_free(sn.id_str);
        g_free(sn.name);
        g_free(sn.unknown_extra_data);
    }
    g_assert_cmpuint(pos, ==, size);
}

static void test_snapshot_entry_errors(void)
{
    QCowSnapshot sn = {
        .id_str = (char *)"1", .name = (char *)"x",
        .extra_data_size = sizeof(QCowSnapshotExtraData),
    };
    uint8_t buf[128];
    Error *err = NULL;
    size_t used, n = qcow2_snapshot_serialize_entry(&sn, buf);

    /* Truncated entries are refused. */
    g_assert_cmpint(qcow2_snapshot_parse_entry(buf, 20, 0, &sn, &used,
                                               &err), <, 0);
    error_free_or_abort(&err);
    g_assert_cmpint(qcow2_snapshot_parse_entry(buf, n - 8, 0, &sn, &used,
                                               &err), <, 0);
    error_free_or_abort(&err);

    /* So is absurd extra data. */
    stl_be_p(buf + 36, QCOW_MAX_SNAPSHOT_EXTRA_DATA + 1);
    g_assert_cmpint(qcow2_snapshot_parse_entry(buf, sizeof(buf), 0, &sn,
                                               &used, &err), ==, -EFBIG);
    error_free_or_abort(&err);
}

typedef ssize_t CodecFunc(void *, size_t, const void *, size_t);

static void codec_round_trip(CodecFunc *comp, CodecFunc *decomp)
{
    size_t cs = 64 * 1024;
    g_autofree uint8_t *src = g_malloc(cs);
    g_autofree uint8_t *out = g_malloc(cs);
    g_autofree uint8_t *back = g_malloc(cs + 512);
    g_autofree uint8_t *padded = g_malloc0(cs + 1024);
    GRand *r = g_rand_new_with_seed(7);
    ssize_t len;

    /* Compressible: a repeating pattern with some noise. */
    for (size_t i = 0; i < cs; i++) {
        src[i] = (i % 251) ^ ((i % 4096) ? 0 : g_rand_int(r));
    }
    len = comp(out, cs - 1, src, cs);
    g_assert_cmpint(len, >, 0);
    g_assert_cmpint(len, <, cs / 2);
    g_assert_cmpint(decomp(back, cs, out, len), ==, 0);
    g_assert_cmpmem(back, cs, src, cs);

    /* Trailing bytes after the stream (sector padding) are ignored. */
    memcpy(padded, out, len);
    memset(padded + len, 0xa5, 512);
    g_assert_cmpint(decomp(back, cs, padded, len + 512), ==, 0);
    g_assert_cmpmem(back, cs, src, cs);

    /* Cut short, the data cannot fill the cluster. */
    g_assert_cmpint(decomp(back, cs, out, len / 2), ==, -EIO);

    /* Random data does not fit into less than a cluster. */
    for (size_t i = 0; i < cs; i++) {
        src[i] = g_rand_int(r);
    }
    g_assert_cmpint(comp(out, cs - 1, src, cs), ==, -ENOMEM);
    g_rand_free(r);
}

static void test_zlib(void)
{
    codec_round_trip(qcow2_zlib_compress, qcow2_zlib_decompress);
}

static void test_zstd(void)
{
    codec_round_trip(qcow2_zstd_compress, qcow2_zstd_decompress);
}

int main(int argc, char **argv)
{
    qemu_init_main_loop(&error_abort);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qcow2-refcount/widths", test_refcount_widths);
    g_test_add_func("/qcow2-refcount/layout", test_refcount_layout);
    g_test_add_func("/qcow2-refcount/overlap", test_overlap);
    g_test_add_func("/qcow2-refcount/snapshot-table", test_snapshot_table);
    g_test_add_func("/qcow2-refcount/snapshot-entry-errors",
                    test_snapshot_entry_errors);
    g_test_add_func("/qcow2-refcount/zlib", test_zlib);
    g_test_add_func("/qcow2-refcount/zstd", test_zstd);
    return g_test_run();
}
