//! The session over the virtual card and the sandbox's body handling, with fake time.

// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod session_common;

use std::time::Duration;

use elig_client::gateway::Route;
use elig_client::session::{
    CheckFailure, Event, Mode, OperatorInput, Progress, Session, Timeouts, manual_check,
};
use elig_proto::gateway::RejectReason;
use jpki_apdu::AuthPin;
use reader_backends::CheckEnd;
use reader_backends::mock::{CardConfig, InjectedFault};
use session_common::*;
use voucher_model::{NextStep, Outcome as VerdictOutcome};

fn pin() -> OperatorInput {
    OperatorInput::Pin(AuthPin::new(PIN).unwrap())
}

fn wrong_pin() -> OperatorInput {
    OperatorInput::Pin(AuthPin::new("9999").unwrap())
}

fn pump(serial: u64, config: CardConfig, faults: &[InjectedFault]) -> Pump {
    Pump::new(card(serial, config, faults), Offline::new())
}

fn pin_mode_eligible(config: CardConfig, total: usize) {
    let mut p = pump(1001, config, &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    assert!(p.run(&mut s).is_none());
    assert_eq!(p.pin_needed(), Some((Some(3), false)));
    // The challenge was fetched while the person types.
    assert_eq!(p.gateway.count(Route::Challenge), 1);
    assert!(p.events.iter().any(|e| matches!(e, Event::CertificateRead)));
    let before = p.apdus.len();
    s.handle_operator(p.now, pin()).unwrap();
    let outcome = p.run(&mut s).expect("an outcome");
    assert_eq!(p.apdus.len(), total, "APDUs in the whole check");
    assert_eq!(p.apdus.len() - before, 4, "APDUs after the PIN");
    assert_eq!(p.gateway.count(Route::Challenge), 1);
    assert_eq!(
        p.gateway.count(Route::Inquiry),
        1,
        "one round trip after the PIN"
    );
    assert_eq!(p.pin_verifies(), 1);
    assert_eq!(
        p.count_ins(VERIFY),
        2,
        "the retry query and one VERIFY with the PIN"
    );
    let verdict = outcome.result.as_ref().expect("a verdict");
    assert_eq!(verdict.outcome, VerdictOutcome::Eligible, "{verdict:?}");
    assert!(outcome.is_eligible());
    assert_eq!(outcome.record.outcome.code(), "eligible");
    assert!(outcome.record.certificate_serial.is_some());
    assert_eq!(outcome.card_end, Some(CheckEnd::LeaveCard));
    assert!(!p.card.any_verified(), "no verified state left");
    assert!(s.is_finished());
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn pin_mode_eligible_extended_is_9_apdus_4_after_the_pin() {
    pin_mode_eligible(CardConfig::extended(), 9);
}

#[test]
fn pin_mode_eligible_short_is_16_apdus_4_after_the_pin() {
    pin_mode_eligible(CardConfig::short_only(), 16);
}

#[test]
fn wrong_pin_ends_the_check_and_is_never_resent() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    s.handle_operator(p.now, wrong_pin()).unwrap();
    let outcome = p.run(&mut s).expect("an outcome");
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::WrongPin {
            tries_left: Some(2)
        })
    );
    assert_eq!(p.pin_verifies(), 1, "the PIN is sent once");
    assert_eq!(p.card.auth_pin_tries_left(), 2, "tries left went down");
    assert_eq!(p.gateway.count(Route::Inquiry), 0);
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert_eq!(outcome.card_end, Some(CheckEnd::PowerDown));
    assert!(!p.card.any_verified());
    assert_not_eligible(&outcome);
    // A second PIN is refused: the check is over.
    assert!(s.handle_operator(p.now, pin()).is_err());
    assert!(p.run(&mut s).is_none());
    assert_eq!(p.pin_verifies(), 1);

    // The next check sees two tries left.
    let card = std::mem::replace(&mut p.card, card(1001, CardConfig::extended(), &[]));
    let mut p2 = Pump::new(card, Offline::new());
    let mut s2 = p2.session(request(&p2.gateway, voucher("P01")), Mode::Pin);
    p2.run(&mut s2);
    assert_eq!(p2.pin_needed(), Some((Some(2), false)));
}

/// Spends tries on `card` with wrong PINs through sessions; returns the card.
fn spend_tries(mut p: Pump, n: usize) -> Pump {
    for _ in 0..n {
        let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
        p.run(&mut s);
        s.handle_operator(p.now, OperatorInput::ConsentToLastTry)
            .unwrap();
        s.handle_operator(p.now, wrong_pin()).unwrap();
        let outcome = p.run(&mut s).unwrap();
        assert_not_eligible(&outcome);
    }
    p.events.clear();
    p.apdus.clear();
    p
}

