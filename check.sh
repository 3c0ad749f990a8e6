#!/usr/bin/env bash
# Supply-chain and MSRV checks of the elig SDK: `./check.sh` (CI runs it through ./test.sh).
#
#   1. cargo-deny: licences, bans (banned crates, duplicates reported), sources — always;
#      advisories (RustSec) — only when the advisory DB can be fetched, otherwise skipped
#      LOUDLY (this machine reaches package registries only, and the RustSec DB is a git
#      repository on GitHub). deny.toml holds the policy and justifies every exception.
#   2. MSRV: the workspace declares `rust-version = "1.88"`. Only one toolchain (1.95) exists
#      here and none can be fetched, so a real 1.88 build is NOT possible on this machine.
#      What is checked instead:
#        a. every package in Cargo.lock declares a `rust-version` <= ours (`cargo metadata`);
#           the lockfile is resolved MSRV-aware (resolver 3), this proves it stayed so;
#        b. every workspace member inherits the workspace rust-version;
#        c. clippy's `incompatible_msrv` lint (std items newer than the MSRV) is not switched
#           off anywhere and no clippy.toml overrides the MSRV, and a probe crate shows that
#           this clippy reports it — so `cargo clippy -D warnings` in ./test.sh enforces it.
#      With a 1.88 toolchain installed (`rustup toolchain install 1.88`), set
#      MSRV_TOOLCHAIN=1.88 and the script also runs `cargo +1.88 check --workspace --locked`.
#   3. Windows by construction: scripts/unix-only-scan.py refuses unix-only APIs (std::os::unix,
#      tokio::signal::unix, libc::, nix::, signal_hook::iterator/low_level, signals Windows
#      never raises such as SIGTERM) outside `#[cfg(unix)]` items or `#![cfg(unix)]` files;
#      its --self-test first shows it catches a violation in a temporary file. No Windows
#      target is installed here, so this scan is what keeps the code buildable for Windows.
#
# Environment: CARGO_TARGET_DIR is honoured. CHECK_ADVISORIES=require makes an unreachable
# advisory DB a failure instead of a skip.
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
warn() { printf '\n\033[1;33m!!! %s\033[0m\n' "$*" >&2; }
fail() { printf '\n\033[1;31m!!! %s\033[0m\n' "$*" >&2; exit 1; }

SKIPPED=()
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
ADVISORY_DB_URL="https://github.com/rustsec/advisory-db"

# --- cargo-deny ---------------------------------------------------------------------------
if ! cargo deny --version >/dev/null 2>&1; then
    step "installing cargo-deny (cargo install --locked)"
    nice -n 10 cargo install cargo-deny --locked
fi

step "cargo deny check licenses bans sources ($(cargo deny --version))"
cargo deny --locked check --hide-inclusion-graph --show-stats licenses bans sources

step "cargo deny check advisories"
if timeout 20 git ls-remote --exit-code "$ADVISORY_DB_URL" HEAD >/dev/null 2>&1; then
    cargo deny --locked check --show-stats advisories
elif [ "${CHECK_ADVISORIES:-}" = "require" ]; then
    fail "the RustSec advisory DB ($ADVISORY_DB_URL) is unreachable and CHECK_ADVISORIES=require"
else
    warn "SKIPPED: cargo deny check advisories — the RustSec advisory DB ($ADVISORY_DB_URL) cannot be fetched from this machine (no network beyond package registries). Run ./check.sh where GitHub is reachable to check advisories."
    SKIPPED+=("cargo deny check advisories (RustSec DB unreachable)")
fi

# --- MSRV -------------------------------------------------------------------------------
step "MSRV: every locked package's rust-version <= the workspace's"
cargo metadata --format-version 1 --locked --all-features >"$TMP/metadata.json" ||
    fail "cargo metadata --locked failed (is Cargo.lock up to date?)"
python3 - "$TMP/metadata.json" <<'PY'
import json, sys

