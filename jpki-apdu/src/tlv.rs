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

use alloc::vec::Vec;
use core::fmt;

use crate::cursor::Cursor;

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

/// Appends one TLV — `tag`, the minimal definite length of `value`, `value` — to `out`.
/// On error nothing is appended.
///
/// # Errors
/// [`TlvWriteError::InvalidTag`] for a tag this module's reader refuses (`00`, a one-byte
/// tag whose number bits are all set, a padded or unterminated multi-byte tag, more than 3
/// bytes); [`TlvWriteError::ValueTooLong`] above 65 535 bytes (`82 FF FF`).
pub fn write(out: &mut Vec<u8>, tag: Tag, value: &[u8]) -> Result<(), TlvWriteError> {
    write_header(out, tag, value.len())?;
    out.extend_from_slice(value);
    Ok(())
}

/// The TLV of `tag` and `value` as a new vector (see [`write`](fn@write)).
///
/// # Errors
/// As [`write`](fn@write).
pub fn to_vec(tag: Tag, value: &[u8]) -> Result<Vec<u8>, TlvWriteError> {
    let mut out = Vec::with_capacity(encoded_len(tag, value.len())?);
    write(&mut out, tag, value)?;
    Ok(out)
}

/// Appends the header of a TLV (tag and minimal length of a `value_len`-byte value) to
/// `out`; the caller appends the value. On error nothing is appended.
///
/// # Errors
/// As [`write`](fn@write).
pub fn write_header(out: &mut Vec<u8>, tag: Tag, value_len: usize) -> Result<(), TlvWriteError> {
    let tag_bytes = tag_bytes(tag)?;
    let len =
        u16::try_from(value_len).map_err(|_| TlvWriteError::ValueTooLong { len: value_len })?;
    out.extend_from_slice(tag_bytes.as_slice());
    let [hi, lo] = len.to_be_bytes();
    match len {
        0..=0x7F => out.push(lo),
        0x80..=0xFF => out.extend_from_slice(&[0x81, lo]),
        _ => out.extend_from_slice(&[0x82, hi, lo]),
    }
    Ok(())
}

/// Bytes of the whole TLV of `tag` with a `value_len`-byte value.
///
/// # Errors
/// As [`write`](fn@write).
pub fn encoded_len(tag: Tag, value_len: usize) -> Result<usize, TlvWriteError> {
    let tag_len = tag_bytes(tag)?.as_slice().len();
    let length_len = match u16::try_from(value_len) {
        Ok(0..=0x7F) => 1,
        Ok(0x80..=0xFF) => 2,
        Ok(_) => 3,
        Err(_) => return Err(TlvWriteError::ValueTooLong { len: value_len }),
    };
    // At most 3 + 3 + 65 535.
    Ok(tag_len.saturating_add(length_len).saturating_add(value_len))
}

impl Tlv<'_> {
    /// Appends this TLV to `out` in the minimal encoding; what the reader parsed writes
    /// back byte for byte, because the reader accepts only minimal lengths.
    ///
    /// # Errors
    /// As [`write`](fn@write) (never for a TLV the reader produced).
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), TlvWriteError> {
        write(out, self.tag, self.value)
    }
}

/// The encoded bytes of a tag, checked by the reader's own rules.
struct TagBytes {
    bytes: [u8; 3],
    len: usize,
}

