//! The virtual card's keys and certificates: a deterministic test PKI, or a chain the caller
//! supplies.
//!
//! Shape (our design, modelled on what card.md says of the real card): an RSA-2048
//! user-authentication key whose certificate names no person (the real 利用者証明用電子証明書
//! carries no name or address), its issuing CA, and optionally an RSA-2048 signature key whose
//! certificate does carry the holder's name (the real 署名用電子証明書 does), with its CA.
//! Keys come from ChaCha20 seeded with the card seed, so a seed always yields the same card.
//! The certificates are issued by "elig test" CAs and are worthless outside tests.

use der::{Decode, Encode};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use spki::EncodePublicKey;
use x509_cert::Certificate;

use super::persona::Persona;
use super::testpki;

/// The size the deterministic authentication certificate is padded to, in bytes.
///
/// DESIGN.md sizes the APDU budget for a 1,900-byte certificate (public ports report
/// 1.3–1.9 KB for real ones), so the virtual card serves the large end of that range.
pub const AUTH_CERT_TARGET_LEN: usize = 1900;

pub(super) const RSA_BITS: usize = 2048;

/// Why keys or certificates could not be made or accepted.
#[derive(Debug)]
#[non_exhaustive]
pub enum PkiError {
    /// RSA key generation or signing failed.
    Rsa(rsa::Error),
    /// Building or encoding a certificate failed.
    Certificate(x509_cert::builder::Error),
    /// DER encoding or decoding failed (a supplied certificate is not valid DER X.509).
    Der(der::Error),
    /// A supplied certificate does not carry the public key of the supplied private key
    /// (caller misuse).
    KeyMismatch {
        /// Which certificate: `"auth"` or `"sign"`.
        which: &'static str,
    },
    /// A supplied key is not RSA-2048 as on the real card (caller misuse).
    NotRsa2048,
    /// A supplied certificate does not fit a card EF (more than 32,767 bytes).
    TooLarge,
    /// A credentials file could not be read (caller misuse: wrong directory or names).
    Io {
        /// The file.
        file: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A credentials file does not hold what its name promises (caller misuse).
    BadFile {
        /// The file.
        file: std::path::PathBuf,
        /// What it should hold.
        expected: &'static str,
    },
    /// The credentials directory does not say unambiguously which file is which.
    ChainDir {
        /// The directory.
        dir: std::path::PathBuf,
        /// What is wrong.
        reason: &'static str,
    },
}

impl core::fmt::Display for PkiError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Rsa(e) => write!(f, "virtual card PKI: RSA operation failed: {e}"),
            Self::Certificate(e) => write!(f, "virtual card PKI: certificate build failed: {e}"),
            Self::Der(e) => write!(f, "virtual card PKI: invalid DER: {e}"),
            Self::KeyMismatch { which } => write!(
                f,
                "caller error: the {which} certificate does not carry the public key of the {which} private key"
            ),
            Self::NotRsa2048 => f.write_str("caller error: the card holds RSA-2048 keys only"),
            Self::TooLarge => {
                f.write_str("caller error: certificate larger than a card EF (32,767 bytes)")
            }
            Self::Io { file, source } => {
                write!(f, "caller error: cannot read {}: {source}", file.display())
            }
            Self::BadFile { file, expected } => {
                write!(f, "caller error: {} is not {expected}", file.display())
            }
            Self::ChainDir { dir, reason } => {
                write!(
                    f,
                    "caller error: credentials in {}: {reason}",
                    dir.display()
                )
            }
        }
    }
}

impl core::error::Error for PkiError {}

impl From<rsa::Error> for PkiError {
    fn from(e: rsa::Error) -> Self {
        Self::Rsa(e)
    }
}
impl From<x509_cert::builder::Error> for PkiError {
    fn from(e: x509_cert::builder::Error) -> Self {
        Self::Certificate(e)
    }
}
impl From<der::Error> for PkiError {
    fn from(e: der::Error) -> Self {
        Self::Der(e)
    }
}

/// One key pair with its certificate and the issuing CA's certificate, as one card
/// application holds them (EF `0017`/`000A`/`000B` or `001A`/`0001`/`0002`).
#[derive(Clone)]
pub struct KeyAndChain {
    key: PrivateKey,
    cert_der: Vec<u8>,
    ca_cert_der: Vec<u8>,
}

impl core::fmt::Debug for KeyAndChain {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyAndChain")
            .field("key", &"<private key redacted>")
            .field("cert_der_len", &self.cert_der.len())
            .field("ca_cert_der_len", &self.ca_cert_der.len())
            .finish()
    }
}

