/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-convert-copy.c: the copy engine of "qemu-img convert".
 *
 * Up to 16 coroutines take consecutive ranges from one cursor.  Block
 * status of the sources decides per range whether to copy data, to write
 * zeroes (or nothing, when the target already reads as zero) or to leave
 * the range to the target's backing file.  Data ranges are scanned for
 * zero blocks of -S bytes, which become zero writes or holes.  Reads run
 * in parallel; writes run in offset order unless -W was given.  A write
 * in order starts when the one before it is done, or, for targets that
 * write every byte in place (raw files), as soon as that one has started,
 * or, for qcow2 (which allocates in arrival order), as soon as that one's
 * last request has been submitted; either way, after a write the next
 * range's write goes out before its coroutine looks for more work.
 */
#include "qemu/osdep.h"
#include "qemu-img-convert.h"
#include "block/block_int.h"
#include "qapi/error.h"
#include "qemu/cutils.h"
#include "qemu/error-report.h"
#include "qemu/host-utils.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"

/* Source index and offset within it for the global @offset. */
static int convert_src_at(ConvertState *s, int64_t offset, int64_t *src_off)
{
    int i;

    for (i = 0; i < s->src_num - 1 && offset >= s->src_size[i]; i++) {
        offset -= s->src_size[i];
    }
    *src_off = offset;
    return i;
}

/* Refresh the cursor's status for @offset; -errno (reported) on error. */
static int coroutine_fn convert_update_status(ConvertState *s, int64_t offset)
{
    BlockDriverState *bs;
    int64_t src_off, bytes, pnum, tail;
    int i = convert_src_at(s, offset, &src_off);
    int ret;

    bytes = MIN(s->src_size[i] - src_off, s->total_size - offset);
    bs = blk_bs(s->src[i]);
    bdrv_graph_co_rdlock();
    if (s->target_has_backing) {
        ret = bdrv_co_block_status(bs, src_off, bytes, &pnum, NULL, NULL);
    } else {
        ret = bdrv_co_block_status_above(bs, NULL, src_off, bytes, &pnum,
                                         NULL, NULL);
    }
    bdrv_graph_co_rdunlock();
    if (ret < 0) {
        if (s->salvage) {
            /* Let the reads find out which parts can be read. */
            s->status = CONVERT_DATA;
            s->status_end = offset + MIN(bytes, BDRV_SECTOR_SIZE);
            return 0;
        }
        error_report("error while reading block status at offset %" PRId64
                     ": %s", offset, strerror(-ret));
        return ret;
    }
    /*
     * Whole sectors, as 7.2 counts: a file's partial last sector (the
     * node's length is rounded up) goes with the range before it.  Then
     * ranges end on the source's cluster (or request) boundaries where
     * they can, so that one cluster is not read in two requests.
     */
    pnum = MIN(QEMU_ALIGN_UP(src_off + pnum, BDRV_SECTOR_SIZE) - src_off,
               bytes);
    tail = (src_off + pnum) % s->src_align[i];
    if (pnum > tail) {
        pnum -= tail;
    }
    if (ret & BDRV_BLOCK_ZERO) {
        s->status = CONVERT_ZERO;
    } else if (ret & BDRV_BLOCK_DATA) {
        s->status = CONVERT_DATA;
    } else {
        s->status = s->target_has_backing ? CONVERT_BACKING : CONVERT_DATA;
    }
    s->status_end = offset + pnum;
    return 0;
}

/* Does @status copy bytes (what the progress line and -r count)? */
static bool convert_copies(ConvertStatus status)
{
    return status == CONVERT_DATA || status == CONVERT_ZERO_DATA;
}

/*
 * Take the next range for a coroutine: *len bytes at *offset, to be
 * started after *delay ns (-r).
 */
