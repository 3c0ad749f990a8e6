//! Every row of a production clinic system's code tables (tests/data/README.md) is a known
//! value of the table this SDK uses for that element, with the same Japanese label.

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach: a
// helper that cannot build its fixture is a broken test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use voucher_model::*;

const CODES: &str = include_str!("data/hangilc-myclinic-ts_codes.tsv");

/// (known?, Japanese label) of `code` in the SDK's table for `element`.
fn read(element: &str, code: &str) -> (bool, Option<&'static str>) {
    macro_rules! table {
        ($t:ty) => {{
            let v = <$t>::from_code(code);
            (v.is_known(), v.label_ja())
        }};
    }
    match element {
        "LimitApplicationCertificateRelatedConsFlg" => table!(ConsentFlag),
        "ReferenceClassification" => table!(ReferenceClassification),
        "SegmentOfResult" => table!(SegmentOfResult),
        "ProcessingResultStatus" => table!(ProcessingResultStatus),
        "CharacterCodeIdentifier" => table!(CharacterCodeIdentifier),
        "QualificationValidity" => table!(QualificationValidity),
        "Sex1" => table!(Sex),
        "PersonalFamilyClassification" => table!(PersonalFamilyClassification),
        "InsuredCardClassification" => table!(InsuredCardClassification),
        "LimitApplicationCertificateClassification" => table!(LimitCertificateClassification),
        "LimitApplicationCertificateClassificationFlag" => table!(ApplicableCategory),
        "SpecificDiseasesDiseaseCategory" => table!(SpecificDiseaseCategory),
        "SpecificDiseasesCertificateRelatedConsFlg" => table!(SpecificDiseasesConsentFlag),
        other => panic!("the fixture has a table this test does not know: {other}"),
    }
}

#[test]
fn every_peer_code_is_known_with_the_same_label() {
    let mut rows = 0;
    let mut elements = std::collections::BTreeSet::new();
    for line in CODES.lines().filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [element, code, label] = fields[..] else {
            panic!("not three tab-separated fields: {line:?}")
        };
        let (known, ours) = read(element, code);
        assert!(known, "{element} {code} is not a known code");
        assert_eq!(ours, Some(label), "{element} {code}");
        rows += 1;
        elements.insert(element);
    }
    assert_eq!(rows, 53, "every row of the fixture was read");
    assert_eq!(elements.len(), 13, "every table of the fixture was read");
}

#[test]
fn the_specific_diseases_consent_flag_has_its_own_table() {
    let expired = SpecificDiseasesConsentFlag::from_code("2");
    assert_eq!(expired, SpecificDiseasesConsentFlag::ConsentExpired);
    assert!(expired.is_known());
    assert_eq!(expired.to_string(), "2 (consent expired)");
    // The general consent table (OQSCD001) has no `2`.
    assert!(!ConsentFlag::from_code("2").is_known());
    assert_eq!(SpecificDiseasesConsentFlag::TABLE_ID, "");
    assert_eq!(SpecificDiseasesConsentFlag::KNOWN_CODES, ["0", "1", "2"]);
}
