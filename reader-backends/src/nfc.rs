//! NFC backend for phones and tablets: the host app implements [`NfcTransceiver`] over its
//! platform's ISO-DEP API, and [`NfcTransport`] turns it into a [`Transport`].
//!
//! Platform facts (card.md, public fact): the card is ISO/IEC 14443 Type B; Android ports
//! raise the `IsoDep` timeout to about 5 s around the signature command; iOS CoreNFC needs
//! every AID the app selects listed in Info.plist; tags are lost easily when the card moves.
//! The timeouts chosen here ([`NfcTimeouts::default`]) are our design.
//!
//! ## Android (Kotlin) glue
//!
//! ```text
//! class IsoDepTransceiver(private val tag: IsoDep) : NfcTransceiver {   // UniFFI foreign trait
//!     override fun transceive(apdu: ByteArray, timeoutMs: UInt): ByteArray {
//!         try {
//!             if (!tag.isConnected) tag.connect()
//!             tag.timeout = timeoutMs.toInt()           // 5 000 ms for the signature
//!             return tag.transceive(apdu)
//!         } catch (e: TagLostException) {
//!             throw NfcException.TagLost()
//!         } catch (e: java.io.IOException) {
//!             throw NfcException.Other(e.message ?: "I/O error")
//!         }
//!     }
//!     override fun capabilities() = NfcCapabilities(
//!         maxTransceiveLength = tag.maxTransceiveLength.toUInt(),
//!         extendedLength = tag.isExtendedLengthApduSupported,
//!     )
//! }
//! // Poll Type B only: NfcAdapter.enableReaderMode(activity, cb,
//! //     NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK, null)
//! ```
//!
//! ## iOS (Swift) glue
//!
//! ```text
//! final class CoreNfcTransceiver: NfcTransceiver {
//!     let tag: NFCISO7816Tag
//!     func transceive(apdu: Data, timeoutMs: UInt32) throws -> Data {
//!         guard let cmd = NFCISO7816APDU(data: apdu) else { throw NfcError.Other("bad APDU") }
//!         let sem = DispatchSemaphore(value: 0)
//!         var result: Result<Data, Error> = .failure(NfcError.TagLost)
//!         tag.sendCommand(apdu: cmd) { data, sw1, sw2, error in
//!             if let error = error as? NFCReaderError,
//!                error.code == .readerTransceiveErrorTagConnectionLost {
//!                 result = .failure(NfcError.TagLost)
//!             } else if let error = error {
//!                 result = .failure(NfcError.Other(error.localizedDescription))
//!             } else {
//!                 result = .success(data + Data([sw1, sw2]))
//!             }
//!             sem.signal()
//!         }
//!         // CoreNFC has no per-command timeout; the hint bounds our wait.
//!         if sem.wait(timeout: .now() + .milliseconds(Int(timeoutMs))) == .timedOut {
//!             throw NfcError.Timeout
//!         }
//!         return try result.get()
//!     }
//!     func capabilities() -> NfcCapabilities {
//!         NfcCapabilities(maxTransceiveLength: 65_544, extendedLength: true)
//!     }
//! }
//! ```
//!
//! Info.plist (`com.apple.developer.nfc.readersession.iso7816.select-identifiers`; every AID
//! the SDK may SELECT, card.md):
//!
//! ```text
//! <key>com.apple.developer.nfc.readersession.iso7816.select-identifiers</key>
//! <array>
//!     <string>D392F000260100000001</string>   <!-- 公的個人認証AP (JPKI) -->
//!     <string>D3921000310001010408</string>   <!-- 券面事項入力補助AP -->
//!     <string>A0000001510000</string>         <!-- GP ISD: clears verified PINs -->
//! </array>
//! ```
//! plus the entitlement `com.apple.developer.nfc.readersession.formats` with `TAG`.

use std::time::Duration;

use crate::{ReaderLimits, Transport, TransportError};
use jpki_apdu::{SHORT_MAX_COMMAND_LEN, SHORT_MAX_RESPONSE_LEN};

