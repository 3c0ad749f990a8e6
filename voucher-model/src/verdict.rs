//! The explained verdict: is the visitor holding this voucher a member of the insurer that
//! issued it, on the checkup date, on this evidence?
//!
//! Rules (vouchers.md, "Matching a voucher against a qualification result"):
//! - 保険者番号 and 記号/番号 must match after normalization; 枝番 when both sides have it;
//! - a name or birth-date difference is a warning for staff, not a denial;
//! - the qualification must be valid on the checkup date (QualificationValidity 1 and the
//!   date inside [QualificationDate, DisqualificationDate));
//! - the voucher must not be expired; the evidence must be acceptable on that date.
//!
//! An inbound identifier with a bad check digit (read leniently) is a warning (vouchers.md,
//! "Identifiers"), so such a verdict is at best `NeedsStaffReview`.
//!
//! Our own design: how several results (複数該当) are handled, that a result for another
//! date, a lookup keyed on card numbers, or a staff attestation made on another day is a
//! warning, and the defensive rule that a verdict is
//! `Eligible` only when every required finding is `Matched` — a missing or failed step can
//! never become eligible.

mod compare;
mod findings;
mod online;
mod reason;
mod rules;

use core::fmt;

use serde::{Deserialize, Serialize};

pub use reason::Reason;

pub use crate::next_step::NextStep;

use crate::date::{Date, DateTime};
use crate::evidence::{Evidence, EvidenceKind, OnlineChannel, StaffAttestation};
use crate::purpose::Purpose;
use crate::voucher::Voucher;

/// The decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every required check matched and nothing needs a human look.
    Eligible,
    /// A required check failed: eligibility is not confirmed on this evidence.
    NotEligible,
    /// Nothing failed, but something (a warning, or a step that could not be done) needs a
    /// staff member's judgement.
    NeedsStaffReview,
}

impl Outcome {
    /// Japanese label for reception staff.
    pub fn label_ja(self) -> &'static str {
        match self {
            Outcome::Eligible => "資格を確認できました",
            Outcome::NotEligible => "資格を確認できません",
            Outcome::NeedsStaffReview => "職員の確認が必要です",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Outcome::Eligible => "eligible",
            Outcome::NotEligible => "not eligible",
            Outcome::NeedsStaffReview => "needs staff review",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_en())
    }
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Field {
    /// The voucher kind against the purpose.
    Purpose,
    /// The voucher's 有効期限.
    VoucherExpiry,
    /// The voucher's 交付日.
    VoucherIssueDate,
    /// Whether the evidence is acceptable on the checkup date.
    Evidence,
    /// The date of the staff attestation against the checkup date.
    AttestationDate,
    /// The date the online check was for.
    ConfirmationDate,
    /// `SegmentOfResult`.
    SegmentOfResult,
    /// `ProcessingResultStatus`.
    ProcessingResultStatus,
    /// `QualificationValidity`.
    QualificationValidity,
    /// `ReferenceClassification`.
    ReferenceClassification,
    /// Which result was compared.
    ResultRecord,
    /// 保険者番号.
    InsurerNumber,
    /// 記号.
    CardSymbol,
    /// 番号.
    CardNumber,
    /// 枝番.
    BranchNumber,
    /// [資格取得日, 資格喪失日) against the checkup date.
    QualificationPeriod,
    /// 氏名.
    Name,
    /// 氏名カナ.
    NameKana,
    /// 生年月日.
    BirthDate,
    /// The check digit of an identifier received from the evidence.
    CheckDigit,
}

