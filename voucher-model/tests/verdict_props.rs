//! Property tests of the verdict: whatever the response and evidence, a failure never
//! becomes `Eligible`, and `verify` never panics.

// Strategies and helpers live outside `#[test]` functions, where clippy.toml's test
// allowances do not reach.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::*;
use proptest::prelude::*;
use voucher_model::*;

/// One way a field of a record can relate to the voucher.
#[derive(Debug, Clone, Copy)]
enum Rel {
    Same,
    Other,
    Missing,
}

/// Mostly the same as the voucher, so that eligible verdicts occur often enough for the
/// property to bite (a few percent of cases), and sometimes not.
fn rel() -> impl Strategy<Value = Rel> {
    prop_oneof![30 => Just(Rel::Same), 1 => Just(Rel::Other), 1 => Just(Rel::Missing)]
}

#[derive(Debug, Clone)]
struct RecordSpec {
    insurer: Rel,
    symbol: Rel,
    number: Rel,
    branch: Rel,
    name: Rel,
    birth: Rel,
    from_offset: Option<i64>,
    until_offset: Option<i64>,
}

fn record_spec() -> impl Strategy<Value = RecordSpec> {
    (
        (rel(), rel(), rel(), rel(), rel(), rel()),
        proptest::option::of(prop_oneof![9 => -800i64..0, 1 => -5i64..50]),
        proptest::option::of(prop_oneof![9 => 1i64..800, 1 => -50i64..5]),
    )
        .prop_map(
            |((insurer, symbol, number, branch, name, birth), from_offset, until_offset)| {
                RecordSpec {
                    insurer,
                    symbol,
                    number,
                    branch,
                    name,
                    birth,
                    from_offset,
                    until_offset,
                }
            },
        )
}

fn build_record(spec: &RecordSpec, date: Date) -> QualificationRecord {
    let mut r = record();
    let pick = |rel: Rel, same: &str, other: &str| match rel {
        Rel::Same => Some(same.to_owned()),
        Rel::Other => Some(other.to_owned()),
        Rel::Missing => None,
    };
    r.insurer_number = pick(spec.insurer, "06110829", "01040013")
        .map(|s| InsurerNumber::parse_lenient(&s).unwrap());
    r.insured_card_symbol =
        pick(spec.symbol, "１２－３４", "99").map(|s| CardSymbol::parse_lenient(&s).unwrap());
    r.insured_identification_number =
        pick(spec.number, "4260", "4261").map(|s| CardNumber::parse_lenient(&s).unwrap());
    r.insured_branch_number =
        pick(spec.branch, "01", "02").map(|s| BranchNumber::parse(&s).unwrap());
    r.name = pick(spec.name, "診療 太郎", "別人");
    r.birthdate = match spec.birth {
        Rel::Same => Some(d("2001-03-27")),
        Rel::Other => Some(d("2001-03-28")),
        Rel::Missing => None,
    };
    r.qualification_date = spec.from_offset.and_then(|o| date.checked_add_days(o));
    r.disqualification_date = spec.until_offset.and_then(|o| date.checked_add_days(o));
    r
}

/// Mostly `good`, sometimes absent, sometimes one of `bad`.
fn code(good: &'static str, bad: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        12 => Just(Some(good.to_owned())),
        1 => Just(None),
        3 => proptest::sample::select(bad).prop_map(|b| Some(b.to_owned())),
    ]
}

#[derive(Debug, Clone)]
struct OnlineSpec {
    mode: u8,
    signature_verified: bool,
    segment: Option<String>,
    status: Option<String>,
    validity: Option<String>,
    reference: Option<String>,
    confirmed_offset: i64,
    records: Vec<RecordSpec>,
    date_offset: i64,
    purpose: u8,
    guidance_voucher: bool,
}

