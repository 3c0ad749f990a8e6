//! ISO 7816-4 status words (SW1 SW2), lossless for every `u16`.
//!
//! Meanings are ISO/IEC 7816-4 (public fact); the JPKI-specific readings (retry query,
//! end of file) are the ones `domain/card.md` records from the public implementations.
//! A [`StatusWord`] converts to and from `iso7816::Status` with its code unchanged
//! (`From` both ways).

use core::fmt;

mod iso;

/// A status word: the last two bytes of every response APDU.
///
/// Every `u16` maps to exactly one canonical variant, and [`StatusWord::to_u16`] gives the
/// same `u16` back (`u16 → StatusWord → u16` is the identity; a property test checks it).
/// Codes without a named variant land in [`StatusWord::Other`]. Equality and hashing compare
/// the `u16`, so a hand-built `Other(0x9000)` equals [`StatusWord::Success`].
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum StatusWord {
    /// `9000` — normal processing, no further qualification.
    Success,
    /// `61xx` — success, `xx` more bytes are waiting: fetch them with GET RESPONSE
    /// (`00 C0 00 00 xx`; `xx = 00` means 256). Seen from T=0 readers.
    MoreData(u8),
    /// `6Cxx` — wrong Le: resend the same command with Le = `xx` (`00` means 256).
    WrongLe(u8),
    /// `63Cx` — counter `x` (0–15). For a JPKI retry query or a failed VERIFY: `x` tries
    /// left; `63C0` means blocked. Values above 15 are masked to the low nibble.
    Counter(u8),
    /// `6300` — warning, no information given (non-volatile memory changed). For a JPKI
    /// retry query: the PIN has no retry limit.
    NoInformation,
    /// `6282` — end of file reached before Ne bytes were read (some cards use it at EOF).
    EndOfFile,
    /// `6281` — part of the returned data may be corrupted.
    DataCorrupted,
    /// `6400` — execution error, non-volatile memory unchanged.
    ExecutionError,
    /// `6581` — memory failure.
    MemoryFailure,
    /// `6700` — wrong length (Lc or Le).
    WrongLength,
    /// `6881` — logical channel not supported.
    LogicalChannelNotSupported,
    /// `6882` — secure messaging not supported.
    SecureMessagingNotSupported,
    /// `6981` — command incompatible with file structure.
    IncompatibleFileStructure,
    /// `6982` — security status not satisfied (for example the PIN is not verified).
    SecurityStatusNotSatisfied,
    /// `6983` — authentication method blocked.
    AuthenticationMethodBlocked,
    /// `6984` — reference data not usable. On a JPKI PIN: blocked (every attempt after the
    /// one that blocked it).
    ReferenceDataNotUsable,
    /// `6985` — conditions of use not satisfied.
    ConditionsNotSatisfied,
    /// `6986` — command not allowed (no current EF).
    CommandNotAllowed,
    /// `6A80` — incorrect parameters in the command data field.
    IncorrectData,
    /// `6A81` — function not supported.
    FunctionNotSupported,
    /// `6A82` — file or application not found.
    FileNotFound,
    /// `6A83` — record not found.
    RecordNotFound,
    /// `6A84` — not enough memory space in the file.
    NotEnoughMemory,
    /// `6A86` — incorrect parameters P1-P2.
    IncorrectP1P2,
    /// `6A88` — referenced data or reference data not found.
    ReferencedDataNotFound,
    /// `6B00` — wrong parameters P1-P2; to READ BINARY: offset beyond the end of the EF.
    WrongP1P2,
    /// `6D00` — instruction code not supported or invalid.
    InsNotSupported,
    /// `6E00` — class not supported.
    ClaNotSupported,
    /// `6F00` — no precise diagnosis.
    NoPreciseDiagnosis,
    /// Any other code, kept as is.
    Other(u16),
}

impl StatusWord {
    /// The canonical status word for a `u16`.
    #[must_use]
    pub const fn from_u16(sw: u16) -> Self {
        let [sw1, sw2] = sw.to_be_bytes();
        match (sw1, sw2) {
            (0x90, 0x00) => Self::Success,
            (0x61, xx) => Self::MoreData(xx),
            (0x6C, xx) => Self::WrongLe(xx),
            (0x63, 0x00) => Self::NoInformation,
            (0x63, x) if x & 0xF0 == 0xC0 => Self::Counter(x & 0x0F),
            (0x62, 0x82) => Self::EndOfFile,
            (0x62, 0x81) => Self::DataCorrupted,
            (0x64, 0x00) => Self::ExecutionError,
            (0x65, 0x81) => Self::MemoryFailure,
            (0x67, 0x00) => Self::WrongLength,
            (0x68, 0x81) => Self::LogicalChannelNotSupported,
            (0x68, 0x82) => Self::SecureMessagingNotSupported,
            (0x69, 0x81) => Self::IncompatibleFileStructure,
            (0x69, 0x82) => Self::SecurityStatusNotSatisfied,
            (0x69, 0x83) => Self::AuthenticationMethodBlocked,
            (0x69, 0x84) => Self::ReferenceDataNotUsable,
            (0x69, 0x85) => Self::ConditionsNotSatisfied,
            (0x69, 0x86) => Self::CommandNotAllowed,
            (0x6A, 0x80) => Self::IncorrectData,
            (0x6A, 0x81) => Self::FunctionNotSupported,
            (0x6A, 0x82) => Self::FileNotFound,
            (0x6A, 0x83) => Self::RecordNotFound,
            (0x6A, 0x84) => Self::NotEnoughMemory,
            (0x6A, 0x86) => Self::IncorrectP1P2,
            (0x6A, 0x88) => Self::ReferencedDataNotFound,
            (0x6B, 0x00) => Self::WrongP1P2,
            (0x6D, 0x00) => Self::InsNotSupported,
            (0x6E, 0x00) => Self::ClaNotSupported,
            (0x6F, 0x00) => Self::NoPreciseDiagnosis,
            _ => Self::Other(sw),
        }
    }

