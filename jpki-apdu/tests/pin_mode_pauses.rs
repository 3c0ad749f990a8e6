//! The PIN-mode check that hands control back: byte-exact transcripts with the pauses in
//! them (`-- pause: …` lines), 9 / 16 APDUs in all and 4 after the PIN, the phone-token
//! branch, the last try, cancel at every pause, and misuse as typed errors.
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
use jpki_apdu::procedure::{
    CheckStep, Cleared, Error, LastTry, Misuse, PinModeCheck, PinStatus, Procedure,
};
use jpki_apdu::{AuthPin, ReaderLimits, Response, Step, drive};

const SELECT_AP: &str = "00A4040C0AD392F000260100000001";
const SELECT_CERT: &str = "00A4020C02000A";
const READ_ALL: &str = "00B00000000FFE";
const SELECT_PIN: &str = "00A4020C020018";
const QUERY: &str = "00200080";
const VERIFY: &str = "002000800431323334";
const SELECT_KEY: &str = "00A4020C020017";
const SELECT_ISD: &str = "00A4040C07A0000001510000";

fn extended() -> ReaderLimits {
    ReaderLimits::extended(4096)
}

/// Commands after the line `marker` (a pause), pauses excluded.
fn commands_after(lines: &[String], marker: &str) -> usize {
    let at = lines.iter().position(|l| l == marker).unwrap();
    lines[at + 1..]
        .iter()
        .filter(|l| !l.starts_with("--"))
        .count()
}

fn commands(lines: &[String]) -> usize {
    lines.iter().filter(|l| !l.starts_with("--")).count()
}

/// Extended-length reader, no digest up front: 5 APDUs, the PIN pause, VERIFY and SELECT
/// key, the digest pause, SIGN and SELECT ISD. 9 APDUs in all, 4 after the PIN.
#[test]
fn paused_check_extended_golden_9_apdus_4_after_the_pin() {
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    let mut cert_at_pin_pause = None;
    let (lines, evidence) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, pause| match pause {
            Pause::Pin(status) => {
                assert_eq!(status.tries_left(), Some(3));
                assert!(!status.is_last_try());
                assert_eq!(check.pin_status(), Some(status));
                cert_at_pin_pause = check.certificate().map(<[u8]>::to_vec);
                check.supply_pin(pin(), LastTry::Refuse).unwrap();
            }
            Pause::Digest => check.supply_digest(digest()).unwrap(),
        },
    );
    let evidence = evidence.unwrap();
    let pin_pause = pause_line(Pause::Pin(PinStatus::TriesLeft(3)));
    let sign = sign_command(0x11);
    assert_eq!(
        lines,
        golden(&[
            SELECT_AP,
            SELECT_CERT,
            READ_ALL,
            SELECT_PIN,
            QUERY,
            &pin_pause,
            VERIFY,
            SELECT_KEY,
            "-- pause: NeedDigest",
            &sign,
            SELECT_ISD,
        ])
    );
    assert_eq!(commands(&lines), 9);
    assert_eq!(commands_after(&lines, &pin_pause), 4);
    // The certificate was there to read while the person typed.
    assert_eq!(cert_at_pin_pause, Some(certificate(1900)));
    assert_eq!(evidence.certificate, certificate(1900));
    assert_eq!(evidence.signature, vec![0x5A; 256]);
    assert_eq!(evidence.pin_status_before, PinStatus::TriesLeft(3));
    assert_eq!(evidence.cleared, Cleared::IsdSelected);
    assert_eq!(card.log.len(), 9);
    assert!(!card.verified);
    // After Done the evidence holds the certificate; the check is finished.
    assert_eq!(check.certificate(), None);
    assert_eq!(check.poll().unwrap_err(), Error::Misuse(Misuse::Finished));
}