fn online_spec() -> impl Strategy<Value = OnlineSpec> {
    (
        (0u8..3, prop_oneof![9 => Just(true), 1 => Just(false)]),
        code("1", &["2", "9", "3", "x"]),
        code("1", &["2", "z"]),
        code("1", &["2", "3", "4", "5", "6", "7"]),
        code("1", &["2", "q"]),
        prop_oneof![6 => Just(0i64), 1 => -3i64..3],
        prop_oneof![
            6 => proptest::collection::vec(record_spec(), 1..=1),
            1 => proptest::collection::vec(record_spec(), 0..4),
        ],
        prop_oneof![4 => -150i64..150, 1 => -400i64..400],
        (
            prop_oneof![4 => Just(0u8), 1 => 1u8..3],
            prop_oneof![4 => Just(false), 1 => Just(true)],
        ),
    )
        .prop_map(
            |(
                (mode, signature_verified),
                segment,
                status,
                validity,
                reference,
                confirmed_offset,
                records,
                date_offset,
                (purpose, guidance_voucher),
            )| OnlineSpec {
                mode,
                signature_verified,
                segment,
                status,
                validity,
                reference,
                confirmed_offset,
                records,
                date_offset,
                purpose,
                guidance_voucher,
            },
        )
}

fn purpose_of(n: u8) -> Purpose {
    match n {
        0 => purpose(RequestedUse::SpecificHealthCheckup),
        1 => purpose(RequestedUse::SpecificHealthGuidance),
        _ => purpose(RequestedUse::NingenDockInsurerConfirmation),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn online_failures_never_become_eligible(spec in online_spec()) {
        let date = checkup_date().checked_add_days(spec.date_offset).unwrap();
        let fields = if spec.guidance_voucher { guidance_fields() } else { voucher_fields() };
        let voucher = Voucher::new(fields).unwrap();
        let mut response = response();
        response.segment_of_result = spec.segment.as_deref().map(SegmentOfResult::from_code);
        response.processing_result_status =
            spec.status.as_deref().map(ProcessingResultStatus::from_code);
        response.qualification_validity =
            spec.validity.as_deref().map(QualificationValidity::from_code);
        response.reference_classification =
            spec.reference.as_deref().map(ReferenceClassification::from_code);
        response.qualification_confirmation_date = date.checked_add_days(spec.confirmed_offset);
        response.results = spec.records.iter().map(|r| build_record(r, date)).collect();
        let mode = match spec.mode {
            0 => OnlineMode::Pin { signature_verified: spec.signature_verified },
            1 => OnlineMode::VisualConfirmation { attestation: attestation_on(date) },
            _ => OnlineMode::ExistingTerminal,
        };
        let evidence = Evidence::online(OnlineChannel::Limited, mode.clone(), response.clone());
        let purpose = purpose_of(spec.purpose);
        let v = verify(&voucher, &evidence, date, purpose);

        let has = |s| v.findings.iter().any(|f| f.status == s);
        prop_assert_eq!(v.outcome == Outcome::NotEligible, has(FieldStatus::Mismatched));
        if v.outcome == Outcome::Eligible {
            prop_assert!(!has(FieldStatus::Warning));
            let unverified_pin = matches!(mode, OnlineMode::Pin { signature_verified: false });
            prop_assert!(!unverified_pin, "eligible on an unverified PIN signature");
            let segment_ok =
                matches!(response.segment_of_result, None | Some(SegmentOfResult::Normal));
            prop_assert!(segment_ok, "eligible on {:?}", response.segment_of_result);
            let status_ok = matches!(
                response.processing_result_status,
                None | Some(ProcessingResultStatus::Normal)
            );
            prop_assert!(status_ok, "eligible on {:?}", response.processing_result_status);
            prop_assert_eq!(response.qualification_validity, Some(QualificationValidity::Valid));
            prop_assert_eq!(response.qualification_confirmation_date, Some(date));
            prop_assert!(voucher.is_unexpired_on(date));
            prop_assert_eq!(purpose.voucher_kind(), voucher.kind());
            prop_assert_eq!(response.results.len(), 1);
            let rec = &response.results[v.record_index.unwrap()];
            prop_assert_eq!(rec.insurer_number.as_ref(), Some(voucher.insurer_number()));
            prop_assert_eq!(
                rec.insured_identification_number.as_ref(),
                Some(voucher.card_number())
            );
            prop_assert_eq!(rec.insured_card_symbol.as_ref(), voucher.card_symbol());
            if let Some(b) = &rec.insured_branch_number {
                prop_assert_eq!(Some(b), voucher.branch_number());
            }
            prop_assert!(rec.period_covers(date));
        }
    }

    #[test]
    fn manual_evidence_is_accepted_only_when_valid(
        kind in 0u8..4,
        card_presented in any::<bool>(),
        notice_shown in any::<bool>(),
        valid_offset in proptest::option::of(-30i64..30),
        date_offset in -200i64..200,
        insurer in rel(),
        number in rel(),
    ) {
        let date = checkup_date().checked_add_days(date_offset).unwrap();
        let mut r = reading();
        if matches!(insurer, Rel::Other | Rel::Missing) {
            r.insurer_number = InsurerNumber::parse("01040013").unwrap();
        }
        if matches!(number, Rel::Other | Rel::Missing) {
            r.card_number = CardNumber::parse("4261").unwrap();
        }
        let valid_until = valid_offset.and_then(|o| date.checked_add_days(o));
        let evidence = match kind {
            0 => Evidence::Mynaportal { reading: r.clone(), attestation: attestation_on(date) },
            1 => Evidence::MynaCardWithNotice {
                card_presented,
                notice: notice_shown.then(|| r.clone()),
                attestation: attestation_on(date),
            },
            2 => Evidence::QualificationCertificate {
                reading: r.clone(),
                valid_until: valid_until.unwrap_or(date),
                attestation: attestation_on(date),
            },
            _ => Evidence::OldInsuranceCard {
                reading: r.clone(),
                valid_until,
                attestation: attestation_on(date),
            },
        };
        let voucher = Voucher::new(voucher_fields()).unwrap();
        let v = verify(&voucher, &evidence, date, purpose(RequestedUse::SpecificHealthCheckup));
        if v.outcome == Outcome::Eligible {
            prop_assert!(voucher.is_unexpired_on(date));
            prop_assert_eq!(&r.insurer_number, voucher.insurer_number());
            prop_assert_eq!(&r.card_number, voucher.card_number());
            prop_assert!(r.qualification_date.is_none_or(|q| q <= date));
            match &evidence {
                Evidence::MynaCardWithNotice { card_presented, notice, .. } => {
                    prop_assert!(*card_presented && notice.is_some());
                }
                Evidence::QualificationCertificate { valid_until, .. } => {
                    prop_assert!(date <= *valid_until);
                }
                Evidence::OldInsuranceCard { valid_until, .. } => {
                    prop_assert!(date <= OLD_CARD_LAST_DAY);
                    prop_assert!(valid_until.is_none_or(|v| date <= v));
                }
                _ => {}
            }
        }
    }

    #[test]
    fn verify_never_panics_on_arbitrary_text(
        insurer in "\\PC{0,10}", symbol in "\\PC{0,10}", number in "\\PC{0,10}",
        name in "\\PC{0,10}", kana in "\\PC{0,10}", validity in "\\PC{0,3}",
    ) {
        let voucher = Voucher::new(voucher_fields()).unwrap();
        let mut response = response();
        let rec = &mut response.results[0];
        rec.insurer_number = InsurerNumber::parse_lenient(&insurer).ok();
        rec.insured_card_symbol = CardSymbol::parse_lenient(&symbol).ok();
        rec.insured_identification_number = CardNumber::parse_lenient(&number).ok();
        rec.name = Some(name);
        rec.name_kana = Some(kana);
        response.qualification_validity = Some(QualificationValidity::from_code(&validity));
        let e = Evidence::online(OnlineChannel::Existing, OnlineMode::ExistingTerminal, response);
        let v = verify(&voucher, &e, checkup_date(), purpose(RequestedUse::SpecificHealthCheckup));
        let _ = (v.summary_ja(), v.summary_en());
        let json = serde_json::to_string(&v).unwrap();
        prop_assert_eq!(serde_json::from_str::<Verdict>(&json).unwrap(), v);
    }
}
