//! The HTTPS driver over real TLS on loopback against the in-process sandbox: mutual TLS,
//! keep-alive reuse, TLS resumption, typed failures, a proxy's HTML page, tinyproxy, and a
//! fault-injecting proxy (latency, stalls, drops; a dropped inquiry is never sent twice).
#![cfg(feature = "tokio")]
#![allow(clippy::unwrap_used, clippy::panic, clippy::print_stderr)]

mod https_fixtures;

use std::time::{Duration, Instant};

use elig_client::gateway::{
    CallId, GatewayTransport as _, GatewayTransportError as E, Route, Step, TlsFailure,
};
use elig_client::https::{
    BlockingHttpsGateway, HttpsConfig, HttpsGateway, ProxyAddr, ProxySetting, RetryPolicy,
};
use https_fixtures::*;

#[tokio::test]
async fn challenge_over_mutual_tls_and_one_kept_connection() {
    let sb = start().await;
    let mut gw = HttpsGateway::new(config(sb.handle.addr())).unwrap();
    let a = gw.send(&challenge(7)).await.unwrap();
    assert_eq!((a.id, a.status), (CallId(7), 200));
    assert!(std::str::from_utf8(&a.body).unwrap().contains("challenge"));
    let b = gw.send(&challenge(8)).await.unwrap();
    assert_eq!(b.status, 200);
    assert_ne!(a.body, b.body, "two challenges differ");
    let s = gw.stats();
    assert_eq!((s.connections, s.attempts, s.retries), (1, 2, 0), "{s:?}");
    assert_eq!(sb.count("challenge"), 2);
}