/// Short APDUs only; the digest arrives while the person types (supplied at the PIN pause,
/// before the PIN): no digest pause. 16 APDUs in all, 4 after the PIN.
#[test]
fn paused_check_short_golden_16_apdus_4_after_the_pin() {
    let mut card = TestCard::new(1900, false);
    let mut check = PinModeCheck::new(ReaderLimits::short_only());
    let (lines, evidence) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, pause| {
            assert_eq!(pause, Pause::Pin(PinStatus::TriesLeft(3)));
            check.supply_digest(digest()).unwrap();
            check.supply_pin(pin(), LastTry::Refuse).unwrap();
        },
    );
    assert_eq!(evidence.unwrap().certificate, certificate(1900));
    let pin_pause = pause_line(Pause::Pin(PinStatus::TriesLeft(3)));
    let sign = sign_command(0x11);
    let mut want = vec![SELECT_AP.to_string(), SELECT_CERT.into()];
    want.extend((0..7).map(|chunk| format!("00B0{chunk:02X}0000")));
    want.push("00B007006C".into());
    want.extend([SELECT_PIN.to_string(), QUERY.into(), pin_pause.clone()]);
    want.extend([
        VERIFY.to_string(),
        SELECT_KEY.into(),
        sign,
        SELECT_ISD.into(),
    ]);
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    assert_eq!(lines, golden(&want));
    assert_eq!(commands(&lines), 16);
    assert_eq!(commands_after(&lines, &pin_pause), 4);
    assert!(!card.verified);
}

/// A digest supplied before the first poll: no digest pause, and the same bytes as the
/// one-shot form (which is this check with the PIN supplied at its pause).
#[test]
fn digest_up_front_gives_the_one_shot_transcript() {
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    check.supply_digest(digest()).unwrap();
    let (lines, evidence) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, pause| {
            assert!(matches!(pause, Pause::Pin(_)), "{pause:?}");
            check.supply_pin(pin(), LastTry::Refuse).unwrap();
        },
    );
    let paused = evidence.unwrap();
    assert!(!lines.contains(&pause_line(Pause::Digest)));
    let mut one_shot_card = TestCard::new(1900, true);
    let one_shot = drive(
        PinModeCheck::up_front(pin(), LastTry::Refuse, digest(), extended()),
        |c: &[u8]| Ok::<_, ()>(one_shot_card.transceive(c)),
    )
    .unwrap();
    assert_eq!(card.log, one_shot_card.log);
    assert_eq!(paused, one_shot);
}

/// A phone token guards the certificate with the PIN: the READ answers 6982, so the PIN
/// pause comes before the certificate (none to read at the pause), and the read follows
/// the VERIFY.
#[test]
fn phone_token_pauses_for_the_pin_before_the_certificate_golden() {
    let mut card = TestCard::new(1900, true);
    card.cert_needs_pin = true;
    let mut check = PinModeCheck::new(extended());
    let (lines, evidence) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, pause| match pause {
            Pause::Pin(_) => {
                assert_eq!(check.certificate(), None);
                check.supply_pin(pin(), LastTry::Refuse).unwrap();
            }
            Pause::Digest => {
                assert_eq!(check.certificate(), Some(&certificate(1900)[..]));
                check.supply_digest(digest()).unwrap();
            }
        },
    );
    assert_eq!(evidence.unwrap().certificate, certificate(1900));
    let pin_pause = pause_line(Pause::Pin(PinStatus::TriesLeft(3)));
    let sign = sign_command(0x11);
    assert_eq!(
        lines,
        golden(&[
            SELECT_AP,
            SELECT_CERT,
            READ_ALL,
            SELECT_PIN,
            QUERY,
            &pin_pause,
            VERIFY,
            SELECT_CERT,
            READ_ALL,
            SELECT_KEY,
            "-- pause: NeedDigest",
            &sign,
            SELECT_ISD,
        ])
    );
    assert!(!card.verified);
}

/// One try left: the pause says so; refusing drops the PIN unsent and clears; allowing
/// sends it.
#[test]
fn last_try_is_the_callers_decision_at_the_pause() {
    let mut card = TestCard::new(1900, true);
    card.tries = 1;
    let mut check = PinModeCheck::new(extended());
    let (lines, result) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, pause| {
            let Pause::Pin(status) = pause else {
                panic!("{pause:?}")
            };
            assert!(status.is_last_try());
            check.supply_pin(pin(), LastTry::Refuse).unwrap();
        },
    );
    assert_eq!(result, Err(Error::LastTryNotConsented));
    assert!(!card.log.contains(&hex(VERIFY)));
    assert_eq!(lines.last().unwrap(), &to_hex(&hex(SELECT_ISD)));
    assert_eq!(card.tries, 1);

    let mut card = TestCard::new(1900, true);
    card.tries = 1;
    let mut check = PinModeCheck::new(extended());
    check.supply_digest(digest()).unwrap();
    let (_, result) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, _| check.supply_pin(pin(), LastTry::Allow).unwrap(),
    );
    assert!(result.is_ok());
    assert!(card.log.contains(&hex(VERIFY)));
}

