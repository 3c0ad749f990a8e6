#!/usr/bin/env bash
# PC/SC tests against a real pcscd + vsmartcard vpcd with the project's virtual
# My Number Card attached by `vpcd-card` (issue 3).
#
#   1. checks (and, as root with apt, installs) pcscd, vsmartcard-vpcd, libpcsclite-dev,
#      pkg-config, pcsc-tools (scriptor) and opensc;
#   2. starts `pcscd -f` in the background — never with -a/--apdu, which logs PINs — or
#      reuses a pcscd that is already running (saying so, and leaving it running);
#   3. waits for /run/pcscd/pcscd.comm and vpcd's ports 35963/35964;
#   4. starts `vpcd-card --port 35963 --pin 1234 --extended on` (connects to 127.0.0.1 only);
#   5. runs `cargo test -p reader-backends --features pcsc --test pcscd -- --ignored`;
#   6. runs two independent PC/SC clients against the same card: scriptor (raw APDUs:
#      certificate read, PIN retry query and VERIFY, signature, ISD select) and OpenSC
#      (pkcs15-tool lists the certificates through its JPKI driver);
#   7. runs elig-client's end-to-end check over this pcscd (tests/e2e_pcscd.rs: eligible,
#      wrong PIN, card pulled mid-check), each test attaching its own vpcd-card on 35964;
#   8. stops everything it started, by PID (trap on EXIT).
#
# Fails loudly when anything is missing: there is no skip path in this script.
set -euo pipefail
cd "$(dirname "$0")/.."

READER="Virtual PCD 00 00"
PORT=35963
SPARE_PORT=35964
PIN=1234
SOCKET=/run/pcscd/pcscd.comm
PIDFILE=/run/pcscd/pcscd.pid

