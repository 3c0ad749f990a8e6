//! Table-driven tests of the matching rules of vouchers.md against an online result: each
//! row changes the baseline in one place.

// The table rows are built in helper functions, outside `#[test]`, where clippy.toml's test
// allowances do not reach: a row that cannot build its fixture is a broken test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::table::{Case, Row, baseline, reason, rec, resp, run};
use common::*;
use voucher_model::*;

use Field as F;
use FieldStatus::{Matched as M, Mismatched as X, NotCompared as N, Warning as W};

fn rows() -> Vec<Row> {
    vec![
        Row {
            name: "baseline: online PIN, everything matches",
            change: |_| {},
            outcome: Outcome::Eligible,
            expect: &[
                (F::Evidence, M, reason!(Reason::PinSignatureVerified)),
                (
                    F::QualificationValidity,
                    M,
                    reason!(Reason::QualificationValid),
                ),
                (F::InsurerNumber, M, reason!(Reason::Equal)),
                (F::CardSymbol, M, reason!(Reason::Equal)),
                (F::CardNumber, M, reason!(Reason::Equal)),
                (F::BranchNumber, M, reason!(Reason::Equal)),
                (F::Name, M, reason!(Reason::Equal)),
                (F::NameKana, M, reason!(Reason::EqualAfterNormalization)),
                (F::BirthDate, M, reason!(Reason::Equal)),
                (F::QualificationPeriod, M, reason!(Reason::PeriodCovers)),
                (
                    F::ConfirmationDate,
                    M,
                    reason!(Reason::ConfirmationDateMatches),
                ),
            ],
        },
        Row {
            name: "voucher expired the day before",
            change: |c| c.date = d("2026-04-01"),
            outcome: Outcome::NotEligible,
            expect: &[(F::VoucherExpiry, X, reason!(Reason::VoucherExpired { .. }))],
        },
        Row {
            name: "checkup on the voucher's last day",
            change: |c| {
                c.date = d("2026-03-31");
                resp(c).qualification_confirmation_date = Some(d("2026-03-31"));
            },
            outcome: Outcome::Eligible,
            expect: &[(
                F::VoucherExpiry,
                M,
                reason!(Reason::VoucherUnexpired { .. }),
            )],
        },
        Row {
            name: "checkup before the voucher's issue date",
            change: |c| {
                c.date = d("2025-03-31");
                resp(c).qualification_confirmation_date = Some(d("2025-03-31"));
            },
            outcome: Outcome::NeedsStaffReview,
            expect: &[(
                F::VoucherIssueDate,
                W,
                reason!(Reason::CheckupBeforeIssue { .. }),
            )],
        },
        Row {
            name: "特定保健指導 with a 受診券",
            change: |c| c.purpose = purpose(RequestedUse::SpecificHealthGuidance),
            outcome: Outcome::NotEligible,
            expect: &[(
                F::Purpose,
                X,
                reason!(Reason::VoucherDoesNotFitPurpose {
                    expected: VoucherKind::Guidance,
                    found: VoucherKind::Checkup
                }),
            )],
        },
        Row {
            name: "特定保健指導 with a 利用券",
            change: |c| {
                c.purpose = purpose(RequestedUse::SpecificHealthGuidance);
                c.voucher = guidance_fields();
            },
            outcome: Outcome::Eligible,
            expect: &[(F::Purpose, M, reason!(Reason::VoucherFitsPurpose))],
        },
        Row {
            name: "人間ドック: confirming the insurer under a contract",
            change: |c| c.purpose = purpose(RequestedUse::NingenDockInsurerConfirmation),
            outcome: Outcome::Eligible,
            expect: &[(F::Purpose, M, reason!(Reason::VoucherFitsPurpose))],
        },
        Row {
            name: "insurer differs",
            change: |c| rec(c).insurer_number = Some(InsurerNumber::parse("01040013").unwrap()),
            outcome: Outcome::NotEligible,
            expect: &[(F::InsurerNumber, X, reason!(Reason::Different))],
        },
        Row {
            name: "insurer missing in the result",
            change: |c| rec(c).insurer_number = None,
            outcome: Outcome::NotEligible,
            expect: &[(F::InsurerNumber, X, reason!(Reason::MissingInEvidence))],
        },
        Row {
            name: "国保: 6 digits on the voucher, space-padded in the result",
            change: |c| {
                c.voucher.insurer_number = InsurerNumber::parse("123455").unwrap();
                rec(c).insurer_number = Some(InsurerNumber::parse_lenient("  123455").unwrap());
            },
            outcome: Outcome::Eligible,
            expect: &[(F::InsurerNumber, M, reason!(Reason::Equal))],
        },
        Row {
            name: "記号 full-width on the voucher, half-width in the result",
            change: |c| c.voucher.card_symbol = Some(CardSymbol::parse("１２－３４").unwrap()),
            outcome: Outcome::Eligible,
            expect: &[(F::CardSymbol, M, reason!(Reason::EqualAfterNormalization))],
        },
        Row {
            name: "記号 differs",
            change: |c| rec(c).insured_card_symbol = Some(CardSymbol::parse("12-35").unwrap()),
            outcome: Outcome::NotEligible,
            expect: &[(F::CardSymbol, X, reason!(Reason::Different))],
        },
        Row {
            name: "記号 on the voucher, not in the result",
            change: |c| rec(c).insured_card_symbol = None,
            outcome: Outcome::NeedsStaffReview,
            expect: &[(F::CardSymbol, W, reason!(Reason::MissingInEvidence))],
        },
        Row {
            name: "記号 absent on both (後期高齢者)",
            change: |c| {
                c.voucher.card_symbol = None;
                c.voucher.branch_number = None;
                rec(c).insured_card_symbol = None;
                rec(c).insured_branch_number = None;
            },
            outcome: Outcome::Eligible,
            expect: &[
                (F::CardSymbol, N, reason!(Reason::AbsentOnBoth)),
                (F::BranchNumber, N, reason!(Reason::AbsentOnBoth)),
            ],
        },
        Row {
            name: "番号 differs",
            change: |c| {
                rec(c).insured_identification_number = Some(CardNumber::parse("4261").unwrap())
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::CardNumber, X, reason!(Reason::Different))],
        },
        Row {
            name: "番号 missing in the result",
            change: |c| rec(c).insured_identification_number = None,
            outcome: Outcome::NotEligible,
            expect: &[(F::CardNumber, X, reason!(Reason::MissingInEvidence))],
        },
        Row {
            name: "枝番 differs",
            change: |c| rec(c).insured_branch_number = Some(BranchNumber::parse("02").unwrap()),
            outcome: Outcome::NotEligible,
            expect: &[(F::BranchNumber, X, reason!(Reason::Different))],
        },
        Row {
            name: "枝番 only in the result: not compared",
            change: |c| c.voucher.branch_number = None,
            outcome: Outcome::Eligible,
            expect: &[(F::BranchNumber, N, reason!(Reason::MissingOnVoucher))],
        },
        Row {
            name: "name differs: warning only",
            change: |c| rec(c).name = Some("診療　次郎".into()),
            outcome: Outcome::NeedsStaffReview,
            expect: &[(F::Name, W, reason!(Reason::Different))],
        },
        Row {
            name: "name matches NameOfOther",
            change: |c| {
                rec(c).name = Some("SHINRYO TARO".into());
                rec(c).name_of_other = Some("診療 太郎".into());
            },
            outcome: Outcome::Eligible,
            expect: &[(F::Name, M, reason!(Reason::EqualAfterNormalization))],
        },
        Row {
            name: "kana typed in hiragana on the voucher",
            change: |c| c.voucher.person.name_kana = Some("しんりょう たろう".into()),
            outcome: Outcome::Eligible,
            expect: &[(F::NameKana, M, reason!(Reason::EqualAfterNormalization))],
        },
        Row {
            name: "kana differs: warning only",
            change: |c| rec(c).name_kana = Some("ｼﾝﾘｮｳ ｼﾞﾛｳ".into()),
            outcome: Outcome::NeedsStaffReview,
            expect: &[(F::NameKana, W, reason!(Reason::Different))],
        },
        Row {
            name: "birth date differs: warning only",
            change: |c| rec(c).birthdate = Some(d("2001-03-28")),
            outcome: Outcome::NeedsStaffReview,
            expect: &[(F::BirthDate, W, reason!(Reason::Different))],
        },
        Row {
            name: "birth date missing in the result: not compared",
            change: |c| rec(c).birthdate = None,
            outcome: Outcome::Eligible,
            expect: &[(F::BirthDate, N, reason!(Reason::MissingInEvidence))],
        },
        Row {
            name: "QualificationValidity 2 無効",
            change: |c| resp(c).qualification_validity = Some(QualificationValidity::Invalid),
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationValidity,
                X,
                reason!(Reason::QualificationInvalid),
            )],
        },
        Row {
            name: "QualificationValidity 3 新しい資格あり",
            change: |c| {
                resp(c).qualification_validity =
                    Some(QualificationValidity::InvalidNewQualificationExists)
            },
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationValidity,
                X,
                reason!(Reason::NewerQualificationExists),
            )],
        },
        Row {
            name: "QualificationValidity 4 該当資格なし, no records",
            change: |c| {
                resp(c).qualification_validity = Some(QualificationValidity::NoQualification);
                resp(c).results.clear();
            },
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationValidity,
                X,
                reason!(Reason::NoQualificationFound),
            )],
        },
        Row {
            name: "QualificationValidity 6 医療扶助",
            change: |c| {
                resp(c).qualification_validity = Some(QualificationValidity::ValidUnregistered)
            },
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationValidity,
                X,
                reason!(Reason::MedicalAssistanceOnly),
            )],
        },
        Row {
            name: "QualificationValidity unknown code",
            change: |c| {
                resp(c).qualification_validity = Some(QualificationValidity::from_code("9"))
            },
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationValidity,
                X,
                reason!(Reason::ValidityUnknown { .. }),
            )],
        },
        Row {
            name: "QualificationValidity missing",
            change: |c| resp(c).qualification_validity = None,
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationValidity,
                X,
                reason!(Reason::ValidityMissing),
            )],
        },
        Row {
            name: "5 複数該当: one of two records matches the voucher",
            change: |c| {
                resp(c).qualification_validity = Some(QualificationValidity::MultipleMatches);
                let mut other = record();
                other.insurer_number = Some(InsurerNumber::parse("01040013").unwrap());
                resp(c).results.insert(0, other);
            },
            outcome: Outcome::NeedsStaffReview,
            expect: &[
                (
                    F::QualificationValidity,
                    W,
                    reason!(Reason::MultipleQualifications),
                ),
                (
                    F::ResultRecord,
                    W,
                    reason!(Reason::SeveralRecordsOneMatches { count: 2 }),
                ),
                (F::InsurerNumber, M, reason!(Reason::Equal)),
            ],
        },
        Row {
            name: "5 複数該当: both records match",
            change: |c| {
                resp(c).qualification_validity = Some(QualificationValidity::MultipleMatches);
                resp(c).results.push(record());
            },
            outcome: Outcome::NeedsStaffReview,
            expect: &[(
                F::ResultRecord,
                W,
                reason!(Reason::SeveralRecordsAmbiguous {
                    count: 2,
                    matching: 2
                }),
            )],
        },
        Row {
            name: "5 複数該当: no record matches",
            change: |c| {
                resp(c).qualification_validity = Some(QualificationValidity::MultipleMatches);
                rec(c).insured_identification_number = Some(CardNumber::parse("1").unwrap());
                let mut other = record();
                other.insured_identification_number = Some(CardNumber::parse("2").unwrap());
                resp(c).results.push(other);
            },
            outcome: Outcome::NotEligible,
            expect: &[(
                F::ResultRecord,
                X,
                reason!(Reason::NoRecordMatchesVoucher { count: 2 }),
            )],
        },
        Row {
            name: "valid but no record",
            change: |c| resp(c).results.clear(),
            outcome: Outcome::NotEligible,
            expect: &[(F::ResultRecord, X, reason!(Reason::NoResultRecord))],
        },
        Row {
            name: "disqualified on the checkup date (half-open period)",
            change: |c| rec(c).disqualification_date = Some(checkup_date()),
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationPeriod,
                X,
                reason!(Reason::PeriodDoesNotCover { .. }),
            )],
        },
        Row {
            name: "disqualified the day after the checkup",
            change: |c| rec(c).disqualification_date = Some(d("2025-10-02")),
            outcome: Outcome::Eligible,
            expect: &[(F::QualificationPeriod, M, reason!(Reason::PeriodCovers))],
        },
        Row {
            name: "qualified only after the checkup date",
            change: |c| rec(c).qualification_date = Some(d("2025-10-02")),
            outcome: Outcome::NotEligible,
            expect: &[(
                F::QualificationPeriod,
                X,
                reason!(Reason::PeriodDoesNotCover { .. }),
            )],
        },
        Row {
            name: "SegmentOfResult 2 処理中",
            change: |c| resp(c).segment_of_result = Some(SegmentOfResult::Processing),
            outcome: Outcome::NotEligible,
            expect: &[(
                F::SegmentOfResult,
                X,
                reason!(Reason::ResultStillProcessing),
            )],
        },
        Row {
            name: "SegmentOfResult 9 異常終了 keeps its error code",
            change: |c| {
                resp(c).segment_of_result = Some(SegmentOfResult::from_code("9"));
                resp(c).error_code = Some("EOQS0001".into());
                resp(c).error_message = Some("エラー".into());
            },
            outcome: Outcome::NotEligible,
            expect: &[(F::SegmentOfResult, X, |r| {
                matches!(r, Reason::ResultAbnormalEnd { segment, error_code: Some(e), .. }
                        if segment == "9" && e == "EOQS0001")
            })],
        },
        Row {
            name: "SegmentOfResult 3 (the other source's 異常終了)",
            change: |c| resp(c).segment_of_result = Some(SegmentOfResult::from_code("3")),
            outcome: Outcome::NotEligible,
            expect: &[(
                F::SegmentOfResult,
                X,
                |r| matches!(r, Reason::ResultAbnormalEnd { segment, .. } if segment == "3"),
            )],
        },
        Row {
            name: "ProcessingResultStatus 2 エラー",
            change: |c| {
                resp(c).processing_result_status = Some(ProcessingResultStatus::Error);
                resp(c).processing_result_code = Some("1234".into());
            },
            outcome: Outcome::NotEligible,
            expect: &[(
                F::ProcessingResultStatus,
                X,
                reason!(Reason::ProcessingError { .. }),
            )],
        },
        Row {
            name: "result for another date",
            change: |c| resp(c).qualification_confirmation_date = Some(d("2025-09-30")),
            outcome: Outcome::NeedsStaffReview,
            expect: &[(
                F::ConfirmationDate,
                W,
                reason!(Reason::ConfirmationDateDiffers { .. }),
            )],
        },
        Row {
            name: "looked up by card numbers (照会区分 2)",
            change: |c| {
                resp(c).reference_classification = Some(ReferenceClassification::InsuranceCardInfo)
            },
            outcome: Outcome::NeedsStaffReview,
            expect: &[(
                F::ReferenceClassification,
                W,
                reason!(Reason::KeyedOnCardNumbers),
            )],
        },
    ]
}

