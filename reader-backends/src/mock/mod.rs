//! A faithful, stateful virtual My Number Card: JPKI AP and 券面事項入力補助AP with real
//! RSA-2048 keys, the status words and security-state rules of card.md, configurable reader
//! behaviour and injected faults, and a redacted APDU log.
//!
//! It is a [`Transport`] itself (the card in a perfect reader), and the card logic is also
//! reachable without faults through [`VirtualMyNumberCard::process`] for the vpcd bridge.

mod card;
mod command;
mod files;
mod log;
mod persona;

use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use crate::{CheckEnd, ReaderLimits, Transport, TransportError};
use card::{CardCore, Volatile};
use files::{BinaryEf, Ef, PinId};

pub use log::{ApduLog, LoggedExchange, REDACTED_BYTE};
pub use persona::{CardSex, Persona, PersonaError, TokenKind};
// The card's keys and certificates come from the workspace's one test PKI.
pub use elig_testpki::{AUTH_CERT_LEN, CardCredentials, DEFAULT_SEED, KeyAndChain, Pki, PkiError};

/// The ATR the virtual card answers with: the one OpenSC's JPKI driver matches
/// (`3B E0 00 FF 81 31 FE 45 14`, from OpenSC's `card-jpki.c` ATR table, public fact), so
/// independent PC/SC clients treat it as a My Number Card. Our own code never trusts the ATR.
pub const MY_NUMBER_CARD_ATR: [u8; 9] = [0x3B, 0xE0, 0x00, 0xFF, 0x81, 0x31, 0xFE, 0x45, 0x14];

/// How the card and its reader behave (not what the card holds).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CardConfig {
    /// Whether the card and reader accept extended-length APDUs (`6700` to one otherwise).
    pub extended_length: bool,
    /// T=0 style: announce every response's data with `61xx` and hand it out through
    /// GET RESPONSE (`00 C0 00 00 xx`).
    pub t0_get_response: bool,
    /// At most this many data bytes in one response, even when more were asked for
    /// (a card that answers short reads). Default 65 536 (no cap beyond the encoding's).
    pub max_response_data: usize,
    /// What READ BINARY answers when Le asks for more than the file has left.
    pub read_past_end: ReadPastEnd,
}

/// How a card answers a READ BINARY whose Le runs past the end of the file (card.md: "The
/// card may return fewer bytes than asked. End of file: `6B00` (some cards `6282`)"; `6Cxx`
/// is the ISO 7816-4 "wrong Le" answer some cards give instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ReadPastEnd {
    /// The bytes that remain, with `9000` (the default).
    #[default]
    ShortRead,
    /// The bytes that remain, with `6282` (end of file reached before Le bytes).
    Warning6282,
    /// No data, `6Cxx` with xx = the bytes that remain (when fewer than 256; a short read
    /// otherwise): resend with that Le.
    WrongLe6Cxx,
}

impl Default for CardConfig {
    fn default() -> Self {
        Self {
            extended_length: true,
            t0_get_response: false,
            max_response_data: 65_536,
            read_past_end: ReadPastEnd::ShortRead,
        }
    }
}

impl CardConfig {
    /// A card/reader pair that only does short APDUs.
    pub fn short_only() -> Self {
        Self {
            extended_length: false,
            ..Self::default()
        }
    }
    /// An extended-length card/reader pair (the default).
    pub fn extended() -> Self {
        Self::default()
    }
    /// The same configuration with T=0 style `61xx` answers on or off.
    #[must_use]
    pub fn with_t0_get_response(mut self, on: bool) -> Self {
        self.t0_get_response = on;
        self
    }
    /// The same configuration answering a READ BINARY past the end of a file this way.
    #[must_use]
    pub fn with_read_past_end(mut self, how: ReadPastEnd) -> Self {
        self.read_past_end = how;
        self
    }
    /// The same configuration answering at most `n` data bytes per response.
    #[must_use]
    pub fn with_max_response_data(mut self, n: usize) -> Self {
        self.max_response_data = n.max(1);
        self
    }
}

/// A fault the virtual reader injects on purpose (a test's tool, not a card answer), counted
/// in commands transmitted (1 = the first). Named apart from elig-proto's gateway fault.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InjectedFault {
    /// The card is pulled out after `n` commands were answered: every later transmit fails
    /// with [`TransportError::CardRemoved`] until [`VirtualMyNumberCard::insert`].
    RemovedAfter(u64),
    /// Command number `n` is lost with the NFC tag: it fails with
    /// [`TransportError::CardRemoved`] and the card loses power (security state gone);
    /// later commands reach the card again, freshly powered.
    TagLostAt(u64),
    /// Every command takes at least this long (a slow card or link).
    Delay(Duration),
    /// Only the signature command takes this long (card.md: the slowest command).
    SignatureDelay(Duration),
    /// The response to command number `at` is replaced by these bytes.
    GarbageAt {
        /// Command number.
        at: u64,
        /// The bytes the host receives instead.
        bytes: Vec<u8>,
    },
}

