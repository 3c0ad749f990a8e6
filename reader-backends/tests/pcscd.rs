//! Against a real pcscd + vsmartcard vpcd with `vpcd-card` attached: the same PIN-mode check
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)] // test code
//! as over the mock, the APDU budgets, a wrong PIN, exclusivity while a PIN is verified, and
//! a card pulled out mid-check. Run by `scripts/pcscd-test.sh`, which starts pcscd and
//! `vpcd-card --port 35963 --pin 1234` first:
//!
//! ```text
//! cargo test -p reader-backends --features pcsc --test pcscd -- --ignored --test-threads=1
//! ```

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{MAX_APDUS_EXTENDED, MAX_APDUS_SHORT, assert_evidence_verifies, pin_mode_check};
use jpki_apdu::DriveError;
use jpki_apdu::procedure::{Cleared, Error as ProcError, PinStatus};
use reader_backends::pcsc::{PcscReader, list_readers, wait_for_card};
use reader_backends::{CheckEnd, Counting, ReaderLimits, Transport, TransportError};

/// The reader vpcd-card (started by the script) serves, on port 35963.
const READER: &str = "Virtual PCD 00 00";
/// The second vpcd reader, port 35964: the removal test attaches its own card there.
const SPARE_READER: &str = "Virtual PCD 00 01";
const SPARE_PORT: &str = "35964";

const SELECT_JPKI: &[u8] = &[
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
const SELECT_AUTH_PIN: &[u8] = &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18];
const RETRY_QUERY: &[u8] = &[0x00, 0x20, 0x00, 0x80];

fn connect(limits: ReaderLimits) -> Counting<PcscReader> {
    wait_for_card(Some(READER), Duration::from_secs(10)).expect("vpcd-card is attached");
    Counting::new(PcscReader::connect(READER).unwrap().with_limits(limits))
}

