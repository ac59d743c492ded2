/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iov.c: helpers over struct iovec arrays and the QEMUIOVector wrapper
 * (see include/qemu/iov.h).  No data is copied unless the function says
 * so: slicing and concatenation only build new iovec arrays.
 */
#include "qemu/osdep.h"
#include "qemu/iov.h"
#include "qemu/cutils.h"

size_t iov_size(const struct iovec *iov, const unsigned int iov_cnt)
{
    size_t len = 0;
    unsigned int i;

    for (i = 0; i < iov_cnt; i++) {
        len += iov[i].iov_len;
    }
    return len;
}

/*
 * Walk the bytes [offset, offset + bytes) of a vector, calling @fn on
 * each contiguous piece with the number of bytes already processed.
 */
typedef void IovPieceFn(void *base, size_t len, size_t done, void *opaque);

static size_t iov_walk(const struct iovec *iov, unsigned int iov_cnt,
                       size_t offset, size_t bytes, IovPieceFn *fn,
                       void *opaque)
{
    size_t done = 0;
    unsigned int i;

    for (i = 0; i < iov_cnt && done < bytes; i++) {
        size_t n;

        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        n = MIN(iov[i].iov_len - offset, bytes - done);
        fn((char *)iov[i].iov_base + offset, n, done, opaque);
        done += n;
        offset = 0;
    }
    return done;
}

static void piece_from_buf(void *base, size_t len, size_t done, void *buf)
{
    memcpy(base, (const char *)buf + done, len);
}

static void piece_to_buf(void *base, size_t len, size_t done, void *buf)
{
    memcpy((char *)buf + done, base, len);
}

static void piece_memset(void *base, size_t len, size_t done, void *fill)
{
    memset(base, *(int *)fill, len);
}

size_t iov_from_buf_full(const struct iovec *iov, unsigned int iov_cnt,
                         size_t offset, const void *buf, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, piece_from_buf,
                    (void *)buf);
}

size_t iov_to_buf_full(const struct iovec *iov, const unsigned int iov_cnt,
                       size_t offset, void *buf, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, piece_to_buf, buf);
}

size_t iov_memset(const struct iovec *iov, const unsigned int iov_cnt,
                  size_t offset, int fillc, size_t bytes)
{
    return iov_walk(iov, iov_cnt, offset, bytes, piece_memset, &fillc);
}

ssize_t iov_send_recv(int sockfd, const struct iovec *iov, unsigned iov_cnt,
                      size_t offset, size_t bytes, bool do_send)
{
    g_autofree struct iovec *local = g_new(struct iovec, MAX(iov_cnt, 1));
    size_t total = 0;

    while (total < bytes) {
        unsigned n = iov_copy(local, iov_cnt, iov, iov_cnt, offset + total,
                              bytes - total);
        ssize_t ret;

        if (n == 0) {
            break;
        }
        ret = do_send ? writev(sockfd, local, n) : readv(sockfd, local, n);
        if (ret < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (total) {
                break;
            }
            return -1;
        }
        if (ret == 0) {
            break;
        }
        total += ret;
    }
    return total;
}

void iov_hexdump(const struct iovec *iov, const unsigned int iov_cnt,
                 FILE *fp, const char *prefix, size_t limit)
{
    size_t size = MIN(iov_size(iov, iov_cnt), limit);
    g_autofree char *buf = g_malloc(size ? size : 1);

    iov_to_buf(iov, iov_cnt, 0, buf, size);
    qemu_hexdump(fp, prefix, buf, size);
}

unsigned iov_copy(struct iovec *dst_iov, unsigned int dst_iov_cnt,
                  const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, size_t bytes)
{
    unsigned int i, j = 0;

    for (i = 0; i < iov_cnt && j < dst_iov_cnt && bytes; i++) {
        size_t n;

        if (offset >= iov[i].iov_len) {
            offset -= iov[i].iov_len;
            continue;
        }
        n = MIN(iov[i].iov_len - offset, bytes);
        dst_iov[j].iov_base = (char *)iov[i].iov_base + offset;
        dst_iov[j].iov_len = n;
        j++;
        bytes -= n;
        offset = 0;
    }
    assert(offset == 0);
    return j;
}

