//! The check: start it, the PIN pad (tries left, the last-try confirmation), 目視確認, the
//! progress, the cancel, then the verdict.

use std::sync::Arc;
use std::time::Duration;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use elig_client::session::{CheckRequest, Mode};
use elig_proto::gateway::RequestId;
use jpki_apdu::AuthPin;
use serde::Deserialize;
use voucher_model::{Purpose, RequestedUse, StaffAttestation, VoucherKind};
use zeroize::Zeroize as _;

use super::check_view::{
    attestation_form, cancel_form, demo_controls, input_error, pin_pad, progress_text, who,
};
use super::{html, problem, see_other, verdict};
use crate::app::{App, today};
use crate::check::{self, CheckHandle, Input, Parts, Stage, unix_now};
use crate::demo::lock;
use crate::html::{Frame, Lang, esc, notice, page};
use crate::security::lang_of;
use crate::visitors::Visitor;

/// How long a post waits for the check to reach a person or its end before showing the
/// progress page (which then follows the check by itself).
const SETTLE_BOUND: Duration = Duration::from_secs(20);

/// The form of `POST /checks`.
#[derive(Debug, Deserialize)]
pub(crate) struct StartForm {
    visitor: u64,
    mode: String,
}

/// The purpose the voucher is for (voucher-model's purpose gate).
pub(crate) fn purpose_of(kind: VoucherKind) -> Option<Purpose> {
    let requested = match kind {
        VoucherKind::Checkup => RequestedUse::SpecificHealthCheckup,
        VoucherKind::Guidance => RequestedUse::SpecificHealthGuidance,
    };
    Purpose::for_online_check(requested).ok()
}

/// The check request for `visitor`, check number `id`.
pub(crate) fn request_for(app: &App, visitor: &Visitor, id: u64) -> Option<CheckRequest> {
    let started = unix_now();
    let request_id = RequestId::new(&format!("desk-{started}-{id}"))?;
    Some(CheckRequest::new(
        visitor.voucher.clone(),
        purpose_of(visitor.voucher.kind())?,
        app.facility.clone(),
        today(),
        request_id,
        started,
    ))
}

fn busy(app: &App, lang: Lang, running: &CheckHandle) -> Response {
    let text = lang.t(
        "別の画面（タブ）でカードを確認中です。その画面で確認を終えるか中止してから、もう一度始めてください。",
        "Another tab is checking a card on this reader. Finish or cancel that check first.",
    );
    let title = lang.t("確認中です", "A check is running");
    let body = format!(
        "<h1 id=\"busy\">{}</h1>{}<p><a class=\"button\" href=\"/checks/{}\">{}</a></p>",
        esc(title),
        notice("warn", text),
        running.id,
        lang.t("確認中の画面を開く", "Open the running check")
    );
    (StatusCode::CONFLICT, html(app, lang, title, &body)).into_response()
}

/// `POST /checks`: start a PIN or 目視確認 check of a visitor.
pub(crate) async fn start(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<StartForm>,
) -> Response {
    let lang = lang_of(&headers);
    let mode = match form.mode.as_str() {
        "visual" => Mode::VisualConfirmation,
        _ => Mode::Pin,
    };
    let Some(visitor) = lock(&app.visitors).get(form.visitor) else {
        return problem(&app, lang, StatusCode::NOT_FOUND, no_visitor(lang));
    };
    let handle = {
        let mut checks = lock(&app.checks);
        // One check per reader: a second tab is refused while one runs.
        if let Some(running) = checks.running() {
            return busy(&app, lang, &running);
        }
        let id = checks.next_id();
        let Some(request) = request_for(&app, &visitor, id) else {
            return problem(
                &app,
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                no_visitor(lang),
            );
        };
        let parts = Parts {
            reader: app.reader.clone(),
            gateway: app.gateway.clone(),
            audit: app.audit.clone(),
        };
        match check::spawn(id, visitor, request, mode, parts) {
            Ok(handle) => {
                checks.active = Some(handle.clone());
                handle
            }
            Err(_) => {
                return problem(
                    &app,
                    lang,
                    StatusCode::SERVICE_UNAVAILABLE,
                    lang.t(
                        "確認を始められませんでした。もう一度お試しください。",
                        "The check could not start. Try again.",
                    ),
                );
            }
        }
    };
    handle.settled(SETTLE_BOUND).await;
    see_other(&format!("/checks/{}", handle.id))
}

pub(crate) fn no_visitor(lang: Lang) -> &'static str {
    lang.t(
        "その受診者は一覧にありません。受付一覧から選び直してください。",
        "That visitor is not on the list. Pick them again from the list.",
    )
}

fn no_check(app: &App, lang: Lang) -> Response {
    problem(
        app,
        lang,
        StatusCode::NOT_FOUND,
        lang.t(
            "その確認は見つかりません。受付一覧からやり直してください。",
            "That check is not known. Start again from the list.",
        ),
    )
}

/// The query of `GET /checks/{id}`: a problem with the last post (no value is echoed).
#[derive(Debug, Deserialize)]
pub(crate) struct ShowQuery {
    #[serde(default)]
    e: Option<String>,
}