#[test]
fn blocked_pin_sends_no_verify() {
    let mut p = spend_tries(pump(1001, CardConfig::extended(), &[]), 3);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    let outcome = p.run(&mut s).expect("ends without asking for the PIN");
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::PinBlocked)
    );
    assert_eq!(
        p.count_ins(VERIFY),
        1,
        "only the retry query (VERIFY without data)"
    );
    assert!(p.pin_verifies() == 0);
    assert!(p.pin_needed().is_none());
    assert_eq!(outcome.next_step(), NextStep::UseOtherEvidence);
    assert_not_eligible(&outcome);
}

#[test]
fn last_try_without_consent_sends_no_verify() {
    let mut p = spend_tries(pump(1001, CardConfig::extended(), &[]), 2);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    assert!(p.run(&mut s).is_none());
    assert_eq!(p.pin_needed(), Some((Some(1), true)));
    assert!(p.events.iter().any(|e| matches!(e, Event::LastTryWarning)));
    s.handle_operator(p.now, pin()).unwrap();
    let outcome = p.run(&mut s).unwrap();
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::LastTryNotConsented)
    );
    assert!(p.pin_verifies() == 0);
    assert_eq!(p.card.auth_pin_tries_left(), 1, "the last try is not spent");
    assert_not_eligible(&outcome);

    // With consent the right PIN passes.
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    s.handle_operator(p.now, OperatorInput::ConsentToLastTry)
        .unwrap();
    s.handle_operator(p.now, pin()).unwrap();
    assert!(p.run(&mut s).unwrap().is_eligible());
}

#[test]
fn card_removed_at_every_step_is_never_eligible() {
    // Extended: 9 APDUs; removing after n (0..9) covers every step.
    for after in 0..9 {
        let mut p = pump(
            1001,
            CardConfig::extended(),
            &[InjectedFault::RemovedAfter(after)],
        );
        let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
        let mut outcome = p.run(&mut s);
        if outcome.is_none() {
            s.handle_operator(p.now, pin()).unwrap();
            outcome = p.run(&mut s);
        }
        let outcome = outcome.unwrap_or_else(|| panic!("an outcome when removed after {after}"));
        assert!(
            matches!(outcome.result, Err(CheckFailure::CardLink(_))),
            "after {after}: {:?}",
            outcome.result
        );
        assert_eq!(outcome.card_end, Some(CheckEnd::PowerDown), "after {after}");
        assert_eq!(p.gateway.count(Route::Inquiry), 0, "after {after}");
        assert_not_eligible(&outcome);
    }
}

#[test]
fn a_challenge_spent_while_typing_is_renewed_and_one_inquiry_is_sent() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    assert_eq!(p.gateway.count(Route::Challenge), 1);
    // The person hesitates past the challenge's lifetime (120 s in the sandbox).
    let deadline = s.poll_timeout().expect("a renewal deadline");
    // 120 s lifetime less the 5 s margin: the session renews before the operator deadline.
    p.advance(Duration::from_secs(116));
    assert!(deadline <= p.now);
    s.handle_timeout(p.now);
    p.run(&mut s);
    assert_eq!(p.gateway.count(Route::Challenge), 2, "a new challenge");
    assert!(
        p.events
            .iter()
            .any(|e| matches!(e, Event::Progress(Progress::ChallengeRenewed)))
    );
    s.handle_operator(p.now, pin()).unwrap();
    let outcome = p.run(&mut s).unwrap();
    assert!(outcome.is_eligible(), "{:?}", outcome.result);
    assert_eq!(p.gateway.count(Route::Inquiry), 1);
    assert_eq!(p.pin_verifies(), 1);
}

#[test]
fn a_challenge_spent_without_a_timer_is_renewed_at_the_pin() {
    // The driver did not call handle_timeout: the PIN itself triggers the renewal, and the
    // card waits at its digest pause for the new challenge.
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    p.advance(Duration::from_secs(200));
    s.handle_operator(p.now, pin()).unwrap();
    let outcome = p.run(&mut s).unwrap();
    assert!(outcome.is_eligible(), "{:?}", outcome.result);
    assert_eq!(p.gateway.count(Route::Challenge), 2);
    assert_eq!(p.gateway.count(Route::Inquiry), 1);
}

