//! proptest strategies for voucher-model values, shared by the round-trip tests.
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    dead_code
)]

use proptest::prelude::*;
use voucher_model::{
    ApplicableCategory, BranchNumber, CardNumber, CardSymbol, CharacterCodeIdentifier,
    CheckupInstitutionNumber, ConsentFlag, ContributionRatio, Date, DateTime,
    ElderlyRecipientCertificateInfo, Facility, InsuredCardClassification, InsurerNumber,
    LimitApplicationCertificateRelatedInfo, LimitCertificateClassification, MedicalInstitutionCode,
    OnlineQualificationCode, PersonalFamilyClassification, ProcessingResultStatus,
    QualificationRecord, QualificationResponse, QualificationValidity, ReferenceClassification,
    SearchInfo, SegmentOfResult, Sex, SpecificDiseaseCategory, SpecificDiseasesCertificateInfo,
    UnknownElement,
};

/// Text every encoding can carry: ASCII (markup characters included), kana, some kanji,
/// the full-width space and half-width katakana.
pub(crate) const TEXT: &str = "[a-zA-Z0-9 &<>\"'=/ぁ-んァ-ン東京都診療太郎花子　ｱ-ﾝ-]{0,16}";

pub(crate) fn date() -> impl Strategy<Value = Date> {
    (1900u16..2100, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

pub(crate) fn date_time() -> impl Strategy<Value = DateTime> {
    (date(), 0u8..24, 0u8..60, 0u8..60).prop_map(|(d, h, m, s)| DateTime::new(d, h, m, s).unwrap())
}

/// The check digit of 保険者番号設定要領 (vouchers.md), computed independently here.
pub(crate) fn check_digit(digits: &str) -> char {
    let mut sum = 0u32;
    for (i, c) in digits.chars().rev().enumerate() {
        let d = c.to_digit(10).unwrap();
        let p = if i % 2 == 0 { d * 2 } else { d };
        sum += p / 10 + p % 10;
    }
    char::from_digit((10 - sum % 10) % 10, 10).unwrap()
}

pub(crate) fn insurer() -> impl Strategy<Value = InsurerNumber> {
    prop_oneof!["[0-9]{5}", "[1-9][0-9]{6}"].prop_map(|body| {
        let number = format!("{body}{}", check_digit(&body));
        InsurerNumber::parse(&number).unwrap()
    })
}

pub(crate) fn symbol() -> impl Strategy<Value = CardSymbol> {
    prop_oneof![
        "[0-9]{1,4}(-[0-9]{1,4})?",
        "[０-９]{1,4}(－[０-９]{1,4})?",
        "[A-Z]{1,3}[0-9]{1,3}",
        "[あ-ん]{1,4}",
    ]
    .prop_map(|s| CardSymbol::parse(&s).unwrap())
}

pub(crate) fn card_number() -> impl Strategy<Value = CardNumber> {
    "[0-9]{1,10}".prop_map(|s| CardNumber::parse(&s).unwrap())
}

pub(crate) fn branch() -> impl Strategy<Value = BranchNumber> {
    "[0-9]{2}".prop_map(|s| BranchNumber::parse(&s).unwrap())
}

/// A code string: one of the known ones or an unknown one (kept as `Other`).
pub(crate) fn code(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(known).prop_map(str::to_owned),
        "[0-9A-Z]{1,3}",
    ]
}

pub(crate) fn consent() -> impl Strategy<Value = ConsentFlag> {
    code(ConsentFlag::KNOWN_CODES).prop_map(|c| ConsentFlag::from_code(&c))
}

pub(crate) fn search() -> impl Strategy<Value = SearchInfo> {
    (
        insurer(),
        proptest::option::of(symbol()),
        card_number(),
        proptest::option::of(branch()),
        date(),
        proptest::option::of(consent()),
    )
        .prop_map(|(i, s, n, b, d, c)| SearchInfo {
            insurer_number: Some(i),
            insured_card_symbol: s,
            insured_identification_number: Some(n),
            insured_branch_number: b,
            birthdate: Some(d),
            limit_application_certificate_related_cons_flg: c,
        })
}

pub(crate) fn facility() -> impl Strategy<Value = Facility> {
    prop_oneof![
        "[0-9]{10}".prop_map(|c| Facility::CheckupInstitution(
            CheckupInstitutionNumber::parse(&c).unwrap()
        )),
        "[A-Za-z0-9][A-Za-z0-9-]{0,31}".prop_map(|c| Facility::SelfRunningInsurer(
            OnlineQualificationCode::parse(&c).unwrap()
        )),
    ]
}

fn text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(TEXT)
}

fn unknown(prefix: &'static str, n: usize) -> impl Strategy<Value = Vec<UnknownElement>> {
    proptest::collection::vec((any::<bool>(), TEXT), 0..n).prop_map(move |items| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (nested, text))| UnknownElement {
                name: if nested {
                    format!("{prefix}ExtN{i}/ExtM{i}")
                } else {
                    format!("{prefix}ExtL{i}")
                },
                text,
            })
            .collect()
    })
}

fn elderly() -> impl Strategy<Value = ElderlyRecipientCertificateInfo> {
    (
        proptest::option::of(date()),
        proptest::option::of(date()),
        proptest::option::of(0u8..=100),
    )
        .prop_map(|(a, b, r)| ElderlyRecipientCertificateInfo {
            elderly_recipient_certificate_date: a,
            elderly_recipient_valid_start_date: b,
            elderly_recipient_valid_end_date: None,
            elderly_recipient_contribution_ratio: r
                .map(|p| ContributionRatio::from_percent(p).unwrap()),
        })
}