impl KeyAndChain {
    /// Checks that `cert_der` is an X.509 certificate for `key`'s public key and that both
    /// certificates fit a card EF.
    ///
    /// # Errors
    /// [`PkiError::NotRsa2048`], [`PkiError::Der`], [`PkiError::KeyMismatch`] or
    /// [`PkiError::TooLarge`].
    pub fn new(
        key: PrivateKey,
        cert_der: Vec<u8>,
        ca_cert_der: Vec<u8>,
        which: &'static str,
    ) -> Result<Self, PkiError> {
        if key.size() != RSA_BITS / 8 {
            return Err(PkiError::NotRsa2048);
        }
        let cert = Certificate::from_der(&cert_der)?;
        let _ca = Certificate::from_der(&ca_cert_der)?;
        let spki = cert.tbs_certificate().subject_public_key_info();
        let spki_der = spki.to_der()?;
        let key_spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| PkiError::KeyMismatch { which })?;
        if spki_der.as_slice() != key_spki.as_bytes() {
            return Err(PkiError::KeyMismatch { which });
        }
        if cert_der.len() > 0x7FFF || ca_cert_der.len() > 0x7FFF {
            return Err(PkiError::TooLarge);
        }
        Ok(Self {
            key,
            cert_der,
            ca_cert_der,
        })
    }

    /// The private key (never leaves the virtual card through an APDU).
    pub fn key(&self) -> &PrivateKey {
        &self.key
    }
    /// The end-entity certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }
    /// The issuing CA's certificate, DER.
    pub fn ca_cert_der(&self) -> &[u8] {
        &self.ca_cert_der
    }
    /// The end-entity public key.
    pub fn public_key(&self) -> PublicKey {
        self.key.to_public_key()
    }
}

/// Everything cryptographic the virtual card holds.
#[derive(Clone, Debug)]
pub struct CardCredentials {
    auth: KeyAndChain,
    sign: Option<KeyAndChain>,
}

impl CardCredentials {
    /// Credentials from a chain the caller issued (e.g. the sandbox gateway's test PKI):
    /// the authentication key, its certificate and its CA certificate, all checked to match.
    /// The card then holds no signature certificate (like an under-15 card) unless
    /// [`CardCredentials::with_sign`] adds one.
    ///
    /// # Errors
    /// See [`KeyAndChain::new`].
    pub fn from_auth_chain(
        auth_key: PrivateKey,
        auth_cert_der: Vec<u8>,
        auth_ca_cert_der: Vec<u8>,
    ) -> Result<Self, PkiError> {
        Ok(Self {
            auth: KeyAndChain::new(auth_key, auth_cert_der, auth_ca_cert_der, "auth")?,
            sign: None,
        })
    }

    /// Adds (or replaces) the signature key and chain.
    ///
    /// # Errors
    /// See [`KeyAndChain::new`].
    pub fn with_sign(
        mut self,
        sign_key: PrivateKey,
        sign_cert_der: Vec<u8>,
        sign_ca_cert_der: Vec<u8>,
    ) -> Result<Self, PkiError> {
        self.sign = Some(KeyAndChain::new(
            sign_key,
            sign_cert_der,
            sign_ca_cert_der,
            "sign",
        )?);
        Ok(self)
    }

    /// Removes the signature certificate (an under-15 card holds none; EF `0008` then says so).
    pub fn without_sign(mut self) -> Self {
        self.sign = None;
        self
    }

    /// The deterministic test PKI for `seed`: four RSA-2048 keys (auth CA, auth, sign CA,
    /// sign) drawn from ChaCha20 seeded with `seed`, an authentication certificate padded to
    /// [`AUTH_CERT_TARGET_LEN`] bytes naming no person, and a signature certificate naming
    /// `persona`. Keys are cached per seed for the life of the process (RSA key generation
    /// costs seconds).
    ///
    /// # Errors
    /// [`PkiError`] if key generation or certificate building fails.
    pub fn deterministic(seed: u64, persona: &Persona) -> Result<Self, PkiError> {
        let (auth, sign) = testpki::issue(seed, persona)?;
        Ok(Self {
            auth,
            sign: Some(sign),
        })
    }

    /// The authentication key and chain.
    pub fn auth(&self) -> &KeyAndChain {
        &self.auth
    }
    /// The signature key and chain, if the card has one.
    pub fn sign(&self) -> Option<&KeyAndChain> {
        self.sign.as_ref()
    }
}
