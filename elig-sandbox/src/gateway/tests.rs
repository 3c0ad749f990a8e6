use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use hyper::body::Frame;

use super::*;
use crate::access_log::MemoryAccessLog;
use crate::clock::SystemClock;
use crate::pki::TestPki;

/// A body of unknown length (no Content-Length, like chunked transfer) that counts the
/// chunks the gateway pulled.
struct Chunks {
    left: usize,
    pulled: Arc<AtomicUsize>,
}

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        self.left = self.left.saturating_sub(1);
        self.pulled.fetch_add(1, Ordering::SeqCst);
        Poll::Ready(Some(Ok(Frame::data(Bytes::from(vec![b' '; 8192])))))
    }
}

/// A body whose bytes never arrive (a client that announced a body and stalls).
struct Stalled;

impl hyper::body::Body for Stalled {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Pending
    }
}

/// The registry and the PKI of this module's gateways (issued today).
fn unit_pki() -> &'static (Arc<Registry>, TestPki) {
    static PKI: std::sync::OnceLock<(Arc<Registry>, TestPki)> = std::sync::OnceLock::new();
    PKI.get_or_init(|| {
        let registry = Arc::new(Registry::default_registry().unwrap());
        let pki = TestPki::generate(b"gateway unit", &registry.pki_plan()).unwrap();
        (registry, pki)
    })
}

/// A gateway on a PKI of its own, the `clinic` device's connection, and its log.
fn gateway() -> (Gateway, ConnectionInfo, Arc<MemoryAccessLog>) {
    let (registry, pki) = unit_pki();
    let verifier = Verifier::new(pki).unwrap();
    let (device, until) = verifier
        .device_until(&pki.device("clinic").unwrap().cert_der, SystemTime::now())
        .unwrap();
    let log = Arc::new(MemoryAccessLog::new(10));
    let gateway = Gateway {
        verifier,
        registry: registry.clone(),
        challenges: ChallengeStore::new(std::time::Duration::from_secs(60), 10, 10),
        clock: Arc::new(SystemClock),
        log: log.clone(),
        max_body_bytes: usize::MAX,
        body_read_timeout: Duration::from_millis(200),
    };
    let conn = ConnectionInfo {
        peer: None,
        device: Some(device),
        device_until: until,
    };
    (gateway, conn, log)
}

#[tokio::test]
async fn a_stalled_body_is_given_up_on() {
    let (gateway, conn, log) = gateway();
    let request = Request::builder()
        .method(Method::POST)
        .uri(proto::PATH_INQUIRY)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, "100")
        .body(Stalled)
        .unwrap();
    // The guard only keeps a broken gateway from hanging the test; the limit is 200 ms.
    let response = tokio::time::timeout(Duration::from_secs(30), gateway.handle(&conn, request))
        .await
        .expect("the gateway waits for a stalled body forever");
    assert_eq!(response.status(), 400);
    assert_eq!(log.entries()[0].outcome, "malformed_request");
}

#[tokio::test]
async fn a_body_without_length_is_cut_at_the_limit() {
    let (gateway, conn, log) = gateway();
    let pulled = Arc::new(AtomicUsize::new(0));
    let request = Request::builder()
        .method(Method::POST)
        .uri(proto::PATH_INQUIRY)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Chunks {
            left: 100,
            pulled: pulled.clone(),
        })
        .unwrap();
    let response = gateway.handle(&conn, request).await;
    assert_eq!(response.status(), 413);
    // 16 KiB limit, 8 KiB chunks: the third chunk crosses it and reading stops there.
    assert_eq!(pulled.load(Ordering::SeqCst), 3);
    assert_eq!(log.entries()[0].outcome, "body_too_large");
}

