//! `elig card info` and `elig readers` with no card available: a card or reader error (exit
//! 4) that says what to do — without PC/SC support, without pcscd, or without a card. The
//! runs with a card are in `pcscd.rs` (scripts/pcscd-test.sh).

mod common;

use common::{code, json, run};

const READER_KINDS: [&str; 4] = ["no_pcsc", "no_smartcard_service", "no_reader", "no_card"];

#[test]
fn card_info_without_a_card_is_exit_4_with_the_next_step() {
    let output = run(&["card", "info", "--reader", "No Such Reader 99", "--json"]);
    assert_eq!(code(&output), 4);
    let doc = json(&output);
    let kind = doc["error"]["kind"].as_str().unwrap();
    assert!(READER_KINDS.contains(&kind), "{kind}");
    assert!(!doc["next_step"].as_str().unwrap().is_empty());
}

#[cfg(not(feature = "pcsc"))]
#[test]
fn without_pcsc_the_error_says_how_to_build_with_it() {
    let output = run(&["readers"]);
    assert_eq!(code(&output), 4);
    let text = String::from_utf8(output.stderr).unwrap();
    assert!(text.contains("--features pcsc"), "{text}");
}
