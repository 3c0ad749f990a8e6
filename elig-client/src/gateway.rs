//! The seam between the session and every gateway driver: requests and answers as plain data.
//!
//! The session (which does no I/O) hands out a [`GatewayRequest`] — an id, a [`Route`] and the
//! JSON body bytes elig-proto encoded — and takes back a [`GatewayResponse`] (the same id, the
//! HTTP status and the body bytes, whatever they are) or a [`GatewayTransportError`]. A driver
//! moves the bytes and nothing else: it does not parse the body, so a proxy's HTML error page
//! reaches the session as status + body and elig-proto classifies it (elig-proto/PROTOCOL.md,
//! "non-JSON answer as transport error").
//!
//! Drivers: [`GatewayTransport`] is the blocking one-request-one-answer contract; the HTTPS
//! driver (`elig_client::https`, cargo feature `tokio`) implements it over hyper + rustls.
//! This split is this project's design (DESIGN.md, style.md rule 2: the sans-I/O core).

use core::fmt;

use elig_proto::gateway::{self as proto, ChallengeResponse, InquiryResult, Message, Rejection};

/// The gateway endpoints (elig-proto/PROTOCOL.md, "Endpoints").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Route {
    /// `POST /v1/challenge`: asks for a single-use challenge. Repeating it is harmless.
    Challenge,
    /// `POST /v1/inquiry`: the eligibility inquiry. Repeating one that reached the gateway
    /// could give two verdicts, so drivers never repeat it once any byte of it was written.
    Inquiry,
}

impl Route {
    /// The request path.
    pub fn path(self) -> &'static str {
        match self {
            Route::Challenge => proto::PATH_CHALLENGE,
            Route::Inquiry => proto::PATH_INQUIRY,
        }
    }

    /// The largest answer body a driver reads on this route: the larger of the route's
    /// answer message and a [`Rejection`] (PROTOCOL.md, "Size limits").
    pub fn max_response_bytes(self) -> usize {
        let answer = match self {
            Route::Challenge => ChallengeResponse::MAX_BYTES,
            Route::Inquiry => InquiryResult::MAX_BYTES,
        };
        answer.max(Rejection::MAX_BYTES)
    }

    /// Whether a request on this route may be sent again after its bytes (some or all) were
    /// written: true for a challenge only. This project's rule: a dropped inquiry must never
    /// turn into two verdicts, so an inquiry is retried only when the connection failed
    /// before any byte of it was written.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Route::Challenge)
    }
}

/// The session's own number for one gateway call; the answer carries it back (not the
/// protocol's `request_id`, which is `elig_proto::gateway::RequestId` and is signed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

/// One request to the gateway, as the session hands it out.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayRequest {
    /// The session's id for it.
    pub id: CallId,
    /// Which endpoint.
    pub route: Route,
    /// The JSON body (`application/json`), as elig-proto encoded it.
    pub body: Vec<u8>,
}

impl fmt::Debug for GatewayRequest {
    // The body can hold personal data (an inquiry's search fields): only its length shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayRequest")
            .field("id", &self.id)
            .field("route", &self.route)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The gateway's answer (or whatever answered in its place: a proxy's error page arrives
/// here too), unparsed.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayResponse {
    /// The id of the request answered.
    pub id: CallId,
    /// The HTTP status.
    pub status: u16,
    /// The body bytes, at most [`Route::max_response_bytes`].
    pub body: Vec<u8>,
}

impl fmt::Debug for GatewayResponse {
    // An inquiry result holds personal data: only the length shows.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayResponse")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The step of an exchange a timeout or failure happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// Name resolution and the TCP connection (to the gateway or to the proxy).
    Connect,
    /// The proxy's answer to `CONNECT`.
    ProxyConnect,
    /// The TLS handshake.
    TlsHandshake,
    /// Writing the request.
    RequestWrite,
    /// Waiting for the answer's status line and headers.
    ResponseHead,
    /// Reading the answer's body.
    BodyRead,
    /// The whole exchange, retries included, ran out of its total budget.
    Total,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Connect => "connecting",
            Step::ProxyConnect => "the proxy's CONNECT answer",
            Step::TlsHandshake => "the TLS handshake",
            Step::RequestWrite => "writing the request",
            Step::ResponseHead => "waiting for the answer",
            Step::BodyRead => "reading the answer body",
            Step::Total => "the whole exchange",
        })
    }
}

