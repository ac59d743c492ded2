/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qcow2-cache.c: the metadata table caches of qcow2.  One cache holds L2
 * table slices, another refcount blocks.  Each entry is one table (or
 * slice) read from bs->file; callers borrow entries with get/put, mark
 * them dirty after changing them, and the cache writes dirty entries back
 * when it needs the slot, on flush, or when emptied.  A cache may depend
 * on another one (that must be written first) or on a flush of the file.
 * Unused clean entries are dropped periodically (cache-clean-interval).
 * All functions run with s->lock held (or on a quiescent node).
 */

#include "qemu/osdep.h"
#include "qcow2.h"
#include "trace/trace-block.h"

/*
 * Finding an entry: a hash table from table offset to slot (chained
 * through the slots, bucket count a power of two >= the slot count), so
 * a lookup costs O(1) on average whatever the cache size.
 *
 * Choosing a victim: every slot sits on one list ordered by last use,
 * least recently used first; empty slots are put at its front.  A miss
 * takes the first slot on the list that nobody borrows.  Borrowed slots
 * are few (a request holds one or two tables), so the walk is short.
 */

#define NO_SLOT (-1)

typedef struct Qcow2CachedTable {
    int64_t offset;         /* host offset of the table, 0 = slot empty */
    uint64_t lru_counter;   /* last use, for cache-clean-interval */
    int ref;                /* borrowers */
    bool dirty;             /* must be written back */
    int hash_next;          /* next slot in the same hash bucket */
    int lru_prev, lru_next; /* neighbours on the use list */
} Qcow2CachedTable;

struct Qcow2Cache {
    Qcow2CachedTable *entries;
    uint8_t *table_array;   /* size * table_size bytes, aligned */
    struct Qcow2Cache *depends;
    int size;
    int table_size;
    bool depends_on_flush;
    uint64_t lru_counter;
    /* lru_counter at the previous clean run */
    uint64_t cache_clean_lru_counter;
    int *buckets;           /* first slot of each bucket, or NO_SLOT */
    unsigned bucket_mask;   /* bucket count - 1 */
    int lru_first, lru_last;
};

static inline void *cache_table(Qcow2Cache *c, int i)
{
    return c->table_array + (size_t)i * c->table_size;
}

static int cache_index_of(Qcow2Cache *c, void *table)
{
    ptrdiff_t off = (uint8_t *)table - c->table_array;
    int i = off / c->table_size;

    assert(off >= 0 && off % c->table_size == 0 && i < c->size);
    return i;
}

static unsigned cache_bucket(Qcow2Cache *c, uint64_t offset)
{
    /* Tables are table_size aligned: hash the table number. */
    uint64_t n = (offset / c->table_size) * 0x9e3779b97f4a7c15ULL;

    return (n >> 32) & c->bucket_mask;
}

static int cache_lookup(Qcow2Cache *c, uint64_t offset)
{
    int i = c->buckets[cache_bucket(c, offset)];

    while (i != NO_SLOT && c->entries[i].offset != offset) {
        i = c->entries[i].hash_next;
    }
    return i;
}

static void cache_hash_insert(Qcow2Cache *c, int i)
{
    int *head = &c->buckets[cache_bucket(c, c->entries[i].offset)];

    c->entries[i].hash_next = *head;
    *head = i;
}

static void cache_hash_remove(Qcow2Cache *c, int i)
{
    int *link = &c->buckets[cache_bucket(c, c->entries[i].offset)];

    while (*link != i) {
        assert(*link != NO_SLOT);
        link = &c->entries[*link].hash_next;
    }
    *link = c->entries[i].hash_next;
    c->entries[i].hash_next = NO_SLOT;
}

static void lru_unlink(Qcow2Cache *c, int i)
{
    Qcow2CachedTable *e = &c->entries[i];

    if (e->lru_prev != NO_SLOT) {
        c->entries[e->lru_prev].lru_next = e->lru_next;
    } else {
        c->lru_first = e->lru_next;
    }
    if (e->lru_next != NO_SLOT) {
        c->entries[e->lru_next].lru_prev = e->lru_prev;
    } else {
        c->lru_last = e->lru_prev;
    }
}

/* Put slot @i (not on the list) first (@first) or last on the list. */
static void lru_link(Qcow2Cache *c, int i, bool first)
{
    Qcow2CachedTable *e = &c->entries[i];

    if (first) {
        e->lru_prev = NO_SLOT;
        e->lru_next = c->lru_first;
        if (c->lru_first != NO_SLOT) {
            c->entries[c->lru_first].lru_prev = i;
        } else {
            c->lru_last = i;
        }
        c->lru_first = i;
    } else {
        e->lru_next = NO_SLOT;
        e->lru_prev = c->lru_last;
        if (c->lru_last != NO_SLOT) {
            c->entries[c->lru_last].lru_next = i;
        } else {
            c->lru_first = i;
        }
        c->lru_last = i;
    }
}