#[test]
fn every_matching_rule() {
    run(rows());
}

#[test]
fn next_steps_tell_the_operator_what_to_do() {
    type Change = fn(&mut Case);
    let cases: &[(Change, NextStep)] = &[
        (|_| {}, NextStep::Proceed),
        (
            |c| rec(c).name = Some("別人".into()),
            NextStep::ReviewWarnings,
        ),
        (
            |c| resp(c).segment_of_result = Some(SegmentOfResult::Processing),
            NextStep::RetryOrOtherEvidence,
        ),
        (
            |c| resp(c).qualification_validity = Some(QualificationValidity::Invalid),
            NextStep::ContactInsurer,
        ),
        (
            |c| rec(c).insured_identification_number = Some(CardNumber::parse("9").unwrap()),
            NextStep::CheckVoucherAndEvidence,
        ),
        (
            |c| {
                c.evidence = Evidence::MynaCardWithNotice {
                    card_presented: false,
                    notice: Some(reading()),
                    attestation: attestation(),
                }
            },
            NextStep::UseOtherEvidence,
        ),
    ];
    for (change, step) in cases {
        let mut case = baseline();
        change(&mut case);
        let voucher = Voucher::new(case.voucher).unwrap();
        let v = verify(&voucher, &case.evidence, case.date, case.purpose);
        assert_eq!(v.next_step, *step, "{v}");
    }
}

