#!/usr/bin/env bash
# Run every cargo-fuzz target of the elig SDK (fuzz/, its own workspace).
#
#   ./fuzz.sh            every target for 60 s (AddressSanitizer)
#   ./fuzz.sh SECONDS    every target for SECONDS
#   ./fuzz.sh smoke      every target briefly (FUZZ_SMOKE_SECONDS, default 10; no sanitizer):
#                        what CI runs through ./test.sh
#   ./fuzz.sh SECONDS TARGET...   only the named targets
#
# Environment:
#   FUZZ_SANITIZER      address | none (default: address for timed runs, none for smoke).
#                       Nightly is not needed: on a stable toolchain AddressSanitizer is
#                       enabled with RUSTC_BOOTSTRAP=1 (DESIGN.md, "Fuzzing").
#   FUZZ_SMOKE_SECONDS  seconds per target in smoke mode (default 10).
#   FUZZ_TIMEOUT        seconds one input may take before it counts as a hang (default 10).
#   CARGO_TARGET_DIR    honoured; default is fuzz/target.
#
# A crash, hang or out-of-memory stops that target, the input is saved under
# fuzz/artifacts/<target>/ and its path is printed; the other targets still run, and the
# script exits non-zero at the end. A summary (executions per target) is printed and saved to
# fuzz/artifacts/summary.txt. See fuzz/README.md for reproducing and minimizing.
set -euo pipefail
cd "$(dirname "$0")"

MODE="${1:-60}"
if [ "$#" -gt 0 ]; then shift; fi

if [ "$MODE" = "smoke" ]; then
    SECONDS_PER_TARGET="${FUZZ_SMOKE_SECONDS:-10}"
    SANITIZER="${FUZZ_SANITIZER:-none}"
else
    SECONDS_PER_TARGET="$MODE"
    SANITIZER="${FUZZ_SANITIZER:-address}"
fi
case "$SECONDS_PER_TARGET" in
    '' | *[!0-9]*)
        echo "usage: ./fuzz.sh [SECONDS|smoke] [TARGET...]  (got '$MODE')" >&2
        exit 2
        ;;
esac
case "$SANITIZER" in
    none | address) ;;
    *)
        echo "FUZZ_SANITIZER must be 'address' or 'none' (got '$SANITIZER')" >&2
        exit 2
        ;;
esac
INPUT_TIMEOUT="${FUZZ_TIMEOUT:-10}"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# --- cargo-fuzz ---------------------------------------------------------------------------
if ! cargo fuzz --version >/dev/null 2>&1; then
    step "installing cargo-fuzz (cargo install --locked)"
    nice -n 10 cargo install cargo-fuzz --locked
fi

# --- build every target once ------------------------------------------------------------
if [ "$SANITIZER" = "address" ]; then
    # AddressSanitizer needs -Zsanitizer; on a stable toolchain RUSTC_BOOTSTRAP=1 allows it.
    # CARGO_CACHE_RUSTC_INFO=0 keeps cargo from reusing a stale rustc probe
    # (fuzz/target/.rustc_info.json) from a run without it.
    export RUSTC_BOOTSTRAP=1 CARGO_CACHE_RUSTC_INFO=0
fi
step "cargo fuzz build --sanitizer $SANITIZER --debug-assertions"
cargo fuzz build --sanitizer "$SANITIZER" --debug-assertions

if [ "$#" -gt 0 ]; then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <(cargo fuzz list)
fi
if [ "${#TARGETS[@]}" -eq 0 ]; then
    echo "no fuzz targets found in fuzz/Cargo.toml" >&2
    exit 1
fi

TARGET_DIR="${CARGO_TARGET_DIR:-fuzz/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$PWD/$TARGET_DIR" ;; esac
TRIPLE="$(rustc -vV | sed -n 's/^host: //p')"
BIN_DIR="$TARGET_DIR/$TRIPLE/release"

mkdir -p fuzz/artifacts
SUMMARY=fuzz/artifacts/summary.txt
{
    echo "# ./fuzz.sh $MODE — $(date -u '+%Y-%m-%d %H:%M UTC'), sanitizer $SANITIZER, ${SECONDS_PER_TARGET}s per target"
    echo "# $(rustc --version); $(nproc) cores; $(uname -srm)"
    printf '%-28s %12s %10s %8s  %s\n' target executions exec/s corpus result
} >"$SUMMARY"

FAILED=()
for target in "${TARGETS[@]}"; do
    bin="$BIN_DIR/$target"
    if [ ! -x "$bin" ]; then
        echo "fuzz target '$target' was not built ($bin missing)" >&2
        FAILED+=("$target: not built")
        continue
    fi
    corpus="fuzz/corpus/$target"
    artifacts="fuzz/artifacts/$target"
    log="fuzz/artifacts/$target.log"
    mkdir -p "$corpus" "$artifacts"
    step "$target (${SECONDS_PER_TARGET}s)"
    status=0
    # The outer timeout only guards against a fuzzer that never returns; -timeout catches
    # slow inputs and saves them.
    timeout -k 10 "$((SECONDS_PER_TARGET * 2 + 120))" \
        "$bin" "$corpus" \
        -max_total_time="$SECONDS_PER_TARGET" \
        -timeout="$INPUT_TIMEOUT" \
        -rss_limit_mb=2048 \
        -malloc_limit_mb=512 \
        -print_final_stats=1 \
        -artifact_prefix="$artifacts/" \
        >"$log" 2>&1 || status=$?
    execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
    files="$(find "$corpus" -type f | wc -l)"
    if [ "$status" -eq 0 ]; then
        result=ok
        tail -n 3 "$log"
    else
        saved="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)"
        result="FAILED (exit $status)"
        tail -n 40 "$log" >&2
        if [ -n "$saved" ]; then
            echo "!!! $target: crashing input saved to $saved" >&2
            echo "    reproduce: cargo fuzz run --sanitizer $SANITIZER $target $saved" >&2
            echo "    minimize:  cargo fuzz tmin --sanitizer $SANITIZER $target $saved" >&2
            FAILED+=("$target: $saved")
        else
            echo "!!! $target: fuzzer exited with status $status and saved no input; log: $log" >&2
            FAILED+=("$target: exit $status, see $log")
        fi
    fi
    printf '%-28s %12s %10s %8s  %s\n' "$target" "${execs:-?}" "${rate:-?}" "$files" "$result" >>"$SUMMARY"
done

step "summary"
cat "$SUMMARY"
if [ "${#FAILED[@]}" -gt 0 ]; then
    printf '\n\033[1;31m!!! %d fuzz target(s) failed:\033[0m\n' "${#FAILED[@]}" >&2
    printf '    %s\n' "${FAILED[@]}" >&2
    exit 1
fi
echo "fuzz.sh: ${#TARGETS[@]} targets, no crash"