#[test]
fn a_gateway_rejection_is_typed_with_its_next_step() {
    // P08's card certificate is revoked.
    let serial = registry().person("P08").unwrap().card.serial;
    let mut p = pump(serial, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    s.handle_operator(p.now, pin()).unwrap();
    let outcome = p.run(&mut s).unwrap();
    let Err(CheckFailure::GatewayRejected { reason }) = &outcome.result else {
        panic!("{:?}", outcome.result);
    };
    assert_eq!(outcome.next_step(), reason.next_step());
    assert_eq!(outcome.record.outcome.code(), "error");
    assert_eq!(
        outcome.record.codes.error_code.as_deref(),
        Some(reason.as_str())
    );
    assert_eq!(p.gateway.count(Route::Inquiry), 1, "never re-sent");
    assert_not_eligible(&outcome);
}

#[test]
fn a_non_gateway_answer_is_a_typed_failure() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.hold_gateway = true;
    p.run(&mut s);
    let challenge = p.held.pop().unwrap();
    s.handle_gateway_response(
        p.now,
        Ok(elig_client::gateway::GatewayResponse {
            id: challenge.id,
            status: 502,
            body: b"<html>Bad Gateway</html>".to_vec(),
        }),
    );
    let outcome = p.run(&mut s).expect("ends after clearing the card");
    assert!(matches!(
        outcome.result,
        Err(CheckFailure::GatewayAnswer { .. })
    ));
    assert!(!p.card.any_verified());
    assert_not_eligible(&outcome);
}

#[test]
fn an_inquiry_timeout_fails_and_a_late_answer_is_ignored() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    s.handle_operator(p.now, pin()).unwrap();
    p.hold_gateway = true;
    assert!(p.run(&mut s).is_none());
    assert_eq!(p.held.len(), 1, "the inquiry");
    let deadline = s.poll_timeout().unwrap();
    p.advance(Timeouts::default().gateway);
    assert!(deadline <= p.now);
    s.handle_timeout(p.now);
    let outcome = p.run(&mut s).unwrap();
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::GatewayTimeout {
            route: Route::Inquiry
        })
    );
    assert_not_eligible(&outcome);
    p.hold_gateway = false;
    p.release(&mut s);
    assert!(s.poll_event().is_none(), "a single outcome");
}

#[test]
fn cancel_while_typing_clears_and_ends() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    let before = p.apdus.len();
    s.handle_operator(p.now, OperatorInput::Cancel).unwrap();
    let outcome = p.run(&mut s).unwrap();
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::Cancelled)
    );
    assert_eq!(p.apdus.len(), before + 1, "the clear step");
    assert_eq!(
        outcome.card_end,
        Some(CheckEnd::LeaveCard),
        "no PIN was sent"
    );
    assert_eq!(p.count_ins(VERIFY), 1, "the retry query only");
    assert_not_eligible(&outcome);
}

#[test]
fn operator_timeout_ends_the_check() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    // Keep renewing the challenge until the operator deadline.
    let mut outcome = None;
    for _ in 0..10 {
        let Some(at) = s.poll_timeout() else { break };
        let by = at.saturating_duration_since(p.now);
        p.advance(by);
        s.handle_timeout(p.now);
        outcome = p.run(&mut s);
        if outcome.is_some() {
            break;
        }
    }
    let outcome = outcome.expect("an outcome");
    assert_eq!(
        outcome.result.as_ref().err(),
        Some(&CheckFailure::OperatorTimeout)
    );
    assert_not_eligible(&outcome);
}

#[test]
fn visual_confirmation_reads_the_certificate_and_asks_no_pin() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(
        request(&p.gateway, voucher("P01")),
        Mode::VisualConfirmation,
    );
    assert!(p.run(&mut s).is_none());
    assert!(
        p.events
            .iter()
            .any(|e| matches!(e, Event::AttestationNeeded))
    );
    assert!(p.pin_needed().is_none());
    assert_eq!(
        p.gateway.count(Route::Challenge),
        0,
        "no challenge in 目視確認"
    );
    let at = voucher_model::DateTime::new(today(), 10, 0, 0).unwrap();
    let attestation = voucher_model::StaffAttestation::new("staff-07", at).unwrap();
    s.handle_operator(p.now, OperatorInput::Attestation(attestation))
        .unwrap();
    let outcome = p.run(&mut s).unwrap();
    let verdict = outcome.result.as_ref().expect("a verdict");
    assert_ne!(verdict.outcome, VerdictOutcome::NotEligible, "{verdict:?}");
    assert_eq!(
        outcome.record.evidence,
        voucher_model::EvidenceKind::OnlineVisualConfirmation
    );
    assert!(p.pin_verifies() == 0);
    assert_eq!(p.gateway.count(Route::Inquiry), 1);
    assert_eq!(outcome.card_end, Some(CheckEnd::LeaveCard));
    assert!(!p.card.any_verified());
}

