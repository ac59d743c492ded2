/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qerror.h: the QERR_* message templates.  They live in qapi/error.h
 * here; this header exists so code written against QEMU's layout finds
 * them where it expects.
 */
#ifndef QAPI_QMP_QERROR_H
#define QAPI_QMP_QERROR_H

#include "qapi/error.h"

#endif /* QAPI_QMP_QERROR_H */
