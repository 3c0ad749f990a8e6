//! The blocking driver over the virtual card, the offline sandbox and a SQLite audit store.

// Test code: a panic is a test failure, so the library-only lints do not apply.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

mod session_common;

use elig_client::audit::{AuditError, AuditSink, CheckRecord, Receipt, SqliteAuditStore};
use elig_client::blocking::{Driver, Operator};
use elig_client::gateway::Route;
use elig_client::session::{CheckFailure, Event, Mode, OperatorInput, Timeouts};
use jpki_apdu::AuthPin;
use reader_backends::mock::CardConfig;
use session_common::*;

struct Desk {
    pins: Vec<&'static str>,
    events: Vec<String>,
    asked: usize,
}

impl Operator for Desk {
    fn event(&mut self, event: &Event) {
        self.events.push(format!("{event:?}"));
    }
    fn consent_to_last_try(&mut self) -> bool {
        false
    }
    fn pin(&mut self, _tries_left: Option<u8>, _last_try: bool) -> OperatorInput {
        self.asked += 1;
        match self.pins.pop() {
            Some(pin) => OperatorInput::Pin(AuthPin::new(pin).unwrap()),
            None => OperatorInput::Cancel,
        }
    }
    fn attestation(&mut self) -> OperatorInput {
        OperatorInput::Cancel
    }
}

#[test]
fn a_blocking_pin_check_is_recorded_with_a_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteAuditStore::open(dir.path().join("audit.sqlite3")).unwrap();
    let mut card = card(1001, CardConfig::extended(), &[]);
    let mut gateway = Offline::new();
    let request = request(&gateway, voucher("P01"));
    let mut desk = Desk {
        pins: vec![PIN],
        events: Vec::new(),
        asked: 0,
    };
    let recorded = Driver {
        card: &mut card,
        gateway: &mut gateway,
        operator: &mut desk,
        audit: &mut store,
    }
    .run(request, Mode::Pin, Timeouts::default())
    .unwrap();
    assert!(
        recorded.outcome.is_eligible(),
        "{:?}",
        recorded.outcome.result
    );
    assert_eq!(recorded.receipt.seq(), 1);
    assert_eq!(desk.asked, 1);
    assert_eq!(gateway.count(Route::Inquiry), 1);
    assert!(!card.any_verified());
    assert_eq!(store.verify().unwrap().rows, 1);
}

/// A sink that refuses every append (a full disk).
struct Full;

impl AuditSink for Full {
    fn append(&mut self, _record: &CheckRecord) -> Result<Receipt, AuditError> {
        Err(AuditError::Full)
    }
}

#[test]
fn an_unrecorded_outcome_is_not_a_receipt() {
    let mut card = card(1001, CardConfig::extended(), &[]);
    let mut gateway = Offline::new();
    let request = request(&gateway, voucher("P01"));
    let mut desk = Desk {
        pins: Vec::new(),
        events: Vec::new(),
        asked: 0,
    };
    let error = Driver {
        card: &mut card,
        gateway: &mut gateway,
        operator: &mut desk,
        audit: &mut Full,
    }
    .run(request, Mode::Pin, Timeouts::default())
    .unwrap_err();
    assert_eq!(
        error.outcome.result.as_ref().err(),
        Some(&CheckFailure::Cancelled)
    );
    assert!(!error.outcome.is_eligible());
    assert!(!card.any_verified());
}
