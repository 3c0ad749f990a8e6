//! 基本4情報 (券面事項入力補助AP EF `0002`): the parser, its DF21 offset check, and the
//! writer the virtual card and the tests use. The layout and the meaning of DF21 are in the
//! parent module's docs.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{
    ContentError, TAG_ADDRESS, TAG_BASIC_INFO, TAG_BIRTH_DATE, TAG_NAME, TAG_OFFSETS, TAG_SEX,
};
use crate::tlv::{self, Header, Tag, Tlv, TlvWriteError};

/// Sex as the card records it in DF25: the ISO/IEC 5218 codes `1`, `2`, `9` (card.md).
///
/// Not the 既存型 code table OQSCD007 (`1` 男, `2` 女, `3` 未設定) that qualification
/// records use (voucher-model's `Sex`): the codes differ (`9` here, `3` there) and so does
/// the meaning of the third value, hence a name of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardSex {
    /// `1`.
    Male,
    /// `2`.
    Female,
    /// `9`: not applicable.
    NotApplicable,
}

impl CardSex {
    /// The ISO 5218 code character.
    #[must_use]
    pub fn code(self) -> char {
        char::from(self.code_byte())
    }

    /// The code as DF25 stores it (one ASCII byte).
    #[must_use]
    pub const fn code_byte(self) -> u8 {
        match self {
            Self::Male => b'1',
            Self::Female => b'2',
            Self::NotApplicable => b'9',
        }
    }

    /// The sex a DF25 value codes, if it is one of `1`, `2`, `9`.
    #[must_use]
    pub fn from_code(value: &[u8]) -> Option<Self> {
        match value {
            b"1" => Some(Self::Male),
            b"2" => Some(Self::Female),
            b"9" => Some(Self::NotApplicable),
            _ => None,
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
    pub sex: CardSex,
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
        let header_len = Header::parse(bytes).map_err(ContentError::Tlv)?.header_len;
        let mut fields = Fields::default();
        let mut offsets = None;
        // Where the next child starts, counted from the file's first byte (DF21's origin).
        let mut at = header_len;
        let mut rest = outer.value();
        while !rest.is_empty() {
            // Positions in a child error are relative to the template's value.
            let (child, after) = Tlv::parse_prefix(rest).map_err(ContentError::Tlv)?;
            let slot = match child.tag() {
                t if t == TAG_OFFSETS => &mut offsets,
                t if t == TAG_NAME => &mut fields.name,
                t if t == TAG_ADDRESS => &mut fields.address,
                t if t == TAG_BIRTH_DATE => &mut fields.birth,
                t if t == TAG_SEX => &mut fields.sex,
                // Unknown tags: skipped (see the module docs).
                _ => &mut None,
            };
            if slot.replace((at, child.value())).is_some() {
                return Err(ContentError::DuplicateField(child.tag()));
            }
            at = at.saturating_add(rest.len().saturating_sub(after.len()));
            rest = after;
        }
        if let Some((_, table)) = offsets {
            fields.check_offsets(table)?;
        }
        let text = |value: Option<Field<'_>>, tag: Tag| -> Result<String, ContentError> {
            let (_, value) = value.ok_or(ContentError::MissingField(tag))?;
            String::from_utf8(value.to_vec()).map_err(|_| ContentError::InvalidUtf8(tag))
        };
        let name = text(fields.name, TAG_NAME)?;
        let address = text(fields.address, TAG_ADDRESS)?;
        let (_, birth) = fields
            .birth
            .ok_or(ContentError::MissingField(TAG_BIRTH_DATE))?;
        let birth_date = BirthDate::parse_yyyymmdd(birth).ok_or(ContentError::InvalidBirthDate)?;
        let (_, sex) = fields.sex.ok_or(ContentError::MissingField(TAG_SEX))?;
        let sex = CardSex::from_code(sex).ok_or(ContentError::InvalidSex)?;
        Ok(Self {
            name,
            address,
            birth_date,
            sex,
        })
    }
}

/// A field of the template: where its tag starts in the file, and its value.
type Field<'a> = (usize, &'a [u8]);

/// DF22–DF25 as found in one file.
#[derive(Default)]
struct Fields<'a> {
    name: Option<Field<'a>>,
    address: Option<Field<'a>>,
    birth: Option<Field<'a>>,
    sex: Option<Field<'a>>,
}

impl Fields<'_> {
    /// Refuses a DF21 whose four offsets are not where DF22, DF23, DF24 and DF25 start.
    fn check_offsets(&self, table: &[u8]) -> Result<(), ContentError> {
        let table = <&[u8; 8]>::try_from(table)
            .map_err(|_| ContentError::InvalidOffsetTable { len: table.len() })?;
        let [n0, n1, a0, a1, b0, b1, s0, s1] = *table;
        let rows = [
            (TAG_NAME, [n0, n1], self.name),
            (TAG_ADDRESS, [a0, a1], self.address),
            (TAG_BIRTH_DATE, [b0, b1], self.birth),
            (TAG_SEX, [s0, s1], self.sex),
        ];
        for (field, stated, found) in rows {
            let stated = u16::from_be_bytes(stated);
            let found = found.map(|(at, _)| at);
            if found != Some(usize::from(stated)) {
                return Err(ContentError::OffsetMismatch {
                    field,
                    stated,
                    found,
                });
            }
        }
        Ok(())
    }
}

/// Builds EF `0002` (the `FF 20` TLV) from its fields as a card writes it: DF21 first,
/// holding the offsets of DF22–DF25 from the file's first byte (see the module docs), then
/// the fields in order, every length minimal (`81 xx` / `82 xx xx` where needed). The
/// virtual card, the tests and the fuzz seeds all write the file here.
///
/// # Errors
/// [`TlvWriteError::ValueTooLong`] when the fields do not fit a template of 65 535 bytes.
pub fn encode_basic_info(
    name: &str,
    address: &str,
    birth_yyyymmdd: &str,
    sex: CardSex,
) -> Result<Vec<u8>, TlvWriteError> {
    let sex = [sex.code_byte()];
    let fields: [(Tag, &[u8]); 4] = [
        (TAG_NAME, name.as_bytes()),
        (TAG_ADDRESS, address.as_bytes()),
        (TAG_BIRTH_DATE, birth_yyyymmdd.as_bytes()),
        (TAG_SEX, &sex),
    ];
    let table_len = tlv::encoded_len(TAG_OFFSETS, 8)?;
    let mut encoded_fields = Vec::new();
    let mut starts = [0usize; 4];
    for ((tag, value), start) in fields.iter().zip(starts.iter_mut()) {
        *start = encoded_fields.len();
        tlv::write(&mut encoded_fields, *tag, value)?;
    }
    let value_len = table_len.saturating_add(encoded_fields.len());
    let header_len = tlv::encoded_len(TAG_BASIC_INFO, value_len)?.saturating_sub(value_len);
    let mut table = [0u8; 8];
    for (slot, start) in table.chunks_exact_mut(2).zip(starts) {
        let at = header_len.saturating_add(table_len).saturating_add(start);
        // The template fits 65 535 bytes, so every offset in it fits a u16 as well.
        let at = u16::try_from(at).map_err(|_| TlvWriteError::ValueTooLong { len: value_len })?;
        slot.copy_from_slice(&at.to_be_bytes());
    }
    let mut out = Vec::with_capacity(header_len.saturating_add(value_len));
    tlv::write_header(&mut out, TAG_BASIC_INFO, value_len)?;
    tlv::write(&mut out, TAG_OFFSETS, &table)?;
    out.extend_from_slice(&encoded_fields);
    Ok(out)
}