static int coroutine_fn convert_next_locked(ConvertState *s, int64_t *offset,
                                            int64_t *len,
                                            ConvertStatus *status,
                                            int64_t *delay)
{
    ConvertStatus st;
    int64_t n;
    int ret;

    if (s->next_offset >= s->status_end) {
        ret = convert_update_status(s, s->next_offset);
        if (ret < 0) {
            return ret;
        }
    }
    *offset = s->next_offset;
    n = s->status_end - *offset;
    st = s->status;
    if (st == CONVERT_ZERO && !s->min_sparse) {
        /* -S 0: zeroes are written out like data, buffer by buffer. */
        st = CONVERT_ZERO_DATA;
    }
    if (convert_copies(st)) {
        n = MIN(n, s->buf_size);
    } else {
        n = MIN(n, INT32_MAX & ~(int64_t)(BDRV_SECTOR_SIZE - 1));
    }
    if (s->compressed) {
        /* Whole clusters: extend short ranges, cut long ones. */
        int64_t end = QEMU_ALIGN_UP(*offset + 1, s->cluster_size);

        if (*offset + n < end || n < s->cluster_size) {
            n = MIN(end, s->total_size) - *offset;
            st = CONVERT_DATA;
        } else {
            n = QEMU_ALIGN_DOWN(*offset + n, s->cluster_size) - *offset;
        }
    }
    *delay = 0;
    if (convert_copies(st)) {
        *delay = convert_rate_delay(&s->rate,
                                    qemu_clock_get_ns(QEMU_CLOCK_REALTIME),
                                    n);
    }
    *status = st;
    *len = n;
    s->next_offset += n;
    return 0;
}

static int coroutine_fn convert_next(ConvertState *s, int64_t *offset,
                                     int64_t *len, ConvertStatus *status,
                                     int64_t *delay)
{
    int ret;

    qemu_co_mutex_lock(&s->lock);
    if (s->next_offset >= s->total_size || s->ret) {
        ret = -ENOENT;      /* nothing left */
    } else {
        ret = convert_next_locked(s, offset, len, status, delay);
    }
    qemu_co_mutex_unlock(&s->lock);
    return ret;
}

/* Read [offset, offset + len) of the concatenated sources into @buf. */
static int coroutine_fn convert_read(ConvertState *s, int64_t offset,
                                     int64_t len, uint8_t *buf)
{
    while (len > 0) {
        int64_t src_off, n;
        int i = convert_src_at(s, offset, &src_off);
        int ret;

        n = MIN(len, s->src_size[i] - src_off);
        ret = blk_co_pread(s->src[i], src_off, n, buf, 0);
        if (ret < 0 && s->salvage) {
            ret = 0;
            n = MIN(n, BDRV_SECTOR_SIZE - (src_off % BDRV_SECTOR_SIZE));
            if (blk_co_pread(s->src[i], src_off, n, buf, 0) < 0) {
                if (!s->quiet) {
                    warn_report("error while reading offset %" PRId64
                                ": %s", offset, strerror(EIO));
                }
                memset(buf, 0, n);
            }
        }
        if (ret < 0) {
            error_report("error while reading at byte %" PRId64 ": %s",
                         offset, strerror(-ret));
            return ret;
        }
        offset += n;
        buf += n;
        len -= n;
    }
    return 0;
}

/*
 * Zero detection (-S), as 7.2 decides it, in 512-byte sectors (a partial
 * one at the end of the image counts as a sector).
 *
 * One run: the sectors from @buf (@len bytes at image offset @off) that
 * are all zero (*zero) or all not.  Unless it reaches the end of @len,
 * its end then moves to a multiple of the alignment (min_sparse rounded
 * down to a power of two): a data run grows up to it (never past @len),
 * a zero run shrinks down to it, and a zero run too short to reach back
 * to the previous multiple counts as data (and grows).  Returns the
 * run's length in bytes.
 */
static int64_t convert_sector_run(ConvertState *s, const uint8_t *buf,
                                  int64_t off, int64_t len, bool *zero)
{
    int64_t align = pow2floor(s->min_sparse) / BDRV_SECTOR_SIZE;
    int64_t first = off / BDRV_SECTOR_SIZE;
    int64_t n = DIV_ROUND_UP(len, BDRV_SECTOR_SIZE);
    int64_t i, tail;
    bool z = false;

    for (i = 0; i < n; i++) {
        int64_t at = i * BDRV_SECTOR_SIZE;
        bool sz = buffer_is_zero(buf + at, MIN(BDRV_SECTOR_SIZE, len - at));

        if (i == 0) {
            z = sz;
        } else if (sz != z) {
            break;
        }
    }
    tail = (first + i) % align;
    if (i < n && tail) {
        if (z && i <= tail) {
            z = false;
        }
        if (z) {
            i -= tail;
        } else {
            i = MIN(i + align - tail, n);
        }
    }
    *zero = z;
    return MIN(i * BDRV_SECTOR_SIZE, len);
}

