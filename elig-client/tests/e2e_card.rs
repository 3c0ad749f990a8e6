//! End to end, the card side (issue 11 item 5): the blocking driver over real mutual TLS to
//! the in-process sandbox, a virtual My Number Card behind the `Transport` seam. The happy
//! path (9 APDUs, 4 after the PIN, one round trip after the signature, an audit row), the
//! card removed at every step, the tag lost during the signature, a wrong PIN, a blocked PIN
//! and the last try without consent.
#![cfg(feature = "tokio")]
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod e2e_common;
mod https_fixtures;
mod session_common;

use e2e_common::*;
use elig_client::gateway::Route;
use elig_client::session::{CardLink, CheckFailure, Mode};
use reader_backends::CheckEnd;
use reader_backends::mock::{CardConfig, InjectedFault, VirtualMyNumberCard};
use session_common::{PIN, card, voucher};
use voucher_model::{NextStep, Outcome as VerdictOutcome};

fn traced(card: VirtualMyNumberCard, log: &Log) -> Traced<VirtualMyNumberCard> {
    Traced {
        inner: card,
        log: log.clone(),
    }
}

#[test]
fn pin_mode_is_eligible_in_9_apdus_4_after_the_pin_and_one_round_trip_after_the_signature() {
    let rig = Rig::new();
    let log = Log::default();
    let mut card = traced(card(1001, CardConfig::extended(), &[]), &log);
    let mut gateway = TracedGateway {
        inner: rig.gateway(),
        log: log.clone(),
    };
    let mut desk = Desk::new(&log, &[PIN]);
    let mut audit = Audit::new();
    let recorded = run(
        &mut card,
        &mut gateway,
        &mut desk,
        &mut audit,
        check_request(voucher("P01")),
        Mode::Pin,
    )
    .unwrap();
    let outcome = &recorded.outcome;
    let verdict = outcome.result.as_ref().expect("a verdict");
    assert_eq!(verdict.outcome, VerdictOutcome::Eligible, "{verdict:?}");
    assert!(outcome.is_eligible());
    assert_eq!(outcome.next_step(), NextStep::Proceed);
    assert_eq!(outcome.card_end, Some(CheckEnd::LeaveCard));
    // The card: 9 APDUs, 4 after the PIN, the PIN sent once, no verified state left.
    assert_eq!(log.apdus(), 9, "{:?}", log.all());
    let after_pin = log.after(|t| *t == Trace::Pin);
    let apdus_after_pin = after_pin
        .iter()
        .filter(|t| matches!(t, Trace::Apdu(_)))
        .count();
    assert_eq!(apdus_after_pin, 4, "{after_pin:?}");
    assert_eq!(log.pin_verifies(), 1);
    assert!(!card.inner.any_verified());
    // The gateway: the challenge before the PIN, one round trip (the inquiry) after the
    // signature; the sandbox's access log agrees.
    let after_sign = log.after_last(|t| matches!(t, Trace::Apdu(a) if a[1] == INS_SIGN));
    let calls_after_sign: Vec<_> = after_sign
        .iter()
        .filter(|t| matches!(t, Trace::Gateway(_)))
        .collect();
    assert_eq!(calls_after_sign, [&Trace::Gateway(Route::Inquiry)]);
    assert_eq!(
        after_pin
            .iter()
            .filter(|t| matches!(t, Trace::Gateway(_)))
            .count(),
        1
    );
    assert_eq!((rig.count("challenge"), rig.count("inquiry")), (1, 1));
    // Over one kept mutual-TLS connection.
    assert_eq!(gateway.inner.stats().connections, 1);
    // The audit row.
    assert_eq!(audit.rows(), 1);
    assert!(audit.store.contains(&recorded.receipt).unwrap());
    let rows = audit.store.entries_on(session_common::today()).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome.code(), "eligible");
    assert!(rows[0].serial_hmac.is_some());
}

#[test]
fn card_removed_at_every_apdu_is_never_eligible() {
    let rig = Rig::new();
    let mut gateway = rig.gateway();
    // The extended-length check is 9 APDUs: removal after n (0..9) answered commands fails
    // command n + 1, covering every step of the check.
    for after in 0..9 {
        let log = Log::default();
        let mut card = traced(
            card(
                1001,
                CardConfig::extended(),
                &[InjectedFault::RemovedAfter(after)],
            ),
            &log,
        );
        let mut desk = Desk::new(&log, &[PIN]);
        let mut audit = Audit::new();
        let recorded = run(
            &mut card,
            &mut gateway,
            &mut desk,
            &mut audit,
            check_request(voucher("P01")),
            Mode::Pin,
        )
        .unwrap();
        let outcome = &recorded.outcome;
        assert_eq!(
            outcome.result.as_ref().err(),
            Some(&CheckFailure::CardLink(CardLink::Removed)),
            "removed after {after}"
        );
        assert_eq!(
            outcome.next_step(),
            NextStep::RetryOrOtherEvidence,
            "after {after}"
        );
        assert_eq!(outcome.card_end, Some(CheckEnd::PowerDown), "after {after}");
        assert_eq!(log.apdus() as u64, after + 1, "after {after}");
        assert_eq!(log.gateway(Route::Inquiry), 0, "after {after}");
        assert_failed_cleanly(outcome, &audit, &card.inner);
    }
    assert_eq!(rig.count("inquiry"), 0, "no inquiry reached the gateway");
}

