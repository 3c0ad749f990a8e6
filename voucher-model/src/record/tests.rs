use super::*;

/// The values of the hangilc/myclinic-ts `onshi-kakunin.xml` fixture (see
/// `shared/samples/oqs/README.md`), read the way a tolerant reader reads them.
pub(crate) fn hangilc_fixture() -> QualificationResponse {
    let d = |s: &str| Some(Date::parse_yyyymmdd(s).unwrap());
    let t = |s: &str| Some(DateTime::parse_compact(s).unwrap());
    let record = QualificationRecord {
        address: Some("東京都".into()),
        specific_health_checkups_info_cons_time: t("20230221174835"),
        diagnosis_info_cons_flg: Some(ConsentFlag::from_code("0")),
        specific_health_checkups_info_available_time: t("20230222174835"),
        personal_family_classification: Some(PersonalFamilyClassification::from_code("1")),
        sex1: Some(Sex::from_code("1")),
        specific_diseases_certificate_related_cons_flg: Some(
            SpecificDiseasesConsentFlag::from_code("0"),
        ),
        name: Some("診療　太郎".into()),
        insurer_number: Some(InsurerNumber::parse_lenient("  123456").unwrap()),
        insured_card_symbol: Some(CardSymbol::parse_lenient("12-34").unwrap()),
        name_kana: Some("ｼﾝﾘｮｳ ﾀﾛｳ".into()),
        insured_card_valid_date: d("20191001"),
        limit_application_certificate_related_cons_flg: Some(ConsentFlag::from_code("0")),
        insured_card_classification: Some(InsuredCardClassification::from_code("01")),
        insured_branch_number: Some(BranchNumber::parse_lenient("01").unwrap()),
        birthdate: d("20010327"),
        insured_certificate_issuance_date: d("20191001"),
        insured_identification_number: Some(CardNumber::parse_lenient("4260").unwrap()),
        pharmacists_info_available_time: t("20230222174835"),
        specific_health_checkups_info_cons_flg: Some(ConsentFlag::from_code("1")),
        pharmacists_info_cons_time: t("20230221174835"),
        pharmacists_info_cons_flg: Some(ConsentFlag::from_code("1")),
        insurer_name: Some("東京都".into()),
        post_number: Some("123-4567".into()),
        ..QualificationRecord::default()
    };
    QualificationResponse {
        process_execution_time: t("20230221174835"),
        character_code_identifier: Some(CharacterCodeIdentifier::from_code("0")),
        segment_of_result: Some(SegmentOfResult::from_code("1")),
        qualification_confirmation_date: d("20230221"),
        reference_classification: Some(ReferenceClassification::from_code("1")),
        arbitrary_file_identifier: Some("ArnHCeDfNjMCFzg=".into()),
        medical_institution_code: Some(
            MedicalInstitutionCode::parse_lenient("1311111111").unwrap(),
        ),
        results: vec![record],
        processing_result_status: Some(ProcessingResultStatus::from_code("1")),
        qualification_validity: Some(QualificationValidity::from_code("1")),
        ..QualificationResponse::default()
    }
}

#[test]
fn fixture_quirks_are_read_into_domain_types() {
    let r = hangilc_fixture();
    let rec = &r.results[0];
    // "  123456" is a space-padded 国保 number with a bad check digit: kept, flagged.
    let insurer = rec.insurer_number.as_ref().unwrap();
    assert_eq!(insurer.as_str(), "00123456");
    assert!(!insurer.check_digit_ok());
    assert_eq!(
        rec.insured_card_symbol.as_ref().unwrap().comparison_form(),
        "12-34"
    );
    assert!(
        !r.medical_institution_code
            .as_ref()
            .unwrap()
            .check_digit_ok()
    );
    assert_eq!(r.qualification_validity, Some(QualificationValidity::Valid));
    assert_eq!(rec.sex1, Some(Sex::Male));
}

#[test]
fn json_round_trip_keeps_everything() {
    let mut r = hangilc_fixture();
    r.results[0].unknown_elements.push(UnknownElement {
        name: "OperationInfoConsFlg".into(),
        text: "1".into(),
    });
    r.results[0].insured_partial_contribution_ratio =
        Some(ContributionRatio::parse("030").unwrap());
    r.results[0]
        .specific_diseases_certificate_list
        .push(SpecificDiseasesCertificateInfo {
            specific_diseases_disease_category: Some(SpecificDiseaseCategory::from_code("9")),
            ..SpecificDiseasesCertificateInfo::default()
        });
    r.segment_of_result = Some(SegmentOfResult::from_code("3"));
    let json = serde_json::to_string(&r).unwrap();
    let back: QualificationResponse = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    // Display forms survive: the original 記号 text and the space-padded insurer's canonical form.
    assert!(json.contains("\"insurer_number\":\"00123456\""));
    assert!(json.contains("\"insured_partial_contribution_ratio\":\"030\""));
    assert!(json.contains("\"segment_of_result\":\"3\""));
    // Missing fields default.
    let empty: QualificationResponse = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, QualificationResponse::default());
}

