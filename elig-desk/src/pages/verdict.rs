//! The verdict screen: the outcome in colour and in words, the voucher and the
//! qualification side by side per field with what matched (voucher-model's findings), the
//! next step; or, without a verdict, what failed and what to do. Also the print view.

use core::fmt::Write as _;

use elig_client::session::{CardLink, CheckFailure, Mode};
use voucher_model::{FieldStatus, NextStep, Outcome, Verdict};

use super::action;
use crate::app::App;
use crate::check::{CheckHandle, Finished};
use crate::html::{Lang, esc, notice};

/// The verdict (or failure) of a finished check.
pub(crate) fn render(
    app: &App,
    lang: Lang,
    check: &CheckHandle,
    finished: &Finished,
    print: bool,
) -> String {
    let mut out = String::new();
    let voucher = &check.visitor.voucher;
    let next_step = finished.outcome.next_step();
    match &finished.outcome.result {
        Ok(verdict) => {
            let (class, mark) = match verdict.outcome {
                Outcome::Eligible => ("eligible", "✔"),
                Outcome::NotEligible => ("not-eligible", "✖"),
                Outcome::NeedsStaffReview => ("review", "！"),
            };
            let label = if lang.is_ja() {
                verdict.outcome.label_ja()
            } else {
                verdict.outcome.label_en()
            };
            let _ = write!(
                out,
                "<section class=\"verdict {class}\" id=\"verdict\" data-outcome=\"{class}\">\
                 <h1><span aria-hidden=\"true\">{mark}</span> <span id=\"outcome\">{}</span></h1>\
                 <p>{}</p></section>",
                esc(label),
                esc(&basis(lang, verdict)),
            );
        }
        Err(failure) => {
            let _ = write!(
                out,
                "<section class=\"verdict failed\" id=\"verdict\" data-outcome=\"failed\">\
                 <h1><span aria-hidden=\"true\">✖</span> <span id=\"outcome\">{}</span></h1>\
                 <p id=\"failure\">{}</p></section>",
                lang.t("確認できませんでした", "Not checked"),
                esc(&failure_text(lang, failure)),
            );
        }
    }
    let _ = write!(
        out,
        "<p class=\"next-step\" id=\"next-step\"><strong>{}</strong> {}</p>",
        lang.t("次の対応：", "Next step:"),
        esc(next_text(lang, next_step))
    );
    match &finished.receipt {
        Ok(receipt) => {
            let _ = write!(
                out,
                "<p class=\"recorded\" id=\"recorded\">{} #{}</p>",
                lang.t("記録しました", "Recorded as"),
                receipt.seq()
            );
        }
        Err(_) => out.push_str(&notice(
            "error",
            lang.t(
                "この結果は記録できませんでした（記録用データベースの異常）。結果として扱わず、管理者に連絡してください。",
                "This result was NOT recorded (audit store failure). Do not rely on it; call the administrator.",
            ),
        )),
    }
    let _ = write!(
        out,
        "<h2>{}</h2><table class=\"side-by-side\" id=\"findings\"><thead><tr><th>{}</th>\
         <th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t(
            "券と資格情報の照合",
            "Voucher and qualification, field by field"
        ),
        lang.t("項目", "Field"),
        lang.t("受診券・利用券", "Voucher"),
        lang.t("資格情報", "Qualification"),
        lang.t("結果", "Result"),
    );
    match &finished.outcome.result {
        Ok(verdict) => findings(&mut out, lang, verdict),
        Err(_) => {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>—</td><td class=\"status-not-compared\">{}</td></tr>\
                 <tr><td>{}</td><td>{}</td><td>—</td><td class=\"status-not-compared\">{}</td></tr>",
                lang.t("保険者番号", "Insurer number"),
                esc(voucher.insurer_number().as_str()),
                lang.t("照合なし", "not compared"),
                lang.t("番号", "Card number"),
                esc(voucher.card_number().as_str()),
                lang.t("照合なし", "not compared"),
            );
        }
    }
    out.push_str("</tbody></table>");
    if !print {
        out.push_str(&actions(app, lang, check, finished));
    }
    out
}

fn basis(lang: Lang, verdict: &Verdict) -> String {
    if lang.is_ja() {
        format!(
            "{}・{}・受診日 {}",
            verdict.purpose.name_ja(),
            verdict.evidence.kind.name_ja(),
            verdict.checkup_date
        )
    } else {
        format!(
            "{}, {}, checkup date {}",
            verdict.purpose.name_en(),
            verdict.evidence.kind.name_en(),
            verdict.checkup_date
        )
    }
}

fn findings(out: &mut String, lang: Lang, verdict: &Verdict) {
    // The fields compared side by side first, then the checks of the voucher, the evidence
    // and the answer (in voucher-model's order within each group).
    let (compared, checks): (Vec<_>, Vec<_>) = verdict
        .findings
        .iter()
        .partition(|f| f.voucher_value.is_some() || f.evidence_value.is_some());
    for f in compared.into_iter().chain(checks) {
        let (class, label) = match f.status {
            FieldStatus::Matched => ("status-matched", f.status),
            FieldStatus::Mismatched => ("status-mismatched", f.status),
            FieldStatus::Warning => ("status-warning", f.status),
            _ => ("status-not-compared", f.status),
        };
        let (field, status, reason) = if lang.is_ja() {
            (f.field.name_ja(), label.label_ja(), f.reason.message_ja())
        } else {
            (f.field.name_en(), label.label_en(), f.reason.message_en())
        };
        let _ = write!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">\
             <strong>{}</strong><br><small>{}</small></td></tr>",
            esc(field),
            esc(f.voucher_value.as_deref().unwrap_or("—")),
            esc(f.evidence_value.as_deref().unwrap_or("—")),
            esc(status),
            esc(&reason),
        );
    }
}