Qcow2Cache *qcow2_cache_create(BlockDriverState *bs, int num_tables,
                               unsigned table_size)
{
    Qcow2Cache *c;
    unsigned nb_buckets = pow2ceil(num_tables);

    assert(num_tables > 0);
    assert(is_power_of_2(table_size) && table_size >= 512);

    c = g_new0(Qcow2Cache, 1);
    c->size = num_tables;
    c->table_size = table_size;
    c->entries = g_new0(Qcow2CachedTable, num_tables);
    c->table_array = qemu_blockalign(bs->file ? bs->file->bs : bs,
                                     (size_t)num_tables * table_size);
    c->buckets = g_new(int, nb_buckets);
    c->bucket_mask = nb_buckets - 1;
    for (unsigned b = 0; b < nb_buckets; b++) {
        c->buckets[b] = NO_SLOT;
    }
    c->lru_first = c->lru_last = NO_SLOT;
    for (int i = 0; i < num_tables; i++) {
        c->entries[i].hash_next = NO_SLOT;
        lru_link(c, i, false);
    }
    return c;
}

int qcow2_cache_destroy(Qcow2Cache *c)
{
    for (int i = 0; i < c->size; i++) {
        assert(c->entries[i].ref == 0);
    }
    qemu_vfree(c->table_array);
    g_free(c->buckets);
    g_free(c->entries);
    g_free(c);
    return 0;
}

/* Empty slot @i: it becomes the first candidate for the next miss. */
static void cache_drop_entry(Qcow2Cache *c, int i)
{
    if (c->entries[i].offset) {
        cache_hash_remove(c, i);
    }
    lru_unlink(c, i);
    lru_link(c, i, true);
    c->entries[i].offset = 0;
    c->entries[i].lru_counter = 0;
    c->entries[i].dirty = false;
}

/* Write back entry @i if it is dirty, honouring the dependencies. */
static int GRAPH_RDLOCK cache_entry_flush(BlockDriverState *bs, Qcow2Cache *c,
                                          int i)
{
    BDRVQcow2State *s = bs->opaque;
    int ret;
    int ign;

    if (!c->entries[i].dirty || !c->entries[i].offset) {
        return 0;
    }
    trace_qcow2_cache_entry_flush(qemu_coroutine_self(),
                                  c == s->l2_table_cache, i);

    if (c->depends) {
        Qcow2Cache *dep = c->depends;

        ret = qcow2_cache_flush(bs, dep);
        if (ret < 0) {
            return ret;
        }
        c->depends = NULL;
        c->depends_on_flush = false;
    } else if (c->depends_on_flush) {
        ret = bdrv_flush(bs->file->bs);
        if (ret < 0) {
            return ret;
        }
        c->depends_on_flush = false;
    }

    ign = c == s->refcount_block_cache ? QCOW2_OL_REFCOUNT_BLOCK
                                       : QCOW2_OL_ACTIVE_L2;
    ret = qcow2_pre_write_overlap_check(bs, ign, c->entries[i].offset,
                                        c->table_size, false);
    if (ret < 0) {
        return ret;
    }

    ret = bdrv_pwrite(bs->file, c->entries[i].offset, c->table_size,
                      cache_table(c, i), 0);
    if (ret < 0) {
        return ret;
    }
    c->entries[i].dirty = false;
    return 0;
}

int qcow2_cache_write(BlockDriverState *bs, Qcow2Cache *c)
{
    int result = 0;

    trace_qcow2_cache_flush(qemu_coroutine_self(),
        c == ((BDRVQcow2State *)bs->opaque)->l2_table_cache);
    for (int i = 0; i < c->size; i++) {
        int ret = cache_entry_flush(bs, c, i);
        if (ret < 0 && result != -ENOSPC) {
            result = ret;
        }
    }
    return result;
}

int qcow2_cache_flush(BlockDriverState *bs, Qcow2Cache *c)
{
    int result = qcow2_cache_write(bs, c);

    if (result == 0) {
        int ret = bdrv_flush(bs->file->bs);
        if (ret < 0) {
            result = ret;
        }
    }
    return result;
}

int qcow2_cache_set_dependency(BlockDriverState *bs, Qcow2Cache *c,
                               Qcow2Cache *dependency)
{
    int ret;

    /* A chain of dependencies is cut by writing the inner one now. */
    if (dependency->depends) {
        ret = qcow2_cache_flush(bs, dependency->depends);
        if (ret < 0) {
            return ret;
        }
        dependency->depends = NULL;
    }

    if (c->depends && c->depends != dependency) {
        ret = qcow2_cache_flush(bs, c->depends);
        if (ret < 0) {
            return ret;
        }
        c->depends = NULL;
    }

    c->depends = dependency;
    return 0;
}

