//! Parse-only + round trip: voucher-model's stable JSON (受診券/利用券 vouchers, evidence,
//! qualification responses). Whatever deserializes serializes and deserializes again to an
//! equal value; a deserialized voucher is always valid (`Voucher::new` accepts its fields).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use voucher_model::{Evidence, QualificationResponse, Voucher, VoucherFields};

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(
    data: &[u8],
) -> Option<T> {
    let value: T = serde_json::from_slice(data).ok()?;
    let text = serde_json::to_string(&value).expect("a deserialized value serializes");
    let again: T = serde_json::from_str(&text).expect("serialized JSON deserializes");
    assert_eq!(again, value, "JSON round trip");
    Some(value)
}

fuzz_target!(|data: &[u8]| {
    let Some((which, json)) = data.split_first() else {
        return;
    };
    match which % 4 {
        0 => {
            if let Some(voucher) = round_trip::<Voucher>(json) {
                let fields: VoucherFields =
                    serde_json::from_value(serde_json::to_value(&voucher).expect("serializes"))
                        .expect("a voucher's JSON is VoucherFields");
                assert_eq!(Voucher::new(fields).ok(), Some(voucher));
            }
        }
        1 => {
            round_trip::<VoucherFields>(json);
        }
        2 => {
            round_trip::<Evidence>(json);
        }
        _ => {
            round_trip::<QualificationResponse>(json);
        }
    }
});