say() { printf '\033[1m[pcscd-test] %s\033[0m\n' "$*"; }
die() { printf '\033[1;31m[pcscd-test] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

WORK="$(mktemp -d)"
PCSCD_PID=""
CARD_PID=""
cleanup() {
    local rc=$?
    if [ -n "$CARD_PID" ] && kill -0 "$CARD_PID" 2>/dev/null; then
        kill -TERM "$CARD_PID" 2>/dev/null || true
        wait "$CARD_PID" 2>/dev/null || true
    fi
    if [ -n "$PCSCD_PID" ] && kill -0 "$PCSCD_PID" 2>/dev/null; then
        kill -TERM "$PCSCD_PID" 2>/dev/null || true
        wait "$PCSCD_PID" 2>/dev/null || true
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

# --- 1. prerequisites ----------------------------------------------------------------------
PACKAGES=(pcscd vsmartcard-vpcd libpcsclite-dev pkg-config pcsc-tools opensc)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        die "missing packages ${missing[*]} (run as root with apt-get, or install them)"
    fi
fi
for cmd in pcscd scriptor pkcs15-tool cargo; do
    command -v "$cmd" >/dev/null 2>&1 || die "$cmd not found"
done
VPCD_DRIVER=$(ls /usr/lib/pcsc/drivers/serial/libifdvpcd.so* 2>/dev/null | head -n1 || true)
[ -n "$VPCD_DRIVER" ] || die "vsmartcard-vpcd's pcscd driver (libifdvpcd.so) not found"
pkg-config --exists libpcsclite || die "libpcsclite (pkg-config) not found"

# --- build first, so pcscd does not sit idle during a long compile -------------------------
say "building vpcd-card and the pcscd tests"
cargo build -q --locked -p reader-backends --features pcsc --bin vpcd-card
cargo test -q --locked -p reader-backends --features pcsc --test pcscd --no-run
# elig-client's e2e over pcscd: the feature set test.sh's elig-client run already built.
cargo test -q --locked -p elig-client --features tokio,pcsc --test e2e_pcscd --no-run
# elig-cli (issue 12, C1): the `elig` binary and its pcscd tests, in the same feature set.
cargo test -q --locked -p elig-cli --features reader-backends/pcsc,elig-cli/pcsc --test pcscd --no-run
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
VPCD_CARD="$TARGET_DIR/debug/vpcd-card"
[ -x "$VPCD_CARD" ] || die "vpcd-card binary not found at $VPCD_CARD"

# --- 2./3. pcscd ----------------------------------------------------------------------------
port_listening() {
    # /proc/net/tcp: local address ...:PORT(hex), state 0A = LISTEN. No ss/netstat needed.
    local hex
    hex=$(printf '%04X' "$1")
    grep -qE "^ *[0-9]+: [0-9A-F]+:${hex} [0-9A-F]+:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

running_pcscd=""
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    running_pcscd="$(cat "$PIDFILE")"
fi
if [ -n "$running_pcscd" ]; then
    # A second pcscd cannot share vpcd's fixed ports; reuse this one deliberately and leave
    # it running, since this script did not start it.
    say "reusing the pcscd already running (pid $running_pcscd); it will be left running"
else
    say "starting pcscd -f (no -a: APDU logging would record PINs)"
    pcscd -f >"$WORK/pcscd.log" 2>&1 &
    PCSCD_PID=$!
fi
for _ in $(seq 1 100); do
    if [ -S "$SOCKET" ] && port_listening "$PORT" && port_listening "$SPARE_PORT"; then
        break
    fi
    if [ -n "$PCSCD_PID" ] && ! kill -0 "$PCSCD_PID" 2>/dev/null; then
        die "pcscd exited at start-up"
    fi
    sleep 0.1
done
[ -S "$SOCKET" ] || die "pcscd socket $SOCKET did not appear"
port_listening "$PORT" || die "vpcd is not listening on $PORT (is vsmartcard-vpcd configured in /etc/reader.conf.d?)"
port_listening "$SPARE_PORT" || die "vpcd is not listening on $SPARE_PORT"

# Another virtual card already in our readers would make the results meaningless.
readers_state="$(timeout 5 opensc-tool --list-readers 2>/dev/null || true)"
if printf '%s\n' "$readers_state" | grep -qE "Yes +Virtual PCD"; then
    die "a card is already present in a Virtual PCD reader; stop whatever attached it"
fi

# --- 4. the virtual card ----------------------------------------------------------------------
say "attaching vpcd-card to 127.0.0.1:$PORT"
# --verbose logs CLA/INS/SW of each APDU (never data): the OpenSC comparison counts them.
"$VPCD_CARD" --port "$PORT" --pin "$PIN" --seed 1 --extended on --verbose >"$WORK/vpcd-card.log" 2>&1 &
CARD_PID=$!
present=""
for _ in $(seq 1 100); do
    if timeout 5 opensc-tool --list-readers 2>/dev/null | grep -qE "Yes +$READER"; then
        present=1
        break
    fi
    kill -0 "$CARD_PID" 2>/dev/null || die "vpcd-card exited"
    sleep 0.2
done
[ -n "$present" ] || die "pcscd never saw the virtual card in '$READER'"

# --- 5. our tests -----------------------------------------------------------------------------
say "running the pcscd integration tests (reader-backends/tests/pcscd.rs)"
cargo test --locked -p reader-backends --features pcsc --test pcscd -- --ignored --test-threads=1 \
    --nocapture 2>&1 | tee "$WORK/cargo-test.log"
grep -qE "test result: ok\. [1-9][0-9]* passed" "$WORK/cargo-test.log" \
    || die "the pcscd integration tests did not run"
passed=$(sed -n 's/.*test result: ok\. \([0-9]*\) passed.*/\1/p' "$WORK/cargo-test.log" | tail -n1)

# --- 6a. scriptor: raw APDUs as any card.md client sends them ----------------------------------
say "independent client 1: scriptor (pcsc-tools) with raw APDUs"
pin_hex=$(printf '%s' "$PIN" | od -An -tx1 | xargs)
cat >"$WORK/jpki.apdu" <<EOF
00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01
00 A4 02 0C 02 00 0A
00 B0 00 00 04
00 A4 02 0C 02 00 18
00 20 00 80
00 20 00 80 04 ${pin_hex}
00 A4 02 0C 02 00 17
80 2A 00 80 33 30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20 00 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F 10 11 12 13 14 15 16 17 18 19 1A 1B 1C 1D 1E 1F 00
00 A4 04 0C 07 A0 00 00 01 51 00 00
00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01
00 A4 02 0C 02 00 18
00 20 00 80
EOF
scriptor_rc=0
timeout 30 scriptor -r "$READER" "$WORK/jpki.apdu" >"$WORK/scriptor.raw" 2>&1 || scriptor_rc=$?
# Keep the PIN out of every log: drop the echoed VERIFY-with-data line.
grep -v "00 20 00 80 04" "$WORK/scriptor.raw" >"$WORK/scriptor.log" || true
[ "$scriptor_rc" -eq 0 ] || die "scriptor exited with $scriptor_rc (see scriptor.log below)"
# One line per answer: scriptor prints '< data… : meaning', wrapping long data over lines.
mapfile -t answers < <(awk '
    /^< / { buf = substr($0, 3); if (buf ~ / : /) { print buf; buf = "" } else inresp = 1; next }
    inresp { buf = buf " " $0; if ($0 ~ / : /) { print buf; buf = ""; inresp = 0 } }
' "$WORK/scriptor.raw")
[ "${#answers[@]}" -eq 12 ] || die "scriptor: expected 12 answers, got ${#answers[@]}"
expect_sw() { # index, status-word suffix, what
    case "${answers[$1]}" in
        *"$2"*) printf '    %-44s %s\n' "$3" "$2" ;;
        *) die "scriptor: $3 answered '${answers[$1]}', expected $2" ;;
    esac
}
expect_sw 0 ": Normal processing." "SELECT JPKI AP"
expect_sw 2 "30 82 07 68 90 00 : Normal processing." "READ BINARY 000A header (1,900-byte cert)"
expect_sw 4 "63 C3" "retry query: 3 tries left"
expect_sw 5 ": Normal processing." "VERIFY auth PIN"
sig_bytes=$(printf '%s' "${answers[7]}" | sed 's/ :.*//' | wc -w)
[ "$sig_bytes" -eq 258 ] || die "scriptor: signature answer has $sig_bytes bytes, expected 256 + SW"
printf '    %-44s %s\n' "COMPUTE DIGITAL SIGNATURE" "256 bytes + 90 00"
expect_sw 8 ": Normal processing." "SELECT ISD (clears the PIN)"
expect_sw 11 "63 C3" "retry query after ISD: not verified"

# --- 6b. OpenSC: its JPKI driver (matched by ATR) reads the certificates -----------------------
say "independent client 2: OpenSC pkcs15-tool --list-certificates"
timeout 60 pkcs15-tool --reader "$READER" --list-certificates >"$WORK/opensc.log" 2>&1 \
    || die "pkcs15-tool failed: $(tail -n 3 "$WORK/opensc.log")"
grep -q "User Authentication Certificate" "$WORK/opensc.log" \
    || die "OpenSC did not list the user authentication certificate"
grep -E "X.509 Certificate" "$WORK/opensc.log" | sed 's/^/    /'

# --- 6c. OpenSC reads the certificate, verifies the PIN and signs; count its APDUs ----------
say "independent client 2b: OpenSC reads the auth certificate, verifies the PIN and signs"
apdus() { grep -c -- ' -> ' "$WORK/vpcd-card.log" || true; }
before=$(apdus)
timeout 60 pkcs15-tool --reader "$READER" --read-certificate 01 >"$WORK/opensc-cert.pem" 2>"$WORK/opensc-read.log" \
    || die "pkcs15-tool --read-certificate failed"
grep -q "BEGIN CERTIFICATE" "$WORK/opensc-cert.pem" || die "OpenSC returned no certificate"
mid=$(apdus)
head -c 32 /dev/zero >"$WORK/digest.bin"
timeout 60 pkcs15-crypt --reader "$READER" --sign -k 01 --sha-256 --pkcs1 --pin "$PIN" \
    -i "$WORK/digest.bin" -o "$WORK/opensc-sig.bin" >"$WORK/opensc-sign.log" 2>&1 \
    || die "pkcs15-crypt --sign failed (see opensc-sign.log)"
sig_len=$(wc -c <"$WORK/opensc-sig.bin")
[ "$sig_len" -eq 256 ] || die "OpenSC signature is $sig_len bytes, expected 256"
after=$(apdus)
printf '    %-44s %s\n' "OpenSC read cert + verify PIN + sign" \
    "256-byte signature; APDUs: $((after - before)) (pkcs15-tool read: $((mid - before)), pkcs15-crypt sign: $((after - mid)))"

# --- 6d. elig-client end to end over pcscd (issue 11) ---------------------------------------
# The whole check — blocking driver, the in-process sandbox over mutual TLS, the card through
# the PC/SC backend. Each test attaches its own vpcd-card (serial 1001) on the spare port and
# kills it itself (the removal test pulls it mid-check).
say "elig-client end to end over pcscd (elig-client/tests/e2e_pcscd.rs)"
ELIG_VPCD_CARD="$VPCD_CARD" cargo test --locked -p elig-client --features tokio,pcsc \
    --test e2e_pcscd -- --ignored --test-threads=1 --nocapture 2>&1 | tee "$WORK/e2e-pcscd.log"
grep -qE "test result: ok\. 3 passed" "$WORK/e2e-pcscd.log" \
    || die "the elig-client e2e pcscd tests did not all run"
grep -E "pcscd e2e: " "$WORK/e2e-pcscd.log" | sed 's/^/    elig-client /' || true

kill -0 "$CARD_PID" 2>/dev/null || die "vpcd-card died during the tests"
grep -E "pcscd (extended|short-only): [0-9]+ APDUs" "$WORK/cargo-test.log" | sed 's/^/    elig /' || true

# --- 7. elig-cli (issue 12, C1): `elig verify` / `elig card info` over this pcscd -------------
# The tests attach their own cards with `elig vpcd-card` (P01's, then P06's) and run
# `elig sandbox serve` as another process: remove this script's card first.
say "elig-cli: elig verify against elig sandbox serve, cards from elig vpcd-card"
kill -TERM "$CARD_PID" 2>/dev/null || true
wait "$CARD_PID" 2>/dev/null || true
CARD_PID=""
cargo test --locked -p elig-cli --features reader-backends/pcsc,elig-cli/pcsc --test pcscd -- \
    --ignored --test-threads=1 2>&1 | tee "$WORK/elig-cli-test.log"
grep -qE "test result: ok\. [1-9][0-9]* passed" "$WORK/elig-cli-test.log" \
    || die "the elig-cli pcscd tests did not run"
say "PCSCD TEST RAN: $passed reader-backends tests + 3 elig-client e2e tests + scriptor + OpenSC + elig verify passed against a real pcscd + vsmartcard-vpcd with vpcd-card attached"
