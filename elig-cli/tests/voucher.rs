//! `elig voucher verify`: the explained verdict without a card, from the real 既存型 sample
//! (hangilc/myclinic-ts) or a manual evidence file; the stable JSON (golden files).

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::golden::assert_golden;
use common::run::{Run, assert_clean_error, data, elig, elig_in, sample_response};

/// The voucher of the sample's person, 診療 太郎 (insurer 06110829: the sample's own `123456`
/// fails the check digit, so no valid voucher can carry it).
fn voucher() -> std::path::PathBuf {
    data("voucher-shinryo-taro.json")
}

fn verify(evidence_flag: &str, evidence: &Path, date: &str, purpose: &str, json: bool) -> Run {
    let mut args: Vec<std::ffi::OsString> = vec![
        "voucher".into(),
        "verify".into(),
        "--voucher".into(),
        voucher().into(),
        evidence_flag.into(),
        evidence.into(),
        "--date".into(),
        date.into(),
        "--purpose".into(),
        purpose.into(),
    ];
    if json {
        args.push("--json".into());
    }
    elig(args)
}

fn finding<'a>(document: &'a serde_json::Value, field: &str) -> &'a serde_json::Value {
    document["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == field)
        .unwrap_or_else(|| panic!("no finding {field}"))
}

#[test]
fn the_real_sample_against_another_insurers_voucher_is_not_eligible() {
    let sample = sample_response();
    let run = verify("--oqs-response", &sample, "2023-02-21", "checkup", false);
    run.expect_code(1);
    assert!(run.stdout.contains("資格を確認できません / not eligible"));
    // Both sides of the mismatch are shown to staff.
    assert!(run.stdout.contains("06110829") && run.stdout.contains("00123456"));

    let document = verify("--oqs-response", &sample, "2023-02-21", "checkup", true)
        .expect_code(1)
        .json();
    assert_eq!(document["outcome"], "not_eligible");
    let insurer = finding(&document, "insurer_number");
    assert_eq!(insurer["result"], "mismatched");
    assert_eq!(insurer["voucher_value"], "06110829");
    assert_eq!(insurer["evidence_value"], "00123456");
    // A matched name is not repeated in the document.
    let name = finding(&document, "name");
    assert_eq!(name["result"], "matched");
    assert!(name["voucher_value"].is_null() && name["evidence_value"].is_null());
    assert!(!document.to_string().contains("診療"));
    assert_golden("voucher_verify_sample_not_eligible", &document);
}

#[test]
fn the_sample_with_the_vouchers_insurer_needs_review_for_its_bad_check_digit() {
    // The real sample, with the voucher's insurer number in place of its own.
    let dir = tempfile::tempdir().unwrap();
    let edited = dir.path().join("OQSsiquc01res_202302210001.xml");
    let text = std::fs::read_to_string(sample_response()).unwrap();
    std::fs::write(&edited, text.replace("  123456<", "06110829<")).unwrap();
    let document = verify("--oqs-response", &edited, "2023-02-21", "checkup", true)
        .expect_code(3)
        .json();
    assert_eq!(document["outcome"], "needs_review");
    assert_eq!(document["next_step_code"], "review_warnings");
    assert_eq!(finding(&document, "insurer_number")["result"], "matched");
    // The sample's MedicalInstitutionCode 1311111111 fails its check digit: a warning.
    let check_digit = finding(&document, "check_digit");
    assert_eq!(check_digit["result"], "warning");
    assert_eq!(check_digit["reason"], "bad_check_digit");
    // The same file a day later: the result was for another date.
    let later = verify("--oqs-response", &edited, "2023-02-22", "checkup", true).json();
    assert_ne!(later["outcome"], "eligible");
}

#[test]
fn a_mynaportal_reading_that_matches_is_eligible() {
    let evidence = data("mynaportal-shinryo-taro.json");
    let run = verify("--evidence", &evidence, "2023-02-21", "checkup", false);
    run.expect_code(0);
    assert!(run.stdout.contains("資格を確認できました / eligible"));
    let document = verify("--evidence", &evidence, "2023-02-21", "checkup", true)
        .expect_code(0)
        .json();
    assert_eq!(document["outcome"], "eligible");
    assert_eq!(document["evidence"], "mynaportal");
    assert_eq!(document["purpose"], "specific_health_checkup");
    assert_eq!(document["checkup_date"], "2023-02-21");
    assert_eq!(document["next_step_code"], "proceed");
    for f in document["findings"].as_array().unwrap() {
        for key in ["field", "result", "reason", "message"] {
            assert!(!f[key].is_null(), "{key} in {f}");
        }
        assert!(f["message"]["ja"].is_string() && f["message"]["en"].is_string());
    }
    assert_golden("voucher_verify_mynaportal_eligible", &document);
}