    /// The canonical variant of the same code: `Other(0x9000)` becomes [`StatusWord::Success`],
    /// `Counter(0x13)` becomes `Counter(3)`. A hand-built status word can name a code with a
    /// variant that is not the one [`StatusWord::from_u16`] gives; matching on variants is
    /// only sound on canonical values, so responses and PIN statuses canonicalize.
    #[must_use]
    pub const fn canonical(self) -> Self {
        Self::from_u16(self.to_u16())
    }

    /// The status word from its two bytes.
    #[must_use]
    pub const fn from_bytes(sw1: u8, sw2: u8) -> Self {
        Self::from_u16(u16::from_be_bytes([sw1, sw2]))
    }

    /// The `u16` value (SW1 in the high byte).
    #[must_use]
    pub const fn to_u16(self) -> u16 {
        let (sw1, sw2): (u8, u8) = match self {
            Self::Success => (0x90, 0x00),
            Self::MoreData(xx) => (0x61, xx),
            Self::WrongLe(xx) => (0x6C, xx),
            Self::Counter(x) => (0x63, 0xC0 | (x & 0x0F)),
            Self::NoInformation => (0x63, 0x00),
            Self::EndOfFile => (0x62, 0x82),
            Self::DataCorrupted => (0x62, 0x81),
            Self::ExecutionError => (0x64, 0x00),
            Self::MemoryFailure => (0x65, 0x81),
            Self::WrongLength => (0x67, 0x00),
            Self::LogicalChannelNotSupported => (0x68, 0x81),
            Self::SecureMessagingNotSupported => (0x68, 0x82),
            Self::IncompatibleFileStructure => (0x69, 0x81),
            Self::SecurityStatusNotSatisfied => (0x69, 0x82),
            Self::AuthenticationMethodBlocked => (0x69, 0x83),
            Self::ReferenceDataNotUsable => (0x69, 0x84),
            Self::ConditionsNotSatisfied => (0x69, 0x85),
            Self::CommandNotAllowed => (0x69, 0x86),
            Self::IncorrectData => (0x6A, 0x80),
            Self::FunctionNotSupported => (0x6A, 0x81),
            Self::FileNotFound => (0x6A, 0x82),
            Self::RecordNotFound => (0x6A, 0x83),
            Self::NotEnoughMemory => (0x6A, 0x84),
            Self::IncorrectP1P2 => (0x6A, 0x86),
            Self::ReferencedDataNotFound => (0x6A, 0x88),
            Self::WrongP1P2 => (0x6B, 0x00),
            Self::InsNotSupported => (0x6D, 0x00),
            Self::ClaNotSupported => (0x6E, 0x00),
            Self::NoPreciseDiagnosis => (0x6F, 0x00),
            Self::Other(sw) => return sw,
        };
        u16::from_be_bytes([sw1, sw2])
    }

    /// The two bytes `[SW1, SW2]`.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 2] {
        self.to_u16().to_be_bytes()
    }

    /// `true` for `9000` only.
    #[must_use]
    pub const fn is_success(self) -> bool {
        self.to_u16() == 0x9000
    }

    /// `true` for the ISO "normal processing" and "warning" classes (`61xx`, `62xx`,
    /// `63xx`, `9000`): the command was executed.
    #[must_use]
    pub const fn is_executed(self) -> bool {
        matches!(self.to_bytes(), [0x90, 0x00] | [0x61..=0x63, _])
    }
}

impl From<u16> for StatusWord {
    fn from(sw: u16) -> Self {
        Self::from_u16(sw)
    }
}

impl From<StatusWord> for u16 {
    fn from(sw: StatusWord) -> Self {
        sw.to_u16()
    }
}

impl PartialEq for StatusWord {
    fn eq(&self, other: &Self) -> bool {
        self.to_u16() == other.to_u16()
    }
}

impl Eq for StatusWord {}

impl core::hash::Hash for StatusWord {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.to_u16().hash(state);
    }
}

impl fmt::Debug for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StatusWord({:04X}", self.to_u16())?;
        if let Some(text) = self.description() {
            write!(f, " {text}")?;
        }
        f.write_str(")")
    }
}

