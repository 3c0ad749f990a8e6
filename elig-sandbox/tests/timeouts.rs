//! Clients that connect and then stall give their connection slot back (the handshake,
//! idle keep-alive and body timeouts of [`Limits`]), and oversized headers are not
//! buffered: over real TCP and TLS.
// Helpers outside #[test] functions: a failure must fail the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use elig_sandbox::client::client_config;
use elig_sandbox::{Limits, Sandbox, SandboxConfig, SandboxHandle};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Only keeps a broken server from hanging the test; the limits below are 300 ms.
const GUARD: Duration = Duration::from_secs(30);

async fn start_with_short_timeouts() -> SandboxHandle {
    let mut limits = Limits::default();
    limits.handshake_timeout = Duration::from_millis(300);
    limits.header_read_timeout = Duration::from_millis(300);
    limits.body_read_timeout = Duration::from_millis(300);
    Sandbox::start(SandboxConfig::new(pki(), registry()).with_limits(limits))
        .await
        .unwrap()
}

async fn tls(handle: &SandboxHandle) -> tokio_rustls::client::TlsStream<TcpStream> {
    let device = device("clinic");
    let key = device.key.to_pkcs8_der().unwrap();
    let config = client_config(
        pki().gateway_ca().cert_der(),
        Some((&device.cert_der, &key)),
    )
    .unwrap();
    let tcp = TcpStream::connect(handle.addr()).await.unwrap();
    let name = ServerName::IpAddress(handle.addr().ip().into());
    TlsConnector::from(config).connect(name, tcp).await.unwrap()
}

/// Reads until the server closes the connection (EOF or error); returns what was read.
async fn read_to_close<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(GUARD, stream.read(&mut buf))
            .await
            .expect("the server kept a stalled connection open")
        {
            Ok(0) | Err(_) => return all,
            Ok(n) => all.extend_from_slice(buf.get(..n).unwrap()),
        }
    }
}

const CHALLENGE: &[u8] = b"POST /v1/challenge HTTP/1.1\r\nhost: 127.0.0.1\r\n\
content-type: application/json\r\ncontent-length: 13\r\n\r\n{\"version\":1}";

#[tokio::test]
async fn a_client_that_never_says_hello_is_dropped() {
    let handle = start_with_short_timeouts().await;
    let mut tcp = TcpStream::connect(handle.addr()).await.unwrap();
    assert!(read_to_close(&mut tcp).await.is_empty());
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let handle = start_with_short_timeouts().await;
    let mut stream = tls(&handle).await;
    stream.write_all(CHALLENGE).await.unwrap();
    // One answer, then nothing more from us: the server closes after the idle timeout.
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{answer:?}");
}

#[tokio::test]
async fn headers_that_never_end_are_given_up_on() {
    let handle = start_with_short_timeouts().await;
    let mut stream = tls(&handle).await;
    stream
        .write_all(b"POST /v1/challenge HTTP/1.1\r\nhost: 127.0.0.1\r\n")
        .await
        .unwrap();
    read_to_close(&mut stream).await;
}

#[tokio::test]
async fn a_body_that_never_arrives_is_given_up_on() {
    let handle = start_with_short_timeouts().await;
    let mut stream = tls(&handle).await;
    stream
        .write_all(
            b"POST /v1/challenge HTTP/1.1\r\nhost: 127.0.0.1\r\n\
content-type: application/json\r\ncontent-length: 13\r\n\r\n{\"vers",
        )
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with(b"HTTP/1.1 400"), "{answer:?}");
}

#[tokio::test]
async fn oversized_headers_are_refused() {
    let handle = start_with_short_timeouts().await;
    let mut stream = tls(&handle).await;
    let mut request = b"POST /v1/challenge HTTP/1.1\r\nhost: 127.0.0.1\r\n".to_vec();
    for i in 0..90 {
        request.extend_from_slice(format!("x-filler-{i}: {}\r\n", "a".repeat(1000)).as_bytes());
    }
    request.extend_from_slice(b"content-type: application/json\r\ncontent-length: 13\r\n\r\n");
    request.extend_from_slice(b"{\"version\":1}");
    // The server may close while we are still writing: that is a refusal too.
    let _ = stream.write_all(&request).await;
    let answer = read_to_close(&mut stream).await;
    assert!(
        !answer.starts_with(b"HTTP/1.1 200"),
        "90 KB of headers were accepted"
    );
}
