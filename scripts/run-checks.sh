#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every test suite and end with one line: "N passed, N failed[, N skipped]".
#   scripts/run-checks.sh BUILDDIR [suite...]
# Suites: meson (unit and every other meson-registered test), tsa (the clang
# -Wthread-safety build, compile only), iotests (-raw, -qcow2 and -nbd -raw),
# iotests_reference (the quick iotests against the system QEMU 7.2 tools),
# asan (unit tests, the "corrupt" iotests (qcow2 and LUKS) and the "nbd" iotests with
# their hostile peers, built with -fsanitize=address,undefined in build-asan).
# Each suite adds its counts to the totals; a suite whose pieces do not
# exist yet is left out with a note.

BUILD=${1:-build}
shift 2>/dev/null
SUITES=${*:-"meson tsa iotests iotests_reference asan"}
SRC=$(cd "$(dirname "$0")/.." && pwd)
case "$BUILD" in /*) ;; *) BUILD="$SRC/$BUILD" ;; esac

PASSED=0
FAILED=0
SKIPPED=0
# One line per failed suite or test, repeated just above the summary line
# (CI reports often show only the tail of the output).
FAIL_LIST=$(mktemp)
trap 'rm -f "$FAIL_LIST"' EXIT

add_counts() {
    # $1 passed, $2 failed, $3 skipped, $4 suite name
    PASSED=$((PASSED + $1))
    FAILED=$((FAILED + $2))
    SKIPPED=$((SKIPPED + $3))
    echo "== $4: $1 passed, $2 failed, $3 skipped"
    [ "$2" -eq 0 ] || echo "$4" >>"$FAIL_LIST"
}

suite_meson() {
    rm -f "$BUILD/meson-logs/testlog.json"
    meson test -C "$BUILD" --no-rebuild --print-errorlogs --num-processes 2 \
        --no-suite bench
    counts=$(python3 "$SRC/scripts/meson-testlog-counts.py" \
             "$BUILD/meson-logs/testlog.json" 2>>"$FAIL_LIST")
    add_counts $counts "meson tests"
}

suite_tsa() {
    if ! command -v clang >/dev/null; then
        echo "== tsa: clang not installed, not run"
        add_counts 0 0 1 "tsa build"
        return
    fi
    TSA_BUILD="$SRC/build-tsa"
    if [ ! -f "$TSA_BUILD/build.ninja" ]; then
        (cd "$SRC" && ./configure --cc=clang --enable-tsa --builddir="$TSA_BUILD") \
            >"$SRC/build-tsa.log" 2>&1 || { cat "$SRC/build-tsa.log"; add_counts 0 1 0 "tsa build"; return; }
    fi
    if ninja -C "$TSA_BUILD" >"$SRC/build-tsa.log" 2>&1; then
        add_counts 1 0 0 "tsa build (clang -Wthread-safety -Werror)"
    else
        grep -E 'error|warning' "$SRC/build-tsa.log" | head -50
        add_counts 0 1 0 "tsa build (clang -Wthread-safety -Werror)"
    fi
}

suite_iotests() {
    IOT="$SRC/tests/qemu-iotests"
    if [ ! -x "$IOT/check" ] || [ ! -x "$BUILD/qemu-io" ] || [ ! -x "$BUILD/qemu-img" ]; then
        echo "== iotests: qemu-img/qemu-io not built yet, not run"
        return
    fi
    # -nbd -raw: the image served by our qemu-nbd, used through our client.
    for args in "-raw" "-qcow2" "-nbd -raw"; do
        out="$BUILD/iotests$(echo "$args" | tr -d ' ').log"
        (cd "$IOT" && QEMU_IMG_PROG="$BUILD/qemu-img" QEMU_IO_PROG="$BUILD/qemu-io" \
            QEMU_NBD_PROG="$BUILD/qemu-nbd" ./check $args) 2>&1 | tee "$out"
        iotests_counts "$out" "iotests $args"
    done
}

# Add the counts of the runner's summary line in log $1 under name $2
# (a missing summary is one failure); extra failures in $3.
iotests_counts() {
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
    if [ -z "$p" ]; then
        add_counts 0 $((1 + ${3:-0})) 0 "$2 (runner printed no summary)"
    else
        add_counts "$p" $((${f:-0} + ${3:-0})) "${s:-0}" "$2"
    fi
    awk -v suite="$2" '$2 == "fail" { print "  " suite ": " $1 }' "$1" >>"$FAIL_LIST"
}

# The iotests runner's self-test, then our iotests (quick group) against the
# installed QEMU 7.2 tools, -raw and -qcow2: proves the tests and the runner
# before our own tools exist.
suite_iotests_reference() {
    IOT="$SRC/tests/qemu-iotests"
    out="$BUILD/iotests-selftest.log"
    python3 -B "$IOT/selftest.py" >"$out" 2>&1
    line=$(tail -1 "$out")
    p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
    if [ -z "$p" ]; then
        cat "$out"
        add_counts 0 1 0 "iotests runner selftest (no summary)"
    else
        [ "${f:-0}" -eq 0 ] || cat "$out"
        add_counts "$p" "${f:-0}" 0 "iotests runner selftest"
    fi
    img=$(command -v qemu-img) io=$(command -v qemu-io)
    nbd=$(command -v qemu-nbd)
    if [ -z "$img" ] || [ -z "$io" ]; then
        echo "== iotests_reference: qemu-utils not installed, not run"
        add_counts 0 0 1 "iotests_reference"
        return
    fi
    for args in "-raw" "-qcow2" "-nbd -raw"; do
        out="$BUILD/iotests-reference$(echo "$args" | tr -d ' ').log"
        (cd "$IOT" && TEST_DIR="$BUILD/iotests-reference-scratch" \
            QEMU_IMG_PROG="$img" QEMU_IO_PROG="$io" QEMU_NBD_PROG="$nbd" \
            ./check $args -g quick) 2>&1 | tee "$out"
        iotests_counts "$out" "iotests_reference $args (QEMU 7.2 tools)"
    done
}

# Unit tests, the iotests of the "corrupt" group and the "nbd" group
# (malformed handshakes and replies from scripted peers) against binaries
# built with AddressSanitizer + UndefinedBehaviorSanitizer.  Any sanitizer
# report fails: the unit tests abort on it (and on leaks); for the iotests
# reports go to files under $ASAN_BUILD/asan-logs and each file with a report
# counts as a failure, since a report on a tool's stderr may not change a
# test's verdict.
# Leak detection is off for the iotests part (see docs/devel/testing.md).
suite_asan() {
    ASAN_BUILD="$SRC/build-asan"
    if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
        (cd "$SRC" && ./configure --enable-asan --builddir="$ASAN_BUILD") \
            >"$SRC/build-asan.log" 2>&1 || { cat "$SRC/build-asan.log"; add_counts 0 1 0 "asan build"; return; }
    fi
    if ! ninja -C "$ASAN_BUILD" >"$SRC/build-asan.log" 2>&1; then
        grep -E 'error|FAILED' "$SRC/build-asan.log" | head -50
        add_counts 0 1 0 "asan build"
        return
    fi
    logs="$ASAN_BUILD/asan-logs"
    rm -rf "$logs" && mkdir -p "$logs/unit" "$logs/iotests"

    # ASan's one-time "makecontext/swapcontext" warning would otherwise
    # land on stderr and break tests that match a child's stderr: all
    # sanitizer output goes to files, and the reports are printed here.
    rm -f "$ASAN_BUILD/meson-logs/testlog.json"
    ASAN_OPTIONS=abort_on_error=1:halt_on_error=1:detect_leaks=1:log_path="$logs/unit/asan" \
    UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path="$logs/unit/ubsan" \
        meson test -C "$ASAN_BUILD" --no-rebuild --print-errorlogs \
        --num-processes 2 --suite unit
    counts=$(python3 "$SRC/scripts/meson-testlog-counts.py" \
             "$ASAN_BUILD/meson-logs/testlog.json" 2>>"$FAIL_LIST")
    asan_reports "$logs/unit" >/dev/null
    add_counts $counts "asan unit tests"

    # Corrupt images (qcow2, and hostile LUKS headers under -raw), and
    # hostile NBD peers on both sides of the wire.
    IOT="$SRC/tests/qemu-iotests"
    for args in "-qcow2 -g corrupt" "-raw -g corrupt" "-raw -g nbd" "-qcow2 -g nbd"; do
        name=$(echo "$args" | tr -d ' ')
        out="$ASAN_BUILD/iotests-asan$name.log"
        rm -rf "$logs/iotests" && mkdir -p "$logs/iotests"
        (cd "$IOT" && TEST_DIR="$ASAN_BUILD/iotests-scratch" \
            ASAN_OPTIONS=detect_leaks=0:log_path="$logs/iotests/asan" \
            UBSAN_OPTIONS=print_stacktrace=1:log_path="$logs/iotests/ubsan" \
            QEMU_IMG_PROG="$ASAN_BUILD/qemu-img" QEMU_IO_PROG="$ASAN_BUILD/qemu-io" \
            QEMU_NBD_PROG="$ASAN_BUILD/qemu-nbd" ./check $args) 2>&1 | tee "$out"
        reports=$(asan_reports "$logs/iotests")
        iotests_counts "$out" \
            "asan iotests $args (+$reports sanitizer reports)" "$reports"
    done
}

# Print the sanitizer log files under $1 that hold a report (not just
# warnings) to stderr; print their number.
asan_reports() {
    n=0
    for file in $(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
                  -r "$1" 2>/dev/null); do
        echo "== sanitizer report $file:" >&2
        head -60 "$file" >&2
        n=$((n + 1))
    done
    echo "$n"
}

SUITE_TIMES=""
# (the suite functions use $s, $p and $f themselves)
for suite in $SUITES; do
    t0=$(date +%s)
    "suite_$suite"
    t1=$(date +%s)
    echo "== time: $suite $((t1 - t0))s"
    SUITE_TIMES="$SUITE_TIMES $suite=$((t1 - t0))s"
done
echo "== suite times:$SUITE_TIMES"
if [ -s "$FAIL_LIST" ]; then
    echo "== failed:"
    cat "$FAIL_LIST"
fi

if [ "$SKIPPED" -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
    echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
