//! Fixtures: one sandbox PKI per test binary, driver configurations for its devices, a
//! fault-injecting TCP proxy, a TLS server answering a proxy's HTML 502 page, tinyproxy.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use elig_client::gateway::{CallId, GatewayRequest, Route};
use elig_client::https::{HttpsConfig, RetryPolicy, Timeouts, TlsIdentity};
use elig_sandbox::access_log::MemoryAccessLog;
use elig_sandbox::pki::DeviceCredentials;
use elig_sandbox::{Sandbox, SandboxConfig, SandboxHandle};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// The embedded default sandbox configuration, generated once per test binary.
pub fn base_config() -> SandboxConfig {
    static C: OnceLock<SandboxConfig> = OnceLock::new();
    C.get_or_init(|| SandboxConfig::embedded_default().unwrap())
        .clone()
}

pub struct Running {
    pub handle: SandboxHandle,
    pub log: Arc<MemoryAccessLog>,
}

impl Running {
    pub fn count(&self, route: &str) -> usize {
        self.log
            .entries()
            .iter()
            .filter(|e| e.route == route)
            .count()
    }
}

pub async fn start() -> Running {
    let log = Arc::new(MemoryAccessLog::new(1000));
    let handle = Sandbox::start(base_config().with_access_log(log.clone()))
        .await
        .unwrap();
    Running { handle, log }
}

pub fn clinic() -> DeviceCredentials {
    base_config().pki.device("clinic").unwrap().clone()
}

pub fn identity_of(device: &DeviceCredentials, gateway_ca: &[u8]) -> TlsIdentity {
    TlsIdentity::from_der(
        gateway_ca,
        &device.cert_der,
        &device.key.to_pkcs8_der().unwrap(),
    )
}

pub fn identity() -> TlsIdentity {
    identity_of(&clinic(), base_config().pki.gateway_ca().cert_der())
}

/// Short timeouts so failures show quickly; total 5 s.
pub fn quick_timeouts() -> Timeouts {
    let mut t = Timeouts::default();
    t.connect = Duration::from_secs(2);
    t.proxy_connect = Duration::from_secs(2);
    t.tls_handshake = Duration::from_secs(2);
    t.request_write = Duration::from_secs(2);
    t.response_head = Duration::from_secs(2);
    t.body_read = Duration::from_secs(2);
    t.total = Duration::from_secs(5);
    t
}

pub fn quick_retry() -> RetryPolicy {
    let mut r = RetryPolicy::default();
    r.initial_backoff = Duration::from_millis(20);
    r
}

pub fn config(addr: SocketAddr) -> HttpsConfig {
    HttpsConfig::new(&format!("https://{addr}"), identity())
        .unwrap()
        .with_timeouts(quick_timeouts())
        .with_retry(quick_retry())
}

pub fn challenge(id: u64) -> GatewayRequest {
    GatewayRequest {
        id: CallId(id),
        route: Route::Challenge,
        body: br#"{"version":1}"#.to_vec(),
    }
}

/// An inquiry the sandbox refuses as malformed (still logged as one inquiry): enough to count
/// how many inquiries reached it.
pub fn inquiry(id: u64) -> GatewayRequest {
    GatewayRequest {
        id: CallId(id),
        route: Route::Inquiry,
        body: br#"{"version":1}"#.to_vec(),
    }
}

/// What the fault proxy does to the traffic.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Delays every chunk by this long, each way.
    Latency(Duration),
    /// On the first `connections` connections: forwards the request, then closes the
    /// connection when the answer starts (the gateway logged the request).
    DropAnswer { connections: usize },
    /// Forwards the request and holds the answer forever (a stall).
    HoldAnswer,
    /// Forwards this many bytes client→server (the handshake and part of the request), then
    /// closes the connection mid-request.
    CutRequestAfter(usize),
}

pub struct FaultProxy {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
}

/// A TCP proxy to `upstream` applying `fault`; `log` tells when the gateway handled a request.
pub async fn fault_proxy(
    upstream: SocketAddr,
    fault: Fault,
    log: Arc<MemoryAccessLog>,
) -> FaultProxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let log = log.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                match fault {
                    Fault::Latency(d) => {
                        tokio::join!(delayed_pump(cr, sw, d), delayed_pump(sr, cw, d));
                    }
                    Fault::DropAnswer { connections } => {
                        let start = log.entries().len();
                        let watch = move || n < connections && log.entries().len() > start;
                        tokio::select! {
                            () = pump(cr, sw) => {}
                            () = answer_pump(sr, cw, watch, false) => {}
                        }
                    }
                    Fault::CutRequestAfter(limit) => {
                        tokio::select! {
                            () = limited_pump(cr, sw, limit) => {}
                            () = pump(sr, cw) => {}
                        }
                    }
                    Fault::HoldAnswer => {
                        let start = log.entries().len();
                        let watch = move || log.entries().len() > start;
                        tokio::select! {
                            () = pump(cr, sw) => {}
                            () = answer_pump(sr, cw, watch, true) => {}
                        }
                    }
                }
            });
        }
    });
    FaultProxy { addr, connections }
}

async fn pump(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Forwards `limit` bytes, then returns (the caller drops the connection).
async fn limited_pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    limit: usize,
) {
    let mut buf = vec![0u8; 1024];
    let mut left = limit;
    while left > 0 {
        let want = left.min(buf.len());
        match from.read(&mut buf[..want]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&buf[..n]).await.is_err() {
                    return;
                }
                left -= n;
            }
        }
    }
}

/// Forwards server→client until `answered()` says the gateway handled the request; then drops
/// the connection (`hold == false`) or holds the answer forever.
async fn answer_pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    answered: impl Fn() -> bool,
    hold: bool,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if answered() {
                    if hold {
                        std::future::pending::<()>().await;
                    }
                    return;
                }
                if to.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Latency, not bandwidth: each chunk is delivered `delay` after it was read.
async fn delayed_pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
) {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let reader = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if tx
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
    };
    let writer = async move {
        while let Some((at, chunk)) = rx.recv().await {
            tokio::time::sleep_until(at).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

/// A TLS server with the gateway's certificate that answers every request with a proxy's
/// `502` HTML page padded with `padding` spaces (what a reverse proxy in front of the gateway says when it is down).
pub async fn html_502_server(padding: usize) -> SocketAddr {
    let page = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        " ".repeat(padding)
    );
    answer_server(502, "text/html".to_owned(), page.into_bytes()).await
}

/// A TLS server with the gateway's certificate (no client authentication) that answers
/// every request with `status`, `content_type` and `body`, then closes the connection: a
/// reverse proxy's error page, a 5xx, a broken body in the gateway's place.
pub async fn answer_server(status: u16, content_type: String, body: Vec<u8>) -> SocketAddr {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    let pki = base_config().pki;
    let server = pki.server();
    let config = rustls::ServerConfig::builder_with_provider(elig_sandbox::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(server.cert_der.clone())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server.key.to_pkcs8_der().unwrap())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut answer = format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if tls.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                let _ = tls.write_all(&answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    addr
}
