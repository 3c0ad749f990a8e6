//! Golden tests of the stable JSON documents (issue 12, item 4): the verdict of `elig
//! verify --json` (taken from the demo's eligible PIN case, which runs the same code over the
//! same driver) and the error document. Dates are replaced by `YYYY-MM-DD` (the demo runs on
//! today) and the timings are not part of the verdict. `ELIG_UPDATE_GOLDEN=1` rewrites the
//! files after a deliberate change.

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod common;

use std::path::PathBuf;

use common::{code, json, run};

fn golden(name: &str, actual: &serde_json::Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    let text = serde_json::to_string_pretty(actual).unwrap() + "\n";
    if std::env::var_os("ELIG_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text, expected,
        "{name} changed: the JSON fields are a public contract"
    );
}

/// `2026-04-01` → `YYYY-MM-DD`, anywhere in the text.
fn without_dates(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let window: String = chars.iter().skip(i).take(10).collect();
        let is_date = window.len() == 10
            && window.char_indices().all(|(k, c)| match k {
                4 | 7 => c == '-',
                _ => c.is_ascii_digit(),
            });
        if is_date {
            out.push_str("YYYY-MM-DD");
            i += 10;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn the_verdict_document_is_stable() {
    let output = run(&["demo", "--json"]);
    assert_eq!(code(&output), 0);
    let doc = json(&output);
    for (case, file) in [
        (0, "verdict_eligible.json"),
        (1, "verdict_not_eligible.json"),
    ] {
        let verdict = &doc["cases"][case]["verdict"];
        let normalized: serde_json::Value =
            serde_json::from_str(&without_dates(&verdict.to_string())).unwrap();
        golden(file, &normalized);
    }
}

#[test]
fn the_error_document_is_stable() {
    let output = run(&["verify", "--voucher", "v.json", "--json"]);
    assert_eq!(code(&output), 2);
    golden("error_missing_setting.json", &json(&output));
}
