#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The `make run` demo: a qcow2 image made, written, given a dirty bitmap
# and checked with our tools (and cross-checked by QEMU 7.2's qemu-img when
# installed), served by our qemu-nbd and read over NBD (by our qemu-io and
# QEMU 7.2's), then an E2K guest program run under both E2K runners.
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
run "$BUILD/qemu-img" bitmap --add "$tmp/disk.qcow2" b0
run "$BUILD/qemu-io" -c 'write -P 0x5a 4M 64k' "$tmp/disk.qcow2"
run "$BUILD/qemu-img" info "$tmp/disk.qcow2"
if command -v qemu-img >/dev/null; then
    echo "== cross-check with QEMU 7.2"
    run qemu-img check "$tmp/disk.qcow2"
fi

echo "== NBD: our qemu-nbd serving the image"
run "$BUILD/qemu-nbd" --fork --pid-file="$tmp/nbd.pid" -t -r -f qcow2 \
    -k "$tmp/nbd.sock" -x disk -B b0 "$tmp/disk.qcow2"
url="nbd+unix:///disk?socket=$tmp/nbd.sock"
run "$BUILD/qemu-io" -r -f raw -c 'read -P 0xa5 0 1M' "$url"
run "$BUILD/qemu-img" map --output=json --image-opts \
    "driver=nbd,server.type=unix,server.path=$tmp/nbd.sock,export=disk,x-dirty-bitmap=qemu:dirty-bitmap:b0"
if command -v qemu-io >/dev/null; then
    run qemu-io -r -f raw -c 'read -P 0x5a 4M 64k' "$url"
fi
kill "$(cat "$tmp/nbd.pid")" 2>/dev/null || true

echo "== E2K guest"
inc="$SRC/tests/tcg/e2k/include"
run python3 "$SRC/scripts/e2k-as.py" -DRT_USER -I"$inc" -o "$tmp/hello.elf" \
    "$SRC/tests/tcg/e2k/hello.S"
run "$BUILD/qemu-e2k" "$tmp/hello.elf"
run python3 "$SRC/scripts/e2k-as.py" -DRT_SYS -I"$inc" --flat --origin 0x100000000 \
    -o "$tmp/fw.bin" "$SRC/tests/tcg/e2k/hello.S"
run "$BUILD/qemu-system-e2k" -machine e2k-test -bios "$tmp/fw.bin" -nographic
