//! The stable JSON document of a verdict (issue 12, item 4): what `elig voucher verify --json`
//! prints, and `elig verify --json` prints the same shape.
//!
//! One document, one line. Field names are a public contract: fields may be added, none
//! renamed or removed. The shape is this project's own design.
//!
//! | field | type | content |
//! |---|---|---|
//! | `outcome` | string | `eligible`, `not_eligible`, `needs_review` or `error` |
//! | `outcome_label` | object | `ja`, `en`: the outcome for a person (verdicts only) |
//! | `purpose` | string | `specific_health_checkup`, `specific_health_guidance` or `ningen_dock_insurer_confirmation` |
//! | `checkup_date` | string | `YYYY-MM-DD` |
//! | `evidence` | string | the evidence kind, e.g. `online_existing_terminal`, `mynaportal` |
//! | `record_index` | number or null | which `ResultOfQualificationConfirmation` was compared |
//! | `findings` | array | every step and field, in the order checked (below) |
//! | `next_step` | string | what to do next, one English sentence |
//! | `next_step_ja` | string | the same in Japanese (verdicts only) |
//! | `next_step_code` | string | the same as a code, e.g. `proceed`, `contact_insurer` (verdicts only) |
//! | `error` | object | errors only: `kind` (stable, snake_case) and `message` (one sentence) |
//!
//! An error document (a check that ended without a verdict, or a usage error) has only
//! `outcome` (`error`), `error` and `next_step`: it is `output::error_document`, so every
//! command's errors have the same shape.
//!
//! Each finding:
//!
//! | field | type | content |
//! |---|---|---|
//! | `field` | string | what was checked, e.g. `insurer_number`, `voucher_expiry`, `name` |
//! | `result` | string | `matched`, `mismatched`, `warning` or `not_compared` |
//! | `reason` | string | why, e.g. `equal`, `different`, `voucher_expired` |
//! | `message` | object | `ja`, `en`: the field and the reason in words, without values |
//! | `voucher_value` | string or null | the voucher's side, only when `result` is `mismatched` or `warning` |
//! | `evidence_value` | string or null | the evidence's side, only when `result` is `mismatched` or `warning` |
//!
//! Personal values (a name, a birth date, card numbers) appear only where the verdict needs
//! a person to compare them: in a finding that did not match.

use serde_json::{Value, json};
use voucher_model::{FieldStatus, Finding, Outcome, Verdict};

use crate::exit::Exit;

/// The `outcome` text of a verdict's outcome.
pub(crate) fn outcome_code(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Eligible => "eligible",
        Outcome::NotEligible => "not_eligible",
        Outcome::NeedsStaffReview => "needs_review",
    }
}

/// The exit code of a verdict: 0 eligible, 1 not eligible, 3 needs staff review.
pub(crate) fn exit_of(outcome: Outcome) -> Exit {
    match outcome {
        Outcome::Eligible => Exit::Success,
        Outcome::NotEligible => Exit::NotEligible,
        Outcome::NeedsStaffReview => Exit::NeedsReview,
    }
}

/// The document of a verdict (module docs for every field).
pub(crate) fn verdict_document(verdict: &Verdict) -> Value {
    json!({
        "outcome": outcome_code(verdict.outcome),
        "outcome_label": {
            "ja": verdict.outcome.label_ja(),
            "en": verdict.outcome.label_en(),
        },
        "purpose": serde_json::to_value(verdict.purpose).unwrap_or(Value::Null),
        "checkup_date": verdict.checkup_date.to_iso(),
        "evidence": serde_json::to_value(verdict.evidence.kind).unwrap_or(Value::Null),
        "record_index": verdict.record_index,
        "findings": verdict.findings.iter().map(finding_document).collect::<Vec<_>>(),
        "next_step": verdict.next_step.message_en(),
        "next_step_ja": verdict.next_step.message_ja(),
        "next_step_code": serde_json::to_value(verdict.next_step).unwrap_or(Value::Null),
    })
}

/// Whether a finding shows both sides' values: only when a person must compare them (a
/// mismatch or a warning), never for a match or a field that was not compared.
fn needs_values(status: FieldStatus) -> bool {
    matches!(status, FieldStatus::Mismatched | FieldStatus::Warning)
}

/// One finding (module docs).
fn finding_document(finding: &Finding) -> Value {
    let show_values = needs_values(finding.status);
    let reason = serde_json::to_value(&finding.reason)
        .ok()
        .and_then(|v| v.get("reason").cloned())
        .unwrap_or(Value::Null);
    json!({
        "field": serde_json::to_value(finding.field).unwrap_or(Value::Null),
        "result": serde_json::to_value(finding.status).unwrap_or(Value::Null),
        "reason": reason,
        "message": {
            "ja": format!("{}：{}", finding.field.name_ja(), finding.reason.message_ja()),
            "en": format!("{}: {}", finding.field.name_en(), finding.reason.message_en()),
        },
        "voucher_value": if show_values { finding.voucher_value.clone() } else { None },
        "evidence_value": if show_values { finding.evidence_value.clone() } else { None },
    })
}

/// The verdict as text for a reception desk: the outcome, each finding (status, field,
/// reason; both sides' values for a mismatch or a warning), the next step. Japanese first,
/// English beside it.
pub(crate) fn verdict_lines(verdict: &Verdict) -> Vec<String> {
    let mut lines = vec![format!(
        "判定 verdict: {} / {}（{} {}、受診日 checkup date {}）",
        verdict.outcome.label_ja(),
        verdict.outcome.label_en(),
        verdict.purpose.name_ja(),
        verdict.evidence.kind.name_ja(),
        verdict.checkup_date
    )];
    for finding in &verdict.findings {
        let mut line = format!(
            "  [{} {}] {} {}: {} / {}",
            finding.status.label_ja(),
            finding.status.label_en(),
            finding.field.name_ja(),
            finding.field.name_en(),
            finding.reason.message_ja(),
            finding.reason.message_en()
        );
        if needs_values(finding.status)
            && (finding.voucher_value.is_some() || finding.evidence_value.is_some())
        {
            line.push_str(&format!(
                "（券 voucher: {} ／ 資格情報 evidence: {}）",
                finding.voucher_value.as_deref().unwrap_or("-"),
                finding.evidence_value.as_deref().unwrap_or("-")
            ));
        }
        lines.push(line);
    }
    lines.push(format!(
        "次の対応 next step: {} / {}",
        verdict.next_step.message_ja(),
        verdict.next_step.message_en()
    ));
    lines
}
