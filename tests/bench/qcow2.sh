#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# qcow2 (issue 5): the same qcow2 workloads through ours and QEMU 7.2's
# tools, cache=none: 4 KiB random reads and writes on allocated clusters
# at depth 1 and 32, allocating 4 KiB writes (one per cluster) into an
# empty image and into an empty overlay of a full image (copy-on-write
# from the backing file), and 64 KiB sequential writes into a fresh image.
# Uses `qemu-img bench` for both tools when ours has it, else qemu-io for
# both (sync requests for depth 1, batches of aio requests closed by
# aio_flush for depth 32).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/common.inc"

IMG_MIB=$(scaled 256)
SIZE=$((IMG_MIB * 1048576))
CLUSTERS=$((SIZE / 65536))
FULL=$WORK/full.qcow2          # every cluster allocated, written by 7.2
FRESH=$WORK/fresh.qcow2        # recreated empty before every run

echo "qcow2: ${IMG_MIB} MiB images, 64 KiB clusters"
bench_check_tools "$OURS_IMG" "$OURS_IO" "$REF_IMG" "$REF_IO" || exit 0
bench_probe_cache
bench_probe_qemu_img_bench
if [ "$OURS_BENCH" = yes ]; then
    VIA=bench
    bench_note "through qemu-img bench (both tools)"
else
    VIA=qemu-io
    bench_note "through qemu-io (both tools): our qemu-img bench: $OURS_BENCH"
fi

"$REF_IMG" create -q -f qcow2 "$FULL" "$SIZE"
for ((off = 0; off < SIZE; off += 64 * 1048576)); do
    "$REF_IO" -c "write -q -P 0xa5 $off 64M" "$FULL" >/dev/null
done

fresh_image() {
    rm -f "$FRESH"
    "$REF_IMG" create -q -f qcow2 "$FRESH" "$SIZE"
}

# An empty overlay over the full image: partial writes copy the rest of
# each cluster from the backing file.
fresh_overlay() {
    rm -f "$FRESH"
    "$REF_IMG" create -q -f qcow2 -b "$FULL" -F qcow2 "$FRESH" "$SIZE"
}

# Row parameters: ROW_IMG ROW_WRITE(0/1) ROW_BS ROW_STEP ROW_N ROW_QD
# qemu-io command list for them (same offsets as bench would use).
gen_qemuio_cmds() {
    awk -v w="$ROW_WRITE" -v bs="$ROW_BS" -v step="$ROW_STEP" -v n="$ROW_N" \
        -v qd="$ROW_QD" -v size="$SIZE" '
        BEGIN {
            op = (qd == 1) ? (w ? "write" : "read") \
                           : (w ? "aio_write" : "aio_read")
            off = 0
            for (i = 0; i < n; i++) {
                printf "%s -q%s %d %d\n", op, (w ? " -P 0x5a" : ""), off, bs
                off = (off + step) % size
                if (qd > 1 && (i + 1) % qd == 0) print "aio_flush"
            }
            if (qd > 1) print "aio_flush"
        }' >"$WORK/cmds"
}

row_cmd() {
    local img=$OURS_IMG io=$OURS_IO
    if [ "$1" = ref ]; then
        img=$REF_IMG; io=$REF_IO
    fi
    if [ $VIA = bench ]; then
        CMD=("$img" bench -q -f qcow2 -t "$CACHE" -i threads -c "$ROW_N"
             -d "$ROW_QD" -s "$ROW_BS" -S "$ROW_STEP")
        [ "$ROW_WRITE" = 1 ] && CMD+=(-w --pattern=0x5a)
        CMD+=("$ROW_IMG")
    else
        CMD=("$io" -f qcow2 -t "$CACHE" -i threads "$ROW_IMG")
        RUN_STDIN=$WORK/cmds
    fi
}

# After a write run, QEMU 7.2 must find the image clean and the first and
# last requests' data (pattern 0x5a) in place.
verify_write() {
    local last=$(( (ROW_N - 1) * ROW_STEP % SIZE ))
    "$REF_IMG" check -q "$ROW_IMG" || { echo "image fails QEMU 7.2's check"; return 1; }
    "$REF_IO" -c "read -q -P 0x5a 0 $ROW_BS" -c "read -q -P 0x5a $last $ROW_BS" \
        "$ROW_IMG" | grep -q . &&
        { echo "QEMU 7.2 does not read the pattern back where written"; return 1; }
    return 0
}

# qcow2_row NAME IMG WRITE BS STEP N QD SETUP
qcow2_row() {
    ROW_IMG=$2; ROW_WRITE=$3; ROW_BS=$4; ROW_STEP=$5; ROW_N=$6; ROW_QD=$7
    gen_qemuio_cmds
    if [ "$ROW_WRITE" = 1 ]; then
        bench_row "$1" IOPS "$ROW_N" "$8" row_cmd verify_write
    else
        bench_row "$1" IOPS "$ROW_N" "$8" row_cmd
    fi
}

N1=$(scaled 4096)
N32=$(scaled 16384)
NCOW=$(scaled 1024)
qcow2_row "4k rand read qd1"      "$FULL" 0 4096 $RAND_STEP "$N1" 1 :
qcow2_row "4k rand read qd32"     "$FULL" 0 4096 $RAND_STEP "$N32" 32 :
qcow2_row "4k rand write qd1"     "$FULL" 1 4096 $RAND_STEP "$N1" 1 :
qcow2_row "4k rand write qd32"    "$FULL" 1 4096 $RAND_STEP "$N32" 32 :
qcow2_row "4k allocating write qd1"  "$FRESH" 1 4096 65536 "$CLUSTERS" 1 \
    fresh_image
qcow2_row "4k allocating write qd32" "$FRESH" 1 4096 65536 "$CLUSTERS" 32 \
    fresh_image
qcow2_row "4k COW write (backing) qd1" "$FRESH" 1 4096 65536 "$NCOW" 1 \
    fresh_overlay
qcow2_row "4k COW write (backing) qd32" "$FRESH" 1 4096 65536 "$NCOW" 32 \
    fresh_overlay
qcow2_row "64k seq write (fresh) qd32" "$FRESH" 1 65536 65536 "$CLUSTERS" 32 \
    fresh_image
bench_table "qcow2 via $VIA, cache=$CACHE, aio=threads (IOPS)"
