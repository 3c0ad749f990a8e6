//! The HTTPS gateway driver: hyper 1 + rustls 0.23 (ring), behind the cargo feature `tokio`.
//!
//! [`HttpsGateway`] keeps one keep-alive connection to the gateway across checks and opens a
//! new one when it was closed; new connections resume the TLS session (rustls' in-memory
//! client session cache). Every step has its own timeout ([`Timeouts`]) inside a total
//! budget per request. [`BlockingHttpsGateway`] wraps it with a current-thread runtime of its
//! own and implements [`GatewayTransport`](crate::gateway::GatewayTransport).
//!
//! # Retries (this project's rule)
//! A request is sent again, after a backoff and within the total budget, only when that is
//! safe:
//! - a **challenge** after any transient failure (network, timeout, dropped connection):
//!   asking for another challenge is harmless;
//! - an **inquiry** only if the connection failed *before any byte of it was written*
//!   (name resolution, TCP connect, proxy tunnel, TLS handshake, or a kept connection found
//!   closed before writing). Once a byte was handed to the connection, the gateway may have
//!   received the inquiry and answered it: sending it again could turn one check into two
//!   verdicts, so the failure goes to the caller ([`DroppedAfterWrite`], a timeout of a
//!   later step). "Written" is counted conservatively: a write that failed half way counts.
//!
//! An HTTP status is never retried here (5xx, a proxy's 502 page): it is an answer, handed
//! to the caller as status + body for elig-proto to classify.
//!
//! # Proxies
//! With [`ProxySetting::Connect`] (or [`ProxySetting::from_env`]: `HTTPS_PROXY`,
//! `NO_PROXY`), the driver opens an HTTP `CONNECT` tunnel and runs TLS to the gateway
//! through it; a non-200 `CONNECT` answer is [`ProxyRefused`].
//!
//! [`DroppedAfterWrite`]: crate::gateway::GatewayTransportError::DroppedAfterWrite
//! [`ProxyRefused`]: crate::gateway::GatewayTransportError::ProxyRefused

mod blocking;
mod connect;
mod io;
mod proxy;
mod tls;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::task::JoinHandle;

pub use blocking::BlockingHttpsGateway;
pub use proxy::{ProxyAddr, ProxySetting};
pub use tls::TlsIdentity;

use crate::gateway::{GatewayRequest, GatewayResponse, GatewayTransportError, Step};
use io::Progress;

/// Per-step timeouts and the total budget of one request (retries included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Timeouts {
    /// Name resolution and TCP connect (to the gateway or the proxy).
    pub connect: Duration,
    /// The proxy's answer to `CONNECT`.
    pub proxy_connect: Duration,
    /// The TLS handshake.
    pub tls_handshake: Duration,
    /// Writing the request (until it is flushed to the connection).
    pub request_write: Duration,
    /// From the request written to the answer's head.
    pub response_head: Duration,
    /// Reading the answer's body.
    pub body_read: Duration,
    /// Everything, retries and backoff included.
    pub total: Duration,
}

impl Default for Timeouts {
    /// Connect 5 s, proxy 5 s, TLS 5 s, write 5 s, answer 15 s, body 10 s, total 30 s:
    /// this project's choice for a reception desk (an operator waits, a mobile line is slow).
    fn default() -> Self {
        let s = Duration::from_secs;
        Self {
            connect: s(5),
            proxy_connect: s(5),
            tls_handshake: s(5),
            request_write: s(5),
            response_head: s(15),
            body_read: s(10),
            total: s(30),
        }
    }
}

/// How often and how patiently safe requests are retried (see the module docs for which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles each retry.
    pub initial_backoff: Duration,
    /// Longest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, 200 ms then 400 ms, capped at 2 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }
}

/// Everything the driver needs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpsConfig {
    /// Gateway host: a DNS name or an IP address (IPv6 without brackets).
    pub host: String,
    /// Gateway port.
    pub port: u16,
    /// Device certificate, key and the gateway CA.
    pub identity: TlsIdentity,
    /// Direct, or through a `CONNECT` proxy.
    pub proxy: ProxySetting,
    /// Timeouts.
    pub timeouts: Timeouts,
    /// Retries.
    pub retry: RetryPolicy,
}

