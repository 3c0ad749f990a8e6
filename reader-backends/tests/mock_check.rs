//! The PIN-mode check over the virtual card in a virtual reader, and over a simulated phone.
#![allow(clippy::unwrap_used)] // test code

mod common;

use common::{MAX_APDUS_EXTENDED, MAX_APDUS_SHORT, assert_evidence_verifies, pin_mode_check};
use jpki_apdu::DriveError;
use jpki_apdu::procedure::{Cleared, Error as ProcError, PinStatus};
use std::sync::OnceLock;

use reader_backends::mock::{
    CardConfig, CardCredentials, DEFAULT_SEED, InjectedFault, Persona, Pki, ReadPastEnd,
    VirtualMyNumberCard,
};
use reader_backends::nfc::{NfcCapabilities, NfcTransport, SimulatedNfcHost};
use reader_backends::{Counting, TransportError};

/// Card 42's default credentials, derived once per test binary by a shared test PKI (a test
/// fixture: the library keeps no process-wide key cache). Byte-identical to what a card
/// built without credentials derives on the same day. Issued on a fixed day: the golden
/// transcripts hold the certificate's bytes, which must not change with the day the tests run.
fn creds42() -> CardCredentials {
    static P: OnceLock<Pki> = OnceLock::new();
    let day = elig_testpki::utc_midnight(2026, 4, 1).unwrap();
    P.get_or_init(|| Pki::new(DEFAULT_SEED))
        .card(42, Persona::default().name(), day)
        .unwrap()
}

fn card(config: CardConfig) -> VirtualMyNumberCard {
    VirtualMyNumberCard::builder()
        .serial(42)
        .credentials(creds42())
        .pin("1234")
        .config(config)
        .build()
        .unwrap()
}

#[test]
fn extended_reader_check_takes_nine_apdus() {
    let mut card = card(CardConfig::extended());
    let evidence = pin_mode_check(&mut card, "1234").unwrap();
    assert_evidence_verifies(&evidence);
    assert_eq!(evidence.pin_status_before, PinStatus::TriesLeft(3));
    assert_eq!(evidence.cleared, Cleared::IsdSelected);
    assert!(
        card.log().len() <= MAX_APDUS_EXTENDED,
        "{}",
        card.log().transcript()
    );
    assert_eq!(card.log().count_ins(0xB0), 1);
    assert!(!card.any_verified());
}

#[test]
fn short_only_reader_check_takes_at_most_sixteen_apdus() {
    let mut card = card(CardConfig::short_only());
    let evidence = pin_mode_check(&mut card, "1234").unwrap();
    assert_evidence_verifies(&evidence);
    assert!(
        card.log().len() <= MAX_APDUS_SHORT,
        "{}",
        card.log().transcript()
    );
    assert_eq!(card.log().count_ins(0xB0), 8);
    assert!(!card.any_verified());
}

#[test]
fn extended_transcript_is_byte_exact() {
    let mut card = card(CardConfig::extended());
    pin_mode_check(&mut card, "1234").unwrap();
    let golden = include_str!("golden/pin_mode_extended.txt");
    assert_eq!(card.log().transcript(), golden);
}

#[test]
fn short_only_transcript_is_byte_exact() {
    let mut card = card(CardConfig::short_only());
    pin_mode_check(&mut card, "1234").unwrap();
    let golden = include_str!("golden/pin_mode_short.txt");
    assert_eq!(card.log().transcript(), golden);
}

#[test]
fn t0_style_card_needs_get_response_and_still_checks() {
    let mut card = card(CardConfig::short_only().with_t0_get_response(true));
    let evidence = pin_mode_check(&mut card, "1234").unwrap();
    assert_evidence_verifies(&evidence);
    assert!(card.log().count_ins(0xC0) >= 8);
}

#[test]
fn wrong_pin_spends_one_try_and_leaves_no_state() {
    let mut card = card(CardConfig::extended());
    let err = pin_mode_check(&mut card, "9999").unwrap_err();
    assert!(
        matches!(
            err,
            DriveError::Procedure(ProcError::WrongPin {
                tries_left: Some(2)
            })
        ),
        "{err:?}"
    );
    assert_eq!(card.auth_pin_tries_left(), 2);
    assert!(!card.any_verified());
    // The next check sees the counter the card reports, then succeeds and restores it.
    let evidence = pin_mode_check(&mut card, "1234").unwrap();
    assert_eq!(evidence.pin_status_before, PinStatus::TriesLeft(2));
    assert_eq!(card.auth_pin_tries_left(), 3);
}