#[test]
fn a_pin_is_refused_in_visual_mode_and_an_attestation_in_pin_mode() {
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(
        request(&p.gateway, voucher("P01")),
        Mode::VisualConfirmation,
    );
    p.run(&mut s);
    assert!(s.handle_operator(p.now, pin()).is_err());
    let mut s: Session = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    p.run(&mut s);
    let at = voucher_model::DateTime::new(today(), 10, 0, 0).unwrap();
    let attestation = voucher_model::StaffAttestation::new("staff-07", at).unwrap();
    assert!(
        s.handle_operator(p.now, OperatorInput::Attestation(attestation))
            .is_err()
    );
}

#[test]
fn manual_evidence_needs_no_card_and_no_gateway() {
    let gateway = Offline::new();
    let voucher = voucher("P01");
    let request = request(&gateway, voucher.clone());
    let at = voucher_model::DateTime::new(today(), 10, 0, 0).unwrap();
    let attestation = voucher_model::StaffAttestation::new("staff-07", at).unwrap();
    let reading = voucher_model::QualificationReading {
        insurer_number: voucher.insurer_number().clone(),
        card_symbol: voucher.card_symbol().cloned(),
        card_number: voucher.card_number().clone(),
        branch_number: voucher.branch_number().cloned(),
        name: None,
        birth_date: None,
        qualification_date: None,
    };
    let evidence = voucher_model::Evidence::Mynaportal {
        reading,
        attestation,
    };
    let outcome = manual_check(&request, &evidence);
    let verdict = outcome.result.as_ref().expect("a verdict");
    assert_ne!(verdict.outcome, VerdictOutcome::NotEligible, "{verdict:?}");
    assert_eq!(outcome.card_end, None);
    assert_eq!(
        outcome.record.evidence,
        voucher_model::EvidenceKind::Mynaportal
    );
    assert!(gateway.routes.is_empty());

    // Online evidence is refused by the manual mode, never eligible.
    let online = voucher_model::Evidence::online(
        voucher_model::OnlineChannel::Limited,
        voucher_model::OnlineMode::Pin {
            signature_verified: true,
        },
        voucher_model::QualificationResponse::default(),
    );
    let outcome = manual_check(&request, &online);
    assert!(matches!(outcome.result, Err(CheckFailure::Misuse { .. })));
    assert_not_eligible(&outcome);
}

#[test]
fn a_wrong_card_answer_is_never_eligible() {
    // A card that answers garbage to its first command.
    let mut p = pump(1001, CardConfig::extended(), &[]);
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    let _first = s.poll_card().unwrap();
    s.handle_card_response(p.now, Ok(vec![0x6A]));
    let outcome = p.run(&mut s).unwrap();
    assert!(matches!(outcome.result, Err(CheckFailure::Card { .. })));
    assert_eq!(outcome.card_end, Some(CheckEnd::PowerDown));
    assert_not_eligible(&outcome);
    // And a "file not found" to SELECT (not a My Number Card).
    let mut s = p.session(request(&p.gateway, voucher("P01")), Mode::Pin);
    let _first = s.poll_card().unwrap();
    s.handle_card_response(p.now, Ok(vec![0x6A, 0x82]));
    let outcome = p.run(&mut s).unwrap();
    assert!(
        matches!(outcome.result, Err(CheckFailure::Card { .. })),
        "{:?}",
        outcome.result
    );
    assert_not_eligible(&outcome);
}

#[test]
fn rejection_reasons_map_to_their_next_steps() {
    for reason in [RejectReason::ChallengeExpired, RejectReason::WrongFacility] {
        assert_eq!(
            CheckFailure::GatewayRejected { reason }.next_step(),
            reason.next_step()
        );
    }
}

#[test]
fn the_existing_terminal_path_takes_the_response_and_never_passes_an_empty_one() {
    let gateway = Offline::new();
    let request = request(&gateway, voucher("P01"));
    let outcome = elig_client::session::existing_terminal_check(
        &request,
        voucher_model::QualificationResponse::default(),
        request.started_unix_secs,
    );
    assert_eq!(
        outcome.record.evidence,
        voucher_model::EvidenceKind::OnlineExistingTerminal
    );
    assert!(outcome.result.is_ok(), "a verdict, explained");
    assert_eq!(outcome.card_end, None);
    assert_not_eligible(&outcome);
}
