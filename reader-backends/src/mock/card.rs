//! The card's command interpreter: SELECT, READ BINARY, VERIFY, CHANGE REFERENCE DATA,
//! COMPUTE DIGITAL SIGNATURE and GET RESPONSE, with the status words card.md lists.
//!
//! Commands are read with the `iso7816` crate's card-side [`CommandView`] (DESIGN.md names
//! the crate) and answered with its [`Status`]; see `command.rs` for the three encodings where
//! the card keeps its own answer.
//!
//! Status words (card.md, public fact): `6A82` unknown AID/file, `6D00` unknown INS,
//! `6E00` unknown CLA, `6A86` bad P1/P2, `6700` bad length, `6982` PIN not verified,
//! `63Cx` tries left, `6984` blocked, `6B00` READ BINARY past the end, `61xx` more data
//! (T=0 style). Where card.md is silent we chose: `6986` for READ BINARY/VERIFY with no
//! suitable current EF, `6982` for reading a key EF without its PIN and `6981`
//! for reading a key (PIN verified) or a PIN EF, `6985` for GET RESPONSE with
//! nothing pending and for a signature with no key EF selected.

use iso7816::Status;
use iso7816::command::CommandView;
use rsa::Pkcs1v15Sign;
use zeroize::Zeroizing;

use super::command::read_command;
use super::files::{self, Access, App, BinaryEf, Ef, KeyId, PinId};
use super::persona::Persona;
use super::{CardConfig, CardSecrets, ReadPastEnd};
use elig_testpki::CardCredentials;

const SW_OK: Status = Status::Success;
const SW_WRONG_LENGTH: Status = Status::WrongLength;
const SW_FILE_INCOMPATIBLE: Status = Status::CommandIncompatibleFileStructure;
const SW_SECURITY: Status = Status::SecurityStatusNotSatisfied;
const SW_BLOCKED: Status = Status::ReferenceDataNotUsable;
const SW_CONDITIONS: Status = Status::ConditionsOfUseNotSatisfied;
const SW_NO_CURRENT_EF: Status = Status::CommandNotAllowedNoEf;
const SW_NOT_FOUND: Status = Status::NotFound;
const SW_BAD_P1P2: Status = Status::IncorrectP1OrP2Parameter;
const SW_WRONG_OFFSET: Status = Status::WrongParameters;
const SW_BAD_INS: Status = Status::InstructionNotSupportedOrInvalid;
const SW_BAD_CLA: Status = Status::ClassNotSupported;

/// Volatile state: lost on power-off.
#[derive(Debug, Default)]
pub(crate) struct Volatile {
    /// The application currently selected (`None`: the MF after reset).
    pub(crate) current_app: Option<App>,
    /// The application whose security state is held (survives a warm reset).
    pub(crate) security_app: Option<App>,
    pub(crate) current_ef: Option<Ef>,
    pub(crate) verified: [bool; 5],
    /// Response data waiting for GET RESPONSE (T=0 style).
    pub(crate) pending: Vec<u8>,
}

/// The card's content and state (no reader behaviour, no faults).
pub(crate) struct CardCore {
    pub(crate) config: CardConfig,
    pub(crate) creds: CardCredentials,
    pub(crate) persona: Persona,
    pub(crate) secrets: CardSecrets,
    pub(crate) serial: u64,
    /// Tries left per PIN (non-volatile).
    pub(crate) tries: [u8; 5],
    pub(crate) vol: Volatile,
}

pub(crate) struct Reply {
    pub(crate) data: Zeroizing<Vec<u8>>,
    pub(crate) sw: Status,
}

impl Reply {
    fn sw(sw: Status) -> Self {
        Self {
            data: Zeroizing::new(Vec::new()),
            sw,
        }
    }
    fn data(data: Vec<u8>) -> Self {
        Self {
            data: Zeroizing::new(data),
            sw: SW_OK,
        }
    }
    /// The R-APDU bytes.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data.len().saturating_add(2));
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.sw.to_u16().to_be_bytes());
        out
    }
}

impl CardCore {
    pub(crate) fn power_off(&mut self) {
        self.vol = Volatile::default();
    }