#[test]
fn tag_lost_during_the_signature_is_never_eligible() {
    let rig = Rig::new();
    // Command 8 of 9 (counted from 1, as `TagLostAt` counts) is the signature.
    let log = Log::default();
    let mut card = traced(
        card(1001, CardConfig::extended(), &[InjectedFault::TagLostAt(8)]),
        &log,
    );
    let mut gateway = rig.gateway();
    let mut desk = Desk::new(&log, &[PIN]);
    let mut audit = Audit::new();
    let outcome = run(
        &mut card,
        &mut gateway,
        &mut desk,
        &mut audit,
        check_request(voucher("P01")),
        Mode::Pin,
    )
    .unwrap()
    .outcome;
    let apdus: Vec<_> = log
        .all()
        .into_iter()
        .filter_map(|t| match t {
            Trace::Apdu(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(apdus[7][1], INS_SIGN, "the lost command is the signature");
    assert_eq!(
        log.count_ins(INS_SIGN),
        1,
        "the signature is not tried again"
    );
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::CardLink(CardLink::Removed))
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_eq!(rig.count("inquiry"), 0);
    assert_failed_cleanly(&outcome, &audit, &card.inner);
}

#[test]
fn wrong_pin_is_typed_tries_go_down_and_no_inquiry_is_sent() {
    let rig = Rig::new();
    let log = Log::default();
    let mut card = traced(card(1001, CardConfig::extended(), &[]), &log);
    let mut gateway = rig.gateway();
    let mut desk = Desk::new(&log, &["9999"]);
    let mut audit = Audit::new();
    let outcome = run(
        &mut card,
        &mut gateway,
        &mut desk,
        &mut audit,
        check_request(voucher("P01")),
        Mode::Pin,
    )
    .unwrap()
    .outcome;
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::WrongPin {
            tries_left: Some(2)
        })
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_eq!(card.inner.auth_pin_tries_left(), 2, "tries went down");
    assert_eq!(log.pin_verifies(), 1, "the PIN is sent once");
    assert_eq!(desk.asked, 1);
    assert_eq!(rig.count("inquiry"), 0);
    assert_failed_cleanly(&outcome, &audit, &card.inner);
}

/// Spends `n` tries of `card` with wrong PINs over the whole stack.
fn spend_tries(rig: &Rig, card: &mut Traced<VirtualMyNumberCard>, n: usize) {
    let mut gateway = rig.gateway();
    for _ in 0..n {
        let mut desk = Desk::new(&card.log, &["9999"]);
        desk.consent = true;
        let mut audit = Audit::new();
        let outcome = run(
            card,
            &mut gateway,
            &mut desk,
            &mut audit,
            check_request(voucher("P01")),
            Mode::Pin,
        )
        .unwrap()
        .outcome;
        assert!(matches!(outcome.result, Err(CheckFailure::WrongPin { .. })));
    }
}

#[test]
fn blocked_pin_sends_no_verify_and_asks_no_pin() {
    let rig = Rig::new();
    let mut card = traced(card(1001, CardConfig::extended(), &[]), &Log::default());
    spend_tries(&rig, &mut card, 3);
    assert_eq!(card.inner.auth_pin_tries_left(), 0);
    let log = Log::default();
    card.log = log.clone();
    let mut gateway = rig.gateway();
    let mut desk = Desk::new(&log, &[PIN]);
    desk.consent = true;
    let mut audit = Audit::new();
    let outcome = run(
        &mut card,
        &mut gateway,
        &mut desk,
        &mut audit,
        check_request(voucher("P01")),
        Mode::Pin,
    )
    .unwrap()
    .outcome;
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::PinBlocked)
    );
    assert_eq!(outcome.next_step(), NextStep::UseOtherEvidence);
    assert_eq!(log.pin_verifies(), 0, "no VERIFY with a PIN was sent");
    assert_eq!(log.count_ins(INS_VERIFY), 1, "only the retry query");
    assert_eq!(desk.asked, 0, "the PIN was not asked for");
    assert_eq!(rig.count("inquiry"), 0);
    assert_failed_cleanly(&outcome, &audit, &card.inner);
}

#[test]
fn last_try_without_consent_sends_no_verify() {
    let rig = Rig::new();
    let mut card = traced(card(1001, CardConfig::extended(), &[]), &Log::default());
    spend_tries(&rig, &mut card, 2);
    let log = Log::default();
    card.log = log.clone();
    let mut gateway = rig.gateway();
    let mut desk = Desk::new(&log, &[PIN]);
    desk.consent = false;
    let mut audit = Audit::new();
    let outcome = run(
        &mut card,
        &mut gateway,
        &mut desk,
        &mut audit,
        check_request(voucher("P01")),
        Mode::Pin,
    )
    .unwrap()
    .outcome;
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::LastTryNotConsented)
    );
    assert_eq!(outcome.next_step(), NextStep::UseOtherEvidence);
    assert!(desk.events.iter().any(|e| e == "LastTryWarning"));
    assert_eq!(log.pin_verifies(), 0, "no VERIFY with a PIN was sent");
    assert_eq!(card.inner.auth_pin_tries_left(), 1, "the last try is kept");
    assert_eq!(rig.count("inquiry"), 0);
    assert_failed_cleanly(&outcome, &audit, &card.inner);
}