/// A blocked PIN never pauses for the PIN: the state is cleared and the check ends.
#[test]
fn blocked_pin_ends_without_a_pause_and_without_verify() {
    let mut card = TestCard::new(1900, true);
    card.tries = 0;
    let mut check = PinModeCheck::new(extended());
    let (lines, result) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |_, pause| panic!("no pause expected: {pause:?}"),
    );
    assert_eq!(result, Err(Error::PinBlocked));
    assert_eq!(
        lines,
        golden(&[
            SELECT_AP,
            SELECT_CERT,
            READ_ALL,
            SELECT_PIN,
            QUERY,
            SELECT_ISD
        ])
    );
}

/// A wrong PIN ends the check (cleared); the PIN is not re-sent.
#[test]
fn wrong_pin_clears_and_ends() {
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    let (lines, result) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, _| {
            let wrong = AuthPin::new("9999").unwrap();
            check.supply_pin(wrong, LastTry::Refuse).unwrap();
        },
    );
    assert_eq!(
        result,
        Err(Error::WrongPin {
            tries_left: Some(2)
        })
    );
    assert_eq!(lines.last().unwrap(), &to_hex(&hex(SELECT_ISD)));
    assert_eq!(card.tries, 2);
}

/// Cancel at the PIN pause, at the digest pause (with the PIN verified), before anything
/// was sent, and while a command is outstanding: the state is cleared (when anything was
/// sent) and the check ends with `Cancelled`.
#[test]
fn cancel_clears_the_state_at_every_point() {
    // At the PIN pause.
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    let (lines, result) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, _| {
            check.cancel();
        },
    );
    assert_eq!(result, Err(Error::Cancelled));
    assert_eq!(lines.len(), 7, "{lines:?}");
    assert_eq!(lines[6], to_hex(&hex(SELECT_ISD)));
    assert!(!card.log.contains(&hex(VERIFY)));
    // Too late for a PIN or a digest once cancelled.
    assert_eq!(
        check.supply_pin(pin(), LastTry::Allow),
        Err(Error::Misuse(Misuse::PinNotNeeded))
    );
    check.cancel(); // after the end: nothing
    assert_eq!(check.poll().unwrap_err(), Error::Misuse(Misuse::Finished));

    // At the digest pause: the PIN is verified, the cancel must clear it.
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    let (lines, result) = drive_check(
        &mut check,
        |c| card.transceive(c),
        |check, pause| match pause {
            Pause::Pin(_) => check.supply_pin(pin(), LastTry::Refuse).unwrap(),
            Pause::Digest => {
                check.cancel();
                check.cancel(); // twice: the same
                assert_eq!(
                    check.supply_digest(digest()),
                    Err(Error::Misuse(Misuse::DigestTooLate))
                );
            }
        },
    );
    assert_eq!(result, Err(Error::Cancelled));
    assert!(card.log.contains(&hex(VERIFY)));
    assert_eq!(lines.last().unwrap(), &to_hex(&hex(SELECT_ISD)));
    assert!(!card.verified, "the cancel left no verified PIN");

    // Before the first poll: nothing to send, nothing to clear.
    let mut check = PinModeCheck::new(extended());
    check.cancel();
    assert_eq!(check.poll().unwrap_err(), Error::Cancelled);

    // While the first SELECT is outstanding: its answer is taken in, then the state is
    // cleared (the AP may be selected).
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    let Ok(CheckStep::Send(first)) = check.poll() else {
        panic!("the check starts with a command")
    };
    let answer = card.transceive(&first.to_bytes());
    check.cancel();
    assert_eq!(
        check.poll().unwrap_err(),
        Error::Misuse(Misuse::ResponsePending)
    );
    check.handle(Response::parse(&answer).unwrap()).unwrap();
    let Ok(CheckStep::Send(clear)) = check.poll() else {
        panic!("the cancel clears")
    };
    assert_eq!(to_hex(&clear.to_bytes()), to_hex(&hex(SELECT_ISD)));
    let answer = card.transceive(&clear.to_bytes());
    check.handle(Response::parse(&answer).unwrap()).unwrap();
    assert_eq!(check.poll().unwrap_err(), Error::Cancelled);
}