void qcow2_cache_depends_on_flush(Qcow2Cache *c)
{
    c->depends_on_flush = true;
}

void qcow2_cache_clean_unused(Qcow2Cache *c)
{
    for (int i = 0; i < c->size; i++) {
        Qcow2CachedTable *e = &c->entries[i];

        if (e->offset && e->ref == 0 && !e->dirty &&
            e->lru_counter <= c->cache_clean_lru_counter) {
            cache_drop_entry(c, i);
        }
    }
    c->cache_clean_lru_counter = c->lru_counter;
}

int qcow2_cache_empty(BlockDriverState *bs, Qcow2Cache *c)
{
    int ret = qcow2_cache_flush(bs, c);

    if (ret < 0) {
        return ret;
    }
    for (int i = 0; i < c->size; i++) {
        assert(c->entries[i].ref == 0);
        cache_drop_entry(c, i);
    }
    c->lru_counter = 0;
    return 0;
}

/* Slot for @offset: a hit, or the least recently used free slot. */
static int cache_find_slot(Qcow2Cache *c, uint64_t offset, bool *hit)
{
    int i = cache_lookup(c, offset);

    *hit = i != NO_SLOT;
    if (*hit) {
        return i;
    }
    for (i = c->lru_first; i != NO_SLOT; i = c->entries[i].lru_next) {
        if (c->entries[i].ref == 0) {
            return i;
        }
    }
    return NO_SLOT;
}

static int GRAPH_RDLOCK cache_do_get(BlockDriverState *bs, Qcow2Cache *c,
                                     uint64_t offset, void **table,
                                     bool read_from_disk)
{
    BDRVQcow2State *s = bs->opaque;
    bool hit;
    int i, ret;

    trace_qcow2_cache_get(qemu_coroutine_self(), c == s->l2_table_cache,
                          offset, read_from_disk);
    assert(offset != 0);
    if (!QEMU_IS_ALIGNED(offset, c->table_size)) {
        qcow2_signal_corruption(bs, true, offset, c->table_size,
                                "Cannot get entry from %s cache: offset %#"
                                PRIx64 " is unaligned",
                                c == s->l2_table_cache ? "L2" : "refcount",
                                offset);
        return -EIO;
    }

    i = cache_find_slot(c, offset, &hit);
    if (!hit) {
        if (i < 0) {
            /* Every slot is borrowed: cannot happen with MIN_*_CACHE_SIZE */
            return -ENOSPC;
        }
        trace_qcow2_cache_get_replace_entry(qemu_coroutine_self(),
                                            c == s->l2_table_cache, i);
        ret = cache_entry_flush(bs, c, i);
        if (ret < 0) {
            return ret;
        }
        cache_drop_entry(c, i);
        if (read_from_disk) {
            trace_qcow2_cache_get_read(qemu_coroutine_self(),
                                       c == s->l2_table_cache, i);
            ret = bdrv_pread(bs->file, offset, c->table_size,
                             cache_table(c, i), 0);
            if (ret < 0) {
                return ret;
            }
        }
        c->entries[i].offset = offset;
        cache_hash_insert(c, i);
    }

    c->entries[i].ref++;
    c->entries[i].lru_counter = ++c->lru_counter;
    lru_unlink(c, i);
    lru_link(c, i, false);
    trace_qcow2_cache_get_done(qemu_coroutine_self(),
                               c == s->l2_table_cache, i);
    *table = cache_table(c, i);
    return 0;
}

int qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c, uint64_t offset,
                    void **table)
{
    return cache_do_get(bs, c, offset, table, true);
}

int qcow2_cache_get_empty(BlockDriverState *bs, Qcow2Cache *c,
                          uint64_t offset, void **table)
{
    return cache_do_get(bs, c, offset, table, false);
}

void qcow2_cache_put(Qcow2Cache *c, void **table)
{
    int i = cache_index_of(c, *table);

    c->entries[i].ref--;
    *table = NULL;
    assert(c->entries[i].ref >= 0);
}

void qcow2_cache_entry_mark_dirty(Qcow2Cache *c, void *table)
{
    int i = cache_index_of(c, table);

    assert(c->entries[i].offset != 0);
    c->entries[i].dirty = true;
}

void *qcow2_cache_is_table_offset(Qcow2Cache *c, uint64_t offset)
{
    int i = offset ? cache_lookup(c, offset) : NO_SLOT;

    return i == NO_SLOT ? NULL : cache_table(c, i);
}

bool qcow2_cache_in_use(Qcow2Cache *c, void *table)
{
    return c->entries[cache_index_of(c, table)].ref > 0;
}

void qcow2_cache_discard(Qcow2Cache *c, void *table)
{
    int i = cache_index_of(c, table);

    assert(c->entries[i].ref == 0);
    cache_drop_entry(c, i);
}