size_t iov_discard_front_undoable(struct iovec **iov, unsigned int *iov_cnt,
                                  size_t bytes, IOVDiscardUndo *undo)
{
    size_t total = 0;
    struct iovec *cur;

    if (undo) {
        undo->modified_iov = NULL;
    }
    for (cur = *iov; *iov_cnt > 0; cur++) {
        if (cur->iov_len > bytes) {
            if (undo) {
                undo->modified_iov = cur;
                undo->orig = *cur;
            }
            cur->iov_base = (char *)cur->iov_base + bytes;
            cur->iov_len -= bytes;
            total += bytes;
            break;
        }
        bytes -= cur->iov_len;
        total += cur->iov_len;
        *iov_cnt -= 1;
    }
    *iov = cur;
    return total;
}

size_t iov_discard_front(struct iovec **iov, unsigned int *iov_cnt,
                         size_t bytes)
{
    return iov_discard_front_undoable(iov, iov_cnt, bytes, NULL);
}

size_t iov_discard_back_undoable(struct iovec *iov, unsigned int *iov_cnt,
                                 size_t bytes, IOVDiscardUndo *undo)
{
    size_t total = 0;
    struct iovec *cur;

    if (undo) {
        undo->modified_iov = NULL;
    }
    if (*iov_cnt == 0) {
        return 0;
    }
    cur = iov + (*iov_cnt - 1);
    while (*iov_cnt > 0) {
        if (cur->iov_len > bytes) {
            if (undo) {
                undo->modified_iov = cur;
                undo->orig = *cur;
            }
            cur->iov_len -= bytes;
            total += bytes;
            break;
        }
        bytes -= cur->iov_len;
        total += cur->iov_len;
        cur--;
        *iov_cnt -= 1;
    }
    return total;
}

size_t iov_discard_back(struct iovec *iov, unsigned int *iov_cnt,
                        size_t bytes)
{
    return iov_discard_back_undoable(iov, iov_cnt, bytes, NULL);
}

void iov_discard_undo(IOVDiscardUndo *undo)
{
    if (undo->modified_iov) {
        *undo->modified_iov = undo->orig;
    }
}

/* QEMUIOVector */

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint)
{
    qiov->iov = g_new(struct iovec, MAX(alloc_hint, 1));
    qiov->niov = 0;
    qiov->nalloc = MAX(alloc_hint, 1);
    qiov->size = 0;
}

void qemu_iovec_init_external(QEMUIOVector *qiov, struct iovec *iov,
                              int niov)
{
    qiov->iov = iov;
    qiov->niov = niov;
    qiov->nalloc = -1;
    qiov->size = iov_size(iov, niov);
}

void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len)
{
    assert(qiov->nalloc != -1);

    if (qiov->niov == qiov->nalloc) {
        qiov->nalloc = 2 * qiov->nalloc + 1;
        qiov->iov = g_renew(struct iovec, qiov->iov, qiov->nalloc);
    }
    qiov->iov[qiov->niov].iov_base = base;
    qiov->iov[qiov->niov].iov_len = len;
    qiov->size += len;
    qiov->niov++;
}

size_t qemu_iovec_concat_iov(QEMUIOVector *dst,
                             struct iovec *src_iov, unsigned int src_cnt,
                             size_t soffset, size_t sbytes)
{
    size_t done = 0;
    unsigned int i;

    for (i = 0; i < src_cnt && done < sbytes; i++) {
        size_t n;

        if (soffset >= src_iov[i].iov_len) {
            soffset -= src_iov[i].iov_len;
            continue;
        }
        n = MIN(src_iov[i].iov_len - soffset, sbytes - done);
        qemu_iovec_add(dst, (char *)src_iov[i].iov_base + soffset, n);
        done += n;
        soffset = 0;
    }
    assert(soffset == 0);
    return done;
}

void qemu_iovec_concat(QEMUIOVector *dst,
                       QEMUIOVector *src, size_t soffset, size_t sbytes)
{
    qemu_iovec_concat_iov(dst, src->iov, src->niov, soffset, sbytes);
}

struct iovec *qemu_iovec_slice(QEMUIOVector *qiov,
                               size_t offset, size_t len,
                               size_t *head, size_t *tail, int *niov)
{
    struct iovec *iov = qiov->iov, *first, *end;
    size_t remaining;

    assert(offset + len <= qiov->size);

    if (!len) {
        *head = *tail = 0;
        *niov = 0;
        return iov;
    }
    /* Skip whole elements before @offset. */
    while (offset >= iov->iov_len) {
        offset -= iov->iov_len;
        iov++;
    }
    first = iov;
    *head = offset;

    /* Find the element holding the last byte. */
    remaining = offset + len;
    end = iov;
    while (remaining > end->iov_len) {
        remaining -= end->iov_len;
        end++;
    }
    *tail = end->iov_len - remaining;
    *niov = end - first + 1;
    return first;
}

