//! PIN types. Each checks its format on construction (card.md: the auth PIN is exactly 4
//! digits; the sign password is 6–16 of `A–Z0–9`, upper-casing what users type; the
//! 券面事項入力補助AP PIN is 4 digits), lives in memory that is zeroized on drop, prints no
//! digit in `Debug`, and has no `Display`.

use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::ids::{FileId, assist, jpki};

mod sealed {
    /// Only this crate's PIN types are PINs; they hand their bytes to the VERIFY builder.
    #[allow(unreachable_pub)] // sealed-trait pattern: public but unnameable outside.
    pub trait Sealed {
        fn secret_bytes(&self) -> &[u8];
    }
}

/// A PIN or password the card verifies with VERIFY `00 20 00 80` against the PIN EF
/// selected before. Sealed: implemented by [`AuthPin`], [`SignPassword`] and [`AssistPin`].
pub trait Pin: sealed::Sealed {
    /// The PIN EF this secret is verified against.
    fn pin_file(&self) -> FileId;
    /// How many wrong tries the card allows before it blocks (card.md).
    fn max_tries(&self) -> u8;
}

pub(crate) fn secret_bytes<P: Pin + ?Sized>(pin: &P) -> &[u8] {
    pin.secret_bytes()
}

/// The 利用者証明用 authentication PIN of the JPKI AP (EF `0018`): exactly 4 ASCII digits,
/// 3 tries.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct AuthPin([u8; 4]);

/// The 署名用 signature password of the JPKI AP (EF `001B`): 6–16 characters of `A–Z0–9`
/// (lower-case letters are upper-cased), 5 tries.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct SignPassword {
    bytes: [u8; 16],
    len: u8,
}

/// The PIN of the 券面事項入力補助AP (EF `0011`): 4 ASCII digits, 3 tries. Users chose the
/// same digits as the auth PIN, but the card counts tries separately.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct AssistPin([u8; 4]);

fn four_digits(typed: &str) -> Result<[u8; 4], PinError> {
    let mut out = [0u8; 4];
    let mut count = 0usize;
    for (position, c) in typed.chars().enumerate() {
        if !c.is_ascii_digit() {
            out.zeroize();
            return Err(PinError::InvalidCharacter { position });
        }
        if let Some(slot) = out.get_mut(position) {
            // An ASCII digit is one byte.
            *slot = u8::try_from(c).unwrap_or(0);
        }
        count = position.saturating_add(1);
    }
    if count != 4 {
        out.zeroize();
        return Err(PinError::Length {
            min: 4,
            max: 4,
            got: count,
        });
    }
    Ok(out)
}

impl AuthPin {
    /// Checks and stores a typed PIN.
    ///
    /// # Errors
    /// [`PinError::InvalidCharacter`] for anything but `0–9`, [`PinError::Length`] unless
    /// exactly 4 digits.
    pub fn new(typed: &str) -> Result<Self, PinError> {
        four_digits(typed).map(Self)
    }
}

impl AssistPin {
    /// Checks and stores a typed PIN.
    ///
    /// # Errors
    /// As [`AuthPin::new`].
    pub fn new(typed: &str) -> Result<Self, PinError> {
        four_digits(typed).map(Self)
    }
}

impl SignPassword {
    /// Checks a typed password, upper-casing `a–z`.
    ///
    /// # Errors
    /// [`PinError::InvalidCharacter`] for anything but `A–Z`, `a–z`, `0–9`;
    /// [`PinError::Length`] outside 6–16 characters.
    pub fn new(typed: &str) -> Result<Self, PinError> {
        let mut out = Self {
            bytes: [0; 16],
            len: 0,
        };
        let mut count = 0usize;
        for (position, c) in typed.chars().enumerate() {
            if !c.is_ascii_alphanumeric() {
                return Err(PinError::InvalidCharacter { position });
            }
            if let Some(slot) = out.bytes.get_mut(position) {
                *slot = u8::try_from(c.to_ascii_uppercase()).unwrap_or(0);
            }
            count = position.saturating_add(1);
        }
        if !(6..=16).contains(&count) {
            return Err(PinError::Length {
                min: 6,
                max: 16,
                got: count,
            });
        }
        out.len = u8::try_from(count).unwrap_or(0);
        Ok(out)
    }

