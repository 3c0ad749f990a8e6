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
//! Our design choices: the 基本4情報 parser takes exactly the `FF 20` TLV (no trailing
//! bytes; [`crate::procedure::ReadEf`] with [`crate::procedure::ReadLength::Tlv`] returns
//! exactly that), requires DF22–DF25 once each, skips DF21 (the offsets restate what the
//! TLV lengths already say) and skips unknown tags, so a later card generation that adds a
//! field still parses. `JPKIAPICCTOKEN` (without `2`) is the older 住基カード, as the public
//! tools report.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::tlv::{Tag, Tlv, TlvError};

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

/// Sex as the card records it (ISO/IEC 5218 codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9`: not applicable.
    NotApplicable,
}

impl Sex {
    /// The ISO 5218 code character.
    #[must_use]
    pub fn code(self) -> char {
        match self {
            Self::Male => '1',
            Self::Female => '2',
            Self::NotApplicable => '9',
        }
    }
}

/// A validated Gregorian calendar date.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BirthDate {
    year: u16,
    month: u8,
    day: u8,
}

impl BirthDate {
    /// A date if it exists in the Gregorian calendar (year 1–9999).
    #[must_use]
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let leap =
            (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (year >= 1 && (1..=days).contains(&day)).then_some(Self { year, month, day })
    }

    /// Parses `YYYYMMDD` (8 ASCII digits).
    #[must_use]
    pub fn parse_yyyymmdd(bytes: &[u8]) -> Option<Self> {
        let [y1, y2, y3, y4, m1, m2, d1, d2] = <[u8; 8]>::try_from(bytes).ok()?;
        let year = digits(&[y1, y2, y3, y4])?;
        let month = digits(&[m1, m2])?;
        let day = digits(&[d1, d2])?;
        Self::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
    }

    /// The year.
    #[must_use]
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The month, 1–12.
    #[must_use]
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month.
    #[must_use]
    pub fn day(&self) -> u8 {
        self.day
    }
}

fn digits(bytes: &[u8]) -> Option<u16> {
    bytes.iter().try_fold(0u16, |acc, b| {
        let d = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(u16::from(d))
    })
}

impl fmt::Debug for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// 基本4情報: name, address, birth date and sex, from EF `0002` of the 券面事項入力補助AP.
///
/// Personal data: `Debug` shows only the lengths of name and address, not their text,
/// nor the date or sex.
#[derive(Clone, PartialEq, Eq)]
pub struct BasicInfo {
    /// Name (氏名), family and given name separated by U+3000.
    pub name: String,
    /// Address (住所), with full-width digits.
    pub address: String,
    /// Birth date.
    pub birth_date: BirthDate,
    /// Sex.
    pub sex: Sex,
}

impl fmt::Debug for BasicInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicInfo")
            .field("name", &format_args!("<{} bytes>", self.name.len()))
            .field("address", &format_args!("<{} bytes>", self.address.len()))
            .field("birth_date", &format_args!("<redacted>"))
            .field("sex", &format_args!("<redacted>"))
            .finish()
    }
}

