//! 受診券整理番号 / 利用券整理番号.
//!
//! vouchers.md: "exactly 11 digits; first two digits are the fiscal year (weakly sourced)".

use super::{IdError, IdKind, parse_digits, string_id_impls};

/// 受診券整理番号 / 利用券整理番号: exactly 11 digits.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VoucherNumber(String);

impl VoucherNumber {
    /// Parses 11 digits (spaces trimmed, full-width digits folded).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        parse_digits(s, IdKind::VoucherNumber, &[11], "11 digits").map(VoucherNumber)
    }

    /// The same as [`VoucherNumber::parse`].
    pub fn parse_lenient(s: &str) -> Result<Self, IdError> {
        Self::parse(s)
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first two digits, which public checkup software treats as the fiscal year (a
    /// weakly sourced convention: shown for information, never validated).
    pub fn fiscal_year_digits(&self) -> &str {
        self.0.get(..2).unwrap_or("")
    }
}

string_id_impls!(personal VoucherNumber);
