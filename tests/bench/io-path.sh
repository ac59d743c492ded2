#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# I/O path (issue 4): qemu-io aio_read/aio_write throughput on a raw file,
# ours beside QEMU 7.2's qemu-io, then beside fio when it is installed.
# Many requests per qemu-io process (a command list on stdin, batches of
# QD aio requests each closed by aio_flush, which waits for them); the
# whole process is timed.  Against fio, both sides count I/O time only
# and fio runs the same pattern (batches of QD, each drained before the
# next).  See tests/bench/README.md.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
. "$(dirname "$0")/common.inc"

QD=32
FILE_MIB=$(scaled 256)
RAND_REQS=$(scaled 32768)       # 4 KiB random: 128 MiB at scale 1
SEQ_REQS=$(scaled 4096)         # 64 KiB sequential: 256 MiB (the whole file)
IMG=$WORK/raw.img

echo "io-path: raw file, qemu-io aio_read/aio_write at depth $QD"
bench_check_tools "$OURS_IO" "$REF_IO" || exit 0
bench_probe_cache

# qemu-io prints and flushes a prompt for every command it reads (7.2
# too): 8k+ small writes per run into the captured output, $WORK/out.
# $WORK is on the disk under test, so they added journal commits to the
# very I/O being timed (4k random writes: 10-40 ms, 10-20%, slower with
# the output there than in /dev/null).  The output goes to tmpfs when
# there is one; fio prints nothing while it runs.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    OUT_SHM=$(mktemp /dev/shm/qemu-bench-out.XXXXXX) &&
        ln -s "$OUT_SHM" "$WORK/out" &&
        trap 'rm -rf "$WORK" "$OUT_SHM"' EXIT &&
        bench_note "tools' output captured on tmpfs (not on the disk under test)"
fi

# A fully written file, so that writes never allocate blocks.
dd if=/dev/zero of="$IMG" bs=1M count="$FILE_MIB" conv=fsync status=none

# gen_cmds OP BS COUNT random|seq > file: the qemu-io command list.
gen_cmds() {
    awk -v op="$1" -v bs="$2" -v n="$3" -v mode="$4" \
        -v size=$((FILE_MIB * 1048576)) -v qd="$QD" '
        BEGIN {
            srand(4242); blocks = int(size / bs)
            for (i = 0; i < n; i++) {
                b = (mode == "random") ? int(rand() * blocks) : i % blocks
                pat = (op == "aio_write") ? " -P 0x5a" : ""
                printf "%s -q%s %d %d\n", op, pat, b * bs, bs
                if ((i + 1) % qd == 0) print "aio_flush"
            }
            print "aio_flush"
        }'
}

for mode in random seq; do
    for op in aio_read aio_write; do
        if [ $mode = random ]; then
            gen_cmds $op 4096 "$RAND_REQS" random >"$WORK/$op.$mode"
        else
            gen_cmds $op 65536 "$SEQ_REQS" seq >"$WORK/$op.$mode"
        fi
    done
done

# Row parameters, read by qemuio_cmd.
ROW_OP=; ROW_MODE=; ROW_AIO=
qemuio_cmd() {
    local prog=$OURS_IO
    [ "$1" = ref ] && prog=$REF_IO
    CMD=("$prog" -f raw -t "$CACHE" -i "$ROW_AIO" "$IMG")
    RUN_STDIN=$WORK/$ROW_OP.$ROW_MODE
}

# After a write run the first request's data must be in the file.
verify_write() {
    [ "$ROW_OP" = aio_write ] || return 0
    local off bs
    read -r _ _ off bs <"$WORK/$ROW_OP.$ROW_MODE"
    "$REF_IO" -f raw -c "read -q -P 0x5a $off $bs" "$IMG" | grep -q . &&
        { echo "QEMU 7.2 does not read the pattern back where written"; return 1; }
    return 0
}

# bench_rows SUFFIX CMDFN [VERIFY]: the four rows (4k random and 64k
# sequential, read and write) of one table, setting ROW_MODE and ROW_OP.
bench_rows() {
    local what bytes
    for ROW_MODE in random seq; do
        for ROW_OP in aio_read aio_write; do
            if [ $ROW_MODE = random ]; then
                what="4k rand"; bytes=$((RAND_REQS * 4096))
            else
                what="64k seq"; bytes=$((SEQ_REQS * 65536))
            fi
            bench_row "$what ${ROW_OP#aio_} $1" MiB/s "$bytes" : "$2" "${3:-:}"
        done
    done
}

for ROW_AIO in threads io_uring; do
    bench_rows "aio=$ROW_AIO" qemuio_cmd verify_write
done
bench_table "io-path: qemu-io on a ${FILE_MIB} MiB raw file, cache=$CACHE"

# The same requests through fio's io_uring engine.
if ! command -v fio >/dev/null 2>&1; then
    echo
    echo "io-path vs fio: n/a: fio not installed (apt-get install fio)"
    exit 0
fi

# fio reports its own I/O time (its job takes about half a second to
# start); qemu-io reports none for a batch of aio requests (each aio
# command prints its own latency, and with -q nothing), so ours is the
# whole run minus the best run of the same command line on an empty
# command list: start-up, open and close.
qemuio_base() {
    local rep best=""
    for ((rep = 0; rep < REPS; rep++)); do
        RUN_STDIN=/dev/null timed_run "$OURS_IO" -f raw -t "$CACHE" \
            -i io_uring "$IMG"
        best=$(awk -v a="$T" -v b="$best" \
            'BEGIN { print (b == "" || a < b) ? a : b }')
    done
    echo "$best"
}
BASE_OURS=$(qemuio_base)