/// Misuse is a typed error that leaves the check as it was; the check then completes.
#[test]
fn misuse_is_typed_and_harmless() {
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    // A PIN before the pause.
    assert_eq!(
        check.supply_pin(pin(), LastTry::Refuse),
        Err(Error::Misuse(Misuse::PinNotNeeded))
    );
    // A response nobody asked for.
    assert_eq!(
        check.handle(Response::parse(&hex(OK)).unwrap()),
        Err(Error::Misuse(Misuse::UnexpectedResponse))
    );
    check.supply_digest(digest()).unwrap();
    assert_eq!(
        check.supply_digest(digest()),
        Err(Error::Misuse(Misuse::DigestAlreadySupplied))
    );
    let mut saw_pause = 0;
    let mut sign_seen = false;
    let (lines, evidence) = drive_check(
        &mut check,
        |c| {
            sign_seen |= c.get(1) == Some(&0x2A);
            card.transceive(c)
        },
        |check, pause| {
            saw_pause += 1;
            assert!(matches!(pause, Pause::Pin(_)));
            check.supply_pin(pin(), LastTry::Refuse).unwrap();
            assert_eq!(
                check.supply_pin(pin(), LastTry::Refuse),
                Err(Error::Misuse(Misuse::PinAlreadySupplied))
            );
        },
    );
    assert!(sign_seen);
    assert_eq!(saw_pause, 1);
    assert_eq!(commands(&lines), 9);
    assert_eq!(evidence.unwrap().signature, vec![0x5A; 256]);
    assert_eq!(
        check.supply_digest(digest()),
        Err(Error::Misuse(Misuse::DigestTooLate))
    );
    assert_eq!(
        check.supply_pin(pin(), LastTry::Refuse),
        Err(Error::Misuse(Misuse::PinAlreadySupplied))
    );
}

/// Polling at a pause repeats the pause and sends nothing.
#[test]
fn a_pause_repeats_until_answered() {
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::new(extended());
    let status = loop {
        match check.poll().unwrap() {
            CheckStep::Send(c) => {
                let answer = card.transceive(&c.to_bytes());
                check.handle(Response::parse(&answer).unwrap()).unwrap();
            }
            CheckStep::NeedPin { status } => break status,
            other => panic!("{other:?}"),
        }
    };
    let sent = card.log.len();
    for _ in 0..3 {
        assert!(matches!(check.poll(), Ok(CheckStep::NeedPin { status: s }) if s == status));
    }
    assert_eq!(card.log.len(), sent);
    // The digest may still come now; it is too late only once SIGN was returned.
    check.supply_digest(digest()).unwrap();
    check.supply_pin(pin(), LastTry::Refuse).unwrap();
    let mut signed = false;
    loop {
        match check.poll().unwrap() {
            CheckStep::Send(c) => {
                if c.ins() == 0x2A {
                    signed = true;
                    assert_eq!(
                        check.supply_digest(digest()),
                        Err(Error::Misuse(Misuse::DigestTooLate))
                    );
                }
                let answer = card.transceive(&c.to_bytes());
                check.handle(Response::parse(&answer).unwrap()).unwrap();
            }
            CheckStep::Done(_) => break,
            other => panic!("{other:?}"),
        }
    }
    assert!(signed);
}

/// The one-shot form is a `Procedure`: `Step`s only, never a pause.
#[test]
fn up_front_check_is_a_procedure() {
    let mut card = TestCard::new(1900, true);
    let mut check = PinModeCheck::up_front(pin(), LastTry::Refuse, digest(), extended());
    let mut sent = 0;
    let evidence = loop {
        match check.poll().unwrap() {
            Step::Send(c) => {
                sent += 1;
                let answer = card.transceive(&c.to_bytes());
                check.handle(Response::parse(&answer).unwrap()).unwrap();
            }
            Step::Done(evidence) => break evidence,
        }
    };
    assert_eq!(sent, 9);
    assert_eq!(evidence.pin_status_before, PinStatus::TriesLeft(3));
}