/// The secrets the card checks, in zeroizing memory.
pub(crate) struct CardSecrets {
    values: [Zeroizing<Vec<u8>>; 5],
}

impl CardSecrets {
    fn new(pin: &str, sign_password: &str, persona: &Persona, expiry_and_code: &str) -> Self {
        let birth = persona.birth_date();
        let mut match_b = Zeroizing::new(Vec::with_capacity(14));
        match_b.extend_from_slice(birth.get(2..).unwrap_or(birth).as_bytes());
        match_b.extend_from_slice(expiry_and_code.as_bytes());
        let number = persona.my_number_ef();
        Self {
            values: [
                Zeroizing::new(pin.as_bytes().to_vec()),
                Zeroizing::new(sign_password.as_bytes().to_vec()),
                Zeroizing::new(pin.as_bytes().to_vec()),
                Zeroizing::new(number.get(3..15).unwrap_or(&[]).to_vec()),
                match_b,
            ],
        }
    }

    /// Compares without an early exit on the first differing byte.
    pub(crate) fn matches(&self, pin: PinId, candidate: &[u8]) -> bool {
        let Some(expected) = self.values.get(pin.index()) else {
            return false;
        };
        let mut diff = u8::from(expected.len() != candidate.len());
        for (a, b) in expected.iter().zip(candidate) {
            diff |= a ^ b;
        }
        diff == 0
    }

    pub(crate) fn set(&mut self, pin: PinId, value: &[u8]) {
        if let Some(slot) = self.values.get_mut(pin.index()) {
            *slot = Zeroizing::new(value.to_vec());
        }
    }
}

/// Why a virtual card could not be built (caller misuse or key generation failure).
#[derive(Debug)]
#[non_exhaustive]
pub enum MockError {
    /// Keys or certificates: see [`PkiError`].
    Pki(PkiError),
    /// The auth PIN is not exactly 4 ASCII digits.
    Pin,
    /// The signature password is not 6–16 characters of `A–Z`/`0–9`.
    SignPassword,
}

impl core::fmt::Display for MockError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Pki(e) => e.fmt(f),
            Self::Pin => f.write_str("caller error: the auth PIN must be exactly 4 digits"),
            Self::SignPassword => f.write_str(
                "caller error: the signature password must be 6-16 characters A-Z / 0-9",
            ),
        }
    }
}

impl core::error::Error for MockError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            Self::Pki(e) => Some(e),
            _ => None,
        }
    }
}

impl From<PkiError> for MockError {
    fn from(e: PkiError) -> Self {
        Self::Pki(e)
    }
}

/// Builds a [`VirtualMyNumberCard`].
#[derive(Debug)]
pub struct VirtualCardBuilder {
    serial: u64,
    pin: Zeroizing<String>,
    sign_password: Zeroizing<String>,
    persona: Persona,
    credentials: Option<CardCredentials>,
    issued_on: Option<SystemTime>,
    config: CardConfig,
    faults: Vec<InjectedFault>,
}

impl VirtualCardBuilder {
    /// The card's certificate serial (default 1). Unless [`Self::credentials`] gives others,
    /// the card holds the credentials of this serial in the default test PKI
    /// ([`Pki::card`] of [`DEFAULT_SEED`]), which the default `elig-sandbox` gateway trusts:
    /// a card built for a serial of its registry (e.g. 1001) is that person's card.
    #[must_use]
    pub fn serial(mut self, serial: u64) -> Self {
        self.serial = serial;
        self
    }
    /// The 4-digit PIN of the JPKI auth key and of 券面事項入力補助AP (default `1234`).
    #[must_use]
    pub fn pin(mut self, pin: &str) -> Self {
        self.pin = Zeroizing::new(pin.to_owned());
        self
    }
    /// The signature password (default `ABC123`).
    #[must_use]
    pub fn sign_password(mut self, password: &str) -> Self {
        self.sign_password = Zeroizing::new(password.to_owned());
        self
    }
    /// The holder (default [`Persona::default`]).
    #[must_use]
    pub fn persona(mut self, persona: Persona) -> Self {
        self.persona = persona;
        self
    }
    /// The day the default credentials are issued on (default: the system clock's now, when
    /// [`Self::build`] runs): their certificates are valid from 365 days before that UTC day
    /// to 1,461 days after it ([`elig_testpki::card_validity_on`]), so a card built on the day
    /// a gateway checks it is valid in any year. A test whose gateway runs on a fake clock
    /// passes that clock's time here; a transcript that holds the certificate pins a fixed
    /// day. Ignored when [`Self::credentials`] gives the credentials.
    #[must_use]
    pub fn issued_on(mut self, today: SystemTime) -> Self {
        self.issued_on = Some(today);
        self
    }
    /// Keys and certificates the caller issued (e.g. from a shared [`Pki`], which keeps the
    /// keys it derived), instead of deriving the default test PKI's for the serial.
    #[must_use]
    pub fn credentials(mut self, credentials: CardCredentials) -> Self {
        self.credentials = Some(credentials);
        self
    }
    /// Reader/card behaviour (default: extended length, no `61xx`).
    #[must_use]
    pub fn config(mut self, config: CardConfig) -> Self {
        self.config = config;
        self
    }
    /// Adds an injected fault.
    #[must_use]
    pub fn fault(mut self, fault: InjectedFault) -> Self {
        self.faults.push(fault);
        self
    }

