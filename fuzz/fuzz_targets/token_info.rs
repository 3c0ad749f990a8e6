//! Parse-only: the small JPKI files — token info (EF `0006`, label `JPKIAPICCTOKEN2` /
//! `JPKIAPGPSETOKEN` / `JPKIAPIOSTOKEN`), certificate availability (EF `0008`, `8F 8F 00`)
//! and, with the opt-in `my-number` feature the fuzz build enables, the My Number EF
//! (`FF 10 0C` + 12 digits + `FF FF`).
#![no_main]

use jpki_apdu::content::{CertAvailability, TokenInfo};
use jpki_apdu::my_number::MyNumber;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(token) = TokenInfo::parse(data) {
        assert!(token.label().len() <= data.len());
        let _ = (token.kind(), token.is_physical_card(), format!("{token:?}"));
    }
    if let Ok(avail) = CertAvailability::parse(data) {
        assert_eq!(&avail.raw()[..], data);
        let _ = (avail.has_sign_certificate(), avail.has_auth_certificate());
    }
    if let Ok(number) = MyNumber::parse(data) {
        let digits = number.expose_digits();
        assert!(digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(
            !format!("{number:?}").contains(digits),
            "Debug must not show the number"
        );
    }
});
