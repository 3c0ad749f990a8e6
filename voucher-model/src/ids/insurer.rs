//! 保険者番号 and 後期高齢者 被保険者番号.
//!
//! Public fact (vouchers.md, "Identifiers"): 保険者番号 is 8 digits = 法別(2) 都道府県(2)
//! 保険者別(3) 検証(1); a 国保 保険者番号 is 6 digits = 都道府県(2) 保険者別(3) 検証(1) and is
//! zero-filled to 8 when stored. Zero-filling does not change the check digit (a zero adds
//! nothing to the weighted sum), so one check covers both forms.

use core::fmt;

use super::{IdError, IdKind, Mode, parse_digits, string_id_impls, verify_check_digit};

/// 保険者番号, always held in its canonical 8-digit form (6-digit 国保 numbers zero-filled).
///
/// ```
/// use voucher_model::ids::InsurerNumber;
/// let n: InsurerNumber = "  123455".parse().unwrap(); // space-padded 国保 number
/// assert_eq!(n.as_str(), "00123455");
/// assert!(n.is_national_health_insurance());
/// assert_eq!(n.law_number(), None);
/// let k: InsurerNumber = "０６１１０８２９".parse().unwrap();
/// assert_eq!(k.law_number().unwrap().as_str(), "06");
/// assert!("123456".parse::<InsurerNumber>().is_err()); // bad check digit
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InsurerNumber(String);

impl InsurerNumber {
    /// Strict parse: 6 or 8 digits (spaces trimmed, full-width digits folded), valid check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::parse_mode(s, Mode::Strict)
    }

    /// Lenient parse for inbound messages: a wrong check digit is accepted (see
    /// [`InsurerNumber::check_digit_ok`]).
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse_mode(s, Mode::Lenient)
    }

    fn parse_mode(s: &str, mode: Mode) -> Result<Self, IdError> {
        let id = IdKind::InsurerNumber;
        let digits = parse_digits(s, id, &[6, 8], "6 or 8 digits")?;
        let canonical = if digits.len() == 6 {
            format!("00{digits}")
        } else {
            digits
        };
        verify_check_digit(&canonical, id, mode)?;
        Ok(InsurerNumber(canonical))
    }

    /// The canonical 8-digit form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the check digit is right (always true for strictly parsed values).
    pub fn check_digit_ok(&self) -> bool {
        verify_check_digit(&self.0, IdKind::InsurerNumber, Mode::Lenient).unwrap_or(false)
    }

    /// Whether this is a 6-digit 国保 (national health insurance) number, zero-filled.
    pub fn is_national_health_insurance(&self) -> bool {
        self.0.starts_with("00")
    }

    /// The 法別番号 (first two digits); `None` for a 国保 number, which has none.
    pub fn law_number(&self) -> Option<LawNumber> {
        let two = self.0.get(..2)?;
        let value: u8 = two.parse().ok()?;
        (value != 0).then_some(LawNumber(value))
    }

    /// The 都道府県 (prefecture) number: digits 3–4, or 1–2 of a 国保 number.
    pub fn prefecture(&self) -> &str {
        self.0.get(2..4).unwrap_or("")
    }

    /// The form sent in 既存型 requests when the source was a 6-digit 国保 number: the six
    /// digits left-padded with spaces to 8 characters; other numbers unchanged. (oqs.md: "a
    /// 6-digit 国保 number is left-padded, with zeros or spaces".)
    pub fn space_padded(&self) -> String {
        match self.0.strip_prefix("00") {
            Some(six) => format!("  {six}"),
            None => self.0.clone(),
        }
    }
}

string_id_impls!(InsurerNumber);

/// 法別番号: the first two digits of an 8-digit 保険者番号 (01–99).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LawNumber(u8);

impl LawNumber {
    /// The two digits.
    pub fn as_str(self) -> String {
        format!("{:02}", self.0)
    }

    /// The number (1–99).
    pub fn value(self) -> u8 {
        self.0
    }

    /// What the examples in vouchers.md say this 法別番号 is; `None` for the others.
    /// (01 協会けんぽ, 02 船員, 06 組合, 31–34 共済, 39 後期高齢者, 63/72–75 特例退職.)
    pub fn label_ja(self) -> Option<&'static str> {
        match self.0 {
            1 => Some("協会けんぽ"),
            2 => Some("船員保険"),
            6 => Some("健康保険組合"),
            31..=34 => Some("共済組合"),
            39 => Some("後期高齢者医療"),
            63 | 72..=75 => Some("特例退職被保険者"),
            _ => None,
        }
    }

    /// Whether this is 39, 後期高齢者医療 (late-stage elderly medical care).
    pub fn is_late_elderly(self) -> bool {
        self.0 == 39
    }
}

impl fmt::Display for LawNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// 後期高齢者 被保険者番号: 8 digits with the same check digit as 保険者番号.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LateElderlyInsuredNumber(String);

impl LateElderlyInsuredNumber {
    /// Strict parse: 8 digits, valid check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Self::parse_mode(s, Mode::Strict)
    }

    /// Lenient parse: a wrong check digit is accepted and reported by `check_digit_ok`.
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse_mode(s, Mode::Lenient)
    }

    fn parse_mode(s: &str, mode: Mode) -> Result<Self, IdError> {
        let id = IdKind::LateElderlyInsuredNumber;
        let digits = parse_digits(s, id, &[8], "8 digits")?;
        verify_check_digit(&digits, id, mode)?;
        Ok(LateElderlyInsuredNumber(digits))
    }

    /// The 8 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the check digit is right.
    pub fn check_digit_ok(&self) -> bool {
        verify_check_digit(&self.0, IdKind::LateElderlyInsuredNumber, Mode::Lenient)
            .unwrap_or(false)
    }
}

string_id_impls!(personal LateElderlyInsuredNumber);
