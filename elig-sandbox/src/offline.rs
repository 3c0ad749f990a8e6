//! The gateway's handling of one request body without any network: [`OfflineGateway`].
//!
//! The hyper service and [`OfflineGateway::handle_body`] run the same functions
//! (`gateway.rs`): the Content-Type check, the body limit, the strict decode, then the
//! challenge or the inquiry's checks in PROTOCOL.md's order, and the same status and
//! encoded answer. What only the network path does: the TLS handshake (the device
//! certificate check runs here as [`OfflineGateway::device`]), the route from the request
//! line and the method check, the read timeout, and the access record.

use std::sync::Arc;

use crate::gateway::{Gateway, Route, content_type_rejection, too_large};
use crate::pki::TestPki;
use crate::server::{SandboxConfig, StartError};
use crate::verify::{DeviceIdentity, Verifier};

/// A sandbox gateway with no listener: answers request bodies handed to it directly (fuzz
/// targets, unit tests). Its challenges, registry, clock and limits come from the
/// [`SandboxConfig`] like a started sandbox's; it writes no access records.
///
/// ```
/// use elig_sandbox::{OfflineGateway, Route, SandboxConfig};
///
/// let gateway = OfflineGateway::new(&SandboxConfig::embedded_default()?)?;
/// let device = gateway.device(&gateway.pki().device("clinic").unwrap().cert_der).unwrap();
/// let (status, _body) =
///     gateway.handle_body(&device, Route::Inquiry, Some("application/json"), b"{");
/// assert_eq!(status, 400); // malformed_request
/// # Ok::<(), elig_sandbox::StartError>(())
/// ```
#[derive(Debug)]
pub struct OfflineGateway {
    gateway: Gateway,
    pki: Arc<TestPki>,
}

impl OfflineGateway {
    /// The gateway `config` describes (its `bind` is ignored), on `config.pki` issued for
    /// its clock's day as [`crate::Sandbox::start`] does ([`Self::pki`] is that PKI).
    pub fn new(config: &SandboxConfig) -> Result<Self, StartError> {
        let pki = TestPki::for_clock(&config.pki, config.clock.now()).map_err(StartError::Pki)?;
        let verifier = Verifier::new(&pki).map_err(StartError::Pki)?;
        Ok(Self {
            gateway: Gateway::new(config, verifier),
            pki,
        })
    }

    /// The PKI the gateway trusts (to issue cards, get device credentials).
    pub fn pki(&self) -> &Arc<TestPki> {
        &self.pki
    }

    /// The device identity the TLS handshake derives from a client certificate (DER), at
    /// the gateway clock's current time: `None` when the device CA did not issue it, it is
    /// expired or revoked, or it names no facility (the server then answers every request
    /// `unknown_device`).
    pub fn device(&self, client_cert_der: &[u8]) -> Option<DeviceIdentity> {
        self.gateway
            .verifier
            .device_until(client_cert_der, self.gateway.clock.now())
            .map(|(device, _)| device)
    }

    /// Answers one `POST` to `route` from `device` carrying `body` with the `Content-Type`
    /// header `content_type`: the HTTP status and the response body (200 with the encoded
    /// answer, or the encoded [`Rejection`](elig_proto::gateway::Rejection) with its reason's
    /// [`http_status`](elig_proto::gateway::RejectReason::http_status)). A body over the limit is
    /// `body_too_large`, as the server cuts it while reading. A challenge issued here is
    /// stored like one issued over the network, so a later inquiry can use it.
    pub fn handle_body(
        &self,
        device: &DeviceIdentity,
        route: Route,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        let outcome = match content_type_rejection(content_type) {
            Some(outcome) => outcome,
            None => {
                let limit = self.gateway.body_limit(route);
                if body.len() > limit {
                    too_large(limit)
                } else {
                    self.gateway.decide(route, device, body)
                }
            }
        };
        outcome.into_response_parts()
    }
}

#[cfg(test)]
mod tests;
