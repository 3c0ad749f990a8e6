#!/usr/bin/env python3
"""Refuses unix-only APIs outside `cfg(unix)` in the workspace's Rust sources (issue 10:
Windows by construction; vendors run Windows).

    scripts/unix-only-scan.py [FILE.rs ...]   # default: every tracked *.rs file
    scripts/unix-only-scan.py --self-test     # shows it catches a violation

A use counts as gated when it sits in a file whose first attribute is `#![cfg(unix)]`, or in
the item, statement or block that follows `#[cfg(unix)]` (also `cfg(all(unix, ...))`,
`cfg(target_family = "unix")`, `cfg(target_os = "linux" | "macos")`), with other attributes
allowed in between. Comments are not scanned. It is a line scanner, not a Rust parser: it
counts braces and `;` to find where the gated item ends, which is enough for code written
the usual way (rustfmt'ed). A `#[cfg(unix)] mod x;` does not gate the file `x.rs`: give that
file its own `#![cfg(unix)]`.

What it calls unix-only (each is missing or means nothing on Windows):
  std::os::unix, std::os::linux, std::os::fd, tokio::signal::unix, libc::, nix::,
  signal_hook::iterator, signal_hook::low_level, and the signals Windows never raises
  (SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGPIPE, SIGALRM, SIGKILL, SIGSTOP,
  SIGTSTP, SIGCONT, SIGWINCH). `signal_hook::flag` with SIGINT is portable (signal-hook
  supports SIGINT on Windows through the C runtime), so it is not flagged.
"""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

UNIX_ONLY = re.compile(
    r"std::os::(unix|linux|fd)\b|tokio::signal::unix\b|\blibc::|\bnix::"
    r"|signal_hook::(iterator|low_level)\b"
    r"|\bSIG(TERM|HUP|QUIT|USR1|USR2|CHLD|PIPE|ALRM|KILL|STOP|TSTP|CONT|WINCH)\b"
)
UNIX_CFG = re.compile(
    r'cfg\(\s*(unix|all\(\s*unix\b|target_family\s*=\s*"unix"|target_os\s*=\s*"(linux|macos)")'
)
FILE_GATE = re.compile(r"^\s*#!\[cfg\(\s*unix\s*\)\]")


CHAR_LITERAL = re.compile(r"'(\\.|[^\\'])'")


class Lexer:
    """Blanks out comments and string literals, line by line, keeping what spans lines
    (block comments, multi-line and raw strings) in its state. Enough of Rust's lexing for
    this scan; not a full lexer."""

    def __init__(self) -> None:
        self.block_depth = 0  # nested /* */ comments
        self.string_end = None  # the closing delimiter of an open string: '"' or '"###'

    def code(self, line: str) -> str:
        line = CHAR_LITERAL.sub("' '", line)
        out = []
        i = 0
        while i < len(line):
            if self.block_depth:
                if line.startswith("*/", i):
                    self.block_depth -= 1
                    i += 2
                elif line.startswith("/*", i):
                    self.block_depth += 1
                    i += 2
                else:
                    i += 1
                continue
            if self.string_end is not None:
                if self.string_end == '"' and line[i] == "\\":
                    i += 2
                    continue
                if line.startswith(self.string_end, i):
                    i += len(self.string_end)
                    self.string_end = None
                    out.append('""')
                else:
                    i += 1
                continue
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                self.block_depth += 1
                i += 2
                continue
            raw = re.match(r'b?r(#*)"', line[i:])
            if raw and (i == 0 or not (line[i - 1].isalnum() or line[i - 1] == "_")):
                self.string_end = '"' + raw.group(1)
                i += raw.end()
                continue
            if line[i] == '"':
                self.string_end = '"'
                i += 1
                continue
            out.append(line[i])
            i += 1
        return "".join(out)


def scan(path: Path, text: str) -> list[str]:
    lines = text.splitlines()
    header = Lexer()
    for line in lines:
        code = header.code(line).strip()
        if not code:
            continue
        if FILE_GATE.match(code):
            return []
        if not code.startswith("#!"):
            break
    problems = []
    depth = 0
    pending = False  # a unix cfg attribute waits for its item
    gated = []  # stack of [depth at the item's start, whether its braces opened]
    lexer = Lexer()
    for number, raw in enumerate(lines, start=1):
        stripped = lexer.code(raw).strip()
        # Attributes: a unix cfg marks the next item; others pass through.
        while stripped.startswith("#["):
            close = stripped.find("]")
            attr = stripped[: close + 1] if close >= 0 else stripped
            if UNIX_CFG.search(attr):
                pending = True
            stripped = stripped[close + 1 :].strip() if close >= 0 else ""
        if pending and stripped:
            gated.append([depth, False])
            pending = False
        if stripped and UNIX_ONLY.search(stripped) and not gated:
            problems.append(f"{path}:{number}: unix-only API outside cfg(unix): {raw.strip()}")
        for ch in stripped:
            if ch == "{":
                depth += 1
                if gated and depth == gated[-1][0] + 1:
                    gated[-1][1] = True
            elif ch == "}":
                depth -= 1
                if gated and gated[-1][1] and depth == gated[-1][0]:
                    gated.pop()
            elif ch == ";" and gated and not gated[-1][1] and depth == gated[-1][0]:
                gated.pop()
    return problems


def tracked_sources() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "*.rs"], check=True, capture_output=True, text=True
    ).stdout
    return [Path(p) for p in out.splitlines()]


def self_test() -> int:
    bad = (
        "fn main() {\n"
        "    let _ = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());\n"
        "}\n"
    )
    good = (
        "#[cfg(unix)]\n"
        "use std::os::unix::fs::PermissionsExt as _;\n"
        "fn main() {\n"
        "    #[cfg(unix)]\n"
        "    {\n"
        "        let _ = tokio::signal::unix::SignalKind::terminate();\n"
        "    }\n"
        "    // std::os::unix in a comment is fine\n"
        "    let _usage = \"stops on Ctrl-C /\n SIGTERM\";\n"
        "}\n"
        "#[cfg(unix)]\n"
        "#[test]\n"
        "fn t() {\n"
        "    let _ = signal_hook::consts::SIGTERM;\n"
        "}\n"
    )
    after_gate = (
        "#[cfg(unix)]\n"
        "fn f() {\n"
        "}\n"
        "fn g() { let _ = signal_hook::consts::SIGTERM; }\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        cases = {"bad.rs": (bad, 1), "good.rs": (good, 0), "after_gate.rs": (after_gate, 1)}
        for name, (text, expected) in cases.items():
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            found = scan(path, path.read_text(encoding="utf-8"))
            if len(found) != expected:
                print(f"self-test FAILED on {name}: expected {expected} finding(s), got {found}")
                return 1
    print("unix-only scan self-test: a violation is caught, gated uses pass")
    return 0


def main(argv: list[str]) -> int:
    if argv == ["--self-test"]:
        return self_test()
    paths = [Path(a) for a in argv] or tracked_sources()
    problems = []
    for path in paths:
        problems += scan(path, path.read_text(encoding="utf-8"))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(
            f"{len(problems)} unix-only use(s) outside cfg(unix): gate them and give Windows "
            "its path (see scripts/unix-only-scan.py)",
            file=sys.stderr,
        )
        return 1
    print(f"no unix-only API outside cfg(unix) in {len(paths)} Rust files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
