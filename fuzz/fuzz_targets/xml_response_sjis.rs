//! Parse-only, Shift_JIS path: the input is taken as text, encoded to Shift_JIS (CP932) the
//! way a Windows terminal writes it, and read. Seeds are real response files whose
//! declaration says `Shift_JIS`, so the fuzzer mutates Japanese text that reaches the
//! decoder as genuine CP932 bytes (the raw-bytes target rarely produces valid CP932).
#![no_main]

use elig_proto::xmlmsg::{Encoding, ReadLimits, read_response_with};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    if let Ok((_, info)) = read_response_with(&bytes, &ReadLimits::default()) {
        if !unmappable && text.contains("encoding=\"Shift_JIS\"") && !text.starts_with('\u{feff}') {
            assert_eq!(
                info.encoding,
                Encoding::ShiftJis,
                "declared Shift_JIS, read as {:?}",
                info.encoding
            );
        }
    }
});