/// `GET /checks/{id}`.
pub(crate) async fn show(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(check) = lock(&app.checks).find(id) else {
        return no_check(&app, lang);
    };
    let stage = check.current();
    let title = lang.t("資格確認", "Qualification check");
    let error =
        q.e.as_deref()
            .map(|e| input_error(lang, e))
            .unwrap_or_default();
    let who = who(&check.visitor, lang);
    let body = match &stage {
        Stage::Pin {
            tries_left,
            last_try,
        } => pin_pad(&app, lang, &check, *tries_left, *last_try, &error),
        Stage::Attestation => attestation_form(&app, lang, &check, &error),
        Stage::Done(finished) => verdict::render(&app, lang, &check, finished, false),
        Stage::Starting | Stage::Working(_) => {
            let body = format!(
                "{who}<h1 id=\"progress\" aria-live=\"polite\">{}</h1><p class=\"spinner\" aria-hidden=\"true\"></p>{}{}",
                esc(progress_text(lang, &stage)),
                cancel_form(&app, lang, &check),
                demo_controls(&app, lang)
            );
            let frame = Frame {
                lang,
                title,
                csrf: app.security.csrf(),
                poll: Some(stage.key()),
                print: false,
            };
            return Html(page(&frame, &body)).into_response();
        }
    };
    html(
        &app,
        lang,
        title,
        &format!(
            "{}{body}",
            if matches!(stage, Stage::Done(_)) {
                String::new()
            } else {
                who
            }
        ),
    )
}

/// `GET /checks/{id}/stage`: the stage key, for the page's progress poll.
pub(crate) async fn stage(State(app): State<Arc<App>>, Path(id): Path<u64>) -> Response {
    let key = lock(&app.checks)
        .find(id)
        .map_or("gone", |c| c.current().key());
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], key).into_response()
}

/// The PIN form. `Debug` shows no PIN.
#[derive(Deserialize)]
pub(crate) struct PinForm {
    #[serde(default)]
    pin: String,
    #[serde(default)]
    consent: Option<String>,
}

impl Drop for PinForm {
    fn drop(&mut self) {
        self.pin.zeroize();
    }
}

/// `POST /checks/{id}/pin`: the PIN goes to the check (then to the card) and nowhere else.
pub(crate) async fn pin(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(form): Form<PinForm>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(check) = lock(&app.checks).find(id) else {
        return no_check(&app, lang);
    };
    let Stage::Pin { last_try, .. } = check.current() else {
        return finished_already(&app, lang, &check);
    };
    let consent = form.consent.as_deref() == Some("yes");
    if last_try && !consent {
        return see_other(&format!("/checks/{id}?e=consent"));
    }
    let Ok(pin) = AuthPin::new(&form.pin) else {
        return see_other(&format!("/checks/{id}?e=pin-format"));
    };
    drop(form);
    if !check
        .answer(Input::Pin { pin, consent }, SETTLE_BOUND)
        .await
    {
        return finished_already(&app, lang, &check);
    }
    see_other(&format!("/checks/{id}"))
}

fn finished_already(app: &App, lang: Lang, check: &CheckHandle) -> Response {
    let _ = check;
    problem(
        app,
        lang,
        StatusCode::CONFLICT,
        lang.t(
            "この確認は入力を待っていません（終わったか、別の画面で進んでいます）。",
            "This check is not waiting for that (it ended, or another tab moved it on).",
        ),
    )
}

/// The 目視確認 form.
#[derive(Debug, Deserialize)]
pub(crate) struct AttestForm {
    #[serde(default)]
    staff_id: String,
    #[serde(default)]
    photo_compared: Option<String>,
}

/// `POST /checks/{id}/attest`.
pub(crate) async fn attest(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
    Form(form): Form<AttestForm>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(check) = lock(&app.checks).find(id) else {
        return no_check(&app, lang);
    };
    if form.photo_compared.as_deref() != Some("yes") {
        return see_other(&format!("/checks/{id}?e=photo"));
    }
    let now = voucher_model::jst::date_time_from_unix_secs(unix_now());
    let Ok(attestation) = now
        .ok()
        .and_then(|now| StaffAttestation::new(&form.staff_id, now).ok())
        .ok_or(())
    else {
        return see_other(&format!("/checks/{id}?e=staff"));
    };
    if !check
        .answer(Input::Attestation(attestation), SETTLE_BOUND)
        .await
    {
        return finished_already(&app, lang, &check);
    }
    see_other(&format!("/checks/{id}"))
}

/// `POST /checks/{id}/cancel`.
pub(crate) async fn cancel(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(check) = lock(&app.checks).find(id) else {
        return no_check(&app, lang);
    };
    // A check between two inputs takes the cancel at its next question.
    check.answer(Input::Cancel, SETTLE_BOUND).await;
    see_other(&format!("/checks/{id}"))
}

/// `GET /checks/{id}/print`: the verdict alone, for printing.
pub(crate) async fn print(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<u64>,
) -> Response {
    let lang = lang_of(&headers);
    let Some(check) = lock(&app.checks).find(id) else {
        return no_check(&app, lang);
    };
    let Stage::Done(finished) = check.current() else {
        return see_other(&format!("/checks/{id}"));
    };
    let body = verdict::render(&app, lang, &check, &finished, true);
    let frame = Frame {
        lang,
        title: lang.t("資格確認の結果", "Check result"),
        csrf: app.security.csrf(),
        poll: None,
        print: true,
    };
    Html(page(&frame, &body)).into_response()
}
