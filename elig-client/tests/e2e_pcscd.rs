//! End to end over a real pcscd (issue 11, "Done when"): the same blocking check as
//! `e2e_card.rs`, but the card is `vpcd-card` attached to vsmartcard's vpcd and reached
//! through reader-backends' PC/SC backend; the gateway is the in-process sandbox over real
//! mutual TLS. The eligible PIN-mode check, a wrong PIN, and the card pulled out mid-check
//! (its `vpcd-card` process killed).
//!
//! Run by `scripts/pcscd-test.sh`, which starts pcscd, builds `vpcd-card` and passes its
//! path in `ELIG_VPCD_CARD`. Each test attaches its own card (registry serial 1001, P01's) on
//! vpcd's spare port 35964, so the script's card on 35963 is left alone:
//!
//! ```text
//! ELIG_VPCD_CARD=target/debug/vpcd-card \
//!   cargo test -p elig-client --features tokio,pcsc --test e2e_pcscd -- --ignored --test-threads=1
//! ```
#![cfg(all(feature = "tokio", feature = "pcsc", unix))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

mod e2e_common;
mod https_fixtures;
mod session_common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use e2e_common::*;
use elig_client::gateway::Route;
use elig_client::session::{CheckFailure, Mode};
use reader_backends::pcsc::{PcscReader, wait_for_card};
use reader_backends::{CheckEnd, ReaderLimits, Transport, TransportError};
use session_common::voucher;
use voucher_model::{NextStep, Outcome as VerdictOutcome};

/// vpcd's second reader (port 35964).
const READER: &str = "Virtual PCD 00 01";
const PORT: &str = "35964";
const PIN: &str = "1234";
const SELECT_JPKI: [u8; 15] = [
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];

/// A `vpcd-card` holding registry card 1001 (P01) on the spare port; killed on drop.
struct Card(Option<Child>);

impl Card {
    fn attach() -> Self {
        let binary = std::env::var("ELIG_VPCD_CARD")
            .expect("ELIG_VPCD_CARD: the vpcd-card binary (scripts/pcscd-test.sh sets it)");
        let child = Command::new(binary)
            .args(["--port", PORT, "--pin", PIN, "--seed", "1001"])
            .args(["--extended", "on"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let card = Card(Some(child));
        // pcscd may still report the card a previous test pulled: wait for a card that
        // answers (each round blocks in pcscd's status-change wait until a card is present).
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            wait_for_card(Some(READER), Duration::from_secs(20)).expect("the card appears");
            if PcscReader::connect(READER).is_ok_and(|mut r| r.transmit(&SELECT_JPKI).is_ok()) {
                return card;
            }
            std::thread::yield_now();
        }
        panic!("no answering card in {READER}");
    }

    fn pull(&mut self) {
        if let Some(mut child) = self.0.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }
}

impl Drop for Card {
    fn drop(&mut self) {
        self.pull();
    }
}

fn reader() -> PcscReader {
    PcscReader::connect(READER)
        .unwrap()
        .with_limits(ReaderLimits::extended(jpki_apdu::EXTENDED_MAX_COMMAND_LEN))
}

/// The auth PIN's retry answer on a fresh connection: `63 Cn` = not verified, n tries left
/// (`90 00` would be a verified state left behind).
fn auth_pin_status() -> Vec<u8> {
    let mut reader = reader();
    assert_eq!(reader.transmit(&SELECT_JPKI).unwrap(), [0x90, 0x00]);
    let select_pin = [0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18];
    assert_eq!(reader.transmit(&select_pin).unwrap(), [0x90, 0x00]);
    reader.transmit(&[0x00, 0x20, 0x00, 0x80]).unwrap()
}

/// A PC/SC transport that kills the card's process before command number `at` (from 1).
struct PullAt<'a> {
    reader: Traced<PcscReader>,
    card: &'a mut Card,
    at: usize,
    sent: usize,
}

impl Transport for PullAt<'_> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent += 1;
        if self.sent == self.at {
            self.card.pull();
        }
        self.reader.transmit(command)
    }
    fn limits(&self) -> ReaderLimits {
        self.reader.limits()
    }
    fn begin_check(&mut self) -> Result<(), TransportError> {
        self.reader.begin_check()
    }
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        self.reader.end_check(end)
    }
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/pcscd-test.sh"]
fn pin_mode_check_over_pcscd_is_eligible_in_9_apdus_4_after_the_pin() {
    let _card = Card::attach();
    let rig = Rig::new();
    let log = Log::default();
    let mut card = Traced {
        inner: reader(),
        log: log.clone(),
    };
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
    assert_eq!(outcome.next_step(), NextStep::Proceed);
    assert_eq!(log.apdus(), 9, "{:?}", log.all());
    let after_pin = log.after(|t| *t == Trace::Pin);
    assert_eq!(
        after_pin
            .iter()
            .filter(|t| matches!(t, Trace::Apdu(_)))
            .count(),
        4
    );
    assert_eq!(
        after_pin
            .iter()
            .filter(|t| matches!(t, Trace::Gateway(_)))
            .collect::<Vec<_>>(),
        [&Trace::Gateway(Route::Inquiry)]
    );
    assert_eq!((rig.count("challenge"), rig.count("inquiry")), (1, 1));
    assert_eq!(audit.rows(), 1);
    println!("pcscd e2e: {} APDUs, 1 inquiry after the PIN", log.apdus());
    drop(card);
    assert_eq!(auth_pin_status(), [0x63, 0xC3], "nothing left verified");
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/pcscd-test.sh"]
fn wrong_pin_over_pcscd_is_typed_and_spends_one_try() {
    let _card = Card::attach();
    let rig = Rig::new();
    let log = Log::default();
    let mut card = Traced {
        inner: reader(),
        log: log.clone(),
    };
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
    assert!(!outcome.is_eligible());
    assert_eq!(log.pin_verifies(), 1);
    assert_eq!(rig.count("inquiry"), 0);
    assert_eq!(audit.rows(), 1);
    drop(card);
    assert_eq!(
        auth_pin_status(),
        [0x63, 0xC2],
        "one try spent, not verified"
    );
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/pcscd-test.sh"]
fn card_pulled_mid_check_over_pcscd_is_never_eligible() {
    let mut vpcd = Card::attach();
    let rig = Rig::new();
    let log = Log::default();
    let mut gateway = rig.gateway();
    let mut desk = Desk::new(&log, &[PIN]);
    let mut audit = Audit::new();
    // Command 8 of 9 is the signature: the card goes away after the PIN was verified.
    let mut card = PullAt {
        reader: Traced {
            inner: reader(),
            log: log.clone(),
        },
        card: &mut vpcd,
        at: 8,
        sent: 0,
    };
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
    assert!(
        matches!(outcome.result, Err(CheckFailure::CardLink(_))),
        "{:?}",
        outcome.result
    );
    assert_eq!(outcome.next_step(), NextStep::RetryOrOtherEvidence);
    assert!(!outcome.is_eligible());
    assert_eq!(outcome.card_end, Some(CheckEnd::PowerDown));
    assert_eq!(rig.count("inquiry"), 0);
    assert_eq!(audit.rows(), 1);
    // The card lost power with its process: a card put back holds no verified state.
    drop(card);
    let _again = Card::attach();
    assert_eq!(auth_pin_status(), [0x63, 0xC3]);
}
