//! Identifiers that can only hold well-formed values.
//!
//! Every identifier parses what real systems send: surrounding half- and full-width spaces,
//! full-width digits, 6-digit 国保 保険者番号 padded with spaces or zeros. Two parse modes:
//!
//! - **strict** (`FromStr`, `parse`): input typed by staff, e.g. a voucher. A wrong check
//!   digit is an error.
//! - **lenient** (`parse_lenient`): identifiers read from an inbound message. A wrong check
//!   digit is accepted (test fixtures in the wild, such as `1311111111`, fail the check) and
//!   the value reports it through `check_digit_ok()` (the warning flag). The verdict needs no
//!   extra rule for it: a voucher's numbers are strictly valid, so a result number with a
//!   wrong check digit can never equal one and is reported as a mismatch.
//!
//! Serde deserializes leniently (a stored record must load again) and serializes the
//! canonical form; a voucher re-validates strictly when it is deserialized.

mod card;
mod check_digit;
mod facility;
mod insurer;
mod voucher_number;

use core::fmt;

pub use card::{BranchNumber, CardNumber, CardSymbol, MAX_CARD_TEXT_BYTES};
pub use check_digit::check_digit;
pub use facility::{
    CheckupInstitutionNumber, Facility, MedicalInstitutionCode, OnlineQualificationCode,
    PaymentAgentNumber,
};
pub use insurer::{InsurerNumber, LateElderlyInsuredNumber, LawNumber};
pub use voucher_number::VoucherNumber;

use crate::text::{MAX_RAW_INPUT_BYTES, fold_digit, trim_spaces};

/// Which identifier a parse error (or a verdict's check-digit finding) is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdKind {
    /// 保険者番号.
    InsurerNumber,
    /// 後期高齢者 被保険者番号.
    LateElderlyInsuredNumber,
    /// 医療機関コード.
    MedicalInstitutionCode,
    /// 健診・保健指導機関番号.
    CheckupInstitutionNumber,
    /// 支払代行機関番号.
    PaymentAgentNumber,
    /// オンライン資格確認用コード.
    OnlineQualificationCode,
    /// 受診券整理番号 / 利用券整理番号.
    VoucherNumber,
    /// 被保険者証等記号.
    CardSymbol,
    /// 被保険者証等番号.
    CardNumber,
    /// 枝番.
    BranchNumber,
}

impl IdKind {
    /// Japanese name, for reception staff.
    pub fn name_ja(self) -> &'static str {
        match self {
            IdKind::InsurerNumber => "保険者番号",
            IdKind::LateElderlyInsuredNumber => "後期高齢者被保険者番号",
            IdKind::MedicalInstitutionCode => "医療機関コード",
            IdKind::CheckupInstitutionNumber => "健診・保健指導機関番号",
            IdKind::PaymentAgentNumber => "支払代行機関番号",
            IdKind::OnlineQualificationCode => "オンライン資格確認用コード",
            IdKind::VoucherNumber => "受診券・利用券整理番号",
            IdKind::CardSymbol => "被保険者証等記号",
            IdKind::CardNumber => "被保険者証等番号",
            IdKind::BranchNumber => "枝番",
        }
    }

    /// True for the identifiers that are personal data (記号・番号・枝番, the voucher
    /// number, the late-elderly insured number): their values print redacted in `Debug`,
    /// `Display` and error text ([`crate::personal`]). Institution and insurer numbers are
    /// not personal.
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            IdKind::LateElderlyInsuredNumber
                | IdKind::VoucherNumber
                | IdKind::CardSymbol
                | IdKind::CardNumber
                | IdKind::BranchNumber
        )
    }

    /// English name, for developers.
    pub fn name_en(self) -> &'static str {
        match self {
            IdKind::InsurerNumber => "insurer number",
            IdKind::LateElderlyInsuredNumber => "late-elderly insured number",
            IdKind::MedicalInstitutionCode => "medical institution code",
            IdKind::CheckupInstitutionNumber => "checkup institution number",
            IdKind::PaymentAgentNumber => "payment agent number",
            IdKind::OnlineQualificationCode => "online qualification code",
            IdKind::VoucherNumber => "voucher number",
            IdKind::CardSymbol => "card symbol",
            IdKind::CardNumber => "card number",
            IdKind::BranchNumber => "branch number",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_en())
    }
}

