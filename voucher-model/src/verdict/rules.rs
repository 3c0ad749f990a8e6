//! The rules behind [`super::verify`].

use super::compare::compare_record;
use super::findings::Findings;
use super::online::check_online;
use super::{EvidenceBasis, Field, FieldStatus, Finding, Outcome, Reason, Verdict};
use crate::date::Date;
use crate::evidence::{Evidence, OLD_CARD_LAST_DAY, OnlineMode, QualificationReading};
use crate::next_step::NextStep;
use crate::purpose::Purpose;
use crate::record::QualificationRecord;
use crate::voucher::Voucher;

pub(super) fn evaluate(
    voucher: &Voucher,
    evidence: &Evidence,
    checkup_date: Date,
    purpose: Purpose,
) -> Verdict {
    let mut f = Findings::new();
    check_purpose(&mut f, voucher, purpose);
    check_voucher_dates(&mut f, voucher, checkup_date);
    check_evidence(&mut f, evidence, checkup_date);
    check_attestation_date(&mut f, evidence, checkup_date);

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
    let findings = f.into_vec();
    let (outcome, next_step) = decide(&findings, required);
    Verdict {
        outcome,
        next_step,
        purpose,
        checkup_date,
        evidence: basis(evidence),
        record_index,
        findings,
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
            (false, Some(_)) => (Mismatched, Reason::NoticeWithoutCard),
            (false, None) => (Mismatched, Reason::NeitherCardNorNotice),
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

/// An attestation made on another day than the checkup is a warning: the evidence was seen
/// then, not on the checkup date (our own rule).
fn check_attestation_date(f: &mut Findings, evidence: &Evidence, date: Date) {
    if let Some(attestation) = evidence.attestation() {
        let attested_on = attestation.attested_at().date();
        if attested_on != date {
            f.push(
                Field::AttestationDate,
                FieldStatus::Warning,
                Reason::AttestedOnAnotherDay { attested_on },
            );
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