/*
 * The piece of a data range that starts at @buf[@pos] (the range is
 * @len bytes at image offset @base): a zero piece is one zero run; a
 * data piece takes data runs and the zero runs between them that are
 * shorter than min_sparse (or than what is left of the range, if less),
 * and ends before a longer zero run or at the range's last data run.
 */
static int64_t convert_piece(ConvertState *s, const uint8_t *buf,
                             int64_t base, int64_t pos, int64_t len,
                             bool *zero)
{
    int64_t min = MIN(s->min_sparse, len - pos);
    int64_t used, checked;

    used = convert_sector_run(s, buf + pos, base + pos, len - pos, zero);
    if (*zero) {
        return used;
    }
    for (checked = used; pos + checked < len;) {
        bool z;
        int64_t n = convert_sector_run(s, buf + pos + checked,
                                       base + pos + checked,
                                       len - pos - checked, &z);

        checked += n;
        if (!z) {
            used = checked;
        } else if (n >= min) {
            break;
        }
    }
    return used;
}

static int coroutine_fn convert_write_zero(ConvertState *s, int64_t offset,
                                           int64_t len)
{
    if (s->has_zero_init) {
        return 0;
    }
    return blk_co_pwrite_zeroes(s->target, offset, len,
                                s->min_sparse ? BDRV_REQ_MAY_UNMAP : 0);
}

/*
 * Pipelined writes: let the range after [@offset, @end) start its write
 * (once only; the turn is ours while wr_offset is @offset).
 */
static void convert_pass_turn(ConvertState *s, int64_t offset, int64_t end)
{
    if (s->wr_pipelined && s->wr_offset == offset) {
        s->wr_offset = end;
        qemu_co_queue_restart_all(&s->wr_queue);
    }
}

/*
 * Data write [@off, @off + @n) of the range [@offset, @offset + @len);
 * @last: no request of the range follows it.  The next range may start
 * right before that last request when the target allocates in arrival
 * order and the request reaches it whole (qemu-img-convert.h).  The
 * woken writer runs only when we yield, after the target took ours.
 */
static int coroutine_fn convert_pwrite(ConvertState *s, int64_t offset,
                                       int64_t len, int64_t off, int64_t n,
                                       const uint8_t *buf, bool last)
{
    if (last && QEMU_IS_ALIGNED(off | n, s->wr_align)) {
        convert_pass_turn(s, offset, offset + len);
    }
    return blk_co_pwrite(s->target, off, n, buf, 0);
}

/*
 * Compressed data write of whole clusters.  As 7.2: with -S 0 every
 * cluster is compressed, zero ones too; otherwise each all-zero cluster
 * is left out (a zero write or nothing), the runs of other clusters
 * between them go out as one compressed request each.
 */
static int coroutine_fn convert_write_compressed(ConvertState *s,
                                                 int64_t offset, int64_t len,
                                                 const uint8_t *buf)
{
    int64_t pos = 0;
    int ret;

    if (!s->min_sparse) {
        return blk_co_pwrite(s->target, offset, len, buf,
                             BDRV_REQ_WRITE_COMPRESSED);
    }
    while (pos < len) {
        bool zero = buffer_is_zero(buf + pos,
                                   MIN(s->cluster_size, len - pos));
        int64_t n = 0;

        /* The run of clusters that are all zero, or all not. */
        do {
            n += MIN(s->cluster_size, len - pos - n);
        } while (pos + n < len &&
                 buffer_is_zero(buf + pos + n,
                                MIN(s->cluster_size, len - pos - n)) == zero);
        if (zero) {
            ret = convert_write_zero(s, offset + pos, n);
        } else {
            ret = blk_co_pwrite(s->target, offset + pos, n, buf + pos,
                                BDRV_REQ_WRITE_COMPRESSED);
        }
        if (ret < 0) {
            return ret;
        }
        pos += n;
    }
    return 0;
}

