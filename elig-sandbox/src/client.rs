//! A deliberately raw mutual-TLS client for the sandbox: for hostile tests, the load
//! generator and examples.
//!
//! This is not the SDK's client. The SDK's client is `elig_client::https` (`HttpsGateway`,
//! `BlockingHttpsGateway`, cargo feature `tokio`), the workspace's one TLS client set-up
//! (issue 11): every ordinary call of elig-sandbox's tests (a challenge, an inquiry, a
//! device, a state folder, a shutdown) goes through it (`tests/common/mod.rs`, `Client`).
//! `TestClient` speaks raw HTTP/1.1 over one keep-alive connection and hands back the
//! gateway's answers as they are; it keeps only what a raw client is for, what the SDK's
//! driver never sends:
//! - malformed, oversized or wrongly versioned bodies ([`TestClient::inquiry_bytes`],
//!   [`TestClient::post`]);
//! - wrong content types, unknown paths, other methods ([`TestClient::post`],
//!   [`TestClient::send`]);
//! - a connection without a client certificate ([`client_config`] with no identity);
//! - replays with a forged body, and the connection-level abuse of `tests/timeouts.rs`
//!   (slowloris, HTTP/1.0, headers that never end), which use [`client_config`] directly.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use elig_proto::gateway::{
    self as proto, ChallengeRequest, ChallengeResponse, InquiryRequest, InquiryResult, Message,
};
use http::{Method, Request, header};
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_rustls::TlsConnector;

use crate::pki::DeviceCredentials;

/// Why the client failed (the transport or the gateway misbehaved, or the caller passed
/// unusable credentials).
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// Caller misuse: the trust anchor or the client key could not be used.
    Credentials(String),
    /// TCP or TLS failed (includes a handshake the server refused).
    Transport(std::io::Error),
    /// HTTP failed: connection closed, bad framing.
    Http(hyper::Error),
    /// The gateway answered something that is not a message of the protocol.
    Gateway(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Credentials(e) => write!(f, "client credentials unusable: {e}"),
            ClientError::Transport(e) => write!(f, "transport to the gateway failed: {e}"),
            ClientError::Http(e) => write!(f, "HTTP exchange with the gateway failed: {e}"),
            ClientError::Gateway(e) => write!(f, "gateway answered outside the protocol: {e}"),
        }
    }
}

impl core::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            ClientError::Transport(e) => Some(e),
            ClientError::Http(e) => Some(e),
            _ => None,
        }
    }
}

pub use elig_proto::gateway::Answer;

/// One keep-alive HTTPS connection to the sandbox, raw (see the module docs for when to use
/// it rather than `elig_client::https`).
#[derive(Debug)]
pub struct TestClient {
    sender: SendRequest<Full<Bytes>>,
    connection: JoinHandle<()>,
}

impl Drop for TestClient {
    fn drop(&mut self) {
        self.connection.abort();
    }
}

/// The rustls client configuration trusting `anchor_der` (the gateway CA certificate, DER),
/// presenting `identity` (client certificate DER, PKCS#8 key DER) if given.
pub fn client_config(
    anchor_der: &[u8],
    identity: Option<(&[u8], &[u8])>,
) -> Result<Arc<ClientConfig>, ClientError> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(anchor_der.to_vec()))
        .map_err(|e| ClientError::Credentials(format!("trust anchor: {e}")))?;
    let builder = ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Credentials(format!("TLS versions: {e}")))?
        .with_root_certificates(roots);
    let mut config = match identity {
        None => builder.with_no_client_auth(),
        Some((cert_der, key_der)) => builder
            .with_client_auth_cert(
                vec![CertificateDer::from(cert_der.to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_der.to_vec())),
            )
            .map_err(|e| ClientError::Credentials(format!("client key: {e}")))?,
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Largest answer body the client reads.
const MAX_ANSWER_BYTES: usize = InquiryResult::MAX_BYTES;

/// Time allowed for connecting (TCP + TLS) and for each exchange, so that a test never hangs.
const TIMEOUT: Duration = Duration::from_secs(30);

fn timed_out(what: &str) -> ClientError {
    ClientError::Transport(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!("{what} took longer than {} s", TIMEOUT.as_secs()),
    ))
}

