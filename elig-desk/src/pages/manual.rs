//! Manual evidence (vouchers.md, "Evidence and its validity"): the Mynaportal 資格情報
//! screen, the card with 資格情報のお知らせ, or the 資格確認書; staff enter what they read and
//! elig-client's `manual_check` gives the verdict, recorded like any other check.

use core::fmt::Write as _;
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use elig_client::audit::AuditSink as _;
use elig_client::session::manual_check;
use serde_json::{Map, Value};
use voucher_model::{Date, Evidence, QualificationReading, StaffAttestation};

use super::check::{no_visitor, request_for};
use super::{action, html, problem, see_other};
use crate::app::App;
use crate::check::{CheckHandle, Finished, unix_now};
use crate::demo::lock;
use crate::html::{Lang, esc};
use crate::security::lang_of;
use crate::visitors::check_field;

const READING_FIELDS: [(&str, &str, &str); 7] = [
    ("insurer_number", "保険者番号", "Insurer number"),
    ("card_symbol", "記号", "Symbol"),
    ("card_number", "番号", "Number"),
    ("branch_number", "枝番", "Branch"),
    ("name", "氏名", "Name"),
    ("birth_date", "生年月日", "Date of birth"),
    ("qualification_date", "資格取得日", "Qualified since"),
];

/// `GET /visitors/{id}/manual`.
pub(crate) async fn show(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(visitor) = lock(&app.visitors).get(id) else {
        return problem(&app, lang, StatusCode::NOT_FOUND, no_visitor(lang));
    };
    let title = lang.t("書類で確認", "Check documents");
    let mut body = format!(
        "<h1>{}</h1><p class=\"who\">{} {} ／ {}</p>\
         <form method=\"post\" action=\"{}\" class=\"grid\" id=\"manual-form\">\
         <label>{}<select name=\"kind\" id=\"manual-kind\">\
         <option value=\"mynaportal\">{}</option>\
         <option value=\"myna_card_with_notice\">{}</option>\
         <option value=\"qualification_certificate\">{}</option></select></label>",
        esc(title),
        lang.t("受診者", "Visitor"),
        esc(&visitor.voucher.person().name),
        esc(visitor.voucher.number().as_str()),
        action(&app, &format!("/visitors/{id}/manual")),
        lang.t("見た書類", "Evidence shown"),
        lang.t(
            "マイナポータルの資格情報画面",
            "Mynaportal qualification screen"
        ),
        lang.t(
            "マイナ保険証＋資格情報のお知らせ",
            "My Number Card + qualification notice"
        ),
        lang.t("資格確認書", "Qualification certificate"),
    );
    for (name, ja, en) in READING_FIELDS {
        let _ = write!(
            body,
            "<label>{}<input type=\"text\" name=\"{name}\" id=\"manual-{name}\" data-validate=\"{name}\" autocomplete=\"off\">\
             <output id=\"manual-{name}-msg\" class=\"msg\"></output></label>",
            lang.t(ja, en)
        );
    }
    let _ = write!(
        body,
        "<label>{}<input type=\"text\" name=\"valid_until\" id=\"manual-valid_until\" data-validate=\"valid_until\" autocomplete=\"off\"></label>\
         <label class=\"confirm\"><input type=\"checkbox\" name=\"card_presented\" value=\"yes\" id=\"manual-card\"> {}</label>\
         <label>{}<input type=\"text\" name=\"staff_id\" id=\"manual-staff\" required maxlength=\"64\" autocomplete=\"off\"></label>\
         <button type=\"submit\" class=\"primary big\" id=\"manual-ok\">{}</button></form>",
        lang.t("有効期限（資格確認書）", "Valid until (certificate)"),
        lang.t(
            "マイナンバーカード（保険証利用登録済み）も提示された",
            "The My Number Card (registered for insurance) was also shown",
        ),
        lang.t("確認した職員の ID", "Staff ID"),
        lang.t("照合する", "Compare"),
    );
    html(&app, lang, title, &body)
}

/// `POST /visitors/{id}/manual`.
pub(crate) async fn submit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(visitor) = lock(&app.visitors).get(id) else {
        return problem(&app, lang, StatusCode::NOT_FOUND, no_visitor(lang));
    };
    let evidence = match evidence_of(&form, lang) {
        Ok(evidence) => evidence,
        Err(text) => return problem(&app, lang, StatusCode::BAD_REQUEST, &text),
    };
    let check_id = lock(&app.checks).next_id();
    let Some(request) = request_for(&app, &visitor, check_id) else {
        return problem(
            &app,
            lang,
            StatusCode::INTERNAL_SERVER_ERROR,
            no_visitor(lang),
        );
    };
    let outcome = manual_check(&request, &evidence);
    let receipt = lock(&app.audit).append(&outcome.record);
    let finished = Finished { outcome, receipt };
    let handle = Arc::new(CheckHandle::finished(check_id, visitor, finished));
    lock(&app.checks).keep(handle);
    see_other(&format!("/checks/{check_id}"))
}

fn field<'a>(form: &'a BTreeMap<String, String>, name: &str) -> Option<&'a str> {
    form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// The evidence staff entered, validated by voucher-model; the problem in the page's
/// language otherwise.
fn evidence_of(form: &BTreeMap<String, String>, lang: Lang) -> Result<Evidence, String> {
    for (name, _, _) in READING_FIELDS {
        if let Some(value) = field(form, name) {
            let problem = check_field(name, value, lang.is_ja());
            if !problem.is_empty() {
                return Err(problem);
            }
        }
    }
    let mut reading = Map::new();
    for (name, _, _) in READING_FIELDS {
        if let Some(value) = field(form, name) {
            reading.insert(name.to_owned(), Value::from(value));
        }
    }
    let reading: QualificationReading =
        serde_json::from_value(Value::Object(reading)).map_err(|e| {
            if lang.is_ja() {
                format!("読み取った内容に誤りがあります：{e}")
            } else {
                format!("What was read is not valid: {e}")
            }
        })?;
    let now = voucher_model::jst::date_time_from_unix_secs(unix_now()).map_err(|e| {
        if lang.is_ja() {
            e.message_ja().to_owned()
        } else {
            e.message_en()
        }
    })?;
    let attestation =
        StaffAttestation::new(field(form, "staff_id").unwrap_or(""), now).map_err(|e| {
            if lang.is_ja() {
                e.message_ja().to_owned()
            } else {
                e.message_en()
            }
        })?;
    match field(form, "kind") {
        Some("myna_card_with_notice") => Ok(Evidence::MynaCardWithNotice {
            card_presented: field(form, "card_presented") == Some("yes"),
            notice: Some(reading),
            attestation,
        }),
        Some("qualification_certificate") => {
            let valid_until = field(form, "valid_until")
                .map(Date::parse_any)
                .transpose()
                .ok()
                .flatten()
                .ok_or_else(|| {
                    lang.t(
                        "資格確認書の有効期限を入力してください。",
                        "Enter the certificate's expiry date.",
                    )
                    .to_owned()
                })?;
            Ok(Evidence::QualificationCertificate {
                reading,
                valid_until,
                attestation,
            })
        }
        _ => Ok(Evidence::Mynaportal {
            reading,
            attestation,
        }),
    }
}
