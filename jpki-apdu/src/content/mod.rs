//! Parsers for file contents: 基本4情報 (券面事項入力補助AP EF `0002`), token info (JPKI EF
//! `0006`) and certificate availability (JPKI EF `0008`).
//!
//! Layouts quoted from `domain/card.md` (public fact, from the public implementations):
//!
//! ```text
//! EF 0002 (券面事項入力補助AP): FF 20 <len> {
//!     DF21 offsets (4 × u16 BE)
//!     DF22 name       UTF-8, family and given name separated by U+3000
//!     DF23 address    UTF-8, full-width digits; may exceed 127 bytes (81 xx / 82 xx xx)
//!     DF24 birth date YYYYMMDD
//!     DF25 sex        "1" / "2" / "9"
//! }
//! EF 0006 (JPKI): 160 bytes; the first 32 are a space-padded ASCII label:
//!     JPKIAPICCTOKEN2 = physical card, JPKIAPGPSETOKEN = Android, JPKIAPIOSTOKEN = iPhone
//! EF 0008 (JPKI): 3 bytes, `8F 8F 00` when both certificates exist
//! ```
//!
//! What the DF21 offsets count, worked out from a public test card whose EF `0002` starts
//! `FF 20 65 DF 21 08 00 0E 00 20 00 59 00 64` (test data another public project holds),
//! with a 15-byte name, a 54-byte address, the 8-byte date and the 1-byte sex: each offset
//! is the position of the field's tag byte counted from the first byte of the file, the
//! `FF` of `FF 20`, so the template's own header counts.
//!
//! ```text
//! 0x00  FF 20 65                 template header (3 bytes: the value is 0x65 = 101 bytes)
//! 0x03  DF 21 08 <8 bytes>       offsets (11 bytes)
//! 0x0E  DF 22 0F <15 bytes>      name     0x03 + 11 = 0x0E
//! 0x20  DF 23 36 <54 bytes>      address  0x0E + 3 + 15 = 0x20
//! 0x59  DF 24 08 <8 bytes>       birth    0x20 + 3 + 54 = 0x59
//! 0x64  DF 25 01 <1 byte>        sex      0x59 + 3 + 8 = 0x64; the file ends at 0x68 = 3 + 0x65
//! ```
//!
//! Counted from the start of the template's value instead, DF22 would sit at `0x0B`; the
//! card says `0x0E`. With a value of 128 bytes or more the header is `FF 20 81 xx` (4
//! bytes) or `FF 20 82 xx xx` (5), and every offset moves with it.
//!
//! Our design choices: the 基本4情報 parser takes exactly the `FF 20` TLV (no trailing
//! bytes; [`crate::procedure::ReadEf`] with [`crate::procedure::ReadLength::Tlv`] returns
//! exactly that), requires DF22–DF25 once each, refuses a DF21 that contradicts where the
//! fields are ([`ContentError::OffsetMismatch`]) but accepts a file without DF21 (the TLV
//! lengths alone locate the fields), and skips unknown tags, so a later card generation
//! that adds a field still parses. [`encode_basic_info`] writes DF21 as the card does.
//! `JPKIAPICCTOKEN` (without `2`) is the older 住基カード, as the public tools report.

use core::fmt;

use crate::tlv::{Tag, TlvError};

mod basic_info;
mod token;

pub use basic_info::{BasicInfo, BirthDate, CardSex, encode_basic_info};
pub use token::{CertAvailability, TokenInfo, TokenKind};

/// The tag of the 基本4情報 template.
pub const TAG_BASIC_INFO: Tag = Tag::new(0xFF20);
/// DF21: offsets.
pub const TAG_OFFSETS: Tag = Tag::new(0xDF21);
/// DF22: name.
pub const TAG_NAME: Tag = Tag::new(0xDF22);
/// DF23: address.
pub const TAG_ADDRESS: Tag = Tag::new(0xDF23);
/// DF24: birth date.
pub const TAG_BIRTH_DATE: Tag = Tag::new(0xDF24);
/// DF25: sex.
pub const TAG_SEX: Tag = Tag::new(0xDF25);

/// A file's content does not have the documented layout (the card, or whoever supplied
/// the bytes, is at fault). Never carries the personal data itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentError {
    /// Malformed BER-TLV.
    Tlv(TlvError),
    /// The outer tag is not the one the file holds.
    UnexpectedTag {
        /// The tag the layout says.
        expected: Tag,
        /// The tag found.
        found: Tag,
    },
    /// A required field is missing.
    MissingField(Tag),
    /// A field appears twice.
    DuplicateField(Tag),
    /// A text field is not UTF-8.
    InvalidUtf8(Tag),
    /// DF24 is not a valid `YYYYMMDD` date.
    InvalidBirthDate,
    /// DF25 is not `1`, `2` or `9`.
    InvalidSex,
    /// DF21 is not four 2-byte offsets.
    InvalidOffsetTable {
        /// Bytes of the DF21 value found (8 belong).
        len: usize,
    },
    /// DF21 says a field starts where it does not (offsets count from the file's first
    /// byte; see the module docs).
    OffsetMismatch {
        /// The field (DF22–DF25).
        field: Tag,
        /// The offset DF21 states.
        stated: u16,
        /// Where the field's tag actually is, or `None` when the field is missing.
        found: Option<usize>,
    },
    /// The content has the wrong size.
    WrongLength {
        /// Bytes expected.
        expected: usize,
        /// Bytes found.
        got: usize,
    },
    /// The My Number field is not 12 digits with a valid check digit, or the filler is not
    /// `FF`.
    InvalidMyNumber,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("malformed file content: ")?;
        match self {
            Self::Tlv(e) => write!(f, "{e}"),
            Self::UnexpectedTag { expected, found } => {
                write!(f, "tag {found} where {expected} belongs")
            }
            Self::MissingField(tag) => write!(f, "field {tag} missing"),
            Self::DuplicateField(tag) => write!(f, "field {tag} appears twice"),
            Self::InvalidUtf8(tag) => write!(f, "field {tag} is not UTF-8"),
            Self::InvalidBirthDate => f.write_str("birth date is not a valid YYYYMMDD"),
            Self::InvalidSex => f.write_str("sex code is not 1, 2 or 9"),
            Self::InvalidOffsetTable { len } => {
                write!(f, "offset table DF21 has {len} bytes where 8 belong")
            }
            Self::OffsetMismatch {
                field,
                stated,
                found: Some(found),
            } => write!(
                f,
                "offset table DF21 places {field} at byte {stated}, the file has it at {found}"
            ),
            Self::OffsetMismatch {
                field,
                stated,
                found: None,
            } => write!(
                f,
                "offset table DF21 places {field} at byte {stated}, the file has none"
            ),
            Self::WrongLength { expected, got } => {
                write!(f, "{got} bytes where {expected} belong")
            }
            Self::InvalidMyNumber => f.write_str("the My Number field is malformed"),
        }
    }
}

impl core::error::Error for ContentError {}

#[cfg(test)]
mod tests;
