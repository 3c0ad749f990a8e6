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
//!         } catch (e: java.net.SocketTimeoutException) {
//!             throw NfcException.Timeout()
//!         } catch (e: java.io.IOException) {
//!             throw NfcException.Io(e.message ?: "I/O error")
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
//!         guard let cmd = NFCISO7816APDU(data: apdu) else { throw NfcError.Io("bad APDU") }
//!         let sem = DispatchSemaphore(value: 0)
//!         var result: Result<Data, Error> = .failure(NfcError.TagLost)
//!         tag.sendCommand(apdu: cmd) { data, sw1, sw2, error in
//!             if let error = error as? NFCReaderError,
//!                error.code == .readerTransceiveErrorTagConnectionLost {
//!                 result = .failure(NfcError.TagLost)
//!             } else if let error = error {
//!                 result = .failure(NfcError.Io(error.localizedDescription))
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
//! The trait is shaped for UniFFI's foreign traits: bytes in and bytes out (`Vec<u8>`, a
//! `ByteArray` / `Data`), the timeout in milliseconds as a plain `u32`, sizes as `u32`, and a
//! flat error enum of three cases ([`NfcError`]: tag lost, timeout, I/O).
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

/// What the host's NFC stack reported: a flat enum a foreign language can throw.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NfcError {
    /// The tag left the field, or none is connected (Android `TagLostException`, iOS
    /// `readerTransceiveErrorTagConnectionLost`).
    TagLost,
    /// The tag did not answer within the timeout.
    Timeout,
    /// Any other I/O failure, with the platform's message (no APDU bytes in it).
    Io(String),
}

impl core::fmt::Display for NfcError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::TagLost => f.write_str("NFC: tag lost"),
            Self::Timeout => f.write_str("NFC: tag did not answer in time"),
            Self::Io(m) => write!(f, "NFC: I/O error: {m}"),
        }
    }
}

impl core::error::Error for NfcError {}

/// What the phone's NFC stack can carry (Android: `IsoDep.getMaxTransceiveLength()` and
/// `isExtendedLengthApduSupported()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NfcCapabilities {
    /// Largest APDU, each way, the stack transceives, in bytes.
    pub max_transceive_len: u32,
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
    /// `timeout_ms` milliseconds (Android: set `IsoDep.timeout` to it before `transceive`).
    /// `apdu` may carry a PIN (VERIFY): do not log it, and drop it when sent.
    ///
    /// # Errors
    /// [`NfcError`] as the platform reported it.
    fn transceive(&mut self, apdu: Vec<u8>, timeout_ms: u32) -> Result<Vec<u8>, NfcError>;

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

    /// [`NfcTransport::timeout_for`] in whole milliseconds, as handed to the host (at most
    /// `u32::MAX`, about 49 days).
    pub fn timeout_ms_for(&self, command: &[u8]) -> u32 {
        u32::try_from(self.timeout_for(command).as_millis()).unwrap_or(u32::MAX)
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
    let max = max_len(caps);
    if caps.extended_length {
        ReaderLimits::extended(max)
            .with_max_command_len(max)
            .with_max_response_len(max)
    } else {
        ReaderLimits::short_only()
            .with_max_command_len(max.min(SHORT_MAX_COMMAND_LEN))
            .with_max_response_len(max.min(SHORT_MAX_RESPONSE_LEN))
    }
}

/// The stack's transceive limit as a size (a `u32` always fits in `usize` on the 32- and
/// 64-bit targets phones run; saturates otherwise).
fn max_len(caps: NfcCapabilities) -> usize {
    usize::try_from(caps.max_transceive_len).unwrap_or(usize::MAX)
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
        let timeout_ms = self.timeout_ms_for(command);
        self.host
            .transceive(command.to_vec(), timeout_ms)
            .map_err(|e| match e {
                NfcError::TagLost => TransportError::CardRemoved,
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
    /// The timeout hint of every exchange so far (the milliseconds the host was handed).
    pub fn timeouts_seen(&self) -> &[Duration] {
        &self.timeouts_seen
    }
}

impl NfcTransceiver for SimulatedNfcHost {
    fn transceive(&mut self, apdu: Vec<u8>, timeout_ms: u32) -> Result<Vec<u8>, NfcError> {
        // The command may carry a PIN: wiped when this copy is dropped.
        let apdu = zeroize::Zeroizing::new(apdu);
        self.timeouts_seen
            .push(Duration::from_millis(u64::from(timeout_ms)));
        if apdu.len() > max_len(self.caps) {
            return Err(NfcError::Io(
                "APDU exceeds the max transceive length".to_owned(),
            ));
        }
        match self.card.transmit(&apdu) {
            Ok(r) => Ok(r),
            Err(TransportError::CardRemoved | TransportError::NoCard) => Err(NfcError::TagLost),
            Err(TransportError::Timeout) => Err(NfcError::Timeout),
            Err(e) => Err(NfcError::Io(e.to_string())),
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
            .serial(7)
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

    /// A host that answers every exchange with one error, recording what it was handed.
    struct Failing {
        error: NfcError,
        seen: Vec<(Vec<u8>, u32)>,
    }
    impl NfcTransceiver for Failing {
        fn transceive(&mut self, apdu: Vec<u8>, timeout_ms: u32) -> Result<Vec<u8>, NfcError> {
            self.seen.push((apdu, timeout_ms));
            Err(self.error.clone())
        }
        fn capabilities(&self) -> NfcCapabilities {
            NfcCapabilities {
                max_transceive_len: 261,
                extended_length: false,
            }
        }
    }

    #[test]
    fn the_flat_errors_map_to_transport_errors_and_the_timeout_is_whole_milliseconds() {
        let cases = [
            (NfcError::TagLost, "CardRemoved"),
            (NfcError::Timeout, "Timeout"),
            (NfcError::Io("field off".to_owned()), "Other"),
        ];
        for (error, expected) in cases {
            let mut t = NfcTransport::new(Failing {
                error: error.clone(),
                seen: Vec::new(),
            })
            .with_timeouts(NfcTimeouts {
                normal: Duration::from_micros(1_500),
                signature: Duration::from_secs(5),
            });
            let mapped = format!("{:?}", t.transmit(&[0x00, 0xA4, 0x04, 0x0C]).unwrap_err());
            assert!(mapped.starts_with(expected), "{error:?} -> {mapped}");
            let _ = t.transmit(&[0x80, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00]);
            // Bytes in as sent; 1.5 ms is handed over as 1 ms, the signature as 5 000 ms.
            let seen = &t.host().seen;
            assert_eq!(seen[0], (vec![0x00, 0xA4, 0x04, 0x0C], 1));
            assert_eq!(seen[1].1, 5_000);
        }
        assert_eq!(
            NfcError::Io("field off".to_owned()).to_string(),
            "NFC: I/O error: field off"
        );
    }
}
