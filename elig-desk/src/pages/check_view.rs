//! The check's own pages while it runs: the progress, the PIN pad (tries left, the
//! last-try confirmation), the 目視確認 form, and the cancel and demo buttons on them.

use core::fmt::Write as _;

use super::action;
use crate::app::App;
use crate::check::{CheckHandle, Stage, Step};
use crate::html::{Lang, esc, notice};
use crate::visitors::Visitor;

pub(crate) fn who(visitor: &Visitor, lang: Lang) -> String {
    format!(
        "<p class=\"who\">{} {} ／ {} {}</p>",
        lang.t("受診者", "Visitor"),
        esc(&visitor.voucher.person().name),
        lang.t("整理番号", "voucher"),
        esc(visitor.voucher.number().as_str())
    )
}

pub(crate) fn progress_text(lang: Lang, stage: &Stage) -> &'static str {
    match stage {
        Stage::Starting => lang.t("カードを確認しています…", "Looking for the card…"),
        Stage::Working(Step::CardDetected) => lang.t("カードを検出しました", "Card detected"),
        Stage::Working(Step::CertificateRead) => {
            lang.t("証明書を読み取りました", "Certificate read")
        }
        Stage::Working(Step::Verifying) => lang.t("暗証番号を確認しています…", "Checking the PIN…"),
        Stage::Working(Step::Inquiring) => {
            lang.t("資格を照会しています…", "Asking for the qualification…")
        }
        _ => lang.t("確認しています…", "Checking…"),
    }
}

pub(crate) fn input_error(lang: Lang, code: &str) -> String {
    let text = match code {
        "pin-format" => lang.t(
            "暗証番号は数字4桁です。もう一度入力してください。",
            "The PIN is 4 digits. Type it again.",
        ),
        "consent" => lang.t(
            "残り1回です。本人に伝えて同意を得たら、確認欄にチェックしてください。",
            "One try is left: tell the person, get their consent, then tick the box.",
        ),
        "photo" => lang.t(
            "顔写真と本人を見比べたら、確認欄にチェックしてください。",
            "Compare the photo with the person, then tick the box.",
        ),
        "staff" => lang.t(
            "確認した職員の ID を入力してください（64文字まで、改行なし）。",
            "Enter the staff ID of who checked (up to 64 characters, one line).",
        ),
        _ => lang.t("入力を確認してください。", "Check the input."),
    };
    notice("error", text)
}

pub(crate) fn cancel_form(app: &App, lang: Lang, check: &CheckHandle) -> String {
    format!(
        "<form method=\"post\" action=\"{}\" class=\"inline\"><button type=\"submit\" id=\"cancel\">{}</button></form>",
        action(app, &format!("/checks/{}/cancel", check.id)),
        lang.t("中止する", "Cancel")
    )
}

/// The demo's reader buttons on the check page (to take the card off mid-check).
pub(crate) fn demo_controls(app: &App, lang: Lang) -> String {
    if app.demo.is_none() {
        return String::new();
    }
    format!(
        "<form method=\"post\" action=\"{}\" class=\"demo inline\">\
         <button type=\"submit\" name=\"action\" value=\"remove\" id=\"demo-remove\">{}</button></form>",
        action(app, "/demo/card"),
        lang.t("（デモ）カードを外す", "(demo) Take the card off")
    )
}