    /// Warm reset: back to the MF; the verified PINs survive (card.md).
    pub(crate) fn warm_reset(&mut self) {
        self.vol.current_app = None;
        self.vol.current_ef = None;
        self.vol.pending.clear();
    }

    pub(crate) fn is_verified(&self, pin: PinId) -> bool {
        self.vol.verified.get(pin.index()).copied().unwrap_or(false)
    }

    fn set_verified(&mut self, pin: PinId, on: bool) {
        if let Some(v) = self.vol.verified.get_mut(pin.index()) {
            *v = on;
        }
    }

    fn tries_left(&self, pin: PinId) -> u8 {
        self.tries.get(pin.index()).copied().unwrap_or(0)
    }

    fn set_tries(&mut self, pin: PinId, n: u8) {
        if let Some(t) = self.tries.get_mut(pin.index()) {
            *t = n;
        }
    }

    /// Answers one command APDU.
    pub(crate) fn process(&mut self, bytes: &[u8]) -> Reply {
        read_command(bytes, |cla, cmd| self.answer(cla, cmd)).unwrap_or_else(Reply::sw)
    }

    fn answer(&mut self, cla: u8, cmd: &CommandView<'_>) -> Reply {
        if cmd.extended && !self.config.extended_length {
            return Reply::sw(SW_WRONG_LENGTH);
        }
        let ins = u8::from(cmd.instruction());
        // Any command but GET RESPONSE drops pending T=0 data.
        if !(cla == 0x00 && ins == 0xC0) {
            self.vol.pending.clear();
        }
        let reply = match (cla, ins) {
            (0x00, 0xA4) => self.select(cmd),
            (0x00, 0xB0) => self.read_binary(cmd),
            (0x00, 0x20) => self.verify(cmd),
            (0x00, 0x24) => self.change_reference_data(cmd),
            (0x00, 0xC0) => return self.get_response(cmd),
            (0x80, 0x2A) => self.sign(cmd),
            (0x00 | 0x80, _) => Reply::sw(SW_BAD_INS),
            _ => Reply::sw(SW_BAD_CLA),
        };
        self.t0_wrap(reply)
    }

    /// T=0 style: announce response data with `61xx` and hold it for GET RESPONSE.
    fn t0_wrap(&mut self, reply: Reply) -> Reply {
        if !self.config.t0_get_response || reply.data.is_empty() || reply.sw != SW_OK {
            return reply;
        }
        self.vol.pending = reply.data.to_vec();
        Reply::sw(more_data_sw(self.vol.pending.len()))
    }

    fn get_response(&mut self, cmd: &CommandView<'_>) -> Reply {
        if cmd.p1 != 0 || cmd.p2 != 0 {
            return Reply::sw(SW_BAD_P1P2);
        }
        if self.vol.pending.is_empty() {
            return Reply::sw(SW_CONDITIONS);
        }
        let take = cmd
            .expected()
            .min(self.vol.pending.len())
            .min(self.max_response());
        let rest = self.vol.pending.split_off(take);
        let data = core::mem::replace(&mut self.vol.pending, rest);
        let sw = if self.vol.pending.is_empty() {
            SW_OK
        } else {
            more_data_sw(self.vol.pending.len())
        };
        Reply {
            data: Zeroizing::new(data),
            sw,
        }
    }

    fn max_response(&self) -> usize {
        let cap = if self.config.extended_length {
            65536
        } else {
            256
        };
        cap.min(self.config.max_response_data.max(1))
    }

    fn select(&mut self, cmd: &CommandView<'_>) -> Reply {
        if cmd.p2 != 0x0C && cmd.p2 != 0x00 {
            return Reply::sw(SW_BAD_P1P2);
        }
        match cmd.p1 {
            0x04 => self.select_app(cmd.data()),
            0x02 => self.select_ef(cmd.data()),
            // Select MF: refused after reset, a no-op with an AP selected (card.md).
            0x00 => match self.vol.current_app {
                None => Reply::sw(SW_BAD_P1P2),
                Some(_) => Reply::sw(SW_OK),
            },
            _ => Reply::sw(SW_BAD_P1P2),
        }
    }