#[tokio::test]
async fn a_connection_the_gateway_closed_is_re_established() {
    let log = std::sync::Arc::new(elig_sandbox::access_log::MemoryAccessLog::new(100));
    let mut limits = elig_sandbox::Limits::default();
    // The sandbox closes a keep-alive connection idle this long.
    limits.header_read_timeout = Duration::from_millis(200);
    let handle = elig_sandbox::Sandbox::start(
        base_config()
            .with_access_log(log.clone())
            .with_limits(limits),
    )
    .await
    .unwrap();
    let mut gw = HttpsGateway::new(config(handle.addr())).unwrap();
    assert_eq!(gw.send(&challenge(1)).await.unwrap().status, 200);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // An inquiry too: the closed connection is noticed before any byte is written.
    assert_eq!(gw.send(&inquiry(2)).await.unwrap().status, 400);
    let s = gw.stats();
    assert_eq!((s.connections, s.resumed), (2, 1), "{s:?}");
    assert_eq!(
        log.entries()
            .iter()
            .filter(|e| e.route == "inquiry")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_second_connection_resumes_tls_and_dns_names_work() {
    let sb = start().await;
    let url = format!("https://localhost:{}", sb.handle.addr().port());
    let mut gw = HttpsGateway::new(
        HttpsConfig::new(&url, identity())
            .unwrap()
            .with_timeouts(quick_timeouts()),
    )
    .unwrap();
    assert_eq!(gw.send(&challenge(1)).await.unwrap().status, 200);
    gw.disconnect();
    assert_eq!(gw.send(&challenge(2)).await.unwrap().status, 200);
    let s = gw.stats();
    assert_eq!((s.connections, s.resumed), (2, 1), "{s:?}");
}

#[test]
fn blocking_wrapper_implements_the_transport_trait() {
    let sb = elig_sandbox::Sandbox::start_background(base_config()).unwrap();
    let mut gw = BlockingHttpsGateway::new(config(sb.addr())).unwrap();
    let answer = gw.send(&challenge(3)).unwrap();
    assert_eq!((answer.id, answer.status), (CallId(3), 200));
    assert_eq!(gw.send(&challenge(4)).unwrap().status, 200);
    assert_eq!(gw.stats().connections, 1);
}

#[test]
fn the_blocking_wrapper_replaces_a_connection_closed_between_checks() {
    let log = std::sync::Arc::new(elig_sandbox::access_log::MemoryAccessLog::new(100));
    let mut limits = elig_sandbox::Limits::default();
    limits.header_read_timeout = Duration::from_millis(200);
    let sb = elig_sandbox::Sandbox::start_background(
        base_config()
            .with_access_log(log.clone())
            .with_limits(limits),
    )
    .unwrap();
    let mut gw = BlockingHttpsGateway::new(config(sb.addr())).unwrap();
    assert_eq!(gw.send(&challenge(1)).unwrap().status, 200);
    std::thread::sleep(Duration::from_millis(600));
    // The inquiry is sent once, on a new connection, and answered.
    assert_eq!(gw.send(&inquiry(2)).unwrap().status, 400);
    let s = gw.stats();
    assert_eq!((s.connections, s.retries), (2, 0), "{s:?}");
    assert_eq!(
        log.entries()
            .iter()
            .filter(|e| e.route == "inquiry")
            .count(),
        1
    );
}

#[tokio::test]
async fn wrong_gateway_ca_is_an_untrusted_server() {
    let sb = start().await;
    let pki = base_config().pki;
    let identity = identity_of(&clinic(), pki.device_ca().cert_der());
    let config = HttpsConfig::new(&format!("https://{}", sb.handle.addr()), identity)
        .unwrap()
        .with_timeouts(quick_timeouts());
    let mut gw = HttpsGateway::new(config).unwrap();
    let err = gw.send(&challenge(1)).await.unwrap_err();
    assert_eq!(err, E::Tls(TlsFailure::UntrustedServer));
    assert_eq!(gw.stats().retries, 0, "a TLS failure is not transient");
    assert_eq!(sb.count("challenge"), 0);
}

#[tokio::test]
async fn a_device_not_issued_by_the_device_ca_is_refused_typed() {
    let sb = start().await;
    let rogue_ca =
        elig_sandbox::pki::Authority::generate(b"rogue", "CN=Rogue CA,O=Somebody else,C=JP")
            .unwrap();
    let rogue =
        elig_sandbox::pki::DeviceCredentials::issue(&rogue_ca, 99, "rogue", &clinic().facility)
            .unwrap();
    let identity = identity_of(&rogue, base_config().pki.gateway_ca().cert_der());
    let config = HttpsConfig::new(&format!("https://{}", sb.handle.addr()), identity)
        .unwrap()
        .with_timeouts(quick_timeouts());
    let mut gw = HttpsGateway::new(config).unwrap();
    match gw.send(&challenge(1)).await {
        // The sandbox defers the device check to the application: a typed rejection.
        Ok(answer) => {
            assert!((400..500).contains(&answer.status), "{answer:?}");
            let body = String::from_utf8(answer.body).unwrap();
            assert!(body.contains("unknown_device"), "{body}");
        }
        Err(e) => assert_eq!(e, E::Tls(TlsFailure::ClientCertificateRefused)),
    }
}

#[tokio::test]
async fn an_expired_device_certificate_is_refused_typed() {
    // The client's device certificate was issued today, valid 10 years: the sandbox's clock
    // is put 11 years on instead (the client checks the server certificate by the real
    // clock; the sandbox signs its CRLs for its own day when it starts).
    let eleven_years = std::time::Duration::from_secs(11 * 365 * 86_400);
    let clock = std::sync::Arc::new(elig_sandbox::clock::FakeClock::new(
        std::time::SystemTime::now() + eleven_years,
    ));
    let handle = elig_sandbox::Sandbox::start(base_config().with_clock(clock))
        .await
        .unwrap();
    let mut gw = HttpsGateway::new(config(handle.addr())).unwrap();
    match gw.send(&challenge(1)).await {
        Ok(answer) => {
            assert!((400..500).contains(&answer.status), "{answer:?}");
            let body = String::from_utf8(answer.body).unwrap();
            assert!(body.contains("unknown_device"), "{body}");
        }
        Err(e) => assert_eq!(e, E::Tls(TlsFailure::ClientCertificateRefused)),
    }
}

#[tokio::test]
async fn closed_port_is_unreachable_after_retries_for_a_challenge() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut gw = HttpsGateway::new(config(addr)).unwrap();
    let err = gw.send(&challenge(1)).await.unwrap_err();
    assert_eq!(err, E::Unreachable { proxy: false });
    assert!(!err.may_have_reached_gateway());
    assert_eq!(gw.stats().retries, 2, "3 attempts in all");
    // Nothing was written: an inquiry may be retried too.
    let err = gw.send(&inquiry(2)).await.unwrap_err();
    assert_eq!(err, E::Unreachable { proxy: false });
    assert_eq!(gw.stats().retries, 4);
}

#[tokio::test]
async fn a_listener_that_never_answers_times_out_in_the_handshake() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let mut cfg = config(addr);
    cfg.timeouts.tls_handshake = Duration::from_millis(300);
    cfg.retry = RetryPolicy::default();
    cfg.retry.max_attempts = 1;
    let mut gw = HttpsGateway::new(cfg).unwrap();
    let started = Instant::now();
    let err = gw.send(&inquiry(1)).await.unwrap_err();
    assert_eq!(
        err,
        E::Timeout {
            step: Step::TlsHandshake
        }
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_proxy_html_502_reaches_the_caller_as_status_and_body() {
    let addr = html_502_server(0).await;
    let mut gw = HttpsGateway::new(config(addr)).unwrap();
    let answer = gw.send(&inquiry(5)).await.unwrap();
    assert_eq!((answer.id, answer.status), (CallId(5), 502));
    assert!(answer.body.starts_with(b"<html>"));
    assert_eq!(
        gw.stats().retries,
        0,
        "a status is an answer, never retried"
    );
    // elig-proto classifies it as a transport-level answer, not a gateway message.
    assert!(elig_proto::gateway::decode::<elig_proto::gateway::Rejection>(&answer.body).is_err());
}

#[tokio::test]
async fn an_answer_over_the_route_limit_is_refused_unread() {
    let addr = html_502_server(5000).await;
    let mut gw = HttpsGateway::new(config(addr)).unwrap();
    // 4,096 bytes for a challenge's answer (PROTOCOL.md); the same page fits an inquiry's.
    assert_eq!(
        gw.send(&challenge(1)).await.unwrap_err(),
        E::BodyTooLarge { limit: 4096 }
    );
    assert_eq!(gw.send(&inquiry(2)).await.unwrap().status, 502);
}

#[tokio::test]
async fn a_refused_connect_is_its_own_error() {
    // A "proxy" that refuses every CONNECT with 403.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy = listener.local_addr().unwrap();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf).await;
            let _ = s
                .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
    });
    let cfg = config("127.0.0.1:9".parse().unwrap()).with_proxy(ProxySetting::Connect {
        proxy: ProxyAddr {
            host: "127.0.0.1".into(),
            port: proxy.port(),
        },
        no_proxy: vec![],
    });
    let mut gw = HttpsGateway::new(cfg).unwrap();
    assert_eq!(
        gw.send(&challenge(1)).await.unwrap_err(),
        E::ProxyRefused { status: 403 }
    );
}

