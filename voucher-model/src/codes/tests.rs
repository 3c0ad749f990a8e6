use super::*;
use proptest::prelude::*;

#[test]
fn known_codes_table() {
    assert_eq!(
        QualificationValidity::from_code("1"),
        QualificationValidity::Valid
    );
    assert_eq!(
        QualificationValidity::from_code("5"),
        QualificationValidity::MultipleMatches
    );
    assert_eq!(
        QualificationValidity::from_code("3").label_ja(),
        Some("無効（新しい資格あり）")
    );
    assert_eq!(
        InsuredCardClassification::from_code("A1"),
        InsuredCardClassification::MedicalAssistance
    );
    assert_eq!(
        InsuredCardClassification::from_code("01").label_ja(),
        Some("被保険者証（一般）")
    );
    assert_eq!(Sex::from_code("3"), Sex::NotSet);
    assert_eq!(
        CharacterCodeIdentifier::from_code("1"),
        CharacterCodeIdentifier::ShiftJis
    );
    assert_eq!(ConsentFlag::from_code("1"), ConsentFlag::Consented);
    assert_eq!(
        PersonalFamilyClassification::from_code("2").label_ja(),
        Some("家族")
    );
    assert_eq!(
        ApplicableCategory::from_code("B10"),
        ApplicableCategory::B10
    );
    assert_eq!(QualificationValidity::TABLE_ID, "OQSCD006");
    assert_eq!(ApplicableCategory::KNOWN_CODES.len(), 16);
}

#[test]
fn segment_of_result_keeps_which_abnormal_code_came() {
    let nine = SegmentOfResult::from_code("9");
    let three = SegmentOfResult::from_code("3");
    assert!(nine.is_abnormal_end() && three.is_abnormal_end());
    assert_ne!(nine, three);
    assert_eq!((nine.code(), three.code()), ("9", "3"));
    assert!(!SegmentOfResult::from_code("1").is_abnormal_end());
}

#[test]
fn unknown_codes_survive() {
    let v = QualificationValidity::from_code("7");
    assert_eq!(v, QualificationValidity::Other("7".into()));
    assert!(!v.is_known());
    assert_eq!(v.label_ja(), None);
    assert_eq!(v.to_string(), "7 (unknown code)");
    assert_eq!(QualificationValidity::Valid.to_string(), "1 (valid)");
    // Exact matching: a padded code is kept verbatim (readers trim first).
    assert_eq!(Sex::from_code(" 1").code(), " 1");
    let json = serde_json::to_string(&v).unwrap();
    assert_eq!(json, "\"7\"");
    assert_eq!(
        serde_json::from_str::<QualificationValidity>(&json).unwrap(),
        v
    );
}

#[test]
fn every_known_code_round_trips() {
    fn check<T: PartialEq + core::fmt::Debug>(
        codes: &[&str],
        from: fn(&str) -> T,
        code: fn(&T) -> &str,
        known: fn(&T) -> bool,
    ) {
        for c in codes {
            let v = from(c);
            assert!(known(&v), "{c}");
            assert_eq!(code(&v), *c);
        }
    }
    check(
        ConsentFlag::KNOWN_CODES,
        ConsentFlag::from_code,
        ConsentFlag::code,
        ConsentFlag::is_known,
    );
    check(
        ReferenceClassification::KNOWN_CODES,
        ReferenceClassification::from_code,
        ReferenceClassification::code,
        ReferenceClassification::is_known,
    );
    check(
        SegmentOfResult::KNOWN_CODES,
        SegmentOfResult::from_code,
        SegmentOfResult::code,
        SegmentOfResult::is_known,
    );
    check(
        ProcessingResultStatus::KNOWN_CODES,
        ProcessingResultStatus::from_code,
        ProcessingResultStatus::code,
        ProcessingResultStatus::is_known,
    );
    check(
        CharacterCodeIdentifier::KNOWN_CODES,
        CharacterCodeIdentifier::from_code,
        CharacterCodeIdentifier::code,
        CharacterCodeIdentifier::is_known,
    );
    check(
        QualificationValidity::KNOWN_CODES,
        QualificationValidity::from_code,
        QualificationValidity::code,
        QualificationValidity::is_known,
    );
    check(Sex::KNOWN_CODES, Sex::from_code, Sex::code, Sex::is_known);
    check(
        PersonalFamilyClassification::KNOWN_CODES,
        PersonalFamilyClassification::from_code,
        PersonalFamilyClassification::code,
        PersonalFamilyClassification::is_known,
    );
    check(
        InsuredCardClassification::KNOWN_CODES,
        InsuredCardClassification::from_code,
        InsuredCardClassification::code,
        InsuredCardClassification::is_known,
    );
    check(
        LimitCertificateClassification::KNOWN_CODES,
        LimitCertificateClassification::from_code,
        LimitCertificateClassification::code,
        LimitCertificateClassification::is_known,
    );
    check(
        ApplicableCategory::KNOWN_CODES,
        ApplicableCategory::from_code,
        ApplicableCategory::code,
        ApplicableCategory::is_known,
    );
    check(
        SpecificDiseaseCategory::KNOWN_CODES,
        SpecificDiseaseCategory::from_code,
        SpecificDiseaseCategory::code,
        SpecificDiseaseCategory::is_known,
    );
    check(
        SpecificDiseasesConsentFlag::KNOWN_CODES,
        SpecificDiseasesConsentFlag::from_code,
        SpecificDiseasesConsentFlag::code,
        SpecificDiseasesConsentFlag::is_known,
    );
}

proptest! {
    #[test]
    fn any_code_round_trips(s in "\\PC{0,8}") {
        prop_assert_eq!(QualificationValidity::from_code(&s).code().to_owned(), s.clone());
        prop_assert_eq!(SegmentOfResult::from_code(&s).code().to_owned(), s.clone());
        prop_assert_eq!(InsuredCardClassification::from_code(&s).code().to_owned(), s.clone());
        prop_assert_eq!(Sex::from_code(&s).code().to_owned(), s.clone());
        prop_assert_eq!(ApplicableCategory::from_code(&s).code().to_owned(), s.clone());
        prop_assert_eq!(SpecificDiseasesConsentFlag::from_code(&s).code().to_owned(), s.clone());
        let v = PersonalFamilyClassification::from_code(&s);
        let json = serde_json::to_string(&v).unwrap();
        prop_assert_eq!(serde_json::from_str::<PersonalFamilyClassification>(&json).unwrap(), v);
    }
}
