//! A BER-TLV reader (ISO/IEC 7816-4 §5.2, X.690 §8.1) on a checked cursor, and the writer
//! of exactly what it reads ([`write`](fn@write)).
//!
//! What it accepts, and why:
//! - tags of 1–3 bytes (`30`, `DF21`, `FF20`, `5F2D`, `7F4901`…); a first subsequent byte of
//!   `80` (a padded tag number) is rejected. Two-byte tags with a number below 31 are
//!   accepted, because the My Number EF itself uses `FF10` (card.md), although ISO 7816-4
//!   would reserve them. A tag byte `00` is rejected (it is padding or end-of-contents);
//! - lengths of 1–3 bytes (`00`–`7F`, `81 xx`, `82 xx xx`): the 基本4情報 address can exceed
//!   127 bytes (card.md), and a 15-bit-offset EF never needs more. The indefinite form
//!   (`80`), longer length fields (`83`…) and non-minimal ones (`81 05`, `82 00 F0`) are
//!   rejected: DER forbids them and the card writes minimal lengths (our design choice,
//!   documented here so a card that proves otherwise is a one-line change);
//! - values that run past the input are "truncated".
//!
//! Every error carries the byte position where it was found.
//!
//! The writer produces the same encoding: the tag's bytes and the minimal definite length
//! (`00`–`7F`, `81 80`–`81 FF`, `82 01 00`–`82 FF FF`). It refuses, with a
//! [`TlvWriteError`], a tag the reader would refuse and a value longer than 65 535 bytes,
//! so whatever it writes reads back as the same tag and value (a property test checks it).

use core::fmt;

use crate::cursor::Cursor;

mod write;

pub use write::{TlvWriteError, encoded_len, to_vec, write, write_header};

/// A BER-TLV tag of 1–3 bytes, held as its big-endian bytes (`DF21` → `0xDF21`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(u32);

impl Tag {
    /// A tag from its big-endian bytes, such as `0x30`, `0xDF21`, `0xFF20`.
    #[must_use]
    pub const fn new(value: u32) -> Self {
        Self(value)
    }

    /// The tag's big-endian bytes as a number.
    #[must_use]
    pub const fn value(self) -> u32 {
        self.0
    }

    /// Number of bytes of the encoded tag.
    #[must_use]
    pub const fn encoded_len(self) -> usize {
        if self.0 > 0xFFFF {
            3
        } else if self.0 > 0xFF {
            2
        } else {
            1
        }
    }

    /// Whether the constructed bit (b6 of the first byte) is set.
    #[must_use]
    pub const fn is_constructed(self) -> bool {
        let first = match self.encoded_len() {
            3 => self.0 >> 16,
            2 => self.0 >> 8,
            _ => self.0,
        };
        first & 0x20 != 0
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({self})")
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.encoded_len() {
            3 => write!(f, "{:06X}", self.0),
            2 => write!(f, "{:04X}", self.0),
            _ => write!(f, "{:02X}", self.0),
        }
    }
}

/// The header of one TLV: its tag, the header size and the value size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The tag.
    pub tag: Tag,
    /// Bytes of tag plus length fields.
    pub header_len: usize,
    /// Bytes of the value.
    pub value_len: usize,
}

impl Header {
    /// Parses the header at the start of `input` (the value need not be there yet). Used to
    /// learn a file's total length from its first bytes.
    ///
    /// # Errors
    /// [`TlvErrorKind::Truncated`] when the header itself is incomplete, and the other
    /// kinds for malformed tags or lengths.
    pub fn parse(input: &[u8]) -> Result<Self, TlvError> {
        let mut cur = Cursor::new(input);
        let tag = read_tag(&mut cur)?;
        let value_len = read_length(&mut cur)?;
        Ok(Self {
            tag,
            header_len: cur.position(),
            value_len,
        })
    }

    /// Header plus value, in bytes (`None` on overflow, which 3-byte lengths cannot reach).
    #[must_use]
    pub fn total_len(&self) -> Option<usize> {
        self.header_len.checked_add(self.value_len)
    }
}

/// One tag-length-value, borrowing its value from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    tag: Tag,
    value: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Reads one TLV from the start of `input`; returns it and the bytes after it.
    ///
    /// # Errors
    /// [`TlvError`] when the TLV is truncated or malformed.
    pub fn parse_prefix(input: &'a [u8]) -> Result<(Self, &'a [u8]), TlvError> {
        let mut cur = Cursor::new(input);
        let tlv = read_tlv(&mut cur)?;
        Ok((tlv, cur.remaining()))
    }

    /// Reads exactly one TLV that spans all of `input`.
    ///
    /// # Errors
    /// [`TlvErrorKind::TrailingBytes`] when bytes follow it, or any other [`TlvError`].
    pub fn parse_exact(input: &'a [u8]) -> Result<Self, TlvError> {
        let mut cur = Cursor::new(input);
        let tlv = read_tlv(&mut cur)?;
        if !cur.is_empty() {
            return Err(TlvError::new(TlvErrorKind::TrailingBytes, cur.position()));
        }
        Ok(tlv)
    }

    /// The tag.
    #[must_use]
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The value bytes.
    #[must_use]
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// The TLVs inside this one's value (for a constructed tag).
    #[must_use]
    pub fn children(&self) -> TlvIter<'a> {
        TlvIter::new(self.value)
    }
}

