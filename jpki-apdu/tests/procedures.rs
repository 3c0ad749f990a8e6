//! Golden transcripts (byte-exact) for every procedure, and the APDU count of a whole
//! PIN-mode check against a scripted card.
// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]

mod common;

use common::{TestCard, certificate, ex, ex_bytes, hex, run_script, to_hex};
use jpki_apdu::ids::{self, jpki};
use jpki_apdu::procedure::{
    ClearState, Cleared, Error, LastTry, Malformed, Misuse, Operation, PinModeCheck, PinStatus,
    QueryPinStatus, ReadEf, ReadLength, SelectApplication, Sign, VerifyPin,
};
use jpki_apdu::{
    AuthPin, DigestInfo, DriveError, Procedure, ReaderLimits, Response, StatusWord, Step, drive,
};

const OK: &str = "9000";

fn with_sw(data: &[u8], sw: &str) -> Vec<u8> {
    let mut out = data.to_vec();
    out.extend_from_slice(&hex(sw));
    out
}

fn procedure_error<T: std::fmt::Debug>(
    r: Result<T, DriveError<std::convert::Infallible>>,
) -> Error {
    match r {
        Err(DriveError::Procedure(e)) => e,
        other => panic!("expected a procedure error, got {other:?}"),
    }
}

#[test]
fn select_application_golden() {
    run_script(
        SelectApplication::new(ids::JPKI_AP),
        &[ex("00A4040C0AD392F000260100000001", OK)],
    )
    .unwrap();
    let err = procedure_error(run_script(
        SelectApplication::new(ids::JPKI_AP),
        &[ex("00A4040C0AD392F000260100000001", "6A82")],
    ));
    assert_eq!(
        err,
        Error::Card {
            operation: Operation::SelectApplication(ids::JPKI_AP),
            status: StatusWord::FileNotFound
        }
    );
}

