//! `elig ids check KIND VALUE`: the built binary, every kind, valid and invalid.

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::run::{assert_clean_error, elig};

#[test]
fn valid_identifiers_exit_0_with_the_normalized_form() {
    for (kind, value, normalized) in [
        ("insurer", "06110829", "06110829"),
        // Full-width digits and surrounding spaces, as staff type them.
        ("insurer", " ０６１１０８２９ ", "06110829"),
        ("medical-institution", "0110113719", "0110113719"),
        ("checkup-institution", "１３１２３４５６７９", "1312345679"),
        ("voucher-number", "25000000001", "25000000001"),
        ("online-code", "ＡＢＣ-12", "ABC-12"),
    ] {
        let run = elig(["ids", "check", kind, value]);
        run.expect_code(0);
        assert!(
            run.stdout.contains(&format!("= {normalized}")),
            "{kind} {value}: {}",
            run.stdout
        );
        let json = elig(["ids", "check", kind, value, "--json"])
            .expect_code(0)
            .json();
        assert_eq!(json["kind"], kind);
        assert_eq!(json["valid"], true);
        assert_eq!(json["normalized"], normalized);
    }
}

#[test]
fn a_six_digit_insurer_number_is_widened_to_eight_and_its_law_number_shown() {
    // 国保 6-digit numbers are written as 8 (vouchers.md); 138057's check digit holds.
    let json = elig(["--json", "ids", "check", "insurer", "138057"])
        .expect_code(0)
        .json();
    assert_eq!(json["normalized"], "00138057");
    assert_eq!(json["details"]["prefecture"], "13");
    assert!(
        json["details"].get("law_number").is_none(),
        "国保 has no 法別番号"
    );
    // An 8-digit number carries its 法別番号 (06: 組合管掌健康保険).
    let json = elig(["--json", "ids", "check", "insurer", "06110829"])
        .expect_code(0)
        .json();
    assert_eq!(json["details"]["law_number"], "06");
    assert_eq!(json["details"]["prefecture"], "11");
}

#[test]
fn invalid_identifiers_exit_1_with_the_reason_in_japanese_and_english() {
    for (kind, value, en) in [
        ("insurer", "06110828", "check digit"),
        ("insurer", "1234567", "expected 6 or 8 digits"),
        // A real fixture's code fails its check digit: strict parsing refuses it.
        ("medical-institution", "1311111111", "check digit"),
        ("checkup-institution", "13123456", "expected 10 digits"),
        ("voucher-number", "2500000000", "expected 11 digits"),
        ("voucher-number", "2500000000X", "not allowed"),
        ("online-code", "ABC_12", "not allowed"),
        ("online-code", "   ", "empty"),
    ] {
        let run = elig(["ids", "check", kind, value]);
        run.expect_code(1);
        assert!(run.stdout.contains("無効 invalid"), "{}", run.stdout);
        assert!(run.stdout.contains(en), "{kind} {value}: {}", run.stdout);
        assert_clean_error(&run);
        let json = elig(["ids", "check", kind, value, "--json"])
            .expect_code(1)
            .json();
        assert_eq!(json["valid"], false);
        assert!(json["reason"]["en"].as_str().unwrap().contains(en));
        assert!(!json["reason"]["ja"].as_str().unwrap().is_empty());
        assert!(json.get("normalized").is_none());
    }
}

#[test]
fn an_unknown_kind_is_a_usage_error() {
    let run = elig(["ids", "check", "passport", "123"]);
    run.expect_code(2);
    assert!(run.stderr.contains("insurer"), "{}", run.stderr);
}

#[test]
fn help_shows_an_example_and_the_exit_codes() {
    let run = elig(["ids", "check", "--help"]);
    run.expect_code(0);
    assert!(run.stdout.contains("elig ids check insurer 06110829"));
    assert!(run.stdout.contains("Exit codes"));
}

/// `elig … | head`: a reader that closes the pipe early ends the output quietly — exit 0, no
/// panic message (`println!` would panic on the broken pipe, exit 101).
#[test]
fn a_closed_output_pipe_is_not_a_panic() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_elig"))
        .args(["ids", "check", "insurer", "06110829"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close our end of the pipe before the command writes (it is still starting up).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
