//! Every procedure takes the reader's limits: a reader with a small maximum response never
//! sees a first Le, a GET RESPONSE or a `6Cxx` resend asking for more than it carries, and
//! a command it cannot carry is refused before it is sent. Byte-exact transcripts.
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]

mod common;

use common::*;
use jpki_apdu::ids::{self, jpki};
use jpki_apdu::procedure::{
    ClearState, Cleared, Error, LastTry, Misuse, PinModeCheck, PinStatus, QueryPinStatus,
    SelectApplication, Sign, VerifyPin,
};
use jpki_apdu::{Command, CommandError, DigestInfo, ReaderLimits};

/// A reader that carries at most 128 response data bytes (130 with SW1 SW2).
fn narrow() -> ReaderLimits {
    ReaderLimits::short_only().with_max_response_len(130)
}

/// Every command the script saw fits the reader.
fn assert_all_fit(script: &[Exchange], limits: &ReaderLimits) {
    for e in script {
        let command = Command::parse(&e.command).unwrap();
        command.check_limits(limits).unwrap();
    }
}

#[test]
fn select_get_response_le_is_capped_golden() {
    let script = [
        ex("00A4040C0AD392F000260100000001", "6100"),
        ex_bytes(hex("00C0000080"), with_sw(&[0xAA; 128], "6120")),
        ex_bytes(hex("00C0000020"), with_sw(&[0xBB; 32], OK)),
    ];
    run_script(SelectApplication::new(ids::JPKI_AP, narrow()), &script).unwrap();
    assert_all_fit(&script, &narrow());
    // The same SELECT on a full short reader asks for the 256 the card named.
    run_script(
        SelectApplication::new(ids::JPKI_AP, ReaderLimits::short_only()),
        &[
            ex("00A4040C0AD392F000260100000001", "6100"),
            ex("00C0000000", OK),
        ],
    )
    .unwrap();
}

#[test]
fn verify_and_retry_query_get_response_le_is_capped_golden() {
    let script = [
        ex("00A4020C020018", OK),
        ex("00200080", "6100"),
        ex("00C0000080", "63C3"),
        ex("002000800431323334", "61FF"),
        ex_bytes(hex("00C0000080"), with_sw(&[0x01; 128], "6C90")),
        ex("00C0000080", OK),
    ];
    let before = run_script(VerifyPin::auth(pin(), LastTry::Refuse, narrow()), &script).unwrap();
    assert_eq!(before, PinStatus::TriesLeft(3));
    assert_all_fit(&script, &narrow());
    let status = run_script(
        QueryPinStatus::new(jpki::AUTH_PIN, narrow()),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", "6100"),
            ex("00C0000080", "63C2"),
        ],
    )
    .unwrap();
    assert_eq!(status, PinStatus::TriesLeft(2));
}

/// The signature (256 bytes) over a 128-byte reader: the first Le is 0x80, the `6C00`
/// resend asks for 0x80 again, and GET RESPONSE fetches the rest in a 128-byte piece.
#[test]
fn sign_first_le_resend_and_get_response_are_capped_golden() {
    let sign = |le: &str| {
        format!(
            "802A008033 3031300D060960864801650304020105000420 {} {le}",
            "11".repeat(32)
        )
    };
    let script = [
        ex("00A4020C020017", OK),
        ex(&sign("80"), "6C00"),
        ex_bytes(hex(&sign("80")), with_sw(&[0x5A; 128], "6100")),
        ex_bytes(hex("00C0000080"), with_sw(&[0x5B; 128], OK)),
    ];
    let signature = run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32]), narrow()),
        &script,
    )
    .unwrap();
    assert_eq!(signature.len(), 256);
    assert_eq!(&signature[..128], &[0x5A; 128][..]);
    assert_eq!(&signature[128..], &[0x5B; 128][..]);
    assert_all_fit(&script, &narrow());
}

#[test]
fn clear_state_get_response_le_is_capped_golden() {
    let script = [ex("00A4040C07A0000001510000", "6100"), ex("00C0000080", OK)];
    let cleared = run_script(ClearState::new(ids::JPKI_AP, narrow()), &script).unwrap();
    assert_eq!(cleared, Cleared::IsdSelected);
}

/// A command longer than the reader carries is refused before it is sent: the signature
/// command (57 bytes) on a 40-byte reader. In the whole check that failure still clears.
#[test]
fn a_command_the_reader_cannot_carry_is_never_sent() {
    let tiny = ReaderLimits::short_only().with_max_command_len(40);
    let err = procedure_error(run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32]), tiny),
        &[ex("00A4020C020017", OK)],
    ));
    assert_eq!(
        err,
        Error::Misuse(Misuse::Command(CommandError::TooLongForReader {
            len: 57,
            max: 40
        }))
    );
    let mut card = TestCard::new(1900, false);
    let r = jpki_apdu::drive(
        PinModeCheck::up_front(pin(), LastTry::Refuse, digest(), tiny),
        |c: &[u8]| {
            Command::parse(c).unwrap().check_limits(&tiny).unwrap();
            Ok::<_, ()>(card.transceive(c))
        },
    );
    assert!(
        matches!(
            r,
            Err(jpki_apdu::DriveError::Procedure(Error::Misuse(
                Misuse::Command(CommandError::TooLongForReader { .. })
            )))
        ),
        "{r:?}"
    );
    assert!(!card.log.iter().any(|c| c.get(1) == Some(&0x2A)));
    assert_eq!(card.log.last(), Some(&hex("00A4040C07A0000001510000")));
    assert!(!card.verified);
}

/// The whole check over readers of several sizes, against a card that answers every Le
/// with `61xx` pieces: no command, follow-up or not, exceeds the reader.
#[test]
fn the_whole_check_never_exceeds_the_reader() {
    for max in [6usize, 40, 130, 258] {
        let limits = ReaderLimits::short_only().with_max_response_len(max);
        let mut card = TestCard::new(1900, false);
        let mut pending: Vec<u8> = Vec::new();
        let evidence = jpki_apdu::drive(
            PinModeCheck::up_front(pin(), LastTry::Refuse, digest(), limits),
            |c: &[u8]| {
                let command = Command::parse(c).unwrap();
                command.check_limits(&limits).unwrap();
                // GET RESPONSE: the next piece of what the card holds.
                let mut whole = if command.ins() == 0xC0 {
                    std::mem::take(&mut pending)
                } else {
                    let mut answer = card.transceive(c);
                    let sw = answer.split_off(answer.len() - 2);
                    if answer.is_empty() {
                        return Ok::<_, ()>(sw);
                    }
                    answer.extend_from_slice(&sw);
                    answer
                };
                let sw = whole.split_off(whole.len() - 2);
                let ne = command.ne().unwrap_or(256) as usize;
                if whole.len() <= ne {
                    whole.extend_from_slice(&sw);
                    return Ok(whole);
                }
                pending = whole.split_off(ne);
                pending.extend_from_slice(&sw);
                let left = (pending.len() - 2).min(255) as u8;
                whole.extend_from_slice(&[0x61, left]);
                Ok(whole)
            },
        )
        .unwrap();
        assert_eq!(evidence.certificate, certificate(1900), "max {max}");
        assert_eq!(evidence.signature, vec![0x5A; 256], "max {max}");
        assert!(!card.verified);
    }
}
