//! The gateway connection: elig-client's HTTPS driver (mutual TLS, one kept connection).

use std::sync::{Mutex, PoisonError};

use elig_client::gateway::GatewayTransport;
use elig_client::https::{BlockingHttpsGateway, HttpsConfig, TlsIdentity};

use crate::EligError;

/// The gateway, reached over HTTPS with the device's client certificate. One connection is
/// kept across checks. Share one `Gateway` between the checks of a desk; checks using it
/// run one at a time.
#[derive(uniffi::Object)]
pub struct Gateway {
    driver: Mutex<BlockingHttpsGateway>,
}

impl core::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Gateway").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Gateway {
    /// The gateway at `url` (`https://host:port`), trusting only `gateway_ca_der` (DER), and
    /// authenticating as the device with `device_cert_der` and its PKCS#8 `device_key_der`.
    /// Does not connect yet (the first check does).
    ///
    /// # Errors
    /// [`EligError::Gateway`] for an unusable URL or identity.
    #[uniffi::constructor]
    pub fn new(
        url: String,
        gateway_ca_der: Vec<u8>,
        device_cert_der: Vec<u8>,
        device_key_der: Vec<u8>,
    ) -> Result<Self, EligError> {
        let identity = TlsIdentity::from_der(&gateway_ca_der, &device_cert_der, &device_key_der);
        drop(zeroize::Zeroizing::new(device_key_der));
        let config = HttpsConfig::new(&url, identity)
            .map_err(|e| EligError::Gateway(format!("gateway configuration: {e}")))?;
        let driver = BlockingHttpsGateway::new(config)
            .map_err(|e| EligError::Gateway(format!("gateway configuration: {e}")))?;
        Ok(Gateway {
            driver: Mutex::new(driver),
        })
    }
}

impl Gateway {
    /// Runs `f` with the driver (checks on one gateway run one at a time).
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut dyn GatewayTransport) -> R) -> R {
        let mut driver = self.driver.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut *driver)
    }
}