def parse(v):
    parts = [int(p) for p in v.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

with open(sys.argv[1], encoding="utf-8") as f:
    meta = json.load(f)
members = set(meta["workspace_members"])
ours = {p["id"]: p for p in meta["packages"] if p["id"] in members}
msrvs = {p["rust_version"] for p in ours.values()}
if len(msrvs) != 1 or None in msrvs:
    sys.exit(f"workspace members disagree on rust-version (or lack one): "
             + ", ".join(f"{p['name']}={p['rust_version']}" for p in ours.values()))
msrv = msrvs.pop()
limit = parse(msrv)
too_new, undeclared = [], []
for p in meta["packages"]:
    if p["id"] in members:
        continue
    rv = p.get("rust_version")
    if rv is None:
        undeclared.append(f"{p['name']} {p['version']}")
    elif parse(rv) > limit:
        too_new.append(f"{p['name']} {p['version']} needs rust {rv}")
third = len(meta["packages"]) - len(ours)
print(f"workspace rust-version {msrv}; {len(ours)} members; {third} locked third-party packages")
if not too_new:
    print(f"  {third - len(undeclared)} declare a rust-version, all <= {msrv}")
if undeclared:
    print(f"  {len(undeclared)} declare none (older crates, no MSRV claim): " + ", ".join(sorted(undeclared)))
if too_new:
    print("locked packages newer than the MSRV:\n  " + "\n  ".join(sorted(too_new)), file=sys.stderr)
    sys.exit(1)
PY

step "MSRV: every member inherits the workspace rust-version"
for manifest in $(git ls-files '*/Cargo.toml' | grep -v '^fuzz/'); do
    if ! grep -Eq '^rust-version\.workspace *= *true' "$manifest"; then
        fail "$manifest does not say rust-version.workspace = true"
    fi
done
echo "ok"

step "MSRV: clippy's incompatible_msrv lint is on"
if git grep -nE 'incompatible_msrv *= *"(allow|expect)"|allow\(clippy::incompatible_msrv\)' -- '*.toml' '*.rs' ':!fuzz/**'; then
    fail "clippy::incompatible_msrv is switched off above; it is what enforces the MSRV here"
fi
if git ls-files | grep -E '(^|/)\.?clippy\.toml$' | xargs grep -nE '^ *msrv *=' 2>/dev/null; then
    fail "a clippy.toml overrides the MSRV; clippy must read rust-version from Cargo.toml"
fi
# Prove this clippy reports a std item newer than a declared rust-version: a probe crate that
# declares our MSRV and calls `File::lock` (stable since Rust 1.89) must be flagged.
MSRV="$(sed -n 's/^rust-version *= *"\(.*\)"/\1/p' Cargo.toml | head -n 1)"
PROBE="$TMP/probe"
mkdir -p "$PROBE/src"
cat >"$PROBE/Cargo.toml" <<TOML
[package]
name = "msrv-probe"
version = "0.0.0"
edition = "2024"
rust-version = "$MSRV"
publish = false
[workspace]
TOML
cat >"$PROBE/src/lib.rs" <<'RS'
//! MSRV probe.
/// `File::lock` is stable since Rust 1.89.
pub fn probe(f: &std::fs::File) -> std::io::Result<()> {
    f.lock()
}
RS
# Capture first: `cargo … | grep -q` under pipefail fails at random when grep exits on the
# first match and cargo then writes into a closed pipe.
probe_out="$(CARGO_TARGET_DIR="$PROBE/target" cargo clippy --quiet --manifest-path "$PROBE/Cargo.toml" 2>&1 || true)"
if grep -q 'incompatible_msrv' <<<"$probe_out"; then
    echo "ok: with rust-version = \"$MSRV\", clippy reports File::lock (Rust 1.89) as incompatible_msrv"
else
    fail "clippy did not report clippy::incompatible_msrv for File::lock (Rust 1.89) under rust-version $MSRV"
fi

if [ -n "${MSRV_TOOLCHAIN:-}" ]; then
    step "MSRV build with $MSRV_TOOLCHAIN"
    cargo "+$MSRV_TOOLCHAIN" check --workspace --all-targets --locked
else
    warn "SKIPPED: a real build with the MSRV toolchain — only $(rustc --version) exists on this machine and no toolchain can be fetched; set MSRV_TOOLCHAIN=1.88 where one is installed."
    SKIPPED+=("cargo +1.88 check (no 1.88 toolchain here; lockfile and clippy incompatible_msrv checked instead)")
fi

# --- Windows by construction -------------------------------------------------------------
step "unix-only APIs only under cfg(unix) (scripts/unix-only-scan.py)"
python3 scripts/unix-only-scan.py --self-test || fail "the unix-only scan missed a violation in its self-test"
python3 scripts/unix-only-scan.py || fail "unix-only APIs outside cfg(unix): gate them and give Windows its path"

# --- summary ----------------------------------------------------------------------------
step "summary"
if [ "${#SKIPPED[@]}" -gt 0 ]; then
    warn "check.sh SKIPPED — these checks did NOT run:"
    for s in "${SKIPPED[@]}"; do printf '    - %s\n' "$s" >&2; done
fi
echo "check.sh: all checks that ran passed"
