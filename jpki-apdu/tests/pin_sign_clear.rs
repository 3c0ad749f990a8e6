//! Golden transcripts (byte-exact) of the PIN, signature and state-clearing procedures,
//! and of API misuse and transport errors.
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
    ClearState, Cleared, Error, LastTry, Malformed, Misuse, Operation, PinStatus, QueryPinStatus,
    SelectApplication, Sign, VerifyPin,
};
use jpki_apdu::{DigestInfo, DriveError, Procedure, Response, StatusWord, Step, drive};

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
            QueryPinStatus::new(jpki::AUTH_PIN, short()),
            &[ex("00A4020C020018", OK), ex("00200080", sw)],
        )
        .unwrap();
        assert_eq!(status, expected, "{sw}");
    }
    let err = procedure_error(run_script(
        QueryPinStatus::new(jpki::AUTH_PIN, short()),
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

#[test]
fn verify_golden() {
    let before = run_script(
        VerifyPin::auth(pin(), LastTry::Refuse, short()),
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
            VerifyPin::auth(pin(), LastTry::Allow, short()),
            &[ex("00A4020C020018", OK), ex("00200080", sw)],
        ));
        assert_eq!(err, Error::PinBlocked, "{sw}");
    }
}

/// A card that refuses the VERIFY itself with 6983/6984 (blocked already, although the
/// query showed tries) is reported as blocked, and the message does not claim that nothing
/// was sent: the PIN was.
#[test]
fn verify_refused_as_blocked_after_sending() {
    for sw in ["6983", "6984"] {
        let err = procedure_error(run_script(
            VerifyPin::auth(pin(), LastTry::Refuse, short()),
            &[
                ex("00A4020C020018", OK),
                ex("00200080", "63C3"),
                ex("002000800431323334", sw),
            ],
        ));
        assert_eq!(err, Error::PinBlocked, "{sw}");
        let text = err.to_string();
        assert!(!text.contains("nothing was sent"), "{text}");
        assert!(text.contains("blocked"), "{text}");
    }
}

/// A caller (a virtual card, a test) may hand-build the response with a non-canonical
/// status word: `Counter(0x10)` encodes as `63C0`, so the PIN is blocked and must not be
/// sent; `PinStatus` reads the code, not the variant.
#[test]
fn hand_built_counter_status_is_read_by_its_code() {
    assert_eq!(
        PinStatus::from_status(StatusWord::Counter(0x10)),
        Some(PinStatus::Blocked)
    );
    assert_eq!(
        PinStatus::from_status(StatusWord::Other(0x63C2)),
        Some(PinStatus::TriesLeft(2))
    );
    let mut verify = VerifyPin::auth(pin(), LastTry::Allow, short());
    let Ok(Step::Send(select)) = verify.poll() else {
        panic!("expected the SELECT");
    };
    assert_eq!(to_hex(&select.to_bytes()), "00A4020C020018");
    verify
        .handle(Response::status_only(StatusWord::Success))
        .unwrap();
    let Ok(Step::Send(query)) = verify.poll() else {
        panic!("expected the retry query");
    };
    assert_eq!(to_hex(&query.to_bytes()), "00200080");
    verify
        .handle(Response::status_only(StatusWord::Counter(0x10)))
        .unwrap();
    match verify.poll() {
        Err(Error::PinBlocked) => {}
        Ok(Step::Send(c)) => panic!("sent {c:?} to a blocked PIN"),
        other => panic!("expected PinBlocked, got {other:?}"),
    }
}

#[test]
fn last_try_needs_consent() {
    let err = procedure_error(run_script(
        VerifyPin::auth(pin(), LastTry::Refuse, short()),
        &[ex("00A4020C020018", OK), ex("00200080", "63C1")],
    ));
    assert_eq!(err, Error::LastTryNotConsented);
    let before = run_script(
        VerifyPin::auth(pin(), LastTry::Allow, short()),
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
        VerifyPin::auth(pin(), LastTry::Refuse, short()),
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
        VerifyPin::auth(pin(), LastTry::Allow, short()),
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
        VerifyPin::auth(pin(), LastTry::Refuse, short()),
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
        VerifyPin::sign(pw, LastTry::Refuse, short()),
        &[
            ex("00A4020C02001B", OK),
            ex("00200080", "63C5"),
            ex("0020008006414243313233", OK),
        ],
    )
    .unwrap();
    let ap = jpki_apdu::AssistPin::new("0000").unwrap();
    run_script(
        VerifyPin::assist(ap, LastTry::Refuse, short()),
        &[
            ex("00A4020C020011", OK),
            ex("00200080", "63C3"),
            ex("002000800430303030", OK),
        ],
    )
    .unwrap();
}

