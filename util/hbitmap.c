/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hierarchical bitmaps (see include/qemu/hbitmap.h).  Level nlevels - 1
 * is the bit array proper, one bit per granule; every level above has one
 * bit per 64-bit word of the level below, set exactly while that word is
 * non-zero; level 0 is a single word.  Searches for set bits climb the
 * summary levels to jump over empty words; updates fix the summaries of
 * the words whose emptiness changed.  Bits past the last granule are
 * always clear.
 */

#include "qemu/osdep.h"
#include "qemu/hbitmap.h"
#include "qemu/host-utils.h"
#include "qemu/bswap.h"

#define HB_MAX_LEVELS 12

struct HBitmap {
    uint64_t size;          /* items */
    int granularity;        /* log2 of items per bit */
    uint64_t nbits;         /* bits of the bottom level */
    uint64_t count;         /* set bits of the bottom level */
    int nlevels;
    uint64_t nwords[HB_MAX_LEVELS];
    uint64_t *level[HB_MAX_LEVELS];
};

static inline int bottom(const HBitmap *hb)
{
    return hb->nlevels - 1;
}

/* Mask of bits [@lo, @hi] (0..63) inside one word. */
static inline uint64_t word_mask(unsigned lo, unsigned hi)
{
    uint64_t m = ~0ULL << lo;

    return hi == 63 ? m : m & ((2ULL << hi) - 1);
}

/* Size the levels for hb->nbits bits and allocate them cleared. */
static void hb_alloc_levels(HBitmap *hb)
{
    uint64_t words = MAX(DIV_ROUND_UP(hb->nbits, 64), 1);
    uint64_t sizes[HB_MAX_LEVELS];
    int n = 0;

    for (;;) {
        assert(n < HB_MAX_LEVELS);
        sizes[n++] = words;
        if (words == 1) {
            break;
        }
        words = DIV_ROUND_UP(words, 64);
    }
    hb->nlevels = n;
    for (int i = 0; i < n; i++) {
        /* sizes[] runs bottom-up; levels run top-down. */
        hb->nwords[i] = sizes[n - 1 - i];
        hb->level[i] = g_new0(uint64_t, hb->nwords[i]);
    }
}

static void hb_free_levels(HBitmap *hb)
{
    for (int i = 0; i < hb->nlevels; i++) {
        g_free(hb->level[i]);
        hb->level[i] = NULL;
    }
    hb->nlevels = 0;
}

/* Recompute the count and every summary level from the bottom level. */
static void hb_rebuild(HBitmap *hb)
{
    int b = bottom(hb);

    hb->count = 0;
    for (uint64_t w = 0; w < hb->nwords[b]; w++) {
        hb->count += ctpop64(hb->level[b][w]);
    }
    for (int l = b - 1; l >= 0; l--) {
        memset(hb->level[l], 0, hb->nwords[l] * sizeof(uint64_t));
        for (uint64_t w = 0; w < hb->nwords[l + 1]; w++) {
            if (hb->level[l + 1][w]) {
                hb->level[l][w / 64] |= 1ULL << (w % 64);
            }
        }
    }
}

/* Set bits [@first, @last] of level @l and mark the words above. */
static void hb_set_bits(HBitmap *hb, int l, uint64_t first, uint64_t last)
{
    uint64_t fw = first / 64, lw = last / 64;

    for (uint64_t w = fw; w <= lw; w++) {
        unsigned lo = w == fw ? first % 64 : 0;
        unsigned hi = w == lw ? last % 64 : 63;
        uint64_t old = hb->level[l][w];

        hb->level[l][w] = old | word_mask(lo, hi);
        if (l == bottom(hb)) {
            hb->count += ctpop64(hb->level[l][w]) - ctpop64(old);
        }
    }
    if (l > 0) {
        hb_set_bits(hb, l - 1, fw, lw);
    }
}

