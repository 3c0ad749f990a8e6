//! The card link the app implements: one ISO-DEP (or PC/SC) exchange, bytes in, bytes out.
//!
//! The shape is reader-backends' [`NfcTransceiver`] (issue 13): the app's implementation is
//! wrapped in reader-backends' [`NfcTransport`](reader_backends::nfc::NfcTransport), so the
//! per-command timeout hints (1 s, 5 s for the signature) and the limits come from there.

use std::sync::Arc;

use reader_backends::nfc::{NfcCapabilities, NfcError, NfcTransceiver};

/// What the app's card link reports: flat, three cases (reader-backends' `NfcError`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Error)]
#[non_exhaustive]
pub enum CardLinkError {
    /// The tag left the field, or no card is there (Android `TagLostException`, iOS
    /// `readerTransceiveErrorTagConnectionLost`, PC/SC "card removed").
    TagLost,
    /// The card did not answer within `timeout_ms`.
    Timeout,
    /// Any other I/O failure, with the platform's message. Never put APDU bytes in it: a
    /// VERIFY carries the PIN.
    Io {
        /// The platform's message.
        message: String,
    },
}

impl core::fmt::Display for CardLinkError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            CardLinkError::TagLost => "card link: tag lost",
            CardLinkError::Timeout => "card link: the card did not answer in time",
            CardLinkError::Io { .. } => "card link: I/O error",
        })
    }
}

impl core::error::Error for CardLinkError {}

impl From<CardLinkError> for NfcError {
    fn from(error: CardLinkError) -> Self {
        match error {
            CardLinkError::TagLost => NfcError::TagLost,
            CardLinkError::Timeout => NfcError::Timeout,
            CardLinkError::Io { message } => NfcError::Io(message),
        }
    }
}

/// What the link can carry (Android: `IsoDep.getMaxTransceiveLength()` and
/// `IsoDep.isExtendedLengthApduSupported()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct CardLinkCapabilities {
    /// Largest APDU, each way, in bytes.
    pub max_transceive_len: u32,
    /// Whether extended-length APDUs get through.
    pub extended_length: bool,
}

/// The app's side of the card: implemented in Kotlin, Swift or Python (a UniFFI foreign
/// trait). Called on the thread that runs [`crate::Check::run`], one call at a time.
#[uniffi::export(with_foreign)]
pub trait CardLink: Send + Sync {
    /// Sends `apdu` and returns the response APDU (data + SW1 SW2), waiting at most
    /// `timeout_ms` (Android: `IsoDep.timeout = timeoutMs` first; 5 000 ms for the signature).
    /// `apdu` may carry the PIN (VERIFY): never log it.
    ///
    /// # Errors
    /// [`CardLinkError`] as the platform reported it.
    fn transceive(&self, apdu: Vec<u8>, timeout_ms: u32) -> Result<Vec<u8>, CardLinkError>;

    /// The link's limits.
    fn capabilities(&self) -> CardLinkCapabilities;
}

/// A [`CardLink`] as reader-backends' [`NfcTransceiver`].
pub(crate) struct ForeignLink(pub(crate) Arc<dyn CardLink>);

impl core::fmt::Debug for ForeignLink {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ForeignLink")
    }
}

impl NfcTransceiver for ForeignLink {
    fn transceive(&mut self, apdu: Vec<u8>, timeout_ms: u32) -> Result<Vec<u8>, NfcError> {
        self.0.transceive(apdu, timeout_ms).map_err(NfcError::from)
    }

    fn capabilities(&self) -> NfcCapabilities {
        let c = self.0.capabilities();
        NfcCapabilities {
            max_transceive_len: c.max_transceive_len,
            extended_length: c.extended_length,
        }
    }
}
