//! Command APDUs (ISO/IEC 7816-4 §5.1): the [`Command`] type with its cases 1–4, short and
//! extended encodings, a builder that returns `Result` and a parser that rejects
//! inconsistent Lc/Le; the card's own commands (`domain/card.md`: [`select_application`],
//! [`read_binary`], [`verify`], [`compute_digital_signature`]…) as constructors of it; and
//! lossless conversions to and from the `iso7816` crate's command types
//! ([`IsoConversionError`]).
//!
//! Encodings (public fact, ISO 7816-4):
//!
//! | Case | Short | Extended |
//! |---|---|---|
//! | 1 | `CLA INS P1 P2` | — |
//! | 2 | `… Le` (`00` = 256) | `… 00 Le Le` (`0000` = 65 536) |
//! | 3 | `… Lc data` (Lc 1–255) | `… 00 Lc Lc data` (Lc 1–65 535) |
//! | 4 | `… Lc data Le` | `… 00 Lc Lc data Le Le` |

use alloc::vec::Vec;
use core::fmt;
use zeroize::Zeroizing;

use crate::limits::ReaderLimits;

mod card;
mod error;
mod iso;
mod parse;

pub use card::{
    MAX_READ_OFFSET, change_reference_data, compute_digital_signature, get_response, read_binary,
    read_binary_extended, retry_query, select_application, select_file, verify,
};
pub use error::{CommandError, CommandParseError};
pub use iso::IsoConversionError;

/// Largest Lc of the short encoding.
const SHORT_MAX_LC: usize = 255;
/// Largest Ne of the short encoding (`Le = 00`).
const SHORT_MAX_NE: u32 = 256;
/// Largest Lc of the extended encoding.
const EXTENDED_MAX_LC: usize = 65_535;
/// Largest Ne of the extended encoding (`Le = 0000`).
const EXTENDED_MAX_NE: u32 = 65_536;

/// Instructions whose data is a secret (VERIFY, CHANGE REFERENCE DATA, RESET RETRY
/// COUNTER): their data never reaches `Debug`.
const SECRET_INS: [u8; 3] = [0x20, 0x24, 0x2C];

/// The ISO 7816-4 case of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Case {
    /// No data, no response data expected.
    Case1,
    /// No data, response data expected (Le present).
    Case2,
    /// Data, no response data expected (Lc present).
    Case3,
    /// Data and response data expected (Lc and Le present).
    Case4,
}

/// A command APDU.
///
/// Built with [`Command::builder`] (or the card's commands of this module, such as [`select_file`]), parsed with
/// [`Command::parse`]. The data field lives in zeroizing memory (it may be a PIN), and
/// `Debug` redacts the data of VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER.
///
/// Invariants: data ≤ 65 535 bytes; Ne (the expected response length) is 1–65 536 when
/// present; a short command has data ≤ 255 and Ne ≤ 256; a case-1 command is never
/// extended.
#[derive(Clone, PartialEq, Eq)]
pub struct Command {
    cla: u8,
    ins: u8,
    p1: u8,
    p2: u8,
    data: Zeroizing<Vec<u8>>,
    ne: Option<u32>,
    extended: bool,
}

/// Builds a [`Command`]; [`CommandBuilder::build`] checks the lengths and never panics.
#[derive(Clone)]
pub struct CommandBuilder {
    header: [u8; 4],
    data: Zeroizing<Vec<u8>>,
    ne: Option<u32>,
    force_extended: bool,
}

impl fmt::Debug for CommandBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandBuilder")
            .field("header", &self.header)
            .field("data_len", &self.data.len())
            .field("ne", &self.ne)
            .field("force_extended", &self.force_extended)
            .finish()
    }
}

impl CommandBuilder {
    /// Sets the data field (Lc is its length). Empty data means no Lc.
    #[must_use]
    pub fn data(mut self, data: &[u8]) -> Self {
        // A fresh buffer: the previous data (maybe a PIN) is zeroized as it is dropped,
        // where growing the old one in place would leave a copy in freed memory.
        self.data = Zeroizing::new(data.to_vec());
        self
    }