/* Clear bits [@first, @last] of level @l; unmark words that emptied. */
static void hb_clear_bits(HBitmap *hb, int l, uint64_t first, uint64_t last)
{
    uint64_t fw = first / 64, lw = last / 64;

    for (uint64_t w = fw; w <= lw; w++) {
        unsigned lo = w == fw ? first % 64 : 0;
        unsigned hi = w == lw ? last % 64 : 63;
        uint64_t old = hb->level[l][w];

        hb->level[l][w] = old & ~word_mask(lo, hi);
        if (l == bottom(hb)) {
            hb->count -= ctpop64(old) - ctpop64(hb->level[l][w]);
        }
    }
    if (l == 0) {
        return;
    }
    /* Only the end words can still hold bits; the middle ones are empty. */
    if (hb->level[l][fw]) {
        fw++;
    }
    if (lw >= fw && hb->level[l][lw]) {
        if (lw == 0) {
            return;
        }
        lw--;
    }
    if (fw <= lw) {
        hb_clear_bits(hb, l - 1, fw, lw);
    }
}

/* First set bit >= @bit in level @l, or -1. */
static int64_t hb_next_set(const HBitmap *hb, int l, uint64_t bit)
{
    uint64_t w = bit / 64;
    uint64_t cur;
    int64_t nw;

    if (w >= hb->nwords[l]) {
        return -1;
    }
    cur = hb->level[l][w] & (~0ULL << (bit % 64));
    if (cur) {
        return w * 64 + ctz64(cur);
    }
    if (l == 0) {
        return -1;
    }
    /* The level above tells which following word is non-empty. */
    nw = hb_next_set(hb, l - 1, w + 1);
    if (nw < 0) {
        return -1;
    }
    return nw * 64 + ctz64(hb->level[l][nw]);
}

/* First clear bit of the bottom level in [@bit, @end_bit), or -1. */
static int64_t hb_next_clear(const HBitmap *hb, uint64_t bit,
                             uint64_t end_bit)
{
    const uint64_t *words = hb->level[bottom(hb)];

    while (bit < end_bit) {
        uint64_t cur = ~words[bit / 64] & (~0ULL << (bit % 64));

        if (cur) {
            uint64_t found = (bit / 64) * 64 + ctz64(cur);

            return found < end_bit ? found : -1;
        }
        bit = (bit / 64 + 1) * 64;
    }
    return -1;
}

HBitmap *hbitmap_alloc(uint64_t size, int granularity)
{
    HBitmap *hb = g_new0(HBitmap, 1);

    assert(granularity >= 0 && granularity <= 57);
    hb->size = size;
    hb->granularity = granularity;
    hb->nbits = DIV_ROUND_UP(size, 1ULL << granularity);
    hb_alloc_levels(hb);
    return hb;
}

void hbitmap_free(HBitmap *hb)
{
    if (hb) {
        hb_free_levels(hb);
        g_free(hb);
    }
}

HBitmap *hbitmap_copy(const HBitmap *hb)
{
    HBitmap *c = hbitmap_alloc(hb->size, hb->granularity);

    for (int l = 0; l < hb->nlevels; l++) {
        memcpy(c->level[l], hb->level[l], hb->nwords[l] * sizeof(uint64_t));
    }
    c->count = hb->count;
    return c;
}

int hbitmap_granularity(const HBitmap *hb)
{
    return hb->granularity;
}

uint64_t hbitmap_size(const HBitmap *hb)
{
    return hb->size;
}

uint64_t hbitmap_count(const HBitmap *hb)
{
    return hb->count << hb->granularity;
}

bool hbitmap_is_empty(const HBitmap *hb)
{
    return hb->count == 0;
}

void hbitmap_set(HBitmap *hb, uint64_t start, uint64_t count)
{
    if (!count) {
        return;
    }
    assert(start < hb->size && count <= hb->size - start);
    hb_set_bits(hb, bottom(hb), start >> hb->granularity,
                (start + count - 1) >> hb->granularity);
}

void hbitmap_reset(HBitmap *hb, uint64_t start, uint64_t count)
{
    uint64_t gran = 1ULL << hb->granularity;

    if (!count) {
        return;
    }
    assert(start < hb->size && count <= hb->size - start);
    assert(QEMU_IS_ALIGNED(start, gran));
    assert(QEMU_IS_ALIGNED(count, gran) || start + count == hb->size);
    hb_clear_bits(hb, bottom(hb), start >> hb->granularity,
                  (start + count - 1) >> hb->granularity);
}

void hbitmap_reset_all(HBitmap *hb)
{
    for (int l = 0; l < hb->nlevels; l++) {
        memset(hb->level[l], 0, hb->nwords[l] * sizeof(uint64_t));
    }
    hb->count = 0;
}