/// Why the TLS handshake (or the TLS session) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsFailure {
    /// The server's certificate does not chain to the configured gateway CA (wrong CA
    /// configured, or not the gateway: an intercepting proxy).
    UntrustedServer,
    /// The server's certificate is not valid for the name or address connected to.
    ServerNameMismatch,
    /// The server's certificate is expired or not yet valid (check this machine's clock).
    ServerCertificateExpired,
    /// The server refused this device's client certificate (not issued by the device CA,
    /// expired, revoked, or missing).
    ClientCertificateRefused,
    /// No protocol version or cipher suite in common.
    NoCommonProtocol,
    /// Any other TLS failure (a protocol error of either side).
    Other,
}

impl fmt::Display for TlsFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TlsFailure::UntrustedServer => {
                "the server is not trusted (not issued by the gateway CA)"
            }
            TlsFailure::ServerNameMismatch => "the server certificate names another host",
            TlsFailure::ServerCertificateExpired => {
                "the server certificate is expired or not yet valid"
            }
            TlsFailure::ClientCertificateRefused => {
                "the gateway refused this device's client certificate"
            }
            TlsFailure::NoCommonProtocol => "no TLS version or cipher suite in common",
            TlsFailure::Other => "TLS protocol error",
        })
    }
}

/// Why a driver could not get an answer. Says who is at fault in each variant's docs; a
/// status that came back (any, 5xx and a proxy's 502 page included) is not an error here but
/// a [`GatewayResponse`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayTransportError {
    /// Caller misuse: the driver's configuration is unusable (unreadable certificate or key,
    /// bad URL, empty CA list). Fix the device set-up.
    Config {
        /// What is wrong (no secrets).
        reason: String,
    },
    /// The network: the gateway's (or the proxy's) name could not be resolved.
    Dns {
        /// Whether the name was the proxy's.
        proxy: bool,
    },
    /// The network: no TCP connection (refused, no route, reset while connecting).
    Unreachable {
        /// Whether the proxy was the one unreachable.
        proxy: bool,
    },
    /// The proxy answered `CONNECT` with a status other than 200 (its policy, or it cannot
    /// reach the gateway). The proxy is at fault, or its configuration.
    ProxyRefused {
        /// The proxy's HTTP status.
        status: u16,
    },
    /// TLS failed: see the reason for who is at fault.
    Tls(TlsFailure),
    /// A step took longer than its timeout (network or gateway too slow).
    Timeout {
        /// Which step.
        step: Step,
    },
    /// The connection closed before any byte of the request was written (safe to repeat).
    DroppedBeforeWrite,
    /// The connection closed after (part of) the request was written: the gateway may have
    /// received and answered it. For an inquiry, do not send it again: look the result up
    /// or use other evidence.
    DroppedAfterWrite,
    /// The answer body is larger than the route allows (the gateway, or what answered in its
    /// place, broke the protocol's size limit).
    BodyTooLarge {
        /// The limit, bytes.
        limit: usize,
    },
    /// The other side spoke broken HTTP (gateway or proxy fault).
    Http {
        /// What was wrong (no body content).
        reason: String,
    },
}

impl GatewayTransportError {
    /// Whether the request may have reached the gateway (so an inquiry must not be repeated).
    pub fn may_have_reached_gateway(&self) -> bool {
        match self {
            GatewayTransportError::Config { .. }
            | GatewayTransportError::Dns { .. }
            | GatewayTransportError::Unreachable { .. }
            | GatewayTransportError::ProxyRefused { .. }
            | GatewayTransportError::DroppedBeforeWrite => false,
            GatewayTransportError::Timeout { step } => !matches!(
                step,
                Step::Connect | Step::ProxyConnect | Step::TlsHandshake
            ),
            // A client certificate refusal in TLS 1.3 arrives after the client sent its
            // request; the gateway never processed it, but the driver cannot tell: assume it may.
            GatewayTransportError::Tls(_) => true,
            GatewayTransportError::DroppedAfterWrite
            | GatewayTransportError::BodyTooLarge { .. }
            | GatewayTransportError::Http { .. } => true,
        }
    }