#[test]
fn the_wrong_purpose_or_an_expired_voucher_is_not_eligible() {
    let evidence = data("mynaportal-shinryo-taro.json");
    let document = verify("--evidence", &evidence, "2023-02-21", "guidance", true)
        .expect_code(1)
        .json();
    assert_eq!(finding(&document, "purpose")["result"], "mismatched");
    // The voucher expired on 2023-03-31.
    let document = verify("--evidence", &evidence, "2023-04-01", "checkup", true)
        .expect_code(1)
        .json();
    assert_eq!(finding(&document, "voucher_expiry")["result"], "mismatched");
    assert_eq!(document["next_step_code"], "contact_insurer");
}

#[test]
fn a_card_without_its_notice_or_an_old_card_after_2025_12_01_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let voucher = dir.path().join("voucher.json");
    let text = std::fs::read_to_string(data("voucher-shinryo-taro.json")).unwrap();
    std::fs::write(&voucher, text.replace("2023-03-31", "2026-03-31")).unwrap();
    let card = dir.path().join("card.json");
    std::fs::write(
        &card,
        r#"{"kind":"old_insurance_card",
            "reading":{"insurer_number":"06110829","card_symbol":"12-34","card_number":"4260"},
            "attestation":{"staff_id":"S1","attested_at":"2025-12-02T10:00:00"}}"#,
    )
    .unwrap();
    let run = elig([
        "voucher".as_ref(),
        "verify".as_ref(),
        "--voucher".as_ref(),
        voucher.as_os_str(),
        "--evidence".as_ref(),
        card.as_os_str(),
        "--date".as_ref(),
        "2025-12-02".as_ref(),
        "--purpose".as_ref(),
        "checkup".as_ref(),
        "--json".as_ref(),
    ]);
    let document = run.expect_code(1).json();
    assert_eq!(finding(&document, "evidence")["result"], "mismatched");

    // マイナ保険証 shown without 資格情報のお知らせ: nothing to read.
    let card_only = dir.path().join("card-only.json");
    std::fs::write(
        &card_only,
        r#"{"kind":"myna_card_with_notice","card_presented":true,
            "attestation":{"staff_id":"S1","attested_at":"2023-02-21T10:00:00"}}"#,
    )
    .unwrap();
    let document = verify("--evidence", &card_only, "2023-02-21", "checkup", true)
        .expect_code(1)
        .json();
    let evidence = finding(&document, "evidence");
    assert_eq!(evidence["result"], "mismatched");
    assert_eq!(document["next_step_code"], "use_other_evidence");
}

