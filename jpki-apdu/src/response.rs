//! Response APDUs: data followed by SW1 SW2 (ISO/IEC 7816-4 §5.1).

use alloc::vec::Vec;
use core::fmt;
use zeroize::Zeroizing;

use crate::status::StatusWord;

/// A response APDU: the data field and the status word.
///
/// The data lives in zeroizing memory (it may be personal data or the My Number), and
/// `Debug` shows its length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    data: Zeroizing<Vec<u8>>,
    status: StatusWord,
}

impl Response {
    /// A response with `data` and `status` (kept in its [`StatusWord::canonical`] form, so
    /// that the procedures' matches see `63C0` as `Counter(0)` however it was built).
    #[must_use]
    pub fn new(data: &[u8], status: StatusWord) -> Self {
        Self {
            data: Zeroizing::new(data.to_vec()),
            status: status.canonical(),
        }
    }

    /// A response without data (status canonicalized as in [`Response::new`]).
    #[must_use]
    pub fn status_only(status: StatusWord) -> Self {
        Self {
            data: Zeroizing::new(Vec::new()),
            status: status.canonical(),
        }
    }

    /// Parses response bytes: everything but the last two bytes is data.
    ///
    /// # Errors
    /// [`ResponseParseError::TooShort`] when fewer than two bytes arrived (the card or the
    /// reader is at fault).
    pub fn parse(bytes: &[u8]) -> Result<Self, ResponseParseError> {
        let split = bytes
            .len()
            .checked_sub(2)
            .ok_or(ResponseParseError::TooShort)?;
        let (data, sw) = bytes.split_at(split);
        let [sw1, sw2] = <[u8; 2]>::try_from(sw).map_err(|_| ResponseParseError::TooShort)?;
        Ok(Self::new(data, StatusWord::from_bytes(sw1, sw2)))
    }

    /// The data field.
    #[must_use]
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The status word.
    #[must_use]
    pub fn status(&self) -> StatusWord {
        self.status
    }

    /// Whether the status word is `9000`.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// The encoded response (data then SW1 SW2), in zeroizing memory.
    #[must_use]
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(self.data.len().saturating_add(2)));
        out.extend_from_slice(&self.data);
        out.extend_from_slice(&self.status.to_bytes());
        out
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("data_len", &self.data.len())
            .field("status", &self.status)
            .finish()
    }
}

/// Response bytes that cannot be a response APDU (the card or reader is at fault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseParseError {
    /// Fewer than the two status bytes.
    TooShort,
}

impl fmt::Display for ResponseParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => f.write_str("malformed response: fewer than 2 status bytes"),
        }
    }
}

impl core::error::Error for ResponseParseError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_splits_status() {
        let r = Response::parse(&[0x01, 0x02, 0x90, 0x00]).unwrap();
        assert_eq!(r.data(), &[1, 2]);
        assert_eq!(r.status(), StatusWord::Success);
        assert_eq!(r.to_bytes().as_slice(), &[1, 2, 0x90, 0x00]);
        let empty = Response::parse(&[0x6A, 0x82]).unwrap();
        assert!(empty.data().is_empty());
        assert_eq!(empty.status(), StatusWord::FileNotFound);
        assert_eq!(Response::parse(&[0x90]), Err(ResponseParseError::TooShort));
        assert_eq!(Response::parse(&[]), Err(ResponseParseError::TooShort));
    }

    #[test]
    fn hand_built_status_words_are_canonicalized() {
        // 63D0 is not a counter, but Counter(0x10) encodes as 63C0: blocked.
        let r = Response::status_only(StatusWord::Counter(0x10));
        assert!(matches!(r.status(), StatusWord::Counter(0)), "{r:?}");
        let r = Response::new(&[1], StatusWord::Other(0x9000));
        assert!(matches!(r.status(), StatusWord::Success), "{r:?}");
        assert!(r.is_success());
    }

    #[test]
    fn debug_hides_data() {
        let r = Response::new(b"123456789012", StatusWord::Success);
        let dbg = format!("{r:?}");
        assert!(!dbg.contains("49"), "{dbg}");
        assert!(dbg.contains("data_len: 12"), "{dbg}");
    }
}