    /// Whether trying again later can help (a network fault rather than a set-up fault).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GatewayTransportError::Dns { .. }
                | GatewayTransportError::Unreachable { .. }
                | GatewayTransportError::Timeout { .. }
                | GatewayTransportError::DroppedBeforeWrite
                | GatewayTransportError::DroppedAfterWrite
        )
    }
}

impl fmt::Display for GatewayTransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let via = |proxy: bool| if proxy { "proxy" } else { "gateway" };
        match self {
            GatewayTransportError::Config { reason } => {
                write!(f, "gateway transport misconfigured (caller): {reason}")
            }
            GatewayTransportError::Dns { proxy } => {
                write!(f, "network: the {}'s name does not resolve", via(*proxy))
            }
            GatewayTransportError::Unreachable { proxy } => {
                write!(f, "network: the {} is unreachable", via(*proxy))
            }
            GatewayTransportError::ProxyRefused { status } => {
                write!(
                    f,
                    "the proxy refused the tunnel to the gateway (HTTP {status})"
                )
            }
            GatewayTransportError::Tls(reason) => write!(f, "TLS failed: {reason}"),
            GatewayTransportError::Timeout { step } => write!(f, "timed out {step}"),
            GatewayTransportError::DroppedBeforeWrite => {
                f.write_str("network: connection closed before the request was sent")
            }
            GatewayTransportError::DroppedAfterWrite => f.write_str(
                "network: connection closed after the request was sent (it may have arrived)",
            ),
            GatewayTransportError::BodyTooLarge { limit } => {
                write!(
                    f,
                    "the answer is larger than the route's {limit}-byte limit"
                )
            }
            GatewayTransportError::Http { reason } => {
                write!(f, "broken HTTP from the other side: {reason}")
            }
        }
    }
}

impl core::error::Error for GatewayTransportError {}

/// A blocking gateway driver: sends one request, returns its answer.
///
/// Implementations never parse the body and never turn a status into an error. Whether and
/// when they retry is theirs to document, within [`Route::is_idempotent`]'s rule.
pub trait GatewayTransport {
    /// Sends `request` and waits for the answer (bounded by the driver's budget).
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError>;
}

impl<T: GatewayTransport + ?Sized> GatewayTransport for &mut T {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        (**self).send(request)
    }
}

impl<T: GatewayTransport + ?Sized> GatewayTransport for Box<T> {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        (**self).send(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_challenge_is_idempotent_and_limits_follow_protocol() {
        assert!(Route::Challenge.is_idempotent());
        assert!(!Route::Inquiry.is_idempotent());
        assert_eq!(Route::Challenge.max_response_bytes(), 4096);
        assert_eq!(Route::Inquiry.max_response_bytes(), 262_144);
        assert_eq!(Route::Inquiry.path(), "/v1/inquiry");
    }

    #[test]
    fn debug_hides_bodies() {
        let r = GatewayRequest {
            id: CallId(1),
            route: Route::Inquiry,
            body: b"{\"Name\":\"secret\"}".to_vec(),
        };
        assert!(!format!("{r:?}").contains("secret"));
    }

    #[test]
    fn dropped_after_write_may_have_reached() {
        assert!(GatewayTransportError::DroppedAfterWrite.may_have_reached_gateway());
        assert!(!GatewayTransportError::DroppedBeforeWrite.may_have_reached_gateway());
        let t = |step| GatewayTransportError::Timeout { step };
        assert!(!t(Step::TlsHandshake).may_have_reached_gateway());
        assert!(t(Step::ResponseHead).may_have_reached_gateway());
    }
}
