/* SPDX-License-Identifier: GPL-2.0-or-later */
/* units.h: binary (KiB = 1024) and decimal size constants. */
#ifndef QEMU_UNITS_H
#define QEMU_UNITS_H

#define KiB     (INT64_C(1) << 10)
#define MiB     (INT64_C(1) << 20)
#define GiB     (INT64_C(1) << 30)
#define TiB     (INT64_C(1) << 40)
#define PiB     (INT64_C(1) << 50)
#define EiB     (INT64_C(1) << 60)

#define KB      INT64_C(1000)
#define MB      INT64_C(1000000)
#define GB      INT64_C(1000000000)
#define TB      INT64_C(1000000000000)
#define PB      INT64_C(1000000000000000)
#define EB      INT64_C(1000000000000000000)

#endif /* QEMU_UNITS_H */
