//! The caller's check bracket (`Transport::begin_check` / `end_check`) on the virtual card:
//! leave, reset or power down, with card.md's effects on a verified PIN, through `dyn
//! Transport` and `Counting` as a client would hold it.
#![allow(clippy::unwrap_used)] // test code

use reader_backends::mock::VirtualMyNumberCard;
use reader_backends::{CheckEnd, Counting, Transport};

const SELECT_JPKI: &[u8] = &[
    0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01,
];
const SELECT_AUTH_PIN: &[u8] = &[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18];
const VERIFY: &[u8] = &[0x00, 0x20, 0x00, 0x80, 0x04, b'1', b'2', b'3', b'4'];

/// Begins a check and verifies the auth PIN.
fn verified(t: &mut dyn Transport) {
    t.begin_check().unwrap();
    assert_eq!(t.transmit(SELECT_JPKI).unwrap(), [0x90, 0x00]);
    assert_eq!(t.transmit(SELECT_AUTH_PIN).unwrap(), [0x90, 0x00]);
    assert_eq!(t.transmit(VERIFY).unwrap(), [0x90, 0x00]);
}

#[test]
fn each_end_of_a_check_does_what_card_md_says() {
    let card = VirtualMyNumberCard::builder().serial(3).build().unwrap();
    let mut t = Counting::new(card);
    let dyn_t: &mut dyn Transport = &mut t;

    verified(dyn_t);
    dyn_t.end_check(CheckEnd::LeaveCard).unwrap();
    assert!(t.inner().auth_pin_verified(), "leave-card keeps the state");

    let dyn_t: &mut dyn Transport = &mut t;
    verified(dyn_t);
    dyn_t.end_check(CheckEnd::ResetCard).unwrap();
    assert!(
        t.inner().auth_pin_verified(),
        "a warm reset keeps a verified PIN"
    );

    let dyn_t: &mut dyn Transport = &mut t;
    verified(dyn_t);
    dyn_t.end_check(CheckEnd::PowerDown).unwrap();
    assert!(!t.inner().any_verified(), "a power-down clears every PIN");
    // The bracket sends no APDU: only the 3 x 3 commands above were counted.
    assert_eq!(t.count(), 9);
}
