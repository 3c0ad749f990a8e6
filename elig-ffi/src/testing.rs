//! Test helpers for the bindings' own tests and for vendors' test suites (issue 13, item 2):
//! the virtual My Number Card (reader-backends' `VirtualMyNumberCard`) behind a transceive
//! function, and the in-process sandbox gateway (elig-sandbox's `BackgroundSandbox`) with the
//! embedded registry and the test PKI. Nothing here is for production: the sandbox's CAs are
//! named "(NOT JPKI)" and nobody in its registry exists.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use elig_sandbox::{BackgroundSandbox, Sandbox, SandboxConfig};
use reader_backends::mock::VirtualMyNumberCard;

use crate::EligError;
use crate::gateway::Gateway;
use crate::values::{Voucher, parse_date};

/// A faithful virtual My Number Card (the credentials the default sandbox trusts).
#[derive(uniffi::Object)]
pub struct VirtualCard(Mutex<VirtualMyNumberCard>);

impl core::fmt::Debug for VirtualCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualCard").finish_non_exhaustive()
    }
}

#[uniffi::export]
impl VirtualCard {
    /// The card of registry serial `serial` (1001 is person `P01`) with 4-digit `pin`.
    /// Builds its RSA key: about a second unoptimised.
    ///
    /// # Errors
    /// [`EligError::Caller`] for a PIN that is not 4 digits; [`EligError::Testing`] otherwise.
    #[uniffi::constructor]
    pub fn new(serial: u64, pin: String) -> Result<Self, EligError> {
        let pin = zeroize::Zeroizing::new(pin);
        if pin.len() != 4 || !pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EligError::caller("the PIN must be 4 digits (0-9)"));
        }
        VirtualMyNumberCard::new(serial, &pin)
            .map(|card| VirtualCard(Mutex::new(card)))
            .map_err(|e| EligError::Testing(format!("virtual card: {e}")))
    }

    /// One exchange: the command APDU in, the response APDU (data + SW1 SW2) out. Never fails:
    /// a bad command gets the status word a real card gives.
    pub fn transceive(&self, apdu: Vec<u8>) -> Vec<u8> {
        self.card().process(&apdu)
    }

    /// PIN tries left on the 利用者証明用 PIN.
    pub fn pin_tries_left(&self) -> u8 {
        self.card().auth_pin_tries_left()
    }

    /// Whether any PIN is still verified (a check must leave none).
    pub fn any_verified(&self) -> bool {
        self.card().any_verified()
    }
}

impl VirtualCard {
    fn card(&self) -> MutexGuard<'_, VirtualMyNumberCard> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The sandbox gateway, running in-process on `127.0.0.1:<ephemeral>` on threads of its
/// own, with the embedded registry, the default test PKI and the system clock.
#[derive(Debug, uniffi::Object)]
pub struct TestSandbox(Mutex<Option<BackgroundSandbox>>);

#[uniffi::export]
impl TestSandbox {
    /// Starts it (about a second: the test PKI's keys). **Blocks** until it listens.
    ///
    /// # Errors
    /// [`EligError::Testing`] when it cannot start.
    #[uniffi::constructor]
    pub fn start() -> Result<Self, EligError> {
        let config = SandboxConfig::embedded_default().map_err(testing)?;
        let sandbox = Sandbox::start_background(config).map_err(testing)?;
        Ok(TestSandbox(Mutex::new(Some(sandbox))))
    }

    /// `https://127.0.0.1:<port>`.
    ///
    /// # Errors
    /// [`EligError::Caller`] after [`TestSandbox::shutdown`].
    pub fn url(&self) -> Result<String, EligError> {
        self.with(|s| Ok(s.base_url()))
    }

    /// The gateway CA certificate (DER): the client's only trust anchor.
    ///
    /// # Errors
    /// [`EligError::Caller`] after [`TestSandbox::shutdown`].
    pub fn gateway_ca_der(&self) -> Result<Vec<u8>, EligError> {
        self.with(|s| Ok(s.pki().gateway_ca().cert_der().to_vec()))
    }

    /// Registered device `label`'s certificate (DER); `clinic` is a 健診機関.
    ///
    /// # Errors
    /// [`EligError::Caller`] for an unknown label or after shutdown.
    pub fn device_cert_der(&self, label: String) -> Result<Vec<u8>, EligError> {
        self.with(|s| Ok(device(s, &label)?.cert_der.clone()))
    }

    /// Registered device `label`'s private key (PKCS#8 DER; a test key, not a secret).
    ///
    /// # Errors
    /// [`EligError::Caller`] for an unknown label or after shutdown.
    pub fn device_key_der(&self, label: String) -> Result<Vec<u8>, EligError> {
        self.with(|s| device(s, &label)?.key.to_pkcs8_der().map_err(testing))
    }

    /// The facility in device `label`'s certificate (for [`crate::CheckRequest::facility`]).
    ///
    /// # Errors
    /// [`EligError::Caller`] for an unknown label or after shutdown.
    pub fn device_facility(&self, label: String) -> Result<String, EligError> {
        self.with(|s| Ok(device(s, &label)?.facility.as_str().to_owned()))
    }

    /// A [`Gateway`] to this sandbox as device `label`.
    ///
    /// # Errors
    /// [`EligError::Caller`] for an unknown label or after shutdown.
    pub fn gateway(&self, label: String) -> Result<Arc<Gateway>, EligError> {
        Gateway::new(
            self.url()?,
            self.gateway_ca_der()?,
            self.device_cert_der(label.clone())?,
            self.device_key_der(label)?,
        )
        .map(Arc::new)
    }

    /// The card serial of registry person `handle` (`P01` … ).
    ///
    /// # Errors
    /// [`EligError::Caller`] for an unknown handle or after shutdown.
    pub fn card_serial(&self, handle: String) -> Result<u64, EligError> {
        self.with(|s| {
            s.registry()
                .person(&handle)
                .map(|p| p.card.serial)
                .ok_or_else(|| EligError::caller("no such person in the sandbox registry"))
        })
    }

    /// The vouchers registry person `handle` holds on `date` (`YYYY-MM-DD`).
    ///
    /// # Errors
    /// [`EligError::Caller`] for an unknown handle, a malformed date or after shutdown.
    pub fn vouchers(&self, handle: String, date: String) -> Result<Vec<Arc<Voucher>>, EligError> {
        let date = parse_date(&date)?;
        self.with(|s| {
            s.registry()
                .vouchers_on(&handle, date)
                .map(|v| v.into_iter().map(Voucher::new).collect())
                .ok_or_else(|| EligError::caller("no such person in the sandbox registry"))
        })
    }

    /// Stops the sandbox (also done when it is dropped). **Blocks** until it stopped.
    pub fn shutdown(&self) {
        let sandbox = self.0.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(sandbox) = sandbox {
            sandbox.shutdown();
        }
    }
}

impl TestSandbox {
    fn with<R>(
        &self,
        f: impl FnOnce(&BackgroundSandbox) -> Result<R, EligError>,
    ) -> Result<R, EligError> {
        let guard = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_ref() {
            Some(s) => f(s),
            None => Err(EligError::caller("the sandbox was shut down")),
        }
    }
}

fn device<'a>(
    s: &'a BackgroundSandbox,
    label: &str,
) -> Result<&'a elig_sandbox::pki::DeviceCredentials, EligError> {
    s.pki()
        .device(label)
        .ok_or_else(|| EligError::caller("no such device in the sandbox PKI"))
}

fn testing(e: impl core::fmt::Display) -> EligError {
    EligError::Testing(format!("test sandbox: {e}"))
}
