//! The pages, one module per area: the day's list, the check, the verdict, manual
//! evidence, the day's records.

pub(crate) mod check;
mod check_view;
pub(crate) mod list;
pub(crate) mod manual;
pub(crate) mod records;
pub(crate) mod verdict;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::app::App;
use crate::html::{Frame, Lang, esc, notice, page};

/// A form action carrying the CSRF token (security.rs).
pub(crate) fn action(app: &App, path: &str) -> String {
    format!("{path}?csrf={}", app.security.csrf())
}

/// A full page.
pub(crate) fn html(app: &App, lang: Lang, title: &str, body: &str) -> Response {
    let frame = Frame {
        lang,
        title,
        csrf: app.security.csrf(),
        poll: None,
        print: false,
    };
    Html(page(&frame, body)).into_response()
}

/// A page that says what went wrong and what to do next, with `status`.
pub(crate) fn problem(app: &App, lang: Lang, status: StatusCode, text: &str) -> Response {
    let title = lang.t("操作できませんでした", "Could not do that");
    let body = format!(
        "<h1>{}</h1>{}<p><a class=\"button\" href=\"/\">{}</a></p>",
        esc(title),
        notice("error", text),
        lang.t("受付一覧に戻る", "Back to the visitors")
    );
    (status, html(app, lang, title, &body)).into_response()
}

/// A "see other" to `to` (after a successful post).
pub(crate) fn see_other(to: &str) -> Response {
    axum::response::Redirect::to(to).into_response()
}
