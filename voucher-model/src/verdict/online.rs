//! The online check's result: status fields, validity, choosing the record to compare.

use super::Reason;
use super::compare::{compare_record, flag_check_digit};
use super::findings::Findings;
use super::{Field, FieldStatus};
use crate::codes::{
    ProcessingResultStatus, QualificationValidity, ReferenceClassification, SegmentOfResult,
};
use crate::date::Date;
use crate::evidence::OnlineCheck;
use crate::ids::IdKind;
use crate::record::{QualificationRecord, QualificationResponse};
use crate::voucher::Voucher;

/// Checks the response's status fields, selects the record to compare and compares it.
/// Returns the index of the compared record.
pub(super) fn check_online(
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
    if let Some(code) = &r.medical_institution_code {
        flag_check_digit(f, IdKind::MedicalInstitutionCode, code.check_digit_ok());
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
