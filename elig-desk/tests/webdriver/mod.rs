//! The few W3C WebDriver commands the browser tests need (new session, navigate, find,
//! click, type, text, execute, screenshot), over the workspace's hyper client.
//!
//! Why not fantoccini or thirtyfour: fantoccini depends on Mozilla's `webdriver` crate
//! (MPL-2.0, outside deny.toml's permissive list, and it pulls icu_segmenter and http 0.2);
//! thirtyfour needs reqwest. The protocol is a small JSON-over-HTTP spec
//! (https://www.w3.org/TR/webdriver2/); these commands are its plain form.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation,
    dead_code,
    unreachable_pub
)]

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

/// The element reference key of the W3C protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One browser session on a WebDriver server.
pub struct WebDriver {
    client: Client<HttpConnector, Full<Bytes>>,
    session: String,
    server: String,
}

impl WebDriver {
    /// A headless Chromium session on the WebDriver server at `server`
    /// (`http://127.0.0.1:PORT`). Elements are waited for up to 10 s (the protocol's
    /// implicit wait: the browser finds the element as soon as it exists).
    pub async fn chromium(server: &str) -> WebDriver {
        let client = Client::builder(TokioExecutor::new()).build_http();
        let mut wd = WebDriver {
            client,
            session: String::new(),
            server: server.trim_end_matches('/').to_owned(),
        };
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--window-size=1100,1300",
            "--lang=ja",
        ];
        let mut chrome = json!({ "args": args });
        if let Ok(binary) = std::env::var("CHROMIUM_BINARY") {
            chrome["binary"] = Value::from(binary);
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": chrome,
                "timeouts": { "implicit": 10000, "pageLoad": 30000, "script": 10000 }
            }}
        });
        let value = wd.call(Method::POST, "/session", Some(caps)).await;
        wd.session = value["sessionId"].as_str().unwrap().to_owned();
        wd
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.server, path);
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut request = Request::builder().method(method).uri(&url);
        if !body.is_empty() {
            request = request.header("content-type", "application/json");
        }
        let request = request.body(Full::new(Bytes::from(body))).unwrap();
        let response = tokio::time::timeout(Duration::from_secs(90), self.client.request(request))
            .await
            .unwrap_or_else(|_| panic!("WebDriver {url}: no answer"))
            .unwrap_or_else(|e| panic!("WebDriver {url}: {e}"));
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(status.is_success(), "WebDriver {url}: {status} {value}");
        value["value"].clone()
    }

    fn at(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        self.call(Method::POST, &self.at("/url"), Some(json!({ "url": url })))
            .await;
    }

    /// The current URL.
    pub async fn url(&self) -> String {
        self.call(Method::GET, &self.at("/url"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The element `css` selects (waits for it).
    pub async fn find(&self, css: &str) -> Element<'_> {
        let value = self
            .call(
                Method::POST,
                &self.at("/element"),
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        Element {
            wd: self,
            id: value[ELEMENT].as_str().unwrap().to_owned(),
        }
    }

    /// Clicks `css`'s element.
    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await;
    }

    /// Clicks `css`'s element, which loads another page, and waits until the new page has
    /// loaded (a marker set on the old page is gone and the document is complete), so the
    /// next command never reaches the old page.
    pub async fn click_and_load(&self, css: &str) {
        let element = self.find(css).await;
        self.execute("window.__eligOldPage = true; return true;")
            .await;
        element.click().await;
        let wait = async {
            loop {
                let loaded = self
                    .execute("return !window.__eligOldPage && document.readyState === 'complete';")
                    .await;
                if loaded == Value::Bool(true) {
                    break;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait)
            .await
            .unwrap_or_else(|_| panic!("clicking {css} loaded no new page"));
    }

    /// Runs `script` in the page and returns its result.
    pub async fn execute(&self, script: &str) -> Value {
        self.call(
            Method::POST,
            &self.at("/execute/sync"),
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// The text of `css`'s element.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await
    }

    /// The page's HTML.
    pub async fn source(&self) -> String {
        self.call(Method::GET, &self.at("/source"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Runs `script` (async form: it calls `arguments[arguments.length - 1]` with its result).
    pub async fn execute_async(&self, script: &str) -> Value {
        self.call(
            Method::POST,
            &self.at("/execute/async"),
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Saves a PNG screenshot of the page to `path`.
    pub async fn screenshot(&self, path: &Path) {
        let value = self.call(Method::GET, &self.at("/screenshot"), None).await;
        let png = base64_decode(value.as_str().unwrap());
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Ends the session (closes the browser).
    pub async fn quit(self) {
        let path = format!("/session/{}", self.session);
        self.call(Method::DELETE, &path, None).await;
    }
}

/// An element of the page.
pub struct Element<'a> {
    wd: &'a WebDriver,
    id: String,
}

impl Element<'_> {
    fn at(&self, rest: &str) -> String {
        self.wd.at(&format!("/element/{}{rest}", self.id))
    }

    /// Clicks it (and waits for a navigation it starts).
    pub async fn click(&self) {
        self.wd
            .call(Method::POST, &self.at("/click"), Some(json!({})))
            .await;
    }

    /// Types `text` into it.
    pub async fn send_keys(&self, text: &str) {
        self.wd
            .call(
                Method::POST,
                &self.at("/value"),
                Some(json!({ "text": text })),
            )
            .await;
    }

    /// Its rendered text.
    pub async fn text(&self) -> String {
        self.wd
            .call(Method::GET, &self.at("/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Its `value` property (an input's current value).
    pub async fn value(&self) -> String {
        self.wd
            .call(Method::GET, &self.at("/property/value"), None)
            .await
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
}

/// Standard base64 (RFC 4648) to bytes.
fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn base64_decodes_padding() {
    assert_eq!(base64_decode("aGk="), b"hi");
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
}
