//! Stateful property tests: the procedures driven by a card that answers anything. They
//! must never panic, always stop, never send the PIN twice, and — once a VERIFY went out —
//! end with a SELECT by AID (the state clearing, maybe completed by GET RESPONSE) whenever
//! they end on their own.
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{certificate, digest, pin};
use jpki_apdu::content::{CardSex, encode_basic_info};
use jpki_apdu::procedure::{LastTry, PinModeCheck, ReadBasicInfo};
use jpki_apdu::{AssistPin, Command, DriveError, Procedure, ReaderLimits, drive};
use proptest::prelude::*;

fn reply() -> impl Strategy<Value = Vec<u8>> {
    let cert = certificate(1900);
    let info = encode_basic_info("A", "B", "20000101", CardSex::Male).unwrap();
    prop_oneof![
        Just(vec![0x90, 0x00]),
        (0u8..=15).prop_map(|x| vec![0x63, 0xC0 | x]),
        Just(vec![0x63, 0x00]),
        Just(vec![0x69, 0x84]),
        Just(vec![0x6A, 0x82]),
        Just(vec![0x67, 0x00]),
        Just(vec![0x6B, 0x00]),
        any::<u8>().prop_map(|x| vec![0x61, x]),
        any::<u8>().prop_map(|x| vec![0x6C, x]),
        (0usize..1900, any::<bool>()).prop_map(move |(n, eof)| {
            let mut r = cert[..n].to_vec();
            r.extend_from_slice(if eof { &[0x62, 0x82] } else { &[0x90, 0x00] });
            r
        }),
        Just({
            let mut r = info.clone();
            r.extend_from_slice(&[0x90, 0x00]);
            r
        }),
        Just({
            let mut r = vec![0x5A; 256];
            r.extend_from_slice(&[0x90, 0x00]);
            r
        }),
        proptest::collection::vec(any::<u8>(), 0..40),
    ]
}

/// Runs `procedure` against `replies`; returns the commands sent and whether it ended on
/// its own: not because the replies ran out (transport error), and not because a reply had
/// fewer than the two status bytes (`drive` then abandons the procedure before it sees
/// anything, so no procedure can clean up; the link is broken, as with a transport error).
fn run<P: Procedure>(procedure: P, replies: &[Vec<u8>]) -> (Vec<Vec<u8>>, bool) {
    let mut sent: Vec<Vec<u8>> = Vec::new();
    let result = drive(procedure, |c: &[u8]| {
        sent.push(c.to_vec());
        replies.get(sent.len() - 1).cloned().ok_or(())
    });
    let ended_itself = !matches!(
        result,
        Err(DriveError::Transport(()) | DriveError::Response(_))
    );
    (sent, ended_itself)
}

fn check_invariants(sent: &[Vec<u8>], ended_itself: bool, replies: usize) {
    assert!(sent.len() <= replies + 1, "always stops");
    let verifies: Vec<usize> = sent
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            let c = Command::parse(c).unwrap();
            c.ins() == 0x20 && !c.data().is_empty()
        })
        .map(|(i, _)| i)
        .collect();
    assert!(verifies.len() <= 1, "the PIN is sent at most once");
    if let (Some(_), true) = (verifies.first(), ended_itself) {
        // GET RESPONSE only completes the command before it: skip trailing ones.
        let last = sent
            .iter()
            .rev()
            .map(|c| Command::parse(c).unwrap())
            .find(|c| c.ins() != 0xC0)
            .unwrap();
        assert_eq!(
            (last.ins(), last.p1()),
            (0xA4, 0x04),
            "after a VERIFY, the procedure ends by selecting an application"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn pin_mode_check_against_any_card(
        replies in proptest::collection::vec(reply(), 0..40),
        extended in any::<bool>(),
    ) {
        let limits = if extended { ReaderLimits::extended(4096) } else { ReaderLimits::short_only() };
        let (sent, ended) = run(PinModeCheck::up_front(pin(), LastTry::Allow, digest(), limits), &replies);
        check_invariants(&sent, ended, replies.len());
    }

    #[test]
    fn read_basic_info_against_any_card(replies in proptest::collection::vec(reply(), 0..30)) {
        let pin = AssistPin::new("1234").unwrap();
        let (sent, ended) = run(
            ReadBasicInfo::new(pin, LastTry::Refuse, ReaderLimits::short_only()),
            &replies,
        );
        check_invariants(&sent, ended, replies.len());
    }
}
