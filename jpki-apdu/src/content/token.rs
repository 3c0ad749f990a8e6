//! Token info (JPKI EF `0006`) and certificate availability (JPKI EF `0008`).

use alloc::string::String;
use core::fmt;

use super::ContentError;

/// What answers as the JPKI AP, from the label in EF `0006`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenKind {
    /// `JPKIAPICCTOKEN2`: a physical My Number Card.
    PhysicalCard,
    /// `JPKIAPGPSETOKEN`: the スマホ用電子証明書 in an Android phone's secure element.
    AndroidToken,
    /// `JPKIAPIOSTOKEN`: the スマホ用電子証明書 on an iPhone.
    IosToken,
    /// `JPKIAPICCTOKEN`: the older 住民基本台帳カード (as public tools report).
    JukiCard,
    /// Any other label (kept in [`TokenInfo::label`]).
    Unknown,
}

impl TokenKind {
    /// The kinds a label names, with their labels (card.md, and the public tools for the
    /// 住基カード).
    const LABELS: [(Self, &'static str); 4] = [
        (Self::PhysicalCard, "JPKIAPICCTOKEN2"),
        (Self::AndroidToken, "JPKIAPGPSETOKEN"),
        (Self::IosToken, "JPKIAPIOSTOKEN"),
        (Self::JukiCard, "JPKIAPICCTOKEN"),
    ];

    /// The label EF `0006` holds for this kind (without its padding); `None` for
    /// [`TokenKind::Unknown`].
    #[must_use]
    pub fn label(self) -> Option<&'static str> {
        Self::LABELS
            .iter()
            .find(|(kind, _)| *kind == self)
            .map(|(_, label)| *label)
    }

    /// The kind a label (without its padding) names.
    #[must_use]
    pub fn from_label(label: &[u8]) -> Self {
        Self::LABELS
            .iter()
            .find(|(_, known)| known.as_bytes() == label)
            .map_or(Self::Unknown, |(kind, _)| *kind)
    }
}

/// Token info (JPKI EF `0006`): the label in its first 32 bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenInfo {
    label: [u8; 32],
    kind: TokenKind,
}

impl TokenInfo {
    /// Bytes of the label field at the start of EF `0006`: read at least these.
    pub const LABEL_LEN: usize = 32;

    /// Parses the start of EF `0006` (at least 32 bytes; the rest of the 160 is ignored).
    ///
    /// # Errors
    /// [`ContentError::WrongLength`] under 32 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContentError> {
        let label: [u8; 32] = bytes
            .get(..Self::LABEL_LEN)
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or(ContentError::WrongLength {
                expected: Self::LABEL_LEN,
                got: bytes.len(),
            })?;
        let kind = TokenKind::from_label(trim_label(&label));
        Ok(Self { label, kind })
    }

    /// Which token this is.
    #[must_use]
    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    /// The label without its space/NUL padding.
    #[must_use]
    pub fn label(&self) -> &[u8] {
        trim_label(&self.label)
    }

    /// Whether this is the plastic card. On phone tokens even the authentication
    /// certificate needs the auth PIN (card.md).
    #[must_use]
    pub fn is_physical_card(&self) -> bool {
        self.kind == TokenKind::PhysicalCard
    }
}

fn trim_label(label: &[u8]) -> &[u8] {
    let end = label
        .iter()
        .rposition(|b| *b != b' ' && *b != 0)
        .map_or(0, |i| i.saturating_add(1));
    label.get(..end).unwrap_or(&[])
}

impl fmt::Debug for TokenInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenInfo")
            .field("kind", &self.kind)
            .field("label", &String::from_utf8_lossy(self.label()))
            .finish()
    }
}

/// Which certificates the JPKI AP holds (EF `0008`, 3 bytes, `8F 8F 00` when both do; the
/// first byte is the signature certificate, the second the authentication certificate, as
/// the public tools read it; under-15s have no signature certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertAvailability {
    raw: [u8; 3],
}

impl CertAvailability {
    /// The byte value that marks a certificate present.
    pub const PRESENT: u8 = 0x8F;
    /// Length of EF `0008`.
    pub const LEN: usize = 3;

    /// Parses the 3 bytes of EF `0008`.
    ///
    /// # Errors
    /// [`ContentError::WrongLength`] unless exactly 3 bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContentError> {
        let raw = <[u8; 3]>::try_from(bytes).map_err(|_| ContentError::WrongLength {
            expected: Self::LEN,
            got: bytes.len(),
        })?;
        Ok(Self { raw })
    }

    /// Whether the 署名用 signature certificate is present.
    #[must_use]
    pub fn has_sign_certificate(&self) -> bool {
        self.raw.first() == Some(&Self::PRESENT)
    }

    /// Whether the 利用者証明用 authentication certificate is present.
    #[must_use]
    pub fn has_auth_certificate(&self) -> bool {
        self.raw.get(1) == Some(&Self::PRESENT)
    }

    /// The three bytes as stored (the third one's meaning is not public).
    #[must_use]
    pub fn raw(&self) -> [u8; 3] {
        self.raw
    }
}
