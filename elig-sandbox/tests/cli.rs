//! The `elig-sandbox` binary's file-writing commands.
// Helpers outside #[test] functions: a failure must fail the test.
#![allow(clippy::expect_used)]

use std::process::Command;

use elig_sandbox::pki::TestPki;
use elig_sandbox::registry::Registry;

fn run(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_elig-sandbox"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn pki_card_and_registry_commands_write_usable_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let state_arg = state.to_str().expect("utf-8 path");
    run(&["pki", "--out", state_arg, "--seed", "cli test"]);
    for file in [
        "gateway-ca.pem",
        "device-clinic.pem",
        "device-clinic.key.pem",
        "auth-ca.crl.pem",
    ] {
        assert!(state.join(file).exists(), "{file}");
    }
    let pki = TestPki::load(&state).expect("the folder loads back");

    let cards = dir.path().join("cards");
    run(&[
        "card",
        "--serial",
        "1001",
        "--out",
        cards.to_str().expect("utf-8"),
        "--state",
        state_arg,
    ]);
    let text = std::fs::read_to_string(cards.join("card-1001.pem")).expect("card PEM");
    let (_, der) = der::pem::decode_vec(text.as_bytes()).expect("PEM");
    let registry = Registry::default_registry().expect("registry");
    let spec = registry.card(1001).expect("card 1001").spec();
    assert_eq!(der, pki.issue_card(&spec).expect("card").auth().cert_der());

    let out = run(&["registry"]);
    let printed = String::from_utf8(out.stdout).expect("utf-8");
    let again = Registry::from_json(&printed).expect("the printed registry loads");
    assert_eq!(again.people(), registry.people());
}

#[test]
fn unknown_command_fails_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_elig-sandbox"))
        .arg("frobnicate")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage:"));
}