fn actions(app: &App, lang: Lang, check: &CheckHandle, finished: &Finished) -> String {
    let visitor = check.visitor.id;
    let mut out = format!(
        "<nav class=\"row actions\"><a class=\"button\" href=\"/checks/{}/print\" id=\"print\">{}</a>\
         <a class=\"button\" href=\"/\" id=\"back\">{}</a>",
        check.id,
        lang.t("印刷用の表示", "Print view"),
        lang.t("受付一覧に戻る", "Back to the list"),
    );
    if finished.outcome.result.is_err() || !finished.outcome.is_eligible() {
        let mode = match check.mode {
            Some(Mode::VisualConfirmation) => "visual",
            _ => "pin",
        };
        let _ = write!(
            out,
            "<form method=\"post\" action=\"{}\" class=\"inline\">\
             <input type=\"hidden\" name=\"visitor\" value=\"{visitor}\">\
             <button type=\"submit\" name=\"mode\" value=\"{mode}\" class=\"primary\" id=\"retry\">{}</button>\
             <button type=\"submit\" name=\"mode\" value=\"visual\" id=\"retry-visual\">{}</button></form>\
             <a class=\"button\" href=\"/visitors/{visitor}/manual\" id=\"to-manual\">{}</a>",
            action(app, "/checks"),
            lang.t("もう一度確認する", "Check again"),
            lang.t("目視確認で確認する", "Visual check instead"),
            lang.t("書類で確認する", "Check documents instead"),
        );
    }
    out.push_str("</nav>");
    out
}

/// The next step in the page's language.
pub(crate) fn next_text(lang: Lang, step: NextStep) -> &'static str {
    if lang.is_ja() {
        step.message_ja()
    } else {
        step.message_en()
    }
}

/// What failed, for reception staff (no personal data; never "eligible").
pub(crate) fn failure_text(lang: Lang, failure: &CheckFailure) -> String {
    let text = match failure {
        CheckFailure::CardLink(CardLink::Reader) => lang.t(
            "カードリーダーを使えません。リーダーの接続と設定を確認してください。",
            "The card reader cannot be used. Check its connection and settings.",
        ),
        CheckFailure::CardLink(_) => lang.t(
            "カードが読み取れませんでした（外れたか、置かれていません）。カードをリーダーに置き直して、もう一度確認してください。",
            "The card could not be read (it was taken off or is not on the reader). Put it back and check again.",
        ),
        CheckFailure::Card { .. } => lang.t(
            "カードが正しく応答しませんでした。マイナンバーカードであることを確かめ、置き直してください。",
            "The card did not answer properly. Make sure it is a My Number Card and put it on again.",
        ),
        CheckFailure::WrongPin {
            tries_left: Some(0),
        }
        | CheckFailure::PinBlocked => lang.t(
            "暗証番号がロックされています。ロックの解除（暗証番号の再設定）は、お住まいの市区町村の窓口でできます。今日は目視確認か書類で確認してください。",
            "The PIN is locked. It can be reset at the cardholder's municipal office. Today, use the visual check or documents.",
        ),
        CheckFailure::WrongPin {
            tries_left: Some(n),
        } => {
            return if lang.is_ja() {
                format!("暗証番号が違います。残り {n} 回です。")
            } else {
                format!("Wrong PIN. {n} tries left.")
            };
        }
        CheckFailure::WrongPin { tries_left: None } => {
            lang.t("暗証番号が違います。", "Wrong PIN.")
        }
        CheckFailure::LastTryNotConsented => lang.t(
            "最後の1回は使いませんでした。目視確認か書類で確認してください。",
            "The last try was not used. Use the visual check or documents.",
        ),
        CheckFailure::Cancelled => lang.t("確認を中止しました。", "The check was cancelled."),
        CheckFailure::OperatorTimeout => lang.t(
            "入力がなかったため確認を終了しました。",
            "Nothing was entered in time; the check ended.",
        ),
        CheckFailure::GatewayRejected { reason } => {
            return if lang.is_ja() {
                format!(
                    "確認サーバーが照会を受け付けませんでした（{}）。",
                    reason.as_str()
                )
            } else {
                format!("The gateway refused the inquiry ({}).", reason.as_str())
            };
        }
        CheckFailure::GatewayTransport(_)
        | CheckFailure::GatewayTimeout { .. }
        | CheckFailure::GatewayAnswer { .. } => lang.t(
            "確認サーバーにつながりませんでした。ネットワークを確認して、もう一度確認してください。",
            "The gateway could not be reached. Check the network and try again.",
        ),
        _ => lang.t(
            "確認できませんでした。もう一度確認するか、別の方法で確認してください。",
            "The check did not complete. Try again or use other evidence.",
        ),
    };
    text.to_owned()
}
