//! The demo desk's hardware, simulated: the in-process sandbox gateway (elig-sandbox's
//! embedded default, over real HTTPS on loopback) and a virtual reader on which the page's
//! demo buttons put a virtual My Number Card of one of the registry's people, or take it off.
//! This is this project's own demo, not a public system.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use elig_client::https::{HttpsConfig, TlsIdentity};
use elig_sandbox::registry::Registry;
use elig_sandbox::{SandboxConfig, SandboxHandle};
use reader_backends::mock::VirtualMyNumberCard;
use reader_backends::{CheckEnd, ReaderLimits, Transport, TransportError};
use voucher_model::{Date, Facility, Voucher};

use crate::DeskError;

/// The PIN of every demo card (shown on the demo panel).
pub const DEMO_PIN: &str = "1234";

/// The virtual reader: at most one card on it.
#[derive(Debug, Default)]
pub(crate) struct DemoReader {
    /// The card on the reader and whose it is (the registry handle).
    on_reader: Option<(String, VirtualMyNumberCard)>,
    /// Cards taken off, by handle: a card keeps its PIN counter between visits.
    shelf: HashMap<String, VirtualMyNumberCard>,
}

/// The demo's parts.
pub(crate) struct Demo {
    pub(crate) sandbox: SandboxHandle,
    pub(crate) reader: Arc<Mutex<DemoReader>>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) facility: Facility,
}

impl core::fmt::Debug for Demo {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Demo")
            .field("gateway", &self.sandbox.addr())
            .finish_non_exhaustive()
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Demo {
    /// Starts the embedded sandbox in the current runtime and the HTTPS configuration of its
    /// `clinic` device.
    pub(crate) async fn start() -> Result<(Demo, HttpsConfig), DeskError> {
        let config = SandboxConfig::embedded_default().map_err(|e| DeskError::Demo {
            detail: e.to_string(),
        })?;
        let sandbox = elig_sandbox::Sandbox::start(config)
            .await
            .map_err(|e| DeskError::Demo {
                detail: e.to_string(),
            })?;
        let demo_failure = |detail: String| DeskError::Demo { detail };
        let device = sandbox
            .pki()
            .device("clinic")
            .ok_or_else(|| demo_failure("the embedded sandbox has no clinic device".into()))?
            .clone();
        let key = device
            .key
            .to_pkcs8_der()
            .map_err(|e| demo_failure(e.to_string()))?;
        let identity = TlsIdentity::from_der(
            sandbox.pki().gateway_ca().cert_der(),
            &device.cert_der,
            &key,
        );
        let https = HttpsConfig::new(&format!("https://{}", sandbox.addr()), identity)
            .map_err(|e| demo_failure(e.to_string()))?;
        let registry = sandbox.registry().clone();
        Ok((
            Demo {
                sandbox,
                reader: Arc::new(Mutex::new(DemoReader::default())),
                registry,
                facility: device.facility,
            },
            https,
        ))
    }

    /// The registry's people with the voucher each holds on `today`: `(handle, voucher)`.
    pub(crate) fn visitors(&self, today: Date) -> Vec<(String, Voucher)> {
        self.registry
            .people()
            .iter()
            .filter_map(|p| {
                let handle = p.handle.clone();
                let voucher = self
                    .registry
                    .vouchers_on(&handle, today)?
                    .into_iter()
                    .next()?;
                Some((handle, voucher))
            })
            .collect()
    }

    /// The handles of the people whose card the demo can put on the reader.
    pub(crate) fn card_holders(&self) -> Vec<String> {
        self.registry
            .people()
            .iter()
            .map(|p| p.handle.clone())
            .collect()
    }

    /// Puts `handle`'s card on the reader (taking off the one there).
    pub(crate) fn insert(&self, handle: &str) -> Result<(), DeskError> {
        let mut reader = lock(&self.reader);
        reader.remove();
        let card = match reader.shelf.remove(handle) {
            Some(mut card) => {
                card.insert();
                card
            }
            None => self.issue(handle)?,
        };
        reader.on_reader = Some((handle.to_owned(), card));
        Ok(())
    }

    /// Takes the card off the reader.
    pub(crate) fn remove(&self) {
        lock(&self.reader).remove();
    }

    /// Whose card is on the reader, and its tries left.
    pub(crate) fn on_reader(&self) -> Option<(String, u8)> {
        lock(&self.reader)
            .on_reader
            .as_ref()
            .map(|(h, c)| (h.clone(), c.auth_pin_tries_left()))
    }

    fn issue(&self, handle: &str) -> Result<VirtualMyNumberCard, DeskError> {
        let unknown = || DeskError::Demo {
            detail: format!("no card for {handle} in the registry"),
        };
        let person = self.registry.person(handle).ok_or_else(unknown)?;
        let entry = self.registry.card(person.card.serial).ok_or_else(unknown)?;
        let credentials =
            self.sandbox
                .pki()
                .issue_card(&entry.spec())
                .map_err(|e| DeskError::Demo {
                    detail: e.to_string(),
                })?;
        VirtualMyNumberCard::builder()
            .pin(DEMO_PIN)
            .credentials(credentials)
            .build()
            .map_err(|e| DeskError::Demo {
                detail: e.to_string(),
            })
    }
}

impl DemoReader {
    fn remove(&mut self) {
        if let Some((handle, mut card)) = self.on_reader.take() {
            card.power_off();
            self.shelf.insert(handle, card);
        }
    }
}

/// The virtual reader as a [`Transport`]: each command goes to whatever card is on it at
/// that moment, so taking the card off during a check fails the next command as
/// [`TransportError::CardRemoved`], as a real reader does.
pub(crate) struct SharedReader(pub(crate) Arc<Mutex<DemoReader>>);

impl Transport for SharedReader {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        match &mut lock(&self.0).on_reader {
            Some((_, card)) => card.transmit(command),
            None => Err(TransportError::CardRemoved),
        }
    }

    fn limits(&self) -> ReaderLimits {
        match &lock(&self.0).on_reader {
            Some((_, card)) => card.limits(),
            None => ReaderLimits::default(),
        }
    }

    fn begin_check(&mut self) -> Result<(), TransportError> {
        match lock(&self.0).on_reader {
            Some(_) => Ok(()),
            None => Err(TransportError::NoCard),
        }
    }

    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        match &mut lock(&self.0).on_reader {
            Some((_, card)) => card.end_check(end),
            None => Ok(()),
        }
    }
}
