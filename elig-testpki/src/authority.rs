//! A certification authority of the test PKI and everything it issues.

use std::fmt;
use std::time::SystemTime;

use der::Encode as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::PrivateKey;
use rsa::pkcs1v15::SigningKey;
use sha2::{Digest as _, Sha256};
use x509_cert::certificate::Certificate;
use x509_cert::name::Name;

use crate::build::{self, Issuer, Kind};
use crate::card::{CardCredentials, KeyAndChain};
use crate::dates::{authority_validity, utc_midnight};
use crate::{AUTH_CERT_LEN, PkiError};

/// A 32-byte sub-seed for `label`, so that every key has its own deterministic stream.
/// (The domain string predates this crate: keeping it keeps every key and certificate the
/// sandbox ever wrote.)
pub(crate) fn derive_seed(seed: &[u8], label: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"elig-sandbox test PKI v1\0");
    h.update(u64::try_from(seed.len()).unwrap_or(u64::MAX).to_be_bytes());
    h.update(seed);
    h.update(label.as_bytes());
    h.finalize().into()
}

/// An RSA-2048 key derived from `seed` and `label` (deterministic; slow: ~0.1–1 s).
pub(crate) fn derive_key(seed: &[u8; 32], label: &str) -> Result<PrivateKey, PkiError> {
    let mut rng = ChaCha20Rng::from_seed(derive_seed(seed, label));
    PrivateKey::new(&mut rng, 2048).map_err(|e| PkiError::Build(format!("RSA key: {e}")))
}

fn cert_der(cert: &Certificate) -> Result<Vec<u8>, PkiError> {
    cert.to_der()
        .map_err(|e| PkiError::Build(format!("certificate encoding: {e}")))
}

/// A test private key; `Debug` shows nothing of it.
#[derive(Clone)]
pub struct TestKey(PrivateKey);

impl TestKey {
    /// Wraps an RSA private key.
    pub fn new(key: PrivateKey) -> Self {
        Self(key)
    }

    /// The RSA private key.
    pub fn rsa(&self) -> &PrivateKey {
        &self.0
    }

    /// PKCS#8 DER, as rustls and most tools load it.
    ///
    /// # Errors
    /// [`PkiError::Build`] if encoding fails.
    pub fn to_pkcs8_der(&self) -> Result<Vec<u8>, PkiError> {
        use rsa::pkcs8::EncodePrivateKey as _;
        self.0
            .to_pkcs8_der()
            .map(|d| d.as_bytes().to_vec())
            .map_err(|e| PkiError::Build(format!("PKCS#8: {e}")))
    }
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TestKey(..)")
    }
}

/// Something odd about a card certificate, for tests of a verifier that must refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardQuirk {
    /// None: the certificate a card gets ([`AUTH_CERT_LEN`] bytes).
    None,
    /// The size-filler extension (an OID under RFC 5612's documentation arc) of `filler`
    /// zero bytes, marked critical: RFC 5280 §4.2 says a verifier must refuse it.
    CriticalUnknownExtension {
        /// Zero bytes in the extension.
        filler: usize,
    },
    /// The same extension of `filler` bytes, not critical (a verifier ignores it).
    UnknownExtension {
        /// Zero bytes in the extension.
        filler: usize,
    },
}

/// A certification authority of the test PKI: its key, its self-signed certificate, and the
/// seed from which the keys it issues are derived.
#[derive(Clone)]
pub struct Authority {
    signing: SigningKey<Sha256>,
    key: TestKey,
    cert: Certificate,
    cert_der: Vec<u8>,
    key_seed: [u8; 32],
}

impl fmt::Debug for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authority")
            .field(
                "subject",
                &self.cert.tbs_certificate().subject().to_string(),
            )
            .finish_non_exhaustive()
    }
}

impl Authority {
    /// A new authority named `rfc4514_name` (e.g. `CN=Other CA,C=JP`), with its key and the
    /// keys of what it issues derived from `seed` and the name.
    ///
    /// # Errors
    /// [`PkiError::Build`] for a malformed name or a failed key generation.
    pub fn generate(seed: &[u8], rfc4514_name: &str) -> Result<Self, PkiError> {
        let key_seed = derive_seed(seed, rfc4514_name);
        let key = derive_key(&key_seed, "ca")?;
        let name = build::name(rfc4514_name)?;
        let signing = SigningKey::<Sha256>::new(key.clone());
        let (from, to) = authority_validity()?;
        let issuer = Issuer {
            name: &name,
            key: &signing,
            cert: None,
        };
        let cert =
            build::certificate(Kind::Ca, &name, build::spki_of(&key)?, &issuer, 1, from, to)?;
        Self::assemble(key, cert, key_seed)
    }