    fn select_app(&mut self, aid: &[u8]) -> Reply {
        let Some(app) = files::app_by_aid(aid) else {
            return Reply::sw(SW_NOT_FOUND);
        };
        if self.vol.security_app != Some(app) || app == App::Isd {
            self.vol.verified = [false; 5];
        }
        self.vol.security_app = Some(app);
        self.vol.current_app = Some(app);
        self.vol.current_ef = None;
        Reply::sw(SW_OK)
    }

    fn select_ef(&mut self, fid: &[u8]) -> Reply {
        let Ok(fid) = <[u8; 2]>::try_from(fid) else {
            return Reply::sw(SW_WRONG_LENGTH);
        };
        let fid = u16::from_be_bytes(fid);
        let Some(app) = self.vol.current_app else {
            return Reply::sw(SW_NOT_FOUND);
        };
        if fid == 0x3F00 {
            return Reply::sw(SW_OK);
        }
        let phone = self.persona.token() != super::TokenKind::PhysicalCard;
        match files::ef(app, fid, self.creds.sign().is_some(), phone) {
            Some(ef) => {
                self.vol.current_ef = Some(ef);
                Reply::sw(SW_OK)
            }
            None => Reply::sw(SW_NOT_FOUND),
        }
    }

    fn access_ok(&self, access: Access) -> bool {
        match access {
            Access::Free => true,
            Access::Pin(p) => self.is_verified(p),
            Access::Either(a, b) => self.is_verified(a) || self.is_verified(b),
        }
    }

    fn content(&self, which: BinaryEf) -> Zeroizing<Vec<u8>> {
        let auth = self.creds.auth();
        Zeroizing::new(match which {
            BinaryEf::AuthCert => auth.cert_der().to_vec(),
            BinaryEf::AuthCaCert => auth.ca_cert_der().to_vec(),
            BinaryEf::SignCert => self
                .creds
                .sign()
                .map(|s| s.cert_der().to_vec())
                .unwrap_or_default(),
            BinaryEf::SignCaCert => self
                .creds
                .sign()
                .map(|s| s.ca_cert_der().to_vec())
                .unwrap_or_default(),
            BinaryEf::TokenInfo => self.persona.token_info_ef(self.serial),
            BinaryEf::CertPresence => {
                if self.creds.sign().is_some() {
                    vec![0x8F, 0x8F, 0x00]
                } else {
                    vec![0x00, 0x8F, 0x00]
                }
            }
            BinaryEf::MyNumber => return self.persona.my_number_ef(),
            BinaryEf::Basic4 => self.persona.basic4_ef(),
        })
    }

    fn read_binary(&mut self, cmd: &CommandView<'_>) -> Reply {
        if !cmd.data().is_empty() {
            return Reply::sw(SW_WRONG_LENGTH);
        }
        if cmd.p1 & 0x80 != 0 {
            // Short-EF addressing: not offered by this card (our choice).
            return Reply::sw(SW_BAD_P1P2);
        }
        let offset = usize::from(u16::from_be_bytes([cmd.p1, cmd.p2]));
        let (which, access) = match self.vol.current_ef {
            Some(Ef::Binary(which, access)) => (which, access),
            // A key never reads out; without its PIN the card says so first.
            Some(Ef::Key(_, pin)) if !self.is_verified(pin) => return Reply::sw(SW_SECURITY),
            Some(Ef::Key(..) | Ef::Pin(_)) => return Reply::sw(SW_FILE_INCOMPATIBLE),
            None => return Reply::sw(SW_NO_CURRENT_EF),
        };
        if !self.access_ok(access) {
            return Reply::sw(SW_SECURITY);
        }
        if cmd.expected() == 0 {
            return Reply::sw(SW_WRONG_LENGTH);
        }
        let content = self.content(which);
        let Some(rest) = content.get(offset..).filter(|r| !r.is_empty()) else {
            return Reply::sw(SW_WRONG_OFFSET);
        };
        let past_end = cmd.expected() > rest.len();
        let sw = match self.config.read_past_end {
            // 6Cxx can only name 1..=255 bytes; past that the card falls back to a short read.
            ReadPastEnd::WrongLe6Cxx if past_end => {
                if let Ok(xx) = u8::try_from(rest.len()) {
                    return Reply::sw(Status::WrongLeField(xx));
                }
                SW_OK
            }
            ReadPastEnd::Warning6282 if past_end => Status::UnexpectedEof,
            _ => SW_OK,
        };
        let take = cmd.expected().min(rest.len()).min(self.max_response());
        Reply {
            data: Zeroizing::new(rest.get(..take).unwrap_or(rest).to_vec()),
            sw,
        }
    }