#[tokio::test]
async fn through_a_real_tinyproxy() {
    let Some(tinyproxy) = which("tinyproxy") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("tinyproxy is not installed (test.sh installs it)");
        }
        eprintln!("\n*** SKIPPED through_a_real_tinyproxy: tinyproxy is not installed ***\n");
        return;
    };
    let sb = start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let conf = dir.path().join("tinyproxy.conf");
    std::fs::write(
        &conf,
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 30\nAllow 127.0.0.1\nConnectPort {}\nLogLevel Info\nLogFile \"{}\"\nPidFile \"{}\"\nMaxClients 10\n",
            sb.handle.addr().port(),
            dir.path().join("tinyproxy.log").display(),
            dir.path().join("tinyproxy.pid").display(),
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(tinyproxy)
        .arg("-d")
        .arg("-c")
        .arg(&conf)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for it to listen.
    let deadline = Instant::now() + Duration::from_secs(5);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "tinyproxy did not start");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let env = |name: &str| match name {
        "HTTPS_PROXY" => Some(format!("http://127.0.0.1:{port}")),
        _ => None,
    };
    let cfg = config(sb.handle.addr()).with_proxy(ProxySetting::from_lookup(env).unwrap());
    let mut gw = HttpsGateway::new(cfg).unwrap();
    let first = gw.send(&challenge(1)).await;
    let second = gw.send(&inquiry(2)).await;
    // A port tinyproxy does not allow CONNECT to: its own refusal, typed.
    let mut refused = config("127.0.0.1:9".parse().unwrap());
    refused.proxy = ProxySetting::from_lookup(env).unwrap();
    let refused = HttpsGateway::new(refused)
        .unwrap()
        .send(&challenge(3))
        .await;
    let log = std::fs::read_to_string(dir.path().join("tinyproxy.log")).unwrap_or_default();
    // Stop it by its PID.
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(first.unwrap().status, 200);
    assert_eq!(
        second.unwrap().status,
        400,
        "the malformed inquiry reached the sandbox"
    );
    assert_eq!(gw.stats().connections, 1, "one tunnel kept");
    assert!(log.contains("CONNECT"), "tinyproxy log: {log}");
    assert!(
        matches!(refused, Err(E::ProxyRefused { status }) if status >= 400),
        "{refused:?}"
    );
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .chain(["/usr/bin".into(), "/usr/sbin".into()])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

