#!/usr/bin/env bash
# The central PostgreSQL audit store against a real PostgreSQL server (issue 15, item 4).
#
#   1. checks (and, as root with apt, installs) Debian's `postgresql`;
#   2. runs `cargo test -p elig-client --features postgres --test audit_pg --test audit_pg_store
#      -- --ignored`.
#      Each test starts its own throw-away cluster (elig-client/tests/pg_common): `initdb`
#      into a temporary directory, `postgres` on a free 127.0.0.1 port only, as the
#      unprivileged user `nobody` when run as root (PostgreSQL refuses root), password
#      (SCRAM) authentication; it is stopped by PID when the test ends, and the directory
#      removed. Nothing listens beyond loopback; no system cluster is touched.
#
# Fails loudly when anything is missing: there is no skip path in this script (test.sh
# decides whether to run it).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[postgres-test] %s\033[0m\n' "$*"; }
die() { printf '\033[1;31m[postgres-test] FAILED: %s\033[0m\n' "$*" >&2; exit 1; }

if ! dpkg -s postgresql >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing postgresql"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    else
        die "Debian's postgresql is missing (run as root with apt-get, or install it)"
    fi
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
[ -n "$BIN" ] && [ -x "$BIN/postgres" ] && [ -x "$BIN/initdb" ] || die "no /usr/lib/postgresql/NN/bin/postgres"
if [ "$(id -u)" = 0 ]; then
    id nobody >/dev/null 2>&1 || die "the unprivileged user 'nobody' does not exist"
fi
say "PostgreSQL binaries: $BIN ($("$BIN/postgres" --version))"
export ELIG_PG_BIN="$BIN"
# Two at a time: each test runs its own server, and the machine has two cores.
# `audit_figures` is the BENCHMARKS.md measurement, not a test: run it on its own (its docs).
cargo test --locked -p elig-client --features postgres --test audit_pg --test audit_pg_store -- --ignored --test-threads=2 --skip audit_figures
say "all PostgreSQL tests passed"
