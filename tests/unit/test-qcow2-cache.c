/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The qcow2 metadata cache (block/qcow2-cache.c) on its own, with caches
 * of 512-byte tables created beside the real ones of an open qcow2 image
 * and tables placed past the image's metadata: hits and misses, least
 * recently used eviction (borrowed tables stay), a long random run
 * against a simple model of the cache, write-back of dirty tables on
 * eviction and on request, and the order that a dependency between two
 * caches imposes.
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qemu/main-loop.h"
#include "qemu/option.h"
#include "block/block_int.h"
#include "sysemu/block-backend.h"
#include "../../block/qcow2.h"

#define TSIZE 512
/* Far past the metadata of a fresh 64 MiB image. */
#define TBASE (16 * 1024 * 1024)

static char *test_dir;
static BlockBackend *blk;
static BlockDriverState *bs;

static uint64_t toff(int n)
{
    return TBASE + (uint64_t)n * TSIZE;
}

/* Table @n on disk: its first 8 bytes say @n and @gen, the rest @gen. */
static void disk_put(int n, uint8_t gen)
{
    uint8_t buf[TSIZE];

    memset(buf, gen, sizeof(buf));
    stl_be_p(buf, n);
    g_assert_cmpint(bdrv_pwrite(bs->file, toff(n), TSIZE, buf, 0), ==, 0);
}

static void check_table(const uint8_t *t, int n, uint8_t gen)
{
    g_assert_cmpint(ldl_be_p(t), ==, n);
    for (int i = 4; i < TSIZE; i++) {
        g_assert_cmpint(t[i], ==, gen);
    }
}

static void check_disk(int n, uint8_t gen)
{
    uint8_t buf[TSIZE];

    g_assert_cmpint(bdrv_pread(bs->file, toff(n), TSIZE, buf, 0), ==, 0);
    check_table(buf, n, gen);
}

static uint8_t * GRAPH_RDLOCK get(Qcow2Cache *c, int n)
{
    void *t = NULL;

    g_assert_cmpint(qcow2_cache_get(bs, c, toff(n), &t), ==, 0);
    g_assert_nonnull(t);
    return t;
}

static void put(Qcow2Cache *c, uint8_t *t)
{
    void *p = t;

    qcow2_cache_put(c, &p);
    g_assert_null(p);
}

/* Borrow table @n, check what it holds and give it back. */
static void GRAPH_RDLOCK touch(Qcow2Cache *c, int n, uint8_t gen)
{
    uint8_t *t = get(c, n);

    check_table(t, n, gen);
    put(c, t);
}

static bool cached(Qcow2Cache *c, int n)
{
    return qcow2_cache_is_table_offset(c, toff(n)) != NULL;
}

static void GRAPH_RDLOCK test_hit_miss(void)
{
    Qcow2Cache *c = qcow2_cache_create(bs, 4, TSIZE);
    uint8_t *t0, *t1;

    for (int n = 0; n < 4; n++) {
        disk_put(n, 0x10 + n);
    }
    g_assert_false(cached(c, 0));
    t0 = get(c, 0);                     /* miss: read from disk */
    check_table(t0, 0, 0x10);
    put(c, t0);
    g_assert_true(qcow2_cache_is_table_offset(c, toff(0)) == t0);

    disk_put(0, 0x99);                  /* the cache does not look again */
    t1 = get(c, 0);
    g_assert_true(t1 == t0);
    check_table(t1, 0, 0x10);
    put(c, t1);

    for (int n = 1; n < 4; n++) {
        touch(c, n, 0x10 + n);
    }
    for (int n = 0; n < 4; n++) {
        g_assert_true(cached(c, n));
    }
    g_assert_false(cached(c, 4));

    /* A discarded table is read again. */
    qcow2_cache_discard(c, qcow2_cache_is_table_offset(c, toff(0)));
    g_assert_false(cached(c, 0));
    touch(c, 0, 0x99);
    g_assert_cmpint(qcow2_cache_destroy(c), ==, 0);
}

static void GRAPH_RDLOCK test_lru(void)
{
    Qcow2Cache *c = qcow2_cache_create(bs, 3, TSIZE);
    uint8_t *a, *held[3];
    void *t;

    for (int n = 0; n < 8; n++) {
        disk_put(n, n);
    }
    touch(c, 0, 0);
    touch(c, 1, 1);
    touch(c, 2, 2);
    touch(c, 0, 0);                     /* 1 is now the oldest */
    touch(c, 3, 3);
    g_assert_false(cached(c, 1));
    g_assert_true(cached(c, 0) && cached(c, 2) && cached(c, 3));
    touch(c, 4, 4);                     /* then 2 */
    g_assert_false(cached(c, 2));
    g_assert_true(cached(c, 0) && cached(c, 3) && cached(c, 4));

    /* A borrowed table is never the victim, however old. */
    a = get(c, 0);
    touch(c, 5, 5);
    touch(c, 6, 6);
    touch(c, 7, 7);
    g_assert_true(cached(c, 0));
    g_assert_false(cached(c, 3) || cached(c, 4) || cached(c, 5));
    put(c, a);
    touch(c, 1, 1);                     /* now 0 goes */
    g_assert_false(cached(c, 0));

    /* Every slot borrowed: a miss fails. */
    for (int n = 0; n < 3; n++) {
        held[n] = get(c, n + 1);
    }
    g_assert_cmpint(qcow2_cache_get(bs, c, toff(0), &t), ==, -ENOSPC);
    for (int n = 0; n < 3; n++) {
        put(c, held[n]);
    }

    /* An emptied slot is taken before any cached table is evicted. */
    qcow2_cache_discard(c, qcow2_cache_is_table_offset(c, toff(2)));
    touch(c, 0, 0);
    g_assert_true(cached(c, 0) && cached(c, 1) && cached(c, 3));
    g_assert_cmpint(qcow2_cache_destroy(c), ==, 0);
}

