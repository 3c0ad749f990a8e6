//! Strict standard base64 (RFC 4648 §4, with `=` padding) for the binary fields of the
//! gateway's JSON messages (certificate, signature, challenge, digest).
//!
//! Strict means one text per byte string: no whitespace, no missing padding, no
//! non-zero trailing bits. A lenient decoder would let two different JSON bodies carry the
//! same certificate, which makes logs and replay checks harder to reason about.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Why a base64 text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum B64Error {
    /// The length is not a multiple of 4.
    Length,
    /// A byte outside the alphabet (whitespace included).
    Symbol,
    /// Padding in the wrong place, or non-zero bits after the last byte.
    NonCanonical,
}

impl core::fmt::Display for B64Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Length => "base64 length is not a multiple of 4",
            Self::Symbol => "byte outside the standard base64 alphabet",
            Self::NonCanonical => "non-canonical base64 (padding or trailing bits)",
        })
    }
}

fn symbol(index: u8) -> char {
    ALPHABET
        .get(usize::from(index & 0x3f))
        .map_or('A', |b| char::from(*b))
}

/// Encodes `data` as padded standard base64.
pub(crate) fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3).saturating_mul(4));
    for chunk in data.chunks(3) {
        let b0 = chunk.first().copied().unwrap_or(0);
        let b1 = chunk.get(1).copied();
        let b2 = chunk.get(2).copied();
        out.push(symbol(b0 >> 2));
        out.push(symbol(((b0 & 0x03) << 4) | (b1.unwrap_or(0) >> 4)));
        match b1 {
            Some(b1) => out.push(symbol(((b1 & 0x0f) << 2) | (b2.unwrap_or(0) >> 6))),
            None => out.push('='),
        }
        match b2 {
            Some(b2) => out.push(symbol(b2 & 0x3f)),
            None => out.push('='),
        }
    }
    out
}

fn value(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => byte.checked_sub(b'A'),
        b'a'..=b'z' => byte.checked_sub(b'a').and_then(|v| v.checked_add(26)),
        b'0'..=b'9' => byte.checked_sub(b'0').and_then(|v| v.checked_add(52)),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes padded standard base64, refusing anything non-canonical. The output is at most
/// three quarters of the input length, so the caller's bound on the text bounds the bytes.
pub(crate) fn decode(text: &str) -> Result<Vec<u8>, B64Error> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return Err(B64Error::Length);
    }
    let mut out = Vec::with_capacity((bytes.len() / 4).saturating_mul(3));
    let mut quads = bytes.chunks_exact(4).peekable();
    while let Some(quad) = quads.next() {
        let last = quads.peek().is_none();
        let [c0, c1, c2, c3] = <[u8; 4]>::try_from(quad).map_err(|_| B64Error::Length)?;
        let v0 = value(c0).ok_or(B64Error::Symbol)?;
        let v1 = value(c1).ok_or(B64Error::Symbol)?;
        out.push((v0 << 2) | (v1 >> 4));
        match (c2, c3) {
            (b'=', b'=') if last => {
                if v1 & 0x0f != 0 {
                    return Err(B64Error::NonCanonical);
                }
            }
            (b'=', _) => return Err(B64Error::NonCanonical),
            (_, b'=') if last => {
                let v2 = value(c2).ok_or(B64Error::Symbol)?;
                if v2 & 0x03 != 0 {
                    return Err(B64Error::NonCanonical);
                }
                out.push((v1 << 4) | (v2 >> 2));
            }
            (_, b'=') => return Err(B64Error::NonCanonical),
            _ => {
                let v2 = value(c2).ok_or(B64Error::Symbol)?;
                let v3 = value(c3).ok_or(B64Error::Symbol)?;
                out.push((v1 << 4) | (v2 >> 2));
                out.push((v2 << 6) | v3);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in vectors {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn refuses_non_canonical() {
        assert_eq!(decode("Zg="), Err(B64Error::Length));
        assert_eq!(decode("Zh=="), Err(B64Error::NonCanonical));
        assert_eq!(decode("Zm9="), Err(B64Error::NonCanonical));
        assert_eq!(decode("Zg==Zg=="), Err(B64Error::NonCanonical));
        assert_eq!(decode("Z=g="), Err(B64Error::Symbol));
        assert_eq!(decode("Zm9v\n"), Err(B64Error::Length));
        assert_eq!(decode("Zm 9"), Err(B64Error::Symbol));
        assert_eq!(decode("Zm-_"), Err(B64Error::Symbol));
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..600)) {
            prop_assert_eq!(decode(&encode(&data)).unwrap(), data);
        }

        #[test]
        fn decode_never_panics_and_is_canonical(text in "[A-Za-z0-9+/=]{0,64}") {
            if let Ok(bytes) = decode(&text) {
                prop_assert_eq!(encode(&bytes), text);
            }
        }
    }
}