/// Why an identifier was rejected. The input (whoever typed or sent it) is at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Nothing but spaces.
    #[error("{id} is empty")]
    Empty {
        /// The identifier.
        id: IdKind,
    },
    /// A character outside the identifier's alphabet.
    #[error("{id} contains {found:?} at character {position}, which is not allowed")]
    InvalidCharacter {
        /// The identifier.
        id: IdKind,
        /// The character.
        found: char,
        /// Its 0-based position in the trimmed input.
        position: usize,
    },
    /// Wrong number of characters.
    #[error("{id} has {found} characters, expected {expected}")]
    WrongLength {
        /// The identifier.
        id: IdKind,
        /// Characters found (after trimming).
        found: usize,
        /// What is accepted, e.g. `"6 or 8 digits"`.
        expected: &'static str,
    },
    /// The check digit does not match (strict parsing only).
    #[error(
        "{id} {} has check digit {found}, the computed check digit is {expected}",
        if id.is_personal() { value.to_string() } else { value.reveal().clone() }
    )]
    BadCheckDigit {
        /// The identifier.
        id: IdKind,
        /// The canonical form that failed (personal for a voucher number: prints redacted).
        value: crate::Personal<String>,
        /// The computed check digit.
        expected: u8,
        /// The check digit in the input.
        found: u8,
    },
    /// Too long (bytes as the source systems count them: Shift_JIS, half-width 1, full-width 2).
    #[error("{id} is {found} bytes long, at most {max} are allowed")]
    TooLong {
        /// The identifier.
        id: IdKind,
        /// Length found.
        found: usize,
        /// The limit.
        max: usize,
    },
    /// Full-width and half-width characters mixed (vouchers.md: never mixed).
    #[error("{id} mixes full-width and half-width characters")]
    MixedWidth {
        /// The identifier.
        id: IdKind,
    },
    /// A full-width space inside a 記号/番号 typed for a voucher.
    #[error("{id} contains a full-width space")]
    FullWidthSpace {
        /// The identifier.
        id: IdKind,
    },
}

impl IdError {
    /// The identifier the error is about.
    pub fn id(&self) -> IdKind {
        match self {
            IdError::Empty { id }
            | IdError::InvalidCharacter { id, .. }
            | IdError::WrongLength { id, .. }
            | IdError::BadCheckDigit { id, .. }
            | IdError::TooLong { id, .. }
            | IdError::MixedWidth { id }
            | IdError::FullWidthSpace { id } => *id,
        }
    }

    /// The message for reception staff, in Japanese.
    pub fn message_ja(&self) -> String {
        let name = self.id().name_ja();
        match self {
            IdError::Empty { .. } => format!("{name}が入力されていません。"),
            IdError::InvalidCharacter { found, .. } => {
                format!("{name}に使えない文字「{found}」が含まれています。")
            }
            IdError::WrongLength {
                found, expected, ..
            } => format!(
                "{name}の桁数が正しくありません（{found}桁、正しくは{}）。",
                expected_ja(expected)
            ),
            IdError::BadCheckDigit { value, .. } => {
                let value = value.reveal();
                format!("{name}「{value}」の検証番号が一致しません。入力を確認してください。")
            }
            IdError::TooLong { found, max, .. } => {
                format!("{name}が長すぎます（{found}バイト、上限{max}バイト）。")
            }
            IdError::MixedWidth { .. } => {
                format!("{name}に全角と半角が混在しています。どちらかに揃えてください。")
            }
            IdError::FullWidthSpace { .. } => format!("{name}に全角スペースが含まれています。"),
        }
    }