    /// Builds the card. Without [`Self::credentials`] this derives four RSA-2048 keys of the
    /// default test PKI (two CAs, the card's two keys): a second or so; tests that build
    /// many cards share a [`Pki`] and pass its cards as credentials.
    ///
    /// # Errors
    /// [`MockError`] for a malformed PIN/password or a PKI failure.
    pub fn build(self) -> Result<VirtualMyNumberCard, MockError> {
        if self.pin.len() != 4 || !self.pin.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MockError::Pin);
        }
        let pw = &self.sign_password;
        if !(6..=16).contains(&pw.len())
            || !pw
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(MockError::SignPassword);
        }
        let creds = match self.credentials {
            Some(c) => c,
            None => {
                let today = self.issued_on.unwrap_or_else(SystemTime::now);
                Pki::new(DEFAULT_SEED).card(self.serial, self.persona.name(), today)?
            }
        };
        let secrets = CardSecrets::new(&self.pin, &self.sign_password, &self.persona, "20350000");
        let tries = PinId::ALL.map(PinId::max_tries);
        Ok(VirtualMyNumberCard {
            core: CardCore {
                config: self.config,
                creds,
                persona: self.persona,
                secrets,
                serial: self.serial,
                tries,
                vol: Volatile::default(),
            },
            faults: self.faults,
            log: ApduLog::default(),
            transmitted: 0,
            removed: false,
        })
    }
}

/// The virtual My Number Card (in a virtual reader). See the [module docs](self).
pub struct VirtualMyNumberCard {
    core: CardCore,
    faults: Vec<InjectedFault>,
    log: ApduLog,
    transmitted: u64,
    removed: bool,
}

impl core::fmt::Debug for VirtualMyNumberCard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualMyNumberCard")
            .field("config", &self.core.config)
            .field("faults", &self.faults)
            .field("commands", &self.log.len())
            .field("removed", &self.removed)
            .finish_non_exhaustive()
    }
}

impl VirtualMyNumberCard {
    /// A builder with defaults: serial 1, PIN `1234`, password `ABC123`, default persona,
    /// extended length.
    pub fn builder() -> VirtualCardBuilder {
        VirtualCardBuilder {
            serial: 1,
            pin: Zeroizing::new("1234".to_owned()),
            sign_password: Zeroizing::new("ABC123".to_owned()),
            persona: Persona::default(),
            credentials: None,
            issued_on: None,
            config: CardConfig::default(),
            faults: Vec::new(),
        }
    }

    /// Card `serial` of the default test PKI with auth PIN `pin` (see
    /// [`VirtualCardBuilder::serial`]).
    ///
    /// # Errors
    /// See [`VirtualCardBuilder::build`].
    pub fn new(serial: u64, pin: &str) -> Result<Self, MockError> {
        Self::builder().serial(serial).pin(pin).build()
    }

    /// Answers one command APDU as the card would, logging it (redacted). No reader faults
    /// apply here: this is what the vpcd bridge serves.
    pub fn process(&mut self, command: &[u8]) -> Vec<u8> {
        let secret_response = self.response_is_secret(command);
        let response = self.core.process(command).into_bytes();
        self.record(command, &response, secret_response);
        response
    }

    fn response_is_secret(&self, command: &[u8]) -> bool {
        let reads = matches!(command.get(1), Some(0xB0 | 0xC0));
        reads
            && self.core.vol.current_ef == Some(Ef::Binary(BinaryEf::MyNumber, my_number_access()))
    }

    fn record(&mut self, command: &[u8], response: &[u8], secret_response: bool) {
        let (command, command_redacted) = log::redact_command(command);
        let response_redacted = secret_response && response.len() > 2;
        let response = if response_redacted {
            log::redact_response(response)
        } else {
            response.to_vec()
        };
        self.log.push(LoggedExchange {
            command,
            command_redacted,
            response,
            response_redacted,
        });
    }

