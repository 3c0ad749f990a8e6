#!/usr/bin/env bash
# The desk's browser tests (issue 14, item 4): headless Chromium driven over WebDriver.
#
#   1. checks for Debian's `chromium` and `chromium-driver` (./test.sh installs them);
#   2. starts `chromedriver` on a free loopback port (it only accepts local clients);
#   3. waits until its /status says ready;
#   4. runs `cargo test -p elig-desk --test browser -- --ignored --test-threads=1` with
#      CHROMEDRIVER_URL set (each flow saves a screenshot under target/desk-screenshots/);
#   5. stops chromedriver by its PID (trap on EXIT).
#
# Fails loudly when anything is missing: there is no skip path in this script.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[desk-test] %s\033[0m\n' "$*"; }
die() { printf '\033[1;31m[desk-test] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

command -v chromium >/dev/null 2>&1 || die "chromium is missing (apt-get install chromium)"
command -v chromedriver >/dev/null 2>&1 || die "chromedriver is missing (apt-get install chromium-driver)"

WORK="$(mktemp -d)"
DRIVER_PID=""
cleanup() {
    local rc=$?
    if [ -n "$DRIVER_PID" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then
        kill -TERM "$DRIVER_PID" 2>/dev/null || true
        wait "$DRIVER_PID" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ] && [ -f "$WORK/chromedriver.log" ]; then
        echo "----- chromedriver.log (last 30 lines) -----" >&2
        tail -n 30 "$WORK/chromedriver.log" >&2
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
say "screenshots: $(ls target/desk-screenshots | wc -l) in target/desk-screenshots/"
