//! What a desk runs on, already typed: the CLI reads its TOML (the file `elig verify
//! --config` reads too) and hands the desk these values; the desk parses no configuration.

use core::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use elig_client::https::HttpsConfig;
use reader_backends::{Transport, TransportError};
use voucher_model::Facility;

/// Opens the card reader for one check (called on the check's own thread, once per check).
pub type OpenReader = Arc<dyn Fn() -> Result<Box<dyn Transport>, TransportError> + Send + Sync>;

/// A desk on a real gateway and a real reader.
#[non_exhaustive]
pub struct Settings {
    /// The gateway: URL, gateway CA, the device's certificate and key (elig-client's HTTPS
    /// driver configuration).
    pub gateway: HttpsConfig,
    /// How to reach the card reader (`Settings::pcsc_reader`, feature `pcsc`, for a PC/SC
    /// reader).
    pub reader: OpenReader,
    /// The SQLite audit store (created on first use).
    pub audit_db: PathBuf,
    /// Who asks: the 健診機関番号 or オンライン資格確認用コード the device certificate names.
    pub facility: Facility,
    /// The desk locks after this long without a request (default 10 minutes).
    pub idle_lock: Duration,
}

impl Settings {
    /// Settings with the default idle lock.
    pub fn new(
        gateway: HttpsConfig,
        reader: OpenReader,
        audit_db: PathBuf,
        facility: Facility,
    ) -> Self {
        Self {
            gateway,
            reader,
            audit_db,
            facility,
            idle_lock: DEFAULT_IDLE_LOCK,
        }
    }

    /// The same settings with another idle lock.
    #[must_use]
    pub fn with_idle_lock(mut self, idle_lock: Duration) -> Self {
        self.idle_lock = idle_lock;
        self
    }

    /// The reader opener for the PC/SC reader `name`, or the first reader holding a card
    /// when `name` is `None` (feature `pcsc`).
    #[cfg(feature = "pcsc")]
    pub fn pcsc_reader(name: Option<String>) -> OpenReader {
        Arc::new(move || {
            let reader = match &name {
                Some(name) => name.clone(),
                None => reader_backends::pcsc::wait_for_card(None, Duration::from_millis(500))?,
            };
            let reader = reader_backends::pcsc::PcscReader::connect(&reader)?;
            Ok(Box::new(reader) as Box<dyn Transport>)
        })
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("audit_db", &self.audit_db)
            .field("facility", &self.facility.as_str())
            .field("idle_lock", &self.idle_lock)
            .finish_non_exhaustive()
    }
}

/// The idle lock when none is set.
pub const DEFAULT_IDLE_LOCK: Duration = Duration::from_secs(600);

/// How the demo desk starts ([`crate::Desk::demo`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DemoOptions {
    /// Where the demo's audit store goes; `None`: a fresh file in the system's temporary
    /// folder, removed when the desk stops.
    pub audit_db: Option<PathBuf>,
    /// The idle lock (default 10 minutes).
    pub idle_lock: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            audit_db: None,
            idle_lock: DEFAULT_IDLE_LOCK,
        }
    }
}

impl DemoOptions {
    /// The same options with another idle lock.
    #[must_use]
    pub fn with_idle_lock(mut self, idle_lock: Duration) -> Self {
        self.idle_lock = idle_lock;
        self
    }

    /// The same options with the audit store at `path`.
    #[must_use]
    pub fn with_audit_db(mut self, path: PathBuf) -> Self {
        self.audit_db = Some(path);
        self
    }
}