/*
 * The model: which table each slot holds, when it was last used and how
 * many borrow it.  On a miss an empty slot is taken if there is one,
 * else the unborrowed slot used longest ago.
 */
#define MSLOTS 16
#define MTABLES 64

typedef struct Model {
    int table[MSLOTS];          /* -1: empty */
    uint64_t used[MSLOTS];
    int ref[MSLOTS];
    uint64_t clock;
    uint64_t clean_clock;
} Model;

static int model_find(Model *m, int n)
{
    for (int i = 0; i < MSLOTS; i++) {
        if (m->table[i] == n) {
            return i;
        }
    }
    return -1;
}

static int model_get(Model *m, int n)
{
    int i = model_find(m, n);

    if (i < 0) {
        for (int j = 0; j < MSLOTS; j++) {
            if (m->table[j] < 0) {
                i = j;
                break;
            }
            if (!m->ref[j] && (i < 0 || m->used[j] < m->used[i])) {
                i = j;
            }
        }
        g_assert_cmpint(i, >=, 0);
        m->table[i] = n;
    }
    m->ref[i]++;
    m->used[i] = ++m->clock;
    return i;
}

static void model_compare(Model *m, Qcow2Cache *c)
{
    for (int n = 0; n < MTABLES; n++) {
        g_assert_cmpint(cached(c, n), ==, model_find(m, n) >= 0);
    }
}

static void GRAPH_RDLOCK test_model(void)
{
    Qcow2Cache *c = qcow2_cache_create(bs, MSLOTS, TSIZE);
    GRand *rand = g_rand_new_with_seed(20261125);
    uint8_t *held[MSLOTS];
    int held_n[MSLOTS], nheld = 0;
    Model m = { .clock = 0 };

    for (int i = 0; i < MSLOTS; i++) {
        m.table[i] = -1;
    }
    for (int n = 0; n < MTABLES; n++) {
        disk_put(n, 0x40);
    }
    for (int step = 0; step < 20000; step++) {
        int op = g_rand_int_range(rand, 0, 100);
        /* Mostly a working set of 20 tables, sometimes any of them. */
        int n = op < 80 ? g_rand_int_range(rand, 0, 20)
                        : g_rand_int_range(rand, 0, MTABLES);

        if (op < 85) {
            touch(c, n, 0x40);
            m.ref[model_get(&m, n)]--;
        } else if (op < 92 && nheld < 4) {
            held[nheld] = get(c, n);
            check_table(held[nheld], n, 0x40);
            held_n[nheld++] = model_get(&m, n);
        } else if (op < 97 && nheld > 0) {
            nheld--;
            put(c, held[nheld]);
            m.ref[held_n[nheld]]--;
        } else if (op < 99) {
            int i = model_find(&m, n);

            if (i >= 0 && !m.ref[i]) {
                qcow2_cache_discard(c, qcow2_cache_is_table_offset(c,
                                                                   toff(n)));
                m.table[i] = -1;
            }
        } else {
            qcow2_cache_clean_unused(c);
            for (int i = 0; i < MSLOTS; i++) {
                if (m.table[i] >= 0 && !m.ref[i] &&
                    m.used[i] <= m.clean_clock) {
                    m.table[i] = -1;
                }
            }
            m.clean_clock = m.clock;
        }
        model_compare(&m, c);
    }
    while (nheld > 0) {
        put(c, held[--nheld]);
    }
    g_rand_free(rand);
    g_assert_cmpint(qcow2_cache_destroy(c), ==, 0);
}

/* Borrow table @n, change it to @gen and mark it dirty. */
static void GRAPH_RDLOCK dirty(Qcow2Cache *c, int n, uint8_t gen)
{
    uint8_t *t = get(c, n);

    memset(t + 4, gen, TSIZE - 4);
    qcow2_cache_entry_mark_dirty(c, t);
    put(c, t);
}

