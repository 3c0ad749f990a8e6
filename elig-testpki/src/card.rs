//! A key with its certificate chain, and the credentials a virtual card holds.

use der::{Decode as _, Encode as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{PrivateKey, PublicKey};
use spki::EncodePublicKey as _;
use x509_cert::Certificate;

use crate::PkiError;

/// The modulus of every key of the test PKI and of the real card: 2,048 bits (card.md).
const RSA_BYTES: usize = 256;

/// The largest certificate a card EF holds (a 2-byte offset space).
const MAX_EF_LEN: usize = 0x7FFF;

/// One key pair with its certificate and the issuing CA's certificate: what one card
/// application holds (EF `0017`/`000A`/`000B` or `001A`/`0001`/`0002`), or a device's or the
/// server's TLS identity.
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
    /// Checks that `cert_der` is an X.509 certificate for `key`'s public key, that the key is
    /// RSA-2048 and that both certificates fit a card EF. `which` names the certificate in
    /// errors.
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
        if key.size() != RSA_BYTES {
            return Err(PkiError::NotRsa2048);
        }
        let cert = Certificate::from_der(&cert_der)?;
        let _ca = Certificate::from_der(&ca_cert_der)?;
        let spki_der = cert.tbs_certificate().subject_public_key_info().to_der()?;
        let key_spki = key
            .to_public_key()
            .to_public_key_der()
            .map_err(|_| PkiError::KeyMismatch { which })?;
        if spki_der.as_slice() != key_spki.as_bytes() {
            return Err(PkiError::KeyMismatch { which });
        }
        if cert_der.len() > MAX_EF_LEN || ca_cert_der.len() > MAX_EF_LEN {
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
    /// The private key as PKCS#8 DER (how state folders and TLS stacks load it).
    ///
    /// # Errors
    /// [`PkiError::Build`] if encoding fails.
    pub fn key_pkcs8_der(&self) -> Result<Vec<u8>, PkiError> {
        crate::TestKey::new(self.key.clone()).to_pkcs8_der()
    }
}

/// Everything cryptographic a (virtual) My Number Card holds: the user-authentication key and
/// chain, and optionally the digital-signature key and chain (an under-15 card has none).
#[derive(Clone, Debug)]
pub struct CardCredentials {
    auth: KeyAndChain,
    sign: Option<KeyAndChain>,
}

impl CardCredentials {
    /// Credentials from a chain the caller issued: the authentication key, its certificate
    /// and its CA certificate, all checked to match. No signature certificate (like an
    /// under-15 card) unless [`CardCredentials::with_sign`] adds one.
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
        self,
        sign_key: PrivateKey,
        sign_cert_der: Vec<u8>,
        sign_ca_cert_der: Vec<u8>,
    ) -> Result<Self, PkiError> {
        let sign = KeyAndChain::new(sign_key, sign_cert_der, sign_ca_cert_der, "sign")?;
        Ok(self.with_sign_chain(sign))
    }

    /// Adds (or replaces) the signature key and chain, already checked.
    #[must_use]
    pub fn with_sign_chain(mut self, sign: KeyAndChain) -> Self {
        self.sign = Some(sign);
        self
    }

    /// Removes the signature certificate (an under-15 card holds none; EF `0008` then says so).
    #[must_use]
    pub fn without_sign(mut self) -> Self {
        self.sign = None;
        self
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
