//! The blocking wrapper: an [`HttpsGateway`] on a current-thread runtime of its own.

use tokio::runtime::Runtime;

use super::{HttpsConfig, HttpsGateway, TransportStats};
use crate::gateway::{GatewayRequest, GatewayResponse, GatewayTransport, GatewayTransportError};

/// [`HttpsGateway`] for blocking callers. Must not be used from inside a tokio runtime (the
/// runtime refuses to block there; use [`HttpsGateway`]).
#[derive(Debug)]
pub struct BlockingHttpsGateway {
    runtime: Runtime,
    inner: HttpsGateway,
}

impl BlockingHttpsGateway {
    /// A blocking driver for `config`.
    pub fn new(config: HttpsConfig) -> Result<Self, GatewayTransportError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(|e| GatewayTransportError::Config {
                reason: format!("cannot start the driver's runtime: {e}"),
            })?;
        Ok(Self {
            runtime,
            inner: HttpsGateway::new(config)?,
        })
    }

    /// What the driver did so far.
    pub fn stats(&self) -> TransportStats {
        self.inner.stats()
    }

    /// Closes the kept connection.
    pub fn disconnect(&mut self) {
        self.inner.disconnect();
    }
}

impl GatewayTransport for BlockingHttpsGateway {
    fn send(&mut self, request: &GatewayRequest) -> Result<GatewayResponse, GatewayTransportError> {
        let Self { runtime, inner } = self;
        // The kept connection's task runs on this runtime; it is only polled while a request
        // is in flight, which is all it needs (hyper notices a closed connection on the next
        // poll and the driver then opens a new one).
        runtime.block_on(inner.send(request))
    }
}
