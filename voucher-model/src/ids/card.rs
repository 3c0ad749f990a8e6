//! 被保険者証等記号 / 番号 and 枝番.
//!
//! Public facts (vouchers.md): 記号/番号 are "all full-width or all half-width, never mixed;
//! ≤ 40 bytes; no full-width space; 記号 may be absent", and are compared "after Unicode NFKC,
//! hyphen-like characters folded to one, spaces removed; keep the original for display".
//! 枝番 is 2 digits, zero-padded. The 40-byte limit is counted as the source systems count it
//! (Shift_JIS: half-width 1 byte, full-width 2): our reading of the source.

use core::cmp::Ordering;
use core::hash::{Hash, Hasher};

use super::{IdError, IdKind, Mode, parse_digits, string_id_impls};
use crate::text::{MAX_RAW_INPUT_BYTES, comparison_form, is_half_width, sjis_len, trim_spaces};

/// Longest 記号 / 番号, in Shift_JIS bytes.
pub const MAX_CARD_TEXT_BYTES: usize = 40;

/// The text of a 記号 or 番号: the original (for display) and its comparison form.
#[derive(Debug, Clone)]
struct CardText {
    original: String,
    comparison: String,
}

impl CardText {
    fn parse(s: &str, id: IdKind, mode: Mode) -> Result<Self, IdError> {
        if s.len() > MAX_RAW_INPUT_BYTES {
            return Err(IdError::TooLong {
                id,
                found: s.len(),
                max: MAX_CARD_TEXT_BYTES,
            });
        }
        let t = match mode {
            // Staff input: a full-width space anywhere is an error, so trim ASCII only.
            Mode::Strict => s.trim_matches(|c: char| c.is_ascii_whitespace()),
            Mode::Lenient => trim_spaces(s),
        };
        if t.is_empty() {
            return Err(IdError::Empty { id });
        }
        let mut half = false;
        let mut full = false;
        for (position, c) in t.chars().enumerate() {
            if c.is_control() {
                return Err(IdError::InvalidCharacter {
                    id,
                    found: c,
                    position,
                });
            }
            if c == '\u{3000}' && mode == Mode::Strict {
                return Err(IdError::FullWidthSpace { id });
            }
            if c != ' ' && c != '\u{3000}' {
                if is_half_width(c) {
                    half = true;
                } else {
                    full = true;
                }
            }
        }
        if mode == Mode::Strict && half && full {
            return Err(IdError::MixedWidth { id });
        }
        let bytes = sjis_len(t).unwrap_or(usize::MAX);
        if bytes > MAX_CARD_TEXT_BYTES {
            return Err(IdError::TooLong {
                id,
                found: bytes,
                max: MAX_CARD_TEXT_BYTES,
            });
        }
        let comparison = comparison_form(t);
        if comparison.is_empty() {
            return Err(IdError::Empty { id });
        }
        Ok(CardText {
            original: t.to_owned(),
            comparison,
        })
    }
}

macro_rules! card_text_type {
    ($(#[$meta:meta])* $ty:ident, $kind:expr) => {
        $(#[$meta])*
        ///
        /// Equality, ordering and hashing use the comparison form only; serde and
        /// [`Self::as_str`] use the original text (trimmed). `Debug` and `Display` print
        /// `<redacted>` (personal data, see [`crate::personal`]).
        #[derive(Clone)]
        pub struct $ty(CardText);

        impl $ty {
            /// Strict parse, for voucher input typed by staff: no full-width space, no mixing
            /// of full- and half-width, at most 40 bytes.
            pub fn parse(s: &str) -> Result<Self, IdError> {
                CardText::parse(s, $kind, Mode::Strict).map($ty)
            }

            /// Lenient parse, for inbound messages: spaces of either width trimmed, mixing
            /// allowed; still at most 40 bytes and no control characters.
            pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
                CardText::parse(s, $kind, Mode::Lenient).map($ty)
            }

            /// The original text, for display.
            pub fn as_str(&self) -> &str {
                &self.0.original
            }

            /// The comparison form (NFKC, hyphens folded to `-`, spaces removed).
            pub fn comparison_form(&self) -> &str {
                &self.0.comparison
            }
        }

        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.0.comparison == other.0.comparison
            }
        }

        impl Eq for $ty {}

        impl Hash for $ty {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.comparison.hash(state);
            }
        }

        impl PartialOrd for $ty {
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $ty {
            fn cmp(&self, other: &Self) -> Ordering {
                self.0.comparison.cmp(&other.0.comparison)
            }
        }

        string_id_impls!(personal $ty);
    };
}

card_text_type!(
    /// 被保険者証等記号 (may be absent on a voucher: model it as `Option<CardSymbol>`).
    ///
    /// ```
    /// use voucher_model::ids::CardSymbol;
    /// let a: CardSymbol = "12-34".parse().unwrap();
    /// let b: CardSymbol = "１２－３４".parse().unwrap();
    /// assert_eq!(a, b);
    /// assert_eq!(b.as_str(), "１２－３４");
    /// assert!("12－34".parse::<CardSymbol>().is_err()); // mixed widths typed by staff
    /// ```
    CardSymbol,
    IdKind::CardSymbol
);

card_text_type!(
    /// 被保険者証等番号 (for 後期高齢者, the 8-digit 被保険者番号).
    CardNumber,
    IdKind::CardNumber
);

/// 枝番: 2 digits, zero-padded (a single digit is padded).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BranchNumber(String);

impl BranchNumber {
    /// Parses 1 or 2 digits; the canonical form has 2.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let digits = parse_digits(s, IdKind::BranchNumber, &[1, 2], "2 digits")?;
        Ok(BranchNumber(if digits.len() == 1 {
            format!("0{digits}")
        } else {
            digits
        }))
    }

    /// The same as [`BranchNumber::parse`].
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }

    /// The two digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_id_impls!(personal BranchNumber);
