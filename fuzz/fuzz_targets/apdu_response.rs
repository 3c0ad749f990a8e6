//! Parse-only: any bytes as a response APDU, and the status word readings.
#![no_main]

use jpki_apdu::procedure::PinStatus;
use jpki_apdu::{Response, StatusWord};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(response) = Response::parse(data) else {
        assert!(
            data.len() < 2,
            "only fewer than two bytes may fail to parse"
        );
        return;
    };
    let (body, sw) = data.split_at(data.len() - 2);
    assert_eq!(response.data(), body);
    let status = response.status();
    assert_eq!(status.to_bytes(), [sw[0], sw[1]]);
    // u16 → StatusWord → u16 is the identity (style.md rule 4).
    let raw = u16::from_be_bytes([sw[0], sw[1]]);
    assert_eq!(StatusWord::from_u16(raw).to_u16(), raw);
    assert_eq!(StatusWord::from_bytes(sw[0], sw[1]), status);
    assert_eq!(response.is_success(), raw == 0x9000);
    if let Some(pin) = PinStatus::from_status(status) {
        if let PinStatus::TriesLeft(n) = pin {
            assert!((1..=15).contains(&n));
        }
    }
    let _ = format!("{status} {status:?} {response:?}");
});
