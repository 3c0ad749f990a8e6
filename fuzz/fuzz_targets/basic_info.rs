//! Parse-only + round trip: 基本4情報 (EF `0002` of the 券面事項入力補助AP, `FF 20` { `DF21`
//! offsets, `DF22` name, `DF23` address, `DF24` birth date, `DF25` sex }, BER lengths).
//! Whatever parses, written back with `encode_basic_info` (which writes DF21 as a card
//! does), parses to the same value.
#![no_main]

use jpki_apdu::content::{BasicInfo, encode_basic_info};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(info) = BasicInfo::parse(data) else {
        return;
    };
    let _ = format!("{info:?}");
    let date = info.birth_date;
    let yyyymmdd = format!("{:04}{:02}{:02}", date.year(), date.month(), date.day());
    let written = match encode_basic_info(&info.name, &info.address, &yyyymmdd, info.sex) {
        Ok(written) => written,
        // Only a file whose fields filled the 65 535-byte template without a DF21 table
        // leaves no room to write one.
        Err(_) => {
            assert!(data.len() > 0xFFFF - 11, "encode refused a file with room");
            return;
        }
    };
    let again = BasicInfo::parse(&written).expect("written 基本4情報 parses");
    assert_eq!(again, info);
});