/// Iterates over TLVs laid end to end; yields an error once, then stops.
#[derive(Debug, Clone)]
pub struct TlvIter<'a> {
    cur: Cursor<'a>,
    failed: bool,
}

impl<'a> TlvIter<'a> {
    /// An iterator over the TLVs of `input`; all of it must be TLVs (no padding).
    #[must_use]
    pub fn new(input: &'a [u8]) -> Self {
        Self {
            cur: Cursor::new(input),
            failed: false,
        }
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, TlvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.cur.is_empty() {
            return None;
        }
        let item = read_tlv(&mut self.cur);
        self.failed = item.is_err();
        Some(item)
    }
}

fn read_tlv<'a>(cur: &mut Cursor<'a>) -> Result<Tlv<'a>, TlvError> {
    let tag = read_tag(cur)?;
    let len = read_length(cur)?;
    let at = cur.position();
    let value = cur
        .take(len)
        .ok_or(TlvError::new(TlvErrorKind::Truncated, at))?;
    Ok(Tlv { tag, value })
}

fn read_tag(cur: &mut Cursor<'_>) -> Result<Tag, TlvError> {
    let at = cur.position();
    let first = cur
        .take_u8()
        .ok_or(TlvError::new(TlvErrorKind::Truncated, at))?;
    if first == 0x00 {
        return Err(TlvError::new(TlvErrorKind::InvalidTag, at));
    }
    let mut value = u32::from(first);
    if first & 0x1F != 0x1F {
        return Ok(Tag(value));
    }
    // Multi-byte tag: subsequent bytes while b8 is set, at most two of them.
    for index in 0..2u8 {
        let pos = cur.position();
        let byte = cur
            .take_u8()
            .ok_or(TlvError::new(TlvErrorKind::Truncated, pos))?;
        if index == 0 && byte == 0x80 {
            return Err(TlvError::new(TlvErrorKind::InvalidTag, pos));
        }
        value = (value << 8) | u32::from(byte);
        if byte & 0x80 == 0 {
            return Ok(Tag(value));
        }
    }
    Err(TlvError::new(TlvErrorKind::TagTooLong, at))
}

fn read_length(cur: &mut Cursor<'_>) -> Result<usize, TlvError> {
    let at = cur.position();
    let first = cur
        .take_u8()
        .ok_or(TlvError::new(TlvErrorKind::Truncated, at))?;
    let truncated = TlvError::new(TlvErrorKind::Truncated, at);
    match first {
        0x00..=0x7F => Ok(usize::from(first)),
        0x80 => Err(TlvError::new(TlvErrorKind::IndefiniteLength, at)),
        0x81 => {
            let len = cur.take_u8().ok_or(truncated)?;
            if len < 0x80 {
                return Err(TlvError::new(TlvErrorKind::NonMinimalLength, at));
            }
            Ok(usize::from(len))
        }
        0x82 => {
            let len = cur.take_u16_be().ok_or(truncated)?;
            if len < 0x100 {
                return Err(TlvError::new(TlvErrorKind::NonMinimalLength, at));
            }
            Ok(usize::from(len))
        }
        _ => Err(TlvError::new(TlvErrorKind::LengthTooLong, at)),
    }
}

/// What is wrong with a TLV.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlvErrorKind {
    /// The input ends inside a tag, a length or a value.
    Truncated,
    /// A tag byte `00`, or a multi-byte tag padded with `80`.
    InvalidTag,
    /// A tag of more than three bytes.
    TagTooLong,
    /// The indefinite length form `80`.
    IndefiniteLength,
    /// A length field of more than three bytes (`83`…).
    LengthTooLong,
    /// A length that a shorter form could carry (`81 05`, `82 00 F0`).
    NonMinimalLength,
    /// Bytes after the TLV where none may follow.
    TrailingBytes,
}

/// A malformed BER-TLV, with the byte position where it was noticed. The data's producer
/// (the card, or whoever supplied the bytes) is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlvError {
    kind: TlvErrorKind,
    position: usize,
}

impl TlvError {
    pub(crate) const fn new(kind: TlvErrorKind, position: usize) -> Self {
        Self { kind, position }
    }

    /// What is wrong.
    #[must_use]
    pub fn kind(&self) -> TlvErrorKind {
        self.kind
    }

    /// Byte offset in the input where it was found.
    #[must_use]
    pub fn position(&self) -> usize {
        self.position
    }
}

impl fmt::Display for TlvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TlvErrorKind::Truncated => "truncated",
            TlvErrorKind::InvalidTag => "invalid tag",
            TlvErrorKind::TagTooLong => "tag longer than 3 bytes",
            TlvErrorKind::IndefiniteLength => "indefinite length",
            TlvErrorKind::LengthTooLong => "length field longer than 3 bytes",
            TlvErrorKind::NonMinimalLength => "non-minimal length",
            TlvErrorKind::TrailingBytes => "trailing bytes",
        };
        write!(f, "malformed BER-TLV: {what} at byte {}", self.position)
    }
}

impl core::error::Error for TlvError {}

#[cfg(test)]
mod tests;
