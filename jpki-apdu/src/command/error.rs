//! What can go wrong building, sending or parsing a command APDU.

use core::fmt;

/// Building or sending a command went wrong: the caller asked for something the encoding
/// or the reader cannot carry (caller misuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandError {
    /// More than 65 535 data bytes.
    DataTooLong {
        /// The data length asked for.
        len: usize,
    },
    /// Ne outside 1–65 536.
    InvalidNe {
        /// The Ne asked for.
        ne: u32,
    },
    /// A case-1 command (no data, no Le) has no extended encoding.
    ExtendedCase1,
    /// The command needs the extended encoding and the reader has none.
    ExtendedNotSupported,
    /// The command, or the response it asks for, is longer than the reader carries.
    TooLongForReader {
        /// The length needed, in bytes.
        len: usize,
        /// The reader's maximum, in bytes.
        max: usize,
    },
    /// A READ BINARY offset above the 15-bit range (`0x7FFF`).
    OffsetOutOfRange {
        /// The offset asked for.
        offset: usize,
    },
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DataTooLong { len } => write!(
                f,
                "caller error: {len} data bytes exceed the 65535 an APDU can carry"
            ),
            Self::InvalidNe { ne } => write!(
                f,
                "caller error: expected response length {ne} is outside 1..=65536"
            ),
            Self::ExtendedCase1 => f.write_str(
                "caller error: a command without data and Le has no extended encoding",
            ),
            Self::ExtendedNotSupported => f.write_str(
                "caller error: the command needs extended length, which the reader does not support",
            ),
            Self::TooLongForReader { len, max } => write!(
                f,
                "caller error: {len} bytes exceed the reader's limit of {max}"
            ),
            Self::OffsetOutOfRange { offset } => write!(
                f,
                "caller error: offset {offset} exceeds the 15-bit READ BINARY range"
            ),
        }
    }
}

impl core::error::Error for CommandError {}

/// Command bytes that are not a well-formed APDU (the sender is at fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CommandParseError {
    /// Fewer than the four header bytes.
    TooShort,
    /// Lc, the data and Le do not add up to the bytes received.
    LengthMismatch,
    /// An extended Lc of `0000` followed by data.
    ZeroLc,
}

impl fmt::Display for CommandParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TooShort => "malformed command: fewer than 4 header bytes",
            Self::LengthMismatch => "malformed command: Lc/Le do not match the length received",
            Self::ZeroLc => "malformed command: extended Lc of 0 followed by data",
        })
    }
}

impl core::error::Error for CommandParseError {}
