//! The day's records from the audit store, the hash-chain status, the CSV export. A record
//! holds no name, PIN or My Number (elig-client's audit module), so neither does this page.

use core::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use elig_client::audit::{AuditEntry, CheckOutcome};

use super::{html, problem};
use crate::app::{App, today};
use crate::demo::lock;
use crate::html::{Lang, esc, notice};
use crate::security::lang_of;

fn outcome_text(lang: Lang, outcome: CheckOutcome) -> String {
    match outcome {
        CheckOutcome::Verdict(o) => lang.t(o.label_ja(), o.label_en()).to_owned(),
        CheckOutcome::Error(kind) => {
            format!("{} ({})", lang.t("確認できず", "not checked"), kind.code())
        }
        _ => outcome.code().to_owned(),
    }
}

fn time_of(unix_secs: i64) -> String {
    voucher_model::jst::date_time_from_unix_secs(unix_secs)
        .map(|t| t.to_string())
        .unwrap_or_default()
}

fn unreadable(app: &App, lang: Lang) -> Response {
    problem(
        app,
        lang,
        StatusCode::INTERNAL_SERVER_ERROR,
        lang.t(
            "記録を読み出せませんでした。管理者に連絡してください。",
            "The records could not be read. Call the administrator.",
        ),
    )
}

/// `GET /records`.
pub(crate) async fn show(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let day = today();
    let (entries, chain) = {
        let store = lock(&app.audit);
        (store.entries_on(day), store.verify())
    };
    let Ok(entries) = entries else {
        return unreadable(&app, lang);
    };
    let title = lang.t("本日の記録", "Today's records");
    let mut body = format!("<h1>{} <small>{day}</small></h1>", esc(title));
    match chain {
        Ok(report) => {
            let _ = write!(
                body,
                "<p class=\"notice ok\" id=\"chain\" data-chain=\"ok\">{} {} {}</p>",
                lang.t(
                    "改ざん検知（ハッシュチェーン）：正常。全記録",
                    "Hash chain intact. All records:"
                ),
                report.rows,
                lang.t("件", ""),
            );
        }
        Err(_) => body.push_str(&format!(
            "<div id=\"chain\" data-chain=\"broken\">{}</div>",
            notice(
                "error",
                lang.t(
                    "改ざん検知（ハッシュチェーン）：記録が書き換えられた可能性があります。管理者に連絡してください。",
                    "Hash chain BROKEN: records may have been altered. Call the administrator.",
                ),
            )
        )),
    }
    let _ = write!(
        body,
        "<p><a class=\"button\" href=\"/records.csv\" id=\"export-csv\" download>{}</a></p>",
        lang.t("CSV で書き出す", "Export CSV")
    );
    let _ = write!(
        body,
        "<table id=\"records\"><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("時刻", "Time"),
        lang.t("整理番号", "Voucher no."),
        lang.t("保険者番号", "Insurer"),
        lang.t("確認方法", "Evidence"),
        lang.t("結果", "Outcome"),
    );
    for e in &entries {
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e.seq,
            esc(&time_of(e.unix_secs)),
            esc(e.voucher_number.as_str()),
            esc(e.insurer_number.as_str()),
            esc(lang.t(e.evidence.name_ja(), e.evidence.name_en())),
            esc(&outcome_text(lang, e.outcome)),
        );
    }
    body.push_str("</tbody></table>");
    html(&app, lang, title, &body)
}

/// One CSV field, quoted when needed (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The CSV columns of the export.
const CSV_HEADER: &str = "seq,time_jst,facility,purpose,evidence,voucher_number,insurer_number,outcome,error_kind,qualification_validity,processing_result_code,error_code,digest";

/// The value's serde name (`specific_health_checkup`, `online_pin`: the audit export's).
fn serde_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn csv_row(e: &AuditEntry) -> String {
    let codes = &e.codes;
    [
        e.seq.to_string(),
        time_of(e.unix_secs),
        e.facility.as_str().to_owned(),
        serde_name(&e.purpose),
        serde_name(&e.evidence),
        e.voucher_number.as_str().to_owned(),
        e.insurer_number.as_str().to_owned(),
        e.outcome.code().to_owned(),
        e.outcome.error_code().unwrap_or("").to_owned(),
        codes
            .qualification_validity
            .as_ref()
            .map(|v| v.code().to_owned())
            .unwrap_or_default(),
        codes.processing_result_code.clone().unwrap_or_default(),
        codes.error_code.clone().unwrap_or_default(),
        e.digest.to_hex(),
    ]
    .iter()
    .map(|f| csv_field(f))
    .collect::<Vec<_>>()
    .join(",")
}

/// `GET /records.csv`: today's records.
pub(crate) async fn csv(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let day = today();
    let Ok(entries) = lock(&app.audit).entries_on(day) else {
        return unreadable(&app, lang);
    };
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for e in &entries {
        out.push_str(&csv_row(e));
        out.push_str("\r\n");
    }
    let disposition = format!(
        "attachment; filename=\"elig-records-{}.csv\"",
        day.to_yyyymmdd()
    );
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_with_separators_are_quoted() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