    /// Powers the card down: verified PINs and selections are gone (card.md).
    pub fn power_off(&mut self) {
        self.core.power_off();
    }

    /// Warm reset: back to the MF; verified PINs survive (card.md).
    pub fn reset(&mut self) {
        self.core.warm_reset();
    }

    /// Puts a removed card back (powered fresh).
    pub fn insert(&mut self) {
        self.removed = false;
        self.faults
            .retain(|f| !matches!(f, InjectedFault::RemovedAfter(_)));
        self.core.power_off();
    }

    /// The ATR ([`MY_NUMBER_CARD_ATR`]).
    pub fn atr(&self) -> &'static [u8] {
        &MY_NUMBER_CARD_ATR
    }

    /// The redacted APDU log.
    pub fn log(&self) -> &ApduLog {
        &self.log
    }

    /// Bounds the log (see [`ApduLog::set_limit`]).
    pub fn set_log_limit(&mut self, limit: Option<usize>) {
        self.log.set_limit(limit);
    }

    /// Forgets the log (e.g. after set-up commands, before counting).
    pub fn clear_log(&mut self) {
        self.log.clear();
    }

    /// The keys and certificates the card holds (a test can verify signatures with them).
    pub fn credentials(&self) -> &CardCredentials {
        &self.core.creds
    }

    /// Tries left on the JPKI auth PIN (a test oracle; a host must use the retry query).
    pub fn auth_pin_tries_left(&self) -> u8 {
        self.core.tries.first().copied().unwrap_or(0)
    }

    /// Whether the JPKI auth PIN is verified in the current security state.
    pub fn auth_pin_verified(&self) -> bool {
        self.core.is_verified(PinId::Auth)
    }

    /// Whether any PIN or 照合番号 is verified right now.
    pub fn any_verified(&self) -> bool {
        PinId::ALL.iter().any(|p| self.core.is_verified(*p))
    }

    /// The behaviour configuration.
    pub fn config(&self) -> &CardConfig {
        &self.core.config
    }

    fn fault_delay(&self, command: &[u8]) -> Duration {
        let is_sign = command.get(..2) == Some(&[0x80, 0x2A]);
        self.faults
            .iter()
            .map(|f| match f {
                InjectedFault::Delay(d) => *d,
                InjectedFault::SignatureDelay(d) if is_sign => *d,
                _ => Duration::ZERO,
            })
            .max()
            .unwrap_or(Duration::ZERO)
    }
}

fn my_number_access() -> files::Access {
    files::Access::Either(PinId::Kenmen, PinId::MatchA)
}

impl Transport for VirtualMyNumberCard {
    fn transmit(&mut self, command: &[u8]) -> Result<Vec<u8>, TransportError> {
        let limits = self.limits();
        if command.len() > limits.max_command_len {
            return Err(TransportError::CommandTooLong {
                len: command.len(),
                max: limits.max_command_len,
            });
        }
        if self.removed {
            return Err(TransportError::CardRemoved);
        }
        let n = self.transmitted.saturating_add(1);
        self.transmitted = n;
        for fault in &self.faults {
            match fault {
                InjectedFault::RemovedAfter(after) if n > *after => {
                    self.removed = true;
                    self.core.power_off();
                    return Err(TransportError::CardRemoved);
                }
                InjectedFault::TagLostAt(at) if n == *at => {
                    self.core.power_off();
                    return Err(TransportError::CardRemoved);
                }
                _ => {}
            }
        }
        let delay = self.fault_delay(command);
        if !delay.is_zero() {
            std::thread::sleep(delay);
        }
        let response = self.process(command);
        let garbage = self.faults.iter().find_map(|f| match f {
            InjectedFault::GarbageAt { at, bytes } if *at == n => Some(bytes.clone()),
            _ => None,
        });
        Ok(garbage.unwrap_or(response))
    }

    /// Ends a check as a reader would: a warm reset or a power-down of the card (card.md's
    /// effects: a verified PIN survives the reset, not the power-down). Begin is the default
    /// (nobody else shares a virtual card).
    fn end_check(&mut self, end: CheckEnd) -> Result<(), TransportError> {
        match end {
            CheckEnd::LeaveCard => {}
            CheckEnd::ResetCard => self.reset(),
            CheckEnd::PowerDown => self.power_off(),
        }
        Ok(())
    }

    fn limits(&self) -> ReaderLimits {
        if self.core.config.extended_length {
            ReaderLimits::extended(usize::MAX)
        } else {
            ReaderLimits::short_only()
        }
    }
}

#[cfg(test)]
mod tests;