    /// An authority loaded back from its key, certificate and key-derivation seed (what
    /// [`Self::key`], [`Self::cert_der`] and [`Self::key_seed`] gave). Costs one key
    /// derivation: the seed must derive the key, and the key must be the certificate's
    /// (otherwise every card key issued from it would silently change).
    ///
    /// # Errors
    /// [`PkiError::State`] when the seed does not derive the key or the key does not match
    /// the certificate.
    pub fn from_parts(
        key: PrivateKey,
        cert: Certificate,
        key_seed: [u8; 32],
    ) -> Result<Self, PkiError> {
        let spki = cert.tbs_certificate().subject_public_key_info();
        if build::spki_of(&key)? != *spki {
            return Err(PkiError::State(
                "the CA key does not match the CA certificate".into(),
            ));
        }
        if build::spki_of(&derive_key(&key_seed, "ca")?)? != *spki {
            return Err(PkiError::State(
                "the seed does not derive the CA key".into(),
            ));
        }
        Self::assemble(key, cert, key_seed)
    }

    fn assemble(key: PrivateKey, cert: Certificate, key_seed: [u8; 32]) -> Result<Self, PkiError> {
        let cert_der = cert_der(&cert)?;
        Ok(Self {
            signing: SigningKey::new(key.clone()),
            key: TestKey(key),
            cert,
            cert_der,
            key_seed,
        })
    }

    /// The authority's certificate, DER.
    pub fn cert_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The authority's certificate.
    pub fn cert(&self) -> &Certificate {
        &self.cert
    }

    /// The authority's private key.
    pub fn key(&self) -> &TestKey {
        &self.key
    }

    /// The seed every key this authority issues is derived from (secret: it derives them
    /// all; a state folder stores it to issue the same cards after loading).
    pub fn key_seed(&self) -> &[u8; 32] {
        &self.key_seed
    }

    fn name(&self) -> &Name {
        self.cert.tbs_certificate().subject()
    }

