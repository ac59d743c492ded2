/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-nbd.h: what qemu-nbd.c (the server's main loop) and
 * qemu-nbd-opts.c (command line, image, export) share.
 */
#ifndef QEMU_NBD_H
#define QEMU_NBD_H

#include "sysemu/block-backend.h"

typedef struct QemuNbdArgs {
    const char *sockpath;       /* -k */
    const char *bindto;         /* -b */
    const char *port;           /* -p */
    const char *export_name;    /* -x */
    const char *description;    /* -D */
    const char *format;         /* -f */
    const char *snapshot;       /* -l ID_OR_NAME */
    QemuOpts *sn_opts;          /* -l snapshot.id=...,snapshot.name=... */
    const char *device;         /* -c */
    const char *pid_file;
    const char *tls_creds;
    const char *tls_authz;
    const char *selinux_label;
    const char *detect_zeroes;
    const char *filename;       /* the FILE argument */
    GPtrArray *objects;         /* --object */
    GPtrArray *bitmaps;         /* -B, newest first as QEMU keeps them */
    int64_t offset;             /* -o */
    int shared;                 /* -e */
    int flags;                  /* BDRV_O_* */
    bool writethrough;
    bool readonly;
    bool persistent;
    bool verbose;
    bool fork;
    bool list;
    bool disconnect;
    bool image_opts;
    bool alloc_depth;
    bool seen_cache, seen_aio, seen_discard;
} QemuNbdArgs;

/* --help and --version texts (qemu-nbd.c). */
void qemu_nbd_usage(const char *name);
void qemu_nbd_version(const char *name);

/* Parse argv into @a; prints QEMU's messages and exits on errors. */
void qemu_nbd_parse_args(int argc, char **argv, QemuNbdArgs *a);

/* --tls-creds / --tls-authz: this build has no TLS; exits with 7.2's text. */
void qemu_nbd_check_tls(QemuNbdArgs *a);

/* Open FILE as the options say (-f, -s, -l, -o, caches...); exits on error. */
BlockBackend *qemu_nbd_open_image(QemuNbdArgs *a);

/* Publish @blk as the export: 0, or -1 with @errp set. */
int qemu_nbd_export(QemuNbdArgs *a, BlockBackend *blk, Error **errp);

/* -c DEV: kernel NBD devices are not supported; exits. */
void qemu_nbd_connect_device(QemuNbdArgs *a);

#endif /* QEMU_NBD_H */
