//! The day's list: visitors with their vouchers, typed entry with validation as you type,
//! file import, the demo's reader buttons, the language switch.

use core::fmt::Write as _;
use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{action, html, problem, see_other};
use crate::app::{App, today};
use crate::demo::{DEMO_PIN, lock};
use crate::html::{Lang, esc, notice};
use crate::security::{LANG_COOKIE, lang_of};
use crate::visitors::{check_field, parse_file, voucher_from_fields};

/// `GET /`.
pub(crate) async fn show(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let lang = lang_of(&headers);
    let mut body = String::new();
    let _ = write!(
        body,
        "<h1>{} <small>{}</small></h1>",
        lang.t("本日の受付", "Today's visitors"),
        today()
    );
    if let Some(running) = app.running() {
        let _ = write!(
            body,
            "<p class=\"notice info\"><a href=\"/checks/{}\">{}</a></p>",
            running.id,
            lang.t(
                "確認中の画面があります。開く",
                "A check is running. Open it"
            )
        );
    }
    if app.demo.is_some() {
        body.push_str(&demo_panel(&app, lang));
    }
    body.push_str(&visitor_table(&app, lang));
    body.push_str(&entry_form(&app, lang));
    body.push_str(&import_form(&app, lang));
    html(&app, lang, lang.t("本日の受付", "Today's visitors"), &body)
}

fn demo_panel(app: &App, lang: Lang) -> String {
    let Some(demo) = &app.demo else {
        return String::new();
    };
    let on_reader = match demo.on_reader() {
        Some((handle, tries)) => format!(
            "{} {} ({} {tries})",
            esc(&handle),
            lang.t("のカードが置かれています", "'s card is on the reader"),
            lang.t("暗証番号の残り回数", "PIN tries left"),
        ),
        None => lang
            .t("カードは置かれていません", "No card on the reader")
            .to_owned(),
    };
    let options: String = demo
        .card_holders()
        .iter()
        .map(|h| format!("<option value=\"{0}\">{0}</option>", esc(h)))
        .collect();
    format!(
        "<section class=\"demo\" aria-label=\"demo\"><h2>{}</h2>\
         <p id=\"reader-state\">{}</p><p>{} <strong>{DEMO_PIN}</strong></p>\
         <form method=\"post\" action=\"{}\" class=\"row\">\
         <label>{} <select name=\"person\" id=\"demo-person\">{options}</select></label>\
         <button type=\"submit\" name=\"action\" value=\"insert\" id=\"demo-insert\">{}</button>\
         <button type=\"submit\" name=\"action\" value=\"remove\" id=\"demo-remove\">{}</button>\
         </form></section>",
        lang.t("デモ：仮想カードリーダー", "Demo: virtual card reader"),
        on_reader,
        lang.t("デモのカードの暗証番号は", "The demo cards' PIN is"),
        action(app, "/demo/card"),
        lang.t("だれのカード", "Whose card"),
        lang.t("カードを置く", "Put the card on"),
        lang.t("カードを外す", "Take the card off"),
    )
}

