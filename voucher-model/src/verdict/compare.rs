//! Field-by-field comparison of a voucher with a qualification record.

use super::Reason;
use super::findings::Findings;
use super::{Field, FieldStatus};
use crate::ids::IdKind;
use crate::record::QualificationRecord;
use crate::text::name_comparison_form;
use crate::voucher::Voucher;

/// Compares 保険者番号 and 番号 (required), 記号 (required where both have it), 枝番 (where
/// both have it), and name, kana and birth date (differences are warnings).
pub(super) fn compare_record(f: &mut Findings, voucher: &Voucher, record: &QualificationRecord) {
    // 保険者番号 and 番号: required.
    compare_required(
        f,
        Field::InsurerNumber,
        voucher.insurer_number().as_str(),
        record.insurer_number.as_ref().map(|n| n.as_str()),
        record.insurer_number.as_ref() == Some(voucher.insurer_number()),
    );
    compare_required(
        f,
        Field::CardNumber,
        voucher.card_number().as_str(),
        record
            .insured_identification_number
            .as_ref()
            .map(|n| n.as_str()),
        record.insured_identification_number.as_ref() == Some(voucher.card_number()),
    );
    if let Some(insurer) = &record.insurer_number {
        flag_check_digit(f, IdKind::InsurerNumber, insurer.check_digit_ok());
    }
    // 記号: must match when both have it; one side missing is a warning.
    let v_sym = voucher.card_symbol();
    let e_sym = record.insured_card_symbol.as_ref();
    let vals = (
        v_sym.map(|s| s.as_str().to_owned()),
        e_sym.map(|s| s.as_str().to_owned()),
    );
    match (v_sym, e_sym) {
        (Some(v), Some(e)) => {
            let (status, reason) = equality(v == e, v.as_str() == e.as_str(), true);
            f.push_values(Field::CardSymbol, status, reason, vals.0, vals.1);
        }
        (Some(_), None) => f.push_values(
            Field::CardSymbol,
            FieldStatus::Warning,
            Reason::MissingInEvidence,
            vals.0,
            vals.1,
        ),
        (None, Some(_)) => f.push_values(
            Field::CardSymbol,
            FieldStatus::Warning,
            Reason::MissingOnVoucher,
            vals.0,
            vals.1,
        ),
        (None, None) => f.push(
            Field::CardSymbol,
            FieldStatus::NotCompared,
            Reason::AbsentOnBoth,
        ),
    }
    // 枝番: compared when both have it.
    let v_br = voucher.branch_number();
    let e_br = record.insured_branch_number.as_ref();
    let vals = (
        v_br.map(|s| s.as_str().to_owned()),
        e_br.map(|s| s.as_str().to_owned()),
    );
    let (status, reason) = match (v_br, e_br) {
        (Some(v), Some(e)) => equality(v == e, true, true),
        (Some(_), None) => (FieldStatus::NotCompared, Reason::MissingInEvidence),
        (None, Some(_)) => (FieldStatus::NotCompared, Reason::MissingOnVoucher),
        (None, None) => (FieldStatus::NotCompared, Reason::AbsentOnBoth),
    };
    f.push_values(Field::BranchNumber, status, reason, vals.0, vals.1);
    // Name, kana, birth date: differences are warnings.
    let person = voucher.person();
    compare_name(
        f,
        Field::Name,
        Some(person.name.as_str()),
        [record.name.as_deref(), record.name_of_other.as_deref()],
    );
    compare_name(
        f,
        Field::NameKana,
        person.name_kana.as_deref(),
        [
            record.name_kana.as_deref(),
            record.name_of_other_kana.as_deref(),
        ],
    );
    let vals = (
        Some(person.birth_date.to_string()),
        record.birthdate.map(|d| d.to_string()),
    );
    let (status, reason) = match record.birthdate {
        Some(b) => equality(b == person.birth_date, true, false),
        None => (FieldStatus::NotCompared, Reason::MissingInEvidence),
    };
    f.push_values(Field::BirthDate, status, reason, vals.0, vals.1);
}

/// A warning when an identifier received from the evidence (read leniently) has a wrong
/// check digit: vouchers.md, "an inbound message with a bad check digit is a warning".
pub(super) fn flag_check_digit(f: &mut Findings, identifier: IdKind, check_digit_ok: bool) {
    if !check_digit_ok {
        f.push(
            Field::CheckDigit,
            FieldStatus::Warning,
            Reason::BadCheckDigit { identifier },
        );
    }
}

/// (status, reason) for a comparison: equal → Matched (Equal or EqualAfterNormalization);
/// different → Mismatched when `required`, else Warning.
fn equality(equal: bool, identical: bool, required: bool) -> (FieldStatus, Reason) {
    match (equal, identical, required) {
        (true, true, _) => (FieldStatus::Matched, Reason::Equal),
        (true, false, _) => (FieldStatus::Matched, Reason::EqualAfterNormalization),
        (false, _, true) => (FieldStatus::Mismatched, Reason::Different),
        (false, _, false) => (FieldStatus::Warning, Reason::Different),
    }
}

fn compare_required(
    f: &mut Findings,
    field: Field,
    voucher_value: &str,
    evidence_value: Option<&str>,
    equal: bool,
) {
    let (status, reason) = match evidence_value {
        Some(e) => equality(equal, e == voucher_value, true),
        None => (FieldStatus::Mismatched, Reason::MissingInEvidence),
    };
    f.push_values(
        field,
        status,
        reason,
        Some(voucher_value.to_owned()),
        evidence_value.map(str::to_owned),
    );
}

fn compare_name(
    f: &mut Findings,
    field: Field,
    voucher_value: Option<&str>,
    evidence_values: [Option<&str>; 2],
) {
    let present: Vec<&str> = evidence_values.iter().flatten().copied().collect();
    let shown = present.first().map(|s| (*s).to_owned());
    let (status, reason) = match (voucher_value, present.is_empty()) {
        (None, true) => (FieldStatus::NotCompared, Reason::AbsentOnBoth),
        (None, false) => (FieldStatus::NotCompared, Reason::MissingOnVoucher),
        (Some(_), true) => (FieldStatus::NotCompared, Reason::MissingInEvidence),
        (Some(v), false) => {
            let folded = name_comparison_form(v);
            if present.contains(&v) {
                (FieldStatus::Matched, Reason::Equal)
            } else if present
                .iter()
                .any(|e| name_comparison_form(e) == folded && !folded.is_empty())
            {
                (FieldStatus::Matched, Reason::EqualAfterNormalization)
            } else {
                (FieldStatus::Warning, Reason::Different)
            }
        }
    };
    f.push_values(
        field,
        status,
        reason,
        voucher_value.map(str::to_owned),
        shown,
    );
}