impl HttpsConfig {
    /// A configuration for `https://host:port` (or `host:port`, `[v6]:port`; port 443 when
    /// absent), direct, default timeouts and retries.
    pub fn new(url: &str, identity: TlsIdentity) -> Result<Self, GatewayTransportError> {
        let rest = url.strip_prefix("https://").unwrap_or(url);
        let rest = rest.trim_end_matches('/');
        let (host, port) = proxy::split_host_port(rest, 443)
            .filter(|_| !rest.contains('/') && !rest.contains('@'))
            .ok_or_else(|| GatewayTransportError::Config {
                reason: format!("gateway URL {url:?}: expected https://host[:port]"),
            })?;
        Ok(Self {
            host,
            port,
            identity,
            proxy: ProxySetting::Direct,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        })
    }

    /// Sets the proxy.
    pub fn with_proxy(mut self, proxy: ProxySetting) -> Self {
        self.proxy = proxy;
        self
    }

    /// Sets the timeouts.
    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// Sets the retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
}

/// Counters of what the driver did (for tests, diagnostics and the operator's screen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportStats {
    /// Connections opened (TLS established).
    pub connections: u64,
    /// Of those, how many resumed an earlier TLS session.
    pub resumed: u64,
    /// Requests sent on a connection (attempts, retries included).
    pub attempts: u64,
    /// Retries made.
    pub retries: u64,
}

/// The kept connection.
#[derive(Debug)]
struct Connection {
    sender: SendRequest<Full<Bytes>>,
    progress: Arc<Progress>,
    task: JoinHandle<()>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The async HTTPS gateway driver (one kept connection; `&mut self` per request).
#[derive(Debug)]
pub struct HttpsGateway {
    config: HttpsConfig,
    tls: Arc<ClientConfig>,
    server_name: ServerName<'static>,
    connection: Option<Connection>,
    stats: TransportStats,
}

impl HttpsGateway {
    /// A driver for `config` (nothing is connected until the first request).
    pub fn new(config: HttpsConfig) -> Result<Self, GatewayTransportError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let tls = config.identity.client_config(provider)?;
        let server_name = ServerName::try_from(config.host.clone()).map_err(|_| {
            GatewayTransportError::Config {
                reason: format!("{:?} is neither a DNS name nor an IP address", config.host),
            }
        })?;
        Ok(Self {
            config,
            tls,
            server_name,
            connection: None,
            stats: TransportStats::default(),
        })
    }

    /// What the driver did so far.
    pub fn stats(&self) -> TransportStats {
        self.stats
    }

    /// Closes the kept connection (the next request opens a new one, resuming TLS).
    pub fn disconnect(&mut self) {
        self.connection = None;
    }

    /// Sends `request` and returns the answer, whatever its status, within the total budget,
    /// retrying only where the module docs say it is safe.
    pub async fn send(
        &mut self,
        request: &GatewayRequest,
    ) -> Result<GatewayResponse, GatewayTransportError> {
        let total = self.config.timeouts.total;
        let deadline = Instant::now().checked_add(total);
        match tokio::time::timeout(total, self.send_with_retries(request, deadline)).await {
            Ok(result) => result,
            Err(_) => {
                // The connection may be mid-exchange: never reuse it.
                self.connection = None;
                Err(GatewayTransportError::Timeout { step: Step::Total })
            }
        }
    }

    async fn send_with_retries(
        &mut self,
        request: &GatewayRequest,
        deadline: Option<Instant>,
    ) -> Result<GatewayResponse, GatewayTransportError> {
        let policy = self.config.retry;
        let mut attempt: u32 = 1;
        loop {
            let (result, written) = self.attempt(request).await;
            let error = match result {
                Ok(response) => return Ok(response),
                Err(e) => e,
            };
            // Whatever failed, the connection is in an unknown state.
            self.connection = None;
            let safe = error.is_transient() && (request.route.is_idempotent() || !written);
            if !safe || attempt >= policy.max_attempts {
                return Err(error);
            }
            let pause = backoff(policy.initial_backoff, policy.max_backoff, attempt);
            if deadline.is_some_and(|d| Instant::now().checked_add(pause).is_none_or(|t| t >= d)) {
                return Err(error);
            }
            tokio::time::sleep(pause).await;
            attempt = attempt.saturating_add(1);
            self.stats.retries = self.stats.retries.saturating_add(1);
        }
    }

