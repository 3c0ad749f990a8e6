//! The C ABI for real: cbindgen generates the header (it must equal the committed
//! `include/elig.h`), `cc` compiles `tests/c/check.c` against it and the cdylib — with
//! `-fsanitize=address,undefined` when the toolchain links that — and the program runs a
//! whole PIN-mode check over the virtual card against the in-process sandbox, plus the
//! misuse cases. Set `ELIG_UPDATE_HEADER=1` to rewrite the committed header.
// Test helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The directory holding this profile's `libelig.so`. The test binary is in
/// `target/<profile>/deps/`; cargo always leaves the cdylib there and copies it up to
/// `target/<profile>/` only for some invocations (not when a workspace-wide `cargo test` also
/// builds the `elig` binary), so `deps/` is the one place it is sure to be.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().to_path_buf()
}

fn generate_header() -> String {
    let config = cbindgen::Config::from_file(crate_dir().join("cbindgen.toml")).unwrap();
    let mut out = Vec::new();
    cbindgen::Builder::new()
        .with_crate(crate_dir())
        .with_config(config)
        .generate()
        .unwrap()
        .write(&mut out);
    String::from_utf8(out).unwrap()
}

#[test]
fn the_committed_header_is_what_cbindgen_generates() {
    let generated = generate_header();
    let committed_path = crate_dir().join("include/elig.h");
    if std::env::var_os("ELIG_UPDATE_HEADER").is_some() {
        std::fs::write(&committed_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/elig.h is stale: run `ELIG_UPDATE_HEADER=1 cargo test -p elig-ffi --test c_abi`"
    );
    for name in [
        "elig_check_run",
        "elig_last_error_message",
        "EligCheckParams",
        "elig_voucher_free",
    ] {
        assert!(generated.contains(name), "{name} missing from the header");
    }
}

fn compile(dir: &Path, sanitize: bool) -> Option<PathBuf> {
    let exe = dir.join(if sanitize { "check-asan" } else { "check" });
    let lib = profile_dir();
    let mut cc = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".into()));
    cc.arg("-std=c11")
        .arg("-Wall")
        .arg("-Wextra")
        .arg("-Werror")
        .arg("-g")
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg(crate_dir().join("tests/c/check.c"))
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(&lib)
        .arg("-lelig")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    if sanitize {
        cc.arg("-fsanitize=address,undefined")
            .arg("-fno-omit-frame-pointer");
    }
    let out = cc
        .output()
        .expect("a C compiler (`cc`) is needed for the C ABI test");
    if out.status.success() {
        Some(exe)
    } else if sanitize {
        eprintln!(
            "the toolchain cannot link with -fsanitize=address,undefined; running without:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        None
    } else {
        panic!(
            "check.c does not compile:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn a_c_program_runs_a_pin_mode_check_and_the_misuse_cases() {
    assert!(
        profile_dir().join("libelig.so").exists() || cfg!(not(target_os = "linux")),
        "the cdylib is built with the tests"
    );
    let dir = tempfile::tempdir().unwrap();
    let exe = match compile(dir.path(), true) {
        Some(exe) => exe,
        None => compile(dir.path(), false).unwrap(),
    };
    let audit = dir.path().join("audit.sqlite3");
    let out = Command::new(&exe)
        .arg(&audit)
        // LeakSanitizer stays on: every handle the program made is freed.
        .env("ASAN_OPTIONS", "abort_on_error=0:detect_leaks=1")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "check.c failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains("all C ABI checks passed"), "{stdout}");
    assert!(!stdout.contains("4321"), "no PIN in the program's output");
}