fn visitor_table(app: &App, lang: Lang) -> String {
    let visitors = lock(&app.visitors).list.clone();
    if visitors.is_empty() {
        return notice(
            "info",
            lang.t(
                "受診券・利用券はまだありません。下の欄で入力するか、ファイルを読み込んでください。",
                "No vouchers yet. Type one in below or load a file.",
            ),
        );
    }
    let mut out = format!(
        "<table class=\"visitors\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        lang.t("整理番号", "Voucher no."),
        lang.t("券", "Kind"),
        lang.t("氏名", "Name"),
        lang.t("生年月日", "Born"),
        lang.t("保険者番号", "Insurer"),
        lang.t("有効期限", "Valid until"),
        lang.t("確認", "Check"),
    );
    for v in &visitors {
        let voucher = &v.voucher;
        let kind = if lang.is_ja() {
            voucher.kind().name_ja()
        } else {
            voucher.kind().name_en()
        };
        let _ = write!(
            out,
            "<tr id=\"visitor-{id}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td class=\"actions\">\
             <form method=\"post\" action=\"{start}\" class=\"inline\">\
             <input type=\"hidden\" name=\"visitor\" value=\"{id}\">\
             <button type=\"submit\" name=\"mode\" value=\"pin\" class=\"primary\" id=\"check-pin-{id}\">{}</button>\
             <button type=\"submit\" name=\"mode\" value=\"visual\" id=\"check-visual-{id}\">{}</button>\
             </form><a class=\"button\" href=\"/visitors/{id}/manual\" id=\"manual-{id}\">{}</a>{}</td></tr>",
            esc(voucher.number().as_str()),
            esc(kind),
            esc(&voucher.person().name),
            voucher.person().birth_date,
            esc(voucher.insurer_number().as_str()),
            voucher.expires_on(),
            lang.t("マイナンバーカードで確認", "Check with the My Number Card"),
            lang.t("目視確認", "Visual check (目視確認)"),
            lang.t("書類で確認", "Check documents"),
            demo_insert(app, lang, v.id, v.demo_handle.as_deref()),
            id = v.id,
            start = action(app, "/checks"),
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The demo's "put this visitor's card on the reader" button.
fn demo_insert(app: &App, lang: Lang, id: u64, handle: Option<&str>) -> String {
    match (&app.demo, handle) {
        (Some(_), Some(handle)) => format!(
            "<form method=\"post\" action=\"{}\" class=\"inline demo\">\
             <input type=\"hidden\" name=\"person\" value=\"{}\">\
             <button type=\"submit\" name=\"action\" value=\"insert\" id=\"demo-insert-{id}\">{}</button></form>",
            action(app, "/demo/card"),
            esc(handle),
            lang.t(
                "（デモ）この方のカードを置く",
                "(demo) Put this visitor's card on"
            ),
        ),
        _ => String::new(),
    }
}

/// The typed fields, their labels and input hints.
const ENTRY_FIELDS: [(&str, &str, &str, &str); 12] = [
    (
        "number",
        "整理番号（11桁）",
        "Voucher number (11 digits)",
        "numeric",
    ),
    ("issued_on", "交付日", "Issued on", "date"),
    ("expires_on", "有効期限", "Valid until", "date"),
    ("insurer_number", "保険者番号", "Insurer number", "numeric"),
    ("card_symbol", "記号", "Symbol", "text"),
    ("card_number", "番号", "Number", "text"),
    ("branch_number", "枝番", "Branch", "numeric"),
    ("name", "氏名", "Name", "text"),
    ("name_kana", "氏名カナ", "Name (kana)", "text"),
    (
        "sex",
        "性別（1 男 / 2 女 / 3 未設定）",
        "Sex (1 m / 2 f / 3 unset)",
        "numeric",
    ),
    ("birth_date", "生年月日", "Date of birth", "date"),
    (
        "guidance_level",
        "特定保健指導区分（利用券）",
        "Guidance level (guidance voucher)",
        "numeric",
    ),
];

fn entry_form(app: &App, lang: Lang) -> String {
    let mut out = format!(
        "<section><h2>{}</h2><form method=\"post\" action=\"{}\" class=\"grid\" id=\"entry\">\
         <label>{}<select name=\"kind\"><option value=\"checkup\">{}</option>\
         <option value=\"guidance\">{}</option></select></label>",
        lang.t("受診券・利用券を入力", "Type in a voucher"),
        action(app, "/visitors"),
        lang.t("券の種類", "Kind"),
        lang.t("受診券", "Checkup voucher"),
        lang.t("利用券", "Guidance voucher"),
    );
    for (name, ja, en, kind) in ENTRY_FIELDS {
        let input = match kind {
            "date" => "type=\"date\"".to_owned(),
            "numeric" => "type=\"text\" inputmode=\"numeric\"".to_owned(),
            _ => "type=\"text\"".to_owned(),
        };
        let _ = write!(
            out,
            "<label>{}<input {input} name=\"{name}\" id=\"entry-{name}\" data-validate=\"{name}\" \
             autocomplete=\"off\"><output for=\"entry-{name}\" id=\"entry-{name}-msg\" class=\"msg\"></output></label>",
            lang.t(ja, en)
        );
    }
    let _ = write!(
        out,
        "<button type=\"submit\" class=\"primary\" id=\"entry-add\">{}</button></form></section>",
        lang.t("一覧に追加", "Add to the list")
    );
    out
}

fn import_form(app: &App, lang: Lang) -> String {
    format!(
        "<section><h2>{}</h2><p>{}</p><form method=\"post\" action=\"{}\" \
         enctype=\"multipart/form-data\" class=\"row\">\
         <input type=\"file\" name=\"file\" id=\"import-file\" multiple accept=\".json,.csv,application/json,text/csv\">\
         <button type=\"submit\" id=\"import-go\">{}</button></form></section>",
        lang.t("ファイルから読み込む", "Load from files"),
        lang.t(
            "受診券・利用券の JSON ファイル、または CSV ファイル（見出し行は JSON の項目名）。",
            "Voucher JSON files, or a CSV file whose header row names the JSON fields.",
        ),
        action(app, "/visitors/import"),
        lang.t("読み込む", "Load"),
    )
}

/// `POST /visitors`: a typed voucher.
pub(crate) async fn add(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(fields): Form<BTreeMap<String, String>>,
) -> Response {
    let lang = lang_of(&headers);
    match voucher_from_fields(&fields) {
        Ok(voucher) => {
            if lock(&app.visitors).add(voucher, None) {
                see_other("/")
            } else {
                problem(&app, lang, StatusCode::PAYLOAD_TOO_LARGE, full(lang))
            }
        }
        Err(p) => problem(&app, lang, StatusCode::BAD_REQUEST, lang.t(&p.ja, &p.en)),
    }
}

fn full(lang: Lang) -> &'static str {
    lang.t(
        "受付一覧がいっぱいです。elig desk を起動し直してください。",
        "The list is full. Restart elig desk.",
    )
}

/// `POST /visitors/import`: JSON or CSV files.
pub(crate) async fn import(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Response {
    let lang = lang_of(&headers);
    let mut vouchers = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                return problem(
                    &app,
                    lang,
                    StatusCode::BAD_REQUEST,
                    lang.t(
                        "ファイルを受け取れませんでした。もう一度選んでください。",
                        "The upload could not be read. Choose the files again.",
                    ),
                );
            }
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("file").to_owned();
        let Ok(bytes) = field.bytes().await else {
            return problem(&app, lang, StatusCode::BAD_REQUEST, full(lang));
        };
        if bytes.is_empty() && name.is_empty() {
            continue;
        }
        match parse_file(&name, &bytes) {
            Ok(mut more) => vouchers.append(&mut more),
            Err(p) => return problem(&app, lang, StatusCode::BAD_REQUEST, lang.t(&p.ja, &p.en)),
        }
    }
    let mut list = lock(&app.visitors);
    for voucher in vouchers {
        if !list.add(voucher, None) {
            return problem(&app, lang, StatusCode::PAYLOAD_TOO_LARGE, full(lang));
        }
    }
    see_other("/")
}

/// The query of `GET /validate`.
#[derive(Debug, Deserialize)]
pub(crate) struct ValidateQuery {
    field: String,
    value: String,
}

/// `GET /validate?field=…&value=…`: the message for one typed field (empty when fine).
pub(crate) async fn validate(headers: HeaderMap, Query(q): Query<ValidateQuery>) -> Response {
    let lang = lang_of(&headers);
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        check_field(&q.field, &q.value, lang.is_ja()),
    )
        .into_response()
}