#[test]
fn contribution_ratio_table() {
    let cases: &[(&str, Option<u8>)] = &[
        ("030", Some(30)),
        ("30", Some(30)),
        ("100", Some(100)),
        ("000", Some(0)),
        ("101", None),
        ("999", None),
        ("3.0", None),
        ("", None),
        ("0300", None),
    ];
    for (input, want) in cases {
        assert_eq!(
            ContributionRatio::parse(input)
                .ok()
                .map(ContributionRatio::percent),
            *want,
            "{input:?}"
        );
    }
    assert_eq!(ContributionRatio::parse("30").unwrap().code(), "030");
    assert_eq!(ContributionRatio::parse("30").unwrap().to_string(), "30%");
}

#[test]
fn period_is_half_open() {
    let d = |s: &str| Date::parse_yyyymmdd(s).unwrap();
    let rec = QualificationRecord {
        qualification_date: Some(d("20240401")),
        disqualification_date: Some(d("20250401")),
        ..QualificationRecord::default()
    };
    let cases = [
        ("20240331", false),
        ("20240401", true),
        ("20250331", true),
        ("20250401", false),
    ];
    for (date, covered) in cases {
        assert_eq!(rec.period_covers(d(date)), covered, "{date}");
    }
    assert!(QualificationRecord::default().period_covers(d("20250401")));
}

/// `InsuredCardSymbol` → `insured_card_symbol`, `Sex1` → `sex1`.
fn snake_case(element: &str) -> String {
    let mut out = String::new();
    for c in element.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The element names of oqs.md ("ResultOfQualificationConfirmation", "Response header",
/// "Response body"), with the `…` abbreviations written out.
const RECORD_ELEMENTS: &[&str] = &[
    "InsuredCardClassification",
    "InsurerNumber",
    "InsuredCardSymbol",
    "InsuredIdentificationNumber",
    "InsuredBranchNumber",
    "PersonalFamilyClassification",
    "InsuredName",
    "Name",
    "NameOfOther",
    "NameKana",
    "NameOfOtherKana",
    "Sex1",
    "Sex2",
    "Birthdate",
    "Address",
    "PostNumber",
    "QualificationDate",
    "DisqualificationDate",
    "InsuredCertificateIssuanceDate",
    "InsuredCardValidDate",
    "InsuredCardExpirationDate",
    "InsuredPartialContributionRatio",
    "PreschoolClassification",
    "ReasonOfLoss",
    "InsurerName",
    "ElderlyRecipientCertificateInfo",
    "LimitApplicationCertificateRelatedConsFlg",
    "LimitApplicationCertificateRelatedConsTime",
    "LimitApplicationCertificateRelatedInfo",
    "SpecificDiseasesCertificateRelatedConsFlg",
    "SpecificDiseasesCertificateRelatedConsTime",
    "SpecificDiseasesCertificateList",
    "SpecificHealthCheckupsInfoConsFlg",
    "SpecificHealthCheckupsInfoConsTime",
    "SpecificHealthCheckupsInfoAvailableTime",
    "PharmacistsInfoConsFlg",
    "PharmacistsInfoConsTime",
    "PharmacistsInfoAvailableTime",
    "DiagnosisInfoConsFlg",
    "DiagnosisInfoConsTime",
    "DiagnosisInfoAvailableTime",
    "ReferenceNumber",
];

const RESPONSE_ELEMENTS: &[&str] = &[
    "ProcessExecutionTime",
    "QualificationConfirmationDate",
    "MedicalInstitutionCode",
    "ArbitraryFileIdentifier",
    "ReferenceClassification",
    "SegmentOfResult",
    "ErrorCode",
    "ErrorMessage",
    "CharacterCodeIdentifier",
    "ProcessingResultStatus",
    "ProcessingResultCode",
    "ProcessingResultMessage",
    "QualificationValidity",
];

fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[test]
fn json_field_names_are_the_element_names_in_snake_case() {
    let json = serde_json::to_value(hangilc_fixture()).unwrap();
    let mut want: Vec<String> = RECORD_ELEMENTS.iter().map(|e| snake_case(e)).collect();
    want.push("unknown_elements".into());
    want.sort();
    assert_eq!(keys(&json["results"][0]), want);
    let mut want: Vec<String> = RESPONSE_ELEMENTS.iter().map(|e| snake_case(e)).collect();
    // `QualificationConfirmSearchInfo` is shortened to `search_info`; `ResultList` holds `results`.
    want.extend(["search_info", "results", "unknown_elements"].map(String::from));
    want.sort();
    assert_eq!(keys(&json), want);
    assert_eq!(snake_case("Sex1"), "sex1");
    assert_eq!(json["results"][0]["insured_card_symbol"], "12-34");
}