#[test]
fn read_ef_short_chunks_golden() {
    let cert = certificate(300);
    let out = run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..256], OK)),
            ex_bytes(hex("00B001002C"), with_sw(&cert[256..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
}

#[test]
fn read_ef_extended_one_read_golden() {
    let cert = certificate(300);
    let mut ef = cert.clone();
    ef.extend_from_slice(&[0xFF; 20]);
    let out = run_script(
        ReadEf::new(
            jpki::AUTH_CERT,
            ReadLength::Tlv,
            ReaderLimits::extended(4096),
        ),
        &[
            ex("00A4020C02000A", OK),
            // Asks for all one response may carry (4094); the card answers up to its EOF.
            ex_bytes(hex("00B00000000FFE"), with_sw(&ef, "6282")),
        ],
    )
    .unwrap();
    assert_eq!(out, cert, "padding after the TLV is cut off");
}

#[test]
fn read_ef_extended_falls_back_on_6700() {
    let cert = certificate(1900);
    let out = run_script(
        ReadEf::new(
            jpki::AUTH_CERT,
            ReadLength::Tlv,
            ReaderLimits::extended(4096),
        ),
        &[
            ex("00A4020C02000A", OK),
            ex("00B00000000FFE", "6700"),
            // Header read, then exactly the rest in one extended read.
            ex_bytes(hex("00B0000000"), with_sw(&cert[..256], OK)),
            ex_bytes(hex("00B00100 00066C"), with_sw(&cert[256..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
    // A card that refuses extended Le altogether: 256-byte chunks after that.
    let cert = certificate(600);
    let out = run_script(
        ReadEf::new(
            jpki::AUTH_CERT,
            ReadLength::Tlv,
            ReaderLimits::extended(4096),
        ),
        &[
            ex("00A4020C02000A", OK),
            ex("00B00000000FFE", "6700"),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..256], OK)),
            ex("00B00100 000158", "6700"),
            ex_bytes(hex("00B0010000"), with_sw(&cert[256..512], OK)),
            ex_bytes(hex("00B0020058"), with_sw(&cert[512..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
}

#[test]
fn read_ef_short_read_continues_golden() {
    let cert = certificate(300);
    let out = run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..100], OK)),
            ex_bytes(hex("00B00064C8"), with_sw(&cert[100..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, cert);
}

#[test]
fn read_ef_wrong_le_resends_golden() {
    let data: Vec<u8> = (0u8..32).collect();
    let out = run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(32),
            ReaderLimits::short_only(),
        ),
        &[
            ex("00A4020C020006", OK),
            ex("00B0000020", "6C10"),
            ex_bytes(hex("00B0000010"), with_sw(&data[..16], OK)),
            ex_bytes(hex("00B0001010"), with_sw(&data[16..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, data);
}

#[test]
fn read_ef_get_response_joins_golden() {
    let data: Vec<u8> = (0u8..32).collect();
    let out = run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(32),
            ReaderLimits::short_only(),
        ),
        &[
            ex("00A4020C020006", OK),
            ex_bytes(hex("00B0000020"), with_sw(&data[..10], "6116")),
            ex_bytes(hex("00C0000016"), with_sw(&data[10..], OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, data);
}

#[test]
fn read_ef_end_of_file_errors() {
    // 6B00 before the declared length.
    let err = procedure_error(run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(32),
            ReaderLimits::short_only(),
        ),
        &[
            ex("00A4020C020006", OK),
            ex_bytes(hex("00B0000020"), with_sw(&[7; 10], OK)),
            ex("00B0000A16", "6B00"),
        ],
    ));
    assert_eq!(
        err,
        Error::Malformed {
            operation: Operation::ReadBinary {
                file: jpki::TOKEN_INFO,
                offset: 10
            },
            reason: Malformed::FileTruncated {
                expected: 32,
                got: 10
            }
        }
    );
    // 6282 before the TLV's declared length.
    let cert = certificate(300);
    let err = procedure_error(run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&cert[..100], "6282")),
        ],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::FileTruncated {
                expected: 300,
                got: 100
            },
            ..
        }
    ));
    // A header declaring more than READ BINARY can address.
    let err = procedure_error(run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&hex("3082FFFF0000"), OK)),
        ],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::FileTooLarge { len: 65_539 },
            ..
        }
    ));
    // Indefinite length in the header.
    let err = procedure_error(run_script(
        ReadEf::new(jpki::AUTH_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[
            ex("00A4020C02000A", OK),
            ex_bytes(hex("00B0000000"), with_sw(&hex("30800000"), OK)),
        ],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::Tlv(_),
            ..
        }
    ));
    // Success without data while more is due.
    let err = procedure_error(run_script(
        ReadEf::new(
            jpki::TOKEN_INFO,
            ReadLength::Exact(3),
            ReaderLimits::short_only(),
        ),
        &[ex("00A4020C020006", OK), ex("00B0000003", OK)],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::NoProgress,
            ..
        }
    ));
    // A card error on READ BINARY names the status word.
    let err = procedure_error(run_script(
        ReadEf::new(jpki::SIGN_CERT, ReadLength::Tlv, ReaderLimits::short_only()),
        &[ex("00A4020C020001", OK), ex("00B0000000", "6982")],
    ));
    assert_eq!(
        err,
        Error::Card {
            operation: Operation::ReadBinary {
                file: jpki::SIGN_CERT,
                offset: 0
            },
            status: StatusWord::SecurityStatusNotSatisfied
        }
    );
}

#[test]
fn pin_status_golden() {
    let cases = [
        ("63C3", PinStatus::TriesLeft(3)),
        ("63C1", PinStatus::TriesLeft(1)),
        ("63C0", PinStatus::Blocked),
        ("6984", PinStatus::Blocked),
        ("6983", PinStatus::Blocked),
        ("6300", PinStatus::NoLimit),
        ("9000", PinStatus::Verified),
    ];
    for (sw, expected) in cases {
        let status = run_script(
            QueryPinStatus::new(jpki::AUTH_PIN),
            &[ex("00A4020C020018", OK), ex("00200080", sw)],
        )
        .unwrap();
        assert_eq!(status, expected, "{sw}");
    }
    let err = procedure_error(run_script(
        QueryPinStatus::new(jpki::AUTH_PIN),
        &[ex("00A4020C020018", OK), ex("00200080", "6A86")],
    ));
    assert_eq!(
        err,
        Error::Card {
            operation: Operation::RetryQuery,
            status: StatusWord::IncorrectP1P2
        }
    );
}