/// What the host's NFC stack reported.
#[derive(Debug)]
#[non_exhaustive]
pub enum NfcError {
    /// The tag left the field (Android `TagLostException`, iOS
    /// `readerTransceiveErrorTagConnectionLost`).
    TagLost,
    /// No tag is connected.
    NotConnected,
    /// The tag did not answer within the timeout.
    Timeout,
    /// Anything else, with the platform's message.
    Other(String),
}

impl core::fmt::Display for NfcError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::TagLost => f.write_str("NFC: tag lost"),
            Self::NotConnected => f.write_str("NFC: no tag connected"),
            Self::Timeout => f.write_str("NFC: tag did not answer in time"),
            Self::Other(m) => write!(f, "NFC: {m}"),
        }
    }
}

impl core::error::Error for NfcError {}

/// What the phone's NFC stack can carry (Android: `IsoDep.getMaxTransceiveLength()` and
/// `isExtendedLengthApduSupported()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NfcCapabilities {
    /// Largest APDU, each way, the stack transceives.
    pub max_transceive_len: usize,
    /// Whether extended-length APDUs are supported.
    pub extended_length: bool,
}

/// The per-command timeout hints handed to the host (our design; Android ports use about
/// 5 s for the signature, card.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NfcTimeouts {
    /// Every command but the signature (default 1 s).
    pub normal: Duration,
    /// COMPUTE DIGITAL SIGNATURE, `80 2A` (default 5 s).
    pub signature: Duration,
}

impl Default for NfcTimeouts {
    fn default() -> Self {
        Self {
            normal: Duration::from_secs(1),
            signature: Duration::from_secs(5),
        }
    }
}

/// The host app's side: one ISO-DEP exchange with the tag.
pub trait NfcTransceiver: Send {
    /// Sends `apdu` and returns the response APDU (data + SW1 SW2), waiting at most
    /// `timeout` (Android: set `IsoDep.timeout` to it before `transceive`).
    ///
    /// # Errors
    /// [`NfcError`] as the platform reported it.
    fn transceive(&mut self, apdu: &[u8], timeout: Duration) -> Result<Vec<u8>, NfcError>;

    /// The stack's limits.
    fn capabilities(&self) -> NfcCapabilities;
}

/// A [`Transport`] over a host's [`NfcTransceiver`].
#[derive(Debug)]
pub struct NfcTransport<T> {
    host: T,
    timeouts: NfcTimeouts,
}

impl<T: NfcTransceiver> NfcTransport<T> {
    /// Wraps the host's transceiver with the default timeouts.
    pub fn new(host: T) -> Self {
        Self {
            host,
            timeouts: NfcTimeouts::default(),
        }
    }

    /// The same transport with other timeout hints.
    #[must_use]
    pub fn with_timeouts(mut self, timeouts: NfcTimeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The timeout hint for `command`: longer for COMPUTE DIGITAL SIGNATURE (`80 2A`).
    pub fn timeout_for(&self, command: &[u8]) -> Duration {
        if command.get(..2) == Some(&[0x80, 0x2A]) {
            self.timeouts.signature
        } else {
            self.timeouts.normal
        }
    }

    /// The host transceiver.
    pub fn host(&self) -> &T {
        &self.host
    }

    /// The host transceiver, mutably.
    pub fn host_mut(&mut self) -> &mut T {
        &mut self.host
    }

    /// Unwraps the host transceiver.
    pub fn into_host(self) -> T {
        self.host
    }
}

/// The limits a phone NFC stack implies.
pub fn limits_for(caps: NfcCapabilities) -> ReaderLimits {
    if caps.extended_length {
        ReaderLimits::extended(caps.max_transceive_len)
            .with_max_command_len(caps.max_transceive_len)
            .with_max_response_len(caps.max_transceive_len)
    } else {
        ReaderLimits::short_only()
            .with_max_command_len(caps.max_transceive_len.min(SHORT_MAX_COMMAND_LEN))
            .with_max_response_len(caps.max_transceive_len.min(SHORT_MAX_RESPONSE_LEN))
    }
}

impl<T: NfcTransceiver> Transport for NfcTransport<T> {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let max = self.limits().max_command_len;
        if command.len() > max {
            return Err(TransportError::CommandTooLong {
                len: command.len(),
                max,
            });
        }
        let timeout = self.timeout_for(command);
        self.host.transceive(command, timeout).map_err(|e| match e {
            NfcError::TagLost => TransportError::CardRemoved,
            NfcError::NotConnected => TransportError::NoCard,
            NfcError::Timeout => TransportError::Timeout,
            other => TransportError::Other(Box::new(other)),
        })
    }

