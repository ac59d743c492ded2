#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The `make run` demo: a qcow2 image made, written and checked with our
# tools (and cross-checked by QEMU 7.2's qemu-img when installed), then an
# E2K guest program run under both E2K runners.
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
set -e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() { echo "\$ $*"; "$@"; }

echo "== block tools"
run "$BUILD/qemu-img" create -f qcow2 "$tmp/disk.qcow2" 64M
run "$BUILD/qemu-io" -c 'write -P 0xa5 0 1M' -c 'read -P 0xa5 0 1M' "$tmp/disk.qcow2"
run "$BUILD/qemu-img" info "$tmp/disk.qcow2"
run "$BUILD/qemu-img" check "$tmp/disk.qcow2"
if command -v qemu-img >/dev/null; then
    echo "== cross-check with QEMU 7.2"
    run qemu-img check "$tmp/disk.qcow2"
fi

echo "== E2K guest"
inc="$SRC/tests/tcg/e2k/include"
run python3 "$SRC/scripts/e2k-as.py" -DRT_USER -I"$inc" -o "$tmp/hello.elf" \
    "$SRC/tests/tcg/e2k/hello.S"
run "$BUILD/qemu-e2k" "$tmp/hello.elf"
run python3 "$SRC/scripts/e2k-as.py" -DRT_SYS -I"$inc" --flat --origin 0x100000000 \
    -o "$tmp/fw.bin" "$SRC/tests/tcg/e2k/hello.S"
run "$BUILD/qemu-system-e2k" -machine e2k-test -bios "$tmp/fw.bin" -nographic
