#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `make bench`: run every benchmark program in BUILD/tests/bench, then the
# scripted side-by-side comparisons in tests/bench/*.sh (ours beside the
# QEMU 7.2 tools from qemu-utils, same machine, same run).
#   scripts/run-bench.sh BUILDDIR [name...]
BUILD=${1:-build}
shift 2>/dev/null
SRC=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$SRC/$BUILD" ;; esac
export BUILD SRC

echo "== machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== reference: $(qemu-img --version 2>/dev/null | head -1 || echo 'qemu-img not installed')"

run_one() {
    echo
    echo "== $1"
    "$@" || echo "== $1 failed with status $?"
}

for prog in "$BUILD"/tests/bench/bench-*; do
    [ -x "$prog" ] && [ -f "$prog" ] || continue
    name=$(basename "$prog")
    if [ $# -gt 0 ] && ! echo " $* " | grep -q " $name "; then
        continue
    fi
    run_one "$prog"
done

for script in "$SRC"/tests/bench/*.sh; do
    [ -f "$script" ] || continue
    name=$(basename "$script" .sh)
    if [ $# -gt 0 ] && ! echo " $* " | grep -q " $name "; then
        continue
    fi
    run_one sh "$script"
done