impl TagBytes {
    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

fn tag_bytes(tag: Tag) -> Result<TagBytes, TlvWriteError> {
    let invalid = TlvWriteError::InvalidTag(tag);
    let [b0, b1, b2, b3] = tag.value().to_be_bytes();
    if b0 != 0 {
        return Err(invalid);
    }
    let len = tag.encoded_len();
    let bytes = match len {
        3 => [b1, b2, b3],
        2 => [b2, b3, 0],
        _ => [b3, 0, 0],
    };
    let encoded = TagBytes { bytes, len };
    // One rule for what a tag is: the reader's. It must read exactly these bytes back.
    let mut cur = Cursor::new(encoded.as_slice());
    match read_tag(&mut cur) {
        Ok(read) if read == tag && cur.is_empty() => Ok(encoded),
        _ => Err(invalid),
    }
}

/// A TLV cannot be written: the caller asked for a tag or a length the encoding this module
/// reads cannot carry (caller misuse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlvWriteError {
    /// A tag the reader would refuse (see [`write`](fn@write)).
    InvalidTag(Tag),
    /// A value longer than 65 535 bytes, the most a 3-byte length field carries.
    ValueTooLong {
        /// The value's length.
        len: usize,
    },
}

impl fmt::Display for TlvWriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidTag(tag) => write!(f, "caller error: {tag} is not a valid BER-TLV tag"),
            Self::ValueTooLong { len } => write!(
                f,
                "caller error: a {len}-byte value exceeds the 65535 a TLV length carries here"
            ),
        }
    }
}

