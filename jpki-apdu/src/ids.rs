//! Application identifiers and elementary-file identifiers of the My Number Card.
//!
//! Every value is quoted from `domain/card.md` (public fact: what OpenSC, myna-card,
//! jpki/myna and the mobile ports agree on; no official specification is public).

use core::fmt;

/// An application identifier (ISO 7816-5), 5–16 bytes. SELECT always sends the full AID,
/// because the card also selects on a prefix (card.md).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aid(&'static [u8]);

impl Aid {
    /// An AID from static bytes; `None` unless it is 5–16 bytes long.
    #[must_use]
    pub const fn from_static(bytes: &'static [u8]) -> Option<Self> {
        if bytes.len() >= 5 && bytes.len() <= 16 {
            Some(Self(bytes))
        } else {
            None
        }
    }

    /// The AID bytes.
    #[must_use]
    pub const fn as_bytes(&self) -> &'static [u8] {
        self.0
    }
}

impl fmt::Debug for Aid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Aid(")?;
        for b in self.0 {
            write!(f, "{b:02X}")?;
        }
        f.write_str(")")
    }
}

/// A two-byte file identifier, selected with `00 A4 02 0C 02 <FID>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(u16);

impl FileId {
    /// A file identifier from its value (`0x000A` for EF `000A`).
    #[must_use]
    pub const fn new(value: u16) -> Self {
        Self(value)
    }

    /// The numeric value.
    #[must_use]
    pub const fn value(self) -> u16 {
        self.0
    }

    /// The two bytes sent in SELECT.
    #[must_use]
    pub const fn to_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }
}

impl fmt::Debug for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileId({:04X})", self.0)
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EF {:04X}", self.0)
    }
}

/// 公的個人認証AP (JPKI): `D3 92 F0 00 26 01 00 00 00 01` — certificates, PIN, signature.
/// A successful SELECT of it is how a My Number Card is recognised (never the ATR).
pub const JPKI_AP: Aid = Aid(&[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);

/// 券面事項入力補助AP: `D3 92 10 00 31 00 01 01 04 08` — 基本4情報 (name, address, birth
/// date, sex) and the My Number.
pub const ASSIST_AP: Aid = Aid(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08]);

/// 券面AP: `D3 92 10 00 31 00 01 01 04 02` — face image (needs 照合番号); out of scope.
pub const FACE_AP: Aid = Aid(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02]);

/// 住基AP: `D3 92 10 00 31 00 01 01 04 01` — out of scope.
pub const JUKI_AP: Aid = Aid(&[0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01]);

/// GlobalPlatform Issuer Security Domain: `A0 00 00 01 51 00 00`. Selecting it clears
/// every verified PIN (card.md, "Security state").
pub const ISD: Aid = Aid(&[0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00]);

/// Elementary files of the JPKI AP (card.md, "JPKI AP files").
pub mod jpki {
    use super::FileId;

    /// `000A` 利用者証明用電子証明書: the user-authentication certificate (X.509 DER,
    /// RSA-2048). Free to read on a physical card; needs the auth PIN on phone tokens.
    pub const AUTH_CERT: FileId = FileId::new(0x000A);
    /// `000B`: the issuing CA certificate of the authentication certificate. Free.
    pub const AUTH_CA_CERT: FileId = FileId::new(0x000B);
    /// `0017`: the authentication private key (signing only), usable after the auth PIN.
    pub const AUTH_KEY: FileId = FileId::new(0x0017);
    /// `0018`: the authentication PIN (exactly 4 digits, 3 tries).
    pub const AUTH_PIN: FileId = FileId::new(0x0018);
    /// `0001` 署名用電子証明書: the signature certificate (carries name and address); read
    /// after the sign password.
    pub const SIGN_CERT: FileId = FileId::new(0x0001);
    /// `0002`: the signature certificate's CA certificate. Free.
    pub const SIGN_CA_CERT: FileId = FileId::new(0x0002);
    /// `001A`: the signature private key.
    pub const SIGN_KEY: FileId = FileId::new(0x001A);
    /// `001B`: the signature password (6–16 of `A–Z0–9`, 5 tries).
    pub const SIGN_PIN: FileId = FileId::new(0x001B);
    /// `0006`: token info (`CK_TOKEN_INFO`-like, 160 bytes). Free.
    pub const TOKEN_INFO: FileId = FileId::new(0x0006);
    /// `0008`: which certificates exist (`8F 8F 00` when both do). Free.
    pub const CERT_AVAILABILITY: FileId = FileId::new(0x0008);
}

/// Elementary files of the 券面事項入力補助AP (card.md, "券面事項入力補助AP files").
pub mod assist {
    use super::FileId;

    /// `0011`: the PIN (4 digits, 3 tries; the same digits as the auth PIN, separate
    /// counter).
    pub const PIN: FileId = FileId::new(0x0011);
    /// `0014`: 照合番号A (opens only EF `0001`).
    pub const COLLATION_A: FileId = FileId::new(0x0014);
    /// `0015`: 照合番号B (opens only EF `0002`).
    pub const COLLATION_B: FileId = FileId::new(0x0015);
    /// `0002`: 基本4情報 (`FF 20 <len>` { `DF21`…`DF25` }), after the PIN or 照合番号B.
    pub const BASIC_INFO: FileId = FileId::new(0x0002);
    /// `0001`: the My Number (`FF 10 0C` + 12 ASCII digits + `FF FF`). Exists only with
    /// the `my-number` feature: a checkup institution has no legal ground to collect it.
    #[cfg(feature = "my-number")]
    pub const MY_NUMBER: FileId = FileId::new(0x0001);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aids_are_the_card_md_bytes() {
        assert_eq!(
            JPKI_AP.as_bytes(),
            &[0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]
        );
        assert_eq!(ISD.as_bytes(), &[0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00]);
        assert_eq!(format!("{ASSIST_AP:?}"), "Aid(D3921000310001010408)");
        assert!(Aid::from_static(&[1, 2, 3, 4]).is_none());
        assert!(Aid::from_static(&[0; 17]).is_none());
        assert_eq!(Aid::from_static(ISD.as_bytes()), Some(ISD));
        assert_eq!(jpki::AUTH_CERT.to_bytes(), [0x00, 0x0A]);
        assert_eq!(assist::BASIC_INFO.to_string(), "EF 0002");
    }
}
