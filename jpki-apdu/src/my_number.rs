//! The My Number (個人番号), EF `0001` of the 券面事項入力補助AP. Only with the cargo
//! feature `my-number`.
//!
//! **Legal note** (card.md): a checkup institution has no legal ground to collect the My
//! Number. This module exists for other users who do; it is never part of the
//! qualification flow, and its value never reaches `Debug`, logs or errors.
//!
//! Layout (card.md, public fact): `FF 10 0C` + 12 ASCII digits + `FF FF` filler (17 bytes).
//! The last digit is a check digit (public rule of the 個人番号 ordinance: weights 2–7 then
//! 2–6 from the right over the first 11 digits, remainder mod 11, check = 0 when the
//! remainder is 0 or 1, else 11 − remainder); a wrong one is rejected.

use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::content::ContentError;
use crate::tlv::{Tag, Tlv};

/// The tag of the My Number field.
pub const TAG_MY_NUMBER: Tag = Tag::new(0xFF10);

/// A My Number: 12 ASCII digits, zeroized on drop; `Debug` prints no digit, and there is
/// no `Display`.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct MyNumber([u8; 12]);

impl MyNumber {
    /// Parses EF `0001`: the `FF 10 0C` TLV, optionally followed by `FF` filler.
    ///
    /// # Errors
    /// [`ContentError`] for a malformed TLV, another tag, or digits that are not a valid
    /// My Number.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContentError> {
        let (tlv, rest) = Tlv::parse_prefix(bytes).map_err(ContentError::Tlv)?;
        if tlv.tag() != TAG_MY_NUMBER {
            return Err(ContentError::UnexpectedTag {
                expected: TAG_MY_NUMBER,
                found: tlv.tag(),
            });
        }
        if rest.iter().any(|b| *b != 0xFF) {
            return Err(ContentError::InvalidMyNumber);
        }
        let mut digits =
            <[u8; 12]>::try_from(tlv.value()).map_err(|_| ContentError::InvalidMyNumber)?;
        if !digits.iter().all(u8::is_ascii_digit) || !check_digit_ok(&digits) {
            digits.zeroize();
            return Err(ContentError::InvalidMyNumber);
        }
        Ok(Self(digits))
    }

    /// The 12 digits. Handle with care: never log or store them without a legal ground.
    #[must_use]
    pub fn expose_digits(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

fn check_digit_ok(digits: &[u8; 12]) -> bool {
    let (body, check) = digits.split_at(11);
    let mut sum = 0u32;
    // n = 1 is the digit just left of the check digit.
    for (n, d) in (1u32..).zip(body.iter().rev()) {
        let weight = if n <= 6 {
            n.saturating_add(1)
        } else {
            n.saturating_sub(5)
        };
        let value = u32::from(d.saturating_sub(b'0'));
        sum = sum.saturating_add(value.saturating_mul(weight));
    }
    let remainder = sum % 11;
    let expected = if remainder <= 1 {
        0
    } else {
        11u32.saturating_sub(remainder)
    };
    check
        .first()
        .is_some_and(|c| u32::from(c.saturating_sub(b'0')) == expected)
}

impl fmt::Debug for MyNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MyNumber(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::hex;

    fn ef(digits: &str) -> Vec<u8> {
        let mut out = hex("FF100C");
        out.extend_from_slice(digits.as_bytes());
        out.extend_from_slice(&[0xFF, 0xFF]);
        out
    }

    #[test]
    fn parses_the_ef_layout() {
        // 123456789018: the commonly published test number with a valid check digit.
        let n = MyNumber::parse(&ef("123456789018")).unwrap();
        assert_eq!(n.expose_digits(), "123456789018");
        // Without the filler (what ReadEf with ReadLength::Tlv returns).
        assert!(MyNumber::parse(&ef("123456789018")[..15]).is_ok());
    }

    #[test]
    fn rejects_bad_content() {
        assert_eq!(
            MyNumber::parse(&ef("123456789019")),
            Err(ContentError::InvalidMyNumber)
        );
        assert_eq!(
            MyNumber::parse(&ef("12345678901A")),
            Err(ContentError::InvalidMyNumber)
        );
        let mut trailing = ef("123456789018");
        trailing.push(0x00);
        assert_eq!(
            MyNumber::parse(&trailing),
            Err(ContentError::InvalidMyNumber)
        );
        assert!(matches!(
            MyNumber::parse(&hex("FF200C313233343536373839303138")),
            Err(ContentError::UnexpectedTag { .. })
        ));
        assert!(MyNumber::parse(&hex("FF100B3132333435363738393031")).is_err());
        assert!(MyNumber::parse(&[]).is_err());
    }

    #[test]
    fn debug_prints_no_digit() {
        let n = MyNumber::parse(&ef("123456789018")).unwrap();
        let dbg = format!("{n:?}");
        assert!(!dbg.chars().any(|c| c.is_ascii_digit()), "{dbg}");
        let err = MyNumber::parse(&ef("123456789019")).unwrap_err();
        assert!(!err.to_string().contains("1234"));
    }
}
