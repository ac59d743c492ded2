#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qemu-img (issue 6), ours beside QEMU 7.2's on the same images:
#   bench    raw and qcow2, read and write, depth 1 and 32, aio=threads and
#            io_uring (4 KiB sequential requests, bench's own pattern)
#   convert  a half-full 2 GiB image: raw->qcow2, qcow2->raw; and
#            qcow2->qcow2 -c on a 256 MiB one (compression is CPU-bound:
#            2 GiB would take minutes per run for both tools)
#   check, map  a qcow2 with 200000 allocated clusters (written by 7.2),
#            each its own extent; 4 KiB clusters by default so that the
#            image takes 800 MiB of disk, not 13 GiB (BENCH_MANY_CLUSTER
#            sets another cluster size)
#   start-up `qemu-img --version`, many runs
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/common.inc"

echo "qemu-img: bench, convert, check, map, start-up"
bench_check_tools "$OURS_IMG" "$REF_IMG" "$REF_IO" || exit 0
bench_probe_cache
bench_probe_qemu_img_bench

# ---- bench ---------------------------------------------------------------
BENCH_MIB=$(scaled 256)
BSIZE=$((BENCH_MIB * 1048576))
N1=$(scaled 4096)
N32=$(scaled 16384)

tool_img() {
    if [ "$1" = ours ]; then echo "$OURS_IMG"; else echo "$REF_IMG"; fi
}

bench_cmd() {
    CMD=("$(tool_img "$1")" bench -q -f "$ROW_FMT" -t "$CACHE" -i "$ROW_AIO"
         -c "$ROW_N" -d "$ROW_QD" -s 4096)
    [ "$ROW_WRITE" = 1 ] && CMD+=(-w --pattern=0x5a)
    CMD+=("$WORK/bench.$ROW_FMT")
}

# After a write run QEMU 7.2 reads the pattern back at the first and the
# last request's offset (and finds a qcow2 clean).
bench_verify() {
    [ "$ROW_WRITE" = 1 ] || return 0
    local img=$WORK/bench.$ROW_FMT last=$(( (ROW_N - 1) * 4096 % BSIZE ))
    if [ "$ROW_FMT" = qcow2 ]; then
        "$REF_IMG" check -q "$img" || { echo "image fails 7.2's check"; return 1; }
    fi
    "$REF_IO" -f "$ROW_FMT" -c "read -q -P 0x5a 0 4k" \
        -c "read -q -P 0x5a $last 4k" "$img" | grep -q . &&
        { echo "QEMU 7.2 does not read the pattern back where written"; return 1; }
    return 0
}

for ROW_FMT in raw qcow2; do
    "$REF_IMG" create -q -f "$ROW_FMT" "$WORK/bench.$ROW_FMT" "$BSIZE"
    for ((off = 0; off < BSIZE; off += 64 * 1048576)); do
        "$REF_IO" -f "$ROW_FMT" -c "write -q -P 0xa5 $off 64M" \
            "$WORK/bench.$ROW_FMT" >/dev/null
    done
    for ROW_AIO in threads io_uring; do
        for ROW_WRITE in 0 1; do
            for ROW_QD in 1 32; do
                ROW_N=$N1
                [ $ROW_QD = 32 ] && ROW_N=$N32
                name="bench $ROW_FMT $([ $ROW_WRITE = 1 ] && echo write ||
                    echo read) qd$ROW_QD $ROW_AIO"
                if [ "$OURS_BENCH" != yes ]; then
                    bench_na "$name" "ours: $OURS_BENCH"
                    continue
                fi
                bench_row "$name" IOPS "$ROW_N" : bench_cmd bench_verify
            done
        done
    done
    rm -f "$WORK/bench.$ROW_FMT"
done
bench_table "qemu-img bench: ${BENCH_MIB} MiB images, 4 KiB requests, cache=$CACHE (IOPS)"

# ---- convert -------------------------------------------------------------
OUT=$WORK/out.img

# conv_image MIB: $WORK/src.raw of MIB MiB where every other MiB holds data,
# alternately a repeating byte pattern (compresses well) and random bytes
# (does not), the rest holes; $WORK/src.qcow2 is its qcow2 copy by 7.2.
conv_image() {
    local mib=$1 i
    SRC_RAW=$WORK/src.raw
    SRC_QCOW2=$WORK/src.qcow2
    rm -f "$SRC_RAW" "$SRC_QCOW2"
    "$REF_IMG" create -q -f raw "$SRC_RAW" "${mib}M"
    for ((i = 0; i < mib; i += 2)); do
        if (( i / 2 % 2 == 0 )); then
            echo "write -q -P $((i % 251 + 1)) ${i}M 1M"
        else
            dd if=/dev/urandom of="$SRC_RAW" bs=1M count=1 seek=$i \
                conv=notrunc status=none
        fi
    done >"$WORK/fill.cmds"
    "$REF_IO" -f raw "$SRC_RAW" <"$WORK/fill.cmds" >/dev/null
    "$REF_IMG" convert -f raw -O qcow2 "$SRC_RAW" "$SRC_QCOW2"
}

