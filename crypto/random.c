/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crypto/random.c: getrandom() in a loop (it may return short reads for
 * large requests or be interrupted by a signal).
 */
#include "qemu/osdep.h"
#include "qapi/error.h"
#include "crypto/random.h"
#include <sys/random.h>

int qcrypto_random_bytes(void *buf, size_t len, Error **errp)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = getrandom(p, len, 0);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error_setg_errno(errp, errno, "Unable to read random bytes");
            return -1;
        }
        p += n;
        len -= n;
    }
    return 0;
}
