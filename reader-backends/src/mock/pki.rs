//! The virtual card's keys and certificates: a deterministic test PKI, or a chain the caller
//! supplies.
//!
//! Shape (our design, modelled on what card.md says of the real card): an RSA-2048
//! user-authentication key whose certificate names no person (the real 利用者証明用電子証明書
//! carries no name or address), its issuing CA, and optionally an RSA-2048 signature key whose
//! certificate does carry the holder's name (the real 署名用電子証明書 does), with its CA.
//! Keys come from ChaCha20 seeded with the card seed, so a seed always yields the same card.
//! The certificates are issued by "elig test" CAs and are worthless outside tests.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use der::asn1::{Any, Ia5String, OctetString, Utf8StringRef};
use der::oid::ObjectIdentifier;
use der::{DateTime, Decode, Encode, Tag};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use rsa::pkcs1v15::SigningKey;
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};
use sha2::{Digest, Sha256};
use spki::{EncodePublicKey, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use x509_cert::Certificate;
use x509_cert::builder::profile::BuilderProfile;
use x509_cert::builder::{Builder, CertificateBuilder};
use x509_cert::certificate::TbsCertificate;
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::certpolicy::{PolicyInformation, PolicyQualifierInfo};
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::{DistributionPointName, GeneralName};
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, CertificatePolicies, CrlDistributionPoints, KeyUsage,
    KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};

use super::persona::Persona;

/// The size the deterministic authentication certificate is padded to, in bytes.
///
/// DESIGN.md sizes the APDU budget for a 1,900-byte certificate (public ports report
/// 1.3–1.9 KB for real ones), so the virtual card serves the large end of that range.
pub const AUTH_CERT_TARGET_LEN: usize = 1900;