/* Write a data range, turning zero blocks into zero writes or holes. */
static int coroutine_fn convert_write_data(ConvertState *s, int64_t offset,
                                           int64_t len, const uint8_t *buf)
{
    int64_t pos = 0, n, next = 0;
    bool zero = false, next_zero = false;
    int ret;

    if (s->compressed) {
        return convert_write_compressed(s, offset, len, buf);
    }
    if (!s->min_sparse) {
        return convert_pwrite(s, offset, len, offset, len, buf, true);
    }
    n = convert_piece(s, buf, offset, 0, len, &zero);
    while (pos < len) {
        /* The piece after a data piece tells if that one is last. */
        next = pos + n < len ?
               convert_piece(s, buf, offset, pos + n, len, &next_zero) : 0;
        if (zero) {
            ret = convert_write_zero(s, offset + pos, n);
        } else {
            bool last = pos + n == len ||
                        (next_zero && s->has_zero_init &&
                         pos + n + next == len);

            ret = convert_pwrite(s, offset, len, offset + pos, n, buf + pos,
                                 last);
        }
        if (ret < 0) {
            return ret;
        }
        pos += n;
        n = next;
        zero = next_zero;
    }
    return 0;
}

static int coroutine_fn convert_copy_range(ConvertState *s, int64_t offset,
                                           int64_t len)
{
    while (len > 0) {
        int64_t src_off, n;
        int i = convert_src_at(s, offset, &src_off);
        int ret;

        n = MIN(len, s->src_size[i] - src_off);
        ret = blk_co_copy_range(s->src[i], src_off, s->target, offset, n,
                                0, 0);
        if (ret < 0) {
            return ret;
        }
        offset += n;
        len -= n;
    }
    return 0;
}

static int coroutine_fn convert_write(ConvertState *s, int64_t offset,
                                      int64_t len, ConvertStatus status,
                                      const uint8_t *buf)
{
    switch (status) {
    case CONVERT_BACKING:
        return 0;
    case CONVERT_ZERO:
        return convert_write_zero(s, offset, len);
    case CONVERT_ZERO_DATA:
        return convert_write_data(s, offset, len, buf);
    case CONVERT_DATA:
    default:
        if (s->copy_range) {
            int ret = convert_copy_range(s, offset, len);

            if (ret == 0) {
                return 0;
            }
            /*
             * Offloading failed (e.g. a node that cannot copy_range):
             * copy through the buffer from now on, as 7.2 does.
             */
            s->copy_range = false;
            ret = convert_read(s, offset, len, (uint8_t *)buf);
            if (ret < 0) {
                return ret;
            }
        }
        return convert_write_data(s, offset, len, buf);
    }
}

/*
 * In-order modes: wait until the write at @offset may start, i.e. every
 * range before it has started (pipelined) or is written (otherwise).
 * False if the copy is stopping.
 */
static bool coroutine_fn convert_wait_turn(ConvertState *s, int64_t offset)
{
    while (s->wr_in_order && !s->ret &&
           (s->wr_offset != offset ||
            (s->wr_pipelined && s->wr_in_flight >= CONVERT_WR_DEPTH))) {
        qemu_co_queue_wait(&s->wr_queue, NULL);
    }
    return !s->ret;
}

/* -p: a range is written; count it if it copies data. */
static void convert_progress(ConvertState *s, int64_t len,
                             ConvertStatus status)
{
    if (convert_copies(status) && s->alloc_total) {
        s->alloc_done += len;
        qemu_progress_print(100.0f * s->alloc_done / s->alloc_total, 0);
    }
}

static void convert_report_write_error(int64_t offset, int ret)
{
    error_report("error while writing at byte %" PRId64 ": %s", offset,
                 strerror(-ret));
}

/*
 * Pipelined write of the range whose turn it is: the next range may start
 * its write before this one is done (as soon as it has started, or before
 * its last request: convert_pwrite; up to CONVERT_WR_DEPTH in flight), so
 * the target always has the next write queued.  A failed write keeps the
 * turn (the copy stops, as with serial writes).  They still
 * finish in offset order here: the first failing write is the one reported
 * (as with serial writes) and the progress counts the same sums.
 */
static int coroutine_fn convert_write_pipelined(ConvertState *s,
                                                int64_t offset, int64_t len,
                                                ConvertStatus status,
                                                const uint8_t *buf)
{
    int ret;

    s->wr_in_flight++;
    if (s->wr_turn_at_start) {
        convert_pass_turn(s, offset, offset + len);
    }
    ret = convert_write(s, offset, len, status, buf);
    if (ret == 0) {
        /* Not passed yet if no data request came last. */
        convert_pass_turn(s, offset, offset + len);
    }
    s->wr_in_flight--;
    qemu_co_queue_restart_all(&s->wr_queue);

    while (s->wr_done != offset && !s->ret) {
        qemu_co_queue_wait(&s->wr_done_queue, NULL);
    }
    if (s->ret) {
        return s->ret;      /* an earlier range failed and said so */
    }
    if (ret < 0) {
        convert_report_write_error(offset, ret);
        return ret;
    }
    convert_progress(s, len, status);
    s->wr_done = offset + len;
    qemu_co_queue_restart_all(&s->wr_done_queue);
    return 0;
}

