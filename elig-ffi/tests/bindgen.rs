//! Kotlin and Swift sources are generated from the built library (UniFFI library mode, the
//! crate's own `uniffi-bindgen`) and checked for the API apps use. They are compiled only
//! where `kotlinc` / `swiftc` exist; on machines without them (this project's CI) only the
//! generation is checked, and the test says so.
// Test helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn library() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/<this test>: cargo leaves the cdylib in deps/ and copies it up to
    // target/<profile>/ only for some invocations, so look in both.
    let deps = exe.parent().unwrap();
    let profile = deps.parent().unwrap();
    [deps, profile]
        .iter()
        .flat_map(|dir| {
            ["libelig.so", "libelig.dylib", "elig.dll"]
                .iter()
                .map(move |n| dir.join(n))
        })
        .find(|p| p.exists())
        .expect("the cdylib is built with the tests")
}

fn generate(language: &str, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_uniffi-bindgen"))
        .args([
            "generate",
            "--no-format",
            "--language",
            language,
            "--library",
        ])
        .arg(library())
        .arg("--out-dir")
        .arg(out)
        .status()
        .unwrap();
    assert!(status.success(), "uniffi-bindgen failed for {language}");
}

fn find(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(find(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            found.push(path);
        }
    }
    found
}

fn has(tool: &str) -> bool {
    Command::new(tool).arg("-version").output().is_ok()
}

#[test]
fn kotlin_sources_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    generate("kotlin", dir.path());
    let files = find(dir.path(), "kt");
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    for name in [
        "interface CardLink",
        "fun `transceive`(`apdu`: kotlin.ByteArray, `timeoutMs`: kotlin.UInt)",
        "interface CheckObserver",
        "open class Check",
        "sealed class CardLinkException",
        "class EligException",
        "fun `todayInJapan`()",
    ] {
        assert!(text.contains(name), "Kotlin: {name} missing");
    }
    if has("kotlinc") {
        let status = Command::new("kotlinc")
            .arg(&files[0])
            .arg("-d")
            .arg(dir.path().join("out.jar"))
            .status()
            .unwrap();
        assert!(status.success(), "kotlinc failed");
    } else {
        eprintln!(
            "NOTE: kotlinc is not installed: the Kotlin sources were generated, not compiled"
        );
    }
}

#[test]
fn swift_sources_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    generate("swift", dir.path());
    let files = find(dir.path(), "swift");
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    for name in [
        "public protocol CardLink",
        "func transceive(apdu: Data, timeoutMs: UInt32) throws  -> Data",
        "public protocol CheckObserver",
        "open class Check",
        "public enum CardLinkError",
        "public enum EligError",
    ] {
        assert!(text.contains(name), "Swift: {name} missing");
    }
    assert!(
        !find(dir.path(), "h").is_empty(),
        "the FFI header for the Swift module"
    );
    assert!(!find(dir.path(), "modulemap").is_empty(), "the module map");
    if has("swiftc") {
        let status = Command::new("swiftc")
            .arg("-parse")
            .arg(&files[0])
            .status()
            .unwrap();
        assert!(status.success(), "swiftc failed");
    } else {
        eprintln!("NOTE: swiftc is not installed: the Swift sources were generated, not compiled");
    }
}
