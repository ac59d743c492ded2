/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iov.h: scatter/gather vectors.
 *
 * The iov_* helpers work on plain struct iovec arrays; QEMUIOVector wraps
 * such an array with its element count and total byte size and is what
 * the block layer passes around.  Offsets and sizes are in bytes.
 */
#ifndef QEMU_IOV_H
#define QEMU_IOV_H

/* Total bytes in the @iov_cnt elements of @iov. */
size_t iov_size(const struct iovec *iov, const unsigned int iov_cnt);

/*
 * Copy @bytes between @buf and the vector starting at byte @offset of the
 * vector; stops early at the end of the vector.  Returns bytes copied.
 */
size_t iov_from_buf_full(const struct iovec *iov, unsigned int iov_cnt,
                         size_t offset, const void *buf, size_t bytes);
size_t iov_to_buf_full(const struct iovec *iov, const unsigned int iov_cnt,
                       size_t offset, void *buf, size_t bytes);

static inline size_t iov_from_buf(const struct iovec *iov,
                                  unsigned int iov_cnt, size_t offset,
                                  const void *buf, size_t bytes)
{
    if (__builtin_constant_p(bytes) && iov_cnt &&
        offset <= iov[0].iov_len && bytes <= iov[0].iov_len - offset) {
        memcpy((char *)iov[0].iov_base + offset, buf, bytes);
        return bytes;
    }
    return iov_from_buf_full(iov, iov_cnt, offset, buf, bytes);
}

static inline size_t iov_to_buf(const struct iovec *iov,
                                const unsigned int iov_cnt, size_t offset,
                                void *buf, size_t bytes)
{
    if (__builtin_constant_p(bytes) && iov_cnt &&
        offset <= iov[0].iov_len && bytes <= iov[0].iov_len - offset) {
        memcpy(buf, (char *)iov[0].iov_base + offset, bytes);
        return bytes;
    }
    return iov_to_buf_full(iov, iov_cnt, offset, buf, bytes);
}

/* Fill @bytes of the vector from @offset with @fillc; returns bytes set. */
size_t iov_memset(const struct iovec *iov, const unsigned int iov_cnt,
                  size_t offset, int fillc, size_t bytes);

/*
 * Send or receive @bytes of the vector, starting at @offset, on a socket
 * or file descriptor; loops over short transfers.  Returns the bytes
 * transferred, or -1 with errno set if nothing could be transferred.
 */
ssize_t iov_send_recv(int sockfd, const struct iovec *iov, unsigned iov_cnt,
                      size_t offset, size_t bytes, bool do_send);
#define iov_recv(sockfd, iov, iov_cnt, offset, bytes) \
    iov_send_recv(sockfd, iov, iov_cnt, offset, bytes, false)
#define iov_send(sockfd, iov, iov_cnt, offset, bytes) \
    iov_send_recv(sockfd, iov, iov_cnt, offset, bytes, true)

/* Hex dump of at most @limit bytes of the vector, qemu_hexdump() style. */
void iov_hexdump(const struct iovec *iov, const unsigned int iov_cnt,
                 FILE *fp, const char *prefix, size_t limit);

/*
 * Fill @dst_iov with elements pointing at @bytes of @iov starting at
 * @offset.  Returns the number of elements used (at most dst_iov_cnt).
 */
unsigned iov_copy(struct iovec *dst_iov, unsigned int dst_iov_cnt,
                  const struct iovec *iov, unsigned int iov_cnt,
                  size_t offset, size_t bytes);

/*
 * Drop @bytes from the front (advancing *iov and shrinking *iov_cnt and
 * the first element) or the back of a vector.  Returns bytes dropped.
 * The _undoable forms record what they changed in @undo so that
 * iov_discard_undo() can restore the original elements.
 */
typedef struct {
    struct iovec *modified_iov;
    struct iovec orig;
} IOVDiscardUndo;

size_t iov_discard_front(struct iovec **iov, unsigned int *iov_cnt,
                         size_t bytes);
size_t iov_discard_back(struct iovec *iov, unsigned int *iov_cnt,
                        size_t bytes);
size_t iov_discard_front_undoable(struct iovec **iov, unsigned int *iov_cnt,
                                  size_t bytes, IOVDiscardUndo *undo);
size_t iov_discard_back_undoable(struct iovec *iov, unsigned int *iov_cnt,
                                 size_t bytes, IOVDiscardUndo *undo);
void iov_discard_undo(IOVDiscardUndo *undo);

/*
 * QEMUIOVector: an iovec array with its count and total size.
 *
 * A vector made by qemu_iovec_init() owns its array (nalloc > 0) and may
 * grow with qemu_iovec_add().  qemu_iovec_init_external() wraps a caller's
 * array (nalloc == -1).  qemu_iovec_init_buf()/QEMU_IOVEC_INIT_BUF wrap a
 * single buffer in the embedded local_iov (nalloc == -1); then @size is
 * local_iov.iov_len, which the union below makes the same storage, and
 * such a vector needs no qemu_iovec_destroy().
 */