REF_NAME=fio
# FIO_MODE: "batch" drains each batch of QD before the next, as qemu-io's
# command list does; "free" keeps QD requests in flight all along.
FIO_MODE=batch
fio_cmd() {
    if [ "$1" = ours ]; then
        qemuio_cmd ours
        return
    fi
    local rw bs n
    case "$ROW_MODE.$ROW_OP" in
    random.aio_read) rw=randread; bs=4k; n=$RAND_REQS ;;
    random.aio_write) rw=randwrite; bs=4k; n=$RAND_REQS ;;
    seq.aio_read) rw=read; bs=64k; n=$SEQ_REQS ;;
    seq.aio_write) rw=write; bs=64k; n=$SEQ_REQS ;;
    esac
    CMD=(fio --name=bench --filename="$IMG" --rw=$rw --bs=$bs
         --number_ios="$n" --size="${FILE_MIB}M" --ioengine=io_uring
         --iodepth=$QD --randrepeat=1 --norandommap
         --direct=$([ "$CACHE" = none ] && echo 1 || echo 0)
         --output-format=json)
    if [ "$FIO_MODE" = batch ]; then
        CMD+=(--iodepth_batch_submit=$QD --iodepth_batch_complete_min=$QD)
    fi
    # qemu-io flushes the image when it closes it (fdatasync: the host's
    # write cache after the run's writes, 2-4 ms here), inside the time
    # measured for ours; fio's time includes its end_fsync.
    if [ "$ROW_OP" = aio_write ] && [ "$FIO_END_FSYNC" = 1 ]; then
        CMD+=(--end_fsync=1)
    fi
}
# fio writes its own data: only our runs are read back.
verify_ours() {
    [ "$1" = ours ] || return 0
    verify_write
}
fio_time() {
    if [ "$1" = ours ]; then
        awk -v t="$T" -v b="$BASE_OURS" \
            'BEGIN { d = t - b; print (d > 0.0001 ? d : 0.0001) }'
        return
    fi
    awk -F: '/"io_bytes"/ { gsub(/[ ,]/, "", $2); b = $2 }
             /"bw_bytes"/ { gsub(/[ ,]/, "", $2); if ($2 > 0) t += b / $2 }
             END { print t }' "$WORK/out"
}
TIMEFN=fio_time
ROW_AIO=io_uring
FIO_END_FSYNC=1
for FIO_MODE in batch free; do
    bench_rows io_uring fio_cmd verify_ours
    bench_note "ours: qemu-io's I/O time (whole run minus $(awk -v b="$BASE_OURS" 'BEGIN { printf "%.1f", b * 1000 }') ms for start-up, open and close); fio: its own I/O time"
    bench_note "write rows: fio ends with an fsync (--end_fsync=1) as qemu-io's close flushes the image"
    if [ $FIO_MODE = batch ]; then
        bench_note "fio drains every batch of $QD before the next (--iodepth_batch_submit/--iodepth_batch_complete_min=$QD), as qemu-io's command list does"
        bench_table "io-path vs fio, same pattern (io_uring, batches of $QD, cache=$CACHE)" fio
    else
        bench_note "fio keeps $QD requests in flight all along: qemu-io's command list cannot (aio_flush drains each batch)"
        bench_table "io-path vs fio, fio free-running (io_uring, depth $QD, cache=$CACHE)" fio
    fi
done

# qemu-img bench keeps QD requests in flight all along, as fio's free
# running mode does, and prints its own run time ("Run completed in X
# seconds."): the I/O path without qemu-io's command parsing in the way.
# Its 4 KiB "random" rows step 257 blocks at a time through the file (a
# stride coprime with the block count, so every block is visited); fio's
# are random.  64 KiB rows are sequential on both sides.
img_bench_cmd() {
    if [ "$1" = ref ]; then
        FIO_MODE=free fio_cmd ref
        return
    fi
    local bs n step=() rw=()
    case "$ROW_MODE" in
    random) bs=4096; n=$RAND_REQS; step=(-S $((257 * 4096))) ;;
    seq) bs=65536; n=$SEQ_REQS ;;
    esac
    [ "$ROW_OP" = aio_write ] && rw=(-w --pattern=90)
    CMD=("$OURS_IMG" bench -f raw -t "$CACHE" -i io_uring -d "$QD"
         -c "$n" -s "$bs" "${step[@]}" "${rw[@]}" "$IMG")
}
img_bench_time() {
    if [ "$1" = ours ]; then
        sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p' "$WORK/out"
        return
    fi
    fio_time ref
}
TIMEFN=img_bench_time
FIO_MODE=free
FIO_END_FSYNC=0     # qemu-img bench does not flush (no --flush-interval)
bench_rows io_uring img_bench_cmd
bench_note "ours: qemu-img bench's own run time; fio: its own I/O time; both keep $QD requests in flight"
bench_note "ours' 4k rows step 257 blocks through the file (every block visited), fio's are random"
bench_table "io-path vs fio: qemu-img bench, depth $QD free-running (io_uring, cache=$CACHE)" fio