bool hbitmap_get(const HBitmap *hb, uint64_t item)
{
    uint64_t bit = item >> hb->granularity;

    assert(bit < hb->nbits);
    return hb->level[bottom(hb)][bit / 64] & (1ULL << (bit % 64));
}

/* End (exclusive, in items) of [@start, @start + @count) inside @hb. */
static uint64_t range_end(const HBitmap *hb, int64_t start, int64_t count)
{
    return (uint64_t)count >= hb->size - start ? hb->size : start + count;
}

int64_t hbitmap_next_dirty(const HBitmap *hb, int64_t start, int64_t count)
{
    uint64_t end;
    int64_t bit;

    assert(start >= 0 && count >= 0);
    if ((uint64_t)start >= hb->size || !count) {
        return -1;
    }
    end = range_end(hb, start, count);
    bit = hb_next_set(hb, bottom(hb), start >> hb->granularity);
    if (bit < 0 || ((uint64_t)bit << hb->granularity) >= end) {
        return -1;
    }
    return MAX((int64_t)((uint64_t)bit << hb->granularity), start);
}

int64_t hbitmap_next_zero(const HBitmap *hb, int64_t start, int64_t count)
{
    uint64_t end;
    int64_t bit;

    assert(start >= 0 && count >= 0);
    if ((uint64_t)start >= hb->size || !count) {
        return -1;
    }
    end = range_end(hb, start, count);
    bit = hb_next_clear(hb, start >> hb->granularity,
                        ((end - 1) >> hb->granularity) + 1);
    if (bit < 0) {
        return -1;
    }
    return MAX((int64_t)((uint64_t)bit << hb->granularity), start);
}

bool hbitmap_next_dirty_area(const HBitmap *hb, int64_t start, int64_t end,
                             int64_t max_dirty_count, int64_t *dirty_start,
                             int64_t *dirty_count)
{
    int64_t first, stop;

    assert(start >= 0 && max_dirty_count > 0);
    end = MIN((uint64_t)end, hb->size);
    if (start >= end) {
        return false;
    }
    first = hbitmap_next_dirty(hb, start, end - start);
    if (first < 0) {
        return false;
    }
    max_dirty_count = MIN(max_dirty_count, end - first);
    stop = hbitmap_next_zero(hb, first, max_dirty_count);
    if (stop < 0) {
        stop = first + max_dirty_count;
    }
    *dirty_start = first;
    *dirty_count = stop - first;
    return true;
}

void hbitmap_iter_init(HBitmapIter *hbi, const HBitmap *hb, uint64_t first)
{
    hbi->hb = hb;
    hbi->next_bit = first >> hb->granularity;
}

int64_t hbitmap_iter_next(HBitmapIter *hbi)
{
    const HBitmap *hb = hbi->hb;
    int64_t bit = hb_next_set(hb, bottom(hb), hbi->next_bit);

    if (bit < 0) {
        return -1;
    }
    hbi->next_bit = bit + 1;
    return (uint64_t)bit << hb->granularity;
}

/* Keep the bits past the last granule clear. */
static void clip_tail(HBitmap *hb)
{
    uint64_t last = hb->nwords[bottom(hb)] - 1;

    if (hb->nbits == 0) {
        hb->level[bottom(hb)][0] = 0;
    } else if (hb->nbits % 64) {
        hb->level[bottom(hb)][last] &= word_mask(0, hb->nbits % 64 - 1);
    }
}

void hbitmap_truncate(HBitmap *hb, uint64_t size)
{
    HBitmap old = *hb;
    uint64_t keep;

    hb->size = size;
    hb->nbits = DIV_ROUND_UP(size, 1ULL << hb->granularity);
    hb_alloc_levels(hb);
    keep = MIN(old.nwords[bottom(&old)], hb->nwords[bottom(hb)]);
    memcpy(hb->level[bottom(hb)], old.level[bottom(&old)],
           keep * sizeof(uint64_t));
    hb_free_levels(&old);
    clip_tail(hb);
    hb_rebuild(hb);
}

bool hbitmap_can_merge(const HBitmap *a, const HBitmap *b)
{
    return a->size == b->size;
}