impl TestClient {
    /// Connects to `addr` with `config` (see [`client_config`]); gives up after 30 s.
    pub async fn connect_with(
        addr: SocketAddr,
        config: Arc<ClientConfig>,
    ) -> Result<Self, ClientError> {
        tokio::time::timeout(TIMEOUT, Self::connect_inner(addr, config))
            .await
            .map_err(|_| timed_out("connecting"))?
    }

    async fn connect_inner(
        addr: SocketAddr,
        config: Arc<ClientConfig>,
    ) -> Result<Self, ClientError> {
        let tcp = TcpStream::connect(addr)
            .await
            .map_err(ClientError::Transport)?;
        let _ = tcp.set_nodelay(true);
        let name = ServerName::IpAddress(addr.ip().into());
        let tls = TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map_err(ClientError::Transport)?;
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
            .await
            .map_err(ClientError::Http)?;
        let connection = tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { sender, connection })
    }

    /// Connects as `device`, trusting the gateway CA `anchor_der`.
    pub async fn connect(
        addr: SocketAddr,
        anchor_der: &[u8],
        device: &DeviceCredentials,
    ) -> Result<Self, ClientError> {
        let key = device
            .key
            .to_pkcs8_der()
            .map_err(|e| ClientError::Credentials(e.to_string()))?;
        let config = client_config(anchor_der, Some((&device.cert_der, &key)))?;
        Self::connect_with(addr, config).await
    }

    /// POSTs `body` to `path` with `content_type`; returns status and body.
    pub async fn post(
        &mut self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> Result<(u16, Bytes), ClientError> {
        let request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::HOST, "127.0.0.1")
            .header(header::CONTENT_TYPE, content_type)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| ClientError::Credentials(format!("request: {e}")))?;
        self.send(request).await
    }

    /// Sends any request; returns status and body.
    pub async fn send(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> Result<(u16, Bytes), ClientError> {
        tokio::time::timeout(TIMEOUT, self.send_inner(request))
            .await
            .map_err(|_| timed_out("the exchange"))?
    }

    async fn send_inner(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> Result<(u16, Bytes), ClientError> {
        self.sender.ready().await.map_err(ClientError::Http)?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(ClientError::Http)?;
        let status = response.status().as_u16();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| ClientError::Gateway(format!("answer body: {e}")))?
            .to_bytes();
        Ok((status, body))
    }

    /// Decodes an answer as `M` (200) or as a rejection whose reason belongs to the status
    /// ([`proto::decode_answer`]).
    fn answer<M: Message>(status: u16, body: &[u8]) -> Result<Answer<M>, ClientError> {
        proto::decode_answer::<M>(status, body).map_err(|e| ClientError::Gateway(e.to_string()))
    }

    /// `POST /v1/challenge`.
    pub async fn challenge(&mut self) -> Result<Answer<ChallengeResponse>, ClientError> {
        let body = proto::encode(&ChallengeRequest::new())
            .map_err(|e| ClientError::Credentials(e.to_string()))?;
        let (status, answer) = self
            .post(proto::PATH_CHALLENGE, proto::CONTENT_TYPE, body)
            .await?;
        Self::answer(status, &answer)
    }

    /// `POST /v1/inquiry` (build the request with [`crate::inquiry`]).
    pub async fn inquiry(
        &mut self,
        request: &InquiryRequest,
    ) -> Result<Answer<InquiryResult>, ClientError> {
        let body = proto::encode(request).map_err(|e| ClientError::Credentials(e.to_string()))?;
        self.inquiry_bytes(body).await
    }

    /// `POST /v1/inquiry` with raw body bytes.
    pub async fn inquiry_bytes(
        &mut self,
        body: Vec<u8>,
    ) -> Result<Answer<InquiryResult>, ClientError> {
        let (status, answer) = self
            .post(proto::PATH_INQUIRY, proto::CONTENT_TYPE, body)
            .await?;
        Self::answer(status, &answer)
    }
}