    fn issuer(&self) -> Issuer<'_> {
        Issuer {
            name: self.name(),
            key: &self.signing,
            cert: Some(&self.cert),
        }
    }

    /// The key of card `serial` (derived from this authority's seed).
    fn card_key(&self, serial: u64) -> Result<PrivateKey, PkiError> {
        derive_key(&self.key_seed, &format!("card {serial}"))
    }

    /// Issues a card's user-authentication credentials: a key derived from this authority's
    /// seed and `serial`, and a certificate with no personal data (subject
    /// `CN=auth <serial>,O=elig sandbox JPKI,C=JP`, like the real 利用者証明用電子証明書,
    /// card.md) of exactly [`AUTH_CERT_LEN`] bytes, valid from `not_before` through
    /// `not_after`. The credentials hold no signature certificate
    /// ([`CardCredentials::with_sign`] adds one).
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation or certificate building fails.
    pub fn issue_card(
        &self,
        serial: u64,
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Result<CardCredentials, PkiError> {
        let key = self.card_key(serial)?;
        let cert = self.issue_card_cert(serial, not_before, not_after, &key, CardQuirk::None)?;
        CardCredentials::from_auth_chain(key, cert, self.cert_der.clone())
    }

    /// A card certificate for any `key` (of any size) with a [`CardQuirk`], DER: for tests of
    /// verifiers. [`Self::issue_card`] is this with the derived key and no quirk.
    ///
    /// # Errors
    /// [`PkiError::Build`] if certificate building fails.
    pub fn issue_card_cert(
        &self,
        serial: u64,
        not_before: SystemTime,
        not_after: SystemTime,
        key: &PrivateKey,
        quirk: CardQuirk,
    ) -> Result<Vec<u8>, PkiError> {
        let subject = build::name(&format!("CN=auth {serial},O=elig sandbox JPKI,C=JP"))?;
        let spki = build::spki_of(key)?;
        let issue = |filler: usize, critical_filler: bool| {
            build::certificate(
                Kind::CardAuth {
                    filler,
                    critical_filler,
                },
                &subject,
                spki.clone(),
                &self.issuer(),
                serial,
                not_before,
                not_after,
            )
            .and_then(|c| cert_der(&c))
        };
        match quirk {
            CardQuirk::CriticalUnknownExtension { filler } => return issue(filler, true),
            CardQuirk::UnknownExtension { filler } => return issue(filler, false),
            CardQuirk::None => {}
        }
        // Sized like a real one: measure with a filler long enough to fix every DER length
        // form, then issue with the filler that brings the total to AUTH_CERT_LEN.
        const PROBE: usize = 512;
        let probe = issue(PROBE, false)?.len();
        let filler = PROBE
            .checked_add(AUTH_CERT_LEN)
            .and_then(|n| n.checked_sub(probe))
            .filter(|n| *n >= 256)
            .unwrap_or(PROBE);
        issue(filler, false)
    }

    /// Issues a card's digital-signature key and certificate (署名用電子証明書): the key
    /// derived from this authority's seed and `serial`, the subject naming the holder
    /// (`CN=<holder_name>,C=JP`: the real one carries the 基本4情報, card.md).
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation or certificate building fails.
    pub fn issue_signature(
        &self,
        serial: u64,
        holder_name: &str,
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Result<KeyAndChain, PkiError> {
        let key = derive_key(&self.key_seed, &format!("sign {serial}"))?;
        let subject = build::name(&format!("CN={},C=JP", escape_rdn(holder_name)))?;
        let cert = build::certificate(
            Kind::CardSign,
            &subject,
            build::spki_of(&key)?,
            &self.issuer(),
            serial,
            not_before,
            not_after,
        )?;
        KeyAndChain::new(key, cert_der(&cert)?, self.cert_der.clone(), "sign")
    }

    /// Issues a reception device's TLS client certificate whose subject `serialNumber` is
    /// `subject_serial` (the caller's encoding of the facility; elig-proto defines it), `CN`
    /// `label`, valid from `not_before` through `not_after` (the default PKI's:
    /// [`crate::device_validity_on`]); the key is derived from `label`.
    ///
    /// # Errors
    /// [`PkiError::Build`] for a label or serial that is not a valid attribute value, or a
    /// failed key generation.
    pub fn issue_device(
        &self,
        serial: u64,
        label: &str,
        subject_serial: &str,
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Result<KeyAndChain, PkiError> {
        let key = derive_key(&self.key_seed, &format!("device {label}"))?;
        let cert =
            self.issue_device_cert(&key, serial, label, subject_serial, not_before, not_after)?;
        KeyAndChain::new(key, cert, self.cert_der.clone(), "device")
    }

    /// The device certificate of [`Self::issue_device`] for a key the caller holds, DER: to
    /// issue a device's certificate again for other dates without deriving its key again.
    ///
    /// # Errors
    /// [`PkiError::Build`] for a label or serial that is not a valid attribute value.
    pub fn issue_device_cert(
        &self,
        key: &PrivateKey,
        serial: u64,
        label: &str,
        subject_serial: &str,
        not_before: SystemTime,
        not_after: SystemTime,
    ) -> Result<Vec<u8>, PkiError> {
        let subject = build::name(&format!(
            "serialNumber={subject_serial},CN={label},O=elig sandbox registered device,C=JP"
        ))?;
        let cert = build::certificate(
            Kind::Device,
            &subject,
            build::spki_of(key)?,
            &self.issuer(),
            serial,
            not_before,
            not_after,
        )?;
        cert_der(&cert)
    }

    /// Issues the gateway's TLS server certificate (`CN=localhost`, SAN `localhost` and
    /// `127.0.0.1`, serial 2), valid as [`crate::authority_validity`]: a client checks it on
    /// its own clock, which no day of the sandbox's can follow.
    ///
    /// # Errors
    /// [`PkiError::Build`] if key generation or certificate building fails.
    pub fn issue_server(&self) -> Result<KeyAndChain, PkiError> {
        let key = derive_key(&self.key_seed, "server")?;
        let subject = build::name("CN=localhost,O=elig sandbox gateway,C=JP")?;
        let (from, to) = authority_validity()?;
        let cert = build::certificate(
            Kind::Server,
            &subject,
            build::spki_of(&key)?,
            &self.issuer(),
            2,
            from,
            to,
        )?;
        KeyAndChain::new(key, cert_der(&cert)?, self.cert_der.clone(), "server")
    }

    /// Issues a signed X.509 v2 CRL listing `revoked` (serial, revocation time);
    /// `thisUpdate` is 2025-04-01 or the latest revocation if later (so that a test pinned
    /// to a day since then can rely on a list signed later), `nextUpdate` is `next_update`
    /// (the default PKI's: [`crate::crl_next_update_on`] of the signing day).
    ///
    /// # Errors
    /// [`PkiError::Build`] if building or encoding fails.
    pub fn issue_crl(
        &self,
        revoked: &[(u64, SystemTime)],
        next_update: SystemTime,
    ) -> Result<Vec<u8>, PkiError> {
        let first = utc_midnight(2025, 4, 1)?;
        let latest = revoked.iter().map(|(_, at)| *at).max().unwrap_or(first);
        let crl = build::crl(
            &self.cert,
            &self.signing,
            1,
            latest.max(first),
            next_update,
            revoked,
        )?;
        crl.to_der()
            .map_err(|e| PkiError::Build(format!("CRL encoding: {e}")))
    }
}

/// Escapes the RFC 4514 special characters of an attribute value.
fn escape_rdn(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