impl BasicInfo {
    /// Parses the `FF 20` TLV of EF `0002` (exactly it: no trailing bytes).
    ///
    /// # Errors
    /// [`ContentError`] naming what is malformed (never the personal data itself).
    pub fn parse(bytes: &[u8]) -> Result<Self, ContentError> {
        let outer = Tlv::parse_exact(bytes).map_err(ContentError::Tlv)?;
        if outer.tag() != TAG_BASIC_INFO {
            return Err(ContentError::UnexpectedTag {
                expected: TAG_BASIC_INFO,
                found: outer.tag(),
            });
        }
        let mut name = None;
        let mut address = None;
        let mut birth = None;
        let mut sex = None;
        for child in outer.children() {
            // Positions in a child error are relative to the template's value.
            let child = child.map_err(ContentError::Tlv)?;
            let slot = match child.tag() {
                t if t == TAG_NAME => &mut name,
                t if t == TAG_ADDRESS => &mut address,
                t if t == TAG_BIRTH_DATE => &mut birth,
                t if t == TAG_SEX => &mut sex,
                // DF21 offsets and unknown tags: skipped (see the module docs).
                _ => continue,
            };
            if slot.replace(child.value()).is_some() {
                return Err(ContentError::DuplicateField(child.tag()));
            }
        }
        let text = |value: Option<&[u8]>, tag: Tag| -> Result<String, ContentError> {
            let value = value.ok_or(ContentError::MissingField(tag))?;
            String::from_utf8(value.to_vec()).map_err(|_| ContentError::InvalidUtf8(tag))
        };
        let name = text(name, TAG_NAME)?;
        let address = text(address, TAG_ADDRESS)?;
        let birth_date =
            BirthDate::parse_yyyymmdd(birth.ok_or(ContentError::MissingField(TAG_BIRTH_DATE))?)
                .ok_or(ContentError::InvalidBirthDate)?;
        let sex = match sex.ok_or(ContentError::MissingField(TAG_SEX))? {
            b"1" => Sex::Male,
            b"2" => Sex::Female,
            b"9" => Sex::NotApplicable,
            _ => return Err(ContentError::InvalidSex),
        };
        Ok(Self {
            name,
            address,
            birth_date,
            sex,
        })
    }
}

/// What answers as the JPKI AP, from the label in EF `0006`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2`: a physical My Number Card.
    PhysicalCard,
    /// `JPKIAPGPSETOKEN`: the スマホ用電子証明書 in an Android phone's secure element.
    AndroidToken,
    /// `JPKIAPIOSTOKEN`: the スマホ用電子証明書 on an iPhone.
    IosToken,
    /// `JPKIAPICCTOKEN`: the older 住民基本台帳カード (as public tools report).
    JukiCard,
    /// Any other label (kept in [`TokenInfo::label`]).
    Unknown,
}

/// Token info (JPKI EF `0006`): the label in its first 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenInfo {
    label: [u8; 32],
    kind: TokenKind,
}

impl TokenInfo {
    /// Bytes of the label field at the start of EF `0006`: read at least these.
    pub const LABEL_LEN: usize = 32;

    /// Parses the start of EF `0006` (at least 32 bytes; the rest of the 160 is ignored).
    ///
    /// # Errors
    /// [`ContentError::WrongLength`] under 32 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContentError> {
        let label: [u8; 32] = bytes
            .get(..Self::LABEL_LEN)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(ContentError::WrongLength {
                expected: Self::LABEL_LEN,
                got: bytes.len(),
            })?;
        let trimmed = trim_label(&label);
        let kind = match trimmed {
            b"JPKIAPICCTOKEN2" => TokenKind::PhysicalCard,
            b"JPKIAPGPSETOKEN" => TokenKind::AndroidToken,
            b"JPKIAPIOSTOKEN" => TokenKind::IosToken,
            b"JPKIAPICCTOKEN" => TokenKind::JukiCard,
            _ => TokenKind::Unknown,
        };
        Ok(Self { label, kind })
    }

    /// Which token this is.
    #[must_use]
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The label without its space/NUL padding.
    #[must_use]
    pub fn label(&self) -> &[u8] {
        trim_label(&self.label)
    }

    /// Whether this is the plastic card. On phone tokens even the authentication
    /// certificate needs the auth PIN (card.md).
    #[must_use]
    pub fn is_physical_card(&self) -> bool {
        self.kind == TokenKind::PhysicalCard
    }
}

fn trim_label(label: &[u8]) -> &[u8] {
    let end = label
        .iter()
        .rposition(|b| *b != b' ' && *b != 0)
        .map_or(0, |i| i.saturating_add(1));
    label.get(..end).unwrap_or(&[])
}

impl fmt::Debug for TokenInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenInfo")
            .field("kind", &self.kind)
            .field("label", &String::from_utf8_lossy(self.label()))
            .finish()
    }
}

/// Which certificates the JPKI AP holds (EF `0008`, 3 bytes, `8F 8F 00` when both do; the
/// first byte is the signature certificate, the second the authentication certificate, as
/// the public tools read it; under-15s have no signature certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertAvailability {
    raw: [u8; 3],
}

