//! How the demo speaks: each step as a line when it happens (Japanese label, English beside
//! it, the APDUs and the time it took), a spinner on a terminal while the slow set-up runs,
//! or one JSON document at the end with `--json`.

use std::io::IsTerminal as _;
use std::time::Duration;

use elig_client::session::Mode;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use super::CaseResult;
use super::timeline::Step;
use crate::commands::check_failure::cli_error;
use crate::commands::verdict_json::{outcome_code, verdict_document, verdict_lines};
use crate::output;

/// The demo's printer.
pub(super) struct Show {
    as_json: bool,
    spinner: Option<ProgressBar>,
    terminal: bool,
}

impl Show {
    pub(super) fn new(as_json: bool) -> Self {
        Self {
            as_json,
            spinner: None,
            terminal: !as_json && std::io::stdout().is_terminal(),
        }
    }

    /// A slow set-up phase: a spinner on a terminal, a plain line otherwise.
    pub(super) fn phase(&mut self, text: &str) {
        if self.as_json {
            return;
        }
        self.clear();
        if self.terminal {
            let bar = ProgressBar::new_spinner().with_message(text.to_owned());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(100));
            self.spinner = Some(bar);
        } else {
            output::line(format!("… {text}"));
        }
    }

    fn clear(&mut self) {
        if let Some(bar) = self.spinner.take() {
            bar.finish_and_clear();
        }
    }

    fn line(&mut self, text: impl std::fmt::Display) {
        if self.as_json {
            return;
        }
        self.clear();
        output::line(text);
    }

    pub(super) fn started(&mut self, url: &str, facility: &str) {
        self.line("elig demo — 特定健診・特定保健指導の受診資格確認 / checkup eligibility check");
        self.line(format!(
            "ゲートウェイ gateway: {url} (sandbox, test PKI, mutual TLS)   施設 facility: {facility}"
        ));
    }

    pub(super) fn case_header(&mut self, index: usize, ja: &str, en: &str) {
        self.line("");
        self.line(format!("[{}] {ja} / {en}", index.saturating_add(1)));
    }

    pub(super) fn step(&mut self, step: &Step) {
        let label = format!("{} {}", step.ja, step.en);
        self.line(format!(
            "    {label:<64} {:>2} APDU {:>8.1} ms",
            step.apdus,
            millis(step.took)
        ));
    }

    pub(super) fn case_end(&mut self, case: &CaseResult, tries_left_now: u8) {
        match &case.outcome.result {
            Ok(verdict) => {
                for line in verdict_lines(verdict) {
                    self.line(format!("    {line}"));
                }
            }
            Err(failure) => {
                let error = cli_error(failure);
                self.line(format!("    結果 result: エラー error ({})", error.kind));
                self.line(format!("    {} {}", error.message, error.next_step));
            }
        }
        self.line(format!(
            "    APDU合計 total APDUs: {}   時間 time: {:.1} ms   カードの残り回数 tries left on the card: {tries_left_now}",
            case.apdus, case.elapsed_ms
        ));
    }

    /// The end: a summary line, or the JSON document.
    pub(super) fn finish(&mut self, cases: &[CaseResult]) {
        self.clear();
        if self.as_json {
            output::json(&json!({
                "demo": "elig",
                "cases": cases.iter().map(case_json).collect::<Vec<_>>(),
            }));
            return;
        }
        self.line("");
        self.line(
            "次は next: elig verify --help（実カード real card）, elig sandbox serve（ゲートウェイ gateway）",
        );
    }
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// One case of the JSON document.
fn case_json(case: &CaseResult) -> Value {
    let steps: Vec<Value> = case
        .steps
        .iter()
        .map(|s| {
            json!({
                "step": s.name, "ja": s.ja, "en": s.en, "apdus": s.apdus,
                "ms": (millis(s.took) * 10.0).round() / 10.0,
            })
        })
        .collect();
    let mut doc = json!({
        "name": case.name,
        "title": { "ja": case.title_ja, "en": case.title_en },
        "mode": match case.mode { Mode::VisualConfirmation => "visual_confirmation", _ => "pin" },
        "apdus": case.apdus,
        "elapsed_ms": (case.elapsed_ms * 10.0).round() / 10.0,
        "tries_left": case.tries_left,
        "steps": steps,
    });
    let Some(map) = doc.as_object_mut() else {
        return doc;
    };
    match &case.outcome.result {
        Ok(verdict) => {
            map.insert("outcome".to_owned(), json!(outcome_code(verdict.outcome)));
            map.insert("verdict".to_owned(), verdict_document(verdict));
        }
        Err(failure) => {
            let error = cli_error(failure);
            map.insert("outcome".to_owned(), json!("error"));
            map.insert(
                "error".to_owned(),
                json!({ "kind": error.kind, "message": error.message }),
            );
            map.insert("next_step".to_owned(), json!(error.next_step));
        }
    }
    doc
}