int qemu_iovec_subvec_niov(QEMUIOVector *qiov, size_t offset, size_t len)
{
    size_t head, tail;
    int niov;

    qemu_iovec_slice(qiov, offset, len, &head, &tail, &niov);
    return niov;
}

int qemu_iovec_init_extended(QEMUIOVector *qiov,
                             void *head_buf, size_t head_len,
                             QEMUIOVector *mid_qiov, size_t mid_offset,
                             size_t mid_len,
                             void *tail_buf, size_t tail_len)
{
    int mid_niov = 0;

    if (mid_len) {
        mid_niov = qemu_iovec_subvec_niov(mid_qiov, mid_offset, mid_len);
    }
    qemu_iovec_init(qiov, mid_niov + !!head_len + !!tail_len);
    if (head_len) {
        qemu_iovec_add(qiov, head_buf, head_len);
    }
    if (mid_len) {
        qemu_iovec_concat(qiov, mid_qiov, mid_offset, mid_len);
    }
    if (tail_len) {
        qemu_iovec_add(qiov, tail_buf, tail_len);
    }
    return 0;
}

void qemu_iovec_init_slice(QEMUIOVector *qiov, QEMUIOVector *source,
                           size_t offset, size_t len)
{
    int ret;

    assert(source->size >= len);
    assert(source->size - len >= offset);

    ret = qemu_iovec_init_extended(qiov, NULL, 0, source, offset, len,
                                   NULL, 0);
    assert(ret == 0);
}

bool qemu_iovec_is_zero(QEMUIOVector *qiov, size_t offset, size_t bytes)
{
    struct iovec *iov;
    size_t head, tail;
    int niov, i;

    assert(offset + bytes <= qiov->size);
    if (!bytes) {
        return true;
    }
    iov = qemu_iovec_slice(qiov, offset, bytes, &head, &tail, &niov);
    for (i = 0; i < niov; i++) {
        size_t start = i == 0 ? head : 0;
        size_t len = iov[i].iov_len - start - (i == niov - 1 ? tail : 0);

        if (!buffer_is_zero((char *)iov[i].iov_base + start, len)) {
            return false;
        }
    }
    return true;
}

void qemu_iovec_destroy(QEMUIOVector *qiov)
{
    if (qiov->nalloc != -1) {
        g_free(qiov->iov);
    }
    memset(qiov, 0, sizeof(*qiov));
}

void qemu_iovec_reset(QEMUIOVector *qiov)
{
    assert(qiov->nalloc != -1);

    qiov->niov = 0;
    qiov->size = 0;
}

size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset,
                         void *buf, size_t bytes)
{
    return iov_to_buf(qiov->iov, qiov->niov, offset, buf, bytes);
}

size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset,
                           const void *buf, size_t bytes)
{
    return iov_from_buf(qiov->iov, qiov->niov, offset, buf, bytes);
}

size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset,
                         int fillc, size_t bytes)
{
    return iov_memset(qiov->iov, qiov->niov, offset, fillc, bytes);
}

ssize_t qemu_iovec_compare(QEMUIOVector *a, QEMUIOVector *b)
{
    size_t total = MIN(a->size, b->size);
    size_t off = 0;
    char buf_a[4096], buf_b[4096];

    assert(a->size == b->size);
    while (off < total) {
        size_t n = MIN(sizeof(buf_a), total - off);
        size_t i;

        qemu_iovec_to_buf(a, off, buf_a, n);
        qemu_iovec_to_buf(b, off, buf_b, n);
        if (memcmp(buf_a, buf_b, n) != 0) {
            for (i = 0; buf_a[i] == buf_b[i]; i++) {
                /* find the first difference */
            }
            return off + i;
        }
        off += n;
    }
    return -1;
}

void qemu_iovec_clone(QEMUIOVector *dest, const QEMUIOVector *src,
                      void *buf)
{
    char *p = buf;
    int i;

    qemu_iovec_reset(dest);
    for (i = 0; i < src->niov; i++) {
        qemu_iovec_add(dest, p, src->iov[i].iov_len);
        p += src->iov[i].iov_len;
    }
}

void qemu_iovec_discard_back(QEMUIOVector *qiov, size_t bytes)
{
    unsigned int niov = qiov->niov;
    size_t new_size, total;

    assert(qiov->size >= bytes);
    /* compute first: for a single-buffer vector size aliases iov_len */
    new_size = qiov->size - bytes;
    total = iov_discard_back(qiov->iov, &niov, bytes);
    assert(total == bytes);
    qiov->niov = niov;
    qiov->size = new_size;
}
