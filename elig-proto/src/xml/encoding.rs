//! Text encodings of the 既存型 files.
//!
//! Public fact (oqs.md): "Files are UTF-8 or Shift_JIS (CP932); the XML declaration says
//! which, and the response header's `CharacterCodeIdentifier` says 0 = UTF-8, 1 = Shift_JIS."
//! encoding_rs's `SHIFT_JIS` is the WHATWG Shift_JIS, which is Microsoft's CP932 (NEC and IBM
//! extensions included), the variant Windows terminals write.

use encoding_rs::{SHIFT_JIS, UTF_8};

use super::error::ReadError;

/// The two encodings 既存型 files use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// UTF-8 (`CharacterCodeIdentifier` 0). The writer's default.
    #[default]
    Utf8,
    /// Shift_JIS as Windows writes it, i.e. CP932 (`CharacterCodeIdentifier` 1).
    ShiftJis,
}

impl Encoding {
    /// The label this crate writes in the XML declaration: `UTF-8` or `Shift_JIS`.
    pub fn declaration_label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::ShiftJis => "Shift_JIS",
        }
    }

    /// The `CharacterCodeIdentifier` code (OQSCD005): `0` UTF-8, `1` Shift_JIS.
    pub fn character_code_identifier(self) -> &'static str {
        match self {
            Self::Utf8 => "0",
            Self::ShiftJis => "1",
        }
    }

    /// The encoding a declaration label names (case-insensitive): `UTF-8`/`UTF8`, or one of
    /// `Shift_JIS`, `Shift-JIS`, `SJIS`, `x-sjis`, `Windows-31J`, `CP932`, `MS932`,
    /// `MS_Kanji`. `None` for anything else.
    pub fn from_label(label: &str) -> Option<Self> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "utf-8" | "utf8" => Some(Self::Utf8),
            "shift_jis" | "shift-jis" | "sjis" | "x-sjis" | "windows-31j" | "cp932" | "ms932"
            | "ms_kanji" | "csshiftjis" => Some(Self::ShiftJis),
            _ => None,
        }
    }

    /// True when `text` survives this encoding unchanged: every character has a
    /// representation *and* decodes back to itself. For Shift_JIS that refuses, besides
    /// characters outside CP932, the few the WHATWG encoder folds (`¥` U+00A5 and `‾`
    /// U+203E become `\` and `~`, `−` U+2212 becomes `－` U+FF0D).
    pub fn can_encode(self, text: &str) -> bool {
        self.encode(text).is_some()
    }

    /// Encodes `text`; `None` when it would not decode back to itself (never substituted).
    pub(crate) fn encode(self, text: &str) -> Option<Vec<u8>> {
        match self {
            Self::Utf8 => Some(text.as_bytes().to_vec()),
            Self::ShiftJis => {
                let (bytes, _, had_errors) = SHIFT_JIS.encode(text);
                if had_errors {
                    return None;
                }
                let back = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(&bytes)?;
                (back == text).then(|| bytes.into_owned())
            }
        }
    }

    /// Decodes `bytes` strictly: any malformed sequence is an error, never U+FFFD.
    pub(crate) fn decode(self, bytes: &[u8]) -> Result<String, ReadError> {
        let encoding = match self {
            Self::Utf8 => UTF_8,
            Self::ShiftJis => SHIFT_JIS,
        };
        encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
            .ok_or(ReadError::MalformedEncoding {
                encoding: self.declaration_label(),
            })
    }
}

/// How a file's encoding was decided, for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodingSource {
    /// The XML declaration's `encoding` attribute.
    Declaration,
    /// A UTF-8 byte-order mark.
    ByteOrderMark,
    /// No declaration: the bytes were valid UTF-8, the XML default.
    Default,
    /// No declaration, the bytes are not UTF-8, and the raw header carries
    /// `<CharacterCodeIdentifier>1</CharacterCodeIdentifier>`.
    CharacterCodeIdentifier,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The `encoding="…"` label of a leading XML declaration, if there is a declaration.
/// `Ok(None)`: no declaration or no encoding attribute. The declaration is ASCII in both
/// encodings, so it is read from the raw bytes.
fn declared_label(bytes: &[u8]) -> Result<Option<String>, ReadError> {
    let Some(rest) = bytes.strip_prefix(b"<?xml") else {
        return Ok(None);
    };
    // A declaration is short; look for its end within the first 512 bytes.
    let window = rest.get(..rest.len().min(512)).unwrap_or(rest);
    let end = window
        .windows(2)
        .position(|w| w == b"?>")
        .ok_or(ReadError::Malformed {
            position: 0,
            detail: "unterminated XML declaration".into(),
        })?;
    let decl = window.get(..end).unwrap_or_default();
    let decl = core::str::from_utf8(decl).map_err(|_| ReadError::Malformed {
        position: 0,
        detail: "XML declaration is not ASCII".into(),
    })?;
    let Some(at) = decl.find("encoding") else {
        return Ok(None);
    };
    let after = decl
        .get(at.saturating_add("encoding".len())..)
        .unwrap_or("");
    let after = after
        .trim_start()
        .strip_prefix('=')
        .unwrap_or("")
        .trim_start();
    let mut chars = after.chars();
    let quote = chars.next().filter(|q| *q == '"' || *q == '\'');
    let Some(quote) = quote else {
        return Err(ReadError::Malformed {
            position: 0,
            detail: "encoding attribute without a quoted value".into(),
        });
    };
    let label: String = chars.take_while(|c| *c != quote).take(64).collect();
    Ok(Some(label))
}

