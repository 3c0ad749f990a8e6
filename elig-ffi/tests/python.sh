#!/usr/bin/env bash
# The Python bindings for real (issue 13, items 2 and 4): builds the wheel with maturin
# (bindings = "uniffi", the dev profile, the workspace's one target dir), installs it into a
# venv under target/, then runs the unittest suite (python/tests) and the README's Python
# example (extracted from README.md, so the README cannot drift from what runs).
#
#   elig-ffi/tests/python.sh            # from anywhere; needs python3 with venv, and pip
#
# Exit status 0 when everything passed.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
VENV="$ROOT/target/ffi-venv"
WHEELS="$ROOT/target/ffi-wheels"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -m maturin --version >/dev/null 2>&1; then
    "$VENV/bin/pip" install --quiet 'maturin>=1.5,<2'
fi

# Never let maturin package bindings generated from an older library.
rm -rf "$WHEELS" "$ROOT/target/maturin"
CARGO_TARGET_DIR="$ROOT/target" "$VENV/bin/maturin" build --quiet -m elig-ffi/Cargo.toml --out "$WHEELS"
"$VENV/bin/pip" install --quiet --force-reinstall --no-deps "$WHEELS"/elig-*.whl

echo "--- python -m unittest (elig-ffi/python/tests)"
(cd elig-ffi/python/tests && "$VENV/bin/python" -m unittest -v 2>&1)

echo "--- the README's Python example"
EXAMPLE="$ROOT/target/ffi-readme-example.py"
"$VENV/bin/python" - "$ROOT/elig-ffi/README.md" "$EXAMPLE" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```python\n(.*?)```", text, re.S)
if len(blocks) != 1:
    sys.exit(f"expected one ```python block in the README, found {len(blocks)}")
open(sys.argv[2], "w", encoding="utf-8").write(blocks[0])
PY
(cd "$ROOT/target" && "$VENV/bin/python" "$EXAMPLE")
echo "python bindings: all passed"
