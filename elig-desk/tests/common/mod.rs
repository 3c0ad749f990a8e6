//! Test fixture: a demo desk in the test's runtime on a loopback port, its audit store in a
//! temporary folder, and a small HTTP client that keeps the desk's cookies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    unreachable_pub
)]

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use elig_desk::{DemoOptions, Desk, RunningDesk};
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub struct TestDesk {
    pub desk: RunningDesk,
    pub base: String,
    pub dir: tempfile::TempDir,
}

/// A demo desk on 127.0.0.1 (any free port).
pub async fn demo_desk() -> TestDesk {
    demo_desk_with(|o| o).await
}

pub async fn demo_desk_with(options: impl FnOnce(DemoOptions) -> DemoOptions) -> TestDesk {
    let dir = tempfile::tempdir().unwrap();
    let opts = options(DemoOptions::default().with_audit_db(dir.path().join("audit.sqlite3")));
    let desk = Desk::demo(opts).await.unwrap();
    let desk = desk.serve("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let base = format!("http://{}", desk.addr());
    TestDesk { desk, base, dir }
}

/// One answer.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// A browser-like client: keeps cookies set by the desk, follows nothing by itself.
pub struct Browser {
    client: Client<HttpConnector, Full<Bytes>>,
    pub base: String,
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: base.to_owned(),
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(
        &mut self,
        method: Method,
        path_and_query: &str,
        content_type: Option<&str>,
        body: &str,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path_and_query));
        if !self.cookies.is_empty() {
            let cookie: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            request = request.header(header::COOKIE, cookie.join("; "));
        }
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        for (k, v) in extra {
            request = request.header(*k, *v);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = tokio::time::timeout(Duration::from_secs(60), self.client.request(request))
            .await
            .expect("the desk answers")
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let text = set.to_str().unwrap();
            let pair = text.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.insert(k.to_owned(), v.to_owned());
        }
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        self.send(Method::GET, path, None, "", &[]).await
    }

    /// A form post (urlencoded `fields`) to `path` (with its query, e.g. the CSRF token).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        self.send(
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            &body.join("&"),
            &[],
        )
        .await
    }

    /// Opens the printed URL (token → session cookie).
    pub async fn sign_in(&mut self, url: &str) -> Answer {
        let path = url.strip_prefix(&self.base).unwrap().to_owned();
        self.get(&path).await
    }
}

/// Percent-encodes a form value.
pub fn encode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