    /// Sets Ne, the number of response data bytes expected: 1–256 fits the short encoding
    /// (256 is sent as `Le = 00`), up to 65 536 needs the extended one (`0000`).
    #[must_use]
    pub fn expect(mut self, ne: u32) -> Self {
        self.ne = Some(ne);
        self
    }

    /// Uses the extended encoding even when the short one would fit.
    #[must_use]
    pub fn extended(mut self) -> Self {
        self.force_extended = true;
        self
    }

    /// Checks the lengths and builds the command. The encoding is short when the data and
    /// Ne fit, extended otherwise (or when [`CommandBuilder::extended`] was asked).
    ///
    /// # Errors
    /// [`CommandError::DataTooLong`] above 65 535 data bytes, [`CommandError::InvalidNe`]
    /// for Ne 0 or above 65 536, [`CommandError::ExtendedCase1`] when a command without
    /// data and Le is forced extended.
    pub fn build(self) -> Result<Command, CommandError> {
        let [cla, ins, p1, p2] = self.header;
        let len = self.data.len();
        if len > EXTENDED_MAX_LC {
            return Err(CommandError::DataTooLong { len });
        }
        if let Some(ne) = self.ne
            && (ne == 0 || ne > EXTENDED_MAX_NE)
        {
            return Err(CommandError::InvalidNe { ne });
        }
        let needs_extended = len > SHORT_MAX_LC || self.ne.is_some_and(|ne| ne > SHORT_MAX_NE);
        let extended = needs_extended || self.force_extended;
        if extended && len == 0 && self.ne.is_none() {
            return Err(CommandError::ExtendedCase1);
        }
        Ok(Command {
            cla,
            ins,
            p1,
            p2,
            data: self.data,
            ne: self.ne,
            extended,
        })
    }
}

impl Command {
    /// Starts a command with the header `CLA INS P1 P2`.
    #[must_use]
    pub fn builder(cla: u8, ins: u8, p1: u8, p2: u8) -> CommandBuilder {
        CommandBuilder {
            header: [cla, ins, p1, p2],
            data: Zeroizing::new(Vec::new()),
            ne: None,
            force_extended: false,
        }
    }