impl Field {
    /// Japanese name.
    pub fn name_ja(self) -> &'static str {
        match self {
            Field::Purpose => "券の種類",
            Field::VoucherExpiry => "券の有効期限",
            Field::VoucherIssueDate => "券の交付日",
            Field::Evidence => "確認方法",
            Field::AttestationDate => "職員確認日",
            Field::ConfirmationDate => "照会日",
            Field::SegmentOfResult => "処理結果区分",
            Field::ProcessingResultStatus => "処理結果状況",
            Field::QualificationValidity => "資格有効性",
            Field::ReferenceClassification => "照会区分",
            Field::ResultRecord => "資格情報",
            Field::InsurerNumber => "保険者番号",
            Field::CardSymbol => "記号",
            Field::CardNumber => "番号",
            Field::BranchNumber => "枝番",
            Field::QualificationPeriod => "資格期間",
            Field::Name => "氏名",
            Field::NameKana => "氏名カナ",
            Field::BirthDate => "生年月日",
            Field::CheckDigit => "検証番号",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Field::Purpose => "voucher kind",
            Field::VoucherExpiry => "voucher expiry",
            Field::VoucherIssueDate => "voucher issue date",
            Field::Evidence => "evidence",
            Field::AttestationDate => "attestation date",
            Field::ConfirmationDate => "confirmation date",
            Field::SegmentOfResult => "SegmentOfResult",
            Field::ProcessingResultStatus => "ProcessingResultStatus",
            Field::QualificationValidity => "QualificationValidity",
            Field::ReferenceClassification => "ReferenceClassification",
            Field::ResultRecord => "result record",
            Field::InsurerNumber => "insurer number",
            Field::CardSymbol => "card symbol",
            Field::CardNumber => "card number",
            Field::BranchNumber => "branch number",
            Field::QualificationPeriod => "qualification period",
            Field::Name => "name",
            Field::NameKana => "name (kana)",
            Field::BirthDate => "birth date",
            Field::CheckDigit => "check digit",
        }
    }
}

/// How one field or step came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldStatus {
    /// Matched, or the requirement is met.
    Matched,
    /// Does not match, or the requirement is not met: blocks eligibility.
    Mismatched,
    /// A difference or doubt staff must look at.
    Warning,
    /// Not compared (absent on one or both sides, where that is allowed).
    NotCompared,
}

impl FieldStatus {
    /// Japanese label.
    pub fn label_ja(self) -> &'static str {
        match self {
            FieldStatus::Matched => "一致",
            FieldStatus::Mismatched => "不一致",
            FieldStatus::Warning => "要確認",
            FieldStatus::NotCompared => "照合なし",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            FieldStatus::Matched => "matched",
            FieldStatus::Mismatched => "mismatched",
            FieldStatus::Warning => "warning",
            FieldStatus::NotCompared => "not compared",
        }
    }
}

/// One line of the explanation.
///
/// `voucher_value` and `evidence_value` are display texts of the two sides and may carry
/// personal data (names, birth dates): `Debug` and `Display` redact them; a screen shows
/// them through [`Finding::with_values`] or the fields.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Finding {
    /// What.
    pub field: Field,
    /// How it came out.
    pub status: FieldStatus,
    /// Why.
    pub reason: Reason,
    /// The voucher's side, for display.
    pub voucher_value: Option<String>,
    /// The evidence's side, for display.
    pub evidence_value: Option<String>,
}

impl Finding {
    /// One line for reception staff, in Japanese.
    pub fn message_ja(&self) -> String {
        let mut s = format!(
            "【{}】{}：{}",
            self.status.label_ja(),
            self.field.name_ja(),
            self.reason.message_ja()
        );
        if self.voucher_value.is_some() || self.evidence_value.is_some() {
            s.push_str(&format!(
                "（券：{} ／ 資格情報：{}）",
                self.voucher_value.as_deref().unwrap_or("なし"),
                self.evidence_value.as_deref().unwrap_or("なし")
            ));
        }
        s
    }

    /// One line for developers, in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

impl Finding {
    fn write_line(&self, f: &mut fmt::Formatter<'_>, reveal: bool) -> fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.status.label_en(),
            self.field.name_en(),
            self.reason.message_en()
        )?;
        if self.voucher_value.is_some() || self.evidence_value.is_some() {
            fn side(v: &Option<String>, reveal: bool) -> &str {
                match v {
                    None => "-",
                    Some(_) if !reveal => crate::personal::REDACTED,
                    Some(v) => v.as_str(),
                }
            }
            if reveal {
                write!(
                    f,
                    " (voucher: {:?}, evidence: {:?})",
                    side(&self.voucher_value, reveal),
                    side(&self.evidence_value, reveal)
                )?;
            } else {
                write!(
                    f,
                    " (voucher: {}, evidence: {})",
                    side(&self.voucher_value, reveal),
                    side(&self.evidence_value, reveal)
                )?;
            }
        }
        Ok(())
    }