fn pin() -> AuthPin {
    AuthPin::new("1234").unwrap()
}

#[test]
fn verify_golden() {
    let before = run_script(
        VerifyPin::auth(pin(), LastTry::Refuse),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", "63C3"),
            ex("002000800431323334", OK),
        ],
    )
    .unwrap();
    assert_eq!(before, PinStatus::TriesLeft(3));
}

#[test]
fn verify_refuses_when_blocked_without_sending_the_pin() {
    for sw in ["63C0", "6984"] {
        let err = procedure_error(run_script(
            VerifyPin::auth(pin(), LastTry::Allow),
            &[ex("00A4020C020018", OK), ex("00200080", sw)],
        ));
        assert_eq!(err, Error::PinBlocked, "{sw}");
    }
}

#[test]
fn last_try_needs_consent() {
    let err = procedure_error(run_script(
        VerifyPin::auth(pin(), LastTry::Refuse),
        &[ex("00A4020C020018", OK), ex("00200080", "63C1")],
    ));
    assert_eq!(err, Error::LastTryNotConsented);
    let before = run_script(
        VerifyPin::auth(pin(), LastTry::Allow),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", "63C1"),
            ex("002000800431323334", OK),
        ],
    )
    .unwrap();
    assert_eq!(before, PinStatus::TriesLeft(1));
}

#[test]
fn wrong_pin_is_never_resent() {
    // run_script fails if anything follows the failed VERIFY.
    let err = procedure_error(run_script(
        VerifyPin::auth(pin(), LastTry::Refuse),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", "63C3"),
            ex("002000800431323334", "63C2"),
        ],
    ));
    assert_eq!(
        err,
        Error::WrongPin {
            tries_left: Some(2)
        }
    );
    assert_eq!(err.to_string(), "wrong PIN: 2 tries left");
    let err = procedure_error(run_script(
        VerifyPin::auth(pin(), LastTry::Allow),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", "63C1"),
            ex("002000800431323334", "63C0"),
        ],
    ));
    assert_eq!(
        err,
        Error::WrongPin {
            tries_left: Some(0)
        }
    );
}

#[test]
fn already_verified_still_verifies() {
    let before = run_script(
        VerifyPin::auth(pin(), LastTry::Refuse),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", OK),
            ex("002000800431323334", OK),
        ],
    )
    .unwrap();
    assert_eq!(before, PinStatus::Verified);
}

#[test]
fn sign_password_and_assist_pin_verify_golden() {
    let pw = jpki_apdu::SignPassword::new("abc123").unwrap();
    run_script(
        VerifyPin::sign(pw, LastTry::Refuse),
        &[
            ex("00A4020C02001B", OK),
            ex("00200080", "63C5"),
            ex("0020008006414243313233", OK),
        ],
    )
    .unwrap();
    let ap = jpki_apdu::AssistPin::new("0000").unwrap();
    run_script(
        VerifyPin::assist(ap, LastTry::Refuse),
        &[
            ex("00A4020C020011", OK),
            ex("00200080", "63C3"),
            ex("002000800430303030", OK),
        ],
    )
    .unwrap();
}

fn sign_command(hash_byte: u8) -> String {
    format!(
        "802A008033 3031300D060960864801650304020105000420 {} 00",
        format!("{hash_byte:02X}").repeat(32)
    )
}

