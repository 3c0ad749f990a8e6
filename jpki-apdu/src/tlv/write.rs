//! The BER-TLV writer: exactly the encoding the reader in the parent module accepts.

use alloc::vec::Vec;
use core::fmt;

use super::{Tag, Tlv, read_tag};
use crate::cursor::Cursor;

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