pub(crate) fn pin_pad(
    app: &App,
    lang: Lang,
    check: &CheckHandle,
    tries_left: Option<u8>,
    last_try: bool,
    error: &str,
) -> String {
    let mut out = format!(
        "<ol class=\"steps\" id=\"steps\"><li>{}</li><li>{}</li></ol><h1 id=\"pin-title\">{}</h1>{error}",
        lang.t("カードを検出しました", "Card detected"),
        lang.t("証明書を読み取りました", "Certificate read"),
        lang.t(
            "ご本人が暗証番号（数字4桁）を入力してください",
            "The cardholder types their 4-digit PIN",
        )
    );
    if let Some(n) = tries_left {
        let _ = write!(
            out,
            "<p id=\"tries-left\" class=\"tries\">{} {n} {}</p>",
            lang.t("残り", "Tries left:"),
            lang.t("回", "")
        );
    }
    if last_try {
        out.push_str(&notice(
            "warn",
            lang.t(
                "残り1回です。間違えるとカードの暗証番号がロックされ、お住まいの市区町村の窓口で再設定が必要になります。",
                "One try is left. A wrong PIN locks the card; unlocking it needs a visit to the municipal office.",
            ),
        ));
    }
    let _ = write!(
        out,
        "<form method=\"post\" action=\"{}\" id=\"pin-form\" autocomplete=\"off\">\
         <input type=\"password\" name=\"pin\" id=\"pin\" inputmode=\"numeric\" pattern=\"[0-9]{{4}}\" \
         minlength=\"4\" maxlength=\"4\" required autocomplete=\"off\" aria-label=\"{}\" autofocus>\
         <div class=\"pad\" role=\"group\" aria-label=\"{}\">",
        action(app, &format!("/checks/{}/pin", check.id)),
        lang.t("暗証番号", "PIN"),
        lang.t("暗証番号の入力パッド", "PIN pad"),
    );
    for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9"] {
        let _ = write!(
            out,
            "<button type=\"button\" data-key=\"{key}\" id=\"key-{key}\">{key}</button>"
        );
    }
    let _ = write!(
        out,
        "<button type=\"button\" data-key=\"clear\" id=\"key-clear\">{}</button>\
         <button type=\"button\" data-key=\"0\" id=\"key-0\">0</button>\
         <button type=\"button\" data-key=\"back\" id=\"key-back\">{}</button></div>",
        lang.t("消去", "Clear"),
        lang.t("1字消す", "Back"),
    );
    if last_try {
        let _ = write!(
            out,
            "<label class=\"confirm\"><input type=\"checkbox\" name=\"consent\" value=\"yes\" id=\"consent\"> {}</label>",
            lang.t(
                "残り1回であることを本人に伝え、入力の同意を得ました",
                "I told the person one try is left and they agreed to use it",
            )
        );
    }
    let _ = write!(
        out,
        "<button type=\"submit\" class=\"primary big\" id=\"pin-ok\">{}</button></form>{}{}",
        lang.t("確認する", "Confirm"),
        cancel_form(app, lang, check),
        demo_controls(app, lang)
    );
    out
}

pub(crate) fn attestation_form(app: &App, lang: Lang, check: &CheckHandle, error: &str) -> String {
    format!(
        "<h1 id=\"attest-title\">{}</h1>{error}<p>{}</p>\
         <form method=\"post\" action=\"{}\" id=\"attest-form\">\
         <label>{}<input type=\"text\" name=\"staff_id\" id=\"staff-id\" required maxlength=\"64\" autocomplete=\"off\"></label>\
         <label class=\"confirm\"><input type=\"checkbox\" name=\"photo_compared\" value=\"yes\" id=\"photo-compared\"> {}</label>\
         <button type=\"submit\" class=\"primary big\" id=\"attest-ok\">{}</button></form>{}{}",
        lang.t("目視確認", "Visual check (目視確認)"),
        lang.t(
            "カードの顔写真とご本人を見比べてください。暗証番号は使いません。",
            "Compare the card's photo with the person. No PIN is used.",
        ),
        action(app, &format!("/checks/{}/attest", check.id)),
        lang.t("確認した職員の ID", "Staff ID"),
        lang.t(
            "カードの顔写真とご本人が同一人物であることを確認しました",
            "I compared the card photo with the person and they match",
        ),
        lang.t("確認する", "Confirm"),
        cancel_form(app, lang, check),
        demo_controls(app, lang)
    )
}