impl CertAvailability {
    /// The byte value that marks a certificate present.
    pub const PRESENT: u8 = 0x8F;
    /// Length of EF `0008`.
    pub const LEN: usize = 3;

    /// Parses the 3 bytes of EF `0008`.
    ///
    /// # Errors
    /// [`ContentError::WrongLength`] unless exactly 3 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContentError> {
        let raw = <[u8; 3]>::try_from(bytes).map_err(|_| ContentError::WrongLength {
            expected: Self::LEN,
            got: bytes.len(),
        })?;
        Ok(Self { raw })
    }

    /// Whether the 署名用 signature certificate is present.
    #[must_use]
    pub fn has_sign_certificate(&self) -> bool {
        self.raw.first() == Some(&Self::PRESENT)
    }

    /// Whether the 利用者証明用 authentication certificate is present.
    #[must_use]
    pub fn has_auth_certificate(&self) -> bool {
        self.raw.get(1) == Some(&Self::PRESENT)
    }

    /// The three bytes as stored (the third one's meaning is not public).
    #[must_use]
    pub fn raw(&self) -> [u8; 3] {
        self.raw
    }
}

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
            Self::WrongLength { expected, got } => {
                write!(f, "{got} bytes where {expected} belong")
            }
            Self::InvalidMyNumber => f.write_str("the My Number field is malformed"),
        }
    }
}

impl core::error::Error for ContentError {}

/// Builds the `FF 20` TLV from its fields (tests, the virtual card, fuzz seeds).
#[must_use]
pub fn encode_basic_info(name: &str, address: &str, birth_yyyymmdd: &str, sex: Sex) -> Vec<u8> {
    let mut body = Vec::new();
    // DF21: the offsets of DF22..DF25 within the template's value, after DF21 itself (11
    // bytes). What real cards put there is not public; the parser ignores DF21.
    let fields: [(Tag, &[u8]); 4] = [
        (TAG_NAME, name.as_bytes()),
        (TAG_ADDRESS, address.as_bytes()),
        (TAG_BIRTH_DATE, birth_yyyymmdd.as_bytes()),
        (
            TAG_SEX,
            match sex {
                Sex::Male => b"1",
                Sex::Female => b"2",
                Sex::NotApplicable => b"9",
            },
        ),
    ];
    let mut offsets = [0u16; 4];
    let mut at = 11usize;
    let mut encoded_fields = Vec::new();
    for ((tag, value), offset) in fields.iter().zip(offsets.iter_mut()) {
        *offset = u16::try_from(at).unwrap_or(u16::MAX);
        let before = encoded_fields.len();
        push_tlv(&mut encoded_fields, *tag, value);
        at = at.saturating_add(encoded_fields.len().saturating_sub(before));
    }
    let offset_bytes: Vec<u8> = offsets.iter().flat_map(|o| o.to_be_bytes()).collect();
    push_tlv(&mut body, TAG_OFFSETS, &offset_bytes);
    body.extend_from_slice(&encoded_fields);
    let mut out = Vec::new();
    push_tlv(&mut out, TAG_BASIC_INFO, &body);
    out
}

/// Appends a TLV with a minimal BER length (values up to 65 535 bytes; longer ones are cut
/// there, which no caller reaches).
pub(crate) fn push_tlv(out: &mut Vec<u8>, tag: Tag, value: &[u8]) {
    let tag_bytes = tag.value().to_be_bytes();
    let skip = tag_bytes.len().saturating_sub(tag.encoded_len());
    out.extend_from_slice(tag_bytes.get(skip..).unwrap_or(&[]));
    let value = value.get(..usize::from(u16::MAX)).unwrap_or(value);
    let len = u16::try_from(value.len()).unwrap_or(u16::MAX);
    let [hi, lo] = len.to_be_bytes();
    match len {
        0..=0x7F => out.push(lo),
        0x80..=0xFF => out.extend_from_slice(&[0x81, lo]),
        _ => out.extend_from_slice(&[0x82, hi, lo]),
    }
    out.extend_from_slice(value);
}

#[cfg(test)]
#[path = "content_tests.rs"]
mod tests;