typedef struct QEMUIOVector {
    struct iovec *iov;
    int niov;
    union {
        struct {
            int nalloc;
            struct iovec local_iov;
        };
        struct {
            /* place @size exactly on top of local_iov.iov_len */
            char __pad[sizeof(int) + offsetof(struct iovec, iov_len)];
            size_t size;
        };
    };
} QEMUIOVector;

QEMU_BUILD_BUG_ON(offsetof(QEMUIOVector, size) !=
                  offsetof(QEMUIOVector, local_iov.iov_len));

#define QEMU_IOVEC_INIT_BUF(self, buf, len)              \
{                                                        \
    .iov = &(self).local_iov,                            \
    .niov = 1,                                           \
    .nalloc = -1,                                        \
    .local_iov = {                                       \
        .iov_base = (void *)(buf),                       \
        .iov_len = (len),                                \
    },                                                   \
}

/* Wrap one buffer; the vector must not be moved while in use. */
static inline void qemu_iovec_init_buf(QEMUIOVector *qiov,
                                       void *buf, size_t len)
{
    *qiov = (QEMUIOVector) QEMU_IOVEC_INIT_BUF(*qiov, buf, len);
}

/* The buffer of a vector made by qemu_iovec_init_buf(). */
static inline void *qemu_iovec_buf(QEMUIOVector *qiov)
{
    assert(qiov->nalloc == -1 && qiov->iov == &qiov->local_iov);
    return qiov->local_iov.iov_base;
}

void qemu_iovec_init(QEMUIOVector *qiov, int alloc_hint);
void qemu_iovec_init_external(QEMUIOVector *qiov, struct iovec *iov,
                              int niov);
/*
 * Build head_buf + [mid_offset, mid_offset + mid_len) of mid_qiov +
 * tail_buf; head/tail may be absent (len 0).  Always returns 0.
 */
int qemu_iovec_init_extended(QEMUIOVector *qiov,
                             void *head_buf, size_t head_len,
                             QEMUIOVector *mid_qiov, size_t mid_offset,
                             size_t mid_len,
                             void *tail_buf, size_t tail_len);
/* A vector for bytes [offset, offset + len) of @source. */
void qemu_iovec_init_slice(QEMUIOVector *qiov, QEMUIOVector *source,
                           size_t offset, size_t len);
/*
 * Locate [offset, offset + len) in @qiov: returns the first element
 * touched, with *head bytes to skip in it, *tail bytes to ignore at the
 * end of the last one and *niov elements in all.
 */
struct iovec *qemu_iovec_slice(QEMUIOVector *qiov,
                               size_t offset, size_t len,
                               size_t *head, size_t *tail, int *niov);
/* Number of elements covering [offset, offset + len). */
int qemu_iovec_subvec_niov(QEMUIOVector *qiov, size_t offset, size_t len);
void qemu_iovec_add(QEMUIOVector *qiov, void *base, size_t len);
/* Append bytes [soffset, soffset + sbytes) of @src (no data copied). */
void qemu_iovec_concat(QEMUIOVector *dst,
                       QEMUIOVector *src, size_t soffset, size_t sbytes);
size_t qemu_iovec_concat_iov(QEMUIOVector *dst,
                             struct iovec *src_iov, unsigned int src_cnt,
                             size_t soffset, size_t sbytes);
bool qemu_iovec_is_zero(QEMUIOVector *qiov, size_t qiov_offset,
                        size_t bytes);
void qemu_iovec_destroy(QEMUIOVector *qiov);
/* Empty the vector, keeping its allocation. */
void qemu_iovec_reset(QEMUIOVector *qiov);
size_t qemu_iovec_to_buf(QEMUIOVector *qiov, size_t offset,
                         void *buf, size_t bytes);
size_t qemu_iovec_from_buf(QEMUIOVector *qiov, size_t offset,
                           const void *buf, size_t bytes);
size_t qemu_iovec_memset(QEMUIOVector *qiov, size_t offset,
                         int fillc, size_t bytes);
/*
 * Compare contents; returns -1 if equal, else the offset of the first
 * differing byte.  Both vectors must have the same size.
 */
ssize_t qemu_iovec_compare(QEMUIOVector *a, QEMUIOVector *b);
/* Make @dest a vector shaped like @src but pointing into @buf. */
void qemu_iovec_clone(QEMUIOVector *dest, const QEMUIOVector *src,
                      void *buf);
void qemu_iovec_discard_back(QEMUIOVector *qiov, size_t bytes);

#endif /* QEMU_IOV_H */
