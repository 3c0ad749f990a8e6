//! Who is asking: 医療機関コード, 健診・保健指導機関番号, オンライン資格確認用コード, and the
//! 支払代行機関番号 printed on vouchers.
//!
//! Public facts (vouchers.md, seed notice 第２の１): checkup institutions have a
//! 健診・保健指導機関番号 (10 digits; 保険医療機関 reuse their 医療機関コード; its check digit
//! rule is not public, so none is enforced). Insurers that run checkups themselves have no such
//! number: to use the online check they file a 導入届 and 支払基金 assigns an
//! オンライン資格確認用コード, whose format is not public.

use serde::{Deserialize, Serialize};

use super::{IdError, IdKind, Mode, parse_digits, string_id_impls, verify_check_digit};
use crate::text::{MAX_RAW_INPUT_BYTES, trim_spaces};

/// 医療機関コード: 10 digits = 都道府県(2) 点数表(1) 郡市区(2) 機関(4) 検証(1).
///
/// ```
/// use voucher_model::ids::MedicalInstitutionCode;
/// assert!("0110113719".parse::<MedicalInstitutionCode>().is_ok());
/// // Test fixtures often fail the check digit: accepted leniently, flagged.
/// assert!("1311111111".parse::<MedicalInstitutionCode>().is_err());
/// let fixture = MedicalInstitutionCode::parse_lenient("1311111111").unwrap();
/// assert!(!fixture.check_digit_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MedicalInstitutionCode(String);

impl MedicalInstitutionCode {
    /// Strict parse: 10 digits, valid check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::parse_mode(s, Mode::Strict)
    }

    /// Lenient parse: a wrong check digit is accepted and reported by `check_digit_ok`.
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse_mode(s, Mode::Lenient)
    }

    fn parse_mode(s: &str, mode: Mode) -> Result<Self, IdError> {
        let id = IdKind::MedicalInstitutionCode;
        let digits = parse_digits(s, id, &[10], "10 digits")?;
        verify_check_digit(&digits, id, mode)?;
        Ok(MedicalInstitutionCode(digits))
    }

    /// The 10 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the check digit is right.
    pub fn check_digit_ok(&self) -> bool {
        verify_check_digit(&self.0, IdKind::MedicalInstitutionCode, Mode::Lenient).unwrap_or(false)
    }

    /// 都道府県番号 (digits 1–2).
    pub fn prefecture(&self) -> &str {
        self.0.get(..2).unwrap_or("")
    }

    /// 点数表番号 (digit 3: 1 医科, 3 歯科, 4 調剤).
    pub fn fee_schedule(&self) -> &str {
        self.0.get(2..3).unwrap_or("")
    }
}

string_id_impls!(MedicalInstitutionCode);

/// 健診・保健指導機関番号: 10 digits. No check digit is enforced (its rule is not public).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CheckupInstitutionNumber(String);

impl CheckupInstitutionNumber {
    /// Parses 10 digits (spaces trimmed, full-width digits folded).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        parse_digits(s, IdKind::CheckupInstitutionNumber, &[10], "10 digits")
            .map(CheckupInstitutionNumber)
    }

    /// The same as [`CheckupInstitutionNumber::parse`]: there is no check digit to relax.
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }

    /// The 10 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A 保険医療機関 reuses its 医療機関コード: the number read as one, when its check digit
    /// holds. A `None` says nothing about the number's validity.
    pub fn as_medical_institution_code(&self) -> Option<MedicalInstitutionCode> {
        MedicalInstitutionCode::parse(&self.0).ok()
    }
}

string_id_impls!(CheckupInstitutionNumber);

/// 支払代行機関番号: exactly 8 digits (no public check-digit rule).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PaymentAgentNumber(String);

impl PaymentAgentNumber {
    /// Parses 8 digits.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        parse_digits(s, IdKind::PaymentAgentNumber, &[8], "8 digits").map(PaymentAgentNumber)
    }

    /// The same as [`PaymentAgentNumber::parse`].
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }

    /// The 8 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_id_impls!(PaymentAgentNumber);

/// オンライン資格確認用コード, assigned by 支払基金 to an insurer that runs checkups itself.
///
/// **Its format is not public.** This type treats it as opaque and only enforces a bound of
/// our own design: 1–[`OnlineQualificationCode::MAX_LEN`] characters of ASCII letters, digits
/// and `-` (full-width forms folded, surrounding spaces trimmed, case kept).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OnlineQualificationCode(String);

impl OnlineQualificationCode {
    /// Longest accepted code (our own bound, not a public fact).
    pub const MAX_LEN: usize = 32;

    /// Parses and validates the code.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let id = IdKind::OnlineQualificationCode;
        if s.len() > MAX_RAW_INPUT_BYTES {
            return Err(IdError::TooLong {
                id,
                found: s.len(),
                max: Self::MAX_LEN,
            });
        }
        let t = trim_spaces(s);
        if t.is_empty() {
            return Err(IdError::Empty { id });
        }
        let mut out = String::with_capacity(t.len());
        for (position, c) in t.chars().enumerate() {
            let folded = fold_full_width_ascii(c);
            if !(folded.is_ascii_alphanumeric() || folded == '-') {
                return Err(IdError::InvalidCharacter {
                    id,
                    found: c,
                    position,
                });
            }
            out.push(folded);
        }
        if out.len() > Self::MAX_LEN {
            return Err(IdError::TooLong {
                id,
                found: out.len(),
                max: Self::MAX_LEN,
            });
        }
        Ok(OnlineQualificationCode(out))
    }

    /// The same as [`OnlineQualificationCode::parse`].
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_id_impls!(OnlineQualificationCode);

/// Maps full-width ASCII forms (U+FF01–U+FF5E) to ASCII; other characters unchanged.
fn fold_full_width_ascii(c: char) -> char {
    let u = u32::from(c);
    if (0xFF01..=0xFF5E).contains(&u) {
        u.checked_sub(0xFEE0).and_then(char::from_u32).unwrap_or(c)
    } else {
        c
    }
}

/// Who is asking for the qualification check.
///
/// Serde (stable): `{"checkup_institution": "0110113719"}` or
/// `{"self_running_insurer": "<code>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Facility {
    /// A 特定健診・保健指導機関, identified by its 健診・保健指導機関番号.
    CheckupInstitution(CheckupInstitutionNumber),
    /// An insurer running checkups itself, identified by its オンライン資格確認用コード.
    SelfRunningInsurer(OnlineQualificationCode),
}

impl Facility {
    /// The identifier text (number or code).
    pub fn as_str(&self) -> &str {
        match self {
            Facility::CheckupInstitution(n) => n.as_str(),
            Facility::SelfRunningInsurer(c) => c.as_str(),
        }
    }
}
