//! The whole PIN-mode check against a scripted card: byte-exact transcripts and APDU
//! counts (≤ 9 with extended length, ≤ 16 short), and state clearing on failure.
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
use jpki_apdu::ids;
use jpki_apdu::procedure::{Cleared, Error, LastTry, Operation, PinModeCheck, PinStatus};
use jpki_apdu::{AuthPin, DriveError, ReaderLimits, drive};

/// The whole PIN-mode check, byte for byte, with an extended-length reader: 9 APDUs.
#[test]
fn pin_mode_check_extended_golden_and_count() {
    let mut card = TestCard::new(1900, true);
    let evidence = drive(
        PinModeCheck::up_front(
            pin(),
            LastTry::Refuse,
            digest(),
            ReaderLimits::extended(4096),
        ),
        |c: &[u8]| Ok::<_, ()>(card.transceive(c)),
    )
    .unwrap();
    assert_eq!(evidence.certificate, certificate(1900));
    assert_eq!(evidence.signature, vec![0x5A; 256]);
    assert_eq!(evidence.pin_status_before, PinStatus::TriesLeft(3));
    assert_eq!(evidence.cleared, Cleared::IsdSelected);
    let expected = [
        "00A4040C0AD392F000260100000001".to_string(),
        "00A4020C02000A".into(),
        "00B00000000FFE".into(),
        "00A4020C020018".into(),
        "00200080".into(),
        "002000800431323334".into(),
        "00A4020C020017".into(),
        sign_command(0x11),
        "00A4040C07A0000001510000".into(),
    ];
    let got: Vec<String> = card.log.iter().map(|c| to_hex(c)).collect();
    let want: Vec<String> = expected.iter().map(|c| to_hex(&hex(c))).collect();
    assert_eq!(got, want);
    assert!(card.log.len() <= 9, "{} APDUs", card.log.len());
    assert!(!card.verified, "no verified state left behind");
}

/// The same check on a short-APDU-only reader: 16 APDUs (eight 256-byte READ BINARY).
#[test]
fn pin_mode_check_short_golden_and_count() {
    let mut card = TestCard::new(1900, false);
    let evidence = drive(
        PinModeCheck::up_front(pin(), LastTry::Refuse, digest(), ReaderLimits::short_only()),
        |c: &[u8]| Ok::<_, ()>(card.transceive(c)),
    )
    .unwrap();
    assert_eq!(evidence.certificate, certificate(1900));
    let mut expected = vec![
        "00A4040C0AD392F000260100000001".to_string(),
        "00A4020C02000A".into(),
    ];
    for chunk in 0..7 {
        expected.push(format!("00B0{chunk:02X}0000"));
    }
    expected.push("00B007006C".into());
    expected.extend([
        "00A4020C020018".to_string(),
        "00200080".into(),
        "002000800431323334".into(),
        "00A4020C020017".into(),
        sign_command(0x11),
        "00A4040C07A0000001510000".into(),
    ]);
    let got: Vec<String> = card.log.iter().map(|c| to_hex(c)).collect();
    let want: Vec<String> = expected.iter().map(|c| to_hex(&hex(c))).collect();
    assert_eq!(got, want);
    assert!(card.log.len() <= 16, "{} APDUs", card.log.len());
    // The retry query and the state clearing are in the count.
    assert!(card.log.contains(&hex("00200080")));
    assert_eq!(card.log.last(), Some(&hex("00A4040C07A0000001510000")));
    assert!(!card.verified);
}

#[test]
fn pin_mode_check_clears_state_on_failure() {
    // Wrong PIN: the error comes back, and the ISD is still selected.
    let mut card = TestCard::new(1900, true);
    let r = drive(
        PinModeCheck::up_front(
            AuthPin::new("9999").unwrap(),
            LastTry::Refuse,
            digest(),
            ReaderLimits::extended(4096),
        ),
        |c: &[u8]| Ok::<_, ()>(card.transceive(c)),
    );
    assert_eq!(
        r,
        Err(DriveError::Procedure(Error::WrongPin {
            tries_left: Some(2)
        }))
    );
    assert_eq!(card.log.last(), Some(&hex("00A4040C07A0000001510000")));
    assert_eq!(card.tries, 2);
    // Blocked card: no VERIFY is sent at all.
    let mut card = TestCard::new(1900, true);
    card.tries = 0;
    let r = drive(
        PinModeCheck::up_front(
            pin(),
            LastTry::Allow,
            digest(),
            ReaderLimits::extended(4096),
        ),
        |c: &[u8]| Ok::<_, ()>(card.transceive(c)),
    );
    assert_eq!(r, Err(DriveError::Procedure(Error::PinBlocked)));
    assert!(!card.log.contains(&hex("002000800431323334")));
    // Not a My Number Card: SELECT JPKI AP fails, nothing else is sent.
    let mut calls = 0;
    let r = drive(
        PinModeCheck::up_front(pin(), LastTry::Refuse, digest(), ReaderLimits::short_only()),
        |_: &[u8]| {
            calls += 1;
            Ok::<_, ()>(vec![0x6A, 0x82])
        },
    );
    assert!(matches!(
        r,
        Err(DriveError::Procedure(Error::Card {
            operation: Operation::SelectApplication(_),
            ..
        }))
    ));
    assert_eq!(calls, 1);
    // No ISD on this card: clearing falls back to another application.
    let mut card = TestCard::new(1900, true);
    card.has_isd = false;
    let evidence = drive(
        PinModeCheck::up_front(
            pin(),
            LastTry::Refuse,
            digest(),
            ReaderLimits::extended(4096),
        ),
        |c: &[u8]| Ok::<_, ()>(card.transceive(c)),
    )
    .unwrap();
    assert_eq!(
        evidence.cleared,
        Cleared::OtherApplicationSelected(ids::ASSIST_AP)
    );
    assert!(!card.verified);
}

/// A smartphone token guards the certificate with the PIN: READ BINARY answers 6982, the
/// check verifies first and reads again (11 APDUs), still clearing the state at the end.
#[test]
fn pin_mode_check_on_a_phone_token_golden() {
    let mut card = TestCard::new(1900, true);
    card.cert_needs_pin = true;
    let evidence = drive(
        PinModeCheck::up_front(
            pin(),
            LastTry::Refuse,
            digest(),
            ReaderLimits::extended(4096),
        ),
        |c: &[u8]| Ok::<_, ()>(card.transceive(c)),
    )
    .unwrap();
    assert_eq!(evidence.certificate, certificate(1900));
    let expected = [
        "00A4040C0AD392F000260100000001".to_string(),
        "00A4020C02000A".into(),
        "00B00000000FFE".into(),
        "00A4020C020018".into(),
        "00200080".into(),
        "002000800431323334".into(),
        "00A4020C02000A".into(),
        "00B00000000FFE".into(),
        "00A4020C020017".into(),
        sign_command(0x11),
        "00A4040C07A0000001510000".into(),
    ];
    let got: Vec<String> = card.log.iter().map(|c| to_hex(c)).collect();
    let want: Vec<String> = expected.iter().map(|c| to_hex(&hex(c))).collect();
    assert_eq!(got, want);
    assert!(!card.verified);
}