    /// The message for developers, in English (the same as `Display`).
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}

/// The Japanese form of a [`IdError::WrongLength`] `expected` text: `"6 or 8 digits"` →
/// `"6桁または8桁"`, `"10 digits"` → `"10桁"`; any other text unchanged.
fn expected_ja(expected: &str) -> String {
    match expected.strip_suffix(" digits") {
        Some(counts) => format!("{}桁", counts.replace(" or ", "桁または")),
        None => expected.to_owned(),
    }
}

/// Whether a check digit is enforced (strict) or only reported (lenient).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Strict,
    Lenient,
}

/// Trims spaces, folds full-width digits and checks that only ASCII digits remain and that
/// their count is in `lengths`. Returns the digits.
pub(crate) fn parse_digits(
    input: &str,
    id: IdKind,
    lengths: &[usize],
    expected: &'static str,
) -> Result<String, IdError> {
    if input.len() > MAX_RAW_INPUT_BYTES {
        return Err(IdError::TooLong {
            id,
            found: input.len(),
            max: MAX_RAW_INPUT_BYTES,
        });
    }
    let t = trim_spaces(input);
    if t.is_empty() {
        return Err(IdError::Empty { id });
    }
    let mut out = String::with_capacity(t.len());
    for (position, c) in t.chars().enumerate() {
        let d = fold_digit(c);
        if !d.is_ascii_digit() {
            return Err(IdError::InvalidCharacter {
                id,
                found: c,
                position,
            });
        }
        out.push(d);
    }
    if !lengths.contains(&out.len()) {
        return Err(IdError::WrongLength {
            id,
            found: out.len(),
            expected,
        });
    }
    Ok(out)
}

/// Checks the last digit of `digits` against [`check_digit`] of the rest; `Ok(true)` when it
/// matches, `Ok(false)` when it does not and `mode` is lenient.
pub(crate) fn verify_check_digit(digits: &str, id: IdKind, mode: Mode) -> Result<bool, IdError> {
    let (body, last) = match digits.char_indices().last() {
        Some((i, c)) => (digits.get(..i).unwrap_or(""), c),
        None => return Err(IdError::Empty { id }),
    };
    let found = last
        .to_digit(10)
        .and_then(|d| u8::try_from(d).ok())
        .ok_or(IdError::Empty { id })?;
    let expected = check_digit(body).ok_or(IdError::Empty { id })?;
    if expected == found {
        return Ok(true);
    }
    match mode {
        Mode::Lenient => Ok(false),
        Mode::Strict => Err(IdError::BadCheckDigit {
            id,
            value: crate::Personal::new(digits.to_owned()),
            expected,
            found,
        }),
    }
}

/// Implements `Display`, `FromStr` (strict), `AsRef<str>`, and serde (canonical string out,
/// lenient parse in) for a newtype whose canonical text is `self.as_str()`.
macro_rules! string_id_impls {
    ($ty:ident) => {
        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        $crate::ids::string_id_impls!(@common $ty);
    };
    // A personal identifier (記号・番号・枝番, voucher number): `Debug` and `Display` print
    // `<redacted>`; `as_str()` renders it for a screen.
    (personal $ty:ident) => {
        impl core::fmt::Display for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str($crate::personal::REDACTED)
            }
        }

        impl core::fmt::Debug for $ty {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, concat!(stringify!($ty), "({})"), $crate::personal::REDACTED)
            }
        }
        $crate::ids::string_id_impls!(@common $ty);
    };
    (@common $ty:ident) => {

        impl core::str::FromStr for $ty {
            type Err = $crate::ids::IdError;

            /// Strict parse (see the module docs).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $ty::parse_lenient(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use string_id_impls;

#[cfg(test)]
mod tests;
