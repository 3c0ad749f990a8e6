//! Parse-only, the certificate read path: the `ReadEf` procedure (SELECT EF, READ BINARY in
//! chunks chosen from the reader limits, `61xx` / `6Cxx` handling, the DER header giving the
//! total length) fed arbitrary card responses.
//!
//! Input: byte 0 picks the reader limits, byte 1 the file and length rule, then the card's
//! responses as frames (`u16` BE length + bytes, see `elig_fuzz::frames`).
#![no_main]

use elig_fuzz::{drive_with, frames, limits_from};
use jpki_apdu::ids::jpki;
use jpki_apdu::procedure::{MAX_EF_LEN, ReadEf, ReadLength};
use jpki_apdu::tlv::Tlv;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [limits, mode, rest @ ..] = data else {
        return;
    };
    let limits = limits_from(*limits);
    let (file, length) = match mode % 4 {
        0 | 1 => (jpki::AUTH_CERT, ReadLength::Tlv),
        2 => (jpki::TOKEN_INFO, ReadLength::Exact(32)),
        _ => (jpki::CERT_AVAILABILITY, ReadLength::Exact(3)),
    };
    let responses = frames(rest, 4096);
    let Some(Ok(content)) = drive_with(ReadEf::new(file, length, limits), &responses, &limits)
    else {
        return;
    };
    assert!(content.len() <= MAX_EF_LEN);
    match length {
        ReadLength::Tlv => {
            Tlv::parse_exact(&content).expect("a Tlv read returns exactly one whole TLV");
        }
        ReadLength::Exact(n) => assert_eq!(content.len(), n),
        _ => {}
    }
});