    fn limits(&self) -> ReaderLimits {
        limits_for(self.host.capabilities())
    }
}

/// A simulated phone for tests: a [`crate::mock::VirtualMyNumberCard`] behind an NFC stack
/// that enforces its transceive limit, reports tag loss as the platforms do, and records the
/// timeout hint of every exchange.
#[derive(Debug)]
pub struct SimulatedNfcHost {
    card: crate::mock::VirtualMyNumberCard,
    caps: NfcCapabilities,
    timeouts_seen: Vec<Duration>,
}

impl SimulatedNfcHost {
    /// A phone holding `card` with the given stack capabilities.
    pub fn new(card: crate::mock::VirtualMyNumberCard, caps: NfcCapabilities) -> Self {
        Self {
            card,
            caps,
            timeouts_seen: Vec::new(),
        }
    }
    /// The card in the field.
    pub fn card(&self) -> &crate::mock::VirtualMyNumberCard {
        &self.card
    }
    /// The card in the field, mutably.
    pub fn card_mut(&mut self) -> &mut crate::mock::VirtualMyNumberCard {
        &mut self.card
    }
    /// The timeout hint of every exchange so far.
    pub fn timeouts_seen(&self) -> &[Duration] {
        &self.timeouts_seen
    }
}

impl NfcTransceiver for SimulatedNfcHost {
    fn transceive(&mut self, apdu: &[u8], timeout: Duration) -> Result<Vec<u8>, NfcError> {
        self.timeouts_seen.push(timeout);
        if apdu.len() > self.caps.max_transceive_len {
            return Err(NfcError::Other(
                "APDU exceeds the max transceive length".to_owned(),
            ));
        }
        match self.card.transmit(apdu) {
            Ok(r) => Ok(r),
            Err(TransportError::CardRemoved) => Err(NfcError::TagLost),
            Err(TransportError::NoCard) => Err(NfcError::NotConnected),
            Err(TransportError::Timeout) => Err(NfcError::Timeout),
            Err(e) => Err(NfcError::Other(e.to_string())),
        }
    }

    fn capabilities(&self) -> NfcCapabilities {
        self.caps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::{InjectedFault, VirtualMyNumberCard};

    #[test]
    fn limits_follow_the_stack() {
        let l = limits_for(NfcCapabilities {
            max_transceive_len: 261,
            extended_length: false,
        });
        assert_eq!(l, ReaderLimits::short_only());
        let l = limits_for(NfcCapabilities {
            max_transceive_len: 4096,
            extended_length: true,
        });
        assert!(l.extended_length);
        assert_eq!((l.max_command_len, l.max_response_len), (4096, 4096));
        let l = limits_for(NfcCapabilities {
            max_transceive_len: 128,
            extended_length: false,
        });
        assert_eq!(l.max_response_data(), 126);
    }

    #[test]
    fn tag_loss_is_card_removed_and_signature_gets_the_long_timeout() {
        let card = VirtualMyNumberCard::builder()
            .seed(7)
            .fault(InjectedFault::TagLostAt(2))
            .build()
            .unwrap();
        let caps = NfcCapabilities {
            max_transceive_len: 261,
            extended_length: false,
        };
        let mut t = NfcTransport::new(SimulatedNfcHost::new(card, caps));
        assert_eq!(
            t.transmit(&[0x00, 0xA4, 0x00, 0x00]).unwrap(),
            vec![0x6A, 0x86]
        );
        assert!(matches!(
            t.transmit(&[0x80, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00]),
            Err(TransportError::CardRemoved)
        ));
        assert_eq!(
            t.host().timeouts_seen(),
            &[Duration::from_secs(1), Duration::from_secs(5)]
        );
        let long = vec![0u8; 262];
        assert!(matches!(
            t.transmit(&long),
            Err(TransportError::CommandTooLong { .. })
        ));
    }
}