    fn pin_target(&self, cmd: &CommandView<'_>) -> Result<PinId, Reply> {
        if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
            return Err(Reply::sw(SW_BAD_P1P2));
        }
        match self.vol.current_ef {
            Some(Ef::Pin(pin)) => Ok(pin),
            _ => Err(Reply::sw(SW_NO_CURRENT_EF)),
        }
    }

    fn verify(&mut self, cmd: &CommandView<'_>) -> Reply {
        let pin = match self.pin_target(cmd) {
            Ok(pin) => pin,
            Err(reply) => return reply,
        };
        let left = self.tries_left(pin);
        if cmd.data().is_empty() {
            // Retry query: spends no try.
            if left == 0 {
                return Reply::sw(SW_BLOCKED);
            }
            if self.is_verified(pin) {
                return Reply::sw(SW_OK);
            }
            return Reply::sw(Status::RemainingRetries(left));
        }
        if left == 0 {
            return Reply::sw(SW_BLOCKED);
        }
        if self.secrets.matches(pin, cmd.data()) {
            self.set_tries(pin, pin.max_tries());
            self.set_verified(pin, true);
            Reply::sw(SW_OK)
        } else {
            let left = left.saturating_sub(1);
            self.set_tries(pin, left);
            self.set_verified(pin, false);
            Reply::sw(Status::RemainingRetries(left))
        }
    }

    fn change_reference_data(&mut self, cmd: &CommandView<'_>) -> Reply {
        if cmd.p1 != 0x01 || cmd.p2 != 0x80 {
            return Reply::sw(SW_BAD_P1P2);
        }
        let pin = match self.vol.current_ef {
            Some(Ef::Pin(pin)) => pin,
            _ => return Reply::sw(SW_NO_CURRENT_EF),
        };
        if cmd.data().is_empty() {
            return Reply::sw(SW_WRONG_LENGTH);
        }
        if !self.is_verified(pin) {
            return Reply::sw(SW_SECURITY);
        }
        self.secrets.set(pin, cmd.data());
        Reply::sw(SW_OK)
    }

    fn sign(&mut self, cmd: &CommandView<'_>) -> Reply {
        if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
            return Reply::sw(SW_BAD_P1P2);
        }
        let (key, pin) = match self.vol.current_ef {
            Some(Ef::Key(key, pin)) => (key, pin),
            _ => return Reply::sw(SW_CONDITIONS),
        };
        if !self.is_verified(pin) {
            return Reply::sw(SW_SECURITY);
        }
        // PKCS#1 v1.5 type 1 needs 11 bytes of padding in a 256-byte block.
        if cmd.data().is_empty() || cmd.data().len() > 245 || cmd.expected() == 0 {
            return Reply::sw(SW_WRONG_LENGTH);
        }
        let private = match key {
            KeyId::Auth => Some(self.creds.auth().key()),
            KeyId::Sign => self.creds.sign().map(|s| s.key()),
        };
        let Some(private) = private else {
            return Reply::sw(SW_NOT_FOUND);
        };
        match private.sign(Pkcs1v15Sign::new_unprefixed(), cmd.data()) {
            Ok(sig) if sig.len() <= cmd.expected() => Reply::data(sig),
            Ok(sig) => Reply::sw(Status::WrongLeField(
                u8::try_from(sig.len() & 0xFF).unwrap_or(0),
            )),
            Err(_) => Reply::sw(SW_CONDITIONS),
        }
    }
}

/// `61xx` with xx = bytes still available (`00` meaning 256 or more).
fn more_data_sw(len: usize) -> Status {
    Status::MoreAvailable(u8::try_from(len).unwrap_or(0))
}
