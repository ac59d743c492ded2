#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The `make run` demo: show what the build can do today.
BUILD=${1:-build}
set -e
echo "== built programs in $BUILD:"
ls "$BUILD" | grep -E '^qemu-' || echo "(no tools yet)"
echo "== unit tests:"
meson test -C "$BUILD" --no-rebuild --suite unit 2>&1 | tail -8