static void GRAPH_RDLOCK test_write_back(void)
{
    Qcow2Cache *c = qcow2_cache_create(bs, 2, TSIZE);

    for (int n = 0; n < 4; n++) {
        disk_put(n, 1);
    }
    dirty(c, 0, 2);
    dirty(c, 1, 2);
    check_disk(0, 1);                   /* not written yet */
    check_disk(1, 1);
    touch(c, 0, 2);                     /* 1 is now the oldest */
    touch(c, 2, 1);                     /* evicts 1: written back */
    check_disk(1, 2);
    check_disk(0, 1);
    touch(c, 1, 2);                     /* read back as written */

    g_assert_cmpint(qcow2_cache_write(bs, c), ==, 0);
    check_disk(0, 2);
    /* Clean now: dropping it writes nothing. */
    disk_put(0, 7);
    g_assert_cmpint(qcow2_cache_empty(bs, c), ==, 0);
    check_disk(0, 7);
    g_assert_false(cached(c, 0) || cached(c, 1) || cached(c, 2));
    g_assert_cmpint(qcow2_cache_destroy(c), ==, 0);
}

static void GRAPH_RDLOCK test_dependency(void)
{
    Qcow2Cache *l2 = qcow2_cache_create(bs, 1, TSIZE);
    Qcow2Cache *rc = qcow2_cache_create(bs, 4, TSIZE);
    Qcow2Cache *rc2 = qcow2_cache_create(bs, 4, TSIZE);

    for (int n = 0; n < 8; n++) {
        disk_put(n, 1);
    }

    /* Without a dependency an eviction writes only its own table. */
    dirty(rc, 0, 2);
    dirty(l2, 4, 2);
    touch(l2, 5, 1);
    check_disk(4, 2);
    check_disk(0, 1);

    /* With one, the other cache is written first (all of it). */
    dirty(rc, 1, 2);
    dirty(l2, 5, 3);
    g_assert_cmpint(qcow2_cache_set_dependency(bs, l2, rc), ==, 0);
    check_disk(0, 1);
    touch(l2, 6, 1);
    check_disk(0, 2);
    check_disk(1, 2);
    check_disk(5, 3);

    /* The dependency is gone once honoured. */
    dirty(rc, 2, 2);
    dirty(l2, 6, 2);
    touch(l2, 7, 1);
    check_disk(6, 2);
    check_disk(2, 1);

    /*
     * A chain is cut when made: l2 -> rc while rc -> rc2 writes rc2
     * out at once, and flushing l2 then writes rc before l2.
     */
    dirty(rc2, 3, 5);
    g_assert_cmpint(qcow2_cache_set_dependency(bs, rc, rc2), ==, 0);
    g_assert_cmpint(qcow2_cache_set_dependency(bs, l2, rc), ==, 0);
    check_disk(3, 5);
    dirty(l2, 7, 6);
    g_assert_cmpint(qcow2_cache_write(bs, l2), ==, 0);
    check_disk(2, 2);
    check_disk(7, 6);

    g_assert_cmpint(qcow2_cache_destroy(l2), ==, 0);
    g_assert_cmpint(qcow2_cache_destroy(rc), ==, 0);
    g_assert_cmpint(qcow2_cache_destroy(rc2), ==, 0);
}

/* Run @fn with the graph read-locked, as the cache's callers are. */
static void locked(gconstpointer data)
{
    void (*fn)(void) = data;

    bdrv_graph_rdlock_main_loop();
    fn();
    bdrv_graph_rdunlock_main_loop();
}

static void open_image(void)
{
    g_autofree char *path = g_build_filename(test_dir, "t.qcow2", NULL);
    BlockDriver *drv = bdrv_find_format("qcow2");
    QemuOpts *opts;
    QDict *o = qdict_new();

    opts = qemu_opts_create(drv->create_opts, NULL, 0, &error_abort);
    qemu_opt_set(opts, BLOCK_OPT_SIZE, "64M", &error_abort);
    g_assert_cmpint(bdrv_create(drv, path, opts, &error_abort), ==, 0);
    qemu_opts_del(opts);
    qdict_put_str(o, "driver", "qcow2");
    blk = blk_new_open(path, NULL, o, BDRV_O_RDWR | BDRV_O_NO_FLUSH,
                       &error_abort);
    bs = blk_bs(blk);
}

int main(int argc, char **argv)
{
    g_autofree char *path = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    bdrv_init();
    qemu_init_main_loop(&error_abort);
    test_dir = g_dir_make_tmp("test-qcow2-cache-XXXXXX", NULL);
    g_assert_nonnull(test_dir);
    open_image();

#define ADD(name, fn) \
    g_test_add_data_func("/qcow2-cache/" name, (gconstpointer)fn, locked)
    ADD("hit-miss", test_hit_miss);
    ADD("lru", test_lru);
    ADD("model", test_model);
    ADD("write-back", test_write_back);
    ADD("dependency", test_dependency);
    ret = g_test_run();

    blk_unref(blk);
    path = g_build_filename(test_dir, "t.qcow2", NULL);
    unlink(path);
    rmdir(test_dir);
    g_free(test_dir);
    return ret;
}