impl fmt::Display for StatusWord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04X}", self.to_u16())?;
        match self {
            Self::MoreData(xx) => write!(f, " ({xx} more bytes available)"),
            Self::WrongLe(xx) => write!(f, " (wrong Le, {xx} bytes available)"),
            Self::Counter(x) => write!(f, " (counter {})", x & 0x0F),
            _ => match self.description() {
                Some(text) => write!(f, " ({text})"),
                None => Ok(()),
            },
        }
    }
}

impl StatusWord {
    const fn description(self) -> Option<&'static str> {
        Some(match self {
            Self::Success => "success",
            Self::MoreData(_) => "more data available",
            Self::WrongLe(_) => "wrong Le",
            Self::Counter(_) => "counter",
            Self::NoInformation => "warning, no information given",
            Self::EndOfFile => "end of file reached",
            Self::DataCorrupted => "data may be corrupted",
            Self::ExecutionError => "execution error",
            Self::MemoryFailure => "memory failure",
            Self::WrongLength => "wrong length",
            Self::LogicalChannelNotSupported => "logical channel not supported",
            Self::SecureMessagingNotSupported => "secure messaging not supported",
            Self::IncompatibleFileStructure => "command incompatible with file structure",
            Self::SecurityStatusNotSatisfied => "security status not satisfied",
            Self::AuthenticationMethodBlocked => "authentication method blocked",
            Self::ReferenceDataNotUsable => "reference data not usable",
            Self::ConditionsNotSatisfied => "conditions of use not satisfied",
            Self::CommandNotAllowed => "command not allowed",
            Self::IncorrectData => "incorrect data",
            Self::FunctionNotSupported => "function not supported",
            Self::FileNotFound => "file or application not found",
            Self::RecordNotFound => "record not found",
            Self::NotEnoughMemory => "not enough memory",
            Self::IncorrectP1P2 => "incorrect P1-P2",
            Self::ReferencedDataNotFound => "referenced data not found",
            Self::WrongP1P2 => "wrong P1-P2 (offset beyond end of file)",
            Self::InsNotSupported => "instruction not supported",
            Self::ClaNotSupported => "class not supported",
            Self::NoPreciseDiagnosis => "no precise diagnosis",
            Self::Other(_) => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::StatusWord;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn u16_round_trip(sw: u16) {
            prop_assert_eq!(StatusWord::from_u16(sw).to_u16(), sw);
            let [a, b] = sw.to_be_bytes();
            prop_assert_eq!(StatusWord::from_bytes(a, b).to_bytes(), [a, b]);
        }

        #[test]
        fn named_codes_never_land_in_other(sw: u16) {
            // `Other` holds only codes no named variant claims: re-parsing is stable.
            let parsed = StatusWord::from_u16(sw);
            if let StatusWord::Other(raw) = parsed {
                prop_assert!(matches!(StatusWord::from_u16(raw), StatusWord::Other(_)));
            }
        }
    }

    #[test]
    fn named_variants_have_their_codes() {
        let cases: &[(u16, StatusWord)] = &[
            (0x9000, StatusWord::Success),
            (0x6112, StatusWord::MoreData(0x12)),
            (0x6C00, StatusWord::WrongLe(0)),
            (0x63C3, StatusWord::Counter(3)),
            (0x63C0, StatusWord::Counter(0)),
            (0x6300, StatusWord::NoInformation),
            (0x6282, StatusWord::EndOfFile),
            (0x6700, StatusWord::WrongLength),
            (0x6982, StatusWord::SecurityStatusNotSatisfied),
            (0x6983, StatusWord::AuthenticationMethodBlocked),
            (0x6984, StatusWord::ReferenceDataNotUsable),
            (0x6985, StatusWord::ConditionsNotSatisfied),
            (0x6A82, StatusWord::FileNotFound),
            (0x6A86, StatusWord::IncorrectP1P2),
            (0x6B00, StatusWord::WrongP1P2),
            (0x6D00, StatusWord::InsNotSupported),
            (0x6E00, StatusWord::ClaNotSupported),
        ];
        for &(code, sw) in cases {
            let parsed = StatusWord::from_u16(code);
            assert_eq!(parsed, sw);
            // Structural check as well, not only the u16-based equality.
            assert_eq!(format!("{parsed:?}"), format!("{sw:?}"));
            assert!(!matches!(parsed, StatusWord::Other(_)), "{code:04X}");
        }
        assert!(matches!(
            StatusWord::from_u16(0x6A87),
            StatusWord::Other(0x6A87)
        ));
        assert!(matches!(
            StatusWord::from_u16(0x63D1),
            StatusWord::Other(0x63D1)
        ));
    }

    #[test]
    fn display_names_the_code() {
        assert_eq!(
            StatusWord::Counter(2).to_string(),
            "63C2 (counter 2)".to_string()
        );
        assert_eq!(
            StatusWord::FileNotFound.to_string(),
            "6A82 (file or application not found)"
        );
        assert_eq!(StatusWord::Other(0x1234).to_string(), "1234");
    }
}