    /// The line of `Display` with both sides' values, for a screen meant to show them
    /// (`Display` itself redacts them).
    pub fn with_values(&self) -> impl fmt::Display + '_ {
        struct WithValues<'a>(&'a Finding);
        impl fmt::Display for WithValues<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.write_line(f, true)
            }
        }
        WithValues(self)
    }
}

/// Redacts both sides' values (see [`Finding::with_values`]).
impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_line(f, false)
    }
}

/// Redacts both sides' values.
impl fmt::Debug for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Finding")
            .field("field", &self.field)
            .field("status", &self.status)
            .field("reason", &self.reason)
            .field("voucher_value", &crate::personal::opt(&self.voucher_value))
            .field(
                "evidence_value",
                &crate::personal::opt(&self.evidence_value),
            )
            .finish()
    }
}

/// What the verdict rests on (without the qualification data itself).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EvidenceBasis {
    /// The kind of evidence.
    pub kind: EvidenceKind,
    /// The online system, for an online check.
    pub channel: Option<OnlineChannel>,
    /// The staff attestation, when there is one.
    pub attestation: Option<StaffAttestation>,
    /// `ProcessExecutionTime` of an online result.
    pub process_execution_time: Option<DateTime>,
    /// The evidence's own validity end (資格確認書, old card).
    pub valid_until: Option<Date>,
}

/// The explained verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The decision.
    pub outcome: Outcome,
    /// What to do next.
    pub next_step: NextStep,
    /// The purpose checked for.
    pub purpose: Purpose,
    /// The checkup date checked for.
    pub checkup_date: Date,
    /// What the verdict rests on.
    pub evidence: EvidenceBasis,
    /// Index of the `ResultOfQualificationConfirmation` compared, for an online check.
    pub record_index: Option<usize>,
    /// Every step and field, in the order checked.
    pub findings: Vec<Finding>,
}

impl Verdict {
    /// Whether the outcome is [`Outcome::Eligible`].
    pub fn is_eligible(&self) -> bool {
        self.outcome == Outcome::Eligible
    }

    /// The findings with the given status.
    pub fn findings_with(&self, status: FieldStatus) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.status == status)
    }

    /// The finding about `field`, if there is one (the first, if several).
    pub fn finding(&self, field: Field) -> Option<&Finding> {
        self.findings.iter().find(|f| f.field == field)
    }

    /// A summary for reception staff, in Japanese: the outcome, every finding that is not
    /// a plain match, and the next step.
    pub fn summary_ja(&self) -> String {
        let mut lines = vec![format!(
            "{}（{}、{}、受診日 {}）",
            self.outcome.label_ja(),
            self.purpose.name_ja(),
            self.evidence.kind.name_ja(),
            self.checkup_date
        )];
        lines.extend(
            self.findings
                .iter()
                .filter(|f| f.status != FieldStatus::Matched)
                .map(Finding::message_ja),
        );
        lines.push(self.next_step.message_ja().to_owned());
        lines.join("\n")
    }

    /// A summary for developers, in English (the same as `Display`).
    pub fn summary_en(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {}, checkup date {}); next step: {}",
            self.outcome,
            self.purpose,
            self.evidence.kind,
            self.checkup_date,
            self.next_step.message_en()
        )?;
        for finding in &self.findings {
            write!(f, "\n  {finding}")?;
        }
        Ok(())
    }
}

/// Decides whether the holder of `voucher` is eligible on `checkup_date` for `purpose`, on
/// `evidence`, and explains why.
///
/// Never returns [`Outcome::Eligible`] unless the purpose fits the voucher, the voucher is
/// unexpired, the evidence is acceptable on that date, the qualification is valid on that
/// date, and the insurer number and card number match (see the module docs).
pub fn verify(
    voucher: &Voucher,
    evidence: &Evidence,
    checkup_date: Date,
    purpose: Purpose,
) -> Verdict {
    rules::evaluate(voucher, evidence, checkup_date, purpose)
}