impl core::error::Error for TlvWriteError {}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)] // test arithmetic on known-small values
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kind(input: &[u8]) -> TlvErrorKind {
        Tlv::parse_exact(input).unwrap_err().kind()
    }

    #[test]
    fn multi_byte_tags() {
        let t = Tlv::parse_exact(&[0xDF, 0x21, 0x02, 0xAA, 0xBB]).unwrap();
        assert_eq!(t.tag(), Tag::new(0xDF21));
        assert_eq!(t.value(), &[0xAA, 0xBB]);
        let t = Tlv::parse_exact(&[0xFF, 0x20, 0x00]).unwrap();
        assert_eq!(t.tag(), Tag::new(0xFF20));
        assert!(t.tag().is_constructed());
        let t = Tlv::parse_exact(&[0x7F, 0x81, 0x01, 0x00]).unwrap();
        assert_eq!(t.tag(), Tag::new(0x7F8101));
        assert_eq!(t.tag().to_string(), "7F8101");
        assert_eq!(
            kind(&[0x7F, 0x81, 0x81, 0x01, 0x00]),
            TlvErrorKind::TagTooLong
        );
        assert_eq!(kind(&[0xDF, 0x80, 0x01, 0x00]), TlvErrorKind::InvalidTag);
        assert_eq!(kind(&[0x00, 0x00]), TlvErrorKind::InvalidTag);
        // FF10: the My Number EF's tag, a two-byte tag with a number below 31.
        assert_eq!(
            Tlv::parse_exact(&[0xFF, 0x10, 0x00]).unwrap().tag(),
            Tag::new(0xFF10)
        );
    }

    #[test]
    fn lengths() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(core::iter::repeat_n(0x11, 0x80));
        assert_eq!(Tlv::parse_exact(&long).unwrap().value().len(), 0x80);
        let mut longer = vec![0x04, 0x82, 0x01, 0x00];
        longer.extend(core::iter::repeat_n(0x22, 0x100));
        assert_eq!(Tlv::parse_exact(&longer).unwrap().value().len(), 0x100);
        assert_eq!(
            kind(&[0x04, 0x80, 0x00, 0x00]),
            TlvErrorKind::IndefiniteLength
        );
        assert_eq!(
            kind(&[0x04, 0x81, 0x05, 1, 2, 3, 4, 5]),
            TlvErrorKind::NonMinimalLength
        );
        assert_eq!(
            kind(&[0x04, 0x82, 0x00, 0x80]),
            TlvErrorKind::NonMinimalLength
        );
        assert_eq!(
            kind(&[0x04, 0x83, 0x01, 0x00, 0x00]),
            TlvErrorKind::LengthTooLong
        );
        assert_eq!(kind(&[0x04, 0x03, 0x01]), TlvErrorKind::Truncated);
        assert_eq!(kind(&[0x04, 0x82, 0x01]), TlvErrorKind::Truncated);
        assert_eq!(kind(&[0xDF]), TlvErrorKind::Truncated);
        assert_eq!(kind(&[]), TlvErrorKind::Truncated);
        let err = Tlv::parse_exact(&[0x04, 0x01, 0x00, 0x99]).unwrap_err();
        assert_eq!(err.kind(), TlvErrorKind::TrailingBytes);
        assert_eq!(err.position(), 3);
        assert_eq!(
            err.to_string(),
            "malformed BER-TLV: trailing bytes at byte 3"
        );
    }

    #[test]
    fn writer_golden_lengths() {
        assert_eq!(to_vec(Tag::new(0x04), &[]).unwrap(), [0x04, 0x00]);
        assert_eq!(
            to_vec(Tag::new(0xDF25), b"1").unwrap(),
            [0xDF, 0x25, 0x01, b'1']
        );
        let v = to_vec(Tag::new(0xDF23), &[0x11; 0x7F]).unwrap();
        assert_eq!(v[..3], [0xDF, 0x23, 0x7F]);
        let v = to_vec(Tag::new(0xDF23), &[0x11; 0x80]).unwrap();
        assert_eq!(v[..4], [0xDF, 0x23, 0x81, 0x80]);
        let v = to_vec(Tag::new(0xDF23), &[0x11; 0xFF]).unwrap();
        assert_eq!(v[..4], [0xDF, 0x23, 0x81, 0xFF]);
        let v = to_vec(Tag::new(0xFF20), &[0x22; 0x100]).unwrap();
        assert_eq!(v[..5], [0xFF, 0x20, 0x82, 0x01, 0x00]);
        assert_eq!(v.len(), 5 + 0x100);
        let v = to_vec(Tag::new(0x7F8101), &[0x33; 0xFFFF]).unwrap();
        assert_eq!(v[..6], [0x7F, 0x81, 0x01, 0x82, 0xFF, 0xFF]);
        assert_eq!(
            to_vec(Tag::new(0x04), &vec![0; 0x10000]),
            Err(TlvWriteError::ValueTooLong { len: 0x10000 })
        );
        for bad in [
            0x00,
            0x1F,
            0xDF,
            0xDF80,
            0xDF81,
            0x7F8181,
            0x7F4901,
            0x0100_0000,
        ] {
            assert_eq!(
                to_vec(Tag::new(bad), b"x"),
                Err(TlvWriteError::InvalidTag(Tag::new(bad))),
                "{bad:X}"
            );
        }
        let mut out = vec![1, 2];
        assert!(write(&mut out, Tag::new(0x1F), b"x").is_err());
        assert_eq!(out, [1, 2], "nothing appended on error");
        assert_eq!(
            TlvWriteError::InvalidTag(Tag::new(0x1F)).to_string(),
            "caller error: 1F is not a valid BER-TLV tag"
        );
    }

    #[test]
    fn header_of_a_certificate() {
        let h = Header::parse(&[0x30, 0x82, 0x07, 0x68, 0x30]).unwrap();
        assert_eq!(h.tag, Tag::new(0x30));
        assert_eq!(h.header_len, 4);
        assert_eq!(h.total_len(), Some(0x768 + 4));
        assert_eq!(
            Header::parse(&[0x30, 0x82, 0x07]).unwrap_err().kind(),
            TlvErrorKind::Truncated
        );
    }

    #[test]
    fn children_iterate() {
        let bytes = [0xFF, 0x20, 0x07, 0xDF, 0x22, 0x01, b'a', 0xDF, 0x25, 0x00];
        let outer = Tlv::parse_exact(&bytes).unwrap();
        let tags: Vec<Tag> = outer.children().map(|c| c.unwrap().tag()).collect();
        assert_eq!(tags, vec![Tag::new(0xDF22), Tag::new(0xDF25)]);
        let bad: Vec<_> = TlvIter::new(&[0x04, 0x01, 0x00, 0x04, 0x05]).collect();
        assert_eq!(bad.len(), 2);
        assert!(bad[1].is_err());
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = Tlv::parse_exact(&bytes);
            let _ = Header::parse(&bytes);
            for tlv in TlvIter::new(&bytes).take(1000).flatten() {
                for child in tlv.children().take(1000) {
                    let _ = child;
                }
            }
        }

        /// Writer → reader round trip: whatever the writer accepts reads back as the same
        /// tag and value, spanning exactly the written bytes; what it refuses, the reader
        /// refuses too (for tags) or cannot carry (for lengths).
        #[test]
        fn write_then_read(
            tag in prop_oneof![
                any::<u32>(),
                0u32..=0xFF,
                0x1F00u32..=0xFFFF,
                0x1F_8000u32..=0xFF_FFFF,
                Just(0xDF21u32), Just(0xFF20), Just(0x7F4901),
            ],
            value in prop_oneof![
                8 => proptest::collection::vec(any::<u8>(), 0..300),
                4 => proptest::collection::vec(any::<u8>(), 0x7E..0x102),
                1 => proptest::collection::vec(any::<u8>(), 0xFFF0..0x10010),
            ],
        ) {
            let tag = Tag::new(tag);
            let mut out = vec![0xAA];
            match write(&mut out, tag, &value) {
                Ok(()) => {
                    let written = &out[1..];
                    prop_assert_eq!(Ok(written.len()), encoded_len(tag, value.len()));
                    let tlv = Tlv::parse_exact(written).unwrap();
                    prop_assert_eq!(tlv.tag(), tag);
                    prop_assert_eq!(tlv.value(), value.as_slice());
                    let mut again = Vec::new();
                    tlv.write_to(&mut again).unwrap();
                    prop_assert_eq!(again.as_slice(), written);
                }
                Err(TlvWriteError::ValueTooLong { len }) => {
                    prop_assert_eq!(len, value.len());
                    prop_assert!(len > 0xFFFF);
                    prop_assert_eq!(out, vec![0xAA]);
                }
                Err(TlvWriteError::InvalidTag(t)) => {
                    prop_assert_eq!(t, tag);
                    prop_assert_eq!(&out, &vec![0xAA]);
                    // The reader refuses those tag bytes, or reads another tag from them.
                    let bytes = tag.value().to_be_bytes();
                    let encoded = &bytes[4 - tag.encoded_len()..];
                    let mut probe = encoded.to_vec();
                    probe.push(0x00);
                    let read = Tlv::parse_prefix(&probe).map(|(t, _)| t.tag());
                    prop_assert!(tag.value() > 0xFF_FFFF || read != Ok(tag));
                }
            }
        }

        #[test]
        fn well_formed_round_trip(
            tag in prop_oneof![Just(0x04u32), Just(0xDF21), Just(0xFF20), Just(0x5F2D)],
            value in proptest::collection::vec(any::<u8>(), 0..700),
        ) {
            let mut bytes = Vec::new();
            let tag_bytes = tag.to_be_bytes();
            let skip = tag_bytes.len().checked_sub(Tag::new(tag).encoded_len()).unwrap();
            bytes.extend_from_slice(&tag_bytes[skip..]);
            let n = u16::try_from(value.len()).unwrap();
            let [hi, lo] = n.to_be_bytes();
            match n {
                0..=0x7F => bytes.push(lo),
                0x80..=0xFF => bytes.extend_from_slice(&[0x81, lo]),
                _ => bytes.extend_from_slice(&[0x82, hi, lo]),
            }
            bytes.extend_from_slice(&value);
            let tlv = Tlv::parse_exact(&bytes).unwrap();
            prop_assert_eq!(tlv.tag(), Tag::new(tag));
            prop_assert_eq!(tlv.value(), value.as_slice());
            let h = Header::parse(&bytes).unwrap();
            prop_assert_eq!(h.total_len(), Some(bytes.len()));
        }
    }
}
