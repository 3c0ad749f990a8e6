//! Parse-only + round trip: every identifier parser of voucher-model (strict and lenient),
//! its dates and ratios, and elig-proto's 既存型 file names. For each: whatever parses, its
//! canonical text parses again to an equal value; strict success implies lenient success
//! with the same value; nothing panics on any text.
#![no_main]

use elig_proto::xmlmsg::{FileName, Suffix};
use libfuzzer_sys::fuzz_target;
use voucher_model::{
    BranchNumber, CardNumber, CardSymbol, CheckupInstitutionNumber, ContributionRatio, Date,
    DateTime, InsurerNumber, LateElderlyInsuredNumber, MedicalInstitutionCode,
    OnlineQualificationCode, PaymentAgentNumber, VoucherNumber,
};

macro_rules! id_round_trip {
    ($ty:ty, $s:expr) => {{
        let strict = <$ty>::parse($s);
        let lenient = <$ty>::parse_lenient($s);
        if let Ok(v) = &strict {
            assert_eq!(
                lenient.as_ref().ok(),
                Some(v),
                "strict ok but lenient differs"
            );
        }
        if let Ok(v) = lenient {
            // Display is the canonical text, or the redaction marker for an identifier that
            // is personal data (記号・番号・枝番, voucher numbers: issue 10 item 7).
            let shown = v.to_string();
            assert!(
                shown == v.as_str() || shown == voucher_model::REDACTED,
                "Display is neither the canonical text nor redacted"
            );
            let text = v.as_str().to_owned();
            let again = <$ty>::parse_lenient(&text).expect("canonical text re-parses");
            assert_eq!(again, v, "canonical text round trip");
            let _ = format!("{v:?}");
        }
        if let Ok(v) = strict {
            let again = <$ty>::parse(v.as_str()).expect("canonical text re-parses strictly");
            assert_eq!(again, v);
        }
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((which, text)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(text) else {
        return;
    };
    match which % 16 {
        0 => {
            id_round_trip!(InsurerNumber, s);
            if let Ok(n) = InsurerNumber::parse_lenient(s) {
                let _ = (n.check_digit_ok(), n.law_number(), n.prefecture());
                let padded = n.space_padded();
                assert_eq!(InsurerNumber::parse_lenient(&padded).ok(), Some(n));
            }
        }
        1 => id_round_trip!(LateElderlyInsuredNumber, s),
        2 => {
            id_round_trip!(MedicalInstitutionCode, s);
            if let Ok(c) = MedicalInstitutionCode::parse_lenient(s) {
                let _ = (c.check_digit_ok(), c.prefecture(), c.fee_schedule());
            }
        }
        3 => {
            id_round_trip!(CheckupInstitutionNumber, s);
            if let Ok(c) = CheckupInstitutionNumber::parse_lenient(s) {
                let _ = c.as_medical_institution_code();
            }
        }
        4 => id_round_trip!(PaymentAgentNumber, s),
        5 => id_round_trip!(OnlineQualificationCode, s),
        6 => id_round_trip!(VoucherNumber, s),
        7 => {
            id_round_trip!(CardSymbol, s);
            if let Ok(c) = CardSymbol::parse_lenient(s) {
                assert!(!c.comparison_form().contains(' '));
            }
        }
        8 => id_round_trip!(CardNumber, s),
        9 => id_round_trip!(BranchNumber, s),
        10 => {
            for parsed in [
                Date::parse_yyyymmdd(s),
                Date::parse_iso(s),
                Date::parse_any(s),
            ] {
                if let Ok(d) = parsed {
                    assert_eq!(Date::parse_yyyymmdd(&d.to_yyyymmdd()).ok(), Some(d));
                    assert_eq!(Date::parse_iso(&d.to_iso()).ok(), Some(d));
                    assert_eq!(d.to_string().parse::<Date>().ok(), Some(d));
                }
            }
        }
        11 => {
            for parsed in [DateTime::parse_compact(s), DateTime::parse_iso(s)] {
                if let Ok(t) = parsed {
                    assert_eq!(DateTime::parse_compact(&t.to_compact()).ok(), Some(t));
                    assert_eq!(t.to_string().parse::<DateTime>().ok(), Some(t));
                }
            }
        }
        12 => {
            if let Ok(r) = ContributionRatio::parse(s) {
                assert!(r.percent() <= 100);
                assert_eq!(ContributionRatio::parse(&r.code()).ok(), Some(r));
            }
        }
        13 => {
            if let Ok(suffix) = Suffix::parse(s) {
                assert_eq!(Suffix::parse(suffix.as_str()).ok(), Some(suffix.clone()));
                let _ = (suffix.date_and_sequence(), suffix.next());
            }
        }
        _ => {
            if let Ok(name) = FileName::parse(s) {
                assert_eq!(FileName::parse(&name.to_string()).ok(), Some(name.clone()));
                if let Some(response) = name.response() {
                    assert_eq!(response.suffix, name.suffix, "a response keeps the suffix");
                }
            }
        }
    }
});