#[tokio::test]
async fn a_malformed_search_value_is_not_echoed() {
    let (gateway, conn, _log) = gateway();
    let facility = conn.device.as_ref().unwrap().facility.clone();
    let date = voucher_model::Date::new(2026, 4, 1).unwrap();
    let draft = crate::inquiry::unsigned("req-1", &facility, date, None, &[0x30; 100]).unwrap();
    let midnight = voucher_model::DateTime::new(date, 0, 0, 0).unwrap();
    let request = crate::inquiry::with_visual(draft, "", midnight, false).unwrap();
    let body = String::from_utf8(proto::encode(&request).unwrap()).unwrap();
    for search in [
        r#"{"Birthdate":"19730230"}"#,
        r#"{"Birthdate":"1973-0X"}"#,
        r#"{"InsurerNumber":"19730X30"}"#,
        r#"{"Name1973":"x"}"#,
    ] {
        let body = body.replacen(
            "{\"version\":1,",
            &format!("{{\"version\":1,\"search\":{search},"),
            1,
        );
        let request = Request::builder()
            .method(Method::POST)
            .uri(proto::PATH_INQUIRY)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let response = gateway.handle(&conn, request).await;
        assert_eq!(response.status(), 400, "{search}");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let rejection: Rejection = proto::decode(&bytes).unwrap();
        assert_eq!(rejection.reason, RejectReason::MalformedRequest);
        assert!(
            !rejection.message.contains("1973"),
            "{search}: {}",
            rejection.message
        );
    }
}

#[tokio::test]
async fn a_connection_outliving_its_device_certificate_is_no_longer_a_device() {
    let (mut gateway, conn, log) = gateway();
    let clock = Arc::new(crate::clock::FakeClock::new(SystemTime::now()));
    gateway.clock = clock.clone();
    let ask = || {
        Request::builder()
            .method(Method::POST)
            .uri(proto::PATH_CHALLENGE)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from_static(b"{\"version\":1}")))
            .unwrap()
    };
    assert_eq!(gateway.handle(&conn, ask()).await.status(), 200);
    // The same connection, once the device certificate (issued today, valid 10 years) has
    // expired.
    let cert: x509_cert::Certificate =
        der::Decode::from_der(&unit_pki().1.device("clinic").unwrap().cert_der).unwrap();
    let not_after = cert.tbs_certificate().validity().not_after.to_system_time();
    clock.set(not_after + Duration::from_secs(1));
    assert_eq!(gateway.handle(&conn, ask()).await.status(), 403);
    let last = log.entries().pop().unwrap();
    assert_eq!(last.outcome, "unknown_device");
    assert_eq!(last.facility, None);
}

#[tokio::test]
async fn an_extension_method_is_not_logged_verbatim() {
    let (gateway, conn, log) = gateway();
    let request = Request::builder()
        .method(Method::from_bytes(b"YAMADA-19730101").unwrap())
        .uri(proto::PATH_CHALLENGE)
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(gateway.handle(&conn, request).await.status(), 405);
    let request = Request::builder()
        .method(Method::GET)
        .uri(proto::PATH_CHALLENGE)
        .body(Full::new(Bytes::new()))
        .unwrap();
    assert_eq!(gateway.handle(&conn, request).await.status(), 405);
    let methods: Vec<String> = log.entries().into_iter().map(|e| e.method).collect();
    assert_eq!(methods, ["other", "GET"]);
}

/// Deeply nested JSON inside the body (where `search` and the proof are parsed) is refused as
/// malformed, within the size limit, without exhausting the stack.
#[tokio::test]
async fn deeply_nested_json_is_malformed() {
    let (gateway, conn, _log) = gateway();
    for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
        for field in ["search", "proof", "facility"] {
            let depth = 2000;
            let body = format!(
                "{{\"version\":1,\"{field}\":{}1{}}}",
                open.repeat(depth),
                close.repeat(depth)
            );
            assert!(body.len() <= InquiryRequest::MAX_BYTES);
            let request = Request::builder()
                .method(Method::POST)
                .uri(proto::PATH_INQUIRY)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from(body)))
                .unwrap();
            let response = gateway.handle(&conn, request).await;
            assert_eq!(response.status(), 400, "{field} {open}");
        }
    }
}
