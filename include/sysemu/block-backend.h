/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block-backend.h: umbrella for the BlockBackend API, the handle that
 * devices, the tools and the NBD server use to reach a node graph.
 * Split by calling context into block-backend-global-state.h (main
 * loop) and block-backend-io.h (any thread of the backend's AioContext).
 */
#ifndef BLOCK_BACKEND_H
#define BLOCK_BACKEND_H

#include "sysemu/block-backend-global-state.h"
#include "sysemu/block-backend-io.h"


#endif /* BLOCK_BACKEND_H */
