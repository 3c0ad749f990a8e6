//! An inbound identifier with a bad check digit (read leniently) is a finding: a warning, so
//! staff review it — never an `Eligible` verdict in silence (vouchers.md, "Identifiers").

// Helpers outside `#[test]` functions, where clippy.toml's test allowances do not reach: a
// helper that cannot build its fixture is a broken test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use voucher_model::*;

fn voucher() -> Voucher {
    Voucher::new(voucher_fields()).unwrap()
}

fn verdict_on(evidence: &Evidence) -> Verdict {
    verify(
        &voucher(),
        evidence,
        checkup_date(),
        Purpose::for_online_check(RequestedUse::SpecificHealthCheckup).unwrap(),
    )
}

fn online(response: QualificationResponse) -> Evidence {
    Evidence::online(
        OnlineChannel::Existing,
        OnlineMode::ExistingTerminal,
        response,
    )
}

fn check_digit_findings(v: &Verdict) -> Vec<&Finding> {
    v.findings
        .iter()
        .filter(|f| f.field == Field::CheckDigit)
        .collect()
}

#[test]
fn baseline_is_eligible_with_no_check_digit_finding() {
    let mut response = response();
    response.medical_institution_code = Some(MedicalInstitutionCode::parse("0110113719").unwrap());
    let v = verdict_on(&online(response));
    assert_eq!(v.outcome, Outcome::Eligible, "{v}");
    assert!(check_digit_findings(&v).is_empty());
}

#[test]
fn a_medical_institution_code_with_a_bad_check_digit_needs_staff_review() {
    // The public fixture's code (elig-proto/tests/data): fails the check digit.
    let mut response = response();
    response.medical_institution_code =
        Some(MedicalInstitutionCode::parse_lenient("1311111111").unwrap());
    let v = verdict_on(&online(response));
    assert_eq!(v.outcome, Outcome::NeedsStaffReview, "{v}");
    let found = check_digit_findings(&v);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].status, FieldStatus::Warning);
    assert_eq!(
        found[0].reason,
        Reason::BadCheckDigit {
            identifier: IdKind::MedicalInstitutionCode
        }
    );
    assert!(found[0].message_ja().contains("医療機関コード"));
    assert!(found[0].to_string().contains("check digit"));
    assert_eq!(
        found[0].reason.next_step(),
        NextStep::CheckVoucherAndEvidence
    );
}

#[test]
fn a_record_insurer_number_with_a_bad_check_digit_is_flagged() {
    // Online: the record's 保険者番号 differs from the voucher's only in the check digit.
    let mut response = response();
    let good = response.results[0].insurer_number.clone().unwrap();
    let mut digits = good.as_str().to_owned();
    let last = digits.pop().unwrap().to_digit(10).unwrap();
    digits.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let bad = InsurerNumber::parse_lenient(&digits).unwrap();
    assert!(!bad.check_digit_ok());
    response.results[0].insurer_number = Some(bad.clone());
    let v = verdict_on(&online(response));
    assert_ne!(v.outcome, Outcome::Eligible, "{v}");
    assert_eq!(
        check_digit_findings(&v)[0].reason,
        Reason::BadCheckDigit {
            identifier: IdKind::InsurerNumber
        }
    );

    // A reading typed off a document, read from JSON leniently.
    let mut reading = reading();
    reading.insurer_number = bad;
    let evidence = Evidence::Mynaportal {
        reading,
        attestation: attestation(),
    };
    let v = verdict_on(&evidence);
    assert_ne!(v.outcome, Outcome::Eligible, "{v}");
    assert_eq!(check_digit_findings(&v).len(), 1);
}

#[test]
fn id_kind_has_a_snake_case_json_name() {
    let reason = Reason::BadCheckDigit {
        identifier: IdKind::MedicalInstitutionCode,
    };
    let json = serde_json::to_string(&reason).unwrap();
    assert_eq!(
        json,
        r#"{"reason":"bad_check_digit","identifier":"medical_institution_code"}"#
    );
    assert_eq!(serde_json::from_str::<Reason>(&json).unwrap(), reason);
}
