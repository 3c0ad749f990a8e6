//! jpki-apdu's paused `PinModeCheck` over the virtual card, driven as a client session will
//! drive it: the PIN and the digest are supplied at the pauses; 9 APDUs with extended
//! length, 16 short-only, and 4 after the PIN; the signature verifies; a cancel at the
//! digest pause (PIN verified) leaves no verified state.
#![allow(clippy::unwrap_used, clippy::panic, clippy::arithmetic_side_effects)] // test code

mod common;

use common::{MAX_APDUS_EXTENDED, MAX_APDUS_SHORT, assert_evidence_verifies, digest};
use jpki_apdu::procedure::{CheckStep, Error, LastTry, PinModeCheck, PinModeEvidence};
use jpki_apdu::{AuthPin, DigestInfo, Response};
use reader_backends::Transport;
use reader_backends::mock::{CardConfig, VirtualMyNumberCard};

/// What happened: commands sent in all, commands sent after the PIN, and the result.
struct Run {
    commands: usize,
    after_pin: usize,
    pauses: Vec<&'static str>,
    result: Result<PinModeEvidence, Error>,
}

fn run(card: &mut VirtualMyNumberCard, cancel_at_digest: bool) -> Run {
    let mut check = PinModeCheck::new(card.limits());
    let (mut commands, mut after_pin, mut pin_given) = (0, 0, false);
    let mut pauses = Vec::new();
    let result = loop {
        match check.poll() {
            Err(e) => break Err(e),
            Ok(CheckStep::Done(evidence)) => break Ok(evidence),
            Ok(CheckStep::Send(command)) => {
                commands += 1;
                after_pin += usize::from(pin_given);
                let answer = card.transmit(&command.to_bytes()).unwrap();
                check.handle(Response::parse(&answer).unwrap()).unwrap();
            }
            Ok(CheckStep::NeedPin { status }) => {
                pauses.push("pin");
                assert!(!status.is_last_try());
                assert_eq!(check.certificate().map(<[u8]>::len), Some(1900));
                check
                    .supply_pin(AuthPin::new("1234").unwrap(), LastTry::Refuse)
                    .unwrap();
                pin_given = true;
            }
            Ok(CheckStep::NeedDigest) => {
                pauses.push("digest");
                if cancel_at_digest {
                    assert!(card.any_verified(), "the PIN is verified at this pause");
                    check.cancel();
                } else {
                    check.supply_digest(DigestInfo::sha256(&digest())).unwrap();
                }
            }
        }
    };
    Run {
        commands,
        after_pin,
        pauses,
        result,
    }
}

fn card(config: CardConfig) -> VirtualMyNumberCard {
    VirtualMyNumberCard::builder()
        .config(config)
        .build()
        .unwrap()
}

#[test]
fn paused_check_over_the_virtual_card_extended_9_and_4_after_the_pin() {
    let mut card = card(CardConfig::extended());
    let run = run(&mut card, false);
    assert_evidence_verifies(&run.result.unwrap());
    assert_eq!(run.pauses, ["pin", "digest"]);
    assert_eq!(
        run.commands,
        MAX_APDUS_EXTENDED,
        "{}",
        card.log().transcript()
    );
    assert_eq!(run.after_pin, 4);
    assert!(!card.any_verified());
}

#[test]
fn paused_check_over_the_virtual_card_short_16_and_4_after_the_pin() {
    let mut card = card(CardConfig::short_only());
    let run = run(&mut card, false);
    assert_evidence_verifies(&run.result.unwrap());
    assert_eq!(run.commands, MAX_APDUS_SHORT, "{}", card.log().transcript());
    assert_eq!(run.after_pin, 4);
    assert!(!card.any_verified());
}

#[test]
fn cancel_at_the_digest_pause_clears_the_verified_pin() {
    let mut card = card(CardConfig::extended());
    let run = run(&mut card, true);
    assert_eq!(run.result.unwrap_err(), Error::Cancelled);
    assert_eq!(run.pauses, ["pin", "digest"]);
    assert!(!card.any_verified());
    // The last command: SELECT ISD.
    let transcript = card.log().transcript();
    let last = transcript.lines().rfind(|l| l.starts_with('>'));
    assert_eq!(last, Some("> 00A4040C07A0000001510000"), "{transcript}");
}