const RSA_BITS: usize = 2048;
// id-qt-unotice (RFC 5280 §4.2.1.4).
const ID_QT_UNOTICE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.2.2");
// anyPolicy: the test PKI has no registered policy of its own.
const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");

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
    /// A key file is not a PKCS#8 DER RSA private key (caller misuse).
    KeyFile {
        /// The file.
        file: std::path::PathBuf,
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
            Self::KeyFile { file } => write!(
                f,
                "caller error: {} is not a PKCS#8 DER RSA private key",
                file.display()
            ),
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

    /// Credentials from DER files in `dir`, as `vpcd-card --chain DIR` takes them:
    /// `auth-key.der` (PKCS#8 RSA-2048 private key), `auth-cert.der`, `auth-ca.der`, and,
    /// when `sign-key.der` exists, `sign-key.der`, `sign-cert.der`, `sign-ca.der`.
    /// The key bytes are zeroized after parsing.
    ///
    /// # Errors
    /// [`PkiError::Io`], [`PkiError::KeyFile`], or see [`KeyAndChain::new`].
    pub fn from_der_dir(dir: &std::path::Path) -> Result<Self, PkiError> {
        use rsa::pkcs8::DecodePrivateKey;
        let read = |name: &str| {
            let file = dir.join(name);
            std::fs::read(&file).map_err(|source| PkiError::Io { file, source })
        };
        let key = |name: &str| {
            let der = zeroize::Zeroizing::new(read(name)?);
            PrivateKey::from_pkcs8_der(&der).map_err(|_| PkiError::KeyFile {
                file: dir.join(name),
            })
        };
        let creds = Self::from_auth_chain(
            key("auth-key.der")?,
            read("auth-cert.der")?,
            read("auth-ca.der")?,
        )?;
        if dir.join("sign-key.der").exists() {
            return creds.with_sign(
                key("sign-key.der")?,
                read("sign-cert.der")?,
                read("sign-ca.der")?,
            );
        }
        Ok(creds)
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
        let keys = seed_keys(seed)?;
        let auth_ca_name = Name::from_str_der(
            "CN=elig test JPKI user authentication CA,OU=TEST ONLY not J-LIS,O=elig test PKI,C=JP",
        )?;
        let sign_ca_name = Name::from_str_der(
            "CN=elig test JPKI digital signature CA,OU=TEST ONLY not J-LIS,O=elig test PKI,C=JP",
        )?;
        let auth_ca = issue_ca(&keys.auth_ca, &auth_ca_name, seed, 1)?;
        let sign_ca = issue_ca(&keys.sign_ca, &sign_ca_name, seed, 2)?;
        // Like the real auth certificate: a serial-derived subject, no name or address.
        let auth_subject = Name::from_str_der(&format!("CN=ELIGTEST{seed:016X}A,C=JP"))?;
        let auth_cert = issue_padded_ee(
            &keys.auth_ca,
            &auth_ca_name,
            &keys.auth,
            &auth_subject,
            seed,
            AUTH_CERT_TARGET_LEN,
        )?;
        let sign_subject = Name::from_str_der(&format!("CN={},C=JP", escape_rdn(persona.name())))?;
        let sign_cert = issue_ee(
            &keys.sign_ca,
            &sign_ca_name,
            &keys.sign,
            &sign_subject,
            seed,
            4,
            0,
        )?;
        Ok(Self {
            auth: KeyAndChain::new(keys.auth.clone(), auth_cert, auth_ca, "auth")?,
            sign: Some(KeyAndChain::new(
                keys.sign.clone(),
                sign_cert,
                sign_ca,
                "sign",
            )?),
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

trait NameExt: Sized {
    fn from_str_der(s: &str) -> Result<Self, PkiError>;
}
impl NameExt for Name {
    fn from_str_der(s: &str) -> Result<Self, PkiError> {
        Ok(s.parse::<Name>()?)
    }
}

/// Escapes the RFC 4514 special characters of an attribute value.
fn escape_rdn(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

struct SeedKeys {
    auth_ca: PrivateKey,
    auth: PrivateKey,
    sign_ca: PrivateKey,
    sign: PrivateKey,
}

fn seed_keys(seed: u64) -> Result<Arc<SeedKeys>, PkiError> {
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<SeedKeys>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
    let mut map = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(keys) = map.get(&seed) {
        return Ok(Arc::clone(keys));
    }
    let gen_key = |label: u8| -> Result<PrivateKey, PkiError> {
        let mut material = [0u8; 32];
        let digest = Sha256::new()
            .chain_update(b"elig virtual My Number Card key")
            .chain_update(seed.to_be_bytes())
            .chain_update([label])
            .finalize();
        material.copy_from_slice(&digest);
        let mut rng = ChaCha20Rng::from_seed(material);
        Ok(PrivateKey::new(&mut rng, RSA_BITS)?)
    };
    let keys = Arc::new(SeedKeys {
        auth_ca: gen_key(1)?,
        auth: gen_key(2)?,
        sign_ca: gen_key(3)?,
        sign: gen_key(4)?,
    });
    map.insert(seed, Arc::clone(&keys));
    Ok(keys)
}

/// A fixed validity window (deterministic output; the real auth certificate lives about five
/// years).
fn validity() -> Result<Validity, PkiError> {
    let from = DateTime::new(2025, 4, 1, 0, 0, 0)?;
    let to = DateTime::new(2035, 3, 31, 23, 59, 59)?;
    Ok(Validity::new(Time::from(from), Time::from(to)))
}

fn serial(seed: u64, n: u8) -> Result<SerialNumber, PkiError> {
    // A leading 0x01 keeps the INTEGER positive and minimal.
    let mut bytes = Vec::with_capacity(10);
    bytes.push(0x01);
    bytes.extend_from_slice(&seed.to_be_bytes());
    bytes.push(n);
    Ok(SerialNumber::new(&bytes)?)
}

fn key_id(spki: SubjectPublicKeyInfoRef<'_>) -> Result<OctetString, PkiError> {
    let digest = Sha256::digest(spki.subject_public_key.raw_bytes());
    Ok(OctetString::new(
        digest.get(..20).unwrap_or(digest.as_slice()).to_vec(),
    )?)
}

fn ext<T: Encode + der::oid::AssociatedOid>(
    value: &T,
    critical: bool,
) -> Result<Extension, PkiError> {
    Ok(Extension {
        extn_id: T::OID,
        critical,
        extn_value: OctetString::new(value.to_der()?)?,
    })
}

/// Our builder profile: fixed issuer/subject and the extensions a JPKI-like chain carries.
struct JpkiProfile {
    issuer: Name,
    subject: Name,
    ca: bool,
    /// Bytes of UserNotice text used to pad the certificate to a target size.
    padding: usize,
}

impl BuilderProfile for JpkiProfile {
    fn get_issuer(&self, _subject: &Name) -> Name {
        self.issuer.clone()
    }
    fn get_subject(&self) -> Name {
        self.subject.clone()
    }
    fn build_extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
        _tbs: &TbsCertificate,
    ) -> x509_cert::builder::Result<Vec<Extension>> {
        self.extensions(spk, issuer_spk).map_err(|e| match e {
            PkiError::Der(d) => x509_cert::builder::Error::Asn1(d),
            PkiError::Certificate(c) => c,
            _ => x509_cert::builder::Error::MissingAttributes,
        })
    }
}

impl JpkiProfile {
    fn extensions(
        &self,
        spk: SubjectPublicKeyInfoRef<'_>,
        issuer_spk: SubjectPublicKeyInfoRef<'_>,
    ) -> Result<Vec<Extension>, PkiError> {
        let mut out = Vec::new();
        if self.ca {
            out.push(ext(
                &BasicConstraints {
                    ca: true,
                    path_len_constraint: Some(0),
                },
                true,
            )?);
            out.push(ext(
                &KeyUsage(KeyUsages::KeyCertSign | KeyUsages::CRLSign),
                true,
            )?);
            out.push(ext(&SubjectKeyIdentifier(key_id(spk)?), false)?);
            return Ok(out);
        }
        out.push(ext(&KeyUsage(KeyUsages::DigitalSignature.into()), true)?);
        out.push(ext(&SubjectKeyIdentifier(key_id(spk)?), false)?);
        out.push(ext(
            &AuthorityKeyIdentifier {
                key_identifier: Some(key_id(issuer_spk)?),
                ..Default::default()
            },
            false,
        )?);
        let uri = Ia5String::new("http://crl.elig-test.invalid/jpki/auth.crl")?;
        out.push(ext(
            &CrlDistributionPoints(vec![DistributionPoint {
                distribution_point: Some(DistributionPointName::FullName(vec![
                    GeneralName::UniformResourceIdentifier(uri),
                ])),
                reasons: None,
                crl_issuer: None,
            }]),
            false,
        )?);
        let mut qualifiers = None;
        if self.padding > 0 {
            let text = "TEST CERTIFICATE. ".repeat(self.padding.div_ceil(18).saturating_add(1));
            let text = text.get(..self.padding).unwrap_or(&text);
            let notice = Utf8StringRef::new(text)?.to_der()?;
            let any = Any::new(Tag::Sequence, notice)?;
            qualifiers = Some(vec![PolicyQualifierInfo {
                policy_qualifier_id: ID_QT_UNOTICE,
                qualifier: Some(any),
            }]);
        }
        out.push(ext(
            &CertificatePolicies(vec![PolicyInformation {
                policy_identifier: ANY_POLICY,
                policy_qualifiers: qualifiers,
            }]),
            false,
        )?);
        Ok(out)
    }
}

fn spki_of(key: &PrivateKey) -> Result<SubjectPublicKeyInfoOwned, PkiError> {
    let der = key
        .to_public_key()
        .to_public_key_der()
        .map_err(|e| PkiError::Certificate(x509_cert::builder::Error::PublicKey(e)))?;
    Ok(SubjectPublicKeyInfoOwned::from_der(der.as_bytes())?)
}

fn issue_ca(key: &PrivateKey, name: &Name, seed: u64, n: u8) -> Result<Vec<u8>, PkiError> {
    let profile = JpkiProfile {
        issuer: name.clone(),
        subject: name.clone(),
        ca: true,
        padding: 0,
    };
    let builder = CertificateBuilder::new(profile, serial(seed, n)?, validity()?, spki_of(key)?)?;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let cert = builder.build::<_, rsa::pkcs1v15::Signature>(&signer)?;
    Ok(cert.to_der()?)
}

fn issue_ee(
    ca_key: &PrivateKey,
    ca_name: &Name,
    key: &PrivateKey,
    subject: &Name,
    seed: u64,
    n: u8,
    padding: usize,
) -> Result<Vec<u8>, PkiError> {
    let profile = JpkiProfile {
        issuer: ca_name.clone(),
        subject: subject.clone(),
        ca: false,
        padding,
    };
    let builder = CertificateBuilder::new(profile, serial(seed, n)?, validity()?, spki_of(key)?)?;
    let signer = SigningKey::<Sha256>::new(ca_key.clone());
    let cert = builder.build::<_, rsa::pkcs1v15::Signature>(&signer)?;
    Ok(cert.to_der()?)
}

/// Issues an end-entity certificate padded with UserNotice text to exactly `target` bytes when
/// the DER length boundaries allow it (otherwise within a byte or two).
fn issue_padded_ee(
    ca_key: &PrivateKey,
    ca_name: &Name,
    key: &PrivateKey,
    subject: &Name,
    seed: u64,
    target: usize,
) -> Result<Vec<u8>, PkiError> {
    let mut padding = 1usize;
    let mut cert = issue_ee(ca_key, ca_name, key, subject, seed, 3, padding)?;
    for _ in 0..4 {
        if cert.len() == target {
            break;
        }
        let next = if cert.len() < target {
            padding.saturating_add(target.saturating_sub(cert.len()))
        } else {
            padding
                .saturating_sub(cert.len().saturating_sub(target))
                .max(1)
        };
        padding = next;
        cert = issue_ee(ca_key, ca_name, key, subject, seed, 3, padding)?;
    }
    Ok(cert)
}
