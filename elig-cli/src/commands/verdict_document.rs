//! The stable JSON of an explained verdict (issue 12, item 4), and its lines for a person.
//!
//! ```json
//! {"outcome":"eligible","purpose":"specific_health_checkup","checkup_date":"2026-04-01",
//!  "evidence":"online_pin","findings":[{"field":"insurer_number","result":"matched",
//!  "message":{"ja":"…","en":"…"}}],"next_step":"Proceed with the checkup.",
//!  "next_step_code":"proceed","next_step_ja":"受付を進めてください。"}
//! ```
//!
//! `outcome` is one of `eligible`, `not_eligible`, `needs_review` (and `error` for the error
//! document of `crate::output::error_document`). The messages carry no personal values; a
//! finding that is not a match also carries `voucher_value` / `evidence_value` when the
//! verdict compared values, because staff need them to act on it.

use serde_json::{Value, json};
use voucher_model::{FieldStatus, Finding, Outcome, Verdict};

use crate::exit::Exit;

/// The `outcome` word of a verdict.
pub(crate) fn outcome_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Eligible => "eligible",
        Outcome::NotEligible => "not_eligible",
        _ => "needs_review",
    }
}

/// The exit code of a verdict: 0 eligible, 1 not eligible, 3 needs staff review.
pub(crate) fn exit_of(verdict: &Verdict) -> Exit {
    match verdict.outcome {
        Outcome::Eligible => Exit::Success,
        Outcome::NotEligible => Exit::NotEligible,
        _ => Exit::NeedsReview,
    }
}

/// The snake_case code serde gives a voucher-model enum (`"insurer_number"`).
fn code<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A finding's Japanese line without values: `【一致】保険者番号：…`.
pub(crate) fn finding_ja(finding: &Finding) -> String {
    format!(
        "【{}】{}：{}",
        finding.status.label_ja(),
        finding.field.name_ja(),
        finding.reason.message_ja()
    )
}

/// One finding's JSON.
fn finding_json(finding: &Finding) -> Value {
    let mut doc = json!({
        "field": code(&finding.field),
        "result": code(&finding.status),
        "message": { "ja": finding_ja(finding), "en": finding.to_string() },
    });
    let compared = finding.voucher_value.is_some() || finding.evidence_value.is_some();
    if finding.status != FieldStatus::Matched
        && compared
        && let Some(map) = doc.as_object_mut()
    {
        map.insert("voucher_value".to_owned(), json!(finding.voucher_value));
        map.insert("evidence_value".to_owned(), json!(finding.evidence_value));
    }
    doc
}

/// The verdict's JSON document (the fields listed in the module docs).
pub(crate) fn verdict_json(verdict: &Verdict) -> Value {
    json!({
        "outcome": outcome_word(verdict.outcome),
        "purpose": code(&verdict.purpose.requested_use()),
        "checkup_date": verdict.checkup_date.to_string(),
        "evidence": code(&verdict.evidence.kind),
        "findings": verdict.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "next_step": verdict.next_step.message_en(),
        "next_step_code": code(&verdict.next_step),
        "next_step_ja": verdict.next_step.message_ja(),
    })
}

/// The verdict for a person at the desk: the outcome in Japanese and English, one line per
/// finding (with both sides' values where they differ), then the next step.
pub(crate) fn verdict_lines(verdict: &Verdict) -> Vec<String> {
    let mut lines = vec![format!(
        "判定 verdict: {} / {}",
        verdict.outcome.label_ja(),
        verdict.outcome.label_en()
    )];
    for finding in &verdict.findings {
        let mut line = format!(
            "  {} {} / {}",
            finding_ja(finding),
            finding.status.label_en(),
            finding.field.name_en()
        );
        if finding.status != FieldStatus::Matched
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
