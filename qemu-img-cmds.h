/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qemu-img-cmds.h: the qemu-img subcommand table, one QEMU_IMG_CMD(name,
 * handler) line per subcommand in the order "--help" lists them.  The
 * includer defines QEMU_IMG_CMD (declarations in qemu-img-common.h, the
 * dispatch table in qemu-img.c).  No include guard on purpose.
 */
QEMU_IMG_CMD("amend", img_amend)
QEMU_IMG_CMD("bench", img_bench)
QEMU_IMG_CMD("bitmap", img_bitmap)
QEMU_IMG_CMD("check", img_check)
QEMU_IMG_CMD("commit", img_commit)
QEMU_IMG_CMD("compare", img_compare)
QEMU_IMG_CMD("convert", img_convert)
QEMU_IMG_CMD("create", img_create)
QEMU_IMG_CMD("dd", img_dd)
QEMU_IMG_CMD("info", img_info)
QEMU_IMG_CMD("map", img_map)
QEMU_IMG_CMD("measure", img_measure)
QEMU_IMG_CMD("snapshot", img_snapshot)
QEMU_IMG_CMD("rebase", img_rebase)
QEMU_IMG_CMD("resize", img_resize)