/// Asks the card for the auth PIN status on a fresh connection.
fn auth_pin_status(reader: &mut dyn Transport) -> Vec<u8> {
    assert_eq!(reader.transmit(SELECT_JPKI).unwrap(), [0x90, 0x00]);
    assert_eq!(reader.transmit(SELECT_AUTH_PIN).unwrap(), [0x90, 0x00]);
    reader.transmit(RETRY_QUERY).unwrap()
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn lists_the_vpcd_readers_and_finds_the_card() {
    let readers = list_readers().unwrap();
    assert!(readers.iter().any(|r| r == READER), "{readers:?}");
    assert_eq!(
        wait_for_card(Some(READER), Duration::from_secs(10)).unwrap(),
        READER
    );
    let reader = PcscReader::connect(READER).unwrap();
    // The ATR OpenSC's JPKI driver knows (display only: we identify the card by SELECT).
    assert_eq!(
        reader.atr().unwrap(),
        reader_backends::mock::MY_NUMBER_CARD_ATR
    );
    reader.close().unwrap();
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn pin_mode_check_extended_within_nine_apdus() {
    let mut reader = connect(ReaderLimits::extended(jpki_apdu::EXTENDED_MAX_COMMAND_LEN));
    let evidence = pin_mode_check(&mut reader, "1234").unwrap();
    assert_evidence_verifies(&evidence);
    assert_eq!(evidence.cleared, Cleared::IsdSelected);
    println!("pcscd extended: {} APDUs", reader.count());
    assert!(reader.count() <= MAX_APDUS_EXTENDED, "{}", reader.count());
    // The end of the check dropped exclusivity; the ISD select left nothing verified.
    assert!(!reader.inner().is_exclusive());
    assert_eq!(auth_pin_status(&mut reader), [0x63, 0xC3]);
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn pin_mode_check_short_only_within_sixteen_apdus() {
    let mut reader = connect(ReaderLimits::short_only());
    let evidence = pin_mode_check(&mut reader, "1234").unwrap();
    assert_evidence_verifies(&evidence);
    println!("pcscd short-only: {} APDUs", reader.count());
    assert!(reader.count() <= MAX_APDUS_SHORT, "{}", reader.count());
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn wrong_pin_spends_one_try_then_the_right_one_restores_the_counter() {
    let mut reader = connect(ReaderLimits::short_only());
    let err = pin_mode_check(&mut reader, "9999").unwrap_err();
    assert!(
        matches!(
            err,
            DriveError::Procedure(ProcError::WrongPin {
                tries_left: Some(2)
            })
        ),
        "{err:?}"
    );
    let evidence = pin_mode_check(&mut reader, "1234").unwrap();
    assert_eq!(evidence.pin_status_before, PinStatus::TriesLeft(2));
    assert_eq!(auth_pin_status(&mut reader), [0x63, 0xC3]);
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn card_is_held_exclusively_while_a_pin_is_verified() {
    let mut first = connect(ReaderLimits::short_only());
    assert_eq!(auth_pin_status(&mut first), [0x63, 0xC3]);
    assert!(!first.inner().is_exclusive());
    // The caller says the check begins (transmit never looks at the bytes).
    first.begin_check().unwrap();
    let verify = [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'];
    assert_eq!(first.transmit(&verify).unwrap(), [0x90, 0x00]);
    assert!(first.inner().is_exclusive());
    // Nobody else gets in while the PIN is verified.
    assert!(matches!(
        PcscReader::connect(READER),
        Err(TransportError::Busy)
    ));
    // A verified PIN survives a warm reset (card.md) ...
    first.inner_mut().reset().unwrap();
    assert_eq!(auth_pin_status(&mut first), [0x90, 0x00]);
    // ... and not a power-down, which also shares the card again.
    first.inner_mut().power_down().unwrap();
    assert!(!first.inner().is_exclusive());
    let mut second = PcscReader::connect(READER).unwrap();
    assert_eq!(auth_pin_status(&mut second), [0x63, 0xC3]);
    drop(second);
    // Dropped while a PIN is verified (exclusive): the card is powered down, not just reset.
    let verify = [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'];
    assert_eq!(auth_pin_status(&mut first), [0x63, 0xC3]);
    first.begin_check().unwrap();
    assert_eq!(first.transmit(&verify).unwrap(), [0x90, 0x00]);
    drop(first);
    let mut third = connect(ReaderLimits::short_only());
    assert_eq!(auth_pin_status(&mut third), [0x63, 0xC3]);
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn the_caller_brackets_the_check_and_chooses_how_it_ends() {
    let verify = [0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'];
    let mut reader = connect(ReaderLimits::short_only());
    // Without begin_check a VERIFY does not make the reader exclusive: no APDU inspection.
    assert_eq!(auth_pin_status(&mut reader), [0x63, 0xC3]);
    assert_eq!(reader.transmit(&verify).unwrap(), [0x90, 0x00]);
    assert!(!reader.inner().is_exclusive());
    reader.end_check(CheckEnd::PowerDown).unwrap();
    assert_eq!(auth_pin_status(&mut reader), [0x63, 0xC3]);
    // begin → exclusive; end with a reset → shared, and the PIN survives (card.md).
    reader.begin_check().unwrap();
    assert!(reader.inner().is_exclusive());
    assert!(matches!(
        PcscReader::connect(READER),
        Err(TransportError::Busy)
    ));
    assert_eq!(reader.transmit(&verify).unwrap(), [0x90, 0x00]);
    reader.end_check(CheckEnd::ResetCard).unwrap();
    assert!(!reader.inner().is_exclusive());
    assert_eq!(auth_pin_status(&mut reader), [0x90, 0x00]);
    // end with leave-card keeps it too; end with power-down clears it.
    reader.begin_check().unwrap();
    reader.end_check(CheckEnd::LeaveCard).unwrap();
    assert_eq!(auth_pin_status(&mut reader), [0x90, 0x00]);
    let mut other = PcscReader::connect(READER).unwrap();
    assert_eq!(auth_pin_status(&mut other), [0x90, 0x00]);
    drop(other);
    reader.begin_check().unwrap();
    reader.end_check(CheckEnd::PowerDown).unwrap();
    assert_eq!(auth_pin_status(&mut reader), [0x63, 0xC3]);
}

/// A transport that pulls the card (kills its vpcd-card) before command number `at`.
struct PullCardAt {
    reader: PcscReader,
    child: Option<Child>,
    at: usize,
    sent: usize,
}

impl Transport for PullCardAt {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.sent += 1;
        if self.sent == self.at
            && let Some(mut child) = self.child.take()
        {
            child.kill().unwrap();
            child.wait().unwrap();
        }
        self.reader.transmit(command)
    }
    fn limits(&self) -> ReaderLimits {
        self.reader.limits()
    }
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn card_pulled_mid_check_is_card_removed() {
    let child = Command::new(env!("CARGO_BIN_EXE_vpcd-card"))
        .args(["--port", SPARE_PORT, "--pin", "1234", "--seed", "9"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut guard = ChildGuard(Some(child));
    wait_for_card(Some(SPARE_READER), Duration::from_secs(20)).unwrap();
    let reader = PcscReader::connect(SPARE_READER).unwrap();
    let mut t = PullCardAt {
        reader,
        child: guard.0.take(),
        at: 7,
        sent: 0,
    };
    let err = pin_mode_check(&mut t, "1234").unwrap_err();
    assert!(
        matches!(err, DriveError::Transport(TransportError::CardRemoved)),
        "{err:?}"
    );
}

#[test]
#[ignore = "needs pcscd + vpcd + vpcd-card: run scripts/pcscd-test.sh"]
fn vpcd_card_serves_a_chain_the_caller_issued() {
    use rsa::pkcs8::EncodePrivateKey;
    // A chain from elsewhere (here: seed 11's test PKI written out as the sandbox would).
    let issued = reader_backends::mock::VirtualMyNumberCard::new(11, "1234").unwrap();
    let auth = issued.credentials().auth();
    let dir = tempfile::tempdir().unwrap();
    let pem = |label: &str, der: &[u8]| {
        der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap()
    };
    let key = auth.key().to_pkcs8_der().unwrap();
    std::fs::write(
        dir.path().join("card-11.key.pem"),
        pem("PRIVATE KEY", key.as_bytes()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("card-11.pem"),
        pem("CERTIFICATE", auth.cert_der()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("auth-ca.pem"),
        pem("CERTIFICATE", auth.ca_cert_der()),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_vpcd-card"))
        .args(["--port", SPARE_PORT, "--pin", "2468", "--chain"])
        .arg(dir.path())
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = ChildGuard(Some(child));
    wait_for_card(Some(SPARE_READER), Duration::from_secs(20)).unwrap();
    let mut reader = Counting::new(
        PcscReader::connect(SPARE_READER)
            .unwrap()
            .with_limits(ReaderLimits::extended(jpki_apdu::EXTENDED_MAX_COMMAND_LEN)),
    );
    let evidence = pin_mode_check(&mut reader, "2468").unwrap();
    assert_eq!(evidence.certificate, auth.cert_der());
    assert_evidence_verifies(&evidence);
    assert!(reader.count() <= MAX_APDUS_EXTENDED);
}

/// Kills the spare card's process if a test fails before pulling it.
struct ChildGuard(Option<Child>);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