/* Write a range in its turn; 0 or -errno (reported). */
static int coroutine_fn convert_write_turn(ConvertState *s, int64_t offset,
                                           int64_t len, ConvertStatus status,
                                           const uint8_t *buf)
{
    int ret;

    if (s->wr_pipelined) {
        return convert_write_pipelined(s, offset, len, status, buf);
    }
    ret = convert_write(s, offset, len, status, buf);
    if (ret < 0) {
        convert_report_write_error(offset, ret);
        return ret;
    }
    convert_progress(s, len, status);
    s->wr_offset = offset + len;
    if (!qemu_co_queue_empty(&s->wr_queue)) {
        /*
         * Let the next range start its write before we look up and read
         * our next one: the writes are the critical path.  The woken
         * coroutines run when we yield; we come back after them.
         */
        qemu_co_queue_restart_all(&s->wr_queue);
        aio_co_schedule(qemu_get_current_aio_context(),
                        qemu_coroutine_self());
        qemu_coroutine_yield();
    }
    return 0;
}

static void coroutine_fn convert_co(void *opaque)
{
    ConvertState *s = opaque;
    uint8_t *buf = blk_blockalign(s->target, s->buf_size);
    int64_t offset, len, delay;
    ConvertStatus status;
    int ret;

    while (!s->ret && s->next_offset < s->total_size) {
        ret = convert_next(s, &offset, &len, &status, &delay);
        if (ret == -ENOENT) {
            break;
        }
        if (ret < 0) {
            s->ret = ret;
            break;
        }
        if (delay > 0) {
            qemu_co_sleep_ns(QEMU_CLOCK_REALTIME, delay);
        }
        if (status == CONVERT_ZERO_DATA) {
            memset(buf, 0, len);
        } else if (status == CONVERT_DATA && !s->copy_range) {
            ret = convert_read(s, offset, len, buf);
            if (ret < 0) {
                s->ret = ret;
                break;
            }
        }
        if (!convert_wait_turn(s, offset)) {
            break;
        }
        ret = convert_write_turn(s, offset, len, status, buf);
        if (ret < 0) {
            s->ret = ret;
            break;
        }
    }
    qemu_vfree(buf);
    s->running--;
    /* Others may wait for a write order that will never come now. */
    qemu_co_queue_restart_all(&s->wr_queue);
    qemu_co_queue_restart_all(&s->wr_done_queue);
}

/*
 * For the progress line: walk the ranges once, adding up those that will
 * be copied, then rewind the cursor.
 */
static void coroutine_fn convert_count_co(void *opaque)
{
    ConvertState *s = opaque;
    int64_t offset, len, delay;
    ConvertStatus status;
    int ret = 0;

    while (!ret) {
        ret = convert_next(s, &offset, &len, &status, &delay);
        if (!ret && convert_copies(status)) {
            s->alloc_total += len;
        }
    }
    if (ret != -ENOENT) {
        s->ret = ret;
    }
    s->next_offset = s->status_end = 0;
    s->running--;
}

int convert_do_copy(ConvertState *s)
{
    int i;

    qemu_co_queue_init(&s->wr_queue);
    qemu_co_queue_init(&s->wr_done_queue);
    qemu_co_mutex_init(&s->lock);
    if (s->progress) {
        s->running = 1;
        qemu_coroutine_enter(qemu_coroutine_create(convert_count_co, s));
        while (s->running) {
            main_loop_wait(false);
        }
        if (s->ret) {
            return s->ret;
        }
    }
    /* Set only now: the counting pass above takes ranges too. */
    convert_rate_init(&s->rate, s->rate_limit);
    s->running = s->num_coroutines;
    for (i = 0; i < s->num_coroutines; i++) {
        qemu_coroutine_enter(qemu_coroutine_create(convert_co, s));
    }
    while (s->running) {
        main_loop_wait(false);
    }
    if (s->ret == 0 && s->compressed) {
        /*
         * An empty compressed write tells the format the copy is over
         * (qcow2 pads its file to a whole sector then), as 7.2 does.
         */
        s->ret = blk_pwrite_compressed(s->target, 0, 0, NULL);
    }
    return s->ret;
}