#[test]
fn the_verdict_names_its_evidence_and_record() {
    let voucher = Voucher::new(voucher_fields()).unwrap();
    let v = verify(
        &voucher,
        &online_pin(),
        checkup_date(),
        purpose(RequestedUse::SpecificHealthCheckup),
    );
    assert_eq!(v.evidence.kind, EvidenceKind::OnlinePin);
    assert_eq!(v.evidence.channel, Some(OnlineChannel::Limited));
    assert_eq!(v.evidence.process_execution_time, Some(t("20251001093012")));
    assert_eq!(v.record_index, Some(0));
    let e = Evidence::QualificationCertificate {
        reading: reading(),
        valid_until: d("2026-07-31"),
        attestation: attestation(),
    };
    let v = verify(
        &voucher,
        &e,
        checkup_date(),
        purpose(RequestedUse::SpecificHealthCheckup),
    );
    assert_eq!(v.evidence.valid_until, Some(d("2026-07-31")));
    assert_eq!(
        v.evidence.attestation.as_ref().unwrap().staff_id(),
        "reception-07"
    );
    assert_eq!(v.record_index, None);
}

#[test]
fn verdict_messages() {
    let voucher = Voucher::new(voucher_fields()).unwrap();
    let e = Evidence::MynaCardWithNotice {
        card_presented: false,
        notice: Some(reading()),
        attestation: attestation(),
    };
    let v = verify(
        &voucher,
        &e,
        checkup_date(),
        purpose(RequestedUse::SpecificHealthCheckup),
    );
    let ja = v.summary_ja();
    assert!(ja.starts_with("資格を確認できません"), "{ja}");
    assert!(
        ja.contains("資格情報のお知らせだけでは確認できません"),
        "{ja}"
    );
    let en = v.to_string();
    assert!(en.starts_with("not eligible"), "{en}");
    assert!(en.contains("notice alone is not accepted"), "{en}");
    let finding = v.finding(Field::Evidence).unwrap();
    assert!(finding.message_ja().starts_with("【不一致】確認方法："));
    assert!(finding.message_en().starts_with("[mismatched] evidence:"));
}

#[test]
fn verdict_serializes_for_audit() {
    let voucher = Voucher::new(voucher_fields()).unwrap();
    let v = verify(
        &voucher,
        &online_pin(),
        d("2026-04-01"),
        purpose(RequestedUse::SpecificHealthCheckup),
    );
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["outcome"], "not_eligible");
    assert_eq!(json["next_step"], "contact_insurer");
    assert_eq!(json["evidence"]["kind"], "online_pin");
    let expiry = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "voucher_expiry")
        .unwrap();
    assert_eq!(expiry["status"], "mismatched");
    assert_eq!(expiry["reason"]["reason"], "voucher_expired");
    assert_eq!(expiry["reason"]["expires_on"], "2026-03-31");
    let back: Verdict = serde_json::from_value(json).unwrap();
    assert_eq!(back, v);
}