fn limit_info() -> impl Strategy<Value = LimitApplicationCertificateRelatedInfo> {
    (
        code(LimitCertificateClassification::KNOWN_CODES),
        code(ApplicableCategory::KNOWN_CODES),
        proptest::option::of(date()),
    )
        .prop_map(|(c, f, d)| LimitApplicationCertificateRelatedInfo {
            limit_application_certificate_classification: Some(
                LimitCertificateClassification::from_code(&c),
            ),
            limit_application_certificate_classification_flag: Some(ApplicableCategory::from_code(
                &f,
            )),
            limit_application_certificate_date: None,
            limit_application_certificate_valid_start_date: d,
            limit_application_certificate_valid_end_date: None,
            limit_application_certificate_long_term_date: None,
        })
}

fn disease() -> impl Strategy<Value = SpecificDiseasesCertificateInfo> {
    (
        code(SpecificDiseaseCategory::KNOWN_CODES),
        proptest::option::of(date()),
        text(),
    )
        .prop_map(|(c, d, pay)| SpecificDiseasesCertificateInfo {
            specific_diseases_disease_category: Some(SpecificDiseaseCategory::from_code(&c)),
            specific_diseases_certificate_date: None,
            specific_diseases_valid_start_date: d,
            specific_diseases_valid_end_date: None,
            specific_diseases_self_pay: pay,
        })
}

pub(crate) fn record() -> impl Strategy<Value = QualificationRecord> {
    let ids = (
        proptest::option::of(code(InsuredCardClassification::KNOWN_CODES)),
        proptest::option::of(insurer()),
        proptest::option::of(symbol()),
        proptest::option::of(card_number()),
        proptest::option::of(branch()),
        proptest::option::of(code(PersonalFamilyClassification::KNOWN_CODES)),
    );
    let person = (
        text(),
        text(),
        text(),
        proptest::option::of(code(Sex::KNOWN_CODES)),
        proptest::option::of(date()),
        text(),
    );
    let dates = (
        proptest::option::of(date()),
        proptest::option::of(date()),
        proptest::option::of(0u8..=100),
        proptest::option::of(elderly()),
        proptest::option::of(limit_info()),
        proptest::collection::vec(disease(), 0..3),
    );
    let consents = (
        proptest::option::of(consent()),
        proptest::option::of(date_time()),
        proptest::option::of(consent()),
        proptest::option::of(date_time()),
        text(),
        unknown("", 4),
    );
    (ids, person, dates, consents).prop_map(|(ids, person, dates, consents)| QualificationRecord {
        insured_card_classification: ids.0.map(|c| InsuredCardClassification::from_code(&c)),
        insurer_number: ids.1,
        insured_card_symbol: ids.2,
        insured_identification_number: ids.3,
        insured_branch_number: ids.4,
        personal_family_classification: ids.5.map(|c| PersonalFamilyClassification::from_code(&c)),
        name: person.0,
        name_kana: person.1,
        address: person.2,
        sex1: person.3.map(|c| Sex::from_code(&c)),
        birthdate: person.4,
        insurer_name: person.5,
        qualification_date: dates.0,
        disqualification_date: dates.1,
        insured_partial_contribution_ratio: dates
            .2
            .map(|p| ContributionRatio::from_percent(p).unwrap()),
        elderly_recipient_certificate_info: dates.3,
        limit_application_certificate_related_info: dates.4,
        specific_diseases_certificate_list: dates.5,
        specific_health_checkups_info_cons_flg: consents.0,
        specific_health_checkups_info_cons_time: consents.1,
        pharmacists_info_cons_flg: consents.2,
        pharmacists_info_available_time: consents.3,
        reference_number: consents.4,
        unknown_elements: consents.5,
        ..Default::default()
    })
}

pub(crate) fn response() -> impl Strategy<Value = QualificationResponse> {
    let header = (
        proptest::option::of(date_time()),
        proptest::option::of(date()),
        proptest::option::of(
            "[0-9]{10}".prop_map(|c| MedicalInstitutionCode::parse_lenient(&c).unwrap()),
        ),
        text(),
        proptest::option::of(code(ReferenceClassification::KNOWN_CODES)),
        proptest::option::of(code(SegmentOfResult::KNOWN_CODES)),
        text(),
        text(),
        proptest::option::of(code(CharacterCodeIdentifier::KNOWN_CODES)),
    );
    let body = (
        proptest::option::of(search()),
        proptest::option::of(code(ProcessingResultStatus::KNOWN_CODES)),
        text(),
        text(),
        proptest::option::of(code(QualificationValidity::KNOWN_CODES)),
        proptest::collection::vec(record(), 0..3),
        unknown("MessageHeader/", 3),
        unknown("MessageBody/", 3),
    );
    (header, body).prop_map(|(h, b)| {
        let mut unknown_elements = b.6;
        unknown_elements.extend(b.7);
        QualificationResponse {
            process_execution_time: h.0,
            qualification_confirmation_date: h.1,
            medical_institution_code: h.2,
            arbitrary_file_identifier: h.3,
            reference_classification: h.4.map(|c| ReferenceClassification::from_code(&c)),
            segment_of_result: h.5.map(|c| SegmentOfResult::from_code(&c)),
            error_code: h.6,
            error_message: h.7,
            character_code_identifier: h.8.map(|c| CharacterCodeIdentifier::from_code(&c)),
            search_info: b.0,
            processing_result_status: b.1.map(|c| ProcessingResultStatus::from_code(&c)),
            processing_result_code: b.2,
            processing_result_message: b.3,
            qualification_validity: b.4.map(|c| QualificationValidity::from_code(&c)),
            results: b.5,
            unknown_elements,
        }
    })
}