/* @dst |= @src (same size). */
static void hb_or_into(HBitmap *dst, const HBitmap *src)
{
    int64_t pos = 0, len;

    if (dst->granularity == src->granularity) {
        for (uint64_t w = 0; w < dst->nwords[bottom(dst)]; w++) {
            dst->level[bottom(dst)][w] |= src->level[bottom(src)][w];
        }
        hb_rebuild(dst);
        return;
    }
    while (hbitmap_next_dirty_area(src, pos, src->size, INT64_MAX,
                                   &pos, &len)) {
        hbitmap_set(dst, pos, len);
        pos += len;
    }
}

bool hbitmap_merge(const HBitmap *a, const HBitmap *b, HBitmap *result)
{
    if (!hbitmap_can_merge(a, b) || !hbitmap_can_merge(a, result)) {
        return false;
    }
    if (result == a) {
        hb_or_into(result, b);
    } else if (result == b) {
        hb_or_into(result, a);
    } else {
        hbitmap_reset_all(result);
        hb_or_into(result, a);
        hb_or_into(result, b);
    }
    return true;
}

uint64_t hbitmap_serialization_align(const HBitmap *hb)
{
    return 64ULL << hb->granularity;
}

/* Bottom-level words [*@fw, *@lw] holding the part; false if empty. */
static bool part_words(const HBitmap *hb, uint64_t start, uint64_t count,
                       uint64_t *fw, uint64_t *lw)
{
    if (!count) {
        return false;
    }
    assert(QEMU_IS_ALIGNED(start, hbitmap_serialization_align(hb)));
    assert(start < hb->size && count <= hb->size - start);
    assert(QEMU_IS_ALIGNED(count, hbitmap_serialization_align(hb)) ||
           start + count == hb->size);
    *fw = (start >> hb->granularity) / 64;
    *lw = ((start + count - 1) >> hb->granularity) / 64;
    return true;
}

uint64_t hbitmap_serialization_size(const HBitmap *hb, uint64_t start,
                                    uint64_t count)
{
    uint64_t fw, lw;

    if (!part_words(hb, start, count, &fw, &lw)) {
        return 0;
    }
    return (lw - fw + 1) * sizeof(uint64_t);
}

void hbitmap_serialize_part(const HBitmap *hb, uint8_t *buf, uint64_t start,
                            uint64_t count)
{
    uint64_t fw, lw;

    if (!part_words(hb, start, count, &fw, &lw)) {
        return;
    }
    for (uint64_t w = fw; w <= lw; w++) {
        uint64_t v = cpu_to_le64(hb->level[bottom(hb)][w]);

        memcpy(buf + (w - fw) * sizeof(v), &v, sizeof(v));
    }
}

void hbitmap_deserialize_part(HBitmap *hb, const uint8_t *buf, uint64_t start,
                              uint64_t count, bool finish)
{
    uint64_t fw, lw;

    if (part_words(hb, start, count, &fw, &lw)) {
        for (uint64_t w = fw; w <= lw; w++) {
            uint64_t v;

            memcpy(&v, buf + (w - fw) * sizeof(v), sizeof(v));
            hb->level[bottom(hb)][w] = le64_to_cpu(v);
        }
        clip_tail(hb);
    }
    if (finish) {
        hbitmap_deserialize_finish(hb);
    }
}

/* Fill the bottom words of a part with @v. */
static void deserialize_fill(HBitmap *hb, uint64_t start, uint64_t count,
                             uint64_t v, bool finish)
{
    uint64_t fw, lw;

    if (part_words(hb, start, count, &fw, &lw)) {
        for (uint64_t w = fw; w <= lw; w++) {
            hb->level[bottom(hb)][w] = v;
        }
        clip_tail(hb);
    }
    if (finish) {
        hbitmap_deserialize_finish(hb);
    }
}

void hbitmap_deserialize_zeroes(HBitmap *hb, uint64_t start, uint64_t count,
                                bool finish)
{
    deserialize_fill(hb, start, count, 0, finish);
}

void hbitmap_deserialize_ones(HBitmap *hb, uint64_t start, uint64_t count,
                              bool finish)
{
    deserialize_fill(hb, start, count, ~0ULL, finish);
}

void hbitmap_deserialize_finish(HBitmap *hb)
{
    hb_rebuild(hb);
}
