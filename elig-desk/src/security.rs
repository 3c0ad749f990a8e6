//! Safe by default (issue 14, item 3; the mechanisms are this project's own design):
//!
//! - a random access token per start, in the URL the desk prints; opening it starts a
//!   browser session held in an `HttpOnly; SameSite=Strict` cookie and drops the token from
//!   the address bar;
//! - every request but the static assets needs a live session; a session idle for longer
//!   than the idle lock is locked (the token unlocks it again);
//! - every state-changing request (`POST`) carries the per-start CSRF token in its `csrf`
//!   query parameter (each form's action) and must not come from another site
//!   (`Sec-Fetch-Site`, `Origin`);
//! - every response carries a strict Content-Security-Policy (scripts and styles from this
//!   desk only, no inline code, no framing) and `no-store`, `nosniff`, `no-referrer`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::App;
use crate::demo::lock;
use crate::html::{Frame, Lang, esc, notice, page};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "elig_desk_session";
/// The language cookie's name.
pub(crate) const LANG_COOKIE: &str = "elig_desk_lang";

/// The Content-Security-Policy of every response.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// The secrets of one start and the live sessions.
#[derive(Debug)]
pub(crate) struct Security {
    token: String,
    csrf: String,
    idle_lock: Duration,
    sessions: Mutex<HashMap<String, Instant>>,
}

/// At most this many browser sessions (a desk has a screen or two).
const MAX_SESSIONS: usize = 64;

impl Security {
    pub(crate) fn new(idle_lock: Duration) -> std::io::Result<Self> {
        Ok(Self {
            token: random_hex()?,
            csrf: random_hex()?,
            idle_lock,
            sessions: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    pub(crate) fn csrf(&self) -> &str {
        &self.csrf
    }

    fn open_session(&self) -> Option<String> {
        let id = random_hex().ok()?;
        let mut sessions = lock(&self.sessions);
        let now = Instant::now();
        let idle_lock = self.idle_lock;
        sessions.retain(|_, seen| now.saturating_duration_since(*seen) < idle_lock);
        if sessions.len() >= MAX_SESSIONS {
            return None;
        }
        sessions.insert(id.clone(), now);
        Some(id)
    }

    /// Whether the session is live (and touches it); an idle one is locked (removed).
    fn touch(&self, id: &str) -> Access {
        let mut sessions = lock(&self.sessions);
        let now = Instant::now();
        match sessions.get_mut(id) {
            Some(seen) if now.saturating_duration_since(*seen) < self.idle_lock => {
                *seen = now;
                Access::Live
            }
            Some(_) => {
                sessions.remove(id);
                Access::Locked
            }
            None => Access::None,
        }
    }
}

enum Access {
    Live,
    Locked,
    None,
}

/// 32 random bytes from the OS, in hex.
fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Compares two secrets without an early exit.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A cookie's value from the request.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The page language from its cookie (Japanese unless English was chosen).
pub(crate) fn lang_of(headers: &HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Ja,
    }
}

/// A query parameter's raw value (tokens are hex: no decoding needed).
fn query_param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The guard in front of every route, and the security headers on every response.
pub(crate) async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let mut response = check(&app, request, next).await;
    let headers = response.headers_mut();
    let set = |h: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::CACHE_CONTROL, "no-store");
    response
}

async fn check(app: &App, request: Request, next: Next) -> Response {
    let security = &app.security;
    let lang = lang_of(request.headers());
    let path = request.uri().path().to_owned();
    if path.starts_with("/assets/") && request.method() == Method::GET {
        return next.run(request).await;
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        if from_another_site(request.headers()) {
            return refused(lang, StatusCode::FORBIDDEN, Refusal::CrossSite);
        }
        let csrf = query_param(request.uri().query(), "csrf");
        if !csrf.is_some_and(|c| same(c, security.csrf())) {
            return refused(lang, StatusCode::FORBIDDEN, Refusal::Csrf);
        }
    }
    // Opening the printed URL (or unlocking with the token): a new session.
    let token = query_param(request.uri().query(), "token");
    if request.method() == Method::GET
        && let Some(token) = token
    {
        if !same(token, security.token()) {
            return refused(lang, StatusCode::UNAUTHORIZED, Refusal::NoToken);
        }
        let Some(session) = security.open_session() else {
            return refused(lang, StatusCode::SERVICE_UNAVAILABLE, Refusal::NoToken);
        };
        let mut response = Redirect::to(&path).into_response();
        let cookie = format!("{SESSION_COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return response;
    }
    match cookie(request.headers(), SESSION_COOKIE).map(|s| security.touch(s)) {
        Some(Access::Live) => next.run(request).await,
        Some(Access::Locked) => refused(lang, StatusCode::UNAUTHORIZED, Refusal::Locked),
        Some(Access::None) | None => refused(lang, StatusCode::UNAUTHORIZED, Refusal::NoToken),
    }
}

/// A state-changing request from another site (browsers say so in `Sec-Fetch-Site`; older
/// ones send `Origin`, which must then be this desk's).
fn from_another_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        (Some(origin), Some(host)) => {
            origin != format!("http://{host}") && origin != format!("https://{host}")
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

#[derive(Debug, Clone, Copy)]
enum Refusal {
    NoToken,
    Locked,
    Csrf,
    CrossSite,
}

fn refused(lang: Lang, status: StatusCode, why: Refusal) -> Response {
    let (title, text) = match why {
        Refusal::NoToken => (
            lang.t("アクセスできません", "No access"),
            lang.t(
                "この画面を開くには、elig desk の起動時に表示された URL を開いてください。",
                "Open the URL that elig desk printed when it started.",
            ),
        ),
        Refusal::Locked => (
            lang.t("画面をロックしました", "The desk is locked"),
            lang.t(
                "しばらく操作がなかったためロックしました。起動時に表示された URL をもう一度開いてください。",
                "The desk locked after a while without use. Open the URL printed at start again.",
            ),
        ),
        Refusal::Csrf => (
            lang.t("操作を受け付けませんでした", "Request refused"),
            lang.t(
                "この操作は受け付けられません（確認用の値が一致しません）。画面を開き直してからもう一度操作してください。",
                "This request was refused (its form token does not match). Reload the page and try again.",
            ),
        ),
        Refusal::CrossSite => (
            lang.t("操作を受け付けませんでした", "Request refused"),
            lang.t(
                "ほかのサイトからの操作は受け付けません。elig desk の画面から操作してください。",
                "Requests from other sites are refused. Use the elig desk page itself.",
            ),
        ),
    };
    let frame = Frame {
        lang,
        title,
        csrf: "",
        poll: None,
        print: true,
    };
    let body = format!(
        "<h1 id=\"refused\">{}</h1>{}",
        esc(title),
        notice("error", text)
    );
    (status, axum::response::Html(page(&frame, &body))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_by_value_only() {
        assert!(same("abcd", "abcd"));
        assert!(!same("abcd", "abce"));
        assert!(!same("abcd", "abc"));
    }

    #[test]
    fn cookies_and_query_parameters_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; elig_desk_lang=en"),
        );
        assert_eq!(cookie(&h, LANG_COOKIE), Some("en"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(query_param(Some("x=1&csrf=ab"), "csrf"), Some("ab"));
        assert_eq!(query_param(None, "csrf"), None);
    }

    #[test]
    fn a_cross_site_post_is_recognised() {
        let mut h = HeaderMap::new();
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(from_another_site(&h));
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(!from_another_site(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(from_another_site(&h));
    }
}
