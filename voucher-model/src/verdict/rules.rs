//! The rules behind [`super::verify`].

use super::{EvidenceBasis, Field, FieldStatus, Finding, NextStep, Outcome, Reason, Verdict};
use crate::codes::{
    ProcessingResultStatus, QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use crate::date::Date;
use crate::evidence::{Evidence, OLD_CARD_LAST_DAY, OnlineCheck, OnlineMode, QualificationReading};
use crate::purpose::Purpose;
use crate::record::{QualificationRecord, QualificationResponse};
use crate::text::name_comparison_form;
use crate::voucher::Voucher;

/// The findings collected so far.
struct Findings(Vec<Finding>);

impl Findings {
    fn push(&mut self, field: Field, status: FieldStatus, reason: Reason) {
        self.push_values(field, status, reason, None, None);
    }

    fn push_values(
        &mut self,
        field: Field,
        status: FieldStatus,
        reason: Reason,
        voucher_value: Option<String>,
        evidence_value: Option<String>,
    ) {
        self.0.push(Finding {
            field,
            status,
            reason,
            voucher_value,
            evidence_value,
        });
    }
}

pub(super) fn evaluate(
    voucher: &Voucher,
    evidence: &Evidence,
    checkup_date: Date,
    purpose: Purpose,
) -> Verdict {
    let mut f = Findings(Vec::new());
    check_purpose(&mut f, voucher, purpose);
    check_voucher_dates(&mut f, voucher, checkup_date);
    check_evidence(&mut f, evidence, checkup_date);

    let mut record_index = None;
    let online = matches!(evidence, Evidence::Online(_));
    match evidence {
        Evidence::Online(check) => {
            record_index = check_online(&mut f, voucher, check, checkup_date);
        }
        Evidence::Mynaportal { reading, .. }
        | Evidence::QualificationCertificate { reading, .. }
        | Evidence::OldInsuranceCard { reading, .. }
        | Evidence::MynaCardWithNotice {
            notice: Some(reading),
            ..
        } => check_reading(&mut f, voucher, reading, checkup_date),
        Evidence::MynaCardWithNotice { notice: None, .. } => {}
    }

    let required: &[Field] = if online {
        &[
            Field::Purpose,
            Field::VoucherExpiry,
            Field::Evidence,
            Field::QualificationValidity,
            Field::QualificationPeriod,
            Field::InsurerNumber,
            Field::CardNumber,
        ]
    } else {
        &[
            Field::Purpose,
            Field::VoucherExpiry,
            Field::Evidence,
            Field::QualificationValidity,
            Field::InsurerNumber,
            Field::CardNumber,
        ]
    };
    let (outcome, next_step) = decide(&f.0, required);
    Verdict {
        outcome,
        next_step,
        purpose,
        checkup_date,
        evidence: basis(evidence),
        record_index,
        findings: f.0,
    }
}

/// Mismatched anywhere → not eligible; a warning, or a required field without a `Matched`
/// finding → staff review; otherwise eligible.
fn decide(findings: &[Finding], required: &[Field]) -> (Outcome, NextStep) {
    if let Some(blocking) = findings
        .iter()
        .find(|x| x.status == FieldStatus::Mismatched)
    {
        return (Outcome::NotEligible, blocking.reason.next_step());
    }
    let all_required_matched = required.iter().all(|field| {
        findings
            .iter()
            .any(|x| x.field == *field && x.status == FieldStatus::Matched)
    });
    let warned = findings.iter().any(|x| x.status == FieldStatus::Warning);
    if warned || !all_required_matched {
        return (Outcome::NeedsStaffReview, NextStep::ReviewWarnings);
    }
    (Outcome::Eligible, NextStep::Proceed)
}

fn basis(evidence: &Evidence) -> EvidenceBasis {
    let (channel, process_execution_time) = match evidence {
        Evidence::Online(check) => (Some(check.channel), check.response.process_execution_time),
        _ => (None, None),
    };
    let valid_until = match evidence {
        Evidence::QualificationCertificate { valid_until, .. } => Some(*valid_until),
        Evidence::OldInsuranceCard { valid_until, .. } => *valid_until,
        _ => None,
    };
    EvidenceBasis {
        kind: evidence.kind(),
        channel,
        attestation: evidence.attestation().cloned(),
        process_execution_time,
        valid_until,
    }
}

fn check_purpose(f: &mut Findings, voucher: &Voucher, purpose: Purpose) {
    let expected = purpose.voucher_kind();
    let found = voucher.kind();
    if expected == found {
        f.push(
            Field::Purpose,
            FieldStatus::Matched,
            Reason::VoucherFitsPurpose,
        );
    } else {
        f.push(
            Field::Purpose,
            FieldStatus::Mismatched,
            Reason::VoucherDoesNotFitPurpose { expected, found },
        );
    }
}

fn check_voucher_dates(f: &mut Findings, voucher: &Voucher, date: Date) {
    let expires_on = voucher.expires_on();
    if voucher.is_unexpired_on(date) {
        f.push(
            Field::VoucherExpiry,
            FieldStatus::Matched,
            Reason::VoucherUnexpired { expires_on },
        );
    } else {
        f.push(
            Field::VoucherExpiry,
            FieldStatus::Mismatched,
            Reason::VoucherExpired { expires_on },
        );
    }
    let issued_on = voucher.issued_on();
    if date < issued_on {
        f.push(
            Field::VoucherIssueDate,
            FieldStatus::Warning,
            Reason::CheckupBeforeIssue { issued_on },
        );
    }
}

fn check_evidence(f: &mut Findings, evidence: &Evidence, date: Date) {
    use FieldStatus::{Matched, Mismatched};
    let (status, reason) = match evidence {
        Evidence::Online(check) => match &check.mode {
            OnlineMode::Pin {
                signature_verified: true,
            } => (Matched, Reason::PinSignatureVerified),
            OnlineMode::Pin {
                signature_verified: false,
            } => (Mismatched, Reason::PinSignatureNotVerified),
            OnlineMode::VisualConfirmation { .. } => (Matched, Reason::VisualConfirmationAttested),
            OnlineMode::ExistingTerminal => (Matched, Reason::ExistingTerminalCheck),
        },
        Evidence::Mynaportal { .. } => (Matched, Reason::MynaportalScreenRead),
        Evidence::MynaCardWithNotice {
            card_presented,
            notice,
            ..
        } => match (card_presented, notice) {
            (true, Some(_)) => (Matched, Reason::CardAndNoticeShown),
            (false, _) => (Mismatched, Reason::NoticeWithoutCard),
            (true, None) => (Mismatched, Reason::CardWithoutNotice),
        },
        Evidence::QualificationCertificate { valid_until, .. } => {
            let valid_until = *valid_until;
            if date <= valid_until {
                (Matched, Reason::CertificateUnexpired { valid_until })
            } else {
                (Mismatched, Reason::CertificateExpired { valid_until })
            }
        }
        Evidence::OldInsuranceCard { valid_until, .. } => {
            if date > OLD_CARD_LAST_DAY {
                (Mismatched, Reason::OldCardAbolished)
            } else if let Some(valid_until) = valid_until.filter(|v| date > *v) {
                (Mismatched, Reason::OldCardExpired { valid_until })
            } else {
                (Matched, Reason::OldCardAccepted)
            }
        }
    };
    f.push(Field::Evidence, status, reason);
}

/// Checks the response's status fields, selects the record to compare and compares it.
/// Returns the index of the compared record.
fn check_online(
    f: &mut Findings,
    voucher: &Voucher,
    check: &OnlineCheck,
    date: Date,
) -> Option<usize> {
    let r = &check.response;
    match r.qualification_confirmation_date {
        Some(d) if d == date => f.push(
            Field::ConfirmationDate,
            FieldStatus::Matched,
            Reason::ConfirmationDateMatches,
        ),
        Some(confirmed_for) => f.push(
            Field::ConfirmationDate,
            FieldStatus::Warning,
            Reason::ConfirmationDateDiffers { confirmed_for },
        ),
        None => {}
    }
    if !check_status(f, r) {
        return None;
    }
    let validity_allows_records = check_validity(f, r);
    match &r.reference_classification {
        Some(ReferenceClassification::InsuranceCardInfo) => f.push(
            Field::ReferenceClassification,
            FieldStatus::Warning,
            Reason::KeyedOnCardNumbers,
        ),
        Some(ReferenceClassification::MyNumberCard) | Some(ReferenceClassification::Other(_)) => {}
        None => {}
    }
    let index = select_record(f, voucher, &r.results, validity_allows_records)?;
    let record = r.results.get(index)?;
    compare_record(f, voucher, record);
    if record.period_covers(date) {
        f.push(
            Field::QualificationPeriod,
            FieldStatus::Matched,
            Reason::PeriodCovers,
        );
    } else {
        f.push(
            Field::QualificationPeriod,
            FieldStatus::Mismatched,
            Reason::PeriodDoesNotCover {
                from: record.qualification_date,
                until: record.disqualification_date,
            },
        );
    }
    Some(index)
}

/// `SegmentOfResult` and `ProcessingResultStatus`. Returns false when the result cannot be
/// used at all (still processing, abnormal end, error).
fn check_status(f: &mut Findings, r: &QualificationResponse) -> bool {
    let mut usable = true;
    match &r.segment_of_result {
        Some(SegmentOfResult::Normal) => f.push(
            Field::SegmentOfResult,
            FieldStatus::Matched,
            Reason::ResultCompleted,
        ),
        Some(SegmentOfResult::Processing) => {
            f.push(
                Field::SegmentOfResult,
                FieldStatus::Mismatched,
                Reason::ResultStillProcessing,
            );
            usable = false;
        }
        Some(segment @ (SegmentOfResult::AbnormalEnd | SegmentOfResult::AbnormalEndAlt)) => {
            f.push(
                Field::SegmentOfResult,
                FieldStatus::Mismatched,
                Reason::ResultAbnormalEnd {
                    segment: segment.code().to_owned(),
                    error_code: r.error_code.clone(),
                    error_message: r.error_message.clone(),
                },
            );
            usable = false;
        }
        Some(SegmentOfResult::Other(code)) => {
            f.push(
                Field::SegmentOfResult,
                FieldStatus::Mismatched,
                Reason::ResultSegmentUnknown {
                    segment: code.clone(),
                },
            );
            usable = false;
        }
        None => {}
    }
    match &r.processing_result_status {
        Some(ProcessingResultStatus::Normal) => f.push(
            Field::ProcessingResultStatus,
            FieldStatus::Matched,
            Reason::ProcessingCompleted,
        ),
        Some(ProcessingResultStatus::Error) => {
            f.push(
                Field::ProcessingResultStatus,
                FieldStatus::Mismatched,
                Reason::ProcessingError {
                    code: r.processing_result_code.clone(),
                    message: r.processing_result_message.clone(),
                },
            );
            usable = false;
        }
        Some(ProcessingResultStatus::Other(status)) => {
            f.push(
                Field::ProcessingResultStatus,
                FieldStatus::Mismatched,
                Reason::ProcessingStatusUnknown {
                    status: status.clone(),
                },
            );
            usable = false;
        }
        None => {}
    }
    usable
}

/// `QualificationValidity`. Returns whether an empty result list is itself a failure
/// (validity 1 or 5 promise at least one record).
fn check_validity(f: &mut Findings, r: &QualificationResponse) -> bool {
    use FieldStatus::{Matched, Mismatched, Warning};
    let (status, reason, promises_records) = match &r.qualification_validity {
        Some(QualificationValidity::Valid) => (Matched, Reason::QualificationValid, true),
        Some(QualificationValidity::MultipleMatches) => {
            (Warning, Reason::MultipleQualifications, true)
        }
        Some(QualificationValidity::Invalid) => (Mismatched, Reason::QualificationInvalid, false),
        Some(QualificationValidity::InvalidNewQualificationExists) => {
            (Mismatched, Reason::NewerQualificationExists, false)
        }
        Some(QualificationValidity::NoQualification) => {
            (Mismatched, Reason::NoQualificationFound, false)
        }
        Some(QualificationValidity::ValidUnregistered) => {
            (Mismatched, Reason::MedicalAssistanceOnly, false)
        }
        Some(QualificationValidity::Other(code)) => (
            Mismatched,
            Reason::ValidityUnknown {
                validity: code.clone(),
            },
            false,
        ),
        None => (Mismatched, Reason::ValidityMissing, false),
    };
    f.push(Field::QualificationValidity, status, reason);
    promises_records
}

/// Whether `record` carries the voucher's keys: insurer and number equal, 記号 and 枝番 equal
/// where both sides have them.
fn keys_match(voucher: &Voucher, record: &QualificationRecord) -> bool {
    let insurer = record.insurer_number.as_ref() == Some(voucher.insurer_number());
    let number = record.insured_identification_number.as_ref() == Some(voucher.card_number());
    let symbol = match (voucher.card_symbol(), record.insured_card_symbol.as_ref()) {
        (Some(v), Some(e)) => v == e,
        _ => true,
    };
    let branch = match (
        voucher.branch_number(),
        record.insured_branch_number.as_ref(),
    ) {
        (Some(v), Some(e)) => v == e,
        _ => true,
    };
    insurer && number && symbol && branch
}

/// Picks the record to compare. One record: that one. Several: the one matching the
/// voucher (warning), else the first (warning or mismatch).
fn select_record(
    f: &mut Findings,
    voucher: &Voucher,
    records: &[QualificationRecord],
    empty_is_failure: bool,
) -> Option<usize> {
    let count = records.len();
    match count {
        0 => {
            if empty_is_failure {
                f.push(
                    Field::ResultRecord,
                    FieldStatus::Mismatched,
                    Reason::NoResultRecord,
                );
            }
            None
        }
        1 => Some(0),
        _ => {
            let matching: Vec<usize> = records
                .iter()
                .enumerate()
                .filter(|(_, r)| keys_match(voucher, r))
                .map(|(i, _)| i)
                .collect();
            match matching.as_slice() {
                [] => {
                    f.push(
                        Field::ResultRecord,
                        FieldStatus::Mismatched,
                        Reason::NoRecordMatchesVoucher { count },
                    );
                    Some(0)
                }
                [only] => {
                    f.push(
                        Field::ResultRecord,
                        FieldStatus::Warning,
                        Reason::SeveralRecordsOneMatches { count },
                    );
                    Some(*only)
                }
                [first, ..] => {
                    f.push(
                        Field::ResultRecord,
                        FieldStatus::Warning,
                        Reason::SeveralRecordsAmbiguous {
                            count,
                            matching: matching.len(),
                        },
                    );
                    Some(*first)
                }
            }
        }
    }
}

/// A manual reading: the document stands for the qualification's validity; its fields are
/// compared like a record's.
fn check_reading(f: &mut Findings, voucher: &Voucher, reading: &QualificationReading, date: Date) {
    f.push(
        Field::QualificationValidity,
        FieldStatus::Matched,
        Reason::ShownOnDocument,
    );
    let record = QualificationRecord {
        insurer_number: Some(reading.insurer_number.clone()),
        insured_card_symbol: reading.card_symbol.clone(),
        insured_identification_number: Some(reading.card_number.clone()),
        insured_branch_number: reading.branch_number.clone(),
        name: reading.name.clone(),
        birthdate: reading.birth_date,
        qualification_date: reading.qualification_date,
        ..QualificationRecord::default()
    };
    compare_record(f, voucher, &record);
    match reading.qualification_date {
        Some(from) if from > date => f.push(
            Field::QualificationPeriod,
            FieldStatus::Mismatched,
            Reason::PeriodDoesNotCover {
                from: Some(from),
                until: None,
            },
        ),
        Some(_) => f.push(
            Field::QualificationPeriod,
            FieldStatus::Matched,
            Reason::PeriodCovers,
        ),
        None => f.push(
            Field::QualificationPeriod,
            FieldStatus::NotCompared,
            Reason::MissingInEvidence,
        ),
    }
}

fn compare_record(f: &mut Findings, voucher: &Voucher, record: &QualificationRecord) {
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