#[test]
fn input_errors_exit_2_with_one_sentence_and_the_next_step() {
    let dir = tempfile::tempdir().unwrap();
    let online = dir.path().join("online.json");
    std::fs::write(&online, r#"{"kind":"online","channel":"limited"}"#).unwrap();
    let misspelt = dir.path().join("misspelt.json");
    let text = std::fs::read_to_string(data("mynaportal-shinryo-taro.json")).unwrap();
    std::fs::write(&misspelt, text.replace("\"reading\"", "\"readings\"")).unwrap();
    let missing = dir.path().join("missing.json");
    for (evidence, kind) in [
        (&online, "evidence_file"),
        (&misspelt, "evidence_file"),
        (&missing, "file"),
    ] {
        let run = verify("--evidence", evidence, "2023-02-21", "checkup", false);
        run.expect_code(2);
        assert!(run.stderr.starts_with("elig: "), "{}", run.stderr);
        assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
        assert_clean_error(&run);
        let document = verify("--evidence", evidence, "2023-02-21", "checkup", true)
            .expect_code(2)
            .json();
        assert_eq!(document["outcome"], "error");
        assert_eq!(document["error"]["kind"], kind);
        assert!(document["next_step"].as_str().unwrap().ends_with('.'));
    }

    // A voucher whose insurer number fails its check digit.
    let bad_voucher = dir.path().join("voucher.json");
    let text = std::fs::read_to_string(data("voucher-shinryo-taro.json")).unwrap();
    std::fs::write(&bad_voucher, text.replace("06110829", "06110828")).unwrap();
    let run = elig([
        "--json".as_ref(),
        "voucher".as_ref(),
        "verify".as_ref(),
        "--voucher".as_ref(),
        bad_voucher.as_os_str(),
        "--oqs-response".as_ref(),
        sample_response().as_os_str(),
        "--date".as_ref(),
        "2023-02-21".as_ref(),
        "--purpose".as_ref(),
        "checkup".as_ref(),
    ]);
    let document = run.expect_code(2).json();
    assert_eq!(document["error"]["kind"], "voucher_invalid");
    assert!(!run.stdout.contains("診療"), "no name in an error");

    // A malformed birth date: an input error that does not repeat it.
    let text = std::fs::read_to_string(data("voucher-shinryo-taro.json")).unwrap();
    std::fs::write(&bad_voucher, text.replace("2001-03-27", "2001-03-27x")).unwrap();
    let run = elig([
        "voucher".as_ref(),
        "verify".as_ref(),
        "--voucher".as_ref(),
        bad_voucher.as_os_str(),
        "--oqs-response".as_ref(),
        sample_response().as_os_str(),
        "--date".as_ref(),
        "2023-02-21".as_ref(),
        "--purpose".as_ref(),
        "checkup".as_ref(),
    ]);
    run.expect_code(2);
    assert!(run.stderr.contains("is not a voucher"), "{}", run.stderr);
    assert!(!run.stderr.contains("2001"), "{}", run.stderr);

    // Not a 既存型 response.
    let run = verify("--oqs-response", &voucher(), "2023-02-21", "checkup", true);
    assert_eq!(run.expect_code(2).json()["error"]["kind"], "oqs_response");
}

#[test]
fn the_error_document_is_stable() {
    // A voucher given as the evidence: the error names the file as given, relative.
    let run = elig_in(
        &data(""),
        [
            "voucher",
            "verify",
            "--voucher",
            "voucher-shinryo-taro.json",
            "--evidence",
            "voucher-shinryo-taro.json",
            "--date",
            "2023-02-21",
            "--purpose",
            "checkup",
            "--json",
        ],
    );
    let document = run.expect_code(2).json();
    assert_golden("voucher_verify_error", &document);
}

#[test]
fn the_command_line_needs_exactly_one_evidence_and_a_valid_date() {
    let sample = sample_response();
    let evidence = data("mynaportal-shinryo-taro.json");
    // Neither.
    elig([
        "voucher".as_ref(),
        "verify".as_ref(),
        "--voucher".as_ref(),
        voucher().as_os_str(),
        "--date".as_ref(),
        "2023-02-21".as_ref(),
        "--purpose".as_ref(),
        "checkup".as_ref(),
    ])
    .expect_code(2);
    // Both.
    elig([
        "voucher".as_ref(),
        "verify".as_ref(),
        "--voucher".as_ref(),
        voucher().as_os_str(),
        "--oqs-response".as_ref(),
        sample.as_os_str(),
        "--evidence".as_ref(),
        evidence.as_os_str(),
        "--date".as_ref(),
        "2023-02-21".as_ref(),
        "--purpose".as_ref(),
        "checkup".as_ref(),
    ])
    .expect_code(2);
    // A date that does not exist.
    let run = verify("--evidence", &evidence, "2023-02-30", "checkup", false);
    run.expect_code(2);
    assert!(run.stderr.contains("YYYY-MM-DD"), "{}", run.stderr);
    // Identity verification is not a purpose the command offers.
    verify("--evidence", &evidence, "2023-02-21", "identity", false).expect_code(2);
}

#[test]
fn help_shows_examples_and_the_exit_codes() {
    let run = elig(["voucher", "verify", "--help"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("elig voucher verify --voucher voucher.json")
    );
    assert!(
        run.stdout
            .contains("Exit codes: 0 eligible, 1 not eligible, 3 needs staff review")
    );
}