/// Decides the encoding of a 既存型 file and decodes it to UTF-8 text (BOM removed).
pub(crate) fn detect_and_decode(
    bytes: &[u8],
) -> Result<(String, Encoding, EncodingSource), ReadError> {
    if bytes.starts_with(b"\xFE\xFF") || bytes.starts_with(b"\xFF\xFE") {
        return Err(ReadError::UnsupportedEncoding {
            label: "UTF-16 (byte-order mark)".into(),
        });
    }
    let (body, bom) = match bytes.strip_prefix(UTF8_BOM) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    if let Some(label) = declared_label(body)? {
        let encoding =
            Encoding::from_label(&label).ok_or(ReadError::UnsupportedEncoding { label })?;
        if bom && encoding != Encoding::Utf8 {
            return Err(ReadError::UnsupportedEncoding {
                label: "UTF-8 byte-order mark with a Shift_JIS declaration".into(),
            });
        }
        return Ok((
            encoding.decode(body)?,
            encoding,
            EncodingSource::Declaration,
        ));
    }
    if bom {
        return Ok((
            Encoding::Utf8.decode(body)?,
            Encoding::Utf8,
            EncodingSource::ByteOrderMark,
        ));
    }
    match Encoding::Utf8.decode(body) {
        Ok(text) => Ok((text, Encoding::Utf8, EncodingSource::Default)),
        Err(utf8_error) => {
            let marker = b"<CharacterCodeIdentifier>1</CharacterCodeIdentifier>";
            let says_sjis = body.windows(marker.len()).any(|w| w == marker);
            if says_sjis {
                Ok((
                    Encoding::ShiftJis.decode(body)?,
                    Encoding::ShiftJis,
                    EncodingSource::CharacterCodeIdentifier,
                ))
            } else {
                Err(utf8_error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_refuses_what_does_not_come_back() {
        assert!(Encoding::ShiftJis.can_encode("診療　太郎 ｼﾝﾘｮｳ １２－３４ ①"));
        for folded in ["¥", "‾", "\u{2212}", "😀", "한"] {
            assert!(!Encoding::ShiftJis.can_encode(folded), "{folded}");
            assert!(Encoding::Utf8.can_encode(folded));
        }
    }

    #[test]
    fn labels() {
        assert_eq!(Encoding::from_label("Shift_JIS"), Some(Encoding::ShiftJis));
        assert_eq!(
            Encoding::from_label("windows-31j"),
            Some(Encoding::ShiftJis)
        );
        assert_eq!(Encoding::from_label("utf-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::from_label("EUC-JP"), None);
    }

    #[test]
    fn detects_declared_and_refuses_mislabels() {
        let sjis = b"<?xml version='1.0' encoding='Shift_JIS'?><a>\x83\x65</a>";
        let (text, enc, src) = detect_and_decode(sjis).unwrap();
        assert_eq!(
            (enc, src),
            (Encoding::ShiftJis, EncodingSource::Declaration)
        );
        assert!(text.contains("テ"));
        // Shift_JIS bytes under a UTF-8 declaration are malformed UTF-8.
        let lie = b"<?xml version='1.0' encoding='UTF-8'?><a>\x83\x65</a>";
        assert_eq!(
            detect_and_decode(lie).unwrap_err(),
            ReadError::MalformedEncoding { encoding: "UTF-8" }
        );
        assert!(matches!(
            detect_and_decode(b"<?xml version='1.0' encoding='EUC-JP'?><a/>"),
            Err(ReadError::UnsupportedEncoding { .. })
        ));
        assert!(matches!(
            detect_and_decode(b"\xFF\xFE<\0a\0/\0>\0"),
            Err(ReadError::UnsupportedEncoding { .. })
        ));
    }

    #[test]
    fn undeclared_shift_jis_found_by_character_code_identifier() {
        let raw = b"<XmlMsg><MessageHeader><CharacterCodeIdentifier>1</CharacterCodeIdentifier></MessageHeader><n>\x83\x65</n></XmlMsg>";
        let (_, enc, src) = detect_and_decode(raw).unwrap();
        assert_eq!(
            (enc, src),
            (Encoding::ShiftJis, EncodingSource::CharacterCodeIdentifier)
        );
    }
}