#[test]
fn removal_mid_check_is_card_removed() {
    let mut card = VirtualMyNumberCard::builder()
        .serial(42)
        .credentials(creds42())
        .fault(InjectedFault::RemovedAfter(4))
        .build()
        .unwrap();
    let err = pin_mode_check(&mut card, "1234").unwrap_err();
    assert!(
        matches!(err, DriveError::Transport(TransportError::CardRemoved)),
        "{err:?}"
    );
    assert!(!card.any_verified());
}

#[test]
fn garbage_answer_is_a_malformed_response_not_a_panic() {
    let mut card = VirtualMyNumberCard::builder()
        .serial(42)
        .credentials(creds42())
        .fault(InjectedFault::GarbageAt {
            at: 2,
            bytes: vec![0x90],
        })
        .build()
        .unwrap();
    let err = pin_mode_check(&mut card, "1234").unwrap_err();
    assert!(matches!(err, DriveError::Response(_)), "{err:?}");
}

fn phone(config: CardConfig, caps: NfcCapabilities) -> Counting<NfcTransport<SimulatedNfcHost>> {
    Counting::new(NfcTransport::new(SimulatedNfcHost::new(card(config), caps)))
}

const PHONE_EXTENDED: NfcCapabilities = NfcCapabilities {
    max_transceive_len: 65_544,
    extended_length: true,
};
const PHONE_SHORT: NfcCapabilities = NfcCapabilities {
    max_transceive_len: 261,
    extended_length: false,
};

#[test]
fn nfc_extended_phone_runs_the_same_check_in_nine() {
    let mut t = phone(CardConfig::extended(), PHONE_EXTENDED);
    let evidence = pin_mode_check(&mut t, "1234").unwrap();
    assert_evidence_verifies(&evidence);
    assert!(t.count() <= MAX_APDUS_EXTENDED);
    assert_eq!(t.count(), t.inner().host().card().log().len());
    // The signature got the long timeout hint, everything else the short one.
    let hints = t.inner().host().timeouts_seen();
    let long = hints.iter().filter(|d| d.as_secs() == 5).count();
    assert_eq!(long, 1);
}

#[test]
fn nfc_short_phone_runs_the_same_check_in_sixteen() {
    let mut t = phone(CardConfig::short_only(), PHONE_SHORT);
    let evidence = pin_mode_check(&mut t, "1234").unwrap();
    assert_evidence_verifies(&evidence);
    assert!(t.count() <= MAX_APDUS_SHORT);
}

#[test]
fn nfc_phone_with_a_card_that_does_extended_but_a_short_stack_stays_short() {
    // The card could, the phone cannot: limits come from the phone.
    let mut t = phone(CardConfig::extended(), PHONE_SHORT);
    pin_mode_check(&mut t, "1234").unwrap();
    assert_eq!(t.inner().host().card().log().count_ins(0xB0), 8);
}

#[test]
fn nfc_tag_loss_mid_check_is_card_removed() {
    let card = VirtualMyNumberCard::builder()
        .serial(42)
        .credentials(creds42())
        .fault(InjectedFault::TagLostAt(5))
        .build()
        .unwrap();
    let mut t = NfcTransport::new(SimulatedNfcHost::new(card, PHONE_EXTENDED));
    let err = pin_mode_check(&mut t, "1234").unwrap_err();
    assert!(
        matches!(err, DriveError::Transport(TransportError::CardRemoved)),
        "{err:?}"
    );
    assert!(!t.host().card().any_verified());
}

#[test]
fn nfc_wrong_pin_is_wrong_pin() {
    let mut t = phone(CardConfig::extended(), PHONE_EXTENDED);
    let err = pin_mode_check(&mut t, "0000").unwrap_err();
    assert!(matches!(
        err,
        DriveError::Procedure(ProcError::WrongPin {
            tries_left: Some(2)
        })
    ));
    assert!(!t.inner().host().card().any_verified());
}

#[test]
fn every_end_of_file_behaviour_still_checks_within_budget() {
    for how in [
        ReadPastEnd::ShortRead,
        ReadPastEnd::Warning6282,
        ReadPastEnd::WrongLe6Cxx,
    ] {
        for (config, budget) in [
            (CardConfig::extended(), MAX_APDUS_EXTENDED),
            (CardConfig::short_only(), MAX_APDUS_SHORT),
        ] {
            let mut card = card(config.with_read_past_end(how));
            let evidence = pin_mode_check(&mut card, "1234")
                .unwrap_or_else(|e| panic!("{how:?}: {e:?}\n{}", card.log().transcript()));
            assert_evidence_verifies(&evidence);
            assert!(
                card.log().len() <= budget,
                "{how:?}\n{}",
                card.log().transcript()
            );
        }
    }
}
