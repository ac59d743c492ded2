/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * block/blkdebug.h: private glue between blkdebug.c (the driver) and
 * blkdebug-config.c (rule descriptions from the config file and options).
 * Main loop only: the option groups are global and reset after each open.
 */
#ifndef BLOCK_BLKDEBUG_H
#define BLOCK_BLKDEBUG_H

#include "qemu/option.h"

/* One QemuOpts per rule; emptied by the driver after every open. */
extern QemuOptsList blkdebug_inject_error_opts;
extern QemuOptsList blkdebug_set_state_opts;

/*
 * Add a QemuOpts to the matching group for each section of the config
 * file @fname.  0, or a negative errno with @errp set ("Could not read
 * blkdebug config file", "parse error", "no group defined", "There is no
 * option group '%s'", or the option's own error, as QEMU 7.2).
 */
int blkdebug_read_config_file(const char *fname, Error **errp);

/*
 * Move the inject-error.N.* and set-state.N.* keys of @options (consumed)
 * into QemuOpts of the matching group.  0 or -EINVAL with @errp set.
 */
int blkdebug_options_to_groups(QDict *options, Error **errp);

#endif /* BLOCK_BLKDEBUG_H */
