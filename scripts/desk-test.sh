#!/usr/bin/env bash
# The desk's browser tests (issue 14, item 4): headless Chromium driven over WebDriver.
#
#   1. checks for Debian's `chromium` and `chromium-driver` (./test.sh installs them);
#   2. starts `chromedriver` on a free loopback port (it only accepts local clients);
#   3. waits until its /status says ready;
#   4. runs `cargo test -p elig-desk --test browser -- --ignored --test-threads=1` with
#      CHROMEDRIVER_URL set (each flow saves a screenshot under target/desk-screenshots/);
#   5. the eligible flow over the PC/SC backend: starts `pcscd -f` (or reuses a running one,
#      leaving it running), attaches `vpcd-card --seed 1001` (the sandbox registry's P01,
#      PIN 1234) to vpcd's second reader (port 35964, "Virtual PCD 00 01", so that
#      scripts/pcscd-test.sh's card on 35963 is never touched), and runs
#      `cargo test -p elig-desk --features pcsc --test pcsc -- --ignored`;
#   6. stops what it started by PID (trap on EXIT).
#
# Fails loudly when anything is missing. The one exception: without root, pcscd or
# vsmartcard-vpcd, the PC/SC flow (step 5) is skipped with a warning — except under CI=true,
# where that is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[desk-test] %s\033[0m\n' "$*"; }
die() { printf '\033[1;31m[desk-test] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

command -v chromium >/dev/null 2>&1 || die "chromium is missing (apt-get install chromium)"
command -v chromedriver >/dev/null 2>&1 || die "chromedriver is missing (apt-get install chromium-driver)"

WORK="$(mktemp -d)"
DRIVER_PID=""
PCSCD_PID=""
CARD_PID=""
cleanup() {
    local rc=$?
    for pid in "$CARD_PID" "$PCSCD_PID"; do
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            kill -TERM "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    if [ -n "$DRIVER_PID" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then
        kill -TERM "$DRIVER_PID" 2>/dev/null || true
        wait "$DRIVER_PID" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ]; then
        for log in "$WORK"/*.log; do
            [ -f "$log" ] || continue
            echo "----- $(basename "$log") (last 30 lines) -----" >&2
            tail -n 30 "$log" >&2
        done
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: ask the kernel for one.
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
say "starting chromedriver on 127.0.0.1:$PORT"
chromedriver --port="$PORT" --allowed-ips=127.0.0.1 >"$WORK/chromedriver.log" 2>&1 &
DRIVER_PID=$!

ready=0
for _ in $(seq 1 100); do
    if ! kill -0 "$DRIVER_PID" 2>/dev/null; then
        die "chromedriver exited"
    fi
    if python3 - "$PORT" <<'PY' 2>/dev/null
import json, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/status", timeout=1) as r:
    sys.exit(0 if json.load(r)["value"]["ready"] else 1)
PY
    then ready=1; break; fi
    sleep 0.1
done
[ "$ready" = 1 ] || die "chromedriver did not become ready on port $PORT"

rm -rf target/desk-screenshots
say "running the browser flows"
CHROMEDRIVER_URL="http://127.0.0.1:$PORT" \
    cargo test -p elig-desk --test browser --locked -- --ignored --test-threads=1

# --- 5. the eligible flow over a real pcscd + vpcd -----------------------------------------
CARD_PORT=35964
READER="Virtual PCD 00 01"
SOCKET=/run/pcscd/pcscd.comm
PIDFILE=/run/pcscd/pcscd.pid
is_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }
VPCD_DRIVER=$(ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so* 2>/dev/null | head -n1 || true)
if [ "$(id -u)" != 0 ] || ! command -v pcscd >/dev/null 2>&1 || [ -z "$VPCD_DRIVER" ] \
    || ! pkg-config --exists libpcsclite 2>/dev/null; then
    if is_ci; then
        die "CI=true: the PC/SC desk flow needs root, pcscd, vsmartcard-vpcd and libpcsclite-dev"
    fi
    printf '\n\033[1;33m!!! [desk-test] SKIPPED the PC/SC desk flow (needs root, pcscd, vsmartcard-vpcd, libpcsclite-dev)\033[0m\n' >&2
else
    say "building vpcd-card and the PC/SC desk test"
    cargo build -q --locked -p reader-backends --features pcsc --bin vpcd-card
    cargo test -q --locked -p elig-desk --features pcsc --test pcsc --no-run
    TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
    VPCD_CARD="$TARGET_DIR/debug/vpcd-card"
    port_listening() {
        local hex
        hex=$(printf '%04X' "$1")
        grep -qE "^ *[0-9]+: [0-9A-F]+:${hex} [0-9A-F]+:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null
    }
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
        say "reusing the pcscd already running (pid $(cat "$PIDFILE")); it will be left running"
    else
        say "starting pcscd -f (no -a: APDU logging would record PINs)"
        pcscd -f >"$WORK/pcscd.log" 2>&1 &
        PCSCD_PID=$!
    fi
    for _ in $(seq 1 100); do
        if [ -S "$SOCKET" ] && port_listening "$CARD_PORT"; then break; fi
        if [ -n "$PCSCD_PID" ] && ! kill -0 "$PCSCD_PID" 2>/dev/null; then die "pcscd exited"; fi
        sleep 0.1
    done
    port_listening "$CARD_PORT" || die "vpcd is not listening on $CARD_PORT"
    say "attaching vpcd-card (P01's card) to 127.0.0.1:$CARD_PORT"
    "$VPCD_CARD" --port "$CARD_PORT" --pin 1234 --seed 1001 --extended on >"$WORK/vpcd-card.log" 2>&1 &
    CARD_PID=$!
    present=""
    for _ in $(seq 1 100); do
        if timeout 5 opensc-tool --list-readers 2>/dev/null | grep -qE "Yes +$READER"; then
            present=1; break
        fi
        kill -0 "$CARD_PID" 2>/dev/null || die "vpcd-card exited"
        sleep 0.2
    done
    [ -n "$present" ] || die "the virtual card did not appear in $READER"
    say "running the eligible flow over PC/SC"
    CHROMEDRIVER_URL="http://127.0.0.1:$PORT" DESK_PCSC_READER="$READER" \
        cargo test -p elig-desk --features pcsc --test pcsc --locked -- --ignored
fi
say "screenshots: $(ls target/desk-screenshots | wc -l) in target/desk-screenshots/"