    /// A case-1 command (header only).
    #[must_use]
    pub fn case1(cla: u8, ins: u8, p1: u8, p2: u8) -> Self {
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Zeroizing::new(Vec::new()),
            ne: None,
            extended: false,
        }
    }

    /// This crate's fixed-size commands (data ≤ 83 bytes and Ne ≤ 256 by construction).
    /// The encoding is still chosen from the lengths, so the invariants hold for any input
    /// up to 65 535 data bytes; longer data is cut there (no caller comes close).
    pub(crate) fn fixed(header: [u8; 4], data: &[u8], ne: Option<u32>) -> Self {
        let [cla, ins, p1, p2] = header;
        let data = data.get(..EXTENDED_MAX_LC).unwrap_or(data);
        let ne = ne.map(|n| n.clamp(1, EXTENDED_MAX_NE));
        let extended = data.len() > SHORT_MAX_LC || ne.is_some_and(|n| n > SHORT_MAX_NE);
        Self {
            cla,
            ins,
            p1,
            p2,
            data: Zeroizing::new(data.to_vec()),
            ne,
            extended,
        }
    }

    /// The class byte.
    #[must_use]
    pub fn cla(&self) -> u8 {
        self.cla
    }

    /// The instruction byte.
    #[must_use]
    pub fn ins(&self) -> u8 {
        self.ins
    }

    /// Parameter P1.
    #[must_use]
    pub fn p1(&self) -> u8 {
        self.p1
    }

    /// Parameter P2.
    #[must_use]
    pub fn p2(&self) -> u8 {
        self.p2
    }

    /// The data field (empty when there is no Lc).
    #[must_use]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Ne, the number of response data bytes expected (`None` when there is no Le).
    #[must_use]
    pub fn ne(&self) -> Option<u32> {
        self.ne
    }

    /// Whether the command uses the extended encoding.
    #[must_use]
    pub fn is_extended(&self) -> bool {
        self.extended
    }

    /// The ISO 7816-4 case.
    #[must_use]
    pub fn case(&self) -> Case {
        match (self.data.is_empty(), self.ne.is_some()) {
            (true, false) => Case::Case1,
            (true, true) => Case::Case2,
            (false, false) => Case::Case3,
            (false, true) => Case::Case4,
        }
    }

    /// The same command with another Ne (used for a `6Cxx` resend). The encoding becomes
    /// extended if the new Ne needs it; an extended command stays extended.
    ///
    /// # Errors
    /// [`CommandError::InvalidNe`] for Ne 0 or above 65 536.
    pub fn with_ne(&self, ne: u32) -> Result<Self, CommandError> {
        let mut builder = Self::builder(self.cla, self.ins, self.p1, self.p2)
            .data(&self.data)
            .expect(ne);
        if self.extended {
            builder = builder.extended();
        }
        builder.build()
    }

    /// Length of the encoded command in bytes.
    #[must_use]
    pub fn encoded_len(&self) -> usize {
        // Bounded by the invariants: at most 4 + 3 + 65 535 + 2.
        let lc_len = match (self.data.is_empty(), self.extended) {
            (true, _) => 0,
            (false, false) => 1,
            (false, true) => 3,
        };
        let le_len = match (self.ne.is_some(), self.extended, self.data.is_empty()) {
            (false, _, _) => 0,
            (true, false, _) => 1,
            (true, true, true) => 3,
            (true, true, false) => 2,
        };
        4usize
            .saturating_add(lc_len)
            .saturating_add(self.data.len())
            .saturating_add(le_len)
    }

    /// Appends the encoded command to `out`.
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(&[self.cla, self.ins, self.p1, self.p2]);
        let len = self.data.len();
        if len > 0 {
            if self.extended {
                out.push(0x00);
                out.extend_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
            } else {
                out.push(u8::try_from(len).unwrap_or(u8::MAX));
            }
            out.extend_from_slice(&self.data);
        }
        if let Some(ne) = self.ne {
            if self.extended {
                if len == 0 {
                    out.push(0x00);
                }
                // 65 536 is sent as 0000; the invariants keep ne in 1..=65 536.
                let le = if ne == EXTENDED_MAX_NE {
                    0
                } else {
                    u16::try_from(ne).unwrap_or(0)
                };
                out.extend_from_slice(&le.to_be_bytes());
            } else {
                // 256 is sent as 00.
                out.push(u8::try_from(ne).unwrap_or(0));
            }
        }
    }

    /// The encoded command, in zeroizing memory (it may carry a PIN).
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(self.encoded_len()));
        self.encode_into(&mut out);
        out
    }

    /// Checks that a reader with `limits` can carry this command and its answer.
    ///
    /// # Errors
    /// [`CommandError::ExtendedNotSupported`] for an extended command on a short-only
    /// reader, [`CommandError::TooLongForReader`] when the command or the expected response
    /// exceeds the reader's sizes.
    pub fn check_limits(&self, limits: &ReaderLimits) -> Result<(), CommandError> {
        if self.extended && !limits.extended_length {
            return Err(CommandError::ExtendedNotSupported);
        }
        let len = self.encoded_len();
        if len > limits.max_command_len {
            return Err(CommandError::TooLongForReader {
                len,
                max: limits.max_command_len,
            });
        }
        if let Some(ne) = self.ne {
            let ne = usize::try_from(ne).unwrap_or(usize::MAX);
            let max = limits.max_response_data();
            // Le = 00 on a short reader asks "up to 256": every short reader carries it.
            let short_max = !self.extended && ne == 256;
            if ne > max && !short_max {
                return Err(CommandError::TooLongForReader {
                    len: ne.saturating_add(2),
                    max: limits.max_response_len,
                });
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Command");
        s.field("cla", &format_args!("{:02X}", self.cla))
            .field("ins", &format_args!("{:02X}", self.ins))
            .field("p1", &format_args!("{:02X}", self.p1))
            .field("p2", &format_args!("{:02X}", self.p2));
        if SECRET_INS.contains(&self.ins) && !self.data.is_empty() {
            s.field(
                "data",
                &format_args!("<{} secret bytes redacted>", self.data.len()),
            );
        } else {
            s.field("data", &Hex(&self.data));
        }
        s.field("ne", &self.ne)
            .field("extended", &self.extended)
            .finish()
    }
}

/// Upper-case hex without separators, for `Debug`.
pub(crate) struct Hex<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
