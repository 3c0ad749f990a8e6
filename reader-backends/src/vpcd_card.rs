//! The virtual-card bridge of the `vpcd-card` binary and of `elig vpcd-card`: one virtual My
//! Number Card served to vsmartcard's vpcd reader in a running pcscd, until a stop signal or
//! until pcscd closes the link. One implementation for both commands.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

use crate::mock::{CardConfig, CardCredentials, MockError, VirtualMyNumberCard};
use crate::vpcd::{self, ServeEnd, VpcdError, VpcdEvent};

/// What the bridge serves and where.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BridgeOptions {
    /// vpcd's port on 127.0.0.1 (vsmartcard's default is 35963).
    pub port: u16,
    /// The card's 4-digit PIN (zeroized when dropped; never logged).
    pub pin: Zeroizing<String>,
    /// Card serial of the default test PKI, when no `chain` is given.
    pub serial: u64,
    /// Extended-length APDUs (`--extended on`), or short only.
    pub extended: bool,
    /// Credentials from files (`elig sandbox card --out DIR`), instead of `serial`'s.
    pub chain: Option<PathBuf>,
    /// How long to retry connecting to vpcd.
    pub connect_timeout: Duration,
}

impl BridgeOptions {
    /// Port `port`, PIN `pin`, serial 1 of the default PKI, extended length, 10 s to connect.
    pub fn new(port: u16, pin: &str) -> Self {
        Self {
            port,
            pin: Zeroizing::new(pin.to_owned()),
            serial: 1,
            extended: true,
            chain: None,
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// Why the bridge stopped with an error.
#[derive(Debug)]
#[non_exhaustive]
pub enum BridgeError {
    /// The card could not be built: a malformed PIN, or unusable `--chain` files (caller
    /// misuse).
    Card(MockError),
    /// The `--chain` folder's files could not be read or do not form a card (caller misuse).
    Chain(crate::mock::PkiError),
    /// vpcd did not accept a connection in time (pcscd or vpcd not running: the reader's
    /// set-up).
    Connect(std::io::Error),
    /// The link to vpcd failed mid-message (the reader's side).
    Link(VpcdError),
}

impl core::fmt::Display for BridgeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Card(e) => write!(f, "the virtual card cannot be built: {e}"),
            Self::Chain(e) => write!(f, "the card files cannot be used: {e}"),
            Self::Connect(e) => write!(f, "cannot connect to vpcd: {e}"),
            Self::Link(e) => write!(f, "the link to vpcd failed: {e}"),
        }
    }
}

impl core::error::Error for BridgeError {}

/// How the bridge ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct BridgeReport {
    /// Stopped by the flag, or vpcd closed the link.
    pub end: ServeEnd,
    /// APDUs answered.
    pub apdus: u64,
}

/// Events the bridge reports (never data, never the PIN).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BridgeEvent {
    /// Connected to vpcd: the card is in the reader.
    Inserted {
        /// vpcd's address.
        addr: SocketAddr,
        /// The auth certificate's length.
        auth_cert_len: usize,
    },
    /// A vpcd event (power, APDU header and status word).
    Vpcd(VpcdEvent),
}

/// The name of a command the card knows, for logs.
pub fn ins_name(cla: u8, ins: u8) -> &'static str {
    match (cla, ins) {
        (0x00, 0xA4) => "SELECT",
        (0x00, 0xB0) => "READ BINARY",
        (0x00, 0x20) => "VERIFY",
        (0x00, 0x24) => "CHANGE REFERENCE DATA",
        (0x00, 0xC0) => "GET RESPONSE",
        (0x80, 0x2A) => "COMPUTE DIGITAL SIGNATURE",
        _ => "other",
    }
}

/// Raises `stop` on SIGTERM or Ctrl-C (SIGINT) on Unix, Ctrl-C or Ctrl-Break on Windows.
///
/// # Errors
/// The OS refused the handler.
pub fn stop_on_signals(stop: &Arc<AtomicBool>) -> std::io::Result<()> {
    #[cfg(unix)]
    let signals = [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT];
    #[cfg(windows)]
    let signals = [signal_hook::consts::SIGINT, signal_hook::consts::SIGBREAK];
    for signal in signals {
        signal_hook::flag::register(signal, Arc::clone(stop))?;
    }
    Ok(())
}

fn connect(addr: SocketAddr, timeout: Duration, stop: &AtomicBool) -> std::io::Result<TcpStream> {
    let deadline = Instant::now()
        .checked_add(timeout)
        .unwrap_or_else(Instant::now);
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(s) => return Ok(s),
            Err(e) if Instant::now() >= deadline || stop.load(Ordering::Relaxed) => return Err(e),
            // vpcd listens only once pcscd loaded it: retry until the deadline.
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}

/// Builds the card, connects to vpcd on 127.0.0.1 and answers it until `stop` is raised or
/// vpcd closes the link; `on_event` sees each event.
///
/// # Errors
/// [`BridgeError`].
pub fn run(
    options: &BridgeOptions,
    stop: &AtomicBool,
    mut on_event: impl FnMut(BridgeEvent),
) -> Result<BridgeReport, BridgeError> {
    let config = if options.extended {
        CardConfig::extended()
    } else {
        CardConfig::short_only()
    };
    let mut builder = VirtualMyNumberCard::builder()
        .serial(options.serial)
        .pin(&options.pin)
        .config(config);
    if let Some(dir) = &options.chain {
        builder = builder.credentials(CardCredentials::from_dir(dir).map_err(BridgeError::Chain)?);
    }
    let mut card = builder.build().map_err(BridgeError::Card)?;
    // A long-running bridge: keep memory bounded (the log holds responses).
    card.set_log_limit(Some(1024));
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, options.port));
    let mut stream = connect(addr, options.connect_timeout, stop).map_err(BridgeError::Connect)?;
    on_event(BridgeEvent::Inserted {
        addr,
        auth_cert_len: card.credentials().auth().cert_der().len(),
    });
    let end = vpcd::serve(&mut stream, &mut card, stop, |event| {
        on_event(BridgeEvent::Vpcd(event));
    })
    .map_err(BridgeError::Link)?;
    let _ = stream.shutdown(std::net::Shutdown::Both);
    Ok(BridgeReport {
        end,
        apdus: card.log().total(),
    })
}