#[test]
fn sign_golden() {
    let sig = [0xA5u8; 256];
    let out = run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32])),
        &[
            ex("00A4020C020017", OK),
            ex_bytes(hex(&sign_command(0x11)), with_sw(&sig, OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, sig.to_vec());
    // T=0-style reader: 6100 then GET RESPONSE.
    let out = run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32])),
        &[
            ex("00A4020C020017", OK),
            ex(&sign_command(0x11), "6100"),
            ex_bytes(hex("00C0000000"), with_sw(&sig, OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, sig.to_vec());
    let err = procedure_error(run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32])),
        &[ex("00A4020C020017", OK), ex(&sign_command(0x11), "6982")],
    ));
    assert_eq!(
        err,
        Error::Card {
            operation: Operation::Sign,
            status: StatusWord::SecurityStatusNotSatisfied
        }
    );
    let err = procedure_error(run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32])),
        &[
            ex("00A4020C020017", OK),
            ex_bytes(hex(&sign_command(0x11)), with_sw(&[1; 128], OK)),
        ],
    ));
    assert!(matches!(
        err,
        Error::Malformed {
            reason: Malformed::SignatureLength { len: 128 },
            ..
        }
    ));
}

#[test]
fn clear_state_golden() {
    let how = run_script(
        ClearState::new(ids::JPKI_AP),
        &[ex("00A4040C07A0000001510000", OK)],
    )
    .unwrap();
    assert_eq!(how, Cleared::IsdSelected);
    // No ISD: select a different application, which clears the state too.
    let how = run_script(
        ClearState::new(ids::JPKI_AP),
        &[
            ex("00A4040C07A0000001510000", "6A82"),
            ex("00A4040C0AD3921000310001010408", OK),
        ],
    )
    .unwrap();
    assert_eq!(how, Cleared::OtherApplicationSelected(ids::ASSIST_AP));
    let how = run_script(
        ClearState::new(ids::ASSIST_AP),
        &[
            ex("00A4040C07A0000001510000", "6A82"),
            ex("00A4040C0AD392F000260100000001", OK),
        ],
    )
    .unwrap();
    assert_eq!(how, Cleared::OtherApplicationSelected(ids::JPKI_AP));
    let err = procedure_error(run_script(
        ClearState::new(ids::JPKI_AP),
        &[ex("00A4040C07A0000001510000", "6F00")],
    ));
    assert!(err.to_string().contains("power it down"), "{err}");
}

#[test]
fn misuse_is_reported() {
    let mut p = SelectApplication::new(ids::ISD);
    assert_eq!(
        p.handle(Response::status_only(StatusWord::Success)),
        Err(Error::Misuse(Misuse::UnexpectedResponse))
    );
    assert!(matches!(p.poll(), Ok(Step::Send(_))));
    assert!(matches!(
        p.poll(),
        Err(Error::Misuse(Misuse::ResponsePending))
    ));
    p.handle(Response::status_only(StatusWord::Success))
        .unwrap();
    assert!(matches!(p.poll(), Ok(Step::Done(()))));
    assert!(matches!(p.poll(), Err(Error::Misuse(Misuse::Finished))));
}

#[test]
fn transport_and_response_errors_surface() {
    let r = drive(SelectApplication::new(ids::JPKI_AP), |_: &[u8]| {
        Err::<Vec<u8>, _>("reader removed")
    });
    assert_eq!(r, Err(DriveError::Transport("reader removed")));
    let r = drive(SelectApplication::new(ids::JPKI_AP), |_: &[u8]| {
        Ok::<_, ()>(vec![0x90])
    });
    assert!(matches!(r, Err(DriveError::Response(_))));
}

fn digest() -> DigestInfo {
    DigestInfo::sha256(&[0x11; 32])
}

/// The whole PIN-mode check, byte for byte, with an extended-length reader: 9 APDUs.
#[test]
fn pin_mode_check_extended_golden_and_count() {
    let mut card = TestCard::new(1900, true);
    let evidence = drive(
        PinModeCheck::new(
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
        PinModeCheck::new(pin(), LastTry::Refuse, digest(), ReaderLimits::short_only()),
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
        PinModeCheck::new(
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
        PinModeCheck::new(
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
        PinModeCheck::new(pin(), LastTry::Refuse, digest(), ReaderLimits::short_only()),
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
        PinModeCheck::new(
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
