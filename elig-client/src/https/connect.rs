//! Opening a connection: name resolution, TCP, the proxy tunnel, TLS, HTTP/1.1 — each step
//! under its own timeout; and the mapping of hyper's errors.

use std::sync::Arc;

use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls::HandshakeKind;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::io::{Progress, Tracked};
use super::tls::{failure_of, find_rustls};
use super::{Connection, HttpsConfig, proxy};
use crate::gateway::{GatewayTransportError, Step};

/// Resolves `host:port` and connects to the first address that answers.
async fn tcp(host: &str, port: u16, via_proxy: bool) -> Result<TcpStream, GatewayTransportError> {
    let addrs: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| GatewayTransportError::Dns { proxy: via_proxy })?
        .collect();
    if addrs.is_empty() {
        return Err(GatewayTransportError::Dns { proxy: via_proxy });
    }
    for addr in addrs {
        if let Ok(stream) = TcpStream::connect(addr).await {
            // Small requests: no Nagle delay (best effort).
            let _ = stream.set_nodelay(true);
            return Ok(stream);
        }
    }
    Err(GatewayTransportError::Unreachable { proxy: via_proxy })
}

/// Opens a connection to the gateway; also says whether TLS resumed an earlier session.
pub(super) async fn open(
    config: &HttpsConfig,
    tls: &Arc<ClientConfig>,
    server_name: &ServerName<'static>,
) -> Result<(Connection, bool), GatewayTransportError> {
    let t = config.timeouts;
    let timed = |step| move |_| GatewayTransportError::Timeout { step };
    let proxy = config.proxy.proxy_for(&config.host);
    let stream = match proxy {
        None => tokio::time::timeout(t.connect, tcp(&config.host, config.port, false))
            .await
            .map_err(timed(Step::Connect))??,
        Some(p) => {
            let mut stream = tokio::time::timeout(t.connect, tcp(&p.host, p.port, true))
                .await
                .map_err(timed(Step::Connect))??;
            tokio::time::timeout(
                t.proxy_connect,
                proxy::connect_tunnel(&mut stream, &config.host, config.port),
            )
            .await
            .map_err(timed(Step::ProxyConnect))??;
            stream
        }
    };
    let tls_stream = tokio::time::timeout(
        t.tls_handshake,
        TlsConnector::from(tls.clone()).connect(server_name.clone(), stream),
    )
    .await
    .map_err(timed(Step::TlsHandshake))?
    .map_err(|e| match find_rustls(&e) {
        Some(r) => GatewayTransportError::Tls(failure_of(r)),
        None => GatewayTransportError::DroppedBeforeWrite,
    })?;
    let resumed = tls_stream.get_ref().1.handshake_kind() == Some(HandshakeKind::Resumed);
    let progress = Progress::new();
    let io = TokioIo::new(Tracked::new(tls_stream, progress.clone()));
    let (sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| hyper_error(&e))?;
    let task = tokio::spawn(async move {
        // The connection's end (closed by either side) is seen through the sender.
        let _ = conn.await;
    });
    Ok((
        Connection {
            sender,
            progress,
            task,
        },
        resumed,
    ))
}

/// A hyper error as a transport error: TLS alerts keep their reason (a client certificate
/// refused in TLS 1.3 surfaces here, on the first read), a closed connection is a drop (the
/// caller decides before/after writing), bad HTTP is the other side's fault.
pub(super) fn hyper_error(e: &hyper::Error) -> GatewayTransportError {
    if let Some(r) = find_rustls(e) {
        return GatewayTransportError::Tls(failure_of(r));
    }
    if e.is_parse() || e.is_parse_status() || e.is_parse_too_large() {
        return GatewayTransportError::Http {
            reason: "the answer is not valid HTTP/1.1".into(),
        };
    }
    GatewayTransportError::DroppedAfterWrite
}