#[test]
fn sign_golden() {
    let sig = [0xA5u8; 256];
    let out = run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32]), short()),
        &[
            ex("00A4020C020017", OK),
            ex_bytes(hex(&sign_command(0x11)), with_sw(&sig, OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, sig.to_vec());
    // T=0-style reader: 6100 then GET RESPONSE.
    let out = run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32]), short()),
        &[
            ex("00A4020C020017", OK),
            ex(&sign_command(0x11), "6100"),
            ex_bytes(hex("00C0000000"), with_sw(&sig, OK)),
        ],
    )
    .unwrap();
    assert_eq!(out, sig.to_vec());
    let err = procedure_error(run_script(
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32]), short()),
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
        Sign::with_auth_key(DigestInfo::sha256(&[0x11; 32]), short()),
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
        ClearState::new(ids::JPKI_AP, short()),
        &[ex("00A4040C07A0000001510000", OK)],
    )
    .unwrap();
    assert_eq!(how, Cleared::IsdSelected);
    // No ISD: select a different application, which clears the state too.
    let how = run_script(
        ClearState::new(ids::JPKI_AP, short()),
        &[
            ex("00A4040C07A0000001510000", "6A82"),
            ex("00A4040C0AD3921000310001010408", OK),
        ],
    )
    .unwrap();
    assert_eq!(how, Cleared::OtherApplicationSelected(ids::ASSIST_AP));
    let how = run_script(
        ClearState::new(ids::ASSIST_AP, short()),
        &[
            ex("00A4040C07A0000001510000", "6A82"),
            ex("00A4040C0AD392F000260100000001", OK),
        ],
    )
    .unwrap();
    assert_eq!(how, Cleared::OtherApplicationSelected(ids::JPKI_AP));
    let err = procedure_error(run_script(
        ClearState::new(ids::JPKI_AP, short()),
        &[ex("00A4040C07A0000001510000", "6F00")],
    ));
    assert!(err.to_string().contains("power it down"), "{err}");
}

#[test]
fn misuse_is_reported() {
    let mut p = SelectApplication::new(ids::ISD, short());
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
    let r = drive(
        SelectApplication::new(ids::JPKI_AP, short()),
        |_: &[u8]| Err::<Vec<u8>, _>("reader removed"),
    );
    assert_eq!(r, Err(DriveError::Transport("reader removed")));
    let r = drive(
        SelectApplication::new(ids::JPKI_AP, short()),
        |_: &[u8]| Ok::<_, ()>(vec![0x90]),
    );
    assert!(matches!(r, Err(DriveError::Response(_))));
}

#[test]
fn change_pin_golden() {
    let new = jpki_apdu::AuthPin::new("5678").unwrap();
    run_script(
        jpki_apdu::procedure::ChangePin::auth(pin(), new, LastTry::Refuse, short()),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", "63C3"),
            ex("002000800431323334", OK),
            ex("002401800435363738", OK),
        ],
    )
    .unwrap();
    // A wrong current PIN: no CHANGE REFERENCE DATA is sent.
    let new = jpki_apdu::AuthPin::new("5678").unwrap();
    let err = procedure_error(run_script(
        jpki_apdu::procedure::ChangePin::auth(pin(), new, LastTry::Refuse, short()),
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
    let new = jpki_apdu::AuthPin::new("5678").unwrap();
    let err = procedure_error(run_script(
        jpki_apdu::procedure::ChangePin::auth(pin(), new, LastTry::Refuse, short()),
        &[
            ex("00A4020C020018", OK),
            ex("00200080", "63C3"),
            ex("002000800431323334", OK),
            ex("002401800435363738", "6985"),
        ],
    ));
    assert_eq!(
        err,
        Error::Card {
            operation: Operation::ChangeReferenceData,
            status: StatusWord::ConditionsNotSatisfied
        }
    );
}