    /// One attempt: the result, and whether any byte of the request was written.
    async fn attempt(
        &mut self,
        request: &GatewayRequest,
    ) -> (Result<GatewayResponse, GatewayTransportError>, bool) {
        if self.connection.is_some() {
            // Let the kept connection's task see a close that arrived while it was idle (the
            // blocking wrapper polls it only during requests): a connection found closed now
            // is replaced before any byte is written. A close racing the write itself stays
            // possible; it counts as written (see the module docs).
            for _ in 0..2 {
                tokio::task::yield_now().await;
            }
        }
        let reusable = self
            .connection
            .as_ref()
            .is_some_and(|c| !c.sender.is_closed() && c.sender.is_ready());
        if !reusable {
            self.connection = None;
            match connect::open(&self.config, &self.tls, &self.server_name).await {
                Ok((connection, resumed)) => {
                    self.stats.connections = self.stats.connections.saturating_add(1);
                    if resumed {
                        self.stats.resumed = self.stats.resumed.saturating_add(1);
                    }
                    self.connection = Some(connection);
                }
                Err(e) => return (Err(e), false),
            }
        }
        let Some(connection) = self.connection.as_mut() else {
            return (Err(GatewayTransportError::DroppedBeforeWrite), false);
        };
        self.stats.attempts = self.stats.attempts.saturating_add(1);
        let mark = connection.progress.attempted();
        let result = exchange(connection, &self.config, request, mark).await;
        let written = connection.progress.attempted() > mark;
        let result = result.map_err(|e| match e {
            // hyper's "closed" is before or after writing depending on the count.
            GatewayTransportError::DroppedAfterWrite if !written => {
                GatewayTransportError::DroppedBeforeWrite
            }
            other => other,
        });
        (result, written)
    }
}

/// Sends one request on `connection` with the request-write, response-head and body-read
/// timeouts.
async fn exchange(
    connection: &mut Connection,
    config: &HttpsConfig,
    request: &GatewayRequest,
    mark: u64,
) -> Result<GatewayResponse, GatewayTransportError> {
    let t = config.timeouts;
    let route = request.route;
    let authority = if config.host.contains(':') {
        format!("[{}]:{}", config.host, config.port)
    } else {
        format!("{}:{}", config.host, config.port)
    };
    let http_request = Request::builder()
        .method(Method::POST)
        .uri(route.path())
        .header(header::HOST, authority)
        .header(header::CONTENT_TYPE, elig_proto::gateway::CONTENT_TYPE)
        .header(header::ACCEPT, elig_proto::gateway::CONTENT_TYPE)
        .body(Full::new(Bytes::from(request.body.clone())))
        .map_err(|e| GatewayTransportError::Http {
            reason: format!("request not buildable: {e}"),
        })?;
    let progress = connection.progress.clone();
    let send = connection.sender.send_request(http_request);
    tokio::pin!(send);
    // Step 1: until the request is flushed (or an early answer / failure).
    let early = tokio::select! {
        r = &mut send => Some(r),
        () = progress.flushed_past(mark) => None,
        () = tokio::time::sleep(t.request_write) => {
            return Err(GatewayTransportError::Timeout { step: Step::RequestWrite });
        }
    };
    // Step 2: the answer's head.
    let response = match early {
        Some(r) => r,
        None => tokio::time::timeout(t.response_head, &mut send)
            .await
            .map_err(|_| GatewayTransportError::Timeout {
                step: Step::ResponseHead,
            })?,
    }
    .map_err(|e| connect::hyper_error(&e))?;
    let status = response.status().as_u16();
    let limit = route.max_response_bytes();
    let announced = response
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(GatewayTransportError::BodyTooLarge { limit });
    }
    // Step 3: the body, bounded.
    let body = tokio::time::timeout(
        t.body_read,
        Limited::new(response.into_body(), limit).collect(),
    )
    .await
    .map_err(|_| GatewayTransportError::Timeout {
        step: Step::BodyRead,
    })?
    .map_err(|e| {
        if e.is::<http_body_util::LengthLimitError>() {
            GatewayTransportError::BodyTooLarge { limit }
        } else if let Some(h) = e.downcast_ref::<hyper::Error>() {
            connect::hyper_error(h)
        } else {
            GatewayTransportError::DroppedAfterWrite
        }
    })?
    .to_bytes();
    Ok(GatewayResponse {
        id: request.id,
        status,
        body: body.to_vec(),
    })
}

/// Backoff before retry number `retry` (1-based): `initial × 2^(retry-1)`, capped at `max`.
fn backoff(initial: Duration, max: Duration, retry: u32) -> Duration {
    let shift = retry.saturating_sub(1).min(16);
    initial.saturating_mul(1u32 << shift).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let ms = Duration::from_millis;
        assert_eq!(backoff(ms(100), ms(1000), 1), ms(100));
        assert_eq!(backoff(ms(100), ms(1000), 3), ms(400));
        assert_eq!(backoff(ms(100), ms(1000), 9), ms(1000));
    }
}
