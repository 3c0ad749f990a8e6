//! The synthetic person the virtual card belongs to, and the EF contents built from it.
//!
//! File layouts quoted from card.md (public fact, as the public implementations agree):
//!
//! ```text
//! 券面事項入力補助AP EF 0001  My Number: FF 10 0C + 12 ASCII digits + FF FF filler (17 bytes)
//! 券面事項入力補助AP EF 0002  基本4情報: FF 20 <len> { DF21 offsets (4 × u16 BE), DF22 name,
//!                            DF23 address, DF24 YYYYMMDD, DF25 sex 1/2/9 } all UTF-8
//! JPKI AP EF 0006            token info (PKCS#11 CK_TOKEN_INFO-like, 160 bytes)
//! JPKI AP EF 0008            which certificates exist: 8F 8F 00 when both do
//! ```
//!
//! EF 0002 is written by jpki-apdu's `encode_basic_info`, as a real card writes it: DF21
//! holds the offsets of DF22..DF25 counted from the file's first byte (jpki-apdu's
//! `content` module docs work it out from a public test card). EF 0001 is written with
//! jpki-apdu's BER-TLV writer.
//!
//! Our design where the sources are silent: EF 0008 without a signature certificate reads
//! `00 8F 00` (first byte: signature certificate, second: authentication certificate, as
//! the public tools read it); the token-info fields after the label are blank-padded text and zeros.

use jpki_apdu::content::encode_basic_info;
use jpki_apdu::tlv::{self, Tag};
use zeroize::Zeroizing;

/// The My Number EF's tag (card.md: `FF 10 0C` + 12 digits).
const TAG_MY_NUMBER: Tag = Tag::new(0xFF10);

/// Sex and token kind are jpki-apdu's: the persona writes what the card's reader parses.
pub use jpki_apdu::content::{CardSex, TokenKind};

/// Why a persona was rejected (caller misuse).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PersonaError {
    /// The birth date is not 8 ASCII digits `YYYYMMDD`.
    BirthDate,
    /// The My Number is not 12 ASCII digits.
    MyNumber,
    /// A field is longer than the card's EF can hold.
    TooLong,
}

impl core::fmt::Display for PersonaError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::BirthDate => "caller error: birth date must be 8 digits YYYYMMDD",
            Self::MyNumber => "caller error: My Number must be 12 ASCII digits",
            Self::TooLong => "caller error: persona field too long for the card",
        })
    }
}

impl core::error::Error for PersonaError {}

/// The synthetic holder of a virtual card: 基本4情報 and the My Number.
///
/// The My Number is kept in zeroizing memory; `Debug` prints none of the personal values.
#[derive(Clone)]
pub struct Persona {
    name: String,
    address: String,
    birth_date: String,
    sex: CardSex,
    my_number: Zeroizing<String>,
    token: TokenKind,
}

impl core::fmt::Debug for Persona {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Personal data: only the token kind is shown (issue 10 item 7); `name()` and the
        // other getters render the values for a test's own screen.
        f.debug_struct("Persona")
            .field("name", &"<redacted>")
            .field("address", &"<redacted>")
            .field("birth_date", &"<redacted>")
            .field("sex", &"<redacted>")
            .field("my_number", &"<redacted>")
            .field("token", &self.token)
            .finish()
    }
}

impl Default for Persona {
    /// A synthetic person: 試験　花子 (family and given name separated by U+3000), an
    /// address with full-width digits, born 1980-04-01, and a made-up My Number with a valid
    /// check digit. Not a real person.
    fn default() -> Self {
        Self {
            name: "試験\u{3000}花子".to_owned(),
            address: "東京都千代田区霞が関１丁目２番２号".to_owned(),
            birth_date: "19800401".to_owned(),
            sex: CardSex::Female,
            my_number: Zeroizing::new("987654321018".to_owned()),
            token: TokenKind::PhysicalCard,
        }
    }
}

impl Persona {
    /// A persona with the given 基本4情報 and My Number.
    ///
    /// # Errors
    /// [`PersonaError`] when the birth date is not `YYYYMMDD`, the My Number is not 12 digits,
    /// or the fields cannot fit the EF.
    pub fn new(
        name: &str,
        address: &str,
        birth_date: &str,
        sex: CardSex,
        my_number: &str,
    ) -> Result<Self, PersonaError> {
        if birth_date.len() != 8 || !birth_date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PersonaError::BirthDate);
        }
        if my_number.len() != 12 || !my_number.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PersonaError::MyNumber);
        }
        if name.len().saturating_add(address.len()) > 4000 {
            return Err(PersonaError::TooLong);
        }
        if encode_basic_info(name, address, birth_date, sex).is_err() {
            return Err(PersonaError::TooLong);
        }
        Ok(Self {
            name: name.to_owned(),
            address: address.to_owned(),
            birth_date: birth_date.to_owned(),
            sex,
            my_number: Zeroizing::new(my_number.to_owned()),
            token: TokenKind::PhysicalCard,
        })
    }

    /// The same persona on another kind of token.
    #[must_use]
    pub fn with_token(mut self, token: TokenKind) -> Self {
        self.token = token;
        self
    }

    /// Name (family and given name separated by U+3000).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Address.
    pub fn address(&self) -> &str {
        &self.address
    }
    /// Birth date `YYYYMMDD`.
    pub fn birth_date(&self) -> &str {
        &self.birth_date
    }
    /// Sex.
    pub fn sex(&self) -> CardSex {
        self.sex
    }
    /// The kind of token.
    pub fn token(&self) -> TokenKind {
        self.token
    }

    /// EF `0001` of 券面事項入力補助AP: `FF 10 0C` + 12 digits + `FF FF`.
    pub(crate) fn my_number_ef(&self) -> Zeroizing<Vec<u8>> {
        // Room for all 17 bytes up front: the buffer never reallocates, so no copy of the
        // number is left behind in freed memory.
        let mut out = Zeroizing::new(Vec::with_capacity(17));
        // A valid tag and 12 bytes: the writer cannot refuse them.
        if tlv::write(&mut out, TAG_MY_NUMBER, self.my_number.as_bytes()).is_ok() {
            out.extend_from_slice(&[0xFF, 0xFF]);
        }
        out
    }

    /// EF `0002` of 券面事項入力補助AP (基本4情報), as jpki-apdu's `encode_basic_info` writes
    /// it. Cannot fail: [`Persona::new`] refused fields that do not encode (and the default
    /// persona's are short).
    pub(crate) fn basic4_ef(&self) -> Vec<u8> {
        encode_basic_info(&self.name, &self.address, &self.birth_date, self.sex).unwrap_or_default()
    }

    /// EF `0006` of the JPKI AP: 160 bytes, label first (blank-padded to 32 like
    /// `CK_TOKEN_INFO.label`), then manufacturer, model and serial, zeros after.
    pub(crate) fn token_info_ef(&self, serial: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(160);
        // An unknown kind writes a blank label, which reads back as unknown.
        push_padded(&mut out, self.token.label().unwrap_or_default(), 32);
        push_padded(&mut out, "elig virtual card", 32);
        push_padded(&mut out, "MOCK", 16);
        push_padded(&mut out, &format!("{serial:016X}"), 16);
        out.resize(160, 0);
        out
    }
}

fn push_padded(out: &mut Vec<u8>, text: &str, width: usize) {
    let bytes = text.as_bytes();
    let take = bytes.get(..width).unwrap_or(bytes);
    out.extend_from_slice(take);
    out.extend(core::iter::repeat_n(b' ', width.saturating_sub(take.len())));
}