/// The form of `POST /demo/card`.
#[derive(Debug, Deserialize)]
pub(crate) struct DemoCardForm {
    action: String,
    #[serde(default)]
    person: String,
}

/// `POST /demo/card`: put a card on the virtual reader or take it off.
pub(crate) async fn demo_card(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<DemoCardForm>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(demo) = &app.demo else {
        return problem(
            &app,
            lang,
            StatusCode::NOT_FOUND,
            lang.t("デモではありません。", "This desk is not the demo."),
        );
    };
    let back = match app.running() {
        Some(running) => format!("/checks/{}", running.id),
        None => "/".to_owned(),
    };
    match form.action.as_str() {
        "insert" => {
            // The demo's own registry handles only (no file paths, no personal data).
            if demo.insert(&form.person).is_err() {
                return problem(
                    &app,
                    lang,
                    StatusCode::BAD_REQUEST,
                    lang.t("そのカードはありません。", "There is no such card."),
                );
            }
            see_other(&back)
        }
        _ => {
            demo.remove();
            see_other(&back)
        }
    }
}

/// The form of `POST /lang`.
#[derive(Debug, Deserialize)]
pub(crate) struct LangForm {
    lang: String,
}

/// `POST /lang`: switch the page language (a cookie).
pub(crate) async fn set_lang(Form(form): Form<LangForm>) -> Response {
    let code = if form.lang == "en" { "en" } else { "ja" };
    let mut response = see_other("/");
    let cookie = format!("{LANG_COOKIE}={code}; SameSite=Strict; Path=/");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