#[tokio::test]
async fn latency_300ms_each_way_completes_within_budget() {
    let sb = start().await;
    let proxy = fault_proxy(
        sb.handle.addr(),
        Fault::Latency(Duration::from_millis(300)),
        sb.log.clone(),
    )
    .await;
    let mut gw = HttpsGateway::new(config(proxy.addr)).unwrap();
    let started = Instant::now();
    assert_eq!(gw.send(&challenge(1)).await.unwrap().status, 200);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1200),
        "two round trips: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn latency_1s_each_way_completes_within_budget() {
    let sb = start().await;
    let proxy = fault_proxy(
        sb.handle.addr(),
        Fault::Latency(Duration::from_secs(1)),
        sb.log.clone(),
    )
    .await;
    let mut cfg = config(proxy.addr);
    // TCP to the proxy is instant; TLS 1.3 needs one round trip (2 s here), the exchange one.
    cfg.timeouts.tls_handshake = Duration::from_secs(4);
    cfg.timeouts.response_head = Duration::from_secs(4);
    cfg.timeouts.total = Duration::from_secs(10);
    let mut gw = HttpsGateway::new(cfg).unwrap();
    let started = Instant::now();
    assert_eq!(gw.send(&challenge(1)).await.unwrap().status, 200);
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(4), "two round trips: {took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    assert_eq!(gw.stats().retries, 0);
}

#[tokio::test]
async fn an_inquiry_dropped_after_it_was_written_is_not_retried() {
    let sb = start().await;
    let proxy = fault_proxy(
        sb.handle.addr(),
        Fault::DropAnswer { connections: 10 },
        sb.log.clone(),
    )
    .await;
    let mut gw = HttpsGateway::new(config(proxy.addr)).unwrap();
    let err = gw.send(&inquiry(1)).await.unwrap_err();
    assert_eq!(err, E::DroppedAfterWrite);
    assert!(err.may_have_reached_gateway());
    assert_eq!(
        sb.count("inquiry"),
        1,
        "the sandbox saw exactly one inquiry"
    );
    assert_eq!(
        proxy.connections.load(std::sync::atomic::Ordering::SeqCst),
        1
    );
    assert_eq!(gw.stats().retries, 0);
}

#[tokio::test]
async fn an_inquiry_cut_mid_request_is_not_retried() {
    let sb = start().await;
    // The handshake is a few kilobytes; the 16,000-byte inquiry is cut half way.
    let proxy = fault_proxy(
        sb.handle.addr(),
        Fault::CutRequestAfter(10_000),
        sb.log.clone(),
    )
    .await;
    let mut gw = HttpsGateway::new(config(proxy.addr)).unwrap();
    let mut big = inquiry(1);
    big.body = format!(r#"{{"version":1,"pad":"{}"}}"#, "a".repeat(15_970)).into_bytes();
    assert!(big.body.len() <= elig_proto::gateway::MAX_REQUEST_BYTES);
    let started = Instant::now();
    let err = gw.send(&big).await.unwrap_err();
    assert_eq!(err, E::DroppedAfterWrite);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        proxy.connections.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "not retried"
    );
    assert!(sb.count("inquiry") <= 1);
    assert_eq!(gw.stats().retries, 0);
}

#[tokio::test]
async fn a_challenge_dropped_after_it_was_written_is_retried() {
    let sb = start().await;
    let proxy = fault_proxy(
        sb.handle.addr(),
        Fault::DropAnswer { connections: 1 },
        sb.log.clone(),
    )
    .await;
    let mut gw = HttpsGateway::new(config(proxy.addr)).unwrap();
    let answer = gw.send(&challenge(1)).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(gw.stats().retries, 1);
    assert_eq!(sb.count("challenge"), 2);
}

#[tokio::test]
async fn a_stalled_answer_times_out_at_the_head_and_is_not_retried() {
    let sb = start().await;
    let proxy = fault_proxy(sb.handle.addr(), Fault::HoldAnswer, sb.log.clone()).await;
    let mut cfg = config(proxy.addr);
    cfg.timeouts.response_head = Duration::from_millis(400);
    let mut gw = HttpsGateway::new(cfg).unwrap();
    let started = Instant::now();
    let err = gw.send(&inquiry(1)).await.unwrap_err();
    assert_eq!(
        err,
        E::Timeout {
            step: Step::ResponseHead
        }
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(sb.count("inquiry"), 1);
    assert_eq!(gw.stats().retries, 0);
    // A total budget smaller than the step timeouts wins.
    let mut cfg = config(proxy.addr);
    cfg.timeouts.total = Duration::from_millis(500);
    let mut gw = HttpsGateway::new(cfg).unwrap();
    assert_eq!(
        gw.send(&inquiry(2)).await.unwrap_err(),
        E::Timeout { step: Step::Total }
    );
    let _ = Route::Inquiry;
}