# Untimed: the previous output is gone and the dirty pages of earlier
# runs are on disk, so that no run pays for another's write-back.
conv_setup() {
    rm -f "$OUT"
    sync
}
conv_cmd() {
    CMD=("$(tool_img "$1")" convert "${CONV_ARGS[@]}" "$OUT")
}
conv_verify() {
    "$REF_IMG" compare -q -f raw -F "$CONV_OUTFMT" "$SRC_RAW" "$OUT" ||
        { echo "output differs from the source (QEMU 7.2's compare)"; return 1; }
}

CONV_MIB=$(scaled 2048)
conv_image "$CONV_MIB"
CONV_ARGS=(-f raw -O qcow2 "$SRC_RAW"); CONV_OUTFMT=qcow2
bench_row "convert raw->qcow2" s 0 conv_setup conv_cmd conv_verify
CONV_ARGS=(-f qcow2 -O raw "$SRC_QCOW2"); CONV_OUTFMT=raw
bench_row "convert qcow2->raw" s 0 conv_setup conv_cmd conv_verify

COMP_MIB=$(scaled 256)
conv_image "$COMP_MIB"
CONV_ARGS=(-f qcow2 -O qcow2 -c "$SRC_QCOW2"); CONV_OUTFMT=qcow2
bench_row "convert qcow2->qcow2 -c (${COMP_MIB} MiB)" s 0 conv_setup \
    conv_cmd conv_verify
rm -f "$SRC_RAW" "$SRC_QCOW2" "$OUT"
bench_table "qemu-img convert: ${CONV_MIB} MiB image (-c: ${COMP_MIB} MiB), half allocated (seconds)"

# ---- check and map -------------------------------------------------------
NCL=$(scaled 200000)
MANY_CL=${BENCH_MANY_CLUSTER:-4096}
MANY=$WORK/many.qcow2

# 4 KiB into every other cluster: NCL allocated clusters, each its own
# extent in the guest view, written by QEMU 7.2's qemu-io.  (awk prints
# the offsets with %.0f: %d stops at 2^31 in some awks.)
"$REF_IMG" create -q -f qcow2 -o cluster_size="$MANY_CL" "$MANY" \
    $((2 * NCL * MANY_CL))
awk -v n="$NCL" -v cl="$MANY_CL" 'BEGIN {
    for (i = 0; i < n; i++) {
        printf "aio_write -q -P 0x33 %.0f 4096\n", 2 * i * cl
        if (i % 64 == 63) print "aio_flush"
    }
    print "aio_flush" }' >"$WORK/many.cmds"
"$REF_IO" -f qcow2 "$MANY" <"$WORK/many.cmds" >/dev/null
"$REF_IMG" map -f qcow2 "$MANY" >"$WORK/map.ref"
# (The fragmentation figure is left out of the comparison: ours carries
# the contiguity chain across L2 tables, 7.2 starts it again per table.)
frag_filter() {
    sed 's/[0-9.]*% fragmented/-% fragmented/' "$@"
}
"$REF_IMG" check -f qcow2 "$MANY" | frag_filter >"$WORK/check.ref"

check_cmd() {
    CMD=("$(tool_img "$1")" check -f qcow2 "$MANY")
}
map_cmd() {
    CMD=("$(tool_img "$1")" map -f qcow2 "$MANY")
}
check_verify() {
    [ "$1" = ours ] || return 0
    frag_filter "$WORK/out" | cmp -s - "$WORK/check.ref" ||
        { echo "check output differs from QEMU 7.2's"; return 1; }
}
map_verify() {
    [ "$1" = ours ] || return 0
    cmp -s "$WORK/out" "$WORK/map.ref" ||
        { echo "map output differs from QEMU 7.2's"; return 1; }
}
bench_row "check ($NCL clusters)" s 0 : check_cmd check_verify
bench_row "map ($NCL extents)" s 0 : map_cmd map_verify
rm -f "$MANY"
bench_table "qemu-img check and map: qcow2 with $NCL allocated $((MANY_CL / 1024)) KiB clusters (seconds)"

# ---- start-up ------------------------------------------------------------
RUNS=$(scaled 200)
startup_cmd() {
    CMD=("$RUNSTAT" -n "$RUNS" -o /dev/null -- "$(tool_img "$1")" --version)
}
bench_row "qemu-img --version" ms/run "$RUNS" : startup_cmd
bench_table "qemu-img start-up: --version, $RUNS runs (ms per run)"
