//! `elig demo`: the in-process sandbox, virtual cards and the real TLS driver, end to end.

mod common;

use common::{code, json, run};

#[test]
fn the_demo_runs_every_case_to_its_documented_outcome() {
    let output = run(&["demo", "--json"]);
    assert_eq!(
        code(&output),
        0,
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc = json(&output);
    let cases = doc["cases"].as_array().expect("a cases array");
    let summary: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("pin_eligible", "eligible"),
            ("other_insurer", "not_eligible"),
            ("visual_confirmation", "eligible"),
            ("wrong_pin", "error"),
            ("wrong_pin_again", "error"),
            ("last_try_right_pin", "eligible"),
        ]
    );
    // The PIN check: SELECT AP, SELECT EF, READ BINARY, SELECT PIN, VERIFY (tries), VERIFY
    // (PIN), SELECT key, SIGN, clear.
    assert_eq!(cases[0]["apdus"], 9);
    assert_eq!(cases[5]["apdus"], 9);
    // 目視確認 reads the certificate only: no VERIFY, no SIGN.
    let visual_apdus = cases[2]["apdus"].as_u64().unwrap();
    assert!(visual_apdus < 9, "{visual_apdus}");
    // The tries left go down with each wrong PIN; the last one is spent after the warning.
    let tries: Vec<&serde_json::Value> = cases[3..].iter().map(|c| &c["tries_left"][0]).collect();
    assert_eq!(tries, [3, 2, 1]);
    assert_eq!(cases[3]["error"]["kind"], "wrong_pin");
    assert!(
        cases[5]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["step"] == "last_try_warning")
    );
    // The refused case says why, field by field.
    let findings = cases[1]["verdict"]["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["field"] == "qualification_validity" && f["result"] == "mismatched")
    );
    // The card's steps carry their own APDUs: detection 1, the VERIFY with the PIN 1, the
    // signature (SELECT key + SIGN) 2, the clear step 1.
    let apdus_of = |case: &serde_json::Value, step: &str| -> Vec<u64> {
        case["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["step"] == step)
            .map(|s| s["apdus"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(apdus_of(&cases[0], "card_detected"), [1]);
    assert_eq!(apdus_of(&cases[0], "pin_verify"), [1]);
    assert_eq!(apdus_of(&cases[0], "signed"), [2]);
    assert_eq!(apdus_of(&cases[0], "card_cleared"), [1]);
    assert!(
        apdus_of(&cases[2], "pin_verify").is_empty(),
        "目視確認 sends no PIN"
    );
    // Each step has its APDU count; they add up to the case's.
    for case in cases {
        let sum: u64 = case["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["apdus"].as_u64().unwrap())
            .sum();
        assert_eq!(Some(sum), case["apdus"].as_u64(), "{}", case["name"]);
    }
}

#[test]
fn the_demo_in_text_shows_japanese_and_english_labels() {
    let output = run(&["demo"]);
    assert_eq!(code(&output), 0);
    let text = String::from_utf8(output.stdout).unwrap();
    for label in [
        "カード検出 card detected",
        "判定 verdict: 資格を確認できました / eligible",
        "資格を確認できません / not eligible",
        "PIN tries left: 2",
    ] {
        assert!(text.contains(label), "missing {label:?} in:\n{text}");
    }
    assert!(!text.contains("4321"), "the PIN is never printed");
}