    /// Number of characters.
    #[must_use]
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// Always `false`: a password has at least 6 characters.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl sealed::Sealed for AuthPin {
    fn secret_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl sealed::Sealed for AssistPin {
    fn secret_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl sealed::Sealed for SignPassword {
    fn secret_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

impl Pin for AuthPin {
    fn pin_file(&self) -> FileId {
        jpki::AUTH_PIN
    }
    fn max_tries(&self) -> u8 {
        3
    }
}

impl Pin for AssistPin {
    fn pin_file(&self) -> FileId {
        assist::PIN
    }
    fn max_tries(&self) -> u8 {
        3
    }
}

impl Pin for SignPassword {
    fn pin_file(&self) -> FileId {
        jpki::SIGN_PIN
    }
    fn max_tries(&self) -> u8 {
        5
    }
}

impl fmt::Debug for AuthPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthPin(<redacted>)")
    }
}

impl fmt::Debug for AssistPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AssistPin(<redacted>)")
    }
}

impl fmt::Debug for SignPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SignPassword(<redacted>)")
    }
}

/// A typed PIN does not have the card's format (caller / person at the counter at fault).
/// The error never carries the characters typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PinError {
    /// Wrong number of characters.
    Length {
        /// Fewest characters allowed.
        min: usize,
        /// Most characters allowed.
        max: usize,
        /// Characters typed.
        got: usize,
    },
    /// A character outside the allowed set, at this (0-based) character position.
    InvalidCharacter {
        /// Position of the first offending character.
        position: usize,
    },
}

impl fmt::Display for PinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Length { min, max, got } if min == max => {
                write!(f, "invalid PIN: {min} characters needed, {got} typed")
            }
            Self::Length { min, max, got } => {
                write!(
                    f,
                    "invalid PIN: {min} to {max} characters needed, {got} typed"
                )
            }
            Self::InvalidCharacter { position } => write!(
                f,
                "invalid PIN: character {} is not allowed",
                position.saturating_add(1)
            ),
        }
    }
}

impl core::error::Error for PinError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_pin_is_four_digits() {
        let pin = AuthPin::new("1234").unwrap();
        assert_eq!(secret_bytes(&pin), b"1234");
        assert_eq!(pin.pin_file(), jpki::AUTH_PIN);
        assert_eq!(
            AuthPin::new("123"),
            Err(PinError::Length {
                min: 4,
                max: 4,
                got: 3
            })
        );
        assert_eq!(
            AuthPin::new("12345").unwrap_err(),
            PinError::Length {
                min: 4,
                max: 4,
                got: 5
            }
        );
        assert_eq!(
            AuthPin::new("12a4"),
            Err(PinError::InvalidCharacter { position: 2 })
        );
        // Full-width digits are not ASCII digits.
        assert_eq!(
            AuthPin::new("１２３４"),
            Err(PinError::InvalidCharacter { position: 0 })
        );
        assert!(AuthPin::new("").is_err());
        assert_eq!(AssistPin::new("0000").unwrap().pin_file(), assist::PIN);
    }

    #[test]
    fn sign_password_upper_cases() {
        let pw = SignPassword::new("abc123xyz").unwrap();
        assert_eq!(secret_bytes(&pw), b"ABC123XYZ");
        assert_eq!(pw.len(), 9);
        assert_eq!(pw.max_tries(), 5);
        assert!(SignPassword::new("ABCDEF").is_ok());
        assert!(SignPassword::new("ABCDEFGHIJ123456").is_ok());
        assert_eq!(
            SignPassword::new("ABCDE"),
            Err(PinError::Length {
                min: 6,
                max: 16,
                got: 5
            })
        );
        assert!(SignPassword::new("ABCDEFGHIJ1234567").is_err());
        assert_eq!(
            SignPassword::new("ABC-123"),
            Err(PinError::InvalidCharacter { position: 3 })
        );
        assert!(SignPassword::new("ＡＢＣＤＥＦ").is_err());
    }

    #[test]
    fn debug_prints_no_digit() {
        let dbg = format!(
            "{:?} {:?} {:?}",
            AuthPin::new("1234").unwrap(),
            AssistPin::new("5678").unwrap(),
            SignPassword::new("PASS90").unwrap()
        );
        assert!(!dbg.chars().any(|c| c.is_ascii_digit()), "{dbg}");
        assert!(!dbg.contains("PASS"), "{dbg}");
    }

    #[test]
    fn zeroize_clears_the_bytes() {
        let mut pin = AuthPin::new("9876").unwrap();
        pin.zeroize();
        assert_eq!(secret_bytes(&pin), &[0, 0, 0, 0]);
        let mut pw = SignPassword::new("SECRET1").unwrap();
        pw.zeroize();
        assert!(pw.is_empty());
        assert_eq!(pw.bytes, [0; 16]);
    }
}
