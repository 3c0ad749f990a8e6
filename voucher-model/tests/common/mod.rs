//! Builders shared by the integration tests: one valid voucher and one matching online
//! result, which each test case then changes in one place.
// Test helpers (not `#[test]` functions, so clippy.toml's test allowances do not reach them):
// a fixture that fails to build is a broken test, and unwrapping says so.
#![allow(
    dead_code,
    unreachable_pub,
    unused_imports,
    unused_macros,
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use voucher_model::*;

pub mod table;

pub fn d(s: &str) -> Date {
    Date::parse_any(s).unwrap()
}

pub fn t(s: &str) -> DateTime {
    DateTime::parse_compact(s).unwrap()
}

/// The checkup date of the baseline case.
/// A purpose through the gate (the only way to one).
pub fn purpose(requested: RequestedUse) -> Purpose {
    Purpose::for_online_check(requested).unwrap()
}

pub fn checkup_date() -> Date {
    d("2025-10-01")
}

pub fn attestation() -> StaffAttestation {
    attestation_on(checkup_date())
}

/// An attestation made at 09:30 on `date`.
pub fn attestation_on(date: Date) -> StaffAttestation {
    StaffAttestation::new("reception-07", DateTime::new(date, 9, 30, 0).unwrap()).unwrap()
}

/// A valid 受診券 (協会けんぽ-style 組合 insurer 06110829).
pub fn voucher_fields() -> VoucherFields {
    VoucherFields {
        kind: VoucherKind::Checkup,
        number: VoucherNumber::parse("25000000001").unwrap(),
        issued_on: d("2025-04-01"),
        expires_on: d("2026-03-31"),
        insurer_number: InsurerNumber::parse("06110829").unwrap(),
        card_symbol: Some(CardSymbol::parse("12-34").unwrap()),
        card_number: CardNumber::parse("4260").unwrap(),
        branch_number: Some(BranchNumber::parse("01").unwrap()),
        person: Person {
            name: "診療　太郎".into(),
            name_kana: Some("シンリョウ　タロウ".into()),
            sex: Sex::Male,
            birth_date: d("2001-03-27"),
        },
        contract_coordinator_name: Some("健保連".into()),
        payment_agent_number: Some(PaymentAgentNumber::parse("12345678").unwrap()),
        checkup_copayments: CheckupCopayments {
            basic: Some(Copayment::FixedYen { yen: 1000 }),
            detailed: Some(Copayment::None),
            additional: Some(Copayment::Rate { percent: 10 }),
            ningen_dock: Some(Copayment::InsurerCap { yen: 20000 }),
        },
        guidance_copayment: None,
        guidance_level: None,
    }
}

pub fn guidance_fields() -> VoucherFields {
    VoucherFields {
        kind: VoucherKind::Guidance,
        number: VoucherNumber::parse("25000000002").unwrap(),
        checkup_copayments: CheckupCopayments::default(),
        guidance_copayment: Some(Copayment::None),
        guidance_level: Some(GuidanceLevel::MotivationalSupport),
        ..voucher_fields()
    }
}

/// The record the online check returns for the baseline person (quirks as in real data:
/// half-width kana, full-width space in the name).
pub fn record() -> QualificationRecord {
    QualificationRecord {
        insured_card_classification: Some(InsuredCardClassification::General),
        insurer_number: Some(InsurerNumber::parse_lenient("06110829").unwrap()),
        insured_card_symbol: Some(CardSymbol::parse_lenient("12-34").unwrap()),
        insured_identification_number: Some(CardNumber::parse_lenient("4260").unwrap()),
        insured_branch_number: Some(BranchNumber::parse("01").unwrap()),
        personal_family_classification: Some(PersonalFamilyClassification::Insured),
        name: Some("診療　太郎".into()),
        name_kana: Some("ｼﾝﾘｮｳ ﾀﾛｳ".into()),
        sex1: Some(Sex::Male),
        birthdate: Some(d("2001-03-27")),
        qualification_date: Some(d("2020-04-01")),
        insurer_name: Some("テスト健康保険組合".into()),
        ..QualificationRecord::default()
    }
}

pub fn response() -> QualificationResponse {
    QualificationResponse {
        process_execution_time: Some(t("20251001093012")),
        qualification_confirmation_date: Some(checkup_date()),
        reference_classification: Some(ReferenceClassification::MyNumberCard),
        segment_of_result: Some(SegmentOfResult::Normal),
        character_code_identifier: Some(CharacterCodeIdentifier::Utf8),
        processing_result_status: Some(ProcessingResultStatus::Normal),
        qualification_validity: Some(QualificationValidity::Valid),
        results: vec![record()],
        ..QualificationResponse::default()
    }
}

pub fn online_pin() -> Evidence {
    Evidence::online(
        OnlineChannel::Limited,
        OnlineMode::Pin {
            signature_verified: true,
        },
        response(),
    )
}

pub fn reading() -> QualificationReading {
    QualificationReading {
        insurer_number: InsurerNumber::parse("06110829").unwrap(),
        card_symbol: Some(CardSymbol::parse("１２－３４").unwrap()),
        card_number: CardNumber::parse("4260").unwrap(),
        branch_number: Some(BranchNumber::parse("01").unwrap()),
        name: Some("診療 太郎".into()),
        birth_date: Some(d("2001-03-27")),
        qualification_date: Some(d("2020-04-01")),
    }
}
